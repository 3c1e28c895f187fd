"""Anipose triangulation .csv: layout read column by column, exact round trips, bad input."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import xarray as xr
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import posebridge
from posebridge import model
from posebridge._files import Peek
from posebridge.errors import FormatError, PoseBridgeError, SchemaError
from posebridge.formats import anipose
from posebridge.io import load_poses, save_poses

SUFFIXES = ["x", "y", "z", "error", "ncams", "score"]
TRANSFORM = [f"M_{r}{c}" for r in range(3) for c in range(3)] + [
    "center_0",
    "center_1",
    "center_2",
]


def anipose_table(keypoints, frames, seed=0, matrix=None, center=None) -> pd.DataFrame:
    """A table in Anipose's column order: per keypoint x,y,z,error,ncams,score; M; center; fnum."""
    rng = np.random.default_rng(seed)
    n = len(frames)
    data = {}
    for kp in keypoints:
        data[f"{kp}_x"], data[f"{kp}_y"], data[f"{kp}_z"] = rng.normal(100, 30, (3, n))
        data[f"{kp}_error"] = rng.uniform(0, 5, n)
        data[f"{kp}_ncams"] = rng.integers(2, 5, n).astype(float)
        data[f"{kp}_score"] = rng.uniform(0, 1, n)
    matrix = np.eye(3) if matrix is None else np.asarray(matrix)
    center = np.zeros(3) if center is None else np.asarray(center)
    for name, value in zip(TRANSFORM, [*matrix.reshape(-1), *center], strict=True):
        data[name] = np.full(n, value)
    data["fnum"] = np.asarray(frames)
    return pd.DataFrame(data)


@pytest.fixture
def session_csv(tmp_path):
    """Keypoints with underscores, frames with a gap, a non-optim missing row, a transform."""
    keypoints = ["nose", "Tail_0", "paw_left_score", "ear_x"]
    table = anipose_table(
        keypoints,
        [0, 1, 2, 5, 6, 7],
        matrix=[[1, 0.2, 0], [0, 1, 0], [0.1, 0, 2]],
        center=[1, 2, 3],
    )
    for suffix in SUFFIXES:  # non-optim style: everything empty where < 2 cameras
        table.loc[3, f"Tail_0_{suffix}"] = np.nan
    path = tmp_path / "session.csv"
    table.to_csv(path, index=False)
    return path, table, keypoints


def test_read_takes_every_column_in_file_order(session_csv):
    path, table, keypoints = session_csv
    ds = posebridge.load(path)
    assert posebridge.detect(path) == "anipose"
    assert ds.keypoint.values.tolist() == keypoints  # file order, not sorted
    assert ds.time.values.tolist() == table["fnum"].tolist()  # gaps kept
    assert ds.individual.values.tolist() == ["id_0"]
    assert ds.attrs["source_software"] == "Anipose"
    for kp in keypoints:
        for axis in "xyz":
            np.testing.assert_array_equal(
                ds.position.sel(keypoint=kp, space=axis, individual="id_0"), table[f"{kp}_{axis}"]
            )
        point = {"keypoint": kp, "individual": "id_0"}
        np.testing.assert_array_equal(ds.confidence.sel(point), table[f"{kp}_score"])
        np.testing.assert_array_equal(ds.reprojection_error.sel(point), table[f"{kp}_error"])
        np.testing.assert_array_equal(ds.camera_count.sel(point), table[f"{kp}_ncams"])
    np.testing.assert_array_equal(
        ds.attrs["anipose_alignment_matrix"], table[TRANSFORM[:9]].iloc[0].to_numpy()
    )
    np.testing.assert_array_equal(ds.attrs["anipose_alignment_center"], [1, 2, 3])


def test_non_optim_missing_point_is_nan_everywhere(session_csv):
    path, _, _ = session_csv
    ds = posebridge.load(path)
    point = {"time": 5, "keypoint": "Tail_0", "individual": "id_0"}
    assert np.isnan(ds.position.sel(point)).all()
    assert np.isnan(ds.confidence.sel(point))
    assert np.isnan(ds.camera_count.sel(point))


def test_optim_style_keeps_points_whose_error_and_score_are_missing(tmp_path):
    table = anipose_table(["a", "b"], [0, 1, 2])
    table.loc[1, ["a_error", "a_score"]] = np.nan
    table.loc[1, "a_ncams"] = 1.0
    path = tmp_path / "optim.csv"
    table.to_csv(path, index=False)
    ds = posebridge.load(path, format="anipose")
    point = {"time": 1, "keypoint": "a", "individual": "id_0"}
    assert np.isfinite(ds.position.sel(point)).all()
    assert np.isnan(ds.confidence.sel(point)) and np.isnan(ds.reprojection_error.sel(point))
    assert ds.camera_count.sel(point) == 1.0


def test_individual_name_and_fps(session_csv):
    path, table, _ = session_csv
    ds = load_poses.from_anipose_file(path, fps=50, individual_name="mouse")
    assert ds.individual.values.tolist() == ["mouse"]
    np.testing.assert_allclose(ds.time.values, table["fnum"] / 50)
    assert ds.frame.values.tolist() == table["fnum"].tolist()


def test_from_anipose_style_df_matches_the_file_reader(session_csv):
    path, table, _ = session_csv
    from_df = load_poses.from_anipose_style_df(table, individual_name="id_0")
    from_file = posebridge.load(path)
    from_file.attrs.pop("source_file")
    xr.testing.assert_identical(from_df, from_file)


