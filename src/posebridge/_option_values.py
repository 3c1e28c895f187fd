"""Whether an option's value is of the kind its reader's or writer's annotation names.

Readers and writers declare their options as annotated keyword parameters
(``image_size: tuple[int, int] | None``). Before any file is opened, the value a
user gives is checked against that annotation, so that ``image_size="x"`` is a
:class:`~posebridge.errors.PoseBridgeError` naming the option instead of an
IndexError from inside the writer. Only the kinds below are judged; any other
annotation (``Any``, a class of a library) admits every value, and the reader or
writer checks it itself.
"""

from __future__ import annotations

import functools
import os
import types
import typing
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

__all__ = ["admits", "annotations", "describe"]

_SEQUENCES = (list, tuple, Sequence, typing.Sequence)


@functools.cache
def annotations(function: Callable[..., Any]) -> dict[str, Any]:
    """The evaluated annotations of ``function``'s parameters (empty if they cannot be).

    Examples
    --------
    >>> def write(ds, path, *, size: tuple[int, int] | None = None): ...
    >>> annotations(write)["size"]
    tuple[int, int] | None
    """
    target = getattr(function, "func", function)  # a functools.partial
    try:
        return typing.get_type_hints(target)
    except Exception:  # names only a type checker knows (NameError, ...): judge nothing
        return {}


def admits(hint: Any, value: Any) -> bool:
    """Whether ``value`` is of the kind ``hint`` names (unknown kinds admit anything).

    Text admits a path too, a float admits an integer, a sequence is a list, a
    tuple or a numpy array (not text), ``tuple[int, int]`` needs two items.

    Examples
    --------
    >>> admits(tuple[int, int] | None, [640, 480]), admits(tuple[int, int] | None, [1])
    (True, False)
    >>> admits(int, True), admits(float, 3), admits(str | None, {})
    (False, True, False)
    """
    if hint is Any or hint is object:
        return True
    if hint is type(None) or hint is None:
        return value is None
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin is typing.Union or origin is types.UnionType:
        return any(admits(arg, value) for arg in args)
    if origin is typing.Literal:
        return any(value == arg and type(value) is type(arg) for arg in args)
    if hint is bool:
        return isinstance(value, bool | np.bool_)
    if hint is int:
        return isinstance(value, int | np.integer) and not isinstance(value, bool | np.bool_)
    if hint is float:
        return isinstance(value, int | float | np.integer | np.floating) and not isinstance(
            value, bool | np.bool_
        )
    if hint is str:
        return isinstance(value, str | os.PathLike)
    if hint is os.PathLike or origin is os.PathLike or hint is os.PathLike[str]:
        return isinstance(value, str | os.PathLike)
    if origin in _SEQUENCES or hint in _SEQUENCES:
        if isinstance(value, str | bytes) or not isinstance(value, list | tuple | np.ndarray):
            return False
        items = list(value)
        if origin is tuple and args and args[-1] is not Ellipsis:
            return len(items) == len(args) and all(
                admits(a, v) for a, v in zip(args, items, strict=True)
            )
        return not args or all(admits(args[0], v) for v in items)
    if origin in (dict, Mapping) or hint in (dict, Mapping):
        return isinstance(value, Mapping)
    if isinstance(hint, type):
        return isinstance(value, hint)
    return True


def describe(hint: Any) -> str:
    """``hint`` as a reader would write it: ``tuple[int, int] | None``, ``str``.

    Examples
    --------
    >>> describe(Sequence[str] | None)
    'Sequence[str] | None'
    """
    text = hint.__name__ if isinstance(hint, type) and not typing.get_args(hint) else str(hint)
    for prefix in ("typing.", "collections.abc.", "pathlib."):
        text = text.replace(prefix, "")
    return text.replace("NoneType", "None")
