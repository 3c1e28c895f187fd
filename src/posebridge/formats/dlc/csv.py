"""DeepLabCut-style CSV files: header parsing, a fast exact reader and writer.

Layout (``DataFrame.to_csv`` of a DeepLabCut table)::

    scorer,DLC_resnet50,DLC_resnet50,...        <- one line per column level,
    individuals,mouse1,mouse1,...                   first cell = the level name
    bodyparts,snout,snout,...
    coords,x,y,likelihood,...
    0,12.5,40.25,0.98,...                        <- index cell(s), then numbers

Labelled data indexes rows by image path: one column, or three
(``labeled-data``, video, image), in which case the header lines start with
``scorer,,,``. NaN is an empty cell. The header is parsed here, not by
``pandas.read_csv(header=[...])``, which takes an all-empty first data row
for an index-name row and drops it.

Rows are read by pyarrow's CSV reader (exact float parsing, threads when
the process may use several cores), with pandas' C parser behind it for the
few files arrow refuses. Numbers are written with their shortest round-trip
representation (pyarrow's formatter, vectorised and multi-threaded), so
every value reads back bit-identical.
"""

from __future__ import annotations

import csv
import io
import mmap
import os
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pa_compute
import pyarrow.csv as pa_csv

from posebridge._files import Peek
from posebridge.errors import FormatError
from posebridge.formats._shared.csv_text import write_csv_block
from posebridge.formats.dlc import layout as table

__all__ = ["CsvHeader", "read_header", "read_table", "sniff_header", "write_table"]

_MAX_HEADER_BYTES = 16 * 1024 * 1024
_STRUCTURAL = re.compile(r'[,"\r\n]')
_PANDAS_3 = int(pd.__version__.split(".")[0]) >= 3


@dataclass
class CsvHeader:
    """What the header lines of a DeepLabCut CSV say.

    Attributes
    ----------
    level_names
        The column levels, e.g. ``["scorer", "bodyparts", "coords"]``.
    columns
        One label tuple per data column.
    n_index
        How many index columns start each row (1, or 3 for image levels).
    skip
        Lines before the first data row.
    """

    level_names: list[str]
    columns: list[tuple[str, ...]]
    n_index: int
    skip: int


def _lines(path: Path, count: int) -> list[str]:
    """The first ``count`` lines of ``path``, decoded (at most 16 MB read)."""
    lines: list[str] = []
    budget = _MAX_HEADER_BYTES
    with open(path, "rb") as handle:
        for _ in range(count):
            raw = handle.readline(budget)
            if not raw:
                break
            budget -= len(raw)
            try:
                lines.append(raw.decode("utf-8-sig" if not lines else "utf-8"))
            except UnicodeDecodeError:
                raise FormatError(path, "is not a UTF-8 text file.") from None
            if budget <= 0:
                break
    return lines


def _parse(lines: list[str]) -> list[list[str]]:
    return list(csv.reader(io.StringIO("".join(lines))))


def _is_integer(text: str) -> bool:
    try:
        int(text)
    except ValueError:
        return False
    return True


def read_header(path: Path) -> CsvHeader:
    """Parse the header lines of a DeepLabCut-style CSV.

    Parameters
    ----------
    path
        The CSV file.

    Returns
    -------
    CsvHeader
        The column levels and labels and where the data starts.

    Raises
    ------
    FormatError
        When the header is not DeepLabCut's (naming what was found).

    Examples
    --------
    >>> read_header(Path("video1DLC_resnet50.csv")).level_names  # doctest: +SKIP
    ['scorer', 'bodyparts', 'coords']
    """
    return header_from_lines(_lines(path, 7), path)


