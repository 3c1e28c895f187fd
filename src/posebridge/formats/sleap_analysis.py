"""SLEAP analysis HDF5 (.analysis.h5): read every layout, write SLEAP's "matlab" one.

Reading finds the axis order of ``tracks`` from its ``dims`` attribute
(sleap-io), else from the file's ``transpose`` attribute (legacy: true, the
default, is SLEAP's "matlab" order ``(track, xy, node, frame)``; false is
``(frame, node, xy, track)``). Frames where ``track_occupancy`` is 0 are NaN.
``point_scores`` -> ``confidence``, ``instance_scores`` / ``tracking_scores`` ->
``instance_score`` / ``tracking_score`` (when they hold a value), ``edge_names``
-> ``skeleton_edges``, the ``skeleton_symmetries`` attribute ->
``skeleton_symmetries``, ``video_path`` -> the ``video_path`` attribute. Time
is the frame number: column i is frame ``first_frame + i`` (``first_frame`` is a
file attribute posebridge writes; SLEAP files start at frame 0). A file without
track names (SLEAP's untracked export) has one individual, ``untracked_0``.

Writing makes SLEAP's layout (the dataset names, dtypes, shapes and the
``dims`` attributes sleap-io adds), read by SLEAP, sleap-io, movement and
MATLAB's ``h5read``; arrays are deflate-compressed at a fast level.
"""

from __future__ import annotations

import json
import warnings
import zlib
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from posebridge import model
from posebridge._files import Peek, atomic_outputs
from posebridge.errors import FormatError, PoseBridgeError
from posebridge.formats._shared.record import Format
from posebridge.formats._sleap import (
    check_2d,
    fixed_strings,
    hdf5_top_keys,
    is_untracked_name,
    load_json,
    skeleton_from_dataset,
    skeleton_variables,
    text,
    untracked_name,
    writable_frames,
)
from posebridge.formats._sleap_rows import read_array
from posebridge.model import labels

__all__ = ["FORMATS", "describe", "read", "sniff", "write"]

AXES = ("frame", "track", "node", "xy")
MATLAB = ("track", "xy", "node", "frame")
LEGACY_UNTRANSPOSED = ("frame", "node", "xy", "track")
#: File attribute holding the frame number of the first column (written by posebridge).
FIRST_FRAME = "first_frame"
#: A dataset is deflate-compressed only when that saves at least this fraction of its size.
MIN_SAVING = 0.2


def sniff(peek: Peek) -> bool:
    """Whether ``path`` is a SLEAP analysis file: HDF5 with /tracks and /node_names datasets.

    DeepLabCut's pandas files keep ``tracks`` as a group, netCDF and NWB files
    have neither dataset, so they are not claimed.

    Examples
    --------
    >>> from posebridge.formats import sleap_analysis
    >>> sleap_analysis.sniff("predictions.analysis.h5")  # doctest: +SKIP
    True
    """
    path = peek.path
    keys = hdf5_top_keys(path)
    if keys is None:
        return False
    datasets, _ = keys
    return "tracks" in datasets and ("node_names" in datasets or "track_occupancy" in datasets)


# --------------------------------------------------------------------------
# reading


def _names(h5: Any, name: str) -> list[str]:
    if name not in h5:
        return []
    values = h5[name][()]
    if values.dtype.kind not in "SOU":
        return []  # SLEAP writes an empty list as float64 (0,)
    return [text(v) for v in np.asarray(values).reshape(-1)]


def _dims_attr(dataset: Any, path: Path) -> tuple[str, ...] | None:
    if "dims" not in dataset.attrs:
        return None
    dims = load_json(dataset.attrs["dims"], path, f"the dims attribute of {dataset.name}")
    if not isinstance(dims, list):
        raise FormatError(path, f"the dims attribute of {dataset.name} is not a list: {dims!r}.")
    return tuple(str(d) for d in dims)


def _canonical(
    h5: Any,
    name: str,
    wanted: tuple[str, ...],
    layout: tuple[str, ...],
    shape: dict[str, int],
    path: Path,
    default: tuple[str, ...] | None = None,
) -> np.ndarray | None:
    """Dataset ``name`` with its axes in the order ``wanted``; None when absent."""
    if name not in h5:
        return None
    dataset = h5[name]
    stored = _dims_attr(dataset, path) or default or tuple(d for d in layout if d in wanted)
    expected = tuple(shape[d] for d in stored)
    if set(stored) != set(wanted) or len(stored) != dataset.ndim:
        raise FormatError(path, f"/{name} has dims {stored}; expected the axes {wanted}.")
    if dataset.shape != expected:
        swapped = tuple(reversed(stored))
        if len(stored) == 2 and dataset.shape == tuple(shape[d] for d in swapped):
            stored = swapped  # a writer that stored the 2-D table the other way round
        else:
            raise FormatError(
                path,
                f"inconsistent shapes: /{name} is {dataset.shape}, but /tracks implies "
                f"{expected} for {stored}.",
            )
    return np.transpose(read_array(dataset), [stored.index(d) for d in wanted])


