"""Tests of posebridge.model.time_axis: frame rates, frame numbers and times in seconds."""

from __future__ import annotations

import numpy as np
import pytest

import posebridge
from posebridge import errors as posebridge_errors
from posebridge import model
from posebridge.errors import SchemaError


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
