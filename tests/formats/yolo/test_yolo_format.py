"""YOLO pose datasets: data.yaml, label rows, image sizes from headers, writing a tree."""

from __future__ import annotations

import shutil
import warnings
from pathlib import Path

import numpy as np
import pytest
import xarray as xr
from PIL import Image

import posebridge
from posebridge.errors import FileExistsError, FormatError, SchemaError
from posebridge.formats import yolo
from posebridge.model import labels

ROWS_A = (
    "0 0.5 0.5 0.5 0.5 0.25 0.5 2 0.75 0.5 1 0 0 0\n"
    "1 0.2 0.2 0.1 0.1 0.1 0.1 2 0.2 0.2 2 0.3 0.3 2"
)
ROWS_B = "1 0.5 0.5 1 1 0.5 0.25 2 0.5 0.75 2 0.5 0.5 2\n"


def dataset(tmp_path: Path, *, rows_a: str = ROWS_A, yaml_extra: str = "") -> Path:
    """An Ultralytics tree: images/{train,val}, labels/{train,val}, real PNG images."""
    for split, name, size, rows in (
        ("train", "a.png", (200, 100), rows_a),
        ("val", "b.jpg", (64, 32), ROWS_B),
    ):
        (tmp_path / "images" / split).mkdir(parents=True, exist_ok=True)
        (tmp_path / "labels" / split).mkdir(parents=True, exist_ok=True)
        Image.new("RGB", size).save(tmp_path / "images" / split / name)
        (tmp_path / "labels" / split / (Path(name).stem + ".txt")).write_text(rows)
    (tmp_path / "images" / "train" / "empty.png").parent.mkdir(exist_ok=True)
    Image.new("RGB", (10, 10)).save(tmp_path / "images" / "train" / "empty.png")
    path = tmp_path / "data.yaml"
    path.write_text(
        "train: images/train\nval: images/val\nkpt_shape: [3, 3]\nflip_idx: [0, 2, 1]\n"
        "names:\n  0: queen\n  1: worker\n" + yaml_extra
    )
    return path


def test_rows_are_denormalised_by_each_image_header(tmp_path):
    ds = yolo.read(dataset(tmp_path))
    assert labels.is_labels(ds)
    assert ds.image_path.values.tolist() == [
        "images/train/a.png",
        "images/train/empty.png",
        "images/val/b.jpg",
    ]
    assert ds.data_split.values.tolist() == ["train", "train", "val"]
    assert ds.image_width.values.tolist() == [200, 10, 64]
    a = ds.position.sel(time=0, individual="untracked_0").transpose("keypoint", "space").values
    np.testing.assert_array_equal(a, [[50, 50], [150, 50], [np.nan, np.nan]])
    b = ds.position.sel(time=2, individual="untracked_0").transpose("keypoint", "space").values
    np.testing.assert_array_equal(b, [[32, 8], [32, 24], [32, 16]])
    assert np.isnan(ds.position.sel(time=1)).all()  # an image without a label file
    assert ds.visible.sel(time=0, individual="untracked_0").values.tolist() == [2, 1, 0]
    assert ds.bbox.sel(time=0, individual="untracked_0").values.tolist() == [50, 25, 100, 50]
    assert ds.category.sel(time=0).values.tolist() == ["queen", "worker"]
    assert ds.category_id.sel(time=2).values.tolist() == [1, -1]
    assert ds.skeleton_symmetries.values.tolist() == [["keypoint_1", "keypoint_2"]]


def test_image_size_option_replaces_the_headers(tmp_path):
    ds = yolo.read(dataset(tmp_path), image_size=(1000, 500))
    assert ds.position.sel(
        time=0, individual="untracked_0", keypoint="keypoint_0"
    ).values.tolist() == [
        250,
        250,
    ]


def test_keypoint_names_from_kpt_names_or_the_option(tmp_path):
    path = dataset(tmp_path, yaml_extra="kpt_names:\n  0: [head, left, right]\n")
    assert yolo.read(path).keypoint.values.tolist() == ["head", "left", "right"]
    path = dataset(tmp_path / "other")
    names = yolo.read(path, keypoint_names=["h", "l", "r"]).keypoint.values.tolist()
    assert names == ["h", "l", "r"]


def test_sleap_io_node_names_and_skeleton_name_the_keypoints_and_edges(tmp_path):
    """sleap-io writes the names as node_names and the edges as skeleton (0-based);
    both were ignored silently (keypoint_<k>, no skeleton_edges)."""
    path = dataset(
        tmp_path, yaml_extra="node_names: [head, left, right]\nskeleton: [[0, 1], [0, 2]]\n"
    )
    ds = yolo.read(path)
    assert ds.keypoint.values.tolist() == ["head", "left", "right"]
    assert ds.skeleton_edges.values.tolist() == [["head", "left"], ["head", "right"]]


@pytest.mark.parametrize(
    ("extra", "key"),
    [
        ("skeleton: [[1, 2], [2, 3]]\n", "skeleton"),  # 1-based, as COCO's
        ("skeleton: [[head, left]]\n", "skeleton"),  # by names
        ("skeleton: [0, 1]\n", "skeleton"),
        ("node_names: [head, left]\n", "node_names"),  # fewer than kpt_shape's 3
        ("node_names: head\n", "node_names"),
    ],
)
def test_sleap_io_keys_that_do_not_fit_are_ignored_with_a_warning(tmp_path, extra, key):
    """Ultralytics ignores skeleton and node_names and sleap-io drops what does not fit;
    a dataset with such a key was refused whole (h133 #2)."""
    path = dataset(tmp_path, yaml_extra=extra)
    with pytest.warns(UserWarning, match=rf"data\.yaml: key '{key}' .*ignored") as caught:
        ds = yolo.read(path)
    assert sum(f"key '{key}'" in str(w.message) for w in caught) == 1
    assert ds.keypoint.values.tolist() == ["keypoint_0", "keypoint_1", "keypoint_2"]
    assert "skeleton_edges" not in ds
    np.testing.assert_array_equal(  # the keypoints are read all the same
        ds.position.sel(time=2, individual="untracked_0").transpose("keypoint", "space"),
        [[32, 8], [32, 24], [32, 16]],
    )


def test_more_node_names_than_keypoints_name_them_by_the_first_as_sleap_io(tmp_path):
    path = dataset(tmp_path, yaml_extra="node_names: [head, left, right, tail]\n")
    with pytest.warns(UserWarning, match=r"key 'node_names'.*4 names for the 3 keypoints"):
        ds = yolo.read(path)
    assert ds.keypoint.values.tolist() == ["head", "left", "right"]


def test_kpt_names_win_over_node_names(tmp_path):
    extra = "kpt_names: {0: [h, l, r]}\nnode_names: [head, left, right]\n"
    assert yolo.read(dataset(tmp_path, yaml_extra=extra)).keypoint.values.tolist() == [
        "h",
        "l",
        "r",
    ]


def test_a_yolo_dataset_sleap_io_writes_keeps_its_names_and_edges(tmp_path):
    sio = pytest.importorskip("sleap_io")
    files = []
    for i in range(2):
        files.append(str(tmp_path / f"img{i}.png"))
        Image.new("RGB", (64, 48)).save(files[-1])
    skeleton = sio.Skeleton(["nose", "tail"], edges=[("nose", "tail")])
    video = sio.Video.from_filename(files)
    frames = [
        sio.LabeledFrame(
            video=video,
            frame_idx=i,
            instances=[
                sio.Instance.from_numpy(np.array([[10.0, 12.0], [20.0, 22.0]]), skeleton=skeleton)
            ],
        )
        for i in range(2)
    ]
    labels_written = sio.Labels(frames, videos=[video], skeletons=[skeleton])
    sio.save_ultralytics(
        labels_written, str(tmp_path / "yolo"), split_ratios={"train": 0.5, "val": 0.5}
    )
    ds = posebridge.load(tmp_path / "yolo" / "data.yaml")
    assert ds.keypoint.values.tolist() == skeleton.node_names
    assert ds.skeleton_edges.values.tolist() == [["nose", "tail"]]


def test_roboflow_tree_and_relative_entries(tmp_path):
    for split in ("train", "valid"):
        (tmp_path / split / "images").mkdir(parents=True)
        (tmp_path / split / "labels").mkdir(parents=True)
        Image.new("RGB", (100, 100)).save(tmp_path / split / "images" / f"{split}_x.rf.1.jpg")
        (tmp_path / split / "labels" / f"{split}_x.rf.1.txt").write_text(ROWS_B)
    path = tmp_path / "data.yaml"
    path.write_text(
        "train: ../train/images\nval: ../valid/images\nkpt_shape: [3, 3]\nnames: ['a', 'b']\n"
    )
    ds = posebridge.load(path)
    assert ds.image_path.values.tolist() == [
        "train/images/train_x.rf.1.jpg",
        "valid/images/valid_x.rf.1.jpg",
    ]
    assert ds.data_split.values.tolist() == ["train", "val"]


