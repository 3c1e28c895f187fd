"""What the COCO writer cannot keep is said, not lost silently.

- A results file names its images by id (frame number + 1), as ground truth does: time in
  seconds off the frame grid (a session clock) is lost, and said, for both kinds.
- Readers order individuals by track id: where the ids the writer gives cannot follow the
  dataset's order (no whole number between two tracks, track_<n> out of order), one
  warning names the order read back.
- Per-keypoint variables other than what a point holds (an EKS variance, Anipose's
  reprojection_error) are named.
- Ground truth of video frames takes the video's frame size (video_width/video_height)
  for its images without a size, as the YOLO and Label Studio writers do.
"""

from __future__ import annotations

import json
import warnings

import numpy as np
import pytest
import xarray as xr

import posebridge
from posebridge.model import labels


def _poses(names: list[str], n_time: int = 3) -> xr.Dataset:
    rng = np.random.default_rng(3)
    position = rng.uniform(10, 90, (n_time, 2, 2, len(names)))
    confidence = rng.uniform(0.1, 0.9, (n_time, 2, len(names)))
    return posebridge.from_numpy(
        position, confidence, individual_names=names, keypoint_names=["snout", "tail"], fps=30
    )


def _messages(save) -> list[str]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        save()
    return [str(w.message) for w in caught]


_KINDS = [("results", {}), ("ground_truth", {"image_size": (100, 100)})]


@pytest.mark.parametrize(("kind", "options"), _KINDS)
def test_session_clock_times_are_said_not_kept(tmp_path, kind, options):
    ds = _poses(["track_1"]).assign_coords(time=[10.01, 10.04, 10.08])
    path = tmp_path / "out.json"
    said = _messages(lambda: posebridge.save(ds, path, kind=kind, **options))
    (times,) = [m for m in said if "time in seconds is not kept" in m]
    assert times.startswith(f"{path}: the dataset's time in seconds is not kept")
    assert "NWB or netCDF (.nc)" in times
    # times of frame / fps lose nothing: nothing said
    on_grid = _poses(["track_1"])
    again = _messages(
        lambda: posebridge.save(on_grid, tmp_path / "grid.json", kind=kind, **options)
    )
    assert not [m for m in again if "time in seconds" in m]


@pytest.mark.parametrize(("kind", "options"), _KINDS)
@pytest.mark.parametrize(
    ("names", "read_back"),
    [
        (["b", "a", "track_2"], ["b", "track_2", "a"]),  # no whole id between 1 and 2 for 'a'
        (["track_3", "track_1", "track_2"], ["track_1", "track_2", "track_3"]),
    ],
)
def test_an_order_read_back_that_is_not_the_datasets_is_named(
    tmp_path, kind, options, names, read_back
):
    path = tmp_path / "out.json"
    said = _messages(lambda: posebridge.save(_poses(names), path, kind=kind, **options))
    (order,) = [m for m in said if "read back, in the order" in m]
    assert order.startswith(f"{path}: ")
    assert f"in the order {', '.join(map(repr, read_back))}, not the dataset's" in order
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert posebridge.load(path).individual.values.tolist() == read_back


@pytest.mark.parametrize(("kind", "options"), _KINDS)
def test_an_order_kept_says_nothing(tmp_path, kind, options):
    ds = _poses(["b", "a", "track_7"])  # ids 1, 2, 7: the dataset's order
    path = tmp_path / "out.json"
    said = _messages(lambda: posebridge.save(ds, path, kind=kind, **options))
    assert not [m for m in said if "read back, in the order" in m]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert posebridge.load(path).individual.values.tolist() == ["b", "a", "track_7"]


def test_an_individual_not_written_does_not_count_in_the_order(tmp_path):
    # 'ghost' would take id 2 (none below track_1), after track_1: but it is not written
    ds = _poses(["ghost", "track_1", "b"])
    ds["position"].loc[{"individual": "ghost"}] = np.nan  # (said by another warning)
    said = _messages(lambda: posebridge.save(ds, tmp_path / "r.json"))
    assert not [m for m in said if "read back, in the order" in m]


@pytest.mark.parametrize(("kind", "options"), _KINDS)
def test_per_keypoint_variables_are_named(tmp_path, kind, options):
    ds = _poses(["track_1"])
    ds["x_ens_var"] = ds["confidence"] * 2
    path = tmp_path / "out.json"
    said = _messages(lambda: posebridge.save(ds, path, kind=kind, **options))
    (dropped,) = [m for m in said if "x_ens_var" in m]
    assert dropped.startswith(f"{path}: COCO {kind.replace('_', ' ')} files have no place for")
    assert "netCDF (.nc)" in dropped


def test_ground_truth_keeps_visibility_flags_without_naming_them(tmp_path):
    pos = np.random.default_rng(4).uniform(10, 90, (1, 2, 2, 1))
    ds = labels.from_numpy(pos, image_path=["a.png"], keypoint_names=["snout", "tail"])
    ds[labels.VISIBLE] = xr.full_like(ds["position"].isel(space=0, drop=True), 1.0)
    said = _messages(lambda: posebridge.save(ds, tmp_path / "gt.json", image_size=(100, 100)))
    assert not [m for m in said if "no place for" in m]


def test_ground_truth_of_video_frames_takes_the_video_frame_size(tmp_path):
    ds = _poses(["track_1"], n_time=2)
    ds.attrs.update(video_path="/data/cam1.mp4", video_width=640, video_height=480)
    path = tmp_path / "gt.json"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # scores not written in ground truth: not the point
        posebridge.save(ds, path, kind="ground_truth")
        back = posebridge.load(path)
    images = json.loads(path.read_text())["images"]
    assert [(i["width"], i["height"]) for i in images] == [(640, 480), (640, 480)]
    assert back.image_width.values.tolist() == [640, 640]
    assert back.image_height.values.tolist() == [480, 480]
    # image_size= still wins over the video's size
    given = tmp_path / "given.json"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        posebridge.save(ds, given, kind="ground_truth", image_size=(320, 240))
    sizes = [(i["width"], i["height"]) for i in json.loads(given.read_text())["images"]]
    assert sizes == [(320, 240), (320, 240)]


def test_still_images_do_not_take_the_video_frame_size(tmp_path):
    pos = np.random.default_rng(5).uniform(10, 90, (2, 2, 2, 1))
    ds = labels.from_numpy(pos, image_path=["a.png", "b.png"], keypoint_names=["snout", "tail"])
    ds.attrs.update(video_width=640, video_height=480)
    path = tmp_path / "gt.json"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        posebridge.save(ds, path)
    assert all("width" not in image for image in json.loads(path.read_text())["images"])
