"""The data rows of a CSV file, found by one pass over its bytes and read by row ranges.

A streaming (chunked) CSV reader needs, before it reads any numbers, how many
rows the file has, where each range of rows starts, and the values of one
column that the dataset's coordinates come from (frame numbers). :func:`scan`
finds them in one pass over the bytes, with numpy (newline and comma
positions, the digits of the column), without parsing the numbers; then
:func:`row_bytes` gives the bytes of rows ``low:high``, which the family's own
parser turns into numbers (pandas' C parser, exactly as the eager reader).

Only plain tables are scanned: every data line holds the same number of
cells, no quotes, no blank lines, no lone carriage returns, and the column
asked for holds plain non-negative integers. Anything else raises
:class:`~posebridge.formats._shared.lazy.NotLazy`, and the caller reads the
file in memory, where the eager reader decides what it means.

Examples
--------
>>> rows, frames = scan(Path("video.csv"), start=120, width=37, int_field=0)  # doctest: +SKIP
>>> row_bytes(rows, 1000, 2000)[:20]  # doctest: +SKIP
b'1000,12.5,40.25,0.98'
"""

from __future__ import annotations

import csv
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from posebridge.errors import FormatError
from posebridge.formats._shared.lazy import NotLazy

__all__ = [
    "CsvRows",
    "other_delimiter",
    "refuse_other_delimiter",
    "refuse_repeated_columns",
    "refuse_wrong_widths",
    "row_bytes",
    "scan",
]

#: Bytes read per step of the scan.
SCAN_BYTES = 4 << 20
#: A byte offset is kept for every ``EVERY``-th row (a read starts at most this many rows early).
EVERY = 1024
_NEWLINE, _CR, _COMMA = 10, 13, 44


@dataclass(frozen=True)
class CsvRows:
    """Where the data rows of a scanned CSV file are.

    Attributes
    ----------
    path
        The file.
    n_rows
        Data rows.
    offsets
        Byte offset of rows ``0, EVERY, 2 * EVERY, ...``, then the end of the data.
    size, mtime_ns
        The file's size and modification time when scanned (a changed file is refused).
    """

    path: str
    n_rows: int
    offsets: np.ndarray
    size: int
    mtime_ns: int


def refuse_repeated_columns(path: Path | str, names: list[str], line: int = 1) -> None:
    """Refuse a header that names a column twice, naming it as the file spells it.

    pandas reads a repeated name as a renamed copy (``Nose_x``, ``Nose_x.1``), a
    name the file does not hold; the refusal names the column the file repeats.

    Raises
    ------
    FormatError
        ``line 1: column 'Nose_x' appears twice (columns 4 and 61); ...``

    Examples
    --------
    >>> refuse_repeated_columns(Path("t.csv"), ["fnum", "Nose_x", "Nose_x"])
    Traceback (most recent call last):
    ...
    posebridge.errors.FormatError: t.csv: line 1: column 'Nose_x' appears twice (columns 2 ...
    """
    seen: dict[str, int] = {}
    for at, name in enumerate(names, start=1):  # header cells: a few hundred at most
        if name in seen:
            raise FormatError(
                path,
                f"line {line}: column {name!r} appears twice (columns {seen[name]} and {at}); "
                "each column is given once.",
            )
        seen[name] = at


def refuse_wrong_widths(path: Path | str, data: bytes, width: int, first_line: int = 1) -> None:
    """Refuse a data row with more or fewer cells than the header, naming its line.

    pandas fills the missing cells of a short row with NaN, so a row missing
    a cell in its middle reads with every later value in the wrong column,
    and it drops the extra cells of a wide first row: both silently wrong.
    Every row's commas are counted at once (numpy). Commas and line breaks
    inside quotes are not separators: a quote character toggles quoting, so
    those after an odd number of quotes are skipped (an escaped quote, ``""``,
    toggles twice). Blank lines are skipped, as pandas skips them.

    Parameters
    ----------
    path
        The file, for the message.
    data
        The bytes of the data rows, starting at the start of a line.
    width
        Cells per row (the header's).
    first_line
        The file's line number of the first line of ``data`` (1-based).

    Raises
    ------
    FormatError
        Naming the first row of another width, its line and its cells.

    Examples
    --------
    >>> refuse_wrong_widths(Path("t.csv"), b"1,2,3\\n4,5\\n", 3, first_line=2)  # doctest: +SKIP
    Traceback (most recent call last):
    posebridge.errors.FormatError: t.csv: line 3: 2 cells where the header has 3.
    """
    text = np.frombuffer(data, dtype=np.uint8)
    breaks = np.flatnonzero(text == _NEWLINE)
    commas = np.flatnonzero(text == _COMMA)
    ends = breaks
    if b'"' in data:
        quotes = np.flatnonzero(text == ord('"'))
        commas = commas[np.searchsorted(quotes, commas) % 2 == 0]
        ends = breaks[np.searchsorted(quotes, breaks) % 2 == 0]
    if data and not data.endswith(b"\n"):
        ends = np.append(ends, len(data))
    starts = np.concatenate([[0], ends[:-1] + 1]).astype(np.int64)
    per_row = np.diff(np.searchsorted(commas, ends), prepend=0)
    carriage = (ends > starts) & (text[np.maximum(ends - 1, 0)] == _CR)
    blank = ends - starts - carriage == 0  # pandas skips blank lines
    wrong = np.flatnonzero((per_row != width - 1) & ~blank)
    if wrong.size:
        row = int(wrong[0])
        line = first_line + int(np.searchsorted(breaks, starts[row]))  # quoted breaks count
        cells = int(per_row[row]) + 1
        cut = row == ends.size - 1 and cells < width
        raise FormatError(
            path,
            f"line {line}: {cells} cell{'s' * (cells != 1)} where the header has {width}"
            + ("; the file may be cut short." if cut else "."),
        )


