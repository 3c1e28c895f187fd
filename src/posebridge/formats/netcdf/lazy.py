"""netCDF read lazily: xarray's own lazy arrays (h5netcdf), strings restored as the reader does."""

from __future__ import annotations

from pathlib import Path

import xarray as xr

from posebridge.errors import FormatError
from posebridge.formats.netcdf import ENGINE, _restore_strings

__all__ = ["open_lazy"]


def open_lazy(path: Path) -> xr.Dataset:
    """Open a netCDF pose dataset; its variables are read when indexed.

    Examples
    --------
    >>> ds = open_lazy(Path("poses.nc"))  # doctest: +SKIP
    """
    try:
        ds = xr.open_dataset(path, engine=ENGINE)
    except (OSError, ValueError) as error:
        raise FormatError(path, f"is not a readable netCDF file ({error}).") from error
    if "position" not in ds.data_vars:
        ds.close()
        raise FormatError(
            path,
            "is a netCDF file but holds no 'position' variable, so it is not a "
            "pose or box dataset.",
        )
    return _restore_strings(ds)
