"""A batch manifest: its rows (CSV or YAML), read and checked before any job is planned.

A row names an input, optionally its output, and the session's metadata
(:data:`METADATA_COLUMNS`); :func:`read_manifest` gives the rows,
:func:`manifest_rows` each with where it stands in the file, for messages.
"""

from __future__ import annotations

import csv
import difflib
import io
import os
import re
import unicodedata
import warnings
from datetime import date, datetime
from pathlib import Path
from typing import Any

from posebridge import model
from posebridge.errors import PoseBridgeError, SchemaError, brief, user_stacklevel
from posebridge.formats._shared.text_bytes import not_utf8_message, text_end

__all__ = ["METADATA_COLUMNS", "manifest_rows", "read_manifest"]

PathLike = str | os.PathLike[str]

#: Manifest columns that describe a session (everything else but input/output is an error).
METADATA_COLUMNS = (
    "subject_id",
    "session_id",
    "species",
    "sex",
    "age",
    "session_start_time",
    "video",
    "fps",
)


def read_manifest(path: PathLike) -> list[dict[str, Any]]:
    """The rows of a batch manifest (CSV or YAML).

    A row has ``input`` (relative paths are relative to the manifest's folder),
    optionally ``output`` (relative to the output folder, and :func:`plan_jobs`
    refuses one that leads out of it; without an output folder, relative to
    the input's folder) and the session's metadata: ``subject_id``,
    ``session_id``, ``species``, ``sex``, ``age``, ``session_start_time``
    (ISO 8601), ``video`` and ``fps``. A YAML manifest is a list of such
    mappings, or a mapping with a ``sessions`` list whose other keys of session
    metadata holding one value are defaults for every session (a session's own
    value wins; its empty value, ``species: ""``, means none for that session);
    other keys are left alone (anchors, notes), ``input`` and ``output`` refused.

    Parameters
    ----------
    path
        The ``.csv``, ``.yaml`` or ``.yml`` file.

    Returns
    -------
    list of dict
        One dict per row, empty cells left out. Rows with nothing in them are
        skipped: blank lines and rows of empty cells (``,,,`` as a spreadsheet
        writes a blank row) in a CSV, ``null`` entries and mappings whose
        values are all empty (``- input:``) in a YAML manifest.

    Examples
    --------
    >>> read_manifest("sessions.csv")  # doctest: +SKIP
    [{'input': '/data/m1.h5', 'subject_id': 'M1', 'session_id': '1'}]
    """
    return [row for row, _ in manifest_rows(Path(path))]


