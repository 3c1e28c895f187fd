"""posebridge.io.nwb called as sleap-io code calls sleap_io.io.nwb: with Labels."""

from __future__ import annotations

import datetime as dt
import sys
import warnings

import h5py
import numpy as np
import pytest
import xarray as xr

import posebridge
from _corpus import corpus_path
from posebridge.errors import PoseBridgeError, SchemaError
from posebridge.io import nwb

sio = pytest.importorskip("sleap_io")
pytestmark = pytest.mark.filterwarnings("ignore:.*the dataset has no frame rate:UserWarning")


def make_labels(videos=("/data/a.mp4",), provenance=None):
    """Two tracks, 4 frames per video, predicted instances with scores."""
    skeleton = sio.Skeleton(["head", "thorax", "tail"], edges=[("head", "thorax")], name="fly")
    tracks = [sio.Track("f1"), sio.Track("f2")]
    video_objects = [sio.Video(filename=v, open_backend=False) for v in videos]
    rng = np.random.default_rng(7)
    frames = []
    for v, video in enumerate(video_objects):
        for frame in range(4):
            instances = [
                sio.PredictedInstance.from_numpy(
                    rng.uniform(0, 100, (3, 2)) + 1000 * v,
                    skeleton=skeleton,
                    point_scores=rng.uniform(0.5, 1, 3),
                    score=0.9,
                    track=track,
                    tracking_score=0.5,
                )
                for track in tracks
            ]
            frames.append(sio.LabeledFrame(video=video, frame_idx=frame, instances=instances))
    return sio.Labels(
        frames,
        videos=video_objects,
        skeletons=[skeleton],
        tracks=tracks,
        provenance=dict(provenance or {}),
    )


def points_of(labels, track: str) -> np.ndarray:
    return np.stack(
        [i.numpy() for lf in labels.labeled_frames for i in lf.instances if i.track.name == track]
    )


# --------------------------------------------------------------------------
# sleap-io's names and parameter names, with Labels


def test_save_nwb_takes_labels_and_load_nwb_gives_labels_back(tmp_path):
    labels = make_labels()
    nwb.save_nwb(labels=labels, filename=tmp_path / "s.nwb")
    back = nwb.load_nwb(filename=tmp_path / "s.nwb")
    assert isinstance(back, sio.Labels)
    assert [t.name for t in back.tracks] == ["f1", "f2"]
    assert [n.name for n in back.skeleton.nodes] == ["head", "thorax", "tail"]
    assert back.skeleton.edge_inds == [(0, 1)]
    assert [lf.frame_idx for lf in back.labeled_frames] == [0, 1, 2, 3]
    assert all(isinstance(i, sio.PredictedInstance) for lf in back.labeled_frames for i in lf)
    for track in ("f1", "f2"):
        np.testing.assert_allclose(points_of(back, track), points_of(labels, track))


def test_load_nwb_takes_the_options_sleap_io_s_load_file_passes_on(tmp_path):
    """sleap-io's load_nwb accepts open_videos and lazy (and ignores them): so does ours."""
    labels = make_labels()
    nwb.save_nwb(labels, tmp_path / "s.nwb")
    nwb.save_nwb(labels, tmp_path / "sleap-io.nwb", layout="sleap-io")
    plain = nwb.load_nwb(tmp_path / "s.nwb")
    for options in ({"open_videos": False}, {"lazy": True}):
        back = nwb.load_nwb(tmp_path / "s.nwb", **options)
        assert [lf.frame_idx for lf in back.labeled_frames] == [
            lf.frame_idx for lf in plain.labeled_frames
        ]
        theirs = sio.load_nwb(str(tmp_path / "sleap-io.nwb"), **options)  # sleap-io's own
        assert len(theirs.labeled_frames) == len(plain.labeled_frames)
    with pytest.raises(TypeError):
        nwb.load_nwb(tmp_path / "s.nwb", open_video=False)  # a misspelt option is no option


def test_write_nwb_read_nwb_append_nwb_under_sleap_io_parameter_names(tmp_path):
    labels = make_labels()
    path = tmp_path / "w.nwb"
    written = nwb.write_nwb(
        labels=labels,
        nwbfile_path=path,
        nwb_file_kwargs={"session_description": "flies", "identifier": "id-1"},
        pose_estimation_metadata={"video_sample_rate": 30.0},
    )
    assert written == path
    ds = nwb.read_nwb(path=path, return_type="dataset")
    np.testing.assert_allclose(ds.time.values, np.arange(4) / 30.0)  # divided, not multiplied
    assert ds.attrs["session_description"] == "flies"
    back = nwb.read_nwb(path)
    assert isinstance(back, sio.Labels)
    assert [lf.frame_idx for lf in back.labeled_frames] == [0, 1, 2, 3]

    other = make_labels()
    for track in other.tracks:
        track.name = f"{track.name}_b"
    with pytest.raises(PoseBridgeError, match="sampled at 30 Hz .* at 15 Hz"):  # would interleave
        nwb.append_nwb(
            labels=other, filename=path, pose_estimation_metadata={"video_sample_rate": 15.0}
        )
    nwb.append_nwb(labels=other, filename=path)  # no rate: its frames take the file's 30 Hz
    both = nwb.read_nwb(path, return_type="dataset")
    np.testing.assert_allclose(both.time.values, np.arange(4) / 30.0)
    assert both.sizes["individual"] == 4
    assert set(both.individual.values.tolist()) >= {"f1", "f2", "f1_b", "f2_b"}


