"""model/build.py: from_numpy, bboxes_from_numpy and the time helpers."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

import posebridge
from posebridge import errors as posebridge_errors
from posebridge import model
from posebridge.errors import SchemaError


def test_from_numpy_builds_movement_dims_coords_and_attrs():
    ds = model.from_numpy(np.zeros((4, 2, 3, 2)), individual_names=["a", "b"])
    assert ds.position.dims == ("time", "space", "keypoint", "individual")
    assert ds.confidence.dims == ("time", "keypoint", "individual")
    assert ds.time.values.tolist() == [0, 1, 2, 3]
    assert ds.time.dtype == np.int64
    assert ds.space.values.tolist() == ["x", "y"]
    assert ds.keypoint.values.tolist() == ["keypoint_0", "keypoint_1", "keypoint_2"]
    assert ds.individual.values.tolist() == ["a", "b"]
    assert ds.attrs == {"ds_type": "poses", "time_unit": "frames"}
    assert np.isnan(ds.confidence).all()


def test_from_numpy_with_fps_gives_seconds_and_keeps_frames():
    ds = model.from_numpy(np.zeros((3, 3, 1, 1)), fps=29.97, source_software="DeepLabCut")
    assert ds.attrs["time_unit"] == "seconds"
    assert ds.attrs["fps"] == 29.97
    np.testing.assert_allclose(ds.time.values, np.arange(3) / 29.97)
    assert ds.frame.values.tolist() == [0, 1, 2]
    assert ds.space.values.tolist() == ["x", "y", "z"]
    assert model.frame_numbers(ds).tolist() == [0, 1, 2]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"position_array": np.zeros((3, 2, 1))}, "4 dimensions"),
        ({"position_array": np.zeros((3, 4, 1, 1))}, "2 or 3 spatial"),
        ({"position_array": np.zeros((3, 2, 2, 1)), "keypoint_names": ["a"]}, "length 2"),
        ({"position_array": np.zeros((3, 2, 2, 1)), "keypoint_names": ["a", "a"]}, "not unique"),
        (
            {"position_array": np.zeros((3, 2, 2, 1)), "confidence_array": np.zeros((3, 2))},
            "confidence_array",
        ),
        ({"position_array": np.zeros((3, 2, 1, 1)), "fps": 0}, "positive"),
    ],
)
def test_from_numpy_rejects_bad_input_with_a_named_reason(kwargs, message):
    with pytest.raises(SchemaError, match=message):
        model.from_numpy(**kwargs)


def test_from_numpy_rejects_a_list_with_a_type_error_as_movement():
    with pytest.raises(TypeError, match="numpy array") as caught:
        model.from_numpy([[1.0]])
    assert isinstance(caught.value, posebridge.PoseBridgeError)


def test_from_numpy_accepts_individual_wise_confidence():
    ds = model.from_numpy(np.zeros((3, 2, 2, 2)), confidence_array=np.ones((3, 2)))
    assert ds.confidence.dims == ("time", "individual")
    assert model.confidence_per_keypoint(ds).shape == (3, 2, 2)


def test_confidence_per_keypoint_without_views_is_time_keypoint_individual():
    ds = model.from_numpy(np.zeros((3, 2, 2, 2)), confidence_array=np.ones((3, 2, 2)))
    ds["confidence"] = ds.confidence.transpose("individual", "time", "keypoint")
    got = model.confidence_per_keypoint(ds)
    assert got.dims == ("time", "keypoint", "individual")
    assert got.shape == (3, 2, 2)


def _two_views(ds):
    """The same poses seen by two cameras; the right one scores 0.5 lower."""
    both = ds.expand_dims(view=["left", "right"], axis=-1)
    if "confidence" in ds:
        both["confidence"] = xr.concat(
            [ds.confidence, ds.confidence - 0.5], dim="view"
        ).assign_coords(view=["left", "right"])
    return posebridge.validate(both)


def test_confidence_per_keypoint_keeps_the_view_dim_last():
    scores = np.arange(12, dtype=float).reshape(3, 2, 2)
    ds = _two_views(model.from_numpy(np.zeros((3, 2, 2, 2)), confidence_array=scores))
    got = model.confidence_per_keypoint(ds)
    assert got.dims == ("time", "keypoint", "individual", "view")
    np.testing.assert_array_equal(got.sel(view="left").values, scores)
    np.testing.assert_array_equal(got.sel(view="right").values, scores - 0.5)


def test_confidence_per_keypoint_broadcasts_per_animal_scores_over_views():
    scores = np.array([[0.1, 0.2], [0.3, 0.4], [0.5, 0.6]])  # (time, individual)
    ds = _two_views(model.from_numpy(np.zeros((3, 2, 4, 2)), confidence_array=scores))
    got = model.confidence_per_keypoint(ds)
    assert got.dims == ("time", "keypoint", "individual", "view")
    assert got.shape == (3, 4, 2, 2)
    np.testing.assert_array_equal(got.values[:, 3, :, 0], scores)
    np.testing.assert_array_equal(got.values[:, 0, :, 1], scores - 0.5)


def test_confidence_per_keypoint_repeats_a_view_less_score_for_every_view():
    scores = np.arange(6, dtype=float).reshape(3, 2, 1)
    one = model.from_numpy(np.zeros((3, 2, 2, 1)), confidence_array=scores)
    ds = one.drop_vars("confidence").expand_dims(view=["left", "right"], axis=-1)
    ds["confidence"] = one.confidence  # one score for both cameras
    got = model.confidence_per_keypoint(posebridge.validate(ds))
    assert got.dims == ("time", "keypoint", "individual", "view")
    np.testing.assert_array_equal(got.values[..., 0], scores)
    np.testing.assert_array_equal(got.values[..., 1], scores)


def test_confidence_per_keypoint_without_confidence_is_nan_with_views():
    ds = _two_views(model.from_numpy(np.zeros((2, 3, 2, 1))).drop_vars("confidence"))
    got = model.confidence_per_keypoint(ds)
    assert got.dims == ("time", "keypoint", "individual", "view")
    assert got.shape == (2, 2, 1, 2)
    assert np.isnan(got.values).all()


def test_bboxes_single_frame_works():
    ds = model.bboxes_from_numpy(
        np.ones((1, 2, 1)), np.ones((1, 2, 1)), frame_array=np.array([[7]])
    )
    assert ds.time.values.tolist() == [7]
    assert ds.attrs["ds_type"] == "bboxes"


def test_bboxes_frames_must_increase():
    with pytest.raises(SchemaError, match="monotonically"):
        model.bboxes_from_numpy(
            np.ones((2, 2, 1)), np.ones((2, 2, 1)), frame_array=np.array([3, 3])
        )


def test_bboxes_with_fps_divides_frame_numbers():
    ds = model.bboxes_from_numpy(
        np.ones((2, 2, 1)), np.ones((2, 2, 1)), frame_array=np.array([10, 20]), fps=10
    )
    assert ds.time.values.tolist() == [1.0, 2.0]
    assert ds.frame.values.tolist() == [10, 20]


def test_every_builder_output_saves_to_netcdf(
    tmp_path, poses_two_mice_with_nan, bboxes_two_tracks
):
    for i, ds in enumerate([poses_two_mice_with_nan, bboxes_two_tracks]):
        ds.to_netcdf(tmp_path / f"{i}.nc", engine="h5netcdf")


@pytest.mark.parametrize("frames", [[0, 2.5], [0, 1e30], [0, 2**60], [0, np.nan]])
def test_frame_numbers_must_be_whole_numbers_below_2_to_the_53(frames):
    with pytest.raises(SchemaError, match="whole frame numbers"):
        model.bboxes_from_numpy(
            np.ones((2, 2, 1)), np.ones((2, 2, 1)), frame_array=np.array(frames)
        )


def test_complex_positions_are_refused_as_every_writer_refuses_them():
    with pytest.raises(SchemaError, match="numeric, got dtype complex128"):
        model.from_numpy(np.zeros((3, 2, 2, 1), dtype=complex))


def test_frames_in_time_must_be_whole_numbers_below_2_to_the_53():
    ds = model.from_numpy(np.zeros((2, 2, 1, 1)))
    ds = ds.assign_coords(time=np.array([0.0, 1e30]))
    ds.attrs["time_unit"] = "frames"
    with pytest.raises(SchemaError, match=r"whole numbers below 2\*\*53 .* got 1e\+30 at index 1"):
        model.validate(ds)


@pytest.mark.parametrize("first", [2**53, -(2**53), 2**62])
def test_whole_frame_numbers_from_2_to_the_53_are_refused(first):
    """float64 (CSV, JSON, NWB timestamps) cannot hold them: three frames from 2**62 would
    be one NWB timestamp."""
    ds = model.from_numpy(np.zeros((3, 2, 1, 1)))
    ds = ds.assign_coords(time=first + np.arange(3, dtype=np.int64))
    with pytest.raises(SchemaError, match=f"got {first} at index 0"):
        model.validate(ds)


def test_a_frame_coordinate_from_2_to_the_53_is_refused():
    ds = model.from_numpy(np.zeros((2, 2, 1, 1)), fps=30)
    ds = ds.assign_coords(frame=("time", np.array([0, 2**60])))
    with pytest.raises(SchemaError, match="Coordinate 'frame' holds frame numbers"):
        model.validate(ds)


@pytest.mark.parametrize(
    "time", [[0.0, 1 / 30, np.inf], [-np.inf, 0.0, 1 / 30], [np.nan]], ids=["inf", "-inf", "nan"]
)
def test_time_in_seconds_must_be_finite(time):
    ds = model.from_numpy(np.zeros((len(time), 2, 1, 1)), fps=30)
    ds = ds.assign_coords(time=np.array(time))
    with pytest.raises(SchemaError, match="'time' must hold finite numbers"):
        model.validate(ds)


def test_decreasing_frames_are_refused_where_their_difference_overflows():
    time = np.array([2**62 + 1, -(2**62)], dtype=np.int64)
    assert np.diff(time)[0] > 0  # the difference wraps round and looks increasing
    ds = model.from_numpy(np.zeros((2, 2, 1, 1))).assign_coords(time=time)
    with pytest.raises(SchemaError, match="strictly increasing"):
        model.validate(ds)


def test_a_labels_frame_coordinate_must_hold_whole_numbers_below_2_to_the_53():
    from posebridge.model import labels

    with pytest.raises(SchemaError, match="whole numbers"):
        labels.from_numpy(np.zeros((2, 2, 1, 1)), video=["v", "v"], frame=[0.0, 1e30])


def test_confidence_per_keypoint_of_boxes_is_refused_as_the_wrong_kind():
    boxes = model.bboxes_from_numpy(np.zeros((2, 2, 1)), np.ones((2, 2, 1)))
    with pytest.raises(posebridge_errors.DatasetKindError, match="confidence_per_keypoint"):
        model.confidence_per_keypoint(boxes)


def test_from_numpy_refuses_infinite_positions_as_validate_does():
    """from_numpy returned a dataset that validate then refused."""
    position = np.zeros((2, 2, 1, 1))
    position[1, 0, 0, 0] = np.inf
    with pytest.raises(SchemaError, match="'position' holds 1 infinite values"):
        model.from_numpy(position)
    with pytest.raises(SchemaError, match="'shape' holds 1 infinite values"):
        model.bboxes_from_numpy(np.zeros((2, 2, 1)), np.where(position[:, :, 0] > 0, -np.inf, 1))


@pytest.mark.parametrize(
    "value", [["DeepLabCut", "SLEAP"], ("SLEAP",), {"tool": "x"}, True, b"SLEAP", 3]
)
@pytest.mark.parametrize("build", [model.from_numpy, model.bboxes_from_numpy])
def test_source_software_that_is_not_text_is_refused_as_validate_refuses_it(build, value):
    """h118 finding 8: from_numpy stored a list, bool or bytes as its Python text (validate
    refuses the same attribute)."""
    with pytest.raises(posebridge_errors.TypeError, match=r"'source_software' to be text.*got"):
        if build is model.from_numpy:
            build(np.zeros((3, 2, 1, 1)), source_software=value)
        else:
            build(np.zeros((3, 2, 1)), np.ones((3, 2, 1)), source_software=value)
    ds = model.from_numpy(np.zeros((3, 2, 1, 1)))
    ds.attrs["source_software"] = value
    with pytest.raises(SchemaError, match="must be text"):
        model.validate(ds)
