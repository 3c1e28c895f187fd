"""The still frame under a figure: a video's frame or a labelled frame's image, checked.

Which frame of which video a dataset's time step is (:func:`frame_in_video`),
whether a video is the poses' own (:func:`same_video`, its size
:func:`size_mismatch` and rate :func:`warn_of_another_rate`), a labelled frame's
image (:func:`label_image`), and the picture itself as RGB (:func:`background`).
What a figure shows of the poses is chosen in :mod:`._select`. No matplotlib here.
"""

from __future__ import annotations

import os
import posixpath
import warnings
from pathlib import Path, PurePosixPath

import numpy as np
import xarray as xr

from posebridge import _video, errors, model
from posebridge._option_values import expect_kind
from posebridge.errors import (
    PoseBridgeError,
    SchemaError,
    expect_path,
    user_stacklevel,
)
from posebridge.model import labels
from posebridge.plot._select import flat_only, named, timed_rows

__all__ = [
    "RATE_TOLERANCE",
    "background",
    "check_still",
    "dataset_video",
    "frame_in_video",
    "frames_past_video",
    "label_image",
    "rgb_still",
    "same_video",
    "size_mismatch",
    "still_images",
    "video_frames",
    "video_of_labels",
    "warn_of_another_rate",
    "warn_of_another_video",
]


def size_mismatch(ds: xr.Dataset, width: int, height: int, what: str) -> str | None:
    """Why a ``width`` x ``height`` frame is not the poses' video, or ``None`` when it may be.

    Compared with the dataset's ``video_width`` and ``video_height`` (the size
    of the video the poses were made on) when it has them. posebridge draws
    pixel coordinates as they are, so on a scaled, cropped or turned copy the
    poses would land in the wrong places.

    Examples
    --------
    >>> import xarray as xr
    >>> ds = xr.Dataset(attrs={"video_width": 640, "video_height": 480})
    >>> size_mismatch(ds, 640, 480, "v.mp4") is None
    True
    >>> size_mismatch(ds, 320, 240, "v.mp4")
    "v.mp4 is 320 x 240 pixels, but the poses' video was 640 x 480 (the dataset's ..."
    """
    wide, high = ds.attrs.get("video_width"), ds.attrs.get("video_height")
    if not wide or not high or (int(width), int(height)) == (int(wide), int(high)):
        return None
    source = ds.attrs.get("source_file")
    of = f" of {source}" if source else ""
    return (
        f"{what} is {width} x {height} pixels, but the poses' video was {wide} x {high} "
        f"(the dataset's video_width, video_height{of}): it is another video, or a scaled, "
        "cropped or turned copy, and the poses would be drawn in the wrong places. Give the "
        "video the poses were made from."
    )


def frames_past_video(
    ds: xr.Dataset, numbers: np.ndarray, n_frames: int, video: object
) -> str | None:
    """Why a video of ``n_frames`` frames is not the poses' video, or ``None`` when it may be.

    The poses' frame numbers (``numbers``, :func:`video_frames`) count frames of
    the video they were made from, so one past the video's last frame says that
    this video is another (or a shortened copy): the poses would be drawn on the
    wrong frames, or on none. :mod:`posebridge.render` refuses it; a figure over
    one of its frames refuses it or warns (:func:`background`). The message names
    the video and the dataset's file.

    Examples
    --------
    >>> import xarray as xr
    >>> ds = xr.Dataset(attrs={"source_file": "a.h5"})
    >>> frames_past_video(ds, np.array([0, 99]), 100, "v.mp4") is None
    True
    >>> frames_past_video(ds, np.array([0, 9999]), 100, "v.mp4")  # doctest: +ELLIPSIS
    'v.mp4: the video is shorter than the poses: it has 100 frames (0 to 99) and the poses ...'
    """
    if numbers.size == 0 or int(numbers.max()) < n_frames:
        return None
    source = ds.attrs.get("source_file")
    of = f" of {source}" if isinstance(source, str) and source else ""
    has = f"{n_frames} frames (0 to {n_frames - 1})" if n_frames else "no frames"
    return (
        f"{video}: the video is shorter than the poses: it has {has} and the poses{of} "
        f"reach frame {int(numbers.max())}. Is it the right video?"
    )