#: What saves a CSV file with another delimiter than a comma, by delimiter.
_OTHER_DELIMITERS = {
    ";": (
        "';'",
        "a spreadsheet set to a language whose decimal mark is a comma (Excel in much of "
        "Europe) saves CSV so, with ',' in its numbers",
    ),
    "\t": ("tabs", "Excel's 'Text (Tab delimited)' saves so"),
}


def other_delimiter(line: str, first: str | Callable[[list[str]], bool]) -> str | None:
    """The delimiter, ``;`` or a tab, that splits a header line into the format's header.

    For a CSV reader whose header line is not its format's with commas:
    whether the file is its format's, saved with another delimiter.

    Parameters
    ----------
    line
        The file's first line (decoded, without its line end).
    first
        The first cell of the format's header (``scorer``, ``track``), or a test
        of the whole header: it is given the cells, stripped of blanks.

    Returns
    -------
    str or None
        ``";"`` or ``"\\t"``, or ``None`` when neither gives the format's header.

    Examples
    --------
    >>> other_delimiter("scorer;DLC_resnet50;DLC_resnet50", "scorer")
    ';'
    >>> other_delimiter("scorer,DLC_resnet50", "scorer") is None
    True
    >>> other_delimiter("a\\tb", lambda cells: cells == ["a", "b"])
    '\\t'
    """
    for delimiter in _OTHER_DELIMITERS:
        cells = [cell.strip(" \t") for cell in next(csv.reader([line], delimiter=delimiter), [])]
        if len(cells) < 2:
            continue
        if cells[0] == first if isinstance(first, str) else first(cells):
            return delimiter
    return None


def refuse_other_delimiter(path: Path | str, line: str, first: str, title: str) -> None:
    """Refuse a CSV file saved with ``;`` or tabs between its cells rather than commas.

    Parameters
    ----------
    path
        The file, for the message.
    line
        Its first line (decoded).
    first
        The first cell of the format's header (see :func:`other_delimiter`).
    title
        The format's name, for the message (``"DeepLabCut CSV"``).

    Raises
    ------
    FormatError
        Saying which delimiter the file uses, what saves files so, and how to
        save it with commas; nothing when the line is not so delimited.

    Examples
    --------
    >>> refuse_other_delimiter("a.csv", "track;frame_idx", "track", "SLEAP CSV")
    ... # doctest: +ELLIPSIS, +NORMALIZE_WHITESPACE
    Traceback (most recent call last):
    ...
    posebridge.errors.FormatError: a.csv: line 1: looks ';'-delimited: its cells are
    separated by ';', not commas ...
    """
    delimiter = other_delimiter(line, first)
    if delimiter is None:
        return
    shown, why = _OTHER_DELIMITERS[delimiter]
    name = "tab" if delimiter == "\t" else shown
    raise FormatError(
        path,
        f"line 1: looks {name}-delimited: its cells are separated by {shown}, not commas "
        f"({line[:60]!r}); {why}. {title} files are comma-separated, with '.' as the "
        "decimal mark: export the file again from the tool that made it, or save it with "
        "',' between cells and '.' in numbers (Excel takes both from the computer's region "
        "settings: list separator, decimal symbol).",
    )


def _digits(data: np.ndarray, low: np.ndarray, high: np.ndarray) -> np.ndarray:
    """The non-negative integers spelled by ``data[low[i]:high[i]]`` (else :class:`NotLazy`)."""
    if low.size == 0:
        return np.zeros(0, dtype=np.int64)
    length = high - low
    if length.min() < 1 or length.max() > 18:
        raise NotLazy("an index cell is empty or too long")
    at = np.arange(int(length.max()))
    inside = at < length[:, None]
    where = np.where(inside, low[:, None] + at, low[:, None])
    digit = data[where].astype(np.int64) - ord("0")
    if ((digit < 0) | (digit > 9))[inside].any():
        raise NotLazy("an index cell is not a plain integer")
    power = np.where(inside, length[:, None] - 1 - at, 0)
    return np.where(inside, digit * 10**power, 0).sum(axis=1)


