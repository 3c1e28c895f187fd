"""sleap-io Labels (or posebridge datasets) prepared for the NWB writers of
:mod:`posebridge.io.nwb`: predictions as PoseEstimation datasets (one per video),
user instances as a labels dataset in the Labels' order, and both in one file."""

from __future__ import annotations

import os
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from posebridge import bridges, model
from posebridge._recorded_warnings import dropping_warnings, recording_warnings
from posebridge.errors import PoseBridgeError, user_stacklevel
from posebridge.model import labels as labels_model

PathLike = str | os.PathLike[str]

_PREDICTIONS = "NWB predictions (PoseEstimation)"


def _predictions(labels: Any) -> list[xr.Dataset]:
    """The poses to write as PoseEstimation, one dataset per video with some."""
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
    has_predictions = any(len(lf.predicted_instances) for lf in labels.labeled_frames)
    if not has_predictions:
        raise PoseBridgeError(
            "these Labels hold no predicted instance, so there is nothing to write as NWB "
            "predictions (PoseEstimation); sleap-io raises here too. Save user instances "
            "with nwb_format='annotations'."
        )
    with dropping_warnings(UserWarning, message=".*have no track.*"):
        found = bridges.from_sleap_io(labels, instances="predicted")
    datasets = found if isinstance(found, list) else [found]
    datasets = [d for d in datasets if d.sizes["time"]]
    software = _provenance_attrs(labels)
    return [d.assign_attrs(software) for d in datasets]


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
    if not any(len(lf.user_instances) for lf in labels.labeled_frames):
        raise PoseBridgeError(
            "these Labels hold no user instance, so there are no annotations to write; use "
            "nwb_format='predictions'."
        )
    with dropping_warnings(UserWarning, message=".*have no track.*"):
        ds = bridges.from_sleap_io(labels, instances="user")
    _warn_pointless_instances(labels, ds, filename)
    name = labels_skeleton_name(labels)  # the Labels' own (SLEAP's default 'Skeleton-0' too)
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


def write_annotations_and_predictions(
    labels: Any, ds: xr.Dataset, target: Path, appending: bool, layout: str
) -> Path:
    """User instances as PoseTraining and predicted ones as PoseEstimation, in one file.

    All or nothing: both are written into a temporary file beside ``target``
    (a copy of it when appending), renamed onto it at the end.
    """
    import shutil

    from posebridge._outputs import atomic_outputs
    from posebridge.formats import nwb

    datasets, config = prepared_predictions(labels, None)
    n_predicted = count_predicted(labels)
    with recording_warnings() as caught, atomic_outputs([target], overwrite=True) as (temporary,):
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
            nwb.write(one_video_predictions(datasets, layout), temporary, append=True)
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


def prepared_predictions(
    labels: Any, pose_estimation_metadata: dict[str, Any] | None
) -> tuple[list[xr.Dataset], dict[str, Any]]:
    """Datasets to write (retimed) and the writer's metadata sections."""
    datasets = _predictions(labels)
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


def labels_skeleton_name(labels: Any) -> str | None:
    if bridges.is_sleap_io_labels(labels) and labels.skeletons:
        return str(labels.skeletons[0].name or "") or None
    return None


def one_video_predictions(datasets: list[xr.Dataset], layout: str) -> xr.Dataset:
    if len(datasets) != 1:
        raise PoseBridgeError(
            f"the predictions span {len(datasets)} videos; posebridge's NWB layout holds one "
            "video per file. Pass layout='sleap-io' (one processing module per video, as "
            "sleap-io writes) or write one video at a time."
        )
    return datasets[0]
