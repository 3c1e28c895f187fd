"""Writing poses as Ultralytics YOLO pose predictions: one ``save_txt`` file per frame."""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import numpy as np
import xarray as xr

from posebridge import model
from posebridge._outputs import atomic_outputs, check_outputs
from posebridge.errors import (
    FileExistsError,
    SchemaError,
    user_stacklevel,
    with_command_line_wording,
)
from posebridge.formats._shared.guards import (
    refuse_empty,
    refuse_no_points,
    refuse_not_2d,
    refuse_physical_units,
)
from posebridge.formats._shared.images import (
    IMAGE_SIZE_ADVICE,
    WRITE_IMAGE_SIZE_FLAG,
    box_extras,
    checked_image_size,
)
from posebridge.formats._shared.individual_names import warn_individual_names_not_kept
from posebridge.formats._shared.not_kept import (
    keypoint_names_read_back,
    warn_individuals_not_written,
    warn_keypoint_variables_dropped,
    warn_lone_coordinates,
    warn_times_not_kept,
    warn_variables_not_written,
)
from posebridge.formats._shared.track_ids import individual_track_ids
from posebridge.formats._shared.track_order import warn_order_read_back
from posebridge.formats.yolo._label_text import format_lines
from posebridge.formats.yolo.prediction_files import FRAME_FILE

__all__ = ["write"]

_TITLE = "YOLO pose predictions"
#: What a point holds, for the warning naming the per-keypoint variables it has no place for.
_POINT_HOLDS = "x, y and one score, the confidence"


def write(
    ds: xr.Dataset,
    path: Path,
    *,
    overwrite: bool = False,
    image_size: tuple[int, int] | None = None,
    track_ids: bool = True,
) -> list[Path]:
    """Write poses as Ultralytics ``save_txt`` predictions: ``<stem>_<frame + 1>.txt`` files.

    Parameters
    ----------
    ds
        A 2D poses dataset with frame numbers.
    path
        ``<labels folder>/<stem>.txt``: names the files (``<stem>_1.txt`` is frame 0);
        this file itself is not written.
    overwrite
        Replace existing files.
    image_size
        (width, height) of the video's frames, when the dataset holds none
        (``video_width`` / ``video_height``, ``image_width`` / ``image_height``).
    track_ids
        End each line with a track id, as ``yolo pose track`` does: the ``<n>`` of
        individuals named ``track_<n>``; other individuals are numbered on from the
        largest such ``n`` (from 1 when there is none), in their order. Individuals
        named ``untracked_<k>`` (lines without an id, as read) get no id in a frame
        where only they are (a track run's frame where the tracker found no track);
        in a frame with tracked individuals, whose lines all have an id, they are
        numbered on too, and everywhere when no line would have an id and every
        box confidence is a whole number (the reader would take it for the id).
        Without, no line has an id and the lines of a frame follow the
        individuals' order.

    Returns
    -------
    list of pathlib.Path
        The files written, one per frame with an instance, by frame.

    Raises
    ------
    SchemaError
        For a dataset that is not 2D, has no frame numbers or a negative one, or
        no image size; a ``confidence`` or ``instance_score`` outside 0..1 (what
        Ultralytics writes and its reader takes: probabilities); two individuals
        whose names give the same track id (``track_01`` and ``track_1``) or a
        track id of 2**53 and up.
    FileExistsError
        When a file exists (without ``overwrite``), or the folder holds
        ``<stem>_<N>.txt`` files of frames the dataset does not have (they would
        be read back as part of it).

    Examples
    --------
    >>> from posebridge.formats.yolo import predictions_write
    >>> predictions_write.write(ds, "labels/video.txt", image_size=(640, 480))  # doctest: +SKIP
    """
    path = Path(path)
    refuse_not_2d(ds, _TITLE, _TITLE, path)
    if not isinstance(track_ids, bool):
        raise SchemaError(f"track_ids must be True or False, got {track_ids!r}.")
    refuse_empty(ds, _TITLE, dims=(model.TIME, model.KEYPOINT, model.INDIVIDUAL))
    refuse_no_points(ds, _TITLE)
    refuse_physical_units(ds, _TITLE)
    frames = model.frame_numbers(ds)
    if frames is None or (frames < 0).any():
        raise SchemaError(
            f"{_TITLE} are named after frame numbers from 0 (<stem>_<frame + 1>.txt); "
            "this dataset has " + ("none." if frames is None else "a negative one.")
        )
    if np.unique(frames).size != frames.size:
        raise SchemaError(f"{_TITLE}: two time steps have the same frame number.")
    width, height = _size(ds, image_size)
    stem = path.name[: -len(path.suffix)] if path.suffix else path.name
    lines, rows, cols = _lines(ds, width, height, track_ids)
    written = np.unique(rows)
    targets = [path.parent / f"{stem}_{int(frames[t]) + 1}.txt" for t in written.tolist()]
    check_outputs(targets, overwrite)
    _refuse_strays(path.parent, stem, targets)
    text_of_row = _grouped(lines, rows)
    files = path.parent / f"{stem}_<frame + 1>.txt"  # the files, for the warnings
    warn_lone_coordinates(ds, files, _TITLE)
    # a file is named by its frame number: time in seconds is lost
    warn_times_not_kept(ds, files, "a YOLO pose predictions run")
    _warn_keypoint_names_not_held(ds, files)
    warn_keypoint_variables_dropped(ds, files, _TITLE, holds=_POINT_HOLDS)
    warn_variables_not_written(ds, files, _TITLE, kept=("category_id",))
    warn_individuals_not_written(
        ds,
        files,
        f"{_TITLE} hold a track only through its lines (one per instance with a point or a "
        "box, in its frame's file)",
    )
    if track_ids:  # read back by track id (without: untracked_<k>, names not kept, said)
        names = [str(n) for n in ds[model.INDIVIDUAL].values]
        ids = individual_track_ids(names, _TITLE)[0]
        written_individuals = np.zeros(len(names), dtype=bool)
        written_individuals[cols] = True
        warn_order_read_back(ds, files, "a YOLO pose predictions run", ids, written_individuals)
    warn_individual_names_not_kept(
        ds,
        files,
        holds=f"{_TITLE} (a line holds a class, a box and keypoints"
        + (", then a track id)" if track_ids else ": no identity with track_ids=False)"),
        read_back="track_<the id their lines end with>"
        if track_ids
        else "untracked_<k>, by their line's rank in each frame's file",
        names_read_back=_track_names(ds) if track_ids else None,
        identity=track_ids,
    )
    with atomic_outputs(targets, overwrite=overwrite) as temporaries:
        for temporary, text in zip(temporaries, text_of_row, strict=True):
            temporary.write_text(text, encoding="utf-8")
    return targets


