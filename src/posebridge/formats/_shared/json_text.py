"""JSON text made in columns: many records' text at once, no Python object per record.

The JSON writers (COCO, Label Studio) build each kind of record (an image, an
annotation, a region) for all records together: constant text and columns of
numbers, ids and strings are concatenated element by element by Arrow's string
kernels, and the records' text goes to the file as it lies in Arrow's buffer.
Numbers are written shortest round-trip (Arrow's spelling: ``2`` for 2.0,
``0.00001``, ``1e+21``), which reads back bit-identical; a number that is not
finite is written ``null``, as msgspec and the standard library's ``allow_nan``
-free encoders do.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import msgspec
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

__all__ = [
    "comma_before",
    "integers",
    "join",
    "json_string",
    "json_strings",
    "number_lists",
    "numbers",
    "optional",
    "text_of",
    "write_texts",
]

_EMPTY = pa.scalar("", pa.large_string())


def join(*parts: Any) -> pa.LargeStringArray:
    """Concatenate string arrays and constant texts, element by element.

    Examples
    --------
    >>> join("[", integers(np.array([1, 2])), "]").to_pylist()
    ['[1]', '[2]']
    """
    texts = [pa.scalar(p, pa.large_string()) if isinstance(p, str) else p for p in parts]
    return pc.binary_join_element_wise(*texts, _EMPTY)


def integers(values: np.ndarray) -> pa.LargeStringArray:
    """Decimal text of integers.

    Examples
    --------
    >>> integers(np.array([0, -3])).to_pylist()
    ['0', '-3']
    """
    return pc.cast(pa.array(np.asarray(values, dtype=np.int64)), pa.large_string())


def numbers(values: np.ndarray) -> pa.LargeStringArray:
    """JSON numbers of floats, shortest round-trip; ``null`` where not finite.

    Examples
    --------
    >>> numbers(np.array([2.0, 0.1, -0.0, np.nan, np.inf])).to_pylist()
    ['2', '0.1', '-0.0', 'null', 'null']
    """
    values = np.ascontiguousarray(values, dtype=np.float64).ravel()
    text = pc.cast(pa.array(values, mask=~np.isfinite(values)), pa.large_string())
    negative_zero = (values == 0) & np.signbit(values)
    if negative_zero.any():  # Arrow's "-0" reads back as the integer 0: keep the sign
        text = pc.if_else(pa.array(negative_zero), pa.scalar("-0.0", pa.large_string()), text)
    return text.fill_null("null")


def number_lists(values: np.ndarray) -> pa.LargeStringArray:
    """``[a,b,...]`` of each row of a 2-D array (as :func:`numbers`).

    Examples
    --------
    >>> number_lists(np.array([[1.0, 2.5], [0.0, np.nan]])).to_pylist()
    ['[1,2.5]', '[0,null]']
    """
    rows, width = np.shape(values)
    offsets = pa.array(np.arange(rows + 1, dtype=np.int64) * width)
    items = pa.LargeListArray.from_arrays(offsets, numbers(values))
    return join("[", pc.binary_join(items, pa.scalar(",", pa.large_string())), "]")


def optional(key: str, values: np.ndarray, wanted: bool | np.ndarray) -> pa.LargeStringArray:
    """``key`` followed by the number where ``wanted`` and finite, else nothing.

    Examples
    --------
    >>> optional(',"score":', np.array([0.5, np.nan]), True).to_pylist()
    [',"score":0.5', '']
    """
    values = np.asarray(values, dtype=np.float64)
    keep = np.isfinite(values) & wanted
    return pc.if_else(
        pa.array(np.broadcast_to(keep, values.shape)), join(key, numbers(values)), _EMPTY
    )


def json_string(value: str) -> str:
    """The JSON literal of one string (quotes included).

    Examples
    --------
    >>> json_string('say "hi"')
    '"say \\\\"hi\\\\""'
    """
    return msgspec.json.encode(value).decode()


def json_strings(values: np.ndarray) -> pa.LargeStringArray:
    """JSON string literals (quotes included) of ``values``, each distinct value encoded once.

    msgspec encodes the distinct values as one JSON list, which is cut at the
    commas between its literals. The quotes that open and close literals are
    the unescaped ones, those after an even number of backslashes (inside a
    literal, ``\\"`` is an escaped quote and ``\\\\"`` a backslash before the
    closing one); they alternate, opening then closing, and each closing one
    but the last is followed by a cut.

    Examples
    --------
    >>> json_strings(np.array(["a", 'b"', "a"])).to_pylist()
    ['"a"', '"b\\\\""', '"a"']
    """
    flat = np.asarray(values, dtype=object).ravel()  # not numpy's str: it drops a last NUL
    if flat.size == 0:
        return pa.array([], pa.large_string())
    where, distinct = pd.factorize(flat, use_na_sentinel=False)
    texts = pd.Series(distinct, dtype=object).astype(str).tolist()  # plain str, NULs kept
    inner = np.frombuffer(msgspec.json.encode(texts), dtype=np.uint8)[1:-1]  # no [ ]
    quote, backslash = ord('"'), ord("\\")
    quotes = np.flatnonzero(inner == quote)
    at = np.arange(inner.size)
    last_other = np.maximum.accumulate(np.where(inner != backslash, at, -1))
    before = quotes - 1  # the backslashes right before each quote
    escapes = np.where(before >= 0, before - last_other[np.maximum(before, 0)], 0)
    bounds = quotes[escapes % 2 == 0]  # open, close, open, close, ...
    commas = bounds[1:-1:2] + 1  # after each closing quote but the last
    body = np.delete(inner, commas)  # the literals, one after the other
    offsets = np.concatenate([[0], commas - np.arange(commas.size), [body.size]])
    if offsets.size != len(texts) + 1:  # cannot happen: msgspec's output is valid JSON
        raise AssertionError(f"cut {offsets.size - 1} JSON literals out of {len(texts)}")
    literals = pa.LargeBinaryArray.from_buffers(
        pa.large_binary(),
        len(texts),
        [None, pa.py_buffer(offsets.astype(np.int64)), pa.py_buffer(body.tobytes())],
    ).cast(pa.large_string())
    return literals.take(pa.array(where))


def comma_before(count: int) -> pa.LargeStringArray:
    """``""`` then ``","`` for each further item of a list of ``count`` items.

    Examples
    --------
    >>> comma_before(3).to_pylist()
    ['', ',', ',']
    """
    return pa.array(np.where(np.arange(count) > 0, ",", ""), pa.large_string())


def text_of(texts: pa.LargeStringArray) -> memoryview:
    """The texts' characters one after the other: their data buffer, not copied.

    Examples
    --------
    >>> bytes(text_of(join(integers(np.array([1, 2])), ";")))
    b'1;2;'
    """
    if len(texts) == 0:
        return memoryview(b"")
    offsets = np.frombuffer(texts.buffers()[1], dtype=np.int64)
    start, end = offsets[texts.offset], offsets[texts.offset + len(texts)]
    data = texts.buffers()[2]
    return memoryview(data)[start:end] if data is not None else memoryview(b"")


def write_texts(path: Path, *parts: bytes | str | pa.LargeStringArray) -> None:
    """Write constant texts and the text of string arrays, in order, to the file ``path``."""
    with open(path, "wb") as out:
        for part in parts:
            if isinstance(part, str):
                out.write(part.encode())
            elif isinstance(part, bytes):
                out.write(part)
            else:
                out.write(text_of(part))
