"""Every COCO, YOLO pose and Label Studio file of the corpus, checked against the file
itself (json.load, numpy on the label rows, ElementTree on the configs), and carried
through a write / read round trip.
"""

from __future__ import annotations

import json
import warnings
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest
import xarray as xr
import yaml

import posebridge
from _corpus import CORPUS, corpus_params, corpus_path
from posebridge.model import labels

COCO_GT = corpus_params("coco", "test_*.json")
COCO_RESULTS = corpus_params("coco", "*_results.json")
YOLO = "yolo_pose/cow.v1i.yolov8/data.yaml"
LS_FILES = {
    "labelstudio/test_export_yolo/data_keypoints.json": "label_config_keypoints.xml",
    "labelstudio/test_export_coco/data.json": "label_config.xml",
}


def load(path: Path, **options) -> xr.Dataset:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return posebridge.load(path, **options)


def rank_in_image(image_ids: list[int]) -> list[int]:
    seen: dict[int, int] = {}
    ranks = []
    for image in image_ids:
        ranks.append(seen.get(image, 0))
        seen[image] = ranks[-1] + 1
    return ranks


@pytest.mark.parametrize("path", COCO_GT)
def test_coco_ground_truth_matches_json(path):
    content = json.loads(path.read_text())
    ds = load(path)
    assert posebridge.detect(path) == "coco"
    assert labels.is_labels(ds)
    images = content["images"]
    assert ds.image_path.values.tolist() == [i["file_name"] for i in images]
    assert ds.image_id.values.tolist() == [i["id"] for i in images]
    assert ds.image_width.values.tolist() == [i["width"] for i in images]
    assert ds.image_height.values.tolist() == [i["height"] for i in images]
    categories = {c["id"]: c for c in content["categories"]}
    first = content["categories"][0]
    assert ds.keypoint.values.tolist() == first["keypoints"]
    row_of = {i["id"]: n for n, i in enumerate(images)}
    annotations = content["annotations"]
    ranks = rank_in_image([a["image_id"] for a in annotations])
    for annotation, rank in zip(annotations, ranks, strict=True):
        at = {"time": row_of[annotation["image_id"]], "individual": f"untracked_{rank}"}
        kp = np.asarray(annotation["keypoints"], dtype=float).reshape(-1, 3)
        expected = np.where((kp[:, 2] > 0)[:, None], kp[:, :2], np.nan)
        got = ds.position.sel(at).transpose("keypoint", "space").values
        np.testing.assert_array_equal(got, expected)
        np.testing.assert_array_equal(ds.bbox.sel(at).values, annotation["bbox"])
        assert ds.category.sel(at).item() == categories[annotation["category_id"]]["name"]
    skeleton = np.asarray(first.get("skeleton", []))
    if skeleton.size == 0:
        assert "skeleton_edges" not in ds
    else:
        base = 0 if skeleton.min() == 0 else 1
        names = np.asarray(first["keypoints"])[skeleton - base]
        assert ds.skeleton_edges.values.tolist() == names.tolist()


@pytest.mark.parametrize("path", COCO_RESULTS)
def test_coco_results_match_json(path):
    content = json.loads(path.read_text())
    ds = load(path)
    assert not labels.is_labels(ds)
    image_ids = list(dict.fromkeys(r["image_id"] for r in content))
    assert ds.image_id.values.tolist() == image_ids
    ranks = rank_in_image([r["image_id"] for r in content])
    for result, rank in zip(content, ranks, strict=True):
        at = {"time": image_ids.index(result["image_id"]), "individual": f"untracked_{rank}"}
        kp = np.asarray(result["keypoints"], dtype=float).reshape(-1, 3)
        got = ds.position.sel(at).transpose("keypoint", "space").values
        np.testing.assert_array_equal(got, kp[:, :2])  # results never drop a point
        np.testing.assert_array_equal(ds.confidence.sel(at).values, kp[:, 2])
        assert ds.instance_score.sel(at).item() == result["score"]


@pytest.mark.parametrize("path", [*COCO_GT, *COCO_RESULTS])
def test_coco_round_trip(path, tmp_path):
    ds = load(path)
    (written,) = posebridge.save(ds, tmp_path / "out.json")
    back = load(written)
    expected = ds.copy()
    for item in (back, expected):
        item.attrs.pop("source_file")
    xr.testing.assert_identical(back, expected)


def test_coco_results_take_names_from_a_ground_truth():
    results = corpus_path("coco/person_keypoints_val2014_fakekeypoints100_results.json")
    names = [f"kp{i}" for i in range(17)]
    ds = load(results, keypoint_names=names)
    assert ds.keypoint.values.tolist() == names


