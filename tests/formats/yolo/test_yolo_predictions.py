"""Ultralytics YOLO pose predictions (``save_txt``): frame files, columns, tracks, sizes, writing.

The rows are written here as Ultralytics' ``Results.save_txt`` writes them: ``cls cx cy w h``,
then ``x y conf`` per keypoint (``x y`` for ``kpt_shape [K, 2]``), then the box confidence
(``save_conf=True``) and the track id (``yolo pose track``), all normalised by the image size.
Expected values are worked out by hand from those rows.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
import xarray as xr
from PIL import Image

import posebridge
from posebridge import model
from posebridge.errors import FileExistsError, FormatError, SchemaError
from posebridge.formats.yolo import predictions, predictions_write
from posebridge.registry import detect

W, H = 640, 480

# two keypoints, x y conf; box conf then track id (yolo pose track save_conf=True)
FRAME_1 = (
    "0 0.5 0.5 0.25 0.5 0.5 0.25 0.9 0.75 0.5 0.8 0.66 7\n"
    "0 0.25 0.25 0.125 0.25 0.125 0.125 0.7 0.25 0.375 0.6 0.5 2\n"
)
FRAME_4 = "0 0.5 0.5 0.25 0.5 0.25 0.75 0.95 0 0 0.1 0.75 7\n"


def run(tmp_path: Path, files: dict[str, str | bytes]) -> Path:
    labels = tmp_path / "predict" / "labels"
    labels.mkdir(parents=True)
    for name, text in files.items():
        (labels / name).write_bytes(text if isinstance(text, bytes) else text.encode())
    return labels


def test_a_tracked_video_run_reads_as_poses_by_frame_and_track(tmp_path):
    labels = run(tmp_path, {"clip_1.txt": FRAME_1, "clip_4.txt": FRAME_4})
    ds = predictions.read(labels, kpt_shape=[2, 3], image_size=(W, H))
    # frames 1 and 4 of the names are 0 and 3; 1 and 2 have no file: NaN
    assert ds.time.values.tolist() == [0, 1, 2, 3]
    assert ds.attrs["time_unit"] == "frames" and "fps" not in ds.attrs
    assert ds.individual.values.tolist() == ["track_2", "track_7"]  # sorted by id
    pos = ds.position.transpose("time", "individual", "keypoint", "space").values
    np.testing.assert_array_equal(pos[0, 1], [[320, 120], [480, 240]])  # track 7, frame 0
    np.testing.assert_array_equal(pos[0, 0], [[80, 60], [160, 180]])  # track 2
    assert np.isnan(pos[1:3]).all()
    np.testing.assert_array_equal(pos[3, 1, 0], [160, 360])
    # 0 0 with confidence 0.1: Ultralytics' mark of a point it did not see
    assert np.isnan(pos[3, 1, 1]).all()
    conf = ds.confidence.transpose("time", "individual", "keypoint").values
    np.testing.assert_array_equal(conf[0], [[0.7, 0.6], [0.9, 0.8]])
    assert conf[3, 1, 1] == 0.1  # the confidence stays
    np.testing.assert_array_equal(
        ds.instance_score.transpose("time", "individual").values[[0, 3]],
        [[0.5, 0.66], [np.nan, 0.75]],
    )
    box = ds.bbox.transpose("time", "individual", "box").values
    np.testing.assert_array_equal(box[0, 1], [240, 120, 160, 240])  # top-left corner, size
    assert ds.category_id.values[0].tolist() == [0, 0]


def test_untracked_predictions_are_untracked_instances_by_line_order(tmp_path):
    rows = "0 0.5 0.5 0.1 0.1 0.5 0.5 0.9\n0 0.25 0.25 0.1 0.1 0.25 0.25 0.8\n"
    labels = run(tmp_path, {"v_2.txt": rows, "v_3.txt": rows.splitlines()[1] + "\n"})
    ds = predictions.read(labels, kpt_shape=[1, 3], image_size=(100, 100))
    assert ds.individual.values.tolist() == ["untracked_0", "untracked_1"]
    x = ds.position.sel(space="x", keypoint="keypoint_0").values
    np.testing.assert_array_equal(x, [[np.nan, np.nan], [50, 25], [25, np.nan]])
    assert "instance_score" not in ds


def test_frames_of_a_track_run_without_tracks_come_back_untracked(tmp_path):
    """Ultralytics keeps the detections of a frame where the tracker returns no track:
    that file's lines have no id column (one column fewer)."""
    tracked = "0 0.5 0.5 0.1 0.1 0.5 0.5 0.9 4\n"
    untracked = "0 0.25 0.25 0.1 0.1 0.25 0.25 0.9\n"
    labels = run(tmp_path, {"v_1.txt": tracked, "v_2.txt": untracked})
    ds = predictions.read(labels, kpt_shape=[1, 3], image_size=(100, 100))
    assert ds.individual.values.tolist() == ["track_4", "untracked_0"]
    assert "instance_score" not in ds  # the trailing column was the id, not a confidence
    x = ds.position.sel(space="x", keypoint="keypoint_0").values
    np.testing.assert_array_equal(x, [[50, np.nan], [np.nan, 25]])


