"""Arrays read from an HDF5 file on demand: :class:`LazyArray`.

A lazy reader describes each big array of a dataset as a :class:`LazyArray`:
its shape and dtype, and a ``block`` function that reads one rectangular
region ``(start, stop)`` per axis from the open file. The same object serves

- dask (``dask.array.from_array``: plain tuples of slices), for
  :func:`posebridge.open_dataset`;
- xarray's lazy indexing (it is an ``xarray.backends.BackendArray``), for the
  ``posebridge`` xarray engine.

Only the HDF5 chunks that intersect the region are read. The file is opened
for each read (by path), so the object pickles and works on dask workers.
Its size and modification time are noted when the array is made and looked at
around every read: a file truncated, rewritten or replaced since it was opened
is refused (h5py would read zeros past a truncation, or the new file's values).
"""

from __future__ import annotations

import itertools
import os
import weakref
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from xarray.backends import BackendArray
from xarray.core import indexing

from posebridge.errors import FormatError, SchemaError, reading_failure

__all__ = [
    "Block",
    "FileLazyArray",
    "LastBlock",
    "LazyArray",
    "NotLazy",
    "chunked",
    "clear_blocks",
    "field_block",
    "file_stamp",
    "forget_blocks",
    "is_dask",
    "keep_blocks_while_open",
    "time_blocks",
    "transposed_block",
]

#: Bytes read at most per window of an outer selection (an array of indices or a stepped
#: slice; see :meth:`LazyArray._outer`).
WINDOW_BYTES = 8 << 20

#: ``block(h5, region) -> array``: ``region`` is one ``(start, stop)`` per axis of the result.
Block = Callable[[Any, tuple[tuple[int, int], ...]], np.ndarray]


def _without_empty_reversed_slices(
    key: indexing.ExplicitIndexer, shape: tuple[int, ...]
) -> indexing.ExplicitIndexer:
    """``key`` with every slice that selects nothing made ``slice(0, 0)``.

    xarray splits a negative-step slice into a positive one and a reversal, and
    fails with a raw IndexError when such a slice selects nothing (for example
    ``slice(2, 8, -1)``); an empty slice of step 1 selects the same nothing.

    Examples
    --------
    >>> key = indexing.BasicIndexer((slice(2, 8, -1), slice(None)))
    >>> _without_empty_reversed_slices(key, (10, 3)).tuple
    (slice(0, 0, 1), slice(None, None, None))
    """
    parts = tuple(
        slice(0, 0, 1)
        if isinstance(part, slice)
        and part.step is not None
        and part.step < 0
        and not len(range(*part.indices(size)))
        else part
        for part, size in zip(key.tuple, shape, strict=False)
    )
    return key if parts == key.tuple else type(key)(parts)


