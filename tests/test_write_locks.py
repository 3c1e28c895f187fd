"""Tests of posebridge._write_locks with real processes: a child forked while a lock is
held neither keeps nor removes it, a killed writer's lock is taken over, a lock held by a
running writer beyond the bound is named in the error, and folder scans leave lock files
out."""

from __future__ import annotations

import multiprocessing
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest

import posebridge
from posebridge._write_locks import (
    LOCK_MARK,
    WAIT_VARIABLE,
    held_for_writing,
    lock_file_of,
)

pytestmark = [
    pytest.mark.filterwarnings("ignore"),
    pytest.mark.skipif(sys.platform == "win32", reason="fork and signals: POSIX only"),
]

#: A process that holds the write lock of the file argv[1] until it is killed.
HOLDER = """
import sys, time
from posebridge._write_locks import held_for_writing
with held_for_writing([sys.argv[1]]):
    print("held", flush=True)
    time.sleep(600)
"""


def _one(name: str):
    rng = np.random.default_rng(len(name))
    return posebridge.from_numpy(rng.uniform(size=(4, 2, 2, 1)), fps=10.0, individual_names=[name])


def _nwb(tmp_path: Path) -> Path:
    path = tmp_path / "session.nwb"
    posebridge.save(_one("first"), path)
    return path


def _individuals(path: Path) -> list[str]:
    return [str(i) for i in posebridge.load(path).individual.values]


def _environment() -> dict[str, str]:
    source = str(Path(posebridge.__file__).parents[1])
    return {**os.environ, "PYTHONPATH": source + os.pathsep + os.environ.get("PYTHONPATH", "")}


def _holder(path: Path) -> subprocess.Popen:
    """A running process holding the write lock of ``path`` (once it said so)."""
    process = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(path)],
        stdout=subprocess.PIPE,
        text=True,
        env=_environment(),
    )
    assert process.stdout is not None
    assert process.stdout.readline().strip() == "held"
    return process


def _append_in_other_process(path: Path, name: str, wait: str) -> subprocess.CompletedProcess:
    script = (
        "import sys, warnings, numpy as np, posebridge; warnings.simplefilter('ignore'); "
        "ds = posebridge.from_numpy(np.ones((4, 2, 2, 1)), fps=10.0, "
        "individual_names=[sys.argv[2]]); posebridge.save(ds, sys.argv[1], append=True)"
    )
    return subprocess.run(
        [sys.executable, "-c", script, str(path), name],
        capture_output=True,
        text=True,
        timeout=300,
        env={**_environment(), WAIT_VARIABLE: wait},
    )


def _lock_after_child_left(path: Path) -> bool | None:
    """Fork in a locked block; the child leaves the block (its clean-up runs), then the
    parent says whether its lock file is still there (``None`` in the child)."""
    with held_for_writing([path]):
        child = os.fork()
        if child == 0:  # pragma: no cover - the child
            return None
        _, status = os.waitpid(child, 0)
        assert os.waitstatus_to_exitcode(status) == 0
        return lock_file_of(path).exists()


def test_a_child_forked_in_a_locked_block_does_not_remove_its_parents_lock(tmp_path):
    path = _nwb(tmp_path)
    parent = os.getpid()
    try:
        kept = _lock_after_child_left(path)
    finally:
        if os.getpid() != parent:  # pragma: no cover - the child, out of the block
            os._exit(0)
    assert kept is True  # the child left the block: the lock is still the parent's
    assert not lock_file_of(path).exists()  # the parent left it: removed


def test_a_process_forked_while_a_thread_holds_a_lock_does_not_stop_later_writers(tmp_path):
    """A child forked (and still running) while another thread held the lock: once that
    thread is done, another process appends at once (f144's folder lock hung here)."""
    path = _nwb(tmp_path)
    entered, release = threading.Event(), threading.Event()

    def hold() -> None:
        with held_for_writing([path]):
            entered.set()
            release.wait(60)

    holder = threading.Thread(target=hold)
    holder.start()
    assert entered.wait(60)
    child = multiprocessing.get_context("fork").Process(target=time.sleep, args=(60,))
    child.start()
    try:
        release.set()
        holder.join(60)
        assert not lock_file_of(path).exists()
        done = _append_in_other_process(path, "later", wait="20")
    finally:
        child.terminate()
        child.join(30)
    assert done.returncode == 0, done.stderr
    assert _individuals(path) == ["first", "later"]


