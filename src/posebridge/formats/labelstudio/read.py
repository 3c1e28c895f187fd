"""Reading Label Studio JSON exports with keypoints."""

from __future__ import annotations

import os
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import chain, repeat
from operator import attrgetter, itemgetter, methodcaller
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from posebridge import model
from posebridge._files import check_input
from posebridge.errors import FormatError, brief, user_stacklevel
from posebridge.formats._shared.images import (
    BOX,
    BOX_PARTS,
    LARGEST_SIDE,
    collector_paused,
    require_instances,
    scatter,
    slots,
    untracked_names,
)
from posebridge.formats.labelstudio._config import read_config
from posebridge.formats.labelstudio._layout import ABSENT, RECORDS, decode
from posebridge.formats.labelstudio._layout import load as load_tasks
from posebridge.model import labels

__all__ = ["RESULTS", "SOURCE_SOFTWARE", "read"]

SOURCE_SOFTWARE = "Label Studio"
RESULTS = ("auto", "annotations", "predictions")


def read(
    path: str | os.PathLike[str],
    *,
    label_config: str | Path | None = None,
    results: str = "auto",
) -> xr.Dataset:
    """Read a Label Studio JSON export (a list of tasks) with keypoint labels.

    Parameters
    ----------
    path
        The export (``[{"data": {"image": ...}, "annotations": [...], ...}]``).
    label_config
        The project's labelling config (a file, or the XML text): its
        ``<KeyPointLabels>`` give the keypoint order (``model_index``). Without
        it, keypoints are ordered by first appearance in the file.
    results
        ``"annotations"`` (each task's first annotation that was not
        cancelled), ``"predictions"`` (each task's first prediction), or
        ``"auto"``: annotations when any task has one, else predictions.

    Returns
    -------
    xarray.Dataset
        Annotations: a labels dataset, one row per task. Predictions: a poses
        dataset (``time`` counts the tasks) with ``image_path``, keypoint
        ``score`` in ``confidence`` and box ``score`` in ``instance_score``
        (a region's own; the prediction's ``score`` is the whole task's);
        predictions whose tasks are all frames of one video (``meta.video``)
        have ``time`` = ``frame_idx`` and the video in ``attrs["video_path"]``
        (frames of several videos, or mixed with images: time counts the tasks,
        with a warning).

    Examples
    --------
    >>> from posebridge.formats import labelstudio
    >>> ds = labelstudio.read("export.json", label_config="config.xml")  # doctest: +SKIP
    """
    path = check_input(path)
    if results not in RESULTS:
        raise FormatError(None, f"results must be one of {RESULTS}, got {results!r}.")
    config = read_config(label_config) if label_config is not None else None
    with collector_paused():  # millions of JSON objects: see collector_paused
        return _read(path, config, results)


def _read(path: Path, config: Any, results: str) -> xr.Dataset:
    typed = load_tasks(path, path.read_bytes())  # the bytes are let go once decoded
    if typed is not None:
        ds = _read_tasks(path, typed, config, results, region_by_region=False)
        if ds is not None:
            return ds
        del typed
    # something irregular: plain JSON, each region on its own, naming what is wrong
    tasks = decode(path, path.read_bytes())
    if isinstance(tasks, dict) and "data" in tasks:
        tasks = [tasks]
    if not isinstance(tasks, list) or set(map(type, tasks)) - {dict}:
        raise FormatError(path, "expected a Label Studio export: a JSON list of tasks.")
    ds = _read_tasks(path, tasks, config, results, region_by_region=True)
    assert ds is not None  # region by region gives a dataset or raises
    return ds


