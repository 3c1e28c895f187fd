"""Checking a dataset against the model: :func:`validate`, run once per load and save."""

from __future__ import annotations

import re
from collections.abc import Hashable
from os import PathLike
from typing import Any

import numpy as np
import xarray as xr

from posebridge import errors
from posebridge.errors import SchemaError, expect_dataset
from posebridge.model import labels
from posebridge.model.build import infinite_values
from posebridge.model.names import (
    BBOXES,
    BBOXES_DIMS,
    EXTRAS,
    FRAME,
    INDIVIDUAL,
    KEYPOINT,
    LEGACY_DIM_NAMES,
    POSES,
    POSES_DIMS,
    SPACE,
    TIME,
    TIME_UNITS,
    VIEW,
)
from posebridge.model.time_axis import checked_fps, whole_numbers

__all__ = ["infinite_values", "validate"]


def _fail(message: str) -> None:
    raise SchemaError(message)


#: The largest width or height of a frame or image (pixels): what every format's int32
#: fields hold; a larger size read from a file is a broken one.
LARGEST_SIDE = 2**31 - 1


def image_side(value: Any) -> int | None:
    """A width or height in pixels: a whole number from 1 to :data:`LARGEST_SIDE`,
    else ``None`` (unknown).

    Readers take sizes from a file's metadata with it (a size that is no size
    reads as unknown, as COCO's negative sizes do); :func:`validate` refuses a
    ``video_width`` / ``video_height`` it does not take.

    Examples
    --------
    >>> [image_side(v) for v in (640, "480", 2.0, 0, 1e308, "wide", None, 2.5)]
    [640, 480, 2, None, None, None, None, None]
    """
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        return None
    if not (number.is_integer() and 0 < number <= LARGEST_SIDE):  # NaN and inf fail too
        return None
    return int(number)


def _check_frame_numbers(frames: np.ndarray, name: str) -> None:
    """Frame numbers are whole numbers below 2**53 in size: every format that stores
    numbers as float64 (CSV, NWB timestamps, JSON) keeps them exactly."""
    whole = whole_numbers(frames)
    if not whole.all():
        at = int(np.argmin(whole))
        _fail(
            f"Coordinate '{name}' holds frame numbers, which must be whole numbers below "
            f"2**53 in size; got {frames[at].item()} at index {at}."
        )


def _side(value: Any, key: str) -> int:
    """A frame width or height attribute: a whole number from 1 to :data:`LARGEST_SIDE`."""
    side = None if isinstance(value, bool | str) else image_side(value)
    if side is None:
        raise SchemaError(
            f"attrs[{key!r}] must be a whole number of pixels from 1 to {LARGEST_SIDE}, "
            f"got {value!r}."
        )
    return side


#: Numeric attributes that a bool is refused for (netCDF stores other bools as 0/1).
_NOT_FLAGS = ("fps", "video_width", "video_height")


def _clean_attrs(attrs: dict[str, Any]) -> dict[str, Any]:
    """Drop ``None`` attributes and turn paths into strings (netCDF-safe)."""
    cleaned: dict[str, Any] = {}
    for key, value in attrs.items():
        if value is None:
            continue
        if isinstance(value, PathLike | np.str_):  # np.str_ (from an array): h5py refuses it
            value = str(value)
        elif isinstance(value, list | tuple) and any(isinstance(v, np.str_) for v in value):
            value = [str(v) if isinstance(v, np.str_) else v for v in value]
        elif isinstance(value, bool | np.bool_):
            if key in _NOT_FLAGS:  # True is no frame rate or size: refused, not read as 1
                raise errors.TypeError(f"attrs[{key!r}] must be a number, got {value!r}.")
            value = int(value)
        cleaned[key] = value
    return cleaned


def _documented_dims(name: str) -> tuple[str, ...] | None:
    """The dims :data:`EXTRAS` documents for a data variable, or None."""
    match = re.match(r"variable \(([^)]*)\)", EXTRAS.get(name, ""))
    if match is None:
        return None
    return tuple(part.split("=")[0].strip() for part in match.group(1).split(","))


def _documented_kind(name: str) -> str | None:
    """What :data:`EXTRAS` documents a variable's or coordinate's values to be: ``"number"``,
    ``"text"``, ``"either"`` (``image_id``: int64, or str), or None."""
    match = re.match(r"(?:variable|coord) \([^)]*\) ([a-z0-9]+)(, or str)?", EXTRAS.get(name, ""))
    if match is None:
        return None
    kind = "text" if match.group(1) == "str" else "number"
    return "either" if match.group(2) else kind


