"""DeepLabCut-style CSV files: the writer (header lines, then the rows in blocks).

Numbers are written with their shortest round-trip representation
(pyarrow's formatter, vectorised and multi-threaded), so every value reads
back bit-identical, a whole number with ``.0`` as pandas writes it (so pandas
reads such a column back as floats); without pyarrow, pandas writes them
(exact, slower).
The layout is described in :mod:`posebridge.formats.dlc.csv_header`.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np

from posebridge.formats._shared.csv_text import write_csv_block
from posebridge.formats.dlc import column_plan
from posebridge.formats.dlc import layout as table

__all__ = ["header_text", "write_table"]

_STRUCTURAL_MARKS = (",", '"', "\r", "\n")
_STRUCTURAL_BYTES = tuple(mark.encode() for mark in _STRUCTURAL_MARKS)


def header_text(plan: column_plan.ColumnPlan, n_index: int) -> str:
    """The header lines of a DeepLabCut CSV of the columns ``plan``, with ``n_index``
    index cells in each.

    Examples
    --------
    >>> header_text(plan, 1)  # doctest: +SKIP
    'scorer,DLC,DLC\\nbodyparts,nose,nose\\ncoords,x,y\\n'
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    for level, name in enumerate(plan.level_names):
        cells = [name, *([""] * (n_index - 1)), *(label[level] for label in plan.labels)]
        if plan.data_split:
            cells.append(table.SET_COLUMN if level == 0 else "")
        writer.writerow(cells)
    return buffer.getvalue()


def _needs_quotes(columns: list[np.ndarray]) -> bool:
    """Whether a text column holds a comma, a quote or a line break (CSV quoting needed)."""
    for column in columns:
        if column.dtype.kind not in "US":
            continue
        marks = _STRUCTURAL_MARKS if column.dtype.kind == "U" else _STRUCTURAL_BYTES
        if any((np.strings.find(column, mark) >= 0).any() for mark in marks):
            return True
    return False


def write_table(
    target: Path,
    plan: column_plan.ColumnPlan,
    index: list[np.ndarray],
    data_split: np.ndarray | None,
) -> None:
    """Write one DeepLabCut CSV: header lines, then index and numbers row by row.

    Parameters
    ----------
    target
        The (temporary) file to write.
    plan
        The columns, from :func:`posebridge.formats.dlc.column_plan.plan_columns`.
    index
        One array per index column (frame numbers, or image paths/levels).
    data_split
        LightningPose's per-row ``set`` values, or ``None``.

    Examples
    --------
    >>> write_table(Path("out.csv"), plan, [frames], None)  # doctest: +SKIP
    """
    with open(target, "wb") as handle:
        handle.write(header_text(plan, len(index)).encode("utf-8"))
        n_rows = index[0].shape[0]
        text_columns = [
            *(i for i in index if i.dtype.kind != "i"),
            *([data_split] if data_split is not None else []),
        ]
        quoted = _needs_quotes(text_columns)
        for rows in _chunks(n_rows, len(plan.labels)):
            block = np.ascontiguousarray(column_plan.fill_values(plan, rows).T)
            columns = [level[rows] for level in index] + list(block)
            if data_split is not None:
                columns.append(data_split[rows])
            write_csv_block(handle, columns, quoted=quoted)


def _chunks(n_rows: int, n_columns: int) -> list[slice]:
    step = max(1, (1 << 21) // max(1, n_columns))
    return [slice(a, min(a + step, n_rows)) for a in range(0, n_rows, step)] or [slice(0, 0)]
