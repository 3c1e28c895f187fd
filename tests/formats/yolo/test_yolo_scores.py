"""YOLO pose labels and scores.

A YOLO pose label line is ``class box x y [v] ...``: no score. Poses (predictions) with a
confidence saved to a data.yaml read back all NaN, and the writer said nothing. It now
gives the shared warning of scores not written (as the .slp and DeepLabCut writers do),
naming ``yolo-predictions``, whose files keep the scores.
"""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

import posebridge

_SIZE = (200, 200)


def scored_poses() -> xr.Dataset:
    """Poses of 2 frames, 3 keypoints, one individual, every point scored."""
    position = np.arange(2 * 2 * 3, dtype=np.float64).reshape(2, 2, 3, 1) * 7.0 + 5.0
    confidence = np.array([[[0.9], [0.05], [0.6]], [[0.2], [0.8], [0.99]]])
    return posebridge.from_numpy(position, confidence, keypoint_names=["a", "b", "c"])


def test_poses_saved_as_a_yolo_dataset_warn_that_their_scores_are_not_written(tmp_path):
    ds = scored_poses()
    path = tmp_path / "data.yaml"
    with pytest.warns(UserWarning) as caught:
        posebridge.save(ds, path, image_size=_SIZE)
    scored = [str(w.message) for w in caught if "confidence" in str(w.message)]
    assert len(scored) == 1
    assert scored[0].startswith(f"{path}: the poses' confidence (6 score(s)) is not written")
    assert "'yolo-predictions'" in scored[0]
    back = posebridge.load(path, image_size=_SIZE)
    assert np.isnan(back.confidence.values).all()  # what the warning says
