"""A restricted unpickler for data files that hold pickles (idtracker.ai's ``.npy``).

``pickle`` runs whatever a file names: a file from the internet can call any
function on load. :func:`load_pickled` admits only what plain data needs:
numpy's array and scalar reconstruction, ``dtype``, ``ndarray``, a few
builtins (containers and numbers) and ``_codecs.encode`` (Python 2 byte
strings). Any other global -- a class of any other module, ``os.system``,
``builtins.eval`` -- is refused with :class:`UnsafePickleError`. So is an
admitted function asked for a size instead of given data (``bytearray(10**9)``,
``list(range(10**9))``, an array rebuilt with a shape: a few bytes that would
make gigabytes), and an array whose state does not fill its shape (numpy
trusts it, and crashed on an object array's short list).

A few bytes can also ask for exponential work: a tuple holding one tuple twice,
thirty levels deep through the pickle's memo, is 2**30 items to hash as a dict
key or set item, and ``str`` of a slice of such a list is as long. Every value
the unpickler hashes is measured first, a part it shares counted each time it
appears (:class:`HashBudget`), and the builtins that make text or numbers
(``str``, ``int``, ``slice`` ...) take only numbers, text and ``None``.

Two more limits keep a small file from costing much: containers nested more
than :data:`MAX_NESTING` levels (or holding themselves) are refused, as Python
hashes, compares and prints nested values by recursion (a tuple nested a
million levels deep, a 1 MB file, crashed the interpreter when hashed); and
dict keys and set items whose hashes a file can choose to be equal (integers
past 2**61, tuples, complex numbers ...) are admitted up to
:data:`MAX_COLLIDABLE_HASHED` items, as each such key is compared with every
earlier one (forty thousand equal-hashing integers, half a megabyte, took half
a minute).

A damaged or forged pickle can also declare a length it does not hold: the
opcodes that read a declared number of bytes (``BYTEARRAY8``, ``BINBYTES8``,
``BINUNICODE8``, ``LONG4``, ``FRAME`` ...) are checked against the bytes left in
the file (or frame) before anything is read or allocated, and a longer one is
refused as a pickle cut short (:class:`PickleCutShortError`).
"""

from __future__ import annotations

import builtins
import importlib
import io
import itertools
import math
import pickle
import struct
from collections.abc import Callable
from typing import Any, ClassVar

from posebridge.errors import PoseBridgeError

__all__ = [
    "ALLOWED",
    "MAX_COLLIDABLE_HASHED",
    "MAX_NESTING",
    "MAX_UNFOLDED_SIZE",
    "BoundedUnpickler",
    "HashBudget",
    "PickleCutShortError",
    "PickleSizeError",
    "UnsafePickleError",
    "guarded_builtin",
    "load_pickled",
    "refuse_deep_nesting",
]


class UnsafePickleError(PoseBridgeError):
    """A pickle names a class or function outside :data:`ALLOWED`, or asks one for a size."""


class PickleSizeError(Exception):
    """An admitted function asked for a size instead of given data (the caller names the file).

    Not a PoseBridgeError: each unpickler turns it into its own error naming the file.
    """


class PickleCutShortError(pickle.UnpicklingError):
    """An opcode declares more bytes than the pickle has left: it is cut short or damaged.

    Raised before the declared length is read or allocated; the caller names the file.
    """


class _ArrayClass:
    """What a pickle gets for ``numpy.ndarray``: only the class argument of ``_reconstruct``.

    Called itself (``ndarray((10**9,), object)``), it would allocate the size a number
    in the file gives; numpy's own pickles never call it.
    """

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        raise PickleSizeError(
            "the pickle calls numpy.ndarray(...) itself, which numpy never writes"
        )


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
    | {("__builtin__", name) for name in _BUILTINS}  # Python 2 names (protocols 0-2)
)


#: Items and characters a value from a pickle may hold, a part it repeats (through the
#: pickle's memo) counted each time it appears; pandas' labels of 100,000 columns of 4
#: levels are about 2 million.
MAX_UNFOLDED_SIZE = 5_000_000