def test_write_uses_anipose_column_order_and_no_index(tmp_path, poses_single_3d):
    path = tmp_path / "out.csv"
    assert posebridge.save(poses_single_3d, path, format="anipose") == [path]
    header = path.read_text().splitlines()[0].split(",")
    keypoints = poses_single_3d.keypoint.values.tolist()
    assert header == [f"{kp}_{s}" for kp in keypoints for s in SUFFIXES] + TRANSFORM + ["fnum"]
    table = pd.read_csv(path)
    # identity transform and zero centre for a dataset that has none
    np.testing.assert_array_equal(table[TRANSFORM[:9]], np.tile(np.eye(3).reshape(-1), (12, 1)))
    np.testing.assert_array_equal(table[TRANSFORM[9:]], np.zeros((12, 3)))
    assert table["fnum"].tolist() == list(range(12))
    assert table[[f"{kp}_error" for kp in keypoints]].isna().all().all()


def test_round_trip_is_exact_with_gaps_nan_and_transform(tmp_path, session_csv):
    path, _, _ = session_csv
    ds = posebridge.load(path)
    out = tmp_path / "again.csv"
    save_poses.to_anipose_file(ds, out)
    back = posebridge.load(out)
    ds.attrs.pop("source_file"), back.attrs.pop("source_file")
    xr.testing.assert_identical(back, ds)


def test_single_frame_round_trip(tmp_path):
    table = anipose_table(["a"], [41])
    path = tmp_path / "one.csv"
    table.to_csv(path, index=False)
    out = tmp_path / "back.csv"
    posebridge.save(posebridge.load(path), out, format="anipose")
    pd.testing.assert_frame_equal(pd.read_csv(out), table)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    values=hnp.arrays(
        np.float64,
        (7, 3, 2, 1),
        elements=st.floats(allow_nan=True, allow_infinity=False, width=64),
    ),
    gaps=st.lists(st.integers(1, 1000), min_size=7, max_size=7),
)
def test_any_values_round_trip_exactly(tmp_path, values, gaps):
    ds = model.from_numpy(values, keypoint_names=["a_x", "b"])
    ds = ds.assign_coords(time=np.cumsum(gaps))
    path = tmp_path / "prop.csv"
    anipose.write(ds, path, overwrite=True)
    back = anipose.read(path)
    np.testing.assert_array_equal(back.position.values, values)
    assert back.time.values.tolist() == np.cumsum(gaps).tolist()
    assert back.keypoint.values.tolist() == ["a_x", "b"]


def test_alignment_can_be_undone_with_a_non_orthogonal_matrix(tmp_path):
    rng = np.random.default_rng(3)
    raw = rng.normal(size=(5, 3))
    matrix = np.array([[1.0, 0.3, 0.0], [0.0, 0.8, 0.1], [0.2, 0.0, 1.5]])
    center = np.array([4.0, -1.0, 2.0])
    aligned = raw @ matrix.T - center  # what Anipose stores
    table = anipose_table(["p"], range(5), matrix=matrix, center=center)
    table[["p_x", "p_y", "p_z"]] = aligned
    path = tmp_path / "aligned.csv"
    table.to_csv(path, index=False)
    ds = posebridge.load(path)
    m = ds.attrs["anipose_alignment_matrix"].reshape(3, 3)
    c = ds.attrs["anipose_alignment_center"]
    stored = ds.position.sel(keypoint="p", individual="id_0").values  # (time, space)
    np.testing.assert_allclose((stored + c) @ np.linalg.inv(m.T), raw, atol=1e-12)


def test_write_needs_one_individual_or_a_choice(tmp_path):
    position = np.random.default_rng(0).normal(size=(4, 3, 2, 2))
    ds = model.from_numpy(position, individual_names=["a", "b"])
    with pytest.raises(SchemaError, match="individual="):
        posebridge.save(ds, tmp_path / "x.csv", format="anipose")
    save_poses.to_anipose_file(ds, tmp_path / "b.csv", individual="b")
    back = posebridge.load(tmp_path / "b.csv", individual_name="b")
    np.testing.assert_array_equal(back.position.values, position[..., 1:])
    with pytest.raises(SchemaError, match="not in the dataset"):
        posebridge.save(ds, tmp_path / "c.csv", format="anipose", individual="zz")


def test_write_refuses_2d_poses(tmp_path, poses_two_mice_with_nan):
    with pytest.raises(SchemaError, match="3D"):
        posebridge.save(poses_two_mice_with_nan, tmp_path / "x.csv", format="anipose")


def test_write_seconds_dataset_rounds_frames(tmp_path):
    ds = model.from_numpy(np.zeros((3000, 3, 1, 1)), fps=29.97)
    ds = ds.drop_vars("frame")
    posebridge.save(ds, tmp_path / "s.csv", format="anipose")
    assert pd.read_csv(tmp_path / "s.csv")["fnum"].tolist() == list(range(3000))


def test_dataset_saves_to_netcdf(tmp_path, session_csv):
    ds = posebridge.load(session_csv[0])
    posebridge.save(ds, tmp_path / "s.nc")
    back = posebridge.load(tmp_path / "s.nc")
    np.testing.assert_array_equal(
        back.attrs["anipose_alignment_matrix"], ds.attrs["anipose_alignment_matrix"]
    )
    xr.testing.assert_equal(back.camera_count, ds.camera_count)


