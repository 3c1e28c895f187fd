"""DeepLabCut-style CSV files: the data rows, read fast and exactly.

The header lines are parsed by :mod:`posebridge.formats.dlc.csv_header`; the
rows after them (index cell(s), then numbers; NaN is an empty cell) are read
here by pandas' C parser, in threads over byte ranges of a large file, with
every cell that is not a number and every row of the wrong width refused,
naming its line.
"""

from __future__ import annotations

import contextlib
import csv
import io
import itertools
from pathlib import Path

import numpy as np
import pandas as pd

from posebridge._recorded_warnings import dropping_warnings
from posebridge._threads import map_on_threads, usable_cores
from posebridge.errors import FormatError, PoseBridgeError
from posebridge.formats._shared import csv_rows
from posebridge.formats._shared.text_bytes import warn_if_unended
from posebridge.formats.dlc import layout as table
from posebridge.formats.dlc.csv_header import CsvHeader, read_header, unpadded

__all__ = [
    "bad_cell",
    "read_table",
    "refuse_cells_not_numbers",
    "warn_if_unended",
]

_PANDAS_3 = int(pd.__version__.split(".")[0]) >= 3
_COMMA, _QUOTE = ord(","), ord('"')


def _last_line_width(path: Path, end: int) -> int | None:
    """How many cells the last line before byte ``end`` has (``None``: no data lines)."""
    with open(path, "rb") as handle:
        size = end
        tail = b""
        step = 65536
        while size > 0:
            start = max(0, size - step)
            handle.seek(start)
            tail = handle.read(size - start) + tail
            size = start
            if tail.rstrip(b"\r\n").count(b"\n") >= 1:
                break
    lines = tail.rstrip(b"\r\n").splitlines()
    if not lines:
        return None
    return len(next(csv.reader([lines[-1].decode("utf-8", errors="replace")])))


class _ByteRange(io.RawIOBase):
    """A read-only view of bytes ``start:end`` of a file (one reader thread's share)."""

    def __init__(self, path: Path, start: int, end: int) -> None:
        super().__init__()
        self._file = open(path, "rb")  # noqa: SIM115 - closed in close()
        self._file.seek(start)
        self._left = end - start
        self.commas = 0  # counted on the way (see _refuse_short_rows)
        self.quoted = False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        size = min(len(buffer), self._left)
        if size <= 0:
            return 0
        view = memoryview(buffer)[:size]
        got = self._file.readinto(view) or 0
        self._left -= got
        commas, quoted = _marks(view[:got])
        self.commas += commas
        self.quoted = self.quoted or quoted
        return got

    def close(self) -> None:
        self._file.close()
        super().close()


class _Mismatch(Exception):
    """The parallel read did not see the rows the newline count promised."""


class _IntegerColumn(Exception):
    """A chunk's column was inferred as integers: a ``-0`` cell would have lost its sign."""


class _NotFloats(Exception):
    """A bodypart column was inferred as something else than floats (text, True/False),
    or read as floats holding only 0, 1 and NaN (what pandas makes of True/False cells):
    the file is read again by :func:`_read_whole`, which finds the cell that is not a
    number, if one is."""


_PARALLEL_MIN_BYTES = 4 * 1024 * 1024
_CHUNK_ROWS = 5000


def _refuse_wide_first_row(path: Path, offset: int, line: int, width: int) -> None:
    """Refuse a first parsed row with more cells than the header.

    pandas, given the column names, drops the extra cells of the first row of
    what it parses (with only a warning), while it refuses any later wide row:
    a number there would be lost silently.
    """
    with open(path, "rb", buffering=0) as handle:
        handle.seek(offset)
        text = _readline(handle).decode("utf-8", errors="replace")
    cells = next(csv.reader([text]), [])
    if len(cells) > width:
        raise FormatError(path, f"line {line}: {len(cells)} cells where the header has {width}.")


