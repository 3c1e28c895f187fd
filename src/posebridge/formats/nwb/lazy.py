"""NWB (ndx-pose PoseEstimation) read lazily: each series' rows of a block of time on demand.

Opening walks the file with h5py as the eager reader does (no pynwb objects)
and makes the eager reader's plan (:func:`posebridge.formats.nwb.assemble.plan_arrays`):
keypoints, individuals, views, the time axis (the eager reader's own time
function, so the same values), dtypes, the writer's padding rows. The arrays
stay in the file: a region of ``position`` or ``confidence`` reads rows
``start:stop`` of the ``data`` (and ``confidence``) dataset of each series the
region covers, one read per series, and goes through the same steps as the
eager reader (dtype, ``conversion`` / ``offset``, axis order), so it equals the
same region of ``posebridge.load``.

Series on different time bases (individuals with their own timestamps) are
placed, as by the eager reader, on the sorted union of their times: each
series keeps the rows its samples go to, and a block reads the one run of
samples that lands in it.

Not lazy (:class:`NotLazy`, the caller reads the file eagerly): labelled frames
(PoseTraining); samples with NaN timestamps, timestamps out of order or shared
by several samples (the eager reader warns and reorders or drops); a series
whose data is in another file; files with no pose samples.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path
from typing import Any

import h5py
import numpy as np
import xarray as xr

from posebridge._files import holds_hdf5_signature
from posebridge.errors import FormatError, PoseBridgeError
from posebridge.formats._shared.global_heap import check_file_heaps
from posebridge.formats._shared.lazy import LazyArray, NotLazy
from posebridge.formats.nwb.assemble import Plan, finish, model_order, plan_arrays
from posebridge.formats.nwb.combine import refuse_several_videos, select
from posebridge.formats.nwb.locate import h5_info, is_nwb
from posebridge.formats.nwb.read import UNREAD, refuse_other_options

__all__ = ["CONTENTS", "nwb_block", "open_lazy"]

CONTENTS = ("auto", "labels", "predictions")

#: One placed series: (view, individual, keypoint, data dataset, confidence dataset or
#: None, columns of data, conversion, offset, index of its places).
Entry = tuple[int, int, int, str, str | None, int, float, float, int]


def nwb_block(
    entries: tuple[Entry, ...],
    places: tuple[np.ndarray | None, ...],
    shape: tuple[int, int, int, int],
    dtypes: tuple[str, str],
    variable: str,
    h5: Any,
    region: tuple[tuple[int, int], ...],
) -> np.ndarray:
    """Region ``region`` of ``position`` or ``confidence`` (dataset axes).

    ``shape`` is (views, individuals, keypoints, space); only the series whose
    keypoint, individual and view fall in the region are read: the samples that
    land in time rows ``region[0]`` (``places``: the rows of a series' samples,
    increasing; ``None``: sample ``j`` is row ``j``), one contiguous read each.

    Examples
    --------
    >>> ds = open_lazy(Path("session.nwb"))  # doctest: +SKIP
    >>> ds.position.variable._data[0:10]  # calls nwb_block for rows 0..9  # doctest: +SKIP
    """
    low, high = region[0]
    _, _, _, n_space = shape
    position = variable == "position"
    has_views = len(region) == (5 if position else 4)
    # the region's keypoint / individual / view ranges (axes of the dataset)
    axes = region[2:] if position else region[1:]
    (k0, k1), (i0, i1) = axes[0], axes[1]
    v0, v1 = axes[2] if has_views else (0, 1)
    inside = [e for e in entries if k0 <= e[2] < k1 and i0 <= e[1] < i1 and v0 <= e[0] < v1]
    # as the eager reader: (view, individual, keypoint, time[, space]), then the dataset's axes
    cells = (v1 - v0, i1 - i0, k1 - k0)
    store_shape = (*cells, high - low, n_space) if position else (*cells, high - low)
    dtype = np.dtype(dtypes[0] if position else dtypes[1])
    # every cell written whole (each series covers every row and every column): no NaN fill
    whole = {
        (e[0], e[1], e[2])
        for e in inside
        if places[e[8]] is None and (e[5] == n_space if position else e[4] is not None)
    }
    covered = len(whole) == int(np.prod(cells))
    store = np.empty(store_shape, dtype) if covered else np.full(store_shape, np.nan, dtype)
    for v, i, k, data, confidence, ndim, conversion, offset, at in inside:
        rows: Any = places[at]
        if rows is None:
            samples, target = slice(low, high), slice(None)
        else:
            first, last = np.searchsorted(rows, (low, high))
            samples, target = slice(int(first), int(last)), rows[first:last] - low
        cell = store[v - v0, i - i0, k - k0]
        if position:
            _read(h5[data], samples, cell, target, ndim)
            if conversion != 1.0 or offset != 0.0:
                cell *= conversion
                cell += offset
        elif confidence is not None:
            _read(h5[confidence], samples, cell, target, 1)
    out = model_order(store, has_views)
    return out[:, slice(*region[1])] if position else out


def _read(dataset: Any, samples: slice, cell: np.ndarray, target: Any, ndim: int) -> None:
    """Rows ``samples`` of ``dataset`` into rows ``target`` of ``cell`` (its first ``ndim``
    columns): straight into ``cell`` when it is all of it, as the eager reader reads."""
    whole = isinstance(target, slice) and (cell.ndim == 1 or ndim == cell.shape[1])
    if whole and cell.flags.c_contiguous and cell.size and dataset.ndim == cell.ndim:
        dataset.read_direct(cell, source_sel=np.s_[samples])
        return
    values = np.asarray(dataset[samples])
    if cell.ndim == 1:
        cell[target] = values.reshape(-1)
    else:
        cell[target, :ndim] = values.reshape(-1, ndim)


def _places(plan: Plan) -> tuple[dict[Any, int], tuple[np.ndarray | None, ...]]:
    """Per timing key, the index of its sample rows in the returned tuple.

    Series on different time bases are placed on the union of their times; that
    stays lazy while every sample has a time and the rows increase (one sample
    per row). Otherwise (NaN or unsorted timestamps, samples sharing a time:
    the eager reader's warnings) :class:`NotLazy`.
    """
    keys: dict[Any, int] = {}
    arrays: list[np.ndarray | None] = []
    for key, rows in plan.places.items():
        if rows is not None:
            rows = np.asarray(rows, dtype=np.int64)
            if rows.size and (rows.min() < 0 or np.any(np.diff(rows) <= 0)):
                raise NotLazy("samples without a time, out of order or sharing a time")
        keys[key] = len(arrays)
        arrays.append(rows)
    return keys, tuple(arrays)


def _entries(plan: Plan, path: Path, keys: dict[Any, int]) -> tuple[Entry, ...]:
    entries = []
    for v, i, k, s in plan.placed():
        for dataset in (s.data, s.confidence):
            if dataset is None:
                continue
            if not isinstance(dataset, h5py.Dataset) or (
                os.path.realpath(dataset.file.filename) != os.path.realpath(path)
            ):
                raise NotLazy("a series' data is not a dataset of this file")
        if s.confidence is not None and s.confidence.shape[:1] != s.data.shape[:1]:
            raise NotLazy("confidence and data of different lengths")
        confidence = s.confidence.name if s.confidence is not None else None
        entries.append(
            (
                v,
                i,
                k,
                s.data.name,
                confidence,
                s.shape[1],
                s.conversion,
                s.offset,
                keys[s.timing.key],
            )
        )
    return tuple(entries)


def open_lazy(
    path: Path,
    *,
    content: str = "auto",
    processing_module_key: str | None = None,
    pose_estimation_key: str | None = None,
    combine: str = "auto",
    training_key: str | None = None,
    skeleton: str | None = None,
) -> xr.Dataset:
    """Open the PoseEstimation poses of an NWB file with lazily read series.

    Parameters
    ----------
    path
        The ``.nwb`` file.
    content, processing_module_key, pose_estimation_key, combine, training_key, skeleton
        As :func:`posebridge.formats.nwb.read`.

    Returns
    -------
    xarray.Dataset
        ``position`` and ``confidence`` backed by :class:`LazyArray`.

    Raises
    ------
    NotLazy
        For the files the module's notes list (read eagerly).

    Examples
    --------
    >>> ds = open_lazy(Path("session.nwb"))  # doctest: +SKIP
    """
    if content not in CONTENTS:
        raise PoseBridgeError(f"content must be one of {CONTENTS}, got {content!r}.")
    if content == "labels":
        raise NotLazy("labelled frames")
    path = Path(path)
    if not holds_hdf5_signature(path):  # at byte 0, or after a user block
        raise NotLazy("not HDF5")  # the eager reader says what it is
    try:
        h5 = h5py.File(path, "r", rdcc_nbytes=0)
    except OSError:
        raise NotLazy("not a readable HDF5 file") from None
    with h5:
        check_file_heaps(h5, path, unread=UNREAD)  # before any text is read, as eagerly
        if not is_nwb(h5):
            raise NotLazy("not NWB")
        info = h5_info(h5, str(path.parent))
        if content == "auto" and info.training and not info.containers:
            raise NotLazy("labelled frames")
        given = {"training_key": training_key is not None, "skeleton": skeleton is not None}
        poses_keys = ("processing_module_key", "pose_estimation_key", "combine")
        poses_options = dict.fromkeys(poses_keys, False)  # taken here; named in the error
        refuse_other_options(path, content, "predictions", poses_options, given)
        chosen = select(info, path, processing_module_key, pose_estimation_key)
        refuse_several_videos(chosen, combine, path)
        plan = plan_arrays(info, chosen, path, combine)
        if isinstance(plan, xr.Dataset):
            raise NotLazy("no pose samples")
        keys, places = _places(plan)
        entries = _entries(plan, path, keys)
        shape = (len(plan.views), len(plan.individuals), len(plan.keypoints), plan.n_space)
        dtypes = (plan.pos_dtype.str, plan.conf_dtype.str)
        n_time, has_views = plan.n_time, plan.views != [None]
        tail = (plan.n_space, len(plan.keypoints), len(plan.individuals))
        tail += (len(plan.views),) if has_views else ()
        position = LazyArray(
            path,
            (n_time, *tail),
            plan.pos_dtype,
            functools.partial(nwb_block, entries, places, shape, dtypes, "position"),
        )
        confidence = LazyArray(
            path,
            (n_time, *tail[1:]),
            plan.conf_dtype,
            functools.partial(nwb_block, entries, places, shape, dtypes, "confidence"),
        )
        try:
            ds = finish(info, plan, position, confidence)
        except (KeyError, ValueError, TypeError) as error:
            raise FormatError(path, f"could not be read ({error}).") from None
    ds.attrs["source_file"] = str(path)
    return ds
