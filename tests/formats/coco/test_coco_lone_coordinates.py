"""COCO writers and points with one finite coordinate.

A point with x finite and y NaN (or the reverse) is a point for posebridge
(``labels.point_flags`` counts it; .slp, NWB and DeepLabCut keep it). A COCO keypoint is
``x, y, v``: it needs both, so the lone coordinate cannot be written. The writers dropped
it without a word; they now warn, naming the file and counting such points.
"""

from __future__ import annotations

import json
import warnings

import numpy as np
import pytest

import posebridge
from posebridge.model import labels


def half_points() -> np.ndarray:
    """(time 2, space 2, keypoint 3, individual 2), all points whole but three halves:
    (t0, a, i0) and (t1, b, i0) have y NaN, (t1, c, i1) has x NaN; (t0, c, i1)
    is missing entirely (no point, nothing lost)."""
    position = np.arange(1.0, 25.0).reshape(2, 2, 3, 2)
    position[0, 1, 0, 0] = np.nan
    position[1, 0, 2, 1] = np.nan
    position[1, 1, 1, 0] = np.nan
    position[0, :, 2, 1] = np.nan
    return position


def test_ground_truth_warns_of_points_with_one_finite_coordinate(tmp_path):
    ds = labels.from_numpy(half_points(), image_path=["a.png", "b.png"])
    path = tmp_path / "gt.json"
    with pytest.warns(UserWarning, match=r"gt\.json: 3 point\(s\) have one finite coordinate"):
        posebridge.save(ds, path, format="coco", image_size=(64, 64))
    annotations = json.loads(path.read_text())["annotations"]
    # what the warning says: those points are written v=0 and read back missing
    assert annotations[0]["keypoints"][0:3] == [0, 0, 0]
    back = posebridge.load(path)
    assert np.isnan(back.position.values[0, :, 0, 0]).all()
    assert np.isnan(back.position.values[1, :, 1, 0]).all()


def test_results_warn_of_points_with_one_finite_coordinate(tmp_path):
    ds = posebridge.from_numpy(half_points(), np.full((2, 3, 2), 0.5))
    with pytest.warns(UserWarning, match=r"res\.json: 3 point\(s\) have one finite coordinate"):
        posebridge.save(ds, tmp_path / "res.json", format="coco")


def test_guard_whole_points_give_no_lone_coordinate_warning(tmp_path):
    """Guard (passes before the fix too): missing and whole points are not counted."""
    position = half_points()
    position[np.isfinite(position).sum(axis=1, keepdims=True).repeat(2, axis=1) == 1] = np.nan
    ds = labels.from_numpy(position, image_path=["a.png", "b.png"])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        posebridge.save(ds, tmp_path / "gt.json", format="coco", image_size=(64, 64))
    assert not [w for w in caught if "finite coordinate" in str(w.message)]
