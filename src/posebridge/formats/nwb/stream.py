"""Series data written chunk by chunk from dask arrays (streaming NWB writes).

Two ways, one for files posebridge writes itself and one for NWBFile objects
it hands to the caller:

- Files posebridge writes (``posebridge.save``, ``convert``, appends): each
  series is a :class:`StreamedData`, an empty dataset of the right shape, dtype,
  chunks and filters that hdmf creates without data; once hdmf has written the
  file, :func:`fill_series` fills every such dataset of one or more files
  window by window along time: one dask compute per window for all the
  individuals, views and keypoints (the source is read once per chunk), and one
  HDF5 write per dataset and window. A window is one chunk of the dask arrays,
  or several consecutive ones while together they hold at most
  :data:`WINDOW_BYTES` (tiny chunks would otherwise cost a compute and a write
  per series each).
- NWBFile objects the caller writes (``build_nwbfiles``, appends to an
  in-memory NWBFile): :class:`DaskSeriesData` is an hdmf
  ``AbstractDataChunkIterator``, so hdmf writes the dataset one block of time
  at a time, whoever writes the file. The series of one individual share a
  :class:`BlockCache`: with ``io.write(..., exhaust_dci=False)`` hdmf writes every
  queued series block by block in turn (round robin), so each block of the
  source is read once for all keypoints, not once per keypoint.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from hdmf.backends.hdf5 import H5DataIO
from hdmf.data_utils import AbstractDataChunkIterator, DataChunk

__all__ = [
    "FILL_CHUNK_CACHE",
    "WINDOW_BYTES",
    "BlockCache",
    "DaskSeriesData",
    "SeriesSource",
    "StreamedData",
    "as_stored",
    "fill_series",
    "is_dask",
    "streamed_in",
]

#: The most bytes (of all the series filled together, as stored) that consecutive
#: small chunks of the dask arrays are grouped into, to be computed and written at once.
WINDOW_BYTES = 1 << 20

#: The chunk cache of each dataset while it is filled (``rdcc_nbytes`` of the file
#: holding it): one chunk of hdmf's (at most 1 MiB). HDF5 2.0 gives every open dataset
#: 8 MiB, and :func:`fill_series` holds every series of the files open at once: 48
#: series kept 400 MB of written chunks in memory.
FILL_CHUNK_CACHE = 1 << 20


def is_dask(array: Any) -> bool:
    """Whether ``array`` is a dask array (without importing dask when it is not loaded)."""
    return type(array).__module__.startswith("dask.")


def as_stored(values: Any, dtype: Any) -> np.ndarray:
    """``values`` as the ``dtype`` they are stored in, refusing a number it cannot hold.

    float32 holds magnitudes up to about 3.4e38: a larger position or score
    would be stored as an infinity, which no reader takes back.

    Examples
    --------
    >>> as_stored(np.array([1.5, np.nan]), "float32").dtype
    dtype('float32')
    >>> as_stored(np.array([1e39]), "float32")
    Traceback (most recent call last):
    ...
    posebridge.errors.SchemaError: the value 1e+39 is too large for dtype='float32' ...
    """
    from posebridge.errors import SchemaError

    values = np.asarray(values)
    dtype = np.dtype(dtype)
    if dtype.kind == "f" and values.dtype.kind == "f" and values.dtype.itemsize > dtype.itemsize:
        largest = np.finfo(dtype).max
        over = np.isfinite(values) & (np.abs(values) > largest)
        if over.any():
            raise SchemaError(
                f"the value {values[over].flat[0]:g} is too large for dtype={dtype.name!r} "
                f"(at most {largest:.3g}); it would be stored as an infinity. Write with "
                "dtype='float64'."
            )
    return np.asarray(values, dtype=dtype)


class BlockCache:
    """The last computed block (along the first axis, time) of a dask array.

    Parameters
    ----------
    array
        A dask array, time first (``(time, keypoint, ...)``).
    dtype
        The dtype the blocks are converted to.
    """

    def __init__(self, array: Any, dtype: Any) -> None:
        self.array = array
        self.dtype = np.dtype(dtype)
        self.bounds = np.cumsum((0, *array.chunks[0]))
        self._index = -1
        self._values: np.ndarray | None = None

    def block(self, index: int) -> np.ndarray:
        """Block ``index``, computed once while it is the latest asked for."""
        if index != self._index:
            low, high = int(self.bounds[index]), int(self.bounds[index + 1])
            block = self.array[low:high].compute(scheduler="synchronous")  # one block, here
            self._values = as_stored(block, self.dtype)
            self._index = index
        assert self._values is not None
        return self._values


class DaskSeriesData(AbstractDataChunkIterator):
    """One keypoint's (time, ...) data, handed to hdmf block by block along time.

    Parameters
    ----------
    cache
        The blocks of the individual's array, ``(time, keypoint, ...)``.
    keypoint
        The index of this series' keypoint (axis 1 of the cached blocks).
    """

    def __init__(self, cache: BlockCache, keypoint: int) -> None:
        self.cache = cache
        self.keypoint = keypoint
        self._block = 0

    def __iter__(self) -> DaskSeriesData:
        return self

    def __next__(self) -> DataChunk:
        bounds = self.cache.bounds
        if self._block >= len(bounds) - 1:
            raise StopIteration
        low, high = int(bounds[self._block]), int(bounds[self._block + 1])
        values = np.ascontiguousarray(self.cache.block(self._block)[:, self.keypoint])
        self._block += 1
        selection = (slice(low, high), *(slice(0, n) for n in values.shape[1:]))
        return DataChunk(data=values, selection=selection)

    next = __next__

    @property
    def shape(self) -> tuple[int, ...]:
        full = self.cache.array.shape
        return (int(full[0]), *(int(n) for n in full[2:]))

    @property
    def dtype(self) -> np.dtype:
        return self.cache.dtype

    @property
    def maxshape(self) -> tuple[int, ...]:
        return self.shape

    def recommended_chunk_shape(self) -> None:
        return None

    def recommended_data_shape(self) -> tuple[int, ...]:
        return self.shape


@dataclass(frozen=True, eq=False)
class SeriesSource:
    """Where the values of one series' dataset come from, to fill it after hdmf wrote it.

    Parameters
    ----------
    array
        A dask array, time first, of every individual (and keypoint): e.g. positions
        ``(time, space, keypoint, individual)`` or confidence ``(time, keypoint,
        individual)``; every series of a file taken from it is filled from one
        compute of it per window.
    index
        The series' values in a block of rows of ``array``: ``block[:, *index]``
        (e.g. ``(slice(None), k, i)`` for keypoint ``k`` of individual ``i``).
    rows
        The rows of the dataset: ``array``'s, and after them rows of NaN (the
        padding of :func:`~posebridge.formats.nwb.time_plan.padding_rows`).
    dtype
        The dtype the values are stored in.

    Examples
    --------
    >>> import dask.array as da
    >>> positions = da.zeros((10, 2, 3, 1), chunks=4)  # (time, space, keypoint, individual)
    >>> SeriesSource(positions, (slice(None), 2, 0), rows=12, dtype=np.float32).shape
    (12, 2)
    """

    array: Any
    index: tuple[Any, ...]
    rows: int
    dtype: Any

    @property
    def shape(self) -> tuple[int, ...]:
        """The dataset's shape: ``rows``, then the axes ``index`` keeps whole."""
        axes = zip(self.array.shape[1:], self.index, strict=True)
        return (int(self.rows), *(int(n) for n, i in axes if isinstance(i, slice)))


