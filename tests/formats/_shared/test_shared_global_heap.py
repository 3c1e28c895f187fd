"""Damaged HDF5 global heap collections are refused before HDF5 walks them (global_heap.py).

A vlen string lives in a global heap collection ("GCOL"): objects with a
16-byte header (index 2, reference count 2, reserved 4, size 8) and their bytes
padded to 8. Fuzzing found that one changed byte in an object's size makes
HDF5 2.0 loop forever while loading the collection (the walk lands on zeros:
an "object" of index 0 and size 0 that never advances). The files here are
written by h5py in the test; the damage is found by searching for the value's
bytes, never by fixed offsets.
"""

from __future__ import annotations

import struct
import subprocess
import sys
from pathlib import Path

import h5py
import numpy as np
import pytest

from _corpus import corpus_params
from _heap_damage import damage_heap_object
from posebridge.errors import FormatError
from posebridge.formats._shared.global_heap import check_heaps

LAST = "the last value written, so free space follows it: 0123456789"


def _strings(count: int) -> list[str]:
    return [f"value {i}: " + "é" * (i % 5) + "x" * i for i in range(count)]


def _vlen_attributes(owner: h5py.HLObject, count: int) -> None:
    for i, value in enumerate(_strings(count)):
        owner.attrs[f"text_{i}"] = value
    owner.attrs["empty"] = ""
    owner.attrs["list"] = np.array(["a", "bc", ""], dtype=h5py.string_dtype())
    owner.attrs.create(
        "numbers",
        np.array([np.arange(3), np.arange(5)], dtype=object),
        dtype=h5py.vlen_dtype(np.int32),
    )
    owner.attrs["number"] = 7
    owner.attrs["last"] = LAST


def _write(path: Path, variant: str) -> list[str]:
    """A valid file of a layout variant; returns the members that hold vlen values.

    HDF5 stores a dataset's vlen elements chunk by chunk, each last to first, so LAST
    comes first in an unchunked dataset and alone in the last chunk of a chunked one.
    """
    options: dict = {}
    if variant == "latest":
        options["libver"] = "latest"
    if variant in ("userblock", "dataset-userblock"):
        options["userblock_size"] = 512
    if variant == "creation-order":
        options.update(libver="latest", track_order=True)
    with h5py.File(path, "w", **options) as h5:
        if variant in ("dataset-contiguous", "dataset-userblock"):
            h5.create_dataset("rows", data=np.array([LAST, *_strings(5)], dtype=object))
            return ["rows"]
        if variant in ("dataset-chunked", "dataset-gzip"):
            h5.create_dataset(
                "rows",
                data=np.array([*_strings(4), LAST], dtype=object),  # LAST alone in a chunk
                chunks=(2,),
                compression="gzip" if variant == "dataset-gzip" else None,
            )
            return ["rows"]
        if variant == "dataset-compact":
            type_id = h5py.h5t.string_dtype()
            plist = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
            plist.set_layout(h5py.h5d.COMPACT)
            space = h5py.h5s.create_simple((2,))
            h5py.h5d.create(
                h5.id, b"rows", h5py.h5t.py_create(type_id, logical=True), space, dcpl=plist
            )
            h5["rows"][...] = np.array([LAST, "second"], dtype=object)
            return ["rows"]
        group = h5.create_group("group")
        count = 3 if variant in ("latest", "creation-order") else 40  # no dense storage
        for i in range(4):  # members first: the attributes then need continuation chunks
            group.create_dataset(f"d{i}", data=np.arange(i + 1))
        _vlen_attributes(group, count)
        return ["group"]


VARIANTS = [
    "earliest",
    "latest",
    "creation-order",
    "userblock",
    "dataset-contiguous",
    "dataset-userblock",
    "dataset-chunked",
    "dataset-gzip",
    "dataset-compact",
]


