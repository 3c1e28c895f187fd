"""The record every format family exposes: :class:`Format`.

It lives here, below the families, so that a family can build its records
without importing the registry (which imports the families).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import xarray as xr

from posebridge._files import Peek

__all__ = ["Format"]

Sniffer = Callable[[Peek], bool]
Reader = Callable[..., xr.Dataset]
Writer = Callable[..., list[Path]]
Describer = Callable[[Path], list[tuple[str, str]]]
FolderSniffer = Callable[[Path], bool]
OptionCheck = Callable[[str, Any], None]


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
        ``sniff(peek) -> bool``: a cheap look at the content through the shared
        :class:`posebridge._files.Peek` (head bytes, HDF5 keys), never a full
        read and never a second open of the file.
    read, write
        Reader ``read(path, **options) -> Dataset`` and writer
        ``write(ds, path, *, overwrite=False, **options) -> list[Path]``;
        ``None`` when the format is read-only or write-only. Their options are
        explicit keyword parameters (no ``**kwargs``), so that the options a
        user gives can be checked before any file is opened.
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
    sniff_folder
        Optional ``sniff_folder(path) -> bool`` for formats whose reader takes
        a folder (TRex's per-individual files, idtracker.ai's CSV folder): a
        cheap look at the folder's file names (and at most one small file).
        Formats without it never receive a folder.
    check_write_option
        Optional ``check_write_option(name, value)``: refuses the value of one
        writer option that is wrong whatever the data (NWB's ``compression``,
        ``dtype``, ``layout``, ``search``), raising a ``PoseBridgeError``. The
        writer runs the same check, so the rule lives in one place;
        :func:`posebridge.api.check_options` runs it before any file is read.
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
    sniff_folder: FolderSniffer | None = None
    check_write_option: OptionCheck | None = None

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

    @property
    def read_options(self) -> tuple[str, ...]:
        """The keyword options of the reader (empty when it has none or cannot read)."""
        return _options(self.read, skip=1)

    @property
    def write_options(self) -> tuple[str, ...]:
        """The keyword options of the writer, ``overwrite`` included."""
        return _options(self.write, skip=2)


def _options(function: Callable[..., object] | None, skip: int) -> tuple[str, ...]:
    """Names of the parameters after the first ``skip`` positional ones."""
    if function is None:
        return ()
    parameters = list(inspect.signature(function).parameters.values())[skip:]
    for parameter in parameters:
        if parameter.kind is inspect.Parameter.VAR_KEYWORD:
            raise TypeError(
                f"{function.__module__}.{function.__qualname__} takes **{parameter.name}; "
                "format readers and writers declare their options explicitly."
            )
    return tuple(p.name for p in parameters if p.kind is not inspect.Parameter.VAR_POSITIONAL)