def test_sniff_tells_anipose_from_dlc_and_via_headers(tmp_path, session_csv):
    assert anipose.sniff(Peek(session_csv[0]))
    dlc = tmp_path / "dlc.csv"
    dlc.write_text("scorer,net,net,net\nbodyparts,a,a,a\ncoords,x,y,likelihood\n0,1,2,0.5\n")
    via = tmp_path / "via.csv"
    via.write_text(
        "filename,file_size,file_attributes,region_count,region_id,"
        "region_shape_attributes,region_attributes\n"
    )
    plain = tmp_path / "plain.csv"
    plain.write_text("a_x,a_y,a_z\n1,2,3\n")  # no Anipose-only column
    assert not any(anipose.sniff(Peek(p)) for p in (dlc, via, plain))


def test_a_header_with_quoted_cells_is_detected_as_the_reader_takes_it(tmp_path):
    """R's write.csv quotes every header cell; the reader took such a file but the
    sniffer split the raw line on commas, so detection missed it (h134 #4)."""
    cells = ["nose_x", "nose_y", "nose_z", "nose_error", "nose_ncams", "nose_score", "fnum"]
    path = tmp_path / "tri.csv"
    path.write_text(",".join(f'"{c}"' for c in cells) + "\n1,2,3,0.1,2,0.9,0\n2,3,4,0.1,2,0.9,1\n")
    assert posebridge.detect(path) == "anipose"
    ds = posebridge.load(path)
    assert ds.position.sel(keypoint="nose", individual=ds.individual[0]).values.tolist() == [
        [1, 2, 3],
        [2, 3, 4],
    ]


def _write(tmp_path, text, name="bad.csv"):
    path = tmp_path / name
    path.write_text(text)
    return path


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a_x,a_y,fnum\n1,2,0\n", "missing: a_z"),
        ("a_x,a_y,a_z,wing,fnum\n1,2,3,4,0\n", "unexpected columns"),
        (  # a column before Anipose's with no name, not of row numbers: no index
            "Unnamed: 0,a_x,a_y,a_z,fnum\n0,1,2,3,0\n0.5,1,2,3,1\n",
            r"line 3: the column of cell 1 of the header, which has no Anipose name, holds "
            r"0\.5; .* index column",
        ),
        ("a_x,a_y,a_z,fnum\n1,2,3,0\n1,two,3,1\n", "line 3: column 'a_y'"),
        ("a_x,a_y,a_z,fnum\n1,2,3,0\n1,2,3,0\n", "line 3: frame 0"),
        ("a_x,a_y,a_z,fnum\n1,2,3,0.5\n", "line 2: fnum"),
        (
            "a_x,a_y,a_z,fnum\n1,2,3,0\n1,2,3,1e30\n",
            r"line 3: fnum is 1e\+30, expected a whole frame number from 0 \(below 2\*\*53\)",
        ),
        (  # truncated
            "a_x,a_y,a_z,fnum\n1,2,3,0\n1,2,3,1\n4,5",
            "line 4: 2 cells where the header has 4; the file may be cut short",
        ),
        # a short row: pandas would pad it with NaN, every value after the gap shifted
        (
            "a_x,a_y,a_z,fnum\n1,2,3,0\n1,3,1\n1,2,3,2\n",
            r"line 3: 3 cells where the header has 4\.",
        ),
        # a wide first row: pandas would take its first cell for an index
        ("a_x,a_y,a_z,fnum\n9,1,2,3,0\n", r"line 2: 5 cells where the header has 4\."),
        ("a_x,a_y,a_z,M_00,fnum\n1,2,3,1,0\n", "lacks M_01"),
        ("a_x,a_y,a_z,fnum\n1,2,3,0\n1,2,3,4,5\n", "line 3"),
    ],
)
def test_bad_files_raise_naming_file_and_line(tmp_path, text, message):
    path = _write(tmp_path, text)
    with pytest.raises(FormatError, match=message) as error:
        posebridge.load(path, format="anipose")
    assert str(path) in str(error.value)


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ("1,2,3,0.5,2,0.9,0\n1,2,3,0.5,2,0.9,-4\n", "line 3: fnum is -4, expected a whole"),
        ("1,2,3,0.5,2,0.9,0\n1,2,3,0.5,-2,0.9,1\n", "line 3: a_ncams is -2, expected a whole"),
        ("1,2,3,0.5,1.5,0.9,0\n", "line 2: a_ncams is 1.5, expected a whole number of cameras"),
    ],
)
def test_negative_or_fractional_fnum_and_ncams_are_refused_naming_line_and_column(
    tmp_path, rows, message
):
    """A negative fnum, and a negative or fractional _ncams, were read without a word."""
    path = _write(tmp_path, "a_x,a_y,a_z,a_error,a_ncams,a_score,fnum\n" + rows)
    with pytest.raises(FormatError, match=message) as error:
        posebridge.load(path, format="anipose")
    assert str(path) in str(error.value)


def test_write_refuses_negative_frames_and_camera_counts_the_reader_would_refuse(tmp_path):
    ds = model.from_numpy(np.zeros((3, 3, 2, 1)), keypoint_names=["a", "b"])
    with pytest.raises(SchemaError, match="frame numbers include -1"):
        posebridge.save(ds.assign_coords(time=[-1, 0, 1]), tmp_path / "f.csv", format="anipose")
    counts = np.full((3, 2, 1), 2.0)
    counts[1, 1, 0] = 2.5
    ds["camera_count"] = (("time", "keypoint", "individual"), counts)
    with pytest.raises(SchemaError, match="camera_count is 2.5 at time index 1, keypoint 'b'"):
        posebridge.save(ds, tmp_path / "c.csv", format="anipose")
    assert not list(tmp_path.glob("*.csv"))


