"""Which files a YOLO predictions folder holds, and what their names say.

Ultralytics' ``save_txt`` names a video frame's predictions
``<video stem>_<N>.txt`` and an image's ``<image stem>.txt``. This module lists
the ``.txt`` files, tells frames from images (by the images and videos
Ultralytics' ``save=True`` puts beside the labels folder) and orders frames by
number; :mod:`posebridge.formats.yolo.predictions` reads their lines.

Examples
--------
>>> FRAME_FILE.match("video_12.txt")["number"]
'12'
"""

from __future__ import annotations

import os
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from posebridge._files import refuse_empty_file
from posebridge.errors import FormatError
from posebridge.formats.yolo._layout import IMAGE_SUFFIXES
from posebridge.model.time_axis import LARGEST_WHOLE

__all__ = [
    "FRAME_FILE",
    "VIDEO_SUFFIXES",
    "PredictionFiles",
    "find_files",
    "images_and_videos_beside",
    "txt_files",
]

#: ``<stem>_<N>.txt``: Ultralytics' name of a video frame's file (N from 1, no leading 0).
FRAME_FILE = re.compile(r"^(?P<stem>.*)_(?P<number>[1-9][0-9]*)\.txt$")
#: Ultralytics' annotated videos beside the labels folder (``save=True``), by platform.
VIDEO_SUFFIXES = (".avi", ".mp4", ".mov", ".mkv")


def txt_files(folder: Path) -> list[Path]:
    """The ``.txt`` files of a folder (not hidden ones, not below it), by name."""
    with os.scandir(folder) as entries:
        names = [
            e.name
            for e in entries
            if e.name.endswith(".txt") and not e.name.startswith(".") and e.is_file()
        ]
    return [folder / name for name in sorted(names)]


@dataclass
class PredictionFiles:
    """The prediction files read, and what their names say."""

    paths: list[Path]
    frames: np.ndarray | None  # the N of <stem>_<N>.txt, or None for images
    stem: str
    folder: Path  # the labels folder
    images: dict[str, Path] | None = None  # the images beside, by stem, when listed


def images_and_videos_beside(folder: Path) -> tuple[dict[str, Path], set[str]]:
    """The images (by stem) and the stems of the videos in the labels folder and the run
    folder above it, where Ultralytics' ``save=True`` puts its annotated copies (one
    listing of each folder; the run folder's win)."""
    images: dict[str, Path] = {}
    videos: set[str] = set()
    for where in (folder, folder.parent):
        try:
            with os.scandir(where) as entries:
                names = [e.name for e in entries if not e.name.endswith(".txt")]
        except OSError:  # a folder that cannot be listed holds nothing to go by
            continue
        for name in names:  # the labels folder's many .txt files are not looked at
            stem, suffix = os.path.splitext(name)
            if suffix.lower() in IMAGE_SUFFIXES:
                images[stem] = where / name
            elif suffix.lower() in VIDEO_SUFFIXES:
                videos.add(stem)
    return images, videos


def find_files(path: Path, stem: str | None, video_mode: bool) -> PredictionFiles:
    """The files to read (frame files by frame number, image files by name).

    Ultralytics names an image's predictions ``<image stem>.txt`` and a video
    frame's ``<video stem>_<N>.txt``; an image itself named ``<name>_<N>`` gives a
    name of the second kind. Files so named are an image's when the image of
    that exact stem lies beside the labels folder (or in it) and no video of
    their stem does; else they are a video's frames. ``stem=``, ``video=``,
    ``fps=`` and ``vid_stride=`` are for videos: with them, files are frames.
    """
    if path.is_dir():
        paths = txt_files(path)
        folder = path
        if not paths:
            raise FormatError(
                path,
                "holds no .txt prediction files (Ultralytics' save_txt writes "
                "labels/<video>_<frame>.txt or labels/<image>.txt).",
            )
    else:
        refuse_empty_file(path, "Ultralytics YOLO pose predictions (save_txt lines)")
        paths, folder = [path], path.parent
    matches = [FRAME_FILE.match(p.name) for p in paths]
    if stem is not None:
        kept = [i for i, m in enumerate(matches) if m and m["stem"] == stem]
        if not kept:
            raise FormatError(path, f"holds no frame files of stem={stem!r} ({stem}_<N>.txt).")
        paths, matches = [paths[i] for i in kept], [matches[i] for i in kept]
    elif not video_mode and any(matches):
        images, videos = images_and_videos_beside(folder)
        named = {p.name[: -len(".txt")] for p, m in zip(paths, matches, strict=True) if m}
        if not images.keys().isdisjoint(named) and videos.isdisjoint(
            m["stem"] for m in matches if m
        ):
            return PredictionFiles(paths, None, "", folder, images)
    framed = all(matches)
    if not framed:
        if video_mode:
            at = next(p for p, m in zip(paths, matches, strict=True) if not m)
            raise FormatError(
                at,
                "is not named <video>_<frame>.txt, as Ultralytics names a video frame's "
                "predictions (video=, fps= and vid_stride= are for videos).",
            )
        counted = Counter(m["stem"] for m in matches if m).most_common(1)
        video = counted[0][0] if counted and counted[0][1] > 1 else None
        if video is not None:  # a video's frames among images: refused, not read as images
            at = next(p for p, m in zip(paths, matches, strict=True) if not m)
            raise FormatError(
                at,
                f"is not named <video>_<N>.txt, yet its folder holds the frames of a video "
                f"({video}_<N>.txt): pass stem={video!r} to read that video's frames, or move "
                "the image predictions to a folder of their own.",
            )
        return PredictionFiles(paths, None, "", folder)
    stems = sorted({m["stem"] for m in matches if m})
    if len(stems) > 1:
        raise FormatError(
            path,
            f"holds the frames of several videos ({', '.join(stems[:5])}"
            f"{', ...' if len(stems) > 5 else ''}); pass stem= to read one of them.",
        )
    whole = [int(m["number"]) for m in matches if m]  # Python ints: any size
    top = max(whole)
    if top >= LARGEST_WHOLE:
        raise FormatError(
            paths[whole.index(top)],
            f"is frame {top} by its name ({stems[0]}_<N>.txt), a frame number too large to "
            "hold (2**53 and up); no video has that many frames.",
        )
    numbers = np.asarray(whole, dtype=np.int64)
    order = np.argsort(numbers, kind="stable")
    return PredictionFiles([paths[i] for i in order], numbers[order], stems[0], folder)