def _warn_keypoint_names_not_held(ds: xr.Dataset, files: Path) -> None:
    """Warn that the keypoints read back as ``keypoint_<k>``: a line holds its points in
    the model's order, whose names are in the model's data.yaml, not in the files.

    Names the reader gives anyway (``keypoint_<k>``) are not warned of.
    """
    names = [str(name) for name in ds[model.KEYPOINT].values]
    read_back = keypoint_names_read_back(names)
    if read_back is None:
        return
    shown, numbered = read_back
    warning = UserWarning(
        f"{files}: {_TITLE} hold no keypoint names (a line lists its points in the order of "
        f"the model's data.yaml, which names them), so {shown} read back as {numbered}. "
        "Read them with keypoint_names= or dataset= (the model's data.yaml), or write YOLO "
        "pose labels (format 'yolo', whose data.yaml names them, without scores) to keep them."
    )
    wording = {
        "Read them with keypoint_names= or dataset= (the model's data.yaml)": (
            'Read them with --read-option \'keypoint_names=["nose", "tail", ...]\' (a JSON '
            "list) or --read-option dataset=PATH (the model's data.yaml)"
        ),
    }
    warnings.warn(with_command_line_wording(warning, wording), stacklevel=user_stacklevel())


def _track_names(ds: xr.Dataset) -> list[str]:
    """The name each individual reads back as when its lines end with a track id."""
    names = [str(n) for n in ds[model.INDIVIDUAL].values]
    return [f"track_{track}" for track in individual_track_ids(names, _TITLE)[0].tolist()]


def _size(ds: xr.Dataset, given: tuple[int, int] | None) -> tuple[float, float]:
    """The frame size: ``image_size=``, else the dataset's (one size for every frame)."""
    if given is not None:
        return checked_image_size(given)
    if "video_width" in ds.attrs and "video_height" in ds.attrs:
        return checked_image_size((ds.attrs["video_width"], ds.attrs["video_height"]))
    if "image_width" in ds.coords and "image_height" in ds.coords:
        pairs = np.unique(
            np.stack([ds["image_width"].values, ds["image_height"].values], axis=1), axis=0
        )
        if len(pairs) == 1 and (pairs > 0).all():
            return checked_image_size(tuple(int(v) for v in pairs[0]))
    refused = SchemaError(
        f"{_TITLE} are normalised by the frame size, which the dataset does not hold (one "
        f"size for all frames); {IMAGE_SIZE_ADVICE}."
    )
    raise with_command_line_wording(refused, {IMAGE_SIZE_ADVICE: WRITE_IMAGE_SIZE_FLAG})


