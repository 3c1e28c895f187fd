"""SLEAP: .slp read/write against sleap-io (W2), analysis .h5 write/read against movement (W1).

Operations
----------
- ``W2 SLEAP .slp read``: one .slp file (written once by posebridge and cached),
  read by ``posebridge.formats.slp.read`` and by ``sleap_io.load_slp``.
- ``W2 SLEAP .slp write``: the W2 dataset written by posebridge; sleap-io saves
  the same poses as a ``Labels`` built in ``prepare`` (``Labels.from_numpy``).
- ``W1 SLEAP analysis write``: posebridge's writer against movement's
  ``save_poses.to_sleap_analysis_file``.
- ``W1 SLEAP analysis read (posebridge file)`` / ``(movement file)``: both tools
  read the same file, written once by posebridge or by movement.

Every ``prepare`` first makes its tool do the same operation once on a tiny
dataset (a warm-up, for posebridge and the peers alike), so lazy imports and
HDF5's first-use set-up are counted in neither the time nor the memory.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from benchmarks import workloads
from benchmarks.harness import Step, fresh, workfile

W2_BYTES = 20_000 * 2 * 10 * 3 * 8
W1_BYTES = 100_000 * 2 * 12 * 3 * 8


def _w2_slp() -> Path:
    from posebridge.formats import sleap

    path = workfile("w2_sleap.slp")
    if not path.exists():
        sleap.slp_write.write(workloads.w2(), path)
    return path


def _w1_analysis(tool: str) -> Path:
    path = workfile(f"w1_{tool}.analysis.h5")
    if not path.exists():
        if tool == "posebridge":
            from posebridge.formats import sleap

            sleap.analysis_write.write(workloads.w1(), path)
        else:
            from movement.io import save_poses

            save_poses.to_sleap_analysis_file(workloads.w1(), path)
    return path


def _tiny() -> Any:
    return workloads.poses(frames=5, individuals=2, keypoints=3, nan_fraction=0.1)


def _tiny_file(kind: str) -> Path:
    """A tiny .slp or analysis file for warm-ups (written once by posebridge)."""
    from posebridge.formats import sleap

    path = workfile(f"tiny_sleap.{kind}")
    if not path.exists():
        (sleap.slp_write if kind == "slp" else sleap.analysis_write).write(_tiny(), path)
    return path


def _sleap_io_labels(ds: Any) -> Any:
    import numpy as np
    import sleap_io as sio

    arr = np.concatenate(
        [
            ds.position.transpose("time", "individual", "keypoint", "space").values,
            ds.confidence.transpose("time", "individual", "keypoint").values[..., None],
        ],
        axis=-1,
    )
    skeleton = sio.Skeleton([str(k) for k in ds.keypoint.values])
    tracks = [sio.Track(str(name)) for name in ds.individual.values]
    return sio.Labels.from_numpy(
        arr,
        videos=[sio.Video("video.mp4")],
        skeletons=skeleton,
        tracks=tracks,
        return_confidence=True,
    )


# --------------------------------------------------------------------------
# W2 .slp


def _prepare_posebridge_slp_read(workdir: Path) -> Path:
    _run_posebridge_slp_read(_tiny_file("slp"))
    return _w2_slp()


def _prepare_sleap_io_slp_read(workdir: Path) -> Path:
    _run_sleap_io_slp_read(_tiny_file("slp"))
    return _w2_slp()


def _run_posebridge_slp_read(path: Path) -> Any:
    from posebridge.formats import sleap

    return sleap.slp_read.read(path)


def _run_sleap_io_slp_read(path: Path) -> Any:
    import sleap_io as sio

    return sio.load_slp(str(path), open_videos=False)


def _prepare_posebridge_slp_write(workdir: Path) -> tuple[Any, Path]:
    _run_posebridge_slp_write((_tiny(), workdir / "warm.slp"))
    return workloads.w2(), workdir / "w2_out.slp"


def _run_posebridge_slp_write(state: tuple[Any, Path]) -> Any:
    from posebridge.formats import sleap

    ds, path = state
    return sleap.slp_write.write(ds, fresh(path))


def _prepare_sleap_io_slp_write(workdir: Path) -> tuple[Any, Path]:
    _run_sleap_io_slp_write((_sleap_io_labels(_tiny()), workdir / "warm_sio.slp"))
    return _sleap_io_labels(workloads.w2()), workdir / "w2_out_sio.slp"


def _run_sleap_io_slp_write(state: tuple[Any, Path]) -> Any:
    import sleap_io as sio

    labels, path = state
    return sio.save_slp(labels, str(fresh(path)))


# --------------------------------------------------------------------------
# W1 analysis .h5


def _prepare_posebridge_analysis_write(workdir: Path) -> tuple[Any, Path]:
    _run_posebridge_analysis_write((_tiny(), workdir / "warm.analysis.h5"))
    return workloads.w1(), workdir / "w1_out.analysis.h5"


def _run_posebridge_analysis_write(state: tuple[Any, Path]) -> Any:
    from posebridge.formats import sleap

    ds, path = state
    return sleap.analysis_write.write(ds, fresh(path))


def _prepare_movement_analysis_write(workdir: Path) -> tuple[Any, Path]:
    _run_movement_analysis_write((_tiny(), workdir / "warm_movement.h5"))
    return workloads.w1(), workdir / "w1_out_movement.h5"


def _run_movement_analysis_write(state: tuple[Any, Path]) -> Any:
    from movement.io import save_poses

    ds, path = state
    return save_poses.to_sleap_analysis_file(ds, fresh(path))


def _run_posebridge_analysis_read(path: Path) -> Any:
    from posebridge.formats import sleap

    return sleap.analysis_read.read(path)


def _run_movement_analysis_read(path: Path) -> Any:
    from movement.io import load_poses

    return load_poses.from_sleap_file(path)


def _prepared_file(tool: str, reader: Any) -> Any:
    def prepare(workdir: Path) -> Path:
        reader(_tiny_file("analysis.h5"))
        return _w1_analysis(tool)

    return prepare


def steps() -> list[Step]:
    """The SLEAP benchmark steps (posebridge and its peer under each operation)."""
    return [
        Step(
            "W2 SLEAP .slp read",
            "posebridge",
            _prepare_posebridge_slp_read,
            _run_posebridge_slp_read,
            W2_BYTES,
        ),
        Step(
            "W2 SLEAP .slp read",
            "sleap-io",
            _prepare_sleap_io_slp_read,
            _run_sleap_io_slp_read,
            W2_BYTES,
            needs=("sleap_io",),
        ),
        Step(
            "W2 SLEAP .slp write",
            "posebridge",
            _prepare_posebridge_slp_write,
            _run_posebridge_slp_write,
            W2_BYTES,
        ),
        Step(
            "W2 SLEAP .slp write",
            "sleap-io",
            _prepare_sleap_io_slp_write,
            _run_sleap_io_slp_write,
            W2_BYTES,
            needs=("sleap_io",),
        ),
        Step(
            "W1 SLEAP analysis write",
            "posebridge",
            _prepare_posebridge_analysis_write,
            _run_posebridge_analysis_write,
            W1_BYTES,
        ),
        Step(
            "W1 SLEAP analysis write",
            "movement",
            _prepare_movement_analysis_write,
            _run_movement_analysis_write,
            W1_BYTES,
            needs=("movement",),
        ),
        Step(
            "W1 SLEAP analysis read (posebridge file)",
            "posebridge",
            _prepared_file("posebridge", _run_posebridge_analysis_read),
            _run_posebridge_analysis_read,
            W1_BYTES,
            needs=("movement",),
        ),
        Step(
            "W1 SLEAP analysis read (posebridge file)",
            "movement",
            _prepared_file("posebridge", _run_movement_analysis_read),
            _run_movement_analysis_read,
            W1_BYTES,
            needs=("movement",),
        ),
        Step(
            "W1 SLEAP analysis read (movement file)",
            "posebridge",
            _prepared_file("movement", _run_posebridge_analysis_read),
            _run_posebridge_analysis_read,
            W1_BYTES,
            needs=("movement",),
        ),
        Step(
            "W1 SLEAP analysis read (movement file)",
            "movement",
            _prepared_file("movement", _run_movement_analysis_read),
            _run_movement_analysis_read,
            W1_BYTES,
            needs=("movement",),
        ),
    ]
