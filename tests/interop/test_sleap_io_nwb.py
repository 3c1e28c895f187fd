"""sleap-io Labels through NWB, both ways, on every .slp of the corpus.

Labels -> posebridge -> NWB -> sleap-io: posebridge writes (sleap-io's layout for
predictions, PoseTraining for annotations) and sleap-io's ``load_nwb`` reads.
sleap-io -> NWB -> posebridge -> Labels: sleap-io's ``save_nwb`` writes, and
``posebridge.io.nwb.load_nwb`` gives Labels back.
"""

from __future__ import annotations

import warnings

import h5py
import numpy as np
import pytest

import posebridge
from _corpus import corpus_params
from _sleap_io_labels import labels_of
from posebridge.io import nwb

pytestmark = pytest.mark.interop
sio = pytest.importorskip("sleap_io")

SLP_FILES = corpus_params("sleap_slp", "*.slp")


def quiet(function, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return function(*args, **kwargs)


def has_user_instances(labels) -> bool:
    return any(lf.user_instances for lf in labels.labeled_frames)


def rounded(points: np.ndarray) -> tuple:
    values = np.round(np.asarray(points, dtype=np.float64), 6)
    return tuple(np.where(np.isnan(values), None, values).ravel().tolist())


def instances_by_frame(labels, kind: str) -> dict:
    """{(video file name, frame): sorted points of its instances of ``kind``}."""
    out: dict = {}
    for lf in labels.labeled_frames:
        chosen = lf.user_instances if kind == "user" else lf.predicted_instances
        if not chosen:
            continue
        # the video's file name (one video: embedded frames name it either way)
        name = str(lf.video.filename).replace("\\", "/").rsplit("/", 1)[-1]
        name = name if len(labels.videos) > 1 else ""
        key = (name, lf.frame_idx)
        out.setdefault(key, []).extend(rounded(i.numpy(invisible_as_nan=True)) for i in chosen)
    return {k: sorted(v, key=str) for k, v in out.items()}


# --------------------------------------------------------------------------
# Labels -> posebridge -> NWB -> sleap-io


@pytest.mark.parametrize("path", SLP_FILES)
def test_sleap_io_reads_what_posebridge_wrote_from_its_labels(path, tmp_path):
    theirs = sio.load_slp(str(path), open_videos=False)
    out = tmp_path / "ours.nwb"
    nwb.save_nwb(theirs, out, layout="sleap-io")  # annotations when there are user instances
    if any(isinstance(v.filename, list) for v in theirs.videos) and has_user_instances(theirs):
        pytest.skip("sleap-io's PoseTraining reader cannot open image-sequence source videos")
    back = quiet(sio.load_nwb, str(out))
    if has_user_instances(theirs):
        assert instances_by_frame(back, "user") == instances_by_frame(theirs, "user")
        return
    # predictions: sleap-io numbers frames by the rank of their time and keeps no tracks
    # (its reader's bugs); each track's instances stay separate instances
    expected = instances_by_frame(theirs, "predicted")
    frames = sorted(expected)
    got = instances_by_frame(back, "predicted")
    assert len(got) == len(frames)
    for (_name, rank), points in got.items():
        assert points == expected[frames[rank]]
    ours = quiet(nwb.load_nwb, out)  # and posebridge reads its tracks back
    assert [t.name for t in ours.tracks] == [
        t.name
        for t in theirs.tracks
        if any(i.track is t for lf in theirs.labeled_frames for i in lf.predicted_instances)
    ] or not theirs.tracks


# --------------------------------------------------------------------------
# sleap-io -> NWB -> posebridge -> Labels


def unplaceable_series(path) -> set[tuple[str, str]]:
    """(track, node) of the series sleap-io wrote with rate 0 and several samples."""
    found = set()
    with h5py.File(path, "r") as h5:
        for module in h5["processing"].values():
            for name, container in module.items():
                if not name.startswith("track="):
                    continue
                for node, series in container.items():
                    if isinstance(series, h5py.Group) and "starting_time" in series:
                        rate = series["starting_time"].attrs["rate"]
                        if rate == 0 and series["data"].shape[0] > 1:
                            found.add((name.removeprefix("track="), node))
    return found


@pytest.mark.parametrize("path", SLP_FILES)
def test_posebridge_reads_sleap_io_nwb_back_to_the_same_labels(path, tmp_path):
    theirs = sio.load_slp(str(path), open_videos=False)
    out = tmp_path / "theirs.nwb"
    try:
        quiet(sio.save_nwb, theirs, str(out), nwb_format="predictions")
    except Exception as error:
        pytest.skip(f"sleap-io cannot write this file as NWB: {type(error).__name__}: {error}")
    lost = unplaceable_series(out)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ours = nwb.load_nwb(out)
    placed = [str(w.message) for w in caught if "cannot be placed in time" in str(w.message)]
    assert len(placed) == (1 if lost else 0)
    for track, node in lost:
        assert f"track={track}/{node}" in placed[0]
    assert isinstance(ours, sio.Labels)
    used = {
        i.track.name
        for lf in theirs.labeled_frames
        for i in lf.predicted_instances
        if i.track is not None
    }
    assert {t.name for t in ours.tracks} == used  # sleap-io's track=untracked: no track
    assert [n.name for n in ours.skeleton.nodes] == [n.name for n in theirs.skeleton.nodes]
    assert {frozenset(e) for e in ours.skeleton.edge_inds} == {
        frozenset(e) for e in theirs.skeleton.edge_inds
    }
    mine = {
        (lf.frame_idx, "untracked" if inst.track is None else inst.track.name): inst
        for lf in ours.labeled_frames
        for inst in lf.instances
    }
    nodes = [n.name for n in theirs.skeleton.nodes]
    checked = 0
    for lf in theirs.labeled_frames:
        for inst in lf.predicted_instances:
            track = "untracked" if inst.track is None else inst.track.name
            expected = inst.numpy(invisible_as_nan=True).copy()
            scores = np.array(inst.points["score"], dtype=np.float64)
            for k, node in enumerate(nodes):
                if (track, node) in lost:
                    expected[k] = np.nan  # times unknown: left out, not guessed
            found = mine.get((lf.frame_idx, track))
            if np.isnan(expected).all():
                continue
            assert found is not None, (lf.frame_idx, track)
            np.testing.assert_allclose(found.numpy(invisible_as_nan=True), expected, atol=1e-9)
            finite = ~np.isnan(expected).any(axis=1)
            np.testing.assert_allclose(found.points["score"][finite], scores[finite], atol=1e-9)
            checked += 1
    assert checked


# --------------------------------------------------------------------------
# sleap-io's sparse tracks (rate 0.0), written by sleap-io here


@pytest.fixture
def sparse_track_file(tmp_path):
    """sleap-io writes track 'b' (frames 0 and 4: 4 s apart) with rate=0.0."""
    skeleton = sio.Skeleton(["head", "tail"], name="fly")
    video = sio.Video(filename="arena.mp4", open_backend=False)
    a, b = sio.Track("a"), sio.Track("b")
    frames = []
    for frame in range(5):
        instances = [
            sio.PredictedInstance.from_numpy(
                np.array([[frame, 1.0], [frame, 2.0]]),
                skeleton=skeleton,
                point_scores=np.array([0.9, 0.8]),
                score=0.9,
                track=a,
            )
        ]
        if frame in (0, 4):
            instances.append(
                sio.PredictedInstance.from_numpy(
                    np.array([[10.0 + frame, 5.0], [10.0 + frame, 6.0]]),
                    skeleton=skeleton,
                    point_scores=np.array([0.7, 0.6]),
                    score=0.7,
                    track=b,
                )
            )
        frames.append(sio.LabeledFrame(video=video, frame_idx=frame, instances=instances))
    labels = sio.Labels(frames, videos=[video], skeletons=[skeleton], tracks=[a, b])
    path = tmp_path / "sparse.nwb"
    quiet(sio.save_nwb, labels, str(path), nwb_format="predictions")
    return path


def test_sparse_tracks_of_sleap_io_are_read_with_one_warning_and_no_invented_time(
    sparse_track_file,
):
    with h5py.File(sparse_track_file, "r") as h5:  # the file is as the issue says
        module = next(iter(h5["processing"].values()))
        series = module["track=b"]["head"]
        assert series["starting_time"].attrs["rate"] == 0.0
        assert series["data"].shape[0] == 2 and "timestamps" not in series
    with pytest.warns(UserWarning, match="cannot be placed in time") as caught:
        ds = posebridge.load(sparse_track_file)
    message = str(next(w.message for w in caught if "placed in time" in str(w.message)))
    assert "track=b/head" in message and "track=b/tail" in message
    assert ds.individual.values.tolist() == ["a", "b"]
    np.testing.assert_array_equal(ds.time.values, [0, 1, 2, 3, 4])
    np.testing.assert_array_equal(
        ds.position.sel(individual="a", keypoint="head", space="x").values, [0, 1, 2, 3, 4]
    )
    assert np.isnan(ds.position.sel(individual="b").values).all()  # no time: no point


def test_a_file_with_only_unplaceable_series_is_refused(tmp_path, sparse_track_file):
    path = tmp_path / "only_b.nwb"
    import shutil

    shutil.copy(sparse_track_file, path)
    with h5py.File(path, "r+") as h5:
        module = next(iter(h5["processing"].values()))
        del module["track=a"]
    with pytest.raises(posebridge.FormatError, match="no series can be placed in time"):
        quiet(posebridge.load, path)


# --------------------------------------------------------------------------
# sleap-io's NWB files of the corpus


@pytest.mark.parametrize("name", ["minimal.annotations.nwb", "minimal.pose.nwb"])
def test_load_nwb_gives_the_labels_sleap_io_gives_with_tracks(name):
    from _corpus import corpus_path

    path = corpus_path(f"nwb/{name}")
    ours = quiet(nwb.load_nwb, path)
    theirs = quiet(sio.load_nwb, str(path))
    assert isinstance(ours, sio.Labels)
    kind = "user" if name.startswith("minimal.annotations") else "predicted"
    assert instances_by_frame(ours, kind) == instances_by_frame(theirs, kind)
    with h5py.File(path, "r") as h5:  # the track names sleap-io wrote (and drops on reading)
        written = sorted(
            key.removeprefix("track=")
            for module in h5["processing"].values()
            for key in module
            if key.startswith("track=")
        )
    assert sorted(t.name for t in ours.tracks) == written


def test_sleap_io_reads_the_sleap_io_layout_of_poses_without_skeleton_edges(tmp_path):
    """A DeepLabCut file has no skeleton: the Skeleton was written without 'edges' and
    sleap-io's reader failed on skeleton.edges[:] (a TypeError)."""
    rng = np.random.default_rng(5)
    ds = posebridge.from_numpy(
        rng.uniform(0, 100, (6, 2, 3, 1)), rng.uniform(0, 1, (6, 3, 1)), fps=30
    )
    (path,) = posebridge.save(ds, tmp_path / "p.nwb", layout="sleap-io")
    read = sio.load_nwb(str(path))
    assert len(read.labeled_frames) == 6
    assert [n.name for n in read.skeletons[0].nodes] == ds.keypoint.values.tolist()
    assert read.skeletons[0].edges == []
    assert "skeleton_edges" not in posebridge.load(path)


def test_sleap_io_reads_the_sleap_io_layout_of_poses_without_confidence(tmp_path):
    """Poses without confidence (all NaN): the series had no confidence and sleap-io's
    reader failed on confidence[:] (a TypeError)."""
    rng = np.random.default_rng(6)
    position = rng.uniform(0, 100, (6, 2, 3, 2))
    position[2, :, 1, 0] = np.nan
    ds = posebridge.from_numpy(position, individual_names=["a", "b"], fps=30)
    (path,) = posebridge.save(ds, tmp_path / "p.nwb", layout="sleap-io")
    read = quiet(sio.load_nwb, str(path))
    assert [lf.frame_idx for lf in read.labeled_frames] == list(range(6))
    for lf in read.labeled_frames:  # sleap-io keeps no track: compare each frame's set
        got = sorted(rounded(i.numpy()) for i in lf.instances)
        frame = ds.position.isel(time=lf.frame_idx).transpose("individual", "keypoint", "space")
        points = frame.values.astype(np.float32)  # sleap-io's reader reads float32
        assert got == sorted(rounded(p) for p in points)
        assert all(np.isnan(i.numpy(scores=True)[:, 2]).all() for i in lf.instances)


def test_sleap_io_reads_the_sleap_io_layout_of_a_track_named_with_a_colon(tmp_path):
    """hdmf refuses ':' in a name: the writer raised pynwb's "cannot contain a '/' or ':'".
    The container is now track=rat_1, which sleap-io reads; posebridge reads rat:1 back."""
    position = np.random.default_rng(7).uniform(0, 100, (4, 2, 2, 1))
    ds = posebridge.from_numpy(position, individual_names=["rat:1"], fps=30)
    (path,) = posebridge.save(ds, tmp_path / "p.nwb", layout="sleap-io")
    read = quiet(sio.load_nwb, str(path))
    assert [lf.frame_idx for lf in read.labeled_frames] == list(range(4))
    for lf in read.labeled_frames:
        (instance,) = lf.instances
        expected = position[lf.frame_idx, :, :, 0].T.astype(np.float32)
        np.testing.assert_array_equal(instance.numpy(), expected)
    assert posebridge.load(path).individual.values.tolist() == ["rat:1"]


def test_a_track_named_untracked_0_beside_untracked_instances_is_read_apart(tmp_path):
    """sleap-io writes track=untracked_0 (a track) and track=untracked (instances without
    one): both were the individual untracked_0, and the file was refused as ambiguous."""
    named = sio.Track("untracked_0")
    source = labels_of({0: [named, None], 1: [named, None]}, lambda t, frame: 10.0 * (t + 2))
    path = tmp_path / "tracks.nwb"
    quiet(sio.save_nwb, source, str(path))
    with pytest.warns(UserWarning, match="untracked_0 -> untracked_0_"):
        ds = posebridge.load(path)
    assert sorted(ds.individual.values.tolist()) == ["untracked_0", "untracked_0_"]
    np.testing.assert_array_equal(ds.position.sel(individual="untracked_0_").values, 20.0)
    np.testing.assert_array_equal(ds.position.sel(individual="untracked_0").values, 10.0)
    back = quiet(nwb.load_nwb, path)
    kept = {(i.track.name if i.track else None, i.numpy()[0, 0]) for i in back.labeled_frames[0]}
    assert kept == {("untracked_0_", 20.0), (None, 10.0)}


def test_a_lone_track_named_untracked_0_stays_a_track(tmp_path):
    named = sio.Track("untracked_0")
    path = tmp_path / "track.nwb"
    quiet(sio.save_nwb, labels_of({0: [named], 1: [named]}), str(path))
    with pytest.warns(UserWarning, match="untracked_0 -> untracked_0_"):
        ds = posebridge.load(path)
    assert ds.individual.values.tolist() == ["untracked_0_"]
    back = quiet(nwb.load_nwb, path)
    assert [i.track.name for lf in back.labeled_frames for i in lf] == ["untracked_0_"] * 2


def test_frames_that_sleap_io_would_renumber_warn_and_every_frame_from_0_reads_right(tmp_path):
    """sleap-io numbers a video's frames by the rank of their times: frames 10, 11, 15, 16,
    40 came back from sleap_io.load_nwb as 1..5 while the README said both tools read them
    right. The writer warns; the dataset given every frame from 0 reads right in sleap-io."""
    rng = np.random.default_rng(4)
    frames = posebridge.from_numpy(rng.uniform(0, 99, (5, 2, 3, 1)), individual_names=["a"])
    frames = frames.assign_coords(time=[10, 11, 15, 16, 40])
    gaps = posebridge.model.with_fps(frames, 30.0)
    with pytest.warns(UserWarning, match=r"will renumber these frames \(10, 11, 15, 16, ...\)"):
        nwb.write_nwb(gaps, tmp_path / "gaps.nwb")
    back = nwb.load_nwb(tmp_path / "gaps.nwb", return_type="dataset")
    assert back.frame.values.tolist() == [10, 11, 15, 16, 40]
    full = posebridge.model.with_fps(frames.reindex(time=range(41)), 30.0)
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)  # no renumbering warning
        nwb.write_nwb(full, tmp_path / "full.nwb")
    labels = sio.load_nwb(tmp_path / "full.nwb")
    assert [lf.frame_idx for lf in labels.labeled_frames] == [10, 11, 15, 16, 40]


