"""DeepLabCut / LightningPose reader and writer on tables built here with pandas."""

from __future__ import annotations

import sys
from pathlib import Path

import h5py
import numpy as np
import pandas as pd
import pytest
import xarray as xr

import posebridge
from posebridge import model
from posebridge._files import Peek
from posebridge.errors import FormatError, PoseBridgeError, SchemaError, UnknownFormatError
from posebridge.formats import dlc as deeplabcut
from posebridge.formats.dlc import csv as _dlc_csv

LEVELS3 = ["scorer", "bodyparts", "coords"]
LEVELS4 = ["scorer", "individuals", "bodyparts", "coords"]


def dlc_frame(
    individuals: list[str] | None,
    bodyparts: list[str],
    coords: list[str],
    n_rows: int = 6,
    index: pd.Index | None = None,
    seed: int = 0,
    scorer: str = "DLC_resnet50_testJan1shuffle1_100",
) -> pd.DataFrame:
    """A DeepLabCut-style table, a full product of its levels, random values."""
    rng = np.random.default_rng(seed)
    if individuals is None:
        columns = pd.MultiIndex.from_product([[scorer], bodyparts, coords], names=LEVELS3)
    else:
        columns = pd.MultiIndex.from_product(
            [[scorer], individuals, bodyparts, coords], names=LEVELS4
        )
    values = rng.uniform(0, 640, size=(n_rows, len(columns)))
    return pd.DataFrame(values, columns=columns, index=index)


def expected_arrays(df: pd.DataFrame) -> dict[tuple[str, str, str], np.ndarray]:
    """Each column's values keyed by (individual, bodypart, coord), from the DataFrame itself."""
    out = {}
    names = list(df.columns.names)
    for j, label in enumerate(df.columns):
        parts = dict(zip(names, label, strict=True))
        key = (parts.get("individuals", "individual_0"), parts["bodyparts"], parts["coords"])
        out[key] = df.iloc[:, j].to_numpy(dtype=float)
    return out


def assert_matches_frame(ds: xr.Dataset, df: pd.DataFrame) -> None:
    """Every column of ``df`` is where the model says in ``ds``; nothing else is set."""
    filled = xr.zeros_like(ds.position, dtype=bool)
    for (individual, bodypart, coord), values in expected_arrays(df).items():
        where = {"individual": individual, "keypoint": bodypart}
        if coord in ("x", "y", "z"):
            got = ds.position.sel(**where, space=coord).values
            filled.loc[{**where, "space": coord}] = True
        elif coord == "likelihood":
            got = ds.confidence.sel(**where).values
        else:
            got = ds[coord].sel(**where).values
        np.testing.assert_array_equal(got, values)
    assert bool(ds.position.where(~filled).isnull().all())


@pytest.fixture
def single_animal_frame() -> pd.DataFrame:
    return dlc_frame(None, ["snout", "tail", "ear"], ["x", "y", "likelihood"])


@pytest.fixture
def multi_animal_frame() -> pd.DataFrame:
    return dlc_frame(["mouse2", "mouse1"], ["nose", "tail"], ["x", "y", "likelihood"], seed=1)


@pytest.fixture
def frame_with_unique_bodyparts() -> pd.DataFrame:
    """maDLC: two animals with (a, b), plus 'single' holding the unique bodyparts c, d."""
    animals = dlc_frame(["ind1", "ind2"], ["a", "b"], ["x", "y", "likelihood"], seed=2)
    unique = dlc_frame(["single"], ["c", "d"], ["x", "y", "likelihood"], seed=3)
    return pd.concat([animals, unique], axis=1)


# --------------------------------------------------------------------------
# reading pandas HDF5 without PyTables


@pytest.mark.parametrize("layout", ["table", "fixed"])
@pytest.mark.parametrize("key", ["df_with_missing", "tracks", "predictions", "calib", "df"])
def test_h5_layouts_and_keys_read_like_pandas(
    tmp_path: Path, multi_animal_frame: pd.DataFrame, layout: str, key: str
) -> None:
    path = tmp_path / "poses.h5"
    multi_animal_frame.to_hdf(path, key=key, format=layout)
    ds = deeplabcut.read(path)
    assert ds.individual.values.tolist() == ["mouse2", "mouse1"]  # file order, not sorted
    assert ds.keypoint.values.tolist() == ["nose", "tail"]
    assert ds.time.values.tolist() == list(range(6))
    assert ds.position.dtype == np.float64
    assert_matches_frame(ds, multi_animal_frame)


def test_h5_of_individuals_named_by_numbers_reads_them_as_their_text(tmp_path: Path) -> None:
    """movement's to_dlc_file keeps an individual coordinate of floats as floats (pandas
    does); posebridge refused the fixed layout movement writes ("values of type float64,
    not text or integers"), which movement reads, naming them as pandas prints them."""
    as_text = dlc_frame(["2.0", "1.0"], ["nose", "tail"], ["x", "y", "likelihood"], seed=4)
    numbered = as_text.copy()
    numbered.columns = pd.MultiIndex.from_tuples(
        [(scorer, float(animal), *rest) for scorer, animal, *rest in as_text.columns],
        names=LEVELS4,
    )
    assert numbered.columns.get_level_values(1).dtype == np.float64
    for layout in ("fixed", "table"):
        path = tmp_path / f"{layout}.h5"
        numbered.to_hdf(path, key="df_with_missing", format=layout)
        for ds in (deeplabcut.read(path), posebridge.open_dataset(path).load()):
            assert ds.individual.values.tolist() == ["2.0", "1.0"]  # file order, as text
            assert_matches_frame(ds, as_text)


