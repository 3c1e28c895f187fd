"""Poses drawn on their video: keypoints, skeleton edges, boxes and track names.

:func:`render` reads the video with ffmpeg (the ``video`` extra), draws each
frame's poses with numpy (:mod:`posebridge.render._draw`: no loop per point or
pixel) and writes a new video. A video frame gets the poses whose frame number
(``model.frame_numbers``: the ``frame`` coordinate, or time in frames, or time
x fps) equals its own number: poses are never matched by position, so gaps in
the tracking leave frames undrawn rather than shifting every later pose.
"""

from __future__ import annotations

import contextlib
import functools
import os
import re
import subprocess
import sys
import warnings
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import xarray as xr

from posebridge import _video, model
from posebridge._colours import colour_rgb
from posebridge._option_values import expect_kind, expect_number
from posebridge._output_paths import refuse_folder_name, refuse_writing_onto_input
from posebridge._outputs import atomic_outputs
from posebridge.errors import (
    PoseBridgeError,
    SchemaError,
    expect_bool,
    expect_dataset,
    expect_path,
    user_stacklevel,
)
from posebridge.model import labels
from posebridge.render import _draw

__all__ = ["FrameRange", "match_frames", "refuse_sequence_pattern", "render"]

FrameRange = tuple[int | None, int | None]


#: ffmpeg's image-sequence pattern: ``%d``, ``%03d`` (one file per frame, numbered).
_SEQUENCE_PATTERN = re.compile(r"%\d*d")


@functools.cache
def _image_endings() -> frozenset[str] | None:
    """The endings ffmpeg writes as numbered images (its ``image2`` muxer), or ``None``.

    ffmpeg picks the ``image2`` muxer for a name with a number pattern whose
    ending is an image format's; every other muxer (``.mp4``, ``.mkv``, ...)
    takes the name as it is. ``None`` when ffmpeg does not list the endings.
    """
    exe = _video.ffmpeg("writing a video").get_ffmpeg_exe()
    cmd = [exe, "-hide_banner", "-nostdin", "-h", "muxer=image2"]
    done = subprocess.run(cmd, capture_output=True, check=False)
    found = re.search(r"Common extensions: ([\w,]+)", done.stdout.decode(errors="replace"))
    return frozenset(found.group(1).lower().split(",")) if found else None


def refuse_sequence_pattern(out: str | os.PathLike[str]) -> None:
    """Refuse an output name that ffmpeg would write as an image sequence.

    ffmpeg writes ``i%d.png`` as ``i1.png``, ``i2.png``, ... (one file per
    frame, for the endings of its image muxer); :func:`render` writes one
    file, through a temporary named after ``out``, so those files would be
    named after the temporary and left behind. Any other ending (``.mp4``,
    ``.mkv``) is written under the name as it is, ``%d`` included. When ffmpeg
    does not say which endings are images, every name with a pattern is refused.

    Raises
    ------
    PoseBridgeError
        Naming ``out`` and the pattern.

    Examples
    --------
    >>> refuse_sequence_pattern("clip%d.mp4")  # doctest: +SKIP
    >>> refuse_sequence_pattern("frame%03d.png")  # doctest: +SKIP
    Traceback (most recent call last):
    ...
    posebridge.errors.PoseBridgeError: frame%03d.png: '%03d' in the name is ffmpeg's ...
    """
    out = Path(out)
    found = _SEQUENCE_PATTERN.search(out.name)
    if found is None:
        return
    images = _image_endings()
    if images is not None and out.suffix.lower().lstrip(".") not in images:
        return
    raise PoseBridgeError(
        f"{out}: {found.group()!r} in the name is ffmpeg's image-sequence pattern (one "
        "numbered file per frame); render writes one video file: choose a name without "
        "it (e.g. .mp4 or .mkv)."
    )


