"""The pictures commands: ``posebridge plot`` and ``posebridge render``, and ``make figures``."""

from __future__ import annotations

import re
import shlex
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest
from click.testing import CliRunner

import posebridge
from posebridge import _video, model, sample_data
from posebridge._colours import colour_rgb
from posebridge.cli import cli
from posebridge.plot import output as plot_output

ROOT = Path(__file__).resolve().parents[2]
TWO_MICE = "posebridge_two-mice_2D.nc"


def run(*args: object):
    return CliRunner().invoke(cli, [str(a) for a in args])


@pytest.fixture
def poses_file(tmp_path, poses_two_mice_with_nan) -> Path:
    path = tmp_path / "session1.nc"
    posebridge.save(poses_two_mice_with_nan, path)
    return path


# --------------------------------------------------------------------------
# plot


def test_plot_writes_stem_kind_png_beside_the_file_and_prints_it(poses_file):
    result = run("plot", poses_file)
    assert result.exit_code == 0, result.output
    expected = poses_file.with_name("session1.trajectories.png")
    assert result.stdout.strip() == str(expected)
    assert expected.read_bytes().startswith(b"\x89PNG")


@pytest.mark.parametrize("kind", ["trajectories", "confidence", "missing", "skeleton"])
@pytest.mark.parametrize(("ending", "magic"), [(".svg", b"<?xml"), (".pdf", b"%PDF")])
def test_plot_every_kind_to_the_out_file(poses_file, tmp_path, kind, ending, magic):
    out = tmp_path / f"figure{ending}"
    result = run("plot", poses_file, "--kind", kind, "--out", out)
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(magic)