def header_from_lines(lines: list[str], path: Path) -> CsvHeader:
    """Parse the header from the file's first lines (see :func:`read_header`)."""
    rows = _parse([line if line.endswith(("\n", "\r")) else line + "\n" for line in lines])
    if not rows:
        raise FormatError(path, "is empty; expected DeepLabCut header lines starting 'scorer,'.")
    first = rows[0]
    if not first or first[0].strip() != "scorer" or len(first) < 2:
        raise FormatError(
            path,
            "is not a DeepLabCut-style CSV: its first line should start with 'scorer,' "
            f"but starts with {','.join(first[:3])[:60]!r}.",
        )
    n_index = 1
    while n_index < len(first) and first[n_index] == "":
        n_index += 1
    if n_index == len(first):
        raise FormatError(path, "the 'scorer' header line names no scorer.")
    header = [first]
    expected = ["individuals", "bodyparts"]
    for row in rows[1:]:
        name = row[0].strip() if row else ""
        if name == "coords":
            header.append(row)
            break
        if name not in expected:
            raise FormatError(
                path,
                "malformed DeepLabCut header: after 'scorer' expected the lines "
                f"'individuals' (optional), 'bodyparts' and 'coords', found {name!r}.",
            )
        expected = expected[expected.index(name) + 1 :]
        header.append(row)
    else:
        raise FormatError(path, "malformed DeepLabCut header: no 'coords' line.")
    names = [row[0].strip() for row in header]
    if "bodyparts" not in names:
        raise FormatError(path, "malformed DeepLabCut header: no 'bodyparts' line.")
    width = len(first)
    for row in header:
        if len(row) != width:
            raise FormatError(
                path,
                f"malformed DeepLabCut header: the '{row[0]}' line has {len(row)} cells, "
                f"the 'scorer' line {width}.",
            )
        if any(cell != "" for cell in row[1:n_index]):
            raise FormatError(
                path, f"malformed DeepLabCut header: the '{row[0]}' line fills an index cell."
            )
    columns = list(zip(*(row[n_index:] for row in header), strict=True))
    skip = len(header)
    data = rows[len(header) : len(header) + 2]
    if n_index == 1 and len(data) == 2 and len(data[0]) == width:
        named_index = data[0][0] != "" and all(cell == "" for cell in data[0][1:])
        if named_index and not _is_integer(data[0][0]) and _is_integer(data[1][0]):
            skip += 1  # pandas' index-name line ("frame,,,,")
    return CsvHeader(names, columns, n_index, skip)


def sniff_header(peek: Peek) -> CsvHeader | None:
    """The header when the peeked file is a DeepLabCut-style CSV, else ``None`` (never raises).

    Examples
    --------
    >>> with Peek("anipose.csv") as peek:  # doctest: +SKIP
    ...     sniff_header(peek) is None
    True
    """
    if not peek.head.lstrip(b"\xef\xbb\xbf").startswith(b"scorer"):
        return None
    try:
        return header_from_lines(peek.lines(7), peek.path)
    except FormatError:
        return None


def _last_line_width(path: Path) -> int | None:
    """How many cells the last line has (``None`` for a file without data lines)."""
    with open(path, "rb") as handle:
        handle.seek(0, 2)
        size = handle.tell()
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


def _data_start(path: Path, skip: int) -> int:
    with open(path, "rb") as handle:
        for _ in range(skip):
            handle.readline()
        return handle.tell()


#: Cells pandas reads as missing (``pandas.read_csv``'s default ``na_values``): the arrow
#: reader is told the same list, so both readers agree on which cells are NaN.
_NA_CELLS = [
    "",
    "#N/A",
    "#N/A N/A",
    "#NA",
    "-1.#IND",
    "-1.#QNAN",
    "-NaN",
    "-nan",
    "1.#IND",
    "1.#QNAN",
    "<NA>",
    "N/A",
    "NA",
    "NULL",
    "NaN",
    "None",
    "n/a",
    "nan",
    "null",
]
#: Bytes per block of the arrow reader (its unit of work per thread).
_BLOCK_BYTES = 1 << 22


