"""Scale: streaming conversion of a long DeepLabCut .h5 (W4) and batch conversion (W5).

Operations
----------
- ``W4 DLC .h5 -> NWB`` / ``W4 DLC .h5 -> SLEAP analysis``: a DeepLabCut .h5 of
  ``POSEBRIDGE_W4_FRAMES`` frames (default 10,000,000) x 1 individual x 12
  keypoints (pandas ``table`` layout under ``df_with_missing``, as DeepLabCut
  writes it; built once in blocks with pandas and cached) converted by
  ``posebridge.convert`` in time chunks (tool ``posebridge``) and by the
  in-memory path, ``posebridge.load`` + ``posebridge.save`` (tool
  ``in-memory``). The peak RSS of the streaming path stays near one chunk; the
  in-memory path holds the whole file. Set ``POSEBRIDGE_W4_FRAMES=200000`` for a
  smoke run.
- ``W5 batch 8 DLC .h5 -> NWB``: eight W2-sized DeepLabCut files converted by
  ``posebridge.convert_many`` on 2 local worker processes (tool ``posebridge``)
  and one after another in this process (tool ``sequential``).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from benchmarks import workloads
from benchmarks.harness import Step, fresh, workfile

FRAMES = int(os.environ.get("POSEBRIDGE_W4_FRAMES", 10_000_000))
#: Frames per chunk of the streaming path (default: posebridge's, about 16 MB of positions).
CHUNK = int(os.environ.get("POSEBRIDGE_W4_CHUNK", 0)) or None
KEYPOINTS = 12
W4_BYTES = FRAMES * KEYPOINTS * 3 * 8
BLOCK = 500_000


def _w4_file() -> Path:
    """The W4 DeepLabCut .h5, written in blocks of rows with pandas (cached)."""
    import numpy as np
    import pandas as pd

    path = workfile(f"w4_dlc_{FRAMES}.h5")
    if path.exists():
        return path
    partial = path.with_name(path.name + ".partial")
    partial.unlink(missing_ok=True)
    columns = pd.MultiIndex.from_product(
        [
            ["DLC_resnet50_w4"],
            [f"bodypart{k}" for k in range(KEYPOINTS)],
            ["x", "y", "likelihood"],
        ],
        names=["scorer", "bodyparts", "coords"],
    )
    rng = np.random.default_rng(4)
    start = np.full((KEYPOINTS, 2), 300.0)
    for low in range(0, FRAMES, BLOCK):
        n = min(BLOCK, FRAMES - low)
        steps = rng.normal(scale=2.0, size=(n, KEYPOINTS, 2))
        xy = start + np.cumsum(steps, axis=0)
        start = xy[-1]
        values = np.empty((n, KEYPOINTS, 3))
        values[..., :2] = xy
        values[..., 2] = rng.uniform(0, 1, size=(n, KEYPOINTS))
        frame = pd.DataFrame(values.reshape(n, -1), columns=columns, index=np.arange(low, low + n))
        frame.to_hdf(partial, key="df_with_missing", format="table", append=True)
    partial.rename(path)
    return path


def _prepare(target: str) -> Any:
    def prepare(workdir: Path) -> tuple[Path, Path]:
        import pynwb  # noqa: F401

        import posebridge  # noqa: F401 - imports are not timed

        return _w4_file(), fresh(workdir / f"w4_out{target}")

    return prepare


def _streaming(state: tuple[Path, Path]) -> None:
    import posebridge

    source, target = state
    posebridge.convert(source, target, fps=30, progress=False, chunk_frames=CHUNK)


def _in_memory(state: tuple[Path, Path]) -> None:
    import posebridge

    source, target = state
    posebridge.save(posebridge.load(source, fps=30), target)


def _prepare_batch(workdir: Path) -> tuple[Path, Path]:
    import posebridge

    folder = workfile("w5_inputs")
    if not folder.is_dir():
        partial = workfile("w5_inputs.partial")
        partial.mkdir(exist_ok=True)
        ds = workloads.w2()
        for i in range(8):
            posebridge.save(ds, partial / f"session{i}DLC_resnet50.h5", overwrite=True)
        partial.rename(folder)
    out = workdir / "w5_out"
    return folder, out


def _batch(state: tuple[Path, Path]) -> None:
    import posebridge

    folder, out = state
    report = posebridge.convert_many(
        folder, out, to="nwb", jobs=2, progress=False, write_options={"split_individuals": False}
    )
    assert report.ok, report.table()


def _sequential(state: tuple[Path, Path]) -> None:
    import posebridge

    folder, out = state
    out.mkdir(parents=True, exist_ok=True)
    for source in sorted(folder.glob("*.h5")):
        posebridge.convert(source, out / (source.stem + ".nwb"), split_individuals=False)


def steps() -> list[Step]:
    """W4 (streaming against in memory) and W5 (batch against a loop)."""
    out: list[Step] = []
    for target, name in ((".nwb", "NWB"), (".analysis.h5", "SLEAP analysis")):
        operation = f"W4 DLC .h5 -> {name}"
        out.append(Step(operation, "posebridge", _prepare(target), _streaming, W4_BYTES))
        out.append(Step(operation, "in-memory", _prepare(target), _in_memory, W4_BYTES))
    w5 = workloads.array_bytes(workloads.w2()) * 8
    operation = "W5 batch 8 DLC .h5 -> NWB"
    out.append(Step(operation, "posebridge", _prepare_batch, _batch, w5, ("distributed",)))
    out.append(Step(operation, "sequential", _prepare_batch, _sequential, w5))
    return out
