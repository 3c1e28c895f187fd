"""NWB writer -> reader round trips, and the layout the writer produces (checked with h5py)."""

from __future__ import annotations

import datetime as dt
import warnings

import h5py
import numpy as np
import pynwb
import pytest
import xarray as xr
from hypothesis import HealthCheck, given, settings

import posebridge
from posebridge import model
from posebridge.errors import PoseBridgeError
from posebridge.formats import nwb
from strategies import poses_datasets

pytestmark = pytest.mark.filterwarnings("ignore:.*the dataset has no frame rate:UserWarning")


def _roundtrip(ds: xr.Dataset, path, **options) -> xr.Dataset:
    written = posebridge.save(ds, path, split_individuals=False, **options)
    assert written == [path]
    assert posebridge.detect(path) == "nwb"
    return posebridge.load(path)


def _assert_same_poses(back: xr.Dataset, ds: xr.Dataset) -> None:
    """Positions, confidence, time, names and order equal (NaN-aware, exact)."""
    ds = model.validate(ds)
    assert back.keypoint.values.tolist() == ds.keypoint.values.tolist()
    assert back.individual.values.tolist() == ds.individual.values.tolist()
    np.testing.assert_array_equal(back.time.values, ds.time.values)
    assert back.time.dtype == ds.time.dtype
    np.testing.assert_array_equal(back.position.values, ds.position.values)
    np.testing.assert_array_equal(back.confidence.values, model.confidence_per_keypoint(ds).values)
    assert back.attrs["time_unit"] == ds.attrs["time_unit"]


# --------------------------------------------------------------------------
# round trips


def test_regular_fps_29_97_round_trips_exactly_with_frames(tmp_path, poses_two_mice_with_nan):
    ds = model.with_fps(poses_two_mice_with_nan, 29.97)
    back = _roundtrip(ds, tmp_path / "a.nwb")
    _assert_same_poses(back, ds)
    assert back.attrs["fps"] == 29.97
    np.testing.assert_array_equal(back.frame.values, ds.frame.values)
    with h5py.File(tmp_path / "a.nwb") as h5:
        start = h5["processing/behavior/PoseEstimation_mouse_b/snout/starting_time"]
        assert start.attrs["rate"] == 29.97
        assert "timestamps" not in h5["processing/behavior/PoseEstimation_mouse_b/snout"]


def test_offset_start_is_kept(tmp_path, poses_two_mice_with_nan):
    ds = poses_two_mice_with_nan.assign_coords(time=np.arange(1000, 1020))
    ds = model.with_fps(ds, 30.0)
    back = _roundtrip(ds, tmp_path / "offset.nwb")
    _assert_same_poses(back, ds)
    assert back.frame.values[0] == 1000
    with h5py.File(tmp_path / "offset.nwb") as h5:
        start = h5["processing/behavior/PoseEstimation_mouse_a/snout/starting_time"]
        assert start[()] == pytest.approx(1000 / 30.0, abs=1e-12)


def test_frame_gaps_are_written_once_as_timestamps_and_linked(tmp_path, poses_two_mice_with_nan):
    frames = np.r_[0:5, 9:14, 20:30]
    ds = model.with_fps(poses_two_mice_with_nan.assign_coords(time=frames), 25.0)
    path = tmp_path / "gaps.nwb"
    back = _roundtrip(ds, path)
    _assert_same_poses(back, ds)
    np.testing.assert_array_equal(back.frame.values, frames)
    with h5py.File(path) as h5:
        module = h5["processing/behavior"]
        links = []
        hard = []
        for container in ("PoseEstimation_mouse_b", "PoseEstimation_mouse_a"):
            for keypoint in ("snout", "tail_base", "ear_left"):
                link = module[container][keypoint].get("timestamps", getlink=True)
                (links if isinstance(link, h5py.SoftLink) else hard).append(link)
        assert len(hard) == 1 and len(links) == 5
        np.testing.assert_array_equal(
            module["PoseEstimation_mouse_b/snout/timestamps"][()], frames / 25.0
        )


def test_irregular_seconds_without_fps_come_back_as_stored(tmp_path, poses_single_3d):
    times = np.cumsum(np.random.default_rng(3).uniform(0.01, 0.05, size=12))
    ds = poses_single_3d.assign_coords(time=times)
    ds.attrs["time_unit"] = "seconds"
    back = _roundtrip(ds, tmp_path / "irregular.nwb")
    _assert_same_poses(back, ds)
    assert "fps" not in back.attrs and "frame" not in back.coords


@pytest.mark.parametrize("split", [False, True])
def test_the_no_frame_rate_and_subject_warnings_name_the_written_file(tmp_path, split):
    """Both named no file: in a batch of hundreds, which file was meant was not said."""
    ds = model.from_numpy(np.zeros((4, 2, 2, 2)), individual_names=["a", "b"])
    assert ds.attrs["time_unit"] == "frames"
    target = tmp_path / "session.nwb"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        written = posebridge.save(
            ds,
            target,
            split_individuals=split,
            sex="Q",
            species="Mus musculus",
        )
    messages = [str(w.message) for w in caught if w.category is UserWarning]
    no_rate = [m for m in messages if "no frame rate" in m]
    subject = [m for m in messages if "NWB subject" in m]
    # once for the write, naming its files (one warning per file of a split write was
    # noise that grew with the animals: h109)
    for said in (no_rate, subject):
        assert len(said) == 1 and said[0].startswith(str(written[0]))
        if split:
            assert f"and its {len(written) - 1} sibling files" in said[0]


def test_each_animals_subject_problem_names_its_own_file(tmp_path):
    """h110: once said once per write, a problem of one animal's Subject named the write's
    first file (which had none) and 'its 2 sibling files'."""
    ds = model.from_numpy(np.zeros((4, 2, 2, 3)), individual_names=["m1", "m2", "m3"], fps=30)
    subjects = {"m1": {"sex": "F"}, "m2": {"sex": "male"}, "m3": {"sex": "male"}}
    config = nwb.NWBFileSaveConfig(subject_kwargs=subjects)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        written = posebridge.save(ds, tmp_path / "out.nwb", config=config)
    said = [str(w.message) for w in caught if "NWB subject" in str(w.message)]
    m1, m2 = (str(path) for path in written if path.stem.endswith(("m1", "m2")))
    assert len(said) == 1  # m2 and m3 share the problem: one warning for both files
    assert said[0].startswith(f"{m2} and its 1 sibling files: NWB subject: sex 'male'")
    assert m1 not in said[0]  # m1's Subject has no problem


def test_frames_only_round_trip_as_frames_without_invented_fps(tmp_path, poses_single_3d):
    ds = poses_single_3d.assign_coords(time=np.r_[3:9, 12:18])
    with pytest.warns(UserWarning, match="no frame rate"):
        posebridge.save(ds, tmp_path / "frames.nwb")
    back = posebridge.load(tmp_path / "frames.nwb")
    _assert_same_poses(back, ds)
    assert back.time.dtype == np.int64 and "fps" not in back.attrs
    contiguous = poses_single_3d.assign_coords(time=np.arange(50, 62))
    back = _roundtrip(contiguous, tmp_path / "contiguous.nwb")
    _assert_same_poses(back, contiguous)
    assert "fps" not in back.attrs
    # and the frames can be given a rate on loading
    assert posebridge.load(tmp_path / "contiguous.nwb", fps=10).time.values[0] == 5.0


