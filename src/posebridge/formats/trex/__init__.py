"""TRex per-individual outputs: ``<video>_<prefix><N>.npz`` files and TRex CSV exports.

Read-only. TRex writes one file per individual; the identity exists only in
the file name (``test_fish0.npz`` -> individual ``fish0``). posebridge reads:

- a folder: every TRex ``.npz`` in it (else every TRex ``.csv``), one
  dataset; the files must belong to one video (``<video>_`` prefix);
- one file: that individual (``siblings=True`` adds the other files of the
  same video beside it);
- through :func:`posebridge.formats.trex.read`, also a glob pattern or a list
  of files.

Keypoints: ``centroid`` (``X#wcentroid``/``Y#wcentroid``, else
``X#centroid``), ``head`` (``X``/``Y``, TRex's posture head), ``posture_centroid``
(``#pcentroid``) and ``pose_<i>`` (``poseX<i>``/``poseY<i>``) where present.
``+inf`` and rows with ``missing == 1`` are NaN. ``timestamp`` (microseconds)
gives time in seconds, with the frame numbers kept in ``frame``. Positions are
in TRex's unit (cm, from ``cm_per_pixel``; a CSV header's unit suffix says
which). Arrays that are not per frame (``frame_segments``, ``segment_vxys``)
and the other per-frame measures (speed, angle, ...) are not read.
"""

from __future__ import annotations

from posebridge.formats._shared.record import Format
from posebridge.formats.trex.layout import sniff, sniff_folder
from posebridge.formats.trex.read import describe, read

__all__ = ["FORMATS", "describe", "read", "sniff", "sniff_folder"]

FORMATS = (
    Format(
        name="trex",
        title="TRex",
        extensions=(".npz", ".csv"),
        kinds=("poses",),
        sniff=sniff,
        read=read,
        specificity=1,
        describe=describe,
        sniff_folder=sniff_folder,
        notes="read-only; a folder of <video>_<id>.npz (or one file; siblings=True), "
        "TRex CSV exports",
    ),
)
