"""TRex: per-individual .npz files and CSV exports built here with numpy."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import posebridge
from posebridge.errors import FormatError
from posebridge.formats import trex
from posebridge.registry import detect

N = 6


def fish_arrays(offset: float, first_frame: int = 0) -> dict[str, np.ndarray]:
    """One individual's arrays as TRex 1.x writes them (float32, +inf = none)."""
    frames = np.arange(first_frame, first_frame + N, dtype=np.float32)
    x = (np.arange(N) + offset).astype(np.float32)
    missing = np.zeros(N, dtype=np.float32)
    missing[2] = 1
    arrays = {
        "frame": frames,
        "time": frames * np.float32(0.04),
        "timestamp": frames * np.float32(40000),
        "missing": missing,
        "X#wcentroid": x,
        "Y#wcentroid": x + 100,
        "X": x + 0.5,
        "Y": x + 100.5,
        "SPEED": np.ones(N, dtype=np.float32),
        "frame_segments": np.array([[0, 5]], dtype=np.int32),
        "segment_vxys": np.zeros((3, 4), dtype=np.float32),
    }
    for name in ("X#wcentroid", "Y#wcentroid", "X", "Y"):
        arrays[name][2] = np.inf  # TRex's missing value
    arrays["X"][4] = np.inf  # head lost, centroid kept
    return arrays


def make_folder(folder: Path, video: str = "clip", count: int = 2) -> list[Path]:
    folder.mkdir(exist_ok=True)
    paths = []
    for i in range(count):
        path = folder / f"{video}_fish{i}.npz"
        np.savez(path, **fish_arrays(10.0 * i, first_frame=i))
        paths.append(path)
    return paths


def test_folder_reads_every_individual_with_inf_and_missing_as_nan(tmp_path: Path):
    make_folder(tmp_path / "data")
    ds = posebridge.load(tmp_path / "data")
    assert ds.individual.values.tolist() == ["fish0", "fish1"]
    assert ds.keypoint.values.tolist() == ["centroid", "head"]
    assert ds.frame.values.tolist() == list(range(N + 1))  # union of frames 0..5 and 1..6
    assert ds.attrs["time_unit"] == "seconds"
    np.testing.assert_allclose(ds.time.values, np.arange(N + 1) * 0.04, rtol=1e-6)
    fish0 = ds.position.sel(individual="fish0")
    x0 = fish_arrays(0.0)["X#wcentroid"]
    assert fish0.sel(keypoint="centroid", space="x").values[0] == x0[0]
    assert np.isnan(fish0.isel(time=2)).all()  # missing == 1 and +inf
    assert np.isnan(fish0.sel(keypoint="head", space="x").values[4])
    assert not np.isnan(fish0.sel(keypoint="centroid", space="x").values[4])
    assert np.isnan(fish0.isel(time=N)).all()  # fish0 ends before frame 6
    assert np.isnan(ds.position.sel(individual="fish1").isel(time=0)).all()


def test_glob_list_single_file_and_siblings(tmp_path: Path):
    paths = make_folder(tmp_path, count=3)
    by_glob = trex.read(str(tmp_path / "clip_fish*.npz"))
    by_list = trex.read(paths)
    assert by_glob.individual.values.tolist() == ["fish0", "fish1", "fish2"]
    assert by_glob.identical(by_list)
    single = posebridge.load(paths[1])
    assert single.individual.values.tolist() == ["fish1"]
    siblings = posebridge.load(paths[1], siblings=True)
    assert siblings.individual.values.tolist() == ["fish0", "fish1", "fish2"]


def test_individuals_sort_by_number(tmp_path: Path):
    for i in (10, 2):
        np.savez(tmp_path / f"v_id{i}.npz", **fish_arrays(i))
    assert trex.read(tmp_path).individual.values.tolist() == ["id2", "id10"]


def test_two_videos_in_one_folder_are_refused(tmp_path: Path):
    make_folder(tmp_path, "one", 1)
    make_folder(tmp_path, "two", 1)
    with pytest.raises(FormatError, match="2 videos"):
        trex.read(tmp_path)


def test_non_per_frame_arrays_are_ignored_and_sniffed(tmp_path: Path):
    (path,) = make_folder(tmp_path, count=1)
    assert detect(path) == "trex"
    assert detect(tmp_path) == "trex"
    ds = trex.read(path)
    assert "frame_segments" not in ds and "segment_vxys" not in ds