def video_frames(ds: xr.Dataset, name: str | None = None) -> np.ndarray | None:
    """The known video frame numbers of the poses, or ``None`` when their time has none.

    Predictions: :func:`posebridge.model.frame_numbers` of the time steps not at a
    NaN time. Labels: the labelled frames' ``frame`` (those of the video ``name``
    when given), leaving out unknown (-1) ones.

    Examples
    --------
    >>> from posebridge import labels
    >>> ds = labels.from_numpy(
    ...     np.zeros((3, 2, 1, 1)), video=["a.mp4", "b.mp4", "a.mp4"], frame=[20, 70, -1]
    ... )
    >>> video_frames(ds, "a.mp4").tolist()
    [20]
    """
    if labels.is_labels(ds):
        numbers = np.asarray(ds[model.FRAME].values).astype(np.int64)
        if name is not None:
            numbers = numbers[np.asarray(ds[labels.VIDEO].values).astype(str) == name]
        return numbers[numbers >= 0]
    known = timed_rows(ds)
    return model.frame_numbers(ds if known is None else ds.isel({model.TIME: known}))


def _check_length(
    ds: xr.Dataset, n_frames: int, video: object, row: int | None, refuse: bool
) -> None:
    """Refuse (``refuse``: the poses of one frame, drawn on it) or warn of (paths over a
    still of the scene) poses past the video's last frame; for labels, those of labelled
    frame ``row``'s video when given."""
    name = None
    if labels.is_labels(ds) and row is not None:
        name = str(ds[labels.VIDEO].values[row])
    try:
        numbers = video_frames(ds, name)
    except SchemaError:  # a frame number that is none: a still of the scene needs none
        if refuse:
            raise
        return
    why = None if numbers is None else frames_past_video(ds, numbers, n_frames, video)
    if why is None:
        return
    if refuse:
        raise PoseBridgeError(why)
    warnings.warn(
        f"{why} The paths are drawn over its frame anyway: a shortened copy of the poses' "
        "video shows their scene, but another video would not.",
        UserWarning,
        stacklevel=user_stacklevel(),
    )


def still_images(ds: xr.Dataset) -> np.ndarray:
    """Which labelled frames are still images rather than frames of a video.

    A labelled frame whose image has no video (``video == ""``: COCO, YOLO,
    photos labelled one by one) was never a frame of a video; its ``frame`` is
    the image's number, not a frame number. All ``False`` for predictions.
    """
    n = ds.sizes[model.TIME]
    if not labels.is_labels(ds) or labels.VIDEO not in ds.coords:
        return np.zeros(n, dtype=bool)
    return np.asarray(ds[labels.VIDEO].values).astype(str) == ""


def check_still(
    video: object = None, frame: object = None, image: object = None, *, from_zero: bool = True
) -> None:
    """Refuse a ``video``, ``frame`` or ``image`` of the wrong kind, before anything is read.

    ``image`` is an RGB(A) or grey array, or an image file; ``frame`` a whole
    number (a flag is not a frame number), from 0 when ``from_zero`` (``skeleton``
    matches its frame to the data's frame numbers and says itself when none is).

    Examples
    --------
    >>> check_still(frame="a")
    Traceback (most recent call last):
    ...
    posebridge.errors.TypeError: frame must be int | None, got 'a' (str).
    """
    if video is not None:
        expect_path(video, "video")
    expect_kind(frame, int | None, "frame")
    if from_zero and frame is not None and int(frame) < 0:  # type: ignore[call-overload]
        raise PoseBridgeError(f"frame must be a video frame number from 0, got {frame}.")
    if image is None:
        return
    if not isinstance(image, np.ndarray):
        if not isinstance(image, str | os.PathLike):
            raise errors.TypeError(
                "image must be an RGB array or an image file (str or os.PathLike), "
                f"got {type(image).__name__}."
            )
        return
    channels = image.shape[2] if image.ndim == 3 else None
    numeric = np.issubdtype(image.dtype, np.number) or image.dtype == bool
    if not numeric or image.size == 0 or not (image.ndim == 2 or channels in (3, 4)):
        raise PoseBridgeError(
            "image must be a (height, width) grey or (height, width, 3 or 4) RGB(A) array "
            f"of numbers, got shape {image.shape} of {image.dtype}."
        )