class LazyArray(BackendArray):
    """An array of an HDF5 file, read region by region.

    Parameters
    ----------
    path
        The HDF5 file.
    shape, dtype
        Of the array as the dataset model sees it.
    block
        Reads a region of it from the open ``h5py.File`` (a picklable callable:
        a module-level function or a ``functools.partial`` of one).

    Examples
    --------
    >>> import functools, h5py, numpy as np
    >>> with h5py.File("a.h5", "w") as h5:  # doctest: +SKIP
    ...     _ = h5.create_dataset("x", data=np.arange(10.0))
    >>> block = functools.partial(transposed_block, "x", (0,))
    >>> lazy = LazyArray("a.h5", (10,), np.float64, block)  # doctest: +SKIP
    >>> lazy[2:4]  # doctest: +SKIP
    array([2., 3.])
    """

    def __init__(self, path: str | Path, shape: tuple[int, ...], dtype: Any, block: Block):
        # absolute: a dask worker (or the user after os.chdir) reads from another folder
        self.path = os.path.abspath(os.fspath(path))
        self.shape = tuple(int(n) for n in shape)
        self.dtype = np.dtype(dtype)
        self.block = block
        self.stamp = file_stamp(self.path)
        #: shared by the arrays of one opening (:func:`keep_blocks_while_open`)
        self.opening: Any = None
        #: (variable name, dims) of a variable whose values must be finite or NaN
        #: (positions and sizes, see :func:`posebridge.model.validate.validate`)
        self.finite: tuple[str, tuple[Any, ...]] | None = None

    @property
    def ndim(self) -> int:
        return len(self.shape)

    def __getitem__(self, key: Any) -> np.ndarray:
        if isinstance(key, indexing.ExplicitIndexer):  # xarray's lazy indexing
            return indexing.explicit_indexing_adapter(
                _without_empty_reversed_slices(key, self.shape),
                self.shape,
                indexing.IndexingSupport.OUTER_1VECTOR,
                self._outer,
            )
        return self._basic(key if isinstance(key, tuple) else (key,))

    def _outer(self, key: tuple[Any, ...]) -> np.ndarray:
        """Outer indexing as xarray hands it: ints, slices of positive step, and one
        sorted array of indices without repeats.

        A stepped slice or an array of indices is read by windows of rows along the
        axis it spans most (:data:`WINDOW_BYTES` each at most): only the rows
        between the first and last index asked for in each window are read, so
        frames far apart read only their own HDF5 chunks (or CSV rows).
        """
        key = tuple(key) + (slice(None),) * (self.ndim - len(key))
        picks: dict[int, np.ndarray] = {}
        for axis, (k, n) in enumerate(zip(key, self.shape, strict=True)):
            if isinstance(k, slice) and k.indices(n)[2] != 1:
                picks[axis] = np.arange(*k.indices(n), dtype=np.int64)
            elif isinstance(k, np.ndarray):
                picks[axis] = np.asarray(k, dtype=np.int64).reshape(-1)
        if not picks:
            return self._basic(key)
        for axis, wanted in picks.items():
            if wanted.size and (wanted.min() < 0 or wanted.max() >= self.shape[axis]):
                raise IndexError(f"index out of bounds for an axis of size {self.shape[axis]}")
        empty_slice = any(
            isinstance(k, slice) and len(range(*k.indices(n))) == 0
            for k, n in zip(key, self.shape, strict=True)
        )  # a slice that selects nothing (its start past its stop: sel(time=slice(100, 50)))
        if empty_slice or any(not wanted.size for wanted in picks.values()):  # selects nothing
            return np.array(np.broadcast_to(np.zeros((), self.dtype), self.shape)[key])
        # the axis split into windows: the one whose selection spans most
        split = max(picks, key=lambda a: int(picks[a].max() - picks[a].min()))
        bounds = []
        for axis, (k, n) in enumerate(zip(key, self.shape, strict=True)):
            if axis in picks:
                bounds.append(slice(int(picks[axis].min()), int(picks[axis].max()) + 1))
            elif _is_int(k):
                i = int(k) + (n if int(k) < 0 else 0)
                bounds.append(slice(i, i + 1))
            else:
                bounds.append(slice(*k.indices(n)[:2]))
        row_items = int(
            np.prod([b.stop - b.start for a, b in enumerate(bounds) if a != split], dtype=np.int64)
        )
        window = max(1, WINDOW_BYTES // max(1, row_items * self.dtype.itemsize))
        wanted = picks[split]
        order = np.argsort(wanted, kind="stable")
        ordered = wanted[order]
        cuts = np.flatnonzero(np.diff(ordered // window)) + 1
        starts = np.concatenate(([0], cuts))
        stops = np.concatenate((cuts, [ordered.size]))
        shape = [b.stop - b.start for b in bounds]
        shape[split] = ordered.size
        gathered = np.empty(shape, dtype=self.dtype)
        regions = []
        for a, b in zip(starts.tolist(), stops.tolist(), strict=True):  # a loop over windows
            low, high = int(ordered[a]), int(ordered[b - 1]) + 1
            regions.append(
                tuple(
                    (low, high) if axis == split else (bound.start, bound.stop)
                    for axis, bound in enumerate(bounds)
                )
            )
        for (a, b), region, values in zip(
            zip(starts.tolist(), stops.tolist(), strict=True),
            regions,
            self._read_many(regions),
            strict=True,
        ):
            taken = np.take(values, ordered[a:b] - region[split][0], axis=split)
            where = [slice(None)] * len(shape)
            where[split] = slice(a, b)
            gathered[tuple(where)] = taken
        if not np.array_equal(order, np.arange(order.size)):
            back = np.empty_like(order)
            back[order] = np.arange(order.size)
            gathered = np.take(gathered, back, axis=split)
        after: list[Any] = []
        for axis, k in enumerate(key):
            if axis == split:
                after.append(slice(None))
            elif axis in picks:
                after.append(picks[axis] - bounds[axis].start)
            elif _is_int(k):
                after.append(0)
            else:
                after.append(slice(None))
        for axis in sorted((a for a in picks if a != split), reverse=True):
            gathered = np.take(gathered, after[axis], axis=axis)
            after[axis] = slice(None)
        return gathered[tuple(after)]

    def _basic(self, key: tuple[Any, ...]) -> np.ndarray:
        """Basic indexing: ints and slices (an Ellipsis expands)."""
        if any(k is Ellipsis for k in key):
            at = next(i for i, k in enumerate(key) if k is Ellipsis)
            fill = (slice(None),) * (self.ndim - len(key) + 1)
            key = key[:at] + fill + key[at + 1 :]
        key = key + (slice(None),) * (self.ndim - len(key))
        region, after = [], []
        for k, n in zip(key, self.shape, strict=True):
            if isinstance(k, slice):
                start, stop, step = k.indices(n)
                if step < 0:
                    low, high = (stop + 1, start + 1) if stop < start else (0, 0)
                    region.append((low, high))
                    after.append(slice(None, None, step))
                else:
                    high = max(stop, start)
                    region.append((start, high))
                    after.append(slice(None, None, step))
            else:
                i = int(k) + (n if int(k) < 0 else 0)
                if not 0 <= i < n:
                    raise IndexError(f"index {k} is out of bounds for an axis of size {n}")
                region.append((i, i + 1))
                after.append(0)
        if any(high <= low for low, high in region):
            empty = np.empty([max(h - lo, 0) for lo, h in region], dtype=self.dtype)
            return empty[tuple(after)]
        (values,) = self._read_many([tuple(region)])
        return values[tuple(after)]

    def _refuse_infinite(self, values: np.ndarray, region: tuple[tuple[int, int], ...]) -> None:
        """Refuse +-inf in a block of positions or sizes, as validate refuses them in memory."""
        from posebridge.model.validate import infinite_values

        if values.dtype.kind != "f":
            return
        name, dims = self.finite  # type: ignore[misc]
        message = infinite_values(values, dims, name, tuple(low for low, _ in region))
        if message is not None:
            raise SchemaError(f"{self.path}: {message}")

    def _read_many(self, regions: list[tuple[tuple[int, int], ...]]) -> list[np.ndarray]:
        """The values of each region, of this array's dtype and checked as finite where
        asked; never memory a cache keeps (a caller may change them in place)."""
        out = []
        for region, values in zip(regions, self._read(regions), strict=True):
            values = np.asarray(values, dtype=self.dtype)
            if not values.flags.writeable:
                values = values.copy()  # a kept block (LastBlock freezes them): the caller's own
            if self.finite is not None:
                self._refuse_infinite(values, region)
            out.append(values)
        return out

    def _read(self, regions: list[tuple[tuple[int, int], ...]]) -> list[np.ndarray]:
        """The values of each region, read with the file opened once."""
        import h5py

        try:
            self._check_unchanged()
            with h5py.File(self.path, "r") as h5:
                values = [self.block(h5, region) for region in regions]
            self._check_unchanged()  # changed while the regions were read
            return values
        except Exception as error:  # a damaged chunk, a file gone since it was opened
            raise reading_failure(self.path, error) from error

    def _check_unchanged(self) -> None:
        if file_stamp(self.path) != self.stamp:
            raise FormatError(
                self.path,
                "changed since it was opened (its size or modification time differ), so "
                "what was read of it no longer describes it; open it again.",
            )


def file_stamp(path: str | Path) -> tuple[int, int]:
    """A file's size and modification time (ns), which change when it is rewritten.

    Examples
    --------
    >>> file_stamp("a.h5")  # doctest: +SKIP
    (102400, 1764846123456789012)
    """
    stat = os.stat(path)
    return stat.st_size, stat.st_mtime_ns


class FileLazyArray(LazyArray):
    """A :class:`LazyArray` of a file that is not HDF5 (a CSV file read by rows).

    ``block(path, region)`` receives the file's path instead of an open
    ``h5py.File`` and opens the file itself.

    Examples
    --------
    >>> lazy = FileLazyArray("a.csv", (10, 3), np.float64, block)  # doctest: +SKIP
    """

    def _read(self, regions: list[tuple[tuple[int, int], ...]]) -> list[np.ndarray]:
        try:
            # before the blocks: a block kept from before the file changed is not served
            self._check_unchanged()
            values = [self.block(self.path, region) for region in regions]
            self._check_unchanged()
            return values
        except Exception as error:
            raise reading_failure(self.path, error) from error


class LastBlock:
    """The last value made for a key (one per process, thread safe).

    The variables of a dataset read from one table (``position``,
    ``confidence``, ...) are asked for region by region, each by its own dask
    task; the block functions of a table keep the rows they parsed last here,
    so the rows of a time chunk are parsed once for all the variables.

    Examples
    --------
    >>> cache = LastBlock()
    >>> cache.get(("a.csv", 0, 10), lambda: 42), cache.get(("a.csv", 0, 10), lambda: 0)
    (42, 42)
    """

    def __init__(self) -> None:
        import threading

        self._lock = threading.Lock()
        self._key: Any = None
        self._value: Any = None
        #: key -> an Event set when the value of that key, being made, is kept
        self._making: dict[Any, threading.Event] = {}
        _CACHES.add(self)

    def clear(self) -> None:
        """Forget the kept value."""
        with self._lock:
            self._key = self._value = None

    def forget(self, path: str) -> None:
        """Forget the kept value if it was made from the file ``path`` (the key's first item)."""
        with self._lock:
            if isinstance(self._key, tuple) and self._key and _same_file(self._key[0], path):
                self._key = self._value = None

    def get(self, key: Any, make: Callable[[], Any]) -> Any:
        """The value of ``key``: the kept one, or ``make()`` (then kept).

        A value being made by another thread is waited for, not made twice (dask
        computes the variables of one block of rows at the same time).
        """
        import threading

        while True:
            with self._lock:
                if self._key == key:
                    return self._value
                making = self._making.get(key)
                if making is None:
                    done = self._making[key] = threading.Event()
                    break
            making.wait()  # then the kept value, or (replaced or failed) made here
        try:
            value = _frozen(make())
            with self._lock:
                self._key, self._value = key, value
        finally:
            with self._lock:
                del self._making[key]
            done.set()
        return value

    def __reduce__(self) -> tuple[Any, tuple[()]]:  # a fresh, empty cache where unpickled
        return (LastBlock, ())


_CACHES: weakref.WeakSet[LastBlock] = weakref.WeakSet()


def _frozen(value: Any) -> Any:
    """``value`` with its arrays made read-only (those of a dict or a Dataset too): a
    kept block is shared by every later read, which copies what it hands out."""
    if isinstance(value, np.ndarray):
        value.flags.writeable = False
    elif isinstance(value, dict):
        for item in value.values():
            _frozen(item)
    elif hasattr(value, "variables"):  # an xarray Dataset
        for variable in value.variables.values():
            _frozen(variable.values)
    return value


def _is_int(key: Any) -> bool:
    return isinstance(key, int | np.integer)


def _same_file(kept: Any, path: str) -> bool:
    try:
        return os.path.abspath(os.fspath(kept)) == path
    except TypeError:
        return False


def forget_blocks(path: str) -> None:
    """Forget the blocks kept of the file ``path`` (an absolute path): called when
    the arrays of a lazily opened file are closed or collected, so that the
    cache does not keep a closed dataset's rows alive.

    Examples
    --------
    >>> forget_blocks("/data/a.csv")
    """
    for cache in list(_CACHES):
        cache.forget(path)


class _Opening:
    """Held by the arrays of one opening of a file; the rows kept of the file go with it."""


def keep_blocks_while_open(arrays: list[LazyArray]) -> None:
    """Have the blocks kept of the files of ``arrays`` (those of one opened dataset)
    forgotten once all of them are gone (collected, or replaced by their values in
    xarray's memory cache).

    Examples
    --------
    >>> keep_blocks_while_open([])
    """
    by_path: dict[str, _Opening] = {}
    for array in arrays:
        if array.path not in by_path:
            by_path[array.path] = _Opening()
            weakref.finalize(by_path[array.path], forget_blocks, array.path)
        array.opening = by_path[array.path]


def clear_blocks() -> None:
    """Forget the blocks every :class:`LastBlock` keeps (at the end of a conversion).

    Examples
    --------
    >>> clear_blocks()
    """
    for cache in list(_CACHES):
        cache.clear()


def is_dask(array: Any) -> bool:
    """Whether ``array`` is a dask array (without importing dask when it is not loaded).

    Examples
    --------
    >>> import numpy as np
    >>> is_dask(np.zeros(3))
    False
    """
    return type(array).__module__.startswith("dask.")


def transposed_block(
    name: str,
    axes: tuple[int, ...],
    h5: Any,
    region: tuple[tuple[int, int], ...],
    *,
    time_axis: int | None = None,
) -> np.ndarray:
    """A region of dataset ``name`` seen with its axes in the order ``axes``.

    Axis ``i`` of the result is axis ``axes[i]`` of the stored dataset (as in
    ``np.transpose(stored, axes)``). ``time_axis``: the result's axis of time,
    whose frames a failed read names.
    """
    from posebridge.formats._shared.hdf5 import reading

    stored = [slice(0, 0)] * len(axes)
    for out_axis, stored_axis in enumerate(axes):
        low, high = region[out_axis]
        stored[stored_axis] = slice(low, high)
    dataset = h5[name]
    with reading(dataset, frames=None if time_axis is None else region[time_axis]):
        values = dataset[tuple(stored)]
    return np.transpose(values, axes)


def field_block(name: str, field: str, h5: Any, region: tuple[tuple[int, int], ...]) -> np.ndarray:
    """A region of one field of a compound dataset (rows, then the field's own axes)."""
    (low, high), *rest = region
    values = h5[name].fields(field)[low:high]
    return values[(slice(None), *(slice(a, b) for a, b in rest))]


def chunked(lazy: LazyArray, chunks: Any, time_axis: int = 0) -> Any:
    """``lazy`` as a dask array; ``chunks`` as dask takes them, or ``None`` / an int
    for frames per chunk along ``time_axis`` (whole along the other axes)."""
    import dask.array as da

    if chunks is None or isinstance(chunks, int):
        size = chunks or max(1, min(lazy.shape[time_axis] if lazy.shape else 1, 1 << 16))
        chunks = tuple(size if i == time_axis else -1 for i in range(lazy.ndim))
    return da.from_array(lazy, chunks=chunks, asarray=False, fancy=False, lock=False)


class NotLazy(Exception):
    """Raised by a lazy opener for a file it does not cover; the caller reads it eagerly."""


def time_blocks(ds: Any, time: str = "time") -> list[tuple[int, int]]:
    """The ``(start, stop)`` of each dask chunk of ``ds["position"]`` along ``time``.

    A streaming writer computes one such block of every variable at a time.

    Examples
    --------
    >>> import numpy as np, posebridge
    >>> ds = posebridge.from_numpy(np.zeros((5, 2, 1, 1))).chunk({"time": 2})
    >>> time_blocks(ds)
    [(0, 2), (2, 4), (4, 5)]
    """
    position = ds["position"]
    sizes = position.chunks[position.dims.index(time)]
    bounds = np.cumsum((0, *sizes))
    return [(int(a), int(b)) for a, b in itertools.pairwise(bounds)]
