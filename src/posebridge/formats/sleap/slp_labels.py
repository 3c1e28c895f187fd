"""SLEAP user instances <-> labels datasets (see :mod:`posebridge.labels`).

Reading (:func:`build_labels`) takes the user instances of every video (or of
one) from the tables :func:`posebridge.formats.sleap.slp_tables.open_tables` read,
with numpy indexing only:

- one labelled frame per (video, frame index) that holds a user instance, or no
  instance at all (a frame labelled as empty), in the file's order of frames;
  ``video`` is the video's path (``""`` for an
  embedded video whose source is unknown), ``frame`` its frame index; for an
  image sequence (SLEAP ``ImageVideo``) the image, its folder and the digits of
  its name (as DeepLabCut names images) give ``image_path``, ``video``, ``frame``
  (when the folder holds the images of several ``ImageVideo`` entries, each video
  is named by its first image instead, so that they stay apart);
- tracks -> individuals (file order), untracked instances -> ``untracked_<k>``
  by their order in the frame; one instance per frame and track (the last);
- a point marked not visible (``visible=False`` with coordinates, or with
  ``complete=True``: a person toggled it) is NaN in ``position`` with
  ``visible = 0`` (the variable exists only when some point is); writing puts
  such a point back as ``visible=False, complete=True``;
- SLEAP's ``complete`` flags of user points go to the ``complete`` variable
  when some differ from the default (a point placed or marked not visible is
  complete), and are written back; without it the default is written;
- the prediction a user instance was made from (``from_predicted``) goes to
  ``predicted_position`` / ``predicted_confidence`` / ``predicted_score``.
  Other predicted instances are not labels and are not read here.

Writing (:class:`LabelsPlan`) is the reverse: one SLEAP video per ``video``
value (an ``ImageVideo`` listing the images when its rows have images, else a
``MediaVideo``), user instances for every individual with a point, and the
``predicted_*`` instances linked to them.
"""

from __future__ import annotations

import json
import warnings
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from posebridge import model
from posebridge.errors import FormatError, SchemaError, user_stacklevel
from posebridge.formats._shared.hdf5 import point_blocks, ranges
from posebridge.formats._shared.text_attrs import names_to_attr
from posebridge.formats.sleap.common import (
    PROJECT_VIDEOS,
    is_untracked_name,
    placed,
    project_videos_of,
    skeleton_name_attr,
    skeleton_variables,
    with_untracked_names,
)
from posebridge.formats.sleap.project_facts import (
    CONTENT_KEY,
    PROVENANCE,
    SUGGESTIONS,
    provenance_attr,
    suggestions_attr,
    version_attrs,
)
from posebridge.formats.sleap.slp_tables import (
    PREDICTED,
    USER,
    SlpTables,
    check_instance_ranges,
    check_instance_types,
    check_tracks,
    pick_skeleton,
    rank_in_group,
    skeleton_read,
)
from posebridge.formats.sleap.video_facts import (
    VIDEO_FACTS,
    facts_of,
    facts_to_attr,
    image_backend,
    media_backend,
)
from posebridge.model import labels

DIMS3 = (model.TIME, model.KEYPOINT, model.INDIVIDUAL)
#: The /instances columns labels are read from.
LABEL_COLUMNS = (
    "instance_id",
    "instance_type",
    "skeleton",
    "track",
    "from_predicted",
    "score",
    "point_id_start",
    "point_id_end",
)


