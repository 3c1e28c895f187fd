"""One record per format, lookup by name, and detection of a file's format by content.

Each family package in :mod:`posebridge.formats` exposes ``FORMATS``, a tuple
of :class:`Format` records (defined in ``formats/_shared/record.py``, so that
families never import this module). Families keep heavy imports (pynwb, ...)
inside their functions, so that importing the registry stays cheap.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Sequence
from functools import cache
from pathlib import Path

from posebridge import errors
from posebridge._files import Peek, check_input
from posebridge.errors import IsADirectoryError, PoseBridgeError, UnknownFormatError
from posebridge.formats._shared.record import Format
from posebridge.formats._shared.text_bytes import first_bad_utf8, looks_utf16, not_utf8_message

__all__ = ["Format", "all_formats", "detect", "get", "resolve_for_writing"]

#: Format family packages under :mod:`posebridge.formats`, in the order used to
#: break ties when writing.
FAMILIES = (
    "dlc",
    "sleap",
    "anipose",
    "via",
    "nwb",
    "netcdf",
    "sleap_csv",
    "trex",
    "idtracker",
    "dannce",
    "coco",
    "yolo",
    "labelstudio",
)


#: The file endings each family's records claim (a test keeps this equal to the records),
#: so that detection imports the families a file's name points to before the others.
FAMILY_EXTENSIONS: dict[str, tuple[str, ...]] = {
    "dlc": (".h5", ".csv"),
    "sleap": (".analysis.h5", ".h5", ".pkg.slp", ".slp"),
    "anipose": (".csv",),
    "via": (".csv",),
    "nwb": (".nwb",),
    "netcdf": (".nc", ".netcdf"),
    "sleap_csv": (".analysis.csv", ".csv"),
    "trex": (".csv", ".npz"),
    "idtracker": (".csv", ".h5", ".npy"),
    "dannce": (".mat",),
    "coco": (".json",),
    "yolo": (".yaml", ".yml", ".txt"),
    "labelstudio": (".json",),
}


@cache
def family_formats(family: str) -> tuple[Format, ...]:
    """The records of one family (imported on first use).

    Raises
    ------
    ImportError
        When the family fails to import or exposes no ``FORMATS``: a broken
        family is a bug, never a silent absence.

    Examples
    --------
    >>> [f.name for f in family_formats("sleap")]
    ['sleap', 'slp']
    """
    module = importlib.import_module(f"posebridge.formats.{family}")
    records = getattr(module, "FORMATS", None)
    if not records or not all(isinstance(r, Format) for r in records):
        raise ImportError(f"posebridge.formats.{family} exposes no FORMATS records.")
    return tuple(records)


def siblings(fmt: Format) -> list[Format]:
    """The formats of ``fmt``'s family (``Format.family``), ``fmt`` included.

    A family may span packages (SLEAP: ``sleap`` and ``sleap_csv``), so every
    family is imported when ``fmt`` has one.

    Examples
    --------
    >>> [f.name for f in siblings(get("slp"))]
    ['sleap', 'slp', 'sleap-csv']
    """
    if not fmt.family:
        return [fmt]
    return [f for f in all_formats() if f.family == fmt.family]


@cache
def all_formats() -> tuple[Format, ...]:
    """Every known format, in registry order.

    Returns
    -------
    tuple of Format
        The records of all format families.

    Raises
    ------
    ImportError
        When a family listed in :data:`FAMILIES` fails to import or exposes no
        ``FORMATS``: a broken family is a bug, never a silent absence.

    Examples
    --------
    >>> from posebridge.registry import all_formats
    >>> "dlc" in [f.name for f in all_formats()]
    True
    """
    return tuple(fmt for family in FAMILIES for fmt in family_formats(family))


def _key(name: str) -> str:
    """``name`` as compared: case, ``_`` / ``-`` and white space (``"COCO keypoints"``,
    ``"coco-keypoints"``) set aside."""
    return "-".join(name.strip().lower().replace("_", "-").split())


def _is_called(fmt: Format, key: str) -> bool:
    """Whether ``fmt``'s name, title (movement's ``source_software`` name, or
    posebridge's for a format movement does not read) or an alias is ``key`` (a
    :func:`_key`)."""
    return key in {_key(fmt.name), _key(fmt.title), *map(_key, fmt.aliases)}


#: movement's ``source_software`` for a DeepLabCut-style .csv file (both tools write
#: that layout): read by the DeepLabCut reader, which reads both tools' layouts (as
#: ``load_dataset`` does); refused for writing, where it names two layouts.
DLC_OR_LP = "DeepLabCut/LightningPose"


def refuse_ambiguous_writer(name: str) -> None:
    """Refuse a format name that names two writers (:data:`DLC_OR_LP`).

    Raises
    ------
    UnknownFormatError
        When ``name`` is :data:`DLC_OR_LP`, naming the two formats to choose from.

    Examples
    --------
    >>> refuse_ambiguous_writer("dlc")
    """
    if isinstance(name, str) and _key(name) == _key(DLC_OR_LP):
        raise UnknownFormatError(
            f"{name!r} names two ways of writing: choose 'dlc' (DeepLabCut's layout) or "
            "'lp' (LightningPose's)."
        )


def get(name: str) -> Format:
    """The format called ``name`` (short name, title or alias, case-insensitive).

    Every format's title (:func:`posebridge.list_formats`, the ``source_software``
    names of :func:`posebridge.io.load.get_supported_source_software`) is a name of
    it; movement's ``"DeepLabCut/LightningPose"`` is the DeepLabCut format, whose
    reader reads both layouts (writing refuses it: :func:`refuse_ambiguous_writer`).

    Parameters
    ----------
    name
        E.g. ``"dlc"``, ``"DeepLabCut"``, ``"slp"``, ``"VIA-tracks"``,
        ``"COCO keypoints"``.

    Returns
    -------
    Format
        The format's record.

    Raises
    ------
    TypeError
        When ``name`` is not a str (also a built-in ``TypeError``).
    UnknownFormatError
        When no format has that name; the message lists the names.

    Examples
    --------
    >>> from posebridge.registry import get
    >>> get("DeepLabCut").name
    'dlc'
    """
    if not isinstance(name, str):
        raise errors.TypeError(f"Expected a format name (str), got {type(name).__name__}.")
    wanted = _key(name)
    if wanted == _key(DLC_OR_LP):
        wanted = "dlc"
    for family in FAMILIES:  # imported one by one until the name is found
        for fmt in family_formats(family):
            if _is_called(fmt, wanted):
                return fmt
    for fmt in all_formats():  # a format added to all_formats (tests, plugins)
        if _is_called(fmt, wanted):
            return fmt
    known = ", ".join(f.name for f in all_formats())
    raise UnknownFormatError(f"Unknown format {name!r}. Known formats: {known}.")


def _sniff(fmt: Format, peek: Peek) -> bool:
    try:
        return bool(fmt.sniff(peek))
    except Exception:  # a sniffer says no to what it cannot parse
        return False


def _named(path: Path) -> list[Format]:
    """The formats that claim ``path``'s ending, importing only their families."""
    lower = path.name.lower()
    families = [
        family for family in FAMILIES if any(lower.endswith(e) for e in FAMILY_EXTENSIONS[family])
    ]
    return [f for family in families for f in family_formats(family) if f.matches_name(path)]


