"""Downloading sample files into the cache folder, and unpacking zip samples there.

The download and cache layer of :mod:`posebridge.sample_data` (which lists the
samples and loads them):

* A download goes to a hidden temporary of its own
  (``.<name>.posebridge-tmp-<pid>-<hex><suffix>``, see
  :mod:`posebridge._temporaries`) and is renamed onto its place only once it
  is whole (as long as the ``Content-Length`` the server announced) and checked
  (its sha256 sum, or the caller's check): a reader never sees a part of a
  file, and threads or processes downloading the same file at once each
  rename a whole copy. The temporary is removed when the download fails; one a
  killed process left is removed by the next download of the same file.
* Files are created as ``open()`` creates them: with the permissions the
  umask gives (a lab's shared cache stays readable by the group).
* A zip sample is unpacked into a new folder renamed into place, under a lock
  (:func:`unpacked`), so no caller reads a folder being filled or replaced.
* Failures are worded as what they are: the server answered with an error, it
  redirected in a loop, the download was cut short, or there is no network.

Examples
--------
>>> from posebridge._sample_data_downloads import is_network_error
>>> is_network_error(OSError("disk"))
False
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
import threading
import time
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

from posebridge._temporaries import stale_temporaries, temporary_twin
from posebridge.errors import PoseBridgeError, user_stacklevel

__all__ = [
    "CONNECTION_RETRIES",
    "LOCK_NOTICE",
    "LOCK_TIMEOUT",
    "TIMEOUT",
    "SampleDataError",
    "download",
    "http_status",
    "is_network_error",
    "network_error_types",
    "remove_stale_temporaries",
    "unpacked",
]

#: Seconds to wait for the server before giving up.
TIMEOUT = 30
#: Times a connection refused or reset before any byte is tried again (a busy server).
CONNECTION_RETRIES = 2
#: Seconds to wait for another caller unpacking the same zip sample before giving up.
LOCK_TIMEOUT = 600.0
#: Seconds of waiting for that caller after which a warning says whom we wait for.
LOCK_NOTICE = 10.0

Checked = TypeVar("Checked")


class SampleDataError(PoseBridgeError):
    """A sample could not be listed, downloaded, checked or loaded."""


SampleDataError.__module__ = "posebridge.sample_data"  # its public home


# --------------------------------------------------------------------------
# what went wrong


def network_error_types() -> tuple[type[BaseException], ...]:
    """The errors a download raises: the connection's (requests) and the files' (OSError).

    Examples
    --------
    >>> OSError in network_error_types()
    True
    """
    import requests

    return (requests.exceptions.RequestException, OSError)


def is_network_error(error: BaseException) -> bool:
    """Whether an error came from the connection (requests), not from the local files.

    Examples
    --------
    >>> is_network_error(PermissionError("cache"))
    False
    """
    import requests

    return isinstance(error, requests.exceptions.RequestException)


def http_status(error: BaseException) -> int | None:
    """The HTTP status of an error the server answered with (404, 500, ...), else ``None``.

    Examples
    --------
    >>> http_status(OSError("disk")) is None
    True
    """
    import requests

    if isinstance(error, requests.exceptions.HTTPError) and error.response is not None:
        return int(error.response.status_code)
    return None


def _transfer_problem(error: BaseException, url: str, what: str, received: int) -> str | None:
    """The message for a download the server cut short or redirected in a loop, else ``None``.

    Neither is a lack of network: the server answered. ``received`` is the
    number of bytes written before the failure: any connection failure after
    some arrived is a cut too.
    """
    import requests

    if isinstance(error, requests.exceptions.TooManyRedirects):
        return (
            f"The server redirects {url} ({what}) in a loop ({type(error).__name__}: {error}); "
            "nothing was downloaded. The server is misconfigured, or the URL is wrong: try "
            "again later, or check POSEBRIDGE_SAMPLE_URL."
        )
    cut = (requests.exceptions.ChunkedEncodingError, requests.exceptions.ContentDecodingError)
    if isinstance(error, cut) or (received and is_network_error(error)):
        return (
            f"The download of {url} ({what}) was cut short after {received} bytes: the "
            f"server ended it, or the connection broke, before the end ({type(error).__name__}"
            f": {error}). Nothing was kept; try again."
        )
    return None


# --------------------------------------------------------------------------
# downloads


class _AnnouncedLength:
    """pooch's progress bar, standing in to learn the ``Content-Length`` the server announced.

    pooch sets ``total`` from the response's ``Content-Length`` (0 when it gave
    none) before the first byte; a real progress bar, when one is shown, is
    kept up to date alongside.
    """

    def __init__(self, show: bool) -> None:
        self.announced = 0
        self._show = show
        self._bar: Any = None

    @property
    def total(self) -> int:
        return self.announced

    @total.setter
    def total(self, value: int) -> None:
        self.announced = int(value or 0)
        if self._show and self._bar is None:
            from tqdm import tqdm

            self._bar = tqdm(total=self.announced, ncols=79, unit="B", unit_scale=True)

    def update(self, size: int) -> None:
        if self._bar is not None:
            self._bar.update(size)

    def reset(self) -> None:
        if self._bar is not None:
            self._bar.reset()

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()


def remove_stale_temporaries(target: Path) -> None:
    """Remove the temporaries of ``target`` that killed processes left (files, or
    unpacking folders); those of running processes are theirs.

    Examples
    --------
    >>> remove_stale_temporaries(Path("nowhere/poses.nc"))
    """
    for stale in stale_temporaries(target):
        if stale.is_dir() and not stale.is_symlink():
            shutil.rmtree(stale, ignore_errors=True)
        else:
            with contextlib.suppress(OSError):
                stale.unlink()


def _download_into(url: str, partial: Path, what: str, progressbar: bool) -> None:
    """Download ``url`` into the new file ``partial`` (created with the umask's permissions).

    Raises
    ------
    SampleDataError
        When the download was cut short (shorter than the ``Content-Length``
        the server announced, or the connection broke after some bytes) or
        redirected in a loop.
    requests.exceptions.RequestException, OSError
        Other failures, for the caller to word.
    """
    import pooch

    length = _AnnouncedLength(show=progressbar)
    # identity: the announced length is then the length of the body as written
    downloader = pooch.HTTPDownloader(
        progressbar=length, timeout=TIMEOUT, headers={"Accept-Encoding": "identity"}
    )
    try:
        for attempt in range(CONNECTION_RETRIES + 1):
            try:
                # "xb": 0666 less the umask, as any new file; a retry starts it again
                with open(partial, "wb" if attempt else "xb") as stream:
                    downloader(url, stream, None)
                break
            except network_error_types() as error:
                received = partial.stat().st_size if partial.is_file() else 0
                if attempt < CONNECTION_RETRIES and _refused_at_once(error, received):
                    time.sleep(0.2 * (attempt + 1))
                    continue
                problem = None
                if is_network_error(error):
                    problem = _transfer_problem(error, url, what, received)
                if problem is not None:
                    raise SampleDataError(problem) from error
                raise
    finally:
        length.close()
    received = partial.stat().st_size
    if length.announced and received < length.announced:
        raise SampleDataError(
            f"The download of {url} ({what}) was cut short: the server announced "
            f"{length.announced} bytes and sent {received}. Nothing was kept; try again."
        )


def _refused_at_once(error: BaseException, received: int) -> bool:
    """Whether a failed download is worth trying again at once: the connection was
    refused or reset before any byte arrived (a busy server's full queue), not a timeout
    (which took :data:`TIMEOUT` seconds already), an answer or a cut."""
    import requests

    return (
        not received
        and isinstance(error, requests.exceptions.ConnectionError)
        and not isinstance(error, requests.exceptions.Timeout)
    )


def download(
    url: str,
    target: Path,
    what: str,
    *,
    known_hash: str | None = None,
    check: Callable[[Path], Checked] | None = None,
    progressbar: bool = False,
) -> Checked | None:
    """Download ``url`` onto ``target`` atomically, whole and checked.

    The download goes to a temporary of its own (unique per call, named by
    this process) and replaces ``target`` only once it is as long as the
    server announced, matches ``known_hash`` and passes ``check``; otherwise
    it is removed, and ``target`` stays as it was. The temporaries a killed
    download of ``target`` left are removed first.

    Parameters
    ----------
    url
        What to download.
    target
        Where to store it (its folder is created).
    what
        What it is, for messages (``"sample x"``).
    known_hash
        ``"sha256:<hex>"`` the download must match, or ``None``.
    check
        Called with the downloaded temporary before it replaces ``target``;
        raises to refuse it. Its result is returned.
    progressbar
        Show a progress bar.

    Returns
    -------
    object
        What ``check`` returned (``None`` without one).

    Raises
    ------
    SampleDataError
        A download cut short, redirected in a loop or not matching
        ``known_hash`` (and what ``check`` raises).
    requests.exceptions.RequestException, OSError
        Other failures (the server answered an error, no network, the cache
        folder), for the caller to word.

    Examples
    --------
    >>> download("https://example.org/x.nc", Path("cache/x.nc"), "sample x")  # doctest: +SKIP
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(target)
    partial = temporary_twin(target)
    try:
        _download_into(url, partial, what, progressbar)
        if known_hash is not None and not matches(partial, known_hash):
            raise SampleDataError(
                f"The file downloaded from {url} ({what}) does not match the sha256 sum "
                "given in the sample metadata, so it was discarded. It may have been corrupted "
                "in transit, or the cached metadata is out of date: try again, or refresh the "
                "list with list_datasets(refresh=True)."
            )
        result = check(partial) if check is not None else None
        os.replace(partial, target)  # atomic: concurrent callers each put a whole copy
    finally:
        with contextlib.suppress(OSError):
            partial.unlink()
    return result


def matches(path: Path, known_hash: str) -> bool:
    """Whether the file's sha256 sum is ``known_hash`` (``"sha256:<hex>"``).

    Examples
    --------
    >>> matches(Path("x.nc"), "sha256:" + "0" * 64)  # doctest: +SKIP
    False
    """
    import pooch

    return bool(pooch.file_hash(str(path)) == known_hash.split(":", 1)[1])


# --------------------------------------------------------------------------
# zip samples


class _UnpackingLocks:
    """This process's lock on unpacking archives, for its threads.

    One lock for all archives (unpacking is rare and short). A child made by
    ``fork`` gets a new one: the parent's may have been held by a thread that
    does not exist in the child, and would never be released there.
    """

    def __init__(self) -> None:
        self.lock = threading.Lock()

    def renew(self) -> None:
        self.lock = threading.Lock()


_THREADS = _UnpackingLocks()
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_THREADS.renew)


def _waited_too_long(archive: Path, lock_file: Path | None) -> SampleDataError:
    held = (
        f"the lock file {lock_file} (held by another process)"
        if lock_file is not None
        else "another thread of this process"
    )
    return SampleDataError(
        f"Gave up unpacking the sample archive {archive} after waiting {LOCK_TIMEOUT:g} s for "
        f"{held}, which unpacks it. If no posebridge is fetching this sample, another program "
        "holds the lock: stop it, or set POSEBRIDGE_DATA_DIR to another cache folder."
    )


def _notice(archive: Path, lock_file: Path) -> None:
    warnings.warn(
        f"Waiting for another process to finish unpacking the sample archive {archive} "
        f"(it holds the lock file {lock_file}); giving up after {LOCK_TIMEOUT:g} s.",
        UserWarning,
        stacklevel=user_stacklevel(),
    )


@contextlib.contextmanager
def _unpacking_lock(archive: Path) -> Iterator[None]:
    """Hold the lock on unpacking ``archive``: this process's (threads take turns), then
    the lock file ``.<archive>.unzip.lock``'s record lock (processes take turns).

    The record lock (``fcntl.lockf``) belongs to this process: a child made by
    ``fork`` does not inherit it (unlike ``flock``), and the system releases it
    when the process ends, killed or not. Both waits are bounded
    (:data:`LOCK_TIMEOUT`), and a wait for another process says so after
    :data:`LOCK_NOTICE` seconds. Where there is no ``fcntl`` (Windows), only
    threads take turns; processes rely on the rename into place.
    """
    deadline = time.monotonic() + LOCK_TIMEOUT
    held = _THREADS.lock
    if not held.acquire(timeout=LOCK_TIMEOUT):
        raise _waited_too_long(archive, None)
    try:
        try:
            import fcntl
        except ImportError:  # Windows
            yield
            return
        lock_file = archive.with_name(f".{archive.name}.unzip.lock")
        # this process opens the lock file only here, with the thread lock held: closing
        # another descriptor of it would release the record lock
        with open(lock_file, "a+b") as handle:
            notice = time.monotonic() + LOCK_NOTICE
            noticed = False
            while True:
                try:
                    fcntl.lockf(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except OSError:  # EACCES or EAGAIN: another process holds it
                    now = time.monotonic()
                    if now >= deadline:
                        raise _waited_too_long(archive, lock_file) from None
                    if now >= notice and not noticed:
                        _notice(archive, lock_file)
                        noticed = True
                    time.sleep(0.05)
            try:
                yield
            finally:
                fcntl.lockf(handle, fcntl.LOCK_UN)
    finally:
        held.release()


def _read_stamp(stamp: Path) -> str:
    try:
        return stamp.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return ""


def _write_stamp(stamp: Path, digest: str) -> None:
    written = temporary_twin(stamp)
    try:
        written.write_text(digest, encoding="ascii")
        os.replace(written, stamp)
    finally:
        with contextlib.suppress(OSError):
            written.unlink()


def _unpacked_before_stamps(folder: Path, stamp: Path, archive: Path) -> bool:
    """Whether ``folder`` is a whole unpacking by an earlier release (no stamp) in a cache
    this process cannot write (a read-only lab share): then it is used as it is, since it
    cannot be unpacked again there (the lock file, the new folder cannot be made)."""
    import zipfile

    if not folder.is_dir() or stamp.exists() or os.access(folder.parent, os.W_OK | os.X_OK):
        return False
    try:
        with zipfile.ZipFile(archive) as opened:
            members = [name for name in opened.namelist() if not name.endswith("/")]
    except (OSError, zipfile.BadZipFile):
        return False
    return all((folder / name).is_file() for name in members)


def unpacked(archive: Path, known_hash: str | None) -> Path:
    """The folder ``<archive>.unzip`` holding the archive's members, unpacked once.

    The folder is made whole under a temporary name and renamed into place,
    and a hidden stamp beside it (``.<archive>.unzip.sha256``) records the
    sha256 sum of the archive it holds, written after the rename (and removed
    before a folder is replaced), so a stamp matching the archive always
    describes the folder in place. Callers at once (threads; processes where
    the system has ``fcntl``) take turns under :func:`_unpacking_lock`, so none
    reads a folder being replaced; a folder of another archive (the server's
    sample was updated) is replaced by the new one, so no member the new
    archive lacks stays.

    Parameters
    ----------
    archive
        The downloaded zip file.
    known_hash
        Its ``"sha256:<hex>"`` when known (else it is computed).

    Returns
    -------
    pathlib.Path
        The folder.

    Raises
    ------
    SampleDataError
        When the archive is no readable zip, or the lock was waited for too long.

    Examples
    --------
    >>> unpacked(Path("cache/poses/TRex_five-locusts.zip"), None)  # doctest: +SKIP
    PosixPath('cache/poses/TRex_five-locusts.zip.unzip')
    """
    import zipfile

    import pooch

    folder = archive.with_name(f"{archive.name}.unzip")
    stamp = archive.with_name(f".{archive.name}.unzip.sha256")
    digest = known_hash.split(":", 1)[1] if known_hash else pooch.file_hash(str(archive))
    if folder.is_dir() and _read_stamp(stamp) == digest:
        return folder
    if _unpacked_before_stamps(folder, stamp, archive):
        return folder
    with _unpacking_lock(archive):
        if folder.is_dir() and _read_stamp(stamp) == digest:
            return folder  # unpacked by another caller meanwhile
        remove_stale_temporaries(folder)
        remove_stale_temporaries(stamp)
        fresh = temporary_twin(folder)
        old = temporary_twin(folder)
        try:
            with zipfile.ZipFile(archive) as opened:
                opened.extractall(fresh)
            with contextlib.suppress(FileNotFoundError):
                stamp.unlink()  # the folder about to go is no longer described
            if folder.is_dir():
                os.rename(folder, old)
            try:
                os.rename(fresh, folder)
            except OSError:
                if not folder.is_dir():
                    raise
                # without fcntl: another process put its folder of this archive first
            _write_stamp(stamp, digest)
        except zipfile.BadZipFile as error:
            raise SampleDataError(
                f"The cached sample archive {archive} is not a readable zip file ({error}); "
                "delete it to download it again."
            ) from error
        finally:
            for leftover in (fresh, old):
                shutil.rmtree(leftover, ignore_errors=True)
    return folder


def show_progress() -> bool:
    """Whether downloads show a progress bar (when standard error is a terminal).

    Examples
    --------
    >>> show_progress() in (True, False)
    True
    """
    return sys.stderr.isatty()
