"""A posebridge dataset -> ``sleap_io.Labels``.

:func:`to_sleap_io`: the instance tables the .slp writer plans for a dataset
become sleap-io objects, with one loop per labelled frame to build them
(sleap-io holds one Python object per instance).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from posebridge import errors, model
from posebridge.bridges.sleap_io_check import require_sleap_io
from posebridge.errors import SchemaError, user_stacklevel
from posebridge.formats._shared.not_kept import loses_times, warn_times_not_kept
from posebridge.model import labels as labels_model

__all__ = ["to_sleap_io"]


def _sio_skeleton(sio: Any, ds: xr.Dataset, name: str) -> Any:
    from posebridge.formats.sleap.common import skeleton_from_dataset

    skel = skeleton_from_dataset(ds, name)
    return sio.Skeleton(
        nodes=list(skel.nodes),
        edges=[list(e) for e in skel.edges],
        symmetries=[list(s) for s in skel.symmetries],
        name=skel.name,
    )


def _sio_video(
    sio: Any, path: str, images: list[str] | None, size: tuple[Any, Any], facts: dict[str, Any]
) -> Any:
    """A ``sleap_io.Video`` holding what is known of it: the source's shape (its height
    and width the dataset's ``size`` = (width, height) when given), grayscale, fps, and
    the HDF5 ``dataset``, ``input_format`` and ``convert_range`` of a video in an HDF5 file.

    Nothing is made up: without the source's shape the ``Video`` has none (sleap-io
    holds a size only in a shape, whose frame count and channels would be guesses,
    and it takes a shape's channels for the video's colour).
    """
    filename: Any = images if images else (path or labels_model.UNKNOWN_VIDEO)
    metadata: dict[str, Any] = {}
    if "shape" in facts:
        shape = [int(n) for n in facts["shape"]]
        width, height = size
        if width and height:
            shape[1:3] = [int(height), int(width)]
        metadata["shape"] = shape
    # with how sleap-io opens it: the HDF5 dataset of its frames, their layout
    for key in ("grayscale", "bgr", "fps", "dataset", "input_format", "convert_range"):
        if key in facts:
            metadata[key] = facts[key]
    if images:  # an image sequence as sleap-io records one: save_slp writes, load_slp reads it
        metadata["filenames"] = list(images)
        metadata["filename"] = images[0]
    return sio.Video(filename=filename, backend_metadata=metadata, open_backend=False)


def _video_key(video: Any) -> str:
    """A ``sleap_io.Video``'s path as the dataset's SLEAP facts name it (an image
    sequence's first image)."""
    name = video.filename
    if isinstance(name, list | tuple):
        return str(name[0]) if name else ""
    return str(name)


def _sio_suggestions(sio: Any, datasets: list[xr.Dataset], videos: list[Any]) -> list[Any]:
    """``SuggestionFrame`` objects of the datasets' SLEAP suggestions for ``videos``;
    those of other videos are left out with a warning (one object per suggestion)."""
    from posebridge.formats.sleap.project_facts import suggestions_of

    by_key: dict[str, Any] = {}
    for video in videos:
        by_key.setdefault(_video_key(video), video)
    made: dict[tuple[int, int, int], Any] = {}
    left_out: set[str] = set()
    for item in datasets:
        for row in suggestions_of(item):
            video = by_key.get(row["video"])
            if video is None:
                left_out.add(row["video"])
                continue
            group = row.get("group", 0)
            key = (id(video), row["frame_idx"], group)
            if key not in made:
                made[key] = sio.SuggestionFrame(
                    video=video, frame_idx=row["frame_idx"], metadata={"group": group}
                )
    if left_out:
        warnings.warn(
            f"sleap_io.Labels: the SLEAP suggestions of video(s) {sorted(left_out)} are left "
            "out: the Labels hold no such video.",
            UserWarning,
            stacklevel=user_stacklevel(),
        )
    return list(made.values())


def _instance_tables(ds: xr.Dataset) -> dict[str, Any]:
    """Per instance of ``ds``: (row, individual), type, points and scores, vectorised."""
    from posebridge.formats.sleap.slp_labels import LabelsPlan
    from posebridge.formats.sleap.slp_write import (
        FRAME_DTYPE,
        INSTANCE_DTYPE,
        POINT_DTYPE,
        PRED_POINT_DTYPE,
    )

    if labels_model.is_labels(ds):
        plan = LabelsPlan(
            ds,
            {
                "frames": FRAME_DTYPE,
                "instances": INSTANCE_DTYPE,
                "points": POINT_DTYPE,
                "pred_points": PRED_POINT_DTYPE,
            },
        )
        return {
            "frames": plan.frames,
            "instances": plan.instances,
            "points": plan.points,
            "pred_points": plan.pred_points,
            "tracks": plan.tracks,
        }
    from posebridge.formats.sleap.common import placed, writable_frames
    from posebridge.formats.sleap.slp_write import _Plan

    frames = writable_frames(ds, Path("<sleap_io.Labels>"), "sleap_io.Labels")
    plan = _Plan(ds, frames)
    out = {"frames": plan.frames, "instances": plan.instances, "tracks": plan.tracks}
    for predicted, dtype in ((False, POINT_DTYPE), (True, PRED_POINT_DTYPE)):
        subset = plan.is_pred if predicted else ~plan.is_pred
        when, who = plan.at_time[subset], plan.at_ind[subset]
        rows = np.zeros(when.size * plan.n_nodes, dtype=dtype)
        xy = plan.position[when, who]
        rows["x"], rows["y"] = xy[..., 0].reshape(-1), xy[..., 1].reshape(-1)
        rows["visible"] = placed(rows["x"], rows["y"])
        if predicted:
            rows["score"] = plan.confidence[when, who].reshape(-1)
        else:
            rows["complete"] = rows["visible"]
        out["pred_points" if predicted else "points"] = rows
    return out


def to_sleap_io(ds: xr.Dataset | Sequence[xr.Dataset]) -> Any:
    """A ``sleap_io.Labels`` from a posebridge dataset (or one per video).

    Parameters
    ----------
    ds
        A poses dataset (time in frame numbers, or seconds with ``fps`` or a
        ``frame`` coordinate), a labels dataset (:mod:`posebridge.labels`),
        or a list of poses datasets, one per video (as :func:`from_sleap_io`
        returns for predictions in several videos), with at most one labels
        dataset among them: one ``Labels`` holds them all, sharing tracks and
        videos (found by path; predictions without a path, beside labels of
        one video, are that video's), one ``LabeledFrame`` per video and
        frame number holding every dataset's instances there, and one
        skeleton per list of keypoints (datasets of the same keypoints, in
        the same order, share it).

    Returns
    -------
    sleap_io.Labels
        Individuals -> tracks (``untracked_<k>`` -> no track); an instance with
        a point score or an instance score (any instance, when ``instance_kind``
        is ``"predicted"``: NWB PoseEstimation) -> ``PredictedInstance`` (with
        ``score`` and ``tracking_score``), else ``Instance``; a labels dataset
        -> user instances in each of its videos, linked (``from_predicted``)
        to the ``predicted_*`` instances it holds; ``video_path`` -> the
        ``Video``, with the source's ``sleap_video_facts`` (``shape``, its height
        and width from ``video_width`` / ``video_height``, ``grayscale``, ``fps``)
        in its ``backend_metadata``: no shape when the source gave none;
        ``sleap_suggestions`` -> ``suggestions`` (of the videos held, others
        left out with a warning); ``sleap_provenance`` -> ``provenance``.

    Raises
    ------
    TypeError
        When ``ds`` is not an ``xarray.Dataset`` (or a list of them).
    SchemaError
        When the dataset breaks the data model, or a list holds more than one
        labels dataset.

    Examples
    --------
    >>> import numpy as np, posebridge
    >>> ds = posebridge.from_numpy(np.ones((3, 2, 2, 1)), np.ones((3, 2, 1)))
    >>> labels = posebridge.to_sleap_io(ds)  # doctest: +SKIP
    >>> len(labels.labeled_frames)  # doctest: +SKIP
    3
    """
    from posebridge.formats.sleap.common import (
        check_2d,
        project_videos_of,
        skeleton_name_of,
        video_images_of,
    )
    from posebridge.formats.sleap.project_facts import provenance_of
    from posebridge.formats.sleap.slp_labels import CONTENT_KEY, in_project_order
    from posebridge.formats.sleap.slp_labels import check_writable as check_labels
    from posebridge.formats.sleap.slp_tables import PREDICTED
    from posebridge.formats.sleap.video_facts import facts_of

    several = isinstance(ds, list | tuple)
    datasets = list(ds) if several else [ds]
    for item in datasets:
        if not isinstance(item, xr.Dataset):
            raise errors.TypeError(
                "to_sleap_io expects a posebridge (xarray) Dataset or a list of them, got "
                f"{type(item).__name__}."
            )
    sio = require_sleap_io("posebridge.to_sleap_io")
    if not datasets:
        return sio.Labels()
    datasets = [model.validate(d) for d in datasets]
    for item in datasets:
        model.expect_poses(item, "to_sleap_io")
    if any(item.sizes[model.KEYPOINT] == 0 for item in datasets):  # ds.isel(keypoint=[])
        raise SchemaError("the dataset has no keypoints; a SLEAP skeleton needs at least one.")
    if sum(labels_model.is_labels(d) for d in datasets) > 1:
        raise SchemaError("give one labels dataset (it spans every video), not several.")
    _warn_seconds_not_kept(datasets)
    # one skeleton per list of keypoints (in order), in the datasets' order
    skeleton_of: dict[tuple[str, ...], Any] = {}
    for item in datasets:
        nodes = tuple(str(k) for k in item[model.KEYPOINT].values)
        if nodes not in skeleton_of:
            skeleton_of[nodes] = _sio_skeleton(sio, item, skeleton_name_of(item))
    tracks: dict[str, Any] = {}
    videos: list[Any] = []
    frames_out: list[Any] = []
    keys: list[np.ndarray] = []  # (dataset, video, frame, track, predicted) per instance
    any_labels = False
    for item in datasets:
        check_2d(item, Path("<sleap_io.Labels>"), "sleap_io.Labels")
        if labels_model.is_labels(item):
            check_labels(item)
            any_labels = True
        t = _instance_tables(item)
        track_objects = []
        for name in t["tracks"]:
            if name not in tracks:
                tracks[name] = sio.Track(name=name)
            track_objects.append(tracks[name])
        # videos of this dataset
        if labels_model.is_labels(item):  # the videos as the .slp writer orders them
            groups = in_project_order(labels_model.video_groups(item), project_videos_of(item))
            size = (item.attrs.get("video_width"), item.attrs.get("video_height"))
            if np.unique(groups.of_row).size != 1:  # the size is of the one video with frames
                size = (None, None)
            own = [
                _sio_video(
                    sio,
                    name,
                    images,
                    size if (groups.of_row == k).any() else (None, None),  # no frames: no size
                    facts_of(item, images[0] if images else name),
                )
                for k, (name, images) in enumerate(zip(groups.names, groups.images, strict=True))
            ]
        else:
            path = str(item.attrs.get("video_path", ""))
            known = [v for v in videos if v.filename == (path or labels_model.UNKNOWN_VIDEO)]
            if not path and len(videos) == 1:  # predictions of the labels' one video
                known = videos
            images = video_images_of(item)
            own = known[:1] or [
                _sio_video(
                    sio,
                    path,
                    images,
                    (item.attrs.get("video_width"), item.attrs.get("video_height")),
                    _with_frame_rate(facts_of(item, images[0] if images else path), item),
                )
            ]
        videos.extend(v for v in own if not any(v is w for w in videos))
        if several:
            keys.append(_track_keys(t, own, videos, list(tracks), PREDICTED, len(keys)))
        skeleton = skeleton_of[tuple(str(k) for k in item[model.KEYPOINT].values)]
        frames_out.extend(_frames(sio, t, own, skeleton, track_objects, PREDICTED))
    if len(datasets) > 1:
        _refuse_shared_tracks(np.concatenate(keys), videos, list(tracks))
        frames_out = _merged_frames(frames_out)
    # the source's provenance (of the first dataset that keeps one), then posebridge's keys
    provenance = next((p for p in map(provenance_of, datasets) if p), {})
    if not any_labels:
        provenance[CONTENT_KEY] = "poses"
    software = datasets[0].attrs.get("source_software")
    if software:
        provenance["source_software"] = str(software)
    return sio.Labels(
        labeled_frames=frames_out,
        videos=videos,
        skeletons=list(skeleton_of.values()),
        tracks=list(tracks.values()),
        suggestions=_sio_suggestions(sio, datasets, videos),
        provenance=provenance,
    )


def _frame_rate(ds: xr.Dataset) -> float | None:
    """The dataset's ``fps`` when it is a frame rate (a finite number above 0)."""
    fps = ds.attrs.get("fps")
    is_number = isinstance(fps, int | float | np.number) and not isinstance(fps, bool)
    return float(fps) if is_number and np.isfinite(fps) and fps > 0 else None


def _with_frame_rate(facts: dict[str, Any], ds: xr.Dataset) -> dict[str, Any]:
    """The video's facts with the poses' frame rate as its ``fps`` (a poses dataset's
    ``fps`` is its video's; sleap-io's ``Video.fps`` holds it) when the source gave none."""
    fps = _frame_rate(ds)
    if fps is None or "fps" in facts:
        return facts
    return {**facts, "fps": fps}


def _warn_seconds_not_kept(datasets: list[xr.Dataset]) -> None:
    """Warn when time in seconds is not kept: a ``LabeledFrame`` holds a frame number.

    The frame rate is kept (the ``Video``'s ``fps``, :func:`_with_frame_rate`): times
    that are the frames over it (``frame / fps``) can be had again and lose nothing;
    others (timestamps off that grid, or no frame rate) are said to be lost, once.
    """
    lost = next((ds for ds in datasets if loses_times(ds)), None)
    if lost is not None:
        warn_times_not_kept(lost, "sleap_io.Labels", "a LabeledFrame (frame_idx)")


def _track_keys(
    t: dict[str, Any],
    own: list[Any],
    videos: list[Any],
    track_names: list[str],
    predicted_type: int,
    dataset: int,
) -> np.ndarray:
    """(dataset, video, frame, track, predicted) per tracked instance of one dataset's tables.

    ``video`` and ``track`` are positions in the Labels' ``videos`` and tracks.
    """
    frames, inst = t["frames"], t["instances"]
    counts = (frames["instance_id_end"] - frames["instance_id_start"]).astype(np.int64)
    row = np.repeat(np.arange(frames.size), counts)  # each instance's frame
    video_at = np.array([next(i for i, w in enumerate(videos) if w is v) for v in own], int)
    track_at = np.array([track_names.index(name) for name in t["tracks"]], dtype=np.int64)
    local = inst["track"].astype(np.int64)
    tracked = local >= 0  # untracked instances may share a frame
    columns = (
        np.full(int(tracked.sum()), dataset),
        video_at[frames["video"].astype(np.int64)[row[tracked]]],
        frames["frame_idx"].astype(np.int64)[row[tracked]],
        track_at[local[tracked]],
        (inst["instance_type"][tracked] == predicted_type).astype(np.int64),
    )
    return np.stack(columns, axis=1) if columns[0].size else np.zeros((0, 5), np.int64)


def _refuse_shared_tracks(keys: np.ndarray, videos: list[Any], track_names: list[str]) -> None:
    """Refuse instances of one track, kind, video and frame from two datasets of a list.

    A SLEAP frame holds one instance of a track of each kind (user, predicted):
    merged into one ``LabeledFrame`` they would be two, and a reader keeps one.
    """
    if not keys.size:
        return
    _, inverse, counts = np.unique(keys[:, 1:], axis=0, return_inverse=True, return_counts=True)
    shared = counts[inverse.reshape(-1)] > 1
    if not shared.any():
        return
    clash = keys[shared]
    first = clash[0]
    names = [track_names[k] for k in np.unique(clash[:, 3]).tolist()]
    video = videos[int(first[1])].filename
    which = np.unique(clash[:, 0]).tolist()
    raise SchemaError(
        f"datasets {which} of the list hold the same individual(s) {names} in the same "
        f"video ({str(video)!r}) at the same frame numbers (e.g. frame {int(first[2])}): "
        "sleap_io.Labels holds one instance of a track per frame (of each kind, user or "
        "predicted), so one of each pair would be lost when read. Rename the individuals of "
        "one dataset (ds.assign_coords(individual=[...])), or give each dataset its own "
        "video (ds.attrs['video_path'])."
    )


def _merged_frames(frames: list[Any]) -> list[Any]:
    """One ``LabeledFrame`` per (video, frame number): the instances of repeats join the first."""
    merged: dict[tuple[int, int], Any] = {}
    for lf in frames:  # one step per labelled frame
        first = merged.setdefault((id(lf.video), int(lf.frame_idx)), lf)
        if first is not lf:
            first.instances = [*first.instances, *lf.instances]
    return list(merged.values())


def sleap_io_points(
    names: list[str],
    xy: np.ndarray,
    visible: np.ndarray,
    *,
    complete: np.ndarray | None = None,
    scores: np.ndarray | None = None,
) -> np.ndarray | None:
    """All instances' points as one array of sleap-io's point type (instances, nodes).

    Each instance then takes a row (a view): no array is converted per
    instance. ``scores`` given: ``PredictedPointsArray``, else ``PointsArray``;
    ``complete`` not given: false. ``None`` when this sleap-io's point arrays do not
    have the fields expected (the caller then builds each instance with
    ``from_numpy``).

    Examples
    --------
    >>> points = sleap_io_points(
    ...     ["a"], np.ones((2, 1, 2)), np.ones((2, 1), bool), scores=np.full((2, 1), 0.5)
    ... )  # doctest: +SKIP
    >>> points[1]["score"].tolist()  # doctest: +SKIP
    [0.5]
    """
    try:
        from sleap_io.model.instance import PointsArray, PredictedPointsArray
    except ImportError:
        return None
    kind = PredictedPointsArray if scores is not None else PointsArray
    try:
        dtype = kind.empty(0).dtype
    except Exception:  # an API this code does not know
        return None
    fields = {"xy", "visible", "complete"} | ({"score"} if scores is not None else set())
    if dtype.names is None or not fields <= set(dtype.names) or dtype["xy"].shape != (2,):
        return None
    out = np.zeros(visible.shape, dtype=dtype).view(kind)
    out["xy"] = xy
    out["visible"] = visible
    out["complete"] = complete if complete is not None else False
    if scores is not None:
        out["score"] = scores
    if "name" in dtype.names:
        out["name"] = np.asarray(names, dtype=object)
    return out


def _frames(
    sio: Any,
    t: dict[str, Any],
    videos: list[Any],
    skeleton: Any,
    tracks: list[Any],
    predicted_type: int,
) -> list[Any]:
    """sleap-io ``LabeledFrame`` objects from instance tables (a loop per labelled frame)."""
    frames, inst, points, pred = t["frames"], t["instances"], t["points"], t["pred_points"]
    n_nodes = len(skeleton.nodes)
    is_pred = inst["instance_type"] == predicted_type
    # per instance: its rows of points, gathered once with numpy
    user_xy = np.stack([points["x"], points["y"]], axis=-1).reshape(-1, n_nodes, 2)
    user_flags = points["visible"].reshape(-1, n_nodes)
    user_complete = points["complete"].reshape(-1, n_nodes)
    pred_xy = np.stack([pred["x"], pred["y"]], axis=-1).reshape(-1, n_nodes, 2)
    pred_flags = pred["visible"].reshape(-1, n_nodes)
    pred_score = pred["score"].reshape(-1, n_nodes)
    pred_complete = pred["complete"].reshape(-1, n_nodes)
    rank = (inst["point_id_start"] // max(n_nodes, 1)).astype(np.int64)
    track = inst["track"].astype(np.int64)
    score = inst["score"].astype(np.float64)
    tracking = inst["tracking_score"].astype(np.float64)
    source = inst["from_predicted"].astype(np.int64)

    names = list(skeleton.node_names)
    user_points = sleap_io_points(names, user_xy, user_flags, complete=user_complete)
    pred_points = sleap_io_points(
        names, pred_xy, pred_flags, complete=pred_complete, scores=pred_score
    )

    # Python values per instance and frame, taken from the arrays once (numpy's scalars
    # cost more per use than the sleap-io objects they go into)
    ranks, track_of, scores = rank.tolist(), track.tolist(), score.tolist()
    predicted, sources = is_pred.tolist(), source.tolist()
    tracked_scores = np.where(np.isnan(tracking), None, tracking.astype(object)).tolist()

    def make(k: int, objects: dict[int, Any]) -> Any:
        r = ranks[k]
        track_object = tracks[track_of[k]] if track_of[k] >= 0 else None
        tracked = tracked_scores[k]
        if predicted[k] and pred_points is not None:  # a view of the points built at once
            out = sio.PredictedInstance(
                points=pred_points[r],
                skeleton=skeleton,
                score=scores[k],
                track=track_object,
                tracking_score=tracked,
            )
        elif not predicted[k] and user_points is not None:
            out = sio.Instance(
                points=user_points[r],
                skeleton=skeleton,
                track=track_object,
                tracking_score=tracked,
                from_predicted=objects.get(sources[k]) if sources[k] >= 0 else None,
            )
        elif predicted[k]:  # a sleap-io whose point arrays are not as expected
            # columns x, y, score, visible, complete: from_numpy reads five so
            data = np.column_stack([pred_xy[r], pred_score[r], pred_flags[r], pred_complete[r]])
            out = sio.PredictedInstance.from_numpy(
                data,
                skeleton=skeleton,
                point_scores=pred_score[r],
                score=scores[k],
                track=track_object,
                tracking_score=tracked,
            )
        else:
            data = np.column_stack([user_xy[r], user_flags[r], user_complete[r]])
            out = sio.Instance.from_numpy(
                data,
                skeleton=skeleton,
                track=track_object,
                tracking_score=tracked,
                from_predicted=objects.get(sources[k]) if sources[k] >= 0 else None,
            )
        objects[k] = out
        return out

    out = []
    starts, ends = frames["instance_id_start"].tolist(), frames["instance_id_end"].tolist()
    video_of, frame_numbers = frames["video"].tolist(), frames["frame_idx"].tolist()
    for start, end, video, frame_idx in zip(starts, ends, video_of, frame_numbers, strict=True):
        objects: dict[int, Any] = {}  # one iteration per labelled frame
        order = range(start, end)
        if not all(predicted[start:end]):  # predictions first: the labels link to them
            order = sorted(order, key=lambda k: not predicted[k])
        made = {k: make(k, objects) for k in order}
        out.append(
            sio.LabeledFrame(
                video=videos[video],
                frame_idx=frame_idx,
                instances=[made[k] for k in range(start, end)],
            )
        )
    return out