def test_frames_with_a_stated_fps_are_written_as_seconds_of_that_rate(tmp_path, poses_single_3d):
    """h118 finding 1: frame numbers with attrs fps=30 were written as 1 frame = 1 s, with a
    warning that the dataset had no frame rate, and read back without the fps."""
    frames = np.r_[0, 3, 7:16, 20]
    ds = poses_single_3d.assign_coords(time=frames)
    ds.attrs["fps"] = 30.0
    target = tmp_path / "rated.nwb"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        posebridge.save(ds, target)
    assert not [w for w in caught if "no frame rate" in str(w.message)]
    with pynwb.NWBHDF5IO(str(target), "r") as io:
        container = io.read().processing["behavior"].data_interfaces
        series = next(iter(next(iter(container.values())).pose_estimation_series.values()))
        written = np.array(series.get_timestamps())
    np.testing.assert_allclose(written, frames / 30.0)
    back = posebridge.load(target)
    assert back.attrs["fps"] == 30.0
    np.testing.assert_array_equal(back["frame"].values, frames)
    np.testing.assert_array_equal(back.position.values, ds.position.values)


def test_3d_without_confidence_writes_no_confidence_dataset(tmp_path, poses_single_3d):
    back = _roundtrip(poses_single_3d, tmp_path / "3d.nwb")
    _assert_same_poses(back, poses_single_3d)
    assert back.space.values.tolist() == ["x", "y", "z"]
    with h5py.File(tmp_path / "3d.nwb") as h5:
        series = h5["processing/behavior/PoseEstimation/d"]
        assert "confidence" not in series
        assert series["data"].shape == (12, 3)
        assert series["data"].attrs["unit"] == "n.a."


def test_keypoint_order_names_with_slashes_and_edges_survive(tmp_path):
    position = np.random.default_rng(4).normal(size=(5, 2, 4, 1))
    names = ["zeta", "alpha/left", "mid", "alpha/right"]
    ds = model.from_numpy(position, keypoint_names=names, fps=50)
    edges = [["zeta", "mid"], ["alpha/left", "alpha/right"], ["mid", "alpha/left"]]
    ds["skeleton_edges"] = (("edge", "edge_node"), np.array(edges))
    back = _roundtrip(ds, tmp_path / "order.nwb")
    assert back.keypoint.values.tolist() == names
    assert back.skeleton_edges.values.tolist() == edges
    with h5py.File(tmp_path / "order.nwb") as h5:
        skeleton = h5["processing/behavior/Skeletons/skeleton_id_0"]
        assert skeleton["nodes"].asstr()[()].tolist() == names
        assert skeleton["edges"][()].tolist() == [[0, 2], [1, 3], [2, 1]]
        assert "alpha_left" in h5["processing/behavior/PoseEstimation"]


@pytest.mark.parametrize(
    "names",
    [
        ["."],  # HDF5's name of a group itself: the writer raised a raw ValueError
        [".", "_", "a"],
        ["a/b", "a_b", "_"],  # "a_b" read back as "a_b_2", after "_"
    ],
)
@pytest.mark.parametrize("split", [False, True])
def test_keypoint_names_that_hdf5_cannot_hold_or_that_collide_survive(tmp_path, names, split):
    position = np.arange(2 * 2 * len(names) * 2, dtype=float).reshape(2, 2, len(names), 2)
    ds = model.from_numpy(position, keypoint_names=names, individual_names=["m", "."], fps=50)
    written = nwb.write(ds, tmp_path / "names.nwb", split_individuals=split)
    back = posebridge.load(written if len(written) > 1 else written[0])
    assert back.keypoint.values.tolist() == names
    np.testing.assert_array_equal(back.position.sel(individual=["m", "."]).values, position)


def _names_with(h5: h5py.File, character: str) -> list[str]:
    found: list[str] = []
    h5.visit(lambda name: found.append(name) if character in name.rsplit("/", 1)[-1] else None)
    return found


@pytest.mark.parametrize("split", [False, True])
def test_individual_and_keypoint_names_with_a_colon_read_back_exactly(tmp_path, split):
    """hdmf refuses ':' in a container's name (pynwb raised "name 'skeleton_rat:1' cannot
    contain a '/' or ':'"): the containers get '_', and the names come back from the
    description tags and the Skeleton's nodes."""
    position = np.arange(2 * 2 * 2 * 2, dtype=float).reshape(2, 2, 2, 2)
    individuals, keypoints = ["rat:1", "12:00:01"], ["ear:l", "ear_l"]
    ds = model.from_numpy(position, keypoint_names=keypoints, individual_names=individuals, fps=50)
    written = nwb.write(ds, tmp_path / "colon.nwb", split_individuals=split)
    back = posebridge.load(written if split else written[0])
    assert back.individual.values.tolist() == individuals
    assert back.keypoint.values.tolist() == keypoints
    np.testing.assert_array_equal(back.position.values, position)
    assert sorted(tmp_path.iterdir()) == sorted(written)  # no temporary left
    for path in written:
        with h5py.File(path) as h5:
            assert _names_with(h5, ":") == []
            module = h5["processing/behavior"]
            containers = [module[name] for name in module if name.startswith("PoseEstimation")]
            assert len(containers) == (1 if split else 2)
            assert all({"ear_l", "ear_l_2"} <= set(container) for container in containers)


def test_individual_order_is_kept_in_one_file(tmp_path, poses_two_mice_with_nan):
    ds = poses_two_mice_with_nan.assign_coords(individual=["zed", "amy"])
    back = _roundtrip(ds, tmp_path / "order.nwb")
    assert back.individual.values.tolist() == ["zed", "amy"]


def test_float32_and_gzip_storage_with_time_first_chunks(tmp_path, poses_two_mice_with_nan):
    ds = model.with_fps(poses_two_mice_with_nan, 30.0)
    path = tmp_path / "small.nwb"
    back = _roundtrip(ds, path, compression="gzip", dtype="float32")
    assert back.position.dtype == np.float32
    np.testing.assert_array_equal(back.position.values, ds.position.values.astype(np.float32))
    with h5py.File(path) as h5:
        data = h5["processing/behavior/PoseEstimation_mouse_b/snout/data"]
        assert data.dtype == np.float32 and data.compression == "gzip"
        assert data.chunks == (20, 2)
        assert h5["processing/behavior/PoseEstimation_mouse_b/snout/confidence"].chunks == (20,)


def test_chunks_split_long_series_evenly_along_time(tmp_path):
    position = np.zeros((200_000, 2, 1, 1))
    ds = model.from_numpy(position, fps=100)
    path = tmp_path / "long.nwb"
    posebridge.save(ds, path)
    with h5py.File(path) as h5:
        chunks = h5["processing/behavior/PoseEstimation/keypoint_0/data"].chunks
    assert chunks[1] == 2 and chunks[0] * 4 >= 200_000 and chunks[0] < 200_000


@pytest.mark.parametrize("fps", [29.97, 30.0])
def test_two_sparse_frames_keep_their_exact_times(tmp_path, fps):
    # two frames 7 apart: a "rate" of 7 / fps rebuilds the second time only to ~2e-8 s,
    # so the writer must store timestamps (or a rate that reads back bit for bit)
    ds = model.from_numpy(np.arange(8.0).reshape(2, 2, 2, 1))
    ds = model.with_fps(ds.assign_coords(time=np.array([694, 701])), fps)
    back = _roundtrip(ds, tmp_path / "sparse.nwb")
    np.testing.assert_array_equal(back.time.values, np.array([694, 701]) / fps)
    np.testing.assert_array_equal(back.frame.values, [694, 701])
    assert back.attrs["fps"] == fps