def _read_tasks(
    path: Path, tasks: list[Any], config: Any, results: str, *, region_by_region: bool
) -> xr.Dataset | None:
    """The dataset of the tasks (typed records or dicts).

    ``None`` when a region is irregular and ``region_by_region`` is false.
    """
    n = len(tasks)
    task_objects = _objects(tasks, n)
    kind = results
    chosen = _first_annotations(task_objects) if kind != "predictions" else None
    if kind == "auto":
        kind = "annotations" if (chosen[0] != None).any() else "predictions"  # noqa: E711
    if kind == "predictions":
        chosen = _first_predictions(task_objects)
    entries, wheres = chosen
    picked = np.flatnonzero(entries != None)  # noqa: E711 - elementwise
    found = _get(entries[picked], "result")
    if set(map(type, found)) - {list}:
        bad = next(i for i, result in enumerate(found) if not isinstance(result, list))
        t = int(picked[bad])
        raise FormatError(path, f"$[{t}].{wheres[t]}.result: expected a list of regions.")
    image_key = config.image_key if config is not None else None
    images, videos, frames = _task_images(path, task_objects, image_key, videos=True)
    # poses have one time axis: predictions of images, or of frames of one video
    several = kind == "predictions" and (videos != "").any() and not _one_video(videos)
    if several:
        mixed = videos
        images, videos, frames = _task_images(path, task_objects, image_key, videos=False)
    regions = _fast_regions(picked, found.tolist(), n)
    if regions is None:
        if not region_by_region:
            return None
        items = _Items(path)
        for t, result in zip(picked.tolist(), found, strict=True):
            items.add(t, f"$[{t}].{wheres[t]}.result", result)
        regions = items.regions(n)
    if several:
        _warn_videos(path, mixed)
    if regions.orphans:
        _warn_orphans(path, regions, wheres)
    return _dataset(path, regions, images, config, predictions=kind == "predictions",
                    videos=videos, frames=frames)  # fmt: skip


def _one_video(videos: np.ndarray) -> bool:
    """Whether every task is a frame (``meta.video``) of one video."""
    return bool(videos.size) and bool((videos != "").all()) and pd.unique(videos).size == 1


def _frames_of_an_unnamed_video(videos: np.ndarray, frames: Sequence[int]) -> bool:
    """Whether every task is a distinct frame (``meta.video``) of a video without a
    filename: posebridge's writer, given frame numbers and no video path, writes them so."""
    numbers = np.asarray(frames, dtype=np.int64)
    return (
        bool(numbers.size)
        and bool((numbers >= 0).all())
        and bool((videos == "").all())
        and pd.unique(numbers).size == numbers.size
    )


def _warn_videos(path: Path, videos: np.ndarray) -> None:
    """Predictions of several videos, or of images and video frames: time counts the tasks."""
    named = videos[videos != ""]
    warnings.warn(
        f"{path}: the predictions are of {pd.unique(named).size} videos' frames "
        f"({named.size} tasks with meta.video) and {int((videos == '').sum())} images; "
        "a poses dataset has one time axis, so time counts the tasks and each task's "
        "image is its data image (the video frames' numbers are not kept). Read the tasks "
        "of one video at a time to keep them.",
        stacklevel=user_stacklevel(),
    )


def _warn_orphans(path: Path, regions: _Regions, wheres: np.ndarray) -> None:
    """Points whose ``parentID`` names no region of their task: read as free points (a
    ``parentID`` naming a region of another type, a polygon, is read so without a word)."""
    assert regions.first_orphan is not None
    t, i, parent = regions.first_orphan
    warnings.warn(
        f"{path}: {regions.orphans} keypoint(s) have a parentID naming no region of "
        f"their task (first: $[{t}].{wheres[t]}.result[{i}], parentID {parent!r}); they "
        "are read as points without a rectangle (the n-th such point of a label in the "
        "n-th instance of its own). Was their rectangle deleted? Give them the id of "
        "their animal's rectangle.",
        stacklevel=user_stacklevel(),
    )


def _is(values: np.ndarray, kind: type | tuple[type, ...]) -> np.ndarray:
    """``isinstance(value, kind)`` of every value (C-level iteration, no bytecode per item)."""
    return np.fromiter(map(isinstance, values, repeat(kind)), bool, len(values))


