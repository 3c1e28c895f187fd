"""Reading COCO keypoints: ground truth -> labels dataset, results -> poses dataset."""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, fields
from operator import attrgetter, methodcaller
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from posebridge import model
from posebridge._files import check_input
from posebridge.errors import FormatError, PoseBridgeError, user_stacklevel
from posebridge.formats._shared.images import (
    BOX,
    BOX_PARTS,
    LARGEST_SIDE,
    require_instances,
    scatter,
    slots,
    untracked_names,
)
from posebridge.formats.coco._categories import (
    chosen_categories,
    skeleton_base,
    skeletons,
)
from posebridge.formats.coco._layout import (
    CATEGORIES_ATTR,
    Annotation,
    GroundTruth,
    categories_attr,
    image_ids,
    raw_numbers,
    whole_numbers,
)
from posebridge.formats.coco._layout import load as load_file
from posebridge.model import labels

__all__ = ["SOURCE_SOFTWARE", "read", "skeleton_base"]

SOURCE_SOFTWARE = "COCO"


def read(
    path: str | os.PathLike[str],
    *,
    category: str | int | None = None,
    ground_truth: str | Path | None = None,
    keypoint_names: Sequence[str] | None = None,
    skeleton_base: int | None = None,
) -> xr.Dataset:
    """Read a COCO keypoints ground-truth or results file.

    Parameters
    ----------
    path
        A ground-truth file (``{"images", "annotations", "categories"}``) or a
        results file (a list of ``{"image_id", "category_id", "keypoints",
        "score"}``).
    category
        The category to read when the file's keypoint categories have
        different keypoint lists: a number is its id, a text its name (or its
        id, when no category has that name). Categories that share one
        list are read together, each instance's in ``category``.
    ground_truth
        Results only: the ground-truth file that gives keypoint names, the
        skeleton, category names and the images (file names and sizes).
    keypoint_names
        Results only, without ``ground_truth``: the keypoint names
        (``keypoint_<k>`` when neither is given).
    skeleton_base
        0 or 1: the index base of ``skeleton`` when it cannot be told from the
        indices (no index 0 and none equal to the number of keypoints).

    Returns
    -------
    xarray.Dataset
        Ground truth: a labels dataset (one row per image). Results: a poses
        dataset with ``time`` counting the images in order of first
        appearance, ``confidence`` the third number of each keypoint, and the
        annotation ``score`` in ``instance_score``.

    Examples
    --------
    >>> from posebridge.formats import coco
    >>> ds = coco.read("person_keypoints_val2017.json")  # doctest: +SKIP
    >>> ds.attrs["content"]  # doctest: +SKIP
    'labels'
    """
    path = check_input(path)
    if skeleton_base is not None and (
        isinstance(skeleton_base, bool) or skeleton_base not in (0, 1)
    ):
        raise PoseBridgeError(f"skeleton_base must be 0, 1 or None, got {skeleton_base!r}.")
    content = load_file(path)
    if isinstance(content, GroundTruth):
        if ground_truth is not None or keypoint_names is not None:
            raise FormatError(
                path,
                "is a ground-truth file: ground_truth= and keypoint_names= apply to "
                "results files only (the file names its keypoints itself).",
            )
        return _read_ground_truth(path, content, category, skeleton_base)
    gt = None
    if ground_truth is None and (category is not None or skeleton_base is not None):
        raise FormatError(
            path,
            "is a results file: category= and skeleton_base= choose from a ground-truth "
            "file's categories; give it with ground_truth=.",
        )
    if ground_truth is not None:
        gt_path = check_input(ground_truth)
        gt = load_file(gt_path)
        if not isinstance(gt, GroundTruth):
            raise FormatError(
                gt_path, "ground_truth= must be a COCO ground-truth file, not a list."
            )
        if keypoint_names is not None:
            raise FormatError(path, "give ground_truth= or keypoint_names=, not both.")
    return _read_results(
        path,
        content,
        gt,
        Path(ground_truth) if gt else None,
        category,
        keypoint_names,
        skeleton_base,
    )


# --------------------------------------------------------------------------
# annotations as columns


