"""The on-disk layer of COCO keypoints: typed JSON records and the keypoint numbers.

A ground-truth file is an object ``{"images": [...], "annotations": [...],
"categories": [...]}``; a results file is a list of annotations with a
``score``. The records are decoded by msgspec into the structs below (unknown
keys are skipped, missing or mistyped ones raise a FormatError naming the key,
e.g. ``$.annotations[3].image_id``); each annotation's ``keypoints`` stays raw
JSON text, and all of them are parsed as numbers together by pyarrow (lists of
one length as one CSV table, else a cast of strings to float64 over one buffer),
so no Python float is made per number.
"""

from __future__ import annotations

import re
from operator import attrgetter
from pathlib import Path
from typing import Annotated, Any

import msgspec
import numpy as np
import pandas as pd

from posebridge.errors import FormatError
from posebridge.formats._shared.images import decode_json
from posebridge.formats._shared.text_bytes import refuse_not_utf8, text_end

__all__ = [
    "CATEGORIES_ATTR",
    "Annotation",
    "Category",
    "GroundTruth",
    "Image",
    "ImageId",
    "NumberId",
    "categories_attr",
    "categories_from_attr",
    "image_ids",
    "keypoint_numbers",
    "load",
    "raw_numbers",
    "refuse_repeated_category_ids",
    "whole_numbers",
]

_BLANKS = b" \t\r\n"

#: An id or flag that numpy holds as int64 (a larger one is refused naming its key).
Int64 = Annotated[int, msgspec.Meta(ge=-(2**63), le=2**63 - 1)]
#: A number id (a category's, in an annotation, or a track id): an integer, or a float
#: that :func:`image_ids` (:func:`whole_numbers` for track ids) reads as its integer when
#: it is one (``1.0``, as Python's ``json`` writes an id that went through a float column;
#: pycocotools pairs it with ``1``) and refuses otherwise.
NumberId = Int64 | float
#: An image id: a number, as the COCO format says, or a text (``"img_001"``), which
#: pycocotools also takes (it keys images by whatever the JSON holds).
ImageId = Int64 | float | str


class Image(msgspec.Struct):
    """One entry of ``images``."""

    id: ImageId
    file_name: str
    width: int | float | None = -1  # null or absent: unknown
    height: int | float | None = -1


class Annotation(msgspec.Struct):
    """One entry of ``annotations`` (ground truth) or of a results list."""

    image_id: ImageId
    category_id: NumberId = 1
    #: the annotation's own id (ground truth: a number; some tools write text); only compared
    id: int | float | str | None = None
    keypoints: msgspec.Raw = msgspec.Raw(b"[]")
    bbox: msgspec.Raw = msgspec.Raw(b"[]")
    area: float | None = None
    #: 0 or 1; JSON false / true too (pycocotools takes it by truthiness), read as 0 / 1
    iscrowd: Int64 | bool | None = 0
    score: float | None = None
    track_id: NumberId | None = None
    #: holds the track id as sleap-io writes it (``attributes.object_id``, read before
    #: ``track_id``); any JSON value: other tools use the key for their own data, and
    #: pycocotools ignores it (what is not a track id is warned of, never refused)
    attributes: Any = None
    #: a track id as some tools write it (read when neither of the above is given); any
    #: JSON value, as ``attributes`` (some tools write a text id here)
    instance_id: Any = None
    #: posebridge's own key: the individual's name (COCO has none; tools ignore it)
    individual: str | None = None


class Category(msgspec.Struct):
    """One entry of ``categories``."""

    id: NumberId  # an int once :func:`load` has read it
    name: str = ""
    supercategory: str | None = None
    keypoints: list[str] = []
    skeleton: list[list[int]] = []


#: The categories read (id, name, supercategory, and a skeleton of their own) as JSON text:
#: those without annotations, the supercategories and each category's skeleton are written
#: back (netCDF keeps text attributes).
CATEGORIES_ATTR = "coco_categories"