def test_csv_export_with_units_and_repeated_columns(tmp_path: Path):
    path = tmp_path / "clip_fish3.csv"
    path.write_text(
        "frame,X#wcentroid (cm),Y#wcentroid (cm),SPEED (cm/s),X#wcentroid (cm),missing\n"
        "0,1.5,2.5,0,1.5,0\n"
        "1,inf,inf,inf,inf,1\n"
        "2,3.5,4.5,1,3.5,0\n"
    )
    assert detect(path) == "trex"
    ds = posebridge.load(path)
    assert ds.individual.values.tolist() == ["fish3"]
    assert ds.attrs["space_unit"] == "centimeters"
    assert ds.attrs["time_unit"] == "frames"  # no timestamps in this export
    xy = ds.position.sel(keypoint="centroid", individual="fish3").values  # (time, space)
    assert xy[0].tolist() == [1.5, 2.5]
    assert np.isnan(xy[1]).all()  # inf and missing == 1
    assert xy[2].tolist() == [3.5, 4.5]


def test_csv_repeated_column_that_disagrees_names_the_line(tmp_path: Path):
    path = tmp_path / "clip_fish0.csv"
    path.write_text("frame,X,Y,X\n0,1,2,1\n1,1,2,9\n")
    with pytest.raises(FormatError, match=r"line 3: the repeated column 'X'"):
        trex.read(path)


@pytest.mark.parametrize(
    ("header", "said"),
    [
        ("frame,X#wcentroid (cm),blobid", "'X#wcentroid' but not 'Y#wcentroid'"),
        ("frame,X,Y,Y#wcentroid (cm)", "'Y#wcentroid' but not 'X#wcentroid'"),
        ("frame,X,Y,poseY0", "'poseY0' but not 'poseX0'"),
    ],
    ids=["x-alone", "y-alone", "pose-y-alone"],
)
def test_one_coordinate_of_a_position_alone_fails_cleanly(tmp_path: Path, header, said):
    """A y column alone was dropped without a word (an x alone was refused)."""
    path = tmp_path / "clip_fish0.csv"
    path.write_text(header + "\n" + ",".join(["0"] + ["5"] * header.count(",")) + "\n")
    with pytest.raises(FormatError, match=said) as error:
        posebridge.load(path)
    assert str(path) in str(error.value)


def test_positions_in_two_units_are_refused(tmp_path: Path):
    """Pixels of one fish and centimetres of another were read as one 'centimeters'."""
    (tmp_path / "v_fish0.csv").write_text("frame,X#wcentroid (px),Y#wcentroid (px)\n0,640,480\n")
    (tmp_path / "v_fish1.csv").write_text("frame,X#wcentroid (cm),Y#wcentroid (cm)\n0,21.3,16\n")
    with pytest.raises(FormatError, match=r"'X#wcentroid \(px\)' is in px but the column "):
        trex.read(tmp_path)
    (tmp_path / "v_fish1.csv").unlink()
    (tmp_path / "v_fish0.csv").write_text(
        "frame,X (cm),Y (cm),X#wcentroid (px),Y#wcentroid (px)\n0,1,2,3,4\n"
    )
    with pytest.raises(
        FormatError, match=r"'X \(cm\)' is in cm but the column 'X#wcentroid \(px\)'"
    ):
        trex.read(tmp_path)


@pytest.mark.parametrize(("suffix", "unit"), [("px", "pixels"), ("inch", "inch")])
def test_the_unit_trex_names_is_the_space_unit(tmp_path: Path, suffix, unit):
    """An unknown unit was read as centimeters."""
    path = tmp_path / "clip_fish0.csv"
    path.write_text(f"frame,X#wcentroid ({suffix}),Y#wcentroid ({suffix})\n0,640,480\n")
    assert trex.read(path).attrs["space_unit"] == unit


