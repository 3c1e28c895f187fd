"""Files that hold the poses of several videos (.slp, NWB in sleap-io's layout) on the
command line: ``info`` describes them and says how to read one; every command's error
names ``--read-option``, the flag that picks a video, not Python's ``video=0``."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import xarray as xr
from click.testing import CliRunner

import posebridge
from _corpus import corpus_path
from posebridge._recorded_warnings import dropping_warnings
from posebridge.cli import cli

VIDEOS = ["/data/session0.mp4", "/data/session1.mp4"]
MODULES = ["SLEAP_VIDEO_000_session0", "SLEAP_VIDEO_001_session1"]


def run(*args: object):
    return CliRunner().invoke(cli, [str(a) for a in args])


def _mouse(video: int) -> xr.Dataset:
    return posebridge.from_numpy(
        np.arange(12.0).reshape(3, 2, 2, 1) + 100 * video,
        individual_names=["mouse"],
        keypoint_names=["head", "tail"],
    ).assign_attrs(video_path=VIDEOS[video])


@pytest.fixture
def two_videos_slp(tmp_path) -> Path:
    """An .slp file (written by sleap-io) with predictions in each of two videos."""
    sio = pytest.importorskip("sleap_io")
    skeleton, track = sio.Skeleton(["head", "tail"]), sio.Track("mouse")
    videos = [sio.Video(filename=name, open_backend=False) for name in VIDEOS]
    frames = [
        sio.LabeledFrame(
            video=video,
            frame_idx=3,
            instances=[
                sio.PredictedInstance.from_numpy(
                    points_data=np.ones((2, 2)) * k,
                    point_scores=np.ones(2),
                    score=1.0,
                    skeleton=skeleton,
                    track=track,
                )
            ],
        )
        for k, video in enumerate(videos)
    ]
    path = tmp_path / "two videos.slp"
    labels = sio.Labels(labeled_frames=frames, videos=videos, skeletons=[skeleton], tracks=[track])
    sio.save_slp(labels, str(path))
    return path


@pytest.fixture
def two_videos_nwb(tmp_path) -> Path:
    """An NWB file of sleap-io's layout with two videos (one processing module each)."""
    path = tmp_path / "two.nwb"
    with dropping_warnings(UserWarning):
        for video in (0, 1):
            posebridge.save(_mouse(video), path, layout="sleap-io", append=video > 0)
    return path


CASES = {
    "slp": ("two_videos_slp", "--read-option video=0", "video=1", ["video=0", "video=1"]),
    "nwb": (
        "two_videos_nwb",
        f"--read-option processing_module_key={MODULES[0]}",
        f"processing_module_key={MODULES[1]}",
        [f"processing_module_key={m}" for m in MODULES],
    ),
}


@pytest.mark.parametrize("kind", CASES)
def test_info_describes_a_file_of_several_videos_and_says_how_to_read_one(request, kind):
    fixture, advice, other, _ = CASES[kind]
    path = request.getfixturevalue(fixture)
    result = run("info", path)
    assert result.exit_code == 0, result.output
    shown = " ".join(result.stdout.split())  # the table wraps long values
    assert advice in shown
    assert "posebridge.load" not in result.output
    assert "2 videos" in shown
    if kind == "slp":  # the file's own contents, as for any file
        assert "SLEAP file contents" in shown and "/data/session1.mp4" in shown
    else:  # combine=views makes each PoseEstimation (a track) a view: not advised
        assert "combine=views" not in shown
    # the advice works
    picked = run("info", path, "--read-option", other)
    assert picked.exit_code == 0, picked.output
    assert "individuals 1: mouse" in " ".join(picked.stdout.split())


@pytest.mark.parametrize("kind", CASES)
def test_info_json_of_several_videos_gives_the_option_that_picks_one(request, kind):
    fixture, advice, _, _ = CASES[kind]
    result = run("info", "--json", request.getfixturevalue(fixture))
    assert result.exit_code == 0, result.output
    facts = json.loads(result.stdout)
    several = facts["several_videos"]
    assert several["option"] == ("video" if kind == "slp" else "processing_module_key")
    assert several["example"] == (0 if kind == "slp" else MODULES[0])
    assert advice in several["message"] and "error" not in facts


