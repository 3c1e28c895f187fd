"""COCO results and ground truth written from one project name the same images.

pycocotools pairs a result with the ground-truth image of the same ``image_id`` and
accepts any id that is among the ground truth's images, so ids that do not agree pair
predictions with the wrong frames without a word. The writers take a frame's id from
``ground_truth=`` (by file name), else from its frame number.
"""

from __future__ import annotations

import contextlib
import io
import json
import warnings
from pathlib import Path

import numpy as np
import pytest

import posebridge
from _corpus import corpus_path
from posebridge.errors import FormatError, SchemaError
from posebridge.model import labels

pytest.importorskip("pycocotools")
from pycocotools.coco import COCO
from pycocotools.cocoeval import COCOeval

SLP = "sleap_slp/labels.v002.slp"
#: The labelled frames of that file (0, 990, 440, 220, 770) that also have predicted
#: instances (110, 220, 330, 550, 660, 770, 880).
PREDICTED_FRAMES = [220, 770]


def quiet(function, *args):
    with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return function(*args)


def labels_and_predictions() -> tuple:
    path = corpus_path(SLP)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        truth = posebridge.load(path, instances="user")
        predictions = posebridge.load(path, instances="predicted")
    return truth, predictions.sel(time=PREDICTED_FRAMES)


def save(ds, path: Path, **options) -> Path:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        (written,) = posebridge.save(ds, path, "coco", **options)
    return written


def frame_of_image(gt: COCO, image_id) -> int:
    """The frame number in the name posebridge gives a video frame's image."""
    name = gt.imgs[image_id]["file_name"]
    return int(name.rsplit("/img", 1)[1].removesuffix(".png"))


def assert_paired_with_own_frames(gt_path: Path, results_path: Path, predictions) -> None:
    gt = quiet(COCO, str(gt_path))
    dt = quiet(gt.loadRes, str(results_path))
    paired = sorted({frame_of_image(gt, a["image_id"]) for a in dt.anns.values()})
    assert paired == sorted(predictions.time.values.tolist())
    # each result's keypoints are those of its own frame's predictions
    xy = predictions.position.transpose("time", "individual", "keypoint", "space").values
    for annotation in dt.anns.values():
        frame = frame_of_image(gt, annotation["image_id"])
        row = PREDICTED_FRAMES.index(frame)
        points = np.asarray(annotation["keypoints"], dtype=float).reshape(-1, 3)
        points = np.where(points[:, 2:] > 0, points[:, :2], np.nan)  # (0, 0, 0): no point
        assert any(np.allclose(points, xy[row, i], equal_nan=True) for i in range(xy.shape[1]))
    evaluation = COCOeval(gt, dt, "keypoints")
    evaluation.params.kpt_oks_sigmas = np.full(predictions.sizes["keypoint"], 0.05)
    quiet(evaluation.evaluate)
    # every predicted image has its ground truth instances to be scored against
    scored = [e for e in evaluation.evalImgs if e is not None and len(e["dtIds"])]
    assert {frame_of_image(gt, e["image_id"]) for e in scored} == set(PREDICTED_FRAMES)
    assert all(len(e["gtIds"]) > 0 for e in scored)


def test_results_with_ground_truth_option_pair_predictions_with_their_frames(tmp_path):
    truth, predictions = labels_and_predictions()
    gt_path = save(truth, tmp_path / "gt.json", image_size=(384, 384))
    results_path = save(predictions, tmp_path / "res.json", ground_truth=gt_path)
    assert_paired_with_own_frames(gt_path, results_path, predictions)


def test_default_ids_of_one_videos_labels_and_predictions_agree(tmp_path):
    truth, predictions = labels_and_predictions()
    gt_path = save(truth, tmp_path / "gt.json", image_size=(384, 384))
    results_path = save(predictions, tmp_path / "res.json")
    assert_paired_with_own_frames(gt_path, results_path, predictions)


def test_default_ids_are_frame_numbers_plus_one_for_one_video(tmp_path):
    frames = [4, 0, 9]
    ds = labels.from_numpy(np.ones((3, 2, 1, 1)), frame=frames, video=["v.mp4"] * 3)
    gt = json.loads(save(ds, tmp_path / "gt.json").read_text())
    assert [i["id"] for i in gt["images"]] == [f + 1 for f in frames]
    assert [i["file_name"] for i in gt["images"]] == [f"v/img{f:05d}.png" for f in frames]
    # two videos (frame numbers that may coincide): rows counted 1..n
    ds = labels.from_numpy(np.ones((2, 2, 1, 1)), frame=[3, 4], video=["a.mp4", "b.mp4"])
    gt = json.loads(save(ds, tmp_path / "two.json").read_text())
    assert [i["id"] for i in gt["images"]] == [1, 2]


