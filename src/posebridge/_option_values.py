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
import json
import os
import types
import typing
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

__all__ = [
    "admits",
    "annotations",
    "describe",
    "expect_kind",
    "expect_number",
    "from_command_line",
]

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
    >>> describe(bool | typing.Literal["auto"])
    "bool | 'auto'"
    """
    if typing.get_origin(hint) is typing.Literal:
        return " | ".join(repr(value) for value in typing.get_args(hint))
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        return " | ".join(describe(arg) for arg in typing.get_args(hint))
    text = hint.__name__ if isinstance(hint, type) and not typing.get_args(hint) else str(hint)
    for prefix in ("typing.", "collections.abc.", "pathlib."):
        text = text.replace(prefix, "")
    return text.replace("NoneType", "None")


def describe_for_command_line(hint: Any) -> str:
    """``hint`` as the values typed after ``--option KEY=`` (parsed as JSON when they can be).

    :func:`describe`'s ``bool`` is ``true | false``, ``None`` is ``null`` and a
    ``Literal`` text is written bare (``auto``, which stays text on the command line).

    Examples
    --------
    >>> describe_for_command_line(bool | typing.Literal["auto"])
    'true | false | auto'
    >>> describe_for_command_line(tuple[int, int] | None)
    'tuple[int, int] | null'
    """
    if hint is bool:
        return "true | false"
    if hint is None or hint is type(None):
        return "null"
    if typing.get_origin(hint) is typing.Literal:
        return " | ".join(
            value if isinstance(value, str) else _json_text(value)
            for value in typing.get_args(hint)
        )
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        return " | ".join(describe_for_command_line(arg) for arg in typing.get_args(hint))
    return describe(hint)


def _json_text(value: Any) -> str:
    """A value as JSON writes it (``True`` is ``true``), else as Python does."""
    try:
        return json.dumps(value)
    except (TypeError, ValueError):
        return repr(value)


def expect_kind(value: Any, hint: Any, what: str) -> None:
    """Raise :class:`~posebridge.errors.TypeError` unless ``value`` is of the kind ``hint`` names.

    For a function's own options (a figure's ``individuals=``, ``render``'s
    ``frames=``): the message names the option, the kind (:func:`describe`) and
    the value given.

    Parameters
    ----------
    value
        The value given.
    hint
        The option's annotation, as :func:`admits` judges it.
    what
        The option's name, for the message.

    Examples
    --------
    >>> expect_kind((0, 9), tuple[int | None, int | None] | None, "frames")
    >>> expect_kind(5, Sequence[str] | str | None, "individuals")
    Traceback (most recent call last):
    ...
    posebridge.errors.TypeError: individuals must be Sequence[str] | str | None, got 5 (int).
    """
    from posebridge.errors import TypeError, brief

    if not admits(hint, value):
        raise TypeError(
            f"{what} must be {describe(hint)}, got {brief(value)} ({type(value).__name__})."
        )


def expect_number(
    value: Any,
    what: str,
    *,
    whole: bool = False,
    least: float | None = None,
    above: float | None = None,
    most: float | None = None,
    optional: bool = False,
) -> None:
    """Raise unless ``value`` is a finite number within the bounds given.

    A value that is not a number (text, a flag, ``1.5`` where a whole number is
    asked) is a :class:`~posebridge.errors.TypeError`; NaN, infinity or a number
    out of bounds a :class:`~posebridge.errors.PoseBridgeError`. Each names the
    option, what it takes and what was given.

    Parameters
    ----------
    value
        The value given.
    what
        The option's name, for the message.
    whole
        Whether only whole numbers (``int``, numpy integers) are taken.
    least, above, most
        Bounds: ``value >= least``, ``value > above``, ``value <= most``.
    optional
        Whether ``None`` is taken too.

    Examples
    --------
    >>> expect_number(20, "max_steps", whole=True, least=1)
    >>> expect_number(0, "max_steps", whole=True, least=1)
    Traceback (most recent call last):
    ...
    posebridge.errors.PoseBridgeError: max_steps must be a whole number, at least 1, got 0.
    >>> expect_number("3", "radius", above=0)
    Traceback (most recent call last):
    ...
    posebridge.errors.TypeError: radius must be a number, above 0, got '3' (str).
    """
    from posebridge.errors import PoseBridgeError, TypeError, brief

    if optional and value is None:
        return
    bounds = []
    if least is not None:
        bounds.append(f"at least {least:g}")
    if above is not None:
        bounds.append(f"above {above:g}")
    if most is not None:
        bounds.append(f"at most {most:g}")
    wanted = "a whole number" if whole else "a number"
    if bounds:
        wanted += ", " + " and ".join(bounds)
    if optional:
        wanted += " (or None)"
    if not admits(int if whole else float, value):
        raise TypeError(f"{what} must be {wanted}, got {brief(value)} ({type(value).__name__}).")
    number = float(value)
    if (
        not np.isfinite(number)
        or (least is not None and number < least)
        or (above is not None and number <= above)
        or (most is not None and number > most)
    ):
        raise PoseBridgeError(f"{what} must be {wanted}, got {value}.")


def from_command_line(text: str, hints: Sequence[Any] = ()) -> Any:
    """The value of a ``KEY=VALUE`` option typed on the command line.

    ``text`` is parsed as JSON when it can be (``3``, ``true``, ``null``,
    ``[640, 480]``, ``{"a": 1}``, ``"quoted text"``); other text stays text.
    A number given for an option that takes text and no number (every
    annotation in ``hints`` admits text and none admits the number) is kept
    exactly as typed: ``subject_id=1.50`` is ``"1.50"``, not ``"1.5"``, and
    ``7e3``, ``NaN`` or ``-0`` stay as written. Python's ``True``, ``False``,
    ``None`` and tuple ``(640, 480)`` (as ``posebridge formats`` and the messages write
    them) are taken for an option that takes such a value. Other kinds (``true`` or a list
    given for text) are left parsed, for the reader or writer to refuse.

    Parameters
    ----------
    text
        The VALUE as typed.
    hints
        The annotations of the option in the readers or writers that may take
        it (none: the JSON value is kept).

    Returns
    -------
    Any
        The value to hand on.

    Examples
    --------
    >>> from_command_line("1.50", [str | None]), from_command_line("1.50", [float])
    ('1.50', 1.5)
    >>> from_command_line("[640, 480]", [tuple[int, int] | None]), from_command_line("abc")
    ([640, 480], 'abc')
    >>> from_command_line("3", [int | str | None])  # the option takes a number too
    3
    >>> from_command_line("(640, 480)", [tuple[int, int] | None])  # Python's spelling
    (640, 480)
    >>> from_command_line("(a, b)", [tuple[int, int] | None]), from_command_line("(1, 2)", [str])
    ('(a, b)', '(1, 2)')
    >>> from_command_line("True", [bool]), from_command_line("True", [str | None])  # Python's
    (True, 'True')
    """
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):  # not JSON (or nested beyond Python's limit): text
        if text.strip() in _PYTHON_CONSTANTS:
            return _python_constant(text.strip(), hints)
        return _python_tuple(text, hints)
    number = isinstance(value, int | float) and not isinstance(value, bool)
    if number and hints and all(not admits(h, value) and admits(h, text) for h in hints):
        return text
    return value


#: Python's spellings of JSON's ``true``, ``false`` and ``null``, as ``posebridge formats``
#: and the API's examples write them (``all_frames=True``).
_PYTHON_CONSTANTS = {"True": True, "False": False, "None": None}


def _python_constant(text: str, hints: Sequence[Any]) -> Any:
    """``True``, ``False`` or ``None`` as that value when an option in ``hints`` takes it
    and none takes the text itself (``subject_id=True`` stays text); else ``text``."""
    value = _PYTHON_CONSTANTS[text]
    if any(admits(h, value) for h in hints) and not any(admits(h, text) for h in hints):
        return value
    return text


def _python_tuple(text: str, hints: Sequence[Any]) -> Any:
    """``(640, 480)``, as the API's examples and messages write a tuple, as a tuple
    when an option in ``hints`` takes it (its items as JSON); else ``text`` itself."""
    inner = text.strip()
    if not (inner.startswith("(") and inner.endswith(")")):
        return text
    inner = inner[1:-1].strip().removesuffix(",")  # a one-item tuple's comma
    try:
        items = json.loads(f"[{inner}]")
    except (ValueError, RecursionError):
        return text
    value = tuple(items)
    return value if any(admits(h, value) for h in hints) else text