def rgb_still(image: np.ndarray) -> np.ndarray:
    """An ``image=`` array as the 8-bit RGB(A) still that is drawn (grey made RGB).

    matplotlib would draw a grey array in false colour scaled to its own range
    and clip other RGB arrays than 8-bit or 0 to 1 to white; so the values are
    read as an image's: ``uint8`` as they are, ``bool`` as black and white,
    ``uint16`` over its full range 0 to 65535 (a 16-bit camera frame), other
    integers as 0 to 255, and floats as 0 to 1 when none is above 1, else as
    0 to 255. Values outside that range (or NaN) are refused.

    Raises
    ------
    PoseBridgeError
        For values outside the range of their type, naming the type and range.

    Examples
    --------
    >>> rgb_still(np.array([[0, 128]], np.uint8))[0].tolist()
    [[0, 0, 0], [128, 128, 128]]
    >>> rgb_still(np.array([[[0.0, 0.5, 1.0]]]))[0].tolist()
    [[0, 128, 255]]
    >>> rgb_still(np.array([[[0, 32768, 65535]]], np.uint16))[0].tolist()
    [[0, 128, 255]]
    """
    if image.dtype == np.uint8:
        scaled = image
    elif image.dtype == bool:
        scaled = image.astype(np.uint8) * np.uint8(255)
    else:
        if np.iscomplexobj(image):
            raise PoseBridgeError(f"image must be an array of real numbers, got {image.dtype}.")
        values = image.astype(np.float64)
        if np.isnan(values).any():
            raise PoseBridgeError(
                f"image of {image.dtype} holds NaN (missing values), which are no colour; "
                "give an 8-bit (uint8) RGB or grey array, or fill them first."
            )
        low, high = np.min(values), np.max(values)
        if image.dtype == np.uint16:
            top, scale = 65535.0, 255.0 / 65535.0
        elif image.dtype.kind == "f" and high <= 1.0:
            top, scale = 1.0, 255.0
        else:
            top, scale = 255.0, 1.0
        if not (np.isfinite(low) and np.isfinite(high) and low >= 0 and high <= top):
            expected = {
                65535.0: "0 to 65535",
                255.0: "0 to 255" + (" (or 0 to 1)" if image.dtype.kind == "f" else ""),
                1.0: "0 to 1 (or 0 to 255)",
            }[top]
            raise PoseBridgeError(
                f"image of {image.dtype} must hold values from {expected}, got values from "
                f"{low:g} to {high:g}; give an 8-bit (uint8) RGB or grey array."
            )
        scaled = np.rint(values * scale).astype(np.uint8)
    if scaled.ndim == 2:
        scaled = np.repeat(scaled[:, :, np.newaxis], 3, axis=2)
    return scaled


def frame_in_video(ds: xr.Dataset, row: int, video: object = None) -> int | None:
    """The number, in its video, of the frame time step ``row`` was made from.

    For predictions, the step's frame number (``frame`` coordinate, time in
    frames, or time x fps); for labels, the labelled frame's own ``frame``
    (never ``row``, its place among the labelled frames). ``None`` when it is
    not known: time in seconds without fps, a labelled still image (no
    video), a labelled frame of unknown number (-1).

    Parameters
    ----------
    ds
        A poses, boxes or labels dataset.
    row
        A time index of ``ds``.
    video
        The video the frame is to be taken from, when one is given: then a
        frame that cannot be matched to it is an error rather than ``None``.

    Raises
    ------
    PoseBridgeError
        When ``video`` is given and the step cannot be matched to one of its
        frames (saying why), or the labels come from several videos and this
        frame's is not ``video`` (by file name, without ending).

    Examples
    --------
    >>> import numpy as np
    >>> from posebridge import labels
    >>> ds = labels.from_numpy(np.zeros((2, 2, 1, 1)), video=["v.mp4"] * 2, frame=[20, 7])
    >>> frame_in_video(ds, 0)
    20
    """
    at = named(ds)
    if not labels.is_labels(ds):
        known = timed_rows(ds)
        if known is not None and not np.isin(row, known):
            coordinate = model.FRAME if model.FRAME in ds.coords else model.TIME
            raise SchemaError(
                f"{at}Coordinate {coordinate!r} holds NaN at index {row}, so that time step "
                "is at no video frame."
            )
        numbers = model.frame_numbers(ds.isel({model.TIME: [row]}))  # this step's only
        if numbers is not None:
            return int(numbers[0])
        if video is not None:
            raise PoseBridgeError(
                f"{at}the dataset's time is in seconds with no fps and no frame numbers, so "
                f"its time steps cannot be matched to frames of {video}; load it with fps "
                "(--fps)."
            )
        return None
    name = str(ds[labels.VIDEO].values[row])
    number = int(ds[model.FRAME].values[row])
    if still_images(ds)[row]:
        if video is None:
            return None
        image = str(ds[labels.IMAGE_PATH].values[row])
        raise PoseBridgeError(
            f"{at}labelled frame {row} is the still image {image!r}, not a frame of a video, "
            f"so it cannot be drawn over a frame of {video}; draw it without the video (over "
            "its image, when found) or give the image (image=)."
        )
    if number < 0:
        if video is None:
            return None
        raise PoseBridgeError(
            f"{at}labelled frame {row} of {name!r} has no known frame number, so it cannot "
            f"be found in {video}."
        )
    if video is not None:
        videos = list(dict.fromkeys(np.asarray(ds[labels.VIDEO].values).astype(str).tolist()))
        videos = [v for v in videos if v]  # still images name none
        if len(videos) > 1 and not same_video(name, video):
            raise PoseBridgeError(
                f"{at}labelled frame {row} is frame {number} of {name!r}, not of {video} (the "
                f"labels come from {len(videos)} videos); give its video, or a labelled "
                "frame of this one."
            )
        if len(videos) == 1:
            warn_of_another_video(ds, name, video)
    return number