@pytest.mark.parametrize(
    ("tail", "score", "tracks"),
    [("3", None, ["track_3"]), ("0.87", 0.87, ["untracked_0"])],
)
def test_a_lone_trailing_column_is_an_id_when_whole_else_a_box_confidence(
    tmp_path, tail, score, tracks
):
    labels = run(tmp_path, {"v_1.txt": f"0 0.5 0.5 0.1 0.1 0.5 0.5 0.9 {tail}\n"})
    ds = predictions.read(labels, kpt_shape=[1, 3], image_size=(10, 10))
    assert ds.individual.values.tolist() == tracks
    if score is None:
        assert "instance_score" not in ds
    else:
        assert ds.instance_score.values.item() == score


def test_save_conf_says_what_a_whole_trailing_number_is(tmp_path):
    labels = run(tmp_path, {"v_1.txt": "0 0.5 0.5 0.1 0.1 0.5 0.5 0.9 1\n"})
    ds = predictions.read(labels, kpt_shape=[1, 3], image_size=(10, 10), save_conf=True)
    assert ds.individual.values.tolist() == ["untracked_0"]
    assert ds.instance_score.values.item() == 1.0


def test_a_model_with_two_values_per_keypoint_has_no_confidence(tmp_path):
    labels = run(tmp_path, {"v_1.txt": "0 0.5 0.5 0.1 0.1 0.5 0.25 0 0\n"})
    ds = predictions.read(labels, kpt_shape=[2, 2], image_size=(200, 100))
    pos = ds.position.transpose("keypoint", "space", ...).values[..., 0, 0]
    np.testing.assert_array_equal(pos, [[100, 25], [0, 0]])  # no confidence: 0 0 is a point
    assert np.isnan(ds.confidence.values).all()


def test_the_number_of_keypoints_is_refused_when_the_columns_fit_several(tmp_path):
    labels = run(tmp_path, {"clip_1.txt": FRAME_1})
    with pytest.raises(FormatError) as error:
        predictions.read(labels, image_size=(W, H))
    message = str(error.value)
    assert str(labels / "clip_1.txt") in message
    assert "13 columns" in message and "[2, 3]" in message
    for option in ("kpt_shape=", "keypoint_names=", "dataset="):
        assert option in message


# a dataset label row: class, box, then 4 keypoints (x, y, visibility 0/1/2); its 17
# columns also read as 6 keypoints without confidence
DATASET_ROW = "0 0.5 0.5 0.2 0.2 0.4 0.4 2 0.6 0.6 2 0.5 0.5 1 0 0 0\n"


def test_a_dataset_label_file_is_pointed_to_its_data_yaml_at_once(tmp_path):
    """Read without options, a dataset's label file was sent to kpt_shape= / dataset=,
    and only a second attempt said it is a dataset label file (h134 #5)."""
    labels = tmp_path / "train" / "labels"
    labels.mkdir(parents=True)
    (labels / "a.txt").write_text(DATASET_ROW)
    data = tmp_path / "data.yaml"
    data.write_text("kpt_shape: [4, 3]\nnames: [cow]\ntrain: train/images\n")
    with pytest.raises(FormatError, match=r"line 1: its 17 columns") as refused:
        posebridge.load(labels / "a.txt")
    assert f"read the dataset from {data} (format 'yolo')" in str(refused.value)


def test_visibility_flags_point_a_lone_dataset_label_file_to_the_dataset_reading(tmp_path):
    path = tmp_path / "lone" / "here" / "a.txt"
    path.parent.mkdir(parents=True)
    path.write_text(DATASET_ROW)
    with pytest.raises(FormatError, match=r"visibility flags 0/1/2 .* format 'yolo'"):
        posebridge.load(path)


def test_predictions_with_confidences_get_no_dataset_pointer(tmp_path):
    path = tmp_path / "lone" / "here" / "a.txt"
    path.parent.mkdir(parents=True)
    path.write_text("0 0.5 0.5 0.2 0.2 0.4 0.4 0.9 0.6 0.6 1 0.5 0.5 0.5 0 0 0\n")
    with pytest.raises(FormatError, match=r"line 1: its 17 columns") as refused:
        posebridge.load(path)
    assert "dataset's label file" not in str(refused.value)


def test_keypoint_names_tell_the_number_of_keypoints_and_name_them(tmp_path):
    labels = run(tmp_path, {"clip_1.txt": FRAME_1})
    ds = predictions.read(labels, keypoint_names=["nose", "tail"], image_size=(W, H))
    assert ds.keypoint.values.tolist() == ["nose", "tail"]
    assert ds.individual.values.tolist() == ["track_2", "track_7"]
    assert ds.instance_score.values[0].tolist() == [0.5, 0.66]


