"""COCO results and keypoint names.

A COCO results file is a list of detections whose keypoints come in the order of their
ground truth's category, which names them: the file holds no names. Predictions with
named keypoints written as results read back as keypoint_0..n without a word. The writer
now warns, naming the keypoints and the ways to keep them (ground_truth= or
keypoint_names= when reading, or ground truth); names the reader gives anyway
(keypoint_<k>), or results written with ground_truth= (whose category names them), are
not warned of.
"""

from __future__ import annotations

import warnings

import numpy as np
import xarray as xr

import posebridge

_NAMES = ["snout", "left ear", "tail base"]


def _predictions(names: list[str]) -> xr.Dataset:
    position = np.arange(3 * 2 * 3, dtype=np.float64).reshape(3, 2, 3, 1) + 10.0
    confidence = np.full((3, 3, 1), 0.5)
    return posebridge.from_numpy(position, confidence, keypoint_names=names)


def _name_warnings(save) -> list[str]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        save()
    return [str(w.message) for w in caught if "holds no keypoint names" in str(w.message)]


def test_results_warn_that_keypoint_names_read_back_numbered(tmp_path):
    ds = _predictions(_NAMES)
    path = tmp_path / "results.json"
    (message,) = _name_warnings(lambda: posebridge.save(ds, path))
    assert message.startswith(f"{path}: a COCO results file holds no keypoint names")
    assert "'snout', 'left ear', 'tail base' read back as keypoint_0..keypoint_2" in message
    for way_out in ("ground_truth=", "keypoint_names=", "kind='ground_truth'"):
        assert way_out in message
    assert posebridge.load(path).keypoint.values.tolist() == [f"keypoint_{k}" for k in range(3)]
    named = posebridge.load(path, keypoint_names=_NAMES)  # one way out, as the warning says
    assert named.keypoint.values.tolist() == _NAMES

    # nothing to say: names the reader gives, or a ground truth that names them
    numbered = _predictions([f"keypoint_{k}" for k in range(3)])
    assert _name_warnings(lambda: posebridge.save(numbered, tmp_path / "numbered.json")) == []
    gt = tmp_path / "gt.json"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # scores not written in ground truth: not the point
        posebridge.save(ds, gt, kind="ground_truth")
    against = tmp_path / "against_gt.json"
    assert _name_warnings(lambda: posebridge.save(ds, against, ground_truth=gt)) == []
    assert posebridge.load(against, ground_truth=gt).keypoint.values.tolist() == _NAMES


def test_one_named_keypoint_is_said_to_read_back_as_keypoint_0(tmp_path):
    position = np.full((2, 2, 1, 1), 10.0)
    ds = posebridge.from_numpy(position, np.full((2, 1, 1), 0.5), keypoint_names=["centroid"])
    (message,) = _name_warnings(lambda: posebridge.save(ds, tmp_path / "one.json"))
    assert "'centroid' read back as keypoint_0. Read it" in message
    assert "keypoint_0..keypoint_0" not in message