def _floats(values: list[Any]) -> np.ndarray:
    """float64 of numbers and ``None`` (-> NaN), without a Python loop per value."""
    try:
        return np.array(values, dtype=np.float64)
    except (TypeError, ValueError):  # not expected: msgspec typed them
        return np.array([np.nan if v is None else float(v) for v in values], dtype=np.float64)


@dataclass
class _Columns:
    """The annotations' fields as columns."""

    image_id: np.ndarray
    category_id: np.ndarray
    iscrowd: np.ndarray  # float64: NaN for null
    area: np.ndarray
    score: np.ndarray
    track_id: np.ndarray  # object: int, str or None (see :func:`_track_ids`)
    individual: np.ndarray  # object: str or None
    keypoints: list[Any]  # msgspec.Raw
    bbox: list[Any]
    number: np.ndarray  # each record's index in the file's list (for messages)

    @classmethod
    def of(cls, path: Path, records: list[Annotation], where: str) -> _Columns:
        """The columns of ``records``, the list at JSON path ``where`` of ``path``
        (``$.annotations`` or ``$``; for messages)."""
        n = len(records)

        def field(name: str) -> Iterator[Any]:  # C-level iteration, no bytecode per record
            return map(attrgetter(name), records)

        def ids(name: str) -> np.ndarray:  # int64, or object with texts (image ids)
            return image_ids(path, list(field(name)), f"{where}[{{}}].{name}")

        return cls(
            image_id=ids("image_id"),
            category_id=ids("category_id"),
            iscrowd=_floats(list(field("iscrowd"))),  # null: NaN, not a crowd
            area=_floats(list(field("area"))),
            score=_floats(list(field("score"))),
            track_id=_track_ids(path, records, where),
            individual=np.fromiter(field("individual"), dtype=object, count=n),
            keypoints=list(field("keypoints")),
            bbox=list(field("bbox")),
            number=np.arange(n),
        )

    def __len__(self) -> int:
        return self.image_id.size

    def take(self, index: np.ndarray) -> _Columns:
        """The records at ``index`` (all of them: ``self``)."""
        if index.size == len(self):
            return self
        return _Columns(
            *(
                [value[i] for i in index.tolist()] if isinstance(value, list) else value[index]
                for value in (getattr(self, f.name) for f in fields(self))
            )
        )


def _track_ids(path: Path, records: list[Annotation], where: str) -> np.ndarray:
    """Each annotation's track id (object: int, str or None), from the first key with one.

    The keys in sleap-io's order: ``attributes.object_id`` (what sleap-io and CVAT
    write), then ``track_id`` (PoseTrack, posebridge), then ``instance_id``; unlike
    sleap-io, which skips a falsy id, a 0 is a track id (PoseTrack numbers from 0). A
    whole number written as a float (``3.0``: a track id column with untracked rows is
    a float column) is its integer, as other ids; another float in ``track_id`` is
    refused naming its key (``where`` is the records' JSON path, for messages).
    ``attributes`` and ``instance_id`` are any JSON value (other tools use them for
    their own data, and pycocotools ignores them): a text names the track, as in
    sleap-io, and another value (a fraction, a list, ...) is no track id, warned of
    once per key; an ``attributes`` that is not a mapping holds no ``object_id``.
    """
    n = len(records)
    track = np.fromiter(map(attrgetter("track_id"), records), dtype=object, count=n)
    if float in set(map(type, track)):  # rare: ints and None are the usual case
        key = f"{where}[{{}}].track_id"
        found = whole_numbers(path, track.tolist(), key, what="track id")
        track = np.fromiter(found, dtype=object, count=n)
    attributes = np.fromiter(map(attrgetter("attributes"), records), dtype=object, count=n)
    mapping = np.fromiter(map(dict.__instancecheck__, attributes), dtype=bool, count=n)
    if mapping.any():
        object_id = np.full(n, None, dtype=object)
        found = map(methodcaller("get", "object_id"), attributes[mapping])
        # fromiter: a list value stays one element (a list would be broadcast)
        object_id[mapping] = np.fromiter(found, dtype=object, count=int(mapping.sum()))
        object_id = _loose_track_ids(path, object_id, f"{where}[{{}}].attributes.object_id")
        track = np.where(object_id != None, object_id, track)  # noqa: E711 - element-wise
    instance = np.fromiter(map(attrgetter("instance_id"), records), dtype=object, count=n)
    instance = _loose_track_ids(path, instance, f"{where}[{{}}].instance_id")
    return np.where(track != None, track, instance)  # noqa: E711