def test_two_keypoint_names_read_11_columns_whose_last_is_not_whole_as_x_y_conf(tmp_path):
    """11 columns fit [2, 3] and [2, 2] plus a box confidence and a track id; a last column of
    0.75 is no track id. Such files (posebridge writes them for untracked instances) were
    refused, asking for the keypoint_names= that had been given."""
    labels = run(tmp_path, {"v_1.txt": "0 0.5 0.5 0.1 0.1 0.5 0.25 0.9 0.1 0.2 0.75\n"})
    ds = predictions.read(labels, keypoint_names=["nose", "tail"], image_size=(200, 100))
    pos = ds.position.transpose("keypoint", "space", ...).values[..., 0, 0]
    np.testing.assert_allclose(pos, [[100, 25], [20, 20]])
    np.testing.assert_allclose(ds.confidence.values[0, :, 0], [0.9, 0.75])


def test_one_keypoint_name_and_8_columns_ask_for_the_keypoint_dimensions(tmp_path):
    """8 columns fit [1, 3], and [1, 2] plus a box confidence or a track id: the message
    asks for what is missing (kpt_shape), not for the keypoint_names= already given."""
    labels = run(tmp_path, {"v_1.txt": "0 0.5 0.5 0.1 0.1 0.5 0.25 0.9\n"})
    with pytest.raises(FormatError, match=r"kpt_shape=\[1, 2\] or \[1, 3\]") as error:
        predictions.read(labels, keypoint_names=["nose"], image_size=(200, 100))
    assert "keypoint_names=" not in str(error.value)
    ds = predictions.read(labels, kpt_shape=[1, 3], image_size=(200, 100))
    assert ds.confidence.values.ravel().tolist() == [0.9]


def test_the_models_data_yaml_gives_keypoints_classes_and_symmetries(tmp_path):
    labels = run(tmp_path, {"clip_1.txt": FRAME_1.replace("0 0.25", "1 0.25", 1)})
    data = tmp_path / "data.yaml"
    data.write_text(
        "train: images/train\nkpt_shape: [2, 3]\nflip_idx: [1, 0]\nnames: [cat, dog]\n"
        "kpt_names:\n  0: [left, right]\n  1: [left, right]\n"
    )
    ds = predictions.read(labels, dataset=data, image_size=(W, H))
    assert ds.keypoint.values.tolist() == ["left", "right"]
    assert ds.category_id.values[0].tolist() == [1, 0]  # track_2 is the second line
    assert ds.category.values[0].tolist() == ["dog", "cat"]
    assert ds.skeleton_symmetries.values.tolist() == [["left", "right"]]


@pytest.mark.parametrize(
    ("text", "line", "said"),
    [
        ("0 0.5 0.5 0.1 0.1 0.5 0.5 0.9\n0 0.5 0.5 0.1 0.1 0.5 0.5\n", 2, "7 columns"),
        ("0 0.5 0.5 0.1 0.1 0.5 0.5 0.9\n0 0.5 0.5 0.1 0.1 0.5 x 0.9\n", 2, "'x'"),
        ("0 0.5 0.5 0.1 0.1 0.5 0.5 2\n", 1, "keypoint confidence outside 0..1"),
        ("0.5 0.5 0.5 0.1 0.1 0.5 0.5 0.9\n", 1, "class"),
        ("0 0.5 0.5 0.1 0.1 inf 0.5 0.9\n", 1, "not finite"),
        ("0 0.5 0.5 0.1 0.1 0.5 0.5 0.9 1.5 3\n", 1, "box confidence outside"),
        ("0 0.5 0.5 0.1 0.1 0.5 0.5 0.9 3\n0 0.5 0.5 0.1 0.1 0.5 0.5 0.9 3\n", 2, "track id"),
        ("0 0.5 0.5 0.1 0.1 0.5 0.5 0.9 0.5 2.5\n", 1, "track id"),
    ],
)
def test_a_bad_line_is_refused_naming_the_file_and_line(tmp_path, text, line, said):
    labels = run(tmp_path, {"v_1.txt": "0 0.5 0.5 0.1 0.1 0.5 0.5 0.9\n", "v_2.txt": text})
    with pytest.raises(FormatError) as error:
        predictions.read(labels, kpt_shape=[1, 3], image_size=(10, 10))
    message = str(error.value)
    assert message.startswith(f"{labels / 'v_2.txt'}: line {line}:"), message
    assert said in message


def test_a_count_that_fits_no_keypoint_number_given_is_refused(tmp_path):
    labels = run(tmp_path, {"v_1.txt": "0 0.5 0.5 0.1 0.1 0.5 0.5 0.9 0.5 0.5 0.9 1 1 1\n"})
    with pytest.raises(FormatError, match="line 1: its 14 columns do not fit kpt_shape"):
        predictions.read(labels, kpt_shape=[1, 3], image_size=(10, 10))


