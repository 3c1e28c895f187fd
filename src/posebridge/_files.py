"""File-system helpers of readers: checked inputs, one look at a file for detection
(:class:`Peek`), refusals of inputs a reader cannot take, and the file system's name limit.

The writers' side, atomic outputs, is :mod:`posebridge._outputs`.
"""

from __future__ import annotations

import codecs
import errno
import os
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

from posebridge.errors import (
    FileNotFoundError,
    FormatError,
    IsADirectoryError,
    PoseBridgeError,
    expect_path,
)

__all__ = [
    "HDF5_SIGNATURE",
    "Peek",
    "check_input",
    "check_output_folder",
    "first_bad_utf8",
    "looks_utf16",
    "loose_first_line",
    "name_max",
    "not_utf8_error",
    "not_utf8_message",
    "output_folder_problem",
    "refuse_bare_carriage_returns",
    "refuse_empty_file",
    "refuse_long_names",
    "refuse_not_utf8",
    "refuse_writing_onto_input",
    "text_end",
    "text_size",
]

#: The first 8 bytes of every HDF5 file (HDF5, netCDF-4, NWB, .slp, pandas .h5).
HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"


def check_input(path: str | os.PathLike[str], *, folder: bool = False) -> Path:
    """Return ``path`` as a Path after checking that it is a readable file.

    Parameters
    ----------
    path
        The input file.
    folder
        Accept a folder too (formats that read a folder of files: TRex,
        idtracker.ai's CSV folder).

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

    Examples
    --------
    >>> check_input("missing.h5")  # doctest: +SKIP
    FileNotFoundError: missing.h5: no such file.
    """
    expect_path(path, "file")
    path = Path(path)
    refuse_long_names(path)
    if not path.exists():
        if path.is_symlink():
            raise FileNotFoundError(2, f"{path}: {_unfollowable(path)}.", str(path))
        raise FileNotFoundError(2, f"{path}: no such file.", str(path))
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
    return path


