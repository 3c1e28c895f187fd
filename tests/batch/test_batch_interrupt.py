"""Ctrl-C (SIGINT to the batch's process) with local workers: no job starts after it,
not even one already queued to a worker; the running ones finish whole."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

import posebridge
from posebridge._temporaries import TEMPORARY_MARK

pytestmark = pytest.mark.skipif(os.name != "posix", reason="sends SIGINT")

FRAMES = 30_000


def test_ctrl_c_starts_no_queued_job_and_the_running_ones_finish_whole(tmp_path):
    inputs = tmp_path / "in"
    inputs.mkdir()
    rng = np.random.default_rng(9)
    for i in range(4):
        ds = posebridge.from_numpy(rng.uniform(0, 500, size=(FRAMES, 2, 6, 2)), fps=30)
        posebridge.save(ds, inputs / f"s{i}.nc")
    out = tmp_path / "out"
    # chunks of 200 frames: each job writes long enough that both workers' jobs run at once
    # even on a loaded machine (with 1000, the batch could end before two were seen)
    code = (
        "import posebridge\n"
        "try:\n"
        f"    posebridge.convert_many({str(inputs)!r}, {str(out)!r}, to='nc', jobs=2,\n"
        "                            chunk_frames=200, progress=False)\n"
        "except KeyboardInterrupt:\n"
        "    print('interrupted')\n"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    process = subprocess.Popen(
        [sys.executable, "-c", code], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    deadline = time.monotonic() + 120
    running: list[str] = []
    while len(running) < 2:  # both workers write: a third job waits queued to one of them
        assert process.poll() is None and time.monotonic() < deadline, process.communicate()
        running = [n for n in os.listdir(out) if TEMPORARY_MARK in n] if out.is_dir() else []
        time.sleep(0.002)
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=120)

    assert stdout.decode().strip() == "interrupted", stderr.decode()[-2000:]
    written = sorted(os.listdir(out))
    assert len(written) == 2, written  # the two running; none of the queued ones
    for name in written:
        assert posebridge.load(out / name).sizes["time"] == FRAMES
    time.sleep(1)  # and no worker goes on after the batch returned
    assert sorted(os.listdir(out)) == written
