"""SLEAP .slp user instances as labels: the tables written, read back, the auto rule."""

from __future__ import annotations

import json
import warnings

import h5py
import numpy as np
import pytest
import xarray as xr

import posebridge
from posebridge import model
from posebridge.formats import sleap
from posebridge.model import labels

USER, PREDICTED = 0, 1


@pytest.fixture
def mixed_videos() -> xr.Dataset:
    """4 labelled frames: 2 of a video file, 2 images of a folder; tracks a, b + untracked."""
    rng = np.random.default_rng(3)
    position = rng.uniform(0, 500, (4, 2, 3, 3))
    position[0, :, :, 2] = np.nan  # 'untracked_0' absent in the first frame
    position[2, :, 1, 0] = np.nan  # a point not labelled
    return labels.from_numpy(
        position,
        video=["/data/cam1.mp4", "x", "/data/cam1.mp4", "x"],
        frame=[30, 0, 12, 0],
        image_path=["", "frames/f0007.png", "", "frames/f0002.png"],
        individual_names=["a", "b", "untracked_0"],
        keypoint_names=["head", "body", "tail"],
    )


def read_tables(path):
    with h5py.File(path) as h5:
        videos = [json.loads(v) for v in h5["videos_json"][()]]
        tracks = [json.loads(t)[1] for t in h5["tracks_json"][()]]
        return (
            videos,
            tracks,
            h5["frames"][()],
            h5["instances"][()],
            h5["points"][()],
            h5["pred_points"][()],
        )


def test_labels_are_written_as_user_instances_in_every_video(mixed_videos, tmp_path):
    path = tmp_path / "labels.slp"
    sleap.slp_write.write(mixed_videos, path)
    videos, tracks, frames, instances, points, _ = read_tables(path)
    assert videos[0]["backend"]["filename"] == "/data/cam1.mp4"
    assert videos[1]["backend"]["filenames"] == ["frames/f0007.png", "frames/f0002.png"]
    assert frames["video"].tolist() == [0, 1, 0, 1]
    assert frames["frame_idx"].tolist() == [30, 0, 12, 1]  # frame number; image position
    assert tracks == ["a", "b"]
    assert (instances["instance_type"] == USER).all()
    assert instances["track"].tolist() == [0, 1, 0, 1, -1, 0, 1, -1, 0, 1, -1]
    expected = mixed_videos.position.transpose("time", "individual", "keypoint", "space").values
    present = np.isfinite(expected).any(axis=(2, 3))
    rows = expected[present].reshape(-1, 2)
    np.testing.assert_array_equal(np.c_[points["x"], points["y"]], rows)
    assert points["visible"].tolist() == np.isfinite(rows).all(axis=1).tolist()


def test_labels_read_back_identical(mixed_videos, tmp_path):
    sleap.slp_write.write(mixed_videos, tmp_path / "labels.slp")
    back = posebridge.load(tmp_path / "labels.slp")
    assert back.attrs["source_software"] == "SLEAP"
    back.attrs.pop("source_file")
    original = mixed_videos.assign_attrs(source_software="SLEAP")
    xr.testing.assert_identical(back.drop_vars("confidence"), original.drop_vars("confidence"))
    assert np.isnan(back.confidence.values).all()


def test_linked_predictions_are_kept_apart_and_written_back(tmp_path):
    position = np.array([[[[10.0], [20.0]], [[11.0], [21.0]]]])  # 1 frame, 2 keypoints
    ds = labels.from_numpy(position, video=["v.mp4"], frame=[5], individual_names=["m"])
    ds["predicted_position"] = ds.position + 0.5
    ds["predicted_confidence"] = (("time", "keypoint", "individual"), [[[0.7], [0.8]]])
    ds["predicted_score"] = (("time", "individual"), [[0.9]])
    sleap.slp_write.write(ds, tmp_path / "linked.slp")
    _, _, _, instances, points, pred_points = read_tables(tmp_path / "linked.slp")
    user, pred = instances[instances["instance_type"] == USER], instances["instance_type"] == 1
    assert user["from_predicted"].tolist() == instances["instance_id"][pred].tolist()
    np.testing.assert_allclose(pred_points["score"], [0.7, 0.8])
    np.testing.assert_array_equal(pred_points["x"], [10.5, 20.5])
    np.testing.assert_array_equal(points["x"], [10.0, 20.0])
    back = posebridge.load(tmp_path / "linked.slp")
    assert labels.is_labels(back)  # the only prediction is a user instance's source
    for name in ("position", "predicted_position", "predicted_confidence", "predicted_score"):
        np.testing.assert_allclose(back[name].values, ds[name].values, rtol=1e-7, err_msg=name)