def test_images_in_subfolders_come_in_pathlib_order(tmp_path):
    """Folders compare part by part ('a' before 'a-b', though '-' sorts before '/')."""
    images = tmp_path / "images"
    names = ["a-b/x.png", "a/x.png", "A/x.png", "a/b/c/x.png", "a/X.png", "b.png", ".h.png"]
    for name in names:
        (images / name).parent.mkdir(parents=True, exist_ok=True)
        Image.new("RGB", (10, 10)).save(images / name)
    (images / "folder.png").mkdir()  # a folder is no image
    (tmp_path / "labels" / "a").mkdir(parents=True)
    (tmp_path / "labels" / "a" / "X.txt").mkdir()  # nor a label file
    (tmp_path / "labels" / "b.txt").write_text("0 0.5 0.5 1 1 0.1 0.2 2 0.3 0.4 2 0.5 0.6 2\n")
    path = tmp_path / "data.yaml"
    path.write_text("train: images\nkpt_shape: [3, 3]\nnames: ['a']\n")
    ds = yolo.read(path)
    shown = sorted(images / n for n in names if not n.startswith("."))  # hidden: left out
    expected = [p.relative_to(tmp_path).as_posix() for p in shown]
    assert ds.image_path.values.tolist() == expected
    assert ds.position.count().item() == 6  # b.png's three points, nothing from the folder


def test_numbers_are_read_as_python_reads_them(tmp_path):
    tokens = ["+0.5", ".25", "5.", "1e-1", "2.5E-01", "-0", "00001", "0.30000000000000004"]
    path = dataset(tmp_path, rows_a="0 {} {} {} {} {} {} 2 {} {} 2 0 0 0".format(*tokens))
    row = yolo.read(path).bbox.sel(time=0, individual="untracked_0").values
    cx, cy, w, h = (float(t) for t in tokens[:4])
    np.testing.assert_array_equal(row, [(cx - w / 2) * 200, (cy - h / 2) * 100, w * 200, h * 100])
    points = yolo.read(path).position.sel(time=0, individual="untracked_0", keypoint="keypoint_0")
    assert points.values.tolist() == [float(tokens[4]) * 200, float(tokens[5]) * 100]
    assert str(float(tokens[5])) == "-0.0" and np.signbit(points.values[1])
    second = yolo.read(path).position.sel(time=0, individual="untracked_0", keypoint="keypoint_1")
    assert second.values.tolist() == [float(tokens[6]) * 200, float(tokens[7]) * 100]


def test_a_path_that_no_longer_exists_falls_back_to_the_yaml_folder(tmp_path):
    path = dataset(tmp_path, yaml_extra="path: /nowhere/datasets/ants\n")
    with pytest.warns(UserWarning, match="does not exist"):
        ds = yolo.read(path)
    assert ds.sizes["time"] == 3


def test_two_column_keypoints_are_all_kept(tmp_path):
    path = dataset(tmp_path, rows_a="0 0.5 0.5 1 1 0.1 0.2 0 0 0.5 0.5")
    path.write_text(path.read_text().replace("[3, 3]", "[3, 2]"))
    (tmp_path / "labels" / "val" / "b.txt").write_text("")
    ds = yolo.read(path)
    assert "visible" not in ds
    assert ds.position.sel(
        time=0, individual="untracked_0", keypoint="keypoint_1"
    ).values.tolist() == [
        0,
        0,
    ]


def test_round_trip_through_a_new_tree(tmp_path):
    ds = yolo.read(dataset(tmp_path / "in"))
    out = tmp_path / "out"
    out.mkdir()
    written = yolo.write(ds, out / "data.yaml")
    assert written[0] == out / "data.yaml"
    assert (out / "labels" / "train" / "empty.txt").read_text() == ""
    # the images were not copied: read with the sizes the dataset holds
    for image, width, height in zip(
        ds.image_path.values, ds.image_width.values, ds.image_height.values, strict=True
    ):
        (out / image).parent.mkdir(parents=True, exist_ok=True)
        Image.new("RGB", (int(width), int(height))).save(out / image)
    back = yolo.read(out / "data.yaml")
    expected = ds.copy()
    back.attrs, expected.attrs = {}, {}
    xr.testing.assert_allclose(back, expected)
    assert back.skeleton_symmetries.values.tolist() == ds.skeleton_symmetries.values.tolist()


def test_writing_labels_of_video_frames_needs_sizes(tmp_path):
    ds = labels.from_numpy(np.ones((2, 2, 2, 1)) * 5, video=["v.mp4"] * 2, frame=[3, 9])
    with pytest.raises(SchemaError, match="image_size"):
        yolo.write(ds, tmp_path / "data.yaml")
    written = yolo.write(ds, tmp_path / "data.yaml", image_size=(10, 10))
    assert [p.relative_to(tmp_path).as_posix() for p in written[1:]] == [
        "train/labels/v_000003.txt",
        "train/labels/v_000009.txt",
    ]
    back = yolo.read(tmp_path / "data.yaml", image_size=(10, 10))
    np.testing.assert_allclose(back.position.values, ds.position.values)


def test_negative_frame_numbers_are_refused_naming_the_file_and_the_frame(tmp_path):
    """Frames -5 and -1 were written as frame_-00005.txt and read back as frames 5 and 1."""
    position = np.arange(12, dtype=float).reshape(3, 2, 2, 1) + 10
    ds = posebridge.from_numpy(position).assign_coords(time=np.array([-5, -1, 3]))
    target = tmp_path / "data.yaml"
    with pytest.raises(SchemaError, match=r"data\.yaml: .*time step 0 is frame -5"):
        posebridge.save(ds, target, format="yolo", image_size=(200, 200))
    assert list(tmp_path.iterdir()) == []


def test_skeleton_edges_are_written_as_sleap_ios_node_names_and_skeleton(tmp_path):
    """The edges had no place in the data.yaml: not written, with a warning."""
    import yaml

    ds = posebridge.from_numpy(np.full((1, 2, 3, 1), 5.0), keypoint_names=["a", "b", "c"])
    edges = [["c", "a"], ["a", "b"], ["a", "elsewhere"]]  # the last names no keypoint
    ds["skeleton_edges"] = (("edge", "edge_node"), np.array(edges))
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        warnings.filterwarnings("ignore", message=".*Ultralytics' training size")
        yolo.write(ds, tmp_path / "data.yaml", image_size=(10, 10))
    written = yaml.safe_load((tmp_path / "data.yaml").read_text())
    assert written["node_names"] == ["a", "b", "c"]
    assert written["skeleton"] == [[2, 0], [0, 1]]
    back = yolo.read(tmp_path / "data.yaml", image_size=(10, 10))
    assert back.skeleton_edges.values.tolist() == edges[:2]


def test_frames_of_a_video_take_the_video_size_with_a_warning(tmp_path):
    """A dataset that states its video's frame size (a SLEAP file's video) was refused
    ("pass image_size=") though every row is a frame of that video."""
    position = np.array([[[[5.0]], [[30.0]]], [[[35.0]], [[2.0]]]])  # (time, space, kp, ind)
    ds = posebridge.from_numpy(position, keypoint_names=["nose"])
    ds = ds.assign_attrs(video_path="v.mp4", video_width=40, video_height=32)
    with pytest.warns(UserWarning, match=r"40x32.*image_size=\(40, 32\)"):
        written = yolo.write(ds, tmp_path / "data.yaml")
    rows = written[1].read_text().split()
    assert [float(v) for v in rows[5:7]] == [5 / 40, 30 / 32]  # pixels over the video's size
    back = yolo.read(tmp_path / "data.yaml", image_size=(40, 32))
    np.testing.assert_allclose(back.position.values, ds.position.values)


def test_still_images_do_not_take_the_video_size(tmp_path):
    ds = labels.from_numpy(np.ones((1, 2, 2, 1)) * 5, image_path=["im/a.png"])
    ds = ds.assign_attrs(video_width=40, video_height=32)
    with pytest.raises(SchemaError, match="image_size"):
        yolo.write(ds, tmp_path / "data.yaml")


