"""SLEAP analysis CSV: files built here, the writer's round trip, and equality with the
analysis .h5 written from the same dataset."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest
import xarray as xr
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import posebridge
from _corpus import corpus_path
from _parser_warnings import (
    another_threads_parser_warning_while,
    pandas_warning_of_a_wide_first_row,
)
from posebridge import model
from posebridge.errors import FormatError, PoseBridgeError
from posebridge.formats import sleap_csv
from posebridge.formats._shared.untracked import rank_in_frame
from posebridge.registry import detect

HEADER = "track,frame_idx,instance.score,a.x,a.y,a.score,b.x,b.y,b.score\n"


def write_text(folder: Path, text: str, name: str = "x.analysis.csv") -> Path:
    path = folder / name
    path.write_text(text)
    return path


def test_three_spellings_of_missing_read_as_nan(tmp_path: Path):
    path = write_text(
        tmp_path,
        HEADER
        + "t,0,nan,1.5,2.5,,,,0.0\n"  # literal nan; empty score; empty x,y with score 0.0
        + "t,1,0.5,nan,nan,nan,3,4,0.25\n",
    )
    ds = sleap_csv.read(path)
    pos = ds.position.sel(individual="t")
    assert pos.sel(time=0, keypoint="a").values.tolist() == [1.5, 2.5]
    assert np.isnan(pos.sel(time=0, keypoint="b").values).all()
    assert np.isnan(pos.sel(time=1, keypoint="a").values).all()
    conf = ds.confidence.sel(individual="t")
    assert np.isnan(conf.sel(time=0, keypoint="a"))
    assert conf.sel(time=0, keypoint="b") == 0.0  # the score is kept as written
    assert np.isnan(conf.sel(time=1, keypoint="a"))
    assert np.isnan(ds.instance_score.sel(time=0, individual="t"))
    assert ds.instance_score.sel(time=1, individual="t") == 0.5


def test_untracked_rows_are_named_by_their_rank_in_the_frame(tmp_path: Path):
    path = write_text(tmp_path, HEADER + ",0,,1,1,,2,2,\n,0,,3,3,,4,4,\n,2,,5,5,,6,6,\n")
    ds = sleap_csv.read(path)
    assert ds.individual.values.tolist() == ["untracked_0", "untracked_1"]
    assert ds.position.sel(time=0, individual="untracked_1", keypoint="a").values.tolist() == [
        3,
        3,
    ]
    assert ds.position.sel(time=2, individual="untracked_0", keypoint="b").values.tolist() == [
        6,
        6,
    ]
    assert np.isnan(ds.position.sel(time=2, individual="untracked_1")).all()


def test_frames_without_rows_are_nan_from_frame_zero(tmp_path: Path):
    path = write_text(tmp_path, HEADER + "t,3,,1,1,,2,2,\nt,5,,1,1,,2,2,\n")
    ds = sleap_csv.read(path)
    assert ds.time.values.tolist() == list(range(6))
    assert np.isnan(ds.position.sel(time=[0, 1, 2, 4])).all()
    only = sleap_csv.read(path, all_frames=False)
    assert only.time.values.tolist() == [3, 5]


def test_track_order_keeps_every_frame_order(tmp_path: Path):
    # "b" appears first (frame 0) but frame 1 shows "a" comes before "b"
    path = write_text(tmp_path, HEADER + "b,0,,1,1,,1,1,\na,1,,1,1,,1,1,\nb,1,,1,1,,1,1,\n")
    assert sleap_csv.read(path).individual.values.tolist() == ["a", "b"]


def test_rank_in_frame_counts_within_each_frame():
    frames = np.array([7, 3, 7, 7, 3, 9])
    assert rank_in_frame(frames).tolist() == [0, 0, 1, 2, 1, 0]


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("frame,track\n1,2\n", "line 1"),
        ("track,frame_idx,instance.score,a.x,a.score\n", "line 1: the node 'a' has"),
        ("track,frame_idx,instance.score,a.x,b.y,a.score\n", "line 1: the node 'a' has"),
        ("track,frame_idx,instance.score,a.x,a.y,a.score,a.x\n", "line 1: the node 'a' has"),
        ("track,frame_idx,instance.score,a.x,a.y,a.z\n", "line 1, column 6: expected"),
        (HEADER + "t,0,,1,1,,2,2,\nt,zero,,1,1,,2,2,\n", "line 3, column 'frame_idx'"),
        (HEADER + "t,0,,1,oops,,2,2,\n", "line 2, column 'a.y'"),
        # infinity (pandas writes it "inf"): refused here, naming the cell, not later
        (HEADER + "t,0,,1,1,,2,2,\nt,1,,inf,1,,2,2,\n", "line 3, column 'a.x'"),
        (HEADER + "t,0,,1,-inf,,2,2,\n", "line 2, column 'a.y': expected a finite number"),
        (HEADER + "t,0,,1,1,,2,2,Infinity\n", "line 2, column 'b.score'"),
        (HEADER + "t,0,inf,1,1,,2,2,\n", "line 2, column 'instance.score'"),
        (HEADER + "t,0,,inf,1,,2,2,\nt,1,,1,1,,x,2,\n", "line 2, column 'a.x'"),
        (HEADER + "t,-1,,1,1,,2,2,\n", "line 2, column 'frame_idx'"),
        (HEADER + "t,9223372036854775807,,1,1,,2,2,\n", "line 2, column 'frame_idx'"),
        (HEADER + "t,0,,1,1,,2,2,\nu,0,,1,1,,2,2,\nt,0,,1,1,,2,2,\n", "lines 2 and 4"),
        ("", "line 1"),
        # rows of the wrong width: pandas would pad a short one with NaN, or drop the
        # extra cells of a long first row (and spend minutes on 100,000 of them)
        (HEADER + "t,0,,1,1,,2,2" + "," * 100_000 + "\nt,1,,1,1,,2,2,\n", "line 2: 100008 cells"),
        (HEADER + "t,0,,1,1,,2,2,\nt,1,,1,1\nt,2,,1,1,,2,2,\n", "line 3: 5 cells"),
        (HEADER + "t,0,,1,1,,2,2,\nt,1,,1,1,,2,2,,\n", "line 3: 10 cells where the header has 9."),
        (HEADER + "t,0,,1,1,,2,2,\nt,1,,1", "line 3: 4 cells where the header has 9; the file"),
        (HEADER.replace("a.x", '"a.x"') + "t,0,,1,1,,2,2,,\n", "line 2: 10 cells"),
        # quotes in the file: a short middle row is still refused (pandas padded it)
        (HEADER + '"t,1",0,,1,1,,2,2,\nt,1,,1,1\nt,2,,1,1,,2,2,\n', "line 3: 5 cells"),
        # a quoted line break: the rows after it are counted by the file's lines
        (HEADER + '"t\n2",0,,1,1,,2,2,\nt,1,,1,1,,2,2\n', "line 4: 8 cells"),
    ],
)
def test_bad_input_names_the_file_and_line(tmp_path: Path, text: str, where: str):
    path = write_text(tmp_path, text)
    with pytest.raises(FormatError) as error:
        sleap_csv.read(path)
    assert str(path) in str(error.value) and where in str(error.value)


def test_sniff_claims_the_header_only(tmp_path: Path):
    good = write_text(tmp_path, HEADER + "t,0,,1,1,,2,2,\n", "renamed.csv")
    assert detect(good) == "sleap-csv"
    other = write_text(tmp_path, "scorer,DLC\nbodyparts,a\ncoords,x\n", "other.csv")
    with posebridge._files.Peek(other) as peek:
        assert not sleap_csv.sniff(peek)


def test_sleap_family_name_reads_and_writes_csv(tmp_path: Path):
    from posebridge import registry

    assert registry.resolve_for_writing(tmp_path / "x.analysis.csv", "SLEAP", "poses").name == (
        "sleap-csv"
    )
    path = write_text(tmp_path, HEADER + "t,0,,1,1,,2,2,\n")
    assert posebridge.load(path, format="SLEAP").individual.values.tolist() == ["t"]


def test_writer_refuses_3d_poses(tmp_path: Path):
    ds = model.from_numpy(np.zeros((2, 3, 1, 1)))
    with pytest.raises(PoseBridgeError, match=r"SLEAP CSV poses are 2D \(x, y\)"):
        sleap_csv.write(ds, tmp_path / "x.analysis.csv")


def test_writer_refuses_negative_frame_numbers(tmp_path: Path):
    """SLEAP's frame_idx counts from 0 (the reader refuses anything else): refused before a
    file is written."""
    ds = posebridge.from_numpy(np.ones((3, 2, 2, 1))).assign_coords(time=[-5, -4, -2])
    target = tmp_path / "x.analysis.csv"
    with pytest.raises(posebridge.PoseBridgeError, match="frame -5"):
        posebridge.save(ds, target, format="sleap-csv")
    assert list(tmp_path.iterdir()) == []


def test_written_file_is_sleap_layout(tmp_path: Path):
    position = np.arange(2 * 2 * 2 * 2, dtype=float).reshape(2, 2, 2, 2)
    position[1, :, :, 1] = np.nan  # individual 1 absent in frame 1: no row
    ds = model.from_numpy(
        position, individual_names=["untracked_0", "untracked_1"], keypoint_names=["a", "b"]
    )
    (path,) = sleap_csv.write(ds, tmp_path / "x.analysis.csv")
    rows = list(csv.reader(path.open()))
    assert rows[0] == HEADER.strip().split(",")
    assert [r[:2] for r in rows[1:]] == [["", "0"], ["", "0"], ["", "1"]]
    assert float(rows[1][3]) == position[0, 0, 0, 0]


# --------------------------------------------------------------------------
# round trips


@st.composite
def sleap_like(draw) -> xr.Dataset:
    n_time = draw(st.integers(1, 6))
    n_kp = draw(st.integers(1, 3))
    n_ind = draw(st.integers(1, 3))
    floats = st.floats(-1e6, 1e6) | st.just(float("nan"))
    position = draw(hnp.arrays(np.float64, (n_time, 2, n_kp, n_ind), elements=floats))
    confidence = draw(hnp.arrays(np.float64, (n_time, n_kp, n_ind), elements=floats))
    instance = draw(hnp.arrays(np.float64, (n_time, n_ind), elements=floats))
    untracked = draw(st.booleans())
    names = (
        [f"untracked_{i}" for i in range(n_ind)]
        if untracked and n_ind == 1
        else [f"track {i}" for i in range(n_ind)]
    )
    # the last frame holds something (a CSV cannot say that later empty frames exist)
    position[-1, :, 0, 0] = 1.0
    ds = model.from_numpy(
        position,
        confidence,
        individual_names=names,
        keypoint_names=[f"k.{i}" for i in range(n_kp)],
        source_software="SLEAP",
    )
    return ds.assign(instance_score=((model.TIME, model.INDIVIDUAL), instance))


def _comparable(ds: xr.Dataset) -> xr.Dataset:
    out = ds.drop_vars(["skeleton_edges", "skeleton_symmetries"], errors="ignore")
    out.attrs = {k: v for k, v in ds.attrs.items() if k in ("ds_type", "time_unit")}
    if "instance_score" in out and not np.isfinite(out.instance_score).any():
        out = out.drop_vars("instance_score")
    return out


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(ds=sleap_like())
def test_csv_round_trip_is_equal(tmp_path: Path, ds: xr.Dataset):
    (path,) = posebridge.save(ds, tmp_path / "rt.analysis.csv", overwrite=True)
    back = posebridge.load(path)
    expected = _comparable(ds)
    # individuals absent from every row cannot appear in a CSV
    present = [
        str(n)
        for n in ds.individual.values
        if np.isfinite(ds.position.sel(individual=n)).any()
        or np.isfinite(ds.confidence.sel(individual=n)).any()
        or np.isfinite(ds.instance_score.sel(individual=n)).any()
    ]
    # the order of tracks that never share a frame is not in the file (first appearance
    # decides; test_track_order_keeps_every_frame_order covers the determined case)
    xr.testing.assert_equal(
        _comparable(back).sel(individual=present), expected.sel(individual=present)
    )


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(ds=sleap_like())
def test_csv_and_analysis_h5_of_one_dataset_read_equal(tmp_path: Path, ds: xr.Dataset):
    if not all(
        np.isfinite(ds[v].sel(individual=n)).any()
        for n in ds.individual.values
        for v in ("position",)
    ):
        ds = ds.isel(individual=[0])  # an empty track is kept by the .h5, not by the CSV
    (csv_path,) = posebridge.save(ds, tmp_path / "same.analysis.csv", overwrite=True)
    (h5_path,) = posebridge.save(ds, tmp_path / "same.analysis.h5", overwrite=True)
    from_csv, from_h5 = posebridge.load(csv_path), posebridge.load(h5_path)
    from_csv = from_csv.sel(individual=from_h5.individual.values)  # see the round trip above
    xr.testing.assert_equal(_comparable(from_csv), _comparable(from_h5))


@pytest.mark.parametrize(
    ("keypoints", "individuals"),
    [(["nose\rtip", "tail"], ["m1"]), (["nose", "tail"], ["m1\r"])],
    ids=["keypoint", "track"],
)
def test_writer_refuses_a_carriage_return_in_a_name(tmp_path: Path, keypoints, individuals):
    """The file was written and then refused by the reader (a lone \r is taken for the
    line ends of a classic Mac OS file): refused before a file is written."""
    ds = posebridge.from_numpy(
        np.ones((2, 2, 2, 1)), keypoint_names=keypoints, individual_names=individuals
    )
    with pytest.raises(posebridge.errors.SchemaError, match="SLEAP CSV"):
        posebridge.save(ds, tmp_path / "x.analysis.csv", format="sleap-csv")
    assert list(tmp_path.iterdir()) == []


def test_track_and_node_names_with_commas_and_quotes_round_trip(tmp_path: Path):
    position = np.arange(8, dtype=float).reshape(1, 2, 2, 2)
    ds = model.from_numpy(
        position, individual_names=["a,b", 'say "hi"'], keypoint_names=["n,1", "n.2"]
    )
    (path,) = sleap_csv.write(ds, tmp_path / "q.analysis.csv")
    back = sleap_csv.read(path)
    assert back.individual.values.tolist() == ["a,b", 'say "hi"']
    assert back.keypoint.values.tolist() == ["n,1", "n.2"]
    np.testing.assert_array_equal(back.position.values, position)


def test_quoted_commas_and_line_breaks_in_track_names_are_not_separators(tmp_path: Path):
    path = write_text(tmp_path, HEADER + '"a,\nb",0,,1,2,,3,4,\n"say ""hi""",0,,5,6,,7,8,\n')
    ds = sleap_csv.read(path)
    assert ds.individual.values.tolist() == ["a,\nb", 'say "hi"']
    np.testing.assert_array_equal(
        ds.position.sel(individual='say "hi"').values[0], [[5, 7], [6, 8]]
    )