def test_pose_keypoints_of_trex_2(tmp_path: Path):
    arrays = {
        "frame": np.arange(3, dtype=np.float32),
        "poseX0": np.array([1, 2, np.inf], dtype=np.float32),
        "poseY0": np.array([4, 5, np.inf], dtype=np.float32),
        "poseX1": np.array([7, 8, 9], dtype=np.float32),
        "poseY1": np.array([1, 1, 1], dtype=np.float32),
    }
    np.savez(tmp_path / "v_id0.npz", **arrays)
    ds = trex.read(tmp_path / "v_id0.npz")
    assert ds.keypoint.values.tolist() == ["pose_0", "pose_1"]
    assert ds.position.sel(keypoint="pose_1", space="x").values.ravel().tolist() == [7, 8, 9]
    assert np.isnan(ds.position.sel(keypoint="pose_0").isel(time=2)).all()


def test_not_a_trex_npz_is_refused(tmp_path: Path):
    path = tmp_path / "v_id0.npz"
    np.savez(path, frame=np.arange(3.0), speed=np.ones(3))
    with pytest.raises(FormatError, match="no position columns"):
        trex.read(path)


def test_csv_cell_that_is_not_a_number_names_line_and_column(tmp_path: Path):
    path = tmp_path / "clip_fish0.csv"
    path.write_text("frame,X,Y\n0,1,2\n1,1,oops\n")
    with pytest.raises(FormatError, match=r"line 3, column 3: expected a number, found 'oops'"):
        trex.read(path)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("0,1,2\n1,2\n2,3,4\n", r"line 3: 2 cells where the header has 3\."),
        ("0,1,2\n1,2,3,4\n", r"line 3: 4 cells where the header has 3\."),
        ("0,1,2\n1,2", r"line 3: 2 cells where the header has 3; the file may be cut short"),
    ],
)
def test_csv_rows_of_another_width_are_refused_naming_the_line(
    tmp_path: Path, body: str, message: str
):
    """pandas pads a short row with NaN (the frame's Y would silently be missing)."""
    path = tmp_path / "clip_fish0.csv"
    path.write_text("frame,X,Y\n" + body)
    with pytest.raises(FormatError, match=message) as error:
        trex.read(path)
    assert str(path) in str(error.value)


def test_timestamps_that_do_not_increase_leave_time_in_frames_with_a_warning(tmp_path: Path):
    arrays = fish_arrays(0.0)
    arrays["timestamp"][3] = arrays["timestamp"][2]
    np.savez(tmp_path / "v_fish0.npz", **arrays)
    with pytest.warns(UserWarning, match="do not increase"):
        ds = trex.read(tmp_path / "v_fish0.npz")
    assert ds.attrs["time_unit"] == "frames" and ds.time.values.tolist() == list(range(N))


def test_the_timestamps_warning_names_fps_as_the_command_line_gives_it(tmp_path: Path):
    """It said "pass fps= to load" on the command line too, where the flag is --fps."""
    from posebridge.errors import worded_for_command_line

    arrays = fish_arrays(0.0)
    arrays["timestamp"][3] = arrays["timestamp"][2]
    np.savez(tmp_path / "v_fish0.npz", **arrays)
    with pytest.warns(UserWarning, match=r"\(fps=, when given, makes it seconds\)") as caught:
        trex.read(tmp_path / "v_fish0.npz")
    (warning,) = [w.message for w in caught if "do not increase" in str(w.message)]
    worded = worded_for_command_line(warning)
    assert "(--fps, when given, makes it seconds)" in worded and "fps=" not in worded


def test_the_timestamps_warning_does_not_ask_for_the_fps_given(tmp_path: Path):
    """h152 finding 3: with fps=25 given (time then in seconds from it), the warning
    said time was left in frame numbers and asked for fps=; it says the timestamps
    are not used and what fps does when given."""
    arrays = fish_arrays(0.0)
    arrays["timestamp"][3] = 0  # timestamps that do not increase
    np.savez(tmp_path / "v_fish0.npz", **arrays)
    with pytest.warns(UserWarning, match="do not increase") as caught:
        ds = posebridge.load(tmp_path / "v_fish0.npz", fps=25)
    assert ds.attrs["time_unit"] == "seconds"
    np.testing.assert_allclose(ds.time.values, np.arange(N) / 25)
    (said,) = [str(w.message) for w in caught if "do not increase" in str(w.message)]
    assert "not used" in said and "fps=, when given, makes it seconds" in said
    assert "left in frame numbers" not in said and "pass fps=" not in said