@pytest.mark.parametrize(
    "seconds",
    [np.arange(6) / 60, np.array([0.0, 0.005, 0.5, 0.9])],
    ids=["half-frame-steps", "irregular-two-on-frame-0"],
)
def test_fps_is_kept_when_two_samples_fall_on_one_frame(tmp_path, seconds):
    # h141 item 1: round(time * fps) does not strictly increase, so no frame coordinate
    # can be made; the fps the writer notes must still come back (not the series' rate
    # of 60, nor none), eagerly, lazily and after a streamed conversion
    ds = model.from_numpy(np.random.default_rng(0).uniform(0, 100, (seconds.size, 2, 2, 1)))
    ds = ds.assign_coords(time=seconds).assign_attrs(time_unit="seconds", fps=30.0)
    back = _roundtrip(ds, tmp_path / "a.nwb")
    assert back.attrs["fps"] == 30.0
    assert model.FRAME not in back.coords
    np.testing.assert_array_equal(back.time.values, seconds)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        lazy = posebridge.open_dataset(tmp_path / "a.nwb", chunks=2)
        streamed = posebridge.convert(tmp_path / "a.nwb", tmp_path / "s.nwb", chunk_frames=2)
    assert lazy.attrs["fps"] == 30.0
    assert posebridge.load(streamed[0]).attrs["fps"] == 30.0


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(ds=poses_datasets(max_time=12, max_individuals=2, confidence=True, nan_coordinates=True))
def test_property_any_dataset_round_trips_exactly(tmp_path_factory, ds):
    path = tmp_path_factory.mktemp("prop") / "p.nwb"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        back = _roundtrip(ds, path)
    _assert_same_poses(back, ds)
    if "fps" in ds.attrs:
        np.testing.assert_array_equal(back.frame.values, ds.frame.values)


# --------------------------------------------------------------------------
# files and metadata


def test_multi_individual_default_writes_one_file_per_individual(
    tmp_path, poses_two_mice_with_nan
):
    ds = model.with_fps(poses_two_mice_with_nan, 30.0)
    written = posebridge.save(ds, tmp_path / "out.nwb")
    assert written == [tmp_path / "out_mouse_b.nwb", tmp_path / "out_mouse_a.nwb"]
    assert not (tmp_path / "out.nwb").exists()
    for path, name in zip(written, ["mouse_b", "mouse_a"], strict=True):
        back = posebridge.load(path)
        assert back.individual.values.tolist() == [name]
        assert back.attrs["subject_id"] == name
        np.testing.assert_array_equal(
            back.position.values[..., 0], ds.position.sel(individual=name).values
        )
        with h5py.File(path) as h5:
            assert list(h5["processing/behavior"]) == ["PoseEstimation", "Skeletons"]
    starts = {posebridge.load(p).attrs["session_start_time"] for p in written}
    assert len(starts) == 1


def test_existing_output_is_refused_and_nothing_is_left(tmp_path, poses_two_mice_with_nan):
    (tmp_path / "out_mouse_a.nwb").write_bytes(b"keep")
    with pytest.raises(FileExistsError, match="out_mouse_a.nwb"):
        posebridge.save(poses_two_mice_with_nan, tmp_path / "out.nwb")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out_mouse_a.nwb"]
    assert (tmp_path / "out_mouse_a.nwb").read_bytes() == b"keep"


def test_metadata_options_and_yaml_reach_the_file(tmp_path, poses_single_3d):
    metadata = tmp_path / "meta.yaml"
    metadata.write_text(
        "nwbfile:\n  lab: Pose Lab\n  session_description: from yaml\n"
        "subject:\n  species: Rattus norvegicus\n  description: a rat\n"
        "pose_estimation:\n  scorer: netA\n"
        "device:\n  name: TopCam\n  description: overhead camera\n"
    )
    ds = poses_single_3d.assign_coords(individual=["r1"])
    path = tmp_path / "meta.nwb"
    posebridge.save(
        ds,
        path,
        metadata=metadata,
        species="Mus musculus",
        sex="F",
        age="P30D",
        subject_id="M7",
        session_start_time="2024-05-01T10:30:00+02:00",
    )
    with h5py.File(path) as h5:
        assert h5["general/lab"].asstr()[()] == "Pose Lab"
        assert h5["session_description"].asstr()[()] == "from yaml"
        assert h5["session_start_time"].asstr()[()] == "2024-05-01T10:30:00+02:00"
        subject = h5["general/subject"]
        assert subject["species"].asstr()[()] == "Mus musculus"
        assert subject["description"].asstr()[()] == "a rat"
        assert subject["subject_id"].asstr()[()] == "M7"
        assert subject["age"].asstr()[()] == "P30D"
        assert h5["processing/behavior/PoseEstimation/scorer"].asstr()[()] == "netA"
        assert h5["general/devices/TopCam"].attrs["description"] == "overhead camera"
        assert h5["processing/behavior/PoseEstimation/device"].name.endswith("device")
    back = posebridge.load(path)
    assert back.individual.values.tolist() == ["r1"]
    assert back.attrs["subject_id"] == "M7" and back.attrs["device"] == "TopCam"


def test_per_individual_config_and_naive_start_time_made_aware(tmp_path, poses_two_mice_with_nan):
    config = nwb.NWBFileSaveConfig(
        subject_kwargs={"mouse_a": {"sex": "F"}, "mouse_b": {"sex": "M"}},
        nwbfile_kwargs={"session_start_time": dt.datetime(2023, 1, 2, 3, 4, 5)},
    )
    files = nwb.build_nwbfiles(poses_two_mice_with_nan, config)
    assert [f.subject.sex for f in files] == ["M", "F"]
    assert [f.subject.subject_id for f in files] == ["mouse_b", "mouse_a"]
    assert all(f.session_start_time.tzinfo is not None for f in files)
    assert files[0].session_start_time.replace(tzinfo=None) == dt.datetime(2023, 1, 2, 3, 4, 5)


def test_subject_id_for_several_split_individuals_is_refused(tmp_path, poses_two_mice_with_nan):
    with pytest.raises(PoseBridgeError, match="one subject per file"):
        posebridge.save(poses_two_mice_with_nan, tmp_path / "x.nwb", subject_id="M1")
    assert list(tmp_path.iterdir()) == []


def test_bad_metadata_and_options_raise_clear_errors(tmp_path, poses_single_3d):
    bad = tmp_path / "bad.yaml"
    bad.write_text("subjects:\n  species: x\n")
    with pytest.raises(PoseBridgeError, match="unknown section 'subjects'"):
        posebridge.save(poses_single_3d, tmp_path / "a.nwb", metadata=bad)
    with pytest.raises(PoseBridgeError, match="compression"):
        posebridge.save(poses_single_3d, tmp_path / "a.nwb", compression="zip")
    with pytest.raises(PoseBridgeError, match="ISO 8601"):
        posebridge.save(poses_single_3d, tmp_path / "a.nwb", session_start_time="yesterday")
    listed = tmp_path / "listed.yaml"
    listed.write_text("subject:\n  species: [Mus musculus]\n")  # pynwb's raw TypeError before
    with pytest.raises(PoseBridgeError, match=r"listed\.yaml\): subject\.species must be text"):
        posebridge.save(poses_single_3d, tmp_path / "a.nwb", metadata=listed)
    with pytest.raises(PoseBridgeError, match="dtype must be 'float32' or 'float64'"):
        posebridge.save(poses_single_3d, tmp_path / "a.nwb", dtype="half-precision")
    ds = poses_single_3d.copy()
    ds.attrs["space_unit"] = "furlongs"
    with pytest.raises(PoseBridgeError, match="furlongs"):
        posebridge.save(ds, tmp_path / "a.nwb")
    assert not any(p.suffix == ".nwb" for p in tmp_path.iterdir())


def test_a_space_unit_nwb_cannot_name_is_refused_naming_the_file_and_attribute(
    tmp_path, poses_single_3d
):
    """The refusal named neither the file nor space_unit, and ended in 'n.a..' (h126
    item 3)."""
    path = tmp_path / "u.nwb"
    with pytest.raises(PoseBridgeError) as raised:
        posebridge.save(poses_single_3d.assign_attrs(space_unit="mm/px"), path)
    message = str(raised.value)
    assert message.startswith(f"{path}: the dataset's space_unit 'mm/px'")
    assert "ds.attrs['space_unit']" in message
    assert "n.a.." not in message
    assert not path.exists()