def test_a_far_frame_needs_all_frames_false(tmp_path: Path):
    """Found by fuzzing: one row at a huge frame asked for every frame from 0 to it."""
    path = write_text(tmp_path, HEADER + "t,2000000000,,1,1,,2,2,\n")
    with pytest.raises(FormatError, match="all_frames=False") as error:
        sleap_csv.read(path)
    assert str(path) in str(error.value)
    ds = posebridge.load(path, "sleap-csv", all_frames=False)
    assert ds.sizes["time"] == 1 and ds.time.values.tolist() == [2_000_000_000]


@pytest.mark.parametrize("name", ["x, y", "left\near"], ids=["comma", "line-end"])
def test_node_names_with_commas_or_line_ends_are_detected_and_read_back(tmp_path, name):
    """The writer quotes them; the sniffer split the header at every comma, and read
    only its first line (a name with a line end: not recognised)."""
    ds = posebridge.from_numpy(np.ones((2, 2, 2, 1)), individual_names=["m"],
                               keypoint_names=[name, "tail"])  # fmt: skip
    path = tmp_path / "p.analysis.csv"
    posebridge.save(ds, path)
    assert posebridge.detect(path) == "sleap-csv"
    assert posebridge.load(path).keypoint.values.tolist() == [name, "tail"]