def test_a_point_with_one_nan_coordinate_keeps_the_other_in_labels_and_predictions(tmp_path):
    # (x, y) per keypoint: x only, y only, neither, both
    half = np.array([[152.5, np.nan], [np.nan, 7.25], [np.nan, np.nan], [1.0, 2.0]])
    position = half.T[None, :, :, None]  # (time, space, keypoint, individual)
    ds = labels.from_numpy(position, video=["v.mp4"], frame=[5], individual_names=["m"])
    ds["predicted_position"] = ds.position + 0.5
    ds["predicted_confidence"] = (("time", "keypoint", "individual"), np.full((1, 4, 1), 0.5))
    ds["predicted_score"] = (("time", "individual"), [[0.9]])
    path = tmp_path / "half.slp"
    sleap.slp_write.write(ds, path)
    *_, points, pred_points = read_tables(path)
    placed = [True, True, False, True]  # a point with any finite coordinate is visible
    assert points["visible"].tolist() == placed
    assert pred_points["visible"].tolist() == placed
    np.testing.assert_array_equal(np.c_[points["x"], points["y"]], half)
    np.testing.assert_array_equal(np.c_[pred_points["x"], pred_points["y"]], half + 0.5)
    sio = pytest.importorskip("sleap_io")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        [frame] = sio.load_slp(str(path), open_videos=False).labeled_frames
    theirs = {type(i).__name__: i.numpy() for i in frame.instances}
    np.testing.assert_array_equal(theirs["Instance"], half)
    np.testing.assert_array_equal(theirs["PredictedInstance"], half + 0.5)
    back = posebridge.load(path)
    for name in ("position", "predicted_position"):
        np.testing.assert_array_equal(back[name].values, ds[name].values, err_msg=name)
    assert "visible" not in back  # no point is marked not visible


def test_points_marked_not_visible_read_as_nan_and_keep_their_flag(tmp_path):
    position = np.array([[[[1.0], [2.0], [np.nan]], [[3.0], [4.0], [np.nan]]]])
    visible = np.array([[[2.0], [0.0], [0.0]]])
    ds = labels.from_numpy(position, video=["v.mp4"], frame=[0], visible=visible)
    sleap.slp_write.write(ds, tmp_path / "hidden.slp")
    _, _, _, _, points, _ = read_tables(tmp_path / "hidden.slp")
    assert points["visible"].tolist() == [True, False, False]
    assert points["complete"].tolist() == [True, True, True]  # all placed or toggled
    back = posebridge.load(tmp_path / "hidden.slp")
    expected = position.copy()
    expected[:, :, 1:] = np.nan  # NaN = no point, whatever coordinates the file keeps
    np.testing.assert_array_equal(back.position.values, expected)
    np.testing.assert_array_equal(back.visible.values, visible)
    again = tmp_path / "again.slp"
    sleap.slp_write.write(back, again)
    _, _, _, _, points, _ = read_tables(again)
    assert points["visible"].tolist() == [True, False, False]
    np.testing.assert_array_equal(posebridge.load(again).visible.values, visible)


