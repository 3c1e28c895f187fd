"""Helpers of the image-annotation families (COCO, YOLO pose, Label Studio).

These formats store instances per image: a flat list of records, each naming
its image. The helpers here turn such lists into the model's arrays without a
Python loop per record (ranks, scatter), read JSON with errors that name the
file, the line or the key, read an image's size from its header, and give the
bounding box of keypoints.
"""

from __future__ import annotations

import gc
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from posebridge.errors import FormatError, SchemaError, brief, with_command_line_wording
from posebridge.model.validate import LARGEST_SIDE, image_side

__all__ = [
    "BOX",
    "BOX_PARTS",
    "EXIF_ORIENTATION",
    "IMAGE_SIZE_ADVICE",
    "LARGEST_SIDE",
    "QUARTER_TURNS",
    "READ_IMAGE_SIZE_FLAG",
    "WRITE_IMAGE_SIZE_FLAG",
    "as_shown",
    "checked_image_size",
    "collector_paused",
    "decode_json",
    "image_side",
    "image_size",
    "is_absolute_path",
    "keypoint_boxes",
    "line_at",
    "orientation",
    "require_instances",
    "scatter",
    "slots",
    "untracked_names",
    "video_frame_size",
    "without_bom",
]


#: The dim of the ``bbox`` extra and its labels (COCO's order: top-left corner, size).
BOX = "box"
BOX_PARTS = ("x", "y", "width", "height")
_BYTE = re.compile(r"\(byte (\d+)\)")

#: The advice to give an image size, as Python says it, and as the command line says it
#: when reading and when writing (``--read-option``/``--option``: a JSON list, quoted for
#: the shell); :func:`posebridge.errors.with_command_line_wording` pairs them.
IMAGE_SIZE_ADVICE = "pass image_size=(width, height)"
READ_IMAGE_SIZE_FLAG = "pass --read-option 'image_size=[W,H]' (width and height in pixels)"
WRITE_IMAGE_SIZE_FLAG = "pass --option 'image_size=[W,H]' (width and height in pixels)"


def line_at(data: bytes, offset: int) -> tuple[int, int]:
    """The 1-based (line, column) of byte ``offset`` in ``data``.

    Examples
    --------
    >>> line_at(b"ab\\ncd", 4)
    (2, 2)
    """
    offset = max(0, min(offset, len(data)))
    line = data.count(b"\n", 0, offset) + 1
    column = offset - (data.rfind(b"\n", 0, offset) + 1) + 1
    return line, column


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector (as it was, afterwards).

    Decoding a large JSON file makes millions of dicts and lists; each
    allocation counts towards a collection, and the collections walk every
    object made so far, which tripled the time of decoding a 150 MB Label
    Studio export. JSON cannot make reference cycles, so there is nothing for
    the collector to find.

    Examples
    --------
    >>> import gc
    >>> with collector_paused():
    ...     gc.isenabled()
    False
    >>> gc.isenabled()
    True
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


#: The byte order mark some Windows editors put before UTF-8 text.
UTF8_BOM = b"\xef\xbb\xbf"


def without_bom(data: bytes | memoryview) -> bytes | memoryview:
    """``data`` without a leading UTF-8 byte order mark (which JSON readers may ignore).

    Examples
    --------
    >>> bytes(without_bom(b"\\xef\\xbb\\xbf[1]"))
    b'[1]'
    """
    if bytes(data[: len(UTF8_BOM)]) == UTF8_BOM:
        return memoryview(data)[len(UTF8_BOM) :]  # no copy of the file
    return data


def decode_json(path: Path, data: bytes | memoryview, type: Any = Any) -> Any:
    """Decode JSON ``data`` (the bytes of ``path``) into ``type`` (msgspec).

    Raises
    ------
    FormatError
        Naming the line and column of malformed JSON, the end of a truncated
        file, or the key (``$.annotations[3].image_id``) of a missing or
        mistyped field.
    """
    import msgspec

    data = without_bom(data)
    try:
        with collector_paused():
            return msgspec.json.decode(data, type=type)
    except msgspec.ValidationError as error:
        raise FormatError(path, f"unexpected content: {error}.") from None
    except msgspec.DecodeError as error:
        data = bytes(data)  # (a memoryview past a byte order mark)
        text = str(error)
        found = _BYTE.search(text)
        if found:
            line, column = line_at(data, int(found.group(1)))
            where = f"line {line}, column {column}"
        else:
            lines = data.count(b"\n") + 1
            where = f"line {lines} (end of file)"
        if "truncated" in text or not data.strip():
            problem = "the JSON ends too early (truncated or empty file)"
        else:
            problem = text.replace(f" ({found.group(0)[1:-1]})", "") if found else text
        raise FormatError(path, f"{where}: {problem}.") from None


