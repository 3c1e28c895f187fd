"""The VIA tracks table: its header, its rows, and its JSON cells parsed column-wise.

A VIA tracks file has 7 columns, three of them JSON objects per row. Parsing
them one ``json.loads`` per row is slow for large files, so a column of flat
objects (``{"track": 2, "confidence": 0.9}``) is parsed in one pass: the cells
are joined, checked to be flat JSON objects with the same keys in the same
order (a row may stop early: trailing keys missing), and read as a CSV table
by pandas' C parser. Any column that does not pass those checks is parsed with
one ``json.loads`` of the whole column, and only a broken cell is looked for
row by row, to name its line.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import re
from pathlib import Path

import numpy as np
import pandas as pd

from posebridge._recorded_warnings import dropping_warnings
from posebridge.errors import FormatError, with_command_line_wording
from posebridge.formats._shared import csv_rows
from posebridge.formats._shared.text_bytes import DOUBLED_LINE_END, not_utf8_error, text_size

HEADER = (
    "filename",
    "file_size",
    "file_attributes",
    "region_count",
    "region_id",
    "region_shape_attributes",
    "region_attributes",
)
HEADER_LINE = ",".join(HEADER)
#: What the format is called in messages.
TITLE = "VIA tracks CSV"
_TO_CSV = str.maketrans({":": ",", "{": None, "}": None})
#: Text that the one-pass parser leaves to json: nesting, escapes, tabs, spaces
#: before a delimiter, and the strings "" and "null" (read as missing by pandas).
_NOT_FLAT = ("[", "]", "\\", "\r", "\t", " ,", " :", " }", '""', '"null"')


def is_header_line(line: str) -> bool:
    """Whether ``line`` is the VIA tracks header (maybe after ``#``), its cells parsed as
    CSV: quoted cells (R's ``write.csv``) are the same header, as pandas reads them.

    Examples
    --------
    >>> is_header_line(",".join(f'"{cell}"' for cell in HEADER))
    True
    """
    if line in (HEADER_LINE, "#" + HEADER_LINE):
        return True
    cells = next(csv.reader([line]), [])
    return bool(cells) and (cells[0].removeprefix("#"), *cells[1:]) == HEADER


def other_delimiter(line: str) -> str | None:
    """The delimiter, ``;`` or a tab, of a header line that is the VIA tracks header so
    delimited (a spreadsheet's export), else ``None``.

    Examples
    --------
    >>> other_delimiter(HEADER_LINE.replace(",", ";"))
    ';'
    >>> other_delimiter(HEADER_LINE) is None
    True
    """
    return csv_rows.other_delimiter(
        line, lambda cells: (cells[0].removeprefix("#"), *cells[1:]) == HEADER
    )


def first_line(path: Path) -> str:
    """The first line of ``path`` (without BOM and line end)."""
    with open(path, "rb") as handle:
        raw = handle.readline(4096)
    return raw.decode("utf-8-sig").rstrip("\r\n")


def _text_bytes(path: Path, size: int, doubled: bool = False) -> bytes:
    """The file's first ``size`` bytes: its text, without an end-of-file marker; with
    ``doubled``, its ``\\r\\r\\n`` line ends made ``\\r\\n`` (one line each, as pandas
    and movement read them)."""
    with open(path, "rb") as handle:
        data = handle.read(size)
    return data.replace(DOUBLED_LINE_END, b"\r\n") if doubled else data


def _doubled_line_ends(path: Path) -> bool:
    """Whether the first line ends in ``\\r\\r\\n`` (see ``DOUBLED_LINE_END``)."""
    with open(path, "rb") as handle:
        return handle.readline(4096).endswith(DOUBLED_LINE_END)


def read_table(path: Path) -> tuple[pd.DataFrame, np.ndarray]:
    """The rows as strings, and the line number of each row in the file.

    Blank lines are dropped (their line numbers are skipped). One end-of-file
    marker (Ctrl-Z) after the last line is left out.
    """
    # UTF-16, lone carriage returns, NUL at the end; Ctrl-Z left out. \r\r\n (Python's csv
    # module on Windows without newline='') is one line end, as pandas and movement read it
    size = text_size(path, doubled_line_ends=True)
    doubled = _doubled_line_ends(path)
    # the path itself unless an end-of-file marker follows the text or the line ends are
    # doubled: then the text only
    whole = size == path.stat().st_size and not doubled
    source = path if whole else io.BytesIO(_text_bytes(path, size, doubled))
    try:
        header = first_line(path)
    except UnicodeDecodeError:
        raise not_utf8_error(path) from None
    if not header:
        raise FormatError(path, f"is empty; expected the VIA tracks header {HEADER_LINE!r}.")
    if not is_header_line(header):
        if (delimiter := other_delimiter(header)) is not None:
            first = next(csv.reader([header], delimiter=delimiter))[0].strip(" \t")
            csv_rows.refuse_other_delimiter(path, header, first, TITLE)
        raise FormatError(
            path,
            f"line 1: expected the VIA tracks header {HEADER_LINE!r}, found {header[:150]!r}.",
        )
    try:
        # index_col=False: extra cells in the first row are dropped with a warning (refused
        # below), not index levels (pandas would build one per extra cell: minutes for a
        # wide row). Not an "error" filter: it would make other threads' warnings errors.
        with dropping_warnings(pd.errors.ParserWarning) as dropped:
            table = pd.read_csv(
                source,
                header=0,
                names=list(HEADER),
                dtype=object,
                na_filter=False,
                keep_default_na=False,
                skip_blank_lines=False,
                encoding="utf-8-sig",
                index_col=False,
            )
    except pd.errors.ParserError as error:
        # pandas counts "rows" from 0 (the header) in this message, lines from 1 elsewhere
        problem = re.sub(
            r"starting at row (\d+)", lambda m: f"starting at line {int(m[1]) + 1}", str(error)
        )
        raise FormatError(path, f"is not a well-formed VIA tracks table: {problem}") from None
    except UnicodeDecodeError:
        raise not_utf8_error(path) from None
    if dropped:  # only the first data row can make pandas warn
        raise FormatError(
            path, f"line 2: has more cells than the {len(HEADER)} of the VIA tracks header."
        )
    lines = np.arange(len(table)) + 2
    blank = (table["filename"] == "").to_numpy()
    if blank.any():
        blank = blank & (table == "").all(axis=1).to_numpy()
    if ((table["region_attributes"] == "").to_numpy() & ~blank).any():
        # a short row (pandas pads it with empty cells; VIA writes at least "{}"): name it
        csv_rows.refuse_wrong_widths(path, _text_bytes(path, size, doubled), len(HEADER))
    if blank.any():
        table, lines = table.loc[~blank].reset_index(drop=True), lines[~blank]
    if len(table) == 0:
        raise FormatError(path, "has the VIA tracks header but no rows.")
    return table, lines


def _flat_objects(cells: np.ndarray) -> pd.DataFrame | None:
    """Parse flat JSON objects with a common key order in one pass, or ``None``."""
    n = len(cells)
    try:
        text = "\n".join(cells)
    except TypeError:
        return None
    braces_ok = (
        text.startswith("{")
        and text.endswith("}")
        and text.count("{") == n
        and text.count("}") == n
        and text.count("\n{") == n - 1
        and text.count("}\n") == n - 1
    )
    if not braces_ok or any(part in text for part in _NOT_FLAT):
        return None
    colons, commas = text.count(":"), text.count(",")
    body = text.translate(_TO_CSV)
    options = {
        "header": None,
        "skipinitialspace": True,
        "skip_blank_lines": False,
        "keep_default_na": False,
        "na_values": ["", "null"],
    }

    def parse(width: int) -> pd.DataFrame:
        names = list(range(2 * width))
        keys = dict.fromkeys(names[0::2], "category")  # the same few texts on every row
        return pd.read_csv(io.StringIO(body), names=names, dtype=keys, **options)

    try:
        try:
            end = text.find("\n")
            table = parse((text if end < 0 else text[:end]).count(":"))
        except pd.errors.ParserError:  # a later row has more keys than the first
            raw = np.frombuffer(text.encode("utf-8"), dtype=np.uint8)
            line = np.cumsum(raw == ord("\n"))
            table = parse(int(np.bincount(line[raw == ord(":")], minlength=n).max()))
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError):
        return None
    if len(table) != n or table.shape[1] % 2:
        return None
    keys, values = table.iloc[:, 0::2], table.iloc[:, 1::2]
    present = keys.notna().to_numpy()
    if (present[:, 1:] & ~present[:, :-1]).any():
        return None  # a key missing before a present one: not one key order
    names = []
    for column in keys.columns:
        found = keys[column].dropna().unique().tolist()
        if len(found) != 1 or not isinstance(found[0], str) or found[0] != found[0].strip():
            return None
        names.append(found[0])
    if len(set(names)) != len(names):
        return None
    n_keys = int(present.sum())
    if colons != n_keys or commas != n_keys - int(present.any(axis=1).sum()):
        return None  # a ':' or ',' inside a string, or a malformed object
    values = values.set_axis(names, axis=1)
    return values.where(present, np.nan) if not present.all() else values


def json_objects(cells: np.ndarray, column: str, path: Path, lines: np.ndarray) -> pd.DataFrame:
    """Parse a column of JSON-object cells: one DataFrame row per cell, one column per key.

    Raises
    ------
    FormatError
        Naming the line of the first cell that is not a JSON object.
    """
    fast = _flat_objects(cells)
    if fast is not None:
        return fast
    parsed = None
    with contextlib.suppress(ValueError, TypeError):
        parsed = json.loads("[" + ",".join(cells) + "]")
    if parsed is None or len(parsed) != len(cells) or set(map(type, parsed)) - {dict}:
        _raise_bad_cell(cells, column, path, lines)
    frame = pd.DataFrame(parsed)
    if len(frame) != len(cells):  # every cell was {}
        frame = pd.DataFrame(index=range(len(cells)))
    return frame


def _raise_bad_cell(cells: np.ndarray, column: str, path: Path, lines: np.ndarray) -> None:
    for index, cell in enumerate(cells):
        try:
            value = json.loads(cell)
        except (ValueError, TypeError) as error:
            problem = "is empty" if not str(cell).strip() else f"is not valid JSON ({error})"
            raise FormatError(
                path, f"line {lines[index]}: {column} {problem}: {str(cell)[:100]!r}."
            ) from None
        if not isinstance(value, dict):
            raise FormatError(
                path,
                f"line {lines[index]}: {column} must be a JSON object {{...}}, found "
                f"{str(cell)[:100]!r}.",
            )
    raise FormatError(path, f"could not parse the {column} column.")  # pragma: no cover


def column(frame: pd.DataFrame, key: str) -> pd.Series:
    """The values of ``key`` (NaN where absent)."""
    if key in frame.columns:
        return frame[key]
    return pd.Series(np.nan, index=frame.index, dtype=object)


def numbers(values: pd.Series) -> np.ndarray:
    """Numbers (int, float or numeric strings) as float64; anything else NaN."""
    if values.dtype.kind in "fiu":
        return values.to_numpy(dtype=np.float64)
    if values.dtype.kind == "b":
        return np.full(len(values), np.nan)
    if values.dtype == object:
        kinds = values.map(type)
        values = values.where(kinds.isin((int, float, str)), None)
    return pd.to_numeric(values, errors="coerce").to_numpy(dtype=np.float64)


def fail_at(
    path: Path,
    lines: np.ndarray,
    bad: np.ndarray,
    message: str,
    wording: dict[str, str] | None = None,
) -> None:
    """Raise ``message`` at the line of the first ``bad`` row, if any.

    ``wording`` gives its advice as the command line says it (see
    :func:`~posebridge.errors.with_command_line_wording`).
    """
    if bad.any():
        refused = FormatError(path, f"line {lines[int(np.argmax(bad))]}: {message}")
        raise with_command_line_wording(refused, wording or {})
