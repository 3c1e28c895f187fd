"""What the YOLO writers cannot keep is said, not lost silently.

- YOLO pose predictions name each file by its frame number: time in seconds off the frame
  grid (a session clock) is lost, and said, as the YOLO labels writer says it.
- Their lines hold no keypoint names (the model's data.yaml does): names other than the
  reader's keypoint_<k> are said to read back numbered, as the COCO results writer says.
- Their reader orders tracks by id: an order read back that is not the dataset's is named.
- Per-keypoint variables beyond what a point holds (an EKS variance, Anipose's
  reprojection_error) are named by the labels and the predictions writers.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import xarray as xr

import posebridge
from posebridge.formats.yolo import predictions_write

SIZE = (100, 100)


def _poses(names: list[str], keypoints: list[str] | None = None) -> xr.Dataset:
    keypoints = keypoints or ["snout", "tail"]
    rng = np.random.default_rng(7)
    position = rng.uniform(10, 90, (3, 2, len(keypoints), len(names)))
    confidence = rng.uniform(0.1, 0.9, (3, len(keypoints), len(names)))
    return posebridge.from_numpy(
        position, confidence, individual_names=names, keypoint_names=keypoints, fps=30
    )


def _messages(save) -> list[str]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        save()
    return [str(w.message) for w in caught]


def _read(folder, k: int = 2) -> xr.Dataset:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return posebridge.load(
            folder, format="yolo-predictions", kpt_shape=[k, 3], image_size=SIZE
        )


def test_predictions_say_session_clock_times_are_not_kept(tmp_path):
    ds = _poses(["track_1"]).assign_coords(time=[10.01, 10.04, 10.08])
    said = _messages(lambda: predictions_write.write(ds, tmp_path / "v.txt", image_size=SIZE))
    (times,) = [m for m in said if "time in seconds is not kept" in m]
    assert times.startswith(f"{tmp_path / 'v_<frame + 1>.txt'}: the dataset's time in seconds")
    assert _read(tmp_path).time.values.tolist() == [0, 1, 2]  # frames: the times are gone
    on_grid = _poses(["track_1"])  # frame / fps: nothing lost, nothing said
    again = _messages(
        lambda: predictions_write.write(on_grid, tmp_path / "g.txt", image_size=SIZE)
    )
    assert not [m for m in again if "time in seconds" in m]


def test_predictions_say_keypoint_names_read_back_numbered(tmp_path):
    ds = _poses(["track_1"], ["snout", "left ear", "tail"])
    said = _messages(lambda: predictions_write.write(ds, tmp_path / "v.txt", image_size=SIZE))
    (names,) = [m for m in said if "hold no keypoint names" in m]
    assert "'snout', 'left ear', 'tail' read back as keypoint_0..keypoint_2" in names
    for way_out in ("keypoint_names=", "dataset="):
        assert way_out in names
    assert _read(tmp_path, 3).keypoint.values.tolist() == [
        "keypoint_0",
        "keypoint_1",
        "keypoint_2",
    ]
    numbered = _poses(["track_1"], ["keypoint_0", "keypoint_1"])  # the reader's own names
    (tmp_path / "n").mkdir()
    again = _messages(
        lambda: predictions_write.write(numbered, tmp_path / "n" / "v.txt", image_size=SIZE)
    )
    assert not [m for m in again if "keypoint names" in m]


@pytest.mark.parametrize(
    ("names", "shown", "read_back"),
    [
        (["track_3", "track_1", "track_2"], ["track_1", "track_2", "track_3"], None),
        # b takes id 1, a no whole id between 1 and 2: 3
        (["b", "a", "track_2"], ["b", "track_2", "a"], ["track_1", "track_2", "track_3"]),
    ],
)
def test_predictions_name_an_order_read_back_that_is_not_the_datasets(
    tmp_path, names, shown, read_back
):
    ds = _poses(names)
    said = _messages(lambda: predictions_write.write(ds, tmp_path / "v.txt", image_size=SIZE))
    (order,) = [m for m in said if "read back, in the order" in m]
    assert f"in the order {', '.join(map(repr, shown))}, not the dataset's" in order
    assert _read(tmp_path).individual.values.tolist() == (read_back or shown)


def test_predictions_keeping_the_order_say_nothing_of_it(tmp_path):
    ds = _poses(["track_1", "b", "track_5"])  # ids 1, 2, 5
    said = _messages(lambda: predictions_write.write(ds, tmp_path / "v.txt", image_size=SIZE))
    assert not [m for m in said if "read back, in the order" in m]
    # without track ids, no order by id (names not kept: said by another warning)
    (tmp_path / "n").mkdir()
    untracked = _poses(["track_3", "track_1"])
    said = _messages(
        lambda: predictions_write.write(
            untracked, tmp_path / "n" / "v.txt", image_size=SIZE, track_ids=False
        )
    )
    assert not [m for m in said if "read back, in the order" in m]


def test_predictions_name_per_keypoint_variables(tmp_path):
    ds = _poses(["track_1"])
    ds["x_ens_var"] = ds["confidence"] * 2
    said = _messages(lambda: predictions_write.write(ds, tmp_path / "v.txt", image_size=SIZE))
    (dropped,) = [m for m in said if "x_ens_var" in m]
    assert "YOLO pose predictions files have no place for x_ens_var" in dropped
    assert "netCDF (.nc)" in dropped


def test_labels_name_per_keypoint_variables(tmp_path):
    ds = _poses(["track_1"])
    ds["reprojection_error"] = ds["confidence"] * 3
    path = tmp_path / "data.yaml"
    said = _messages(lambda: posebridge.save(ds, path, format="yolo", image_size=SIZE))
    (dropped,) = [m for m in said if "reprojection_error" in m]
    assert dropped.startswith(f"{path}: YOLO pose files have no place for reprojection_error")
    assert "confidence" not in dropped.split("(")[0]  # said by the scores' own warning
