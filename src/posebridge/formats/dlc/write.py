"""Laying out DeepLabCut tables to write: tables per file, row index, DataFrames, .h5.

Predictions are written as DeepLabCut's video analysis writes them (.h5 =
pandas ``table`` under ``df_with_missing``). Labelled frames (a labels dataset,
see :mod:`posebridge.labels`) are written as ``CollectedData`` files are:

- rows indexed by image path, in the dataset's order: one ``labeled-data/<video>/
  <image>`` column (``dlc_index_style == "path"``) or the three index levels
  DeepLabCut >= 2.3 writes (``"levels"``, the default for DeepLabCut;
  LightningPose always writes one column, which is all it reads). A labelled
  frame without an image (a SLEAP or NWB frame of a video) is named as
  DeepLabCut's frame extraction names its images:
  ``labeled-data/<video file stem>/img<frame, zero-padded>.png``;
- x and y only (no likelihood, whatever ``confidence`` holds); points flagged
  labelled but not visible (``visible`` 1, COCO's v=1) are written with their
  positions, without the flag (with a warning), points flagged 0 are left out
  (NaN); LightningPose keeps the
  ``visible`` flags as its ``visible`` coord; SLEAP's ``predicted_*`` are not
  written;
- .h5 in pandas ``fixed`` format, as DeepLabCut and napari-deeplabcut write it.
"""

from __future__ import annotations

import contextlib
import functools
import os
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
import xarray as xr

from posebridge import model
from posebridge._outputs import atomic_outputs
from posebridge.errors import (
    PoseBridgeError,
    SchemaError,
    user_stacklevel,
    with_command_line_wording,
)
from posebridge.formats._shared.guards import refuse_bad_names, refuse_empty, refuse_views
from posebridge.formats._shared.lazy import is_dask
from posebridge.formats._shared.not_kept import (
    warn_alignment_dropped,
    warn_times_not_kept,
    warn_variables_not_written,
)
from posebridge.formats.dlc import (
    column_plan,
    csv_write,
    layout,
    pandas_hdf5,
    stream_write,
    write_checks,
)
from posebridge.formats.dlc.labels_write import prepare_labels
from posebridge.formats.dlc.layout import DEFAULT_LP_SCORER, DEFAULT_SCORER, HDF5_SUFFIXES
from posebridge.model import labels

_H5_CHUNK_CELLS = 1 << 21  # numbers per appended block (16 MB)


def has_likelihood(ds: xr.Dataset) -> bool:
    """Write a likelihood coord? Always for 2D predictions; labels never; 3D when known."""
    if labels.is_labels(ds) or "confidence" not in ds:
        return False
    if ds.sizes[model.SPACE] == 2 and layout.IMAGE_PATH not in ds.coords:
        return True
    if is_dask(ds["confidence"].data):  # a streamed dataset: reduced chunk by chunk
        return not bool(ds["confidence"].isnull().all().values)
    return not bool(np.isnan(ds["confidence"].values).all())


def split_path(path: Path, individual: str) -> Path:
    """The file of one individual when a write is split: ``<stem>_<individual><suffix>``.

    A path separator in the name becomes ``_``.

    Examples
    --------
    >>> split_path(Path("out/sess.h5"), "mouse/1").as_posix()
    'out/sess_mouse_1.h5'
    """
    safe = individual.replace(os.sep, "_").replace("/", "_")
    return path.with_name(f"{path.stem}_{safe}{path.suffix}")


