"""SLEAP analysis .h5 read lazily: ``tracks`` and ``point_scores`` on demand.

The dataset is the one :func:`posebridge.formats.sleap.analysis_read.read` gives,
but ``position`` and ``confidence`` are :class:`~posebridge.formats._shared.lazy.LazyArray`
objects: a region is read from the chunks of ``/tracks`` (and ``/point_scores``,
``/track_occupancy`` is checked, not applied) that it covers, as in the eager
reader. Small per-instance score tables are read at once.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from posebridge import model
from posebridge.errors import FormatError, PoseBridgeError
from posebridge.formats._shared.hdf5 import check_size, one_number
from posebridge.formats._shared.lazy import LazyArray, transposed_block
from posebridge.formats.sleap import analysis_read as eager
from posebridge.formats.sleap.common import (
    skeleton_name_attr,
    skeleton_variables,
)

__all__ = ["header_sizes", "open_lazy"]

#: Score tables up to this many values are read at once (to apply the eager rules).
SMALL = 1 << 22


def float_block(
    name: str,
    axes: tuple[int, ...],
    h5: Any,
    region: tuple[tuple[int, int], ...],
) -> np.ndarray:
    """A region of ``name`` (axes as ``axes``); whole numbers are read as float64, as
    the eager reader does (:func:`eager.as_float`)."""
    return eager.as_float(transposed_block(name, axes, h5, region, time_axis=0))


def open_lazy(path: Path) -> xr.Dataset:
    """Open a SLEAP analysis file with lazily read ``position`` and ``confidence``.

    Parameters
    ----------
    path
        The ``.analysis.h5`` file.

    Returns
    -------
    xarray.Dataset
        Variables backed by :class:`LazyArray` (wrap them with xarray's lazy
        indexing or dask).

    Examples
    --------
    >>> ds = open_lazy(Path("session.analysis.h5"))  # doctest: +SKIP
    """
    import h5py

    path = Path(path)
    try:
        with h5py.File(path, "r") as h5:
            return _open(h5, path)
    except PoseBridgeError:
        raise
    except (OSError, KeyError, ValueError, TypeError, IndexError) as error:
        raise eager.unreadable(path, error) from None


def _tracks_shape(h5: Any, path: Path) -> tuple[Any, dict[str, int], list[str], list[str]]:
    """The layout of ``/tracks``, its size per axis, and the node and track names (checked
    against it): what the file says before any value is read."""
    layout = eager._layout(h5, path)
    tracks = h5["tracks"]
    check_size(tracks)  # read block by block later: not from other files, nor a billion
    shape = dict(zip(layout, tracks.shape, strict=True))
    n_nodes, n_tracks = shape["node"], shape["track"]
    nodes = eager._names(h5, "node_names") or [f"node_{i}" for i in range(n_nodes)]
    if len(nodes) != n_nodes:
        raise FormatError(
            path, f"inconsistent shapes: {len(nodes)} node names for {n_nodes} nodes in /tracks."
        )
    names = eager._names(h5, "track_names") or eager.untracked_names(n_tracks, path)
    if len(names) != n_tracks:
        raise FormatError(
            path,
            f"inconsistent shapes: {len(names)} track names for {n_tracks} tracks in /tracks.",
        )
    return layout, shape, nodes, names


def header_sizes(path: Path) -> dict[str, int]:
    """The sizes (``time``, ``keypoint``, ``individual``) of the poses a SLEAP analysis
    file reads as: the shape of ``/tracks``, no value read and no dataset built.

    Examples
    --------
    >>> header_sizes(Path("session.analysis.h5"))  # doctest: +SKIP
    {'time': 1000, 'keypoint': 12, 'individual': 3}
    """
    import h5py

    path = Path(path)
    try:
        with h5py.File(path, "r") as h5:
            _, shape, _, _ = _tracks_shape(h5, path)
    except PoseBridgeError:
        raise
    except (OSError, KeyError, ValueError, TypeError, IndexError) as error:
        raise eager.unreadable(path, error) from None
    return {"time": shape["frame"], "keypoint": shape["node"], "individual": shape["track"]}


def _open(h5: Any, path: Path) -> xr.Dataset:
    layout, shape, nodes, names = _tracks_shape(h5, path)
    tracks = h5["tracks"]
    n_frames, n_nodes, n_tracks = shape["frame"], shape["node"], shape["track"]

    def axes(name: str, wanted: tuple[str, ...], default: Any = None) -> tuple[int, ...] | None:
        return eager.stored_axes(h5, name, wanted, layout, shape, path, default)

    eager.check_occupancy(h5, layout, shape, path)
    position_axes = tuple(layout.index(d) for d in ("frame", "xy", "node", "track"))
    position = LazyArray(
        path,
        (n_frames, shape["xy"], n_nodes, n_tracks),
        eager.float_dtype(tracks.dtype),
        functools.partial(float_block, "tracks", position_axes),
    )
    score_axes = axes("point_scores", ("frame", "node", "track"))
    if score_axes is None:
        confidence: Any = np.full((n_frames, n_nodes, n_tracks), np.nan)
    else:
        confidence = LazyArray(
            path,
            (n_frames, n_nodes, n_tracks),
            eager.float_dtype(h5["point_scores"].dtype),
            functools.partial(float_block, "point_scores", score_axes),
        )
    data_vars: dict[str, Any] = {
        "position": (model.POSES_DIMS, position),
        "confidence": ((model.TIME, model.KEYPOINT, model.INDIVIDUAL), confidence),
    }
    data_vars.update(_scores(h5, path, layout, shape))
    data_vars.update(skeleton_variables(*eager._skeleton(h5, nodes, path)))
    attrs: dict[str, Any] = {
        "ds_type": model.POSES,
        "time_unit": "frames",
        "source_software": "SLEAP",
    }
    if video := eager.one_path(h5, "video_path", path):
        attrs["video_path"] = video
    attrs.update(eager.labels_path_attr(h5, path))
    attrs.update(eager._frame_size(h5, path))
    attrs.update(skeleton_name_attr(h5.attrs.get("skeleton_name")))
    if provenance := eager._provenance(h5, path):
        attrs[eager.PROVENANCE] = provenance
    first_frame = one_number(h5, eager.FIRST_FRAME, 0, path, whole=True)
    return xr.Dataset(
        data_vars,
        coords={
            model.TIME: first_frame + np.arange(n_frames, dtype=np.int64),
            model.SPACE: ["x", "y", "z"][: shape["xy"]],
            model.KEYPOINT: np.array(nodes, dtype=str),  # text even when empty
            model.INDIVIDUAL: np.array(names, dtype=str),
        },
        attrs=attrs,
    )


def _scores(
    h5: Any,
    path: Path,
    layout: tuple[str, ...],
    shape: dict[str, int],
) -> dict[str, Any]:
    """``instance_score`` / ``tracking_score``: small tables as the eager reader reads them,
    large ones lazily (kept when present, of the right shape and holding a score: read
    block by block up to the first one, as the eager reader drops a table of NaN)."""
    present = [n for n in ("instance_scores", "tracking_scores") if n in h5]
    if not present:
        return {}
    dims = (model.TIME, model.INDIVIDUAL)
    if sum(h5[n].size for n in present) <= SMALL:

        def canonical(name: str, wanted: tuple[str, ...], default: Any = None) -> Any:
            return eager._canonical(h5, name, wanted, layout, shape, path, default)

        scores = eager._optional_scores(h5, canonical, path)
        return {
            variable: (dims, values)
            for variable, values in scores.items()
            if values is not None and np.isfinite(values).any()
        }
    out: dict[str, Any] = {}
    skipped = []
    for variable, name in (
        ("instance_score", "instance_scores"),
        ("tracking_score", "tracking_scores"),
    ):
        try:
            at = eager.stored_axes(h5, name, ("frame", "track"), layout, shape, path)
        except FormatError:  # as the eager reader: ignored only when it holds no score
            if not eager.holds_no_score(h5[name]):
                raise
            skipped.append(f"/{name}")
            continue
        if at is not None and not eager.holds_no_score(h5[name]):  # as eager: none, no table
            lazy = LazyArray(
                path,
                (shape["frame"], shape["track"]),
                eager.float_dtype(h5[name].dtype),
                functools.partial(float_block, name, at),
            )
            out[variable] = (dims, lazy)
    eager.warn_skipped_scores(path, skipped)
    return out
