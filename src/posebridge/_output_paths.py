"""Checks of an output's path before anything is written: a name that names a folder, a
folder that is missing or is a file, and an output that is one of its own inputs (or lies
inside a folder read as the input). The file system's name limit, which inputs share, is
:func:`posebridge._files.refuse_long_names`.

Every writer's entry point calls them on the path as the user gave it; the atomic placing of
the written file is :mod:`posebridge._outputs`.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

from posebridge._files import unfollowable_link
from posebridge.errors import (
    FileNotFoundError,
    IsADirectoryError,
    PoseBridgeError,
    with_command_line_wording,
)

__all__ = [
    "check_output_folder",
    "inside_input_folder",
    "is_inside",
    "output_folder_problem",
    "real_target",
    "refuse_folder_name",
    "refuse_writing_onto_input",
]


def refuse_writing_onto_input(
    source: str | os.PathLike[str],
    target: str | os.PathLike[str],
    *,
    doing: str = "converting a file onto itself",
) -> None:
    """Refuse an output that is one of its own inputs (the same file, links followed).

    The input is what the tool that made it wrote (its layout, its names, what
    posebridge does not carry); replacing it by a conversion, a figure or a
    video, even with ``overwrite=True``, would lose that. An input that is a
    folder (TRex's per-individual files, YOLO predictions' ``labels`` folder)
    refuses every output inside it, at any depth, whether or not the output
    exists: writing there would replace or add to the files read. Links are
    followed (an output that is a link to a file of the folder is inside it);
    an output hard-linked to one of the folder's files is not refused, since
    writers put a new file in place of the link rather than writing into it.

    Parameters
    ----------
    source
        An input file or folder (nothing is refused when it does not exist).
    target
        The output file.
    doing
        What writing there would be, for the message
        (``"writing the figure there"``).

    Raises
    ------
    PoseBridgeError
        ``<target>: is the input file (<source>); <doing> would replace the
        original: write to another file.``, or for a folder ``<target>: is
        inside the folder <source>, which is read as the input; ...``

    Examples
    --------
    >>> refuse_writing_onto_input(Path("a.h5"), Path("b.h5"))
    """
    if os.path.isdir(source):  # a folder read as one input (TRex, YOLO predictions)
        if is_inside(real_target(target), Path(os.path.realpath(source))):
            raise inside_input_folder(source, target)
        return
    try:
        same = Path(target).exists() and os.path.samefile(source, target)
    except OSError:
        return
    if same:
        raise PoseBridgeError(
            f"{target}: is the input file ({source}); {doing} would replace the original: "
            "write to another file."
        )


def real_target(target: str | os.PathLike[str], parents: dict[str, Path] | None = None) -> Path:
    """Where writing ``target`` lands: its real folder (links followed) and its name, or the
    file a symbolic link ``target`` leads to.

    Parameters
    ----------
    target
        An output file (it need not exist).
    parents
        A cache of real folders by folder name, for many targets in few folders.

    Examples
    --------
    >>> real_target("out.csv") == Path(os.path.realpath("out.csv"))
    True
    """
    path = Path(target)
    if path.is_symlink():
        return Path(os.path.realpath(path))
    folder = os.fspath(path.parent)
    if parents is None:
        return Path(os.path.realpath(folder)) / path.name
    if folder not in parents:
        parents[folder] = Path(os.path.realpath(folder))
    return parents[folder] / path.name


def is_inside(path: Path, folder: Path) -> bool:
    """Whether ``path`` is ``folder`` or lies below it (both real paths, see :func:`real_target`).

    Examples
    --------
    >>> is_inside(Path("/data/labels/clip_1.txt"), Path("/data/labels"))
    True
    >>> is_inside(Path("/data/labels.nwb"), Path("/data/labels"))
    False
    """
    return path == folder or folder in path.parents


def inside_input_folder(
    folder: str | os.PathLike[str], target: str | os.PathLike[str]
) -> PoseBridgeError:
    """The refusal of an output inside a folder that is read as an input.

    Examples
    --------
    >>> print(inside_input_folder("labels", "labels/clip.txt"))
    labels/clip.txt: is inside the folder labels, which is read as the input; writing there \
