"""The regions of Label Studio results as columns: keypoints, rectangles and their links.

Each chosen annotation (or prediction) holds a ``result`` list of regions.
:func:`fast_regions` gathers every keypoint and rectangle region of all tasks
into columns in a few vectorised passes; when anything is irregular it gives
up, and :class:`RegionItems` reads the regions one by one, with the same rules,
naming the first region that is wrong. Both give a :class:`Regions`.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import chain
from operator import itemgetter
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from posebridge.errors import FormatError, brief
from posebridge.formats._shared.images import LARGEST_SIDE
from posebridge.formats.labelstudio._layout import (
    ABSENT,
    RECORDS,
    column,
    object_array,
    of_kind,
)

__all__ = ["RegionItems", "Regions", "fast_regions", "refuse_bad_sizes", "refuse_mixed_images"]


@dataclass
class Regions:
    """Every task's keypoint and rectangle regions as columns, in file order.

    Positions and sizes are as stored (percent of ``original_width`` /
    ``original_height``); ``point_box`` is the row of the point's rectangle
    (``parentID``, or a relation), -1 for a free point; ``sizes`` holds each
    task's image size (its first region's), -1 when it has none.
    """

    point_task: np.ndarray
    point_box: np.ndarray
    point_label: np.ndarray
    point_xy: np.ndarray
    point_size: np.ndarray
    point_score: np.ndarray
    box_task: np.ndarray
    box_label: np.ndarray
    box_xywh: np.ndarray
    box_score: np.ndarray
    box_size: np.ndarray
    sizes: np.ndarray
    rotated: int
    #: each point's and rectangle's ``to_name`` (the image it lies on), ``""`` when absent
    point_image: np.ndarray | None = None
    box_image: np.ndarray | None = None
    #: points whose ``parentID`` names no region of their task (read as free points)
    orphans: int = 0
    #: the first of them: its task, its place in the task's result and its ``parentID``
    first_orphan: tuple[int, int, Any] | None = None


def _floats(values: np.ndarray) -> np.ndarray | None:
    """JSON numbers (an object array) as float64, or ``None`` when one is missing or not a
    number (numpy would make ``None`` NaN, ``true`` 1 and take text such as "1.5")."""
    kinds = set(map(type, values))  # C-level: a Python call per value costs 8x more
    if not kinds <= _NUMBER_TYPES and not all(map(_is_number, values)):
        return None
    try:
        return values.astype(np.float64)
    except (TypeError, ValueError, OverflowError):
        return None


#: What JSON numbers decode to (``bool`` is an ``int`` subclass, not in here).
_NUMBER_TYPES = frozenset({int, float})


def _is_number(value: Any) -> bool:
    """Whether a decoded JSON value is a number (``true`` is an ``int`` to Python, not here)."""
    return isinstance(value, int | float) and not isinstance(value, bool)


def _number(value: Any) -> float:
    """A JSON number as float; ``TypeError`` for anything else (``true``, text, ``null``)."""
    if not _is_number(value):
        raise TypeError(value)
    return float(value)


def _first_labels(values: np.ndarray, kind: str, *, one: bool = False) -> np.ndarray | None:
    """``str(value[kind][0])`` of every region value, or ``None`` when one has none
    (or, with ``one``, more than one)."""
    lists = column(values, kind)
    if set(map(type, lists)) - {list} or (lists.size and min(map(len, lists)) == 0):
        return None
    if one and lists.size and max(map(len, lists)) > 1:
        return None
    return object_array(map(str, map(itemgetter(0), lists)), len(lists))


def _keys(task: np.ndarray, names: np.ndarray) -> np.ndarray:
    """One text key per (task, name) pair."""
    return task.astype(str).astype(object) + "\x00" + names


def fast_regions(tasks: np.ndarray, results: list[list[Any]], n: int) -> Regions | None:
    """The regions of every chosen annotation as columns, in a few vectorised passes.

    The same columns as :class:`RegionItems` gathers region by region, with the same
    rules (a point's rectangle from its ``parentID`` in the same task, else
    from its relation to a rectangle, among any others; the region's own
    ``score``, none without; the first region's image size per task; a point
    whose ``parentID`` names no region of its task is free, and counted).
    ``None`` when anything is irregular (a region that is not an object, a
    missing or non-number coordinate or size, labels that are not a list of
    one name, a point related to two rectangles, two rectangles of one task with
    one id, a ``parentID`` naming a keypoint region): :class:`RegionItems` then reads
    the regions one by one and names the first that is wrong.
    """
    counts = np.fromiter(map(len, results), dtype=np.int64, count=len(results))
    total = int(counts.sum())
    items = object_array(chain.from_iterable(results), total)
    if total == 0 or not of_kind(items, RECORDS).all():
        return None
    task = np.repeat(tasks, counts)
    kinds = column(items, "type")
    if not of_kind(kinds, str).all():  # a region without a type: named region by region
        return None
    is_point = kinds == "keypointlabels"
    is_box = kinds == "rectanglelabels"
    region = np.flatnonzero(is_point | is_box)
    if not region.size:
        return None
    values = column(items[region], "value")
    if not of_kind(values, RECORDS).all():
        return None
    x, y = _floats(column(values, "x")), _floats(column(values, "y"))
    width = _floats(column(items[region], "original_width"))
    height = _floats(column(items[region], "original_height"))
    if x is None or y is None or width is None or height is None:
        return None
    # only the region's own score: a prediction's score is the whole task's (Label Studio
    # sorts predictions by it), not any point's or box's
    scores = column(items[region], "score", ABSENT)
    numeric = of_kind(scores, int | float) & ~of_kind(scores, bool)  # C-level isinstance passes
    if not (numeric | (scores == None) | (scores == ABSENT)).all():  # noqa: E711
        return None  # a score that is no number: named region by region
    score = np.full(region.size, np.nan)
    if numeric.any():
        numbers = _floats(scores[numeric])
        if numbers is None:
            return None
        score[numeric] = numbers
    points = is_point[region]  # among the regions
    boxes = ~points
    point_label = _first_labels(values[points], "keypointlabels", one=True)
    box_label = _first_labels(values[boxes], "rectanglelabels", one=True)
    box_w, box_h = (
        _floats(column(values[boxes], "width")),
        _floats(column(values[boxes], "height")),
    )
    if point_label is None or box_label is None or box_w is None or box_h is None:
        return None
    rotated = sum(map(bool, column(values[boxes], "rotation")))
    box_rows = region[boxes]
    box_task = task[box_rows]
    # the rectangle of each point: its parentID's in the task, else the rectangle a
    # relation links it to (whatever other relations it has)
    raw_box_ids = column(items[box_rows], "id")
    box_ids = object_array(map(str, raw_box_ids), box_rows.size)
    box_keys = _keys(box_task, box_ids)
    identified = (raw_box_ids != None) & (box_ids != "")  # noqa: E711 - elementwise
    if pd.Index(box_keys[identified]).has_duplicates:
        return None  # two rectangles with one id: RegionItems names them
    by_key = pd.Series(np.arange(box_rows.size), index=box_keys)
    by_key = by_key[~by_key.index.duplicated(keep="last")]  # (rectangles without an id)
    point_rows = region[points]
    point_task = task[point_rows]
    parents = column(items[point_rows], "parentID")
    named = parents != None  # noqa: E711 - elementwise
    parent_names = object_array(map(str, parents), parents.size)
    parent_keys = _keys(point_task, parent_names)
    box = by_key.reindex(parent_keys).to_numpy(dtype=np.float64, na_value=np.nan, copy=True)
    box[~named] = np.nan
    # a parentID naming no rectangle of the task ("" is none at all)
    lost = named & np.isnan(box) & (parent_names != "")
    if lost.any():
        point_ids = object_array(map(str, column(items[point_rows], "id")), point_rows.size)
        if pd.Index(_keys(point_task, point_ids)).isin(parent_keys[lost]).any():
            return None  # a parentID naming a keypoint region: RegionItems names it
    relations = np.flatnonzero(kinds == "relation")
    if relations.size and np.isnan(box).any():
        a = object_array(map(str, column(items[relations], "from_id")), relations.size)
        b = object_array(map(str, column(items[relations], "to_id")), relations.size)
        rel_task = np.repeat(task[relations], 2)
        ends = np.column_stack([a, b]).reshape(-1)
        others = np.column_stack([b, a]).reshape(-1)
        # every relation of a point to a rectangle counts (a point may also be related to
        # other points: a skeleton line); one related to two rectangles is irregular
        other_box = by_key.reindex(_keys(rel_task, others)).to_numpy(
            dtype=np.float64, na_value=np.nan, copy=True
        )
        to_box = pd.Series(other_box, index=_keys(rel_task, ends)).dropna()
        to_box = to_box[~pd.MultiIndex.from_arrays([to_box.index, to_box.to_numpy()]).duplicated()]
        point_ids = object_array(map(str, column(items[point_rows], "id")), point_rows.size)
        point_keys = _keys(point_task, point_ids)
        unplaced = np.isnan(box)
        ambiguous = to_box.index.duplicated() & to_box.index.isin(point_keys[unplaced])
        if ambiguous.any():
            return None  # RegionItems names the point
        to_box = to_box[~to_box.index.duplicated()]
        linked = to_box.reindex(point_keys).to_numpy(dtype=np.float64, na_value=np.nan)
        box[unplaced] = linked[unplaced]
    other_rows = np.flatnonzero(~(is_point | is_box) & (kinds != "relation"))
    other_ids = column(items[other_rows], "id")
    other_rows = other_rows[other_ids != None]  # noqa: E711 - elementwise
    other_keys = _keys(
        task[other_rows], object_array(map(str, column(items[other_rows], "id")), other_rows.size)
    )
    lost &= ~pd.Index(parent_keys).isin(other_keys)  # a polygon's points: not lost (README)
    orphans = np.flatnonzero(lost & np.isnan(box))
    first_orphan = None
    if orphans.size:
        row = int(point_rows[orphans[0]])
        starts = np.cumsum(counts) - counts
        at = int(np.searchsorted(starts, row, side="right") - 1)  # its result
        first_orphan = (int(tasks[at]), row - int(starts[at]), parents[orphans[0]])
    image = _image_names(column(items[region], "to_name"))
    first = np.unique(task[region], return_index=True)
    sizes = np.full((n, 2), -1.0)
    sizes[first[0]] = np.column_stack([width, height])[first[1]]
    size = np.column_stack([width, height])
    return Regions(
        point_task=point_task,
        point_box=np.where(np.isnan(box), -1, box).astype(np.int64),
        point_label=point_label,
        point_xy=np.column_stack([x[points], y[points]]),
        point_size=size[points],
        point_score=score[points],
        box_task=box_task,
        box_label=box_label,
        box_xywh=np.column_stack([x[boxes], y[boxes], box_w, box_h]),
        box_score=score[boxes],
        box_size=size[boxes],
        sizes=sizes,
        rotated=int(rotated),
        point_image=image[points],
        box_image=image[boxes],
        orphans=int(orphans.size),
        first_orphan=first_orphan,
    )


def _image_names(values: np.ndarray) -> np.ndarray:
    """Each region's ``to_name`` as text, ``""`` where it has none."""
    given = values != None  # noqa: E711 - elementwise
    names = np.full(values.size, "", dtype=object)
    names[given] = object_array(map(str, values[given]), int(given.sum()))
    return names


