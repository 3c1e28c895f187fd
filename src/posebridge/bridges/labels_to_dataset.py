"""``sleap_io.Labels`` -> a posebridge dataset.

:func:`from_sleap_io` turns the objects of a loaded ``sleap_io.Labels`` into
the columnar tables an .slp file holds (one pass over the labelled frames,
then numpy only) and builds the dataset with the very code that reads .slp
files, so a ``Labels`` and the .slp file it came from give the same dataset.
"""

from __future__ import annotations

import contextlib
import os
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from posebridge import errors, model
from posebridge.bridges.sleap_io_check import is_sleap_io_labels, require_sleap_io
from posebridge.errors import PoseBridgeError, user_stacklevel

__all__ = ["from_sleap_io"]


class _Rows:
    """A numpy structured array that reads like the .slp reader's open HDF5 tables."""

    chunks = None
    ndim = 1

    def __init__(self, array: np.ndarray) -> None:
        self.array = array
        self.dtype = array.dtype
        self.shape = array.shape

    def fields(self, names: list[str]) -> np.ndarray:
        return self.array[list(names)]

    def __getitem__(self, key: Any) -> np.ndarray:
        return self.array[key]


def _video_info(index: int, video: Any) -> Any:
    from posebridge.formats._shared.images import image_side
    from posebridge.formats.sleap.slp_tables import VideoInfo
    from posebridge.formats.sleap.video_facts import facts_of_backend

    source = getattr(video, "source_video", None)
    own = video.filename
    kind = "video"
    images = None
    described = video  # whose backend metadata holds the facts (shape, grayscale ...)
    if source is not None:  # frames embedded in a .pkg.slp: the original video
        kind, own, described = "embedded", source.filename, source
    if isinstance(own, list | tuple):
        images = [str(p) for p in own]
        own = images[0] if images else ""
        kind = "images"
    shape = None
    metadata = getattr(video, "backend_metadata", None) or {}
    if getattr(video, "backend", None) is not None:
        shape = video.shape
    shape = shape or metadata.get("shape")
    width = height = None
    if shape is not None and len(shape) >= 3 and shape[1] and shape[2]:
        height, width = int(shape[1]), int(shape[2])
    elif metadata.get("height_") and metadata.get("width_"):  # an image sequence's size
        height, width = image_side(metadata["height_"]), image_side(metadata["width_"])
    # the Video's recorded metadata as sleap-io takes it: a shape there is the shape; what
    # it leaves out, an opened Video's backend gives (as sleap-io's save_slp writes it)
    opened = _opened_facts(described, shape if described is video else None)
    recorded = getattr(described, "backend_metadata", None) or {}
    facts = {
        **facts_of_backend(opened, in_file=False),
        **facts_of_backend(recorded, in_file=False),
    }
    return VideoInfo(index, str(own), width, height, kind, images, facts)


def _opened_facts(video: Any, shape: Any = None) -> dict[str, Any]:
    """The shape, grayscale and fps of a ``sleap_io.Video`` whose backend is open.

    ``{}`` for a Video not opened: it is not opened here (no frame is decoded).
    ``shape``: the Video's shape when already asked. A backend that cannot tell
    gives nothing, as sleap-io's ``Video.shape`` gives ``None`` then.

    Examples
    --------
    >>> class Video:
    ...     backend, shape, grayscale, fps = object(), (8, 48, 64, 1), True, 25.0
    >>> _opened_facts(Video())
    {'shape': [8, 48, 64, 1], 'grayscale': True, 'fps': 25.0}
    >>> Video.backend = None
    >>> _opened_facts(Video())
    {}
    """
    if getattr(video, "backend", None) is None:
        return {}
    facts: dict[str, Any] = {}
    if shape is None:
        shape = video.shape  # sleap-io gives None when the backend cannot tell
    if shape is not None:
        facts["shape"] = list(shape)
        facts["grayscale"] = bool(shape[-1] == 1)  # as sleap-io's Video.grayscale
    # the video container's frame rate (MediaVideo); a backend that cannot tell gives
    # nothing, as sleap-io's Video.shape takes such a backend
    with contextlib.suppress(Exception):
        facts["fps"] = video.fps
    return facts