def read(path: Path) -> xr.Dataset:
    """Read a SLEAP analysis .h5 file (any layout).

    Parameters
    ----------
    path
        The file.

    Returns
    -------
    xarray.Dataset
        Poses with time in frame numbers; the file's dtype is kept.

    Raises
    ------
    FormatError
        When the file is not HDF5, has no ``tracks``, or its arrays disagree.

    Examples
    --------
    >>> import posebridge
    >>> ds = posebridge.load("session.analysis.h5", "sleap")  # doctest: +SKIP
    """
    import h5py

    path = Path(path)
    try:
        h5 = h5py.File(path, "r")
    except OSError as error:
        raise FormatError(path, f"is not a readable HDF5 file ({error}).") from None
    try:
        with h5:
            return _read_open(h5, path)
    except PoseBridgeError:
        raise
    except (OSError, KeyError, ValueError, TypeError, IndexError) as error:
        raise FormatError(
            path, f"could not be read as a SLEAP analysis file ({type(error).__name__}: {error})."
        ) from None


def _layout(h5: Any, path: Path) -> tuple[str, ...]:
    import h5py

    tracks = h5.get("tracks")
    if not isinstance(tracks, h5py.Dataset):
        raise FormatError(
            path,
            "has no /tracks dataset, so it is not a SLEAP analysis file "
            f"(top-level keys: {sorted(h5.keys())}).",
        )
    if tracks.ndim != 4:
        raise FormatError(path, f"/tracks should have 4 axes, found shape {tracks.shape}.")
    layout = _dims_attr(tracks, path)
    if layout is None:
        layout = MATLAB if bool(h5.attrs.get("transpose", True)) else LEGACY_UNTRANSPOSED
    if sorted(layout) != sorted(AXES):
        raise FormatError(path, f"/tracks has dims {layout}; expected {AXES} in some order.")
    if tracks.shape[layout.index("xy")] != 2:
        raise FormatError(
            path, f"/tracks should have 2 coordinates (x, y); its shape is {tracks.shape}."
        )
    return layout


def _read_open(h5: Any, path: Path) -> xr.Dataset:
    layout = _layout(h5, path)
    tracks = h5["tracks"]
    shape = dict(zip(layout, tracks.shape, strict=True))
    n_frames, n_nodes, n_tracks = shape["frame"], shape["node"], shape["track"]
    # (frame, xy, node, track): a view of the array as stored, no copy
    position = np.transpose(
        read_array(tracks), [layout.index(d) for d in ("frame", "xy", "node", "track")]
    )

    nodes = _names(h5, "node_names") or [f"node_{i}" for i in range(n_nodes)]
    if len(nodes) != n_nodes:
        raise FormatError(
            path, f"inconsistent shapes: {len(nodes)} node names for {n_nodes} nodes in /tracks."
        )
    names = _names(h5, "track_names")
    if not names:
        names = [untracked_name(k) for k in range(n_tracks)]
    elif len(names) != n_tracks:
        raise FormatError(
            path,
            f"inconsistent shapes: {len(names)} track names for {n_tracks} tracks in /tracks.",
        )

    def canonical(name: str, wanted: tuple[str, ...], default: Any = None) -> np.ndarray | None:
        return _canonical(h5, name, wanted, layout, shape, path, default)

    occupancy_default = ("frame", "track") if layout == MATLAB else ("track", "frame")
    occupancy = canonical("track_occupancy", ("frame", "track"), occupancy_default)
    confidence = canonical("point_scores", ("frame", "node", "track"))
    if confidence is None:
        confidence = np.full((n_frames, n_nodes, n_tracks), np.nan)
    scores = _optional_scores(h5, canonical, path)
    if occupancy is not None:
        empty = occupancy == 0
        if empty.any():
            if not position.flags.writeable:
                position = position.copy()
            position.transpose(0, 3, 1, 2)[empty] = np.nan
            confidence.transpose(0, 2, 1)[empty] = np.nan
            for values in scores.values():
                if values is not None:
                    values[empty] = np.nan

    first_frame = int(np.asarray(h5.attrs.get(FIRST_FRAME, 0)).reshape(-1)[0])
    dims = (model.TIME, model.INDIVIDUAL)
    data_vars: dict[str, Any] = {
        "position": (model.POSES_DIMS, position),
        "confidence": ((model.TIME, model.KEYPOINT, model.INDIVIDUAL), confidence),
    }
    for variable, values in scores.items():
        if values is not None and np.isfinite(values).any():
            data_vars[variable] = (dims, values)
    data_vars.update(skeleton_variables(*_skeleton(h5, nodes, path)))
    attrs: dict[str, Any] = {
        "ds_type": model.POSES,
        "time_unit": "frames",
        "source_software": "SLEAP",
    }
    if "video_path" in h5 and (video := text(h5["video_path"][()])):
        attrs["video_path"] = video
    attrs.update(_frame_size(h5, path))
    return xr.Dataset(
        data_vars,
        coords={
            model.TIME: first_frame + np.arange(n_frames, dtype=np.int64),
            model.SPACE: ["x", "y"],
            model.KEYPOINT: nodes,
            model.INDIVIDUAL: names,
        },
        attrs=attrs,
    )