@pytest.mark.parametrize("kind", CASES)
def test_convert_of_several_videos_names_the_command_line_option(request, tmp_path, kind):
    fixture, advice, _, choices = CASES[kind]
    path = request.getfixturevalue(fixture)
    result = run("convert", path, tmp_path / "out.nc")
    assert result.exit_code == 1
    assert advice in result.stderr
    assert "posebridge.load" not in result.stderr and "read_all_videos" not in result.stderr
    for k, choice in enumerate(choices):  # each video, as the advice says
        target = tmp_path / f"video{k}.nc"
        done = run("convert", path, target, "--read-option", choice, "-q")
        assert done.exit_code == 0, done.output
        position = posebridge.load(target).position.values
        assert np.nanmin(position) == (k if kind == "slp" else 100 * k)


def test_the_python_message_keeps_pythons_wording(two_videos_slp):
    with pytest.raises(posebridge.errors.SeveralVideosError) as raised:
        posebridge.load(two_videos_slp)
    assert "posebridge.load(path, video=0)" in str(raised.value)
    assert "--read-option" not in str(raised.value)


def test_batch_of_several_videos_reports_the_command_line_option(two_videos_slp, tmp_path):
    """The batch's report rows kept Python's wording (video=0) where the command line's
    own commands name --read-option."""
    report = tmp_path / "report.json"
    result = run(
        "batch", two_videos_slp, "--out", tmp_path / "out", "--to", "netcdf", "-j", "1", "-q",
        "--report", report,
    )  # fmt: skip
    assert result.exit_code == 1, result.output
    (row,) = json.loads(report.read_text())["results"]
    assert row["status"] == "failed"
    assert "--read-option video=0" in row["error"]
    assert "posebridge.load" not in row["error"]
    printed = " ".join(result.stdout.split())  # the table cuts a long error at 160 characters
    assert "posebridge.load" not in printed


def test_convert_many_of_several_videos_keeps_pythons_wording(two_videos_slp, tmp_path):
    from posebridge.batch import convert_many

    report = convert_many([two_videos_slp], tmp_path / "out", to="netcdf", jobs=1)
    (row,) = report.results
    assert row.status == "failed"
    assert "posebridge.load(path, video=0)" in row.error
    assert "--read-option" not in row.error and "--read-option" not in report.table()


def test_nwb_cameras_of_several_videos_are_told_to_read_one_with_read_options(tmp_path):
    """h156: the warning that no video path is kept said 'with pose_estimation_key= or
    processing_module_key=' on the command line, where only --read-option passes them."""
    path = corpus_path("nwb/0.3.0_poseestimation_two_cameras.nwb")  # two cameras, a video each

    result = run("info", path)
    said = " ".join(result.output.split())
    assert result.exit_code == 0, said
    assert "a dataset holds one video_path, so none is kept" in said, said
    assert (
        "with --read-option pose_estimation_key=NAME or --read-option processing_module_key="
        in (said)
    ), said
    with pytest.warns(UserWarning, match="with pose_estimation_key= or processing_module_key="):
        posebridge.load(path)


def test_an_unknown_nwb_compression_is_refused_with_the_flags_way_out(tmp_path):
    """h156: the refusal offered 'None', which no flag value gives."""
    source = tmp_path / "mouse.nc"
    posebridge.save(_mouse(0), source)
    for flag in (["--compression", "lzmaX"], ["--option", "compression=lzmaX"]):
        result = run("convert", source, tmp_path / "out.nwb", *flag)
        said = " ".join(result.output.split())
        assert result.exit_code != 0, said
        assert said.endswith("'lzf', or leave --compression out."), said
    with pytest.raises(posebridge.PoseBridgeError, match=r"'lzf' or None\.$"):
        posebridge.save(_mouse(0), tmp_path / "py.nwb", compression="lzmaX")