@pytest.mark.parametrize(
    "given", [{"kpt_shape": [2, 2]}, {"keypoint_names": ["a", "b"]}], ids=["shape", "names"]
)
def test_keypoints_given_that_fit_no_line_are_refused_naming_the_shapes_that_do(tmp_path, given):
    """h151 item 2: the refusal of 2 keypoints told to pass kpt_shape=[2, 2] or [2, 3],
    neither of which fits 47 columns; it names the readings that fit instead."""
    from posebridge.errors import worded_for_command_line

    numbers = " ".join(["0"] + ["0.5"] * 46)  # 47 columns: 14 x 3 or 21 x 2 keypoints
    labels = run(tmp_path, {"v_1.txt": numbers + "\n"})
    with pytest.raises(
        FormatError, match=r"do not fit .*\(they fit kpt_shape \[14, 3\], \[21, 2\]\)"
    ) as error:
        predictions.read(labels, image_size=(10, 10), **given)
    assert "[2, 3]" not in str(error.value)
    flags = worded_for_command_line(error.value)
    assert "--read-option 'kpt_shape=[14,3]' or --read-option 'kpt_shape=[21,2]'" in flags
    assert "kpt_shape=[2," not in flags


def test_without_a_size_the_options_that_give_one_are_named(tmp_path):
    labels = run(tmp_path, {"v_1.txt": "0 0.5 0.5 0.1 0.1 0.5 0.5 0.9\n"})
    with pytest.raises(FormatError, match=r"image_size=\(width, height\) or video="):
        predictions.read(labels, kpt_shape=[1, 3])


def test_fps_gives_seconds_and_keeps_the_frames(tmp_path):
    labels = run(tmp_path, {"v_2.txt": "0 0.5 0.5 0.1 0.1 0.5 0.5 0.9\n"})
    ds = predictions.read(labels, kpt_shape=[1, 3], image_size=(10, 10), fps=4.0)
    assert ds.attrs["fps"] == 4.0
    assert ds.time.values.tolist() == [0.0, 0.25]
    assert model.frame_numbers(ds).tolist() == [0, 1]


def test_vid_stride_places_each_file_on_the_frame_it_was_read_from(tmp_path):
    """With vid_stride=s, Ultralytics grabs s frames and keeps the last: the N-th kept
    frame is frame N * s - 1."""
    labels = run(tmp_path, {"v_1.txt": "0 0.5 0.5 0.1 0.1 0.5 0.5 0.9\n"})
    (labels / "v_3.txt").write_text("0 0.5 0.5 0.1 0.1 0.25 0.5 0.9\n")
    ds = predictions.read(labels, kpt_shape=[1, 3], image_size=(100, 10), vid_stride=2)
    x = ds.position.sel(space="x").values.ravel()
    assert ds.sizes["time"] == 6
    np.testing.assert_array_equal(np.flatnonzero(~np.isnan(x)), [1, 5])
    assert x[5] == 25


def test_several_videos_are_refused_unless_stem_picks_one(tmp_path):
    row = "0 0.5 0.5 0.1 0.1 0.5 0.5 0.9\n"
    labels = run(tmp_path, {"a_1.txt": row, "b_1.txt": row, "b_2.txt": row})
    with pytest.raises(FormatError, match=r"several videos \(a, b\); pass stem="):
        predictions.read(labels, kpt_shape=[1, 3], image_size=(10, 10))
    ds = predictions.read(labels, kpt_shape=[1, 3], image_size=(10, 10), stem="b")
    assert ds.sizes["time"] == 2


def test_a_videos_frames_mixed_with_image_files_are_refused(tmp_path):
    row = "0 0.5 0.5 0.1 0.1 0.5 0.5 0.9\n"
    labels = run(tmp_path, {"v_1.txt": row, "v_2.txt": row, "bus.txt": row})
    with pytest.raises(FormatError, match=r"the frames of a video \(v_<N>.txt\)") as error:
        predictions.read(labels, kpt_shape=[1, 3], image_size=(10, 10))
    assert str(error.value).startswith(f"{labels / 'bus.txt'}: ")  # the file out of place
    ds = predictions.read(labels, kpt_shape=[1, 3], image_size=(10, 10), stem="v")
    assert ds.sizes["time"] == 2


def test_one_file_is_its_frame(tmp_path):
    labels = run(tmp_path, {"v_3.txt": "0 0.5 0.5 0.1 0.1 0.5 0.5 0.9\n"})
    ds = predictions.read(labels / "v_3.txt", kpt_shape=[1, 3], image_size=(10, 10))
    assert ds.sizes["time"] == 3
    assert np.isnan(ds.position.values[:2]).all() and not np.isnan(ds.position.values[2]).any()


def video(path: Path, n: int, size: tuple[int, int] = (64, 48)) -> Path:
    """A real video of ``n`` grey frames (ffmpeg)."""
    pytest.importorskip("imageio_ffmpeg")
    from posebridge import _video

    writer = _video.write_frames(path, size, 10.0, codec="ffv1", pix_fmt="bgr0", quality=None)
    for k in range(n):
        writer.send(np.full((size[1], size[0], 3), 10 * k, dtype=np.uint8))
    writer.close()
    return path


