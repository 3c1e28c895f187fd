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
    # sleap-io names the nodes point_<k> (it does not read kpt_names); positions must agree
    assert len(theirs.skeleton.nodes) == image_labels.sizes["keypoint"]
    assert_same(instance_points(theirs), ours(image_labels))


def test_sleap_io_reads_our_coco_ground_truth(image_labels, tmp_path):
    (path,) = posebridge.save(image_labels, tmp_path / "gt.json")
    for i in range(3):  # sleap-io skips annotations of images it cannot find
        Image.new("RGB", (64, 48)).save(tmp_path / f"im{i}.png")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = sio.load_coco(str(path), dataset_root=str(tmp_path))
    assert [n.name for n in theirs.skeleton.nodes] == image_labels.keypoint.values.tolist()
    assert_same(instance_points(theirs), ours(image_labels))
