"""Damage written by hand into an HDF5 file's global heap, as fuzzing found it."""

from __future__ import annotations

import struct
from pathlib import Path


def damage_heap_object(path: Path, value: str) -> int:
    """Declare 16 more bytes for the heap object holding ``value``; return the size's offset.

    HDF5's walk then moves 16 bytes into the free-space object that follows,
    whose bytes are zero: index 0, size 0, a step of no bytes, for ever.
    """
    data = bytearray(path.read_bytes())
    text = value.encode()
    assert data.count(text) == 1, "the value must be stored once"
    at = data.find(text)
    (size,) = struct.unpack_from("<Q", data, at - 8)
    assert size == len(text), "the 8 bytes before a heap object's data are its size"
    landing = at + (size + 7) // 8 * 8 + 16
    assert data[landing : landing + 16] == bytes(16), "zeros (free space) must follow"
    struct.pack_into("<Q", data, at - 8, size + 16)
    path.write_bytes(bytes(data))
    return at - 8


#: A global heap collection's header: "GCOL", version 1, three reserved bytes.
SIGNATURE = b"GCOL\x01\x00\x00\x00"


def stall_free_space(path: Path, value: str) -> int:
    """Give the free-space object of the collection holding ``value`` a size of 0 (HDF5's
    walk of the collection then stands still); return the collection's offset."""
    data = bytearray(path.read_bytes())
    text = value.encode()
    assert data.count(text) == 1, "the value must be stored once"
    start = data.rfind(SIGNATURE, 0, data.find(text))
    (size,) = struct.unpack_from("<Q", data, start + 8)
    at = start + 16
    while True:
        index, _, _, length = struct.unpack_from("<HHIQ", data, at)
        if index == 0:
            break
        at += 16 + (length + 7) // 8 * 8
    assert start < at < start + size, "the collection must have free space"
    struct.pack_into("<Q", data, at + 8, 0)
    path.write_bytes(bytes(data))
    return start
