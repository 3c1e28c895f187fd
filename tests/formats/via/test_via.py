"""VIA tracks .csv: reading every documented variant, writing VIA's layout, bad input by line."""

from __future__ import annotations

import csv
import importlib
import json
import warnings

import numpy as np
import pandas as pd
import pytest
import xarray as xr
from hypothesis import given, settings
from hypothesis import strategies as st

import posebridge
from _parser_warnings import another_threads_parser_warning_while
from posebridge import model
from posebridge._files import Peek
from posebridge.errors import FormatError, PoseBridgeError, SchemaError
from posebridge.formats import via
from posebridge.formats.via import table as _via_table
from posebridge.io import load_bboxes, save_bboxes

HEADER = [
    "filename",
    "file_size",
    "file_attributes",
    "region_count",
    "region_id",
    "region_shape_attributes",
    "region_attributes",
]


def via_file(path, rows, header=None):
    """Write rows (filename, file_attributes dict, shape dict, region dict) as VIA does."""
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header or HEADER)
        for name, file_attrs, shape, region in rows:
            writer.writerow(
                [name, 0, json.dumps(file_attrs), 1, 0, json.dumps(shape), json.dumps(region)]
            )
    return path


def rect(x, y, w, h):
    return {"name": "rect", "x": x, "y": y, "width": w, "height": h}


@pytest.fixture
def tracks_csv(tmp_path):
    """Frames 3, 4 and 7 (a gap), track ids as int, "2" and "2.0", one box without confidence."""
    rows = [
        ("img_0003.png", {"shot": 0}, rect(10, 20, 4, 6), {"track": 1, "confidence": 0.9}),
        ("img_0003.png", {"shot": 0}, rect(50, 60, 8, 2), {"track": "2", "confidence": 0.5}),
        ("img_0004.png", {"shot": 0}, rect(11, 21, 4, 6), {"track": 1}),
        ("img_0007.png", {"shot": 0}, rect(52, 61, 8, 2), {"track": "2.0", "confidence": 0.4}),
    ]
    return via_file(tmp_path / "tracks.csv", rows)


def test_read_gives_centres_sizes_confidence_and_track_names(tracks_csv):
    ds = posebridge.load(tracks_csv)
    assert posebridge.detect(tracks_csv) == "via"
    assert ds.attrs["ds_type"] == "bboxes" and ds.attrs["source_software"] == "VIA-tracks"
    assert ds.individual.values.tolist() == ["id_1", "id_2"]
    # default: time counts from the first image, the gap (frames 5, 6) is kept
    assert ds.time.values.tolist() == [0, 1, 4]
    assert ds.frame.values.tolist() == [3, 4, 7]
    assert ds.image_path.values.tolist() == ["img_0003.png", "img_0004.png", "img_0007.png"]
    np.testing.assert_array_equal(ds.position.sel(individual="id_1", time=0), [12, 23])
    np.testing.assert_array_equal(ds.shape.sel(individual="id_2", time=4), [8, 2])
    np.testing.assert_array_equal(ds.position.sel(individual="id_2", time=4), [56, 62])
    assert np.isnan(ds.position.sel(individual="id_2", time=1)).all()
    np.testing.assert_array_equal(ds.confidence.sel(individual="id_1"), [0.9, np.nan, np.nan])


def test_use_frame_numbers_from_file_gives_the_file_numbers(tracks_csv):
    ds = load_bboxes.from_via_tracks_file(tracks_csv, use_frame_numbers_from_file=True)
    assert ds.time.values.tolist() == [3, 4, 7]
    assert "frame" not in ds.coords


def test_fps_keeps_the_file_frame_numbers(tracks_csv):
    ds = load_bboxes.from_via_tracks_file(tracks_csv, fps=10)
    np.testing.assert_allclose(ds.time.values, [0, 0.1, 0.4])
    assert ds.frame.values.tolist() == [3, 4, 7]
    assert model.frame_numbers(ds).tolist() == [3, 4, 7]


@pytest.mark.parametrize("use_frame_numbers_from_file", [False, True])
def test_fps_gives_seconds_when_the_file_frame_numbers_start_at_0(
    tmp_path, use_frame_numbers_from_file
):
    """A video's first frames (img_0000.png, ...): without a 'frame' coordinate (the numbers
    are the times) the rows were taken for still images and fps= was only recorded."""
    rows = [(f"img_{n:04d}.png", {}, rect(n, 0, 2, 2), {"track": 1}) for n in (0, 1, 3)]
    path = via_file(tmp_path / "tracks.csv", rows)
    ds = load_bboxes.from_via_tracks_file(
        path, fps=10, use_frame_numbers_from_file=use_frame_numbers_from_file
    )
    assert ds.attrs["time_unit"] == "seconds"
    np.testing.assert_allclose(ds.time.values, [0, 0.1, 0.3])
    assert ds.frame.values.tolist() == [0, 1, 3]
    loaded = posebridge.load(path, fps=10)
    np.testing.assert_allclose(loaded.time.values, [0, 0.1, 0.3])