def has_only_labels(t: SlpTables) -> bool:
    """Whether the file holds user instances and no prediction but their sources.

    A file that posebridge wrote says what it holds in its provenance
    (:data:`CONTENT_KEY`): poses are never taken for labels, and labels stay
    labels even when no frame holds an instance. The provenance outlives the
    content: sleap-io and SLEAP keep it when they save the file again, with
    predictions added, so labels are labels only while the tables agree.
    """
    content = t.provenance.get(CONTENT_KEY) if isinstance(t.provenance, dict) else None
    if content == "poses":
        return False
    inst = t.instance_columns(("instance_type", "from_predicted", "instance_id"))
    kind = inst["instance_type"]
    user = kind == USER
    if not user.any():
        return content == "labels" and not (kind == PREDICTED).any()
    sources = inst["from_predicted"][user]
    predicted_ids = inst["instance_id"][kind == PREDICTED]
    return bool(np.isin(predicted_ids, sources[sources >= 0]).all())


def _rows_of_frames(t: SlpTables, selected: np.ndarray) -> tuple[np.ndarray, pd.MultiIndex]:
    """Per selected frame row, its labelled frame; the (video, frame index) of each."""
    video = t.frame_video[selected].astype(np.int64)
    index = t.frames["frame_idx"][selected].astype(np.int64)
    codes, uniques = pd.factorize(pd.MultiIndex.from_arrays([video, index]), sort=False)
    return np.asarray(codes, dtype=np.int64), uniques


def _row_coords(t: SlpTables, video: np.ndarray, index: np.ndarray) -> dict[str, Any]:
    """``video``, ``frame`` and ``image_path`` of labelled frames (a loop over videos)."""
    n = video.size
    videos = np.full(n, "", dtype=object)
    frames = index.copy()
    images = np.full(n, "", dtype=object)
    sequences = [  # the image sequences of each folder, named by their first image
        labels.normalise_paths(info.images)[0]
        for info in t.videos
        if info.kind == "images" and info.images
    ]
    folders = pd.Series(labels.image_videos(sequences)).value_counts()
    for v in np.unique(video).tolist():
        rows = video == v
        info = t.videos[v] if v < len(t.videos) else None
        if info is not None and info.kind == "images" and info.images:
            listed = labels.normalise_paths(info.images)
            at = index[rows]
            if at.max() >= listed.size:
                raise FormatError(
                    t.path,
                    f"labels frame {int(at.max())} of video {v}, which lists only "
                    f"{listed.size} images.",
                )
            chosen = listed[at]
            images[rows] = chosen
            folder = labels.image_videos(listed[:1])[0]
            # one sequence in its folder: the folder is its video; several: their first images
            videos[rows] = listed[0] if folders.get(folder, 0) > 1 else folder
            frames[rows] = labels.image_frames(chosen)
        elif info is not None and info.path != labels.UNKNOWN_VIDEO:
            videos[rows] = str(labels.normalise_paths([info.path])[0])
    return {
        labels.VIDEO: (model.TIME, videos.astype(str)),
        labels.FRAME: (model.TIME, frames),
        labels.IMAGE_PATH: (model.TIME, images.astype(str)),
    }


def _instance_rows(all_ids: np.ndarray, ids: np.ndarray) -> np.ndarray:
    """Table rows of the instances with ``ids`` among ``all_ids`` (-1 where there is none)."""
    all_ids = all_ids.astype(np.int64)
    if np.array_equal(all_ids, np.arange(all_ids.size)):
        return np.where((ids >= 0) & (ids < all_ids.size), ids, -1)
    order = np.argsort(all_ids, kind="stable")
    at = np.searchsorted(all_ids[order], ids)
    at = np.minimum(at, max(all_ids.size - 1, 0))
    found = all_ids.size > 0
    rows = order[at] if found else np.full(ids.shape, -1)
    return np.where(found & (all_ids[rows] == ids) & (ids >= 0), rows, -1)


