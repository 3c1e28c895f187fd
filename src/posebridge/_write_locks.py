"""Locks that make writers of one file take turns, across threads and processes.

Two appends to one NWB file at once each copy the original, add to the copy and
rename it over the file: without turns, the second rename drops the first
append. Two saves of one set of files (one per individual) at once can leave a
mix of the two sets. :func:`held_for_writing` makes such writers take turns:
each takes a lock *file* beside its target, ``.<target name>.posebridge-lock``,
made with ``O_CREAT | O_EXCL`` (one creator wins, whatever the thread or
process) and holding the owner's pid, host name and thread; the owner removes it
when done, even after an error or Ctrl-C.

The design leaves out what a folder ``flock`` with thread locks got wrong:

- nothing is inherited in a held state by a forked child: no thread lock is
  held while a writer waits, and only the process whose pid the lock file
  records removes it (a child forked meanwhile neither removes nor keeps it);
- another program's lock on the folder does not stop posebridge's writers;
- no wait is silent and unbounded: a writer waits for a lock held by a running
  writer at most :data:`WAIT_SECONDS` (or ``POSEBRIDGE_LOCK_WAIT_SECONDS``)
  for each holder in turn (a new holder starts the count again), then raises a
  :class:`~posebridge.errors.PoseBridgeError` naming the target, the lock
  file and its holder;
- a lock whose holder no longer runs on this machine (killed, power loss) is
  stale and taken over; two writers taking over one stale lock do it in turn
  (under a second lock file, ``...posebridge-lock.break``), so neither removes
  a fresh lock the other just made.

Where no lock file can be made (a read-only folder, a file system that refuses
the name), the write goes on without one: it fails with its own, clearer error,
or succeeds as before these locks.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import socket
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from posebridge._files import name_max
from posebridge.errors import PoseBridgeError

__all__ = ["LOCK_MARK", "WAIT_SECONDS", "held_for_writing", "lock_file_of"]

#: How a lock file's name ends: ``.<target name>.posebridge-lock``.
LOCK_MARK = ".posebridge-lock"
#: The longest wait (seconds) for a lock another running writer holds (each holder in
#: turn); the environment variable ``POSEBRIDGE_LOCK_WAIT_SECONDS`` overrides it.
WAIT_SECONDS = 60.0
#: The environment variable that overrides :data:`WAIT_SECONDS`.
WAIT_VARIABLE = "POSEBRIDGE_LOCK_WAIT_SECONDS"
#: The first and longest pause between two looks at a held lock (seconds).
_FIRST_PAUSE, _LONGEST_PAUSE = 0.02, 0.25
#: A lock file still empty (its creator stopped between making and filling it) this long
#: (seconds) after it was made is stale.
_UNFILLED_GRACE = 10.0
#: Where the start time of a process is (Linux): it tells a reused pid from its first owner.
_PROC_STAT = "/proc/{}/stat"

#: The locks the threads of this process hold, each thread its own: lock file -> depth.
_HELD = threading.local()


@dataclass(frozen=True)
class _Record:
    """What a lock file says of its holder, and which file it was (to tell a new one)."""

    pid: int | None
    host: str
    thread: str
    started: str
    identity: tuple[int, int, int]  # device, inode, modification time (ns)

    def describe(self) -> str:
        if self.pid is None:
            return "an unknown writer (the lock file is empty)"
        return f"process {self.pid} on {self.host or 'an unknown host'} (thread {self.thread})"


def lock_file_of(target: str | os.PathLike[str]) -> Path:
    """The lock file of writes to ``target``: hidden, beside the file the target leads to.

    A name too long for the file system with the mark added is shortened, with a
    digest of the whole name so that two long names keep two lock files.

    Examples
    --------
    >>> lock_file_of("/data/session.nwb").name
    '.session.nwb.posebridge-lock'
    """
    return _lock_file_in(Path(target), {})


def _lock_file_in(target: Path, folders: dict[Path, Path]) -> Path:
    """:func:`lock_file_of`, with the real path of each folder found once in ``folders``."""
    if target.is_symlink():  # as a writer follows links (its temporaries too)
        real = Path(os.path.realpath(target))
    else:
        if target.parent not in folders:
            folders[target.parent] = Path(os.path.realpath(target.parent))
        real = folders[target.parent] / target.name
    name = real.name
    room = name_max(real.parent) - len(LOCK_MARK) - 1
    if len(os.fsencode(name)) > room:
        digest = hashlib.sha256(os.fsencode(name)).hexdigest()[:16]
        kept = os.fsencode(name)[: max(room - len(digest) - 1, 1)]
        name = f"{kept.decode('utf-8', 'ignore')}-{digest}"
    return real.with_name(f".{name}{LOCK_MARK}")


def _wait_seconds() -> float:
    given = os.environ.get(WAIT_VARIABLE, "").strip()
    if given:
        try:
            return max(float(given), 0.0)
        except ValueError:
            raise PoseBridgeError(
                f"{WAIT_VARIABLE}={given!r}: expected a number of seconds to wait for another "
                "writer of the same file, e.g. 60."
            ) from None
    return float(WAIT_SECONDS)


def _held_here() -> dict[str, int]:
    """The locks this thread holds: a forked child's copy of its parent's are not its own."""
    if getattr(_HELD, "pid", None) != os.getpid():
        _HELD.pid = os.getpid()
        _HELD.locks = {}
    return _HELD.locks


@contextmanager
def held_for_writing(targets: Iterable[str | os.PathLike[str]]) -> Iterator[None]:
    """Hold the write locks of ``targets`` for the block: other writers wait their turn.

    The locks are taken in one order (no two writers wait on each other), and
    again by the thread that holds them (an append's lock, then its write's).

    Parameters
    ----------
    targets
        The files about to be written (followed through links).

    Raises
    ------
    PoseBridgeError
        When another running writer held a lock longer than :data:`WAIT_SECONDS`;
        naming the target, the lock file and its holder.

    Examples
    --------
    >>> with held_for_writing([Path("session.nwb")]):  # doctest: +SKIP
    ...     append_to("session.nwb")
    """
    folders: dict[Path, Path] = {}  # a YOLO tree's thousands of files share a few folders
    named = {_lock_file_in(Path(t), folders): Path(t) for t in targets}
    locks = sorted(named.items(), key=lambda pair: str(pair[0]))
    owner = os.getpid()
    held = _held_here()
    taken: list[tuple[Path, int | None]] = []
    try:
        for lock, target in locks:
            key = str(lock)
            if key in held:
                held[key] += 1
                taken.append((lock, None))
                continue
            handle = _acquire(lock, target)
            if handle is None:  # no lock file can be made here: the write says why
                continue
            held[key] = 1
            taken.append((lock, handle))
        yield
    finally:
        forked = os.getpid() != owner  # a child forked in the block: the locks are not its
        for lock, handle in reversed(taken):
            if not forked:
                held[str(lock)] -= 1
                if held[str(lock)] == 0:
                    del held[str(lock)]
            if handle is not None:
                if forked:
                    with contextlib.suppress(OSError):
                        os.close(handle)
                else:
                    _release(lock, handle)


#: This process's part of a lock file's record, made once per process (reading its start
#: time is slow: a write of thousands of files takes as many locks).
_PROCESS_RECORD: dict[int, str] = {}


def _record_text() -> bytes:
    pid = os.getpid()
    if pid not in _PROCESS_RECORD:  # a forked child makes its own
        started = _start_of(pid) or ""
        _PROCESS_RECORD.clear()
        _PROCESS_RECORD[pid] = (
            f"posebridge write lock\npid={pid}\nhost={socket.gethostname()}\nstarted={started}\n"
        )
    return f"{_PROCESS_RECORD[pid]}thread={threading.get_ident()}\n".encode()


def _acquire(lock: Path, target: Path) -> int | None:
    """Make ``lock`` (waiting for its holder, taking over a stale one): its open handle."""
    flags = os.O_CREAT | os.O_EXCL | os.O_WRONLY | getattr(os, "O_CLOEXEC", 0)
    pause = _FIRST_PAUSE
    holder: _Record | None = None
    since = time.monotonic()
    while True:
        try:
            handle = os.open(lock, flags, 0o644)
        except FileExistsError:
            found = _read(lock)
            if found is None:  # released between the two looks
                continue
            if _stale(found):
                _take_over(lock, found)
                continue
            if holder is None or found.identity != holder.identity:
                holder, since = found, time.monotonic()  # a new holder: its own turn
            if time.monotonic() - since >= _wait_seconds():
                raise _held_too_long(target, lock, found) from None
            time.sleep(pause)
            pause = min(pause * 2, _LONGEST_PAUSE)
            continue
        except OSError:  # read-only folder, name refused, ...: the write itself will tell
            return None
        try:
            os.write(handle, _record_text())
        except BaseException:
            _release(lock, handle)
            raise
        return handle


def _release(lock: Path, handle: int) -> None:
    """Remove ``lock`` when it is still the file ``handle`` made, then close the handle."""
    try:
        made = os.fstat(handle)
        now = os.stat(lock)
        if (made.st_dev, made.st_ino) == (now.st_dev, now.st_ino):
            os.unlink(lock)
    except OSError:
        pass
    finally:
        with contextlib.suppress(OSError):
            os.close(handle)


def _read(lock: Path) -> _Record | None:
    """The record of ``lock``; ``None`` when it is gone."""
    try:
        with open(lock, "rb") as file:
            found = os.fstat(file.fileno())
            text = file.read(4096).decode("utf-8", "replace")
    except FileNotFoundError:
        return None
    except OSError:  # unreadable: an unknown holder, waited for, then named
        text, found = "", None
    fields = dict(line.partition("=")[::2] for line in text.splitlines() if "=" in line)
    pid = fields.get("pid", "")
    identity = (found.st_dev, found.st_ino, found.st_mtime_ns) if found else (0, 0, 0)
    return _Record(
        pid=int(pid) if pid.isdigit() else None,
        host=fields.get("host", ""),
        thread=fields.get("thread", "?"),
        started=fields.get("started", ""),
        identity=identity,
    )


def _stale(record: _Record) -> bool:
    """Whether the holder of a lock no longer runs (on this machine; another's is unknown)."""
    if record.pid is None:  # made and not filled: its creator stopped in between
        return record.identity != (0, 0, 0) and (
            time.time() - record.identity[2] / 1e9 > _UNFILLED_GRACE
        )
    if record.host != socket.gethostname():
        return False
    if record.pid == os.getpid():
        return False
    if not _running(record.pid):
        return True
    started = _start_of(record.pid)
    return bool(record.started and started and started != record.started)  # pid reused


def _running(pid: int) -> bool:
    if os.name == "nt":  # pragma: no cover - os.kill would end the process there
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True
    return True


def _start_of(pid: int) -> str | None:
    """When process ``pid`` started (clock ticks since boot, Linux), to tell a reused pid."""
    try:
        with open(_PROC_STAT.format(pid), "rb") as file:
            text = file.read().decode("ascii", "replace")
    except OSError:
        return None
    fields = text.rpartition(")")[2].split()
    return fields[19] if len(fields) > 19 else None


def _take_over(lock: Path, stale: _Record) -> None:
    """Remove the stale ``lock``, in turn with other writers doing the same.

    Under the breaker lock, the lock is looked at again: only the very file found
    stale is removed, never one a writer made since.
    """
    breaker = lock.with_name(lock.name + ".break")
    flags = os.O_CREAT | os.O_EXCL | os.O_WRONLY | getattr(os, "O_CLOEXEC", 0)
    try:
        handle = os.open(breaker, flags, 0o644)
    except FileExistsError:
        other = _read(breaker)
        if other is not None and _stale(other):  # a writer killed while taking over
            _remove_if(breaker, other)
        time.sleep(_FIRST_PAUSE)
        return
    except OSError:
        time.sleep(_FIRST_PAUSE)
        return
    try:
        os.write(handle, _record_text())
        now = _read(lock)
        if now is not None and now.identity == stale.identity and _stale(now):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(lock)
    finally:
        _release(breaker, handle)


def _remove_if(path: Path, record: _Record) -> None:
    """Remove ``path`` when it is still the file ``record`` was read from."""
    now = _read(path)
    if now is not None and now.identity == record.identity:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)


def _held_too_long(target: Path, lock: Path, holder: _Record) -> PoseBridgeError:
    return PoseBridgeError(
        f"{target}: another writer has held it for more than {_wait_seconds():g} s "
        f"(its lock file {lock} names {holder.describe()}); nothing was written. Run it "
        f"again once that writer is done (or set {WAIT_VARIABLE} to wait longer); if no "
        "other writer is running, remove the lock file."
    )
