"""netCDF written where a Dask distributed cluster is about: on a worker process, and in a
process whose default client is a cluster's.

xarray takes the lock that guards a file being written from the dask scheduler in use;
under distributed it is a ``distributed.Lock`` named after the file, which the scheduler
must receive. Real components only: the cluster is a ``distributed.LocalCluster`` of one
worker process (``process_cluster`` in conftest).
"""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

import posebridge
from posebridge import model

pytest.importorskip("distributed")


def _poses(frames: int = 50) -> xr.Dataset:
    rng = np.random.default_rng(7)
    position = rng.uniform(0, 100, size=(frames, 2, 3, 2))
    position[4, :, 1, 0] = np.nan
    return model.from_numpy(
        position,
        rng.uniform(0, 1, size=(frames, 3, 2)),
        individual_names=["m1", "m2"],
        keypoint_names=["snout", "ear", "tail"],
        source_software="DeepLabCut",
    )


def _save_and_load(ds: xr.Dataset, path: str) -> xr.Dataset:
    """Runs on the worker: write, then read back there."""
    posebridge.save(ds, path, "netcdf")
    return posebridge.load(path)


@pytest.mark.parametrize("chunked", [False, True], ids=["numpy", "dask"])
def test_a_worker_process_writes_netcdf(tmp_path, process_cluster_client, chunked):
    ds = _poses()
    sent = ds.chunk({"time": 16}) if chunked else ds
    path = tmp_path / "on_worker.nc"
    back = process_cluster_client.submit(_save_and_load, sent, str(path), pure=False).result()
    back.attrs.pop("source_file")
    xr.testing.assert_identical(back, model.validate(ds))
    assert not [p.name for p in tmp_path.iterdir() if p != path]  # no temporary left


@pytest.mark.parametrize("chunked", [False, True], ids=["numpy", "dask"])
def test_netcdf_is_written_here_while_a_cluster_client_is_the_default(
    tmp_path, process_cluster_client, chunked
):
    import dask

    ds = _poses()
    path = tmp_path / "here.nc"
    scheduler = dask.config.get("scheduler", None)  # the client's, as it made itself default
    assert posebridge.save(ds.chunk({"time": 16}) if chunked else ds, path) == [path]
    back = posebridge.load(path)
    back.attrs.pop("source_file")
    xr.testing.assert_identical(back, model.validate(ds))
    assert dask.config.get("scheduler", None) == scheduler  # left as it was
