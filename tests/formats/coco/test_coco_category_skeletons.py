"""COCO categories that share one keypoint list but not one skeleton.

The dataset holds one skeleton; reading such categories together keeps the first
category's and says so, naming the categories whose skeleton is not kept.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import pytest

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


def test_different_skeletons_keep_the_first_and_warn_naming_the_others(tmp_path):
    path = ground_truth(
        tmp_path / "gt.json",
        {"fish": [[1, 3]], "worm": [[1, 2], [2, 3]], "eel": [[3, 1]], "bare": []},
    )
    with pytest.warns(UserWarning, match="skeleton") as caught:
        ds = coco.read(path)
    (message,) = [str(w.message) for w in caught if "skeleton" in str(w.message)]
    # worm's differs; eel's is fish's edge the other way round; bare has none
    assert "'worm' (id 2) differs from 'fish' (id 1)" in message
    assert "eel" not in message and "bare" not in message
    assert "category=" in message
    assert ds.skeleton_edges.values.tolist() == [["head", "tail"]]
    # results read against that ground truth say the same
    results = tmp_path / "res.json"
    results.write_text(
        json.dumps([{"image_id": 1, "category_id": 2, "keypoints": [1, 2, 1] * 3, "score": 1}])
    )
    with pytest.warns(UserWarning, match="'worm' \\(id 2\\) differs"):
        coco.read(results, ground_truth=path)
    # one category read by itself keeps its own skeleton, without a word
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        worm = coco.read(path, category="worm")
    assert worm.skeleton_edges.values.tolist() == [["head", "mid"], ["mid", "tail"]]
