"""Writing COCO keypoints: labels -> ground truth, poses -> results."""

from __future__ import annotations

import os
import warnings
from pathlib import Path
from typing import Any

import msgspec
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import xarray as xr

from posebridge import model
from posebridge._files import check_input
from posebridge._outputs import atomic_outputs
from posebridge.errors import FormatError, SchemaError, user_stacklevel, with_command_line_wording
from posebridge.formats._shared.guards import (
    kind_check,
    refuse_bad_names,
    refuse_empty,
    refuse_no_points,
    refuse_not_2d,
    refuse_physical_units,
    refuse_text_not_utf8,
    refuse_unknown_frames,
)
from posebridge.formats._shared.images import (
    box_extras,
    checked_image_size,
    first_repeat,
    video_frame_size,
)
from posebridge.formats._shared.json_text import (
    comma_before,
    integers,
    join,
    json_string,
    json_strings,
    number_lists,
    numbers,
    write_texts,
)
from posebridge.formats._shared.not_kept import (
    keypoint_names_read_back,
    warn_individuals_not_written,
    warn_keypoint_variables_dropped,
    warn_label_scores_dropped,
    warn_lone_coordinates,
    warn_times_not_kept,
    warn_variables_not_written,
)
from posebridge.formats._shared.track_ids import individual_track_ids
from posebridge.formats._shared.track_order import warn_order_read_back
from posebridge.formats.coco._layout import (
    CATEGORIES_ATTR,
    GroundTruth,
    categories_from_attr,
)
from posebridge.formats.coco._layout import load as load_file
from posebridge.formats.coco.read import image_table
from posebridge.model import labels

__all__ = ["KINDS", "write"]

KINDS = ("auto", "ground_truth", "results")
_DIMS = (model.TIME, model.INDIVIDUAL, model.KEYPOINT)
#: Where the scores ground truth leaves out are kept, for its warning.
_SCORES_KEPT = "a COCO results file (kind='results') keeps them"
#: ... and the advice to write the other kind, in the command line's words.
_KIND_FLAGS = {
    "kind='results'": "--option kind=results",
    "(kind='ground_truth')": "(--option kind=ground_truth)",
}
#: What COCO ground truth keeps beyond points, boxes, areas and categories (a results file
#: keeps category_id alone): class ids, image sizes, the skeleton, each image's video.
_KEPT_BY_GROUND_TRUTH = (
    "category_id", "image_width", "image_height", "skeleton_edges", labels.VIDEO,
)  # fmt: skip
#: What a point of each kind holds, for the warning naming the per-keypoint variables
#: (EKS variances, Anipose's reprojection_error) it has no place for.
_POINT_IN_GROUND_TRUTH = "x, y and a visibility flag"
_POINT_IN_RESULTS = "x, y and one score, the confidence"


#: The format's ``check_write_option`` (:func:`~posebridge.formats._shared.guards.kind_check`).
check_option = kind_check(KINDS)