@pytest.mark.parametrize(
    "header",
    [
        "a_x,a_y,a_z,a_error,a_ncams,a_score,b_x,b_y,b_z,fnum",
        "a_x,a_y,a_z,b_x,b_y,b_z," + ",".join(TRANSFORM) + ",fnum",
    ],
)
def test_a_header_without_rows_reads_as_no_frames_as_movement(tmp_path, header):
    path = _write(tmp_path, header + "\n", "header_only.csv")
    for ds in (
        posebridge.load(path, format="anipose"),
        posebridge.load(path),
        load_poses.from_anipose_file(path),
        posebridge.open_dataset(path),
    ):
        assert dict(ds.sizes) == {"time": 0, "space": 3, "keypoint": 2, "individual": 1}
        assert ds.keypoint.values.tolist() == ["a", "b"]
        assert ds.time.dtype == np.int64
        assert ds.attrs["source_software"] == "Anipose"


def test_varying_transform_is_refused_with_its_line(tmp_path):
    table = anipose_table(["a"], [0, 1, 2])
    table.loc[2, "M_11"] = 2.0
    path = tmp_path / "varying.csv"
    table.to_csv(path, index=False)
    with pytest.raises(FormatError, match="line 4: the alignment columns"):
        posebridge.load(path, format="anipose")


def test_dlc_style_table_and_binary_file_are_refused(tmp_path):
    dlc = _write(tmp_path, "scorer,n,n,n\nbodyparts,a,a,a\ncoords,x,y,z\n0,1,2,3\n", "dlc.csv")
    with pytest.raises(PoseBridgeError, match="dlc.csv"):
        posebridge.load(dlc, format="anipose")
    binary = tmp_path / "bin.csv"
    binary.write_bytes(b"\x89HDF\r\n\x1a\n\xff\xfe\x00")
    with pytest.raises(PoseBridgeError, match="bin.csv"):
        posebridge.load(binary, format="anipose")
    with pytest.raises(FormatError, match="several header rows"):
        anipose.dataset_from_dataframe(pd.read_csv(dlc, header=[0, 1, 2], index_col=0))


def test_rows_out_of_frame_order_are_sorted_with_their_values(tmp_path):
    table = anipose_table(["a"], [5, 2, 9])
    path = tmp_path / "unsorted.csv"
    table.to_csv(path, index=False)
    ds = posebridge.load(path)
    assert ds.time.values.tolist() == [2, 5, 9]
    expected = table.sort_values("fnum")
    np.testing.assert_array_equal(
        ds.position.sel(keypoint="a", space="x").values[:, 0], expected["a_x"]
    )
    np.testing.assert_array_equal(
        ds.camera_count.sel(keypoint="a").values[:, 0], expected["a_ncams"]
    )


def test_keypoints_without_error_or_ncams_columns(tmp_path):
    path = _write(tmp_path, "a_x,a_y,a_z,a_score,b_x,b_y,b_z,b_ncams,fnum\n1,2,3,0.5,4,5,6,2,0\n")
    ds = posebridge.load(path, format="anipose")
    assert "reprojection_error" not in ds
    np.testing.assert_array_equal(ds.camera_count.values[0, :, 0], [np.nan, 2])
    np.testing.assert_array_equal(ds.confidence.values[0, :, 0], [0.5, np.nan])


def test_describe_names_the_column_groups(session_csv):
    rows = dict(anipose.describe(session_csv[0]))
    assert rows["columns"].startswith("4 keypoints x (x, y, z, error, ncams, score)")
    assert rows["columns"].endswith("M_00..M_22, then center_0..2, then fnum")


def test_an_individual_name_anipose_cannot_store_is_warned_about(tmp_path):
    rng = np.random.default_rng(4)
    ds = posebridge.from_numpy(rng.uniform(0, 9, (4, 3, 2, 2)), individual_names=["mouse7", "b"])
    target = tmp_path / "a.csv"
    with pytest.warns(UserWarning, match=r"a\.csv: the individual's name 'mouse7' is not stored"):
        posebridge.save(ds, target, format="anipose", individual="mouse7")
    assert list(posebridge.load(target, format="anipose")["individual"].values) == ["id_0"]
    unnamed = posebridge.from_numpy(rng.uniform(0, 9, (4, 3, 2, 1)))  # id_0: nothing lost
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        posebridge.save(unnamed, tmp_path / "b.csv", format="anipose")


def test_a_column_named_twice_is_refused_naming_it_as_the_file_spells_it(tmp_path):
    """The message named 'nose_x.1', pandas' renamed copy, which the file does not hold."""
    table = anipose_table(["nose", "tail"], [0, 1, 2])
    path = tmp_path / "dup.csv"
    table.assign(extra=table["nose_x"]).to_csv(path, index=False)
    text = path.read_text()
    header, rest = text.split("\n", 1)
    path.write_text(header.replace("extra", "nose_x") + "\n" + rest)
    names = header.split(",")
    expected = f"column 'nose_x' appears twice (columns {names.index('nose_x') + 1} and "
    expected += f"{len(names)})"
    for reading in (lambda: posebridge.load(path), lambda: anipose.read(path)):
        with pytest.raises(FormatError) as refused:
            reading()
        assert f"line 1: {expected}" in str(refused.value)
        assert "nose_x.1" not in str(refused.value)