def manifest_rows(path: Path) -> list[tuple[dict[str, Any], str]]:
    """The rows of a manifest (see :func:`read_manifest`), each with where it is.

    Where: ``"line N"`` of a CSV manifest, ``"session N"`` of a YAML one
    (counting the skipped empty entries too, so N is the entry's position).
    """
    if not path.is_file():
        raise PoseBridgeError(f"{path}: no such manifest file.")
    data = path.read_bytes()
    # NUL bytes at the end are refused; an old DOS end-of-file marker (Ctrl-Z) is left out
    data = data[: len(data) - text_end(path, data[: 1 << 16], data[-4096:])]
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:  # UTF-16 ("Unicode Text") or cp1252 ("CSV") from Excel
        raise PoseBridgeError(f"{path}: {not_utf8_message(data)}") from None
    text = text.replace("\r\n", "\n").replace("\r", "\n")  # as read_text: any line ends
    if path.suffix.lower() in (".yaml", ".yml"):
        import yaml

        try:
            loaded = yaml.load(text, Loader=_plain_text_loader())  # a SafeLoader subclass
        except _KeyGivenTwice as twice:  # YAML keeps the last value: the first would be lost
            raise PoseBridgeError(
                f"{path} (line {twice.line}): the key {twice.key!r} appears twice in one "
                f"mapping (first on line {twice.first_line}); give each once."
            ) from None
        except (yaml.YAMLError, ValueError) as error:  # ValueError: a date such as 2024-13-01
            raise PoseBridgeError(f"{path}: not valid YAML ({error}).") from error
        except RecursionError:  # PyYAML recurses once per level of nesting
            raise PoseBridgeError(
                f"{path}: nests lists or mappings too deeply to be a manifest."
            ) from None
        defaults: dict[str, Any] = {}
        if isinstance(loaded, dict) and "sessions" in loaded:
            defaults = _session_defaults(path, loaded)
            loaded = loaded["sessions"]
        if not isinstance(loaded, list) or not all(isinstance(r, dict | None) for r in loaded):
            raise PoseBridgeError(
                f"{path}: expected a list of sessions (mappings with 'input', ...), "
                f"found {type(loaded).__name__}."
            )
        rows, lines = [], []
        for number, entry in enumerate(loaded, start=1):
            given = {str(k): _stripped(v) for k, v in (entry or {}).items()}
            # the session's own values first; its empty value (species: "") means none
            row = {k: v for k, v in {**defaults, **given}.items() if v not in (None, "")}
            if any(v not in (None, "") for v in given.values()):  # else an empty row: skipped
                rows.append(row)
                lines.append(f"session {number}")
    elif path.suffix.lower() == ".csv":
        reader = csv.DictReader(io.StringIO(text))
        names = [name.strip() for name in reader.fieldnames or ()]
        _check_header(path, text, names)
        twice = sorted({name for name in names if name and names.count(name) > 1})
        if twice:  # DictReader keeps the last of two cells: the first would be lost
            raise PoseBridgeError(
                f"{path} (line 1): the column(s) {twice} appear twice; give each once."
            )
        if "" in names:
            _refuse_values_without_a_column(path, text, names)
        rows, lines = [], []
        for record in reader:
            cells = [v for k, v in record.items() if k is not None] + (record.get(None) or [])
            if not any(c.strip() for c in cells if c is not None):
                continue  # a row of empty cells (a spreadsheet's blank row), as a blank line
            # a short row would shift every later value into the wrong column (a
            # subject's id into session_id), extra cells would be dropped: refused
            if None in record or None in record.values():
                width = len(reader.fieldnames or ())
                cells = width + len(record.get(None) or ()) - list(record.values()).count(None)
                hint = "; write an empty value as an empty cell" * (cells < width)
                raise PoseBridgeError(
                    f"{path} (line {reader.line_num}): {cells} cell{'s' * (cells != 1)} where "
                    f"the header has {width} ({', '.join(reader.fieldnames or ())}){hint}."
                )
            rows.append({k.strip(): v.strip() for k, v in record.items() if k and v.strip()})
            lines.append(f"line {reader.line_num}")
    else:
        raise PoseBridgeError(f"{path}: a manifest is a .csv, .yaml or .yml file.")
    allowed = {"input", "output", *METADATA_COLUMNS}
    csv_file = path.suffix.lower() == ".csv"
    for row, where in zip(rows, lines, strict=True):
        unknown = set(row) - allowed
        if unknown:
            raise PoseBridgeError(
                f"{path} ({'line 1, the header' if csv_file else where}): unknown "
                f"column(s) {sorted(unknown)}"
                + (f" (with values on {where})" if csv_file else "")
                + f"; a manifest has: {', '.join(_COLUMNS)}."
            )
        if "input" not in row:
            empty = " (its input cell is empty)" if csv_file else ""
            raise PoseBridgeError(f"{path} ({where}): no 'input'{empty}.")
        _check_values(row, f"{path} ({where})")
        for key in ("input", "video"):  # relative to the manifest's folder
            if key in row:
                given = Path(str(row[key]))
                row[key] = str(given if given.is_absolute() else path.parent / given)
    return list(zip(rows, lines, strict=True))


def _session_defaults(path: Path, loaded: dict[Any, Any]) -> dict[str, Any]:
    """The values a ``{sessions: [...]}`` manifest gives beside ``sessions``: defaults
    for every session (a session's own value wins, its empty value unsets it).

    A key of session metadata (:data:`METADATA_COLUMNS`) holding one value is a
    default, checked here so that a bad one is refused naming the key. A key
    holding a mapping or a list (``common: &c {...}``), whatever its name, holds
    values for the sessions' merges (``<<: *c``) and is no default; under a
    metadata name that is said in a warning. ``input`` and ``output`` belong in
    each session and are refused. Any other key (a scalar anchor holder,
    ``species_name: &sp Mus musculus``, or a note, ``description: ...``) is left
    alone; one that looks like a misspelt metadata name (``speciess``) is warned
    about.
    """
    defaults: dict[str, Any] = {}
    for key, value in loaded.items():
        value, name = _stripped(value), str(key)
        if key == "sessions" or value in (None, ""):
            continue
        if name in ("input", "output"):
            raise PoseBridgeError(
                f"{path}: the key {name!r} beside 'sessions' would be every session's "
                f"{name}; give each session its own {name} (the keys beside 'sessions' that "
                f"are defaults for every session are: {', '.join(METADATA_COLUMNS)})."
            )
        if isinstance(value, dict | list):
            if name in METADATA_COLUMNS:
                warnings.warn(
                    f"{path}: the key {name!r} beside 'sessions' holds a "
                    f"{'mapping' if isinstance(value, dict) else 'list'}, so it only holds "
                    f"values for merges (<<: *anchor) and is no {name} for the sessions; "
                    "write one value to give every session that value.",
                    UserWarning,
                    stacklevel=user_stacklevel(),
                )
        elif name in METADATA_COLUMNS:
            defaults[name] = value
        else:
            close = difflib.get_close_matches(name.lower(), METADATA_COLUMNS, n=1, cutoff=0.8)
            if close:
                warnings.warn(
                    f"{path}: the key {name!r} beside 'sessions' is no session metadata, so "
                    f"it is no default for the sessions and is left alone; did you mean "
                    f"{close[0]!r}?",
                    UserWarning,
                    stacklevel=user_stacklevel(),
                )
    _check_values(defaults, f"{path} (beside 'sessions')")
    return defaults


