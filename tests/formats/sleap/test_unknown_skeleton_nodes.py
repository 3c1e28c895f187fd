"""Skeleton edges and symmetries that name a node the skeleton lacks are skipped, with a
warning, and `posebridge info` lists what is read."""

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
    path = tmp_path / "ghost.slp"
    _slp_with_a_link_to_a_ghost(path, "symmetry")
    with (
        dropping_warnings(UserWarning, ".*no track"),
        pytest.warns(UserWarning, match=r"ghost\.slp: 1 symmetry pair.*'ghost'"),
    ):
        ds = posebridge.load(path)
    assert [sorted(pair) for pair in ds["skeleton_symmetries"].values.tolist()] == [
        ["left", "right"]
    ]


def _slp_with_a_link_to_a_ghost(path, kind: str) -> None:
    """An .slp file whose skeleton (left, right; an edge and a symmetry between them) has
    one more link of ``kind`` ("edge" or "symmetry") to 'ghost', a node of the file's
    node list that the skeleton does not hold."""
    skeleton = sio.Skeleton(
        ["left", "right"], edges=[("left", "right")], symmetries=[("left", "right")]
    )
    video = sio.Video(filename="clip.mp4", open_backend=False)
    instance = sio.PredictedInstance.from_numpy(
        np.ones((2, 2)), skeleton=skeleton, point_scores=np.ones(2), score=1.0
    )
    labels = sio.Labels(
        labeled_frames=[sio.LabeledFrame(video=video, frame_idx=0, instances=[instance])],
        videos=[video],
        skeletons=[skeleton],
    )
    sio.save_slp(labels, str(path))
    with h5py.File(path, "r+") as h5:
        metadata = json.loads(h5["metadata"].attrs["json"])
        metadata["nodes"].append({"name": "ghost", "weight": 1.0})
        links = metadata["skeletons"][0]["links"]
        by_kind = {}  # the link types as the file spells them: a definition, then py/id
        for link in links:
            reduce = link["type"].get("py/reduce")
            if reduce:
                by_kind[reduce[1]["py/tuple"][0]] = link["type"]
        wanted = by_kind[1 if kind == "edge" else 2]
        links.append({"key": 0, "source": 0, "target": 2, "type": wanted})
        h5["metadata"].attrs["json"] = np.bytes_(json.dumps(metadata))


def test_slp_edges_of_nodes_outside_the_skeleton_are_skipped(tmp_path):
    """An edge to a node of the file's node list that the skeleton lacks was read as it
    is: the dataset's skeleton_edges named 'ghost', which is no keypoint of it."""
    path = tmp_path / "ghost.slp"
    _slp_with_a_link_to_a_ghost(path, "edge")
    with (
        dropping_warnings(UserWarning, ".*no track"),
        pytest.warns(UserWarning, match=r"ghost\.slp: 1 edge\(s\) of skeleton .*'ghost'"),
    ):
        ds = posebridge.load(path)
    assert ds["skeleton_edges"].values.tolist() == [["left", "right"]]
    assert set(ds["skeleton_edges"].values.ravel()) <= set(ds["keypoint"].values)


@pytest.mark.parametrize("kind", ["edge", "symmetry"])
def test_info_lists_the_pairs_read_and_counts_those_skipped(tmp_path, kind):
    """`posebridge info` listed the links to 'ghost' that reading skips."""
    from click.testing import CliRunner

    from posebridge.cli import cli

    path = tmp_path / "ghost.slp"
    _slp_with_a_link_to_a_ghost(path, kind)
    shown = CliRunner().invoke(cli, ["info", str(path)])
    assert shown.exit_code == 0, shown.output
    rows = dict(
        line.split(None, 1)
        for line in shown.output.splitlines()
        if line[:1].isalpha() and " " in line
    )
    listed = rows["edges" if kind == "edge" else "symmetries"]
    assert "ghost" not in listed
    pair, _, note = listed.partition(" (")
    assert set(pair.split("-")) == {"left", "right"}  # a symmetry's two nodes, in any order
    assert note.startswith("1 more skipped")