def build_labels(
    t: SlpTables, video: int | None = None, skeleton: int | str | None = None
) -> xr.Dataset:
    """The labels dataset of the user instances of one video, or of all.

    Parameters
    ----------
    t
        Tables from ``open_tables`` (still open).
    video
        A video's index in ``t.videos``; ``None`` for every video.
    skeleton
        Which skeleton (index or name) when user instances use several.

    Returns
    -------
    xarray.Dataset
        A labels dataset (see the module's description).
    """
    has_tracking = "tracking_score" in (t.instances.dtype.names or ())  # format >= 1.2
    columns = (*LABEL_COLUMNS, "tracking_score") if has_tracking else LABEL_COLUMNS
    path, inst = t.path, t.instance_columns(columns)
    n_rows = t.instances.shape[0]
    selected = (
        np.arange(t.frame_video.size) if video is None else np.flatnonzero(t.frame_video == video)
    )
    row_of_frame, keys = _rows_of_frames(t, selected)
    starts = t.frames["instance_id_start"][selected].astype(np.int64)
    ends = t.frames["instance_id_end"][selected].astype(np.int64)
    check_instance_ranges(path, starts, ends, n_rows)
    counts = ends - starts
    rows = ranges(starts, counts)
    inst_row = np.repeat(row_of_frame, counts)
    empty_rows = row_of_frame[counts == 0]  # frames labelled as holding no animal
    check_instance_types(path, inst["instance_type"][rows])
    user = inst["instance_type"][rows] == USER
    rows, inst_row = rows[user], inst_row[user]
    skeleton_column = inst["skeleton"][rows]
    if not t.skeletons:
        raise FormatError(path, "has no skeleton in its metadata.")
    skel_index = pick_skeleton(t, np.unique(skeleton_column), skeleton)
    if skel_index >= len(t.skeletons):
        raise FormatError(path, f"/instances refers to skeleton {skel_index}, which is missing.")
    skel = skeleton_read(t, skel_index)
    keep = skeleton_column == skel_index
    rows, inst_row = rows[keep], inst_row[keep]
    n_nodes = len(skel.nodes)

    # labelled frames: those with a user instance or with no instance, in the file's order
    used = np.union1d(inst_row, empty_rows)
    inst_row = np.searchsorted(used, inst_row)
    n_time = used.size
    video_of_row = np.asarray(keys.get_level_values(0), dtype=np.int64)[used]
    index_of_row = np.asarray(keys.get_level_values(1), dtype=np.int64)[used]

    track = inst["track"][rows].astype(np.int64)
    n_tracks = len(t.tracks)
    check_tracks(path, track, n_tracks)
    tracked = track >= 0
    key = inst_row * (n_tracks + 1) + track + 1
    candidates = np.flatnonzero(tracked)
    _, last = np.unique(key[candidates][::-1], return_index=True)
    chosen_tracked = np.sort(candidates[::-1][last])
    if chosen_tracked.size < candidates.size:
        warnings.warn(
            f"{path}: {candidates.size - chosen_tracked.size} user instance(s) share a "
            "frame and track with another; the last one of each was kept.",
            UserWarning,
            stacklevel=user_stacklevel(),
        )
    untracked = np.flatnonzero(~tracked)
    slot = rank_in_group(inst_row[untracked], untracked)
    n_slots = int(slot.max()) + 1 if slot.size else 0
    names = with_untracked_names(list(t.tracks), n_slots, t.path)
    chosen = np.concatenate([chosen_tracked, untracked])
    column = np.concatenate([track[chosen_tracked], n_tracks + slot]).astype(np.int64)
    when = inst_row[chosen]
    chosen_rows = rows[chosen]

    n_ind = len(names)
    position = np.full((n_time, 2, n_nodes, n_ind), np.nan)
    flags = np.zeros((n_time, n_nodes, n_ind), dtype=bool)
    complete = np.zeros((n_time, n_nodes, n_ind), dtype=bool)
    _check_points(inst, chosen_rows, n_nodes, path)
    point_start = inst["point_id_start"][chosen_rows].astype(np.int64)
    has_complete = "complete" in (t.points.dtype.names or ())
    fields = ("x", "y", "visible", "complete") if has_complete else ("x", "y", "visible")
    if chosen.size and n_nodes:
        for group, values in point_blocks(t.points, point_start, n_nodes, fields, path, "points"):
            x = values["x"].astype(np.float64, copy=False)
            y = values["y"].astype(np.float64, copy=False)
            if t.format_id < 1.1:  # format 1.0: pixel corner at (0, 0), as SLEAP reads it
                x, y = x - 0.5, y - 0.5
            position[when[group], 0, :, column[group]] = x
            position[when[group], 1, :, column[group]] = y
            flags[when[group], :, column[group]] = values["visible"].astype(bool)
            if has_complete:
                complete[when[group], :, column[group]] = values["complete"].astype(bool)
    # a point marked not visible: NaN, flag 0 (with stale coordinates, or NaN ones and
    # SLEAP's "complete": a person toggled it)
    position, visible = labels.hide_unseen(position, flags, complete)
    data_vars: dict[str, Any] = {
        "position": (model.POSES_DIMS, position),
        "confidence": (DIMS3, np.full((n_time, n_nodes, n_ind), np.nan)),
    }
    if visible is not None:
        data_vars[labels.VISIBLE] = (DIMS3, visible)
    if has_complete:  # kept when it says more than "placed or marked not visible"
        present = np.zeros((n_time, n_nodes, n_ind), dtype=bool)
        present[when, :, column] = True
        default = np.isfinite(position).any(axis=1) | (
            np.zeros_like(present) if visible is None else visible == 0
        )
        kept = labels.complete_variable(complete, present, default)
        if kept is not None:
            data_vars[labels.COMPLETE] = (DIMS3, kept)
    shape = (n_time, n_nodes, n_ind)
    data_vars.update(_linked_predictions(t, inst, chosen_rows, when, column, shape))
    data_vars.update(skeleton_variables(skel.edges, skel.symmetries))
    attrs: dict[str, Any] = {
        "ds_type": model.POSES,
        "time_unit": "frames",
        "source_software": "SLEAP",
        **skeleton_name_attr(skel.name),
        labels.CONTENT: labels.LABELS,
    }
    media = [info for info in t.videos if info.kind in ("video", "embedded")]  # not images
    if video is None and media and len(media) == len(t.videos):  # a project of video files
        paths = labels.normalise_paths([info.path for info in media])
        attrs[PROJECT_VIDEOS] = names_to_attr([str(p) for p in paths])
    known = [info for info in t.videos if info.facts and (info.images or info.path)]
    if known:  # by the path the video coord (or an image sequence's first image) holds
        paths = labels.normalise_paths([(info.images or [info.path])[0] for info in known])
        facts = facts_to_attr({str(p): info.facts for p, info in zip(paths, known, strict=True)})
        if facts:
            attrs[VIDEO_FACTS] = facts
    keys = labels.normalise_paths([(info.images or [info.path])[0] for info in t.videos])
    chosen = None if video is None else {video}
    if suggested := suggestions_attr(t.suggestions, [str(k) for k in keys], chosen):
        attrs[SUGGESTIONS] = suggested
    if provenance := provenance_attr(t.provenance):
        attrs[PROVENANCE] = provenance
    attrs.update(version_attrs(t.provenance))
    shown = np.unique(video_of_row)
    if shown.size == 1 and int(shown[0]) < len(t.videos):
        info = t.videos[int(shown[0])]
        if info.width and info.height:
            attrs["video_width"], attrs["video_height"] = info.width, info.height
    coords = {
        model.TIME: np.arange(n_time, dtype=np.int64),
        model.SPACE: ["x", "y"],
        model.KEYPOINT: np.array(list(skel.nodes), dtype=str),  # text even when empty
        model.INDIVIDUAL: np.array(names, dtype=str),
        **_row_coords(t, video_of_row, index_of_row),
    }
    return xr.Dataset(data_vars, coords=coords, attrs=attrs)


