"""The `posebridge` command line: formats, info, convert, demo, errors, --debug, --version.

The tests do not assume which formats exist beyond netCDF; a fake format
registered for one test stands in for the hooks (describe, writer options) that
real formats provide.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import warnings
from datetime import datetime
from pathlib import Path

import h5py
import numpy as np
import pytest
import xarray as xr
from click.testing import CliRunner

import posebridge
from _without_dask import run_command_line_without_dask
from posebridge import model, registry, sample_data
from posebridge._files import Peek
from posebridge._outputs import atomic_outputs
from posebridge.cli import cli, round_trip_report
from posebridge.errors import FormatError, PoseBridgeError
from posebridge.registry import Format

TWO_MICE = "posebridge_two-mice_2D.nc"
CRABS = "posebridge_two-crabs_bboxes.nc"


def run(*args: object) -> object:
    """Invoke the command in-process; stdout and stderr are kept apart."""
    return CliRunner().invoke(cli, [str(a) for a in args])


def rows(output: str) -> dict[str, str]:
    """The label -> value rows of an aligned table (wrapped values joined)."""
    table: dict[str, str] = {}
    last = None
    for line in output.splitlines():
        if not line.strip():
            continue
        if line.startswith(" ") and last is not None:
            table[last] += " " + line.strip()
            continue
        parts = re.split(r"\s{2,}", line.strip(), maxsplit=1)
        last = parts[0]
        table[last] = parts[1] if len(parts) > 1 else ""
    return table


@pytest.fixture
def two_mice_nc(tmp_path, poses_two_mice_with_nan) -> Path:
    path = tmp_path / "two_mice.nc"
    posebridge.save(poses_two_mice_with_nan, path)
    return path


UNSET = object()
WRITE_OPTIONS = (
    "subject_id",
    "species",
    "sex",
    "age",
    "session_description",
    "session_start_time",
    "video_path",
    "compression",
    "dtype",
    "split_individuals",
    "append",
    "metadata",
    "level",
    "name",
    "ids",
    "flag",
    "text",
)


@pytest.fixture
def fake_format(monkeypatch):
    """Registers a format "fake" (.fake files starting with b"FAKE") for one test.

    Its reader returns a fixed dataset (and can warn or fail), its writer
    records the options it is given, and it has a describe() hook.
    """
    state = {"options": None, "read_error": None, "warn": None, "write_error": None}
    dataset = model.from_numpy(np.arange(24.0).reshape(3, 2, 2, 2), individual_names=["a", "b"])

    def sniff(peek: Peek) -> bool:
        return peek.head[:4] == b"FAKE"

    def read(path: Path) -> xr.Dataset:
        if state["warn"]:
            warnings.warn(state["warn"], UserWarning, stacklevel=2)
        if state["read_error"]:
            raise FormatError(path, state["read_error"])
        return dataset

    def write(
        ds: xr.Dataset,
        path: Path,
        *,
        overwrite: bool = False,
        subject_id: object = UNSET,
        species: object = UNSET,
        sex: object = UNSET,
        age: object = UNSET,
        session_description: object = UNSET,
        session_start_time: object = UNSET,
        video_path: object = UNSET,
        compression: object = UNSET,
        dtype: object = UNSET,
        split_individuals: object = UNSET,
        append: object = UNSET,
        metadata: object = UNSET,
        level: object = UNSET,
        name: object = UNSET,
        ids: object = UNSET,
        flag: object = UNSET,
        text: object = UNSET,
    ) -> list[Path]:
        if state["write_error"]:
            raise PoseBridgeError(state["write_error"])
        given = locals()
        state["options"] = {n: given[n] for n in WRITE_OPTIONS if given[n] is not UNSET}
        with atomic_outputs([path], overwrite=overwrite) as (temporary,):
            temporary.write_bytes(b"FAKE written")
        return [path]

    def describe(path: Path) -> list[tuple[str, str]]:
        return [("videos", "2: left.mp4, right.mp4"), ("containers", "PoseEstimation_a")]

    fake = Format(
        name="fake",
        title="Fake",
        extensions=(".fake",),
        kinds=("poses",),
        sniff=sniff,
        read=read,
        write=write,
        describe=describe,
        notes="a format made up by the tests",
    )
    known = registry.all_formats()
    monkeypatch.setattr(registry, "all_formats", lambda: (*known, fake))
    state["dataset"] = dataset
    return state


# --------------------------------------------------------------------------
# formats, --version


def test_formats_lists_every_registered_format():
    result = run("formats")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["name", "title", "aliases", "extensions", "kinds", "read", "write"]
    names = [line.split()[0] for line in lines[1:] if line.strip()]
    for fmt in registry.all_formats():
        assert fmt.name in names
    netcdf = next(line for line in lines if line.startswith("netcdf "))
    assert ".nc" in netcdf and "poses, bboxes" in netcdf
    assert netcdf.split()[-2:] == ["yes", "yes"]


def test_formats_says_none_for_a_format_without_aliases():
    """trex and dannce showed '-' as their aliases, which reads as an alias named '-'."""
    lines = run("formats").stdout.split("\n\n")[0].splitlines()
    start = lines[0].index("aliases")
    end = lines[0].index("extensions")
    for fmt in registry.all_formats():
        line = next(line for line in lines if line.split()[0] == fmt.name)
        shown = line[start:end].strip()
        assert shown == (", ".join(fmt.aliases) or "none"), (fmt.name, shown)
    assert any(not fmt.aliases for fmt in registry.all_formats())  # trex, dannce


@pytest.mark.parametrize("alias", ["list-formats", "list_formats"])
def test_list_formats_is_the_formats_command_under_the_python_functions_name(alias):
    assert run(alias).stdout == run("formats").stdout
    assert alias not in run("--help").stdout  # --help lists `formats` only


def test_output_cut_short_by_the_reader_ends_quietly():
    """`posebridge formats | head -1` printed 'posebridge: error: Broken pipe'."""
    import subprocess
    import sys

    script = "import sys; from posebridge.cli import main; main(sys.argv[1:])"
    piped = subprocess.run(
        f"{sys.executable} -c '{script}' formats | head -1",
        shell=True,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert piped.stdout.startswith("name ") and piped.stdout.count("\n") == 1
    assert piped.stderr == ""


def test_formats_shows_notes_and_abilities_of_a_new_format(fake_format):
    result = run("formats")
    fake = next(line for line in result.stdout.splitlines() if line.startswith("fake "))
    assert ".fake" in fake and fake.split()[-2:] == ["yes", "yes"]
    assert "a format made up by the tests" in result.stdout


def test_version():
    result = run("--version")
    assert result.exit_code == 0
    assert posebridge.__version__ in result.stdout


# --------------------------------------------------------------------------
# info


def test_info_describes_a_netcdf_file(two_mice_nc, poses_two_mice_with_nan):
    ds = poses_two_mice_with_nan
    result = run("info", two_mice_nc)
    assert result.exit_code == 0, result.output
    table = rows(result.stdout)
    assert table["format"].startswith("netcdf")
    assert table["kind"] == "poses"
    assert table["frames"].startswith(f"{ds.sizes['time']} (frame 0 to {ds.sizes['time'] - 1})")
    assert table["time"] == "frames only (no fps)"
    assert table["individuals"] == "2: mouse_b, mouse_a"
    assert table["keypoints"] == "3: snout, tail_base, ear_left"
    assert table["space"] == "2D (x, y)"
    missing = ds.position.isnull().any("space")
    percent = 100 * float(missing.mean())
    assert (
        table["missing"] == f"{percent:.1f} % of points ({int(missing.sum())} of {missing.size})"
    )
    confidence = ds.confidence.values
    assert table["confidence"].startswith(
        f"{np.nanmin(confidence):.4g} to {np.nanmax(confidence):.4g}"
    )


def test_info_keeps_a_long_file_path_on_one_line(tmp_path, poses_two_mice_with_nan):
    # a path wrapped mid-name cannot be copied back from the terminal
    folder = tmp_path / ("a_long_folder_name_" * 6)
    folder.mkdir()
    path = folder / "session_with_a_long_name.nc"
    posebridge.save(poses_two_mice_with_nan, path)
    result = run("info", path)
    assert result.exit_code == 0, result.output
    assert any(line.rstrip().endswith(str(path)) for line in result.stdout.splitlines())


def test_info_with_fps_gives_the_time_range_in_seconds(two_mice_nc):
    result = run("info", two_mice_nc, "--fps", 10)
    assert rows(result.stdout)["time"] == "0 s to 1.9 s at 10 fps"


@pytest.mark.parametrize("value", ["0", "-1", "nan", "inf", "abc"])
@pytest.mark.parametrize("command", ["info", "convert", "plot", "batch"])
def test_a_bad_fps_is_a_usage_error_naming_the_flag_before_the_file_is_read(
    tmp_path, command, value
):
    """--fps 0 failed after info had printed half its table, naming neither flag nor file."""
    source = tmp_path / "in.csv"
    source.write_text("not a pose file")  # read first, it would be the error
    extra = {
        "info": [],
        "convert": [tmp_path / "out.nc"],
        "plot": [],
        "batch": ["--out", tmp_path / "b", "--to", "nc"],
    }[command]
    result = run(command, source, *extra, "--fps", value)
    assert result.exit_code == 2, result.output
    assert "Invalid value for '--fps'" in result.stderr
    assert f"got '{value}'" in result.stderr  # as typed (h123: '0' was shown as 0.0)
    assert result.stdout == ""
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.csv"]


@pytest.mark.parametrize("command", ["convert", "batch"])
def test_the_lightningpose_refusal_gives_its_advice_with_the_flags(
    tmp_path, poses_two_mice_with_nan, command
):
    """The command line told of ds.sel(individual=[name]) and format='dlc'."""
    source = tmp_path / "two.nc"
    posebridge.save(poses_two_mice_with_nan, source)
    if command == "convert":
        result = run("convert", source, tmp_path / "lp.csv", "--to", "lp")
    else:
        result = run("batch", source, "--out", tmp_path / "b", "--to", "lp", "-q")
    assert result.exit_code == 1
    said = result.output
    assert "LightningPose files hold one individual" in said
    assert "--option split_individuals=true" in said and "--to dlc" in said
    assert "ds.sel" not in said and "format=" not in said


def test_info_lists_extras(tmp_path, poses_two_mice_with_nan):
    ds = poses_two_mice_with_nan.copy()
    ds["instance_score"] = (("time", "individual"), np.linspace(0.25, 0.75, 40).reshape(20, 2))
    ds.attrs["scorer"] = "DLC_resnet50"
    posebridge.save(ds, tmp_path / "extras.nc")
    table = rows(run("info", tmp_path / "extras.nc").stdout)
    assert table["instance_score"] == "(time, individual) 0.25 to 0.75"
    assert table["scorer"] == "DLC_resnet50"


@pytest.mark.parametrize("name", list(sample_data.BUNDLED))
def test_info_on_bundled_samples(name):
    path = sample_data.bundled_path(name)
    stored = xr.load_dataset(path, engine="h5netcdf")
    result = run("info", path)
    assert result.exit_code == 0, result.output
    table = rows(result.stdout)
    assert table["individuals"].startswith(f"{stored.sizes['individual']}: ")
    assert table["frames"].startswith(f"{stored.sizes['time']} (")
    if "skeleton_edges" in stored:
        assert table["skeleton"] == f"{stored.sizes['edge']} edges"
    if "fps" in stored.attrs:
        assert table["time"].endswith(f"at {stored.attrs['fps']:g} fps")


def test_info_on_boxes_gives_boxes_per_frame_size_range_and_frame_gap():
    path = sample_data.bundled_path(CRABS)
    stored = xr.load_dataset(path, engine="h5netcdf")
    table = rows(run("info", path).stdout)
    assert table["kind"] == "bounding boxes"
    frames = stored.time.values
    steps = np.diff(frames)
    missing = int((steps[steps > 1] - 1).sum())
    assert f"{missing} frame numbers missing" in table["frames"]
    present = (~stored.position.isnull().any("space")).sum("individual").values
    assert table["boxes per frame"].startswith(f"{present.mean():.2f} on average")
    width = stored["shape"].sel(space="x").values
    assert table["box size"].startswith(f"width {np.nanmin(width):.4g} to {np.nanmax(width):.4g}")


def test_info_shows_the_format_describe_lines(tmp_path, fake_format):
    path = tmp_path / "x.fake"
    path.write_bytes(b"FAKE")
    result = run("info", path)
    assert result.exit_code == 0, result.output
    assert "Fake file contents" in result.stdout
    table = rows(result.stdout)
    assert table["videos"] == "2: left.mp4, right.mp4"
    assert table["format"] == "fake (Fake)"


def test_info_shows_describe_lines_when_the_data_cannot_be_loaded(tmp_path, fake_format):
    fake_format["read_error"] = "holds 2 containers; pass pose_estimation_key"
    path = tmp_path / "x.fake"
    path.write_bytes(b"FAKE")
    result = run("info", path)
    assert result.exit_code == 1
    assert rows(result.stdout)["containers"] == "PoseEstimation_a"
    assert result.stderr.strip().splitlines() == [
        f"posebridge: error: {path}: holds 2 containers; pass pose_estimation_key"
    ]


def test_reader_warnings_are_printed_as_one_line(tmp_path, fake_format):
    fake_format["warn"] = "untracked instances\nnamed by order"
    path = tmp_path / "x.fake"
    path.write_bytes(b"FAKE")
    result = run("info", path)
    assert result.exit_code == 0
    assert "posebridge: warning: untracked instances named by order" in result.stderr


# --------------------------------------------------------------------------
# convert


def test_convert_netcdf_to_netcdf(tmp_path, two_mice_nc, poses_two_mice_with_nan):
    target = tmp_path / "copy.nc"
    result = run("convert", two_mice_nc, target)
    assert result.exit_code == 0, result.output
    assert f"wrote  {target}" in result.stdout
    back = posebridge.load(target)
    np.testing.assert_array_equal(back.position.values, poses_two_mice_with_nan.position.values)
    np.testing.assert_array_equal(back.keypoint.values, poses_two_mice_with_nan.keypoint.values)


def test_convert_refuses_to_overwrite_without_the_flag(tmp_path, two_mice_nc):
    target = tmp_path / "taken.nc"
    target.write_bytes(b"precious")
    result = run("convert", two_mice_nc, target)
    assert result.exit_code == 1
    assert target.read_bytes() == b"precious"
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("posebridge: error: ") and "--overwrite" in line
    assert "Traceback" not in result.output

    result = run("convert", two_mice_nc, target, "--overwrite")
    assert result.exit_code == 0, result.output
    assert posebridge.detect(target) == "netcdf"


@pytest.mark.parametrize("through", ["same name", "symbolic link"])
def test_convert_onto_its_own_input_is_refused_even_with_overwrite(tmp_path, two_mice_nc, through):
    before = two_mice_nc.read_bytes()
    target = two_mice_nc
    if through == "symbolic link":
        target = tmp_path / "link.h5"
        target.symlink_to(two_mice_nc)
    for to in ("netcdf", "sleap"):
        result = run("convert", two_mice_nc, target, "--to", to, "--overwrite")
        assert result.exit_code == 1
        assert "is the input file" in result.stderr and "Traceback" not in result.output
    with pytest.raises(posebridge.PoseBridgeError, match="is the input file"):
        posebridge.convert(two_mice_nc, target, "sleap", overwrite=True)
    assert two_mice_nc.read_bytes() == before


def test_convert_refuses_a_split_output_that_would_be_its_input(tmp_path, two_mice_nc):
    """NWB writes one file per individual, <stem>_<individual>.nwb: converting
    x_<individual>.nwb to x.nwb would name its own input as one of the outputs."""
    import warnings

    ds = posebridge.load(two_mice_nc)
    first = tmp_path / f"x_{ds.individual.values[0]}.nwb"  # both animals in one file
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        posebridge.convert(two_mice_nc, first, fps=30.0, split_individuals=False)
    before = first.read_bytes()
    result = run("convert", first, tmp_path / "x.nwb", "--overwrite")
    assert result.exit_code == 1 and "is the input file" in result.stderr
    with pytest.raises(posebridge.PoseBridgeError, match="is the input file"):
        posebridge.convert(first, tmp_path / "x.nwb", overwrite=True)
    assert first.read_bytes() == before


def test_convert_with_fps_writes_time_in_seconds(tmp_path, two_mice_nc):
    target = tmp_path / "seconds.nc"
    assert run("convert", two_mice_nc, target, "--fps", 50).exit_code == 0
    back = posebridge.load(target)
    assert back.attrs["fps"] == 50 and back.attrs["time_unit"] == "seconds"
    np.testing.assert_allclose(back.time.values, np.arange(back.sizes["time"]) / 50)


def test_convert_passes_nwb_flags_only_when_given(tmp_path, two_mice_nc, fake_format):
    assert run("convert", two_mice_nc, tmp_path / "plain.fake").exit_code == 0
    assert fake_format["options"] == {}

    metadata = tmp_path / "meta.yaml"
    metadata.write_text("subject:\n  strain: C57BL/6J\n")
    result = run(
        "convert", two_mice_nc, tmp_path / "full.fake",
        "--subject-id", "M1", "--species", "Mus musculus", "--sex", "M", "--age", "P90D",
        "--session-description", "open field", "--session-start-time", "2024-05-01T09:30:00+01:00",
        "--video", "video.mp4", "--compression", "gzip", "--float32", "--single-file",
        "--append", "--metadata", metadata,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert fake_format["options"] == {
        "subject_id": "M1",
        "species": "Mus musculus",
        "sex": "M",
        "age": "P90D",
        "session_description": "open field",
        "session_start_time": datetime.fromisoformat("2024-05-01T09:30:00+01:00"),
        "video_path": "video.mp4",
        "compression": "gzip",
        "dtype": "float32",
        "split_individuals": False,
        "append": True,
        "metadata": metadata,
    }


def test_convert_generic_options_are_parsed_as_json_when_possible(
    tmp_path, two_mice_nc, fake_format
):
    result = run(
        "convert", two_mice_nc, tmp_path / "o.fake",
        "--option", "level=3", "--option", "name=abc", "--option", "ids=[1, 2]",
        "--option", "flag=true", "--option", "text=a=b",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert fake_format["options"] == {
        "level": 3,
        "name": "abc",
        "ids": [1, 2],
        "flag": True,
        "text": "a=b",
    }


def test_convert_option_without_equals_is_a_usage_error(tmp_path, two_mice_nc):
    result = run("convert", two_mice_nc, tmp_path / "o.nc", "--option", "level")
    assert result.exit_code == 2
    assert "KEY=VALUE" in result.stderr


def test_convert_option_given_twice_is_refused(tmp_path, two_mice_nc, fake_format):
    result = run(
        "convert", two_mice_nc, tmp_path / "o.fake", "--species", "x", "--option", "species=y"
    )
    assert result.exit_code == 2
    assert "--species" in result.stderr


def test_convert_names_the_flag_a_writer_does_not_take(tmp_path, two_mice_nc):
    result = run("convert", two_mice_nc, tmp_path / "o.nc", "--subject-id", "M1")
    assert result.exit_code == 1
    (line,) = result.stderr.strip().splitlines()
    assert "--subject-id" in line and "netCDF writer" in line
    assert not (tmp_path / "o.nc").exists()


@pytest.mark.parametrize(
    ("target", "option", "message"),
    [  # found by trying hostile options: each raised a raw TypeError / IndexError
        (
            "o.nwb",
            "species=[1]",
            r"NWB writer's option species= \(--option\) takes str \| null, got \[1\]",
        ),
        ("o.yaml", "image_size=[1]", r"image_size= \(--option\) takes tuple\[int, int\] \| null"),
        ("o.slp", "video_path=[]", r"option video_path= \(--option\) takes str \| null, got \[\]"),
        ("o.nwb", "dtype=[1]", r"dtype must be 'float32' or 'float64'"),
    ],
)
def test_convert_option_values_of_the_wrong_kind_are_one_line_errors(
    tmp_path, two_mice_nc, target, option, message
):
    result = run("convert", two_mice_nc, tmp_path / target, "--option", option)
    assert result.exit_code == 1, result.output
    line = result.stderr.strip().splitlines()[-1]  # after the 'read ...' line
    assert line.startswith("posebridge: error:") and re.search(message, line), line
    assert "unexpected" not in line
    assert not (tmp_path / target).exists()


@pytest.mark.parametrize(
    ("value", "message"),
    [  # a number for a name is taken as its text; a list is refused (AttributeError before)
        ("5", "has no pandas DataFrame under the key '5'"),
        ("[5]", "option key= (--read-option) takes str | null, got [5]"),
    ],
)
def test_convert_reader_option_of_the_wrong_kind_is_a_one_line_error(
    tmp_path, two_mice_nc, value, message
):
    source = tmp_path / "in.h5"
    posebridge.save(posebridge.load(two_mice_nc), source, "dlc", split_individuals=False)
    result = run("convert", source, tmp_path / "o.nc", "--read-option", f"key={value}")
    assert result.exit_code == 1
    assert message in result.stderr and "unexpected" not in result.stderr


@pytest.mark.parametrize("command", ["info", "convert"])
def test_an_unknown_reader_option_names_the_read_option_flag(tmp_path, two_mice_nc, command):
    source = tmp_path / "in.h5"
    posebridge.save(posebridge.load(two_mice_nc), source, "dlc", split_individuals=False)
    extra = [tmp_path / "o.nc", "--chunk-frames", "2"] if command == "convert" else []
    result = run(command, source, *extra, "--read-option", "bogus=1")
    assert result.exit_code == 1
    assert "no option 'bogus' (given by --read-option)" in result.stderr, result.stderr


def test_a_numeric_subject_id_is_written_as_text(tmp_path, two_mice_nc):
    result = run("convert", two_mice_nc, tmp_path / "o.nwb", "--option", "subject_id=7",
                 "--option", "split_individuals=false")  # fmt: skip
    assert result.exit_code == 0, result.output
    with h5py.File(tmp_path / "o.nwb") as h5:
        assert h5["general/subject/subject_id"][()] == b"7"


def test_convert_bad_session_start_time_is_a_usage_error(tmp_path, two_mice_nc):
    result = run("convert", two_mice_nc, tmp_path / "o.nc", "--session-start-time", "tuesday")
    assert result.exit_code == 2
    assert "ISO 8601" in result.stderr


def test_convert_unknown_output_ending_names_the_to_flag(tmp_path, two_mice_nc):
    result = run("convert", two_mice_nc, tmp_path / "o.unknown")
    assert result.exit_code == 1
    assert "--to" in result.stderr and "format=" not in result.stderr


def test_convert_with_explicit_formats(tmp_path, two_mice_nc):
    target = tmp_path / "named.nc"
    result = run("convert", two_mice_nc, target, "--from", "netcdf", "--to", "NC")
    assert result.exit_code == 0, result.output
    assert posebridge.detect(target) == "netcdf"


def test_convert_refuses_an_ending_the_target_format_cannot_have(tmp_path, two_mice_nc):
    target = tmp_path / "named_oddly.data"
    result = run("convert", two_mice_nc, target, "--from", "netcdf", "--to", "NC")
    assert result.exit_code != 0
    assert ".nc" in result.output
    assert not target.exists()


# --------------------------------------------------------------------------
# errors and --debug


def test_bad_file_gives_one_line_and_nonzero_exit(tmp_path):
    bad = tmp_path / "bad.nc"
    bad.write_bytes(b"this is not a pose file")
    result = run("info", bad)
    assert result.exit_code == 1
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("posebridge: error: ") and str(bad) in line
    assert "Traceback" not in result.output


def test_missing_file_gives_one_line(tmp_path):
    result = run("convert", tmp_path / "none.h5", tmp_path / "out.nc")
    assert result.exit_code == 1
    assert result.stderr.strip() == f"posebridge: error: {tmp_path / 'none.h5'}: no such file."


def test_debug_shows_the_traceback(tmp_path):
    bad = tmp_path / "bad.nc"
    bad.write_bytes(b"this is not a pose file")
    result = run("--debug", "info", bad)
    assert result.exit_code == 1
    assert "Traceback (most recent call last)" in result.stderr
    assert "UnknownFormatError" in result.stderr
    assert result.stderr.strip().splitlines()[-1].startswith("posebridge: error: ")


def test_unexpected_errors_are_one_line_pointing_at_debug(monkeypatch, two_mice_nc, tmp_path):
    def broken(*args, **kwargs):
        raise RuntimeError("something inside broke")

    monkeypatch.setattr(posebridge.api, "save", broken)
    result = run("convert", two_mice_nc, tmp_path / "o.nc")
    assert result.exit_code == 1
    (line,) = result.stderr.strip().splitlines()
    assert "RuntimeError: something inside broke" in line and "--debug" in line


# --------------------------------------------------------------------------
# demo


def test_demo_writes_every_sample_to_every_writer_and_reads_it_back(tmp_path):
    out = tmp_path / "demo"
    result = run("demo", "--out", out)
    assert result.exit_code == 0, result.output
    for name in sample_data.BUNDLED:
        assert name in result.stdout
        nc = out / "netcdf" / name
        assert nc.is_file()
        ds = sample_data.fetch_dataset(name)
        for fmt in registry.all_formats():
            if fmt.writes and ds.attrs["ds_type"] in fmt.kinds:
                assert (out / fmt.name).is_dir()
    netcdf_lines = [
        line for line in result.stdout.splitlines() if line.strip().startswith("netcdf")
    ]
    assert len(netcdf_lines) == len(sample_data.BUNDLED)
    assert all("read back as netcdf: position exact" in line for line in netcdf_lines)


def test_demo_writes_frames_of_a_video_to_yolo_and_label_studio_with_the_video_size(tmp_path):
    """They were 'not written (pass image_size)' though the sample states its video's size;
    the YOLO dataset is read back once, from its data.yaml, not label file by label file."""
    result = run("demo", "--out", tmp_path, "--sample", TWO_MICE)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    for name in ("yolo", "labelstudio"):
        (line,) = [x for x in lines if x.strip().startswith(f"{name} ")]
        assert f"read back as {name}: position within" in line, line
    labels = sorted((tmp_path / "yolo").rglob("*.txt"))
    assert f"({len(labels) + 1} files)" in next(x for x in lines if x.strip().startswith("yolo "))


def test_demo_reports_a_failing_format_and_carries_on(tmp_path, fake_format):
    fake_format["write_error"] = "fake cannot hold this"
    result = run("demo", "--out", tmp_path, "--sample", TWO_MICE)
    assert result.exit_code == 0, result.output
    fake = next(line for line in result.stdout.splitlines() if line.strip().startswith("fake"))
    assert "not written: fake cannot hold this" in fake
    assert (tmp_path / "netcdf" / TWO_MICE).is_file()


def test_demo_in_a_temporary_folder_and_again_with_overwrite(tmp_path, monkeypatch):
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    result = run("demo", "--sample", CRABS)
    assert result.exit_code == 0, result.output
    (folder,) = [p for p in tmp_path.iterdir() if p.name.startswith("posebridge-demo-")]
    assert (folder / "netcdf" / CRABS).is_file()
    again = run("demo", "--out", folder, "--sample", CRABS)
    assert "not written" in again.stdout and "--overwrite" in again.stdout
    assert "read back" in run("demo", "--out", folder, "--sample", CRABS, "--overwrite").stdout


def test_demo_into_a_folder_it_cannot_make_is_one_error_naming_it(tmp_path):
    (tmp_path / "afile").write_text("kept\n")
    result = run("demo", "--out", tmp_path / "afile" / "demo", "--sample", CRABS)
    assert result.exit_code == 1, result.output
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith(f"posebridge: error: {tmp_path / 'afile' / 'demo'}")
    assert "cannot make the demo's folder there" in line and "--out" in line
    assert (tmp_path / "afile").read_text() == "kept\n"


def test_round_trip_report_names_what_changed(poses_two_mice_with_nan):
    ds = poses_two_mice_with_nan.copy()
    ds["skeleton_edges"] = (("edge", "edge_node"), np.array([["snout", "tail_base"]]))
    back = ds.drop_vars("skeleton_edges").isel(individual=[1])
    back["position"] = back.position + 0.5
    report = round_trip_report(ds, back)
    assert "position within 0.5" in report
    assert "confidence exact" in report
    assert "1 of 2 individuals in this file" in report
    assert "not kept: skeleton_edges" in report


# --------------------------------------------------------------------------
# the installed console script


def test_console_script_runs(tmp_path):
    script = shutil.which("posebridge", path=str(Path(sys.executable).parent)) or shutil.which(
        "posebridge"
    )
    if script is None:
        pytest.skip("the posebridge console script is not installed")
    env = {**os.environ, "COLUMNS": "200"}
    sample = sample_data.bundled_path(TWO_MICE)
    done = subprocess.run(
        [script, "info", str(sample)], capture_output=True, text=True, timeout=120, env=env
    )
    assert done.returncode == 0, done.stderr
    assert rows(done.stdout)["keypoints"].startswith("8: ")
    bad = tmp_path / "bad.nc"
    bad.write_bytes(b"junk")
    done = subprocess.run(
        [script, "info", str(bad)], capture_output=True, text=True, timeout=120, env=env
    )
    assert done.returncode == 1
    (line,) = done.stderr.strip().splitlines()
    assert line.startswith("posebridge: error: ") and str(bad) in line


def test_demo_reads_yolo_predictions_back_from_their_folder_in_one_line(tmp_path):
    result = run("demo", "--out", tmp_path, "--sample", TWO_MICE)
    assert result.exit_code == 0, result.output
    lines = [
        line for line in result.stdout.splitlines() if line.strip().startswith("yolo-predictions")
    ]
    frames = sample_data.fetch_dataset(TWO_MICE).sizes["time"]
    assert len(lines) == 1, lines
    assert f"({frames} files)" in lines[0]
    assert "read back as yolo-predictions: position within" in lines[0]
    assert "FAILED" not in result.stdout
    files = len(list((tmp_path / "yolo-predictions").glob("*.txt")))
    assert files == frames  # every frame of the sample has a mouse
    written = sum(1 for p in tmp_path.rglob("*") if p.is_file())
    assert result.stdout.strip().splitlines()[-1] == f"{written} files written in {tmp_path}"


@pytest.mark.parametrize(("command", "flag"), [(["convert"], "--from"), (["info"], "--format")])
def test_a_folder_no_format_reads_is_refused_naming_the_flag_not_format_equals(
    tmp_path, command, flag
):
    """The message said 'or format= if you know it', the Python keyword."""
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "a.dat").write_text("x")
    args = [*command, str(folder)] + ([str(tmp_path / "out.nc")] if command == ["convert"] else [])
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 1
    assert "is a folder, and none of the formats that read folders" in result.output
    assert f"or {flag} if you know it" in result.output and "format=" not in result.output


def test_formats_prints_every_option_of_every_reader_and_writer():
    """The options were hand-written notes that left some out (nwb read skeleton=, labelstudio
    write model_version=, ...)."""
    output = run("formats").stdout
    listed = output.split("options (--read-option / --option KEY=VALUE)")[1]
    rows: dict[str, str] = {}
    name = ""
    for line in listed.splitlines():
        if line.strip():
            if not line.startswith(" "):
                name = line.split()[0]
            rows[name] = rows.get(name, "") + " " + line.strip()
    for fmt in registry.all_formats():
        text = " ".join(rows[fmt.name].split())
        for option in (*fmt.read_options, *fmt.write_options):
            if option != "overwrite":
                assert f"{option}=" in text.replace("= ", "="), (fmt.name, option)


def test_the_readme_formats_table_lists_every_alias():
    import re
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    for fmt in registry.all_formats():
        row = next(r for r in readme.splitlines() if r.startswith(f"| `{fmt.name}` |"))
        accepted = re.findall(r"`([^`]+)`", row.split("|")[2])
        assert {a.lower() for a in fmt.aliases} <= {a.lower() for a in accepted}, fmt.name


@pytest.mark.parametrize(
    ("target", "option", "said"),
    [
        ("out.json", "bogus=1", "has no option 'bogus'"),
        ("out.json", 'image_size="x"', "image_size= (--option) takes"),
        ("out.nwb", "subject_id=[1]", "subject_id= (--option) takes"),
    ],
)
def test_convert_checks_the_writers_options_before_reading_the_input(
    tmp_path, poses_two_mice_with_nan, target, option, said
):
    """An option error came only after the whole input was read (or was hidden behind an
    error of the input): the README says options are checked before any file is opened."""
    source = tmp_path / "in.csv"
    posebridge.save(poses_two_mice_with_nan, source)
    source.write_text(source.read_text()[:-40])  # a damaged last row: reading it fails
    result = run("convert", source, tmp_path / target, "--option", option)
    assert result.exit_code == 1
    assert said in result.stderr and "in.csv" not in result.stderr


@pytest.mark.parametrize(
    ("flags", "said"),
    [
        (["--compression", "lzmaX"], "option --compression: compression 'lzmaX'"),
        (["--option", "dtype=foo"], "option dtype= (--option): dtype must be"),
        (["--option", "layout=bogus"], "option layout= (--option): layout must be one of"),
        (["--option", "search=5"], "option search= (--option): search must be a folder"),
    ],
)
@pytest.mark.parametrize(("ending", "from_format"), [(".csv", "dlc"), (".slp", "slp")])
def test_convert_checks_the_nwb_option_values_before_reading_the_input_naming_the_flag(
    tmp_path, poses_two_mice_with_nan, flags, said, ending, from_format
):
    """A bad --compression (or dtype, layout, search) was refused only once the whole input
    was read; a damaged input was reported instead. The .csv streams, the .slp does not."""
    source = tmp_path / f"in{ending}"
    posebridge.save(poses_two_mice_with_nan, source)
    source.write_bytes(source.read_bytes()[:-40])  # a damaged end: reading it fails
    result = run("convert", source, tmp_path / "out.nwb", "--from", from_format, *flags)
    assert result.exit_code == 1
    assert said in result.stderr and f"in{ending}" not in result.stderr, result.stderr
    assert "read " not in result.stdout


@pytest.mark.parametrize(("ending", "from_format"), [(".csv", "dlc"), (".slp", "slp")])
def test_convert_checks_the_metadata_file_before_reading_the_input_naming_the_flag(
    tmp_path, poses_two_mice_with_nan, ending, from_format
):
    """--metadata was parsed only once the whole input was read, and its error named no flag."""
    source = tmp_path / f"in{ending}"
    posebridge.save(poses_two_mice_with_nan, source)
    source.write_bytes(source.read_bytes()[:-40])  # a damaged end: reading it fails
    metadata = tmp_path / "meta.yaml"
    metadata.write_text("subject:\n  sex: M\nfoo: 1\n")
    result = run(
        "convert", source, tmp_path / "out.nwb", "--from", from_format, "--metadata", metadata
    )
    assert result.exit_code == 1
    assert "option --metadata: " in result.stderr, result.stderr
    assert "unknown section 'foo'" in result.stderr
    assert "read " not in result.stdout


def test_batch_checks_a_metadata_option_before_converting_any_input_naming_the_flag(
    tmp_path, poses_two_mice_with_nan
):
    """batch read and wrote every input, then failed each one on the metadata file."""
    sources = [tmp_path / "a.csv", tmp_path / "b.csv"]
    for source in sources:
        posebridge.save(poses_two_mice_with_nan, source)
    metadata = tmp_path / "meta.yaml"
    metadata.write_text("subject:\n  sex: M\nfoo: 1\n")
    out = tmp_path / "out"
    result = run(
        "batch", *sources, "--to", "nwb", "--out", out, "-q", "--option", f"metadata={metadata}"
    )
    assert result.exit_code == 1
    assert "option metadata= (--option): " in result.stderr, result.stderr
    assert "unknown section 'foo'" in result.stderr
    assert result.stdout == "" and not out.exists()


def test_convert_refuses_a_target_ending_the_to_format_cannot_have_before_reading(
    tmp_path, poses_two_mice_with_nan
):
    source = tmp_path / "in.csv"
    posebridge.save(poses_two_mice_with_nan, source)
    result = run("convert", source, tmp_path / "x.csv", "--to", "nwb")
    assert result.exit_code == 1
    assert "x.csv: NWB files end in .nwb" in result.stderr
    assert "read " not in result.stdout


def test_an_unknown_writer_option_names_the_option_flag_it_came_from(tmp_path, two_mice_nc):
    # it blamed NWB flags the user never typed (--subject-id, --compression, --video)
    for key in ("subject_id", "compression", "age"):
        result = run("convert", two_mice_nc, tmp_path / f"o{key}.slp", "--option", f"{key}=x")
        assert result.exit_code == 1
        assert f"no option '{key}' (given by --option)" in result.stderr, result.stderr


@pytest.mark.parametrize("command", [["info", ""], ["convert", "", "out.nc"], ["plot", ""]])
def test_an_empty_path_is_a_usage_error_not_the_current_folder(tmp_path, command, monkeypatch):
    # Path("") is ".": `posebridge convert "$IN" out.nc` with IN unset read the folder
    monkeypatch.chdir(tmp_path)
    result = run(*command)
    assert result.exit_code == 2
    assert "an empty path names no file" in result.stderr


def test_read_option_takes_a_tuple_as_the_error_hints_spell_it(tmp_path):
    """'pass image_size=(width, height)' was refused typed so on the command line; the
    advice now names the flag (as a JSON list), and the tuple is taken too."""
    (tmp_path / "labels" / "train").mkdir(parents=True)
    (tmp_path / "labels" / "train" / "a.txt").write_text("0 0.5 0.5 0.5 0.5 0.25 0.5 2\n")
    yaml = tmp_path / "data.yaml"
    yaml.write_text("train: images/train\nkpt_shape: [1, 3]\nnames:\n  0: mouse\n")
    result = run("info", yaml)
    assert result.exit_code == 1 and "--read-option 'image_size=[W,H]'" in result.stderr
    result = run("info", yaml, "--read-option", "image_size=[200,100]")
    assert result.exit_code == 0, result.output
    result = run("info", yaml, "--read-option", "image_size=(200, 100)")
    assert result.exit_code == 0, result.output
    ds = posebridge.load(yaml, image_size=(200, 100))
    assert rows(result.stdout)["labelled frames"].startswith(str(ds.sizes["time"]))


def test_convert_and_batch_without_dask_run_in_memory(tmp_path):
    ds = posebridge.from_numpy(np.arange(24.0).reshape(3, 2, 2, 2), fps=30)
    posebridge.save(ds, tmp_path / "sessionDLC.h5")
    done = run_command_line_without_dask(["convert", "sessionDLC.h5", "out.analysis.h5"], tmp_path)
    assert "EXIT STATUS: 0" in done.stderr, done.stderr
    assert "DASK MODULES: []" in done.stderr
    np.testing.assert_array_equal(
        posebridge.load(tmp_path / "out.analysis.h5")["position"].values, ds["position"].values
    )
    done = run_command_line_without_dask(
        ["batch", "sessionDLC.h5", "--out", "converted", "--to", "sleap", "-q"], tmp_path
    )
    assert "EXIT STATUS: 0" in done.stderr, done.stderr
    (written,) = (tmp_path / "converted").iterdir()
    np.testing.assert_array_equal(
        posebridge.load(written)["position"].values, ds["position"].values
    )


@pytest.mark.parametrize(
    "command",
    [
        ["info"],
        ["convert", "{address}", "out.nwb"],
        ["plot"],
        ["batch", "{address}", "--to", "nwb"],
    ],
)
def test_an_address_given_as_input_is_quoted_as_typed(tmp_path, monkeypatch, command):
    """click's Path (and the batch's) made ``https://`` ``https:/`` before posebridge saw it:
    ``https:/example.com/x.h5: no such file.``, without the hint that it is an address."""
    monkeypatch.chdir(tmp_path)
    address = "https://example.com/x.h5"
    arguments = [a.format(address=address) for a in command]
    result = run(*(arguments if "{address}" in command[1:] else [*arguments, address]))
    assert result.exit_code == 1
    assert f"{address}: no such file (an address: posebridge reads local files" in result.stderr


@pytest.mark.parametrize(
    "command",
    [
        ["convert", "{input}", "{address}"],
        ["plot", "{input}", "--out", "{address}"],
        ["batch", "{input}", "--to", "nwb", "--out", "{address}"],
        ["batch", "{input}", "--to", "nwb", "--report", "{address}"],
    ],
)
def test_an_address_given_as_output_is_said_to_be_written_locally(tmp_path, monkeypatch, command):
    """h109: the input's check, added to the path type outputs share, told the user to
    download an output ('no such file ... download it first')."""
    monkeypatch.chdir(tmp_path)
    source = tmp_path / "in.nc"
    posebridge.save(posebridge.from_numpy(np.ones((3, 2, 2, 1)), fps=30), source)
    address = "https://example.com/out.nwb"
    result = run(*[a.format(input=source, address=address) for a in command])
    assert result.exit_code == 2
    assert f"{address} is an address: posebridge writes local files only" in result.stderr
    assert "download" not in result.stderr


def test_an_output_path_that_looks_like_an_address_into_a_local_folder_is_written(
    tmp_path, monkeypatch
):
    """h110: ``a://b/out.nc`` names the file out.nc of the local folder ``a:/b``, which
    posebridge.convert writes; the command line called it an address."""
    monkeypatch.chdir(tmp_path)
    source = tmp_path / "in.nc"
    posebridge.save(posebridge.from_numpy(np.ones((3, 2, 2, 1)), fps=30), source)
    (tmp_path / "a:" / "b").mkdir(parents=True)
    result = run("convert", str(source), "a://b/out.nc")
    assert result.exit_code == 0, result.stderr
    assert (tmp_path / "a:" / "b" / "out.nc").is_file()


def test_ctrl_c_ends_the_command_as_sigint_ends_a_process_leaving_no_output(tmp_path):
    """Ctrl-C printed click's "Aborted!" and exited 1, the status of an error: a shell loop
    of conversions went on to the next file, and a script could not tell it from a failure."""
    import signal
    import time

    from posebridge._temporaries import TEMPORARY_MARK

    rng = np.random.default_rng(0)
    source = tmp_path / "big.nc"
    posebridge.save(posebridge.from_numpy(rng.uniform(0, 500, (300_000, 2, 12, 2))), source)
    command = [sys.executable, "-m", "posebridge", "convert", str(source), str(tmp_path / "o.csv")]
    process = subprocess.Popen(command, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while not any(TEMPORARY_MARK in p.name for p in tmp_path.iterdir()):
        assert process.poll() is None, "the conversion ended before its temporary was seen"
        assert time.monotonic() < deadline
        time.sleep(0.005)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=120)
    assert process.returncode == -signal.SIGINT, stderr  # a shell's status 130
    last = stderr.strip().splitlines()[-1]
    assert last == "posebridge: interrupted: no file was left half-written.", stderr
    assert "Aborted!" not in stderr
    assert [p.name for p in tmp_path.iterdir()] == ["big.nc"]


def test_ctrl_c_in_main_called_from_python_raises_system_exit_for_the_caller(tmp_path):
    """main(argv) called from a Python program ended the whole process by SIGINT on Ctrl-C:
    the caller's except and finally blocks never ran (a notebook's kernel would die)."""
    import signal
    import textwrap
    import time

    from posebridge._temporaries import TEMPORARY_MARK

    rng = np.random.default_rng(0)
    source = tmp_path / "big.nc"
    posebridge.save(posebridge.from_numpy(rng.uniform(0, 500, (300_000, 2, 12, 2))), source)
    program = textwrap.dedent(
        f"""
        from posebridge.cli import main
        try:
            main(["convert", {str(source)!r}, {str(tmp_path / "o.csv")!r}])
        except SystemExit as exit_:
            print("caller caught", exit_.code)
        """
    )
    process = subprocess.Popen(
        [sys.executable, "-c", program], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    deadline = time.monotonic() + 120
    while not any(TEMPORARY_MARK in p.name for p in tmp_path.iterdir()):
        assert process.poll() is None, "the conversion ended before its temporary was seen"
        assert time.monotonic() < deadline
        time.sleep(0.005)
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=120)
    assert process.returncode == 0, stderr
    assert stdout.strip().splitlines()[-1] == "caller caught 130", stderr
    assert [p.name for p in tmp_path.iterdir()] == ["big.nc"]


@pytest.mark.parametrize(
    ("target", "extra"),
    [
        ("out.csv", ()),
        ("out.h5", ()),
        ("out.csv", ("--to", "lp")),
        ("out.slp", ()),
        ("out.analysis.h5", ()),
        ("out.csv", ("--to", "sleap-csv")),
        ("out.json", ("--to", "coco")),
    ],
)
def test_a_frame_indexed_target_without_frame_numbers_is_refused_naming_fps(
    tmp_path, target, extra
):
    """Time in seconds without fps: no frames are made up; the advice is --fps, not Python."""
    ds = model.from_numpy(np.random.default_rng(1).uniform(0, 9, (4, 2, 2, 1)))
    ds = ds.assign_coords(time=[0.0, 0.4, 1.3, 2.0]).assign_attrs(time_unit="seconds")
    source = tmp_path / "secs.nc"
    posebridge.save(ds, source)
    result = run("convert", source, tmp_path / target, *extra)
    assert result.exit_code == 1, result.output
    line = result.stderr.strip().splitlines()[-1]
    assert f"{tmp_path / target}: " in line, line
    assert "--fps" in line and "with_fps" not in line and "ds.attrs" not in line, line
    assert not list(tmp_path.glob("out*"))
    assert run("convert", source, tmp_path / target, *extra, "--fps", "10").exit_code == 0


# --------------------------------------------------------------------------
# advice with the command line's flags, in errors and warnings alike


def test_yolo_image_size_advice_names_the_flags_in_errors_and_warnings(tmp_path):
    """The command line said "pass image_size=(width, height)" and "read them back with
    image_size=(40, 32)", Python's words: errors got the flags, warnings never did."""
    position = np.array([[[[5.0]], [[30.0]]], [[[35.0]], [[2.0]]]])  # (time, space, kp, ind)
    ds = posebridge.from_numpy(position, keypoint_names=["nose"])
    source = tmp_path / "clip.nc"
    posebridge.save(ds, source)
    refused = run("convert", source, tmp_path / "a.yaml", "--to", "yolo")
    assert refused.exit_code == 1
    assert refused.stderr.strip().endswith(
        "pass --option 'image_size=[W,H]' (width and height in pixels)."
    )
    posebridge.save(ds.assign_attrs(video_width=40, video_height=32), source, overwrite=True)
    done = run("convert", source, tmp_path / "b.yaml", "--to", "yolo")
    assert done.exit_code == 0, done.output
    (advice,) = [line for line in done.stderr.splitlines() if "read them back" in line]
    assert advice.startswith("posebridge: warning: ")
    assert "read them back with --read-option 'image_size=[40,32]'." in advice
    back = run("info", tmp_path / "b.yaml", "--read-option", "image_size=[40,32]")
    assert back.exit_code == 0, back.output  # the flag as the warning gives it