class StreamedData(H5DataIO):
    """An empty dataset for hdmf to create (shape, dtype, chunks, filters), filled later.

    Once hdmf has written the file, ``dataset`` is the ``h5py.Dataset`` it made;
    :func:`fill_series` writes the values of ``source`` into it.

    Parameters
    ----------
    source
        Where its values come from.
    **options
        hdmf's ``H5DataIO`` storage options (``chunks``, ``compression``, ...).

    Examples
    --------
    >>> import dask.array as da
    >>> source = SeriesSource(da.zeros((10, 1, 1)), (0, 0), rows=10, dtype=np.float64)
    >>> StreamedData(source, chunks=(10,)).io_settings["shape"]
    (10,)
    """

    def __init__(self, source: SeriesSource, **options: Any) -> None:
        super().__init__(shape=source.shape, dtype=np.dtype(source.dtype), **options)
        self.source = source


def streamed_in(nwbfile: Any) -> list[StreamedData]:
    """The :class:`StreamedData` of the ``PoseEstimationSeries`` of ``nwbfile``.

    Examples
    --------
    >>> streamed_in(nwbfile)  # doctest: +SKIP
    [<StreamedData ...>, ...]
    """
    import ndx_pose

    found = []
    for container in nwbfile.objects.values():
        if isinstance(container, ndx_pose.PoseEstimationSeries):
            for value in (container.data, container.confidence):
                if isinstance(value, StreamedData):
                    found.append(value)
    return found