def _refuse_untyped(path: Path, where: str, item: dict[str, Any]) -> None:
    """Refuse a region without ``type`` whose value holds point or rectangle labels.

    Label Studio writes the type of every region; without it the region's kind is
    a guess (a file edited by hand, or cut short by a tool), and leaving it out
    would drop a keypoint or an individual without a word.
    """
    value = item.get("value")
    if not isinstance(value, dict):
        return
    held = [key for key in ("keypointlabels", "rectanglelabels") if key in value]
    if held:
        raise FormatError(
            path,
            f'{where}: a region without "type" whose value holds {held[0]}; Label Studio '
            f'writes "type": "{held[0]}" with it: add it, or remove the region.',
        )


class RegionItems:
    """The regions of every task, region by region (:func:`fast_regions` when irregular).

    Checks every region and names the first that is wrong; the columns it
    gathers are those :func:`fast_regions` makes at once.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.points: list[tuple[Any, ...]] = []  # task, group key, label, x, y, w, h, score
        self.boxes: list[tuple[Any, ...]] = []  # task, id, label, x, y, w, h, score, w0, h0
        self.sizes: dict[int, tuple[float, float]] = {}
        self.point_images: list[str] = []  # each point's to_name ("" without), in order
        self.box_images: list[str] = []
        self.rotated = 0
        self.orphans = 0  # points whose parentID names no rectangle of their task
        self.first_orphan: tuple[int, int, Any] | None = None

    def add(self, t: int, where: str, result: list[Any]) -> None:
        boxes: dict[str, int] = {}
        box_regions: dict[str, int] = {}  # each rectangle id's place in the result
        point_ids: set[str] = set()
        other_ids: set[str] = set()  # regions of other types (a polygon, an ellipse)
        links: dict[str, list[str]] = {}
        points = []
        for i, item in enumerate(result):
            if not isinstance(item, dict):
                raise FormatError(self.path, f"{where}[{i}]: expected an object.")
            kind = item.get("type")
            if kind == "relation":
                a, b = item.get("from_id"), item.get("to_id")
                links.setdefault(str(a), []).append(str(b))
                links.setdefault(str(b), []).append(str(a))
                continue
            if kind is None:
                _refuse_untyped(self.path, f"{where}[{i}]", item)
            if kind not in ("keypointlabels", "rectanglelabels"):
                if item.get("id") is not None:
                    other_ids.add(str(item.get("id")))
                continue
            value = item.get("value")
            width, height = item.get("original_width"), item.get("original_height")
            try:
                size = (_number(width), _number(height))
                x, y = _number(value["x"]), _number(value["y"])
                names = value[kind]
                label = str(names[0])
            except (TypeError, KeyError, IndexError, ValueError, OverflowError):
                raise FormatError(
                    self.path,
                    f"{where}[{i}]: a {kind} region needs value.x, value.y (numbers), "
                    f"value.{kind} [name], original_width and original_height (numbers).",
                ) from None
            if not isinstance(names, list):  # a string's first letter is no label
                raise FormatError(
                    self.path,
                    f"{where}[{i}].value.{kind}: expected a list of one name, found "
                    + (f"the string {names!r}" if isinstance(names, str) else brief(names))
                    + ".",
                )
            if kind == "keypointlabels" and len(names) > 1:
                raise FormatError(
                    self.path,
                    f"{where}[{i}].value.keypointlabels: {len(names)} labels "
                    f"({', '.join(map(str, names[:4]))}); a point is one keypoint.",
                )
            if kind == "rectanglelabels" and len(names) > 1:
                raise FormatError(
                    self.path,
                    f"{where}[{i}].value.rectanglelabels: {len(names)} labels "
                    f"({', '.join(map(str, names[:4]))}); a rectangle is one animal of one "
                    "class (category): keep one label.",
                )
            self.sizes.setdefault(t, size)
            item_score = item.get("score")
            if item_score is not None and not _is_number(item_score):
                raise FormatError(
                    self.path,
                    f"{where}[{i}].score: expected a number (or null), found {brief(item_score)}.",
                )
            try:
                item_score = float(item_score) if item_score is not None else np.nan
            except OverflowError:
                raise FormatError(self.path, f"{where}[{i}].score: too large a number.") from None
            if kind == "rectanglelabels":
                try:
                    w, h = _number(value["width"]), _number(value["height"])
                except (TypeError, KeyError, ValueError, OverflowError):
                    raise FormatError(
                        self.path, f"{where}[{i}].value: a rectangle needs width and height."
                    ) from None
                self.rotated += bool(value.get("rotation"))
                own = str(item.get("id"))
                if item.get("id") is not None and own != "" and own in box_regions:
                    raise FormatError(
                        self.path,
                        f"{where}[{box_regions[own]}] and {where}[{i}]: two rectangles with "
                        f"the id {own!r}; a point's parentID (or relation) could name either: "
                        "give each region its own id.",
                    )
                box_regions[own] = i
                boxes[own] = len(self.boxes)
                self.boxes.append((t, str(item.get("id")), label, x, y, w, h, item_score, *size))
                self.box_images.append(_image_name(item))
            else:
                parent = item.get("parentID")
                own = str(item.get("id"))
                point_ids.add(own)
                points.append((i, t, parent, own, label, x, y, *size, item_score))
                self.point_images.append(_image_name(item))
        for i, t_, parent, own, label, x, y, w0, h0, item_score in points:
            box = boxes.get(str(parent)) if parent is not None else None
            lost = box is None and parent is not None and str(parent) != ""
            if lost and str(parent) in point_ids:
                raise FormatError(
                    self.path,
                    f"{where}[{i}]: keypoint {own!r} ({label!r}) has the parentID "
                    f"{str(parent)!r}, a keypoint region; a point's parent is the rectangle "
                    "of its animal: give it that rectangle's id, or remove the parentID.",
                )
            if box is None and own in links:  # (not "": a rectangle may have an empty id)
                related = [o for o in links[own] if o in boxes]  # not other points
                # rectangles without an id share the key "None": the last, as a parentID finds it
                distinct = list(dict.fromkeys(boxes[o] for o in related))
                if len(distinct) > 1:
                    names = ", ".join(repr(o) for o in dict.fromkeys(related))
                    raise FormatError(
                        self.path,
                        f"{where}[{i}]: keypoint {own!r} ({label!r}) is related to "
                        f"{len(distinct)} rectangles ({names}); a point belongs to one "
                        "individual: remove the extra relation, or give the point the "
                        "parentID of its rectangle.",
                    )
                box = distinct[0] if distinct else None
            if lost and box is None and str(parent) not in other_ids:
                if not self.orphans:
                    self.first_orphan = (t_, i, parent)
                self.orphans += 1
            self.points.append((t_, -1 if box is None else box, label, x, y, w0, h0, item_score))

    def regions(self, n: int) -> Regions:
        """The regions gathered, as columns."""
        sizes = np.full((n, 2), -1.0)
        if self.sizes:
            sizes[list(self.sizes)] = list(self.sizes.values())
        points = list(zip(*self.points, strict=True)) or [()] * 8
        boxes = list(zip(*self.boxes, strict=True)) or [()] * 10
        return Regions(
            point_task=np.asarray(points[0], dtype=np.int64),
            point_box=np.asarray(points[1], dtype=np.int64),
            point_label=np.asarray(points[2], dtype=object),
            point_xy=np.column_stack([np.asarray(points[3], float), np.asarray(points[4], float)]),
            point_size=np.column_stack(
                [np.asarray(points[5], float), np.asarray(points[6], float)]
            ),
            point_score=np.asarray(points[7], dtype=np.float64),
            box_task=np.asarray(boxes[0], dtype=np.int64),
            box_label=np.asarray(boxes[2], dtype=object),
            box_xywh=np.column_stack([np.asarray(boxes[c], float) for c in (3, 4, 5, 6)]),
            box_score=np.asarray(boxes[7], dtype=np.float64),
            box_size=np.column_stack([np.asarray(boxes[8], float), np.asarray(boxes[9], float)]),
            sizes=sizes,
            rotated=self.rotated,
            point_image=np.asarray(self.point_images, dtype=object),
            box_image=np.asarray(self.box_images, dtype=object),
            orphans=self.orphans,
            first_orphan=self.first_orphan,
        )


def _image_name(item: dict[str, Any]) -> str:
    """A region's ``to_name`` as text, ``""`` when it has none."""
    name = item.get("to_name")
    return "" if name is None else str(name)


