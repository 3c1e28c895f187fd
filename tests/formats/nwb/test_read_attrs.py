"""read_attrs: the attributes and skeleton of a dataset read from NWB."""

from __future__ import annotations

import datetime as dt
import warnings

import numpy as np
import pytest

import posebridge
from posebridge.combine import merge_individuals
from posebridge.errors import SchemaError

pynwb = pytest.importorskip("pynwb")
ndx_pose = pytest.importorskip("ndx_pose")

KEYPOINTS = ["nose", "tail", "ear"]


def _animals_of_skeletons(path, edges_of: dict[str, list[list[int]]]) -> None:
    """An NWB file with one PoseEstimation per animal, each linking its own Skeleton."""
    nwb = pynwb.NWBFile("s", "id", dt.datetime(2024, 1, 1, tzinfo=dt.UTC))
    module = nwb.create_processing_module("behavior", "b")
    skeletons = {
        name: ndx_pose.Skeleton(
            name=f"sk_{name}", nodes=KEYPOINTS, edges=np.array(edges, dtype="uint8")
        )
        for name, edges in edges_of.items()
    }
    module.add(ndx_pose.Skeletons(skeletons=list(skeletons.values())))
    for name, skeleton in skeletons.items():
        series = [
            ndx_pose.PoseEstimationSeries(
                name=keypoint,
                data=np.arange(10.0).reshape(5, 2) + i,
                confidence=np.full(5, 0.5),
                reference_frame="top left",
                unit="pixels",
                rate=30.0,
                starting_time=0.0,
            )
            for i, keypoint in enumerate(KEYPOINTS)
        ]
        module.add(
            ndx_pose.PoseEstimation(
                name=f"PoseEstimation_{name}",
                pose_estimation_series=series,
                description="d",
                skeleton=skeleton,
                source_software="DLC",
            )
        )
    with pynwb.NWBHDF5IO(str(path), "w") as io:
        io.write(nwb)


def test_animals_of_different_skeletons_keep_the_first_edges_and_warn_of_the_others(tmp_path):
    """One dataset holds one skeleton: the second animal's other edges are left out with
    a warning naming both containers (merging the two animals read apart is refused)."""
    path = tmp_path / "two_skeletons.nwb"
    _animals_of_skeletons(path, {"mouse1": [[0, 1]], "mouse2": [[0, 2]]})

    with pytest.warns(UserWarning, match="one dataset holds one skeleton") as said:
        ds = posebridge.load(path)

    message = next(str(w.message) for w in said if "one skeleton" in str(w.message))
    assert "PoseEstimation_mouse2" in message and "PoseEstimation_mouse1" in message
    assert "left out: [('ear', 'nose')]" in message
    assert ds.individual.values.tolist() == ["mouse1", "mouse2"]
    assert ds.skeleton_edges.values.tolist() == [[KEYPOINTS[0], KEYPOINTS[1]]]
    apart = [
        posebridge.load(path, pose_estimation_key=f"PoseEstimation_{name}")
        for name in ("mouse1", "mouse2")
    ]
    assert apart[1].skeleton_edges.values.tolist() == [[KEYPOINTS[0], KEYPOINTS[2]]]
    with pytest.raises(SchemaError, match="one dataset holds one skeleton"):
        merge_individuals(apart)


def test_animals_of_one_skeletons_edges_read_without_a_warning(tmp_path):
    path = tmp_path / "same_edges.nwb"
    _animals_of_skeletons(path, {"mouse1": [[0, 1], [1, 2]], "mouse2": [[2, 1], [0, 1]]})

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ds = posebridge.load(path)

    assert ds.skeleton_edges.values.tolist() == [["nose", "tail"], ["tail", "ear"]]
