"""SLEAP: labels and predictions (.slp, .pkg.slp) and analysis files (.h5).

Two formats of one family: ``slp`` (modules ``slp_read``, ``slp_write``, the
on-disk tables in ``slp_tables``, poses built from them in ``slp_poses`` and
labelled frames in ``slp_labels``) and ``sleap`` (analysis .h5:
``analysis_read``, ``analysis_write``). ``common``
holds the skeleton JSON, untracked names and HDF5 strings both use. On
reading, the content decides which of the two a file is.
"""

from __future__ import annotations

from posebridge._files import Peek
from posebridge.formats._shared.record import Format
from posebridge.formats.sleap import analysis_read, analysis_write, slp_read, slp_write
from posebridge.formats.sleap.slp_tables import is_first_layout

__all__ = ["FORMATS", "read_all_videos", "sniff_analysis", "sniff_slp"]

read_all_videos = slp_read.read_all_videos


def sniff_slp(peek: Peek) -> bool:
    """Whether the peeked file is an .slp file: HDF5 with a /metadata group holding format_id,
    or SLEAP's first layout (no format_id; the skeleton JSON and the /frames and
    /instances tables).

    Examples
    --------
    >>> with Peek("labels.v002.slp") as peek:  # doctest: +SKIP
    ...     sniff_slp(peek)
    True
    """
    if peek.h5_keys.get("metadata") != "group":
        return False
    metadata = peek.h5["metadata"]
    return "format_id" in metadata.attrs or is_first_layout(metadata, peek.h5_keys)


def sniff_analysis(peek: Peek) -> bool:
    """Whether the peeked file is a SLEAP analysis file: HDF5 with /tracks and /node_names.

    DeepLabCut's pandas files keep ``tracks`` as a group, netCDF and NWB files
    have neither dataset, so they are not claimed.

    Examples
    --------
    >>> with Peek("predictions.analysis.h5") as peek:  # doctest: +SKIP
    ...     sniff_analysis(peek)
    True
    """
    keys = peek.h5_keys
    return keys.get("tracks") == "dataset" and (
        keys.get("node_names") == "dataset" or keys.get("track_occupancy") == "dataset"
    )


FORMATS = (
    Format(
        name="sleap",
        title="SLEAP",
        extensions=(".analysis.h5", ".h5"),
        kinds=("poses",),
        sniff=sniff_analysis,
        read=analysis_read.read,
        write=analysis_write.write,
        aliases=("sleap-analysis", "sleap-h5"),
        family="SLEAP",
        describe=analysis_read.describe,
        notes=(
            "SLEAP analysis .h5 (any layout); write: all_frames=True, compression_level=1, "
            "drop_empty_tracks=False"
        ),
    ),
    Format(
        name="slp",
        title="SLEAP",
        extensions=(".pkg.slp", ".slp"),
        kinds=("poses", "labels"),
        sniff=sniff_slp,
        read=slp_read.read,
        write=slp_write.write,
        aliases=("sleap-labels", "sleap-slp"),
        family="SLEAP",
        describe=slp_read.describe,
        notes="options: video=, instances='auto'|'user' (labels)|'prefer_user'|'predicted', "
        "skeleton=; "
        "write: video_path=, format_id=1.2",
    ),
)
