"""posebridge.io.nwb: sleap-io's NWB function names on posebridge datasets."""

from __future__ import annotations

import datetime as dt

import attrs
import h5py
import numpy as np
import pytest

import posebridge
from posebridge import model
from posebridge.errors import PoseBridgeError
from posebridge.formats import nwb as nwb_format
from posebridge.io import nwb, save_poses

pytestmark = pytest.mark.filterwarnings("ignore:.*the dataset has no frame rate:UserWarning")


@pytest.fixture
def two_tracks_from_frame_100():
    """5 frames (100..104) of 2 tracks with 2 nodes, frames only."""
    position = np.random.default_rng(5).normal(size=(5, 2, 2, 2))
    ds = model.from_numpy(position, individual_names=["t1", "t2"], keypoint_names=["A", "B"])
    return ds.assign_coords(time=np.arange(100, 105))


def test_nwb_format_names_match_sleap_io():
    assert [f.value for f in nwb.NwbFormat] == [
        "auto",
        "annotations",
        "annotations_export",
        "predictions",
    ]


def test_video_sample_rate_divides_frame_numbers(tmp_path, two_tracks_from_frame_100):
    path = nwb.write_nwb(
        two_tracks_from_frame_100,
        tmp_path / "p.nwb",
        pose_estimation_metadata={"video_sample_rate": 30, "scorer": "net"},
        layout="posebridge",
    )
    back = nwb.load_nwb(path, return_type="dataset")
    np.testing.assert_array_equal(back.time.values, np.arange(100, 105) / 30)
    np.testing.assert_array_equal(back.frame.values, np.arange(100, 105))
    assert back.attrs["fps"] == 30.0 and back.attrs["scorer"] == "net"
    assert back.individual.values.tolist() == ["t1", "t2"]
    with h5py.File(path) as h5:
        rate = h5["processing/behavior/PoseEstimation_t1/A/starting_time"].attrs["rate"]
    assert rate == 30.0


def test_video_timestamps_pick_the_time_of_each_frame(tmp_path, two_tracks_from_frame_100):
    stamps = np.cumsum(np.random.default_rng(6).uniform(0.02, 0.04, size=200))
    path = nwb.write_nwb(
        two_tracks_from_frame_100,
        tmp_path / "t.nwb",
        nwb_file_kwargs={"session_description": "sleap names"},
        pose_estimation_metadata={"video_timestamps": stamps},
    )
    back = nwb.read_nwb(path, return_type="dataset")
    np.testing.assert_array_equal(back.time.values, stamps[100:105])
    assert back.attrs["session_description"] == "sleap names"


def test_video_timestamps_too_short_are_refused(tmp_path, two_tracks_from_frame_100):
    with pytest.raises(PoseBridgeError, match="video_timestamps has 50 entries"):
        nwb.write_nwb(
            two_tracks_from_frame_100,
            tmp_path / "t.nwb",
            pose_estimation_metadata={"video_timestamps": np.arange(50.0)},
        )


@pytest.mark.parametrize("stamps", ["abc", {"a": 1}, [[0.0, 1.0], [2.0]], ["x", 1.0]], ids=str)
def test_video_timestamps_that_are_not_numbers_are_refused_naming_them(
    tmp_path, two_tracks_from_frame_100, stamps
):
    """numpy's ValueError / the built-in TypeError came out, naming nothing."""
    with pytest.raises(PoseBridgeError, match="video_timestamps must be a list or array"):
        nwb.write_nwb(
            two_tracks_from_frame_100,
            tmp_path / "t.nwb",
            pose_estimation_metadata={"video_timestamps": stamps},
        )
    assert list(tmp_path.iterdir()) == []


def test_get_timestamps_of_an_array_is_refused_naming_what_it_takes():
    """A numpy array has .data: it passed the check, then failed with an AttributeError."""
    with pytest.raises(posebridge.errors.TypeError, match="takes a PoseEstimationSeries"):
        nwb.get_timestamps(np.zeros(3))


def test_save_nwb_predictions_and_append(tmp_path, two_tracks_from_frame_100):
    path = tmp_path / "s.nwb"
    nwb.save_nwb(two_tracks_from_frame_100.isel(individual=[0]), path)
    nwb.save_nwb(two_tracks_from_frame_100.isel(individual=[1]), path, append=True)
    back = nwb.load_nwb(path, return_type="dataset")
    assert back.individual.values.tolist() == ["t1", "t2"]
    np.testing.assert_array_equal(back.position.values, two_tracks_from_frame_100.position.values)
    np.testing.assert_array_equal(back.time.values, np.arange(100, 105))