def test_a_csv_sleap_io_writes_with_each_nodes_columns_sorted_is_read(tmp_path):
    """sleap-io's save_csv(format="sleap") sorts the node columns (score, x, y)."""
    sio = pytest.importorskip("sleap_io")
    skeleton = sio.Skeleton(["head", "tail", "abdomen"])
    track = sio.Track("t1")
    rng = np.random.default_rng(6)
    points = rng.uniform(0, 100, (2, 3, 2))
    frames = [
        sio.LabeledFrame(
            video=sio.Video(filename="v.mp4", open_backend=False),
            frame_idx=k,
            instances=[
                sio.PredictedInstance.from_numpy(
                    points[k], skeleton=skeleton, score=0.9, track=track
                )
            ],
        )
        for k in range(2)
    ]
    path = tmp_path / "sio.csv"
    sio.save_csv(sio.Labels(frames), str(path), format="sleap")
    ds = posebridge.load(path)
    order = ds.keypoint.values.tolist()
    assert sorted(order) == ["abdomen", "head", "tail"]
    for name, k in (("head", 0), ("tail", 1), ("abdomen", 2)):
        np.testing.assert_allclose(
            ds.position.sel(keypoint=name, individual="t1").values, points[:, k, :]
        )


def test_a_header_without_nodes_is_refused_as_such(tmp_path):
    """It failed on "Coordinate 'keypoint' must hold strings, got dtype float64"."""
    path = tmp_path / "p.analysis.csv"
    path.write_text("track,frame_idx,instance.score\nt,0,0.5\n")
    with pytest.raises(FormatError, match=r"p\.analysis\.csv: line 1: the header has no node"):
        posebridge.load(path, format="sleap-csv")