def categories_attr(
    categories: list[Category], skeletons: dict[int, list[list[str]]] | None = None
) -> str:
    """The categories read, as :data:`CATEGORIES_ATTR`'s JSON text.

    ``skeletons`` maps the position of a category in ``categories`` to its own
    skeleton, as pairs of keypoint names: given for the categories whose
    skeleton is not the dataset's ``skeleton_edges`` (``[]`` for one without
    a skeleton), so that each is written back as it was.

    Examples
    --------
    >>> categories_attr([Category(id=1, name="dog", supercategory="animal")])
    '[{"id":1,"name":"dog","supercategory":"animal"}]'
    >>> categories_attr([Category(id=2, name="cat")], {0: [["nose", "tail"]]})
    '[{"id":2,"name":"cat","supercategory":null,"skeleton":[["nose","tail"]]}]'
    """
    own = skeletons or {}
    return msgspec.json.encode(
        [
            {"id": c.id, "name": c.name, "supercategory": c.supercategory}
            | ({"skeleton": own[i]} if i in own else {})
            for i, c in enumerate(categories)
        ]
    ).decode()


def categories_from_attr(text: object) -> list[dict[str, object]]:
    """The categories :func:`categories_attr` wrote; none when the text is not theirs.

    A category's ``skeleton`` is its own (pairs of keypoint names), or ``None``
    when it is the dataset's ``skeleton_edges``.

    Examples
    --------
    >>> categories_from_attr('[{"id":1,"name":"dog","supercategory":"animal"}]')
    [{'id': 1, 'name': 'dog', 'supercategory': 'animal', 'skeleton': None}]
    >>> categories_from_attr('[{"id":2,"name":"cat","skeleton":[["nose","tail"]]}]')[0]["skeleton"]
    [['nose', 'tail']]
    >>> categories_from_attr("not JSON")
    []
    """
    if not isinstance(text, str):
        return []
    try:
        found = msgspec.json.decode(text, type=list[_SavedCategory])
    except msgspec.DecodeError:
        return []
    return [
        {
            "id": c.id,
            "name": c.name,
            "supercategory": c.supercategory,
            "skeleton": None if c.skeleton is None else [list(pair) for pair in c.skeleton],
        }
        for c in found
    ]