def _cut_in_last_fnum(tmp_path):
    """An Anipose file of frames 100..119 whose copy stops one digit into the last cell."""
    table = anipose_table(["nose"], np.arange(100, 120))
    path = tmp_path / "cut.csv"
    table.to_csv(path, index=False)  # the call Anipose's writer makes: the file ends "...,119\n"
    text = path.read_bytes()
    assert text.endswith(b",119\n")
    path.write_bytes(text[:-3])  # "...,1": frame 119 read as frame 1
    return path


@pytest.mark.parametrize("opening", ["load", "open_dataset"])
def test_a_copy_cut_inside_its_last_frame_number_is_warned_about(tmp_path, opening):
    path = _cut_in_last_fnum(tmp_path)
    with pytest.warns(UserWarning, match=r"cut\.csv: its last line has no line end"):
        ds = getattr(posebridge, opening)(path)
    assert 1 in ds.time.values.tolist()  # read as it is, with the warning


def test_a_streamed_conversion_of_a_cut_copy_is_warned_about(tmp_path):
    path = _cut_in_last_fnum(tmp_path)
    with pytest.warns(UserWarning, match=r"cut\.csv: its last line has no line end"):
        posebridge.convert(path, tmp_path / "out.nc", chunk_frames=7)


@pytest.mark.parametrize("ending", [b"\n", b"\r\n"])
def test_a_file_ending_its_last_line_reads_without_a_line_end_warning(tmp_path, ending):
    table = anipose_table(["nose"], np.arange(3))
    path = tmp_path / "whole.csv"
    path.write_bytes(table.to_csv(index=False).encode().replace(b"\n", ending))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ds = posebridge.load(path)
    assert ds.time.values.tolist() == [0, 1, 2]


def test_a_header_without_a_line_end_is_no_cut_row(tmp_path):
    path = tmp_path / "header.csv"
    path.write_bytes(",".join(anipose_table(["nose"], [0]).columns).encode())
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ds = posebridge.load(path, format="anipose")
    assert ds.sizes["time"] == 0


def test_a_per_keypoint_variable_it_has_no_column_for_is_warned_as_not_written(tmp_path):
    """An Anipose file holds a point's score, reprojection error and camera count: another
    per-keypoint variable (an EKS variance, a user's error) is not written, and is named in
    a warning on the file, as DeepLabCut's and SLEAP's writers name it (h118 finding 5)."""
    rng = np.random.default_rng(0)
    ds = posebridge.from_numpy(rng.random((5, 3, 2, 1)), rng.random((5, 2, 1)))
    ds["reprojection_error"] = (("time", "keypoint", "individual"), rng.random((5, 2, 1)))
    ds["smoothed_error"] = (("time", "keypoint", "individual"), rng.random((5, 2, 1)))
    path = tmp_path / "points.csv"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        anipose.write(ds, path)
    said = [str(w.message) for w in caught if "smoothed_error" in str(w.message)]
    assert len(said) == 1 and said[0].startswith(f"{path}:")
    assert not [w for w in caught if "reprojection_error" in str(w.message)]  # it is kept
    back = anipose.read(path)
    assert "smoothed_error" not in back and "reprojection_error" in back


@pytest.mark.parametrize("opening", ["load", "open_dataset"])
@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a_x,a_y,a_z,a_error,fnum\nTrue,2,3,0.5,0\nTrue,2,3,0.5,1\n", "line 2: column 'a_x'"),
        ("a_x,a_y,a_z,a_ncams,fnum\n1,2,3,False,0\n", "line 2: column 'a_ncams' holds False"),
        (
            "a_x,a_y,a_z,center_0,center_1,center_2,fnum\n1,2,3,TRUE,0,0,0\n",
            "line 2: column 'center_0' holds True",
        ),
    ],
)
def test_a_column_of_true_and_false_is_refused_not_read_as_one_and_zero(
    tmp_path, opening, text, message
):
    """pandas parses a column holding only True/False as booleans; they were read as 1/0."""
    path = _write(tmp_path, text)
    with pytest.raises(FormatError, match=message) as error:
        getattr(posebridge, opening)(path, format="anipose").load()
    assert str(path) in str(error.value)


@pytest.mark.parametrize(
    ("column", "values", "shown"),
    [
        ("fnum", pd.to_datetime(["2024-01-01"]), "2024-01-01"),
        ("a_x", [1 + 2j], r"\(1\+2j\)"),
        ("a_y", [True], "True"),
        ("a_z", pd.to_timedelta(["1s"]), "0 days 00:00:01"),
        ("a_x", np.array([False], dtype=object), "False"),
    ],
)
def test_a_dataframe_column_of_no_real_numbers_is_refused_naming_it(column, values, shown):
    """Dates, durations and complex numbers were turned into numbers by pd.to_numeric."""
    df = pd.DataFrame({"a_x": [1.0], "a_y": [2.0], "a_z": [3.0], "fnum": [0]})
    df[column] = values
    with pytest.raises(FormatError, match=f"column '{column}' holds {shown}"):
        anipose.dataset_from_dataframe(df)


def test_a_dataframe_of_text_and_nullable_numbers_is_read():
    df = pd.DataFrame(
        {
            "a_x": pd.array([1, None], dtype="Int64"),
            "a_y": np.array([" 2.5", ""], dtype=object),
            "a_z": [3.0, 4.0],
        }
    )
    ds = anipose.dataset_from_dataframe(df)
    np.testing.assert_array_equal(
        ds.position.values[:, :, 0, 0], [[1.0, 2.5, 3.0], [np.nan, np.nan, 4.0]]
    )


