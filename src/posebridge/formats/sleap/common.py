"""Helpers shared by the SLEAP formats (.slp labels and analysis .h5).

Skeleton JSON (networkx node-link data with jsonpickle tags) is decoded and
encoded here, the skeleton is turned into the ``skeleton_edges`` /
``skeleton_symmetries`` variables and back, and the HDF5 bits both formats need
(strings stored as bytes, a cheap look at a file's top-level keys) live here.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from posebridge import model
from posebridge.errors import FPS_ADVICE, FormatError, SchemaError, user_stacklevel
from posebridge.formats._shared.guards import refuse_views
from posebridge.formats._shared.text_attrs import names_from_attr
from posebridge.formats._shared.untracked import (  # noqa: F401 - the family's names
    UNTRACKED_PREFIX,
    is_untracked_name,
    untracked_name,
    with_untracked_names,
)
from posebridge.model import labels
from posebridge.model.labels import PROJECT_VIDEOS

#: SLEAP's edge types (``sleap.skeleton.EdgeType``): a body edge or a symmetry.
EDGE, SYMMETRY = 1, 2
#: The skeleton name SLEAP gives an unnamed skeleton, and posebridge's writers by default.
DEFAULT_SKELETON_NAME = "Skeleton-0"
_EDGE_TYPE = "sleap.skeleton.EdgeType"


#: The files of an image-sequence video (SLEAP's ``ImageVideo``) whose poses a dataset
#: holds, as JSON text (netCDF keeps it): frame k is the k-th file. ``video_path`` is the
#: first; the writers give the whole list back.
VIDEO_IMAGES = "sleap_video_images"


def project_videos_of(ds: xr.Dataset) -> list[str] | None:
    """The video files of the SLEAP project a labels dataset was read from, or ``None``.

    Examples
    --------
    >>> import numpy as np, posebridge
    >>> ds = posebridge.from_numpy(np.zeros((1, 2, 1, 1)))
    >>> project_videos_of(ds.assign_attrs({PROJECT_VIDEOS: '["a.mp4", "b.mp4"]'}))
    ['a.mp4', 'b.mp4']
    """
    return names_from_attr(ds, PROJECT_VIDEOS)


def video_images_of(ds: xr.Dataset) -> list[str] | None:
    """The image-sequence files of a poses dataset read from SLEAP, or ``None``.

    Examples
    --------
    >>> import numpy as np, posebridge
    >>> ds = posebridge.from_numpy(np.zeros((1, 2, 1, 1)))
    >>> video_images_of(ds.assign_attrs({VIDEO_IMAGES: '["a.png", "b.png"]'}))
    ['a.png', 'b.png']
    """
    return names_from_attr(ds, VIDEO_IMAGES) or None  # an empty list: none


def placed(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """SLEAP's ``visible`` flag for points written from coordinates: any one is finite.

    A point with one finite coordinate keeps it (sleap-io keeps ``[x, nan]`` as
    a visible point); only a point with neither is written as not visible.

    Examples
    --------
    >>> placed(np.array([1.0, 2.0, np.nan, np.nan]), np.array([3.0, np.nan, 4.0, np.nan]))
    array([ True,  True,  True, False])
    """
    return np.isfinite(x) | np.isfinite(y)


def text(value: Any) -> str:
    """A str from what h5py hands back for a string (bytes, np.bytes_, str, 0-d array)."""
    if isinstance(value, np.ndarray):
        value = value.item() if value.size == 1 else value.tobytes()
    if isinstance(value, bytes | np.bytes_):
        return labels.decode_text(bytes(value))
    return str(value)


def fixed_strings(values: Sequence[str]) -> np.ndarray:
    """UTF-8 encoded fixed-width byte strings (``|S<n>``), as SLEAP stores names."""
    encoded = [str(v).encode("utf-8") for v in values]
    width = max((len(v) for v in encoded), default=1) or 1
    return np.array(encoded, dtype=f"S{width}")


# --------------------------------------------------------------------------
# skeletons


@dataclass
class Skeleton:
    """A SLEAP skeleton: node names in order, edges and symmetries as name pairs."""

    name: str
    nodes: list[str]
    edges: list[tuple[str, str]] = field(default_factory=list)
    symmetries: list[tuple[str, str]] = field(default_factory=list)


def pairs_within(pairs: Sequence[tuple[str, str]], nodes: Sequence[str]) -> list[tuple[str, str]]:
    """The pairs (edges or symmetries) that join two of ``nodes``, in order.

    Examples
    --------
    >>> pairs_within([("a", "b"), ("a", "zz")], ["a", "b"])
    [('a', 'b')]
    """
    known = set(nodes)
    return [pair for pair in pairs if known.issuperset(pair)]


def known_pairs(
    pairs: Sequence[tuple[str, str]],
    nodes: Sequence[str],
    path: Path,
    where: str,
    what: str = "symmetry pair(s)",
) -> list[tuple[str, str]]:
    """The pairs (``what``: symmetries, or edges) that join two of the skeleton's
    ``nodes``; those naming another node are skipped with a ``UserWarning`` naming the
    file, ``where`` they are and the unknown names. A dataset's skeleton joins its own
    keypoints only (sleap-io means to skip such symmetries in an analysis file but adds
    their nodes to the skeleton, and then fails on the points; it cannot read an .slp
    file with such an edge or symmetry at all).

    Examples
    --------
    >>> from pathlib import Path
    >>> known_pairs([("l", "r")], ["l", "r"], Path("a.h5"), "the skeleton")
    [('l', 'r')]
    """
    kept = pairs_within(pairs, nodes)
    if len(kept) < len(pairs):
        known = set(nodes)
        unknown = dict.fromkeys(name for pair in pairs for name in pair if name not in known)
        warnings.warn(
            f"{path}: {len(pairs) - len(kept)} {what} of {where} name "
            f"node(s) the skeleton does not have ({', '.join(map(repr, unknown))}); they are "
            "skipped.",
            UserWarning,
            stacklevel=user_stacklevel(),
        )
    return kept


def _edge_type(link_type: Any, by_py_id: dict[int, int], where: str) -> int:
    """Resolve a link's ``type``: a new ``py/reduce`` or a ``py/id`` back-reference.

    jsonpickle numbers the objects it writes in order of appearance, so the
    k-th ``py/reduce`` seen in a skeleton is ``py/id`` k. Files without any
    ``py/reduce`` (older writers) use the edge type value as the id.
    """
    if isinstance(link_type, dict) and "py/reduce" in link_type:
        try:
            value = int(link_type["py/reduce"][1]["py/tuple"][0])
        except (KeyError, IndexError, TypeError, ValueError):
            raise ValueError(f"{where}: unreadable edge type {link_type!r}") from None
        by_py_id[len(by_py_id) + 1] = value
        return value
    if isinstance(link_type, dict) and "py/id" in link_type:
        ref = int(link_type["py/id"])
        return by_py_id.get(ref, ref)
    if isinstance(link_type, int):
        return link_type
    raise ValueError(f"{where}: unreadable edge type {link_type!r}")


def _pair_key(pair: tuple[str, str]) -> tuple[str, str]:
    a, b = pair
    return (a, b) if a <= b else (b, a)


def decode_skeletons(metadata: dict[str, Any]) -> list[Skeleton]:
    """Decode the skeletons of an .slp file's metadata JSON.

    Parameters
    ----------
    metadata
        The parsed ``metadata`` attribute ``json``: ``skeletons`` (node-link
        graphs, maybe wrapped in ``nx_graph``) and the global ``nodes`` list.

    Returns
    -------
    list of Skeleton
        Node order is each skeleton's ``nodes`` order; edges are in the order
        of the ``links`` list, as sleap-io lists them (SLEAP 1.x sorted them by
        ``edge_insert_idx`` instead; a ``sleap_io.Labels`` no longer knows that
        number, so the file's order is the one both readings share);
        symmetries are deduplicated (SLEAP stores both directions).

    Raises
    ------
    ValueError
        When the JSON does not have the expected structure.

    Examples
    --------
    >>> md = {
    ...     "nodes": [{"name": "a"}, {"name": "b"}],
    ...     "skeletons": [
    ...         {
    ...             "graph": {"name": "s"},
    ...             "nodes": [{"id": 1}, {"id": 0}],
    ...             "links": [
    ...                 {
    ...                     "source": 1,
    ...                     "target": 0,
    ...                     "type": {
    ...                         "py/reduce": [
    ...                             {"py/type": "sleap.skeleton.EdgeType"},
    ...                             {"py/tuple": [1]},
    ...                         ]
    ...                     },
    ...                 }
    ...             ],
    ...         }
    ...     ],
    ... }
    >>> decode_skeletons(md)[0].edges
    [('b', 'a')]
    """
    try:
        global_names = [str(node["name"]) for node in metadata.get("nodes", [])]
        raw_skeletons = metadata["skeletons"]
    except (KeyError, TypeError, AttributeError):
        raise ValueError("the metadata JSON has no 'skeletons' / 'nodes' lists") from None
    if not isinstance(raw_skeletons, list):
        raise ValueError("the metadata JSON's 'skeletons' is not a list")
    skeletons = []
    for number, raw in enumerate(raw_skeletons):
        try:
            skeletons.append(_decode_skeleton(number, raw, global_names))
        except (AttributeError, KeyError, TypeError) as error:  # a value of the wrong kind
            raise ValueError(f"skeleton {number}: not a node-link graph ({error})") from None
    return skeletons


def _decode_skeleton(number: int, raw: Any, global_names: list[str]) -> Skeleton:
    """One skeleton of :func:`decode_skeletons` (a value of the wrong kind raises)."""
    where = f"skeleton {number}"
    graph = raw.get("nx_graph", raw) if isinstance(raw, dict) else None
    if not isinstance(graph, dict) or "nodes" not in graph:
        raise ValueError(f"{where}: not a node-link graph")

    def name_of(ref: Any, where: str = where) -> str:
        if isinstance(ref, dict) and "py/id" in ref:
            ref = ref["py/id"]
        if not isinstance(ref, int) or not 0 <= ref < len(global_names):
            raise ValueError(f"{where}: node reference {ref!r} is not in the node list")
        return global_names[ref]

    nodes = [name_of(node.get("id")) for node in graph["nodes"]]
    edges: list[tuple[str, str]] = []
    symmetries: list[tuple[str, str]] = []
    seen: set[tuple[str, str]] = set()
    by_py_id: dict[int, int] = {}
    for link in graph.get("links", []):
        kind = _edge_type(link.get("type"), by_py_id, where)
        pair = (name_of(link.get("source")), name_of(link.get("target")))
        if kind == EDGE:
            edges.append(pair)
        elif kind == SYMMETRY and _pair_key(pair) not in seen:
            seen.add(_pair_key(pair))
            symmetries.append(pair)
    name = str((graph.get("graph") or {}).get("name") or f"Skeleton-{number}")
    return Skeleton(name, nodes, edges, symmetries)


def encode_skeleton(skeleton: Skeleton) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Encode one skeleton as SLEAP writes it into an .slp file's metadata.

    Parameters
    ----------
    skeleton
        The skeleton to encode.

    Returns
    -------
    tuple
        ``(skeleton_dict, nodes)``: the node-link graph (plain, without the
        ``nx_graph`` wrapper, so every SLEAP 1.x reads it) and the global node
        list it indexes.

    Examples
    --------
    >>> graph, nodes = encode_skeleton(Skeleton("s", ["a", "b"], [("a", "b")]))
    >>> graph["links"][0]["type"]["py/reduce"][1]
    {'py/tuple': [1]}
    """
    index = {name: i for i, name in enumerate(skeleton.nodes)}
    links: list[dict[str, Any]] = []
    py_ids: dict[int, int] = {}

    def link_type(kind: int) -> dict[str, Any]:
        if kind in py_ids:
            return {"py/id": py_ids[kind]}
        py_ids[kind] = len(py_ids) + 1
        return {"py/reduce": [{"py/type": _EDGE_TYPE}, {"py/tuple": [kind]}]}

    for order, (source, target) in enumerate(skeleton.edges):
        links.append(
            {
                "edge_insert_idx": order,
                "key": 0,
                "source": index[source],
                "target": index[target],
                "type": link_type(EDGE),
            }
        )
    for a, b in skeleton.symmetries:
        for source, target in ((a, b), (b, a)):
            links.append(
                {
                    "key": 0,
                    "source": index[source],
                    "target": index[target],
                    "type": link_type(SYMMETRY),
                }
            )
    graph = {
        "directed": True,
        "graph": {"name": skeleton.name, "num_edges_inserted": len(skeleton.edges)},
        "links": links,
        "multigraph": True,
        "nodes": [{"id": i} for i in range(len(skeleton.nodes))],
    }
    nodes = [{"name": name, "weight": 1.0} for name in skeleton.nodes]
    return graph, nodes


# --------------------------------------------------------------------------
# skeleton <-> dataset


def skeleton_variables(
    edges: Sequence[tuple[str, str]], symmetries: Sequence[tuple[str, str]]
) -> dict[str, xr.DataArray]:
    """The ``skeleton_edges`` / ``skeleton_symmetries`` variables (omitted when empty)."""
    variables = {}
    for name, dim, pairs in (
        ("skeleton_edges", "edge", edges),
        ("skeleton_symmetries", "symmetry", symmetries),
    ):
        if pairs:
            values = np.array([[str(a), str(b)] for a, b in pairs], dtype=str)
            variables[name] = xr.DataArray(values, dims=(dim, "edge_node"))
    return variables


def skeleton_name_attr(name: Any) -> dict[str, str]:
    """``{"skeleton_name": name}`` for a name other than the writers' default ``Skeleton-0``.

    The default is left out, so a file of an unnamed skeleton reads as before and
    writes back the same.

    Examples
    --------
    >>> skeleton_name_attr("fly"), skeleton_name_attr("Skeleton-0"), skeleton_name_attr(b"x")
    ({'skeleton_name': 'fly'}, {}, {'skeleton_name': 'x'})
    """
    if isinstance(name, bytes):
        name = name.decode("utf-8", "replace")
    if not isinstance(name, str) or not name or name == DEFAULT_SKELETON_NAME:
        return {}
    return {"skeleton_name": name}


def skeleton_name_of(ds: xr.Dataset, default: str = DEFAULT_SKELETON_NAME) -> str:
    """The skeleton's name a dataset keeps (``attrs["skeleton_name"]``), else ``default``.

    Examples
    --------
    >>> import xarray as xr
    >>> (
    ...     skeleton_name_of(xr.Dataset(attrs={"skeleton_name": "fly"})),
    ...     skeleton_name_of(xr.Dataset()),
    ... )
    ('fly', 'Skeleton-0')
    """
    name = ds.attrs.get("skeleton_name")
    return name if isinstance(name, str) and name else default


def skeleton_from_dataset(ds: xr.Dataset, name: str) -> Skeleton:
    """The skeleton a dataset carries: keypoints, and edges/symmetries between them.

    Pairs naming a keypoint the dataset does not have are dropped with a warning.
    """
    nodes = [str(k) for k in ds[model.KEYPOINT].values]
    known = set(nodes)
    pairs: dict[str, list[tuple[str, str]]] = {}
    for variable in ("skeleton_edges", "skeleton_symmetries"):
        found: list[tuple[str, str]] = []
        if variable in ds:
            values = np.asarray(ds[variable].values)
            if values.ndim != 2 or values.shape[1] != 2:
                raise SchemaError(
                    f"'{variable}' must have shape (n, 2) (pairs of keypoint names), "
                    f"got {values.shape}."
                )
            found = [(str(a), str(b)) for a, b in values]
            unknown = [p for p in found if p[0] not in known or p[1] not in known]
            if unknown:
                warnings.warn(
                    f"{variable}: {len(unknown)} pair(s) name keypoints the dataset "
                    f"does not have (e.g. {unknown[0]}); they are not written.",
                    UserWarning,
                    stacklevel=user_stacklevel(),
                )
                found = [p for p in found if p not in unknown]
        pairs[variable] = found
    return Skeleton(name, nodes, pairs["skeleton_edges"], pairs["skeleton_symmetries"])


def writable_frames(ds: xr.Dataset, path: Path, what: str) -> np.ndarray:
    """The video frame number of each time step, checked for a SLEAP file.

    Raises
    ------
    SchemaError
        When the frame numbers are unknown (time in seconds without fps or a
        ``frame`` coordinate), negative or repeated.
    """
    frames = model.distinct_frame_numbers(ds, what)
    if frames is None:
        raise SchemaError(
            f"{path}: {what} files index poses by video frame number, but this dataset "
            f"has time in seconds without fps or a 'frame' coordinate. {FPS_ADVICE}"
        )
    if frames.size and frames.min() < 0:
        raise SchemaError(f"{path}: {what} frame numbers must be >= 0, got {frames.min()}.")
    return frames


def check_2d(ds: xr.Dataset, path: Path, what: str) -> None:
    """Refuse 3-D poses (SLEAP files hold x, y only) and several camera views."""
    refuse_views(ds, what)
    if ds.sizes[model.SPACE] != 2:
        raise SchemaError(
            f"{path}: {what} files hold 2-D poses (x, y); this dataset has "
            f"{ds.sizes[model.SPACE]} spatial dimensions."
        )


def load_json(raw: Any, path: Path, what: str) -> Any:
    """Parse JSON stored as bytes or str, raising a FormatError naming ``what``."""
    try:
        return json.loads(text(raw))
    except (ValueError, TypeError) as error:
        raise FormatError(path, f"{what} is not valid JSON ({error}).") from None


def individual_scores(ds: xr.Dataset) -> xr.Dataset:
    """Move a per-individual ``confidence`` (time, individual) to ``instance_score``.

    SLEAP stores one score per instance (``instance_scores``) beside the
    per-node scores; movement's individual-wise confidence is that score, so
    the writers store it there and leave the point scores empty. An existing
    ``instance_score`` variable wins (the confidence is then dropped).
    """
    if "confidence" not in ds.data_vars or model.KEYPOINT in ds["confidence"].dims:
        return ds
    out = ds.drop_vars("confidence")
    if "instance_score" not in out.data_vars:
        out["instance_score"] = ds["confidence"].transpose(model.TIME, model.INDIVIDUAL)
    return out
