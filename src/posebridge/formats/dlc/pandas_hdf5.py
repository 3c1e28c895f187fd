"""Read DataFrames that pandas wrote to HDF5 (``to_hdf``), with h5py alone.

pandas stores a DataFrame in one of two layouts (both readable here without
PyTables):

``table`` (``pandas_type == "frame_table"``)
    The group holds a compound dataset ``table`` with the fields ``index`` and
    ``values_block_<b>`` (one 2-D field per block of columns of one dtype).
    The column labels sit in small attributes written as protocol-0 pickles of
    builtins (``non_index_axes``, ``info``, ``values_block_<b>_kind``); they
    are unpickled by :mod:`~posebridge.formats.dlc.pandas_pickles`, which refuses any
    class, so a crafted file cannot run code (in ``info``, of which only the
    level names are used, any other object becomes an inert stand-in: pandas
    pickles a DatetimeIndex's frequency and time zone there).
``fixed`` (``pandas_type == "frame"``)
    The group holds ``axis0*`` (columns), ``axis1*`` (rows) and
    ``block<b>_items*`` / ``block<b>_values`` arrays; a MultiIndex axis is
    stored as ``_level<i>`` (values) and ``_label<i>`` (codes). No pickles,
    except a ``None`` level name, stored as the pickle ``N.``.

Only what DataFrames of numbers with string or integer labels need is read;
anything else (object columns stored as pickled arrays, datetimes) raises
:class:`~posebridge.errors.FormatError`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import h5py
import numpy as np

from posebridge._write_problems import limit_cause
from posebridge.errors import FormatError, PoseBridgeError, brief
from posebridge.formats._shared.hdf5 import (
    check_size,
    one_number,
    read_whole,
    refuse_unavailable_filters,
)
from posebridge.formats.dlc.pandas_pickles import safe_unpickle, unpickle_info
from posebridge.model import labels

__all__ = [
    "PandasFrame",
    "check_row_index_kind",
    "check_table_row_index",
    "check_written",
    "column_level_names",
    "group_encoding",
    "pandas_groups",
    "read_frame",
]


@dataclass
class PandasFrame:
    """A DataFrame's pieces, as read from HDF5.

    Attributes
    ----------
    values
        (rows, columns) numbers, in column order (the file's dtype).
    columns
        One tuple of labels per column.
    column_names
        The names of the column levels (``None`` where unnamed).
    index
        One array per row-index level (int64 or str).
    layout
        ``"table"`` or ``"fixed"``.
    text_columns
        Columns of text (a ``table`` block of strings), by position; their
        place in ``values`` holds NaN.
    """

    values: np.ndarray
    columns: list[tuple[str, ...]]
    column_names: list[str | None]
    index: list[np.ndarray]
    layout: str
    text_columns: dict[int, np.ndarray] = field(default_factory=dict)


def _text(value: Any, encoding: str = "utf-8") -> str:
    if isinstance(value, np.ndarray):
        value = value.item() if value.size == 1 else value.tobytes()
    if isinstance(value, bytes | np.bytes_):
        return labels.decode_text(bytes(value), encoding)
    return str(value)


def pandas_groups(h5: h5py.File) -> list[str]:
    """Paths (without the leading ``/``) of every group pandas wrote a DataFrame to.

    Parameters
    ----------
    h5
        An open HDF5 file.

    Returns
    -------
    list of str
        The pandas keys, in file order.

    Examples
    --------
    >>> import h5py
    >>> with h5py.File("video1DLC.h5") as h5:  # doctest: +SKIP
    ...     pandas_groups(h5)
    ['df_with_missing']
    """
    found: list[str] = []

    def visit(name: str, obj: Any) -> None:
        if isinstance(obj, h5py.Group) and "pandas_type" in obj.attrs:
            found.append(name)

    h5.visititems(visit)
    return found


def _layout(group: h5py.Group) -> str:
    kind = _text(group.attrs.get("pandas_type", b""))
    if kind == "frame_table":
        return "table"
    if kind == "frame":
        return "fixed"
    return kind


def column_level_names(group: h5py.Group, path: Path) -> list[str | None]:
    """The names of the column levels of the DataFrame in ``group``.

    Parameters
    ----------
    group
        A pandas group.
    path
        The file, for error messages.

    Returns
    -------
    list
        One name (or ``None``) per column level; empty when unknown.

    Examples
    --------
    >>> import h5py
    >>> with h5py.File("video1DLC.h5") as h5:  # doctest: +SKIP
    ...     column_level_names(h5["df_with_missing"], "video1DLC.h5")
    ['scorer', 'bodyparts', 'coords']
    """
    layout = _layout(group)
    if layout == "table":
        info = unpickle_info(group.attrs.get("info", b"(dp0\n."), path)
        if not isinstance(info, dict):
            return []
        axis_info = info.get(1, {})
        names = axis_info.get("names") if isinstance(axis_info, dict) else None
        if names is None:
            return []
        if not isinstance(names, list | tuple) or not all(
            n is None or isinstance(n, str | int) for n in names
        ):
            raise FormatError(
                path,
                f"the pandas attribute 'info' of '{group.name}' names its column levels with "
                f"{brief(names)}, not a list of names.",
            )
        return [None if n is None else str(n) for n in names]
    if layout == "fixed":
        if _text(group.attrs.get("axis0_variety", b"")) != "multi":
            return [_fixed_name(group.get("axis0"))]
        count = _level_count(group, "axis0", path)
        return [_fixed_name(group.get(f"axis0_level{i}")) for i in range(count)]
    return []


def _level_count(group: h5py.Group, key: str, path: Path) -> int:
    """How many levels the axis ``key`` has: one whole number, at most the group's members.

    Each level is two members (``<key>_level<i>``, ``<key>_label<i>``), so a
    count beyond the members is damage (and would be a loop of millions).
    """
    count = one_number(group, f"{key}_nlevels", 0, path, whole=True)
    if not 0 <= count <= len(group):
        raise FormatError(
            path,
            f"the pandas frame '{group.name}' says its axis '{key}' has {count} levels "
            f"but holds {len(group)} members.",
        )
    return count


def _fixed_name(node: Any) -> str | None:
    if node is None or "name" not in node.attrs:
        return None
    raw = node.attrs["name"]
    text = _text(raw)
    return None if text == "N." else text


# --------------------------------------------------------------------------
# table layout


def _labels(raw: Any) -> tuple[str, ...]:
    items = raw if isinstance(raw, tuple | list) else (raw,)
    return tuple(_text(item) for item in items)


def group_encoding(group: h5py.Group, path: Path) -> str:
    """The text encoding a pandas group declares (``encoding`` attribute, UTF-8 if none).

    Raises
    ------
    FormatError
        When the declared encoding is not one Python knows (a damaged attribute).

    Examples
    --------
    >>> with h5py.File("video1DLC.h5") as h5:  # doctest: +SKIP
    ...     group_encoding(h5["df_with_missing"], Path("video1DLC.h5"))
    'UTF-8'
    """
    import codecs

    encoding = _text(group.attrs.get("encoding", b"UTF-8")) or "UTF-8"
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise FormatError(
            path,
            f"the pandas group '{group.name}' declares an unknown text encoding {encoding!r}.",
        ) from None
    return encoding


def _decode_strings(
    values: np.ndarray, encoding: str, path: Path, what: str, *, floats: bool = False
) -> np.ndarray:
    """Text decoded, integers as int64, and floats as float64 when ``floats`` (a row index
    of frame numbers stored as floats: the table step takes whole ones, refuses others; a
    column level of numbers, movement's individuals of floats, read as their text)."""
    if values.dtype.kind == "S":
        try:
            return np.char.decode(values, encoding)
        except UnicodeDecodeError:
            raise FormatError(path, f"the {what} holds text that is not {encoding}.") from None
    if values.dtype.kind in "iu":
        return values.astype(np.int64)
    if values.dtype.kind == "U":
        return values
    if floats and values.dtype.kind == "f":
        return values.astype(np.float64)
    raise FormatError(path, f"the {what} has values of type {values.dtype}, not text or integers.")


#: The kinds of a ``table`` layout's row index that are read (frame numbers, image paths).
TABLE_INDEX_KINDS = ("integer", "float", "string")
#: pandas' kinds of a row index of dates or durations (``kind`` / ``index_kind`` attribute).
_TIME_KINDS = ("datetime", "timedelta", "date")
#: pandas' ``index_class`` of a fixed layout's index stored as integers that are not numbers.
_TIME_CLASSES = ("datetime", "period", "timedelta")


def check_row_index_kind(
    kind: str,
    group: h5py.Group | None,
    path: Path,
    *,
    known: tuple[str, ...] | None = None,
    index_class: str = "",
) -> None:
    """Refuse a pandas row index of dates or times, or (``known``) of another kind.

    ``kind`` is pandas' name of the index's type (``integer``, ``float``,
    ``string``, ``datetime64[ns]``...), ``index_class`` the fixed layout's
    ``index_class`` (``period`` for a PeriodIndex, stored as integers;
    ``category`` for a CategoricalIndex, stored as codes). Frame
    numbers stored as floats are read (whole ones as frame numbers, others
    refused by the table step). Dates and times are refused: DeepLabCut indexes
    rows by frame number (movement's loader ignores the index and counts rows),
    and neither frame numbers nor seconds can be told from clock times without
    inventing them.

    Examples
    --------
    >>> check_row_index_kind("float", None, Path("a.h5"))
    >>> check_row_index_kind("datetime64[us]", None, Path("a.h5"))
    Traceback (most recent call last):
    ...
    posebridge.errors.FormatError: a.h5: the row index holds dates or times (pandas ...
    """
    where = f" of the pandas frame '{group.name}'" if group is not None else ""
    if kind == "category" or index_class == "category":
        raise FormatError(
            path,
            f"the row index{where} is categorical (a pandas CategoricalIndex), which "
            "posebridge does not decode; DeepLabCut indexes rows by frame number or image "
            "path. Re-save the DataFrame with a plain index (df.index = "
            "df.index.astype(str) for image paths).",
        )
    if kind.startswith(_TIME_KINDS) or index_class in _TIME_CLASSES:
        if not kind.startswith(_TIME_KINDS):  # a PeriodIndex, stored as integers
            kind = f"{kind}, index class {index_class}"
        raise FormatError(
            path,
            f"the row index{where} holds dates or times (pandas kind '{kind}': a "
            "DatetimeIndex, TimedeltaIndex or PeriodIndex); DeepLabCut indexes rows by frame "
            "number (or "
            "image path), and frame numbers are not made up from times. Re-save the "
            "DataFrame with its frame numbers as the index (df.reset_index(drop=True) for "
            "rows 0, 1, 2, ...).",
        )
    if (known is not None and kind not in known) or kind == "bool":
        raise FormatError(
            path,
            f"the row index{where} is of kind '{kind}'; expected frame numbers or image paths.",
        )


def check_table_row_index(group: h5py.Group, table: h5py.Dataset, path: Path) -> None:
    """Refuse a ``table`` layout's row index that is not frame numbers or image paths.

    Besides ``index_kind``, a PeriodIndex is told by the frequency pandas keeps in
    the pickled ``info`` (its periods are stored as plain integers), and a
    CategoricalIndex by ``index_meta`` (its codes are stored as integers): read as
    they are, both would be frame numbers that are not.

    Parameters
    ----------
    group
        The pandas group.
    table
        Its ``table`` dataset.
    path
        The file, for error messages.

    Examples
    --------
    >>> import h5py
    >>> with h5py.File("video1DLC.h5") as h5:  # doctest: +SKIP
    ...     check_table_row_index(h5["df_with_missing"], h5["df_with_missing/table"], "a.h5")
    """
    kind = _text(table.attrs.get("index_kind", b""))
    index_class = "category" if _text(table.attrs.get("index_meta", b"")) == "category" else ""
    if kind == "integer" and not index_class:
        info = unpickle_info(group.attrs.get("info", b"(dp0\n."), path)
        index_info = info.get("index") if isinstance(info, dict) else None
        if isinstance(index_info, dict) and "freq" in index_info:
            index_class = "period"
    check_row_index_kind(kind, group, path, known=TABLE_INDEX_KINDS, index_class=index_class)


def _read_table(group: h5py.Group, path: Path) -> PandasFrame:
    if "table" not in group or not isinstance(group["table"], h5py.Dataset):
        raise FormatError(path, f"the pandas table '{group.name}' has no 'table' dataset.")
    table = group["table"]
    check_size(table)  # its rows are read whole
    refuse_unavailable_filters(table)
    encoding = group_encoding(group, path)
    table_type = _text(group.attrs.get("table_type", b""))
    if table_type != "appendable_frame":
        raise FormatError(
            path,
            f"the pandas table '{group.name}' is of type '{table_type}'; only DataFrames "
            "with a one-level row index ('appendable_frame') are read from table files.",
        )
    check_table_row_index(group, table, path)
    axes = safe_unpickle(group.attrs.get("non_index_axes", b"(lp0\n."), path, "non_index_axes")
    try:
        column_labels = next(labels for axis, labels in axes if axis == 1)
    except (StopIteration, TypeError, ValueError):
        raise FormatError(path, f"the pandas table '{group.name}' lists no columns.") from None
    columns = [_labels(c) for c in column_labels]
    names = column_level_names(group, path)
    fields = table.dtype.names or ()
    if "index" not in fields:
        raise FormatError(path, f"the pandas table '{group.name}' has no 'index' field.")
    blocks = [f for f in fields if f.startswith("values_block_")]
    others = [f for f in fields if f != "index" and f not in blocks]
    if others:
        raise FormatError(
            path,
            f"the pandas table '{group.name}' has data columns {others}; only tables of "
            "number blocks are read.",
        )
    n_rows = table.shape[0]
    position = {label: j for j, label in enumerate(columns)}
    pieces: list[tuple[np.ndarray, str]] = []
    texts: list[tuple[np.ndarray, str]] = []
    for block in blocks:
        kind = safe_unpickle(table.attrs.get(f"{block}_kind", b"(lp0\n."), path, f"{block}_kind")
        block_columns = [_labels(c) for c in kind]
        try:
            where = np.array([position[c] for c in block_columns], dtype=np.intp)
        except KeyError as missing:
            raise FormatError(
                path, f"the pandas table '{group.name}' has an unlisted column {missing}."
            ) from None
        width = int(np.prod(table.dtype[block].shape))
        if width != len(block_columns):
            raise FormatError(
                path,
                f"the pandas table '{group.name}' field {block} holds {width} values per row "
                f"but its column list names {len(block_columns)}; the file is damaged.",
            )
        base = table.dtype[block].base.kind
        if base == "S":
            texts.append((where, block))
        elif base in "fiub":
            pieces.append((where, block))
        else:
            raise FormatError(
                path, f"the pandas table '{group.name}' holds columns of type {base} ({block})."
            )
    if not texts and len(pieces) == 1 and np.array_equal(pieces[0][0], np.arange(len(columns))):
        values = table.fields(pieces[0][1])[:].reshape(n_rows, len(columns))
    else:
        values = np.full((n_rows, len(columns)), np.nan)
        for where, block in pieces:
            values[:, where] = table.fields(block)[:].reshape(n_rows, len(where))
    text_columns: dict[int, np.ndarray] = {}
    for where, block in texts:
        strings = table.fields(block)[:].reshape(n_rows, len(where))
        for k, j in enumerate(where):
            text_columns[int(j)] = _decode_strings(strings[:, k], encoding, path, block)
    index = _decode_strings(table.fields("index")[:], encoding, path, "row index", floats=True)
    return PandasFrame(values, columns, names, [index], "table", text_columns)


# --------------------------------------------------------------------------
# fixed layout


def _array(group: h5py.Group, key: str, path: Path) -> np.ndarray:
    node = group.get(key)
    if not isinstance(node, h5py.Dataset):
        raise FormatError(path, f"the pandas frame '{group.name}' has no '{key}' array.")
    refuse_unavailable_filters(node)
    if "shape" in node.attrs:  # pandas marks an empty array so
        shape = _empty_shape(node, group, key, path)
        if 0 not in shape:  # an attribute of a few bytes declaring gigabytes
            raise FormatError(
                path,
                f"the pandas frame '{group.name}' marks '{key}' as an empty array of shape "
                f"{shape}, which is not empty; the file is damaged.",
            )
        return np.empty(shape, dtype=_empty_dtype(node))
    if node.dtype.kind == "O" or node.dtype.kind == "V":
        raise FormatError(
            path,
            f"the pandas frame '{group.name}' stores '{key}' as pickled objects, which "
            "posebridge does not unpickle; re-save the DataFrame with text or numbers.",
        )
    values = read_whole(node)  # a declared billion labels: refused, not read
    if values.ndim > 1 and not int(node.attrs.get("transposed", 0)):
        values = values.T  # old pandas stored blocks as (items, rows)
    return values


def _empty_shape(node: h5py.Dataset, group: h5py.Group, key: str, path: Path) -> tuple:
    """The shape pandas declares for an empty array: numbers, or (PyTables 3.x) a pickled
    tuple of them."""
    raw = node.attrs["shape"]
    if isinstance(raw, bytes | np.bytes_):
        raw = safe_unpickle(bytes(raw), path, f"{key} shape")
    try:
        shape = tuple(int(s) for s in np.atleast_1d(np.asarray(raw)))
    except (TypeError, ValueError):
        raise FormatError(
            path, f"the pandas frame '{group.name}' declares '{key}' of shape {raw!r}."
        ) from None
    if any(s < 0 for s in shape):
        raise FormatError(
            path, f"the pandas frame '{group.name}' declares '{key}' of shape {shape}."
        )
    return shape


def _empty_dtype(node: h5py.Dataset) -> np.dtype:
    """The dtype of an empty array: pandas' ``value_type`` (the stored placeholder's is
    float64 whatever the array held), else the stored one."""
    value_type = _text(node.attrs.get("value_type", b""))
    if value_type in ("int64", "int32", "uint64", "float64", "float32"):
        return np.dtype(value_type)
    return node.dtype


def _one_per_row(values: np.ndarray, group: h5py.Group, key: str, path: Path) -> np.ndarray:
    """``values`` when they are one list (an axis, its levels or codes), else a FormatError."""
    if values.ndim != 1:
        raise FormatError(
            path,
            f"the pandas frame '{group.name}' has '{key}' of shape {values.shape}; "
            "an axis is a list of labels.",
        )
    return values


def _fixed_axis(group: h5py.Group, key: str, encoding: str, path: Path) -> list[np.ndarray]:
    """One array of values per level of the axis stored under ``key``.

    The row index (``axis1``) may hold frame numbers as floats; one of dates or
    times is refused (:func:`check_row_index_kind`).
    """
    variety = _text(group.attrs.get(f"{key}_variety", b""))
    rows = key == "axis1"
    if variety == "regular":
        node = group.get(key)
        if rows and isinstance(node, h5py.Dataset):
            check_row_index_kind(
                _text(node.attrs.get("kind", b"")),
                group,
                path,
                index_class=_text(node.attrs.get("index_class", b"")),
            )
        values = _one_per_row(_array(group, key, path), group, key, path)
        return [_decode_strings(values, encoding, path, f"axis '{key}'", floats=rows)]
    if variety != "multi":
        raise FormatError(
            path, f"the pandas frame '{group.name}' has an axis '{key}' of kind '{variety}'."
        )
    levels = []
    for i in range(_level_count(group, key, path)):
        node = group.get(f"{key}_level{i}")
        if rows and isinstance(node, h5py.Dataset):
            check_row_index_kind(_text(node.attrs.get("kind", b"")), group, path)
        level = _decode_strings(
            _one_per_row(_array(group, f"{key}_level{i}", path), group, f"{key}_level{i}", path),
            encoding,
            path,
            f"axis '{key}'",
            floats=not rows,  # movement writes an individual coordinate of floats as floats
        )
        codes = _one_per_row(
            _array(group, f"{key}_label{i}", path), group, f"{key}_label{i}", path
        )
        codes = codes.astype(np.intp)
        if codes.size and (codes.min() < -1 or codes.max() >= level.size):
            raise FormatError(
                path, f"the pandas frame '{group.name}' has broken codes in '{key}_label{i}'."
            )
        if codes.size and codes.min() == -1:  # pandas' code of a missing label (NaN):
            # read as an empty label, which the table's reader refuses naming the column or row
            level = np.append(level.astype(str), "")
        levels.append(level[codes])
    if len({values.shape[0] for values in levels}) > 1:
        raise FormatError(
            path,
            f"the pandas frame '{group.name}' has levels of different lengths in '{key}' "
            f"({', '.join(str(values.shape[0]) for values in levels)} labels).",
        )
    return levels


def _read_fixed(group: h5py.Group, path: Path) -> PandasFrame:
    encoding = group_encoding(group, path)
    if one_number(group, "ndim", 2, path, whole=True) != 2:
        raise FormatError(path, f"the pandas object '{group.name}' is not a DataFrame.")
    column_levels = _fixed_axis(group, "axis0", encoding, path)
    index = _fixed_axis(group, "axis1", encoding, path)
    columns = list(zip(*(level.astype(str) for level in column_levels), strict=True))
    n_rows = index[0].shape[0] if index else 0
    position = {label: j for j, label in enumerate(columns)}
    blocks = []
    for b in range(one_number(group, "nblocks", 0, path, whole=True)):
        items = _fixed_axis(group, f"block{b}_items", encoding, path)
        labels = list(zip(*(level.astype(str) for level in items), strict=True))
        try:
            where = np.array([position[c] for c in labels], dtype=np.intp)
        except KeyError as missing:
            raise FormatError(
                path, f"the pandas frame '{group.name}' has an unlisted column {missing}."
            ) from None
        values = _array(group, f"block{b}_values", path)
        if values.dtype.kind not in "fiub":
            raise FormatError(path, f"the pandas frame '{group.name}' holds non-numeric columns.")
        if values.shape == (len(labels), n_rows) and values.size == 0:
            values = values.T
        if values.shape != (n_rows, len(labels)):
            raise FormatError(
                path,
                f"the pandas frame '{group.name}' block {b} has shape {values.shape}, "
                f"expected {(n_rows, len(labels))}.",
            )
        blocks.append((where, values))
    if len(blocks) == 1 and np.array_equal(blocks[0][0], np.arange(len(columns))):
        values = blocks[0][1]
    else:
        values = np.full((n_rows, len(columns)), np.nan)
        for where, block in blocks:
            values[:, where] = block
    names = column_level_names(group, path)
    return PandasFrame(values, columns, names, index, "fixed")


def read_frame(h5: h5py.File, key: str, path: Path) -> PandasFrame:
    """Read the DataFrame pandas stored under ``key``.

    Parameters
    ----------
    h5
        The open file.
    key
        The pandas key (a group path).
    path
        The file, for error messages.

    Returns
    -------
    PandasFrame
        Values, column labels and row index.

    Raises
    ------
    FormatError
        When the group is not a pandas DataFrame of numbers this module reads.

    Examples
    --------
    >>> import h5py
    >>> with h5py.File("video1DLC.h5") as h5:  # doctest: +SKIP
    ...     frame = read_frame(h5, "df_with_missing", "video1DLC.h5")
    >>> frame.values.shape  # doctest: +SKIP
    (2330, 12)
    """
    group = h5.get(key)
    if not isinstance(group, h5py.Group):
        raise FormatError(path, f"has no pandas group '{key}'.")
    layout = _layout(group)
    if layout == "table":
        return _read_table(group, path)
    if layout == "fixed":
        return _read_fixed(group, path)
    raise FormatError(
        path, f"the group '{key}' holds a pandas '{layout}', not a DataFrame ('frame')."
    )


def dlc_groups(h5: h5py.File, path: Path) -> list[str]:
    """Pandas keys whose columns have DeepLabCut's ``bodyparts`` and ``coords`` levels,
    or 3 or 4 unnamed levels under DeepLabCut's own key ``df_with_missing`` (a DataFrame
    built by a script without level names, which the reader reads by the levels' places)."""
    keys = []
    for key in pandas_groups(h5):
        try:
            names = column_level_names(h5[key], path)
        except FormatError:
            continue
        unnamed = len(names) in (3, 4) and all(name is None for name in names)
        if ("bodyparts" in names and "coords" in names) or (
            unnamed and key.rsplit("/", 1)[-1] == "df_with_missing"
        ):
            keys.append(key)
    return keys


def check_written(
    path: Path,
    key: str,
    n_rows: int,
    *,
    frames: np.ndarray | None = None,
    values: np.ndarray | None = None,
) -> None:
    """Refuse a pandas table just written that does not read back as it was written.

    PyTables reports no error when the disk fills up during a write: the table
    was then missing, or its last chunks read as zeros (frame 0 again). The
    row count is compared, then the rows' ``frames`` (a ``table``'s index
    field: large predictions) or all the ``values`` (small tables: labels).

    Raises
    ------
    PoseBridgeError
        Naming ``path``, the likely cause (a full disk, the file-size limit) and
        what did not read back.

    Examples
    --------
    >>> check_written(Path("video1DLC.h5"), "df_with_missing", 3, frames=frames)  # doctest: +SKIP
    """
    problem = None
    try:
        with h5py.File(path, "r") as h5:
            group = h5.get(key)
            table = group.get("table") if isinstance(group, h5py.Group) else None
            if frames is not None and isinstance(table, h5py.Dataset):  # the index field only
                if table.shape != (n_rows,) or "index" not in (table.dtype.names or ()):
                    problem = f"it holds {table.shape[0] if table.ndim else 0} rows of {n_rows}"
                elif not np.array_equal(table.fields("index")[()], frames):
                    problem = "its frame numbers differ from those written"
            else:
                frame = read_frame(h5, key, path)
                if frame.values.shape[0] != n_rows:
                    problem = f"it holds {frame.values.shape[0]} rows of {n_rows}"
                elif (
                    values is not None
                    and not np.array_equal(  # text columns come after
                        frame.values[:, : values.shape[1]], values, equal_nan=True
                    )
                ):
                    problem = "its numbers differ from those written"
    except (OSError, FormatError) as error:
        problem = str(error)
    if problem is None:
        return
    raise PoseBridgeError(
        f"{path}: could not be written: {limit_cause(path)} (the table written does not read "
        f"back as written: {problem}); the previous file, if any, is unchanged."
    )