@pytest.mark.parametrize(("given", "stored"), [("mm", "millimeters"), ("px", "pixels")])
def test_units_are_mapped_to_the_nwb_set(tmp_path, poses_single_3d, given, stored):
    ds = poses_single_3d.copy()
    ds.attrs["space_unit"] = given
    back = _roundtrip(ds, tmp_path / "u.nwb")
    assert back.attrs["space_unit"] == stored


def test_video_is_an_external_image_series_relative_to_the_file(tmp_path, poses_two_mice_with_nan):
    video = tmp_path / "videos" / "session.mp4"
    video.parent.mkdir()
    video.write_bytes(b"\x00")
    out = tmp_path / "nwb"
    out.mkdir()
    ds = model.with_fps(poses_two_mice_with_nan, 30.0)
    ds.attrs.update(video_width=640, video_height=480)
    path = out / "v.nwb"
    posebridge.save(ds, path, video_path=video, split_individuals=False)
    with h5py.File(path) as h5:
        series = h5["acquisition/SourceVideo"]
        assert series["external_file"].asstr()[()].tolist() == ["../videos/session.mp4"]
        assert series["external_file"].attrs["starting_frame"].tolist() == [0]
        assert series["starting_time"].attrs["rate"] == 30.0
        assert series["num_samples"][()] == 20
        assert series["dimension"][()].tolist() == [640, 480]
        link = h5["processing/behavior/PoseEstimation_mouse_a"].get("source_video", getlink=True)
        assert link.path == "/acquisition/SourceVideo"
    back = posebridge.load(path)
    assert back.attrs["video_path"] == str(video)
    assert (back.attrs["video_width"], back.attrs["video_height"]) == (640, 480)


@pytest.mark.parametrize(
    "video", ["C:\\lab\\cam.mp4", "C:/lab/cam.mp4", "\\\\server\\share\\cam.mp4"]
)
def test_a_video_path_absolute_on_windows_is_written_and_read_back_as_given(tmp_path, video):
    """h171 finding 1: a Windows path (a drive letter, a UNC share) is absolute wherever it
    is written: it is stored as given, not made relative to the .nwb's folder."""
    (tmp_path / "sub").mkdir()
    path = tmp_path / "sub" / "o.nwb"
    ds = posebridge.from_numpy(np.ones((3, 2, 2, 1)), fps=30.0)
    with pytest.warns(UserWarning, match="does not exist"):
        posebridge.save(ds, path, video_path=video)
    with h5py.File(path) as h5:
        assert h5["acquisition/SourceVideo/external_file"].asstr()[()].tolist() == [video]
    assert posebridge.load(path).attrs["video_path"] == video


def test_build_nwbfiles_writes_nothing_and_files_write_with_pynwb(tmp_path, poses_single_3d):
    import pynwb

    (nwbfile,) = nwb.build_nwbfiles(model.with_fps(poses_single_3d, 10.0))
    assert list(tmp_path.iterdir()) == []
    with pynwb.NWBHDF5IO(tmp_path / "built.nwb", "w") as io:
        io.write(nwbfile)
    back = posebridge.load(tmp_path / "built.nwb")
    np.testing.assert_array_equal(back.position.values, poses_single_3d.position.values)
    np.testing.assert_array_equal(back.time.values, np.arange(12) / 10.0)


def test_in_memory_nwbfile_is_read_like_the_file(tmp_path, poses_two_mice_with_nan):
    ds = model.with_fps(poses_two_mice_with_nan, 30.0)
    (nwbfile,) = nwb.build_nwbfiles(ds, split_individuals=False)
    from_memory = nwb.load_nwb_poses(nwbfile)
    _assert_same_poses(from_memory, ds)


def test_read_results_save_to_netcdf(tmp_path, poses_two_mice_with_nan):
    ds = model.with_fps(poses_two_mice_with_nan, 30.0)
    ds["skeleton_edges"] = (("edge", "edge_node"), np.array([["snout", "ear_left"]]))
    back = _roundtrip(ds, tmp_path / "n.nwb", species="Mus musculus")
    back.to_netcdf(tmp_path / "n.nc", engine="h5netcdf")
    assert all(not isinstance(v, type(None)) for v in back.attrs.values())


def test_describe_lists_every_container(tmp_path, poses_two_mice_with_nan):
    path = tmp_path / "d.nwb"
    posebridge.save(model.with_fps(poses_two_mice_with_nan, 10.0), path, split_individuals=False)
    rows = dict(nwb.describe(path))
    assert set(rows) == {
        "PoseEstimation processing/behavior/PoseEstimation_mouse_b",
        "PoseEstimation processing/behavior/PoseEstimation_mouse_a",
    }
    assert rows["PoseEstimation processing/behavior/PoseEstimation_mouse_a"].startswith(
        "3 series, data (20, 2), 0.000-1.900 s; device camera"
    )


# --------------------------------------------------------------------------
# datasets shaped like other tools' output


def test_dlc_like_single_animal_round_trips(tmp_path):
    rng = np.random.default_rng(21)
    position = rng.uniform(0, 640, size=(30, 2, 4, 1))
    likelihood = rng.uniform(0, 1, size=(30, 4, 1))
    ds = model.from_numpy(
        position,
        likelihood,
        individual_names=["individual_0"],
        keypoint_names=["snout", "leftear", "rightear", "tailbase"],
        fps=30,
        source_software="DeepLabCut",
    )
    ds.attrs["scorer"] = "DLC_resnet50_openfieldOct30shuffle1_1600"
    back = _roundtrip(ds, tmp_path / "dlc.nwb")
    _assert_same_poses(back, ds)
    assert back.attrs["scorer"] == ds.attrs["scorer"]
    assert back.attrs["source_software"] == "DeepLabCut"


def test_sleap_like_tracks_with_gaps_and_extras_round_trip(tmp_path):
    rng = np.random.default_rng(22)
    position = rng.uniform(0, 1024, size=(9, 2, 3, 3))
    position[rng.random((9, 1, 3, 3)).repeat(2, 1) < 0.3] = np.nan
    scores = rng.uniform(size=(9, 3, 3))
    ds = model.from_numpy(
        position,
        scores,
        individual_names=["track_0", "track_2", "track_1"],
        keypoint_names=["head", "thorax", "abdomen"],
        source_software="SLEAP",
    ).assign_coords(time=np.array([0, 1, 2, 3, 7, 8, 9, 15, 16]))
    ds = model.with_fps(ds, 15.0)
    ds["skeleton_edges"] = (("edge", "edge_node"), np.array([["head", "thorax"]]))
    ds["instance_score"] = (("time", "individual"), rng.uniform(size=(9, 3)))
    ds.attrs["video_path"] = str(tmp_path / "not_there.mp4")
    # ndx-pose has no place for per-instance scores: left out, and said so
    with pytest.warns(UserWarning, match=r"sleap\.nwb: NWB \(ndx-pose\) has no place for "):
        back = _roundtrip(ds, tmp_path / "sleap.nwb")
    _assert_same_poses(back, ds)
    np.testing.assert_array_equal(back.frame.values, ds.frame.values)
    assert back.skeleton_edges.values.tolist() == [["head", "thorax"]]
    assert "instance_score" not in back
    assert "video_path" not in back.attrs  # a missing video is not written


def test_existing_video_of_the_dataset_is_linked(tmp_path, poses_single_3d):
    video = tmp_path / "clip.avi"
    video.write_bytes(b"RIFF")
    ds = poses_single_3d.copy()
    ds.attrs["video_path"] = str(video)
    back = _roundtrip(ds, tmp_path / "linked.nwb")
    assert back.attrs["video_path"] == str(video)


def test_per_individual_files_read_back_as_one_dataset_in_order(tmp_path):
    position = np.random.default_rng(23).normal(size=(6, 2, 2, 3))
    ds = model.from_numpy(position, individual_names=["c", "a", "b"], fps=30)
    written = posebridge.save(ds, tmp_path / "m.nwb")
    for files in (written, written[::-1]):
        back = nwb.load_nwb_poses(files)
        assert back.individual.values.tolist() == ["c", "a", "b"]
        np.testing.assert_array_equal(back.position.values, ds.position.values)
        assert "subject_id" not in back.attrs  # three subjects: none is the dataset's