#: What the builtins that make text or numbers (and ``slice``) may be given.
_SCALARS = (str, bytes, bytearray, int, float, complex, type(None))

#: The builtins refused anything but :data:`_SCALARS`: ``str(slice(L))`` of a list ``L``
#: holding one list twice, thirty levels deep, is 2**30 items of text.
_SCALAR_ONLY = frozenset({"str", "int", "float", "complex", "bool", "slice"})

#: The values whose hash walks what they hold (a slice hashes its parts since Python 3.12).
_HASHED_WHOLE = (tuple, frozenset, slice)

#: The levels containers (lists, tuples, dicts, sets, object arrays) may nest; the
#: idtracker.ai and DeepLabCut files in the wild nest at most four. Python hashes,
#: compares and prints nested values by recursion: a tuple nested a million levels
#: deep overflowed the interpreter's stack (a crash, not an error) when hashed.
MAX_NESTING = 100

#: The largest integer hash: Python hashes an int ``n`` as itself when ``|n|`` is
#: at most this, so distinct such integers hash apart (but -1 and -2).
_DISTINCT_INT_HASH = 2**61 - 2

#: Items of dict keys and set items (counted as :class:`HashBudget` counts them) whose
#: hashes a file can make equal, one unpickling together: integers past 2**61,
#: tuples, frozensets, complex numbers. Equal hashes make a dict compare each key
#: with every earlier one: 40,000 integers ``k * (2**61 - 1)`` took 33 s. Data files
#: key their dicts by text and small integers (the corpus: none of these).
MAX_COLLIDABLE_HASHED = 2_000


class HashBudget:
    """The items one unpickling may hash, a part shared through the memo counted each time.

    A dict key, a set item, or an item given to ``set``, ``frozenset`` or
    ``dict`` is hashed whole: a tuple ``t30`` where ``t(i+1) = (ti, ti)`` is a
    few hundred bytes of pickle and 2**30 items to hash. :meth:`spend` measures
    such a value first (each distinct tuple once; a list, dict or set counts 1,
    as hashing stops there) and raises :class:`PickleSizeError` once the
    values hashed in one unpickling pass ``limit`` items, when one nests tuples
    more than :data:`MAX_NESTING` levels deep (Python hashes them by
    recursion), or once the values whose hashes a file can make equal (all but
    text, bytes, floats, ``None`` and integers within 2**61) pass
    :data:`MAX_COLLIDABLE_HASHED` items.

    Parameters
    ----------
    limit
        The items all hashed values of one unpickling may hold together.

    Examples
    --------
    >>> budget = HashBudget(limit=100)
    >>> budget.spend(("scorer", "nose", "x"))
    >>> doubled = ()
    >>> for _ in range(30):
    ...     doubled = (doubled, doubled)
    >>> budget.spend(doubled)
    Traceback (most recent call last):
    ...
    posebridge.formats._shared.safe_pickle.PickleSizeError: the pickle asks to hash ...
    >>> nested = ()
    >>> for _ in range(1000):
    ...     nested = (nested,)
    >>> HashBudget().spend(nested)
    Traceback (most recent call last):
    ...
    posebridge.formats._shared.safe_pickle.PickleSizeError: the pickle nests ...
    """

    def __init__(self, limit: int = MAX_UNFOLDED_SIZE) -> None:
        self.limit = limit
        self.spent = 0
        self.collidable = 0
        # id -> (value kept alive, size, levels of tuples it nests)
        self._sizes: dict[int, tuple[Any, int, int]] = {}

    def spend(self, value: Any) -> None:
        """Count ``value``'s items, refusing it when the budget is passed (see the class)."""
        size, levels = self._measure(value)
        if levels > MAX_NESTING:
            raise PickleSizeError(
                f"the pickle nests tuples more than {MAX_NESTING} levels deep in a dict key "
                "or set item, which Python hashes by recursion; data files nest a few"
            )
        self.spent += size
        if self.spent > self.limit:
            raise PickleSizeError(
                f"the pickle asks to hash more than {self.limit} items (a dict key or set "
                "item that repeats one part many times over), which no data file holds"
            )
        if not _hashes_apart(value):
            self.collidable += size
            if self.collidable > MAX_COLLIDABLE_HASHED:
                raise PickleSizeError(
                    f"the pickle has more than {MAX_COLLIDABLE_HASHED} items of dict keys "
                    "or set items other than text, bytes, floats, None and integers within "
                    "2**61 (values a file can make hash alike, which makes a dict slow to "
                    "build); data files key their dicts by text and small integers"
                )

    def _measure(self, value: Any) -> tuple[int, int]:
        if not isinstance(value, _HASHED_WHOLE):
            return 1, 0
        sizes = self._sizes
        pending = [value]
        while pending:  # each distinct part measured once, without recursion
            item = pending[-1]
            if id(item) in sizes:
                pending.pop()
                continue
            parts = (item.start, item.stop, item.step) if isinstance(item, slice) else item
            unmeasured = [
                part for part in parts if isinstance(part, _HASHED_WHOLE) and id(part) not in sizes
            ]
            if unmeasured:
                pending.extend(unmeasured)
                continue
            pending.pop()
            total = 1 + sum(
                sizes[id(part)][1] if isinstance(part, _HASHED_WHOLE) else 1 for part in parts
            )
            levels = 1 + max(
                (sizes[id(part)][2] for part in parts if isinstance(part, _HASHED_WHOLE)),
                default=0,
            )
            sizes[id(item)] = (item, min(total, self.limit + 1), levels)
            if levels > MAX_NESTING:  # stop: its parents are deeper still
                return total, levels
        return sizes[id(value)][1:]