def test_file_attributes_frame_wins_over_file_names(tmp_path):
    rows = [
        ("a.jpg", {"frame": 10}, rect(0, 0, 2, 2), {"track": 0}),
        ("b.jpg", {"frame": "12"}, rect(0, 0, 2, 2), {"track": 0}),
    ]
    ds = via.read(via_file(tmp_path / "f.csv", rows), use_frame_numbers_from_file=True)
    assert ds.time.values.tolist() == [10, 12]


def test_custom_frame_regexp(tmp_path):
    rows = [("cam1_f12_left.png", {}, rect(0, 0, 2, 2), {"track": 0})]
    path = via_file(tmp_path / "r.csv", rows)
    with pytest.raises(FormatError, match=r"line 2: cannot find a frame number"):
        posebridge.load(path)
    ds = load_bboxes.from_via_tracks_file(
        path, use_frame_numbers_from_file=True, frame_regexp=r"_f(\d+)_left\.png$"
    )
    assert ds.time.values.tolist() == [12]


def test_default_frame_regexp_reads_the_whole_number_before_the_extension(tmp_path):
    # movement's (0\d*)\.\w+$ starts at the first zero: img_1000.png was frame 0
    names = ["img_0998.png", "img_0999.png", "img_1000.png", "img1020.png", "f_7.png"]
    rows = [(name, {}, rect(i, 0, 2, 2), {"track": 0}) for i, name in enumerate(names)]
    ds = via.read(via_file(tmp_path / "n.csv", rows), use_frame_numbers_from_file=True)
    assert ds.time.values.tolist() == [7, 998, 999, 1000, 1020]
    assert ds.image_path.values.tolist() == [names[4], *names[:4]]


def test_a_frame_number_too_large_for_an_exact_count_is_named_as_such(tmp_path):
    rows = [("cam_12345678901234567.png", {}, rect(0, 0, 2, 2), {"track": 0})]
    path = via_file(tmp_path / "big.csv", rows)
    with pytest.raises(
        FormatError, match=r"'12345678901234567', expected a whole number strictly "
    ):
        via.read(path, use_frame_numbers_from_file=True)


def test_via_1_header_and_images_without_regions(tmp_path):
    path = tmp_path / "v1.csv"
    path.write_text(
        "#" + ",".join(HEADER) + "\n"
        'f_000.png,100,"{}",0,0,"{}","{}"\n'
        'f_001.png,100,"{}",1,0,"{""name"":""rect"",""x"":1,""y"":2,""width"":3,""height"":4}",'
        '"{""track"":""5""}"\n'
        'f_002.png,100,"{}",0,0,"{}","{}"\n'
    )
    ds = posebridge.load(path)
    assert ds.individual.values.tolist() == ["id_5"]
    # the empty images are kept as time steps with no box
    assert ds.time.values.tolist() == [0, 1, 2]
    expected = [[np.nan, np.nan], [2.5, 4], [np.nan, np.nan]]
    np.testing.assert_array_equal(ds.position.sel(individual="id_5").values, expected)


def test_point_region_is_a_zero_size_box(tmp_path):
    rows = [("f_01.png", {}, {"name": "point", "cx": 7, "cy": 9}, {"track": 3})]
    ds = posebridge.load(via_file(tmp_path / "p.csv", rows))
    np.testing.assert_array_equal(ds.position.values[0, :, 0], [7, 9])
    np.testing.assert_array_equal(ds.shape.values[0, :, 0], [0, 0])


def _bad(tmp_path, rows=None, text=None):
    path = tmp_path / "bad.csv"
    if text is not None:
        path.write_text(text)
        return path
    return via_file(path, rows)


GOOD = ("f_01.png", {}, rect(0, 0, 2, 2), {"track": 1})


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        (
            [GOOD, ("f_02.png", {}, {"name": "polygon", "all_points_x": [1, 2]}, {"track": 1})],
            "line 3: region shape 'polygon'",
        ),
        (
            [GOOD, ("f_02.png", {}, {"name": "circle", "cx": 1, "cy": 1, "r": 2}, {"track": 1})],
            "line 3: region shape 'circle'",
        ),
        (
            [GOOD, ("f_02.png", {}, {"x": 1, "y": 1, "width": 1, "height": 1}, {"track": 1})],
            "line 3: the region has no shape 'name'",
        ),
        (
            [GOOD, ("f_02.png", {}, {"name": "rect", "x": 1, "y": 1, "width": 1}, {"track": 1})],
            "line 3: .*'height'",
        ),
        ([GOOD, ("f_02.png", {}, rect(0, "a", 1, 1), {"track": 1})], "line 3: .*'y'"),
        (
            [GOOD, ("f_02.png", {}, rect(0, 0, 1, 1), {"id": 1})],
            "line 3: the region has no 'track'",
        ),
        ([GOOD, ("f_02.png", {}, rect(0, 0, 1, 1), {"track": "2.5"})], "line 3: track 2.5 is not"),
        ([GOOD, ("f_02.png", {}, rect(0, 0, 1, 1), {"track": "crab"})], "line 3: track 'crab'"),
        (  # past int64 (it wrapped to a negative track with only a RuntimeWarning)
            [GOOD, ("f_02.png", {}, rect(0, 0, 1, 1), {"track": 1e30})],
            r"line 3: track 1e\+30 is not a whole number strictly between -2\*\*53 and 2\*\*53",
        ),
        (  # past what a float64 holds exactly: read as a neighbouring number
            [GOOD, ("f_02.png", {}, rect(0, 0, 1, 1), {"track": 2**53 + 1})],
            "line 3: track 9007199254740993 is not a whole number",
        ),
        (
            [GOOD, ("f_02.png", {}, rect(0, 0, 1, 1), {"track": 1, "confidence": "high"})],
            "line 3: confidence 'high'",
        ),
        ([GOOD, GOOD], "line 3: track 1 appears twice in frame 1"),
        (
            [GOOD, ("g_01.png", {}, rect(0, 0, 1, 1), {"track": 2})],
            "line 3: frame 1 of 'g_01.png'",
        ),
        (
            [GOOD, ("f_2b.png", {}, rect(0, 0, 1, 1), {"track": 1})],
            "line 3: cannot find a frame number in the file name 'f_2b.png'",
        ),
        (
            [
                ("a.png", {"frame": 1}, rect(0, 0, 1, 1), {"track": 1}),
                ("b.png", {"frame": "two"}, rect(0, 0, 1, 1), {"track": 1}),
            ],
            "line 3: file_attributes 'frame' is 'two'",
        ),
        ([("f_01.png", {}, {}, {})], "holds no bounding boxes"),
    ],
)
def test_bad_rows_raise_naming_file_and_line(tmp_path, rows, message):
    path = _bad(tmp_path, rows)
    with pytest.raises(FormatError, match=message) as error:
        posebridge.load(path, format="via")
    assert str(path) in str(error.value)