def _check_kind(ds: xr.Dataset, name: str) -> None:
    """Refuse an extra whose values are not of the documented kind (text where numbers
    belong), which writers would otherwise meet deep inside as a bare ValueError."""
    kind = _documented_kind(name)
    if kind is None or name in ds.dims:
        return
    found = ds[name].dtype
    number = found.kind in "iufb"
    text = found.kind in "UO"
    if (kind == "number" and not number) or (kind == "text" and not text) or not (number or text):
        wanted = {"number": "numbers", "text": "text", "either": "numbers or text"}[kind]
        _fail(f"'{name}' must hold {wanted} ({EXTRAS[name].split(':')[0]}), got dtype {found}.")


def _check_names(ds: xr.Dataset, dim: str) -> None:
    values = np.asarray(ds[dim].values)
    if values.dtype.kind not in "UO":
        _fail(f"Coordinate '{dim}' must hold strings, got dtype {values.dtype}.")
    if values.dtype.kind == "O":  # an object array may hold bytes, numbers, None...
        others = [v for v in values.ravel() if not isinstance(v, str)]
        if others:
            other = others[0]
            _fail(
                f"Coordinate '{dim}' must hold strings, got {other!r} "
                f"({type(other).__name__}); e.g. decode bytes first."
            )
    names = [str(v) for v in values]
    if len(set(names)) != len(names):
        _fail(f"Coordinate '{dim}' has repeated names: {names}.")


def _restore_dropped_dims(ds: xr.Dataset) -> xr.Dataset:
    """Give back the ``individual`` / ``keypoint`` dim that ``ds.sel(individual="a")`` drops.

    The selection leaves a scalar coordinate; every data variable along ``time``
    gets the dim back as a length-1 dim, except the extras documented without it.
    """
    for dim in (INDIVIDUAL, KEYPOINT):
        if dim in ds.dims or dim not in ds.coords or ds[dim].ndim != 0:
            continue
        if dim == KEYPOINT and "shape" in ds.data_vars:  # bboxes have no keypoints
            continue
        value = ds[dim].values.item()
        ds = ds.drop_vars(dim)
        order = (TIME, SPACE, KEYPOINT, INDIVIDUAL)
        for name in list(ds.data_vars):
            var = ds[name]
            documented = _documented_dims(str(name))
            if TIME not in var.dims or (documented is not None and dim not in documented):
                continue
            var = var.expand_dims(dim, axis=-1)
            lead = [d for d in order if d in var.dims]
            ds[name] = var.transpose(*lead, ...)
        ds = ds.assign_coords({dim: [value]})
    return ds


def _refuse_infinite(ds: xr.Dataset, name: str) -> None:
    """Positions and sizes are finite or NaN ("no point"): refuse +-inf.

    No pose format stores an infinite coordinate as such (SLEAP turns it into
    NaN, CSV writers into text that other tools refuse), so an infinity would
    not survive a round trip. Lazy (dask) arrays are not loaded for this check.
    """
    if name not in ds.data_vars or ds[name].dtype.kind != "f":
        return
    values = ds[name].variable._data
    dims = ds[name].dims
    if type(values).__module__.startswith("dask"):  # checked block by block as it is computed

        def checked(block: np.ndarray, block_info: Any = None) -> np.ndarray:
            where = block_info[0]["array-location"] if block_info else None
            offset = tuple(low for low, _ in where) if where else None
            message = infinite_values(block, dims, name, offset)
            if message is not None:
                raise SchemaError(message)
            return block

        ds[name] = ds[name].copy(data=values.map_blocks(checked, dtype=values.dtype))
        return
    if not isinstance(values, np.ndarray):  # file-backed lazy arrays stay unread here
        return
    message = infinite_values(values, dims, name)
    if message is not None:
        _fail(message)


def _beyond_float64(
    values: np.ndarray,
    dims: tuple[Hashable, ...],
    name: str,
    offset: tuple[int, ...] | None = None,
) -> str | None:
    """What is wrong with extended floats ``values`` of ``name`` if some finite ones do
    not fit float64 (they would become infinite), else None.

    ``offset`` places ``values`` in the whole variable (a lazily computed block), as
    for :func:`infinite_values`.
    """
    with np.errstate(over="ignore"):
        overflowed = np.isinf(values.astype(np.float64)) & np.isfinite(values)
    if not overflowed.any():
        return None
    at = np.argwhere(overflowed)[0]
    first = dict(zip(dims, (at + (np.asarray(offset) if offset else 0)).tolist(), strict=True))
    count = None if offset is not None else int(overflowed.sum())  # a block: not the whole
    if count == 1:
        which = f"a value beyond float64's range ({values[tuple(at)]!s}, at {first})"
    else:
        which = (
            f"{'' if count is None else f'{count} '}values beyond float64's range "
            f"(the first, {values[tuple(at)]!s}, at {first})"
        )
    return (
        f"'{name}' holds {which}; posebridge keeps numbers as float64 at most, as every "
        "format stores them. Rescale or replace them."
    )


