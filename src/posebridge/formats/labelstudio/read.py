"""Reading Label Studio JSON exports with keypoints."""

from __future__ import annotations

import os
import warnings
from collections.abc import Sequence
from itertools import repeat
from operator import getitem, itemgetter
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
    collector_paused,
    require_instances,
    scatter,
    slots,
    untracked_names,
)
from posebridge.formats.labelstudio._config import read_config
from posebridge.formats.labelstudio._layout import (
    ABSENT,
    RECORDS,
    column,
    decode,
    object_array,
    of_kind,
)
from posebridge.formats.labelstudio._layout import load as load_tasks
from posebridge.formats.labelstudio._regions import (
    RegionItems,
    Regions,
    fast_regions,
    refuse_bad_sizes,
    refuse_mixed_images,
)
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
    task_objects = object_array(tasks, n)
    kind = results
    chosen = _first_annotations(task_objects) if kind != "predictions" else None
    if kind == "auto":
        kind = "annotations" if (chosen[0] != None).any() else "predictions"  # noqa: E711
    if kind == "predictions":
        chosen = _first_predictions(task_objects)
    entries, wheres = chosen
    picked = np.flatnonzero(entries != None)  # noqa: E711 - elementwise
    found = column(entries[picked], "result")
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
    regions = fast_regions(picked, found.tolist(), n)
    if regions is None:
        if not region_by_region:
            return None
        items = RegionItems(path)
        for t, result in zip(picked.tolist(), found, strict=True):
            items.add(t, f"$[{t}].{wheres[t]}.result", result)
        regions = items.regions(n)
    if config is not None and config.images and len(config.images) > 1:
        _images_of_regions(path, task_objects, images, videos, regions, config)
    if several:
        _warn_videos(path, mixed)
    if regions.orphans:
        _warn_orphans(path, regions, wheres)
    return _dataset(path, regions, images, config, predictions=kind == "predictions",
                    videos=videos, frames=frames)  # fmt: skip


def _images_of_regions(
    path: Path,
    tasks: np.ndarray,
    images: np.ndarray,
    videos: np.ndarray,
    regions: Regions,
    config: Any,
) -> None:
    """Give a task whose regions all lie on another ``<Image>`` of the config that image.

    A config with several ``<Image>`` tags: a task's image is its first's
    (``data[<first image's key>]``), unless its regions name another by
    ``to_name``; then it is ``data[<that image's key>]`` (``images`` is set in
    place). Regions on two images are refused later
    (:func:`~posebridge.formats.labelstudio._regions.refuse_mixed_images`).

    Parameters
    ----------
    path
        The export (named in an error).
    tasks
        The tasks (typed records or dicts).
    images, videos
        Each task's image (set here) and video (``""`` for none).
    regions
        The regions of every task.
    config
        The labelling config (:class:`~posebridge.formats.labelstudio._config.LabelConfig`).

    Raises
    ------
    FormatError
        For a task without a text under the key of its regions' image.
    """
    keys: dict[str, str] = config.images
    if regions.point_image is None or regions.box_image is None:
        return
    task = np.concatenate([regions.point_task, regions.box_task])
    named = np.concatenate([regions.point_image, regions.box_image]).astype(str)
    pairs = pd.DataFrame({"task": task, "image": named})
    pairs = pairs[pairs["image"] != ""].drop_duplicates()
    pairs = pairs[~pairs["task"].duplicated(keep=False)]  # one image: the others are refused
    for name, key in keys.items():  # a loop over the config's images, not the tasks
        if key == config.image_key:  # the image every task is read with already
            continue
        at = pairs["task"].to_numpy()[pairs["image"].to_numpy() == name]
        at = at[(videos[at] == "") & (images[at] != "")] if at.size else at
        if not at.size:
            continue
        given = column(column(tasks[at], "data"), key)
        good = of_kind(given, str)
        good[good] = given[good] != ""
        if not good.all():
            t = int(at[np.flatnonzero(~good)[0]])
            raise FormatError(
                path,
                f"$[{t}].data: no image for its regions (to_name {name!r}: expected a "
                f"string under {key!r}, the key of the config's <Image name={name!r}>).",
            )
        images[at] = given


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


def _warn_orphans(path: Path, regions: Regions, wheres: np.ndarray) -> None:
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
    lists = column(tasks, "annotations")
    is_list = of_kind(lists, list)
    nonempty = np.zeros(n, dtype=bool)
    nonempty[is_list] = np.fromiter(map(len, lists[is_list]), bool, int(is_list.sum()))
    live = np.flatnonzero(nonempty)
    firsts = object_array(map(itemgetter(0), lists[live]), live.size)
    usable = of_kind(firsts, RECORDS)
    usable[usable] = ~np.fromiter(
        map(bool, column(firsts[usable], "was_cancelled")), bool, int(usable.sum())
    )
    entries[live[usable]] = firsts[usable]
    plain = (lists == None) | (is_list & ~nonempty)  # noqa: E711 - elementwise
    plain &= column(tasks, "completions") == None  # noqa: E711
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
    lists = column(tasks, "predictions")
    is_list = np.flatnonzero(of_kind(lists, list))
    nonempty = is_list[np.fromiter(map(len, lists[is_list]), bool, is_list.size)]
    firsts = object_array(map(itemgetter(0), lists[nonempty]), nonempty.size)
    usable = of_kind(firsts, RECORDS)
    entries[nonempty[usable]] = firsts[usable]
    return entries, np.full(n, "predictions[0]", dtype=object)


