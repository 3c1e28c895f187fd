"""Reading an Ultralytics YOLO pose dataset (data.yaml + one label file per image)."""

from __future__ import annotations

import glob
import os
import warnings
from collections.abc import Sequence
from pathlib import Path, PurePosixPath

import numpy as np
import xarray as xr

from posebridge import model
from posebridge._files import check_input, note_files_read
from posebridge.errors import FormatError, user_stacklevel, with_command_line_wording
from posebridge.formats._shared.images import (
    BOX,
    BOX_PARTS,
    IMAGE_SIZE_ADVICE,
    READ_IMAGE_SIZE_FLAG,
    checked_image_size,
    image_size,
    require_instances,
    scatter,
    slots,
    untracked_names,
)
from posebridge.formats.yolo._label_text import label_text, parse_numbers, repeated_lines, tokenise
from posebridge.formats.yolo._layout import (
    FLIP_IDX_ATTR,
    IDENTITY,
    IMAGE_SUFFIXES,
    load_yaml,
    relative_texts,
    split_images,
    warn_other_kpt_names,
)
from posebridge.model import labels

__all__ = ["SOURCE_SOFTWARE", "read"]

SOURCE_SOFTWARE = "YOLO"


def read(
    path: str | os.PathLike[str],
    *,
    image_size: tuple[int, int] | None = None,
    keypoint_names: Sequence[str] | None = None,
) -> xr.Dataset:
    """Read a YOLO pose dataset from its data.yaml.

    Parameters
    ----------
    path
        The dataset's data.yaml (with ``kpt_shape``).
    image_size
        (width, height) in pixels of every image, used instead of the image
        files' headers (needed when the images are absent).
    keypoint_names
        Names of the keypoints when data.yaml has no ``kpt_names``
        (``keypoint_<k>`` otherwise).

    Returns
    -------
    xarray.Dataset
        A labels dataset: one row per image of the train, val and test splits
        (in that order, then by path), ``data_split`` saying which.

    Examples
    --------
    >>> from posebridge.formats import yolo
    >>> ds = yolo.read("cow.v1i.yolov8/data.yaml", image_size=(640, 640))  # doctest: +SKIP
    """
    path = check_input(path)
    data = load_yaml(path)
    k, ndim = data.keypoints, data.ndim
    names = data.kpt_names
    if keypoint_names is None:
        warn_other_kpt_names(path, data)
    else:
        names = [str(n) for n in keypoint_names]
        if len(names) != k:
            raise FormatError(path, f"keypoint_names has {len(names)} names; kpt_shape says {k}.")
    images = split_images(path, data)
    root = path.parent
    located = relative_texts([image or label for _, label, image in images], root)
    image_paths = [
        text if image is not None else _image_of(text)
        for text, (_, _, image) in zip(located, images, strict=True)
    ]
    sizes = _sizes(images, image_size)
    texts = [label_text(label) for _, label, _ in images]
    # kept from a conversion's outputs: the label files, and the images whose sizes were read
    note_files_read(*(label for _, label, _ in images))
    if image_size is None:
        note_files_read(*(image for _, _, image in images if image is not None))
    rows, lines, values = _rows(texts, [label for _, label, _ in images], 5 + k * ndim)
    width, height = sizes[rows, 0], sizes[rows, 1]
    finite = np.isfinite(values).all(axis=1)
    if not finite.all():  # Ultralytics writes none: a damaged file, not a missing point
        i = int(np.flatnonzero(~finite)[0])
        raise FormatError(
            images[rows[i]][1],
            f"line {lines[i]}: {values[i][~np.isfinite(values[i])][0]:g} where a finite number "
            "belongs (a missing keypoint is written 0 0 0, or 0 0 without visibility).",
        )
    cls = values[:, 0]
    bad = (cls != np.round(cls)) | ~np.isin(cls, list(data.names))
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise FormatError(
            images[rows[i]][1],
            f"line {lines[i]}: class {cls[i]:g} is not in the 'names' of {path} "
            f"({sorted(data.names)}).",
        )
    points = values[:, 5:].reshape(-1, k, ndim)
    xy = points[..., :2] * np.stack([width, height], axis=1)[:, None, :]
    flags = points[..., 2] if ndim == 3 else np.full(points.shape[:2], 2.0)
    wrong = ~np.isin(flags, (0, 1, 2))
    if wrong.any():
        i, j = (int(v) for v in np.argwhere(wrong)[0])
        refused = FormatError(
            images[rows[i]][1],
            f"line {lines[i]}: the visibility flag of keypoint {j} is {flags[i, j]:g}; "
            "expected 0, 1 or 2."
            + (
                " A fraction is a confidence: label files saved by `yolo pose predict "
                "save_txt=True` read as format='yolo-predictions'."
                if 0 < flags[i, j] < 1
                else ""
            ),
        )
        raise with_command_line_wording(
            refused,
            {
                "read as format='yolo-predictions'": "read with --from yolo-predictions "
                "(info: --format yolo-predictions)"
            },
        )
    _warn_outside(path, images, rows, lines, values, points[..., :2], flags != 0)
    _warn_repeated(path, images, rows, lines, values)
    xy[flags == 0] = np.nan
    columns, count = slots(rows)
    require_instances(images[0][1], count, k, "every label file is empty")
    names = names or [f"keypoint_{i}" for i in range(k)]  # k is checked by the rows now
    shape = (len(images), count)
    position = scatter(rows, columns, shape, xy, np.nan)  # (t, i, k, 2)
    visible = scatter(rows, columns, shape, flags, np.nan)
    ds = labels.from_numpy(
        position.transpose(0, 3, 2, 1),
        image_path=image_paths,
        individual_names=untracked_names(count),
        keypoint_names=names,
        visible=visible.transpose(0, 2, 1) if (flags == 1).any() else None,
        source_software=SOURCE_SOFTWARE,
    )
    ds = ds.assign_coords(
        image_width=(model.TIME, sizes[:, 0]),
        image_height=(model.TIME, sizes[:, 1]),
        data_split=(model.TIME, np.asarray([s for s, _, _ in images], dtype=str)),
        box=list(BOX_PARTS),
    )
    cx, cy, w, h = (values[:, 1 + j] for j in range(4))
    boxes = np.stack([(cx - w / 2) * width, (cy - h / 2) * height, w * width, h * height], 1)
    ds["bbox"] = (
        (model.TIME, BOX, model.INDIVIDUAL),
        scatter(rows, columns, shape, boxes, np.nan).transpose(0, 2, 1),
    )
    ids = cls.astype(np.int64)
    dims = (model.TIME, model.INDIVIDUAL)
    ds["category_id"] = (dims, scatter(rows, columns, shape, ids, -1))
    class_names = np.asarray([data.names[i] for i in sorted(data.names)], dtype=str)
    lookup = np.full(max(data.names) + 1, "", dtype=class_names.dtype)
    lookup[sorted(data.names)] = class_names
    ds["category"] = (dims, scatter(rows, columns, shape, lookup[ids], ""))
    if data.skeleton is not None:  # sleap-io's key
        edges = np.asarray(names, dtype=str)[np.asarray(data.skeleton, dtype=np.int64)]
        ds["skeleton_edges"] = (("edge", "edge_node"), edges.reshape(-1, 2))
    if data.flip_idx is not None:
        pairs = [(i, j) for i, j in enumerate(data.flip_idx) if i < j]
        if pairs:
            ds["skeleton_symmetries"] = (
                ("symmetry", "edge_node"),
                np.asarray(names, dtype=str)[np.asarray(pairs)],
            )
        else:  # flips allowed, nothing to swap: said again on writing
            ds.attrs[FLIP_IDX_ATTR] = IDENTITY
    return ds


