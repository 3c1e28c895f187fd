"""One colour per individual, shared by the figures and the rendered videos."""

from __future__ import annotations

import colorsys

__all__ = ["PALETTE", "colour", "colour_rgb"]

#: matplotlib's "tab10" colours, then the light halves of "tab20", then "tab20b" and
#: "tab20c", as hex: 60 distinct colours, the first ten those of matplotlib's default
#: cycle. Individual ``i`` gets ``PALETTE[i]``; past them, :func:`colour` goes on with
#: colours spread evenly over hue, saturation and brightness, skipping any colour
#: already given.
PALETTE = (
    # tab10
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
    "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
    # tab20, light halves
    "#aec7e8", "#ffbb78", "#98df8a", "#ff9896", "#c5b0d5",
    "#c49c94", "#f7b6d2", "#c7c7c7", "#dbdb8d", "#9edae5",
    # tab20b
    "#393b79", "#5254a3", "#6b6ecf", "#9c9ede", "#637939",
    "#8ca252", "#b5cf6b", "#cedb9c", "#8c6d31", "#bd9e39",
    "#e7ba52", "#e7cb94", "#843c39", "#ad494a", "#d6616b",
    "#e7969c", "#7b4173", "#a55194", "#ce6dbd", "#de9ed6",
    # tab20c
    "#3182bd", "#6baed6", "#9ecae1", "#c6dbef", "#e6550d",
    "#fd8d3c", "#fdae6b", "#fdd0a2", "#31a354", "#74c476",
    "#a1d99b", "#c7e9c0", "#756bb1", "#9e9ac8", "#bcbddc",
    "#dadaeb", "#636363", "#969696", "#bdbdbd", "#d9d9d9",
)  # fmt: skip

#: The colours given so far, in order: the palette, then the generated ones.
_GIVEN: list[str] = list(PALETTE)
_TAKEN: set[str] = set(PALETTE)
#: steps of the R3 low-discrepancy sequence (1/g, 1/g^2, 1/g^3 for g^4 = g + 1): hue,
#: saturation and value of the generated colours spread evenly, never repeating.
_STEPS = (0.8191725133961645, 0.6710436067037893, 0.5497004779019703)


def _generated(step: int) -> str:
    """The hex colour of the ``step``-th colour past the palette (before skipping).

    Examples
    --------
    >>> _generated(0)
    '#37b9b9'
    """
    hue, shade, light = ((0.5 + step * a) % 1.0 for a in _STEPS)
    red, green, blue = colorsys.hsv_to_rgb(hue, 0.45 + 0.5 * shade, 0.5 + 0.45 * light)
    return "#" + "".join(f"{round(c * 255):02x}" for c in (red, green, blue))


def colour(index: int) -> str:
    """The hex colour of individual number ``index``: a different one for every index.

    Examples
    --------
    >>> colour(0), colour(10), colour(60) != colour(0)
    ('#1f77b4', '#aec7e8', True)
    """
    if index < 0:
        raise ValueError(f"an individual's colour number is 0 or more, got {index}.")
    step = len(_GIVEN) - len(PALETTE)
    while len(_GIVEN) <= index:  # once per colour, ever (not per frame)
        candidate = _generated(step)
        step += 1
        if candidate not in _TAKEN:
            _GIVEN.append(candidate)
            _TAKEN.add(candidate)
    return _GIVEN[index]


def colour_rgb(index: int) -> tuple[int, int, int]:
    """The colour of individual number ``index`` as 0-255 RGB.

    Examples
    --------
    >>> colour_rgb(1)
    (255, 127, 14)
    """
    text = colour(index).lstrip("#")
    return (int(text[0:2], 16), int(text[2:4], 16), int(text[4:6], 16))