def same_video(name: str, video: object) -> bool:
    r"""Whether the labels' video ``name`` is the video file ``video``, by file name
    without its ending (paths move between machines, and a video re-encoded to another
    container keeps its name); ``\`` separates folders as ``/`` does.

    Examples
    --------
    >>> same_video("C:\\lab\\videos\\clip.avi", "/data/clip.mp4")
    True
    >>> same_video("videos/clip.mp4", "other.mp4")
    False
    """
    return (
        PurePosixPath(name.replace("\\", "/")).stem
        == PurePosixPath(str(video).replace("\\", "/")).stem
    )


def warn_of_another_video(ds: xr.Dataset, name: str, video: object) -> None:
    """Warn that labelled frames of the video ``name`` are drawn on ``video``, another
    file name: the labels' frame numbers count frames of their own video.

    Not refused: a copy of the video renamed, or the labels' own file for labels holding
    their frames (SLEAP's ``.pkg.slp``), is a right video of another name; the frame
    count and size are checked anyway.

    Parameters
    ----------
    ds
        The labels drawn.
    name
        The video their frames are of (their ``video`` coordinate).
    video
        The video given to draw them on.
    """
    if same_video(name, video):
        return
    warnings.warn(
        f"{named(ds)}the labelled frames are frames of {name!r}, but they are drawn on "
        f"{video}, a video of another name: each is drawn on the frame of its number in "
        f"{video}. Check that it is {name!r} (renamed or re-encoded).",
        UserWarning,
        stacklevel=user_stacklevel(),
    )


