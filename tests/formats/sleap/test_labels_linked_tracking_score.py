"""Labels keep the tracking score of the prediction each user instance was made from."""

from __future__ import annotations

import numpy as np
import pytest

import posebridge
from posebridge.errors import SchemaError

sio = pytest.importorskip("sleap_io")

TRACKING_SCORE = 0.55


@pytest.fixture
def linked(tmp_path):
    """Frame 3: a prediction on track A (tracking score 0.55) and a user instance made from it;
    frame 5: a user instance without a source prediction."""
    skeleton = sio.Skeleton(["a", "b"])
    video = sio.Video(filename="/x/v.mp4", open_backend=False)
    track = sio.Track("A")
    prediction = sio.PredictedInstance.from_numpy(
        points_data=np.array([[1.0, 2.0], [3.0, 4.0]]),
        point_scores=np.array([0.9, 0.8]),
        score=0.7,
        skeleton=skeleton,
        track=track,
        tracking_score=TRACKING_SCORE,
    )
    user = sio.Instance.from_numpy(
        np.array([[5.0, 6.0], [7.0, 8.0]]), skeleton=skeleton, track=track
    )
    user.from_predicted = prediction
    other = sio.Instance.from_numpy(
        np.array([[1.0, 1.0], [2.0, 2.0]]), skeleton=skeleton, track=track
    )
    frames = [
        sio.LabeledFrame(video=video, frame_idx=3, instances=[prediction, user]),
        sio.LabeledFrame(video=video, frame_idx=5, instances=[other]),
    ]
    path = tmp_path / "linked.slp"
    sio.save_slp(
        sio.Labels(labeled_frames=frames, videos=[video], skeletons=[skeleton], tracks=[track]),
        str(path),
    )
    return path


def test_the_linked_predictions_tracking_score_is_read(linked):
    ds = posebridge.load(linked, instances="user")
    scores = ds["predicted_tracking_score"].sel(individual="A")
    assert scores.dims == ("time",)
    at = {int(f): float(s) for f, s in zip(ds["frame"].values, scores.values, strict=True)}
    assert at[3] == pytest.approx(TRACKING_SCORE) and np.isnan(at[5])


def test_the_linked_predictions_tracking_score_is_written_back(linked, tmp_path):
    out = tmp_path / "out.slp"
    posebridge.save(posebridge.load(linked, instances="user"), out)
    (frame,) = [f for f in sio.load_slp(str(out)).labeled_frames if f.frame_idx == 3]
    source = frame.user_instances[0].from_predicted
    assert source is not None and source.tracking_score == pytest.approx(TRACKING_SCORE)


def test_a_tracking_score_without_its_predictions_is_refused(linked, tmp_path):
    ds = posebridge.load(linked, instances="user")
    ds = ds.drop_vars(["predicted_position", "predicted_confidence", "predicted_score"])
    with pytest.raises(SchemaError, match="predicted_tracking_score"):
        posebridge.save(ds, tmp_path / "out.slp")