def _narrowing_block(dims: tuple[Hashable, ...], name: str) -> Any:
    """A ``map_blocks`` function turning a block of ``name`` into float64, refusing
    values beyond float64's range."""

    def narrowed(block: np.ndarray, block_info: Any = None) -> np.ndarray:
        where = block_info[0]["array-location"] if block_info else None
        offset = tuple(low for low, _ in where) if where else None
        message = _beyond_float64(block, dims, name, offset)
        if message is not None:
            raise SchemaError(message)
        return block.astype(np.float64)

    return narrowed


def _narrow_extended_floats(ds: xr.Dataset) -> xr.Dataset:
    """Turn extended floats (``np.longdouble``: float96 / float128) into float64.

    The model holds float64 at most, and no format stores more (netCDF-4 has no
    such type: xarray's default engine crashes on a file holding one). Values
    beyond float64's range are refused, not made infinite. Lazy (dask) arrays are
    checked block by block as they are computed.
    """
    for name in list(ds.variables):
        variable = ds[name].variable
        if variable.dtype.kind != "f" or variable.dtype.itemsize <= 8:
            continue
        values, dims = variable._data, variable.dims
        if type(values).__module__.startswith("dask"):
            data = values.map_blocks(_narrowing_block(dims, str(name)), dtype=np.float64)
        else:
            values = np.asarray(values)
            message = _beyond_float64(values, dims, str(name))
            if message is not None:
                _fail(message)
            data = values.astype(np.float64)
        narrowed_variable = variable.copy(data=data)
        if name in ds.coords:
            ds = ds.assign_coords({name: narrowed_variable})
        else:
            ds[name] = narrowed_variable
    return ds