def video_of_labels(ds: xr.Dataset, video: object, doing: str = "draw") -> str | None:
    """Which of the labels' videos the video file ``video`` is, for drawing on it.

    Labelled still images (no video: COCO, YOLO, single photos) are refused:
    their ``frame`` is the image's number, not a frame of any video. Labels of one
    video give ``None`` (all of them), with a warning when it has another name
    (:func:`warn_of_another_video`). Labels of several videos give the one that is
    ``video`` by file name without ending (:func:`same_video`; one name in several
    folders: the one whose folders end the path given), and are refused, naming
    their videos, when none is (or several are).

    Parameters
    ----------
    ds
        A labels dataset.
    video
        The video file they are to be drawn on.
    doing
        The verb of the advice (``"render"``, ``"draw"``).

    Returns
    -------
    str or None
        The labels' name of ``video``; ``None`` when the labels are of one video.

    Raises
    ------
    PoseBridgeError
        Naming the dataset's file and ``video``.

    Examples
    --------
    >>> import numpy as np
    >>> from posebridge import labels
    >>> ds = labels.from_numpy(
    ...     np.zeros((2, 2, 1, 1)), video=["cam1/a.avi", "cam1/b.avi"], frame=[0, 3]
    ... )
    >>> video_of_labels(ds, "/data/b.mp4")
    'cam1/b.avi'
    """
    stills = still_images(ds)
    if stills.any():
        image = str(ds[labels.IMAGE_PATH].values[int(np.argmax(stills))])
        raise PoseBridgeError(
            f"{named(ds)}{int(stills.sum())} of the {stills.size} labelled frames are still "
            f"images of no video (such as {image!r}): their numbers are the images', not "
            f"frames of {video}, so they cannot be drawn on it. Plot them over their images "
            "instead (posebridge plot --kind skeleton --frame N)."
        )
    names = list(dict.fromkeys(np.asarray(ds[labels.VIDEO].values).astype(str).tolist()))
    if len(names) == 1:
        warn_of_another_video(ds, names[0], video)
        return None
    chosen = [name for name in names if same_video(name, video)]
    if len(chosen) > 1:  # one file name in several folders: the path given decides
        given = _path_parts(str(Path(str(video)).absolute()))
        chosen = [
            name
            for name in chosen
            if given[-len(_path_parts(name)) :] == _path_parts(name)  # cam1/a.mp4
        ] or chosen
    if len(chosen) != 1:
        which = (
            f"{len(chosen)} of them ({', '.join(map(repr, chosen))}) have its file name"
            if chosen
            else "none of them is it (by file name, without ending)"
        )
        raise PoseBridgeError(
            f"{named(ds)}the labelled frames are of several videos ("
            f"{', '.join(map(repr, names))}) and {which}, so they cannot be drawn on "
            f"{video}. Give one of their videos, or {doing} one video's frames: "
            "posebridge.labels.as_poses(ds, video=...)."
        )
    return chosen[0]


def _path_parts(path: str) -> tuple[str, ...]:
    r"""A path's folders and name, as compared: ``\`` separates as ``/`` does, ``./`` and
    ``x/..`` are dropped.

    Examples
    --------
    >>> _path_parts(r"videos\b\..\a.mp4")
    ('videos', 'a.mp4')
    """
    return tuple(part for part in posixpath.normpath(path.replace("\\", "/")).split("/") if part)


def label_image(ds: xr.Dataset, row: int) -> tuple[Path, int] | None:
    """The image of labelled frame ``row``, or its video and frame number, when found."""
    image = str(ds[labels.IMAGE_PATH].values[row])
    video = str(ds[labels.VIDEO].values[row])
    number = frame_in_video(ds, row)
    folders = labels.search_folders(ds.attrs.get("source_file"))
    found = labels.find_files([image, video], folders)
    if image and found[0] >= 0:
        return folders[int(found[0])] / image, 0
    if video and found[1] >= 0 and number is not None:
        return folders[int(found[1])] / video, number
    return None


def _checked_size(
    ds: xr.Dataset, still: np.ndarray, what: str, explicit: bool
) -> np.ndarray | None:
    """``still``, unless its size is not the poses' video's: an error when it was given."""
    height, width = still.shape[:2]
    why = size_mismatch(ds, width, height, what)
    if why is None:
        return still
    if explicit:
        raise PoseBridgeError(why)
    warnings.warn(
        f"no still frame under the figure: {why}", UserWarning, stacklevel=user_stacklevel()
    )
    return None


