"""SLEAP labels and predictions (.slp, .pkg.slp): read and write, vectorised.

Reading takes the four compound tables (``frames``, ``instances``, ``points``,
``pred_points``) whole and builds the arrays with numpy indexing:

- tracks become individuals, in ``tracks_json`` order; instances without a
  track become ``untracked_0``, ``untracked_1``... by their order within each
  frame (user instances first), with a warning;
- what is read depends on ``instances``: ``"user"`` gives the labelled frames
  (user instances of every video, a labels dataset, see
  :mod:`posebridge.formats._slp_labels`); ``"prefer_user"`` (SLEAP's rule: a user
  instance replaces the prediction of the same frame and track, or the prediction
  it was made from) and ``"predicted"`` give the poses of one video along its
  frames; ``"auto"`` (default) is ``"user"`` for a file of labels (user
  instances, and no predicted instance but those they were made from), else
  ``"prefer_user"``;
- point scores become ``confidence`` (NaN for user points); instance and
  tracking scores become ``instance_score`` / ``tracking_score`` (time,
  individual), present when the file holds any; the skeleton's edges and
  symmetries become ``skeleton_edges`` / ``skeleton_symmetries``; keypoints
  follow the skeleton's node order;
- time is the video's labelled frame numbers (sorted, gaps kept, not filled);
- one video per dataset: ``video=`` picks it (index or path). A file with poses
  in several videos and no ``video=`` raises a FormatError listing them;
  :func:`read_all_videos` returns one dataset per video.

Writing makes a format 1.2 file (1.3/1.4 on request) that SLEAP 1.x and
sleap-io open: individuals become tracks (``untracked_<k>`` individuals become
instances without a track); an instance with any confidence or an instance
score is a predicted instance, otherwise a user instance. A labels dataset is
written as user instances in every one of its videos (and the predictions they
were made from, when it holds them).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from posebridge import model
from posebridge._files import Peek, atomic_outputs, check_input
from posebridge.errors import FormatError, PoseBridgeError
from posebridge.formats._shared.record import Format
from posebridge.formats._sleap import (
    check_2d,
    encode_skeleton,
    fixed_strings,
    hdf5_top_keys,
    is_untracked_name,
    skeleton_from_dataset,
    writable_frames,
)
from posebridge.formats._sleap_rows import BLOCK_ROWS, create_table, write_rows
from posebridge.formats._slp_labels import (
    CONTENT_KEY,
    LabelsPlan,
    build_labels,
    has_only_labels,
)
from posebridge.formats._slp_labels import check_writable as check_labels
from posebridge.formats._slp_tables import (
    MODES,
    PREDICTED,
    UNKNOWN_VIDEO,
    USER,
    SlpTables,
    build_dataset,
    open_tables,
)
from posebridge.model import labels

__all__ = ["FORMATS", "describe", "read", "read_all_videos", "sniff", "write"]

WRITE_FORMAT_IDS = (1.2, 1.3, 1.4)
_METADATA_LIMIT = 64_000
#: Rows per chunk of the written tables (SLEAP's and sleap-io's are smaller; any size reads).
CHUNK_ROWS = 1 << 13  # HDF5 refuses attributes above 64 KB

FRAME_DTYPE = np.dtype(
    [
        ("frame_id", "<u8"),
        ("video", "<u4"),
        ("frame_idx", "<u8"),
        ("instance_id_start", "<u8"),
        ("instance_id_end", "<u8"),
    ]
)
INSTANCE_DTYPE = np.dtype(
    [
        ("instance_id", "<i8"),
        ("instance_type", "u1"),
        ("frame_id", "<u8"),
        ("skeleton", "<u4"),
        ("track", "<i4"),
        ("from_predicted", "<i8"),
        ("score", "<f4"),
        ("point_id_start", "<u8"),
        ("point_id_end", "<u8"),
        ("tracking_score", "<f4"),
    ]
)
POINT_DTYPE = np.dtype([("x", "<f8"), ("y", "<f8"), ("visible", "?"), ("complete", "?")])
PRED_POINT_DTYPE = np.dtype(
    [("x", "<f8"), ("y", "<f8"), ("visible", "?"), ("complete", "?"), ("score", "<f8")]
)


def sniff(peek: Peek) -> bool:
    """Whether ``path`` is an .slp file: HDF5 with a /metadata group holding format_id.

    Examples
    --------
    >>> from posebridge.formats import slp
    >>> slp.sniff("labels.v002.slp")  # doctest: +SKIP
    True
    """
    path = peek.path
    keys = hdf5_top_keys(path)
    if keys is None:
        return False
    if "metadata" not in keys[1]:
        return False
    import h5py

    with h5py.File(path, "r") as h5:
        return "format_id" in h5["metadata"].attrs


# --------------------------------------------------------------------------
# reading


def _pick_video(t: SlpTables, video: int | str | os.PathLike[str] | None) -> int:
    used = np.unique(t.frame_video)
    if video is None:
        if used.size <= 1:
            return int(used[0]) if used.size else 0
        counts = np.bincount(t.frame_video, minlength=len(t.videos))
        listing = "; ".join(
            f"[{v.index}] {v.path or '(embedded frames)'}: {counts[v.index]} labelled frames"
            for v in t.videos
        )
        raise FormatError(
            t.path,
            f"holds poses for {used.size} videos ({listing}). A dataset holds one video: "
            "pass video=<index or path> to read one, e.g. posebridge.load(path, video=0), "
            "or use posebridge.formats.slp.read_all_videos(path) for one dataset per video.",
        )
    if isinstance(video, int | np.integer) and not isinstance(video, bool):
        if not 0 <= int(video) < max(len(t.videos), 1):
            raise FormatError(
                t.path, f"has {len(t.videos)} video(s); video={video} is out of range."
            )
        return int(video)
    if isinstance(video, str | os.PathLike):
        wanted = os.fspath(video)
        paths = [v.path for v in t.videos]
        for candidates in (
            [p == wanted for p in paths],
            [p.replace("\\", "/") == wanted.replace("\\", "/") for p in paths],
            [Path(p.replace("\\", "/")).name == Path(wanted).name for p in paths],
        ):
            if sum(candidates) == 1:
                return candidates.index(True)
        raise FormatError(
            t.path, f"has no single video matching {wanted!r}; its videos are {paths}."
        )
    raise PoseBridgeError(f"video must be an index or a path, got {video!r}.")


def read(
    path: Path,
    *,
    video: int | str | os.PathLike[str] | None = None,
    instances: str = "auto",
    skeleton: int | str | None = None,
) -> xr.Dataset:
    """Read an .slp (or .pkg.slp) file: its labelled frames, or the poses of one video.

    Parameters
    ----------
    path
        The .slp file.
    video
        The video to read: its index in the file or its path (the stored path
        or just the file name). Needed for poses when several videos have
        some; labels span every video unless one is given.
    instances
        ``"auto"`` (default): ``"user"`` for a file of labels (user instances
        and no predicted instance other than those they were made from), else
        ``"prefer_user"``. ``"user"``: the labelled frames (a labels dataset,
        see :mod:`posebridge.labels`). ``"prefer_user"``: poses along the
        frames of one video, user instances winning over predictions of the
        same frame and track; ``"predicted"``: predictions only.
    skeleton
        Index or name of the skeleton, when instances use several.

    Returns
    -------
    xarray.Dataset
        float64 poses: labelled frames (time counts them), or time in frame
        numbers.

    Raises
    ------
    FormatError
        For a damaged file, format_id >= 3, several videos without ``video=``
        (poses).

    Examples
    --------
    >>> import posebridge
    >>> ds = posebridge.load("predictions.slp", instances="predicted")  # doctest: +SKIP
    >>> labels = posebridge.load("labels.v002.slp", instances="user")  # doctest: +SKIP
    """
    if instances not in ("auto", *MODES):
        raise PoseBridgeError(f"instances must be one of {('auto', *MODES)}, got {instances!r}.")
    with open_tables(Path(path)) as t:
        if instances == "auto":
            instances = "user" if has_only_labels(t) else "prefer_user"
        if instances == "user":
            chosen = None if video is None else _pick_video(t, video)
            return build_labels(t, chosen, skeleton)
        return build_dataset(t, _pick_video(t, video), instances=instances, skeleton=skeleton)


def read_all_videos(
    path: str | os.PathLike[str], *, instances: str = "prefer_user", fps: float | None = None
) -> list[xr.Dataset]:
    """One poses dataset per video of an .slp file, in the file's video order.

    Parameters
    ----------
    path
        The .slp file.
    instances
        ``"prefer_user"``, ``"user"`` or ``"predicted"``: which instances, as
        poses along each video's frames (time in frame numbers).
    fps
        Frames per second, to express time in seconds.

    Returns
    -------
    list of xarray.Dataset
        Validated datasets; each carries its ``video_path`` attribute. A video
        without labelled frames gives a dataset with no time steps.

    Examples
    --------
    >>> from posebridge.formats import slp
    >>> for ds in slp.read_all_videos("multiview.slp"):  # doctest: +SKIP
    ...     print(ds.attrs["video_path"], ds.sizes["time"])
    """
    file = check_input(path)
    datasets = []
    with open_tables(file) as t:
        for index in range(max(len(t.videos), 1)):
            ds = model.validate(build_dataset(t, index, instances=instances))
            ds.attrs["source_file"] = str(file)
            datasets.append(model.with_fps(ds, fps) if fps is not None else ds)
    return datasets


def describe(path: Path) -> list[tuple[str, str]]:
    """What ``posebridge info`` shows: videos, tracks, skeleton, instance counts.

    Examples
    --------
    >>> from posebridge.formats import slp
    >>> dict(slp.describe("labels.slp"))["instances"]  # doctest: +SKIP
    '3 user, 450 predicted (453 without a track)'
    """
    with open_tables(Path(path)) as t:
        return _description(t)


def _description(t: SlpTables) -> list[tuple[str, str]]:
    per_video = np.bincount(t.frame_video, minlength=len(t.videos))
    videos = []
    for v in t.videos:
        size = f", {v.width}x{v.height}" if v.width and v.height else ""
        where = v.path or "(embedded frames)"
        videos.append(f"[{v.index}] {where} ({v.kind}{size}): {per_video[v.index]} frames")
    columns = t.instance_columns(("instance_type", "track"))
    kind = columns["instance_type"]
    untracked = int(np.count_nonzero(columns["track"] < 0))
    rows = [
        ("format", f"SLEAP labels (.slp), format_id {t.format_id:g}"),
        ("videos", "; ".join(videos) or "none"),
        ("tracks", f"{len(t.tracks)}: {', '.join(t.tracks)}" if t.tracks else "none"),
        (
            "instances",
            f"{np.count_nonzero(kind == USER)} user, {np.count_nonzero(kind == PREDICTED)} "
            f"predicted ({untracked} without a track)",
        ),
    ]
    for skel in t.skeletons:
        edges = f"{len(skel.edges)} edge{'' if len(skel.edges) == 1 else 's'}"
        rows.append(("skeleton", f"{skel.name}: {len(skel.nodes)} nodes, {edges}"))
        rows.append(("nodes", ", ".join(skel.nodes)))
        rows.append(("edges", ", ".join(f"{a}-{b}" for a, b in skel.edges) or "none"))
        rows.append(("symmetries", ", ".join(f"{a}-{b}" for a, b in skel.symmetries) or "none"))
    return rows


# --------------------------------------------------------------------------
# writing


def _per_instance(ds: xr.Dataset, name: str, shape: tuple[int, int]) -> np.ndarray:
    if name not in ds:
        return np.full(shape, np.nan)
    variable = ds[name]
    if set(variable.dims) != {model.TIME, model.INDIVIDUAL}:
        raise PoseBridgeError(f"'{name}' must have dims (time, individual), got {variable.dims}.")
    return np.asarray(variable.transpose(model.TIME, model.INDIVIDUAL).values, dtype=np.float64)


def _video_row(ds: xr.Dataset, video_path: str | None, n_frames: int) -> bytes:
    path = video_path if video_path is not None else str(ds.attrs.get("video_path", ""))
    # sleap-io takes an empty file name for the current folder (an image sequence)
    path = path or UNKNOWN_VIDEO
    backend: dict[str, Any] = {
        "filename": path,
        "grayscale": False,
        "bgr": True,
        "dataset": "",
        "input_format": "",
    }
    width, height = ds.attrs.get("video_width"), ds.attrs.get("video_height")
    if width and height:
        backend["type"] = "MediaVideo"
        backend["shape"] = [int(n_frames), int(height), int(width), 3]
    return json.dumps({"backend": backend}, separators=(",", ":")).encode()


def _string_dataset(h5: Any, name: str, rows: list[bytes]) -> None:
    """A JSON-rows dataset the way SLEAP writes it: fixed-width bytes, resizable."""
    h5.create_dataset(name, data=fixed_strings([r.decode() for r in rows]), maxshape=(None,))


def write(
    ds: xr.Dataset,
    path: Path,
    *,
    overwrite: bool = False,
    video_path: str | None = None,
    skeleton_name: str = "Skeleton-0",
    format_id: float = 1.2,
) -> list[Path]:
    """Write a poses dataset as a SLEAP .slp file.

    Parameters
    ----------
    ds
        A 2-D poses dataset; time must map to frame numbers. A labels dataset
        (:mod:`posebridge.labels`) is written as user instances in all its
        videos (``video_path`` then does not apply).
    path
        The output file.
    overwrite
        Replace an existing file.
    video_path
        The video the poses belong to; default ``ds.attrs["video_path"]``.
    skeleton_name
        Name of the skeleton (nodes = keypoints; edges and symmetries from
        ``skeleton_edges`` / ``skeleton_symmetries``).
    format_id
        1.2 (default, read by every SLEAP 1.x), 1.3 or 1.4.

    Returns
    -------
    list of pathlib.Path
        The file written.

    Examples
    --------
    >>> import posebridge
    >>> posebridge.save(ds, "poses.slp")  # doctest: +SKIP
    """
    import h5py

    path = Path(path)
    if float(format_id) not in WRITE_FORMAT_IDS:
        raise PoseBridgeError(f"format_id must be one of {WRITE_FORMAT_IDS}, got {format_id!r}.")
    check_2d(ds, path, "SLEAP .slp")
    ds = model.validate(ds)
    labels_plan = None
    if labels.is_labels(ds):
        check_labels(ds)
        dtypes = {
            "frames": FRAME_DTYPE,
            "instances": INSTANCE_DTYPE,
            "points": POINT_DTYPE,
            "pred_points": PRED_POINT_DTYPE,
        }
        labels_plan = LabelsPlan(ds, dtypes)
        videos_json = labels_plan.videos_json
        plan: Any = labels_plan
    else:
        frames = writable_frames(ds, path, "SLEAP .slp")
        plan = _Plan(ds, frames)
        last_frame = int(frames.max()) + 1 if frames.size else 0
        videos_json = [_video_row(ds, video_path, last_frame)]
    graph, nodes = encode_skeleton(skeleton_from_dataset(ds, skeleton_name))
    metadata = {
        "version": "2.0.0",
        "skeletons": [graph],
        "nodes": nodes,
        "videos": [],
        "tracks": [],
        "suggestions": [],
        "negative_anchors": {},
        # poses without scores are stored as user instances: say they are not labels
        "provenance": {} if labels_plan is not None else {CONTENT_KEY: "poses"},
    }
    blob = json.dumps(metadata, separators=(",", ":")).encode()
    if len(blob) > _METADATA_LIMIT:
        raise PoseBridgeError(
            f"{path}: the skeleton's JSON ({len(blob)} bytes) exceeds HDF5's 64 KB attribute "
            "limit, so SLEAP could not store it either; use fewer or shorter keypoint names."
        )
    with (
        atomic_outputs([path], overwrite=overwrite) as (temporary,),
        h5py.File(temporary, "w") as h5,
    ):
        group = h5.create_group("metadata")
        group.attrs["format_id"] = float(format_id)
        group.attrs["json"] = np.bytes_(blob)
        _string_dataset(h5, "videos_json", videos_json)
        rows = [json.dumps([0, name], separators=(",", ":")).encode() for name in plan.tracks]
        _string_dataset(h5, "tracks_json", rows)
        _string_dataset(h5, "suggestions_json", [])
        tables = [("frames", plan.frames), ("instances", plan.instances)]
        if labels_plan is not None:  # labels are small: the point tables at once
            tables += [("points", labels_plan.points), ("pred_points", labels_plan.pred_points)]
        for name, table in tables:
            write_rows(create_table(h5, name, table.dtype, table.size, CHUNK_ROWS), 0, table)
        if labels_plan is None:
            plan.write_points(h5, predicted=False)
            plan.write_points(h5, predicted=True)
    return [path]


class _Plan:
    """What the writer puts in the tables: one instance per (time, individual) with data."""

    def __init__(self, ds: xr.Dataset, frames: np.ndarray) -> None:
        names = [str(n) for n in ds[model.INDIVIDUAL].values]
        untracked = np.array([is_untracked_name(n) for n in names], dtype=bool)
        self.tracks = [n for n, u in zip(names, untracked, strict=True) if not u]
        track_of = np.where(untracked, -1, np.cumsum(~untracked) - 1)

        order = (model.TIME, model.INDIVIDUAL, model.KEYPOINT)
        # views in (time, individual, keypoint[, space]) order; gathered block by block
        self.position = ds["position"].transpose(*order, model.SPACE).values
        self.confidence = model.confidence_per_keypoint(ds).transpose(*order).values
        n_time, n_ind, self.n_nodes = self.confidence.shape
        instance_score = _per_instance(ds, "instance_score", (n_time, n_ind))
        tracking_score = _per_instance(ds, "tracking_score", (n_time, n_ind))

        predicted = np.isfinite(self.confidence).any(axis=2) | np.isfinite(instance_score)
        exists = np.isfinite(self.position).any(axis=(2, 3)) | predicted
        self.at_time, self.at_ind = np.nonzero(exists)  # frame-major, individuals in order
        self.is_pred = predicted[self.at_time, self.at_ind]
        at_time, at_ind, is_pred = self.at_time, self.at_ind, self.is_pred

        per_frame = exists.sum(axis=1)
        self.frames = np.zeros(n_time, dtype=FRAME_DTYPE)
        self.frames["frame_id"] = np.arange(n_time)
        self.frames["frame_idx"] = frames
        self.frames["instance_id_end"] = np.cumsum(per_frame)
        self.frames["instance_id_start"] = self.frames["instance_id_end"] - per_frame

        rank = np.where(is_pred, np.cumsum(is_pred), np.cumsum(~is_pred)) - 1
        table = np.zeros(at_time.size, dtype=INSTANCE_DTYPE)
        table["instance_id"] = np.arange(at_time.size)
        table["instance_type"] = np.where(is_pred, PREDICTED, USER)
        table["frame_id"] = at_time
        table["track"] = track_of[at_ind]
        table["from_predicted"] = -1
        table["score"] = np.where(is_pred, instance_score[at_time, at_ind], np.nan)
        table["point_id_start"] = rank * self.n_nodes
        table["point_id_end"] = (rank + 1) * self.n_nodes
        table["tracking_score"] = tracking_score[at_time, at_ind]
        self.instances = table

    def write_points(self, h5: Any, predicted: bool) -> None:
        """Create ``points`` or ``pred_points`` and fill it in blocks of rows."""
        name, dtype = ("pred_points", PRED_POINT_DTYPE) if predicted else ("points", POINT_DTYPE)
        subset = self.is_pred if predicted else ~self.is_pred
        at_time, at_ind = self.at_time[subset], self.at_ind[subset]
        n_nodes = max(self.n_nodes, 1)
        per_chunk = max(1, CHUNK_ROWS // n_nodes)  # instances per chunk: chunks hold whole ones
        dataset = create_table(h5, name, dtype, at_time.size * self.n_nodes, per_chunk * n_nodes)
        per_block = per_chunk * max(1, BLOCK_ROWS // (per_chunk * n_nodes))
        for first in range(0, at_time.size, per_block):
            when, who = at_time[first : first + per_block], at_ind[first : first + per_block]
            table = np.zeros(when.size * self.n_nodes, dtype=dtype)
            xy = self.position[when, who]
            table["x"] = xy[..., 0].reshape(-1)
            table["y"] = xy[..., 1].reshape(-1)
            del xy
            visible = np.isfinite(table["x"]) & np.isfinite(table["y"])
            table["x"][~visible] = np.nan
            table["y"][~visible] = np.nan
            table["visible"] = visible
            if predicted:
                table["score"] = self.confidence[when, who].reshape(-1)
            else:
                table["complete"] = visible  # a user point is one a person placed
            write_rows(dataset, first * self.n_nodes, table)


FORMATS = (
    Format(
        name="slp",
        title="SLEAP",
        extensions=(".pkg.slp", ".slp"),
        kinds=("poses", "labels"),
        sniff=sniff,
        read=read,
        write=write,
        aliases=("sleap-labels", "sleap-slp"),
        family="SLEAP",
        describe=describe,
        notes="options: video=, instances='auto'|'user' (labels)|'prefer_user'|'predicted', "
        "skeleton=; "
        "write: video_path=, format_id=1.2",
    ),
)