def test_labelled_frames_of_one_video_and_only_they_take_the_video_size(tmp_path):
    """A labels dataset always has an image_path coord ("" for frames of a video): its
    video frames were refused ("pass image_size=") though the video's size was known."""
    position = np.array([[[[5.0]], [[30.0]]], [[[35.0]], [[2.0]]]])  # (time, space, kp, ind)
    ds = labels.from_numpy(position, video=["v.mp4", "v.mp4"], frame=[3, 9])
    ds = ds.assign_attrs(video_width=40, video_height=32)
    assert ds.image_path.values.tolist() == ["", ""]
    with pytest.warns(UserWarning, match=r"40x32.*image_size=\(40, 32\)"):
        written = yolo.write(ds, tmp_path / "data.yaml")
    rows = written[1].read_text().split()
    assert [float(v) for v in rows[5:7]] == [5 / 40, 30 / 32]  # pixels over the video's size
    back = yolo.read(tmp_path / "data.yaml", image_size=(40, 32))
    np.testing.assert_allclose(back.position.values, ds.position.values)
    # only frames of that one video take it: a still image, a second video's frame do not
    for coord, value in (("image_path", ["", "im/1.png"]), ("video", ["v.mp4", "w.mp4"])):
        other = ds.assign_coords({coord: ("time", value)})
        with pytest.raises(SchemaError, match="image_size"):
            yolo.write(other, tmp_path / "other" / "data.yaml")


def test_still_images_beside_video_frames_are_not_told_to_read_back_at_the_video_size(
    tmp_path,
):
    """Labels of a still image (its own size) and a video frame (the video's) were written
    with the advice to read them all back with image_size=(video size), which rescales the
    still image's points; the advice now leaves the still images out of it."""
    position = np.array([[[[50.0]], [[50.0]]], [[[10.0]], [[8.0]]]])  # (time, space, kp, ind)
    ds = labels.from_numpy(position, image_path=["stills/a.png", ""], video=["", "v.mp4"])
    ds = ds.assign_coords(
        frame=("time", [-1, 3]), image_width=("time", [200, -1]), image_height=("time", [100, -1])
    ).assign_attrs(video_width=100, video_height=80)
    with pytest.warns(UserWarning, match=r"image_size=\(100, 80\)") as said:
        yolo.write(ds, tmp_path / "data.yaml")
    advice = next(str(w.message) for w in said if "image_size=(100, 80)" in str(w.message))
    assert "1 still image(s)" in advice and "without image_size=" in advice


def test_an_export_over_a_larger_one_refuses_the_labels_it_would_read_back(tmp_path):
    """Writing 2 images over an export of 3 with overwrite=True left c.txt in the labels
    folder, and reading the new data.yaml gave 3 rows: an old label came back as data."""
    ds = labels.from_numpy(
        np.ones((3, 2, 2, 1)) * 5, image_path=["im/a.png", "im/b.png", "im/c.png"]
    )
    written = yolo.write(ds, tmp_path / "data.yaml", image_size=(10, 10))
    assert yolo.write(ds, tmp_path / "data.yaml", image_size=(10, 10), overwrite=True) == written
    before = {p: p.read_bytes() for p in written}
    with pytest.raises(FileExistsError, match=r"c\.txt: 1 label file\(s\) that this dataset"):
        yolo.write(
            ds.isel(time=[0, 1]), tmp_path / "data.yaml", image_size=(10, 10), overwrite=True
        )
    assert {p: p.read_bytes() for p in written} == before  # nothing written
    (tmp_path / "train" / "labels" / "c.txt").unlink()
    yolo.write(ds.isel(time=[0, 1]), tmp_path / "data.yaml", image_size=(10, 10), overwrite=True)
    assert yolo.read(tmp_path / "data.yaml", image_size=(10, 10)).sizes["time"] == 2


def test_labels_of_other_images_in_an_images_tree_are_left_to_the_tree(tmp_path):
    """With the images there, a split is read image by image: labels of images the dataset
    does not hold are the tree's own (Ultralytics reads them too), not refused."""
    root = tmp_path / "tree"
    (root / "images").mkdir(parents=True)
    for name in ("a", "b"):
        Image.new("RGB", (10, 10)).save(root / "images" / f"{name}.png")
    (root / "labels").mkdir()
    (root / "labels" / "b.txt").write_text("0 0.5 0.5 0.2 0.2 0.1 0.1 2 0.2 0.2 2\n")
    ds = labels.from_numpy(np.ones((1, 2, 2, 1)) * 5, image_path=["images/a.png"])
    yolo.write(ds, root / "data.yaml", image_size=(10, 10))
    assert yolo.read(root / "data.yaml").sizes["time"] == 2


def test_a_windows_video_path_gives_label_files_named_after_its_stem(tmp_path):
    """typical.slp's video path mixes / and \\: its whole tail became a label file name
    holding a backslash."""
    ds = posebridge.from_numpy(np.ones((2, 2, 2, 1)) * 5).assign_attrs(
        video_path="C:/sleap/tests/data/json_format_v1\\centered_pair.mp4"
    )
    written = yolo.write(ds, tmp_path / "data.yaml", image_size=(10, 10))
    assert [p.relative_to(tmp_path).as_posix() for p in written[1:]] == [
        "train/labels/centered_pair_000000.txt",
        "train/labels/centered_pair_000001.txt",
    ]


def test_detect_finds_data_yaml_by_kpt_shape(tmp_path):
    assert posebridge.detect(dataset(tmp_path)) == "yolo"


# --------------------------------------------------------------------------
# bad input


def test_wrong_column_count_names_file_and_line(tmp_path):
    path = dataset(tmp_path, rows_a=ROWS_A.replace("0.3 0.3 2", "0.3 0.3"))
    with pytest.raises(FormatError, match=r"labels/train/a\.txt: line 2: expected 14 columns.*13"):
        yolo.read(path)


def test_non_number_names_file_and_line(tmp_path):
    path = dataset(tmp_path, rows_a="0 0.5 0.5 1 1 0.1 0.2 2 x 0.5 2 0.5 0.5 2")
    with pytest.raises(FormatError, match=r"a\.txt: line 1: 'x' is not a number"):
        yolo.read(path)


@pytest.mark.parametrize("bad", ["nan", "inf", "-inf", "1e400"])
@pytest.mark.parametrize(
    "where", ["0.3 0.3 2", "1 0.2 0.2 0.1 0.1"], ids=["keypoint x", "box width"]
)
def test_a_value_that_is_not_finite_names_file_and_line(tmp_path, bad, where):
    """NaN read as a missing point, and an infinite box was kept: Ultralytics writes neither."""
    cells = where.split()
    cells[0 if len(cells) == 3 else 3] = bad
    path = dataset(tmp_path, rows_a=ROWS_A.replace(where, " ".join(cells)))
    assert bad in path.with_name("labels").joinpath("train", "a.txt").read_text()
    shown = bad if bad != "1e400" else "inf"
    with pytest.raises(FormatError, match=rf"a\.txt: line 2: {shown} where a finite number"):
        yolo.read(path)


def test_a_split_whose_folder_is_not_there_is_left_out_with_a_warning(tmp_path):
    path = dataset(tmp_path, yaml_extra="test: images/nowhere\n")
    with pytest.warns(UserWarning, match=r"the 'test' split's images \(images/nowhere\)"):
        ds = yolo.read(path)
    assert sorted(set(ds.data_split.values.tolist())) == ["train", "val"]


def test_missing_image_without_size_is_refused(tmp_path):
    path = dataset(tmp_path)
    (tmp_path / "images" / "val" / "b.jpg").unlink()
    (tmp_path / "images" / "val").rmdir()
    with pytest.raises(FormatError, match=r"labels/val/b\.txt.*image_size"):
        yolo.read(path)
    assert yolo.read(path, image_size=(64, 32)).image_path.values[-1] == "images/val/b"


@pytest.mark.parametrize(
    ("yaml_text", "message"),
    [
        ("train: images/train\nnames: [a]\n", "kpt_shape"),
        ("train: images/train\nkpt_shape: [3, 4]\nnames: [a]\n", "kpt_shape"),
        ("train: images/train\nkpt_shape: [3, 3]\nnames: [a]\nflip_idx: [0, 0, 1]\n", "flip_idx"),
        # found by fuzzing: sorting names and numbers together raised TypeError
        ("train: images/train\nkpt_shape: [3, 3]\nnames: [a]\nflip_idx: [a, 1, 2]\n", "flip_idx"),
        (
            "train: images/train\nkpt_shape: [3, 3]\nnames: [a]\nflip_idx: [0.0, 1, 2]\n",
            "flip_idx",
        ),
        ("train: images/train\nkpt_shape: [3, 3]\nnames: 5\n", "names"),
        ("kpt_shape: [3, 3]\nnames: [a]\n", "train, val, test"),
        ("train: [images/train\nkpt_shape: [3, 3]\n", "line"),
    ],
)
def test_bad_data_yaml_is_refused_naming_the_key(tmp_path, yaml_text, message):
    path = dataset(tmp_path)
    path.write_text(yaml_text)
    with pytest.raises(FormatError, match=message):
        yolo.read(path)