def background(
    ds: xr.Dataset,
    *,
    video: str | os.PathLike[str] | None = None,
    frame: int | None = None,
    image: np.ndarray | str | os.PathLike[str] | None = None,
    row: int | None = None,
    exact_frame: bool = False,
) -> np.ndarray | None:
    """The still frame under a figure, as an RGB array, or ``None``.

    In order: ``image`` (an array or an image file); frame ``frame`` of
    ``video`` (``frame`` is then required); for labels, the image or video
    frame of labelled frame ``row``; the dataset's ``frame_path`` attribute (a
    still of its video: sample data); frame ``frame`` of the dataset's
    ``video_path`` when that file exists and ``frame`` is given. With
    ``exact_frame`` (a figure of frame ``frame``'s poses) the ``video_path``
    frame comes before ``frame_path``, a still of some other frame. A file given
    here that cannot be read, or whose size is not the dataset's
    ``video_width`` x ``video_height``, is an error; one the dataset names is
    skipped with a warning. A ``video`` shorter than the poses' frame numbers
    reach (:func:`frames_past_video`) is an error with ``exact_frame``, and a
    warning under paths (a shortened copy of the poses' video shows their scene).
    A ``video`` with an image ending (``.png``, ``.jpg``, ...) is read as an
    image, as shown (EXIF orientation applied), with no length or rate check.
    3D poses get no still (see :func:`flat_only`).
    """
    flat_only(ds, image if image is not None else video)
    if ds.sizes[model.SPACE] != 2:
        return None
    if image is not None:
        if isinstance(image, np.ndarray):
            return _checked_size(ds, rgb_still(image), "the image given", explicit=True)
        return _checked_size(ds, _video.read_frame(image), str(image), explicit=True)
    if video is not None:
        if frame is None:
            raise PoseBridgeError(f"{video}: no frame number to show was given.")
        if Path(video).suffix.lower() in _video.IMAGE_ENDINGS:  # a still: no length, no rate
            return _checked_size(ds, _video.read_frame(video), str(video), explicit=True)
        info = _video.probe(video)
        wrong_size = size_mismatch(ds, info.width, info.height, str(video))
        if wrong_size is not None:  # another video, whatever its length
            raise PoseBridgeError(wrong_size)
        if exact_frame:  # the poses of that frame, drawn on it
            warn_of_another_rate(ds, info.fps, video)
        _check_length(ds, info.n_frames, video, row, refuse=exact_frame)
        return _video.read_frame(video, int(frame), info=info)
    named_files: list[tuple[Path, int]] = []
    if labels.is_labels(ds) and row is not None:
        found = label_image(ds, row)
        if found is not None:
            named_files.append(found)
    still = [(Path(str(ds.attrs["frame_path"])), 0)] if ds.attrs.get("frame_path") else []
    if frame is not None and ds.attrs.get("video_path"):
        of_video = [(Path(str(ds.attrs["video_path"])), int(frame))]
        named_files += of_video + still if exact_frame else still + of_video
    else:
        named_files += still
    for path, number in named_files:
        if not path.is_file():
            continue
        try:
            still = _video.read_frame(path, number)
        except PoseBridgeError as error:
            warnings.warn(
                f"no still frame under the figure: {error}",
                UserWarning,
                stacklevel=user_stacklevel(),
            )
            return None
        return _checked_size(ds, still, str(path), explicit=False)
    return None


#: Frame rates further apart than this (relative) are said to differ: ffmpeg shows a
#: rate to two decimals (23.98 for 24000/1001).
RATE_TOLERANCE = 0.005


def warn_of_another_rate(ds: xr.Dataset, video_fps: float | None, video: object) -> None:
    """Warn when the poses' ``fps`` and the video's frame rate differ.

    Poses are matched to video frames by frame number (the ``frame``
    coordinate, time in frames, or time x fps), never by time: a video
    at another rate than the poses were made at gets them on other moments.
    Labels (frames of their own videos) and rates not known are left alone.

    Parameters
    ----------
    ds
        The poses, boxes or labels drawn.
    video_fps
        The video's frame rate, ``None`` when ffmpeg does not know it.
    video
        The video, for the message.
    """
    rate = ds.attrs.get("fps")
    if labels.is_labels(ds) or video_fps is None or not video_fps > 0:
        return
    if isinstance(rate, bool) or not isinstance(rate, int | float | np.number):
        return
    rate = float(rate)
    if not (np.isfinite(rate) and rate > 0):
        return
    if abs(rate - video_fps) <= RATE_TOLERANCE * max(rate, video_fps):
        return
    if model.FRAME in ds.coords:
        how = "their 'frame' coordinate"
    elif ds.attrs.get("time_unit") == "seconds":
        how = f"time x {rate:g} fps, rounded"
    else:
        how = "their time in frames"
    warnings.warn(
        f"{named(ds)}the poses are at {rate:g} fps but {video} is at {video_fps:g} fps: "
        f"poses are drawn on the video frame of their frame number ({how}), not at "
        "their time, so at another rate they land on other moments of the video. Check "
        "that it is the video the poses were made from.",
        UserWarning,
        stacklevel=user_stacklevel(),
    )


def dataset_video(ds: xr.Dataset) -> Path | None:
    """The dataset's ``video_path`` when that file exists, else ``None``."""
    named_video = ds.attrs.get("video_path")
    if named_video and Path(str(named_video)).is_file():
        return Path(str(named_video))
    return None
