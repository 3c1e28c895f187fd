"""Load bounding boxes, with movement's ``load_bboxes`` names."""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from typing import Any

import numpy as np
import xarray as xr

from posebridge import api, model
from posebridge._option_values import expect_kind
from posebridge.formats.via.read import DEFAULT_FRAME_REGEXP
from posebridge.io._dropin import check_source_software, movement_fps
from posebridge.io.load import register_loader  # movement's load_bboxes has it (its decorator)

__all__ = [
    "DEFAULT_FRAME_REGEXP",
    "from_file",
    "from_numpy",
    "from_via_tracks_file",
    "register_loader",
]

PathLike = str | os.PathLike[str]


def from_numpy(
    position_array: np.ndarray,
    shape_array: np.ndarray,
    confidence_array: np.ndarray | None = None,
    individual_names: Sequence[str] | None = None,
    frame_array: np.ndarray | None = None,
    fps: float | None = None,
    source_software: str | None = None,
) -> xr.Dataset:
    """Build a bounding-box dataset from numpy arrays, as movement's ``from_numpy``.

    As :func:`posebridge.model.bboxes_from_numpy`, with ``attrs["source_software"]``
    always there, ``None`` when not given (as movement; posebridge's writers
    drop a ``None`` attribute).

    Parameters
    ----------
    position_array, shape_array, confidence_array, individual_names, fps
        See :func:`posebridge.model.bboxes_from_numpy`.
    frame_array
        Whole frame numbers, increasing, shape (n_frames, 1) (or (n_frames,)).
        As in movement, ``time`` keeps the array's dtype: float frame numbers
        give a float ``time`` (in frames, or divided by ``fps`` when given);
        :func:`posebridge.model.bboxes_from_numpy` makes them int64.
    source_software
        Recorded in ``attrs["source_software"]``.

    Returns
    -------
    xarray.Dataset
        A bounding-box dataset.

    Examples
    --------
    >>> import numpy as np
    >>> from posebridge.io import load_bboxes
    >>> ds = load_bboxes.from_numpy(np.zeros((3, 2, 1)), np.ones((3, 2, 1)))
    >>> ds.attrs["source_software"] is None
    True
    >>> frames = np.array([[2.0], [4.0], [7.0]])
    >>> ds = load_bboxes.from_numpy(np.zeros((3, 2, 1)), np.ones((3, 2, 1)), frame_array=frames)
    >>> ds.time.values.tolist(), str(ds.time.dtype), ds.attrs["time_unit"]
    ([2.0, 4.0, 7.0], 'float64', 'frames')
    """
    check_source_software(source_software)
    ds = model.bboxes_from_numpy(
        position_array,
        shape_array,
        confidence_array,
        individual_names=individual_names,
        frame_array=frame_array,
        fps=movement_fps(fps),
        source_software=source_software,
    )
    ds.attrs.setdefault("source_software", None)
    ds = ds.drop_vars(model.FRAME, errors="ignore")  # time x fps: as movement, time alone
    if frame_array is None:
        return ds
    # as movement: time holds the frame numbers in the array's own dtype (float frames stay
    # float), divided by the rate when there is one; the checks above used an int64 copy
    time = np.asarray(frame_array).reshape(-1)
    if "fps" in ds.attrs:
        time = time / ds.attrs["fps"]
    return ds.assign_coords({model.TIME: time})


def from_file(
    file: PathLike, source_software: str | None = None, fps: float | None = None, **options: Any
) -> xr.Dataset:
    """Load bounding boxes from any supported file, as :func:`posebridge.io.load.load_dataset`.

    Parameters
    ----------
    file
        The file to read.
    source_software
        A name :func:`~posebridge.io.load.load_dataset` takes, routed as it
        routes it: movement's (``"VIA-tracks"``, ``"DeepLabCut/LightningPose"``,
        ...) or a posebridge format name (``"via"``, ...); ``None`` or
        ``"auto"`` finds it from the content.
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
    from posebridge.io import load

    return load.load_as("from_file", file, source_software, fps, **options)


def from_via_tracks_file(
    file: PathLike,
    fps: float | None = None,
    use_frame_numbers_from_file: bool = False,
    frame_regexp: str | re.Pattern[str] | None = DEFAULT_FRAME_REGEXP,
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
        file name (default :data:`DEFAULT_FRAME_REGEXP`, ``(?<![0-9])([0-9]+)\.\w+$``:
        the whole number before the extension; movement's ``(0\d*)\.\w+$`` read
        ``img_1000.png`` as frame 0). ``None`` is the default too.

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
        expect_kind(frame_regexp, str | re.Pattern, "frame_regexp")  # as movement's re.compile
        options["frame_regexp"] = frame_regexp
    return api.load(file, "via", fps=movement_fps(fps), **options)