def _hashes_apart(value: Any) -> bool:
    """Whether no file can choose other values hashing as ``value`` does, but a few.

    Text and bytes hash with a random key per interpreter; an integer within
    2**61 hashes as itself; floats share a hash in groups of a few hundred at
    most; numpy's integer, float and bool scalars hash as those numbers. Tuples,
    frozensets, complex numbers and larger integers combine or
    reduce their parts' hashes in ways a file can solve for.
    """
    import numpy as np  # loaded already: the unpickler rebuilds numpy's arrays

    if isinstance(value, str | bytes | float | np.floating | np.bool_) or value is None:
        return True  # numpy's scalars hash as the Python number they are
    return (
        isinstance(value, int | np.integer)
        and -_DISTINCT_INT_HASH <= int(value) <= _DISTINCT_INT_HASH
    )


def guarded_builtin(name: str, hashing: HashBudget | None = None) -> Any:
    """The builtin ``name`` for an unpickler, refusing sizes made from numbers in the file.

    A pickle calls ``bytes``, ``bytearray``, ``list``, ``set`` ... with the data
    it holds. Called with a number (``bytearray(10**9)``) or a ``range``
    (``list(range(10**9))``), a pickle of a few bytes would make gigabytes:
    such a call raises :class:`PickleSizeError` (the caller names the file).
    ``str``, ``int``, ``float``, ``complex``, ``bool`` and ``slice`` take only
    numbers, text and ``None``: ``str`` of a list holding one list many times
    over, shared through the pickle's memo, is a few bytes and its text
    terabytes. The items ``set``, ``frozenset`` and ``dict`` hash are counted
    in ``hashing`` when given.

    Parameters
    ----------
    name
        A builtin's name.
    hashing
        The unpickling's :class:`HashBudget`, if any.

    Returns
    -------
    callable
        The builtin, or a guarded stand-in for it.

    Examples
    --------
    >>> guarded_builtin("bytearray")(b"ab")
    bytearray(b'ab')
    >>> guarded_builtin("list")(range(10**12))
    Traceback (most recent call last):
    ...
    posebridge.formats._shared.safe_pickle.PickleSizeError: the pickle asks for list(...
    >>> guarded_builtin("str")(slice([]))
    Traceback (most recent call last):
    ...
    posebridge.formats._shared.safe_pickle.PickleSizeError: the pickle asks for str(...) of a...
    """
    kind = getattr(builtins, name)
    if name not in _EXPANDING and name not in _SCALAR_ONLY:
        return kind

    def make(*args: Any) -> Any:
        if name in _SCALAR_ONLY:
            for arg in args:
                if not isinstance(arg, _SCALARS):
                    # the text of a list whose items are one list shared over and over
                    raise PickleSizeError(
                        f"the pickle asks for {name}(...) of a {type(arg).__name__}; it takes "
                        "numbers, text and None in data files"
                    )
            return kind(*args)
        first = args[0] if args else None
        sized = name in ("bytes", "bytearray") and isinstance(first, int)
        if sized or isinstance(first, range):
            raise PickleSizeError(
                f"the pickle asks for {name}({first!r}), {'a block' if sized else 'items'} "
                "made from a number in the file, not data it holds"
            )
        if hashing is not None and name in ("set", "frozenset", "dict"):
            if isinstance(first, list | tuple):
                for item in first:
                    hashing.spend(_hashed_part(name, item))
            elif first is not None and not isinstance(first, dict | set | frozenset):
                raise PickleSizeError(
                    f"the pickle asks for {name}(...) of a {type(first).__name__}"
                )
        return kind(*args)

    return make