def test_append_nwb_adds_to_an_existing_file(tmp_path, two_tracks_from_frame_100):
    path = nwb.write_nwb(two_tracks_from_frame_100.isel(individual=[0]), tmp_path / "a.nwb")
    nwb.append_nwb(two_tracks_from_frame_100.isel(individual=[1]), path)
    assert nwb.load_nwb(path, return_type="dataset").individual.values.tolist() == ["t1", "t2"]


def test_append_nwb_data_fills_an_in_memory_file(two_tracks_from_frame_100):
    pynwb = pytest.importorskip("pynwb")
    nwbfile = pynwb.NWBFile(
        session_description="s",
        identifier="i",
        session_start_time=dt.datetime(2024, 1, 1, tzinfo=dt.UTC),
    )
    assert nwb.append_nwb_data(two_tracks_from_frame_100, nwbfile, {"video_sample_rate": 10.0})
    back = nwb_format.load_nwb_poses(nwbfile)
    np.testing.assert_array_equal(back.time.values, np.arange(100, 105) / 10.0)
    np.testing.assert_array_equal(back.position.values, two_tracks_from_frame_100.position.values)


def test_append_nwb_data_keeps_the_moment_of_poses_of_another_session(
    two_tracks_from_frame_100,
):
    """Tracks of a session started 5 s after the in-memory file's are added at their
    moment (+5 s), with a warning, in sleap-io's layout as in posebridge's."""
    pynwb = pytest.importorskip("pynwb")
    start = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    later = (start + dt.timedelta(seconds=5)).isoformat()
    ds = two_tracks_from_frame_100.assign_attrs(session_start_time=later)
    for layout in ("sleap-io", "posebridge"):
        nwbfile = pynwb.NWBFile("s", "i", start)
        with pytest.warns(UserWarning, match=r"NWBFile.*shifted by \+5 s"):
            nwb.append_nwb_data(ds, nwbfile, {"video_sample_rate": 10.0}, layout=layout)
        back = nwb_format.load_nwb_poses(nwbfile)
        np.testing.assert_allclose(back.time.values, 5 + np.arange(100, 105) / 10.0, atol=1e-9)
        np.testing.assert_array_equal(back.position.values, ds.position.values)


def test_append_nwb_keeps_the_moment_of_poses_of_another_session_for_sleap_io(
    tmp_path, two_tracks_from_frame_100
):
    """append_nwb (sleap-io's layout) of a track of a session started 5 s later: shifted
    by +5 s with a warning, and sleap_io.load_nwb reads it after the file's own frames."""
    sio = pytest.importorskip("sleap_io")
    first = two_tracks_from_frame_100.isel(individual=[0])
    rate = {"video_sample_rate": 10.0}
    path = nwb.write_nwb(
        first.assign_attrs(session_start_time="2024-01-01T00:00:00+00:00"),
        tmp_path / "a.nwb",
        pose_estimation_metadata=rate,
    )
    second = two_tracks_from_frame_100.isel(individual=[1])
    second = second.assign_attrs(session_start_time="2024-01-01T00:00:05+00:00")
    with pytest.warns(UserWarning, match=r"shifted by \+5 s"):
        nwb.append_nwb(second, path, rate)
    back = nwb.load_nwb(path, return_type="dataset")
    t2 = back.sel(individual="t2").dropna("time", how="all")
    np.testing.assert_allclose(t2.time.values, 5 + np.arange(100, 105) / 10.0, atol=1e-9)
    labels = sio.load_nwb(str(path))
    frames = [[i.numpy()[0, 0] for i in lf.instances] for lf in labels.labeled_frames]
    x = two_tracks_from_frame_100.position.isel(space=0, keypoint=0).values.astype(np.float32)
    assert frames == [[v] for v in x[:, 0]] + [[v] for v in x[:, 1]]  # sleap-io: float32


@pytest.mark.parametrize("fmt", ["annotations", "annotations_export"])
def test_annotations_formats_refuse_poses(tmp_path, two_tracks_from_frame_100, fmt):
    # annotations are labelled frames (posebridge.labels); poses are refused, nothing written
    with pytest.raises(PoseBridgeError, match="labelled frames"):
        nwb.save_nwb(two_tracks_from_frame_100, tmp_path / "a.nwb", nwb_format=fmt)
    assert list(tmp_path.iterdir()) == []


def test_auto_writes_labelled_frames_as_annotations(tmp_path, two_tracks_from_frame_100):
    labelled = posebridge.labels.from_numpy(
        two_tracks_from_frame_100.position.values,
        image_path=[f"v/img{i}.png" for i in range(5)],
        individual_names=["t1", "t2"],
        keypoint_names=["A", "B"],
    )
    nwb.save_nwb(labelled, tmp_path / "l.nwb")
    with h5py.File(tmp_path / "l.nwb") as h5:
        frames = h5["processing/behavior/PoseTraining/training_frames"]
        assert len(frames) == 5
    back = nwb.load_nwb(tmp_path / "l.nwb", return_type="dataset")
    assert back.attrs["content"] == "labels"
    np.testing.assert_array_equal(back.position.values, labelled.position.values)
    # predictions need frames along a video: labelled frames are refused
    with pytest.raises(PoseBridgeError, match="labelled frames"):
        nwb.save_nwb(labelled, tmp_path / "p.nwb", nwb_format="predictions")