def test_sleap_user_points_not_visible_are_nan_as_sleap_io_gives_them(tmp_path):
    sio = pytest.importorskip("sleap_io")
    position = np.array([[[[1.0], [2.0]], [[3.0], [4.0]]]])
    ds = labels.from_numpy(position, video=["v.mp4"], frame=[0])
    sleap.slp_write.write(ds, tmp_path / "stale.slp")
    with h5py.File(tmp_path / "stale.slp", "r+") as h5:  # SLEAP GUI: toggled, coords kept
        points = h5["points"][()]
        points["visible"][1] = False
        h5["points"][...] = points
    back = posebridge.load(tmp_path / "stale.slp")
    theirs = sio.load_slp(str(tmp_path / "stale.slp")).labeled_frames[0].instances[0].numpy()
    np.testing.assert_array_equal(back.position.values[0, :, :, 0].T, theirs)
    assert back.visible.values[0, :, 0].tolist() == [2.0, 0.0]


def test_user_points_complete_flags_survive_a_slp_round_trip(tmp_path):
    """SLEAP's complete marks the points a person confirmed: a user instance copied from a
    prediction keeps complete=False on its placed points until they are adjusted."""
    position = np.array([[[[1.0], [2.0], [5.0]], [[3.0], [4.0], [6.0]]]])
    ds = labels.from_numpy(position, video=["v.mp4"], frame=[0])
    sleap.slp_write.write(ds, tmp_path / "source.slp")
    stored = [False, True, False]  # as SLEAP stores them: not the default (all placed)
    with h5py.File(tmp_path / "source.slp", "r+") as h5:
        points = h5["points"][()]
        points["complete"] = stored
        h5["points"][...] = points
    read = posebridge.load(tmp_path / "source.slp")
    again = tmp_path / "again.slp"
    sleap.slp_write.write(read, again)
    _, _, _, _, points, _ = read_tables(again)
    assert points["complete"].tolist() == stored
    sio = pytest.importorskip("sleap_io")
    theirs = sio.load_slp(str(tmp_path / "source.slp"))
    bridged = posebridge.to_sleap_io(posebridge.from_sleap_io(theirs))
    assert bridged.labeled_frames[0].instances[0].points["complete"].tolist() == stored


def test_default_complete_flags_add_no_variable(mixed_videos, tmp_path):
    sleap.slp_write.write(mixed_videos, tmp_path / "plain.slp")
    assert labels.COMPLETE not in posebridge.load(tmp_path / "plain.slp")


def test_without_hidden_points_there_is_no_visible_variable(mixed_videos, tmp_path):
    sleap.slp_write.write(mixed_videos, tmp_path / "plain.slp")
    assert "visible" not in posebridge.load(tmp_path / "plain.slp")


def _strip_provenance(path):
    with h5py.File(path, "r+") as h5:
        metadata = json.loads(h5["metadata"].attrs["json"])
        metadata["provenance"] = {}
        h5["metadata"].attrs["json"] = np.bytes_(json.dumps(metadata))
        del h5["provenance_json"]  # where sleap-io (and posebridge) write it too


def test_auto_reads_files_with_other_predictions_as_poses(tmp_path):
    position = np.arange(16.0).reshape(2, 2, 2, 2)
    confidence = np.full((2, 2, 2), np.nan)
    confidence[1, :, 0] = 0.5  # one predicted instance, made from nothing
    ds = model.from_numpy(position, confidence, individual_names=["a", "b"])
    ds = ds.assign_coords(time=[3, 8])
    sleap.slp_write.write(ds, tmp_path / "mixed.slp")
    _strip_provenance(tmp_path / "mixed.slp")  # as if SLEAP had written it
    assert not labels.is_labels(posebridge.load(tmp_path / "mixed.slp"))
    user = posebridge.load(tmp_path / "mixed.slp", instances="user")
    assert labels.is_labels(user)
    assert user.frame.values.tolist() == [3, 8]
    assert np.isnan(user.position.isel(time=1, individual=0)).all()  # the prediction's slot


def test_poses_without_scores_come_back_as_poses(tmp_path):
    ds = model.from_numpy(np.ones((3, 2, 2, 1))).assign_coords(time=[0, 4, 9])
    sleap.slp_write.write(
        ds, tmp_path / "poses.slp"
    )  # user instances in the file, marked as poses
    back = posebridge.load(tmp_path / "poses.slp")
    assert not labels.is_labels(back) and back.time.values.tolist() == [0, 4, 9]
    _strip_provenance(tmp_path / "poses.slp")
    assert labels.is_labels(posebridge.load(tmp_path / "poses.slp"))  # SLEAP's own: labels


