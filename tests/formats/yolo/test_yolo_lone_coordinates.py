"""YOLO writers and points with one finite coordinate.

A point with x finite and y NaN (or the reverse) is a point for posebridge
(``labels.point_flags`` counts it; .slp, NWB and DeepLabCut keep it). A YOLO keypoint is
``x y [v]``: it needs both, so the lone coordinate cannot be written. The dataset and
predictions writers dropped it without a word; they now warn, naming the output and
counting such points.
"""

from __future__ import annotations

import numpy as np
import pytest

from posebridge import model
from posebridge.formats import yolo
from posebridge.formats.yolo import predictions, predictions_write
from posebridge.model import labels


def half_points() -> np.ndarray:
    """(time 2, space 2, keypoint 3, individual 1) points in a 100 x 100 image, two of them
    halves: (t0, a) has y NaN, (t1, c) has x NaN."""
    position = np.empty((2, 2, 3, 1))
    position[:, 0, :, 0] = [[10.0, 20.0, 30.0], [15.0, 25.0, 35.0]]
    position[:, 1, :, 0] = [[40.0, 50.0, 60.0], [45.0, 55.0, 65.0]]
    position[0, 1, 0, 0] = np.nan
    position[1, 0, 2, 0] = np.nan
    return position


def test_dataset_writer_warns_of_points_with_one_finite_coordinate(tmp_path):
    ds = labels.from_numpy(half_points(), image_path=["images/train/a.png", "images/train/b.png"])
    path = tmp_path / "data.yaml"
    with pytest.warns(UserWarning, match=r"data\.yaml: 2 point\(s\) have one finite coordinate"):
        yolo.write(ds, path, image_size=(100, 100))
    back = yolo.read(path, image_size=(100, 100))
    assert np.isnan(back.position.values[0, :, 0, 0]).all()  # read back missing, as said
    assert np.isnan(back.position.values[1, :, 2, 0]).all()


def test_predictions_writer_warns_of_points_with_one_finite_coordinate(tmp_path):
    ds = model.from_numpy(half_points(), np.full((2, 3, 1), 0.9), ["track_1"])
    with pytest.warns(
        UserWarning, match=r"video_<frame \+ 1>\.txt: 2 point\(s\) have one finite coordinate"
    ):
        predictions_write.write(ds, tmp_path / "video.txt", image_size=(100, 100))
    back = predictions.read(tmp_path, image_size=(100, 100), keypoint_names=["a", "b", "c"])
    assert np.isnan(back.position.values[0, :, 0, 0]).all()