def test_the_video_gives_the_frame_size_and_the_last_frame(tmp_path):
    labels = run(tmp_path, {"v_2.txt": "0 0.5 0.5 0.1 0.1 0.5 0.25 0.9\n"})
    clip = video(tmp_path / "v.mkv", 5)
    ds = predictions.read(labels, kpt_shape=[1, 3], video=clip)
    assert ds.sizes["time"] == 5  # frames 2 to 4 have no file: NaN, to the video's end
    np.testing.assert_array_equal(ds.position.values[1, :, 0, 0], [32, 12])
    assert ds.attrs["video_path"] == str(clip)
    (labels / "v_9.txt").write_text("0 0.5 0.5 0.1 0.1 0.5 0.25 0.9\n")
    with pytest.raises(FormatError, match="is frame 8 .* has 5 frames") as error:
        predictions.read(labels, kpt_shape=[1, 3], video=clip)
    assert str(labels / "v_9.txt") in str(error.value)


def test_the_annotated_video_beside_the_labels_gives_the_frame_size(tmp_path):
    labels = run(tmp_path, {"v_2.txt": "0 0.5 0.5 0.1 0.1 0.5 0.25 0.9\n"})
    video(labels.parent / "v.avi", 3, size=(80, 40))  # as Ultralytics' save=True writes
    ds = predictions.read(labels, kpt_shape=[1, 3])
    np.testing.assert_array_equal(ds.position.values[1, :, 0, 0], [40, 10])
    assert ds.sizes["time"] == 2  # only the size is taken from the annotated copy


def test_image_predictions_are_one_row_per_image_with_its_own_size(tmp_path):
    labels = run(
        tmp_path,
        {
            "zebra.txt": "0 0.5 0.5 0.1 0.1 0.5 0.25 0.9\n",
            "bus.txt": "0 0.5 0.5 0.1 0.1 0.25 0.5 0.9\n",
        },
    )
    Image.new("RGB", (200, 100)).save(labels.parent / "bus.jpg")  # Ultralytics' save=True
    Image.new("RGB", (40, 80)).save(labels.parent / "zebra.png")
    ds = predictions.read(labels, kpt_shape=[1, 3])
    assert ds.image_path.values.tolist() == ["bus.jpg", "zebra.png"]
    assert ds.time.values.tolist() == [0, 1]
    np.testing.assert_array_equal(
        ds.position.transpose("time", "space", ...).values[..., 0, 0], [[50, 50], [20, 20]]
    )
    assert ds.image_width.values.tolist() == [200, 40]


def test_image_predictions_without_their_images_need_a_size(tmp_path):
    labels = run(tmp_path, {"bus.txt": "0 0.5 0.5 0.1 0.1 0.25 0.5 0.9\n"})
    with pytest.raises(FormatError, match="pass image_size=") as error:
        predictions.read(labels, kpt_shape=[1, 3])
    assert str(labels / "bus.txt") in str(error.value)


def test_empty_and_missing_inputs_are_said(tmp_path):
    (tmp_path / "v_1.txt").touch()
    with pytest.raises(FormatError, match="is empty"):
        predictions.read(tmp_path / "v_1.txt", kpt_shape=[1, 3], image_size=(10, 10))
    empty = tmp_path / "labels"
    empty.mkdir()
    with pytest.raises(FormatError, match="holds no .txt prediction files"):
        predictions.read(empty, kpt_shape=[1, 3], image_size=(10, 10))


def test_detection_finds_a_labels_folder_and_a_prediction_file(tmp_path):
    labels = run(tmp_path, {"clip_1.txt": FRAME_1})
    assert detect(labels) == "yolo-predictions"
    assert detect(labels / "clip_1.txt") == "yolo-predictions"
    ds = posebridge.load(labels, kpt_shape=[2, 3], image_size=(W, H))
    assert ds.individual.values.tolist() == ["track_2", "track_7"]


def test_a_text_of_other_words_is_not_taken_for_predictions(tmp_path):
    other = tmp_path / "notes.txt"
    other.write_text("frame x y\n1 2 3 4 5 6 7\n")
    with pytest.raises(posebridge.UnknownFormatError):
        detect(other)


# --------------------------------------------------------------------------
# writing


def poses() -> xr.Dataset:
    """Two tracks, two keypoints, frames 10 to 12 (frame 11 empty)."""
    position = np.full((3, 2, 2, 2), np.nan)
    position[0, :, :, 0] = [[64.0, 320.0], [48.0, 240.0]]  # (space, keypoint)
    position[2, :, 0, 1] = [32.0, 24.0]
    confidence = np.full((3, 2, 2), np.nan)
    confidence[0, :, 0] = [0.5, 0.25]
    confidence[2, :, 1] = [0.75, 0.2]
    ds = model.from_numpy(position, confidence, ["track_3", "track_9"], ["a", "b"])
    return ds.assign_coords(time=[10, 11, 12])


