"""Thread pools sized by the process's CPU affinity, and work on threads that may not start."""

from __future__ import annotations

import os
import subprocess
import sys
import threading

import pytest

from posebridge import _threads as threads


@pytest.mark.skipif(not hasattr(os, "sched_setaffinity"), reason="no CPU affinity on this OS")
def test_usable_cores_follows_the_process_affinity() -> None:
    allowed = os.sched_getaffinity(0)
    assert threads.usable_cores() == len(allowed)
    try:
        os.sched_setaffinity(0, {min(allowed)})
        assert threads.usable_cores() == 1
    finally:
        os.sched_setaffinity(0, allowed)


def test_map_on_threads_gives_each_result_in_the_items_order_doing_each_item_once() -> None:
    done: list[int] = []
    lock = threading.Lock()

    def square(n: int) -> int:
        with lock:
            done.append(n)
        return n * n

    assert threads.map_on_threads(square, range(50), workers=4) == [n * n for n in range(50)]
    assert sorted(done) == list(range(50))


def test_map_on_threads_raises_the_first_failure_in_order_and_begins_nothing_after_it() -> None:
    begun: list[int] = []

    def fail_from_three(n: int) -> int:
        begun.append(n)
        if n >= 3:
            raise ValueError(f"item {n}")
        return n

    with pytest.raises(ValueError, match="item 3"):
        threads.map_on_threads(fail_from_three, range(1000), workers=1)
    assert begun == [0, 1, 2, 3]


_NO_THREADS = """
import resource, sys, threading
import numpy as np
import posebridge
from posebridge.formats._shared.hdf5 import read_array
import h5py

# every thread started from here on asks for more address space than the process may have
resource.setrlimit(resource.RLIMIT_AS, (48 << 30, resource.getrlimit(resource.RLIMIT_AS)[1]))
threading.stack_size(64 << 30)
try:
    threading.Thread(target=print).start()
except RuntimeError:
    pass
else:
    sys.exit("a thread could still start")
with h5py.File(sys.argv[1], "r") as file:
    assert np.array_equal(read_array(file["values"]), np.arange(2_000_000, dtype=np.float32))
ds = posebridge.load(sys.argv[2])
assert ds.sizes["time"] == 40_000, ds.sizes
# a YOLO dataset of 6 label files: flushed to disk on threads before the rename
frames = posebridge.labels.from_numpy(
    np.full((6, 2, 1, 1), 5.0), image_path=[f"v/img{i}.png" for i in range(6)]
)
written = posebridge.save(frames, sys.argv[3], image_size=(10, 10))
assert len(written) == 7, written
print("done")
"""


@pytest.mark.skipif(threads.usable_cores() < 2, reason="the readers use threads only on 2+ CPUs")
@pytest.mark.skipif(not hasattr(os, "sched_getaffinity"), reason="the limits are Linux's")
def test_readers_and_writers_work_when_no_thread_can_start(tmp_path) -> None:
    """A memory limit that refuses new threads raised 'RuntimeError: can't start new
    thread' from the thread pools of the HDF5 and DLC CSV readers and of the flushing
    of many written files."""
    import h5py
    import numpy as np

    import posebridge

    deflated = tmp_path / "deflated.h5"
    with h5py.File(deflated, "w") as file:  # 8 MB, gzip-chunked: inflated on threads
        file.create_dataset(
            "values",
            data=np.arange(2_000_000, dtype=np.float32),
            chunks=(50_000,),
            compression="gzip",
        )
    rng = np.random.default_rng(0)
    table = posebridge.from_numpy(rng.random((40_000, 2, 6, 1)) * 100, fps=30)
    dlc_csv = tmp_path / "poses.csv"  # over 4 MiB: parsed in ranges on threads
    posebridge.save(table, dlc_csv, format="dlc")
    assert dlc_csv.stat().st_size > 4 << 20
    run = subprocess.run(
        [sys.executable, "-c", _NO_THREADS, str(deflated), str(dlc_csv), str(tmp_path / "d.yaml")],
        capture_output=True,
        text=True,
        env={**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"},
        timeout=300,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stdout.strip() == "done"