def slots(rows: np.ndarray) -> tuple[np.ndarray, int]:
    """The rank of each record among the records of its row, in record order.

    Parameters
    ----------
    rows
        The row (image) of each record, any order.

    Returns
    -------
    ranks, count
        Per record its rank within its row (0, 1, ...), and the largest number
        of records in one row.

    Examples
    --------
    >>> slots(np.array([2, 0, 2, 2, 0]))
    (array([0, 0, 1, 2, 1]), 3)
    """
    rows = np.asarray(rows, dtype=np.int64)
    if rows.size == 0:
        return np.zeros(0, dtype=np.int64), 0
    order = np.argsort(rows, kind="stable")
    sorted_rows = rows[order]
    starts = np.flatnonzero(np.r_[True, sorted_rows[1:] != sorted_rows[:-1]])
    run_start = np.repeat(starts, np.diff(np.r_[starts, rows.size]))
    ranks = np.empty_like(rows)
    ranks[order] = np.arange(rows.size) - run_start
    return ranks, int(ranks.max()) + 1


def scatter(
    rows: np.ndarray, columns: np.ndarray, shape: tuple[int, int], values: np.ndarray, fill: Any
) -> np.ndarray:
    """Place per-record ``values`` at (row, column) of an array filled with ``fill``.

    The result has shape ``shape + values.shape[1:]``.
    """
    values = np.asarray(values)
    out = np.full(shape + values.shape[1:], fill, dtype=values.dtype)
    out[rows, columns] = values
    return out


def require_instances(path: Path, instances: int, keypoints: int, what: str) -> None:
    """Refuse a file with no instance or no keypoint: the model needs at least one of each.

    Raises
    ------
    FormatError
        Naming ``what`` the file lacks.
    """
    if instances == 0 or keypoints == 0:
        missing = "instance" if instances == 0 else "keypoint names"
        raise FormatError(path, f"holds no {missing} ({what}), so there are no poses to read.")


def first_repeat(values: Any) -> tuple[int, int] | None:
    """The rows of the first value given twice (its first row, the repeat), or ``None``.

    Writers refuse rows that would share an image or label file with it.

    Examples
    --------
    >>> first_repeat(["a.png", "b.png", "a.png"]), first_repeat(["a", "b"])
    ((0, 2), None)
    """
    import pandas as pd

    texts = np.asarray(values)
    repeated = pd.Index(texts).duplicated()
    if not repeated.any():
        return None
    second = int(np.argmax(repeated))
    return int(np.flatnonzero(texts == texts[second])[0]), second


#: The start of an absolute path, POSIX or Windows, once backslashes are ``/``: a root
#: (``/data``, a UNC share ``//server/share``) or a drive letter (``C:/``, ``C:``).
_ABSOLUTE = re.compile(r"^(?:/|[A-Za-z]:)")


def is_absolute_path(path: str) -> bool:
    r"""Whether an image path as a dataset holds it is absolute, on any system.

    A path written on Windows (``C:\data\a.png``, ``C:/data/a.png``, a UNC
    ``\\server\share\a.png``) is absolute wherever it is read, as a
    POSIX ``/data/a.png`` is; ``pathlib`` on Linux takes the Windows ones for
    relative names.

    Examples
    --------
    >>> [is_absolute_path(p) for p in ("/data/a.png", "C:\\data\\a.png", "d:/a.png")]
    [True, True, True]
    >>> [is_absolute_path(p) for p in ("\\\\server\\share\\a.png", "images/a.png")]
    [True, False]
    """
    return _ABSOLUTE.match(path.replace("\\", "/")) is not None


def untracked_names(count: int) -> list[str]:
    """Individual names of instances without identity, by rank in their image.

    ``untracked_<k>``, the names SLEAP's readers give untracked instances, so
    that SLEAP writers keep them untracked.
    """
    return [f"untracked_{k}" for k in range(count)]


