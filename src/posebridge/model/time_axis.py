"""The time axis of model datasets: frame rates, frame numbers and times in seconds.

``with_fps`` turns frames into seconds (``with_file_fps`` first checks the rate against a
file's own); ``frame_numbers`` gives the frames back; ``whole_numbers`` and
``LARGEST_WHOLE`` say which numbers float64 holds exactly, for frame numbers, ids and
tracks read as floats. It imports nothing of the model but :mod:`posebridge.model.names`.
"""

from __future__ import annotations

import math
import numbers
import os
import warnings
from typing import Any

import numpy as np
import xarray as xr

from posebridge import errors
from posebridge.errors import SchemaError, TypeError, expect_dataset, user_stacklevel
from posebridge.model.names import BBOXES, FRAME, TIME

__all__ = [
    "LARGEST_WHOLE",
    "TIME_BLOCK",
    "checked_fps",
    "distinct_frame_numbers",
    "first_frame_beyond_float64",
    "frame_numbers",
    "nearest_frames",
    "warn_frames_beyond_float64",
    "whole_numbers",
    "with_file_fps",
    "with_fps",
]

#: Whole numbers are exact in float64 (and fit int64) below this size: 2**53.
LARGEST_WHOLE = 2**53


def whole_numbers(values: Any) -> np.ndarray:
    """Where ``values`` are whole numbers that float64 holds exactly (size below 2**53).

    Frame numbers, ids and tracks read as floats must pass before they become
    int64: NaN, infinities, fractions and sizes from 2**53 up (where float64 skips
    whole numbers, and past 2**63 int64 wraps) do not.

    Examples
    --------
    >>> whole_numbers([0, 7.0, -3, 2.5, float("nan"), 1e30, 2**53]).tolist()
    [True, True, True, False, False, False, False]
    """
    array = np.asarray(values)
    if array.dtype.kind in "iu":
        return np.abs(array.astype(np.float64)) < LARGEST_WHOLE
    if array.dtype.kind not in "f":
        array = array.astype(np.float64)
    with np.errstate(invalid="ignore"):
        return (np.mod(array, 1) == 0) & (np.abs(array) < LARGEST_WHOLE)


def checked_fps(fps: float | str | None) -> float | None:
    """A frame rate as a float: a positive finite number, or text of one (as movement's
    ``float(fps)`` takes it, and as a manifest's CSV cell holds it), or None.

    A bool, bytes or a container is refused (``True`` is not a frame rate), and so is a
    rate so small that frame numbers divided by it are not finite.

    Examples
    --------
    >>> checked_fps(30), checked_fps("29.97"), checked_fps(None)
    (30.0, 29.97, None)
    """
    if fps is None:
        return None
    if isinstance(fps, np.ndarray) and fps.ndim == 0:
        fps = fps.item()
    if isinstance(fps, bool | np.bool_ | bytes) or not isinstance(fps, str | numbers.Real):
        raise TypeError(f"fps must be a number, got {fps!r} ({type(fps).__name__}).")
    try:
        value = float(fps)
    except (TypeError, ValueError):
        raise SchemaError(f"fps must be a number, got {fps!r}.") from None
    if not math.isfinite(value) or value <= 0:
        raise SchemaError(f"fps must be a positive number, got {fps!r}.")
    if not math.isfinite(LARGEST_WHOLE / value):
        raise SchemaError(
            f"fps must be a positive number whose frame times are finite, got {fps!r}."
        )
    return value


def with_file_fps(
    ds: xr.Dataset, fps: float | str | None, path: str | os.PathLike[str], *, option: str = "fps="
) -> xr.Dataset:
    """``ds`` (read from ``path``) with the frame rate given, unless the file contradicts it.

    A file whose times are in seconds and that states its frame rate keeps
    both: another rate would be recorded beside times taken at the file's own
    (``fps=60`` with 30-fps timestamps), so it is refused, naming the file and
    both rates. A rate equal to the file's (relative tolerance 1e-9), a rate
    for a file whose times are frame numbers or that states none, and a rate
    for labelled frames (whose ``fps`` is only their videos' rate) are taken
    (:func:`with_fps`). ``load``, ``convert``, ``open_dataset``,
    ``convert_many`` and the command line all check through this function.

    Parameters
    ----------
    ds
        The dataset as read from ``path``.
    fps
        The frame rate given (a positive number, or text of one), or ``None``.
    path
        The file ``ds`` was read from, for the message.
    option
        How the rate was given, for the message (``"fps="``; ``"--fps "`` on
        the command line).

    Returns
    -------
    xarray.Dataset
        ``ds`` with ``fps`` set (time in seconds); ``ds`` itself when ``fps`` is None.

    Raises
    ------
    PoseBridgeError
        When ``fps`` contradicts the file's own frame rate; a
        :class:`~posebridge.errors.SchemaError` or ``TypeError`` when it is
        not a positive number.

    Examples
    --------
    >>> import numpy as np
    >>> from posebridge.model import from_numpy
    >>> ds = from_numpy(np.zeros((3, 2, 1, 1)), fps=30)  # times in seconds, at 30 fps
    >>> with_file_fps(ds, 30.0, "a.nc").attrs["fps"]
    30.0
    >>> with_file_fps(ds, 60, "a.nc")
    Traceback (most recent call last):
    ...
    posebridge.errors.PoseBridgeError: a.nc: fps=60 contradicts the file's own frame rate, ...
    """
    value = checked_fps(fps)
    if value is None:
        return ds
    own = ds.attrs.get("fps")
    seconds = ds.attrs.get("time_unit") == "seconds" and ds.attrs.get("content") != "labels"
    if seconds and own is not None and not math.isclose(float(own), value, rel_tol=1e-9):
        said = option.strip(" =")
        raise errors.PoseBridgeError(
            f"{path}: {option}{value:g} contradicts the file's own frame rate, "
            f"{float(own):g} fps, at which its times (in seconds) were taken; leave out "
            f"{said} to use the file's rate."
        )
    return with_fps(ds, value)


