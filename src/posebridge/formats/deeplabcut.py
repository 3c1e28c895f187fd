"""DeepLabCut and LightningPose: DLC-style tables in .h5 and .csv files.

Reading covers every layout DeepLabCut and LightningPose write: pandas
``table`` and ``fixed`` HDF5 (read with h5py; PyTables is not needed), any
HDF5 key (``df_with_missing``, ``tracks``, ``predictions``, ...), 3- and
4-level columns, the ``single`` individual of unique bodyparts, x/y/likelihood
and x/y/z, extra coords by name (LightningPose EKS), DLC 3's -1 padding,
labelled data indexed by image path, and LightningPose's ``set`` column. The
rules are in :mod:`posebridge.formats._dlc_table`.

Writing gives what DeepLabCut writes: .h5 = pandas ``table`` under the key
``df_with_missing`` (``fixed`` for labels indexed by (folder, video, image),
which pandas cannot store as a table), .csv = ``DataFrame.to_csv`` layout.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import h5py
import numpy as np
import pandas as pd
import xarray as xr

from posebridge import model
from posebridge._files import Peek, atomic_outputs
from posebridge.errors import FormatError, PoseBridgeError, SchemaError
from posebridge.formats import _dlc_csv, _dlc_table, _dlc_write, _pandas_hdf5
from posebridge.formats._shared.record import Format
from posebridge.model import labels

__all__ = [
    "FORMATS",
    "dataframe_from_dataset",
    "dataset_from_dataframe",
    "read",
    "read_lp",
    "write",
    "write_lp",
]

DLC = "DeepLabCut"
LP = "LightningPose"
DEFAULT_SCORER = "posebridge"
DEFAULT_LP_SCORER = "posebridge_tracker"
HDF5_SUFFIXES = (".h5", ".hdf5", ".hdf")
PREFERRED_KEYS = ("df_with_missing", "tracks")
_HDF5_MAGIC = b"\x89HDF\r\n\x1a\n"
_LP_COORDS = {"visible"}  # coords only LightningPose writes (besides the EKS ones)


# --------------------------------------------------------------------------
# sniffing


def _is_hdf5(path: Path) -> bool:
    with open(path, "rb") as handle:
        return handle.read(8) == _HDF5_MAGIC


def _dlc_groups(h5: h5py.File, path: Path) -> list[str]:
    """Pandas keys whose columns have DeepLabCut's ``bodyparts`` and ``coords`` levels."""
    keys = []
    for key in _pandas_hdf5.pandas_groups(h5):
        try:
            names = _pandas_hdf5.column_level_names(h5[key], path)
        except FormatError:
            continue
        if "bodyparts" in names and "coords" in names:
            keys.append(key)
    return keys


def sniff(peek: Peek) -> bool:
    """Whether ``path`` is a DeepLabCut .h5 (pandas, DLC column levels) or DLC-style CSV.

    Examples
    --------
    >>> sniff(Path("video1DLC_resnet50.h5"))  # doctest: +SKIP
    True
    """
    path = peek.path
    if _is_hdf5(path):
        with h5py.File(path, "r") as h5:
            return bool(_dlc_groups(h5, path))
    return _dlc_csv.sniff_header(path) is not None


def _looks_like_lp(header: _dlc_csv.CsvHeader) -> bool:
    scorer_level = header.level_names.index("scorer")
    coord_level = header.level_names.index("coords")
    scorers = {label[scorer_level] for label in header.columns}
    coords = {label[coord_level] for label in header.columns}
    return (
        any(s.endswith("_tracker") for s in scorers)
        or _dlc_table.SET_COLUMN in scorers
        or bool(coords - set(_dlc_table.CORE_COORDS) - {""})
        or bool(coords & _LP_COORDS)
    )


def sniff_lp(peek: Peek) -> bool:
    """Whether ``path`` is a LightningPose CSV: DLC-style, with a ``*_tracker`` scorer,
    a ``set`` column or coords beyond x/y/likelihood (EKS, ``visible``). Never .h5.

    Examples
    --------
    >>> sniff_lp(Path("video_preds/video.csv"))  # doctest: +SKIP
    True
    """
    path = peek.path
    if _is_hdf5(path):
        return False
    header = _dlc_csv.sniff_header(path)
    return header is not None and _looks_like_lp(header)