def checked_image_size(given: object) -> tuple[int, int]:
    """``image_size=`` as (width, height): two whole numbers from 1 to :data:`LARGEST_SIDE`.

    Raises
    ------
    SchemaError
        For anything else (a side of 0 or below, a fraction, past the bound, not two).

    Examples
    --------
    >>> checked_image_size([640, 480.0])
    (640, 480)
    >>> checked_image_size((0, 480))
    Traceback (most recent call last):
    ...
    posebridge.errors.SchemaError: image_size must be (width, height), ...
    """
    pair = list(given) if isinstance(given, list | tuple | np.ndarray) else []
    numbers = (int, float, np.integer, np.floating)
    sides = [
        v
        for v in pair
        if isinstance(v, numbers) and not isinstance(v, bool | np.bool_)
        and 0 < v <= LARGEST_SIDE and v % 1 == 0
    ]  # fmt: skip
    if len(pair) != 2 or len(sides) != 2:
        raise SchemaError(
            f"image_size must be (width, height), two whole numbers from 1 to {LARGEST_SIDE}, "
            f"got {brief(given)}."
        )
    return int(pair[0]), int(pair[1])


def video_frame_size(ds: Any) -> tuple[int, int] | None:
    """The video's frame size for the rows that need a size, when they are all frames of
    one video; else ``None``.

    A reader may keep the size of the dataset's video as ``video_width`` /
    ``video_height`` (a SLEAP file's video, ``video=``). The rows without a size
    of their own (no positive ``image_width`` / ``image_height``) take it when
    they are frames of that video: every row of a dataset without an
    ``image_path`` coordinate, the rows whose ``image_path`` is ``""`` in a
    labels dataset (of one ``video``). Rows of still images are not assumed to
    share the video's size: while one of them has no size, the answer is ``None``
    (as when no row needs a size).

    Examples
    --------
    >>> import posebridge
    >>> ds = posebridge.from_numpy(np.zeros((2, 2, 1, 1)), keypoint_names=["nose"])
    >>> video_frame_size(ds.assign_attrs(video_width=640, video_height=480))
    (640, 480)
    >>> video_frame_size(ds) is None
    True
    >>> frames = posebridge.labels.from_numpy(np.zeros((1, 2, 1, 1)), video=["v.mp4"], frame=[3])
    >>> video_frame_size(frames.assign_attrs(video_width=640, video_height=480))
    (640, 480)
    >>> still = posebridge.labels.from_numpy(np.zeros((1, 2, 1, 1)), image_path=["a.png"])
    >>> video_frame_size(still.assign_attrs(video_width=640, video_height=480)) is None
    True
    """
    width, height = ds.attrs.get("video_width"), ds.attrs.get("video_height")
    if width is None or height is None:
        return None
    unsized = np.zeros(ds.sizes["time"], dtype=bool)
    for name in ("image_width", "image_height"):
        if name not in ds.coords:
            unsized[:] = True
            break
        unsized |= ~(np.asarray(ds[name].values, dtype=np.float64) > 0)
    if not unsized.any():
        return None
    if "image_path" in ds.coords:
        images = np.asarray(ds["image_path"].values).astype(str)
        if (unsized & (images != "")).any():  # a still image without a size
            return None
        if "video" in ds.coords:  # the size is of one video
            videos = np.asarray(ds["video"].values).astype(str)[unsized]
            if np.unique(videos).size > 1:
                return None
    return checked_image_size((width, height))


#: The EXIF tag of an image's orientation, and its values that turn the image a quarter
#: (5-8: transposed, rotated 90, transversed, rotated 270): shown, width and height swap.
EXIF_ORIENTATION = 0x0112
QUARTER_TURNS = frozenset({5, 6, 7, 8})


def image_size(image: Path | str, label: Path | str) -> tuple[int, int]:
    """(width, height) of an image as shown, from its header (the pixels are not decoded).

    An image whose EXIF orientation turns it a quarter (a photo taken with the
    camera held upright) has its stored width and height swapped: labels are
    made on the image as shown, and YOLO's normalised coordinates are fractions
    of that size (Ultralytics' ``exif_size`` and OpenCV's ``imread`` apply the
    orientation). Read with Pillow.

    Raises
    ------
    FormatError
        Naming ``label`` (the file that needs the size) when the image is
        missing or unreadable.

    Examples
    --------
    >>> image_size(
    ...     Path("images/train/cow_0001.jpg"), "labels/train/cow_0001.txt"
    ... )  # doctest: +SKIP
    (640, 480)
    """
    try:
        from PIL import Image
    except ImportError:  # pragma: no cover - pillow is a dependency
        raise FormatError(
            label, "reading image sizes needs Pillow (pip install pillow), or pass image_size="
        ) from None
    try:
        with Image.open(image) as opened:
            width, height = opened.size
            if _orientation(opened) in QUARTER_TURNS:
                width, height = height, width
    except FileNotFoundError:
        missing = FormatError(
            label,
            f"its image {image} is missing, so its size (needed to turn normalised "
            f"coordinates into pixels) is unknown; {IMAGE_SIZE_ADVICE}.",
        )
        raise with_command_line_wording(
            missing, {IMAGE_SIZE_ADVICE: READ_IMAGE_SIZE_FLAG}
        ) from None
    except OSError as error:
        raise FormatError(label, f"cannot read the size of its image {image}: {error}") from None
    return int(width), int(height)


