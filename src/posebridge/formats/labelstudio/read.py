"""Reading Label Studio JSON exports with keypoints."""

from __future__ import annotations

import os
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from posebridge import model
from posebridge.errors import FormatError
from posebridge.formats._shared.images import (
    BOX,
    BOX_PARTS,
    decode_json,
    require_instances,
    scatter,
    slots,
    untracked_names,
)
from posebridge.formats.labelstudio._config import read_config
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
        ``score`` in ``confidence`` and box ``score`` in ``instance_score``.

    Examples
    --------
    >>> from posebridge.formats import labelstudio
    >>> ds = labelstudio.read("export.json", label_config="config.xml")  # doctest: +SKIP
    """
    path = Path(path)
    if results not in RESULTS:
        raise FormatError(None, f"results must be one of {RESULTS}, got {results!r}.")
    config = read_config(label_config) if label_config is not None else None
    tasks = decode_json(path, path.read_bytes())
    if isinstance(tasks, dict) and "data" in tasks:
        tasks = [tasks]
    if not isinstance(tasks, list) or not all(isinstance(t, dict) for t in tasks):
        raise FormatError(path, "expected a Label Studio export: a JSON list of tasks.")
    kind = results
    if kind == "auto":
        has = any(_annotation(t) is not None for t in tasks)
        kind = "annotations" if has else "predictions"
    items = _Items(path)
    image_key = config.image_key if config is not None else None
    images: list[str] = []
    videos: list[str] = []
    frames: list[int] = []
    for t, task in enumerate(tasks):
        video = _video(path, task, t) if kind == "annotations" else None
        if video is None:
            images.append(_image(path, task, t, image_key))
            videos.append("")
            frames.append(-1)
        else:  # a video frame (sleap-io's and posebridge's meta.video)
            images.append("")
            videos.append(video[0])
            frames.append(video[1])
        chosen = _annotation(task) if kind == "annotations" else _prediction(task)
        if chosen is None:
            continue
        entry, where = chosen
        result = entry.get("result")
        if not isinstance(result, list):
            raise FormatError(path, f"$[{t}].{where}.result: expected a list of regions.")
        items.add(t, f"$[{t}].{where}.result", result, entry.get("score"))
    return items.dataset(images, config, predictions=kind == "predictions", videos=videos,
                         frames=frames)  # fmt: skip


def _annotation(task: dict[str, Any]) -> tuple[dict[str, Any], str] | None:
    for key in ("annotations", "completions"):  # completions: exports before LS 1.0
        entries = task.get(key)
        if isinstance(entries, list):
            for i, entry in enumerate(entries):
                if isinstance(entry, dict) and not entry.get("was_cancelled"):
                    return entry, f"{key}[{i}]"
    return None


def _prediction(task: dict[str, Any]) -> tuple[dict[str, Any], str] | None:
    entries = task.get("predictions")
    if isinstance(entries, list) and entries and isinstance(entries[0], dict):
        return entries[0], "predictions[0]"
    return None


def _video(path: Path, task: dict[str, Any], t: int) -> tuple[str, int] | None:
    """The task's ``meta.video`` (filename, frame_idx), or ``None``."""
    meta = task.get("meta")
    video = meta.get("video") if isinstance(meta, dict) else None
    if video is None:
        return None
    filename = video.get("filename") if isinstance(video, dict) else None
    frame = video.get("frame_idx") if isinstance(video, dict) else None
    if not isinstance(filename, str) or not isinstance(frame, int) or frame < 0:
        raise FormatError(path, f"$[{t}].meta.video: expected filename and frame_idx.")
    return filename, frame


def _image(path: Path, task: dict[str, Any], t: int, key: str | None) -> str:
    data = task.get("data")
    if not isinstance(data, dict):
        raise FormatError(path, f"$[{t}].data: expected an object holding the task's image.")
    if key is not None:
        value = data.get(key)
    elif "image" in data:
        value = data["image"]
    else:
        value = next((v for v in data.values() if isinstance(v, str)), None)
    if not isinstance(value, str) or not value:
        raise FormatError(
            path, f"$[{t}].data: no image (expected a string under {key or 'image'!r})."
        )
    return value


