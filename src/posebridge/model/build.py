"""Building model datasets from arrays, and the time helpers every format uses.

``from_numpy`` / ``bboxes_from_numpy`` make datasets from arrays; ``with_fps``
turns frames into seconds; ``frame_numbers`` gives the frames back.
"""

from __future__ import annotations

import math
import numbers
import os
import warnings
from collections.abc import Hashable, Iterable, Sequence
from typing import Any

import numpy as np
import xarray as xr

from posebridge import errors
from posebridge.errors import (
    DatasetKindError,
    SchemaError,
    TypeError,
    expect_dataset,
    user_stacklevel,
)
from posebridge.model.names import (
    BBOXES,
    BBOXES_DIMS,
    FRAME,
    INDIVIDUAL,
    KEYPOINT,
    POSES,
    POSES_DIMS,
    SPACE,
    SPACE_NAMES,
    TIME,
    VIEW,
)

__all__ = [
    "bboxes_from_numpy",
    "checked_fps",
    "confidence_per_keypoint",
    "expect_poses",
    "frame_numbers",
    "from_numpy",
    "name_texts",
    "whole_numbers",
    "with_file_fps",
    "with_fps",
]

#: Whole numbers are exact in float64 (and fit int64) below this size: 2**53.
LARGEST_WHOLE = 2**53


# --------------------------------------------------------------------------
# builders


def _names(given: Sequence[str] | str | None, count: int, prefix: str, what: str) -> np.ndarray:
    """The names of one axis as a text array (text even when there are none)."""
    if given is None:
        return np.array([f"{prefix}{i}" for i in range(count)], dtype=str)
    if isinstance(given, str):
        warnings.warn(
            f"{what} was given as one string; it is taken as a list of one name.",
            UserWarning,
            stacklevel=user_stacklevel(),
        )
        given = [given]
    if not isinstance(given, Iterable) or isinstance(given, bytes | dict):
        raise TypeError(f"Expected '{what}' to be a list of names, got {given!r}.")
    names = name_texts(given, what)
    if len(names) != count:
        raise SchemaError(
            f"Expected '{what}' to have length {count} (the array's size along "
            f"that axis), but got {len(names)}."
        )
    if len(set(names)) != len(names):
        raise SchemaError(f"Elements in '{what}' are not unique: {names}.")
    return np.array(names, dtype=str)


def name_texts(given: Iterable[Any], what: str) -> list[str]:
    """Names (of keypoints, individuals, camera views) as texts; numbers are taken as text.

    Parameters
    ----------
    given
        The names, one per entry of the axis.
    what
        What they are, for the message (e.g. ``"individual_names"``).

    Returns
    -------
    list of str
        The names as text.

    Raises
    ------
    TypeError
        A name is not text or a number: ``None``, bytes, a bool (which would
        become ``'None'``, ``"b'x'"``, ``'True'``).

    Examples
    --------
    >>> name_texts(["left", 2], "views")
    ['left', '2']
    >>> name_texts([None], "views")
    Traceback (most recent call last):
    ...
    posebridge.errors.TypeError: Expected 'views' to hold names (text, or numbers taken as ...
    """
    names = []
    for name in given:  # a name per keypoint, individual or view, not per frame
        if isinstance(name, bool | np.bool_) or not isinstance(name, str | numbers.Real | np.str_):
            raise TypeError(
                f"Expected '{what}' to hold names (text, or numbers taken as text), got "
                f"{name!r} ({type(name).__name__})."
            )
        names.append(str(name))
    return names


def _array(value: Any, what: str, ndim: Sequence[int]) -> np.ndarray:
    if not isinstance(value, np.ndarray):
        raise errors.TypeError(
            f"Expected '{what}' to be a numpy array, got {type(value).__name__}."
        )
    if value.ndim not in ndim:
        raise SchemaError(
            f"Expected '{what}' to have {' or '.join(map(str, ndim))} dimensions, "
            f"but got {value.ndim}."
        )
    if not np.issubdtype(value.dtype, np.number) or value.dtype.kind == "c":
        raise SchemaError(f"Expected '{what}' to be numeric, got dtype {value.dtype}.")
    return value


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


def _base_attrs(ds_type: str, source_software: str | None) -> dict[str, Any]:
    attrs: dict[str, Any] = {"ds_type": ds_type, "time_unit": "frames"}
    if source_software is not None:
        if not isinstance(source_software, str):  # validate refuses it as an attribute
            raise TypeError(
                "Expected 'source_software' to be text (the software's name) or None, got "
                f"{source_software!r} ({type(source_software).__name__})."
            )
        attrs["source_software"] = str(source_software)
    return attrs