def test_a_huge_kpt_shape_is_refused_by_the_rows_without_allocating_it(tmp_path):
    """Found by fuzzing: kpt_shape [1e20, 3] made its keypoint names before reading a row.

    The read runs in a child process whose address space is capped at 2 GiB, so that
    a reader that allocates by kpt_shape fails this test instead of the machine.
    """
    path = dataset(tmp_path)
    path.write_text(path.read_text().replace("[3, 3]", f"[{10**20}, 3]").replace("flip", "#"))
    assert "a.txt: line 1: expected 300000000000000000005 columns" in _error_in_a_child(path)


def _error_in_a_child(path) -> str:
    """The FormatError of ``yolo.read(path)`` in a child process whose address space is
    capped at 2 GiB and whose time is limited: a reader that allocates or expands by what
    the file declares fails the test instead of the machine or the suite."""
    import subprocess
    import sys

    code = (
        "import resource, sys\n"
        "resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))\n"
        "from posebridge.errors import FormatError\n"
        "from posebridge.formats import yolo\n"
        "try:\n"
        "    yolo.read(sys.argv[1])\n"
        "except FormatError as error:\n"
        "    print(error)\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", code, str(path)], capture_output=True, text=True, timeout=120
    )
    assert run.returncode == 0, run.stderr[-2000:]
    return run.stdout


#: Nine levels of YAML aliases, each a list of nine of the level below: 9**9 (387 M)
#: "lol"s when expanded (as a repr or str of it would), one small list per level in memory.
ALIAS_BOMB = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [" + ", ".join([f"*{chr(97 + i)}"] * 9) + "]\n"
    for i in range(8)
)


@pytest.mark.parametrize(
    ("key", "yaml_text"),
    [
        ("names", "kpt_shape: [3, 3]\nnames: *i\n"),
        ("names", "kpt_shape: [3, 3]\nnames: {0: *i}\n"),
        ("kpt_names", "kpt_shape: [3, 3]\nnames: [a]\nkpt_names: {0: *i}\n"),
        ("kpt_names", "kpt_shape: [3, 3]\nnames: [a]\nkpt_names: [*i, *i, *i]\n"),
        ("flip_idx", "kpt_shape: [3, 3]\nnames: [a]\nflip_idx: *i\n"),
        ("kpt_shape", "kpt_shape: *i\nnames: [a]\n"),
        ("path", "kpt_shape: [3, 3]\nnames: [a]\npath: *i\n"),
        ("train", "kpt_shape: [3, 3]\nnames: [a]\ntrain: [*i]\n"),
    ],
)
def test_a_yaml_alias_bomb_is_refused_naming_the_key_without_expanding_it(
    tmp_path, key, yaml_text
):
    """A data.yaml whose aliases expand to 387 M items where a name, a list or a folder
    goes: refused naming the key, the value shown a few levels deep. The read runs in a
    child process, so that a reader that expands the value fails (time limit) instead of
    hanging the suite."""
    path = dataset(tmp_path)
    text = ALIAS_BOMB + yaml_text
    path.write_text(text if key == "train" else text + "train: images/train\n")
    error = _error_in_a_child(path)
    assert f"key '{key}'" in error and "..." in error and len(error) < 2000


def test_class_not_in_names_is_refused(tmp_path):
    path = dataset(tmp_path, rows_a="5 0.5 0.5 1 1 0.1 0.2 2 0.1 0.5 2 0.5 0.5 2")
    with pytest.raises(FormatError, match=r"a\.txt: line 1: class 5 is not in the 'names'"):
        yolo.read(path)


@pytest.mark.parametrize("class_id", ["-5", "99999999", "99999999999999999999"])
def test_a_class_id_of_names_out_of_range_is_refused(tmp_path, class_id):
    """A table of names by class id: one id of 10**8 in 80 bytes allocated a gigabyte."""
    path = dataset(tmp_path)
    path.write_text(path.read_text() + f"  {class_id}: drone\n")
    with pytest.raises(FormatError, match=rf"key 'names': class id {class_id} is not one"):
        yolo.read(path)


def test_bad_visibility_flag_names_file_and_line(tmp_path):
    path = dataset(tmp_path, rows_a=ROWS_A.replace("0.3 0.3 2", "0.3 0.3 7"))
    with pytest.raises(FormatError, match=r"a\.txt: line 2: the visibility flag of keypoint 2"):
        yolo.read(path)


def test_a_fraction_for_a_visibility_flag_points_to_the_predictions_reader(tmp_path):
    path = dataset(tmp_path, rows_a=ROWS_A.replace("0.3 0.3 2", "0.3 0.3 0.91"))
    with pytest.raises(FormatError, match=r"is 0\.91; .*format='yolo-predictions'"):
        yolo.read(path)


def test_hidden_files_and_folders_are_not_images_or_labels(tmp_path):
    # Ultralytics' glob("**/*.*") skips them: a macOS "._a.png" resource file beside each
    # image, Jupyter's ".ipynb_checkpoints" copies of label files
    path = dataset(tmp_path / "with")
    images = tmp_path / "with" / "images" / "train"
    (images / "._a.png").write_bytes(b"\x00\x05\x16\x07" + bytes(4000))
    (images / ".cache").mkdir()
    Image.new("RGB", (10, 10)).save(images / ".cache" / "thumb.png")
    expected = yolo.read(dataset(tmp_path / "without"))
    got = yolo.read(path)
    assert got.image_path.values.tolist() == expected.image_path.values.tolist()
    shutil.rmtree(tmp_path / "with" / "images")  # labels only: listed from labels/
    checkpoints = tmp_path / "with" / "labels" / "train" / ".ipynb_checkpoints"
    checkpoints.mkdir()
    (checkpoints / "a-checkpoint.txt").write_text(ROWS_A)
    (tmp_path / "with" / "labels" / "train" / "._a.txt").write_bytes(bytes(60))
    labels_only = yolo.read(path, image_size=(10, 10))
    assert [Path(p).name for p in labels_only.image_path.values.tolist()] == ["a", "b"]


def test_quoted_class_ids_are_class_numbers_as_ultralytics_reads_them(tmp_path):
    path = dataset(tmp_path)
    text = path.read_text().replace("  0: queen\n  1: worker\n", "  '0': queen\n  '1': worker\n")
    path.write_text(text + "kpt_names:\n  '0': [head, left, right]\n")
    ds = yolo.read(path)
    assert ds.keypoint.values.tolist() == ["head", "left", "right"]
    assert set(ds.category.values[ds.category_id.values >= 0].tolist()) == {"queen", "worker"}


def test_writer_refuses_to_overwrite(tmp_path):
    ds = yolo.read(dataset(tmp_path / "in"))
    (tmp_path / "out").mkdir()
    yolo.write(ds, tmp_path / "out" / "data.yaml")
    with pytest.raises(FileExistsError):
        yolo.write(ds, tmp_path / "out" / "data.yaml")
    assert not list((tmp_path / "out").rglob(".*partial*"))


def test_a_dataset_without_any_instance_is_refused(tmp_path):
    path = dataset(tmp_path, rows_a="")
    (tmp_path / "labels" / "val" / "b.txt").write_text("\n")
    with pytest.raises(FormatError, match="holds no instance"):
        yolo.read(path)


@pytest.mark.parametrize("size", [(0, 480), (640.5, 480), ("640", "480")])
def test_image_size_must_be_two_whole_numbers_above_zero(tmp_path, size):
    """yolo.read / yolo.write called directly (posebridge.load checks the kind first)."""
    path = dataset(tmp_path)
    with pytest.raises(SchemaError, match=r"image_size must be \(width, height\)"):
        yolo.read(path, image_size=size)
    ds = yolo.read(path)
    with pytest.raises(SchemaError, match=r"image_size must be \(width, height\)"):
        yolo.write(ds, tmp_path / "out" / "data.yaml", image_size=size)
    assert not (tmp_path / "out").exists()


