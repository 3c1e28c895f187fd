"""posebridge.io.load_bboxes.from_numpy: the ``time`` a ``frame_array`` gives, as movement's.

movement's ``time`` is ``frame_array.squeeze()`` in the array's own dtype, divided
by ``fps`` when one is given; float frame numbers stay float. The expected values
are worked out here from the arrays given.
"""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

from posebridge.io import load_bboxes, save_bboxes

POSITION = np.arange(3 * 2 * 1, dtype=np.float64).reshape(3, 2, 1)
SHAPE = np.ones((3, 2, 1))


@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.int32, np.uint16])
def test_time_keeps_the_dtype_of_the_frame_numbers_without_fps(dtype):
    frames = np.array([[2], [4], [7]], dtype=dtype)
    ds = load_bboxes.from_numpy(POSITION, SHAPE, frame_array=frames)
    assert ds.time.dtype == np.dtype(dtype)
    assert ds.time.values.tolist() == [2, 4, 7]
    assert ds.attrs["time_unit"] == "frames"
    assert "fps" not in ds.attrs


@pytest.mark.parametrize("fps", [30, np.float32(29.97), 12.5])
def test_float32_frame_numbers_over_fps_give_float32_seconds(fps):
    # numpy's division of a float32 array by a Python float: float32, as movement's time
    frames = np.array([[2], [4], [7]], dtype=np.float32)
    ds = load_bboxes.from_numpy(POSITION, SHAPE, frame_array=frames, fps=fps)
    expected = frames.reshape(-1) / float(fps)
    assert expected.dtype == np.float32
    assert ds.time.dtype == np.float32
    np.testing.assert_array_equal(ds.time.values, expected)
    assert ds.attrs["fps"] == float(fps)
    assert ds.attrs["time_unit"] == "seconds"


def test_float_frame_numbers_give_float_times_as_movement_does():
    frames = np.array([[2.0], [4.0], [7.0]])
    ours = {
        fps: load_bboxes.from_numpy(POSITION, SHAPE, frame_array=frames, fps=fps)
        for fps in (None, 30)
    }
    assert ours[None].time.dtype == np.float64  # posebridge.model's int64 was the difference
    movement_load_bboxes = pytest.importorskip("movement.io.load_bboxes")
    for fps, ds in ours.items():
        theirs = movement_load_bboxes.from_numpy(POSITION, SHAPE, frame_array=frames, fps=fps)
        xr.testing.assert_identical(ds, theirs)


def test_float_frame_numbers_are_written_as_the_frames_they_are(tmp_path):
    frames = np.array([[2.0], [4.0], [7.0]])
    ds = load_bboxes.from_numpy(
        POSITION, SHAPE, np.full((3, 1), 0.5), individual_names=["id_1"], frame_array=frames
    )
    assert ds.time.dtype == np.float64  # frame numbers as movement's time holds them
    path = save_bboxes.to_via_tracks_file(ds, tmp_path / "boxes.csv")
    back = load_bboxes.from_via_tracks_file(path, use_frame_numbers_from_file=True)
    assert back.time.values.tolist() == [2, 4, 7]
    np.testing.assert_array_equal(back.position.values, POSITION)


def test_from_via_tracks_file_shows_its_default_frame_regexp_as_movement_does():
    # movement's signature shows its DEFAULT_FRAME_REGEXP string; ours shows ours (the
    # whole number before the extension), not None
    import inspect

    default = inspect.signature(load_bboxes.from_via_tracks_file).parameters["frame_regexp"]
    assert default.default == load_bboxes.DEFAULT_FRAME_REGEXP
    movement_load_bboxes = pytest.importorskip("movement.io.load_bboxes")
    theirs = inspect.signature(movement_load_bboxes.from_via_tracks_file).parameters
    assert list(theirs) == list(inspect.signature(load_bboxes.from_via_tracks_file).parameters)
    assert type(theirs["frame_regexp"].default) is type(default.default) is str


def test_load_bboxes_has_movements_register_loader():
    from posebridge.io import load

    assert load_bboxes.register_loader is load.register_loader  # as movement.io.load_bboxes
    assert "register_loader" in load_bboxes.__all__
