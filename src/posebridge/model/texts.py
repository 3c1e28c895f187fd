"""Text as every UTF-8 file can hold it: file names' stray bytes, stored bytes.

Python gives the bytes of a file name that are not UTF-8 as lone surrogates,
which no UTF-8 file (JSON, HDF5, netCDF, CSV) can hold, and stored text may
carry bytes of another encoding. Both are spelled ``%XX`` (as in a URL), so
that two names differing only in such bytes stay two names.
"""

from __future__ import annotations

import codecs
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["decode_text", "utf8_text", "utf8_texts"]


def utf8_text(text: str) -> str:
    """``text`` made valid UTF-8: bytes of a file name that are not UTF-8 spelled ``%XX``.

    Python gives such bytes of a file name as lone surrogates (``caf\\udce9``),
    which no UTF-8 file (JSON, HDF5, netCDF, CSV) can hold. They are spelled as
    in a URL (``%E9``), which stays one part of a path (a backslash would be
    taken for a Windows separator).

    Examples
    --------
    >>> utf8_text("caf\\udce9.png")
    'caf%E9.png'
    >>> utf8_text("café.png")
    'café.png'
    """
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        try:
            raw = text.encode("utf-8", "surrogateescape")
        except UnicodeEncodeError:  # a surrogate that is not a file name's byte
            raw = text.encode("utf-8", "surrogatepass")
        return raw.decode("utf-8", "posebridge-percent")
    return text


def _percent(error: UnicodeError) -> tuple[str, int]:
    """Codec error handler: the undecodable bytes as ``%XX``."""
    assert isinstance(error, UnicodeDecodeError)
    bad = error.object[error.start : error.end]
    return "".join(f"%{byte:02X}" for byte in bad), error.end


codecs.register_error("posebridge-percent", _percent)


def decode_text(raw: bytes, encoding: str = "utf-8") -> str:
    """Stored text bytes as ``str``; bytes that are not ``encoding`` spelled ``%XX``.

    The same spelling as :func:`utf8_text` gives file names, so two names that
    differ only in such bytes stay two names (a replacement character would make
    them one).

    Examples
    --------
    >>> decode_text(b"snout")
    'snout'
    >>> decode_text(b"m\\xff"), decode_text(b"m\\xfe")
    ('m%FF', 'm%FE')
    """
    return raw.decode(encoding, "posebridge-percent")


def utf8_texts(values: Any) -> np.ndarray:
    """:func:`utf8_text` of each text (an object array); each distinct one fixed once.

    Examples
    --------
    >>> utf8_texts(["v.mp4", "caf\\udce9.mp4", "v.mp4"]).tolist()
    ['v.mp4', 'caf%E9.mp4', 'v.mp4']
    """
    texts = np.asarray(values, dtype=object).ravel()
    try:
        "".join(map(str, texts.tolist())).encode("utf-8")
        return texts
    except UnicodeEncodeError:
        where, distinct = pd.factorize(texts, use_na_sentinel=False)
        return np.array([utf8_text(str(v)) for v in distinct], dtype=object)[where]
