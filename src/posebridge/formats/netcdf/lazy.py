"""netCDF read lazily: every numeric data variable stored as it is read (no scaling, no
fill value other than NaN, not decoded to dates) is a
:class:`~posebridge.formats._shared.lazy.LazyArray` of its HDF5 dataset, checked against
changes to the file as every lazy read is; the others (scaled or offset values,
coordinates, strings, restored as the reader does) are read when the file is opened,
and the file is closed."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from posebridge._files import refuse_empty_file
from posebridge.errors import FormatError, unavailable_filter_error
from posebridge.formats._shared.lazy import LazyArray, transposed_block
from posebridge.formats.netcdf import ENGINE, _restore_strings, check_structure, refuse_netcdf3

__all__ = ["open_lazy"]

#: Encodings under which the stored values are not the values read (dates and durations,
#: decoded from their ``units``, are told by their type).
_DECODED = ("scale_factor", "add_offset", "_Unsigned", "missing_value")


def open_lazy(path: Path) -> xr.Dataset:
    """Open a netCDF pose dataset; its variables are read when indexed.

    The file's dimension bookkeeping is checked first, as :func:`~posebridge.formats.netcdf.read`
    checks it.

    Examples
    --------
    >>> ds = open_lazy(Path("poses.nc"))  # doctest: +SKIP
    """
    refuse_empty_file(path, "a netCDF-4 (.nc) file")
    refuse_netcdf3(path)
    check_structure(path)
    try:
        source = xr.open_dataset(path, engine=ENGINE)
    except (OSError, ValueError) as error:
        raise unavailable_filter_error(path, error) or FormatError(
            path, f"is not a readable netCDF file ({error})."
        ) from error
    with source:
        if "position" not in source.data_vars:
            raise FormatError(
                path,
                "is a netCDF file but holds no 'position' variable, so it is not a "
                "pose or box dataset.",
            )
        ds = _restore_strings(source, path)
        replaced = _file_arrays(path, ds)
        ds = ds.assign(replaced) if replaced else ds
        for name, variable in ds.variables.items():  # xarray's own lazy arrays: read now,
            if name not in replaced:  # not after the file changed (or while it stays open)
                variable.load()
    return ds


def _file_arrays(path: Path, ds: xr.Dataset) -> dict[str, xr.Variable]:
    """The data variables read straight from their HDF5 datasets, as LazyArrays."""
    import h5py

    out: dict[str, xr.Variable] = {}
    with h5py.File(path, "r") as h5:
        for name, var in ds.data_vars.items():
            stored = h5.get(str(name))
            if not _plain(var, stored):
                continue
            time_axis = var.dims.index("time") if "time" in var.dims else None
            block = functools.partial(
                transposed_block, str(name), tuple(range(var.ndim)), time_axis=time_axis
            )
            lazy = LazyArray(path, var.shape, var.dtype, block)
            out[str(name)] = xr.Variable(var.dims, lazy, var.attrs, encoding=var.encoding)
    return out


def _plain(var: xr.DataArray, stored: Any) -> bool:
    """Whether ``var`` holds its HDF5 dataset's values as they are stored."""
    import h5py

    if not isinstance(stored, h5py.Dataset) or var.dtype.kind not in "iufb":
        return False
    if stored.dtype != var.dtype or stored.shape != var.shape:
        return False
    if any(key in var.encoding or key in var.attrs for key in _DECODED):
        return False
    fill = var.encoding.get("_FillValue")
    return fill is None or (var.dtype.kind == "f" and bool(np.isnan(fill)))