def _optional_scores(h5: Any, canonical: Any, path: Path) -> dict[str, np.ndarray | None]:
    """The per-instance score tables; ones of the wrong shape holding no value are skipped.

    movement's writer sizes ``instance_scores`` / ``tracking_scores`` by the
    frame range but ``tracks`` by the time steps, so a dataset with gaps gives
    tables of different lengths; movement fills them with NaN only.
    """
    scores: dict[str, np.ndarray | None] = {}
    skipped = []
    for variable, name in (
        ("instance_score", "instance_scores"),
        ("tracking_score", "tracking_scores"),
    ):
        try:
            scores[variable] = canonical(name, ("frame", "track"))
        except FormatError:
            if not (h5[name].dtype.kind == "f" and np.isnan(h5[name][()]).all()):
                raise
            scores[variable] = None
            skipped.append(f"/{name}")
    if skipped:
        warnings.warn(
            f"{path}: {' and '.join(skipped)} do(es) not match the shape of /tracks and "
            "hold no score (as movement writes for poses with gaps in time); ignored.",
            UserWarning,
            stacklevel=4,
        )
    return scores


def _skeleton(
    h5: Any, nodes: list[str], path: Path
) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    edges: list[tuple[str, str]] = []
    if "edge_names" in h5 and h5["edge_names"].dtype.kind in "SOU" and h5["edge_names"].size:
        values = h5["edge_names"][()]
        if values.ndim != 2 or values.shape[1] != 2:
            raise FormatError(path, f"/edge_names should be (n, 2), found {values.shape}.")
        edges = [(text(a), text(b)) for a, b in values]
    elif "edge_inds" in h5 and h5["edge_inds"].size:
        index = np.asarray(h5["edge_inds"][()]).astype(np.int64).reshape(-1, 2)
        if index.min() < 0 or index.max() >= len(nodes):
            raise FormatError(path, "/edge_inds refers to nodes that /node_names does not list.")
        edges = [(nodes[a], nodes[b]) for a, b in index]
    symmetries: list[tuple[str, str]] = []
    if "skeleton_symmetries" in h5.attrs:
        pairs = load_json(
            h5.attrs["skeleton_symmetries"], path, "the skeleton_symmetries attribute"
        )
        symmetries = [(str(p[0]), str(p[1])) for p in pairs if isinstance(p, list) and len(p) == 2]
    return edges, symmetries


def _frame_size(h5: Any, path: Path) -> dict[str, int]:
    if "video_backend_metadata" not in h5.attrs:
        return {}
    meta = load_json(h5.attrs["video_backend_metadata"], path, "video_backend_metadata")
    shape = meta.get("shape") if isinstance(meta, dict) else None
    if isinstance(shape, list) and len(shape) >= 3:
        try:
            height, width = int(shape[1]), int(shape[2])
        except (TypeError, ValueError):
            return {}
        if height > 0 and width > 0:
            return {"video_width": width, "video_height": height}
    return {}


