"""Series data written chunk by chunk from dask arrays (streaming NWB writes).

:class:`DaskSeriesData` is an hdmf ``AbstractDataChunkIterator``: hdmf writes
the dataset one block of time at a time, so the writer never holds more than a
block in memory, however long the recording. The series of one individual
share a :class:`BlockCache`: with ``io.write(..., exhaust_dci=False)`` hdmf
writes every queued series block by block in turn (round robin), so each block
of the source is read once for all keypoints, not once per keypoint.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from hdmf.data_utils import AbstractDataChunkIterator, DataChunk

__all__ = ["BlockCache", "DaskSeriesData", "as_stored", "is_dask"]


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