def test_a_header_without_rows_is_refused_naming_the_file(tmp_path):
    path = tmp_path / "p.analysis.csv"
    path.write_text("track,frame_idx,instance.score,b.x,b.y,b.score\n")
    with pytest.raises(FormatError, match=r"p\.analysis\.csv: holds no row after its header"):
        posebridge.load(path)


def test_a_negative_zero_keeps_its_sign(tmp_path):
    """pandas reads a column of whole numbers as integers, and "-0" as 0: read as floats."""
    path = write_text(tmp_path, HEADER + "t,0,-0,-0,-0,-0,1,2,-0\n")
    ds = sleap_csv.read(path)
    point = ds.position.sel(individual="t").isel(time=0).values  # (space, keypoint)
    assert np.signbit(point[:, 0]).all() and not np.signbit(point[:, 1]).any()
    assert np.signbit(ds.confidence.sel(individual="t").values[0]).tolist() == [True, True]
    assert np.signbit(ds.instance_score.sel(individual="t").values[0])


def test_rows_spanning_too_many_frames_are_written_with_a_warning_and_read_with_all_frames_false(
    tmp_path,
):
    """The writer accepted frames [3, 2**30] without a word, and the default reader then
    refused the file it wrote."""
    ds = posebridge.from_numpy(np.ones((2, 2, 1, 1))).assign_coords(time=[3, 2**30])
    with pytest.warns(UserWarning, match=r"span frames 0 to 1073741824; read it back with all_"):
        (path,) = posebridge.save(ds, tmp_path / "wide.analysis.csv", format="sleap-csv")
    with pytest.raises(posebridge.FormatError, match="all_frames=False"):
        posebridge.load(path)
    back = posebridge.load(path, all_frames=False)
    assert back.time.values.tolist() == [3, 2**30]


