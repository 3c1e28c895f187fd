"""sleap-io Labels (or posebridge datasets) prepared for the NWB writers of
:mod:`posebridge.io.nwb`: predictions as PoseEstimation datasets (one per video),
user instances as a labels dataset in the Labels' order, and both in one file."""

from __future__ import annotations

import os
import re
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from posebridge import bridges, model
from posebridge._recorded_warnings import dropping_warnings, recording_warnings
from posebridge.bridges.labels_to_dataset import PREDICTIONS_LEFT_OUT
from posebridge.errors import PoseBridgeError, SchemaError, user_stacklevel
from posebridge.model import labels as labels_model

PathLike = str | os.PathLike[str]

_PREDICTIONS = "NWB predictions (PoseEstimation)"


def _refuse_nul_names(labels: Any, target: Any) -> None:
    """Refuse a skeleton, skeleton node or track of ``sleap_io.Labels`` whose name holds NUL.

    NWB (HDF5) text cannot hold the character; the message names the file and says
    what to rename in sleap-io's terms (the writer's own check speaks of datasets).

    Parameters
    ----------
    labels : sleap_io.Labels
        The Labels to write.
    target : Any
        The file (or in-memory NWBFile) written, named in the message.

    Raises
    ------
    SchemaError
        Naming the file, the skeleton, node or track, and how to rename it.

    Examples
    --------
    >>> _refuse_nul_names(labels, "out.nwb")  # doctest: +SKIP
    """
    where = target if target is not None else "the NWB file"
    for skeleton in labels.skeletons:
        if "\x00" in str(skeleton.name or ""):  # NWB would cut the name at the NUL
            raise SchemaError(
                f"{where}: the skeleton name {str(skeleton.name)!r} holds '\\x00', which NWB "
                "files cannot hold in a name; rename the skeleton first "
                "(skeleton.name = 'new_name')."
            )
        for node in skeleton.node_names:
            if "\x00" in str(node):
                raise SchemaError(
                    f"{where}: the skeleton node name {str(node)!r} holds '\\x00', which NWB "
                    "files cannot hold in a name; rename the node first, e.g. "
                    f"skeleton.rename_nodes({{{str(node)!r}: 'new_name'}})."
                )
    for track in labels.tracks:
        if "\x00" in str(track.name):
            raise SchemaError(
                f"{where}: the track name {str(track.name)!r} holds '\\x00', which NWB files "
                "cannot hold in a name; rename the track first (track.name = 'new_name')."
            )


def _predictions(labels: Any, target: Any = None) -> list[xr.Dataset]:
    """The poses to write as PoseEstimation, one dataset per video with some.

    A video of the Labels that holds user instances only gives no dataset: it
    has no prediction to write. ``target`` (the file, or the in-memory NWBFile)
    names where the poses were going in a refusal."""
    if isinstance(labels, xr.Dataset):
        ds = model.validate(labels)
        model.expect_poses(ds, "NWB's PoseEstimation")
        labels_model.refuse(ds, _PREDICTIONS)
        return [ds]
    if isinstance(labels, list | tuple):
        out = [model.validate(d) for d in labels]
        for ds in out:
            model.expect_poses(ds, "NWB's PoseEstimation")
            labels_model.refuse(ds, _PREDICTIONS)
        return out
    _refuse_nul_names(labels, target)
    predicted_videos, skeletons = _instances_use(labels, user=False)
    if not predicted_videos:
        raise PoseBridgeError(
            "these Labels hold no predicted instance, so there is nothing to write as NWB "
            "predictions (PoseEstimation); sleap-io raises here too. Save user instances "
            "with nwb_format='annotations'."
        )
    _refuse_several_skeletons(labels, skeletons, target)
    with dropping_warnings(UserWarning, message=".*have no track.*"):
        datasets = [
            bridges.from_sleap_io(labels, video=index, instances="predicted")
            for index, video in enumerate(labels.videos)
            if id(video) in predicted_videos
        ]
    software = _provenance_attrs(labels)
    return [d.assign_attrs(software) for d in datasets]


def _instances_use(labels: Any, *, user: bool) -> tuple[set[int], dict[int, Any]]:
    """The videos (by ``id``) whose frames hold user (``user``) or predicted instances,
    and the skeletons those instances use, by ``id``: one pass over the Labels."""
    videos: set[int] = set()
    skeletons: dict[int, Any] = {}
    for frame in labels.labeled_frames:
        instances = frame.user_instances if user else frame.predicted_instances
        if instances:
            videos.add(id(frame.video))
            for instance in instances:
                skeletons.setdefault(id(instance.skeleton), instance.skeleton)
    return videos, skeletons


