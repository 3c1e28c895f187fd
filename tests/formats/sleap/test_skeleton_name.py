"""A skeleton's name survives SLEAP and NWB files and sleap-io's Labels."""

from __future__ import annotations

import warnings

import h5py
import numpy as np
import pytest

import posebridge
from posebridge.io import nwb

sio = pytest.importorskip("sleap_io")
pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")


def labels_of_a_named_skeleton(name: str = "fly"):
    """One frame, one predicted instance of a 2-node skeleton called ``name``."""
    skeleton = sio.Skeleton(["head", "tail"], edges=[("head", "tail")], name=name)
    video = sio.Video(filename="/data/v.mp4", open_backend=False)
    instance = sio.PredictedInstance.from_numpy(
        np.array([[1.0, 2.0], [3.0, 4.0]]), skeleton=skeleton, point_scores=np.ones(2), score=1.0
    )
    frame = sio.LabeledFrame(video=video, frame_idx=0, instances=[instance])
    return sio.Labels([frame], videos=[video], skeletons=[skeleton])


@pytest.fixture
def slp_of_a_named_skeleton(tmp_path):
    path = tmp_path / "named.slp"
    sio.save_slp(labels_of_a_named_skeleton(), str(path))
    return path


def test_slp_keeps_the_skeleton_name_through_slp_and_analysis_files(
    slp_of_a_named_skeleton, tmp_path
):
    ds = posebridge.load(slp_of_a_named_skeleton)
    assert ds.attrs["skeleton_name"] == "fly"
    posebridge.save(ds, tmp_path / "back.slp")
    assert [s.name for s in sio.load_slp(str(tmp_path / "back.slp")).skeletons] == ["fly"]
    posebridge.save(ds, tmp_path / "back.analysis.h5", format="sleap")
    with h5py.File(tmp_path / "back.analysis.h5") as h5:
        assert h5.attrs["skeleton_name"] == "fly"
    for reread in (
        posebridge.load(tmp_path / "back.analysis.h5"),
        posebridge.open_dataset(tmp_path / "back.analysis.h5"),
    ):
        assert reread.attrs["skeleton_name"] == "fly"


def test_sleap_io_labels_keep_the_skeleton_name_both_ways():
    ds = posebridge.from_sleap_io(labels_of_a_named_skeleton())
    assert ds.attrs["skeleton_name"] == "fly"
    assert [s.name for s in posebridge.to_sleap_io(ds).skeletons] == ["fly"]


def test_the_default_name_is_not_kept_as_an_attribute(tmp_path):
    path = tmp_path / "default.slp"
    sio.save_slp(labels_of_a_named_skeleton("Skeleton-0"), str(path))
    assert "skeleton_name" not in posebridge.load(path).attrs


def test_nwb_keeps_the_skeleton_name_sleap_io_wrote(tmp_path):
    path = tmp_path / "sio.nwb"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sio.save_nwb(labels_of_a_named_skeleton("Skeleton-3"), str(path))
    with h5py.File(path) as h5:  # sleap-io names the ndx-pose Skeleton after its skeleton
        assert "processing/behavior/Skeletons/Skeleton-3" in h5
    assert posebridge.load(path).attrs["skeleton_name"] == "Skeleton-3"
    assert [s.name for s in nwb.load_nwb(path).skeletons] == ["Skeleton-3"]


def test_nwb_in_sleap_ios_layout_names_the_skeleton_after_the_dataset(
    slp_of_a_named_skeleton, tmp_path
):
    ds = posebridge.load(slp_of_a_named_skeleton)
    nwb.save_nwb(ds, tmp_path / "out.nwb")
    with h5py.File(tmp_path / "out.nwb") as h5:
        assert "processing/behavior/Skeletons/fly" in h5
    assert posebridge.load(tmp_path / "out.nwb").attrs["skeleton_name"] == "fly"


def test_labelled_frames_keep_the_skeleton_name_through_nwb_pose_training(tmp_path):
    skeleton = sio.Skeleton(["head", "tail"], edges=[("head", "tail")], name="fly")
    video = sio.Video(filename="/data/v.mp4", open_backend=False)
    instance = sio.Instance.from_numpy(np.array([[1.0, 2.0], [3.0, 4.0]]), skeleton=skeleton)
    labels = sio.Labels(
        [sio.LabeledFrame(video=video, frame_idx=3, instances=[instance])],
        videos=[video],
        skeletons=[skeleton],
    )
    sio.save_slp(labels, str(tmp_path / "labels.slp"))
    ds = posebridge.load(tmp_path / "labels.slp")
    assert ds.attrs["skeleton_name"] == "fly"
    posebridge.save(ds, tmp_path / "labels.nwb")
    with h5py.File(tmp_path / "labels.nwb") as h5:
        assert "processing/behavior/Skeletons/fly" in h5
    assert posebridge.load(tmp_path / "labels.nwb").attrs["skeleton_name"] == "fly"