def test_video_option_reads_the_labels_of_one_video(mixed_videos, tmp_path):
    sleap.slp_write.write(mixed_videos, tmp_path / "labels.slp")
    one = posebridge.load(tmp_path / "labels.slp", video="cam1.mp4")
    assert one.video.values.tolist() == ["/data/cam1.mp4"] * 2
    assert one.frame.values.tolist() == [30, 12]


@pytest.mark.parametrize("shape", [(3, 2, 0, 2), (3, 2, 2, 0)], ids=["no keypoint", "no animal"])
def test_labels_without_keypoints_or_animals_read_back(tmp_path, shape):
    """A skeleton without nodes, or labelled frames without instances: the names read back
    as text (they came back as an empty float coordinate, which the model refuses)."""
    images = [f"labeled-data/v1/img{i:03d}.png" for i in range(3)]
    ds = labels.from_numpy(np.zeros(shape), image_path=images)
    (path,) = posebridge.save(ds, tmp_path / "empty.slp")
    back = posebridge.load(path)
    assert back.sizes["keypoint"] == shape[2] and back.sizes["individual"] == shape[3]
    assert back.image_path.values.tolist() == images


def test_labels_need_2d(tmp_path):
    ds = labels.from_numpy(np.zeros((1, 3, 1, 1)), video=["v"], frame=[0])
    with pytest.raises(posebridge.SchemaError, match="2-D"):
        sleap.slp_write.write(ds, tmp_path / "x.slp")


def test_a_frame_labelled_as_empty_is_kept(tmp_path):
    position = np.ones((2, 2, 1, 1))
    position[1] = np.nan  # no animal in the second frame: a labelled, empty frame
    ds = labels.from_numpy(position, video=["v.mp4"] * 2, frame=[3, 4])
    sleap.slp_write.write(ds, tmp_path / "empty.slp")
    _, _, frames, instances, _, _ = read_tables(tmp_path / "empty.slp")
    assert frames["frame_idx"].tolist() == [3, 4] and len(instances) == 1
    assert frames["instance_id_start"][1] == frames["instance_id_end"][1]
    back = posebridge.load(tmp_path / "empty.slp")
    assert back.frame.values.tolist() == [3, 4]
    np.testing.assert_array_equal(back.position.values, position)


def test_an_image_index_beyond_the_image_list_is_an_error(mixed_videos, tmp_path):
    path = tmp_path / "labels.slp"
    sleap.slp_write.write(mixed_videos, path)
    with h5py.File(path, "r+") as h5:
        frames = h5["frames"][()]
        frames["frame_idx"][1] = 7  # the image video lists 2 images
        h5["frames"][...] = frames
    with pytest.raises(posebridge.FormatError, match=r"labels.slp.*lists only 2 images"):
        posebridge.load(path)


def test_labelled_frames_without_any_instance_read_back_as_the_same_labels(tmp_path):
    # no user instance anywhere: SLEAP's own rule cannot tell labels from predictions,
    # so the file says what it holds (provenance) and labels come back as labels
    ds = labels.from_numpy(
        np.full((3, 2, 2, 2), np.nan),
        video=["v.mp4"] * 3,
        frame=[0, 5, 9],
        individual_names=["a", "b"],
        keypoint_names=["nose", "tail"],
    )
    path = tmp_path / "empty.slp"
    posebridge.save(ds, path)
    with h5py.File(path) as h5:
        provenance = json.loads(h5["metadata"].attrs["json"])["provenance"]
    assert provenance["posebridge_content"] == "labels"
    back = posebridge.load(path)
    assert labels.is_labels(back)
    xr.testing.assert_equal(back, ds)


