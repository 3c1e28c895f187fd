"""Writing SLEAP .slp files (format 1.2, or 1.3/1.4 on request); see :mod:`.slp_read`."""

from __future__ import annotations

import json
import os
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from posebridge import model
from posebridge._outputs import atomic_outputs
from posebridge.errors import PoseBridgeError, SchemaError, user_stacklevel
from posebridge.formats._shared.hdf5 import BLOCK_ROWS, create_table, new_file, write_rows
from posebridge.formats._shared.not_kept import (
    occluded_as_visible,
    warn_alignment_dropped,
    warn_keypoint_variables_dropped,
    warn_label_scores_dropped,
    warn_times_not_kept,
    warn_variables_not_written,
)
from posebridge.formats.sleap.common import (
    check_2d,
    encode_skeleton,
    fixed_strings,
    individual_scores,
    is_untracked_name,
    placed,
    skeleton_from_dataset,
    skeleton_name_of,
    video_images_of,
    writable_frames,
)
from posebridge.formats.sleap.project_facts import provenance_of, suggestion_rows
from posebridge.formats.sleap.slp_labels import (
    CONTENT_KEY,
    LabelsPlan,
    video_json,
)
from posebridge.formats.sleap.slp_labels import check_writable as check_labels
from posebridge.formats.sleap.slp_tables import (
    PREDICTED,
    UNKNOWN_VIDEO,
    USER,
)
from posebridge.formats.sleap.video_facts import facts_of
from posebridge.model import labels

__all__ = ["write"]

WRITE_FORMAT_IDS = (1.2, 1.3, 1.4)
_METADATA_LIMIT = 64_000
#: What a .slp keeps beyond its points (:func:`warn_variables_not_written` names the rest):
#: the skeleton, and the predictions' tracking scores; labels' videos and the predictions
#: their user instances were made from.
_KEPT_OF_POSES = ("skeleton_edges", "tracking_score")
_KEPT_OF_LABELS = (
    "skeleton_edges", labels.VIDEO, *labels.PREDICTED, labels.PREDICTED_TRACKING_SCORE,
)  # fmt: skip
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


# --------------------------------------------------------------------------
# writing


def _per_instance(ds: xr.Dataset, name: str, shape: tuple[int, int]) -> np.ndarray:
    if name not in ds:
        return np.full(shape, np.nan)
    variable = ds[name]
    if set(variable.dims) != {model.TIME, model.INDIVIDUAL}:
        raise PoseBridgeError(f"'{name}' must have dims (time, individual), got {variable.dims}.")
    return np.asarray(variable.transpose(model.TIME, model.INDIVIDUAL).values, dtype=np.float64)


def _video_row(ds: xr.Dataset, video_path: str | None, frames: np.ndarray) -> bytes:
    if video_path is not None and not isinstance(video_path, str | os.PathLike):
        raise SchemaError(f"video_path must be a file path, got {video_path!r}.")
    path = str(video_path) if video_path is not None else str(ds.attrs.get("video_path", ""))
    # sleap-io takes an empty file name for the current folder (an image sequence)
    path = path or UNKNOWN_VIDEO
    images = video_images_of(ds) if video_path is None else None
    size = (ds.attrs.get("video_width"), ds.attrs.get("video_height"))
    if images is not None:  # an image sequence read from SLEAP: every frame's file again
        names = [labels.utf8_text(i) for i in images]
        return video_json(path, names, size, facts_of(ds, images[0]), frames)
    # a Latin-1 name's bytes as %XX, as every writer
    return video_json(labels.utf8_text(path), None, size, facts_of(ds, path), frames)


def _string_dataset(h5: Any, name: str, rows: list[bytes]) -> None:
    """A JSON-rows dataset the way SLEAP writes it: fixed-width bytes, resizable."""
    h5.create_dataset(name, data=fixed_strings([r.decode() for r in rows]), maxshape=(None,))


