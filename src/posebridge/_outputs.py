"""Atomic outputs: what every writer writes goes through :func:`atomic_outputs`.

Writers never leave a half-written file: they write to a temporary file in the
target folder and put it into place only when it is complete, and refuse to
replace an existing file unless ``overwrite=True``. Temporaries that a killed
process left are found again by their name and removed
(:func:`posebridge._temporaries.stale_temporaries`).
"""

from __future__ import annotations

import builtins
import contextlib
import errno
import os
import shutil
import stat
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from posebridge._files import (
    HDF5_SIGNATURE,
    holds_hdf5_signature,
    refuse_hdf5_held_open,
    refuse_long_names,
    unfollowable_link,
)
from posebridge._output_paths import (
    check_output_folder,
    inside_input_folder,
    is_inside,
    real_target,
    refuse_folder_name,
    refuse_writing_onto_input,
)
from posebridge._temporaries import stale_in_folder, temporary_twin
from posebridge._threads import map_on_threads
from posebridge._write_locks import (  # held_for_writing: the formats' way to it (an append)
    held_for_writing,
    remove_stale_locks,
)
from posebridge._write_problems import INCOMPLETE, failure_cause, limit_cause
from posebridge.errors import (
    FileExistsError,
    FileNotFoundError,
    IsADirectoryError,
    PoseBridgeError,
    expect_bool,
    with_command_line_wording,
)

__all__ = [
    "atomic_outputs",
    "check_outputs",
    "existing_output",
    "held_for_writing",
    "inputs_kept",
]


#: The inputs of the conversion under way (see :func:`inputs_kept`): each with the input it
#: was read with, for a companion (``None`` for an input itself).
_KEPT_INPUTS: ContextVar[tuple[tuple[Path, Path | None], ...]] = ContextVar(
    "posebridge_kept_inputs", default=()
)


@contextmanager
def inputs_kept(*sources: Path, companions: Iterable[Path] = ()) -> Iterator[None]:
    """Within the block, no writer replaces one of ``sources`` (even with overwrite).

    :func:`refuse_writing_onto_input` checks the target a conversion is given;
    a writer that derives more names from it (NWB: one file per individual,
    ``<stem>_<individual>.nwb``) could still name the input. Every writer's
    outputs pass :func:`check_outputs`, which refuses them inside this block.
    A source that is a folder (read as one input) keeps every file inside it:
    no output may be written there.

    Parameters
    ----------
    *sources
        The inputs: files, or folders read as one input.
    companions
        The other files the reader of the first source read with it (see
        :func:`posebridge._files.recording_files_read`): idtracker.ai's
        ``id_probabilities.csv``, TRex's sibling files, a COCO ``ground_truth``...
        Kept as the sources are.

    Examples
    --------
    >>> with inputs_kept(Path("a.h5")):
    ...     check_outputs([Path("b.csv")], overwrite=True)
    >>> with inputs_kept(Path("labels")):  # doctest: +SKIP
    ...     check_outputs([Path("labels/clip_1.txt")], overwrite=True)
    Traceback (most recent call last):
    posebridge.errors.PoseBridgeError: labels/clip_1.txt: is inside the folder labels, ...
    >>> with inputs_kept(Path("trajectories.csv"), companions=[Path("id_probabilities.csv")]):
    ...     check_outputs([Path("id_probabilities.csv")], overwrite=True)  # doctest: +SKIP
    Traceback (most recent call last):
    posebridge.errors.PoseBridgeError: id_probabilities.csv: is a file read with the input ...
    """
    kept = [(Path(s), None) for s in sources]
    if sources:
        kept.extend((Path(c), Path(sources[0])) for c in companions)
    token = _KEPT_INPUTS.set((*_KEPT_INPUTS.get(), *kept))
    try:
        yield
    finally:
        _KEPT_INPUTS.reset(token)


def _file_identity(path: Path) -> tuple[int, int] | None:
    """The device and inode of the file ``path`` leads to (links followed), if any."""
    try:
        found = os.stat(path)
    except (OSError, ValueError):
        return None
    return (found.st_dev, found.st_ino) if stat.S_ISREG(found.st_mode) else None