def _loose_track_ids(path: Path, values: np.ndarray, key: str) -> np.ndarray:
    """``values`` (object: any JSON value) as track ids: an int, a whole float as its
    int, and a text that is not empty are kept; anything else is ``None``, with one
    warning naming ``key`` (a JSON path with ``{}`` for the index) and the first value.
    """
    kinds = np.fromiter(map(type, values), dtype=object, count=values.size)
    is_text = np.equal(kinds, str)  # exact types: a JSON true (bool) is no number
    kept = np.equal(kinds, int) | is_text | np.equal(kinds, type(None))
    is_float = np.equal(kinds, float)
    if is_float.any():
        floats = values[is_float].astype(np.float64)
        whole = (floats == np.floor(floats)) & (np.abs(floats) < 2.0**63)
        values = values.copy()
        values[np.flatnonzero(is_float)[whole]] = floats[whole].astype(np.int64).tolist()
        kept[np.flatnonzero(is_float)[whole]] = True
    kept[is_text] = values[is_text] != ""
    if kept.all():
        return values
    dropped = np.flatnonzero(~kept)
    first = int(dropped[0])
    warnings.warn(
        f"{path}: {key.format(first)}: {values[first]!r} is not a track id (a number or a "
        f"text); {dropped.size} annotation(s) with such a value are read without one from "
        "this key (pycocotools ignores it).",
        stacklevel=user_stacklevel(),
    )
    values = values.copy()
    values[dropped] = None
    return values


# --------------------------------------------------------------------------
# annotations -> arrays


def _identities(
    path: Path, records: _Columns, rows: np.ndarray, where: str
) -> tuple[np.ndarray, list[str]]:
    """Each annotation's individual: its name or track, else its rank among the untracked."""
    named = records.individual != None  # noqa: E711 - element-wise
    tracked = records.track_id != None  # noqa: E711
    names = np.full(len(records), "", dtype=object)
    if tracked.any():
        names[tracked] = [f"track_{t}" for t in records.track_id[tracked].tolist()]
    if named.any():
        names[named] = records.individual[named]
    untracked = names == ""
    if untracked.any():
        ranks, count = slots(rows[untracked])
        names[untracked] = np.asarray(untracked_names(count), dtype=object)[ranks]
    codes, individuals = pd.factorize(names, sort=False)
    pairs = pd.Index(rows * max(len(individuals), 1) + codes)
    if pairs.has_duplicates:
        i = int(np.flatnonzero(pairs.duplicated())[0])
        raise FormatError(
            path,
            f"{where}[{records.number[i]}]: image {records.image_id[i]} has two annotations "
            f"of the individual {names[i]!r} (its track id or individual repeated within "
            "an image).",
        )
    codes = np.asarray(codes, dtype=np.int64)
    if tracked.any() and len(individuals) > 1:
        codes, individuals = _by_track(codes, individuals, records.track_id, tracked)
    return codes, [str(n) for n in individuals]


def _by_track(
    codes: np.ndarray, individuals: Any, track_id: np.ndarray, tracked: np.ndarray
) -> tuple[np.ndarray, Any]:
    """Individuals ordered by their track id (what posebridge writes as their position),
    those with a text id or none after them in order of first appearance."""
    numbers = np.full(codes.size, np.inf)  # a text id sorts after the numbers
    numbered = tracked & np.equal(np.fromiter(map(type, track_id), object, track_id.size), int)
    numbers[numbered] = np.asarray(track_id[numbered].tolist(), dtype=np.float64)
    lowest = np.full(len(individuals), np.inf)
    np.minimum.at(lowest, codes, numbers)
    order = np.lexsort((np.arange(len(individuals)), lowest))
    rank = np.empty_like(order)
    rank[order] = np.arange(order.size)
    return rank[codes], np.asarray(individuals, dtype=object)[order]