def test_unknown_nwb_format_is_refused(tmp_path, two_tracks_from_frame_100):
    with pytest.raises(PoseBridgeError, match="nwb_format must be one of"):
        nwb.save_nwb(two_tracks_from_frame_100, tmp_path / "x.nwb", nwb_format="slp")


def test_a_frame_rate_contradicting_the_files_is_refused_by_every_nwb_reader(
    tmp_path, two_tracks_from_frame_100
):
    path = nwb.write_nwb(
        two_tracks_from_frame_100,
        tmp_path / "p.nwb",
        pose_estimation_metadata={"video_sample_rate": 30},
    )
    readers = {
        "read_nwb dataset": lambda fps: nwb.read_nwb(path, return_type="dataset", fps=fps),
        "read_nwb labels": lambda fps: nwb.read_nwb(path, fps=fps),
        "load_nwb_poses": lambda fps: nwb_format.load_nwb_poses(path, fps=fps),
    }
    for name, read in readers.items():
        with pytest.raises(PoseBridgeError, match=r"p\.nwb: fps=60 contradicts .* 30 fps"):
            read(60)
        assert read(30) is not None, name  # the file's own rate is taken
    back = nwb_format.load_nwb_poses(path, fps="30")
    np.testing.assert_array_equal(back.frame.values, np.arange(100, 105))


# --------------------------------------------------------------------------
# NWBFileSaveConfig is an attrs class, as movement.io.nwb's: user code written for movement
# calls attrs' functions on it


def test_nwb_file_save_config_takes_attrs_evolve_and_asdict_as_movements():
    config = nwb.NWBFileSaveConfig(
        nwbfile_kwargs={"session_description": "open field"}, subject_kwargs={"sex": "F"}
    )
    evolved = attrs.evolve(config, subject_kwargs={"species": "Mus musculus"})
    assert evolved.subject_kwargs == {"species": "Mus musculus"}
    assert evolved.nwbfile_kwargs == {"session_description": "open field"}
    assert config.subject_kwargs == {"sex": "F"}  # the original is left as it was
    as_dict = attrs.asdict(evolved)
    movement_nwb = pytest.importorskip("movement.io.nwb")
    theirs = [f.name for f in attrs.fields(movement_nwb.NWBFileSaveConfig)]
    assert list(as_dict)[: len(theirs)] == theirs  # movement's sections, in its order
    assert as_dict["subject_kwargs"] == {"species": "Mus musculus"}
    assert attrs.asdict(nwb.NWBFileSaveConfig()) == {key: {} for key in as_dict}


def test_nwb_file_save_config_evolved_writes_what_it_says():
    ds = posebridge.from_numpy(np.zeros((3, 2, 2, 1)), individual_names=["m"], fps=10.0)
    config = attrs.evolve(nwb.NWBFileSaveConfig(), subject_kwargs={"species": "Mus musculus"})
    assert save_poses.to_nwb_file(ds, config).subject.species == "Mus musculus"


@pytest.mark.parametrize("how", ["create", "evolve", "assign"])
def test_nwb_file_save_config_refuses_a_section_that_is_no_dict_however_given(how):
    # movement's converter makes it {} without a word, dropping what the user meant to write
    config = nwb.NWBFileSaveConfig()
    with pytest.raises(TypeError, match=r"NWBFileSaveConfig\.subject_kwargs must be a dict"):
        if how == "create":
            nwb.NWBFileSaveConfig(subject_kwargs=["Mus musculus"])
        elif how == "evolve":
            attrs.evolve(config, subject_kwargs=["Mus musculus"])
        else:
            config.subject_kwargs = ["Mus musculus"]
    with pytest.raises(PoseBridgeError):
        nwb.NWBFileSaveConfig(video_kwargs="camera.mp4")


def test_nwb_file_save_config_takes_none_as_an_empty_section_as_movement():
    config = nwb.NWBFileSaveConfig(subject_kwargs=None)
    assert config.subject_kwargs == {}
    config.nwbfile_kwargs = None
    assert config.nwbfile_kwargs == {}


def test_nwb_file_save_config_refuses_a_misspelt_attribute_as_movement():
    # a dataclass took config.subject_kwarg = {...} and the writer never saw it
    config = nwb.NWBFileSaveConfig()
    with pytest.raises(AttributeError):
        config.subject_kwarg = {"species": "Mus musculus"}
