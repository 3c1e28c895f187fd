"""File-system helpers shared by readers and writers: checked inputs, one look at a
file for detection (:class:`Peek`), atomic outputs.

Writers never leave a half-written file: they write to a temporary file in the
target folder and rename it into place, and refuse to replace an existing file
unless ``overwrite=True``.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import cached_property
from pathlib import Path
from typing import Any

from posebridge.errors import FileExistsError, FileNotFoundError, PoseBridgeError

__all__ = ["HDF5_SIGNATURE", "Peek", "atomic_outputs", "check_input", "check_outputs"]

#: The first 8 bytes of every HDF5 file (HDF5, netCDF-4, NWB, .slp, pandas .h5).
HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"


def check_input(path: str | os.PathLike[str], *, folder: bool = False) -> Path:
    """Return ``path`` as a Path after checking that it is a readable file.

    Parameters
    ----------
    path
        The input file.
    folder
        Accept a folder too (formats that read a folder of files: TRex,
        idtracker.ai's CSV folder).

    Returns
    -------
    pathlib.Path
        The same path.

    Raises
    ------
    FileNotFoundError
        When nothing is there (also a built-in ``FileNotFoundError``).
    PoseBridgeError
        When it is a folder (unless ``folder``) or cannot be read.

    Examples
    --------
    >>> check_input("missing.h5")  # doctest: +SKIP
    FileNotFoundError: missing.h5: no such file.
    """
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(2, f"{path}: no such file.", str(path))
    if path.is_dir():
        if folder:
            return path
        raise PoseBridgeError(f"{path}: is a folder; expected a file.")
    if not os.access(path, os.R_OK):
        raise PoseBridgeError(f"{path}: the file cannot be read (permission denied).")
    return path


class Peek:
    """One look at a file, shared by every format's ``sniff`` during a detection.

    The first :attr:`HEAD_BYTES` bytes are read once; for an HDF5 file, the file
    is opened once with h5py (on first use) and its top-level keys listed once.
    Use it as a context manager so that the HDF5 handle is closed.

    Parameters
    ----------
    path
        The file to look at (already checked by :func:`check_input`).

    Examples
    --------
    >>> with Peek("video1DLC.csv") as peek:  # doctest: +SKIP
    ...     peek.lines(2)
    ['scorer,DLC_resnet50,...', 'bodyparts,snout,...']
    """

    #: How much of the file's start sniffers see.
    HEAD_BYTES = 256 * 1024

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        with open(self.path, "rb") as handle:
            self.head: bytes = handle.read(self.HEAD_BYTES)
        self.is_hdf5: bool = self.head.startswith(HDF5_SIGNATURE)
        self._h5: Any = None

    def __enter__(self) -> Peek:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the HDF5 handle, if one was opened."""
        if self._h5 is not None:
            try:
                self._h5.close()
            finally:
                self._h5 = None

    @cached_property
    def h5(self) -> Any:
        """The open ``h5py.File`` (read-only), or ``None`` for a file that is not HDF5."""
        if not self.is_hdf5:
            return None
        import h5py

        try:
            self._h5 = h5py.File(self.path, "r")
        except (OSError, ValueError):
            return None
        return self._h5

    @cached_property
    def h5_keys(self) -> dict[str, str]:
        """Top-level HDF5 names mapped to ``"group"`` or ``"dataset"`` (empty if not HDF5)."""
        h5 = self.h5
        if h5 is None:
            return {}
        import h5py

        keys: dict[str, str] = {}
        for name in h5:
            try:
                link = h5.get(name, getlink=False)
            except (KeyError, OSError, RuntimeError):
                continue
            keys[name] = "group" if isinstance(link, h5py.Group) else "dataset"
        return keys

    @cached_property
    def text(self) -> str | None:
        """The head as text (UTF-8, BOM removed), or ``None`` when it is not text."""
        if self.is_hdf5 or b"\x00" in self.head:
            return None
        head = self.head
        if len(head) == self.HEAD_BYTES:  # a multi-byte character may be cut at the end
            head = head[: head.rfind(b"\n") + 1] or head
        try:
            return head.decode("utf-8-sig")
        except UnicodeDecodeError:
            return None

    def lines(self, count: int) -> list[str]:
        """The first ``count`` complete lines of the head (without line ends)."""
        text = self.text
        if not text:
            return []
        lines = text.splitlines()
        if len(self.head) == self.HEAD_BYTES and not text.endswith(("\n", "\r")):
            lines = lines[:-1]  # the last one may be cut
        return lines[:count]


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