def _points(
    path: Path, numbers: tuple[np.ndarray, np.ndarray], k: int, where: str, origin: np.ndarray
) -> np.ndarray:
    """(annotation, keypoint, 3) numbers; an empty ``keypoints`` list gives zeros.

    ``origin`` is each annotation's index in the file's list (for messages).
    """
    values, counts = numbers
    wrong = (counts != 3 * k) & (counts != 0)
    if wrong.any():
        i = int(np.flatnonzero(wrong)[0])
        raise FormatError(
            path,
            f"{where}[{origin[i]}].keypoints: expected {3 * k} numbers (x, y, v for each of {k} "
            f"keypoints), found {counts[i]}.",
        )
    if values.size == counts.size * 3 * k:  # every annotation has its points: no copy
        return values.reshape(counts.size, k, 3)
    out = np.zeros((counts.size, 3 * k), dtype=np.float64)
    present = counts > 0
    if present.any():
        out[present] = values.reshape(-1, 3 * k)
    return out.reshape(counts.size, k, 3)


def _refuse_infinite(
    path: Path,
    infinite: np.ndarray,
    where: Callable[[int, int], str],
    missing_is: str,
) -> None:
    """Refuse the first (annotation, keypoint) marked in ``infinite``: a coordinate too
    large for a float (``1e400``), which ``where(i, j)`` names and ``missing_is`` says
    how the format writes a missing point instead."""
    if infinite.any():
        i, j = (int(v) for v in np.argwhere(infinite)[0])
        raise FormatError(
            path,
            f"{where(i, j)} has an infinite coordinate where a finite number belongs "
            f"({missing_is}); the number is too large for a float.",
        )


def _check_labelled_coordinates(
    path: Path, points: np.ndarray, origin: np.ndarray, names: list[str]
) -> None:
    """Refuse an infinite coordinate of a keypoint flagged labelled (v 1 or 2): a number
    too large for a float, such as ``1e400``; and warn of missing ones, which read as
    no point, naming the first annotation and counting them. ``NaN`` and ``Infinity``
    (what Python's ``json.dump`` writes for a float NaN or infinity) are read as
    missing values (``_layout.load``), not as damage.
    """
    labelled = points[..., 2] > 0
    coordinates = points[..., :2]
    _refuse_infinite(
        path,
        np.isinf(coordinates).any(axis=-1) & labelled,
        lambda i, j: (
            f"$.annotations[{origin[i]}].keypoints: keypoint {j} ({names[j]!r}) "
            f"is flagged v={points[i, j, 2]:g} but"
        ),
        "an unlabelled point is 0, 0, 0",
    )
    missing = np.isnan(coordinates).any(axis=-1) & labelled
    if missing.any():
        i, j = (int(v) for v in np.argwhere(missing)[0])
        warnings.warn(
            f"{path}: {int(missing.sum())} keypoint(s) flagged labelled (v 1 or 2) have a "
            f"NaN or Infinity coordinate, the first keypoint {j} ({names[j]!r}) of "
            f"$.annotations[{origin[i]}]; they are read as no point (unlabelled).",
            UserWarning,
            stacklevel=user_stacklevel(),
        )


def _boxes(path: Path, records: _Columns, where: str) -> np.ndarray:
    """(annotation, 4) bbox, NaN when absent."""
    values, counts = raw_numbers(path, records.bbox, where, "bbox", records.number)
    wrong = (counts != 4) & (counts != 0)
    if wrong.any():
        i = int(np.flatnonzero(wrong)[0])
        raise FormatError(
            path,
            f"{where}[{records.number[i]}].bbox: expected [x, y, width, height], found "
            f"{counts[i]} numbers.",
        )
    boxes = np.full((counts.size, 4), np.nan)
    if values.size:
        boxes[counts == 4] = values.reshape(-1, 4)
    return boxes


