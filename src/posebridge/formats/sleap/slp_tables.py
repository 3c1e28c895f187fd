"""The .slp tables in one pass, and the checks of them that every build shares.

An .slp file keeps its poses in four compound tables: ``frames`` (one row per
labelled frame, with a half-open row range into ``instances``), ``instances``
(type, track, scores and a row range into ``points`` or ``pred_points``),
``points`` (user) and ``pred_points`` (predicted, with a score per point).
:func:`open_tables` reads the columns of ``frames`` that locate instances and
leaves the other tables open; ``slp_poses`` builds a poses dataset from them and
``slp_labels`` labelled frames.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from posebridge.errors import FormatError, PoseBridgeError, user_stacklevel
from posebridge.formats._shared.global_heap import check_heaps
from posebridge.formats._shared.hdf5 import (
    member_names,
    one_number,
    read_columns,
    read_whole,
    refuse_non_datasets,
)
from posebridge.formats._shared.images import image_side
from posebridge.formats.sleap.common import (
    Skeleton,
    decode_skeletons,
    known_pairs,
    load_json,
    text,
)
from posebridge.formats.sleap.project_facts import (
    read_suggestions,
)
from posebridge.formats.sleap.video_facts import facts_of_backend
from posebridge.model import labels

#: The format_id SLEAP gives a file with no format_id attribute (its first HDF5 layout):
#: below 1.1, so user points are shifted by half a pixel and there is no tracking score.
FIRST_LAYOUT_FORMAT_ID = 1.0


def is_first_layout(metadata: Any, top_keys: dict[str, str]) -> bool:
    """Whether an HDF5 file is SLEAP's first .slp layout: /metadata with the skeleton
    JSON and no format_id, beside the /frames and /instances tables.

    ``metadata`` is the open /metadata group, ``top_keys`` maps top-level names to
    ``"dataset"`` / ``"group"``.
    """
    return (
        "format_id" not in metadata.attrs
        and "json" in metadata.attrs
        and top_keys.get("frames") == "dataset"
        and top_keys.get("instances") == "dataset"
    )


#: sleap-io refuses format_id >= 3 (a columnar layout); so do we.
FORMAT_ID_LIMIT = 3.0
TABLES = ("frames", "instances", "points", "pred_points")
_REQUIRED = {
    "frames": ("video", "frame_idx", "instance_id_start", "instance_id_end"),
    "instances": (
        "instance_id",
        "instance_type",
        "skeleton",
        "track",
        "from_predicted",
        "score",
        "point_id_start",
        "point_id_end",
    ),
    "points": ("x", "y", "visible"),
    "pred_points": ("x", "y", "visible", "score"),
}
USER, PREDICTED = 0, 1
#: Written as the video file name when a dataset does not know its video; read back as none.
UNKNOWN_VIDEO = labels.UNKNOWN_VIDEO


@dataclass
class VideoInfo:
    """What an .slp file says about one video."""

    index: int
    path: str
    width: int | None = None
    height: int | None = None
    kind: str = "video"  # "video", "images" or "embedded"
    images: list[str] | None = None  # an image sequence's files (ImageVideo ``filenames``)
    facts: dict[str, Any] = field(default_factory=dict)  # shape, grayscale ... (video_facts)


@dataclass
class SlpTables:
    """Everything read from an .slp file, once."""

    path: Path
    format_id: float
    skeletons: list[Skeleton]
    videos: list[VideoInfo]
    tracks: list[str]
    frames: dict[str, np.ndarray]  # FRAME_COLUMNS of /frames (int32 where values fit)
    instances: Any  # open h5py datasets: instances read by column, points in blocks
    points: Any
    pred_points: Any
    frame_video: np.ndarray  # index into ``videos`` of each frame row (int32)
    provenance: dict[str, Any] | None = None  # metadata JSON's provenance
    suggestions: list[tuple[int, int, int]] = field(default_factory=list)  # video, frame, group
    format_id_stored: bool = True  # False: SLEAP's first layout (no format_id, read as 1.0)

    def instance_columns(
        self, fields: tuple[str, ...], low: int = 0, high: int | None = None
    ) -> dict[str, np.ndarray]:
        """Columns of /instances rows ``low:high`` (integers as int32 where they fit)."""
        return read_columns(self.instances, fields, low, high)


#: The /frames columns kept (the ``video`` column becomes ``frame_video``).
FRAME_COLUMNS = ("frame_idx", "instance_id_start", "instance_id_end")


# --------------------------------------------------------------------------
# reading the file


def _json_rows(h5: Any, name: str, path: Path) -> list[Any]:
    """Rows of a JSON string dataset; SLEAP stores an empty list as float64 (0,)."""
    if name not in h5:
        return []
    refuse_non_datasets(h5, (name,), path, "a SLEAP .slp file")
    dataset = h5[name]
    if dataset.dtype.kind not in "SOU":
        if dataset.size == 0:
            return []
        raise FormatError(path, f"/{name} should hold JSON strings, found {dataset.dtype}.")
    return [load_json(row, path, f"a row of /{name}") for row in read_whole(dataset)]


def _provenance(h5: Any, metadata: Any, path: Path) -> dict[str, Any] | None:
    """The file's provenance: sleap-io's ``/provenance_json`` dataset (one JSON object,
    which has no attribute size limit, so sleap-io may leave it out of the metadata),
    else the metadata JSON's ``provenance`` key."""
    name = "provenance_json"
    if name not in h5:
        return metadata.get("provenance") if isinstance(metadata, dict) else None
    refuse_non_datasets(h5, (name,), path, "a SLEAP .slp file")
    check_heaps(h5, path, (name,))
    dataset = h5[name]
    if dataset.dtype.kind not in "SOU" or dataset.size != 1:
        raise FormatError(
            path,
            f"/{name} should hold one JSON string, found {dataset.size} value(s) of "
            f"{dataset.dtype}.",
        )
    raw = np.asarray(read_whole(dataset)).reshape(-1)[0]
    provenance = load_json(raw, path, f"/{name}")
    if not isinstance(provenance, dict):
        raise FormatError(
            path, f"/{name} should hold a JSON object, found {type(provenance).__name__}."
        )
    return provenance


