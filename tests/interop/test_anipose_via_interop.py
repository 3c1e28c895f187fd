"""movement reads what posebridge writes (Anipose, VIA tracks), and the two read alike."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import xarray as xr

import posebridge
from _corpus import corpus_params, corpus_path
from posebridge import model
from posebridge.io import load_bboxes as posebridge_load_bboxes

movement_load_poses = pytest.importorskip("movement.io.load_poses")
movement_load_bboxes = pytest.importorskip("movement.io.load_bboxes")
movement_save_bboxes = pytest.importorskip("movement.io.save_bboxes")

pytestmark = pytest.mark.interop


def _rename_dims(ds):
    """movement < 0.17 used plural dim names."""
    renames = {"keypoints": "keypoint", "individuals": "individual"}
    return ds.rename({k: v for k, v in renames.items() if k in ds.dims})


@pytest.mark.parametrize("path", corpus_params("anipose_csv", "*.csv"))
def test_anipose_corpus_agrees_with_movement_up_to_its_keypoint_sort(path):
    theirs = _rename_dims(movement_load_poses.from_anipose_file(path))
    ours = posebridge.load(path)
    assert ours.keypoint.values.tolist() != theirs.keypoint.values.tolist()  # file order
    ours = ours.sel(keypoint=theirs.keypoint.values)  # movement sorts alphabetically
    np.testing.assert_array_equal(ours.position.values, theirs.position.values)
    np.testing.assert_array_equal(ours.confidence.values, theirs.confidence.values)


@pytest.fixture
def poses_3d_with_gaps() -> xr.Dataset:
    rng = np.random.default_rng(5)
    position = rng.normal(50, 10, size=(30, 3, 4, 1))
    position[4, :, 2] = np.nan
    confidence = rng.uniform(0, 1, size=(30, 4, 1))
    ds = model.from_numpy(
        position, confidence, keypoint_names=["wrist", "elbow", "Tail_0", "a_score"]
    )
    return ds.assign_coords(time=np.arange(30) * 2 + 7)


def test_movement_reads_our_anipose_file(tmp_path, poses_3d_with_gaps):
    path = tmp_path / "pose-3d.csv"
    posebridge.save(poses_3d_with_gaps, path, format="anipose")
    theirs = _rename_dims(movement_load_poses.from_anipose_file(path))
    ours = poses_3d_with_gaps.sel(keypoint=theirs.keypoint.values)
    assert sorted(theirs.keypoint.values.tolist()) == sorted(poses_3d_with_gaps.keypoint.values)
    np.testing.assert_array_equal(theirs.position.values, ours.position.values)
    np.testing.assert_array_equal(theirs.confidence.values, ours.confidence.values)
    assert pd.read_csv(path)["fnum"].tolist() == poses_3d_with_gaps.time.values.tolist()


@pytest.fixture
def movement_boxes():
    """A bboxes dataset made by movement: gaps, a missing box, a NaN confidence."""
    rng = np.random.default_rng(6)
    position = rng.uniform(20, 600, size=(6, 2, 3))
    shape = rng.uniform(5, 40, size=(6, 2, 3))
    confidence = rng.uniform(0, 1, size=(6, 3))
    position[2, :, 1] = np.nan
    confidence[4, 0] = np.nan
    return movement_load_bboxes.from_numpy(
        position,
        shape,
        confidence,
        individual_names=["id_1", "id_2", "id_7"],
        frame_array=np.array([[0], [1], [2], [5], [9], [10]]),
    )


def _same_boxes(ours, theirs, atol):
    assert ours.individual.values.tolist() == theirs.individual.values.tolist()
    assert ours.time.values.tolist() == theirs.time.values.tolist()
    for name in ("position", "shape", "confidence"):
        np.testing.assert_allclose(ours[name].values, theirs[name].values, atol=atol, rtol=0)


def test_files_written_by_movement_load_into_the_same_arrays(tmp_path, movement_boxes):
    path = tmp_path / "movement.csv"
    movement_save_bboxes.to_via_tracks_file(movement_boxes, path)
    theirs = movement_load_bboxes.from_via_tracks_file(path, use_frame_numbers_from_file=True)
    ours = posebridge.load(path, use_frame_numbers_from_file=True)
    _same_boxes(ours, theirs, atol=1e-4)  # movement loads float32
    expected = movement_boxes.where(movement_boxes.position.notnull().all("space"))
    _same_boxes(ours, expected, atol=1e-6)  # the file's 6 decimals
    # by default time starts at the first image and the gaps stay
    assert posebridge.load(path).time.values.tolist() == [0, 1, 2, 5, 9, 10]


def test_a_file_movement_writes_for_no_box_loads_as_movement_loads_it(tmp_path):
    nothing = movement_load_bboxes.from_numpy(
        np.full((2, 2, 1), np.nan), np.full((2, 2, 1), np.nan), individual_names=["id_0"]
    )
    path = tmp_path / "none.csv"
    movement_save_bboxes.to_via_tracks_file(nothing, path)  # the header alone
    theirs = movement_load_bboxes.from_via_tracks_file(path)
    for ours in (posebridge.load(path), posebridge_load_bboxes.from_via_tracks_file(path)):
        assert dict(ours.sizes) == dict(theirs.sizes)
        assert ours.position.dims == theirs.position.dims
        assert ours["shape"].dims == theirs["shape"].dims


def test_movement_reads_our_via_file(tmp_path, movement_boxes):
    path = tmp_path / "ours.csv"
    posebridge.save(movement_boxes, path, format="via")
    theirs = movement_load_bboxes.from_via_tracks_file(path, use_frame_numbers_from_file=True)
    expected = movement_boxes.where(movement_boxes.position.notnull().all("space"))
    _same_boxes(theirs, expected, atol=1e-4)


@pytest.mark.parametrize("fps", [29.97, 30.0])
def test_movement_reads_our_seconds_based_file_without_duplicate_frames(tmp_path, fps):
    n = 2000  # movement's own writer truncates time * fps and repeats file names here
    boxes = movement_load_bboxes.from_numpy(
        np.full((n, 2, 1), 10.0), np.full((n, 2, 1), 4.0), individual_names=["id_0"], fps=fps
    )
    path = tmp_path / "seconds.csv"
    posebridge.save(boxes, path, format="via")
    theirs = movement_load_bboxes.from_via_tracks_file(path, use_frame_numbers_from_file=True)
    assert theirs.time.values.tolist() == list(range(n))


def test_crabs_file_that_movement_refuses_loads_here():
    path = corpus_path("via_csv/crabs_gt_test.csv")
    with pytest.raises(ValueError):  # movement: "track ID cannot be cast as an integer"
        movement_load_bboxes.from_via_tracks_file(path)
    assert posebridge.load(path).individual.values.tolist() == ["id_1", "id_2"]
