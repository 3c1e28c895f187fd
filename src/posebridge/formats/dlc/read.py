"""Reading DeepLabCut and LightningPose tables (.h5 and .csv) into datasets.

The column rules are in :mod:`posebridge.formats.dlc.layout`; the on-disk
layers in :mod:`~posebridge.formats.dlc.csv_header`, :mod:`~posebridge.formats.dlc.csv` and
:mod:`~posebridge.formats.dlc.pandas_hdf5`.
"""

from __future__ import annotations

from pathlib import Path

import h5py
import numpy as np
import pandas as pd
import xarray as xr

from posebridge import model
from posebridge._files import Peek, check_input, holds_hdf5_signature
from posebridge.errors import FormatError, PoseBridgeError, SchemaError
from posebridge.formats.dlc import csv as dlc_csv
from posebridge.formats.dlc import csv_header, layout, pandas_hdf5
from posebridge.formats.dlc.layout import (
    DLC,
    HDF5_SUFFIXES,
    LP,
    PREFERRED_KEYS,
)
from posebridge.model import labels


def is_hdf5(path: Path) -> bool:
    """Whether ``path`` holds the HDF5 signature (at byte 0, or after a user block)."""
    return holds_hdf5_signature(path)


def refuse_unsigned_hdf5(path: Path, source_software: str) -> None:
    """Refuse a file named ``.h5`` / ``.hdf5`` / ``.hdf`` that lacks the HDF5 signature.

    Such a file is damaged (its start overwritten or cut off) or is not an HDF5
    file at all; read as a CSV it would be told about CSV problems it does not have.
    A DeepLabCut-style CSV saved under an HDF5 name is not refused: like every other
    misnamed file, it is read by its content (the CSV reader).

    Parameters
    ----------
    path : pathlib.Path
        The file, already known to hold no HDF5 signature.
    source_software : str
        ``"DeepLabCut"`` or ``"LightningPose"``, for the message.

    Raises
    ------
    FormatError
        When ``path`` ends in an HDF5 suffix and its text is not a DeepLabCut-style CSV.

    Examples
    --------
    >>> refuse_unsigned_hdf5(Path("video.csv"), "DeepLabCut")  # a CSV: nothing to say
    """
    if Path(path).suffix.lower() not in HDF5_SUFFIXES or _holds_dlc_csv(path):
        return
    raise FormatError(
        path,
        "is not a readable HDF5 file: it holds no HDF5 signature (at its start or after a "
        "user block), so it is "
        f"damaged or truncated, or is not a {source_software} .h5. Export the poses "
        f"again (a {source_software} .csv of them reads too).",
    )


def _holds_dlc_csv(path: Path) -> bool:
    """Whether ``path`` starts as a DeepLabCut-style CSV (its header, or one saved with
    ``;`` or tabs, which the CSV reader refuses saying so); never raises for its content."""
    try:
        with Peek(path) as peek:
            return csv_header.sniff_header(peek) is not None or csv_header.sniff_other_delimiter(
                peek
            )
    except OSError:
        return True  # unreadable now: the CSV reader, opening it, says what is wrong


# --------------------------------------------------------------------------
# reading


def choose_key(h5: h5py.File, path: Path, key: str | None) -> str:
    keys = pandas_hdf5.pandas_groups(h5)
    if key is not None:
        if not isinstance(key, str):
            raise PoseBridgeError(
                f"{path}: key= is the name of a DataFrame in the file, got {key!r}."
            )
        key = key.strip("/")
        if key not in keys:
            raise FormatError(
                path, f"has no pandas DataFrame under the key '{key}' (keys: {keys})."
            )
        return key
    if not keys:
        raise FormatError(
            path,
            "is an HDF5 file without a pandas DataFrame; a DeepLabCut .h5 holds one "
            "under 'df_with_missing' (or 'tracks'). Is it a SLEAP or NWB file?",
        )
    if len(keys) == 1:
        return keys[0]
    for preferred in PREFERRED_KEYS:
        if preferred in keys:
            return preferred
    dlc = pandas_hdf5.dlc_groups(h5, path)
    if len(dlc) == 1:
        return dlc[0]
    raise FormatError(
        path, f"holds several DataFrames ({', '.join(keys)}); pass key= to choose one."
    )


def _read_h5(path: Path, source_software: str, key: str | None) -> xr.Dataset:
    try:
        with h5py.File(path, "r") as h5:
            chosen = choose_key(h5, path, key)
            frame = pandas_hdf5.read_frame(h5, chosen, path)
    except PoseBridgeError:  # ours, as raised
        raise
    except (OSError, KeyError, ValueError, TypeError, RuntimeError) as error:
        raise FormatError(
            path, f"is not a readable HDF5 file (truncated or damaged?): {error}"
        ) from None
    rows: dict[str, np.ndarray] = {}
    keep = []
    for j, label in enumerate(frame.columns):
        name = layout.row_column_name(label, frame.column_names)
        if name is None:
            keep.append(j)
        elif j in frame.text_columns:
            rows[name] = frame.text_columns[j]
    values = frame.values
    if len(keep) != values.shape[1]:
        values = values[:, keep]
    ds = layout.build_dataset(
        values,
        frame.columns,
        frame.column_names,
        frame.index,
        source_software=source_software,
        path=path,
        row_values=rows,
        owned=True,
    )
    return _as_labels(ds, frame.columns, frame.column_names, path)


