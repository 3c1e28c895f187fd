"""Refuse a damaged HDF5 global heap collection before HDF5 reads it.

Variable-length data (vlen strings such as SLEAP's JSON attributes, vlen
sequences) is stored in *global heap collections*: a ``GCOL`` block of
objects, each with a 16-byte header (index, reference count, reserved, size)
and its bytes padded to 8. HDF5 walks every object of a collection when it
loads one, and trusts the sizes: a free-space object (index 0) whose size is 0
makes the walk stand still, so HDF5 (2.0) loops forever, holding the GIL, on a
file with one changed byte. This module reads the few bytes that matter with
plain file reads (the object header of a group or dataset, the vlen
references of its attributes or data, the headers of the referenced
collections' objects) and raises a :class:`~posebridge.errors.FormatError`
when a collection's objects do not add up to its size, before h5py reads the
values.

The check never refuses what it does not understand: an object header,
attribute or layout it cannot parse (dense attribute storage, shared
messages, offsets that are not 8 bytes, an unfamiliar version) is left to
HDF5, as is a collection without the ``GCOL`` signature (HDF5 refuses it
cleanly).

:func:`check_heaps` finds the collections from the objects a reader is about
to read: precise, but about 0.2 ms an object (h5py calls and header parsing).
:func:`check_file_heaps` is for readers that read values all over a file (NWB,
netCDF): it finds every collection by its 8-byte signature (``GCOL``, version
1, three reserved zero bytes) in one vectorized pass over the file (about 0.3
ms a megabyte) and walks each once. Collections are not linked to each other
and lie between raw data, so a pass over the bytes is the cheap way to find
them all. Signature bytes that are not a live collection (inside raw data or
a string, or a collection the file no longer uses) must not make a valid file
refused: a candidate inside a collection that walked cleanly is skipped, and
one whose walk fails is refused only when a vlen reference to it (a
plausible length, its address, a plausible index) is stored in the file
outside the data of groups the reader never reads. Files over 256 MiB are
not scanned: there the pass could cost more than the reading it protects (an
NWB file whose bulk is data posebridge never reads, such as raw video).
"""

from __future__ import annotations

import os
import struct
import zlib
from collections.abc import Iterable
from contextlib import ExitStack
from typing import Any, BinaryIO

import numpy as np

from posebridge.errors import FormatError

_UNDEFINED = (1 << 64) - 1
#: Bytes of object header (all its chunks) parsed at most; past that the check gives up.
_MAX_HEADER_BYTES = 1 << 20
#: Continuation chunks followed at most (a damaged header may point in a circle).
_MAX_CHUNKS = 256
#: A collection up to this size is read at once; a larger one object header by object header.
_WHOLE_COLLECTION = 1 << 20
#: Bytes of vlen references read from one dataset at most (beyond, the check gives up).
_MAX_REFERENCE_BYTES = 64 << 20
_HEADER = 16  # a collection's header and an object's header, with 8-byte lengths
#: A collection's first 8 bytes: signature, version 1, three reserved zero bytes.
_SIGNATURE = np.frombuffer(b"GCOL\x01\x00\x00\x00", dtype=np.uint8)
#: Files up to this size are scanned for collections; a larger one is left to HDF5.
_MAX_SCAN_BYTES = 256 << 20
#: Bytes of the file compared with the signature at once.
_SCAN_BLOCK = 1 << 20
_REFERENCE = np.dtype([("length", "<u4"), ("address", "<u8"), ("index", "<u4")])
_VLEN_CLASS = 9
_ATTRIBUTE = 0x0C
_CONTINUATION = 0x10
_LAYOUT = 0x08


class _Skip(Exception):
    """Something the check does not understand: leave the object to HDF5."""


