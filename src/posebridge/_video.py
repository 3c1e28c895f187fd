"""Reading and writing video frames with ffmpeg (the ``video`` extra).

One small layer over imageio-ffmpeg used by :mod:`posebridge.plot` (a still
frame under a figure) and :mod:`posebridge.render` (poses drawn on a video):
how many frames a video has, one frame by number, a run of frames by number,
and a writer. Frames are numbered from 0 in decoding order, as pose tools
number them. Every failure is a :class:`~posebridge.errors.PoseBridgeError`
naming the video.
"""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from posebridge.errors import FileNotFoundError, PoseBridgeError

__all__ = ["VideoInfo", "ffmpeg", "probe", "read_frame", "read_frames", "write_frames"]

#: Image endings read as one still frame rather than as a video.
IMAGE_ENDINGS = (".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".gif", ".webp")


def ffmpeg(what: str) -> Any:
    """The ``imageio_ffmpeg`` module, or a PoseBridgeError saying how to install it."""
    try:
        import imageio_ffmpeg
    except ImportError as error:
        raise PoseBridgeError(
            f"{what} needs imageio-ffmpeg ({error}). Install it with "
            "`pip install 'posebridge[video]'`."
        ) from None
    return imageio_ffmpeg


@dataclass(frozen=True)
class VideoInfo:
    """What ffmpeg says about a video: frame size, frame rate and frame count."""

    path: Path
    width: int
    height: int
    fps: float | None
    n_frames: int


def _existing(path: str | os.PathLike[str]) -> Path:
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(2, f"{path}: no such video file.", str(path))
    if path.is_dir():
        raise PoseBridgeError(f"{path}: is a folder, not a video file.")
    return path


def probe(path: str | os.PathLike[str]) -> VideoInfo:
    """Frame size, frame rate and exact frame count of a video.

    The count comes from ffmpeg copying the video stream (every packet, no
    decoding), so it is exact and quick even for long videos.

    Parameters
    ----------
    path
        The video file.

    Returns
    -------
    VideoInfo

    Raises
    ------
    PoseBridgeError
        When the file does not exist or ffmpeg cannot read a video stream from it.

    Examples
    --------
    >>> probe("video.mp4").n_frames  # doctest: +SKIP
    300
    """
    path = _existing(path)
    iio = ffmpeg("reading a video")
    cmd = [iio.get_ffmpeg_exe(), "-hide_banner", "-nostdin", "-i", str(path)]
    cmd += ["-map", "0:v:0", "-c", "copy", "-f", "null", "-"]
    done = subprocess.run(cmd, capture_output=True, check=False)
    log = done.stderr.decode(errors="replace")
    size = re.search(r"Stream #\S+.*?Video: .*?, (\d{2,5})x(\d{2,5})\b", log)
    if done.returncode != 0 or size is None:
        last = " ".join(log.strip().splitlines()[-1:]) or f"ffmpeg exit status {done.returncode}"
        raise PoseBridgeError(f"{path}: could not be opened as a video ({last}).")
    counts = re.findall(r"frame=\s*(\d+)", log)
    rate = re.search(r"Video: .*?([\d.]+) fps", log)
    return VideoInfo(
        path=path,
        width=int(size.group(1)),
        height=int(size.group(2)),
        fps=float(rate.group(1)) if rate else None,
        n_frames=int(counts[-1]) if counts else 0,
    )


def read_frames(
    path: str | os.PathLike[str],
    start: int = 0,
    stop: int | None = None,
    *,
    size: tuple[int, int] | None = None,
) -> Iterator[np.ndarray]:
    """Decode frames ``start`` to ``stop - 1`` of a video as (height, width, 3) uint8 RGB.

    ffmpeg selects the frames by number (``select`` filter, no frame dropped or
    repeated), so frame ``k`` is the ``k``-th frame of the file whatever its
    time stamps say. The iterator ends early when the video does. ``size``
    (width, height) saves a :func:`probe` when known. Frames are decoded as
    stored (no rotation from metadata), as :func:`probe` reports their size.

    Examples
    --------
    >>> first = next(read_frames("video.mp4", 10, 11))  # doctest: +SKIP
    """
    path = _existing(path)
    iio = ffmpeg("reading a video")
    if size is None:
        info = probe(path)
        size = (info.width, info.height)
    width, height = size
    last = "" if stop is None else rf"\,{stop - 1}"
    select = rf"select=gte(n\,{start})" if stop is None else rf"select=between(n\,{start}{last})"
    cmd = [iio.get_ffmpeg_exe(), "-hide_banner", "-nostdin", "-loglevel", "error"]
    cmd += ["-noautorotate", "-i", str(path), "-map", "0:v:0", "-vf", select]
    cmd += ["-fps_mode", "passthrough", "-f", "rawvideo", "-pix_fmt", "rgb24", "-"]
    n_bytes = width * height * 3
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=log)
        assert process.stdout is not None
        finished = False
        try:
            while True:
                raw = process.stdout.read(n_bytes)
                if len(raw) < n_bytes:
                    finished = True
                    break
                yield np.frombuffer(raw, dtype=np.uint8).reshape(height, width, 3)
        finally:
            process.stdout.close()
            if process.poll() is None:
                process.kill()
            process.wait()
        if finished and process.returncode != 0:
            log.seek(0)
            text = log.read().decode(errors="replace").strip().splitlines()
            raise PoseBridgeError(
                f"{path}: could not be decoded ({text[-1] if text else process.returncode})."
            )


