"""Reading Anipose files; the layout is described in :mod:`posebridge.formats.anipose`."""

from __future__ import annotations

import csv
import io
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd
import xarray as xr

from posebridge import model
from posebridge._files import check_input
from posebridge.errors import FormatError, PoseBridgeError, SchemaError, user_stacklevel
from posebridge.formats._shared import csv_rows
from posebridge.formats._shared.text_bytes import (
    not_utf8_message,
    text_size,
    warn_if_unended,
)
from posebridge.formats.anipose.layout import (
    CENTER_ATTR,
    CENTER_COLUMNS,
    ERROR_VAR,
    FRAME_COLUMN,
    MATRIX_ATTR,
    MATRIX_COLUMNS,
    NCAMS_VAR,
    SUFFIXES,
    TITLE,
    index_columns,
    is_header,
    other_delimiter,
)

SOURCE_SOFTWARE = "Anipose"

_TRANSFORM_COLUMNS = frozenset((*MATRIX_COLUMNS, *CENTER_COLUMNS, FRAME_COLUMN))

#: pandas < 3 parses floats exactly only when asked; 3.x does by default (and
#: deprecates the option).
_EXACT_FLOATS = {"float_precision": "round_trip"} if int(pd.__version__.split(".")[0]) < 3 else {}

# --------------------------------------------------------------------------
# reading


def _where(path: Path | None, row: int) -> str:
    """Name a data row: its line in the file, or its row in a DataFrame."""
    return f"line {row + 2}" if path is not None else f"row {row}"


def split_columns(columns: Sequence[str]) -> tuple[list[str], dict[str, dict[str, str]], list]:
    """Keypoints in column order, their columns by suffix, and unknown columns."""
    keypoints: list[str] = []
    by_keypoint: dict[str, dict[str, str]] = {}
    unknown = []
    for column in columns:
        if not isinstance(column, str):
            unknown.append(column)
            continue
        if column in _TRANSFORM_COLUMNS:
            continue
        for suffix in SUFFIXES:
            if column.endswith("_" + suffix) and len(column) > len(suffix) + 1:
                keypoint = column[: -len(suffix) - 1]
                if keypoint not in by_keypoint:
                    keypoints.append(keypoint)
                    by_keypoint[keypoint] = {}
                by_keypoint[keypoint][suffix] = column
                break
        else:
            unknown.append(column)
    return keypoints, by_keypoint, unknown


def _numeric(
    df: pd.DataFrame, columns: list[str], path: Path | None, first_row: int = 0
) -> np.ndarray:
    """The columns as one float64 array; a non-number raises naming its line.

    Only real numbers are taken: a column of ``True``/``False`` (pandas parses one
    that holds nothing else as booleans), of dates or of complex numbers is refused,
    as text is, not turned into numbers.
    """
    block = df[columns]
    if all(dtype.kind in "fiu" for dtype in block.dtypes):
        return block.to_numpy(dtype=np.float64, na_value=np.nan)
    out = np.empty((len(df), len(columns)), dtype=np.float64)
    for index, column in enumerate(columns):
        values = df[column]
        if values.dtype.kind in "fiu":
            out[:, index] = values.to_numpy(dtype=np.float64, na_value=np.nan)
            continue
        blank = values.isna().to_numpy().copy()
        if values.dtype.kind in "OSU":  # text: parsed from what it says
            text = values.astype(str)
            blank |= (text.str.strip() == "").to_numpy()
            numbers = pd.to_numeric(text.where(~blank, ""), errors="coerce").to_numpy()
            bad = np.flatnonzero(np.isnan(numbers) & ~blank)
        else:  # booleans, dates, durations, complex numbers: no number of a frame
            numbers = np.full(len(values), np.nan)
            bad = np.flatnonzero(~blank)
        if bad.size:
            row = int(bad[0])
            value = values.iloc[row]
            shown = repr(value) if isinstance(value, str) else str(value)  # not np.True_
            raise FormatError(
                path,
                f"{_where(path, first_row + row)}: column '{column}' holds {shown}, "
                "expected a number (or an empty cell for a missing value).",
            )
        out[:, index] = numbers
    return out