def write(
    ds: xr.Dataset,
    path: Path,
    *,
    overwrite: bool = False,
    kind: str = "auto",
    category_name: str | None = None,
    image_size: tuple[int, int] | None = None,
    ground_truth: str | os.PathLike[str] | None = None,
) -> list[Path]:
    """Write a COCO keypoints ground-truth or results file.

    Parameters
    ----------
    ds
        A 2D poses or labels dataset.
    path
        The ``.json`` file.
    overwrite
        Replace an existing file.
    kind
        ``"ground_truth"``, ``"results"``, or ``"auto"``: ground truth for a
        labels dataset, results for predictions.
    category_name
        The category of instances without a ``category`` (ground truth;
        default ``"animal"``).
    image_size
        (width, height) of images whose size the dataset does not hold
        (``image_width`` / ``image_height``); without it, frames of the dataset's
        video (rows without an ``image_path``) take the video's frame size
        (``video_width`` / ``video_height``), and the sizes still unknown are
        left out of ``images`` (ground truth).
    ground_truth
        A COCO ground-truth file whose image ids to use: each row takes the
        id of the image whose ``file_name`` is the row's (its ``image_path``,
        else ``<video stem>/img<frame>.png``, as the ground truth posebridge
        writes names it). A row to write whose image is not in it is refused
        (SchemaError). Without it, ids are the dataset's ``image_id``, else
        the numbers in the image file names when they are the frame numbers
        (as a COCO file read and written by a format without image ids
        gives), else frame number + 1 (frames of one video), else 1..n.
        Ground truth and results written with it take their category ids from
        its categories by name (``category``); a category it lacks is refused
        (SchemaError).

    Returns
    -------
    list of pathlib.Path
        ``[path]``.

    Examples
    --------
    >>> import numpy as np
    >>> from posebridge.model import labels
    >>> from posebridge.formats import coco
    >>> ds = labels.from_numpy(np.ones((1, 2, 3, 1)), image_path=["img/0001.png"])
    >>> coco.write(ds, "gt.json")  # doctest: +SKIP
    [PosixPath('gt.json')]
    """
    check_option("kind", kind)
    refuse_not_2d(ds, "COCO", "COCO keypoints", path)
    refuse_empty(ds, "COCO", dims=(model.TIME, model.KEYPOINT, model.INDIVIDUAL))
    refuse_no_points(ds, "COCO")
    refuse_physical_units(ds, "COCO")
    refuse_text_not_utf8(ds, "COCO")
    if image_size is not None:
        image_size = checked_image_size(image_size)
    if kind == "auto":
        kind = "ground_truth" if labels.is_labels(ds) else "results"
    # both kinds hold an individual's name ("individual"), and the reader takes an empty
    # one for none (untracked_<k>)
    title = f"COCO {kind.replace('_', ' ')}"
    refuse_bad_names(ds, title, dims=(model.INDIVIDUAL,), forbidden="", path=path)
    if kind == "ground_truth" or ground_truth is not None or "image_id" not in ds.coords:
        refuse_unknown_frames(ds, "COCO")  # images named or numbered by their frame
    if kind == "results":
        options = {"category_name": category_name, "image_size": image_size}
        given = [f"{name}=" for name, value in options.items() if value is not None]
        if given:  # a warning, as NWB's for options of the other content: a batch of
            # labels and predictions gives every output the same options
            ignored = UserWarning(
                f"{path}: {', '.join(given)} {'is' if len(given) == 1 else 'are'} ignored: a "
                "COCO results file (written for predictions; kind='results') holds neither "
                "category names nor images, only their ids. Write labels as ground truth "
                "(kind='ground_truth') to keep them."
            )
            warnings.warn(
                with_command_line_wording(ignored, _KIND_FLAGS), stacklevel=user_stacklevel()
            )
    truth = None if ground_truth is None else _load_ground_truth(ground_truth)  # decoded once
    if kind == "ground_truth":
        category_name = "animal" if category_name is None else category_name
        if not isinstance(category_name, str) or not category_name.strip():
            raise SchemaError(
                f"category_name={category_name!r}: COCO categories need a name (an empty one "
                "reads back as category_<id>)."
            )
        parts, cols = _ground_truth(ds, path, category_name, image_size, truth)
        held = "COCO ground truth holds an individual only through its annotations"
    else:
        parts, cols = _results(ds, path, truth)
        held = "a COCO results file holds an individual only through its detections"
        if ground_truth is None:
            _warn_keypoint_names_not_held(ds, path)
    warn_lone_coordinates(ds, path, "COCO")  # once the text could be made: none before a refusal
    if kind == "ground_truth":
        warn_label_scores_dropped(
            ds,
            path,
            "COCO ground truth",
            _SCORES_KEPT,
            _SCORES_KEPT.replace("kind='results'", _KIND_FLAGS["kind='results'"]),
        )
    # a result is named by its image's id (frame number + 1): time in seconds is lost too
    warn_times_not_kept(ds, path, title if kind == "ground_truth" else "a COCO results file")
    warn_individuals_not_written(ds, path, f"{held} (one per instance with a point or a box)")
    written = np.zeros(ds.sizes[model.INDIVIDUAL], dtype=bool)
    written[cols] = True
    names = [str(name) for name in ds[model.INDIVIDUAL].values]
    ids = individual_track_ids(names, "COCO")[0]
    warn_order_read_back(
        ds, path, title if kind == "ground_truth" else "a COCO results file", ids, written
    )
    if kind == "ground_truth":  # its confidence is named by warn_label_scores_dropped
        warn_keypoint_variables_dropped(
            ds, path, title, ("confidence", labels.VISIBLE), holds=_POINT_IN_GROUND_TRUTH
        )
    else:
        warn_keypoint_variables_dropped(ds, path, "COCO results", holds=_POINT_IN_RESULTS)
    kept = _KEPT_BY_GROUND_TRUTH if kind == "ground_truth" else ("category_id",)
    warn_variables_not_written(ds, path, title, kept=kept)
    with atomic_outputs([path], overwrite=overwrite) as (temporary,):
        write_texts(temporary, *parts)
    return [path]