def test_plot_reads_any_format_with_the_choices_given(tmp_path, poses_two_mice_with_nan):
    source = tmp_path / "poses.h5"
    posebridge.save(poses_two_mice_with_nan, source, format="dlc")
    out = tmp_path / "snout.svg"
    result = run(
        "plot", source, "--out", out, "--individual", "mouse_a", "--keypoint", "snout",
        "--time", "2:9",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    svg = out.read_text()
    assert "mouse_a" in svg and "mouse_b" not in svg and "snout" in svg


def test_plot_several_files_one_figure_each(tmp_path, poses_two_mice_with_nan):
    paths = [tmp_path / "a.nc", tmp_path / "b.nc"]
    for path in paths:
        posebridge.save(poses_two_mice_with_nan, path)
    result = run("plot", *paths, "--kind", "missing")
    assert result.exit_code == 0, result.output
    assert result.stdout.split() == [str(tmp_path / f"{s}.missing.png") for s in "ab"]
    result = run("plot", *paths, "--out", tmp_path / "one.png")
    assert result.exit_code == 2 and "one FILE with --out" in result.stderr


def test_plot_over_a_video_frame(poses_file, tmp_path):
    video = tmp_path / "video.mkv"
    writer = _video.write_frames(video, (64, 48), 5.0, codec="ffv1", pix_fmt="bgr0", quality=None)
    for value in (10, 200):
        writer.send(np.full((48, 64, 3), value, dtype=np.uint8))
    writer.close()
    out = tmp_path / "over.png"
    result = run("plot", poses_file, "--video", video, "--frame", 1, "--out", out)
    assert result.exit_code == 0, result.output
    result = run("plot", poses_file, "--video", video, "--frame", 2, "--out", out, "--overwrite")
    assert result.exit_code == 1
    assert "has 2 frames" in result.stderr


def test_plot_over_an_image_given_as_video(poses_file, tmp_path):
    """f159: --video is the command line's only way to put a still under a figure; a PNG
    was probed as a one-frame video: a false 'shorter' warning, and skeleton refused it."""
    from PIL import Image

    still = tmp_path / "still.png"
    Image.fromarray(np.full((48, 64, 3), 90, np.uint8)).save(still)
    out = tmp_path / "over.png"
    for kind in (["--kind", "trajectories"], ["--kind", "skeleton", "--frame", 3]):
        result = run("plot", poses_file, *kind, "--video", still, "--out", out, "--overwrite")
        assert result.exit_code == 0, result.output
        assert result.stderr == ""
        assert out.read_bytes().startswith(b"\x89PNG")


@pytest.mark.skipif(sys.platform == "win32", reason="Windows file names hold no newline")
def test_plot_over_a_video_shorter_than_the_poses(poses_file, tmp_path, poses_two_mice_with_nan):
    """f157: --video was used as a still only, whatever its length; the video named with
    a newline, as the command line shows it (quoted, escaped)."""
    video = tmp_path / "short\nclip.mkv"
    writer = _video.write_frames(video, (64, 48), 5.0, codec="ffv1", pix_fmt="bgr0", quality=None)
    for value in (10, 200):
        writer.send(np.full((48, 64, 3), value, dtype=np.uint8))
    writer.close()
    last = poses_two_mice_with_nan.sizes["time"] - 1
    said = (
        f"{str(video)!r}: the video is shorter than the poses: it has 2 frames (0 to 1) and "
        f"the poses of {poses_file} reach frame {last}."
    )
    out = tmp_path / "over.png"
    skeleton = ["--kind", "skeleton", "--video", video, "--frame", 1]
    result = run("plot", poses_file, *skeleton, "--out", out)
    assert result.exit_code == 1
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"posebridge: error: {said}"), line
    assert not out.exists()
    result = run("plot", poses_file, "--video", video, "--frame", 1, "--out", out)
    assert result.exit_code == 0, result.output
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"posebridge: warning: {said}"), line
    assert out.exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--individual", "nobody"], "no individual named 'nobody'; the individuals are"),
        (["--time", "500:600"], "the time range 500:600 holds no data"),
        (["--kind", "skeleton", "--frame", "77"], "no poses at frame 77"),
        (["--out", "figure.jpg"], "a figure is written as .png, .svg, .pdf"),
        (["--frame", "-5"], "frame must be a video frame number from 0, got -5"),
        (["--keypoint", "snout", "--keypoint", "snout"], "keypoint 'snout' is named twice"),
    ],
)
def test_plot_bad_choices_give_one_error_line(poses_file, args, message):
    result = run("plot", poses_file, *args)
    assert result.exit_code == 1
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("posebridge: error: ") and message in line


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--kind", "skeleton", "--keypoint", "snout"],
            "--keypoint does not apply to --kind skeleton; the skeleton figure takes "
            "--individual, --video, --frame.",
        ),
        (
            ["--kind", "confidence", "--video", "v.mp4", "--frame", "2"],
            "--video and --frame do not apply to --kind confidence; the confidence figure "
            "takes --individual, --keypoint, --time.",
        ),
        (
            ["--kind", "skeleton", "--time", "0:5"],
            "--time does not apply to --kind skeleton;",
        ),
    ],
)
def test_a_flag_a_figure_does_not_take_is_a_usage_error_naming_its_flags(
    poses_file, tmp_path, args, message
):
    """It said "has no option 'keypoints'" and listed ax and image, which are no flags."""
    (tmp_path / "v.mp4").write_bytes(b"")
    result = run("plot", poses_file, *args)
    assert result.exit_code == 2, result.output
    said = " ".join(result.stderr.split())
    assert message in said, said
    assert "'keypoints'" not in said and "ax" not in said.split() and "image" not in said
    assert not list(tmp_path.glob("*.png"))  # refused before anything was drawn


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("5", "a time range is START:END"),
        ("nan:5", "a time range is START:END of numbers, got 'nan:5'"),
        ("9:2", "the time range '9:2' ends before it starts"),
    ],
)
def test_a_malformed_time_range_is_a_usage_error_naming_the_flag(poses_file, value, message):
    """It exited 1 without naming --time, where render --frames 5 is a usage error (2)."""
    result = run("plot", poses_file, "--time", value)
    assert result.exit_code == 2
    assert "--time" in result.stderr and message in " ".join(result.stderr.split())


