"""DeepLabCut .h5/.csv and LightningPose .csv round trips of what only they hold.

Poses and labels of any shape, NaN, names, frames: tests/test_roundtrip_matrix.py.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xarray as xr

import posebridge
from posebridge import model
from posebridge.formats import dlc as deeplabcut


def assert_same_poses(back: xr.Dataset, ds: xr.Dataset, individuals: list[str]) -> None:
    """Same arrays bit for bit (NaN where NaN), coords and frame numbers."""
    assert back.position.dtype == np.float64
    for name in ("position", "confidence"):
        got, want = back[name].values, ds[name].values.astype(np.float64)
        assert got.shape == want.shape
        assert np.array_equal(np.isnan(got), np.isnan(want))
        assert got[~np.isnan(got)].tobytes() == want[~np.isnan(want)].tobytes()
    assert back.time.values.tolist() == model.frame_numbers(ds).tolist()
    assert back.keypoint.values.tolist() == ds.keypoint.values.tolist()
    assert back.space.values.tolist() == ds.space.values.tolist()
    assert back.individual.values.tolist() == individuals


@pytest.fixture
def poses_with_unique_bodyparts() -> xr.Dataset:
    """Two mice with (nose, tail) and DeepLabCut's 'single' with the unique 'corner'."""
    rng = np.random.default_rng(5)
    position = rng.uniform(0, 100, size=(7, 2, 3, 3))
    confidence = rng.uniform(0, 1, size=(7, 3, 3))
    position[:, :, 2, :2] = np.nan  # corner: only 'single'
    confidence[:, 2, :2] = np.nan
    position[:, :, :2, 2] = np.nan  # nose, tail: not 'single'
    confidence[:, :2, 2] = np.nan
    position[3, :, 0, 1] = np.nan
    return model.from_numpy(
        position,
        confidence,
        individual_names=["m1", "m2", "single"],
        keypoint_names=["nose", "tail", "corner"],
    )


@pytest.fixture
def labels_both_styles() -> list[xr.Dataset]:
    """x/y labels indexed by image path, one per index style."""
    rng = np.random.default_rng(6)
    position = rng.uniform(0, 100, size=(3, 2, 2, 1))
    position[1, :, 0, 0] = np.nan
    out = []
    for style in ("path", "levels"):
        ds = model.from_numpy(
            position, keypoint_names=["a", "b"], individual_names=["individual_0"]
        )
        paths = [f"labeled-data/vid/img{i}.png" for i in (9, 2, 4)]
        out.append(
            ds.assign_coords(image_path=("time", paths)).assign_attrs(dlc_index_style=style)
        )
    return out


@pytest.mark.parametrize("suffix", [".h5", ".csv"])
def test_single_animal_3d(tmp_path: Path, poses_single_3d: xr.Dataset, suffix: str) -> None:
    paths = deeplabcut.write(poses_single_3d, tmp_path / f"p{suffix}")
    assert paths == [tmp_path / f"p{suffix}"]  # one individual: single-animal file at the path
    assert_same_poses(deeplabcut.read(paths[0]), poses_single_3d, ["individual_0"])


@pytest.mark.parametrize("suffix", [".h5", ".csv"])
def test_unique_bodyparts(
    tmp_path: Path, poses_with_unique_bodyparts: xr.Dataset, suffix: str
) -> None:
    (path,) = deeplabcut.write(poses_with_unique_bodyparts, tmp_path / f"p{suffix}")
    back = deeplabcut.read(path)
    assert_same_poses(back, poses_with_unique_bodyparts, ["m1", "m2", "single"])


@pytest.mark.parametrize("suffix", [".h5", ".csv"])
def test_labels_keep_paths_and_style(
    tmp_path: Path, labels_both_styles: list[xr.Dataset], suffix: str
) -> None:
    for ds in labels_both_styles:
        style = ds.attrs["dlc_index_style"]
        (path,) = deeplabcut.write(ds, tmp_path / f"{style}{suffix}", split_individuals=False)
        back = deeplabcut.read(path)
        assert_same_poses(back, ds, ["individual_0"])
        assert back.image_path.values.tolist() == ds.image_path.values.tolist()
        assert back.attrs["dlc_index_style"] == style