def _detect(peek: Peek) -> Format:
    by_name = _named(peek.path)
    tried: list[str] = []
    for index in range(2):
        # the formats the name points to; only when none claims the content, all others
        group = by_name if index == 0 else [f for f in all_formats() if f not in by_name]
        hits = [f for f in group if _sniff(f, peek)]
        tried.extend(f.name for f in group)
        if hits:
            best = max(f.specificity for f in hits)
            top = [f for f in hits if f.specificity == best]
            if len(top) > 1:
                raise UnknownFormatError(
                    f"{peek.path}: the content fits several formats "
                    f"({', '.join(f.name for f in top)}); pass format= to choose."
                )
            return top[0]
    damage = _damage_hint(peek)
    if damage:
        raise UnknownFormatError(f"{peek.path}: {damage}")
    hint = _not_utf8_hint(peek)
    raise UnknownFormatError(
        f"{peek.path}: could not recognise the format from the file's content "
        f"(tried {', '.join(tried)}). "
        + (
            f"Its text is not UTF-8, which may be why: {hint}"
            if hint
            else "Pass format= if you know it; `posebridge formats` lists what is supported."
        )
    )


def _damage_hint(peek: Peek) -> str | None:
    """What an unrecognised file evidently is when it is empty, damaged or compressed."""
    if not peek.head:
        return "is empty (0 bytes); it may be an interrupted download or copy."
    if peek.is_hdf5 and peek.h5 is None:
        import h5py

        try:
            h5py.File(peek.path, "r").close()
        except Exception as error:  # h5py raises several kinds
            return (
                f"is an HDF5 file (the container of .h5, .slp, .nwb and .nc files) that cannot "
                f"be opened ({error}); is it truncated or damaged (an interrupted download "
                "or copy)?"
            )
    if peek.head.startswith(b"PK\x03\x04"):
        import zipfile

        try:
            zipfile.ZipFile(peek.path).close()
        except Exception as error:  # a damaged directory raises many kinds
            return (
                f"is a zip archive (the container of .npz files) that cannot be opened ({error}); "
                "is it truncated or damaged?"
            )
    if peek.head.startswith(b"\x1f\x8b"):
        return "is gzip-compressed: decompress it first (gunzip), then read the file inside."
    return None


