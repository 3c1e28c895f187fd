"""Tests of posebridge._write_locks with real processes: a child forked while a lock is
held neither keeps nor removes it, a killed writer's lock is taken over, a lock held by a
running writer beyond the bound is named in the error, and folder scans leave lock files
out."""

from __future__ import annotations

import multiprocessing
import os
import shutil
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
from posebridge import _write_locks
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


def _pid_space() -> str:
    """This process's PID namespace as a lock file records it."""
    try:
        return str(os.stat("/proc/self/ns/pid").st_ino)
    except OSError:
        return ""


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
            f"pidns={_pid_space()}\nthread=7\nstarted=1\n"
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


def _dead_pid() -> int:
    """The pid of a process that ran and ended."""
    ended = subprocess.Popen([sys.executable, "-c", "pass"])
    ended.wait(60)
    return ended.pid


def _stale_record(pid: int, pid_space: str | None = None) -> str:
    space = _pid_space() if pid_space is None else pid_space
    return (
        f"posebridge write lock\npid={pid}\nhost={socket.gethostname()}\npidns={space}\n"
        "started=\nthread=7\n"
    )


#: Holds the write lock of argv[1] once and prints "ok", or the error's type and message.
TAKER = """
import sys
from posebridge._write_locks import held_for_writing
try:
    with held_for_writing([sys.argv[1]]):
        pass
except Exception as error:
    print(type(error).__name__, error, flush=True)
else:
    print("ok", flush=True)
"""

#: Run a command with an ordinary user's view of file permissions (root without its
#: permission bypass); ``None`` when that cannot be had here.
_AS_USER = (
    []
    if os.geteuid() != 0
    else ["setpriv", "--bounding-set", "-dac_override,-dac_read_search,-fowner"]
    if shutil.which("setpriv")
    else None
)
needs_ordinary_user = pytest.mark.skipif(
    _AS_USER is None, reason="root without setpriv: permissions are not checked"
)


def _run_as_user(arguments: list[str], wait: str = "2") -> subprocess.CompletedProcess:
    assert _AS_USER is not None
    return subprocess.run(
        [*_AS_USER, sys.executable, *arguments],
        capture_output=True,
        text=True,
        timeout=90,
        env={**_environment(), WAIT_VARIABLE: wait},
    )


def test_a_stale_lock_of_a_name_at_the_length_limit_is_taken_over(tmp_path):
    """Its breaker file's name fits too: the take-over does not fail for ever."""
    target = tmp_path / ("s" * 236 + ".nc")
    lock = lock_file_of(target)
    lock.write_text(_stale_record(_dead_pid()))
    done = subprocess.run(
        [sys.executable, "-c", TAKER, str(target)],
        capture_output=True,
        text=True,
        timeout=60,
        env={**_environment(), WAIT_VARIABLE: "2"},
    )
    assert done.stdout.strip() == "ok", done.stderr
    assert not [p.name for p in tmp_path.iterdir() if LOCK_MARK in p.name]


@needs_ordinary_user
def test_an_append_in_a_read_only_folder_holding_a_stale_lock_fails_at_once(tmp_path):
    """No file can be made there: no lock is taken and the append says why, as before."""
    folder = tmp_path / "data"
    folder.mkdir()
    path = _nwb(folder)
    before = path.read_bytes()
    lock_file_of(path).write_text(_stale_record(_dead_pid()))
    script = (
        "import sys, warnings, numpy as np, posebridge; warnings.simplefilter('ignore')\n"
        "ds = posebridge.from_numpy(np.ones((4, 2, 2, 1)), fps=10.0, individual_names=['b'])\n"
        "try:\n    posebridge.save(ds, sys.argv[1], append=True)\n"
        "except posebridge.PoseBridgeError as error:\n    print('refused', error)\n"
    )
    folder.chmod(0o555)
    try:
        started = time.monotonic()
        done = _run_as_user(["-c", script, str(path)], wait="30")
    finally:
        folder.chmod(0o755)
    assert done.stdout.startswith("refused"), (done.stdout, done.stderr)
    assert "permission denied" in done.stdout
    assert time.monotonic() - started < 25  # not the wait's bound
    assert path.read_bytes() == before


@needs_ordinary_user
@pytest.mark.skipif(os.geteuid() != 0, reason="making another user's lock file needs root")
def test_another_users_stale_lock_in_a_sticky_folder_is_named_with_its_owner(tmp_path):
    import pwd

    folder = tmp_path / "shared"
    folder.mkdir()
    folder.chmod(0o1777)
    target = folder / "session.nc"
    lock = lock_file_of(target)
    lock.write_text(_stale_record(_dead_pid()))
    os.chown(lock, 65534, 65534)
    os.chown(folder, 65533, 65533)
    done = _run_as_user(["-c", TAKER, str(target)])  # neither its owner nor the folder's
    owner = pwd.getpwuid(65534).pw_name if 65534 in [u.pw_uid for u in pwd.getpwall()] else "65534"
    assert done.stdout.startswith("PoseBridgeError"), (done.stdout, done.stderr)
    assert str(lock) in done.stdout and owner in done.stdout
    assert "no longer runs" in done.stdout and "nothing was written" in done.stdout
    assert lock.exists()


