"""posebridge.io.nwb as sleap-io code uses it: all-missing user instances, the Subject of
untracked annotations, the exported MJPEG's path, files of two skeletons."""

from __future__ import annotations

import datetime as dt
import warnings

import h5py
import numpy as np
import pytest

from _sleap_io_labels import labels_of
from posebridge.errors import PoseBridgeError
from posebridge.io import nwb

sio = pytest.importorskip("sleap_io")
pynwb = pytest.importorskip("pynwb")


@pytest.fixture
def video_file(tmp_path):
    """A 6-frame MJPEG video (sleap-io's NWB writer opens the Labels' video)."""
    iio = pytest.importorskip("imageio.v2", reason="the video extra (imageio) is not installed")
    pytest.importorskip("imageio_ffmpeg", reason="the video extra is not installed")
    path = tmp_path / "source.avi"
    writer = iio.get_writer(path, format="FFMPEG", codec="mjpeg", fps=10, macro_block_size=1)
    for k in range(6):
        writer.append_data(np.full((16, 24, 3), 30 * k, np.uint8))
    writer.close()
    return path


def user_labels(frames=1, empty_second=True, video=None, marked=True):
    """Labels of user instances, untracked: on each frame one with both points and, with
    ``empty_second``, one whose points are all missing (``marked``: its points marked
    placed, sleap-io's ``complete``, as SLEAP's GUI marks a user instance's points)."""
    skeleton = sio.Skeleton(["a", "b"], name="Skeleton-0")
    movie = video or sio.Video(filename="/data/arena.mp4", open_backend=False)
    lfs = []
    for f in range(frames):
        instances = [sio.Instance.from_numpy(np.array([[1.0, 2.0], [3.0, 4.0]]) + f, skeleton)]
        if empty_second:
            empty = sio.Instance.from_numpy(np.full((2, 2), np.nan), skeleton)
            empty.points["complete"][:] = marked
            instances.append(empty)
        lfs.append(sio.LabeledFrame(video=movie, frame_idx=f + 1, instances=instances))
    return sio.Labels(lfs, videos=[movie], skeletons=[skeleton])


def instances_read(labels):
    return [np.isnan(instance.numpy()).all() for instance in labels[0].instances]


def test_an_all_missing_user_instance_is_written_and_sleap_io_reads_it_back(tmp_path):
    labels = user_labels()
    assert not labels[0].instances[1].points["visible"].any()  # all marked missing
    path = tmp_path / "labels.nwb"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        nwb.save_nwb(labels, path)
        assert instances_read(sio.load_nwb(str(path))) == [False, True]
        assert instances_read(nwb.load_nwb(path, return_type="labels")) == [False, True]