def _unfollowable(link: Path) -> str:
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
        self.is_hdf5: bool = self.head.startswith(HDF5_SIGNATURE)
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
        except (OSError, ValueError):
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
            return head[: len(head) // 2 * 2].decode(_utf16_codec(head), errors="replace")
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


def _utf16_codec(head: bytes) -> str:
    """The codec of text that :func:`looks_utf16`: by its byte-order mark, else by where
    the NUL bytes (the high bytes of ASCII characters) are: second (LE) or first (BE)."""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    little = head[1:512:2].count(0) >= head[0:512:2].count(0)
    return "utf-16-le" if little else "utf-16-be"


def loose_first_line(path: Path, limit: int = 1 << 16) -> str:
    """The first line of a text file, also when it is not UTF-8 (``""``: none, or binary).

    The loose reading of :attr:`Peek.loose_text` for a sniffer that looks at
    the files of a folder (TRex, idtracker.ai) without a :class:`Peek` of
    each: UTF-16 text is decoded as UTF-16, other bytes that are not UTF-8
    as Latin-1, so that a file saved in another encoding is recognised and
    its reader refuses it naming the line, the byte and the encoding. Only
    the first 4 KiB are read, or up to ``limit`` bytes for a longer line.

    Examples
    --------
    >>> loose_first_line(Path("trajectories.csv"))  # doctest: +SKIP
    'seconds,x1,y1,x2,y2'
    """
    with open(path, "rb") as handle:
        head = handle.read(4096)
        if b"\n" not in head and len(head) == 4096:
            head += handle.read(max(limit - len(head), 0))
    if looks_utf16(head):
        text = head[: len(head) // 2 * 2].decode(_utf16_codec(head), errors="replace")
        return text.lstrip("\ufeff").split("\n", 1)[0].rstrip("\r")
    line = head.split(b"\n", 1)[0].rstrip(b"\r")
    if b"\x00" in line:
        return ""  # binary
    try:
        return line.decode("utf-8-sig")
    except UnicodeDecodeError:  # cut in a character at the limit, or another encoding
        return line.removeprefix(codecs.BOM_UTF8).decode("latin-1")


def refuse_bare_carriage_returns(path: Path) -> None:
    """Refuse a text file whose lines end in a carriage return alone.

    Classic Mac OS, and Excel's "CSV (Macintosh)" format, end lines so; the
    CSV readers count lines by ``\n`` (to split a file for parallel parsing
    and to name lines in messages), so such a file would read as one line.

    The file's end is checked too (:func:`text_size` with ``eof_marker=False``):
    NUL bytes after the last line, and a Ctrl-Z (0x1A, an old DOS end-of-file
    marker), which a reader calling this does not skip, are refused.

    Examples
    --------
    >>> refuse_bare_carriage_returns(Path("poses.csv"))  # doctest: +SKIP
    FormatError: poses.csv: line 1: its lines end in a carriage return alone ...
    """
    text_size(path, eof_marker=False)


def _refuse_carriage_returns(path: Path, head: bytes) -> None:
    """Refuse lines that end in a carriage return alone (see the caller)."""
    from posebridge.errors import FormatError

    at = head.find(b"\r")
    if 0 <= at < len(head) - 1 and head[at + 1 : at + 2] != b"\n":
        raise FormatError(
            path,
            "line 1: its lines end in a carriage return alone (classic Mac OS; Excel's "
            "'CSV (Macintosh)'); save it with \\n or \\r\\n line endings "
            "(e.g. Excel's 'CSV UTF-8').",
        )


#: Ctrl-Z: old DOS programs end a text file with it (an end-of-file marker).
EOF_MARKER = b"\x1a"
#: How much of a file's end is looked at for NUL bytes and end-of-file markers.
_TAIL_BYTES = 4096


def text_size(
    path: Path,
    *,
    eof_marker: bool = True,
    lone_carriage_returns: bool = False,
    spreadsheet: bool = True,
) -> int:
    """The size of a text file's text, after checking how its lines and the file end.

    Refused, naming the file: lines that end in a carriage return alone (see
    :func:`refuse_bare_carriage_returns`), text that looks like UTF-16, NUL
    bytes after the last line (damage: a copy or save cut short, a disk that
    filled up), and Ctrl-Z bytes other than one end-of-file marker after the
    last line end. Only the file's first 64 KiB and last 4 KiB are read.

    Parameters
    ----------
    path
        The text (CSV) file.
    eof_marker
        Whether the caller can read the file without one Ctrl-Z (0x1A) after
        its last line end, the end-of-file marker of old DOS programs: then
        the size returned leaves it out; otherwise such a file is refused.
    lone_carriage_returns
        Whether the caller reads lines that end in a carriage return alone
        (a reader that splits lines as Python does); otherwise they are refused.
    spreadsheet
        Whether the file is a table a spreadsheet saves (CSV), for the words
        of a refusal of UTF-16 text (see :func:`not_utf8_message`).

    Returns
    -------
    int
        The number of bytes to read: the file's size, less an end-of-file marker.

    Raises
    ------
    FormatError
        Saying what is wrong and how to re-save the file.

    Examples
    --------
    >>> text_size(Path("poses.csv"))  # doctest: +SKIP
    2048
    """
    with open(path, "rb") as handle:
        head = handle.read(1 << 16)
        size = handle.seek(0, 2)
        tail = head
        if size > len(head):
            handle.seek(size - _TAIL_BYTES)
            tail = handle.read()
    if looks_utf16(head):  # its line ends look like lone carriage returns or NULs
        from posebridge.errors import FormatError

        raise FormatError(path, not_utf8_message(head, spreadsheet=spreadsheet))
    if not lone_carriage_returns:
        _refuse_carriage_returns(path, head)
    return size - text_end(path, head, tail, eof_marker=eof_marker, spreadsheet=spreadsheet)


def text_end(
    path: Path | str,
    head: bytes,
    tail: bytes,
    *,
    eof_marker: bool = True,
    spreadsheet: bool = True,
    json: bool = False,
) -> int:
    """How many bytes at the end of a text file are not text: 1 for an end-of-file marker.

    The checks of :func:`text_size` on bytes already read (a small file's).

    Parameters
    ----------
    path
        The file, for messages.
    head
        The file's first bytes (up to 64 KiB), to tell UTF-16 text.
    tail
        The file's last bytes (up to 4 KiB; the whole file when it is small).
    eof_marker
        Whether one Ctrl-Z after the last line end is taken as an end-of-file
        marker (else refused).
    spreadsheet
        As :func:`text_size`.
    json
        Whether the file is JSON, whose text ends with its last ``]`` or ``}``
        rather than a line end: one Ctrl-Z right after it is an end-of-file
        marker too, and messages speak of its JSON text rather than its lines.

    Returns
    -------
    int
        0, or 1 for an end-of-file marker to leave out.

    Raises
    ------
    FormatError
        For NUL bytes or Ctrl-Z bytes at the end.

    Examples
    --------
    >>> text_end("a.csv", b"a,b\\n1,2\\n\\x1a", b"a,b\\n1,2\\n\\x1a")
    1
    >>> text_end("a.csv", b"a,b\\n1,2\\n", b"a,b\\n1,2\\n")
    0
    >>> text_end("a.json", b'{"a": 1}\\x1a', b'{"a": 1}\\x1a', json=True)
    1
    """
    from posebridge.errors import FormatError

    last = "its JSON text" if json else "its last line"
    if tail.endswith(b"\x00"):
        if looks_utf16(head):
            raise FormatError(path, not_utf8_message(head, spreadsheet=spreadsheet))
        count = len(tail) - len(tail.rstrip(b"\x00"))
        text = tail.rstrip(b"\x00")
        after_line = (
            text.rstrip(b" \t\r\n").endswith((b"}", b"]"))
            if json
            else text.endswith((b"\n", b"\r"))
        )
        raise FormatError(
            path,
            (f"ends with a NUL byte after {last}" if after_line else "ends with a NUL byte")
            + (f" ({count} NUL bytes, 0x00)" if count > 1 else " (0x00)")
            + ": the file is damaged (a copy or save cut short, or a disk that filled up, "
            "leaves NUL bytes); export it again, or, if "
            + ("its JSON text is" if json else "its lines are")
            + " complete, remove the NUL bytes at its end.",
        )
    if not tail.endswith(EOF_MARKER):
        return 0
    count = len(tail) - len(tail.rstrip(EOF_MARKER))
    after_line = json or tail[: len(tail) - count].endswith((b"\n", b"\r")) or len(tail) == count
    if count == 1 and after_line and eof_marker:
        return 1
    what = (
        f"ends with {count} Ctrl-Z bytes (0x1A)"
        if count > 1
        else "ends with a Ctrl-Z byte (0x1A)"
        + (f" after {last}" if after_line else f" inside {last}")
    )
    why = (
        "this reader does not skip it"
        if count == 1 and after_line
        else "only one, after "
        + ("the end of its JSON text" if json else "the last line end")
        + ", is read as an old DOS end-of-file marker"
    )
    raise FormatError(
        path, f"{what}; {why}: remove the Ctrl-Z bytes at its end, or save it again as UTF-8."
    )


def looks_utf16(head: bytes) -> bool:
    """Whether bytes look like UTF-16 text: a UTF-16 byte-order mark, or a NUL every
    other byte (the high byte of each ASCII character).

    Examples
    --------
    >>> looks_utf16("a,b\\n".encode("utf-16-le"))
    True
    >>> looks_utf16(b"a,b\\n")
    False
    """
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return True
    sample = head[:512]
    pairs = len(sample) // 2
    if pairs < 2:
        return False
    even, odd = sample[0 : 2 * pairs : 2].count(0), sample[1 : 2 * pairs : 2].count(0)
    return max(even, odd) >= 0.75 * pairs and min(even, odd) <= 0.1 * pairs


def first_bad_utf8(data: bytes) -> int | None:
    """The offset of the first byte of ``data`` that is not UTF-8 (``None``: all is).

    Decoded by blocks of 1 MiB (no copy of the whole text); a UTF-8 BOM at
    the start is allowed.

    Examples
    --------
    >>> first_bad_utf8("naße,x\\n".encode("cp1252"))
    2
    >>> first_bad_utf8("naße,x\\n".encode()) is None
    True
    """
    decoder = codecs.getincrementaldecoder("utf-8")()
    view = memoryview(data)
    step = 1 << 20
    for at in range(0, len(data), step):
        pending = len(decoder.getstate()[0])
        try:
            decoder.decode(view[at : at + step], final=at + step >= len(data))
        except UnicodeDecodeError as error:
            return at - pending + error.start
    return None


def not_utf8_error(path: Path | str, *, spreadsheet: bool = True) -> FormatError:
    """The error for a text file that is not UTF-8: :func:`not_utf8_message` of its bytes.

    For a reader's error path: the file is read whole to find the first byte
    that is not UTF-8 (a decoder reading in blocks cannot say where it is).

    Parameters
    ----------
    path
        The file.
    spreadsheet
        Whether the file is a table a spreadsheet saves (CSV): the message
        then names Excel's ways of saving; else a text editor's.

    Examples
    --------
    >>> raise not_utf8_error("poses.csv")  # doctest: +SKIP
    FormatError: poses.csv: line 2 (byte 6): byte 0xDF is not UTF-8; ...
    """
    with open(path, "rb") as handle:
        data = handle.read()
    return FormatError(path, not_utf8_message(data, spreadsheet=spreadsheet))


def refuse_not_utf8(path: Path | str, data: bytes, *, spreadsheet: bool = False) -> None:
    """Refuse bytes that are not UTF-8 text, naming the line and byte (else return).

    For a reader's error path, after a parser (JSON, YAML) failed on the
    bytes of a file: its own message would name the wrong place (msgspec: the
    end of the file) or call the text malformed. The bytes are decoded again
    by blocks to find the first that is not UTF-8; UTF-16 text is told by its
    byte-order mark or NUL bytes (:func:`looks_utf16`), since UTF-16 text of
    ASCII characters is valid UTF-8 byte by byte.

    Parameters
    ----------
    path
        The file, for the message.
    data
        The file's bytes, from its start.
    spreadsheet
        As :func:`not_utf8_error`: whether to name Excel's ways of saving.

    Raises
    ------
    FormatError
        With :func:`not_utf8_message` when the bytes are not UTF-8 text.

    Examples
    --------
    >>> refuse_not_utf8("a.json", '{"name": "naße"}'.encode())
    >>> refuse_not_utf8("a.json", '{"name": "naße"}'.encode("cp1252"))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    posebridge.errors.FormatError: a.json: line 1 (byte 12): byte 0xDF is not UTF-8; ...
    """
    if looks_utf16(data):
        raise FormatError(path, not_utf8_message(data, spreadsheet=spreadsheet))
    at = first_bad_utf8(data)
    if at is not None:
        raise FormatError(path, not_utf8_message(data, at, spreadsheet=spreadsheet))


def not_utf8_message(data: bytes, at: int | None = None, *, spreadsheet: bool = True) -> str:
    """Say that text is not UTF-8: where (line and byte), which byte, the encoding it
    looks like (UTF-16, else Latin-1/cp1252), and how to save it as UTF-8.

    Parameters
    ----------
    data
        The file's bytes from its start (or as many as reach the bad byte, and
        the first 512 at least, to tell UTF-16).
    at
        The offset of the first byte that is not UTF-8 (found when not given).
    spreadsheet
        Whether the file is a table a spreadsheet saves (CSV): the message
        names Excel's ways of saving; else (JSON, YAML, XML) a text editor's
        and Windows PowerShell's.

    Returns
    -------
    str
        The message, to follow the file's name.

    Examples
    --------
    >>> print(not_utf8_message("a,b\\nnaße\\n".encode("cp1252")))  # doctest: +ELLIPSIS
    line 2 (byte 6): byte 0xDF is not UTF-8; the file looks like Latin-1/cp1252 text ...
    >>> print(not_utf8_message("a: naße".encode("cp1252"), spreadsheet=False))
    ... # doctest: +NORMALIZE_WHITESPACE
    line 1 (byte 5): byte 0xDF is not UTF-8; the file looks like Latin-1/cp1252 text (as
    Windows editors save 'ANSI' text). posebridge reads UTF-8: save it as UTF-8 (a text
    editor: encoding UTF-8).
    """
    if at is None:  # the first byte that is not UTF-8, or a NUL (UTF-16 of ASCII is UTF-8)
        found = [first_bad_utf8(data), data.find(b"\x00")]
        at = min([k for k in found if k is not None and k >= 0], default=0)
    line = data.count(b"\n", 0, at) + 1
    byte = data[at : at + 1]
    shown = (
        "the end"
        if not byte
        else "a NUL byte (0x00) is not text"
        if byte == b"\x00"
        else f"byte 0x{byte[0]:02X} is not UTF-8"
    )
    if looks_utf16(data):
        bom = data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
        kind = (
            "UTF-16 text (it starts with a UTF-16 byte-order mark"
            if bom
            else "UTF-16 text (every other byte is NUL"
        ) + (
            "; Excel's 'Unicode Text' saves so)"
            if spreadsheet
            else "; Windows PowerShell 5's '>' and Out-File write so)"
        )
    elif spreadsheet:
        kind = "Latin-1/cp1252 text (as Excel's 'CSV (Comma delimited)' saves on Windows)"
    else:
        kind = "Latin-1/cp1252 text (as Windows editors save 'ANSI' text)"
    fix = "Excel: 'CSV UTF-8 (Comma delimited)'; a text editor" if spreadsheet else "a text editor"
    return (
        f"line {line} (byte {at}): {shown}; the file looks like {kind}. "
        f"posebridge reads UTF-8: save it as UTF-8 ({fix}: encoding UTF-8)."
    )


def refuse_empty_file(path: Path, expected: str) -> None:
    """Say that a zero-byte file is empty (rather than whatever a parser makes of it).

    Examples
    --------
    >>> refuse_empty_file(Path("poses.slp"), "a SLEAP .slp file")  # doctest: +SKIP
    FormatError: poses.slp: is empty (0 bytes); expected a SLEAP .slp file.
    """
    from posebridge.errors import FormatError

    if Path(path).is_file() and Path(path).stat().st_size == 0:
        raise FormatError(path, f"is empty (0 bytes); expected {expected}.")


def refuse_writing_onto_input(
    source: str | os.PathLike[str],
    target: str | os.PathLike[str],
    *,
    doing: str = "converting a file onto itself",
) -> None:
    """Refuse an output that is one of its own inputs (the same file, links followed).

    The input is what the tool that made it wrote (its layout, its names, what
    posebridge does not carry); replacing it by a conversion, a figure or a
    video, even with ``overwrite=True``, would lose that.

    Parameters
    ----------
    source
        An input file (nothing is refused when it does not exist).
    target
        The output file.
    doing
        What writing there would be, for the message
        (``"writing the figure there"``).

    Raises
    ------
    PoseBridgeError
        ``<target>: is the input file (<source>); <doing> would replace the
        original: write to another file.``

    Examples
    --------
    >>> refuse_writing_onto_input(Path("a.h5"), Path("b.h5"))
    """
    from posebridge.errors import PoseBridgeError

    try:
        same = Path(target).exists() and os.path.samefile(source, target)
    except OSError:
        return
    if same:
        raise PoseBridgeError(
            f"{target}: is the input file ({source}); {doing} would replace the original: "
            "write to another file."
        )


def output_folder_problem(path: str | os.PathLike[str]) -> str | None:
    """Why the folder of an output file cannot hold it, or ``None`` when it is a folder.

    The nearest part of the folder's path that exists is looked at, so that
    ``afile/x.png``, where ``afile`` is a regular file, is said to be a file
    rather than a missing folder.

    Examples
    --------
    >>> output_folder_problem(Path("x.png")) is None
    True
    >>> output_folder_problem(Path("no-such-folder/x.png"))
    'the folder no-such-folder does not exist'
    """
    folder = Path(path).parent
    if folder.is_dir():
        return None
    for part in (folder, *folder.parents):
        if part.is_dir():
            break  # the nearest existing part is a folder: the ones below are missing
        if part.exists():
            kind = "a file" if part.is_file() else "not a folder (a pipe, socket or device)"
            return f"{part} is {kind}, not a folder"
        if part.is_symlink():
            return f"{part} {_unfollowable(part)}"
    return f"the folder {folder} does not exist"


def check_output_folder(path: str | os.PathLike[str]) -> None:
    """Refuse an output whose folder is missing or is a file (see :func:`output_folder_problem`).

    Raises
    ------
    FileNotFoundError
        ``<path>: the folder <folder> does not exist.`` or ``<path>: <part> is
        a file, not a folder.`` (also a built-in ``FileNotFoundError``).

    Examples
    --------
    >>> check_output_folder(Path("x.png"))
    """
    problem = output_folder_problem(path)
    if problem is not None:
        code = errno.ENOENT if problem.endswith("does not exist") else errno.ENOTDIR
        raise FileNotFoundError(code, f"{path}: {problem}.", str(path))


def refuse_long_names(path: Path) -> None:
    """Refuse a path with a part longer than the file system allows (255 bytes, usually).

    The operating system says only "File name too long"; this names the part.

    Examples
    --------
    >>> refuse_long_names(Path("poses.csv"))
    """
    from posebridge.errors import PoseBridgeError

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
