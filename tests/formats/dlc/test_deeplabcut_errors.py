"""Bad input to the DeepLabCut / LightningPose readers: a PoseBridgeError naming the file.

Empty, cut and other formats' files are in tests/test_bad_input_matrix.py.
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import h5py
import numpy as np
import pandas as pd
import pytest

import posebridge
from posebridge._files import Peek
from posebridge.errors import FormatError, PoseBridgeError, SchemaError
from posebridge.formats import dlc as deeplabcut

READERS = [deeplabcut.read, deeplabcut.read_lp]


@pytest.fixture
def dlc_csv(tmp_path: Path) -> Path:
    """A valid single-animal DLC CSV of 50 frames."""
    columns = pd.MultiIndex.from_product(
        [["DLC_net"], ["nose", "tail"], ["x", "y", "likelihood"]],
        names=["scorer", "bodyparts", "coords"],
    )
    df = pd.DataFrame(np.random.default_rng(0).uniform(size=(50, 6)), columns=columns)
    path = tmp_path / "video1DLC_net.csv"
    df.to_csv(path)
    return path


@pytest.fixture
def sleap_analysis_h5(tmp_path: Path) -> Path:
    """A SLEAP analysis file: datasets, no pandas group."""
    path = tmp_path / "labels.analysis.h5"
    with h5py.File(path, "w") as h5:
        h5["tracks"] = np.zeros((1, 2, 3, 10))
        h5["node_names"] = np.array([b"a", b"b", b"c"])
        h5["track_names"] = np.array([b"t0"])
    return path


def _large_dlc_csv(tmp_path: Path, seed: int) -> Path:
    """A DLC CSV of 12,000 frames x 8 bodyparts (about 6 MB: read in parallel byte ranges)."""
    columns = pd.MultiIndex.from_product(
        [["DLC_net"], [f"p{i}" for i in range(8)], ["x", "y", "likelihood"]],
        names=["scorer", "bodyparts", "coords"],
    )
    df = pd.DataFrame(np.random.default_rng(seed).uniform(size=(12_000, 24)), columns=columns)
    path = tmp_path / "large.csv"
    df.to_csv(path)
    return path


def _check(reader, path: Path, match: str | None = None) -> None:
    with pytest.raises(PoseBridgeError, match=match) as caught:
        reader(path)
    assert str(path) in str(caught.value)


@pytest.mark.parametrize("reader", READERS)
def test_truncated_csv(tmp_path: Path, dlc_csv: Path, reader) -> None:
    data = dlc_csv.read_bytes()
    path = tmp_path / "cut.csv"
    path.write_bytes(data[: len(data) - 40])  # cut inside the last row
    _check(reader, path, "truncated")


@pytest.mark.parametrize("reader", READERS)
def test_csv_cut_inside_the_header(tmp_path: Path, dlc_csv: Path, reader) -> None:
    path = tmp_path / "cut.csv"
    path.write_bytes(dlc_csv.read_bytes()[:50])
    _check(reader, path, "header")


@pytest.mark.parametrize(
    ("header", "match"),
    [
        ("scorer,a,a\ncoords,x,y\nbodyparts,p,p\n0,1,2\n", "no 'bodyparts' line"),
        ("scorer,a,a\nbodyparts,p,p\n0,1,2\n", "expected the lines"),
        ("scorer,a,a\nindividuals,m,m\nbodyparts,p,p\n0,1,2\n", "expected the lines"),
        ("scorer,a,a,a\nbodyparts,p,p\ncoords,x,y,likelihood\n0,1,2,3\n", "cells"),
        ("scorer,a,a\nbodyparts,p,p\ncoords,x,z\n0,1,2\n", "no 'y' coordinate"),
        ("scorer,a,a\nbodyparts,p,\ncoords,x,y\n0,1,2\n", "empty level label"),
        ("scorer,a,a,a\nbodyparts,p,p,p\ncoords,x,y,x\n0,1,2,3\n", "repeated"),
        ("scorer,,\nbodyparts,p,p\ncoords,x,y\n0,1,2\n", "names no scorer"),
    ],
)
def test_malformed_csv_header(tmp_path: Path, header: str, match: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(header)
    _check(deeplabcut.read, path, match)


def test_non_numeric_cell(tmp_path: Path, dlc_csv: Path) -> None:
    lines = dlc_csv.read_text().splitlines()
    lines[5] = lines[5].split(",", 2)[0] + ",oops," + lines[5].split(",", 2)[2]
    path = tmp_path / "text.csv"
    path.write_text("\n".join(lines) + "\n")
    # the file's 6th line, its 2nd column (nose's x)
    _check(deeplabcut.read, path, r"line 6, column 2 \(DLC_net, nose, x\): .*found 'oops'")


def test_row_with_too_many_cells(tmp_path: Path, dlc_csv: Path) -> None:
    lines = dlc_csv.read_text().splitlines()
    lines[10] += ",1.5"
    path = tmp_path / "wide.csv"
    path.write_text("\n".join(lines) + "\n")
    _check(deeplabcut.read, path, r"line 11: 8 cells where the header has 7\.")


@pytest.mark.parametrize("extra", [",1.5", ","])
def test_a_first_data_row_with_too_many_cells_is_refused_naming_its_line(
    tmp_path: Path, dlc_csv: Path, extra: str
) -> None:
    """pandas drops the extra cells of the first row it parses, with only a warning."""
    lines = dlc_csv.read_text().splitlines()
    lines[3] += extra  # the first row after the three header lines
    path = tmp_path / "wide.csv"
    path.write_text("\n".join(lines) + "\n")
    _check(deeplabcut.read, path, r"line 4: 8 cells where the header has 7\.")


def test_a_wide_row_where_a_parallel_range_starts_is_refused(tmp_path: Path) -> None:
    """Large files are parsed in byte ranges: each range's first row is a first row."""
    from posebridge.formats.dlc import csv as dlc_csv_module

    path = _large_dlc_csv(tmp_path, seed=1)
    start = dlc_csv_module._data_start(path, 3)
    first, _, _ = dlc_csv_module._split(path, start, path.stat().st_size, 2)[1]
    data = path.read_bytes()
    end = data.index(b"\n", first)
    path.write_bytes(data[:end] + b",7.5" + data[end:])
    line = data[:end].count(b"\n") + 1
    _check(deeplabcut.read, path, rf"line {line}: 26 cells where the header has 25\.")


@pytest.mark.parametrize("reader", READERS)
@pytest.mark.parametrize("dropped", [1, 3, 6], ids=["first-number", "middle", "last"])
def test_a_row_missing_a_cell_is_refused_naming_its_line(
    tmp_path: Path, dlc_csv: Path, reader, dropped: int
) -> None:
    """pandas pads a short row with NaN: every value after the gap would shift a column."""
    lines = dlc_csv.read_text().splitlines()
    cells = lines[20].split(",")
    del cells[dropped]
    lines[20] = ",".join(cells)
    path = tmp_path / "short.csv"
    path.write_text("\n".join(lines) + "\n")
    _check(reader, path, r"line 21: 6 cells where the header has 7\.")


@pytest.mark.parametrize("reader", READERS)
def test_a_repeated_frame_is_refused_naming_the_frame_and_its_rows(
    tmp_path: Path, dlc_csv: Path, reader
) -> None:
    lines = dlc_csv.read_text().splitlines()
    lines.insert(3 + 20, lines[3 + 20])  # frame 20's row twice
    path = tmp_path / "twice.csv"
    path.write_text("\n".join(lines) + "\n")
    _check(reader, path, r"repeats frame 20 \(data rows 21 and 22, counting from 1")


def test_a_short_labelled_row_is_found_past_quoted_commas(tmp_path: Path) -> None:
    """Image paths holding commas are quoted: those commas are no separators."""
    columns = pd.MultiIndex.from_product(
        [["me"], ["nose", "tail"], ["x", "y"]], names=["scorer", "bodyparts", "coords"]
    )
    index = [f"labeled-data/v,{i}/img{i:03d}.png" for i in range(6)]
    values = np.arange(24, dtype=float).reshape(6, 4)
    values[:, 3] = np.nan  # empty last cells: the rows are counted
    df = pd.DataFrame(values, index=index, columns=columns)
    path = tmp_path / "CollectedData_me.csv"
    df.to_csv(path)
    assert deeplabcut.read(path).position.shape[0] == 6  # every row whole: read
    lines = path.read_text().splitlines()
    lines[6] = lines[6].rsplit(",", 1)[0]  # the fourth image's row loses its last cell
    path.write_text("\n".join(lines) + "\n")
    _check(deeplabcut.read, path, r"line 7: 4 cells where the header has 5\.")


def test_a_short_row_in_a_large_file_is_refused(tmp_path: Path) -> None:
    """Large files are parsed in byte ranges (threads) or in one pass: both are checked."""
    path = _large_dlc_csv(tmp_path, seed=2)
    lines = path.read_bytes().split(b"\n")
    cells = lines[9000].split(b",")
    del cells[5]
    lines[9000] = b",".join(cells)
    path.write_bytes(b"\n".join(lines))
    _check(deeplabcut.read, path, r"line 9001: 24 cells where the header has 25\.")


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin.csv"
    path.write_bytes(b"scorer,\xe9\xe9\nbodyparts,p\ncoords,x\n")
    _check(deeplabcut.read, path, "UTF-8")


def test_pandas_h5_without_dlc_columns(tmp_path: Path) -> None:
    path = tmp_path / "plain.h5"
    pd.DataFrame({"a": [1.0, 2.0]}).to_hdf(path, key="df_with_missing", format="table")
    assert not deeplabcut.sniff(Peek(path))
    _check(deeplabcut.read, path)