def _alignment_rows(
    values: np.ndarray, names: Sequence[str], path: Path | None, first_row: int = 0
) -> np.ndarray:
    """Which rows hold an alignment (a row may leave every alignment column empty).

    Raises
    ------
    FormatError
        Naming the first line that leaves some alignment columns empty but not all.
    """
    empty = np.isnan(values)
    present = ~np.all(empty, axis=1)
    partial = present & np.any(empty, axis=1)
    if partial.any():
        row = int(np.argmax(partial))
        missing = [name for name, gap in zip(names, empty[row], strict=True) if gap]
        raise FormatError(
            path,
            f"{_where(path, first_row + row)}: the alignment column(s) {', '.join(missing)} "
            f"are empty while the rest of {', '.join(names)} are not; Anipose writes the "
            "whole transform on every row.",
        )
    return present


def _constant_row(values: np.ndarray, names: Sequence[str], path: Path | None) -> np.ndarray:
    """The one value per column that Anipose repeats on every row."""
    present = _alignment_rows(values, names, path)
    if not present.any():
        raise FormatError(path, f"columns {', '.join(names)} are empty on every row.")
    first = values[np.argmax(present)]
    differs = present & np.any(values != first, axis=1)
    if differs.any():
        row = int(np.argmax(differs))
        raise FormatError(
            path,
            f"{_where(path, row)}: the alignment columns {', '.join(names)} differ from the "
            "first row's; Anipose writes one transform for the whole file.",
        )
    return first.astype(np.float64)


def _frame_numbers(
    df: pd.DataFrame, path: Path | None, first_row: int = 0, index: _Index | None = None
) -> np.ndarray:
    """The frame number of each row: ``fnum``; without it, the index column's numbers
    (``index``: a table filtered in pandas and saved with its index keeps its frame
    numbers there), else the row numbers.

    Raises
    ------
    FormatError
        Naming the line of a frame number that is no whole number from 0, or that
        appears twice.
    """
    hint = ""
    if FRAME_COLUMN in df.columns:  # Anipose's frame number: an index beside it is row labels
        frames = _numeric(df, [FRAME_COLUMN], path, first_row)[:, 0]
        what, cells = "fnum", df[FRAME_COLUMN]
    elif index is not None:
        frames, what, cells = index.numbers, index.as_frames(path), index.values
        hint = (
            " When the index is not the frame numbers, add an fnum column, or save the table "
            "with to_csv(index=False)."
        )
    else:
        return np.arange(len(df), dtype=np.int64)
    bad = ~model.whole_numbers(frames) | (frames < 0)  # Anipose counts frames from 0
    if bad.any():
        row = int(np.argmax(bad))
        value = cells.iloc[row]
        shown = repr(value) if isinstance(value, str) else str(value)  # not np.float64(...)
        raise FormatError(
            path,
            f"{_where(path, first_row + row)}: {what}{',' if hint else ''} is {shown}, "
            f"expected a whole frame number from 0 (below 2**53).{hint}",
        )
    frames = frames.astype(np.int64)
    seen = pd.Series(frames).duplicated().to_numpy()
    if seen.any():
        row = int(np.argmax(seen))
        raise FormatError(
            path,
            f"{_where(path, first_row + row)}: frame {frames[row]} ({what}) appears twice; "
            f"each frame must have one row.{hint}",
        )
    return frames


def _refuse_bad_camera_counts(
    table: np.ndarray,
    columns: list[str],
    where: dict[str, int],
    path: Path | None,
    first_row: int = 0,
) -> None:
    """Refuse a ``_ncams`` cell that is no count of cameras (a whole number from 0;
    empty is allowed: a point not triangulated), naming its row and column."""
    if not columns:
        return
    counts = table[:, [where[c] for c in columns]]
    with np.errstate(invalid="ignore"):
        bad = ~np.isnan(counts) & (
            ~np.isfinite(counts) | (counts < 0) | (counts != np.floor(counts))
        )
    if bad.any():
        row, column = np.argwhere(bad)[0]
        raise FormatError(
            path,
            f"{_where(path, first_row + int(row))}: {columns[column]} is "
            f"{counts[row, column]:g}, expected a whole number of cameras from 0 (or an "
            "empty cell).",
        )


def _unknown_named(columns: list, unknown: list) -> str:
    """The unknown columns as the file has them: pandas names an empty header cell
    ``Unnamed: N``, which the file does not say; it is told by its place instead."""
    shown = []
    for column in unknown[:5]:
        at = columns.index(column)
        if not str(column).startswith("Unnamed: "):
            shown.append(repr(str(column)))
        elif at == 0:
            shown.append("an unnamed first column (was it saved with an index column?)")
        elif at == len(columns) - 1:
            shown.append(
                f"an unnamed last column, cell {at + 1} of the header (a trailing comma?)"
            )
        else:
            shown.append(f"an unnamed column, cell {at + 1} of the header")
    return "[" + ", ".join(shown) + "]"


