"""Series data written chunk by chunk from dask arrays (streaming NWB writes).

:class:`DaskSeriesData` is an hdmf ``AbstractDataChunkIterator``: hdmf writes
the dataset one block of time at a time, so the writer never holds more than a
block of one series in memory, however long the recording.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from hdmf.data_utils import AbstractDataChunkIterator, DataChunk

__all__ = ["DaskSeriesData", "is_dask"]


def is_dask(array: Any) -> bool:
    """Whether ``array`` is a dask array (without importing dask when it is not loaded)."""
    return type(array).__module__.startswith("dask.")


class DaskSeriesData(AbstractDataChunkIterator):
    """A (time, ...) dask array handed to hdmf block by block along time.

    Parameters
    ----------
    array
        The dask array; its blocks along the first axis are the pieces written.
    dtype
        The dtype to write.
    """

    def __init__(self, array: Any, dtype: Any) -> None:
        self.array = array
        self._dtype = np.dtype(dtype)
        self._bounds = np.cumsum((0, *array.chunks[0]))
        self._block = 0

    def __iter__(self) -> DaskSeriesData:
        return self

    def __next__(self) -> DataChunk:
        if self._block >= len(self._bounds) - 1:
            raise StopIteration
        low, high = int(self._bounds[self._block]), int(self._bounds[self._block + 1])
        self._block += 1
        values = np.ascontiguousarray(self.array[low:high].compute(), dtype=self._dtype)
        selection = (slice(low, high), *(slice(0, n) for n in values.shape[1:]))
        return DataChunk(data=values, selection=selection)

    next = __next__

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(int(n) for n in self.array.shape)

    @property
    def dtype(self) -> np.dtype:
        return self._dtype

    @property
    def maxshape(self) -> tuple[int, ...]:
        return self.shape

    def recommended_chunk_shape(self) -> None:
        return None

    def recommended_data_shape(self) -> tuple[int, ...]:
        return self.shape
