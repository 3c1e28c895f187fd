"""Building model datasets from arrays.

``from_numpy`` / ``bboxes_from_numpy`` make datasets from arrays (times in seconds
through :func:`posebridge.model.time_axis.with_fps` when given a rate);
``confidence_per_keypoint`` and ``expect_poses`` are the shape helpers the writers use.
"""

from __future__ import annotations

import numbers
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
    INDIVIDUAL,
    KEYPOINT,
    POSES,
    POSES_DIMS,
    SPACE,
    SPACE_NAMES,
    TIME,
    VIEW,
)
from posebridge.model.time_axis import whole_numbers, with_fps

__all__ = [
    "bboxes_from_numpy",
    "confidence_per_keypoint",
    "expect_poses",
    "from_numpy",
    "name_texts",
]


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
