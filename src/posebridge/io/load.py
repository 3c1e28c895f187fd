"""Load any supported file, with movement's ``movement.io.load`` names.

Code written for movement runs with this module in its place::

    from posebridge.io.load import load_dataset, load_multiview_dataset

    ds = load_dataset("video1DLC_resnet50.h5", fps=30)  # software found from the content
    ds = load_multiview_dataset({"left": "left.h5", "right": "right.h5"}, "DeepLabCut")

These functions hold no format logic: they call :func:`posebridge.load`.
"""

from __future__ import annotations

import os
import warnings
from typing import Any

import xarray as xr

from posebridge import api, errors, model, registry
from posebridge._files import check_input
from posebridge.errors import expect_dataset

__all__ = [
    "get_supported_source_software",
    "infer_source_software",
    "load_dataset",
    "load_multiview_dataset",
    "rename_legacy_dimensions",
]

PathLike = str | os.PathLike[str]

#: movement's name for a DeepLabCut-style .csv file, which LightningPose writes too.
AMBIGUOUS_DLC_LP = "DeepLabCut/LightningPose"


def _is_nwbfile(value: Any) -> bool:
    return hasattr(value, "processing") and hasattr(value, "identifier")


def get_supported_source_software() -> dict[str, set[str]]:
    """The source software names and the file endings each is read from.

    Returns
    -------
    dict of str to set of str
        E.g. ``{"DeepLabCut": {".h5", ".csv"}, ...}``; posebridge's formats
        beyond movement's (netCDF) are listed too.

    Examples
    --------
    >>> from posebridge.io.load import get_supported_source_software
    >>> sorted(get_supported_source_software()["DeepLabCut"])
    ['.csv', '.h5']
    """
    out: dict[str, set[str]] = {}
    for fmt in registry.all_formats():
        if fmt.reads:
            out.setdefault(fmt.title, set()).update(
                "." + ext.rsplit(".", 1)[-1] for ext in fmt.extensions
            )
    return out


def infer_source_software(file: Any, **loader_kwargs: Any) -> str:
    """The source software of a file, found from its content.

    Parameters
    ----------
    file
        A file path, or a ``pynwb.NWBFile``.
    **loader_kwargs
        Accepted for movement's signature; detection does not need them.

    Returns
    -------
    str
        movement's name: ``"DeepLabCut"``, ``"SLEAP"``, ``"LightningPose"``,
        ``"Anipose"``, ``"VIA-tracks"``, ``"NWB"``; ``"DeepLabCut/LightningPose"``
        for a DeepLabCut-style .csv file (both tools write that layout), as
        movement; ``"netCDF"`` for a netCDF file (movement cannot infer it).

    Raises
    ------
    UnknownFormatError
        When the content fits no format (a ``ValueError``, as in movement).

    Examples
    --------
    >>> from posebridge.io.load import infer_source_software
    >>> infer_source_software("video1DLC_resnet50.h5")  # doctest: +SKIP
    'DeepLabCut'
    """
    if _is_nwbfile(file):
        return "NWB"
    path = check_input(file)
    fmt = registry.get(registry.detect(path))
    if fmt.name in ("dlc", "lp") and path.suffix.lower() == ".csv":
        return AMBIGUOUS_DLC_LP
    return fmt.title


