"""A damaged HDF5 global heap in a netCDF file is refused, not looped on for ever.

netCDF-4 (HDF5) keeps text coordinates and the ``DIMENSION_LIST`` of each
variable in global heap collections; HDF5 2.0 loops for ever, holding the GIL,
when it loads a collection whose free-space object declares 0 bytes. Each
reading runs in a child process: a regression hangs the child (killed after a
timeout), not pytest. The file is written by posebridge in the test; the
damaged object is found by searching for a value's bytes and walking its
collection.
"""

from __future__ import annotations

import struct
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import posebridge
from posebridge import model

SIGNATURE = b"GCOL\x01\x00\x00\x00"
KEYPOINT = "left_ear_tip_of_a_test_mouse"


def _netcdf(path: Path) -> Path:
    rng = np.random.default_rng(4)
    ds = model.from_numpy(
        rng.uniform(0, 100, size=(10, 2, 2, 2)),
        rng.uniform(0, 1, size=(10, 2, 2)),
        individual_names=["mouse_a", "mouse_b"],
        keypoint_names=["snout", KEYPOINT],
        source_software="DeepLabCut",
    )
    (written,) = posebridge.save(ds, path)
    return written


def _stall_free_space(path: Path, value: str) -> int:
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


@pytest.mark.parametrize("reading", ["load", "open_dataset"])
def test_a_damaged_heap_is_refused_naming_the_file_and_byte(tmp_path: Path, reading: str) -> None:
    path = _netcdf(tmp_path / "poses.nc")
    assert posebridge.load(path)["keypoint"].values.tolist() == ["snout", KEYPOINT]
    start = _stall_free_space(path, KEYPOINT)
    child = (
        "import sys, posebridge\n"
        "from posebridge.errors import FormatError\n"
        "try:\n"
        f"    posebridge.{reading}(sys.argv[1])\n"
        "except FormatError as error:\n"
        "    print(error)\n"
        "    raise SystemExit(3)\n"
    )
    try:
        done = subprocess.run(
            [sys.executable, "-c", child, str(path)], capture_output=True, text=True, timeout=120
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"{reading} of a netCDF file with a damaged global heap hung")
    assert done.returncode == 3, done.stdout + done.stderr
    assert str(path) in done.stdout
    assert f"global heap collection at byte {start} is damaged" in done.stdout
