"""Load poses, with movement's ``load_poses`` names."""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from posebridge import api, errors, model, registry
from posebridge._files import check_input
from posebridge.io._dropin import check_source_software, movement_fps, refuse_unknown_options

__all__ = [
    "from_anipose_file",
    "from_anipose_style_df",
    "from_dlc_file",
    "from_dlc_style_df",
    "from_file",
    "from_lp_file",
    "from_numpy",
    "from_nwb_file",
    "from_sleap_file",
]

PathLike = str | os.PathLike[str]


def from_numpy(
    position_array: np.ndarray,
    confidence_array: np.ndarray | None = None,
    individual_names: Sequence[str] | None = None,
    keypoint_names: Sequence[str] | None = None,
    fps: float | None = None,
    source_software: str | None = None,
) -> xr.Dataset:
    """Build a poses dataset from numpy arrays, as movement's ``from_numpy``.

    As :func:`posebridge.from_numpy`, with one difference that movement has:
    ``attrs["source_software"]`` is always there, ``None`` when not given.
    (posebridge's writers and :func:`posebridge.validate` drop a ``None``
    attribute; xarray's own ``ds.to_netcdf`` refuses one, as with movement's
    datasets: ``posebridge.save(ds, "poses.nc")`` writes it.)

    Parameters
    ----------
    position_array, confidence_array, individual_names, keypoint_names, fps, source_software
        See :func:`posebridge.from_numpy`.

    Returns
    -------
    xarray.Dataset
        A poses dataset.

    Examples
    --------
    >>> import numpy as np
    >>> from posebridge.io import load_poses
    >>> ds = load_poses.from_numpy(np.zeros((3, 2, 1, 1)))
    >>> ds.attrs["source_software"] is None
    True
    """
    check_source_software(source_software)
    ds = model.from_numpy(
        position_array,
        confidence_array,
        individual_names=individual_names,
        keypoint_names=keypoint_names,
        fps=movement_fps(fps),
        source_software=source_software,
    )
    ds.attrs.setdefault("source_software", None)
    return ds.drop_vars(model.FRAME, errors="ignore")  # 0, 1, ...: as movement, time alone


def _expect_dataframe(df: object) -> None:
    if not isinstance(df, pd.DataFrame):
        raise errors.TypeError(f"Expected 'df' to be a pandas DataFrame, got {type(df).__name__}.")


def from_file(
    file: PathLike, source_software: str | None = None, fps: float | None = None, **options: Any
) -> xr.Dataset:
    """Load poses from any supported file, as :func:`posebridge.io.load.load_dataset`.

    Parameters
    ----------
    file
        The file to read.
    source_software
        A name :func:`~posebridge.io.load.load_dataset` takes, routed as it
        routes it: movement's (``"DeepLabCut"``, ``"SLEAP"``,
        ``"LightningPose"``, ``"DeepLabCut/LightningPose"``, ``"NWB"``...) or
        a posebridge format name (``"dlc"``, ...); ``None`` or ``"auto"``
        finds it from the content.
    fps
        Frames per second, to express time in seconds; ignored for NWB (with
        a ``UserWarning``): NWB files carry their own times.
    **options
        Options of the format's reader.

    Returns
    -------
    xarray.Dataset
        The poses dataset.

    Examples
    --------
    >>> from posebridge.io import load_poses
    >>> ds = load_poses.from_file("pose.h5", "DeepLabCut", fps=30)  # doctest: +SKIP
    """
    from posebridge.io import load

    return load.load_dataset(file, source_software, fps, **options)


def from_dlc_file(file: PathLike, fps: float | None = None, **options: Any) -> xr.Dataset:
    """Load a DeepLabCut .h5 or .csv file (predictions or labels).

    Parameters
    ----------
    file
        The file to read.
    fps
        Frames per second; with it, ``time`` is in seconds and the frame
        numbers stay in the ``frame`` coordinate.
    **options
        ``key=`` picks the HDF5 key.

    Returns
    -------
    xarray.Dataset
        A poses dataset.

    Examples
    --------
    >>> from posebridge.io import load_poses
    >>> ds = load_poses.from_dlc_file("videoDLC_resnet50.h5")  # doctest: +SKIP
    """
    refuse_unknown_options("from_dlc_file", "dlc", options)
    return api.load(file, "dlc", fps=movement_fps(fps), **options)