def test_append_nwb_data_adds_labels_to_an_in_memory_nwbfile(tmp_path):
    import pynwb

    nwbfile = pynwb.NWBFile(
        session_description="s", identifier="i", session_start_time=dt.datetime.now(dt.UTC)
    )
    out = nwb.append_nwb_data(
        labels=make_labels(), nwbfile=nwbfile, skeleton_map=None, layout="posebridge"
    )
    assert out is nwbfile
    containers = list(nwbfile.processing["behavior"].data_interfaces)
    assert "Skeletons" in containers and len(containers) == 3
    with pynwb.NWBHDF5IO(str(tmp_path / "m.nwb"), "w") as io:
        io.write(nwbfile)
    assert posebridge.load(tmp_path / "m.nwb").individual.values.tolist() == ["f1", "f2"]


def test_posebridge_load_gives_a_dataset_and_return_type_chooses(tmp_path):
    nwb.save_nwb(make_labels(), tmp_path / "d.nwb")
    assert isinstance(posebridge.load(tmp_path / "d.nwb"), xr.Dataset)
    assert isinstance(nwb.load_nwb(tmp_path / "d.nwb", return_type="dataset"), xr.Dataset)
    assert isinstance(nwb.load_nwb(tmp_path / "d.nwb", return_type="labels"), sio.Labels)
    with pytest.raises(PoseBridgeError, match="return_type"):
        nwb.load_nwb(tmp_path / "d.nwb", return_type="pandas")


def test_datasets_are_accepted_where_labels_are(tmp_path):
    ds = posebridge.from_sleap_io(make_labels())
    nwb.save_nwb(ds, tmp_path / "ds.nwb")
    back = nwb.load_nwb(tmp_path / "ds.nwb", return_type="dataset")
    np.testing.assert_allclose(back.position.values, ds.position.values)


def test_a_3d_dataset_is_refused_in_the_sleap_io_layout_and_written_in_posebridges(tmp_path):
    """sleap_io.load_nwb reads 2-D poses only: save_nwb's default layout (sleap-io's)
    wrote 3-D series that it then failed on; now refused, nothing written."""
    position = np.random.default_rng(2).normal(size=(4, 3, 2, 1))
    ds = posebridge.from_numpy(position, np.ones((4, 2, 1)), keypoint_names=["a", "b"])
    with pytest.raises(SchemaError, match="cannot hold 3-D poses") as raised:
        nwb.save_nwb(ds, tmp_path / "s.nwb")
    assert str(tmp_path / "s.nwb") in str(raised.value)
    assert list(tmp_path.iterdir()) == []
    nwb.save_nwb(ds, tmp_path / "ours.nwb", layout="posebridge")
    back = posebridge.load(tmp_path / "ours.nwb")
    np.testing.assert_array_equal(back.position.values, ds.position.values)


def test_get_timestamps_divides_by_the_rate_and_never_invents_times():
    import ndx_pose

    def series(**timing):
        return ndx_pose.PoseEstimationSeries(
            name="head",
            data=np.zeros((3, 2)),
            unit="pixels",
            reference_frame="(0, 0) top left",
            **timing,
        )

    np.testing.assert_allclose(
        nwb.get_timestamps(series(rate=30.0, starting_time=2.0)), 2.0 + np.arange(3) / 30.0
    )
    stamps = np.array([0.1, 0.25, 0.4])
    np.testing.assert_array_equal(nwb.get_timestamps(series(timestamps=stamps)), stamps)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pynwb warns about rate 0 itself
        sparse = series(rate=0.0, starting_time=0.0)
    with pytest.raises(PoseBridgeError, match="unknown"):
        nwb.get_timestamps(sparse)


# --------------------------------------------------------------------------
# what sleap-io carries


def test_sleap_provenance_becomes_scorer_and_version_as_sleap_io_writes_them(tmp_path):
    path = corpus_path("sleap_slp/predictions_1.2.7_provenance_and_tracking.slp")
    labels = sio.load_slp(str(path), open_videos=False)
    assert labels.provenance.get("sleap_version")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        nwb.write_nwb(labels, tmp_path / "ours.nwb", layout="sleap-io")
        sio.save_nwb(labels, str(tmp_path / "theirs.nwb"), nwb_format="predictions")

    def read(name):
        with h5py.File(tmp_path / name, "r") as h5:
            module = next(m for k, m in h5["processing"].items() if k.startswith("SLEAP_VIDEO"))
            container = module[next(k for k in module if k.startswith("track="))]
            software = container["source_software"]
            return (
                container["scorer"][()].decode(),
                software[()].decode(),
                software.attrs["version"],
            )

    assert read("ours.nwb") == read("theirs.nwb")
    assert read("ours.nwb")[0] == str(labels.provenance)
    assert read("ours.nwb")[2] == labels.provenance["sleap_version"]


def test_predictions_from_labels_without_predicted_instances_are_refused(tmp_path):
    skeleton = sio.Skeleton(["a", "b"], name="s")
    video = sio.Video(filename="v.mp4", open_backend=False)
    user = sio.Instance.from_numpy(np.array([[1.0, 2.0], [3.0, 4.0]]), skeleton=skeleton)
    labels = sio.Labels([sio.LabeledFrame(video=video, frame_idx=0, instances=[user])])
    with pytest.raises(PoseBridgeError, match="no predicted instance"):
        nwb.save_nwb(labels, tmp_path / "p.nwb", nwb_format="predictions")
    with pytest.raises(PoseBridgeError, match="no predicted instance"):
        nwb.write_nwb(labels, tmp_path / "p.nwb")
    assert not (tmp_path / "p.nwb").exists()
    nwb.save_nwb(labels, tmp_path / "a.nwb")  # auto: annotations, as sleap-io picks
    back = nwb.load_nwb(tmp_path / "a.nwb")
    assert len(back.labeled_frames[0].user_instances) == 1
    np.testing.assert_array_equal(back.labeled_frames[0].instances[0].numpy(), user.numpy())


# --------------------------------------------------------------------------
# wrong types: a TypeError before anything else


