"""NWB (ndx-pose): W1 against movement, W2 against sleap-io, write and read.

Operations
----------
- ``W1 NWB write``: the W1 dataset (built in ``prepare``) written as one file
  per individual, float64, no compression: ``posebridge.formats.nwb.write``
  against movement's ``save_poses.to_nwb_file`` + ``pynwb.NWBHDF5IO.write``
  of each file.
- ``W1 NWB read``: both tools read the same two per-individual files (written
  once by posebridge and cached) and combine them into one dataset:
  ``posebridge.formats.nwb.load_nwb_poses([file1, file2])`` (both files read
  into one set of arrays), against movement's ``load_poses.from_nwb_file`` of
  each + ``xr.merge``.
- ``W1 NWB read (movement files)``: the same, on the files movement writes
  (timestamps copied into every series).
- ``W2 NWB write`` / ``W2 NWB read``: one file holding both tracks,
  ``posebridge.io.nwb.save_nwb`` / ``load_nwb`` against sleap-io's
  ``save_nwb`` / ``load_nwb`` of a ``Labels`` built from the same arrays in
  ``prepare`` (each tool reads the file it wrote: sleap-io reads only its own
  ``SLEAP_VIDEO_*`` layout). Both ``load_nwb`` return a sleap-io ``Labels``
  (posebridge's ``return_type="auto"``); sleap-io is imported before timing.

File sizes are printed by ``python -m benchmarks.bench_nwb``.
"""

from __future__ import annotations

import contextlib
import warnings
from pathlib import Path
from typing import Any

from benchmarks import workloads
from benchmarks.harness import Step, fresh, workfile

W1_BYTES = 100_000 * 2 * 12 * 3 * 8
W2_BYTES = 20_000 * 2 * 10 * 3 * 8
_NWB = ("pynwb", "ndx_pose", "h5py", "xarray")


def _quiet() -> None:
    """Silence warnings and import what the timed calls use (imports are not timed)."""
    warnings.simplefilter("ignore")
    import posebridge.formats.nwb
    import posebridge.io.nwb  # noqa: F401
    from posebridge import registry

    registry.all_formats()


def _w1_files(tool: str, frames: int | None = None) -> list[Path]:
    """The W1 per-individual NWB files written by ``tool`` (cached); ``frames``: its first."""
    stem = f"w1_nwb_{tool}" if frames is None else f"w1_{frames}_nwb_{tool}"
    paths = [workfile(f"{stem}_mouse{i}.nwb") for i in range(2)]
    if all(p.exists() for p in paths):
        return paths
    _quiet()
    ds = workloads.w1() if frames is None else workloads.w1().isel(time=slice(0, frames))
    if tool == "posebridge":
        from posebridge.formats import nwb

        for path in paths:
            path.unlink(missing_ok=True)
        written = nwb.write(ds, workfile(f"{stem}.nwb"))
        assert written == paths, written
    else:
        import pynwb
        from movement.io import save_poses

        for nwbfile, path in zip(save_poses.to_nwb_file(ds), paths, strict=True):
            with pynwb.NWBHDF5IO(path, "w") as io:
                io.write(nwbfile)
    return paths


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
    skeleton = sio.Skeleton([str(k) for k in ds.keypoint.values], name="skeleton")
    tracks = [sio.Track(str(i)) for i in ds.individual.values]
    return sio.Labels.from_numpy(
        arr,
        videos=[sio.Video(filename="w2.mp4")],
        skeletons=skeleton,
        tracks=tracks,
        return_confidence=True,
    )


# -- W1 write


def _prepare_w1_write(workdir: Path) -> tuple[Any, Path]:
    import ndx_pose  # noqa: F401 - imports are not timed
    import pynwb  # noqa: F401

    _quiet()
    return workloads.w1(), fresh(workdir / "w1_out.nwb")


def _posebridge_w1_write(state: tuple[Any, Path]) -> None:
    from posebridge.formats import nwb

    ds, path = state
    nwb.write(ds, path)


def _movement_w1_write(state: tuple[Any, Path]) -> None:
    import pynwb
    from movement.io import save_poses

    ds, path = state
    for nwbfile in save_poses.to_nwb_file(ds):
        with pynwb.NWBHDF5IO(path.with_name(f"w1_out_{nwbfile.identifier}.nwb"), "w") as io:
            io.write(nwbfile)


# -- W1 read


def _prepare_w1_read(tool: str) -> Any:
    def prepare(workdir: Path) -> list[Path]:
        import ndx_pose  # noqa: F401 - imports are not timed
        import pynwb  # noqa: F401

        _quiet()
        warm_up = _posebridge_w1_read if tool == "posebridge" else _movement_w1_read
        warm_up(_w1_files(tool, frames=10))  # first-use costs (xarray imports dask) untimed
        return _w1_files(tool)

    return prepare


def _posebridge_w1_read(paths: list[Path]) -> None:
    from posebridge.formats import nwb

    nwb.load_nwb_poses(paths)