def _turned_photo(path: Path, stored: tuple[int, int], orientation: int) -> None:
    """A JPEG stored ``stored`` (width, height) whose EXIF says to show it turned."""
    exif = Image.Exif()
    exif[0x0112] = orientation
    Image.new("RGB", stored).save(path, exif=exif.tobytes())


@pytest.mark.parametrize(("orientation", "shown"), [(1, (200, 100)), (3, (200, 100)),
                                                    (6, (100, 200)), (8, (100, 200))])  # fmt: skip
def test_a_photo_turned_by_its_exif_is_measured_as_shown(tmp_path, orientation, shown):
    """Ultralytics normalises by the size as shown (its exif_size; OpenCV turns the pixels)."""
    path = dataset(tmp_path)
    _turned_photo(tmp_path / "images" / "train" / "a.png", (200, 100), orientation)
    ds = yolo.read(path)
    width, height = shown
    assert (ds.image_width.values[0], ds.image_height.values[0]) == (width, height)
    a = ds.position.sel(time=0, individual="untracked_0").transpose("keypoint", "space").values
    np.testing.assert_allclose(a[:2], [[0.25 * width, 0.5 * height], [0.75 * width, 0.5 * height]])


@pytest.mark.parametrize(("x", "y"), [(67.0, 5.0), (-0.5, 5.0), (5.0, 10.5)])
def test_a_point_outside_its_image_is_written_with_a_warning(tmp_path, x, y):
    """Ultralytics leaves out a label file with a normalised coordinate above 1 or below 0;
    image_size=(10, 10) smaller than the points wrote values up to 6.7 without a word. The
    file is written (posebridge reads it back as it was) and the warning names the point."""
    position = np.full((1, 2, 2, 1), 5.0)
    position[0, :, 1, 0] = (x, y)
    ds = labels.from_numpy(position, image_path=["images/train/a.png"])
    with pytest.warns(UserWarning, match=r"keypoint 'keypoint_1' .* outside its 10 x 10 image"):
        yolo.write(ds, tmp_path / "data.yaml", image_size=(10, 10))
    back = yolo.read(tmp_path / "data.yaml", image_size=(10, 10))
    np.testing.assert_allclose(back.position.values, position)


def test_the_warning_of_points_outside_their_image_names_the_flag_on_the_command_line(tmp_path):
    """Python's advice masks with ds.where(...); the command line can give the size
    (--option 'image_size=[W,H]') and says that masking takes Python."""
    from click.testing import CliRunner

    from posebridge.cli import cli

    position = np.full((1, 2, 2, 1), 5.0)
    position[0, :, 1, 0] = (67.0, 5.0)
    source = tmp_path / "labels.nc"
    posebridge.save(labels.from_numpy(position, image_path=["images/train/a.png"]), source)
    out = tmp_path / "out" / "data.yaml"
    out.parent.mkdir()
    result = CliRunner().invoke(
        cli, ["convert", str(source), str(out), "--option", "image_size=[10,10]"]
    )
    assert result.exit_code == 0, result.output
    (line,) = [line for line in result.stderr.splitlines() if "outside its 10 x 10" in line]
    assert line.startswith("posebridge: warning: ")
    assert "Give the images' real size (--option 'image_size=[W,H]'" in line
    assert "setting such points to NaN takes Python (ds.where(...))" in line
    assert "Set such points to NaN (ds.where" not in line


def test_points_on_the_image_border_are_written(tmp_path):
    position = np.array([[[0.0], [10.0]], [[0.0], [10.0]]])[None]  # (0, 0) and (10, 10)
    ds = labels.from_numpy(position, image_path=["images/train/a.png"])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no warning on the border
        yolo.write(ds, tmp_path / "data.yaml", image_size=(10, 10))
    back = yolo.read(tmp_path / "data.yaml", image_size=(10, 10))
    np.testing.assert_array_equal(back.position.values, position)


# --------------------------------------------------------------------------
# what Ultralytics' training does with the data.yaml and label files written


def _yaml_of(path: Path) -> dict:
    import yaml

    return yaml.safe_load(path.read_text())


def test_a_dataset_without_symmetries_writes_no_flip_idx(tmp_path):
    """An identity flip_idx was written: Ultralytics then flips images left-right (it turns
    fliplr off only when flip_idx is absent) without swapping left and right keypoints."""
    ds = labels.from_numpy(
        np.arange(8.0).reshape(1, 2, 2, 2) + 1,
        image_path=["images/train/a.png"],
        keypoint_names=["left_eye", "right_eye"],
    )
    written = yolo.write(ds, tmp_path / "data.yaml", image_size=(20, 20))
    assert "flip_idx" not in _yaml_of(written[0])
    back = yolo.read(written[0], image_size=(20, 20))
    assert "skeleton_symmetries" not in back
    np.testing.assert_allclose(back.position.values, ds.position.values)


def test_symmetries_are_written_as_flip_idx_and_read_back(tmp_path):
    ds = labels.from_numpy(
        np.arange(12.0).reshape(1, 2, 3, 2) + 1,
        image_path=["images/train/a.png"],
        keypoint_names=["nose", "left_ear", "right_ear"],
    )
    ds["skeleton_symmetries"] = (("symmetry", "edge_node"), [["right_ear", "left_ear"]])
    written = yolo.write(ds, tmp_path / "data.yaml", image_size=(20, 20))
    assert _yaml_of(written[0])["flip_idx"] == [0, 2, 1]
    back = yolo.read(written[0], image_size=(20, 20))
    assert back.skeleton_symmetries.values.tolist() == [["left_ear", "right_ear"]]


def test_symmetries_that_chain_three_keypoints_are_refused(tmp_path):
    """a-b and b-c wrote flip_idx [1, 2, 1], not a permutation: Ultralytics would copy
    keypoint 1 over two and lose another, and posebridge refused its own data.yaml."""
    ds = labels.from_numpy(
        np.ones((1, 2, 3, 1)), image_path=["images/train/a.png"], keypoint_names=["a", "b", "c"]
    )
    ds["skeleton_symmetries"] = (("symmetry", "edge_node"), [["a", "b"], ["b", "c"]])
    with pytest.raises(SchemaError, match="one partner"):
        yolo.write(ds, tmp_path / "data.yaml", image_size=(20, 20))
    assert not (tmp_path / "data.yaml").exists()


def test_a_val_split_naming_the_train_folder_reads_each_image_once_quietly(tmp_path):
    """'val: images/train' (Ultralytics takes it) was refused: every image came twice,
    "Several labelled frames share a key"; then it warned, though the quick setup (which
    posebridge's writer writes without val rows) is plain from the data.yaml."""
    path = dataset(tmp_path)
    path.write_text(path.read_text().replace("val: images/val", "val: ./images/train/"))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ds = yolo.read(path)
    assert ds.image_path.values.tolist() == ["images/train/a.png", "images/train/empty.png"]
    assert ds.data_split.values.tolist() == ["train", "train"]
    np.testing.assert_allclose(ds.position.sel(individual="untracked_0").values[0, :, 0], [50, 50])


def test_an_image_listed_again_by_a_txt_list_is_read_once(tmp_path):
    path = dataset(tmp_path)
    (tmp_path / "test.txt").write_text("./images/val/b.jpg\nimages/../images/train/a.png\n")
    path.write_text(path.read_text() + "test: test.txt\n")
    with pytest.warns(
        UserWarning,
        match=r"'test' repeats 1 image\(s\) of 'train'.*'test' "
        r"repeats 1 image\(s\) of 'val'",
    ):
        ds = yolo.read(path)
    assert ds.data_split.values.tolist() == ["train", "train", "val"]


def _frames(image_path: list[str]) -> xr.Dataset:
    """One keypoint per row at (10 + 100 * row, 20): rows that differ."""
    position = np.zeros((len(image_path), 2, 1, 1))
    position[:, 0, 0, 0] = 10 + 100 * np.arange(len(image_path))
    position[:, 1, 0, 0] = 20
    return labels.from_numpy(position, image_path=image_path)


def _relative(written: list[Path], root: Path) -> list[str]:
    return [p.relative_to(root).as_posix() for p in written[1:]]