def _hashed_part(name: str, item: Any) -> Any:
    """What ``set``/``frozenset`` (the item) or ``dict`` (a pair's key) hashes of ``item``."""
    if name != "dict":
        return item
    if not isinstance(item, list | tuple) or len(item) != 2:
        # a pair may be any two-item iterable to dict(); pickles never call dict at all
        raise PickleSizeError(
            f"the pickle asks for dict(...) of a {type(item).__name__} of "
            f"{len(item) if isinstance(item, list | tuple) else 'some'} items, not a "
            "(key, value) pair"
        )
    return item[0]


#: Each opcode's name by its byte, for messages.
_OPCODE_NAMES: dict[int, str] = {
    getattr(pickle, name)[0]: name
    for name in ("BYTEARRAY8", "BINBYTES8", "BINBYTES", "BINUNICODE8", "BINUNICODE",
                 "BINSTRING", "LONG4", "FRAME")
}  # fmt: skip

#: The builtins that make as many items as their argument says.
_EXPANDING = frozenset({"bytes", "bytearray", "list", "tuple", "set", "frozenset", "dict"})


def _reconstruct_empty(reconstruct: Any) -> Any:
    """numpy's ``_reconstruct`` admitting only the empty shape numpy pickles with.

    ``ndarray.__reduce__`` always gives ``(0,)``; the data come with the state.
    Any other shape (``(10**9,)`` of objects: a gigabyte filled with ``None``)
    is a size made from a number in the file: refused before it is allocated.
    """

    import numpy as np

    def make(subtype: Any, shape: Any, dtype: Any) -> Any:
        sizes = shape if isinstance(shape, tuple) else (shape,)
        if not isinstance(subtype, _ArrayClass) or any(
            not isinstance(n, int) or n != 0 for n in sizes
        ):
            raise PickleSizeError(
                f"the pickle rebuilds an array of shape {shape!r}; numpy's own pickles "
                "start every array as an empty ndarray, shape (0,), so this one was not "
                "written by numpy"
            )
        return reconstruct(np.ndarray, shape, dtype)

    return make


def _resolve(module: str, name: str, hashing: HashBudget) -> Any:
    if module in ("builtins", "__builtin__"):
        return guarded_builtin(name, hashing)
    if (module, name) == ("numpy", "ndarray"):
        return _ArrayClass()
    if (module, name) == ("_codecs", "encode"):
        return _latin1_bytes
    if module in _NUMPY_CORE:
        found = _numpy_global(_NUMPY_CORE, name)
        return _reconstruct_empty(found) if name == "_reconstruct" else found
    if module in _NUMPY_NUMERIC:
        return _numpy_global(_NUMPY_NUMERIC, name)
    if (module, name) == ("numpy", "dtype"):
        return _dtype_from_text
    return getattr(importlib.import_module(module), name)


