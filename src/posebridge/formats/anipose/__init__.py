"""Anipose triangulation .csv (``pose-3d/<video>.csv``): 3D poses of one animal.

Layout (written by ``anipose/triangulate.py`` with ``to_csv(index=False)``): for
each keypoint in the project's order, ``<kp>_x, <kp>_y, <kp>_z, <kp>_error,
<kp>_ncams, <kp>_score``; then the axis-alignment matrix ``M_00 .. M_22``
(row-major, the same on every row), ``center_0 .. center_2`` and the frame
number ``fnum``.

What is kept: ``position`` (x, y, z) and ``confidence`` (``_score``) as in
movement, and beyond it ``reprojection_error`` (``_error``) and
``camera_count`` (``_ncams``) as variables (time, keypoint, individual), the
alignment as the attributes ``anipose_alignment_matrix`` (9 floats, row-major
M) and ``anipose_alignment_center`` (3 floats), and ``fnum`` as the time
coordinate (gaps kept). Keypoints stay in the file's column order (movement
sorts them alphabetically). Anipose aligned the points as
``aligned = raw @ M.T - center``; M need not be orthogonal, so undo it with
``raw = (aligned + center) @ numpy.linalg.inv(M.T)``.

Both of Anipose's missing-value styles load: without ``optim`` every value of
a missing point is empty; with ``optim`` only ``_error`` and ``_score`` are.

A table saved by pandas with its index (``to_csv``'s default: a first column
under an empty header cell, or ``Unnamed: 0`` once read and saved again) is
detected and read: the index columns before Anipose's hold row labels and are
left out, if they hold whole numbers (else the reader names the line).
"""

from __future__ import annotations

import csv
from pathlib import Path

from posebridge._files import Peek
from posebridge.errors import describing
from posebridge.formats._shared.record import Format
from posebridge.formats.anipose.layout import SUFFIXES, is_header, other_delimiter
from posebridge.formats.anipose.read import dataset_from_dataframe, read, split_columns
from posebridge.formats.anipose.write import dataframe_from_dataset, write

__all__ = [
    "FORMATS",
    "dataframe_from_dataset",
    "dataset_from_dataframe",
    "describe",
    "read",
    "sniff",
    "write",
]

# --------------------------------------------------------------------------
# sniffing


def _columns(peek: Peek) -> list[str]:
    """The header's cells (comma-separated); text in another encoding too (see ``sniff``)."""
    first = peek.lines(1, loose=True)
    return _cells(first[0]) if first else []


def _cells(line: str) -> list[str]:
    """A header line's cells, parsed as CSV: quoted cells (R's ``write.csv``) unquoted,
    as the reader (pandas) reads them."""
    return [cell.strip() for cell in next(csv.reader([line]), [])]


def sniff(peek: Peek) -> bool:
    """Whether the first line of the peeked file is an Anipose triangulation header.

    It must name ``<kp>_x, <kp>_y, <kp>_z`` of some keypoint and at least one
    Anipose-only column (``fnum``, ``M_00`` or a ``_ncams``/``_error``
    column). DeepLabCut-style tables start with ``scorer`` and never match.

    Text in another encoding than UTF-8 (cp1252, UTF-16), and a header with
    ``;`` or tabs between its cells (a spreadsheet's export), are claimed too:
    the reader then says what is wrong (line, byte and encoding; the delimiter).
    """
    first = peek.lines(1, loose=True)
    return bool(first) and (is_header(_cells(first[0])) or other_delimiter(first[0]) is not None)


@describing("Anipose")
def describe(path: Path) -> list[tuple[str, str]]:
    """What ``posebridge info`` shows beyond the dataset: the file's column groups."""
    with Peek(path) as peek:
        columns = _columns(peek)
    keypoints, by_keypoint, _ = split_columns(columns)
    suffixes = [s for s in SUFFIXES if any(s in by_keypoint[kp] for kp in keypoints)]
    groups = (("M_00..M_22", "M_00"), ("center_0..2", "center_0"), ("fnum", "fnum"))
    other = [name for name, probe in groups if probe in columns]
    text = f"{len(keypoints)} keypoints x ({', '.join(suffixes)})"
    return [("columns", ", then ".join([text, *other]) if other else text)]


FORMATS: tuple[Format, ...] = (
    Format(
        name="anipose",
        title="Anipose",
        extensions=(".csv",),
        kinds=("poses",),
        sniff=sniff,
        read=read,
        write=write,
        aliases=("Anipose",),
        describe=describe,
        notes="3D, one individual; read: individual_name=; write: individual=",
    ),
)