def test_a_lock_of_a_killed_writer_is_taken_over(tmp_path, monkeypatch):
    path = _nwb(tmp_path)
    holder = _holder(path)
    holder.send_signal(signal.SIGKILL)
    holder.wait(60)
    lock = lock_file_of(path)
    assert lock.exists() and f"pid={holder.pid}" in lock.read_text()
    monkeypatch.setenv(WAIT_VARIABLE, "30")
    started = time.monotonic()
    posebridge.save(_one("after"), path, append=True)
    assert time.monotonic() - started < 25  # taken over, not waited out
    assert _individuals(path) == ["first", "after"]
    assert not [p.name for p in tmp_path.iterdir() if LOCK_MARK in p.name]


def test_a_lock_held_by_a_running_writer_beyond_the_bound_is_named_in_the_error(
    tmp_path, monkeypatch
):
    path = _nwb(tmp_path)
    before = path.read_bytes()
    holder = _holder(path)
    try:
        monkeypatch.setenv(WAIT_VARIABLE, "0.5")
        with pytest.raises(posebridge.PoseBridgeError) as raised:
            posebridge.save(_one("after"), path, append=True)
        message = str(raised.value)
        assert str(path) in message
        assert str(lock_file_of(path)) in message
        assert f"process {holder.pid} on {socket.gethostname()}" in message
        assert "remove the lock file" in message and WAIT_VARIABLE in message
        assert path.read_bytes() == before
    finally:
        holder.kill()
        holder.wait(60)


def test_a_lock_of_another_machine_is_waited_for_not_taken_over(tmp_path, monkeypatch):
    path = _nwb(tmp_path)
    lock = lock_file_of(path)
    lock.write_text("posebridge write lock\npid=1\nhost=another-machine\nthread=7\nstarted=\n")
    monkeypatch.setenv(WAIT_VARIABLE, "0.3")
    with pytest.raises(posebridge.PoseBridgeError, match="process 1 on another-machine"):
        posebridge.save(_one("after"), path, append=True)
    assert lock.exists()


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="process start times: Linux")
def test_a_lock_naming_a_reused_pid_is_taken_over(tmp_path, monkeypatch):
    """The recorded pid runs, but it is another process (started at another time)."""
    path = _nwb(tmp_path)
    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
    try:
        lock_file_of(path).write_text(
            f"posebridge write lock\npid={other.pid}\nhost={socket.gethostname()}\n"
            "thread=7\nstarted=1\n"
        )
        monkeypatch.setenv(WAIT_VARIABLE, "20")
        posebridge.save(_one("after"), path, append=True)
    finally:
        other.kill()
        other.wait(60)
    assert _individuals(path) == ["first", "after"]
    assert not lock_file_of(path).exists()


def test_an_empty_lock_file_left_long_ago_is_taken_over(tmp_path, monkeypatch):
    path = _nwb(tmp_path)
    lock = lock_file_of(path)
    lock.write_bytes(b"")
    long_ago = time.time() - 3600
    os.utime(lock, (long_ago, long_ago))
    monkeypatch.setenv(WAIT_VARIABLE, "20")
    posebridge.save(_one("after"), path, append=True)
    assert _individuals(path) == ["first", "after"]


def test_a_wait_setting_that_is_not_a_number_is_refused_by_name(tmp_path, monkeypatch):
    path = _nwb(tmp_path)
    holder = _holder(path)
    try:
        monkeypatch.setenv(WAIT_VARIABLE, "soon")
        with pytest.raises(posebridge.PoseBridgeError, match=f"{WAIT_VARIABLE}='soon'"):
            posebridge.save(_one("after"), path, append=True)
    finally:
        holder.kill()
        holder.wait(60)


def test_the_lock_file_of_a_name_at_the_length_limit_fits(tmp_path):
    target = tmp_path / ("n" * 250 + ".nwb")
    lock = lock_file_of(target)
    assert lock.parent == Path(os.path.realpath(tmp_path))
    assert lock.name.startswith(".") and lock.name.endswith(LOCK_MARK)
    assert len(os.fsencode(lock.name)) <= 255
    assert lock_file_of(tmp_path / ("n" * 250 + ".nwc")) != lock
    with held_for_writing([target]):
        assert lock.exists()
    assert not lock.exists()


def test_lock_files_are_left_out_of_a_batch_folder_scan(tmp_path):
    root = tmp_path / "data"
    root.mkdir()
    posebridge.save(_one("first"), root / "session.nwb")
    lock = lock_file_of(root / "session.nwb")
    lock.write_text(f"posebridge write lock\npid={os.getpid()}\nhost=elsewhere\n")
    lock.with_name(lock.name + ".break").write_text("")
    report = posebridge.convert_many(root, tmp_path / "out", to="nc", jobs=1)
    assert report.counts == {"ok": 1, "failed": 0, "skipped": 0}, report.table()
    assert report.ignored == []
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["session.nc"]