def label_rows(path: Path, k: int) -> np.ndarray:
    return np.loadtxt(path, ndmin=2).reshape(-1, 5 + 3 * k)


def test_yolo_dataset_matches_label_rows():
    path = corpus_path(YOLO)
    config = yaml.safe_load(path.read_text())
    k, ndim = config["kpt_shape"]
    ds = load(path, image_size=(640, 640))
    assert posebridge.detect(path) == "yolo"
    label_files = sorted((path.parent / "train" / "labels").glob("*.txt"))
    label_files += sorted((path.parent / "valid" / "labels").glob("*.txt"))
    label_files += sorted((path.parent / "test" / "labels").glob("*.txt"))
    assert ds.sizes["time"] == len(label_files)
    for row, label in enumerate(label_files):
        assert ds.image_path.values[row] == label.relative_to(path.parent).with_suffix(
            ""
        ).as_posix().replace("/labels/", "/images/")
        values = label_rows(label, k)
        for instance, line in enumerate(values):
            points = line[5:].reshape(k, ndim)
            expected = np.where((points[:, 2] > 0)[:, None], points[:, :2] * 640, np.nan)
            got = ds.position.isel(time=row, individual=instance).transpose("keypoint", "space")
            np.testing.assert_allclose(got.values, expected, rtol=1e-15)
            assert (
                ds.category.isel(time=row, individual=instance).item()
                == config["names"][int(line[0])]
            )
    assert ds.data_split.values.tolist() == ["train"] * 4 + ["val", "test"]


def test_yolo_round_trip_rewrites_the_label_rows(tmp_path):
    path = corpus_path(YOLO)
    ds = load(path, image_size=(640, 640))
    written = posebridge.save(ds, tmp_path / "data.yaml", format="yolo")
    for label in written[1:]:
        original = path.parent / label.relative_to(tmp_path)
        np.testing.assert_allclose(
            np.loadtxt(label, ndmin=2), np.loadtxt(original, ndmin=2), rtol=1e-15
        )
    back = load(written[0], image_size=(640, 640))
    for item in (back, ds):
        item.attrs.pop("source_file", None)
    xr.testing.assert_allclose(back, ds)


@pytest.mark.parametrize("relative", list(LS_FILES))
def test_labelstudio_export_matches_json_and_config(relative):
    path = corpus_path(relative)
    config = path.parent / LS_FILES[relative]
    tasks = json.loads(path.read_text())
    ds = load(path, label_config=config)
    assert posebridge.detect(path) == "labelstudio"
    tool = next(e for e in ET.parse(config).getroot().iter() if e.tag == "KeyPointLabels")
    entries = sorted(tool, key=lambda e: int(e.get("model_index")))
    assert ds.keypoint.values.tolist() == [e.get("value") for e in entries]
    assert ds.image_path.values.tolist() == [t["data"]["image"] for t in tasks]
    for row, task in enumerate(tasks):
        items = [r for r in task["annotations"][0]["result"] if r["type"] == "keypointlabels"]
        for item in items:
            name = item["value"]["keypointlabels"][0]
            x = item["value"]["x"] / 100 * item["original_width"]
            y = item["value"]["y"] / 100 * item["original_height"]
            found = ds.position.sel(time=row, keypoint=name).transpose("individual", "space")
            hits = [i for i, xy in enumerate(found.values) if np.allclose(xy, [x, y])]
            assert len(hits) == 1, (name, found.values, x, y)
        parents = {r.get("parentID") for r in items}
        if parents == {None}:  # no rectangles as parents: all points form one instance
            assert np.isfinite(ds.position.sel(time=row)).all("space").any("keypoint").sum() == 1


@pytest.mark.parametrize("relative", list(LS_FILES))
def test_labelstudio_round_trip(relative, tmp_path):
    path = corpus_path(relative)
    ds = load(path, label_config=path.parent / LS_FILES[relative])
    written = posebridge.save(
        ds, tmp_path / "tasks.json", format="labelstudio", label_config=tmp_path / "config.xml"
    )
    back = load(written[0], label_config=written[1])
    np.testing.assert_allclose(
        back.position.values[np.isfinite(ds.position.values)],
        ds.position.values[np.isfinite(ds.position.values)],
    )
    assert back.keypoint.values.tolist() == ds.keypoint.values.tolist()
    assert back.image_path.values.tolist() == ds.image_path.values.tolist()


def test_corpus_folders_exist_for_these_formats():
    if not CORPUS.is_dir():
        pytest.skip("no corpus")
    for folder in ("coco", "yolo_pose", "labelstudio"):
        assert (CORPUS / folder).is_dir()