def test_lp_csv(tmp_path: Path, poses_two_mice_with_nan: xr.Dataset) -> None:
    one = poses_two_mice_with_nan.isel(individual=[0]).assign_attrs(scorer="heatmap_tracker")
    (path,) = deeplabcut.write_lp(one, tmp_path / "video.csv")
    back = deeplabcut.read_lp(path)
    assert_same_poses(back, one, ["individual_0"])
    assert back.attrs["scorer"] == "heatmap_tracker"


@pytest.mark.parametrize("suffix", [".h5", ".csv"])
def test_a_single_individuals_columns_survive_whatever_the_data(tmp_path, suffix):
    """maDLC's unique bodyparts were guessed from the data: an animal bodypart no animal was
    seen with moved to 'single', and with no animal labelled every column went to everyone."""
    columns = pd.MultiIndex.from_tuples(
        [
            ("me", animal, part, coord)
            for animal, parts in (("a1", ["head", "tail"]), ("a2", ["head", "tail"]))
            for part in parts
            for coord in ("x", "y", "likelihood")
        ]
        + [("me", "single", "corner", coord) for coord in ("x", "y", "likelihood")],
        names=["scorer", "individuals", "bodyparts", "coords"],
    )
    values = np.arange(3 * len(columns), dtype=float).reshape(3, -1)
    table = pd.DataFrame(values, columns=columns)
    table.loc[:, (slice(None), ["a1", "a2"], "tail")] = np.nan  # never seen in this clip
    source = tmp_path / "madlc.h5"
    table.to_hdf(source, key="df_with_missing", format="table")
    out = tmp_path / f"out{suffix}"
    posebridge.save(posebridge.load(source), out)
    back = (
        pd.read_hdf(out) if suffix == ".h5" else pd.read_csv(out, header=[0, 1, 2, 3], index_col=0)
    )
    assert back.columns.tolist() == columns.tolist()
    np.testing.assert_array_equal(back.to_numpy(), table.to_numpy())


@pytest.mark.parametrize("suffix", [".h5", ".csv"])
def test_a_recorded_unique_bodypart_the_animals_hold_is_written_for_them(
    tmp_path: Path, poses_with_unique_bodyparts: xr.Dataset, suffix: str
) -> None:
    """'corner' is recorded as unique (read from a maDLC file) but the user gave the mice a
    corner too: the data decide, the mice's corner points are written, not dropped."""
    ds = poses_with_unique_bodyparts.assign_attrs(dlc_unique_bodyparts='["corner"]')
    mice_nose = ds.position.sel(individual=["m1", "m2"], keypoint="nose").values
    ds.position.loc[{"individual": ["m1", "m2"], "keypoint": "corner"}] = mice_nose + 1.0
    (path,) = deeplabcut.write(ds, tmp_path / f"p{suffix}")
    back = deeplabcut.read(path)
    assert_same_poses(back, ds, ["m1", "m2", "single"])
    corner = back.position.sel(individual=["m1", "m2"], keypoint="corner").values
    assert np.isfinite(corner).sum() == np.isfinite(mice_nose).sum() > 0
    if suffix == ".h5":
        columns = pd.read_hdf(path).columns
    else:
        columns = pd.read_csv(path, header=[0, 1, 2, 3], index_col=0).columns
    assert {(animal, part) for _, animal, part, _ in columns} == {
        (animal, part) for animal in ("m1", "m2") for part in ("nose", "tail", "corner")
    } | {("single", "corner")}


@pytest.mark.parametrize("format_name", ["dlc", "lp"])
def test_whole_numbers_read_back_in_pandas_as_floats(tmp_path, format_name):
    """Integer pixel positions and a likelihood of 0 throughout (LightningPose's regression
    models) were written '12', '0', which pandas reads back as int64 columns; DeepLabCut
    and pandas write '12.0'."""
    position = np.arange(4 * 2 * 2 * 1, dtype=np.float64).reshape(4, 2, 2, 1)
    ds = posebridge.from_numpy(position, np.zeros((4, 2, 1)), keypoint_names=["nose", "tail"])
    (path,) = posebridge.save(ds, tmp_path / "poses.csv", format=format_name)
    table = pd.read_csv(path, header=[0, 1, 2], index_col=0)
    assert (table.dtypes == np.float64).all()
    np.testing.assert_array_equal(posebridge.load(path).position.values, position)
