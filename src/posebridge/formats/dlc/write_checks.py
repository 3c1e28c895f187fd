"""What the DeepLabCut and LightningPose writers check before writing a dataset.

Names (a .h5 name PyTables would mangle, pandas' placeholder form, an
individual's name no header level holds), the scorer of the first header row,
negative likelihoods (which DeepLabCut readers take as "no point") and the
per-keypoint variables a DeepLabCut file does not hold. Each refuses with a
PoseBridgeError, or warns, before anything is written;
:mod:`posebridge.formats.dlc.write` lays out and writes the tables.

Examples
--------
>>> from posebridge.formats.dlc.write_checks import checked_scorer
>>> checked_scorer(None, "DLC_resnet50", "DeepLabCut", nul="")
'DLC_resnet50'
"""

from __future__ import annotations

import os
import re
import warnings
from pathlib import Path

import numpy as np
import xarray as xr

from posebridge import model
from posebridge.errors import PoseBridgeError, SchemaError, TypeError, brief, user_stacklevel
from posebridge.formats._shared.individual_names import (
    FORMATS_KEEPING_NAMES,
    warn_individual_name_not_stored,
    warn_individual_names_not_kept,
)
from posebridge.formats.dlc import column_plan, layout


def refuse_names_pytables_mangles(targets: list[Path]) -> None:
    """Refuse a .h5 name beyond ASCII when Python's file-system encoding is not UTF-8.

    Under a locale such as ``LC_ALL=C`` (without Python's UTF-8 mode) such a name
    is held as escaped bytes, which PyTables, the writer of pandas' HDF5 files,
    turns into ``?`` characters: it would write a file of another name, which
    the write's clean-up cannot find.
    """
    import codecs
    import sys

    encoding = codecs.lookup(sys.getfilesystemencoding()).name
    if encoding == "utf-8":
        return
    for target in targets:
        if not os.fspath(target).isascii():
            raise PoseBridgeError(
                f"{target}: PyTables, which writes DeepLabCut .h5 files, cannot give a file "
                f"a name beyond ASCII while Python's file-system encoding is {encoding} (a "
                "non-UTF-8 locale such as LC_ALL=C): choose an ASCII name, write .csv, or run "
                "Python in UTF-8 mode (PYTHONUTF8=1)."
            )


def warn_name_not_stored(ds: xr.Dataset, path: Path, title: str) -> None:
    """Warn that the one individual's name is lost: 3 column levels hold no individual.

    A single-animal DeepLabCut file, and every LightningPose file, has no
    ``individuals`` level, and reads back with the reader's default name
    (``individual_0``, movement's); a dataset whose individual has a name a tool
    made up (:data:`~posebridge.formats._shared.individual_names.GENERATED_NAMES`) loses nothing.
    """
    if title == "LightningPose":
        form = "a LightningPose file (columns scorer, bodyparts, coords) has no individual"
        keep = (
            "Write DeepLabCut (format='dlc') with individuals_level=True, or netCDF (.nc), "
            "to keep it."
        )
        flags = (
            "Write DeepLabCut (--to dlc --option individuals_level=true), or netCDF (.nc), "
            "to keep it."
        )
    else:
        form = (
            "a single-animal DeepLabCut file (columns scorer, bodyparts, coords) has no "
            "'individuals' level"
        )
        advice = (
            "to keep the name (the 'individuals' level of multi-animal files, which "
            "DeepLabCut's single-animal projects do not expect)."
        )
        keep = f"Pass individuals_level=True {advice}"
        flags = f"Pass --option individuals_level=true {advice}"
    warn_individual_name_not_stored(
        str(ds[model.INDIVIDUAL].values[0]),
        path,
        layout=form,
        read_back=layout.DEFAULT_INDIVIDUAL,
        keep=keep,
        keep_on_command_line=flags,
    )


def warn_names_in_file_names(ds: xr.Dataset, named: str, title: str) -> None:
    """Warn that the files of a split write (``named``) hold no individual's name.

    Each holds one individual in 3 column levels (no ``individuals`` level); its name
    is only in the file's name (:func:`split_path`), which the reader does not take:
    every file reads back as ``individual_0``. Names a tool made up lose nothing.
    """
    keep = FORMATS_KEEPING_NAMES
    if title == "DeepLabCut":
        keep = f"one DeepLabCut file (split_individuals=False) or {keep}"
    warn_individual_names_not_kept(
        ds,
        named,
        holds=(
            f"{title} files written one per individual (split_individuals=True: each file "
            "has no individuals level, its individual named only in the file's name)"
        ),
        read_back=f"{layout.DEFAULT_INDIVIDUAL!r}, each file",
        keep=keep,
        command_line_wording={
            "(split_individuals=True:": "(--option split_individuals=true:",
            "(split_individuals=False)": "(--option split_individuals=false)",
        },
    )


def refuse_placeholder_names(ds: xr.Dataset, title: str, dim: str) -> None:
    """Refuse a ``dim`` name in the form of pandas' placeholder for an empty column label
    (``Unnamed: 1_level_1``) that is written in a header level: read back, it is a
    missing label, not a name. An individual's name that no level holds (one animal in
    3 levels, a file per animal) is not refused: movement writes such files."""
    for name in (str(v) for v in ds[dim].values):
        if layout.is_pandas_placeholder(name):
            raise SchemaError(
                f"{dim} name {name!r} has the form of pandas' placeholder for an empty "
                f"column label ('Unnamed: <column>_level_<level>'), which {title} "
                "readers (pandas, posebridge) read back as a missing label, not as a "
                f"name; nothing was written. Rename it, e.g. ds.assign_coords({dim}=[...])."
            )