def _check_points(inst: dict[str, np.ndarray], rows: np.ndarray, n_nodes: int, path: Any) -> None:
    spans = inst["point_id_end"][rows].astype(np.int64) - inst["point_id_start"][rows]
    if rows.size and not np.all(spans == n_nodes):
        raise FormatError(
            path,
            f"some instances have a number of points other than the skeleton's {n_nodes} nodes.",
        )


def _linked_predictions(
    t: SlpTables,
    inst: dict[str, np.ndarray],
    user_rows: np.ndarray,
    when: np.ndarray,
    column: np.ndarray,
    shape: tuple[int, int, int],
) -> dict[str, Any]:
    """``predicted_*`` variables: the predictions the user instances were made from."""
    source = _instance_rows(
        inst["instance_id"], inst["from_predicted"][user_rows].astype(np.int64)
    )
    linked = source >= 0
    linked[linked] = inst["instance_type"][source[linked]] == PREDICTED
    if not linked.any():
        return {}
    n_time, n_nodes, n_ind = shape
    _warn_other_tracks(t, inst, user_rows[linked], source[linked])
    source, when, column = source[linked], when[linked], column[linked]
    _check_points(inst, source, n_nodes, t.path)
    position = np.full((n_time, 2, n_nodes, n_ind), np.nan)
    confidence = np.full((n_time, n_nodes, n_ind), np.nan)
    score = np.full((n_time, n_ind), np.nan)
    starts = inst["point_id_start"][source].astype(np.int64)
    fields = ("x", "y", "visible", "score")
    for group, values in point_blocks(
        t.pred_points, starts, n_nodes, fields, t.path, "pred_points"
    ):
        x = values["x"].astype(np.float64, copy=False)
        y = values["y"].astype(np.float64, copy=False)
        missing = ~values["visible"].astype(bool)  # else each coordinate as stored
        x[missing] = np.nan
        y[missing] = np.nan
        position[when[group], 0, :, column[group]] = x
        position[when[group], 1, :, column[group]] = y
        confidence[when[group], :, column[group]] = values["score"]
    score[when, column] = inst["score"][source]
    variables = {
        "predicted_position": (model.POSES_DIMS, position),
        "predicted_confidence": (DIMS3, confidence),
        "predicted_score": ((model.TIME, model.INDIVIDUAL), score),
    }
    if "tracking_score" in inst and np.isfinite(inst["tracking_score"][source]).any():
        tracking = np.full((n_time, n_ind), np.nan)
        tracking[when, column] = inst["tracking_score"][source]
        variables[labels.PREDICTED_TRACKING_SCORE] = ((model.TIME, model.INDIVIDUAL), tracking)
    return variables


