"""matplotlib, imported on first use (the ``plot`` extra), and small axes helpers.

Figures are made with :class:`matplotlib.figure.Figure` directly, never through
pyplot, so nothing depends on (or changes) the interactive backend.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from posebridge import errors
from posebridge.errors import PoseBridgeError

__all__ = ["axes", "check_axes", "matplotlib", "show_image", "space_labels"]


def matplotlib() -> Any:
    """The matplotlib module, or a PoseBridgeError saying how to install it."""
    try:
        import matplotlib
        import matplotlib.axes
        import matplotlib.figure
    except ImportError as error:
        raise PoseBridgeError(
            f"posebridge's figures need matplotlib ({error}). Install it with "
            "`pip install 'posebridge[plot]'`."
        ) from None
    return matplotlib


def check_axes(ax: Any) -> None:
    """Refuse an ``ax`` that is neither ``None`` nor matplotlib axes (a TypeError)."""
    if ax is not None and not isinstance(ax, matplotlib().axes.Axes):
        raise errors.TypeError(
            f"ax must be matplotlib axes (or None), got {errors.brief(ax)} ({type(ax).__name__})."
        )


def axes(ax: Any | None, size: tuple[float, float] = (7.0, 5.0)) -> Any:
    """``ax``, or the axes of a new figure (no pyplot, no global state)."""
    mpl = matplotlib()
    check_axes(ax)
    if ax is not None:
        return ax
    figure = mpl.figure.Figure(figsize=size, layout="constrained")
    return figure.add_subplot()


def show_image(ax: Any, image: np.ndarray) -> None:
    """Draw a still frame with pixel ``(i, j)`` centred on ``x = j``, ``y = i``."""
    height, width = image.shape[:2]
    ax.imshow(image, extent=(-0.5, width - 0.5, height - 0.5, -0.5), zorder=0)


def space_labels(ax: Any, ds: Any, image: bool) -> None:
    """Label the axes with the space names (and unit); image coordinates point y down.

    Without a still frame, a 2D dataset that knows its video's frame size is
    shown on the whole frame.
    """
    unit = ds.attrs.get("space_unit") or ("pixels" if ds.sizes["space"] == 2 else "")
    suffix = f" ({unit})" if unit else ""
    ax.set_xlabel(f"x{suffix}")
    ax.set_ylabel(f"y{suffix}")
    ax.set_aspect("equal", adjustable="box")
    if ds.sizes["space"] != 2 or image:
        return
    width, height = ds.attrs.get("video_width"), ds.attrs.get("video_height")
    if width and height:
        ax.set_xlim(-0.5, float(width) - 0.5)
        ax.set_ylim(float(height) - 0.5, -0.5)
    elif not ax.yaxis_inverted():
        ax.invert_yaxis()