def test_written_files_are_named_by_frame_and_read_back(tmp_path):
    ds = poses()
    written = predictions_write.write(ds, tmp_path / "clip.txt", image_size=(W, H))
    assert [p.name for p in written] == ["clip_11.txt", "clip_13.txt"]  # frame 11 had none
    first = written[0].read_text().split()
    # class, box (the points' extent), x y conf per keypoint, track id
    assert first[0] == "0" and first[-1] == "3"
    assert [float(v) for v in first[5:11]] == [0.1, 0.1, 0.5, 0.5, 0.5, 0.25]
    back = predictions.read(tmp_path, kpt_shape=[2, 3], image_size=(W, H))
    assert back.individual.values.tolist() == ["track_3", "track_9"]
    got = back.position.values[10:]
    np.testing.assert_allclose(got, ds.position.values, rtol=1e-12)
    assert np.isnan(back.position.values[:10]).all()
    # the missing point of track_9 at frame 12: 0 0 with its confidence (below 0.5)
    np.testing.assert_array_equal(back.confidence.values[12, :, 1], [0.75, 0.2])


def test_without_track_ids_the_lines_have_none(tmp_path):
    written = predictions_write.write(
        poses(), tmp_path / "v.txt", image_size=(W, H), track_ids=False
    )
    assert len(written[0].read_text().split()) == 5 + 2 * 3
    back = predictions.read(tmp_path, kpt_shape=[2, 3], image_size=(W, H))
    assert back.individual.values.tolist() == ["untracked_0"]


def test_writing_never_clobbers_and_refuses_stray_frames(tmp_path):
    ds = poses()
    predictions_write.write(ds, tmp_path / "clip.txt", image_size=(W, H))
    before = (tmp_path / "clip_11.txt").read_bytes()
    with pytest.raises(FileExistsError, match="overwrite=True"):
        predictions_write.write(ds, tmp_path / "clip.txt", image_size=(W, H))
    assert (tmp_path / "clip_11.txt").read_bytes() == before
    predictions_write.write(ds, tmp_path / "clip.txt", image_size=(W, H), overwrite=True)
    (tmp_path / "clip_99.txt").write_text("0 0 0 0 0 0 0 0 0 0 0\n")
    with pytest.raises(FileExistsError, match="clip_99.txt"):
        predictions_write.write(ds, tmp_path / "clip.txt", image_size=(W, H), overwrite=True)


def test_a_failed_write_leaves_no_file(tmp_path):
    ds = poses()
    (tmp_path / "clip_13.txt").mkdir()  # the second target cannot be written
    with pytest.raises(posebridge.PoseBridgeError):
        predictions_write.write(ds, tmp_path / "clip.txt", image_size=(W, H), overwrite=True)
    assert not (tmp_path / "clip_11.txt").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["clip_13.txt"]


def test_writing_needs_a_frame_size(tmp_path):
    with pytest.raises(SchemaError, match="image_size="):
        predictions_write.write(poses(), tmp_path / "clip.txt")


def test_save_writes_through_the_registry(tmp_path):
    written = posebridge.save(
        poses(), tmp_path / "clip.txt", format="yolo-predictions", image_size=(W, H)
    )
    assert [p.name for p in written] == ["clip_11.txt", "clip_13.txt"]


def test_the_number_of_keypoints_is_taken_from_the_columns_when_one_shape_fits(tmp_path):
    """7 columns: a [K, 3] reading would need K = 0, so only kpt_shape [1, 2] fits."""
    labels = run(tmp_path, {"v_1.txt": "0 0.5 0.5 0.1 0.1 0.5 0.25\n"})
    ds = predictions.read(labels, image_size=(10, 20))
    assert ds.keypoint.values.tolist() == ["keypoint_0"]
    np.testing.assert_array_equal(ds.position.values.ravel(), [5, 5])


def test_files_whose_counts_fit_no_one_shape_are_refused_naming_the_counts(tmp_path):
    labels = run(
        tmp_path,
        {
            "v_1.txt": "0 0.5 0.5 0.1 0.1 0.5 0.5 0.9\n",
            "v_2.txt": "0 0.5 0.5 0.1 0.1 " + "0.5 " * 10 + "0.5\n",
        },
    )
    with pytest.raises(FormatError, match=r"line 1: its 16 columns .*\(8, 16\) fit no one"):
        predictions.read(labels, image_size=(10, 10))


# --------------------------------------------------------------------------
# images named like video frames, numbers too large to hold, folder detection


def test_images_named_like_frames_are_images_when_the_images_are_beside(tmp_path):
    """Ultralytics names an image's predictions <image stem>.txt: cam_10.jpg -> cam_10.txt,
    the name a frame 10 of a video cam would have. The images beside say which it is."""
    row = "0 0.5 0.5 0.1 0.1 0.5 0.25 0.9\n"
    labels = run(tmp_path, {"cam_1.txt": row, "cam_2.txt": row, "cam_10.txt": row})
    Image.new("RGB", (200, 100)).save(labels.parent / "cam_1.jpg")  # Ultralytics' save=True
    Image.new("RGB", (40, 80)).save(labels.parent / "cam_2.jpg")
    Image.new("RGB", (60, 20)).save(labels.parent / "cam_10.png")
    ds = predictions.read(labels, kpt_shape=[1, 3])
    assert ds.image_path.values.tolist() == ["cam_1.jpg", "cam_10.png", "cam_2.jpg"]
    assert ds.time.values.tolist() == [0, 1, 2]  # one row per image, not frames 0 to 9
    assert ds.image_width.values.tolist() == [200, 60, 40]
    np.testing.assert_array_equal(
        ds.position.transpose("time", "space", ...).values[..., 0, 0],
        [[100, 25], [30, 5], [20, 20]],
    )
    one = predictions.read(labels / "cam_10.txt", kpt_shape=[1, 3])  # one file, too
    assert one.image_path.values.tolist() == ["cam_10.png"]