@pytest.mark.parametrize(
    ("attr", "value"),
    [
        ("anipose_alignment_center", [np.nan, 0.0, 0.0]),
        ("anipose_alignment_matrix", [[1, 0, 0], [0, np.inf, 0], [0, 0, 1]]),
    ],
)
def test_write_refuses_an_alignment_that_is_not_finite(tmp_path, attr, value):
    """A NaN center was written as empty cells, which the reader then refused."""
    ds = model.from_numpy(np.random.default_rng(0).random((2, 3, 1, 1)))
    ds.attrs[attr] = value
    with pytest.raises(SchemaError, match=f"attrs\\['{attr}'\\] holds (nan|inf)"):
        posebridge.save(ds, tmp_path / "out.csv", format="anipose")
    assert not (tmp_path / "out.csv").exists()


@pytest.mark.parametrize("opening", ["load", "open_dataset"])
@pytest.mark.parametrize("bad_row", [0, 1500])
def test_a_row_with_part_of_its_alignment_empty_is_refused_naming_line_and_column(
    tmp_path, opening, bad_row
):
    """A partly empty first row was said to differ from the first row's."""
    table = anipose_table(["a"], list(range(2000)))
    table.loc[bad_row, "center_1"] = np.nan
    path = tmp_path / "partial.csv"
    table.to_csv(path, index=False)
    with pytest.raises(
        FormatError, match=f"line {bad_row + 2}: the alignment column\\(s\\) center_1 are empty"
    ) as error:
        getattr(posebridge, opening)(path, format="anipose").load()
    assert str(path) in str(error.value)


def test_the_individual_advice_is_given_with_the_command_lines_flags(tmp_path):
    """On the command line the writer said ``pass individual='<name>'``."""
    from click.testing import CliRunner

    from posebridge.cli import cli

    two = tmp_path / "two.nc"
    posebridge.save(model.from_numpy(np.zeros((2, 3, 1, 2)), individual_names=["m", "r"]), two)

    def said(*options: str) -> str:
        result = CliRunner().invoke(
            cli, ["convert", str(two), str(tmp_path / "o.csv"), "--to", "anipose", *options]
        )
        assert result.exit_code != 0, result.output
        return " ".join(result.output.split())

    text = said()
    assert "pass --option individual=NAME to write one of them" in text, text
    text = said("--option", "individual=big cow")
    assert "--option 'individual=big cow' names no individual of the dataset" in text, text


@pytest.mark.parametrize(
    ("header", "said"),
    [
        (
            "a_x,a_y,a_z,a_error,fnum,",
            r"an unnamed last column, cell 6 of the header \(a trailing",
        ),
        ("a_x,a_y,,a_z,fnum", r"an unnamed column, cell 3 of the header\]"),
    ],
)
def test_an_empty_header_cell_is_told_by_its_place_not_by_pandas_name(tmp_path, header, said):
    """A trailing comma was refused as 'Unnamed: 5' (pandas' name, not in the file) with a
    hint about an index column."""
    cells = header.count(",") + 1
    path = _write(tmp_path, header + "\n" + ",".join(["1"] * cells) + "\n")
    with pytest.raises(FormatError, match=said) as error:
        posebridge.load(path, format="anipose")
    assert "Unnamed" not in str(error.value)


def test_times_of_a_session_clock_are_warned_as_not_kept(tmp_path):
    """Anipose's fnum is a frame number per row: time in seconds off the frame / fps grid
    reads back in frames, which the writer says, as DeepLabCut's and SLEAP's writers say
    (h172 finding 1); times that are frame / fps say nothing."""
    rng = np.random.default_rng(0)
    ds = posebridge.from_numpy(rng.random((3, 3, 2, 1)), rng.random((3, 2, 1)), fps=30)
    session = ds.assign_coords(time=[10.01, 10.04, 10.08])  # frame coord 0, 1, 2
    path = tmp_path / "s.csv"
    with pytest.warns(UserWarning, match=r"s\.csv: the dataset's time in seconds is not kept"):
        posebridge.save(session, path, format="anipose")
    assert posebridge.load(path).time.values.tolist() == [0, 1, 2]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        posebridge.save(ds, tmp_path / "grid.csv", format="anipose")  # frame / fps


def _saved_with_an_index(table: pd.DataFrame, path, how: str):
    """``table`` as users' own post-processing saves it: pandas' ``to_csv`` with its
    default index column (an empty header cell), or read back and saved again."""
    if how == "to_csv":
        table.to_csv(path)
    else:
        table.to_csv(path)
        again = pd.read_csv(path)  # the index becomes a column named "Unnamed: 0"
        again.to_csv(path, index=how == "twice")
    return path


@pytest.mark.parametrize("how", ["to_csv", "twice", "resaved_without_index"])
def test_a_table_saved_with_an_index_column_is_detected_and_read(tmp_path, session_csv, how):
    """pandas' to_csv writes the row labels first under an empty header cell: such a file
    was refused by the reader (an unexpected column) and not detected (f158 #1)."""
    original, table, keypoints = session_csv
    path = _saved_with_an_index(table, tmp_path / "indexed.csv", how)
    leading = {"to_csv": ",nose_x,", "twice": ",Unnamed: 0,nose_x,"}
    header = path.read_text().split("\n", 1)[0]
    assert header.startswith(leading.get(how, "Unnamed: 0,nose_x,")), header
    assert posebridge.detect(path) == "anipose"
    expected = posebridge.load(original)
    for ds in (posebridge.load(path), posebridge.open_dataset(path)):
        assert ds.keypoint.values.tolist() == keypoints
        assert ds.time.values.tolist() == table["fnum"].tolist()
        for name in ("position", "confidence", "reprojection_error", "camera_count"):
            xr.testing.assert_equal(ds[name].load(), expected[name])
        assert ds.attrs["anipose_alignment_matrix"].tolist() == (
            table[TRANSFORM[:9]].iloc[0].tolist()
        )


