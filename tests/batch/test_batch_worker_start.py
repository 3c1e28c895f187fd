"""`posebridge batch -j N` where worker processes or their threads cannot start.

The machine refuses for real, in a child process with a resource limit: an address
space too small for a new thread's stack ("can't start new thread", as
tests/test_threads.py makes it), or too few file descriptors for the pipes that
spawning a process needs (OSError "Too many open files"). The batch ends with one
error line that names the cause and suggests ``-j 1``, never a traceback; with
``-j 1`` the same batch runs.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import posebridge

pytestmark = pytest.mark.skipif(
    not Path("/proc/self/fd").is_dir(), reason="the limits are Linux's (RLIMIT_AS, /proc)"
)

_LIMITED = """
import os, resource, sys, threading
import concurrent.futures.process, multiprocessing.managers, multiprocessing.synchronize
import posebridge.batch.run, posebridge.cli
from posebridge.cli import main

if sys.argv[1] == "threads":
    # every thread started from here on asks for more address space than the process may have
    resource.setrlimit(resource.RLIMIT_AS, (48 << 30, resource.getrlimit(resource.RLIMIT_AS)[1]))
    threading.stack_size(64 << 30)
    try:
        threading.Thread(target=print).start()
    except RuntimeError:
        pass
    else:
        sys.exit("a thread could still start")
else:  # a few descriptors more than are open: the batch plans, no process spawns
    hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    resource.setrlimit(resource.RLIMIT_NOFILE, (len(os.listdir("/proc/self/fd")) + 8, hard))
sys.argv = ["posebridge", *sys.argv[2:]]
main()
"""


def _inputs(folder: Path) -> None:
    folder.mkdir()
    for name in ("a.nc", "b.nc"):
        posebridge.save(posebridge.from_numpy(np.ones((5, 2, 1, 1)), fps=30), folder / name)


@pytest.mark.parametrize(
    ("limit", "cause"),
    [("threads", "can't start new thread"), ("files", "Too many open files")],
)
def test_workers_that_cannot_start_end_the_batch_with_one_line_suggesting_j1(
    tmp_path, limit, cause
):
    _inputs(tmp_path / "in")
    out = tmp_path / "out"
    batch = ["batch", str(tmp_path / "in"), "--out", str(out), "--to", "nc", "--quiet"]
    run = subprocess.run(
        [sys.executable, "-c", _LIMITED, limit, *batch, "-j", "2"],
        capture_output=True,
        text=True,
        env={**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"},
        timeout=300,
    )

    assert run.returncode != 0
    assert "Traceback" not in run.stderr, run.stderr[-3000:]
    assert cause in run.stderr, run.stderr[-3000:]
    assert "could not start 2 worker processes" in run.stderr
    assert "-j 1" in run.stderr
    # in one process, the same batch (the same limit) runs
    again = subprocess.run(
        [sys.executable, "-c", _LIMITED, limit, *batch, "-j", "1"],
        capture_output=True,
        text=True,
        env={**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"},
        timeout=300,
    )
    assert again.returncode == 0, again.stderr[-3000:]
    assert sorted(p.name for p in out.iterdir()) == ["a.nc", "b.nc"]