def write(
    ds: xr.Dataset,
    path: Path,
    *,
    overwrite: bool = False,
    video_path: str | None = None,
    skeleton_name: str | None = None,
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
        ``skeleton_edges`` / ``skeleton_symmetries``); default
        ``ds.attrs["skeleton_name"]``, else ``Skeleton-0``.
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
    path = Path(path)
    if float(format_id) not in WRITE_FORMAT_IDS:
        raise PoseBridgeError(f"format_id must be one of {WRITE_FORMAT_IDS}, got {format_id!r}.")
    check_2d(ds, path, "SLEAP .slp")
    if path.name.lower().endswith(".pkg.slp"):
        warnings.warn(
            f"{path}: a .pkg.slp embeds the labelled frames' images, and posebridge writes "
            "no images: the file holds the poses and points to the videos (or images) by "
            "their paths, as a .slp does (SLEAP's Export Labels Package makes one).",
            UserWarning,
            stacklevel=user_stacklevel(),
        )
    ds = individual_scores(ds)
    labels_plan = None
    if labels.is_labels(ds):
        check_labels(ds)
        warn_label_scores_dropped(ds, path, "SLEAP")
        ds = occluded_as_visible(
            ds,
            path,
            "SLEAP",
            "a point SLEAP marks not visible is a missing point to SLEAP, sleap-io, movement "
            "and posebridge",
        )
        dtypes = {
            "frames": FRAME_DTYPE,
            "instances": INSTANCE_DTYPE,
            "points": POINT_DTYPE,
            "pred_points": PRED_POINT_DTYPE,
        }
        labels_plan = LabelsPlan(ds, dtypes)
        videos_json = labels_plan.videos_json
        video_keys = labels_plan.video_keys
        plan: Any = labels_plan
    else:
        frames = writable_frames(ds, path, "SLEAP .slp")
        warn_times_not_kept(ds, path, "SLEAP .slp")
        plan = _Plan(ds, frames)
        row = _video_row(ds, video_path, frames)  # a size-only shape is marked in the row
        videos_json = [row]
        images = video_images_of(ds) if video_path is None else None
        video_keys = [images[0] if images else str(video_path or ds.attrs.get("video_path", ""))]
    suggestions = suggestion_rows(ds, video_keys, path)
    graph, nodes = encode_skeleton(
        skeleton_from_dataset(ds, skeleton_name or skeleton_name_of(ds))
    )
    metadata = {
        "version": "2.0.0",
        "skeletons": [graph],
        "nodes": nodes,
        "videos": [],
        "tracks": [],
        "suggestions": [],
        "negative_anchors": {},
        # the source's provenance, and whether the file holds labels: poses without
        # scores are stored as user instances
        "provenance": {
            **provenance_of(ds),
            CONTENT_KEY: "poses" if labels_plan is None else "labels",
        },
    }
    # as sleap-io does: the provenance in its own /provenance_json dataset (no size limit,
    # read first by sleap-io and posebridge), and in the metadata too for older readers when
    # it fits HDF5's 64 KB attribute limit
    provenance_blob = json.dumps(metadata["provenance"], separators=(",", ":")).encode()
    blob = json.dumps(metadata, separators=(",", ":")).encode()
    if len(blob) > _METADATA_LIMIT:
        metadata["provenance"] = {CONTENT_KEY: metadata["provenance"][CONTENT_KEY]}
        blob = json.dumps(metadata, separators=(",", ":")).encode()
    if len(blob) > _METADATA_LIMIT:
        raise PoseBridgeError(
            f"{path}: the skeleton's JSON ({len(blob)} bytes) exceeds HDF5's 64 KB attribute "
            "limit, so SLEAP could not store it either; use fewer or shorter keypoint names."
        )
    warn_alignment_dropped(ds, path, "SLEAP .slp")
    written = ("confidence", "visible")
    if labels_plan is not None:  # a user instance's prediction, with its point scores
        written += ("predicted_confidence", labels.COMPLETE)  # and SLEAP's complete flags
    warn_keypoint_variables_dropped(ds, path, "SLEAP .slp", written)
    kept = _KEPT_OF_LABELS if labels_plan is not None else _KEPT_OF_POSES
    warn_variables_not_written(ds, path, "SLEAP .slp", kept=kept)
    with (
        atomic_outputs([path], overwrite=overwrite) as (temporary,),
        new_file(temporary) as h5,
    ):
        group = h5.create_group("metadata")
        group.attrs["format_id"] = float(format_id)
        group.attrs["json"] = np.bytes_(blob)
        h5.create_dataset("provenance_json", data=np.bytes_(provenance_blob))
        _string_dataset(h5, "videos_json", videos_json)
        rows = [json.dumps([0, name], separators=(",", ":")).encode() for name in plan.tracks]
        _string_dataset(h5, "tracks_json", rows)
        _string_dataset(h5, "suggestions_json", suggestions)
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
        # every instance a prediction, scored or not (NWB PoseEstimation, a .slp's predictions)
        if ds.attrs.get(model.INSTANCE_KIND) == model.PREDICTED_INSTANCES:
            predicted = exists
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
            visible = placed(table["x"], table["y"])
            table["visible"] = visible
            if predicted:
                table["score"] = self.confidence[when, who].reshape(-1)
            else:
                table["complete"] = visible  # a user point is one a person placed
            write_rows(dataset, first * self.n_nodes, table)