def test_images_of_several_videos_with_one_name_keep_their_video_folder(tmp_path):
    """A DeepLabCut project of two videos (labeled-data/<video>/img001.png) was refused:
    'Two rows share the label file train/labels/img001.txt'."""
    ds = _frames(["labeled-data/videoA/img001.png", "labeled-data/videoB/img001.png"])
    written = yolo.write(ds, tmp_path / "data.yaml", image_size=(640, 480))
    assert _relative(written, tmp_path) == [
        "train/labels/videoA/img001.txt",
        "train/labels/videoB/img001.txt",
    ]
    for folder in ("videoA", "videoB"):  # the user puts the images where the labels say
        (tmp_path / "train" / "images" / folder).mkdir(parents=True)
        Image.new("RGB", (640, 480)).save(tmp_path / "train" / "images" / folder / "img001.png")
    back = yolo.read(tmp_path / "data.yaml")
    assert back.image_path.values.tolist() == [
        "train/images/videoA/img001.png",
        "train/images/videoB/img001.png",
    ]
    np.testing.assert_allclose(back.position.values, ds.position.values)


def test_names_that_do_not_collide_are_written_as_before(tmp_path):
    ds = _frames(["labeled-data/videoA/img001.png", "labeled-data/videoB/img002.png"])
    written = yolo.write(ds, tmp_path / "data.yaml", image_size=(640, 480))
    assert _relative(written, tmp_path) == ["train/labels/img001.txt", "train/labels/img002.txt"]


def test_as_many_folders_are_kept_as_part_the_images(tmp_path):
    ds = _frames(["/data/a/cam/img001.png", "/data/b/cam/img001.png", "/data/c/img001.png"])
    written = yolo.write(ds, tmp_path / "data.yaml", image_size=(640, 480))
    assert _relative(written, tmp_path) == [
        "train/labels/a/cam/img001.txt",
        "train/labels/b/cam/img001.txt",
        "train/labels/data/c/img001.txt",
    ]
    back = yolo.read(tmp_path / "data.yaml", image_size=(640, 480))
    np.testing.assert_allclose(back.position.values, ds.position.values)


def test_frames_of_two_videos_with_one_name_keep_the_video_folder(tmp_path):
    ds = labels.from_numpy(
        np.ones((2, 2, 1, 1)) * 5, video=["cam1/v.mp4", "cam2/v.mp4"], frame=[3, 3]
    )
    written = yolo.write(ds, tmp_path / "data.yaml", image_size=(640, 480))
    assert _relative(written, tmp_path) == [
        "train/labels/cam1/v_000003.txt",
        "train/labels/cam2/v_000003.txt",
    ]


def test_images_that_differ_only_in_extension_are_refused_saying_what_to_do(tmp_path):
    ds = _frames(["images/train/a.png", "images/train/a.jpg"])
    with pytest.raises(SchemaError, match=r"Rows 0 and 1 share .*labels/train/a\.txt.*Rename"):
        yolo.write(ds, tmp_path / "data.yaml", image_size=(640, 480))
    assert not (tmp_path / "data.yaml").exists()


def test_boxes_that_ultralytics_drops_from_training_are_written_with_a_warning(tmp_path):
    """Centroids (one keypoint, no stored box: idtracker.ai, TRex) gave 0 x 0 boxes, which
    Ultralytics' augmentation drops (box_candidates: wider and taller than 2 px), keypoints
    and all, without a word."""
    position = np.full((2, 2, 1, 3), 50.0)
    position[1, :, 0, 2] = np.nan  # two instances in the second image
    ds = labels.from_numpy(position, image_path=["images/train/a.png", "images/train/b.png"])
    with pytest.warns(UserWarning, match=r"5 instance\(s\) have a box .* smallest: 0 x 0 px"):
        yolo.write(ds, tmp_path / "data.yaml", image_size=(100, 100))
    back = yolo.read(tmp_path / "data.yaml", image_size=(100, 100))
    np.testing.assert_allclose(back.position.values, ds.position.values)


@pytest.mark.parametrize(("width", "warned"), [(4.0, True), (4.2, False)])
def test_the_smallest_box_is_measured_at_ultralytics_training_size(tmp_path, width, warned):
    """A 1280 x 640 image is trained at 640 x 320: a box 4 px wide there is 2 px (dropped),
    4.2 px is 2.1 px (kept)."""
    ds = labels.from_numpy(np.full((1, 2, 1, 1), 50.0), image_path=["images/train/a.png"])
    ds = ds.assign_coords(box=["x", "y", "width", "height"])
    ds["bbox"] = (("time", "box", "individual"), [[[48.0], [40.0], [width], [20.0]]])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yolo.write(ds, tmp_path / "data.yaml", image_size=(1280, 640))
    said = [str(w.message) for w in caught if "box_candidates" in str(w.message)]
    assert len(said) == int(warned)
    if warned:
        assert f"smallest: {width:g} x 20 px" in said[0]


def test_coco_category_ids_become_classes_from_0_without_gaps(tmp_path):
    # COCO ids start at 1 and may skip numbers (AP-10K's one category is id 1 of 54); a
    # YOLO dataset numbers its classes 0..nc-1, names listing each
    import json

    import yaml

    gt = {
        "images": [{"id": 1, "file_name": "img1.png", "width": 40, "height": 40}],
        "annotations": [
            {"id": n, "image_id": 1, "category_id": cid, "keypoints": [5 * n, 6, 2, 7, 8 * n, 2]}
            | {"bbox": [1, 2, 30, 30], "area": 900, "iscrowd": 0, "num_keypoints": 2}
            for n, cid in ((1, 27), (2, 5))
        ],
        "categories": [
            {"id": cid, "name": name, "keypoints": ["nose", "tail"], "skeleton": [[1, 2]]}
            for cid, name in ((5, "cat"), (27, "dog"))
        ],
    }
    (tmp_path / "gt.json").write_text(json.dumps(gt))
    ds = posebridge.load(tmp_path / "gt.json")
    out = tmp_path / "yolo"
    out.mkdir()
    with pytest.warns(UserWarning, match=r"category ids \[5, 27\] are written as classes 0 to 1"):
        yolo.write(ds, out / "data.yaml", image_size=(40, 40))
    data = yaml.safe_load((out / "data.yaml").read_text())
    assert data["nc"] == 2 and data["names"] == {0: "cat", 1: "dog"}
    (label,) = out.rglob("*.txt")
    assert sorted(line.split()[0] for line in label.read_text().splitlines()) == ["0", "1"]
    back = yolo.read(out / "data.yaml", image_size=(40, 40))
    names = back.category.values[np.asarray(back.category_id.values) >= 0]
    assert sorted(names.tolist()) == ["cat", "dog"]


@pytest.mark.parametrize(
    ("categories", "names", "classes"),
    [
        (["dog", "cat", "dog"], {0: "dog", 1: "cat"}, ["0", "1", "0"]),
        (["dog", "", "cat"], {0: "dog", 1: "cat", 2: "animal"}, ["0", "2", "1"]),
        (["", "animal", "cat"], {0: "animal", 1: "cat"}, ["0", "0", "1"]),
    ],
    ids=["names-in-order-of-use", "unnamed-instance", "unnamed-joins-animal"],
)
def test_categories_named_without_ids_become_classes_in_order_of_use(
    tmp_path, categories, names, classes
):
    # Label Studio's rectangle labels give category names and no ids
    import yaml

    position = np.arange(1.0, 13.0).reshape(1, 2, 2, 3)  # (time, space, keypoint, individual)
    ds = labels.from_numpy(position, image_path=["img.png"], keypoint_names=["nose", "tail"])
    ds["category"] = (("time", "individual"), np.array([categories]))
    out = tmp_path / "yolo"
    out.mkdir()
    yolo.write(ds, out / "data.yaml", image_size=(40, 40))
    assert yaml.safe_load((out / "data.yaml").read_text())["names"] == names
    (label,) = out.rglob("*.txt")
    assert [line.split()[0] for line in label.read_text().splitlines()] == classes
    back = yolo.read(out / "data.yaml", image_size=(40, 40))
    assert back.category.values[0].tolist() == [names[int(c)] for c in classes]


@pytest.mark.parametrize(
    ("category", "names", "classes"),
    [
        (["cat", ""], {0: "cat", 1: "animal"}, ["0", "1", "0"]),
        (["animal", ""], {0: "animal"}, ["0", "0", "0"]),
    ],
    ids=["new-class", "joins-animal"],
)
def test_an_instance_without_a_category_id_is_class_animal(tmp_path, category, names, classes):
    """It was written as class 0, the other instance's class: read back as a cat."""
    import yaml

    position = np.arange(1.0, 13.0).reshape(1, 2, 2, 3)
    ds = labels.from_numpy(position, image_path=["img.png"], keypoint_names=["nose", "tail"])
    ds["category_id"] = (("time", "individual"), np.array([[0, -1, 0]]))
    ds["category"] = (("time", "individual"), np.array([category + category[:1]]))
    out = tmp_path / "yolo"
    out.mkdir()
    yolo.write(ds, out / "data.yaml", image_size=(40, 40))
    assert yaml.safe_load((out / "data.yaml").read_text())["names"] == names
    (label,) = out.rglob("*.txt")
    assert [line.split()[0] for line in label.read_text().splitlines()] == classes


