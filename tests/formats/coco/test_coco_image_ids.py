"""COCO image ids that are texts (``"img_001"``), which pycocotools takes as it takes numbers.

pycocotools keys images by the JSON value itself: ``"img_001"``, ``7`` and ``"7"`` are
three images. posebridge keeps number ids as int64 and reads a file whose ids include a
text with text ids (a number as its decimal text); each file is also opened by pycocotools.
"""

from __future__ import annotations

import json
import re
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import posebridge
from posebridge.errors import FormatError
from posebridge.formats import coco

pycocotools = pytest.importorskip("pycocotools.coco")


def ground_truth(image_ids: list[Any], annotated: list[Any] | None = None) -> dict[str, Any]:
    """Images ``image_ids`` (file ``f<n>.png``); one annotation on each image of
    ``annotated`` (default: every image), its nose at x = 10 * (n + 1) for the n-th."""
    annotated = image_ids if annotated is None else annotated
    return {
        "images": [
            {"id": i, "file_name": f"f{n}.png", "width": 64, "height": 48}
            for n, i in enumerate(image_ids)
        ],
        "annotations": [
            {"id": n + 1, "image_id": i, "category_id": 1}
            | {"keypoints": [10.0 * (n + 1), 5, 2, 3, 4, 2], "num_keypoints": 2}
            | {"bbox": [1, 2, 40, 30], "area": 1200, "iscrowd": 0}
            for n, i in enumerate(annotated)
        ],
        "categories": [{"id": 1, "name": "mouse", "keypoints": ["nose", "tail"]}],
    }


def written(path: Path, content: Any) -> Path:
    path.write_text(json.dumps(content))
    return path


def opened_by_pycocotools(path: Path) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return pycocotools.COCO(str(path))


def test_text_image_ids_are_read_and_written_back_as_texts(tmp_path):
    ids = ["img_b", "img_a", "img_c"]
    path = written(tmp_path / "gt.json", ground_truth(ids, annotated=["img_c", "img_b"]))
    assert sorted(opened_by_pycocotools(path).imgs) == sorted(ids)
    ds = coco.read(path)
    assert ds.image_id.values.tolist() == ids
    noses = ds.position.sel(space="x", keypoint="nose").max("individual").values
    np.testing.assert_array_equal(noses, [20.0, np.nan, 10.0])  # img_c's is the first
    (out,) = posebridge.save(ds, tmp_path / "out.json", format="coco")
    assert [image["id"] for image in json.loads(out.read_text())["images"]] == ids
    theirs = opened_by_pycocotools(out)
    assert {a["image_id"] for a in theirs.anns.values()} == {"img_c", "img_b"}
    back = coco.read(out)
    assert back.image_id.values.tolist() == ids
    np.testing.assert_array_equal(back.position.values, ds.position.values)


def test_numbers_beside_text_ids_become_their_text(tmp_path):
    path = written(tmp_path / "gt.json", ground_truth(["img_a", 7]))
    assert set(opened_by_pycocotools(path).imgs) == {"img_a", 7}
    ds = coco.read(path)
    assert ds.image_id.values.tolist() == ["img_a", "7"]
    noses = ds.position.sel(space="x", keypoint="nose").max("individual").values
    np.testing.assert_array_equal(noses, [10.0, 20.0])


def test_results_with_text_ids_match_their_ground_truth_and_are_written_back(tmp_path):
    gt = written(tmp_path / "gt.json", ground_truth(["img_a", "img_b"]))
    results = [
        {"image_id": image, "category_id": 1, "keypoints": [x, 5, 0.9, 3, 4, 0.8], "score": 0.5}
        for image, x in (("img_b", 11.0), ("img_a", 12.0))
    ]
    path = written(tmp_path / "res.json", results)
    opened_by_pycocotools(gt).loadRes(str(path))  # pycocotools matches them
    ds = coco.read(path, ground_truth=gt)
    assert ds.image_id.values.tolist() == ["img_b", "img_a"]
    assert ds.image_path.values.tolist() == ["f1.png", "f0.png"]
    (out,) = posebridge.save(ds, tmp_path / "out.json", format="coco")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        again = opened_by_pycocotools(gt).loadRes(str(out))
    assert sorted(a["image_id"] for a in again.anns.values()) == ["img_a", "img_b"]
    alone = coco.read(path)  # without ground truth: the results' own ids
    assert alone.image_id.values.tolist() == ["img_b", "img_a"]


