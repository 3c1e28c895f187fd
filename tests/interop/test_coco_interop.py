"""COCO interop: pycocotools opens what posebridge writes, and COCOeval scores it."""

from __future__ import annotations

import contextlib
import io
import json
import warnings

import numpy as np
import pytest

import posebridge
from _corpus import corpus_params, corpus_path
from posebridge.model import labels

pytest.importorskip("pycocotools")
from pycocotools.coco import COCO
from pycocotools.cocoeval import COCOeval

pytestmark = pytest.mark.interop


def quiet(function, *args):
    with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return function(*args)


@pytest.fixture
def two_videos_labels():
    rng = np.random.default_rng(8)
    position = rng.uniform(5, 300, (6, 2, 5, 3)).round(2)
    position[1, :, :, 2] = np.nan  # an absent instance
    position[2, :, 3, 0] = np.nan  # an unlabelled point
    visible = np.where(np.isfinite(position[:, 0]), 2.0, 0.0)
    visible[4, 1, 1] = 1.0
    return labels.from_numpy(
        position,
        image_path=[f"{v}/img{f:03d}.png" for v in ("a", "b") for f in (1, 2, 3)],
        individual_names=["untracked_0", "untracked_1", "untracked_2"],
        keypoint_names=["nose", "l_ear", "r_ear", "neck", "tail"],
        visible=visible,
    )


def evaluate(gt_path, results_path, keypoints: int) -> np.ndarray:
    gt = quiet(COCO, str(gt_path))
    dt = quiet(gt.loadRes, str(results_path))
    evaluation = COCOeval(gt, dt, "keypoints")
    evaluation.params.kpt_oks_sigmas = np.full(keypoints, 0.05)
    quiet(evaluation.evaluate)
    quiet(evaluation.accumulate)
    quiet(evaluation.summarize)
    return evaluation.stats


def test_pycocotools_opens_our_ground_truth(two_videos_labels, tmp_path):
    (path,) = posebridge.save(two_videos_labels, tmp_path / "gt.json")
    gt = quiet(COCO, str(path))
    assert len(gt.getImgIds()) == 6
    position = two_videos_labels.position.transpose("time", "individual", "keypoint", "space")
    present = np.isfinite(position.values).all(-1).any(-1)
    assert len(gt.getAnnIds()) == int(present.sum())
    names = gt.loadCats(gt.getCatIds())[0]["keypoints"]
    assert names == two_videos_labels.keypoint.values.tolist()
    images = {i["id"]: i["file_name"] for i in gt.loadImgs(gt.getImgIds())}
    for annotation in gt.loadAnns(gt.getAnnIds()):
        row = two_videos_labels.image_path.values.tolist().index(images[annotation["image_id"]])
        kp = np.asarray(annotation["keypoints"], dtype=float).reshape(-1, 3)
        candidates = position.values[row]
        matches = [
            i
            for i in range(candidates.shape[0])
            if np.array_equal(
                np.where(kp[:, 2:] > 0, kp[:, :2], np.nan), candidates[i], equal_nan=True
            )
        ]
        assert matches


def test_cocoeval_scores_results_equal_to_ground_truth_ap_1(two_videos_labels, tmp_path):
    (gt,) = posebridge.save(two_videos_labels, tmp_path / "gt.json")
    (results,) = posebridge.save(
        two_videos_labels, tmp_path / "res.json", format="coco", kind="results"
    )
    assert isinstance(json.loads(results.read_text()), list)
    stats = evaluate(gt, results, two_videos_labels.sizes["keypoint"])
    assert stats[0] == pytest.approx(1.0)  # AP at OKS 0.50:0.95


def test_cocoeval_scores_shifted_results_below_1(two_videos_labels, tmp_path):
    (gt,) = posebridge.save(two_videos_labels, tmp_path / "gt.json")
    shifted = two_videos_labels.copy()
    shifted["position"] = shifted.position + 15.0
    (results,) = posebridge.save(shifted, tmp_path / "res.json", format="coco", kind="results")
    stats = evaluate(gt, results, two_videos_labels.sizes["keypoint"])
    assert stats[0] < 1.0


def test_results_read_back_score_like_the_written_ones(two_videos_labels, tmp_path):
    """Results written, read and written again still evaluate to AP 1 on our GT."""
    (gt,) = posebridge.save(two_videos_labels, tmp_path / "gt.json")
    (results,) = posebridge.save(
        two_videos_labels, tmp_path / "res.json", format="coco", kind="results"
    )
    again = posebridge.save(posebridge.load(results), tmp_path / "res2.json")
    stats = evaluate(gt, again[0], two_videos_labels.sizes["keypoint"])
    assert stats[0] == pytest.approx(1.0)


@pytest.mark.parametrize("path", corpus_params("coco", "test_*.json"))
def test_corpus_ground_truth_written_back_evaluates_to_ap_1(path, tmp_path):
    ds = quiet(posebridge.load, path)
    (gt,) = posebridge.save(ds, tmp_path / "gt.json")
    (results,) = posebridge.save(ds, tmp_path / "res.json", format="coco", kind="results")
    original = quiet(COCO, str(path))
    ours = quiet(COCO, str(gt))
    assert sorted(ours.getImgIds()) == sorted(original.getImgIds())
    for annotation in original.loadAnns(original.getAnnIds()):
        mine = ours.loadAnns(ours.getAnnIds(imgIds=annotation["image_id"]))
        assert any(np.array_equal(m["keypoints"], annotation["keypoints"]) for m in mine)
        assert any(m["area"] == annotation["area"] for m in mine)
    stats = evaluate(gt, results, ds.sizes["keypoint"])
    assert stats[0] == pytest.approx(1.0)


def test_results_from_label_studio_predictions_score_their_ground_truth_fully(tmp_path):
    # Label Studio keeps category names, not COCO's ids: the results written with
    # ground_truth= take the ground truth's ids of those names
    gt_path = corpus_path("coco/test_ap10k.json")
    config = tmp_path / "config.xml"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        posebridge.save(
            posebridge.load(gt_path),
            tmp_path / "tasks.json",
            format="labelstudio",
            kind="predictions",
            label_config=config,
        )
        predictions = posebridge.load(tmp_path / "tasks.json", label_config=config)
        (results,) = posebridge.save(
            predictions, tmp_path / "res.json", format="coco", ground_truth=gt_path
        )
    truth = json.loads(gt_path.read_text())
    id_of = {c["name"]: c["id"] for c in truth["categories"]}
    written = json.loads(results.read_text())
    assert sorted(r["category_id"] for r in written) == sorted(
        id_of[str(name)] for name in np.asarray(predictions.category.values).ravel() if name
    )
    keypoints = len(truth["categories"][0]["keypoints"])
    gt = quiet(COCO, str(gt_path))
    dt = quiet(gt.loadRes, str(results))
    evaluation = COCOeval(gt, dt, "keypoints")
    evaluation.params.kpt_oks_sigmas = np.full(keypoints, 0.05)
    for step in (evaluation.evaluate, evaluation.accumulate, evaluation.summarize):
        quiet(step)
    assert evaluation.stats[0] == pytest.approx(1.0)