class _Index(NamedTuple):
    """An index column's cells as numbers (NaN where not a number), with how to name it."""

    column: object
    values: pd.Series
    numbers: np.ndarray
    blank: np.ndarray
    named: str
    place: int

    def as_frames(self, path: Path | None) -> str:
        """The column named as the frame numbers it gives (a table without ``fnum``)."""
        column = repr(str(self.column)) if path is None else f"in cell {self.place + 1}"
        return f"the index column {column}, taken for the frame numbers as there is no fnum"


def _index_column(df: pd.DataFrame, column: object, path: Path | None) -> _Index:
    """The cells of index column ``column`` read as numbers."""
    values = df[column]
    kind = values.dtype.kind
    blank = values.isna().to_numpy()
    if kind in "OSU":  # text: parsed from what it says
        text = values.astype(str).str.strip()
        blank = blank | (text == "").to_numpy()
        numbers = pd.to_numeric(text, errors="coerce").to_numpy(dtype=np.float64)
    elif kind in "iuf":  # also pandas' nullable integers
        numbers = values.to_numpy(dtype=np.float64, na_value=np.nan)
    else:  # booleans, dates: no row label
        numbers = np.full(len(values), np.nan)
    place = list(df.columns).index(column)
    named = (
        f"the column of cell {place + 1} of the header, which has no Anipose name,"
        if path is not None
        else f"column {str(column)!r}"
    )
    return _Index(column, values, numbers, blank, named, place)


def _not_row_labels(df: pd.DataFrame) -> list:
    """The index columns starting a DataFrame (:func:`index_columns`) whose cells are not
    all whole numbers, or, for the last one when there is no ``fnum`` (it gives the frame
    numbers), not distinct whole numbers from 0: not row labels, so columns that are not
    Anipose's."""
    leading = list(df.columns[: index_columns(list(df.columns))])
    out = []
    for column in leading:
        numbers = _index_column(df, column, None).numbers
        fine = model.whole_numbers(numbers).all()
        if fine and column == leading[-1] and FRAME_COLUMN not in df.columns:
            fine = bool((numbers >= 0).all()) and not pd.Series(numbers).duplicated().any()
        if not fine:
            out.append(column)
    return out


def _without_index_columns(
    df: pd.DataFrame, path: Path | None, first_row: int = 0
) -> tuple[pd.DataFrame, _Index | None]:
    """The table without the index columns that start it (:func:`index_columns`: an
    empty header cell, as ``DataFrame.to_csv`` writes the row labels by default, or
    ``Unnamed: 0``); they hold row labels, not Anipose's values, and are left out.
    The last of them (the first saved, when a table was saved, read and saved again)
    is returned too: without ``fnum`` its numbers are the frame numbers.

    Raises
    ------
    FormatError
        Naming the line of a cell of such a column that is no whole number (then it is
        a column of values whose header cell is empty, not an index).
    """
    leading = list(df.columns[: index_columns(list(df.columns))])
    index = None
    for column in leading:
        index = _index_column(df, column, path)
        bad = ~model.whole_numbers(index.numbers)
        if not bad.any():
            continue
        row = int(np.argmax(bad))
        value = index.values.iloc[row]
        if index.blank[row]:
            shown = "an empty cell"
        else:
            shown = repr(value) if isinstance(value, str) else str(value)
        raise FormatError(
            path,
            f"{_where(path, first_row + row)}: {index.named} holds {shown}; a column so named "
            "before Anipose's is taken for an index column (pandas' to_csv writes one) and "
            "must hold whole row numbers. Name the column, or save the table with "
            "to_csv(index=False).",
        )
    return (df.drop(columns=leading) if leading else df), index