def test_the_command_line_info_recognises_a_table_saved_with_an_index(tmp_path, session_csv):
    from click.testing import CliRunner

    from posebridge.cli import cli

    path = _saved_with_an_index(session_csv[1], tmp_path / "indexed.csv", "to_csv")
    shown = CliRunner().invoke(cli, ["info", str(path)])
    assert shown.exit_code == 0, shown.output
    assert "anipose (Anipose)" in shown.output
    assert "4 keypoints x (x, y, z, error, ncams, score)" in shown.output


@pytest.mark.parametrize("opening", ["load", "open_dataset"])
@pytest.mark.parametrize(
    ("cell", "shown"), [("a", "'a'"), ("", "an empty cell"), ("1.5", "1.5"), ("True", "'True'")]
)
def test_an_unnamed_first_column_of_no_row_numbers_is_refused_naming_its_line(
    tmp_path, opening, cell, shown
):
    """Only a column of whole numbers is taken for an index column and left out; another
    is a column of values whose name is lost, refused naming the line."""
    path = _write(tmp_path, f",a_x,a_y,a_z,a_error,fnum\n0,1,2,3,0.1,0\n{cell},1,2,3,0.1,1\n")
    assert posebridge.detect(path) == "anipose"
    with pytest.raises(FormatError, match=f"line 3: the column of cell 1 .* holds {shown};"):
        getattr(posebridge, opening)(path).load()


def test_a_dataframe_with_an_index_column_reads_without_a_warning():
    """A table read with pd.read_csv from a to_csv file starts with "Unnamed: 0" (the row
    labels): left out, not warned about as a column that is not Anipose's."""
    df = pd.DataFrame({"Unnamed: 0": [0, 1], "a_x": [1.0, 2.0], "a_y": [3.0, 4.0]})
    df["a_z"], df["fnum"] = [5.0, 6.0], [4, 9]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for unknown_columns in ("refuse", "ignore"):
            ds = anipose.dataset_from_dataframe(df, unknown_columns=unknown_columns)
            assert ds.time.values.tolist() == [4, 9]
            assert ds.position.sel(keypoint="a").values[:, :, 0].tolist() == [
                [1.0, 3.0, 5.0],
                [2.0, 4.0, 6.0],
            ]


@pytest.mark.parametrize(
    ("start", "line_end"), [(b"\xef\xbb\xbf", b"\n"), (b"", b"\r\n"), (b"\xef\xbb\xbf", b"\r\n")]
)
def test_an_index_column_after_a_bom_or_with_crlf_line_ends_is_read(
    tmp_path, session_csv, start, line_end
):
    """A spreadsheet's or Windows' copy of a to_csv file: the empty first header cell
    follows the BOM, and lines end in CRLF; detected and read eagerly and lazily alike."""
    original, table, _ = session_csv
    text = _saved_with_an_index(table, tmp_path / "plain.csv", "to_csv").read_bytes()
    path = tmp_path / "copy.csv"
    path.write_bytes(start + text.replace(b"\n", line_end))
    assert posebridge.detect(path) == "anipose"
    expected = posebridge.load(original)
    for ds in (posebridge.load(path), posebridge.open_dataset(path)):
        xr.testing.assert_equal(ds.position.load(), expected.position)
        assert ds.time.values.tolist() == table["fnum"].tolist()


@pytest.mark.parametrize(
    ("values", "shown"),
    [([0, np.nan], "row 1: column 'Unnamed: 0' holds an empty cell"), ([0, 2.5], "holds 2.5")],
)
def test_a_dataframe_index_column_of_no_row_numbers_is_refused_naming_it(values, shown):
    df = pd.DataFrame({"Unnamed: 0": values, "a_x": [1.0, 2.0], "a_y": [3.0, 4.0]})
    df["a_z"] = [5.0, 6.0]
    with pytest.raises(FormatError, match=shown):
        anipose.dataset_from_dataframe(df, unknown_columns="refuse")


@pytest.mark.parametrize("values", [[0, np.nan], [0.0, 1 / 30], ["a", "b"], [4, 4], [-1, 0]])
def test_a_dataframe_index_column_of_no_frame_numbers_is_left_out_when_unknowns_are(values):
    """f159: unknown_columns="ignore" (movement's from_anipose_style_df, which ignores such
    a column) refused an 'Unnamed: 0' of no whole numbers since f158; before, it was left
    out with the warning for columns that are not Anipose's, as other unknown columns are.
    So is one of whole numbers that cannot be the frame numbers (repeated, negative)."""
    df = pd.DataFrame({"Unnamed: 0": values, "a_x": [1.0, 2.0], "a_y": [3.0, 4.0]})
    df["a_z"] = [5.0, 6.0]
    with pytest.warns(UserWarning, match=r"\['Unnamed: 0'\] are not Anipose's and are left out"):
        ds = anipose.dataset_from_dataframe(df, unknown_columns="ignore")
    assert ds.time.values.tolist() == [0, 1]  # the rows: no frame numbers given
    assert ds.position.sel(keypoint="a").values[:, :, 0].tolist() == [
        [1.0, 3.0, 5.0],
        [2.0, 4.0, 6.0],
    ]