def from_dlc_style_df(
    df: pd.DataFrame, fps: float | None = None, source_software: str = "DeepLabCut"
) -> xr.Dataset:
    """Build a poses dataset from a DeepLabCut-style DataFrame.

    Parameters
    ----------
    df
        Columns (scorer, [individuals,] bodyparts, coords), rows = frames.
    fps
        Frames per second; with it, ``time`` is in seconds and the frame
        numbers stay in the ``frame`` coordinate.
    source_software
        Recorded in ``attrs["source_software"]``.

    Returns
    -------
    xarray.Dataset
        A poses dataset.

    Examples
    --------
    >>> from posebridge.io import load_poses
    >>> ds = load_poses.from_dlc_style_df(df, fps=30)  # doctest: +SKIP
    """
    from posebridge.formats import dlc as deeplabcut

    _expect_dataframe(df)
    ds = deeplabcut.dataset_from_dataframe(df, source_software=source_software)
    ds = model.with_fps(model.validate(ds), movement_fps(fps))
    ds.attrs["source_software"] = source_software  # None too: movement keeps the attr
    return ds


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


def from_anipose_file(
    file: PathLike, fps: float | None = None, individual_name: str = "id_0", **options: Any
) -> xr.Dataset:
    """Load an Anipose triangulation .csv file.

    Parameters
    ----------
    file
        The file to read.
    fps
        Frames per second; with it, ``time`` is in seconds and the frame
        numbers stay in the ``frame`` coordinate.
    individual_name
        Name of the single individual.
    **options
        None is taken: a keyword raises :class:`posebridge.errors.TypeError`
        (a ``TypeError``, as movement's, and a ``PoseBridgeError``).

    Returns
    -------
    xarray.Dataset
        A poses dataset.

    Examples
    --------
    >>> from posebridge.io import load_poses
    >>> ds = load_poses.from_anipose_file("pose-3d/session.csv")  # doctest: +SKIP
    """
    refuse_unknown_options("from_anipose_file", "anipose", options)
    return api.load(file, "anipose", fps=movement_fps(fps), individual_name=individual_name)


def from_anipose_style_df(
    df: pd.DataFrame, fps: float | None = None, individual_name: str = "id_0"
) -> xr.Dataset:
    """Build a poses dataset from an Anipose-style DataFrame.

    Parameters
    ----------
    df
        The table as Anipose writes it (``<kp>_x`` ... ``fnum``); other
        columns are left out, with a ``UserWarning`` naming them (movement
        ignores them).
    fps
        Frames per second; with it, ``time`` is in seconds and the frame
        numbers stay in the ``frame`` coordinate.
    individual_name
        Name of the single individual.

    Returns
    -------
    xarray.Dataset
        A poses dataset.

    Examples
    --------
    >>> from posebridge.io import load_poses
    >>> ds = load_poses.from_anipose_style_df(df)  # doctest: +SKIP
    """
    from posebridge.formats import anipose

    _expect_dataframe(df)
    ds = anipose.dataset_from_dataframe(
        df, individual_name=individual_name, unknown_columns="ignore"
    )
    return model.with_fps(model.validate(ds), movement_fps(fps))


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
        An unknown keyword (also a ``PoseBridgeError``).

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
    if "combine" in options:
        keys["combine"] = options.pop("combine")
    api.check_options(registry.get("nwb"), keys, "read")  # text, or a number made text
    try:
        return nwb.load_nwb_poses(file, **keys, **options)  # that container, as movement
    except errors.KeyNotFoundError:
        defaults = (processing_module_key, pose_estimation_key) == ("behavior", "PoseEstimation")
        if not defaults:
            raise
    # the defaults, and no such container: every container of the file, combined
    keys.update(processing_module_key=None, pose_estimation_key=None)
    return nwb.load_nwb_poses(file, **keys, **options)