def _video_infos(h5: Any, rows: list[Any], path: Path) -> list[VideoInfo]:
    infos = []
    for index, row in enumerate(rows):
        row = row if isinstance(row, dict) else {}
        backend = row.get("backend") if isinstance(row.get("backend"), dict) else {}
        filename = backend.get("filename", row.get("filename", ""))
        filenames = backend.get("filenames")
        if isinstance(filename, list):
            filenames, filename = filename, (filename[0] if filename else "")
        kind = "images" if filenames else "video"
        width = height = None
        shape = backend.get("shape")
        if isinstance(shape, list) and len(shape) >= 3:
            height, width = image_side(shape[1]), image_side(shape[2])
        if "height_" in backend or "width_" in backend:
            height, width = (
                image_side(backend.get("height_")),
                image_side(backend.get("width_")),
            )
        dataset = str(backend.get("dataset") or "")
        facts = facts_of_backend(backend)
        if filename == ".":
            facts = {}  # the embedded frames' storage; the source video's facts below
            kind = "embedded"
            filename = ""
            if dataset in h5:
                check_heaps(h5, path, (dataset,), data=False)
                attrs = h5[dataset].attrs
                height = image_side(attrs.get("height")) or height
                width = image_side(attrs.get("width")) or width
            source = row.get("source_video")
            group = h5.get(dataset.split("/")[0]) if dataset else None
            for key in ("source_video", "original_video"):
                if source is None and group is not None and key in group:
                    holder = group[key]
                    check_heaps(holder, path, ("/", "json"))
                    if "json" in holder.attrs:
                        source = load_json(holder.attrs["json"], path, f"{dataset} {key}")
                    elif "json" in holder:
                        source = load_json(read_whole(holder["json"]), path, f"{dataset} {key}")
            if isinstance(source, dict):
                inner = source.get("backend") if isinstance(source.get("backend"), dict) else {}
                filename = inner.get("filename", source.get("filename", "")) or ""
                facts = facts_of_backend(inner)
                listed = inner.get("filenames")
                if isinstance(filename, list):
                    listed, filename = filename, (filename[0] if filename else "")
                if isinstance(listed, list) and listed:  # images of a sequence: frame k is the kth
                    filenames, kind = listed, "images"
        images = [text(f) for f in filenames] if isinstance(filenames, list) else None
        if images:  # an image sequence is named by its first image, as sleap-io names it
            filename = images[0]
            images = [str(p) for p in labels.normalise_paths(images)]
        # Windows separators turned into "/", as sleap-io and the labels reader turn them
        filename = str(labels.normalise_paths([text(filename)])[0])
        infos.append(VideoInfo(index, filename, width, height, kind, images, facts))
    return infos


def _track_names(rows: list[Any], path: Path) -> list[str]:
    names: list[str] = []
    for row in rows:
        if isinstance(row, list) and len(row) >= 2:
            names.append(str(row[1]))
        elif isinstance(row, dict) and "name" in row:
            names.append(str(row["name"]))
        else:
            raise FormatError(path, f"a row of /tracks_json is not [spawned_on, name]: {row!r}.")
    return unique_track_names(names, path)


