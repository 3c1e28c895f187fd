"""DeepLabCut / LightningPose .h5 read lazily, in the ``table`` and ``fixed`` layouts.

The column labels and the row index are read at once; the values stay in the
file and are read by row ranges (:class:`~posebridge.formats._shared.lazy.LazyArray`).
Each range goes through :func:`posebridge.formats.dlc.layout.build_dataset`, the
eager reader's own table -> dataset step, so a lazily read region equals the
same region of :func:`posebridge.formats.dlc.read.read`.

CSV files are read by :mod:`posebridge.formats.dlc.csv_lazy`. Files this does
not cover (labelled data indexed by image, a ``set``
column, several blocks of columns, rows out of frame order) raise
:class:`NotLazy`; the caller reads them eagerly.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path
from typing import Any, NamedTuple

import h5py
import numpy as np
import xarray as xr

from posebridge._recorded_warnings import dropping_warnings
from posebridge.errors import FormatError, PoseBridgeError
from posebridge.formats._shared.hdf5 import check_size, refuse_unavailable_filters
from posebridge.formats._shared.lazy import LastBlock, LazyArray, NotLazy
from posebridge.formats.dlc import layout, pandas_hdf5, pandas_pickles
from posebridge.formats.dlc.csv_lazy import open_lazy_csv
from posebridge.formats.dlc.layout import DLC, LP
from posebridge.formats.dlc.read import choose_key, refuse_unsigned_hdf5

__all__ = ["NotLazy", "header_sizes", "header_sizes_lp", "open_lazy", "open_lazy_lp"]


def _table_source(group: h5py.Group, path: Path) -> tuple[list, tuple[str, str, str]]:
    """Columns and ``("table", dataset, field)`` of a one-block ``table`` layout."""
    table = group.get("table")
    if not isinstance(table, h5py.Dataset):
        raise NotLazy("no table")
    if pandas_hdf5._text(group.attrs.get("table_type", b"")) != "appendable_frame":
        raise NotLazy("table type")
    pandas_hdf5.group_encoding(group, path)  # refused as the eager reader refuses it
    pandas_hdf5.check_table_row_index(group, table, path)
    axes = pandas_pickles.safe_unpickle(
        group.attrs.get("non_index_axes", b"(lp0\n."), path, "non_index_axes"
    )
    columns = [pandas_hdf5._labels(c) for c in next(lab for axis, lab in axes if axis == 1)]
    fields = table.dtype.names or ()
    blocks = [f for f in fields if f.startswith("values_block_")]
    if len(blocks) != 1 or set(fields) != {"index", blocks[0]}:
        raise NotLazy("several blocks")
    kind = pandas_pickles.safe_unpickle(
        table.attrs.get(f"{blocks[0]}_kind", b"(lp0\n."), path, "kind"
    )
    if [pandas_hdf5._labels(c) for c in kind] != columns:
        raise NotLazy("block order")
    if int(np.prod(table.dtype[blocks[0]].shape)) != len(columns):
        raise NotLazy("block width")  # damaged: the eager reader says so
    if table.dtype[blocks[0]].base.kind not in "fiub":
        raise NotLazy("text block")
    return columns, ("table", table.name, blocks[0])


def _fixed_source(group: h5py.Group, path: Path) -> tuple[list, tuple[str, str, str]]:
    """Columns and ``("fixed", dataset, transposed)`` of a one-block ``fixed`` layout."""
    encoding = pandas_hdf5.group_encoding(group, path)
    if int(group.attrs.get("nblocks", 0)) != 1:
        raise NotLazy("several blocks")
    levels = pandas_hdf5._fixed_axis(group, "axis0", encoding, path)
    columns = list(zip(*(level.astype(str) for level in levels), strict=True))
    items = pandas_hdf5._fixed_axis(group, "block0_items", encoding, path)
    if list(zip(*(level.astype(str) for level in items), strict=True)) != columns:
        raise NotLazy("block order")
    values = group.get("block0_values")
    if not isinstance(values, h5py.Dataset) or "shape" in values.attrs:
        raise NotLazy("empty block")
    if values.dtype.kind not in "fiub" or values.ndim != 2:
        raise NotLazy("not numbers")
    if values.shape[1 if _transposed_rows(values) else 0] != len(columns):
        raise NotLazy("block shape")  # damaged: the eager reader says so
    transposed = "rows" if _transposed_rows(values) else "items"
    return columns, ("fixed", values.name, transposed)


def _transposed_rows(values: h5py.Dataset) -> bool:
    """Whether a pandas ``fixed`` block is stored as (rows, items) (its ``transposed`` flag)."""
    return bool(int(values.attrs.get("transposed", 0)))


#: Rows per read of the ``index`` field (HDF5 converts a compound selection through a
#: buffer as large as the whole rows selected, and keeps it on its free lists).
INDEX_BLOCK = 1 << 16


def _index_field(table: h5py.Dataset) -> np.ndarray:
    """The ``index`` field of a pandas table, read in blocks of rows (bounded memory)."""
    n = table.shape[0]
    out = np.empty(n, dtype=table.dtype["index"])
    for low in range(0, n, INDEX_BLOCK):
        out[low : low + INDEX_BLOCK] = table.fields("index")[low : low + INDEX_BLOCK]
    return out


def _rows(h5: Any, source: tuple[str, str, str], low: int, high: int, n_cols: int) -> np.ndarray:
    kind, name, detail = source
    if kind == "table":
        return h5[name].fields(detail)[low:high].reshape(high - low, n_cols)
    if detail == "rows":
        return h5[name][low:high]
    return h5[name][:, low:high].T  # old pandas stored blocks as (items, rows)


_BUILT = LastBlock()


def _rows_arrays(
    h5: Any,
    source: tuple[str, str, str],
    columns: list,
    names: list,
    software: str,
    low: int,
    high: int,
) -> dict[str, np.ndarray]:
    values = _rows(h5, source, low, high, len(columns))
    with dropping_warnings():
        return layout.table_arrays(
            values,
            columns,
            names,
            [np.arange(low, high, dtype=np.int64)],
            source_software=software,
            owned=True,
        )


def dlc_block(
    source: tuple[str, str, str],
    columns: list,
    names: list,
    software: str,
    variable: str,
    h5: Any,
    region: tuple[tuple[int, int], ...],
) -> np.ndarray:
    """Rows ``region[0]`` of ``variable``, made by the eager reader's table step.

    The rows read last are kept (:class:`LastBlock`): the other variables of
    the same rows do not read them again.
    """
    low, high = region[0]
    stat = os.stat(h5.filename)
    key = (h5.filename, stat.st_mtime_ns, stat.st_size, source, low, high)
    arrays = _BUILT.get(
        key, functools.partial(_rows_arrays, h5, source, columns, names, software, low, high)
    )
    out = arrays[variable]
    return out[(slice(None), *(slice(a, b) for a, b in region[1:]))]


class _Header(NamedTuple):
    """What :func:`_open` reads of a file before its values: the column labels and level
    names, where the values are (``source``), the frame numbers and the row count."""

    columns: list
    names: list
    source: tuple[str, str, str]
    frames: np.ndarray
    n_rows: int


def _header(path: Path, key: str | None) -> _Header:
    """The header of a one-block pandas .h5 indexed by frame numbers in order (raises
    :class:`NotLazy` for other files: the eager reader reads them)."""
    path = Path(path)
    try:
        h5 = h5py.File(path, "r")
    except OSError as error:
        raise NotLazy(str(error)) from None
    with h5:
        chosen = choose_key(h5, path, key)
        group = h5.get(chosen)
        if not isinstance(group, h5py.Group):
            raise NotLazy("no group")
        kind = pandas_hdf5._layout(group)
        if kind == "table":
            columns, source = _table_source(group, path)
            check_size(h5[source[1]])  # as the eager reader: no other file's rows, nor 10**9
            refuse_unavailable_filters(h5[source[1]])
            index = [_index_field(h5[source[1]])]
        elif kind == "fixed":
            columns, source = _fixed_source(group, path)
            check_size(h5[source[1]])
            refuse_unavailable_filters(h5[source[1]])
            encoding = pandas_hdf5.group_encoding(group, path)
            index = pandas_hdf5._fixed_axis(group, "axis1", encoding, path)
        else:
            raise NotLazy(kind)
        names = pandas_hdf5.column_level_names(group, path)
        dataset = h5[source[1]]
        n_rows = dataset.shape[0] if source[2] != "items" else dataset.shape[1]
    if any(layout.row_column_name(c, names) is not None for c in columns):
        raise NotLazy("row columns")
    frames, image_paths, style = layout._time_index(index, n_rows, path)
    if image_paths is not None or style is not None or frames.shape[0] != n_rows:
        raise NotLazy("indexed by image")
    if n_rows > 1 and not np.all(np.diff(frames) > 0):
        raise NotLazy("rows out of order")
    return _Header(columns, names, source, frames, n_rows)


def _open(path: Path, software: str, key: str | None) -> xr.Dataset:
    path = Path(path)
    columns, names, source, frames, n_rows = _header(path, key)
    with dropping_warnings():
        probe = layout.build_dataset(
            np.zeros((min(n_rows, 1), len(columns))),
            columns,
            names,
            [frames[:1]],
            source_software=software,
            path=path,
        )
    variables = {}
    for variable, array in probe.data_vars.items():
        lazy = LazyArray(
            path,
            (n_rows, *array.shape[1:]),
            np.float64,
            functools.partial(dlc_block, source, columns, names, software, variable),
        )
        variables[variable] = (array.dims, lazy)
    coords = {  # in the eager reader's order
        name: frames if name == "time" else probe[name].values for name in probe.coords
    }
    if any(name not in probe.dims for name in probe.coords):
        raise NotLazy("other coordinates")
    return xr.Dataset(variables, coords=coords, attrs=dict(probe.attrs))


def open_lazy(path: Path, *, key: str | None = None) -> xr.Dataset:
    """Open a DeepLabCut .h5 lazily (see the module's notes; raises :class:`NotLazy`).

    Examples
    --------
    >>> ds = open_lazy(Path("videoDLC_resnet50.h5"))  # doctest: +SKIP
    """
    if not h5py.is_hdf5(path):
        refuse_unsigned_hdf5(path, DLC)
        if key is not None:
            raise NotLazy("key= given for a CSV file")  # the eager reader says what is wrong
        return open_lazy_csv(path, DLC)
    try:
        return _open(path, DLC, key)
    except PoseBridgeError:  # a ValueError too: it names the file already
        raise
    except (KeyError, ValueError, TypeError, StopIteration) as error:
        raise FormatError(path, f"could not be read lazily ({error}).") from None


def open_lazy_lp(path: Path) -> xr.Dataset:
    """Open a LightningPose .csv (or .h5) lazily; one individual, as :func:`read_lp` reads."""
    if not h5py.is_hdf5(path):
        refuse_unsigned_hdf5(path, LP)
    ds = _open(path, LP, None) if h5py.is_hdf5(path) else open_lazy_csv(path, LP)
    if ds.sizes["individual"] > 1:
        raise NotLazy("several individuals")  # the eager reader refuses them
    return ds


def header_sizes(path: Path, *, key: str | None = None) -> dict[str, int]:
    """The sizes (``time``, ``keypoint``, ``individual``) of the poses a DeepLabCut .h5
    reads as, from its header alone: the row count and the column labels, no value read
    and no dataset built. Files :func:`open_lazy` does not open from the .h5 (CSV,
    labelled data indexed by image, several blocks, ...) raise :class:`NotLazy`.

    Examples
    --------
    >>> header_sizes(Path("videoDLC_resnet50.h5"))  # doctest: +SKIP
    {'time': 1000, 'keypoint': 12, 'individual': 3}
    """
    if not h5py.is_hdf5(path):
        raise NotLazy("not HDF5")
    try:
        header = _header(Path(path), key)
        with dropping_warnings():  # as opening the file: its reading warns
            columns = layout._layout(header.columns, header.names, Path(path))
    except PoseBridgeError:
        raise
    except (KeyError, ValueError, TypeError, StopIteration) as error:
        raise FormatError(path, f"could not be read lazily ({error}).") from None
    return {
        "time": header.n_rows,
        "keypoint": len(columns.keypoints),
        "individual": len(columns.individuals),
    }


def header_sizes_lp(path: Path) -> dict[str, int]:
    """:func:`header_sizes` of a LightningPose .h5 (one individual, as :func:`read_lp`
    reads; several, or a CSV, raise :class:`NotLazy`)."""
    sizes = header_sizes(path)
    if sizes["individual"] > 1:
        raise NotLazy("several individuals")  # the eager reader refuses them
    return sizes