def _assemble(
    ds: xr.Dataset,
    rows: np.ndarray,
    columns: np.ndarray,
    records: _Columns,
    category_names: dict[int, str] | None,
    boxes: np.ndarray,
) -> xr.Dataset:
    """Add bbox, area, category and category id of every instance."""
    shape = (ds.sizes[model.TIME], ds.sizes[model.INDIVIDUAL])
    ids = records.category_id
    dims2 = (model.TIME, model.INDIVIDUAL)
    if np.isfinite(boxes).any():
        grid = scatter(rows, columns, shape, boxes, np.nan)
        ds["bbox"] = ((model.TIME, model.INDIVIDUAL, BOX), grid)
        ds["bbox"] = ds["bbox"].transpose(model.TIME, BOX, model.INDIVIDUAL)
        ds = ds.assign_coords({BOX: list(BOX_PARTS)})
    areas = records.area
    if np.isfinite(areas).any():
        ds["instance_area"] = (dims2, scatter(rows, columns, shape, areas, np.nan))
    ds["category_id"] = (dims2, scatter(rows, columns, shape, ids, -1))
    if category_names is not None:
        lookup = pd.Series(category_names, dtype=object)
        names = lookup.reindex(ids).fillna("").to_numpy().astype(str)
        ds["category"] = (dims2, scatter(rows, columns, shape, names, ""))
    return ds


def image_table(path: Path, gt: GroundTruth) -> pd.DataFrame:
    """The ground truth's images (``id``, ``file_name``, ``width``, ``height``), one row
    each in file order; an id or file name given twice, or an empty file name, is refused
    (FormatError).

    Examples
    --------
    >>> from posebridge.formats.coco._layout import GroundTruth, Image
    >>> gt = GroundTruth(images=[Image(id=7, file_name="a.png")], categories=[])
    >>> image_table(Path("gt.json"), gt)[["id", "file_name"]].values.tolist()
    [[7, 'a.png']]
    """
    images = gt.images
    table = pd.DataFrame(
        {
            "id": image_ids(path, list(map(attrgetter("id"), images)), "$.images[{}].id"),
            "file_name": np.fromiter(map(attrgetter("file_name"), images), object, len(images)),
            "width": _floats(list(map(attrgetter("width"), images))),  # None -> NaN
            "height": _floats(list(map(attrgetter("height"), images))),
        }
    )
    names = table["file_name"].to_numpy()
    empty = np.flatnonzero(names == "")
    if empty.size:  # it would be a row without an image (SchemaError far from here)
        raise FormatError(
            path,
            f"$.images[{int(empty[0])}].file_name is empty ({empty.size} image(s) have "
            "none); each image needs its file's name.",
        )
    for column, what in (("id", "id"), ("file_name", "file_name")):
        repeated = table[column].duplicated(keep=False).to_numpy()
        if repeated.any():
            at = np.flatnonzero(repeated)[:2].tolist()
            value = table[column].tolist()[at[0]]  # a Python int or str
            raise FormatError(
                path,
                f"$.images[{at[0]}] and $.images[{at[1]}] have the same {what} "
                f"{value!r}; each image must appear once.",
            )
    return table


def _id_coordinate(
    path: Path, ids: np.ndarray, key: str, codes: np.ndarray | None = None
) -> np.ndarray:
    """The ``image_id`` coordinate of distinct image ids: int64 when all are numbers, else
    text (a number as its decimal text, ``"img_001"`` as it is).

    Parameters
    ----------
    path
        The file (for messages).
    ids
        The distinct ids (int64, or object holding numbers and texts).
    key
        The JSON path of an id, with ``{}`` for its record's index (``$.images[{}].id``).
    codes
        Each record's index into ``ids`` (results: several per image), for messages;
        ``None`` when record ``i`` is ``ids[i]`` (images).

    Raises
    ------
    FormatError
        When a text id is another id's number as text (``"1"`` and ``1``): pycocotools
        keeps them apart, a coordinate of texts cannot.
    """
    if ids.dtype != object:
        return ids
    text = ids.astype(str)
    repeated = pd.Index(text).duplicated()
    if repeated.any():
        second = int(np.argmax(repeated))
        first = int(np.flatnonzero(text == text[second])[0])

        def record(j: int) -> int:
            return j if codes is None else int(np.flatnonzero(codes == j)[0])

        raise FormatError(
            path,
            f"{key.format(record(first))} is {ids[first]!r} and "
            f"{key.format(record(second))} is {ids[second]!r}: the same image id as text "
            "and as a number. Image ids that include texts are read as texts, which would "
            "merge these two images; give each image one id, all numbers or all texts.",
        )
    return text