def _sequence_images(
    images: np.ndarray,
    tasks: np.ndarray,
    filename: np.ndarray,
    frame: np.ndarray,
    sequence: np.ndarray,
) -> np.ndarray:
    """Set the image of each task whose ``meta.video.filename`` is a list of image files.

    sleap-io writes an image-sequence video (a SLEAP project of labelled images)
    as the list of its files, ``frame_idx`` the task's place in it: the task's
    image is ``filename[frame_idx]``. Returns, per such task, whether that is a
    file name (a text, ``frame_idx`` within the list); ``images[tasks]`` is set
    where it is.
    """
    lists, index = filename[sequence], frame[sequence]
    within = index < np.fromiter(map(len, lists), np.int64, lists.size)
    picked = np.full(lists.size, None, dtype=object)
    picked[within] = object_array(map(getitem, lists[within], index[within]), int(within.sum()))
    named = of_kind(picked, str)
    named[named] = picked[named] != ""
    images[tasks[named]] = picked[named]
    return named


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
        meta = column(tasks, "meta")
        with_meta = of_kind(meta, RECORDS)
        video[with_meta] = column(meta[with_meta], "video")
    at = np.flatnonzero(video != None)  # noqa: E711 - elementwise
    if at.size:
        entries = video[at]
        dicts = of_kind(entries, RECORDS)
        filename = np.full(at.size, None, dtype=object)
        frame = np.full(at.size, None, dtype=object)
        filename[dicts] = column(entries[dicts], "filename")
        frame[dicts] = column(entries[dicts], "frame_idx")
        sequence = of_kind(filename, list)  # sleap-io's image sequence: its image files
        good = of_kind(filename, str) | sequence
        good &= of_kind(frame, int) & ~of_kind(frame, bool)  # JSON true is no frame number
        good[good] = frame[good] >= 0
        good[good] = frame[good] <= np.iinfo(np.int64).max
        sequence &= good
        if sequence.any():  # frame_idx names the file of the sequence: an image
            good[sequence] = _sequence_images(images, at[sequence], filename, frame, sequence)
        if not good.all():
            first = int(np.flatnonzero(~good)[0])
            t = int(at[first])
            raise FormatError(
                path,
                f"$[{t}].meta.video: expected filename (a video's path, or the list of an "
                "image sequence's files, as sleap-io writes it) and frame_idx (a whole number "
                f"from 0, within that list); found {brief(entries[first])}.",
            )
        video_frame = at[~sequence]
        names[video_frame] = filename[~sequence]
        frames[video_frame] = frame[~sequence].astype(np.int64)
        # a frame of a video whose path posebridge's writer did not know: its data image
        # (a made-up name) is read too, when there is one
        unnamed = video_frame[filename[~sequence] == ""]
        if unnamed.size:
            given = column(column(tasks[unnamed], "data"), key or "image")
            named = of_kind(given, str)
            images[unnamed[named]] = given[named]
    rest = np.flatnonzero(video == None)  # noqa: E711 - elementwise
    data = column(tasks[rest], "data")
    not_dict = ~of_kind(data, RECORDS)
    if not_dict.any():
        t = int(rest[np.flatnonzero(not_dict)[0]])
        raise FormatError(path, f"$[{t}].data: expected an object holding the task's image.")
    if key is not None:
        value = column(data, key)
    else:
        value = column(data, "image", ABSENT)
        other = np.flatnonzero(value == ABSENT)
        # without an "image" key: the first text of the task's data
        first_text = map(next, map(filter, repeat(str.__instancecheck__),
                                   map(dict.values, data[other])), repeat(None))  # fmt: skip
        value[other] = object_array(first_text, other.size)
    good = of_kind(value, str)
    good[good] = value[good] != ""
    if not good.all():
        t = int(rest[np.flatnonzero(~good)[0]])
        raise FormatError(
            path, f"$[{t}].data: no image (expected a string under {key or 'image'!r})."
        )
    images[rest] = value
    return images, names, frames


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
    regions: Regions,
    images: list[str],
    config: Any,
    *,
    predictions: bool,
    videos: list[str],
    frames: list[int],
) -> xr.Dataset:
    n = len(images)
    refuse_bad_sizes(path, regions)
    refuse_mixed_images(path, regions)
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
