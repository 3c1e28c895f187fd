"""Why a file cannot be written, or came out short, said in words.

:func:`writing_problem` tries a folder before any work is done (read-only,
immutable, no rights, a full disk); :func:`failure_cause` turns a failed
write's OS error (or h5py's and PyTables' forms of one) into a plain cause;
:func:`limit_cause` says why a finished file is shorter than written. The
atomic write itself is :mod:`posebridge._outputs`.

Examples
--------
>>> import errno
>>> failure_cause(OSError(errno.ENOSPC, "No space left on device"))
'the disk is full'
"""

from __future__ import annotations

import errno
import os
import re
from contextlib import suppress
from pathlib import Path

from posebridge._temporaries import temporary_twin

__all__ = ["INCOMPLETE", "failure_cause", "limit_cause", "writing_problem"]


def writing_problem(path: Path) -> str | None:
    """Why the folder of ``path`` takes no new file, or ``None`` when it does.

    A temporary of the target (see :data:`posebridge._temporaries.TEMPORARY_MARK`) is
    created in the folder of the file the target names (links followed) and removed at once:
    a read-only or immutable folder (``chattr +i``, which stops root too), a
    read-only file system, missing rights or a full disk show here, before
    any work is done. The folder must exist (:func:`check_outputs` says so).

    Parameters
    ----------
    path
        The file to be written.

    Returns
    -------
    str or None
        ``"cannot be written in <folder>: <cause>"``, or ``None``.

    Examples
    --------
    >>> writing_problem(Path("report.json")) is None  # doctest: +SKIP
    True
    """
    target = Path(os.path.realpath(path)) if path.is_symlink() else path
    trial = temporary_twin(target)
    try:
        handle = os.open(trial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError as error:
        cause = failure_cause(error, target.parent) or type(error).__name__
        return f"cannot be written in {target.parent}: {cause}"
    os.close(handle)
    with suppress(OSError):
        trial.unlink(missing_ok=True)
    return None


#: errno values of a write that failed for want of room or rights, and what to say.
_CAUSES = {
    errno.ENOSPC: "the disk is full",
    errno.EDQUOT: "the disk quota is exceeded",
    errno.EFBIG: "the file is too large (the file-size limit was reached)",
    errno.EACCES: "permission denied",
    errno.EPERM: "operation not permitted",
    errno.EROFS: "the file system is read-only",
    errno.EIO: "an input/output error",
}
_ERRNO_IN_TEXT = re.compile(r"errno = (\d+)")


def _read_only(folder: Path | None) -> bool:
    """Whether ``folder`` is on a file system mounted read-only (``False`` when unknown).

    Examples
    --------
    >>> _read_only(None)
    False
    """
    if folder is None or not hasattr(os, "ST_RDONLY"):
        return False
    try:
        return bool(os.statvfs(folder).f_flag & os.ST_RDONLY)
    except OSError:
        return False


def failure_cause(error: BaseException, folder: Path | None = None) -> str | None:
    """A plain cause for an OS-level write failure, or ``None`` when it is not one.

    ``folder`` is where the file was being written: a ``PermissionError``
    without an errno (PyTables checks the folder's rights itself) there is
    "the file system is read-only" when that folder's file system is mounted
    read-only, as an ``EROFS`` from the system would say.
    """
    code = getattr(error, "errno", None)
    if code not in _CAUSES:  # h5py puts the C errno in its message text
        found = _ERRNO_IN_TEXT.search(str(error))
        code = int(found.group(1)) if found else code
    if code in _CAUSES:
        return _CAUSES[code]
    if isinstance(error, PermissionError):  # PyTables raises one with no errno
        return _CAUSES[errno.EROFS if _read_only(folder) else errno.EACCES]
    if isinstance(error, OSError) and code is not None:
        return os.strerror(code) if isinstance(code, int) else str(error)
    return None


#: :func:`limit_cause` when neither the file-size limit nor a full disk explains a failure.
INCOMPLETE = "the file came out incomplete"


def limit_cause(path: Path) -> str:
    """Why a file came out short: the file-size limit, a full disk, or unknown.

    Examples
    --------
    >>> limit_cause(Path("poses.h5"))  # doctest: +SKIP
    'the disk is full'
    """
    try:
        import resource

        soft = resource.getrlimit(resource.RLIMIT_FSIZE)[0]
        if soft != resource.RLIM_INFINITY and path.stat().st_size >= soft:
            return _CAUSES[errno.EFBIG]
    except (ImportError, OSError):  # pragma: no cover - not POSIX
        pass
    try:
        if os.statvfs(path.parent).f_bavail == 0:
            return _CAUSES[errno.ENOSPC]
    except OSError:  # pragma: no cover
        pass
    return INCOMPLETE
