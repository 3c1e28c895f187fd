"""load(), save(), detect() and formats() independent of any one format."""

from __future__ import annotations

import re
import warnings

import numpy as np
import pytest
import xarray as xr

import posebridge
from posebridge import labels, registry
from posebridge.errors import (
    FileExistsError,
    FileNotFoundError,
    IsADirectoryError,
    PoseBridgeError,
    SchemaError,
    UnknownFormatError,
)


def test_formats_table_lists_names_extensions_and_abilities():
    table = posebridge.list_formats()
    assert {"name", "title", "extensions", "kinds", "reads", "writes"} <= set(table.columns)
    netcdf = table.set_index("name").loc["netcdf"]
    assert ".nc" in netcdf["extensions"]
    assert netcdf["reads"] and netcdf["writes"]


def test_format_names_are_case_insensitive_and_accept_aliases():
    assert registry.get("NETCDF").name == "netcdf"
    with pytest.raises(UnknownFormatError, match="Known formats"):
        registry.get("no-such-format")


def test_load_missing_file_raises_both_error_families(tmp_path):
    with pytest.raises(FileNotFoundError) as info:
        posebridge.load(tmp_path / "nothing.h5")
    assert isinstance(info.value, PoseBridgeError)
    assert "nothing.h5" in str(info.value)


def test_load_folder_is_refused(tmp_path):
    with pytest.raises(PoseBridgeError, match="folder"):
        posebridge.load(tmp_path)


def test_detect_unknown_content_lists_what_was_tried(tmp_path):
    junk = tmp_path / "junk.bin"
    junk.write_bytes(b"\x00\x01 not a pose file")
    with pytest.raises(UnknownFormatError, match="tried"):
        posebridge.detect(junk)


def test_save_refuses_to_overwrite_and_leaves_the_file(tmp_path, poses_two_mice_with_nan):
    target = tmp_path / "out.nc"
    target.write_text("precious")
    with pytest.raises(FileExistsError, match="overwrite=True"):
        posebridge.save(poses_two_mice_with_nan, target)
    assert target.read_text() == "precious"
    posebridge.save(poses_two_mice_with_nan, target, overwrite=True)
    assert posebridge.detect(target) == "netcdf"


@pytest.mark.parametrize("name", ["out.nc", "out.h5", "out.slp", "out.nwb", "out.csv"])
@pytest.mark.parametrize("flag", ["no", "False", 0, None])
def test_an_overwrite_that_is_not_a_bool_is_refused_and_the_file_kept(
    tmp_path, poses_two_mice_with_nan, name, flag
):
    """overwrite="no" is true in Python: it replaced the file before."""
    ds = poses_two_mice_with_nan.isel(individual=[0])
    target = tmp_path / name
    target.write_text("precious")
    with pytest.raises(TypeError, match="overwrite must be True or False"):
        posebridge.save(ds, target, overwrite=flag)
    assert target.read_text() == "precious"
    source = tmp_path / "in" / "source.nc"
    source.parent.mkdir()
    posebridge.save(ds, source)
    with pytest.raises(TypeError, match="overwrite must be True or False"):
        posebridge.convert(source, target, overwrite=flag)
    assert target.read_text() == "precious"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in", name]


def test_batch_flags_that_are_not_bools_are_refused(tmp_path):
    for option in ("overwrite", "inspect"):
        with pytest.raises(TypeError, match=f"{option} must be True or False"):
            posebridge.convert_many([tmp_path / "a.h5"], tmp_path, to="nc", **{option: "no"})


def test_save_unknown_extension_says_which_would_work(tmp_path, poses_two_mice_with_nan):
    with pytest.raises(UnknownFormatError, match=r"\.nc"):
        posebridge.save(poses_two_mice_with_nan, tmp_path / "out.xyz")


