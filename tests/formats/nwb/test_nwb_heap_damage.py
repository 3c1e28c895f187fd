"""A damaged HDF5 global heap in an NWB file is refused, not looped on for ever.

NWB text (``neurodata_type``, descriptions, ``object_id``) is stored in global
heap collections; HDF5 2.0 loops for ever, holding the GIL, when it loads a
collection whose free-space object declares 0 bytes. Each reading runs in a
child process: a regression hangs the child (killed after a timeout), not
pytest. The files are written by posebridge in the test; the damaged object is
found by searching for a value's bytes and walking its collection.
"""

from __future__ import annotations

import struct
import subprocess
import sys
from pathlib import Path

import h5py
import numpy as np
import pytest

import posebridge
from _heap_damage import SIGNATURE, stall_free_space
from posebridge import model

pytest.importorskip("pynwb")
pytest.importorskip("ndx_pose")


def _nwb(path: Path) -> Path:
    rng = np.random.default_rng(3)
    ds = model.from_numpy(
        rng.uniform(0, 100, size=(10, 2, 3, 1)),
        rng.uniform(0, 1, size=(10, 3, 1)),
        individual_names=["mouse"],
        keypoint_names=["snout", "ear", "tail"],
        source_software="DeepLabCut",
        fps=30.0,
    )
    (written,) = posebridge.save(ds, path, format="nwb")
    return written


READINGS = {
    "load": "posebridge.load(path)",
    "load as nwb": "posebridge.load(path, format='nwb')",
    "open_dataset": "posebridge.open_dataset(path)",
    "file_info": "nwb.file_info(path)",
}


def _read_in_child(path: Path, reading: str) -> subprocess.CompletedProcess:
    child = (
        "import sys, posebridge\n"
        "from posebridge.errors import FormatError\n"
        "from posebridge.formats import nwb\n"
        "path = sys.argv[1]\n"
        "try:\n"
        f"    {READINGS[reading]}\n"
        "except FormatError as error:\n"
        "    print(error)\n"
        "    raise SystemExit(3)\n"
    )
    try:
        return subprocess.run(
            [sys.executable, "-c", child, str(path)], capture_output=True, text=True, timeout=120
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"{reading} of an NWB file with a damaged global heap hung")


@pytest.mark.parametrize("reading", list(READINGS))
def test_a_damaged_heap_is_refused_naming_the_file_and_byte(tmp_path: Path, reading: str) -> None:
    path = _nwb(tmp_path / "poses.nwb")
    with h5py.File(path, "r") as h5:
        object_id = h5.attrs["object_id"]  # text read at every opening
    start = stall_free_space(path, object_id)
    done = _read_in_child(path, reading)
    assert done.returncode == 3, done.stdout + done.stderr
    assert str(path) in done.stdout
    assert f"global heap collection at byte {start} is damaged" in done.stdout


def test_damage_in_the_cached_schema_only_is_not_refused(tmp_path: Path) -> None:
    """The cached specifications are never read: the poses read as before."""
    path = _nwb(tmp_path / "poses.nwb")
    schemas: list[str] = []
    with h5py.File(path, "r") as h5:
        h5["specifications"].visititems(
            lambda _, member: (
                schemas.append(member[()].decode()) if isinstance(member, h5py.Dataset) else None
            )
        )
    data = path.read_bytes()
    # a schema text alone in its collection (no other text shares it): damage it
    alone = [
        text
        for text in schemas
        if data.count(text.encode()) == 1
        and data.rfind(SIGNATURE, 0, data.find(text.encode())) + 32 == data.find(text.encode())
    ]
    assert alone, "a cached schema that starts its own collection"
    stored = bytearray(data)
    at = stored.find(alone[0].encode())
    (size,) = struct.unpack_from("<Q", stored, at - 8)
    struct.pack_into("<Q", stored, at - 8, size + 4096)  # past its collection's end
    path.write_bytes(bytes(stored))
    expected = posebridge.load(_nwb(tmp_path / "clean.nwb"))
    ds = posebridge.load(path)
    np.testing.assert_array_equal(ds["position"].values, expected["position"].values)
