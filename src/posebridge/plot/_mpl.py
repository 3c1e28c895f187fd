"""matplotlib, imported on first use (the ``plot`` extra), and small axes helpers.

Figures are made with :class:`matplotlib.figure.Figure` directly, never through
pyplot, so nothing depends on (or changes) the interactive backend.
"""

from __future__ import annotations

import os
import weakref
from pathlib import Path
from typing import Any

import numpy as np

from posebridge import errors
from posebridge.errors import PoseBridgeError

__all__ = [
    "axes",
    "check_axes",
    "inputs_of",
    "legend",
    "matplotlib",
    "note_inputs",
    "show_image",
    "space_labels",
]

#: The files each figure was drawn from (see :func:`note_inputs`), by figure.
_INPUTS: weakref.WeakKeyDictionary[Any, tuple[Path, ...]] = weakref.WeakKeyDictionary()


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


#: Legends of more entries than this go outside the axes, in columns of at most
#: :data:`LEGEND_ROWS` entries, so they neither cover the data nor run off the figure.
LEGEND_INSIDE = 10
LEGEND_ROWS = 20


def legend(ax: Any, title: str) -> Any:
    """The axes' legend: at the upper right inside for a few entries; for more than
    :data:`LEGEND_INSIDE`, beside the axes on the right, in columns of at most
    :data:`LEGEND_ROWS` (the constrained layout makes room for it).

    Parameters
    ----------
    ax
        A matplotlib ``Axes`` whose artists carry labels.
    title
        The legend's title.

    Returns
    -------
    matplotlib.legend.Legend
    """
    count = len(ax.get_legend_handles_labels()[1])
    if count <= LEGEND_INSIDE:
        return ax.legend(title=title, fontsize="small", loc="upper right")
    columns = -(-count // LEGEND_ROWS)
    return ax.legend(
        title=title,
        fontsize="small",
        loc="upper left",
        bbox_to_anchor=(1.02, 1.0),
        borderaxespad=0.0,
        ncols=columns,
    )


def note_inputs(figure: Any, ds: Any, *files: object) -> Any:
    """Remember the files ``figure`` was drawn from; return ``figure``.

    They are the dataset's own file (``source_file``), the still frames it
    names (``frame_path``, ``video_path``) and the files given (``video=``,
    ``image=``; arrays are skipped), made absolute against the working folder
    of the drawing call, so a later change of folder does not hide them. A
    figure drawn in several calls (one ``ax`` after another) keeps every
    call's. :func:`posebridge.plot.save_figure` refuses to write the figure
    onto one of them.

    Examples
    --------
    >>> import numpy as np
    >>> from posebridge import from_numpy
    >>> figure = matplotlib().figure.Figure()
    >>> ds = from_numpy(np.zeros((2, 2, 1, 1))).assign_attrs(source_file="a.h5")
    >>> [p.name for p in inputs_of(note_inputs(figure, ds, "v.mp4", np.zeros((2, 2))))]
    ['a.h5', 'v.mp4']
    """
    named = [ds.attrs.get(key) for key in ("source_file", "frame_path", "video_path")]
    found = [
        Path(os.fspath(f)).absolute()
        for f in (*named, *files)
        if isinstance(f, str | os.PathLike) and str(f)
    ]
    _INPUTS[figure] = (*_INPUTS.get(figure, ()), *found)
    return figure


def inputs_of(figure: Any) -> tuple[Path, ...]:
    """The files ``figure`` was drawn from (see :func:`note_inputs`).

    Examples
    --------
    >>> inputs_of(matplotlib().figure.Figure())
    ()
    """
    return _INPUTS.get(figure, ())
