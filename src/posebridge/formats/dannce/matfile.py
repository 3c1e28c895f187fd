"""MATLAB ``.mat`` files for DANNCE: v5 (scipy) and v7.3 (HDF5, h5py).

:func:`head_variables` lists the variable names and shapes that the first
bytes of a v5 file declare, without reading the file again (the sniffer's
look); :func:`load` reads named variables of either version, with v7.3's
column-major arrays turned back to MATLAB's axis order (as scipy gives them).
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

from posebridge.errors import FormatError, PoseBridgeError
from posebridge.formats._shared.hdf5 import FREE_BYTES, read_whole

__all__ = [
    "BEYOND_HEAD",
    "V73_TEXT",
    "file_variables",
    "head_variables",
    "is_v5",
    "is_v73",
    "load",
    "refuse_unknown_types",
    "scipy_io_module",
]

V5_TEXT = b"MATLAB 5.0 MAT-file"
#: Key of :func:`head_variables` marking that more variables follow beyond the head.
BEYOND_HEAD = "..."
V73_TEXT = b"MATLAB 7.3 MAT-file"
_MATRIX, _COMPRESSED = 14, 15
#: The data types a v5 element may have (miINT8 ... miUTF32; 8, 10 and 11 are reserved).
_KNOWN_TYPES = frozenset({1, 2, 3, 4, 5, 6, 7, 9, 12, 13, 14, 15, 16, 17, 18})


def is_v5(head: bytes) -> bool:
    """Whether the bytes start a MATLAB v5 (v6, v7) MAT-file."""
    return head.startswith(V5_TEXT) and len(head) >= 128


def is_v73(head: bytes) -> bool:
    """Whether the bytes start a MATLAB v7.3 MAT-file (HDF5 with a 512-byte user block)."""
    return head.startswith(V73_TEXT)


def _tag(buffer: bytes, offset: int, order: str) -> tuple[int, int, int] | None:
    """(type, size, data offset) of the element tag at ``offset``; small elements packed."""
    if offset + 8 > len(buffer):
        return None
    first, second = struct.unpack_from(order + "II", buffer, offset)
    if first >> 16:  # small data element: size in the upper half, data in the next 4 bytes
        return first & 0xFFFF, first >> 16, offset + 4
    return first, second, offset + 8


def _matrix_header(body: bytes, order: str) -> tuple[str, tuple[int, ...]] | None:
    """Name and dims of a miMATRIX element body (array flags, dims, name)."""
    flags = _tag(body, 0, order)
    if flags is None:
        return None
    offset = flags[2] + ((flags[1] + 7) // 8) * 8
    dims = _tag(body, offset, order)
    if dims is None or dims[2] + dims[1] > len(body):
        return None
    shape = struct.unpack_from(order + f"{dims[1] // 4}i", body, dims[2])
    offset = dims[2] + ((dims[1] + 7) // 8) * 8 if dims[2] == offset + 8 else offset + 8
    name = _tag(body, offset, order)
    if name is None or name[2] + name[1] > len(body):
        return None
    return body[name[2] : name[2] + name[1]].decode("latin1"), tuple(shape)


def _unknown_type(body: memoryview, order: str, depth: int = 0) -> int | None:
    """The first element type in a miMATRIX body (or its cells and fields) MATLAB lacks."""
    offset = 0
    while (tag := _tag(body, offset, order)) is not None:
        kind, size, start = tag
        if kind not in _KNOWN_TYPES:
            return kind
        if kind == _MATRIX and depth < 64:  # a cell's or a field's array
            inner = _unknown_type(body[start : start + size], order, depth + 1)
            if inner is not None:
                return inner
        offset = start + ((size + 7) // 8) * 8 if start == offset + 8 else offset + 8
    return None


def refuse_unknown_types(path: Path, names: tuple[str, ...]) -> None:
    """Refuse a v5 file whose variables ``names`` hold an element of an undefined type.

    scipy's reader crashes the process (a segmentation fault) on such an
    element instead of raising, so the named variables' elements are walked
    first (compressed ones inflated). A file cut short is refused too: scipy
    reads the variables before the cut and leaves the others out without a word; so is
    a file cut within its first element's tag (scipy reads it as holding none). A
    header followed by nothing is a complete file of no variable, as
    ``scipy.io.savemat(path, {})`` writes, and is not refused here.
    Anything else damaged is left to scipy, which raises for it.

    Raises
    ------
    FormatError
        Naming the variable and the type found, or saying where the file is cut short.

    Examples
    --------
    >>> import io, numpy as np, scipy.io
    >>> out = io.BytesIO()
    >>> scipy.io.savemat(out, {"pred": np.zeros((2, 3))})
    >>> data = bytearray(out.getvalue())
    >>> data[data.index(bytes([9, 0, 0, 0, 48]))] = 8  # its numbers' type -> reserved 8
    >>> path = Path(getfixture("tmp_path")) / "bad.mat"
    >>> _ = path.write_bytes(bytes(data))
    >>> refuse_unknown_types(path, ("pred",))
    Traceback (most recent call last):
    ...
    posebridge.errors.FormatError: ...: the variable 'pred' holds a data element of type 8, ...
    """
    data = memoryview(path.read_bytes())
    if not is_v5(bytes(data[:128])):
        return
    limit = max(FREE_BYTES, COMPRESSED_EXPANSION * len(data))
    order = "<" if bytes(data[126:128]) == b"IM" else ">"
    offset = 128
    while (tag := _tag(data, offset, order)) is not None:
        kind, size, start = tag
        if start + size > len(data):  # scipy reads the variables before and says no more
            raise FormatError(
                path,
                f"is cut short: its element at byte {offset} declares {size} bytes, and "
                f"{len(data) - start} follow; the file may be incomplete (an interrupted "
                "copy or save). Copy or save it again.",
            )
        body: memoryview | None = None
        if kind == _MATRIX:
            body = data[start : start + size]
        elif kind == _COMPRESSED:
            try:
                head = zlib.decompressobj().decompress(data[start : start + size], 4096)
                inner = _tag(head, 0, order)
                header = _matrix_header(head[inner[2] :], order) if inner else None
                if header is not None and header[0] in names:
                    if inner[1] > limit:  # a few zeros deflated: gigabytes (twice: scipy too)
                        raise FormatError(
                            path,
                            f"the variable {header[0]!r} inflates to {inner[1]} bytes, "
                            f"{inner[1] // len(data)} times the file, more than predictions "
                            "shrink (a zlib bomb?); refused. If it is genuine, save it "
                            "uncompressed (savemat(..., do_compression=False)).",
                        )
                    inflater = zlib.decompressobj()  # no further than the size it declares
                    inflated = inflater.decompress(data[start : start + size], inner[1] + 8)
                    body = memoryview(inflated)[8:]
            except zlib.error:
                body = None  # scipy says what is wrong with it
        header = _matrix_header(bytes(body[:4096]), order) if body is not None else None
        if header is not None and header[0] in names:
            found = _unknown_type(body, order)
            if found is not None:
                raise FormatError(
                    path,
                    f"the variable {header[0]!r} holds a data element of type {found}, which "
                    "MATLAB does not define: the file is damaged.",
                )
        offset = start + size if kind == _COMPRESSED else start + ((size + 7) // 8) * 8
    # Nothing after the header is a complete MAT-file of no variable (savemat(path, {})),
    # left to the caller to say which variable is missing; a few bytes, too few for an
    # element's tag, are a variable cut short (scipy reads no variable and says nothing).
    if offset == 128 and len(data) > 128:
        raise FormatError(
            path,
            f"is cut short right after its 128-byte MATLAB header: {len(data) - 128} "
            f"byte{'s' if len(data) - 128 != 1 else ''} follow it, fewer than a variable's "
            "8-byte tag; the file may be incomplete (an interrupted copy or save). Copy or "
            "save it again.",
        )


#: How many times its file's size a compressed variable may inflate to (past FREE_BYTES):
#: predictions of real numbers shrink a few times; a block of zeros a thousandfold.
COMPRESSED_EXPANSION = 256


def head_variables(head: bytes) -> dict[str, tuple[int, ...]]:
    """Variable names and shapes declared in the first bytes of a v5 MAT-file.

    Walks the top-level elements as far as ``head`` reaches; a compressed
    element is inflated only as far as its header. Variables beyond the head
    are not listed; the key :data:`BEYOND_HEAD` says that the file goes on.

    Examples
    --------
    >>> import io, numpy as np, scipy.io
    >>> out = io.BytesIO()
    >>> scipy.io.savemat(out, {"pred": np.zeros((4, 3, 2))}, do_compression=True)
    >>> head_variables(out.getvalue())
    {'pred': (4, 3, 2)}
    """
    if not is_v5(head):
        return {}
    order = "<" if head[126:128] == b"IM" else ">"
    found: dict[str, tuple[int, ...]] = {}
    offset = 128
    while (tag := _tag(head, offset, order)) is not None:
        kind, size, start = tag
        if (header := _declared(kind, head[start : start + size], order)) is not None:
            found[header[0]] = header[1]
        offset = start + (size if kind == _COMPRESSED else ((size + 7) // 8) * 8)
    if offset > len(head):
        found[BEYOND_HEAD] = ()
    return found


def _declared(kind: int, chunk: bytes, order: str) -> tuple[str, tuple[int, ...]] | None:
    """(name, shape) of a top-level element whose data begin with ``chunk``, or None; a
    compressed element is inflated only as far as its header."""
    body: bytes | None = None
    if kind == _MATRIX:
        body = chunk[:4096]
    elif kind == _COMPRESSED:
        try:
            inflated = zlib.decompressobj().decompress(chunk, 4096)
        except zlib.error:
            inflated = b""
        inner = _tag(inflated, 0, order)
        if inner is not None and inner[0] == _MATRIX:
            body = inflated[inner[2] :]
    return _matrix_header(body, order) if body is not None else None


#: The most top-level elements :func:`file_variables` walks (MATLAB files hold a few).
_MOST_VARIABLES = 10_000


def file_variables(path: Path) -> dict[str, tuple[int, ...]]:
    """Every variable name and shape of a v5 MAT-file, read tag by tag.

    A few bytes per variable (its tag and header), however large its data:
    for files whose variables lie beyond the head :func:`head_variables` reads
    (MATLAB saves them in alphabetical order, a large ``data`` before ``pred``).

    Examples
    --------
    >>> import numpy as np, scipy.io
    >>> path = Path(getfixture("tmp_path")) / "a.mat"
    >>> scipy.io.savemat(path, {"data": np.zeros((9000, 3)), "pred": np.zeros((4, 3, 2))})
    >>> file_variables(path)
    {'data': (9000, 3), 'pred': (4, 3, 2)}
    """
    found: dict[str, tuple[int, ...]] = {}
    with open(path, "rb") as handle:
        head = handle.read(128)
        if not is_v5(head):
            return found
        order = "<" if head[126:128] == b"IM" else ">"
        offset = 128
        for _ in range(_MOST_VARIABLES):
            handle.seek(offset)
            tag = _tag(handle.read(8), 0, order)
            if tag is None:
                break
            kind, size, start = tag
            handle.seek(offset + start)
            chunk = handle.read(min(size, 1 << 16 if kind == _COMPRESSED else 4096))
            if (header := _declared(kind, chunk, order)) is not None:
                found[header[0]] = header[1]
            offset += start + (size if kind == _COMPRESSED else ((size + 7) // 8) * 8)
    return found


#: A dataset being read: a cell that refers to it again holds itself.
_READING = object()


def _v73_value(h5: Any, item: Any, read: dict[str, Any] | None = None) -> Any:
    """A v7.3 variable as MATLAB holds it; ``read`` keeps each dataset's value once.

    A cell array's cells are references: three thousand cells of one dataset (a
    file of 10 kB) are that dataset read once, not three thousand times.
    """
    import h5py

    read = {} if read is None else read
    if isinstance(item, h5py.Group):
        return {key: _v73_value(h5, item[key], read) for key in item}
    if item.name in read:
        if read[item.name] is _READING:
            raise FormatError(
                Path(h5.filename), f"the cell array {item.name} holds itself; the file is damaged."
            )
        return read[item.name]
    read[item.name] = _READING
    values = read_whole(item)  # a declared billion: refused, not read
    matlab_class = item.attrs.get("MATLAB_class", b"")
    matlab_class = matlab_class.decode() if isinstance(matlab_class, bytes) else str(matlab_class)
    if values.dtype == h5py.ref_dtype or values.dtype.kind == "O":  # a cell array
        cells = np.empty(values.shape, dtype=object)
        for index, ref in np.ndenumerate(values):
            cells[index] = _v73_value(h5, h5[ref], read)
        read[item.name] = cells.T
        return read[item.name]
    if matlab_class != "char" and item.attrs.get("MATLAB_empty", 0):
        read[item.name] = _v73_empty(h5, item, values, matlab_class)
        return read[item.name]
    array = np.asarray(values).T  # column-major on disk: reverse the axes back
    read[item.name] = _v73_text(h5, item, array) if matlab_class == "char" else array
    return read[item.name]


#: The numpy type of an empty v7.3 array of each MATLAB class (others: double's).
_EMPTY_TYPES = {
    "single": np.float32,
    "int8": np.int8,
    "uint8": np.uint8,
    "int16": np.int16,
    "uint16": np.uint16,
    "int32": np.int32,
    "uint32": np.uint32,
    "int64": np.int64,
    "uint64": np.uint64,
    "logical": np.bool_,
    "cell": object,
}


def _v73_empty(h5: Any, item: Any, values: np.ndarray, matlab_class: str) -> np.ndarray:
    """A v7.3 empty array (``MATLAB_empty``): MATLAB stores its dimensions, in MATLAB's
    order, in place of the data (``zeros(8, 0)`` is the dataset ``[8, 0]``); read as an
    array of those dimensions, as scipy reads the same variable of a v5 file.

    Raises
    ------
    FormatError
        When the stored dimensions are not whole numbers >= 0 (and below 2**48) of
        which one is 0.
    """
    dims = np.asarray(values).reshape(-1)
    if (
        dims.dtype.kind not in "iuf"
        or dims.size == 0
        or not np.all((dims >= 0) & (dims <= 2**48) & (dims == np.floor(dims)))
        or not np.any(dims == 0)
    ):
        raise FormatError(
            Path(h5.filename),
            f"{item.name} is marked empty (MATLAB_empty) but its stored dimensions "
            f"{dims.tolist()[:8]} are not those of an empty array; the file is damaged.",
        )
    shape = tuple(int(d) for d in dims)
    return np.empty(shape, dtype=_EMPTY_TYPES.get(matlab_class, np.float64))


def _v73_text(h5: Any, item: Any, array: np.ndarray) -> str | np.ndarray:
    """A v7.3 char array's text: MATLAB's UTF-16 code units, one string per row (a
    char matrix is names padded to one length), as scipy gives a v5 file's; one row is
    a plain string."""
    if item.attrs.get("MATLAB_empty", 0) or array.size == 0:  # '' (its dims are stored)
        return ""
    rows = np.atleast_2d(array)
    if array.dtype.kind not in "iuf":
        raise FormatError(
            Path(h5.filename),
            f"the text {item.name} is stored as {array.dtype}; MATLAB stores char as "
            "16-bit UTF-16 code units (uint16).",
        )
    # a wider type (uint32, int64, double) holds units too, so long as each is one: a
    # value past 65535 (a code point?) would wrap round to another character on the cast
    not_a_unit = (array < 0) | (array > 0xFFFF) | (array != np.floor(array))
    if np.any(not_a_unit):
        value = array[not_a_unit].flat[0].item()
        raise FormatError(
            Path(h5.filename),
            f"the text {item.name} holds {value!r} ({array.dtype}), which is not a UTF-16 "
            "code unit (a whole number 0 to 65535, as MATLAB stores char); the file is "
            "damaged or was not written by MATLAB.",
        )
    rows = rows.reshape(-1, rows.shape[-1]).astype("<u2")
    try:
        texts = [row.tobytes().decode("utf-16-le") for row in rows]  # one per name
    except UnicodeDecodeError as error:
        raise FormatError(
            Path(h5.filename), f"the text {item.name} is not UTF-16 as MATLAB writes ({error})."
        ) from None
    return texts[0] if len(texts) == 1 else np.asarray(texts, dtype=str)


def scipy_io_module(path: Path) -> Any:
    """``scipy.io``, or a PoseBridgeError saying how to install it (the ``mat`` extra)."""
    try:
        import scipy.io
    except ImportError:
        raise PoseBridgeError(
            f"{path}: reading MATLAB v5 .mat files needs scipy; "
            "install it with `pip install posebridge[mat]` (or `pip install scipy`)."
        ) from None
    return scipy.io


def load(path: Path, names: tuple[str, ...]) -> dict[str, Any]:
    """The variables ``names`` of a MAT-file (those present), in MATLAB's axis order.

    Parameters
    ----------
    path
        A MATLAB v5 or v7.3 MAT-file.
    names
        The variables wanted.

    Returns
    -------
    dict
        name -> numpy array (cell arrays of strings: object arrays of str).

    Raises
    ------
    FormatError
        When the file is not a readable MAT-file.
    """
    with open(path, "rb") as handle:
        head = handle.read(128)
    if is_v73(head):
        import h5py

        try:
            with h5py.File(path, "r") as h5:
                return {name: _v73_value(h5, h5[name]) for name in names if name in h5}
        except FormatError:  # (a ValueError too) ours, as raised
            raise
        except (OSError, KeyError, ValueError, TypeError) as error:
            raise FormatError(path, f"is not a readable MATLAB v7.3 file ({error}).") from None
    scipy_io = scipy_io_module(path)
    if path.stat().st_size == 0:
        raise FormatError(path, "is empty (0 bytes); expected a MATLAB .mat file.")
    refuse_unknown_types(path, names)  # scipy would crash the process on one
    with readable_mat(path, scipy_io):
        return scipy_io.loadmat(path, variable_names=list(names))


@contextmanager
def readable_mat(path: Path, scipy_io: Any) -> Iterator[None]:
    """Turn what scipy's MAT-file reader raises for a damaged or foreign file into a
    FormatError naming ``path`` (for reading and for describing a v5 file).

    Examples
    --------
    >>> import scipy.io
    >>> try:
    ...     with readable_mat(Path("a.mat"), scipy.io):
    ...         raise EOFError("short file")
    ... except FormatError as error:
    ...     print(error)
    a.mat: is not a readable MATLAB file (short file).
    """
    try:
        yield
    except (
        ValueError,
        TypeError,
        OSError,
        NotImplementedError,
        zlib.error,
        IndexError,  # scipy's header parser on a short non-MAT file
        EOFError,
        scipy_io.matlab.MatReadError,
    ) as error:
        raise FormatError(path, f"is not a readable MATLAB file ({error}).") from None
    except UnboundLocalError:  # scipy's compiled reader, on an array of a class it lacks
        raise FormatError(
            path,
            "is not a readable MATLAB file (a variable's array is of a class MATLAB does not "
            "define: the file is damaged).",
        ) from None