def _float32_clock(frames: np.ndarray, fps: float = 25.0) -> dict[str, np.ndarray]:
    """TRex's two clocks of ``frames`` as it writes them: ``timestamp`` (us) and
    ``time`` (s), both float32, with one centroid."""
    micro = np.round(frames * 1e6 / fps)
    x = np.arange(frames.size, dtype=np.float32)
    return {
        "frame": frames.astype(np.float32),
        "timestamp": micro.astype(np.float32),
        "time": (micro / 1e6).astype(np.float32),
        "X#wcentroid": x,
        "Y#wcentroid": x + 1,
    }


@pytest.mark.parametrize("time_only_first", [False, True], ids=["stamps-first", "time-first"])
def test_a_file_with_only_float32_time_beside_one_with_timestamps_reads(
    tmp_path: Path, time_only_first: bool
):
    """h152 finding 2: float32 time 0.03999999910593033 s and 40000 us were refused as
    two recordings' clocks; they agree within float32's resolution. The time kept is
    the microseconds', whichever file comes first."""
    frames = np.arange(2000)  # float32 time up to 80 s
    stamped = _float32_clock(frames)
    timed = _float32_clock(frames)
    del timed["timestamp"]
    np.savez(tmp_path / "v_fish0.npz", **(timed if time_only_first else stamped))
    np.savez(tmp_path / "v_fish1.npz", **(stamped if time_only_first else timed))
    ds = trex.read(tmp_path)
    assert ds.attrs["time_unit"] == "seconds" and ds.sizes["individual"] == 2
    assert ds.time.values.tolist() == (np.round(frames * 1e6 / 25) / 1e6).tolist()
    assert ds.frame.values.tolist() == frames.tolist()


def test_a_trex_csv_beside_an_npz_of_one_recording_reads(tmp_path: Path):
    """h152 finding 2: a CSV's time (text, parsed as float64: 0.04) beside an .npz's
    float32 time (0.03999999910593033) was refused as another recording's."""
    frames = np.arange(300)
    arrays = _float32_clock(frames)
    del arrays["timestamp"]
    np.savez(tmp_path / "v_fish0.npz", **arrays)
    seconds = [str(value) for value in arrays["time"]]  # float32's shortest text: "0.04"
    assert seconds[1] == "0.04"
    rows = [f"{f},{t},{f},{f + 1}" for f, t in zip(frames, seconds, strict=True)]
    (tmp_path / "v_fish1.csv").write_text(
        "frame,time,X#wcentroid (cm),Y#wcentroid (cm)\n" + "\n".join(rows) + "\n"
    )
    ds = trex.read([tmp_path / "v_fish0.npz", tmp_path / "v_fish1.csv"])
    assert ds.attrs["time_unit"] == "seconds" and ds.sizes["time"] == 300
    np.testing.assert_allclose(ds.time.values, frames / 25, rtol=1e-6)


def test_a_corpus_file_without_timestamps_reads_beside_one_with_them(tmp_path: Path):
    """The reproduction of h152 finding 2 on TRex's own files."""
    from _corpus import corpus_path

    fish0 = dict(np.load(corpus_path("trex/test_fish0.npz")))
    fish1 = dict(np.load(corpus_path("trex/test_fish1.npz")))
    del fish1["timestamp"]
    np.savez(tmp_path / "vid_fish0.npz", **fish0)
    np.savez(tmp_path / "vid_fish1.npz", **fish1)
    ds = posebridge.load(tmp_path, format="trex")
    assert ds.attrs["time_unit"] == "seconds" and ds.sizes["individual"] == 2
    assert ds.time.values[:3].tolist() == [0.0, 0.04, 0.08]


@pytest.mark.parametrize("apart", [1000, 20], ids=["1ms", "20us"])
def test_float32_time_and_timestamps_that_really_differ_are_refused(tmp_path: Path, apart):
    """Comparing within the columns' precision still refuses clocks a millisecond
    (or at 1 s, 20 us, past float32's 0.12 us there) apart."""
    frames = np.arange(30)
    np.savez(tmp_path / "v_fish0.npz", **_float32_clock(frames))
    timed = _float32_clock(frames)
    del timed["timestamp"]
    timed["time"][25:] = ((np.round(frames[25:] * 1e6 / 25) + apart) / 1e6).astype(np.float32)
    np.savez(tmp_path / "v_fish1.npz", **timed)
    with pytest.raises(FormatError, match=r"v_fish1\.npz.*frame 25 .*v_fish0\.npz") as info:
        trex.read(tmp_path)
    assert "5 frame(s) differ" in str(info.value)