def _lines(text: bytes, width: int, int_field: int | None) -> tuple[np.ndarray, np.ndarray | None]:
    """Line starts (and the integer column) of ``text``, whole lines ending in a newline."""
    if b'"' in text:
        raise NotLazy("quoted cells")
    data = np.frombuffer(text, dtype=np.uint8)
    ends = np.flatnonzero(data == _NEWLINE)
    starts = np.empty_like(ends)
    starts[:1] = 0
    starts[1:] = ends[:-1] + 1
    cr = (ends > starts) & (data[np.maximum(ends - 1, 0)] == _CR)
    if text.count(b"\r") != np.count_nonzero(cr):
        raise NotLazy("carriage returns inside lines")
    text_ends = ends - cr
    if (text_ends == starts).any():
        raise NotLazy("blank lines")
    commas = np.flatnonzero(data == _COMMA)
    n = ends.size
    if commas.size != n * (width - 1):
        raise NotLazy("rows of different widths")
    if width > 1:
        first = np.searchsorted(commas, starts)
        if not np.array_equal(first, np.arange(n) * (width - 1)):
            raise NotLazy("rows of different widths")
    if int_field is None:
        return starts, None
    grid = commas.reshape(n, width - 1)
    low = starts if int_field == 0 else grid[:, int_field - 1] + 1
    high = text_ends if int_field == width - 1 else grid[:, int_field]
    return starts, _digits(data, low, high)


def scan(
    path: Path, start: int, width: int, int_field: int | None = None
) -> tuple[CsvRows, np.ndarray | None]:
    """Find the data rows of a CSV file from byte ``start`` on, in one pass over its bytes.

    Parameters
    ----------
    path
        The CSV file.
    start
        Byte offset of the first data row (after the header lines).
    width
        Cells per row.
    int_field
        A column of plain non-negative integers to read too (frame numbers), or ``None``.

    Returns
    -------
    tuple
        The :class:`CsvRows` and the integer column (int64), or ``None``.

    Raises
    ------
    NotLazy
        When the rows are not a plain table (see the module's notes) or there are none.

    Examples
    --------
    >>> rows, frames = scan(Path("video.csv"), 120, 37, 0)  # doctest: +SKIP
    """
    path = Path(path)
    stat = path.stat()
    offsets: list[np.ndarray] = []
    numbers: list[np.ndarray] = []
    n_rows, at, carry = 0, start, b""
    with open(path, "rb") as handle:
        handle.seek(start)
        while True:
            block = handle.read(SCAN_BYTES)
            buffer = carry + block if carry else block
            if not block:  # the end: a last line without its newline
                if not buffer:
                    break
                buffer += b"\n"
            complete = buffer.rfind(b"\n") + 1
            carry = buffer[complete:] if block else b""
            if complete == 0:
                if len(carry) > 4 * SCAN_BYTES:
                    raise NotLazy("a very long line")
                continue
            starts, column = _lines(
                buffer[:complete] if complete < len(buffer) else buffer, width, int_field
            )
            kept = (n_rows + np.arange(starts.size)) % EVERY == 0
            offsets.append(at + starts[kept])
            if column is not None:
                numbers.append(column)
            n_rows += starts.size
            at += complete
            if not block:
                break
    if n_rows == 0:
        raise NotLazy("no data rows")
    ends = np.concatenate([*offsets, [min(at, stat.st_size)]]).astype(np.int64)
    # absolute: a dask worker (or the user after os.chdir) reads from another folder
    rows = CsvRows(os.path.abspath(path), n_rows, ends, stat.st_size, stat.st_mtime_ns)
    column = np.concatenate(numbers).astype(np.int64) if int_field is not None else None
    return rows, column


def row_bytes(rows: CsvRows, low: int, high: int) -> bytes:
    """The bytes of data rows ``low:high`` (whole lines).

    Raises
    ------
    FormatError
        When the file changed since it was scanned.

    Examples
    --------
    >>> row_bytes(rows, 0, 2)  # doctest: +SKIP
    b'0,1.5,2.5\\n1,3.5,4.5\\n'
    """
    stat = os.stat(rows.path)
    if (stat.st_size, stat.st_mtime_ns) != (rows.size, rows.mtime_ns):
        raise FormatError(rows.path, "changed while it was being read; read it again.")
    high = min(high, rows.n_rows)
    if high <= low:
        return b""
    first, last = low // EVERY, -(-high // EVERY)
    begin = int(rows.offsets[first])
    end = int(rows.offsets[min(last, rows.offsets.size - 1)])
    with open(rows.path, "rb") as handle:
        handle.seek(begin)
        buffer = handle.read(end - begin)
    skip, take = low - first * EVERY, high - low
    data = np.frombuffer(buffer, dtype=np.uint8)
    newlines = np.flatnonzero(data == _NEWLINE)
    cut_from = int(newlines[skip - 1]) + 1 if skip else 0
    cut_to = int(newlines[skip + take - 1]) + 1 if skip + take <= newlines.size else len(buffer)
    return buffer[cut_from:cut_to]
