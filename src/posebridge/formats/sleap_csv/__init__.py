"""SLEAP analysis CSV (``.analysis.csv``): SLEAP's "Export Analysis CSV".

One row per (frame, track) where an instance has a point: ``track`` (empty for
an untracked instance), ``frame_idx``, ``instance.score``, then
``<node>.x``, ``<node>.y``, ``<node>.score`` per node in skeleton order.
Frames without instances have no row. Missing values are spelt three ways:
an empty cell, the literal ``nan``, and (SLEAP GUI exports) empty x, y beside
a point score of ``0.0``; all read as NaN positions, the score as written.

Reading and writing; see :mod:`.read` and :mod:`.write`. The format belongs to
the SLEAP family: ``format="SLEAP"`` reads a CSV by its content and writes one
to a ``.csv`` name.
"""

from __future__ import annotations

from posebridge.formats._shared.record import Format
from posebridge.formats.sleap_csv.layout import sniff
from posebridge.formats.sleap_csv.read import describe, read
from posebridge.formats.sleap_csv.write import write

__all__ = ["FORMATS", "describe", "read", "sniff", "write"]

FORMATS = (
    Format(
        name="sleap-csv",
        title="SLEAP analysis CSV",
        extensions=(".analysis.csv", ".csv"),
        kinds=("poses",),
        sniff=sniff,
        read=read,
        write=write,
        aliases=("sleap-analysis-csv",),
        family="SLEAP",
        specificity=1,
        describe=describe,
        notes="SLEAP's CSV export; read: all_frames=True (frames 0..last, as the .h5)",
    ),
)
