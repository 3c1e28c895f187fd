"""Skeleton symmetries that name a node the skeleton lacks are skipped, with a warning."""

from __future__ import annotations

import json

import h5py
import numpy as np
import pytest

import posebridge
from posebridge._recorded_warnings import dropping_warnings

sio = pytest.importorskip("sleap_io")


def _analysis_with_symmetries(path, symmetries: list[list[str]]) -> None:
    ds = posebridge.from_numpy(
        np.ones((3, 2, 2, 1)), individual_names=["mouse"], keypoint_names=["left", "right"]
    )
    posebridge.save(ds, path, format="sleap_analysis")
    with h5py.File(path, "r+") as h5:
        h5.attrs["skeleton_symmetries"] = json.dumps(symmetries)


def test_analysis_symmetries_of_unknown_nodes_are_skipped_with_a_warning(tmp_path):
    """They were read as they are, pairing a keypoint the dataset does not have."""
    path = tmp_path / "pose.analysis.h5"
    given = [["left", "right"], ["left", "ghost"], ["tail", "nose"]]
    _analysis_with_symmetries(path, given)
    known = [sorted(pair) for pair in given if {"left", "right"}.issuperset(pair)]
    with pytest.warns(UserWarning, match=r"pose\.analysis\.h5: 2 symmetry pair") as said:
        ds = posebridge.load(path)
    message = next(str(w.message) for w in said if "symmetry" in str(w.message))
    assert "'ghost'" in message and "'tail'" in message and "'nose'" in message
    assert [sorted(pair) for pair in ds["skeleton_symmetries"].values.tolist()] == known


def test_slp_symmetries_of_nodes_outside_the_skeleton_are_skipped(tmp_path):
    """A symmetry link to a node of the file's node list that the skeleton lacks was read
    as it is (sleap-io cannot read such a file at all)."""
    skeleton = sio.Skeleton(["left", "right"], symmetries=[("left", "right")])
    video = sio.Video(filename="clip.mp4", open_backend=False)
    instance = sio.PredictedInstance.from_numpy(
        np.ones((2, 2)), skeleton=skeleton, point_scores=np.ones(2), score=1.0
    )
    labels = sio.Labels(
        labeled_frames=[sio.LabeledFrame(video=video, frame_idx=0, instances=[instance])],
        videos=[video],
        skeletons=[skeleton],
    )
    path = tmp_path / "ghost.slp"
    sio.save_slp(labels, str(path))
    with h5py.File(path, "r+") as h5:
        metadata = json.loads(h5["metadata"].attrs["json"])
        metadata["nodes"].append({"name": "ghost", "weight": 1.0})
        symmetry_type = metadata["skeletons"][0]["links"][0]["type"]  # the one symmetry's
        metadata["skeletons"][0]["links"].append(
            {"key": 0, "source": 0, "target": 2, "type": symmetry_type}
        )
        h5["metadata"].attrs["json"] = np.bytes_(json.dumps(metadata))
    with (
        dropping_warnings(UserWarning, ".*no track"),
        pytest.warns(UserWarning, match=r"ghost\.slp: 1 symmetry pair.*'ghost'"),
    ):
        ds = posebridge.load(path)
    assert [sorted(pair) for pair in ds["skeleton_symmetries"].values.tolist()] == [
        ["left", "right"]
    ]
