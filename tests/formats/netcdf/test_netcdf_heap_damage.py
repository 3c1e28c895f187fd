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

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import posebridge
from _heap_damage import stall_free_space
from posebridge import model

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


@pytest.mark.parametrize("reading", ["load", "open_dataset"])
def test_a_damaged_heap_is_refused_naming_the_file_and_byte(tmp_path: Path, reading: str) -> None:
    path = _netcdf(tmp_path / "poses.nc")
    assert posebridge.load(path)["keypoint"].values.tolist() == ["snout", KEYPOINT]
    start = stall_free_space(path, KEYPOINT)
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
