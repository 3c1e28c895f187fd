"""Where a writer may write: the output's name (its ending, not an extension alone) and
its folder (there, and not a file), checked before anything is read or written."""

from __future__ import annotations

from pathlib import Path

from posebridge import registry
from posebridge._files import refuse_long_names
from posebridge._output_paths import check_output_folder
from posebridge.errors import (
    FileExistsError,
    IsADirectoryError,
    PoseBridgeError,
    UnknownFormatError,
)

__all__ = ["already_exists", "check_ending", "check_target", "refuse_extension_only_name"]


def already_exists(target: Path) -> FileExistsError:
    """The refusal of an output file that exists (``overwrite`` not given).

    Examples
    --------
    >>> already_exists(Path("out.nwb")).errno
    17
    """
    return FileExistsError(
        17, f"{target}: already exists; pass overwrite=True to replace it.", str(target)
    )


def check_target(target: Path) -> None:
    """Refuse an output path that is a folder or lies in a missing folder.

    An existing file is refused by the writer (``atomic_outputs``), which
    knows the names it writes (one file per individual for some), or here
    first when the name's ending is wrong too.

    Examples
    --------
    >>> check_target(Path("."))
    Traceback (most recent call last):
    ...
    posebridge.errors.IsADirectoryError: .: is a folder; expected a file name.
    """
    refuse_long_names(target)
    if target.is_dir():
        raise IsADirectoryError(21, f"{target}: is a folder; expected a file name.", str(target))
    check_output_folder(target)  # missing, or a file where a folder should be


def refuse_extension_only_name(fmt_out: registry.Format, target: Path) -> None:
    """Refuse a target whose name is only an extension of its format (``.h5``, ``.nc``,
    ``.analysis.h5``): that names a hidden file, not the file the user meant.

    Parameters
    ----------
    fmt_out
        The writer's format.
    target
        The output file.

    Raises
    ------
    PoseBridgeError
        When ``target``'s name is one of ``fmt_out``'s extensions and nothing more.

    Examples
    --------
    >>> refuse_extension_only_name(registry.get("dlc"), Path("out.h5"))
    >>> refuse_extension_only_name(registry.get("dlc"), Path(".h5"))
    Traceback (most recent call last):
    ...
    posebridge.errors.PoseBridgeError: .h5: '.h5' names a hidden file with no extension; ...
    """
    name = target.name
    extension = fmt_out.matches_name(target)
    if extension is None or len(name) != len(extension):
        return
    what = (
        "names a hidden file with no extension"
        if not target.suffix
        else "is only an extension: it names a hidden file"
    )
    raise PoseBridgeError(f"{target}: '{name}' {what}; give a name such as out{name}.")


def check_ending(fmt: registry.Format, target: Path, asked: str | None = None) -> None:
    """Refuse a file name whose ending the format cannot have, naming the endings it takes.

    When ``asked`` is a family's name (``"SLEAP"``: analysis .h5 and .slp),
    the other members' endings are named too, as that name picks the member
    by the file's ending.

    Examples
    --------
    >>> check_ending(registry.get("sleap"), Path("poses.txt"))
    Traceback (most recent call last):
    ...
    posebridge.errors.UnknownFormatError: poses.txt: SLEAP files end in .analysis.h5 or .h5; ...
    """
    if fmt.extensions and not fmt.matches_name(target):
        found = repr(target.suffix) if target.suffix else "a name with no ending"
        message = f"{target}: {fmt.title} files end in {' or '.join(fmt.extensions)}"
        siblings = [
            f
            for f in registry.all_formats()
            if asked is not None
            and fmt.family
            and asked.strip().lower() == fmt.family.lower()
            and f.family == fmt.family
            and f is not fmt
            and f.writes
        ]
        for sibling in siblings:
            message += f" ({sibling.name}: {' or '.join(sibling.extensions)})"
        raise UnknownFormatError(f"{message}; got {found}.")
