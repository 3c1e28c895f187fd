"""An identity ``flip_idx`` survives a YOLO round trip; none is invented.

Ultralytics flips training images left-right only when data.yaml has ``flip_idx``. An
identity one (no keypoint has a mirror partner: a cow's spine points) says flips are
right and swap nothing; ``skeleton_symmetries`` holds pairs only, so the writer left the
key out and Ultralytics turned its flips off.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest
import yaml
from PIL import Image

import posebridge
from _corpus import corpus_path
from posebridge.formats import yolo
from posebridge.formats.yolo import predictions


def tree(tmp_path: Path, yaml_extra: str) -> Path:
    """One image with one instance of two keypoints, and its data.yaml."""
    (tmp_path / "images" / "train").mkdir(parents=True)
    (tmp_path / "labels" / "train").mkdir(parents=True)
    Image.new("RGB", (200, 100)).save(tmp_path / "images" / "train" / "a.png")
    (tmp_path / "labels" / "train" / "a.txt").write_text(
        "0 0.5 0.5 0.5 0.5 0.25 0.5 2 0.75 0.5 2\n"
    )
    path = tmp_path / "data.yaml"
    path.write_text("train: images/train\nkpt_shape: [2, 3]\nnames: [cow]\n" + yaml_extra)
    return path


def written_yaml(ds, path: Path) -> dict:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yolo.write(ds, path)
    return yaml.safe_load(path.read_text())


def test_an_identity_flip_idx_is_written_back(tmp_path):
    source = tree(tmp_path / "in", "flip_idx: [0, 1]\n")
    ds = yolo.read(source)
    assert ds.attrs["yolo_flip_idx"] == "identity"
    assert "skeleton_symmetries" not in ds
    (tmp_path / "out").mkdir()
    assert written_yaml(ds, tmp_path / "out" / "data.yaml")["flip_idx"] == [0, 1]
    # a source without flip_idx gets none: Ultralytics must not flip what nobody said it may
    bare = yolo.read(tree(tmp_path / "bare", ""))
    assert "yolo_flip_idx" not in bare.attrs
    (tmp_path / "bare_out").mkdir()
    assert "flip_idx" not in written_yaml(bare, tmp_path / "bare_out" / "data.yaml")


def test_pairs_are_still_written_from_the_symmetries_not_the_identity(tmp_path):
    ds = yolo.read(tree(tmp_path / "in", "flip_idx: [1, 0]\n"))
    assert "yolo_flip_idx" not in ds.attrs
    ds = ds.assign_attrs(yolo_flip_idx="identity")  # pairs win over the attribute
    (tmp_path / "out").mkdir()
    assert written_yaml(ds, tmp_path / "out" / "data.yaml")["flip_idx"] == [1, 0]
    # the attribute alone (symmetries dropped) gives the identity
    (tmp_path / "out2").mkdir()
    alone = ds.drop_vars("skeleton_symmetries")
    assert written_yaml(alone, tmp_path / "out2" / "data.yaml")["flip_idx"] == [0, 1]


def test_predictions_read_with_an_identity_dataset_yaml_write_it_back(tmp_path):
    data = tree(tmp_path / "model", "flip_idx: [0, 1]\n")
    run = tmp_path / "run" / "labels"
    run.mkdir(parents=True)
    (run / "clip_1.txt").write_text("0 0.5 0.5 0.2 0.2 0.25 0.5 0.9 0.75 0.5 0.8\n")
    ds = predictions.read(run, dataset=data, image_size=(200, 100))
    assert ds.attrs["yolo_flip_idx"] == "identity"
    (tmp_path / "out").mkdir()
    assert written_yaml(ds, tmp_path / "out" / "data.yaml")["flip_idx"] == [0, 1]


def test_the_corpus_cow_datasets_flip_idx_survives_a_round_trip(tmp_path):
    source = corpus_path("yolo_pose/cow.v1i.yolov8/data.yaml")
    expected = yaml.safe_load(source.read_text())["flip_idx"]
    if expected != list(range(len(expected))):
        pytest.skip("the corpus data.yaml's flip_idx is no longer the identity")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ds = posebridge.load(source, image_size=(640, 640))
        posebridge.save(ds, tmp_path / "data.yaml")
    assert yaml.safe_load((tmp_path / "data.yaml").read_text())["flip_idx"] == expected