def test_labels_written_here_with_predictions_added_in_sleap_io_read_as_both(tmp_path):
    """sleap-io keeps the provenance that says 'labels' when it saves the file again:
    the predictions added were dropped, one labelled frame read for six."""
    sio = pytest.importorskip("sleap_io")
    ds = labels.from_numpy(
        np.array([[[[1.0], [2.0]], [[3.0], [4.0]]]]),  # one frame, one instance
        video=["/nowhere/v.mp4"],
        frame=[0],
        individual_names=["a"],
        keypoint_names=["nose", "tail"],
    )
    posebridge.save(ds, tmp_path / "labels.slp")
    project = sio.load_slp(str(tmp_path / "labels.slp"))
    video, skeleton = project.videos[0], project.skeletons[0]
    for frame in range(1, 6):
        points = np.full((2, 2), 10.0 * frame)
        predicted = sio.PredictedInstance.from_numpy(points, skeleton=skeleton, score=0.5)
        project.append(sio.LabeledFrame(video=video, frame_idx=frame, instances=[predicted]))
    sio.save_slp(project, str(tmp_path / "with_predictions.slp"))
    back = posebridge.load(tmp_path / "with_predictions.slp")
    assert not labels.is_labels(back)
    assert back.sizes["time"] == 6
    first = back.position.isel(time=0).transpose("individual", "space", "keypoint").values
    placed = first[np.isfinite(first).all(axis=(1, 2))]
    np.testing.assert_array_equal(placed, [[[1.0, 2.0], [3.0, 4.0]]])  # the user's instance


def test_a_projects_videos_keep_their_order_and_those_without_labels(tmp_path):
    """Videos queued for inference (no labelled frame) were dropped and the others put in
    the order of their first labelled frame, so video=0 named another video afterwards."""
    sio = pytest.importorskip("sleap_io")
    skeleton = sio.Skeleton(["a", "b"])
    videos = [
        sio.Video(filename=f"/nowhere/{name}.mp4", open_backend=False)
        for name in ("to_predict", "b", "c")
    ]

    def frame(video: object, k: int, base: float) -> object:
        points = np.array([[base, base + 1], [base + 2, base + 3]])
        user = sio.Instance.from_numpy(points, skeleton=skeleton)
        return sio.LabeledFrame(video=video, frame_idx=k, instances=[user])

    labels_in = sio.Labels(
        labeled_frames=[frame(videos[2], 1, 10.0), frame(videos[1], 2, 20.0)],
        videos=videos,
        skeletons=[skeleton],
    )
    source = tmp_path / "project.slp"
    sio.save_slp(labels_in, source)
    ds = posebridge.load(source)
    posebridge.save(ds, tmp_path / "kept.nc")
    for out, data in ((tmp_path / "out.slp", ds), (tmp_path / "nc.slp", None)):
        posebridge.save(data if data is not None else posebridge.load(tmp_path / "kept.nc"), out)
        back = sio.load_slp(str(out), open_videos=False)
        assert [v.filename for v in back.videos] == [v.filename for v in videos]
        placed = {(lf.video.filename, lf.frame_idx): lf.instances[0].numpy()[0, 0] for lf in back}
        assert placed == {("/nowhere/c.mp4", 1): 10.0, ("/nowhere/b.mp4", 2): 20.0}
    names = [v.filename for v in posebridge.to_sleap_io(ds).videos]
    assert names == [v.filename for v in videos]


def test_a_project_with_a_queued_video_keeps_its_labelled_videos_size(tmp_path):
    """One labelled video and one queued for inference: the size is the labelled one's."""
    sio = pytest.importorskip("sleap_io")
    skeleton = sio.Skeleton(["a", "b"])
    videos = [
        sio.Video(filename=f"/nowhere/v{i}.mp4", backend=None, open_backend=False,
                  backend_metadata={"shape": (100, 480, 640, 1)})
        for i in range(2)
    ]  # fmt: skip
    user = sio.Instance.from_numpy(np.array([[1.0, 2.0], [3.0, 4.0]]), skeleton=skeleton)
    labels_in = sio.Labels(
        labeled_frames=[sio.LabeledFrame(video=videos[0], frame_idx=5, instances=[user])],
        videos=videos,
        skeletons=[skeleton],
    )
    source = tmp_path / "queued.slp"
    sio.save_slp(labels_in, source)
    ds = posebridge.load(source)
    assert (ds.attrs["video_width"], ds.attrs["video_height"]) == (640, 480)
    (out,) = posebridge.save(ds, tmp_path / "out.slp")
    back = posebridge.load(out)
    assert (back.attrs["video_width"], back.attrs["video_height"]) == (640, 480)
    # sleap-io writes a video it did not open with its shape and no backend type: a real
    # shape, which to_sleap_io gives back as sleap-io reads it
    theirs = [tuple(v.shape) for v in sio.load_slp(source).videos]
    assert [tuple(v.shape) for v in posebridge.to_sleap_io(ds).videos] == theirs