@pytest.mark.parametrize(
    ("individuals", "views", "layout"),
    [
        (["a", "[posebridge individual 1/2: b]"], None, "posebridge"),
        (["a", "[posebridge individual 1/2: b]"], None, "sleap-io"),
        (["a"], ["left", "x [posebridge view 1/1: y]"], "posebridge"),
    ],
    ids=["individual", "individual-sleap-io-layout", "view"],
)
def test_names_holding_posebridge_tag_text_are_refused(tmp_path, individuals, views, layout):
    """The name came back as 'b]. [posebridge individual 2/2: [posebridge individual 1/2: b]'
    and the individuals swapped: the reader took the name's text for the tag."""
    ds = model.from_numpy(np.ones((2, 2, 2, len(individuals))), individual_names=individuals)
    if views:
        ds = xr.concat([ds] * len(views), dim=xr.DataArray(views, dims="view"))
    with pytest.raises(posebridge.errors.SchemaError, match="opening of the tags"):
        nwb.write(ds, tmp_path / "tags.nwb", layout=layout)
    assert list(tmp_path.iterdir()) == []
    nwbfile = pynwb.NWBFile("s", "i", dt.datetime.now(dt.UTC))
    with pytest.raises(posebridge.errors.SchemaError, match="opening of the tags"):
        nwb.add_to_nwbfile(nwbfile, ds)
    assert "behavior" not in nwbfile.processing


def test_seed_familiar_facade_names(tmp_path, poses_two_mice_with_nan):
    import pynwb

    from posebridge.io import load_poses, save_poses

    ds = model.with_fps(poses_two_mice_with_nan, 30.0)
    files = save_poses.to_nwb_file(ds, nwb.NWBFileSaveConfig(subject_kwargs={"species": "Mus"}))
    assert [f.subject.species for f in files] == ["Mus", "Mus"]
    assert list(tmp_path.iterdir()) == []
    back = load_poses.from_nwb_file(files[1])
    np.testing.assert_array_equal(back.position.values, ds.position.sel(individual=["mouse_a"]))
    path = tmp_path / "f.nwb"
    with pynwb.NWBHDF5IO(path, "w") as io:
        io.write(files[0])
    picked = load_poses.from_nwb_file(path, "behavior", "PoseEstimation")
    assert picked.individual.values.tolist() == ["mouse_b"]


def test_individuals_with_their_own_cameras_stay_individuals(tmp_path, poses_two_mice_with_nan):
    config = {"device": {"mouse_b": {"name": "cam_b"}, "mouse_a": {"name": "cam_a"}}}
    path = tmp_path / "cams.nwb"
    posebridge.save(poses_two_mice_with_nan, path, split_individuals=False, metadata=config)
    back = posebridge.load(path)
    assert "view" not in back.dims
    assert back.individual.values.tolist() == ["mouse_b", "mouse_a"]


def _blocks_counted(values: np.ndarray, chunk: int) -> tuple[object, list[int]]:
    """A dask array of ``values`` in chunks along time, and the list of blocks it computes."""
    import dask.array as da

    computed: list[int] = []

    def count(block, block_info=None):
        if block_info:
            computed.append(block_info[0]["chunk-location"][0])
        return block

    array = da.from_array(values, chunks=(chunk, *values.shape[1:]))
    return array.map_blocks(count, dtype=values.dtype, meta=np.empty((0,) * values.ndim)), computed


def test_the_streaming_confidence_check_reads_blocks_only_until_a_finite_one():
    from posebridge.formats.nwb.storage import any_finite_block

    confidence = np.full((100, 3, 2), np.nan)
    confidence[35, 1, 0] = 0.5  # the first finite value is in block 3 of 10
    array, computed = _blocks_counted(confidence, 10)
    assert any_finite_block(array) is True
    assert computed == [0, 1, 2, 3]
    array, computed = _blocks_counted(np.full((100, 3, 2), np.nan), 10)
    assert any_finite_block(array) is False
    assert computed == list(range(10))


def test_the_datasets_device_name_survives_a_round_trip(tmp_path):
    """It was written as 'camera' whatever the dataset's device was."""
    ds = posebridge.from_numpy(np.ones((3, 2, 2, 1)), fps=10).assign_attrs(device="camera_0")
    (path,) = posebridge.save(ds, tmp_path / "a.nwb")
    assert posebridge.load(path).attrs["device"] == "camera_0"
    (again,) = posebridge.save(posebridge.load(path), tmp_path / "b.nwb")
    assert posebridge.load(again).attrs["device"] == "camera_0"
    plain = posebridge.from_numpy(np.ones((3, 2, 2, 1)), fps=10)
    (other,) = posebridge.save(plain, tmp_path / "c.nwb")
    assert posebridge.load(other).attrs["device"] == "camera"  # the default


@pytest.mark.parametrize("attribute", ["skeleton_name", "device"])
@pytest.mark.parametrize("name", ["mouse/v2", "cam:1"])
def test_a_skeleton_or_device_name_nwb_cannot_hold_is_written_with_a_warning(
    tmp_path, attribute, name
):
    """A skeleton_name or device holding '/' or ':' was renamed without a word (a device
    with '/' even became posebridge's default 'camera') (h126 item 1)."""
    ds = posebridge.from_numpy(np.ones((3, 2, 2, 2)), fps=10).assign_attrs({attribute: name})
    written = name.replace("/", "_").replace(":", "_")
    with pytest.warns(UserWarning) as caught:
        (path,) = posebridge.save(ds, tmp_path / "a.nwb", split_individuals=False)
    said = [str(w.message) for w in caught if attribute in str(w.message)]
    assert len(said) == 1
    assert said[0].startswith(f"{path}: ")
    assert repr(name) in said[0] and repr(written) in said[0]
    assert posebridge.load(path).attrs[attribute] == written


def test_regular_seconds_without_fps_read_back_without_an_fps(tmp_path):
    """Regular times were written as a rate and read back as fps=1.0, a frame rate the
    dataset never had (and .slp then took it)."""
    ds = posebridge.from_numpy(np.ones((4, 2, 2, 1))).assign_coords(time=[0.0, 1.0, 2.0, 3.0])
    ds.attrs["time_unit"] = "seconds"
    (path,) = posebridge.save(ds, tmp_path / "a.nwb")
    for back in (posebridge.load(path), posebridge.open_dataset(path)):
        assert "fps" not in back.attrs
        assert back.attrs["time_unit"] == "seconds"
        assert back.time.values.tolist() == [0.0, 1.0, 2.0, 3.0]
    with pynwb.NWBHDF5IO(path, "r") as io:  # still written compactly, as a rate
        interfaces = io.read().processing["behavior"].data_interfaces.values()
        (container,) = [c for c in interfaces if hasattr(c, "pose_estimation_series")]
        rates = {s.rate for s in container.pose_estimation_series.values()}
    assert rates == {1.0}


def test_individuals_that_would_share_a_split_file_are_refused_naming_them(tmp_path):
    ds = model.from_numpy(np.ones((2, 2, 1, 3)), individual_names=["a/b", "c", "a_b"])
    target = tmp_path / "s.nwb"
    with pytest.raises(PoseBridgeError, match=r"\['a/b', 'a_b'\] would both be written to s_a_b"):
        nwb.write(ds, target, split_individuals=True)
    with pytest.raises(PoseBridgeError, match=str(target)):
        nwb.write(ds, target, split_individuals=True)
    assert list(tmp_path.iterdir()) == []


def _with_frames(time: list[float], frames: list[int], fps: float | None) -> xr.Dataset:
    rng = np.random.default_rng(0)
    ds = posebridge.from_numpy(rng.uniform(0, 100, (len(time), 2, 2, 1)), fps=fps)
    ds = ds.assign_coords(time=np.array(time), frame=("time", np.array(frames)))
    ds.attrs["time_unit"] = "seconds"
    return model.validate(ds)