@pytest.mark.parametrize("frame", ["1e30", "99999999999999999999", "-1", "2.5", "inf"])
def test_a_frame_that_is_no_frame_number_is_refused(tmp_path: Path, frame: str):
    """1e30 wrapped to a negative int64 frame before (only a RuntimeWarning said so)."""
    path = tmp_path / "clip_fish0.csv"
    path.write_text(f"frame,X,Y\n0,1,2\n{frame},1,3\n")
    with pytest.raises(FormatError, match=r"'frame' should hold whole frame numbers >= 0"):
        trex.read(path)


def test_describe_shows_an_empty_frame_array_as_none(tmp_path: Path):
    """``posebridge info`` on an .npz whose ``frame`` array is empty failed with numpy's
    "zero-size array to reduction operation minimum" (fuzz seed 2080, case 670)."""
    arrays = fish_arrays(0.0)
    for name, values in arrays.items():  # every per-frame array is empty with it
        if values.ndim == 1:
            arrays[name] = values[:0]
    path = tmp_path / "clip_fish0.npz"
    np.savez(path, **arrays)
    shown = dict(trex.describe(path))
    assert shown["frames"] == "fish0 none"
    make_folder(tmp_path / "ok", count=1)
    (only,) = sorted((tmp_path / "ok").glob("*.npz"))
    first, last = (int(v) for v in (np.load(only)["frame"].min(), np.load(only)["frame"].max()))
    assert dict(trex.describe(only))["frames"] == f"fish0 {first}..{last}"


def test_position_arrays_of_another_length_than_frame_are_named(tmp_path: Path):
    """An .npz whose ``frame`` is shorter than its X/Y arrays said only "has no position
    columns ...; found frame", though X and Y were there."""
    arrays = fish_arrays(0.0)
    arrays["frame"] = arrays["frame"][:3]
    path = tmp_path / "clip_fish0.npz"
    np.savez(path, **arrays)
    longest = len(arrays["X#wcentroid"])
    with pytest.raises(
        FormatError, match=rf"[XY](#wcentroid)? has {longest} entries, 'frame' has 3"
    ):
        trex.read(path)


@pytest.mark.parametrize("damage", ["compression-method", "deflated-bytes"])
def test_a_member_that_cannot_be_decompressed_is_a_format_error(tmp_path: Path, damage):
    """Fuzz seed 2098: a flipped byte of a member's compression method made zipfile raise
    NotImplementedError ('That compression method is not supported'), reported as a
    posebridge bug; damaged deflated bytes raise zlib.error."""
    path = tmp_path / "v_id0.npz"
    np.savez_compressed(path, **fish_arrays(0.0))
    data = bytearray(path.read_bytes())
    if damage == "compression-method":
        for marker in (b"PK\x03\x04", b"PK\x01\x02"):  # every header names the method
            at = data.find(marker)
            while at >= 0:
                method_at = at + (8 if marker == b"PK\x03\x04" else 10)
                data[method_at : method_at + 2] = (99).to_bytes(2, "little")
                at = data.find(marker, at + 4)
    else:
        start = data.find(b"PK\x03\x04")
        name_length = int.from_bytes(data[start + 26 : start + 28], "little")
        extra_length = int.from_bytes(data[start + 28 : start + 30], "little")
        body = start + 30 + name_length + extra_length
        data[body : body + 8] = b"\xff" * 8  # an invalid deflate block
    path.write_bytes(bytes(data))
    with pytest.raises(FormatError, match="is not a readable TRex .npz file"):
        trex.read(path)


@pytest.mark.parametrize("name", ["clip_fish0.csv", "clip_fish0.dat", "clip_fish0"])
def test_a_misnamed_npz_is_read_by_its_content(tmp_path: Path, name: str):
    """Detection looks at the content; the reader chose .npz or CSV by the file's ending."""
    (source,) = make_folder(tmp_path / "npz", count=1)
    misnamed = tmp_path / name
    misnamed.write_bytes(source.read_bytes())
    assert detect(misnamed) == "trex"
    np.testing.assert_array_equal(
        posebridge.load(misnamed).position.values, posebridge.load(source).position.values
    )