def _movement_w1_read(paths: list[Path]) -> None:
    import xarray as xr
    from movement.io import load_poses

    parts = [load_poses.from_nwb_file(p) for p in paths]
    xr.merge(parts, join="outer", compat="no_conflicts")


# -- W2 against sleap-io


def _prepare_w2_write(tool: str) -> Any:
    def prepare(workdir: Path) -> tuple[Any, Path]:
        import ndx_pose  # noqa: F401 - imports are not timed
        import pynwb  # noqa: F401

        _quiet()
        ds = workloads.w2()
        return (_sleap_io_labels(ds) if tool == "sleap-io" else ds), fresh(workdir / "w2.nwb")

    return prepare


def _posebridge_w2_write(state: tuple[Any, Path]) -> None:
    from posebridge.io import nwb

    ds, path = state
    nwb.save_nwb(ds, path)


def _sleap_io_w2_write(state: tuple[Any, Path]) -> None:
    import sleap_io as sio

    labels, path = state
    sio.save_nwb(labels, str(path))


def _w2_file(tool: str, frames: int | None = None) -> Path:
    path = workfile(f"w2_{tool}.nwb" if frames is None else f"w2_{frames}_{tool}.nwb")
    if not path.exists():
        _quiet()
        ds = workloads.w2() if frames is None else workloads.w2().isel(time=slice(0, frames))
        if tool == "posebridge":
            from posebridge.io import nwb

            nwb.save_nwb(ds, path)
        else:
            import sleap_io as sio

            sio.save_nwb(_sleap_io_labels(ds), str(path))
    return path


def _prepare_w2_read(tool: str) -> Any:
    def prepare(workdir: Path) -> Path:
        import ndx_pose  # noqa: F401 - imports are not timed
        import pynwb  # noqa: F401

        with contextlib.suppress(ImportError):  # with sleap-io, both tools give its Labels
            import sleap_io  # noqa: F401

        _quiet()
        warm_up = _posebridge_w2_read if tool == "posebridge" else _sleap_io_w2_read
        warm_up(_w2_file(tool, frames=10))  # first-use costs (xarray imports dask) untimed
        return _w2_file(tool)

    return prepare


def _posebridge_w2_read(path: Path) -> None:
    from posebridge.io import nwb

    nwb.load_nwb(path)


def _sleap_io_w2_read(path: Path) -> None:
    import sleap_io as sio

    sio.load_nwb(str(path))


def steps() -> list[Step]:
    """The NWB steps: posebridge paired with movement (W1) and sleap-io (W2)."""
    movement, sleap_io = (*_NWB, "movement"), (*_NWB, "sleap_io")
    return [
        Step(
            "W1 NWB write", "posebridge", _prepare_w1_write, _posebridge_w1_write, W1_BYTES, _NWB
        ),
        Step(
            "W1 NWB write", "movement", _prepare_w1_write, _movement_w1_write, W1_BYTES, movement
        ),
        Step(
            "W1 NWB read",
            "posebridge",
            _prepare_w1_read("posebridge"),
            _posebridge_w1_read,
            W1_BYTES,
            _NWB,
        ),
        Step(
            "W1 NWB read",
            "movement",
            _prepare_w1_read("posebridge"),
            _movement_w1_read,
            W1_BYTES,
            movement,
        ),
        Step(
            "W1 NWB read (movement files)",
            "posebridge",
            _prepare_w1_read("movement"),
            _posebridge_w1_read,
            W1_BYTES,
            movement,
        ),
        Step(
            "W1 NWB read (movement files)",
            "movement",
            _prepare_w1_read("movement"),
            _movement_w1_read,
            W1_BYTES,
            movement,
        ),
        Step(
            "W2 NWB write",
            "posebridge",
            _prepare_w2_write("posebridge"),
            _posebridge_w2_write,
            W2_BYTES,
            _NWB,
        ),
        Step(
            "W2 NWB write",
            "sleap-io",
            _prepare_w2_write("sleap-io"),
            _sleap_io_w2_write,
            W2_BYTES,
            sleap_io,
        ),
        Step(
            "W2 NWB read",
            "posebridge",
            _prepare_w2_read("posebridge"),
            _posebridge_w2_read,
            W2_BYTES,
            _NWB,
        ),
        Step(
            "W2 NWB read",
            "sleap-io",
            _prepare_w2_read("sleap-io"),
            _sleap_io_w2_read,
            W2_BYTES,
            sleap_io,
        ),
    ]


def main() -> None:
    """Print the sizes of the NWB files each tool writes for W1 and W2."""
    for tool in ("posebridge", "movement"):
        size = sum(p.stat().st_size for p in _w1_files(tool))
        print(f"W1 NWB files written by {tool}: {size / 1e6:.1f} MB")
    for tool in ("posebridge", "sleap-io"):
        print(f"W2 NWB file written by {tool}: {_w2_file(tool).stat().st_size / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
