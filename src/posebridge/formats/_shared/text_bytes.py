"""Text bytes in readers: encodings that are not UTF-8, line ends, end-of-file markers.

Used by every family that reads text (CSV, JSON, YAML, label files), by detection
(:class:`posebridge._files.Peek`) and by batch manifests: telling UTF-16 and other
encodings from UTF-8 and naming the first byte that is not UTF-8, where a text's
own end is (NUL padding, a DOS Ctrl-Z), how large a text is, bare carriage
returns (old Macintosh line ends), and a last line without its line end (a copy cut
short).
"""

from __future__ import annotations

import codecs
import warnings
from pathlib import Path
from typing import BinaryIO

from posebridge.errors import FormatError, user_stacklevel

__all__ = [
    "DOUBLED_LINE_END",
    "EOF_MARKER",
    "first_bad_utf8",
    "looks_utf16",
    "loose_first_line",
    "not_utf8_error",
    "not_utf8_message",
    "refuse_bare_carriage_returns",
    "refuse_not_utf8",
    "text_end",
    "text_size",
    "utf16_codec",
    "warn_if_unended",
]


def utf16_codec(head: bytes) -> str:
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
        text = head[: len(head) // 2 * 2].decode(utf16_codec(head), errors="replace")
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


#: The line end of a CSV file written by Python's csv module (``\r\n``) through a file
#: opened in text mode on Windows without ``newline=""``, which turns ``\n`` into ``\r\n``.
DOUBLED_LINE_END = b"\r\r\n"


#: How far a first line longer than the head read is followed to its end (a wide CSV
#: header: thousands of columns), one chunk at a time.
_LONGEST_FIRST_LINE = 1 << 24
_LINE_CHUNK = 1 << 20


def _line_end_beyond(handle: BinaryIO, start: int) -> bytes:
    """Up to 3 bytes of the file from its first carriage return or line feed at or after
    ``start`` (the end of a head that holds neither: a first line longer than it); ``b""``
    when there is none within :data:`_LONGEST_FIRST_LINE` bytes. Reads the first line, no
    further than the chunk that ends it.
    """
    offset = start
    handle.seek(offset)
    while offset < _LONGEST_FIRST_LINE:
        chunk = handle.read(_LINE_CHUNK)
        if not chunk:
            return b""
        ends = [at for at in (chunk.find(b"\r"), chunk.find(b"\n")) if at >= 0]
        if ends:
            handle.seek(offset + min(ends))
            return handle.read(3)
        offset += len(chunk)
    return b""


def _refuse_carriage_returns(
    path: Path, head: bytes, doubled_line_ends: bool, line_end: bytes = b""
) -> None:
    """Refuse lines that end in a carriage return alone (see the caller); ``line_end`` is
    how the first line ends when it is longer than ``head`` (:func:`_line_end_beyond`)."""
    from posebridge.errors import FormatError

    if (kind := binary_kind(head)) is not None:  # its bytes hold lone carriage returns
        raise FormatError(path, _binary_message(kind))
    at = head.find(b"\r")
    if at < 0 and line_end.startswith(b"\r"):  # the first line is longer than the head
        head, at = line_end, 0
    if at >= 0 and head[at : at + 3] == DOUBLED_LINE_END:
        if doubled_line_ends:
            return
        raise FormatError(
            path,
            "line 1: its lines end in \\r\\r\\n (a carriage return doubled: Python's csv "
            "module writing to a file opened on Windows without newline=''); save it with "
            "\\n or \\r\\n line endings.",
        )
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
    doubled_line_ends: bool = False,
    spreadsheet: bool = True,
) -> int:
    """The size of a text file's text, after checking how its lines and the file end.

    Refused, naming the file: lines that end in a carriage return alone (see
    :func:`refuse_bare_carriage_returns`), text that looks like UTF-16, NUL
    bytes after the last line (damage: a copy or save cut short, a disk that
    filled up), and Ctrl-Z bytes other than one end-of-file marker after the
    last line end. Only the file's first 64 KiB and last 4 KiB are read, and
    when the first line is longer than 64 KiB (a wide CSV header), the rest of it,
    for its line end.

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
    doubled_line_ends
        Whether the caller reads lines that end in ``\r\r\n`` (see
        :data:`DOUBLED_LINE_END`) as lines; otherwise they are refused, saying so.
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
        line_end = b""
        long_first_line = b"\r" not in head and b"\n" not in head and size > len(head)
        if long_first_line and not lone_carriage_returns and not looks_utf16(head):
            line_end = _line_end_beyond(handle, len(head))  # a wide header's line end
    if looks_utf16(head):  # its line ends look like lone carriage returns or NULs
        from posebridge.errors import FormatError

        raise FormatError(path, not_utf8_message(head, spreadsheet=spreadsheet))
    if not lone_carriage_returns:
        _refuse_carriage_returns(path, head, doubled_line_ends, line_end)
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
        For NUL bytes or Ctrl-Z bytes at the end; a binary file (HDF5, zip, ...:
        its signature, checked first) that ends with NUL bytes is said to be one,
        not damaged text.

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
        if (kind := binary_kind(head)) is not None:  # not damaged text: no text at all
            raise FormatError(path, _binary_message(kind))
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


#: The first bytes of binary files a text reader may be given by mistake, and their names.
_BINARY_MAGIC = (
    (b"\x89HDF\r\n\x1a\n", "an HDF5 file (the container of .h5, .slp, .nwb and .nc files)"),
    (b"PK\x03\x04", "a zip archive (the container of .npz files)"),
    (b"\x1f\x8b", "gzip-compressed"),
    (b"\x93NUMPY", "a numpy .npy file"),
    (b"MATLAB ", "a MATLAB .mat file"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
)


def binary_kind(head: bytes) -> str | None:
    r"""What binary file ``head`` (a file's first bytes) begins, or None.

    Examples
    --------
    >>> binary_kind(b"\x89HDF\r\n\x1a\n..."), binary_kind(b"scorer,DLC")
    ('an HDF5 file (the container of .h5, .slp, .nwb and .nc files)', None)
    """
    return next((name for magic, name in _BINARY_MAGIC if head.startswith(magic)), None)


def _binary_message(kind: str) -> str:
    return (
        f"is {kind}, not text: this reader reads text (CSV, JSON, YAML). Is it the file "
        "meant, "
        "or a file of another format?"
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
    if (kind := binary_kind(data)) is not None:
        return _binary_message(kind)
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


def warn_if_unended(path: Path, end: int, source_software: str) -> None:
    """Warn when the data's last line (ending at byte ``end``) has no line end.

    Every tool's writer ends its last row; a copy cut inside its last cell
    reads a value that lost digits. An empty last cell has nothing to lose.

    Examples
    --------
    >>> warn_if_unended(Path("video1DLC.csv"), 1024, "DeepLabCut")  # doctest: +SKIP
    """
    if end <= 0:
        return
    with open(path, "rb") as handle:
        handle.seek(end - 1)
        final = handle.read(1)
    if final not in (b"\n", b"\r", b","):
        warnings.warn(
            f"{path}: its last line has no line end. If the file was cut short (an "
            "interrupted copy or download), the last value of that line may have lost "
            f"digits: re-export it from {source_software}. A file saved so by an editor "
            "or a script is read as it is.",
            UserWarning,
            stacklevel=user_stacklevel(),
        )
