"""SLEAP analysis HDF5 (.analysis.h5): read every layout, write SLEAP's "matlab" one.

Reading finds the axis order of ``tracks`` from its ``dims`` attribute
(sleap-io), else from the file's ``transpose`` attribute (legacy: true, the
default, is SLEAP's "matlab" order ``(track, xy, node, frame)``; false is
``(frame, node, xy, track)``). ``track_occupancy`` is checked against ``tracks``
but masks nothing: a cell it marks empty keeps the values ``tracks`` and the
score tables hold there (NaN in SLEAP's and sleap-io's files), as sleap-io and
movement read them.
``point_scores`` -> ``confidence``, ``instance_scores`` / ``tracking_scores`` ->
``instance_score`` / ``tracking_score`` (when they hold a value), ``edge_names``
-> ``skeleton_edges``, the ``skeleton_symmetries`` attribute ->
``skeleton_symmetries``, ``video_path`` -> the ``video_path`` attribute,
``labels_path`` (the .slp project exported) -> the ``sleap_labels_path`` attribute. Time
is the frame number: column i is frame ``first_frame + i`` (``first_frame`` is a
file attribute posebridge writes; SLEAP files start at frame 0). A file without
track names (SLEAP's untracked export) has one individual, ``untracked_0``.

Writing makes SLEAP's layout (the dataset names, dtypes, shapes and the
``dims`` attributes sleap-io adds), read by SLEAP, sleap-io, movement and
MATLAB's ``h5read``; arrays are deflate-compressed at a fast level.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from posebridge import model
from posebridge._files import check_input, refuse_empty_file
from posebridge.errors import (
    FormatError,
    PoseBridgeError,
    describing,
    unavailable_filter_error,
    user_stacklevel,
)
from posebridge.formats._shared.global_heap import check_heaps
from posebridge.formats._shared.hdf5 import (
    member_names,
    one_number,
    read_array,
    read_whole,
    refuse_non_datasets,
    refuse_stored_elsewhere,
)
from posebridge.formats._shared.images import image_side
from posebridge.formats.sleap.common import (
    known_pairs,
    load_json,
    skeleton_name_attr,
    skeleton_variables,
    text,
    untracked_name,
)
from posebridge.formats.sleap.project_facts import LABELS_PATH, PROVENANCE, provenance_attr
from posebridge.formats.sleap.video_facts import VIDEO_FACTS, facts_of_backend, facts_to_attr

__all__ = ["describe", "read", "unreadable"]

AXES = ("frame", "track", "node", "xy")
MATLAB = ("track", "xy", "node", "frame")
LEGACY_UNTRANSPOSED = ("frame", "node", "xy", "track")
#: File attribute holding the frame number of the first column (written by posebridge).
FIRST_FRAME = "first_frame"
#: A dataset is deflate-compressed only when that saves at least this fraction of its size.
MIN_SAVING = 0.2


# --------------------------------------------------------------------------
# reading


def untracked_names(n_tracks: int, path: Path) -> list[str]:
    """The individuals of a file without track names: ``untracked_0`` ... per column.

    Several columns without names (instances without a track, by their order
    in each frame) are warned about, as the ``.slp`` reader warns: such a
    column does not follow one animal across frames. One column is SLEAP's
    untracked export (one instance a frame), read without a warning.

    Examples
    --------
    >>> untracked_names(1, Path("one.analysis.h5"))
    ['untracked_0']
    """
    names = [untracked_name(k) for k in range(n_tracks)]
    if n_tracks > 1:
        warnings.warn(
            f"{path}: the file names no tracks; its {n_tracks} columns were given the "
            f"individuals {names[0]}..{names[-1]} (instances without a track, by their order "
            "within each frame, which does not follow an animal across frames).",
            UserWarning,
            stacklevel=user_stacklevel(),
        )
    return names


def _names(h5: Any, name: str) -> list[str]:
    if name not in h5:
        return []
    values = read_whole(h5[name])  # a declared billion names: refused, not read
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
    axes = stored_axes(h5, name, wanted, layout, shape, path, default)
    if axes is None:
        return None
    return np.transpose(read_array(h5[name]), axes)


def stored_axes(
    h5: Any,
    name: str,
    wanted: tuple[str, ...],
    layout: tuple[str, ...],
    shape: dict[str, int],
    path: Path,
    default: tuple[str, ...] | None = None,
) -> tuple[int, ...] | None:
    """The transposition that puts dataset ``name``'s axes in the order ``wanted``
    (checked against the shape of ``/tracks``); None when absent. Reads no data."""
    if name not in h5:
        return None
    dataset = h5[name]
    refuse_stored_elsewhere(dataset)  # read later, lazily too
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
    _refuse_non_numbers(dataset, name, path)
    return tuple(stored.index(d) for d in wanted)


def _refuse_non_numbers(dataset: Any, name: str, path: Path) -> None:
    if dataset.dtype.kind not in "iufb":
        raise FormatError(path, f"/{name} holds {dataset.dtype} values; expected numbers.")


def float_dtype(dtype: np.dtype) -> np.dtype:
    """The dtype values of ``dtype`` are read as: floats keep theirs, whole numbers (a
    writer other than SLEAP's) become float64, so that a missing point can be NaN.

    Examples
    --------
    >>> float_dtype(np.dtype("float32")), float_dtype(np.dtype("int64"))
    (dtype('float32'), dtype('float64'))
    """
    return dtype if dtype.kind == "f" else np.dtype(np.float64)


def as_float(values: np.ndarray) -> np.ndarray:
    """``values`` in :func:`float_dtype` of their dtype (no copy when already floats).

    Examples
    --------
    >>> as_float(np.array([1, 2])).dtype
    dtype('float64')
    """
    return values.astype(float_dtype(values.dtype), copy=False)


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
    path = check_input(path)
    refuse_empty_file(path, "a SLEAP analysis .h5 file")
    import h5py

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
        raise unreadable(path, error) from None


#: The members this reader reads: each a dataset when present.
_DATASETS = (
    "tracks",
    "track_occupancy",
    "point_scores",
    "instance_scores",
    "tracking_scores",
    "node_names",
    "track_names",
    "edge_names",
    "edge_inds",
    "video_path",
    "labels_path",
    "provenance",
)


def _layout(h5: Any, path: Path) -> tuple[str, ...]:
    import h5py

    refuse_non_datasets(h5, _DATASETS, path, "a SLEAP analysis file")
    check_heaps(h5, path, ("/", *_DATASETS))
    tracks = h5.get("tracks")
    if not isinstance(tracks, h5py.Dataset):
        raise FormatError(
            path,
            "has no /tracks dataset, so it is not a SLEAP analysis file "
            f"(top-level keys: {member_names(h5)}).",
        )
    if tracks.ndim != 4:
        raise FormatError(path, f"/tracks should have 4 axes, found shape {tracks.shape}.")
    layout = _dims_attr(tracks, path)
    if layout is None:
        layout = MATLAB if one_number(h5, "transpose", True, path) else LEGACY_UNTRANSPOSED
    if sorted(layout) != sorted(AXES):
        raise FormatError(path, f"/tracks has dims {layout}; expected {AXES} in some order.")
    _refuse_non_numbers(tracks, "tracks", path)
    if tracks.shape[layout.index("xy")] not in (2, 3):  # 3: movement writes 3-D poses so
        raise FormatError(
            path,
            f"/tracks should have 2 coordinates (x, y), or 3 (x, y, z) as movement writes "
            f"3-D poses; its shape is {tracks.shape}.",
        )
    return layout


def unreadable(path: Path, error: Exception) -> PoseBridgeError:
    """The error to raise for a SLEAP analysis file whose HDF5 h5py could not read:
    a compression filter this machine lacks, or the file's own fault, named.

    Examples
    --------
    >>> str(unreadable(Path("s.analysis.h5"), KeyError("tracks")))
    "s.analysis.h5: could not be read as a SLEAP analysis file (KeyError: 'tracks')."
    """
    return unavailable_filter_error(path, error) or FormatError(
        path, f"could not be read as a SLEAP analysis file ({type(error).__name__}: {error})."
    )


def _read_open(h5: Any, path: Path) -> xr.Dataset:
    layout = _layout(h5, path)
    tracks = h5["tracks"]
    shape = dict(zip(layout, tracks.shape, strict=True))
    n_frames, n_nodes, n_tracks = shape["frame"], shape["node"], shape["track"]
    # (frame, xy, node, track): a view of the array as stored, no copy
    position = np.transpose(
        as_float(read_array(tracks)), [layout.index(d) for d in ("frame", "xy", "node", "track")]
    )

    nodes = _names(h5, "node_names") or [f"node_{i}" for i in range(n_nodes)]
    if len(nodes) != n_nodes:
        raise FormatError(
            path, f"inconsistent shapes: {len(nodes)} node names for {n_nodes} nodes in /tracks."
        )
    names = _names(h5, "track_names") or untracked_names(n_tracks, path)
    if len(names) != n_tracks:
        raise FormatError(
            path,
            f"inconsistent shapes: {len(names)} track names for {n_tracks} tracks in /tracks.",
        )

    def canonical(name: str, wanted: tuple[str, ...], default: Any = None) -> np.ndarray | None:
        return _canonical(h5, name, wanted, layout, shape, path, default)

    check_occupancy(h5, layout, shape, path)
    confidence = canonical("point_scores", ("frame", "node", "track"))
    if confidence is None:
        confidence = np.full((n_frames, n_nodes, n_tracks), np.nan)
    confidence = as_float(confidence)
    scores = _optional_scores(h5, canonical, path)

    first_frame = one_number(h5, FIRST_FRAME, 0, path, whole=True)
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
    if video := one_path(h5, "video_path", path):
        attrs["video_path"] = video
    attrs.update(labels_path_attr(h5, path))
    attrs.update(_frame_size(h5, path))
    attrs.update(skeleton_name_attr(h5.attrs.get("skeleton_name")))
    if provenance := _provenance(h5, path):
        attrs[PROVENANCE] = provenance
    return xr.Dataset(
        data_vars,
        coords={
            model.TIME: first_frame + np.arange(n_frames, dtype=np.int64),
            model.SPACE: ["x", "y", "z"][: position.shape[1]],
            model.KEYPOINT: np.array(nodes, dtype=str),  # text even when empty
            model.INDIVIDUAL: np.array(names, dtype=str),
        },
        attrs=attrs,
    )


def check_occupancy(h5: Any, layout: tuple[str, ...], shape: dict[str, int], path: Path) -> None:
    """Refuse a ``/track_occupancy`` whose shape or dtype disagrees with ``/tracks``.

    Its values mask nothing: SLEAP, sleap-io and movement derive it from the
    points, and a cell it marks empty where ``/tracks`` holds coordinates (a file
    edited by another tool) keeps them, as sleap-io's and movement's readers do.
    Reads no data.
    """
    occupancy_default = ("frame", "track") if layout == MATLAB else ("track", "frame")
    stored_axes(h5, "track_occupancy", ("frame", "track"), layout, shape, path, occupancy_default)


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
            found = canonical(name, ("frame", "track"))
            scores[variable] = None if found is None else as_float(found)
        except FormatError:
            if not holds_no_score(h5[name]):
                raise
            scores[variable] = None
            skipped.append(f"/{name}")
    warn_skipped_scores(path, skipped)
    return scores


def holds_no_score(dataset: Any, block: int = 1 << 20) -> bool:
    """Whether a score table is floats that are all NaN, read ``block`` values at a time
    (a table of 10 M frames is checked without holding it), stopping at the first score.

    Examples
    --------
    >>> holds_no_score(np.full((3, 2), np.nan)), holds_no_score(np.array([[np.nan, 0.5]]))
    (True, False)
    """
    if dataset.dtype.kind != "f":
        return False
    if not dataset.ndim:
        return bool(np.isnan(dataset[()]))
    rows = max(1, block // max(1, int(np.prod(dataset.shape[1:]))))
    return all(
        np.isnan(dataset[start : start + rows]).all() for start in range(0, dataset.shape[0], rows)
    )


def warn_skipped_scores(path: Path, skipped: list[str]) -> None:
    """Say which score tables were ignored for holding no score in the wrong shape."""
    if skipped:
        warnings.warn(
            f"{path}: {' and '.join(skipped)} do(es) not match the shape of /tracks and "
            "hold no score (as movement writes for poses with gaps in time); ignored.",
            UserWarning,
            stacklevel=user_stacklevel(),
        )


def _skeleton(
    h5: Any, nodes: list[str], path: Path
) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    edges: list[tuple[str, str]] = []
    if "edge_names" in h5 and h5["edge_names"].dtype.kind in "SOU" and h5["edge_names"].size:
        values = read_whole(h5["edge_names"])
        if values.ndim != 2 or values.shape[1] != 2:
            raise FormatError(path, f"/edge_names should be (n, 2), found {values.shape}.")
        edges = [(text(a), text(b)) for a, b in values]
        known = set(nodes)
        unknown = [(row, edge) for row, edge in enumerate(edges) if not known.issuperset(edge)]
        if unknown:
            row, edge = unknown[0]
            missing = [name for name in edge if name not in known]
            raise FormatError(
                path,
                f"/edge_names row {row} {list(edge)} names {missing[0]!r}, a node that "
                f"/node_names does not list ({len(unknown)} of the {len(edges)} edges name "
                "such nodes); an edge must join two of the file's nodes.",
            )
    elif "edge_inds" in h5 and h5["edge_inds"].size:
        index = np.asarray(read_whole(h5["edge_inds"])).astype(np.int64).reshape(-1, 2)
        if index.min() < 0 or index.max() >= len(nodes):
            raise FormatError(path, "/edge_inds refers to nodes that /node_names does not list.")
        edges = [(nodes[a], nodes[b]) for a, b in index]
    symmetries: list[tuple[str, str]] = []
    if "skeleton_symmetries" in h5.attrs:
        pairs = load_json(
            h5.attrs["skeleton_symmetries"], path, "the skeleton_symmetries attribute"
        )
        symmetries = [(str(p[0]), str(p[1])) for p in pairs if isinstance(p, list) and len(p) == 2]
        symmetries = known_pairs(symmetries, nodes, path, "the skeleton_symmetries attribute")
    return edges, symmetries


def one_path(h5: Any, name: str, path: Path) -> str:
    """The text of dataset ``name`` (``video_path``, ``labels_path``: one string in
    SLEAP's and sleap-io's files), ``""`` when absent or empty.

    Raises
    ------
    FormatError
        When it holds several values: which one is the path cannot be told, and
        joining them would make up a path no file has.
    """
    if name not in h5:
        return ""
    values = read_whole(h5[name])
    if np.size(values) > 1:
        raise FormatError(
            path,
            f"/{name} should hold one path (a string), as SLEAP writes it; found "
            f"{np.size(values)} values of shape {np.shape(values)}.",
        )
    if np.size(values) == 0:
        return ""
    return text(np.asarray(values).reshape(-1)[0])


def labels_path_attr(h5: Any, path: Path) -> dict[str, str]:
    """``{"sleap_labels_path": ...}`` for the file's ``/labels_path`` (the .slp project
    it was exported from, as SLEAP and sleap-io write it), or nothing when it is absent
    or empty; the analysis writer writes it back."""
    if not (labels_path := one_path(h5, "labels_path", path)):
        return {}
    return {LABELS_PATH: labels_path}


#: What posebridge's analysis writer stored as the provenance before it kept the source's.
_OWN_MARK = ("software", "posebridge")


def _provenance(h5: Any, path: Path) -> str | None:
    """The attribute's JSON text for the file's ``/provenance`` dataset (one JSON object,
    as sleap-io writes the labels' provenance), without posebridge's own marks."""
    if "provenance" not in h5:
        return None
    dataset = h5["provenance"]
    if dataset.dtype.kind not in "SOU" or dataset.size != 1:
        raise FormatError(
            path,
            f"/provenance should hold one JSON string, found {dataset.size} value(s) of "
            f"{dataset.dtype}.",
        )
    provenance = load_json(np.asarray(read_whole(dataset)).reshape(-1)[0], path, "/provenance")
    if not isinstance(provenance, dict):
        raise FormatError(
            path, f"/provenance should hold a JSON object, found {type(provenance).__name__}."
        )
    if provenance.get(_OWN_MARK[0]) == _OWN_MARK[1]:
        del provenance[_OWN_MARK[0]]
    return provenance_attr(provenance)


def _frame_size(h5: Any, path: Path) -> dict[str, Any]:
    """The video's size and facts (:mod:`.video_facts`) in sleap-io's video_backend_metadata."""
    if "video_backend_metadata" not in h5.attrs:
        return {}
    meta = load_json(h5.attrs["video_backend_metadata"], path, "video_backend_metadata")
    attrs: dict[str, Any] = {}
    shape = meta.get("shape") if isinstance(meta, dict) else None
    if isinstance(shape, list) and len(shape) >= 3:
        height, width = image_side(shape[1]), image_side(shape[2])
        if height and width:
            attrs.update(video_width=width, video_height=height)
    video = one_path(h5, "video_path", path)
    if video and (facts := facts_to_attr({video: facts_of_backend(meta)})):
        attrs[VIDEO_FACTS] = facts
    return attrs


@describing("SLEAP analysis")
def describe(path: Path) -> list[tuple[str, str]]:
    """What ``posebridge info`` shows about an analysis file: layout, tracks, nodes, frames.

    Examples
    --------
    >>> from posebridge.formats.sleap import analysis_read
    >>> dict(analysis_read.describe("a.analysis.h5"))["layout"]  # doctest: +SKIP
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
                ("first frame", str(one_number(h5, FIRST_FRAME, 0, path, whole=True))),
                ("datasets", ", ".join(member_names(h5))),
            ]
            if "video_path" in h5:
                rows.append(("video", one_path(h5, "video_path", path) or "unknown"))
            return rows
    except OSError as error:
        raise FormatError(path, f"is not a readable HDF5 file ({error}).") from None