def _warn_outside(
    path: os.PathLike[str],
    images: list[tuple[str, str, str | None]],
    rows: np.ndarray,
    lines: np.ndarray,
    values: np.ndarray,
    points: np.ndarray,
    placed: np.ndarray,
) -> None:
    """Warn of normalised values outside 0..1 (boxes, x and y of the keypoints
    ``placed``: not flagged 0, which read as missing), naming the
    first label file and line and counting the values and files.

    They read as positions outside the image, as posebridge writes them (tracking
    output often places a point a little beyond the frame); Ultralytics leaves such
    a label file out of training (its ``verify_image_label``, numbers read as float32).
    """
    boxes = values[:, 1:5].astype(np.float32)
    coordinates = points.astype(np.float32)
    off = ((coordinates < 0) | (coordinates > 1)) & placed[..., None]
    outside = ((boxes < 0) | (boxes > 1)).sum(axis=1) + off.sum(axis=(1, 2))
    if not outside.any():
        return
    first = int(np.argmax(outside > 0))
    files = np.unique(rows[outside > 0]).size
    label = images[rows[first]][1]
    warnings.warn(
        f"{path}: {int(outside.sum())} normalised value(s) of {files} label file(s) lie "
        f"outside 0..1, the first in {label} line {int(lines[first])}: they are read as "
        "positions outside their image, and Ultralytics leaves such label files out of "
        "training (values outside 0..1). Set such points to 0 0 0 (missing) or fix the "
        "image size they were normalised by.",
        UserWarning,
        stacklevel=user_stacklevel(),
    )


#: How many repeated label lines a warning names (it counts them all).
_NAMED_REPEATS = 5


