"""The label lines a YOLO pose dataset's writer makes: each instance's class (YOLO's
0..nc-1) and its line (class, box centre and size, x y v per keypoint, normalised by its
image's size), with the warnings of what Ultralytics would read otherwise (points or boxes
outside the image, boxes too small, lines it takes as one).
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from posebridge import model
from posebridge.errors import user_stacklevel, with_command_line_wording
from posebridge.formats._shared.images import box_extras
from posebridge.formats._shared.not_kept import placed_instances
from posebridge.formats.yolo._label_text import format_lines, repeated_lines
from posebridge.model import labels

__all__ = ["instance_classes", "label_lines"]

_DIMS = (model.TIME, model.INDIVIDUAL, model.KEYPOINT)


def instance_classes(ds: xr.Dataset, path: Path) -> tuple[np.ndarray, dict[int, str]]:
    """The YOLO class of each instance (time, individual) and the class names by id.

    YOLO numbers classes 0..nc-1 without gaps. Category ids that are already
    those (a YOLO dataset's) are kept; others (COCO's, which start at 1 and may
    skip numbers) become 0, 1, ... in the order of their ids, with a warning
    naming the renumbering. A placed instance of no category (id -1) among them
    is class ``animal``, as unnamed ones are by name. Categories given by name only: see
    :func:`_classes_by_name`.
    """
    if "category_id" not in ds:
        return _classes_by_name(ds)
    grid = np.asarray(
        ds["category_id"].transpose(model.TIME, model.INDIVIDUAL).values, dtype=np.int64
    )
    names = (
        np.asarray(ds["category"].transpose(model.TIME, model.INDIVIDUAL).values).astype(str)
        if "category" in ds
        else np.full(grid.shape, "", dtype=str)
    )
    used = np.unique(grid[grid >= 0])
    if not used.size:
        return np.zeros_like(grid), {0: "animal"}
    classes = np.maximum(np.searchsorted(used, grid), 0)  # rank of each id among those used
    classes[grid < 0] = 0
    if not np.array_equal(used, np.arange(used.size)):
        pairs = ", ".join(f"{a} -> {b}" for a, b in zip(used[:6], range(6), strict=False))
        warnings.warn(
            f"{path}: YOLO numbers classes 0 to nc-1 without gaps; the category ids "
            f"{used.tolist()[:6]}{' ...' if used.size > 6 else ''} are written as classes "
            f"0 to {used.size - 1} in their order ({pairs}{', ...' if used.size > 6 else ''}).",
            UserWarning,
            stacklevel=user_stacklevel(),
        )
    named = (grid >= 0) & (names != "")
    named_ids, first = np.unique(grid[named], return_index=True)  # each id's first name
    known = dict(zip(named_ids.tolist(), names[named][first].tolist(), strict=True))
    table = {rank: known.get(cid) or f"class_{cid}" for rank, cid in enumerate(used.tolist())}
    unset = (grid < 0) & placed_instances(ds)  # an instance of no category among others
    if unset.any():
        animal = next((rank for rank, name in table.items() if name == "animal"), len(table))
        table.setdefault(animal, "animal")
        classes[unset] = animal
    return classes, table


def _classes_by_name(ds: xr.Dataset) -> tuple[np.ndarray, dict[int, str]]:
    """:func:`instance_classes` of categories named without ids (Label Studio's rectangle labels).

    Classes are the names in the order they first come (time, then individual);
    placed instances without a name are class ``animal`` (one class ``animal``
    when no instance has a category).
    """
    shape = (ds.sizes[model.TIME], ds.sizes[model.INDIVIDUAL])
    if "category" not in ds:
        return np.zeros(shape, dtype=np.int64), {0: "animal"}
    names = np.asarray(ds["category"].transpose(model.TIME, model.INDIVIDUAL).values).astype(str)
    named = names != ""
    codes, uniques = pd.factorize(names[named])  # row-major: time, then individual
    in_order = uniques.tolist()
    unnamed = in_order.index("animal") if "animal" in in_order else len(in_order)
    classes = np.full(shape, unnamed, dtype=np.int64)
    classes[named] = codes
    table = dict(enumerate(in_order))
    if unnamed not in table and (not table or (~named & placed_instances(ds)).any()):
        table[unnamed] = "animal"
    return classes, table


def label_lines(ds: xr.Dataset, sizes: np.ndarray, class_ids: np.ndarray) -> list[str]:
    """The text of every row's label file (one line per instance)."""
    xy = ds["position"].transpose(model.TIME, model.INDIVIDUAL, model.KEYPOINT, model.SPACE)
    xy = np.asarray(xy.values, dtype=np.float64)
    finite = np.isfinite(xy).all(axis=-1)
    if labels.VISIBLE in ds:
        visible = np.asarray(ds[labels.VISIBLE].transpose(*_DIMS).values, dtype=np.float64)
        flags = np.where(finite, np.where((visible == 0) | (visible == 1), 1, 2), 0)
    else:
        flags = np.where(finite, 2, 0)
    boxes = box_extras(ds).transpose(0, 2, 1)  # (time, individual, 4)
    present = finite.any(axis=2) | np.isfinite(boxes).all(axis=2)
    rows, cols = np.nonzero(present)
    scale = sizes[rows].astype(np.float64)  # (n, 2)
    box = boxes[rows, cols]
    centre = (box[:, :2] + box[:, 2:] / 2) / scale
    extent = box[:, 2:] / scale
    points = np.where(finite[rows, cols][..., None], xy[rows, cols] / scale[:, None, :], 0.0)
    classes = class_ids[rows, cols]
    keypoints = np.concatenate([points, flags[rows, cols][..., None]], axis=-1)
    table = np.column_stack(
        [centre, np.where(np.isfinite(extent), extent, 0.0), keypoints.reshape(rows.size, -1)]
    )
    table[:, :2] = np.where(np.isfinite(table[:, :2]), table[:, :2], 0.0)
    _warn_outside(ds, table[:, :4], points, finite[rows, cols], rows, cols, sizes)
    _warn_small_boxes(ds, table[:, 2:4], rows, cols, sizes)
    _warn_repeated(ds, np.column_stack([classes, table]), rows, cols)
    line_text = _format_rows(classes, table, flags[rows, cols])
    out = [""] * ds.sizes[model.TIME]
    grouped = pd.Series(line_text, dtype=object).groupby(rows).agg("\n".join)
    for row, text_of_row in grouped.items():
        out[int(row)] = text_of_row + "\n"
    return out


def _warn_outside(
    ds: xr.Dataset,
    box: np.ndarray,
    points: np.ndarray,
    finite: np.ndarray,
    rows: np.ndarray,
    cols: np.ndarray,
    sizes: np.ndarray,
) -> None:
    """Warn of points outside their image (or a box centre below 0), naming the first.

    Ultralytics leaves out a label file holding a keypoint coordinate above 1 or any value
    below 0 (its ``verify_image_label``; numbers read as float32), so that image drops out
    of training. posebridge reads such files back as written, so they are written: tracking
    output often places a point a little beyond the frame.
    """
    single = points.astype(np.float32)  # Ultralytics reads the numbers as float32
    bad_point = finite & ((single < 0) | (single > 1)).any(axis=-1)
    bad_box = (np.nan_to_num(box).astype(np.float32) < 0).any(axis=-1)
    bad = bad_point.any(axis=-1) | bad_box
    if not bad.any():
        return
    at = int(np.argmax(bad))
    row, col = int(rows[at]), int(cols[at])
    width, height = (int(v) for v in sizes[row])
    who = f"individual {str(ds[model.INDIVIDUAL].values[col])!r} at time index {row}"
    if bad_point[at].any():
        k = int(np.argmax(bad_point[at]))
        x, y = points[at, k] * (width, height)
        what = f"keypoint {str(ds[model.KEYPOINT].values[k])!r} of {who} lies at ({x:g}, {y:g})"
    else:
        what = f"the box of {who} has its centre or size below 0"
    images = len(np.unique(rows[bad]))
    advice = "Set such points to NaN (ds.where(...)) or give the images' real size."
    warning = UserWarning(
        f"{images} label file(s) hold points outside their image, which Ultralytics leaves "
        f"out of training (values outside 0..1); the first: {what}, outside its {width} x "
        f"{height} image. {advice}"
    )
    wording = {  # the command line cannot mask points: it can give the size
        advice: "Give the images' real size (--option 'image_size=[W,H]', width and height "
        "in pixels); setting such points to NaN takes Python (ds.where(...))."
    }
    warnings.warn(with_command_line_wording(warning, wording), stacklevel=user_stacklevel())


#: Ultralytics' default training size: an image's longer side is resized to it.
_TRAIN_SIZE = 640
#: Ultralytics keeps a box through augmentation only when wider and taller than this, in
#: pixels of the training image (``RandomPerspective.box_candidates``, ``wh_thr=2``).
_MIN_BOX = 2


def _warn_small_boxes(
    ds: xr.Dataset, extent: np.ndarray, rows: np.ndarray, cols: np.ndarray, sizes: np.ndarray
) -> None:
    """Warn of boxes that Ultralytics' training drops, counting them and naming the smallest.

    An instance without a stored ``bbox`` gets the extent of its keypoints: 0 x 0
    for one point (TRex and idtracker.ai centroids), a line for points in a row.
    Ultralytics resizes each image to 640 pixels on its longer side and keeps an
    instance through its augmentation only when its box is wider and taller than
    2 pixels there; the others, keypoints and all, are silently left out of training.
    """
    if not rows.size:
        return
    pixels = extent * sizes[rows]  # (n, 2) width and height in the image's pixels
    trained = pixels * (_TRAIN_SIZE / sizes[rows].max(axis=1, keepdims=True))
    small = (trained <= _MIN_BOX).any(axis=1)
    if not small.any():
        return
    at = int(np.flatnonzero(small)[np.argmin(trained[small].min(axis=1))])
    width, height = pixels[at]
    who = (
        f"individual {str(ds[model.INDIVIDUAL].values[int(cols[at])])!r} at time index "
        f"{int(rows[at])}"
    )
    warnings.warn(
        f"{int(small.sum())} instance(s) have a box at most {_MIN_BOX} px wide or tall at "
        f"Ultralytics' training size ({_TRAIN_SIZE} px on the image's longer side); the "
        f"smallest: {width:g} x {height:g} px ({who}). Ultralytics' augmentation drops such "
        "boxes (box_candidates), and their keypoints with them, from training. An instance "
        "without a stored bbox gets the extent of its keypoints (0 x 0 for a single point): "
        "store boxes the size of the animals in ds['bbox'] (x, y, width, height in pixels).",
        UserWarning,
        stacklevel=user_stacklevel(),
    )


def _warn_repeated(ds: xr.Dataset, values: np.ndarray, rows: np.ndarray, cols: np.ndarray) -> None:
    """Warn when an image's label file would hold two equal lines (individuals at one
    place with one class, box and keypoints), naming the first such image and its
    individuals and counting the lines.

    They are written, one line each, and posebridge reads them back as separate
    individuals; Ultralytics keeps one of a set of equal lines when it trains
    ("duplicate labels removed"; numbers compared as float32, as it reads them).
    """
    first = repeated_lines(rows, values)
    repeats = first != np.arange(rows.size)
    if not repeats.any():
        return
    at = int(first[np.argmax(repeats)])
    row = int(rows[at])
    together = ds[model.INDIVIDUAL].values[cols[first == at]]
    image = ds[labels.IMAGE_PATH].values[row] if labels.IMAGE_PATH in ds.coords else ""
    where = f"time index {row}" + (f" (image {str(image)!r})" if str(image) else "")
    images = np.unique(rows[repeats]).size
    warnings.warn(
        f"{int(repeats.sum())} label line(s) in {images} label file(s) would repeat another "
        "line of their file number for number (individuals at one place with the same class, "
        f"box and keypoints); the first: individuals {', '.join(map(repr, map(str, together)))} "
        f"at {where}. They are written, one line each, and posebridge reads them back as "
        "separate individuals (with a warning), but Ultralytics drops repeated label lines "
        "when it trains ('duplicate labels removed'), keeping one. If they are one animal, "
        "set the others to NaN; else give them their own boxes (ds['bbox']).",
        UserWarning,
        stacklevel=user_stacklevel(),
    )


def _format_rows(classes: np.ndarray, table: np.ndarray, flags: np.ndarray) -> list[str]:
    """One text line per instance: class, box, then x y v per keypoint (the flags and the
    class as integers; :func:`~posebridge.formats.yolo._label_text.format_lines`)."""
    columns: list[np.ndarray] = [classes]
    for j in range(table.shape[1]):  # one column per box value and keypoint coordinate
        if j >= 4 and (j - 4) % 3 == 2:
            columns.append(flags[:, (j - 4) // 3].astype(np.int64))
        else:
            columns.append(table[:, j])
    return format_lines(columns)