# --------------------------------------------------------------------------
# shared pieces


def _image_ids(ds: xr.Dataset) -> np.ndarray:
    """The dataset's COCO image ids when it has distinct ones (numbers, or texts as a
    file with text ids reads), else the numbers in the image file names when they are
    the rows' frame numbers (distinct ones: a COCO file read as frames of its images'
    numbers, then written by a format without image ids, gets its own ids back), else
    frame number + 1 (distinct frames of one video, so that ground truth and results
    written from one video's labels and predictions name the same images), else 1..n."""
    n = ds.sizes[model.TIME]
    if "image_id" in ds.coords:
        ids = np.asarray(ds["image_id"].values)
        if ids.dtype.kind in "iu" and np.unique(ids).size == n:
            return ids.astype(np.int64)
        if ids.dtype.kind == "U" and np.unique(ids).size == n:
            return ids
    frames = model.frame_numbers(ds)
    if frames is not None and labels.IMAGE_PATH in ds.coords:
        named = labels.image_frames(ds[labels.IMAGE_PATH].values)
        if (named >= 0).all() and (named == frames).all() and np.unique(named).size == n:
            return named.astype(np.int64)
    one_video = labels.VIDEO not in ds.coords or np.unique(ds[labels.VIDEO].values).size <= 1
    if (
        frames is not None
        and one_video
        and (np.asarray(frames) >= 0).all()
        and np.unique(frames).size == n
    ):
        return np.asarray(frames, dtype=np.int64) + 1
    return np.arange(1, n + 1, dtype=np.int64)


def _image_id_texts(
    ds: xr.Dataset, truth: tuple[Path, GroundTruth] | None, written: np.ndarray
) -> pa.LargeStringArray:
    """The JSON text of each row's image id: from ``truth`` (the ``ground_truth=`` file and
    its decoding: the image with the row's file name) when given, else :func:`_image_ids`.

    ``written`` flags the rows the file holds; one of them whose image is not in the
    ground truth is refused.
    """
    if truth is None:
        return _id_texts(_image_ids(ds))
    gt_path, gt = truth
    table = image_table(gt_path, gt)
    known = labels.normalise_paths(table["file_name"].to_numpy().astype(str))
    names = _file_names(ds)
    at = pd.Index(known).get_indexer(names)
    missing = np.flatnonzero(written & (at < 0))
    if missing.size:
        shown = ", ".join(f"row {i} ({str(names[i])!r})" for i in missing[:5].tolist())
        more = f" and {missing.size - 5} more" if missing.size > 5 else ""
        raise SchemaError(
            f"{missing.size} rows have no image in {gt_path} (images are matched by "
            f"file_name): {shown}{more}. Write only the rows of its images, or give the "
            "rows the image_path of their image in it."
        )
    ids = table["id"].to_numpy()
    if ids.dtype != object:
        texts = integers(ids.astype(np.int64))
    else:  # numbers and texts: each as the file gives it (pycocotools keeps 7 and "7" apart)
        is_text = np.fromiter(map(str.__instancecheck__, ids), bool, ids.size)
        texts = pc.if_else(
            pa.array(is_text),
            json_strings(ids.astype(str)),
            integers(np.where(is_text, 0, ids).astype(np.int64)),
        )
    return texts.take(pa.array(np.where(at < 0, 0, at)))


def _load_ground_truth(ground_truth: str | os.PathLike[str]) -> tuple[Path, GroundTruth]:
    """The ``ground_truth=`` file, decoded; a results list is refused."""
    gt_path = check_input(ground_truth)
    gt = load_file(gt_path)
    if not isinstance(gt, GroundTruth):
        raise FormatError(gt_path, "ground_truth= must be a COCO ground-truth file, not a list.")
    return gt_path, gt