def _dtype_from_text(kind: Any, *rest: Any) -> Any:
    """``numpy.dtype`` as numpy's pickles call it: with a type's text (``"f8"``, ``"V16"``).

    A nested list of fields would be expanded by numpy once per reference, and a
    pickle can share one list many times over; numpy's pickles give fields in the
    state, never here.
    """
    import numpy as np

    if not isinstance(kind, str) or not all(isinstance(arg, bool | int) for arg in rest):
        raise PickleSizeError(
            f"the pickle asks for numpy.dtype(...) of a {type(kind).__name__}; numpy's own "
            "pickles give a type's text"
        )
    return np.dtype(kind, *rest)


def _latin1_bytes(text: Any, encoding: Any = "latin1", *rest: Any) -> bytes:
    """``_codecs.encode`` as pickles call it: a text's bytes in Latin-1, nothing else.

    Python pickles bytes under protocols 0-2 as ``_codecs.encode(text, "latin1")``;
    another codec (``"hex"`` doubles its input: a few bytes per call, gigabytes
    after thirty) is refused.
    """
    if rest or not isinstance(text, str) or encoding not in ("latin1", "latin-1"):
        raise PickleSizeError(
            f"the pickle encodes {type(text).__name__} with the codec {encoding!r}; "
            "pickles use Latin-1 for bytes"
        )
    return text.encode("latin1")


def _numpy_global(candidates: tuple[str, ...], name: str) -> Any:
    for candidate in candidates:  # the installed numpy's own spelling first
        try:
            return getattr(importlib.import_module(candidate), name)
        except (ImportError, AttributeError):
            continue
    raise AttributeError(f"{candidates[0]}.{name}")


def _check_array_state(state: Any, where: str) -> None:
    """Refuse an ndarray state whose data do not fill its shape.

    numpy's ``__setstate__`` trusts an object array's list: shape ``(10,)``
    with an empty list crashed the interpreter (a segmentation fault) in
    numpy 2.x. The pickle is damaged or forged: a ValueError (the caller says
    the pickle is not readable).
    """
    import numpy as np

    parts = state[1:] if len(state) == 5 else state  # (version,) shape, dtype, fortran, data
    if len(parts) != 4:
        raise ValueError(f"an array's state has {len(state)} parts")
    shape, dtype, _, data = parts
    if not isinstance(shape, tuple) or not all(isinstance(n, int) and n >= 0 for n in shape):
        raise ValueError(f"an array's shape is {shape!r}")
    if not isinstance(dtype, np.dtype):
        raise ValueError(f"an array's type is {type(dtype).__name__}, not a numpy dtype")
    _refuse_forged_dtype(dtype, where)  # before numpy takes numbers for objects
    count = math.prod(shape)
    if dtype.hasobject:
        if not isinstance(data, list) or len(data) != count:
            held = len(data) if isinstance(data, list) else type(data).__name__
            raise ValueError(f"an object array of shape {shape} holds {held} items")
    elif not isinstance(data, bytes | bytearray | str) or len(data) != count * dtype.itemsize:
        held = len(data) if isinstance(data, bytes | bytearray | str) else type(data).__name__
        raise ValueError(
            f"an array of shape {shape} and type {dtype} holds {held} bytes, not "
            f"{count * dtype.itemsize}"
        )


