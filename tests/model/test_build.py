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


def test_fps_on_rows_of_still_images_records_the_rate_and_keeps_their_count():
    """Image rows (COCO results, YOLO image predictions) have no times: fps made the
    image index into seconds (image 3 at 0.1 s) and called it frame 3."""
    images = ["b/zebra.jpg", "a/apple.jpg", "c/cat.jpg", "d/dog.jpg"]
    ds = model.from_numpy(np.zeros((4, 2, 1, 1))).assign_coords(image_path=("time", images))
    out = model.with_fps(ds, 30.0)
    assert out.attrs["fps"] == 30.0 and out.attrs["time_unit"] == "frames"
    assert out.time.values.tolist() == [0, 1, 2, 3] and "frame" not in out.coords
    # rows of video frames (no image_path) still get seconds
    assert model.with_fps(ds.drop_vars("image_path"), 10.0).time.values.tolist() == [
        0.0,
        0.1,
        0.2,
        0.3,
    ]


def test_frame_numbers_round_rather_than_truncate():
    ds = model.from_numpy(np.zeros((2000, 2, 1, 1)))
    seconds = ds.assign_coords(time=ds.time.values / 30.0).assign_attrs(
        time_unit="seconds", fps=30.0
    )
    assert model.frame_numbers(seconds).tolist() == list(range(2000))


def test_a_series_starting_half_way_between_frames_gives_a_frame_per_step():
    ds = model.from_numpy(np.zeros((200, 2, 1, 1)))
    seconds = ds.assign_coords(time=1.5 + np.arange(200) / 25).assign_attrs(
        time_unit="seconds", fps=25.0
    )  # frame 37.5, 38.5, ...: each half-way, each the later frame
    assert model.frame_numbers(seconds).tolist() == list(range(38, 238))
    assert model.distinct_frame_numbers(seconds, "SLEAP").tolist() == list(range(38, 238))


def test_frame_numbers_unknown_for_bare_timestamps():
    ds = model.from_numpy(np.zeros((2, 2, 1, 1)))
    seconds = ds.assign_coords(time=[0.5, 0.75]).assign_attrs(time_unit="seconds")
    assert model.frame_numbers(seconds) is None


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


def seconds_that_share_a_frame(space: int = 2) -> object:
    """Four steps in seconds at 30 fps; 0.1 s and 0.1101 s both round to frame 3."""
    ds = model.from_numpy(np.ones((4, space, 2, 1)), np.ones((4, 2, 1)), fps=30)
    return ds.drop_vars("frame").assign_coords(time=[0.0, 0.0334, 0.1, 0.1101])


def test_distinct_frame_numbers_names_the_steps_that_share_a_frame():
    unique = model.from_numpy(np.ones((3, 2, 1, 1))).assign_coords(frame=("time", [5, 2, 9]))
    assert model.distinct_frame_numbers(unique, "X").tolist() == [5, 2, 9]
    unknown = model.from_numpy(np.ones((2, 2, 1, 1)), fps=30).drop_vars("frame")
    unknown.attrs.pop("fps")
    assert model.distinct_frame_numbers(unknown, "X") is None
    message = r"X files hold one row per video frame, but time steps 2 and 3 \(0.1 and 0.1101"
    with pytest.raises(SchemaError, match=message + r" seconds\) both fall on frame 3 at 30"):
        model.distinct_frame_numbers(seconds_that_share_a_frame(), "X")


@pytest.mark.parametrize(
    ("name", "options", "space"),
    [
        ("p.h5", {}, 2),
        ("p.csv", {}, 2),
        ("lp.csv", {"format": "lp"}, 2),
        ("a.csv", {"format": "anipose"}, 3),
        ("p.analysis.csv", {}, 2),
        ("p.analysis.h5", {}, 2),
        ("p.slp", {}, 2),
        ("tasks.json", {"format": "labelstudio", "image_size": (64, 64)}, 2),
        ("data.yaml", {"format": "yolo", "image_size": (64, 64)}, 2),
    ],
)
def test_writers_by_frame_refuse_two_steps_on_one_frame_and_write_nothing(
    tmp_path, name, options, space
):
    """They wrote two rows of one frame, which their own readers refuse."""
    with pytest.raises(SchemaError, match="frame"):
        posebridge.save(seconds_that_share_a_frame(space), tmp_path / name, **options)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("fps", "error", "message"),
    [
        (True, posebridge_errors.TypeError, r"got True \(bool\)"),
        (b"30", posebridge_errors.TypeError, r"got b'30' \(bytes\)"),
        ([30], posebridge_errors.TypeError, r"got \[30\] \(list\)"),
        (1e-320, SchemaError, "frame times are finite"),
        ("abc", SchemaError, "must be a number, got 'abc'"),
    ],
)
def test_a_frame_rate_that_is_not_a_positive_number_is_refused(fps, error, message):
    with pytest.raises(error, match=message):
        model.from_numpy(np.zeros((3, 2, 1, 1)), fps=fps)


@pytest.mark.parametrize("fps", ["29.97", np.float32(25), np.array(30.0), np.int64(30)])
def test_a_frame_rate_of_text_or_a_numpy_number_is_taken_as_movement_takes_it(fps):
    ds = model.from_numpy(np.zeros((3, 2, 1, 1)), fps=fps)
    assert ds.attrs["fps"] == float(fps) and type(ds.attrs["fps"]) is float


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
    ("time", "shown", "index"), [([0.0, 1.0, 2.5], "2.5", 2), ([0.6, 1.6], "0.6", 0)]
)
def test_frame_numbers_refuse_time_in_frames_with_a_fraction(time, shown, index):
    """A time of 0.6 frames is no frame: truncating it to 0 drew its poses on frame 0."""
    ds = model.from_numpy(np.zeros((len(time), 2, 1, 1))).assign_coords(time=time)
    ds.attrs["source_file"] = "tracks.h5"
    with pytest.raises(SchemaError, match=rf"^tracks.h5: .*got {shown} at index {index}\."):
        model.frame_numbers(ds)


def test_frame_numbers_refuse_a_frame_coordinate_with_a_fraction():
    ds = model.from_numpy(np.zeros((2, 2, 1, 1)), fps=30.0)
    ds = ds.assign_coords(frame=("time", [0.0, 1.5]))
    with pytest.raises(SchemaError, match="Coordinate 'frame' .* got 1.5 at index 1"):
        model.frame_numbers(ds)


@pytest.mark.parametrize("fps", [None, 30.0])
def test_frame_numbers_name_a_nan_time_and_its_index(fps):
    ds = model.from_numpy(np.zeros((3, 2, 1, 1))).assign_coords(time=[0.0, np.nan, 2.0])
    if fps is not None:
        ds.attrs.update(time_unit="seconds", fps=fps)
    with pytest.raises(SchemaError, match="Coordinate 'time' holds .*NaN at index 1"):
        model.frame_numbers(ds)


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