def _cores() -> int:
    """CPUs this process may run on (its affinity), not the machine's count."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not Linux
        return os.cpu_count() or 1


def _read_options() -> dict[str, object]:
    options: dict[str, object] = {"header": None, "index_col": False, "encoding": "utf-8"}
    if not _PANDAS_3:
        options["float_precision"] = "round_trip"  # pandas 3's default parser is exact
    return options


def _numbers(column: pd.Series, path: Path) -> np.ndarray:
    try:
        return column.to_numpy(dtype=np.float64, na_value=np.nan)
    except (TypeError, ValueError):
        bad = next((v for v in column.dropna().tolist() if not _is_number(v)), column.iloc[0])
        raise FormatError(
            path, f"has a data cell that is not a number ({str(bad)[:40]!r})."
        ) from None


def _is_number(value: object) -> bool:
    try:
        float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False
    return True


def _texts(pieces: list[np.ndarray]) -> np.ndarray:
    if pieces and all(p.dtype.kind in "iu" for p in pieces):
        return np.concatenate(pieces).astype(np.int64)
    return np.concatenate([np.asarray(p, dtype=object) for p in pieces]).astype(str)


def _arrow_texts(column: pa.ChunkedArray) -> np.ndarray:
    """An index or per-row column read as text, typed as the pandas reader types it.

    Whole numbers in every row -> int64 (frame numbers); anything else -> str
    (numbers as pandas would print the floats it infers, a missing cell as
    ``"nan"``), as :func:`_texts` does with pandas' columns.
    """
    if column.null_count == 0:
        try:
            return pa_compute.cast(column, pa.int64()).to_numpy()
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            pass
    try:
        numbers = pa_compute.cast(column, pa.float64()).to_numpy(zero_copy_only=False)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return pa_compute.fill_null(column, "nan").to_numpy(zero_copy_only=False).astype(str)
    return _texts([numbers])


def _has_quotes(path: Path, start: int) -> bool:
    """Whether a ``"`` follows byte ``start`` (one memchr pass over the mapped file)."""
    with open(path, "rb") as handle:
        if path.stat().st_size <= start:
            return False
        with mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as mapped:
            return mapped.find(b'"', start) >= 0


def _read_arrow(
    path: Path, start: int, width: int, pose_at: list[int], other_at: list[int]
) -> tuple[np.ndarray, dict[int, np.ndarray]]:
    """Parse the data rows with pyarrow's CSV reader (threads when several cores).

    The bodypart columns are parsed as float64 straight away (no type
    inference: a ``-0`` cell keeps its sign), the index and per-row columns
    as text. The numbers land in one (columns, rows) array, returned as its
    transposed view, so the table and that array are the only copies. A
    quoted cell may hold a newline: then (only) arrow is told so, which
    keeps it from splitting blocks for its threads inside a cell.

    Raises ``pyarrow.ArrowInvalid`` on anything it does not parse; the caller
    then reads with pandas, which says what is wrong and where.
    """
    names = [f"c{j}" for j in range(width)]
    types = {names[j]: pa.float64() for j in pose_at}
    types.update({names[j]: pa.string() for j in other_at})
    with pa.OSFile(str(path)) as source:
        source.seek(start)
        table = pa_csv.read_csv(
            source,
            read_options=pa_csv.ReadOptions(
                column_names=names, use_threads=_cores() > 1, block_size=_BLOCK_BYTES
            ),
            parse_options=pa_csv.ParseOptions(newlines_in_values=_has_quotes(path, start)),
            convert_options=pa_csv.ConvertOptions(
                column_types=types,
                null_values=_NA_CELLS,
                strings_can_be_null=True,
                quoted_strings_can_be_null=True,
            ),
        )
    values = np.empty((len(pose_at), table.num_rows), dtype=np.float64)
    for k, j in enumerate(pose_at):
        at = 0
        for chunk in table.column(j).chunks:  # a null (empty cell) becomes NaN
            values[k, at : at + len(chunk)] = chunk.to_numpy(zero_copy_only=False)
            at += len(chunk)
    texts = {j: _arrow_texts(table.column(j)) for j in other_at}
    return values.T, texts


def _read_whole(
    path: Path, skip: int, width: int, pose_at: list[int], other_at: list[int]
) -> tuple[np.ndarray, dict[int, np.ndarray]]:
    floats = dict.fromkeys(pose_at, np.float64)  # small files: no type inference needed
    try:
        frame = pd.read_csv(
            path, skiprows=skip, names=list(range(width)), dtype=floats, **_read_options()
        )
    except pd.errors.EmptyDataError:
        frame = pd.DataFrame({j: pd.Series(dtype=np.float64) for j in range(width)})
    values = np.empty((len(frame), len(pose_at)), dtype=np.float64)
    for k, j in enumerate(pose_at):
        values[:, k] = _numbers(frame[j], path)
    return values, {j: _texts([frame[j].to_numpy()]) for j in other_at}


