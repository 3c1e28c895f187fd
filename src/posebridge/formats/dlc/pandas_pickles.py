"""Unpickle the small label attributes pandas writes beside a ``table`` frame, safely.

pandas' ``table`` layout (:mod:`posebridge.formats.dlc.pandas_hdf5`) keeps its
column labels and level names in attributes written as protocol-0 pickles of
builtins (``non_index_axes``, ``info``, ``values_block_<b>_kind``). ``pickle``
runs whatever a file names, so these are read with :class:`BuiltinsOnlyUnpickler`,
which admits a few builtin types and refuses every class, and every value is
checked against :data:`MAX_UNFOLDED_SIZE` and
:data:`~posebridge.formats._shared.safe_pickle.MAX_NESTING` before anyone walks it. ``info`` alone
is read with a more lenient unpickler: pandas pickles a DatetimeIndex's frequency
and time zone there, and those become inert stand-ins.
"""

from __future__ import annotations

import io
import pickle
from pathlib import Path
from typing import Any

import numpy as np

from posebridge.errors import FormatError
from posebridge.formats._shared.safe_pickle import (
    MAX_UNFOLDED_SIZE,
    BoundedUnpickler,
    guarded_builtin,
    refuse_deep_nesting,
)

__all__ = ["MAX_UNFOLDED_SIZE", "BuiltinsOnlyUnpickler", "safe_unpickle", "unpickle_info"]

#: Builtins a pandas label pickle may name; nothing that can run code.
_SAFE_BUILTINS = frozenset(
    {"set", "frozenset", "complex", "slice", "range", "bytearray", "bytes", "str", "int",
     "float", "list", "tuple", "dict", "bool"}
)  # fmt: skip


class BuiltinsOnlyUnpickler(BoundedUnpickler):
    """An unpickler that admits a few builtin types and refuses every other class.

    pandas writes its label attributes as protocol-0 pickles of lists, tuples,
    dicts, strings and numbers, which never need a class; anything that asks
    for one (a numpy array, an arbitrary callable) is refused. What it hashes
    (dict keys, set items) is measured first, a part the pickle shares counted
    each time it appears (:class:`~posebridge.formats._shared.safe_pickle.HashBudget`).
    """

    def find_class(self, module: str, name: str) -> Any:
        if module in ("builtins", "__builtin__") and name in _SAFE_BUILTINS:
            # list(range(10**9)), str(slice(nested list)): refused, not made
            return guarded_builtin(name, self.hashing)
        raise pickle.UnpicklingError(f"refused to load {module}.{name} from a pickled attribute")

    def persistent_load(self, pid: Any) -> Any:
        raise pickle.UnpicklingError("refused a persistent id in a pickled attribute")


