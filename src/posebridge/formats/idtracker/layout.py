"""idtracker.ai's on-disk layouts: which file is which, and the sniffers."""

from __future__ import annotations

import csv
import re
from pathlib import Path

from posebridge._files import Peek
from posebridge.formats._shared.text_bytes import loose_first_line

__all__ = [
    "NPY_MAGIC",
    "csv_columns",
    "find_csv",
    "is_trajectories_header",
    "sniff",
    "sniff_folder",
]

NPY_MAGIC = b"\x93NUMPY"
#: The CSV header: an optional time column, then x1,y1,x2,y2,... (np.savetxt may
#: have written it after "# ").
_HEADER = re.compile(r"^(?:(seconds|time),)?(x1,y1(?:,x\d+,y\d+)*)$")


def is_trajectories_header(line: str) -> bool:
    """Whether ``line`` is the header of idtracker.ai's ``trajectories.csv``.

    Examples
    --------
    >>> is_trajectories_header("seconds,x1,y1,x2,y2"), is_trajectories_header("x,y")
    (True, False)
    """
    return csv_columns(line) is not None


def csv_columns(line: str) -> tuple[str | None, int] | None:
    """(time column name or None, number of animals) of a trajectories header, else None."""
    # parsed as CSV: quoted cells (R's write.csv) are the same header
    cells = next(csv.reader([line.strip().lstrip("#").strip()]), [])
    text = ",".join(cells).replace(" ", "")
    found = _HEADER.match(text)
    if found is None:
        return None
    pairs = found.group(2).split(",")
    expected = [f"{c}{i}" for i in range(1, len(pairs) // 2 + 1) for c in ("x", "y")]
    if pairs != expected:
        return None
    return found.group(1), len(pairs) // 2


def _npy_is_trajectories(head: bytes) -> bool:
    if not head.startswith(NPY_MAGIC):
        return False
    header_end = head.find(b"\n", 8)
    header = head[:header_end]
    if header_end < 0 or b"'descr': '|O'" not in header or b"'shape': ()" not in header:
        return False
    # a pickled dict (0-d object array); its first key is "trajectories" (the other keys
    # may follow the large array, beyond the head)
    return b"trajectories" in head[header_end + 1 : header_end + 4097]


def sniff(peek: Peek) -> bool:
    """Whether the file is idtracker.ai's: a pickled-dict ``.npy`` with ``trajectories``,
    an HDF5 file with a ``trajectories`` dataset (and no SLEAP ``tracks``), or a
    ``trajectories.csv`` (header ``x1,y1,x2,y2,...``, maybe after a time column).

    A CSV file in another encoding than UTF-8 (UTF-16, cp1252) is claimed too:
    the reader then names the line, the byte and the encoding.

    Examples
    --------
    >>> from posebridge._files import Peek
    >>> with Peek("trajectories.npy") as peek:  # doctest: +SKIP
    ...     sniff(peek)
    True
    """
    if peek.head.startswith(NPY_MAGIC):
        return _npy_is_trajectories(peek.head)
    if peek.is_hdf5:  # at byte 0, or after a user block
        keys = peek.h5_keys
        return keys.get("trajectories") == "dataset" and "tracks" not in keys
    lines = peek.lines(1, loose=True)  # another encoding too: the reader names it
    return bool(lines) and is_trajectories_header(lines[0])


def find_csv(folder: Path) -> list[Path]:
    """The trajectories CSV files of a folder (``trajectories.csv``, ``*.trajectories.csv``)."""
    return sorted(
        p
        for p in folder.iterdir()
        if p.is_file() and (p.name == "trajectories.csv" or p.name.endswith(".trajectories.csv"))
    )


def sniff_folder(path: Path) -> bool:
    """Whether a folder is idtracker.ai's CSV export: one trajectories CSV with its header
    (in any encoding: the reader refuses one that is not UTF-8, saying so).

    Examples
    --------
    >>> sniff_folder(Path("session_x/trajectories/trajectories_csv"))  # doctest: +SKIP
    True
    """
    found = find_csv(path)
    if len(found) != 1:
        return False
    return is_trajectories_header(loose_first_line(found[0]))  # UTF-16 too: the reader says
