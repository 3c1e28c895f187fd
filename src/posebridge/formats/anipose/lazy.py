"""Anipose triangulation .csv read lazily, by ranges of rows.

The header line is read once; the data rows are found by one pass over the
bytes (:func:`posebridge.formats._shared.csv_rows.scan`, which also reads the
``fnum`` column, or without it the last index column, as the eager reader takes
them); each range of rows is parsed when asked for by pandas with the eager
reader's options and turned into a dataset by the eager reader's own table step
(:func:`posebridge.formats.anipose.read._build`), so a lazily read region equals
the same region of :func:`posebridge.formats.anipose.read.read`.

The alignment (``M_00..M_22``, ``center_0..2``) is taken from the first rows,
as the eager reader takes it; every range checks that its rows repeat it (a
row that differs raises the eager reader's error, naming its line).

Files this does not cover raise :class:`NotLazy` (the caller reads them
eagerly): quoted cells, blank lines, rows of different widths, frame numbers
(``fnum``, or the index column that gives them) that are not plain integers or
not increasing, an alignment missing from the first rows.
"""

from __future__ import annotations

import csv
import functools
import io
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from posebridge.errors import FormatError
from posebridge.formats._shared import csv_rows
from posebridge.formats._shared.lazy import FileLazyArray, LastBlock, NotLazy
from posebridge.formats._shared.text_bytes import warn_if_unended
from posebridge.formats.anipose.layout import (
    CENTER_ATTR,
    CENTER_COLUMNS,
    FRAME_COLUMN,
    MATRIX_ATTR,
    MATRIX_COLUMNS,
    index_columns,
)
from posebridge.formats.anipose.read import (
    _EXACT_FLOATS,
    SOURCE_SOFTWARE,
    _alignment_rows,
    _build,
    _numeric,
    _where,
)

__all__ = ["open_lazy"]

#: Rows read to learn the layout (and the alignment) before streaming.
PROBE_ROWS = 1024
_GROUPS = ((MATRIX_COLUMNS, MATRIX_ATTR), (CENTER_COLUMNS, CENTER_ATTR))
_PARSED = LastBlock()


def _block_dataset(
    rows: csv_rows.CsvRows,
    columns: list[str],
    individual_name: str,
    alignment: tuple[tuple[tuple[str, ...], np.ndarray], ...],
    low: int,
    high: int,
) -> xr.Dataset:
    path = Path(rows.path)
    text = csv_rows.row_bytes(rows, low, high)
    try:
        df = pd.read_csv(
            io.BytesIO(text), header=None, names=columns, encoding="utf-8", **_EXACT_FLOATS
        )
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError) as error:
        raise FormatError(
            path, f"rows {low}-{high - 1} are not a well-formed CSV table: {error}"
        ) from None
    if len(df) != high - low:
        raise FormatError(path, f"rows {low}-{high - 1} could not be read back.")
    for group, first in alignment:
        values = _numeric(df, list(group), path, low)
        present = _alignment_rows(values, group, path, low)
        differs = present & np.any(values != first, axis=1)
        if differs.any():
            row = low + int(np.argmax(differs))
            raise FormatError(
                path,
                f"{_where(path, row)}: the alignment columns {', '.join(group)} differ from the "
                "first row's; Anipose writes one transform for the whole file.",
            )
    transform = [c for group, _ in alignment for c in group]
    return _build(df.drop(columns=transform), individual_name, path, low)


def anipose_block(
    rows: csv_rows.CsvRows,
    columns: list[str],
    individual_name: str,
    alignment: tuple[tuple[tuple[str, ...], np.ndarray], ...],
    variable: str,
    path: str,
    region: tuple[tuple[int, int], ...],
) -> np.ndarray:
    """Rows ``region[0]`` of ``variable`` (parsed once for every variable)."""
    low, high = region[0]
    key = (rows.path, rows.mtime_ns, rows.size, low, high, individual_name)
    make = functools.partial(_block_dataset, rows, columns, individual_name, alignment, low, high)
    out = _PARSED.get(key, make)[variable].values
    return out[(slice(None), *(slice(a, b) for a, b in region[1:]))]


def _open(path: Path, individual_name: str) -> xr.Dataset:
    with open(path, "rb") as handle:
        first = handle.readline(1 << 20)
    columns = next(csv.reader([first.decode("utf-8-sig").rstrip("\r\n")]), [])
    leading = index_columns(columns)  # row labels before Anipose's columns (to_csv's index)
    if not columns or len(set(columns)) != len(columns) or "" in columns[leading:]:
        raise NotLazy("header cells empty or repeated")
    frame_at = columns.index(FRAME_COLUMN) if FRAME_COLUMN in columns else None
    if frame_at is None and leading:  # the frame numbers: the last index column's (read._build)
        frame_at = leading - 1
    rows, frames = csv_rows.scan(path, len(first), len(columns), frame_at)
    if frames is None:
        frames = np.arange(rows.n_rows, dtype=np.int64)
    if rows.n_rows > 1 and not np.all(np.diff(frames) > 0):
        raise NotLazy("rows out of frame order")
    head = pd.read_csv(
        path, encoding="utf-8-sig", nrows=min(rows.n_rows, PROBE_ROWS), **_EXACT_FLOATS
    )
    if list(head.columns)[leading:] != columns[leading:]:
        raise NotLazy("pandas reads other column names")
    columns = list(head.columns)  # an index column's empty header cell as pandas names it
    probe = _build(head, individual_name, path)
    alignment = tuple(
        (group, np.asarray(probe.attrs[attr], dtype=np.float64))
        for group, attr in _GROUPS
        if attr in probe.attrs
    )
    variables = {}
    for variable, array in probe.data_vars.items():
        block = functools.partial(
            anipose_block, rows, columns, individual_name, alignment, str(variable)
        )
        lazy = FileLazyArray(path, (rows.n_rows, *array.shape[1:]), np.float64, block)
        variables[variable] = (array.dims, lazy)
    coords: dict[str, Any] = {  # in the eager reader's order
        name: frames if name == "time" else probe[name].values for name in probe.coords
    }
    if rows.n_rows:  # as the eager reader: a copy cut inside its last cell (fnum)
        warn_if_unended(path, int(rows.offsets[-1]), SOURCE_SOFTWARE)
    return xr.Dataset(variables, coords=coords, attrs=dict(probe.attrs))


def open_lazy(path: Path, *, individual_name: str = "id_0") -> xr.Dataset:
    """Open an Anipose .csv lazily (see the module's notes; raises :class:`NotLazy`).

    Examples
    --------
    >>> ds = open_lazy(Path("pose-3d/session.csv"))  # doctest: +SKIP
    """
    path = Path(path)
    try:
        return _open(path, individual_name)
    except (FormatError, UnicodeDecodeError, OSError, ValueError, pd.errors.ParserError) as error:
        raise NotLazy(str(error)) from None  # the eager reader says what is wrong