def _first_annotations(tasks: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each task's first annotation that was not cancelled (``None`` when it has none),
    and its key (``annotations[0]``), found in columns.

    A task whose ``annotations`` is not a list whose first entry is a live
    annotation, and that is not plainly unannotated (``annotations`` empty or
    absent, no ``completions``), is looked at on its own by :func:`_annotation`.
    """
    n = len(tasks)
    entries = np.full(n, None, dtype=object)
    wheres = np.full(n, "annotations[0]", dtype=object)
    lists = _get(tasks, "annotations")
    is_list = _is(lists, list)
    nonempty = np.zeros(n, dtype=bool)
    nonempty[is_list] = np.fromiter(map(len, lists[is_list]), bool, int(is_list.sum()))
    live = np.flatnonzero(nonempty)
    firsts = _objects(map(itemgetter(0), lists[live]), live.size)
    usable = _is(firsts, RECORDS)
    usable[usable] = ~np.fromiter(
        map(bool, _get(firsts[usable], "was_cancelled")), bool, int(usable.sum())
    )
    entries[live[usable]] = firsts[usable]
    plain = (lists == None) | (is_list & ~nonempty)  # noqa: E711 - elementwise
    plain &= _get(tasks, "completions") == None  # noqa: E711
    odd = np.ones(n, dtype=bool)
    odd[live[usable]] = False
    odd[plain] = False
    for t in np.flatnonzero(odd).tolist():  # cancelled first annotations, completions
        entries[t], wheres[t] = _annotation(tasks[t]) or (None, "")
    return entries, wheres


def _annotation(task: Any) -> tuple[Any, str] | None:
    """The first annotation of one task that was not cancelled, and its key."""
    for key in ("annotations", "completions"):  # completions: exports before LS 1.0
        entries = _field(task, key)
        if isinstance(entries, list):
            for i, entry in enumerate(entries):
                if isinstance(entry, RECORDS) and not _field(entry, "was_cancelled"):
                    return entry, f"{key}[{i}]"
    return None


def _field(record: Any, key: str) -> Any:
    """``record[key]`` of a dict or a typed record, ``None`` when absent."""
    return record.get(key) if isinstance(record, dict) else getattr(record, key, None)


def _first_predictions(tasks: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each task's first prediction (``None`` when it has none) and its key."""
    n = len(tasks)
    entries = np.full(n, None, dtype=object)
    lists = _get(tasks, "predictions")
    is_list = np.flatnonzero(_is(lists, list))
    nonempty = is_list[np.fromiter(map(len, lists[is_list]), bool, is_list.size)]
    firsts = _objects(map(itemgetter(0), lists[nonempty]), nonempty.size)
    usable = _is(firsts, RECORDS)
    entries[nonempty[usable]] = firsts[usable]
    return entries, np.full(n, "predictions[0]", dtype=object)


def _task_images(
    path: Path, tasks: np.ndarray, key: str | None, *, videos: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each task's image, or its video and frame (``meta.video``: sleap-io's and
    posebridge's annotations of video frames), found in columns.

    Returns
    -------
    images, videos, frames
        ``""`` / ``""`` / -1 where a task has no image / no video.
    """
    n = len(tasks)
    images = np.full(n, "", dtype=object)
    names = np.full(n, "", dtype=object)
    frames = np.full(n, -1, dtype=np.int64)
    video = np.full(n, None, dtype=object)
    if videos:
        meta = _get(tasks, "meta")
        with_meta = _is(meta, RECORDS)
        video[with_meta] = _get(meta[with_meta], "video")
    at = np.flatnonzero(video != None)  # noqa: E711 - elementwise
    if at.size:
        entries = video[at]
        dicts = _is(entries, RECORDS)
        filename = np.full(at.size, None, dtype=object)
        frame = np.full(at.size, None, dtype=object)
        filename[dicts] = _get(entries[dicts], "filename")
        frame[dicts] = _get(entries[dicts], "frame_idx")
        good = _is(filename, str)
        good &= _is(frame, int) & ~_is(frame, bool)  # JSON true is no frame number
        good[good] = frame[good] >= 0
        good[good] = frame[good] <= np.iinfo(np.int64).max
        if not good.all():
            first = int(np.flatnonzero(~good)[0])
            t = int(at[first])
            raise FormatError(
                path,
                f"$[{t}].meta.video: expected filename (text) and frame_idx (a whole number "
                f"from 0); found {brief(entries[first])}.",
            )
        names[at] = filename
        frames[at] = frame.astype(np.int64)
        # a frame of a video whose path posebridge's writer did not know: its data image
        # (a made-up name) is read too, when there is one
        unnamed = at[filename == ""]
        if unnamed.size:
            given = _get(_get(tasks[unnamed], "data"), key or "image")
            named = _is(given, str)
            images[unnamed[named]] = given[named]
    rest = np.flatnonzero(video == None)  # noqa: E711 - elementwise
    data = _get(tasks[rest], "data")
    not_dict = ~_is(data, RECORDS)
    if not_dict.any():
        t = int(rest[np.flatnonzero(not_dict)[0]])
        raise FormatError(path, f"$[{t}].data: expected an object holding the task's image.")
    if key is not None:
        value = _get(data, key)
    else:
        value = _get(data, "image", _ABSENT)
        other = np.flatnonzero(value == _ABSENT)
        # without an "image" key: the first text of the task's data
        first_text = map(next, map(filter, repeat(str.__instancecheck__),
                                   map(dict.values, data[other])), repeat(None))  # fmt: skip
        value[other] = _objects(first_text, other.size)
    good = _is(value, str)
    good[good] = value[good] != ""
    if not good.all():
        t = int(rest[np.flatnonzero(~good)[0]])
        raise FormatError(
            path, f"$[{t}].data: no image (expected a string under {key or 'image'!r})."
        )
    images[rest] = value
    return images, names, frames


@dataclass
class _Regions:
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
    #: points whose ``parentID`` names no region of their task (read as free points)
    orphans: int = 0
    #: the first of them: its task, its place in the task's result and its ``parentID``
    first_orphan: tuple[int, int, Any] | None = None


#: A key that no region has (``item.get("score", _ABSENT)``; a typed record's default).
_ABSENT = ABSENT


def _objects(values: Any, count: int) -> np.ndarray:
    """A 1-D object array of ``values`` (no nesting of lists, whatever they hold)."""
    return np.fromiter(values, dtype=object, count=count)


def _get(items: np.ndarray, key: str, default: Any = None) -> np.ndarray:
    """``item.get(key, default)`` of every dict, or ``key`` of every typed record (whose
    defaults are its own), as an object array (C-level iteration, no bytecode per item).

    The items are all dicts or all typed records (one decode made them).
    """
    if len(items) and not isinstance(items[0], dict):
        return _objects(map(attrgetter(key), items), len(items))
    return _objects(map(methodcaller("get", key, default), items), len(items))


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
    lists = _get(values, kind)
    if set(map(type, lists)) - {list} or (lists.size and min(map(len, lists)) == 0):
        return None
    if one and lists.size and max(map(len, lists)) > 1:
        return None
    return _objects(map(str, map(itemgetter(0), lists)), len(lists))


def _keys(task: np.ndarray, names: np.ndarray) -> np.ndarray:
    """One text key per (task, name) pair."""
    return task.astype(str).astype(object) + "\x00" + names


def _fast_regions(tasks: np.ndarray, results: list[list[Any]], n: int) -> _Regions | None:
    """The regions of every chosen annotation as columns, in a few vectorised passes.

    The same columns as :class:`_Items` gathers region by region, with the same
    rules (a point's rectangle from its ``parentID`` in the same task, else
    from its relation to a rectangle, among any others; the region's own
    ``score``, none without; the first region's image size per task; a point
    whose ``parentID`` names no region of its task is free, and counted).
    ``None`` when anything is irregular (a region that is not an object, a
    missing or non-number coordinate or size, labels that are not a list of
    one name, a point related to two rectangles, two rectangles of one task with
    one id, a ``parentID`` naming a keypoint region): :class:`_Items` then reads
    the regions one by one and names the first that is wrong.
    """
    counts = np.fromiter(map(len, results), dtype=np.int64, count=len(results))
    total = int(counts.sum())
    items = _objects(chain.from_iterable(results), total)
    if total == 0 or not _is(items, RECORDS).all():
        return None
    task = np.repeat(tasks, counts)
    kinds = _get(items, "type")
    if not _is(kinds, str).all():  # a region without a type: named region by region
        return None
    is_point = kinds == "keypointlabels"
    is_box = kinds == "rectanglelabels"
    region = np.flatnonzero(is_point | is_box)
    if not region.size:
        return None
    values = _get(items[region], "value")
    if not _is(values, RECORDS).all():
        return None
    x, y = _floats(_get(values, "x")), _floats(_get(values, "y"))
    width = _floats(_get(items[region], "original_width"))
    height = _floats(_get(items[region], "original_height"))
    if x is None or y is None or width is None or height is None:
        return None
    # only the region's own score: a prediction's score is the whole task's (Label Studio
    # sorts predictions by it), not any point's or box's
    scores = _get(items[region], "score", _ABSENT)
    numeric = _is(scores, int | float) & ~_is(scores, bool)  # C-level isinstance passes
    if not (numeric | (scores == None) | (scores == _ABSENT)).all():  # noqa: E711
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
    box_w, box_h = _floats(_get(values[boxes], "width")), _floats(_get(values[boxes], "height"))
    if point_label is None or box_label is None or box_w is None or box_h is None:
        return None
    rotated = sum(map(bool, _get(values[boxes], "rotation")))
    box_rows = region[boxes]
    box_task = task[box_rows]
    # the rectangle of each point: its parentID's in the task, else the rectangle a
    # relation links it to (whatever other relations it has)
    raw_box_ids = _get(items[box_rows], "id")
    box_ids = _objects(map(str, raw_box_ids), box_rows.size)
    box_keys = _keys(box_task, box_ids)
    identified = (raw_box_ids != None) & (box_ids != "")  # noqa: E711 - elementwise
    if pd.Index(box_keys[identified]).has_duplicates:
        return None  # two rectangles with one id: _Items names them
    by_key = pd.Series(np.arange(box_rows.size), index=box_keys)
    by_key = by_key[~by_key.index.duplicated(keep="last")]  # (rectangles without an id)
    point_rows = region[points]
    point_task = task[point_rows]
    parents = _get(items[point_rows], "parentID")
    named = parents != None  # noqa: E711 - elementwise
    parent_names = _objects(map(str, parents), parents.size)
    parent_keys = _keys(point_task, parent_names)
    box = by_key.reindex(parent_keys).to_numpy(dtype=np.float64, na_value=np.nan, copy=True)
    box[~named] = np.nan
    # a parentID naming no rectangle of the task ("" is none at all)
    lost = named & np.isnan(box) & (parent_names != "")
    if lost.any():
        point_ids = _objects(map(str, _get(items[point_rows], "id")), point_rows.size)
        if pd.Index(_keys(point_task, point_ids)).isin(parent_keys[lost]).any():
            return None  # a parentID naming a keypoint region: _Items names it
    relations = np.flatnonzero(kinds == "relation")
    if relations.size and np.isnan(box).any():
        a = _objects(map(str, _get(items[relations], "from_id")), relations.size)
        b = _objects(map(str, _get(items[relations], "to_id")), relations.size)
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
        point_ids = _objects(map(str, _get(items[point_rows], "id")), point_rows.size)
        point_keys = _keys(point_task, point_ids)
        unplaced = np.isnan(box)
        ambiguous = to_box.index.duplicated() & to_box.index.isin(point_keys[unplaced])
        if ambiguous.any():
            return None  # _Items names the point
        to_box = to_box[~to_box.index.duplicated()]
        linked = to_box.reindex(point_keys).to_numpy(dtype=np.float64, na_value=np.nan)
        box[unplaced] = linked[unplaced]
    other_rows = np.flatnonzero(~(is_point | is_box) & (kinds != "relation"))
    other_ids = _get(items[other_rows], "id")
    other_rows = other_rows[other_ids != None]  # noqa: E711 - elementwise
    other_keys = _keys(
        task[other_rows], _objects(map(str, _get(items[other_rows], "id")), other_rows.size)
    )
    lost &= ~pd.Index(parent_keys).isin(other_keys)  # a polygon's points: not lost (README)
    orphans = np.flatnonzero(lost & np.isnan(box))
    first_orphan = None
    if orphans.size:
        row = int(point_rows[orphans[0]])
        starts = np.cumsum(counts) - counts
        at = int(np.searchsorted(starts, row, side="right") - 1)  # its result
        first_orphan = (int(tasks[at]), row - int(starts[at]), parents[orphans[0]])
    first = np.unique(task[region], return_index=True)
    sizes = np.full((n, 2), -1.0)
    sizes[first[0]] = np.column_stack([width, height])[first[1]]
    size = np.column_stack([width, height])
    return _Regions(
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
        orphans=int(orphans.size),
        first_orphan=first_orphan,
    )


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


class _Items:
    """The regions of every task, region by region (:func:`_fast_regions` when irregular).

    Checks every region and names the first that is wrong; the columns it
    gathers are those :func:`_fast_regions` makes at once.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.points: list[tuple[Any, ...]] = []  # task, group key, label, x, y, w, h, score
        self.boxes: list[tuple[Any, ...]] = []  # task, id, label, x, y, w, h, score, w0, h0
        self.sizes: dict[int, tuple[float, float]] = {}
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
            else:
                parent = item.get("parentID")
                own = str(item.get("id"))
                point_ids.add(own)
                points.append((i, t, parent, own, label, x, y, *size, item_score))
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

    def regions(self, n: int) -> _Regions:
        """The regions gathered, as columns."""
        sizes = np.full((n, 2), -1.0)
        if self.sizes:
            sizes[list(self.sizes)] = list(self.sizes.values())
        points = list(zip(*self.points, strict=True)) or [()] * 8
        boxes = list(zip(*self.boxes, strict=True)) or [()] * 10
        return _Regions(
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
            orphans=self.orphans,
            first_orphan=self.first_orphan,
        )


def _refuse_bad_sizes(path: Path, regions: _Regions) -> None:
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


def _pixels(path: Path, percent: np.ndarray, size: np.ndarray, task: np.ndarray) -> np.ndarray:
    """Percent of the image size as pixels; a result past float64 (inf) names its task."""
    with np.errstate(over="ignore"):
        pixels = percent / 100.0 * size
    beyond = ~np.isfinite(pixels).all(axis=1)
    if beyond.any():
        i = int(np.flatnonzero(beyond)[0])
        raise FormatError(
            path,
            f"$[{int(task[i])}]: a region at {percent[i].tolist()} percent of the image lies "
            "beyond any image (its position in pixels is past float64's range).",
        )
    return pixels


def _dataset(
    path: Path,
    regions: _Regions,
    images: list[str],
    config: Any,
    *,
    predictions: bool,
    videos: list[str],
    frames: list[int],
) -> xr.Dataset:
    n = len(images)
    _refuse_bad_sizes(path, regions)
    if regions.rotated:
        warnings.warn(
            f"{path}: {regions.rotated} rotated rectangles were read without their "
            "rotation (bbox holds the unrotated box).",
            stacklevel=user_stacklevel(),
        )
    named = np.asarray(images, dtype=object)
    keys = np.where(
        named != "",
        named,
        np.asarray(videos, dtype=object)
        + " frame "
        + np.asarray(frames).astype(str).astype(object),
    )
    repeated = pd.Index(keys).duplicated(keep=False)
    if repeated.any():
        at = np.flatnonzero(repeated)[:2].tolist()
        raise FormatError(
            path,
            f"$[{at[0]}] and $[{at[1]}] label the same image "
            f"{keys[at[0]]!r}; each image may be labelled once.",
        )
    point_labels = regions.point_label
    if config is not None:
        names = list(config.keypoints)
        unknown = sorted(set(point_labels.tolist()) - set(names))
        if unknown:
            raise FormatError(
                path,
                f"keypoint labels {unknown} are not in the label "
                f"config's <KeyPointLabels> ({names}).",
            )
    else:
        names = pd.unique(point_labels).tolist() if point_labels.size else []
    k = len(names)
    # instances: each task's boxes in order, then its free points (n-th of a label ->
    # n-th free instance)
    box_task = regions.box_task
    box_rank, _ = slots(box_task)
    boxes_per_task = np.bincount(box_task, minlength=n) if box_task.size else np.zeros(n, int)
    p_task = regions.point_task
    p_box = regions.point_box
    kp_index = pd.Index(names).get_indexer(point_labels)
    free = p_box < 0
    instance = np.zeros(p_task.size, dtype=np.int64)
    if free.any():
        key = p_task[free] * max(k, 1) + kp_index[free]
        occurrence, _ = slots(key)
        instance[free] = boxes_per_task[p_task[free]] + occurrence
    instance[~free] = box_rank[p_box[~free]]
    pairs = pd.MultiIndex.from_arrays([p_task, instance, kp_index])
    if pairs.has_duplicates:
        j = int(np.flatnonzero(pairs.duplicated())[0])
        raise FormatError(
            path,
            f"$[{p_task[j]}]: the keypoint {point_labels[j]!r} appears "
            "twice in one instance (same parentID).",
        )
    count = int(max(instance.max(initial=-1) + 1, box_rank.max(initial=-1) + 1, 0))
    sizes = regions.sizes
    pixels = _pixels(path, regions.point_xy, regions.point_size, regions.point_task)
    position = np.full((n, count, k, 2), np.nan)
    position[p_task, instance, kp_index] = pixels
    confidence = np.full((n, k, count), np.nan)
    confidence[p_task, kp_index, instance] = regions.point_score
    require_instances(path, count, k, "no keypointlabels region")
    individuals = untracked_names(count)
    rows_out = position.transpose(0, 3, 2, 1)
    if predictions:
        ds = model.from_numpy(
            rows_out,
            confidence,
            individual_names=individuals,
            keypoint_names=names,
            source_software=SOURCE_SOFTWARE,
        )
        if _one_video(np.asarray(videos, dtype=object)):
            # frames of one video: time is the frame number, as other prediction readers
            ds = ds.assign_coords({model.TIME: np.asarray(frames, dtype=np.int64)})
            ds.attrs["video_path"] = str(videos[0])
        elif _frames_of_an_unnamed_video(np.asarray(videos, dtype=object), frames):
            ds = ds.assign_coords({model.TIME: np.asarray(frames, dtype=np.int64)})
        else:
            ds = ds.assign_coords(image_path=(model.TIME, labels.normalise_paths(images)))
    else:
        ds = labels.from_numpy(
            rows_out,
            image_path=images,
            video=videos,
            frame=frames,
            individual_names=individuals,
            keypoint_names=names,
            source_software=SOURCE_SOFTWARE,
        )
        if np.isfinite(confidence).any():
            ds["confidence"] = ((model.TIME, model.KEYPOINT, model.INDIVIDUAL), confidence)
    ds = ds.assign_coords(
        image_width=(model.TIME, np.round(sizes[:, 0]).astype(np.int64)),
        image_height=(model.TIME, np.round(sizes[:, 1]).astype(np.int64)),
    )
    if box_task.size:
        bscale = regions.box_size
        pixels_box = _pixels(path, regions.box_xywh, np.tile(bscale, 2), box_task)
        shape = (n, count)
        ds = ds.assign_coords({BOX: list(BOX_PARTS)})
        grid = scatter(box_task, box_rank, shape, pixels_box, np.nan)
        ds["bbox"] = ((model.TIME, BOX, model.INDIVIDUAL), grid.transpose(0, 2, 1))
        names_box = regions.box_label.astype(str)
        ds["category"] = (
            (model.TIME, model.INDIVIDUAL),
            scatter(box_task, box_rank, shape, names_box, ""),
        )
        scores = regions.box_score
        if np.isfinite(scores).any():
            ds["instance_score"] = (
                (model.TIME, model.INDIVIDUAL),
                scatter(box_task, box_rank, shape, scores, np.nan),
            )
    if predictions and not np.all(np.diff(ds[model.TIME].values) > 0):
        ds = ds.sortby(model.TIME)  # tasks in another order than their frames
    return ds
