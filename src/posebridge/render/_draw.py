"""Drawing on video frames with numpy: discs, lines, box outlines, names.

Everything is a *stamp*: a set of pixel offsets (a disc, a name's glyphs)
placed at many anchors at once with fancy indexing. Lines are sampled one
point per pixel along their length (vectorised over every segment) and
stamped with a small disc. There is no Python loop over points, edges or
pixels; a frame costs a few numpy calls.
"""

from __future__ import annotations

import functools
import importlib.util
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

__all__ = [
    "Stamp",
    "clip_segments",
    "disc",
    "draw_lines",
    "missing_glyphs",
    "segment_points",
    "stamp",
    "text_stamp",
    "wide_font_installed",
]

#: A character no font has a glyph for (the last code point, a noncharacter): what it
#: draws is the font's "missing glyph" box.
_NO_GLYPH = "\U0010ffff"


@dataclass(frozen=True)
class Stamp:
    """Pixel offsets (dy, dx) of a shape, with the anchor at (0, 0)."""

    dy: np.ndarray
    dx: np.ndarray


def disc(radius: float) -> Stamp:
    """The pixels within ``radius`` of the centre (one pixel for radius < 1).

    Examples
    --------
    >>> disc(1).dy.size
    5
    """
    r = int(np.ceil(max(radius, 0)))
    dy, dx = np.mgrid[-r : r + 1, -r : r + 1]
    inside = dy**2 + dx**2 <= max(radius, 0) ** 2 + 1e-9
    return Stamp(dy[inside].astype(np.int64), dx[inside].astype(np.int64))


def stamp(
    image: np.ndarray,
    x: np.ndarray,
    y: np.ndarray,
    colours: np.ndarray,
    shape: Stamp,
) -> None:
    """Paint ``shape`` in ``colours[i]`` at each (``x[i]``, ``y[i]``); NaN anchors skipped.

    Parameters
    ----------
    image
        (height, width, 3) uint8, painted in place.
    x, y
        Anchor coordinates in pixels (pixel ``(i, j)`` is centred on ``x=j, y=i``).
    colours
        (n, 3) uint8, one per anchor.
    shape
        The stamp.

    Examples
    --------
    >>> image = np.zeros((5, 5, 3), np.uint8)
    >>> stamp(image, np.array([2.0]), np.array([2.0]), np.array([[9, 9, 9]]), disc(1))
    >>> int((image[..., 0] == 9).sum())
    5
    """
    keep = np.isfinite(x) & np.isfinite(y)
    if not keep.any():
        return
    height, width = image.shape[:2]
    # anchors far outside the frame would overflow int64: clip them beyond the stamp's reach
    reach = int(max(np.abs(shape.dy).max(initial=0), np.abs(shape.dx).max(initial=0))) + 1
    cx = np.rint(np.clip(x[keep], -reach - 1, width + reach)).astype(np.int64)
    cy = np.rint(np.clip(y[keep], -reach - 1, height + reach)).astype(np.int64)
    rows = cy[:, None] + shape.dy[None, :]
    cols = cx[:, None] + shape.dx[None, :]
    inside = (rows >= 0) & (rows < height) & (cols >= 0) & (cols < width)
    paint = np.broadcast_to(colours[keep][:, None, :], (*rows.shape, 3))
    image[rows[inside], cols[inside]] = paint[inside]


