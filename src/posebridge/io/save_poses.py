"""Save poses, with movement's ``save_poses`` names."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

import pandas as pd
import xarray as xr

from posebridge import api, model

__all__ = [
    "to_anipose_file",
    "to_dlc_file",
    "to_dlc_style_df",
    "to_lp_file",
    "to_nwb_file",
    "to_sleap_analysis_file",
    "to_slp_file",
]

PathLike = str | os.PathLike[str]


def to_dlc_style_df(ds: xr.Dataset, split_individuals: bool = False) -> Any:
    """A DeepLabCut-style DataFrame (or a dict of them, one per individual).

    Parameters
    ----------
    ds
        A poses dataset.
    split_individuals
        One DataFrame per individual (a dict keyed by name) instead of one.

    Returns
    -------
    pandas.DataFrame or dict of str to pandas.DataFrame
        The table(s), columns (scorer, [individuals,] bodyparts, coords).

    Examples
    --------
    >>> from posebridge.io import save_poses
    >>> df = save_poses.to_dlc_style_df(ds)  # doctest: +SKIP
    """
    from posebridge.formats import dlc as deeplabcut

    result: pd.DataFrame | dict[str, pd.DataFrame] = deeplabcut.dataframe_from_dataset(
        model.validate(ds), split_individuals=split_individuals
    )
    return result


def to_dlc_file(
    ds: xr.Dataset,
    file_path: PathLike,
    split_individuals: bool | Literal["auto"] = "auto",
    *,
    overwrite: bool = False,
) -> list[Path]:
    """Write a DeepLabCut .h5 or .csv file (one per individual when split).

    Parameters
    ----------
    ds
        A poses dataset.
    file_path
        The output file, .h5 or .csv.
    split_individuals
        ``True``: one file per individual (``<stem>_<individual><suffix>``);
        ``False``: one file; ``"auto"``: split when there is one individual
        (movement's rule).
    overwrite
        Replace existing files (otherwise ``FileExistsError``).

    Returns
    -------
    list of pathlib.Path
        Every file written.

    Examples
    --------
    >>> from posebridge.io import save_poses
    >>> save_poses.to_dlc_file(ds, "poses.h5")  # doctest: +SKIP
    """
    return api.save(ds, file_path, "dlc", overwrite=overwrite, split_individuals=split_individuals)


def to_lp_file(ds: xr.Dataset, file_path: PathLike, *, overwrite: bool = False) -> list[Path]:
    """Write a LightningPose .csv file (single individual).

    Parameters
    ----------
    ds
        A poses dataset.
    file_path
        The output file.
    overwrite
        Replace an existing file (otherwise ``FileExistsError``).

    Returns
    -------
    list of pathlib.Path
        Every file written.

    Examples
    --------
    >>> from posebridge.io import save_poses
    >>> save_poses.to_lp_file(ds, "video.csv")  # doctest: +SKIP
    """
    return api.save(ds, file_path, "lp", overwrite=overwrite)


def to_sleap_analysis_file(
    ds: xr.Dataset, file_path: PathLike, *, overwrite: bool = False
) -> list[Path]:
    """Write a SLEAP analysis .h5 file (SLEAP's "matlab" layout).

    Parameters
    ----------
    ds
        A poses dataset.
    file_path
        The output file.
    overwrite
        Replace an existing file (otherwise ``FileExistsError``).

    Returns
    -------
    list of pathlib.Path
        Every file written.

    Examples
    --------
    >>> from posebridge.io import save_poses
    >>> save_poses.to_sleap_analysis_file(ds, "video.analysis.h5")  # doctest: +SKIP
    """
    return api.save(ds, file_path, "sleap", overwrite=overwrite)


def to_slp_file(ds: xr.Dataset, file_path: PathLike, *, overwrite: bool = False) -> list[Path]:
    """Write a SLEAP .slp file.

    Parameters
    ----------
    ds
        A poses dataset.
    file_path
        The output file.
    overwrite
        Replace an existing file (otherwise ``FileExistsError``).

    Returns
    -------
    list of pathlib.Path
        Every file written.

    Examples
    --------
    >>> from posebridge.io import save_poses
    >>> save_poses.to_slp_file(ds, "video.slp")  # doctest: +SKIP
    """
    return api.save(ds, file_path, "slp", overwrite=overwrite)


def to_anipose_file(
    ds: xr.Dataset,
    file_path: PathLike,
    *,
    individual: str | None = None,
    overwrite: bool = False,
) -> list[Path]:
    """Write an Anipose triangulation .csv file (3D, one individual).

    Parameters
    ----------
    ds
        A 3D poses dataset.
    file_path
        The output file.
    overwrite
        Replace an existing file (otherwise ``FileExistsError``).
    individual
        Which individual to write when the dataset has several.

    Returns
    -------
    list of pathlib.Path
        The file written.

    Examples
    --------
    >>> from posebridge.io import save_poses
    >>> save_poses.to_anipose_file(ds, "pose-3d/session.csv")  # doctest: +SKIP
    """
    return api.save(ds, file_path, "anipose", overwrite=overwrite, individual=individual)


def to_nwb_file(ds: xr.Dataset, config: Any = None) -> list[Any]:
    """Build in-memory ``pynwb.NWBFile`` objects (one per individual); nothing is written.

    Parameters
    ----------
    ds
        A poses dataset.
    config
        An ``NWBFileSaveConfig`` (or a dict of the same sections).

    Returns
    -------
    list of pynwb.NWBFile
        One per individual, in dataset order.

    Examples
    --------
    >>> from posebridge.io import save_poses
    >>> nwbfiles = save_poses.to_nwb_file(ds)  # doctest: +SKIP
    """
    from posebridge.formats import nwb

    return nwb.build_nwbfiles(model.validate(ds), config=config)
