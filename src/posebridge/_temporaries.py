"""The temporaries atomic writers write into, and finding those a killed process left.

A writer writes ``<folder>/.<stem>.posebridge-tmp-<pid>-<hex><suffix>`` and
renames it onto its target when complete (:mod:`posebridge._outputs`). The
name depends only on the target's name, the writer's process id and a random
token, so the temporaries of a target are found again, and those whose
process is gone are stale (:func:`stale_temporaries`).
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Sequence
from pathlib import Path

from posebridge._files import name_max

__all__ = [
    "TEMPORARY_MARK",
    "stale_in_folder",
    "stale_temporaries",
    "temporaries_of",
    "temporary_twin",
]


#: What marks a temporary of ours: ``.<stem>.posebridge-tmp-<pid>-<random><suffix>``.
TEMPORARY_MARK = ".posebridge-tmp-"


#: Bytes a temporary's name adds to its target's stem besides the mark: the leading dot,
#: the pid (at most 10 digits), a dash and 8 hex digits.
_TEMPORARY_EXTRA = 1 + 10 + 1 + 8


def _split_name(path: Path) -> tuple[str, str]:
    """``(stem, suffix)`` of a name, the suffix being its last two endings.

    The stem is cut so that a temporary's name fits the file system's limit (a
    target whose name is near 255 bytes is legal, and its temporary must be
    too), and is valid UTF-8. Both depend on the name only, so the temporaries
    of a target are found again.
    """
    suffix = "".join(path.suffixes[-2:]) if path.suffixes else ""
    stem = path.name[: len(path.name) - len(suffix)] if suffix else path.name
    room = name_max(path.parent) - len(TEMPORARY_MARK) - _TEMPORARY_EXTRA
    room -= len(os.fsencode(suffix))
    encoded = os.fsencode(stem)  # the name's bytes, whatever their encoding
    # bytes that are not UTF-8 spelled %XX: libraries that take the name as UTF-8 text
    # (PyTables wrote "caf?" for "caf\xe9") then open the temporary asked for
    text = _NOT_UTF8_BYTE.sub(_percent, encoded[: max(room, 1)].decode("utf-8", "surrogateescape"))
    while len(text.encode("utf-8")) > max(room, 1):  # a spelled byte takes three
        text = text[:-1]
    # the file system's spelling of those UTF-8 bytes: the text itself in UTF-8 mode, and
    # escaped bytes under another encoding (an ASCII locale), which cannot encode "ü"
    return os.fsdecode(text.encode("utf-8")), suffix


#: How Python spells a byte of a file name that is not UTF-8 (``surrogateescape``).
_NOT_UTF8_BYTE = re.compile("[\udc80-\udcff]")


def _percent(byte: re.Match[str]) -> str:
    return f"%{ord(byte.group()) - 0xDC00:02X}"


def temporary_twin(path: Path) -> Path:
    """A new temporary name for ``path``: hidden, in its folder, marked with this
    process's id and a random token, ending as ``path`` ends.

    Examples
    --------
    >>> from pathlib import Path
    >>> temporary_twin(Path("out/poses.csv")).name.startswith(".poses.posebridge-tmp-")
    True
    """
    stem, suffix = _split_name(path)
    token = f"{os.getpid()}-{secrets.token_hex(4)}"
    return path.with_name(f".{stem}{TEMPORARY_MARK}{token}{suffix}")


def temporaries_of(path: Path) -> list[tuple[Path, int]]:
    """posebridge's temporaries of ``path`` (live or not), each with its writer's pid.

    Examples
    --------
    >>> from pathlib import Path
    >>> temporaries_of(Path("nowhere/poses.csv"))
    []
    """
    return _temporaries_in_folder([path]).get(path, [])


def _temporaries_in_folder(paths: Sequence[Path]) -> dict[Path, list[tuple[Path, int]]]:
    """:func:`temporaries_of` for targets of one folder, from one listing of it.

    A writer of many files in one folder (YOLO: a label file per image) would
    otherwise list the folder once per file: quadratic in the folder's size.
    """
    by_prefix: dict[str, list[tuple[Path, str]]] = {}
    for path in paths:
        stem, suffix = _split_name(path)
        by_prefix.setdefault(f".{stem}{TEMPORARY_MARK}", []).append((path, suffix))
    folder = paths[0].parent if paths else Path(".")
    try:
        names = [e.name for e in os.scandir(folder) if TEMPORARY_MARK in e.name]
    except OSError:
        return {}
    found: dict[Path, list[tuple[Path, int]]] = {}
    for name in names:
        prefix = name[: name.index(TEMPORARY_MARK) + len(TEMPORARY_MARK)]
        for path, suffix in by_prefix.get(prefix, []):
            if suffix and not name.endswith(suffix):
                continue
            token = name[len(prefix) : len(name) - len(suffix)] if suffix else name[len(prefix) :]
            pid, _, rest = token.partition("-")
            if pid.isdigit() and len(rest) == 8:
                found.setdefault(path, []).append((folder / name, int(pid)))
    return found


def stale_temporaries(path: str | os.PathLike[str]) -> list[Path]:
    """Temporaries of ``path`` left by posebridge processes that no longer run.

    A write killed before its rename (SIGKILL, power loss) leaves its
    temporary beside the target; the target itself is untouched. The next
    write to the same target removes them (:func:`atomic_outputs`). A target
    that is a symbolic link is followed, as a writer follows it: the
    temporaries of a write through the link are beside the file it names.

    Parameters
    ----------
    path
        A target file (a str or a path).

    Returns
    -------
    list of pathlib.Path
        The stale temporaries, named ``.<stem>.posebridge-tmp-<pid>-<hex><suffix>``
        whose process ``<pid>`` is gone.

    Examples
    --------
    >>> from pathlib import Path
    >>> stale_temporaries(Path("nowhere/poses.csv"))
    []
    """
    target = Path(path)
    if target.is_symlink():  # where the writer puts them (posebridge._outputs._through_links)
        target = Path(os.path.realpath(target))
    return stale_in_folder([target])


def stale_in_folder(paths: Sequence[Path]) -> list[Path]:
    """:func:`stale_temporaries` of targets of one folder, from one listing of it."""
    found = _temporaries_in_folder(paths).values()
    return [name for pairs in found for name, pid in pairs if not process_running(pid)]


def process_running(pid: int) -> bool:
    """Whether a process with this id runs on this machine (ours counts as running; on
    Windows every process is taken as running: ``os.kill`` would end it there).

    Examples
    --------
    >>> process_running(os.getpid())
    True
    """
    if pid == os.getpid() or os.name == "nt":
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True
    return True
