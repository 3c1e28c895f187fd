"""DeepLabCut-style CSV files: the header lines, parsed and sniffed.

Layout (``DataFrame.to_csv`` of a DeepLabCut table)::

    scorer,DLC_resnet50,DLC_resnet50,...        <- one line per column level,
    individuals,mouse1,mouse1,...                   first cell = the level name
    bodyparts,snout,snout,...
    coords,x,y,likelihood,...
    0,12.5,40.25,0.98,...                        <- index cell(s), then numbers

Labelled data indexes rows by image path: one column, or three
(``labeled-data``, video, image), in which case the header lines start with
``scorer,,,``. The header is parsed here, not by
``pandas.read_csv(header=[...])``, which takes an all-empty first data row
for an index-name row and drops it. The data rows are read by
:mod:`posebridge.formats.dlc.csv` and written by
:mod:`posebridge.formats.dlc.csv_write`.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from posebridge._files import Peek
from posebridge.errors import FormatError
from posebridge.formats._shared import csv_rows
from posebridge.formats._shared.text_bytes import DOUBLED_LINE_END, not_utf8_error, text_size

__all__ = [
    "TITLE",
    "CsvHeader",
    "header_from_lines",
    "read_header",
    "sniff_header",
    "sniff_other_delimiter",
    "unpadded",
]

_MAX_HEADER_BYTES = 16 * 1024 * 1024


@dataclass
class CsvHeader:
    """What the header lines of a DeepLabCut CSV say.

    Attributes
    ----------
    level_names
        The column levels, e.g. ``["scorer", "bodyparts", "coords"]``.
    columns
        One label tuple per data column.
    n_index
        How many index columns start each row (1, or 3 for image levels).
    skip
        Lines before the first data row.
    end
        The bytes of the file's text: its size, less one end-of-file marker
        (Ctrl-Z) after the last line (``None`` for a header parsed from a peek).
    """

    level_names: list[str]
    columns: list[tuple[str, ...]]
    n_index: int
    skip: int
    end: int | None = None
    padded: bool = False


def _lines(path: Path, count: int) -> list[str]:
    """The first ``count`` lines of ``path``, decoded (at most 16 MB read)."""
    lines: list[str] = []
    budget = _MAX_HEADER_BYTES
    with open(path, "rb") as handle:
        for _ in range(count):
            raw = handle.readline(budget)
            if not raw:
                break
            budget -= len(raw)
            try:
                lines.append(raw.decode("utf-8-sig" if not lines else "utf-8"))
            except UnicodeDecodeError:
                raise not_utf8_error(path) from None
            if budget <= 0:
                break
    return lines


def _parse(lines: list[str]) -> list[list[str]]:
    return list(csv.reader(io.StringIO("".join(lines))))


def _is_integer(text: str) -> bool:
    try:
        int(text)
    except ValueError:
        return False
    return True


def read_header(path: Path) -> CsvHeader:
    """Parse the header lines of a DeepLabCut-style CSV.

    Parameters
    ----------
    path
        The CSV file.

    Returns
    -------
    CsvHeader
        The column levels and labels and where the data starts.

    Raises
    ------
    FormatError
        When the header is not DeepLabCut's (naming what was found), or the
        file's text is not UTF-8 or ends damaged
        (:func:`~posebridge.formats._shared.text_bytes.text_size`).

    Examples
    --------
    >>> read_header(Path("video1DLC_resnet50.csv")).level_names  # doctest: +SKIP
    ['scorer', 'bodyparts', 'coords']
    """
    end = text_size(path)  # UTF-16, lone carriage returns, NUL at the end; Ctrl-Z left out
    header = header_from_lines(_lines(path, 7), path)
    header.end = end
    return header


#: What DeepLabCut-style CSV files are called in messages.
TITLE = "DeepLabCut-style CSV (DeepLabCut, LightningPose)"
#: The blanks of a padded header cell (see :func:`_padded`).
_BLANKS = " \t"


def header_from_lines(lines: list[str], path: Path) -> CsvHeader:
    """Parse the header from the file's first lines (see :func:`read_header`).

    A header whose fixed words carry blanks (see :func:`_padded`) is read
    with every cell stripped of the blanks around it.
    """
    rows = _parse([line if line.endswith(("\n", "\r")) else line + "\n" for line in lines])
    if not rows:
        raise FormatError(path, "is empty; expected DeepLabCut header lines starting 'scorer,'.")
    first = rows[0]
    if not first or first[0].strip() != "scorer" or len(first) < 2:
        csv_rows.refuse_other_delimiter(path, lines[0].rstrip("\r\n"), "scorer", TITLE)
        raise FormatError(
            path,
            "is not a DeepLabCut-style CSV: its first line should start with 'scorer,' "
            f"but starts with {','.join(first[:3])[:60]!r}.",
        )
    n_index = 1  # index cells are empty (blank in a padded header: see _padded)
    while n_index < len(first) and not first[n_index].strip(_BLANKS):
        n_index += 1
    if n_index == len(first):
        raise FormatError(path, "the 'scorer' header line names no scorer.")
    header = [first]
    expected = ["individuals", "bodyparts"]
    for row in rows[1:]:
        name = row[0].strip() if row else ""
        if name == "coords":
            header.append(row)
            break
        if name not in expected:
            raise FormatError(
                path,
                "malformed DeepLabCut header: after 'scorer' expected the lines "
                f"'individuals' (optional), 'bodyparts' and 'coords', found {name!r}.",
            )
        expected = expected[expected.index(name) + 1 :]
        header.append(row)
    else:
        raise FormatError(path, "malformed DeepLabCut header: no 'coords' line.")
    padded = _padded(header)
    if padded:
        header = [[cell.strip(_BLANKS) for cell in row] for row in header]
    names = [row[0].strip() for row in header]
    if "bodyparts" not in names:
        raise FormatError(path, "malformed DeepLabCut header: no 'bodyparts' line.")
    width = len(first)
    for row in header:
        if len(row) != width:
            raise FormatError(
                path,
                f"malformed DeepLabCut header: the '{row[0]}' line has {len(row)} cells, "
                f"the 'scorer' line {width}.",
            )
        if any(cell != "" for cell in row[1:n_index]):
            raise FormatError(
                path, f"malformed DeepLabCut header: the '{row[0]}' line fills an index cell."
            )
    columns = list(zip(*(row[n_index:] for row in header), strict=True))
    skip = len(header)
    data = rows[len(header) : len(header) + 2]
    if data and _index_names_line(data, n_index, width):
        skip += 1  # pandas' index-name line ("frame,,,," or "image,,,,")
    return CsvHeader(names, columns, n_index, skip, padded=padded)


def _index_names_line(data: list[list[str]], n_index: int, width: int) -> bool:
    """Whether the first of the first two data lines is the names pandas writes of a
    named row index (``frame,,,,``; ``image,,,,`` before image paths): index cells that
    are not frame numbers nor image paths, nothing else; followed by frame numbers or
    image paths (or nothing). A labelled image without points (``labeled-data/v/a.png,,,``)
    is a row."""
    first = data[0]
    if len(first) != width or any(cell == "" for cell in first[:n_index]):
        return False
    if any(cell != "" for cell in first[n_index:]):
        return False
    if _is_integer(first[0]) or _is_image_path(first[:n_index]):
        return False
    if len(data) < 2:
        return True
    after = data[1]
    return _is_integer(after[0]) or _is_image_path(after[:n_index])


def _is_image_path(cells: list[str]) -> bool:
    """Whether index cells name an image: a path, or a file name with an ending."""
    separated = any("/" in cell or "\\" in cell for cell in cells)
    return separated or bool(re.search(r"\.\w+$", cells[-1]))


def _padded(header: list[list[str]]) -> bool:
    """Whether the header's fixed words carry blanks: the writer padded its cells.

    The fixed words are the level names (``scorer``, ``bodyparts``... first
    in each line), the coordinate names (the ``coords`` line) and the empty
    index cells. A script that joins cells with ``", "``, or a spreadsheet
    cell typed with a space, pads them; neither DeepLabCut, LightningPose
    (pandas' ``to_csv``) nor posebridge does. In a padded header the blanks
    around every cell, names too, are padding; otherwise the cells are read
    as written, so a name that begins or ends with a blank keeps it.
    """
    fixed = [row[0] for row in header] + header[-1][1:]
    blank_cells = (cell for row in header for cell in row if not cell.strip(_BLANKS))
    return any(cell != cell.strip(_BLANKS) for cell in fixed) or any(
        cell != "" for cell in blank_cells
    )


def unpadded(cells: np.ndarray) -> np.ndarray:
    """Index cells of a padded file (see :func:`_padded`) without the blanks around them."""
    cells = np.asarray(cells)
    if cells.dtype.kind not in "OUS":  # frame numbers, parsed as numbers
        return cells
    return np.char.strip(cells.astype(str), _BLANKS).astype(cells.dtype)


def sniff_header(peek: Peek) -> CsvHeader | None:
    """The header when the peeked file is a DeepLabCut-style CSV, else ``None`` (never raises).

    Examples
    --------
    >>> with Peek("anipose.csv") as peek:  # doctest: +SKIP
    ...     sniff_header(peek) is None
    True
    """
    head = peek.loose_head.lstrip(b"\xef\xbb\xbf")
    if not head.startswith((b"scorer", b'"scorer"')):  # cells quoted (QUOTE_NONNUMERIC, ALL)
        return None
    # lines that end in \r\r\n read as a line and an empty one: the file is claimed, and
    # its reader explains the line ends (text_size)
    doubled = head[: head.find(b"\n") + 1].endswith(DOUBLED_LINE_END)
    lines = peek.lines(14, loose=True)[0::2] if doubled else peek.lines(7, loose=True)
    if len(peek.head) == peek.HEAD_BYTES and len(lines) < 7 and peek.text is not None:
        # header lines longer than the head (many animals x bodyparts): read them whole
        try:
            lines = _lines(peek.path, 7)  # split at \n alone
        except (OSError, UnicodeDecodeError, FormatError):
            return None
    try:  # text in another encoding too: its reader names the encoding
        return header_from_lines(lines, peek.path)
    except FormatError:
        return None


def sniff_other_delimiter(peek: Peek) -> bool:
    """Whether the peeked file is a DeepLabCut-style CSV saved with ``;`` or tabs between
    its cells (never raises); its reader then refuses it, saying so.

    Examples
    --------
    >>> with Peek("CollectedData_excel_fr.csv") as peek:  # doctest: +SKIP
    ...     sniff_other_delimiter(peek)
    True
    """
    lines = peek.lines(2, loose=True)
    if len(lines) < 2:
        return False
    delimiter = csv_rows.other_delimiter(lines[0], "scorer")
    second = next(csv.reader([lines[1]], delimiter=delimiter or ","), [""])
    return delimiter is not None and second[0].strip(_BLANKS) in ("individuals", "bodyparts")
