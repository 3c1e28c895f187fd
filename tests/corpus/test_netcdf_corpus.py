"""Every dataset a reader returns from a real file saves to netCDF and comes back identical."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest
import xarray as xr

import posebridge
from _corpus import CORPUS, MISSING, readable_files


def _corpus_files() -> list:
    if not CORPUS.is_dir():
        return [pytest.param(None, marks=pytest.mark.skip(reason=MISSING), id="no-corpus")]
    return [pytest.param(p, id=p.relative_to(CORPUS).as_posix()) for p in readable_files()]


@pytest.mark.parametrize("path", _corpus_files())
def test_real_file_round_trips_through_netcdf_identically(path: Path, tmp_path: Path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # readers warn about untracked instances etc.
        ds = posebridge.load(path)
    ds.to_netcdf(tmp_path / "plain.nc", engine="h5netcdf")  # saves as it is
    (written,) = posebridge.save(ds, tmp_path / "native.nc")
    back = posebridge.load(written)
    assert back.attrs.pop("source_file") == str(written)
    expected = ds.copy()
    expected.attrs.pop("source_file")
    xr.testing.assert_identical(back, expected)