would replace or add to the files read (even with overwrite): write outside that folder.
    """
    refused = PoseBridgeError(
        f"{target}: is inside the folder {folder}, which is read as the input; writing there "
        "would replace or add to the files read (even with overwrite): write outside that "
        "folder."
    )
    return with_command_line_wording(refused, {"(even with overwrite)": "(even with --overwrite)"})


def output_folder_problem(path: str | os.PathLike[str]) -> str | None:
    """Why the folder of an output file cannot hold it, or ``None`` when it is a folder.

    The nearest part of the folder's path that exists is looked at, so that
    ``afile/x.png``, where ``afile`` is a regular file, is said to be a file
    rather than a missing folder.

    Examples
    --------
    >>> output_folder_problem(Path("x.png")) is None
    True
    >>> output_folder_problem(Path("no-such-folder/x.png"))
    'the folder no-such-folder does not exist'
    """
    folder = Path(path).parent
    if folder.is_dir():
        return None
    for part in (folder, *folder.parents):
        if part.is_dir():
            break  # the nearest existing part is a folder: the ones below are missing
        if part.exists():
            kind = "a file" if part.is_file() else "not a folder (a pipe, socket or device)"
            return f"{part} is {kind}, not a folder"
        if part.is_symlink():
            return f"{part} {unfollowable_link(part)}"
    return f"the folder {folder} does not exist"


def refuse_folder_name(path: str | os.PathLike[str], what: str = "") -> None:
    """Refuse an output file name that names a folder (``out.csv/``, ``out.csv/.``).

    A trailing separator, or a last component ``.`` or ``..``, names a folder:
    ``open()`` and pandas refuse such a path, but :class:`pathlib.Path` drops a
    trailing separator and a final ``/.``, so a writer given ``Path("out.csv/")``
    or ``Path("out.csv/.")`` would write the file ``out.csv``. Call it on the path
    as the user gave it, before it becomes a :class:`~pathlib.Path`.

    Parameters
    ----------
    path
        An output file, as given.
    what
        What the path is, put before it in the message (e.g. ``"report"``).

    Raises
    ------
    IsADirectoryError
        Naming the path as given (also a built-in ``IsADirectoryError``).

    Examples
    --------
    >>> refuse_folder_name("out.csv")
    >>> refuse_folder_name("out.csv/")
    Traceback (most recent call last):
    ...
    posebridge.errors.IsADirectoryError: out.csv/: ends with a path separator, so it names \
a folder; expected a file name (drop the trailing '/').
    >>> refuse_folder_name("out.csv/.")
    Traceback (most recent call last):
    ...
    posebridge.errors.IsADirectoryError: out.csv/.: ends with '/.', so it names a folder; \
expected a file name (drop the trailing '/.').
    """
    given = os.fsdecode(os.fspath(path))
    separators = tuple(sep for sep in (os.sep, os.altsep) if sep)
    named = f"{what} {given}" if what else given
    if given.endswith(separators):
        raise IsADirectoryError(
            errno.EISDIR,
            f"{named}: ends with a path separator, so it names a folder; expected a file "
            f"name (drop the trailing {given[-1]!r}).",
            given,
        )
    last_separator = max(given.rfind(sep) for sep in separators)
    last_component = given[last_separator + 1 :]
    if last_component in (os.curdir, os.pardir):
        ending = given[last_separator:] if last_separator >= 0 else last_component
        # dropping a final '/.' names the same folder as a file; a final '..' has no such fix
        dot_after_name = last_separator > 0 and last_component == os.curdir
        advice = f" (drop the trailing {ending!r})" if dot_after_name else ""
        raise IsADirectoryError(
            errno.EISDIR,
            f"{named}: ends with {ending!r}, so it names a folder; expected a file name{advice}.",
            given,
        )


def check_output_folder(path: str | os.PathLike[str]) -> None:
    """Refuse an output whose folder is missing or is a file (see :func:`output_folder_problem`).

    Raises
    ------
    FileNotFoundError
        ``<path>: the folder <folder> does not exist.`` or ``<path>: <part> is
        a file, not a folder.`` (also a built-in ``FileNotFoundError``).

    Examples
    --------
    >>> check_output_folder(Path("x.png"))
    """
    problem = output_folder_problem(path)
    if problem is not None:
        code = errno.ENOENT if problem.endswith("does not exist") else errno.ENOTDIR
        raise FileNotFoundError(code, f"{path}: {problem}.", str(path))