def _warn_repeated(
    path: os.PathLike[str],
    images: list[tuple[str, str, str | None]],
    rows: np.ndarray,
    lines: np.ndarray,
    values: np.ndarray,
) -> None:
    """Warn once of label lines equal to an earlier line of their file, naming the
    first few (file, line and the line it repeats) and counting them all.

    They are read as separate individuals at one place: posebridge's writer writes
    two animals at one place (same class, box and keypoints) as two equal lines, and
    reads them back so. Ultralytics keeps one of them when it trains ("duplicate
    labels removed").
    """
    first = repeated_lines(rows, values)
    repeats = np.flatnonzero(first != np.arange(rows.size))
    if not repeats.size:
        return
    named = "; ".join(
        f"{images[rows[i]][1]} line {int(lines[i])} (= line {int(lines[first[i]])})"
        for i in repeats[:_NAMED_REPEATS]  # a few named, the rest counted
    )
    more = ", ..." if repeats.size > _NAMED_REPEATS else ""
    files = np.unique(rows[repeats]).size
    warnings.warn(
        f"{path}: {repeats.size} label line(s) in {files} label file(s) repeat an earlier "
        f"line of their file number for number: {named}{more}. They are read as separate "
        "individuals at the same place (as posebridge writes animals that share one place), "
        "but Ultralytics drops repeated label lines when it trains ('duplicate labels "
        "removed'), keeping one. Delete the repeats if a line was pasted twice.",
        UserWarning,
        stacklevel=user_stacklevel(),
    )


def _image_of(label: str) -> str:
    """The image of a label file whose image is absent: its expected path, no extension."""
    parts = list(PurePosixPath(label).parts)
    if "labels" in parts[:-1]:
        at = len(parts) - 2 - parts[-2::-1].index("labels")
        parts[at] = "images"
    parts[-1] = parts[-1][: -len(".txt")] if parts[-1].endswith(".txt") else parts[-1]
    return str(PurePosixPath(*parts))


def _without_image(label: str) -> str:
    """Why a label file's image size is unknown: its image is absent, or is of a type
    YOLO does not read (a ``.gif`` beside where the image belongs)."""
    import mimetypes

    expected = Path(_image_of(label))
    try:
        beside = sorted(expected.parent.glob(glob.escape(expected.name) + ".*"))
    except OSError:
        beside = []
    unread = [
        p.name
        for p in beside
        if p.stem == expected.name
        and (mimetypes.guess_type(p.name)[0] or "").startswith("image/")
        and p.is_file()
    ]
    if unread:
        return (
            f"its image {unread[0]} is of a type YOLO does not read (Ultralytics reads "
            f"{', '.join(sorted(s.lstrip('.') for s in IMAGE_SUFFIXES))}), so Ultralytics "
            "would not train on it and its size is not read: convert the image to one of "
            "those types, such as PNG."
        )
    return (
        "the image of this label file is absent, so its size (needed to turn "
        f"normalised coordinates into pixels) is unknown; {IMAGE_SIZE_ADVICE}."
    )


def _sizes(images: list[tuple[str, str, str | None]], given: tuple[int, int] | None) -> np.ndarray:
    """(image, 2) width and height: ``given``, else each image file's header."""
    if given is not None:
        return np.tile(np.asarray(checked_image_size(given), dtype=np.int64), (len(images), 1))
    found = []
    for _, label, image in images:
        if image is None:
            refused = FormatError(label, _without_image(label))
            raise with_command_line_wording(refused, {IMAGE_SIZE_ADVICE: READ_IMAGE_SIZE_FLAG})
        found.append(image_size(image, label))
    return np.asarray(found, dtype=np.int64).reshape(-1, 2)


def _rows(
    texts: list[bytes], files: list[str], columns: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every label row of every file: its file's index, its line (1-based) in that file,
    and the (rows, columns) numbers.

    All files are tokenised at once; a row with the wrong number of columns or
    a value that is not a number raises FormatError naming the file and line.
    """
    if not texts:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros((0, columns))
    found = tokenise(texts)
    per_line, file_of_line, first_line = found.per_line, found.file_of_line, found.first_line
    wrong = (per_line != 0) & (per_line != columns)
    if wrong.any():
        line = int(np.flatnonzero(wrong)[0])
        f = int(file_of_line[line])
        raise FormatError(
            files[f],
            f"line {line - first_line[f] + 1}: expected {columns} columns (class, box x y w h, "
            f"then the keypoints as kpt_shape says), found {per_line[line]}.",
        )
    values = parse_numbers(found, texts, files)
    files_of_rows, lines, _ = found.rows()
    return files_of_rows, lines, values.reshape(-1, columns)
