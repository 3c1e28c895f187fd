"""Writers that write one file per individual: when a job's writer does, and the names.

The NWB writer splits by default (one subject per file); the DeepLabCut and
LightningPose writers split with ``split_individuals=True`` (DeepLabCut also
with ``"auto"`` and one individual). A split write names its files
``<stem>_<individual><suffix>`` beside the job's target, each writer cleaning
the individual's name by its own rule; a batch that resumes must know those
names to tell its finished outputs, and a batch must keep two jobs' split
files apart. Both :mod:`~posebridge.batch.plan` (which lists each output
folder once) and :mod:`~posebridge.batch.resume` (which reads an input's
individual names only when the exact names matter) use this module.
"""

from __future__ import annotations

import bisect
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from posebridge import registry
from posebridge.errors import PoseBridgeError


@dataclass(frozen=True)
class Splitting:
    """How a job's writer splits its output per individual.

    Attributes
    ----------
    writer
        The writer's format name (``nwb``, ``dlc``, ``lp``).
    title
        The writer's title, for messages.
    always
        Whether every individual gets its own file, one individual too (the
        target itself is then never written); else a dataset of one
        individual is written to the target.
    single
        For DeepLabCut's ``split_individuals="auto"``: split only a dataset
        of exactly one individual (several go to the target, in one file).
    """

    writer: str
    title: str
    always: bool = False
    single: bool = False

    def names(self, target: Path, individuals: list[str], labelled: bool) -> list[Path]:
        """The files written for a dataset of ``individuals`` (``[target]`` when not split).

        Examples
        --------
        >>> Splitting("dlc", "DeepLabCut", always=True).names(Path("a.h5"), ["m"], False)
        [PosixPath('a_m.h5')]
        >>> Splitting("nwb", "NWB").names(Path("a.nwb"), ["m"], False)
        [PosixPath('a.nwb')]
        """
        if self.writer == "nwb":
            if labelled:  # labelled frames go to one file
                return [target]
            from posebridge.formats.nwb.new_files import output_paths

            groups = [[i] for i in individuals] if len(individuals) > 1 else [individuals]
            return output_paths(target, groups)
        from posebridge.formats.dlc.write import split_path

        if self.single and len(individuals) != 1:
            return [target]
        return [split_path(target, name) for name in individuals]


def splitting(
    target: str | os.PathLike[str], to_format: str | None, options: dict[str, Any]
) -> Splitting | None:
    """How the writer of ``target`` splits its output per individual, or ``None`` when it
    writes ``target`` alone (or cannot be resolved: the job reports that).

    Parameters
    ----------
    target
        The job's output.
    to_format
        The batch's output format (``None``: by ``target``'s ending).
    options
        The job's writer options.

    Examples
    --------
    >>> splitting("a.nwb", None, {}).writer
    'nwb'
    >>> splitting("a.nwb", None, {"split_individuals": False}) is None
    True
    >>> splitting("a.h5", "dlc", {"split_individuals": "auto"}).single
    True
    """
    try:
        name = registry.resolve_for_writing(Path(target), to_format, "poses").name
    except PoseBridgeError:
        return None
    split = options.get("split_individuals")
    if name == "nwb":
        if (
            split is False
            or options.get("layout", "posebridge") == "sleap-io"
            or options.get("append", False)
        ):
            return None
        return Splitting("nwb", "NWB")
    if name in ("dlc", "lp"):
        title = "DeepLabCut" if name == "dlc" else "LightningPose"
        if split is True:
            return Splitting(name, title, always=True)
        if name == "dlc" and split == "auto":
            return Splitting(name, title, single=True)
    return None


def split_pattern(target: Path) -> tuple[str, str]:
    """The start and the end of the names of ``target``'s split files (``<stem>_``, suffix).

    Examples
    --------
    >>> split_pattern(Path("out/sess.nwb"))
    ('sess_', '.nwb')
    """
    suffix = target.suffix
    stem = target.name[: -len(suffix)] if suffix else target.name
    return stem + "_", suffix


def first_match(names: list[str], start: str, end: str, skip: str = "") -> bool:
    """Whether the sorted ``names`` hold one that starts with ``start`` and ends with ``end``
    (other than ``skip``): found by bisection, no pass over every name.

    Examples
    --------
    >>> first_match(["a.nwb", "a_m1.nwb", "b.nwb"], "a_", ".nwb")
    True
    """
    at = bisect.bisect_left(names, start)
    while at < len(names) and names[at].startswith(start):
        name = names[at]
        if name.endswith(end) and len(name) >= len(start) + len(end) and name != skip:
            return True
        at += 1
    return False


def folder_names(folders: Iterable[Path]) -> dict[Path, list[str]]:
    """The sorted file names of each folder, each listed once (a missing one: none).

    Examples
    --------
    >>> folder_names([Path("no such folder")])
    {PosixPath('no such folder'): []}
    """
    listed: dict[Path, list[str]] = {}
    for folder in folders:
        if folder in listed:
            continue
        try:
            with os.scandir(folder) as entries:
                listed[folder] = sorted(entry.name for entry in entries)
        except OSError:  # missing, or not a folder: nothing of a split there
            listed[folder] = []
    return listed
