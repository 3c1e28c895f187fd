"""A restricted unpickler for data files that hold pickles (idtracker.ai's ``.npy``).

``pickle`` runs whatever a file names: a file from the internet can call any
function on load. :func:`load_pickled` admits only what plain data needs:
numpy's array and scalar reconstruction, ``dtype``, ``ndarray``, a few
builtins (containers and numbers) and ``_codecs.encode`` (Python 2 byte
strings). Any other global -- a class of any other module, ``os.system``,
``builtins.eval`` -- is refused with :class:`UnsafePickleError`.
"""

from __future__ import annotations

import builtins
import importlib
import io
import pickle
from typing import Any

from posebridge.errors import PoseBridgeError

__all__ = ["ALLOWED", "UnsafePickleError", "load_pickled"]


class UnsafePickleError(PoseBridgeError):
    """A pickle names a class or function outside :data:`ALLOWED`."""


_NUMPY_CORE = ("numpy._core.multiarray", "numpy.core.multiarray")
_NUMPY_NUMERIC = ("numpy._core.numeric", "numpy.core.numeric")

_BUILTINS = "bool bytearray bytes complex dict float frozenset int list set slice str tuple"
_BUILTINS = tuple(_BUILTINS.split())

#: (module, name) pairs a pickle may reference. numpy moved ``numpy.core`` to
#: ``numpy._core`` in 2.0; files written by either are admitted.
ALLOWED: frozenset[tuple[str, str]] = frozenset(
    {(module, name) for module in _NUMPY_CORE for name in ("_reconstruct", "scalar")}
    | {(module, "_frombuffer") for module in _NUMPY_NUMERIC}
    | {("numpy", "ndarray"), ("numpy", "dtype"), ("_codecs", "encode")}
    | {("builtins", name) for name in _BUILTINS}
    | {("__builtin__", name) for name in ("bool", "complex", "dict", "float", "list", "set")}
)


def _resolve(module: str, name: str) -> Any:
    if module in ("builtins", "__builtin__"):
        return getattr(builtins, name)
    if module in _NUMPY_CORE or module in _NUMPY_NUMERIC:
        candidates = _NUMPY_CORE if module in _NUMPY_CORE else _NUMPY_NUMERIC
        for candidate in candidates:  # the installed numpy's own spelling first
            try:
                return getattr(importlib.import_module(candidate), name)
            except (ImportError, AttributeError):
                continue
        raise AttributeError(f"{module}.{name}")
    return getattr(importlib.import_module(module), name)


class _Restricted(pickle.Unpickler):
    def __init__(self, handle: io.BufferedIOBase, where: str) -> None:
        super().__init__(handle, encoding="latin1")
        self.where = where

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) not in ALLOWED:
            raise UnsafePickleError(
                f"{self.where}: the pickle references {module}.{name}, which is not plain "
                "data (numpy arrays, numbers, strings, containers); refused, nothing of it "
                "was run. Load it yourself only if you trust its origin."
            )
        return _resolve(module, name)


def load_pickled(data: bytes | io.BufferedIOBase, where: str) -> Any:
    """Unpickle ``data`` admitting only numpy arrays and plain builtins.

    Parameters
    ----------
    data
        The pickle, as bytes or an open binary file.
    where
        The file name (and part) for error messages.

    Returns
    -------
    object
        The unpickled value.

    Raises
    ------
    UnsafePickleError
        When the pickle references any other class or function.
    PoseBridgeError
        When the bytes are not a valid pickle.

    Examples
    --------
    >>> import pickle, numpy as np
    >>> load_pickled(pickle.dumps({"a": np.arange(3)}), "x.npy")["a"].tolist()
    [0, 1, 2]
    >>> import collections
    >>> load_pickled(pickle.dumps(collections.OrderedDict()), "x.npy")
    Traceback (most recent call last):
    ...
    posebridge.formats._shared.safe_pickle.UnsafePickleError: x.npy: the pickle ...
    """
    handle = io.BytesIO(data) if isinstance(data, bytes | bytearray) else data
    try:
        value = _Restricted(handle, where).load()
    except PoseBridgeError:
        raise
    except Exception as error:
        # only admitted classes ran, so the bytes are bad: UnpicklingError, EOFError, and
        # what numpy's array reconstruction raises on a damaged state (ValueError,
        # TypeError, IndexError, KeyError, MemoryError, ...)
        raise PoseBridgeError(
            f"{where}: not a readable pickle ({type(error).__name__}: {error})."
        ) from None
    _refuse_forged_dtypes(value, where)
    return value


def _refuse_forged_dtypes(value: Any, where: str, depth: int = 0) -> None:
    """Refuse arrays whose dtype flags are not their type's own.

    A dtype's pickled state carries its flags; damaged (or forged) flags can
    mark a float64 array as holding Python objects, and numpy then treats its
    numbers as object pointers (measured: SystemError from a ufunc, errors at
    deallocation). The containers of the value are walked (dict values, list
    and tuple items, a few levels deep).
    """
    import numpy as np

    if isinstance(value, np.ndarray | np.generic):
        dtype = value.dtype
        own = np.dtype(dtype.descr if dtype.names else dtype.str)
        if dtype.flags != own.flags or dtype.hasobject != own.hasobject:
            raise PoseBridgeError(
                f"{where}: the pickle holds an array whose type ({dtype}) carries flags "
                f"{dtype.flags} that are not its own ({own.flags}); the file is damaged."
            )
        return
    if depth >= 4:
        return
    items = value.values() if isinstance(value, dict) else value
    if isinstance(value, dict | list | tuple):
        for item in items:
            if isinstance(item, np.ndarray | np.generic | dict | list | tuple):
                _refuse_forged_dtypes(item, where, depth + 1)
