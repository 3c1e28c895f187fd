"""DeepLabCut .h5 and .csv, write and read, posebridge against movement (W1).

Operations
----------
- ``W1 DLC .h5 write`` / ``W1 DLC .csv write``: the W1 dataset (built in
  ``prepare``) written as one multi-animal file by
  ``posebridge.formats.deeplabcut.write`` and by movement's
  ``save_poses.to_dlc_file`` (both with ``split_individuals=False``).
- ``W1 DLC .h5 read`` / ``W1 DLC .csv read``: both tools read the same file,
  written once by posebridge and cached (the .h5 is pandas' ``table`` layout
  under ``df_with_missing``, as DeepLabCut writes it), with
  ``posebridge.formats.deeplabcut.read`` and movement's
  ``load_poses.from_dlc_file``.
- ``W1 DLC .csv read (one core)``: the same read with the process pinned to one
  CPU (``os.sched_setaffinity`` in ``prepare``), as on a machine whose other
  cores are busy; the reader's module and xarray's one-time import of its
  array backends (dask, when installed) are loaded in ``prepare``, so the
  seconds are the reading. The third line, ``pandas C parser (plain table)``,
  is ``pandas.read_csv`` of the same data rows without the header lines (a
  plain numeric table of the same size): what a CSV parser costs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from benchmarks import workloads
from benchmarks.harness import Step, fresh, workfile

W1_BYTES = 100_000 * 2 * 12 * 3 * 8  # position + confidence, float64


def _w1_file(suffix: str) -> Path:
    from posebridge.formats import dlc as deeplabcut

    path = workfile(f"w1_dlc{suffix}")
    if not path.exists():
        deeplabcut.write(workloads.w1(), path, split_individuals=False)
    return path


def _prepare_write(suffix: str) -> Any:
    def prepare(workdir: Path) -> tuple[Any, Path]:
        import pandas  # noqa: F401 - imports are not timed
        import pyarrow.csv  # noqa: F401

        return workloads.w1(), fresh(workdir / f"w1_out{suffix}")

    return prepare


def _prepare_read(suffix: str) -> Any:
    def prepare(workdir: Path) -> Path:
        import h5py  # noqa: F401 - imports are not timed
        import pandas  # noqa: F401
        import tables  # noqa: F401

        return _w1_file(suffix)

    return prepare


def _posebridge_write(state: tuple[Any, Path]) -> None:
    from posebridge.formats import dlc as deeplabcut

    ds, path = state
    deeplabcut.write(ds, path, split_individuals=False)


def _movement_write(state: tuple[Any, Path]) -> None:
    from movement.io import save_poses

    ds, path = state
    save_poses.to_dlc_file(ds, path, split_individuals=False)


def _posebridge_read(path: Path) -> None:
    from posebridge.formats import dlc as deeplabcut

    deeplabcut.read(path)


def _movement_read(path: Path) -> None:
    from movement.io import load_poses

    load_poses.from_dlc_file(path)


def _plain_table() -> Path:
    """The data rows of the W1 .csv (its header lines dropped): 100,000 x 73 numbers."""
    path = workfile("w1_plain.csv")
    if not path.exists():
        with open(_w1_file(".csv"), "rb") as source, open(path, "wb") as target:
            for _ in range(4):  # scorer, individuals, bodyparts, coords
                source.readline()
            while block := source.read(1 << 24):
                target.write(block)
    return path


def _one_core(tool: str) -> Any:
    def prepare(workdir: Path) -> Path:
        import os

        import numpy as np
        import pandas as pd  # noqa: F401 - imports are not timed
        import pyarrow.csv  # noqa: F401
        import xarray as xr

        if tool == "movement":
            from movement.io import load_poses  # noqa: F401
        else:
            from posebridge.formats import dlc  # noqa: F401
        xr.Dataset({"warm": ("x", np.zeros(1))})  # xarray imports dask on first use
        path = _plain_table() if tool == "pandas" else _w1_file(".csv")
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
        return path

    return prepare


def _pandas_plain_read(path: Path) -> None:
    import pandas as pd

    pd.read_csv(path, header=None)


def steps() -> list[Step]:
    """The W1 DeepLabCut steps, posebridge paired with movement."""
    out: list[Step] = []
    for suffix in (".h5", ".csv"):
        for what, prepare, ours, theirs in (
            ("write", _prepare_write(suffix), _posebridge_write, _movement_write),
            ("read", _prepare_read(suffix), _posebridge_read, _movement_read),
        ):
            operation = f"W1 DLC {suffix} {what}"
            out.append(Step(operation, "posebridge", prepare, ours, W1_BYTES))
            out.append(Step(operation, "movement", prepare, theirs, W1_BYTES, ("movement",)))
    one_core = "W1 DLC .csv read (one core)"
    out += [
        Step(one_core, "posebridge", _one_core("posebridge"), _posebridge_read, W1_BYTES),
        Step(one_core, "movement", _one_core("movement"), _movement_read, W1_BYTES, ("movement",)),
        Step(one_core, "pandas C parser (plain table)", _one_core("pandas"), _pandas_plain_read),
    ]
    return out