def _ground_truth_category_ids(
    ds: xr.Dataset, rows: np.ndarray, cols: np.ndarray, truth: tuple[Path, GroundTruth]
) -> np.ndarray:
    """Each result's category id: the ground truth's id of its ``category`` name.

    pycocotools scores a result only against ground truth of the same
    ``category_id``, so ids numbered by this dataset alone score nothing. An
    instance without a name keeps a ``category_id`` the ground truth has, else
    takes the ground truth's only category; a name the ground truth lacks, or
    an unnamed instance beside several categories, is refused.
    """
    gt_path, gt = truth
    by_name = {c.name: c.id for c in reversed(gt.categories)}  # a name's first id
    names_grid, ids_grid = _grid(ds, "category"), _grid(ds, "category_id")
    names = (
        np.full(rows.size, "", dtype=object)
        if names_grid is None
        else np.asarray(names_grid[rows, cols]).astype(str).astype(object)
    )
    named = names != ""
    unknown = pd.unique(names[named & ~pd.Series(names).isin(list(by_name)).to_numpy()])
    if unknown.size:
        listed = ", ".join(repr(c.name) for c in gt.categories[:10])
        more = f" and {len(gt.categories) - 10} more" if len(gt.categories) > 10 else ""
        raise SchemaError(
            f"categor{'y' if unknown.size == 1 else 'ies'} "
            f"{', '.join(map(repr, unknown.tolist()))} not in {gt_path}, whose categories "
            f"are {listed or 'none'}{more}: results are scored against the ground truth's "
            "category of the same name. Rename them (ds['category']) to its names, or leave "
            "out their instances."
        )
    ids = pd.Series(names).map(by_name).to_numpy()
    if not named.all():
        own = (
            np.full(rows.size, -1, dtype=np.int64)
            if ids_grid is None
            else np.asarray(ids_grid[rows, cols], dtype=np.int64)
        )
        kept = ~named & np.isin(own, [c.id for c in gt.categories])
        ids = np.where(kept, own, ids)
        left = ~named & ~kept
        if left.any():
            if len(gt.categories) != 1:
                raise SchemaError(
                    f"{int(left.sum())} instances have no category (or one whose id is not "
                    f"in {gt_path}), which has {len(gt.categories)} categories: give them "
                    "the name of theirs (ds['category'])."
                )
            ids = np.where(left, gt.categories[0].id, ids)
    return ids.astype(np.int64)


def _id_texts(ids: np.ndarray) -> pa.LargeStringArray:
    """The JSON text of image ids: numbers, or strings for text ids."""
    return json_strings(ids) if ids.dtype.kind == "U" else integers(ids)


def _file_names(ds: xr.Dataset) -> np.ndarray:
    """Each row's image: ``image_path``, else ``<video stem>/img<frame>.png``."""
    n = ds.sizes[model.TIME]
    images = (
        labels.normalise_paths(ds[labels.IMAGE_PATH].values)
        if labels.IMAGE_PATH in ds.coords
        else np.full(n, "", dtype=str)
    )
    if labels.VIDEO in ds.coords:
        videos = np.asarray(ds[labels.VIDEO].values).astype(str)
    else:
        videos = np.full(n, str(ds.attrs.get("video_path", "")))
    videos = labels.utf8_texts(videos)  # made-up image names are text
    stems = pd.Series(np.char.rpartition(labels.normalise_paths(videos), "/")[:, 2])
    stems = stems.str.replace(r"\.[^.]*$", "", regex=True).to_numpy(dtype=str)
    frames = model.frame_numbers(ds)
    frames = np.arange(n) if frames is None else np.asarray(frames, dtype=np.int64)
    unknown = (images == "") & (frames < 0)
    if unknown.any():
        row = int(np.argmax(unknown))
        if labels.is_labels(ds) and frames[row] == labels.UNKNOWN_FRAME:
            raise SchemaError(
                f"row {row} has neither an image_path nor a frame number (its frame is -1, "
                "unknown): COCO names each image; give the row its image_path."
            )
        raise SchemaError(
            f"COCO image names of video frames need frame numbers from 0 "
            f"(<video stem>/img<frame>.png), and row {row} is frame {int(frames[row])}. "
            "Shift the frames (ds.assign_coords(time=...)) or give image_path."
        )
    made = np.char.add(
        np.char.add(np.where(stems == "", "", np.char.add(stems, "/")), "img"),
        np.char.zfill(frames.astype(str), 5),
    )
    names = np.where(images != "", images, np.char.add(made, ".png"))
    if (rows := first_repeat(names)) is not None:  # two videos of one name, two folders
        first, second = rows
        image = str(names[second])
        if images[second] == "" and videos[first] == videos[second]:  # time x fps, one frame
            why = f"time steps {first} and {second} fall on the same video frame ({frames[first]})"
            fix = "keep one of them (ds.drop_isel(time=...))"
        else:
            why = f"rows {first} and {second} would both be one image"
            if images[second] == "":
                why += f" (videos {str(videos[first])!r} and {str(videos[second])!r})"
            fix = "give the rows their own image_path"
        raise SchemaError(f"{why}, image {image!r}, and COCO tells images by file_name: {fix}.")
    return names