@pytest.mark.parametrize(
    ("time", "frames", "fps"),
    [
        ([4.0, 4.04, 4.2, 4.24], [100, 101, 105, 106], None),  # camera times, no fps (TRex)
        ([0.0, 0.04, 0.08, 0.12], [10, 11, 12, 13], 25.0),  # time from the session start
        ([0.5, 0.561, 0.62, 0.7], [7, 9, 10, 12], 25.0),  # jittered camera times
        ([2.5], [60], None),  # one frame
    ],
    ids=["no-fps", "offset", "jitter", "one-frame"],
)
def test_frame_numbers_that_are_not_time_times_fps_are_kept(tmp_path, time, frames, fps):
    """They were dropped, so NWB -> DeepLabCut wrote frames 0, 1, 2, ... (a silent shift)."""
    ds = _with_frames(time, frames, fps)
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        (path,) = posebridge.save(ds, tmp_path / "a.nwb")
    for back in (posebridge.load(path), posebridge.open_dataset(path)):
        assert back.frame.values.tolist() == frames
        assert back.time.values.tolist() == time
        assert back.attrs.get("fps") == fps
    (csv,) = posebridge.save(posebridge.load(path), tmp_path / "a.csv", format="dlc")
    assert posebridge.load(csv).time.values.tolist() == frames


def test_frame_numbers_no_frame_rate_gives_back_are_not_written_with_a_warning(tmp_path):
    ds = _with_frames([0.0, 1.0, 2.0, 3.0], [0, 1, 5, 6], None)
    with pytest.warns(UserWarning, match=r"frame numbers \(0, 1, 5, 6\) follow no one frame"):
        (path,) = posebridge.save(ds, tmp_path / "a.nwb")
    assert "frame" not in posebridge.load(path).coords


def test_camera_times_drifting_from_a_nominal_fps_keep_their_frames_and_fps(tmp_path):
    """TRex-like: 29.97 Hz camera times from 12.5 s, frames from 1000, read with fps=30:
    the frames were dropped and NWB -> DeepLabCut wrote frames 375, 376, ..."""
    frames = np.arange(1000, 1600)
    time = 12.5 + (frames - 1000) / 29.97
    ds = _with_frames(time.tolist(), frames.tolist(), 30.0)
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        (path,) = posebridge.save(ds, tmp_path / "a.nwb")
    back = posebridge.load(path)
    assert back.frame.values.tolist() == frames.tolist()
    assert back.attrs["fps"] == 30.0


def test_repeated_frame_numbers_are_not_written_with_a_warning(tmp_path):
    ds = _with_frames([0.0, 0.01, 0.04, 0.05], [0, 0, 1, 1], None)
    with pytest.warns(UserWarning, match=r"frame numbers \(0, 0, 1, 1\)"):
        (path,) = posebridge.save(ds, tmp_path / "a.nwb")
    assert "frame" not in posebridge.load(path).coords


