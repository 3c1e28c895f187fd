"""load() and save(): pick the format, run its reader or writer, validate."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pandas as pd
import xarray as xr

from posebridge import model, registry
from posebridge._files import check_input
from posebridge.errors import FormatError, PoseBridgeError, UnknownFormatError
from posebridge.model import labels

__all__ = ["formats", "load", "save"]

PathLike = str | os.PathLike[str]


def load(
    path: PathLike,
    format: str | None = None,
    *,
    fps: float | None = None,
    **options: Any,
) -> xr.Dataset:
    """Read a pose-tracking file into a dataset.

    Parameters
    ----------
    path
        The file to read; a folder for the formats that read one (TRex's
        per-individual ``.npz`` files, idtracker.ai's CSV folder).
    format
        A format name (``dlc``, ``lp``, ``sleap``, ``slp``, ``sleap-csv``,
        ``anipose``, ``via``, ``nwb``, ``netcdf``, ``trex``, ``idtracker``,
        ``dannce``, or movement's ``source_software`` names),
        case-insensitive. ``None`` finds the format from the file's content.
    fps
        Frames per second; with it, ``time`` is in seconds and frame numbers
        are kept in the ``frame`` coordinate. Timestamps a file stores are
        kept as they are.
    **options
        Options of the format's reader (see ``posebridge formats``).

    Returns
    -------
    xarray.Dataset
        A validated poses or bboxes dataset.

    Raises
    ------
    PoseBridgeError
        A subclass naming the file and what is wrong with it.

    Examples
    --------
    >>> import posebridge
    >>> ds = posebridge.load("video1DLC_resnet50.h5", fps=30)  # doctest: +SKIP
    """
    path = check_input(path, folder=True)
    fmt = registry.resolve_for_reading(path, format)
    if fmt.read is None:
        raise UnknownFormatError(f"{path}: posebridge cannot read {fmt.title} files.")
    try:
        ds = fmt.read(path, **options)
    except PoseBridgeError:
        raise
    except TypeError as error:
        if "unexpected keyword argument" in str(error):
            raise PoseBridgeError(f"The {fmt.title} reader has no option: {error}") from error
        raise FormatError(path, f"could not be read as {fmt.title}: {error}") from error
    except Exception as error:
        raise FormatError(
            path, f"could not be read as {fmt.title}: {type(error).__name__}: {error}"
        ) from error
    ds = model.validate(ds)
    ds.attrs.setdefault("source_software", fmt.title)
    ds.attrs["source_file"] = str(path)
    return model.with_fps(ds, fps) if fps is not None else ds


def save(
    ds: xr.Dataset,
    path: PathLike,
    format: str | None = None,
    *,
    overwrite: bool = False,
    **options: Any,
) -> list[Path]:
    """Write a dataset to a file (or several, for formats that split).

    Parameters
    ----------
    ds
        A poses or bboxes dataset (posebridge's or movement's). A labels
        dataset (:mod:`posebridge.labels`) is written in the target format's
        form for labelled frames: DeepLabCut / LightningPose ``CollectedData``,
        SLEAP user instances, NWB ``PoseTraining`` (formats without one refuse it).
    path
        The output file. Writers that split (one file per individual) derive
        the other names from it.
    format
        A format name, or ``None`` to choose from the file name's ending.
    overwrite
        Replace existing files. Without it, an existing output raises
        ``FileExistsError`` and nothing is written.
    **options
        Options of the format's writer.

    Returns
    -------
    list of pathlib.Path
        Every file written.

    Examples
    --------
    >>> import numpy as np, posebridge
    >>> ds = posebridge.from_numpy(np.zeros((5, 2, 3, 1)))
    >>> posebridge.save(ds, "poses.csv")  # doctest: +SKIP
    [PosixPath('poses.csv')]
    """
    ds = model.validate(ds)
    target = Path(path)
    fmt = registry.resolve_for_writing(target, format, ds.attrs["ds_type"])
    assert fmt.write is not None  # resolve_for_writing only returns writers
    if "labels" not in fmt.kinds:
        labels.refuse(ds, f"{fmt.title} ({fmt.name})")
    try:
        return fmt.write(ds, target, overwrite=overwrite, **options)
    except TypeError as error:
        if "unexpected keyword argument" in str(error):
            raise PoseBridgeError(f"The {fmt.title} writer has no option: {error}") from error
        raise


def formats() -> pd.DataFrame:
    """The supported formats: names, file endings, and what each reads and writes.

    Returns
    -------
    pandas.DataFrame
        One row per format.

    Examples
    --------
    >>> import posebridge
    >>> "netcdf" in posebridge.formats()["name"].tolist()
    True
    """
    rows = [
        {
            "name": f.name,
            "title": f.title,
            "aliases": ", ".join(f.aliases),
            "extensions": ", ".join(f.extensions),
            "kinds": ", ".join(f.kinds),
            "reads": f.reads,
            "writes": f.writes,
        }
        for f in registry.all_formats()
    ]
    return pd.DataFrame(rows)