def _windows(bounds: Sequence[int], frame_bytes: int) -> Iterator[tuple[int, int]]:
    """(first, past last) rows of consecutive chunks grouped up to :data:`WINDOW_BYTES`.

    A chunk larger than that is a window alone; chunks are never split.

    Examples
    --------
    >>> list(_windows([0, 4, 8, 12, 13], frame_bytes=WINDOW_BYTES // 8))
    [(0, 8), (8, 13)]
    """
    most = max(1, WINDOW_BYTES // max(1, frame_bytes))
    low = bounds[0]
    for previous, high in itertools.pairwise(bounds[1:]):
        if high - low > most:
            yield low, previous
            low = previous
    if len(bounds) > 1:
        yield low, bounds[-1]


def _write_rows(dataset: Any, first: int, values: np.ndarray) -> None:
    """``dataset[first:first + len(values)] = values``, without h5py's selection layer.

    h5py's ``__setitem__`` works out a general selection on each call, which costs
    more than the write itself for the small blocks of a streamed series.
    """
    from h5py import h5s

    values = np.ascontiguousarray(values, dtype=dataset.dtype)
    file_space = dataset.id.get_space()
    file_space.select_hyperslab((first,) + (0,) * (values.ndim - 1), values.shape)
    dataset.id.write(h5s.create_simple(values.shape), file_space, values)


def _computed(windows: list[Any]) -> Sequence[np.ndarray]:
    """The values of ``windows`` (dask or numpy arrays): one dask compute of them all
    when one is a dask array (dask is imported only then)."""
    if not any(is_dask(window) for window in windows):
        return [np.asarray(window) for window in windows]
    import dask

    return dask.compute(*windows, scheduler="synchronous")


def fill_series(series: Sequence[tuple[Any, SeriesSource]]) -> None:
    """Write the values of each source into its ``h5py.Dataset`` (see :class:`StreamedData`).

    All the datasets whose sources have one length (the series of one video) are
    filled together, window by window along time (one chunk of the dask arrays, or
    consecutive small ones up to :data:`WINDOW_BYTES`): one dask compute of the
    window of every such source array, then one write per dataset. Rows past a
    source array's end (padding) are written as NaN.

    Parameters
    ----------
    series
        ``(dataset, source)`` pairs: open, writable ``h5py.Dataset`` objects (of one
        or several files) and where their values come from.

    Raises
    ------
    posebridge.errors.SchemaError
        When a value is too large for the stored dtype (see :func:`as_stored`).

    Examples
    --------
    >>> fill_series([(h5["/processing/behavior/pose/nose/data"], source)])  # doctest: +SKIP
    """
    if not series:  # nothing streamed (an in-memory dataset): dask is not needed
        return
    arrays: dict[tuple[Any, str], tuple[Any, np.dtype]] = {}
    keyed = []
    for dataset, source in series:
        dtype = np.dtype(source.dtype)
        # dask names the same values the same way (every file's transpose of the source)
        key = (source.array.name if is_dask(source.array) else id(source.array), dtype.str)
        arrays.setdefault(key, (source.array, dtype))
        keyed.append((dataset, source, key))
    # sources of one length (a video's series) share their windows; the videos of a
    # sleap-io-layout file differ in length, and each is filled to its own end
    by_length: dict[int, dict[tuple[Any, str], tuple[Any, np.dtype]]] = {}
    for key, (array, dtype) in arrays.items():
        by_length.setdefault(int(array.shape[0]), {})[key] = (array, dtype)
    for length, group in by_length.items():
        chunked = [array for array, _ in group.values() if is_dask(array)]
        bounds = (
            [int(b) for b in np.cumsum((0, *chunked[0].chunks[0]))] if chunked else [0, length]
        )
        frame_bytes = sum(
            int(np.prod(array.shape[1:], dtype=np.int64)) * dtype.itemsize
            for array, dtype in group.values()
        )
        for low, high in _windows(bounds, frame_bytes):
            computed = _computed([array[low:high] for array, _ in group.values()])
            blocks = {
                key: as_stored(block, dtype)
                for (key, (_, dtype)), block in zip(group.items(), computed, strict=True)
            }
            for dataset, source, key in keyed:
                if key in blocks:
                    _write_rows(dataset, low, blocks[key][(slice(None), *source.index)])
            del computed, blocks
    for dataset, source in series:
        rows = int(source.array.shape[0])
        if source.rows > rows:
            padding = np.full((source.rows - rows, *source.shape[1:]), np.nan, source.dtype)
            _write_rows(dataset, rows, padding)