def test_the_source_video_is_timed_as_the_frame_numbers_say(tmp_path):
    """Video frame 0 was put at t=0 while the poses said t=4.0 was frame 0: aligning the
    poses to the video by time showed the wrong frame."""
    video = tmp_path / "cam.mp4"
    video.write_bytes(bytes(16))
    ds = _with_frames((4.0 + np.arange(20) / 25).tolist(), list(range(100, 120)), 25.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # the video is no real video
        (path,) = posebridge.save(ds, tmp_path / "a.nwb", video_path=video)
    with h5py.File(path) as h5:
        start = h5["acquisition/SourceVideo/starting_time"]
        rate, first_time = float(start.attrs["rate"]), float(start[()])
    assert rate == 25.0
    np.testing.assert_allclose(first_time + 100 / rate, 4.0)  # video frame 100 at t=4.0
    assert posebridge.load(path).frame.values.tolist() == list(range(100, 120))


@pytest.mark.parametrize("layout", ["posebridge", "sleap-io"])
def test_variables_nwb_cannot_hold_are_named_in_a_warning(tmp_path, layout):
    ds = model.from_numpy(np.zeros((3, 2, 2, 2)), individual_names=["a", "b"], fps=30)
    ds["instance_score"] = (("time", "individual"), np.full((3, 2), 0.9))
    ds["tracking_score"] = (("time", "individual"), np.full((3, 2), 0.5))
    path = tmp_path / "s.nwb"
    with pytest.warns(UserWarning, match="no place for instance_score, tracking_score"):
        posebridge.save(ds, path, split_individuals=False, layout=layout)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # position and confidence alone: nothing to say
        posebridge.save(ds[["position", "confidence"]], tmp_path / "t.nwb", layout=layout)


def test_a_save_of_one_file_per_individual_names_unwritten_variables_once(tmp_path):
    """Each of the files warned: a SLEAP file of 27 tracks gave 27 identical warnings."""
    ds = model.from_numpy(np.zeros((3, 2, 2, 3)), individual_names=["a", "b", "c"], fps=30)
    ds["instance_score"] = (("time", "individual"), np.full((3, 3), 0.9))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        written = posebridge.save(ds, tmp_path / "s.nwb")
    said = [str(w.message) for w in caught if "no place for instance_score" in str(w.message)]
    assert len(written) == 3
    assert len(said) == 1
    assert said[0].startswith(f"{written[0]} and its 2 sibling files: ")


def test_a_given_description_is_written_as_given_and_names_still_read_back(tmp_path):
    position = np.random.default_rng(5).normal(size=(4, 2, 2, 3))
    ds = model.from_numpy(position, individual_names=["z:1", "a", "m"], fps=30)
    config = {"pose_estimation": {"description": "top camera, DLC 2.3"}}
    for split in (True, False):
        folder = tmp_path / f"split_{split}"
        folder.mkdir()
        written = posebridge.save(ds, folder / "s.nwb", split_individuals=split, config=config)
        descriptions = []
        for path in written:
            with h5py.File(path, "r") as h5:
                module = h5["processing/behavior"]
                descriptions += [
                    module[name]["description"][()].decode()
                    for name in module
                    if name.startswith("PoseEstimation")
                ]
        assert descriptions == ["top camera, DLC 2.3"] * 3  # as movement and sleap-io write it
        back = nwb.load_nwb_poses(written if split else written[0])
        assert back.individual.values.tolist() == ["z:1", "a", "m"]  # names and order kept
        np.testing.assert_array_equal(back.position.values, ds.position.values)
        assert "time_unit" not in back.attrs or back.attrs["time_unit"] == "seconds"
        assert back.attrs["fps"] == 30  # the series' time markers still read


def test_a_given_description_keeps_views_and_appends_in_order(tmp_path):
    one = model.from_numpy(np.arange(24.0).reshape(3, 2, 2, 2), individual_names=["b", "a"])
    ds = xr.concat([one, one + 1], dim=xr.DataArray(["top", "side"], dims="view"))
    config = {"pose_estimation": {"description": "rig 2"}}
    path = tmp_path / "v.nwb"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # no frame rate
        posebridge.save(ds, path, split_individuals=False, config=config)
        more = ds.isel(individual=[0]).assign_coords(individual=["c"])
        posebridge.save(more, path, append=True, config=config)
        back = posebridge.load(path)
    with h5py.File(path, "r") as h5:
        module = h5["processing/behavior"]
        described = {
            module[name]["description"][()].decode()
            for name in module
            if name.startswith("PoseEstimation")
        }
    assert described == {"rig 2"}
    assert back.individual.values.tolist() == ["b", "a", "c"]
    assert back.view.values.tolist() == ["top", "side"]
    np.testing.assert_array_equal(
        back.position.sel(individual=["b", "a"]).transpose(*ds.position.dims).values,
        ds.position.values,
    )


def test_an_unknown_keyword_in_the_metadata_is_a_type_error(tmp_path):
    ds = model.from_numpy(np.zeros((3, 2, 2, 1)), fps=30)
    for metadata in ({"nwbfile": {"foo": 1}}, {"pose_estimation": {"foo": 1}}):
        with pytest.raises(TypeError, match="foo") as raised:
            posebridge.save(ds, tmp_path / "s.nwb", metadata=metadata)
        assert isinstance(raised.value, PoseBridgeError)


@pytest.mark.parametrize("layout", ["posebridge", "sleap-io", "append"])
def test_an_anipose_alignment_not_written_is_warned_about(tmp_path, layout):
    """ndx-pose has no place for Anipose's axis alignment: NWB left it out without a word,
    where the DeepLabCut and SLEAP writers warn."""
    ds = posebridge.from_numpy(
        np.random.default_rng(5).uniform(0, 9, (4, 2, 2, 1)), individual_names=["m"], fps=30
    )
    aligned = ds.assign_attrs(anipose_alignment_center=[0.0, 3.0, 0.0])
    path = tmp_path / "a.nwb"
    expected = r"NWB \(ndx-pose\) files have no place for anipose_alignment_center"
    with pytest.warns(UserWarning, match=expected) as caught:
        if layout == "append":
            nwb.write(ds.assign_coords(individual=["first"]), path)
            posebridge.save(aligned, path, append=True)
        else:
            posebridge.save(aligned, path, layout=layout)
    assert any(w.filename == __file__ for w in caught)  # pointed at the caller
    assert "anipose_alignment_center" not in posebridge.load(path).attrs
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # an identity alignment loses nothing: no warning
        nwb.write(ds.assign_attrs(anipose_alignment_center=[0.0, 0.0, 0.0]), tmp_path / "b.nwb")


def test_a_coordinate_nwb_does_not_write_is_named_in_a_warning(tmp_path):
    """A coordinate along time (a trial label) has no place in a PoseEstimation: it is
    named in a warning on the file, as the variables NWB leaves out are, not dropped
    silently (h118 finding 4)."""
    ds = posebridge.from_numpy(np.ones((3, 2, 1, 1)), fps=30.0)
    ds = ds.assign_coords(trial=("time", ["a", "a", "b"]))
    path = tmp_path / "x.nwb"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        posebridge.save(ds, path)
    said = [str(w.message) for w in caught if "trial" in str(w.message)]
    assert len(said) == 1 and said[0].startswith(f"{path}: NWB (ndx-pose) files have no place")
    assert "trial" not in posebridge.load(path).coords


def _run_command_line(*args: object) -> object:
    """The ``posebridge`` command line, in-process (stdout and stderr kept apart)."""
    from click.testing import CliRunner

    from posebridge.cli import cli

    return CliRunner().invoke(cli, [str(a) for a in args])


def test_a_dataset_without_fps_written_to_nwb_is_told_the_fps_flag_on_the_command_line(tmp_path):
    """f129 item 1: the warning said "Load with fps=... to write real seconds" to the
    command line too; there it names --fps, and the flag as spelled writes seconds."""
    source = tmp_path / "frames.nc"
    posebridge.save(posebridge.from_numpy(np.ones((4, 2, 2, 1))), source)
    done = _run_command_line("convert", source, tmp_path / "a.nwb")
    assert done.exit_code == 0, done.output
    (said,) = [line for line in done.stderr.splitlines() if "1 frame = 1 s" in line]
    assert said.startswith("posebridge: warning: ")
    assert said.endswith("Give the frame rate with --fps (e.g. --fps 30) to write real seconds.")
    assert "fps=..." not in said
    followed = _run_command_line("convert", source, tmp_path / "b.nwb", "--fps", "30")
    assert followed.exit_code == 0, followed.output
    assert "1 frame = 1 s" not in followed.stderr
    back = posebridge.load(tmp_path / "b.nwb")
    assert back.attrs["fps"] == 30 and back.attrs.get("time_unit") == "seconds"
    with pytest.warns(UserWarning, match=r"Load with fps=\.\.\. to write real seconds\."):
        posebridge.save(posebridge.from_numpy(np.ones((4, 2, 2, 1))), tmp_path / "c.nwb")


def test_the_frame_rate_advice_of_the_sleap_io_reading_names_the_fps_flag(tmp_path):
    """f129 item 1: timing.with_frame_numbers' advice (Python's load_nwb(path, fps=30)) is
    worded with --fps for the command line; Python's message is unchanged."""
    from posebridge.errors import worded_for_command_line

    ds = posebridge.from_numpy(np.ones((3, 2, 1, 1)), fps=10.0)
    seconds = ds.drop_vars("frame").assign_coords(time=[0.05, 0.15, 0.25])
    del seconds.attrs["fps"]  # seconds, no frame rate, no frame numbers
    with pytest.raises(PoseBridgeError) as caught:
        nwb.with_frame_numbers(seconds, None, "x.nwb")
    assert "load_nwb(path, fps=30)" in str(caught.value)
    said = worded_for_command_line(caught.value)
    assert said.endswith("give the frame rate with --fps (e.g. --fps 30).")
    assert "fps=" not in said and "return_type" not in said
    whole = seconds.assign_coords(time=[0.0, 1.0, 2.0])
    with pytest.warns(UserWarning, match="Pass fps= when") as warned:
        nwb.with_frame_numbers(whole, None, "x.nwb")
    (warning,) = [w.message for w in warned if "whole seconds" in str(w.message)]
    assert "Give --fps (e.g. --fps 30) when they are real seconds" in worded_for_command_line(
        warning
    )


def _description(h5: h5py.File, path: str) -> str:
    item = h5[path]
    value = item["description"][()] if "description" in item else item.attrs["description"]
    return value.decode() if isinstance(value, bytes) else str(value)


def test_a_name_nwb_can_hold_keeps_it_and_the_cleaned_one_takes_the_suffix(tmp_path):
    """'a/b' and 'a_b' (keypoints), 'm/1' and 'm_1' (individuals): the series 'a_b' and the
    container 'PoseEstimation_m_1' are those of 'a_b' and 'm_1' (movement finds them by
    these names); 'a/b' and 'm/1' take the suffix, with one warning naming the file."""
    position = np.zeros((2, 2, 2, 2))
    position[:, :, 1] += 1.0  # keypoint 'a_b'
    position[:, :, :, 1] += 10.0  # individual 'm_1'
    ds = model.from_numpy(
        position, keypoint_names=["a/b", "a_b"], individual_names=["m/1", "m_1"], fps=30
    )
    path = tmp_path / "collide.nwb"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        posebridge.save(ds, path, split_individuals=False)
    messages = [str(w.message) for w in caught if "suffix" in str(w.message)]
    assert len(messages) == 1
    assert str(path) in messages[0]
    assert "keypoint 'a/b' as 'a_b_2'" in messages[0]
    assert "individual 'm/1' as 'm_1_2'" in messages[0]
    with h5py.File(path) as h5:
        module = h5["processing/behavior"]
        assert "individual 2/2: m_1]" in _description(h5, "processing/behavior/PoseEstimation_m_1")
        assert "individual 1/2: m/1]" in _description(
            h5, "processing/behavior/PoseEstimation_m_1_2"
        )
        np.testing.assert_array_equal(module["PoseEstimation_m_1/a_b/data"][()], 11.0)
        np.testing.assert_array_equal(module["PoseEstimation_m_1/a_b_2/data"][()], 10.0)
        np.testing.assert_array_equal(module["PoseEstimation_m_1_2/a_b/data"][()], 1.0)
        skeletons = module["Skeletons"]
        assert skeletons["skeleton_m_1"] == module["PoseEstimation_m_1/skeleton_m_1"]
        assert skeletons["skeleton_m_1_2"] == module["PoseEstimation_m_1_2/skeleton_m_1_2"]
    back = posebridge.load(path)
    assert back.keypoint.values.tolist() == ["a/b", "a_b"]
    assert back.individual.values.tolist() == ["m/1", "m_1"]
    np.testing.assert_array_equal(back.position.values, position)


def test_names_that_need_no_cleaning_warn_nothing(tmp_path):
    ds = model.from_numpy(
        np.zeros((2, 2, 2, 2)), keypoint_names=["a/b", "c"], individual_names=["m", "n"], fps=30
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        posebridge.save(ds, tmp_path / "plain.nwb", split_individuals=False)
    assert not [w for w in caught if "suffix" in str(w.message)]


def test_a_file_whose_suffixes_were_given_in_order_still_reads_back(tmp_path):
    """Files written before a valid name kept it named 'a/b' 'a_b' and 'a_b' 'a_b_2',
    with no keypoint tag: they still read back with each keypoint's own data."""
    position = np.zeros((2, 2, 2, 1))
    position[:, :, 1] = 1.0  # keypoint 'a_b'
    ds = model.from_numpy(position, keypoint_names=["a/b", "a_b"], fps=30)
    path = tmp_path / "older.nwb"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        posebridge.save(ds, path)
    _lay_out_as_before(path)
    back = posebridge.load(path)
    assert back.keypoint.values.tolist() == ["a/b", "a_b"]
    np.testing.assert_array_equal(back.position.values, position)


_NAMES_MARKER = "posebridge: names=valid-kept"


def _comments(group: h5py.Group) -> str:
    value = group.attrs.get("comments", "")
    return value.decode() if isinstance(value, bytes) else str(value)


def _drop_names_marker(container: h5py.Group) -> None:
    """The comments of every series without the names marker, which no writer wrote
    before valid names were kept."""
    for name in container:
        if isinstance(container[name], h5py.Group) and "comments" in container[name].attrs:
            parts = _comments(container[name]).split(" | ")
            kept = [part for part in parts if not part.startswith(_NAMES_MARKER)]
            container[name].attrs["comments"] = " | ".join(kept)


def _lay_out_as_before(path, where: str = "processing/behavior/PoseEstimation") -> None:
    """Make a file written with keypoints 'a/b', 'a_b' as the writer of 39793abc laid it
    out: the suffixes in order of the keypoints ('a/b' is series 'a_b', 'a_b' is
    'a_b_2'), no keypoint tag on those two series (the metadata named neither) and no
    names marker; a series the metadata named keeps its tag, as that writer tagged it."""
    with h5py.File(path, "r+") as h5:
        container = h5[where]
        container.move("a_b", "held")
        container.move("a_b_2", "a_b")
        container.move("held", "a_b_2")
        for name in ("a_b", "a_b_2"):
            text = _description(h5, f"{where}/{name}")
            container[name].attrs["description"] = text.split(" [posebridge keypoint")[0]
        _drop_names_marker(container)


def _three_keypoints() -> tuple[np.ndarray, xr.Dataset, nwb.NWBFileSaveConfig]:
    """'a/b', 'a_b' (names that meet once cleaned) and 'c', whose series the metadata
    names 'tail'; each keypoint's positions are its own number."""
    position = np.zeros((5, 2, 3, 1))
    position[:, :, 1] = 11.0  # 'a_b'
    position[:, :, 2] = 21.0  # 'c'
    position[:, :, 0] = 1.0  # 'a/b'
    ds = model.from_numpy(
        position, keypoint_names=["a/b", "a_b", "c"], individual_names=["m1"], fps=10
    )
    config = nwb.NWBFileSaveConfig(
        pose_estimation_series_kwargs={"a/b": {}, "a_b": {}, "c": {"name": "tail"}}
    )
    return position, ds, config


def test_an_older_file_with_a_series_named_in_the_metadata_reads_each_keypoint_back(tmp_path):
    """Files written at 39793abc tagged the series the metadata named ('c' as 'tail'), but
    not 'a/b' (series 'a_b') and 'a_b' (series 'a_b_2'): reading took the tag for a file
    written since and swapped the data of 'a/b' and 'a_b', silently."""
    position, ds, config = _three_keypoints()
    path = tmp_path / "older.nwb"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        posebridge.save(ds, path, config=config)
    _lay_out_as_before(path, "processing/behavior/PoseEstimation")
    with h5py.File(path) as h5:  # the layout of 39793abc
        container = h5["processing/behavior/PoseEstimation"]
        np.testing.assert_array_equal(container["a_b/data"][()], 1.0)
        assert "[posebridge keypoint: c]" in _description(
            h5, "processing/behavior/PoseEstimation/tail"
        )
    back = posebridge.load(path)
    assert back.keypoint.values.tolist() == ["a/b", "a_b", "c"]
    np.testing.assert_array_equal(back.position.values, position)


def test_series_of_names_that_meet_are_marked_with_the_naming_rule(tmp_path):
    """Every series of a PoseEstimation whose keypoints' cleaned names meet says in its
    comments that a name NWB can hold kept its series; a file whose names do not meet
    carries no such marker."""
    position, ds, config = _three_keypoints()
    path = tmp_path / "new.nwb"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        posebridge.save(ds, path, config=config)
        posebridge.save(ds.sel(keypoint=["a_b", "c"]), tmp_path / "plain.nwb", config=config)
    with h5py.File(path) as h5:
        container = h5["processing/behavior/PoseEstimation"]
        assert {"a_b", "a_b_2", "tail"} <= set(container)
        np.testing.assert_array_equal(container["a_b/data"][()], 11.0)
        for name in ("a_b", "a_b_2", "tail"):
            assert _NAMES_MARKER in _comments(container[name])
    with h5py.File(tmp_path / "plain.nwb") as h5:
        container = h5["processing/behavior/PoseEstimation"]
        assert not any(_NAMES_MARKER in _comments(container[name]) for name in ("a_b", "tail"))
    back = posebridge.load(path)
    assert back.keypoint.values.tolist() == ["a/b", "a_b", "c"]
    np.testing.assert_array_equal(back.position.values, position)


def test_a_file_written_before_the_names_marker_but_with_kept_names_reads_back(tmp_path):
    """Files written between 94e18bd2 and the names marker kept valid names and tagged
    every series so named otherwise, without the marker: the tags give them back."""
    position, ds, config = _three_keypoints()
    path = tmp_path / "between.nwb"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        posebridge.save(ds, path, config=config)
    with h5py.File(path, "r+") as h5:
        _drop_names_marker(h5["processing/behavior/PoseEstimation"])
    back = posebridge.load(path)
    assert back.keypoint.values.tolist() == ["a/b", "a_b", "c"]
    np.testing.assert_array_equal(back.position.values, position)


@pytest.mark.parametrize("lazy", [False, True])
def test_float16_is_written_as_float32_without_hdmf_warnings(tmp_path, lazy):
    """hdmf converted float16 to float32 with one DtypeConversionWarning per series
    (naming no file); the streamed write stored float16, which NWB does not allow."""
    rng = np.random.default_rng(3)
    position = rng.uniform(0, 500, (6, 2, 3, 1)).astype(np.float16)
    confidence = rng.uniform(0, 1, (6, 3, 1)).astype(np.float16)
    ds = model.from_numpy(position, confidence, keypoint_names=["a", "b", "c"], fps=30)
    if lazy:
        ds = ds.chunk({"time": 4})
    path = tmp_path / "half.nwb"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        posebridge.save(ds, path)
    assert [f"{w.category.__name__}: {w.message}" for w in caught] == []
    with h5py.File(path) as h5:
        series = h5["processing/behavior/PoseEstimation/b"]
        assert series["data"].dtype == np.float32
        assert series["confidence"].dtype == np.float32
        np.testing.assert_array_equal(series["data"][()], position[:, :, 1, 0])
        np.testing.assert_array_equal(series["confidence"][()], confidence[:, 1, 0])
    back = posebridge.load(path)
    np.testing.assert_array_equal(back.position.values, position)