def _points(ds: xr.Dataset) -> tuple[np.ndarray, np.ndarray]:
    """(time, individual, keypoint, 2) positions and finite-point flags."""
    xy = ds["position"].transpose(model.TIME, model.INDIVIDUAL, model.KEYPOINT, model.SPACE)
    xy = np.asarray(xy.values, dtype=np.float64)
    return xy, np.isfinite(xy).all(axis=-1)


def _flat(values: np.ndarray, flags: np.ndarray) -> list[list[Any]]:
    """Per annotation [x1, y1, v1, ...]: floats, with whole-number flags as ints."""
    n, k = flags.shape
    out = np.empty((n, k, 3), dtype=object)
    out[..., :2] = values
    out[..., 2] = flags
    return out.reshape(n, 3 * k).tolist()


def _names_of(ds: xr.Dataset) -> list[str]:
    return [str(v) for v in ds[model.KEYPOINT].values]


def _grid(ds: xr.Dataset, name: str) -> np.ndarray | None:
    """A (time, individual) variable as an array, ``None`` when absent."""
    if name not in ds:
        return None
    return np.asarray(ds[name].transpose(model.TIME, model.INDIVIDUAL).values)


def _categories(
    ds: xr.Dataset, rows: np.ndarray, cols: np.ndarray, default: str
) -> tuple[np.ndarray, dict[int, str]]:
    """Each annotation's category id, and the name of each id."""
    ids_grid, names_grid = _grid(ds, "category_id"), _grid(ds, "category")
    count = rows.size
    ids = np.full(count, -1, dtype=np.int64)
    names = np.full(count, "", dtype=object)
    if ids_grid is not None:
        ids = np.asarray(ids_grid[rows, cols], dtype=np.int64)
    if names_grid is not None:
        names = np.asarray(names_grid[rows, cols]).astype(str).astype(object)
    if (ids < 0).any():  # no id: by name (new ids after the known ones), else the default
        names = np.where(names == "", default, names)
        given = pd.Series(ids[ids >= 0], index=names[ids >= 0])
        given = given[~given.index.duplicated(keep="last")]  # a name's last id, as dict(zip)
        # the categories the file was read with name ids too: a new name takes a free id
        read = categories_from_attr(ds.attrs.get(CATEGORIES_ATTR))
        known = {str(c["name"]): int(c["id"]) for c in reversed(read)}  # a name's first id
        known.update(zip(given.index.tolist(), given.tolist(), strict=True))
        taken = [0, *known.values(), *(int(c["id"]) for c in read)]
        next_id = max(taken) + 1
        for name in pd.unique(names[ids < 0]).tolist():  # the new names, in order
            if name not in known:
                known[name], next_id = next_id, next_id + 1
        ids = np.where(ids < 0, pd.Series(names).map(known).to_numpy(), ids).astype(np.int64)
    unique, first = np.unique(ids, return_index=True)
    order = np.argsort(first, kind="stable")  # ids in the order they first come
    return ids, {  # each id named by its first annotation
        cid: str(names[at]) or f"category_{cid}"
        for cid, at in zip(unique[order].tolist(), first[order].tolist(), strict=True)
    }


def _track_ids(ds: xr.Dataset) -> tuple[list[int | None], list[str | None]]:
    """Per individual: its track id and name to write (none for untracked ones).

    ``track_<n>`` keeps ``n`` (and no name); the others take free ids in the
    dataset's order where there is room, and keep their name (the rule of every
    posebridge writer, :func:`~posebridge.formats._shared.track_ids.individual_track_ids`).
    """
    names = [str(v) for v in ds[model.INDIVIDUAL].values]
    ids, untracked, numbered = individual_track_ids(names, "COCO")
    tracks: list[int | None] = [
        None if u else i for i, u in zip(ids.tolist(), untracked, strict=True)
    ]
    kept: list[str | None] = [
        None if u or n else name for name, u, n in zip(names, untracked, numbered, strict=True)
    ]
    return tracks, kept


def _identity_texts(ds: xr.Dataset, cols: np.ndarray) -> tuple[pa.LargeStringArray, ...]:
    """Per annotation (of individual ``cols``): its ``track_id`` and ``individual`` keys."""
    tracks, names = _track_ids(ds)
    track_keys = [f',"track_id":{t}' if t is not None else "" for t in tracks]
    name_keys = [f',"individual":{json_string(n)}' if n is not None else "" for n in names]
    column = pa.array(cols)
    return (
        pa.array(track_keys, pa.large_string()).take(column),
        pa.array(name_keys, pa.large_string()).take(column),
    )