@pytest.mark.parametrize(
    ("slp", "include_score"),
    [("minimal_instance.slp", True), ("clip.predictions.slp", False)],
    ids=["labelled instances", "predictions, include_score=False"],
)
def test_a_csv_sleap_io_writes_without_node_score_columns_reads_as_sleap_io_reads_it(
    tmp_path, slp, include_score
):
    """sleap-io leaves the <node>.score columns out for labelled instances and with
    include_score=False: such a file was not recognised, and refused as SLEAP CSV."""
    sio = pytest.importorskip("sleap_io")

    path = tmp_path / "sio.csv"
    sio.save_csv(sio.load_slp(str(corpus_path(f"sleap_slp/{slp}"))), str(path), format="sleap",
                 include_score=include_score)  # fmt: skip
    header = path.read_text().splitlines()[0].split(",")
    assert not [cell for cell in header[3:] if cell.endswith(".score")]

    ds = posebridge.load(path)

    assert posebridge.detect(path) == "sleap-csv"
    theirs = sio.load_csv(str(path))
    assert ds.keypoint.values.tolist() == theirs.skeletons[0].node_names
    for frame in theirs.labeled_frames:  # each instance by its track (or rank in the frame)
        for rank, instance in enumerate(frame.instances):
            name = instance.track.name if instance.track else f"untracked_{rank}"
            ours = ds.position.sel(time=frame.frame_idx, individual=name).values.T
            np.testing.assert_array_equal(ours, instance.numpy())
    assert np.isnan(ds.confidence.values).all()