def test_a_lock_of_another_pid_namespace_with_this_host_name_is_waited_for(tmp_path, monkeypatch):
    """A container sharing the host name: its pid means nothing here, so it is not stale."""
    target = tmp_path / "session.nc"
    lock = lock_file_of(target)
    lock.write_text(_stale_record(_dead_pid(), pid_space="4026531999"))
    monkeypatch.setenv(WAIT_VARIABLE, "0.3")
    with (
        pytest.raises(posebridge.PoseBridgeError, match="in another PID namespace on"),
        held_for_writing([target]),
    ):
        pass
    assert lock.exists()


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="open files listed: Linux")
def test_a_held_lock_keeps_no_file_descriptor_open(tmp_path):
    targets = [tmp_path / f"f{k}.nc" for k in range(5)]
    with held_for_writing(targets):
        opened = {os.path.realpath(f"/proc/self/fd/{fd}") for fd in os.listdir("/proc/self/fd")}
        locks = {os.path.realpath(lock_file_of(t)) for t in targets}
        assert all(Path(lock).exists() for lock in locks)
        assert not opened & locks


@pytest.mark.skipif(not hasattr(signal, "SIGXFSZ"), reason="file-size limit: POSIX")
def test_a_lock_record_that_cannot_be_written_leaves_no_lock_and_the_write_goes_on(tmp_path):
    """The file-size limit (like a full disk) refuses the record: no raw OSError."""
    target = tmp_path / "session.nc"
    script = (
        "import resource, signal, sys\n"
        "signal.signal(signal.SIGXFSZ, signal.SIG_IGN)\n"
        "resource.setrlimit(resource.RLIMIT_FSIZE, (0, resource.getrlimit("
        "resource.RLIMIT_FSIZE)[1]))\n" + TAKER
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(target)],
        capture_output=True,
        text=True,
        timeout=60,
        env=_environment(),
    )
    assert done.stdout.strip() == "ok", (done.stdout, done.stderr)
    assert not [p.name for p in tmp_path.iterdir() if LOCK_MARK in p.name]


@pytest.mark.parametrize("given", ["nan", "inf", "-1", "-inf"])
def test_a_wait_setting_without_a_bound_is_refused_by_name(tmp_path, monkeypatch, given):
    monkeypatch.setenv(WAIT_VARIABLE, given)
    with (
        pytest.raises(posebridge.PoseBridgeError, match=f"{WAIT_VARIABLE}='{given}'"),
        held_for_writing([tmp_path / "session.nc"]),
    ):
        pass
    assert not [p.name for p in tmp_path.iterdir() if LOCK_MARK in p.name]


def _interrupting_at(call: int):
    """A profile hook raising KeyboardInterrupt (as Ctrl-C would) at the ``call``-th C
    call the lock code makes (nothing is replaced: the calls before run as they are)."""
    seen = [0]
    code_file = _write_locks.__file__

    def hook(frame, event: str, arg) -> None:
        if event == "c_call" and frame.f_code.co_filename == code_file:
            seen[0] += 1
            if seen[0] == call:
                raise KeyboardInterrupt

    return hook


def test_ctrl_c_at_any_point_of_a_release_leaves_no_lock_and_no_held_state(tmp_path, monkeypatch):
    """Ctrl-C landing in the release of several locks, at each of its steps in turn: the
    block ends with it, every lock file is gone, and the locks are free for this thread
    and for another (not taken as held again by this thread)."""
    targets = [tmp_path / f"f{k}.nc" for k in range(3)]
    locks = [lock_file_of(t) for t in targets]
    monkeypatch.setenv(WAIT_VARIABLE, "0.5")
    interrupted = 0
    for call in range(1, 40):
        try:
            with held_for_writing(targets):
                sys.setprofile(_interrupting_at(call))
        except KeyboardInterrupt:
            interrupted += 1
        finally:
            sys.setprofile(None)
        assert not [lock.name for lock in locks if lock.exists()], call
        with held_for_writing(targets):  # taken anew by this thread: the files are made
            assert all(lock.exists() for lock in locks), call
        assert not any(lock.exists() for lock in locks), call
        elsewhere: list[str] = []
        other = threading.Thread(target=_hold_once, args=(targets, elsewhere))
        other.start()
        other.join(60)
        assert elsewhere == ["held"], (call, elsewhere)
    assert interrupted >= 5  # the points of the release were reached


def _hold_once(targets: list[Path], outcomes: list[str]) -> None:
    try:
        with held_for_writing(targets):
            outcomes.append("held")
    except posebridge.PoseBridgeError as error:
        outcomes.append(str(error))


def test_the_next_write_to_a_target_removes_a_killed_appends_lock(tmp_path):
    """A write after an append killed midway left the append's lock file beside the target
    for good (its temporaries went, the lock stayed), until another append took it over."""
    path = tmp_path / "session.nwb"
    lock = lock_file_of(path)
    lock.write_text(_stale_record(_dead_pid()))

    posebridge.save(_one("a"), path)

    assert not lock.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["session.nwb"]


def test_the_next_write_to_a_target_keeps_a_live_holders_lock(tmp_path):
    path = tmp_path / "session.nc"
    lock = lock_file_of(path)
    lock.write_text(_stale_record(os.getppid()))  # the process that runs the tests' parent

    posebridge.save(_one("a"), path)

    assert lock.exists()