# --------------------------------------------------------------------------
# ground truth


def _ground_truth(
    ds: xr.Dataset,
    path: Path,
    category_name: str,
    image_size: tuple[int, int] | None,
    truth: tuple[Path, GroundTruth] | None,
) -> tuple[tuple[str | pa.LargeStringArray, ...], np.ndarray]:
    """The ground-truth file's text (constant parts and one text per image and
    annotation), and each annotation's individual (its index)."""
    xy, finite = _points(ds)
    if labels.VISIBLE in ds:
        visible = np.asarray(ds[labels.VISIBLE].transpose(*_DIMS).values, dtype=np.float64)
        # COCO's v=0 has no coordinates: a point with coordinates marked not visible is v=1
        occluded = (visible == 1) | (visible == 0)
        flags = np.where(finite, np.where(occluded, 1, 2), 0)
    else:
        flags = np.where(finite, 2, 0)
    boxes = box_extras(ds).transpose(0, 2, 1)  # (time, individual, 4)
    present = finite.any(axis=2) | np.isfinite(boxes).all(axis=2)
    rows, cols = np.nonzero(present)
    image_ids = _image_id_texts(ds, truth, np.ones(ds.sizes[model.TIME], dtype=bool))
    if truth is None:
        category_ids, category_table = _categories(ds, rows, cols, category_name)
    else:  # the ground truth's ids, as its results take them: one file's ids with another's
        category_ids = _ground_truth_category_ids(ds, rows, cols, truth)
        named = {c.id: c.name for c in truth[1].categories}
        used = pd.unique(category_ids).tolist()
        category_table = {cid: str(named[cid]) or f"category_{cid}" for cid in used}
    area_grid = _grid(ds, "instance_area")
    box = boxes[rows, cols]
    area = box[:, 2] * box[:, 3]
    if area_grid is not None:
        stored = np.asarray(area_grid[rows, cols], dtype=np.float64)
        area = np.where(np.isfinite(stored), stored, area)
    area = np.where(np.isfinite(area), area, 0.0)
    stored_box = np.zeros(rows.size, dtype=bool)
    if "bbox" in ds:
        stored = ds["bbox"].transpose(model.TIME, model.INDIVIDUAL, ...).values[rows, cols]
        stored_box = np.isfinite(np.asarray(stored, dtype=np.float64)).all(axis=1)
    points = np.where(finite[rows, cols][..., None], xy[rows, cols], 0.0)
    v = flags[rows, cols]
    keypoints = np.concatenate([points, v[..., None]], axis=-1).reshape(rows.size, -1)
    annotations = join(
        comma_before(rows.size),
        '{"id":', integers(np.arange(1, rows.size + 1)),
        ',"image_id":', image_ids.take(pa.array(rows)),
        ',"category_id":', integers(category_ids),
        ',"keypoints":', number_lists(keypoints),
        ',"num_keypoints":', integers((v > 0).sum(axis=1)),
        ',"bbox":', number_lists(np.where(np.isfinite(box), box, 0.0)),
        ',"area":', numbers(area),
        ',"iscrowd":0', *_identity_texts(ds, cols), "}",
    )  # fmt: skip
    categories = msgspec.json.encode(_category_records(ds, category_table, category_name))
    _warn_zero_areas(ds, path, rows, cols, (area == 0) & ~stored_box)  # the text is made
    return (
        '{"images":[', _images(ds, image_ids, image_size),
        '],"annotations":[', annotations,
        '],"categories":', categories.decode(), "}",
    ), cols  # fmt: skip


def _warn_zero_areas(
    ds: xr.Dataset, path: Path, rows: np.ndarray, cols: np.ndarray, zero: np.ndarray
) -> None:
    """Warn of annotations written with an area of 0 from their keypoints' extent.

    An instance without a stored ``bbox`` (or ``instance_area``) gets the box of its
    keypoints, 0 x 0 for one point (TRex and idtracker.ai centroids) and 0 wide or tall
    for points in a row, so an area of 0. COCOeval's keypoint similarity (OKS) divides
    by the area, so such ground truth scores every prediction that is not exactly on
    its points 0. ``zero`` flags the annotations (of time ``rows``, individual ``cols``).
    """
    if not zero.any():
        return
    at = int(np.argmax(zero))  # the first, in image order
    row = int(rows[at])
    who = (
        f"individual {str(ds[model.INDIVIDUAL].values[int(cols[at])])!r} at time index "
        f"{row} (image {str(_file_names(ds)[row])!r})"
    )
    warnings.warn(
        f"{path}: {int(zero.sum())} instance(s) are written with an area of 0, their box "
        f"being the extent of their keypoints, 0 px wide or tall; the first: {who}. "
        "COCOeval's keypoint similarity (OKS) divides by the area, so against this ground "
        "truth a prediction not exactly on such an instance's points scores 0. An instance "
        "without a stored bbox gets the extent of its keypoints (0 x 0 for a single point): "
        "store boxes the size of the animals in ds['bbox'] (x, y, width, height in pixels), "
        "or their areas in ds['instance_area'].",
        UserWarning,
        stacklevel=user_stacklevel(),
    )


