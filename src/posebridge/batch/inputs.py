"""The inputs of a batch: a folder, a glob, a list of paths, expanded into input files.

A folder is walked (:func:`~posebridge.batch.folders.expand_folder` says which files
are inputs and which folders are read as one); a glob's matches are read as the
folders and files given; an earlier batch report found in a folder is left out.
:func:`expand_sources` gives each input with the names its output is made from.
"""

from __future__ import annotations

import glob
import itertools
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from posebridge import errors, registry
from posebridge._files import check_input, is_address
from posebridge.batch.folders import (
    dataset_label_folders,
    dataset_labels,
    expand_folder,
    found_file_is_input,
)
from posebridge.errors import PoseBridgeError, brief

__all__ = ["EARLIER_REPORT_REASON", "NO_MATCH", "Input", "expand_sources", "source_items"]

#: A path as the batch takes it.
PathLike = str | os.PathLike[str]


def readable_endings() -> tuple[str, ...]:
    return tuple(e.lower() for f in registry.all_formats() if f.reads for e in f.extensions)


@dataclass
class Input:
    """One input found: its path, where it lies within the folder it was found in
    (``""``: given itself), the folder relative names are taken from without an output
    folder, and the format of a folder read as one input."""

    path: Path
    parent: str
    base: Path | None = None
    format: str | None = None
    problem: str = ""  # a glob that matches no file: its row fails, saying so


#: Why a file found in a folder or by a glob was left out: it is an earlier batch report.
EARLIER_REPORT_REASON = (
    "an earlier batch report (not a pose file; name it with report= / --report to replace "
    "it); left out of the batch"
)


def expand_sources(
    sources: PathLike | Sequence[PathLike],
) -> tuple[list[Input], list[Path], dict[Path, str]]:
    """Input files (and folders read as one input), the files left out (see
    :func:`~posebridge.batch.folders.expand_folder`), and why, for those left out for
    another reason than their content (:data:`EARLIER_REPORT_REASON`).

    A file found in a folder or matched by a glob that is an earlier batch report
    (:func:`~posebridge.batch.report.is_batch_report`) is left out: a report kept in
    the folder read is the batch's output, not a pose file. A report named itself
    is an input like any file named.
    """
    from posebridge.batch.report import is_batch_report

    items = source_items(sources)
    found: list[Input] = []
    ignored: list[Path] = []
    reasons: dict[Path, str] = {}

    def kept(listed: Input) -> bool:
        if listed.format is None and listed.path.is_file() and is_batch_report(listed.path):
            ignored.append(listed.path)
            reasons[listed.path] = EARLIER_REPORT_REASON
            return False
        return True

    def folder(
        path: Path, root: Path | None = None, label_folders: set[Path] | None = None
    ) -> list[Input]:
        """The inputs of a folder given, or matched by a glob whose fixed part is ``root``."""
        expansion = expand_folder(path, readable_endings(), label_folders)
        ignored.extend(expansion.ignored)
        inputs = []
        for source, parent, fmt in expansion.inputs:
            # names relative to the folder given (the folder itself: to its folder), or
            # to a glob's fixed part (the folders it matches keep their names), so that
            # an output without an output folder lies beside its input
            if root is not None and source != path:
                parent, base = os.path.normpath(path.relative_to(root) / parent), root.absolute()
            elif root is not None and path != root:
                parent, base = str(path.parent.relative_to(root)), root.absolute()
            else:  # a folder given, or a glob's fixed part that ``**`` matched, read as one
                base = path.absolute() if source != path else path.absolute().parent
            if kept(listed := Input(source, parent, base, fmt)):
                inputs.append(listed)
        return inputs

    def matched(text: str) -> list[Input]:
        """The inputs of a glob: each folder matched read as a folder given, each file
        matched an input, except what lies in a folder matched (that folder's reading
        says whether it is an input: a dataset's label files are not) and the label
        files of a YOLO dataset matched."""
        matches = sorted(Path(m) for m in glob.glob(text, recursive=True))
        root = _fixed_part(text)
        if Path(text).parts == ("**",) and root.is_dir() and root not in matches:
            matches.insert(0, root)  # as 'x/**' matches x/ and './**' matches ./
        if not matches:
            return [Input(Path(text), "", problem=f"{text}: {NO_MATCH}")]
        folders = [m for m in matches if m.is_dir()]
        outermost = [m for m in matches if not any(f in m.parents for f in folders)]
        label_folders: set[Path] = set()
        for match in outermost:  # a dataset's data.yaml matched beside its folders
            if match.is_file() and match.suffix.lower() in (".yaml", ".yml"):
                label_folders |= dataset_label_folders(match)
        listed: list[Input] = []
        for match in outermost:
            if match.is_dir():
                listed.extend(folder(match, root, label_folders))
            elif not match.is_file() and match.is_symlink():  # a link to nothing: it fails
                listed.append(Input(match, os.path.relpath(match.parent, root), root.absolute()))
            elif (
                Path(os.path.realpath(match.parent)) in label_folders
                or dataset_labels(match.parent)
                or not found_file_is_input(match, readable_endings())
            ):
                ignored.append(match)
            elif kept(one := Input(match, os.path.relpath(match.parent, root), root.absolute())):
                listed.append(one)  # below the fixed part, as a folder walk names it
        seen: set[str] = set()  # a file of a folder matched and matched itself: once
        return [i for i in listed if not (str(i.path) in seen or seen.add(str(i.path)))]

    for item in items:
        text = os.fspath(item)
        path = Path(text)
        if path.is_dir():
            found.extend(folder(path))
        elif glob.has_magic(text) and not os.path.lexists(text):
            # a name that exists is that file, '[', '*' or '?' in it or not (session[1].csv)
            listed = matched(text)
            problem = f"{text}: no file it matches is a pose file (those left out are listed)."
            found.extend(listed or [Input(path, "", problem=problem)])
        elif is_address(text) and not os.path.lexists(text):  # its row says so, as typed
            found.append(Input(path, "", problem=_missing_address(text)))
        else:
            found.append(Input(path, ""))  # a missing file fails in its own job
    return found, ignored, reasons


