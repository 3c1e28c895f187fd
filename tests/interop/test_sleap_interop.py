"""SLEAP files between posebridge, sleap-io and movement: what one writes, the others read."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

import posebridge
from posebridge import model
from posebridge.errors import FormatError
from posebridge.formats import sleap
from posebridge.io import load_poses, save_poses

pytestmark = pytest.mark.interop
sio = pytest.importorskip("sleap_io")

NODES = ["nose", "ear_l", "ear_r", "tail"]


@pytest.fixture
def tracked_poses() -> xr.Dataset:
    """7 frames (with a gap), 2 tracks with scores, one user-labelled-like individual."""
    rng = np.random.default_rng(11)
    position = rng.uniform(0, 500, (7, 2, 4, 3))
    confidence = rng.uniform(0, 1, (7, 4, 3))
    confidence[:, :, 2] = np.nan  # no scores: written as user instances
    position[2, :, 1, 0] = np.nan
    confidence[2, 1, 0] = np.nan
    position[5, :, :, 1] = np.nan  # track "b" absent in frame 21
    confidence[5, :, 1] = np.nan
    ds = model.from_numpy(position, confidence, ["a", "b", "c"], NODES, source_software="SLEAP")
    ds = ds.assign_coords(time=[0, 1, 2, 3, 20, 21, 22])
    for name in ("instance_score", "tracking_score"):
        values = rng.uniform(0, 1, (7, 3)).astype(np.float32)
        values[:, 2] = np.nan
        values[5, 1] = np.nan
        ds[name] = (("time", "individual"), values)
    ds["skeleton_edges"] = (("edge", "edge_node"), np.array([["nose", "ear_l"], ["nose", "tail"]]))
    ds["skeleton_symmetries"] = (("symmetry", "edge_node"), np.array([["ear_l", "ear_r"]]))
    ds.attrs.update(video_path="/data/session.mp4", video_width=1280, video_height=1024)
    return ds


def symmetry_set(ds: xr.Dataset) -> set[frozenset[str]]:
    """Symmetries as unordered pairs (sleap-io keeps a pair as a set, so order is arbitrary)."""
    return {frozenset(pair) for pair in ds.skeleton_symmetries.values.tolist()}


def sleap_io_arrays(labels, video=0, **options) -> np.ndarray:
    """sleap-io's (frame, track, node, xy+score) array."""
    return labels.numpy(video=video, return_confidence=True, **options)


# --------------------------------------------------------------------------
# .slp written by posebridge, read by sleap-io


def test_sleap_io_reads_our_slp_with_the_same_points_tracks_scores_and_skeleton(
    tmp_path, tracked_poses
):
    path = tmp_path / "ours.slp"
    save_poses.to_slp_file(tracked_poses, path)
    labels = sio.load_slp(str(path), open_videos=False)
    assert [t.name for t in labels.tracks] == ["a", "b", "c"]
    skeleton = labels.skeletons[0]
    assert [n.name for n in skeleton.nodes] == NODES
    assert [(e.source.name, e.destination.name) for e in skeleton.edges] == [
        ("nose", "ear_l"),
        ("nose", "tail"),
    ]
    assert [{n.name for n in s.nodes} for s in skeleton.symmetries] == [{"ear_l", "ear_r"}]
    assert labels.videos[0].filename == "/data/session.mp4"
    assert tuple(labels.videos[0].shape[1:3]) == (1024, 1280)
    assert sorted(lf.frame_idx for lf in labels.labeled_frames) == [0, 1, 2, 3, 20, 21, 22]

    time_index = {int(t): i for i, t in enumerate(tracked_poses.time.values)}
    count = 0
    for lf in labels.labeled_frames:
        t = time_index[lf.frame_idx]
        for inst in lf.instances:
            i = ["a", "b", "c"].index(inst.track.name)
            expected = tracked_poses.isel(time=t, individual=i)
            np.testing.assert_array_equal(
                inst.numpy(), expected.position.transpose("keypoint", "space").values
            )
            if inst.track.name == "c":
                assert type(inst) is sio.Instance  # no scores -> a user instance
            else:
                assert type(inst) is sio.PredictedInstance
                np.testing.assert_allclose(
                    inst.numpy(scores=True)[:, 2], expected.confidence.values, rtol=1e-12
                )
                assert inst.score == pytest.approx(expected.instance_score.item())
                assert inst.tracking_score == pytest.approx(expected.tracking_score.item())
            count += 1
    assert count == 7 * 3 - 1