#: Endings of tables a spreadsheet saves: their refusals name Excel's ways of saving.
_SPREADSHEET_ENDINGS = (".csv", ".tsv")
#: Control characters that text does not hold (tab, line ends, form feed and Ctrl-Z it may).
_NOT_TEXT = re.compile("[\x00-\x08\x0b\x0e-\x19\x1b-\x1f\x7f]")


def _not_utf8_hint(peek: Peek) -> str | None:
    """Where and how the head of an unrecognised file is text that is not UTF-8, or ``None``.

    UTF-16 text (with or without a byte-order mark) and text in an 8-bit
    encoding (Latin-1/cp1252: a byte that is not UTF-8) are named as
    :func:`~posebridge.formats._shared.text_bytes.not_utf8_message` does: the line and byte, the
    encoding it looks like, and how to save it as UTF-8, in a spreadsheet's
    words for a ``.csv`` file and a text editor's for any other. UTF-8 text
    and binary files (control bytes that text does not hold, once decoded)
    give ``None``.
    """
    if peek.text is not None:
        return None  # UTF-8 text (or nothing): not an encoding problem
    text = peek.loose_text  # UTF-16 decoded as such, other bytes as Latin-1; None: binary
    if not text or _NOT_TEXT.search(text, 0, 1 << 16):
        return None
    spreadsheet = peek.path.name.lower().endswith(_SPREADSHEET_ENDINGS)
    if looks_utf16(peek.head):
        return not_utf8_message(peek.head[: 1 << 16], spreadsheet=spreadsheet)
    at = first_bad_utf8(peek.head)
    if at is None or at >= Peek.HEAD_BYTES - 3:  # none, or a character cut by the head's end
        return None
    return not_utf8_message(peek.head, at, spreadsheet=spreadsheet)


def _detect_folder(path: Path) -> Format:
    """The format of a folder input, from the formats that read folders."""
    readers = [f for f in all_formats() if f.sniff_folder is not None]
    hits = []
    for fmt in readers:
        try:
            if fmt.sniff_folder(path):  # type: ignore[misc]
                hits.append(fmt)
        except Exception:  # a sniffer says no to what it cannot parse
            continue
    if len(hits) == 1:
        return hits[0]
    names = ", ".join(f.name for f in readers)
    if hits:
        raise UnknownFormatError(
            f"{path}: the folder fits several formats ({', '.join(f.name for f in hits)}); "
            "pass format= to choose."
        )
    readable = _readable_files(path)
    advice = "Pass a file instead"
    if readable:
        which = "it" if len(readable) == 1 else "one of them"
        advice = f"Of its files, {', '.join(readable)} can be read: pass {which} instead"
    raise IsADirectoryError(
        21,
        f"{path}: is a folder, and none of the formats that read folders ({names}) "
        f"recognised its files ({_some_files(path)}). {advice}, or format= if you know it.",
        str(path),
    )


def _readable_files(folder: Path, looked_at: int = 20, shown: int = 3) -> list[str]:
    """The folder's own files whose content a format recognises, for a message.

    Only the first ``looked_at`` files (by name) are sniffed, so a folder of
    thousands costs no more than a few peeks: ``["data.yaml (yolo)"]``, or
    ``[]`` when none of them is recognised.
    """
    try:
        files = sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith("."))
    except OSError:
        return []
    found: list[str] = []
    for file in files[:looked_at]:
        try:
            with Peek(file) as peek:
                found.append(f"{file.name} ({_detect(peek).name})")
        except (PoseBridgeError, OSError):
            continue  # unrecognised or unreadable: not a file to suggest
        if len(found) == shown:
            break
    return found


def _some_files(folder: Path, shown: int = 3) -> str:
    """What a folder holds, for a message: ``"2 files: a.txt, b.dat"``, ``"no files"``."""
    try:
        names = sorted(p.name for p in folder.iterdir() if not p.name.startswith("."))
    except OSError as error:
        return f"its listing failed: {error.strerror or error}"
    if not names:
        return "it is empty"
    listed = ", ".join(names[:shown]) + (", ..." if len(names) > shown else "")
    return f"it holds {len(names)}: {listed}"


def detect(path: str | Path) -> str:
    """Find a file's format from its content.

    The formats that claim the file's extension are asked first, then all
    others (a misnamed file is still found). The file is opened once: every
    format's sniffer gets the same :class:`~posebridge._files.Peek`.

    Parameters
    ----------
    path
        The file to look at.

    Returns
    -------
    str
        The format's short name.

    Raises
    ------
    UnknownFormatError
        When no format, or more than one equally specific format, claims the
        content; the message lists what was tried.

    Examples
    --------
    >>> from posebridge import detect
    >>> detect("CollectedData_me.h5")  # doctest: +SKIP
    'dlc'
    """
    path = check_input(path, folder=True)
    if path.is_dir():
        return _detect_folder(path).name
    with Peek(path) as peek:
        return _detect(peek).name


