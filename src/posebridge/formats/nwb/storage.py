"""How pose arrays are stored in an NWB file: chunks, compression, dtype, streaming.

The on-disk layer of the writer (:mod:`posebridge.formats.nwb.build` builds the
objects): :class:`Storage` holds the writer's ``compression=`` and ``dtype=``
choices (:func:`storage_from`), :func:`wrap` gives an array its HDF5 chunks
(about 1 MiB, along time) and filters, and :func:`series_arrays` cuts one
PoseEstimation's arrays into its per-keypoint series, as numpy in memory or as
dask-backed series data written block by block (:mod:`posebridge.formats.nwb.stream`):
as empty datasets that the writer fills after hdmf wrote the file
(:func:`streamed_sources`, ``Storage.filled_later``), or, for an NWBFile handed to the
caller, as hdmf chunk iterators.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

import numpy as np
import xarray as xr

from posebridge import model
from posebridge.errors import PoseBridgeError, with_command_line_wording

_CHUNK_BYTES = 1 << 20


@dataclass(frozen=True)
class Storage:
    """How arrays are stored: chunked (time-first), compression, dtype.

    ``filled_later``: dask arrays become empty datasets (:class:`~posebridge.formats.nwb.
    stream.StreamedData`) that the writer fills with
    :func:`~posebridge.formats.nwb.stream.fill_series` once hdmf has written the file;
    only a writer that does so sets it (else they are hdmf chunk iterators).
    """

    chunked: bool = True
    compression: str | None = None
    level: int | None = None
    dtype: str | None = None
    filled_later: bool = False


def storage_from(compression: Any = None, dtype: Any = None, chunked: bool = True) -> Storage:
    """Storage options from the writer's ``compression=`` and ``dtype=`` values.

    ``compression``: ``None``/``False``/``"none"``; ``True``/``"gzip"`` (level 4);
    ``"gzip:<0-9>"`` or an int level; ``"lzf"``. ``dtype``: ``None`` (as the
    dataset) or ``"float32"``/``"float64"``.

    Raises
    ------
    PoseBridgeError
        A compression or dtype that is not one of those.

    Examples
    --------
    >>> storage_from("gzip:6", "float32")
    Storage(chunked=True, compression='gzip', level=6, dtype='float32', filled_later=False)
    """
    method, level = None, None
    if compression in (None, False, "", "none", "None"):
        pass
    elif compression is True or compression == "gzip":
        method, level = "gzip", 4
    elif isinstance(compression, int) and 0 <= compression <= 9:
        method, level = "gzip", int(compression)
    elif isinstance(compression, str) and compression.startswith("gzip:"):
        tail = compression.split(":", 1)[1]
        if not re.fullmatch(r"[0-9]", tail):  # ASCII: str.isdigit takes '²' too
            raise PoseBridgeError(
                f"compression {compression!r}: the gzip level must be one digit 0-9 "
                "(e.g. 'gzip:4')."
            )
        method, level = "gzip", int(tail)
    elif compression == "lzf":
        method = "lzf"
    else:
        raise with_command_line_wording(
            PoseBridgeError(
                f"compression {compression!r} is not supported; use 'gzip', 'gzip:<0-9>', "
                "'lzf' or None."
            ),
            {"'lzf' or None.": "'lzf', or leave --compression out."},
        )
    if dtype is not None:
        try:
            name = np.dtype(dtype).name
        except (TypeError, ValueError):  # not a dtype at all ("x", [1], ...)
            name = ""
        if name not in ("float32", "float64"):
            raise PoseBridgeError(f"dtype must be 'float32' or 'float64', got {dtype!r}.")
        dtype = name
    return Storage(chunked=chunked, compression=method, level=level, dtype=dtype)


def wrap(array: Any, storage: Storage) -> Any:
    """``array`` (numpy, or a :class:`DaskSeriesData` or :class:`SeriesSource` when
    streaming) with its storage options.

    Chunked storage gets chunks of about 1 MiB along time (the first axis) and
    the compression filters; an empty array is stored as it is. A
    :class:`SeriesSource` becomes a :class:`StreamedData` (an empty dataset with
    those options, filled later).

    Examples
    --------
    >>> import numpy as np
    >>> wrap(np.zeros((10, 2)), storage_from("gzip")).io_settings["chunks"]
    (10, 2)
    """
    from hdmf.backends.hdf5 import H5DataIO

    from posebridge.formats.nwb.stream import SeriesSource, StreamedData

    streamed = isinstance(array, SeriesSource)
    if array.shape[0] == 0:
        return array if isinstance(array, np.ndarray) else np.empty(array.shape, array.dtype)
    if not storage.chunked:
        return StreamedData(array) if streamed else array
    row_bytes = array.dtype.itemsize * int(np.prod(array.shape[1:], dtype=np.int64))
    target = max(1, _CHUNK_BYTES // max(1, row_bytes))
    pieces = math.ceil(array.shape[0] / target)
    rows = math.ceil(array.shape[0] / pieces)
    options: dict[str, Any] = {"chunks": (rows, *array.shape[1:])}
    if storage.compression:
        options.update(compression=storage.compression, shuffle=True)
        if storage.level is not None:
            options["compression_opts"] = storage.level
    return StreamedData(array, **options) if streamed else H5DataIO(array, **options)


def floating(dtype: np.dtype) -> np.dtype:
    """The float type the series store ``dtype`` as: ``dtype`` if it is a float type of
    at least 32 bits, float32 for float16 (NWB's smallest float: every float16 value is
    kept exactly, and hdmf would convert it anyway, warning once per series), else
    float64 (ndx-pose stores floats).

    Examples
    --------
    >>> import numpy as np
    >>> [floating(np.dtype(name)) for name in ("float32", "float16", "int64")]
    [dtype('float32'), dtype('float32'), dtype('float64')]
    """
    dtype = np.dtype(dtype)
    if not np.issubdtype(dtype, np.floating):
        return np.dtype(np.float64)
    return dtype if dtype.itemsize >= 4 else np.dtype(np.float32)


def _padded_lazily(array: Any, rows: int) -> Any:
    """A dask array (time first) with ``rows`` rows of NaN after its last time (see
    :func:`~posebridge.formats.nwb.time_plan.padding_rows`), as the in-memory path pads
    its numpy arrays."""
    if not rows:
        return array
    import dask.array as da

    widths = [(0, rows)] + [(0, 0)] * (array.ndim - 1)
    return da.pad(array.astype(floating(array.dtype)), widths, constant_values=np.nan)


def any_finite_block(data: Any) -> bool:
    """Whether a dask (or numpy) array along time holds a finite value, reading blocks
    until one does.

    Confidence is usually finite in the first block: one block is read instead
    of the whole array (which the series then read again to write it).

    Examples
    --------
    >>> import dask.array as da, numpy as np
    >>> any_finite_block(da.from_array(np.array([np.nan, np.nan, 1.0]), chunks=1))
    True
    """
    if not hasattr(data, "numblocks"):  # in memory beside lazy positions: one block
        return bool(np.isfinite(np.asarray(data)).any())
    for block in range(data.numblocks[0]):
        if np.isfinite(data.blocks[block].compute(scheduler="sync")).any():
            return True
    return False


def streamed_sources(
    position: xr.DataArray,
    confidence: xr.DataArray | None,
    individual: int,
    padding: int,
    dtype: Any,
) -> tuple[list[Any], list[Any] | None]:
    """One container's per-keypoint series of dask arrays, as sources to fill later.

    ``position`` is (time, space, keypoint, individual) and ``confidence`` (time,
    keypoint, individual), of every individual (of one view): the sources of
    every series of a file share these arrays, so that
    :func:`~posebridge.formats.nwb.stream.fill_series` computes one window of
    them for all the individuals at once. ``individual`` is the index of the
    container's; ``padding`` rows of NaN follow the data, which is stored as
    ``dtype`` (else its float type).

    Returns
    -------
    tuple
        Positions, one :class:`~posebridge.formats.nwb.stream.SeriesSource` per
        keypoint (rows, space), and confidences, one per keypoint (rows,)
        (``None`` without ``confidence``).

    Examples
    --------
    >>> import numpy as np, xarray as xr
    >>> dims = ("time", "space", "keypoint", "individual")
    >>> position = xr.DataArray(np.zeros((4, 2, 3, 2)), dims=dims).chunk({"time": 2})
    >>> pos, conf = streamed_sources(position, None, 1, padding=1, dtype=None)
    >>> [p.shape for p in pos], pos[2].index, conf
    ([(5, 2), (5, 2), (5, 2)], (slice(None, None, None), 2, 1), None)
    """
    from posebridge.formats.nwb.stream import SeriesSource

    dims = (model.TIME, model.SPACE, model.KEYPOINT, model.INDIVIDUAL)
    values = position.transpose(*dims).data
    rows = int(values.shape[0]) + padding
    stored = np.dtype(dtype or floating(values.dtype))
    keypoints = range(values.shape[2])
    pos = [SeriesSource(values, (slice(None), k, individual), rows, stored) for k in keypoints]
    if confidence is None:
        return pos, None
    scores = confidence.transpose(model.TIME, model.KEYPOINT, model.INDIVIDUAL).data
    stored = np.dtype(dtype or floating(scores.dtype))
    conf = [SeriesSource(scores, (k, individual), rows, stored) for k in keypoints]
    return pos, conf


def series_arrays(
    position: xr.DataArray, confidence: xr.DataArray | None, padding: int, dtype: Any
) -> tuple[Any, Any]:
    """One container's per-keypoint arrays: positions (time, space) and confidence (time,).

    ``position`` is (time, space, keypoint) and ``confidence`` (time, keypoint)
    of one individual (and view). numpy in memory, padded by ``padding`` rows
    of NaN (see :func:`~posebridge.formats.nwb.time_plan.padding_rows`) and
    converted to ``dtype`` (else their float type); for dask arrays,
    :class:`~posebridge.formats.nwb.stream.DaskSeriesData` sharing one block
    cache per array, so that each block is read once for all the container's
    series.

    Returns
    -------
    tuple
        Positions, one (time, space) array per keypoint, and confidences, one
        (time,) array per keypoint (``None`` without ``confidence``).

    Examples
    --------
    >>> import numpy as np, xarray as xr
    >>> position = xr.DataArray(np.zeros((4, 2, 3)), dims=("time", "space", "keypoint"))
    >>> pos, conf = series_arrays(position, None, padding=1, dtype=None)
    >>> pos.shape, conf
    ((3, 5, 2), None)
    """
    from posebridge.formats.nwb.stream import BlockCache, DaskSeriesData, as_stored, is_dask

    conf: Any = None
    if is_dask(position.data):
        one = _padded_lazily(position.transpose(model.TIME, model.KEYPOINT, ...).data, padding)
        cache = BlockCache(one, dtype or floating(one.dtype))
        pos: Any = [DaskSeriesData(cache, k) for k in range(one.shape[1])]
        if confidence is not None:
            values = _padded_lazily(confidence.transpose(model.TIME, ...).data, padding)
            cache = BlockCache(values, dtype or floating(values.dtype))
            conf = [DaskSeriesData(cache, k) for k in range(values.shape[1])]
        return pos, conf
    pos = np.moveaxis(position.values, 2, 0)  # (K, T, S)
    pos = np.ascontiguousarray(as_stored(pos, dtype or floating(pos.dtype)))
    if padding:
        pos = np.pad(pos, ((0, 0), (0, padding), (0, 0)), constant_values=np.nan)
    if confidence is not None:
        values = confidence.transpose(model.TIME, ...).values.T
        conf = np.ascontiguousarray(as_stored(values, dtype or floating(values.dtype)))
        if padding:
            conf = np.pad(conf, ((0, 0), (0, padding)), constant_values=np.nan)
    return pos, conf