def test_writer_refuses_a_node_whose_columns_clash_with_the_fixed_ones(tmp_path: Path):
    """r_sleapcsv_instance_node: a keypoint named 'instance' wrote a second instance.score
    column, which the reader then failed on with pandas' "Duplicate names"."""
    ds = posebridge.from_numpy(np.ones((2, 2, 2, 1)), keypoint_names=["instance", "tail"])
    path = tmp_path / "kp.analysis.csv"
    with pytest.raises(PoseBridgeError, match=r"keypoint name\(s\) 'instance' would give"):
        posebridge.save(ds, path, format="sleap-csv")
    assert list(tmp_path.iterdir()) == []  # refused before anything was written


def test_a_header_that_names_a_column_twice_is_refused_naming_it(tmp_path: Path):
    path = write_text(
        tmp_path,
        "track,frame_idx,instance.score,instance.x,instance.y,instance.score\n,0,1,2,3,4\n",
    )
    with pytest.raises(FormatError, match=r"line 1: .*'instance.score' more than once"):
        sleap_csv.read(path)


def test_a_warning_of_pandas_about_a_wide_first_row_is_refused(tmp_path: Path, monkeypatch):
    """The parser's warning that it dropped the extra cells of the first row is an error
    naming the line (the width check before it sees such rows too: this is its backstop)."""
    path = write_text(tmp_path, HEADER + "t,0,,1,1,,2,2,\n")
    pandas_warning_of_a_wide_first_row(monkeypatch)
    with pytest.raises(FormatError, match="line 2: more cells than the header's 9") as error:
        sleap_csv.read(path)
    assert str(path) in str(error.value)


def test_another_threads_parser_warning_stays_a_warning_while_a_file_is_read(
    tmp_path: Path, monkeypatch
):
    """The read ran pandas under simplefilter("error", ParserWarning), process-wide: a
    ParserWarning another thread raised meanwhile was raised there as an error."""
    path = write_text(tmp_path, HEADER + "t,0,,1,1,,2,2,\n")
    read = []
    got = another_threads_parser_warning_while(
        lambda: read.append(sleap_csv.read(path)), monkeypatch
    )

    assert got == {"raised": False, "recorded": ["another thread's"]}
    assert read[0].sizes["time"] == 1  # the read itself still done


@pytest.mark.parametrize(
    ("header", "row", "said"),
    [
        ("track,frame_idx,instance.score,A.x,A.score", "t,0,0.5,1,0.9", "the node 'A' has"),
        (
            "track,frame_idx,instance.score,A.x,A.y,A.score,A.x,A.y,A.score",
            "t,0,0.5,1,2,0.9,3,4,0.8",
            "the node 'A' has",
        ),
        ("track,frame_idx,instance.score,A.x,A.y,A.score,note", "t,0,0.5,1,2,0.9,z", "'note'"),
        ("track, frame_idx, instance.score, A.x, note", "t,0,0.5,1,z", "'note'"),
    ],
    ids=["x-without-y", "node-twice", "stray-column", "padded-stray-column"],
)
def test_a_damaged_header_after_sleaps_leading_columns_is_detected_and_named(
    tmp_path: Path, header: str, row: str, said: str
):
    """Such a file was 'no format fits'; only format='sleap-csv' showed what is wrong."""
    path = write_text(tmp_path, f"{header}\n{row}\n", "renamed.csv")
    assert detect(path) == "sleap-csv"
    with pytest.raises(FormatError) as refused:
        posebridge.load(path)
    assert f"{path}: line 1" in str(refused.value) and said in str(refused.value)


@pytest.mark.parametrize(
    "header",
    ["frame_idx,track,instance.score,a.x,a.y", "track,frame_idx,score,a.x,a.y", "track,frame"],
)
def test_a_header_without_sleaps_leading_columns_is_not_claimed(tmp_path: Path, header: str):
    path = write_text(tmp_path, f"{header}\nt,0,0.5,1,2\n", "other.csv")
    with posebridge._files.Peek(path) as peek:
        assert not sleap_csv.sniff(peek)