def match_frames(ds: xr.Dataset, first: int, last: int) -> np.ndarray:
    """For video frames ``first..last``, the time index of their poses (-1: none).

    Examples
    --------
    >>> import numpy as np
    >>> from posebridge import model
    >>> ds = model.from_numpy(np.zeros((3, 2, 1, 1))).assign_coords(time=[2, 3, 6])
    >>> match_frames(ds, 1, 6).tolist()
    [-1, 0, 1, -1, -1, 2]
    """
    from posebridge.plot._select import named

    numbers = model.frame_numbers(ds)
    if numbers is None:
        raise PoseBridgeError(
            f"{named(ds)}the poses' time is in seconds with neither fps nor frame numbers, so "
            "they cannot be matched to video frames; load them with fps (--fps)."
        )
    order = np.argsort(numbers, kind="stable")
    repeated = np.flatnonzero(np.diff(numbers[order]) == 0)
    if repeated.size:
        frame = numbers[order[repeated[0]]]
        steps = np.flatnonzero(numbers == frame).tolist()
        raise PoseBridgeError(
            f"{named(ds)}several time steps of the poses have the same frame number: "
            f"{len(steps)} steps (indices {steps}) are at frame {frame}"
            f"{'' if np.unique(numbers[order[repeated]]).size == 1 else ', and others too'}; "
            "give each time step its own frame number."
        )
    lookup = np.full(last - first + 1, -1, dtype=np.int64)
    inside = (numbers >= first) & (numbers <= last)
    lookup[numbers[inside] - first] = np.flatnonzero(inside)
    return lookup


def _poses_for_video(ds: xr.Dataset, video: Path) -> xr.Dataset:
    """Predictions as they are; the labelled frames of ``video`` as poses at their frame
    numbers (which labelled frames: :func:`posebridge.plot._still.video_of_labels`).
    """
    from posebridge.plot._select import named
    from posebridge.plot._still import video_of_labels

    if not labels.is_labels(ds):
        return ds
    chosen = video_of_labels(ds, video, doing="render")
    try:
        return labels.as_poses(ds, video=chosen)
    except SchemaError as error:
        raise PoseBridgeError(
            f"{named(ds)}the labelled frames cannot be drawn on {video}: {error}"
        ) from None


def _check_drawable(ds: xr.Dataset, video: Path) -> None:
    """Refuse poses that cannot be drawn on a video: 3D, or nothing to draw."""
    from posebridge.plot._select import flat_only, named

    flat_only(ds, video)
    counted = ((model.INDIVIDUAL, "individuals"), (model.KEYPOINT, "keypoints"))
    empty = [what for dim, what in counted if dim in ds["position"].dims and not ds.sizes[dim]]
    if empty:
        raise PoseBridgeError(
            f"{named(ds)}the poses have no {' and no '.join(empty)}: there is nothing to draw "
            f"on {video}."
        )


def _range(
    ds: xr.Dataset, numbers: np.ndarray, frames: FrameRange | None, n_video: int, video: Path
) -> range:
    """The video frames to write: ``frames`` (either end ``None``: the poses' first or
    last frame), refused when it holds no poses or the poses (frame numbers ``numbers``)
    reach past the video's end (:func:`posebridge.plot._still.frames_past_video`)."""
    from posebridge.plot._select import named
    from posebridge.plot._still import frames_past_video

    at = named(ds)
    if numbers.size == 0:
        raise PoseBridgeError(f"{at}the poses have no time steps to render.")
    if numbers.min() < 0:
        raise PoseBridgeError(f"{at}the poses have negative frame numbers ({numbers.min()}).")
    too_short = frames_past_video(ds, numbers, n_video, video)
    if too_short is not None:
        raise PoseBridgeError(too_short)
    start, end = frames if frames is not None else (None, None)
    asked = f"{'' if start is None else start}:{'' if end is None else end}"  # as typed
    given = [int(v) for v in (start, end) if v is not None]
    if min(given, default=0) < 0 or (len(given) == 2 and given[1] < given[0]):
        raise PoseBridgeError(f"{at}the frame range {asked} (frames=) is empty or negative.")
    first = int(numbers.min()) if start is None else int(start)
    last = int(numbers.max()) if end is None else int(end)
    if last >= n_video:
        raise PoseBridgeError(
            f"{video}: the frame range {asked} ends after the video's last frame ({n_video - 1})."
        )
    if first > last or not ((numbers >= first) & (numbers <= last)).any():
        raise PoseBridgeError(
            f"{at}the frame range {asked} holds no poses: the poses' frames run from "
            f"{numbers.min()} to {numbers.max()}."
        )
    return range(first, last + 1)


