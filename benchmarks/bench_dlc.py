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
    return out