def _orientation(opened: Any) -> int | None:
    """The EXIF orientation an opened image's header holds (``None`` when it has none).

    Only EXIF met in the header counts (Pillow would decode a PNG to look
    further); damaged EXIF counts as none, as in Ultralytics.
    """
    if "exif" not in opened.info:
        return None
    try:
        value = opened.getexif().get(EXIF_ORIENTATION)
    except Exception:  # damaged EXIF: metadata we can do without
        return None
    return value if isinstance(value, int) else None


def orientation(image: Path | str) -> int | None:
    """The EXIF orientation in an image file's header (1-8), ``None`` when it has none
    (or Pillow cannot open the file: whoever decodes it reports that).

    Examples
    --------
    >>> orientation(Path("phone_photo.jpg"))  # doctest: +SKIP
    6
    """
    from PIL import Image

    try:
        with Image.open(image) as opened:
            return _orientation(opened)
    except OSError:  # missing, unreadable, or a kind Pillow does not know
        return None


def as_shown(pixels: np.ndarray, turned: int | None) -> np.ndarray:
    """Decoded pixels (rows, columns, ...) as the EXIF orientation ``turned`` shows them.

    The eight orientations flip and turn the stored image as Pillow's
    ``ImageOps.exif_transpose`` does; other values leave it as stored.

    Examples
    --------
    >>> stored = np.array([[1, 2, 3], [4, 5, 6]])
    >>> as_shown(stored, 6).tolist()  # stored turned 90 degrees clockwise
    [[4, 1], [5, 2], [6, 3]]
    """
    views = {
        2: lambda a: a[:, ::-1],
        3: lambda a: a[::-1, ::-1],
        4: lambda a: a[::-1],
        5: lambda a: a.swapaxes(0, 1),
        6: lambda a: np.rot90(a, -1),
        7: lambda a: a[::-1, ::-1].swapaxes(0, 1),
        8: lambda a: np.rot90(a, 1),
    }
    view = views.get(turned) if isinstance(turned, int) else None
    return np.ascontiguousarray(view(pixels)) if view is not None else pixels


def keypoint_boxes(position: np.ndarray) -> np.ndarray:
    """The box around each instance's finite keypoints.

    Parameters
    ----------
    position
        (time, space, keypoint, individual) pixels.

    Returns
    -------
    numpy.ndarray
        (time, 4, individual): x, y (top-left), width, height; NaN where an
        instance has no finite point.

    Examples
    --------
    >>> p = np.array([[[[1.0], [3.0]], [[2.0], [7.0]]]])  # 1 frame, x/y, 2 kps, 1 ind
    >>> keypoint_boxes(p)[0, :, 0].tolist()
    [1.0, 2.0, 2.0, 5.0]
    """
    xy = np.asarray(position, dtype=np.float64)[:, :2]
    finite = np.isfinite(xy).all(axis=1, keepdims=True)
    has = finite.any(axis=2)[:, 0]
    low = np.where(finite, xy, np.inf).min(axis=2)
    high = np.where(finite, xy, -np.inf).max(axis=2)
    boxes = np.concatenate([low, high - low], axis=1)
    boxes[np.broadcast_to(~has[:, None, :], boxes.shape)] = np.nan
    return boxes


def box_extras(ds: xr.Dataset) -> np.ndarray:
    """The stored ``bbox`` of each instance, else the box of its keypoints (time, 4, ind)."""
    extent = keypoint_boxes(ds["position"].transpose("time", "space", "keypoint", ...).values)
    if "bbox" not in ds:
        return extent
    stored = np.asarray(ds["bbox"].transpose("time", BOX, "individual").values, dtype=np.float64)
    known = np.isfinite(stored).all(axis=1, keepdims=True)
    return np.where(known, stored, extent)