def _warn_of_names_without_glyphs(ds: xr.Dataset, track_names: list[str]) -> None:
    """Warn, naming them, of the track names whose characters the name font lacks."""
    from posebridge.plot._select import named

    lacking = {name: _draw.missing_glyphs(name) for name in track_names}
    lacking = {name: chars for name, chars in lacking.items() if chars}
    if not lacking:
        return
    chars = "".join(dict.fromkeys("".join(lacking.values())))
    warnings.warn(
        f"{named(ds)}the track names {list(lacking)} are drawn with empty boxes in place of "
        f"{chars!r}: the font render writes names in has no glyph for them ("
        + (
            "matplotlib's DejaVu Sans, which has accented, Greek and Cyrillic letters but no "
            "Chinese, Japanese or emoji"
            if _draw.wide_font_installed()
            else "Pillow's default font, which has little beyond ASCII: install the plot extra, "
            "matplotlib, to draw accented, Greek and Cyrillic letters"
        )
        + "); rename the tracks to tell them apart in the video, or pass names=False "
        "(--no-names).",
        UserWarning,
        stacklevel=user_stacklevel(),
    )


class _Painter:
    """Draws one time step of the poses (or boxes) on a frame, all tracks at once."""

    def __init__(
        self,
        ds: xr.Dataset,
        rows: np.ndarray,
        size: tuple[int, int],
        radius: float | None,
        thickness: float | None,
        names: bool,
        min_confidence: float | None,
    ) -> None:
        width, height = size
        scale = min(width, height)
        self.radius = max(2.0, scale / 160) if radius is None else float(radius)
        self.thickness = max(1.0, scale / 320) if thickness is None else float(thickness)
        self.boxes = ds.attrs["ds_type"] == model.BBOXES
        chosen = ds.isel({model.TIME: rows})  # read once: only the rendered time steps
        order = (model.TIME, model.INDIVIDUAL, ..., model.SPACE)
        position = np.asarray(chosen["position"].transpose(*order).values, dtype=float)
        if not self.boxes:  # (time, individual, keypoint, space)
            if min_confidence is not None and "confidence" in chosen:
                conf = model.confidence_per_keypoint(chosen)
                conf = np.asarray(conf.transpose(model.TIME, model.INDIVIDUAL, ...).values)
                position = np.where((conf < min_confidence)[..., None], np.nan, position)
        else:  # (time, individual, space) -> add a keypoint axis of 1
            shape = np.asarray(chosen["shape"].transpose(*order).values, dtype=float)
            if min_confidence is not None and "confidence" in chosen:  # (time, individual)
                conf = chosen["confidence"].transpose(model.TIME, model.INDIVIDUAL).values
                low = np.asarray(conf, dtype=float) < min_confidence
                position = np.where(low[..., None], np.nan, position)
                shape = np.where(low[..., None], np.nan, shape)
            position = position[:, :, None, :]
            self.shape = shape
        self.position = position[..., :2]
        n_individuals = position.shape[1]
        from posebridge.plot._select import colour_numbers

        self.colours = np.array([colour_rgb(n) for n in colour_numbers(ds)], dtype=np.uint8)
        self.edges = np.zeros((0, 2), dtype=np.int64)
        if not self.boxes and "skeleton_edges" in ds:
            index = {str(k): i for i, k in enumerate(ds[model.KEYPOINT].values)}
            pairs = np.asarray(ds["skeleton_edges"].values).astype(str).reshape(-1, 2)
            known = [(index[a], index[b]) for a, b in pairs if a in index and b in index]
            self.edges = np.array(known, dtype=np.int64).reshape(-1, 2)
        track_names = [str(n) for n in ds[model.INDIVIDUAL].values]
        text_scale = max(1, round(scale / 480))
        self.names = [_draw.text_stamp(n, text_scale) for n in track_names] if names else []
        if names:
            _warn_of_names_without_glyphs(ds, track_names)
        self.name_widths = np.array([s.dx.max(initial=0) + 1 for s in self.names], dtype=float)
        self.dark = np.zeros((n_individuals, 3), dtype=np.uint8)
        self.disc, self.rim = _draw.disc(self.radius), _draw.disc(self.radius + 1)

    def __call__(self, image: np.ndarray, t: int) -> None:
        points = self.position[t]  # (individual, keypoint, 2)
        n_ind, n_kp = points.shape[:2]
        owner = np.repeat(np.arange(n_ind), n_kp)
        if self.boxes:
            self._boxes(image, t)
        elif self.edges.size:
            a, b = points[:, self.edges[:, 0]], points[:, self.edges[:, 1]]  # (ind, edge, 2)
            edge_owner = np.repeat(np.arange(n_ind), self.edges.shape[0])
            a, b = a.reshape(-1, 2), b.reshape(-1, 2)
            _draw.draw_lines(
                image, a[:, 0], a[:, 1], b[:, 0], b[:, 1], self.colours[edge_owner], self.thickness
            )
        flat = points.reshape(-1, 2)
        if not self.boxes:
            x, y = flat[:, 0], flat[:, 1]
            _draw.stamp(image, x, y, self.dark[owner], self.rim)
            _draw.stamp(image, x, y, self.colours[owner], self.disc)
        if self.names:
            self._names(image, points, t)

    def _corners(self, t: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        centre, size = self.position[t, :, 0], self.shape[t, :, :2]
        return (
            centre[:, 0] - size[:, 0] / 2,
            centre[:, 1] - size[:, 1] / 2,
            centre[:, 0] + size[:, 0] / 2,
            centre[:, 1] + size[:, 1] / 2,
        )

    def _boxes(self, image: np.ndarray, t: int) -> None:
        left, top, right, bottom = self._corners(t)
        x0 = np.concatenate([left, right, right, left])
        y0 = np.concatenate([top, top, bottom, bottom])
        x1 = np.concatenate([right, right, left, left])
        y1 = np.concatenate([top, bottom, bottom, top])
        colours = np.tile(self.colours, (4, 1))
        _draw.draw_lines(image, x0, y0, x1, y1, colours, self.thickness + 1)

    def _names(self, image: np.ndarray, points: np.ndarray, t: int) -> None:
        if self.boxes:
            left, top, _, _ = self._corners(t)
            x, y = left, top - self.thickness - 2
        else:  # centred above the highest point of each track
            y_all = np.where(np.isnan(points[..., 1]), np.inf, points[..., 1])
            top = np.argmin(y_all, axis=1)
            pick = np.arange(points.shape[0])
            x = points[pick, top, 0] - self.name_widths / 2
            y = points[pick, top, 1] - self.radius - 4
        _draw.stamps_at(image, x + 1, y + 1, self.names, self.dark)
        _draw.stamps_at(image, x, y, self.names, self.colours)


def _check_pixels(option: str, value: float | None, largest: int) -> None:
    """Refuse a radius or line width that is not a number of pixels within the frame.

    A disc is drawn from a square of (2 x radius)^2 offsets, so a radius far
    beyond the frame (1e5) would allocate tens of GB before drawing anything.
    """
    if value is None:
        return
    number = float(value)
    if not np.isfinite(number) or not 0 < number <= largest:
        raise PoseBridgeError(
            f"{option} must be a number of pixels above 0 and at most the frame's larger side "
            f"({largest}), got {value}."
        )


def _check_options(ds: object, video: object, out: object, options: dict[str, object]) -> None:
    """Refuse arguments of the wrong kind before any file is opened (see :func:`render`)."""
    expect_dataset(ds)
    expect_path(video, "video")
    expect_path(out, "out")
    refuse_folder_name(out)
    expect_kind(options["frames"], FrameRange | None, "frames")
    expect_kind(options["individuals"], Sequence[str] | str | None, "individuals")
    for name in ("radius", "thickness"):
        expect_number(options[name], name, above=0, optional=True)
    expect_number(options["min_confidence"], "min_confidence", optional=True)
    for name in ("names", "overwrite"):
        expect_bool(options[name], name)
    if options["progress"] is not None:
        expect_bool(options["progress"], "progress")
    _video.check_writing_options(
        options["codec"], options["pix_fmt"], options["quality"], options["fps"]
    )


def render(
    ds: xr.Dataset,
    video: str | os.PathLike[str],
    out: str | os.PathLike[str],
    *,
    frames: FrameRange | None = None,
    individuals: Sequence[str] | str | None = None,
    radius: float | None = None,
    thickness: float | None = None,
    names: bool = True,
    min_confidence: float | None = None,
    fps: float | None = None,
    codec: str | None = None,
    pix_fmt: str | None = None,
    quality: float | None = 7,
    overwrite: bool = False,
    progress: bool | None = None,
) -> Path:
    """Write ``video`` with the poses of ``ds`` drawn on each frame.

    Parameters
    ----------
    ds
        Poses, boxes, or labelled frames (of several videos: those of ``video``,
        found by file name without ending). Their frame numbers
        (``frame`` coordinate, time in frames, or time x fps) say which video
        frame each time step belongs to.
    video
        The video the poses were made from.
    out
        The new video (``.mp4``: H.264; any ending ffmpeg knows). Never the
        video or the poses' own file (``ds.attrs["source_file"]``).
    frames
        (first, last) video frame numbers, inclusive; default: the poses'
        first to last frame. Frames in the range without poses are written
        as they are.
    individuals
        Tracks to draw (a name or a list of names; default: all).
    radius, thickness
        Keypoint disc radius and line width in pixels (default: from the
        frame size).
    names
        Write each track's name above it.
    min_confidence
        Leave out points whose confidence is below this.
    fps
        Frame rate of the output (default: the video's).
    codec, pix_fmt, quality
        ffmpeg encoder, output pixel format and quality (0 worst to 10 best;
        ``None``: the encoder's default). The codec follows ``out``'s ending:
        H.264 (``yuv420p``, for players), but GIF for ``.gif``, VP9 for
        ``.webm``, Theora for ``.ogv``, MS MPEG-4 for ``.wmv``.
        ``codec="ffv1", pix_fmt="bgr0"`` in ``.mkv`` is lossless. Three black
        frames are encoded first (into a temporary folder, and read back for
        their rate), so an encoder, pixel format, file ending or rate ffmpeg
        cannot write is refused before the video is read.
    overwrite
        Replace an existing ``out``. The video is written to a temporary file
        and renamed; an error or an interrupt (Ctrl-C) stops both ffmpegs at once
        (the encoder is killed, not left to encode the frames it holds) and
        removes the temporary.
    progress
        Show a progress bar (tqdm) on standard error; ``None`` (default): when
        standard error is a terminal, as ``convert`` and ``convert_many`` do.

    Returns
    -------
    pathlib.Path
        ``out``.

    Raises
    ------
    posebridge.errors.TypeError
        For an argument of the wrong type (``radius="3"``, ``names="no"``,
        ``frames=5``), before any file is opened.
    PoseBridgeError
        When the video cannot be opened, is shorter than the poses, is not
        the dataset's ``video_width`` x ``video_height``, or ffmpeg reports
        damage in it (lost frames would put poses on the wrong frames); when
        the range holds no poses; for 3D poses (world coordinates are not
        pixels), labelled still images (no video), labels of several videos
        none of which (or more than one) is ``video``, poses with no keypoints
        or individuals; for an option value out of range or one ffmpeg
        cannot write (naming ``out``, the option and ffmpeg's reason); for an
        ``fps`` outside 0.001 to 1,000,000 or one ``out``'s container cannot
        hold (ffmpeg would write another rate); for an
        ``out`` that is the video or the dataset's ``source_file`` (a link to
        one too), even with ``overwrite=True``, or an image-sequence name such
        as ``frame%03d.png`` (see :func:`refuse_sequence_pattern`).

    Warns
    -----
    UserWarning
        When the poses' ``fps`` and the video's frame rate differ: poses are
        drawn on video frames by frame number, not by time. When labels of one
        video are drawn on a video of another file name.

    Examples
    --------
    >>> import posebridge
    >>> from posebridge.render import render
    >>> ds = posebridge.load("video1DLC_resnet50.h5")  # doctest: +SKIP
    >>> render(ds, "video1.mp4", "video1.poses.mp4", frames=(0, 299))  # doctest: +SKIP
    PosixPath('video1.poses.mp4')
    """
    from tqdm.auto import tqdm

    options = {
        "frames": frames, "individuals": individuals, "radius": radius, "thickness": thickness,
        "names": names, "min_confidence": min_confidence, "fps": fps, "codec": codec,
        "pix_fmt": pix_fmt, "quality": quality, "overwrite": overwrite, "progress": progress,
    }  # fmt: skip
    from posebridge.plot._select import check_model, named, select
    from posebridge.plot._still import size_mismatch, warn_of_another_rate

    _check_options(ds, video, out, options)
    out = Path(out)
    refuse_sequence_pattern(out)
    for source in (ds.attrs.get("source_file"), video):  # even with overwrite=True
        if source:
            refuse_writing_onto_input(str(source), out, doing="writing the video there")
    check_model(ds)
    ds = _poses_for_video(ds, Path(video))
    if model.VIEW in ds.dims:  # before select, which would show the first view
        raise PoseBridgeError(
            f"{named(ds)}the poses have {ds.sizes[model.VIEW]} camera views; render one: "
            "ds.sel(view=...)."
        )
    if individuals is not None:
        ds = select(ds, individuals=individuals)
    _check_drawable(ds, Path(video))
    info = _video.probe(video)
    wrong_size = size_mismatch(ds, info.width, info.height, str(info.path))
    if wrong_size is not None:
        raise PoseBridgeError(wrong_size)
    warn_of_another_rate(ds, info.fps, info.path)
    for option, value in (("radius", radius), ("thickness", thickness)):
        _check_pixels(option, value, max(info.width, info.height))
    rate = fps or info.fps or ds.attrs.get("fps") or 30.0
    size = (info.width, info.height)
    _video.check_writing(out, size, float(rate), codec=codec, pix_fmt=pix_fmt, quality=quality)
    numbers = model.frame_numbers(ds)
    if numbers is None:
        match_frames(ds, 0, 0)  # raises the explanation
    assert numbers is not None
    span = _range(ds, numbers, frames, info.n_frames, info.path)
    lookup = match_frames(ds, span.start, span.stop - 1)
    used = lookup[lookup >= 0]
    painter = _Painter(
        ds, used, (info.width, info.height), radius, thickness, names, min_confidence
    )
    step_of = np.full(lookup.shape, -1, dtype=np.int64)  # video frame -> row of `used`
    step_of[lookup >= 0] = np.arange(used.size)
    written = 0
    show = sys.stderr.isatty() if progress is None else progress
    with atomic_outputs([out], overwrite=overwrite) as (temporary,):
        # an interrupt or error stops both ffmpegs at once (the writer's is killed, not
        # left to encode the frames it holds); success lets the writer encode them all
        with (
            _video.writing(
                temporary, size, float(rate), codec=codec, pix_fmt=pix_fmt, quality=quality
            ) as writer,
            contextlib.closing(
                _video.read_frames(
                    info.path, span.start, span.stop, size=size, n_frames=info.n_frames
                )
            ) as frames_in,
            tqdm(total=len(span), unit="frame", desc=out.name, disable=not show) as bar,
        ):
            for k, frame in enumerate(frames_in):
                image = frame.copy()
                if step_of[k] >= 0:
                    painter(image, int(step_of[k]))
                writer.send(image)
                written += 1
                bar.update()
        if written < len(span):
            raise PoseBridgeError(
                f"{info.path}: the video ended after {span.start + written} frames, "
                f"before frame {span.stop - 1}."
            )
    return out