def _image_rows(path: Path, table: pd.DataFrame, records: _Columns, where: str) -> np.ndarray:
    image_ids = records.image_id
    rows = pd.Index(table["id"].to_numpy()).get_indexer(image_ids)
    if (rows < 0).any():
        i = int(np.flatnonzero(rows < 0)[0])
        missing = image_ids[i : i + 1].tolist()[0]  # a Python int or str
        raise FormatError(
            path,
            f"{where}[{records.number[i]}].image_id: image {missing!r} is not in $.images.",
        )
    return rows.astype(np.int64)


def _sizes(values: pd.Series) -> np.ndarray:
    """Image widths or heights as int64; -1 (unknown) where one is no size in pixels."""
    numbers = values.to_numpy(dtype=np.float64)
    known = (numbers >= 0) & (numbers <= LARGEST_SIDE)  # not NaN, not past int range
    return np.where(known, numbers, -1).astype(np.int64)


def _refuse_repeated_ids(path: Path, annotations: list[Annotation]) -> None:
    """Refuse an annotation id given twice (two exports merged): read as two instances it
    made a phantom animal; pycocotools keeps one in ``anns`` but both in ``imgToAnns``."""
    ids = list(map(attrgetter("id"), annotations))
    absent = ids.count(None)
    if len(set(ids)) + max(absent - 1, 0) == len(ids):  # every id once: the usual case, fast
        return
    index = pd.Index(ids, dtype=object)
    second = int(np.argmax(index.duplicated() & index.notna()))
    first = ids.index(ids[second])
    raise FormatError(
        path,
        f"$.annotations[{second}].id: annotation id {ids[second]!r} is also "
        f"$.annotations[{first}]'s; each annotation has its own id (were two files merged?).",
    )


def _read_ground_truth(
    path: Path, gt: GroundTruth, category: str | int | None, base: int | None
) -> xr.Dataset:
    chosen = chosen_categories(path, gt.categories, category)
    names = list(chosen[0].keypoints)
    k = len(names)
    table = image_table(path, gt)
    wanted = {c.id for c in chosen}
    _refuse_repeated_ids(path, gt.annotations)
    records = _Columns.of(path, gt.annotations, "$.annotations")
    category_ids = records.category_id
    unknown = ~np.isin(category_ids, [c.id for c in gt.categories])
    if unknown.any():
        i = int(np.flatnonzero(unknown)[0])
        raise FormatError(
            path,
            f"$.annotations[{i}].category_id: category {category_ids[i]} is not in $.categories.",
        )
    keep = np.isin(category_ids, list(wanted))  # other categories' annotations: not read
    crowd = keep & (records.iscrowd == 1)
    if crowd.any():
        warnings.warn(
            f"{path}: {int(crowd.sum())} crowd annotations (iscrowd=1) are not instances "
            "and were skipped.",
            stacklevel=user_stacklevel(),
        )
    index = np.flatnonzero(keep & ~crowd)
    records = records.take(index)
    rows = _image_rows(path, table, records, "$.annotations")
    columns, individuals = _identities(path, records, rows, "$.annotations")
    numbers = raw_numbers(path, records.keypoints, "$.annotations", origin=records.number)
    points = _points(path, numbers, k, "$.annotations", records.number)
    flags = points[..., 2]
    bad = (flags != 0) & (flags != 1) & (flags != 2)  # NaN too
    if bad.any():
        i, j = np.argwhere(bad)[0]
        raise FormatError(
            path,
            f"$.annotations[{records.number[i]}].keypoints: visibility of keypoint {j} "
            f"({names[j]!r}) is {flags[i, j]:g}; expected 0, 1 or 2.",
        )
    _check_labelled_coordinates(path, points, records.number, names)  # after the flags
    n_rows, n_ind = len(table), len(individuals)
    require_instances(path, n_ind, k, "no annotation of a keypoint category")
    position = scatter(rows, columns, (n_rows, n_ind), points[..., :2], np.nan)  # (t, i, k, 2)
    visible = scatter(rows, columns, (n_rows, n_ind), flags, np.nan)  # (t, i, k)
    unplaced = ~np.isfinite(position).all(axis=-1)  # a NaN coordinate: no point, no label
    visible[unplaced] = np.nan
    position[(visible == 0) | unplaced] = np.nan  # v=0: not labelled
    any_occluded = bool((flags == 1).any())
    ds = labels.from_numpy(
        position.transpose(0, 3, 2, 1),
        image_path=table["file_name"].to_numpy(dtype=str),
        individual_names=individuals,
        keypoint_names=names,
        visible=visible.transpose(0, 2, 1) if any_occluded else None,
        source_software=SOURCE_SOFTWARE,
    )
    ids = table["id"].to_numpy()
    ds = ds.assign_coords(
        image_id=(model.TIME, _id_coordinate(path, ids, "$.images[{}].id")),
        image_width=(model.TIME, _sizes(table["width"])),
        image_height=(model.TIME, _sizes(table["height"])),
    )
    edges, own_skeletons = skeletons(path, chosen, gt.categories, names, base)
    if edges is not None:
        ds["skeleton_edges"] = (("edge", "edge_node"), edges)
    category_names = {c.id: c.name for c in gt.categories}
    boxes = _boxes(path, records, "$.annotations")
    ds.attrs[CATEGORIES_ATTR] = categories_attr(chosen, own_skeletons)
    return _assemble(ds, rows, columns, records, category_names, boxes)


