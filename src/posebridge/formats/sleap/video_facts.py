"""What a SLEAP file says about its videos beyond their paths, kept and written back.

SLEAP's ``videos_json`` rows (and sleap-io's analysis ``video_backend_metadata``)
describe each video: ``shape`` (frames, height, width, channels), ``grayscale``,
``bgr``, ``fps``; an image sequence gives ``channels_``; a video in an HDF5 file
gives the ``dataset`` holding its frames, their ``input_format`` and ``convert_range``
(sleap-io's ``HDF5Video``). The readers keep what a
file gives under :data:`VIDEO_FACTS` (JSON text, by video path, so that netCDF
stores it), and the writers give it back. What no source gave is left out rather
than made up: SLEAP and sleap-io detect a video's colour from its frames when
``grayscale`` is absent, whereas a wrong flag makes them read it wrongly.
"""

from __future__ import annotations

import json
import math
from typing import Any

import xarray as xr

from posebridge.model import labels

__all__ = [
    "VIDEO_FACTS",
    "facts_of",
    "facts_of_backend",
    "facts_to_attr",
    "image_backend",
    "media_backend",
]

#: Dataset attribute: JSON object, video path -> what the source said about that video.
VIDEO_FACTS = labels.VIDEO_FACTS


def _count(value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if not math.isfinite(value) or value < 0 or value != int(value):
        return None
    return int(value)


#: The key posebridge adds to a video's backend whose ``shape`` records the dataset's
#: size only (SLEAP keeps a size nowhere else): its frame count and channels are made up.
SIZE_ONLY = "posebridge_size_only"

#: The text keys of a backend that tell a reader how to open the video (the HDF5
#: dataset of its frames, their layout), kept as the source gave them.
READER_TEXTS = ("dataset", "input_format")


def facts_of_backend(backend: Any, *, in_file: bool = True) -> dict[str, Any]:
    """The facts a ``videos_json`` backend (or ``video_backend_metadata``) gives.

    Only well-formed values are kept: ``shape`` as four whole numbers (in a
    backend that names its ``type``, as sleap-io writes it),
    ``grayscale`` as a boolean, ``bgr`` when False (not SLEAP's default), ``fps`` as a
    positive number, ``channels`` (an image sequence's ``channels_``) as a whole number;
    the frames' HDF5 ``dataset`` and ``input_format`` as non-empty text and
    ``convert_range`` as a boolean (sleap-io needs them to read the frames).

    Examples
    --------
    >>> facts_of_backend({"type": "MediaVideo", "shape": [3000, 1024, 1280, 1], "grayscale": True})
    {'shape': [3000, 1024, 1280, 1], 'grayscale': True}
    >>> facts_of_backend({"shape": None, "grayscale": "yes", "fps": 0})
    {}
    >>> facts_of_backend({"shape": [101, 1024, 1280, 3], SIZE_ONLY: True})  # a size only
    {}
    >>> facts_of_backend({"shape": [500, 200, 220, 3]})  # sleap-io's, of a video not opened
    {'shape': [500, 200, 220, 3]}
    >>> facts_of_backend(
    ...     {"dataset": "/movie", "input_format": "channels_last", "convert_range": True}
    ... )
    {'dataset': '/movie', 'input_format': 'channels_last', 'convert_range': True}
    """
    if not isinstance(backend, dict):
        return {}
    facts: dict[str, Any] = {}
    shape = backend.get("shape")
    # sleap-io writes a shape (with the backend's type, or without one for a video it
    # did not open), SLEAP none; posebridge marks its record of a size only
    # (SIZE_ONLY: its frames and channels are no facts)
    size_only = in_file and backend.get(SIZE_ONLY) is True
    if not size_only and isinstance(shape, list | tuple) and len(shape) == 4:
        counts = [_count(n) for n in shape]
        if all(n is not None for n in counts):
            facts["shape"] = counts
    if isinstance(backend.get("grayscale"), bool):
        facts["grayscale"] = backend["grayscale"]
    if backend.get("bgr") is False:  # True is SLEAP's default, which every row states
        facts["bgr"] = False
    fps = backend.get("fps")
    is_number = isinstance(fps, int | float) and not isinstance(fps, bool)
    if is_number and math.isfinite(fps) and fps > 0:
        facts["fps"] = fps
    channels = _count(backend.get("channels_", backend.get("channels")))  # file, attribute
    if channels:
        facts["channels"] = channels
    for key in READER_TEXTS:
        if isinstance(backend.get(key), str) and backend[key]:
            facts[key] = backend[key]
    if isinstance(backend.get("convert_range"), bool):
        facts["convert_range"] = backend["convert_range"]
    return facts


def facts_to_attr(by_video: dict[str, dict[str, Any]]) -> str | None:
    """The attribute's JSON text for the facts of each video, ``None`` when none has any.

    Examples
    --------
    >>> facts_to_attr({"a.mp4": {"grayscale": True}, "b.mp4": {}})
    '{"a.mp4": {"grayscale": true}}'
    >>> facts_to_attr({"b.mp4": {}}) is None
    True
    """
    kept = {str(path): facts for path, facts in by_video.items() if facts}
    return json.dumps(kept) if kept else None


def facts_of(ds: xr.Dataset, video: str | None) -> dict[str, Any]:
    """What the dataset's source said about ``video`` (``{}`` when nothing).

    Examples
    --------
    >>> import numpy as np, posebridge
    >>> ds = posebridge.from_numpy(np.zeros((1, 2, 1, 1)))
    >>> ds.attrs[VIDEO_FACTS] = '{"a.mp4": {"grayscale": true}}'
    >>> facts_of(ds, "a.mp4"), facts_of(ds, "b.mp4")
    ({'grayscale': True}, {})
    """
    raw = ds.attrs.get(VIDEO_FACTS)
    if not isinstance(raw, str) or video is None:
        return {}
    try:
        by_video = json.loads(raw)
    except ValueError:
        return {}
    if not isinstance(by_video, dict):
        return {}
    facts = facts_of_backend(by_video.get(str(video)), in_file=False)
    fps = ds.attrs.get("fps")  # a poses dataset's frame rate is its video's, as it is now
    is_rate = isinstance(fps, int | float) and math.isfinite(fps) and fps > 0
    if "fps" in facts and not labels.is_labels(ds) and is_rate:
        facts["fps"] = float(fps)
    return facts


def _size(size: tuple[Any, Any]) -> tuple[int, int] | None:
    width, height = size
    if width and height:
        return int(width), int(height)
    return None


def media_backend(
    filename: str,
    facts: dict[str, Any],
    size: tuple[Any, Any],
    frames_seen: int,
    *,
    reader_keys: bool = True,
) -> dict[str, Any]:
    """A ``MediaVideo`` backend of what is known: the source's facts, the dataset's size.

    ``grayscale`` only when the source gave it. ``shape`` is the source's (its height
    and width replaced by ``size`` = (width, height) when the dataset has one); a
    size without the source's shape is written as ``[frames_seen, height, width,
    channels]`` (the frames seen: the last labelled frame + 1; 1 channel for a video
    known to be grayscale, else 3) marked :data:`SIZE_ONLY`, since SLEAP keeps a video's
    size only in its shape; :func:`facts_of_backend` does not take it for a fact. ``reader_keys``: add the keys
    SLEAP's ``videos_json`` rows always hold (``bgr``, ``dataset``, ``input_format``: the
    source's, else SLEAP's defaults); the source's ``convert_range`` when it gave one.

    Examples
    --------
    >>> media_backend("a.mp4", {"shape": [30, 4, 5, 1], "grayscale": True}, (5, 4), 10)
    {'filename': 'a.mp4', 'grayscale': True, 'bgr': True, 'dataset': '', 'input_format': '', 'type': 'MediaVideo', 'shape': [30, 4, 5, 1]}
    >>> media_backend("a.mp4", {}, (None, None), 10)
    {'filename': 'a.mp4', 'bgr': True, 'dataset': '', 'input_format': ''}
    >>> media_backend("a.h5", {"dataset": "/movie", "convert_range": True}, (None, None), 4)
    {'filename': 'a.h5', 'bgr': True, 'dataset': '/movie', 'input_format': '', 'convert_range': True}
    >>> media_backend("a.mp4", {}, (5, 4), 10, reader_keys=False)
    {'filename': 'a.mp4', 'shape': [10, 4, 5, 3], 'posebridge_size_only': True}
    """  # noqa: E501
    backend: dict[str, Any] = {"filename": filename}
    if "grayscale" in facts:
        backend["grayscale"] = facts["grayscale"]
    if reader_keys:
        backend["bgr"] = facts.get("bgr", True)
        backend.update({key: facts.get(key, "") for key in READER_TEXTS})
    else:
        backend.update({key: facts[key] for key in ("bgr", *READER_TEXTS) if key in facts})
    if "convert_range" in facts:
        backend["convert_range"] = facts["convert_range"]
    known = _size(size)
    if "shape" in facts:
        shape = list(facts["shape"])
        if known is not None:
            shape[1:3] = [known[1], known[0]]
        # sleap-io's name of the backend: frames in an HDF5 dataset, else a media file
        backend["type"] = "HDF5Video" if "dataset" in facts else "MediaVideo"
        backend["shape"] = shape
    elif known is not None:
        channels = 1 if facts.get("grayscale") else 3
        backend["shape"] = [int(frames_seen), known[1], known[0], channels]
        backend[SIZE_ONLY] = True
    if "fps" in facts:
        backend["fps"] = facts["fps"]
    return backend


def image_backend(
    images: list[str], facts: dict[str, Any], size: tuple[Any, Any]
) -> dict[str, Any]:
    """An ``ImageVideo`` backend: the files, the size when known, the source's facts.

    Examples
    --------
    >>> image_backend(["a.png"], {}, (640, 480))
    {'type': 'ImageVideo', 'filename': 'a.png', 'filenames': ['a.png'], 'height_': 480, 'width_': 640}
    """  # noqa: E501
    width, height = size
    backend: dict[str, Any] = {
        "type": "ImageVideo",
        "filename": images[0],
        "filenames": images,
        "height_": height,
        "width_": width,
    }
    channels = facts.get("channels") or (facts["shape"][3] if "shape" in facts else None)
    if channels:
        backend["channels_"] = channels
    for key in ("grayscale", "fps"):
        if key in facts:
            backend[key] = facts[key]
    return backend
