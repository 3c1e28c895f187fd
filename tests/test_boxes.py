"""boxes_from_poses: the box around each individual's keypoints, per frame."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

import posebridge
from posebridge import errors, model
from posebridge.errors import PoseBridgeError, SchemaError


@pytest.fixture
def two_animals() -> xr.Dataset:
    """3 frames, 3 keypoints, 2 individuals, 2D, with a missing point and a missing animal."""
    position = np.zeros((3, 2, 3, 2))
    position[:, 0, :, 0] = [[0, 4, 2], [1, 5, 3], [2, 6, 4]]  # x of individual a
    position[:, 1, :, 0] = [[10, 11, 12], [10, 11, 12], [10, 11, 12]]  # y of individual a
    position[:, :, :, 1] = position[:, :, :, 0] + 100
    position[1, 0, 1, 0] = np.nan  # x of one point missing: the whole point is ignored
    position[2, :, :, 1] = np.nan  # individual b not seen in the last frame
    confidence = np.array([[0.2, 0.4, 0.6], [0.5, 0.9, 0.7], [1.0, 1.0, 1.0]])[..., None]
    confidence = np.repeat(confidence, 2, axis=2)
    ds = model.from_numpy(
        position,
        confidence,
        individual_names=["a", "b"],
        keypoint_names=["p", "q", "r"],
        source_software="SLEAP",
    )
    return ds.assign_coords(time=[4, 5, 9])


def test_box_spans_the_keypoints_present(two_animals):
    boxes = posebridge.boxes_from_poses(two_animals)
    assert boxes.attrs["ds_type"] == "bboxes"
    a = boxes.sel(individual="a")
    # frame 4: x in [0, 4], y in [10, 12]
    np.testing.assert_array_equal(a.position.sel(time=4), [2, 11])
    np.testing.assert_array_equal(a.shape.sel(time=4), [4, 2])
    # frame 5: point q is half missing, so only p (1, 10) and r (3, 12) count
    np.testing.assert_array_equal(a.position.sel(time=5), [2, 11])
    np.testing.assert_array_equal(a.shape.sel(time=5), [2, 2])
    # an individual with no point gives a missing box
    assert np.isnan(boxes.position.sel(individual="b", time=9)).all()
    assert np.isnan(boxes.shape.sel(individual="b", time=9)).all()
    np.testing.assert_array_equal(boxes.time, [4, 5, 9])


def test_confidence_is_the_mean_over_present_keypoints(two_animals):
    boxes = posebridge.boxes_from_poses(two_animals)
    np.testing.assert_allclose(boxes.confidence.sel(individual="a"), [0.4, 0.6, 1.0])
    assert np.isnan(boxes.confidence.sel(individual="b", time=9))


def test_padding_grows_every_side(two_animals):
    boxes = posebridge.boxes_from_poses(two_animals, padding=1.5)
    np.testing.assert_array_equal(boxes.shape.sel(individual="a", time=4), [7, 5])
    np.testing.assert_array_equal(boxes.position.sel(individual="a", time=4), [2, 11])
    for bad in (-1, float("nan"), float("inf")):
        with pytest.raises(PoseBridgeError, match="padding"):
            posebridge.boxes_from_poses(two_animals, padding=bad)


@pytest.mark.parametrize("bad", ["wide", "2", True, None])
def test_padding_that_is_no_number_is_a_type_error_not_read_as_one(two_animals, bad):
    """float() made True 1 and "2" 2; a flag or text is not the number asked for."""
    with pytest.raises(errors.TypeError, match="padding must be a number"):
        posebridge.boxes_from_poses(two_animals, padding=bad)


def test_time_coordinates_scores_and_attrs_are_carried_over(two_animals):
    ds = model.with_fps(two_animals, 25)
    ds = ds.assign_coords(image_path=("time", ["f4.png", "f5.png", "f9.png"]))
    ds["instance_score"] = (("time", "individual"), np.arange(6.0).reshape(3, 2))
    ds["skeleton_edges"] = (("edge", "edge_node"), np.array([["p", "q"]]))
    ds.attrs["video_path"] = "video.mp4"
    boxes = posebridge.boxes_from_poses(ds)
    np.testing.assert_allclose(boxes.time, [4 / 25, 5 / 25, 9 / 25])
    assert boxes.frame.values.tolist() == [4, 5, 9]
    assert boxes.image_path.values.tolist() == ["f4.png", "f5.png", "f9.png"]
    xr.testing.assert_equal(boxes.instance_score, ds.instance_score)
    assert "skeleton_edges" not in boxes and "keypoint" not in boxes.dims
    assert boxes.attrs["video_path"] == "video.mp4" and boxes.attrs["fps"] == 25
    assert boxes.attrs["source_software"] == "SLEAP"


def test_individual_wise_confidence_is_taken_as_it_is(two_animals):
    ds = two_animals.assign(confidence=(("time", "individual"), np.ones((3, 2)) * 0.3))
    boxes = posebridge.boxes_from_poses(ds)
    np.testing.assert_array_equal(boxes.confidence, np.full((3, 2), 0.3))


def test_refuses_3d_poses_and_boxes(poses_single_3d, bboxes_two_tracks):
    with pytest.raises(SchemaError, match=r"ds.sel\(space="):
        posebridge.boxes_from_poses(poses_single_3d)
    flat = posebridge.boxes_from_poses(poses_single_3d.sel(space=["x", "y"]))
    assert flat.sizes["time"] == 12
    with pytest.raises(SchemaError, match="poses dataset"):
        posebridge.boxes_from_poses(bboxes_two_tracks)


def test_poses_of_several_views_are_refused_naming_them_and_one_view_works(two_animals):
    views = two_animals.expand_dims(view=["left", "right"], axis=-1)
    with pytest.raises(SchemaError, match=r"\['left', 'right'\].*ds.sel\(view='left'\)"):
        posebridge.boxes_from_poses(views)
    one = posebridge.boxes_from_poses(views.sel(view="right"))
    expected = posebridge.boxes_from_poses(two_animals)
    np.testing.assert_array_equal(one.position.values, expected.position.values)


def test_boxes_round_trip_through_netcdf_and_via(tmp_path, two_animals):
    boxes = posebridge.boxes_from_poses(two_animals)
    posebridge.save(boxes, tmp_path / "boxes.nc")
    back = posebridge.load(tmp_path / "boxes.nc")
    back.attrs.pop("source_file")
    xr.testing.assert_identical(back, model.validate(boxes))
    posebridge.save(
        boxes, tmp_path / "boxes.csv", format="via", track_ids_from_trailing_numbers=False
    )
    via = posebridge.load(tmp_path / "boxes.csv", use_frame_numbers_from_file=True)
    assert via.time.values.tolist() == [4, 5, 9]
    np.testing.assert_allclose(via.position.values, boxes.position.values, atol=1e-6)


def test_labelled_frames_are_refused_with_the_way_to_predictions():
    """Boxes of labels kept content='labels': a dataset only netCDF would write."""
    from posebridge import labels

    ds = labels.from_numpy(np.ones((2, 2, 2, 1)), video=["v.mp4"] * 2, frame=[3, 8])
    with pytest.raises(posebridge.SchemaError, match="labels.as_poses"):
        posebridge.boxes_from_poses(ds)
    boxes = posebridge.boxes_from_poses(labels.as_poses(ds))
    assert boxes.attrs["ds_type"] == "bboxes" and "content" not in boxes.attrs


def test_a_dataset_without_keypoints_is_refused_not_a_raw_numpy_error():
    ds = posebridge.from_numpy(np.ones((3, 2, 2, 1))).isel(keypoint=[])
    with pytest.raises(SchemaError, match="has no keypoints"):
        posebridge.boxes_from_poses(ds)


def test_stored_boxes_are_used_where_known_and_the_keypoints_extent_elsewhere(two_animals):
    stored = np.full((3, 4, 2), np.nan)  # (time, box, individual): x, y, width, height
    stored[:, :, 0] = [[-5, 0, 30, 40], [-4, 1, 31, 41], [np.nan, 2, 32, 42]]
    stored[2, :, 1] = [50, 60, 7, 8]  # b's detector box where its keypoints are missing
    ds = two_animals.assign(bbox=(("time", "box", "individual"), stored))
    extent = posebridge.boxes_from_poses(ds.drop_vars("bbox"), padding=1)
    boxes = posebridge.boxes_from_poses(ds, padding=1)
    known = np.isfinite(stored).all(axis=1)
    for t, i in zip(*np.nonzero(known), strict=True):
        x, y, width, height = stored[t, :, i]
        np.testing.assert_allclose(boxes.position.values[t, :, i], [x + width / 2, y + height / 2])
        np.testing.assert_allclose(boxes["shape"].values[t, :, i], [width + 2, height + 2])
    for t, i in zip(*np.nonzero(~known), strict=True):  # keypoints' extent where none is stored
        np.testing.assert_array_equal(
            boxes.position.values[t, :, i], extent.position.values[t, :, i]
        )
        np.testing.assert_array_equal(
            boxes["shape"].values[t, :, i], extent["shape"].values[t, :, i]
        )


def test_a_bbox_of_another_layout_is_refused_naming_it(two_animals):
    ds = two_animals.assign(bbox=(("time", "box", "individual"), np.zeros((3, 3, 2))))
    with pytest.raises(SchemaError, match=r"bbox should be .* 4 numbers per box .*box: 3"):
        posebridge.boxes_from_poses(ds)