HEAD = ",".join(HEADER) + "\n"
ROW = (
    'f_01.png,0,"{}",1,0,"{""name"":""rect"",""x"":1,""y"":2,""width"":3,""height"":4}",'
    '"{""track"":1}"\n'
)


@pytest.mark.parametrize("key", ["width", "height"])
def test_a_box_of_negative_size_is_refused_naming_line_and_key(tmp_path, key):
    """A rect of negative width or height (no tool draws one) was read without a word."""
    size = {"width": 1, "height": 1} | {key: -3.5}
    bad_row = ("f_02.png", {}, rect(0, 0, size["width"], size["height"]), {"track": 1})
    path = _bad(tmp_path, [GOOD, bad_row])
    with pytest.raises(
        FormatError,
        match=rf"bad\.csv: line 3: the rect region's '{key}' in region_shape_attributes is -3\.5",
    ):
        posebridge.load(path, format="via")


@pytest.mark.parametrize(
    "text", [HEAD, HEAD.rstrip("\n"), "\ufeff" + HEAD + "\n,,,,,,\n", "#" + HEAD + "\n\n"]
)
def test_a_file_holding_only_the_header_reads_as_no_boxes(tmp_path, text):
    """What movement writes for a dataset with no box, and reads as an empty dataset."""
    path = tmp_path / "none.csv"
    path.write_text(text, encoding="utf-8")
    for ds in (
        posebridge.load(path),
        posebridge.load(path, format="via", use_frame_numbers_from_file=True),
        load_bboxes.from_via_tracks_file(path, fps=30),
    ):
        assert ds.attrs["ds_type"] == "bboxes"
        assert dict(ds.sizes) == {"time": 0, "space": 2, "individual": 0}
        assert ds.position.shape == ds["shape"].shape == (0, 2, 0)
        assert ds.confidence.shape == (0, 0)
        model.validate(ds)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (HEAD + "\n" + ROW[:30] + "\n", "line 3"),  # after a blank line, a broken row
        ("filename,size,attrs\nx,1,2\n", "line 1: expected the VIA tracks header"),
        (
            HEAD + ROW + 'f_02.png,0,"{}",1,0,"{""name"":""rect"",""x"":1,","{""track"":1}"\n',
            "line 3: region_shape_attributes is not valid JSON",
        ),
        (
            HEAD + ROW + 'f_02.png,0,"{}",1,0,"{""name"":""rect""}"\n',
            "line 3: 6 cells where the header has 7",
        ),
        (  # a middle cell missing: pandas would pad the row, every later cell shifted
            HEAD + 'f_01.png,0,"{}",1,"{""name"":""rect"",""x"":1}","{""track"":1}"\n' + ROW,
            r"line 2: 6 cells where the header has 7\.",
        ),
        (
            HEAD + ROW + 'f_02.png,0,"{}",1,0,"[1, 2]","{""track"":1}"\n',
            "line 3: region_shape_attributes must be a JSON object",
        ),
        (HEAD + ROW + 'f_02.png,0,"{}",1,0,"{}","{}",extra\n', "line 3"),
        (
            HEAD + ROW + 'f_02.png,0,"{broken",1,0,"{}","{}"\n',
            "line 3: file_attributes is not valid JSON",
        ),
        (HEAD + ROW + ROW[:40], "starting at line 3"),  # truncated last line
    ],
)
def test_bad_files_raise_naming_file_and_line(tmp_path, text, message):
    path = _bad(tmp_path, text=text)
    with pytest.raises(FormatError, match=message) as error:
        posebridge.load(path, format="via")
    assert str(path) in str(error.value)