def read_table(
    path: Path, source_software: str
) -> tuple[np.ndarray, CsvHeader, list[np.ndarray], dict[str, np.ndarray]]:
    """Read the numbers, header, index and per-row columns of a DeepLabCut CSV.

    The rows are parsed by pyarrow's CSV reader (multi-threaded when the
    process may use several cores; bodypart columns straight to float64,
    exact), the numbers copied once into one (columns, rows) array. Rows
    it refuses are read by pandas' C parser, which reads the few layouts
    arrow does not (quoted newlines) and otherwise names the bad line.

    Parameters
    ----------
    path
        The CSV file.
    source_software
        For error messages only.

    Returns
    -------
    tuple
        (values of the bodypart columns as float64 (rows, columns), a
        transposed view of a C-ordered (columns, rows) array, the
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
    width = header.n_index + len(header.columns)
    row_columns = {
        header.n_index + j: name
        for j, label in enumerate(header.columns)
        if (name := table.row_column_name(label, header.level_names)) is not None
    }
    pose_at = [j for j in range(header.n_index, width) if j not in row_columns]
    other_at = [*range(header.n_index), *row_columns]
    last = _last_line_width(path)
    if last is not None and last != width:
        raise FormatError(
            path,
            f"looks truncated or malformed: its last line has {last} cells, the header "
            f"{width}. Re-export the file from {source_software}.",
        )
    start = _data_start(path, header.skip)
    try:
        try:
            values, texts = _read_arrow(path, start, width, pose_at, other_at)
        except (pa.ArrowException, UnicodeDecodeError):
            # pandas reads what arrow refuses (quoted newlines, 'true' cells, an empty
            # table) or says what is wrong with the file and on which line
            values, texts = _read_whole(path, header.skip, width, pose_at, other_at)
    except FormatError:
        raise
    except (ValueError, pd.errors.ParserError, UnicodeDecodeError) as error:
        message = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise FormatError(
            path, f"has data rows that are not DeepLabCut numbers ({message})."
        ) from None
    index = [texts[j] for j in range(header.n_index)]
    rows = {name: texts[j] for j, name in row_columns.items()}
    return values, header, index, rows


# --------------------------------------------------------------------------
# writing


def _header_text(plan: table.ColumnPlan, n_index: int) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    for level, name in enumerate(plan.level_names):
        cells = [name, *([""] * (n_index - 1)), *(label[level] for label in plan.labels)]
        if plan.data_split:
            cells.append(table.SET_COLUMN if level == 0 else "")
        writer.writerow(cells)
    return buffer.getvalue()


def _needs_quotes(columns: list[np.ndarray]) -> bool:
    return any(
        column.dtype.kind in "US" and any(_STRUCTURAL.search(str(v)) for v in column)
        for column in columns
    )


def write_table(
    target: Path,
    plan: table.ColumnPlan,
    index: list[np.ndarray],
    data_split: np.ndarray | None,
) -> None:
    """Write one DeepLabCut CSV: header lines, then index and numbers row by row.

    Parameters
    ----------
    target
        The (temporary) file to write.
    plan
        The columns, from :func:`posebridge.formats._dlc_table.plan_columns`.
    index
        One array per index column (frame numbers, or image paths/levels).
    data_split
        LightningPose's per-row ``set`` values, or ``None``.

    Examples
    --------
    >>> write_table(Path("out.csv"), plan, [frames], None)  # doctest: +SKIP
    """
    with open(target, "wb") as handle:
        handle.write(_header_text(plan, len(index)).encode("utf-8"))
        n_rows = index[0].shape[0]
        text_columns = [
            *(i for i in index if i.dtype.kind != "i"),
            *([data_split] if data_split is not None else []),
        ]
        quoted = _needs_quotes(text_columns)
        for rows in _chunks(n_rows, len(plan.labels)):
            block = np.ascontiguousarray(table.fill_values(plan, rows).T)
            columns = [level[rows] for level in index] + list(block)
            if data_split is not None:
                columns.append(data_split[rows])
            write_csv_block(handle, columns, quoted=quoted)


def _chunks(n_rows: int, n_columns: int) -> list[slice]:
    step = max(1, (1 << 21) // max(1, n_columns))
    return [slice(a, min(a + step, n_rows)) for a in range(0, n_rows, step)] or [slice(0, 0)]
