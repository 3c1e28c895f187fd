"""Locks that make read-modify-write appenders of one file take turns, across threads
and processes.

Two appends to one NWB file at once each copy the original, add to the copy and
rename it over the file: without turns, the second rename drops the first
append. :func:`held_for_writing` makes such appenders take turns: each takes a
lock *file* beside its target, ``.<target name>.posebridge-lock``, made with
``O_CREAT | O_EXCL`` (one creator wins, whatever the thread or process), holding
the owner's pid, host name, PID namespace and thread, and closed at once (no
descriptor is kept); the owner removes it when done, even after an error or
Ctrl-C (a Ctrl-C while it is made or removed lands after that step). Only
appends lock (:func:`posebridge._outputs.updated_in_place`, the NWB append, the
sleap-io drop-in's append): a plain write of one or several files does not.

The design leaves out what a folder ``flock`` with thread locks got wrong:

- nothing is inherited in a held state by a forked child: no thread lock is
  held while a writer waits, and only the process whose pid the lock file
  records removes it (a child forked meanwhile neither removes nor keeps it);
- another program's lock on the folder does not stop posebridge's writers;
- no wait is silent and unbounded: a writer waits for a lock that stays
  (held by a running writer, or stale and being taken over by another) at most
  :data:`WAIT_SECONDS` (or ``POSEBRIDGE_LOCK_WAIT_SECONDS``, a finite number)
  for each holder in turn (a new holder starts the count again), then raises a
  :class:`~posebridge.errors.PoseBridgeError` naming the target, the lock
  file and its holder;
- a lock whose holder no longer runs on this machine, in this PID namespace
  (killed, power loss), is stale and taken over; two writers taking over one
  stale lock do it in turn (under a second lock file,
  ``...posebridge-lock.break``), so neither removes a fresh lock the other just
  made. A lock of another machine or PID namespace (a container with the same
  host name) is waited for. A stale lock this user may not remove (another
  user's, in a sticky folder such as ``/tmp``) is an error naming its owner:
  appending without it could lose that other writer's append, were it alive.

Where no lock file can be made (a read-only folder, a full disk, a file system
that refuses the name), the write goes on without one: it fails with its own,
clearer error, or succeeds as before these locks.
"""

from __future__ import annotations

import contextlib
import hashlib
import math
import os
import signal
import socket
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from posebridge._files import name_max
from posebridge._temporaries import process_running
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

#: How the name of a lock's breaker (see :func:`_take_over`) ends: the lock's name and this.
_BREAKER_MARK = ".break"
#: What a take-over of a stale lock came to.
_TAKEN_OVER, _BUSY, _NO_ROOM, _NOT_OURS = "taken over", "busy", "no room", "not ours"

#: The locks the threads of this process hold, each thread its own: lock file -> depth.
_HELD = threading.local()


@dataclass(frozen=True)
class _Record:
    """What a lock file says of its holder, and which file it was (to tell a new one)."""

    pid: int | None
    host: str
    pid_space: str
    thread: str
    started: str
    identity: tuple[int, int, int]  # device, inode, modification time (ns)

    def describe(self) -> str:
        if self.pid is None:
            return "an unknown writer (the lock file is empty)"
        other = self.host == socket.gethostname() and self.pid_space != _pid_space()
        space = " in another PID namespace" if other else ""
        return (
            f"process {self.pid}{space} on {self.host or 'an unknown host'} (thread {self.thread})"
        )


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


def remove_stale_locks(targets: Iterable[str | os.PathLike[str]]) -> None:
    """Remove the lock files of ``targets`` whose holders are gone (an append killed midway),
    as the next write to a target removes the temporaries a killed writer left.

    Only a lock judged stale as a waiting writer judges it (its process gone on this
    machine) is removed, in turn with writers taking it over; a live holder's stays.

    Examples
    --------
    >>> remove_stale_locks(["/no/such/folder/session.nwb"])  # nothing there: nothing done
    """
    folders: dict[Path, Path] = {}
    for target in targets:
        with contextlib.suppress(OSError):
            lock = _lock_file_in(Path(target), folders)
            found = _read(lock)
            if found is not None and _stale(found):
                _take_over(lock, found)


