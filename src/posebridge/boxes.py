"""Bounding boxes made from poses, so pose tracks can be exported as box tracks."""

from __future__ import annotations

import numpy as np
import xarray as xr

from posebridge import model
from posebridge._option_values import expect_number
from posebridge.errors import SchemaError
from posebridge.model import labels

__all__ = ["boxes_from_poses"]


def boxes_from_poses(ds: xr.Dataset, padding: float = 0) -> xr.Dataset:
    """Each individual's box in every frame: its stored ``bbox``, else its keypoints' extent.

    A dataset's own boxes (``bbox``, dim ``box``: x, y, width, height, as COCO,
    YOLO and Label Studio datasets hold a detector's or an annotator's boxes)
    are used where all four numbers are known; elsewhere the box is the
    bounding box of the individual's keypoints. For the keypoints' extent
    everywhere, drop them first: ``boxes_from_poses(ds.drop_vars("bbox"))``.
    Missing (NaN) keypoints are ignored; a frame where all of an individual's
    keypoints are missing (and no box is stored) gives a missing (NaN) box.
    The box confidence is the mean confidence of the keypoints present (an
    individual-wise confidence is taken as it is). Coordinates along time (``time``, ``frame``,
    ``image_path``, ...) and variables over (time, individual) such as
    ``instance_score`` are carried over, as are the attributes.

    Parameters
    ----------
    ds
        A 2D poses dataset. For 3D poses select two axes first, e.g.
        ``ds.sel(space=["x", "y"])``.
    padding
        Margin added on every side of each box (stored ones too), in the units
        of ``position`` (width and height grow by ``2 * padding``).

    Returns
    -------
    xarray.Dataset
        A valid bboxes dataset: ``position`` (box centre), ``shape`` (width,
        height) and ``confidence``.

    Raises
    ------
    SchemaError
        When ``ds`` is not 2D poses of one camera (a ``view`` dim: select one
        view first), or its ``bbox`` is not over (time, box, individual) with
        four numbers per box.
    posebridge.errors.TypeError
        When ``padding`` is not a number (text or a flag).
    PoseBridgeError
        When ``padding`` is negative or not finite.

    Examples
    --------
    >>> import numpy as np
    >>> import posebridge
    >>> poses = posebridge.from_numpy(np.array([[[[0.0], [4.0]], [[1.0], [3.0]]]]))
    >>> boxes = posebridge.boxes_from_poses(poses, padding=1)
    >>> boxes.position.values[0, :, 0].tolist(), boxes.shape.values[0, :, 0].tolist()
    ([2.0, 2.0], [6.0, 4.0])
    """
    ds = model.validate(ds)
    if ds.attrs["ds_type"] != model.POSES:
        raise SchemaError("boxes_from_poses needs a poses dataset; this one holds boxes.")
    if labels.is_labels(ds):  # boxes have no labelled-frames form: no writer would take it
        raise SchemaError(
            "boxes_from_poses takes predictions; these are labelled frames. Turn one video's "
            "into predictions first: posebridge.labels.as_poses(ds, video=...)."
        )
    if model.VIEW in ds.dims:  # one camera at a time: its boxes are its own
        views = [str(v) for v in ds[model.VIEW].values]
        raise SchemaError(
            f"boxes_from_poses makes one camera's boxes; these poses have the views {views}: "
            f"select one first, e.g. ds.sel(view={views[0]!r})."
        )
    space = [str(s) for s in ds["space"].values]
    if space != ["x", "y"]:
        raise SchemaError(
            f"Boxes are 2D, but the poses have space {space}; select two axes first, "
            "e.g. ds.sel(space=['x', 'y'])."
        )
    expect_number(padding, "padding", least=0)  # not a flag or text: float() takes those
    pad = float(padding)

    if not ds.sizes["keypoint"]:  # ds.isel(keypoint=[]): no point to box
        raise SchemaError("the dataset has no keypoints, so no point to draw a box around.")
    position = ds["position"].to_numpy().astype(np.float64)  # (time, space, kp, ind)
    present = ~np.isnan(position).any(axis=1)  # (time, keypoint, individual)
    position = np.where(present[:, None], position, np.nan)  # half-missing = missing
    low = np.fmin.reduce(position, axis=2)  # NaN only where every keypoint is NaN
    high = np.fmax.reduce(position, axis=2)
    centre = (low + high) / 2
    size = high - low + 2 * pad
    if "bbox" in ds.data_vars:
        stored = _stored_boxes(ds["bbox"])  # (time, 4, individual): x, y, width, height
        known = np.isfinite(stored).all(axis=1, keepdims=True)
        centre = np.where(known, stored[:, :2] + stored[:, 2:] / 2, centre)
        size = np.where(known, stored[:, 2:] + 2 * pad, size)

    dims = ("time", "individual")
    if "confidence" in ds and ds["confidence"].dims == dims:
        confidence = ds["confidence"].to_numpy().astype(np.float64)
    else:
        scores = model.confidence_per_keypoint(ds).to_numpy().astype(np.float64)
        used = present & ~np.isnan(scores)
        total, count = np.where(used, scores, 0.0).sum(axis=1), used.sum(axis=1)
        confidence = np.divide(total, count, out=np.full(total.shape, np.nan), where=count > 0)

    boxes = xr.Dataset(
        {
            "position": (model.BBOXES_DIMS, centre),
            "shape": (model.BBOXES_DIMS, size),
            "confidence": (dims, confidence),
        },
        coords={
            name: coord
            for name, coord in ds.coords.items()
            if set(coord.dims) <= {"time", "individual"}
        }
        | {"space": ["x", "y"]},
        attrs={**ds.attrs, "ds_type": model.BBOXES},
    )
    for name, variable in ds.data_vars.items():
        if name not in ("position", "confidence") and set(variable.dims) <= set(dims):
            boxes[name] = variable
    return model.validate(boxes)


def _stored_boxes(bbox: xr.DataArray) -> np.ndarray:
    """A dataset's ``bbox`` as an array (time, 4, individual) of x, y, width, height.

    Raises
    ------
    SchemaError
        When ``bbox`` is not over (time, box, individual) with four numbers per box.
    """
    expected = ("time", "box", "individual")
    if set(bbox.dims) != set(expected) or bbox.sizes["box"] != 4:
        sizes = ", ".join(f"{dim}: {size}" for dim, size in bbox.sizes.items())
        raise SchemaError(
            f"the dataset's bbox should be over (time, box, individual) with 4 numbers per box "
            f"(x, y, width, height); it has ({sizes}). Drop it (ds.drop_vars('bbox')) to box "
            "the keypoints."
        )
    return bbox.transpose(*expected).to_numpy().astype(np.float64)