def _refuse_several_skeletons(
    labels: Any, used: dict[int, Any], target: Any, *, user: bool = False
) -> None:
    """Refuse predicted (``user``: user) instances of several skeletons (``used``, from
    :func:`_instances_use`), naming ``target`` and what to do.

    posebridge's NWB predictions hold one skeleton per file (sleap-io's layout:
    ``sleap_io.load_nwb`` reads every track with the first track's skeleton;
    posebridge's: one dataset). sleap-io's ``save_nwb`` writes such Labels,
    but only the instances of each track's first skeleton (the others are left
    out without a word), so writing them the same way would lose data.
    """
    if len(used) < 2:
        return
    names = [
        str(skeleton.name or index)
        for index, skeleton in enumerate(labels.skeletons)
        if id(skeleton) in used
    ]
    where = target if target is not None else "NWB"
    if user:
        raise PoseBridgeError(
            f"{where}: the user instances of these Labels use {len(used)} skeletons "
            f"({', '.join(names)}), and the NWB annotations (PoseTraining) written here hold "
            "one skeleton. Nothing was written. Save each skeleton's annotations to its own "
            "file: save_nwb(posebridge.from_sleap_io(labels, instances='user', "
            "skeleton=<index or name>), '<file>.nwb', nwb_format='annotations')."
        )
    raise PoseBridgeError(
        f"{where}: the predicted instances of these Labels use {len(used)} skeletons "
        f"({', '.join(names)}), and an NWB file of predictions written here holds one "
        "skeleton (sleap_io.load_nwb reads every track with the first track's skeleton; "
        "sleap_io.save_nwb keeps only the instances of the first skeleton of each track "
        "and leaves the others out). Nothing was written. Save each skeleton's predictions "
        "to its own file: save_nwb(posebridge.from_sleap_io(labels, instances='predicted', "
        "skeleton=<index or name>), '<file>.nwb')."
    )


def _provenance_attrs(labels: Any) -> dict[str, str]:
    """sleap-io's PoseEstimation defaults from SLEAP provenance: scorer, software version."""
    provenance = labels.provenance if isinstance(labels.provenance, dict) else {}
    attrs = {"source_software": "SLEAP", "scorer": str(provenance)}
    version = provenance.get("sleap_version")
    if version is not None:
        attrs["source_software_version"] = str(version)
    return attrs


def annotations_dataset(labels: Any, filename: PathLike) -> xr.Dataset:
    if isinstance(labels, xr.Dataset):
        ds = model.validate(labels)
        if not labels_model.is_labels(ds):
            raise PoseBridgeError(
                "nwb_format='annotations' writes labelled frames (ndx-pose PoseTraining), and "
                "this dataset holds poses; build a labels dataset (posebridge.labels) or use "
                "nwb_format='predictions'."
            )
        return ds
    if isinstance(labels, list | tuple):
        raise PoseBridgeError("annotations are one labels dataset (it spans every video).")
    _refuse_nul_names(labels, filename)
    user_videos, skeletons = _instances_use(labels, user=True)
    if not user_videos:
        raise PoseBridgeError(
            "these Labels hold no user instance, so there are no annotations to write; use "
            "nwb_format='predictions'."
        )
    _refuse_several_skeletons(labels, skeletons, filename, user=True)
    # the predictions are written beside the annotations (or said to be left out) by
    # save_nwb itself: from_sleap_io's warning that they are left out is not for here
    with (
        dropping_warnings(UserWarning, message=".*have no track.*"),
        dropping_warnings(UserWarning, message=f".*{re.escape(PREDICTIONS_LEFT_OUT)}"),
    ):
        ds = bridges.from_sleap_io(labels, instances="user")
    _warn_pointless_instances(labels, ds, filename)
    # the user instances' skeleton's own name (SLEAP's default 'Skeleton-0' too)
    name = labels_skeleton_name(labels, predicted=False)
    return ds.assign_attrs(skeleton_name=name) if name else ds