def test_reading_h5_does_not_need_pytables(
    tmp_path: Path, single_animal_frame: pd.DataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    table, fixed = tmp_path / "table.h5", tmp_path / "fixed.h5"
    single_animal_frame.to_hdf(table, key="df_with_missing", format="table")
    single_animal_frame.to_hdf(fixed, key="df_with_missing", format="fixed")
    monkeypatch.setitem(sys.modules, "tables", None)  # any import of PyTables now fails
    for path in (table, fixed):
        assert_matches_frame(deeplabcut.read(path), single_animal_frame)


def test_key_preference_and_choice(tmp_path: Path, single_animal_frame: pd.DataFrame) -> None:
    path = tmp_path / "keys.h5"
    other = single_animal_frame * 2
    single_animal_frame.to_hdf(path, key="tracks", format="table")
    other.to_hdf(path, key="other", format="table")
    assert_matches_frame(deeplabcut.read(path), single_animal_frame)  # 'tracks' preferred
    assert_matches_frame(deeplabcut.read(path, key="other"), other)
    other.to_hdf(path, key="df_with_missing", format="table")
    assert_matches_frame(deeplabcut.read(path), other)  # df_with_missing before tracks
    with pytest.raises(FormatError, match="no pandas DataFrame under the key 'nope'"):
        deeplabcut.read(path, key="nope")


def test_several_keys_without_a_preferred_one_ask_for_key(
    tmp_path: Path, single_animal_frame: pd.DataFrame
) -> None:
    path = tmp_path / "two.h5"
    single_animal_frame.to_hdf(path, key="first", format="table")
    single_animal_frame.to_hdf(path, key="second", format="fixed")
    with pytest.raises(FormatError, match="pass key="):
        deeplabcut.read(path)


def _with_attribute(source: Path, target: Path, name: str, value: bytes) -> Path:
    target.write_bytes(source.read_bytes())
    with h5py.File(target, "r+") as h5:
        h5["df_with_missing"].attrs[name] = np.bytes_(value)
    return target


@pytest.mark.parametrize(
    "payload",
    [
        b"cbuiltins\neval\n(V__import__('os').system('echo pwned')\ntR.",  # a builtin, not data
        b"cos\nsystem\n(Vecho pwned\ntR.",  # any other module
        b"ccollections\nOrderedDict\n)R.",  # even a harmless class
    ],
)
def test_pickled_labels_refuse_anything_but_builtin_data(
    tmp_path: Path, single_animal_frame: pd.DataFrame, payload: bytes
) -> None:
    good = tmp_path / "good.h5"
    single_animal_frame.to_hdf(good, key="df_with_missing", format="table")
    bad = _with_attribute(good, tmp_path / "bad.h5", "non_index_axes", payload)
    with pytest.raises(FormatError, match="could not be read safely") as caught:
        deeplabcut.read(bad)
    assert str(bad) in str(caught.value)


# --------------------------------------------------------------------------
# DeepLabCut's layouts


def test_single_animal_is_individual_0(tmp_path: Path, single_animal_frame: pd.DataFrame) -> None:
    path = tmp_path / "video1DLC.csv"
    single_animal_frame.to_csv(path)
    ds = deeplabcut.read(path)
    assert ds.individual.values.tolist() == ["individual_0"]
    assert ds.keypoint.values.tolist() == ["snout", "tail", "ear"]
    assert ds.attrs["scorer"] == "DLC_resnet50_testJan1shuffle1_100"
    assert ds.attrs["source_software"] == "DeepLabCut"
    assert ds.attrs["time_unit"] == "frames"
    assert_matches_frame(ds, single_animal_frame)


@pytest.mark.parametrize("suffix", [".h5", ".csv"])
def test_unique_bodyparts_of_single(
    tmp_path: Path, frame_with_unique_bodyparts: pd.DataFrame, suffix: str
) -> None:
    source = tmp_path / f"ma{suffix}"
    if suffix == ".h5":
        frame_with_unique_bodyparts.to_hdf(source, key="df_with_missing", format="table")
    else:
        frame_with_unique_bodyparts.to_csv(source)
    ds = deeplabcut.read(source)
    assert ds.individual.values.tolist() == ["ind1", "ind2", "single"]
    assert ds.keypoint.values.tolist() == ["a", "b", "c", "d"]  # animals' first, then unique
    assert_matches_frame(ds, frame_with_unique_bodyparts)
    assert bool(ds.position.sel(individual="single", keypoint=["a", "b"]).isnull().all())
    assert bool(ds.confidence.sel(individual="ind1", keypoint=["c", "d"]).isnull().all())

    (written,) = deeplabcut.write(ds, tmp_path / f"out{suffix}", split_individuals=False)
    if suffix == ".h5":
        back = pd.read_hdf(written)
    else:
        back = pd.read_csv(written, header=[0, 1, 2, 3], index_col=0)
    assert list(back.columns) == list(frame_with_unique_bodyparts.columns)  # DLC's column set
    np.testing.assert_array_equal(back.to_numpy(), frame_with_unique_bodyparts.to_numpy())


@pytest.mark.parametrize("suffix", [".h5", ".csv"])
def test_3d_xyz_has_no_confidence(tmp_path: Path, suffix: str) -> None:
    df = dlc_frame(None, ["p1", "p2"], ["x", "y", "z"], scorer="DLC_3D")
    path = tmp_path / f"vid_DLC_3D{suffix}"
    df.to_hdf(path, key="df_with_missing", format="table") if suffix == ".h5" else df.to_csv(path)
    ds = deeplabcut.read(path)
    assert ds.space.values.tolist() == ["x", "y", "z"]
    assert bool(ds.confidence.isnull().all())
    assert_matches_frame(ds, df)


def test_3d_writer_keeps_known_likelihood_drops_unknown(tmp_path: Path) -> None:
    rng = np.random.default_rng(4)
    with_conf = model.from_numpy(rng.normal(size=(4, 3, 2, 1)), rng.uniform(size=(4, 2, 1)))
    without = model.from_numpy(rng.normal(size=(4, 3, 2, 1)))
    (a,) = deeplabcut.write(with_conf, tmp_path / "a.csv", split_individuals=False)
    (b,) = deeplabcut.write(without, tmp_path / "b.csv", split_individuals=False)
    coords_a = pd.read_csv(a, header=[0, 1, 2], index_col=0).columns.get_level_values("coords")
    coords_b = pd.read_csv(b, header=[0, 1, 2], index_col=0).columns.get_level_values("coords")
    assert coords_a.unique().tolist() == ["x", "y", "z", "likelihood"]
    assert coords_b.unique().tolist() == ["x", "y", "z"]
    back = deeplabcut.read(a)
    np.testing.assert_array_equal(back.confidence.values, with_conf.confidence.values)


def test_minus_one_padding_is_missing(tmp_path: Path) -> None:
    df = dlc_frame(["a1", "a2"], ["nose"], ["x", "y", "likelihood"], n_rows=3)
    df.loc[1, ("DLC_resnet50_testJan1shuffle1_100", "a2", "nose")] = [-1.0, -1.0, -1.0]
    path = tmp_path / "padded.h5"
    df.to_hdf(path, key="df_with_missing", format="table")
    ds = deeplabcut.read(path)
    assert bool(ds.position.sel(time=1, individual="a2").isnull().all())
    assert np.isnan(ds.confidence.sel(time=1, individual="a2").item())
    kept = ds.position.sel(time=1, individual="a1", space="x").item()
    assert kept == df.loc[1, ("DLC_resnet50_testJan1shuffle1_100", "a1", "nose", "x")]


def test_dataframe_is_not_modified_by_reading(single_animal_frame: pd.DataFrame) -> None:
    df = single_animal_frame.copy()
    df.iloc[0, 2] = -1.0  # padding: masked in the dataset, not in the caller's frame
    before = df.to_numpy().copy()
    ds = deeplabcut.dataset_from_dataframe(df)
    assert np.isnan(ds.position.isel(time=0, keypoint=0).values).all()
    np.testing.assert_array_equal(df.to_numpy(), before)


def test_first_data_row_all_empty_keeps_every_row(tmp_path: Path) -> None:
    df = dlc_frame(None, ["a", "b"], ["x", "y", "z"], n_rows=4)
    df.iloc[0] = np.nan
    path = tmp_path / "mostly_nan.csv"
    df.to_csv(path)
    assert path.read_text().splitlines()[3] == "0,,,,,,"
    ds = deeplabcut.read(path)
    assert ds.sizes["time"] == 4
    assert ds.time.values.tolist() == [0, 1, 2, 3]
    assert_matches_frame(ds, df)


def test_frame_number_gaps_are_kept(tmp_path: Path) -> None:
    df = dlc_frame(None, ["a"], ["x", "y", "likelihood"], n_rows=4, index=pd.Index([0, 5, 6, 10]))
    for suffix in (".h5", ".csv"):
        path = tmp_path / f"gaps{suffix}"
        if suffix == ".h5":
            df.to_hdf(path, key="df_with_missing", format="fixed")
        else:
            df.to_csv(path)
        ds = deeplabcut.read(path)
        assert ds.time.values.tolist() == [0, 5, 6, 10]
        (out,) = deeplabcut.write(ds, tmp_path / f"out{suffix}", split_individuals=False)
        assert deeplabcut.read(out).time.values.tolist() == [0, 5, 6, 10]


def test_extra_coords_by_name_eks(tmp_path: Path) -> None:
    coords = ["x", "y", "likelihood", "x_ens_median", "y_ens_median", "x_ens_var",
              "y_ens_var", "x_posterior_var", "y_posterior_var"]  # fmt: skip
    df = dlc_frame(None, ["paw_l", "paw_r"], coords, scorer="ensemble-kalman_tracker")
    path = tmp_path / "eks_singlecam.csv"
    df.to_csv(path)
    assert deeplabcut.sniff_lp(Peek(path))
    ds = deeplabcut.read_lp(path)
    assert ds.attrs["source_software"] == "LightningPose"
    for extra in coords[3:]:
        assert ds[extra].dims == ("time", "keypoint", "individual")
    assert_matches_frame(ds, df)
    (out,) = deeplabcut.write_lp(ds, tmp_path / "out.csv")
    back = pd.read_csv(out, header=[0, 1, 2], index_col=0)
    assert list(back.columns) == list(df.columns)
    np.testing.assert_array_equal(back.to_numpy(), df.to_numpy())


def test_lp_visible_coord_is_kept(tmp_path: Path) -> None:
    df = dlc_frame(None, ["nose"], ["x", "y", "visible"], scorer="rick")
    df.loc[:, (slice(None), slice(None), "visible")] = 2.0
    path = tmp_path / "CollectedData.csv"
    df.to_csv(path)
    ds = deeplabcut.read_lp(path)
    assert ds["visible"].values.ravel().tolist() == [2.0] * 6


def test_lp_set_column_becomes_data_split(tmp_path: Path) -> None:
    df = dlc_frame(None, ["nose", "ear"], ["x", "y", "likelihood"], scorer="heatmap_tracker")
    df.index = [f"labeled-data/vid/img{i:03d}.png" for i in range(6)]
    df[("set", "", "")] = ["train", "train", "validation", "test", "train", "unused"]
    path = tmp_path / "predictions.csv"
    df.to_csv(path)
    assert path.read_text().splitlines()[0].endswith(",set")
    ds = deeplabcut.read(path)
    assert ds["data_split"].values.tolist() == df[("set", "", "")].tolist()
    assert ds["image_path"].values.tolist() == df.index.tolist()
    assert ds.attrs["dlc_index_style"] == "path"
    for suffix in (".csv", ".h5"):
        (out,) = deeplabcut.write(ds, tmp_path / f"out{suffix}", split_individuals=False)
        back = deeplabcut.read(out)
        assert back["data_split"].values.tolist() == df[("set", "", "")].tolist()
        np.testing.assert_array_equal(back.position.values, ds.position.values)


def test_an_empty_set_cell_stays_empty_and_two_set_columns_are_refused(tmp_path: Path) -> None:
    """An empty cell read as the text 'nan' (and was written back so); of two 'set'
    columns the last was kept without a word."""
    header = "scorer,h,h,h,set\nbodyparts,a,a,a,\ncoords,x,y,likelihood,\n"
    path = tmp_path / "empty_set.csv"
    path.write_text(
        header + "labeled-data/v/i1.png,1,2,0.5,\nlabeled-data/v/i2.png,1,2,0.5,test\n"
    )
    ds = deeplabcut.read(path)
    assert ds["data_split"].values.tolist() == ["", "test"]
    (out,) = deeplabcut.write(ds, tmp_path / "out.csv", split_individuals=False)
    assert deeplabcut.read(out)["data_split"].values.tolist() == ["", "test"]
    two = tmp_path / "two_set.csv"
    two.write_text(
        "scorer,h,h,h,set,set\nbodyparts,a,a,a,,\ncoords,x,y,likelihood,,\n"
        "labeled-data/v/i1.png,1,2,0.5,train,test\n"
    )
    with pytest.raises(FormatError, match=r"two_set\.csv: has two 'set' columns"):
        deeplabcut.read(two)


@pytest.mark.parametrize("suffix", [".h5", ".csv"])
def test_labels_with_path_index(tmp_path: Path, suffix: str) -> None:
    paths = [f"labeled-data/m4s1/img{i:04d}.png" for i in (3, 1, 7)]
    df = dlc_frame(None, ["snout", "tail"], ["x", "y"], n_rows=3, index=pd.Index(paths))
    df.iloc[1, 0:2] = np.nan
    source = tmp_path / f"CollectedData_me{suffix}"
    df.to_hdf(source, key="df_with_missing", format="table") if suffix == ".h5" else df.to_csv(
        source
    )
    ds = deeplabcut.read(source)
    assert ds.time.values.tolist() == [0, 1, 2]
    assert ds.image_path.values.tolist() == paths  # file order, not sorted
    assert ds.attrs["dlc_index_style"] == "path"
    assert bool(ds.confidence.isnull().all())
    assert_matches_frame(ds, df)
    (out,) = deeplabcut.write(ds, tmp_path / f"out{suffix}", split_individuals=False)
    back = pd.read_hdf(out) if suffix == ".h5" else pd.read_csv(out, header=[0, 1, 2], index_col=0)
    assert back.index.tolist() == paths
    assert back.columns.get_level_values("coords").unique().tolist() == ["x", "y"]
    np.testing.assert_array_equal(back.to_numpy(), df.to_numpy())


@pytest.mark.parametrize("suffix", [".h5", ".csv"])
def test_labels_with_three_level_index(tmp_path: Path, suffix: str) -> None:
    rows = [("labeled-data", "golden_mouse", f"img{i:04d}.png") for i in (67, 338)]
    df = dlc_frame(None, ["nose"], ["x", "y"], n_rows=2, index=pd.MultiIndex.from_tuples(rows))
    source = tmp_path / f"CollectedData_me{suffix}"
    df.to_hdf(source, key="df_with_missing") if suffix == ".h5" else df.to_csv(source)
    ds = deeplabcut.read(source)
    assert ds.image_path.values.tolist() == ["/".join(r) for r in rows]
    assert ds.attrs["dlc_index_style"] == "levels"
    (out,) = deeplabcut.write(ds, tmp_path / f"out{suffix}", split_individuals=False)
    if suffix == ".h5":
        back = pd.read_hdf(out)
    else:
        back = pd.read_csv(out, header=[0, 1, 2], index_col=[0, 1, 2])
        assert out.read_text().startswith("scorer,,,")
    assert back.index.tolist() == rows
    np.testing.assert_array_equal(back.to_numpy(), df.to_numpy())


def test_index_name_line_is_skipped(tmp_path: Path, single_animal_frame: pd.DataFrame) -> None:
    named = single_animal_frame.rename_axis("frame")
    path = tmp_path / "named.csv"
    named.to_csv(path)
    assert path.read_text().splitlines()[3].startswith("frame,")
    ds = deeplabcut.read(path)
    assert ds.sizes["time"] == 6
    assert_matches_frame(ds, single_animal_frame)


# --------------------------------------------------------------------------
# writing


def test_scorer_default_attr_and_override(
    tmp_path: Path, poses_two_mice_with_nan: xr.Dataset
) -> None:
    (a,) = deeplabcut.write(poses_two_mice_with_nan, tmp_path / "a.h5")
    assert pd.read_hdf(a).columns.get_level_values("scorer")[0] == "posebridge"
    named = poses_two_mice_with_nan.assign_attrs(scorer="DLC_net")
    (b,) = deeplabcut.write(named, tmp_path / "b.h5")
    assert deeplabcut.read(b).attrs["scorer"] == "DLC_net"
    (c,) = deeplabcut.write(named, tmp_path / "c.h5", scorer="mine")
    assert deeplabcut.read(c).attrs["scorer"] == "mine"


def test_h5_is_a_pandas_table_under_df_with_missing(
    tmp_path: Path, poses_two_mice_with_nan: xr.Dataset
) -> None:
    (path,) = deeplabcut.write(poses_two_mice_with_nan, tmp_path / "p.h5")
    with h5py.File(path) as h5:
        assert list(h5) == ["df_with_missing"]
        assert h5["df_with_missing"].attrs["pandas_type"] == b"frame_table"
    df = pd.read_hdf(path, key="df_with_missing")
    assert list(df.columns.names) == LEVELS4
    assert df.index.tolist() == list(range(20))


def test_split_individuals_auto_like_movement_default_writes_at_path(
    tmp_path: Path, poses_two_mice_with_nan: xr.Dataset
) -> None:
    one = poses_two_mice_with_nan.isel(individual=[1])
    auto = deeplabcut.write(one, tmp_path / "one.h5", split_individuals="auto")
    assert auto == [tmp_path / "one_mouse_a.h5"]
    assert pd.read_hdf(tmp_path / "one_mouse_a.h5").columns.nlevels == 3
    assert deeplabcut.write(one, tmp_path / "exact.h5") == [tmp_path / "exact.h5"]
    assert pd.read_hdf(tmp_path / "exact.h5").columns.nlevels == 3
    assert deeplabcut.write(poses_two_mice_with_nan, tmp_path / "two.csv") == [
        tmp_path / "two.csv"
    ]
    paths = deeplabcut.write(poses_two_mice_with_nan, tmp_path / "s.csv", split_individuals=True)
    assert paths == [tmp_path / "s_mouse_b.csv", tmp_path / "s_mouse_a.csv"]
    for path, name in zip(paths, ["mouse_b", "mouse_a"], strict=True):
        back = deeplabcut.read(path)
        np.testing.assert_array_equal(
            back.position.isel(individual=0).values,
            poses_two_mice_with_nan.position.sel(individual=name).values,
        )
    (plain,) = deeplabcut.write(one, tmp_path / "plain.csv", split_individuals=False)
    assert plain == tmp_path / "plain.csv"
    assert pd.read_csv(plain, header=[0, 1, 2], index_col=0).columns.nlevels == 3


def test_writer_refuses_to_overwrite_and_bad_options(
    tmp_path: Path, poses_two_mice_with_nan: xr.Dataset
) -> None:
    target = tmp_path / "p.h5"
    deeplabcut.write(poses_two_mice_with_nan, target)
    before = target.read_bytes()
    with pytest.raises(FileExistsError):
        deeplabcut.write(poses_two_mice_with_nan, target)
    assert target.read_bytes() == before
    deeplabcut.write(poses_two_mice_with_nan, target, overwrite=True)
    with pytest.raises(PoseBridgeError, match="split_individuals"):
        deeplabcut.write(poses_two_mice_with_nan, tmp_path / "q.h5", split_individuals="yes")
    with pytest.raises(PoseBridgeError, match=r"\.h5 or \.csv"):
        deeplabcut.write(poses_two_mice_with_nan, tmp_path / "q.txt")


def test_lp_refusal_of_several_individuals_names_the_split_option(
    tmp_path: Path, poses_two_mice_with_nan: xr.Dataset
) -> None:
    """The advice left out split_individuals=True, the writer's own way to write them."""
    with pytest.raises(SchemaError, match="one individual") as caught:
        deeplabcut.write_lp(poses_two_mice_with_nan, tmp_path / "lp.csv")
    assert "split_individuals=True" in str(caught.value)
    written = deeplabcut.write_lp(
        poses_two_mice_with_nan, tmp_path / "lp.csv", split_individuals=True
    )
    assert len(written) == poses_two_mice_with_nan.sizes["individual"]


def test_boxes_are_refused(tmp_path: Path, bboxes_two_tracks: xr.Dataset) -> None:
    with pytest.raises(SchemaError, match="hold poses"):
        deeplabcut.write(bboxes_two_tracks, tmp_path / "boxes.csv")


def test_lp_writer_one_individual_at_the_given_path(
    tmp_path: Path, poses_two_mice_with_nan: xr.Dataset
) -> None:
    with pytest.raises(SchemaError, match="one individual"):
        deeplabcut.write_lp(poses_two_mice_with_nan, tmp_path / "lp.csv")
    one = model.validate(poses_two_mice_with_nan.isel(individual=[0]).drop_attrs())
    assert deeplabcut.write_lp(one, tmp_path / "lp.csv") == [tmp_path / "lp.csv"]
    assert deeplabcut.sniff_lp(Peek(tmp_path / "lp.csv"))
    assert deeplabcut.read_lp(tmp_path / "lp.csv").attrs["scorer"] == "posebridge_tracker"
    with pytest.raises(PoseBridgeError, match="csv"):
        deeplabcut.write_lp(one, tmp_path / "lp.h5")


def test_dataframe_from_dataset(poses_two_mice_with_nan: xr.Dataset) -> None:
    df = deeplabcut.dataframe_from_dataset(poses_two_mice_with_nan)
    assert list(df.columns.names) == LEVELS4
    assert df.shape == (20, 2 * 3 * 3)
    value = df[("posebridge", "mouse_a", "tail_base", "y")].to_numpy()
    expected = poses_two_mice_with_nan.position.sel(
        individual="mouse_a", keypoint="tail_base", space="y"
    ).values
    np.testing.assert_array_equal(value, expected)
    split = deeplabcut.dataframe_from_dataset(poses_two_mice_with_nan, split_individuals=True)
    assert list(split) == ["mouse_b", "mouse_a"]
    assert list(split["mouse_a"].columns.names) == LEVELS3


# --------------------------------------------------------------------------
# exact numbers, sniffing, netCDF


def test_csv_numbers_round_trip_bit_identical(tmp_path: Path) -> None:
    special = np.array(
        [
            5e-324,
            1e-300,
            1.7976931348623157e308,
            -0.0,
            0.1 + 0.2,
            1 / 3,
            2.0**53 + 2,
            1e21,
            -123456.789e-10,
            300.0,
            np.pi * 1e15,
            9.999999999999999e22,
            1e-7,
        ]
    )
    position = np.resize(special, 2 * 13 * 2).reshape(1, 2, 13, 2).repeat(3, axis=0)
    position[1] = -position[1]
    ds = model.from_numpy(position, np.full((3, 13, 2), 0.5))
    (path,) = deeplabcut.write(ds, tmp_path / "exact.csv")
    back = deeplabcut.read(path)
    assert back.position.values.tobytes() == ds.position.values.tobytes()
    frame = pd.read_csv(path, header=[0, 1, 2, 3], index_col=0, dtype=np.float64)
    expected = deeplabcut.dataframe_from_dataset(ds)
    assert frame.to_numpy().tobytes() == expected.to_numpy().tobytes()  # pandas reads them too


def test_parallel_csv_reader_matches_whole_file_reader(
    tmp_path: Path, poses_two_mice_with_nan: xr.Dataset, monkeypatch: pytest.MonkeyPatch
) -> None:
    (path,) = deeplabcut.write(poses_two_mice_with_nan, tmp_path / "p.csv")
    whole = deeplabcut.read(path)
    monkeypatch.setattr(_dlc_csv, "_PARALLEL_MIN_BYTES", 0)
    monkeypatch.setattr(_dlc_csv, "_CHUNK_ROWS", 3)
    monkeypatch.setattr(_dlc_csv, "usable_cores", lambda: 3)
    assert deeplabcut.read(path).identical(whole)
    text = path.read_text().replace("\n5,", "\n\n5,")  # a blank line: the counts disagree
    path.write_text(text)
    assert deeplabcut.read(path).identical(whole)


@pytest.mark.parametrize("cores", [1, 2])
def test_one_core_reader_matches_whole_file_reader(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cores: int
) -> None:
    position = np.array([[-0.0, 3.0], [4.0, np.nan]]).reshape(2, 2, 1, 1).repeat(4, axis=0)
    for name, array in (
        ("floats", np.random.default_rng(3).normal(size=(8, 2, 2, 2))),
        ("ints", position),  # every cell an integer, -0 or empty: read again as floats
    ):
        ds = model.from_numpy(array, np.full(array.shape[:1] + array.shape[2:], 0.5))
        (path,) = deeplabcut.write(ds, tmp_path / f"{name}.csv")
        whole = deeplabcut.read(path)  # small: the float-typed whole-file reader
        monkeypatch.setattr(_dlc_csv, "_PARALLEL_MIN_BYTES", 0)
        monkeypatch.setattr(_dlc_csv, "usable_cores", lambda: cores)
        back = deeplabcut.read(path)
        assert back.identical(whole)
        assert back.position.values.tobytes() == ds.position.values.tobytes()
        monkeypatch.undo()


def test_sniff_tells_dlc_from_lp(tmp_path: Path, single_animal_frame: pd.DataFrame) -> None:
    dlc_csv, lp_csv, h5 = tmp_path / "d.csv", tmp_path / "l.csv", tmp_path / "d.h5"
    single_animal_frame.to_csv(dlc_csv)
    lp = single_animal_frame.rename(
        columns={"DLC_resnet50_testJan1shuffle1_100": "heatmap_tracker"}
    )
    lp.to_csv(lp_csv)
    lp.to_hdf(h5, key="df_with_missing", format="table")
    assert deeplabcut.sniff(Peek(dlc_csv)) and not deeplabcut.sniff_lp(Peek(dlc_csv))
    assert deeplabcut.sniff(Peek(lp_csv)) and deeplabcut.sniff_lp(Peek(lp_csv))
    assert deeplabcut.sniff(Peek(h5)) and not deeplabcut.sniff_lp(
        Peek(h5)
    )  # .h5 is never LightningPose


@pytest.mark.parametrize("content", ["labels", "poses"])
def test_a_multi_animal_csv_with_data_split_that_save_writes_is_detected_as_dlc_and_loads(
    tmp_path: Path, content: str
) -> None:
    # LightningPose holds one animal and writes no individuals level: a 'set' column under
    # an individuals level is the data_split of a multi-animal DeepLabCut table
    rng = np.random.default_rng(1)
    images = ["labeled-data/v/img001.png", "labeled-data/v/img002.png"]
    names = {"individual_names": ["m1", "m2"], "keypoint_names": ["snout", "tail"]}
    if content == "labels":
        ds = posebridge.labels.from_numpy(
            rng.uniform(10, 100, (2, 2, 2, 2)), image_path=images, **names
        )
        path = tmp_path / "CollectedData_me.csv"
    else:
        ds = posebridge.from_numpy(
            rng.uniform(10, 100, (2, 2, 2, 2)), rng.uniform(0, 1, (2, 2, 2)), **names
        )
        path = tmp_path / "p.csv"
    ds = ds.assign_coords(data_split=("time", ["train", "test"]))
    posebridge.save(ds, path)
    assert deeplabcut.sniff(Peek(path)) and not deeplabcut.sniff_lp(Peek(path))
    assert posebridge.detect(path) == "dlc"
    back = posebridge.load(path)
    assert back.individual.values.tolist() == ["m1", "m2"]
    assert back["data_split"].values.tolist() == ["train", "test"]
    np.testing.assert_array_equal(back.position.values, ds.position.values)


def test_a_one_animal_csv_with_an_individuals_level_and_a_set_column_is_dlc(
    tmp_path: Path,
) -> None:
    df = dlc_frame(["mouse"], ["a", "b"], ["x", "y", "likelihood"], n_rows=2)
    df[("set", "", "", "")] = ["train", "test"]
    path = tmp_path / "one.csv"
    df.to_csv(path)
    assert posebridge.detect(path) == "dlc"
    assert posebridge.load(path).individual.values.tolist() == ["mouse"]


def test_read_datasets_save_as_netcdf(tmp_path: Path) -> None:
    coords = ["x", "y", "likelihood", "x_ens_median"]
    df = dlc_frame(None, ["a"], coords, scorer="ensemble-kalman_tracker", n_rows=3)
    df.index = ["labeled-data/v/1.png", "labeled-data/v/2.png", "labeled-data/v/3.png"]
    df[("set", "", "")] = ["train", "test", "train"]
    path = tmp_path / "p.csv"
    df.to_csv(path)
    ds = deeplabcut.read(path)
    ds.to_netcdf(tmp_path / "p.nc", engine="h5netcdf")
    back = xr.load_dataset(tmp_path / "p.nc", engine="h5netcdf")
    np.testing.assert_array_equal(back.x_ens_median.values, ds.x_ens_median.values)


def test_parallel_reader_keeps_negative_zero_of_integral_columns(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    position = np.array([[-0.0, 3.0], [4.0, -0.0]]).reshape(2, 2, 1, 1).repeat(4, axis=0)
    ds = model.from_numpy(position, np.ones((8, 1, 1)))  # every cell an integer or -0
    (path,) = deeplabcut.write(ds, tmp_path / "ints.csv")
    monkeypatch.setattr(_dlc_csv, "_PARALLEL_MIN_BYTES", 0)
    monkeypatch.setattr(_dlc_csv, "_CHUNK_ROWS", 3)
    monkeypatch.setattr(_dlc_csv, "usable_cores", lambda: 2)
    back = deeplabcut.read(path)
    assert back.position.values.tobytes() == ds.position.values.tobytes()


def test_per_individual_confidence_is_written_per_keypoint(tmp_path: Path) -> None:
    rng = np.random.default_rng(8)
    ds = model.from_numpy(
        rng.uniform(size=(5, 2, 2, 3)),
        rng.uniform(size=(5, 3)),  # one score per animal and frame
        individual_names=["a", "b", "single"],
    )
    (path,) = deeplabcut.write(ds, tmp_path / "scores.h5")
    back = deeplabcut.read(path)
    expected = model.confidence_per_keypoint(ds).values
    np.testing.assert_array_equal(back.confidence.values, expected)


@pytest.mark.parametrize("coord", ["area", "instance_score", "bbox", "category"])
def test_an_extra_coord_named_as_a_data_model_variable_is_kept_under_another_name(
    tmp_path: Path, coord: str
) -> None:
    """'area' per keypoint was read as the model's per-instance 'area' and refused."""
    df = dlc_frame(None, ["nose", "tail"], ["x", "y", "likelihood", coord], scorer="net")
    path = tmp_path / "videoDLC_net.csv"
    df.to_csv(path)
    ds = deeplabcut.read(path)
    assert ds[f"{coord}_coord"].dims == ("time", "keypoint", "individual")
    (out,) = deeplabcut.write(ds, tmp_path / "out.csv")
    back = pd.read_csv(out, header=[0, 1, 2], index_col=0)
    assert list(back.columns.get_level_values(2)[:4]) == ["x", "y", "likelihood", coord]


@pytest.mark.parametrize("suffix", [".h5", ".csv"])
def test_one_named_individual_in_a_single_animal_file_is_warned_about(
    tmp_path: Path, suffix: str
) -> None:
    """3 column levels hold no individual: the name is lost unless individuals_level=True."""
    import warnings

    array = np.arange(12, dtype=float).reshape(3, 2, 2, 1)
    named = model.from_numpy(array, individual_names=["mouse"])
    with pytest.warns(UserWarning, match=r"'mouse' is not stored.*individuals_level=True"):
        (path,) = deeplabcut.write(named, tmp_path / f"lost{suffix}")
    assert deeplabcut.read(path).individual.values.tolist() == ["individual_0"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        (kept,) = deeplabcut.write(named, tmp_path / f"kept{suffix}", individuals_level=True)
        for default in ("individual_0", "id_0"):  # the reader's and an unnamed one's
            unnamed = model.from_numpy(array, individual_names=[default])
            deeplabcut.write(unnamed, tmp_path / f"{default}{suffix}")
    assert deeplabcut.read(kept).individual.values.tolist() == ["mouse"]


# SLEAP's tracker and sleap-io name the first track track_0; posebridge's SLEAP readers
# name an instance without a track untracked_0; DeepLabCut names a new project's first
# individual individual1, its stitcher's first track ind1, SuperAnimal's first animal0.
# The name next to each is not a tool's default for one individual: still warned about.
@pytest.mark.parametrize(
    ("name", "look_alike"),
    [
        ("track_0", "track_1"),
        ("untracked_0", "untracked_1"),
        ("individual1", "individual2"),
        ("ind1", "ind2"),
        ("animal0", "animal1"),
    ],
)
def test_a_tool_generated_name_of_one_individual_is_dropped_without_a_warning(
    tmp_path: Path, name: str, look_alike: str
) -> None:
    """Every single-track SLEAP -> DeepLabCut conversion warned that 'track_0' was lost."""
    import warnings

    array = np.arange(12, dtype=float).reshape(3, 2, 2, 1)
    ds = model.from_numpy(array, individual_names=[name])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        (path,) = deeplabcut.write(ds, tmp_path / "one.csv")
    assert pd.read_csv(path, header=None, nrows=1).iloc[0, 0] == "scorer"
    assert pd.read_csv(path, header=None, skiprows=1, nrows=1).iloc[0, 0] == "bodyparts"
    named = model.from_numpy(array, individual_names=[look_alike])
    with pytest.warns(UserWarning, match=rf"'{look_alike}' is not stored"):
        deeplabcut.write(named, tmp_path / "named.h5")


@pytest.mark.parametrize("suffix", [".h5", ".csv"])
def test_a_one_animal_multi_animal_file_is_written_back_with_its_individuals_level(
    tmp_path: Path, suffix: str
) -> None:
    """Re-saving a maDLC file of one animal warned that its name was lost, and wrote 3
    column levels (a single-animal file, read back as 'individual_0')."""
    import warnings

    df = dlc_frame(["mouse1"], ["nose", "tail"], ["x", "y", "likelihood"])
    source = tmp_path / f"ma{suffix}"
    if suffix == ".h5":
        df.to_hdf(source, key="df_with_missing", format="table")
    else:
        df.to_csv(source)
    ds = posebridge.load(source)
    assert ds.attrs["dlc_layout"] == "multi-animal"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        (out,) = posebridge.save(ds, tmp_path / f"out{suffix}")
    back = (
        pd.read_hdf(out) if suffix == ".h5" else pd.read_csv(out, header=[0, 1, 2, 3], index_col=0)
    )
    assert list(back.columns.names) == list(df.columns.names)
    assert back.columns.get_level_values("individuals").unique().tolist() == ["mouse1"]
    np.testing.assert_array_equal(back.to_numpy(), df.to_numpy())
    # an explicit individuals_level=False still writes a single-animal file, warning
    with pytest.warns(UserWarning, match="'mouse1' is not stored"):
        (single,) = posebridge.save(ds, tmp_path / f"single{suffix}", individuals_level=False)
    assert posebridge.load(single).attrs["dlc_layout"] == "single-animal"


def test_the_source_layout_goes_through_netcdf_and_nowhere_it_means_nothing(
    tmp_path: Path,
) -> None:
    df = dlc_frame(["mouse1"], ["nose", "tail"], ["x", "y", "likelihood"])
    source = tmp_path / "ma.h5"
    df.to_hdf(source, key="df_with_missing", format="table")
    ds = posebridge.load(source)
    (nc,) = posebridge.save(ds, tmp_path / "poses.nc")
    through = posebridge.load(nc)
    assert through.attrs["dlc_layout"] == "multi-animal"
    (out,) = posebridge.save(through, tmp_path / "out.h5")
    assert pd.read_hdf(out).columns.names == df.columns.names
    (slp,) = posebridge.save(ds, tmp_path / "poses.slp")
    from_sleap = posebridge.load(slp)
    assert "dlc_layout" not in from_sleap.attrs
    assert from_sleap.individual.values.tolist() == ["mouse1"]
    with pytest.warns(UserWarning, match="'mouse1' is not stored"):  # SLEAP keeps no layout
        posebridge.save(from_sleap, tmp_path / "from_sleap.h5")


@pytest.mark.parametrize(
    "value", [np.array(["multi-animal", "x"]), np.array(["multi-animal"]), ["multi-animal"], 1]
)
def test_a_source_layout_attr_that_is_not_text_is_ignored(tmp_path: Path, value) -> None:
    """An array of two texts raised numpy's raw 'truth value of an array is ambiguous'
    from the writer, after validate had passed the dataset."""
    ds = posebridge.from_numpy(np.ones((3, 2, 1, 1)), individual_names=["id_0"], fps=10)
    (out,) = posebridge.save(ds.assign_attrs(dlc_layout=value), tmp_path / "out.h5")
    assert pd.read_hdf(out).columns.nlevels == 3  # the single-animal default


@pytest.mark.parametrize("how", ["eager", "lazy"])
@pytest.mark.parametrize("layout", ["fixed", "table"])
def test_a_float_row_index_of_whole_numbers_in_h5_reads_as_frame_numbers(
    tmp_path: Path, how: str, layout: str
) -> None:
    frames = [0.0, 1.0, 2.0, 5.0]
    df = dlc_frame(None, ["nose"], ["x", "y", "likelihood"], n_rows=4, index=pd.Index(frames))
    path = tmp_path / "floats.h5"
    df.to_hdf(path, key="df_with_missing", format=layout)
    ds = deeplabcut.read(path) if how == "eager" else posebridge.open_dataset(path).load()
    assert ds.time.values.tolist() == [int(f) for f in frames]
    np.testing.assert_array_equal(ds.position.values[:, 0, 0, 0], df.iloc[:, 0].to_numpy())


@pytest.mark.parametrize("how", ["eager", "lazy"])
def test_an_empty_fixed_layout_h5_reads_as_no_time_steps(tmp_path: Path, how: str) -> None:
    """As a CSV of header lines only reads: zero time steps, the columns' keypoints."""
    df = dlc_frame(None, ["nose", "tail"], ["x", "y", "likelihood"], n_rows=0)
    path = tmp_path / "empty.h5"
    df.to_hdf(path, key="df_with_missing", format="fixed")
    csv = tmp_path / "empty.csv"
    df.to_csv(csv)
    ds = deeplabcut.read(path) if how == "eager" else posebridge.open_dataset(path).load()
    assert ds.sizes["time"] == 0
    assert ds.keypoint.values.tolist() == ["nose", "tail"]
    from_csv = deeplabcut.read(csv)
    assert ds.position.shape == from_csv.position.shape
    assert ds.time.dtype == from_csv.time.dtype


def test_a_split_write_names_the_files_written_in_its_warnings(tmp_path):
    ds = posebridge.from_numpy(
        np.random.default_rng(0).uniform(1, 9, (4, 3, 2, 2)), individual_names=["m1", "m2"]
    )
    ds.attrs["anipose_alignment_center"] = np.array([0.0, 3.0, 0.0])
    with pytest.warns(UserWarning, match="anipose_alignment_center") as got:
        written = posebridge.save(ds, tmp_path / "a.h5", split_individuals=True)
    assert [path.name for path in written] == ["a_m1.h5", "a_m2.h5"]
    message = next(str(w.message) for w in got if "alignment" in str(w.message))
    assert message.startswith(f"{written[0]}, {written[1]}:")


def _unnamed_levels_h5(path, levels, key="df_with_missing"):
    """A DeepLabCut-style table whose column levels have no names (built by a script)."""
    product = [
        ["DLC_resnet50_x"],
        ["mouse1", "mouse2"],
        ["snout", "tail"],
        ["x", "y", "likelihood"],
    ]
    if levels == 3:
        product = [product[0], product[2], product[3]]
    columns = pd.MultiIndex.from_product(product)  # no names=
    values = np.arange(4 * columns.size, dtype=float).reshape(4, columns.size)
    pd.DataFrame(values, columns=columns).to_hdf(path, key=key, format="table")
    return pd.DataFrame(values, columns=columns)


@pytest.mark.parametrize("levels", [3, 4])
def test_a_dlc_table_without_level_names_under_dlcs_key_is_detected(tmp_path, levels):
    path = tmp_path / "videoDLC_resnet50_x.h5"
    frame = _unnamed_levels_h5(path, levels)
    ds = posebridge.load(path)  # no format=
    assert list(ds.keypoint.values) == ["snout", "tail"]
    if levels == 4:
        assert list(ds.individual.values) == ["mouse1", "mouse2"]
        expected = frame[("DLC_resnet50_x", "mouse2", "tail", "y")].to_numpy()
        got = ds.position.sel(individual="mouse2", keypoint="tail", space="y").values
    else:
        expected = frame[("DLC_resnet50_x", "tail", "y")].to_numpy()
        got = ds.position.sel(keypoint="tail", space="y").values[:, 0]
    np.testing.assert_array_equal(got, expected)


def test_a_table_without_level_names_under_another_key_is_not_taken_for_dlc(tmp_path):
    path = tmp_path / "table.h5"
    _unnamed_levels_h5(path, 3, key="data")
    with pytest.raises(UnknownFormatError):
        posebridge.load(path)


def test_a_non_ascii_h5_name_under_an_ascii_locale_is_refused_leaving_no_file(tmp_path):
    """Under LC_ALL=C without UTF-8 mode, PyTables wrote maus_ü.h5's temporary as
    '.maus_??...h5' (its name's escaped bytes as '?'), then the write failed as
    'incomplete' and the clean-up, looking for the real name, left that file behind."""
    import os
    import subprocess

    source = tmp_path / "in.nc"
    posebridge.save(posebridge.from_numpy(np.arange(8.0).reshape(2, 2, 2, 1)), source)
    target = os.fsencode(tmp_path) + "/maus_ü.h5".encode()  # the bytes a UTF-8 shell passes
    environment = {**os.environ, "LC_ALL": "C", "LANG": "C", "PYTHONUTF8": "0"}
    src = Path(posebridge.__file__).resolve().parents[1]
    environment["PYTHONPATH"] = os.pathsep.join([str(src), environment.get("PYTHONPATH", "")])
    done = subprocess.run(
        [sys.executable, "-m", "posebridge", "convert", os.fsencode(source), target],
        capture_output=True,
        env=environment,
        timeout=120,
    )
    assert done.returncode == 1
    assert b"PYTHONUTF8=1" in done.stderr and b"write .csv" in done.stderr
    assert sorted(os.listdir(os.fsencode(tmp_path))) == [b"in.nc"]