def describe(path: Path) -> list[tuple[str, str]]:
    """What ``posebridge info`` shows about an analysis file: layout, tracks, nodes, frames.

    Examples
    --------
    >>> from posebridge.formats import sleap_analysis
    >>> dict(sleap_analysis.describe("a.analysis.h5"))["layout"]  # doctest: +SKIP
    'tracks (track, xy, node, frame) = (2, 2, 13, 3000)'
    """
    import h5py

    path = Path(path)
    try:
        with h5py.File(path, "r") as h5:
            layout = _layout(h5, path)
            rows = [
                ("layout", f"tracks {tuple(layout)} = {h5['tracks'].shape}"),
                ("tracks", ", ".join(_names(h5, "track_names")) or "none (untracked)"),
                ("nodes", ", ".join(_names(h5, "node_names"))),
                ("first frame", str(int(np.asarray(h5.attrs.get(FIRST_FRAME, 0)).reshape(-1)[0]))),
                ("datasets", ", ".join(sorted(h5.keys()))),
            ]
            if "video_path" in h5:
                rows.append(("video", text(h5["video_path"][()]) or "unknown"))
            return rows
    except OSError as error:
        raise FormatError(path, f"is not a readable HDF5 file ({error}).") from None


# --------------------------------------------------------------------------
# writing


def _scores(
    ds: xr.Dataset, name: str, n_ind: int, n_frames: int, column: np.ndarray
) -> np.ndarray:
    out = np.full((n_ind, n_frames), np.nan)
    if name in ds:
        values = ds[name]
        if set(values.dims) != {model.TIME, model.INDIVIDUAL}:
            raise PoseBridgeError(
                f"'{name}' must have dims (time, individual), got {values.dims}."
            )
        out[:, column] = values.transpose(model.INDIVIDUAL, model.TIME).values
    return out


def write(
    ds: xr.Dataset,
    path: Path,
    *,
    overwrite: bool = False,
    all_frames: bool = True,
    compression_level: int = 1,
    labels_path: str | None = None,
) -> list[Path]:
    """Write a poses dataset as a SLEAP analysis .h5 file ("matlab" layout).

    Parameters
    ----------
    ds
        A 2-D poses dataset; time must map to frame numbers.
    path
        The output file.
    overwrite
        Replace an existing file.
    all_frames
        True (default, as SLEAP): columns run from frame 0, so every reader
        sees the real frame numbers. False: they start at the first frame and
        the ``first_frame`` attribute records it (posebridge honours it;
        sleap-io and movement number columns from 0).
    compression_level
        Deflate level (0-9, 0 = none). Each array is compressed only when a
        sample shows deflate saves at least 20 % (:data:`MIN_SAVING`): dense
        coordinates barely compress and would cost ~1 s per 40 MB, while sparse
        tracks shrink many times. Level 1 is fast and nearly as good as 9.
    labels_path
        Stored in ``labels_path``; default: the dataset's ``source_file`` when
        it is an .slp file (as movement does), else empty.

    Returns
    -------
    list of pathlib.Path
        The file written.

    Examples
    --------
    >>> from posebridge.io import save_poses
    >>> save_poses.to_sleap_analysis_file(ds, "video.analysis.h5")  # doctest: +SKIP
    """
    import h5py

    path = Path(path)
    labels.refuse(ds, "SLEAP analysis")
    check_2d(ds, path, "SLEAP analysis")
    if not 0 <= int(compression_level) <= 9:
        raise PoseBridgeError(f"compression_level must be 0-9, got {compression_level!r}.")
    frames = writable_frames(ds, path, "SLEAP analysis")
    first = 0 if all_frames or not frames.size else int(frames.min())
    n_frames = int(frames.max()) - first + 1 if frames.size else 0
    column = frames - first
    individuals = [str(n) for n in ds[model.INDIVIDUAL].values]
    n_ind, n_nodes = len(individuals), ds.sizes[model.KEYPOINT]

    source = ds["position"].transpose(model.INDIVIDUAL, model.SPACE, model.KEYPOINT, model.TIME)
    confidence_source = model.confidence_per_keypoint(ds).transpose(
        model.INDIVIDUAL, model.KEYPOINT, model.TIME
    )
    contiguous = n_frames == frames.size and np.array_equal(column, np.arange(n_frames))
    if contiguous:
        tracks = np.ascontiguousarray(source.values, dtype=np.float64)
        point_scores = np.ascontiguousarray(confidence_source.values, dtype=np.float64)
    else:
        tracks = np.full((n_ind, 2, n_nodes, n_frames), np.nan)
        tracks[..., column] = source.values
        point_scores = np.full((n_ind, n_nodes, n_frames), np.nan)
        point_scores[..., column] = confidence_source.values
    instance_scores = _scores(ds, "instance_score", n_ind, n_frames, column)
    tracking_scores = _scores(ds, "tracking_score", n_ind, n_frames, column)
    occupied = (
        np.isfinite(tracks).any(axis=(1, 2))
        | np.isfinite(point_scores).any(axis=1)
        | np.isfinite(instance_scores)
    )
    track_names = individuals
    if n_ind == 1 and is_untracked_name(individuals[0]):
        track_names = []  # SLEAP's export of untracked instances: one column, no name
    skeleton = skeleton_from_dataset(ds, "Skeleton-0")
    index = {name: i for i, name in enumerate(skeleton.nodes)}
    edge_inds = np.array([[index[a], index[b]] for a, b in skeleton.edges], dtype=np.int64)

    backend: dict[str, Any] = {"filename": str(ds.attrs.get("video_path", ""))}
    if ds.attrs.get("video_width") and ds.attrs.get("video_height"):
        backend["shape"] = [
            n_frames,
            int(ds.attrs["video_height"]),
            int(ds.attrs["video_width"]),
            3,
        ]
    arrays = {
        "tracks": (tracks, MATLAB),
        "track_occupancy": (np.ascontiguousarray(occupied.T, dtype=np.uint8), ("frame", "track")),
        "point_scores": (point_scores, ("track", "node", "frame")),
        "instance_scores": (instance_scores, ("track", "frame")),
        "tracking_scores": (tracking_scores, ("track", "frame")),
    }
    with (
        atomic_outputs([path], overwrite=overwrite) as (temporary,),
        h5py.File(temporary, "w") as h5,
    ):
        for name, (values, dims) in arrays.items():
            options = {}
            if _deflate_pays(values, int(compression_level)):
                options = {"compression": "gzip", "compression_opts": int(compression_level)}
            dataset = h5.create_dataset(name, data=values, **options)
            dataset.attrs["dims"] = json.dumps(list(dims))
        h5.create_dataset("track_names", data=_strings_or_empty(track_names))
        h5.create_dataset("node_names", data=_strings_or_empty(skeleton.nodes))
        edge_names = [name for pair in skeleton.edges for name in pair]
        h5.create_dataset(
            "edge_names",
            data=fixed_strings(edge_names).reshape(-1, 2) if edge_names else np.zeros(0),
        )
        h5.create_dataset("edge_inds", data=edge_inds if edge_inds.size else np.zeros(0))
        if labels_path is None:
            source = str(ds.attrs.get("source_file", ""))
            labels_path = source if source.lower().endswith(".slp") else ""
        h5.create_dataset("labels_path", data=str(labels_path))
        h5.create_dataset("video_path", data=backend["filename"])
        h5.create_dataset("video_ind", data=0)
        h5.create_dataset("provenance", data=json.dumps({"software": "posebridge"}))
        h5.attrs["preset"] = "matlab"
        h5.attrs["format"] = "analysis"
        h5.attrs[FIRST_FRAME] = np.int64(first)
        h5.attrs["skeleton_name"] = skeleton.name
        h5.attrs["skeleton_symmetries"] = json.dumps([list(p) for p in skeleton.symmetries])
        h5.attrs["video_backend_metadata"] = json.dumps(backend)
    return [path]