class _Items:
    """The regions of every task, gathered as flat columns."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.points: list[tuple[Any, ...]] = []  # task, group key, label, x, y, w, h, score
        self.boxes: list[tuple[Any, ...]] = []  # task, id, label, x, y, w, h, score, w0, h0
        self.sizes: dict[int, tuple[float, float]] = {}
        self.rotated = 0

    def add(self, t: int, where: str, result: list[Any], score: Any) -> None:
        boxes: dict[str, int] = {}
        links: dict[str, str] = {}
        points = []
        for i, item in enumerate(result):
            if not isinstance(item, dict):
                raise FormatError(self.path, f"{where}[{i}]: expected an object.")
            kind = item.get("type")
            if kind == "relation":
                a, b = item.get("from_id"), item.get("to_id")
                links[str(a)], links[str(b)] = str(b), str(a)
                continue
            if kind not in ("keypointlabels", "rectanglelabels"):
                continue
            value = item.get("value")
            width, height = item.get("original_width"), item.get("original_height")
            try:
                size = (float(width), float(height))
                x, y = float(value["x"]), float(value["y"])
                names = value[kind]
                label = str(names[0])
            except (TypeError, KeyError, IndexError, ValueError):
                raise FormatError(
                    self.path,
                    f"{where}[{i}]: a {kind} region needs value.x, value.y, value.{kind} "
                    "[name], original_width and original_height.",
                ) from None
            self.sizes.setdefault(t, size)
            item_score = item.get("score", score)
            item_score = float(item_score) if isinstance(item_score, int | float) else np.nan
            if kind == "rectanglelabels":
                try:
                    w, h = float(value["width"]), float(value["height"])
                except (TypeError, KeyError, ValueError):
                    raise FormatError(
                        self.path, f"{where}[{i}].value: a rectangle needs width and height."
                    ) from None
                self.rotated += bool(value.get("rotation"))
                boxes[str(item.get("id"))] = len(self.boxes)
                self.boxes.append((t, str(item.get("id")), label, x, y, w, h, item_score, *size))
            else:
                parent = item.get("parentID")
                points.append((t, parent, str(item.get("id")), label, x, y, *size, item_score))
        for t_, parent, own, label, x, y, w0, h0, item_score in points:
            box = boxes.get(str(parent)) if parent is not None else None
            if box is None:
                box = boxes.get(links.get(own, ""))
            self.points.append((t_, -1 if box is None else box, label, x, y, w0, h0, item_score))

    def dataset(
        self,
        images: list[str],
        config: Any,
        *,
        predictions: bool,
        videos: list[str],
        frames: list[int],
    ) -> xr.Dataset:
        path, n = self.path, len(images)
        if self.rotated:
            warnings.warn(
                f"{path}: {self.rotated} rotated rectangles were read without their "
                "rotation (bbox holds the unrotated box).",
                stacklevel=3,
            )
        keys = [image or f"{video} frame {frame}"
                for image, video, frame in zip(images, videos, frames, strict=True)]  # fmt: skip
        repeated = pd.Index(keys).duplicated(keep=False)
        if repeated.any():
            at = np.flatnonzero(repeated)[:2].tolist()
            raise FormatError(
                path,
                f"$[{at[0]}] and $[{at[1]}] label the same image "
                f"{keys[at[0]]!r}; each image may be labelled once.",
            )
        point_labels = [p[2] for p in self.points]
        if config is not None:
            names = list(config.keypoints)
            unknown = sorted(set(point_labels) - set(names))
            if unknown:
                raise FormatError(
                    path,
                    f"keypoint labels {unknown} are not in the label "
                    f"config's <KeyPointLabels> ({names}).",
                )
        else:
            names = list(dict.fromkeys(point_labels))
        k = len(names)
        # instances: each task's boxes in order, then its free points (n-th of a label ->
        # n-th free instance)
        box_task = np.asarray([b[0] for b in self.boxes], dtype=np.int64)
        box_rank, _ = slots(box_task)
        boxes_per_task = np.bincount(box_task, minlength=n) if box_task.size else np.zeros(n, int)
        p_task = np.asarray([p[0] for p in self.points], dtype=np.int64)
        p_box = np.asarray([p[1] for p in self.points], dtype=np.int64)
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
        sizes = np.full((n, 2), -1.0)
        for t, size in self.sizes.items():
            sizes[t] = size
        xy = np.asarray([(p[3], p[4]) for p in self.points], dtype=np.float64).reshape(-1, 2)
        scale = np.asarray([(p[5], p[6]) for p in self.points], dtype=np.float64).reshape(-1, 2)
        pixels = xy / 100.0 * scale
        position = np.full((n, count, k, 2), np.nan)
        position[p_task, instance, kp_index] = pixels
        confidence = np.full((n, k, count), np.nan)
        confidence[p_task, kp_index, instance] = [p[7] for p in self.points]
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
        if self.boxes:
            b = np.asarray([row[3:7] for row in self.boxes], dtype=np.float64)
            bscale = np.asarray([row[8:10] for row in self.boxes], dtype=np.float64)
            pixels_box = b / 100.0 * np.concatenate([bscale, bscale], axis=1)
            shape = (n, count)
            ds = ds.assign_coords({BOX: list(BOX_PARTS)})
            grid = scatter(box_task, box_rank, shape, pixels_box, np.nan)
            ds["bbox"] = ((model.TIME, BOX, model.INDIVIDUAL), grid.transpose(0, 2, 1))
            names_box = np.asarray([row[2] for row in self.boxes], dtype=str)
            ds["category"] = (
                (model.TIME, model.INDIVIDUAL),
                scatter(box_task, box_rank, shape, names_box, ""),
            )
            scores = np.asarray([row[7] for row in self.boxes], dtype=np.float64)
            if np.isfinite(scores).any():
                ds["instance_score"] = (
                    (model.TIME, model.INDIVIDUAL),
                    scatter(box_task, box_rank, shape, scores, np.nan),
                )
        return ds