def _skeleton(skeleton: Any) -> Any:
    from posebridge.formats.sleap.common import Skeleton

    names = [node.name for node in skeleton.nodes]
    edges = [(e.source.name, e.destination.name) for e in skeleton.edges]
    symmetries = []
    for symmetry in skeleton.symmetries:
        pair = [n.name for n in symmetry.nodes]
        pair.sort(key=names.index)  # a sleap-io symmetry is a set: the skeleton's order
        symmetries.append((pair[0], pair[-1]))
    return Skeleton(
        name=str(skeleton.name or "Skeleton-0"), nodes=names, edges=edges, symmetries=symmetries
    )


def _warn_shared_video_paths(videos: list[Any], where: Path) -> None:
    """Warn when several videos of the labels share one path: a dataset names its video by
    path, so to_sleap_io and the writers give them back as one video, frames merged."""
    keys = [(info.images or [info.path])[0] for info in videos]
    by_key: dict[str, list[int]] = {}
    for index, key in enumerate(keys):  # one step per video
        if key:  # embedded frames of no known source have no path to share
            by_key.setdefault(key, []).append(index)
    shared = {key: indices for key, indices in by_key.items() if len(indices) > 1}
    if shared:
        listing = "; ".join(f"videos {indices} are {key!r}" for key, indices in shared.items())
        warnings.warn(
            f"{where}: several sleap_io.Video objects share a path ({listing}). posebridge "
            "tells videos apart by path, so to_sleap_io and the writers give them back as one "
            "video, their frames merged; give each video its own path to keep them apart.",
            UserWarning,
            stacklevel=user_stacklevel(),
        )


def _tables(labels: Any) -> Any:
    """The .slp tables of a ``Labels``, as the .slp reader's :class:`SlpTables`."""
    from posebridge.formats.sleap.slp_tables import (
        PREDICTED,
        USER,
        SlpTables,
        unique_track_names,
    )
    from posebridge.formats.sleap.slp_write import (
        INSTANCE_DTYPE,
        POINT_DTYPE,
        PRED_POINT_DTYPE,
    )

    sio = require_sleap_io("posebridge.from_sleap_io")
    videos = list(labels.videos)
    video_of = {id(v): i for i, v in enumerate(videos)}
    tracks = list(labels.tracks)
    track_of = {id(t): i for i, t in enumerate(tracks)}
    skeletons = list(labels.skeletons)
    skeleton_of = {id(s): i for i, s in enumerate(skeletons)}

    frame_rows: list[tuple[int, int, int, int]] = []
    instances: list[Any] = []
    for lf in labels.labeled_frames:  # one loop per labelled frame (sleap-io's objects)
        start = len(instances)
        instances.extend(lf.instances)
        if id(lf.video) not in video_of:
            video_of[id(lf.video)] = len(videos)
            videos.append(lf.video)
        frame_rows.append((video_of[id(lf.video)], int(lf.frame_idx), start, len(instances)))
    for inst in instances:  # objects referenced by instances but missing from the lists
        for found, index, items in (
            (inst.track, track_of, tracks),
            (inst.skeleton, skeleton_of, skeletons),
        ):
            if found is not None and id(found) not in index:
                index[id(found)] = len(items)
                items.append(found)

    n = len(instances)
    is_pred = np.fromiter(
        (isinstance(i, sio.PredictedInstance) for i in instances), dtype=bool, count=n
    )
    instance_id = {id(inst): k for k, inst in enumerate(instances)}
    table = np.zeros(n, dtype=INSTANCE_DTYPE)
    table["instance_id"] = np.arange(n)
    table["instance_type"] = np.where(is_pred, PREDICTED, USER)
    frame_of = np.repeat(
        np.arange(len(frame_rows)), [end - start for _, _, start, end in frame_rows]
    )
    table["frame_id"] = frame_of
    table["skeleton"] = [skeleton_of[id(i.skeleton)] for i in instances]
    table["track"] = [-1 if i.track is None else track_of[id(i.track)] for i in instances]
    table["from_predicted"] = [
        instance_id.get(id(i.from_predicted), -1) if i.from_predicted is not None else -1
        for i in instances
    ]
    table["score"] = [
        float(i.score) if p else np.nan for i, p in zip(instances, is_pred, strict=True)
    ]
    table["tracking_score"] = [
        np.nan if i.tracking_score is None else float(i.tracking_score) for i in instances
    ]
    if _tracking_scores_filled_in(labels, table["tracking_score"]):
        table["tracking_score"] = np.nan  # as the .slp reader reads that file: none
    sizes = np.fromiter((len(i.points) for i in instances), dtype=np.int64, count=n)
    tables = {}
    for predicted, dtype in ((False, POINT_DTYPE), (True, PRED_POINT_DTYPE)):
        members = np.flatnonzero(is_pred == predicted)
        counts = sizes[members]
        ends = np.cumsum(counts)
        table["point_id_start"][members] = ends - counts
        table["point_id_end"][members] = ends
        rows = np.zeros(int(counts.sum()), dtype=dtype)
        if members.size:
            arrays = [np.asarray(instances[k].points) for k in members]  # plain views

            def column(field: str, arrays: list = arrays) -> np.ndarray:
                # one field at a time: plain arrays concatenate fast (structured ones do not)
                return np.concatenate([a[field] for a in arrays])

            xy = column("xy")
            rows["x"], rows["y"] = xy[:, 0], xy[:, 1]
            rows["visible"], rows["complete"] = column("visible"), column("complete")
            if predicted:
                rows["score"] = column("score")
        tables[predicted] = rows

    frames = np.array(frame_rows, dtype=np.int64).reshape(-1, 4)
    suggestions = [  # (video row, frame, group), as the .slp reader keeps them
        (video_of[id(s.video)], int(s.frame_idx), int((s.metadata or {}).get("group", 0)))
        for s in labels.suggestions
        if id(s.video) in video_of
    ]
    provenance = dict(labels.provenance) if isinstance(labels.provenance, dict) else None
    where = Path(str((provenance or {}).get("filename") or "<sleap_io.Labels>"))
    return SlpTables(
        path=where,
        format_id=1.2,
        skeletons=[_skeleton(s) for s in skeletons],
        videos=[_video_info(i, v) for i, v in enumerate(videos)],
        tracks=unique_track_names([str(t.name) for t in tracks], where),
        frames={
            "frame_idx": frames[:, 1],
            "instance_id_start": frames[:, 2],
            "instance_id_end": frames[:, 3],
        },
        instances=_Rows(table),
        points=_Rows(tables[False]),
        pred_points=_Rows(tables[True]),
        frame_video=frames[:, 0].astype(np.int32),
        provenance=provenance,
        suggestions=suggestions,
    )