def _warn_other_tracks(
    t: SlpTables, inst: dict[str, np.ndarray], user_rows: np.ndarray, source: np.ndarray
) -> None:
    """Warn when user instances were made from a prediction on another track.

    A labels dataset keeps such a prediction under the user instance's individual
    (``predicted_*``), so it is written back on the user instance's track.
    """
    user_track = inst["track"][user_rows].astype(np.int64)
    source_track = inst["track"][source].astype(np.int64)
    moved = np.flatnonzero(user_track != source_track)
    if not moved.size:
        return
    names = [*t.tracks, "(no track)"]  # index -1: untracked
    first = moved[0]
    warnings.warn(
        f"{t.path}: {moved.size} user instance(s) were made from a prediction on another "
        f"track (e.g. a user instance on {names[user_track[first]]!r} made from a prediction "
        f"on {names[source_track[first]]!r}); a labels dataset keeps that prediction "
        "(predicted_*) under the user instance's individual, so it is written back on the "
        'user instance\'s track. Read the file as poses ("prefer_user" or "predicted" '
        "instances) to keep each prediction on its own track.",
        UserWarning,
        stacklevel=user_stacklevel(),
    )


# --------------------------------------------------------------------------
# writing


def video_json(
    name: str,
    images: list[str] | None,
    size: tuple[Any, Any],
    facts: dict[str, Any],
    index: np.ndarray,
) -> bytes:
    """One ``videos_json`` row: an image sequence (``ImageVideo``) of ``images``, else the
    video file ``name`` (frames ``index``); ``size`` = (width, height) when known,
    ``facts`` what the source said about the video (:mod:`.video_facts`). A shape that
    records a size only is marked in the row (:data:`.video_facts.SIZE_ONLY`): sleap-io
    keeps the key, so a file it saves again is read back as the size only too."""
    if images is not None:
        backend = image_backend(images, facts, size)
    else:
        seen = int(index.max()) + 1 if index.size else 0
        backend = media_backend(name or labels.UNKNOWN_VIDEO, facts, size, seen)
    return json.dumps({"backend": backend}, separators=(",", ":")).encode()