def refuse_mixed_images(path: Path, regions: Regions) -> None:
    """Refuse a task whose regions lie on two images, or give its image two sizes.

    A task of a labelling config with several ``<Image>`` tags (a pair of
    cameras, say) holds the regions of each image, told apart by ``to_name``;
    a dataset row is one image, with one path and one size, so such a task
    cannot be read as one row without putting one image's points on the
    other. Regions of one image that disagree on ``original_width`` /
    ``original_height`` leave the row's size unknown.

    Parameters
    ----------
    path
        The export (named in the error).
    regions
        The regions of every task.

    Raises
    ------
    FormatError
        Naming the first such task and its images (or its two sizes).
    """
    task = np.concatenate([regions.point_task, regions.box_task])
    if regions.point_image is not None and regions.box_image is not None:
        image = np.concatenate([regions.point_image, regions.box_image]).astype(str)
        named = image != ""
        pairs = pd.DataFrame({"task": task[named], "image": image[named]}).drop_duplicates()
        mixed = pairs["task"].duplicated(keep=False).to_numpy()
        if mixed.any():
            t = int(pairs["task"].to_numpy()[mixed].min())
            names = pairs["image"].to_numpy()[pairs["task"].to_numpy() == t]
            raise FormatError(
                path,
                f"$[{t}]: its regions lie on {names.size} images (to_name "
                f"{', '.join(map(repr, names))}); posebridge reads one image per task (a "
                "row of the dataset, with one image path and size), and cannot tell which "
                "image each keypoint belongs to. Make one task per image (its image in "
                "data, the regions whose to_name names it) and read those.",
            )
    size = np.concatenate([regions.point_size, regions.box_size])
    sizes = pd.DataFrame({"task": task, "w": size[:, 0], "h": size[:, 1]}).drop_duplicates()
    two = sizes["task"].duplicated(keep=False).to_numpy()
    if two.any():
        t = int(sizes["task"].to_numpy()[two].min())
        found = sizes[sizes["task"].to_numpy() == t]
        given = " and ".join(f"{w:g} x {h:g}" for w, h in zip(found["w"], found["h"], strict=True))
        raise FormatError(
            path,
            f"$[{t}]: its regions give the image {len(found)} sizes ({given}: "
            "original_width x original_height); a region's position is a percent of its "
            "image's size, so the image's size and the positions of some regions are "
            "unknown. Make every region of the task give the image's size.",
        )


def refuse_bad_sizes(path: Path, regions: Regions) -> None:
    """Refuse a region whose ``original_width`` / ``original_height`` is no image size.

    Positions are percent of the size, so a size of 0, below 0, not finite or
    beyond any image would make every pixel position meaningless.
    """
    for task, size in ((regions.point_task, regions.point_size),
                       (regions.box_task, regions.box_size)):  # fmt: skip
        bad = ~((size > 0) & (size <= LARGEST_SIDE)).all(axis=1)  # NaN too
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            width, height = size[i].tolist()
            raise FormatError(
                path,
                f"$[{int(task[i])}]: a region's original_width x original_height is "
                f"{width:g} x {height:g}, not an image size in pixels.",
            )