def without_foreign_coords(ds: xr.Dataset, path: object, title: str) -> xr.Dataset:
    """The dataset without per-keypoint variables a DeepLabCut file does not hold.

    DeepLabCut writes x, y (, z) and likelihood per bodypart, and its own
    readers (``make_labeled_video``, ``filterpredictions``, the 3D plots) and
    movement's take the columns in threes or every other coord as a position:
    Anipose's ``reprojection_error`` as a column read ``likelihood``,
    ``reprojection_error``, ``camera_count`` as another bodypart. They are
    dropped with a warning, unless the dataset was read from a DeepLabCut file
    that had them (written back as it was). LightningPose files keep them
    (EKS writes its variances so).
    """
    if title != "DeepLabCut" or ds.attrs.get("source_software") == "DeepLabCut":
        return ds
    extras = column_plan.extra_variables(ds)
    if not extras:
        return ds
    warnings.warn(
        f"{path}: a DeepLabCut file holds x, y (, z) and likelihood per bodypart, and "
        f"DeepLabCut's and movement's readers take other columns as positions; "
        f"{', '.join(extras)} are not written. Write LightningPose .csv or netCDF to keep them.",
        UserWarning,
        stacklevel=user_stacklevel(),
    )
    return ds.drop_vars(extras)


def scorer_by_name(
    ds: xr.Dataset, path: Path, given: object, title: str, labelled: bool, default: str
) -> str:
    """The scorer to write when none is given: a ``CollectedData_<scorer>`` name's for
    DeepLabCut labels, else the dataset's, else ``default``.

    DeepLabCut finds labelled data by ``cfg["scorer"]`` in the file name and then
    takes ``Data[cfg["scorer"]]`` (a KeyError under another scorer); LightningPose
    reads no scorer. A scorer the labels had is replaced with a warning, and poses
    written under a ``CollectedData`` name are warned about.
    """
    had = dataset_scorer(ds, path, title)
    if not labelled:
        if path.stem.startswith("CollectedData"):
            warnings.warn(
                f"{path}: a CollectedData file is DeepLabCut's labelled frames, and this "
                "dataset is poses (predictions, with likelihood), which DeepLabCut does not "
                "take as labels. Labels read as labels (a SLEAP file with instances='user', "
                "a COCO ground truth, NWB PoseTraining) are written as DeepLabCut's labelled "
                "data.",
                UserWarning,
                stacklevel=user_stacklevel(),
            )
        return had or default
    named = re.fullmatch(r"CollectedData_(.+)", path.stem) if title == "DeepLabCut" else None
    if named is None:
        return had or default
    if given is None and had and str(had) != named.group(1):
        warnings.warn(
            f"{path}: the labels' scorer {had!r} is written as {named.group(1)!r}, the file "
            "name's: DeepLabCut takes labelled data only under the scorer its file names "
            "(pass scorer= to choose another).",
            UserWarning,
            stacklevel=user_stacklevel(),
        )
    return named.group(1)


def dataset_scorer(ds: xr.Dataset, path: Path, title: str) -> str | None:
    """The dataset's ``scorer`` attribute when it names one (text, not blank), else ``None``.

    Another value (a list of scorers read from a netCDF file, an array) is not
    written as its Python text: a warning says the default is written instead.
    """
    had = ds.attrs.get("scorer")
    if had is None or (isinstance(had, str) and not had.strip()):
        return None
    if isinstance(had, str):
        return had
    warnings.warn(
        f"{path}: the dataset's scorer attribute is not text ({brief(had)}); {title} files "
        "name one scorer in their first header row, so the default is written (pass scorer= "
        "to choose one).",
        UserWarning,
        stacklevel=user_stacklevel(),
    )
    return None


def checked_scorer(given: object, fallback: str, title: str, nul: str) -> str:
    """The scorer level to write: ``given`` (text, not empty) or ``fallback``, without a
    line break (or, in a CSV, a NUL) that would break the header rows."""
    if given is not None and not isinstance(given, str):
        raise TypeError(f"scorer must be text, got {given!r} ({type(given).__name__}).")
    if given is not None and not given.strip():
        raise SchemaError(
            f"scorer is empty ({given!r}); {title} files name the scorer in their first header "
            "row: give a name, or leave scorer out to keep the dataset's."
        )
    scorer = str(given if given is not None else fallback)
    bad = next((c for c in "\n\r" + nul if c in scorer), None)
    if bad is not None:
        raise SchemaError(
            f"the scorer {scorer!r} holds {bad!r}, which {title} files cannot hold in their "
            "header; give another with scorer=."
        )
    return scorer


def refuse_negative_likelihood(ds: xr.Dataset, title: str, first_time: int | None = None) -> None:
    """DeepLabCut readers take a negative likelihood as padding (no point): refuse one.

    ``first_time``: where ``ds`` starts in the whole dataset, when it is a
    streamed chunk of it.
    """
    if "confidence" not in ds:
        return
    confidence = np.asarray(ds["confidence"].values)
    negative = confidence < 0
    if negative.any():
        where = np.argwhere(negative)[0]
        where[list(ds["confidence"].dims).index(model.TIME)] += first_time or 0
        count = "" if first_time is None else "at least "
        raise SchemaError(
            f"The dataset has {count}{int(negative.sum())} negative confidence values (the "
            "first at "
            f"{dict(zip(ds['confidence'].dims, where.tolist(), strict=True))}); {title} "
            "readers take a negative likelihood as 'no point', so they would come back "
            "missing. Clip them first, e.g. ds['confidence'] = ds.confidence.clip(min=0)."
        )
