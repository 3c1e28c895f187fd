"""Writer -> reader round trips of DeepLabCut .h5/.csv and LightningPose .csv, exact."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import xarray as xr
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

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
def test_multi_animal_with_nan(
    tmp_path: Path, poses_two_mice_with_nan: xr.Dataset, suffix: str
) -> None:
    (path,) = deeplabcut.write(poses_two_mice_with_nan, tmp_path / f"p{suffix}")
    back = deeplabcut.read(path)
    assert_same_poses(back, poses_two_mice_with_nan, ["mouse_b", "mouse_a"])


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


def test_seconds_with_fps_write_frame_numbers(
    tmp_path: Path, poses_two_mice_with_nan: xr.Dataset
) -> None:
    timed = model.with_fps(poses_two_mice_with_nan, 29.97)
    (path,) = deeplabcut.write(timed, tmp_path / "p.csv")
    back = deeplabcut.read(path)
    assert back.time.values.tolist() == list(range(20))


finite = st.floats(allow_nan=False, allow_infinity=False, width=64)
maybe_missing = st.one_of(finite, st.just(np.nan))
likelihood = st.one_of(st.floats(0, 1), st.just(np.nan))


@st.composite
def poses(draw: st.DrawFn) -> xr.Dataset:
    n_time = draw(st.integers(1, 4))
    n_space = draw(st.sampled_from([2, 3]))
    n_kp = draw(st.integers(1, 3))
    n_ind = draw(st.integers(1, 3))
    position = draw(hnp.arrays(np.float64, (n_time, n_space, n_kp, n_ind), elements=maybe_missing))
    confidence = draw(hnp.arrays(np.float64, (n_time, n_kp, n_ind), elements=likelihood))
    ds = model.from_numpy(
        position,
        confidence,
        individual_names=[f"animal{i}" for i in range(n_ind)],
        keypoint_names=[f"kp,{k}" if k == 1 else f"kp{k}" for k in range(n_kp)],
    )
    gaps = np.cumsum(draw(hnp.arrays(np.int64, n_time, elements=st.integers(1, 5))))
    return ds.assign_coords(time=gaps - 1)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(ds=poses(), suffix=st.sampled_from([".h5", ".csv"]))
def test_property_round_trip(tmp_path: Path, ds: xr.Dataset, suffix: str) -> None:
    (path,) = deeplabcut.write(
        ds, tmp_path / f"p{suffix}", split_individuals=False, overwrite=True
    )
    back = deeplabcut.read(path)
    n_ind = ds.sizes["individual"]
    names = ds.individual.values.tolist() if n_ind > 1 else ["individual_0"]
    assert_same_poses(back, ds, names)