def _refuse_short_rows(
    path: Path,
    start: int,
    end: int,
    first_line: int,
    width: int,
    values: np.ndarray,
    texts: dict[int, np.ndarray],
    pose_at: list[int],
    counted: tuple[int, bool] | None = None,
) -> None:
    """Refuse a data row (bytes ``start:end``) with fewer cells than the header, naming
    its line.

    pandas reads the missing cells of a short row as NaN, so a row missing a
    cell in its middle would read with every later value in the wrong column.
    Such a row has an empty last cell, so nothing is counted unless a last
    cell is empty (never in DeepLabCut's predictions, whose last cell is a
    likelihood). Then the data's commas are counted (numpy, block by block,
    or as the reader read the bytes: ``counted``). No row is wider than the
    header (pandas refuses those; the first row of each parse is checked
    before), so as many commas as ``rows x (width - 1)`` means no row is
    shorter either. Only a file with quotes or another count has every row's
    cells counted (:func:`~posebridge.formats._shared.csv_rows.refuse_wrong_widths`).
    """
    last = width - 1
    if last in pose_at:
        empty = bool(np.isnan(values[:, pose_at.index(last)]).any())
    else:
        column = texts[last]
        empty = column.dtype.kind not in "iu" and bool((column == "nan").any())
    if not empty:
        return
    commas, quoted = counted or _commas(path, start, end)
    if quoted or commas != values.shape[0] * (width - 1):
        with open(path, "rb") as handle:
            handle.seek(start)
            csv_rows.refuse_wrong_widths(path, handle.read(end - start), width, first_line)


def _commas(path: Path, start: int, end: int) -> tuple[int, bool]:
    """The commas from byte ``start`` to ``end``, and whether a quote is there too."""
    commas, quoted = 0, False
    buffer = bytearray(1 << 22)
    with open(path, "rb", buffering=0) as handle:
        handle.seek(start)
        left = end - start
        while left > 0 and (got := handle.readinto(memoryview(buffer)[: min(left, len(buffer))])):
            left -= got
            block_commas, block_quoted = _marks(memoryview(buffer)[:got])
            commas += block_commas
            quoted = quoted or block_quoted
    return commas, quoted


def _marks(block: memoryview) -> tuple[int, bool]:
    """Commas in ``block``, and whether it holds a quote (numpy: ten times ``bytes.count``)."""
    data = np.frombuffer(block, dtype=np.uint8)
    return int(np.count_nonzero(data == _COMMA)), bool((data == _QUOTE).any())


def _data_start(path: Path, skip: int) -> int:
    with open(path, "rb") as handle:
        for _ in range(skip):
            handle.readline()
        return handle.tell()