def test_save_failure_leaves_no_partial_file(tmp_path, monkeypatch, poses_two_mice_with_nan):
    def broken(self, store, **kwargs):  # the netCDF writer's file is open, partly written
        store.set_attribute("half", "written")
        raise RuntimeError("disk full")

    monkeypatch.setattr(xr.Dataset, "dump_to_store", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        posebridge.save(poses_two_mice_with_nan, tmp_path / "out.nc")
    assert list(tmp_path.iterdir()) == []


def test_load_with_fps_converts_frames_to_seconds(tmp_path, poses_two_mice_with_nan):
    path = tmp_path / "p.nc"
    posebridge.save(poses_two_mice_with_nan, path)
    ds = posebridge.load(path, fps=25)
    assert ds.attrs["time_unit"] == "seconds"
    np.testing.assert_allclose(ds.time.values, np.arange(20) / 25)
    assert ds.frame.values.tolist() == list(range(20))


def test_unknown_reader_option_is_a_clear_error(tmp_path, poses_two_mice_with_nan):
    path = tmp_path / "p.nc"
    posebridge.save(poses_two_mice_with_nan, path)
    with pytest.raises(PoseBridgeError, match="no option"):
        posebridge.load(path, no_such_option=1)


def test_family_name_lets_the_file_name_pick_the_member():
    from pathlib import Path

    def chosen(path: str, name: str | None) -> str:
        return registry.resolve_for_writing(Path(path), name, "poses").name

    assert chosen("x.slp", "SLEAP") == "slp"
    assert chosen("x.h5", "SLEAP") == "sleap"
    assert chosen("x.h5", "slp") == "slp"  # a member's own name is taken as asked
    assert chosen("x.analysis.h5", None) == "sleap"
    assert chosen("x.h5", None) == "dlc"
    assert chosen("x.csv", None) == "dlc"


def test_reader_options_are_checked_before_the_file_is_opened(tmp_path, monkeypatch):
    path = tmp_path / "x.csv"
    path.write_text("scorer,a\n")
    opened = []
    real_open = open

    def counting_open(file, *args, **kwargs):
        opened.append(str(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr("builtins.open", counting_open)
    with pytest.raises(PoseBridgeError, match=r"no option 'frame_rate'; it takes: key"):
        posebridge.load(path, format="dlc", frame_rate=30)
    assert str(path) not in opened


def test_writer_option_error_names_the_valid_options(tmp_path, poses_two_mice_with_nan):
    with pytest.raises(PoseBridgeError, match="split_individuals, scorer") as info:
        posebridge.save(poses_two_mice_with_nan, tmp_path / "x.csv", colour="red")
    assert "'colour'" in str(info.value)
    assert not (tmp_path / "x.csv").exists()


def test_a_writer_without_options_does_not_list_overwrite_as_one(
    tmp_path, poses_two_mice_with_nan
):
    """overwrite is save's own argument: a writer that takes nothing else says so."""
    with pytest.raises(PoseBridgeError) as info:
        posebridge.save(poses_two_mice_with_nan, tmp_path / "x.nc", level=3)
    target = tmp_path / "x.nc"
    assert (
        str(info.value)
        == f"{target}: The netCDF writer has no option 'level'; it takes: no options."
    )


def test_an_output_under_a_regular_file_is_said_to_be_under_a_file(
    tmp_path, poses_two_mice_with_nan
):
    (tmp_path / "afile").write_text("kept\n")
    with pytest.raises(FileNotFoundError) as info:
        posebridge.save(poses_two_mice_with_nan, tmp_path / "afile" / "x.nc")
    assert (
        str(info.value)
        == f"{tmp_path / 'afile' / 'x.nc'}: {tmp_path / 'afile'} is a file, not a folder."
    )
    assert (tmp_path / "afile").read_text() == "kept\n"


@pytest.fixture
def failing_reader_format(monkeypatch):
    """A format 'broken' whose reader fails with a TypeError of its own (a bug of ours)."""

    def read(path, *, level: int = 1):
        return None + level  # a TypeError inside the reader

    fmt = registry.Format(
        name="broken",
        title="Broken",
        extensions=(".broken",),
        kinds=("poses",),
        sniff=lambda peek: peek.head.startswith(b"BROKEN"),
        read=read,
    )
    known = registry.all_formats()
    monkeypatch.setattr(registry, "all_formats", lambda: (*known, fmt))
    return fmt


def test_a_typeerror_inside_a_reader_is_reported_as_our_bug_not_an_option(
    tmp_path, failing_reader_format
):
    path = tmp_path / "x.broken"
    path.write_bytes(b"BROKEN")
    with pytest.raises(PoseBridgeError) as info:
        posebridge.load(path, level=2)
    message = str(info.value)
    assert "posebridge error" in message and "report" in message
    assert str(path) in message and "TypeError" in message
    assert "no option" not in message


def test_list_formats_names_each_readers_and_writers_options():
    table = posebridge.list_formats().set_index("name")
    assert table.loc["dlc", "read_options"] == "key"
    assert "split_individuals" in table.loc["dlc", "write_options"]
    assert "overwrite" not in table.loc["dlc", "write_options"]


def test_every_family_reader_and_writer_declares_explicit_options():
    for fmt in registry.all_formats():  # a **kwargs reader or writer raises TypeError here
        assert isinstance(fmt.read_options, tuple) and isinstance(fmt.write_options, tuple)


def test_detection_opens_the_file_once(tmp_path, monkeypatch, poses_two_mice_with_nan):
    import h5py

    (path,) = posebridge.save(poses_two_mice_with_nan, tmp_path / "x.h5")  # a DLC .h5
    opened: list[str] = []
    real_open, real_file = open, h5py.File

    def counting_open(file, *args, **kwargs):
        opened.append(("open", str(file)))
        return real_open(file, *args, **kwargs)

    class CountingFile(real_file):
        def __init__(self, name, *args, **kwargs):
            opened.append(("h5py", str(name)))
            super().__init__(name, *args, **kwargs)

    monkeypatch.setattr("builtins.open", counting_open)
    monkeypatch.setattr(h5py, "File", CountingFile)
    assert posebridge.detect(path) == "dlc"
    assert opened.count(("open", str(path))) == 1
    assert opened.count(("h5py", str(path))) == 1


@pytest.mark.parametrize("side", ["missing", "folder"])
def test_a_side_file_that_is_missing_or_a_folder_is_named_with_the_file_read(tmp_path, side):
    """load wraps a reader's error to name the file it reads; posebridge's file errors (also
    built-in OSErrors) keep their class and name both files."""
    results = tmp_path / "results.json"
    results.write_text('[{"image_id": 1, "category_id": 1, "keypoints": [1, 2, 1], "score": 1}]')
    gt = tmp_path / ("gt.json" if side == "missing" else "gt")
    expected = FileNotFoundError if side == "missing" else IsADirectoryError
    if side == "folder":
        gt.mkdir()
    with pytest.raises(expected) as error:
        posebridge.load(results, ground_truth=gt)
    assert isinstance(error.value, posebridge.PoseBridgeError)
    assert str(results) in str(error.value) and str(gt) in str(error.value)


def test_a_bool_for_a_text_option_is_refused_not_written_as_true(tmp_path):
    """Numbers are taken as text (a subject id typed on the command line); a bool is not a
    number here: scorer=True wrote the scorer 'True'."""
    ds = posebridge.from_numpy(np.ones((2, 2, 1, 1)))
    with pytest.raises(PoseBridgeError, match="option scorer= takes .*got True") as error:
        posebridge.save(ds, tmp_path / "a.csv", format="dlc", scorer=True)
    assert isinstance(error.value, TypeError)  # a wrong type, as movement's savers raise
    assert list(tmp_path.iterdir()) == []


def test_an_option_of_the_wrong_kind_names_its_flag_and_values_on_the_command_line(tmp_path):
    """Python: ``takes bool``; the command line: ``(--option) takes true | false``, and
    ``(--read-option)`` for a reader's option (h156: the flag and the spelling were missing)."""
    from posebridge.errors import worded_for_command_line

    ds = posebridge.from_numpy(np.ones((2, 2, 1, 1)))
    with pytest.raises(PoseBridgeError) as error:
        posebridge.save(ds, tmp_path / "a.analysis.h5", all_frames="yes")
    assert "The SLEAP writer's option all_frames= takes bool, got 'yes'." in str(error.value)
    said = worded_for_command_line(error.value)
    assert "option all_frames= (--option) takes true | false, got 'yes'." in said
    with pytest.raises(PoseBridgeError) as error:
        posebridge.save(ds, tmp_path / "a.h5", "dlc", split_individuals="maybe")
    said = worded_for_command_line(error.value)
    assert "split_individuals= (--option) takes true | false | auto, got 'maybe'" in said
    source = tmp_path / "in.nc"
    posebridge.save(ds, source)
    with pytest.raises(PoseBridgeError) as error:
        posebridge.load(source, "dlc", key=[5])
    assert "option key= takes str | None, got [5]" in str(error.value)
    said = worded_for_command_line(error.value)
    assert "option key= (--read-option) takes str | null, got [5]" in said
    assert list(tmp_path.iterdir()) == [source]


def test_the_command_line_takes_true_as_formats_prints_it(tmp_path):
    """``posebridge formats`` prints ``all_frames=True``: typed so, it is the bool True."""
    from click.testing import CliRunner

    from posebridge.cli import cli

    position = np.ones((3, 2, 1, 1))
    position[1] = np.nan  # a frame without points: all_frames=True writes it
    source = tmp_path / "in.nc"
    posebridge.save(posebridge.from_numpy(position), source)
    listed = CliRunner().invoke(cli, ["formats"])
    assert "all_frames=True" in listed.output
    for spelling in ("True", "true"):
        out = tmp_path / f"{spelling}.analysis.h5"
        result = CliRunner().invoke(
            cli, ["convert", str(source), str(out), "--option", f"all_frames={spelling}"]
        )
        assert result.exit_code == 0, result.output
        assert posebridge.load(out).sizes["time"] == 3
    refused = CliRunner().invoke(
        cli,
        ["convert", str(source), str(tmp_path / "x.analysis.h5"), "--option", "all_frames=Yes"],
    )
    assert refused.exit_code == 1
    assert "all_frames= (--option) takes true | false, got 'Yes'." in refused.stderr


def test_a_path_for_a_text_option_is_taken_as_its_text(tmp_path, poses_two_mice_with_nan):
    """key=Path("tracks") reached the reader as a Path, which failed and blamed the file."""
    from pathlib import Path

    path = tmp_path / "a.h5"
    posebridge.save(poses_two_mice_with_nan, path, format="dlc", split_individuals=False)
    ds = posebridge.load(path, key=Path("df_with_missing"))
    xr.testing.assert_equal(ds.position, posebridge.load(path).position)


# --------------------------------------------------------------------------
# fps= against the file's own frame rate (the check the command line makes too)


@pytest.fixture
def seconds_file(tmp_path):
    """A netCDF file whose times are in seconds, taken at 30 fps, in ``tmp_path / "in"``."""
    folder = tmp_path / "in"
    folder.mkdir()
    ds = posebridge.from_numpy(np.random.default_rng(3).uniform(0, 9, (6, 2, 2, 1)), fps=30)
    path = folder / "secs.nc"
    posebridge.save(ds, path)
    return path


def _open_with_xarray(path, fps):
    return xr.open_dataset(path, engine="posebridge", fps=fps)


def _convert(target: str):
    def run(path, fps):
        return posebridge.convert(path, path.parent.parent / target, fps=fps)

    return run


def _read_back(result):
    """The dataset read, or the file convert wrote read back."""
    return result if isinstance(result, xr.Dataset) else posebridge.load(result[0])


READING_WITH_FPS = {
    "load": lambda path, fps: posebridge.load(path, fps=fps),
    "load-a-list": lambda path, fps: posebridge.load([path], fps=fps),
    "open_dataset": lambda path, fps: posebridge.open_dataset(path, fps=fps),
    "xarray-engine": _open_with_xarray,
    "convert-in-memory": _convert("out.slp"),
    "convert-streaming": _convert("out.nc"),
}


@pytest.mark.parametrize("reading", READING_WITH_FPS.values(), ids=READING_WITH_FPS.keys())
def test_an_fps_that_contradicts_the_files_own_is_refused_naming_the_file_and_both(
    tmp_path, seconds_file, reading
):
    """It was set beside the file's 30-fps times: frame 3 (0.1 s) became 0.1 x 60 = frame 6."""
    with pytest.raises(PoseBridgeError) as caught:
        reading(seconds_file, 60)
    message = str(caught.value)
    assert message.startswith(f"{seconds_file}: fps=60 contradicts the file's own frame rate, ")
    assert "30 fps" in message
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in"]  # nothing written


@pytest.mark.parametrize("reading", READING_WITH_FPS.values(), ids=READING_WITH_FPS.keys())
@pytest.mark.parametrize("fps", [30, "30", 30.0 * (1 + 1e-12)], ids=["30", "text", "rounding"])
def test_an_fps_equal_to_the_files_own_is_taken(seconds_file, reading, fps):
    ds = _read_back(reading(seconds_file, fps))
    if "fps" in ds.attrs:  # not kept by .slp, whose time counts frames
        assert ds.attrs["fps"] == pytest.approx(30)
        np.testing.assert_allclose(ds.time.values, np.arange(6) / 30)
    assert ds.sizes["time"] == 6


@pytest.mark.parametrize("reading", READING_WITH_FPS.values(), ids=READING_WITH_FPS.keys())
def test_an_fps_for_a_file_of_frame_numbers_is_taken(tmp_path, reading):
    folder = tmp_path / "in"
    folder.mkdir()
    path = folder / "frames.nc"
    posebridge.save(posebridge.from_numpy(np.zeros((4, 2, 1, 1))), path)
    ds = _read_back(reading(path, 25))
    if "fps" in ds.attrs:  # not kept by .slp, whose time counts frames
        assert ds.attrs["fps"] == 25
        np.testing.assert_allclose(ds.time.values, np.arange(4) / 25)
    assert ds.sizes["time"] == 4


def _yolo_predictions_folder(tmp_path):
    """A `labels` folder of YOLO pose predictions: 2 keypoints, frames 1 and 2."""
    folder = tmp_path / "labels"
    folder.mkdir()
    for frame in (1, 2):
        (folder / f"clip_{frame}.txt").write_text(
            f"0 0.5 0.5 0.2 0.2 0.{frame} 0.2 0.9 0.3 0.4 0.8\n"
        )
    return folder


READ = {"kpt_shape": [2, 3], "image_size": [64, 48]}


@pytest.mark.parametrize("reading", ["xarray engine", "convert", "convert_many"])
def test_a_reader_option_fps_is_the_frame_rate_on_every_path(tmp_path, reading):
    """read_options={"fps": 30} (YOLO predictions take fps) was a raw TypeError, "got multiple
    values for keyword argument 'fps'", from the xarray engine, convert and a batch."""
    folder = _yolo_predictions_folder(tmp_path)
    expected = posebridge.load(folder, fps=30, **READ)
    options = {"fps": 30, **READ}
    if reading == "xarray engine":
        got = xr.open_dataset(folder, engine="posebridge", read_options=options).load()
    elif reading == "convert":
        posebridge.convert(folder, tmp_path / "out.nc", read_options=options)
        got = posebridge.load(tmp_path / "out.nc")
    else:
        out = tmp_path / "out"
        out.mkdir()
        posebridge.convert_many([folder], out, to="netcdf", read_options=options, jobs=1)
        got = posebridge.load(out / "labels.nc")
    assert got.attrs["fps"] == 30
    np.testing.assert_array_equal(got.time.values, expected.time.values)
    np.testing.assert_array_equal(got.position.values, expected.position.values)


def test_two_different_frame_rates_are_refused():
    with pytest.raises(PoseBridgeError, match="two frame rates"):
        posebridge.api.fps_among_options(25, {"fps": 30})
    assert posebridge.api.fps_among_options(30, {"fps": "30", "a": 1}) == (30.0, {"a": 1})


def _poses_on_images() -> xr.Dataset:
    """Predictions on three still images (as COCO results or Label Studio predictions give)."""
    ds = posebridge.from_numpy(np.full((3, 2, 2, 1), 10.0), np.full((3, 2, 1), 0.9))
    return ds.assign_coords(image_path=("time", ["cam1/a.png", "cam2/b.png", "cam1/c.png"]))


@pytest.mark.parametrize("name", ["p.slp", "p.analysis.h5", "p.analysis.csv", "p.json"])
def test_poses_of_still_images_warn_where_their_images_are_not_written(tmp_path, name):
    """COCO results written to .slp became frames 0..n-1 of unknown_video.mp4 without a word."""
    with pytest.warns(UserWarning, match=rf"{name}: .*image_path .* not written"):
        posebridge.save(_poses_on_images(), tmp_path / name)
    assert "image_path" not in posebridge.load(tmp_path / name).coords


@pytest.mark.parametrize("name", ["p.nc", "p.csv", "ls.json"])
def test_poses_of_still_images_keep_them_without_a_warning(tmp_path, name):
    options = {"format": "labelstudio", "image_size": (64, 64)} if name == "ls.json" else {}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        posebridge.save(_poses_on_images(), tmp_path / name, **options)
    back = posebridge.load(tmp_path / name)
    assert back.image_path.values.tolist() == ["cam1/a.png", "cam2/b.png", "cam1/c.png"]


@pytest.mark.parametrize(("name", "fmt"), [("gt.json", "coco"), ("ls.json", "labelstudio")])
def test_data_splits_that_a_format_cannot_hold_are_dropped_with_a_warning(tmp_path, name, fmt):
    ds = labels.from_numpy(np.full((2, 2, 1, 1), 5.0), image_path=["a.png", "b.png"])
    ds = ds.assign_coords(data_split=("time", ["train", "val"]))
    with pytest.warns(UserWarning, match=rf"{name}: .*no data splits"):
        posebridge.save(ds, tmp_path / name, format=fmt, image_size=(64, 64))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the netCDF keeps them
        posebridge.save(ds, tmp_path / "kept.nc")
    assert posebridge.load(tmp_path / "kept.nc").data_split.values.tolist() == ["train", "val"]


def test_frames_of_one_video_and_one_split_are_written_without_a_warning(tmp_path):
    """labels.as_poses keeps image_path on frames of one video (timed by frame number), and
    a dataset of one split loses nothing: both warned."""
    ds = labels.from_numpy(  # two keypoints apart: a box (and COCO area) of more than 0
        np.arange(8.0).reshape(2, 2, 2, 1) + 1,
        video=["v.mp4"] * 2,
        frame=[4, 9],
        keypoint_names=["nose", "tail"],
    )
    ds = ds.assign_coords(
        image_path=("time", ["v/img4.png", "v/img9.png"]), data_split=("time", ["train"] * 2)
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        posebridge.save(labels.as_poses(ds), tmp_path / "p.slp")
        posebridge.save(ds, tmp_path / "gt.json", image_size=(64, 64))
    assert posebridge.load(tmp_path / "p.slp").time.values.tolist() == [4, 9]
    assert posebridge.api.fps_among_options(25, {"fps": None}) == (25, {})


@pytest.mark.parametrize("name", ["l.slp", "l.nwb", "CollectedData_me.h5"])
def test_categories_that_a_format_cannot_hold_are_dropped_with_a_warning(tmp_path, name):
    # calf / cow of a YOLO dataset vanished in .slp, .nwb and DeepLabCut without a word
    ds = labels.from_numpy(np.full((1, 2, 1, 2), 5.0), image_path=["a.png"])
    ds["category"] = (("time", "individual"), [["calf", "cow"]])
    with pytest.warns(UserWarning, match=r"holds no categories, so each instance's category"):
        posebridge.save(ds, tmp_path / name)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the netCDF keeps them
        posebridge.save(ds, tmp_path / "kept.nc")
    assert posebridge.load(tmp_path / "kept.nc").category.values.tolist() == [["calf", "cow"]]


def _with_boxes(ds: xr.Dataset) -> xr.Dataset:
    boxes = np.full((ds.sizes["time"], 4, ds.sizes["individual"]), np.nan)
    boxes[0, :, 0] = [1.0, 2.0, 30.0, 40.0]  # one instance boxed
    ds["bbox"] = (("time", "box", "individual"), boxes)
    return ds.assign_coords(box=["x", "y", "width", "height"])


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("l.slp", "labels"),
        ("l.nwb", "labels"),
        ("CollectedData_me.h5", "labels"),
        ("CollectedData_me.csv", "labels"),
        ("p.slp", "poses"),
        ("p.nwb", "poses"),
        ("p.analysis.h5", "poses"),
        ("p.analysis.csv", "poses"),
        ("pDLC_resnet50.h5", "poses"),
    ],
)
def test_boxes_that_a_format_cannot_hold_are_dropped_with_a_warning(tmp_path, name, kind):
    """r_bbox_dropped: boxes (Label Studio rectangles, COCO bbox) vanished in DeepLabCut,
    SLEAP and NWB labels without a word, and NWB's poses warning sent them to .slp, which
    drops them too."""
    if kind == "labels":
        ds = labels.from_numpy(np.full((1, 2, 1, 2), 5.0), image_path=["a.png"])
    else:
        ds = posebridge.from_numpy(np.full((2, 2, 1, 2), 5.0), np.full((2, 1, 2), 0.5))
    ds = _with_boxes(ds)
    title = registry.resolve_for_writing(tmp_path / name, None, "poses").title
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        written = posebridge.save(ds, tmp_path / name)
    about_boxes = [str(w.message) for w in caught if "bbox" in str(w.message)]
    assert about_boxes == [
        f"{tmp_path / name}: {title} holds no boxes, so bbox (the box of 1 instance(s)) is not "
        "written; netCDF, COCO, YOLO and Label Studio keep them."
    ]
    assert all("bbox" not in posebridge.load(path) for path in written)


def _labels_with_an_individual_without_points():
    """Labels of 2 images x individuals a, b, c, where c has no point (not written by
    the one-record-per-instance formats, which warn)."""
    positions = np.random.default_rng(0).uniform(10, 60, (2, 2, 2, 3))
    positions[..., 2] = np.nan
    return labels.from_numpy(
        positions, image_path=["img/a1.png", "img/a2.png"], individual_names=["a", "b", "c"]
    )


@pytest.mark.parametrize(
    ("name", "options"),
    [
        ("gt.json", {}),
        ("tasks.json", {"format": "labelstudio", "image_size": (100, 100)}),
        ("labels.nwb", {}),
    ],
)
def test_a_write_refused_for_an_existing_output_gives_no_warning_of_what_it_leaves_out(
    tmp_path, name, options
):
    ds = _labels_with_an_individual_without_points()
    target = tmp_path / name
    with pytest.warns(UserWarning, match="not written"):  # the first write says it
        posebridge.save(ds, target, **options)
    before = target.read_bytes()
    with warnings.catch_warnings(record=True) as shown:
        warnings.simplefilter("always")
        with pytest.raises(FileExistsError, match="already exists"):
            posebridge.save(ds, target, **options)
    assert [str(w.message) for w in shown] == []
    assert target.read_bytes() == before


@pytest.mark.parametrize(
    ("name", "format", "option", "value"),
    [
        ("x.json", "coco", "kind", "foo"),
        ("x.json", "labelstudio", "kind", "foo"),
        ("x.nwb", "nwb", "compression", "lzmaX"),
    ],
)
def test_save_refusing_a_writer_option_value_names_the_file_and_the_option(
    tmp_path, poses_two_mice_with_nan, name, format, option, value
):
    """kind="foo" named the writer's option but not the file being written."""
    target = tmp_path / name
    with pytest.raises(PoseBridgeError) as caught:
        posebridge.save(poses_two_mice_with_nan, target, format, **{option: value})
    assert str(caught.value).startswith(f"{target}: ")
    assert f"option {option}=" in str(caught.value) and repr(value) in str(caught.value)
    assert caught.value.option == option  # what the command line turns into its flag
    assert not target.exists()


def test_save_of_a_dataset_that_breaks_the_model_names_the_file(tmp_path):
    """h118 finding 9: save(ds.isel(time=1), path) raised a dims error naming no file."""
    ds = posebridge.from_numpy(np.zeros((3, 2, 1, 1)))
    target = tmp_path / "frame1.slp"
    with pytest.raises(SchemaError, match=rf"^{re.escape(str(target))}: .*isel\(time=\[k\]\)"):
        posebridge.save(ds.isel(time=1), target)
    assert not target.exists()


def _netcdf_of_times_beyond_frame_numbers(path):
    """A netCDF in seconds whose frames (time x fps) pass 2**53: xarray reads it as written."""
    time = 1.7e14 + np.arange(3.0)  # at 60 fps: frame 1.02e16
    xr.Dataset(
        {
            "position": (("time", "space", "keypoint", "individual"), np.zeros((3, 2, 1, 1))),
            "confidence": (("time", "keypoint", "individual"), np.ones((3, 1, 1))),
        },
        coords={"time": time, "space": ["x", "y"], "keypoint": ["a"], "individual": ["i"]},
        attrs={"ds_type": "poses", "time_unit": "seconds", "fps": 60.0, "source_software": "t"},
    ).to_netcdf(path)
    return time


def test_load_keeps_times_in_seconds_whose_frame_numbers_pass_2_to_the_53_with_a_warning(
    tmp_path,
):
    """Load refused such a file, leaving no dataset to shift; it loads, warning what it can
    be saved to and how to shift it, and a writer of frame numbers refuses it."""
    path = tmp_path / "poses.nc"
    time = _netcdf_of_times_beyond_frame_numbers(path)
    with pytest.warns(UserWarning, match=r"poses\.nc: its time .* at index 0 is frame") as said:
        ds = posebridge.load(path)
    assert "ds.assign_coords(time=ds.time - ds.time[0])" in str(said[0].message)
    np.testing.assert_array_equal(ds.time.values, time)
    with pytest.raises(SchemaError, match=r"out\.h5: .* below 2\*\*53"):
        posebridge.save(ds, tmp_path / "out.h5", format="dlc")
    shifted = ds.assign_coords(time=ds.time - ds.time[0])
    posebridge.save(shifted, tmp_path / "shifted.h5", format="dlc")
    assert posebridge.load(tmp_path / "shifted.h5").sizes["time"] == time.size


@pytest.mark.parametrize("name", [".nc", ".nwb", ".analysis.h5", ".slp", ".h5"])
def test_save_refuses_a_name_that_is_only_an_extension(tmp_path, poses_two_mice_with_nan, name):
    """f138 left save writing a hidden file '.nc' where convert refused it: the user meant
    out.nc."""
    with pytest.raises(posebridge.PoseBridgeError, match="names a hidden file"):
        posebridge.save(poses_two_mice_with_nan, tmp_path / name)
    assert list(tmp_path.iterdir()) == []


def test_star_import_of_api_gives_the_names_it_gave_before_they_moved():
    """The output-name checks and dropped-fact warnings moved to _save_targets and
    _dropped_facts ("no behaviour change"), but left api's __all__, so ``from posebridge.api
    import *`` no longer gave them; and naming_the_file, which convert and lazy use from api,
    was never listed."""
    from posebridge import _dropped_facts, _save_targets, api

    namespace: dict[str, object] = {}
    exec("from posebridge.api import *", namespace)
    moved = {
        "check_ending": _save_targets,
        "check_target": _save_targets,
        "refuse_extension_only_name": _save_targets,
        "warn_frame_facts_dropped": _dropped_facts,
        "warn_individual_confidence": _dropped_facts,
        "warn_instance_facts_dropped": _dropped_facts,
    }
    for name, module in moved.items():
        assert namespace.get(name) is getattr(module, name), name
    own = {
        name
        for name, value in vars(api).items()
        if callable(value) and not name.startswith("_") and value.__module__ == api.__name__
    }
    assert own <= set(api.__all__)  # naming_the_file among them
    assert set(api.__all__) <= set(namespace)
