"""Labelled frames (L1): SLEAP user instances, DeepLabCut CollectedData, NWB PoseTraining.

Workload L1: 1000 labelled frames from 4 videos, 3 animals x 12 keypoints, 10 % of
the points not labelled (:func:`l1`). Every tool writes or reads the same labels:

- ``L1 labels .slp read`` / ``write``: posebridge against ``sleap_io.load_slp`` /
  ``save_slp`` (its ``Labels`` built in ``prepare`` from the cached file);
- ``L1 labels CollectedData .h5 read`` / ``write``: posebridge against pandas'
  ``read_hdf`` / ``to_hdf`` of the same table (DeepLabCut's own I/O);
- ``L1 labels NWB PoseTraining write`` / ``read``: posebridge against sleap-io's
  ``save_nwb`` / ``load_nwb`` (annotations). sleap-io writes annotations only of
  videos it can open, so the 4 videos are tiny real AVI files made once.

Every ``prepare`` first runs its tool once on a 5-frame file (a warm-up), so
imports and HDF5 set-up are counted in neither the time nor the memory.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.harness import Step, fresh, workfile

FRAMES, INDIVIDUALS, KEYPOINTS, VIDEOS = 1000, 3, 12, 4
L1_BYTES = FRAMES * 2 * KEYPOINTS * INDIVIDUALS * 8


def _videos() -> list[str]:
    """4 tiny AVI files (sleap-io opens them to write NWB annotations)."""
    import imageio.v2 as iio

    paths = []
    for k in range(VIDEOS):
        path = workfile(f"labels_video_{k}.avi")
        if not path.exists():
            writer = iio.get_writer(path, format="FFMPEG", codec="mjpeg", fps=30,
                                    macro_block_size=1)  # fmt: skip
            for _ in range(4):
                writer.append_data(np.zeros((16, 16, 3), np.uint8))
            writer.close()
        paths.append(str(path))
    return paths


def l1(frames: int = FRAMES) -> Any:
    """The L1 labels dataset (``frames`` labelled frames)."""
    from posebridge.model import labels

    rng = np.random.default_rng(2024)
    position = rng.uniform(0, 1000, (frames, 2, KEYPOINTS, INDIVIDUALS))
    position[np.repeat(rng.random((frames, 1, KEYPOINTS, INDIVIDUALS)) < 0.1, 2, axis=1)] = np.nan
    videos = _videos()
    return labels.from_numpy(
        position,
        video=[videos[i % VIDEOS] for i in range(frames)],
        frame=[10 * (i // VIDEOS) for i in range(frames)],
        individual_names=[f"mouse{i}" for i in range(INDIVIDUALS)],
        keypoint_names=[f"kp{k}" for k in range(KEYPOINTS)],
    )


def _file(suffix: str, frames: int = FRAMES) -> Path:
    import posebridge

    path = workfile(f"l1_{frames}_labels{suffix}")
    if not path.exists():
        posebridge.save(l1(frames), path)
    return path


# --------------------------------------------------------------------------
# .slp


def _pb_slp_read(path: Path) -> Any:
    from posebridge.formats import sleap

    return sleap.slp_read.read(path)


def _sio_slp_read(path: Path) -> Any:
    import sleap_io as sio

    return sio.load_slp(str(path), open_videos=False)


def _reading(run: Any, suffix: str) -> Any:
    def prepare(workdir: Path) -> Path:
        run(_file(suffix, 5))
        return _file(suffix)

    return prepare


def _pb_write(state: tuple[Any, Path]) -> Any:
    import posebridge

    ds, path = state
    return posebridge.save(ds, fresh(path))


def _pb_writing(suffix: str) -> Any:
    def prepare(workdir: Path) -> tuple[Any, Path]:
        _pb_write((l1(5), workdir / f"warm{suffix}"))
        return l1(), workdir / f"out{suffix}"

    return prepare


def _sio_slp_write(state: tuple[Any, Path]) -> Any:
    import sleap_io as sio

    labels, path = state
    return sio.save_slp(labels, str(fresh(path)))


def _sio_slp_writing(workdir: Path) -> tuple[Any, Path]:
    _sio_slp_write((_sio_slp_read(_file(".slp", 5)), workdir / "warm_sio.slp"))
    return _sio_slp_read(_file(".slp")), workdir / "out_sio.slp"


# --------------------------------------------------------------------------
# CollectedData .h5


def _pb_h5_read(path: Path) -> Any:
    from posebridge.formats import dlc as deeplabcut

    return deeplabcut.read(path)


def _pandas_h5_read(path: Path) -> Any:
    import pandas as pd

    return pd.read_hdf(path)


def _pandas_h5_write(state: tuple[Any, Path]) -> Any:
    df, path = state
    return df.to_hdf(fresh(path), key="df_with_missing", mode="w")


def _pandas_h5_writing(workdir: Path) -> tuple[Any, Path]:
    _pandas_h5_write((_pandas_h5_read(_file(".h5", 5)), workdir / "warm_pandas.h5"))
    return _pandas_h5_read(_file(".h5")), workdir / "out_pandas.h5"


# --------------------------------------------------------------------------
# NWB PoseTraining


def _pb_nwb_read(path: Path) -> Any:
    from posebridge.formats import nwb

    return nwb.read(path)


def _sio_nwb_read(path: Path) -> Any:
    import sleap_io as sio

    return sio.load_nwb(str(path))


def _sio_nwb_write(state: tuple[Any, Path]) -> Any:
    import sleap_io as sio

    labels, path = state
    return sio.save_nwb(labels, str(fresh(path)), nwb_format="annotations")


def _sio_nwb_writing(workdir: Path) -> tuple[Any, Path]:
    import sleap_io as sio

    _sio_nwb_write((sio.load_slp(str(_file(".slp", 5))), workdir / "warm_sio.nwb"))
    return sio.load_slp(str(_file(".slp"))), workdir / "out_sio.nwb"


def steps() -> list[Step]:
    """The labels benchmark steps (posebridge and its peer under each operation)."""
    sio, video = ("sleap_io",), ("imageio", "imageio_ffmpeg")
    return [
        Step("L1 labels .slp read", "posebridge", _reading(_pb_slp_read, ".slp"),
             _pb_slp_read, L1_BYTES, video),
        Step("L1 labels .slp read", "sleap-io", _reading(_sio_slp_read, ".slp"),
             _sio_slp_read, L1_BYTES, sio + video),
        Step("L1 labels .slp write", "posebridge", _pb_writing(".slp"), _pb_write,
             L1_BYTES, video),
        Step("L1 labels .slp write", "sleap-io", _sio_slp_writing, _sio_slp_write,
             L1_BYTES, sio + video),
        Step("L1 labels CollectedData .h5 read", "posebridge", _reading(_pb_h5_read, ".h5"),
             _pb_h5_read, L1_BYTES, video),
        Step("L1 labels CollectedData .h5 read", "pandas",
             _reading(_pandas_h5_read, ".h5"), _pandas_h5_read, L1_BYTES, video),
        Step("L1 labels CollectedData .h5 write", "posebridge", _pb_writing(".h5"),
             _pb_write, L1_BYTES, video),
        Step("L1 labels CollectedData .h5 write", "pandas", _pandas_h5_writing,
             _pandas_h5_write, L1_BYTES, video),
        Step("L1 labels NWB PoseTraining write", "posebridge", _pb_writing(".nwb"),
             _pb_write, L1_BYTES, video),
        Step("L1 labels NWB PoseTraining write", "sleap-io", _sio_nwb_writing,
             _sio_nwb_write, L1_BYTES, sio + video),
        Step("L1 labels NWB PoseTraining read", "posebridge", _reading(_pb_nwb_read, ".nwb"),
             _pb_nwb_read, L1_BYTES, video),
        Step("L1 labels NWB PoseTraining read", "sleap-io", _reading(_sio_nwb_read, ".nwb"),
             _sio_nwb_read, L1_BYTES, sio + video),
    ]  # fmt: skip