@pytest.mark.parametrize("variant", VARIANTS)
def test_valid_files_pass_and_their_damage_is_found(tmp_path: Path, variant: str) -> None:
    path = tmp_path / "f.h5"
    members = _write(path, variant)
    with h5py.File(path, "r") as h5:
        check_heaps(h5, path, members)
        member = h5[members[0]]
        stored = [member.attrs["last"]] if isinstance(member, h5py.Group) else member[()]
        assert LAST in [v.decode() if isinstance(v, bytes) else v for v in stored]
    at = damage_heap_object(path, LAST)
    with h5py.File(path, "r") as h5, pytest.raises(FormatError) as caught:
        check_heaps(h5, path, members)
    message = str(caught.value)
    assert str(path) in message
    assert "global heap collection at byte" in message
    start = int(message.split("collection at byte ")[1].split(" ")[0])
    assert start < at < start + 4096  # the collection that holds the damaged object


def test_dense_attribute_storage_is_left_to_hdf5(tmp_path: Path) -> None:
    """Attributes in a fractal heap are not parsed: the check passes (never refuses)."""
    path = tmp_path / "dense.h5"
    with h5py.File(path, "w", libver="latest") as h5:
        _vlen_attributes(h5.create_group("group"), 30)
    with h5py.File(path, "r") as h5:
        check_heaps(h5, path, ["group"])
        assert h5["group"].attrs["last"] == LAST


def test_objects_past_the_collection_end_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "f.h5"
    with h5py.File(path, "w") as h5:
        h5.attrs["last"] = LAST
    data = bytearray(path.read_bytes())
    at = data.find(LAST.encode())
    struct.pack_into("<Q", data, at - 8, 1 << 40)
    path.write_bytes(bytes(data))
    with h5py.File(path, "r") as h5, pytest.raises(FormatError, match="past the collection"):
        check_heaps(h5, path)


def test_a_collection_past_the_end_of_the_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "f.h5"
    with h5py.File(path, "w") as h5:
        h5.attrs["last"] = LAST
    data = bytearray(path.read_bytes())
    start = data.find(b"GCOL")
    struct.pack_into("<Q", data, start + 8, len(data))  # more bytes than remain
    path.write_bytes(bytes(data))
    with h5py.File(path, "r") as h5, pytest.raises(FormatError, match="the file ends"):
        check_heaps(h5, path)


def test_reading_a_damaged_value_ends_instead_of_hanging(tmp_path: Path) -> None:
    """Checked, then read: a regression hangs the child process (killed), not pytest."""
    path = tmp_path / "f.h5"
    with h5py.File(path, "w") as h5:
        h5.attrs["last"] = LAST
    damage_heap_object(path, LAST)
    child = (
        "import sys, h5py\n"
        "from posebridge.errors import FormatError\n"
        "from posebridge.formats._shared.global_heap import check_heaps\n"
        "with h5py.File(sys.argv[1], 'r') as h5:\n"
        "    try:\n"
        "        check_heaps(h5, sys.argv[1])\n"
        "    except FormatError as error:\n"
        "        print(error)\n"
        "        raise SystemExit(3)\n"
        "    print(h5.attrs['last'])\n"
    )
    try:
        done = subprocess.run(
            [sys.executable, "-c", child, str(path)], capture_output=True, text=True, timeout=60
        )
    except subprocess.TimeoutExpired:
        pytest.fail("reading a vlen value from a damaged global heap collection hung")
    assert done.returncode == 3, done.stdout + done.stderr
    assert "global heap collection at byte" in done.stdout


@pytest.mark.parametrize(
    "path",
    corpus_params("sleap_slp", "*.slp")
    + corpus_params("sleap_analysis_h5", "*.h5")
    + corpus_params("nwb", "*.nwb"),
)
def test_corpus_files_pass(path: Path) -> None:
    """Every object of the real HDF5 files (attributes and vlen data) passes the check."""
    with h5py.File(path, "r") as h5:
        members = ["/"]
        h5.visit(members.append)
        check_heaps(h5, path, members)
