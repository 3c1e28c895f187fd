"""sleap-io's NWB layout holds one Skeleton: a same-named one of other nodes is never linked,
and poses of another skeleton are not added beside the file's."""

from __future__ import annotations

import datetime as dt
import warnings

import numpy as np
import pytest

from posebridge.errors import PoseBridgeError
from posebridge.io import nwb

sio = pytest.importorskip("sleap_io")
pynwb = pytest.importorskip("pynwb")
ndx_pose = pytest.importorskip("ndx_pose")


def fly_labels(nodes=("head", "thorax", "tail"), video="/data/arena.mp4"):
    """Predictions of one track on 3 frames, skeleton 'Skeleton-0' with an edge; point k
    of frame f at (f, k)."""
    skeleton = sio.Skeleton(list(nodes), edges=[(nodes[0], nodes[1])], name="Skeleton-0")
    track = sio.Track("m1")
    movie = sio.Video(filename=video, open_backend=False)
    frames = [
        sio.LabeledFrame(
            video=movie,
            frame_idx=f,
            instances=[
                sio.PredictedInstance.from_numpy(
                    np.column_stack([np.full(len(nodes), f), np.arange(len(nodes))]).astype(float),
                    skeleton=skeleton,
                    point_scores=np.ones(len(nodes)),
                    score=1.0,
                    track=track,
                )
            ],
        )
        for f in range(3)
    ]
    return sio.Labels(frames, videos=[movie], skeletons=[skeleton], tracks=[track])


def nwbfile_with_other_skeleton():
    """An NWBFile whose behavior module holds a Skeleton 'Skeleton-0' of two other nodes."""
    nwbfile = pynwb.NWBFile("s", "i", dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
    other = ndx_pose.Skeleton(
        name="Skeleton-0", nodes=["p", "q"], edges=np.array([[0, 1]], "uint8")
    )
    nwbfile.create_processing_module("behavior", "b").add(ndx_pose.Skeletons(skeletons=[other]))
    return nwbfile


def test_append_nwb_data_links_a_new_skeleton_not_a_same_named_one_of_other_nodes():
    labels = fly_labels()
    nwbfile = nwbfile_with_other_skeleton()
    with pytest.warns(UserWarning, match="'Skeleton-0' with other nodes"):
        nwb.append_nwb_data(labels, nwbfile)
    container = nwbfile.processing["SLEAP_VIDEO_000_arena"]["track=m1"]
    assert list(container.skeleton.nodes[:]) == labels.skeletons[0].node_names
    assert container.skeleton.name != "Skeleton-0"
    skeletons = nwbfile.processing["behavior"]["Skeletons"].skeletons
    assert list(skeletons["Skeleton-0"].nodes[:]) == ["p", "q"]  # the file's own, untouched


def test_append_nwb_to_a_file_with_a_same_named_skeleton_reads_back_in_both_readers(tmp_path):
    labels = fly_labels()
    path = tmp_path / "session.nwb"
    with pynwb.NWBHDF5IO(str(path), "w") as io:
        io.write(nwbfile_with_other_skeleton())
    with pytest.warns(UserWarning, match="other nodes"):
        nwb.append_nwb(labels, path)
    expected = labels.numpy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours = nwb.load_nwb(path, return_type="labels")
        theirs = sio.load_nwb(str(path))
    for read in (ours, theirs):
        assert read.skeletons[0].node_names == ["head", "thorax", "tail"]
        assert read.skeletons[0].edge_inds == [(0, 1)]
        np.testing.assert_array_equal(read.numpy(), expected)


def test_each_video_of_one_write_links_the_one_new_skeleton():
    labels = fly_labels()
    second = fly_labels(video="/data/other.mp4")
    for frame in second.labeled_frames:
        frame.instances[0].skeleton = labels.skeletons[0]
        frame.instances[0].track = labels.tracks[0]
    both = sio.Labels(
        labels.labeled_frames + second.labeled_frames,
        videos=[labels.videos[0], second.videos[0]],
        skeletons=labels.skeletons,
        tracks=labels.tracks,
    )
    nwbfile = nwbfile_with_other_skeleton()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        nwb.append_nwb_data(both, nwbfile)
    linked = {
        nwbfile.processing[module]["track=m1"].skeleton.name
        for module in ("SLEAP_VIDEO_000_arena", "SLEAP_VIDEO_001_other")
    }
    assert len(linked) == 1
    assert sorted(nwbfile.processing["behavior"]["Skeletons"].skeletons) == sorted(
        ["Skeleton-0", *linked]
    )


def test_appending_poses_of_another_skeleton_is_refused_and_the_file_kept(tmp_path):
    path = tmp_path / "session.nwb"
    first = fly_labels()
    other = fly_labels(nodes=("nose", "ear", "tail", "paw"), video="/data/other.mp4")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        nwb.save_nwb(first, path)
    before = path.read_bytes()
    with pytest.raises(PoseBridgeError) as raised:
        nwb.save_nwb(other, path, append=True)
    message = str(raised.value)
    assert str(path) in message
    assert "head, thorax, tail" in message and "nose, ear, tail, paw" in message
    assert path.read_bytes() == before
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert nwb.load_nwb(path, return_type="labels").skeletons[0].node_names == [
            "head",
            "thorax",
            "tail",
        ]


def test_append_nwb_data_of_another_skeleton_leaves_the_nwbfile_as_it_was():
    nwbfile = pynwb.NWBFile("s", "i", dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        nwb.append_nwb_data(fly_labels(), nwbfile)
    modules = sorted(nwbfile.processing)
    other = fly_labels(nodes=("nose", "ear"), video="/data/other.mp4")
    with pytest.raises(PoseBridgeError, match="in-memory NWBFile.*nose, ear"):
        nwb.append_nwb_data(other, nwbfile)
    assert sorted(nwbfile.processing) == modules


def test_a_dataset_skeleton_name_holding_nul_is_refused_not_cut_in_sleap_io_layout(tmp_path):
    """h147 item 2: NWB cut the dataset's skeleton_name 's\\x00k' to 's' silently."""
    import posebridge
    from posebridge.errors import SchemaError
    from posebridge.formats import nwb as nwb_format

    ds = posebridge.from_numpy(np.ones((3, 2, 2, 1)), fps=10.0)
    ds = ds.assign_attrs(skeleton_name="s\x00k")
    path = tmp_path / "nul.nwb"
    with pytest.raises(SchemaError, match=r"ds\.attrs\['skeleton_name'\] = ") as raised:
        nwb.save_nwb(ds, path, layout="sleap-io")
    assert str(raised.value).startswith(f"{path}: ")
    assert not path.exists()
    named = ds.assign_attrs(skeleton_name="s")
    with pytest.raises(PoseBridgeError, match="skeleton name given"):
        nwb_format.write_sleap_io([named], path, skeleton_name="a\x00")
    assert not path.exists()
    written = nwb_format.write_sleap_io([ds], path, skeleton_name="s")  # a name given wins
    assert written == [path]