def test_an_all_missing_user_instance_not_marked_placed_is_left_out_with_a_warning(tmp_path):
    labels = user_labels(marked=False)
    path = tmp_path / "labels.nwb"
    with pytest.warns(UserWarning, match=r"labels.nwb: 1 user instance\(s\).*every point missing"):
        nwb.save_nwb(labels, path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert instances_read(nwb.load_nwb(path, return_type="labels")) == [False]


@pytest.mark.parametrize("marked", [True, False])
def test_an_all_missing_user_instance_of_sleap_ios_file_is_read(tmp_path, video_file, marked):
    labels = user_labels(video=sio.Video.from_filename(str(video_file)), marked=marked)
    path = tmp_path / "labels.nwb"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sio.save_nwb(labels, str(path))
        assert instances_read(nwb.load_nwb(path, return_type="labels")) == [False, True]
        ds = nwb.load_nwb(path, return_type="dataset")
    assert ds.sizes["individual"] == 2
    empty = ds.isel(individual=1)
    assert np.isnan(empty["position"].values).all()
    assert (empty["visible"].values == 0).all()  # every point marked not visible, as .slp


def test_annotations_of_one_untracked_individual_get_no_invented_subject(tmp_path):
    nwbinspector = pytest.importorskip("nwbinspector")
    labels = user_labels(frames=3, empty_second=False)
    path = tmp_path / "labels.nwb"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        nwb.save_nwb(labels, path)
        with pynwb.NWBHDF5IO(str(path), "r", load_namespaces=True) as io:
            assert io.read().subject is None  # as sleap-io writes it
        found = {
            m.check_function_name for m in nwbinspector.inspect_nwbfile(nwbfile_path=str(path))
        }
        assert not found & {
            "check_subject_age",
            "check_subject_sex",
            "check_subject_species_exists",
        }
        assert [len(lf.instances) for lf in nwb.load_nwb(path, return_type="labels")] == [1, 1, 1]


def test_the_exported_mjpeg_is_named_relative_to_the_nwb_and_reads_back(tmp_path, video_file):
    nwbinspector = pytest.importorskip("nwbinspector")
    video = sio.Video.from_filename(str(video_file))
    labels = user_labels(frames=2, empty_second=False, video=video)
    out = tmp_path / "export" / "out.nwb"
    out.parent.mkdir()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        nwb.save_nwb(labels, out, "annotations_export")
        messages = list(nwbinspector.inspect_nwbfile(nwbfile_path=str(out)))
        read = nwb.load_nwb(out, return_type="labels")
    with h5py.File(out) as h5:
        series = h5["processing/behavior/PoseTraining/source_videos/video_0"]
        assert [f.decode() for f in series["external_file"][:]] == ["out.annotated_frames.avi"]
    assert not [m for m in messages if "external_file" in m.check_function_name]
    assert read.videos[0].filename == str(out.parent / "out.annotated_frames.avi")
    assert [lf.frame_idx for lf in read] == [0, 1]


def two_skeleton_file(path):
    """sleap-io's layout with two video modules whose tracks have different skeletons."""
    import ndx_pose

    nwbfile = pynwb.NWBFile("s", "i", dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
    parts = [(["a", "b"], "v0"), (["c", "d", "e"], "v1")]
    skeletons = [
        ndx_pose.Skeleton(name=f"sk{i}", nodes=nodes, edges=np.zeros((0, 2), "uint8"))
        for i, (nodes, _) in enumerate(parts)
    ]
    nwbfile.create_processing_module("behavior", "b").add(ndx_pose.Skeletons(skeletons=skeletons))
    for i, ((nodes, stem), skeleton) in enumerate(zip(parts, skeletons, strict=True)):
        series = [
            ndx_pose.PoseEstimationSeries(
                name=node,
                data=np.ones((3, 2)),
                confidence=np.ones(3),
                unit="pixels",
                reference_frame="top left",
                rate=1.0,
                starting_time=0.0,
            )
            for node in nodes
        ]
        module = nwbfile.create_processing_module(f"SLEAP_VIDEO_00{i}_{stem}", "poses")
        module.add(
            ndx_pose.PoseEstimation(
                name="track=m1",
                pose_estimation_series=series,
                skeleton=skeleton,
                original_videos=[f"/data/{stem}.mp4"],
                labeled_videos=[f"/data/{stem}.mp4"],
            )
        )
    with pynwb.NWBHDF5IO(str(path), "w") as io:
        io.write(nwbfile)


def test_a_file_of_two_skeletons_reads_as_one_labels_holding_both_skeletons(tmp_path):
    path = tmp_path / "two.nwb"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        two_skeleton_file(path)
        labels = nwb.load_nwb(path, return_type="labels")
    assert [list(s.node_names) for s in labels.skeletons] == [["a", "b"], ["c", "d", "e"]]
    assert [s.name for s in labels.skeletons] == ["sk0", "sk1"]
    by_video = {"/data/v0.mp4": ["a", "b"], "/data/v1.mp4": ["c", "d", "e"]}
    assert [v.filename for v in labels.videos] == list(by_video)
    for lf in labels:  # each video's instances use its own skeleton
        assert all(list(i.skeleton.node_names) == by_video[lf.video.filename] for i in lf)
    assert sum(len(lf) for lf in labels) == 2 * 3  # one track per video, 3 rows each


def test_predictions_appended_to_annotations_of_another_skeleton_read_back_as_both(tmp_path):
    annotations = user_labels(frames=2, empty_second=False)  # skeleton a, b
    other = sio.Video(filename="/data/other.mp4", open_backend=False)
    track = sio.Track(name="m1")
    predictions = labels_of({0: [track], 1: [track], 2: [track]}, video=other)  # head, tail
    path = tmp_path / "mixed.nwb"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        nwb.save_nwb(annotations, path, nwb_format="annotations")
        nwb.save_nwb(predictions, path, nwb_format="predictions", append=True)
        read = nwb.load_nwb(path, return_type="labels")
        peer = sio.load_nwb(str(path))
    assert len(read.skeletons) == len(peer.skeletons) == 2
    assert [list(s.node_names) for s in read.skeletons] == [["a", "b"], ["head", "tail"]]
    users = [i for lf in read for i in lf if type(i) is sio.Instance]
    predicted = [i for lf in read for i in lf if type(i) is sio.PredictedInstance]
    assert len(users) == sum(len(lf) for lf in annotations)
    assert len(predicted) == sum(len(lf) for lf in predictions)
    assert {tuple(i.skeleton.node_names) for i in users} == {("a", "b")}
    assert {tuple(i.skeleton.node_names) for i in predicted} == {("head", "tail")}
    assert [i.track.name for i in predicted] == ["m1"] * 3


def test_appending_annotations_to_an_existing_file_adds_or_refuses_instead_of_replacing(
    tmp_path,
):
    annotations = user_labels(frames=2, empty_second=False)
    other = sio.Video(filename="/data/other.mp4", open_backend=False)
    track = sio.Track(name="m1")
    predictions = labels_of({0: [track], 1: [track], 2: [track]}, video=other)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        onto_predictions = tmp_path / "predictions.nwb"
        nwb.save_nwb(predictions, onto_predictions, nwb_format="predictions")
        nwb.save_nwb(annotations, onto_predictions, append=True)
        both = nwb.load_nwb(onto_predictions, return_type="labels")
        onto_annotations = tmp_path / "annotations.nwb"
        nwb.save_nwb(annotations, onto_annotations)
        before = onto_annotations.read_bytes()
        with pytest.raises(PoseBridgeError, match="already holds a PoseTraining"):
            nwb.save_nwb(annotations, onto_annotations, append=True)
    assert len(both.labeled_frames) == len(annotations.labeled_frames) + len(
        predictions.labeled_frames
    )
    assert onto_annotations.read_bytes() == before


def test_load_nwb_gives_placed_user_points_complete_false_as_sleap_io(tmp_path):
    """NWB stores no complete flag: sleap-io reads every point with complete=False."""
    labels = user_labels(frames=2)
    for lf in labels:
        lf.instances[0].points["complete"][:] = True
    path = tmp_path / "labels.nwb"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        nwb.save_nwb(labels, path)
        ours, theirs = nwb.load_nwb(path, return_type="labels"), sio.load_nwb(str(path))

    def placed_complete(read):
        return [
            bool(flag)
            for lf in read
            for i in lf.user_instances
            for flag, seen in zip(i.points["complete"], i.points["visible"], strict=True)
            if seen
        ]

    assert placed_complete(ours) == placed_complete(theirs)
    assert len(placed_complete(ours)) == 2 * 2


@pytest.mark.parametrize("layout", ["posebridge", "sleap-io"])
def test_a_track_with_predictions_only_is_not_said_to_be_lost(tmp_path, layout):
    # h140 item 2: user instances on 'alice' only, predictions on 'zeta' and 'bob' too;
    # the predictions keep bob and zeta (PoseEstimation), so no "not written" warning
    skeleton = sio.Skeleton(["a", "b"], name="s")
    video = sio.Video(filename="/data/arena.mp4", open_backend=False)
    tracks = [sio.Track("zeta"), sio.Track("alice"), sio.Track("bob")]
    frames = []
    for f in range(3):
        instances = [
            sio.PredictedInstance.from_numpy(
                np.full((2, 2), f + 1.0), skeleton=skeleton, point_scores=np.ones(2), track=t
            )
            for t in tracks
        ]
        instances.append(
            sio.Instance.from_numpy(np.full((2, 2), f + 5.0), skeleton=skeleton, track=tracks[1])
        )
        frames.append(sio.LabeledFrame(video=video, frame_idx=f, instances=instances))
    labels = sio.Labels(frames, videos=[video], skeletons=[skeleton], tracks=tracks)
    path = tmp_path / "both.nwb"
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        nwb.save_nwb(labels, path, layout=layout)
    assert not [w for w in seen if "are not written" in str(w.message)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        back = nwb.load_nwb(path)
    predicted = [i.track.name for lf in back for i in lf.predicted_instances]
    assert sorted(predicted) == sorted(["zeta", "alice", "bob"] * 3)
    assert [i.track.name for lf in back for i in lf.user_instances] == ["alice"] * 3


@pytest.mark.parametrize("layout", ["sleap-io", "posebridge"])
@pytest.mark.parametrize(
    ("order", "user", "predicted"),
    [
        (["zeta", "alice", "bob"], {"alice"}, {"zeta", "bob"}),  # f120's case
        (["p1", "u1", "p2", "u2"], {"u1", "u2"}, {"p1", "p2"}),
        (["p1", "both", "u1"], {"both", "u1"}, {"p1", "both"}),
        (["u1", "p1"], {"u1"}, {"p1"}),  # the order read before, kept
    ],
)
def test_user_and_predicted_instances_saved_together_keep_the_labels_track_order(
    tmp_path, layout, order, user, predicted
):
    """f129 item 3 (f120's note): save_nwb of Labels holding user and predicted instances
    read back with the user-labelled tracks first; the Labels' track order is the
    source's and is kept, each instance on its own track."""
    skeleton = sio.Skeleton(["a", "b"], name="s")
    video = sio.Video(filename="/data/arena.mp4", open_backend=False)
    tracks = [sio.Track(name) for name in order]
    frames = []
    for f in range(3):
        instances = [
            sio.PredictedInstance.from_numpy(
                np.full((2, 2), 10.0 * k + f), skeleton=skeleton, point_scores=np.ones(2), track=t
            )
            for k, t in enumerate(tracks)
            if t.name in predicted
        ] + [
            sio.Instance.from_numpy(
                np.full((2, 2), 10.0 * k + f + 0.5), skeleton=skeleton, track=t
            )
            for k, t in enumerate(tracks)
            if t.name in user
        ]
        frames.append(sio.LabeledFrame(video=video, frame_idx=f, instances=instances))
    labels = sio.Labels(frames, videos=[video], skeletons=[skeleton], tracks=tracks)
    path = tmp_path / "both.nwb"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        nwb.save_nwb(labels, path, layout=layout)
        back = nwb.load_nwb(path)
    assert [t.name for t in back.tracks] == order
    for lf in back:
        for instance in lf.instances:
            k = order.index(instance.track.name)
            expected = (
                10.0 * k + lf.frame_idx + (0.0 if instance in lf.predicted_instances else 0.5)
            )
            np.testing.assert_array_equal(instance.numpy(), np.full((2, 2), expected))
        assert {i.track.name for i in lf.predicted_instances} == predicted
        assert {i.track.name for i in lf.user_instances} == user
    if layout == "sleap-io":  # sleap-io reads the annotations of such a file, as before
        theirs = sio.load_nwb(str(path))
        assert [len(lf.user_instances) for lf in theirs] == [len(user)] * 3
        points = sorted(float(i.numpy()[0, 0]) for lf in theirs for i in lf.user_instances)
        assert points == sorted(10.0 * order.index(n) + f + 0.5 for n in user for f in range(3))


@pytest.mark.parametrize("frames_in_video_order", [True, False])
def test_annotations_keep_the_labels_video_order_and_unlabelled_videos_as_sleap_io(
    tmp_path, monkeypatch, frames_in_video_order
):
    """h168 item 2: the Labels' videos, in their order and with one that holds no labelled
    frame, survive save_nwb / load_nwb whichever tool writes and reads, as sleap-io keeps
    them; the labelled frames stay on their videos. (posebridge writes the paths relative
    to the .nwb, h171 finding 2: sleap_io.load_nwb, which reads a relative path from the
    working folder, is run from the .nwb's folder.)"""
    iio = pytest.importorskip("imageio.v2", reason="the video extra (imageio) is not installed")
    pytest.importorskip("imageio_ffmpeg", reason="the video extra is not installed")
    paths = []
    for name in ("zebra", "mango", "apple"):  # not in alphabetical order
        paths.append(tmp_path / f"{name}.avi")
        writer = iio.get_writer(paths[-1], format="FFMPEG", codec="mjpeg", fps=10)
        for k in range(4):
            writer.append_data(np.full((16, 16, 3), 30 * k, np.uint8))
        writer.close()
    videos = [sio.Video.from_filename(str(p)) for p in paths]
    skeleton = sio.Skeleton(["a", "b"])
    points = np.array([[1.0, 2.0], [3.0, 4.0]])
    frames = [
        sio.LabeledFrame(
            video=videos[0], frame_idx=1, instances=[sio.Instance.from_numpy(points, skeleton)]
        ),
        sio.LabeledFrame(
            video=videos[2], frame_idx=2, instances=[sio.Instance.from_numpy(points * 2, skeleton)]
        ),
    ]
    if not frames_in_video_order:
        frames.reverse()
    labels = sio.Labels(frames, videos=videos, skeletons=[skeleton])
    written = {"sleap-io": tmp_path / "theirs.nwb", "posebridge": tmp_path / "ours.nwb"}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sio.save_nwb(labels, str(written["sleap-io"]))
        nwb.save_nwb(labels, written["posebridge"])
        monkeypatch.chdir(tmp_path)
        reads = [
            read(str(path)) for path in written.values() for read in (sio.load_nwb, nwb.load_nwb)
        ]
    for back in reads:
        assert [str(tmp_path / v.filename) for v in back.videos] == [str(p) for p in paths]
        labelled = [(back.videos.index(lf.video), lf.frame_idx) for lf in back.labeled_frames]
        assert sorted(labelled) == [(0, 1), (2, 2)]
