"""DeepLabCut / LightningPose .csv read lazily, by ranges of rows.

The header is parsed once (:func:`posebridge.formats.dlc.csv_header.read_header`, the
eager reader's), the data rows are found by one pass over the bytes
(:func:`posebridge.formats._shared.csv_rows.scan`, which also reads the frame
numbers of the index column), and each range of rows is parsed when asked for,
by pandas' C parser with the eager reader's options, then turned into a
dataset by :func:`posebridge.formats.dlc.layout.build_dataset`, the eager
reader's own table -> dataset step. So a lazily read region equals the same
region of :func:`posebridge.formats.dlc.read.read`.

Files this does not cover raise :class:`NotLazy` (the caller reads them
eagerly): labelled data indexed by image, a ``set`` column, quoted cells,
blank lines, rows of different widths, rows out of frame order.
"""

from __future__ import annotations

import functools
import io
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from posebridge._recorded_warnings import dropping_warnings
from posebridge.errors import FormatError
from posebridge.formats._shared import csv_rows
from posebridge.formats._shared.lazy import FileLazyArray, LastBlock, NotLazy
from posebridge.formats.dlc import csv as dlc_csv
from posebridge.formats.dlc import csv_header, layout

__all__ = ["open_lazy_csv", "parse_rows"]

_PARSED = LastBlock()


def parse_rows(
    rows: csv_rows.CsvRows,
    width: int,
    low: int,
    high: int,
    *,
    first_line: int = 1,
    columns: list | None = None,
) -> np.ndarray:
    """The numbers of data rows ``low:high`` as float64 ``(rows, width - 1)`` (index cut off).

    ``first_line`` is the file's line of data row 0 (1-based) and ``columns`` the
    header's column labels, for the message naming a cell that is not a number
    (``True``/``False`` too, which pandas reads as 1/0), as the eager reader does:
    the first such cell of the file, whichever block of rows was asked for first
    (Dask computes blocks in its own order).

    Examples
    --------
    >>> parse_rows(rows, 37, 0, 1000).shape  # doctest: +SKIP
    (1000, 36)
    """
    text = csv_rows.row_bytes(rows, low, high)
    floats = dict.fromkeys(range(1, width), np.float64)
    labels = list(columns) if columns is not None else []
    at = list(range(1, width))
    try:
        frame = pd.read_csv(
            io.BytesIO(text), names=list(range(width)), dtype=floats, **dlc_csv._read_options()
        )
    except (ValueError, pd.errors.ParserError, UnicodeDecodeError) as error:
        where = None
        if not isinstance(error, UnicodeDecodeError):
            where = dlc_csv.bad_cell(text, width, at, first_line + low, labels, 1)
        if where is not None:
            where = _earlier_bad_cell(rows, width, low, first_line, labels) or where
            raise FormatError(rows.path, where) from None
        message = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise FormatError(
            rows.path,
            f"has data rows that are not DeepLabCut numbers (rows {low}-{high - 1}: {message}).",
        ) from None
    if len(frame) != high - low:
        raise FormatError(rows.path, f"rows {low}-{high - 1} could not be read back.")
    values = frame.iloc[:, 1:].to_numpy(dtype=np.float64)
    try:
        dlc_csv.refuse_cells_not_numbers(
            Path(rows.path), text, values, at, width, first_line + low, labels, 1
        )
    except FormatError:
        earlier = _earlier_bad_cell(rows, width, low, first_line, labels)
        if earlier is None:
            raise
        raise FormatError(rows.path, earlier) from None
    return values


#: Rows parsed at a time when looking for a bad cell before the block that has one.
_EARLIER_ROWS = 1 << 16


def _earlier_bad_cell(
    rows: csv_rows.CsvRows, width: int, low: int, first_line: int, labels: list
) -> str | None:
    """Where the first cell of data rows ``0:low`` that is not a number is (as
    :func:`posebridge.formats.dlc.csv.bad_cell` says it), or None.

    Called when rows from ``low`` on hold one: the message names the file's first,
    as the eager reader's does, whatever block Dask computed first.
    """
    at = list(range(1, width))
    for start in range(0, low, _EARLIER_ROWS):  # a loop over blocks of rows
        stop = min(start + _EARLIER_ROWS, low)
        text = csv_rows.row_bytes(rows, start, stop)
        where = dlc_csv.bad_cell(text, width, at, first_line + start, labels, 1)
        if where is not None:
            return where
    return None


