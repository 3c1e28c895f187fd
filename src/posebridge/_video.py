"""Reading and writing video frames with ffmpeg (the ``video`` extra).

One small layer over imageio-ffmpeg used by :mod:`posebridge.plot` (a still
frame under a figure) and :mod:`posebridge.render` (poses drawn on a video):
how many frames a video has, one frame by number, a run of frames by number,
and a writer. Frames are numbered from 0 in decoding order, as pose tools
number them. Every failure is a :class:`~posebridge.errors.PoseBridgeError`
naming the video.
"""

from __future__ import annotations

import contextlib
import functools
import os
import re
import signal
import subprocess
import tempfile
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np

from posebridge import errors
from posebridge.errors import FileNotFoundError, PoseBridgeError

__all__ = [
    "VideoInfo",
    "check_writing",
    "default_codec",
    "ffmpeg",
    "probe",
    "read_frame",
    "read_frames",
    "write_frames",
    "writing",
]

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


def _article(noun: str) -> str:
    """``"an"`` before a vowel (an image), ``"a"`` else (a video)."""
    return "an" if noun[:1] in ("a", "e", "i", "o", "u") else "a"


def _existing(path: str | os.PathLike[str], what: str = "video") -> Path:
    """``path`` when it is a regular file; else an error calling it a ``what`` (video, image).

    Examples
    --------
    >>> _existing("missing_still.png", "image")
    Traceback (most recent call last):
    ...
    posebridge.errors.FileNotFoundError: missing_still.png: no such image file.
    """
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(2, f"{path}: no such {what} file.", str(path))
    if path.is_dir():
        raise PoseBridgeError(f"{path}: is a folder, not {_article(what)} {what} file.")
    if not path.is_file():  # a FIFO would block ffmpeg's open() for ever
        raise PoseBridgeError(
            f"{path}: is not a regular file (a pipe, socket or device); {_article(what)} {what} "
            "must be a file."
        )
    return path


def _local(path: Path) -> str:
    """``path`` as ffmpeg must be given a local file: ``file:`` + the path.

    Without the prefix, a name that starts with a protocol's name
    (``concat:a.mp4``, ``http:x.mp4``, ``subfile:...``) is opened through
    that protocol, so another file (or none) would be read.

    Examples
    --------
    >>> _local(Path("concat:a.mp4"))
    'file:concat:a.mp4'
    """
    return f"file:{path}"


def _ffmpeg_text(log: bytes, path: Path) -> list[str]:
    """ffmpeg's messages, one a line, with ``file:<path>`` shown as the path the user gave."""
    lines = log.decode(errors="replace").replace(_local(path), str(path)).splitlines()
    return [line.strip() for line in lines if line.strip()]


