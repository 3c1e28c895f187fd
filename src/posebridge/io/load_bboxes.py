"""Load bounding boxes, with movement's ``load_bboxes`` names."""

from __future__ import annotations

import os
from typing import Any

import xarray as xr

from posebridge import api, model

__all__ = ["from_file", "from_numpy", "from_via_tracks_file"]

PathLike = str | os.PathLike[str]

from_numpy = model.bboxes_from_numpy


def from_file(
    file: PathLike, source_software: str | None = None, fps: float | None = None, **options: Any
) -> xr.Dataset:
    """Load bounding boxes from any supported file.

    Parameters
    ----------
    file
        The file to read.
    source_software
        A format name, or ``None`` / ``"auto"`` to find it from the content.
    fps
        Frames per second; with it, ``time`` is in seconds and the frame
        numbers stay in the ``frame`` coordinate.
    **options
        Reader options (see ``posebridge formats``).

    Returns
    -------
    xarray.Dataset
        A bboxes dataset.

    Examples
    --------
    >>> from posebridge.io import load_bboxes
    >>> ds = load_bboxes.from_file("tracks.csv", "VIA-tracks")  # doctest: +SKIP
    """
    fmt = None if source_software in (None, "auto") else source_software
    return api.load(file, fmt, fps=fps, **options)


def from_via_tracks_file(
    file: PathLike,
    fps: float | None = None,
    use_frame_numbers_from_file: bool = False,
    frame_regexp: str | None = None,
) -> xr.Dataset:
    r"""Load a VIA tracks .csv file of bounding boxes.

    Parameters
    ----------
    file
        The file to read.
    fps
        Frames per second; with it, ``time`` is in seconds and the frame
        numbers stay in the ``frame`` coordinate.
    use_frame_numbers_from_file
        ``True``: time is the file's frame numbers; ``False``: time counts
        from the first image and the file's numbers stay in ``frame``.
        Gaps are kept either way.
    frame_regexp
        Regular expression with one group that finds the frame number in a
        file name (default ``(0\d*)\.\w+$``, as movement's).

    Returns
    -------
    xarray.Dataset
        A bboxes dataset.

    Examples
    --------
    >>> from posebridge.io import load_bboxes
    >>> ds = load_bboxes.from_via_tracks_file("tracks.csv", fps=30)  # doctest: +SKIP
    """
    options: dict[str, Any] = {"use_frame_numbers_from_file": use_frame_numbers_from_file}
    if frame_regexp is not None:
        options["frame_regexp"] = frame_regexp
    return api.load(file, "via", fps=fps, **options)
