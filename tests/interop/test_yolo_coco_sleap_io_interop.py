"""sleap-io (a peer reader of COCO and Ultralytics datasets) opens what posebridge writes."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from PIL import Image

import posebridge
from posebridge.model import labels

sio = pytest.importorskip("sleap_io")
pytestmark = pytest.mark.interop


@pytest.fixture
def image_labels():
    """Three 64 x 48 images, two untracked animals, a missing instance and point."""
    rng = np.random.default_rng(4)
    position = rng.uniform(2, 46, (3, 2, 4, 2))
    position[1, :, :, 1] = np.nan
    position[2, :, 1, 0] = np.nan
    ds = labels.from_numpy(
        position,
        image_path=[f"im{i}.png" for i in range(3)],
        keypoint_names=["head", "neck", "body", "tail"],
        individual_names=["untracked_0", "untracked_1"],
    )
    return ds.assign_coords(image_width=("time", [64] * 3), image_height=("time", [48] * 3))


def instance_points(labels_obj) -> dict[str, list[np.ndarray]]:
    out = {}
    for frame in labels_obj.labeled_frames:
        filename = frame.video.filename
        image = filename[frame.frame_idx] if isinstance(filename, list) else filename
        name = str(image).replace("\\", "/").rsplit("/", 1)[-1]
        out[name] = [inst.numpy() for inst in frame.instances]
    return out


def ours(ds) -> dict[str, list[np.ndarray]]:
    position = ds.position.transpose("time", "individual", "keypoint", "space").values
    return {
        str(image).rsplit("/", 1)[-1]: [p for p in position[t] if np.isfinite(p).any()]
        for t, image in enumerate(ds.image_path.values)
    }


def assert_same(theirs, mine):
    assert sorted(theirs) == sorted(mine)
    for name, instances in mine.items():
        assert len(theirs[name]) == len(instances)
        for a, b in zip(theirs[name], instances, strict=True):
            np.testing.assert_allclose(a, b, rtol=1e-6)  # sleap-io may hold float32


def test_sleap_io_reads_our_yolo_dataset(image_labels, tmp_path):
    posebridge.save(image_labels, tmp_path / "data.yaml", format="yolo")
    (tmp_path / "train" / "images").mkdir(parents=True)
    for i in range(3):  # sleap-io opens the images to learn their size
        Image.new("RGB", (64, 48)).save(tmp_path / "train" / "images" / f"im{i}.png")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = sio.load_ultralytics(str(tmp_path), split="train")
    # positions must agree
    assert len(theirs.skeleton.nodes) == image_labels.sizes["keypoint"]
    assert_same(instance_points(theirs), ours(image_labels))


def test_sleap_io_reads_the_keypoint_names_and_skeleton_of_our_yolo_dataset(
    image_labels, tmp_path
):
    """The data.yaml held no node_names or skeleton: sleap-io named the nodes 0..K-1 and
    read no edges, and our own reader lost the edges too."""
    edges = [["head", "neck"], ["neck", "body"], ["body", "tail"]]
    ds = image_labels.assign(skeleton_edges=(("edge", "edge_node"), np.array(edges)))
    posebridge.save(ds, tmp_path / "data.yaml", format="yolo")
    (tmp_path / "train" / "images").mkdir(parents=True)
    for i in range(3):
        Image.new("RGB", (64, 48)).save(tmp_path / "train" / "images" / f"im{i}.png")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = sio.load_ultralytics(str(tmp_path), split="train")
    assert theirs.skeleton.node_names == ["head", "neck", "body", "tail"]
    assert [[e.source.name, e.destination.name] for e in theirs.skeleton.edges] == edges
    back = posebridge.load(tmp_path / "data.yaml")
    assert back.skeleton_edges.values.tolist() == edges


def test_sleap_io_reads_our_coco_ground_truth(image_labels, tmp_path):
    (path,) = posebridge.save(image_labels, tmp_path / "gt.json")
    for i in range(3):  # sleap-io skips annotations of images it cannot find
        Image.new("RGB", (64, 48)).save(tmp_path / f"im{i}.png")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = sio.load_coco(str(path), dataset_root=str(tmp_path))
    assert [n.name for n in theirs.skeleton.nodes] == image_labels.keypoint.values.tolist()
    assert_same(instance_points(theirs), ours(image_labels))


@pytest.fixture
def video_labels():
    """Labelled frames of a video (no images): Label Studio tasks carry them in meta.video."""
    rng = np.random.default_rng(6)
    position = rng.uniform(2, 300, (3, 2, 3, 2))
    position[0, :, :, 1] = np.nan
    return labels.from_numpy(
        position,
        video=["/data/mouse.mp4"] * 3,
        frame=[4, 17, 30],
        keypoint_names=["nose", "ear", "tail"],
        individual_names=["untracked_0", "untracked_1"],
    )


def video_frames(labels_obj) -> dict[int, list[np.ndarray]]:
    return {lf.frame_idx: [i.numpy() for i in lf.instances] for lf in labels_obj.labeled_frames}


def test_sleap_io_reads_our_label_studio_tasks(video_labels, tmp_path):
    (path,) = posebridge.save(video_labels, tmp_path / "tasks.json", format="labelstudio",
                              image_size=(320, 320))  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = sio.load_labelstudio(str(path))
    # sleap-io builds its skeleton from the labels it meets: compare by keypoint name
    order = [theirs.skeleton.node_names.index(k) for k in video_labels.keypoint.values]
    position = video_labels.position.transpose("time", "individual", "keypoint", "space").values
    found = video_frames(theirs)
    assert sorted(found) == [4, 17, 30]
    for row, frame in enumerate([4, 17, 30]):
        mine = [p for p in position[row] if np.isfinite(p).any()]
        assert len(found[frame]) == len(mine)
        for a, b in zip(found[frame], mine, strict=True):
            np.testing.assert_allclose(a[order], b, rtol=1e-12)


def test_we_read_label_studio_tasks_written_by_sleap_io(video_labels, tmp_path):
    (slp,) = posebridge.save(video_labels, tmp_path / "labels.slp")
    theirs = sio.load_slp(str(slp))
    sio.save_labelstudio(theirs, str(tmp_path / "sio.json"))
    ds = posebridge.load(tmp_path / "sio.json")
    assert labels.is_labels(ds)
    assert ds.video.values.tolist() == ["/data/mouse.mp4"] * 3
    assert ds.frame.values.tolist() == [4, 17, 30]
    names = theirs.skeleton.node_names
    for frame, instances in video_frames(theirs).items():
        row = ds.frame.values.tolist().index(frame)
        ours_now = ds.position.isel(time=row).sel(keypoint=names)
        ours_now = ours_now.transpose("individual", "keypoint", "space").values
        mine = [p for p in ours_now if np.isfinite(p).any()]
        for a, b in zip(instances, mine, strict=True):
            np.testing.assert_allclose(b, a, rtol=1e-12)