def _kept_files(kept: Sequence[tuple[Path, Path | None]]) -> dict[tuple[int, int], tuple]:
    """The kept files by identity (an input before a companion that is the same file)."""
    files: dict[tuple[int, int], tuple[Path, Path | None]] = {}
    for path, read_with in kept:
        identity = _file_identity(path)
        if identity is not None and identity not in files:
            files[identity] = (path, read_with)
    return files


def _onto_companion(target: Path, kept: Path, read_with: Path) -> PoseBridgeError:
    which = "" if Path(target) == kept else f" ({kept})"
    refused = PoseBridgeError(
        f"{target}: is a file read with the input {read_with}{which}; writing there would "
        "replace it (even with overwrite): write to another file."
    )
    return with_command_line_wording(refused, {"(even with overwrite)": "(even with --overwrite)"})


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
    IsADirectoryError
        When an output is a folder.
    FileExistsError
        Naming the first existing file, when ``overwrite`` is false; a symbolic
        link is an existing file, even one that leads nowhere.
    TypeError
        When ``overwrite`` is not a bool (text such as ``"no"`` would be true).
    FileNotFoundError
        When the folder of an output does not exist, or is a file.
    PoseBridgeError
        When an output is an input kept by :func:`inputs_kept` (a file, a file
        read with the input, or inside a folder read as the input), or, with
        ``overwrite``, an HDF5 file another program has open for writing
        (replacing it would lose that program's changes without a word).
    """
    expect_bool(overwrite, "overwrite")
    for path in paths:  # as given: a str keeps its trailing separator, a Path does not
        refuse_folder_name(path)
    kept = _KEPT_INPUTS.get()
    folders = [(s, Path(os.path.realpath(s))) for s, _ in kept if s.is_dir()]
    files = _kept_files(kept) if kept else {}  # one stat per kept file, however many outputs
    parents: dict[str, Path] = {}  # real folders, looked up once for many outputs
    for path in paths:
        refuse_long_names(path)
        if files and (identity := _file_identity(path)) in files:
            kept_file, read_with = files[identity]
            if read_with is None:
                refuse_writing_onto_input(kept_file, path)  # the input: its own message
            else:
                raise _onto_companion(path, kept_file, read_with)
        if folders:
            where = real_target(path, parents)
            for folder, real in folders:
                if is_inside(where, real):
                    raise inside_input_folder(folder, path)
        if path.is_dir():
            raise IsADirectoryError(21, f"{path}: is a folder; expected a file name.", str(path))
        if not overwrite and (path.exists() or path.is_symlink()):
            raise existing_output(path)
        if overwrite:
            refuse_hdf5_held_open(path)  # before the write, not only before the rename
        check_output_folder(path)  # missing, or a file where a folder should be


def existing_output(path: str | os.PathLike[str]) -> FileExistsError:
    """The refusal of an output that exists, without ``overwrite``; for a symbolic link
    that leads nowhere (an existing file too), where it points.

    Examples
    --------
    >>> print(existing_output(Path("poses.csv")))
    poses.csv: already exists; pass overwrite=True to replace it.
    """
    return FileExistsError(
        17,
        f"{path}: already exists{_dangling_note(Path(path))}; pass overwrite=True to replace it.",
        str(path),
    )


def _dangling_note(path: Path) -> str:
    """For a symbolic link that leads nowhere (it exists, though ``exists()`` says no):
    one that loops, or one to a missing file."""
    if path.exists() or not path.is_symlink():
        return ""
    return f" ({unfollowable_link(path).removeprefix('is ')})"


#: Temporaries flushed to disk at once: ``fsync`` waits on the disk, not the CPU, and a
#: file system commits the files of concurrent calls together (a YOLO tree of 5,000
#: label files: 1.0 s one by one, 0.3 s sixteen at a time).
_FLUSHING_THREADS = 16


def _flushed(temporaries: list[Path], targets: list[Path]) -> list[bool]:
    """Flush every finished temporary to disk (``fsync``); whether each is an HDF5 file.

    Many files are flushed on a few threads (see :data:`_FLUSHING_THREADS`; those
    that cannot start are done without); a failure is raised for the first
    failing file in order.
    """
    if len(temporaries) < 4:
        return list(map(_flush, temporaries, targets))
    pairs = list(zip(temporaries, targets, strict=True))
    return map_on_threads(lambda pair: _flush(*pair), pairs, _FLUSHING_THREADS)


def _flush(temporary: Path, target: Path) -> bool:
    """Make a temporary's data reach the disk; whether it is an HDF5 file.

    An HDF5 file holds the signature at byte 0, or after a user block (byte 512,
    1024, ...: :func:`~posebridge._files.holds_hdf5_signature`, as the readers look
    for it), so that an NWB with a user block, appended to or replaced, is checked
    as the readers take it. ``fsync``'s error says a delayed disk-full.
    """
    try:
        with open(temporary, "rb+") as handle:
            head = handle.read(len(HDF5_SIGNATURE))
            os.fsync(handle.fileno())
    except OSError as error:
        raise _write_error(error, target) from error
    # only a file without the signature at its start is looked at again
    return head == HDF5_SIGNATURE or holds_hdf5_signature(temporary)


def _verify_hdf5(temporary: Path, target: Path) -> None:
    """Check that a finished HDF5 temporary is complete before it replaces ``target``.

    The file must open (HDF5 compares the end of file its superblock records
    with the real size, so a truncated file fails) and every object in it must
    be reachable and readable: HDF5 visits them all reading each one's full
    header information (``H5Ovisit`` with every field), and each is opened
    and its attribute names listed, with h5py's low-level calls (no Python
    object per HDF5 object). Measured on 600 damaged NWB files: this finds
    every damage that opening each object with h5py's high-level API and
    listing its attributes found, and 16 more, in two thirds of its time.
    """
    import h5py

    with_names = h5py.h5a.iterate

    try:
        with h5py.File(temporary, "r") as h5:
            root = h5.id

            def visited(name: bytes, info: Any) -> None:
                opened = h5py.h5o.open(root, name)
                if info.num_attrs:
                    with_names(opened, _ignore)

            h5py.h5o.visit(root, visited, info=True)
    except Exception as error:
        raise PoseBridgeError(
            f"{target}: could not be written: {limit_cause(temporary)} "
            f"(the HDF5 file written is damaged: {type(error).__name__}); "
            "the previous file, if any, is unchanged."
        ) from error


def _ignore(name: bytes) -> None:
    """An attribute visit that only reads the name (``None``: go on)."""


def _write_error(error: BaseException, target: Path) -> PoseBridgeError:
    cause = failure_cause(error, target.parent) or f"{type(error).__name__}"
    return PoseBridgeError(
        f"{target}: could not be written: {cause}; the previous file, if any, is unchanged."
    )


def _renamed(
    error: PoseBridgeError, temporaries: list[Path], targets: list[Path]
) -> PoseBridgeError:
    """The same error, naming the targets where it named the temporaries."""
    text = str(error)
    for temporary, target in zip(temporaries, targets, strict=True):
        text = text.replace(str(temporary), str(target)).replace(temporary.name, target.name)
    if text == str(error):
        return error
    if isinstance(error, OSError):  # the FileExistsError / FileNotFoundError twins
        return PoseBridgeError(text)
    renamed = type(error).__new__(type(error))
    renamed.__dict__.update(error.__dict__)
    renamed.args = (text, *error.args[1:])
    for temporary, target in zip(temporaries, targets, strict=True):
        if getattr(renamed, "path", None) == str(temporary):  # FormatError's fields
            renamed.path = str(target)
    return renamed


def _through_links(path: Path) -> Path:
    """The file a target names, symbolic links followed (the path itself when none).

    The new file replaces the file a link points to, so the link stays and
    whatever else reads that file sees the new data (replacing the link itself
    would leave the linked file stale). A link that loops is refused.
    """
    if not path.is_symlink():
        return path
    real = Path(os.path.realpath(path, strict=False))
    try:
        os.stat(path)
    except OSError as error:
        if error.errno == errno.ENOENT:  # a dangling link: the file it names is created
            return _checked_link_target(path, real)
        raise PoseBridgeError(
            f"{path}: is a symbolic link that cannot be followed "
            f"({error.strerror or error}); nothing was written."
        ) from error
    return _checked_link_target(path, real)


def _checked_link_target(link: Path, real: Path) -> Path:
    """``real``, the file ``link`` leads to, once its folder is known to exist."""
    if not real.parent.is_dir():
        raise FileNotFoundError(
            2, f"{link}: a symbolic link to {real}, whose folder does not exist.", str(link)
        )
    if real.is_dir():
        raise IsADirectoryError(21, f"{link}: is a link to a folder; expected a file.", str(link))
    return real


#: errno values of a file system that has no hard links (FAT, some network and FUSE mounts).
_NO_HARD_LINKS = {
    errno.EPERM,
    errno.ENOTSUP,
    errno.EOPNOTSUPP,
    errno.EXDEV,
    errno.EMLINK,
    errno.ENOSYS,
}


def _place(temporary: Path, target: Path, overwrite: bool) -> None:
    """Rename a finished temporary onto its target; without ``overwrite``, never onto a file.

    ``check_outputs`` refused an existing target before the write began, but a
    long write leaves time for another process to make one. Without
    ``overwrite`` the temporary is hard-linked to the target, which fails when
    the target exists (the check and the placing are one step), and the
    temporary is removed afterwards; where the file system has no hard links,
    the target is looked for just before the rename. With ``overwrite``, an
    HDF5 target another program has opened for writing meanwhile is refused.
    """
    try:
        if overwrite:
            refuse_hdf5_held_open(target)  # opened elsewhere since the write began
            _keep_mode(target, temporary)
            os.replace(temporary, target)
            return
        try:
            os.link(temporary, target)
            return
        except builtins.FileExistsError:
            raise _appeared(target) from None
        except OSError as error:
            if error.errno not in _NO_HARD_LINKS:
                raise
        if target.exists() or target.is_symlink():
            raise _appeared(target)
        os.replace(temporary, target)
    except PoseBridgeError:
        raise
    except OSError as error:
        raise _write_error(error, target) from error


def _keep_mode(target: Path, temporary: Path) -> None:
    """Give the new file the permissions (and, where allowed, the owner and group) of the
    regular file it replaces, as writing over it in place keeps them (a private 0600
    file became 0644)."""
    try:
        found = os.stat(target)
    except OSError:
        return
    if not stat.S_ISREG(found.st_mode):
        return
    with contextlib.suppress(OSError):
        os.chmod(temporary, stat.S_IMODE(found.st_mode))
    if hasattr(os, "chown"):
        with contextlib.suppress(OSError):
            os.chown(temporary, found.st_uid, found.st_gid)


def _appeared(target: Path) -> FileExistsError:
    return FileExistsError(
        17,
        f"{target}: appeared while posebridge was writing it (another program made it); it "
        "was left as it is and nothing was written. Pass overwrite=True (--overwrite) to "
        "replace it.",
        str(target),
    )


def _remove(path: Path) -> None:
    with suppress(OSError):
        path.unlink(missing_ok=True)


def file_stamp(path: Path) -> tuple[int, int, int]:
    """What tells a file's version apart: its inode, size and modification time (ns).

    Examples
    --------
    >>> file_stamp(Path("session.nwb"))  # doctest: +SKIP
    (1312, 46137344, 1733412345123456789)
    """
    found = os.stat(path)
    return (found.st_ino, found.st_size, found.st_mtime_ns)


def refuse_changed(path: Path, stamp: tuple[int, int, int], doing: str) -> None:
    """Refuse to put a changed copy in place of a file another program changed meanwhile.

    An append works on a copy of the file and renames it over the original:
    two appends at once (two processes) would each copy the same original,
    and the second rename would silently drop the first append.

    Raises
    ------
    PoseBridgeError
        When ``path`` is no longer the file ``stamp`` was taken of.
    """
    try:
        now = file_stamp(path)
    except OSError:
        now = None
    if now != stamp:
        raise PoseBridgeError(
            f"{path}: was changed (or replaced) by another program while posebridge was "
            f"{doing}; its new content was kept and nothing was written. Run it again."
        )


@contextmanager
def atomic_outputs(paths: Sequence[Path], *, overwrite: bool) -> Iterator[list[Path]]:
    """Write several files all-or-nothing.

    Yields temporary paths in the target folders (same file endings); when the
    block ends without error each is checked complete (see below) and they are
    renamed onto ``paths``; otherwise they are removed and the targets are
    untouched. When a rename fails partway through several files, those
    already renamed are undone: the previous files (kept as hard links until
    every rename is done) are put back and new ones removed.

    Temporaries are named ``.<stem>.posebridge-tmp-<pid>-<hex><suffix>``; those
    that a killed process left beside a target are removed on the next write
    to it (:func:`posebridge._temporaries.stale_temporaries`). No write lock is taken
    here (only appends take turns, :func:`updated_in_place`): two saves of one set of
    files at once may leave a mix of the two sets. Before the rename, each temporary is
    flushed to disk (``fsync``) and an HDF5 one is opened and walked, so that a
    write cut short by a full disk or a file-size limit never replaces a
    complete file. A failure of the file system (disk full, file too large,
    permission denied) is a :class:`PoseBridgeError` naming the target and
    the cause.

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
    for path in paths:  # before the trailing separator of a str is lost
        refuse_folder_name(path)
    named = [Path(p) for p in paths]
    check_outputs(named, overwrite)
    targets = [_through_links(p) for p in named]
    seen: dict[str, Path] = {}
    for name, target in zip(named, targets, strict=True):
        # the folder through its links: `same/x.json` with `same -> .` is `x.json`
        key = os.path.normcase(os.path.join(os.path.realpath(target.parent), target.name))
        if key in seen:
            raise PoseBridgeError(
                f"{name}: two of the files to write are this one file ({seen[key]} and {name}); "
                "give each output its own name."
            )
        seen[key] = name
    by_folder: dict[Path, list[Path]] = {}
    for target in targets:
        by_folder.setdefault(target.parent, []).append(target)
    for folder_targets in by_folder.values():  # one listing per folder
        for stale in stale_in_folder(folder_targets):
            _remove(stale)
    remove_stale_locks(targets)  # a killed append's lock goes with its temporaries
    temporaries = [temporary_twin(p) for p in targets]
    backups: dict[Path, Path | None] = {}
    try:
        try:
            yield temporaries
        except PoseBridgeError as error:
            raise _renamed(error, temporaries, named) from error
        except Exception as raised:
            # a writer whose clean-up fails after a write error (matplotlib's PDF stream:
            # zlib.error, then AttributeError) raises that, the OSError in its context
            error = _failed_write(raised)
            if error is None:
                raise
            at = next((i for i, p in enumerate(temporaries) if p.exists()), 0)
            if failure_cause(error) is None:
                # PyTables' HDF5ExtError ("Problems creating the Array") says nothing of
                # a disk that filled up or the file-size limit: the file system tells
                limit = limit_cause(temporaries[at])
                if limit == INCOMPLETE:
                    raise
                raise PoseBridgeError(
                    f"{targets[at]}: could not be written: {limit} ({type(error).__name__}: "
                    f"{error}); the previous file, if any, is unchanged."
                ) from raised
            raise _write_error(error, targets[at]) from raised
        for temporary, target in zip(temporaries, targets, strict=True):
            if not target.parent.is_dir():
                raise PoseBridgeError(
                    f"{target}: could not be written: its folder {target.parent} was removed "
                    "(or replaced by a file) while the file was being written."
                )
            if not temporary.exists():
                raise PoseBridgeError(f"{target}: the writer produced no file.")
        of_hdf5 = _flushed(temporaries, targets)
        for temporary, target, hdf5 in zip(temporaries, targets, of_hdf5, strict=True):
            if hdf5:
                _verify_hdf5(temporary, target)
        if overwrite and len(targets) > 1:
            _backups(targets, backups)  # filled as made: Ctrl-C midway leaves none behind
        placed: list[Path] = []
        try:
            for temporary, target in zip(temporaries, targets, strict=True):
                _place(temporary, target, overwrite)
                placed.append(target)
        except BaseException as error:
            at = len(placed)  # placed already when Ctrl-C lands between rename and here
            if at < len(targets) and _is_placed(temporaries[at], targets[at]):
                placed.append(targets[at])
            _take_back(placed, backups, error)
            raise
    finally:
        _remove_all([*temporaries, *filter(None, backups.values())])