def _tracking_scores_filled_in(labels: Any, tracking_scores: np.ndarray) -> bool:
    """Whether ``tracking_scores`` are sleap-io's fill for an .slp file without them.

    sleap-io gives every instance of a format 1.0/1.1 file (its ``/instances``
    table has no ``tracking_score`` column) a tracking score of 0.0; the .slp
    reader gives such a file none. True when every score is 0 (or missing) and the
    file ``labels.provenance["filename"]`` names (sleap-io sets it on loading) is
    an .slp without that column; a file gone or unreadable leaves the scores.

    Examples
    --------
    >>> class Labels:
    ...     provenance = {"filename": "gone.slp"}
    >>> _tracking_scores_filled_in(Labels(), np.zeros(2))
    False
    """
    if tracking_scores.size == 0 or np.any(tracking_scores[~np.isnan(tracking_scores)] != 0):
        return False
    provenance = labels.provenance if isinstance(labels.provenance, dict) else {}
    filename = str(provenance.get("filename") or "")
    if not filename.lower().endswith(".slp") or not os.path.isfile(filename):
        return False
    import h5py

    try:
        with h5py.File(filename, "r") as h5:
            table = h5.get("instances")
            return isinstance(table, h5py.Dataset) and "tracking_score" not in (
                table.dtype.names or ()
            )
    except OSError:
        return False


#: The start of the warning of predictions ``instances="user"`` leaves out.
PREDICTIONS_LEFT_OUT = "predicted instance(s) of these Labels are left out"


