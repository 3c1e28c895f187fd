"""How a dataset's time axis is written to NWB: a rate or timestamps, and the markers.

Regular samples are written as ``rate`` + ``starting_time`` (the dataset's
``fps`` when it fits, never truncated), irregular ones as ``timestamps``; the
rate is chosen only when the reader's formula
(:func:`~posebridge.formats.nwb.common.regular_times`) gives the dataset's
times back bit for bit. A dataset of fewer frames than spatial dimensions is
padded with rows of NaN (:func:`padding_rows`). The markers in the series'
comments are described in :mod:`posebridge.formats.nwb.common`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import xarray as xr

from posebridge import model
from posebridge.formats.nwb.common import (
    fps_comment,
    frame_map_comment,
    frames_comment,
    mapped_frames,
    no_fps_comment,
    padding_comment,
    regular_times,
    snap_to_frames,
)
from posebridge.model.time_axis import TIME_BLOCK


@dataclass
class TimePlan:
    """How the dataset's time axis is written."""

    rate: float | None
    starting_time: float
    timestamps: np.ndarray | None
    comment: str | None
    #: Frame numbers that no marker can give back (the writer warns): ``None`` when kept.
    unkept_frames: np.ndarray | None = None
    #: (start, rate, first) of the frame marker, when the frames needed one.
    frame_map: tuple[float, float, int] | None = None


def _regular_rate(t: np.ndarray, fps: float | None, marker_fps: float | None) -> float | None:
    """A rate whose times the reader turns back into exactly ``t``, or ``None``."""
    n = t.size
    if n == 1:
        return fps
    if n < 2 or (n == 2 and not fps):
        return None
    span = float(t[-1] - t[0])
    if span <= 0:
        return None
    estimate = (n - 1) / span
    candidates = [c for c in (fps, round(estimate, 6), float(f"{estimate:.12g}"), estimate) if c]
    for rate in candidates:
        if _reads_back_exactly(t, float(rate), marker_fps):
            return float(rate)
    return None


def _blocks(n: int) -> Iterator[slice]:
    """Consecutive slices of :data:`~posebridge.model.time_axis.TIME_BLOCK` times covering
    ``n``."""
    return (slice(low, low + TIME_BLOCK) for low in range(0, n, TIME_BLOCK))


def _reads_back_exactly(t: np.ndarray, rate: float, marker_fps: float | None) -> bool:
    """Whether the reader, given ``rate`` (and the fps marker), gives back ``t`` bit for bit.

    The reader's times are :func:`regular_times`, snapped to the marker's frames when
    every one of them is near its frame and the frames increase (:func:`snap_to_frames`).
    Both are worked out a block of times at a time (each time depends only on its
    index), so a long axis makes no temporaries of its length.
    """
    start = float(t[0])
    snaps = marker_fps is not None  # until a block does not snap, or its frames do not follow
    snapped_equal = plain_equal = True
    last_frame: int | None = None
    for block in _blocks(t.size):
        part = t[block]
        back = regular_times(start, part.size, rate, first=block.start)
        plain_equal = plain_equal and bool(np.array_equal(back, part))
        if snaps:
            snapped = snap_to_frames(back, float(marker_fps))
            if snapped is None or (last_frame is not None and snapped[1][0] <= last_frame):
                snaps = False
            else:
                last_frame = int(snapped[1][-1])
                snapped_equal = snapped_equal and bool(np.array_equal(snapped[0], part))
        if not plain_equal and not (snaps and snapped_equal):
            return False
    return snapped_equal if snaps else plain_equal


def padding_rows(ds: xr.Dataset) -> int:
    """Rows of NaN to add so that time is the longest axis of every series' data.

    nwbinspector calls a series whose data has fewer rows (times) than columns
    (x, y[, z]) wrongly oriented (CRITICAL); a dataset of fewer frames than
    spatial dimensions gets rows of NaN ("no point") after its last time,
    marked in the series' comments so that posebridge drops them on reading.
    """
    return max(0, ds.sizes["space"] - ds.sizes["time"])


