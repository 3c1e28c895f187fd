"""What the commands write: never onto an input, never one file for two, nowhere unusable.

``plot`` and ``render`` refuse an output that is one of their inputs (the poses
file, the video or still image, a link to one), even with ``--overwrite``, as
``convert`` does; ``plot`` refuses two FILEs whose figures would be one file;
``render`` refuses an ffmpeg image-sequence name (``i%d.png``; ``clip%d.mp4`` is
written as it is named); an output under a regular file
is said to be under a file. Option values typed for text stay as typed, and an
``--fps`` that contradicts the file's own rate is refused.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import h5py
import matplotlib
import numpy as np
import pytest
from click.testing import CliRunner

import posebridge
from posebridge import model
from posebridge._temporaries import TEMPORARY_MARK
from posebridge.cli import cli

matplotlib.use("Agg")


def run(*args: object):
    """Invoke the command in-process; stdout and stderr are kept apart."""
    return CliRunner().invoke(cli, [str(a) for a in args])


def _error_line(result) -> str:
    lines = result.stderr.strip().splitlines()
    assert lines, result.output
    return lines[-1]


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob("*") if TEMPORARY_MARK in p.name)


@pytest.fixture
def poses_file(tmp_path, poses_two_mice_with_nan) -> Path:
    path = tmp_path / "session1.nc"
    posebridge.save(poses_two_mice_with_nan, path)
    return path


@pytest.fixture
def video(tmp_path) -> Path:
    """A 20-frame lossless video (the poses' 20 frames)."""
    pytest.importorskip("imageio_ffmpeg")
    from posebridge import _video

    path = tmp_path / "video.mkv"
    writer = _video.write_frames(path, (64, 48), 10.0, codec="ffv1", pix_fmt="bgr0", quality=None)
    for k in range(20):
        writer.send(np.full((48, 64, 3), 10 * k % 250, dtype=np.uint8))
    writer.close()
    return path


# --------------------------------------------------------------------------
# plot and render never write onto an input


@pytest.mark.parametrize("through", ["same name", "symbolic link"])
def test_plot_onto_its_poses_file_is_refused_even_with_overwrite(tmp_path, poses_file, through):
    target = poses_file
    if through == "symbolic link":
        target = tmp_path / "link.png"
        target.symlink_to(poses_file.name)
    data = poses_file.read_bytes()
    result = run("plot", poses_file, "-o", target, "--overwrite")
    assert result.exit_code == 1, result.output
    assert _error_line(result) == (
        f"posebridge: error: {target}: is the input file ({poses_file}); writing the figure "
        "there would replace the original: write to another file."
    )
    assert poses_file.read_bytes() == data
    assert _leftovers(tmp_path) == []


def test_plot_onto_the_still_image_under_it_is_refused_even_with_overwrite(tmp_path, poses_file):
    still = tmp_path / "still.png"
    plt = pytest.importorskip("matplotlib.pyplot")
    plt.imsave(still, np.zeros((48, 64, 3), dtype=np.uint8))
    data = still.read_bytes()
    result = run("plot", poses_file, "--video", still, "-o", still, "--overwrite")
    assert result.exit_code == 1, result.output
    assert f"{still}: is the input file ({still})" in _error_line(result)
    assert still.read_bytes() == data


@pytest.mark.parametrize("which", ["poses", "video", "link to the video"])
def test_render_onto_an_input_is_refused_even_with_overwrite(tmp_path, poses_file, video, which):
    target = {"poses": poses_file, "video": video}.get(which)
    if target is None:
        target = tmp_path / "link.mkv"
        target.symlink_to(video)
    source = poses_file if which == "poses" else video
    data = source.read_bytes()
    result = run(
        "render", poses_file, "--video", video, "-o", target, "--overwrite", "--no-progress",
        "--codec", "ffv1",
    )  # fmt: skip
    assert result.exit_code == 1, result.output
    assert _error_line(result) == (
        f"posebridge: error: {target}: is the input file ({source}); writing the video "
        "there would replace the original: write to another file."
    )
    assert source.read_bytes() == data
    assert _leftovers(tmp_path) == []


def test_plot_of_two_files_with_one_stem_is_refused_before_drawing(tmp_path, poses_file):
    twin = tmp_path / "session1.h5"
    posebridge.save(posebridge.load(poses_file), twin, "dlc", split_individuals=False)
    result = run("plot", poses_file, twin, "--overwrite")
    assert result.exit_code == 1, result.output
    line = _error_line(result)
    figure = tmp_path / "session1.trajectories.png"
    assert line.startswith(f"posebridge: error: {figure}: would be the figure of both")
    assert str(poses_file) in line and str(twin) in line
    assert not figure.exists()  # nothing drawn
    assert result.stdout == ""


@pytest.mark.parametrize("name", ["i%d.png", "i%03d.jpg", "frame_%5d.png"])
def test_render_refuses_an_image_sequence_pattern_and_leaves_nothing(
    tmp_path, poses_file, video, name
):
    out = tmp_path / "r"
    out.mkdir()
    result = run("render", poses_file, "--video", video, "-o", out / name, "--frames", "0:3")
    assert result.exit_code == 1, result.output
    line = _error_line(result)
    assert line.startswith(f"posebridge: error: {out / name}: ")
    assert "image-sequence pattern" in line
    assert list(out.iterdir()) == []  # no numbered temporaries


@pytest.mark.parametrize("name", ["clip%d.mp4", "clip%03d.mkv"])
def test_render_writes_a_video_whose_name_holds_percent_d_under_that_name(
    tmp_path, poses_file, video, name
):
    """Only image endings make ffmpeg number its files; clip%d.mp4 was refused all the same."""
    out = tmp_path / "r"
    out.mkdir()
    result = run("render", poses_file, "--video", video, "-o", out / name, "--frames", "0:3",
                 "--no-progress")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert [p.name for p in out.iterdir()] == [name]
    from posebridge import _video

    assert _video.probe(out / name).n_frames == 4


def test_render_takes_a_percent_sign_that_is_no_pattern(tmp_path, poses_file, video):
    out = tmp_path / "50%.mkv"
    result = run("render", poses_file, "--video", video, "-o", out, "--codec", "ffv1",
                 "--no-progress")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert out.is_file()


# --------------------------------------------------------------------------
# an output under a regular file


@pytest.mark.parametrize("command", ["plot", "convert", "render"])
def test_an_output_under_a_regular_file_says_it_is_a_file(tmp_path, poses_file, command, request):
    (tmp_path / "afile").write_text("x")
    if command == "plot":
        target = tmp_path / "afile" / "x.png"
        result = run("plot", poses_file, "-o", target)
    elif command == "convert":
        target = tmp_path / "afile" / "x.nc"
        result = run("convert", poses_file, target)
    else:
        video = request.getfixturevalue("video")
        target = tmp_path / "afile" / "x.mkv"
        result = run("render", poses_file, "--video", video, "-o", target)
    assert result.exit_code == 1, result.output
    assert _error_line(result) == (
        f"posebridge: error: {target}: {tmp_path / 'afile'} is a file, not a folder."
    )


def test_a_missing_output_folder_is_still_said_to_be_missing(tmp_path, poses_file):
    result = run("plot", poses_file, "-o", tmp_path / "nowhere" / "x.png")
    assert result.exit_code == 1
    assert "the folder" in _error_line(result) and "nowhere does not exist" in _error_line(result)


# --------------------------------------------------------------------------
# option values as typed


@pytest.mark.parametrize("text", ["1.50", "7e3", "NaN", "Infinity", "-0", "1E2", "007"])
def test_a_number_typed_for_a_text_option_is_kept_as_typed(tmp_path, poses_file, text):
    target = tmp_path / "o.nwb"
    result = run(
        "convert", poses_file, target, "--option", f"subject_id={text}",
        "--option", "split_individuals=false",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    with h5py.File(target) as h5:
        assert h5["general/subject/subject_id"][()].decode() == text


def test_a_dlc_scorer_typed_as_a_number_is_kept_as_typed(tmp_path, poses_file):
    target = tmp_path / "o.csv"
    result = run("convert", poses_file, target, "--option", "scorer=7e3")
    assert result.exit_code == 0, result.output
    assert target.read_text().splitlines()[0].split(",")[1] == "7e3"


def test_options_that_take_numbers_still_get_numbers(tmp_path, poses_file):
    target = tmp_path / "o.analysis.h5"
    result = run("convert", poses_file, target, "--option", "compression_level=1")
    assert result.exit_code == 0, result.output  # an int option: 1, not "1" (refused)
    result = run(
        "convert", poses_file, tmp_path / "p.analysis.h5", "--option", "compression_level=1.50"
    )
    assert result.exit_code == 1  # a number of the wrong kind is refused, as before
    assert "compression_level= (--option) takes int, got 1.5" in _error_line(result)


# --------------------------------------------------------------------------
# --fps against the file's own frame rate


@pytest.fixture
def seconds_file(tmp_path) -> Path:
    """A netCDF file at 30 fps, time in seconds."""
    ds = model.from_numpy(np.random.default_rng(3).uniform(0, 9, (6, 2, 2, 1)), fps=30)
    path = tmp_path / "secs.nc"
    posebridge.save(ds, path)
    return path


@pytest.mark.parametrize(
    "command",
    [("info",), ("convert", "out.csv"), ("convert", "out.nwb", "--single-file")],
    ids=["info", "convert-in-memory", "convert-streaming"],
)
def test_an_fps_that_contradicts_the_files_own_is_refused_naming_both(
    tmp_path, seconds_file, command
):
    extra = [tmp_path / a if a.startswith("out") else a for a in command[1:]]
    result = run(command[0], seconds_file, *extra, "--fps", "60")
    assert result.exit_code == 1, result.output
    line = _error_line(result)
    assert re.search(r"--fps 60 contradicts the file's own frame rate, 30 fps", line), line
    assert line.startswith(f"posebridge: error: {seconds_file}: ")
    assert not list(tmp_path.glob("out*"))


def test_an_fps_equal_to_the_files_own_or_for_frames_is_taken(tmp_path, seconds_file):
    assert run("info", seconds_file, "--fps", "30").exit_code == 0
    frames = tmp_path / "frames.nc"
    posebridge.save(model.from_numpy(np.zeros((4, 2, 1, 1))), frames)
    result = run("convert", frames, tmp_path / "c.nc", "--fps", "25")
    assert result.exit_code == 0, result.output
    assert posebridge.load(tmp_path / "c.nc").attrs["fps"] == 25


def test_every_writer_says_an_output_folder_is_a_file(tmp_path, poses_two_mice_with_nan):
    from posebridge._outputs import check_outputs

    (tmp_path / "afile").write_text("x")
    target = tmp_path / "afile" / "deeper" / "x.csv"
    with pytest.raises(posebridge.errors.FileNotFoundError) as caught:
        check_outputs([target], overwrite=False)
    assert str(caught.value) == f"{target}: {tmp_path / 'afile'} is a file, not a folder."
    assert isinstance(caught.value, FileNotFoundError)  # the built-in one too


def _prediction_folder(folder: Path) -> dict[str, bytes]:
    """A YOLO predictions labels folder (3 frames, 2 tracks, 2 keypoints); its contents."""
    folder.mkdir()
    line = "0 0.5 0.5 0.2 0.2 0.25 0.5 0.9 0.75 0.25 0.8 {}\n"
    for n in (1, 2, 3):
        (folder / f"clip_{n}.txt").write_text(line.format(1) + line.format(2))
    return {p.name: p.read_bytes() for p in folder.iterdir()}


def test_convert_refuses_to_write_inside_the_folder_it_reads_even_with_overwrite(tmp_path):
    labels = tmp_path / "labels"
    before = _prediction_folder(labels)
    options = ["--read-option", "kpt_shape=[2, 3]", "--read-option", "image_size=[640, 480]"]
    result = run("convert", labels, labels / "clip.txt", "--overwrite", *options)
    assert result.exit_code == 1, result.output
    line = _error_line(result)
    assert line.startswith(
        f"posebridge: error: {labels / 'clip.txt'}: is inside the folder {labels}"
    )
    assert "(even with --overwrite)" in line  # the flag, not Python's overwrite
    assert {p.name: p.read_bytes() for p in labels.iterdir()} == before
    assert not _leftovers(tmp_path)
    result = run("convert", labels, tmp_path / "clip.nc", *options)  # outside it: converted
    assert result.exit_code == 0, result.output
    assert posebridge.load(tmp_path / "clip.nc").sizes["time"] == 3


@pytest.mark.parametrize("command", ["plot", "convert", "batch"])
def test_an_output_name_ending_with_slash_dot_is_refused(tmp_path, poses_file, command):
    """`convert in.csv out.nc/.` wrote out.nc: a final '/.' names a folder too."""
    given = f"{tmp_path / 'out.json'}/."
    args = {
        "plot": ["plot", poses_file, "--out", given],
        "convert": ["convert", poses_file, given],
        "batch": ["batch", poses_file, "--out", tmp_path / "d", "--to", "nc", "--report", given],
    }[command]
    result = run(*args)
    assert result.exit_code == 2, result.output
    assert f"{given}: ends with '/.', so it names a folder" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == [poses_file.name]


@pytest.mark.parametrize("command", ["plot", "convert"])
def test_an_output_name_ending_with_a_separator_is_refused(tmp_path, poses_file, command):
    """`--out f.png/` wrote the file f.png: a trailing separator names a folder."""
    given = f"{tmp_path / 'out.png'}/" if command == "plot" else f"{tmp_path / 'out.csv'}/"
    args = ["plot", poses_file, "--out", given] if command == "plot" else [
        "convert", poses_file, given]  # fmt: skip
    result = run(*args)
    assert result.exit_code == 2, result.output
    assert f"{given}: ends with a path separator" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == [poses_file.name]


@pytest.mark.parametrize("again", ["same", "through another path"])
def test_plot_of_a_file_given_twice_says_it_is_given_twice(tmp_path, poses_file, again):
    """`plot a.csv a.csv` said the two FILEs shared 'the same name without its ending'."""
    twice = poses_file if again == "same" else os.path.relpath(poses_file)
    result = run("plot", poses_file, twice)
    assert result.exit_code == 2, result.output
    assert f"{twice} is given twice" in result.stderr
    assert "without its ending" not in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == [poses_file.name]


def test_plot_of_a_file_and_a_link_to_it_elsewhere_draws_a_figure_beside_each(
    tmp_path, poses_file
):
    """h123: comparing real paths refused `plot s.csv sub/s.csv` (a link) as 'given twice';
    each name gets its figure beside it, as before."""
    sub = tmp_path / "sub"
    sub.mkdir()
    link = sub / poses_file.name
    link.symlink_to(poses_file)
    result = run("plot", poses_file, link)
    assert result.exit_code == 0, result.output
    stem = poses_file.name.split(".")[0]
    assert len(list(tmp_path.glob(f"{stem}*.png"))) == 1
    assert len(list(sub.glob(f"{stem}*.png"))) == 1


# --------------------------------------------------------------------------
# convert refuses an output it cannot write before it reads the input


def _unread(monkeypatch) -> None:
    """Make any read of the input's data fail the test (the eager and the lazy reader)."""
    import posebridge.lazy

    def read(*args, **kwargs):
        raise AssertionError("the input was read")

    monkeypatch.setattr(posebridge.api, "load", read)
    monkeypatch.setattr(posebridge.lazy, "open_lazily_indexed", read)


@pytest.mark.parametrize("name", ["out.nc", "out.slp", "out.csv"])  # streams, in memory
def test_convert_refuses_an_existing_output_before_reading_the_input(
    tmp_path, poses_file, monkeypatch, name
):
    """The whole input was read (and a "read" line printed) before the refusal."""
    target = tmp_path / name
    target.write_bytes(b"kept")
    _unread(monkeypatch)
    result = run("convert", poses_file, target)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert _error_line(result) == (
        f"posebridge: error: {target}: already exists; pass --overwrite to replace it."
    )
    assert target.read_bytes() == b"kept"


def test_convert_refuses_a_folder_as_output_before_reading_the_input(
    tmp_path, poses_file, monkeypatch
):
    (tmp_path / "outdir").mkdir()
    _unread(monkeypatch)
    for to in ("netcdf", "slp", "nwb", "yolo-predictions"):
        result = run("convert", poses_file, tmp_path / "outdir", "--to", to)
        assert result.exit_code == 1 and result.stdout == ""
        said = f"posebridge: error: {tmp_path / 'outdir'}: is a folder; expected a file name."
        assert _error_line(result) == said


def test_an_existing_nwb_output_of_one_individual_is_refused_before_the_data_are_read(
    tmp_path, poses_two_mice_with_nan, monkeypatch
):
    """NWB writes the file itself for one individual: said once the source is opened
    (its individuals known), before any chunk is read or a "read" line printed."""
    pytest.importorskip("pynwb")
    import importlib

    source = tmp_path / "one.nc"
    posebridge.save(poses_two_mice_with_nan.isel(individual=[0]), source)
    target = tmp_path / "one.nwb"
    target.write_bytes(b"kept")

    def written(*args, **kwargs):
        raise AssertionError("the data were read")

    monkeypatch.setattr(importlib.import_module("posebridge.convert"), "save_in_chunks", written)
    result = run("convert", source, target)
    assert result.exit_code == 1 and result.stdout == ""
    assert _error_line(result).endswith("already exists; pass --overwrite to replace it.")
    assert target.read_bytes() == b"kept"


def test_outputs_the_writer_names_itself_are_still_written_beside_an_existing_target(
    tmp_path, poses_file
):
    """NWB's default for several individuals is a file each (<stem>_<individual>.nwb): a
    file at the target's own name is not one of them, and stays as it is."""
    pytest.importorskip("pynwb")
    target = tmp_path / "out.nwb"
    target.write_bytes(b"kept")
    result = run("convert", poses_file, target)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("read ")
    assert target.read_bytes() == b"kept"
    assert len(list(tmp_path.glob("out_*.nwb"))) == 2


def test_overwrite_and_append_are_as_before(tmp_path, poses_file):
    target = tmp_path / "out.slp"
    target.write_bytes(b"old")
    result = run("convert", poses_file, target, "--overwrite")
    assert result.exit_code == 0, result.output
    assert target.read_bytes() != b"old"
    pytest.importorskip("pynwb")
    nwb = tmp_path / "session.nwb"
    assert run("convert", poses_file, nwb, "--single-file").exit_code == 0
    result = run("convert", poses_file, nwb, "--append")  # the same poses: refused by append
    assert "already exists; pass --overwrite" not in result.output