def test_label_studio_image_size_refusal_names_the_write_flag(tmp_path):
    """The Label Studio writer said "pass image_size=(width, height)" on the command line."""
    ds = posebridge.from_numpy(np.full((2, 2, 1, 1), 5.0), keypoint_names=["nose"])
    posebridge.save(ds, tmp_path / "clip.nc")
    refused = run("convert", tmp_path / "clip.nc", tmp_path / "tasks.json", "--to", "labelstudio")
    assert refused.exit_code == 1
    assert refused.stderr.strip().endswith(
        "pass --option 'image_size=[W,H]' (width and height in pixels)."
    )
    done = run(
        "convert", tmp_path / "clip.nc", tmp_path / "tasks.json", "--to", "labelstudio",
        "--option", "image_size=[40,32]",
    )  # fmt: skip
    assert done.exit_code == 0, done.output


def test_coco_results_warning_names_the_flags_that_keep_the_keypoint_names(tmp_path):
    """Writing COCO results warned "Read it with ground_truth= ... or keypoint_names=, or
    write ground truth (kind='ground_truth' ...)" on the command line; the flags it names
    now work as written."""
    rng = np.random.default_rng(5)
    position = rng.uniform(1, 30, (2, 2, 2, 1))
    ds = posebridge.from_numpy(position, np.full((2, 2, 1), 0.9), keypoint_names=["nose", "tail"])
    posebridge.save(ds, tmp_path / "clip.nc")
    done = run("convert", tmp_path / "clip.nc", tmp_path / "results.json", "--to", "coco")
    assert done.exit_code == 0, done.output
    (warning,) = [line for line in done.stderr.splitlines() if "no keypoint names" in line]
    assert "--read-option ground_truth=FILE" in warning
    assert "(--option kind=ground_truth, without scores)" in warning
    assert "kind='ground_truth'" not in warning and "keypoint_names=," not in warning
    back = run(
        "convert", tmp_path / "results.json", tmp_path / "back.nc", "--to", "netcdf",
        "--read-option", 'keypoint_names=["nose", "tail"]',
    )  # fmt: skip
    assert back.exit_code == 0, back.output
    assert posebridge.load(tmp_path / "back.nc")["keypoint"].values.tolist() == ["nose", "tail"]
    kept = run(
        "convert", tmp_path / "clip.nc", tmp_path / "gt.json", "--to", "coco",
        "--option", "kind=ground_truth",
    )  # fmt: skip
    assert kept.exit_code == 0, kept.output