def resolve_for_reading(path: Path, name: str | None) -> Format:
    """The format to read ``path`` with, given an optional format name.

    An explicit name whose family has a sibling that claims the content (SLEAP:
    analysis .h5 and .slp) hands over to the sibling. A folder goes to the
    formats that read folders (``sniff_folder``).
    """
    if path.is_dir():
        if name is None:
            return _detect_folder(path)
        fmt = get(name)
        if fmt.sniff_folder is None:
            raise IsADirectoryError(
                21,
                f"{path}: is a folder; posebridge reads {fmt.title} from a file, not a folder.",
                str(path),
            )
        return fmt
    with Peek(path) as peek:
        if name is None:
            return _detect(peek)
        fmt = get(name)
        if fmt.family and not _sniff(fmt, peek):
            for sibling in siblings(fmt):
                if sibling is not fmt and _sniff(sibling, peek):
                    return sibling
        return fmt


def resolve_for_writing(path: Path, name: str | None, ds_type: str) -> Format:
    """The format to write ``path`` with, from a name or the file name.

    Parameters
    ----------
    path
        The output file.
    name
        A format name, or ``None`` to choose by the file name's ending.
    ds_type
        ``poses`` or ``bboxes``: only formats that hold that kind are chosen.

    Returns
    -------
    Format
        A format that can write.

    Raises
    ------
    UnknownFormatError
        When nothing fits, naming what would.
    """
    if name is not None:
        refuse_ambiguous_writer(name)
        fmt = get(name)
        # the family's own name (movement's "SLEAP") covers its members, so the file
        # name picks one; a member's name ("slp", "sleap-analysis") is taken as asked
        if fmt.family and _key(name) == _key(fmt.family) and not fmt.matches_name(path):
            for sibling in siblings(fmt):
                if sibling.writes and ds_type in sibling.kinds and sibling.matches_name(path):
                    return sibling
        if not fmt.writes:
            raise UnknownFormatError(f"posebridge cannot write {fmt.title} files.")
        if ds_type not in fmt.kinds:
            holding = [f for f in all_formats() if f.writes and ds_type in f.kinds]
            endings = sorted({ext for f in holding for ext in f.extensions})
            raise UnknownFormatError(
                f"{path}: {fmt.title} files hold {' and '.join(fmt.kinds)}, not {ds_type}; "
                f"write {ds_type} to one of {', '.join(endings)}."
            )
        return fmt
    # the formats the name points to (only their families are imported), else every
    # format (a test or a plugin may have added one to all_formats)
    chosen = _writer_by_ending(_named(path), path, ds_type) or _writer_by_ending(
        all_formats(), path, ds_type
    )
    if chosen is not None:
        return chosen
    candidates = [f for f in all_formats() if f.writes and ds_type in f.kinds]
    endings = sorted({ext for f in candidates for ext in f.extensions})
    named = [f for f in all_formats() if f.writes and f.matches_name(path)]
    if named:  # the name is a format's, one that does not hold this kind of data
        titles = " / ".join(dict.fromkeys(f.title for f in named))
        kinds = " and ".join(dict.fromkeys(k for f in named for k in f.kinds))
        raise UnknownFormatError(
            f"{path}: {titles} files hold {kinds}, not {ds_type}; write {ds_type} to one "
            f"of {', '.join(endings)}."
        )
    raise UnknownFormatError(
        f"{path}: cannot tell the output format from the file name; use one of "
        f"{', '.join(endings)} or pass format=."
    )


def _writer_by_ending(formats: Sequence[Format], path: Path, ds_type: str) -> Format | None:
    """The writer of ``ds_type`` among ``formats`` whose longest ending ``path`` has
    (ties: the first in registry order), or ``None``."""
    candidates = [f for f in formats if f.writes and ds_type in f.kinds]
    scored = [(len(ext), -i, f) for i, f in enumerate(candidates) if (ext := f.matches_name(path))]
    return max(scored, key=lambda item: item[:2])[2] if scored else None


def own_ending(fmt: Format, kind: str) -> str:
    """The shortest of ``fmt``'s endings that chooses ``fmt`` when writing ``kind`` by file
    name (``.slp`` rather than ``.pkg.slp``; ``.analysis.h5``, since ``.h5`` is
    DeepLabCut's), else its first ending.

    Examples
    --------
    >>> own_ending(get("sleap"), "poses")
    '.analysis.h5'
    """
    own = []
    for ending in fmt.extensions:
        try:
            chosen = resolve_for_writing(Path(f"x{ending}"), None, kind)
        except PoseBridgeError:
            continue
        if chosen.name == fmt.name:
            own.append(ending)
    return min(own, key=len) if own else fmt.extensions[0]
