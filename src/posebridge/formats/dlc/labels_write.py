"""Labelled frames as the DeepLabCut table writer takes them: DeepLabCut's image names for
frames of a video (``labeled-data/<video file stem>/img<frame>.png``), image paths made
relative to the project, frames that one image name would not tell apart refused, and the
variables a ``CollectedData`` file does not hold taken out (:func:`prepare_labels`)."""

from __future__ import annotations

import posixpath
from collections.abc import Iterable

import numpy as np
import xarray as xr

from posebridge import model
from posebridge.errors import SchemaError
from posebridge.formats._shared.images import first_repeat
from posebridge.formats._shared.not_kept import (
    occluded_as_visible,
    warn_label_scores_dropped,
)
from posebridge.formats.dlc import column_plan, layout
from posebridge.model import labels


def _video_stem(video: str) -> str:
    name = posixpath.basename(video.rstrip("/")) or labels.UNKNOWN_VIDEO
    stem, dot, _ = name.rpartition(".")
    return stem if dot and stem else name


def image_names(ds: xr.Dataset) -> np.ndarray:
    """Every labelled frame's image path, DeepLabCut names for frames without one."""
    images = np.asarray(ds[labels.IMAGE_PATH].values).astype(object)
    missing = images == ""
    if not missing.any():
        return images.astype(str)
    videos = np.asarray(ds[labels.VIDEO].values).astype(str)
    frames = np.asarray(ds[labels.FRAME].values).astype(np.int64)
    _refuse_videos_of_one_stem(dict.fromkeys(videos[missing].tolist()))
    for video in dict.fromkeys(videos[missing].tolist()):  # a loop over videos
        rows = missing & (videos == video)
        numbers = frames[rows]
        if (numbers < 0).any():
            raise SchemaError(
                f"Video {video!r} has labelled frames with neither an image nor a frame "
                "number; DeepLabCut indexes labels by image."
            )
        width = len(str(int(numbers.max())))
        folder = f"labeled-data/{_video_stem(video)}/img"
        padded = np.char.zfill(numbers.astype(str), width)
        images[rows] = np.char.add(np.char.add(folder, padded), ".png")
    return images.astype(str)


def _refuse_videos_of_one_stem(videos: Iterable[str]) -> None:
    """Refuse frames of two videos of one file stem (``day1/session.mp4``,
    ``day2/session.mp4``): DeepLabCut names a video's frames after its stem
    (``labeled-data/session/img<frame>.png``), so both videos' frames would go into
    one folder and read back as one video's, whether or not their numbers meet.

    Examples
    --------
    >>> _refuse_videos_of_one_stem(["a/v.mp4", "./a/v.mp4", "b/w.mp4"])  # one video twice
    >>> _refuse_videos_of_one_stem(["day1/session.mp4", "day2/session.mp4"])
    Traceback (most recent call last):
    ...
    posebridge.errors.SchemaError: the videos 'day1/session.mp4' and 'day2/session.mp4' ...
    """
    by_stem: dict[str, str] = {}
    for video in videos:  # a loop over videos
        stem, path = _video_stem(video), posixpath.normpath(video.replace("\\", "/"))
        other = by_stem.setdefault(stem, video)
        if posixpath.normpath(other.replace("\\", "/")) != path:
            raise SchemaError(
                f"the videos {other!r} and {video!r} have one file stem, and DeepLabCut "
                f"names a video's frames after it (labeled-data/{stem}/img<frame>.png): their "
                "frames would be written into one folder and read back as one video's. "
                "Rename one of the videos, or give the rows their own image_path."
            )


