"""The on-disk layout of Anipose files: names and constants shared by reading and writing,
and what tells an Anipose header."""

from __future__ import annotations

import re

from posebridge.formats._shared import csv_rows

__all__ = [
    "CENTER_ATTR",
    "CENTER_COLUMNS",
    "ERROR_VAR",
    "FRAME_COLUMN",
    "MATRIX_ATTR",
    "MATRIX_COLUMNS",
    "NCAMS_VAR",
    "SUFFIXES",
    "TITLE",
    "index_columns",
    "is_header",
    "other_delimiter",
]

SUFFIXES = ("x", "y", "z", "error", "ncams", "score")
MATRIX_COLUMNS = tuple(f"M_{row}{col}" for row in range(3) for col in range(3))
CENTER_COLUMNS = ("center_0", "center_1", "center_2")
FRAME_COLUMN = "fnum"
ERROR_VAR = "reprojection_error"
NCAMS_VAR = "camera_count"
MATRIX_ATTR = "anipose_alignment_matrix"
CENTER_ATTR = "anipose_alignment_center"
#: What the format is called in messages.
TITLE = "Anipose CSV"
#: A header cell of an index column: empty (pandas' ``to_csv`` writes the index so by
#: default), or pandas' name for such a cell once the file is read and saved again.
_INDEX_CELL = re.compile(r"(Unnamed: \d+(\.\d+)?)?")


def index_columns(columns: list) -> int:
    """How many columns at the start of a header are index columns, not Anipose's: an
    empty cell (``DataFrame.to_csv`` with its default ``index=True``) or pandas' name for
    one (``Unnamed: 0``: the file read and saved again).

    Examples
    --------
    >>> index_columns(["", "nose_x", "nose_y", "nose_z", "fnum"])
    1
    >>> index_columns(["", "Unnamed: 0", "nose_x"]), index_columns(["nose_x", ""])
    (2, 0)
    """
    count = 0
    for cell in columns:
        if not isinstance(cell, str) or _INDEX_CELL.fullmatch(cell.strip()) is None:
            break
        count += 1
    return count


def is_header(columns: list[str]) -> bool:
    """Whether header cells (stripped) are an Anipose triangulation header.

    They must name ``<kp>_x, <kp>_y, <kp>_z`` of some keypoint and at least
    one Anipose-only column (``fnum``, ``M_00`` or a ``_ncams``/``_error``
    column). DeepLabCut-style tables start with ``scorer`` and never match.
    Index columns before them (:func:`index_columns`) are allowed.

    Examples
    --------
    >>> is_header(["nose_x", "nose_y", "nose_z", "nose_error", "fnum"])
    True
    >>> is_header(["", "nose_x", "nose_y", "nose_z", "nose_error", "fnum"])
    True
    >>> is_header(["nose_x", "nose_y", "nose_z", "nose_likelihood"])
    False
    """
    columns = columns[index_columns(columns) :]
    if not columns or columns[0] in ("scorer", "") or len(columns) < 4:
        return False
    names = set(columns)
    has_xyz = any(
        col.endswith("_x") and f"{col[:-2]}_y" in names and f"{col[:-2]}_z" in names
        for col in columns
    )
    anipose_only = (
        FRAME_COLUMN in names
        or "M_00" in names
        or any(col.endswith(("_ncams", "_error")) for col in columns)
    )
    return has_xyz and anipose_only


def other_delimiter(line: str) -> str | None:
    """The delimiter, ``;`` or a tab, of a header line that is Anipose's so delimited
    (a spreadsheet's export), else ``None``.

    Examples
    --------
    >>> other_delimiter("nose_x;nose_y;nose_z;nose_error;fnum")
    ';'
    >>> other_delimiter("nose_x,nose_y,nose_z,nose_error,fnum") is None
    True
    """
    return csv_rows.other_delimiter(line, is_header)