@pytest.mark.parametrize(
    "individuals",
    [["untracked_0", "mouse"], ["untracked_1", "rat", "untracked_0", "mouse"]],
)
def test_untracked_individuals_are_written_after_the_tracks_and_read_back_in_that_order(
    tmp_path: Path, individuals: list[str]
):
    """Every SLEAP reader puts the instances without a track after the tracks, numbered
    by their rank in the frame: the writer writes them so (with a warning), and the
    file reads back in the order it was written, each name with its own points."""
    n = len(individuals)
    pos = np.arange(3 * 2 * 1 * n, dtype=float).reshape(3, 2, 1, n)
    ds = posebridge.from_numpy(
        pos,
        confidence_array=np.full((3, 1, n), 0.5),
        keypoint_names=["nose"],
        individual_names=individuals,
    )
    path = tmp_path / "x.analysis.csv"
    with pytest.warns(UserWarning, match="after the tracks") as record:
        posebridge.save(ds, path)
    expected = [n for n in individuals if not n.startswith("untracked_")] + sorted(
        n for n in individuals if n.startswith("untracked_")
    )
    assert str(path) in str(record[0].message)
    with open(path, newline="") as handle:
        rows = list(csv.reader(handle))[1:]
    written = [row[0] or "untracked" for row in rows if row[1] == "0"]
    assert written == [
        name if not name.startswith("untracked_") else "untracked" for name in expected
    ]
    back = posebridge.load(path)
    assert back.individual.values.tolist() == expected
    xr.testing.assert_equal(
        back.position.sel(individual=individuals).reset_coords(drop=True),
        ds.position.reset_coords(drop=True),
    )


def test_the_written_order_is_kept_without_a_warning_when_untracked_come_last(tmp_path: Path):
    ds = posebridge.from_numpy(
        np.ones((2, 2, 1, 3)),
        keypoint_names=["nose"],
        individual_names=["rat", "mouse", "untracked_0"],
    )
    path = tmp_path / "x.analysis.csv"
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        posebridge.save(ds, path)
    assert posebridge.load(path).individual.values.tolist() == ["rat", "mouse", "untracked_0"]


def test_sleap_io_reads_the_untracked_rows_written_after_the_tracks(tmp_path: Path):
    sio = pytest.importorskip("sleap_io")
    pos = np.arange(2 * 2 * 1 * 2, dtype=float).reshape(2, 2, 1, 2)
    ds = posebridge.from_numpy(
        pos, keypoint_names=["nose"], individual_names=["untracked_0", "mouse"]
    )
    path = tmp_path / "x.analysis.csv"
    with pytest.warns(UserWarning, match="after the tracks"):
        posebridge.save(ds, path)
    labels = sio.load_file(str(path), format="csv")
    for frame in labels.labeled_frames:
        t = frame.frame_idx
        by_track = {
            (inst.track.name if inst.track is not None else None): inst.numpy()[0]
            for inst in frame.instances
        }
        np.testing.assert_array_equal(by_track["mouse"], pos[t, :, 0, 1])
        np.testing.assert_array_equal(by_track[None], pos[t, :, 0, 0])


@pytest.mark.parametrize("digits", [20, 5000], ids=["past int64", "past Python's 4300 digits"])
def test_an_untracked_number_too_large_for_an_integer_is_written_in_number_order(
    tmp_path: Path, digits: int
):
    """h152 #1: untracked_<20 digits> raised a raw OverflowError (the order was sorted as
    int64). It is written after the tracks and after the smaller untracked_3, and each
    reads back with its own points."""
    huge = "untracked_" + "9" * digits
    individuals = [huge, "mouse", "untracked_3"]
    pos = np.arange(3 * 2 * 1 * 3, dtype=float).reshape(3, 2, 1, 3)
    ds = posebridge.from_numpy(pos, keypoint_names=["a"], individual_names=individuals)
    path = tmp_path / "x.analysis.csv"
    with pytest.warns(UserWarning, match="after the tracks"):
        posebridge.save(ds, path, format="sleap-csv")
    back = posebridge.load(path)
    assert back.individual.values.tolist() == ["mouse", "untracked_0", "untracked_1"]
    for name, read_as in [
        ("mouse", "mouse"),
        ("untracked_3", "untracked_0"),
        (huge, "untracked_1"),
    ]:
        np.testing.assert_array_equal(
            back.position.sel(individual=read_as).values, ds.position.sel(individual=name).values
        )


@pytest.mark.parametrize("name", ["untracked_\u0663", "untracked_3\n"], ids=["arabic", "line-end"])
def test_a_name_like_untracked_with_other_digits_or_a_line_end_stays_a_track(
    tmp_path: Path, name: str
):
    """h152 #1: the untracked test took any script's digits and a trailing line end
    (``re.match`` with ``$``): such a name was written as an untracked instance and read
    back as untracked_0. It is a track's name, written and read back as it is."""
    ds = posebridge.from_numpy(
        np.ones((2, 2, 1, 2)), keypoint_names=["a"], individual_names=["mouse", name]
    )
    path = tmp_path / "x.analysis.csv"
    posebridge.save(ds, path, format="sleap-csv")
    with open(path, newline="") as handle:
        tracks = {row[0] for row in list(csv.reader(handle))[1:]}
    assert tracks == {"mouse", name}
    assert posebridge.load(path).individual.values.tolist() == ["mouse", name]