def _warn_pointless_instances(labels: Any, ds: xr.Dataset, filename: PathLike) -> None:
    """Warn naming how many user instances the labels dataset cannot hold.

    An instance whose points are all missing is kept when they are marked
    (SLEAP's ``complete``, as the GUI sets it: ``visible`` 0 in the dataset,
    written with ``node_visibility`` False), as posebridge reads .slp files; one
    with no point marked (``Instance.from_numpy`` of NaN) is no different from
    no instance in the dataset, so it is not written (sleap-io writes it).
    """
    n_user = sum(len(lf.user_instances) for lf in labels.labeled_frames)
    position = np.isfinite(ds["position"].transpose(model.TIME, model.INDIVIDUAL, ...).values)
    present = position.reshape(*position.shape[:2], -1).any(axis=2)
    present |= labels_model.hidden_points(ds).any(axis=1)
    missing = n_user - int(present.sum())
    if missing > 0:
        warnings.warn(
            f"{filename}: {missing} user instance(s) of these Labels have every point "
            "missing and none marked as placed (sleap-io's points['complete']), which a "
            "posebridge labels dataset cannot tell from no instance: they are not written "
            "(sleap-io writes them). Mark their points complete (as SLEAP's GUI does) to "
            "keep them.",
            UserWarning,
            stacklevel=user_stacklevel(),
        )


def user_instance_order(labels: Any, ds: xr.Dataset) -> np.ndarray | None:
    """The rank of each individual's user instance in its frame, as the Labels list them.

    sleap-io's ``save_nwb`` writes a frame's instances in the Labels' order;
    the dataset holds them by individual (track). Each user instance is matched
    to the individual of its row (video, frame) whose points it has; a frame
    whose instances do not all match keeps the individuals' order.

    Parameters
    ----------
    labels
        A ``sleap_io.Labels`` (else ``None`` is returned).
    ds
        Its user instances as a labels dataset (:func:`annotations_dataset`).

    Returns
    -------
    numpy.ndarray or None
        int64 (time, individual), -1 where the individual has no instance.
    """
    if not bridges.is_sleap_io_labels(labels):
        return None
    rows: dict[tuple[str, int], int] = {}
    for row, (video, frame) in enumerate(
        zip(ds["video"].values.tolist(), ds["frame"].values.tolist(), strict=True)
    ):
        rows.setdefault((str(video), int(frame)), row)
    one_video = len(set(ds["video"].values.tolist())) == 1
    position = ds["position"].transpose(model.TIME, model.INDIVIDUAL, model.KEYPOINT, ...)
    position = np.asarray(position.transpose(..., model.SPACE).values, dtype=np.float64)
    # an individual with no point but some marked not visible: an all-missing instance
    blank = labels_model.hidden_points(ds).any(axis=1) & ~np.isfinite(position).any(axis=(2, 3))
    order = np.full(position.shape[:2], -1, dtype=np.int64)
    for frame in labels.labeled_frames:
        name = frame.video.filename if isinstance(frame.video.filename, str) else None
        row = rows.get((str(name), int(frame.frame_idx)))
        if row is None and one_video:
            row = next((r for (_, f), r in rows.items() if f == int(frame.frame_idx)), None)
        if row is None:
            continue
        ranks: list[int] = []
        for instance in frame.user_instances:
            points = np.asarray(instance.numpy(), dtype=np.float64)
            match = next(
                (
                    i
                    for i in range(position.shape[1])
                    if i not in ranks
                    and (
                        _same_points(position[row, i], points)
                        or (blank[row, i] and not np.isfinite(points).any())
                    )
                ),
                None,
            )
            if match is None:
                break
            ranks.append(match)
        else:
            order[row, ranks] = np.arange(len(ranks))
    return order


def _same_points(stored: np.ndarray, points: np.ndarray) -> bool:
    """Whether an instance's points are those stored for an individual (NaN: none)."""
    if stored.shape != points.shape:
        return False
    kept = np.isfinite(stored)
    return bool(kept.any()) and bool(np.array_equal(stored[kept], points[kept]))


def count_predicted(labels: Any) -> int:
    """How many predicted instances a ``sleap_io.Labels`` holds (0 for a dataset)."""
    if not bridges.is_sleap_io_labels(labels):
        return 0
    return sum(len(lf.predicted_instances) for lf in labels.labeled_frames)