def check_heaps(h5: Any, path: Any, members: Iterable[str] = ("/",), *, data: bool = True) -> None:
    """Refuse damaged global heap collections behind the vlen values of some objects.

    For each member of ``h5`` (a path; ``"/"`` is ``h5`` itself) that exists,
    the collections referenced by its variable-length attributes are checked,
    and, for a dataset of a variable-length type, those referenced by its
    data. Call it before reading those values: HDF5 can loop forever on a
    damaged collection.

    Parameters
    ----------
    h5
        An open ``h5py.File`` (or group: member paths are relative to it).
    path
        The file's name for messages.
    members
        The objects whose vlen values the caller is about to read.
    data
        Whether to check the data of vlen datasets among ``members`` too
        (``False`` when only their attributes will be read).

    Raises
    ------
    FormatError
        ``"its HDF5 global heap collection at byte N is damaged: ..."``.

    Examples
    --------
    >>> import h5py  # doctest: +SKIP
    >>> with h5py.File("labels.slp", "r") as h5:  # doctest: +SKIP
    ...     check_heaps(h5, "labels.slp", ("metadata", "videos_json"))
    """
    import h5py

    objects = []
    for name in members:
        try:
            member = h5[name] if name != "/" else h5
        except (KeyError, OSError, ValueError, TypeError, RuntimeError):
            continue  # absent (the reader decides) or unreadable (HDF5 fails cleanly)
        if isinstance(member, (h5py.Group, h5py.Dataset)):
            objects.append(member)
    checked: set[tuple[int, int]] = set()
    layouts: dict[int, _FileLayout | None] = {}  # by HDF5 file number (links may cross files)
    handles: dict[int, BinaryIO] = {}
    with ExitStack() as stack:
        for member in objects:
            try:
                info = h5py.h5o.get_info(member.id)
            except (OSError, ValueError, RuntimeError):
                continue
            names = _vlen_attribute_names(member, info.num_attrs)
            vlen_data = (
                data and isinstance(member, h5py.Dataset) and _is_vlen(member.id.get_type())
            )
            if not names and not vlen_data:
                continue
            if info.fileno not in layouts:
                layouts[info.fileno] = _FileLayout.of(member)
            file = layouts[info.fileno]
            if file is None:
                continue
            if info.fileno not in handles:
                handles[info.fileno] = stack.enter_context(open(file.filename, "rb"))
            handle = handles[info.fileno]
            for address in _references_of(member, info.addr, names, vlen_data, file, handle):
                if (info.fileno, address) not in checked:
                    checked.add((info.fileno, address))
                    _check_collection(handle, file, address, path)


class _FileLayout:
    """Where HDF5 addresses start in the file, and the file's name and size."""

    def __init__(self, filename: str, base: int, size: int) -> None:
        self.filename = filename
        self.base = base
        self.size = size

    @classmethod
    def of(cls, h5: Any) -> _FileLayout | None:
        try:
            file = h5.file
            if file.driver not in ("sec2", "stdio"):
                return None
            plist = file.id.get_create_plist()
            if plist.get_sizes() != (8, 8):
                return None
            filename = file.filename
            return cls(filename, plist.get_userblock(), os.path.getsize(filename))
        except (OSError, ValueError, TypeError, AttributeError, RuntimeError):
            return None


def _references_of(
    member: Any,
    address: int,
    names: set[bytes],
    vlen_data: bool,
    file: _FileLayout,
    handle: BinaryIO,
) -> set[int]:
    """Collections referenced by the vlen attributes ``names`` of the object header at
    ``address`` and, with ``vlen_data``, by the dataset's stored elements."""
    try:
        messages = _messages(handle, file, address)
    except (_Skip, OSError, ValueError, struct.error):
        return set()
    found: set[int] = set()
    for kind, body in messages:
        if kind == _ATTRIBUTE and names:
            found |= _attribute_references(body, names)
    if vlen_data:
        found |= _data_references(member, messages, handle)
    return found


def _is_vlen(type_id: Any) -> bool:
    import h5py

    return type_id.get_class() == h5py.h5t.VLEN or (
        type_id.get_class() == h5py.h5t.STRING and type_id.is_variable_str()
    )


def _vlen_attribute_names(member: Any, count: int) -> set[bytes]:
    """Names of ``member``'s attributes of a variable-length type (h5py's view, no values read)."""
    import h5py

    names: set[bytes] = set()
    try:
        for index in range(count):
            attribute = h5py.h5a.open(member.id, index=index)
            if _is_vlen(attribute.get_type()):
                names.add(attribute.get_name())
    except (OSError, ValueError, TypeError, KeyError, RuntimeError):
        pass  # HDF5 itself fails on these attributes, cleanly
    return names


def _read(handle: BinaryIO, offset: int, size: int) -> bytes:
    handle.seek(offset)
    return handle.read(size)