def _filtered_without_fnum(n: int = 40) -> tuple[pd.DataFrame, pd.DataFrame]:
    """An Anipose table without fnum, and its rows kept by a filter in pandas (the rows'
    labels, 0..n-1 in the table, are the frame numbers)."""
    table = anipose_table(["nose", "tail"], np.arange(n), seed=4).drop(columns="fnum")
    kept = table[(table.index % 3 != 1) & (table.index != 20)]
    assert not np.array_equal(kept.index, np.arange(len(kept)))  # gaps: 0, 2, 3, 5, ...
    return table, kept


def _frames_and_positions(ds: xr.Dataset) -> tuple[list, np.ndarray]:
    ds = ds.load()
    return ds.time.values.tolist(), ds.position.values[:, :, :, 0]


@pytest.mark.parametrize("how", ["to_csv", "twice"])
def test_a_table_without_fnum_saved_with_its_index_keeps_its_frame_numbers(tmp_path, how):
    """f159: the index of a table without fnum, filtered in pandas and saved with
    to_csv() (its default index=True), is its frame numbers; it was dropped and the rows
    numbered 0, 1, 2, ...: every pose after a gap at another frame, without a word.
    "twice": read back and saved again with an index (the first index is 'Unnamed: 0',
    the frame numbers; the new one is the row numbers); eagerly, lazily and streamed."""
    table, kept = _filtered_without_fnum()
    path = tmp_path / "kept.csv"
    kept.to_csv(path)
    if how == "twice":
        pd.read_csv(path).to_csv(path)
        assert path.read_text().startswith(",Unnamed: 0,nose_x,")
    frames = kept.index.tolist()
    xyz = [f"{kp}_{axis}" for kp in ("nose", "tail") for axis in "xyz"]
    expected = table.loc[frames, xyz].to_numpy().reshape(len(frames), 2, 3).transpose(0, 2, 1)
    out = tmp_path / "out.nc"
    posebridge.convert(path, out, chunk_frames=7)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for ds in (posebridge.load(path), posebridge.open_dataset(path), posebridge.load(out)):
            times, position = _frames_and_positions(ds)
            assert times == frames
            np.testing.assert_array_equal(position, expected)
    assert posebridge.open_dataset(path).position.chunks is not None  # read lazily


def test_an_index_out_of_order_without_fnum_gives_the_frames_of_its_rows(tmp_path):
    """Rows in another order than their frames (a table sorted by a column, then saved):
    each row at its index's frame, as rows are at their fnum."""
    table, _ = _filtered_without_fnum(6)
    shuffled = table.iloc[[3, 0, 5, 1]]
    shuffled.to_csv(tmp_path / "shuffled.csv")
    for ds in (
        posebridge.load(tmp_path / "shuffled.csv"),
        posebridge.open_dataset(tmp_path / "shuffled.csv"),
    ):
        assert ds.time.values.tolist() == [0, 1, 3, 5]
        np.testing.assert_array_equal(
            ds.position.sel(keypoint="nose", space="x", individual="id_0"),
            table["nose_x"].iloc[[0, 1, 3, 5]],
        )


@pytest.mark.parametrize("opening", ["load", "open_dataset", "convert"])
@pytest.mark.parametrize(
    ("labels", "said"),
    [
        ([0, 2, 2, 5], r"line 4: frame 2 \(the index column in cell 1, taken for the frame "
         r"numbers as there is no fnum\) appears twice"),
        ([-1, 0, 1, 2], r"line 2: the index column in cell 1, taken for the frame numbers as "
         r"there is no fnum, is -1, expected a whole frame number from 0"),
    ],
)  # fmt: skip
def test_an_index_without_fnum_that_is_no_frame_numbers_is_refused_naming_the_line(
    tmp_path, opening, labels, said
):
    table, _ = _filtered_without_fnum(4)
    path = tmp_path / "bad.csv"
    table.set_axis(labels).to_csv(path)
    with pytest.raises(FormatError, match=said + r".*add an fnum column, or save the table"):
        if opening == "convert":
            posebridge.convert(path, tmp_path / "out.nc", chunk_frames=2)
        else:
            getattr(posebridge, opening)(path).load()
    assert not (tmp_path / "out.nc").exists()


def test_with_fnum_the_index_is_row_labels_whatever_it_holds(tmp_path):
    """fnum is Anipose's frame number: an index beside it (here another numbering) is
    left out without a word, not compared."""
    table = anipose_table(["nose"], [10, 11, 15])
    table.set_axis([0, 2, 7]).to_csv(tmp_path / "indexed.csv")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for ds in (
            posebridge.load(tmp_path / "indexed.csv"),
            posebridge.open_dataset(tmp_path / "indexed.csv"),
        ):
            assert ds.time.values.tolist() == [10, 11, 15]


def test_a_dataframe_without_fnum_takes_its_index_column_for_the_frames():
    df = pd.DataFrame({"Unnamed: 0": [3, 8], "a_x": [1.0, 2.0], "a_y": [3.0, 4.0]})
    df["a_z"] = [5.0, 6.0]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for unknown_columns in ("refuse", "ignore"):
            ds = anipose.dataset_from_dataframe(df, unknown_columns=unknown_columns)
            assert ds.time.values.tolist() == [3, 8]
