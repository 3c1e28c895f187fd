"""The on-disk layer of Label Studio exports: typed records of the keys posebridge reads.

An export is a JSON list of tasks; each task's ``annotations`` (or
``completions``, before Label Studio 1.0) and ``predictions`` hold entries
whose ``result`` lists the regions. msgspec decodes them into the structs
below, which keep only the keys the reader uses (an export also carries
``from_name``, ``image_rotation``, ``direction``... per region),
so no dict is made per region. The values stay loosely typed (``Any``): the
reader checks them in columns, with the same rules whether the tasks came
here or from a plain JSON decode.

A file whose shape these structs cannot hold (a region, entry or value that
is not an object, a ``result`` that is not a list) gives ``None``; the reader
then decodes it as plain JSON and names what is wrong.
"""

from __future__ import annotations

from itertools import repeat
from operator import attrgetter, methodcaller
from pathlib import Path
from typing import Any

import msgspec
import numpy as np

from posebridge.errors import FormatError
from posebridge.formats._shared.images import decode_json, without_bom
from posebridge.formats._shared.text_bytes import refuse_not_utf8, text_end

__all__ = [
    "ABSENT",
    "RECORDS",
    "Entry",
    "Region",
    "Task",
    "Value",
    "column",
    "decode",
    "json_text",
    "load",
    "object_array",
    "of_kind",
]

#: The value of a key a record does not have (``score`` absent differs from ``null``).
ABSENT: Any = msgspec.UNSET


class Value(msgspec.Struct):
    """A region's ``value``: where the point or rectangle is, and its label."""

    x: Any = None
    y: Any = None
    width: Any = None
    height: Any = None
    rotation: Any = None
    keypointlabels: Any = None
    rectanglelabels: Any = None


class Region(msgspec.Struct):
    """One item of a ``result``: a region, or a relation between two regions."""

    type: Any = None
    id: Any = None
    value: Value | None = None
    original_width: Any = None
    original_height: Any = None
    score: Any = ABSENT
    parentID: Any = None  # Label Studio's key
    to_name: Any = None  # the config's <Image name> the region lies on
    from_id: Any = None
    to_id: Any = None


class Entry(msgspec.Struct):
    """One annotation, completion or prediction of a task."""

    result: list[Region] | None = None
    was_cancelled: Any = None
    score: Any = None


class Task(msgspec.Struct):
    """One task: its data (the image), meta (a video frame) and entries."""

    data: Any = None
    meta: Any = None
    annotations: list[Entry] | None = None
    completions: list[Entry] | None = None
    predictions: list[Entry] | None = None


#: What a record (task, entry, region, value) is, decoded either way.
RECORDS = (dict, msgspec.Struct)


def load(path: Path, data: bytes | memoryview) -> list[Task] | None:
    """The tasks of an export as typed records, or ``None`` when the file does not fit them.

    Raises
    ------
    FormatError
        For malformed JSON (its line and column), a truncated file, or NUL or
        Ctrl-Z bytes at its end (see :func:`json_text`).

    Examples
    --------
    >>> tasks = load(Path("x.json"), b'[{"data": {"image": "a.png"}, "annotations": []}]')
    >>> tasks[0].data, tasks[0].annotations
    ({'image': 'a.png'}, [])
    >>> load(Path("x.json"), b'[{"annotations": [{"result": "oops"}]}]') is None
    True
    """
    data = json_text(path, without_bom(data))
    if bytes(data[:4096]).lstrip(b" \t\r\n")[:1] != b"[":
        return None  # one task, or not an export: the plain decode says which
    try:
        return msgspec.json.decode(data, type=list[Task])
    except msgspec.ValidationError:
        return None
    except msgspec.DecodeError:
        decode(path, data)  # malformed JSON: its message with the line and column
        raise


def decode(path: Path, data: bytes | memoryview) -> Any:
    """Decode an export as plain JSON; FormatError naming the line of what is wrong.

    Text that is not UTF-8 (a Latin-1/cp1252 byte in a string, UTF-16) is
    named as such, with its line and byte: msgspec's own message names the
    end of the file ("Invalid UTF-8 encoded string") or calls UTF-16 text
    malformed JSON.

    Examples
    --------
    >>> decode(Path("x.json"), b'[{"data": {}}]')
    [{'data': {}}]
    """
    try:
        return decode_json(path, json_text(path, data))
    except FormatError:
        refuse_not_utf8(path, bytes(data))
        raise


def json_text(path: Path, data: bytes | memoryview) -> bytes | memoryview:
    """The bytes of an export's JSON text: without one Ctrl-Z after it (an old DOS
    end-of-file marker), as every CSV reader takes one after the last line.

    Raises
    ------
    FormatError
        For NUL bytes at the end (damage: a copy or save cut short) or more
        than one Ctrl-Z, saying so (msgspec would say "trailing characters").

    Examples
    --------
    >>> bytes(json_text(Path("x.json"), b'[{"data": {}}]\\x1a'))
    b'[{"data": {}}]'
    """
    head, tail = bytes(data[: 1 << 16]), bytes(data[-4096:])
    end = text_end(path, head, tail, spreadsheet=False, json=True)
    return data[: len(data) - end] if end else data


def object_array(values: Any, count: int) -> np.ndarray:
    """A 1-D object array of ``values`` (no nesting of lists, whatever they hold)."""
    return np.fromiter(values, dtype=object, count=count)


def column(items: np.ndarray, key: str, default: Any = None) -> np.ndarray:
    """``item.get(key, default)`` of every dict, or ``key`` of every typed record (whose
    defaults are its own), as an object array (C-level iteration, no bytecode per item).

    The items are all dicts or all typed records (one decode made them).
    """
    if len(items) and not isinstance(items[0], dict):
        return object_array(map(attrgetter(key), items), len(items))
    return object_array(map(methodcaller("get", key, default), items), len(items))


def of_kind(values: np.ndarray, kind: type | tuple[type, ...]) -> np.ndarray:
    """``isinstance(value, kind)`` of every value (C-level iteration, no bytecode per item)."""
    return np.fromiter(map(isinstance, values, repeat(kind)), bool, len(values))