def _messages(handle: BinaryIO, file: _FileLayout, address: int) -> list[tuple[int, bytes]]:
    """(type, body) of the messages of the object header at ``address``, in all its chunks.

    Version 1: a 16-byte prefix, messages with an 8-byte header (type 2, size 2,
    flags 1, reserved 3), continuation chunks of bare messages. Version 2: an
    ``OHDR`` prefix, messages with a 4-byte header (type 1, size 2, flags 1;
    6 bytes when creation order is tracked), ``OCHK`` continuation chunks that
    end with a checksum. Shared messages (flag 0x02) live elsewhere: left out.
    """
    start = file.base + address
    head = _read(handle, start, 40)
    if head[:5] == b"OHDR\x02":
        flags = head[5]
        at = 6 + (16 if flags & 0x20 else 0) + (4 if flags & 0x10 else 0)
        width = 1 << (flags & 0x03)
        if len(head) < at + width:
            raise _Skip
        first = (start + at + width, int.from_bytes(head[at : at + width], "little"))
        version, header = 2, 6 if flags & 0x04 else 4
    elif len(head) >= 16 and head[0] == 1:
        first = (start + 16, struct.unpack_from("<I", head, 8)[0])
        version, header = 1, 8
    else:
        raise _Skip
    chunks = [first]
    messages: list[tuple[int, bytes]] = []
    total = 0
    for _ in range(_MAX_CHUNKS):
        if not chunks:
            return messages
        offset, size = chunks.pop(0)
        total += size
        if total > _MAX_HEADER_BYTES:
            raise _Skip
        block = _read(handle, offset, size)
        if len(block) != size:
            raise _Skip
        at = 0
        while at + header <= size:
            if version == 1:
                kind, length, flags = struct.unpack_from("<HHB", block, at)
            else:
                kind, length, flags = struct.unpack_from("<BHB", block, at)
            body = block[at + header : at + header + length]
            if len(body) != length:
                raise _Skip
            if not flags & 0x02:
                messages.append((kind, body))
            if kind == _CONTINUATION:
                chunks.append(_continuation(handle, body, file, version))
            at += header + length
    raise _Skip  # more chunks than a sane header has: perhaps a circle


def _continuation(
    handle: BinaryIO, body: bytes, file: _FileLayout, version: int
) -> tuple[int, int]:
    """Where the messages of a continuation chunk are, and their length."""
    if len(body) < 16:
        raise _Skip
    offset, length = struct.unpack_from("<QQ", body, 0)
    if offset == _UNDEFINED or length > _MAX_HEADER_BYTES:
        raise _Skip
    offset += file.base
    if version == 1:
        return offset, length
    if length < 8 or _read(handle, offset, 4) != b"OCHK":  # signature, messages, checksum
        raise _Skip
    return offset + 4, length - 8


def _attribute_references(body: bytes, names: set[bytes]) -> set[int]:
    """Collections referenced by an attribute message's data, if it is a wanted vlen one."""
    if len(body) < 8:
        return set()
    version, flags = body[0], body[1]
    name_size, type_size, space_size = struct.unpack_from("<HHH", body, 2)
    if version == 1:

        def pad(n: int) -> int:
            return (n + 7) // 8 * 8

        at = 8
    elif version in (2, 3):

        def pad(n: int) -> int:
            return n

        at = 8 if version == 2 else 9
    else:
        return set()
    if flags & 0x03:  # shared datatype or dataspace
        return set()
    name = body[at : at + name_size].split(b"\0", 1)[0]
    if name not in names:
        return set()
    at += pad(name_size)
    datatype = body[at : at + type_size]
    at += pad(type_size)
    space = body[at : at + space_size]
    at += pad(space_size)
    if len(datatype) < 1 or datatype[0] & 0x0F != _VLEN_CLASS:
        return set()
    count = _points(space)
    if count is None:
        return set()
    data = body[at : at + count * _REFERENCE.itemsize]
    if len(data) != count * _REFERENCE.itemsize:
        return set()
    return _addresses(np.frombuffer(data, dtype=_REFERENCE))


def _points(space: bytes) -> int | None:
    """Number of elements of a dataspace message (None: not understood)."""
    if len(space) < 4:
        return None
    version, rank = space[0], space[1]
    if version == 1:
        at = 8
    elif version == 2:
        if space[3] == 2:  # null dataspace
            return 0
        at = 4
    else:
        return None
    dims = space[at : at + 8 * rank]
    if len(dims) != 8 * rank:
        return None
    return int(np.prod(np.frombuffer(dims, dtype="<u8"), dtype=object)) if rank else 1


def _addresses(references: np.ndarray) -> set[int]:
    used = references[(references["length"] > 0) & (references["address"] != 0)]
    return {int(a) for a in np.unique(used["address"]) if int(a) != _UNDEFINED}