def _deflate_pays(values: np.ndarray, level: int) -> bool:
    """Whether deflate at ``level`` shrinks ``values`` by at least :data:`MIN_SAVING`.

    Judged on up to 16 evenly spaced 64 KB samples, so the test costs little.
    Pose coordinates of tracked animals are nearly incompressible (deflate
    saves ~10 % at 40 MB/s), while sparse tracks (mostly NaN) shrink many times.
    """
    if level == 0 or values.size == 0:
        return False
    raw = memoryview(np.ascontiguousarray(values)).cast("B")
    block = 1 << 16
    starts = np.linspace(0, max(len(raw) - block, 0), num=min(16, len(raw) // block + 1))
    samples = [raw[int(start) : int(start) + block] for start in starts]
    size = sum(len(sample) for sample in samples)
    packed = sum(len(zlib.compress(sample, level)) for sample in samples)
    return packed <= (1 - MIN_SAVING) * size


def _strings_or_empty(values: list[str]) -> np.ndarray:
    """Names as fixed-width bytes; an empty list as SLEAP stores it (float64, shape (0,))."""
    return fixed_strings(values) if values else np.zeros(0)


FORMATS = (
    Format(
        name="sleap",
        title="SLEAP",
        extensions=(".analysis.h5", ".h5"),
        kinds=("poses",),
        sniff=sniff,
        read=read,
        write=write,
        aliases=("sleap-analysis", "sleap-h5"),
        family="SLEAP",
        describe=describe,
        notes="SLEAP analysis .h5 (any layout); write: all_frames=True, compression_level=1",
    ),
)