def probe(path: str | os.PathLike[str]) -> VideoInfo:
    """Frame size, frame rate and exact frame count of a video.

    The count comes from ffmpeg copying the video stream (every packet, no
    decoding), so it is exact and quick even for long videos. It is the count
    of frames that decode, as players show the video: packets the container
    marks to be dropped (an MP4 edit list, as ``ffmpeg -ss 1.5 -i a.mp4 -c copy
    b.mp4`` writes, keeps the frames before the cut it needs for decoding) are
    not counted, as the decoder does not output them.

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
    cmd = [iio.get_ffmpeg_exe(), "-hide_banner", "-nostdin", "-i", _local(path)]
    # one line a packet, with its flags when other than key frame only (F=0x..)
    cmd += ["-map", "0:v:0", "-c", "copy", "-f", "framecrc", "-"]
    done = subprocess.run(cmd, capture_output=True, check=False)
    lines = _ffmpeg_text(done.stderr, path)
    log = "\n".join(lines)
    size = re.search(r"Stream #\S+.*?Video: .*?, (\d{2,5})x(\d{2,5})\b", log)
    if done.returncode != 0 or size is None:
        last = " ".join(lines[-1:]) or f"ffmpeg exit status {done.returncode}"
        raise PoseBridgeError(f"{path}: could not be opened as a video ({last}).")
    # ffmpeg prints a whole number of thousands as "1k fps" (a high-speed camera's rate)
    rate = re.search(r"Video: .*?([\d.]+)(k?) fps", log)
    shown = float(rate.group(1)) * (1000 if rate.group(2) else 1) if rate else None
    return VideoInfo(
        path=path,
        width=int(size.group(1)),
        height=int(size.group(2)),
        fps=_packet_rate(done.stdout, shown),
        n_frames=_kept_packets(done.stdout),
    )


def _packet_rate(lines: bytes, shown: float | None) -> float | None:
    r"""The exact frame rate of packets of one duration (their time base over it), else
    the rate ffmpeg shows (rounded to two decimals: 23.98 for 24000/1001, which drifts
    0.6 s an hour).

    Examples
    --------
    >>> listing = b"#tb 0: 1/24000\n0, 0, 0, 1001, 12, 0x1\n0, 1001, 1001, 1001, 9, 0x2\n"
    >>> _packet_rate(listing, 23.98)
    23.976023976023978
    """
    text = lines.decode(errors="replace")
    base = re.search(r"^#tb 0: (\d+)/(\d+)", text, re.MULTILINE)
    durations = {int(d) for d in re.findall(r"^0,\s*-?\d+,\s*-?\d+,\s*(\d+),", text, re.M)}
    if base is None or len(durations) != 1 or 0 in durations or int(base[1]) == 0:
        return shown
    exact = int(base[2]) / (int(base[1]) * durations.pop())
    if shown is not None and abs(exact - shown) > 0.01 * shown:  # not the rate ffmpeg saw
        return shown
    return exact


#: AVPacket's ``AV_PKT_FLAG_DISCARD``: the packet is needed to decode others but
#: its frame is dropped (an edit list starting after it), as the decoder does.
_DISCARD = 0x4


def _kept_packets(lines: bytes) -> int:
    r"""How many packets of ffmpeg's ``framecrc`` listing are not marked to be dropped.

    A packet line shows its flags as ``F=0x..`` unless they are key frame only.

    Examples
    --------
    >>> _kept_packets(
    ...     b"#tb 0: 1/15360\n0, -8704, -7680, 512, 3461, 0xaac8dc17, F=0x5\n"
    ...     b"0, 0, 512, 512, 34, 0xc26c0cc2, F=0x0\n0, 512, 1024, 512, 27, 0x857d0c5e\n"
    ... )
    2
    """
    kept = 0
    for line in lines.decode(errors="replace").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        flags = re.search(r", F=0x([0-9A-Fa-f]+)", line)
        kept += not (flags and int(flags.group(1), 16) & _DISCARD)
    return kept


def _damaged(path: Path, said: str, count: int, start: int) -> PoseBridgeError:
    """The error for a video ffmpeg reports damage in while decoding."""
    return PoseBridgeError(
        f"{path}: ffmpeg reports damage in the video ({said.rstrip('.')}), found by frame "
        f"{start + count} (it may lie a little further on: ffmpeg reads ahead). A damaged "
        "video can lose frames, so every later frame would be taken for another and poses "
        "drawn on the wrong frames; use an undamaged copy of the video."
    )


def read_frames(
    path: str | os.PathLike[str],
    start: int = 0,
    stop: int | None = None,
    *,
    size: tuple[int, int] | None = None,
    n_frames: int | None = None,
) -> Iterator[np.ndarray]:
    """Decode frames ``start`` to ``stop - 1`` of a video as (height, width, 3) uint8 RGB.

    ffmpeg selects the frames by number (``select`` filter, no frame dropped or
    repeated), so frame ``k`` is the ``k``-th frame of the file whatever its
    time stamps say. The iterator ends early when the video does, and ffmpeg
    is stopped once frame ``stop - 1`` is read. Frames are decoded as stored
    (no rotation from metadata), as :func:`probe` reports their size.

    A damaged video can lose frames (the demuxer skips to the next readable
    data), which would silently shift every later frame number. So anything
    ffmpeg reports at its ``error`` level while decoding is an error, and so is
    a video that ends, without such a report, before the ``n_frames`` its
    packets promised (the frames that did decode are then not known to be the
    frames of their numbers); the frame being read when ffmpeg first reports
    damage is not yielded.

    Parameters
    ----------
    path
        The video file (given to ffmpeg as ``file:<path>``, never as a protocol).
    start, stop
        Frame numbers, from 0; ``stop`` excluded, ``None`` for the end.
    size
        (width, height) when known: saves a :func:`probe` (then give
        ``n_frames`` too, so that frames lost at the end are found).
    n_frames
        The video's frame count (:attr:`VideoInfo.n_frames`) when known.

    Raises
    ------
    PoseBridgeError
        Naming the video: when ffmpeg cannot decode it, reports damage, or
        gives fewer frames than its packets promise (a count mismatch).

    Examples
    --------
    >>> first = next(read_frames("video.mp4", 10, 11))  # doctest: +SKIP
    """
    path = _existing(path)
    iio = ffmpeg("reading a video")
    if size is None:
        info = probe(path)
        size, n_frames = (info.width, info.height), info.n_frames
    width, height = size
    wanted = None if stop is None else max(stop - start, 0)
    if wanted == 0:
        return
    select = (
        rf"select=gte(n\,{start})" if stop is None else rf"select=between(n\,{start}\,{stop - 1})"
    )
    cmd = [iio.get_ffmpeg_exe(), "-hide_banner", "-nostdin", "-loglevel", "error"]
    cmd += ["-noautorotate", "-i", _local(path), "-map", "0:v:0", "-vf", select]
    cmd += ["-fps_mode", "passthrough", "-f", "rawvideo", "-pix_fmt", "rgb24", "-"]
    n_bytes = width * height * 3
    count, ended, finished = 0, False, False
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=log)
        assert process.stdout is not None
        try:
            while wanted is None or count < wanted:
                raw = process.stdout.read(n_bytes)
                # ffmpeg logs damage before it outputs any frame decoded after it, so a
                # frame read while the log is still empty is the frame of its number
                if os.fstat(log.fileno()).st_size:
                    break
                if len(raw) < n_bytes:
                    ended = True
                    break
                yield np.frombuffer(raw, dtype=np.uint8).reshape(height, width, 3)
                count += 1
            else:  # every frame asked for, each read while the log was empty
                finished = True
        finally:  # also when the reader stops early: ffmpeg is never left running
            _stop(process)
            process.stdout.close()
        if finished:  # what ffmpeg said since is about frames after them
            return
        log.seek(0)  # ffmpeg has exited: nothing more is written
        said = _ffmpeg_text(log.read(), path)
    if process.returncode > 0:  # it gave up by itself (not stopped by us)
        raise PoseBridgeError(
            f"{path}: could not be decoded ({said[-1] if said else process.returncode})."
        )
    if said:
        raise _damaged(path, _ffmpeg_says(said[0].encode()), count, start)
    last = n_frames if stop is None or n_frames is None else min(stop, n_frames)
    if ended and last is not None and start + count < last:
        got = f"only frames {start} to {start + count - 1}" if count else "no frame"
        raise PoseBridgeError(
            f"{path}: the video holds {n_frames} frames (0 to {n_frames - 1}) by its "
            f"packets, but ffmpeg decoded {got} of frames {start} to {last - 1}, without "
            "reporting an error. Which frames were left out is not known, so frame numbers "
            "from here on would be uncertain; re-encode the video (e.g. `ffmpeg -i in.mp4 "
            "out.mp4`) to get a file whose frames all decode."
        )


def read_frame(
    path: str | os.PathLike[str], number: int = 0, *, info: VideoInfo | None = None
) -> np.ndarray:
    """One frame of a video (by number, from 0) or an image file, as uint8 RGB.

    An image is returned as shown (its EXIF orientation applied), the frame
    its labels' coordinates refer to. ``info``, the video's :func:`probe` when the
    caller has it already, saves probing it again.

    Raises
    ------
    PoseBridgeError
        When the file cannot be read, the video has no frame ``number``, or
        ffmpeg reports damage before it (see :func:`read_frames`).

    Examples
    --------
    >>> read_frame("video.mp4", 42).shape  # doctest: +SKIP
    (480, 640, 3)
    """
    is_image = Path(path).suffix.lower() in IMAGE_ENDINGS
    path = _existing(path, "image" if is_image else "video")
    if number < 0:
        raise PoseBridgeError(f"{path}: frame numbers start at 0, got {number}.")
    if is_image:
        from PIL import Image, ImageOps, UnidentifiedImageError

        try:
            with Image.open(path) as image:  # as shown: its EXIF orientation applied
                return np.asarray(ImageOps.exif_transpose(image).convert("RGB"))
        except (OSError, UnidentifiedImageError) as error:
            raise PoseBridgeError(f"{path}: could not be read as an image ({error}).") from None
    if info is None:
        info = probe(path)
    if number >= info.n_frames:
        count = info.n_frames
        raise PoseBridgeError(
            f"{path}: the video has {count} frames (0 to {count - 1}); there is no frame {number}."
        )
    size = (info.width, info.height)
    frames = list(read_frames(path, number, number + 1, size=size, n_frames=info.n_frames))
    return frames[0].copy()


#: Encoders that take the ``-crf`` scale for ``quality`` (others take ``-qscale:v``).
_CRF_ENCODERS = ("libx264", "libx264rgb")


@functools.cache
def _encoders() -> frozenset[str]:
    """The names of the video encoders the ffmpeg binary has (asked once)."""
    cmd = [ffmpeg("writing a video").get_ffmpeg_exe(), "-hide_banner", "-nostdin", "-encoders"]
    done = subprocess.run(cmd, capture_output=True, check=False)
    rows = re.findall(r"^ V\S{5} (\S+)", done.stdout.decode(errors="replace"), re.MULTILINE)
    return frozenset(rows)


#: The encoders of the file endings whose containers do not take H.264 (the first that
#: ffmpeg has); every other ending gets H.264.
_ENDING_CODECS = {
    ".wmv": ("msmpeg4",),
    ".asf": ("msmpeg4",),
    ".gif": ("gif",),
    ".apng": ("apng",),
    ".webm": ("libvpx-vp9", "libvpx"),
    ".ogv": ("libtheora",),
    ".ogg": ("libtheora",),
}


def default_codec(path: str | os.PathLike[str]) -> str:
    """The encoder used when none is given, by ``path``'s ending: H.264, except where
    the container does not take it (``.gif``: GIF; ``.webm``: VP9, else VP8; ``.ogv``
    and ``.ogg``: Theora; ``.apng``: APNG; ``.wmv`` and ``.asf``: MS MPEG-4).

    H.264 is ``libx264`` when ffmpeg has it (``libopenh264`` else), as
    imageio-ffmpeg chooses; ``mpeg4`` when ffmpeg has neither.

    Examples
    --------
    >>> default_codec("clip.gif"), default_codec("clip.webm")  # doctest: +SKIP
    ('gif', 'libvpx-vp9')
    >>> default_codec("clip.mp4")  # doctest: +SKIP
    'libx264'
    """
    choices = _ENDING_CODECS.get(Path(path).suffix.lower())
    if choices is not None:  # the first ffmpeg has (else the first: refused, named)
        return next((e for e in choices if e in _encoders()), choices[0])
    return next((e for e in ("libx264", "libopenh264") if e in _encoders()), "mpeg4")


def _writing_command(
    path: str | os.PathLike[str],
    size: tuple[int, int],
    fps: float,
    codec: str | None,
    pix_fmt: str | None,
    quality: float | None,
) -> list[str]:
    """The ffmpeg command that encodes raw RGB frames from its stdin into ``path``."""
    codec = codec or default_codec(path)
    width, height = size
    rate = Fraction(fps).limit_denominator()
    cmd = [ffmpeg("writing a video").get_ffmpeg_exe(), "-hide_banner", "-nostdin", "-y"]
    cmd += ["-loglevel", "error", "-f", "rawvideo", "-vcodec", "rawvideo"]
    cmd += ["-s", f"{width}x{height}", "-pix_fmt", "rgb24", "-r", str(rate), "-i", "-", "-an"]
    cmd += ["-vcodec", codec, "-pix_fmt", pix_fmt or "yuv420p"]
    if quality is not None:  # imageio-ffmpeg's scale: 10 best, 0 worst
        worse = 1 - float(quality) / 10
        if codec in _CRF_ENCODERS:
            cmd += ["-crf", str(int(worse * 51))]
        else:
            cmd += ["-qscale:v", str(int(worse * 30) + 1)]
    if codec in ("libx264", "libopenh264"):
        # H.264 in yuv420p needs even sides: pad (never scale), so pixels keep their place
        cmd += ["-vf", "pad=ceil(iw/2)*2:ceil(ih/2)*2"]
    return [*cmd, _local(Path(path))]


def _ffmpeg_says(
    log: bytes, trial: str | os.PathLike[str] | None = None, path: object = ""
) -> str:
    """The first line ffmpeg wrote (its cause, usually), without the ``[muxer @ 0x..]`` tag.

    The file names ffmpeg was given (``file:<name>``) are shown without the
    prefix, and ``trial`` (a temporary) as ``path``.
    """
    for line in log.decode(errors="replace").splitlines():
        text = re.sub(r"^(\[[^\]]*\] )+", "", line).strip()
        text = re.sub(r"\bfile:", "", text)
        if text:
            return text.replace(str(trial), str(path)) if trial is not None else text
    return ""


#: The frame rates a video is written at: ffmpeg's rate is a fraction of denominator at
#: most 1,000,000 (slower rates become 0), and MP4/MOV time bases hold up to 1 MHz.
MIN_FPS, MAX_FPS = 0.001, 1_000_000.0
#: A written video's rate further than this (relative) from the one asked for is refused.
_RATE_TOLERANCE = 0.01


def check_writing_options(codec: object, pix_fmt: object, quality: object, fps: object) -> None:
    """Refuse option values of the wrong kind or out of range (no ffmpeg run).

    ``fps`` must be from :data:`MIN_FPS` to :data:`MAX_FPS`.
    """
    from posebridge._option_values import expect_number

    for option, value in (("codec", codec), ("pix_fmt", pix_fmt)):
        if value is not None and (not isinstance(value, str) or not value.strip()):
            raise errors.TypeError(
                f"{option} must be the name of an ffmpeg "
                f"{'encoder' if option == 'codec' else 'pixel format'} (or None), "
                f"got {errors.brief(value)} ({type(value).__name__})."
            )
    expect_number(quality, "quality", least=0, most=10, optional=True)
    expect_number(fps, "fps", above=0, optional=True)
    if fps is not None and not MIN_FPS <= float(fps) <= MAX_FPS:  # type: ignore[arg-type]
        raise PoseBridgeError(
            f"fps must be from {MIN_FPS:g} to {MAX_FPS:,.0f} frames per second (the rates "
            f"ffmpeg can write), got {fps!r}."
        )


def check_writing(
    path: str | os.PathLike[str],
    size: tuple[int, int],
    fps: float,
    *,
    codec: str | None = None,
    pix_fmt: str | None = None,
    quality: float | None = 7,
) -> None:
    """Refuse what ffmpeg would not write, before any frame is: encode three black frames.

    The frames go, by the same command as :func:`write_frames`, into a file of
    ``path``'s ending in a temporary folder (removed after), so an encoder or a
    pixel format ffmpeg lacks, a pair it cannot join, an ending it knows no
    container for, or a frame rate the container cannot hold (it reads back at
    another rate) is found before a video is read.

    Raises
    ------
    PoseBridgeError
        Naming ``path``, the options and ffmpeg's reason; a
        :class:`~posebridge.errors.TypeError` for an option of the wrong kind.

    Examples
    --------
    >>> check_writing("out.txt", (64, 48), 10.0)  # doctest: +SKIP
    Traceback (most recent call last):
    ...
    posebridge.errors.PoseBridgeError: out.txt: ffmpeg cannot write this video ...
    """
    check_writing_options(codec, pix_fmt, quality, fps)
    width, height = size
    with tempfile.TemporaryDirectory(prefix="posebridge-") as folder:
        trial = Path(folder) / f"trial{Path(path).suffix}"
        cmd = _writing_command(trial, size, fps, codec, pix_fmt, quality)
        frames = bytes(width * height * 3) * 3  # three: their spacing is the rate
        done = subprocess.run(cmd, input=frames, capture_output=True, check=False)
        held = _written_rate(trial) if done.returncode == 0 else None
    if (limit := _stopped_by_a_limit(done.returncode)) is not None:  # no fault of the codec
        raise PoseBridgeError(f"{path}: could not be written: {limit}.")
    if done.returncode != 0:
        chosen = f"codec={codec or default_codec(path)!r}, pix_fmt={pix_fmt or 'yuv420p'!r}"
        suffix = Path(path).suffix
        ending = f"file ending {suffix!r}" if suffix else "no file ending"
        said = _ffmpeg_says(done.stderr, trial, path) or _exit_text(done.returncode)
        raise PoseBridgeError(
            f"{path}: ffmpeg cannot write this video ({chosen}, {ending}): "
            f"{said.rstrip('.')}. Choose another codec, pix_fmt or file ending "
            "(`ffmpeg -encoders` and `ffmpeg -pix_fmts` list them)."
        )
    # a GIF stores each frame's delay in hundredths of a second (30 fps plays as delays of
    # 3 and 4, about 30 fps); the rate ffmpeg reports back for it is not what it plays at
    rated = Path(path).suffix.lower() != ".gif"
    if rated and held is not None and abs(held - fps) > _RATE_TOLERANCE * fps:
        suffix = Path(path).suffix or "(no ending)"
        raise PoseBridgeError(
            f"{path}: a {suffix} video cannot hold fps={fps:g}: ffmpeg writes it at {held:g} "
            f"fps. Rates from {MIN_FPS:g} to {MAX_FPS:,.0f} fps are allowed where the "
            "container holds them (.avi only up to 1000 fps, .mkv up to about 30,000); "
            "choose another fps or ending (.mp4 and .mov hold them all)."
        )


def _written_rate(path: Path) -> float | None:
    """The frame rate ffmpeg reads back from a video just written (``None``: unknown)."""
    try:
        return probe(path).fps
    except PoseBridgeError:  # an ending ffmpeg writes but cannot read: no rate to compare
        return None


def _exit_text(code: int) -> str:
    """How ffmpeg ended: its exit status, or the signal that stopped it.

    Examples
    --------
    >>> _exit_text(1), _exit_text(-9)
    ('exit status 1', 'stopped by signal SIGKILL')
    """
    if code >= 0:
        return f"exit status {code}"
    try:
        return f"stopped by signal {signal.Signals(-code).name}"
    except ValueError:
        return f"stopped by signal {-code}"


def _stopped_by_a_limit(code: int) -> str | None:
    """Why ffmpeg was stopped when a limit of the system stopped it, else ``None``: the
    file-size limit (SIGXFSZ; Python ignores it, but a child gets it back).

    Examples
    --------
    >>> _stopped_by_a_limit(-signal.SIGXFSZ)
    'the file is too large (the file-size limit was reached: ffmpeg was stopped by SIGXFSZ)'
    >>> _stopped_by_a_limit(1) is None
    True
    """
    if hasattr(signal, "SIGXFSZ") and code == -signal.SIGXFSZ:
        return (
            "the file is too large (the file-size limit was reached: ffmpeg was stopped by "
            "SIGXFSZ)"
        )
    return None


def write_frames(
    path: str | os.PathLike[str],
    size: tuple[int, int],
    fps: float,
    *,
    codec: str | None = None,
    pix_fmt: str | None = None,
    quality: float | None = 7,
) -> Generator[None, np.ndarray | None, None]:
    """A started generator that takes (height, width, 3) uint8 RGB frames via ``send``.

    ``size`` is (width, height). ``codec`` defaults to :func:`default_codec`
    (by ``path``'s ending; H.264 with odd sides padded, never scaled);
    ``pix_fmt`` to ``yuv420p``, what players expect (ffmpeg takes the nearest one
    for an encoder without it, such as GIF's);
    ``quality`` is 0 (worst) to 10 (best), ``None`` for the encoder's default.
    Close it to finish the file: ffmpeg encodes every frame it was sent.
    :func:`abort` (or :func:`writing`, which aborts when its block raises)
    stops ffmpeg at once instead. ffmpeg's messages are kept: when it fails, a
    :class:`~posebridge.errors.PoseBridgeError` naming ``path`` says why (from
    ``send`` or ``close``). An exception raised inside ``send`` (Ctrl-C while
    ffmpeg is busy) stops ffmpeg too.

    Examples
    --------
    >>> writer = write_frames("out.mkv", (64, 48), 10.0, codec="ffv1")  # doctest: +SKIP
    >>> writer.send(np.zeros((48, 64, 3), np.uint8))  # doctest: +SKIP
    >>> writer.close()  # doctest: +SKIP
    """
    check_writing_options(codec, pix_fmt, quality, fps)
    cmd = _writing_command(path, size, fps, codec, pix_fmt, quality)
    writer = _writing(cmd, Path(path))
    writer.send(None)
    return writer


@contextlib.contextmanager
def writing(
    path: str | os.PathLike[str],
    size: tuple[int, int],
    fps: float,
    *,
    codec: str | None = None,
    pix_fmt: str | None = None,
    quality: float | None = 7,
) -> Iterator[Generator[None, np.ndarray | None, None]]:
    """:func:`write_frames` as a context: closed (every frame encoded) when the block
    ends, aborted (:func:`abort`: ffmpeg killed, nothing more encoded) when it raises.

    An interrupt (Ctrl-C, the command line's SIGTERM) thus stops the encoding at
    once, rather than after ffmpeg has encoded the frames it holds (seconds to
    minutes for a slow encoder), so the caller's temporary is removed quickly and no
    ffmpeg is left running if the process is killed soon after.

    Examples
    --------
    >>> with writing("out.mkv", (64, 48), 10.0, codec="ffv1") as writer:  # doctest: +SKIP
    ...     writer.send(np.zeros((48, 64, 3), np.uint8))
    """
    writer = write_frames(path, size, fps, codec=codec, pix_fmt=pix_fmt, quality=quality)
    try:
        yield writer
    except BaseException:
        abort(writer)
        raise
    writer.close()


class _Aborted(Exception):
    """Thrown into a writer by :func:`abort`: stop ffmpeg, write nothing more."""


def abort(writer: Generator[None, np.ndarray | None, None]) -> None:
    """Stop a :func:`write_frames` writer at once: ffmpeg is killed, not left to encode
    the frames it holds; the file it was writing is incomplete (the caller removes it).

    Nothing is raised for ffmpeg's state (the caller is already leaving through
    an error); a writer that has ended already is left as it is.

    Examples
    --------
    >>> writer = write_frames("out.mkv", (64, 48), 10.0, codec="ffv1")  # doctest: +SKIP
    >>> abort(writer)  # doctest: +SKIP
    """
    with contextlib.suppress(StopIteration, _Aborted):
        writer.throw(_Aborted())


#: How long to wait for a killed ffmpeg to end (it ends at once unless the system is stuck).
_KILLED_WAIT = 5.0


def _stop(process: subprocess.Popen[bytes]) -> None:
    """Kill ``process`` when it is still running and wait for it (for a bounded time)."""
    if process.poll() is None:
        process.kill()
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=_KILLED_WAIT)


def _writing(cmd: list[str], path: Path) -> Generator[None, np.ndarray | None, None]:
    """Feed frames to ffmpeg (``cmd``), its messages kept in a temporary file.

    Closed (``GeneratorExit``), it lets ffmpeg encode every frame and waits;
    left through any other exception (:func:`abort`'s, or one raised in ``send``),
    it kills ffmpeg.
    """
    broken = aborted = False
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(
            cmd, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=log
        )
        assert process.stdin is not None
        try:
            while True:
                frame = yield
                if frame is None:
                    continue
                try:
                    process.stdin.write(np.ascontiguousarray(frame, dtype=np.uint8).data)
                except (BrokenPipeError, ConnectionResetError):  # ffmpeg gave up
                    broken = True
                    break
        except GeneratorExit:
            pass
        except _Aborted:
            aborted = True
        except BaseException:  # raised in send (an interrupt): no more frames will come
            aborted = True
            raise
        finally:
            if aborted:  # killed, not waited on to encode what it holds
                _stop(process)
            try:
                process.stdin.close()
            except OSError:  # ffmpeg has gone; its messages say why
                broken = True
            if not aborted:
                try:
                    process.wait()
                except BaseException:  # interrupted while ffmpeg encodes what it holds
                    _stop(process)
                    raise
        if aborted:
            return
        log.seek(0)
        said = _ffmpeg_says(log.read())
    if (limit := _stopped_by_a_limit(process.returncode)) is not None:
        raise PoseBridgeError(f"{path}: could not be written: {limit}.")
    if process.returncode != 0 or broken:
        raise PoseBridgeError(
            f"{path}: ffmpeg could not write the video "
            f"({said.rstrip('.') or _exit_text(process.returncode)})."
        )