def test_frame_files_stay_frames_when_their_videos_annotated_copy_is_beside(tmp_path):
    """A frame image of the same name does not make a video's frames images."""
    row = "0 0.5 0.5 0.1 0.1 0.5 0.25 0.9\n"
    labels = run(tmp_path, {"v_1.txt": row, "v_3.txt": row})
    video(labels.parent / "v.avi", 3, size=(80, 40))
    Image.new("RGB", (10, 10)).save(labels.parent / "v_1.jpg")
    ds = predictions.read(labels, kpt_shape=[1, 3])
    assert "image_path" not in ds.coords
    assert ds.time.values.tolist() == [0, 1, 2]


@pytest.mark.parametrize(
    ("name", "said"),
    [
        ("v_99999999999.txt", "would span 99999999999 frames"),
        ("v_999999999999999999999.txt", "too large to hold"),
    ],
)
def test_a_frame_number_too_large_to_hold_is_refused_naming_the_file(tmp_path, name, said):
    labels = run(tmp_path, {"v_1.txt": "0 0.5 0.5 0.1 0.1 0.5 0.25 0.9\n"})
    (labels / name).write_text("0 0.5 0.5 0.1 0.1 0.5 0.25 0.9\n")
    with pytest.raises(FormatError, match=said) as refused:
        predictions.read(labels, kpt_shape=[1, 3], image_size=(10, 10))
    assert str(refused.value).startswith(f"{labels / name}: ")


def test_a_time_axis_far_beyond_the_files_is_refused_unless_the_video_says(tmp_path):
    """The frames span at most 2**20 frames or 64 per file without video= (its frame
    count bounds them); vid_stride multiplies the numbers."""
    row = "0 0.5 0.5 0.1 0.1 0.5 0.25 0.9\n"
    labels = run(tmp_path, {"v_1.txt": row, f"v_{2**19 + 1}.txt": row})
    ds = predictions.read(labels, kpt_shape=[1, 3], image_size=(10, 10))
    assert ds.sizes["time"] == 2**19 + 1
    with pytest.raises(FormatError, match="pass video="):
        predictions.read(labels, kpt_shape=[1, 3], image_size=(10, 10), vid_stride=4)


@pytest.mark.parametrize(
    ("row", "said"),
    [
        ("99999999999999999999 0.5 0.5 0.1 0.1 0.5 0.5 0.9 3\n", "class"),
        (f"{2**53} 0.5 0.5 0.1 0.1 0.5 0.5 0.9 3\n", "class"),
        (f"0 0.5 0.5 0.1 0.1 0.5 0.5 0.9 {2**53 + 1}\n", "track id"),
        ("0 0.5 0.5 0.1 0.1 0.5 0.5 0.9 1e300\n", "track id"),
    ],
)
def test_a_class_or_track_id_too_large_to_hold_exactly_is_refused(tmp_path, row, said):
    """float64 skips whole numbers from 2**53: 2**53 + 1 would come back as another id."""
    labels = run(tmp_path, {"v_1.txt": "0 0.5 0.5 0.1 0.1 0.5 0.5 0.9 3\n", "v_2.txt": row})
    with pytest.raises(FormatError, match=said) as refused:
        predictions.read(labels, kpt_shape=[1, 3], image_size=(10, 10))
    assert str(refused.value).startswith(f"{labels / 'v_2.txt'}: line 1:")
    assert "2**53" in str(refused.value)


def test_the_largest_exact_track_id_is_kept(tmp_path):
    labels = run(tmp_path, {"v_1.txt": f"0 0.5 0.5 0.1 0.1 0.5 0.5 0.9 {2**53 - 1}\n"})
    ds = predictions.read(labels, kpt_shape=[1, 3], image_size=(10, 10))
    assert ds.individual.values.tolist() == [f"track_{2**53 - 1}"]


@pytest.mark.parametrize(
    ("files", "bad", "said"),
    [
        (
            {"v_1.txt": FRAME_1 + "0 0.5 0.5\n", "v_2.txt": FRAME_4},
            "v_1.txt: line 3: 3 columns",
            "first line has 13",
        ),
        (
            {"v_1.txt": FRAME_1.replace("0.9", "abc"), "v_2.txt": FRAME_4},
            "v_1.txt: line 1: 'abc'",
            "is not a number",
        ),
        ({"v_1.txt": "", "v_2.txt": FRAME_4 + "x\n"}, "v_2.txt: line 2: 1 columns", "first"),
        ({"v_1.txt": "1.5" + FRAME_4[1:]}, "v_1.txt: line 1: the class", "whole number"),
        ({"v_1.txt": FRAME_4.encode("utf-16"), "v_2.txt": FRAME_4}, "v_1.txt: line 1", "UTF-16"),
    ],
    ids=["short-line", "not-a-number", "after-a-blank-file", "class", "utf-16"],
)
def test_a_folder_whose_first_frame_file_is_damaged_is_refused_naming_file_and_line(
    tmp_path, files, bad, said
):
    """Detection takes a labels folder by its first file that is not blank: a frame file
    whose first line starts as a prediction's. Reading then names what is wrong where,
    instead of the folder being refused as no format's."""
    labels = run(tmp_path, files)
    assert detect(labels) == "yolo-predictions"
    with pytest.raises(FormatError, match=said) as refused:
        posebridge.load(labels, kpt_shape=[2, 3], image_size=(W, H))
    assert str(refused.value).startswith(f"{labels}/{bad}"), str(refused.value)