def test_an_error_about_one_of_several_files_names_that_file(tmp_path, poses_two_mice_with_nan):
    """posebridge plot a.nc b.nc: the file without the individual asked for is named."""
    both, one = tmp_path / "both.nc", tmp_path / "one.nc"
    posebridge.save(poses_two_mice_with_nan, both)
    posebridge.save(poses_two_mice_with_nan.isel(individual=[0]), one)
    wanted = str(poses_two_mice_with_nan.individual.values[1])
    result = run("plot", both, one, "--individual", wanted)
    assert result.exit_code == 1, result.output
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith(f"posebridge: error: {one}: no individual named {wanted!r}")


def test_plot_refuses_to_replace_a_figure_without_overwrite(poses_file):
    assert run("plot", poses_file).exit_code == 0
    result = run("plot", poses_file)
    assert result.exit_code == 1 and "--overwrite" in result.stderr
    assert run("plot", poses_file, "--overwrite").exit_code == 0


def test_plot_of_several_files_refuses_an_existing_figure_before_writing_any(
    tmp_path, poses_two_mice_with_nan
):
    """a's figure was written before b's existing one was refused (a half-done run)."""
    paths = [tmp_path / "a.nc", tmp_path / "b.nc"]
    for path in paths:
        posebridge.save(poses_two_mice_with_nan, path)
    existing = tmp_path / "b.missing.png"
    existing.write_bytes(b"kept")
    result = run("plot", *paths, "--kind", "missing")
    assert result.exit_code == 1
    assert f"{existing}: already exists; pass --overwrite" in result.stderr
    assert not (tmp_path / "a.missing.png").exists()
    assert existing.read_bytes() == b"kept"


def test_plot_of_several_files_refuses_a_missing_one_before_writing_any(
    tmp_path, poses_two_mice_with_nan
):
    """Found by a hunt (h115): a's figure was written before b was found missing."""
    present = tmp_path / "a.nc"
    posebridge.save(poses_two_mice_with_nan, present)
    result = run("plot", present, tmp_path / "b.nc")
    assert result.exit_code == 1
    assert "b.nc: no such file" in result.stderr
    assert not (tmp_path / "a.trajectories.png").exists()