def _rows_of_still_images(ds: xr.Dataset) -> bool:
    """Whether ``ds``'s rows are images, not frames of a video: poses with an
    ``image_path`` and no ``frame`` numbers. A VIA tracks file's boxes are frames of a
    video, numbered by its image names (without a ``frame`` coordinate when those
    numbers are its times)."""
    return (
        ds.attrs.get("ds_type") != BBOXES and "image_path" in ds.coords and FRAME not in ds.coords
    )


def with_fps(ds: xr.Dataset, fps: float | None) -> xr.Dataset:
    """Return ``ds`` with time in seconds, given the frame rate.

    The frame numbers move to the ``frame`` coordinate. A dataset already in
    seconds keeps its timestamps (they are never re-invented from the rate);
    only the ``fps`` attribute is set. So do labelled frames and rows of still
    images (poses with an ``image_path`` coordinate and no ``frame`` numbers:
    COCO results, YOLO image predictions), whose time counts images, not frames.

    Parameters
    ----------
    ds
        A poses or bboxes dataset.
    fps
        Frames per second; ``None`` returns ``ds`` unchanged.

    Returns
    -------
    xarray.Dataset
        The dataset with ``time`` in seconds.

    Examples
    --------
    >>> import numpy as np
    >>> from posebridge.model import from_numpy, with_fps
    >>> ds = with_fps(from_numpy(np.zeros((3, 2, 1, 1))), 30.0)
    >>> ds.time.values.tolist(), ds.frame.values.tolist()
    ([0.0, 0.03333333333333333, 0.06666666666666667], [0, 1, 2])
    """
    expect_dataset(ds)
    value = checked_fps(fps)
    if value is None:
        return ds
    out = ds.copy()
    out.attrs["fps"] = value
    if out.attrs.get("time_unit") == "seconds" or out.attrs.get("content") == "labels":
        return out  # labels: time counts labelled frames; fps is only the videos' rate
    if _rows_of_still_images(out):
        return out  # (COCO results, YOLO image predictions): no times
    frames = np.asarray(out[TIME].values).astype(np.int64)
    # an existing 'frame' coordinate holds the video's own numbers (e.g. a VIA file
    # read with time counted from its first image): keep it
    video_frames = out[FRAME].values if FRAME in out.coords else frames
    out = out.assign_coords({TIME: frames / value, FRAME: (TIME, video_frames)})
    out.attrs["time_unit"] = "seconds"
    return out


#: Times handled at a time by the checks of whole time axes (a million: 8 MB), so that
#: their temporaries stay bounded: a 10-million-frame axis made several of 80 MB each.
TIME_BLOCK = 1 << 20


def nearest_frames(time: np.ndarray, fps: float) -> np.ndarray:
    """The frame nearest each time in seconds; a time half-way between two, the later.

    ``time * fps`` is rounded to a millionth of a frame first, so a regular
    series starting half-way between two frames (1.5 s at 25 fps: frame 37.5)
    gives one frame per step whatever the floating-point error of each
    product. (Rounding half to even, numpy's ``rint``, gave 37.5 and 38.5
    both frame 38.)

    Examples
    --------
    >>> import numpy as np
    >>> nearest_frames(1.5 + np.arange(4) / 25, 25.0).tolist()
    [38, 39, 40, 41]
    >>> nearest_frames(np.array([0.0, 0.98, 1.01]), 1.0).tolist()
    [0, 1, 1]
    """
    time = np.asarray(time, dtype=np.float64)
    if time.size <= TIME_BLOCK:
        return np.floor(np.round(time * float(fps), 6) + 0.5).astype(np.int64)
    frames = np.empty(time.shape, dtype=np.int64)  # a block at a time: bounded temporaries
    flat_time, flat_frames = time.reshape(-1), frames.reshape(-1)
    for low in range(0, flat_time.size, TIME_BLOCK):  # a loop over blocks of a million times
        product = np.round(flat_time[low : low + TIME_BLOCK] * float(fps), 6)
        flat_frames[low : low + TIME_BLOCK] = np.floor(product + 0.5)
    return frames