# --------------------------------------------------------------------------
# reading


def _choose_key(h5: h5py.File, path: Path, key: str | None) -> str:
    keys = _pandas_hdf5.pandas_groups(h5)
    if key is not None:
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
    dlc = _dlc_groups(h5, path)
    if len(dlc) == 1:
        return dlc[0]
    raise FormatError(
        path, f"holds several DataFrames ({', '.join(keys)}); pass key= to choose one."
    )


def _read_h5(path: Path, source_software: str, key: str | None) -> xr.Dataset:
    try:
        with h5py.File(path, "r") as h5:
            chosen = _choose_key(h5, path, key)
            frame = _pandas_hdf5.read_frame(h5, chosen, path)
    except FormatError:
        raise
    except (OSError, KeyError, ValueError, TypeError, RuntimeError) as error:
        raise FormatError(
            path, f"is not a readable HDF5 file (truncated or damaged?): {error}"
        ) from None
    rows: dict[str, np.ndarray] = {}
    keep = []
    for j, label in enumerate(frame.columns):
        name = _dlc_table.row_column_name(label, frame.column_names)
        if name is None:
            keep.append(j)
        elif j in frame.text_columns:
            rows[name] = frame.text_columns[j]
    values = frame.values
    if len(keep) != values.shape[1]:
        values = values[:, keep]
    ds = _dlc_table.build_dataset(
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
    values, header, index, rows = _dlc_csv.read_table(path, source_software)
    ds = _dlc_table.build_dataset(
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
    if _dlc_table.IMAGE_PATH not in ds.coords:
        return ds
    images = labels.normalise_paths(ds[_dlc_table.IMAGE_PATH].values)
    if ds.attrs.get(_dlc_table.INDEX_STYLE) == "levels":
        parts = pd.Series(images).str.split("/", regex=False)
        empty = parts.map(lambda row: "" in row or "nan" in row).to_numpy(dtype=bool)
        if empty.any():
            row = int(np.flatnonzero(empty)[0])
            raise FormatError(
                path,
                f"the image index of row {row} has an empty level ({images[row]!r}); "
                "labelled data is indexed by (folder, video, image) or one image path.",
            )
    ds = ds.assign_coords({_dlc_table.IMAGE_PATH: (model.TIME, images)})
    level = names.index("coords") if "coords" in names else len(columns[0]) - 1
    if any(str(label[level]) == "likelihood" for label in columns):
        return ds
    ds.attrs[labels.CONTENT] = labels.LABELS
    try:
        return labels.check(ds)
    except SchemaError as error:
        raise FormatError(path, f"is labelled data with a problem: {error}") from None


def _read(path: Path, source_software: str, key: str | None) -> xr.Dataset:
    path = Path(path)
    if path.stat().st_size == 0:
        raise FormatError(path, f"is empty (0 bytes); expected a {source_software} .h5 or .csv.")
    if _is_hdf5(path):
        return _read_h5(path, source_software, key)
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
    >>> from posebridge.formats import deeplabcut
    >>> ds = deeplabcut.read(Path("video1DLC_resnet50.h5"))  # doctest: +SKIP
    """
    return _read(path, DLC, key)


def read_lp(path: Path) -> xr.Dataset:
    """Read a LightningPose .csv (predictions, labelled-frame predictions, EKS, labels).

    Examples
    --------
    >>> from posebridge.formats import deeplabcut
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
        name = _dlc_table.row_column_name(label, names)
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
    ds = _dlc_table.build_dataset(
        values, columns, names, index, source_software=source_software, row_values=rows
    )
    try:
        return _as_labels(ds, columns, names, None)
    except FormatError as error:
        raise SchemaError(str(error)) from None


# --------------------------------------------------------------------------
# writing


def _write(
    ds: xr.Dataset,
    path: Path,
    *,
    overwrite: bool,
    split_individuals: bool | Literal["auto"],
    scorer: str | None,
    default_scorer: str,
) -> list[Path]:
    ds = model.validate(ds)
    _dlc_table.check_writable(ds)
    labelled = labels.is_labels(ds)
    if labelled:
        ds = _dlc_write.prepare_labels(ds, lightning_pose=default_scorer == DEFAULT_LP_SCORER)
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (*HDF5_SUFFIXES, ".csv"):
        raise PoseBridgeError(f"{path}: DeepLabCut files end in .h5 or .csv, not {suffix!r}.")
    if split_individuals == "auto":
        split = ds.sizes[model.INDIVIDUAL] == 1  # what movement's to_dlc_file does
    elif isinstance(split_individuals, bool | np.bool_):
        split = bool(split_individuals)
    else:
        raise PoseBridgeError(
            f"split_individuals must be True, False or 'auto', got {split_individuals!r}."
        )
    scorer = str(scorer or ds.attrs.get("scorer") or default_scorer)
    style, index = _dlc_table.index_for_writing(ds)
    data_split = (
        np.asarray(ds[_dlc_table.DATA_SPLIT].values).astype(str)
        if _dlc_table.DATA_SPLIT in ds.coords
        else None
    )
    tables = _dlc_write.tables(ds, path, split, scorer)
    with atomic_outputs([target for target, _ in tables], overwrite=overwrite) as temporaries:
        for temporary, (_, plan) in zip(temporaries, tables, strict=True):
            if suffix == ".csv":
                _dlc_csv.write_table(temporary, plan, index, data_split)
            else:
                _dlc_write.write_h5(temporary, plan, style, index, data_split, fixed=labelled)
    return [target for target, _ in tables]


def write(
    ds: xr.Dataset,
    path: Path,
    *,
    overwrite: bool = False,
    split_individuals: bool | Literal["auto"] = False,
    scorer: str | None = None,
) -> list[Path]:
    """Write a DeepLabCut .h5 or .csv file (or one per individual).

    Parameters
    ----------
    ds
        A poses dataset.
    path
        The output file, ending in .h5 or .csv.
    overwrite
        Replace existing files.
    split_individuals
        ``True``: one single-animal file per individual, named
        ``<stem>_<individual><suffix>``; ``False`` (default): one file at
        ``path`` (4 column levels when there are several individuals or a
        ``single`` one); ``"auto"``: as movement's ``to_dlc_file`` (the
        facade's default), split when there is exactly one individual.
    scorer
        The scorer level; default the dataset's ``scorer`` attribute, else
        ``"posebridge"``.

    Returns
    -------
    list of pathlib.Path
        Every file written.

    Examples
    --------
    >>> import numpy as np, posebridge
    >>> ds = posebridge.from_numpy(np.zeros((3, 2, 2, 2)))
    >>> write(ds, Path("poses.h5"))  # doctest: +SKIP
    [PosixPath('poses.h5')]
    """
    return _write(
        ds,
        path,
        overwrite=overwrite,
        split_individuals=split_individuals,
        scorer=scorer,
        default_scorer=DEFAULT_SCORER,
    )


def write_lp(
    ds: xr.Dataset, path: Path, *, overwrite: bool = False, scorer: str | None = None
) -> list[Path]:
    """Write a LightningPose .csv file (one individual, written at ``path``).

    Parameters
    ----------
    ds
        A poses dataset with one individual.
    path
        The output .csv file.
    overwrite
        Replace an existing file.
    scorer
        Default: the dataset's ``scorer`` attribute, else ``"posebridge_tracker"``.

    Returns
    -------
    list of pathlib.Path
        The file written.

    Examples
    --------
    >>> import numpy as np, posebridge
    >>> write_lp(posebridge.from_numpy(np.zeros((3, 2, 2, 1))), Path("v.csv"))  # doctest: +SKIP
    [PosixPath('v.csv')]
    """
    ds = model.validate(ds)
    n = ds.sizes[model.INDIVIDUAL]
    if n != 1:
        names = [str(v) for v in ds[model.INDIVIDUAL].values]
        raise SchemaError(
            f"LightningPose files hold one individual; this dataset has {n} ({names}). "
            "Select one with ds.sel(individual=[name]) or write DeepLabCut (format='dlc')."
        )
    if Path(path).suffix.lower() != ".csv":
        raise PoseBridgeError(f"{path}: LightningPose files are .csv files.")
    return _write(
        ds,
        Path(path),
        overwrite=overwrite,
        split_individuals=False,
        scorer=scorer,
        default_scorer=DEFAULT_LP_SCORER,
    )


def dataframe_from_dataset(
    ds: xr.Dataset, split_individuals: bool = False, scorer: str | None = None
) -> pd.DataFrame | dict[str, pd.DataFrame]:
    """DeepLabCut-style DataFrame(s) of a poses dataset, as the writer lays them out.

    Parameters
    ----------
    ds
        A poses dataset.
    split_individuals
        ``True``: a dict of single-animal DataFrames by individual.
    scorer
        Default: the dataset's ``scorer`` attribute, else ``"posebridge"``.

    Returns
    -------
    pandas.DataFrame or dict of pandas.DataFrame
        Float64 columns (scorer, [individuals], bodyparts, coords).

    Examples
    --------
    >>> import numpy as np, posebridge
    >>> df = dataframe_from_dataset(posebridge.from_numpy(np.zeros((3, 2, 2, 2))))
    >>> df.columns.names
    FrozenList(['scorer', 'individuals', 'bodyparts', 'coords'])
    """
    ds = model.validate(ds)
    _dlc_table.check_writable(ds)
    if labels.is_labels(ds):
        ds = _dlc_write.prepare_labels(ds, lightning_pose=False)
    scorer = str(scorer or ds.attrs.get("scorer") or DEFAULT_SCORER)
    style, index = _dlc_table.index_for_writing(ds)
    tables = _dlc_write.tables(ds, Path("x.h5"), bool(split_individuals), scorer)
    frames = [_dlc_write.frame(plan, style, index) for _, plan in tables]
    if _dlc_table.DATA_SPLIT in ds.coords:
        split_values = np.asarray(ds[_dlc_table.DATA_SPLIT].values).astype(object)
        for df, (_, plan) in zip(frames, tables, strict=True):
            df[_dlc_write.set_label(plan)] = split_values
    if not split_individuals:
        return frames[0]
    names = [str(v) for v in ds[model.INDIVIDUAL].values]
    return dict(zip(names, frames, strict=True))


def _describe(path: Path) -> list[tuple[str, str]]:
    """What ``posebridge info`` shows about a DeepLabCut file beyond the dataset."""
    if not _is_hdf5(path):
        header = _dlc_csv.read_header(path)
        style = {1: "one index column"}.get(header.n_index, f"{header.n_index} index columns")
        return [("layout", f"CSV, {len(header.level_names)} header lines, {style}")]
    with h5py.File(path, "r") as h5:
        key = _choose_key(h5, path, None)
        kind = h5[key].attrs.get("pandas_type", b"")
        kind = kind.decode() if isinstance(kind, bytes) else str(kind)
    layout = {"frame_table": "table", "frame": "fixed"}.get(kind, kind)
    return [("layout", f"pandas HDF5 ({layout}), key '{key}'")]


FORMATS = (
    Format(
        name="dlc",
        title=DLC,
        extensions=(".h5", ".csv"),
        kinds=("poses", "labels"),
        sniff=sniff,
        read=read,
        write=write,
        aliases=("DeepLabCut", "DLC"),
        family=DLC,
        describe=_describe,
        notes="read: key=; write: split_individuals=True|False|'auto', scorer=",
    ),
    Format(
        name="lp",
        title=LP,
        extensions=(".csv",),
        kinds=("poses", "labels"),
        sniff=sniff_lp,
        read=read_lp,
        write=write_lp,
        aliases=("LightningPose", "lightning-pose"),
        family=DLC,
        specificity=1,
        describe=_describe,
        notes="one individual; write: scorer=",
    ),
)