def test_plot_without_matplotlib_says_which_extra_to_install(poses_file, monkeypatch):
    for name in [m for m in sys.modules if m == "matplotlib" or m.startswith("matplotlib.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import matplotlib -> ImportError
    result = run("plot", poses_file)
    assert result.exit_code == 1
    assert "pip install 'posebridge[plot]'" in result.stderr
    assert not poses_file.with_name("session1.trajectories.png").exists()


def test_plot_of_a_file_with_no_keypoints_is_one_error_line_not_a_warning(
    tmp_path, poses_two_mice_with_nan
):
    """posebridge writes such files; plotting them gave matplotlib warnings or a ValueError."""
    empty = tmp_path / "empty.nc"
    posebridge.save(poses_two_mice_with_nan.isel(keypoint=[]), empty)
    for kind in ("missing", "confidence", "skeleton"):
        result = run("plot", empty, "--kind", kind, "-o", tmp_path / f"{kind}.png")
        assert result.exit_code == 1, result.output
        (line,) = result.stderr.strip().splitlines()
        assert line == f"posebridge: error: {empty}: the dataset has no keypoints to draw."
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty.nc"]


def test_plot_of_all_nan_poses_prints_no_warning(tmp_path, poses_two_mice_with_nan):
    ds = poses_two_mice_with_nan.copy(deep=True)
    ds["position"][:] = np.nan
    source = tmp_path / "nan.nc"
    posebridge.save(ds, source)
    for kind in plot_output.KINDS:
        result = run("plot", source, "--kind", kind, "-o", tmp_path / f"{kind}.png")
        assert result.exit_code == 0, result.output
        assert result.stderr == ""


def test_plot_trajectories_frame_without_a_video_is_refused(poses_file, tmp_path):
    out = tmp_path / "b.png"
    result = run("plot", poses_file, "--kind", "trajectories", "--frame", "99999", "-o", out)
    assert result.exit_code == 1
    assert "frame=99999 picks a frame of a video, but no video is given" in result.stderr
    assert not out.exists()


# --------------------------------------------------------------------------
# render


def test_render_draws_the_poses_and_prints_the_file(tmp_path):
    video = tmp_path / "video.mkv"
    writer = _video.write_frames(video, (64, 48), 5.0, codec="ffv1", pix_fmt="bgr0", quality=None)
    for _ in range(4):
        writer.send(np.full((48, 64, 3), 90, dtype=np.uint8))
    writer.close()
    position = np.full((2, 2, 1, 1), 20.0)
    ds = model.from_numpy(position).assign_coords(time=np.array([1, 3]))
    poses = tmp_path / "poses.nc"
    posebridge.save(ds, poses)
    out = tmp_path / "out.mkv"
    result = run(
        "render", poses, "--video", video, "-o", out, "--codec", "ffv1", "--no-progress",
        "--no-names",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"wrote  {out}")
    frames = list(_video.read_frames(out))
    assert len(frames) == 3  # video frames 1 to 3
    assert (np.abs(frames[0][20, 20].astype(int) - colour_rgb(0)) < 12).all()
    assert (frames[1] == frames[1][0, 0]).all()  # frame 2 has no poses: untouched grey


def test_render_errors_are_one_line(tmp_path, poses_file):
    bad = tmp_path / "bad.mp4"
    bad.write_bytes(b"nothing")
    result = run("render", poses_file, "--video", bad, "-o", tmp_path / "out.mp4")
    assert result.exit_code == 1
    (line,) = result.stderr.strip().splitlines()
    assert "bad.mp4: could not be opened as a video" in line
    result = run("render", poses_file, "--video", bad, "-o", tmp_path / "o.mp4", "--frames", "x")
    assert result.exit_code == 2 and "FIRST:LAST" in result.stderr


@pytest.mark.parametrize(
    ("name", "args", "message"),
    [
        ("out.mp4", ["--codec", "bogus"], "ffmpeg cannot write this video (--codec 'bogus'"),
        ("out.txt", [], "file ending '.txt'): Unable to choose an output format"),
        ("out.mkv", ["--radius", "-3"], "--radius must be a number, above 0,"),
        ("out.mkv", ["--min-confidence", "nan"], "--min-confidence must be a number,"),
    ],
)
def test_render_refuses_bad_options_in_one_paragraph(tmp_path, name, args, message):
    video = tmp_path / "video.mkv"
    writer = _video.write_frames(video, (64, 48), 5.0, codec="ffv1", pix_fmt="bgr0", quality=None)
    writer.send(np.full((48, 64, 3), 90, dtype=np.uint8))
    writer.close()
    poses = tmp_path / "poses.nc"
    posebridge.save(model.from_numpy(np.full((1, 2, 1, 1), 20.0)), poses)
    result = run("render", poses, "--video", video, "-o", tmp_path / name, "--no-progress", *args)
    assert result.exit_code == 1
    (line,) = result.stderr.strip().splitlines()  # no ffmpeg messages, no command line
    assert line.startswith("posebridge: error: ") and message in line
    assert sorted(p.name for p in tmp_path.iterdir()) == ["poses.nc", "video.mkv"]


# --------------------------------------------------------------------------
# make figures: the README's pictures


def figure_commands() -> tuple[list[list[str]], dict[str, str]]:
    """The ``posebridge`` command lines of the Makefile's ``figures`` target, and its variables."""
    text = (ROOT / "Makefile").read_text()
    variables = dict(re.findall(r"^(\w+)\s*:=\s*(.+?)\s*$", text, flags=re.M))
    recipe = re.search(r"^figures:.*\n((?:\t.*\n)+)", text, flags=re.M)
    assert recipe, "the Makefile has no figures target"
    commands = []
    for line in recipe.group(1).splitlines():
        words = shlex.split(line.strip())
        assert words[0] == "$(BIN)/posebridge", line
        commands.append(words[1:])
    return commands, variables


def test_make_figures_still_runs(tmp_path):
    commands, variables = figure_commands()
    assert commands
    made = []
    for words in commands:
        args = [
            w.replace("$(FIGURES_DIR)", str(tmp_path)).replace(
                "$(SAMPLE)", str(ROOT / variables["SAMPLE"])
            )
            for w in words
        ]
        result = run(*args)
        assert result.exit_code == 0, result.output
        made.append(Path(result.stdout.strip()))
    for path in made:
        assert path.parent == tmp_path and path.read_bytes().startswith(b"\x89PNG")
        committed = ROOT / variables["FIGURES_DIR"] / path.name
        assert committed.is_file(), f"{committed} is not committed; run make figures"
        assert committed.stat().st_size < 150_000
    assert Path(variables["SAMPLE"]).name == TWO_MICE and TWO_MICE in sample_data.BUNDLED


def test_the_readme_shows_the_committed_figures():
    readme = (ROOT / "README.md").read_text()
    shown = re.findall(r"!\[[^\]]*\]\((docs/[^)]+\.png)\)", readme)
    assert "docs/two-mice.trajectories.png" in shown
    for path in shown:
        assert (ROOT / path).is_file(), path


def test_plot_of_the_current_folder_names_the_figure_after_it(tmp_path, monkeypatch):
    """`posebridge plot .` in a folder read as one input (YOLO predictions' labels folder)
    failed with a raw ValueError: "PosixPath('.') has an empty name"."""
    labels_folder = tmp_path / "labels"
    labels_folder.mkdir()
    for frame in (1, 2):
        row = f"0 0.5 0.5 0.2 0.2 0.{frame} 0.2 0.9 0.3 0.4 0.8\n"
        (labels_folder / f"clip_{frame}.txt").write_text(row)
    monkeypatch.chdir(labels_folder)
    options = ["--read-option", "kpt_shape=[2, 3]", "--read-option", "image_size=[64, 48]"]
    result = run("plot", ".", "--kind", "missing", *options)
    assert result.exit_code == 0, result.output
    expected = tmp_path / "labels.missing.png"
    assert Path(result.stdout.strip()).resolve() == expected
    assert expected.read_bytes().startswith(b"\x89PNG")
    assert plot_output.default_path("..", "missing") == tmp_path.parent / (
        f"{tmp_path.name}.missing.png"
    )


def _idtracker_csv_folder(folder: Path) -> tuple[Path, Path]:
    """An idtracker.ai CSV export: trajectories.csv and the id_probabilities.csv read with it."""
    folder.mkdir()
    trajectories = folder / "trajectories.csv"
    trajectories.write_text("x1,y1,x2,y2\n10,20,30,40\n12,22,32,42\n14,24,34,44\n")
    probabilities = folder / "id_probabilities.csv"
    probabilities.write_text("p1,p2\n0.5,0.6\n0.7,0.8\n0.9,0.95\n")
    return trajectories, probabilities


def test_plot_refuses_an_output_that_leads_to_a_file_read_with_the_input(tmp_path):
    """`posebridge plot --overwrite` wrote the figure through a link onto idtracker.ai's
    id_probabilities.csv (read beside trajectories.csv); convert refused that already."""
    trajectories, probabilities = _idtracker_csv_folder(tmp_path / "csv")
    before = probabilities.read_bytes()
    target = tmp_path / "figure.png"
    target.symlink_to(probabilities)
    result = run("plot", trajectories, "--out", target, "--overwrite")
    assert result.exit_code != 0
    assert f"{target}: is a file read with the input {trajectories}" in result.output
    assert probabilities.read_bytes() == before
