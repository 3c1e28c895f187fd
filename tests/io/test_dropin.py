"""The frame rates the movement drop-ins take (posebridge.io._dropin.movement_fps).

movement turns ``float(fps)`` into the rate and divides the frame numbers by it.
A rate of NaN or infinity passes its ``fps <= 0`` check: every time becomes NaN
(``frame / nan``) or 0.0 (``frame / inf``), times that repeat and say nothing.
The drop-ins refuse those rates with a ``SchemaError`` that says why; NWB, whose
times come from the file, ignores any rate with movement's warning.
"""

from __future__ import annotations

import math
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xarray as xr

import posebridge
from posebridge.io import load, load_bboxes, load_poses, save_bboxes, save_poses


@pytest.fixture
def poses() -> xr.Dataset:
    """Two individuals, two keypoints, four frames, in frames (no fps)."""
    position = np.arange(4 * 2 * 2 * 2, dtype=np.float64).reshape(4, 2, 2, 2)
    return load_poses.from_numpy(
        position,
        np.full((4, 2, 2), 0.5),
        individual_names=["id_0", "id_1"],
        keypoint_names=["nose", "tail"],
        source_software="DeepLabCut",
    )


def _loaders(folder: Path, ds: xr.Dataset) -> dict[str, object]:
    """Every drop-in loader that takes ``fps``, bound to a file (or arrays) it reads."""
    save_poses.to_dlc_file(ds, folder / "dlc.h5")
    save_poses.to_sleap_analysis_file(ds, folder / "p.h5")
    save_poses.to_lp_file(ds.isel(individual=[0]), folder / "lp.csv")  # lp_id_0.csv
    anipose_ds = posebridge.from_numpy(np.ones((4, 3, 2, 1)), keypoint_names=["a", "b"])
    posebridge.save(anipose_ds, folder / "ani.csv", "anipose")
    boxes = load_bboxes.from_numpy(np.zeros((3, 2, 1)), np.ones((3, 2, 1)))
    save_bboxes.to_via_tracks_file(boxes, folder / "boxes.csv")
    anipose_df = pd.read_csv(folder / "ani.csv")
    return {
        "from_dlc_file": lambda fps: load_poses.from_dlc_file(folder / "dlc.h5", fps=fps),
        "from_lp_file": lambda fps: load_poses.from_lp_file(folder / "lp_id_0.csv", fps=fps),
        "from_sleap_file": lambda fps: load_poses.from_sleap_file(folder / "p.h5", fps=fps),
        "from_anipose_file": lambda fps: load_poses.from_anipose_file(folder / "ani.csv", fps),
        "from_anipose_style_df": lambda fps: load_poses.from_anipose_style_df(anipose_df, fps),
        "from_dlc_style_df": lambda fps: load_poses.from_dlc_style_df(
            save_poses.to_dlc_style_df(ds), fps=fps
        ),
        "load_poses.from_file": lambda fps: load_poses.from_file(
            folder / "dlc.h5", "DeepLabCut", fps=fps
        ),
        "load_poses.from_numpy": lambda fps: load_poses.from_numpy(
            np.zeros((3, 2, 1, 1)), fps=fps
        ),
        "load_bboxes.from_numpy": lambda fps: load_bboxes.from_numpy(
            np.zeros((3, 2, 1)), np.ones((3, 2, 1)), frame_array=np.array([[1], [2], [5]]), fps=fps
        ),
        "from_via_tracks_file": lambda fps: load_bboxes.from_via_tracks_file(
            folder / "boxes.csv", fps=fps
        ),
        "load_bboxes.from_file": lambda fps: load_bboxes.from_file(
            folder / "boxes.csv", "VIA-tracks", fps=fps
        ),
        "load_dataset": lambda fps: load.load_dataset(folder / "p.h5", fps=fps),
        "load_dataset DLC/LP": lambda fps: load.load_dataset(
            folder / "dlc.h5", load.AMBIGUOUS_DLC_LP_SOURCE_SOFTWARE, fps=fps
        ),
        "load_dataset LightningPose": lambda fps: load.load_dataset(
            folder / "lp_id_0.csv", "LightningPose", fps=fps
        ),
    }


@pytest.mark.parametrize(
    ("fps", "every_time"),
    [
        (float("nan"), r"NaN \(frame / nan\)"),
        (np.float32("nan"), r"NaN \(frame / nan\)"),
        ("nan", r"NaN \(frame / nan\)"),
        (math.inf, r"0\.0 \(frame / inf\)"),
        (np.float64("inf"), r"0\.0 \(frame / inf\)"),
        ("inf", r"0\.0 \(frame / inf\)"),
    ],
    ids=["nan", "float32 nan", "text nan", "inf", "float64 inf", "text inf"],
)
def test_drop_in_loaders_refuse_a_rate_of_nan_or_infinity_saying_what_movement_gives(
    tmp_path, poses, fps, every_time
):
    for name, loader in _loaders(tmp_path, poses).items():
        with pytest.raises(posebridge.errors.SchemaError, match=every_time) as caught:
            loader(fps)
        assert "is not a frame rate" in str(caught.value), name
        assert "None (or 0" in str(caught.value), name  # what to give instead


def test_movement_gives_times_that_repeat_for_a_rate_of_nan_or_infinity():
    # the reason for the refusal above, checked against movement itself
    movement_load_poses = pytest.importorskip("movement.io.load_poses")
    position = np.zeros((3, 2, 1, 1))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        nan_times = movement_load_poses.from_numpy(position, fps=float("nan")).time.values
        inf_times = movement_load_poses.from_numpy(position, fps=math.inf).time.values
    assert np.isnan(nan_times).all()
    assert (inf_times == 0).all()
    with pytest.raises(posebridge.errors.SchemaError, match="is not a frame rate"):
        load_poses.from_numpy(position, fps=float("nan"))


def test_load_dataset_of_nwb_ignores_any_rate_with_movements_warning_alone(tmp_path, poses):
    # movement's load_dataset never looks at the rate it ignores for NWB: 0 and NaN only
    # warn that fps is ignored (not "Invalid fps value", not an error)
    one = posebridge.model.with_fps(poses.isel(individual=[0]), 30.0)
    (path,) = posebridge.save(one, tmp_path / "s.nwb")
    expected = load.load_dataset(path, "NWB")
    for fps in (0, float("nan"), math.inf):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            ds = load.load_dataset(path, "NWB", fps=fps)
        messages = [str(w.message) for w in caught if issubclass(w.category, UserWarning)]
        assert any("fps is ignored" in m for m in messages), fps
        assert not any("Invalid fps value" in m for m in messages), fps
        xr.testing.assert_identical(ds.drop_attrs(), expected.drop_attrs())