def _images(
    ds: xr.Dataset, image_ids: pa.LargeStringArray, image_size: tuple[int, int] | None
) -> pa.LargeStringArray:
    """One ``{"id", "file_name", "width", "height"}`` text per image (no size when unknown).

    An image without a size of its own takes ``image_size``, else, when it is a frame of
    the dataset's video (no ``image_path``), the video's frame size (``video_width`` /
    ``video_height``), as the YOLO and Label Studio writers take it.
    """
    n = ds.sizes[model.TIME]
    video_size = video_frame_size(ds) if image_size is None else None
    video_frames = (
        np.asarray(ds[labels.IMAGE_PATH].values).astype(str) == ""
        if labels.IMAGE_PATH in ds.coords
        else np.ones(n, dtype=bool)
    )
    sizes = []
    for name, axis in (("image_width", 0), ("image_height", 1)):
        values = (
            np.asarray(ds[name].values, dtype=np.int64)
            if name in ds.coords
            else np.full(n, -1, dtype=np.int64)
        )
        if image_size is not None:
            values = np.where(values < 0, int(image_size[axis]), values)
        elif video_size is not None:  # frames of the dataset's video: its frame size
            values = np.where((values <= 0) & video_frames, int(video_size[axis]), values)
        sizes.append(values)
    width, height = sizes
    size = pc.if_else(
        pa.array((width >= 0) & (height >= 0)),
        join(',"width":', integers(width), ',"height":', integers(height)),
        pa.scalar("", pa.large_string()),
    )
    return join(
        comma_before(n), '{"id":', image_ids,
        ',"file_name":', json_strings(_file_names(ds)), size, "}",
    )  # fmt: skip


def _category_records(ds: xr.Dataset, table: dict[int, str], default: str) -> list[dict[str, Any]]:
    names = _names_of(ds)

    def numbered(pairs: Any) -> list[list[int]]:  # keypoint-name pairs -> COCO's indices
        index = pd.Index(names).get_indexer(np.asarray(pairs, dtype=str).ravel()).reshape(-1, 2)
        return (index[(index >= 0).all(axis=1)] + 1).tolist()  # COCO counts from 1

    skeleton: list[list[int]] = []
    if "skeleton_edges" in ds:
        skeleton = numbered(np.asarray(ds["skeleton_edges"].values).astype(str))
    if not table:
        table = {1: default}
    # the categories the file was read with: those without an annotation too, and their
    # supercategories; the instances' own names win
    read = {int(c["id"]): c for c in categories_from_attr(ds.attrs.get(CATEGORIES_ATTR))}
    order = [*read, *sorted(set(table) - set(read))] if read else sorted(table)
    records = []
    for cid in order:
        name = table.get(cid) or str(read[cid]["name"]) or f"category_{cid}"
        record: dict[str, Any] = {"id": cid, "name": name}
        if cid not in read:
            record["supercategory"] = name
        elif read[cid]["supercategory"] is not None:  # none in the file read: none again
            record["supercategory"] = read[cid]["supercategory"]
        own = read[cid]["skeleton"] if cid in read else None  # the category's own, as read
        records.append(
            {**record, "keypoints": names, "skeleton": skeleton if own is None else numbered(own)}
        )
    return records


# --------------------------------------------------------------------------
# results