def test_coco_kind_advice_names_the_option_flag(tmp_path):
    """The COCO writer's warnings said kind='results' / kind='ground_truth' there."""
    rng = np.random.default_rng(6)
    ds = posebridge.from_numpy(rng.uniform(1, 30, (2, 2, 2, 1)), np.full((2, 2, 1), 0.9))
    posebridge.save(ds, tmp_path / "clip.nc")
    truth = run(
        "convert", tmp_path / "clip.nc", tmp_path / "gt.json", "--to", "coco",
        "--option", "kind=ground_truth",
    )  # fmt: skip
    assert truth.exit_code == 0, truth.output
    (warning,) = [line for line in truth.stderr.splitlines() if "is not written" in line]
    assert warning.endswith("a COCO results file (--option kind=results) keeps them.")
    results = run(
        "convert", tmp_path / "clip.nc", tmp_path / "res.json", "--to", "coco",
        "--option", "kind=results", "--option", "category_name=mouse",
    )  # fmt: skip
    assert results.exit_code == 0, results.output
    (ignored,) = [line for line in results.stderr.splitlines() if "is ignored" in line]
    assert "(--option kind=ground_truth) to keep them" in ignored
    assert "kind='" not in ignored


def test_an_option_value_that_is_not_json_says_how_to_write_a_list(tmp_path):
    """h151: `--read-option 'keypoint_names=[a,b]'` (not JSON, so kept as text) was refused
    naming only a Python type, Sequence[str] | None."""
    rng = np.random.default_rng(7)
    ds = posebridge.from_numpy(rng.uniform(1, 30, (2, 2, 2, 1)), np.full((2, 2, 1), 0.9))
    posebridge.save(ds, tmp_path / "clip.nc")
    assert (
        run("convert", tmp_path / "clip.nc", tmp_path / "res.json", "--to", "coco").exit_code == 0
    )
    refused = run(
        "convert", tmp_path / "res.json", tmp_path / "back.nc", "--to", "netcdf",
        "--read-option", "keypoint_names=[a,b]",
    )  # fmt: skip
    assert refused.exit_code != 0
    assert "got '[a,b]', which is not JSON" in refused.stderr
    assert """e.g. '["nose","tail"]'""" in refused.stderr
    done = run(
        "convert", tmp_path / "res.json", tmp_path / "back.nc", "--to", "netcdf",
        "--read-option", 'keypoint_names=["nose","tail"]',
    )  # fmt: skip
    assert done.exit_code == 0, done.output