def ground_truth_file(path: Path, ids: list, names: list[str]) -> Path:
    path.write_text(
        json.dumps(
            {
                "images": [{"id": i, "file_name": n} for i, n in zip(ids, names, strict=True)],
                "annotations": [],
                "categories": [{"id": 1, "name": "mouse", "keypoints": ["nose"]}],
            }
        )
    )
    return path


def test_rows_whose_image_is_not_in_the_ground_truth_are_refused(tmp_path):
    gt_path = ground_truth_file(tmp_path / "gt.json", [5, 6], ["a.png", "b.png"])
    ds = labels.from_numpy(np.ones((3, 2, 1, 1)), image_path=["b.png", "c.png", "d.png"])
    with pytest.raises(SchemaError, match=r"2 rows .*row 1 \('c\.png'\), row 2 \('d\.png'\)"):
        save(ds, tmp_path / "res.json", kind="results", ground_truth=gt_path)
    with pytest.raises(SchemaError, match=r"row 1 \('c\.png'\)"):
        save(ds, tmp_path / "gt_out.json", ground_truth=gt_path)
    assert not (tmp_path / "res.json").exists()


def test_results_rows_without_detections_need_no_image(tmp_path):
    gt_path = ground_truth_file(tmp_path / "gt.json", [5], ["a.png"])
    position = np.ones((2, 2, 1, 1))
    position[1] = np.nan  # nothing detected on the second image: not written
    ds = labels.from_numpy(position, image_path=["a.png", "c.png"])
    results = json.loads(
        save(ds, tmp_path / "res.json", kind="results", ground_truth=gt_path).read_text()
    )
    assert [r["image_id"] for r in results] == [5]


def test_ground_truth_ids_keep_their_json_types(tmp_path):
    gt_path = ground_truth_file(tmp_path / "gt.json", ["img_x", 7], ["f0.png", "f1.png"])
    ds = labels.from_numpy(np.ones((2, 2, 1, 1)), image_path=["f1.png", "f0.png"])
    results = json.loads(
        save(ds, tmp_path / "res.json", kind="results", ground_truth=gt_path).read_text()
    )
    assert [r["image_id"] for r in results] == [7, "img_x"]


def test_ground_truth_writer_takes_the_given_files_ids(tmp_path):
    gt_path = ground_truth_file(tmp_path / "gt.json", [10, 20, 30], ["a.png", "b.png", "c.png"])
    ds = labels.from_numpy(np.ones((2, 2, 1, 1)), image_path=["c.png", "a.png"])
    written = json.loads(save(ds, tmp_path / "subset.json", ground_truth=gt_path).read_text())
    assert [(i["id"], i["file_name"]) for i in written["images"]] == [(30, "c.png"), (10, "a.png")]
    assert [a["image_id"] for a in written["annotations"]] == [30, 10]


def test_ground_truth_option_must_be_a_ground_truth_file(tmp_path):
    results = tmp_path / "other.json"
    results.write_text(json.dumps([{"image_id": 1, "keypoints": [1, 2, 1], "score": 1}]))
    ds = labels.from_numpy(np.ones((1, 2, 1, 1)), image_path=["a.png"])
    with pytest.raises(FormatError, match="ground-truth file"):
        save(ds, tmp_path / "res.json", kind="results", ground_truth=results)


# --------------------------------------------------------------------------
# categories of results written with ground_truth=


def categories_file(path: Path, categories: dict[int, str]) -> Path:
    """A ground truth of images a.png, b.png (ids 1, 2) and the given categories."""
    path.write_text(
        json.dumps(
            {
                "images": [{"id": 1, "file_name": "a.png"}, {"id": 2, "file_name": "b.png"}],
                "annotations": [],
                "categories": [
                    {"id": i, "name": n, "keypoints": ["nose"]} for i, n in categories.items()
                ],
            }
        )
    )
    return path


def named_instances(names: list[list[str]]):
    """Labels on a.png, b.png; instance i of row t is of category ``names[t][i]``."""
    count = len(names[0])
    ds = labels.from_numpy(np.ones((2, 2, 1, count)), image_path=["a.png", "b.png"])
    return ds.assign(category=(("time", "individual"), np.asarray(names)))


def test_results_with_ground_truth_take_its_category_ids_by_name(tmp_path):
    categories = {5: "cat", 9: "dog", 2: "fox"}
    gt_path = categories_file(tmp_path / "gt.json", categories)
    names = [["dog", "cat"], ["fox", "dog"]]
    results = json.loads(
        save(
            named_instances(names), tmp_path / "res.json", kind="results", ground_truth=gt_path
        ).read_text()
    )
    id_of = {name: cid for cid, name in categories.items()}
    expected = [(t + 1, id_of[n]) for t, row in enumerate(names) for n in row]
    assert sorted((r["image_id"], r["category_id"]) for r in results) == sorted(expected)