def padded_plan(plan: TimePlan, rows: int, fps: float | None) -> TimePlan:
    """The time plan extended by ``rows`` padding times after the last one."""
    comment = " | ".join(c for c in (plan.comment, padding_comment(rows)) if c)
    if plan.rate is not None:
        return dataclasses.replace(plan, comment=comment)
    t = np.asarray(plan.timestamps, dtype=np.float64)
    if t.size == 0:
        return TimePlan(1.0, 0.0, None, comment)
    step = 1.0 / fps if fps else float(np.median(np.diff(t))) if t.size > 1 else 1.0
    extra = t[-1] + step * np.arange(1, rows + 1, dtype=np.float64)
    times = np.concatenate([t, extra])
    return dataclasses.replace(plan, rate=None, timestamps=times, comment=comment)


def _frame_map(t: np.ndarray, frames: np.ndarray, fps: float | None) -> tuple | None:
    """(start, rate, first) whose formula (:func:`mapped_frames`) gives ``frames`` back.

    The start is the first time and ``first`` its frame; the rate is the fps,
    else the frames' step over the times' (camera timestamps that drift from a
    nominal fps, or no fps at all). ``None`` when none fits, or when the frames
    do not increase (the reader keeps only increasing ones).
    """
    if frames.size > 1 and not bool(np.all(np.diff(frames) > 0)):
        return None
    start, first = float(t[0]), int(frames[0])
    rates = [fps] if fps else []
    if t.size == 1:
        rates = rates or [1.0]
    elif t[-1] > t[0] and frames[-1] > frames[0]:
        estimate = float(frames[-1] - frames[0]) / float(t[-1] - t[0])
        rates += [round(estimate, 6), estimate]
    for rate in rates:
        if rate > 0 and all(
            np.array_equal(mapped_frames(t[block], start, rate, first), frames[block])
            for block in _blocks(t.size)
        ):
            return start, float(rate), first
    return None


def frames_in_seconds(ds: xr.Dataset) -> xr.Dataset:
    """The dataset with time in seconds when it counts video frames and states its fps.

    NWB stores seconds: frame ``k`` of a dataset in frames with ``fps`` is written at
    ``k / fps`` s, its frame numbers kept in the ``frame`` coordinate
    (:func:`posebridge.model.with_fps`), so that the rate is written and read back.
    Only a dataset without fps (or whose rows are still images, not frames of a
    video) is written as 1 frame = 1 s.

    Parameters
    ----------
    ds
        A poses dataset.

    Returns
    -------
    xarray.Dataset
        ``ds`` itself, or a copy with time in seconds.
    """
    fps = ds.attrs.get("fps")
    if ds.attrs.get("time_unit") != "frames" or not fps:
        return ds
    return model.with_fps(ds, float(fps))  # rows of still images stay as they are


def time_plan(ds: xr.Dataset) -> TimePlan:
    """Rate or timestamps for the dataset's time, and the posebridge marker."""
    time = np.asarray(ds["time"].values)
    if ds.attrs.get("time_unit") == "frames":
        frames = time.astype(np.int64)
        if frames.size and (frames.size == 1 or np.all(np.diff(frames) == 1)):
            return TimePlan(1.0, float(frames[0]), None, frames_comment())
        return TimePlan(None, 0.0, frames.astype(np.float64), frames_comment())
    t = np.asarray(time, dtype=np.float64)  # the coordinate itself when float64: no copy
    fps = ds.attrs.get("fps")
    fps = float(fps) if fps else None
    markers: list[str] = []
    marker_fps = None
    unkept = mapping = None
    frames = model.frame_numbers(ds)
    if frames is not None and t.size:
        if fps and all(
            np.array_equal(model.nearest_frames(t[block], fps), frames[block])
            for block in _blocks(t.size)
        ):
            markers.append(fps_comment(fps))
        elif (mapping := _frame_map(t, frames, fps)) is not None:
            markers += [fps_comment(fps)] if fps else []
            markers.append(frame_map_comment(*mapping))
        else:
            unkept = frames
        marker_fps = fps if markers and fps else None
    rate = _regular_rate(t, fps, marker_fps)
    if rate is not None:
        if fps is None:  # the rate is the times' step: the reader must not take it as fps
            markers.insert(0, no_fps_comment())
        return TimePlan(rate, float(t[0]), None, " | ".join(markers) or None, unkept, mapping)
    return TimePlan(None, 0.0, t, " | ".join(markers) or None, unkept, mapping)