def _build(
    df: pd.DataFrame, individual_name: str, path: Path | None, first_row: int = 0
) -> xr.Dataset:
    """The dataset of a table (``first_row``: the table's first row in the file)."""
    if not isinstance(df, pd.DataFrame):
        raise FormatError(path, f"expected a pandas DataFrame, got {type(df).__name__}.")
    if not isinstance(individual_name, str) or not individual_name:
        raise SchemaError(f"individual_name must be a non-empty string, got {individual_name!r}.")
    if isinstance(df.columns, pd.MultiIndex):
        raise FormatError(
            path,
            "has several header rows (a DeepLabCut-style table); an Anipose file has one "
            "header row of <keypoint>_x, _y, _z, _error, _ncams, _score columns.",
        )
    df, index = _without_index_columns(df, path, first_row)
    keypoints, by_keypoint, unknown = split_columns(list(df.columns))
    if unknown:
        raise FormatError(
            path,
            f"unexpected columns {_unknown_named(list(df.columns), unknown)}: an Anipose file "
            "has only <keypoint>_x/_y/_z/_error/_ncams/_score, M_00..M_22, center_0..2 and fnum.",
        )
    if not keypoints:
        raise FormatError(path, "has no <keypoint>_x, _y, _z columns.")
    incomplete = {
        kp: [s for s in ("x", "y", "z") if s not in cols]
        for kp, cols in by_keypoint.items()
        if not {"x", "y", "z"} <= cols.keys()
    }
    if incomplete:
        raise FormatError(
            path,
            "every keypoint needs _x, _y and _z columns; missing: "
            + ", ".join(f"{kp}_{'/'.join(s)}" for kp, s in incomplete.items()),
        )
    n_time, n_kp = len(df), len(keypoints)
    frames = _frame_numbers(df, path, first_row, index)
    names = [column for column in df.columns if column != FRAME_COLUMN]
    table = _numeric(df, names, path, first_row)  # usually a view of pandas' float block
    where = {name: index for index, name in enumerate(names)}
    order = None if np.all(np.diff(frames) > 0) else np.argsort(frames, kind="stable")

    def take(columns: list[str]) -> np.ndarray:
        block = table[:, [where[c] for c in columns]]
        return block if order is None else block[order]

    def per_keypoint(suffix: str) -> np.ndarray | None:
        present = [kp for kp in keypoints if suffix in by_keypoint[kp]]
        if not present:
            return None
        if len(present) == n_kp:
            return take([by_keypoint[kp][suffix] for kp in keypoints])[:, :, None]
        values = np.full((n_time, n_kp), np.nan)
        index = [keypoints.index(kp) for kp in present]
        values[:, index] = take([by_keypoint[kp][suffix] for kp in present])
        return values[:, :, None]

    ncams = [by_keypoint[kp]["ncams"] for kp in keypoints if "ncams" in by_keypoint[kp]]
    _refuse_bad_camera_counts(table, ncams, where, path, first_row)
    xyz = take([by_keypoint[kp][s] for kp in keypoints for s in ("x", "y", "z")])
    position = xyz.reshape(n_time, n_kp, 3).transpose(0, 2, 1)[..., None]
    score = per_keypoint("score")
    confidence = score if score is not None else np.full((n_time, n_kp, 1), np.nan)
    ds = xr.Dataset(
        {
            "position": (model.POSES_DIMS, position),
            "confidence": (("time", "keypoint", "individual"), confidence),
        },
        coords={
            "time": frames if order is None else frames[order],
            "space": ["x", "y", "z"],
            "keypoint": keypoints,
            "individual": [individual_name],
        },
        attrs={"ds_type": model.POSES, "time_unit": "frames", "source_software": SOURCE_SOFTWARE},
    )
    for suffix, name in (("error", ERROR_VAR), ("ncams", NCAMS_VAR)):
        values = per_keypoint(suffix)
        if values is not None:
            ds[name] = (("time", "keypoint", "individual"), values)
    for group, attr in ((MATRIX_COLUMNS, MATRIX_ATTR), (CENTER_COLUMNS, CENTER_ATTR)):
        present = [c for c in group if c in where]
        if not present or n_time == 0:  # a header alone holds no transform
            continue
        if len(present) != len(group):
            missing = [c for c in group if c not in where]
            raise FormatError(path, f"has {present[0]} but lacks {', '.join(missing)}.")
        ds.attrs[attr] = _constant_row(table[:, [where[c] for c in group]], group, path)
    return ds