@pytest.mark.parametrize("value", [None, "labels.slp", np.zeros((3, 2)), {"labels": 1}])
@pytest.mark.parametrize("function", ["save_nwb", "write_nwb", "append_nwb"])
def test_a_wrong_labels_type_is_a_type_error_and_nothing_is_written(tmp_path, function, value):
    target = tmp_path / "never.nwb"
    with pytest.raises(TypeError, match="sleap_io.Labels or a posebridge"):
        getattr(nwb, function)(value, target)
    assert not target.exists()


def test_wrong_path_and_nwbfile_types_are_type_errors(tmp_path):
    labels = make_labels()
    with pytest.raises(TypeError, match="nwbfile_path"):
        nwb.write_nwb(labels, 42)
    with pytest.raises(TypeError, match="pynwb.NWBFile"):
        nwb.append_nwb_data(labels, str(tmp_path / "x.nwb"))
    with pytest.raises(TypeError, match="pose_estimation_metadata"):
        nwb.write_nwb(labels, tmp_path / "x.nwb", pose_estimation_metadata=[1, 2])
    with pytest.raises(TypeError, match="filename"):
        nwb.load_nwb(labels)
    assert not (tmp_path / "x.nwb").exists()


# --------------------------------------------------------------------------
# sleap-io's layout


def test_the_sleap_io_layout_is_read_by_sleap_io_with_each_track_separate(tmp_path):
    labels = make_labels()
    path = tmp_path / "layout.nwb"
    nwb.write_nwb(labels, path, layout="sleap-io")
    with h5py.File(path, "r") as h5:
        assert sorted(h5["processing"]) == ["SLEAP_VIDEO_000_a", "behavior"]
        assert sorted(h5["processing/SLEAP_VIDEO_000_a"]) == ["track=f1", "track=f2"]
        assert "fly" in h5["processing/behavior/Skeletons"]
        assert "camera_0" in h5["general/devices"]
    theirs = sio.load_nwb(str(path))
    assert [lf.frame_idx for lf in theirs.labeled_frames] == [0, 1, 2, 3]
    for lf, original in zip(theirs.labeled_frames, labels.labeled_frames, strict=True):
        assert len(lf.instances) == 2  # one per track container
        got = sorted(rounded(i.numpy()) for i in lf.instances)
        assert got == sorted(rounded(i.numpy()) for i in original.instances)
    # sleap-io 0.9.5's reader drops Track objects (its own files too); posebridge keeps them
    ours = nwb.load_nwb(path)
    assert [t.name for t in ours.tracks] == ["f1", "f2"]
    assert ours.videos[0].filename == "/data/a.mp4"  # original_videos, as sleap-io writes
    for track in ("f1", "f2"):
        np.testing.assert_allclose(points_of(ours, track), points_of(labels, track))


def rounded(points: np.ndarray) -> tuple:
    return tuple(np.round(points, 3).ravel().tolist())  # sleap-io reads NWB as float32


def test_several_videos_get_a_module_each_and_come_back_as_several_videos(tmp_path):
    labels = make_labels(videos=("/data/a.mp4", "/data/b.mp4"))
    path = tmp_path / "two.nwb"
    with pytest.raises(PoseBridgeError, match="layout='sleap-io'"):
        nwb.save_nwb(labels, path, layout="posebridge")
    nwb.save_nwb(labels, path)  # the sleap-io layout, the default here
    with h5py.File(path, "r") as h5:
        assert sorted(h5["processing"]) == [
            "SLEAP_VIDEO_000_a",
            "SLEAP_VIDEO_001_b",
            "behavior",
        ]
    theirs = sio.load_nwb(str(path))
    assert sorted(v.filename for v in theirs.videos) == ["/data/a.mp4", "/data/b.mp4"]
    ours = nwb.load_nwb(path)
    assert [v.filename for v in ours.videos] == ["/data/a.mp4", "/data/b.mp4"]
    assert [t.name for t in ours.tracks] == ["f1", "f2"]
    assert len(ours.labeled_frames) == 8
    for track in ("f1", "f2"):
        np.testing.assert_allclose(points_of(ours, track), points_of(labels, track))


def test_several_videos_read_as_datasets_are_one_dataset_per_video_with_its_path(tmp_path):
    """read_nwb / load_nwb(return_type="dataset") of a file of two videos gave one dataset
    whose videos were camera views (camera_0, camera_1), neither video's path kept; now
    one dataset per video, as posebridge.from_sleap_io gives the Labels' predictions."""
    labels = make_labels(videos=("/data/a.mp4", "/data/b.mp4"))
    path = tmp_path / "two.nwb"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # instance and tracking scores are not written
        nwb.save_nwb(labels, path)
    expected = posebridge.from_sleap_io(labels)  # one dataset per video
    for read in (
        nwb.read_nwb(path, return_type="dataset"),
        nwb.load_nwb(path, return_type="dataset"),
    ):
        assert isinstance(read, list)
        assert len(read) == len(expected) == 2
        for ours, theirs in zip(read, expected, strict=True):
            assert "view" not in ours.dims
            assert ours.attrs["video_path"] == theirs.attrs["video_path"]
            assert ours.individual.values.tolist() == ["f1", "f2"]
            np.testing.assert_allclose(
                ours.position.transpose(*theirs.position.dims).values,
                theirs.position.values,
                rtol=1e-6,
            )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        nwb.save_nwb(make_labels(), tmp_path / "one.nwb")
    one = nwb.read_nwb(tmp_path / "one.nwb", return_type="dataset")  # one video: a dataset
    assert isinstance(one, xr.Dataset)
    assert one.attrs["video_path"] == "/data/a.mp4"


