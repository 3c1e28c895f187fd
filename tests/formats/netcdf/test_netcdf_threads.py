"""netCDF writes in threads of one process run side by side.

The writer holds a process-wide lock only while xarray opens the file and lays it out
(dask's scheduler setting is one per process); the blocks, and whatever computing them
calls (a streaming conversion's ``on_chunk``), are computed after it is released. Each
test makes two writes wait for each other inside their blocks: written one at a time,
the first would wait out its timeout. Real threads and a real Dask worker; every wait
has a timeout, so a regression fails instead of hanging.
"""

from __future__ import annotations

import gc
import sys
import threading
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

import posebridge
from posebridge import model

da = pytest.importorskip("dask.array")

#: Seconds a write waits for the other one to be writing too.
WAIT = 10.0
FRAMES = 40
CHUNK = 10


def _poses(seed: int) -> xr.Dataset:
    rng = np.random.default_rng(seed)
    return model.from_numpy(
        rng.uniform(0, 100, size=(FRAMES, 2, 3, 1)),
        rng.uniform(0, 1, size=(FRAMES, 3, 1)),
        individual_names=["m1"],
        keypoint_names=["snout", "ear", "tail"],
        source_software="DeepLabCut",
    )


def _position_calling(ds: xr.Dataset, on_block) -> xr.Dataset:
    """``ds`` chunked along time, ``on_block(first_frame)`` called as each block of
    ``position`` is computed."""

    def block(values: np.ndarray, block_info=None) -> np.ndarray:
        on_block(block_info[0]["array-location"][0][0])
        return values

    ds = ds.chunk({"time": CHUNK})
    ds["position"] = ds["position"].copy(data=ds["position"].data.map_blocks(block, dtype=float))
    return ds


def _run_in_threads(*tasks) -> list:
    """Run each task in a thread of its own; what each returned or raised."""
    outcomes: list = [None] * len(tasks)

    def run(index: int, task) -> None:
        try:
            outcomes[index] = task()
        except Exception as error:
            outcomes[index] = error

    threads = [threading.Thread(target=run, args=(i, t), daemon=True) for i, t in enumerate(tasks)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=4 * WAIT)
    assert not any(thread.is_alive() for thread in threads), "a write never finished"
    return outcomes


def test_two_netcdf_writes_in_threads_write_their_blocks_side_by_side(tmp_path):
    writing = {name: threading.Event() for name in "ab"}
    saw_the_other = {}

    def waiting_for(name: str, other: str):
        def on_block(first_frame: int) -> None:
            writing[name].set()
            if first_frame == 0:  # the first block waits until the other write has begun
                saw_the_other[name] = writing[other].wait(WAIT)

        return on_block

    sources = {"a": _poses(1), "b": _poses(2)}
    outcomes = _run_in_threads(
        *(
            lambda n=name, o=other: posebridge.save(
                _position_calling(sources[n], waiting_for(n, o)), tmp_path / f"{n}.nc"
            )
            for name, other in (("a", "b"), ("b", "a"))
        )
    )
    assert outcomes == [[tmp_path / "a.nc"], [tmp_path / "b.nc"]]
    assert saw_the_other == {"a": True, "b": True}
    for name, ds in sources.items():
        back = posebridge.load(tmp_path / f"{name}.nc")
        np.testing.assert_array_equal(back.position.values, ds.position.values)


def test_a_netcdf_write_failing_midway_beside_another_closes_its_file(tmp_path):
    unraisable = []
    hook, sys.unraisablehook = sys.unraisablehook, unraisable.append
    writing = threading.Event()
    failed = threading.Event()

    def failing(first_frame: int) -> None:
        if first_frame == CHUNK:  # after the other write has begun
            assert writing.wait(WAIT), "the other write never began"
            failed.set()
            raise OSError("the source went away")

    def waiting(first_frame: int) -> None:
        writing.set()
        if first_frame == 0:
            failed.wait(WAIT)

    try:
        outcomes = _run_in_threads(
            lambda: posebridge.save(_position_calling(_poses(1), failing), tmp_path / "a.nc"),
            lambda: posebridge.save(_position_calling(_poses(2), waiting), tmp_path / "b.nc"),
        )
        gc.collect()  # a store left open would fail to close into its closed file here
    finally:
        sys.unraisablehook = hook
    assert isinstance(outcomes[0], OSError)
    assert "the source went away" in str(outcomes[0])
    assert outcomes[1] == [tmp_path / "b.nc"]
    assert failed.is_set()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b.nc"]  # no temporary left
    assert unraisable == []


# --------------------------------------------------------------------------
# conversions on one Dask worker's threads, as a batch runs them


#: Per conversion: set at its first chunk, and whether it saw the other's (the worker's
#: threads run in this process; the tasks name them by key, as Events cannot be sent).
STARTED: dict[str, threading.Event] = {}
SAW_THE_OTHER: dict[str, bool] = {}


def _convert_waiting_for(source: str, target: str, name: str, other: str) -> list[Path]:
    def on_chunk(done: int, total: int) -> None:
        STARTED[name].set()
        if done == 1:  # a slow callback: it waits until the other conversion has begun
            SAW_THE_OTHER[name] = STARTED[other].wait(WAIT)

    return posebridge.convert(source, target, chunk_frames=CHUNK, on_chunk=on_chunk)


def test_netcdf_conversions_on_one_workers_threads_do_not_wait_for_each_others_callbacks(
    tmp_path,
):
    distributed = pytest.importorskip("distributed")
    STARTED.clear()
    STARTED.update(a=threading.Event(), b=threading.Event())
    SAW_THE_OTHER.clear()
    for seed, name in enumerate("ab"):
        posebridge.save(_poses(seed), tmp_path / f"{name}.nc")
    with (
        distributed.LocalCluster(
            n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        futures = [
            client.submit(
                _convert_waiting_for,
                str(tmp_path / f"{name}.nc"),
                str(tmp_path / f"{name}_out.nc"),
                name,
                other,
                pure=False,
            )
            for name, other in (("a", "b"), ("b", "a"))
        ]
        written = [future.result(timeout=4 * WAIT) for future in futures]
    assert written == [[tmp_path / "a_out.nc"], [tmp_path / "b_out.nc"]]
    assert SAW_THE_OTHER == {"a": True, "b": True}
    for name in "ab":
        back = posebridge.load(tmp_path / f"{name}_out.nc")
        expected = posebridge.load(tmp_path / f"{name}.nc")
        np.testing.assert_array_equal(back.position.values, expected.position.values)