def _remove_all(paths: list[Path]) -> None:
    """Remove every path, even when Ctrl-C lands midway (raised again after the last): a
    YOLO tree's thousands of temporaries were left, and read back as frames."""
    interrupted: BaseException | None = None
    for path in paths:
        try:
            _remove(path)
        except KeyboardInterrupt as error:
            interrupted = error
            _remove(path)
    if interrupted is not None:
        raise interrupted


@contextmanager
def updated_in_place(
    path: Path, doing: str, stamp: tuple[int, int, int] | None = None
) -> Iterator[Path]:
    """A copy of ``path`` to change, put in its place when the block ends, all or nothing.

    The copy keeps the file's permissions. When another program changed or
    replaced the file meanwhile (two appends at once; ``stamp``, when given, is
    the version the caller read, else the one copied), the copy is not put in
    its place: :func:`refuse_changed`. posebridge's own writers of the file
    (threads or processes) take turns instead: the file's write lock
    (:func:`posebridge._write_locks.held_for_writing`) is held from the look at
    the file to the rename, so a second append waits, then appends to the file
    the first one made. A caller that reads the file before (and passes
    ``stamp``) takes the lock before reading.

    Examples
    --------
    >>> with updated_in_place(Path("session.nwb"), "appending to it") as copy:  # doctest: +SKIP
    ...     add_to(copy)
    """
    with held_for_writing([path]):  # read, changed and put back in one turn
        stamp = stamp or file_stamp(path)
        with atomic_outputs([path], overwrite=True) as (temporary,):
            shutil.copyfile(path, temporary)
            yield temporary
            shutil.copymode(path, temporary)
            refuse_changed(path, stamp, doing)