def test_fixed_h5_with_pickled_object_column(tmp_path: Path) -> None:
    columns = pd.MultiIndex.from_tuples(
        [("s", "p", "x"), ("s", "p", "y")], names=["scorer", "bodyparts", "coords"]
    )
    df = pd.DataFrame([[1.0, "a"]], columns=columns).astype({("s", "p", "y"): object})
    path = tmp_path / "objects.h5"
    df.to_hdf(path, key="df_with_missing", format="fixed")
    with pytest.raises(FormatError) as caught:
        deeplabcut.read(path)
    assert str(path) in str(caught.value)


@pytest.mark.parametrize("member", ["axis0_level1", "axis0_label1", "axis1"])
def test_fixed_h5_with_an_axis_that_is_not_a_list_names_it(tmp_path: Path, member: str) -> None:
    """Found by fuzzing: a scalar level raised a raw IndexError from the level[codes] step."""
    import h5py

    columns = pd.MultiIndex.from_tuples(
        [("s", "p", "x"), ("s", "p", "y")], names=["scorer", "bodyparts", "coords"]
    )
    path = tmp_path / "fixed.h5"
    pd.DataFrame([[1.0, 2.0]], columns=columns).to_hdf(path, key="df_with_missing", format="fixed")
    with h5py.File(path, "r+") as h5:
        group = h5["df_with_missing"]
        attrs = dict(group[member].attrs)
        del group[member]
        group[member] = np.int64(0)
        group[member].attrs.update(attrs)
    with pytest.raises(FormatError, match=rf"fixed\.h5: .*'{member}' of shape \(\)"):
        deeplabcut.read(path)


def test_fixed_h5_with_index_levels_of_different_lengths_names_them(tmp_path: Path) -> None:
    """Found by fuzzing: a longer codes array raised a raw numpy broadcast ValueError."""
    import h5py

    columns = pd.MultiIndex.from_tuples(
        [("s", "p", "x"), ("s", "p", "y")], names=["scorer", "bodyparts", "coords"]
    )
    index = pd.MultiIndex.from_tuples([("labeled-data", "a.png"), ("labeled-data", "b.png")])
    path = tmp_path / "fixed.h5"
    frame = pd.DataFrame([[1.0, 2.0], [3.0, 4.0]], columns=columns, index=index)
    frame.to_hdf(path, key="df_with_missing", format="fixed")
    with h5py.File(path, "r+") as h5:
        group = h5["df_with_missing"]
        codes = group["axis1_label1"][()]
        del group["axis1_label1"]
        group["axis1_label1"] = np.concatenate([codes, codes])
    with pytest.raises(FormatError, match=r"fixed\.h5: .*levels of different lengths in 'axis1'"):
        deeplabcut.read(path)


@pytest.mark.parametrize(
    ("key", "count", "match"),
    [
        ("axis0", 2**49 + 4, r"axis 'axis0' has 562949953421316 levels but holds"),
        ("axis1", 2**40, r"axis 'axis1' has 1099511627776 levels but holds"),
        ("axis0", -1, r"axis 'axis0' has -1 levels"),
        ("axis0", 2.5, r"'axis0_nlevels' attribute is 2\.5; expected one whole number"),
    ],
)
def test_fixed_h5_with_a_level_count_beyond_its_members_is_refused(
    tmp_path: Path, key: str, count: float, match: str
) -> None:
    """Found by fuzzing (seed 2043): a flipped bit made a count of 2**49, a loop of hours."""
    import h5py

    columns = pd.MultiIndex.from_product(
        [["s"], ["p"], ["x", "y"]], names=["scorer", "bodyparts", "coords"]
    )
    path = tmp_path / "fixed.h5"
    index = pd.MultiIndex.from_tuples([("labeled-data", "a.png"), ("labeled-data", "b.png")])
    frame = pd.DataFrame([[1.0, 2.0], [3.0, 4.0]], columns=columns, index=index)
    frame.to_hdf(path, key="df_with_missing", format="fixed")
    with h5py.File(path, "r+") as h5:
        h5["df_with_missing"].attrs[f"{key}_nlevels"] = count
    with pytest.raises(FormatError, match=match) as caught:
        deeplabcut.read(path)
    assert str(path) in str(caught.value)


def test_key_option_on_csv(dlc_csv: Path) -> None:
    with pytest.raises(PoseBridgeError, match="key="):
        deeplabcut.read(dlc_csv, key="tracks")


def test_lp_reader_refuses_several_animals(tmp_path: Path) -> None:
    columns = pd.MultiIndex.from_product(
        [["heatmap_tracker"], ["a", "b"], ["nose"], ["x", "y", "likelihood"]],
        names=["scorer", "individuals", "bodyparts", "coords"],
    )
    path = tmp_path / "two.csv"
    pd.DataFrame(np.ones((2, 6)), columns=columns).to_csv(path)
    _check(deeplabcut.read_lp, path, "one animal")


def test_sniff_rejects_other_hdf5_files(
    tmp_path: Path, sleap_analysis_h5: Path, poses_two_mice_with_nan
) -> None:
    netcdf = tmp_path / "poses.nc"
    poses_two_mice_with_nan.to_netcdf(netcdf, engine="h5netcdf")
    nwb = tmp_path / "session.nwb"
    with h5py.File(nwb, "w") as h5:
        h5.attrs["nwb_version"] = "2.8.0"
        h5.create_group("processing/behavior/PoseEstimation")
    slp = tmp_path / "labels.slp"
    with h5py.File(slp, "w") as h5:
        h5.create_group("metadata").attrs["format_id"] = 1.2
        h5["pred_points"] = np.zeros(3)
    for path in (netcdf, nwb, slp, sleap_analysis_h5):
        assert not deeplabcut.sniff(Peek(path))
        assert not deeplabcut.sniff_lp(Peek(path))
        _check(deeplabcut.read, path)


@pytest.mark.parametrize("suffix", [".csv", ".h5"])
@pytest.mark.parametrize("dim", ["keypoint", "individual"])
def test_a_name_dlc_reads_as_a_missing_label_is_refused_before_writing(
    tmp_path: Path, poses_two_mice_with_nan, suffix: str, dim: str
) -> None:
    names = poses_two_mice_with_nan[dim].values.tolist()
    ds = poses_two_mice_with_nan.assign_coords({dim: ["nan", *names[1:]]})
    with pytest.raises(SchemaError, match=f"{dim} name 'nan' is read back .* as a missing"):
        posebridge.save(ds, tmp_path / f"outDLC{suffix}", format="dlc")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("layout", ["table", "fixed"])
def test_an_unknown_declared_encoding_is_a_format_error(tmp_path: Path, layout: str) -> None:
    """A damaged ``encoding`` attribute (found by fuzzing: 'UTF-8' -> 'UTF-0')."""
    columns = pd.MultiIndex.from_product(
        [["DLC_net"], ["nose"], ["x", "y", "likelihood"]],
        names=["scorer", "bodyparts", "coords"],
    )
    path = tmp_path / f"video1DLC_{layout}.h5"
    pd.DataFrame(np.ones((3, 3)), columns=columns).to_hdf(
        path, key="df_with_missing", format=layout
    )
    with h5py.File(path, "r+") as h5:
        h5["df_with_missing"].attrs["encoding"] = b"UTF-0"
    for read in (posebridge.load, posebridge.open_dataset):
        with pytest.raises(FormatError, match="unknown text encoding 'UTF-0'") as caught:
            read(path)
        assert str(caught.value).startswith(f"{path}: the pandas group")  # named once


@pytest.mark.parametrize("suffix", [".csv", ".h5"])
@pytest.mark.parametrize(("dropped", "lacking"), [(["x"], "x"), (["x", "y"], "x/y")])
def test_a_bodypart_without_all_its_coordinates_is_refused(
    tmp_path: Path, dlc_csv: Path, suffix: str, dropped: list[str], lacking: str
) -> None:
    """Found by fuzzing the column index: a bodypart without x read as half a point (x NaN)."""
    frame = pd.read_csv(dlc_csv, header=[0, 1, 2], index_col=0)
    frame = frame.drop(columns=[("DLC_net", "tail", coord) for coord in dropped])
    path = tmp_path / f"cutDLC_net{suffix}"
    if suffix == ".csv":
        frame.to_csv(path)
    else:
        frame.to_hdf(path, key="df_with_missing", format="table")
    with pytest.raises(FormatError, match=rf"bodypart 'tail' of .* has no {lacking} column") as e:
        posebridge.load(path)
    assert path.name in str(e.value)


def test_a_key_that_is_not_a_name_is_refused(tmp_path: Path, dlc_csv: Path) -> None:
    """deeplabcut.read called directly (posebridge.load checks the option's kind first)."""
    path = tmp_path / "v.h5"
    pd.read_csv(dlc_csv, header=[0, 1, 2], index_col=0).to_hdf(path, key="df_with_missing")
    with pytest.raises(PoseBridgeError, match="key= is the name of a DataFrame"):
        deeplabcut.read(path, key=5)


@pytest.mark.parametrize("reader", READERS)
def test_a_frame_index_past_int64_is_refused(tmp_path: Path, dlc_csv: Path, reader) -> None:
    """Was "posebridge failed ... (OverflowError)", reported as a bug of ours."""
    lines = dlc_csv.read_text().splitlines()
    lines[5] = "99999999999999999999," + lines[5].split(",", 1)[1]
    path = tmp_path / "huge_index.csv"
    path.write_text("\n".join(lines) + "\n")
    _check(reader, path, "frame number too large for int64")


