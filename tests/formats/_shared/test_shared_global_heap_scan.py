"""Every global heap collection of a file is found and walked (global_heap.check_file_heaps).

NWB and netCDF readers read text all over a file, so the check finds the
collections by their signature in one pass instead of following each value's
reference. The files here are written by h5py in the test; damage is found by
searching for the value's bytes, never by fixed offsets.
"""

from __future__ import annotations

import struct
from pathlib import Path

import h5py
import numpy as np
import pytest

from _corpus import corpus_params
from _heap_damage import damage_heap_object
from posebridge.errors import FormatError
from posebridge.formats._shared import global_heap
from posebridge.formats._shared.global_heap import check_file_heaps

LAST = "the last value written, so free space follows it: 0123456789"
SIGNATURE = b"GCOL\x01\x00\x00\x00"


def _write(path: Path, variant: str) -> None:
    """A valid file whose last vlen value written is LAST (free space follows it)."""
    options = {"userblock_size": 512} if variant == "userblock" else {}
    with h5py.File(path, "w", **options) as h5:
        h5.create_dataset("numbers", data=np.arange(1000.0))  # bytes before the heap
        group = h5.create_group("group")
        for i in range(20):
            group.attrs[f"text_{i}"] = f"value {i}: " + "é" * (i % 5)
        if variant == "dataset":
            h5.create_dataset("rows", data=np.array([LAST, "b", "c"], dtype=object))
        else:
            group.attrs["last"] = LAST


def _stored_collection(message: str) -> int:
    return int(message.split("collection at byte ")[1].split(" ")[0])


@pytest.mark.parametrize("variant", ["attributes", "userblock", "dataset"])
def test_valid_files_pass_and_their_damage_is_found(tmp_path: Path, variant: str) -> None:
    path = tmp_path / "f.h5"
    _write(path, variant)
    with h5py.File(path, "r") as h5:
        check_file_heaps(h5, path)
    at = damage_heap_object(path, LAST)
    with h5py.File(path, "r") as h5, pytest.raises(FormatError) as caught:
        check_file_heaps(h5, path)
    message = str(caught.value)
    assert str(path) in message
    start = _stored_collection(message)
    assert path.read_bytes()[start : start + 8] == SIGNATURE
    assert start < at < start + 4096  # the collection that holds the damaged object


@pytest.mark.parametrize("block", [8, 9, 10, 11, 12, 13, 1000, 4099])
def test_signatures_are_found_across_block_edges(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, block: int
) -> None:
    """Read block by block, a signature split between two blocks is still found."""
    path = tmp_path / "f.h5"
    with h5py.File(path, "w") as h5:
        for i in range(3):  # raw data after each collection: it cannot grow, a new one starts
            h5.attrs[f"big_{i}"] = f"{i}" * 5000
            h5.create_dataset(f"numbers_{i}", data=np.arange(1000.0))
    data = path.read_bytes()
    expected, at = [], data.find(SIGNATURE)
    while at >= 0:
        expected.append(at)
        at = data.find(SIGNATURE, at + 1)
    assert len(expected) == 3
    monkeypatch.setattr(global_heap, "_SCAN_BLOCK", block)
    with open(path, "rb", buffering=0) as handle:
        assert global_heap._signatures(handle) == expected
    with h5py.File(path, "r") as h5:
        check_file_heaps(h5, path)


def test_a_damaged_collection_is_found_with_small_blocks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "f.h5"
    _write(path, "attributes")
    damage_heap_object(path, LAST)
    monkeypatch.setattr(global_heap, "_SCAN_BLOCK", 13)
    with h5py.File(path, "r") as h5, pytest.raises(FormatError, match="global heap collection"):
        check_file_heaps(h5, path)


def _fake_collection() -> bytes:
    """A collection signature and header whose first object is free space of 0 bytes:
    walked as a collection it is damaged."""
    return SIGNATURE + struct.pack("<Q", 4096) + bytes(4096 - 16)


def test_signature_bytes_that_nothing_references_are_not_refused(tmp_path: Path) -> None:
    """The signature in raw data or inside a text is not a collection HDF5 loads."""
    path = tmp_path / "f.h5"
    fake = _fake_collection()
    inside = np.empty(1, dtype=object)
    inside[0] = np.frombuffer(fake[:64], dtype=np.uint8)
    with h5py.File(path, "w") as h5:
        h5.create_dataset("raw", data=np.frombuffer(fake, dtype=np.uint8))
        h5.attrs["text"] = LAST
        h5.attrs.create("bytes", inside, dtype=h5py.vlen_dtype(np.uint8))
    assert path.read_bytes().count(SIGNATURE) == 3  # the real collection and two fakes
    with h5py.File(path, "r") as h5:
        check_file_heaps(h5, path)
        assert h5.attrs["text"] == LAST


def test_damage_referenced_only_from_unread_groups_is_left_alone(tmp_path: Path) -> None:
    """A collection only an unread group's data points to (NWB's cached schema) is not
    refused with ``unread``; without it, it is."""
    path = tmp_path / "f.h5"
    schema = '{"schema": "' + "x" * 6000 + '"}'  # large: a collection of its own
    with h5py.File(path, "w") as h5:
        h5.attrs["text"] = LAST
        specs = h5.create_group("specifications")
        specs.create_dataset("namespace", data=schema, dtype=h5py.string_dtype())
    data = bytearray(path.read_bytes())
    at = data.find(schema.encode())
    (size,) = struct.unpack_from("<Q", data, at - 8)
    assert size == len(schema)
    struct.pack_into("<Q", data, at - 8, size + 64)  # past its collection's end
    path.write_bytes(bytes(data))
    with h5py.File(path, "r") as h5:
        check_file_heaps(h5, path, unread=("specifications",))
        assert h5.attrs["text"] == LAST
        with pytest.raises(FormatError, match="past the collection"):
            check_file_heaps(h5, path)


def test_files_larger_than_the_scan_limit_are_left_to_hdf5(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "f.h5"
    _write(path, "attributes")
    damage_heap_object(path, LAST)
    monkeypatch.setattr(global_heap, "_MAX_SCAN_BYTES", path.stat().st_size - 1)
    with h5py.File(path, "r") as h5:
        check_file_heaps(h5, path)


@pytest.mark.parametrize(
    "path",
    corpus_params("nwb", "*.nwb")
    + corpus_params("sleap_slp", "*.slp")
    + corpus_params("sleap_analysis_h5", "*.h5")
    + corpus_params("dlc_h5", "*.h5")
    + corpus_params("dlc_multi", "*.h5"),
)
def test_corpus_files_pass(path: Path) -> None:
    with h5py.File(path, "r") as h5:
        check_file_heaps(h5, path)
