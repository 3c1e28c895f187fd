"""DeepLabCut files between posebridge, pandas and movement: the same arrays every way."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from _corpus import corpus_path
from posebridge import model
from posebridge.formats import dlc as deeplabcut
from posebridge.io import load_poses, save_poses

pytestmark = pytest.mark.interop
movement_load = pytest.importorskip("movement.io.load_poses")
movement_save = pytest.importorskip("movement.io.save_poses")
movement_io = pytest.importorskip("movement.io")
kinematics = pytest.importorskip("movement.kinematics")


def assert_same(ours: xr.Dataset, theirs: xr.Dataset) -> None:
    """position and confidence equal (NaN where NaN), same names in the same order."""
    for name in ("keypoint", "individual", "space"):
        assert ours[name].values.tolist() == theirs[name].values.tolist()
    np.testing.assert_array_equal(ours.position.values, theirs.position.values)
    np.testing.assert_array_equal(
        ours.confidence.values.astype(float), theirs.confidence.values.astype(float)
    )


@pytest.fixture
def poses_3d_with_confidence() -> xr.Dataset:
    rng = np.random.default_rng(7)
    position = rng.normal(size=(9, 3, 2, 2))
    position[4, :, 1, 0] = np.nan
    return model.from_numpy(
        position, rng.uniform(size=(9, 2, 2)), individual_names=["left", "right"]
    )


@pytest.mark.parametrize("suffix", [".h5", ".csv"])
def test_our_files_read_by_pandas(
    tmp_path: Path, poses_two_mice_with_nan: xr.Dataset, suffix: str
) -> None:
    (path,) = deeplabcut.write(poses_two_mice_with_nan, tmp_path / f"p{suffix}")
    if suffix == ".h5":
        df = pd.read_hdf(path, key="df_with_missing")
    else:
        df = pd.read_csv(path, header=[0, 1, 2, 3], index_col=0)
    assert df.index.tolist() == list(range(20))
    for (_, individual, keypoint, coord), column in df.items():
        where = {"individual": individual, "keypoint": keypoint}
        if coord == "likelihood":
            want = poses_two_mice_with_nan.confidence.sel(**where).values
        else:
            want = poses_two_mice_with_nan.position.sel(**where, space=coord).values
        np.testing.assert_array_equal(column.to_numpy(), want)


@pytest.mark.parametrize("suffix", [".h5", ".csv"])
@pytest.mark.parametrize("split", [False, True])
def test_our_files_read_by_movement(
    tmp_path: Path, poses_two_mice_with_nan: xr.Dataset, suffix: str, split: bool
) -> None:
    paths = deeplabcut.write(
        poses_two_mice_with_nan, tmp_path / f"p{suffix}", split_individuals=split
    )
    for path in paths:
        theirs = movement_io.load_dataset(path, source_software="DeepLabCut")
        assert_same(deeplabcut.read(path), theirs)
        assert_same(deeplabcut.read(path), movement_load.from_dlc_file(path))
    if not split:
        assert_same(poses_two_mice_with_nan, movement_load.from_dlc_file(paths[0]))


@pytest.mark.parametrize("suffix", [".h5", ".csv"])
def test_our_3d_with_likelihood_read_by_movement(
    tmp_path: Path, poses_3d_with_confidence: xr.Dataset, suffix: str
) -> None:
    (path,) = deeplabcut.write(poses_3d_with_confidence, tmp_path / f"p{suffix}")
    assert_same(poses_3d_with_confidence, movement_load.from_dlc_file(path))


@pytest.mark.parametrize("suffix", [".h5", ".csv"])
@pytest.mark.parametrize("split", [False, True])
def test_movement_files_read_by_us(
    tmp_path: Path, poses_two_mice_with_nan: xr.Dataset, suffix: str, split: bool
) -> None:
    path = tmp_path / f"movement{suffix}"
    movement_save.to_dlc_file(poses_two_mice_with_nan, path, split_individuals=split)
    written = sorted(tmp_path.glob(f"movement*{suffix}"))
    assert written
    for file in written:
        ours = load_poses.from_dlc_file(file)
        assert_same(ours, movement_load.from_dlc_file(file))
        assert ours.attrs["scorer"] == "movement"
    if not split:
        assert_same(load_poses.from_dlc_file(path), poses_two_mice_with_nan)


def test_lp_files_both_ways(tmp_path: Path, poses_two_mice_with_nan: xr.Dataset) -> None:
    one = poses_two_mice_with_nan.isel(individual=[0])
    save_poses.to_lp_file(one, tmp_path / "ours.csv")
    (ours,) = tmp_path.glob("ours*.csv")
    assert_same(load_poses.from_lp_file(ours), movement_load.from_lp_file(ours))
    movement_save.to_lp_file(one, tmp_path / "theirs.csv")
    (theirs,) = tmp_path.glob("theirs*.csv")
    assert_same(load_poses.from_lp_file(theirs), movement_load.from_lp_file(theirs))


def test_dataframes_like_movement(poses_two_mice_with_nan: xr.Dataset) -> None:
    ours = save_poses.to_dlc_style_df(poses_two_mice_with_nan, split_individuals=False)
    theirs = movement_save.to_dlc_style_df(poses_two_mice_with_nan, split_individuals=False)
    assert list(ours.columns.droplevel("scorer")) == list(theirs.columns.droplevel("scorer"))
    np.testing.assert_array_equal(ours.to_numpy(), theirs.to_numpy())
    assert_same(load_poses.from_dlc_style_df(theirs), movement_load.from_dlc_style_df(theirs))


def test_velocity_of_a_posebridge_dataset(
    tmp_path: Path, poses_two_mice_with_nan: xr.Dataset
) -> None:
    (path,) = deeplabcut.write(poses_two_mice_with_nan, tmp_path / "p.csv")
    ds = load_poses.from_dlc_file(path, fps=30)
    velocity = kinematics.compute_velocity(ds.position)
    assert velocity.shape == ds.position.shape
    assert velocity.dims == ds.position.dims


MOVEMENT_READS = [
    "dlc_h5/CollectedData_Pranav.h5",
    "dlc_h5/CollectedData_Mackenzie.h5",
    "dlc_h5/CollectedData_shaokai.h5",
    "dlc_h5/m3v1mp4DLC_resnet50_openfieldAug20shuffle1_30000.h5",
    "dlc_h5/golden_mouseDLC_dlcrnetms5_golden_mouseOct19shuffle1_2000.h5",
    "dlc_h5/briefDeepCut_resnet50_TESTAug16shuffle1_5filtered.h5",
    "dlc_h5/vid1_DLC_3D.h5",
    "dlc_csv/DLC_sample_poses.csv",
    "dlc_csv/openfield_dlc_inference_example.csv",
    "dlc_csv/briefDeepCut_resnet50_TESTAug16shuffle1_5.csv",
    "dlc_csv/vid1_DLC_3D.csv",
    "dlc_csv/vid1_DLC_3D_nov2019_mostlyNaN.csv",
    "lp_csv/180607_004.train_frames=75.rng=0.csv",
    "lp_csv/05272019_fly4_0_R1C24_Cam-A_rot-ccw-0.06_sec.rng=0.csv",
]


@pytest.mark.corpus
@pytest.mark.parametrize("relative", MOVEMENT_READS)
def test_corpus_read_like_movement(relative: str) -> None:
    path = corpus_path(relative)
    ours = load_poses.from_dlc_file(path)
    assert_same(ours, movement_load.from_dlc_file(path))
