"""DANNCE 3-D predictions: ``save_data_AVG*.mat`` / ``save_data_MAX*.mat`` and ``com3d.mat``.

Read-only. ``pred`` (N, 3, K) -> 3-D ``position`` (x, y, z in the calibration's
units, mm), ``p_max`` (N, K) -> ``confidence``, ``sampleID`` -> the
``sample_id`` coordinate. ``sampleID`` holds sample ids of DANNCE's sync
table, not frames (``makeSyncFiles.py``: frame * 1000 / fps + 1): ``sync=`` (a
``<camera>_sync.mat`` or a Label3D file) maps them to frames for time; without
it time holds the ids, with a warning. Marker names are not in
the file: they come from a skeleton file (``skeleton=``), else ``marker_0``,
``marker_1``, ...; K is taken from ``pred``. ``com3d.mat`` (``com`` (N, 3))
reads as one keypoint, ``com``; multi-animal DANNCE's ``com`` (N, 3, n) as n
individuals. MATLAB v5 files are read with scipy, v7.3 (HDF5) with h5py.
sDANNCE's instance axis (N, n, 3, K) gives n individuals.
"""

from __future__ import annotations

from posebridge.formats._shared.record import Format
from posebridge.formats.dannce.read import describe, read, sniff

__all__ = ["FORMATS", "describe", "read", "sniff"]

FORMATS = (
    Format(
        name="dannce",
        title="DANNCE",
        extensions=(".mat",),
        kinds=("poses",),
        sniff=sniff,
        read=read,
        specificity=1,
        describe=describe,
        notes="read-only; save_data_*.mat (pred, p_max, sampleID), com3d.mat; "
        "skeleton=<skeleton .mat or list of names>; sync=<*_sync.mat or Label3D file> "
        "(sampleID -> frames)",
    ),
)
