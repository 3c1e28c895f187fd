"""DeepLabCut and LightningPose: DLC-style tables in .h5 and .csv files.

Reading covers every layout DeepLabCut and LightningPose write: pandas
``table`` and ``fixed`` HDF5 (read with h5py; PyTables is not needed), any
HDF5 key (``df_with_missing``, ``tracks``, ``predictions``, ...), 3- and
4-level columns, the ``single`` individual of unique bodyparts, x/y/likelihood
and x/y/z, extra coords by name (LightningPose EKS), DLC 3's -1 padding,
labelled data indexed by image path, and LightningPose's ``set`` column. The
rules are in :mod:`posebridge.formats.dlc.layout`; modules: ``read``, ``write``,
``layout`` (the column levels, read into a dataset), ``column_plan`` (the columns
of a dataset to write), ``csv`` and ``pandas_hdf5`` (the on-disk layers).

Writing gives what DeepLabCut writes: .h5 = pandas ``table`` under the key
``df_with_missing`` (``fixed`` for labels indexed by (folder, video, image),
which pandas cannot store as a table), .csv = ``DataFrame.to_csv`` layout.
"""

from __future__ import annotations

from pathlib import Path

import h5py

from posebridge._files import Peek
from posebridge.formats._shared.record import Format
from posebridge.formats.dlc import csv_header, layout, pandas_hdf5
from posebridge.formats.dlc.layout import DLC, LP
from posebridge.formats.dlc.read import (
    choose_key,
    dataset_from_dataframe,
    is_hdf5,
    read,
    read_lp,
)
from posebridge.formats.dlc.write import dataframe_from_dataset, write, write_lp

__all__ = [
    "FORMATS",
    "dataframe_from_dataset",
    "dataset_from_dataframe",
    "read",
    "read_lp",
    "write",
    "write_lp",
]

_LP_COORDS = {"visible"}  # coords only LightningPose writes (besides the EKS ones)


# --------------------------------------------------------------------------
# sniffing


def sniff(peek: Peek) -> bool:
    """Whether ``path`` is a DeepLabCut .h5 (pandas, DLC column levels) or DLC-style CSV.

    A DLC-style CSV saved with ``;`` or tabs between its cells (a spreadsheet's
    export) is claimed too: its reader refuses it, saying so.

    Examples
    --------
    >>> sniff(Path("video1DLC_resnet50.h5"))  # doctest: +SKIP
    True
    """
    if peek.is_hdf5:
        return peek.h5 is not None and bool(pandas_hdf5.dlc_groups(peek.h5, peek.path))
    return csv_header.sniff_header(peek) is not None or csv_header.sniff_other_delimiter(peek)


def _looks_like_lp(header: csv_header.CsvHeader) -> bool:
    """Whether a DLC-style CSV header is LightningPose's (see :func:`sniff_lp`).

    LightningPose holds one animal and writes no ``individuals`` level, so a table
    with that level is DeepLabCut's (multi-animal), whatever else it has: its
    ``set`` column is the ``data_split`` the DeepLabCut writer keeps.
    """
    if "individuals" in header.level_names:
        return False
    scorer_level = header.level_names.index("scorer")
    coord_level = header.level_names.index("coords")
    scorers = {label[scorer_level] for label in header.columns}
    coords = {label[coord_level] for label in header.columns}
    return (
        any(s.endswith("_tracker") for s in scorers)
        or layout.SET_COLUMN in scorers
        or bool(coords - set(layout.CORE_COORDS) - {""})
        or bool(coords & _LP_COORDS)
    )


def sniff_lp(peek: Peek) -> bool:
    """Whether ``path`` is a LightningPose CSV: DLC-style, with a ``*_tracker`` scorer,
    a ``set`` column or coords beyond x/y/likelihood (EKS, ``visible``). Never .h5, and
    never a table with an ``individuals`` level (multi-animal DeepLabCut).

    Examples
    --------
    >>> sniff_lp(Path("video_preds/video.csv"))  # doctest: +SKIP
    True
    """
    if peek.is_hdf5:
        return False
    header = csv_header.sniff_header(peek)
    return header is not None and _looks_like_lp(header)


def _describe(path: Path) -> list[tuple[str, str]]:
    """What ``posebridge info`` shows about a DeepLabCut file beyond the dataset."""
    if not is_hdf5(path):
        header = csv_header.read_header(path)
        style = {1: "one index column"}.get(header.n_index, f"{header.n_index} index columns")
        return [("layout", f"CSV, {len(header.level_names)} header lines, {style}")]
    with h5py.File(path, "r") as h5:
        key = choose_key(h5, path, None)
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