def test_posebridge_save_writes_the_sleap_io_layout_on_request(tmp_path):
    ds = posebridge.from_sleap_io(make_labels())
    posebridge.save(ds, tmp_path / "p.nwb", layout="sleap-io")
    with h5py.File(tmp_path / "p.nwb", "r") as h5:
        assert "SLEAP_VIDEO_000_a" in h5["processing"]
    posebridge.save(ds, tmp_path / "default.nwb", split_individuals=False)
    with h5py.File(tmp_path / "default.nwb", "r") as h5:
        assert list(h5["processing"]) == ["behavior"]  # posebridge's layout stays the default
    with pytest.raises(PoseBridgeError, match="layout"):
        posebridge.save(ds, tmp_path / "x.nwb", layout="dlc")


def test_appending_in_the_sleap_io_layout_adds_the_next_video_module(tmp_path):
    path = tmp_path / "grow.nwb"
    nwb.write_nwb(make_labels(), path, layout="sleap-io")
    nwb.append_nwb(make_labels(videos=("/data/c.mp4",)), path, layout="sleap-io")
    with h5py.File(path, "r") as h5:
        assert "SLEAP_VIDEO_001_c" in h5["processing"]
    assert len(sio.load_nwb(str(path)).videos) == 2


# --------------------------------------------------------------------------
# files sleap-io wrote: scores, untracked instances, many tracks


def labels_with_many_tracks_and_an_untracked_instance(n_tracks: int = 12):
    """2 frames; ``track_0`` .. ``track_<n-1>`` and one untracked instance per frame."""
    skeleton = sio.Skeleton(["a", "b", "c"], edges=[("a", "b")], name="Skeleton-3")
    tracks = [sio.Track(f"track_{i}") for i in range(n_tracks)]
    video = sio.Video(filename="/data/v.mp4", open_backend=False)
    rng = np.random.default_rng(3)
    frames = []
    for frame in range(2):
        instances = [
            sio.PredictedInstance.from_numpy(
                rng.uniform(0, 100, (3, 2)),
                skeleton=skeleton,
                point_scores=rng.uniform(0.1, 1, 3),
                score=0.99,
                track=track,
            )
            for track in [*tracks, None]
        ]
        frames.append(sio.LabeledFrame(video=video, frame_idx=frame, instances=instances))
    return sio.Labels(frames, videos=[video], skeletons=[skeleton], tracks=tracks)


@pytest.fixture
def nwb_written_by_sleap_io(tmp_path):
    labels = labels_with_many_tracks_and_an_untracked_instance()
    path = tmp_path / "sio.nwb"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sio.save_nwb(labels, str(path))
    return labels, path


def test_predicted_instance_scores_are_the_mean_of_point_scores_as_sleap_io_reads(
    nwb_written_by_sleap_io,
):
    # NWB keeps point scores only; sleap-io scores each instance with their mean, and code
    # filtering on instance.score must keep the instances it keeps with sleap-io
    _, path = nwb_written_by_sleap_io
    theirs = sio.load_nwb(str(path))
    ours = nwb.load_nwb(path)
    their_scores = sorted(float(i.score) for lf in theirs.labeled_frames for i in lf.instances)
    our_scores = sorted(float(i.score) for lf in ours.labeled_frames for i in lf.instances)
    np.testing.assert_allclose(our_scores, their_scores, rtol=1e-6)


def test_an_instance_score_is_the_mean_of_the_points_present():
    from posebridge import from_numpy

    scores = np.array([[[0.2], [0.6], [np.nan]], [[np.nan], [np.nan], [np.nan]]])
    ds = from_numpy(np.zeros((2, 2, 3, 1)), scores, keypoint_names=["a", "b", "c"])
    means = nwb.with_point_score_means(ds).instance_score.values.ravel()
    assert means[0] == pytest.approx(0.4) and np.isnan(means[1])


def test_a_missing_points_score_does_not_lower_the_instance_score(tmp_path):
    """SLEAP scores a missing point 0; the mean counted it, halving the instance's score."""
    skeleton = sio.Skeleton(["head", "tail"])
    video = sio.Video(filename="/data/a.mp4", open_backend=False)
    scores = np.array([0.8, 0.0])  # the tail missing, scored 0 as SLEAP does
    instance = sio.PredictedInstance.from_numpy(
        np.array([[1.0, 2.0], [np.nan, np.nan]]),
        point_scores=scores,
        score=0.8,
        skeleton=skeleton,
        track=sio.Track("mouse"),
    )
    labels = sio.Labels([sio.LabeledFrame(video, 0, [instance])], videos=[video])
    path = tmp_path / "s.nwb"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        nwb.save_nwb(labels, path)
    (back,) = nwb.load_nwb(path).labeled_frames[0].instances
    assert back.score == pytest.approx(scores[0])  # the score of the one point present


def test_sleap_io_untracked_instances_come_back_untracked(nwb_written_by_sleap_io):
    _, path = nwb_written_by_sleap_io
    ours = nwb.load_nwb(path)
    assert "untracked" not in [t.name for t in ours.tracks]
    per_frame = [[i.track for i in lf.instances] for lf in ours.labeled_frames]
    assert all(sum(track is None for track in tracks) == 1 for tracks in per_frame)
    ds = posebridge.load(path)
    assert "untracked" not in ds.individual.values and "untracked_0" in ds.individual.values


def test_more_than_nine_sleap_io_tracks_keep_their_numbers_order(nwb_written_by_sleap_io):
    labels, path = nwb_written_by_sleap_io
    expected = [t.name for t in labels.tracks]  # track_0 .. track_11
    assert [t.name for t in nwb.load_nwb(path).tracks] == expected
    assert [str(i) for i in posebridge.load(path).individual.values][:-1] == expected


# --------------------------------------------------------------------------
# what the drop-in writes of what it is given