def _lock_file_in(target: Path, folders: dict[Path, Path]) -> Path:
    """:func:`lock_file_of`, with the real path of each folder found once in ``folders``."""
    if target.is_symlink():  # as a writer follows links (its temporaries too)
        real = Path(os.path.realpath(target))
    else:
        if target.parent not in folders:
            folders[target.parent] = Path(os.path.realpath(target.parent))
        real = folders[target.parent] / target.name
    name = real.name
    room = name_max(real.parent) - len(LOCK_MARK) - len(_BREAKER_MARK) - 1  # its breaker too
    if len(os.fsencode(name)) > room:
        digest = hashlib.sha256(os.fsencode(name)).hexdigest()[:16]
        kept = os.fsencode(name)[: max(room - len(digest) - 1, 1)]
        name = f"{kept.decode('utf-8', 'ignore')}-{digest}"
    return real.with_name(f".{name}{LOCK_MARK}")


def _wait_seconds() -> float:
    given = os.environ.get(WAIT_VARIABLE, "").strip()
    if not given:
        return float(WAIT_SECONDS)
    try:
        seconds = float(given)
    except ValueError:
        seconds = math.nan
    if not (math.isfinite(seconds) and seconds >= 0):  # nan, inf, -1: no bound at all
        raise PoseBridgeError(
            f"{WAIT_VARIABLE}={given!r}: expected a number of seconds (0 or more, finite) to "
            "wait for another writer of the same file, e.g. 60."
        )
    return seconds


def _held_here() -> dict[str, int]:
    """The locks this thread holds: a forked child's copy of its parent's are not its own."""
    if getattr(_HELD, "pid", None) != os.getpid():
        _HELD.pid = os.getpid()
        _HELD.locks = {}
    return _HELD.locks


@dataclass(frozen=True)
class _Taken:
    """One lock of a block: the file, and the (device, inode) this thread made, or
    ``None`` when the thread held it already (then ``depth`` is its depth before)."""

    lock: Path
    made: tuple[int, int] | None
    depth: int


@contextmanager
def held_for_writing(targets: Iterable[str | os.PathLike[str]]) -> Iterator[None]:
    """Hold the write locks of ``targets`` for the block: other writers wait their turn.

    The locks are taken in one order (no two writers wait on each other), and
    again by the thread that holds them (an append's lock, then its write's).
    No file descriptor is kept open while the lock is held.

    Parameters
    ----------
    targets
        The files about to be written (followed through links).

    Raises
    ------
    PoseBridgeError
        When another running writer held a lock longer than :data:`WAIT_SECONDS`,
        naming the target, the lock file and its holder; or when a stale lock
        cannot be removed (another user's, in a shared folder), naming its owner.

    Examples
    --------
    >>> with held_for_writing([Path("session.nwb")]):  # doctest: +SKIP
    ...     append_to("session.nwb")
    """
    folders: dict[Path, Path] = {}
    named = {_lock_file_in(Path(t), folders): Path(t) for t in targets}
    locks = sorted(named.items(), key=lambda pair: str(pair[0]))
    owner = os.getpid()
    held = _held_here()
    taken: list[_Taken] = []
    try:
        for lock, target in locks:
            key = str(lock)
            if key in held:
                taken.append(_Taken(lock, None, held[key]))
                held[key] += 1
                continue
            _acquire(lock, target, held, taken)
        yield
    finally:
        _let_go(taken, held, owner)


def _let_go(taken: list[_Taken], held: dict[str, int], owner: int) -> None:
    """Release the block's locks, the last taken first, whatever Ctrl-C does meanwhile.

    Ctrl-C (SIGINT) is held back while it runs; one raised all the same (a
    simulated one, ``_thread.interrupt_main``) is kept, the release done again
    (each of its steps can be done twice) and raised after it: no lock file of a
    finished write stays, and the thread's depths stay right.
    """
    interrupted: BaseException | None = None
    while True:
        try:
            with _uninterrupted():
                _release(taken, held, owner)
            break
        except KeyboardInterrupt as error:
            interrupted = error
    if interrupted is not None:
        raise interrupted


