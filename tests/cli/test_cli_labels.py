"""The command line on labelled frames: convert CollectedData to .slp / .nwb, info."""

from __future__ import annotations

import re

import h5py
import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

import posebridge
from posebridge.cli import cli
from posebridge.model import labels


def run(*args: object):
    return CliRunner().invoke(cli, [str(a) for a in args])


@pytest.fixture
def collected_data(tmp_path):
    """A DeepLabCut >= 2.3 CollectedData .h5: 3 images of 2 videos, 2 animals, 2 bodyparts."""
    index = pd.MultiIndex.from_tuples(
        [
            ("labeled-data", "reach", "img0005.png"),
            ("labeled-data", "reach", "img0020.png"),
            ("labeled-data", "walk", "img0003.png"),
        ]
    )
    columns = pd.MultiIndex.from_product(
        [["me"], ["a", "b"], ["nose", "tail"], ["x", "y"]],
        names=["scorer", "individuals", "bodyparts", "coords"],
    )
    values = np.arange(3 * 8, dtype=float).reshape(3, 8)
    values[2, 4:] = np.nan  # 'b' not labelled in the last image
    path = tmp_path / "CollectedData_me.h5"
    pd.DataFrame(values, index=index, columns=columns).to_hdf(path, key="df_with_missing")
    return path, values


@pytest.mark.parametrize("target", ["labels.slp", "labels.nwb"])
def test_convert_collected_data_keeps_the_labels(collected_data, tmp_path, target):
    source, values = collected_data
    result = run("convert", source, tmp_path / target)
    assert result.exit_code == 0, result.output
    assert "3 labelled frames" in result.output and f"wrote  {tmp_path / target}" in result.output
    back = posebridge.load(tmp_path / target)
    assert labels.is_labels(back)
    assert back.image_path.values.tolist() == [
        "labeled-data/reach/img0005.png",
        "labeled-data/reach/img0020.png",
        "labeled-data/walk/img0003.png",
    ]
    ours = back.position.transpose("time", "individual", "keypoint", "space").values
    np.testing.assert_array_equal(ours.reshape(3, 8), values)


def test_convert_writes_a_pose_training(collected_data, tmp_path):
    run("convert", collected_data[0], tmp_path / "labels.nwb")
    with h5py.File(tmp_path / "labels.nwb") as h5:
        frames = h5["processing/behavior/PoseTraining/training_frames"]
        assert len(frames) == 3
        assert sorted(frames["frame_2/skeleton_instances"]) == ["a"]


def test_info_shows_frames_per_video_and_points_per_frame(collected_data):
    result = run("info", collected_data[0])
    assert result.exit_code == 0, result.output
    lines = {re.split(r"\s{2,}", line.strip())[0]: line for line in result.output.splitlines()}
    assert "labelled frames (poses)" in lines["kind"]
    assert "3 in 2 videos" in lines["labelled frames"]
    assert "2 images" in lines["labeled-data/reach"]
    assert "1 images" in lines["labeled-data/walk"]
    assert "3.3 on average (min 2, max 4), 10 in all" in lines["points per frame"]


def test_converting_labels_to_a_poses_only_format_says_why(collected_data, tmp_path):
    result = run("convert", collected_data[0], tmp_path / "out.analysis.h5")
    assert result.exit_code != 0
    assert "labelled frames" in result.output and "as_poses" in result.output
    assert not (tmp_path / "out.analysis.h5").exists()


def test_info_of_labels_with_views_and_visible_flags(tmp_path):
    from posebridge.combine import stack_views

    top = labels.from_numpy(
        np.ones((2, 2, 2, 1)),
        image_path=["top/img1.png", "top/img2.png"],
        visible=np.array([[[2], [0]], [[2], [2]]]),  # frame 0's tail not visible
        keypoint_names=["s", "t"],
    )
    bot = labels.from_numpy(
        np.ones((2, 2, 2, 1)),
        image_path=["bot/img1.png", "bot/img2.png"],
        keypoint_names=["s", "t"],
    )
    path = tmp_path / "views.nc"
    with pytest.warns(UserWarning, match="not kept: view 'bot'"):  # bot's images
        stacked = stack_views([top, bot], ["top", "bot"])
    posebridge.save(stacked, path)
    result = run("info", path)
    assert result.exit_code == 0, result.output
    lines = {re.split(r"\s{2,}", line.strip())[0]: line for line in result.output.splitlines()}
    # frame 0: 1 point (top) + 2 (bot); frame 1: 2 + 2
    assert "3.5 on average (min 3, max 4), 7 in all" in lines["points per frame"]
    json_result = run("info", "--json", path)
    assert json_result.exit_code == 0, json_result.output
    assert '"total": 7' in json_result.output