@pytest.mark.parametrize("layout", ["sleap-io", "posebridge"])
def test_instance_and_tracking_scores_nwb_cannot_hold_are_warned_about(tmp_path, layout):
    labels = make_labels()  # every instance scored 0.9, tracked with a score of 0.5
    path = tmp_path / "s.nwb"
    with pytest.warns(UserWarning, match="instance_score, tracking_score: not written") as seen:
        nwb.save_nwb(labels, path, layout=layout)
    assert any(str(path) in str(w.message) for w in seen)  # the file is named
    back = nwb.load_nwb(path)
    first = back.labeled_frames[0].instances[0]
    # read back: the mean of the point scores, as sleap-io gives it, not the lost 0.9
    np.testing.assert_allclose(first.score, np.mean(first.numpy(scores=True)[:, 2]), rtol=1e-6)


def test_pose_estimation_metadata_overrides_the_video_paths_as_in_sleap_io(tmp_path):
    labels = make_labels(videos=("/old/place/a.mp4",))
    given = {"original_videos": ["/new/place/a.mp4"], "labeled_videos": ["/new/place/a_l.mp4"]}
    path = tmp_path / "s.nwb"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        nwb.write_nwb(labels, path, pose_estimation_metadata=dict(given))
    with h5py.File(path, "r") as h5:
        modules = [m for m in h5["processing"] if m.startswith("SLEAP_VIDEO_")]
        assert len(modules) == 1
        for track in ("track=f1", "track=f2"):
            container = h5["processing"][modules[0]][track]
            for key, value in given.items():
                assert [v.decode() for v in container[key][()]] == value
    assert sio.load_nwb(str(path)).videos[0].filename == "/new/place/a.mp4"


@pytest.mark.parametrize("layout", ["sleap-io", "posebridge"])
@pytest.mark.parametrize(
    "options", [{"nwb_file_kwargs": {"foo": 1}}, {"pose_estimation_metadata": {"foo": 1}}]
)
def test_an_unknown_keyword_for_pynwb_is_a_type_error_as_in_sleap_io(tmp_path, layout, options):
    labels = make_labels()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(TypeError, match="foo") as raised:
            nwb.write_nwb(labels, tmp_path / "s.nwb", layout=layout, **options)
    assert isinstance(raised.value, PoseBridgeError)
    assert not (tmp_path / "s.nwb").exists()


@pytest.mark.parametrize("layout", ["sleap-io", "posebridge"])
def test_an_unknown_keyword_when_appending_is_a_type_error_and_the_file_is_kept(tmp_path, layout):
    path = tmp_path / "s.nwb"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        nwb.save_nwb(make_labels(), path, layout=layout)
        before = path.read_bytes()
        other = make_labels()
        for track in other.tracks:
            track.name = f"{track.name}_b"
        with pytest.raises(TypeError, match="foo") as raised:
            nwb.append_nwb(other, path, pose_estimation_metadata={"foo": 1}, layout=layout)
    assert isinstance(raised.value, PoseBridgeError)
    assert path.read_bytes() == before


def user_labels(video_path: str):
    skeleton = sio.Skeleton(["a", "b"])
    video = sio.Video(filename=video_path, open_backend=False)
    instance = sio.Instance.from_numpy(np.array([[1.0, 2.0], [3.0, 4.0]]), skeleton=skeleton)
    frame = sio.LabeledFrame(video=video, frame_idx=2, instances=[instance])
    return sio.Labels([frame], videos=[video], skeletons=[skeleton])


def test_annotations_write_the_video_path_relative_to_the_nwb_in_both_layouts(
    tmp_path, monkeypatch
):
    """h171 finding 2: both layouts write a video's path relative to the .nwb's folder, as
    NWB asks (nwbinspector), marked so that posebridge reads it back absolute wherever it
    runs; sleap_io.load_nwb (which takes a relative path from the working folder) finds it
    when run from the .nwb's folder."""
    video = tmp_path / "videos" / "session.mp4"
    video.parent.mkdir()
    video.write_bytes(b"\x00")
    (tmp_path / "out").mkdir()
    elsewhere = tmp_path / "elsewhere" / "deeper"
    elsewhere.mkdir(parents=True)
    sleap_io_path, posebridge_path = tmp_path / "out" / "s.nwb", tmp_path / "out" / "p.nwb"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        nwb.save_nwb(user_labels(str(video)), sleap_io_path)  # layout="sleap-io"
        nwb.save_nwb(user_labels(str(video)), posebridge_path, layout="posebridge")
        monkeypatch.chdir(elsewhere)
        ours = [nwb.load_nwb(p, return_type="dataset") for p in (sleap_io_path, posebridge_path)]
        monkeypatch.chdir(tmp_path / "out")
        theirs = sio.load_nwb(str(sleap_io_path))
    assert (tmp_path / "out" / theirs.videos[0].filename).resolve() == video
    stored = []
    for path in (sleap_io_path, posebridge_path):
        with h5py.File(path, "r") as h5:
            series = h5["processing/behavior/PoseTraining/source_videos/video_0"]
            stored.append([f.decode() for f in series["external_file"][()]])
    assert stored == [["../videos/session.mp4"], ["../videos/session.mp4"]]
    assert [d["video"].values.tolist() for d in ours] == [[str(video)], [str(video)]]