#: Every column a manifest may have, as messages list them.
_COLUMNS = ("input", "output", *METADATA_COLUMNS)


def _check_header(path: Path, text: str, names: list[str]) -> None:
    """Refuse a CSV manifest whose header (line 1) cannot be read as its columns: Excel's
    ``sep=`` line before it, cells separated by ``;`` or tabs (Excel's CSV in many
    locales) instead of commas, or no ``input`` column."""
    first = text.split("\n", 1)[0].strip()
    if first.lower().startswith("sep="):
        raise PoseBridgeError(
            f"{path} (line 1): {first!r} is Excel's line naming the separator, not the "
            f"header; remove it, so that line 1 is the header ({', '.join(_COLUMNS[:3])}, "
            "...), with cells separated by commas."
        )
    if not names or (len(names) == 1 and not names[0]):
        return  # no header: no rows either
    allowed = {"input", "output", *METADATA_COLUMNS}
    for separator, said in ((";", "';'"), ("\t", "tabs")):
        if any(separator in name for name in names if name not in allowed):
            raise PoseBridgeError(
                f"{path} (line 1): the header {first!r} separates its cells with {said}, "
                "not commas (as Excel saves CSV in some languages); a manifest's cells are "
                "separated by commas: save it as 'CSV UTF-8 (Comma delimited)', or write "
                "the manifest as YAML."
            )
    if "input" not in names:
        lower = {name.lower(): name for name in names}
        close = difflib.get_close_matches("input", list(lower), n=1, cutoff=0.8)
        hint = f" (is {lower[close[0]]!r} meant?)" if close else ""
        raise PoseBridgeError(
            f"{path} (line 1): the header ({', '.join(names)}) has no 'input' column{hint}; "
            f"a manifest's header names its columns: {', '.join(_COLUMNS)}, 'input' first "
            "or anywhere, one input file per row."
        )


def _refuse_values_without_a_column(path: Path, text: str, names: list[str]) -> None:
    """Refuse a CSV manifest value under a header cell that is empty.

    Its column has no name, so the value would belong to nothing and be left
    out without a word; a column of empty cells (a spreadsheet's trailing
    comma) is fine.
    """
    empty = [at for at, name in enumerate(names) if not name]
    rows = csv.reader(io.StringIO(text))
    next(rows, None)  # the header
    for cells in rows:
        given = [at for at in empty if at < len(cells) and cells[at].strip()]
        if given:
            at = given[0]
            raise PoseBridgeError(
                f"{path} (line {rows.line_num}): the value {cells[at].strip()!r} is in column "
                f"{at + 1}, whose header cell is empty; name the column (a manifest has: "
                f"{', '.join(['input', 'output', *METADATA_COLUMNS])}) or remove the value."
            )


class _KeyGivenTwice(Exception):
    """A key written twice in one YAML mapping (PyYAML would keep the last value)."""

    def __init__(self, key: Any, first_line: int, line: int) -> None:
        super().__init__(key)
        self.key, self.first_line, self.line = key, first_line, line


def _plain_text_loader() -> type:
    """PyYAML's safe loader with its plain scalars kept as the text written, refusing
    a key written twice in one mapping.

    YAML 1.1 reads ``010`` as 8 (octal), ``007`` as 7, ``1.50`` as 1.5, ``0x1F``
    as 31 and ``yes`` as true: a subject or session id would change without a
    word (and with it the DANDI file name). Only ``null`` (``~``, an empty
    value) and the merge key ``<<`` keep their meaning; quoted and tagged
    (``!!int``) values are read as before. A key given twice in one mapping
    raises :class:`_KeyGivenTwice` (PyYAML keeps the last value without a
    word); keys brought in by a merge (``<<``) may be given again, as YAML
    means them to be.
    """
    import yaml

    kept = {"tag:yaml.org,2002:null", "tag:yaml.org,2002:merge"}

    class PlainTextLoader(yaml.SafeLoader):
        """Plain scalars are text (see :func:`_plain_text_loader`)."""

        def construct_mapping(self, node: Any, deep: bool = False) -> Any:
            seen: dict[Any, int] = {}
            if isinstance(node, yaml.MappingNode):
                for key_node, _ in node.value:
                    if key_node.tag == "tag:yaml.org,2002:merge":
                        continue
                    key = self.construct_object(key_node, deep=deep)
                    line = key_node.start_mark.line + 1
                    try:
                        if key in seen:
                            raise _KeyGivenTwice(key, seen[key], line)
                        seen[key] = line
                    except TypeError:
                        continue  # an unhashable key: the constructor says so
            return super().construct_mapping(node, deep=deep)

    PlainTextLoader.yaml_implicit_resolvers = {
        first: [(tag, pattern) for tag, pattern in resolvers if tag in kept]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }
    return PlainTextLoader