def _split(path: Path, start: int, stop: int, parts: int) -> list[tuple[int, int, int]]:
    """(first byte, end byte, rows) of ``parts`` newline-aligned ranges of the data
    (bytes ``start:stop``)."""
    size = stop
    bounds = [start]
    buffer = bytearray(1 << 22)
    with open(path, "rb", buffering=0) as handle:
        for k in range(1, parts):
            handle.seek(start + (size - start) * k // parts)
            position = handle.tell() + len(_readline(handle))
            if bounds[-1] < position < size:
                bounds.append(position)
        bounds.append(size)
        ranges = []
        for first, end in itertools.pairwise(bounds):
            handle.seek(first)
            left, rows, last = end - first, 0, 10
            while left > 0:
                got = handle.readinto(memoryview(buffer)[: min(left, len(buffer))])
                if not got:
                    break
                rows += buffer.count(b"\n", 0, got)
                left -= got
                last = buffer[got - 1]
            ranges.append((first, end, rows + (last != 10)))
    return ranges


def _readline(handle: io.RawIOBase) -> bytes:
    """The rest of the current line of an unbuffered file (through its newline)."""
    line = b""
    while not line.endswith(b"\n"):
        block = handle.read(4096)
        if not block:
            return line
        cut = block.find(b"\n")
        if cut >= 0:
            return line + block[: cut + 1]
        line += block
    return line


def _read_options() -> dict[str, object]:
    options: dict[str, object] = {"header": None, "index_col": False, "encoding": "utf-8"}
    if not _PANDAS_3:
        options["float_precision"] = "round_trip"  # pandas 3's default parser is exact
    return options


def _index_as_text(header: CsvHeader) -> dict[int, type]:
    """The column types that keep a labelled-data index's cells as written.

    An index of several columns (DeepLabCut >= 2.3's ``labeled-data``, video folder,
    image name) is text: a folder ``01`` or an image ``0001`` would otherwise be
    parsed as the number 1 and written back so. One index column is the frame
    number (or one path), whose type is inferred.
    """
    return dict.fromkeys(range(header.n_index), str) if header.n_index > 1 else {}


def _numbers(column: pd.Series, path: Path) -> np.ndarray:
    """A bodypart column pandas parsed, as float64; one of another type (text, True/False,
    which would read as 1/0) raises :class:`_NotFloats`."""
    if column.dtype.kind != "f":
        raise _NotFloats
    return column.to_numpy(dtype=np.float64, na_value=np.nan)


#: Rows per step of :func:`_zero_one_columns` (it stops once every column is ruled out).
_ZERO_ONE_ROWS = 4096


def _zero_one_columns(values: np.ndarray) -> list[int]:
    """The columns of ``values`` holding 0 and 1 only (and NaN), at least one of them.

    pandas parses a column of ``True``/``False`` cells (and empty ones) asked for
    as floats into 1.0/0.0 without a word: such columns are looked at as text
    (:func:`refuse_cells_not_numbers`). Coordinates and likelihoods are hardly
    ever all 0 and 1; the check stops at the first rows that rule every column out.

    Examples
    --------
    >>> _zero_one_columns(np.array([[1.0, 0.5, np.nan], [0.0, 1.0, np.nan]]))
    [0]
    """
    n_rows, n_columns = values.shape
    possible = np.arange(n_columns)  # the columns not ruled out yet
    seen = np.zeros(n_columns, dtype=bool)
    for low in range(0, n_rows, _ZERO_ONE_ROWS):  # a loop over blocks of rows
        block = values[low : low + _ZERO_ONE_ROWS, possible]
        present = ~np.isnan(block)
        seen[possible] |= present.any(axis=0)
        possible = possible[~((block != 0) & (block != 1) & present).any(axis=0)]
        if not possible.size:
            return []
    return possible[seen[possible]].tolist()


#: pandas' default words for True and False, which it reads as 1.0 / 0.0 in a float column.
_BOOL_WORDS = ("True", "TRUE", "true", "False", "FALSE", "false")


def _record_lines(data: bytes, first_line: int) -> np.ndarray:
    """The file's line (1-based) where each record of ``data`` starts (blank lines are
    records; a line break inside quotes is not a record's end)."""
    text = np.frombuffer(data, dtype=np.uint8)
    breaks = np.flatnonzero(text == ord("\n"))
    ends = breaks
    if b'"' in data:
        quotes = np.flatnonzero(text == _QUOTE)
        ends = breaks[np.searchsorted(quotes, breaks) % 2 == 0]
    starts = np.concatenate([[0], ends + 1])
    starts = starts[starts < len(data)]
    return first_line + np.searchsorted(breaks, starts)


def bad_cell(
    data: bytes,
    width: int,
    check_at: list[int],
    first_line: int,
    columns: list[tuple[str, ...]],
    n_index: int,
) -> str | None:
    """Where the first cell of ``data`` (data rows of a DeepLabCut CSV) that is not a
    number is, in the columns ``check_at``: its line and column, and what it holds.

    An empty cell and pandas' words for a missing value (``nan``, ``NA``...) are
    no number, and fine; ``True``/``False`` are not numbers (pandas reads a column
    of them as 1/0). ``None`` when every cell is a number (or the text does not
    parse: the caller says what it knows).

    Examples
    --------
    >>> bad_cell(
    ...     b"0,1.5,2\\n1,abc,3\\n", 3, [1, 2], 4, [("s", "nose", "x"), ("s", "nose", "y")], 1
    ... )
    "line 5, column 2 (s, nose, x): expected a number or an empty cell, found 'abc'."
    """
    try:
        text = pd.read_csv(
            io.BytesIO(data),
            header=None,
            names=list(range(width)),
            usecols=check_at,
            dtype=str,
            skip_blank_lines=False,
            encoding="utf-8",
        )
    except (ValueError, pd.errors.ParserError, UnicodeDecodeError):
        return None
    first: tuple[int, int] | None = None
    for j in check_at:  # one vectorised check per column
        cells = text[j]
        present = cells.notna().to_numpy()
        numbers = pd.to_numeric(cells.where(cells.notna(), "nan"), errors="coerce")
        bad = np.flatnonzero(present & numbers.isna().to_numpy())
        if bad.size and (first is None or int(bad[0]) < first[0]):
            first = (int(bad[0]), j)
    if first is None:
        return None
    row, j = first
    lines = _record_lines(data, first_line)
    line = int(lines[row]) if row < lines.size else first_line + row
    found = str(text[j].iloc[row])
    flag = (
        " (True/False is a flag, not a coordinate or a likelihood)"
        if found.strip() in _BOOL_WORDS
        else ""
    )
    label = ", ".join(columns[j - n_index]) if 0 <= j - n_index < len(columns) else ""
    named = f" ({label})" if label else ""
    return (
        f"line {line}, column {j + 1}{named}: expected a number or an empty cell, "
        f"found {found[:40]!r}{flag}."
    )


def refuse_cells_not_numbers(
    path: Path,
    data: bytes,
    values: np.ndarray,
    pose_at: list[int],
    width: int,
    first_line: int,
    columns: list[tuple[str, ...]],
    n_index: int,
) -> None:
    """Refuse ``True``/``False`` cells that pandas read as 1/0 in bodypart columns.

    ``values`` are the parsed numbers of the columns ``pose_at`` of ``data``;
    only columns of 0, 1 and NaN are looked at as text (:func:`_zero_one_columns`).

    Raises
    ------
    FormatError
        Naming the file, the line and the column of the first such cell.

    Examples
    --------
    >>> refuse_cells_not_numbers(
    ...     Path("t.csv"), b"0,True\\n", np.ones((1, 1)), [1], 2, 4, [("s", "nose", "x")], 1
    ... )
    Traceback (most recent call last):
    ...
    posebridge.errors.FormatError: t.csv: line 4, column 2 (s, nose, x): expected a number ...
    """
    suspects = _zero_one_columns(values)
    if not suspects:
        return
    where = bad_cell(data, width, [pose_at[k] for k in suspects], first_line, columns, n_index)
    if where is not None:
        raise FormatError(path, where)


def _texts(pieces: list[np.ndarray]) -> np.ndarray:
    if pieces and all(p.dtype.kind in "iu" for p in pieces):
        return np.concatenate(pieces).astype(np.int64)
    cells = np.concatenate([np.asarray(p, dtype=object) for p in pieces])
    return np.where(pd.isna(cells), "", cells).astype(str)  # an empty cell is '', not 'nan'


def _read_parallel(
    path: Path,
    width: int,
    pose_at: list[int],
    other_at: list[int],
    ranges: list[tuple[int, int, int]],
    floats: bool = False,
    text_columns: dict[int, type] | None = None,
) -> tuple[np.ndarray, dict[int, np.ndarray], tuple[int, bool]]:
    """Parse byte ranges in threads, each in chunks, into one preallocated array.

    Column types are inferred, which is faster than asking for floats, unless
    ``floats``; a column inferred as integers raises :class:`_IntegerColumn`
    (a ``-0`` cell would have become ``0``), and the caller asks for floats.
    Also returns the data's commas and whether it has a quote, counted on the
    way (:func:`_refuse_short_rows`). ``text_columns``: :func:`_index_as_text`'s.
    """
    options = _read_options()
    types: dict[int, type] = dict(text_columns or {})
    if floats:
        types.update(dict.fromkeys(pose_at, np.float64))
    if types:
        options["dtype"] = types
    offsets = np.cumsum([0] + [rows for _, _, rows in ranges])
    values = np.empty((int(offsets[-1]), len(pose_at)), dtype=np.float64)
    texts: list[dict[int, list[np.ndarray]]] = [{j: [] for j in other_at} for _ in ranges]

    counted: list[tuple[int, bool]] = []

    def work(part: int) -> None:
        first, end, _ = ranges[part]
        at = int(offsets[part])
        source = _ByteRange(path, first, end)
        with (
            io.BufferedReader(source, 1 << 20) as handle,
            pd.read_csv(
                handle, names=list(range(width)), chunksize=_CHUNK_ROWS, **options
            ) as reader,
        ):
            for chunk in reader:
                n = len(chunk)
                if at + n > offsets[part + 1]:
                    raise _Mismatch
                for k, j in enumerate(pose_at):
                    column = chunk[j]
                    if column.dtype.kind in "iu":
                        raise _IntegerColumn
                    values[at : at + n, k] = _numbers(column, path)
                if floats and _zero_one_columns(values[at : at + n]):
                    raise _NotFloats  # True/False cells, maybe: _read_whole finds them
                for j in other_at:
                    texts[part][j].append(chunk[j].to_numpy())
                at += n
        if at != offsets[part + 1]:
            raise _Mismatch
        counted.append((source.commas, source.quoted))

    map_on_threads(work, range(len(ranges)), workers=len(ranges))
    commas = sum(c for c, _ in counted), any(q for _, q in counted)
    return values, {j: _texts([piece for t in texts for piece in t[j]]) for j in other_at}, commas


def _read_inferred(
    path: Path,
    start: int,
    end: int,
    header: CsvHeader,
    width: int,
    pose_at: list[int],
    other_at: list[int],
) -> tuple[np.ndarray, dict[int, np.ndarray], tuple[int, bool] | None]:
    """The whole table by pandas' C parser with inferred column types (its fastest path).

    What one core reads best: no threads, no chunks. The data rows (bytes
    ``start:end``) are handed to pandas through :class:`_ByteRange`, which
    counts the commas on the way (measured faster than pandas reading the
    path itself). A bodypart column inferred as integers would have lost the
    sign of a ``-0`` cell: then the file is read again with float64 columns
    (:func:`_read_whole`, which counts nothing: ``None``).
    """
    source = _ByteRange(path, start, end)
    try:
        # a column of text in some of the parser's blocks and numbers in others (a cell
        # that is not a number) warns of mixed types: it is refused below, naming the
        # cell, and pandas' advice (dtype=, low_memory=False) is not the user's
        with (
            io.BufferedReader(source, 1 << 20) as handle,
            dropping_warnings(pd.errors.DtypeWarning),
        ):
            frame = pd.read_csv(
                handle,
                names=list(range(width)),
                dtype=_index_as_text(header) or None,
                **_read_options(),
            )
    except pd.errors.EmptyDataError:
        return (*_read_whole(path, end, header, width, pose_at, other_at), None)
    if any(frame[j].dtype.kind != "f" for j in pose_at):  # integers, True/False, text
        return (*_read_whole(path, end, header, width, pose_at, other_at), None)
    values = np.empty((len(pose_at), len(frame)), dtype=np.float64)
    for k, j in enumerate(pose_at):
        values[k] = _numbers(frame[j], path)
    texts = {j: _texts([frame[j].to_numpy()]) for j in other_at}
    return values.T, texts, (source.commas, source.quoted)


def _read_whole(
    path: Path,
    end: int,
    header: CsvHeader,
    width: int,
    pose_at: list[int],
    other_at: list[int],
) -> tuple[np.ndarray, dict[int, np.ndarray]]:
    """The table of the file's first ``end`` bytes (its text) after the header's lines,
    by pandas with float64 bodypart columns (True/False cells refused, see
    :func:`refuse_cells_not_numbers`)."""
    skip = header.skip
    # small files: no type inference needed
    floats: dict[int, type] = {**_index_as_text(header), **dict.fromkeys(pose_at, np.float64)}
    whole = end == path.stat().st_size
    try:  # a file with an end-of-file marker after its text: the text only
        with (
            (
                contextlib.nullcontext(path)
                if whole
                else io.BufferedReader(_ByteRange(path, 0, end), 1 << 20)
            ) as source,
            # an index column of numbers and a word (a damaged frame number) warns of
            # mixed types: the table step refuses it, naming the row
            dropping_warnings(pd.errors.DtypeWarning),
        ):
            frame = pd.read_csv(
                source, skiprows=skip, names=list(range(width)), dtype=floats, **_read_options()
            )
    except pd.errors.EmptyDataError:
        frame = pd.DataFrame({j: pd.Series(dtype=np.float64) for j in range(width)})
    values = np.empty((len(frame), len(pose_at)), dtype=np.float64)
    for k, j in enumerate(pose_at):
        values[:, k] = _numbers(frame[j], path)
    if _zero_one_columns(values):
        start = _data_start(path, skip)
        refuse_cells_not_numbers(
            path,
            _data_bytes(path, start, end),
            values,
            pose_at,
            width,
            skip + 1,
            header.columns,
            header.n_index,
        )
    return values, {j: _texts([frame[j].to_numpy()]) for j in other_at}


def _without_empty_rows(
    values: np.ndarray, texts: dict[int, np.ndarray]
) -> tuple[np.ndarray, dict[int, np.ndarray]]:
    """The rows that have a cell filled: a row of empty cells only (``,,,``, which a
    spreadsheet saves after the data) is skipped as a blank line is.

    Examples
    --------
    >>> values = np.array([[1.0, 2.0], [np.nan, np.nan]])
    >>> kept, texts = _without_empty_rows(values, {0: np.array(["0", ""])})
    >>> kept.tolist(), texts[0].tolist()
    ([[1.0, 2.0]], ['0'])
    """
    empty = np.isnan(values).all(axis=1)
    for cells in texts.values():
        empty &= cells == ""
    if not empty.any():
        return values, texts
    kept = ~empty
    return values[kept], {j: cells[kept] for j, cells in texts.items()}


def _data_bytes(path: Path, start: int, end: int) -> bytes:
    with open(path, "rb") as handle:
        handle.seek(start)
        return handle.read(end - start)


def read_table(
    path: Path, source_software: str
) -> tuple[np.ndarray, CsvHeader, list[np.ndarray], dict[str, np.ndarray]]:
    """Read the numbers, header, index and per-row columns of a DeepLabCut CSV.

    Large files are split into newline-aligned byte ranges parsed by pandas'
    C parser in threads (it releases the GIL), chunk by chunk, straight into
    one preallocated array: about one copy of the numbers in memory. A
    process that may run on one core only (its CPU affinity) reads them in
    one pass of the parser instead (threads would only take turns).

    Parameters
    ----------
    path
        The CSV file.
    source_software
        For error messages only.

    Returns
    -------
    tuple
        (values of the bodypart columns as float64 (rows, columns), the
        header, one array per index column, per-row columns by coordinate).

    Raises
    ------
    FormatError
        On a malformed header, a non-numeric cell, or rows of the wrong width.

    Examples
    --------
    >>> values, header, index, rows = read_table(Path("v.csv"), "DeepLabCut")  # doctest: +SKIP
    """
    header = read_header(path)
    counted: tuple[int, bool] | None = None
    width = header.n_index + len(header.columns)
    row_columns = {
        header.n_index + j: name
        for j, label in enumerate(header.columns)
        if (name := table.row_column_name(label, header.level_names)) is not None
    }
    pose_at = [j for j in range(header.n_index, width) if j not in row_columns]
    other_at = [*range(header.n_index), *row_columns]
    end = header.end if header.end is not None else path.stat().st_size
    last = _last_line_width(path, end)
    if last is not None and last != width:
        raise FormatError(
            path,
            f"looks truncated or malformed: its last line has {last} cells, the header "
            f"{width}. Re-export the file from {source_software}.",
        )
    if last is not None:
        warn_if_unended(path, end, source_software)
    start = _data_start(path, header.skip)
    _refuse_wide_first_row(path, start, header.skip + 1, width)
    try:
        parts = min(usable_cores(), 4)
        large = end - start >= _PARALLEL_MIN_BYTES
        if parts > 1 and large:
            ranges = _split(path, start, end, parts)
            rows_before = header.skip + 1 + ranges[0][2]
            for first, _, rows in ranges[1:]:  # each range's first row is parsed as a first row
                _refuse_wide_first_row(path, first, rows_before, width)
                rows_before += rows
            try:
                text_index = _index_as_text(header)
                try:
                    values, texts, counted = _read_parallel(
                        path, width, pose_at, other_at, ranges, text_columns=text_index
                    )
                except _IntegerColumn:
                    values, texts, counted = _read_parallel(
                        path, width, pose_at, other_at, ranges, True, text_index
                    )
            # blank lines, quoted newlines; cells that are not numbers: found by one parse
            except (_Mismatch, _NotFloats, pd.errors.ParserError):
                values, texts = _read_whole(path, end, header, width, pose_at, other_at)
        elif large:  # one core: one pass of the C parser, types inferred
            values, texts, counted = _read_inferred(
                path, start, end, header, width, pose_at, other_at
            )
        else:
            values, texts = _read_whole(path, end, header, width, pose_at, other_at)
    except PoseBridgeError:  # ours, as raised
        raise
    except (ValueError, pd.errors.ParserError, UnicodeDecodeError) as error:
        if isinstance(error, pd.errors.ParserError):  # its line counts from where it began
            with open(path, "rb") as handle:
                handle.seek(start)
                csv_rows.refuse_wrong_widths(
                    path, handle.read(end - start), width, header.skip + 1
                )
        if not isinstance(error, UnicodeDecodeError):  # a cell that is not a number: where?
            where = bad_cell(
                _data_bytes(path, start, end),
                width,
                pose_at,
                header.skip + 1,
                header.columns,
                header.n_index,
            )
            if where is not None:
                raise FormatError(path, where) from None
        message = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise FormatError(
            path, f"has data rows that are not DeepLabCut numbers ({message})."
        ) from None
    _refuse_short_rows(path, start, end, header.skip + 1, width, values, texts, pose_at, counted)
    values, texts = _without_empty_rows(values, texts)
    index = [texts[j] for j in range(header.n_index)]
    if header.padded:  # the rows carry the header's padding: index cells lose it too
        index = [unpadded(cells) for cells in index]
    rows = {name: texts[j] for j, name in row_columns.items()}
    return values, header, index, rows
