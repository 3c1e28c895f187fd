"""The NWB time plan (rate or timestamps, and the markers) of long time axes: worked out a
block of times at a time, with the same plan as one pass over the whole axis."""

from __future__ import annotations

import dataclasses
import tracemalloc

import numpy as np
import pytest
import xarray as xr

import posebridge
from posebridge.formats.nwb import time_plan as time_plan_module
from posebridge.model import time_axis


def _poses(time: np.ndarray, fps: float | None, frames: np.ndarray | None = None) -> xr.Dataset:
    ds = posebridge.from_numpy(np.zeros((time.size, 2, 1, 1), dtype=np.float32), fps=fps)
    ds = ds.assign_coords(time=time)
    if frames is not None:
        ds = ds.assign_coords(frame=("time", frames))
    return ds


def _regular(n: int = 50) -> xr.Dataset:
    return _poses(np.arange(n) / 30.0, 30.0)


def _moved_late(n: int = 50) -> xr.Dataset:
    time = np.arange(n) / 30.0
    time[n - 3] += 1e-3  # in the last block: the times are not regular
    return _poses(time, 30.0)


def _offset_start(n: int = 50) -> xr.Dataset:
    return _poses(1.5 + np.arange(n) / 25.0, 25.0, frames=np.arange(n))


def _repeated_frame_at_a_block_edge(n: int = 50) -> xr.Dataset:
    frames = np.arange(n)
    frames[8:] -= 1  # frames 7 and 8 are both 7: no marker gives them back
    return _poses(np.arange(n) / 30.0, 30.0, frames=frames)


def _no_fps_regular(n: int = 50) -> xr.Dataset:
    return _poses(0.25 + np.arange(n) * 0.01, None)


def _drifting_camera(n: int = 50) -> xr.Dataset:
    return _poses(np.arange(n) * (1 / 30.0) * 1.0001, 30.0, frames=np.arange(n) + 100)


def _plan_fields(plan: time_plan_module.TimePlan) -> dict:
    fields = dataclasses.asdict(plan)
    for name in ("timestamps", "unkept_frames"):
        if fields[name] is not None:
            fields[name] = np.asarray(fields[name]).tolist()
    return fields


@pytest.mark.parametrize(
    "make",
    [
        _regular,
        _moved_late,
        _offset_start,
        _repeated_frame_at_a_block_edge,
        _no_fps_regular,
        _drifting_camera,
    ],
)
@pytest.mark.parametrize("block", [1, 4, 8, 49])
def test_a_plan_made_block_by_block_equals_the_plan_of_one_block(monkeypatch, make, block):
    ds = make()
    whole = _plan_fields(time_plan_module.time_plan(ds))
    monkeypatch.setattr(time_plan_module, "TIME_BLOCK", block)
    monkeypatch.setattr(time_axis, "TIME_BLOCK", block)
    assert _plan_fields(time_plan_module.time_plan(ds)) == whole


@pytest.mark.parametrize("block", [4, 1 << 20])
def test_regular_times_give_a_rate_and_times_moved_in_a_late_block_give_timestamps(
    monkeypatch, block
):
    monkeypatch.setattr(time_plan_module, "TIME_BLOCK", block)
    monkeypatch.setattr(time_axis, "TIME_BLOCK", block)
    regular = time_plan_module.time_plan(_regular())
    assert (regular.rate, regular.starting_time, regular.timestamps) == (30.0, 0.0, None)
    moved = _moved_late()
    plan = time_plan_module.time_plan(moved)
    assert plan.rate is None
    np.testing.assert_array_equal(plan.timestamps, moved["time"].values)


def test_nearest_frames_of_a_long_axis_round_half_up_in_every_block(monkeypatch):
    monkeypatch.setattr(time_axis, "TIME_BLOCK", 3)
    time = (np.arange(10) + 0.5) / 25.0  # each half-way between two frames
    assert time_axis.nearest_frames(time, 25.0).tolist() == list(range(1, 11))


def test_a_long_time_axis_is_planned_without_temporaries_of_its_length():
    """The plan of a 10-million-frame axis made several temporaries of 80 MB each (its
    frame numbers rounded, the reader's times, their snapped frames): the NWB write of
    W4 passed 1 GB. Now only the frame numbers themselves are an array of its length."""
    n = 3_000_000
    ds = _offset_start(n)
    tracemalloc.start()
    try:
        plan = time_plan_module.time_plan(ds)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert plan.frame_map == (1.5, 25.0, 0)
    assert peak < 3 * n * 8