@pytest.mark.parametrize("suffix", [".csv", ".h5"])
@pytest.mark.parametrize(
    ("scorer", "error", "message"),
    [
        ("a\nb", SchemaError, r"holds '\\n'"),
        ("a\rb", SchemaError, r"holds '\\r'"),
        ("", SchemaError, "scorer is empty"),
    ],
)
def test_a_scorer_the_header_cannot_hold_is_refused(tmp_path, suffix, scorer, error, message):
    """A line break split the CSV's first header row (posebridge could not read the file it
    wrote); an empty scorer was replaced by 'posebridge' without a word."""
    ds = posebridge.from_numpy(np.ones((3, 2, 2, 1)))
    with pytest.raises(error, match=message):
        posebridge.save(ds, tmp_path / f"x{suffix}", scorer=scorer)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("suffix", [".csv", ".h5"])
@pytest.mark.parametrize(
    "odd", [np.array(["DLC_a", "DLC_b"]), ["DLC_a", "DLC_b"], 7], ids=["array", "list", "int"]
)
def test_a_scorer_attribute_that_is_not_text_is_said_and_the_default_written(
    tmp_path, suffix, odd
):
    """An array raised numpy's raw ValueError ('truth value ... ambiguous'); a list (a netCDF
    file's attribute) was written as its Python text in every column."""
    ds = posebridge.from_numpy(np.ones((3, 2, 2, 1))).assign_attrs(scorer=odd)
    path = tmp_path / f"x{suffix}"
    with pytest.warns(UserWarning, match="scorer attribute is not text"):
        posebridge.save(ds, path)
    assert posebridge.load(path).attrs["scorer"] == "posebridge"


def test_individuals_level_false_is_refused_for_several_individuals(tmp_path):
    """It was ignored: the 4-level file came out anyway."""
    ds = posebridge.from_numpy(np.ones((3, 2, 2, 2)))
    with pytest.raises(PoseBridgeError, match="individuals_level=False writes 3 column levels"):
        posebridge.save(ds, tmp_path / "x.csv", individuals_level=False)
    assert list(tmp_path.iterdir()) == []
    (path,) = posebridge.save(ds.isel(individual=[0]), tmp_path / "x.csv", individuals_level=False)
    assert pd.read_csv(path, header=None, nrows=4)[0].tolist()[:3] == [
        "scorer",
        "bodyparts",
        "coords",
    ]


@pytest.mark.parametrize("spelling", ["{}.0", "{}e0", "+{}"])
def test_a_frame_index_written_as_floats_reads_as_frame_numbers(tmp_path, spelling):
    """100.0, 101.0, ... (pandas or MATLAB re-saving the file) read as image paths, the time
    the row's position: frames out of order then stayed out of order."""
    ds = posebridge.from_numpy(np.arange(24, dtype=float).reshape(3, 2, 2, 2))
    ds = ds.assign_coords(time=[100, 101, 102])
    (path,) = posebridge.save(ds, tmp_path / "v.csv", split_individuals=False)
    lines = path.read_text().splitlines()
    header, rows = lines[:4], lines[4:][::-1]  # rows reversed, index respelt
    rows = [spelling.format(r.split(",", 1)[0]) + "," + r.split(",", 1)[1] for r in rows]
    path.write_text("\n".join(header + rows) + "\n")
    back = posebridge.load(path)
    assert back.time.values.tolist() == [100, 101, 102]
    np.testing.assert_array_equal(back.position.values, ds.position.values)


def test_a_fractional_frame_index_is_refused(tmp_path):
    ds = posebridge.from_numpy(np.ones((2, 2, 1, 1)))
    (path,) = posebridge.save(ds, tmp_path / "v.csv")
    lines = path.read_text().splitlines()
    lines[-1] = "0.5" + lines[-1][1:]
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(FormatError, match="fractional, missing or too large frame numbers"):
        posebridge.load(path)


@pytest.mark.parametrize("software", ["dlc", "lp"])
def test_a_word_among_the_frame_numbers_is_refused_not_read_as_image_paths(tmp_path, software):
    """One damaged cell in the frame column read the file as indexed by image: time became
    the row positions (frames 0, 10, 20, ... read as 0, 1, 2, ...) without a word."""
    ds = posebridge.from_numpy(np.ones((6, 2, 1, 1))).assign_coords(time=np.arange(0, 60, 10))
    (path,) = posebridge.save(ds, tmp_path / "v.csv", software)
    lines = path.read_text().splitlines()
    lines[-3] = "x" + lines[-3][len("30") :]  # the frame 30 cell, data row 4
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(FormatError, match=r"v\.csv.*data row 4, 'x'"):
        posebridge.load(path)


def test_an_index_of_image_paths_still_reads_as_labels(tmp_path):
    ds = posebridge.from_numpy(np.ones((2, 2, 1, 1)))
    (path,) = posebridge.save(ds, tmp_path / "v.csv")
    lines = path.read_text().splitlines()
    lines[-2] = "labeled-data/v/img0.png" + lines[-2][1:]
    lines[-1] = "labeled-data/v/img1.png" + lines[-1][1:]
    path.write_text("\n".join(lines) + "\n")
    back = posebridge.load(path)
    assert back["image_path"].values.tolist() == [
        "labeled-data/v/img0.png",
        "labeled-data/v/img1.png",
    ]


def test_a_table_block_narrower_than_its_column_list_is_refused_as_damaged(tmp_path):
    """12 numbers per row under a header of 18 columns: a reshape failed deep inside, and
    the lazy reader called it a posebridge bug."""
    ds = posebridge.from_numpy(np.ones((10, 2, 3, 2)), np.ones((10, 3, 2)))
    (path,) = posebridge.save(ds, tmp_path / "nDLC.h5")
    with h5py.File(path, "r+") as h5:
        table = h5["df_with_missing/table"]
        rows, attrs = table[:], dict(table.attrs)
        del h5["df_with_missing/table"]
        narrow = np.zeros(len(rows), dtype=[("index", "<i8"), ("values_block_0", "<f8", (12,))])
        narrow["index"] = rows["index"]
        narrow["values_block_0"] = rows["values_block_0"][:, :12]
        h5["df_with_missing/table"] = narrow
        for key, value in attrs.items():
            h5["df_with_missing/table"].attrs[key] = value
    with pytest.raises(
        FormatError, match="holds 12 values per row.*names 18; the file is damaged"
    ):
        posebridge.load(path)
    with pytest.raises(
        FormatError, match="holds 12 values per row.*names 18; the file is damaged"
    ):
        posebridge.open_dataset(path)


def test_split_names_that_give_one_file_are_refused(tmp_path):
    """Individuals "a/b" and "a_b" were both written to out_a_b.h5, the second replacing
    the first inside one write."""
    ds = posebridge.from_numpy(np.ones((2, 2, 1, 2)), individual_names=["a/b", "a_b"])
    with pytest.raises(SchemaError, match=r"'a/b' and 'a_b' would both be written to"):
        posebridge.save(ds, tmp_path / "out.h5", format="dlc", split_individuals=True)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "pickled",
    [
        b"c__builtin__\nlist\n(c__builtin__\nrange\n(L1000000000000L\ntRtR.",  # list(range(..))
        b"c__builtin__\nbytearray\n(L1000000000000L\ntR.",  # bytearray(10**12)
    ],
    ids=["list-of-range", "bytearray"],
)
def test_a_pickled_pandas_attribute_asking_for_a_size_is_refused(tmp_path, pickled):
    """A few bytes that would make a terabyte: refused before anything is made."""
    ds = posebridge.from_numpy(np.ones((4, 2, 2, 1)), np.ones((4, 2, 1)))
    (path,) = posebridge.save(ds, tmp_path / "bombDLC.h5")
    with h5py.File(path, "r+") as h5:
        h5["df_with_missing"].attrs["non_index_axes"] = np.bytes_(pickled)
    with pytest.raises(FormatError, match=r"bombDLC\.h5: .*non_index_axes.*made from a number"):
        posebridge.load(path)


@pytest.mark.parametrize("reader", READERS)
def test_a_csv_cut_inside_its_last_cell_is_read_with_a_warning(
    tmp_path: Path, dlc_csv: Path, reader
) -> None:
    # the cell count of the last line is right, but its last value lost digits
    data = dlc_csv.read_bytes().rstrip(b"\n")
    path = tmp_path / "cut.csv"
    path.write_bytes(data[:-3])
    with pytest.warns(UserWarning, match=r"cut\.csv: its last line has no line end"):
        reader(path)
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        reader(dlc_csv)  # whole: no warning
        posebridge.open_dataset(dlc_csv)
    with pytest.warns(UserWarning, match=r"cut\.csv: its last line has no line end"):
        posebridge.open_dataset(path)  # the lazy reader, as streaming convert reads


def test_a_dlc_csv_whose_header_is_longer_than_the_detection_peek_is_detected(
    tmp_path: Path,
) -> None:
    columns = pd.MultiIndex.from_product(
        [["DLC_resnet50_openfieldAug20shuffle1_30000"], [f"animal_{i:03d}" for i in range(120)],
         [f"bodypart_{k:02d}" for k in range(12)], ["x", "y", "likelihood"]],
        names=["scorer", "individuals", "bodyparts", "coords"],
    )  # fmt: skip
    df = pd.DataFrame(np.ones((2, len(columns))), columns=columns)
    path = tmp_path / "wideDLC_net.csv"
    df.to_csv(path)
    header = path.read_bytes().split(b"\n")[:4]
    assert sum(map(len, header)) > Peek.HEAD_BYTES  # the peek holds no whole header
    assert posebridge.detect(path) == "dlc"