def test_yolo_classes_from_0_are_written_as_they_are(tmp_path):
    ds = yolo.read(dataset(tmp_path / "in"))
    out = tmp_path / "out"
    out.mkdir()
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        yolo.write(ds, out / "data.yaml", image_size=(10, 10))
    back = yolo.read(out / "data.yaml", image_size=(10, 10))
    np.testing.assert_array_equal(back.category_id.values, ds.category_id.values)


def _ultralytics_images(yaml_path: Path, split: str) -> list[str]:
    """A split's images as Ultralytics' ``get_img_files`` finds them (paths relative to the
    data.yaml's folder): a folder's files at any depth, repeats kept; a ``.txt`` list's
    lines, ``./`` resolved against the list's folder."""
    import yaml as pyyaml

    root = yaml_path.parent
    entry = pyyaml.safe_load(yaml_path.read_text())[split]
    found: list[str] = []
    for item in entry if isinstance(entry, list) else [entry]:
        where = root / item
        if where.is_dir():
            found += [p.relative_to(root).as_posix() for p in where.rglob("*.png")]
        else:
            for line in where.read_text().splitlines():
                assert line.startswith("./"), line  # otherwise relative to the working folder
                found.append((where.parent / line[2:]).relative_to(root).as_posix())
    return sorted(found)


