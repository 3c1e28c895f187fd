"""SLEAP .slp predictions read lazily: the points of a block of time on demand.

Opening reads what :func:`posebridge.formats.sleap.slp_poses.pose_rows` needs,
the ``frames`` and ``instances`` tables (small beside the points), and builds
the index of the chosen instances with numpy: per instance its time, its
individual and its row range in ``points`` / ``pred_points``. The instances are
then sorted by time, so a block of frames is one run of instances, whose
points are read as contiguous row ranges (usually one per table) by the eager
reader's own point step (:func:`~posebridge.formats.sleap.slp_poses.fill_points`):
a lazily read region equals the same region of ``posebridge.load``.

Instance and tracking scores (time x individual) are built at opening, as the
eager reader builds them. Labelled frames (``instances="user"``, or a file of
labels with ``"auto"``) raise :class:`NotLazy`: the caller reads them eagerly.
"""

from __future__ import annotations

import dataclasses
import functools
import os
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from posebridge._files import check_input, refuse_empty_file
from posebridge.errors import PoseBridgeError
from posebridge.formats._shared.hdf5 import BLOCK_ROWS
from posebridge.formats._shared.lazy import LazyArray, NotLazy
from posebridge.formats.sleap.slp_labels import has_only_labels
from posebridge.formats.sleap.slp_poses import (
    MODES,
    PoseRows,
    fill_points,
    pose_dataset,
    pose_rows,
)
from posebridge.formats.sleap.slp_read import _pick_video
from posebridge.formats.sleap.slp_tables import open_tables

__all__ = ["open_lazy", "slp_block"]


def slp_block(
    rows: PoseRows,
    tables: tuple[str, str],
    variable: str,
    h5: Any,
    region: tuple[tuple[int, int], ...],
) -> np.ndarray:
    """Region ``region`` of ``position`` or ``confidence``, from the points of its frames.

    ``rows`` is sorted by time: the instances of frames ``region[0]`` are one run.
    When their points are (nearly) one run of rows of each table, as in files
    saved in frame order, each table is read in one contiguous read.

    Examples
    --------
    >>> ds = open_lazy(Path("predictions.slp"))  # doctest: +SKIP
    >>> ds.position.variable._data[0:10]  # calls slp_block for frames 0..9  # doctest: +SKIP
    """
    low, high = region[0]
    n_nodes, n_ind = rows.n_nodes, len(rows.names)
    first, last = np.searchsorted(rows.when, (low, high))
    subset = np.arange(first, last)
    block_rows = BLOCK_ROWS
    span = 0
    for is_user in (True, False):
        starts = rows.point_start[first:last][rows.user[first:last] == is_user]
        if starts.size:
            rows_used = starts.size * n_nodes
            span = max(span, int(starts.max()) - int(starts.min()) + n_nodes)
            if span > 2 * rows_used:  # scattered: the usual blocks
                span = 0
                break
    if span:
        block_rows = max(block_rows, span)
    position = np.full((high - low, 2, n_nodes, n_ind), np.nan)
    confidence = np.full((high - low, n_nodes, n_ind), np.nan) if variable != "position" else None
    tables_ = (h5[tables[0]], h5[tables[1]])
    fill_points(rows, *tables_, position, confidence, h5.filename, subset, low, block_rows)
    out = position if confidence is None else confidence
    return out[(slice(None), *(slice(a, b) for a, b in region[1:]))]


def open_lazy(
    path: Path,
    *,
    video: int | str | os.PathLike[str] | None = None,
    instances: str = "auto",
    skeleton: int | str | None = None,
) -> xr.Dataset:
    """Open the poses of one video of an .slp file with lazily read points.

    Parameters
    ----------
    path
        The .slp file.
    video, instances, skeleton
        As :func:`posebridge.formats.sleap.slp_read.read`.

    Returns
    -------
    xarray.Dataset
        ``position`` and ``confidence`` backed by :class:`LazyArray`.

    Raises
    ------
    NotLazy
        For labelled frames (a labels dataset), read eagerly.

    Examples
    --------
    >>> ds = open_lazy(Path("predictions.slp"))  # doctest: +SKIP
    """
    path = check_input(path)
    refuse_empty_file(path, "a SLEAP .slp file")
    if instances not in ("auto", *MODES):
        raise PoseBridgeError(f"instances must be one of {('auto', *MODES)}, got {instances!r}.")
    with open_tables(path) as t:
        if instances == "auto":
            instances = "user" if has_only_labels(t) else "prefer_user"
        if instances == "user":
            raise NotLazy("labelled frames")
        rows = pose_rows(t, _pick_video(t, video), instances=instances, skeleton=skeleton)
        tables = (t.points.name, t.pred_points.name)
    order = np.argsort(rows.when, kind="stable")
    index = dataclasses.replace(
        rows,
        when=rows.when[order],
        column=rows.column[order],
        user=rows.user[order],
        point_start=rows.point_start[order],
        instance_score=None,
        tracking_score=None,
        attrs=None,
    )
    n_time, n_nodes, n_ind = rows.times.size, rows.n_nodes, len(rows.names)
    position = LazyArray(
        path,
        (n_time, 2, n_nodes, n_ind),
        np.float64,
        functools.partial(slp_block, index, tables, "position"),
    )
    confidence = LazyArray(
        path,
        (n_time, n_nodes, n_ind),
        np.float64,
        functools.partial(slp_block, index, tables, "confidence"),
    )
    return pose_dataset(rows, position, confidence)