def plan_tables(
    ds: xr.Dataset,
    path: Path,
    split: bool,
    scorer: str,
    individuals_level: bool | None = None,
    with_arrays: bool = True,
) -> list[tuple[Path, column_plan.ColumnPlan]]:
    """The files to write and the columns of each (one per individual when ``split``)."""
    names = [str(v) for v in ds[model.INDIVIDUAL].values]
    likelihood = has_likelihood(ds)
    if not split:
        four = len(names) > 1 or layout.SINGLE in names or bool(individuals_level)
        plan = column_plan.plan_columns(
            ds,
            range(len(names)),
            scorer=scorer,
            four_levels=four,
            likelihood=likelihood,
            with_arrays=with_arrays,
        )
        return [(path, plan)]
    targets = [split_path(path, name) for name in names]
    seen: dict[Path, str] = {}
    for name, target in zip(names, targets, strict=True):
        if target in seen:
            raise with_command_line_wording(
                SchemaError(
                    f"the individuals {seen[target]!r} and {name!r} would both be written to "
                    f"{target} (a path separator becomes _); rename one, or write one file "
                    "(split_individuals=False)."
                ),
                {"(split_individuals=False)": "(--option split_individuals=false)"},
            )
        seen[target] = name
    out = []
    for i, target in enumerate(targets):
        plan = column_plan.plan_columns(
            ds,
            [i],
            scorer=scorer,
            four_levels=False,
            likelihood=likelihood,
            with_arrays=with_arrays,
        )
        out.append((target, plan))
    return out


def table_frame(
    plan: column_plan.ColumnPlan,
    style: str,
    index: list[np.ndarray],
    rows: slice = slice(None),
) -> pd.DataFrame:
    """The DataFrame of ``plan`` for the time steps ``rows``."""
    if style == "levels":
        row_index: pd.Index = pd.MultiIndex.from_arrays(
            [level[rows].astype(object) for level in index]
        )
    elif style == "path":
        row_index = pd.Index(index[0][rows].astype(object))
    else:
        row_index = pd.Index(index[0][rows].astype(np.int64))
    columns = pd.MultiIndex.from_tuples(plan.labels, names=list(plan.level_names))
    values = column_plan.fill_values(plan, rows)
    return pd.DataFrame(values, index=row_index, columns=columns, copy=False)


def set_label(plan: column_plan.ColumnPlan) -> tuple[str, ...]:
    """The column label of LightningPose's ``set`` column."""
    return (layout.SET_COLUMN, *[""] * (len(plan.level_names) - 1))


def write_h5(
    target: Path,
    plan: column_plan.ColumnPlan,
    style: str,
    index: list[np.ndarray],
    data_split: np.ndarray | None,
    *,
    fixed: bool = False,
) -> None:
    """Write one table to an .h5 file (``fixed`` for labels and (folder, video, image) rows).

    A table whose column index does not fit the ``table`` layout (pandas keeps
    it in HDF5 attributes of 64 kB at most: thousands of columns) is written in
    the ``fixed`` layout, which keeps it in arrays, as pandas' ``to_hdf``
    writes any frame by default; DeepLabCut and pandas read both.
    """
    import tables as pytables

    try:
        _write_h5(target, plan, style, index, data_split, fixed=fixed)
    except pytables.HDF5ExtError as error:
        if fixed or style == "levels" or data_split is not None or "attribute" not in str(error):
            raise  # a 'set' text column would be pickled in the fixed layout: refused
        _write_h5(target, plan, style, index, data_split, fixed=True)