def _refuse_shared_images(ds: xr.Dataset, paths: np.ndarray, title: str) -> None:
    """Refuse labelled frames that would be written under one image path.

    Two videos of one file stem in different folders (``day1/session.mp4``,
    ``day2/session.mp4``) give the same ``labeled-data/session/img<frame>.png``
    to their frames: the layout has one folder per video stem, so there is no
    other name to give them, and the file written would not read back.
    """
    rows = first_repeat(paths)
    if rows is None:
        return
    first, second = rows
    images = np.asarray(ds[labels.IMAGE_PATH].values).astype(str)
    videos = np.asarray(ds[labels.VIDEO].values).astype(str)
    frames = np.asarray(ds[labels.FRAME].values).astype(np.int64)

    def source(row: int) -> str:
        if images[row]:
            return f"the image {str(images[row])!r}"
        return f"frame {int(frames[row])} of the video {str(videos[row])!r}"

    fix = "give the rows image paths that differ from labeled-data/ on"
    if not images[first] and not images[second]:
        fix = (
            f"{title} names a video's frames after its file stem (labeled-data/<stem>/); "
            "rename one of the videos, or give the rows their own image_path"
        )
    raise SchemaError(
        f"rows {first} ({source(first)}) and {second} ({source(second)}) would both be "
        f"written as the image {str(paths[first])!r}, and {title} tells labelled frames by "
        f"image: {fix}."
    )


def project_relative(paths: np.ndarray) -> np.ndarray:
    """Absolute image paths inside a project's ``labeled-data`` folder, from there on.

    DeepLabCut reads image paths relative to its project folder; a path that
    was made absolute on the way (an NWB file written elsewhere, a SLEAP file)
    gets its project-relative form back. Other paths are returned as they are.

    Examples
    --------
    >>> paths = ["/p/labeled-data/v/img1.png", "C:/p/labeled-data/v/a.png", "/data/img2.png"]
    >>> project_relative(np.array(paths)).tolist()
    ['labeled-data/v/img1.png', 'labeled-data/v/a.png', '/data/img2.png']
    """
    text = np.asarray(paths).astype(str)
    if text.size == 0:
        return text
    absolute = column_plan.absolute_paths(text)
    _, found, rest = np.strings.rpartition(text, "/labeled-data/")
    inside = absolute & (found != "")
    return np.where(inside, np.strings.add("labeled-data/", rest), text)


def prepare_labels(ds: xr.Dataset, *, lightning_pose: bool, where: object) -> xr.Dataset:
    """A labels dataset as the DeepLabCut table writer takes it (see
    :mod:`posebridge.formats.dlc.write`).

    Points flagged labelled but not visible (``visible`` 1, COCO's v=1) are written with
    their positions, without the flag, with a warning naming ``where`` (the file
    written; :func:`~posebridge.formats._shared.not_kept.occluded_as_visible`).
    """
    warn_label_scores_dropped(ds, where, "LightningPose" if lightning_pose else "DeepLabCut")
    paths = project_relative(image_names(ds))
    _refuse_shared_images(ds, paths, "LightningPose" if lightning_pose else "DeepLabCut")
    out = ds.assign_coords({layout.IMAGE_PATH: (model.TIME, paths)})
    out = out.drop_vars(
        [
            n
            # SLEAP's per-point complete flags: no place in DLC or LightningPose (README)
            for n in (
                *labels.PREDICTED,
                labels.PREDICTED_TRACKING_SCORE,
                labels.COMPLETE,
                "confidence",
            )
            if n in out.variables
        ]
        + [n for n in (labels.VIDEO, labels.FRAME) if n in out.coords]
    )
    if not lightning_pose and labels.VISIBLE in out:
        out = occluded_as_visible(
            out, where, "DeepLabCut", "a point its labelled data holds is a visible label"
        )
        hidden = ~labels.point_flags(out)  # flag 0 (marked not visible): no point
        out["position"] = out["position"].where(
            xr.DataArray(~hidden, dims=(model.TIME, model.KEYPOINT, model.INDIVIDUAL))
        )
        out = out.drop_vars(labels.VISIBLE)
    style = out.attrs.get(layout.INDEX_STYLE)
    if lightning_pose:  # LightningPose reads one index column (index_col=0), whatever the source
        out.attrs[layout.INDEX_STYLE] = "path"
    elif style not in ("path", "levels"):
        out.attrs[layout.INDEX_STYLE] = "levels"
        # fewer than 3 parts, or absolute paths, cannot be levels: one column, quietly
        parts = np.char.count(paths, "/")
        if parts.size and (parts.min() < 2 or column_plan.absolute_paths(paths).any()):
            out.attrs[layout.INDEX_STYLE] = "path"
    return out