def unique_track_names(names: list[str], path: Path) -> list[str]:
    """Track names made distinct: a later track of a taken name gets ``_2``, ``_3`` ...
    (with one warning naming the renamed), as individuals need distinct names.

    SLEAP keeps tracks by index, so two tracks can share a name; each stays its own
    individual.

    Examples
    --------
    >>> import warnings
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     unique_track_names(["mouse", "rat", "mouse"], Path("a.slp"))
    ['mouse', 'rat', 'mouse_2']
    """
    unique: list[str] = []
    taken: set[str] = set()
    last: dict[str, int] = {}  # each name's last suffix: n repeats cost n, not n**2
    for name in names:
        candidate, number = name, last.get(name, 1)
        while candidate in taken:
            number += 1
            candidate = f"{name}_{number}"
        last[name] = number
        unique.append(candidate)
        taken.add(candidate)
    if unique != names:
        renamed = [f"{old} -> {new}" for new, old in zip(unique, names, strict=True) if new != old]
        warnings.warn(
            f"{path}: several tracks share a name; later ones were renamed "
            f"({', '.join(renamed)}).",
            UserWarning,
            stacklevel=user_stacklevel(),
        )
    return unique


def _frame_video(
    video_ids: np.ndarray, videos: list[VideoInfo], rows: list[Any], path: Path
) -> np.ndarray:
    """Map each frame row's ``video`` id to an index into ``videos`` (int32).

    sleap-io may store the number N of an embedded ``videoN/video`` group
    instead of the list index; ids are remapped as sleap-io does.
    """
    ids = video_ids.astype(np.int64)
    n = len(videos)
    if ids.size == 0:
        return ids.astype(np.int32)
    unique = np.unique(ids)
    if not (len(unique) == n and unique[0] == 0 and unique[-1] == n - 1):
        if unique[0] < 0:
            raise FormatError(path, f"/frames refers to video id {unique[0]}.")
        # sparse: an id is a file number, so no array as long as the largest id is made
        remap: dict[int, int] = {}
        for index, row in enumerate(rows):
            backend = row.get("backend", {}) if isinstance(row, dict) else {}
            group = str(backend.get("dataset") or "").split("/")[0] if backend else ""
            if group.startswith("video") and group[5:].isdigit():
                remap[int(group[5:])] = index
        if remap:
            keys = np.array(sorted(remap), dtype=np.int64)
            values = np.array([remap[int(k)] for k in keys], dtype=np.int64)
            at = np.minimum(np.searchsorted(keys, ids), keys.size - 1)
            ids = np.where(keys[at] == ids, values[at], ids)
    if ids.max() >= n:
        raise FormatError(
            path, f"/frames refers to video {ids.max()}, but /videos_json lists {n} video(s)."
        )
    return ids.astype(np.int32)  # below n


@contextmanager
def open_tables(path: Path) -> Iterator[SlpTables]:
    """Open an .slp file: metadata, videos, tracks and the ``frames`` columns read.

    ``instances``, ``points`` and ``pred_points`` stay open HDF5 datasets:
    :func:`build_dataset` reads the instance columns it needs and the points in
    blocks, so that memory holds about one copy of the poses.
    Any HDF5 or decoding error inside the block becomes a FormatError.

    Raises
    ------
    FormatError
        For a file that is not HDF5, truncated, has no SLEAP metadata, misses a
        table or a column, or has format_id >= 3.
    """
    import h5py

    try:
        h5 = h5py.File(path, "r")
    except OSError as error:
        raise FormatError(
            path, f"is not a readable HDF5 file ({error}); is it a truncated or damaged .slp?"
        ) from None
    try:
        with h5:
            yield _read_open(h5, path)
    except PoseBridgeError:
        raise
    except (OSError, KeyError, ValueError, TypeError, IndexError, RuntimeError) as error:
        raise FormatError(
            path, f"could not be read as a SLEAP .slp file ({type(error).__name__}: {error})."
        ) from None