def test_the_span_advice_names_the_read_option_on_the_command_line(tmp_path: Path):
    """h155 #3: the reader's refusal and the writer's warning said all_frames=False on
    the command line too, where the flag is --read-option all_frames=false; following
    the advice there reads the file."""
    from click.testing import CliRunner

    from posebridge.cli import cli
    from posebridge.errors import worded_for_command_line

    ds = posebridge.from_numpy(np.ones((2, 2, 1, 1))).assign_coords(time=[3, 2**30])
    path = tmp_path / "wide.analysis.csv"
    with pytest.warns(UserWarning, match="read it back with") as caught:
        posebridge.save(ds, path, format="sleap-csv")
    (warning,) = [w.message for w in caught if "read it back with" in str(w.message)]
    worded = worded_for_command_line(warning)
    assert "read it back with --read-option all_frames=false" in worded
    assert "all_frames=False" not in worded and "all_frames=True" not in worded

    out = tmp_path / "out.nc"
    refused = CliRunner().invoke(cli, ["convert", str(path), str(out)])
    assert refused.exit_code != 0
    assert "Pass --read-option all_frames=false" in refused.output
    assert "all_frames=False" not in refused.output
    done = CliRunner().invoke(
        cli, ["convert", str(path), str(out), "--read-option", "all_frames=false"]
    )
    assert done.exit_code == 0, done.output
    assert posebridge.load(out).time.values.tolist() == [3, 2**30]


def test_tracks_that_never_share_a_frame_warn_of_the_order_they_read_back_in(tmp_path: Path):
    """The reader orders tracks by their rows within each frame, so tracks that never
    share a frame come back in the order of their first row: 'b' listed first but seen
    last reads back after 'a', which the writer says once, naming that order (h172
    finding 4)."""
    pos = np.random.default_rng(6).uniform(1, 99, (4, 2, 2, 2))
    pos[:2, ..., 0] = np.nan  # 'b' in frames 2, 3 only
    pos[2:, ..., 1] = np.nan  # 'a' in frames 0, 1 only
    ds = posebridge.from_numpy(pos, individual_names=["b", "a"], keypoint_names=["p", "q"])
    path = tmp_path / "x.analysis.csv"
    with pytest.warns(UserWarning, match="read back in the order of their first row") as record:
        posebridge.save(ds, path)
    said = [str(w.message) for w in record if "order" in str(w.message)]
    assert len(said) == 1 and said[0].startswith(f"{path}:")
    assert "read back, in the order 'a', 'b', not the dataset's" in said[0]
    assert posebridge.load(path).individual.values.tolist() == ["a", "b"]
    import warnings

    together = ds.copy(deep=True)
    together["position"][0] = 1.0  # 'b' and 'a' share frame 0: written, and read, b then a
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        posebridge.save(together, tmp_path / "t.analysis.csv")
    assert posebridge.load(tmp_path / "t.analysis.csv").individual.values.tolist() == ["b", "a"]


def test_a_per_keypoint_variable_is_warned_as_not_written(tmp_path: Path):
    """A SLEAP CSV holds a point's position and score: another per-keypoint variable (an
    EKS variance, Anipose's reprojection_error) is named in a warning on the file, as the
    analysis .h5 writer names it (h172 finding 6)."""
    rng = np.random.default_rng(13)
    ds = posebridge.from_numpy(
        rng.uniform(1, 99, (3, 2, 2, 1)),
        rng.uniform(0, 1, (3, 2, 1)),
        individual_names=["track_1"],
        keypoint_names=["p", "q"],
    )
    ds["x_ens_var"] = (("time", "keypoint", "individual"), rng.uniform(0, 1, (3, 2, 1)))
    path = tmp_path / "a.analysis.csv"
    with pytest.warns(UserWarning) as record:
        posebridge.save(ds, path)
    said = [str(w.message) for w in record if "x_ens_var" in str(w.message)]
    assert len(said) == 1 and said[0].startswith(f"{path}: SLEAP analysis CSV files have no")
