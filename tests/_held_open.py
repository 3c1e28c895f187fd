"""Another process that holds an HDF5 file open with h5py, as a live tracker or a
viewer left open does."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

_HOLDER = """
import sys, h5py
if sys.argv[2] == "live":  # a new file written in SWMR mode (live tracking): no lock, a mark
    handle = h5py.File(sys.argv[1], "w", libver="latest")
    handle.create_dataset("their_edit", data=[1, 2, 3], maxshape=(None,))
    handle.swmr_mode = True
else:
    handle = h5py.File(sys.argv[1], sys.argv[2])
    if sys.argv[2] != "r":
        handle.create_group("their_edit")
print("open", flush=True)
sys.stdin.readline()
handle.close()
"""


@contextmanager
def held_open(path: Path, mode: str = "a", **environment: str) -> Iterator[None]:
    """Another process holds ``path`` open with h5py in ``mode`` (``a`` adds a group;
    ``live`` makes a new file in SWMR mode), with ``environment`` added to its own,
    until the block ends."""
    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLDER, str(path), mode],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, **environment},
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "open"
        yield
    finally:
        holder.communicate("\n", timeout=60)