def _read_open(h5: Any, path: Path) -> SlpTables:
    import h5py

    metadata_group = h5.get("metadata")
    check_heaps(h5, path, ("metadata", "videos_json", "tracks_json"))
    first_layout = isinstance(metadata_group, h5py.Group) and is_first_layout(
        metadata_group, {name: "dataset" for name in h5 if isinstance(h5[name], h5py.Dataset)}
    )
    if not isinstance(metadata_group, h5py.Group) or (
        "format_id" not in metadata_group.attrs and not first_layout
    ):
        raise FormatError(
            path,
            "has no /metadata group with a format_id attribute, so it is not a SLEAP .slp "
            f"file (top-level keys: {member_names(h5)}).",
        )
    if first_layout:
        format_id = FIRST_LAYOUT_FORMAT_ID
    else:
        format_id = float(one_number(metadata_group, "format_id", None, path))
    if format_id >= FORMAT_ID_LIMIT:
        raise FormatError(
            path,
            f"uses SLP format {format_id:g}; posebridge reads formats below "
            f"{FORMAT_ID_LIMIT:g} (SLEAP 1.x and sleap-io up to 2.x). Save it again with a "
            "SLEAP/sleap-io version that writes an older format.",
        )
    if "json" not in metadata_group.attrs:
        raise FormatError(path, "/metadata has no 'json' attribute (the skeletons).")
    metadata = load_json(metadata_group.attrs["json"], path, "/metadata json")
    try:
        skeletons = decode_skeletons(metadata)
    except ValueError as error:
        raise FormatError(path, f"has an unreadable skeleton: {error}.") from None

    tables: dict[str, Any] = {}
    for name in TABLES:
        dataset = h5.get(name)
        if not isinstance(dataset, h5py.Dataset):
            raise FormatError(
                path,
                f"has no /{name} table; a SLEAP .slp file has "
                f"{', '.join('/' + t for t in TABLES)}. The file may be damaged.",
            )
        fields = dataset.dtype.names or ()
        missing = [f for f in _REQUIRED[name] if f not in fields]
        if missing:
            raise FormatError(
                path, f"/{name} lacks the column(s) {missing} (found {list(fields)})."
            )
        tables[name] = dataset
    frames = read_columns(tables["frames"], ("video", *FRAME_COLUMNS))
    video_rows = _json_rows(h5, "videos_json", path)
    videos = _video_infos(h5, video_rows, path)
    tracks = _track_names(_json_rows(h5, "tracks_json", path), path)
    frame_video = _frame_video(frames.pop("video"), videos, video_rows, path)
    suggestions = read_suggestions(_json_rows(h5, "suggestions_json", path), len(videos), path)
    return SlpTables(
        path=path,
        format_id=format_id,
        skeletons=skeletons,
        videos=videos,
        tracks=tracks,
        frames=frames,
        instances=tables["instances"],
        points=tables["points"],
        pred_points=tables["pred_points"],
        frame_video=frame_video,
        provenance=_provenance(h5, metadata, path),
        format_id_stored=not first_layout,
        suggestions=suggestions,
    )


# --------------------------------------------------------------------------
# checks and choices shared by the poses and the labels builds


def check_tracks(path: Path, track: Any, n_tracks: int) -> None:
    """Refuse /instances track indices other than -1 (none) and 0 .. ``n_tracks`` - 1.

    The message names the bad indices themselves (a few of them).

    Examples
    --------
    >>> check_tracks(Path("x.slp"), np.array([-1, 0, 1]), 2)
    >>> try:
    ...     check_tracks(Path("x.slp"), np.array([0, -7, 1]), 2)
    ... except FormatError as error:
    ...     print(str(error).split(": ", 1)[1])
    /instances refers to track -7, but the file lists 2 tracks (valid: -1 for none, 0 to 1).
    """
    track = np.asarray(track)
    if not track.size:
        return
    bad = np.unique(track[(track < -1) | (track >= n_tracks)])
    if not bad.size:
        return
    shown = ", ".join(str(int(value)) for value in bad[:5]) + (", ..." if bad.size > 5 else "")
    valid = f"-1 for none, 0 to {n_tracks - 1}" if n_tracks else "-1 for none"
    raise FormatError(
        path,
        f"/instances refers to track {shown}, but the file lists {n_tracks} tracks "
        f"(valid: {valid}).",
    )


def check_instance_types(path: Path, kind: Any) -> None:
    """Refuse /instances rows whose ``instance_type`` is neither 0 (user) nor 1 (predicted),
    naming the unknown types only and how many rows hold them.

    Examples
    --------
    >>> check_instance_types(Path("x.slp"), np.array([0, 1, 1]))
    >>> try:
    ...     check_instance_types(Path("x.slp"), np.array([1, 7, 1, 7, 9]))
    ... except FormatError as error:
    ...     print(str(error).split("; ")[0])
    x.slp: /instances has unknown instance type(s) [7, 9] (3 of its 5 rows)
    """
    kind = np.asarray(kind)
    unknown = ~np.isin(kind, (USER, PREDICTED))
    if not unknown.any():
        return
    types = [int(value) for value in np.unique(kind[unknown])]
    raise FormatError(
        path,
        f"/instances has unknown instance type(s) {types} ({int(unknown.sum())} of its "
        f"{kind.size} rows); SLEAP uses {USER} = user, {PREDICTED} = predicted.",
    )