def _missing_address(text: str) -> str:
    """What :func:`posebridge._files.check_input` says of an address given as an input
    (``https://...``): quoted as typed, where the job's ``Path`` would lose its ``//``."""
    try:
        check_input(text)
    except PoseBridgeError as error:
        return str(error)
    return ""


#: A glob's row that matches no file.
NO_MATCH = "no file matches it."


def _fixed_part(pattern: str) -> Path:
    """The folder a glob pattern's matches lie in whatever they are: its leading parts
    without a wildcard (``raw/**/*.h5`` -> ``raw``, ``*.h5`` -> ``.``).

    Examples
    --------
    >>> _fixed_part("g2/mouse*/*.h5").as_posix(), _fixed_part("*.csv").as_posix()
    ('g2', '.')
    """
    parts = Path(pattern).parts
    fixed = list(itertools.takewhile(lambda part: not glob.has_magic(part), parts))
    if len(fixed) == len(parts):  # no wildcard in any part (a [] pattern of the name only)
        fixed = fixed[:-1]
    return Path(*fixed) if fixed else Path()


def source_items(sources: Any) -> list[PathLike]:
    """``sources`` as a list of paths, or an error naming what is wrong with it.

    An empty path is refused: ``Path("")`` is the current folder, so ``""``
    would convert every file there.
    """
    wanted = "a file, folder or glob pattern (str or os.PathLike), or a list of them"
    if isinstance(sources, str | os.PathLike):
        items = [sources]
    elif isinstance(sources, Iterable) and not isinstance(sources, bytes | Mapping):
        items = list(sources)  # a list, a tuple, a set, a generator of paths
    else:
        raise errors.TypeError(
            f"sources must be {wanted}, got {brief(sources)} ({type(sources).__name__})."
        )
    for item in items:
        if not isinstance(item, str | os.PathLike):
            raise errors.TypeError(
                f"sources must be {wanted}; it holds {brief(item)} ({type(item).__name__})."
            )
        if os.fspath(item) == "":
            raise PoseBridgeError(
                "sources holds an empty path ''; give a file, folder or glob pattern "
                "('.' for the current folder)."
            )
    return items