def test_sleap_io_resave_of_our_file_reads_back_the_same(tmp_path, tracked_poses):
    ours = tmp_path / "ours.slp"
    sleap.slp_write.write(tracked_poses, ours)
    resaved = tmp_path / "resaved.slp"
    sio.save_slp(sio.load_slp(str(ours), open_videos=False), str(resaved))
    back, first = sleap.slp_read.read(resaved), sleap.slp_read.read(ours)
    assert symmetry_set(back) == symmetry_set(first)
    xr.testing.assert_identical(
        back.drop_vars("skeleton_symmetries"), first.drop_vars("skeleton_symmetries")
    )


@pytest.mark.parametrize("format_id", [1.2, 1.3, 1.4])
def test_every_written_format_id_opens_in_sleap_io(tmp_path, tracked_poses, format_id):
    path = tmp_path / f"v{format_id}.slp"
    sleap.slp_write.write(tracked_poses, path, format_id=format_id)
    labels = sio.load_slp(str(path), open_videos=False)
    arrays = sleap_io_arrays(labels)
    ours = sleap.slp_read.read(path)
    np.testing.assert_allclose(  # sleap-io's numpy() is float32
        arrays[list(ours.time.values), :, :, :2],
        ours.position.transpose("time", "individual", "keypoint", "space").values,
        rtol=1e-6,
    )


# --------------------------------------------------------------------------
# .slp written by sleap-io, read by posebridge


@pytest.fixture
def sleap_io_labels(tmp_path) -> tuple[Path, object]:
    """Two videos; user and predicted instances on one track; an untracked prediction."""
    skeleton = sio.Skeleton(["head", "thorax", "tail"], edges=[("head", "thorax")])
    skeleton.add_symmetry("head", "tail")
    tracks = [sio.Track("female"), sio.Track("male")]
    videos = [sio.Video("left.mp4"), sio.Video("right.mp4")]
    rng = np.random.default_rng(4)
    frames = []
    for video_index, video in enumerate(videos):
        for frame_idx in (0, 3, 9):
            instances = []
            for track in tracks:
                predicted = sio.PredictedInstance.from_numpy(
                    rng.uniform(0, 100, (3, 2)),
                    skeleton=skeleton,
                    point_scores=rng.uniform(0, 1, 3),
                    score=float(rng.uniform()),
                    track=track,
                    tracking_score=float(rng.uniform()),
                )
                instances.append(predicted)
            if frame_idx == 3 and video_index == 0:
                corrected = sio.Instance.from_numpy(
                    rng.uniform(0, 100, (3, 2)), skeleton=skeleton, track=tracks[0]
                )
                corrected.from_predicted = instances[0]
                instances.append(corrected)
            frames.append(sio.LabeledFrame(video=video, frame_idx=frame_idx, instances=instances))
    labels = sio.Labels(frames, videos=videos, skeletons=[skeleton], tracks=tracks)
    path = tmp_path / "sleap_io.slp"
    sio.save_slp(labels, str(path))
    return path, sio.load_slp(str(path), open_videos=False)


def test_multi_video_sleap_io_file_needs_a_video_choice(sleap_io_labels):
    path, _ = sleap_io_labels
    with pytest.raises(FormatError, match=r"left\.mp4.*right\.mp4"):
        posebridge.load(path)
    assert [ds.attrs["video_path"] for ds in sleap.read_all_videos(path)] == [
        "left.mp4",
        "right.mp4",
    ]


@pytest.mark.parametrize("video", [0, 1])
@pytest.mark.parametrize("instances", ["prefer_user", "predicted"])
def test_our_reading_of_a_sleap_io_file_agrees_with_labels_numpy(
    sleap_io_labels, video, instances
):
    path, labels = sleap_io_labels
    ds = load_poses.from_sleap_file(path, video=video, instances=instances)
    theirs = sleap_io_arrays(labels, video=video, user_instances=instances == "prefer_user")
    ours = ds.position.transpose("time", "individual", "keypoint", "space").values
    np.testing.assert_allclose(ours, theirs[ds.time.values, :, :, :2], rtol=1e-6)
    user_points = np.isnan(ds.confidence.values.transpose(0, 2, 1))
    scores = theirs[ds.time.values, :, :, 2]
    # sleap-io gives user points a confidence of 1; we give them none (NaN)
    np.testing.assert_allclose(
        ds.confidence.values.transpose(0, 2, 1)[~user_points], scores[~user_points], rtol=1e-6
    )
    assert np.all(scores[user_points & ~np.isnan(ours[..., 0])] == 1.0)
    assert symmetry_set(ds) == {frozenset({"head", "tail"})}