class _NotRead:
    """What :class:`_InfoUnpickler` makes of any other class or function and of what it
    would make (a time zone is ``getattr(ZoneInfo, '_unpickle')('Europe/Berlin', 1)``):
    nothing of it is imported or run, and nothing is kept."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        pass

    def __call__(self, *args: Any, **kwargs: Any) -> _NotRead:
        return _NotRead()

    def __setstate__(self, state: Any) -> None:
        pass


class _InfoUnpickler(BuiltinsOnlyUnpickler):
    """The unpickler of a table's ``info``, of which only the column level names are used.

    pandas keeps there, beside the names, a DatetimeIndex's frequency as a pandas
    object (``pandas._libs.tslibs.offsets.Second``) and its time zone: such an
    object becomes an inert :class:`_NotRead` instead of refusing the pickle, so
    a DeepLabCut table indexed by dates is still recognised as one (and its reader
    refuses the dates, saying so).
    """

    def find_class(self, module: str, name: str) -> Any:
        try:
            return super().find_class(module, name)
        except pickle.UnpicklingError:
            return _NotRead


def safe_unpickle(
    data: bytes | np.bytes_ | np.ndarray,
    path: Path,
    what: str,
    unpickler: type[BuiltinsOnlyUnpickler] = BuiltinsOnlyUnpickler,
) -> Any:
    """Unpickle one attribute with :class:`BuiltinsOnlyUnpickler`.

    Parameters
    ----------
    data
        The raw attribute value.
    path
        The file, for error messages.
    what
        The attribute's name, for error messages.
    unpickler
        :class:`BuiltinsOnlyUnpickler` or a subclass.

    Returns
    -------
    object
        The unpickled builtin object.

    Raises
    ------
    FormatError
        When the pickle is broken or asks for anything but builtins.

    Examples
    --------
    >>> from pathlib import Path
    >>> safe_unpickle(b"(lp0\\nVx\\np1\\na.", Path("f.h5"), "labels")
    ['x']
    """
    raw = bytes(np.asarray(data).tobytes()) if not isinstance(data, bytes) else data
    try:
        value = unpickler(io.BytesIO(raw), encoding="utf-8").load()
        _check_unfolded_size(value)
        refuse_deep_nesting(value)
    except Exception as error:  # any failure of a foreign pickle is a format error
        if isinstance(error, EOFError):  # the pure-Python unpickler's, with no text
            detail = "it ends before its end mark: the pickle is cut short or damaged"
        elif isinstance(error, MemoryError):
            detail = "it asks for more memory than is free"
        else:
            detail = str(error) or type(error).__name__
        raise FormatError(
            path,
            f"the pandas attribute '{what}' could not be read safely ({detail}); only "
            "pickles of plain lists, tuples, dicts, strings and numbers are accepted.",
        ) from None
    return value


def _check_unfolded_size(value: Any) -> None:
    """Refuse an unpickled value whose items, counted each time they appear, pass
    :data:`MAX_UNFOLDED_SIZE`.

    A pickle's memo lets one list appear many times: ``[L, L]`` forty levels deep
    is a few hundred bytes, and its 2**40 items would be walked by any reading of
    the labels (a ``range`` of 10**15 level names too). The walk stops as soon as
    the budget is spent.

    Examples
    --------
    >>> _check_unfolded_size([("scorer", "nose", "x"), ("scorer", "nose", "y")])
    >>> _check_unfolded_size(range(10**15))
    Traceback (most recent call last):
    ...
    ValueError: it holds more than 5000000 items and characters ...
    """
    budget = MAX_UNFOLDED_SIZE
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str | bytes | bytearray):
            budget -= len(item) + 1
        elif isinstance(item, dict):
            budget -= 1
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list | tuple | set | frozenset):
            budget -= 1 + len(item)
            if budget >= 0:
                pending.extend(item)
        elif isinstance(item, range):
            budget -= 1 + len(item)
        else:
            budget -= 1
        if budget < 0:
            raise ValueError(
                f"it holds more than {MAX_UNFOLDED_SIZE} items and characters once the "
                "parts it repeats are counted each time"
            )


def unpickle_info(data: bytes | np.bytes_ | np.ndarray, path: Path) -> Any:
    """Unpickle a ``table`` frame's ``info`` attribute, of which only plain values are used.

    Any pandas object pickled there (a DatetimeIndex's frequency or time zone)
    becomes an inert stand-in, never imported or run; everything else is refused
    as :func:`safe_unpickle` refuses it.

    Parameters
    ----------
    data
        The raw attribute value.
    path
        The file, for error messages.

    Returns
    -------
    object
        The unpickled value, normally a dict keyed by axis number and ``"index"``.

    Raises
    ------
    FormatError
        When the pickle is broken, asks for a builtin with a size, or is too large.

    Examples
    --------
    >>> from pathlib import Path
    >>> unpickle_info(b"(dp0\\nI1\\n(dp1\\nVnames\\np2\\n(lp3\\nVscorer\\np4\\nass.", Path("f.h5"))
    {1: {'names': ['scorer']}}
    """
    return safe_unpickle(data, path, "info", _InfoUnpickler)