def _without_prediction_only_tracks(ds: xr.Dataset, predictions: list[xr.Dataset]) -> xr.Dataset:
    """The annotations without the individuals (tracks) that only predictions hold.

    The annotations dataset keeps every track of the Labels; a track with no user
    instance has nothing to write in the PoseTraining, and when the predictions
    hold it (written beside, as PoseEstimation) it is not lost: leaving it out of
    the annotations spares the writer's warning that it is not written. A track
    that neither holds is kept, so that warning still names it.

    Parameters
    ----------
    ds : xarray.Dataset
        The user instances as a labels dataset (:func:`annotations_dataset`).
    predictions : list of xarray.Dataset
        The predicted instances, one dataset per video (:func:`prepared_predictions`).

    Returns
    -------
    xarray.Dataset
        ``ds``, or ``ds`` without those individuals (its order otherwise kept).

    Examples
    --------
    >>> _without_prediction_only_tracks(annotations, predictions)  # doctest: +SKIP
    """
    predicted = {str(i) for p in predictions for i in p[model.INDIVIDUAL].values}
    names = [str(i) for i in ds[model.INDIVIDUAL].values]
    keep = _annotated(ds) | ~np.isin(names, list(predicted))
    if keep.all() or not keep.any():  # none to drop, or no annotation left to write
        return ds
    return ds.isel({model.INDIVIDUAL: np.flatnonzero(keep)})


def _annotated(ds: xr.Dataset) -> np.ndarray:
    """Which individuals of a labels dataset have a labelled or marked point (those the
    PoseTraining holds), one bool per individual."""
    others = [d for d in ds["position"].dims if d != model.INDIVIDUAL]
    placed = np.asarray(ds["position"].notnull().any(others).values)
    hidden = np.moveaxis(labels_model.hidden_points(ds), 2, 0)  # individual first
    return placed | hidden.any(axis=tuple(range(1, hidden.ndim)))


def written_track_order(ds: xr.Dataset, predictions: list[xr.Dataset]) -> list[str]:
    """The individuals (tracks) a save of user and predicted instances writes, in the
    Labels' order.

    Parameters
    ----------
    ds : xarray.Dataset
        The user instances as a labels dataset (:func:`annotations_dataset`): every
        track of the Labels, in their order.
    predictions : list of xarray.Dataset
        The predicted instances, one dataset per video (:func:`prepared_predictions`).

    Returns
    -------
    list of str
        The tracks the annotations hold a point of, or the predictions hold, in the
        annotations' (the Labels') order, then any other of the predictions'.

    Examples
    --------
    >>> written_track_order(annotations, predictions)  # doctest: +SKIP
    ['zeta', 'alice', 'bob']
    """
    predicted = list(
        dict.fromkeys(str(i) for p in predictions for i in p[model.INDIVIDUAL].values)
    )
    names = [str(i) for i in ds[model.INDIVIDUAL].values]
    held = set(np.asarray(names, dtype=object)[_annotated(ds)].tolist()) | set(predicted)
    order = [name for name in names if name in held]
    return order + [name for name in predicted if name not in order]


def write_annotations_and_predictions(
    labels: Any, ds: xr.Dataset, target: Path, appending: bool, layout: str
) -> Path:
    """User instances as PoseTraining and predicted ones as PoseEstimation, in one file.

    All or nothing: both are written into a temporary file beside ``target``
    (a copy of it when appending), renamed onto it at the end.
    """
    import shutil

    from posebridge._outputs import atomic_outputs
    from posebridge._write_locks import held_for_writing
    from posebridge.formats import nwb

    datasets, config = prepared_predictions(labels, None, target)
    n_predicted = count_predicted(labels)
    if layout != "sleap-io":
        _refuse_predictions_of_other_video(labels, target)
    # the predictions' tags rank their tracks among all the Labels' tracks written, so
    # that load_nwb puts those of the annotations back in their places (order kept)
    tracks = written_track_order(ds, datasets)
    ds = _without_prediction_only_tracks(ds, datasets)
    with (
        # another posebridge append waits from the copy to the rename (none is lost)
        held_for_writing([target] if appending else []),
        recording_warnings() as caught,
        atomic_outputs([target], overwrite=True) as (temporary,),
        nwb.ranked_in_order(tracks),
    ):
        order = user_instance_order(labels, ds)
        if appending:
            shutil.copyfile(target, temporary)
            nwb.write(ds, temporary, append=True, instance_order=order, layout=layout)
        else:
            nwb.write(ds, temporary, overwrite=True, instance_order=order, layout=layout)
        if layout == "sleap-io":
            nwb.write_sleap_io(
                datasets,
                temporary,
                config or None,
                append=True,
                skeleton_name=labels_skeleton_name(labels),
            )
        else:
            nwb.write(one_video_predictions(datasets, target), temporary, append=True)
        if appending:
            shutil.copymode(target, temporary)
    for found in caught:  # the writers' warnings, naming the file written
        text = str(found.message).replace(str(temporary), str(target))
        warnings.warn(text, found.category, stacklevel=user_stacklevel())
    warnings.warn(
        f"{target}: these Labels hold user and predicted instances; the user instances are "
        f"written as annotations (PoseTraining) and the {n_predicted} predicted instance(s), "
        "with their point scores, as predictions (PoseEstimation) beside them. "
        "posebridge.io.nwb.load_nwb reads both back; sleap_io.load_nwb reads only the "
        "annotations of such a file (sleap-io's own save_nwb writes predictions into the "
        "PoseTraining as if they were labels, without their scores). Pass "
        "nwb_format='predictions' to write the predictions alone.",
        UserWarning,
        stacklevel=user_stacklevel(),
    )
    return target