# --------------------------------------------------------------------------
# analysis .h5


def test_sleap_io_and_movement_read_our_analysis_file(tmp_path, tracked_poses):
    movement_load = pytest.importorskip("movement.io.load_poses")
    path = tmp_path / "ours.analysis.h5"
    save_poses.to_sleap_analysis_file(tracked_poses, path)
    ours = sleap.analysis_read.read(path)

    labels = sio.load_analysis_h5(str(path))
    theirs = labels.numpy(return_confidence=True)
    frames = tracked_poses.time.values
    np.testing.assert_allclose(
        theirs[frames, :, :, :2],
        tracked_poses.position.transpose("time", "individual", "keypoint", "space").values,
    )
    assert [t.name for t in labels.tracks] == ["a", "b", "c"]
    assert {(e.source.name, e.destination.name) for e in labels.skeletons[0].edges} == {
        ("nose", "ear_l"),
        ("nose", "tail"),
    }

    moved = movement_load.from_sleap_file(path)
    np.testing.assert_allclose(
        moved.position.values, ours.position.values.astype(np.float32), rtol=1e-6
    )
    np.testing.assert_allclose(
        moved.confidence.values, ours.confidence.values.astype(np.float32), rtol=1e-6
    )
    assert moved.individual.values.tolist() == ours.individual.values.tolist()


def test_movements_analysis_file_reads_the_same_in_posebridge(tmp_path, tracked_poses):
    movement_load = pytest.importorskip("movement.io.load_poses")
    movement_save = pytest.importorskip("movement.io.save_poses")
    contiguous = tracked_poses.isel(time=slice(0, 4))
    path = tmp_path / "movement.h5"
    movement_save.to_sleap_analysis_file(contiguous, path)
    theirs = movement_load.from_sleap_file(path)
    ours = load_poses.from_sleap_file(path)
    assert ours.individual.values.tolist() == theirs.individual.values.tolist()
    assert ours.keypoint.values.tolist() == theirs.keypoint.values.tolist()
    np.testing.assert_allclose(ours.position.values, theirs.position.values, rtol=1e-6)
    np.testing.assert_allclose(ours.confidence.values, theirs.confidence.values, rtol=1e-6)
    np.testing.assert_array_equal(ours.time.values, theirs.time.values)


def test_movements_file_of_poses_with_gaps_is_read_with_a_warning(tmp_path, tracked_poses):
    movement_save = pytest.importorskip("movement.io.save_poses")
    path = tmp_path / "gaps.h5"
    movement_save.to_sleap_analysis_file(tracked_poses, path)  # frames 0-3 and 20-22
    with pytest.warns(UserWarning, match="instance_scores"):
        ours = load_poses.from_sleap_file(path)
    # movement stores the 7 time steps as 7 consecutive columns: the gap is lost in the file
    np.testing.assert_allclose(ours.position.values, tracked_poses.position.values, rtol=1e-6)
    assert ours.time.values.tolist() == list(range(7))


def test_movement_reads_our_slp_like_its_own_analysis(tmp_path, tracked_poses):
    movement_load = pytest.importorskip("movement.io.load_poses")
    path = tmp_path / "ours.slp"
    contiguous = tracked_poses.isel(time=slice(0, 4))
    sleap.slp_write.write(contiguous, path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = movement_load.from_sleap_file(path)
    np.testing.assert_allclose(
        theirs.position.values, contiguous.position.values.astype(np.float32), rtol=1e-6
    )


@pytest.mark.parametrize("preset", ["matlab", "standard"])
def test_sleap_io_analysis_exports_read_as_labels_numpy(tmp_path, sleap_io_labels, preset):
    _, labels = sleap_io_labels
    path = tmp_path / f"{preset}.analysis.h5"
    sio.save_analysis_h5(labels, str(path), video=1, preset=preset)
    ours = sleap.analysis_read.read(path)
    theirs = sleap_io_arrays(labels, video=1, user_instances=True)
    np.testing.assert_allclose(
        ours.position.transpose("time", "individual", "keypoint", "space").values,
        theirs[..., :2],
    )
    assert ours.attrs["video_path"] == "right.mp4"
    assert symmetry_set(ours) == {frozenset({"head", "tail"})}