def load_dataset(
    file: Any,
    source_software: str | None = "auto",
    fps: float | None = None,
    **kwargs: Any,
) -> xr.Dataset:
    """Load poses or bounding boxes from any supported file.

    Parameters
    ----------
    file
        The file (a path), or a ``pynwb.NWBFile`` for NWB.
    source_software
        ``"auto"`` or ``None`` (default): found from the content
        (:func:`infer_source_software`); else a name as movement's
        (``"DeepLabCut"``, ``"SLEAP"``, ``"LightningPose"``, ``"Anipose"``,
        ``"VIA-tracks"``, ``"NWB"``, ``"DeepLabCut/LightningPose"``) or a
        posebridge format name (``"dlc"``, ``"netcdf"``...).
    fps
        Frames per second: ``time`` in seconds, frame numbers kept in the
        ``frame`` coordinate. Ignored for NWB (with a ``UserWarning``, as in
        movement): NWB files carry their own times.
    **kwargs
        Options of the format's reader (as movement's loaders: e.g.
        ``individual_name`` for Anipose, ``frame_regexp`` for VIA-tracks).

    Returns
    -------
    xarray.Dataset
        A poses or bboxes dataset.

    Raises
    ------
    UnknownFormatError
        An unknown software name or unrecognised content (a ``ValueError``).

    Examples
    --------
    >>> from posebridge.io import load_dataset
    >>> ds = load_dataset("video1DLC_resnet50.h5", fps=30)  # doctest: +SKIP
    >>> ds = load_dataset("tracks.csv", "VIA-tracks", fps=25)  # doctest: +SKIP
    """
    if source_software in (None, "auto"):
        source_software = infer_source_software(file)
    if not isinstance(source_software, str):
        raise errors.TypeError(
            f"Expected 'source_software' to be a str, got {type(source_software).__name__}."
        )
    if source_software == AMBIGUOUS_DLC_LP:
        ds = api.load(file, "dlc", fps=fps, **kwargs)
        ds.attrs["source_software"] = AMBIGUOUS_DLC_LP
        return ds
    fmt = registry.get(source_software)
    if fmt.name == "nwb":
        if fps is not None:
            warnings.warn(
                "fps is ignored when loading an NWB file: its times are read from the file.",
                UserWarning,
                stacklevel=2,
            )
        from posebridge.io import load_poses

        return load_poses.from_nwb_file(file, **kwargs)
    if fmt.family == "SLEAP":
        from posebridge.io import load_poses

        return load_poses.from_sleap_file(file, fps=fps, **kwargs)
    return api.load(file, source_software, fps=fps, **kwargs)


def load_multiview_dataset(
    file_dict: dict[str, PathLike],
    source_software: str | None = "auto",
    fps: float | None = None,
    **kwargs: Any,
) -> xr.Dataset:
    """Load one file per camera view into one dataset with a ``view`` dim.

    Parameters
    ----------
    file_dict
        View name -> file, in the order the views should take.
    source_software
        As :func:`load_dataset` (``"auto"`` finds each file's own).
    fps
        As :func:`load_dataset`.
    **kwargs
        Options of the format's reader.

    Returns
    -------
    xarray.Dataset
        Every variable along time gets a last ``view`` dim (coordinate: the
        dict's keys). The views line up on time: the result's time is the
        union of the files' times, NaN where a view has no row (movement
        instead requires identical times). Attributes come from the first view.

    Raises
    ------
    TypeError
        ``file_dict`` is not a dict.
    SchemaError
        The views do not line up: different kinds, time units, fps,
        individuals or keypoints.

    Examples
    --------
    >>> from posebridge.io import load_multiview_dataset
    >>> ds = load_multiview_dataset(
    ...     {"left": "left.h5", "right": "right.h5"}, "DeepLabCut", fps=30
    ... )  # doctest: +SKIP
    >>> ds.position.sel(view="left")  # doctest: +SKIP
    """
    from posebridge.combine import stack_views

    if not isinstance(file_dict, dict):
        raise errors.TypeError(
            f"Expected 'file_dict' to be a dict of view name -> file, got "
            f"{type(file_dict).__name__}."
        )
    datasets = [
        load_dataset(file, source_software=source_software, fps=fps, **kwargs)
        for file in file_dict.values()
    ]
    sources = [str(file) for file in file_dict.values()]
    return stack_views(datasets, list(file_dict), sources)


def rename_legacy_dimensions(ds: xr.Dataset) -> xr.Dataset:
    """Rename movement's pre-0.17 plural dims (``keypoints``, ``individuals``) to singular.

    Deprecated in movement 0.17 (a ``DeprecationWarning``, as there); posebridge
    renames them anyway whenever it validates a dataset.

    Parameters
    ----------
    ds
        A dataset, maybe with plural dim names.

    Returns
    -------
    xarray.Dataset
        The dataset with singular dim names (unchanged when it has none).

    Examples
    --------
    >>> import warnings
    >>> import numpy as np, xarray as xr
    >>> from posebridge.io.load import rename_legacy_dimensions
    >>> old = xr.Dataset({"position": (("time", "keypoints"), np.zeros((2, 3)))})
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     list(rename_legacy_dimensions(old).dims)
    ['time', 'keypoint']
    """
    expect_dataset(ds)
    warnings.warn(
        "rename_legacy_dimensions is deprecated (as in movement 0.17): posebridge renames "
        "the plural dims whenever it reads or writes a dataset.",
        DeprecationWarning,
        stacklevel=2,
    )
    renames = {old: new for old, new in model.LEGACY_DIM_NAMES.items() if old in ds.dims}
    return ds.rename(renames) if renames else ds
