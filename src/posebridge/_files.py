"""File-system helpers shared by readers and writers: checked inputs, atomic outputs.

Writers never leave a half-written file: they write to a temporary file in the
target folder and rename it into place, and refuse to replace an existing file
unless ``overwrite=True``.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from posebridge.errors import FileExistsError, FileNotFoundError, PoseBridgeError

__all__ = ["atomic_outputs", "check_input", "check_outputs"]


def check_input(path: str | os.PathLike[str]) -> Path:
    """Return ``path`` as a Path after checking that it is a readable file.

    Parameters
    ----------
    path
        The input file.

    Returns
    -------
    pathlib.Path
        The same path.

    Raises
    ------
    FileNotFoundError
        When nothing is there (also a built-in ``FileNotFoundError``).
    PoseBridgeError
        When it is a folder or cannot be read.

    Examples
    --------
    >>> check_input("missing.h5")  # doctest: +SKIP
    FileNotFoundError: missing.h5: no such file.
    """
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(2, f"{path}: no such file.", str(path))
    if path.is_dir():
        raise PoseBridgeError(f"{path}: is a folder; expected a file.")
    if not os.access(path, os.R_OK):
        raise PoseBridgeError(f"{path}: the file cannot be read (permission denied).")
    return path


def check_outputs(paths: Sequence[Path], overwrite: bool) -> None:
    """Refuse to write when an output exists (without overwrite) or its folder is missing.

    Parameters
    ----------
    paths
        Every file a writer is about to write.
    overwrite
        Whether existing files may be replaced.

    Raises
    ------
    FileExistsError
        Naming the first existing file, when ``overwrite`` is false.
    FileNotFoundError
        When the folder of an output does not exist.
    """
    for path in paths:
        if path.is_dir():
            raise PoseBridgeError(f"{path}: is a folder; expected a file name.")
        if path.exists() and not overwrite:
            raise FileExistsError(
                17, f"{path}: already exists; pass overwrite=True to replace it.", str(path)
            )
        if not path.parent.is_dir():
            raise FileNotFoundError(
                2, f"{path}: the folder {path.parent} does not exist.", str(path)
            )


def _temporary_twin(path: Path) -> Path:
    suffix = "".join(path.suffixes[-2:]) if path.suffixes else ""
    stem = path.name[: len(path.name) - len(suffix)] if suffix else path.name
    return path.with_name(f".{stem}.partial-{secrets.token_hex(4)}{suffix}")


@contextmanager
def atomic_outputs(paths: Sequence[Path], *, overwrite: bool) -> Iterator[list[Path]]:
    """Write several files all-or-nothing.

    Yields temporary paths in the target folders (same file endings); when the
    block ends without error they are renamed onto ``paths``, otherwise they
    are removed and the targets are untouched.

    Parameters
    ----------
    paths
        The final output files.
    overwrite
        Whether existing files may be replaced.

    Yields
    ------
    list of pathlib.Path
        Temporary files to write, one per target, in order.

    Examples
    --------
    >>> from pathlib import Path
    >>> with atomic_outputs([Path("out.csv")], overwrite=False) as (tmp,):  # doctest: +SKIP
    ...     tmp.write_text("x")
    """
    targets = [Path(p) for p in paths]
    check_outputs(targets, overwrite)
    temporaries = [_temporary_twin(p) for p in targets]
    try:
        yield temporaries
        for temporary, target in zip(temporaries, targets, strict=True):
            if not temporary.exists():
                raise PoseBridgeError(f"{target}: the writer produced no file.")
        for temporary, target in zip(temporaries, targets, strict=True):
            os.replace(temporary, target)
    finally:
        for temporary in temporaries:
            if temporary.exists():
                temporary.unlink()
