"""Tests of posebridge._files helpers not covered by their callers' tests."""

from __future__ import annotations

from pathlib import Path

import h5py
import pytest

from posebridge._files import HDF5_SIGNATURE, Peek, holds_hdf5_signature


@pytest.mark.parametrize("block", [0, 512, 1024, 4096])
def test_the_hdf5_signature_is_found_where_hdf5_looks_for_it(tmp_path: Path, block: int) -> None:
    """h147 item 5: byte 0, or after a user block at 512, 1024, 2048, ... (h5py.is_hdf5)."""
    path = tmp_path / "a.h5"
    with h5py.File(path, "w", userblock_size=block) as h5:
        h5["x"] = [1, 2, 3]
    assert h5py.is_hdf5(path)
    assert holds_hdf5_signature(path)
    with Peek(path) as peek:
        assert peek.is_hdf5


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"\x89HDF",
        bytes(8),
        bytes(300) + HDF5_SIGNATURE + bytes(600),  # not at an offset HDF5 looks at
        b"scorer,DLC\n" * 200,
    ],
)
def test_no_hdf5_signature_elsewhere(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "a.h5"
    path.write_bytes(data)
    assert holds_hdf5_signature(path) is h5py.is_hdf5(path) is False


def test_a_missing_file_holds_no_signature(tmp_path: Path) -> None:
    assert holds_hdf5_signature(tmp_path / "none.h5") is False
