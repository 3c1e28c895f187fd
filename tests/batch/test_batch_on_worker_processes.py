"""Batch conversion on a Dask cluster whose workers are processes (as on a lab's cluster).

``local_cluster_client`` runs its workers as threads of the test process, where nothing is
pickled; here every job, lock and result crosses a process boundary. Real components
only: ``process_cluster`` (conftest) is a ``distributed.LocalCluster(processes=True)`` of
one worker.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import xarray as xr

import posebridge
from posebridge.batch import convert_many

pytest.importorskip("distributed")

FRAMES = 200
CHUNK = 64  # -> 4 chunks per input


def _inputs(folder: Path) -> list[Path]:
    folder.mkdir()
    rng = np.random.default_rng(11)
    paths = []
    for name, individuals in (
        ("twoDLC_resnet50.h5", ["m1", "m2"]),
        ("oneDLC_resnet50.csv", ["m"]),
    ):
        position = rng.uniform(0, 100, size=(FRAMES, 2, 4, len(individuals)))
        position[10:14, :, 2, 0] = np.nan
        ds = posebridge.from_numpy(
            position,
            rng.uniform(0, 1, size=(FRAMES, 4, len(individuals))),
            individual_names=individuals,
            source_software="DeepLabCut",
        )
        paths.extend(posebridge.save(ds, folder / name, "dlc"))
    return paths


def test_netcdf_outputs_on_worker_processes_equal_local_ones(tmp_path, process_cluster_client):
    inputs = _inputs(tmp_path / "in")
    chunks: dict[str, list[tuple[int, int]]] = {}

    report = convert_many(
        tmp_path / "in",
        tmp_path / "out",
        to="netcdf",
        client=process_cluster_client,
        chunk_frames=CHUNK,
        on_chunk=lambda source, done, total: chunks.setdefault(source, []).append((done, total)),
        progress=False,
    )

    assert report.counts == {"ok": 2, "failed": 0, "skipped": 0}, report.table()
    for source in inputs:
        local = posebridge.convert(source, tmp_path / f"local_{source.stem}.nc", "netcdf")
        (output,) = next(r.outputs for r in report.results if Path(r.source) == source)
        on_worker, here = posebridge.load(output), posebridge.load(local[0])
        assert on_worker.attrs.pop("source_file") == output  # each names the file read
        assert here.attrs.pop("source_file") == str(local[0])
        xr.testing.assert_identical(on_worker, here)
        # streamed on the worker, one chunk of frames at a time
        assert chunks.get(str(source), [])[-1:] == [(4, 4)], chunks
    out = tmp_path / "out"
    assert sorted(p.name for p in out.iterdir()) == ["oneDLC_resnet50.nc", "twoDLC_resnet50.nc"]
