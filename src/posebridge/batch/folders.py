"""The inputs a folder given to a batch holds: files, and folders read as one input.

Some formats are read from a folder rather than a file: the ``labels`` folder
of YOLO pose predictions (one ``<video>_<frame>.txt`` per frame), TRex's
per-individual ``.npz`` / ``.csv`` files, idtracker.ai's CSV folder. A batch
takes such a folder as **one** input (one job, one output named after the
folder) and does not take the files it reads on their own.

``.txt`` is a generic ending (notes, README files): a ``.txt`` file is an input
only when its content is a pose format's. The others a batch leaves out, and
its report lists them as ignored (:attr:`Expansion.ignored`).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from posebridge import registry
from posebridge._recorded_warnings import dropping_warnings
from posebridge.errors import PoseBridgeError

__all__ = [
    "Expansion",
    "dataset_label_folders",
    "dataset_labels",
    "expand_folder",
    "folder_inputs",
    "found_file_is_input",
]

#: Endings too generic to take a file by name alone: such a file is an input only
#: when a format recognises its content.
GENERIC_ENDINGS = (".txt",)
#: The format whose ``.txt`` files are read from their folder.
PREDICTIONS = "yolo-predictions"


def _prediction_files(folder: Path) -> list[Path]:
    """The files the YOLO predictions reader reads from a folder: its ``.txt`` files
    (not hidden ones, not below it)."""
    return [
        p
        for p in folder.iterdir()
        if p.name.endswith(".txt") and not p.name.startswith(".") and p.is_file()
    ]


def _trex_files(folder: Path) -> list[Path]:
    from posebridge.formats.trex.layout import folder_files

    return folder_files(folder)


def _idtracker_files(folder: Path) -> list[Path]:
    from posebridge.formats.idtracker.layout import find_csv

    return find_csv(folder)


#: The files each folder format reads from a folder it recognises (another format
#: read from a folder: the files directly in it whose name the format claims).
_FOLDER_FILES: dict[str, Callable[[Path], list[Path]]] = {
    PREDICTIONS: _prediction_files,
    "trex": _trex_files,
    "idtracker": _idtracker_files,
}


def _read_files(fmt: registry.Format, folder: Path) -> set[Path]:
    """The files ``fmt`` reads from ``folder`` (a folder it recognises)."""
    found = _FOLDER_FILES.get(fmt.name)
    if found is not None:
        return set(found(folder))
    return {p for p in folder.iterdir() if p.is_file() and fmt.matches_name(p)}


def _sniffs(fmt: registry.Format, folder: Path) -> bool:
    try:
        return bool(fmt.sniff_folder(folder))  # type: ignore[misc]
    except Exception:  # a sniffer says no to what it cannot parse
        return False


def folder_inputs(folder: Path) -> tuple[str, set[Path]] | None:
    """Whether ``folder`` is read as one input: ``(format name, files it reads)``, or ``None``.

    A format that reads folders recognises it (its ``sniff_folder``), and at
    least one of the files that format reads lies directly in it (a folder
    holding only the folder of the data, as an unpacked archive does, is not
    one: the folder inside it is).

    Examples
    --------
    >>> folder_inputs(Path("runs/pose/predict/labels"))  # doctest: +SKIP
    ('yolo-predictions', {PosixPath('runs/pose/predict/labels/clip_1.txt'), ...})
    """
    for fmt in registry.all_formats():
        if fmt.sniff_folder is None or not _sniffs(fmt, folder):
            continue
        files = _read_files(fmt, folder)
        if any(p.parent == folder for p in files):
            return fmt.name, files
    return None


def dataset_labels(folder: Path) -> bool:
    """Whether ``folder`` holds the label files of a YOLO *dataset*: a ``labels`` folder
    (or one below it) whose path with that ``labels`` replaced by ``images`` is a folder,
    the way Ultralytics finds the labels of its images (``images/train`` ->
    ``labels/train``, ``train/images`` -> ``train/labels``). Such files are read
    through the dataset's ``data.yaml``, not each on its own nor as predictions.

    Examples
    --------
    >>> dataset_labels(Path("no/such/labels"))
    False
    """
    parts = folder.parts
    for at in range(len(parts) - 1, -1, -1):
        if parts[at] == "labels":
            return Path(*parts[:at], "images", *parts[at + 1 :]).is_dir()
    return False


def dataset_label_folders(path: Path) -> set[Path]:
    """The (real) folders holding the label files of the YOLO dataset ``path`` (its
    ``data.yaml``); none when it is not one or cannot be read (its job says why).

    Examples
    --------
    >>> dataset_label_folders(Path("no/such/data.yaml"))
    set()
    """
    try:
        if registry.detect(path) != "yolo":
            return set()
        from posebridge.formats.yolo._layout import load_yaml, split_images

        with dropping_warnings():  # a missing split is said when the job reads it
            listed = split_images(path, load_yaml(path))
    except PoseBridgeError:
        return set()
    return {Path(os.path.realpath(Path(label).parent)) for _, label, _ in listed}


def _content_format(path: Path) -> registry.Format | None:
    """The format a file's content is (``None``: no format recognises it)."""
    try:
        return registry.get(registry.detect(path))
    except PoseBridgeError:
        return None