def test_user_instances_keep_the_labels_skeleton_name_through_save_nwb(tmp_path):
    """The annotations' skeleton was written as 'skeleton', not the Labels' 'Skeleton-0':
    sleap_io.load_nwb then gave two skeletons (labels.skeleton raised)."""
    sio = pytest.importorskip("sleap_io")
    skeleton = sio.Skeleton(["head", "tail"], name="Skeleton-0")  # as SLEAP names it
    video = sio.Video(filename="/data/arena.mp4", open_backend=False)
    instance = sio.Instance.from_numpy(np.array([[1.0, 2.0], [3.0, 4.0]]), skeleton=skeleton)
    theirs = sio.Labels([sio.LabeledFrame(video=video, frame_idx=0, instances=[instance])])
    out = tmp_path / "labels.nwb"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        nwb.save_nwb(theirs, out)
        back = sio.load_nwb(str(out))
    assert [s.name for s in back.skeletons] == [skeleton.name]


@pytest.mark.parametrize("with_predictions", [False, True], ids=["user", "user+predicted"])
def test_save_nwb_keeps_the_order_of_a_frames_instances(tmp_path, with_predictions):
    """Instances were written in the individuals' (tracks') order, so 924 of the 1500
    frames of clip.2node.slp came back reordered; sleap-io's save_nwb keeps the order."""
    skeleton = sio.Skeleton(["head", "tail"])
    tracks = [sio.Track("female"), sio.Track("male"), sio.Track("pup")]
    video = sio.Video(filename="/data/arena.mp4", open_backend=False)

    def instance(value, track):
        points = np.array([[value, value + 1.0], [value + 2.0, value + 3.0]])
        return sio.Instance.from_numpy(points, skeleton=skeleton, track=track)

    frames = []
    for frame, picked in enumerate([(0, 1), (1, 0), (2, 0, 1), (1,), (1, 2), (2, 1, 0)]):
        made = [instance(10.0 * frame + k, tracks[k]) for k in picked]
        made += [instance(10.0 * frame + 100.0, None)] if frame == 4 else []  # untracked last
        if with_predictions:
            points = np.ones((2, 2)) * frame
            made.append(sio.PredictedInstance.from_numpy(points, skeleton=skeleton, score=0.5))
        frames.append(sio.LabeledFrame(video=video, frame_idx=frame, instances=made))
    theirs = sio.Labels(frames)
    out = tmp_path / "labels.nwb"
    quiet(nwb.save_nwb, theirs, out, "annotations")
    back = quiet(sio.load_nwb, str(out))

    def order(labels):
        return [[rounded(i.numpy()) for i in lf.user_instances] for lf in labels.labeled_frames]

    assert order(back) == order(theirs)