def test_splits_listed_from_one_folder_are_written_as_lists_and_stay_apart(tmp_path):
    """Splits read from .txt lists of one folder (Ultralytics' autosplit) were written as
    'train: images/all' and 'val: images/all': Ultralytics trained on the val images."""
    for name in ("a", "b", "c"):
        (tmp_path / "src" / "images" / "all").mkdir(parents=True, exist_ok=True)
        Image.new("RGB", (640, 480)).save(tmp_path / "src" / "images" / "all" / f"{name}.png")
    ds = _frames(["images/all/a.png", "images/all/b.png", "images/all/c.png"])
    ds = ds.assign_coords(data_split=("time", ["train", "val", "train"]))
    out = tmp_path / "out"
    out.mkdir()
    written = yolo.write(ds, out / "data.yaml", image_size=(640, 480))
    assert {out / "train.txt", out / "val.txt"} <= set(written)
    (out / "images").symlink_to(tmp_path / "src" / "images")
    assert _ultralytics_images(out / "data.yaml", "train") == [
        "images/all/a.png",
        "images/all/c.png",
    ]
    assert _ultralytics_images(out / "data.yaml", "val") == ["images/all/b.png"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no image read twice
        back = yolo.read(out / "data.yaml")
    assert dict(zip(back.image_path.values, back.data_split.values, strict=True)) == {
        "images/all/a.png": "train",
        "images/all/b.png": "val",
        "images/all/c.png": "train",
    }
    order = [list(back.image_path.values).index(image) for image in ds.image_path.values]
    np.testing.assert_allclose(back.position.values[order], ds.position.values)


def test_a_split_folder_with_subfolders_is_listed_once(tmp_path):
    """images/train/top.png and images/train/sub/s.png wrote
    'train: [images/train/sub, images/train]': Ultralytics reads a folder's subfolders,
    so it trained on s.png twice."""
    ds = _frames(["images/train/sub/s.png", "images/train/top.png", "images/val/v/x.png"])
    ds = ds.assign_coords(data_split=("time", ["train", "train", "val"]))
    written = yolo.write(ds, tmp_path / "data.yaml", image_size=(640, 480))
    for image in ds.image_path.values:
        (tmp_path / image).parent.mkdir(parents=True, exist_ok=True)
        Image.new("RGB", (640, 480)).save(tmp_path / image)
    assert not any(p.suffix == ".txt" and p.parent == tmp_path for p in written)
    assert _ultralytics_images(tmp_path / "data.yaml", "train") == [
        "images/train/sub/s.png",
        "images/train/top.png",
    ]
    assert _ultralytics_images(tmp_path / "data.yaml", "val") == ["images/val/v/x.png"]


def test_a_split_list_is_not_written_over_a_file_of_the_users(tmp_path):
    ds = _frames(["images/all/a.png", "images/all/b.png"])
    ds = ds.assign_coords(data_split=("time", ["train", "val"]))
    (tmp_path / "val.txt").write_text("my notes")
    with pytest.raises(FileExistsError, match="val.txt"):
        yolo.write(ds, tmp_path / "data.yaml", image_size=(640, 480))
    assert (tmp_path / "val.txt").read_text() == "my notes"
    assert not (tmp_path / "data.yaml").exists()


def test_a_failed_write_leaves_another_writers_files_in_the_folders_it_made(tmp_path, monkeypatch):
    """On failure the label folders made were removed with everything in them: another
    writer's finished label files (written there meanwhile) were lost."""
    import importlib

    yolo_write = importlib.import_module("posebridge.formats.yolo.write")
    real = yolo_write.atomic_outputs

    def another_writer_then_failure(targets, *, overwrite):
        (tmp_path / "train" / "labels" / "theirs.txt").write_text("0 0.5 0.5 0.1 0.1 0.5 0.5 2\n")
        raise OSError(28, "No space left on device")
        return real(targets, overwrite=overwrite)  # pragma: no cover

    monkeypatch.setattr(yolo_write, "atomic_outputs", another_writer_then_failure)
    with pytest.raises(OSError, match="No space"):
        yolo.write(_frames(["a.png"]), tmp_path / "data.yaml", image_size=(640, 480))
    assert (tmp_path / "train" / "labels" / "theirs.txt").exists()
    assert not (tmp_path / "data.yaml").exists()


@pytest.mark.parametrize("blocker", ["file", "dangling link"])
def test_a_label_folder_that_cannot_be_made_is_named(tmp_path, blocker):
    """A raw NotADirectoryError / FileExistsError naming only the folder."""
    if blocker == "file":
        (tmp_path / "train").write_text("not a folder")
        said = "train is a file, not a folder"
    else:
        (tmp_path / "train").symlink_to(tmp_path / "gone")
        said = "train is a link to nothing"
    with pytest.raises(posebridge.PoseBridgeError, match=f"label folder cannot be made .*{said}"):
        yolo.write(_frames(["a.png"]), tmp_path / "data.yaml", image_size=(640, 480))
    assert not (tmp_path / "data.yaml").exists()


def test_another_dataset_is_not_written_over_the_label_files_it_was_read_from(tmp_path):
    """`posebridge convert ds/data.yaml ds/export.yaml --overwrite` rewrote the input's own
    label files (same places under ds/): the source dataset silently took the new rows."""
    path = dataset(tmp_path)
    before = (tmp_path / "labels" / "train" / "a.txt").read_bytes()
    ds = posebridge.load(path)
    with pytest.raises(posebridge.PoseBridgeError, match=r"a\.txt: is a label file of .*data"):
        posebridge.save(ds.isel(time=[0]), tmp_path / "export.yaml", overwrite=True)
    assert (tmp_path / "labels" / "train" / "a.txt").read_bytes() == before
    assert not (tmp_path / "export.yaml").exists()
    posebridge.save(ds, path, overwrite=True)  # back where it was read from: an update
    np.testing.assert_allclose(yolo.read(path).position.values, ds.position.values)


def test_an_image_with_a_hidden_name_is_refused_as_a_read_would_skip_it(tmp_path):
    ds = labels.from_numpy(np.ones((2, 2, 2, 1)) * 5, image_path=["shots/a.png", "shots/.b.png"])
    with pytest.raises(SchemaError, match=r"\.b\.png': a name starting with '\.'"):
        yolo.write(ds, tmp_path / "data.yaml", image_size=(10, 10))


def test_rewriting_fewer_rows_into_a_tree_of_images_warns_of_the_rows_left(tmp_path):
    """20 frames, then 10 with overwrite=True: the other 10 label files stayed and read
    back as rows of the new dataset, without a word."""
    root = tmp_path / "tree"
    (root / "images").mkdir(parents=True)
    names = [f"images/f{i:02d}.png" for i in range(4)]
    for name in names:
        Image.new("RGB", (10, 10)).save(root / name)
    four = labels.from_numpy(np.ones((4, 2, 2, 1)) * 5, image_path=names)
    yolo.write(four, root / "data.yaml", image_size=(10, 10))
    with pytest.warns(UserWarning, match=r"2 image\(s\) .* no row in it .* 2 of them have a"):
        yolo.write(four.isel(time=[0, 1]), root / "data.yaml", image_size=(10, 10), overwrite=True)


@pytest.mark.parametrize("nc", ["3", "1", "true"])
def test_nc_that_is_not_the_number_of_names_is_refused(tmp_path, nc):
    """r_yolo_nc_mismatch: nc: 3 beside two names was read without a word; Ultralytics
    refuses it ("'names' length 2 and 'nc: 3' must match")."""
    path = dataset(tmp_path, yaml_extra=f"nc: {nc}\n")
    with pytest.raises(FormatError, match=r"key 'nc': .* the 2 class\(es\) that 'names' gives"):
        posebridge.load(path)


def test_irregular_timestamps_are_warned_as_not_kept(tmp_path):
    """YOLO names each row's label file by its frame (round(time x fps)): times in seconds
    off that grid are warned as not kept, as DeepLabCut's and SLEAP's writers warn, and
    times that are frame / fps say nothing (h118 finding 2)."""
    times = np.array([0.0, 0.05, 0.10, 0.20])
    ds = posebridge.from_numpy(np.full((4, 2, 1, 1), 5.0), keypoint_names=["a"], fps=25.0)
    path = tmp_path / "data.yaml"
    with pytest.warns(UserWarning, match="time in seconds is not kept") as caught:
        yolo.write(ds.assign_coords(time=times), path, image_size=(64, 48))
    said = [str(w.message) for w in caught if "time in seconds" in str(w.message)]
    assert len(said) == 1 and said[0].startswith(f"{path}:")
    with warnings.catch_warnings(record=True) as regular:
        warnings.simplefilter("always")
        (tmp_path / "regular").mkdir()
        yolo.write(ds, tmp_path / "regular" / "data.yaml", image_size=(64, 48))
    assert not [w for w in regular if "time in seconds" in str(w.message)]


def test_animals_at_one_place_are_written_as_equal_lines_with_a_warning(tmp_path):
    """Two individuals with the same class, box and keypoints make two equal label lines:
    written (and read back as two), with a warning that Ultralytics keeps one."""
    position = np.full((2, 2, 2, 3), 50.0)  # (time, space, keypoint, individual)
    position[:, :, 1, :] = 60.0
    position[1, :, :, 1] += 5.0  # apart in the second image
    ds = labels.from_numpy(
        position,
        image_path=["images/train/a.png", "images/train/b.png"],
        individual_names=["mouse", "rat", "vole"],
    )
    with pytest.warns(UserWarning, match=r"3 label line\(s\) in 2 label file\(s\) would") as got:
        yolo.write(ds, tmp_path / "data.yaml", image_size=(100, 100))
    (message,) = [str(w.message) for w in got if "would repeat" in str(w.message)]
    first = "individuals 'mouse', 'rat', 'vole' at time index 0 (image 'images/train/a.png')"
    assert first in message
    assert "'duplicate labels removed'" in message
    text = (tmp_path / "labels" / "train" / "a.txt").read_text().splitlines()
    assert len(text) == 3 and len(set(text)) == 1
    with pytest.warns(UserWarning, match=r"a\.txt line 2 \(= line 1\); .*a\.txt line 3"):
        back = yolo.read(tmp_path / "data.yaml", image_size=(100, 100))
    np.testing.assert_allclose(back.position.values, ds.position.values)


def test_the_image_size_advice_names_the_command_lines_flags(tmp_path):
    """The writer's refusal and its read-back warning said image_size=(...) on the command
    line too, which takes --option / --read-option 'image_size=[W,H]'."""
    from posebridge.errors import worded_for_command_line

    ds = labels.from_numpy(np.ones((2, 2, 2, 1)) * 5, video=["v.mp4"] * 2, frame=[3, 9])
    with pytest.raises(SchemaError) as got:
        yolo.write(ds, tmp_path / "data.yaml")
    assert worded_for_command_line(got.value).endswith(
        "pass --option 'image_size=[W,H]' (width and height in pixels)."
    )
    with pytest.warns(UserWarning, match=r"image_size=\(40, 32\)") as said:
        (tmp_path / "v").mkdir()
        yolo.write(ds.assign_attrs(video_width=40, video_height=32), tmp_path / "v" / "data.yaml")
    (advice,) = [w.message for w in said if "image_size=(40, 32)" in str(w.message)]
    assert "read them back with --read-option 'image_size=[40,32]'." in (
        worded_for_command_line(advice)
    )


def test_read_advice_is_given_with_the_command_lines_flags(tmp_path):
    """On the command line, a dataset's per-class kpt_names warned ``Pass keypoint_names=``
    and a confidence for a visibility flag said ``read as format='yolo-predictions'``;
    they now name ``--read-option`` and ``--from``, which work as spelled."""
    from click.testing import CliRunner

    from posebridge.cli import cli

    def said(*args: object) -> tuple[int, str]:
        result = CliRunner().invoke(cli, [str(a) for a in args])
        return result.exit_code, " ".join(result.output.split())

    path = dataset(
        tmp_path / "named", yaml_extra="kpt_names:\n  0: [head, left, right]\n  1: [h, l, r]\n"
    )
    code, text = said("info", path)
    assert code == 0 and "keypoint_names=" in text, text
    assert "Pass keypoint_names= " not in text, text
    assert (
        'Pass --read-option \'keypoint_names=["nose","tail",...]\' (a JSON list) to name '
        "them otherwise." in text
    ), text
    code, text = said("info", path, "--read-option", 'keypoint_names=["nose","tail","back"]')
    assert code == 0 and "keypoints 3: nose, tail, back" in text, text
    with pytest.warns(UserWarning, match="Pass keypoint_names= to name them otherwise"):
        yolo.read(path)

    scores = "0 0.5 0.5 0.5 0.5 0.25 0.5 0.9 0.75 0.5 0.8 0.1 0.1 0.91\n"  # predict's rows
    path = dataset(tmp_path / "scores", rows_a=scores)
    code, text = said("info", path)
    assert code != 0 and "format='yolo-predictions'" not in text, text
    assert "read with --from yolo-predictions (info: --format yolo-predictions)" in text, text
    labels_file = tmp_path / "scores" / "labels" / "train" / "a.txt"
    options = "--read-option", "kpt_shape=[3,3]", "--read-option", "image_size=[200,100]"
    code, text = said("info", labels_file, "--format", "yolo-predictions", *options)
    assert code == 0 and "YOLO pose predictions" in text, text
    code, text = said(
        "convert", labels_file, tmp_path / "p.nc", "--from", "yolo-predictions", *options
    )
    assert code == 0 and (tmp_path / "p.nc").is_file(), text


def test_writing_over_the_source_labels_names_overwrite_as_the_command_line_does(tmp_path):
    """``posebridge convert ds/data.yaml ds/export.yaml --overwrite`` was told the write is
    refused "even with overwrite=True"; the command line says ``--overwrite``."""
    from click.testing import CliRunner

    from posebridge.cli import cli

    path = dataset(tmp_path)
    result = CliRunner().invoke(
        cli, ["convert", str(path), str(tmp_path / "export.yaml"), "--overwrite"]
    )
    text = " ".join(result.output.split())
    assert result.exit_code != 0 and "is a label file of" in text, text
    assert "refused even with --overwrite." in text and "overwrite=True." not in text, text


def test_3d_poses_are_refused_on_the_command_line_with_what_it_can_do(tmp_path):
    """``convert`` of 3-D poses to YOLO names --to nwb / --to netcdf; selecting takes Python."""
    from click.testing import CliRunner

    from posebridge.cli import cli

    ds = posebridge.from_numpy(np.zeros((2, 3, 2, 1)))
    source = tmp_path / "3d.nc"
    posebridge.save(ds, source)
    out = tmp_path / "out" / "data.yaml"
    out.parent.mkdir()
    result = CliRunner().invoke(
        cli, ["convert", str(source), str(out), "--option", "image_size=[64,48]"]
    )
    assert result.exit_code == 1, result.output
    said = result.stderr
    assert "YOLO pose labels are 2D (x, y); this dataset has 3 spatial dimension(s)" in said
    assert "--to nwb or --to netcdf" in said
    assert "selecting x and y takes Python (ds.sel(space=['x', 'y']))" in said
    assert "one view" not in said and "select x" not in said
    assert list(out.parent.iterdir()) == []
    with pytest.raises(SchemaError, match=r"select x and y first \(ds.sel"):  # Python's words
        yolo.write(ds, out, image_size=(64, 48))