def _data_references(
    dataset: Any, messages: list[tuple[int, bytes]], handle: BinaryIO
) -> set[int]:
    """Collections referenced by a vlen dataset's stored elements."""
    import h5py

    count = int(np.prod(dataset.shape, dtype=np.int64)) if dataset.shape is not None else 0
    nbytes = count * _REFERENCE.itemsize
    if not count or nbytes > _MAX_REFERENCE_BYTES:
        return set()
    plist = dataset.id.get_create_plist()
    layout = plist.get_layout()
    raw: bytes | None = None
    if layout == h5py.h5d.CONTIGUOUS:
        offset = dataset.id.get_offset()
        if offset is None:
            return set()
        raw = _read(handle, offset, nbytes)
    elif layout == h5py.h5d.COMPACT:
        for kind, body in messages:
            if kind == _LAYOUT and len(body) >= 4 and body[0] in (3, 4) and body[1] == 0:
                (size,) = struct.unpack_from("<H", body, 2)
                raw = body[4 : 4 + size][:nbytes]
    elif layout == h5py.h5d.CHUNKED:
        return _chunk_references(dataset, plist)
    if raw is None or len(raw) != nbytes:
        return set()
    return _addresses(np.frombuffer(raw, dtype=_REFERENCE))


def _chunk_references(dataset: Any, plist: Any) -> set[int]:
    """Collections referenced by the chunks of a vlen dataset (unfiltered or deflate only)."""
    import h5py

    filters = [plist.get_filter(i)[0] for i in range(plist.get_nfilters())]
    if any(f != h5py.h5z.FILTER_DEFLATE for f in filters):
        return set()
    found: set[int] = set()
    total = 0
    for index in range(dataset.id.get_num_chunks()):
        offset = dataset.id.get_chunk_info(index).chunk_offset
        mask, data = dataset.id.read_direct_chunk(offset)
        if filters and not mask & 1:
            data = zlib.decompress(data)
        total += len(data)
        if total > _MAX_REFERENCE_BYTES:
            return found
        usable = len(data) // _REFERENCE.itemsize * _REFERENCE.itemsize
        found |= _addresses(np.frombuffer(data[:usable], dtype=_REFERENCE))
    return found


def _check_collection(handle: BinaryIO, file: _FileLayout, address: int, path: Any) -> None:
    """Walk the objects of the collection at ``address`` as HDF5 does; refuse a broken walk."""
    start = file.base + address
    head = _read(handle, start, _HEADER)
    if len(head) < _HEADER or head[:4] != b"GCOL" or head[4] != 1:
        return  # not a collection HDF5 would load: it refuses it cleanly
    (size,) = struct.unpack_from("<Q", head, 8)

    def damaged(problem: str) -> FormatError:
        return FormatError(
            path,
            f"its HDF5 global heap collection at byte {start} is damaged: {problem} "
            "(reading its variable-length values would make HDF5 loop or misread). "
            "The file is damaged; re-export it from the original software.",
        )

    if size < _HEADER:
        raise damaged(f"it declares {size} bytes, less than its own header")
    if start + size > file.size:
        raise damaged(
            f"it declares {size} bytes, but the file ends {file.size - start} bytes after it"
        )
    whole = _read(handle, start, size) if size <= _WHOLE_COLLECTION else None
    at = _HEADER
    while at < size:
        if at + _HEADER > size:
            break  # a tail too small for an object header is free space
        header = whole[at : at + _HEADER] if whole is not None else _read(handle, start + at, 16)
        if len(header) != _HEADER:
            raise damaged(f"it ends inside the object header at byte {start + at}")
        index, _, _, length = struct.unpack("<HHIQ", header)
        need = _HEADER + (length + 7) // 8 * 8 if index else length
        if need < _HEADER:
            raise damaged(
                f"its free-space object at byte {start + at} declares {length} bytes, "
                "less than an object header"
            )
        if at + need > size:
            raise damaged(
                f"object {index} at byte {start + at} declares {length} bytes, past the "
                f"collection's end ({size - at - _HEADER} bytes remain)"
            )
        at += need


