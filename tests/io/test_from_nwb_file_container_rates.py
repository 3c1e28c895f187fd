"""posebridge.io.load_poses.from_nwb_file of several PoseEstimation containers: the fps
stated is each container's own rate (movement's rule, one container at a time) when they
agree, not the rate of the union of their times."""

from __future__ import annotations

import datetime as dt
import warnings

import numpy as np
import pytest

import posebridge
from posebridge.io import load_poses

pynwb = pytest.importorskip("pynwb")
ndx_pose = pytest.importorskip("ndx_pose")


def write_containers(path, times_of):
    """An NWB file with one PoseEstimation per animal (``times_of``: name -> timestamps),
    two keypoints each, timed by the timestamps given."""
    nwbfile = pynwb.NWBFile("poses", "id", dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
    behavior = nwbfile.create_processing_module("behavior", "poses")
    skeletons, containers = [], []
    for name, times in times_of.items():
        skeleton = ndx_pose.Skeleton(
            name=f"skeleton_{name}", nodes=["nose", "tail"], edges=np.array([[0, 1]], "uint8")
        )
        skeletons.append(skeleton)
        series = [
            ndx_pose.PoseEstimationSeries(
                name=keypoint,
                data=np.arange(2 * len(times), dtype=float).reshape(-1, 2),
                confidence=np.ones(len(times)),
                unit="pixels",
                reference_frame="top left",
                timestamps=np.asarray(times, dtype=float),
            )
            for keypoint in ("nose", "tail")
        ]
        containers.append((name, skeleton, series))
    behavior.add(ndx_pose.Skeletons(skeletons=skeletons))
    for name, skeleton, series in containers:
        behavior.add(
            ndx_pose.PoseEstimation(
                name=f"PoseEstimation_{name}",
                pose_estimation_series=series,
                skeleton=skeleton,
                source_software="DeepLabCut",
            )
        )
    with pynwb.NWBHDF5IO(str(path), "w") as io:
        io.write(nwbfile)


def read(call, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return call(*args, **kwargs)


def test_fps_is_the_containers_own_rate_when_they_agree_else_the_unions(tmp_path):
    times = np.arange(10) / 30.0
    path = tmp_path / "offset.nwb"
    write_containers(path, {"a": times, "b": times + 0.01})  # 30 fps each, 10 ms apart
    own_rate = round(float(np.median(1.0 / np.diff(times))), 6)  # movement's rule, one container
    ds = read(load_poses.from_nwb_file, path)
    assert ds.sizes["time"] == 2 * times.size  # the union of both clocks' times, kept
    assert ds.attrs["fps"] == own_rate
    assert read(posebridge.load, path).attrs.get("fps") is None  # no fps for timestamps

    slow = np.arange(6) / 10.0
    fast = np.arange(12) / 20.0
    other = tmp_path / "two_rates.nwb"
    write_containers(other, {"a": slow, "b": fast})  # rates disagree: the union's rule
    steps = np.diff(np.union1d(slow, fast))
    expected = round(float(np.median(1.0 / steps[steps > 0])), 6)
    assert read(load_poses.from_nwb_file, other).attrs["fps"] == expected
