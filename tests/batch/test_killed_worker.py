"""A local worker process killed midway (the OOM killer, SIGKILL) fails only what it
must: the results already in are kept, the inputs not yet started run on a new pool,
and those that were running are run again alone; only one whose worker dies again fails.

Real worker processes, really killed: a thread of the test watches the output folder
and SIGKILLs the worker whose pid names the temporary file it writes.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path

import numpy as np
import pytest

import posebridge
from posebridge._temporaries import TEMPORARY_MARK
from posebridge.batch import convert_many

pytestmark = pytest.mark.skipif(os.name != "posix", reason="kills with SIGKILL")

FRAMES = 30_000


def _inputs(folder: Path, count: int) -> list[Path]:
    """``count`` netCDF pose files of FRAMES frames (about 7 MB each)."""
    folder.mkdir()
    rng = np.random.default_rng(8)
    paths = []
    for i in range(count):
        ds = posebridge.from_numpy(rng.uniform(0, 500, size=(FRAMES, 2, 6, 2)), fps=30)
        paths.extend(posebridge.save(ds, folder / f"s{i}.nc"))
    return paths


class _Killer(threading.Thread):
    """Kill (SIGKILL) the worker writing a temporary of the output ``stem``, each time
    one appears, at most ``times`` times; ``killed`` holds their pids."""

    def __init__(self, out: Path, stem: str, times: int) -> None:
        super().__init__(daemon=True)
        self.out, self.mark, self.times = out, f".{stem}{TEMPORARY_MARK}", times
        self.killed: list[int] = []
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.is_set() and len(self.killed) < self.times:
            names = os.listdir(self.out) if self.out.is_dir() else []
            for name in names:
                if name.startswith(self.mark):
                    pid = int(name[len(self.mark) :].split("-")[0])
                    # still being written (not yet renamed): the job is running
                    if pid not in self.killed and (self.out / name).exists():
                        os.kill(pid, signal.SIGKILL)
                        self.killed.append(pid)
            time.sleep(0.002)


def _batch_killing(tmp_path: Path, count: int, times: int):
    inputs = _inputs(tmp_path / "in", count)
    killer = _Killer(tmp_path / "out", "s0", times)
    killer.start()
    try:
        report = convert_many(
            tmp_path / "in", tmp_path / "out", to="nc", jobs=2, chunk_frames=1000, progress=False
        )
    finally:
        killer.done.set()
        killer.join()
    assert len(killer.killed) == times, "the worker was not caught writing"
    assert not [p for p in (tmp_path / "out").iterdir() if TEMPORARY_MARK in p.name]
    return inputs, report


def test_a_killed_worker_fails_no_input_the_one_it_ran_runs_again_alone(tmp_path):
    """s0's worker is killed: s0 runs again alone and is converted, and so is s1 (run
    again alone too when it was running beside s0, its worker stopped with the pool; on
    a new pool when it had not started). One killing used to fail every input not
    finished."""
    inputs, report = _batch_killing(tmp_path, 2, times=1)

    assert report.counts == {"ok": 2, "failed": 0, "skipped": 0}, report.table()
    killed = report.results[0]
    assert killed.note.startswith("run again alone: a worker process of the batch stopped")
    for source in inputs:
        assert posebridge.load(tmp_path / "out" / source.name).sizes["time"] == FRAMES


def test_an_input_whose_worker_dies_again_when_run_alone_fails_with_its_size(tmp_path):
    inputs, report = _batch_killing(tmp_path, 2, times=2)

    killed, beside = report.results
    assert beside.status == "ok", report.table()
    assert killed.status == "failed" and killed.error_type == "BrokenProcessPool"
    assert killed.error.startswith("the worker running it stopped")
    assert "run the batch again to resume" in killed.error
    assert killed.input_bytes == inputs[0].stat().st_size
    assert not (tmp_path / "out" / "s0.nc").exists()
