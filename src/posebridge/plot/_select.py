"""Choosing what a figure shows: individuals, keypoints, a time range, a frame, and
fewer time steps for drawing. The still frame under it is :mod:`._still`'s. No
matplotlib here.

Selections are made on the dataset (``isel``) before any values are taken, so
a lazily loaded (dask) dataset reads only what is drawn, once.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
import xarray as xr

from posebridge import model
from posebridge._option_values import expect_kind, expect_number
from posebridge.errors import (
    PoseBridgeError,
    SchemaError,
    expect_dataset,
    user_stacklevel,
)
from posebridge.model import labels

__all__ = [
    "TimeRange",
    "check_count",
    "check_model",
    "colour_numbers",
    "decimate",
    "flat_only",
    "frame_row",
    "named",
    "parse_time_range",
    "select",
    "timed_rows",
]

TimeRange = tuple[float | None, float | None]

#: A coordinate along ``individual`` that :func:`select` adds when it picks tracks:
#: each track's place in the dataset given, so it keeps its colour when shown alone.
_COLOUR_NUMBER = "_posebridge_colour_number"


def colour_numbers(ds: xr.Dataset) -> list[int]:
    """Each individual's colour number: its place in the dataset before :func:`select`.

    Examples
    --------
    >>> import numpy as np
    >>> from posebridge import from_numpy
    >>> ds = from_numpy(np.zeros((2, 2, 1, 3)), individual_names=["a", "b", "c"])
    >>> colour_numbers(select(ds, individuals=["c", "a"]))
    [2, 0]
    """
    if _COLOUR_NUMBER in ds.coords:
        return [int(v) for v in ds[_COLOUR_NUMBER].values]
    return list(range(ds.sizes[model.INDIVIDUAL]))


def _pick(ds: xr.Dataset, dim: str, names: Sequence[str] | str | None) -> xr.Dataset:
    if names is None or dim not in ds.dims:
        if names is not None and dim == model.KEYPOINT:
            raise PoseBridgeError("a bounding-box dataset has no keypoints to choose from.")
        return ds
    if isinstance(names, str):
        names = [names]
    else:  # any sequence of names: a list, a tuple, the dataset's own coordinate values
        names = [str(n) if isinstance(n, str) else n for n in names]
    have = [str(v) for v in ds[dim].values]
    unknown = [n for n in names if n not in have]
    if unknown:
        raise PoseBridgeError(
            f"no {dim} named {', '.join(map(repr, unknown))}; the {dim}s are: {', '.join(have)}."
        )
    if not names:
        raise PoseBridgeError(f"no {dim} chosen.")
    if len(set(names)) < len(names):
        twice = next(n for i, n in enumerate(names) if n in names[:i])
        raise PoseBridgeError(f"{dim} {twice!r} is named twice; name each {dim} once.")
    return ds.isel({dim: [have.index(n) for n in names]})


def parse_time_range(text: str) -> TimeRange:
    """``"START:END"`` (either side may be empty) -> (start, end).

    Examples
    --------
    >>> parse_time_range("10:20"), parse_time_range(":2.5"), parse_time_range("5:")
    ((10.0, 20.0), (None, 2.5), (5.0, None))
    """
    start, sep, end = text.partition(":")
    if not sep:
        raise PoseBridgeError(f"a time range is START:END (either may be empty), got {text!r}.")
    try:
        first = float(start) if start.strip() else None
        last = float(end) if end.strip() else None
    except ValueError:
        raise PoseBridgeError(f"a time range is START:END of numbers, got {text!r}.") from None
    if any(v is not None and np.isnan(v) for v in (first, last)):
        raise PoseBridgeError(f"a time range is START:END of numbers, got {text!r}.")
    _check_time_order(first, last, text)
    return first, last


def _check_time_order(start: float | None, end: float | None, text: str) -> None:
    """Refuse a time range ``text`` (as the user gave it) whose end comes before its start.

    Examples
    --------
    >>> _check_time_order(5, 2, "5:2")
    Traceback (most recent call last):
    ...
    posebridge.errors.PoseBridgeError: the time range '5:2' ends before it starts.
    """
    if start is not None and end is not None and end < start:
        raise PoseBridgeError(f"the time range {text!r} ends before it starts.")


def _time_text(ds: xr.Dataset) -> str:
    time = np.asarray(ds[model.TIME].values)
    unit = "s" if ds.attrs.get("time_unit") == "seconds" else "frames"
    if time.size == 0:
        return "the dataset has no time steps"
    return f"the data run from {time[0]:g} to {time[-1]:g} ({unit})"


def named(ds: xr.Dataset) -> str:
    """``"<source_file>: "``, the start of a message about ``ds``; ``""`` when it names no file.

    Examples
    --------
    >>> import xarray as xr
    >>> named(xr.Dataset(attrs={"source_file": "a.h5"})), named(xr.Dataset())
    ('a.h5: ', '')
    """
    source = ds.attrs.get("source_file")
    return f"{source}: " if isinstance(source, str) and source else ""


def check_model(ds: xr.Dataset) -> None:
    """Refuse a dataset without what a picture is drawn from; only metadata is looked at.

    A figure or video needs ``position`` with the model's dims (``shape`` too
    for boxes), their coordinates, space ``x, y`` (or ``x, y, z``) and a numeric
    ``time``. Nothing is read, so a lazily opened dataset stays unread.

    Raises
    ------
    SchemaError
        Naming the dataset's file (when it has one) and what is missing.

    Examples
    --------
    >>> import numpy as np
    >>> from posebridge import from_numpy
    >>> check_model(from_numpy(np.zeros((2, 2, 1, 1))).drop_vars("position"))
    Traceback (most recent call last):
    ...
    posebridge.errors.SchemaError: the dataset has no 'position' variable to draw ...
    """
    at = named(ds)
    if "position" not in ds.data_vars:
        found = ", ".join(sorted(map(str, ds.data_vars))) or "none"
        raise SchemaError(
            f"{at}the dataset has no 'position' variable to draw (its variables: {found}); "
            "a poses or boxes dataset is needed (posebridge.load, posebridge.from_numpy)."
        )
    boxes = ds.attrs.get("ds_type") == model.BBOXES
    kind, dims = (model.BBOXES, model.BBOXES_DIMS) if boxes else (model.POSES, model.POSES_DIMS)
    have = ds["position"].dims
    if {d for d in have if d != model.VIEW} != set(dims):
        legacy = set(have) & set(model.LEGACY_DIM_NAMES)
        hint = "; posebridge.validate(ds) renames movement's older plural dims" if legacy else ""
        raise SchemaError(
            f"{at}'position' of a {kind} dataset must have dims {dims}, got {have}{hint}."
        )
    if boxes and "shape" not in ds.data_vars:
        raise SchemaError(f"{at}a boxes dataset needs the variable 'shape' (width, height).")
    missing = [dim for dim in dims if dim not in ds.coords]
    if missing:
        raise SchemaError(
            f"{at}the dataset has no {', '.join(map(repr, missing))} coordinate; "
            "posebridge.validate(ds) says what else it lacks."
        )
    space = [str(v) for v in ds[model.SPACE].values]
    if space not in (["x", "y"], ["x", "y", "z"]):
        raise SchemaError(
            f"{at}a picture needs space 'x', 'y' (or 'x', 'y', 'z'), got {space or 'none'}."
        )
    if ds[model.TIME].dtype.kind not in "iuf":
        raise SchemaError(
            f"{at}the 'time' coordinate must be numbers (frames or seconds), "
            f"got {ds[model.TIME].dtype}."
        )


def flat_only(ds: xr.Dataset, over: object) -> None:
    """Refuse 3D poses over a camera image (``over``: the video or image, ``None``: no image).

    3D world coordinates (millimetres, say) are not the pixels of any camera:
    drawing them on a frame needs the camera's projection, which a pose file
    does not carry. Without an image, figures show their x-y projection.

    Examples
    --------
    >>> import numpy as np
    >>> from posebridge import from_numpy
    >>> flat_only(from_numpy(np.zeros((2, 3, 1, 1))), "video.mp4")
    Traceback (most recent call last):
    ...
    posebridge.errors.PoseBridgeError: the poses are 3D (space x, y, z): ...
    """
    if over is None or ds.sizes[model.SPACE] == 2:
        return
    shown = "the image given" if isinstance(over, np.ndarray) else str(over)
    raise PoseBridgeError(
        f"{named(ds)}the poses are 3D (space x, y, z): world coordinates cannot be drawn on a "
        f"camera image ({shown}) without that camera's projection, which the poses do not "
        "carry. Project them to the camera's pixels first, or draw them without a video or "
        "image (the figures show the x-y projection)."
    )


def select(
    ds: xr.Dataset,
    *,
    individuals: Sequence[str] | str | None = None,
    keypoints: Sequence[str] | str | None = None,
    time: TimeRange | None = None,
) -> xr.Dataset:
    """The part of ``ds`` a figure shows; PoseBridgeError for a name or range not in it.

    ``time`` is (start, end), inclusive, in the dataset's time unit (frames,
    seconds, or for labels the labelled frame's index); ``None`` leaves a side open.

    Examples
    --------
    >>> import numpy as np
    >>> from posebridge import from_numpy
    >>> ds = from_numpy(np.zeros((10, 2, 2, 1)), keypoint_names=["a", "b"])
    >>> select(ds, keypoints="b", time=(2, 4)).sizes["time"]
    3
    """
    expect_dataset(ds)
    check_model(ds)
    expect_kind(individuals, Sequence[str] | str | None, "individuals")
    expect_kind(keypoints, Sequence[str] | str | None, "keypoints")
    expect_kind(time, TimeRange | None, "time")
    if time is not None and any(v is not None and np.isnan(float(v)) for v in time):
        raise PoseBridgeError(f"time must be (start, end) numbers or None, got {tuple(time)}.")
    if model.VIEW in ds.dims:
        warnings.warn(
            f"the dataset has {ds.sizes[model.VIEW]} camera views; the figure shows the first, "
            f"{ds[model.VIEW].values[0]!s} (select another with ds.sel(view=...)).",
            UserWarning,
            stacklevel=user_stacklevel(),
        )
        ds = ds.isel({model.VIEW: 0})
    if individuals is not None and _COLOUR_NUMBER not in ds.coords:
        numbers = np.arange(ds.sizes[model.INDIVIDUAL])
        ds = ds.assign_coords({_COLOUR_NUMBER: (model.INDIVIDUAL, numbers)})
    ds = _pick(ds, model.INDIVIDUAL, individuals)
    ds = _pick(ds, model.KEYPOINT, keypoints)
    if time is not None and time != (None, None):
        start, end = time
        shown = f"{'' if start is None else f'{start:g}'}:{'' if end is None else f'{end:g}'}"
        _check_time_order(start, end, shown)
        values = np.asarray(ds[model.TIME].values, dtype=float)
        keep = np.ones(values.shape, dtype=bool)
        if start is not None:
            keep &= values >= start
        if end is not None:
            keep &= values <= end
        if not keep.any():
            raise PoseBridgeError(
                f"{named(ds)}the time range {shown} holds no data: {_time_text(ds)}."
            )
        ds = ds.isel({model.TIME: np.flatnonzero(keep)})
    empty = [
        what
        for dim, what in ((model.TIME, "time steps"), (model.INDIVIDUAL, "individuals"))
        + ((model.KEYPOINT, "keypoints"),) * (model.KEYPOINT in ds["position"].dims)
        if ds.sizes[dim] == 0
    ]
    if empty:
        raise PoseBridgeError(f"{named(ds)}the dataset has no {' and no '.join(empty)} to draw.")
    return ds


def check_count(value: object, what: str) -> None:
    """Refuse a count of steps, columns or bins that is not a whole number of at least 1.

    Examples
    --------
    >>> check_count(0, "bins")
    Traceback (most recent call last):
    ...
    posebridge.errors.PoseBridgeError: bins must be a whole number, at least 1, got 0.
    """
    expect_number(value, what, whole=True, least=1)


def decimate(ds: xr.Dataset, max_steps: int) -> tuple[xr.Dataset, int]:
    """Every ``k``-th time step, ``k`` the smallest that leaves at most ``max_steps``.

    Returns the (lazily) selected dataset and ``k`` (1: nothing dropped).

    Examples
    --------
    >>> import numpy as np
    >>> from posebridge import from_numpy
    >>> small, step = decimate(from_numpy(np.zeros((25, 2, 1, 1))), 10)
    >>> small.sizes["time"], step
    (9, 3)
    """
    n = ds.sizes[model.TIME]
    step = max(1, -(-n // max(1, int(max_steps))))
    if step == 1:
        return ds, 1
    return ds.isel({model.TIME: slice(None, None, step)}), step


def frame_row(ds: xr.Dataset, frame: int | None) -> int:
    """The time index of video frame ``frame`` (labels: labelled frame ``frame``).

    Without a frame: the first time step with the most points (or boxes)
    present, among the steps whose time is known (a NaN time is at no frame),
    unless no step's is.

    Raises
    ------
    PoseBridgeError
        When no time step, or more than one, is at frame ``frame``.
    """
    n = ds.sizes[model.TIME]
    if frame is None:
        timed = None if labels.is_labels(ds) else timed_rows(ds)
        candidates = np.arange(n) if timed is None or not timed.size else timed
        position = ds["position"].transpose(model.TIME, model.SPACE, ...)
        present = ~np.isnan(np.asarray(position.values, dtype=float))
        counts = present.all(axis=1).reshape(n, -1).sum(axis=1)[candidates]
        return int(candidates[np.argmax(counts)]) if n else 0
    if labels.is_labels(ds):
        if not 0 <= frame < n:
            raise PoseBridgeError(
                f"{named(ds)}a labels dataset's frames are its labelled frames 0 to {n - 1}; "
                f"there is no labelled frame {frame}."
            )
        return int(frame)
    known = timed_rows(ds)  # a step whose time is NaN is at no frame: left out of the search
    numbers = model.frame_numbers(ds if known is None else ds.isel({model.TIME: known}))
    if numbers is None:
        raise PoseBridgeError(
            f"{named(ds)}the dataset's time is in seconds with no fps and no frame numbers, so "
            "video frame numbers cannot be matched to it; load it with fps (--fps)."
        )
    rows = np.flatnonzero(numbers == frame)
    if known is not None:
        rows = known[rows]
    if rows.size == 0:
        what = "boxes" if ds.attrs.get("ds_type") == model.BBOXES else "poses"
        raise PoseBridgeError(
            f"{named(ds)}no {what} at frame {frame}; {_frames_near(numbers, frame)}"
        )
    if rows.size > 1:
        raise PoseBridgeError(
            f"{named(ds)}{rows.size} time steps (indices {rows.tolist()}) are at frame "
            f"{frame}, so there is no one pose to show for it (a 'frame' coordinate that "
            "repeats, or times in seconds that round to one frame at the fps); give each "
            "time step its own frame number."
        )
    return int(rows[0])


def timed_rows(ds: xr.Dataset) -> np.ndarray | None:
    """The time indices whose frame number (or time) is not NaN; ``None`` when all are.

    Examples
    --------
    >>> import numpy as np
    >>> from posebridge import from_numpy
    >>> ds = from_numpy(np.zeros((3, 2, 1, 1))).assign_coords(time=[0.0, np.nan, 2.0])
    >>> timed_rows(ds).tolist()
    [0, 2]
    """
    coordinate = model.FRAME if model.FRAME in ds.coords else model.TIME
    values = np.asarray(ds[coordinate].values)
    if values.dtype.kind != "f":
        return None
    known = ~np.isnan(values)
    return None if known.all() else np.flatnonzero(known)


def _frames_near(numbers: np.ndarray, frame: int) -> str:
    """Which frames a dataset has, for a frame it lacks: the span, and the frames on
    either side of ``frame`` when it falls in a gap of the span.

    Examples
    --------
    >>> _frames_near(np.array([5, 7, 12]), 8)
    "the dataset's frames are 5 to 12 with gaps; the nearest are 7 and 12."
    >>> _frames_near(np.array([5, 6, 7]), 9)
    "the dataset's frames are 5 to 7."
    """
    if not numbers.size:
        return "the dataset has no frames."
    low, high = numbers.min(), numbers.max()
    if not low < frame < high:
        gaps = " with gaps" if numbers.size < high - low + 1 else ""
        return f"the dataset's frames are {low} to {high}{gaps}."
    before, after = numbers[numbers < frame].max(), numbers[numbers > frame].min()
    return (
        f"the dataset's frames are {low} to {high} with gaps; "
        f"the nearest are {before} and {after}."
    )