def _write_h5(
    target: Path,
    plan: column_plan.ColumnPlan,
    style: str,
    index: list[np.ndarray],
    data_split: np.ndarray | None,
    *,
    fixed: bool,
) -> None:
    key = "df_with_missing"
    n_rows = index[0].shape[0]
    if fixed or style == "levels" or style == "path" or data_split is not None:
        # fixed: pandas cannot store row + column MultiIndex as a table; else small, strings
        # sized at once
        df = table_frame(plan, style, index)
        numbers = df.to_numpy()
        if data_split is not None:
            df[set_label(plan)] = data_split.astype(object)
        if fixed or style == "levels":
            df.to_hdf(target, key=key, mode="w", format="fixed")
        else:
            df.to_hdf(target, key=key, mode="w", format="table", index=False)
        pandas_hdf5.check_written(target, key, n_rows, values=numbers)
        return
    step = max(1, _H5_CHUNK_CELLS // max(1, len(plan.labels)))
    with pd.HDFStore(target, mode="w") as store:
        for start in range(0, max(n_rows, 1), step):
            rows = slice(start, min(start + step, n_rows))
            store.append(
                key, table_frame(plan, style, index, rows), index=False, expectedrows=n_rows
            )
    pandas_hdf5.check_written(target, key, n_rows, frames=index[0])


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
    individuals_level: bool | None = None,
    number_rows: bool = False,
) -> list[Path]:
    column_plan.check_writable(ds)
    streamed = stream_write.streamable(ds)  # dask arrays: written chunk by chunk
    if not streamed and any(is_dask(v.data) for v in ds.variables.values()):
        ds = ds.load()
    title = "LightningPose" if default_scorer == DEFAULT_LP_SCORER else "DeepLabCut"
    refuse_views(ds, title)
    refuse_empty(ds, title, dims=(model.TIME, model.KEYPOINT, model.INDIVIDUAL))
    # a CSV cannot hold NUL (readers stop at it); HDF5 tables keep it
    nul = "\x00" if Path(path).suffix.lower() == ".csv" else ""
    refuse_bad_names(ds, title, forbidden="\n\r" + nul, reserved=layout.MISSING_LABELS)
    write_checks.refuse_placeholder_names(ds, title, model.KEYPOINT)
    if not streamed:  # a streamed dataset is checked chunk by chunk
        write_checks.refuse_negative_likelihood(ds, title)
    labelled = labels.is_labels(ds)
    if labelled:
        ds = prepare_labels(
            ds, lightning_pose=default_scorer == DEFAULT_LP_SCORER, where=Path(path)
        )
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (*HDF5_SUFFIXES, ".csv"):
        if path.name.lower() in (*HDF5_SUFFIXES, ".csv"):  # '.h5': a hidden file's name
            raise PoseBridgeError(
                f"{path}: '{path.name}' names a hidden file with no extension; give a name "
                f"such as out{path.name}."
            )
        raise PoseBridgeError(f"{path}: DeepLabCut files end in .h5 or .csv, not {suffix!r}.")
    if split_individuals == "auto":
        split = ds.sizes[model.INDIVIDUAL] == 1  # what movement's to_dlc_file does
    elif isinstance(split_individuals, bool | np.bool_):
        split = bool(split_individuals)
    else:
        raise PoseBridgeError(
            f"split_individuals must be True, False or 'auto', got {split_individuals!r}."
        )
    fallback = write_checks.scorer_by_name(ds, Path(path), scorer, title, labelled, default_scorer)
    scorer = write_checks.checked_scorer(scorer, fallback, title, nul)
    # warnings name the files written: one per individual when split
    named = (
        ", ".join(str(split_path(path, str(name))) for name in ds[model.INDIVIDUAL].values)
        if split
        else str(path)
    )
    # refusals name the path once (the save names it too); warnings each file of a split
    style, index = column_plan.index_for_writing(
        ds, str(path), title=title, number_rows=number_rows, warned=named
    )
    frames = model.frame_numbers(ds) if style == "frames" else None
    if frames is not None and np.array_equal(index[0], frames):  # else warned: rows 0..n-1
        warn_times_not_kept(ds, path, title)
    column_plan.refuse_missing_words(style, index, title)
    data_split = (
        np.asarray(ds[layout.DATA_SPLIT].values).astype(str)
        if layout.DATA_SPLIT in ds.coords
        else None
    )
    if individuals_level not in (None, True, False):
        raise PoseBridgeError(
            f"individuals_level must be True, False or None, got {individuals_level!r}."
        )
    several = ds.sizes[model.INDIVIDUAL] > 1 or layout.SINGLE in ds[model.INDIVIDUAL].values
    if individuals_level is False and several and not split:
        advice = "leave individuals_level out, or pass split_individuals=True."
        refused = PoseBridgeError(
            "individuals_level=False writes 3 column levels, which hold one individual; this "
            f"dataset has {ds.sizes[model.INDIVIDUAL]} (or maDLC's 'single'): {advice}"
        )
        raise with_command_line_wording(
            refused,
            {
                "individuals_level=False writes": "--option individuals_level=false writes",
                advice: "leave --option individuals_level out, or pass "
                "--option split_individuals=true.",
            },
        )
    if not split and (several or individuals_level is True):
        # the individuals are written in a header level
        write_checks.refuse_placeholder_names(ds, title, model.INDIVIDUAL)
    if not split and not several and individuals_level is not True:
        write_checks.warn_name_not_stored(ds, path, title)
    if split:
        write_checks.warn_names_in_file_names(ds, named, title)
    if data_split is not None and suffix != ".csv" and (labelled or style == "levels"):
        warnings.warn(  # pandas' fixed layout, which these need, pickles text columns
            f"{named}: the data_split ('set') column is not written: a DeepLabCut .h5 of "
            "labelled data (pandas' fixed layout) stores text columns only as pickled Python "
            "objects, which readers refuse as unsafe. Write .csv (LightningPose's layout) to "
            "keep it.",
            stacklevel=user_stacklevel(),
        )
        data_split = None
    ds = write_checks.without_foreign_coords(ds, named, title)
    warn_alignment_dropped(ds, named, title)
    warn_variables_not_written(ds, named, title, kept=(labels.VIDEO,) if labelled else ())
    tables = plan_tables(ds, path, split, scorer, individuals_level, with_arrays=not streamed)
    if suffix != ".csv":
        write_checks.refuse_names_pytables_mangles([target for target, _ in tables])
    with (
        atomic_outputs([target for target, _ in tables], overwrite=overwrite) as temporaries,
        _header_too_large(tables),
    ):
        if streamed:
            plans = [plan for _, plan in tables]
            check = functools.partial(write_checks.refuse_negative_likelihood, title=title)
            stream_write.write_chunks(ds, temporaries, plans, index[0], suffix == ".csv", check)
            return [target for target, _ in tables]
        for temporary, (_, plan) in zip(temporaries, tables, strict=True):
            if suffix == ".csv":
                csv_write.write_table(temporary, plan, index, data_split)
            else:
                write_h5(temporary, plan, style, index, data_split, fixed=labelled)
    return [target for target, _ in tables]