def test_a_first_row_wider_than_the_header_is_refused(tmp_path):
    """pandas drops the extra cells of the first row, with only a warning."""
    path = _bad(tmp_path, text=HEAD + ROW[:-1] + ",extra\n" + ROW)
    with pytest.raises(FormatError, match="line 2: has more cells than the 7") as error:
        posebridge.load(path, format="via")
    assert str(path) in str(error.value)


def test_another_threads_parser_warning_stays_a_warning_while_a_file_is_read(
    tmp_path, monkeypatch
):
    """The read ran pandas under simplefilter("error", ParserWarning), process-wide: a
    ParserWarning another thread raised meanwhile was raised there as an error."""
    path = _bad(tmp_path, text=HEAD + ROW)
    read = []
    got = another_threads_parser_warning_while(
        lambda: read.append(posebridge.load(path, format="via")), monkeypatch
    )

    assert got == {"raised": False, "recorded": ["another thread's"]}
    assert read[0].sizes["time"] == 1  # the read itself still done


def test_binary_file_and_bad_regexp(tmp_path, tracks_csv):
    binary = tmp_path / "bin.csv"
    binary.write_bytes(b"\xff\xfe\x00\x89garbage")
    with pytest.raises(PoseBridgeError, match="bin.csv"):
        posebridge.load(binary, format="via")
    with pytest.raises(FormatError, match="one capture group"):
        posebridge.load(tracks_csv, frame_regexp=r"\d+")
    with pytest.raises(FormatError, match="not a valid regular expression"):
        posebridge.load(tracks_csv, frame_regexp=r"(\d+")


def test_line_numbers_skip_blank_lines(tmp_path):
    bad = 'f_02.png,0,"{}",1,0,"{""name"":""rect"",""x"":1}","{""track"":2}"\n'
    path = _bad(tmp_path, text=HEAD + ROW + "\n\n" + bad)
    with pytest.raises(FormatError, match="line 5: "):
        posebridge.load(path)


# --------------------------------------------------------------------------
# the one-pass parser of JSON cells agrees with json.loads

# plain names and texts (the one-pass parser's case) and tricky ones (left to json)
_key = st.one_of(
    st.text(alphabet="abcxyz_", min_size=1, max_size=6),
    st.text(alphabet="abcxyz_ :,", min_size=1, max_size=6),
)
_value = st.one_of(
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.text(alphabet="0123456789.abc-", max_size=6),
    st.text(alphabet="0123456789.,: abc-", max_size=6),
    st.none(),
)


@settings(max_examples=200, deadline=None)
@given(
    keys=st.lists(_key, min_size=1, max_size=4, unique=True),
    rows=st.lists(st.lists(_value, min_size=4, max_size=4), min_size=1, max_size=6),
    cut=st.lists(st.integers(0, 4), min_size=6, max_size=6),
    spaced=st.booleans(),
)
def test_one_pass_parser_matches_json(keys, rows, cut, spaced):
    separators = (", ", ": ") if spaced else (",", ":")
    objects = [dict(zip(keys[: cut[i]], values, strict=False)) for i, values in enumerate(rows)]
    cells = np.array([json.dumps(o, separators=separators) for o in objects], dtype=object)
    fast = _via_table._flat_objects(cells)
    slow = pd.DataFrame(objects, index=range(len(objects)))
    if fast is None:
        return
    assert sorted(fast.columns) == sorted(slow.columns)
    for key in slow.columns:
        expected = _via_table.numbers(slow[key])
        got = _via_table.numbers(fast[key])
        np.testing.assert_array_equal(got, expected)
        text_expected = slow[key].map(lambda v: v if isinstance(v, str) else None)
        is_text = text_expected.notna().to_numpy() & np.isnan(expected)
        assert (
            fast[key].astype(object).to_numpy()[is_text].tolist()
            == text_expected[is_text].tolist()
        )


def test_one_pass_parser_is_used_for_the_usual_layout():
    cells = np.array(['{"track": 1, "confidence": 0.5}', '{"track": 2}'], dtype=object)
    parsed = _via_table._flat_objects(cells)
    assert parsed is not None
    np.testing.assert_array_equal(parsed["confidence"], [0.5, np.nan])


# --------------------------------------------------------------------------
# writing