def _block_arrays(
    rows: csv_rows.CsvRows,
    columns: list,
    names: list,
    software: str,
    low: int,
    high: int,
    first_line: int = 1,
) -> dict[str, np.ndarray]:
    values = parse_rows(rows, len(columns) + 1, low, high, first_line=first_line, columns=columns)
    with dropping_warnings():
        return layout.table_arrays(
            values,
            columns,
            names,
            [np.arange(low, high, dtype=np.int64)],  # rows are in frame order
            source_software=software,
            path=Path(rows.path),
            owned=True,
        )


def csv_block(
    rows: csv_rows.CsvRows,
    columns: list,
    names: list,
    software: str,
    variable: str,
    path: str,
    region: tuple[tuple[int, int], ...],
    *,
    first_line: int = 1,
) -> np.ndarray:
    """Rows ``region[0]`` of ``variable`` (parsed once for every variable, see ``LastBlock``).

    ``first_line``: the file's line of data row 0, for messages.
    """
    low, high = region[0]
    key = (rows.path, rows.mtime_ns, rows.size, low, high)
    arrays = _PARSED.get(
        key,
        functools.partial(_block_arrays, rows, columns, names, software, low, high, first_line),
    )
    out = arrays[variable]
    return out[(slice(None), *(slice(a, b) for a, b in region[1:]))]


def open_lazy_csv(path: Path, software: str) -> xr.Dataset:
    """Open a DeepLabCut-style .csv lazily (see the module's notes; raises :class:`NotLazy`).

    Parameters
    ----------
    path
        The CSV file.
    software
        ``"DeepLabCut"`` or ``"LightningPose"``.

    Returns
    -------
    xarray.Dataset
        Its variables hold :class:`~posebridge.formats._shared.lazy.FileLazyArray`
        objects; the coordinates are in memory.

    Examples
    --------
    >>> ds = open_lazy_csv(Path("videoDLC_resnet50.csv"), "DeepLabCut")  # doctest: +SKIP
    """
    path = Path(path)
    try:
        return _open(path, software)
    except (FormatError, UnicodeDecodeError, OSError) as error:
        raise NotLazy(str(error)) from None  # the eager reader says what is wrong


def _open(path: Path, software: str) -> xr.Dataset:
    header = csv_header.read_header(path)
    if header.n_index != 1:
        raise NotLazy("indexed by image levels")
    columns, names = header.columns, header.level_names
    if any(layout.row_column_name(c, names) is not None for c in columns):
        raise NotLazy("row columns")
    width = 1 + len(columns)
    start = dlc_csv._data_start(path, header.skip)
    rows, frames = csv_rows.scan(path, start, width, int_field=0)
    assert frames is not None
    if rows.n_rows:  # as the eager reader: a copy cut inside its last cell
        dlc_csv.warn_if_unended(path, int(rows.offsets[-1]), software)
    if rows.n_rows > 1 and not np.all(np.diff(frames) > 0):
        raise NotLazy("rows out of order")
    probe = layout.build_dataset(
        np.zeros((1, len(columns))),
        columns,
        names,
        [frames[:1]],
        source_software=software,
        path=path,
    )
    if any(name not in probe.dims for name in probe.coords):
        raise NotLazy("other coordinates")
    variables = {}
    for variable, array in probe.data_vars.items():
        block = functools.partial(
            csv_block, rows, columns, names, software, str(variable), first_line=header.skip + 1
        )
        lazy = FileLazyArray(path, (rows.n_rows, *array.shape[1:]), np.float64, block)
        lazy.stamp = (rows.size, rows.mtime_ns)  # the file as scanned: changed since, refused
        variables[variable] = (array.dims, lazy)
    coords: dict[str, Any] = {  # in the eager reader's order
        name: frames if name == "time" else probe[name].values for name in probe.coords
    }
    return xr.Dataset(variables, coords=coords, attrs=dict(probe.attrs))
