"""File-system helpers of readers: checked inputs, one look at a file for detection
(:class:`Peek`), refusals of inputs a reader cannot take, files held open elsewhere, and the
file system's name limit (of inputs and outputs).

The writers' side is :mod:`posebridge._output_paths` (whether an output's path can be
written: folder names, missing folders, an output that is its own input) and
:mod:`posebridge._outputs` (atomic outputs).
"""

from __future__ import annotations

import errno
import os
import re
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

from posebridge.errors import (
    FileInUseError,
    FileNotFoundError,
    FormatError,
    IsADirectoryError,
    PoseBridgeError,
    expect_path,
    with_command_line_wording,
)
from posebridge.formats._shared.text_bytes import looks_utf16, utf16_codec

__all__ = [
    "HDF5_SIGNATURE",
    "Peek",
    "check_input",
    "held_open_by_another_program",
    "held_open_error",
    "holds_hdf5_signature",
    "in_use_instead",
    "is_address",
    "name_max",
    "note_files_read",
    "recording_files_read",
    "refuse_empty_file",
    "refuse_hdf5_held_open",
    "refuse_long_names",
    "shown_path",
    "unfollowable_link",
]

#: The first 8 bytes of every HDF5 file (HDF5, netCDF-4, NWB, .slp, pandas .h5), or of
#: its superblock after a user block (see :func:`holds_hdf5_signature`).
HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"