def frame_numbers(ds: xr.Dataset) -> np.ndarray | None:
    """Video frame number of every time step, or ``None`` when unknown.

    Taken from the ``frame`` coordinate, else from ``time`` in frames, else
    from ``time * fps`` rounded to the nearest frame (never truncated; see
    :func:`nearest_frames`).

    Parameters
    ----------
    ds
        A poses or bboxes dataset.

    Returns
    -------
    numpy.ndarray or None
        int64 frame numbers along ``time``.

    Raises
    ------
    SchemaError
        When a frame number (``frame``, or ``time`` in frames) is not a whole
        number (a fraction, NaN, infinite, 2**53 or more in size), or a time in
        seconds is NaN or infinite or its frame reaches 2**53 in size: the first
        such value and its index are named. A frame number is never guessed by
        truncating or rounding one.

    Examples
    --------
    >>> import numpy as np
    >>> from posebridge.model import from_numpy, frame_numbers
    >>> frame_numbers(from_numpy(np.zeros((3, 2, 1, 1)), fps=29.97)).tolist()
    [0, 1, 2]
    >>> frame_numbers(from_numpy(np.zeros((2, 2, 1, 1))).assign_coords(time=[0.0, 1.5]))
    Traceback (most recent call last):
    ...
    posebridge.errors.SchemaError: Coordinate 'time' holds frame numbers (time_unit 'frames'), \
which must be whole numbers; got 1.5 at index 1.
    """
    expect_dataset(ds)
    if FRAME in ds.coords:
        return _checked_frames(ds, FRAME, "")
    if ds.attrs.get("time_unit", "frames") == "frames":
        return _checked_frames(ds, TIME, " (time_unit 'frames')")
    fps = ds.attrs.get("fps")
    if not fps:
        return None
    time = np.asarray(ds[TIME].values, dtype=np.float64)
    finite = np.isfinite(time)
    if not finite.all():
        at = int(np.argmin(finite))
        raise SchemaError(
            f"{_source(ds)}Coordinate 'time' holds {_shown(time[at])} at index {at}, which is no "
            "time, so no video frame can be matched to that time step."
        )
    beyond = first_frame_beyond_float64(time, float(fps))
    if beyond is not None:
        at, frame = beyond
        raise SchemaError(
            f"{_source(ds)}Coordinate 'time' is in seconds, and at attrs['fps'] {fps} its "
            f"time {_shown(time[at])} at index {at} is frame {frame:.17g}: no frame number "
            "can be stored for it, as frame numbers must be whole numbers below 2**53 in "
            "size, which float64 holds exactly. Count the times from the start of the "
            "recording, e.g. ds.assign_coords(time=ds.time - ds.time[0]), or save to "
            "netCDF (.nc), which keeps the times in seconds."
        )
    return nearest_frames(time, float(fps))


def first_frame_beyond_float64(time: np.ndarray, fps: float) -> tuple[int, float] | None:
    """The first time in seconds whose frame number reaches 2**53 in size, if any.

    The frame number is ``time × fps`` rounded to the nearest frame, as
    :func:`nearest_frames` gives it; from 2**53 on, float64 (every format's
    frame numbers) no longer holds each whole number, so such a frame number
    would not be stored exactly.

    Parameters
    ----------
    time
        Finite times in seconds.
    fps
        The frame rate, a positive number.

    Returns
    -------
    tuple of (int, float) or None
        The index of the first such time and its frame number; ``None`` when
        every frame number is below 2**53 in size.

    Examples
    --------
    >>> import numpy as np
    >>> first_frame_beyond_float64(np.array([0.0, 1.0, 2.0**53]), 1.0)
    (2, 9007199254740992.0)
    >>> first_frame_beyond_float64(np.array([0.0, 1.0]), 30.0) is None
    True
    """
    with np.errstate(over="ignore", invalid="ignore"):
        frames = np.floor(np.round(np.asarray(time, dtype=np.float64) * fps, 6) + 0.5)
    kept = np.abs(frames) < LARGEST_WHOLE
    if kept.all():
        return None
    at = int(np.argmin(kept))
    return at, float(frames[at])