def found_file_is_input(path: Path, endings: tuple[str, ...]) -> bool:
    """Whether a file found (in a folder walked, or by a glob), not named, is an input:
    a format claims its ending, and for a generic ending (``.txt``) one recognises its
    content (a README beside the data is not an input).

    Examples
    --------
    >>> found_file_is_input(Path("notes.md"), (".h5", ".txt"))
    False
    """
    name = path.name.lower()
    if not name.endswith(endings):
        return False
    return not name.endswith(GENERIC_ENDINGS) or _content_format(path) is not None


@dataclass
class Expansion:
    """What a folder given to a batch holds.

    Attributes
    ----------
    inputs
        ``(path, subfolder, format)`` of each input: a file (format ``None``:
        detected when the job runs) or a folder read as one input (the format
        that reads it), the subfolder being where it lies relative to the
        folder given (``"."``: directly in it, or the folder itself).
    ignored
        Files whose ending a format claims but that no format recognises by
        content (``.txt`` notes, README files), left out of the batch.
    """

    inputs: list[tuple[Path, str, str | None]] = field(default_factory=list)
    ignored: list[Path] = field(default_factory=list)


def expand_folder(
    root: Path, endings: tuple[str, ...], label_folders: set[Path] | None = None
) -> Expansion:
    """The inputs of a folder given to a batch (see the module's text).

    Hidden files and folders (a name starting with ``.``) are left out.
    Linked folders are walked as folders (each real folder once); a link to a
    file that is not there is an input, which fails naming it. A
    folder read as one input comes before the other files of its folder; the
    files it reads are not inputs of their own, its other files and its
    subfolders are looked at as usual (their outputs may not be written in that
    folder: without an output folder outside it, such an input fails, saying so).
    The ``.txt`` files of a YOLO dataset's ``labels`` folder (see
    :func:`dataset_labels`, or a folder of label files of a ``data.yaml`` found
    earlier in the walk) are read through its
    ``data.yaml`` and left out. Another ``.txt`` file is looked at by content:
    YOLO predictions make their folder one input (also when a README among
    them keeps the folder from being recognised as a whole: reading it then
    says what is wrong), another pose format makes the file an input, and a
    file that no format recognises is ignored.

    Parameters
    ----------
    root
        The folder given.
    endings
        The endings (lower case) of the files to take.
    label_folders
        The (real) folders of the label files of YOLO datasets found before
        (the folders of a glob's matches share it); the datasets found in this
        folder are added to it.

    Returns
    -------
    Expansion
        The inputs, in the order of a walk by name, and the ignored files.

    Examples
    --------
    >>> expand_folder(Path("sessions"), (".h5", ".txt")).inputs  # doctest: +SKIP
    [(PosixPath('sessions/m1.h5'), '.', None), (PosixPath('sessions/m2/labels'), 'm2', \
'yolo-predictions')]
    """
    found = Expansion()
    taken: set[Path] = set()  # files read by a folder input
    # (real) folders of the YOLO datasets' label files
    label_folders = set() if label_folders is None else label_folders
    visited: set[str] = set()  # real folders walked: a link back up is not walked again
    for folder, subfolders, names in os.walk(root, followlinks=True):
        subfolders[:] = sorted(d for d in subfolders if not d.startswith("."))
        if (real := os.path.realpath(folder)) in visited:
            subfolders[:] = []
            continue
        visited.add(real)
        here = Path(folder)
        relative = here.relative_to(root)
        place = str(relative.parent) if relative.parts else "."
        of_dataset = dataset_labels(here) or Path(os.path.realpath(here)) in label_folders
        as_one = None if of_dataset else folder_inputs(here)
        if as_one is not None and not as_one[1] <= taken:
            found.inputs.append((here, place, as_one[0]))
            taken |= as_one[1]
        files = [here / n for n in sorted(names) if not n.startswith(".")]
        files = [p for p in files if p not in taken and p.name.lower().endswith(endings)]
        dangling = [p for p in files if p.is_symlink() and not p.exists()]  # fails its own job
        files = [p for p in files if p.is_file()]
        specific = [p for p in files if not p.name.lower().endswith(GENERIC_ENDINGS)]
        predictions = []
        for path in files if not of_dataset else ():
            if not path.name.lower().endswith(GENERIC_ENDINGS):
                continue
            fmt = _content_format(path)
            if fmt is None:
                found.ignored.append(path)
            elif fmt.name == PREDICTIONS:
                predictions.append(path)
            else:
                specific.append(path)
        if predictions and as_one is None:  # the frames of a video: never one job per frame
            found.inputs.append((here, place, PREDICTIONS))
            read = set(_prediction_files(here))
            taken |= read
            found.ignored = [p for p in found.ignored if p not in read]
        else:  # a folder another format reads, holding predictions too: each its own input
            specific.extend(predictions)
        found.inputs.extend((p, str(relative), None) for p in sorted(specific + dangling))
        for path in specific:
            if path.suffix.lower() in (".yaml", ".yml"):
                label_folders |= dataset_label_folders(path)
    return found
