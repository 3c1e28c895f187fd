"""SLEAP files hold one score per point, the confidence: other per-keypoint variables
(Anipose's reprojection_error and camera_count) are not written, and the writers say so.
Before, the SLEAP analysis and .slp writers dropped them without a word."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import posebridge
from posebridge.model import labels


def poses_with_anipose_variables() -> object:
    ds = posebridge.from_numpy(np.random.default_rng(3).uniform(0, 9, size=(4, 2, 2, 1)))
    ds["reprojection_error"] = ds["confidence"] * 2
    ds["camera_count"] = ds["confidence"] * 0 + 2
    return ds


def dropped_warnings(ds, path, format) -> list[str]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        posebridge.save(ds, path, format=format)
    return [str(w.message) for w in caught if "have no place for" in str(w.message)]


@pytest.mark.parametrize(
    ("format", "name", "title"),
    [("sleap", "a.analysis.h5", "SLEAP analysis"), ("slp", "a.slp", "SLEAP .slp")],
)
def test_per_keypoint_variables_not_written_are_named(tmp_path, format, name, title):
    path = tmp_path / name
    (warning,) = dropped_warnings(poses_with_anipose_variables(), path, format)
    assert warning.startswith(
        f"{path}: {title} files have no place for reprojection_error, camera_count"
    )
    assert "reprojection_error" not in posebridge.load(path).data_vars


@pytest.mark.parametrize(("format", "name"), [("sleap", "a.analysis.h5"), ("slp", "a.slp")])
def test_confidence_alone_gives_no_such_warning(tmp_path, format, name):
    """Guard: what the files hold is not warned about."""
    ds = poses_with_anipose_variables().drop_vars(["reprojection_error", "camera_count"])
    assert dropped_warnings(ds, tmp_path / name, format) == []


def test_labels_visibility_written_to_slp_gives_no_such_warning(tmp_path):
    """Guard: .slp holds each labelled point's visibility."""
    position = np.arange(1.0, 9.0).reshape(2, 2, 2, 1)
    ds = labels.from_numpy(position, image_path=["a.png", "b.png"], visible=np.ones((2, 2, 1)))
    assert dropped_warnings(ds, tmp_path / "l.slp", "slp") == []


def test_linked_prediction_scores_written_to_slp_give_no_such_warning(tmp_path):
    """A user instance's prediction keeps its point scores in .slp: they are written (and
    read back), so predicted_confidence is not named as dropped. Before, it was."""
    sio = pytest.importorskip("sleap_io")
    skeleton = sio.Skeleton(["a", "b"])
    video = sio.Video(filename="/x/v.mp4", open_backend=False)
    point_scores = np.array([0.9, 0.8])
    prediction = sio.PredictedInstance.from_numpy(
        points_data=np.array([[1.0, 2.0], [3.0, 4.0]]),
        point_scores=point_scores,
        score=0.7,
        skeleton=skeleton,
    )
    user = sio.Instance.from_numpy(np.array([[5.0, 6.0], [7.0, 8.0]]), skeleton=skeleton)
    user.from_predicted = prediction
    frame = sio.LabeledFrame(video=video, frame_idx=3, instances=[prediction, user])
    source = tmp_path / "linked.slp"
    sio.save_slp(sio.Labels(labeled_frames=[frame], videos=[video], skeletons=[skeleton]), source)
    ds = posebridge.load(source, instances="user")
    assert "predicted_confidence" in ds
    out = tmp_path / "out.slp"
    assert dropped_warnings(ds, out, "slp") == []
    (written,) = sio.load_slp(str(out), open_videos=False).labeled_frames
    (user_back,) = written.user_instances
    np.testing.assert_allclose(user_back.from_predicted.numpy(scores=True)[:, 2], point_scores)