def test_frames_embedded_from_an_image_sequence_keep_their_image(tmp_path):
    """The embedded video's source lists the images: the first was taken for 'the video',
    the labelled frame's image lost (image_path '' and video img000.png)."""
    sio = pytest.importorskip("sleap_io")
    iio = pytest.importorskip("imageio.v3")
    files = []
    for i in range(4):
        files.append(str(tmp_path / f"img{i:03d}.png"))
        iio.imwrite(files[-1], np.full((16, 20, 3), 40 * i, dtype=np.uint8))
    video = sio.Video.from_filename(files)
    skeleton = sio.Skeleton(["a", "b"])
    instance = sio.Instance.from_numpy(np.array([[1.0, 1.0], [2.0, 3.0]]), skeleton=skeleton)
    project = sio.Labels([sio.LabeledFrame(video, 2, [instance])], videos=[video])
    sio.save_slp(project, str(tmp_path / "plain.slp"))
    sio.save_slp(project, str(tmp_path / "packed.pkg.slp"), embed="user")
    plain = posebridge.load(tmp_path / "plain.slp", instances="user")
    packed = posebridge.load(tmp_path / "packed.pkg.slp", instances="user")
    assert packed.image_path.values.tolist() == [files[2]]
    for name in ("video", "frame", "image_path"):
        assert packed[name].values.tolist() == plain[name].values.tolist()


@pytest.mark.parametrize("name", ["labels.slp", "CollectedData_me.h5"])
def test_scores_given_to_labels_are_said_not_to_be_written(tmp_path, mixed_videos, name):
    """The confidence of labelled points went without a word (SLEAP's and DeepLabCut's
    labels have no score)."""
    ds = mixed_videos.copy()
    ds["confidence"] = xr.full_like(ds.position.isel(space=0, drop=True), 0.5)
    with pytest.warns(UserWarning, match=r"the labels' confidence \(\d+ score\(s\)\) is not"):
        posebridge.save(ds, tmp_path / name)


def _two_sequences_in_one_folder() -> xr.Dataset:
    """Images a_0001, a_0004 and b_0001, b_0004 of one folder, two image sequences."""
    images = ["frames/a_0001.png", "frames/a_0004.png", "frames/b_0001.png", "frames/b_0004.png"]
    return labels.from_numpy(
        np.arange(4 * 2 * 2, dtype=float).reshape(4, 2, 2, 1),
        video=["frames/a_0001.png"] * 2 + ["frames/b_0001.png"] * 2,
        image_path=images,
        keypoint_names=["head", "tail"],
        individual_names=["a"],
    )


def test_two_image_sequences_of_one_folder_are_written_as_two_image_videos(tmp_path):
    ds = _two_sequences_in_one_folder()
    path = tmp_path / "labels.slp"
    sleap.slp_write.write(ds, path)
    videos, _, frames, *_ = read_tables(path)
    images = ds.image_path.values.tolist()
    assert [v["backend"]["filenames"] for v in videos] == [images[:2], images[2:]]
    assert frames["video"].tolist() == [0, 0, 1, 1]
    back = posebridge.load(path)
    assert back.video.values.tolist() == ds.video.values.tolist()
    assert back.image_path.values.tolist() == images
    xr.testing.assert_equal(back.position, ds.position)