def _release(taken: list[_Taken], held: dict[str, int], owner: int) -> None:
    """:func:`_let_go`'s steps, each of which can be done again."""
    if os.getpid() != owner:  # a child forked in the block: the locks are not its own
        return
    for one in reversed(taken):
        if one.made is None:
            held[str(one.lock)] = one.depth
        else:
            held.pop(str(one.lock), None)  # first: never "held" without its file
            _remove_if_made(one.lock, one.made)


def _remove_if_made(lock: Path, made: tuple[int, int]) -> None:
    """Remove ``lock`` when it is still the file this thread made (device, inode)."""
    try:
        now = os.stat(lock)
        if (now.st_dev, now.st_ino) == made:
            os.unlink(lock)
    except OSError:  # gone already (a repeated step), or not ours to remove
        pass


#: This process's part of a lock file's record, made once per process.
_PROCESS_RECORD: dict[int, str] = {}


def _pid_space() -> str:
    """This process's PID namespace (Linux; ``""`` elsewhere): pids of another are not
    comparable with ours, even on a machine (a container) with the same host name."""
    try:
        return str(os.stat("/proc/self/ns/pid").st_ino)
    except OSError:
        return ""


def _record_text() -> bytes:
    pid = os.getpid()
    if pid not in _PROCESS_RECORD:  # a forked child makes its own
        started = _start_of(pid) or ""
        _PROCESS_RECORD.clear()
        _PROCESS_RECORD[pid] = (
            f"posebridge write lock\npid={pid}\nhost={socket.gethostname()}\n"
            f"pidns={_pid_space()}\nstarted={started}\n"
        )
    return f"{_PROCESS_RECORD[pid]}thread={threading.get_ident()}\n".encode()


_FLAGS = os.O_CREAT | os.O_EXCL | os.O_WRONLY | getattr(os, "O_CLOEXEC", 0)


