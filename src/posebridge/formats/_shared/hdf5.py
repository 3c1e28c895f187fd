"""Row blocks of 1-D compound HDF5 tables, read and written chunk by chunk.

Reading a compound dataset through h5py converts it with a buffer as large as
the selection (and HDF5 keeps that memory on its free lists). The .slp tables
are stored unfiltered and chunked, with the same byte layout as their numpy
dtype, so a chunk's raw bytes *are* the rows: reading them with
``read_direct_chunk`` (and writing with ``write_direct_chunk``) skips the
conversion. Tables that do not qualify (filters, other layouts) go through
ordinary h5py slicing.

:func:`read_columns` keeps only some columns of a table (integers as int32
where they fit); :func:`point_blocks` reads the points of many instances in
blocks of rows.
"""

from __future__ import annotations

import errno
from collections.abc import Iterator
from contextlib import contextmanager
from os import PathLike
from typing import Any

import numpy as np

from posebridge._threads import map_on_threads, usable_cores
from posebridge.errors import FormatError, brief, unavailable_filter, unavailable_filter_error
from posebridge.model import whole_numbers


def one_number(owner: Any, name: str, default: Any, path: Any, *, whole: bool = False) -> Any:
    """The attribute ``name`` of an HDF5 object when it holds one number or flag.

    ``default`` when the attribute is absent. Anything else (text, several
    numbers, none, NaN; with ``whole``, what :func:`posebridge.model.whole_numbers`
    refuses) is
    a :class:`~posebridge.errors.FormatError` naming the object and the
    attribute.

    Examples
    --------
    >>> one_number(h5, "frame_offset", 0, "a.analysis.h5", whole=True)  # doctest: +SKIP
    0
    """
    if name not in owner.attrs:
        return default
    where = getattr(owner, "name", None) or "/"
    return number_in(np.asarray(owner.attrs[name]), where, name, path, whole=whole)


def number_in(array: np.ndarray, where: str, name: str, path: Any, *, whole: bool = False) -> Any:
    """The one number an attribute's value holds (the rule of :func:`one_number`).

    Examples
    --------
    >>> number_in(np.array(7, dtype=np.uint32), "/frame_0", "index", "a.nwb", whole=True)
    7
    """
    number = array.reshape(-1)[0].item() if array.size == 1 else None
    fits = array.size == 1 and array.dtype.kind in "biuf" and np.isfinite(array).all()
    if fits and whole:
        fits = bool(whole_numbers(number))
    if not fits:
        raise FormatError(
            path,
            f"{where}: the '{name}' attribute is {brief(array.tolist())}; expected one "
            f"{'whole number' if whole else 'number'}.",
        )
    return int(number) if whole else number


class NumpyTypes:
    """The numpy dtypes of HDF5 types met before, found by HDF5's own type comparison.

    h5py builds a new numpy dtype at every ``.dtype`` of a low-level object,
    which costs more than reading a small dataset; a file of many small
    objects has few distinct types.

    Examples
    --------
    >>> types = NumpyTypes()
    >>> types.of(dataset_id.get_type())  # doctest: +SKIP
    dtype('<f8')
    """

    def __init__(self) -> None:
        self._known: list[tuple[Any, np.dtype]] = []

    def of(self, type_id: Any) -> np.dtype:
        """The numpy dtype of an h5py ``TypeID``."""
        for known, dtype in self._known:
            if known == type_id:
                return dtype
        dtype = type_id.dtype
        if len(self._known) < 16:
            self._known.append((type_id, dtype))
        return dtype


def plain_attribute(owner: Any, name: bytes, types: NumpyTypes | None = None) -> np.ndarray | None:
    """A numeric attribute of a low-level h5py object, read without a Python object per call.

    The attribute must exist (the caller asks ``h5py.h5a.exists`` once).
    ``None`` when it is not plain (not numbers, or a null dataspace): the
    caller then reads it the ordinary way, which decides.

    Examples
    --------
    >>> plain_attribute(frame_id, b"source_video_frame_index")  # doctest: +SKIP
    array(0, dtype=uint32)
    """
    import h5py

    attribute = h5py.h5a.open(owner, name)
    dtype = types.of(attribute.get_type()) if types is not None else attribute.dtype
    if dtype.kind not in "biuf" or attribute.shape is None:
        return None
    value = np.empty(attribute.shape, dtype=dtype)
    attribute.read(value)
    return value