def _read_csv(path: Path, source_software: str) -> xr.Dataset:
    values, header, index, rows = dlc_csv.read_table(path, source_software)
    ds = layout.build_dataset(
        values,
        header.columns,
        header.level_names,
        index,
        source_software=source_software,
        path=path,
        row_values=rows,
        owned=True,
    )
    return _as_labels(ds, header.columns, header.level_names, path)


def _as_labels(ds: xr.Dataset, columns: list, names: list, path: Path | None) -> xr.Dataset:
    """Rows indexed by image: '/'-separated paths; without likelihood, a labels dataset.

    DeepLabCut's labelled data (``CollectedData``) has x, y only; files with a
    likelihood indexed by image (``machinelabels``, LightningPose's predictions
    on labelled frames) stay predictions. See :mod:`posebridge.labels`.
    """
    if layout.IMAGE_PATH not in ds.coords:
        return ds
    images = labels.normalise_paths(ds[layout.IMAGE_PATH].values)
    ds = ds.assign_coords({layout.IMAGE_PATH: (model.TIME, images)})
    level = names.index("coords") if "coords" in names else len(columns[0]) - 1
    if any(str(label[level]) == "likelihood" for label in columns):
        return ds
    ds.attrs[labels.CONTENT] = labels.LABELS
    try:
        return labels.check(ds)
    except SchemaError as error:
        raise FormatError(path, f"is labelled data with a problem: {error}") from None


def _read(path: Path, source_software: str, key: str | None) -> xr.Dataset:
    path = check_input(path)
    if path.stat().st_size == 0:
        raise FormatError(path, f"is empty (0 bytes); expected a {source_software} .h5 or .csv.")
    if is_hdf5(path):
        return _read_h5(path, source_software, key)
    refuse_unsigned_hdf5(path, source_software)
    if key is not None:
        raise PoseBridgeError(f"{path}: key= applies to .h5 files only; this is a CSV file.")
    return _read_csv(path, source_software)


def read(path: Path, *, key: str | None = None) -> xr.Dataset:
    """Read a DeepLabCut .h5 or .csv file (predictions, 3D or labels).

    Parameters
    ----------
    path
        The file.
    key
        The HDF5 key to read; by default the only one, else
        ``df_with_missing``, else ``tracks``.

    Returns
    -------
    xarray.Dataset
        Poses with time in frame numbers (image paths in ``image_path`` for
        labels), float64 ``position`` and ``confidence``.

    Raises
    ------
    FormatError
        Naming the file and what is wrong with it.

    Examples
    --------
    >>> from posebridge.formats import dlc as deeplabcut
    >>> ds = deeplabcut.read(Path("video1DLC_resnet50.h5"))  # doctest: +SKIP
    """
    return _read(path, DLC, key)


def read_lp(path: Path) -> xr.Dataset:
    """Read a LightningPose .csv (predictions, labelled-frame predictions, EKS, labels).

    Examples
    --------
    >>> from posebridge.formats import dlc as deeplabcut
    >>> ds = deeplabcut.read_lp(Path("video_preds/video.csv"))  # doctest: +SKIP
    """
    ds = _read(path, LP, None)
    if ds.sizes[model.INDIVIDUAL] > 1:
        raise FormatError(
            path,
            f"LightningPose files hold one animal, this one has {ds.sizes[model.INDIVIDUAL]} "
            "individuals; read it as DeepLabCut (format='dlc').",
        )
    return ds


def dataset_from_dataframe(df: pd.DataFrame, source_software: str = DLC) -> xr.Dataset:
    """A poses dataset from a DeepLabCut-style DataFrame (as ``pd.read_hdf`` gives).

    Parameters
    ----------
    df
        Columns (scorer, [individuals], bodyparts, coords); index of frame
        numbers, image paths or (folder, video, image).
    source_software
        Recorded in the dataset's attributes.

    Returns
    -------
    xarray.Dataset
        As :func:`read` returns. The DataFrame is not modified.

    Examples
    --------
    >>> import pandas as pd
    >>> cols = pd.MultiIndex.from_product(
    ...     [["me"], ["nose"], ["x", "y", "likelihood"]], names=["scorer", "bodyparts", "coords"]
    ... )
    >>> dataset_from_dataframe(pd.DataFrame([[1.0, 2.0, 0.5]], columns=cols)).position.shape
    (1, 2, 1, 1)
    """
    if not isinstance(df, pd.DataFrame) or not isinstance(df.columns, pd.MultiIndex):
        raise SchemaError("Expected a DataFrame with DeepLabCut's multi-level columns.")
    names = [None if n is None else str(n) for n in df.columns.names]
    columns = [tuple(str(v) for v in label) for label in df.columns]
    rows: dict[str, np.ndarray] = {}
    keep = []
    for j, label in enumerate(columns):
        name = layout.row_column_name(label, names)
        if name is None:
            keep.append(j)
        else:
            rows[name] = df.iloc[:, j].to_numpy(dtype=object)
    try:
        values = df.iloc[:, keep].to_numpy(dtype=np.float64, na_value=np.nan)
    except (TypeError, ValueError) as error:
        raise SchemaError(
            f"The DataFrame's bodypart columns are not all numbers: {error}"
        ) from None
    if isinstance(df.index, pd.MultiIndex):
        index = [np.asarray(df.index.get_level_values(i)) for i in range(df.index.nlevels)]
    else:
        index = [np.asarray(df.index)]
    ds = layout.build_dataset(
        values, columns, names, index, source_software=source_software, row_values=rows
    )
    try:
        return _as_labels(ds, columns, names, None)
    except FormatError as error:
        raise SchemaError(str(error)) from None