def test_image_videos_sharing_a_folder_read_as_two_videos_of_their_first_images(tmp_path):
    """A file of two SLEAP ImageVideos listing other images of one folder: each is a
    video named by its first image (the folder named one video before); one ImageVideo
    alone in its folder is the folder, as always."""
    ds = _two_sequences_in_one_folder()
    path = tmp_path / "labels.slp"
    sleap.slp_write.write(ds, path)
    listed = {  # each ImageVideo lists ten images, of which two are labelled
        f"frames/{p}_0001.png": [f"frames/{p}_{i:04d}.png" for i in range(1, 11)] for p in "ab"
    }
    with h5py.File(path, "r+") as h5:
        rows = [json.loads(v) for v in h5["videos_json"][()]]
        for row in rows:
            row["backend"]["filenames"] = listed[row["backend"]["filename"]]
        del h5["videos_json"]
        h5["videos_json"] = [json.dumps(row).encode() for row in rows]
        frames = h5["frames"][()]
        frames["frame_idx"] = [0, 3, 0, 3]  # a_0004 is the 4th image of its list
        h5["frames"][...] = frames
    back = posebridge.load(path)
    assert back.video.values.tolist() == ["frames/a_0001.png"] * 2 + ["frames/b_0001.png"] * 2
    assert back.image_path.values.tolist() == ds.image_path.values.tolist()
    assert back.frame.values.tolist() == [1, 4, 1, 4]
    alone = labels.from_numpy(
        np.zeros((2, 2, 2, 1)), image_path=["frames/a_0001.png", "frames/a_0004.png"]
    )
    sleap.slp_write.write(alone, tmp_path / "alone.slp")
    assert posebridge.load(tmp_path / "alone.slp").video.values.tolist() == ["frames", "frames"]


def _made_from_another_tracks_prediction():
    """Labels whose user instance on track A was made from the prediction on track B."""
    sio = pytest.importorskip("sleap_io")
    skeleton = sio.Skeleton(["a", "b"], name="s")
    video = sio.Video(filename="/data/v1.mp4", open_backend=False)
    track_a, track_b = sio.Track("A"), sio.Track("B")

    def prediction(value, track):
        return sio.PredictedInstance.from_numpy(
            np.full((2, 2), value), skeleton=skeleton, point_scores=np.ones(2), score=0.7,
            track=track, tracking_score=0.5,
        )  # fmt: skip

    on_a, on_b = prediction(1.0, track_a), prediction(10.0, track_b)
    user = sio.Instance.from_numpy(np.full((2, 2), 11.0), skeleton=skeleton, track=track_a)
    user.from_predicted = on_b
    frame = sio.LabeledFrame(video=video, frame_idx=3, instances=[on_a, on_b, user])
    return sio.Labels(
        labeled_frames=[frame], videos=[video], skeletons=[skeleton], tracks=[track_a, track_b]
    )


def test_a_user_instance_made_from_another_tracks_prediction_is_warned_of(tmp_path):
    """The labels dataset holds that prediction under the user instance's individual, so it
    would be written back on the user instance's track: said, naming both tracks."""
    _made_from_another_tracks_prediction().save(str(tmp_path / "other_track.slp"))
    with pytest.warns(UserWarning, match="made from a prediction on another track") as seen:
        ds = posebridge.load(tmp_path / "other_track.slp", instances="user")
    message = next(str(w.message) for w in seen if "another track" in str(w.message))
    assert "other_track.slp" in message and "'A'" in message and "'B'" in message
    assert labels.is_labels(ds)
    # as poses, each prediction stays on its own track, with no such warning
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        poses = posebridge.load(tmp_path / "other_track.slp", instances="predicted")
    assert poses.position.sel(individual="B").values[0, 0].tolist() == [10.0, 10.0]


def test_a_user_instance_made_from_its_own_tracks_prediction_is_not_warned_of(tmp_path):
    labels_ = _made_from_another_tracks_prediction()
    user = labels_.labeled_frames[0].instances[2]
    user.from_predicted = labels_.labeled_frames[0].instances[0]  # its own track's
    labels_.save(str(tmp_path / "own_track.slp"))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ds = posebridge.load(tmp_path / "own_track.slp", instances="user")
    assert ds.predicted_position.sel(individual="A").values[0, 0].tolist() == [1.0, 1.0]