def checked_attribute(owner: Any, name: str, default: Any = None) -> Any:
    """``owner.attrs.get(name, default)``, refusing a type that HDF5 may crash on.

    A variable-length *sequence* attribute (a vlen string whose type field one
    damaged byte turned into something else reads as one) makes HDF5 2.0 die
    with a segmentation fault when it is read (found by the fuzzer in an NWB
    series' ``description``). The formats posebridge reads never store one in
    an attribute, so its type is looked at first (one open, no read).

    Raises
    ------
    FormatError
        Naming the file, the object and the attribute.

    Examples
    --------
    >>> checked_attribute(series, "unit", "pixels")  # doctest: +SKIP
    'pixels'
    """
    import h5py

    key = name.encode()
    if not h5py.h5a.exists(owner.id, key):
        return default
    if h5py.h5a.open(owner.id, key).get_type().get_class() == h5py.h5t.VLEN:
        raise FormatError(
            owner.file.filename,
            f"{owner.name}: the attribute {name!r} has a variable-length sequence type, "
            "which no attribute of this format has: the file is damaged (HDF5 would crash "
            "reading it).",
        )
    return owner.attrs[name]


def raw_layout(dataset: Any) -> bool:
    """Whether ``dataset``'s stored chunks can be taken as numpy rows as they are.

    True for a 1-D chunked, unfiltered compound dataset whose every chunk is
    allocated and whose member names, offsets, sizes and (little-endian) byte
    order match its numpy dtype.
    """
    import h5py

    dtype = dataset.dtype
    if dataset.ndim != 1 or dataset.chunks is None or dtype.names is None:
        return False
    if dataset.id.get_create_plist().get_nfilters():
        return False
    file_type = dataset.id.get_type()
    if not isinstance(file_type, h5py.h5t.TypeCompoundID):
        return False
    if file_type.get_size() != dtype.itemsize or file_type.get_nmembers() != len(dtype.names):
        return False
    for i, name in enumerate(dtype.names):
        member = file_type.get_member_type(i)
        field, offset = dtype.fields[name][:2]
        if file_type.get_member_name(i).decode() != name:
            return False
        if file_type.get_member_offset(i) != offset or member.get_size() != field.itemsize:
            return False
        if field.itemsize > 1 and (
            field.byteorder == ">" or member.get_order() != h5py.h5t.ORDER_LE
        ):
            return False
    n_chunks = -(-dataset.shape[0] // dataset.chunks[0])
    return dataset.id.get_num_chunks() == n_chunks


class ChunkBuffer:
    """One chunk of a table, read raw, and which chunk it is (reused between reads).

    Blocks of rows that share a chunk (one block ends inside it, the next one
    starts there) read it once.
    """

    def __init__(self, dataset: Any) -> None:
        self.rows = np.empty(dataset.chunks[0], dtype=dataset.dtype)
        self.start = -1  # row where the chunk held in ``rows`` starts; -1: none yet


def _read_chunk(dataset: Any, start: int, scratch: ChunkBuffer) -> np.ndarray:
    """The rows of the chunk at row ``start``, read raw into ``scratch`` unless it holds them."""
    if scratch.start == start:
        return scratch.rows
    scratch.start = -1  # a failed read leaves no chunk claimed
    _, data = dataset.id.read_direct_chunk((start,), out=scratch.rows.view(np.uint8))
    if len(data) != scratch.rows.nbytes:
        raise OSError(
            f"a chunk of {dataset.name} holds {len(data)} bytes, not {scratch.rows.nbytes}"
        )
    scratch.start = start
    return scratch.rows


def read_rows(
    dataset: Any, low: int, high: int, raw: bool, scratch: ChunkBuffer | None = None
) -> np.ndarray:
    """Rows ``low:high`` of a 1-D compound table (a loop over chunks, not rows).

    ``scratch`` (from a previous call's table) is a one-chunk buffer to reuse.
    """
    check_size(dataset)
    if not raw:
        return dataset[low:high]
    size = dataset.chunks[0]
    out = np.empty(high - low, dtype=dataset.dtype)
    if high <= low:
        return out
    scratch = ChunkBuffer(dataset) if scratch is None else scratch
    for number in range(low // size, (high - 1) // size + 1):
        start = number * size
        chunk = _read_chunk(dataset, start, scratch)
        first, last = max(low, start), min(high, start + size)
        out[first - low : last - low] = chunk[first - start : last - start]
    return out


#: Rows per read of a table that is not read chunk by chunk.
FIELD_BLOCK_ROWS = 1 << 16


def read_columns(
    dataset: Any, fields: tuple[str, ...], low: int = 0, high: int | None = None
) -> dict[str, np.ndarray]:
    """Some columns of rows ``low:high`` of a 1-D compound table, in compact types.

    The table is read chunk by chunk (or in blocks of rows), so memory holds
    the wanted columns only. Integer columns wider than 4 bytes come back as
    int32 when every value fits, else as int64 (as the readers cast them).
    """
    check_size(dataset)
    high = dataset.shape[0] if high is None else high
    n = max(high - low, 0)
    columns: dict[str, np.ndarray] = {}
    for name in fields:
        kind = dataset.dtype[name]
        wide = kind.kind in "iu" and kind.itemsize > 4
        columns[name] = np.empty(n, dtype=np.int32 if wide else kind)
    if not n:
        return columns
    if raw_layout(dataset):
        size = dataset.chunks[0]
        scratch = ChunkBuffer(dataset)
        blocks = (
            (start, _read_chunk(dataset, start, scratch))
            for start in range(low // size * size, high, size)
        )
    else:
        names = list(fields)
        blocks = (
            (start, dataset.fields(names)[start : min(high, start + FIELD_BLOCK_ROWS)])
            for start in range(low, high, FIELD_BLOCK_ROWS)
        )
    for start, block in blocks:
        first, last = max(low, start), min(high, start + block.shape[0])
        for name in fields:
            values = block[name][first - start : last - start]
            column = columns[name]
            if values.dtype.kind == "u" and values.itemsize == 8 and values.size:
                _refuse_past_int64(dataset, name, values)
            narrowed = column.dtype == np.int32 and values.dtype != np.int32 and values.size
            if narrowed and (values.min() < -(1 << 31) or values.max() >= 1 << 31):
                column = columns[name] = column.astype(np.int64)  # too wide for int32
            column[first - low : last - low] = values
    return columns


def _refuse_past_int64(dataset: Any, name: str, values: np.ndarray) -> None:
    """An unsigned 64-bit column whose values int64 cannot hold (they would wrap)."""
    top = int(values.max())
    if top >= 1 << 63:
        raise FormatError(
            dataset.file.filename,
            f"{dataset.name}: column '{name}' holds {top}, past the largest 64-bit signed "
            "integer (a damaged table?).",
        )


def ranges(starts: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Concatenated ``arange(start, start + count)`` for every pair, without a loop."""
    total = int(counts.sum())
    offsets = np.cumsum(counts) - counts
    return np.repeat(starts - offsets, counts) + np.arange(total, dtype=np.int64)


#: Rows of a point table read at once: bounds the memory beyond the output arrays.
BLOCK_ROWS = 1 << 13


def point_blocks(
    table: Any,
    starts: np.ndarray,
    n_nodes: int,
    fields: tuple[str, ...],
    path: Any,
    name: str,
    block_rows: int = BLOCK_ROWS,
) -> Iterator[tuple[np.ndarray | slice, dict[str, np.ndarray]]]:
    """Yield (positions in ``starts``, {field: (m, n_nodes) values}) block by block.

    Instances are taken in point order; each block is one contiguous read of
    the rows its instances use (a loop over blocks of rows, not instances),
    about ``block_rows`` rows of points.
    Positions are a slice when ``starts`` is already in point order.
    """
    in_order = bool(np.all(starts[1:] >= starts[:-1]))
    order = None if in_order else np.argsort(starts, kind="stable")
    per_block = max(1, block_rows // n_nodes)
    raw = raw_layout(table)
    scratch = ChunkBuffer(table) if raw else None
    nodes = np.arange(n_nodes)
    for first in range(0, starts.size, per_block):
        group: np.ndarray | slice = (
            slice(first, min(first + per_block, starts.size))
            if order is None
            else order[first : first + per_block]
        )
        block_starts = starts[group]
        low = int(block_starts[0])
        high = int(block_starts[-1]) + n_nodes
        if low < 0 or high > table.shape[0]:
            raise FormatError(path, f"/instances refers to rows outside the /{name} table.")
        block = read_rows(table, low, high, raw, scratch)
        index = (block_starts - low)[:, None] + nodes
        yield group, {field: block[field][index] for field in fields}


def create_table(h5: Any, name: str, dtype: np.dtype, rows: int, chunk_rows: int) -> Any:
    """An empty, resizable, chunked 1-D table (as SLEAP's tables are: unfiltered)."""
    chunk = max(1, min(rows, chunk_rows))
    return h5.create_dataset(name, shape=(rows,), dtype=dtype, maxshape=(None,), chunks=(chunk,))


def write_rows(dataset: Any, first: int, rows: np.ndarray) -> None:
    """Write ``rows`` at row ``first``; whole chunks go in as raw bytes.

    ``first`` must be a multiple of the chunk size, and ``rows`` must fill
    whole chunks except at the end of the table.
    """
    size = dataset.chunks[0]
    if first % size or rows.dtype != dataset.dtype or not raw_layout_for_writing(dataset):
        dataset[first : first + rows.size] = rows
        return
    for offset in range(0, rows.size, size):
        chunk = rows[offset : offset + size]
        if chunk.size < size:  # the last chunk is stored full size
            padded = np.zeros(size, dtype=rows.dtype)
            padded[: chunk.size] = chunk
            chunk = padded
        dataset.id.write_direct_chunk((first + offset,), np.ascontiguousarray(chunk).tobytes())


def raw_layout_for_writing(dataset: Any) -> bool:
    """Like :func:`raw_layout` but before any chunk is written."""
    import h5py

    dtype = dataset.dtype
    if dataset.chunks is None or dataset.id.get_create_plist().get_nfilters():
        return False
    file_type = dataset.id.get_type()
    if not isinstance(file_type, h5py.h5t.TypeCompoundID) or dtype.names is None:
        return False
    return file_type.get_size() == dtype.itemsize and all(
        file_type.get_member_offset(i) == dtype.fields[name][1]
        for i, name in enumerate(dtype.names)
    )


#: Arrays below this size are read by h5py directly (threads would not pay).
PARALLEL_MIN_BYTES = 4 << 20


#: A dataset may unpack to this many times its file's size (deflate tops out near 1032:1
#: on constant data), and always to :data:`FREE_BYTES`.
MAX_EXPANSION = 2048
FREE_BYTES = 256 << 20
#: Texts a dataset may declare: always this many, else one per this many bytes of its file.
MIN_TEXTS = 1 << 16
TEXT_BYTES = 8


def member_names(group: Any) -> list[str]:
    """The names of a group's members, sorted, as text.

    h5py gives a name that is not UTF-8 (a damaged file, or one written with
    another encoding) as bytes; those are decoded with the bytes that are not
    UTF-8 shown as ``\\x..`` escapes, so the names can be sorted and shown.

    Examples
    --------
    >>> member_names({"tracks": 1, b"tr\\xe4cks": 2})
    ['tr\\\\xe4cks', 'tracks']
    """
    return sorted(
        name if isinstance(name, str) else bytes(name).decode("utf-8", "backslashreplace")
        for name in group
    )


def refuse_non_datasets(h5: Any, names: tuple[str, ...], path: Any, what: str) -> None:
    """Raise a FormatError when one of ``names`` is present but is not a dataset.

    A damaged object header can turn a dataset into a group or a named
    datatype; the readers then would meet an object without ``shape`` or
    ``size`` deep inside. Absent names are fine (the reader decides).

    Examples
    --------
    >>> import h5py  # doctest: +SKIP
    >>> with h5py.File("a.h5", "w") as h5:  # doctest: +SKIP
    ...     _ = h5.create_group("tracks")
    ...     refuse_non_datasets(h5, ("tracks",), "a.h5", "a SLEAP analysis file")
    Traceback (most recent call last):
    ...
    posebridge.errors.FormatError: a.h5: /tracks is a group, not a dataset: ...
    """
    import h5py

    for name in names:
        member = h5.get(name)
        if member is None or isinstance(member, h5py.Dataset):
            continue
        kind = "group" if isinstance(member, h5py.Group) else "named datatype"
        raise FormatError(
            path,
            f"/{name} is a {kind}, not a dataset: the file is damaged or not {what}.",
        )


def check_size(dataset: Any) -> None:
    """Refuse a dataset whose declared size is out of all proportion to its file.

    A shape is a few bytes of the file: one damaged bit can declare terabytes,
    and reading would allocate them before HDF5 notices the data are missing.

    Raises
    ------
    FormatError
        Naming the file, the dataset and both sizes.
    """
    import os

    refuse_stored_elsewhere(dataset)
    try:
        file_size = os.path.getsize(dataset.file.filename)
    except (OSError, TypeError, AttributeError):  # in-memory tables, file-object HDF5
        return
    limit = max(FREE_BYTES, MAX_EXPANSION * file_size)
    if dataset.nbytes > limit:
        raise FormatError(
            dataset.file.filename,
            f"dataset {dataset.name} declares shape {dataset.shape} ({dataset.nbytes} bytes), "
            f"far more than a file of {file_size} bytes can hold; the file is damaged.",
        )
    # texts become a Python object each (some 50 bytes, far more than their bytes in the
    # file): a stored variable-length text takes at least 16 bytes of the file. A list of
    # fixed-width texts too; not netCDF's characters (S1, one per byte: (n, length) arrays)
    texts = max(MIN_TEXTS, file_size // TEXT_BYTES)
    listed = dataset.dtype.kind == "O" or (dataset.dtype.kind in "SU" and dataset.ndim <= 1)
    if listed and dataset.size > texts:
        raise FormatError(
            dataset.file.filename,
            f"dataset {dataset.name} declares {dataset.size} texts, far more than a file of "
            f"{file_size} bytes can hold; the file is damaged.",
        )


def refuse_stored_elsewhere(dataset: Any) -> None:
    """Refuse a dataset whose values HDF5 would read from other files.

    HDF5's external storage (``external=``) and virtual datasets name files
    that HDF5 opens without a question: a FIFO hangs the read forever, and
    ``/etc/passwd`` would come back as positions. No pose tool writes either.

    Raises
    ------
    FormatError
        Naming the file, the dataset and what it points at.
    """
    try:
        external = dataset.external
        virtual = dataset.is_virtual
    except (AttributeError, OSError, RuntimeError, ValueError):
        return
    if external or virtual:
        where = ", ".join(str(e[0]) for e in external) if external else "other HDF5 files"
        raise FormatError(
            dataset.file.filename,
            f"dataset {dataset.name} keeps its values in {where} "
            f"({'external storage' if external else 'a virtual dataset'}), which no pose tool "
            "writes; refused, nothing of it was read.",
        )


@contextmanager
def reading(dataset: Any, frames: tuple[int, int] | None = None) -> Iterator[None]:
    """Turn a failed read of ``dataset`` into a FormatError naming the file, the
    dataset's path and, for a block of time, the frames ``[start, stop)`` read.

    HDF5 reports a damaged compressed chunk as an ``OSError`` that names
    neither ("filter returned failure during read"); inflating a chunk
    ourselves raises ``zlib.error``. A filter this machine lacks is left to
    :func:`posebridge.errors.reading_failure`, which says how to install it.

    Examples
    --------
    >>> with reading(h5["tracks"], frames=(500, 1000)):  # doctest: +SKIP
    ...     values = h5["tracks"][..., 500:1000]
    Traceback (most recent call last):
    ...
    posebridge.errors.FormatError: s.h5: dataset /tracks, frames 500 to 999: could not ...
    """
    import zlib

    try:
        yield
    except (OSError, zlib.error) as error:
        path = dataset.file.filename
        if unavailable_filter_error(path, error) is not None:
            raise
        where = f", frames {frames[0]} to {frames[1] - 1}" if frames is not None else ""
        kind = type(error)  # zlib's is named plain 'error': say whose
        named = (
            kind.__name__
            if kind.__module__ == "builtins"
            else f"{kind.__module__}.{kind.__name__}"
        )
        raise FormatError(
            path,
            f"dataset {dataset.name}{where}: could not be read ({named}: {error}); the file "
            "is damaged there (a corrupted compressed chunk?).",
        ) from None


def read_whole(dataset: Any) -> Any:
    """``dataset[()]`` after :func:`check_size` (anything else as it is indexed).

    For the small datasets readers take whole (names, edges, timestamps, a
    pandas axis): their declared shape is a few bytes of the file, and an
    unwritten dataset of a billion entries costs nothing to declare.

    Examples
    --------
    >>> read_whole([1, 2])  # not an HDF5 dataset: as it is
    [1, 2]
    """
    import h5py

    if isinstance(dataset, h5py.Dataset):
        check_size(dataset)
        with reading(dataset):
            return dataset[()]
    return dataset[()] if isinstance(dataset, np.ndarray) else dataset


def read_array(dataset: Any) -> np.ndarray:
    """A whole numeric dataset; deflate-only chunked data is inflated on several threads.

    h5py inflates chunk after chunk on one core; SLEAP writes gzip level 9, so
    reading is bound by inflation. Raw chunks are fetched on several threads,
    taking turns (h5py holds one lock around every HDF5 call: HDF5 is not
    thread-safe), and inflated beside each other (zlib releases the GIL).
    """
    import zlib

    import h5py

    check_size(dataset)
    plist = dataset.id.get_create_plist() if dataset.chunks is not None else None
    workers = min(4, usable_cores())
    if (
        plist is None
        or workers < 2
        or dataset.nbytes < PARALLEL_MIN_BYTES
        or dataset.dtype.kind not in "fiub"
        or plist.get_nfilters() != 1
        or plist.get_filter(0)[0] != h5py.h5z.FILTER_DEFLATE
        or dataset.id.get_num_chunks()
        != int(np.prod([-(-n // c) for n, c in zip(dataset.shape, dataset.chunks, strict=True)]))
    ):
        with reading(dataset):
            return dataset[()]
    out = np.empty(dataset.shape, dtype=dataset.dtype)
    chunk_shape = dataset.chunks
    chunk_bytes = int(np.prod(chunk_shape)) * dataset.dtype.itemsize

    def place(offset: tuple[int, ...], mask: int, data: bytes) -> None:
        raw = data if mask & 1 else zlib.decompress(data)
        if len(raw) != chunk_bytes:
            raise OSError(f"a chunk of {dataset.name} inflates to {len(raw)} bytes")
        chunk = np.frombuffer(raw, dtype=dataset.dtype).reshape(chunk_shape)
        target = tuple(
            slice(o, min(o + c, n))
            for o, c, n in zip(offset, chunk_shape, dataset.shape, strict=True)
        )
        out[target] = chunk[tuple(slice(0, s.stop - s.start) for s in target)]

    def fetch_and_place(index: int) -> None:
        # h5py's lock makes the HDF5 calls take turns; zlib runs beside them
        offset = dataset.id.get_chunk_info(index).chunk_offset
        place(offset, *dataset.id.read_direct_chunk(offset))

    with reading(dataset):
        map_on_threads(fetch_and_place, range(dataset.id.get_num_chunks()), workers)
    return out


class _Sink:
    """The file object HDF5 writes through: the first failed write is kept, later ones dropped.

    HDF5 never sees the failure, so it never runs its error paths (which
    crash in close after a full disk); the writer raises the kept ``OSError``
    once the HDF5 file is closed.
    """

    def __init__(self, handle: Any) -> None:
        self._handle = handle
        self.error: OSError | None = None

    def write(self, data: Any) -> int:
        view = memoryview(data).cast("B")
        done = 0
        while self.error is None and done < len(view):  # a raw write may be short
            try:
                written = self._handle.write(view[done:])
            except OSError as error:
                self.error = error
                break
            if not written:
                self.error = OSError(errno.EIO, "a write made no progress")
            done += written or 0
        return len(view)

    def truncate(self, size: int) -> int:
        if self.error is None:
            try:
                return self._handle.truncate(size)
            except OSError as error:
                self.error = error
        return size

    def flush(self) -> None:
        if self.error is None:
            try:
                self._handle.flush()
            except OSError as error:
                self.error = error

    def seek(self, offset: int, whence: int = 0) -> int:
        return self._handle.seek(offset, whence)

    def tell(self) -> int:
        return self._handle.tell()

    def readinto(self, buffer: Any) -> int:
        return self._handle.readinto(buffer)

    def read(self, size: int = -1) -> bytes:
        return self._handle.read(size)


@contextmanager
def sink_file(path: str | PathLike[str], mode: str = "w") -> Iterator[_Sink]:
    """A file object for HDF5 libraries to write through (see :func:`new_file`).

    Parameters
    ----------
    path
        The file to create (``mode="w"``) or change (``"r+"``).
    mode
        ``"w"`` or ``"r+"``.

    Yields
    ------
    _Sink
        Pass it where a library takes a file object (h5py, h5netcdf).

    Raises
    ------
    OSError
        The first write that failed, after the block ends.

    Examples
    --------
    >>> with sink_file("out.nc") as sink:  # doctest: +SKIP
    ...     ds.to_netcdf(sink, engine="h5netcdf")
    """
    with open(path, "w+b" if mode == "w" else "r+b", buffering=0) as handle:
        sink = _Sink(handle)
        try:
            yield sink
        finally:
            if sink.error is not None:
                raise sink.error


@contextmanager
def new_file(path: str | PathLike[str], mode: str = "w", **h5py_options: Any) -> Iterator[Any]:
    """An ``h5py.File`` written through a Python file object.

    When the disk is full or a file-size limit is reached, a file that HDF5
    writes itself fails deep inside its close: h5py raises ``RuntimeError:
    Can't decrement id ref count`` and the process may crash while HDF5 frees
    the half-closed objects. Here HDF5 writes through a Python file object
    that keeps the first ``OSError`` and drops the writes after it, so HDF5
    closes normally; the ``OSError`` is raised after the close.

    Parameters
    ----------
    path
        The file to create (a temporary of :func:`posebridge._outputs.atomic_outputs`).
    mode
        ``"w"`` to create, ``"r+"`` to change a file in place.
    **h5py_options
        Passed to ``h5py.File`` (``rdcc_nbytes``: the chunk cache of each dataset).

    Yields
    ------
    h5py.File

    Raises
    ------
    OSError
        The first write that failed (``ENOSPC``, ``EFBIG``, ...).

    Examples
    --------
    >>> with new_file("out.h5") as h5:  # doctest: +SKIP
    ...     h5["x"] = [1, 2, 3]
    """
    import h5py

    with sink_file(path, mode) as sink, h5py.File(sink, mode, **h5py_options) as h5:
        yield h5


def refuse_unavailable_filters(dataset: Any) -> None:
    """Refuse a dataset compressed with an HDF5 filter this installation cannot decode.

    PyTables writes Blosc (``complib="blosc"`` in pandas' ``to_hdf``), which h5py
    decodes only once a plugin registers it (the ``hdf5plugin`` package); without
    it HDF5 fails with a message about a plugin folder, which reads like damage.

    Raises
    ------
    FormatError
        Naming the file, the dataset and the filter, and how to read it.

    Examples
    --------
    >>> refuse_unavailable_filters(h5["df_with_missing/table"])  # doctest: +SKIP
    Traceback (most recent call last):
    posebridge.errors.FormatError: a.h5: /df_with_missing/table is compressed with ...
    """
    try:
        shown = unavailable_filter(dataset)
    except (AttributeError, OSError, RuntimeError, ValueError):
        return  # the read itself says what is wrong
    if shown is not None:
        raise FormatError(
            dataset.file.filename,
            f"{dataset.name} is compressed with {shown}, which is not available in this "
            "installation (the file is not damaged). Install the plugins of hdf5plugin "
            "(pip install hdf5plugin; then import hdf5plugin before reading), or re-save "
            "the file with a compression every HDF5 reader has (pandas: complib='zlib').",
        )