def _failed_write(error: BaseException) -> BaseException | None:
    """The OS-level failure behind ``error``: itself when it is an ``OSError`` or
    ``RuntimeError`` (h5py's), else the first ``OSError`` among the errors it was
    raised while handling (``__context__``); ``None`` when there is none."""
    if isinstance(error, OSError | RuntimeError):
        return error
    seen: set[int] = set()
    context = error.__context__
    while context is not None and id(context) not in seen:
        if isinstance(context, OSError):
            return context
        seen.add(id(context))
        context = context.__context__
    return None


def _is_placed(temporary: Path, target: Path) -> bool:
    """Whether the temporary is at its target already (a link to it, or renamed onto it)."""
    try:
        return os.path.samefile(temporary, target)
    except OSError:
        return not os.path.lexists(temporary) and os.path.lexists(target)


def _backups(targets: Sequence[Path], backups: dict[Path, Path | None]) -> None:
    """A hard link to each existing target, so that a failed set of renames can be undone.

    Replacing several files is one rename per file; a file-system fault after
    the first would leave some targets new and some old. The links (named as
    temporaries, so a killed process's are removed later) keep the previous
    files until every rename is done. A target that exists but cannot be
    linked (a file system without hard links) maps to ``None``: its rename
    cannot be undone. A target that does not exist is not in the mapping.
    ``backups`` is filled as the links are made (each is named in it before it
    is made), so that an interrupted call leaves none unknown.
    """
    for target in targets:
        try:
            if not stat.S_ISREG(os.stat(target).st_mode):
                backups[target] = None
                continue
        except builtins.FileNotFoundError:  # a new file: taking it back is removing it
            continue
        except OSError:
            backups[target] = None
            continue
        backup = temporary_twin(target)
        backups[target] = backup
        try:
            os.link(target, backup)
        except OSError:
            backups[target] = None


def _take_back(placed: list[Path], backups: dict[Path, Path | None], error: BaseException) -> None:
    """Undo the renames of a write of several files that failed partway.

    Each placed target gets its previous file back (from ``backups``) or, when
    it had none, is removed. A previous file that cannot be put back stays
    under its backup name, which the error's note gives (and which is then
    not removed).
    """
    for target in placed:
        if target not in backups:
            _remove(target)
            continue
        backup = backups[target]
        if backup is None:
            error.add_note(f"{target} was replaced before the failure and could not be put back.")
            continue
        try:
            os.replace(backup, target)
        except OSError:
            backups[target] = None  # kept: it is the only copy of the previous file
            error.add_note(f"The previous {target} could not be put back; it is at {backup}.")