def _category_results(
    path: Path,
    records: _Columns,
    gt: GroundTruth,
    gt_path: Path,
    wanted: set[int],
    category: str | int | None,
) -> _Columns:
    """The results of the chosen categories.

    Results of a category that is no keypoint category of the ground truth (a
    model's class 0 against ground-truth category 1) are dropped with a warning
    naming them; when no result is left, the error names the mismatch.
    """
    ids = records.category_id
    keypoint_ids = sorted(c.id for c in gt.categories if c.keypoints)
    foreign = ~np.isin(ids, keypoint_ids)
    keep = np.isin(ids, list(wanted))
    if len(records) and not keep.any():
        found = np.unique(ids)
        shown = ", ".join(map(str, found[:5].tolist())) + (", ..." if found.size > 5 else "")
        if foreign.all():
            problem = f"is of a keypoint category of {gt_path} (ids {keypoint_ids})"
            advice = "results must use the ground truth's category ids"
        else:
            problem = f"is of the category chosen (category={category!r}, ids {sorted(wanted)})"
            advice = "choose another category="
        raise FormatError(
            path,
            f"none of its {len(records)} results {problem}; their category_id: {shown}. "
            f"No poses to read: {advice}.",
        )
    if foreign.any():
        dropped = np.unique(ids[foreign])
        shown = ", ".join(map(str, dropped[:5].tolist())) + (", ..." if dropped.size > 5 else "")
        warnings.warn(
            f"{path}: {int(foreign.sum())} results whose category_id ({shown}) is not a "
            f"keypoint category of {gt_path} (ids {keypoint_ids}) were not read.",
            stacklevel=user_stacklevel(),
        )
    return records.take(np.flatnonzero(keep))