def _refuse_outside_unit(values: np.ndarray, name: str) -> None:
    """Refuse confidences Ultralytics would not write (and its reader does not take)."""
    bad = (values < 0) | (values > 1)
    if bad.any():
        raise SchemaError(
            f"{_TITLE} hold confidences from 0 to 1 (Ultralytics' are probabilities), but "
            f"{name!r} holds values from {np.nanmin(values):g} to {np.nanmax(values):g} "
            f"({int(bad.sum())} outside 0..1); "
            f"scale it into 0..1 (e.g. ds[{name!r}] / ds[{name!r}].max()) or leave it out "
            f"(ds.drop_vars({name!r})) before writing."
        )


def _lines(
    ds: xr.Dataset, width: float, height: float, track_ids: bool
) -> tuple[list[str], np.ndarray, np.ndarray]:
    """One text line per instance (time, individual) with a point or a box, its time and
    its individual (indices)."""
    xy = ds["position"].transpose(model.TIME, model.INDIVIDUAL, model.KEYPOINT, model.SPACE)
    xy = np.asarray(xy.values, dtype=np.float64)
    conf = model.confidence_per_keypoint(ds).transpose(model.TIME, model.INDIVIDUAL, ...)
    conf = np.asarray(conf.values, dtype=np.float64)
    finite = np.isfinite(xy).all(axis=-1)
    boxes = box_extras(ds).transpose(0, 2, 1)  # (time, individual, 4)
    present = finite.any(axis=2) | np.isfinite(boxes).all(axis=2)
    rows, cols = np.nonzero(present)  # by time, then individual
    scale = np.asarray([width, height], dtype=np.float64)
    box = boxes[rows, cols]
    box = np.where(np.isfinite(box), box, 0.0)
    centre, extent = (box[:, :2] + box[:, 2:] / 2) / scale, box[:, 2:] / scale
    seen = finite[rows, cols]
    points = np.where(seen[..., None], xy[rows, cols] / scale, 0.0)
    # a missing point is 0 0 with a confidence below 0.5, as Ultralytics wrote one; one
    # without a confidence is 0 0 0 (Ultralytics' loader refuses a label file holding nan)
    point_conf = conf[rows, cols]
    point_conf = np.where(seen, point_conf, np.where(point_conf < 0.5, point_conf, 0.0))
    _refuse_outside_unit(point_conf, "confidence")
    classes = np.zeros(rows.size, dtype=np.int64)
    if "category_id" in ds:
        grid = np.asarray(ds["category_id"].transpose(model.TIME, model.INDIVIDUAL).values)
        classes = np.maximum(grid[rows, cols].astype(np.int64), 0)
    keypoints = np.concatenate([points, point_conf[..., None]], axis=-1)
    columns: list[np.ndarray] = [classes, *centre.T, *extent.T]
    columns += list(keypoints.reshape(rows.size, -1).T)
    score = None
    if "instance_score" in ds:
        score = ds["instance_score"].transpose(model.TIME, model.INDIVIDUAL).values
        score = np.asarray(score, dtype=np.float64)[rows, cols]
        _refuse_outside_unit(score, "instance_score")
        columns.append(score)
    no_id = None
    if track_ids:
        names = [str(n) for n in ds[model.INDIVIDUAL].values]
        ids, untracked, _ = individual_track_ids(names, _TITLE)
        # a frame's lines all have an id or none: untracked_<k> lose theirs where alone
        tracked_in = np.zeros(xy.shape[0], dtype=bool)
        tracked_in[rows[~untracked[cols]]] = True
        no_id = untracked[cols] & ~tracked_in[rows]
        if no_id.all() and score is not None and np.all(score == np.round(score)):
            no_id[:] = False  # a lone whole box confidence would read back as a track id
        columns.append(ids[cols])
    return format_lines(columns, no_id), rows, cols


def _grouped(lines: list[str], rows: np.ndarray) -> list[str]:
    """The text of each time step's file, in time order."""
    starts = np.flatnonzero(np.r_[True, rows[1:] != rows[:-1]])
    ends = np.r_[starts[1:], rows.size]
    return ["\n".join(lines[a:b]) + "\n" for a, b in zip(starts, ends, strict=True)]


def _refuse_strays(folder: Path, stem: str, targets: list[Path]) -> None:
    """Refuse a folder holding frame files of ``stem`` that this write does not replace."""
    if not folder.is_dir():
        return
    names = {t.name for t in targets}
    with os.scandir(folder) as entries:
        strays = sorted(
            e.name
            for e in entries
            if e.name not in names and (m := FRAME_FILE.match(e.name)) and m["stem"] == stem
        )
    if strays:
        raise FileExistsError(
            17,
            f"{folder / strays[0]}: {len(strays)} file(s) of other frames of {stem!r} are in "
            "this folder, and would be read back with what is written; write to another "
            "folder or stem, or remove them.",
            str(folder / strays[0]),
        )