def read_frame(path: str | os.PathLike[str], number: int = 0) -> np.ndarray:
    """One frame of a video (by number, from 0) or an image file, as uint8 RGB.

    An image is returned as shown (its EXIF orientation applied), the frame
    its labels' coordinates refer to.

    Raises
    ------
    PoseBridgeError
        When the file cannot be read or the video has no frame ``number``.

    Examples
    --------
    >>> read_frame("video.mp4", 42).shape  # doctest: +SKIP
    (480, 640, 3)
    """
    path = _existing(path)
    if number < 0:
        raise PoseBridgeError(f"{path}: frame numbers start at 0, got {number}.")
    if path.suffix.lower() in IMAGE_ENDINGS:
        from PIL import Image, ImageOps, UnidentifiedImageError

        try:
            with Image.open(path) as image:  # as shown: its EXIF orientation applied
                return np.asarray(ImageOps.exif_transpose(image).convert("RGB"))
        except (OSError, UnidentifiedImageError) as error:
            raise PoseBridgeError(f"{path}: could not be read as an image ({error}).") from None
    for frame in read_frames(path, number, number + 1):
        return frame.copy()
    count = probe(path).n_frames
    raise PoseBridgeError(
        f"{path}: the video has {count} frames (0 to {count - 1}); there is no frame {number}."
    )


def write_frames(
    path: str | os.PathLike[str],
    size: tuple[int, int],
    fps: float,
    *,
    codec: str | None = None,
    pix_fmt: str | None = None,
    quality: float | None = 7,
) -> Any:
    """A started generator that takes (height, width, 3) uint8 RGB frames via ``send``.

    ``size`` is (width, height). ``codec`` defaults to ffmpeg's choice for the
    file ending (H.264 for ``.mp4``); ``pix_fmt`` to ``yuv420p`` (what players
    expect). Close it to finish the file.
    """
    iio = ffmpeg("writing a video")
    kwargs: dict[str, Any] = {"fps": fps, "quality": quality, "macro_block_size": 1}
    if codec is not None:
        kwargs["codec"] = codec
    if pix_fmt is not None:
        kwargs["pix_fmt_out"] = pix_fmt
    if (codec is None and Path(path).suffix.lower() in (".mp4", ".mov", ".m4v")) or (
        codec == "libx264"
    ):
        # H.264 in yuv420p needs even sides: pad (never scale), so pixels keep their place
        kwargs["output_params"] = ["-vf", "pad=ceil(iw/2)*2:ceil(ih/2)*2"]
    writer = iio.write_frames(str(path), size, **kwargs)
    writer.send(None)
    return writer