class BoundedUnpickler(pickle._Unpickler):
    """The pure-Python unpickler, counting what it hashes in a :class:`HashBudget`.

    Every dict key and set item (opcodes ``DICT``, ``SETITEM``, ``SETITEMS``,
    ``ADDITEMS``, ``FROZENSET``) is measured before it is hashed, so a few
    bytes cannot ask for 2**30 items of hashing; :class:`PickleSizeError` says
    so. Subclasses restrict :meth:`find_class` and hand builtins the budget
    through :func:`guarded_builtin`.

    Parameters
    ----------
    handle
        The pickle, an open binary file.
    encoding
        How Python 2 text (protocols 0-2) is decoded.

    Examples
    --------
    >>> import io, pickle
    >>> BoundedUnpickler(io.BytesIO(pickle.dumps({("a", 1): 2}))).load()
    {('a', 1): 2}
    """

    dispatch: ClassVar[dict[int, Any]] = dict(pickle._Unpickler.dispatch)

    def __init__(self, handle: io.BufferedIOBase, encoding: str = "ASCII") -> None:
        super().__init__(handle, encoding=encoding)
        self.hashing = HashBudget()
        self._handle = handle
        try:  # where the file ends, to bound the lengths its opcodes declare
            start = handle.tell()
            self._end: int | None = handle.seek(0, io.SEEK_END)
            handle.seek(start)
        except (AttributeError, OSError, ValueError):  # not seekable: lengths not bounded
            self._end = None

    def _file_bytes_left(self) -> int | None:
        """The bytes left in the file after the current position, if it is seekable."""
        if self._end is None:
            return None
        return self._end - self._handle.tell()

    def _bytes_left(self) -> int | None:
        """The bytes the next read can return: the current frame's rest, else the file's."""
        frame = self._unframer.current_frame
        if frame is not None:
            with frame.getbuffer() as held:
                in_frame = held.nbytes - frame.tell()
            if in_frame > 0:  # an exhausted frame hands reads on to the file
                return in_frame
        return self._file_bytes_left()

    def _refuse_beyond_end(self, opcode: str, declared: int, left: int | None) -> None:
        if declared < 0:
            raise pickle.UnpicklingError(f"{opcode} declares a negative length ({declared})")
        if left is not None and declared > left:
            raise PickleCutShortError(
                f"{opcode} declares {declared} bytes but only {left} are left in the "
                "pickle: it is cut short or damaged"
            )

    def _bounded(
        opcode: bytes, size_format: str, make: Callable[[Any, int], None], *, frame: bool = False
    ) -> Any:
        """An opcode's loader that checks its declared length before reading or allocating."""
        name = _OPCODE_NAMES[opcode[0]]
        width = struct.calcsize(size_format)

        def load(self: BoundedUnpickler) -> None:
            raw = self.read(width)
            if len(raw) < width:
                raise PickleCutShortError(
                    f"{name} needs a {width}-byte length but the pickle ends after {len(raw)}"
                )
            (declared,) = struct.unpack(size_format, raw)
            left = self._file_bytes_left() if frame else self._bytes_left()
            self._refuse_beyond_end(name, declared, left)
            make(self, declared)

        return load

    def _make_bytearray(self, size: int) -> None:
        block = bytearray(size)
        self.readinto(block)
        self.append(block)

    def _make_text(self, size: int) -> None:
        self.append(str(self.read(size), "utf-8", "surrogatepass"))

    for _opcode, _format, _make in (
        (pickle.BYTEARRAY8, "<Q", _make_bytearray),
        (pickle.BINBYTES8, "<Q", lambda self, size: self.append(self.read(size))),
        (pickle.BINBYTES, "<I", lambda self, size: self.append(self.read(size))),
        (pickle.BINUNICODE8, "<Q", _make_text),
        (pickle.BINUNICODE, "<I", _make_text),
        (
            pickle.BINSTRING,
            "<i",
            lambda self, size: self.append(self._decode_string(self.read(size))),
        ),
        (pickle.LONG4, "<i", lambda self, size: self.append(pickle.decode_long(self.read(size)))),
    ):
        dispatch[_opcode[0]] = _bounded(_opcode, _format, _make)
    dispatch[pickle.FRAME[0]] = _bounded(
        pickle.FRAME, "<Q", lambda self, size: self._unframer.load_frame(size), frame=True
    )
    del _opcode, _format, _make, _bounded, _make_bytearray, _make_text

    def _hash_keys_then(load: Any, keys: slice) -> Any:
        def checked(self: BoundedUnpickler) -> None:
            for key in self.stack[keys]:  # the items since the last MARK
                self.hashing.spend(key)
            load(self)

        return checked

    def _load_setitem(self) -> None:
        self.hashing.spend(self.stack[-2])
        pickle._Unpickler.load_setitem(self)

    dispatch[pickle.SETITEM[0]] = _load_setitem
    dispatch[pickle.SETITEMS[0]] = _hash_keys_then(
        pickle._Unpickler.load_setitems, slice(0, None, 2)
    )
    dispatch[pickle.DICT[0]] = _hash_keys_then(pickle._Unpickler.load_dict, slice(0, None, 2))
    dispatch[pickle.ADDITEMS[0]] = _hash_keys_then(pickle._Unpickler.load_additems, slice(None))
    dispatch[pickle.FROZENSET[0]] = _hash_keys_then(pickle._Unpickler.load_frozenset, slice(None))
    del _hash_keys_then