def _warn_keypoint_names_not_held(ds: xr.Dataset, path: Path) -> None:
    """Warn that a results file's keypoints read back as ``keypoint_<k>``.

    A result lists its keypoints in its category's order; the names are the ground
    truth's. The reader names them from ``ground_truth=`` or ``keypoint_names=``, else
    ``keypoint_<k>``: names other than those are said to need one of them.
    """
    names = _names_of(ds)
    read_back = keypoint_names_read_back(names)
    if read_back is None:
        return
    shown, numbered = read_back
    warning = UserWarning(
        f"{path}: a COCO results file holds no keypoint names (a result lists its points in "
        f"the order of its ground truth's category, which names them), so {shown} read back "
        f"as {numbered}. Read it with ground_truth= (the ground "
        "truth of these images) or keypoint_names=, or write ground truth "
        "(kind='ground_truth', without scores) to keep them."
    )
    wording = {
        "Read it with ground_truth= (the ground truth of these images) or keypoint_names=": (
            "Read it with --read-option ground_truth=FILE (the ground truth of these images) "
            'or --read-option \'keypoint_names=["nose", "tail", ...]\' (a JSON list)'
        ),
        "(kind='ground_truth', without scores)": "(--option kind=ground_truth, without scores)",
    }
    warnings.warn(with_command_line_wording(warning, wording), stacklevel=user_stacklevel())


def _results(
    ds: xr.Dataset, path: Path, truth: tuple[Path, GroundTruth] | None
) -> tuple[tuple[str | pa.LargeStringArray, ...], np.ndarray]:
    """The results file's text (one text per prediction, in a list), and each
    prediction's individual (its index).

    A placed keypoint without a confidence (labels, or poses of a format
    without scores) is given 1, as its instance's score without one, with a
    warning: a result's third number is a score from 0 to 1 (a visibility flag
    2 read back as confidence 2).
    """
    xy, finite = _points(ds)
    confidence = np.asarray(
        model.confidence_per_keypoint(ds).transpose(*_DIMS).values, dtype=np.float64
    )
    present = finite.any(axis=2)
    rows, cols = np.nonzero(present)
    image_ids = _image_id_texts(ds, truth, present.any(axis=1))
    empty = ~present.any(axis=1)
    if empty.any() and present.any():
        warnings.warn(
            f"{path}: {int(empty.sum())} of {empty.size} frames have no placed keypoint and "
            "are not written (a results file lists detections only): read back, time counts "
            "the images with a detection; image_id keeps each one's id.",
            UserWarning,
            stacklevel=user_stacklevel(),
        )
    if truth is None:
        category_ids, _ = _categories(ds, rows, cols, "animal")
    else:
        category_ids = _ground_truth_category_ids(ds, rows, cols, truth)
    conf = confidence[rows, cols]
    fin = finite[rows, cols]
    # a missing point is (0, 0, 0), as COCO writes an unlabelled one; the reader agrees
    unscored = fin & ~np.isfinite(conf)
    if unscored.any():
        unscored_warning = UserWarning(
            f"{path}: {int(unscored.sum())} placed keypoints have no confidence, which a COCO "
            "result needs: written with score 1 (read back as confidence 1), as are their "
            "instances' scores when they have none. Write labels as ground truth "
            "(kind='ground_truth') to keep them without scores."
        )
        warnings.warn(
            with_command_line_wording(unscored_warning, _KIND_FLAGS),
            stacklevel=user_stacklevel(),
        )
    third = np.where(fin, np.where(np.isfinite(conf), conf, 1.0), 0.0)
    points = np.where(fin[..., None], xy[rows, cols], 0.0)
    scores = np.full(rows.size, np.nan)
    score_grid = _grid(ds, "instance_score")
    if score_grid is not None:
        scores = np.asarray(score_grid[rows, cols], dtype=np.float64)
    usable = fin & np.isfinite(conf)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(usable, conf, 0.0).sum(axis=1) / usable.sum(axis=1)
    scores = np.where(np.isfinite(scores), scores, np.where(np.isfinite(mean), mean, 1.0))
    keypoints = np.concatenate([points, third[..., None]], axis=-1).reshape(rows.size, -1)
    box_text = pa.array(np.full(rows.size, ""), pa.large_string())
    if "bbox" in ds:
        box = box_extras(ds).transpose(0, 2, 1)[rows, cols]
        box_text = pc.if_else(
            pa.array(np.isfinite(box).all(axis=1)),
            join(',"bbox":', number_lists(box)),
            pa.scalar("", pa.large_string()),
        )
    results = join(
        comma_before(rows.size),
        '{"image_id":', image_ids.take(pa.array(rows)),
        ',"category_id":', integers(category_ids),
        ',"keypoints":', number_lists(keypoints),
        ',"score":', numbers(scores),
        box_text, *_identity_texts(ds, cols), "}",
    )  # fmt: skip
    return ("[", results, "]"), cols
