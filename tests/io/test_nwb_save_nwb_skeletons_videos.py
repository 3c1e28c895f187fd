"""posebridge.io.nwb.save_nwb of Labels whose skeletons or videos differ between user and
predicted instances: what is written, and refusals that name the file and the way out."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import posebridge
from posebridge.errors import PoseBridgeError
from posebridge.io import nwb

sio = pytest.importorskip("sleap_io")
pytest.importorskip("pynwb")


def quiet(call, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return call(*args, **kwargs)


def user_frames(video, skeleton, frames=2):
    return [
        sio.LabeledFrame(
            video=video,
            frame_idx=f,
            instances=[sio.Instance.from_numpy(np.array([[1.0, 2.0], [3.0, 4.0]]) + f, skeleton)],
        )
        for f in range(frames)
    ]


def predicted_frames(video, skeleton, track, frames=3):
    return [
        sio.LabeledFrame(
            video=video,
            frame_idx=f,
            instances=[
                sio.PredictedInstance.from_numpy(
                    np.array([[10.0, 20.0], [30.0, 40.0]]) + f,
                    skeleton=skeleton,
                    point_scores=np.array([0.5, 0.75]),
                    score=0.9,
                    track=track,
                )
            ],
        )
        for f in range(frames)
    ]


def user_and_predicted_of_two_videos():
    """User instances of one video, predictions (one track) of another, one skeleton."""
    skeleton = sio.Skeleton(["a", "b"], name="sk")
    labelled = sio.Video(filename="/data/v0.mp4", open_backend=False)
    predicted = sio.Video(filename="/data/other.mp4", open_backend=False)
    track = sio.Track(name="m1")
    frames = user_frames(labelled, skeleton) + predicted_frames(predicted, skeleton, track)
    return sio.Labels(frames, videos=[labelled, predicted], skeletons=[skeleton], tracks=[track])


def predicted_points(labels):
    """(video file, frame, points) of every predicted instance, sorted."""
    found = [
        (str(lf.video.filename), int(lf.frame_idx), instance.numpy().tolist())
        for lf in labels.labeled_frames
        for instance in lf.predicted_instances
    ]
    return sorted(found)


def test_labels_read_from_a_file_of_two_skeletons_are_saved_back_in_one_call(tmp_path):
    user_skeleton = sio.Skeleton(["a", "b"], name="sk_user")
    predicted_skeleton = sio.Skeleton(["head", "tail"], name="sk_pred")
    labelled = sio.Video(filename="/data/v0.mp4", open_backend=False)
    other = sio.Video(filename="/data/other.mp4", open_backend=False)
    track = sio.Track(name="m1")
    annotations = sio.Labels(
        user_frames(labelled, user_skeleton), videos=[labelled], skeletons=[user_skeleton]
    )
    predictions = sio.Labels(
        predicted_frames(other, predicted_skeleton, track),
        videos=[other],
        skeletons=[predicted_skeleton],
        tracks=[track],
    )
    first = tmp_path / "first.nwb"
    quiet(nwb.save_nwb, annotations, first, nwb_format="annotations")
    quiet(nwb.save_nwb, predictions, first, nwb_format="predictions", append=True)
    read = quiet(nwb.load_nwb, first)
    assert {s.name for s in read.skeletons} == {"sk_user", "sk_pred"}

    back = tmp_path / "back.nwb"
    quiet(nwb.save_nwb, read, back)
    again = quiet(nwb.load_nwb, back)
    assert {s.name for s in again.skeletons} == {"sk_user", "sk_pred"}
    assert predicted_points(again) == predicted_points(predictions)
    users = sorted(
        (int(lf.frame_idx), instance.numpy().tolist())
        for lf in again.labeled_frames
        for instance in lf.user_instances
    )
    expected = sorted(
        (int(lf.frame_idx), instance.numpy().tolist())
        for lf in annotations.labeled_frames
        for instance in lf.user_instances
    )
    assert users == expected


def test_posebridge_layout_writes_the_predictions_of_the_one_video_that_has_some(tmp_path):
    labels = user_and_predicted_of_two_videos()
    path = tmp_path / "predictions.nwb"
    quiet(nwb.save_nwb, labels, path, nwb_format="predictions", layout="posebridge")
    ds = quiet(nwb.read_nwb, path, return_type="dataset")
    expected = np.stack(
        [np.array([[10.0, 20.0], [30.0, 40.0]]) + f for f in range(3)]
    )  # (time, keypoint, space) of the one track
    got = ds["position"].sel(individual=ds["individual"].values[0])
    np.testing.assert_array_equal(got.transpose("time", "keypoint", "space").values, expected)


def test_posebridge_layout_refuses_user_frames_and_predictions_of_other_videos(tmp_path):
    """Read back, posebridge's layout would join the predictions to the labelled frames
    by frame number; the refusal's advice (sleap-io's layout) keeps them apart."""
    labels = user_and_predicted_of_two_videos()
    path = tmp_path / "both.nwb"
    with pytest.raises(PoseBridgeError, match="layout='sleap-io'") as raised:
        quiet(nwb.save_nwb, labels, path, layout="posebridge")
    message = str(raised.value)
    assert str(path) in message
    assert "/data/v0.mp4" in message and "/data/other.mp4" in message
    assert not path.exists()

    quiet(nwb.save_nwb, labels, path, layout="sleap-io")
    read = quiet(nwb.load_nwb, path)
    assert predicted_points(read) == predicted_points(labels)
    user_videos = {str(lf.video.filename) for lf in read.labeled_frames if lf.user_instances}
    assert user_videos == {"/data/v0.mp4"}


def two_skeleton_predictions():
    first = sio.Skeleton(["a", "b"], name="sk1")
    second = sio.Skeleton(["c", "d", "e"], name="sk2")
    video = sio.Video(filename="fake.mp4", open_backend=False)
    frames = [
        sio.LabeledFrame(
            video=video,
            frame_idx=f,
            instances=[
                sio.PredictedInstance.from_numpy(
                    np.full((2, 2), f + 1.0), skeleton=first, point_scores=np.ones(2), score=0.9
                ),
                sio.PredictedInstance.from_numpy(
                    np.full((3, 2), f + 5.0), skeleton=second, point_scores=np.ones(3), score=0.9
                ),
            ],
        )
        for f in range(3)
    ]
    return sio.Labels(frames, videos=[video], skeletons=[first, second])


@pytest.mark.parametrize("layout", ["sleap-io", "posebridge"])
def test_save_nwb_refuses_predictions_of_two_skeletons_naming_the_file_and_a_way(tmp_path, layout):
    labels = two_skeleton_predictions()
    path = tmp_path / "two.nwb"
    with pytest.raises(PoseBridgeError, match="2 skeletons") as raised:
        quiet(nwb.save_nwb, labels, path, layout=layout)
    message = str(raised.value)
    assert str(path) in message and "<sleap_io.Labels>" not in message
    assert "from_sleap_io(labels, instances='predicted', skeleton=" in message
    assert not path.exists()

    one = quiet(posebridge.from_sleap_io, labels, instances="predicted", skeleton="sk2")
    quiet(nwb.save_nwb, one, path, layout=layout)
    read = quiet(nwb.read_nwb, path, return_type="dataset")
    assert read["keypoint"].values.tolist() == ["c", "d", "e"]
    np.testing.assert_array_equal(
        read["position"].isel(individual=0).transpose("time", "keypoint", "space").values,
        np.stack([np.full((3, 2), f + 5.0) for f in range(3)]),
    )


def two_skeleton_annotations():
    """User instances only: video v1 labelled with skeleton 'fly', v2 with 'mouse'."""
    mouse, fly = sio.Skeleton(["a", "b"], name="mouse"), sio.Skeleton(["x", "y", "z"], name="fly")
    v1 = sio.Video(filename="/data/v1.mp4", open_backend=False)
    v2 = sio.Video(filename="/data/v2.mp4", open_backend=False)

    def instance(skeleton, value):
        return sio.Instance.from_numpy(np.full((len(skeleton.nodes), 2), value), skeleton=skeleton)

    frames = [
        sio.LabeledFrame(v1, 0, [instance(fly, 1.0)]),
        sio.LabeledFrame(v2, 5, [instance(mouse, 2.0)]),
    ]
    return sio.Labels(frames, videos=[v1, v2], skeletons=[mouse, fly])


@pytest.mark.parametrize("nwb_format", ["auto", "annotations"])
def test_save_nwb_refuses_user_instances_of_two_skeletons_naming_the_file_and_a_way(
    tmp_path, nwb_format
):
    """It gave from_sleap_io's 'Pass skeleton=' (a keyword save_nwb does not take), naming
    <sleap_io.Labels> rather than the file."""
    labels = two_skeleton_annotations()
    path = tmp_path / "two.nwb"
    with pytest.raises(PoseBridgeError, match="2 skeletons") as raised:
        quiet(nwb.save_nwb, labels, path, nwb_format=nwb_format)
    message = str(raised.value)
    assert str(path) in message and "<sleap_io.Labels>" not in message
    assert "Pass skeleton=" not in message
    assert not path.exists()
    # the way the message gives works
    one = quiet(posebridge.from_sleap_io, labels, instances="user", skeleton="fly")
    quiet(nwb.save_nwb, one, path, nwb_format="annotations")
    back = quiet(nwb.load_nwb, path)
    assert [node.name for node in back.skeletons[0].nodes] == ["x", "y", "z"]
    assert back.labeled_frames[0].instances[0].numpy().tolist() == [[1.0, 1.0]] * 3
