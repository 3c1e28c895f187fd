"""The movement loaders that :func:`posebridge.io.load.load_dataset` routes to.

They are :mod:`posebridge.io.load_poses`' ``from_lp_file``, ``from_sleap_file``
and ``from_nwb_file`` (that module re-exports them); they live here so that
``load_dataset`` reaches them without importing ``load_poses``, whose
``from_file`` calls ``load_dataset``.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np
import xarray as xr

from posebridge import api, errors, model, registry
from posebridge._files import check_input
from posebridge.io._dropin import movement_fps, refuse_unknown_options

__all__ = ["from_lp_file", "from_nwb_file", "from_sleap_file", "with_timestamps_fps"]

PathLike = str | os.PathLike[str]


def from_lp_file(file: PathLike, fps: float | None = None, **options: Any) -> xr.Dataset:
    """Load a LightningPose .csv file.

    Parameters
    ----------
    file
        The file to read.
    fps
        Frames per second; with it, ``time`` is in seconds and the frame
        numbers stay in the ``frame`` coordinate.
    **options
        Reader options (see ``posebridge formats``).

    Returns
    -------
    xarray.Dataset
        A poses dataset of one individual, ``attrs["source_software"] ==
        "LightningPose"`` (as movement, whichever tool wrote the .csv).

    Raises
    ------
    UnknownFormatError
        For a file not ending in ``.csv`` (a ``ValueError``, as movement's).
    FormatError
        For a file of several individuals (a ``ValueError``, as movement's).

    Examples
    --------
    >>> from posebridge.io import load_poses
    >>> ds = load_poses.from_lp_file("video_preds/video.csv")  # doctest: +SKIP
    """
    refuse_unknown_options("from_lp_file", "lp", options)
    path = check_input(file)
    if path.suffix != ".csv":  # movement's validator: LightningPose writes .csv only
        raise errors.UnknownFormatError(
            f"{path}: Unsupported format for 'LightningPose': {path.suffix!r} (it takes .csv; "
            "read a DeepLabCut .h5 file with from_dlc_file)."
        )
    ds = api.load(path, "lp", fps=movement_fps(fps), **options)
    if ds.sizes[model.INDIVIDUAL] > 1:
        raise errors.FormatError(
            path,
            "LightningPose only supports single-individual datasets, but this file holds "
            f"{ds.sizes[model.INDIVIDUAL]} individuals. Did you mean to load it with "
            "from_dlc_file?",
        )
    ds.attrs["source_software"] = "LightningPose"  # as movement: what the caller said
    return ds


def from_sleap_file(file: PathLike, fps: float | None = None, **options: Any) -> xr.Dataset:
    """Load a SLEAP .slp file or analysis .h5 file (told apart by content).

    Parameters
    ----------
    file
        The file to read.
    fps
        Frames per second; with it, ``time`` is in seconds and the frame
        numbers stay in the ``frame`` coordinate.
    **options
        For .slp: ``video=``, ``instances=`` ("prefer_user", the default here
        as in movement: poses along the video's frames; "user": the labelled
        frames, see :mod:`posebridge.labels`; "predicted"; "auto"),
        ``skeleton=``.

    Returns
    -------
    xarray.Dataset
        A poses dataset.

    Examples
    --------
    >>> from posebridge.io import load_poses
    >>> ds = load_poses.from_sleap_file("predictions.slp", fps=30)  # doctest: +SKIP
    """
    found = registry.detect(check_input(file))
    if registry.get(found).family == "SLEAP":  # another file: the SLEAP reader says why not
        refuse_unknown_options("from_sleap_file", found, options)
    if "instances" not in options and found == "slp":
        options["instances"] = "prefer_user"  # movement's reading, even of a file of labels
    return api.load(file, "sleap", fps=movement_fps(fps), **options)


def from_nwb_file(
    file: Any,
    processing_module_key: str = "behavior",
    pose_estimation_key: str = "PoseEstimation",
    **options: Any,
) -> xr.Dataset:
    """Load poses from an NWB file (path or in-memory ``pynwb.NWBFile``).

    Parameters
    ----------
    file
        A path, a list of paths (one per individual) or a ``pynwb.NWBFile``.
    processing_module_key, pose_estimation_key
        The PoseEstimation container read (``processing[module][name]``, as
        movement reads it, defaults included); with the defaults and no such
        container, every container in the file is found and combined.
    **options
        ``combine=`` and ``fps=`` (see ``posebridge formats``).

    Returns
    -------
    xarray.Dataset
        A poses dataset.

    Raises
    ------
    KeyNotFoundError
        When the file has no PoseEstimation under the keys given (also a
        ``KeyError``, as movement raises), naming the containers it holds.
    TypeError
        An unknown keyword, or a key that is not text (``processing_module_key=5``,
        as movement raises; also a ``PoseBridgeError``).

    Examples
    --------
    >>> from posebridge.io import load_poses
    >>> ds = load_poses.from_nwb_file("session.nwb")  # doctest: +SKIP
    """
    from posebridge.formats import nwb

    unknown = [name for name in options if name not in ("combine", "fps")]
    if unknown:
        raise errors.TypeError(
            f"from_nwb_file() got an unexpected keyword argument {unknown[0]!r}: it has no "
            f"option {', '.join(map(repr, unknown))}; it takes: processing_module_key, "
            "pose_estimation_key, combine, fps."
        )
    keys = {
        "processing_module_key": processing_module_key,
        "pose_estimation_key": pose_estimation_key,
    }
    for name, key in keys.items():  # movement looks the key up by name: text only
        # (pose_estimation_key=None: the module's container, as pynwb gives it to movement)
        if not isinstance(key, str) and not (key is None and name == "pose_estimation_key"):
            raise errors.TypeError(
                f"from_nwb_file(): {name} must be text (the name of the "
                f"{'processing module' if name == 'processing_module_key' else 'container'}"
                f" to read), got {type(key).__name__} {errors.brief(key)}."
            )
    if "combine" in options:
        keys["combine"] = options.pop("combine")
    api.check_options(registry.get("nwb"), keys, "read")  # text, or a number made text
    try:  # that container, as movement
        ds, rates = nwb.load_nwb_poses_and_rates(file, **keys, **options)
    except errors.KeyNotFoundError:
        defaults = (processing_module_key, pose_estimation_key) == ("behavior", "PoseEstimation")
        if not defaults:
            raise
        # the defaults, and no such container: every container of the file, combined
        keys.update(processing_module_key=None, pose_estimation_key=None)
        ds, rates = nwb.load_nwb_poses_and_rates(file, **keys, **options)
    if len(set(rates)) == 1 and not ds.attrs.get("fps") and ds.attrs.get("time_unit") == "seconds":
        # every container's own rate, as movement states it reading any one of them (the
        # union of containers on clocks offset from each other steps more often)
        return ds.assign_attrs(fps=rates[0])
    return with_timestamps_fps(ds)


def with_timestamps_fps(ds: xr.Dataset) -> xr.Dataset:
    """A dataset read from series of timestamps (no rate), with movement's ``fps`` of them.

    movement's ``from_nwb_file`` takes a series' rate, else the median of
    ``1 / step`` between its timestamps, rounded to 6 decimals. A dataset
    with an ``fps`` already, times in frames, or fewer than two times (no
    step), is returned as it is. ``time`` keeps the timestamps.

    Parameters
    ----------
    ds
        A poses dataset read from NWB.

    Returns
    -------
    xarray.Dataset
        ``ds``, with ``attrs["fps"]`` when its timestamps give one.

    Examples
    --------
    >>> import numpy as np, posebridge
    >>> ds = posebridge.from_numpy(np.zeros((3, 2, 1, 1)), fps=25)
    >>> seconds = ds.copy()
    >>> del seconds.attrs["fps"]
    >>> with_timestamps_fps(seconds).attrs["fps"]
    25.0
    """
    if ds.attrs.get("fps") or ds.attrs.get("time_unit") != "seconds":
        return ds
    steps = np.diff(np.asarray(ds[model.TIME].values, dtype=np.float64))
    steps = steps[steps > 0]
    if not steps.size:
        return ds
    return ds.assign_attrs(fps=round(float(np.median(1.0 / steps)), 6))
