"""Warnings of what a writer's format cannot hold: the images, data splits, categories
and boxes of frames; instances' image ids, areas, scores and skeleton symmetries; one
confidence per individual written as every keypoint's."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import pandas as pd
import xarray as xr

from posebridge import model, registry
from posebridge.errors import user_stacklevel
from posebridge.model import labels

__all__ = ["warn_frame_facts_dropped", "warn_individual_confidence", "warn_instance_facts_dropped"]


#: Formats that hold one confidence per individual as it is (the rest broadcast it).
_INDIVIDUAL_SCORES = ("sleap", "slp", "netcdf")


#: Formats that hold the ``image_path`` of poses (predictions on still images: COCO results,
#: Label Studio predictions) or boxes (VIA's file names); COCO only as ground truth, whose
#: images its results refer to.
_IMAGE_PATHS_OF_POSES = ("dlc", "lp", "netcdf", "yolo", "labelstudio", "via")
#: Formats that hold ``data_split`` (a DeepLabCut .h5 of labels says itself that it does not).
_DATA_SPLITS = ("dlc", "lp", "netcdf", "yolo")
#: Formats that keep instances' categories (classes, species).
_CATEGORIES = ("coco", "yolo", "yolo-predictions", "labelstudio", "netcdf")
#: Formats that keep instances' boxes (``bbox``): COCO's bbox, YOLO's box columns, Label
#: Studio's rectangles, netCDF (every variable).
_BOXES = ("coco", "yolo", "yolo-predictions", "labelstudio", "netcdf")


def warn_frame_facts_dropped(
    ds: xr.Dataset, fmt: registry.Format, target: Path | str, options: dict[str, Any]
) -> None:
    """Warn when the images that poses were made on, the data splits or the instances'
    categories or boxes are not written.

    Poses of still images (``image_path`` without being labels: COCO results,
    Label Studio predictions) written to a format that names no image read back
    as frames 0..n-1 of one video; ``data_split`` (train/val/test) is held by few
    formats. Both were dropped without a word.

    Examples
    --------
    >>> import numpy as np, posebridge
    >>> ds = posebridge.from_numpy(np.zeros((2, 2, 1, 1)))
    >>> warn_frame_facts_dropped(ds, registry.get("slp"), Path("a.slp"), {})  # nothing to say
    """
    coco_ground_truth = fmt.name == "coco" and options.get("kind") == "ground_truth"
    if (
        labels.IMAGE_PATH in ds.coords
        and not labels.is_labels(ds)
        and not ds.attrs.get("video_path")  # frames of one video (labels.as_poses), as timed
        and fmt.name not in _IMAGE_PATHS_OF_POSES
        and not coco_ground_truth
    ):
        hint = (
            "write the ground truth too and read the results back with ground_truth="
            if fmt.name == "coco"
            else "netCDF, DeepLabCut / LightningPose, YOLO and Label Studio keep them"
        )
        warnings.warn(
            f"{target}: {fmt.title} names no image for poses, so their image_path (the images "
            f"they were made on) is not written and they read back as frames of one video, "
            f"without their images; {hint}.",
            UserWarning,
            stacklevel=user_stacklevel(),
        )
    if fmt.name not in _CATEGORIES and "category" in ds.data_vars:
        named = pd.unique(ds["category"].values.astype(str).ravel())
        named = [str(n) for n in named if n not in ("", "nan", "None")]
        if named:
            shown = ", ".join(named[:5]) + (", ..." if len(named) > 5 else "")
            warnings.warn(
                f"{target}: {fmt.title} holds no categories, so each instance's category "
                f"({shown}) is not written; COCO, YOLO, Label Studio and netCDF keep them.",
                UserWarning,
                stacklevel=user_stacklevel(),
            )
    if fmt.name not in _BOXES and "bbox" in ds.data_vars:
        boxed = int(ds["bbox"].notnull().all("box").sum())
        if boxed:
            warnings.warn(
                f"{target}: {fmt.title} holds no boxes, so bbox (the box of {boxed} "
                "instance(s)) is not written; netCDF, COCO, YOLO and Label Studio keep them.",
                UserWarning,
                stacklevel=user_stacklevel(),
            )
    several = "data_split" in ds.coords and pd.unique(ds["data_split"].values.ravel()).size > 1
    if several and fmt.name not in _DATA_SPLITS:  # one split: nothing parts the frames
        warnings.warn(
            f"{target}: {fmt.title} holds no data splits, so data_split (each frame's "
            "train/val/test) is not written; write one file per split "
            "(ds.sel(time=ds.data_split == 'train')), or a format that holds them (YOLO, "
            "DeepLabCut / LightningPose .csv, netCDF).",
            UserWarning,
            stacklevel=user_stacklevel(),
        )


#: What COCO and Label Studio files hold depends on their kind: the kind a writer's
#: ``kind="auto"`` picks for labels, and for predictions.
_AUTO_KINDS = {"coco": ("ground_truth", "results"), "labelstudio": ("annotations", "predictions")}
#: COCO's ``image_id`` of each image (results refer to their ground truth's images by it).
_IMAGE_IDS = ("coco", "netcdf")
#: COCO's ``instance_area`` (the object scale of its keypoint similarity, OKS): COCO ground
#: truth's area; a COCO results file has none.
_AREAS = ("coco:ground_truth", "netcdf")
#: ``area`` (idtracker.ai's blob area of each animal): netCDF alone.
_BLOB_AREAS = ("netcdf",)
#: ``skeleton_symmetries`` (keypoints that swap in a left-right flip): SLEAP's skeleton,
#: YOLO's data.yaml flip_idx.
_SYMMETRIES = ("slp", "sleap", "yolo", "netcdf")
#: ``instance_score`` (each instance's detection score): SLEAP predictions, COCO results,
#: Label Studio predictions, YOLO predictions (save_conf).
_INSTANCE_SCORES = (
    "slp:poses", "sleap", "sleap-csv", "coco:results", "labelstudio:predictions",
    "yolo-predictions", "netcdf",
)  # fmt: skip


def _kept_by(
    ds: xr.Dataset, fmt: registry.Format, options: dict[str, Any], keep: tuple[str, ...]
) -> bool:
    """Whether ``fmt`` (written with ``options``) is one of ``keep``: format names, or
    ``name:kind`` for what one kind of its files holds (``kind`` poses / labels for .slp)."""
    is_labels = labels.is_labels(ds)
    kind = options.get("kind", "auto")
    if fmt.name in _AUTO_KINDS and kind == "auto":
        kind = _AUTO_KINDS[fmt.name][0 if is_labels else 1]
    if fmt.name == "slp":
        kind = "labels" if is_labels else "poses"
    return fmt.name in keep or f"{fmt.name}:{kind}" in keep


def warn_instance_facts_dropped(
    ds: xr.Dataset, fmt: registry.Format, target: Path | str, options: dict[str, Any]
) -> None:
    """Warn when COCO's image ids or areas, idtracker.ai's blob areas, skeleton symmetries
    or instance scores are not written: ``fmt`` (with ``options``) has no place for them,
    so they do not read back.

    ``image_id`` (results match their ground truth's images by it) reads back renumbered;
    ``instance_area`` (COCO's scale of keypoint similarity) as the box's area when written
    back to COCO; ``skeleton_symmetries`` (YOLO's flip_idx) not at all; ``instance_score``
    as the mean of the keypoints' confidence. NWB's writer of poses names the variables it
    does not write itself (:func:`posebridge.formats.nwb.build.warn_unwritten`).

    Examples
    --------
    >>> import warnings
    >>> import numpy as np, posebridge
    >>> ds = posebridge.from_numpy(np.zeros((2, 2, 1, 1)))
    >>> ds["instance_score"] = (("time", "individual"), np.ones((2, 1)))
    >>> warn_instance_facts_dropped(ds, registry.get("slp"), Path("a.slp"), {})  # kept
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     warn_instance_facts_dropped(ds, registry.get("dlc"), Path("a.h5"), {})
    >>> str(caught[0].message)[:58]
    'a.h5: DeepLabCut holds no instance scores, so instance_sco'
    """
    said_by_writer = fmt.name == "nwb" and not labels.is_labels(ds)  # warn_unwritten
    areas = int(ds["instance_area"].notnull().sum()) if "instance_area" in ds else 0
    scores = int(ds["instance_score"].notnull().sum()) if "instance_score" in ds else 0
    pairs = ds["skeleton_symmetries"].size // 2 if "skeleton_symmetries" in ds else 0
    dropped = []
    if "image_id" in ds.coords and ds.sizes[model.TIME]:
        lost = "image_id (each image's COCO id, by which results and ground truth match)"
        dropped.append(
            (
                "image ids",
                f"{lost} is not written: COCO files made from it number the images again "
                "(by the numbers in their names where those are the frame numbers)",
                "COCO and netCDF",
                _IMAGE_IDS,
            )
        )
    if areas and not said_by_writer:
        lost = f"instance_area (COCO's scale of keypoint similarity, of {areas} instance(s))"
        dropped.append(
            (
                "COCO areas",
                f"{lost} is not written (COCO ground truth made from "
                "the file gets each box's area)",
                "COCO ground truth and netCDF",
                _AREAS,
            )
        )
    blobs = int(ds["area"].notnull().sum()) if "area" in ds.data_vars else 0
    if blobs and not said_by_writer:
        lost = f"area (idtracker.ai's blob area, of {blobs} instance(s))"
        dropped.append(("blob areas", f"{lost} is not written", "netCDF", _BLOB_AREAS))
    if pairs and not said_by_writer:
        lost = f"skeleton_symmetries ({pairs} pair(s) of keypoints a left-right flip swaps)"
        dropped.append(
            (
                "skeleton symmetries",
                f"{lost} is not written",
                "SLEAP, YOLO (flip_idx) and netCDF",
                _SYMMETRIES,
            )
        )
    if scores and not said_by_writer:
        lost = f"instance_score (the score of {scores} instance(s))"
        dropped.append(
            (
                "instance scores",
                f"{lost} is not written (COCO results made from "
                "the file get the mean of the keypoints' confidence)",
                "SLEAP, COCO results, Label Studio and YOLO predictions, and netCDF",
                _INSTANCE_SCORES,
            )
        )
    for what, lost, keepers, keep in dropped:
        if _kept_by(ds, fmt, options, keep):
            continue
        keeps = "keep" if " and " in keepers else "keeps"
        warnings.warn(
            f"{target}: {fmt.title} holds no {what}, so {lost}; {keepers} {keeps} them.",
            UserWarning,
            stacklevel=user_stacklevel(),
        )


def warn_individual_confidence(ds: xr.Dataset, fmt: registry.Format) -> None:
    """Warn when one confidence per individual is written as every keypoint's confidence.

    Formats that hold a per-individual score (SLEAP's instance scores, netCDF)
    keep it as such; the others broadcast it, and say so with a ``UserWarning``.

    Examples
    --------
    >>> import numpy as np, posebridge
    >>> ds = posebridge.from_numpy(np.zeros((2, 2, 1, 1)), confidence_array=np.ones((2, 1)))
    >>> warn_individual_confidence(ds, registry.get("slp"))  # kept as instance scores
    """
    if "confidence" not in ds.data_vars or model.KEYPOINT in ds["confidence"].dims:
        return
    if ds.attrs["ds_type"] != model.POSES or fmt.name in _INDIVIDUAL_SCORES:
        return
    warnings.warn(
        f"the dataset has one confidence per individual (time, individual); {fmt.title} "
        "stores confidence per keypoint, so each individual's score is written as the "
        "confidence of every one of its keypoints.",
        UserWarning,
        stacklevel=user_stacklevel(),
    )
