"""Writing Label Studio tasks: predictions (pre-annotations) or annotations."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import msgspec
import numpy as np
import pandas as pd
import xarray as xr

from posebridge import model
from posebridge._files import atomic_outputs
from posebridge.errors import SchemaError
from posebridge.formats._shared.guards import refuse_empty
from posebridge.formats._shared.images import box_extras, collector_paused
from posebridge.formats.labelstudio._config import config_xml
from posebridge.model import labels

__all__ = ["KINDS", "write"]

KINDS = ("auto", "predictions", "annotations")
#: Size of a keypoint marker, in percent of the image width (Label Studio's default look).
POINT_SIZE = 0.5


def write(
    ds: xr.Dataset,
    path: Path,
    *,
    overwrite: bool = False,
    kind: str = "auto",
    image_size: tuple[int, int] | None = None,
    label_config: str | Path | None = None,
    image_key: str = "image",
    to_name: str = "image",
    keypoint_tool: str = "keypoints",
    box_tool: str = "bbox",
    box_label: str = "animal",
    model_version: str = "posebridge",
) -> list[Path]:
    """Write Label Studio tasks with keypoints, one task per row (image).

    Parameters
    ----------
    ds
        A 2D poses or labels dataset.
    path
        The ``.json`` file to import into Label Studio.
    overwrite
        Replace existing files.
    kind
        ``"predictions"`` (pre-annotations to correct), ``"annotations"``, or
        ``"auto"``: annotations for a labels dataset, predictions otherwise.
    image_size
        (width, height) of images whose size the dataset does not hold
        (``image_width`` / ``image_height``); every image needs one, because
        Label Studio stores percentages.
    label_config
        Also write a matching labelling config (XML) to this file.
    image_key, to_name, keypoint_tool, box_tool
        The names that tie the regions to the project's labelling config:
        ``data`` key of the image, ``<Image name>``, ``<KeyPointLabels name>``,
        ``<RectangleLabels name>``.
    box_label
        The rectangle label of instances without a ``category``.
    model_version
        The predictions' ``model_version``.

    Returns
    -------
    list of pathlib.Path
        The tasks file (and the config when asked).

    Examples
    --------
    >>> from posebridge.formats import labelstudio
    >>> labelstudio.write(ds, "tasks.json", label_config="config.xml")  # doctest: +SKIP
    """
    if kind not in KINDS:
        raise SchemaError(f"kind must be one of {KINDS}, got {kind!r}.")
    if ds.sizes[model.SPACE] != 2 or model.VIEW in ds.dims:
        raise SchemaError("Label Studio keypoints are 2D, one camera: select x, y and one view.")
    refuse_empty(ds, "Label Studio", dims=(model.TIME, model.KEYPOINT, model.INDIVIDUAL))
    if kind == "auto":
        kind = "annotations" if labels.is_labels(ds) else "predictions"
    names = [str(v) for v in ds[model.KEYPOINT].values]
    with collector_paused():  # a dict per region: see collector_paused
        tasks, box_labels = _tasks(
            ds, kind, image_size, image_key, to_name, keypoint_tool, box_tool, box_label,
            model_version,
        )  # fmt: skip
        text = msgspec.json.encode(tasks)
        del tasks
    targets = [path]
    if label_config is not None:
        targets.append(Path(label_config))
    with atomic_outputs(targets, overwrite=overwrite) as temporaries:
        temporaries[0].write_bytes(text)
        if label_config is not None:
            xml = config_xml(
                names,
                box_labels,
                image_key=image_key,
                to_name=to_name,
                keypoint_tool=keypoint_tool,
                box_tool=box_tool,
            )
            temporaries[1].write_text(xml, encoding="utf-8")
    return targets


def _images(ds: xr.Dataset) -> list[str]:
    n = ds.sizes[model.TIME]
    images = (
        labels.normalise_paths(ds[labels.IMAGE_PATH].values)
        if labels.IMAGE_PATH in ds.coords
        else np.full(n, "", dtype=str)
    )
    if (images != "").all():
        return images.tolist()
    videos = (
        np.asarray(ds[labels.VIDEO].values).astype(str)
        if labels.VIDEO in ds.coords
        else np.full(n, str(ds.attrs.get("video_path", "")))
    )
    frames = model.frame_numbers(ds)
    frames = np.arange(n) if frames is None else np.asarray(frames, dtype=np.int64)
    stems = pd.Series(videos).str.replace(r"^.*/", "", regex=True)
    stems = stems.str.replace(r"\.[^.]*$", "", regex=True).replace("", "frames").to_numpy(str)
    made = np.char.add(np.char.add(stems, "/img"), np.char.zfill(frames.astype(str), 5))
    return np.where(images != "", images, np.char.add(made, ".png")).tolist()


def _sizes(ds: xr.Dataset, given: tuple[int, int] | None) -> np.ndarray:
    n = ds.sizes[model.TIME]
    columns = []
    for axis, name in enumerate(("image_width", "image_height")):
        values = (
            np.asarray(ds[name].values, dtype=np.float64)
            if name in ds.coords
            else np.full(n, -1.0)
        )
        if given is not None:
            values = np.where(values <= 0, float(given[axis]), values)
        columns.append(values)
    sizes = np.stack(columns, axis=1).reshape(n, 2)
    if (sizes <= 0).any():
        raise SchemaError(
            "Label Studio stores points in percent of the image size, and some rows have no "
            "size (image_width / image_height); pass image_size=(width, height)."
        )
    return sizes


def _tasks(
    ds: xr.Dataset,
    kind: str,
    image_size: tuple[int, int] | None,
    image_key: str,
    to_name: str,
    keypoint_tool: str,
    box_tool: str,
    box_label: str,
    model_version: str,
) -> tuple[list[dict[str, Any]], list[str]]:
    n = ds.sizes[model.TIME]
    sizes = _sizes(ds, image_size)
    names = [str(v) for v in ds[model.KEYPOINT].values]
    xy = ds["position"].transpose(model.TIME, model.INDIVIDUAL, model.KEYPOINT, model.SPACE)
    xy = np.asarray(xy.values, dtype=np.float64)
    finite = np.isfinite(xy).all(axis=-1)
    confidence = np.asarray(
        model.confidence_per_keypoint(ds)
        .transpose(model.TIME, model.INDIVIDUAL, model.KEYPOINT)
        .values,
        dtype=np.float64,
    )
    boxes = box_extras(ds).transpose(0, 2, 1)  # (time, individual, 4) pixels
    present = finite.any(axis=2) | np.isfinite(boxes).all(axis=2)
    percent_xy = xy / sizes[:, None, None, :] * 100.0
    percent_box = boxes / np.concatenate([sizes, sizes], axis=1)[:, None, :] * 100.0
    categories = (
        np.asarray(ds["category"].transpose(model.TIME, model.INDIVIDUAL).values).astype(str)
        if "category" in ds
        else np.full(present.shape, "", dtype=str)
    )
    categories = np.where(categories == "", box_label, categories)
    scores = (
        np.asarray(ds["instance_score"].transpose(model.TIME, model.INDIVIDUAL).values, float)
        if "instance_score" in ds
        else np.full(present.shape, np.nan)
    )
    predictions = kind == "predictions"
    # every number as Python objects in one conversion each, then one dict per region
    pxy, pbox = percent_xy.tolist(), percent_box.tolist()
    conf_list, score_list, fin = confidence.tolist(), scores.tolist(), finite.tolist()
    width, height = sizes[:, 0].tolist(), sizes[:, 1].tolist()
    whole = [
        float(w).is_integer() and float(h).is_integer() for w, h in zip(width, height, strict=True)
    ]
    images = _images(ds)
    has_image = (
        labels.normalise_paths(ds[labels.IMAGE_PATH].values) != ""
        if labels.IMAGE_PATH in ds.coords
        else np.zeros(n, dtype=bool)
    )
    videos = (
        np.asarray(ds[labels.VIDEO].values).astype(str).tolist()
        if labels.VIDEO in ds.coords
        else [str(ds.attrs.get("video_path", ""))] * n
    )
    frame_numbers = model.frame_numbers(ds)
    frame_list = (np.arange(n) if frame_numbers is None else frame_numbers).tolist()
    tasks = []
    for t in range(n):
        w0 = int(width[t]) if whole[t] else width[t]
        h0 = int(height[t]) if whole[t] else height[t]
        result: list[dict[str, Any]] = []
        relations: list[dict[str, Any]] = []
        instance_scores = []
        for i in np.flatnonzero(present[t]).tolist():
            box_id = f"pb{t}_{i}"
            box = pbox[t][i]
            region: dict[str, Any] = {
                "id": box_id,
                "type": "rectanglelabels",
                "from_name": box_tool,
                "to_name": to_name,
                "original_width": w0,
                "original_height": h0,
                "image_rotation": 0,
                "value": {
                    "x": box[0],
                    "y": box[1],
                    "width": box[2],
                    "height": box[3],
                    "rotation": 0,
                    "rectanglelabels": [str(categories[t, i])],
                },
            }
            if predictions and np.isfinite(score_list[t][i]):
                region["score"] = score_list[t][i]
                instance_scores.append(score_list[t][i])
            result.append(region)
            for j in np.flatnonzero(finite[t, i]).tolist():
                point: dict[str, Any] = {
                    "id": f"{box_id}_{j}",
                    "type": "keypointlabels",
                    "from_name": keypoint_tool,
                    "to_name": to_name,
                    "original_width": w0,
                    "original_height": h0,
                    "image_rotation": 0,
                    "parentID": box_id,
                    "value": {
                        "x": pxy[t][i][j][0],
                        "y": pxy[t][i][j][1],
                        "width": POINT_SIZE,
                        "keypointlabels": [names[j]],
                    },
                }
                if predictions and fin[t][i][j] and np.isfinite(conf_list[t][i][j]):
                    point["score"] = conf_list[t][i][j]
                result.append(point)
                # the same link as a relation, which Label Studio draws and sleap-io reads
                relations.append(
                    {
                        "type": "relation",
                        "from_id": point["id"],
                        "to_id": box_id,
                        "direction": "right",
                    }
                )
        result.extend(relations)
        task: dict[str, Any] = {"data": {image_key: images[t]}}
        if not has_image[t]:  # a video frame: where it comes from, as sleap-io writes it
            task["meta"] = {"video": {"filename": videos[t], "frame_idx": int(frame_list[t]),
                                      "shape": None}}  # fmt: skip
        if predictions:
            entry: dict[str, Any] = {"model_version": model_version, "result": result}
            if instance_scores:
                entry["score"] = float(np.mean(instance_scores))
            task["predictions"] = [entry]
        else:
            task["annotations"] = [{"result": result}]
        tasks.append(task)
    box_labels = list(dict.fromkeys(categories[present].tolist())) or [box_label]
    return tasks, box_labels