def _read_results(
    path: Path,
    results: list[Annotation],
    gt: GroundTruth | None,
    gt_path: Path | None,
    category: str | int | None,
    keypoint_names: Sequence[str] | None,
    base: int | None,
) -> xr.Dataset:
    if gt is not None and gt_path is not None:
        chosen = chosen_categories(gt_path, gt.categories, category)
        wanted = {c.id for c in chosen}
        records = _category_results(
            path, _Columns.of(path, results, "$"), gt, gt_path, wanted, category
        )
        names = list(chosen[0].keypoints)
    else:
        records = _Columns.of(path, results, "$")
    numbers = raw_numbers(path, records.keypoints, "$", origin=records.number)
    counts = numbers[1]
    if gt is None:
        sizes = np.unique(counts)
        if sizes.size > 1:
            i = int(np.flatnonzero(counts != counts[0])[0])
            raise FormatError(
                path,
                f"$[{i}].keypoints: has {counts[i]} numbers, $[0] has {counts[0]}; results "
                "of different keypoint sets need ground_truth= and category=.",
            )
        k3 = int(sizes[0]) if sizes.size else 0
        if k3 % 3:
            raise FormatError(path, f"$[0].keypoints: {k3} numbers is not a multiple of 3.")
        if keypoint_names is not None:
            names = [str(n) for n in keypoint_names]
            if len(names) != k3 // 3:
                raise FormatError(
                    path,
                    f"keypoint_names has {len(names)} names; the results have "
                    f"{k3 // 3} keypoints.",
                )
        else:
            names = [f"keypoint_{i}" for i in range(k3 // 3)]
    k = len(names)
    points = _points(path, numbers, k, "$", records.number)
    image_ids = records.image_id
    codes, order = pd.factorize(image_ids, sort=False)
    order = np.asarray(order, dtype=image_ids.dtype)  # each id once, as read (int or text)
    rows = np.asarray(codes, dtype=np.int64)
    columns, individuals = _identities(path, records, rows, "$")
    n_rows, n_ind = len(order), len(individuals)
    require_instances(path, n_ind, k, "an empty results list")
    # (0, 0, 0) is COCO's unlabelled point (v=0): no point, as in ground truth
    absent = (points == 0).all(axis=-1)
    points = np.where(absent[..., None], np.nan, points)
    _refuse_infinite(
        path,
        np.isinf(points[..., :2]).any(axis=-1),
        lambda i, j: f"$[{records.number[i]}].keypoints: keypoint {j} ({names[j]!r})",
        "a missing point is NaN, or 0, 0, 0",
    )
    position = scatter(rows, columns, (n_rows, n_ind), points[..., :2], np.nan)
    position[~np.isfinite(position).all(axis=-1)] = np.nan  # a NaN coordinate: no point
    confidence = scatter(rows, columns, (n_rows, n_ind), points[..., 2], np.nan)
    ds = model.from_numpy(
        position.transpose(0, 3, 2, 1),
        confidence.transpose(0, 2, 1),
        individual_names=individuals,
        keypoint_names=names,
        source_software=SOURCE_SOFTWARE,
    )
    if gt is None:  # with ground truth: the ids as its images give them (below)
        ds = ds.assign_coords(
            image_id=(model.TIME, _id_coordinate(path, order, "$[{}].image_id", rows))
        )
    scores = records.score
    ds["instance_score"] = (
        (model.TIME, model.INDIVIDUAL),
        scatter(rows, columns, (n_rows, n_ind), scores, np.nan),
    )
    category_names = None
    if gt is not None and gt_path is not None:
        table = image_table(gt_path, gt)
        known = table["id"].to_numpy()
        at = pd.Index(known).get_indexer(order)
        if (at < 0).any():
            i = int(np.flatnonzero(rows == np.flatnonzero(at < 0)[0])[0])
            missing = image_ids[i : i + 1].tolist()[0]  # a Python int or str
            raise FormatError(
                path,
                f"$[{records.number[i]}].image_id: image {missing!r} is not in the images of "
                f"{gt_path}.",
            )
        coordinate = _id_coordinate(gt_path, known, "$.images[{}].id")
        ds = ds.assign_coords(
            image_id=(model.TIME, coordinate[at]),
            image_path=(model.TIME, labels.normalise_paths(table["file_name"].to_numpy()[at])),
            image_width=(model.TIME, _sizes(table["width"])[at]),
            image_height=(model.TIME, _sizes(table["height"])[at]),
        )
        edges, own_skeletons = skeletons(gt_path, chosen, gt.categories, names, base)
        if edges is not None:
            ds["skeleton_edges"] = (("edge", "edge_node"), edges)
        category_names = {c.id: c.name for c in gt.categories}
        ds.attrs[CATEGORIES_ATTR] = categories_attr(chosen, own_skeletons)
    return _assemble(ds, rows, columns, records, category_names, _boxes(path, records, "$"))