def check_file_heaps(h5: Any, path: Any, *, unread: Iterable[str] = ()) -> None:
    """Refuse a file any of whose global heap collections is damaged.

    Every collection of the file (found by its signature) is walked as HDF5
    walks it when it loads one; call this right after opening a file whose
    variable-length values will be read anywhere in it (NWB, netCDF), before
    any is read. A file larger than 256 MiB, or one whose layout the check
    does not know (a driver other than the POSIX one, 4-byte offsets), is left
    to HDF5.

    Parameters
    ----------
    h5
        The open ``h5py.File``.
    path
        The file's name for messages.
    unread
        Groups whose datasets the caller never reads (NWB's cached schema,
        ``"specifications"``): a damaged collection referenced only from
        their data is left alone, as the caller's reading never loads it.

    Raises
    ------
    FormatError
        ``"its HDF5 global heap collection at byte N is damaged: ..."``, for a
        collection that a vlen reference in the file points to.

    Examples
    --------
    >>> import h5py  # doctest: +SKIP
    >>> with h5py.File("session.nwb", "r") as h5:  # doctest: +SKIP
    ...     check_file_heaps(h5, "session.nwb")
    """
    file = _FileLayout.of(h5)
    if file is None or file.size > _MAX_SCAN_BYTES:
        return
    with open(file.filename, "rb", buffering=0) as handle:
        starts = _signatures(handle)
        end = 0  # where the last collection that walked cleanly ends
        for start in starts:
            if start < max(end, file.base):
                continue  # inside a sound collection (a string's bytes) or the user block
            header = _read(handle, start + 8, 8)
            if len(header) < 8:
                continue  # cut short by the end of the file: HDF5 refuses it cleanly
            (size,) = struct.unpack("<Q", header)
            try:
                _check_collection(handle, file, start - file.base, path)
            except FormatError:
                if _referenced(handle, start - file.base, size, _storage_of(h5, unread)):
                    raise
                continue
            end = start + size


def _signatures(handle: BinaryIO) -> list[int]:
    """File offsets of every collection signature, in order (one pass, block by block)."""
    width = len(_SIGNATURE)
    buffer = bytearray(min(_SCAN_BLOCK, os.fstat(handle.fileno()).st_size) + width - 1)
    view = memoryview(buffer)
    data = np.frombuffer(buffer, dtype=np.uint8)
    found: list[int] = []
    kept = 0  # the previous block's last bytes, where a signature may begin
    offset = 0  # the file offset of buffer[0]
    handle.seek(0)
    while True:
        count = handle.readinto(view[kept:]) or 0
        filled = kept + count
        last = filled - width + 1  # a signature starting here or later is not all read
        if last > 0:
            starts = np.flatnonzero(data[:last] == _SIGNATURE[0])
            for k in range(1, width):
                starts = starts[data[starts + k] == _SIGNATURE[k]]
            found.extend((starts + offset).tolist())
        if not count:
            return found
        kept = min(width - 1, filled)
        buffer[:kept] = buffer[filled - kept : filled]
        offset += filled - kept


def _referenced(handle: BinaryIO, address: int, size: int, unread: list[tuple[int, int]]) -> bool:
    """Whether a vlen reference to the collection at ``address`` (of ``size`` bytes) is
    stored in the file, outside the byte ranges ``unread``.

    A reference is a 4-byte length (elements, so 1 to ``size``; up to 1 MiB is
    allowed, as ``size`` may be the damaged byte), the collection's 8-byte address
    and a 4-byte object index (1 to 65535: 0 is the free space and an object's
    header holds 2 bytes). Other pointers to the address are not taken for one: a
    layout message has the layout class or rank in the byte before it (a length
    of 16 MiB or more), chunk indexes and symbol tables a zero. References inside
    compressed chunks are not seen: such a collection is left to HDF5.
    """
    handle.seek(0)
    data = handle.read()
    needle = struct.pack("<Q", address)
    at = data.find(needle, 4)
    while at >= 0:
        (length,) = struct.unpack_from("<I", data, at - 4)
        index = int.from_bytes(data[at + 8 : at + 12], "little")
        plausible = 0 < length <= max(size, _WHOLE_COLLECTION) and 0 < index <= 0xFFFF
        if plausible and not any(low <= at - 4 < high for low, high in unread):
            return True
        at = data.find(needle, at + 1)
    return False


def _storage_of(h5: Any, groups: Iterable[str]) -> list[tuple[int, int]]:
    """File byte ranges of the contiguous data of every dataset under ``groups``.

    Only called for a damaged collection: walking the groups reads object
    headers, never a vlen value.
    """
    import h5py

    ranges: list[tuple[int, int]] = []

    def add(_: str, member: Any) -> None:
        if isinstance(member, h5py.Dataset):
            offset = member.id.get_offset()
            if offset is not None:
                ranges.append((offset, offset + member.id.get_storage_size()))

    for name in groups:
        try:
            group = h5.get(name)
            if isinstance(group, h5py.Group):
                group.visititems(add)
        except (OSError, ValueError, TypeError, KeyError, RuntimeError):
            continue  # unreadable: its references count
    return ranges