def _refuse_predictions_of_other_video(labels: Any, target: Path) -> None:
    """Refuse, for posebridge's layout, predictions that are not of the annotations' one video.

    posebridge's layout names no video for its PoseEstimation unless the video
    file exists (then linked); read back, such predictions join the labelled
    frames of the file's video by frame number, so predictions of another
    video would be merged into frames they are not of.
    """
    user_videos = {id(f.video): f.video for f in labels.labeled_frames if len(f.user_instances)}
    predicted_videos = {
        id(f.video): f.video for f in labels.labeled_frames if len(f.predicted_instances)
    }
    if len(user_videos) == 1 and user_videos.keys() == predicted_videos.keys():
        return

    def named(videos: dict[int, Any]) -> str:
        return ", ".join(str(v.filename) for v in videos.values())

    raise PoseBridgeError(
        f"{target}: the user instances of these Labels are of {len(user_videos)} video(s) "
        f"({named(user_videos)}) and their predicted instances of {len(predicted_videos)} "
        f"({named(predicted_videos)}); layout='posebridge' holds the annotations' one video, "
        "with its predictions, per file (its PoseEstimation names no video, so "
        "posebridge.io.nwb.load_nwb would join predictions of another video to the labelled "
        "frames by frame number). Nothing was written. Pass layout='sleap-io' (a processing "
        "module named after each video), or save the predictions alone with "
        "nwb_format='predictions'."
    )


def prepared_predictions(
    labels: Any, pose_estimation_metadata: dict[str, Any] | None, target: Any = None
) -> tuple[list[xr.Dataset], dict[str, Any]]:
    """Datasets to write (retimed) and the writer's metadata sections; ``target`` (the file
    or NWBFile written) names where in a refusal."""
    datasets = _predictions(labels, target)
    metadata = dict(pose_estimation_metadata or {})
    timing = {
        key: metadata.pop(key)
        for key in ("video_timestamps", "video_sample_rate")
        if key in metadata
    }
    from posebridge.formats import nwb

    datasets = [
        nwb.retime(
            ds, timestamps=timing.get("video_timestamps"), rate=timing.get("video_sample_rate")
        )
        for ds in datasets
    ]
    return datasets, ({"pose_estimation": metadata} if metadata else {})


def labels_skeleton_name(labels: Any, predicted: bool = True) -> str | None:
    """The name of the skeleton of the Labels' predicted (else user) instances, as written.

    The skeleton of the first such instance (one per file: several are refused
    before writing), else the Labels' first skeleton; ``None`` for a dataset."""
    if not (bridges.is_sleap_io_labels(labels) and labels.skeletons):
        return None
    kind = "predicted_instances" if predicted else "user_instances"
    first = next(
        (getattr(f, kind)[0].skeleton for f in labels.labeled_frames if len(getattr(f, kind))),
        labels.skeletons[0],
    )
    return str(first.name or "") or None


def one_video_predictions(datasets: list[xr.Dataset], target: Any) -> xr.Dataset:
    """The one dataset of predictions posebridge's layout writes to ``target``, else a
    refusal naming it (``datasets``: one per video with predicted instances)."""
    if len(datasets) != 1:
        raise PoseBridgeError(
            f"{target}: the predictions span {len(datasets)} videos; posebridge's NWB layout "
            "holds one "
            "video per file. Pass layout='sleap-io' (one processing module per video, as "
            "sleap-io writes) or write one video at a time."
        )
    return datasets[0]