def in_project_order(groups: labels.VideoGroups, project: list[str] | None) -> labels.VideoGroups:
    """The videos in the order of the SLEAP project the labels came from, with its videos
    that hold no labelled frame (queued for inference) kept as videos without frames.

    Only when every video of the labels is one of the project's video files (no image
    sequence, no video of another source); otherwise the labels' own order.
    """
    if not project or any(images is not None for images in groups.images):
        return groups
    if not set(groups.names) <= set(project) or len(set(project)) != len(project):
        return groups
    position = np.array([project.index(name) for name in groups.names], dtype=np.int64)
    of_row = position[groups.of_row] if groups.of_row.size else groups.of_row
    return labels.VideoGroups(list(project), of_row, [None] * len(project), groups.index)


class LabelsPlan:
    """The .slp tables of a labels dataset (user instances, linked predictions, videos).

    Attributes ``videos_json``, ``tracks``, ``frames``, ``instances``,
    ``points`` and ``pred_points`` hold what the writer stores; table dtypes
    are the caller's (``frame_dtype`` ...), SLEAP's.
    """

    def __init__(self, ds: xr.Dataset, dtypes: dict[str, np.dtype]) -> None:
        groups = in_project_order(labels.video_groups(ds), project_videos_of(ds))
        names = [str(n) for n in ds[model.INDIVIDUAL].values]
        untracked = np.array([is_untracked_name(n) for n in names], dtype=bool)
        self.tracks = [n for n, u in zip(names, untracked, strict=True) if not u]
        track_of = np.where(untracked, -1, np.cumsum(~untracked) - 1)
        size = (ds.attrs.get("video_width"), ds.attrs.get("video_height"))
        if np.unique(groups.of_row).size != 1:  # the size is of the one video with frames
            size = (None, None)
        #: each video's path as the dataset's SLEAP facts name it (an image sequence's first image)
        self.video_keys = [
            images[0] if images else name
            for name, images in zip(groups.names, groups.images, strict=True)
        ]
        self.videos_json = [  # a size-only shape is marked in its row
            video_json(
                name,
                images,
                size if (groups.of_row == k).any() else (None, None),  # no frames: no size
                facts_of(ds, images[0] if images else name),
                groups.index[groups.of_row == k],
            )
            for k, (name, images) in enumerate(zip(groups.names, groups.images, strict=True))
        ]

        order = (model.TIME, model.INDIVIDUAL, model.KEYPOINT)
        position = ds["position"].transpose(*order, model.SPACE).values
        flags = labels.point_flags(ds).transpose(0, 2, 1)  # (time, individual, keypoint)
        hidden = labels.hidden_points(ds).transpose(0, 2, 1)  # marked not visible
        if "predicted_position" in ds:
            predicted = ds["predicted_position"].transpose(*order, model.SPACE).values
            confidence = ds["predicted_confidence"].transpose(*order).values
            score = ds["predicted_score"].transpose(model.TIME, model.INDIVIDUAL).values
            tracking = np.full(score.shape, np.nan)
            if labels.PREDICTED_TRACKING_SCORE in ds:
                variable = ds[labels.PREDICTED_TRACKING_SCORE]
                tracking = variable.transpose(model.TIME, model.INDIVIDUAL).values
        else:
            predicted = np.full(position.shape, np.nan)
            confidence = np.full(position.shape[:3], np.nan)
            score = np.full(position.shape[:2], np.nan)
            tracking = score
        n_time, _, n_nodes = flags.shape
        exists = np.stack(
            [
                np.isfinite(position).any(axis=(2, 3)) | hidden.any(axis=2),
                np.isfinite(predicted).any(axis=(2, 3)),
            ],
            axis=1,
        )  # (time, kind: user | predicted, individual)
        at_time, kind, at_ind = np.nonzero(exists)  # frame-major, users first
        is_pred = kind == 1
        ids = np.full(exists.shape, -1, dtype=np.int64)
        ids[at_time, kind, at_ind] = np.arange(at_time.size)

        per_frame = exists.sum(axis=(1, 2))
        frames = np.zeros(n_time, dtype=dtypes["frames"])
        frames["frame_id"] = np.arange(n_time)
        frames["video"] = groups.of_row
        frames["frame_idx"] = groups.index
        frames["instance_id_end"] = np.cumsum(per_frame)
        frames["instance_id_start"] = frames["instance_id_end"] - per_frame
        self.frames = frames

        rank = np.where(is_pred, np.cumsum(is_pred), np.cumsum(~is_pred)) - 1
        table = np.zeros(at_time.size, dtype=dtypes["instances"])
        table["instance_id"] = np.arange(at_time.size)
        table["instance_type"] = np.where(is_pred, PREDICTED, USER)
        table["frame_id"] = at_time
        table["track"] = track_of[at_ind]
        table["from_predicted"] = np.where(is_pred, -1, ids[at_time, 1, at_ind])
        table["score"] = np.where(is_pred, score[at_time, at_ind], np.nan)
        table["point_id_start"] = rank * n_nodes
        table["point_id_end"] = (rank + 1) * n_nodes
        table["tracking_score"] = np.where(is_pred, tracking[at_time, at_ind], np.nan)
        self.instances = table

        user_t, user_i = at_time[~is_pred], at_ind[~is_pred]
        points = np.zeros(user_t.size * n_nodes, dtype=dtypes["points"])
        xy = position[user_t, user_i]
        points["x"], points["y"] = xy[..., 0].reshape(-1), xy[..., 1].reshape(-1)
        points["visible"] = flags[user_t, user_i].reshape(-1)
        # SLEAP's "complete": as read, else a point a person placed or marked not visible
        complete = labels.point_complete(ds).transpose(0, 2, 1)
        points["complete"] = complete[user_t, user_i].reshape(-1)
        self.points = points

        pred_t, pred_i = at_time[is_pred], at_ind[is_pred]
        pred = np.zeros(pred_t.size * n_nodes, dtype=dtypes["pred_points"])
        xy = predicted[pred_t, pred_i]
        pred["x"], pred["y"] = xy[..., 0].reshape(-1), xy[..., 1].reshape(-1)
        pred["visible"] = placed(pred["x"], pred["y"])
        pred["score"] = confidence[pred_t, pred_i].reshape(-1)
        self.pred_points = pred


def check_writable(ds: xr.Dataset) -> None:
    """Refuse a labels dataset whose optional SLEAP variables are inconsistent."""
    present = [name for name in labels.PREDICTED if name in ds]
    if labels.PREDICTED_TRACKING_SCORE in ds and not present:
        raise SchemaError(
            f"{labels.PREDICTED_TRACKING_SCORE} is the tracking score of the predictions in "
            f"{', '.join(labels.PREDICTED)}, which this dataset does not have."
        )
    if present and len(present) != len(labels.PREDICTED):
        raise SchemaError(
            f"The predicted_* variables come together ({', '.join(labels.PREDICTED)}); "
            f"this dataset has only {', '.join(present)}."
        )