def individuals_level_by_source(ds: xr.Dataset, given: bool | None) -> bool | None:
    """``individuals_level`` to write: ``given``, else ``True`` for a dataset read from a
    multi-animal DeepLabCut table (``attrs["dlc_layout"]``), so that a file of one animal
    keeps its ``individuals`` level (and its name) on the way back.

    Examples
    --------
    >>> import numpy as np, posebridge
    >>> ds = posebridge.from_numpy(np.zeros((3, 2, 2, 1))).assign_attrs(dlc_layout="multi-animal")
    >>> individuals_level_by_source(ds, None), individuals_level_by_source(ds, False)
    (True, False)
    """
    if given is not None:
        return given
    source_layout = ds.attrs.get(layout.DLC_LAYOUT)  # any other value than the text: ignored
    multi_animal = isinstance(source_layout, str) and source_layout == layout.MULTI_ANIMAL
    return True if multi_animal else None


@contextlib.contextmanager
def _header_too_large(tables: list[tuple[Path, column_plan.ColumnPlan]]) -> Iterator[None]:
    """Say why PyTables cannot write a table of many columns (as it says, a bare
    HDF5ExtError): pandas stores the column index in HDF5 attributes of 64 kB at most.

    Only a table that needs pandas' ``table`` layout reaches here: one written
    chunk by chunk (a dask-backed dataset) or with a ``set`` text column;
    :func:`write_h5` writes others in the ``fixed`` layout.
    """
    import tables as pytables

    try:
        yield
    except pytables.HDF5ExtError as error:
        if "attribute" not in str(error):
            raise
        target, plan = tables[0]
        raise PoseBridgeError(
            f"{target}: HDF5 cannot hold the column index of {len(plan.labels)} columns "
            "(pandas' table layout, needed to write a dask-backed dataset chunk by chunk or a "
            "'set' column, stores it in an HDF5 attribute, of 64 kB at most). Write .csv, or "
            "one file per individual (split_individuals=True), or load the dataset into "
            "memory first (ds.load()) without a 'set' column."
        ) from None