def test_a_category_the_ground_truth_lacks_is_refused_naming_it(tmp_path):
    gt_path = categories_file(tmp_path / "gt.json", {5: "cat", 9: "dog"})
    ds = named_instances([["dog", "zebra"], ["okapi", "cat"]])
    with pytest.raises(SchemaError, match=r"categories 'zebra', 'okapi' not in .*'cat', 'dog'"):
        save(ds, tmp_path / "res.json", kind="results", ground_truth=gt_path)
    assert not (tmp_path / "res.json").exists()


def test_unnamed_results_take_the_only_category_of_the_ground_truth(tmp_path):
    gt_path = categories_file(tmp_path / "gt.json", {7: "mouse"})
    ds = labels.from_numpy(np.ones((2, 2, 1, 1)), image_path=["a.png", "b.png"])
    results = json.loads(
        save(ds, tmp_path / "res.json", kind="results", ground_truth=gt_path).read_text()
    )
    assert [r["category_id"] for r in results] == [7, 7]
    several = categories_file(tmp_path / "several.json", {7: "mouse", 8: "rat"})
    with pytest.raises(SchemaError, match="2 instances have no category"):
        save(ds, tmp_path / "res2.json", kind="results", ground_truth=several)


# --------------------------------------------------------------------------
# image ids through formats without them


def test_ids_are_the_image_name_numbers_when_they_are_the_frames(tmp_path):
    names = ["img0007.png", "img0003.png", "sub/img0012.png"]
    ds = labels.from_numpy(np.ones((3, 2, 1, 1)), image_path=names)
    gt = json.loads(save(ds, tmp_path / "gt.json").read_text())
    assert [i["id"] for i in gt["images"]] == [int(n[-8:-4]) for n in names]
    # numbers that repeat (two folders): not ids, the rows are counted 1..n as before
    ds = labels.from_numpy(np.ones((2, 2, 1, 1)), image_path=["a/img1.png", "b/img1.png"])
    gt = json.loads(save(ds, tmp_path / "repeated.json").read_text())
    assert [i["id"] for i in gt["images"]] == [1, 2]


@pytest.mark.parametrize("via", ["g.slp", "g.h5", "g.csv", "g.nwb"])
def test_coco_ground_truth_keeps_its_image_ids_through_other_formats(tmp_path, via):
    source = corpus_path("coco/test_ap10k.json")
    original = json.loads(source.read_text())
    id_of = {image["file_name"]: image["id"] for image in original["images"]}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        (hop,) = posebridge.save(posebridge.load(source), tmp_path / via)
        back = posebridge.load(hop)
    written = json.loads(save(back, tmp_path / "back.json").read_text())
    assert {i["file_name"]: i["id"] for i in written["images"]} == id_of
    annotations = {a["image_id"] for a in written["annotations"]}
    assert annotations == {a["image_id"] for a in original["annotations"]}


def test_ground_truth_written_with_ground_truth_takes_its_category_ids_by_name(tmp_path):
    """The ground-truth writer numbered its own categories (1..) even given ground_truth=,
    so results written against that ground truth, and the ground truth's own results,
    were scored against no annotation of theirs (pycocotools pairs by category_id)."""
    original = tmp_path / "original.json"
    original.write_text(
        json.dumps(
            {
                "images": [{"id": 3, "file_name": "x/img0.png", "width": 20, "height": 20}],
                "categories": [
                    {"id": 7, "name": "mouse", "keypoints": ["a", "b"], "skeleton": []}
                ],
                "annotations": [
                    {
                        "id": 1,
                        "image_id": 3,
                        "category_id": 7,
                        "keypoints": [1, 2, 2, 6, 8, 2],
                        "num_keypoints": 2,
                        "bbox": [1, 2, 5, 6],
                        "area": 30,
                        "iscrowd": 0,
                    }
                ],
            }
        )
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        read = posebridge.load(original)
    # as a format holding category names, not ids nor the file's categories, gives it
    named_only = read.drop_vars("category_id")
    named_only.attrs.pop("coco_categories")
    ours = save(named_only, tmp_path / "ours.json", kind="ground_truth", ground_truth=original)
    written = json.loads(ours.read_text())
    given = json.loads(original.read_text())
    assert {a["category_id"] for a in written["annotations"]} == {7}
    assert [(c["id"], c["name"]) for c in written["categories"]] == [
        (c["id"], c["name"]) for c in given["categories"]
    ]
    results = save(
        read.assign(confidence=read.position.isel(space=0) * 0 + 0.9),
        tmp_path / "r.json",
        kind="results",
        ground_truth=original,
    )
    gt = quiet(COCO, str(ours))
    dt = quiet(gt.loadRes, str(results))
    evaluation = COCOeval(gt, dt, "keypoints")
    evaluation.params.kpt_oks_sigmas = np.full(2, 0.05)
    for step in (evaluation.evaluate, evaluation.accumulate, evaluation.summarize):
        quiet(step)
    assert evaluation.stats[0] == pytest.approx(1.0)  # the result is its own annotation
