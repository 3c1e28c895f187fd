"""VIA tracks and Anipose .csv, write and read, posebridge against movement.

Operations
----------
- ``VIA 10k x 20 write``: 10,000 frames x 20 boxes (5 % missing, with
  confidence) written by ``posebridge.formats.via.write`` and by movement's
  ``save_bboxes.to_via_tracks_file`` (same dataset, built in ``prepare``).
- ``VIA 10k x 20 read``: one file (written once by posebridge and cached) read
  by ``posebridge.formats.via.read`` and movement's
  ``load_bboxes.from_via_tracks_file``.
- ``Anipose 100k x 12 read``: 100,000 frames x 12 keypoints, 3D, 5 % missing
  points, one file (written once by posebridge and cached) read by
  ``posebridge.formats.anipose.read`` and movement's
  ``load_poses.from_anipose_file``.
- ``Anipose 100k x 12 write``: posebridge's writer; movement has no Anipose
  writer, so the peer is ``pandas.DataFrame.to_csv(index=False)`` of the same
  table, which is what Anipose's ``triangulate`` itself calls.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from benchmarks import workloads
from benchmarks.harness import Step, fresh, workfile

VIA = {"frames": 10_000, "boxes": 20}
ANIPOSE = {"frames": 100_000, "keypoints": 12}
VIA_BYTES = VIA["frames"] * VIA["boxes"] * 5 * 8  # position, shape, confidence
ANIPOSE_BYTES = ANIPOSE["frames"] * ANIPOSE["keypoints"] * 6 * 8  # xyz, score, error, ncams


def via_boxes() -> Any:
    """10,000 frames x 20 boxes wandering in a 1920 x 1080 image, 5 % missing."""
    from posebridge import model

    rng = np.random.default_rng(11)
    n, m = VIA["frames"], VIA["boxes"]
    position = rng.uniform(100, 900, size=(1, 2, m)) + np.cumsum(
        rng.normal(scale=2.0, size=(n, 2, m)), axis=0
    )
    shape = rng.uniform(20, 80, size=(n, 2, m))
    confidence = rng.uniform(0, 1, size=(n, m))
    missing = rng.random((n, m)) < 0.05
    position[np.broadcast_to(missing[:, None], position.shape)] = np.nan
    return model.bboxes_from_numpy(
        position, shape, confidence, individual_names=[f"id_{i}" for i in range(m)]
    )


def anipose_poses() -> Any:
    """100,000 frames x 12 keypoints, 3D, with reprojection error and camera counts."""
    ds = workloads.poses(
        ANIPOSE["frames"], 1, ANIPOSE["keypoints"], nan_fraction=0.05, seed=12, space=3
    )
    rng = np.random.default_rng(13)
    missing = ds.position.isnull().any("space")
    shape = ds.confidence.shape
    ds["reprojection_error"] = ds.confidence.copy(data=rng.uniform(0, 8, shape))
    ds["camera_count"] = ds.confidence.copy(data=rng.integers(2, 5, shape).astype(float))
    return ds.assign(
        reprojection_error=ds.reprojection_error.where(~missing),
        camera_count=ds.camera_count.where(~missing),
    )


def _cached(name: str, make: Any, write: Any) -> Path:
    path = workfile(name)
    if not path.exists():
        write(make(), path)
    return path


def _via_file() -> Path:
    from posebridge.formats import via

    return _cached("via_10k_x_20.csv", via_boxes, via.write)


def _anipose_file() -> Path:
    from posebridge.formats import anipose

    return _cached("anipose_100k_x_12.csv", anipose_poses, anipose.write)


# --------------------------------------------------------------------------
# VIA


def _prepare_via_write(workdir: Path) -> tuple[Any, Path]:
    import pandas  # noqa: F401 - imports are not timed

    import posebridge.formats.via  # noqa: F401

    return via_boxes(), fresh(workdir / "via_out.csv")


def _prepare_via_read(workdir: Path) -> Path:
    import pandas  # noqa: F401 - imports are not timed

    import posebridge.formats.via  # noqa: F401

    return _via_file()


def _posebridge_via_write(state: tuple[Any, Path]) -> None:
    from posebridge.formats import via

    via.write(*state)


def _movement_via_write(state: tuple[Any, Path]) -> None:
    from movement.io import save_bboxes

    save_bboxes.to_via_tracks_file(*state)


def _posebridge_via_read(path: Path) -> None:
    from posebridge.formats import via

    via.read(path)


def _movement_via_read(path: Path) -> None:
    from movement.io import load_bboxes

    load_bboxes.from_via_tracks_file(path)


# --------------------------------------------------------------------------
# Anipose


def _prepare_anipose_write(workdir: Path) -> tuple[Any, Path]:
    import pandas  # noqa: F401 - imports are not timed

    import posebridge.formats.anipose  # noqa: F401

    return anipose_poses(), fresh(workdir / "anipose_out.csv")


def _prepare_pandas_write(workdir: Path) -> tuple[Any, Path]:
    from posebridge.formats import anipose

    return anipose.dataframe_from_dataset(anipose_poses()), fresh(workdir / "pandas_out.csv")


def _prepare_anipose_read(workdir: Path) -> Path:
    import pandas  # noqa: F401 - imports are not timed

    import posebridge.formats.anipose  # noqa: F401

    return _anipose_file()


def _posebridge_anipose_write(state: tuple[Any, Path]) -> None:
    from posebridge.formats import anipose

    anipose.write(*state)


def _pandas_anipose_write(state: tuple[Any, Path]) -> None:
    df, path = state
    df.to_csv(path, index=False)


def _posebridge_anipose_read(path: Path) -> None:
    from posebridge.formats import anipose

    anipose.read(path)


def _movement_anipose_read(path: Path) -> None:
    from movement.io import load_poses

    load_poses.from_anipose_file(path)


def steps() -> list[Step]:
    """VIA and Anipose steps, posebridge paired with movement (or pandas for Anipose writing)."""
    via_w, via_r = "VIA 10k x 20 write", "VIA 10k x 20 read"
    ani_w, ani_r = "Anipose 100k x 12 write", "Anipose 100k x 12 read"
    movement = ("movement",)
    return [
        Step(via_w, "posebridge", _prepare_via_write, _posebridge_via_write, VIA_BYTES),
        Step(via_w, "movement", _prepare_via_write, _movement_via_write, VIA_BYTES, movement),
        Step(via_r, "posebridge", _prepare_via_read, _posebridge_via_read, VIA_BYTES),
        Step(via_r, "movement", _prepare_via_read, _movement_via_read, VIA_BYTES, movement),
        Step(
            ani_w, "posebridge", _prepare_anipose_write, _posebridge_anipose_write, ANIPOSE_BYTES
        ),
        Step(ani_w, "pandas", _prepare_pandas_write, _pandas_anipose_write, ANIPOSE_BYTES),
        Step(ani_r, "posebridge", _prepare_anipose_read, _posebridge_anipose_read, ANIPOSE_BYTES),
        Step(
            ani_r,
            "movement",
            _prepare_anipose_read,
            _movement_anipose_read,
            ANIPOSE_BYTES,
            movement,
        ),
    ]