def test_convert_help_names_the_streaming_sources_and_targets_once_each():
    """The help ran the list of sources into the list of targets ("... Anipose to NWB,
    SLEAP analysis, netCDF, ...") so that it named SLEAP analysis and netCDF twice."""
    text = " ".join(run("convert", "--help").stdout.split())
    said = (
        "Conversions from DeepLabCut (.h5, .csv), LightningPose (.csv), SLEAP analysis, netCDF, "
        "Anipose or NWB files to NWB, SLEAP analysis, netCDF, DeepLabCut, LightningPose or "
        "Anipose files stream"
    )
    assert said in text
    from posebridge.convert import STREAMING_READERS, STREAMING_WRITERS

    titles = {n: registry.get(n).title for n in (*STREAMING_READERS, *STREAMING_WRITERS)}
    sources, targets = said.split(" files to ")
    for name in STREAMING_READERS:
        assert sources.count(titles[name]) == 1, name
    for name in STREAMING_WRITERS:
        assert targets.count(titles[name]) == 1, name


@pytest.mark.parametrize(
    ("format", "option", "said"),
    [
        (None, "bogus=1", "the readers have no option 'bogus' (given by --read-option)"),
        ("dlc", "bogus=1", "--format dlc (DeepLabCut, LightningPose) have no option 'bogus'"),
        ("nwb", "key=x", "the NWB reader has no option 'key' (given by --read-option)"),
        ("dlc", "key=[5]", "option key= (--read-option) takes str | null, got [5]"),
    ],
)
def test_info_checks_reader_options_before_opening_the_file_or_printing(
    tmp_path, two_mice_nc, format, option, said
):
    """h156: info printed the file, format and layout rows, then refused the option."""
    source = tmp_path / "in.h5"
    posebridge.save(posebridge.load(two_mice_nc), source, "dlc", split_individuals=False)
    named = ["--format", format] if format else []
    result = run("info", source, *named, "--read-option", option)
    assert result.exit_code == 1
    assert result.stdout == "", result.stdout  # nothing printed before the refusal
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("posebridge: error: ") and said in line, line
    if format:  # the reader is known: the file is not opened (garbage would be refused so)
        garbage = tmp_path / "garbage.h5"
        garbage.write_bytes(b"not HDF5 at all")
        again = run("info", garbage, *named, "--read-option", option)
        assert again.exit_code == 1 and again.stdout == ""
        assert said in again.stderr, again.stderr