def test_write_layout(tmp_path, bboxes_two_tracks):
    ds = bboxes_two_tracks.copy(deep=True)
    ds["confidence"][1, 0] = np.nan
    ds["position"][2, :, 1] = np.nan  # a missing box is skipped
    path = tmp_path / "out.csv"
    assert posebridge.save(ds, path, format="via") == [path]
    with open(path, newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == HEADER
    frames = [0, 0, 1, 1, 2, 5, 5, 6, 6]
    tracks = [1, 4, 1, 4, 1, 1, 4, 1, 4]
    assert [r[0] for r in rows[1:]] == [f"{f:02d}.png" for f in frames]  # digits of 6, plus one
    assert [json.loads(r[2])["frame"] for r in rows[1:]] == frames
    assert [int(r[3]) for r in rows[1:]] == [2, 2, 2, 2, 1, 2, 2, 2, 2]
    assert [int(r[4]) for r in rows[1:]] == [0, 1, 0, 1, 0, 0, 1, 0, 1]
    regions = [json.loads(r[6]) for r in rows[1:]]
    assert [r["track"] for r in regions] == tracks
    assert "confidence" not in regions[2]  # NaN confidence is omitted
    shapes = [json.loads(r[5]) for r in rows[1:]]
    time_index = {0: 0, 1: 1, 2: 2, 5: 3, 6: 4}
    for shape, frame, track in zip(shapes, frames, tracks, strict=True):
        assert shape["name"] == "rect"
        box = ds.sel(individual=f"id_{track}").isel(time=time_index[frame])
        w, h = box.shape.values
        assert shape["width"] == round(float(w), 6) and shape["height"] == round(float(h), 6)
        assert abs(shape["x"] - (box.position.values[0] - w / 2)) <= 5e-7


def test_round_trip_keeps_gaps_nan_and_six_decimals(tmp_path, bboxes_two_tracks):
    ds = bboxes_two_tracks.copy(deep=True)
    ds["position"][3, :, 0] = np.nan
    ds["confidence"][0, 1] = np.nan
    path = tmp_path / "rt.csv"
    save_bboxes.to_via_tracks_file(ds, path)
    back = load_bboxes.from_via_tracks_file(path, use_frame_numbers_from_file=True)
    assert back.time.values.tolist() == [0, 1, 2, 5, 6]
    assert back.individual.values.tolist() == ["id_1", "id_4"]
    expected_shape = ds.shape.where(ds.position.notnull())
    np.testing.assert_allclose(back.position, ds.position, atol=1e-6, rtol=0)
    np.testing.assert_allclose(back.shape, expected_shape, atol=6e-7, rtol=0)
    np.testing.assert_allclose(
        back.confidence, ds.confidence.where(ds.position.notnull().all("space")), atol=6e-7, rtol=0
    )
    again = tmp_path / "again.csv"
    save_bboxes.to_via_tracks_file(back, again)
    assert again.read_text() == path.read_text()


def test_reading_and_writing_keeps_file_names_and_numbers(tmp_path, tracks_csv):
    ds = posebridge.load(tracks_csv)
    out = tmp_path / "out.csv"
    posebridge.save(ds, out, format="via")
    original, written = pd.read_csv(tracks_csv), pd.read_csv(out)
    assert written["filename"].tolist() == original["filename"].tolist()
    back = posebridge.load(out)
    xr.testing.assert_allclose(back.drop_attrs(), ds.drop_attrs())
    assert back.frame.values.tolist() == ds.frame.values.tolist()
    # a naming option makes new names from the frame numbers
    posebridge.save(
        ds,
        tmp_path / "named.csv",
        format="via",
        image_file_prefix="frame_",
        image_file_suffix="jpg",
    )
    names = pd.read_csv(tmp_path / "named.csv")["filename"].unique().tolist()
    assert names == ["frame_03.jpg", "frame_04.jpg", "frame_07.jpg"]


@pytest.mark.parametrize("fps", [29.97, 30.0])
def test_thousands_of_frames_in_seconds_give_distinct_file_names(tmp_path, fps):
    n = 3000
    ds = model.bboxes_from_numpy(np.ones((n, 2, 1)), np.ones((n, 2, 1)), fps=fps)
    ds = ds.drop_vars("frame")  # only time in seconds and fps are left
    path = tmp_path / "many.csv"
    posebridge.save(ds, path, format="via")
    names = pd.read_csv(path)["filename"]
    assert names.is_unique and len(names) == n
    back = load_bboxes.from_via_tracks_file(path, use_frame_numbers_from_file=True)
    assert back.time.values.tolist() == list(range(n))


def test_single_frame_dataset(tmp_path):
    ds = model.bboxes_from_numpy(
        np.array([[[5.0], [6.0]]]), np.array([[[2.0], [4.0]]]), frame_array=np.array([9])
    )
    path = tmp_path / "one.csv"
    posebridge.save(ds, path, format="via")
    back = posebridge.load(path, use_frame_numbers_from_file=True)
    assert back.time.values.tolist() == [9]
    assert back.image_path.values.tolist() == ["09.png"]
    xr.testing.assert_equal(back.position.drop_vars("image_path"), ds.position)


def test_file_name_options(tmp_path, bboxes_two_tracks):
    path = tmp_path / "n.csv"
    save_bboxes.to_via_tracks_file(
        bboxes_two_tracks,
        path,
        frame_n_digits=5,
        image_file_prefix="cam1,",
        image_file_suffix=".jpg",
    )
    names = pd.read_csv(path)["filename"].unique().tolist()
    assert names == [f"cam1,{f:05d}.jpg" for f in (0, 1, 2, 5, 6)]  # quoted in the CSV
    back = posebridge.load(path, use_frame_numbers_from_file=True)  # frames from file_attributes
    assert back.time.values.tolist() == [0, 1, 2, 5, 6]
    with pytest.raises(SchemaError, match="frame_n_digits=0"):
        save_bboxes.to_via_tracks_file(bboxes_two_tracks, tmp_path / "m.csv", frame_n_digits=0)
    with pytest.raises(SchemaError, match="is not from 1 to 64"):  # was numpy's TypeError
        save_bboxes.to_via_tracks_file(
            bboxes_two_tracks, tmp_path / "m.csv", frame_n_digits=10**15
        )
    with pytest.raises(SchemaError, match="names no file ending"):  # '' became '.png'
        save_bboxes.to_via_tracks_file(bboxes_two_tracks, tmp_path / "m.csv", image_file_suffix="")
    assert not (tmp_path / "m.csv").exists()


def test_track_ids(tmp_path, bboxes_two_tracks):
    renamed = bboxes_two_tracks.assign_coords(individual=["crab_b", "crab_a"])
    with pytest.raises(SchemaError, match="no digits"):
        posebridge.save(renamed, tmp_path / "a.csv", format="via")
    posebridge.save(renamed, tmp_path / "b.csv", track_ids_from_trailing_numbers=False)
    tracks = [json.loads(c)["track"] for c in pd.read_csv(tmp_path / "b.csv")["region_attributes"]]
    assert tracks[:2] == [0, 1]  # dataset order: read back in the same order
    # movement's drop-in numbers the sorted names: crab_a is track 0, crab_b track 1
    save_bboxes.to_via_tracks_file(
        renamed, tmp_path / "d.csv", track_ids_from_trailing_numbers=False
    )
    table = pd.read_csv(tmp_path / "d.csv")
    first = table[table["filename"] == table["filename"].iloc[0]]
    x_of = {
        json.loads(a)["track"]: json.loads(s)["x"]
        for a, s in zip(first["region_attributes"], first["region_shape_attributes"], strict=True)
    }
    start = renamed.position - renamed.shape / 2
    for track, name in enumerate(["crab_a", "crab_b"]):
        assert x_of[track] == pytest.approx(float(start.sel(individual=name, space="x")[0]))
    clash = bboxes_two_tracks.assign_coords(individual=["a7", "b07"])
    with pytest.raises(SchemaError, match="repeated track ids"):
        posebridge.save(clash, tmp_path / "c.csv", format="via")


def test_write_refuses_what_it_cannot_hold(tmp_path, bboxes_two_tracks, poses_two_mice_with_nan):
    with pytest.raises(PoseBridgeError):
        posebridge.save(poses_two_mice_with_nan, tmp_path / "p.csv", format="via")
    with pytest.raises(SchemaError, match="boxes_from_poses"):
        via.write(poses_two_mice_with_nan, tmp_path / "q.csv")
    seconds = bboxes_two_tracks.assign_coords(time=[0.0, 0.1, 0.2, 0.5, 0.6])
    seconds.attrs["time_unit"] = "seconds"
    with pytest.raises(SchemaError, match="fps"):
        posebridge.save(seconds, tmp_path / "s.csv", format="via")
    infinite = bboxes_two_tracks.copy(deep=True)
    infinite["shape"][0, 0, 0] = np.inf
    with pytest.raises(SchemaError, match="infinite"):
        posebridge.save(infinite, tmp_path / "i.csv", format="via")
    assert not list(tmp_path.glob("*.csv"))


def test_write_refuses_a_box_of_negative_size_the_reader_would_refuse(tmp_path, bboxes_two_tracks):
    """The reader refuses a negative width or height, so the writer does not write one."""
    negative = bboxes_two_tracks.copy(deep=True)
    negative["shape"][1, 1, 0] = -2.0
    individual = str(negative.individual.values[0])
    with pytest.raises(SchemaError, match=rf"time index 1, individual '{individual}'"):
        posebridge.save(negative, tmp_path / "n.csv", format="via")
    assert not list(tmp_path.glob("*.csv"))


def test_write_ignores_a_negative_size_of_a_missing_box_it_does_not_write(
    tmp_path, bboxes_two_tracks
):
    """A box whose centre is NaN is not written, so its size (even negative) cannot be refused."""
    missing = bboxes_two_tracks.copy(deep=True)
    missing["position"][1, :, 0] = np.nan
    missing["shape"][1, 0, 0] = -3.0
    posebridge.save(missing, tmp_path / "m.csv", format="via")
    back = posebridge.load(tmp_path / "m.csv", format="via")
    first = str(missing.individual.values[0])
    frame = int(missing.time.values[1])
    assert frame not in back["position"].sel(individual=first).dropna("time", how="all").time
    written = back["shape"].sel(individual=first).dropna("time", how="all")
    assert (written.values >= 0).all()
    np.testing.assert_allclose(
        back["position"].sel(time=frame, individual=str(missing.individual.values[1])),
        missing["position"].isel(time=1, individual=1),
    )


def test_dataset_from_via_saves_to_netcdf(tmp_path, tracks_csv):
    ds = posebridge.load(tracks_csv)
    posebridge.save(ds, tmp_path / "b.nc")
    back = posebridge.load(tmp_path / "b.nc")
    back.attrs.pop("source_file"), ds.attrs.pop("source_file")
    xr.testing.assert_identical(back, ds)


def test_sniff_needs_the_exact_header(tmp_path, tracks_csv):
    assert via.sniff(Peek(tracks_csv))
    other = tmp_path / "other.csv"
    other.write_text("filename,file_size,file_attributes\n")
    anipose_like = tmp_path / "a.csv"
    anipose_like.write_text("a_x,a_y,a_z,fnum\n1,2,3,0\n")
    assert not via.sniff(Peek(other)) and not via.sniff(Peek(anipose_like))


def test_first_row_without_a_later_key_still_parses_in_one_pass():
    cells = np.array(['{"track": 2}', '{"track": 1, "confidence": 0.5}'], dtype=object)
    parsed = _via_table._flat_objects(cells)
    assert parsed is not None
    np.testing.assert_array_equal(parsed["track"], [2, 1])
    np.testing.assert_array_equal(parsed["confidence"], [np.nan, 0.5])


def test_writing_in_chunks_gives_the_same_file(tmp_path, bboxes_two_tracks, monkeypatch):
    posebridge.save(bboxes_two_tracks, tmp_path / "whole.csv", format="via")
    monkeypatch.setattr(importlib.import_module("posebridge.formats.via.write"), "_CHUNK_BOXES", 3)
    posebridge.save(bboxes_two_tracks, tmp_path / "chunks.csv", format="via")
    assert (tmp_path / "chunks.csv").read_text() == (tmp_path / "whole.csv").read_text()


def test_a_negative_track_id_and_the_file_names_survive_a_round_trip_without_a_warning(tmp_path):
    """Track -1 read as id_-1 was written as track 1 (the sign dropped)."""
    import warnings

    header = (
        "filename,file_size,file_attributes,region_count,region_id,"
        "region_shape_attributes,region_attributes\n"
    )
    rect = '"{""name"":""rect"",""x"":1,""y"":2,""width"":3,""height"":4}"'
    rows = [f'f_0{i}.png,0,"{{}}",1,0,{rect},"{{""track"":{t}}}"\n' for i, t in ((1, -1), (2, 1))]
    (tmp_path / "in.csv").write_text(header + "".join(rows))
    ds = posebridge.load(tmp_path / "in.csv")
    assert sorted(ds.individual.values.tolist()) == ["id_-1", "id_1"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # VIA writes the file names back: nothing is lost
        posebridge.save(ds, tmp_path / "out.csv")
    back = posebridge.load(tmp_path / "out.csv")
    assert back.individual.values.tolist() == ds.individual.values.tolist()
    assert back.image_path.values.tolist() == ["f_01.png", "f_02.png"]


def test_via_refusing_box_views_points_at_netcdf_not_at_nwb_which_holds_no_boxes(tmp_path):
    from posebridge.model import bboxes_from_numpy

    boxes = bboxes_from_numpy(np.ones((3, 2, 1)), np.ones((3, 2, 1)))
    views = boxes.expand_dims(view=["l", "r"], axis=-1)
    with pytest.raises(SchemaError) as caught:
        posebridge.save(views, tmp_path / "t.csv", format="via")
    assert "all of them to netCDF (.nc)" in str(caught.value)
    assert "NWB" not in str(caught.value)


def test_names_that_do_not_read_back_are_said_to_be_lost(tmp_path, bboxes_two_tracks):
    """A region holds a track id, read back as id_<id>: crab_3 and the names numbered by
    position lost their names without a word."""
    cases = [(["crab_3", "crab_7"], True), (["crab_b", "crab_a"], False)]
    for number, (names, from_digits) in enumerate(cases):
        path = tmp_path / f"{number}.csv"
        renamed = bboxes_two_tracks.assign_coords(individual=names)
        with pytest.warns(UserWarning, match="keep no individual names") as caught:
            posebridge.save(renamed, path, track_ids_from_trailing_numbers=from_digits)
        (said,) = [str(w.message) for w in caught if "individual names" in str(w.message)]
        assert said.startswith(f"{path}: VIA tracks files")
        assert f"the individuals {', '.join(names)} read back as id_<track id>" in said
        assert "netCDF (.nc)" in said
        assert not set(names) & set(posebridge.load(path).individual.values.tolist())


def test_names_a_tool_made_up_are_not_said_to_be_lost(tmp_path, bboxes_two_tracks):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        posebridge.save(bboxes_two_tracks, tmp_path / "a.csv")  # id_1, id_4: read back so
    assert not [w for w in caught if "individual names" in str(w.message)]


def test_a_lone_name_that_reads_back_as_it_is_is_not_said_to_be_lost(tmp_path, bboxes_two_tracks):
    lone = bboxes_two_tracks.isel(individual=[1])  # id_4: track 4, read back id_4
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        posebridge.save(lone, tmp_path / "a.csv")
    assert not [w for w in caught if "individual names" in str(w.message)]
    assert posebridge.load(tmp_path / "a.csv").individual.values.tolist() == ["id_4"]


def test_a_header_with_quoted_cells_is_detected_and_read(tmp_path):
    """R's write.csv quotes every header cell; the raw line was compared with the
    header, so such a file was not detected and refused with format="via" (h134 #4);
    movement reads it."""
    cells = ["filename", "file_size", "file_attributes", "region_count", "region_id",
             "region_shape_attributes", "region_attributes"]  # fmt: skip
    row = (
        'f_0{i}.png,1,"{{}}",1,0,"{{""name"":""rect"",""x"":{i},""y"":2,""width"":3,'
        '""height"":4}}","{{""track"":""1""}}"\n'
    )
    path = tmp_path / "tracks.csv"
    path.write_text(",".join(f'"{c}"' for c in cells) + "\n" + row.format(i=0) + row.format(i=1))
    assert posebridge.detect(path) == "via"
    ds = posebridge.load(path, format="via")
    # the box centre: x + width / 2, y + height / 2
    centre = ds.position.isel(individual=0).transpose("time", "space").values.tolist()
    assert centre == [[0 + 1.5, 2 + 2], [1 + 1.5, 2 + 2]]


def _said_on_the_command_line(*args: object) -> str:
    from click.testing import CliRunner

    from posebridge.cli import cli

    result = CliRunner().invoke(cli, [str(a) for a in args])
    assert result.exit_code != 0, result.output
    return " ".join(result.output.split())


def test_write_advice_is_given_with_the_command_lines_flags(tmp_path, bboxes_two_tracks):
    """The writer's refusals said ``pass track_ids_from_trailing_numbers=False`` (and
    ``frame_n_digits=``, ``image_file_suffix=``, ``image_paths=True``) on the command line."""
    named = tmp_path / "named.nc"
    posebridge.save(bboxes_two_tracks.assign_coords(individual=["crab", "lobster"]), named)
    text = _said_on_the_command_line("convert", named, tmp_path / "a.csv", "--to", "via")
    assert "pass --option track_ids_from_trailing_numbers=false to number" in text, text
    assert "track_ids_from_trailing_numbers=False" not in text, text
    repeated = tmp_path / "repeated.nc"
    posebridge.save(bboxes_two_tracks.assign_coords(individual=["a_1", "b_1"]), repeated)
    text = _said_on_the_command_line("convert", repeated, tmp_path / "b.csv", "--to", "via")
    assert "pass --option track_ids_from_trailing_numbers=false to number them" in text, text
    plain = tmp_path / "plain.nc"
    posebridge.save(bboxes_two_tracks, plain)
    for option, said in [
        ("frame_n_digits=0", "--option frame_n_digits=0 is not from 1"),
        ("image_paths=true", "--option image_paths=true needs an 'image_path'"),
        ("image_file_suffix=.", "--option image_file_suffix=. names no file ending"),
    ]:
        text = _said_on_the_command_line(
            "convert", plain, tmp_path / "c.csv", "--to", "via", "--option", option
        )
        assert said in text, text
    with pytest.raises(SchemaError, match="pass track_ids_from_trailing_numbers=False"):
        posebridge.save(
            bboxes_two_tracks.assign_coords(individual=["crab", "lobster"]),
            tmp_path / "d.csv",
            format="via",
        )


def test_read_advice_on_the_frame_regexp_is_given_with_the_command_lines_flags(tmp_path):
    path = via_file(tmp_path / "nodigits.csv", [("frame.png", {}, rect(1, 2, 3, 4), {"track": 1})])
    text = _said_on_the_command_line("convert", path, tmp_path / "out.nc")
    assert "Pass --read-option 'frame_regexp=REGEXP' whose group captures" in text, text
    with pytest.raises(FormatError, match="Pass a frame_regexp whose group"):
        posebridge.load(path)


def test_an_image_named_at_two_frames_keeps_its_name_when_written(tmp_path):
    """The writer replaced every file name with made-up ones, without a word, when one
    image was named at two frames (file_attributes gives each row its frame)."""
    path = via_file(
        tmp_path / "same_image.csv",
        [
            ("a.png", {"frame": 1}, rect(10, 20, 4, 6), {"track": 1}),
            ("a.png", {"frame": 2}, rect(11, 21, 4, 6), {"track": 2}),
            ("b.png", {"frame": 3}, rect(12, 22, 4, 6), {"track": 1}),
        ],
    )
    ds = posebridge.load(path)
    out = tmp_path / "out.csv"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        posebridge.save(ds, out, format="via")
    assert pd.read_csv(out)["filename"].tolist() == ["a.png", "a.png", "b.png"]
    back = posebridge.load(out)
    assert back.image_path.values.tolist() == ["a.png", "a.png", "b.png"]
    assert back.frame.values.tolist() == [1, 2, 3]
    np.testing.assert_array_equal(back.position.values, ds.position.values)


def test_image_names_not_written_for_an_empty_one_are_warned_about(tmp_path, bboxes_two_tracks):
    ds = bboxes_two_tracks.assign_coords(image_path=("time", ["a.png", "", "c.png", "d", "e"]))
    with pytest.warns(UserWarning, match="image_path is empty at 1 time step"):
        posebridge.save(ds, tmp_path / "out.csv", format="via")
    assert pd.read_csv(tmp_path / "out.csv")["filename"].iloc[0] == "00.png"
    with pytest.raises(SchemaError, match=r"a file name at every time step \(1 have none\)"):
        posebridge.save(ds, tmp_path / "again.csv", format="via", image_paths=True)


def test_an_all_missing_dataset_is_refused_for_what_would_be_lost(tmp_path, bboxes_two_tracks):
    """The refusal said a file with no region could not be read back; a header-only VIA file
    reads (as no frames and no individuals): what is lost is the frames and tracks."""
    ds = bboxes_two_tracks.copy()
    ds["position"] = ds.position * np.nan
    with pytest.raises(SchemaError, match="would read back as no frames and no individuals"):
        posebridge.save(ds, tmp_path / "all_nan.csv", format="via")
    assert not (tmp_path / "all_nan.csv").exists()
