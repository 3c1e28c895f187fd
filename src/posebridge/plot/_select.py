"""Choosing what a figure shows: individuals, keypoints, a time range, a frame,
fewer time steps for drawing, and the still frame under it. No matplotlib here.

Selections are made on the dataset (``isel``) before any values are taken, so
a lazily loaded (dask) dataset reads only what is drawn, once.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import xarray as xr

from posebridge import _video, errors, model
from posebridge._option_values import expect_kind, expect_number
from posebridge.errors import PoseBridgeError, expect_dataset, expect_path
from posebridge.model import labels

__all__ = [
    "TimeRange",
    "background",
    "check_count",
    "check_still",
    "decimate",
    "frame_row",
    "parse_time_range",
    "select",
]

TimeRange = tuple[float | None, float | None]


def _pick(ds: xr.Dataset, dim: str, names: Sequence[str] | str | None) -> xr.Dataset:
    if names is None or dim not in ds.dims:
        if names is not None and dim == model.KEYPOINT:
            raise PoseBridgeError("a bounding-box dataset has no keypoints to choose from.")
        return ds
    if isinstance(names, str):
        names = [names]
    have = [str(v) for v in ds[dim].values]
    unknown = [n for n in names if n not in have]
    if unknown:
        raise PoseBridgeError(
            f"no {dim} named {', '.join(map(repr, unknown))}; the {dim}s are: {', '.join(have)}."
        )
    if not names:
        raise PoseBridgeError(f"no {dim} chosen.")
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
    if first is not None and last is not None and last < first:
        raise PoseBridgeError(f"the time range {text!r} ends before it starts.")
    return first, last


def _time_text(ds: xr.Dataset) -> str:
    time = np.asarray(ds[model.TIME].values)
    unit = "s" if ds.attrs.get("time_unit") == "seconds" else "frames"
    if time.size == 0:
        return "the dataset has no time steps"
    return f"the data run from {time[0]:g} to {time[-1]:g} ({unit})"


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
            stacklevel=3,
        )
        ds = ds.isel({model.VIEW: 0})
    ds = _pick(ds, model.INDIVIDUAL, individuals)
    ds = _pick(ds, model.KEYPOINT, keypoints)
    if time is not None and time != (None, None):
        start, end = time
        values = np.asarray(ds[model.TIME].values, dtype=float)
        keep = np.ones(values.shape, dtype=bool)
        if start is not None:
            keep &= values >= start
        if end is not None:
            keep &= values <= end
        if not keep.any():
            shown = f"{'' if start is None else f'{start:g}'}:{'' if end is None else f'{end:g}'}"
            raise PoseBridgeError(f"the time range {shown} holds no data: {_time_text(ds)}.")
        ds = ds.isel({model.TIME: np.flatnonzero(keep)})
    if ds.sizes[model.TIME] == 0:
        raise PoseBridgeError("the dataset has no time steps to plot.")
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

    Without a frame: the first time step with the most points (or boxes) present.
    """
    n = ds.sizes[model.TIME]
    if frame is None:
        position = ds["position"].transpose(model.TIME, model.SPACE, ...)
        present = ~np.isnan(np.asarray(position.values, dtype=float))
        counts = present.all(axis=1).reshape(n, -1).sum(axis=1)
        return int(np.argmax(counts)) if n else 0
    if labels.is_labels(ds):
        if not 0 <= frame < n:
            raise PoseBridgeError(
                f"a labels dataset's frames are its labelled frames 0 to {n - 1}; "
                f"there is no labelled frame {frame}."
            )
        return int(frame)
    numbers = model.frame_numbers(ds)
    if numbers is None:
        raise PoseBridgeError(
            "the dataset's time is in seconds with no fps and no frame numbers, so video "
            "frame numbers cannot be matched to it; load it with fps."
        )
    rows = np.flatnonzero(numbers == frame)
    if rows.size == 0:
        span = f"{numbers.min()} to {numbers.max()}" if numbers.size else "none"
        raise PoseBridgeError(f"no poses at frame {frame}; the dataset's frames: {span}.")
    return int(rows[0])


def _label_image(ds: xr.Dataset, row: int) -> Path | None:
    """The image (or video file) of labelled frame ``row``, when it can be found."""
    image = str(ds[labels.IMAGE_PATH].values[row])
    video = str(ds[labels.VIDEO].values[row])
    folders = labels.search_folders(ds.attrs.get("source_file"))
    found = labels.find_files([image, video], folders)
    for reference, at in zip((image, video), found.tolist(), strict=True):
        if at >= 0:
            return folders[at] / reference
    return None


def background(
    ds: xr.Dataset,
    *,
    video: str | os.PathLike[str] | None = None,
    frame: int | None = None,
    image: np.ndarray | str | os.PathLike[str] | None = None,
    row: int | None = None,
) -> np.ndarray | None:
    """The still frame under a figure, as an RGB array, or ``None``.

    In order: ``image`` (an array or an image file); frame ``frame`` (default 0)
    of ``video``; for labels, the image or video frame of labelled frame
    ``row``; the dataset's ``frame_path`` attribute (sample data); frame
    ``frame`` of the dataset's ``video_path`` when that file exists. A file
    given here that cannot be read is an error; one the dataset names is
    skipped with a warning.
    """
    if image is not None:
        if isinstance(image, np.ndarray):
            return image
        return _video.read_frame(image)
    if video is not None:
        return _video.read_frame(video, 0 if frame is None else int(frame))
    named: list[tuple[Path, int]] = []
    if labels.is_labels(ds) and row is not None:
        found = _label_image(ds, row)
        if found is not None:
            number = int(ds[model.FRAME].values[row])
            named.append((found, max(number, 0)))
    if ds.attrs.get("frame_path"):
        named.append((Path(str(ds.attrs["frame_path"])), 0))
    if ds.attrs.get("video_path") and Path(str(ds.attrs["video_path"])).is_file():
        named.append((Path(str(ds.attrs["video_path"])), 0 if frame is None else int(frame)))
    for path, number in named:
        if not path.is_file():
            continue
        try:
            return _video.read_frame(path, number)
        except PoseBridgeError as error:
            warnings.warn(f"no still frame under the figure: {error}", UserWarning, stacklevel=3)
            return None
    return None