# --------------------------------------------------------------------------
# file names with characters that print as others or as nothing


@pytest.mark.skipif(sys.platform == "win32", reason="Windows file names hold no newline")
def test_a_newline_in_a_file_name_is_printed_escaped_not_as_a_space(
    tmp_path, poses_two_mice_with_nan
):
    """f157: a newline in a name was printed as a space (errors, info) or as a line break
    (convert's summary), so the file meant could not be told."""
    source = tmp_path / "two\nmice.nc"
    posebridge.save(poses_two_mice_with_nan, source)
    shown = repr(str(source))  # 'folder/two\nmice.nc': quoted, the newline escaped
    info = run("info", source)
    assert info.exit_code == 0, info.output
    assert rows(info.stdout)["file"] == shown
    target = tmp_path / "out\tput.h5"  # a tab too
    converted = run("convert", source, target)
    assert converted.exit_code == 0, converted.output
    lines = converted.stdout.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith(f"read   {shown} as ")
    assert lines[1].startswith(f"wrote  {str(target)!r} (")
    again = run("convert", source, target)  # refused: it exists
    assert again.exit_code == 1
    (line,) = again.stderr.splitlines()
    said = f"{str(target)!r}: already exists; pass --overwrite to replace it."
    assert line == f"posebridge: error: {said}"
    gone = tmp_path / "no\nsuch.nc"
    missing = run("info", gone)
    assert missing.exit_code == 1
    (line,) = missing.stderr.splitlines()
    assert f"{str(gone)!r}: no such file" in line, line


def test_a_run_of_spaces_in_a_file_name_is_kept_in_an_error(tmp_path):
    """A message is put on one line by making each run of whitespace one space: a name's
    own spaces are kept as they are (a name is not shown quoted for spaces inside it)."""
    missing = tmp_path / "two  spaces.nc"
    result = run("info", missing)
    assert result.exit_code == 1
    (line,) = result.stderr.splitlines()
    assert f"posebridge: error: {missing}: no such file" in line, line