def check_instance_ranges(path: Path, starts: Any, ends: Any, n_instances: int) -> None:
    """Refuse frames whose instance ranges leave the /instances table or overlap.

    Each frame's instances are rows ``start..end`` of /instances; two frames
    sharing a row would put one instance in both (silently: a frame would gain
    the other's animals).

    Examples
    --------
    >>> check_instance_ranges(Path("x.slp"), np.array([0, 2]), np.array([2, 3]), 3)
    >>> try:
    ...     check_instance_ranges(Path("x.slp"), np.array([0, 1]), np.array([2, 3]), 3)
    ... except FormatError as error:
    ...     print("overlap" in str(error))
    True
    """
    starts, ends = np.asarray(starts, dtype=np.int64), np.asarray(ends, dtype=np.int64)
    if not starts.size:
        return
    if starts.min() < 0 or (ends < starts).any() or ends.max() > n_instances:
        raise FormatError(path, "/frames has instance ranges outside the /instances table.")
    held = ends > starts
    order = np.argsort(starts[held], kind="stable")
    low, high = starts[held][order], ends[held][order]
    clash = np.flatnonzero(low[1:] < high[:-1])
    if clash.size:
        i = int(clash[0])
        raise FormatError(
            path,
            f"/frames: the instance ranges of two frames overlap (rows {low[i]}..{high[i] - 1} "
            f"and {low[i + 1]}..{high[i + 1] - 1} of /instances): an instance cannot be in "
            "two frames.",
        )


def rank_in_group(groups: np.ndarray, *tiebreak: np.ndarray) -> np.ndarray:
    """Rank of each element within its group, ordered by ``tiebreak`` keys."""
    order = np.lexsort((*reversed(tiebreak), groups))
    ranks = np.empty(groups.size, dtype=np.int64)
    if groups.size == 0:
        return ranks
    sorted_groups = groups[order]
    starts = np.r_[0, np.flatnonzero(np.diff(sorted_groups)) + 1]
    sizes = np.diff(np.r_[starts, groups.size])
    ranks[order] = np.arange(groups.size) - np.repeat(starts, sizes)
    return ranks


def skeleton_read(t: SlpTables, index: int) -> Skeleton:
    """Skeleton ``index`` of the file as a dataset holds it: its edges and symmetries
    that name a node it lacks skipped, with a warning (:func:`known_pairs`)."""
    skel = t.skeletons[index]
    where = f"skeleton {skel.name!r}"
    edges = known_pairs(skel.edges, skel.nodes, t.path, where, "edge(s)")
    symmetries = known_pairs(skel.symmetries, skel.nodes, t.path, where)
    return replace(skel, edges=edges, symmetries=symmetries)


def pick_skeleton(t: SlpTables, used: np.ndarray, skeleton: int | str | None) -> int:
    """The index of the skeleton to read: ``skeleton`` (index or name), else the one
    the instances use (``used``: their skeleton indices), refusing several, and
    refusing an index the file lacks (its instances would be left out unsaid)."""
    names = [s.name for s in t.skeletons]
    missing = used[(used < 0) | (used >= len(names))]
    if names and missing.size:
        listing = ", ".join(f"{i}: {name}" for i, name in enumerate(names))
        raise FormatError(
            t.path,
            f"/instances refers to skeleton(s) {[int(i) for i in missing]}, which the file "
            f"lacks (its {len(names)} skeleton(s): {listing}); the file is damaged.",
        )
    if skeleton is None:
        if used.size > 1:
            listing = ", ".join(f"{int(i)}: {names[int(i)]}" for i in used)
            raise FormatError(
                t.path,
                f"its instances use {used.size} skeletons ({listing}); a dataset has one "
                "set of keypoints. Pass skeleton=<index or name> to read one.",
            )
        return int(used[0]) if used.size else 0
    if isinstance(skeleton, str):
        if skeleton not in names:
            raise FormatError(t.path, f"has no skeleton named {skeleton!r} (it has {names}).")
        return names.index(skeleton)
    index = int(skeleton)
    if not 0 <= index < len(names):
        raise FormatError(
            t.path, f"has {len(names)} skeleton(s); skeleton={skeleton} is out of range."
        )
    return index