def test_a_damaged_npz_in_a_folder_is_an_error_naming_it_not_a_missing_fish(tmp_path: Path):
    """A cut copy of one fish's file was taken for a file of another tool and left out."""
    paths = make_folder(tmp_path / "data")
    data = paths[1].read_bytes()
    paths[1].write_bytes(data[: len(data) // 2])
    with pytest.raises(FormatError, match=r"clip_fish1\.npz"):
        posebridge.load(tmp_path / "data")


@pytest.mark.parametrize("short", [("X",), ("X", "Y"), ("missing",), ("time",)])
def test_an_array_shorter_than_frame_is_refused_naming_it(tmp_path: Path, short):
    """r_trex_short_x: a short X said the file had no X at all; short X and Y dropped the
    head keypoint without a word; a short ``missing`` was ignored."""
    arrays = fish_arrays(0.0)
    for name in short:
        arrays[name] = arrays[name][:-2]
    path = tmp_path / "clip_fish0.npz"
    np.savez(path, **arrays)
    with pytest.raises(FormatError, match=rf"{short[0]} has {N - 2} entries, 'frame' has {N}"):
        posebridge.load(path)


def test_a_two_dimensional_position_array_is_refused(tmp_path: Path):
    arrays = fish_arrays(0.0)
    arrays["Y"] = np.stack([arrays["Y"], arrays["Y"]], axis=1)
    path = tmp_path / "clip_fish0.npz"
    np.savez(path, **arrays)
    with pytest.raises(FormatError, match=rf"Y has the shape \({N}, 2\), 'frame' has {N}"):
        trex.read(path)


def test_two_videos_advice_names_what_load_takes(tmp_path: Path):
    """r_trex_glob: the advice named a glob, which posebridge.load does not take; each way
    it names now reads one video."""
    make_folder(tmp_path, video="a")
    make_folder(tmp_path, video="b")
    with pytest.raises(FormatError, match="videos") as caught:
        posebridge.load(tmp_path)
    message = str(caught.value)
    assert "siblings=True" in message and "trex.read with a glob" in message
    assert "posebridge.load takes no glob" in message
    one = tmp_path / "a_fish0.npz"
    assert posebridge.load(one, siblings=True).sizes["individual"] == 2
    assert posebridge.load(sorted(tmp_path.glob("a_*.npz"))).sizes["individual"] == 2
    assert trex.read(str(tmp_path / "a_*.npz")).sizes["individual"] == 2


@pytest.mark.parametrize("name", ["X", "frame"])
def test_a_complex_array_is_refused_naming_it(tmp_path: Path, name: str):
    """It was read with only numpy's ComplexWarning, the imaginary part dropped."""
    arrays = fish_arrays(0.0)
    arrays[name] = arrays[name].astype(complex) + 5j
    path = tmp_path / "clip_fish0.npz"
    np.savez(path, **arrays)
    with pytest.raises(FormatError, match=rf"'{name}' should hold numbers; found complex128"):
        posebridge.load(path)


@pytest.mark.parametrize("kind", ["npz", "csv"])
@pytest.mark.parametrize(("one", "other"), [("1", "01"), ("0", "00")])
def test_two_pose_columns_naming_one_point_are_refused_naming_both(
    tmp_path: Path, kind: str, one: str, other: str
):
    """poseX1 and poseX01 both became pose_1, and one pair was dropped without a word."""
    frames = np.arange(3, dtype=np.float32)
    arrays = {
        "frame": frames,
        f"poseX{one}": frames + 10,
        f"poseY{one}": frames + 11,
        f"poseX{other}": frames + 20,
        f"poseY{other}": frames + 21,
    }
    if kind == "npz":
        path = tmp_path / "v_id0.npz"
        np.savez(path, **arrays)
    else:
        path = tmp_path / "v_id0.csv"
        rows = np.stack(list(arrays.values()), axis=1)
        lines = [",".join(arrays)] + [",".join(f"{v:g}" for v in row) for row in rows]
        path.write_text("\n".join(lines) + "\n")
    with pytest.raises(FormatError) as refused:
        trex.read(path)
    message = str(refused.value)
    assert f"'poseX{one}'" in message and f"'poseX{other}'" in message
    assert f"pose point {int(one)}" in message


def test_a_pose_column_written_with_a_leading_zero_is_read_as_its_point(tmp_path: Path):
    """poseX01 alone was keypoint pose_1, looked up as poseX1: all NaN, its values lost."""
    frames = np.arange(3, dtype=np.float32)
    np.savez(tmp_path / "v_id0.npz", frame=frames, poseX01=frames + 20, poseY01=frames + 30)
    ds = trex.read(tmp_path / "v_id0.npz")
    assert ds.keypoint.values.tolist() == ["pose_1"]
    position = ds.position.sel(keypoint="pose_1").squeeze("individual", drop=True)
    assert position.sel(space="x").values.tolist() == (frames + 20).tolist()
    assert position.sel(space="y").values.tolist() == (frames + 30).tolist()


def _with_member_replaced(path: Path, member: str, data: bytes) -> None:
    """Rewrite the archive at ``path`` with ``member``'s bytes replaced by ``data``."""
    import zipfile

    with zipfile.ZipFile(path) as archive:
        kept = {info.filename: archive.read(info) for info in archive.infolist()}
    kept[member] = data
    with zipfile.ZipFile(path, "w") as archive:
        for name, content in kept.items():
            archive.writestr(name, content)


def test_a_member_that_is_not_a_npy_array_is_refused_naming_it(tmp_path: Path):
    """np.load hands back the raw bytes of such a member: an AttributeError (.shape) was
    reported as a posebridge bug."""
    path = tmp_path / "v_id0.npz"
    np.savez(path, **fish_arrays(0.0))
    _with_member_replaced(path, "X.npy", b"not an npy member")
    with pytest.raises(FormatError, match=r"'X\.npy' is not a \.npy array") as refused:
        trex.read(path)
    assert str(path) in str(refused.value)
    assert "posebridge error" not in str(refused.value)


def test_a_member_declaring_a_shape_beyond_its_bytes_is_refused_before_allocating(
    tmp_path: Path,
):
    """A .npy header declaring 10**11 float64 over 16 bytes: numpy asked for 745 GiB."""
    import io
    import tracemalloc

    from numpy.lib import format as npy

    declared_shape = (10**11,)
    header = io.BytesIO()
    npy.write_array_header_1_0(
        header, {"descr": "<f8", "fortran_order": False, "shape": declared_shape}
    )
    held = b"\0" * 16
    path = tmp_path / "v_id0.npz"
    np.savez(path, **fish_arrays(0.0))
    _with_member_replaced(path, "X.npy", header.getvalue() + held)
    tracemalloc.start()
    try:
        with pytest.raises(FormatError) as refused:
            trex.read(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    message = str(refused.value)
    assert "'X.npy' declares" in message and str(declared_shape) in message
    assert f"{declared_shape[0] * 8} bytes" in message and f"holds {len(held)} bytes" in message
    assert "damaged" in message and "MemoryError" not in message
    assert peak < 2**26


def test_microseconds_read_as_the_stated_seconds_exactly(tmp_path: Path):
    arrays = fish_arrays(0.0)
    arrays["timestamp"] = np.array([0, 40000, 200000, 280000, 400000, 440000], np.float64)
    np.savez(tmp_path / "v_fish0.npz", **arrays)
    ds = trex.read(tmp_path / "v_fish0.npz")
    assert ds.time.values.tolist() == [0.0, 0.04, 0.2, 0.28, 0.4, 0.44]  # not 0.19999999999999998


def test_files_of_a_folder_that_disagree_on_a_frames_time_are_refused(tmp_path: Path):
    make_folder(tmp_path)  # fish0 on frames 0..5, fish1 on 1..6
    arrays = fish_arrays(10.0, first_frame=1)
    arrays["timestamp"][2:] += np.float32(1e6)  # frame 3 onwards one second later
    np.savez(tmp_path / "clip_fish1.npz", **arrays)
    with pytest.raises(FormatError, match=r"clip_fish1\.npz.*frame 3 .*clip_fish0\.npz") as info:
        trex.read(tmp_path)
    assert "3 frame(s) differ" in str(info.value)
    # each file alone reads, with its own times
    assert trex.read(tmp_path / "clip_fish1.npz").time.values[2] == 1.12