def dataset_from_dataframe(
    df: pd.DataFrame, *, individual_name: str = "id_0", unknown_columns: str = "refuse"
) -> xr.Dataset:
    """Build a poses dataset from an Anipose triangulation table.

    Parameters
    ----------
    df
        The table as ``pandas.read_csv`` returns it (one header row). Index
        columns first (``Unnamed: 0``: a file saved with ``to_csv``'s index)
        are left out when they hold whole numbers; without ``fnum``, the last
        of them gives the frame numbers (a table filtered before it was
        saved keeps them there). With ``unknown_columns="ignore"``, one
        that holds other values is left out as other unknown columns are.
    individual_name
        Name of the one animal.
    unknown_columns
        What to do with columns that are not Anipose's: ``"refuse"`` (a
        ``FormatError`` naming them) or ``"ignore"`` (left out, with a
        ``UserWarning`` naming them).

    Returns
    -------
    xarray.Dataset
        3D poses in frame units, with the extras described in the module.

    Raises
    ------
    FormatError
        Naming the row and column that break the layout.

    Examples
    --------
    >>> import pandas as pd
    >>> from posebridge.formats import anipose
    >>> df = pd.DataFrame({"nose_x": [1.0], "nose_y": [2.0], "nose_z": [3.0], "fnum": [7]})
    >>> ds = anipose.dataset_from_dataframe(df, individual_name="mouse")
    >>> ds.position.sel(keypoint="nose", individual="mouse").values.tolist()
    [[1.0, 2.0, 3.0]]
    """
    if unknown_columns not in ("refuse", "ignore"):
        raise PoseBridgeError(
            f"unknown_columns must be 'refuse' or 'ignore', got {unknown_columns!r}."
        )
    if isinstance(df, pd.DataFrame) and not df.columns.is_unique:
        repeated = list(dict.fromkeys(str(c) for c in df.columns[df.columns.duplicated()]))
        raise PoseBridgeError(
            f"the DataFrame names the column(s) {repeated} more than once; an Anipose table "
            "gives each column once (which copy holds the values is unknown)."
        )
    if (
        unknown_columns == "ignore"
        and isinstance(df, pd.DataFrame)
        and not isinstance(df.columns, pd.MultiIndex)
    ):
        leading = index_columns(list(df.columns))  # row labels: left out by _build
        # ... when they are whole numbers; others (a time in seconds saved as the index)
        # are columns of values, left out as movement ignores them
        unknown = [*_not_row_labels(df), *split_columns(list(df.columns[leading:]))[2]]
        if unknown:
            warnings.warn(
                f"columns {[str(column) for column in unknown]} are not Anipose's and are "
                "left out of the dataset.",
                UserWarning,
                stacklevel=user_stacklevel(),
            )
            df = df.drop(columns=unknown)
    return _build(df, individual_name, None)


def _refuse_other_delimiter(path: Path, line: str, header: list[str]) -> None:
    """Refuse a header line that is Anipose's with ``;`` or tabs between its cells.

    A spreadsheet set to a language whose decimal mark is a comma saves so,
    with ``,`` in its numbers: read as commas, every data row would have more
    cells than the one-cell header.
    """
    if is_header([cell.strip() for cell in header]):
        return
    delimiter = other_delimiter(line)
    if delimiter is not None:
        first = next(csv.reader([line], delimiter=delimiter))[0].strip(" \t")
        csv_rows.refuse_other_delimiter(path, line, first, TITLE)


def read(path: Path, *, individual_name: str = "id_0") -> xr.Dataset:
    """Read an Anipose triangulation .csv file.

    Parameters
    ----------
    path
        The ``pose-3d`` (or ``pose-3d-filtered``) .csv file.
    individual_name
        Name of the one animal (Anipose files hold one).

    Returns
    -------
    xarray.Dataset
        3D poses; ``time`` is ``fnum`` (gaps kept).

    Examples
    --------
    >>> from posebridge.formats import anipose
    >>> ds = anipose.read("pose-3d/session.csv")  # doctest: +SKIP
    """
    path = check_input(path)
    size = text_size(path)  # refuses lone carriage returns and NUL at the end
    with open(path, "rb") as handle:
        data = handle.read(size)  # without an old DOS end-of-file marker (Ctrl-Z)
    try:
        first = data.split(b"\n", 1)[0].decode("utf-8-sig").rstrip("\r")
    except UnicodeDecodeError:
        raise FormatError(path, not_utf8_message(data)) from None
    header = next(csv.reader([first]), [])
    _refuse_other_delimiter(path, first, header)
    csv_rows.refuse_repeated_columns(path, header)  # pandas would rename the copy
    if header:
        csv_rows.refuse_wrong_widths(path, data, len(header))
    try:
        df = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", **_EXACT_FLOATS)
    except pd.errors.EmptyDataError:
        raise FormatError(path, "is empty; expected an Anipose header row.") from None
    except pd.errors.ParserError as error:
        raise FormatError(path, f"is not a well-formed CSV table: {error}") from None
    except UnicodeDecodeError:
        raise FormatError(path, not_utf8_message(data)) from None
    ds = _build(df, individual_name, path)
    if len(df):  # a copy cut inside its last cell: fnum, the frame number, lost digits
        warn_if_unended(path, len(data), SOURCE_SOFTWARE)
    return ds