class _SavedCategory(msgspec.Struct):
    id: Int64
    name: str
    supercategory: str | None = None
    skeleton: list[tuple[str, str]] | None = None


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
        mistyped key (its JSON path), a top level that is neither, or text
        that is not UTF-8 (its line and byte; msgspec's own message would name
        the end of the file, or call UTF-16 text malformed), or NUL or Ctrl-Z
        bytes at its end (one Ctrl-Z, an old DOS end-of-file marker, is left
        out: see :func:`~posebridge.formats._shared.text_bytes.text_end`); for
        an id that is a float but not a whole number (:func:`image_ids`; a whole
        one, ``1.0``, is read as its integer, as pycocotools pairs it); and for
        two categories of one id (:func:`refuse_repeated_category_ids`).
    """
    content = _load_json(path)
    if isinstance(content, GroundTruth):
        categories = content.categories
        ids = list(map(attrgetter("id"), categories))
        if float in set(map(type, ids)):  # rare: the categories' ids as integers
            whole = image_ids(path, ids, "$.categories[{}].id").tolist()
            for category, number in zip(categories, whole, strict=True):
                category.id = number
        refuse_repeated_category_ids(path, categories)
    return content


def refuse_repeated_category_ids(path: Path, categories: list[Category]) -> None:
    """Refuse two categories with the same id, naming both and the id.

    Annotations name their category by id alone, so one of the two (its name,
    keypoints and skeleton) would be silently lost: pycocotools keeps the
    last in ``cats``. Two exports merged are where this comes from.

    Examples
    --------
    >>> refuse_repeated_category_ids(Path("gt.json"), [Category(id=1), Category(id=2)])
    >>> refuse_repeated_category_ids(
    ...     Path("gt.json"), [Category(id=1, name="mouse"), Category(id=1, name="rat")]
    ... )
    Traceback (most recent call last):
    ...
    posebridge.errors.FormatError: gt.json: $.categories[0] and $.categories[1] have the same ...
    """
    ids = list(map(attrgetter("id"), categories))
    if len(set(ids)) == len(ids):  # the usual case, fast
        return
    repeated = pd.Index(ids).duplicated()
    second = int(np.argmax(repeated))
    first = ids.index(ids[second])
    raise FormatError(
        path,
        f"$.categories[{first}] and $.categories[{second}] have the same id {ids[second]} "
        f"({categories[first].name!r} and {categories[second].name!r}); each category needs "
        "its own id, as annotations name their category by id (were two files merged?).",
    )


def _load_json(path: Path) -> GroundTruth | list[Annotation]:
    """:func:`load` without the checks of the decoded content."""
    data = path.read_bytes()
    end = text_end(path, data[: 1 << 16], data[-4096:], spreadsheet=False, json=True)
    if end:  # an end-of-file marker after the JSON text: the text only
        data = data[: len(data) - end]
    try:
        return _decode(path, data)
    except FormatError:
        refuse_not_utf8(path, data)
        if not _NOT_A_NUMBER.search(data):
            raise
    # Python's json.dump writes a float NaN or infinity as NaN / Infinity, which is not
    # JSON but what pycocotools (Python's json) reads: a missing value. In a list (of
    # keypoints, a bbox) it becomes the text "NaN", which the number parser reads as
    # NaN; as a key's value (area, score), null, which those keys take as absent
    data = _NOT_A_NUMBER.sub(
        lambda m: m[1] + (b"null" if m[1].rstrip().endswith(b":") else MISSING_NUMBER), data
    )
    try:
        return _decode(path, data)
    except FormatError as error:  # a NaN where a value is needed (an id): say what it was
        raise FormatError(
            path,
            f"{error.problem.rstrip('.')} (the file's NaN / Infinity values are read as "
            "null: missing).",
        ) from None


#: A ``NaN``, ``Infinity`` or ``-Infinity`` value (after ``[``, ``,`` or ``:``).
_NOT_A_NUMBER = re.compile(rb"([\[,:]\s*)(?:-?Infinity|NaN)(?=\s*[,\]}])")
#: What such a value in a list becomes: a text the number parser reads as NaN.
MISSING_NUMBER = b'"NaN"'


def _decode(path: Path, data: bytes) -> GroundTruth | list[Annotation]:
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


def image_ids(path: Path, values: list[int | float | str], key: str) -> np.ndarray:
    """Ids as an array: int64 when all are numbers, else object (numbers and texts).

    pycocotools keys images by the JSON values themselves, so the number ``1`` and
    the text ``"1"`` are two images; an object array compares them as it does.
    A float that is a whole number (``1.0``) is its integer, as pycocotools pairs
    it (``1.0 == 1``); another (``1.5``) is refused. Used for category ids too
    (numbers only: always int64).

    Parameters
    ----------
    path
        The file (for messages).
    values
        The ids as decoded, in record order.
    key
        The JSON path of an id, with ``{}`` for its record's index
        (``$.annotations[{}].image_id``), for messages.

    Raises
    ------
    FormatError
        For a float id that is not a whole number (or beyond int64), naming its key.

    Examples
    --------
    >>> image_ids(Path("gt.json"), [3, 1.0], "$.images[{}].id").tolist()
    [3, 1]
    >>> image_ids(Path("gt.json"), ["img_001", 2], "$.images[{}].id").tolist()
    ['img_001', 2]
    >>> image_ids(Path("gt.json"), [3, 1.5], "$.images[{}].id")
    Traceback (most recent call last):
    ...
    posebridge.errors.FormatError: gt.json: $.images[1].id: 1.5 is not a whole number; ...
    """
    kinds = set(map(type, values))  # a type test per id, in C
    if float in kinds:  # rare: ids that went through a float column
        values = whole_numbers(path, values, key)
    if str not in kinds:  # the usual case
        return np.asarray(values, dtype=np.int64).reshape(len(values))
    return np.fromiter(values, dtype=object, count=len(values))


def whole_numbers(
    path: Path, values: list[int | float | str], key: str, *, what: str = "id"
) -> list[int | str]:
    """``values`` with each float that is a whole number as its int; another is refused.

    ``key`` is the JSON path of a value, with ``{}`` for its index in ``values``
    (for messages); values that are not floats (ints, texts, ``None``) are kept.
    ``what`` names the values in messages: ``"id"`` (image, category, annotation
    ids, which pycocotools pairs) or ``"track id"`` (which pycocotools ignores).

    Examples
    --------
    >>> whole_numbers(Path("gt.json"), [3.0, None, 2], "$.annotations[{}].track_id")
    [3, None, 2]
    """
    is_float = np.fromiter(map(float.__instancecheck__, values), bool, len(values))
    ids = np.fromiter(values, dtype=object, count=len(values))
    floats = ids[is_float].astype(np.float64)
    # [-2**63, 2**63): the floats that convert to int64 exactly (2**63 itself does not)
    integral = floats == np.floor(floats)  # NaN is not; an infinity is, and is out of range
    whole = integral & (floats >= -(2.0**63)) & (floats < 2.0**63)
    if not whole.all():
        first = int(np.argmin(whole))
        at = int(np.flatnonzero(is_float)[first])
        if integral[first]:
            said = f"is beyond the 64-bit integers {what}s are read as"
        elif what == "id":
            said = (
                "is not a whole number; COCO ids are integers (a whole number written as a "
                "float, 1.0, reads as its integer, as pycocotools pairs it)"
            )
        else:
            said = (
                f"is not a whole number; {what}s are integers (a whole number written as a "
                "float, 3.0, reads as its integer)"
            )
        raise FormatError(path, f"{key.format(at)}: {values[at]!r} {said}.")
    ids[is_float] = floats.astype(np.int64).tolist()  # Python ints, as msgspec gives
    return ids.tolist()


def keypoint_numbers(
    path: Path, annotations: list[Annotation], where: str, field: str = "keypoints"
) -> tuple[np.ndarray, np.ndarray]:
    """All annotations' ``keypoints`` (or ``bbox``) numbers, parsed in one pass.

    Parameters
    ----------
    path
        The file (for messages).
    annotations
        The records.
    where
        The JSON path of the list, ``$.annotations`` or ``$``, for messages.
    field
        ``keypoints`` or ``bbox``.

    Returns
    -------
    values, counts
        The numbers of every annotation, concatenated (float64), and how many
        each annotation has.
    """
    return raw_numbers(path, list(map(attrgetter(field), annotations)), where, field)


def raw_numbers(
    path: Path,
    lists: list[msgspec.Raw],
    where: str,
    field: str = "keypoints",
    origin: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """The numbers of raw JSON lists (each record's ``field``), parsed in one pass.

    As :func:`keypoint_numbers`, given the records' raw lists; ``origin`` is each
    list's record's index in the file (when some records were left out), for messages.

    Examples
    --------
    >>> values, counts = raw_numbers(
    ...     Path("x.json"), [msgspec.Raw(b"[1,2.5]"), msgspec.Raw(b"[]")], "$"
    ... )
    >>> values.tolist(), counts.tolist()
    ([1.0, 2.5], [2, 0])
    """
    if not lists:
        return np.zeros(0), np.zeros(0, dtype=np.int64)
    values, counts = _numbers(lists)
    total = int(counts.sum())
    if values is None or values.size != total:
        _locate_bad_numbers(path, lists, where, field, origin)
        raise FormatError(path, f"{where}[*].{field}: expected lists of numbers.")
    return values, counts


#: Lists parsed per batch: arrow's scratch memory (strings, offsets) is reused from one
#: batch to the next instead of growing with the file (fresh pages are slow to touch).
_BATCH = 4096

_LINE_PER_LIST = bytes.maketrans(b"]", b"\n")


def _numbers(lists: list[msgspec.Raw]) -> tuple[np.ndarray | None, np.ndarray]:
    """Parse raw JSON lists of numbers with pyarrow, batch by batch.

    Lists of one length go to :func:`_equal_lists_numbers` first. Otherwise each
    batch's raw texts become one arrow string array over one buffer (no
    copy per list); brackets and blanks are trimmed, each list is split at its
    commas, and the pieces are cast to float64 straight into one output array:
    no Python object per number.

    Returns
    -------
    values, counts
        All numbers (``None`` when a piece is not a number) and each list's count.
    """
    fast = _equal_lists_numbers(lists)
    if fast is not None:
        return fast
    chunks = [b"".join(lists[a : a + _BATCH]) for a in range(0, len(lists), _BATCH)]
    out = np.empty(sum(chunk.count(b",") for chunk in chunks) + len(lists), dtype=np.float64)
    counts = np.empty(len(lists), dtype=np.int64)
    at = 0
    for n, chunk in enumerate(chunks):
        batch = lists[n * _BATCH : (n + 1) * _BATCH]
        values, counts[n * _BATCH : n * _BATCH + len(batch)] = _batch_numbers(batch, chunk)
        if values is None:
            return None, counts
        out[at : at + values.size] = values
        at += values.size
    return out[:at], counts


def _equal_lists_numbers(lists: list[msgspec.Raw]) -> tuple[np.ndarray, np.ndarray] | None:
    """Lists that all hold the same count of plain numbers, parsed as one CSV table.

    The common case (every annotation has all its keypoints): the lists joined
    become one line each (``[`` and blanks dropped, ``]`` a line end), which
    pyarrow's CSV reader parses as float64 columns on one thread (its thread
    pool was slower in a fresh process and held more memory).
    Only when the text holds no quote (a string in a list), every line has the
    same count of numbers (an empty list would be an empty line, which is an
    error here) and the lines are as many as the lists (a nested list adds
    lines); otherwise ``None``, and the caller parses list by list.
    """
    import pyarrow as pa
    import pyarrow.csv as pcsv

    data = b"".join(lists)
    # a string, a null (b"n": one byte is found far faster than four), a last value not a list
    if b'"' in data or b"n" in data or not data.endswith(b"]"):
        return None
    text = data.translate(_LINE_PER_LIST, b"[ \t\r\n")  # blanks go first, then ] -> line end
    width = text[: text.index(b"\n")].count(b",") + 1
    names = [f"n{i}" for i in range(width)]
    try:
        table = pcsv.read_csv(
            pa.BufferReader(pa.py_buffer(text)),
            read_options=pcsv.ReadOptions(column_names=names, use_threads=False),
            parse_options=pcsv.ParseOptions(quote_char=False, ignore_empty_lines=False),
            convert_options=pcsv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.float64()),
                null_values=[],
                strings_can_be_null=False,
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    if table.num_rows != len(lists):
        return None
    values = np.empty((table.num_rows, width), dtype=np.float64)
    for column, array in enumerate(table.columns):  # one per number of a list
        values[:, column] = array.to_numpy()
    return values.ravel(), np.full(len(lists), width, dtype=np.int64)


def _batch_numbers(lists: list[msgspec.Raw], data: bytes) -> tuple[np.ndarray | None, np.ndarray]:
    """:func:`_numbers` of one batch, whose texts joined are ``data``."""
    import pyarrow as pa
    import pyarrow.compute as pc

    lengths = np.fromiter(map(len, lists), dtype=np.int64, count=len(lists))
    offsets = np.zeros(len(lists) + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    texts = pa.LargeStringArray.from_buffers(len(lists), pa.py_buffer(offsets), pa.py_buffer(data))
    if b"null" in data:  # a list given as null: none (as an absent key)
        texts = pc.if_else(pc.equal(pc.utf8_trim_whitespace(texts), "null"), "[]", texts)
    for bracket in ("[", "]"):  # exactly one of each: a flat list, not a number or nested list
        if not pc.all(pc.equal(pc.count_substring(texts, bracket), 1)).as_py():
            return None, np.zeros(len(lists), dtype=np.int64)
    spaced = any(blank in data for blank in (b" ", b"\n", b"\t", b"\r"))
    texts = pc.utf8_trim(texts, "[] \t\r\n" if spaced else "[]")
    pieces = pc.split_pattern(texts, ",")
    counts = pc.list_value_length(pieces).to_numpy(zero_copy_only=False).astype(np.int64)
    flat = pieces.flatten()
    empty = pc.equal(pc.utf8_length(texts), 0).to_numpy(zero_copy_only=False)
    if empty.any():  # "[]" splits into one empty piece
        counts[empty] = 0
        flat = pc.filter(flat, pc.not_equal(pc.utf8_length(flat), 0))
    if spaced:
        flat = pc.utf8_trim_whitespace(flat)
    if MISSING_NUMBER in data:  # NaN / Infinity in a Python-written file (see load)
        flat = pc.if_else(pc.equal(flat, MISSING_NUMBER.decode()), "nan", flat)
    try:
        values = pc.cast(flat, pa.float64()).to_numpy(zero_copy_only=False)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None, counts
    return values, counts


def _locate_bad_numbers(
    path: Path, lists: list[msgspec.Raw], where: str, field: str, origin: np.ndarray | None
) -> None:
    """Raise a FormatError naming the first record whose list is not numbers."""
    for index, raw in enumerate(lists):
        try:
            msgspec.json.decode(bytes(raw), type=list[float])
        except msgspec.DecodeError as error:
            number = index if origin is None else int(origin[index])
            raise FormatError(
                path, f"{where}[{number}].{field}: expected a list of numbers ({error})."
            ) from None