def from_numpy(
    position_array: np.ndarray,
    confidence_array: np.ndarray | None = None,
    individual_names: Sequence[str] | None = None,
    keypoint_names: Sequence[str] | None = None,
    fps: float | None = None,
    source_software: str | None = None,
) -> xr.Dataset:
    """Build a poses dataset from numpy arrays.

    Parameters
    ----------
    position_array
        Shape (n_frames, n_space, n_keypoints, n_individuals), n_space 2 or 3.
    confidence_array
        Shape (n_frames, n_keypoints, n_individuals); NaN when omitted.
    individual_names, keypoint_names
        Names in array order; ``id_<i>`` and ``keypoint_<i>`` when omitted.
    fps
        Frames per second. With it, ``time`` is in seconds and the frame
        numbers stay in the ``frame`` coordinate.
    source_software
        The name of the software that produced the data (text), if known.

    Returns
    -------
    xarray.Dataset
        A valid poses dataset.

    Examples
    --------
    >>> import numpy as np
    >>> from posebridge import from_numpy
    >>> ds = from_numpy(np.zeros((10, 2, 3, 1)), keypoint_names=["a", "b", "c"])
    >>> ds.position.dims
    ('time', 'space', 'keypoint', 'individual')
    """
    position = _array(position_array, "position_array", (4,))
    n_time, n_space, n_kp, n_ind = position.shape
    if n_space not in (2, 3):
        raise SchemaError(
            "Expected 'position_array' to have 2 or 3 spatial dimensions "
            f"(axis 1), but got {n_space}."
        )
    if confidence_array is None:
        confidence = np.full((n_time, n_kp, n_ind), np.nan, dtype=np.float32)
    else:
        confidence = _array(confidence_array, "confidence_array", (2, 3))
        allowed = [(n_time, n_kp, n_ind), (n_time, n_ind)]
        if confidence.shape not in allowed:
            raise SchemaError(
                f"Expected 'confidence_array' to have shape {allowed[0]} or "
                f"{allowed[1]}, but got {confidence.shape}."
            )
    conf_dims = (TIME, KEYPOINT, INDIVIDUAL) if confidence.ndim == 3 else (TIME, INDIVIDUAL)
    ds = xr.Dataset(
        {
            "position": (POSES_DIMS, position),
            "confidence": (conf_dims, confidence),
        },
        coords={
            TIME: np.arange(n_time, dtype=np.int64),
            SPACE: list(SPACE_NAMES[:n_space]),
            KEYPOINT: _names(keypoint_names, n_kp, "keypoint_", "keypoint_names"),
            INDIVIDUAL: _names(individual_names, n_ind, "id_", "individual_names"),
        },
        attrs=_base_attrs(POSES, source_software),
    )
    _refuse_infinite(position, POSES_DIMS, "position")
    return with_fps(ds, fps) if fps is not None else ds


def infinite_values(
    values: np.ndarray,
    dims: tuple[Hashable, ...],
    name: str,
    offset: tuple[int, ...] | None = None,
) -> str | None:
    """What is wrong with ``values`` of variable ``name`` if it holds +-inf, else None.

    ``offset`` places ``values`` in the whole variable (a block read lazily):
    the first infinite value of the block is named where it is in the variable
    (and the count, of one block, is left out).

    Examples
    --------
    >>> message = infinite_values(np.array([1.0, np.inf]), ("time",), "position")
    >>> message.startswith("'position' holds 1 infinite values (the first at {'time': 1})")
    True
    """
    infinite = np.isinf(values)
    if not infinite.any():
        return None
    at = np.argwhere(infinite)[0] + (np.asarray(offset) if offset is not None else 0)
    first = dict(zip(dims, at.tolist(), strict=True))
    count = "" if offset is not None else f"{int(infinite.sum())} "
    return (
        f"'{name}' holds {count}infinite values (the first at {first}); "
        "a position or size is a finite number, or NaN for 'no point'. Replace them, "
        f"e.g. ds['{name}'] = ds['{name}'].where(np.isfinite(ds['{name}']))."
    )


def _refuse_infinite(values: np.ndarray, dims: tuple[str, ...], name: str) -> None:
    """What ``validate`` refuses, refused here (a dataset built is a valid one)."""
    message = infinite_values(np.asarray(values), dims, name)
    if message is not None:
        raise SchemaError(message)


