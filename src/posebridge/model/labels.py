"""Labelled frames (training annotations) in the posebridge model.

A *labels dataset* holds hand-placed points on sparse frames, often from several
videos: DeepLabCut / LightningPose ``CollectedData``, SLEAP user instances, NWB
ndx-pose ``PoseTraining``. It is a poses dataset (``ds_type == "poses"``, the
usual ``position`` and ``confidence``) with:

- ``attrs["content"] == "labels"`` (predictions have no ``content`` attribute);
- ``time`` = 0..n-1 with ``time_unit == "frames"``: one step per labelled frame,
  in the source's order (a counter, not a frame number: validation renumbers it
  after a selection; ``fps`` never turns it into seconds, it only records the
  videos' frame rate);
- three coordinates along ``time`` saying where each labelled frame comes from:

  ``video`` (str)
      The video, as the source references it: a video file's path, or for
      images (DeepLabCut, SLEAP image sequences) the folder holding the image;
      when one folder holds several image sequences (SLEAP ``ImageVideo``
      entries with different lists of files), a file of that folder names
      each (SLEAP's name for an ``ImageVideo``: its first image), so they
      stay apart.
  ``frame`` (int64)
      The frame's number in that video; for images, the last run of digits in
      the image's name (DeepLabCut's frame extraction writes ``img0042.png``
      for frame 42); -1 when unknown.
  ``image_path`` (str)
      The image file of the frame, ``""`` when the source has none.

  Paths keep the source's text, relative or absolute, with one change: ``\\``
  separators (Windows) become ``/`` when read. (An NWB file's paths are relative
  to the .nwb; those posebridge rewrote to be so, from absolute paths or relative
  ones it found elsewhere, are read back as the absolute paths of those files.)
  Where relative paths are looked for (figures, NWB writing, frame export):
  :func:`search_folders`, with :func:`find_files`.
- ``position`` NaN where a point is not labelled; ``confidence`` NaN (labels have
  no score), unless the source gives one;
- optional ``visible`` (time, keypoint, individual) float: the labeller's flag
  of each point, present only when it says more than "NaN = not labelled":
  2 = labelled and visible, 1 = LightningPose's "present but not labelled",
  0 = marked not visible: its ``position`` is NaN (NaN = no point), even
  when the source keeps stale coordinates for it (SLEAP's ``visible=False``
  user points, NWB's ``node_visibility=False``, LightningPose's
  ``visible`` 0); the flag stays here and is written back (to .slp as
  ``visible=False``, ``complete=True``; to NWB as ``node_visibility=False``);
  NaN = no flag. Writers without a flag for 1 (SLEAP, NWB, DeepLabCut, Label
  Studio) write those points with their positions as visible ones, and warn;
- optional ``complete`` (time, keypoint, individual) float: SLEAP's per-point
  ``complete`` flag of user instances (1 = a person placed or confirmed the
  point, 0 = not, e.g. copied from a prediction and not adjusted; NaN where
  no instance), present only when some point's flag differs from what
  writers give by default (1 for a point placed or marked not visible, 0
  else); written back to .slp and sleap-io (other formats have no place for
  it);
- optional ``predicted_position`` (time, space, keypoint, individual),
  ``predicted_confidence`` (time, keypoint, individual) and ``predicted_score``
  (time, individual): SLEAP's prediction that each user instance was made
  from (``from_predicted``), NaN where none, with its tracking score in
  ``predicted_tracking_score`` (time, individual) when the file gives one;
  written back to .slp only.

Every row has one key: its ``image_path`` when set, else (``video``,
``frame``). No two rows may share a key: readers raise FormatError naming the
rows, writers SchemaError.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from posebridge.errors import SchemaError, expect_dataset, with_command_line_wording
from posebridge.model import build
from posebridge.model.frame_paths import (
    SOURCE_PARENTS,
    UNKNOWN_FRAME,
    find_files,
    image_frames,
    image_videos,
    normalise_paths,
    path_folders,
    search_folders,
)
from posebridge.model.names import FRAME, INDIVIDUAL, KEYPOINT, SPACE, TIME, VIEW
from posebridge.model.texts import decode_text, utf8_text, utf8_texts

# the paths and texts of labelled frames are the concern of frame_paths and texts;
# they are given here too, where the formats look for everything about labelled frames
__all__ = [
    "LABELS",
    "LABEL_WRITERS",
    "SOURCE_PARENTS",
    "UNKNOWN_FRAME",
    "VideoGroups",
    "as_poses",
    "check",
    "complete_variable",
    "decode_text",
    "describe",
    "find_files",
    "frame_counts",
    "from_numpy",
    "hidden_points",
    "hide_unseen",
    "image_frames",
    "image_videos",
    "is_labels",
    "normalise_paths",
    "occluded_points",
    "path_folders",
    "point_complete",
    "point_flags",
    "refuse",
    "search_folders",
    "utf8_text",
    "utf8_texts",
    "video_groups",
]

CONTENT = "content"
LABELS = "labels"
VIDEO = "video"
IMAGE_PATH = "image_path"
VISIBLE = "visible"
COMPLETE = "complete"
PREDICTED = ("predicted_position", "predicted_confidence", "predicted_score")
#: Optional beside :data:`PREDICTED`: the tracker's score of each of those predictions.
PREDICTED_TRACKING_SCORE = "predicted_tracking_score"
#: A labels dataset's project videos, as JSON text: their paths in the file's order, also
#: those without labelled frames (videos queued for inference). SLEAP's .slp and NWB's
#: PoseTraining (``source_videos``) read them into it and write them in its order, and
#: ``to_sleap_io`` gives them back so, as sleap-io does.
PROJECT_VIDEOS = "sleap_videos"
#: The facts SLEAP keeps of each video (shape, grayscale, backend ...), as JSON text: an
#: object keyed by the video's path (an image sequence's first image). Merged inputs keep
#: every input's (the first input's facts of a video shared win).
VIDEO_FACTS = "sleap_video_facts"
#: The file name SLEAP and NWB writers give a video whose path is unknown (``video == ""``);
#: their readers turn it back into ``""``.
UNKNOWN_VIDEO = "unknown_video.mp4"
#: ``visible`` flag of a labelled, visible point (LightningPose's and COCO's 2).
VISIBLE_FLAG = 2.0
_ROW_COORDS = (VIDEO, FRAME, IMAGE_PATH)
_SEPARATOR = "\x1f"  # joins video and frame in row keys (numpy drops trailing NULs)


def is_labels(ds: xr.Dataset) -> bool:
    """Whether ``ds`` holds labelled frames (``attrs["content"] == "labels"``).

    Examples
    --------
    >>> import numpy as np
    >>> from posebridge import labels
    >>> ds = labels.from_numpy(np.zeros((1, 2, 1, 1)), video=["v.mp4"], frame=[3])
    >>> labels.is_labels(ds)
    True
    """
    expect_dataset(ds)
    return ds.attrs.get(CONTENT) == LABELS


def from_numpy(
    position_array: np.ndarray,
    *,
    video: Sequence[str] | None = None,
    frame: Sequence[int] | None = None,
    image_path: Sequence[str] | None = None,
    confidence_array: np.ndarray | None = None,
    individual_names: Sequence[str] | None = None,
    keypoint_names: Sequence[str] | None = None,
    visible: np.ndarray | None = None,
    source_software: str | None = None,
) -> xr.Dataset:
    """Build a labels dataset from numpy arrays.

    Parameters
    ----------
    position_array
        Shape (n_labelled_frames, n_space, n_keypoints, n_individuals).
    video, frame, image_path
        Per labelled frame: the video, the frame number in it, the image. Give
        ``video`` and ``frame``, or ``image_path`` (``""`` for a row without an
        image): a row's image sets its video and frame (its folder, the digits
        of its name), unless its ``video`` is a file of that folder, which
        names one of several image sequences there.
    confidence_array, individual_names, keypoint_names, source_software
        As :func:`posebridge.from_numpy`.
    visible
        Optional (n_labelled_frames, n_keypoints, n_individuals) flags, see
        the module's description.

    Returns
    -------
    xarray.Dataset
        A valid labels dataset.

    Examples
    --------
    >>> import numpy as np
    >>> from posebridge import labels
    >>> ds = labels.from_numpy(np.zeros((2, 2, 3, 1)), image_path=["v/img01.png", "v/img07.png"])
    >>> ds.frame.values.tolist(), ds.video.values.tolist()
    ([1, 7], ['v', 'v'])
    """
    ds = build.from_numpy(
        position_array,
        confidence_array,
        individual_names=individual_names,
        keypoint_names=keypoint_names,
        source_software=source_software,
    )
    n = ds.sizes[TIME]
    coords: dict[str, Any] = {}
    for name, values in ((VIDEO, video), (FRAME, frame), (IMAGE_PATH, image_path)):
        if values is not None:
            array = np.asarray(values)
            if array.shape != (n,):
                raise SchemaError(
                    f"Expected '{name}' to have length {n}, got shape {array.shape}."
                )
            if array.dtype == object and pd.isna(array).any():  # None would become "nan"
                raise SchemaError(f"'{name}' holds None or NaN; give every row a value.")
            coords[name] = (TIME, array)
    ds = ds.assign_coords(coords)
    if visible is not None:
        flags = np.asarray(visible)
        shape = (n, ds.sizes[KEYPOINT], ds.sizes[INDIVIDUAL])
        if flags.shape != shape or flags.dtype.kind not in "iuf":
            raise SchemaError(
                f"Expected 'visible' to be numbers of shape {shape} (time, keypoint, "
                f"individual), got {flags.dtype} of shape {flags.shape}."
            )
        ds[VISIBLE] = ((TIME, KEYPOINT, INDIVIDUAL), flags.astype(np.float64))
    ds.attrs[CONTENT] = LABELS
    return check(ds)


def check(ds: xr.Dataset) -> xr.Dataset:
    """Check and complete the labels coordinates (called by ``model.validate``).

    ``image_path`` defaults to ``""``; the ``video`` and ``frame`` of a row
    with an image follow from the image (its folder, the digits of its name;
    a ``video`` that is a file of the image's folder names an image sequence
    of that folder and is kept);
    ``\\`` separators become ``/``; ``frame`` is int64; ``time`` is 0..n-1.
    Raises SchemaError for a row without a video or image, a frame below -1,
    or two rows with one key.
    """
    expect_dataset(ds)
    n = ds.sizes[TIME]
    for name in _ROW_COORDS:
        if name in ds.coords and ds[name].dims != (TIME,):
            raise SchemaError(f"The labels coordinate '{name}' must have dims (time,).")
    images = (
        normalise_paths(ds[IMAGE_PATH].values)
        if IMAGE_PATH in ds.coords
        else np.full(n, "", dtype=str)
    )
    has_image = images != ""
    if VIDEO in ds.coords:
        videos = normalise_paths(np.asarray(ds[VIDEO].values).astype(str))
        folders = image_videos(images)
        # an image's video is its folder, unless a file of that folder names it: one of
        # several image sequences in the folder (a SLEAP ImageVideo, named by its first image)
        named = has_image & (videos != "") & (image_videos(videos) == folders)
        videos = np.where(has_image & ~named, folders, videos)
    elif has_image.all():
        videos = image_videos(images)
    else:
        raise SchemaError(
            "A labels dataset needs a 'video' coordinate (the video of each labelled "
            "frame) or an 'image_path' for every row."
        )
    videos = normalise_paths(videos)
    if FRAME in ds.coords:
        values = np.asarray(ds[FRAME].values)
        if values.dtype.kind not in "iuf" or not build.whole_numbers(values).all():
            raise SchemaError(
                f"The 'frame' coordinate must hold whole numbers (below 2**53), got "
                f"{values.dtype}."
            )
        frames = np.where(has_image, image_frames(images), values.astype(np.int64))
    else:
        frames = np.where(has_image, image_frames(images), UNKNOWN_FRAME).astype(np.int64)
    if frames.size and frames.min() < UNKNOWN_FRAME:
        raise SchemaError(f"Frame numbers must be >= 0 (or -1 for unknown), got {frames.min()}.")
    out = ds.assign_coords(
        {
            TIME: np.arange(n, dtype=np.int64),
            VIDEO: (TIME, videos),
            FRAME: (TIME, frames),
            IMAGE_PATH: (TIME, images),
        }
    )
    out.attrs[CONTENT] = LABELS
    out.attrs["time_unit"] = "frames"
    duplicated = _duplicates(out)
    if duplicated:
        raise SchemaError(
            f"Several labelled frames share a key: {duplicated}. Each image (or video "
            "and frame) may be labelled once; merge or drop the repeated rows."
        )
    return out


def row_keys(ds: xr.Dataset) -> np.ndarray:
    """One key per labelled frame: the image path, else ``video`` + U+001F + frame."""
    images = np.asarray(ds[IMAGE_PATH].values).astype(str)
    if images.size and (images != "").all():  # no row keyed by its video and frame
        return images
    videos = np.asarray(ds[VIDEO].values).astype(str)
    frames = np.asarray(ds[FRAME].values).astype(np.int64).astype(str)
    by_video = np.char.add(np.char.add(videos, _SEPARATOR), frames)
    return np.where(images != "", images, by_video)


def _duplicates(ds: xr.Dataset, limit: int = 3) -> str:
    keys = row_keys(ds)
    repeated = pd.Index(keys, dtype=object).duplicated(keep=False)  # object: any str
    if not repeated.any():
        return ""
    rows = np.flatnonzero(repeated)
    texts = []
    for key in list(dict.fromkeys(keys[rows].tolist()))[:limit]:
        at = np.flatnonzero(keys == key).tolist()
        texts.append(f"rows {at} ({key.replace(_SEPARATOR, ' frame ')})")
    return "; ".join(texts)


#: The formats that write labelled frames (registry name: title), in the registry's order;
#: the model imports no format, so tests/model/test_labels.py checks this against the
#: registry.
LABEL_WRITERS = {
    "dlc": "DeepLabCut",
    "lp": "LightningPose",
    "slp": "SLEAP .slp",
    "nwb": "NWB PoseTraining",
    "netcdf": "netCDF",
    "coco": "COCO keypoints",
    "yolo": "YOLO pose",
    "labelstudio": "Label Studio",
}


def refuse(ds: xr.Dataset, what: str) -> None:
    """Raise SchemaError when ``ds`` holds labelled frames that ``what`` cannot store.

    Examples
    --------
    >>> import numpy as np
    >>> from posebridge import labels
    >>> refuse(labels.from_numpy(np.zeros((1, 2, 1, 1)), video=["v"], frame=[0]), "X")
    Traceback (most recent call last):
    ...
    posebridge.errors.SchemaError: ...
    """
    expect_dataset(ds)
    if is_labels(ds):
        writers = [f"{title} ({name!r})" for name, title in LABEL_WRITERS.items()]
        flags = [f"{title} (--to {name})" for name, title in LABEL_WRITERS.items()]
        listed = ", ".join(writers[:-1]) + f" or {writers[-1]}"
        listed_flags = ", ".join(flags[:-1]) + f" or {flags[-1]}"
        in_python = (
            f"labelled frames (attrs['content'] == 'labels'). Write it as {listed}, or turn "
            "the frames of one video into a predictions dataset with "
            "posebridge.labels.as_poses(ds, video=...)."
        )
        refused = SchemaError(
            f"{what} files hold predictions along a video's frames, and this dataset holds "
            f"{in_python}"
        )
        # the command line cannot turn labels into predictions: it names the writers
        wording = {
            in_python: (
                f"labelled frames. Write it as {listed_flags}; turning the frames of one "
                "video into predictions takes Python: "
                "posebridge.labels.as_poses(ds, video=...)."
            )
        }
        raise with_command_line_wording(refused, wording)


@dataclass
class VideoGroups:
    """The videos of a labels dataset, as writers lay them out.

    Attributes
    ----------
    names
        The ``video`` values, in order of first appearance.
    of_row
        Per labelled frame, its video's position in ``names``.
    images
        Per video, its images in order of first appearance, or ``None`` for a
        video file (whose rows have no image).
    index
        Per labelled frame, its frame number (video files) or its image's
        position in ``images`` (image videos).
    """

    names: list[str]
    of_row: np.ndarray
    images: list[list[str] | None]
    index: np.ndarray


def video_groups(ds: xr.Dataset) -> VideoGroups:
    """Group the labelled frames by video (see :class:`VideoGroups`).

    Raises
    ------
    SchemaError
        When a video mixes rows with and without images, or a video file's
        frame number is unknown (-1).
    """
    expect_dataset(ds)
    videos = np.asarray(ds[VIDEO].values).astype(str)
    images = np.asarray(ds[IMAGE_PATH].values).astype(str)
    frames = np.asarray(ds[FRAME].values).astype(np.int64)
    codes, names = pd.factorize(videos, sort=False)
    codes = np.asarray(codes, dtype=np.int64)
    index = frames.copy()
    per_video: list[list[str] | None] = []
    for k, name in enumerate(names.tolist()):
        rows = np.flatnonzero(codes == k)
        has = images[rows] != ""
        if has.all():
            positions, unique = pd.factorize(images[rows], sort=False)
            index[rows] = positions
            per_video.append([str(v) for v in unique])
            continue
        if has.any():
            raise SchemaError(
                f"The labelled frames of video {name!r} mix rows with an image_path and rows "
                "without; give every row of a video an image, or none."
            )
        if (frames[rows] < 0).any():
            raise SchemaError(
                f"Video {name!r} has labelled frames of unknown frame number (-1) and no "
                "image path, so they cannot be located in the video."
            )
        per_video.append(None)
    return VideoGroups([str(n) for n in names.tolist()], codes, per_video, index)


def point_flags(ds: xr.Dataset) -> np.ndarray:
    """(time, keypoint, individual[, view]) booleans: the point is labelled and visible.

    A point is when a coordinate of it is finite (a point with one NaN
    coordinate keeps the other, as SLEAP files do) and its ``visible`` flag (if
    any) is not below 2. A dataset with camera views (a ``view`` dim) has flags
    per view, in a last axis.

    Examples
    --------
    >>> flags = np.array([[[2], [0]]])  # (time, keypoint, individual)
    >>> ds = from_numpy(np.ones((1, 2, 2, 1)), image_path=["a.png"], visible=flags)
    >>> point_flags(ds)[0, :, 0].tolist()
    [True, False]
    """
    expect_dataset(ds)
    order = (TIME, KEYPOINT, INDIVIDUAL, ...)
    flags = np.isfinite(ds["position"]).any(SPACE)  # dims matched by name, views too
    if VISIBLE in ds:
        flags = flags & ~(ds[VISIBLE].astype(np.float64) < VISIBLE_FLAG)
    return np.asarray(flags.transpose(*order).values)


def frame_counts(ds: xr.Dataset) -> tuple[np.ndarray, np.ndarray]:
    """Per labelled frame: its labelled points, and its individuals with a point.

    Points are counted in every camera view of the frame; an individual is
    counted once however many views show it.

    Examples
    --------
    >>> ds = from_numpy(np.ones((2, 2, 3, 2)), image_path=["a.png", "b.png"])
    >>> points, instances = frame_counts(ds)
    >>> points.tolist(), instances.tolist()
    ([6, 6], [2, 2])
    """
    flags = point_flags(ds)
    points = flags.reshape(flags.shape[0], -1).sum(axis=1)
    seen = flags.any(axis=1)  # (time, individual[, view])
    instances = seen.reshape(*seen.shape[:2], -1).any(axis=2).sum(axis=1)
    return points, instances


def occluded_points(ds: xr.Dataset) -> int:
    """How many points have coordinates but a ``visible`` flag below 2 (COCO's v=1).

    Formats without a not-visible flag (Label Studio) warn with this count when
    they write them.

    Examples
    --------
    >>> import numpy as np
    >>> flags = np.array([[[1], [2]]])  # (time, keypoint, individual)
    >>> ds = from_numpy(np.ones((1, 2, 2, 1)), image_path=["a.png"], visible=flags)
    >>> occluded_points(ds)
    1
    """
    if VISIBLE not in ds:
        return 0
    finite = np.isfinite(ds["position"]).any(SPACE)
    return int((finite.transpose(TIME, KEYPOINT, INDIVIDUAL, ...).values & ~point_flags(ds)).sum())


def visible_from_flags(flags: np.ndarray, finite: np.ndarray) -> np.ndarray | None:
    """The ``visible`` variable for a source's per-point flags, or ``None`` if redundant.

    Redundant when every flagged point has coordinates and every point with
    coordinates is flagged (the flags then say only "NaN = not labelled").
    """
    if np.array_equal(flags & finite, finite):
        return None
    return np.where(flags & finite, VISIBLE_FLAG, 0.0)


def hide_unseen(
    position: np.ndarray, flags: np.ndarray, marked: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray | None]:
    """NaN where a source marks a point not visible, and the ``visible`` variable.

    Parameters
    ----------
    position
        (time, space, keypoint, individual) coordinates as the source stores
        them (a point marked not visible may keep stale coordinates).
    flags
        (time, keypoint, individual) booleans: the source's "visible" flag.
    marked
        (time, keypoint, individual) booleans: points the source marks as
        placed even without coordinates (SLEAP's ``complete``); by default a
        point is marked when it has coordinates.

    Returns
    -------
    tuple
        ``position`` with NaN at every point not visible, and ``visible``
        (2 = visible, 0 = marked not visible, NaN = no point), or ``None``
        when no point is marked not visible (the flags then only say
        "NaN = not labelled").

    Examples
    --------
    >>> position = np.array([[[[1.0, 2.0]], [[3.0, 4.0]]]]).transpose(0, 1, 3, 2)
    >>> flags = np.array([[[True], [False]]])
    >>> pos, visible = hide_unseen(position, flags)
    >>> pos[0, :, :, 0].tolist(), visible[0, :, 0].tolist()
    ([[1.0, nan], [3.0, nan]], [2.0, 0.0])
    """
    finite = np.isfinite(position).any(axis=1)  # a point: a finite coordinate
    hidden = ~flags & (finite if marked is None else (finite | marked))
    if not hidden.any():
        return position, None
    visible = np.where(flags & finite, VISIBLE_FLAG, np.where(hidden, 0.0, np.nan))
    stale = hidden & finite
    if stale.any():
        position = np.where(stale[:, None], np.nan, position)
    return position, visible


def complete_variable(
    complete: np.ndarray, present: np.ndarray, default: np.ndarray
) -> np.ndarray | None:
    """The ``complete`` variable of a source's per-point flags, or ``None`` when it says
    nothing beyond the default (:func:`point_complete`).

    Parameters
    ----------
    complete
        (time, keypoint, individual) booleans: the source's ``complete`` flags.
    present
        (time, keypoint, individual) booleans: the points of an instance.
    default
        (time, keypoint, individual) booleans: what a writer gives without the
        variable (a point placed or marked not visible).

    Returns
    -------
    numpy.ndarray or None
        float 1 / 0 at the points of an instance, NaN elsewhere.

    Examples
    --------
    >>> present = np.ones((1, 2, 1), dtype=bool)
    >>> default = np.array([[[True], [False]]])
    >>> complete_variable(default, present, default) is None
    True
    >>> complete_variable(~default, present, default)[0, :, 0].tolist()
    [0.0, 1.0]
    """
    if not (present & (complete != default)).any():
        return None
    return np.where(present, complete.astype(np.float64), np.nan)


def point_complete(ds: xr.Dataset) -> np.ndarray:
    """(time, keypoint, individual) booleans: SLEAP's ``complete`` flag of each point.

    The ``complete`` variable where it is set, else a point is complete when it
    is placed or marked not visible (as SLEAP's GUI marks a user instance's points).

    Examples
    --------
    >>> ds = from_numpy(np.ones((1, 2, 2, 1)), image_path=["a.png"])
    >>> point_complete(ds)[0, :, 0].tolist()
    [True, True]
    >>> ds[COMPLETE] = ((TIME, KEYPOINT, INDIVIDUAL), np.array([[[0.0], [np.nan]]]))
    >>> point_complete(ds)[0, :, 0].tolist()
    [False, True]
    """
    default = point_flags(ds) | hidden_points(ds)
    if COMPLETE not in ds:
        return default
    values = np.asarray(
        ds[COMPLETE].transpose(TIME, KEYPOINT, INDIVIDUAL).values, dtype=np.float64
    )
    return np.where(np.isnan(values), default, values > 0)


def hidden_points(ds: xr.Dataset) -> np.ndarray:
    """(time, keypoint, individual) booleans: points marked not visible (``visible`` 0)."""
    if VISIBLE not in ds:
        shape = np.isfinite(ds["position"]).any(SPACE).transpose(TIME, KEYPOINT, INDIVIDUAL, ...)
        return np.zeros(shape.shape, dtype=bool)
    values = ds[VISIBLE].transpose(TIME, KEYPOINT, INDIVIDUAL, ...).values
    return np.asarray(values, dtype=np.float64) == 0


def _videos_in_project_order(ds: xr.Dataset, labelled: list[str]) -> list[str]:
    """The videos ``video=`` counts: the project's (:data:`PROJECT_VIDEOS`, each once)
    when they hold every video of the labelled frames (``labelled``), else those."""
    try:
        listed = json.loads(ds.attrs.get(PROJECT_VIDEOS) or "null")
    except (TypeError, ValueError):  # not JSON text: the labelled frames' own videos
        return labelled
    if not isinstance(listed, list) or not all(isinstance(name, str) for name in listed):
        return labelled
    if len(set(listed)) != len(listed) or not set(labelled) <= set(listed):
        return labelled
    return listed


def as_poses(ds: xr.Dataset, video: str | int | None = None) -> xr.Dataset:
    """The labelled frames of one video as a predictions-style dataset.

    ``time`` becomes the frame numbers; the video's path goes to
    ``attrs["video_path"]``; images stay in ``image_path``.

    Parameters
    ----------
    ds
        A labels dataset.
    video
        The video (its ``video`` value or position among the videos); needed
        when there are several. Positions count the project's videos in their
        order (``attrs["sleap_videos"]``, :data:`PROJECT_VIDEOS`, as
        ``posebridge.load(slp, video=k)`` and ``from_sleap_io`` count them) when
        that lists every video of the labelled frames, else the videos of the
        labelled frames in order of appearance. A listed video without
        labelled frames (by position or name) gives a poses dataset of no
        frames, as ``load(slp, video=k)`` gives a labels dataset of none.
        Left out, the one video with labelled frames.

    Returns
    -------
    xarray.Dataset
        A poses dataset that any writer takes.

    Raises
    ------
    SchemaError
        For a dataset that is not labels, a ``video`` it does not hold (or one
        needed and not given), or frames without distinct frame numbers.

    Examples
    --------
    >>> import numpy as np
    >>> from posebridge import labels
    >>> ds = labels.from_numpy(np.zeros((2, 2, 1, 1)), video=["v.mp4"] * 2, frame=[9, 4])
    >>> labels.as_poses(ds).time.values.tolist()
    [4, 9]
    >>> ds.attrs["sleap_videos"] = '["u.mp4", "v.mp4"]'  # u.mp4: no labelled frame
    >>> (
    ...     labels.as_poses(ds, video=1).attrs["video_path"],
    ...     labels.as_poses(ds, video=0).sizes["time"],
    ... )
    ('v.mp4', 0)
    """
    expect_dataset(ds)
    if not is_labels(ds):
        raise SchemaError("as_poses takes a labels dataset (attrs['content'] == 'labels').")
    ds = check(ds)  # a video, frame and image for every row (or the error naming what lacks)
    videos = np.asarray(ds[VIDEO].values).astype(str)
    labelled = pd.unique(videos).tolist()  # the videos of the labelled frames
    names = _videos_in_project_order(ds, labelled)
    if video is None:  # the one video with labelled frames
        if len(labelled) != 1:
            raise SchemaError(f"The dataset has {len(labelled)} videos ({labelled}); pass video=.")
        chosen = labelled[0]
    elif isinstance(video, int | np.integer) and not isinstance(video, bool):
        if not 0 <= int(video) < len(names):
            counted = "project videos" if names is not labelled else "videos"
            raise SchemaError(
                f"video={video} is out of range: the dataset has {len(names)} {counted} ({names})."
            )
        chosen = names[int(video)]
    elif str(video) in names:
        chosen = str(video)
    else:
        raise SchemaError(f"No video {video!r} in the dataset; its videos are {names}.")
    sub = ds.isel({TIME: np.flatnonzero(videos == chosen)})
    frames = np.asarray(sub[FRAME].values).astype(np.int64)
    if (frames < 0).any() or np.unique(frames).size != frames.size:
        raise SchemaError(
            f"The frames of video {chosen!r} need distinct known frame numbers to become "
            "a time axis."
        )
    order = np.argsort(frames, kind="stable")
    sub = sub.isel({TIME: order})
    drop = [name for name in (VIDEO, FRAME) if name in sub.coords]
    drop += [COMPLETE] if COMPLETE in sub else []  # SLEAP labels' flags: no poses keep them
    sub = sub.drop_vars(drop).assign_coords({TIME: frames[order]})
    if not (np.asarray(sub[IMAGE_PATH].values) != "").any():
        sub = sub.drop_vars(IMAGE_PATH)
    sub.attrs.pop(CONTENT, None)
    sub.attrs["video_path"] = chosen
    return sub


def describe(ds: xr.Dataset) -> list[tuple[str, str]]:
    """What ``posebridge info`` says about labelled frames: per video, per frame.

    Examples
    --------
    >>> import numpy as np
    >>> from posebridge import labels
    >>> ds = labels.from_numpy(np.ones((2, 2, 3, 1)), video=["a.mp4", "b.mp4"], frame=[0, 5])
    >>> dict(describe(ds))["labelled frames"]
    '2 in 2 videos'
    """
    expect_dataset(ds)
    if not is_labels(ds):
        raise SchemaError("describe takes a labels dataset (attrs['content'] == 'labels').")
    ds = check(ds)
    n = ds.sizes[TIME]
    videos = np.asarray(ds[VIDEO].values).astype(str)
    images = np.asarray(ds[IMAGE_PATH].values).astype(str)
    names, counts = np.unique(videos, return_counts=True)
    order = np.argsort([videos.tolist().index(v) for v in names.tolist()])
    rows = [("labelled frames", f"{n} in {len(names)} video{'s' * (len(names) != 1)}")]
    for name, count in zip(names[order], counts[order], strict=True):
        kind = "images" if (images[videos == name] != "").all() else "frames"
        rows.append(("  " + (name or "(unnamed video)"), f"{count} {kind}"))
    points, instances = frame_counts(ds)
    views = VIEW in ds.dims
    over = ", counted in every camera view" if views else ""
    once = ", each once however many camera views show it" if views else ""
    if n:
        rows.append(
            ("points per frame", f"{points.mean():.1f} on average (min {points.min()}, "
             f"max {points.max()}), {int(points.sum())} in all{over}")
        )  # fmt: skip
        rows.append(
            ("instances per frame", f"{instances.mean():.2f} on average (min "
             f"{instances.min()}, max {instances.max()}){once}")
        )  # fmt: skip
    return rows
