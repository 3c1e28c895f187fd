"""The .slp tables in one pass, and the vectorised build of a poses dataset from them.

An .slp file keeps its poses in four compound tables: ``frames`` (one row per
labelled frame, with a half-open row range into ``instances``), ``instances``
(type, track, scores and a row range into ``points`` or ``pred_points``),
``points`` (user) and ``pred_points`` (predicted, with a score per point).
:func:`open_tables` reads the columns of ``frames`` that locate instances;
:func:`build_dataset` reads the columns of ``instances`` it needs for one video
(in compact types, released before the poses are allocated) and turns them
into arrays with numpy indexing only (no loop per frame or instance), reading
the point tables in blocks of rows.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from posebridge import model
from posebridge.errors import FormatError, PoseBridgeError, user_stacklevel
from posebridge.formats._shared.global_heap import check_heaps
from posebridge.formats._shared.hdf5 import (
    BLOCK_ROWS,
    member_names,
    one_number,
    point_blocks,
    ranges,
    read_columns,
    read_whole,
    refuse_non_datasets,
)
from posebridge.formats._shared.images import image_side
from posebridge.formats._shared.text_attrs import names_to_attr
from posebridge.formats.sleap.common import (
    VIDEO_IMAGES,
    Skeleton,
    decode_skeletons,
    load_json,
    skeleton_name_attr,
    skeleton_variables,
    text,
    untracked_name,
    with_untracked_names,
)
from posebridge.formats.sleap.project_facts import (
    PROVENANCE,
    SUGGESTIONS,
    provenance_attr,
    read_suggestions,
    suggestions_attr,
)
from posebridge.formats.sleap.video_facts import VIDEO_FACTS, facts_of_backend, facts_to_attr
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
MODES = ("prefer_user", "user", "predicted")


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
        infos.append(VideoInfo(index, text(filename), width, height, kind, images, facts))
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
# building a dataset


def _rank_in_group(groups: np.ndarray, *tiebreak: np.ndarray) -> np.ndarray:
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


def _pick_skeleton(t: SlpTables, used: np.ndarray, skeleton: int | str | None) -> int:
    names = [s.name for s in t.skeletons]
    if skeleton is None:
        if used.size > 1:
            listing = ", ".join(f"{int(i)}: {names[int(i)]}" for i in used if i < len(names))
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


def _instance_columns(
    t: SlpTables, starts: np.ndarray, ends: np.ndarray, fields: tuple[str, ...]
) -> dict[str, np.ndarray]:
    """``fields`` of the instance rows ``starts[i]:ends[i]``, concatenated in that order.

    The rows of a video are usually one run of the table, read as such;
    otherwise the run spanning them is read and its rows gathered.
    """
    if not starts.size:
        return t.instance_columns(fields, 0, 0)
    low, high = int(starts.min()), int(ends.max())
    columns = t.instance_columns(fields, low, high)
    if int(starts[0]) == low and np.array_equal(starts[1:], ends[:-1]):
        return columns  # consecutive ranges: exactly the rows low:high, in order
    rows = ranges(starts - low, ends - starts)
    for name in fields:
        columns[name] = columns[name][rows]
    return columns


@dataclass
class PoseRows:
    """Where the points of every chosen instance of one video go: the index of a poses
    dataset, built from the ``frames`` and ``instances`` tables only.

    Instance ``j`` (in the order of these arrays) has its ``n_nodes`` points at rows
    ``point_start[j]:point_start[j] + n_nodes`` of ``points`` (``user[j]``) or
    ``pred_points``, and lands at time index ``when[j]`` and individual ``column[j]``.
    No two instances share a (time, individual) cell.
    """

    times: np.ndarray  # the video's frame numbers (int64, sorted)
    names: list[str]  # individuals
    skeleton: Skeleton
    when: np.ndarray
    column: np.ndarray
    user: np.ndarray  # bool: a user instance (``points``), else predicted (``pred_points``)
    point_start: np.ndarray
    format_id: float
    instance_score: np.ndarray | None = None  # (time, individual) float32
    tracking_score: np.ndarray | None = None
    attrs: dict[str, Any] | None = None

    @property
    def n_nodes(self) -> int:
        return len(self.skeleton.nodes)


def build_dataset(
    t: SlpTables,
    video: int,
    instances: str = "prefer_user",
    skeleton: int | str | None = None,
) -> xr.Dataset:
    """The poses dataset of one video of an .slp file.

    Parameters
    ----------
    t
        The tables from :func:`open_tables` (still open).
    video
        Index of the video in ``t.videos``.
    instances
        ``"prefer_user"`` (a user instance replaces the prediction of the
        same frame and track; an untracked prediction, the user instance made
        from it), ``"user"`` or ``"predicted"``.
    skeleton
        Which skeleton (index or name) when instances use several.

    Returns
    -------
    xarray.Dataset
        Time = the video's labelled frame numbers (sorted, gaps kept).
    """
    rows = pose_rows(t, video, instances, skeleton)
    n_time, n_nodes, n_ind = rows.times.size, rows.n_nodes, len(rows.names)
    position = np.full((n_time, 2, n_nodes, n_ind), np.nan)
    confidence = np.full((n_time, n_nodes, n_ind), np.nan)
    fill_points(rows, t.points, t.pred_points, position, confidence, t.path)
    return pose_dataset(rows, position, confidence)


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


def pose_rows(
    t: SlpTables,
    video: int,
    instances: str = "prefer_user",
    skeleton: int | str | None = None,
) -> PoseRows:
    """The index of one video's poses (:class:`PoseRows`), from ``frames`` and ``instances``.

    Which instances are kept, and where each goes, as :func:`build_dataset`
    describes; the point tables are not read.

    Examples
    --------
    >>> with open_tables(Path("predictions.slp")) as t:  # doctest: +SKIP
    ...     rows = pose_rows(t, 0)
    >>> rows.times.size, rows.when.size  # doctest: +SKIP
    (1100, 2200)
    """
    path = t.path
    if instances not in MODES:
        raise PoseBridgeError(f"instances must be one of {MODES}, got {instances!r}.")
    selected = np.flatnonzero(t.frame_video == video)
    times, time_of_row = np.unique(t.frames["frame_idx"][selected], return_inverse=True)
    times = times.astype(np.int64)
    starts = t.frames["instance_id_start"][selected]
    ends = t.frames["instance_id_end"][selected]
    check_instance_ranges(path, starts, ends, t.instances.shape[0])
    del selected
    inst_time = np.repeat(time_of_row.reshape(-1).astype(np.int32), ends - starts)
    fields = ["instance_type", "track", "skeleton", "score", "point_id_start", "point_id_end"]
    if instances == "prefer_user":
        fields += ["instance_id", "from_predicted"]
    has_tracking = "tracking_score" in (t.instances.dtype.names or ())
    if has_tracking:
        fields.append("tracking_score")
    cols = _instance_columns(t, starts, ends, tuple(fields))
    del starts, ends, time_of_row

    kind = cols.pop("instance_type")
    if kind.size and not np.isin(kind, (USER, PREDICTED)).all():
        raise FormatError(path, f"/instances has unknown instance types {np.unique(kind)}.")
    is_user = kind == USER
    del kind
    track = cols.pop("track").astype(np.int32)
    n_tracks = len(t.tracks)
    check_tracks(path, track, n_tracks)
    skeleton_column = cols.pop("skeleton")
    skel_index = _pick_skeleton(t, np.unique(skeleton_column), skeleton)
    if not t.skeletons:
        raise FormatError(path, "has no skeleton in its metadata.")
    if skel_index >= len(t.skeletons):
        raise FormatError(path, f"/instances refers to skeleton {skel_index}, which is missing.")
    skel = t.skeletons[skel_index]
    n_nodes = len(skel.nodes)

    tracked = track >= 0
    keep = skeleton_column == skel_index
    del skeleton_column
    if instances == "user":
        keep &= is_user
    elif instances == "predicted":
        keep &= ~is_user
    # (frame, track) as one number; int32 when every key fits
    wide = times.size * (n_tracks + 1) >= 1 << 31
    key = inst_time.astype(np.int64 if wide else np.int32) * (n_tracks + 1) + track + 1
    if instances == "prefer_user":
        # A tracked prediction gives way to a user instance of its frame and track only
        # (SLEAP's LabeledFrame.unused_predictions, sleap-io's Labels.numpy): a user
        # instance made from it but put on another track, or on none, leaves it in place.
        # An untracked prediction gives way to the user instance made from it.
        users = keep & is_user
        predicted = keep & ~is_user
        overridden = predicted & tracked & np.isin(key, key[users & tracked])
        sources = cols.pop("from_predicted")[users]
        linked = predicted & ~tracked & np.isin(cols.pop("instance_id"), sources[sources >= 0])
        keep &= ~(overridden | linked)
        del users, predicted, overridden, sources, linked

    # one instance per (frame, track): the last one, as SLEAP and sleap-io do
    candidates = np.flatnonzero(keep & tracked)
    _, last_in_reversed = np.unique(key[candidates][::-1], return_index=True)
    chosen_tracked = np.sort(candidates[::-1][last_in_reversed])
    del key, last_in_reversed
    if chosen_tracked.size < candidates.size:
        warnings.warn(
            f"{path}: {candidates.size - chosen_tracked.size} instance(s) share a frame and "
            "track with another of the same kind; the last one of each was kept.",
            UserWarning,
            stacklevel=user_stacklevel(),
        )
    del candidates
    # untracked instances: ranked within their frame, user ones first
    untracked = np.flatnonzero(keep & ~tracked)
    del keep, tracked
    slot = _rank_in_group(inst_time[untracked], (~is_user[untracked]).astype(np.int8), untracked)
    n_slots = int(slot.max()) + 1 if slot.size else 0
    if n_slots:
        given = (
            f"the individual {untracked_name(0)}"
            if n_slots == 1
            else f"the individuals {untracked_name(0)}..{untracked_name(n_slots - 1)}"
        )
        warnings.warn(
            f"{path}: {untracked.size} instance(s) have no track; they were given {given} "
            "by their order within each frame, which does not follow an animal across frames.",
            UserWarning,
            stacklevel=user_stacklevel(),
        )
    names = with_untracked_names(list(t.tracks), n_slots, t.path)

    # everything per chosen instance; the instance columns go before the poses come
    chosen = np.concatenate([chosen_tracked, untracked])
    column = np.concatenate([track[chosen_tracked], n_tracks + slot]).astype(np.int32)
    when = inst_time[chosen]
    user_chosen = is_user[chosen]
    del chosen_tracked, untracked, slot, track, inst_time, is_user
    point_start = cols.pop("point_id_start")[chosen]
    if chosen.size and not np.all(cols.pop("point_id_end")[chosen] - point_start == n_nodes):
        raise FormatError(
            path,
            f"some instances have a number of points other than the skeleton's {n_nodes} nodes.",
        )
    n_time, n_ind = times.size, len(names)
    instance_score = np.full((n_time, n_ind), np.nan, dtype=np.float32)
    if n_nodes:
        predicted = np.flatnonzero(~user_chosen)
        instance_score[when[predicted], column[predicted]] = cols["score"][chosen[predicted]]
        del predicted
    tracking = None
    if has_tracking:
        tracking = np.full((n_time, n_ind), np.nan, dtype=np.float32)
        tracking[when, column] = cols["tracking_score"][chosen]
    del cols, chosen

    attrs: dict[str, Any] = {
        "ds_type": model.POSES,
        "time_unit": "frames",
        "source_software": "SLEAP",
        **skeleton_name_attr(skel.name),
    }
    if video < len(t.videos):
        info = t.videos[video]
        if info.path and info.path != UNKNOWN_VIDEO:
            attrs["video_path"] = info.path
        if info.images:  # an image sequence: every frame's file, written back by the writers
            attrs[VIDEO_IMAGES] = names_to_attr(info.images)
        if info.width and info.height:
            attrs["video_width"], attrs["video_height"] = info.width, info.height
        key = info.images[0] if info.images else info.path  # as the writers look it up
        if key and (facts := facts_to_attr({key: info.facts})):
            attrs[VIDEO_FACTS] = facts
        keys = [i.images[0] if i.images else i.path for i in t.videos]
        if suggested := suggestions_attr(t.suggestions, keys, {video}):
            attrs[SUGGESTIONS] = suggested
    if provenance := provenance_attr(t.provenance):
        attrs[PROVENANCE] = provenance
    return PoseRows(
        times=times,
        names=names,
        skeleton=skel,
        when=when,
        column=column,
        user=user_chosen,
        point_start=point_start,
        format_id=t.format_id,
        instance_score=instance_score,
        tracking_score=tracking,
        attrs=attrs,
    )


def fill_points(
    rows: PoseRows,
    points: Any,
    pred_points: Any,
    position: np.ndarray,
    confidence: np.ndarray | None,
    path: Any,
    subset: np.ndarray | None = None,
    first_time: int = 0,
    block_rows: int = BLOCK_ROWS,
) -> None:
    """Read the points of the chosen instances into ``position`` / ``confidence``.

    ``subset`` (positions in ``rows``' arrays) limits it to some instances, whose
    time indices minus ``first_time`` index the arrays' first axis (a block of
    time). Points are read in contiguous blocks of about ``block_rows`` rows (no
    loop per instance).

    Examples
    --------
    >>> position = np.full((rows.times.size, 2, rows.n_nodes, len(rows.names)), np.nan)
    ... # doctest: +SKIP
    >>> fill_points(rows, t.points, t.pred_points, position, None, t.path)  # doctest: +SKIP
    """
    n_nodes = rows.n_nodes
    user_chosen = rows.user
    point_start = rows.point_start
    candidates = None if subset is None else np.asarray(subset)
    when = rows.when if not first_time else rows.when - first_time
    column = rows.column
    for is_user_table, table in ((True, points), (False, pred_points)):
        if candidates is None:
            members = np.flatnonzero(user_chosen == is_user_table)
            every = members.size == user_chosen.size  # then a position is its own member
        else:
            members = candidates[user_chosen[candidates] == is_user_table]
            every = False
        if not members.size or not n_nodes:
            continue
        name = "points" if is_user_table else "pred_points"
        fields = ("x", "y", "visible") if is_user_table else ("x", "y", "visible", "score")
        member_starts = point_start if every else point_start[members]
        blocks = point_blocks(table, member_starts, n_nodes, fields, path, name, block_rows)
        for group, values in blocks:
            at = group if every else members[group]
            x = values["x"].astype(np.float64, copy=False)  # gathered copies: writable
            y = values["y"].astype(np.float64, copy=False)
            # not visible: no point; else each coordinate as stored (one may be NaN)
            missing = ~values["visible"].astype(bool)
            if is_user_table and rows.format_id < 1.1:
                x -= 0.5  # format 1.0: the pixel's top-left corner was (0, 0); as SLEAP,
                y -= 0.5  # only user points are shifted
            x[missing] = np.nan
            y[missing] = np.nan
            position[when[at], 0, :, column[at]] = x
            position[when[at], 1, :, column[at]] = y
            if not is_user_table and confidence is not None:
                confidence[when[at], :, column[at]] = values["score"]
        del members, member_starts


def pose_dataset(rows: PoseRows, position: Any, confidence: Any) -> xr.Dataset:
    """The poses dataset of :class:`PoseRows` and its (in-memory or lazy) point arrays.

    Examples
    --------
    >>> ds = pose_dataset(rows, position, confidence)  # doctest: +SKIP
    """
    skel = rows.skeleton
    instance_score, tracking = rows.instance_score, rows.tracking_score
    data_vars: dict[str, Any] = {
        "position": (model.POSES_DIMS, position),
        "confidence": ((model.TIME, model.KEYPOINT, model.INDIVIDUAL), confidence),
    }
    if instance_score is not None and np.isfinite(instance_score).any():
        data_vars["instance_score"] = ((model.TIME, model.INDIVIDUAL), instance_score)
    if tracking is not None and np.isfinite(tracking).any():
        data_vars["tracking_score"] = ((model.TIME, model.INDIVIDUAL), tracking)
    data_vars.update(skeleton_variables(skel.edges, skel.symmetries))
    return xr.Dataset(
        data_vars,
        coords={
            model.TIME: rows.times,
            model.SPACE: ["x", "y"],
            model.KEYPOINT: np.array(list(skel.nodes), dtype=str),
            model.INDIVIDUAL: np.array(rows.names, dtype=str),  # str even when empty
        },
        attrs=dict(rows.attrs or {}),
    )
