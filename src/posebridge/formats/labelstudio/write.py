"""Writing Label Studio tasks: predictions (pre-annotations) or annotations."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import xarray as xr

from posebridge import model
from posebridge._outputs import atomic_outputs
from posebridge.errors import SchemaError, user_stacklevel, with_command_line_wording
from posebridge.formats._shared.guards import (
    kind_check,
    refuse_empty,
    refuse_no_points,
    refuse_not_2d,
    refuse_physical_units,
    refuse_text_not_utf8,
    refuse_unknown_frames,
)
from posebridge.formats._shared.images import (
    IMAGE_SIZE_ADVICE,
    WRITE_IMAGE_SIZE_FLAG,
    box_extras,
    checked_image_size,
    first_repeat,
    video_frame_size,
)
from posebridge.formats._shared.individual_names import warn_individual_names_not_kept
from posebridge.formats._shared.json_text import (
    comma_before,
    integers,
    join,
    json_string,
    json_strings,
    numbers,
    optional,
    write_texts,
)
from posebridge.formats._shared.not_kept import (
    warn_individuals_not_written,
    warn_keypoint_variables_dropped,
    warn_label_scores_dropped,
    warn_lone_coordinates,
    warn_occluded,
    warn_times_not_kept,
    warn_variables_not_written,
)
from posebridge.formats.labelstudio._config import config_xml, refuse_not_xml
from posebridge.model import labels

__all__ = ["KINDS", "write"]


KINDS = ("auto", "predictions", "annotations")
#: What Label Studio tasks keep beyond points, boxes and categories: each image's size and
#: each video frame's video (meta.video).
_KEPT_BESIDE_POINTS = ("image_width", "image_height", labels.VIDEO)
#: Size of a keypoint marker, in percent of the image width (Label Studio's default look).
POINT_SIZE = 0.5


#: The format's ``check_write_option`` (:func:`~posebridge.formats._shared.guards.kind_check`).
check_option = kind_check(KINDS)


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
        Label Studio stores percentages. Without it, frames of a video take the
        video's size (``video_width`` / ``video_height``).
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
    check_option("kind", kind)
    refuse_not_2d(ds, "Label Studio", "Label Studio keypoints", path)
    refuse_empty(ds, "Label Studio", dims=(model.TIME, model.KEYPOINT, model.INDIVIDUAL))
    refuse_no_points(ds, "Label Studio")
    refuse_physical_units(ds, "Label Studio")
    refuse_text_not_utf8(ds, "Label Studio")
    image_size = video_frame_size(ds) if image_size is None else checked_image_size(image_size)
    if kind == "auto":
        kind = "annotations" if labels.is_labels(ds) else "predictions"
    names = [str(v) for v in ds[model.KEYPOINT].values]
    pieces, box_labels, appearance = _document(
        ds, kind, image_size, image_key, to_name, keypoint_tool, box_tool, box_label,
        model_version,
    )  # fmt: skip
    if label_config is not None:
        refuse_not_xml(
            Path(label_config),
            {
                "keypoint": names,
                "box label": box_labels,
                "tool or image key": [image_key, to_name, keypoint_tool, box_tool],
            },
        )
    _warn_unkept(ds, path, kind)  # once the document could be made: no warning before a refusal
    targets = [path]
    if label_config is not None:
        targets.append(Path(label_config))
    else:
        _warn_unconfigured(path, names, appearance)
    with atomic_outputs(targets, overwrite=overwrite) as temporaries:
        write_texts(temporaries[0], "[", pieces, "]")
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


def _warn_unkept(ds: xr.Dataset, path: Path, kind: str) -> None:
    """Warn of what Label Studio's keypoints cannot hold: a visibility flag (COCO's v=1
    reads back visible), a point with one finite coordinate (not written), another
    per-keypoint variable (an EKS variance, Anipose's reprojection error), the
    individuals' identities (read back by rank), time in seconds off the frames (rows
    are images or video frames) and, in annotations, scores."""
    if kind == "annotations":
        warn_label_scores_dropped(
            ds, path, "Label Studio annotations", "predictions (kind='predictions') keep them"
        )
    else:
        _warn_infinite_scores(ds, path)
    warn_occluded(
        ds, path, "Label Studio's keypoints have no visibility, so they read back as visible"
    )
    warn_lone_coordinates(ds, path, "Label Studio")
    warn_times_not_kept(ds, path, "a Label Studio task file")
    warn_keypoint_variables_dropped(  # visible: warned of above (warn_occluded)
        ds,
        path,
        "Label Studio task",
        ("confidence", "visible"),
        holds="its position and, in predictions, one score, the confidence",
    )
    warn_variables_not_written(ds, path, "Label Studio", kept=_KEPT_BESIDE_POINTS)
    warn_individuals_not_written(
        ds,
        path,
        "Label Studio tasks hold an individual only through its regions (a rectangle per "
        "instance with a point or a box, and its keypoints)",
    )
    warn_individual_names_not_kept(
        ds,
        path,
        holds="Label Studio tasks (no identity across images)",
        read_back="untracked_<k>, by rank in each image",
        identity=False,
    )


def _warn_infinite_scores(ds: xr.Dataset, path: Path) -> None:
    """Warn of infinite scores of written points and instances, which JSON cannot hold.

    A score that is not finite is left out of its region (as NaN is: no
    confidence); an infinite one is a value, so leaving it out loses it.
    """
    xy = ds["position"].transpose(model.TIME, model.INDIVIDUAL, model.KEYPOINT, model.SPACE)
    placed = np.isfinite(np.asarray(xy.values, dtype=np.float64)).all(axis=-1)
    confidence = model.confidence_per_keypoint(ds).transpose(
        model.TIME, model.INDIVIDUAL, model.KEYPOINT
    )
    counts = {"confidence": int(np.isinf(np.asarray(confidence.values, float))[placed].sum())}
    if "instance_score" in ds:
        boxes = box_extras(ds).transpose(0, 2, 1)  # (time, individual, 4)
        present = placed.any(axis=2) | np.isfinite(boxes).all(axis=2)
        scores = ds["instance_score"].transpose(model.TIME, model.INDIVIDUAL).values
        counts["instance_score"] = int(np.isinf(np.asarray(scores, float))[present].sum())
    found = [f"{count} in {name!r}" for name, count in counts.items() if count]
    if found:
        warnings.warn(
            f"{path}: infinite scores ({' and '.join(found)}), which JSON cannot hold: their "
            "regions are written without a score and read back without one (NaN). "
            "Replace them with a finite value (ds[name].clip(max=...)) to keep one.",
            UserWarning,
            stacklevel=user_stacklevel(),
        )


def _warn_unconfigured(path: Path, names: list[str], appearance: np.ndarray) -> None:
    """Warn when tasks written without a labelling config would not read back whole.

    Without ``label_config=`` the reader finds the keypoints that have a point,
    in order of first appearance; keypoints without any point are lost, and
    the order can change.
    """
    unlabelled = sorted(set(range(len(names))) - set(appearance.tolist()))
    reordered = appearance.tolist() != sorted(appearance.tolist())
    if not unlabelled and not reordered:
        return
    problems = []
    if unlabelled:
        shown = ", ".join(repr(names[j]) for j in unlabelled[:5])
        more = ", ..." if len(unlabelled) > 5 else ""
        have = "1 keypoint has" if len(unlabelled) == 1 else f"{len(unlabelled)} keypoints have"
        problems.append(f"{have} no point ({shown}{more})")
    if reordered:
        problems.append("the points' first appearance is another order than the dataset's")
    advice = "pass label_config= to write the config, and give it to the reader (label_config=)."
    warning = UserWarning(
        f"{path}: {' and '.join(problems)}, so reading the tasks back without the "
        f"labelling config loses or reorders keypoints; {advice}"
    )
    wording = {
        advice: "write the config too with --option label_config=CONFIG.xml, and read the "
        "tasks back with --read-option label_config=CONFIG.xml."
    }
    warnings.warn(with_command_line_wording(warning, wording), stacklevel=user_stacklevel())


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
    videos = labels.utf8_texts(videos)  # made-up image names and meta are text
    frames = _video_frames(ds, images == "")
    stems = pd.Series(videos).str.replace(r"^.*/", "", regex=True)
    stems = stems.str.replace(r"\.[^.]*$", "", regex=True).replace("", "frames").to_numpy(str)
    made = np.char.add(np.char.add(stems, "/img"), np.char.zfill(frames.astype(str), 5))
    names = np.where(images != "", images, np.char.add(made, ".png"))
    if (rows := first_repeat(names)) is not None:  # time x fps put two on one video frame
        first, second = rows
        raise SchemaError(
            f"time steps {first} and {second} fall on the same video frame, image "
            f"{str(names[second])!r}, and a Label Studio task labels an image once. Keep one "
            "of them (ds.drop_isel(time=...))."
        )
    return names.tolist()


def _video_frames(ds: xr.Dataset, without_image: np.ndarray) -> np.ndarray:
    """Each row's video frame (``meta.video``'s ``frame_idx`` of the rows ``without_image``).

    Raises
    ------
    SchemaError
        When a row without an image has no frame number (time in seconds
        without fps: its frame would be made up) or a negative one (which Label
        Studio's readers, posebridge's among them, refuse).
    """
    frames = model.frame_numbers(ds)
    if frames is None:
        refuse_unknown_frames(ds, "Label Studio")  # the rows without an image, as COCO, YOLO
        return np.zeros(ds.sizes[model.TIME], dtype=np.int64)  # every row has its image
    frames = np.asarray(frames, dtype=np.int64)
    negative = np.flatnonzero(without_image & (frames < 0))
    if negative.size:
        step = int(negative[0])
        raise SchemaError(
            f"Label Studio tasks of video frames need frame numbers from 0 (frame_idx), and "
            f"time step {step} is frame {int(frames[step])}. Shift the frames "
            "(ds.assign_coords(time=...)) or give image_path."
        )
    return frames


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
        refused = SchemaError(
            "Label Studio stores points in percent of the image size, and some rows have no "
            f"size (image_width / image_height); {IMAGE_SIZE_ADVICE}."
        )
        raise with_command_line_wording(refused, {IMAGE_SIZE_ADVICE: WRITE_IMAGE_SIZE_FLAG})
    return sizes


def _document(
    ds: xr.Dataset,
    kind: str,
    image_size: tuple[int, int] | None,
    image_key: str,
    to_name: str,
    keypoint_tool: str,
    box_tool: str,
    box_label: str,
    model_version: str,
) -> tuple[pa.LargeStringArray, list[str], np.ndarray]:
    """The tasks' JSON text, one piece per task opening, region, relation and task end,
    the rectangle labels, and the keypoints in order of their first point in the file.

    Every piece is made for all regions at once by Arrow's string kernels; the
    pieces, put in document order by one sort, concatenate into the file's text.
    No Python object is made per region or point.
    """
    n = ds.sizes[model.TIME]
    sizes = _sizes(ds, image_size)
    names = np.array([str(v) for v in ds[model.KEYPOINT].values], dtype=object)
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

    box_t, box_i = np.nonzero(present)
    point_t, point_i, point_j = np.nonzero(finite)  # a finite point's instance is present
    order, follows = _document_order(n, box_t, box_i, point_t, point_i, point_j)
    regions = follows[n : n + box_t.size + 2 * point_t.size]
    box_comma, point_comma, relation_comma = (
        pa.array(np.where(part, ",", ""), pa.large_string())
        for part in np.split(regions, [box_t.size, box_t.size + point_t.size])
    )
    # what every region of a task repeats: the image size (whole numbers written as such)
    image_fields = join(
        ',"original_width":', numbers(sizes[:, 0]),
        ',"original_height":', numbers(sizes[:, 1]),
        ',"image_rotation":0',
    )  # fmt: skip
    box_ids = join("pb", integers(box_t), "_", integers(box_i))
    percent_box = boxes[box_t, box_i] / np.concatenate([sizes, sizes], axis=1)[box_t] * 100.0
    box_scores = scores[box_t, box_i]
    boxes_text = join(
        box_comma, '{"id":"', box_ids,
        '","type":"rectanglelabels","from_name":', json_string(box_tool),
        ',"to_name":', json_string(to_name),
        image_fields.take(pa.array(box_t)),
        ',"value":{"x":', numbers(percent_box[:, 0]),
        ',"y":', numbers(percent_box[:, 1]),
        ',"width":', numbers(percent_box[:, 2]),
        ',"height":', numbers(percent_box[:, 3]),
        ',"rotation":0,"rectanglelabels":[', json_strings(categories[box_t, box_i]),
        "]}", optional(',"score":', box_scores, predictions),
        "}",
    )  # fmt: skip
    parents = join("pb", integers(point_t), "_", integers(point_i))
    point_ids = join(parents, "_", integers(point_j))
    percent_xy = xy[point_t, point_i, point_j] / sizes[point_t] * 100.0
    points_text = join(
        point_comma, '{"id":"', point_ids,
        '","type":"keypointlabels","from_name":', json_string(keypoint_tool),
        ',"to_name":', json_string(to_name),
        image_fields.take(pa.array(point_t)),
        ',"parentID":"', parents,
        '","value":{"x":', numbers(percent_xy[:, 0]),
        ',"y":', numbers(percent_xy[:, 1]),
        f',"width":{POINT_SIZE!r},"keypointlabels":[', json_strings(names[point_j]),
        "]}", optional(',"score":', confidence[point_t, point_i, point_j], predictions),
        "}",
    )  # fmt: skip
    # the same link as a relation, which Label Studio draws and sleap-io reads
    relations_text = join(
        relation_comma, '{"type":"relation","from_id":"', point_ids, '","to_id":"', parents,
        '","direction":"right"}',
    )  # fmt: skip
    opening, ending = _task_ends(ds, predictions, present, scores, image_key, model_version)

    pieces = pa.concat_arrays([opening, boxes_text, points_text, relations_text, ending])
    del boxes_text, points_text, relations_text
    box_labels = list(dict.fromkeys(categories[present].tolist())) or [box_label]
    appearance = pd.unique(point_j)  # np.nonzero's order: the points' order in the file
    return pieces.take(order), box_labels, appearance


def _document_order(
    n: int,
    box_t: np.ndarray,
    box_i: np.ndarray,
    point_t: np.ndarray,
    point_i: np.ndarray,
    point_j: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """The order of the pieces (task openings, boxes, points, relations, task ends).

    Returns
    -------
    order
        Positions of the pieces, in that concatenation, in document order:
        each task's opening, its instances' boxes each followed by its points,
        the relations, its end.
    follows
        Per piece (in concatenation order), whether it follows another region
        or relation of its task's list (a comma goes before it).
    """
    every, none = np.arange(n), np.zeros(n, dtype=np.int64)
    task = np.concatenate([every, box_t, point_t, point_t, every])
    section = np.repeat([0, 1, 1, 2, 3], [n, box_t.size, point_t.size, point_t.size, n])
    instance = np.concatenate([none, box_i, point_i, point_i, none])
    keypoint = np.concatenate([none, np.full(box_t.size, -1), point_j, point_j, none])
    order = np.lexsort((keypoint, instance, section, task))
    placed = section[order]
    follows = np.empty(order.size, dtype=bool)
    follows[order] = ((placed == 1) | (placed == 2)) & (np.r_[0, placed[:-1]] != 0)
    return order, follows


def _task_ends(
    ds: xr.Dataset,
    predictions: bool,
    present: np.ndarray,
    scores: np.ndarray,
    image_key: str,
    model_version: str,
) -> tuple[pa.LargeStringArray, pa.LargeStringArray]:
    """Each task's text before its first region and after its last one."""
    n = ds.sizes[model.TIME]
    has_image = (
        labels.normalise_paths(ds[labels.IMAGE_PATH].values) != ""
        if labels.IMAGE_PATH in ds.coords
        else np.zeros(n, dtype=bool)
    )
    videos = (
        np.asarray(ds[labels.VIDEO].values).astype(str)
        if labels.VIDEO in ds.coords
        else np.full(n, str(ds.attrs.get("video_path", "")))
    )
    videos = labels.utf8_texts(videos)  # made-up image names and meta are text
    frames = _video_frames(ds, ~has_image)
    # a video frame: where it comes from, as sleap-io writes it
    meta = join(
        ',"meta":{"video":{"filename":', json_strings(videos), ',"frame_idx":',
        integers(frames), ',"shape":null}}',
    )  # fmt: skip
    meta = pc.if_else(pa.array(~has_image), meta, pa.scalar("", pa.large_string()))
    if predictions:
        entry = f',"predictions":[{{"model_version":{json_string(model_version)},"result":['
        scored = present & np.isfinite(scores)
        count = scored.sum(axis=1)
        ending = join("]", optional(',"score":', _row_means(scores, scored), count > 0), "}]}")
    else:
        entry = ',"annotations":[{"result":['
        ending = pa.array(np.full(n, "]}]}"), pa.large_string())
    opening = join(
        comma_before(n), '{"data":{', json_string(image_key), ":",
        json_strings(np.array(_images(ds), dtype=object)), "}", meta, entry,
    )  # fmt: skip
    return opening, ending


def _row_means(values: np.ndarray, kept: np.ndarray) -> np.ndarray:
    """Each row's mean of its ``kept`` values (NaN where none), summed as ``numpy.mean`` would.

    Rows are averaged together by how many values they keep (one pass per
    count, not per row), so that each mean adds exactly its own values.
    """
    count = kept.sum(axis=1)
    means = np.full(count.size, np.nan)
    for c in np.unique(count[count > 0]).tolist():
        rows = np.flatnonzero(count == c)
        means[rows] = values[rows][kept[rows]].reshape(rows.size, c).mean(axis=1)
    return means