def bboxes_from_numpy(
    position_array: np.ndarray,
    shape_array: np.ndarray,
    confidence_array: np.ndarray | None = None,
    individual_names: Sequence[str] | None = None,
    frame_array: np.ndarray | None = None,
    fps: float | None = None,
    source_software: str | None = None,
) -> xr.Dataset:
    """Build a bounding-box dataset from numpy arrays.

    Parameters
    ----------
    position_array
        Box centres, shape (n_frames, 2, n_individuals).
    shape_array
        Box width and height, same shape as ``position_array``.
    confidence_array
        Shape (n_frames, n_individuals); NaN when omitted.
    individual_names
        Names in array order; ``id_<i>`` when omitted.
    frame_array
        Frame numbers, shape (n_frames, 1) or (n_frames,), strictly
        increasing; ``0..n_frames-1`` when omitted. A single frame works.
    fps
        Frames per second; with it, ``time`` is in seconds.
    source_software
        The name of the software that produced the data (text), if known.

    Returns
    -------
    xarray.Dataset
        A valid bboxes dataset.

    Examples
    --------
    >>> import numpy as np
    >>> from posebridge.model import bboxes_from_numpy
    >>> ds = bboxes_from_numpy(np.ones((1, 2, 1)), np.ones((1, 2, 1)))
    >>> ds.attrs["ds_type"]
    'bboxes'
    """
    position = _array(position_array, "position_array", (3,))
    shape = _array(shape_array, "shape_array", (3,))
    n_time, n_space, n_ind = position.shape
    if n_space != 2:
        raise SchemaError(
            f"Expected 'position_array' to have 2 spatial dimensions, got {n_space}."
        )
    if shape.shape != position.shape:
        raise SchemaError(
            f"Expected 'shape_array' to have shape {position.shape} (as "
            f"'position_array'), but got {shape.shape}."
        )
    if confidence_array is None:
        confidence = np.full((n_time, n_ind), np.nan, dtype=np.float32)
    else:
        confidence = _array(confidence_array, "confidence_array", (2,))
        if confidence.shape != (n_time, n_ind):
            raise SchemaError(
                f"Expected 'confidence_array' to have shape {(n_time, n_ind)}, "
                f"but got {confidence.shape}."
            )
    if frame_array is None:
        frames = np.arange(n_time, dtype=np.int64)
    else:
        frames = _array(frame_array, "frame_array", (1, 2))
        if frames.shape not in ((n_time,), (n_time, 1)):
            raise SchemaError(
                f"Expected 'frame_array' to have shape ({n_time}, 1), but got {frames.shape}."
            )
        frames = frames.reshape(-1)
        if not whole_numbers(frames).all():
            raise SchemaError(
                "Expected 'frame_array' to hold whole frame numbers (of size below 2**53)."
            )
        frames = frames.astype(np.int64)
        if np.any(np.diff(frames) <= 0):
            raise SchemaError("'frame_array' is not monotonically increasing.")
    ds = xr.Dataset(
        {
            "position": (BBOXES_DIMS, position),
            "shape": (BBOXES_DIMS, shape),
            "confidence": ((TIME, INDIVIDUAL), confidence),
        },
        coords={
            TIME: frames,
            SPACE: ["x", "y"],
            INDIVIDUAL: _names(individual_names, n_ind, "id_", "individual_names"),
        },
        attrs=_base_attrs(BBOXES, source_software),
    )
    _refuse_infinite(position, BBOXES_DIMS, "position")
    _refuse_infinite(shape, BBOXES_DIMS, "shape")
    return with_fps(ds, fps) if fps is not None else ds


# --------------------------------------------------------------------------
# time helpers


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


def expect_poses(ds: xr.Dataset, what: str) -> None:
    """Refuse a dataset that is not poses (bounding boxes have no keypoint dim).

    Raises
    ------
    DatasetKindError
        Naming ``what`` (the function or format) and the dataset's kind.

    Examples
    --------
    >>> import numpy as np
    >>> boxes = bboxes_from_numpy(np.zeros((2, 2, 1)), np.ones((2, 2, 1)))
    >>> expect_poses(boxes, "to_sleap_io")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    posebridge.errors.DatasetKindError: to_sleap_io takes poses (keypoints); this dataset ...
    """
    kind = ds.attrs.get("ds_type")
    if kind != POSES:
        raise DatasetKindError(
            f"{what} takes poses (keypoints); this dataset holds {kind} (no keypoint dim). "
            "Save boxes as VIA tracks or netCDF."
        )


def confidence_per_keypoint(ds: xr.Dataset) -> xr.DataArray:
    """The confidence as (time, keypoint, individual), broadcasting per-animal scores.

    A dataset with camera views gets (time, keypoint, individual, view): the ``view``
    dim is kept last, as in ``position``, and a confidence without it (one score for
    all views) is repeated along it. Without views the result is exactly 3-D.

    Parameters
    ----------
    ds
        A poses dataset, with or without a ``view`` dim.

    Returns
    -------
    xarray.DataArray
        Confidence with dims (time, keypoint, individual), plus ``view`` last when the
        dataset has views; NaN if absent.

    Examples
    --------
    >>> import numpy as np
    >>> from posebridge.model import from_numpy, confidence_per_keypoint
    >>> ds = from_numpy(np.zeros((2, 2, 3, 1)))
    >>> confidence_per_keypoint(ds).shape
    (2, 3, 1)
    >>> confidence_per_keypoint(ds.expand_dims(view=["left", "right"], axis=-1)).dims
    ('time', 'keypoint', 'individual', 'view')
    """
    expect_dataset(ds)
    if KEYPOINT not in ds["position"].dims:
        expect_poses(ds, "confidence_per_keypoint")
    template = ds["position"].isel({SPACE: 0}, drop=True)
    dims = (TIME, KEYPOINT, INDIVIDUAL, *((VIEW,) if VIEW in template.dims else ()))
    if "confidence" not in ds:
        return xr.full_like(template, np.nan).transpose(*dims)
    conf = ds["confidence"]
    if set(conf.dims) != set(template.dims):  # per-animal, or one score for all views
        conf = conf.broadcast_like(template)
    return conf.transpose(*dims)
