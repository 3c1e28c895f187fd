"""VIA tracks .csv (VGG Image Annotator): bounding-box tracks, one row per box.

The header line is exactly the 7 column names ``filename, file_size,
file_attributes, region_count, region_id, region_shape_attributes,
region_attributes``, joined by commas without spaces (VIA 1.0 wrote
``#filename``).

``region_shape_attributes`` is a JSON object ``{"name": "rect", "x": <top-left
x>, "y": <top-left y>, "width": w, "height": h}``; ``region_attributes`` holds
``{"track": <id>, "confidence": <score>}`` (``track`` may be a number or a
string such as ``"2"`` or ``"2.0"``; ``confidence`` is optional). Images with
no region (VIA writes ``"{}",0,0,"{}","{}"``) are not boxes: their frame is
kept as a time step with every box missing.

Reading. Boxes become ``position`` (the centre: top-left + size / 2),
``shape`` (width, height) and ``confidence``; the individual of track ``N`` is
``id_N`` (individuals in increasing track order, as movement). A ``point``
region is read as a box of size zero; polygons, circles and ellipses are
refused with a message naming the line. The frame number of each image is
``file_attributes["frame"]`` when every row has it, else taken from the file
name by ``frame_regexp`` (default ``(?<![0-9])([0-9]+)\\.\\w+$``: the whole
number before the extension; movement's ``(0\\d*)\\.\\w+$`` read ``img_1000.png``
as frame 0). Gaps are always kept:

- ``use_frame_numbers_from_file=False`` (the default): ``time`` counts frames
  from the first image in the file (time 0), and when that image is not frame
  0 the file's frame numbers are kept in the ``frame`` coordinate, so writers
  put the real numbers back;
- ``use_frame_numbers_from_file=True``: ``time`` is the file's frame numbers.

(movement 0.17 renumbers the frames 0..n-1 by default, which moves the boxes
after a gap to the wrong frames.) The file names are kept in the
``image_path`` coordinate.

Writing. One row per box that has a finite centre and size (NaN boxes are
skipped), in time then individual order; numbers are rounded to 6 decimals
and ``confidence`` is omitted when NaN. Frame numbers come from
:func:`posebridge.model.frame_numbers` (``time * fps`` rounded, never
truncated) and are also written as ``file_attributes`` ``{"frame": N}``, so
the file reads back with any file naming.
"""

from __future__ import annotations

from posebridge._files import Peek
from posebridge.formats._shared.record import Format
from posebridge.formats.via.read import read
from posebridge.formats.via.table import is_header_line, other_delimiter
from posebridge.formats.via.write import write

__all__ = ["FORMATS", "read", "sniff", "write"]

# --------------------------------------------------------------------------
# sniffing


def sniff(peek: Peek) -> bool:
    """Whether the first line of the peeked file is the VIA tracks header (also VIA 1.0's).

    Text in another encoding than UTF-8 is recognised too: the reader then
    names the encoding, the line and the byte. So is the header with ``;`` or
    tabs between its cells (a spreadsheet's export): the reader refuses it,
    saying so.
    """
    first = peek.lines(1, loose=True)
    return bool(first) and (is_header_line(first[0]) or other_delimiter(first[0]) is not None)


FORMATS: tuple[Format, ...] = (
    Format(
        name="via",
        title="VIA-tracks",
        extensions=(".csv",),
        kinds=("bboxes",),
        sniff=sniff,
        read=read,
        write=write,
        aliases=("VIA-tracks", "VIA", "via-tracks"),
        notes="boxes; read: use_frame_numbers_from_file=, frame_regexp=; "
        "write: frame_n_digits=, image_file_prefix=, image_file_suffix=",
    ),
)
