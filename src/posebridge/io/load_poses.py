"""Load poses, with movement's ``load_poses`` names."""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from posebridge import api, errors, model
from posebridge.io._dropin import check_source_software, movement_fps, refuse_unknown_options
from posebridge.io._pose_files import from_lp_file, from_nwb_file, from_sleap_file
from posebridge.io.load import register_loader  # movement's load_poses has it (its decorator)

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
    "register_loader",
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

    return load.load_as("from_file", file, source_software, fps, **options)


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
