"""The on-disk layer of COCO keypoints: typed JSON records and the keypoint numbers.

A ground-truth file is an object ``{"images": [...], "annotations": [...],
"categories": [...]}``; a results file is a list of annotations with a
``score``. The records are decoded by msgspec into the structs below (unknown
keys are skipped, missing or mistyped ones raise a FormatError naming the key,
e.g. ``$.annotations[3].image_id``); each annotation's ``keypoints`` stays raw
JSON text, and all of them are parsed as numbers in one call (pyarrow's CSV
reader), so no Python float is made per number.
"""

from __future__ import annotations

import io
from pathlib import Path

import msgspec
import numpy as np

from posebridge.errors import FormatError
from posebridge.formats._shared.images import decode_json

__all__ = ["Annotation", "Category", "GroundTruth", "Image", "keypoint_numbers", "load"]

_BLANKS = b" \t\r\n"
_SEMICOLON, _COMMA, _NEWLINE = ord(";"), ord(","), ord("\n")
#: bytes kept from a raw keypoints list: all but blanks and brackets
_KEEP = np.ones(256, dtype=bool)
_KEEP[np.frombuffer(_BLANKS + b"[]", dtype=np.uint8)] = False


class Image(msgspec.Struct):
    """One entry of ``images``."""

    id: int
    file_name: str
    width: int | float = -1
    height: int | float = -1


class Annotation(msgspec.Struct):
    """One entry of ``annotations`` (ground truth) or of a results list."""

    image_id: int
    category_id: int = 1
    keypoints: msgspec.Raw = msgspec.Raw(b"[]")
    bbox: list[float] | None = None
    area: float | None = None
    iscrowd: int = 0
    score: float | None = None
    track_id: int | None = None
    #: posebridge's own key: the individual's name (COCO has none; tools ignore it)
    individual: str | None = None


class Category(msgspec.Struct):
    """One entry of ``categories``."""

    id: int
    name: str = ""
    keypoints: list[str] = []
    skeleton: list[list[int]] = []


class GroundTruth(msgspec.Struct):
    """A ground-truth (annotation) file."""

    images: list[Image]
    categories: list[Category]
    annotations: list[Annotation] = []


def load(path: Path) -> GroundTruth | list[Annotation]:
    """Decode a COCO file: a ground-truth object, or a results list.

    Raises
    ------
    FormatError
        For malformed JSON (line and column), a truncated file, a missing or
        mistyped key (its JSON path), or a top level that is neither.
    """
    data = path.read_bytes()
    start = data.lstrip(_BLANKS + b"\xef\xbb\xbf")[:1]
    if start == b"[":
        return decode_json(path, data, list[Annotation])
    if start == b"{":
        return decode_json(path, data, GroundTruth)
    decode_json(path, data)  # malformed JSON: its own message with the line
    raise FormatError(
        path,
        'line 1: expected a COCO ground-truth object ({"images": ..., "annotations": ..., '
        '"categories": ...}) or a results list ([{"image_id": ..., "keypoints": ...}]).',
    )


def keypoint_numbers(
    path: Path, annotations: list[Annotation], where: str
) -> tuple[np.ndarray, np.ndarray]:
    """All annotations' ``keypoints`` numbers, parsed in one pass.

    Parameters
    ----------
    path
        The file (for messages).
    annotations
        The records.
    where
        The JSON path of the list, ``$.annotations`` or ``$``, for messages.

    Returns
    -------
    values, counts
        The numbers of every annotation, concatenated (float64), and how many
        each annotation has.
    """
    if not annotations:
        return np.zeros(0), np.zeros(0, dtype=np.int64)
    # one buffer: the raw lists, separated by ';' -> drop blanks and brackets -> the
    # separators give each list's count of numbers, and every number gets a line
    raw = np.frombuffer(b";".join([a.keypoints for a in annotations]) + b";", dtype=np.uint8)
    text = raw[_KEEP[raw]]
    semicolon = text == _SEMICOLON
    separators = np.flatnonzero(semicolon | (text == _COMMA))
    ends_at = np.flatnonzero(semicolon[separators])  # each list's end among the separators
    ends = separators[ends_at]
    empty = ends == np.r_[0, ends[:-1] + 1]
    counts = np.diff(np.r_[-1, ends_at]) - empty
    text[separators] = _NEWLINE
    total = int(counts.sum())
    values = _parse(text.tobytes()) if total else np.zeros(0)
    if values is None or values.size != total:
        _locate_bad_numbers(path, annotations, where)
        raise FormatError(path, f"{where}[*].keypoints: expected lists of numbers.")
    return values, counts


def _parse(body: bytes) -> np.ndarray | None:
    """Parse newline-separated numbers; ``None`` when one is not a number."""
    import pyarrow as pa
    import pyarrow.csv as pcsv

    try:
        table = pcsv.read_csv(
            io.BytesIO(body),
            read_options=pcsv.ReadOptions(column_names=["v"], block_size=1 << 24),
            parse_options=pcsv.ParseOptions(newlines_in_values=False),
            convert_options=pcsv.ConvertOptions(
                column_types={"v": pa.float64()}, null_values=[], strings_can_be_null=False
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return None
    return table.column(0).to_numpy()


def _locate_bad_numbers(path: Path, annotations: list[Annotation], where: str) -> None:
    """Raise a FormatError naming the first annotation whose keypoints are not numbers."""
    for index, annotation in enumerate(annotations):
        try:
            msgspec.json.decode(bytes(annotation.keypoints), type=list[float])
        except msgspec.DecodeError as error:
            raise FormatError(
                path,
                f"{where}[{index}].keypoints: expected a list of numbers "
                f"[x1, y1, v1, ...] ({error}).",
            ) from None