def holds_hdf5_signature(path: str | os.PathLike[str]) -> bool:
    """Whether ``path`` holds the HDF5 signature where HDF5 looks for it.

    That is byte 0, or, after a user block, byte 512, 1024, 2048, ... (HDF5's
    file format specification; ``h5py.is_hdf5`` looks there too, and pandas and
    h5py open such files). Every reader that sniffs the signature asks here, so
    that eager and lazy readers take the same files.

    Parameters
    ----------
    path : str or os.PathLike
        The file; one that cannot be opened holds no signature.

    Returns
    -------
    bool
        ``True`` when the signature is at byte 0 or at one of the user-block offsets.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = Path(folder, "a.h5")
    ...     _ = path.write_bytes(bytes(512) + HDF5_SIGNATURE + bytes(8))
    ...     holds_hdf5_signature(path), path.read_bytes().startswith(HDF5_SIGNATURE)
    (True, False)
    """
    try:
        with open(path, "rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            offset = 0
            while offset + len(HDF5_SIGNATURE) <= size:  # a few dozen steps at most
                handle.seek(offset)
                if handle.read(len(HDF5_SIGNATURE)) == HDF5_SIGNATURE:
                    return True
                offset = 512 if offset == 0 else 2 * offset
            return False
    except OSError:
        return False


def check_input(
    path: str | os.PathLike[str], *, folder: bool = False, appending: bool = False
) -> Path:
    """Return ``path`` as a Path after checking that it is a readable file.

    Parameters
    ----------
    path
        The input file.
    folder
        Accept a folder too (formats that read a folder of files: TRex,
        idtracker.ai's CSV folder).
    appending
        The file is read to be added to (NWB's append): an HDF5 file another
        program writes is refused saying to append to it again. (A file read
        is not opened here: a reader that HDF5 refuses says why through
        :func:`in_use_instead`.)

    Returns
    -------
    pathlib.Path
        The same path.

    Raises
    ------
    TypeError
        When ``path`` is not a str or ``os.PathLike`` (also a built-in ``TypeError``).
    FileNotFoundError
        When nothing is there (also a built-in ``FileNotFoundError``).
    IsADirectoryError
        When it is a folder and ``folder`` is false (also a built-in
        ``IsADirectoryError``).
    PoseBridgeError
        When it cannot be read.
    FileInUseError
        With ``appending``, when it is an HDF5 file open for writing elsewhere.

    Examples
    --------
    >>> check_input("missing.h5")  # doctest: +SKIP
    FileNotFoundError: missing.h5: no such file.
    """
    expect_path(path, "path")
    given = os.fspath(path)
    if not given:  # Path("") is the current folder: an unset variable would read it
        raise FileNotFoundError(2, "an empty path names no file; pass the file to read.", "")
    path = Path(path)
    refuse_long_names(path)
    if not path.exists():
        if path.is_symlink():
            raise FileNotFoundError(2, f"{path}: {unfollowable_link(path)}.", str(path))
        hint = _why_not_found(given)
        # an address as typed: Path collapses its "//" (https:/example.com/x.h5)
        shown = os.fsdecode(given) if hint == _ADDRESS_HINT else str(path)
        raise with_command_line_wording(
            FileNotFoundError(2, f"{shown}: no such file{hint}.", shown),
            {_TILDE_ADVICE: _TILDE_FLAGS},
        )
    if path.is_dir():
        if folder:
            return path
        raise IsADirectoryError(21, f"{path}: is a folder; expected a file.", str(path))
    if not path.is_file():  # a FIFO, socket or device would block or never end
        raise PoseBridgeError(
            f"{path}: is not a regular file (a pipe, socket or device); posebridge reads "
            "regular files only: save the data to a file first."
        )
    if not os.access(path, os.R_OK):
        raise PoseBridgeError(f"{path}: the file cannot be read (permission denied).")
    if appending:  # HDF5 refuses a file another program writes: say so before the copy
        refuse_hdf5_held_open(path, "append to it")
    note_files_read(path)
    return path


#: The files read so far by the reading under way (see :func:`recording_files_read`).
_FILES_READ: ContextVar[list[Path] | None] = ContextVar("posebridge_files_read", default=None)


@contextmanager
def recording_files_read() -> Iterator[list[Path]]:
    """Collect every file the readers open within the block, the named input's companions too.

    A reader may read more than the file it is given: idtracker.ai's
    ``id_probabilities.csv`` and ``attributes.json`` beside ``trajectories.csv``,
    TRex's sibling files, the files an option names (COCO ``ground_truth``,
    Label Studio ``label_config``, DANNCE ``skeleton`` and ``sync``, YOLO
    ``dataset``), YOLO's label files. A conversion keeps them all from its
    outputs (:func:`posebridge._outputs.inputs_kept`). Every file passed by
    :func:`check_input` is recorded, and readers record the companions they find
    themselves with :func:`note_files_read`. The record lives in the caller's
    :mod:`contextvars` context: conversions on other threads keep their own
    (the threads a reader starts with :func:`posebridge._threads.map_on_threads`
    add to the caller's).

    Yields
    ------
    list of pathlib.Path
        The files read, filled as the block runs (a file may appear twice).

    Examples
    --------
    >>> with recording_files_read() as read:
    ...     note_files_read(Path("trajectories.csv"), Path("id_probabilities.csv"))
    >>> [p.name for p in read]
    ['trajectories.csv', 'id_probabilities.csv']
    """
    outer = _FILES_READ.get()
    files: list[Path] = []
    token = _FILES_READ.set(files)
    try:
        yield files
    finally:
        _FILES_READ.reset(token)
        if outer is not None:  # a recording around this one sees these files too
            outer.extend(files)


def note_files_read(*paths: str | os.PathLike[str]) -> None:
    """Record files a reader read beside its input (nothing when no recording is under way).

    See :func:`recording_files_read`.

    Examples
    --------
    >>> note_files_read(Path("id_probabilities.csv"))  # outside a recording: nothing
    """
    files = _FILES_READ.get()
    if files is not None:
        files.extend(Path(p) for p in paths)


def is_address(text: str) -> bool:
    """Whether ``text`` is written as an address (``https://...``, ``s3://...``), not a path.

    Examples
    --------
    >>> is_address("https://example.com/x.h5"), is_address("data/x.h5")
    (True, False)
    """
    return re.match(r"[A-Za-z][A-Za-z0-9+.-]*://", text) is not None


#: What :func:`_why_not_found` says of an address.
_ADDRESS_HINT = " (an address: posebridge reads local files; download it first)"


#: What to do about a leading ``~``, as Python and the command line say it.
_TILDE_ADVICE = "pass Path(...).expanduser()"
_TILDE_FLAGS = "write the home folder's path, or leave the ~ outside quotes for the shell"


def _why_not_found(given: str | bytes) -> str:
    """A hint for a missing input that is an address or starts with ``~``.

    posebridge reads local files: an address (``https://...``) is not fetched,
    and ``~`` is the shell's (Path.expanduser gives the home folder).
    """
    text = os.fsdecode(given)
    if is_address(text):
        return _ADDRESS_HINT
    if text.startswith("~"):
        return f" (a leading ~ is not expanded here; {_TILDE_ADVICE})"
    return ""


def unfollowable_link(link: Path) -> str:
    """Why a symbolic link leads to no file: it loops, or what it names is missing."""
    try:
        os.stat(link)
    except OSError as error:
        if error.errno == errno.ELOOP:
            return "is a symbolic link that loops (it leads back to itself)"
    return f"is a symbolic link to {os.readlink(link)}, which does not exist"


class Peek:
    """One look at a file, shared by every format's ``sniff`` during a detection.

    The first :attr:`HEAD_BYTES` bytes are read once; for an HDF5 file, the file
    is opened once with h5py (on first use) and its top-level keys listed once.
    Use it as a context manager so that the HDF5 handle is closed.

    Parameters
    ----------
    path
        The file to look at (already checked by :func:`check_input`).

    Examples
    --------
    >>> with Peek("video1DLC.csv") as peek:  # doctest: +SKIP
    ...     peek.lines(2)
    ['scorer,DLC_resnet50,...', 'bodyparts,snout,...']
    """

    #: How much of the file's start sniffers see.
    HEAD_BYTES = 256 * 1024

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        with open(self.path, "rb") as handle:
            self.head: bytes = handle.read(self.HEAD_BYTES)
        self.is_hdf5: bool = self.head.startswith(HDF5_SIGNATURE) or (
            len(self.head) > 512 and holds_hdf5_signature(self.path)  # after a user block
        )
        self._h5: Any = None

    def __enter__(self) -> Peek:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the HDF5 handle, if one was opened."""
        if self._h5 is not None:
            try:
                self._h5.close()
            finally:
                self._h5 = None

    @cached_property
    def h5(self) -> Any:
        """The open ``h5py.File`` (read-only), or ``None`` for a file that is not HDF5."""
        if not self.is_hdf5:
            return None
        import h5py

        try:
            self._h5 = h5py.File(self.path, "r")
        except (OSError, ValueError) as error:
            if held_open_by_another_program(error):  # opened since check_input looked
                raise held_open_error(self.path, "read it", writing=False) from error
            return None
        return self._h5

    @cached_property
    def tail(self) -> bytes:
        """The last :attr:`HEAD_BYTES` bytes after the head (``b""`` when the head is all).

        For formats whose telling keys may come last (a COCO file lists its
        images, then annotations, then categories).
        """
        if len(self.head) < self.HEAD_BYTES:
            return b""
        with open(self.path, "rb") as handle:
            size = handle.seek(0, 2)
            handle.seek(max(self.HEAD_BYTES, size - self.HEAD_BYTES))
            return handle.read(self.HEAD_BYTES)

    @cached_property
    def h5_keys(self) -> dict[str, str]:
        """Top-level HDF5 names mapped to ``"group"`` or ``"dataset"`` (empty if not HDF5)."""
        h5 = self.h5
        if h5 is None:
            return {}
        import h5py

        keys: dict[str, str] = {}
        for name in h5:
            try:
                link = h5.get(name, getlink=False)
            except (KeyError, OSError, RuntimeError):
                continue
            keys[name] = "group" if isinstance(link, h5py.Group) else "dataset"
        return keys

    @cached_property
    def text(self) -> str | None:
        """The head as text (UTF-8, BOM removed), or ``None`` when it is not text.

        NUL bytes after the last line of a whole (short) file are left out, so
        that the file is recognised and its reader says that it is damaged.
        """
        head = self.head
        if len(head) < self.HEAD_BYTES and head.endswith(b"\x00"):
            head = head.rstrip(b"\x00")
        if self.is_hdf5 or b"\x00" in head:
            return None
        if len(head) == self.HEAD_BYTES:  # a multi-byte character may be cut at the end
            head = head[: head.rfind(b"\n") + 1] or head
        try:
            return head.decode("utf-8-sig")
        except UnicodeDecodeError:
            return None

    @cached_property
    def loose_text(self) -> str | None:
        """The head as text, also when it is not UTF-8 (``None`` for HDF5 or binary bytes).

        UTF-8 text is :attr:`text`; UTF-16 text (told by :func:`looks_utf16`)
        is decoded as UTF-16, and other bytes that are not UTF-8 as Latin-1.
        For sniffers that recognise a format by its words: a file saved in
        another encoding is then handed to its reader, which refuses it naming
        the line, the byte and the encoding (:func:`not_utf8_message`), rather
        than detection saying that no format fits.

        Examples
        --------
        >>> with Peek("poses_latin1.csv") as peek:  # doctest: +SKIP
        ...     peek.text is None, peek.loose_text[:6]
        (True, 'scorer')
        """
        if self.text is not None or self.is_hdf5:
            return self.text
        head = self.head
        if looks_utf16(head):
            return head[: len(head) // 2 * 2].decode(utf16_codec(head), errors="replace")
        if len(head) < self.HEAD_BYTES:  # NUL bytes after the last line: as in :attr:`text`
            head = head.rstrip(b"\x00")
        return None if b"\x00" in head else head.decode("latin-1")  # NUL bytes: binary

    @cached_property
    def loose_head(self) -> bytes:
        """The head for sniffers that look for ASCII words in bytes (JSON keys).

        UTF-16 text is re-encoded as UTF-8 (its byte-order mark left out), so
        its words are found and its reader refuses the encoding clearly (see
        :attr:`loose_text`); any other head is as read.
        """
        if self.is_hdf5 or not looks_utf16(self.head):
            return self.head
        return (self.loose_text or "").lstrip("\ufeff").encode("utf-8", errors="replace")

    def lines(self, count: int, *, loose: bool = False) -> list[str]:
        """The first ``count`` complete lines of the head (without line ends).

        ``loose``: of :attr:`loose_text` (text in any encoding), else of :attr:`text`.
        """
        text = self.loose_text if loose else self.text
        if not text:
            return []
        lines = text.splitlines()
        if len(self.head) == self.HEAD_BYTES and not text.endswith(("\n", "\r")):
            lines = lines[:-1]  # the last one may be cut
        return lines[:count]


#: What HDF5 says, through h5py, when a file is open for writing elsewhere: its lock
#: (another process), or the mark it sets in the file (a writer in SWMR mode, or with
#: file locking turned off; also a writer that crashed, which ``h5clear -s`` clears).
_OPEN_ELSEWHERE = ("unable to lock file", "file is already open for write")


def held_open_by_another_program(error: BaseException) -> bool:
    """Whether h5py could not open a file because another program has it open for writing.

    HDF5 locks a file it opens for writing and marks it so in the file (in SWMR mode,
    only the mark); h5py reports a refusal for either as an ``OSError``.

    Examples
    --------
    >>> held_open_by_another_program(
    ...     OSError(
    ...         "Unable to synchronously open file (unable to "
    ...         "lock file, errno = 11, error message = 'Resource temporarily unavailable')"
    ...     )
    ... )
    True
    >>> held_open_by_another_program(OSError("file signature not found"))
    False
    """
    text = str(error).lower()
    return isinstance(error, OSError) and any(said in text for said in _OPEN_ELSEWHERE)


def held_open_error(
    path: str | os.PathLike[str], doing: str, *, writing: bool = True, here: bool = False
) -> FileInUseError:
    """The error for an HDF5 file open for writing elsewhere (HDF5 refused us), or, with
    ``here``, open for writing in this process.

    ``doing`` is what to do again once it is closed; ``writing`` adds that the
    file was left as it was.

    Examples
    --------
    >>> print(held_open_error("session.nwb", "write it"))  # doctest: +NORMALIZE_WHITESPACE
    session.nwb: is open for writing in another program (HDF5 refuses to open it); close it
    there, then write it again (the file is unchanged). If no program has it open (one that
    crashed left it marked open), `h5clear -s session.nwb` clears the mark.
    """
    unchanged = " (the file is unchanged)" if writing else ""
    if here:
        return FileInUseError(
            errno.EAGAIN,
            f"{path}: is open for writing in this process (an h5py.File); close it, then "
            f"{doing} again{unchanged}.",
            str(path),
        )
    return FileInUseError(
        errno.EAGAIN,
        f"{path}: is open for writing in another program (HDF5 refuses to open it); close it "
        f"there, then {doing} again{unchanged}. If no program has it open (one that crashed "
        f"left it marked open), `h5clear -s {path}` clears the mark.",
        str(path),
    )


def in_use_instead(error: BaseException, path: str | os.PathLike[str]) -> FileInUseError | None:
    """The :class:`FileInUseError` to raise for a reader's ``error`` that HDF5's refusal
    of a file open for writing elsewhere caused, else ``None``.

    Readers open HDF5 files themselves and take any failure to open one for
    damage ("not a readable HDF5 file"); the refusal's text is in the error or
    in one it was raised from. Looking only when a read failed keeps a read
    that succeeds to one opening of the file.

    Examples
    --------
    >>> cause = OSError("Unable to synchronously open file (unable to lock file, errno = 11)")
    >>> print(in_use_instead(ValueError(f"a.h5: not a readable HDF5 file ({cause})"), "a.h5"))
    ... # doctest: +ELLIPSIS
    a.h5: is open for writing in another program (HDF5 refuses to open it); close it ...
    >>> in_use_instead(ValueError("a.h5: bad."), "a.h5") is None
    True
    """
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, FileInUseError):
            return None  # said already
        text = str(current).lower()
        if any(said in text for said in _OPEN_ELSEWHERE):
            return held_open_error(path, "read it", writing=False)
        current = current.__cause__ or current.__context__
    return None


def _open_for_writing_here(path: str | os.PathLike[str]) -> bool:
    """Whether this process has ``path`` open for writing with h5py (HDF5 shares an open
    file within a process, so opening it again to test succeeds)."""
    import h5py

    ids = h5py.h5f.get_obj_ids(types=h5py.h5f.OBJ_FILE)
    for file_id in ids:
        try:
            name = os.fsdecode(file_id.name)
            if file_id.get_intent() & h5py.h5f.ACC_RDWR and os.path.samefile(name, path):
                return True
        except (OSError, ValueError):
            continue  # closed meanwhile, or a file in memory
    return False


def refuse_hdf5_held_open(
    path: str | os.PathLike[str], doing: str = "write it", *, writing: bool = True
) -> None:
    """Refuse an HDF5 file that another program (or this one) has open for writing.

    Replacing it (a new file renamed onto its name) would leave that program
    writing to a file without a name, so its changes would be lost without a
    word; reading it, HDF5 refuses with an error each reader would take for a
    damaged file. The file is opened for reading, which HDF5 refuses while
    another program has it open for writing; this process's own h5py files are
    looked up when ``writing`` (reading shares their handle). A file open
    elsewhere only for reading, anything but a regular
    file (a pipe is never opened: that would wait for a writer), a file that is
    not HDF5 and a damaged one pass (replaced as asked, or refused by their
    reader). ``doing`` and ``writing`` are :func:`held_open_error`'s.

    Raises
    ------
    FileInUseError
        Naming the file, when it is open for writing (a ``PoseBridgeError`` and a
        ``BlockingIOError``).

    Examples
    --------
    >>> refuse_hdf5_held_open(Path("session.nwb"))  # doctest: +SKIP
    """
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            return
        if not holds_hdf5_signature(path):
            return
    except OSError:
        return  # not a readable regular file: the write says what is wrong, if anything
    import h5py

    if writing and _open_for_writing_here(path):  # reading through HDF5's shared handle is fine
        raise held_open_error(path, doing, writing=writing, here=True)
    try:
        h5py.File(path, "r").close()
    except OSError as error:
        if held_open_by_another_program(error):
            raise held_open_error(path, doing, writing=writing) from error


def refuse_empty_file(path: Path, expected: str) -> None:
    """Say that a zero-byte file is empty (rather than whatever a parser makes of it).

    Examples
    --------
    >>> refuse_empty_file(Path("poses.slp"), "a SLEAP .slp file")  # doctest: +SKIP
    FormatError: poses.slp: is empty (0 bytes); expected a SLEAP .slp file.
    """

    if Path(path).is_file() and Path(path).stat().st_size == 0:
        raise FormatError(path, f"is empty (0 bytes); expected {expected}.")


#: The longest path (in bytes) the operating system takes (Linux's PATH_MAX, with its NUL).
PATH_MAX = 4096


def refuse_long_names(path: Path) -> None:
    r"""Refuse a path the operating system cannot take: a part longer than the file system
    allows (255 bytes, usually), the whole longer than :data:`PATH_MAX`, or a NUL byte.

    The operating system says only "File name too long" (and Python "embedded null
    byte", naming no file); this names the part, or the path's length.

    Examples
    --------
    >>> refuse_long_names(Path("poses.csv"))
    >>> refuse_long_names(Path("a\x00b.h5"))
    Traceback (most recent call last):
    ...
    posebridge.errors.PoseBridgeError: 'a\x00b.h5': a file name cannot hold a NUL character (\x00).
    """
    if "\x00" in os.fspath(path):
        raise PoseBridgeError(
            f"{os.fspath(path)!r}: a file name cannot hold a NUL character (\\x00)."
        )
    whole = len(os.fsencode(path))
    if whole >= PATH_MAX:
        raise PoseBridgeError(
            f"{os.fspath(path)[:60]}...: the path is {whole} bytes long; the operating system "
            f"takes paths of up to {PATH_MAX - 1}. Choose a shorter path (a folder nearer "
            "the root, or a relative path from a folder inside)."
        )
    for part in Path(path).parts:
        size = len(os.fsencode(part))
        if size > 255 and size > (limit := name_max(_existing_folder(Path(path)))):
            raise PoseBridgeError(
                f"{path}: the name {part[:40]}... is {size} bytes long; the file system "
                f"allows {limit}. Choose a shorter name."
            )


def _existing_folder(path: Path) -> Path:
    """The nearest folder above ``path`` that exists (for the file system's limits)."""
    for folder in Path(os.path.abspath(path)).parents:
        try:
            if folder.is_dir():
                return folder
        except OSError:
            continue
    return Path("/")


def name_max(folder: Path) -> int:
    """The longest file name (in bytes) the file system of ``folder`` allows (asked once
    per folder: a YOLO tree names thousands of files in one).

    Examples
    --------
    >>> name_max(Path(".")) >= 14
    True
    """
    return _folder_name_max(os.fspath(folder))


@lru_cache(maxsize=256)
def _folder_name_max(folder: str) -> int:
    try:
        return int(os.pathconf(folder, "PC_NAME_MAX"))
    except (OSError, ValueError, AttributeError):  # not POSIX, or the folder is missing
        return 255


def shown_path(path: str | os.PathLike[str]) -> str:
    r"""A path as the command line prints it, so that a reader can tell which file it is.

    As it is, unless a character of it would print as another or as nothing: a
    newline, tab or other control character, a space other than the plain one, a
    character undecodable in the file system's encoding, or a space at either
    end. Such a path is printed as Python writes it (``'a\nb.csv'``): quoted, its
    backslashes doubled and those characters escaped.

    Parameters
    ----------
    path
        The path (or a file name).

    Returns
    -------
    str

    Examples
    --------
    >>> print(shown_path("data/a b.csv"))
    data/a b.csv
    >>> print(shown_path("data/a\nb.csv"))
    'data/a\nb.csv'
    """
    text = os.fspath(path)
    if not isinstance(text, str):  # a bytes path: as Python decodes file names
        text = os.fsdecode(text)
    if text.isprintable() and text == text.strip():
        return text
    return repr(text)