def test_a_folder_of_other_text_is_still_no_formats(tmp_path):
    labels = run(tmp_path, {"notes_1.txt": "frame 1: two mice\n", "notes_2.txt": "x\n"})
    with pytest.raises(IsADirectoryError):
        detect(labels)


def test_the_size_options_are_named_with_the_command_lines_flags(tmp_path):
    """Both refusals of predictions without a size gave Python's image_size= (and video=)
    advice on the command line too."""
    from posebridge.errors import worded_for_command_line

    frames = run(tmp_path / "frames", {"v_1.txt": "0 0.5 0.5 0.1 0.1 0.5 0.5 0.9\n"})
    with pytest.raises(FormatError) as got:
        predictions.read(frames, kpt_shape=[1, 3])
    assert worded_for_command_line(got.value).endswith(
        "pass --read-option 'image_size=[W,H]' (width and height in pixels) or "
        "--read-option video=PATH (the video predicted on)."
    )
    images = run(tmp_path / "images", {"bus.txt": "0 0.5 0.5 0.1 0.1 0.25 0.5 0.9\n"})
    with pytest.raises(FormatError) as got:
        predictions.read(images, kpt_shape=[1, 3])
    assert worded_for_command_line(got.value).endswith(
        "pass --read-option 'image_size=[W,H]' (width and height in pixels)."
    )


# a file as posebridge writes it: 4 keypoints x y conf, then a track id (18 columns)
_FOUR_KEYPOINTS = "0 0.5 0.5 0.25 0.25 0.25 0.25 0.9 0.75 0.25 0.8 0.25 0.75 0.7 0.75 0.75 0.6 1\n"


def test_the_kpt_shape_advice_is_given_with_the_command_lines_flags(tmp_path):
    """On the command line, a predictions file whose keypoints are unknown was refused with
    Python's ``pass kpt_shape=[K, 2|3], keypoint_names= or dataset=`` (h148 item 5); each
    flag the message spells now reads the file."""
    from click.testing import CliRunner

    from posebridge.cli import cli

    labels = run(tmp_path, {"v_1.txt": _FOUR_KEYPOINTS})
    size = "--read-option", "image_size=[640,480]"
    got = CliRunner().invoke(cli, ["info", str(labels / "v_1.txt"), *size])
    assert got.exit_code != 0
    said = " ".join(got.output.split())
    assert "kpt_shape=[K, 2|3]" not in said and "dataset= " not in said, said
    assert (
        "pass --read-option 'kpt_shape=[4,3]' or --read-option 'kpt_shape=[6,2]', "
        '--read-option \'keypoint_names=["nose","tail",...]\' (one name per keypoint) or '
        "--read-option dataset=PATH (the model's data.yaml) to say how many keypoints the "
        "model has" in said
    ), said
    (tmp_path / "images").mkdir()
    (tmp_path / "model.yaml").write_text(
        "path: .\ntrain: images\nkpt_shape: [4, 3]\nnames:\n  0: mouse\n"
    )
    for flag in (
        "kpt_shape=[4,3]",
        'keypoint_names=["nose","tail","left","right"]',
        f"dataset={tmp_path / 'model.yaml'}",
    ):
        read = CliRunner().invoke(
            cli, ["info", str(labels / "v_1.txt"), *size, "--read-option", flag]
        )
        assert read.exit_code == 0, (flag, read.output)
        assert re.search(r"(?m)^keypoints +4: ", read.output), (flag, read.output)
    # keypoints given that fit no line: the readings that do fit (h151 item 2: it advised
    # kpt_shape=[2,2] or [2,3] again)
    got = CliRunner().invoke(
        cli, ["info", str(labels / "v_1.txt"), *size, "--read-option", "kpt_shape=[2,3]"]
    )
    said = " ".join(got.output.split())
    assert "do not fit kpt_shape [2, 3] (they fit kpt_shape [4, 3], [6, 2])" in said, said
    assert "pass --read-option 'kpt_shape=[4,3]' or --read-option 'kpt_shape=[6,2]'" in said
    assert "'kpt_shape=[2,2]'" not in said, said
    # Python keeps Python's words
    with pytest.raises(FormatError, match=r"pass kpt_shape=\[K, 2\|3\], keypoint_names="):
        predictions.read(labels, image_size=(W, H))