def clip_segments(
    x0: np.ndarray,
    y0: np.ndarray,
    x1: np.ndarray,
    y1: np.ndarray,
    box: tuple[float, float, float, float],
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The parts of finite segments inside ``box`` = (xmin, ymin, xmax, ymax)
    (Liang-Barsky, vectorized), and the index of each segment kept.

    Endpoints may be far off (1e300): half-differences keep the arithmetic
    finite. Segments with a non-finite end, or wholly outside, are dropped.

    Examples
    --------
    >>> cut = clip_segments(*(np.array([v]) for v in (5.0, 5.0, 1e300, 5.0)), (0, 0, 9, 9))
    >>> [float(v[0]) for v in cut[:4]], cut[4].tolist()
    ([5.0, 5.0, 9.0, 5.0], [0])
    """
    keep = np.flatnonzero(np.isfinite(x0) & np.isfinite(y0) & np.isfinite(x1) & np.isfinite(y1))
    x0, y0, x1, y1 = x0[keep], y0[keep], x1[keep], y1[keep]
    xmin, ymin, xmax, ymax = box
    half_dx, half_dy = x1 / 2 - x0 / 2, y1 / 2 - y0 / 2  # never overflow
    n = keep.size
    # where a segment enters and leaves the box, as t from (x0, y0) and as 1 - t from
    # (x1, y1), each computed directly, so a clipped end is placed from the segment's
    # end nearer it (a point at 1e300 would leave nothing of a t near 1)
    enter, enter_back = np.zeros(n), np.ones(n)
    leave, leave_back = np.ones(n), np.zeros(n)
    inside = np.ones(n, dtype=bool)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        for p, q, q_back in (
            (-half_dx, (x0 - xmin) / 2, (xmin - x1) / 2),
            (half_dx, (xmax - x0) / 2, (x1 - xmax) / 2),
            (-half_dy, (y0 - ymin) / 2, (ymin - y1) / 2),
            (half_dy, (ymax - y0) / 2, (y1 - ymax) / 2),
        ):
            inside &= (p != 0) | (q >= 0)  # parallel to this edge and outside it
            t, t_back = q / p, q_back / p
            enter = np.where(p < 0, np.maximum(enter, t), enter)
            enter_back = np.where(p < 0, np.minimum(enter_back, t_back), enter_back)
            leave = np.where(p > 0, np.minimum(leave, t), leave)
            leave_back = np.where(p > 0, np.maximum(leave_back, t_back), leave_back)
    inside &= enter <= leave
    x0, y0, x1, y1 = x0[inside], y0[inside], x1[inside], y1[inside]
    half_dx, half_dy = half_dx[inside], half_dy[inside]
    ends = []
    for t, t_back in ((enter[inside], enter_back[inside]), (leave[inside], leave_back[inside])):
        near_start = t <= 0.5
        ends.append(np.where(near_start, x0 + 2 * t * half_dx, x1 - 2 * t_back * half_dx))
        ends.append(np.where(near_start, y0 + 2 * t * half_dy, y1 - 2 * t_back * half_dy))
    return (*ends, keep[inside])


def segment_points(
    x0: np.ndarray,
    y0: np.ndarray,
    x1: np.ndarray,
    y1: np.ndarray,
    limit: int,
    box: tuple[float, float, float, float] | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Points one pixel apart along every segment (NaN segments dropped).

    Returns x, y and the segment index of each point. With ``box`` (xmin,
    ymin, xmax, ymax) each segment is first clipped to it, so the part of a
    segment to a far-off point that crosses the frame is drawn in full;
    ``limit`` caps the points of one segment.

    Examples
    --------
    >>> x, y, owner = segment_points(*(np.array([v]) for v in (0.0, 0.0, 3.0, 0.0)), 100)
    >>> x.tolist(), owner.tolist()
    ([0.0, 1.0, 2.0, 3.0], [0, 0, 0, 0])
    """
    if box is None:
        box = (-np.inf, -np.inf, np.inf, np.inf)
    x0, y0, x1, y1, keep = clip_segments(x0, y0, x1, y1, box)
    with np.errstate(over="ignore", invalid="ignore"):
        length = np.maximum(np.abs(x1 - x0), np.abs(y1 - y0))
    # compare as floats: a huge or infinite length must not be cast to int64 first
    count = np.where(np.isfinite(length) & (length < limit), np.ceil(length), limit)
    count = count.astype(np.int64) + 1
    owner = np.repeat(np.arange(keep.size), count)
    first = np.repeat(np.cumsum(count) - count, count)
    t = (np.arange(owner.size) - first) / np.maximum(count - 1, 1)[owner]
    with np.errstate(over="ignore", invalid="ignore"):
        x = x0[owner] + t * (x1 - x0)[owner]
        y = y0[owner] + t * (y1 - y0)[owner]
    return x, y, keep[owner]


def draw_lines(
    image: np.ndarray,
    x0: np.ndarray,
    y0: np.ndarray,
    x1: np.ndarray,
    y1: np.ndarray,
    colours: np.ndarray,
    thickness: float,
) -> None:
    """Draw segments (x0, y0)-(x1, y1) in ``colours[i]``, ``thickness`` pixels wide."""
    height, width = image.shape[:2]
    margin = thickness / 2 + 2  # a line just outside the frame still shows its width
    box = (-margin, -margin, width - 1 + margin, height - 1 + margin)
    x, y, owner = segment_points(x0, y0, x1, y1, limit=4 * (height + width), box=box)
    if owner.size:
        stamp(image, x, y, colours[owner], disc(thickness / 2))


def text_stamp(text: str, scale: int = 1) -> Stamp:
    """The pixels of ``text`` in the name font, anchored at its bottom-left.

    The name font is Pillow's default font; a text with characters it lacks
    (it has little beyond ASCII: no accented letters, no Cyrillic) is written
    in matplotlib's DejaVu Sans, at the same size, when matplotlib is
    installed (the ``plot`` extra), and it has them.

    Examples
    --------
    >>> bool(text_stamp("ab").dy.max() < 0)
    True
    """
    return _stamp(_font_for(text), text, scale)


def _stamp(font: Any, text: str, scale: int = 1) -> Stamp:
    """The pixels of ``text`` in ``font``, anchored at its bottom-left."""
    from PIL import Image, ImageDraw

    left, top, right, bottom = ImageDraw.Draw(Image.new("L", (1, 1))).textbbox((0, 0), text, font)
    canvas = Image.new("L", (max(right - left, 1) + 2, max(bottom - top, 1) + 2))
    ImageDraw.Draw(canvas).text((1 - left, 1 - top), text, fill=255, font=font)
    mask = np.asarray(canvas) > 127
    if scale > 1:
        mask = mask.repeat(scale, axis=0).repeat(scale, axis=1)
    dy, dx = np.nonzero(mask)
    return Stamp((dy - mask.shape[0]).astype(np.int64), dx.astype(np.int64))


@functools.cache
def _default_font() -> Any:
    """Pillow's default font, loaded once."""
    from PIL import ImageFont

    return ImageFont.load_default()


@functools.cache
def _wide_font() -> Any:
    """matplotlib's DejaVu Sans at the default font's size (``None`` without matplotlib).

    Found beside the installed package, without importing it (an import takes
    a third of a second).
    """
    from PIL import ImageFont

    spec = importlib.util.find_spec("matplotlib")
    for folder in (spec.submodule_search_locations or []) if spec is not None else []:
        path = Path(folder) / "mpl-data" / "fonts" / "ttf" / "DejaVuSans.ttf"
        if path.is_file():
            try:
                return ImageFont.truetype(str(path), getattr(_default_font(), "size", 10))
            except OSError:  # a damaged installation: the default font only
                return None
    return None


def wide_font_installed() -> bool:
    """Whether names beyond ASCII are written in DejaVu Sans (matplotlib is installed).

    Examples
    --------
    >>> isinstance(wide_font_installed(), bool)
    True
    """
    return _wide_font() is not None


def _lacking(font: Any, text: str) -> str:
    """The characters of ``text`` that ``font`` draws as its empty box, each once."""
    box = _stamp(font, _NO_GLYPH)
    return "".join(
        c
        for c in dict.fromkeys(text)  # in the order they come, once each
        if np.array_equal((s := _stamp(font, c)).dy, box.dy) and np.array_equal(s.dx, box.dx)
    )


def _font_for(text: str) -> Any:
    """The font :func:`text_stamp` writes ``text`` in."""
    default = _default_font()
    if text.isascii() or not _lacking(default, text):
        return default
    wide = _wide_font()
    return wide if wide is not None else default


def missing_glyphs(text: str) -> str:
    """The characters of ``text`` that :func:`text_stamp` draws as the font's empty box.

    Neither Pillow's default font nor DejaVu Sans has Chinese, Japanese or
    emoji, for example: each of those is drawn as the same box, so names made
    of them cannot be told apart. Each distinct character is tried once.

    Examples
    --------
    >>> missing_glyphs("mouse"), missing_glyphs("鼠 1")
    ('', '鼠')
    """
    return _lacking(_font_for(text), text)


def stamps_at(
    image: np.ndarray,
    x: np.ndarray,
    y: np.ndarray,
    shapes: Sequence[Stamp],
    colours: np.ndarray,
) -> None:
    """Paint ``shapes[i]`` at (``x[i]``, ``y[i]``) in ``colours[i]`` (a name per track)."""
    if not len(shapes):
        return
    sizes = np.array([s.dy.size for s in shapes])
    dy = np.concatenate([s.dy for s in shapes])
    dx = np.concatenate([s.dx for s in shapes])
    owner = np.repeat(np.arange(len(shapes)), sizes)
    stamp(image, x[owner] + dx, y[owner] + dy, colours[owner], disc(0))