def write(
    ds: xr.Dataset,
    path: Path,
    *,
    overwrite: bool = False,
    split_individuals: bool | Literal["auto"] = False,
    scorer: str | None = None,
    individuals_level: bool | None = None,
    number_rows: bool = False,
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
    individuals_level
        For a file that is not split: ``True`` writes the ``individuals``
        column level even for one individual (movement's
        ``to_dlc_file(..., split_individuals=False)``); ``None`` (default)
        writes it when there are several individuals (or a ``single`` one)
        or when the dataset was read from a multi-animal DeepLabCut file
        (``attrs["dlc_layout"] == "multi-animal"``: a file of one animal is
        written back as it was); ``False`` never writes it, for one
        individual only (refused for more).
    number_rows
        ``True``: a dataset whose time is in seconds without fps or a
        ``frame`` coordinate is written with rows numbered 0..n-1 (with a
        warning; movement's writers do so); ``False`` (default): refused,
        as SLEAP's and COCO's writers refuse it (the frame numbers would be
        made up and the times lost). Negative frame numbers are refused
        (``True``: rows numbered 0..n-1, as movement writes them).

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
        individuals_level=individuals_level_by_source(ds, individuals_level),
        number_rows=number_rows,
    )


def write_lp(
    ds: xr.Dataset,
    path: Path,
    *,
    overwrite: bool = False,
    scorer: str | None = None,
    split_individuals: bool = False,
    number_rows: bool = False,
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
    split_individuals
        ``True``: one file per individual, ``<stem>_<individual>.csv`` (what
        movement's ``to_lp_file`` does, even for one individual); any number
        of individuals is then accepted.
    number_rows
        As :func:`write`.

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
    n = ds.sizes[model.INDIVIDUAL]
    if n != 1 and split_individuals is not True:
        names = [str(v) for v in ds[model.INDIVIDUAL].values]
        in_python = (
            "Write one file per individual with split_individuals=True, select one with "
            "ds.sel(individual=[name]), or write DeepLabCut (format='dlc')."
        )
        refused = SchemaError(
            f"LightningPose files hold one individual; this dataset has {n} ({names}). "
            + in_python
        )
        refused.command_line_wording = {  # type: ignore[attr-defined]
            in_python: "Write one file per individual with --option split_individuals=true, "
            "or write DeepLabCut (--to dlc)."
        }
        raise refused
    if Path(path).suffix.lower() != ".csv":
        raise PoseBridgeError(f"{path}: LightningPose files are .csv files.")
    return _write(
        ds,
        Path(path),
        overwrite=overwrite,
        split_individuals=split_individuals is True,
        scorer=scorer,
        default_scorer=DEFAULT_LP_SCORER,
        number_rows=number_rows,
    )


def dataframe_from_dataset(
    ds: xr.Dataset,
    split_individuals: bool = False,
    scorer: str | None = None,
    individuals_level: bool | None = None,
    number_rows: bool = False,
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
    individuals_level
        As :func:`write`: ``True`` keeps the ``individuals`` level of an
        unsplit table of one individual (by default, that of a dataset read
        from a multi-animal table).
    number_rows
        As :func:`write`.

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
    column_plan.check_writable(ds)
    refuse_views(ds, "DeepLabCut")  # a table holds one camera's tracks, as a file does
    if labels.is_labels(ds):
        ds = prepare_labels(ds, lightning_pose=False, where="the DataFrame")
    scorer = str(scorer or ds.attrs.get("scorer") or DEFAULT_SCORER)
    style, index = column_plan.index_for_writing(ds, number_rows=number_rows)
    individuals_level = individuals_level_by_source(ds, individuals_level)
    tables = plan_tables(ds, Path("x.h5"), bool(split_individuals), scorer, individuals_level)
    frames = [table_frame(plan, style, index) for _, plan in tables]
    if layout.DATA_SPLIT in ds.coords:
        split_values = np.asarray(ds[layout.DATA_SPLIT].values).astype(object)
        for df, (_, plan) in zip(frames, tables, strict=True):
            df[set_label(plan)] = split_values
    if not split_individuals:
        return frames[0]
    names = [str(v) for v in ds[model.INDIVIDUAL].values]
    return dict(zip(names, frames, strict=True))
