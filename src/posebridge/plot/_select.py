"""Choosing what a figure shows: individuals, keypoints, a time range, a frame,
fewer time steps for drawing, and the still frame under it. No matplotlib here.

Selections are made on the dataset (``isel``) before any values are taken, so
a lazily loaded (dask) dataset reads only what is drawn, once.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Sequence
from pathlib import Path, PurePosixPath

import numpy as np
import xarray as xr

from posebridge import _video, errors, model
from posebridge._option_values import expect_kind, expect_number
from posebridge.errors import (
    PoseBridgeError,
    SchemaError,
    expect_dataset,
    expect_path,
    user_stacklevel,
)
from posebridge.model import labels

__all__ = [
    "TimeRange",
    "background",
    "check_count",
    "check_model",
    "check_still",
    "colour_numbers",
    "dataset_video",
    "decimate",
    "flat_only",
    "frame_in_video",
    "frame_row",
    "named",
    "parse_time_range",
    "rgb_still",
    "same_video",
    "select",
    "size_mismatch",
    "still_images",
    "warn_of_another_rate",
    "warn_of_another_video",
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


def size_mismatch(ds: xr.Dataset, width: int, height: int, what: str) -> str | None:
    """Why a ``width`` x ``height`` frame is not the poses' video, or ``None`` when it may be.

    Compared with the dataset's ``video_width`` and ``video_height`` (the size
    of the video the poses were made on) when it has them. posebridge draws
    pixel coordinates as they are, so on a scaled, cropped or turned copy the
    poses would land in the wrong places.

    Examples
    --------
    >>> import xarray as xr
    >>> ds = xr.Dataset(attrs={"video_width": 640, "video_height": 480})
    >>> size_mismatch(ds, 640, 480, "v.mp4") is None
    True
    >>> size_mismatch(ds, 320, 240, "v.mp4")
    "v.mp4 is 320 x 240 pixels, but the poses' video was 640 x 480 (the dataset's ..."
    """
    wide, high = ds.attrs.get("video_width"), ds.attrs.get("video_height")
    if not wide or not high or (int(width), int(height)) == (int(wide), int(high)):
        return None
    source = ds.attrs.get("source_file")
    of = f" of {source}" if source else ""
    return (
        f"{what} is {width} x {height} pixels, but the poses' video was {wide} x {high} "
        f"(the dataset's video_width, video_height{of}): it is another video, or a scaled, "
        "cropped or turned copy, and the poses would be drawn in the wrong places. Give the "
        "video the poses were made from."
    )


def still_images(ds: xr.Dataset) -> np.ndarray:
    """Which labelled frames are still images rather than frames of a video.

    A labelled frame whose image has no video (``video == ""``: COCO, YOLO,
    photos labelled one by one) was never a frame of a video; its ``frame`` is
    the image's number, not a frame number. All ``False`` for predictions.
    """
    n = ds.sizes[model.TIME]
    if not labels.is_labels(ds) or labels.VIDEO not in ds.coords:
        return np.zeros(n, dtype=bool)
    return np.asarray(ds[labels.VIDEO].values).astype(str) == ""


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


def check_still(
    video: object = None, frame: object = None, image: object = None, *, from_zero: bool = True
) -> None:
    """Refuse a ``video``, ``frame`` or ``image`` of the wrong kind, before anything is read.

    ``image`` is an RGB(A) or grey array, or an image file; ``frame`` a whole
    number (a flag is not a frame number), from 0 when ``from_zero`` (``skeleton``
    matches its frame to the data's frame numbers and says itself when none is).

    Examples
    --------
    >>> check_still(frame="a")
    Traceback (most recent call last):
    ...
    posebridge.errors.TypeError: frame must be int | None, got 'a' (str).
    """
    if video is not None:
        expect_path(video, "video")
    expect_kind(frame, int | None, "frame")
    if from_zero and frame is not None and int(frame) < 0:  # type: ignore[call-overload]
        raise PoseBridgeError(f"frame must be a video frame number from 0, got {frame}.")
    if image is None:
        return
    if not isinstance(image, np.ndarray):
        if not isinstance(image, str | os.PathLike):
            raise errors.TypeError(
                "image must be an RGB array or an image file (str or os.PathLike), "
                f"got {type(image).__name__}."
            )
        return
    channels = image.shape[2] if image.ndim == 3 else None
    numeric = np.issubdtype(image.dtype, np.number) or image.dtype == bool
    if not numeric or image.size == 0 or not (image.ndim == 2 or channels in (3, 4)):
        raise PoseBridgeError(
            "image must be a (height, width) grey or (height, width, 3 or 4) RGB(A) array "
            f"of numbers, got shape {image.shape} of {image.dtype}."
        )


def rgb_still(image: np.ndarray) -> np.ndarray:
    """An ``image=`` array as the 8-bit RGB(A) still that is drawn (grey made RGB).

    matplotlib would draw a grey array in false colour scaled to its own range
    and clip other RGB arrays than 8-bit or 0 to 1 to white; so the values are
    read as an image's: ``uint8`` as they are, ``bool`` as black and white,
    ``uint16`` over its full range 0 to 65535 (a 16-bit camera frame), other
    integers as 0 to 255, and floats as 0 to 1 when none is above 1, else as
    0 to 255. Values outside that range (or NaN) are refused.

    Raises
    ------
    PoseBridgeError
        For values outside the range of their type, naming the type and range.

    Examples
    --------
    >>> rgb_still(np.array([[0, 128]], np.uint8))[0].tolist()
    [[0, 0, 0], [128, 128, 128]]
    >>> rgb_still(np.array([[[0.0, 0.5, 1.0]]]))[0].tolist()
    [[0, 128, 255]]
    >>> rgb_still(np.array([[[0, 32768, 65535]]], np.uint16))[0].tolist()
    [[0, 128, 255]]
    """
    if image.dtype == np.uint8:
        scaled = image
    elif image.dtype == bool:
        scaled = image.astype(np.uint8) * np.uint8(255)
    else:
        if np.iscomplexobj(image):
            raise PoseBridgeError(f"image must be an array of real numbers, got {image.dtype}.")
        values = image.astype(np.float64)
        if np.isnan(values).any():
            raise PoseBridgeError(
                f"image of {image.dtype} holds NaN (missing values), which are no colour; "
                "give an 8-bit (uint8) RGB or grey array, or fill them first."
            )
        low, high = np.min(values), np.max(values)
        if image.dtype == np.uint16:
            top, scale = 65535.0, 255.0 / 65535.0
        elif image.dtype.kind == "f" and high <= 1.0:
            top, scale = 1.0, 255.0
        else:
            top, scale = 255.0, 1.0
        if not (np.isfinite(low) and np.isfinite(high) and low >= 0 and high <= top):
            expected = {
                65535.0: "0 to 65535",
                255.0: "0 to 255" + (" (or 0 to 1)" if image.dtype.kind == "f" else ""),
                1.0: "0 to 1 (or 0 to 255)",
            }[top]
            raise PoseBridgeError(
                f"image of {image.dtype} must hold values from {expected}, got values from "
                f"{low:g} to {high:g}; give an 8-bit (uint8) RGB or grey array."
            )
        scaled = np.rint(values * scale).astype(np.uint8)
    if scaled.ndim == 2:
        scaled = np.repeat(scaled[:, :, np.newaxis], 3, axis=2)
    return scaled


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
        timed = None if labels.is_labels(ds) else _timed_rows(ds)
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
    known = _timed_rows(ds)  # a step whose time is NaN is at no frame: left out of the search
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


def _timed_rows(ds: xr.Dataset) -> np.ndarray | None:
    """The time indices whose frame number (or time) is not NaN; ``None`` when all are.

    Examples
    --------
    >>> import numpy as np
    >>> from posebridge import from_numpy
    >>> ds = from_numpy(np.zeros((3, 2, 1, 1))).assign_coords(time=[0.0, np.nan, 2.0])
    >>> _timed_rows(ds).tolist()
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


def frame_in_video(ds: xr.Dataset, row: int, video: object = None) -> int | None:
    """The number, in its video, of the frame time step ``row`` was made from.

    For predictions, the step's frame number (``frame`` coordinate, time in
    frames, or time x fps); for labels, the labelled frame's own ``frame``
    (never ``row``, its place among the labelled frames). ``None`` when it is
    not known: time in seconds without fps, a labelled still image (no
    video), a labelled frame of unknown number (-1).

    Parameters
    ----------
    ds
        A poses, boxes or labels dataset.
    row
        A time index of ``ds``.
    video
        The video the frame is to be taken from, when one is given: then a
        frame that cannot be matched to it is an error rather than ``None``.

    Raises
    ------
    PoseBridgeError
        When ``video`` is given and the step cannot be matched to one of its
        frames (saying why), or the labels come from several videos and this
        frame's is not ``video`` (by file name, without ending).

    Examples
    --------
    >>> import numpy as np
    >>> from posebridge import labels
    >>> ds = labels.from_numpy(np.zeros((2, 2, 1, 1)), video=["v.mp4"] * 2, frame=[20, 7])
    >>> frame_in_video(ds, 0)
    20
    """
    at = named(ds)
    if not labels.is_labels(ds):
        known = _timed_rows(ds)
        if known is not None and not np.isin(row, known):
            coordinate = model.FRAME if model.FRAME in ds.coords else model.TIME
            raise SchemaError(
                f"{at}Coordinate {coordinate!r} holds NaN at index {row}, so that time step "
                "is at no video frame."
            )
        numbers = model.frame_numbers(ds.isel({model.TIME: [row]}))  # this step's only
        if numbers is not None:
            return int(numbers[0])
        if video is not None:
            raise PoseBridgeError(
                f"{at}the dataset's time is in seconds with no fps and no frame numbers, so "
                f"its time steps cannot be matched to frames of {video}; load it with fps "
                "(--fps)."
            )
        return None
    name = str(ds[labels.VIDEO].values[row])
    number = int(ds[model.FRAME].values[row])
    if still_images(ds)[row]:
        if video is None:
            return None
        image = str(ds[labels.IMAGE_PATH].values[row])
        raise PoseBridgeError(
            f"{at}labelled frame {row} is the still image {image!r}, not a frame of a video, "
            f"so it cannot be drawn over a frame of {video}; draw it without the video (over "
            "its image, when found) or give the image (image=)."
        )
    if number < 0:
        if video is None:
            return None
        raise PoseBridgeError(
            f"{at}labelled frame {row} of {name!r} has no known frame number, so it cannot "
            f"be found in {video}."
        )
    if video is not None:
        videos = list(dict.fromkeys(np.asarray(ds[labels.VIDEO].values).astype(str).tolist()))
        videos = [v for v in videos if v]  # still images name none
        if len(videos) > 1 and not same_video(name, video):
            raise PoseBridgeError(
                f"{at}labelled frame {row} is frame {number} of {name!r}, not of {video} (the "
                f"labels come from {len(videos)} videos); give its video, or a labelled "
                "frame of this one."
            )
        if len(videos) == 1:
            warn_of_another_video(ds, name, video)
    return number


def same_video(name: str, video: object) -> bool:
    r"""Whether the labels' video ``name`` is the video file ``video``, by file name
    without its ending (paths move between machines, and a video re-encoded to another
    container keeps its name); ``\`` separates folders as ``/`` does.

    Examples
    --------
    >>> same_video("C:\\lab\\videos\\clip.avi", "/data/clip.mp4")
    True
    >>> same_video("videos/clip.mp4", "other.mp4")
    False
    """
    return (
        PurePosixPath(name.replace("\\", "/")).stem
        == PurePosixPath(str(video).replace("\\", "/")).stem
    )


def warn_of_another_video(ds: xr.Dataset, name: str, video: object) -> None:
    """Warn that labelled frames of the video ``name`` are drawn on ``video``, another
    file name: the labels' frame numbers count frames of their own video.

    Not refused: a copy of the video renamed, or the labels' own file for labels holding
    their frames (SLEAP's ``.pkg.slp``), is a right video of another name; the frame
    count and size are checked anyway.

    Parameters
    ----------
    ds
        The labels drawn.
    name
        The video their frames are of (their ``video`` coordinate).
    video
        The video given to draw them on.
    """
    if same_video(name, video):
        return
    warnings.warn(
        f"{named(ds)}the labelled frames are frames of {name!r}, but they are drawn on "
        f"{video}, a video of another name: each is drawn on the frame of its number in "
        f"{video}. Check that it is {name!r} (renamed or re-encoded).",
        UserWarning,
        stacklevel=user_stacklevel(),
    )


def label_image(ds: xr.Dataset, row: int) -> tuple[Path, int] | None:
    """The image of labelled frame ``row``, or its video and frame number, when found."""
    image = str(ds[labels.IMAGE_PATH].values[row])
    video = str(ds[labels.VIDEO].values[row])
    number = frame_in_video(ds, row)
    folders = labels.search_folders(ds.attrs.get("source_file"))
    found = labels.find_files([image, video], folders)
    if image and found[0] >= 0:
        return folders[int(found[0])] / image, 0
    if video and found[1] >= 0 and number is not None:
        return folders[int(found[1])] / video, number
    return None


def _checked_size(
    ds: xr.Dataset, still: np.ndarray, what: str, explicit: bool
) -> np.ndarray | None:
    """``still``, unless its size is not the poses' video's: an error when it was given."""
    height, width = still.shape[:2]
    why = size_mismatch(ds, width, height, what)
    if why is None:
        return still
    if explicit:
        raise PoseBridgeError(why)
    warnings.warn(
        f"no still frame under the figure: {why}", UserWarning, stacklevel=user_stacklevel()
    )
    return None


def background(
    ds: xr.Dataset,
    *,
    video: str | os.PathLike[str] | None = None,
    frame: int | None = None,
    image: np.ndarray | str | os.PathLike[str] | None = None,
    row: int | None = None,
    exact_frame: bool = False,
) -> np.ndarray | None:
    """The still frame under a figure, as an RGB array, or ``None``.

    In order: ``image`` (an array or an image file); frame ``frame`` of
    ``video`` (``frame`` is then required); for labels, the image or video
    frame of labelled frame ``row``; the dataset's ``frame_path`` attribute (a
    still of its video: sample data); frame ``frame`` of the dataset's
    ``video_path`` when that file exists and ``frame`` is given. With
    ``exact_frame`` (a figure of frame ``frame``'s poses) the ``video_path``
    frame comes before ``frame_path``, a still of some other frame. A file given
    here that cannot be read, or whose size is not the dataset's
    ``video_width`` x ``video_height``, is an error; one the dataset names is
    skipped with a warning. 3D poses get no still (see :func:`flat_only`).
    """
    flat_only(ds, image if image is not None else video)
    if ds.sizes[model.SPACE] != 2:
        return None
    if image is not None:
        if isinstance(image, np.ndarray):
            return _checked_size(ds, rgb_still(image), "the image given", explicit=True)
        return _checked_size(ds, _video.read_frame(image), str(image), explicit=True)
    if video is not None:
        if frame is None:
            raise PoseBridgeError(f"{video}: no frame number to show was given.")
        if exact_frame:  # the poses of that frame, drawn on it
            warn_of_another_rate(ds, _video.probe(video).fps, video)
        return _checked_size(ds, _video.read_frame(video, int(frame)), str(video), explicit=True)
    named_files: list[tuple[Path, int]] = []
    if labels.is_labels(ds) and row is not None:
        found = label_image(ds, row)
        if found is not None:
            named_files.append(found)
    still = [(Path(str(ds.attrs["frame_path"])), 0)] if ds.attrs.get("frame_path") else []
    if frame is not None and ds.attrs.get("video_path"):
        of_video = [(Path(str(ds.attrs["video_path"])), int(frame))]
        named_files += of_video + still if exact_frame else still + of_video
    else:
        named_files += still
    for path, number in named_files:
        if not path.is_file():
            continue
        try:
            still = _video.read_frame(path, number)
        except PoseBridgeError as error:
            warnings.warn(
                f"no still frame under the figure: {error}",
                UserWarning,
                stacklevel=user_stacklevel(),
            )
            return None
        return _checked_size(ds, still, str(path), explicit=False)
    return None


#: Frame rates further apart than this (relative) are said to differ: ffmpeg shows a
#: rate to two decimals (23.98 for 24000/1001).
RATE_TOLERANCE = 0.005


def warn_of_another_rate(ds: xr.Dataset, video_fps: float | None, video: object) -> None:
    """Warn when the poses' ``fps`` and the video's frame rate differ.

    Poses are matched to video frames by frame number (the ``frame``
    coordinate, time in frames, or time x fps), never by time: a video
    at another rate than the poses were made at gets them on other moments.
    Labels (frames of their own videos) and rates not known are left alone.

    Parameters
    ----------
    ds
        The poses, boxes or labels drawn.
    video_fps
        The video's frame rate, ``None`` when ffmpeg does not know it.
    video
        The video, for the message.
    """
    rate = ds.attrs.get("fps")
    if labels.is_labels(ds) or video_fps is None or not video_fps > 0:
        return
    if isinstance(rate, bool) or not isinstance(rate, int | float | np.number):
        return
    rate = float(rate)
    if not (np.isfinite(rate) and rate > 0):
        return
    if abs(rate - video_fps) <= RATE_TOLERANCE * max(rate, video_fps):
        return
    if model.FRAME in ds.coords:
        how = "their 'frame' coordinate"
    elif ds.attrs.get("time_unit") == "seconds":
        how = f"time x {rate:g} fps, rounded"
    else:
        how = "their time in frames"
    warnings.warn(
        f"{named(ds)}the poses are at {rate:g} fps but {video} is at {video_fps:g} fps: "
        f"poses are drawn on the video frame of their frame number ({how}), not at "
        "their time, so at another rate they land on other moments of the video. Check "
        "that it is the video the poses were made from.",
        UserWarning,
        stacklevel=user_stacklevel(),
    )


def dataset_video(ds: xr.Dataset) -> Path | None:
    """The dataset's ``video_path`` when that file exists, else ``None``."""
    named_video = ds.attrs.get("video_path")
    if named_video and Path(str(named_video)).is_file():
        return Path(str(named_video))
    return None
