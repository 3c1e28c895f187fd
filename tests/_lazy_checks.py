"""Checks shared by the lazy-reading tests: lazy equals load, and bytes read."""

from __future__ import annotations

import warnings
from pathlib import Path

import dask.array as da
import numpy as np
import xarray as xr

import posebridge
from posebridge.xarray_backend import PoseBridgeBackendEntrypoint


def read_bytes() -> int:
    """Bytes this process has read through read() / pread() so far (Linux)."""
    for line in Path("/proc/self/io").read_text().splitlines():
        if line.startswith("rchar:"):
            return int(line.split()[1])
    raise AssertionError("no rchar in /proc/self/io")


def check_lazy_equals_load(
    path: Path,
    chunks: int,
    lazy: int,
    variables: tuple[str, ...],
    **options,
) -> xr.Dataset:
    """Lazy (dask and the xarray engine) equals load, whole and by slices; lazy as said."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        eager = posebridge.load(path, **options)
        opened = posebridge.open_dataset(path, chunks=chunks, **options)
        engine = xr.open_dataset(
            path, engine=PoseBridgeBackendEntrypoint, read_options=options or None
        )
    assert opened.attrs["lazy"] == lazy
    assert engine.attrs["lazy"] == lazy
    if lazy:
        assert isinstance(opened.position.data, da.Array)
        assert not engine.position.variable._in_memory
        assert not engine.confidence.variable._in_memory
    n = eager.sizes["time"]
    for a, b in ((0, n), (1, max(1, n - 1)), (n // 2, n)):
        part = {"time": slice(a, b)}
        for name in variables:
            if name in eager:
                expected = eager[name].isel(part).values
                np.testing.assert_array_equal(opened[name].isel(part).values, expected)
                np.testing.assert_array_equal(engine[name].isel(part).values, expected)
    for ds in (opened, engine):
        loaded = ds.compute()  # a loaded copy; ds itself stays lazy
        loaded.attrs.pop("lazy")
        xr.testing.assert_identical(loaded, eager)
    return opened
