"""One record per format, lookup by name, and detection of a file's format by content.

Each module in :mod:`posebridge.formats` exposes ``FORMATS``, a tuple of
:class:`Format` records. Format modules keep heavy imports (pynwb, ...) inside
their functions, so that importing the registry stays cheap.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import xarray as xr

from posebridge.errors import UnknownFormatError

__all__ = ["Format", "all_formats", "detect", "get", "resolve_for_writing"]

#: Format modules, in the order used to break ties when writing.
FORMAT_MODULES = (
    "deeplabcut",
    "sleap_analysis",
    "slp",
    "anipose",
    "via",
    "nwb",
    "netcdf",
)

Sniffer = Callable[[Path], bool]
Reader = Callable[..., xr.Dataset]
Writer = Callable[..., list[Path]]
Describer = Callable[[Path], list[tuple[str, str]]]


@dataclass(frozen=True)
class Format:
    """What posebridge knows about one on-disk format.

    Attributes
    ----------
    name
        Short name (``dlc``, ``sleap``, ...), used in ``format=``.
    title
        Human name, e.g. "DeepLabCut".
    extensions
        File name endings, most specific first (``.analysis.h5`` before ``.h5``).
    kinds
        What it holds: ``poses`` and/or ``bboxes``, and ``labels`` when it
        stores labelled frames (:mod:`posebridge.labels`) as such.
    sniff
        Cheap content check (header bytes, HDF5 keys), no full read.
    read, write
        Reader ``read(path, **options) -> Dataset`` and writer
        ``write(ds, path, *, overwrite=False, **options) -> list[Path]``;
        ``None`` when the format is read-only or write-only.
    aliases
        Other accepted names (movement's ``source_software`` names).
    family
        Formats of one family (``SLEAP``: analysis .h5 and .slp) stand in for
        each other when a file's content shows it is the sibling.
    specificity
        When several formats claim a file, the most specific wins.
    describe
        Optional ``describe(path) -> [(label, text), ...]``: what ``posebridge
        info`` shows about a file beyond the dataset (videos, containers, ...).
    notes
        One line for the formats table: options, limits.
    """

    name: str
    title: str
    extensions: tuple[str, ...]
    kinds: tuple[str, ...]
    sniff: Sniffer
    read: Reader | None = None
    write: Writer | None = None
    aliases: tuple[str, ...] = ()
    family: str = ""
    specificity: int = 0
    describe: Describer | None = None
    notes: str = ""

    @property
    def reads(self) -> bool:
        """Whether posebridge reads this format."""
        return self.read is not None

    @property
    def writes(self) -> bool:
        """Whether posebridge writes this format."""
        return self.write is not None

    def matches_name(self, path: Path) -> str | None:
        """The extension of ``path`` this format claims, or ``None``."""
        lower = path.name.lower()
        for ext in self.extensions:
            if lower.endswith(ext):
                return ext
        return None


@cache
def all_formats() -> tuple[Format, ...]:
    """Every known format, in registry order.

    Returns
    -------
    tuple of Format
        The records of all format modules.

    Examples
    --------
    >>> from posebridge.registry import all_formats
    >>> "dlc" in [f.name for f in all_formats()]
    True
    """
    found: list[Format] = []
    for module_name in FORMAT_MODULES:
        try:
            module = importlib.import_module(f"posebridge.formats.{module_name}")
        except ModuleNotFoundError as error:
            if error.name == f"posebridge.formats.{module_name}":
                continue  # format not built yet
            raise
        found.extend(getattr(module, "FORMATS", ()))  # a package still being built has none
    return tuple(found)


def _key(name: str) -> str:
    return name.strip().lower().replace("_", "-")


def get(name: str) -> Format:
    """The format called ``name`` (short name or alias, case-insensitive).

    Parameters
    ----------
    name
        E.g. ``"dlc"``, ``"DeepLabCut"``, ``"slp"``, ``"VIA-tracks"``.

    Returns
    -------
    Format
        The format's record.

    Raises
    ------
    UnknownFormatError
        When no format has that name; the message lists the names.

    Examples
    --------
    >>> from posebridge.registry import get
    >>> get("DeepLabCut").name
    'dlc'
    """
    wanted = _key(name)
    for fmt in all_formats():
        if wanted in {_key(fmt.name), *map(_key, fmt.aliases)}:
            return fmt
    known = ", ".join(f.name for f in all_formats())
    raise UnknownFormatError(f"Unknown format {name!r}. Known formats: {known}.")


def _sniff(fmt: Format, path: Path) -> bool:
    try:
        return bool(fmt.sniff(path))
    except Exception:
        return False


def detect(path: str | Path) -> str:
    """Find a file's format from its content.

    The formats that claim the file's extension are asked first, then all
    others (a misnamed file is still found).

    Parameters
    ----------
    path
        The file to look at.

    Returns
    -------
    str
        The format's short name.

    Raises
    ------
    UnknownFormatError
        When no format, or more than one equally specific format, claims the
        content; the message lists what was tried.

    Examples
    --------
    >>> from posebridge import detect
    >>> detect("CollectedData_me.h5")  # doctest: +SKIP
    'dlc'
    """
    path = Path(path)
    formats = all_formats()
    by_name = [f for f in formats if f.matches_name(path)]
    tried: list[str] = []
    for group in (by_name, [f for f in formats if f not in by_name]):
        hits = [f for f in group if _sniff(f, path)]
        tried.extend(f.name for f in group)
        if hits:
            best = max(f.specificity for f in hits)
            top = [f for f in hits if f.specificity == best]
            if len(top) > 1:
                raise UnknownFormatError(
                    f"{path}: the content fits several formats "
                    f"({', '.join(f.name for f in top)}); pass format= to choose."
                )
            return top[0].name
    raise UnknownFormatError(
        f"{path}: could not recognise the format from the file's content "
        f"(tried {', '.join(tried)}). Pass format= if you know it; "
        "`posebridge formats` lists what is supported."
    )


def resolve_for_reading(path: Path, name: str | None) -> Format:
    """The format to read ``path`` with, given an optional format name."""
    if name is None:
        return get(detect(path))
    fmt = get(name)
    if fmt.family and not _sniff(fmt, path):
        for sibling in all_formats():
            if sibling.family == fmt.family and sibling is not fmt and _sniff(sibling, path):
                return sibling
    return fmt


def resolve_for_writing(path: Path, name: str | None, ds_type: str) -> Format:
    """The format to write ``path`` with, from a name or the file name.

    Parameters
    ----------
    path
        The output file.
    name
        A format name, or ``None`` to choose by the file name's ending.
    ds_type
        ``poses`` or ``bboxes``: only formats that hold that kind are chosen.

    Returns
    -------
    Format
        A format that can write.

    Raises
    ------
    UnknownFormatError
        When nothing fits, naming what would.
    """
    candidates = [f for f in all_formats() if f.writes and ds_type in f.kinds]
    if name is not None:
        fmt = get(name)
        # the family's own name (movement's "SLEAP") covers its members, so the file
        # name picks one; a member's name ("slp", "sleap-analysis") is taken as asked
        if fmt.family and _key(name) == _key(fmt.family) and not fmt.matches_name(path):
            for sibling in candidates:
                if sibling.family == fmt.family and sibling.matches_name(path):
                    return sibling
        if not fmt.writes:
            raise UnknownFormatError(f"posebridge cannot write {fmt.title} files.")
        if ds_type not in fmt.kinds:
            raise UnknownFormatError(
                f"{fmt.title} files hold {' and '.join(fmt.kinds)}, not {ds_type}."
            )
        return fmt
    scored = [(len(ext), -i, f) for i, f in enumerate(candidates) if (ext := f.matches_name(path))]
    if not scored:
        endings = sorted({ext for f in candidates for ext in f.extensions})
        raise UnknownFormatError(
            f"{path}: cannot tell the output format from the file name; use one of "
            f"{', '.join(endings)} or pass format=."
        )
    return max(scored, key=lambda item: item[:2])[2]
