"""One colour per individual, shared by the figures and the rendered videos."""

from __future__ import annotations

__all__ = ["PALETTE", "colour", "colour_rgb"]

#: matplotlib's "tab10" colours, as hex: individual ``i`` gets ``PALETTE[i % 10]``.
PALETTE = (
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#7f7f7f",
    "#bcbd22",
    "#17becf",
)


def colour(index: int) -> str:
    """The hex colour of individual number ``index``.

    Examples
    --------
    >>> colour(0), colour(10)
    ('#1f77b4', '#1f77b4')
    """
    return PALETTE[index % len(PALETTE)]


def colour_rgb(index: int) -> tuple[int, int, int]:
    """The colour of individual number ``index`` as 0-255 RGB.

    Examples
    --------
    >>> colour_rgb(1)
    (255, 127, 14)
    """
    text = colour(index).lstrip("#")
    return (int(text[0:2], 16), int(text[2:4], 16), int(text[4:6], 16))
