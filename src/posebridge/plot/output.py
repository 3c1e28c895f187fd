"""Figures by name and figure files: what ``posebridge plot`` uses."""

from __future__ import annotations

import inspect
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import xarray as xr

from posebridge import errors
from posebridge._option_values import expect_number
from posebridge._output_paths import refuse_folder_name, refuse_writing_onto_input
from posebridge._outputs import atomic_outputs, inputs_kept
from posebridge.errors import PoseBridgeError, expect_bool, expect_path
from posebridge.plot import _mpl, figures

__all__ = ["ENDINGS", "KINDS", "MAX_PIXELS", "default_path", "figure", "save_figure"]

#: The figure functions by name (``posebridge plot --kind``).
KINDS: dict[str, Callable[..., Any]] = {
    "trajectories": figures.trajectories,
    "confidence": figures.confidence,
    "missing": figures.missing,
    "skeleton": figures.skeleton,
}
#: Figure file endings and the matplotlib format of each.
ENDINGS = {".png": "png", ".svg": "svg", ".pdf": "pdf"}
#: The most pixels a figure is drawn with (at its ``dpi``): 2^27, 512 MiB of RGBA.
MAX_PIXELS = 2**27


def figure(ds: xr.Dataset, kind: str = "trajectories", **options: Any) -> Any:
    """Draw the figure ``kind`` of ``ds``; options the kind does not take are an error.

    Parameters
    ----------
    ds
        A poses, boxes or labels dataset.
    kind
        One of :data:`KINDS`.
    **options
        Options of that figure function; ``None`` values are ignored.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import numpy as np
    >>> from posebridge import from_numpy
    >>> fig = figure(from_numpy(np.zeros((3, 2, 1, 1))), "missing", individuals=["id_0"])
    >>> figure(from_numpy(np.zeros((3, 2, 1, 1))), "confidence", frame=2)
    Traceback (most recent call last):
    ...
    posebridge.errors.PoseBridgeError: the confidence figure has no option 'frame'; ...
    """
    if not isinstance(kind, str):
        raise errors.TypeError(
            f"kind must be a figure's name ({', '.join(KINDS)}), got {errors.brief(kind)} "
            f"({type(kind).__name__})."
        )
    if kind not in KINDS:
        raise PoseBridgeError(f"no figure kind {kind!r}; the kinds are: {', '.join(KINDS)}.")
    function = KINDS[kind]
    given = {key: value for key, value in options.items() if value is not None}
    accepted = options_of(kind)
    for key in given:
        if key not in accepted:
            raise PoseBridgeError(
                f"the {kind} figure has no option {key!r}; its options: {', '.join(accepted)}."
            )
    return function(ds, **given)


def options_of(kind: str) -> list[str]:
    """The options (keyword arguments) a figure kind takes, in its signature's order.

    Parameters
    ----------
    kind
        A figure's name, a key of :data:`KINDS`.

    Returns
    -------
    list of str
        Its keyword-only parameters (the command line maps them to its flags).

    Examples
    --------
    >>> options_of("skeleton")
    ['frame', 'individuals', 'video', 'image', 'ax']
    """
    parameters = inspect.signature(KINDS[kind]).parameters.items()
    return [name for name, p in parameters if p.kind is p.KEYWORD_ONLY]


def default_path(source: str | os.PathLike[str], kind: str) -> Path:
    """``<stem>.<kind>.png`` beside ``source``.

    Examples
    --------
    >>> default_path("data/session1.analysis.h5", "missing").as_posix()
    'data/session1.analysis.missing.png'
    """
    source = Path(source)
    if source.name in ("", ".."):  # "." or "a/..": a folder read as one input, by its name
        source = source.resolve()
    if not source.name:
        raise PoseBridgeError(f"{source}: a figure is named after its input; give --out.")
    return source.with_name(f"{source.stem}.{kind}.png")


def save_figure(
    fig: Any, path: str | os.PathLike[str], *, overwrite: bool = False, dpi: int = 120
) -> Path:
    """Write a figure to ``.png``, ``.svg`` or ``.pdf`` (by the ending), atomically.

    Parameters
    ----------
    fig
        A matplotlib figure.
    path
        The file to write; never one of the files the figure was drawn from
        (the dataset's ``source_file``, its ``frame_path`` or ``video_path``,
        the ``video=`` or ``image=`` file, or a link to one), even with
        ``overwrite=True``.
    overwrite
        Replace an existing file.
    dpi
        Resolution of PNG files (dots per inch, above 0), such that the figure
        has at least 1 pixel on each side, at most 2^23 (matplotlib's limit),
        and at most :data:`MAX_PIXELS` in all.

    Returns
    -------
    pathlib.Path
        ``path``.

    Raises
    ------
    PoseBridgeError
        ``path`` is one of the figure's inputs (naming both), its ending is
        not a figure's, or ``dpi`` is out of range.

    Examples
    --------
    >>> save_figure(fig, "poses.png")  # doctest: +SKIP
    PosixPath('poses.png')
    """
    if not isinstance(fig, _mpl.matplotlib().figure.Figure):
        raise errors.TypeError(
            f"fig must be a matplotlib Figure (what the figure functions return), got "
            f"{errors.brief(fig)} ({type(fig).__name__})."
        )
    expect_path(path)
    refuse_folder_name(path)
    expect_bool(overwrite, "overwrite")
    expect_number(dpi, "dpi", above=0)
    width, height = fig.get_size_inches() * float(dpi)
    pixels = f"dpi={dpi} makes the figure {width:.0f} x {height:.0f} pixels"
    if min(width, height) < 1:  # matplotlib would make an empty image: refused before a file
        raise PoseBridgeError(f"{pixels}; it needs at least 1 pixel on each side.")
    if max(width, height) >= 2**23 or width * height > MAX_PIXELS:  # before memory runs out
        raise PoseBridgeError(
            f"{pixels}; a figure may have at most {MAX_PIXELS:,} pixels ({MAX_PIXELS >> 20} "
            "megapixels, 512 MiB of memory while it is drawn) and 2^23 on each side."
        )
    path = Path(path)
    inputs = _mpl.inputs_of(fig)
    for source in inputs:
        refuse_writing_onto_input(source, path, doing="writing the figure there")
    ending = path.suffix.lower()
    if ending not in ENDINGS:
        raise PoseBridgeError(
            f"{path}: a figure is written as {', '.join(ENDINGS)} (by the file's ending), "
            f"not {ending or 'a file without ending'}."
        )
    # PNG without a time stamp, so the same figure gives the same bytes
    metadata = {"Software": None} if ending == ".png" else {"Creator": None}
    if ending == ".pdf":
        metadata["CreationDate"] = None
    if ending == ".svg":
        metadata = {"Date": None, "Creator": None}
    with inputs_kept(*inputs), atomic_outputs([path], overwrite=overwrite) as (temporary,):
        fig.savefig(temporary, format=ENDINGS[ending], dpi=dpi, metadata=metadata)
    return path
