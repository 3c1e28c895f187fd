"""TRex's on-disk layout: member and column names, file naming, the sniffers."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from posebridge._files import Peek
from posebridge.formats._shared import csv_rows
from posebridge.formats._shared.text_bytes import loose_first_line
from posebridge.model.labels import utf8_text

__all__ = [
    "TITLE",
    "ZIP_MAGIC",
    "clean_column",
    "individual_of",
    "is_trex_columns",
    "is_trex_header",
    "npz_members",
    "other_delimiter",
    "sniff",
    "sniff_folder",
    "unit_of",
]

ZIP_MAGIC = b"PK\x03\x04"
#: What TRex's CSV exports are called in messages.
TITLE = "TRex CSV"
_UNIT = re.compile(r"\s*\(([^)]*)\)\s*$")
_NAME = re.compile(r"^(?P<video>.+)_(?P<individual>[A-Za-z]*\d+)$")


def clean_column(name: str) -> str:
    """A TRex CSV column name without its unit suffix: ``'X#wcentroid (cm)'`` -> ``'X#wcentroid'``.

    Examples
    --------
    >>> clean_column("SPEED#wcentroid (cm/s)")
    'SPEED#wcentroid'
    """
    return _UNIT.sub("", name.strip().strip('"')).strip()


def unit_of(name: str) -> str | None:
    """The unit suffix of a TRex CSV column, or None.

    Examples
    --------
    >>> unit_of("X#wcentroid (cm)"), unit_of("frame")
    ('cm', None)
    """
    found = _UNIT.search(name.strip().strip('"'))
    return found.group(1).strip() if found else None


def individual_of(path: Path) -> tuple[str, str]:
    """(video stem, individual name) from a TRex file name ``<video>_<prefix><N>``.

    A bare number (``locust_0``: the prefix ended in ``_``) keeps the whole stem
    as the name.

    Examples
    --------
    >>> individual_of(Path("data/test_fish0.npz"))
    ('test', 'fish0')
    >>> individual_of(Path("run_id12.csv"))
    ('run', 'id12')
    >>> individual_of(Path("locust_3.npz"))
    ('locust', 'locust_3')
    >>> individual_of(Path("caf\\udce9_fish1.npz"))  # the file name's byte 0xe9 is not UTF-8
    ('caf%E9', 'fish1')
    """
    stem = utf8_text(path.stem)  # a name is text: a file name's non-UTF-8 bytes as %XX
    found = _NAME.match(stem)
    if found is None:
        return stem, stem
    individual = found.group("individual")
    return found.group("video"), stem if individual.isdigit() else individual


def is_trex_columns(names: set[str]) -> bool:
    """Whether member or column names look like TRex's: ``frame`` and an X position."""
    return "frame" in names and any(n == "X" or n.startswith(("X#", "poseX")) for n in names)


def npz_members(path: Path) -> set[str]:
    """Array names of an ``.npz`` (its members without ``.npy``), from the zip directory."""
    with zipfile.ZipFile(path) as archive:
        return {n[: -len(".npy")] for n in archive.namelist() if n.endswith(".npy")}


def sniff(peek: Peek) -> bool:
    """Whether the file is a TRex ``.npz`` (a zip whose members include ``frame`` and an
    X position) or a TRex CSV export (header with ``frame`` and ``X...`` columns).

    The zip's central directory is read once (``zipfile``); nothing is decompressed.

    Examples
    --------
    >>> from posebridge._files import Peek
    >>> with Peek("test_fish0.npz") as peek:  # doctest: +SKIP
    ...     sniff(peek)
    True
    """
    if peek.head.startswith(ZIP_MAGIC):
        try:
            return is_trex_columns(npz_members(peek.path))
        except (zipfile.BadZipFile, OSError):
            return False
    lines = peek.lines(1, loose=True)  # another encoding too: the reader names it
    return bool(lines) and is_trex_header(lines[0])


def is_trex_header(line: str) -> bool:
    """Whether a CSV header line is a TRex export's: comma-separated, or with ``;`` or
    tabs between its cells (a spreadsheet's export; the reader refuses it, saying so).

    Examples
    --------
    >>> is_trex_header("frame,X#wcentroid (cm),Y#wcentroid (cm)")
    True
    >>> is_trex_header("frame;X#wcentroid (cm);Y#wcentroid (cm)")
    True
    """
    return is_trex_columns({clean_column(c) for c in line.split(",")}) or (
        other_delimiter(line) is not None
    )


def other_delimiter(line: str) -> str | None:
    """The delimiter, ``;`` or a tab, of a header line that is TRex's so delimited, else
    ``None``.

    Examples
    --------
    >>> other_delimiter("frame\\tX#wcentroid (cm)\\tY#wcentroid (cm)")
    '\\t'
    >>> other_delimiter("frame,X,Y") is None
    True
    """
    return csv_rows.other_delimiter(
        line, lambda cells: is_trex_columns(set(map(clean_column, cells)))
    )


def _is_trex_file(path: Path) -> bool:
    if path.suffix.lower() == ".npz":
        try:
            return is_trex_columns(npz_members(path))
        except (zipfile.BadZipFile, OSError, UnicodeDecodeError, ValueError, EOFError):
            # a damaged .npz named as TRex names its files (a cut copy): read, so that the
            # reader names it, rather than leaving its individual out without a word
            return _NAME.match(path.stem) is not None
    if path.suffix.lower() == ".csv":  # another encoding too: the reader names it
        return is_trex_header(loose_first_line(path))
    return False


def folder_files(folder: Path) -> list[Path]:
    """The TRex files of a folder: its TRex ``.npz`` files, else its TRex ``.csv`` files.

    A folder holding nothing but one sub-folder (an unpacked zip) is looked into.
    """
    entries = sorted(folder.iterdir())
    # hidden files are no individual's: macOS '._<name>.npz' AppleDouble companions
    files = [p for p in entries if p.is_file() and not p.name.startswith(".")]
    for suffix in (".npz", ".csv"):
        found = [p for p in files if p.suffix.lower() == suffix and _is_trex_file(p)]
        if found:
            return found
    folders = [p for p in entries if p.is_dir() and not p.name.startswith((".", "__"))]
    if not files and len(folders) == 1:
        return folder_files(folders[0])
    return []


def sniff_folder(path: Path) -> bool:
    """Whether a folder holds TRex per-individual files (``.npz``, else ``.csv``).

    Examples
    --------
    >>> sniff_folder(Path("video/data"))  # doctest: +SKIP
    True
    """
    return bool(folder_files(path))
