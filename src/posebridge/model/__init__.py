"""The posebridge data model: one xarray Dataset per pose or box track set.

The model is movement's (>= 0.17) so that a dataset from posebridge goes into
movement's analysis functions as it is, and a movement dataset comes into
posebridge's writers as it is.

Poses (``attrs["ds_type"] == "poses"``)

============== ======================================== =========================
name           dims                                     meaning
============== ======================================== =========================
``position``   (time, space, keypoint, individual)      float, NaN = missing
``confidence`` (time, keypoint, individual)             float, NaN = none given
               (or (time, individual): one per animal)
============== ======================================== =========================

Bounding boxes (``attrs["ds_type"] == "bboxes"``): ``position`` (box centre)
and ``shape`` (width, height), both (time, space, individual); ``confidence``
(time, individual).

Coordinates: ``time`` (int64 frame numbers when ``time_unit == "frames"``,
float64 seconds when ``time_unit == "seconds"``), ``space`` (``x``, ``y`` and
maybe ``z``), ``keypoint`` and ``individual`` (strings, in the source's order).

Attributes: ``ds_type``, ``time_unit``, ``source_software``, ``source_file``
(a string), ``fps`` (only when known). No attribute is ever ``None`` or a
``Path``: every dataset saves with ``ds.to_netcdf()`` as it is.

What a source carries beyond this is kept under the names in :data:`EXTRAS`
(in :mod:`posebridge.model.names`, each with its meaning), so that a round
trip through any format that can hold it loses nothing.

Labelled frames (training annotations) are poses datasets with
``attrs["content"] == "labels"``, ``time`` counting the labelled frames and the
coordinates ``video``, ``frame`` and ``image_path`` along it; see
:mod:`posebridge.model.labels` for the full description.

The package is one layer with no circle: ``names`` (imports nothing) ->
``time_axis`` -> ``build`` -> ``labels`` -> ``validate``, beside ``units`` (the names of
position units, imports nothing). It imports nothing else of
posebridge but :mod:`posebridge.errors`.
"""

from posebridge.model import labels
from posebridge.model.build import (
    bboxes_from_numpy,
    confidence_per_keypoint,
    expect_poses,
    from_numpy,
    name_texts,
)
from posebridge.model.names import (
    BBOXES,
    BBOXES_DIMS,
    EXTRAS,
    FRAME,
    INDIVIDUAL,
    INSTANCE_KIND,
    KEYPOINT,
    LEGACY_DIM_NAMES,
    POSES,
    POSES_DIMS,
    PREDICTED_INSTANCES,
    ROW_LIST,
    ROW_LIST_ATTRS,
    SPACE,
    SPACE_NAMES,
    TIME,
    TIME_UNITS,
    VIEW,
)
from posebridge.model.time_axis import (
    checked_fps,
    distinct_frame_numbers,
    frame_numbers,
    nearest_frames,
    whole_numbers,
    with_file_fps,
    with_fps,
)
from posebridge.model.validate import validate

__all__ = [
    "BBOXES",
    "BBOXES_DIMS",
    "EXTRAS",
    "FRAME",
    "INDIVIDUAL",
    "INSTANCE_KIND",
    "KEYPOINT",
    "LEGACY_DIM_NAMES",
    "POSES",
    "POSES_DIMS",
    "PREDICTED_INSTANCES",
    "ROW_LIST",
    "ROW_LIST_ATTRS",
    "SPACE",
    "SPACE_NAMES",
    "TIME",
    "TIME_UNITS",
    "VIEW",
    "bboxes_from_numpy",
    "checked_fps",
    "confidence_per_keypoint",
    "distinct_frame_numbers",
    "expect_poses",
    "frame_numbers",
    "from_numpy",
    "labels",
    "name_texts",
    "nearest_frames",
    "validate",
    "whole_numbers",
    "with_file_fps",
    "with_fps",
]