def test_labels_read_from_an_nwb_and_saved_over_it_keep_its_relative_video_path(
    tmp_path, monkeypatch
):
    """h171 finding 2: load_nwb gives the video's relative path back absolute; save_nwb
    (layout="sleap-io") writes it relative to the .nwb again, so a file read and written
    in its folder keeps 'cam.mp4' and nwbinspector finds no absolute external file."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "cam.mp4").write_bytes(b"\x00")
    ds = posebridge.from_numpy(np.ones((5, 2, 2, 1)), keypoint_names=["a", "b"], fps=30.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        posebridge.save(ds, "s.nwb", video_path="cam.mp4")
        labels = nwb.load_nwb("s.nwb")
        assert labels.videos[0].filename == str(tmp_path / "cam.mp4")
        nwb.save_nwb(labels, "o.nwb")
        back = nwb.load_nwb(tmp_path / "o.nwb")
    found: list[str] = []
    with h5py.File("o.nwb", "r") as h5:
        h5.visititems(
            lambda name, item: (
                found.append(item.asstr()[0]) if name.endswith("external_file") else None
            )
        )
    assert found == ["cam.mp4"]
    assert back.videos[0].filename == str(tmp_path / "cam.mp4")
    nwbinspector = pytest.importorskip("nwbinspector")
    checks = [m.check_function_name for m in nwbinspector.inspect_nwbfile(nwbfile_path="o.nwb")]
    assert "check_image_series_external_file_relative" not in checks


def _poses(n_space: int, individual: str) -> xr.Dataset:
    rng = np.random.default_rng(n_space)
    return posebridge.from_numpy(
        rng.uniform(0, 50, (5, n_space, 3, 1)),
        rng.uniform(0.5, 1, (5, 3, 1)),
        individual_names=[individual],
        keypoint_names=["k0", "k1", "k2"],
        fps=10,
    )


def test_2d_poses_appended_in_sleap_io_layout_onto_3d_poses_are_refused_naming_the_file(
    tmp_path,
):
    """Before, append_nwb / save_nwb(append=True) in sleap-io's layout (the default) added
    2-D poses to a file of 3-D ones (posebridge's layout): the file then read back with
    z = NaN for them. Now refused as layout='posebridge' refuses it, the file unchanged."""
    path = tmp_path / "three_d.nwb"
    nwb.write_nwb(_poses(3, "a"), path, layout="posebridge")
    before = path.read_bytes()
    for append in (
        lambda: nwb.append_nwb(_poses(2, "b"), path),
        lambda: nwb.save_nwb(_poses(2, "b"), path, append=True),
    ):
        with pytest.raises(PoseBridgeError, match="poses are 3-D") as raised:
            append()
        assert str(path) in str(raised.value) and "2-D (x, y)" in str(raised.value)
        assert path.read_bytes() == before
    back = posebridge.load(path)
    assert back.individual.values.tolist() == ["a"] and back.sizes["space"] == 3


def test_2d_poses_added_in_sleap_io_layout_to_an_in_memory_nwbfile_of_3d_poses_are_refused():
    import pynwb

    nwbfile = pynwb.NWBFile(
        session_description="s", identifier="i", session_start_time=dt.datetime.now(dt.UTC)
    )
    nwb.append_nwb_data(_poses(3, "a"), nwbfile, layout="posebridge")
    modules = {name: list(m.data_interfaces) for name, m in nwbfile.processing.items()}
    with pytest.raises(PoseBridgeError, match="in-memory NWBFile: the file's poses are 3-D"):
        nwb.append_nwb_data(_poses(2, "b"), nwbfile)
    assert {name: list(m.data_interfaces) for name, m in nwbfile.processing.items()} == modules


def _other_keypoints(individual: str, keypoints: list[str]) -> xr.Dataset:
    return _poses(2, individual).isel(keypoint=[0, 1]).assign_coords(keypoint=keypoints)


def test_other_keypoints_appended_in_sleap_io_layout_onto_posebridges_are_refused(tmp_path):
    """Before, append_nwb / save_nwb(append=True) in sleap-io's layout (the default) added
    poses of other keypoints to a file of posebridge's layout: the file then read back with
    the union of both sets, each animal NaN at the other's. Now refused as
    layout='posebridge' refuses it, naming the file and the difference, the file unchanged."""
    path = tmp_path / "ours.nwb"
    nwb.write_nwb(_other_keypoints("a", ["x1", "x2"]), path, layout="posebridge")
    before = path.read_bytes()
    for append in (
        lambda: nwb.append_nwb(_other_keypoints("b", ["y1", "x2"]), path),
        lambda: nwb.save_nwb(_other_keypoints("b", ["y1", "x2"]), path, append=True),
        lambda: posebridge.save(
            _other_keypoints("b", ["y1", "x2"]), path, append=True, layout="sleap-io"
        ),
    ):
        with pytest.raises(SchemaError) as raised:
            append()
        message = str(raised.value)
        assert message.startswith(f"{path}: the file's poses have the keypoints x1, x2")
        assert "the dataset's y1 are not in the file" in message
        assert path.read_bytes() == before
    nwb.append_nwb(_other_keypoints("b", ["x2", "x1"]), path)  # the file's, reordered
    back = posebridge.load(path)
    assert back.keypoint.values.tolist() == ["x1", "x2"]
    assert back.individual.values.tolist() == ["a", "b"]


def test_other_keypoints_added_in_sleap_io_layout_to_an_in_memory_nwbfile_are_refused():
    import pynwb

    nwbfile = pynwb.NWBFile(
        session_description="s", identifier="i", session_start_time=dt.datetime.now(dt.UTC)
    )
    nwb.append_nwb_data(_other_keypoints("a", ["x1", "x2"]), nwbfile, layout="posebridge")
    modules = {name: list(m.data_interfaces) for name, m in nwbfile.processing.items()}
    with pytest.raises(SchemaError, match="in-memory NWBFile: the file's poses have the keyp"):
        nwb.append_nwb_data(_other_keypoints("b", ["x1", "x3"]), nwbfile)
    assert {name: list(m.data_interfaces) for name, m in nwbfile.processing.items()} == modules


def _manufacturer_warnings(caught) -> list[str]:
    return [
        str(w.message)
        for w in caught
        if issubclass(w.category, DeprecationWarning) and "'manufacturer'" in str(w.message)
    ]


def test_appends_in_sleap_io_layout_show_no_deprecated_manufacturer_warning(tmp_path):
    """pynwb deprecates a Device's ``manufacturer``: before, the sleap-io layout wrote its
    camera with ``manufacturer="Unknown"``, and every append onto such a file (or a file
    sleap-io wrote, which has it too) showed pynwb's DeprecationWarning when reading it."""
    import pynwb

    ours = tmp_path / "ours.nwb"
    nwb.write_nwb(_poses(2, "a"), ours)  # sleap-io's layout
    theirs = tmp_path / "theirs.nwb"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sio.save_nwb(make_labels(), str(theirs))
    for path in (ours, theirs):
        for k, append in enumerate(
            (
                lambda path, poses: nwb.append_nwb(poses, path),
                lambda path, poses: nwb.append_nwb(poses, path, layout="posebridge"),
            )
        ):
            poses = _poses(2, f"b{k}")
            if path == theirs:  # sleap-io's skeleton and frame numbers
                poses = posebridge.from_numpy(
                    poses.position.values,
                    individual_names=[f"b{k}"],
                    keypoint_names=["head", "thorax", "tail"],
                )
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                append(path, poses)
            assert _manufacturer_warnings(caught) == []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        nwb.write_nwb(_poses(2, "a"), tmp_path / "new.nwb")
        with pynwb.NWBHDF5IO(str(tmp_path / "new.nwb"), "r") as io:  # as a user opens it
            assert list(io.read().devices) == ["camera_0"]
    assert _manufacturer_warnings(caught) == []


def test_load_nwb_of_3d_poses_as_labels_names_the_file(tmp_path):
    """Before, the SchemaError named '<sleap_io.Labels>', not the file read."""
    path = tmp_path / "three_d.nwb"
    nwb.write_nwb(_poses(3, "a"), path, layout="posebridge")
    for read in (nwb.load_nwb, nwb.read_nwb):
        with pytest.raises(SchemaError, match="hold 2-D poses") as raised:
            read(path, return_type="labels")
        message = str(raised.value)
        assert message.startswith(f"{path}: ") and "<sleap_io.Labels>" not in message
        assert "return_type='dataset'" in message
    assert nwb.load_nwb(path, return_type="dataset").sizes["space"] == 3


def test_a_sleap_io_file_timed_one_second_per_frame_warns_only_that_times_are_frames(tmp_path):
    """sleap-io writes 1 s per frame: reading takes them as frame numbers, with that one
    warning, and does not also say the times are lost (nothing is: frame_idx is the file's)."""
    labels = make_labels()
    labels.labeled_frames[1].instances = labels.labeled_frames[1].instances[:1]
    path = tmp_path / "theirs.nwb"  # track f2's gap: sleap-io writes its times, 1 s per frame
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sio.save_nwb(labels, str(path), nwb_format="predictions")
    for read in (nwb.load_nwb, nwb.read_nwb):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            ours = read(path)
        said = [str(w.message) for w in caught if issubclass(w.category, UserWarning)]
        assert len(said) == 1 and "taken as frame numbers" in said[0]
        assert [lf.frame_idx for lf in ours] == [lf.frame_idx for lf in labels]


def test_labels_read_from_nwb_have_the_provenance_sleap_io_gives(tmp_path):
    """sleap-io's readers give the path read under 'filename' for predictions and nothing for
    annotations; posebridge's internal keys must not reach a .slp saved from them."""
    predictions = make_labels()
    skeleton = predictions.skeletons[0]
    video = predictions.videos[0]
    user = sio.Labels(
        [sio.LabeledFrame(video, 0, [sio.Instance.from_numpy(np.ones((3, 2)), skeleton)])],
        videos=[video],
        skeletons=[skeleton],
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        nwb.save_nwb(predictions, tmp_path / "predictions.nwb")
        nwb.save_nwb(user, tmp_path / "annotations.nwb")
        for name in ("predictions.nwb", "annotations.nwb"):
            path = tmp_path / name
            assert nwb.load_nwb(str(path)).provenance == sio.load_nwb(str(path)).provenance
        given = str(tmp_path / "predictions.nwb")
        assert nwb.read_nwb(given).provenance == {"filename": given}
        sio.save_slp(nwb.load_nwb(given), str(tmp_path / "again.slp"))
    saved = sio.load_slp(str(tmp_path / "again.slp")).provenance
    assert set(saved) == {"filename"}


# --------------------------------------------------------------------------
# h140: errors and warnings of the drop-in as sleap-io code meets them


@pytest.mark.parametrize("call", ["append_nwb", "save_nwb"])
def test_appending_to_a_file_that_is_not_hdf5_is_an_oserror_as_in_sleap_io(tmp_path, call):
    from posebridge.errors import NotHDF5Error

    path = tmp_path / "bad.nwb"
    path.write_bytes(b"not hdf5")
    with pytest.raises(NotHDF5Error, match="bad.nwb") as raised:
        if call == "append_nwb":
            nwb.append_nwb(make_labels(), path)
        else:
            nwb.save_nwb(make_labels(), path, append=True)
    assert isinstance(raised.value, OSError)  # what sleap-io (h5py) raises there
    assert path.read_bytes() == b"not hdf5"


def test_what_nwb_cannot_hold_is_warned_about_once_per_save_not_per_video(tmp_path):
    labels = make_labels(videos=("/data/a.mp4", "/data/b.mp4", "/data/c.mp4"))
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        nwb.save_nwb(labels, tmp_path / "s.nwb")  # sleap-io's layout: a module per video
    texts = [str(w.message) for w in seen]
    assert sum("has no place for instance_score" in t for t in texts) == 1, texts


@pytest.mark.parametrize("name", ["a\x00z", "a\x00"])
def test_a_node_name_holding_nul_is_refused_naming_the_file_in_sleap_io_terms(tmp_path, name):
    skeleton = sio.Skeleton([name, "b"], name="s")
    video = sio.Video(filename="/data/a.mp4", open_backend=False)
    instance = sio.Instance.from_numpy(np.array([[1.0, 2], [3, 4]]), skeleton=skeleton)
    labels = sio.Labels(
        [sio.LabeledFrame(video=video, frame_idx=0, instances=[instance])],
        videos=[video],
        skeletons=[skeleton],
    )
    path = tmp_path / "nul.nwb"
    with pytest.raises(SchemaError, match="rename_nodes") as raised:
        nwb.save_nwb(labels, path)
    assert str(raised.value).startswith(f"{path}: ")
    assert "assign_coords" not in str(raised.value)
    assert not path.exists()


def test_a_file_with_no_pose_sample_says_so_not_pass_fps(tmp_path):
    path = corpus_path("nwb/0.1.1_poseestimation_no_cameras.nwb")
    for options in ({}, {"fps": 30}):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with pytest.raises(PoseBridgeError) as raised:
                nwb.load_nwb(path, **options)
        assert "no keypoints" in str(raised.value)
        assert "fps=" not in str(raised.value)


@pytest.mark.parametrize("return_type", ["auto", "dataset"])
def test_read_nwb_of_labelled_frames_only_points_to_load_nwb(return_type):
    path = corpus_path("nwb/minimal.annotations.nwb")
    with pytest.raises(KeyError, match=r"load_nwb\(path\)") as raised:
        nwb.read_nwb(path, return_type=return_type)
    assert "content=" not in str(raised.value)
    assert str(raised.value).startswith(str(path))


def _labels_with_skeleton_name(name: str, *, predicted: bool) -> object:
    skeleton = sio.Skeleton(["a", "b"], name=name)
    video = sio.Video(filename="/data/a.mp4", open_backend=False)
    points = np.array([[1.0, 2], [3, 4]])
    instance = (
        sio.PredictedInstance.from_numpy(points, skeleton=skeleton, point_scores=np.ones(2))
        if predicted
        else sio.Instance.from_numpy(points, skeleton=skeleton)
    )
    return sio.Labels(
        [sio.LabeledFrame(video=video, frame_idx=0, instances=[instance])],
        videos=[video],
        skeletons=[skeleton],
    )


@pytest.mark.parametrize("layout", ["sleap-io", "posebridge"])
@pytest.mark.parametrize("predicted", [True, False])
def test_a_skeleton_name_holding_nul_is_refused_in_sleap_io_terms_not_cut(
    tmp_path, layout, predicted
):
    """h147 item 2: NWB cut 's\\x00k' to 's' silently (sleap-io's layout); posebridge's
    layout told a Labels user to edit a dataset's .attrs."""
    labels = _labels_with_skeleton_name("s\x00k", predicted=predicted)
    path = tmp_path / "nul.nwb"
    with pytest.raises(SchemaError, match=r"skeleton\.name = ") as raised:
        nwb.save_nwb(labels, path, layout=layout)
    said = str(raised.value)
    assert said.startswith(f"{path}: ") and "'s\\x00k'" in said
    assert ".attrs" not in said
    assert not path.exists()


@pytest.mark.parametrize("read", [nwb.read_nwb, nwb.load_nwb])
def test_return_type_labels_without_sleap_io_is_a_posebridge_error_naming_the_extra(
    tmp_path, monkeypatch, read
):
    """h159: without sleap-io, return_type='labels' raised a plain ImportError (the other
    extras raise a PoseBridgeError); it is refused before the file is read."""
    path = tmp_path / "p.nwb"
    posebridge.save(posebridge.from_numpy(np.ones((3, 2, 2, 1)), fps=10), path)
    monkeypatch.setitem(sys.modules, "sleap_io", None)  # import sleap_io now fails
    with pytest.raises(PoseBridgeError, match=r"return_type='labels' needs sleap-io") as caught:
        read(path, return_type="labels")
    assert "pip install 'posebridge[sleap]'" in str(caught.value)
    assert not isinstance(caught.value, ImportError)


def test_labels_saved_under_a_relative_name_read_back_with_one_video(tmp_path, monkeypatch):
    """h168 item 1: user and predicted instances of one video saved to ``out.nwb`` (named
    from the working folder) come back as one Video on its absolute path, as from the
    file's absolute name; the predictions' dataset names that path too."""
    video_path = tmp_path / "cam.mp4"
    video_path.write_bytes(b"\x00")
    video = sio.Video(filename=str(video_path), open_backend=False)
    skeleton, track = sio.Skeleton(["a", "b"]), sio.Track("m1")
    points = np.array([[1.0, 2.0], [3.0, 4.0]])
    user = sio.Instance.from_numpy(points, skeleton, track=track)
    predicted = sio.PredictedInstance.from_numpy(
        points, skeleton, point_scores=[0.9, 0.8], score=0.9, track=track
    )
    labels = sio.Labels(
        [
            sio.LabeledFrame(video=video, frame_idx=0, instances=[user]),
            sio.LabeledFrame(video=video, frame_idx=1, instances=[predicted]),
        ],
        videos=[video],
        skeletons=[skeleton],
        tracks=[track],
    )
    monkeypatch.chdir(tmp_path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        nwb.save_nwb(labels, "out.nwb")
        for name in ("out.nwb", tmp_path / "out.nwb"):
            back = nwb.load_nwb(name)
            assert [v.filename for v in back.videos] == [str(video_path)]
            assert [
                (lf.frame_idx, [type(i).__name__ for i in lf.instances])
                for lf in back.find(back.videos[0])
            ] == [(0, ["Instance"]), (1, ["PredictedInstance"])]
            predictions = nwb.read_nwb(name, return_type="dataset")
            assert predictions.attrs["video_path"] == str(video_path)