def validate(ds: xr.Dataset) -> xr.Dataset:
    """Check a dataset against the model and return it normalised.

    Normalising renames the older plural dims (``keypoints``, ``individuals``),
    gives back an ``individual`` or ``keypoint`` dim dropped by a selection
    such as ``ds.sel(individual="id_0")`` or ``ds.isel(keypoint=0)`` (as a
    dim of length 1), puts the dims of ``position`` in model order, infers ``ds_type`` and
    ``time_unit`` when missing, drops ``None`` attributes and turns ``Path``
    attributes into strings. Everything else that breaks the model raises.

    Parameters
    ----------
    ds
        A poses or bboxes dataset (posebridge's or movement's).

    Returns
    -------
    xarray.Dataset
        The normalised dataset (a shallow copy; the input is not changed).

    Raises
    ------
    TypeError
        When ``ds`` is not an xarray Dataset (also a built-in ``TypeError``).
    SchemaError
        Naming what is wrong: a missing variable, dim or coordinate, a wrong
        dtype or shape, a bad attribute.

    Examples
    --------
    >>> import numpy as np
    >>> from posebridge.model import from_numpy, validate
    >>> validate(from_numpy(np.zeros((2, 2, 1, 1)))).attrs["ds_type"]
    'poses'
    """
    expect_dataset(ds)
    renames = {
        old: new
        for old, new in LEGACY_DIM_NAMES.items()
        if old in ds.dims or (old in ds.coords and new not in ds.variables)
    }
    ds = ds.rename(renames) if renames else ds.copy()
    ds = _restore_dropped_dims(ds)
    ds.attrs = _clean_attrs(dict(ds.attrs))
    for name in ds.variables:
        ds[name].attrs = _clean_attrs(dict(ds[name].attrs))

    for key in ("ds_type", "time_unit", "content", "source_software"):
        value = ds.attrs.get(key)
        if value is not None and not isinstance(value, str):
            _fail(f"attrs[{key!r}] must be text, got {value!r}.")
    if "position" not in ds.data_vars:
        _fail(
            "Missing required data variable 'position'. Found: "
            f"{sorted(map(str, ds.data_vars)) or 'none'}."
        )
    ds_type = ds.attrs.get("ds_type") or (BBOXES if "shape" in ds.data_vars else POSES)
    if ds_type not in (POSES, BBOXES):
        _fail(f"attrs['ds_type'] must be 'poses' or 'bboxes', got {ds_type!r}.")
    ds.attrs["ds_type"] = ds_type
    dims = POSES_DIMS if ds_type == POSES else BBOXES_DIMS
    position = ds["position"]
    views = (VIEW,) if VIEW in position.dims else ()  # camera views: a last dim
    if TIME not in position.dims and TIME in ds.coords and ds[TIME].ndim == 0:
        _fail(
            f"'position' has no 'time' dim (dims {position.dims}): the dataset holds the one "
            f"time {ds[TIME].values.item()!r}, as ds.isel(time=k) or ds.sel(time=t) leaves "
            "it, and a dataset needs its time dim. Select with a list to keep it: "
            "ds.isel(time=[k]) or ds.sel(time=[t])."
        )
    if set(position.dims) != set(dims) | set(views):
        _fail(f"'position' of a {ds_type} dataset must have dims {dims}, got {position.dims}.")
    ds["position"] = position.transpose(*dims, *views)
    if ds_type == BBOXES:
        if "shape" not in ds.data_vars:
            _fail("A bboxes dataset needs the data variable 'shape' (width, height).")
        if set(ds["shape"].dims) != set(dims) | set(views):
            _fail(f"'shape' must have dims {(*dims, *views)}, got {ds['shape'].dims}.")
        ds["shape"] = ds["shape"].transpose(*dims, *views)
    for dim in dims:
        if dim not in ds.coords:
            _fail(f"Missing coordinate '{dim}'.")
    for name in ("position", "shape", "confidence"):
        if name in ds.data_vars and ds[name].dtype.kind not in "fiu":
            _fail(f"'{name}' must be numeric, got dtype {ds[name].dtype}.")
    ds = _narrow_extended_floats(ds)
    for name in ("position", "shape"):
        _refuse_infinite(ds, name)

    space = [str(v) for v in ds[SPACE].values]
    allowed_space = [["x", "y"]] if ds_type == BBOXES else [["x", "y"], ["x", "y", "z"]]
    if space not in allowed_space:
        _fail(f"Coordinate 'space' must be one of {allowed_space}, got {space}.")
    for dim in (*dims[2:], *views):
        _check_names(ds, dim)

    for name in list(ds.variables):  # the extras: documented kinds of values
        _check_kind(ds, str(name))
    for name in list(ds.data_vars):  # the extras: documented dims, in documented order
        documented = _documented_dims(str(name))
        if documented is None or name in ("position", "shape", "confidence"):
            continue
        have = ds[name].dims
        view = (VIEW,) if views and VIEW in have else ()
        if set(have) != set(documented) | set(view):
            _fail(
                f"'{name}' must have dims {documented}, got {have}. An operation on the whole "
                "dataset (ds.where(...)) broadcasts every variable: apply it to 'position' "
                "alone, e.g. ds['position'] = ds['position'].where(...)."
            )
        ds[name] = ds[name].transpose(*documented, *view)  # ds.transpose() reverses them
    if "confidence" in ds.data_vars:
        conf_dims = ds["confidence"].dims
        options = [(TIME, INDIVIDUAL)]
        if ds_type == POSES:
            options.insert(0, (TIME, KEYPOINT, INDIVIDUAL))
        conf_views = (VIEW,) if VIEW in conf_dims and views else ()
        match = [opt for opt in options if set(opt) | set(conf_views) == set(conf_dims)]
        if not match:
            _fail(
                f"'confidence' must have dims {' or '.join(map(str, options))}, got {conf_dims}."
            )
        ds["confidence"] = ds["confidence"].transpose(*match[0], *conf_views)

    if ds.attrs.get("content") == "labels":  # time counts the labelled frames: renumbered
        ds = ds.assign_coords({TIME: np.arange(ds.sizes[TIME], dtype=np.int64)})
        ds.attrs["time_unit"] = "frames"
    time = np.asarray(ds[TIME].values)
    if time.dtype.kind not in "iuf":
        _fail(f"Coordinate 'time' must be numeric, got dtype {time.dtype}.")
    if time.dtype.kind == "f" and not (finite := np.isfinite(time)).all():
        at = int(np.argmin(finite))
        _fail(f"Coordinate 'time' must hold finite numbers, got {time[at]} at index {at}.")
    if time.size > 1 and not np.all(time[1:] > time[:-1]):  # np.diff of int64 can wrap
        _fail("Coordinate 'time' must be strictly increasing (no repeats).")
    time_unit = ds.attrs.get("time_unit") or ("frames" if time.dtype.kind in "iu" else "seconds")
    if time_unit not in TIME_UNITS:
        _fail(f"attrs['time_unit'] must be 'frames' or 'seconds', got {time_unit!r}.")
    if time_unit == "frames":
        _check_frame_numbers(time, "time")
        if time.dtype.kind == "f":
            ds = ds.assign_coords({TIME: time.astype(np.int64)})
    if FRAME in ds.coords and ds[FRAME].dims == (TIME,) and ds[FRAME].dtype.kind in "iuf":
        _check_frame_numbers(np.asarray(ds[FRAME].values), FRAME)
    ds.attrs["time_unit"] = time_unit
    if "fps" in ds.attrs:
        ds.attrs["fps"] = checked_fps(ds.attrs["fps"])
    for key in ("video_width", "video_height"):
        if key in ds.attrs:
            ds.attrs[key] = _side(ds.attrs[key], key)
    if ds.attrs.get("content") == "labels":
        ds = labels.check(ds)
    return ds