def _warn_predictions_left_out(t: Any, video: int | None) -> None:
    """Warn naming how many predicted instances a labels dataset of user instances leaves
    out: those (of ``video``, else of every video) that no user instance was made from
    (the sources of user instances are kept, as ``predicted_*`` variables).

    Examples
    --------
    >>> _warn_predictions_left_out(tables, None)  # doctest: +SKIP
    """
    from posebridge.formats.sleap.slp_tables import PREDICTED

    table = t.instances.array
    frame_of = np.asarray(table["frame_id"], dtype=np.int64)
    chosen = np.ones(frame_of.size, dtype=bool)
    if video is not None and frame_of.size:
        chosen = np.asarray(t.frame_video)[frame_of] == video
    predicted = table["instance_type"] == PREDICTED
    sources = table["from_predicted"][chosen & ~predicted]
    made_into_user = np.isin(table["instance_id"], sources[sources >= 0])
    left_out = int(np.count_nonzero(chosen & predicted & ~made_into_user))
    if left_out:
        warnings.warn(
            f"{t.path}: {left_out} {PREDICTIONS_LEFT_OUT}: instances='user' gives a labels "
            "dataset of the user instances, which keeps only the predictions a user "
            "instance was made from. Pass instances='predicted' to read the predictions "
            "(or instances='prefer_user' for both, a user instance in place of the "
            "prediction of its frame and track).",
            UserWarning,
            stacklevel=user_stacklevel(),
        )


def from_sleap_io(
    labels: Any,
    video: int | str | os.PathLike[str] | Any | None = None,
    *,
    instances: str = "auto",
    skeleton: int | str | None = None,
) -> xr.Dataset | list[xr.Dataset]:
    """A posebridge dataset from a ``sleap_io.Labels`` (in memory, nothing written).

    Parameters
    ----------
    labels
        A ``sleap_io.Labels``.
    video
        Which video, for predictions: its index, its path (or file name), or
        the ``sleap_io.Video`` itself. Without it, predictions in several
        videos give a list of datasets, one per video (in ``labels.videos``
        order); labels always span every video unless one is given.
    instances
        As the .slp reader: ``"auto"`` (labels when the ``Labels`` hold user
        instances and no prediction but those they were made from, else
        ``"prefer_user"``), ``"user"`` (a labels dataset, see
        :mod:`posebridge.labels`), ``"prefer_user"`` or ``"predicted"``.
    skeleton
        Index or name of the skeleton, when instances use several.

    Returns
    -------
    xarray.Dataset or list of xarray.Dataset
        Validated datasets: tracks -> individuals (``untracked_<k>`` for
        instances without a track), skeleton -> keypoints and
        ``skeleton_edges`` / ``skeleton_symmetries``, point scores ->
        ``confidence``, ``instance_score`` / ``tracking_score``, the video's
        path and size -> ``video_path``, ``video_width``, ``video_height``,
        the provenance's ``sleap_version`` -> ``source_software_version``.

    Raises
    ------
    TypeError
        When ``labels`` is not a ``sleap_io.Labels``.

    Examples
    --------
    >>> import sleap_io as sio  # doctest: +SKIP
    >>> import posebridge
    >>> ds = posebridge.from_sleap_io(sio.load_slp("predictions.slp"))  # doctest: +SKIP
    """
    from posebridge.formats.sleap.slp_labels import build_labels, has_only_labels
    from posebridge.formats.sleap.slp_poses import MODES, build_dataset
    from posebridge.formats.sleap.slp_read import _pick_video

    if not is_sleap_io_labels(labels):
        raise errors.TypeError(
            f"from_sleap_io expects a sleap_io.Labels, got {type(labels).__name__}."
        )
    if instances not in ("auto", *MODES):
        raise PoseBridgeError(f"instances must be one of {('auto', *MODES)}, got {instances!r}.")
    t = _tables(labels)
    _warn_shared_video_paths(t.videos, t.path)
    if isinstance(
        video, require_sleap_io("posebridge.from_sleap_io").Video
    ):  # else an index or a path, checked below
        matches = [i for i, v in enumerate(labels.videos) if v is video]
        if not matches:
            raise PoseBridgeError("video= is a sleap_io.Video that these labels do not hold.")
        video = matches[0]
    mode = instances
    if mode == "auto":
        mode = "user" if has_only_labels(t) else "prefer_user"
    if mode == "user":
        chosen = None if video is None else _pick_video(t, video)
        if instances == "user":  # "auto" reads labels only when no prediction is left out
            _warn_predictions_left_out(t, chosen)
        return model.validate(build_labels(t, chosen, skeleton))
    if video is None and np.unique(t.frame_video).size > 1:
        return [
            model.validate(build_dataset(t, index, instances=mode, skeleton=skeleton))
            for index in range(len(t.videos))
        ]
    ds = build_dataset(t, _pick_video(t, video), instances=mode, skeleton=skeleton)
    return model.validate(ds)