@contextmanager
def _uninterrupted() -> Iterator[None]:
    """Ctrl-C (SIGINT) held back for the block, on POSIX: it lands after it."""
    block = getattr(signal, "pthread_sigmask", None)
    if block is None:  # pragma: no cover - Windows
        yield
        return
    before = block(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        block(signal.SIG_SETMASK, before)


def _made(lock: Path) -> tuple[int, int] | None:
    """Make ``lock`` with this writer's record: its (device, inode); ``None`` when it
    exists; raises ``_NoLockHere`` when no lock can be made (the write goes on without)."""
    try:
        handle = os.open(lock, _FLAGS, 0o644)
    except FileExistsError:
        return None
    except OSError:  # read-only folder, name refused, ...: the write itself will tell
        raise _NoLockHere from None
    try:
        made = os.fstat(handle)
        os.write(handle, _record_text())
    except OSError:  # disk full, quota: no lock; the write will say why (or succeed)
        with contextlib.suppress(OSError):
            os.unlink(lock)
        raise _NoLockHere from None
    finally:
        os.close(handle)
    return made.st_dev, made.st_ino


class _NoLockHere(Exception):
    """No lock file can be made beside the target: the write goes on without one."""


def _acquire(lock: Path, target: Path, held: dict[str, int], taken: list[_Taken]) -> None:
    """Make ``lock`` (waiting for its holder, taking over a stale one) and record it in
    ``held`` and ``taken`` in one step that Ctrl-C does not split."""
    pause = _FIRST_PAUSE
    holder: _Record | None = None
    since = time.monotonic()
    bound = _wait_seconds()
    while True:
        try:
            with _uninterrupted():
                made = _made(lock)
                if made is not None:
                    held[str(lock)] = 1
                    taken.append(_Taken(lock, made, 0))
                    return
        except _NoLockHere:
            return
        found = _read(lock)
        if found is None:  # released between the two looks
            continue
        if holder is None or found.identity != holder.identity:
            holder, since = found, time.monotonic()  # a new holder: its own turn
        if _stale(found):
            outcome = _take_over(lock, found)
            if outcome == _TAKEN_OVER:
                continue
            if outcome == _NO_ROOM:  # a read-only folder: no lock file can be made there
                return
            if outcome == _NOT_OURS:
                raise _not_removable(target, lock, found)
        if time.monotonic() - since >= bound:  # whatever kept the lock there
            raise _held_too_long(target, lock, found)
        time.sleep(pause)
        pause = min(pause * 2, _LONGEST_PAUSE)


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
        pid_space=fields.get("pidns", ""),
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
    if record.host != socket.gethostname() or record.pid_space != _pid_space():
        return False  # another machine, or a container sharing the host name: unknown
    if record.pid == os.getpid():
        return False
    if not process_running(record.pid):
        return True
    started = _start_of(record.pid)
    return bool(record.started and started and started != record.started)  # pid reused


def _start_of(pid: int) -> str | None:
    """When process ``pid`` started (clock ticks since boot, Linux), to tell a reused pid."""
    try:
        with open(_PROC_STAT.format(pid), "rb") as file:
            text = file.read().decode("ascii", "replace")
    except OSError:
        return None
    fields = text.rpartition(")")[2].split()
    return fields[19] if len(fields) > 19 else None


def _take_over(lock: Path, stale: _Record) -> str:
    """Remove the stale ``lock``, in turn with other writers doing the same.

    Under the breaker lock (``<lock>.break``), the lock is looked at again: only
    the very file found stale is removed, never one a writer made since. Says
    what came of it: :data:`_TAKEN_OVER` (look again), :data:`_BUSY` (another
    writer is taking it over: wait), :data:`_NO_ROOM` (no file can be made in the
    folder: write without a lock), :data:`_NOT_OURS` (it cannot be removed).
    """
    breaker = lock.with_name(lock.name + _BREAKER_MARK)
    try:
        with _uninterrupted():
            made = _made(breaker)
    except _NoLockHere:
        return _NO_ROOM
    if made is None:
        other = _read(breaker)
        if other is not None and _stale(other):  # a writer killed while taking over
            _remove_if(breaker, other)
        return _BUSY
    try:
        now = _read(lock)
        if now is not None and now.identity == stale.identity and _stale(now):
            try:
                os.unlink(lock)
            except FileNotFoundError:
                pass
            except OSError:  # another user's, in a shared (sticky) folder
                return _NOT_OURS
        return _TAKEN_OVER
    finally:
        _let_go([_Taken(breaker, made, 0)], {}, os.getpid())


def _remove_if(path: Path, record: _Record) -> None:
    """Remove ``path`` when it is still the file ``record`` was read from."""
    now = _read(path)
    if now is not None and now.identity == record.identity:
        with contextlib.suppress(OSError):
            os.unlink(path)


def _held_too_long(target: Path, lock: Path, holder: _Record) -> PoseBridgeError:
    return PoseBridgeError(
        f"{target}: another writer has held it for more than {_wait_seconds():g} s "
        f"(its lock file {lock} names {holder.describe()}); nothing was written. Run it "
        f"again once that writer is done (or set {WAIT_VARIABLE} to wait longer); if no "
        "other writer is running, remove the lock file."
    )


def _not_removable(target: Path, lock: Path, holder: _Record) -> PoseBridgeError:
    """The error of a stale lock this user cannot remove: writing without it could lose
    another writer's append, so nothing is written."""
    try:
        uid = os.stat(lock).st_uid
    except OSError:
        owner = "another user"
    else:
        try:
            import pwd

            owner = f"user {pwd.getpwuid(uid).pw_name}"
        except (ImportError, KeyError):
            owner = f"user id {uid}"
    return PoseBridgeError(
        f"{target}: its lock file {lock} (of {owner}) names {holder.describe()}, which no "
        "longer runs, and it cannot be removed here (permission denied); nothing was "
        "written. Ask its owner (or an administrator) to remove the lock file, then run it "
        "again."
    )