def warn_frames_beyond_float64(ds: xr.Dataset, path: str | os.PathLike[str]) -> None:
    """Warn when the frame numbers of ``ds``'s times in seconds reach 2**53 in size.

    Such a dataset, read from ``path``, is kept as it is (its times in seconds
    are exact), but no writer that stores frame numbers can write it: the
    warning says so at load, while the dataset can still be shifted.

    Parameters
    ----------
    ds
        A validated dataset, read from ``path``.
    path
        The file it was read from, for the message.

    Examples
    --------
    >>> import numpy as np
    >>> from posebridge.model import from_numpy
    >>> warn_frames_beyond_float64(from_numpy(np.zeros((2, 2, 1, 1)), fps=30.0), "a.nc")
    """
    fps = ds.attrs.get("fps")
    if ds.attrs.get("time_unit") != "seconds" or FRAME in ds.coords or not fps:
        return
    time = np.asarray(ds[TIME].values, dtype=np.float64)
    beyond = first_frame_beyond_float64(time, float(fps))
    if beyond is None:
        return
    at, frame = beyond
    warnings.warn(
        f"{path}: its time {_shown(time[at])} (seconds) at index {at} is frame {frame:.17g} "
        f"at {fps} fps, 2**53 or more in size, which float64 frame numbers do not hold "
        "exactly: it saves to netCDF (.nc), which keeps the times in seconds, and to no "
        "format that stores frame numbers. To save it to one, count the times from the start "
        "of the recording, e.g. ds.assign_coords(time=ds.time - ds.time[0]).",
        UserWarning,
        stacklevel=user_stacklevel(),
    )


def _source(ds: xr.Dataset) -> str:
    """``"<source_file>: "`` to start a message about ``ds``; ``""`` when it names no file."""
    source = ds.attrs.get("source_file")
    return f"{source}: " if isinstance(source, str) and source else ""


def _shown(value: Any) -> str:
    """A value for a message: ``NaN`` spelled so, anything else as its repr."""
    item = value.item() if isinstance(value, np.generic) else value
    return "NaN" if isinstance(item, float) and math.isnan(item) else repr(item)


def _checked_frames(ds: xr.Dataset, name: str, unit: str) -> np.ndarray:
    """Coordinate ``name`` as int64 frame numbers, refused unless every one is whole."""
    values = np.asarray(ds[name].values)
    if values.dtype.kind in "iu":
        return values.astype(np.int64)
    whole = whole_numbers(values) if values.dtype.kind == "f" else np.zeros(values.shape, bool)
    if not whole.all():
        at = int(np.argmin(whole))
        raise SchemaError(
            f"{_source(ds)}Coordinate {name!r} holds frame numbers{unit}, which must be whole "
            f"numbers; got {_shown(values[at])} at index {at}."
        )
    return values.astype(np.int64)


def _increasing(frames: np.ndarray, block: int = TIME_BLOCK) -> bool:
    """Whether ``frames`` strictly increase (checked a block at a time: bounded memory)."""
    for low in range(0, frames.size, block):  # a loop over blocks of a million frames
        part = frames[max(low - 1, 0) : low + block]
        if not np.all(part[1:] > part[:-1]):
            return False
    return True


def distinct_frame_numbers(ds: xr.Dataset, what: str) -> np.ndarray | None:
    """:func:`frame_numbers`, checked to give each time step a frame of its own.

    For the formats that hold one row per video frame: time in seconds that
    two steps round to the same frame at the dataset's fps would be written as
    two rows of one frame, which the format (and its reader) refuses.

    Raises
    ------
    SchemaError
        Naming the two time steps and the frame they share.

    Examples
    --------
    >>> import numpy as np
    >>> from posebridge.model import from_numpy
    >>> ds = from_numpy(np.zeros((2, 2, 1, 1)), fps=30).drop_vars("frame")
    >>> ds = ds.assign_coords(time=[0.1, 0.11])  # both frame 3 at 30 fps
    >>> distinct_frame_numbers(ds, "DeepLabCut")
    Traceback (most recent call last):
    ...
    posebridge.errors.SchemaError: DeepLabCut files hold one row per video frame, but ...
    """
    frames = frame_numbers(ds)
    if frames is None or _increasing(frames):
        return frames
    ordered = np.sort(frames, kind="stable")
    repeated = ordered[1:][ordered[1:] == ordered[:-1]]
    if not repeated.size:
        return frames
    first, second = np.flatnonzero(frames == repeated[0])[:2].tolist()
    times = np.asarray(ds[TIME].values)
    raise SchemaError(
        f"{what} files hold one row per video frame, but time steps {first} and {second} "
        f"({times[first]!s} and {times[second]!s} {ds.attrs.get('time_unit', 'frames')}) "
        f"both fall on frame {int(repeated[0])} at {ds.attrs.get('fps')} fps. Keep one of "
        "them (ds.drop_isel(time=...)), or write a format that keeps times (NWB, netCDF)."
    )