def test_a_streamed_h5_of_more_columns_than_hdf5_attributes_hold_is_refused_naming_the_file(
    tmp_path,
):
    """10 individuals x 100 bodyparts: PyTables' bare HDF5ExtError ('unable to create
    attribute') came out. Written chunk by chunk, the table needs pandas' table layout, whose
    attribute cannot hold that column index (in memory, the fixed layout is written:
    tests/io/test_save_poses.py)."""
    rng = np.random.default_rng(8)
    ds = posebridge.from_numpy(
        rng.random((3, 2, 100, 10)),
        rng.random((3, 100, 10)),
        keypoint_names=[f"bodypart{i}" for i in range(100)],
        individual_names=[f"mouse{i}" for i in range(10)],
    )
    given = ds.chunk({"time": 1})
    with pytest.raises(posebridge.PoseBridgeError, match=r"out\.h5: HDF5 cannot hold the col"):
        posebridge.save(given, tmp_path / "out.h5", split_individuals=False)
    assert list(tmp_path.iterdir()) == []
    (csv,) = posebridge.save(ds, tmp_path / "out.csv", split_individuals=False)
    assert posebridge.load(csv).sizes["keypoint"] == 100


def _read_csv_by(how: str, path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Read a DLC CSV by one of the reader's paths: small files whole, large ones in byte
    ranges on threads or in one pass on one core, or lazily by blocks of rows."""
    from posebridge.formats.dlc import csv as dlc_csv_module

    if how in ("threads", "one core"):
        monkeypatch.setattr(dlc_csv_module, "_PARALLEL_MIN_BYTES", 0)
        monkeypatch.setattr(dlc_csv_module, "_CHUNK_ROWS", 7)
        monkeypatch.setattr(dlc_csv_module, "usable_cores", lambda: 2 if how == "threads" else 1)
    if how == "lazy":
        posebridge.open_dataset(path, chunks=20).load()
    else:
        deeplabcut.read(path)


READ_PATHS = ["whole", "threads", "one core", "lazy"]


@pytest.mark.parametrize("how", READ_PATHS)
def test_a_column_of_true_and_false_is_refused_naming_line_and_column(
    tmp_path: Path, dlc_csv: Path, how: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """pandas reads a column of True/False cells asked for as floats as 1.0/0.0."""
    lines = dlc_csv.read_text().splitlines()  # 3 header lines, then 50 rows
    first_data_line = 4
    for i in range(first_data_line - 1, len(lines)):
        cells = lines[i].split(",")
        cells[3] = "True" if i % 2 else "False"  # nose's likelihood, the 4th column
        lines[i] = ",".join(cells)
    path = tmp_path / "flags.csv"
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(FormatError) as caught:
        _read_csv_by(how, path, monkeypatch)
    message = str(caught.value)
    assert str(path) in message
    assert f"line {first_data_line}, column 4 (DLC_net, nose, likelihood)" in message
    assert re.search(r"line \d+, column 4 .*found '(True|False)'", message)


@pytest.mark.parametrize("how", READ_PATHS)
def test_a_cell_that_is_not_a_number_is_named_by_line_and_column(
    tmp_path: Path, dlc_csv: Path, how: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    lines = dlc_csv.read_text().splitlines()
    cells = lines[29].split(",")
    cells[5] = "abc"  # tail's y: the 6th column of the 30th line
    lines[29] = ",".join(cells)
    path = tmp_path / "word.csv"
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(FormatError) as caught:
        _read_csv_by(how, path, monkeypatch)
    assert str(path) in str(caught.value)
    assert "line 30, column 6 (DLC_net, tail, y): expected a number" in str(caught.value)
    assert "found 'abc'" in str(caught.value)


def _h5_frame(index: pd.Index | None = None, n_rows: int = 4) -> pd.DataFrame:
    columns = pd.MultiIndex.from_product(
        [["DLC_net"], ["nose", "tail"], ["x", "y", "likelihood"]],
        names=["scorer", "bodyparts", "coords"],
    )
    df = pd.DataFrame(np.arange(n_rows * 6, dtype=float).reshape(n_rows, 6) / 8, columns=columns)
    if index is not None:
        df.index = index
    return df


def _read_h5_by(how: str, path: Path):
    if how == "lazy":
        return posebridge.open_dataset(path, chunks=2).load()
    return deeplabcut.read(path)


@pytest.mark.parametrize("how", ["eager", "lazy"])
@pytest.mark.parametrize("layout", ["fixed", "table"])
@pytest.mark.parametrize("times", ["datetime", "timedelta"])
def test_a_row_index_of_dates_or_times_is_refused(
    tmp_path: Path, how: str, layout: str, times: str
) -> None:
    """movement's loader ignores the index (rows 0, 1, ...); posebridge reads frame numbers
    from it, and the fixed layout's dates (int64 in the file) read as frame numbers."""
    if times == "datetime":
        index = pd.DatetimeIndex(["2024-01-01 10:00:00", "2024-01-01 10:00:01",
                                  "2024-01-01 10:00:03", "2024-01-01 10:00:04"])  # fmt: skip
    else:
        index = pd.to_timedelta([0, 1, 2, 4], unit="s")
    path = tmp_path / "times.h5"
    _h5_frame(index).to_hdf(path, key="df_with_missing", format=layout)
    with pytest.raises(FormatError, match="dates or times") as caught:
        _read_h5_by(how, path)
    assert str(path) in str(caught.value)


@pytest.mark.parametrize("how", ["eager", "lazy"])
@pytest.mark.parametrize(
    "index",
    [
        pd.date_range("2024-01-01 10:00", periods=4, freq="s"),
        pd.date_range("2024-01-01 10:00", periods=4, freq="s", tz="Europe/Berlin"),
        pd.timedelta_range(0, periods=4, freq="s"),
    ],
    ids=["frequency", "time zone", "durations"],
)
def test_a_table_h5_indexed_by_regular_dates_is_detected_as_dlc_and_refused(
    tmp_path: Path, how: str, index: pd.Index
) -> None:
    """pandas pickles a DatetimeIndex's frequency (and time zone) as pandas objects into
    the table's 'info', next to the column level names: detection, reading the names,
    refused the pickle and the file was 'unknown format', not DeepLabCut's date refusal."""
    path = tmp_path / "times.h5"
    _h5_frame(index).to_hdf(path, key="df_with_missing", format="table")
    assert posebridge.detect(path) == "dlc"
    with pytest.raises(FormatError, match="holds dates or times") as caught:
        if how == "lazy":
            posebridge.open_dataset(path, chunks=2).load()
        else:
            posebridge.load(path)
    assert str(path) in str(caught.value)


@pytest.mark.parametrize("how", ["eager", "lazy"])
@pytest.mark.parametrize("layout", ["fixed", "table"])
def test_a_row_index_of_periods_is_refused(tmp_path: Path, how: str, layout: str) -> None:
    """A table stores a PeriodIndex as plain integers (kind 'integer', its frequency in
    'info'): days since 1970 were read as frame numbers 19723, 19724, ... without a word."""
    path = tmp_path / "periods.h5"
    _h5_frame(pd.period_range("2024-01-01", periods=4, freq="D")).to_hdf(
        path, key="df_with_missing", format=layout
    )
    with pytest.raises(FormatError, match="holds dates or times") as caught:
        _read_h5_by(how, path)
    assert str(path) in str(caught.value)


@pytest.mark.parametrize("how", ["eager", "lazy"])
@pytest.mark.parametrize("layout", ["fixed", "table"])
def test_a_categorical_row_index_is_refused(tmp_path: Path, how: str, layout: str) -> None:
    """A CategoricalIndex of image paths is stored as integer codes: the codes were read
    as frame numbers 0, 1, 2 and the image paths were lost without a word."""
    images = [f"labeled-data/v/img{n}.png" for n in (7, 3, 9, 1)]
    path = tmp_path / "categories.h5"
    _h5_frame(pd.CategoricalIndex(images)).to_hdf(path, key="df_with_missing", format=layout)
    with pytest.raises(FormatError, match="categorical") as caught:
        _read_h5_by(how, path)
    assert str(path) in str(caught.value)


def test_a_table_info_naming_a_function_runs_nothing(tmp_path: Path) -> None:
    """The level names are read from 'info' past the objects pandas pickles there (a
    frequency, a time zone): what it names is never imported nor called."""
    path = tmp_path / "crafted.h5"
    _h5_frame().to_hdf(path, key="df_with_missing", format="table")
    marker = tmp_path / "ran"
    call = f"cos\nsystem\n(Vtouch {marker}\ntR".encode()
    info = b"(dI1\n(dVnames\n(lVscorer\naVbodyparts\naVcoords\nasVfreq\n" + call + b"ss."
    with h5py.File(path, "r+") as h5:
        h5["df_with_missing"].attrs["info"] = np.bytes_(info)
    assert posebridge.detect(path) == "dlc"
    posebridge.load(path)
    assert not marker.exists()


def _shared_list_pickle(depth: int) -> bytes:
    """Protocol-0 'info' whose level names hold a list of one list shared ``depth`` times
    over through the pickle's memo: a few hundred bytes, 2**depth items unfolded."""
    import pickle

    shared: list = ["x"]
    for _ in range(depth):
        shared = [shared, shared]
    return pickle.dumps({1: {"names": ["scorer", shared, "coords"]}}, protocol=0)


def _doubled_tuple_key_pickle(depth: int) -> bytes:
    """Protocol-0 'info' keyed by a tuple holding one tuple twice, ``depth`` levels deep:
    written by hand, as a dict made here would hash its 2**depth items."""
    import pickle

    key: tuple = ()
    for _ in range(depth):
        key = (key, key)
    return b"(dp0\n" + pickle.dumps(key, protocol=0)[:-1] + b"I2\ns."


def _text_of_slice_pickle(depth: int) -> bytes:
    """Protocol-0 'info' whose level names are str(slice(L)), L a list holding one list
    twice, ``depth`` levels deep (its text is 2**depth items long)."""
    import pickle

    shared: list = []
    for _ in range(depth):
        shared = [shared, shared]
    nested = pickle.dumps(shared, protocol=0)[:-1]
    return (
        b"(dp0\nI1\n(dp1\nVnames\np2\nc__builtin__\nstr\n(c__builtin__\nslice\n("
        + nested
        + b"tRtRss."
    )


def _dict_of_list_pairs_pickle(depth: int) -> bytes:
    """'info' as dict([[t, 1]]), t a tuple holding one tuple twice, ``depth`` levels deep
    through the memo: the pair is a list, once counted as one item to hash."""
    levels = b"".join(
        b"h" + bytes([level]) + b"h" + bytes([level]) + b"\x86q" + bytes([level + 1])
        for level in range(depth)
    )
    return (
        b"\x80\x02)q\x00" + levels + b"0cbuiltins\ndict\n](](h" + bytes([depth]) + b"K\x01ee\x85R."
    )


def _keys_hashing_alike_pickle(count: int) -> bytes:
    """'info' keyed by ``count`` integers k * (2**61 - 1), which all hash as 0."""
    keys = b""
    for k in range(1, count + 1):
        number = k * (2**61 - 1)
        raw = number.to_bytes((number.bit_length() + 8) // 8, "little", signed=True)
        keys += b"\x8a" + bytes([len(raw)]) + raw + b"N"
    return b"\x80\x02}(" + keys + b"u."


@pytest.mark.parametrize(
    "info",
    [
        b"(dp0\nI1\n(dp1\nVnames\np2\nc__builtin__\nrange\np3\n(I0\nL1000000000000000L\nI1\n"
        b"tp4\nRp5\nss.",
        _shared_list_pickle(40),
        b"(dp0\nI1\n(dp1\nVnames\np2\nc__builtin__\nstr\n(" + b"(lp3\n" + b"g3\na" * 8 + b"tRss.",
        _doubled_tuple_key_pickle(40),
        _text_of_slice_pickle(40),
        _dict_of_list_pairs_pickle(40),
        _keys_hashing_alike_pickle(4000),
    ],
    ids=[
        "a range of 10**15 names",
        "a list shared 2**40 times",
        "str of a container",
        "a dict key of a tuple shared 2**40 times",
        "str of a slice of a list shared 2**40 times",
        "dict of list pairs keyed by a tuple shared 2**40 times",
        "4000 keys hashing alike",
    ],
)
def test_a_table_info_that_unfolds_to_billions_of_items_is_refused_at_once(
    tmp_path: Path, info: bytes
) -> None:
    """A pickle of about a hundred bytes made every reading (detection included) walk
    10**15 level names or the text of 2**40 items: gigabytes, then MemoryError, or minutes."""
    path = tmp_path / "crafted.h5"
    _h5_frame().to_hdf(path, key="df_with_missing", format="table")
    with h5py.File(path, "r+") as h5:
        h5["df_with_missing"].attrs["info"] = np.bytes_(info)

    with pytest.raises(FormatError, match="'info'") as caught:
        posebridge.load(path, format="dlc")
    assert str(path) in str(caught.value)
    with pytest.raises(PoseBridgeError):
        posebridge.load(path)  # detection says it is no format it knows, without the walk


#: Reads the pickle in argv[1] as a table's 'info' attribute and prints the error.
_UNPICKLE_INFO_IN_A_CHILD = """
import sys
from pathlib import Path
from posebridge.errors import PoseBridgeError
from posebridge.formats.dlc.pandas_pickles import unpickle_info
path = Path(sys.argv[1])
try:
    unpickle_info(path.read_bytes(), path)
    print("read")
except PoseBridgeError as error:
    print(error)
"""


def test_a_table_info_keyed_by_a_tuple_a_million_levels_deep_is_refused_not_a_crash(
    tmp_path: Path,
) -> None:
    """Hashing the key overflowed the C stack (exit code -11). The 1 MB attribute is read
    as the reader reads 'info' (HDF5 files of pandas' format keep no attribute past 64 kB;
    HDF5's newer format does), in a child process, so a crash fails this test, not pytest."""
    import subprocess
    import sys

    path = tmp_path / "info.pickle"
    path.write_bytes(b"\x80\x02}" + b")" + b"\x85" * 10**6 + b"K\x01s.")
    run = subprocess.run(
        [sys.executable, "-c", _UNPICKLE_INFO_IN_A_CHILD, str(path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    assert f"{path}: the pandas attribute 'info' could not be read safely" in run.stdout
    assert "nests tuples more than" in run.stdout


def test_a_table_info_whose_level_names_are_not_a_list_is_named_as_such(tmp_path: Path) -> None:
    """Level names of another kind (a number, a pandas object read as an inert stand-in)
    were blamed on a damaged HDF5 file: "'int' object is not iterable"."""
    path = tmp_path / "crafted.h5"
    _h5_frame().to_hdf(path, key="df_with_missing", format="table")
    with h5py.File(path, "r+") as h5:
        h5["df_with_missing"].attrs["info"] = np.bytes_(b"(dp0\nI1\n(dp1\nVnames\np2\nI5\nss.")

    with pytest.raises(FormatError, match="names its column levels with 5, not a list") as caught:
        posebridge.load(path, format="dlc")
    assert "HDF5" not in str(caught.value)


@pytest.mark.parametrize("how", ["eager", "lazy"])
def test_a_fixed_h5_row_index_of_true_and_false_is_refused(tmp_path: Path, how: str) -> None:
    """The fixed layout read [True, False] as frames 1 and 0, and sorted the rows by them
    (the table layout refused the same frame: 'of kind bool')."""
    path = tmp_path / "bools.h5"
    _h5_frame(pd.Index([True, False, True, False])).to_hdf(
        path, key="df_with_missing", format="fixed"
    )
    with pytest.raises(FormatError, match="of kind 'bool'") as caught:
        _read_h5_by(how, path)
    assert str(path) in str(caught.value)


@pytest.mark.parametrize("how", ["eager", "lazy"])
@pytest.mark.parametrize("layout", ["fixed", "table"])
def test_a_fractional_float_row_index_in_h5_is_refused(
    tmp_path: Path, how: str, layout: str
) -> None:
    path = tmp_path / "halves.h5"
    _h5_frame(pd.Index([0.0, 1.5, 2.0, 3.0])).to_hdf(path, key="df_with_missing", format=layout)
    with pytest.raises(FormatError, match="the row index holds fractional") as caught:
        _read_h5_by(how, path)
    assert str(path) in str(caught.value)


@pytest.mark.parametrize("how", ["eager", "lazy"])
@pytest.mark.parametrize("layout", ["fixed", "table"])
def test_a_blosc_compressed_h5_is_read_or_refused_as_a_missing_filter(
    tmp_path: Path, how: str, layout: str
) -> None:
    df = _h5_frame()
    path = tmp_path / "blosc.h5"
    df.to_hdf(path, key="df_with_missing", format=layout, complib="blosc", complevel=5)
    if h5py.h5z.filter_avail(32001):  # hdf5plugin imported: h5py decodes Blosc
        ds = _read_h5_by(how, path)
        np.testing.assert_array_equal(ds.position.values[:, 0, 0, 0], df.iloc[:, 0].to_numpy())
        return
    with pytest.raises(FormatError) as caught:
        _read_h5_by(how, path)
    message = str(caught.value)
    assert str(path) in message
    assert "'blosc'" in message and "not available" in message
    assert "damaged" not in message.replace("not damaged", "")


@pytest.mark.parametrize("how", READ_PATHS)
def test_of_several_bad_cells_the_first_in_the_file_is_named_by_every_read(
    tmp_path: Path, dlc_csv: Path, how: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A lazy read named the first bad cell of whichever block of rows Dask computed
    first (a later one), not the file's first, as the eager read does."""
    lines = dlc_csv.read_text().splitlines()  # 3 header lines, then 50 rows
    bad = {9: (2, "abc"), 33: (5, "True"), 47: (1, "xyz")}  # line index -> (cell, text)
    for i, (j, word) in bad.items():
        cells = lines[i].split(",")
        cells[j] = word
        lines[i] = ",".join(cells)
    path = tmp_path / "words.csv"
    path.write_text("\n".join(lines) + "\n")
    first = min(bad)
    with pytest.raises(FormatError) as caught:
        _read_csv_by(how, path, monkeypatch)
    expected = f"line {first + 1}, column {bad[first][0] + 1} (DLC_net, nose, y)"
    assert expected in str(caught.value)
    assert f"found {bad[first][1]!r}" in str(caught.value)


def _wide_csv(path: Path, bad_cell: tuple[int, int] | None, bad_frame: int | None) -> Path:
    """A DLC CSV of 1024 columns and 600 rows (pandas parses blocks of 512 such rows),
    with the word 'abc' in a bodypart cell (row, column) or in the index (row)."""
    n_bodyparts, n_rows = 341, 600
    columns = pd.MultiIndex.from_product(
        [["DLC_net"], [f"p{i}" for i in range(n_bodyparts)], ["x", "y", "likelihood"]],
        names=["scorer", "bodyparts", "coords"],
    )
    cells = np.full((n_rows, 3 * n_bodyparts), "0.5", dtype=object)
    if bad_cell is not None:
        cells[bad_cell] = "abc"
    frames = [str(i) for i in range(n_rows)]
    if bad_frame is not None:
        frames[bad_frame] = "abc"
    pd.DataFrame(cells, columns=columns, index=frames).to_csv(path)
    return path


def test_a_word_in_a_wide_csv_read_on_one_core_is_refused_without_a_pandas_warning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The one-core read (types inferred, low_memory) let pandas' DtypeWarning ('Columns
    ... have mixed types. Specify dtype option ...') out before its FormatError."""
    from posebridge.formats.dlc import csv as dlc_csv_module

    path = _wide_csv(tmp_path / "wide.csv", (550, 1), None)  # p0's y, in the 2nd block
    monkeypatch.setattr(dlc_csv_module, "_PARALLEL_MIN_BYTES", 0)
    monkeypatch.setattr(dlc_csv_module, "usable_cores", lambda: 1)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with pytest.raises(FormatError, match=r"line 554, column 3 \(DLC_net, p0, y\)"):
            deeplabcut.read(path)
    assert [str(w.message) for w in caught] == []


def test_a_word_among_the_frame_numbers_of_a_wide_csv_is_refused_without_a_pandas_warning(
    tmp_path: Path,
) -> None:
    """The whole-file read (a file under the parallel reads' size) infers the index
    column's type: pandas' DtypeWarning came out before the refusal of the index."""
    path = _wide_csv(tmp_path / "wide.csv", None, 550)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with pytest.raises(FormatError, match=r"in data row 551, 'abc'"):
            deeplabcut.read(path)
    assert [str(w.message) for w in caught] == []


def _two_views(space: int = 2):
    rng = np.random.default_rng(1)
    one = posebridge.from_numpy(rng.uniform(0, 9, (4, space, 2, 1)), individual_names=["m"])
    return one.expand_dims(view=["left", "right"], axis=-1)


@pytest.mark.parametrize("split", [False, True])
def test_dataframe_of_camera_views_is_refused_as_the_file_writer_refuses_it(tmp_path, split):
    views = _two_views()
    with pytest.raises(SchemaError) as from_file:
        posebridge.save(views, tmp_path / "v.csv", format="dlc")
    with pytest.raises(SchemaError) as from_frame:
        deeplabcut.dataframe_from_dataset(views, split_individuals=split)
    assert "2 camera views (left, right)" in str(from_frame.value)
    assert str(from_frame.value) in str(from_file.value)  # the same words, less the file


def test_lightning_pose_warns_that_the_individual_name_is_not_stored(tmp_path):
    rng = np.random.default_rng(2)
    ds = posebridge.from_numpy(rng.uniform(0, 9, (4, 2, 2, 1)), individual_names=["mouse7"])
    with pytest.warns(UserWarning, match=r"lp\.csv: the individual's name 'mouse7' is not stored"):
        (written,) = posebridge.save(ds, tmp_path / "lp.csv", format="lp")
    assert list(posebridge.load(written, format="lp")["individual"].values) != ["mouse7"]


@pytest.mark.parametrize(("fmt", "name"), [("dlc", "a.h5"), ("lp", "a.csv")])
def test_an_anipose_alignment_not_written_is_warned_about(tmp_path, fmt, name):
    rng = np.random.default_rng(3)
    ds = posebridge.from_numpy(rng.uniform(0, 9, (4, 3, 2, 1)))
    ds.attrs["anipose_alignment_matrix"] = [0.5, 0, 0, 0, 1, 0, 0, 0, 1]
    ds.attrs["anipose_alignment_center"] = [0.0, 3.0, 0.0]
    with pytest.warns(UserWarning, match="no place for anipose_alignment_matrix, anipose_align"):
        (written,) = posebridge.save(ds, tmp_path / name, format=fmt)
    assert "anipose_alignment_matrix" not in posebridge.load(written, format=fmt).attrs


@pytest.mark.parametrize("suffix", [".h5", ".csv"])
@pytest.mark.parametrize("dim", ["individual", "keypoint"])
def test_a_name_like_pandas_placeholder_for_an_empty_label_is_refused(tmp_path, suffix, dim):
    """'Unnamed: 1_level_1' is what pandas reads an empty header cell as: the readers take it
    for a missing label, so the writer refuses it, as an empty name, and writes nothing."""
    ds = posebridge.from_numpy(
        np.zeros((3, 2, 2, 2)), individual_names=["a", "b"], keypoint_names=["p", "q"]
    )
    ds = ds.assign_coords({dim: ["Unnamed: 1_level_1", str(ds[dim].values[1])]})
    path = tmp_path / f"x{suffix}"
    with pytest.raises(
        SchemaError, match=rf"{dim} name 'Unnamed: 1_level_1'.*nothing was written"
    ):
        posebridge.save(ds, path, "dlc")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("suffix", [".h5", ".csv"])
def test_a_placeholder_like_name_of_one_animal_no_level_holds_is_written(tmp_path, suffix):
    """A single-animal file (3 column levels) never stores the individual's name, so a name
    like 'Unnamed: 1_level_1' cannot be misread there: written, as movement writes it, with
    the warning that the name is not stored; with individuals_level=True it is refused."""
    rng = np.random.default_rng(5)
    positions = rng.uniform(0, 9, (3, 2, 2, 1))
    ds = posebridge.from_numpy(
        positions, individual_names=["Unnamed: 1_level_1"], keypoint_names=["p", "q"]
    )
    with pytest.warns(UserWarning, match="Unnamed: 1_level_1"):
        (written,) = posebridge.save(ds, tmp_path / f"one{suffix}", "dlc")
    back = posebridge.load(written, format="dlc")
    assert back.sizes["individual"] == 1 and list(back.keypoint.values) == ["p", "q"]
    np.testing.assert_allclose(back.position.transpose(*ds.position.dims).values, positions)
    with pytest.raises(SchemaError, match=r"individual name 'Unnamed: 1_level_1'"):
        posebridge.save(ds, tmp_path / f"four{suffix}", "dlc", individuals_level=True)
    assert not (tmp_path / f"four{suffix}").exists()


def test_a_missing_label_in_an_h5_column_index_is_refused_as_empty_not_as_damage(tmp_path):
    """pandas stores a NaN level label as code -1: that is a missing name (as an empty CSV
    header cell is), not broken codes."""
    columns = pd.MultiIndex.from_tuples(
        [("S", part, coord) for part in ("a", np.nan) for coord in ("x", "y", "likelihood")],
        names=["scorer", "bodyparts", "coords"],
    )
    path = tmp_path / "nan_bodypart.h5"
    pd.DataFrame(np.ones((3, 6)), columns=columns).to_hdf(path, key="df_with_missing")
    with pytest.raises(FormatError, match=r"column 3 has an empty level label") as caught:
        posebridge.load(path)
    assert "broken" not in str(caught.value)


def test_a_missing_label_in_an_h5_row_index_is_refused_naming_the_row(tmp_path):
    columns = pd.MultiIndex.from_tuples(
        [("S", "a", "x"), ("S", "a", "y")], names=["scorer", "bodyparts", "coords"]
    )
    rows = pd.MultiIndex.from_tuples(
        [("labeled-data", "v", "img1.png"), ("labeled-data", np.nan, "img2.png")]
    )
    path = tmp_path / "CollectedData_S.h5"
    pd.DataFrame(np.ones((2, 2)), index=rows, columns=columns).to_hdf(path, key="df_with_missing")
    with pytest.raises(FormatError, match=r"row 1 has an empty level") as caught:
        posebridge.load(path)
    assert "broken" not in str(caught.value)


def test_a_repeated_column_is_named(dlc_csv: Path):
    """It said only 'has repeated (individual, bodypart, coord) columns'."""
    lines = dlc_csv.read_text().splitlines(keepends=True)
    lines[1] = lines[1].replace("tail", "nose", 1)  # the bodyparts row: tail,x is nose,x now
    dlc_csv.write_text("".join(lines))
    with pytest.raises(FormatError, match=r"\('.*', 'nose', 'x'\) appears twice"):
        posebridge.load(dlc_csv)


@pytest.mark.parametrize("opcode", [b"\x96", b"\x8e"], ids=["BYTEARRAY8", "BINBYTES8"])
def test_a_table_attribute_declaring_a_gigabyte_it_does_not_hold_is_refused_as_cut_short(
    tmp_path: Path, opcode: bytes
) -> None:
    """BYTEARRAY8 made the unpickler allocate and zero the declared 4 GiB before reading 3
    bytes; the declared length is now checked against the bytes the pickle has left."""
    import struct
    import tracemalloc

    from posebridge.formats.dlc.pandas_pickles import safe_unpickle

    declared = 2**32
    data = b"\x80\x05" + opcode + struct.pack("<Q", declared) + b"abc"
    tracemalloc.start()
    try:
        with pytest.raises(FormatError) as caught:
            safe_unpickle(data, tmp_path / "x.h5", "labels")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert f"declares {declared} bytes but only 3 are left" in str(caught.value)
    assert "cut short" in str(caught.value)
    assert peak < 2**26


def test_a_table_attribute_ending_before_its_end_mark_says_so() -> None:
    from posebridge.formats.dlc.pandas_pickles import safe_unpickle

    data = b"(lp0\nVx\np1\na."[:-1]  # a pandas protocol-0 label list without its STOP
    with pytest.raises(FormatError, match=r"x\.h5: .*'labels'.*ends before its end mark"):
        safe_unpickle(data, Path("x.h5"), "labels")


@pytest.mark.parametrize("reader", [*READERS, posebridge.load, posebridge.open_dataset])
@pytest.mark.parametrize("name", ["zeroed.h5", "zeroed.hdf5"])
def test_an_h5_without_the_hdf5_signature_is_refused_as_not_hdf5(
    tmp_path: Path, reader, name: str
) -> None:
    """A damaged .h5 is not read as a CSV (nor told about CSV line ends)."""
    data = bytearray(h5_bytes(tmp_path))
    data[:8] = bytes(8)  # the signature zeroed
    path = tmp_path / name
    path.write_bytes(bytes(data))
    kwargs = {"format": "dlc"} if reader in (posebridge.load, posebridge.open_dataset) else {}
    with pytest.raises(FormatError, match="is not a readable HDF5 file") as caught:
        reader(path, **kwargs)
    assert str(path) in str(caught.value)
    assert "carriage return" not in str(caught.value) and "scorer" not in str(caught.value)


def h5_bytes(tmp_path: Path) -> bytes:
    """The bytes of a small DeepLabCut .h5 written by pandas."""
    columns = pd.MultiIndex.from_product(
        [["DLC_net"], ["nose"], ["x", "y", "likelihood"]],
        names=["scorer", "bodyparts", "coords"],
    )
    path = tmp_path / "made.h5"
    pd.DataFrame(np.ones((4, 3)), columns=columns).to_hdf(path, key="df_with_missing")
    return path.read_bytes()


def _seconds_without_fps() -> object:
    ds = posebridge.from_numpy(np.random.default_rng(2).uniform(size=(4, 2, 2, 1)))
    return ds.assign_coords(time=[0.0, 0.4, 1.3, 2.0]).assign_attrs(time_unit="seconds")


@pytest.mark.parametrize(("name", "fmt"), [("a.csv", "dlc"), ("a.h5", "dlc"), ("a.csv", "lp")])
def test_time_in_seconds_without_fps_is_refused_not_numbered(
    tmp_path: Path, name: str, fmt: str
) -> None:
    """No frame numbers are made up (SLEAP's and COCO's writers refuse it too)."""
    ds = _seconds_without_fps()
    with pytest.raises(SchemaError, match=r"with_fps\(ds, 30\)") as caught:
        posebridge.save(ds, tmp_path / name, fmt)
    assert "pass fps= (e.g. fps=30) to posebridge.load, convert or convert_many" in str(
        caught.value
    )
    assert str(tmp_path / name) in str(caught.value)
    assert "the times lost" in str(caught.value)
    assert not list(tmp_path.iterdir())
    with pytest.raises(SchemaError, match="time in seconds without fps"):
        deeplabcut.dataframe_from_dataset(ds)


def test_number_rows_writes_rows_0_to_n_minus_1_warning_naming_the_file(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    with pytest.warns(UserWarning, match=re.escape(f"{path}: the dataset's time is in seconds")):
        posebridge.save(_seconds_without_fps(), path, "dlc", number_rows=True)
    assert posebridge.load(path).time.values.tolist() == [0, 1, 2, 3]
    with pytest.warns(UserWarning, match="rows numbered 0..n-1"):
        df = deeplabcut.dataframe_from_dataset(_seconds_without_fps(), number_rows=True)
    assert df.index.tolist() == [0, 1, 2, 3]


@pytest.mark.parametrize("fmt", ["dlc", "lp"])
def test_negative_frame_numbers_are_refused_as_sleap_refuses_them(tmp_path: Path, fmt) -> None:
    ds = posebridge.from_numpy(np.zeros((3, 2, 2, 1))).assign_coords(time=[-2, -1, 0])
    with pytest.raises(SchemaError, match="frame -2") as caught:
        posebridge.save(ds, tmp_path / "a.csv", fmt)
    assert str(tmp_path / "a.csv") in str(caught.value)
    assert not list(tmp_path.iterdir())


# --------------------------------------------------------------------------
# h147: the movement drop-ins number rows as movement does; one path in refusals;
# an HDF5 user block


def _negative_frames(n_individuals: int = 1) -> object:
    data = np.random.default_rng(5).uniform(size=(5, 2, 3, n_individuals))
    return posebridge.from_numpy(data).assign_coords(time=np.arange(-2, 3))


@pytest.mark.parametrize(
    "saver", ["to_dlc_file", "to_dlc_file_unsplit", "to_lp_file", "to_dlc_style_df"]
)
def test_the_movement_drop_ins_write_negative_frames_as_rows_0_to_n_minus_1_as_movement(
    tmp_path: Path, saver: str
) -> None:
    """h147 item 1: number_rows=True (the drop-ins) numbers rows 0..n-1 as movement
    does, whatever the time; only posebridge.save refuses negative frames."""
    movement_save = pytest.importorskip("movement.io.save_poses")
    from posebridge.io import save_poses

    ds = _negative_frames()
    if saver == "to_dlc_style_df":
        with pytest.warns(UserWarning, match=r"frame -2, .*rows numbered 0\.\.n-1"):
            ours = save_poses.to_dlc_style_df(ds)
        pd.testing.assert_frame_equal(ours, movement_save.to_dlc_style_df(ds))
        return
    name, read = ("a.csv", _read_lp_csv) if saver == "to_lp_file" else ("a.h5", pd.read_hdf)
    kwargs = {"split_individuals": False} if saver == "to_dlc_file_unsplit" else {}
    function = saver.removesuffix("_unsplit")
    (tmp_path / "ours").mkdir()
    (tmp_path / "theirs").mkdir()
    with pytest.warns(UserWarning, match=r"frame -2, .*rows numbered 0\.\.n-1") as seen:
        getattr(save_poses, function)(ds, tmp_path / "ours" / name, **kwargs)
    split = saver != "to_dlc_file_unsplit"  # the warning names each file written
    assert any(f"a_id_0{Path(name).suffix}: " in str(w.message) for w in seen) is split
    getattr(movement_save, function)(ds, tmp_path / "theirs" / name, **kwargs)
    ours = sorted(p.name for p in (tmp_path / "ours").iterdir())
    assert ours == sorted(p.name for p in (tmp_path / "theirs").iterdir())
    for file in ours:
        mine, theirs = read(tmp_path / "ours" / file), read(tmp_path / "theirs" / file)
        assert mine.index.tolist() == [0, 1, 2, 3, 4]
        pd.testing.assert_frame_equal(mine, theirs)


def _read_lp_csv(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, header=[0, 1, 2], index_col=0)


def test_negative_seconds_with_fps_are_numbered_by_the_drop_in_as_movement(tmp_path) -> None:
    """A stimulus-aligned time axis (time - 0.2 s) writes as movement writes it."""
    movement_save = pytest.importorskip("movement.io.save_poses")
    movement_load = pytest.importorskip("movement.io.load_poses")
    from posebridge.io import save_poses

    ds = movement_load.from_numpy(np.random.default_rng(3).uniform(size=(5, 2, 2, 1)), fps=10)
    ds = ds.assign_coords(time=ds.time - 0.2)  # movement's dataset: no 'frame' coordinate
    with pytest.warns(UserWarning, match="rows numbered 0..n-1"):
        save_poses.to_dlc_file(ds, tmp_path / "ours.h5", split_individuals=False)
    movement_save.to_dlc_file(ds, tmp_path / "theirs.h5", split_individuals=False)
    pd.testing.assert_frame_equal(
        pd.read_hdf(tmp_path / "ours.h5"), pd.read_hdf(tmp_path / "theirs.h5")
    )
    with pytest.raises(SchemaError, match="frame -2"):  # posebridge.save still refuses
        posebridge.save(ds, tmp_path / "p.h5", "dlc")


@pytest.mark.parametrize(
    ("ds", "said"),
    [
        (_negative_frames(2), "frame -2"),
        (_seconds_without_fps().isel(individual=[0, 0]), "time in seconds without fps"),
    ],
)
@pytest.mark.parametrize("name", ["a.h5", "a.csv"])
def test_a_split_write_refusal_names_the_path_once(tmp_path: Path, ds, said, name) -> None:
    """h147 item 3: not '<path>: <path_id_0>, <path_id_1>: ...'."""
    ds = ds.assign_coords(individual=["id_0", "id_1"])
    path = tmp_path / name
    with pytest.raises(SchemaError, match=said) as caught:
        posebridge.save(ds, path, "dlc", split_individuals=True)
    message = str(caught.value)
    assert message.startswith(f"{path}: ")
    assert message.count(str(tmp_path)) == 1, message
    assert "_id_0" not in message and "_id_1" not in message
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize("block", [512, 2048])
def test_an_h5_with_an_hdf5_user_block_reads_eagerly_as_lazily_and_as_pandas(
    tmp_path: Path, block: int
) -> None:
    """h147 item 5: HDF5 finds its signature at 0, 512, 1024, ... (h5py.is_hdf5)."""
    plain = tmp_path / "plainDLC.h5"
    plain.write_bytes(h5_bytes(tmp_path))
    path = tmp_path / "blockDLC.h5"
    with h5py.File(plain, "r") as source, h5py.File(path, "w", userblock_size=block) as out:
        for key in source:
            source.copy(key, out)
        out.attrs.update(dict(source.attrs))
    assert not path.read_bytes().startswith(b"\x89HDF") and h5py.is_hdf5(path)
    pd.testing.assert_frame_equal(pd.read_hdf(path), pd.read_hdf(plain))
    expected = posebridge.load(plain)
    for reader in (*READERS, posebridge.load):
        read = reader(path)
        np.testing.assert_array_equal(read.position.values, expected.position.values)
    lazy = posebridge.open_dataset(path, format="dlc").load()
    np.testing.assert_array_equal(lazy.position.values, expected.position.values)
    with Peek(path) as peek:
        assert peek.is_hdf5


def test_individuals_level_advice_is_given_with_the_command_lines_flags(tmp_path):
    """On the command line, the warning that a single-animal file loses the name said
    ``Pass individuals_level=True`` (LightningPose: ``format='dlc' with
    individuals_level=True``) and the refusal of ``individuals_level=False`` said
    ``pass split_individuals=True``; each now names ``--option``, which works as spelled."""
    from click.testing import CliRunner

    from posebridge.cli import cli

    one = tmp_path / "one.nc"
    posebridge.save(
        posebridge.from_numpy(
            np.random.default_rng(0).random((3, 2, 2, 1)) * 100,
            individual_names=["mouse7"],
            keypoint_names=["nose", "tail"],
        ),
        one,
    )
    two = tmp_path / "two.nc"
    posebridge.save(
        posebridge.from_numpy(
            np.random.default_rng(1).random((3, 2, 2, 2)) * 100,
            individual_names=["m1", "m2"],
            keypoint_names=["nose", "tail"],
        ),
        two,
    )

    def said(*args: object) -> tuple[int, str]:
        result = CliRunner().invoke(cli, [str(a) for a in args])
        return result.exit_code, " ".join(result.output.split())

    code, text = said("convert", one, tmp_path / "a.csv", "--to", "dlc")
    assert code == 0 and "Pass individuals_level=True" not in text, text
    assert "Pass --option individuals_level=true to keep the name" in text, text
    code, text = said("convert", one, tmp_path / "lp.csv", "--to", "lp")
    assert code == 0 and "format='dlc'" not in text, text
    assert "Write DeepLabCut (--to dlc --option individuals_level=true)" in text, text
    code, text = said(
        "convert", one, tmp_path / "b.csv", "--to", "dlc", "--option", "individuals_level=true"
    )
    assert code == 0 and "is not stored" not in text, text
    assert posebridge.load(tmp_path / "b.csv").individual.values.tolist() == ["mouse7"]

    code, text = said(
        "convert", two, tmp_path / "c.csv", "--to", "dlc", "--option", "individuals_level=false"
    )
    assert code != 0, text
    assert text.endswith(
        "leave --option individuals_level out, or pass --option split_individuals=true."
    ), text
    assert "--option individuals_level=false writes 3 column levels" in text, text
    code, text = said(
        "convert", two, tmp_path / "d.csv", "--to", "dlc", "--option",
        "individuals_level=false", "--option", "split_individuals=true",
    )  # fmt: skip
    assert code == 0, text
    assert sorted(p.name for p in tmp_path.glob("d_*.csv")) == ["d_m1.csv", "d_m2.csv"]
    # Python keeps Python's words
    with pytest.warns(UserWarning, match="Pass individuals_level=True to keep the name"):
        posebridge.save(posebridge.load(one), tmp_path / "e.csv", "dlc")


def test_split_individuals_advice_names_the_option_on_the_command_line(tmp_path):
    """A split write's advice said ``(split_individuals=False)`` on the command line too, where
    only ``--option split_individuals=false`` works; Python keeps Python's words."""
    from click.testing import CliRunner

    from posebridge.cli import cli

    def two_individuals(names: list[str]) -> Path:
        path = tmp_path / f"{'-'.join(n.replace('/', '') for n in names)}.nc"
        posebridge.save(
            posebridge.from_numpy(
                np.random.default_rng(0).random((3, 2, 2, 2)) * 100,
                individual_names=names,
                keypoint_names=["nose", "tail"],
            ),
            path,
        )
        return path

    def said(*args: object) -> tuple[int, str]:
        result = CliRunner().invoke(cli, [str(a) for a in args])
        return result.exit_code, " ".join(result.output.split())

    split = ("--to", "dlc", "--option", "split_individuals=true")
    code, text = said("convert", two_individuals(["m1", "m2"]), tmp_path / "a.h5", *split)
    assert code == 0, text
    assert "(--option split_individuals=true: each file has no individuals level" in text, text
    assert "Write one DeepLabCut file (--option split_individuals=false) or" in text, text
    assert "split_individuals=True" not in text and "split_individuals=False" not in text, text

    colliding = two_individuals(["a/b", "a_b"])
    code, text = said("convert", colliding, tmp_path / "b.h5", *split)
    assert code != 0, text
    assert text.endswith("or write one file (--option split_individuals=false)."), text

    code, text = said(
        "convert", colliding, tmp_path / "c.h5", "--to", "dlc", "--option", "split_individuals=yes"
    )
    assert code != 0, text
    assert "option split_individuals= (--option) takes true | false | auto, got 'yes'" in text

    with pytest.raises(SchemaError, match=r"or write one file \(split_individuals=False\)"):
        posebridge.save(
            posebridge.load(colliding), tmp_path / "d.h5", "dlc", split_individuals=True
        )


@pytest.mark.parametrize("name", ["videoDLC.h5", "videoDLC.HDF5", "videoDLC.hdf"])
def test_a_dlc_csv_under_an_hdf5_name_is_read_by_its_content(
    tmp_path: Path, dlc_csv: Path, name: str
) -> None:
    """h154 finding 7: a DeepLabCut CSV saved as ``.h5`` was detected as dlc, then refused
    as a damaged HDF5 file by load, open_dataset and convert. Like every other misnamed
    file it reads by its content: as the same CSV under its own name reads."""
    path = tmp_path / name
    path.write_bytes(dlc_csv.read_bytes())
    expected = posebridge.load(dlc_csv)
    assert posebridge.detect(path) == "dlc"
    for read in (
        posebridge.load(path),
        posebridge.load(path, format="dlc"),
        deeplabcut.read(path),
        deeplabcut.read_lp(path),
        posebridge.open_dataset(path).load(),
    ):
        np.testing.assert_array_equal(read.position.values, expected.position.values)
        np.testing.assert_array_equal(read.confidence.values, expected.confidence.values)
        np.testing.assert_array_equal(read.time.values, expected.time.values)
        assert list(read.keypoint.values) == ["nose", "tail"]
    lazy = posebridge.open_dataset(path)
    assert lazy.position.chunks is not None  # the lazy CSV reader, not a load in memory
    written = posebridge.convert(path, tmp_path / "out.nc", chunk_frames=7, progress=False)
    assert written == [tmp_path / "out.nc"]
    back = posebridge.load(tmp_path / "out.nc")
    np.testing.assert_array_equal(back.position.values, expected.position.values)


def test_text_that_is_no_dlc_csv_under_an_hdf5_name_is_still_refused_as_not_hdf5(
    tmp_path: Path,
) -> None:
    """Only DeepLabCut-style text is read from an ``.h5`` name; other text stays refused
    as a file that is not HDF5 (not told about CSV problems it does not have)."""
    path = tmp_path / "video.h5"
    path.write_text("frame,x,y\n0,1,2\n")
    for reader in (*READERS, lambda p: posebridge.load(p, format="dlc")):
        with pytest.raises(FormatError, match="is not a readable HDF5 file") as caught:
            reader(path)
        assert str(path) in str(caught.value)


@pytest.mark.parametrize("name", [".h5", ".csv", ".H5"])
def test_saving_to_a_name_that_is_only_an_extension_says_it_names_a_hidden_file(
    tmp_path: Path, name: str
) -> None:
    """h154 finding 10: ``.h5`` was refused as "DeepLabCut files end in .h5 or .csv, not
    ''"; it is a hidden file's name with no extension, and the message says so."""
    ds = posebridge.from_numpy(np.ones((3, 2, 2, 1)))
    with pytest.raises(PoseBridgeError) as caught:
        posebridge.save(ds, tmp_path / name, format="dlc")
    message = str(caught.value)
    assert f"'{name}' names a hidden file with no extension" in message
    assert f"give a name such as out{name}" in message
    assert "not ''" not in message
    assert list(tmp_path.iterdir()) == []


def test_a_dataframe_repeating_a_frame_is_refused_in_a_dataframes_words() -> None:
    # pd.concat without ignore_index repeats each DataFrame's index: no header, no file
    columns = pd.MultiIndex.from_product(
        [["DLC_net"], ["nose"], ["x", "y", "likelihood"]],
        names=["scorer", "bodyparts", "coords"],
    )
    part = pd.DataFrame(np.ones((3, 3)), columns=columns)
    with pytest.raises(FormatError) as raised:
        deeplabcut.dataset_from_dataframe(pd.concat([part, part]))
    message = str(raised.value)
    assert "the DataFrame's row index repeats frame 0 (rows 1 and 4, counting from 1)" in message
    assert "df.reset_index(drop=True)" in message
    assert "after the header" not in message


def test_a_number_among_image_paths_in_the_index_is_the_cell_named(tmp_path):
    """h180: an index of image paths with one numeric (damaged) cell was refused naming the
    first good path as the damaged cell."""
    columns = pd.MultiIndex.from_tuples(
        [("S", i, b, c) for i in ("a", "single") for b in ("p", "u") for c in ("x", "y")],
        names=["scorer", "individuals", "bodyparts", "coords"],
    )
    index = ["labeled-data/v/img1.png", "labeled-data/v/img2.png", "5", "labeled-data/v/img4.png"]
    path = tmp_path / "mixed.csv"
    pd.DataFrame(np.ones((4, 8)), columns=columns, index=index).to_csv(path)
    with pytest.raises(FormatError, match=r"holds image paths and, in data row 3, '5', a number"):
        posebridge.load(path)