def test_an_id_given_as_text_and_as_number_is_refused_naming_both(tmp_path):
    # pycocotools keeps "7" and 7 apart; texts cannot: refused, not merged
    path = written(tmp_path / "gt.json", ground_truth(["7", 7]))
    assert set(opened_by_pycocotools(path).imgs) == {"7", 7}
    with pytest.raises(
        FormatError, match=r"\$\.images\[0\]\.id is '7' and \$\.images\[1\]\.id is 7"
    ):
        coco.read(path)
    results = [
        {"image_id": image, "category_id": 1, "keypoints": [1, 2, 0.9], "score": 0.5}
        for image in (7, "7")
    ]
    path = written(tmp_path / "res.json", results)
    with pytest.raises(FormatError, match=r"\$\[0\]\.image_id is 7 and \$\[1\]\.image_id is '7'"):
        coco.read(path)


def test_an_annotation_naming_a_number_image_by_its_text_is_refused(tmp_path):
    # image 7 and an annotation of image "7": pycocotools does not pair them either
    path = written(tmp_path / "gt.json", ground_truth([7], annotated=["7"]))
    assert opened_by_pycocotools(path).getAnnIds(imgIds=[7]) == []
    with pytest.raises(FormatError, match=r"\$\.annotations\[0\]\.image_id: image '7' is not"):
        coco.read(path)


def test_a_nan_image_id_is_refused_naming_the_key_and_the_nan(tmp_path):
    content = ground_truth([1])
    content["annotations"][0]["image_id"] = float("nan")
    path = written(tmp_path / "gt.json", content)  # json.dump writes NaN, pycocotools reads it
    assert np.isnan(opened_by_pycocotools(path).anns[1]["image_id"])
    with pytest.raises(FormatError, match=r"\$\.annotations\[0\]\.image_id.*NaN") as error:
        coco.read(path)
    assert str(path) in str(error.value)


def test_whole_number_ids_written_as_floats_read_as_their_integers(tmp_path):
    """Python's json writes 1.0 for an id that went through a float column (pandas with a
    NaN); pycocotools pairs it with 1, but the reader refused it in msgspec's words."""
    ids = [1.0, 2.0]
    content = ground_truth(ids)
    for annotation in content["annotations"]:
        annotation["category_id"] = 1.0
    content["categories"][0]["id"] = 1.0
    path = written(tmp_path / "gt.json", content)
    assert "1.0" in path.read_text()
    assert opened_by_pycocotools(path).getAnnIds(imgIds=[1], catIds=[1]) == [1]
    ds = coco.read(path)
    assert ds.image_id.dtype == np.int64
    assert ds.image_id.values.tolist() == [int(i) for i in ids]
    assert set(ds.category_id.values.ravel().tolist()) == {1}
    results = [{"image_id": ids[1], "category_id": 1.0, "keypoints": [1, 2, 0.5] * 2}]
    res = written(tmp_path / "res.json", results)
    assert coco.read(res).image_id.values.tolist() == [int(ids[1])]
    paired = coco.read(res, ground_truth=path)
    assert paired.image_path.values.tolist() == [content["images"][1]["file_name"]]
    assert paired.category.values.ravel().tolist() == [content["categories"][0]["name"]]


@pytest.mark.parametrize(
    ("bad", "said"),
    [
        (1.5, "is not a whole number"),
        (2.0**63, "is beyond the 64-bit integers"),  # h109: a whole number, past int64
        (1e19, "is beyond the 64-bit integers"),
        (-1e19, "is beyond the 64-bit integers"),  # h110: not "too large"
    ],
)
@pytest.mark.parametrize(
    "key",
    [
        "$.images[0].id",
        "$.annotations[0].image_id",
        "$.annotations[0].category_id",
        "$.categories[0].id",
        "$[0].image_id",
        "$[0].category_id",
    ],
)
def test_an_id_that_is_no_int64_is_refused_naming_its_key(tmp_path, key, bad, said):
    """In posebridge's words (not msgspec's "Expected `int | str`, got `float`")."""
    content: Any = ground_truth([1])
    if key.startswith("$["):  # a results file
        content = [{"image_id": 1, "category_id": 1, "keypoints": [1, 2, 0.5] * 2}]
    *parents, last = key.replace("[", ".").replace("]", "").split(".")[1:]
    record = content
    for part in parents:
        record = record[int(part)] if part.isdigit() else record[part]
    record[last] = bad
    path = written(tmp_path / "file.json", content)
    message = re.escape(f"{key}: {bad!r} {said}")
    with pytest.raises(FormatError, match=message) as error:
        coco.read(path)
    assert str(path) in str(error.value) and "Expected" not in str(error.value)