def _stripped(value: Any) -> Any:
    """A YAML value as a CSV cell is read: text without the whitespace around it (a
    ``|`` block's last newline, ``" M2 "``'s spaces); other values as they are."""
    return value.strip() if isinstance(value, str) else value


#: Columns naming files that exist (or not): their text is taken as it is.
_PATH_COLUMNS = ("input", "video")


def _check_values(row: dict[str, Any], where: str) -> None:
    """Make a manifest row's values what the jobs expect, or refuse the row naming it.

    Every column holds one value: text (numbers written as text, as a CSV holds
    them) without control characters (a newline, a tab) but in ``input`` and
    ``video``, ``session_start_time`` ISO 8601 text (a YAML date or timestamp is
    written so), ``fps`` a positive number.
    """
    for key, value in row.items():
        if isinstance(value, date):  # YAML's own dates and timestamps
            value = value.isoformat()
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            hint = " (YAML reads yes/no/on/off as true/false: quote it)" * isinstance(value, bool)
            raise PoseBridgeError(
                f"{where}: {key!r} must be one value, found {type(value).__name__} {brief(value)}"
                f"{hint}."
            )
        row[key] = str(value)
        control = [c for c in row[key] if unicodedata.category(c) == "Cc"]
        if control and key not in _PATH_COLUMNS:  # a newline or tab in a file name, an id
            raise PoseBridgeError(
                f"{where}: {key!r} {row[key]!r} holds the control character "
                f"{control[0]!r}; write the value on one line, without tabs or other "
                "control characters."
            )
    if "fps" in row:
        try:
            row["fps"] = model.checked_fps(row["fps"])
        except SchemaError:
            raise PoseBridgeError(
                f"{where}: 'fps' must be a positive number, found {row['fps']!r}."
            ) from None
    if "session_start_time" in row:
        text = row["session_start_time"]
        try:
            start = datetime.fromisoformat(text)
        except ValueError:
            raise PoseBridgeError(
                f"{where}: 'session_start_time' {text!r} is not ISO 8601 "
                "(e.g. 2024-05-01T09:30:00+01:00)."
            ) from None
        fraction = _SECONDS_FRACTION.search(text)
        if fraction and fraction["digits"][6:].strip("0"):
            raise PoseBridgeError(
                f"{where}: 'session_start_time' {text!r} gives the seconds to "
                f"{len(fraction['digits'])} decimal places; NWB keeps microseconds (6), so "
                "it would be cut: give it to 6 decimal places at most."
            )
        problem = _local_time_problem(start)
        if problem:
            raise PoseBridgeError(
                f"{where}: 'session_start_time' {text!r} has no time zone, so it is taken as "
                f"this machine's local time, in which it {problem}; give it a time zone "
                "(e.g. 2024-05-01T09:30:00+01:00)."
            )


#: The fraction of a second of an ISO 8601 time (``09:30:00.1234567``, ``093000,5``).
_SECONDS_FRACTION = re.compile(r"\d{2}:?\d{2}:?\d{2}[.,](?P<digits>\d+)")


def _local_time_problem(start: datetime) -> str:
    """Why a ``session_start_time`` without a time zone is no one local time (``""`` when
    it is, or when it has a zone): a wall-clock time the clocks skip (the hour lost when
    daylight saving time starts) or pass twice (the hour when it ends), or one too near
    the first or last day datetime holds to be moved by a time zone."""
    if start.tzinfo is not None and start.utcoffset() is not None:
        return ""
    wall = start.replace(fold=0)
    try:
        earlier, later = (wall.replace(fold=fold).astimezone() for fold in (0, 1))
    except (ValueError, OverflowError):  # within a day of the ends of the years 1 to 9999
        return (
            "cannot be placed: it lies too near the first or last day (years 1 to 9999) "
            "dates can hold"
        )
    if earlier.replace(tzinfo=None) != wall or later.replace(tzinfo=None, fold=0) != wall:
        return "does not exist (the clocks skip it, as when daylight saving time starts)"
    if earlier.utcoffset() != later.utcoffset():
        return (
            f"occurs twice (at {earlier.isoformat()} and {later.isoformat()}, as when daylight "
            "saving time ends)"
        )
    return ""
