"""COCO categories that share one keypoint list but not one skeleton.

The dataset's ``skeleton_edges`` is the first category's (with one); each other category
whose skeleton is not that one keeps its own in ``attrs["coco_categories"]``, and the
COCO writer writes every category back with its own skeleton.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import pytest

import posebridge
from posebridge.errors import FormatError
from posebridge.formats import coco

KEYPOINTS = ["head", "mid", "tail"]


def annotation(id: int, category: int) -> dict:
    return {
        "id": id, "image_id": 1, "category_id": category,
        "keypoints": [10, 20, 2, 30, 40, 2, 50, 60, 2], "num_keypoints": 3,
        "bbox": [5, 5, 50, 50], "area": 2500, "iscrowd": 0,
    }  # fmt: skip


def ground_truth(path: Path, skeletons: dict[str, list]) -> Path:
    """One image with one annotation of each category (ids 1, 2, ... in order)."""
    names = list(skeletons)
    path.write_text(
        json.dumps(
            {
                "images": [{"id": 1, "file_name": "a.png", "width": 100, "height": 80}],
                "annotations": [annotation(i + 1, i + 1) for i in range(len(names))],
                "categories": [
                    {"id": i + 1, "name": n, "keypoints": KEYPOINTS, "skeleton": skeletons[n]}
                    for i, n in enumerate(names)
                ],
            }
        )
    )
    return path


#: One skeleton per category: another, the first's edge the other way round, none.
SKELETONS = {"fish": [[1, 3]], "worm": [[1, 2], [2, 3]], "eel": [[3, 1]], "bare": []}


def as_names(skeleton: list[list[int]], base: int = 1) -> list[list[str]]:
    return [[KEYPOINTS[a - base], KEYPOINTS[b - base]] for a, b in skeleton]


def written_skeletons(path: Path) -> dict[str, list]:
    return {c["name"]: c["skeleton"] for c in json.loads(path.read_text())["categories"]}


def test_categories_read_together_keep_their_own_skeletons_without_a_warning(tmp_path):
    path = ground_truth(tmp_path / "gt.json", SKELETONS)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ds = coco.read(path)
    assert ds.skeleton_edges.values.tolist() == as_names(SKELETONS["fish"])
    saved = {c["name"]: c.get("skeleton") for c in json.loads(ds.attrs["coco_categories"])}
    # fish's is the dataset's; the others keep theirs (eel's edge runs the other way)
    assert saved == {
        "fish": None,
        "worm": as_names(SKELETONS["worm"]),
        "eel": as_names(SKELETONS["eel"]),
        "bare": [],
    }
    # results read against that ground truth keep them too
    results = tmp_path / "res.json"
    results.write_text(
        json.dumps([{"image_id": 1, "category_id": 2, "keypoints": [1, 2, 1] * 3, "score": 1}])
    )
    predictions = coco.read(results, ground_truth=path)
    assert predictions.attrs["coco_categories"] == ds.attrs["coco_categories"]
    # one category read by itself keeps its own skeleton as the dataset's
    worm = coco.read(path, category="worm")
    assert worm.skeleton_edges.values.tolist() == as_names(SKELETONS["worm"])


@pytest.mark.parametrize("through", [None, "netcdf"], ids=["coco", "coco-netcdf-coco"])
def test_each_category_is_written_back_with_its_own_skeleton(tmp_path, through):
    ds = posebridge.load(ground_truth(tmp_path / "gt.json", SKELETONS))
    if through:
        ds = posebridge.load(posebridge.save(ds, tmp_path / "mid.nc")[0])
    back = tmp_path / "back.json"
    posebridge.save(ds, back, "coco")
    assert written_skeletons(back) == SKELETONS
    again = posebridge.load(back)
    assert again.attrs["coco_categories"] == ds.attrs["coco_categories"]


def test_zero_based_skeletons_of_their_own_are_written_back_one_based(tmp_path):
    skeletons = {"fish": [[0, 2]], "worm": [[0, 1], [1, 2]]}
    ds = posebridge.load(ground_truth(tmp_path / "gt.json", skeletons))
    posebridge.save(ds, tmp_path / "back.json")
    assert written_skeletons(tmp_path / "back.json") == {
        name: [[a + 1, b + 1] for a, b in edges] for name, edges in skeletons.items()
    }


def test_a_category_of_another_source_takes_the_datasets_skeleton(tmp_path):
    ds = posebridge.load(ground_truth(tmp_path / "gt.json", SKELETONS))
    ds["category"] = ds["category"].where(ds["category"] != "bare", "newt")
    ds["category_id"] = ds["category_id"].where(ds["category"] != "newt", -1)
    posebridge.save(ds, tmp_path / "back.json")
    assert written_skeletons(tmp_path / "back.json") == {**SKELETONS, "newt": SKELETONS["fish"]}


def test_a_categorys_own_skeleton_that_does_not_fit_its_keypoints_is_refused(tmp_path):
    path = ground_truth(tmp_path / "gt.json", {"fish": [[1, 3]], "worm": [[1, 2], [2, 7]]})
    with pytest.raises(FormatError, match=r"\$\.categories\[1\]\.skeleton: indices") as error:
        coco.read(path)
    assert str(path) in str(error.value)
