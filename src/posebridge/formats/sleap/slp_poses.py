"""The vectorised build of a poses dataset from the .slp tables.

:func:`pose_rows` reads the columns of ``instances`` it needs for one video (in
compact types, released before the poses are allocated) and works out where
every chosen instance goes, with numpy indexing only (no loop per frame or
instance); :func:`fill_points` reads the point tables in blocks of rows into
the arrays; :func:`build_dataset` does both for an in-memory dataset, and the
lazy reader (``slp_lazy``) uses the same steps block by block.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import xarray as xr

from posebridge import model
from posebridge.errors import FormatError, PoseBridgeError, user_stacklevel
from posebridge.formats._shared.hdf5 import BLOCK_ROWS, point_blocks, ranges
from posebridge.formats._shared.text_attrs import names_to_attr
from posebridge.formats.sleap.common import (
    VIDEO_IMAGES,
    Skeleton,
    skeleton_name_attr,
    skeleton_variables,
    untracked_name,
    with_untracked_names,
)
from posebridge.formats.sleap.project_facts import (
    PROVENANCE,
    SUGGESTIONS,
    provenance_attr,
    suggestions_attr,
    version_attrs,
)
from posebridge.formats.sleap.slp_tables import (
    UNKNOWN_VIDEO,
    USER,
    SlpTables,
    check_instance_ranges,
    check_instance_types,
    check_tracks,
    pick_skeleton,
    rank_in_group,
    skeleton_read,
)
from posebridge.formats.sleap.video_facts import VIDEO_FACTS, facts_to_attr

MODES = ("prefer_user", "user", "predicted")


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
    check_instance_types(path, kind)
    is_user = kind == USER
    del kind
    track = cols.pop("track").astype(np.int32)
    n_tracks = len(t.tracks)
    check_tracks(path, track, n_tracks)
    skeleton_column = cols.pop("skeleton")
    skel_index = pick_skeleton(t, np.unique(skeleton_column), skeleton)
    if not t.skeletons:
        raise FormatError(path, "has no skeleton in its metadata.")
    if skel_index >= len(t.skeletons):
        raise FormatError(path, f"/instances refers to skeleton {skel_index}, which is missing.")
    skel = skeleton_read(t, skel_index)
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
        made_into_user = np.isin(cols.pop("instance_id"), sources[sources >= 0])
        linked = predicted & ~tracked & made_into_user
        keep &= ~(overridden | linked)
        unlinked = int(np.count_nonzero(overridden & ~made_into_user))
        if unlinked:  # no user instance was made from it: its poses are in no variable
            warnings.warn(
                f"{path}: {unlinked} prediction(s) share a frame and track with a user "
                "instance not made from them; the user instance was kept "
                "(instances='predicted' reads the predictions).",
                UserWarning,
                stacklevel=user_stacklevel(),
            )
        del users, predicted, overridden, sources, linked, made_into_user

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
    slot = rank_in_group(inst_time[untracked], (~is_user[untracked]).astype(np.int8), untracked)
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
    if user_chosen.size and not user_chosen.any() and np.isnan(instance_score[when, column]).any():
        # predictions only, some without a score: said, so that writers keep them predictions
        attrs[model.INSTANCE_KIND] = model.PREDICTED_INSTANCES
    attrs.update(version_attrs(t.provenance))
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