class _Restricted(BoundedUnpickler):
    """The pure-Python unpickler (its opcodes can be overridden), restricted.

    ``BUILD`` of an array checks its state first (:func:`_check_array_state`);
    the data files this reads hold a few arrays, so the pure-Python loop costs
    little.
    """

    dispatch: ClassVar[dict[int, Any]] = dict(BoundedUnpickler.dispatch)

    def __init__(self, handle: io.BufferedIOBase, where: str) -> None:
        super().__init__(handle, encoding="latin1")
        self.where = where

    def _load_build(self) -> None:
        import numpy as np

        state, instance = self.stack[-1], self.stack[-2]
        if isinstance(instance, np.ndarray):
            if not isinstance(state, tuple):
                raise ValueError(f"an array's state is a {type(state).__name__}")
            _check_array_state(state, self.where)
        self.load_build()

    dispatch[pickle.BUILD[0]] = _load_build

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) not in ALLOWED:
            raise UnsafePickleError(
                f"{self.where}: the pickle references {module}.{name}, which is not plain "
                "data (numpy arrays, numbers, strings, containers); refused, nothing of it "
                "was run. Load it yourself only if you trust its origin."
            )
        return _resolve(module, name, self.hashing)


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
    except PickleSizeError as error:
        raise UnsafePickleError(f"{where}: {error}; refused, nothing of it was used.") from None
    except PickleCutShortError as error:
        raise PoseBridgeError(f"{where}: not a readable pickle ({error}).") from None
    except EOFError:
        raise PoseBridgeError(
            f"{where}: not a readable pickle (it ends before its end mark: the file is cut "
            "short or damaged)."
        ) from None
    except MemoryError:
        raise PoseBridgeError(
            f"{where}: not a readable pickle (it asks for more memory than is free)."
        ) from None
    except Exception as error:
        # only admitted classes ran, so the bytes are bad: UnpicklingError, EOFError, and
        # what numpy's array reconstruction raises on a damaged state (ValueError,
        # TypeError, IndexError, KeyError, MemoryError, ...)
        raise PoseBridgeError(
            f"{where}: not a readable pickle ({type(error).__name__}: {error})."
        ) from None
    try:
        refuse_deep_nesting(value)
    except PickleSizeError as error:
        raise UnsafePickleError(f"{where}: {error}; refused, nothing of it was used.") from None
    _refuse_forged_dtypes(value, where)
    return value


