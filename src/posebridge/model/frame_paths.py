"""Where labelled frames come from: their image and video paths, and finding those files.

The paths of a labels dataset (``video``, ``image_path``) keep the source's
text with ``/`` separators; a frame's number is read from its image's name;
relative paths are looked for in the folders :func:`search_folders` gives.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from posebridge.model.texts import utf8_text

__all__ = [
    "UNKNOWN_FRAME",
    "find_files",
    "image_frames",
    "image_videos",
    "normalise_paths",
    "path_folders",
    "search_folders",
]

#: ``frame`` of a labelled frame whose number in its video is unknown.
UNKNOWN_FRAME = -1


def normalise_paths(paths: Any) -> np.ndarray:
    """Paths as str with ``/`` separators (``\\`` replaced)."""
    text = np.asarray(paths).astype(str)
    if text.size and np.char.find(text, "\\").max() >= 0:
        text = np.char.replace(text, "\\", "/")
    return text


def image_frames(paths: Any) -> np.ndarray:
    """The frame number in each image's name: its last run of digits, -1 if none.

    Vectorised (pyarrow's string kernels): the name after the last ``/``,
    without its extension; then its last run of ASCII digits (more than 18
    digits do not fit int64: unknown).

    Examples
    --------
    >>> image_frames(["labeled-data/v1/img0042.png", "a/b.png", "x\\\\frame_7_cam2.jpg"])
    array([42, -1,  2])
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    text = normalise_paths(paths)
    if text.size == 0:
        return np.zeros(0, dtype=np.int64)
    try:
        array = pa.array(text.tolist(), pa.large_string())
    except UnicodeEncodeError:  # a file name that is not UTF-8 (its digits are ASCII)
        array = pa.array([utf8_text(t) for t in text.tolist()], pa.large_string())
    names = pc.replace_substring_regex(array, "(?s)^.*/", "")
    stems = pc.replace_substring_regex(names, r"\.[^.]*$", "")
    digits = pc.struct_field(pc.extract_regex(stems, r"(?P<d>[0-9]+)[^0-9]*$"), "d")
    digits = pc.if_else(pc.less_equal(pc.utf8_length(digits), 18), digits, None)
    frames = pc.fill_null(pc.cast(digits, pa.int64()), UNKNOWN_FRAME)
    return frames.to_numpy(zero_copy_only=False).astype(np.int64, copy=False)


def image_videos(paths: Any) -> np.ndarray:
    """The folder of each image (``""`` for a bare file name)."""
    text = normalise_paths(paths)
    if text.size == 0:
        return text
    return np.char.rpartition(text, "/")[:, 0]


#: How many folders above a labels file's own folder relative paths are looked for in:
#: DeepLabCut image paths are relative to the project folder, two levels above
#: ``labeled-data/<video>/CollectedData_<scorer>.h5``.
SOURCE_PARENTS = 3


def search_folders(
    source_file: str | os.PathLike[str] | None, first: Sequence[str | os.PathLike[str]] = ()
) -> list[Path]:
    """Where a labels dataset's relative image and video paths are looked for, in order.

    ``first`` (e.g. the folder of a file being written), then the folder of
    ``source_file`` (the dataset's ``source_file`` attribute) and its
    :data:`SOURCE_PARENTS` parents, then the working folder; each folder once.

    Parameters
    ----------
    source_file
        The file the dataset was read from, or ``None``.
    first
        Folders to look in before those.

    Returns
    -------
    list of pathlib.Path
        The folders, in order.

    Examples
    --------
    >>> from pathlib import Path
    >>> folders = search_folders("/p/labeled-data/v/CollectedData_me.h5")
    >>> [f.as_posix() for f in folders[:4]] == ["/p/labeled-data/v", "/p/labeled-data", "/p", "/"]
    True
    >>> folders[-1] == Path.cwd()
    True
    """
    folders = [Path(f) for f in first]
    if source_file:
        folders += list(Path(source_file).resolve().parents)[: SOURCE_PARENTS + 1]
    folders.append(Path.cwd())
    return list(dict.fromkeys(folders))


def path_folders(paths: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each path split into its folder and its name, the folders numbered.

    Returns
    -------
    tuple
        ``codes`` (per path, its folder's position in ``folders``), ``folders``
        (each distinct folder once, with its trailing ``/``; ``""`` for a bare
        name) and ``names`` (per path, the part after the last ``/``).

    Examples
    --------
    >>> codes, folders, names = path_folders(["a/b/1.png", "/v.mp4", "a/b/2.png", "x.png"])
    >>> codes.tolist(), folders.tolist(), names.tolist()
    ([0, 1, 0, 2], ['a/b/', '/', ''], ['1.png', 'v.mp4', '2.png', 'x.png'])
    """
    text = normalise_paths(paths).reshape(-1)
    if text.size == 0:
        empty = np.zeros(0, dtype=str)
        return np.zeros(0, dtype=np.int64), empty, empty
    parts = np.char.rpartition(text, "/")
    codes, folders = pd.factorize(np.char.add(parts[:, 0], parts[:, 1]), sort=False)
    return np.asarray(codes, dtype=np.int64), np.asarray(folders, dtype=str), parts[:, 2]


def _file_names(folder: str) -> list[str]:
    """The names of the files (or links to files) in ``folder``; none when it cannot be read."""
    try:
        with os.scandir(folder) as entries:
            return [entry.name for entry in entries if entry.is_file()]
    except (OSError, ValueError):  # not a folder, no permission, a NUL in the name, ...
        return []


def find_files(paths: Any, folders: Sequence[str | os.PathLike[str]]) -> np.ndarray:
    """Per path, the position in ``folders`` of the first folder it is a file in (-1: none).

    An absolute path is found (at 0) when it is a file. Each distinct folder
    of the paths is listed once per place it is looked for in, not each file
    (a labels dataset names thousands of images in a few folders). ``""``
    is never found.

    Parameters
    ----------
    paths
        Paths, relative or absolute (``\\`` separators are taken as ``/``).
    folders
        Where relative paths are looked for, in order (:func:`search_folders`).

    Returns
    -------
    numpy.ndarray
        int64, one per path.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> with tempfile.TemporaryDirectory() as top:
    ...     (Path(top) / "b" / "v").mkdir(parents=True)
    ...     (Path(top) / "b" / "v" / "img1.png").touch()
    ...     find_files(["v/img1.png", "v/img2.png", ""], [top, Path(top) / "b"]).tolist()
    [1, -1, -1]
    """
    codes, heads, names = path_folders(paths)
    where = np.full(codes.shape, -1, dtype=np.int64)
    if codes.size == 0:
        return where
    order = np.argsort(codes, kind="stable")
    bounds = np.searchsorted(codes[order], np.arange(len(heads) + 1))
    for k, head in enumerate(heads.tolist()):  # a loop per distinct folder of the paths
        pending = order[bounds[k] : bounds[k + 1]]
        pending = pending[names[pending] != ""]
        places = [""] if os.path.isabs(head) else folders  # absolute: found at 0 or not
        for at, folder in enumerate(places):
            if pending.size == 0:
                break
            place = os.path.join(folder, head) if head else os.fspath(folder)
            listed = _file_names(place)
            if not listed:
                continue
            hit = pd.Index(names[pending], dtype=object).isin(listed)
            if not hit.all():  # a name the listing spells otherwise: a file system that
                # ignores case (Windows, macOS) or stores another Unicode form (macOS)
                # finds it all the same; asked name by name, for those left only
                rest = np.flatnonzero(~hit)
                hit[rest] = [os.path.isfile(os.path.join(place, n)) for n in names[pending[rest]]]
            where[pending[hit]] = at
            pending = pending[~hit]
    return where
