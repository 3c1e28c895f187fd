"""The batch's own process killed with SIGKILL (the OOM killer, a scheduler's hard limit):
its local worker processes notice it is gone, start no queued job, stop the running ones
(removing their temporaries) and end, and multiprocessing's helper processes with them.

A real batch in a subprocess, really killed; its children are found in /proc.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

import posebridge
from posebridge._temporaries import TEMPORARY_MARK

pytestmark = pytest.mark.skipif(
    not Path("/proc/self/stat").exists(), reason="kills with SIGKILL, finds processes in /proc"
)

FRAMES = 30_000


def _children(pid: int) -> list[int]:
    """The processes whose parent is ``pid``."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            if int(stat.rpartition(")")[2].split()[1]) == pid:
                found.append(int(entry))
    return found


def _alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie no one reaped has ended)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rpartition(")")[2].split()[0] != "Z"


@pytest.mark.parametrize(
    ("progress", "sigint_ignored"),
    [(False, False), (True, False), (False, True)],
    ids=["quiet", "with-progress", "started-with-sigint-ignored"],
)
def test_workers_of_a_batch_killed_with_sigkill_end(tmp_path, progress, sigint_ignored):
    """Also for a batch started with SIGINT ignored (``posebridge batch ... &`` in a
    script, a SLURM job script), which its workers inherit: they stop at once too, well
    before ORPHAN_GRACE would end them with their temporaries left."""
    inputs = tmp_path / "in"
    inputs.mkdir()
    rng = np.random.default_rng(11)
    for i in range(4):
        ds = posebridge.from_numpy(rng.uniform(0, 500, size=(FRAMES, 2, 6, 2)), fps=30)
        posebridge.save(ds, inputs / f"s{i}.nc")
    out = tmp_path / "out"
    # progress through a callback: chunk reports travel through a manager's process too
    on_chunk = "lambda *a: None" if progress else "None"
    code = (
        "import signal\n"
        + "signal.signal(signal.SIGINT, signal.SIG_IGN)\n" * sigint_ignored
        + "import posebridge\n"
        f"posebridge.convert_many({str(inputs)!r}, {str(out)!r}, to='nc', jobs=2,\n"
        f"                        chunk_frames=200, progress=False, on_chunk={on_chunk})\n"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    # not pipes: a process of the batch left running would hold them open
    batch = subprocess.Popen(
        [sys.executable, "-c", code], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 120
    running: list[str] = []
    while len(running) < 2:  # both workers write: the other two jobs wait queued
        assert batch.poll() is None and time.monotonic() < deadline, batch.returncode
        running = [n for n in os.listdir(out) if TEMPORARY_MARK in n] if out.is_dir() else []
        time.sleep(0.002)
    workers = {int(n.split(TEMPORARY_MARK)[1].split("-")[0]) for n in running}
    children = set(_children(batch.pid))
    assert workers <= children
    batch.kill()
    batch.wait()

    # well within ORPHAN_GRACE (30 s), after which a worker ends leaving its temporaries
    deadline = time.monotonic() + 15
    while any(_alive(pid) for pid in children) and time.monotonic() < deadline:
        time.sleep(0.05)
    left = [pid for pid in children if _alive(pid)]
    for pid in left:  # not to leave them running after a failure
        os.kill(pid, signal.SIGKILL)
    assert left == [], f"processes of the killed batch still running: {left}"
    # the running jobs were stopped, their temporaries removed; the queued ones never began
    # (the output folder the batch made goes too when nothing is left in it)
    kept = os.listdir(out) if out.is_dir() else []
    assert [n for n in kept if TEMPORARY_MARK in n] == []
    assert len(kept) < 4
    if sigint_ignored:  # the running jobs were stopped, not left to finish for no one
        assert kept == []