def refuse_deep_nesting(value: Any) -> None:
    """Refuse a value nesting containers more than :data:`MAX_NESTING` levels, or holding itself.

    Python compares, prints and copies nested lists, tuples and dicts by
    recursion, and numpy converts them so: a value nested a million levels
    deep (a 1 MB pickle) raises RecursionError there, or crashes the
    interpreter where Python does not count the levels; a list holding
    itself never ends. Lists, tuples, dicts (keys and values), sets,
    frozensets, slices and object arrays count as levels; each container is
    visited once, however often the pickle refers to it.

    Parameters
    ----------
    value
        An unpickled value.

    Raises
    ------
    PickleSizeError
        When containers nest deeper than :data:`MAX_NESTING` (or in a cycle);
        the caller names the file.

    Examples
    --------
    >>> refuse_deep_nesting({"a": [[1, 2], (3, 4)]})
    >>> nested = []
    >>> for _ in range(1000):
    ...     nested = [nested]
    >>> refuse_deep_nesting({"a": nested})
    Traceback (most recent call last):
    ...
    posebridge.formats._shared.safe_pickle.PickleSizeError: the pickle nests containers ...
    """
    root_parts = _parts(value)
    if root_parts is None:
        return
    finished: set[int] = set()  # containers whose every part is measured
    path = [(value, root_parts)]
    while path:
        container, parts = path[-1]
        for part in parts:
            inner = _parts(part)
            if inner is None or id(part) in finished:
                continue
            if len(path) >= MAX_NESTING:
                raise PickleSizeError(
                    f"the pickle nests containers more than {MAX_NESTING} levels deep (or "
                    "holds a container inside itself); data files nest a few"
                )
            path.append((part, inner))
            break
        else:
            finished.add(id(container))
            path.pop()


def _parts(value: Any) -> Any:
    """An iterator over what ``value`` holds if it is a container, else None."""
    if isinstance(value, list | tuple | set | frozenset):
        return iter(value)
    if isinstance(value, dict):
        return itertools.chain(value.keys(), value.values())
    if isinstance(value, slice):
        return iter((value.start, value.stop, value.step))
    if type(value).__module__ == "numpy" and getattr(value, "dtype", None) is not None:
        import numpy as np

        if isinstance(value, np.ndarray) and value.dtype.hasobject:
            return iter(value.ravel().tolist())
    return None


def _refuse_forged_dtypes(value: Any, where: str) -> None:
    """Refuse arrays whose dtype flags are not their type's own.

    A dtype's pickled state carries its flags; damaged (or forged) flags can
    mark a float64 array as holding Python objects, and numpy then treats its
    numbers as object pointers (measured: SystemError from a ufunc, errors at
    deallocation). Everything the value holds is looked at: dict values, list
    and tuple items, and the items of object arrays (``np.save`` of a dict, as
    idtracker.ai writes, is a 0-d object array holding the dict). Each
    container is visited once, however often the pickle refers to it.
    """
    import numpy as np

    seen: set[int] = set()
    stack = [value]
    while stack:
        item = stack.pop()
        if id(item) in seen:
            continue
        seen.add(id(item))
        if isinstance(item, np.ndarray | np.generic):
            dtype = item.dtype
            _refuse_forged_dtype(dtype, where)
            if dtype.kind == "O" and isinstance(item, np.ndarray):
                stack.extend(item.ravel().tolist())  # as many as the pickle wrote
        elif isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list | tuple):
            stack.extend(item)


#: The dtype flags that say how numpy handles an item (NPY_ITEM_REFCOUNT, NPY_LIST_PICKLE,
#: NPY_ITEM_IS_POINTER, NPY_NEEDS_INIT, NPY_NEEDS_PYAPI, NPY_USE_GETITEM, NPY_USE_SETITEM);
#: an aligned struct's own flags (NPY_ALIGNED_STRUCT, NPY_FROM_FIELDS) say nothing of that.
_ITEM_FLAGS = 0x7F


def _refuse_forged_dtype(dtype: Any, where: str) -> None:
    """Refuse a dtype whose item flags are not its type's own (:func:`_refuse_forged_dtypes`)."""
    import numpy as np

    own = np.dtype(dtype.descr if dtype.names else dtype.str)
    forged = (dtype.flags & _ITEM_FLAGS) != (own.flags & _ITEM_FLAGS)
    if forged or dtype.hasobject != own.hasobject:
        raise PoseBridgeError(
            f"{where}: the pickle holds an array whose type ({dtype}) carries flags "
            f"{dtype.flags} that are not its own ({own.flags}); the file is damaged."
        )
