"""posebridge.from_sleap_io / to_sleap_io: sleap-io Labels in memory, both ways."""

from __future__ import annotations

import re
import sys
import warnings

import numpy as np
import pytest
import xarray as xr

import posebridge
from _corpus import corpus_params, corpus_path
from _sleap_io_labels import labels_of
from posebridge import bridges, model
from posebridge._recorded_warnings import dropping_warnings
from posebridge.bridges import dataset_to_labels
from posebridge.errors import PoseBridgeError, SchemaError
from posebridge.formats import sleap
from posebridge.model import labels

sio = pytest.importorskip("sleap_io")

SLP_FILES = corpus_params("sleap_slp", "*.slp")


def quiet(function, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return function(*args, **kwargs)


def edge_set(ds: xr.Dataset, name: str) -> set:
    if name not in ds:
        return set()
    return {frozenset(pair) for pair in ds[name].values.tolist()}


def from_file(path):
    """What posebridge's own .slp reader gives (one dataset per video for predictions)."""
    try:
        return quiet(posebridge.load, path)
    except PoseBridgeError:  # predictions in several videos
        return quiet(sleap.read_all_videos, path)


# --------------------------------------------------------------------------
# Labels -> dataset: the same as reading the .slp file


@pytest.mark.parametrize("path", SLP_FILES)
def test_from_sleap_io_gives_what_the_slp_reader_gives(path):
    theirs = sio.load_slp(str(path), open_videos=False)
    ours = quiet(posebridge.from_sleap_io, theirs)
    expected = from_file(path)
    if isinstance(expected, list):
        assert isinstance(ours, list) and len(ours) == len(expected)
    else:
        ours, expected = [ours], [expected]
    for got, want in zip(ours, expected, strict=True):
        assert labels.is_labels(got) == labels.is_labels(want)
        assert got.individual.values.tolist() == want.individual.values.tolist()  # tracks
        assert got.keypoint.values.tolist() == want.keypoint.values.tolist()  # node order
        np.testing.assert_array_equal(got.time.values, want.time.values)
        np.testing.assert_allclose(got.position.values, want.position.values, atol=1e-9)
        np.testing.assert_allclose(got.confidence.values, want.confidence.values, atol=1e-6)
        for name in ("instance_score", "predicted_position", "predicted_score", "visible"):
            assert (name in got) == (name in want), name
            if name in want:
                np.testing.assert_allclose(got[name].values, want[name].values, atol=1e-6)
        assert ("tracking_score" in got) == ("tracking_score" in want)
        if "tracking_score" in want:
            np.testing.assert_allclose(
                got.tracking_score.values, want.tracking_score.values, atol=1e-6
            )
        assert edge_set(got, "skeleton_symmetries") == edge_set(want, "skeleton_symmetries")
        # the edges in the one order: as sleap-io lists them
        theirs_edges = [list(pair) for pair in theirs.skeletons[0].edge_names]
        for dataset in (got, want):
            ours_edges = (
                dataset.skeleton_edges.values.tolist() if "skeleton_edges" in dataset else []
            )
            assert ours_edges == theirs_edges
        for coord in ("video", "frame", "image_path"):
            if coord in want.coords:
                left = np.char.replace(got[coord].values.astype(str), "\\", "/")
                right = np.char.replace(want[coord].values.astype(str), "\\", "/")
                np.testing.assert_array_equal(left, right)
        if "video_path" in want.attrs:
            assert got.attrs["video_path"].replace("\\", "/") == want.attrs["video_path"].replace(
                "\\", "/"
            )


def format_1_1_file(path, tracking_score: float = 0.0):
    """An .slp file of format 1.1 (no tracking_score column) made from sleap-io's 1.2."""
    import h5py

    skeleton = sio.Skeleton(nodes=["a", "b"])
    video = sio.Video(filename="/tmp/x.mp4", open_backend=False)
    track = sio.Track("t1")
    frames = [
        sio.LabeledFrame(
            video=video,
            frame_idx=k,
            instances=[
                sio.PredictedInstance.from_numpy(
                    np.arange(4.0).reshape(2, 2) + k,
                    skeleton=skeleton,
                    point_scores=np.ones(2),
                    score=0.5,
                    track=track,
                    tracking_score=tracking_score,
                )
            ],
        )
        for k in (1, 3)
    ]
    sio.save_slp(
        sio.Labels(labeled_frames=frames, videos=[video], skeletons=[skeleton], tracks=[track]),
        str(path),
    )
    with h5py.File(path, "r+") as h5:
        rows = h5["instances"][()]
        kept = [name for name in rows.dtype.names if name != "tracking_score"]
        del h5["instances"]
        h5["instances"] = np.array(rows[kept].tolist(), dtype=[(n, rows.dtype[n]) for n in kept])
        h5["metadata"].attrs["format_id"] = 1.1
    return path


def test_a_format_1_1_file_has_no_tracking_score_through_sleap_io_either(tmp_path):
    """h117 #3: sleap-io gives every instance of a format 1.1 file a tracking score of 0,
    which from_sleap_io kept while posebridge.load gives the same file none."""
    path = format_1_1_file(tmp_path / "v11.slp")
    labels_read = sio.load_slp(str(path), open_videos=False)
    assert {i.tracking_score for lf in labels_read for i in lf.instances} == {0.0}
    assert "tracking_score" not in posebridge.load(path)
    ours = quiet(posebridge.from_sleap_io, labels_read)
    assert "tracking_score" not in ours
    xr.testing.assert_identical(ours.drop_attrs(), posebridge.load(path).drop_attrs())


def test_zero_tracking_scores_of_a_format_1_2_file_are_kept(tmp_path):
    path = tmp_path / "v12.slp"
    labels_made = sio.load_slp(str(format_1_1_file(tmp_path / "v11.slp")), open_videos=False)
    sio.save_slp(labels_made, str(path))  # format >= 1.2: the column is there, all 0
    ours = quiet(posebridge.from_sleap_io, sio.load_slp(str(path), open_videos=False))
    assert "tracking_score" in ours and (ours.tracking_score.values == 0).all()
    assert "tracking_score" in posebridge.load(path)


def test_predictions_in_several_videos_give_one_dataset_each_or_the_one_asked(tracked):
    second = sio.Video(filename="/data/b.mp4", open_backend=False)
    frames = list(tracked.labeled_frames)
    moved = sio.LabeledFrame(video=second, frame_idx=7, instances=frames[0].instances)
    both = sio.Labels([*frames, moved], videos=[tracked.videos[0], second])
    several = quiet(posebridge.from_sleap_io, both)
    assert [d.attrs["video_path"] for d in several] == ["/data/a.mp4", "/data/b.mp4"]
    assert several[1].time.values.tolist() == [7]
    one = quiet(posebridge.from_sleap_io, both, video=second)
    assert one.time.values.tolist() == [7]
    assert quiet(posebridge.from_sleap_io, both, video="b.mp4").time.values.tolist() == [7]


# --------------------------------------------------------------------------
# dataset -> Labels


@pytest.fixture
def tracked():
    """Two tracks, predicted instances with point, instance and tracking scores."""
    skeleton = sio.Skeleton(["nose", "ear_l", "ear_r"], edges=[("nose", "ear_l")])
    skeleton.add_symmetry("ear_l", "ear_r")
    video = sio.Video(
        filename="/data/a.mp4", backend_metadata={"shape": [50, 480, 640, 3]}, open_backend=False
    )
    tracks = [sio.Track("mouse1"), sio.Track("mouse2")]
    rng = np.random.default_rng(3)
    frames = []
    for frame_idx in (0, 1, 5):
        instances = []
        for k, track in enumerate(tracks):
            points = rng.uniform(0, 400, (3, 2))
            if frame_idx == 1 and k == 0:
                points[1] = np.nan
            instances.append(
                sio.PredictedInstance.from_numpy(
                    points,
                    skeleton=skeleton,
                    point_scores=rng.uniform(0, 1, 3),
                    score=float(rng.uniform()),
                    track=track,
                    tracking_score=float(rng.uniform()),
                )
            )
        frames.append(sio.LabeledFrame(video=video, frame_idx=frame_idx, instances=instances))
    return sio.Labels(frames, videos=[video], skeletons=[skeleton], tracks=tracks)


def no_nan(values: np.ndarray) -> list:
    """Rounded values with NaN as None (NaN != NaN in list comparisons)."""
    rounded = np.round(np.asarray(values, dtype=np.float64), 6)
    return np.where(np.isnan(rounded), None, rounded).tolist()


def instance_rows(labels_: object) -> list[tuple]:
    """Every instance as comparable values: frame, track, type, points, scores."""
    rows = []
    for lf in labels_.labeled_frames:
        for inst in lf.instances:
            predicted = isinstance(inst, sio.PredictedInstance)
            rows.append(
                (
                    str(lf.video.filename),
                    lf.frame_idx,
                    None if inst.track is None else inst.track.name,
                    predicted,
                    no_nan(inst.numpy(invisible_as_nan=True)),
                    no_nan(inst.points["score"]) if predicted else None,
                    round(float(inst.score), 6) if predicted else None,
                    None if inst.tracking_score is None else round(float(inst.tracking_score), 6),
                )
            )
    return rows


def test_labels_go_through_a_dataset_and_back_unchanged(tracked):
    ds = posebridge.from_sleap_io(tracked)
    assert ds.individual.values.tolist() == ["mouse1", "mouse2"]
    assert ds.attrs["video_width"] == 640 and ds.attrs["video_height"] == 480
    back = posebridge.to_sleap_io(ds)
    assert [t.name for t in back.tracks] == ["mouse1", "mouse2"]
    assert [n.name for n in back.skeleton.nodes] == ["nose", "ear_l", "ear_r"]
    assert back.skeleton.edge_inds == [(0, 1)]
    assert [{n.name for n in s.nodes} for s in back.skeleton.symmetries] == [{"ear_l", "ear_r"}]
    assert back.videos[0].filename == "/data/a.mp4"
    assert tuple(back.videos[0].shape[1:3]) == (480, 640)
    assert instance_rows(back) == instance_rows(tracked)


@pytest.mark.parametrize("path", SLP_FILES)
def test_every_corpus_file_round_trips_through_a_dataset(path):
    theirs = sio.load_slp(str(path), open_videos=False)
    ours = quiet(posebridge.from_sleap_io, theirs)
    back = quiet(posebridge.to_sleap_io, ours)
    datasets = ours if isinstance(ours, list) else [ours]
    again = quiet(posebridge.from_sleap_io, back)
    again = again if isinstance(again, list) else [again]
    for first, second in zip(datasets, again, strict=True):
        assert first.individual.values.tolist() == second.individual.values.tolist()
        np.testing.assert_array_equal(first.position.values, second.position.values)
        np.testing.assert_array_equal(first.confidence.values, second.confidence.values)
        for name in ("instance_score", "tracking_score", "visible", "predicted_position"):
            if name in first:
                np.testing.assert_array_equal(first[name].values, second[name].values)


def test_user_labels_become_user_instances_linked_to_their_predictions():
    position = np.array([[[[1.0, 5.0], [2.0, 6.0]], [[3.0, 7.0], [4.0, 8.0]]]])
    ds = labels.from_numpy(
        position, video=["v1.mp4"], frame=[4], individual_names=["a", "b"], visible=None
    )
    ds["predicted_position"] = ds.position + 0.5
    ds["predicted_confidence"] = xr.full_like(ds.confidence, 0.9)
    ds["predicted_score"] = (("time", "individual"), [[0.8, 0.7]])
    back = posebridge.to_sleap_io(ds)
    (lf,) = back.labeled_frames
    assert lf.frame_idx == 4 and lf.video.filename == "v1.mp4"
    assert len(lf.user_instances) == 2 and len(lf.predicted_instances) == 2
    for user in lf.user_instances:
        assert user.from_predicted in lf.predicted_instances
        np.testing.assert_allclose(user.from_predicted.numpy(), user.numpy() + 0.5)
    again = posebridge.from_sleap_io(back)
    assert labels.is_labels(again)
    np.testing.assert_array_equal(again.position.values, position)
    np.testing.assert_allclose(again.predicted_score.values, [[0.8, 0.7]])


def test_points_marked_not_visible_stay_flagged_in_labels():
    position = np.array([[[[1.0], [np.nan]], [[3.0], [np.nan]]]])
    ds = labels.from_numpy(
        position, video=["v.mp4"], frame=[0], visible=np.array([[[2.0], [0.0]]])
    )
    back = posebridge.to_sleap_io(ds)
    inst = back.labeled_frames[0].user_instances[0]
    assert inst.points["visible"].tolist() == [True, False]
    assert inst.points["complete"].tolist() == [True, True]  # toggled by a person
    again = posebridge.from_sleap_io(back)
    np.testing.assert_array_equal(again.visible.values, [[[2.0], [0.0]]])


def labels_with_predictions() -> xr.Dataset:
    """Two labelled frames of two animals, each label with the prediction it corrects."""
    rng = np.random.default_rng(5)
    position = rng.uniform(0, 100, (2, 2, 3, 2))
    position[1, :, 2, 0] = np.nan
    ds = labels.from_numpy(
        position, video=["v1.mp4", "v1.mp4"], frame=[4, 9], individual_names=["a", "b"]
    )
    ds["predicted_position"] = ds.position + 0.5
    ds["predicted_confidence"] = xr.full_like(ds.confidence, 0.9)
    ds["predicted_score"] = (("time", "individual"), [[0.8, 0.7], [0.6, 0.5]])
    return ds


def test_each_instance_has_sleap_io_points_of_its_own(tmp_path):
    """The points are built at once for every instance: each takes its own row."""
    from sleap_io.model.instance import PointsArray, PredictedPointsArray

    back = posebridge.to_sleap_io(labels_with_predictions())
    lf = back.labeled_frames[1]
    first, second = lf.user_instances
    assert isinstance(first.points, PointsArray)
    assert isinstance(lf.predicted_instances[0].points, PredictedPointsArray)
    assert first.points["name"].tolist() == ["keypoint_0", "keypoint_1", "keypoint_2"]
    assert first.points["visible"].tolist() == [True, True, False]
    before = second.points["xy"].copy()
    first.points["xy"][:] = -1.0
    np.testing.assert_array_equal(second.points["xy"], before)
    sio.save_slp(back, str(tmp_path / "back.slp"))  # sleap-io writes and reads them
    again = sio.load_slp(str(tmp_path / "back.slp"), open_videos=False)
    points_of = [row[:6] for row in instance_rows(back)]  # video, frame, track, type, points
    assert [row[:6] for row in instance_rows(again)] == points_of


@pytest.mark.parametrize("make", ["labels", "predictions"])
def test_a_point_with_one_nan_coordinate_keeps_the_other_in_sleap_io(make):
    half = np.array([[152.5, np.nan], [np.nan, 7.25], [np.nan, np.nan], [1.0, 2.0]])
    position = half.T[None, :, :, None]  # (time, space, keypoint, individual)
    if make == "labels":
        ds = labels.from_numpy(position, video=["v.mp4"], frame=[0], individual_names=["m"])
    else:
        ds = posebridge.from_numpy(position, np.full((1, 4, 1), 0.5), individual_names=["m"])
    [instance] = quiet(posebridge.to_sleap_io, ds).labeled_frames[0].instances
    assert instance.points["visible"].tolist() == [True, True, False, True]
    np.testing.assert_array_equal(instance.numpy(), half)


@pytest.mark.parametrize("make", ["labels", "predictions"])
def test_labels_are_the_same_when_built_instance_by_instance(tracked, monkeypatch, make):
    """The fallback for a sleap-io whose point arrays differ gives the same Labels."""
    ds = labels_with_predictions() if make == "labels" else posebridge.from_sleap_io(tracked)
    built_at_once = posebridge.to_sleap_io(ds)
    monkeypatch.setattr(dataset_to_labels, "sleap_io_points", lambda *args, **kwargs: None)
    one_by_one = posebridge.to_sleap_io(ds)
    assert instance_rows(one_by_one) == instance_rows(built_at_once)
    for a, b in zip(built_at_once.labeled_frames, one_by_one.labeled_frames, strict=True):
        for x, y in zip(a.instances, b.instances, strict=True):
            assert type(x) is type(y)
            for field in ("visible", "complete"):
                assert x.points[field].tolist() == y.points[field].tolist()
            assert (x.from_predicted is None) == (y.from_predicted is None)


def test_poses_without_scores_come_back_as_poses():
    ds = model.from_numpy(np.ones((3, 2, 2, 1)), individual_names=["m"])
    back = posebridge.to_sleap_io(ds)
    assert all(not lf.predicted_instances for lf in back.labeled_frames)
    again = posebridge.from_sleap_io(back)
    assert not labels.is_labels(again)
    np.testing.assert_array_equal(again.position.values, ds.position.values)


def test_a_list_of_datasets_becomes_one_labels_with_a_video_each(tracked):
    a = posebridge.from_sleap_io(tracked)
    b = a.assign_attrs(video_path="/data/b.mp4")
    both = posebridge.to_sleap_io([a, b])
    assert [v.filename for v in both.videos] == ["/data/a.mp4", "/data/b.mp4"]
    assert [t.name for t in both.tracks] == ["mouse1", "mouse2"]  # shared by name
    assert len(both.labeled_frames) == 2 * len(tracked.labeled_frames)


def test_a_list_of_datasets_of_other_keypoints_becomes_one_labels_of_a_skeleton_each():
    rng = np.random.default_rng(3)
    first = posebridge.from_numpy(
        rng.uniform(0, 9, (2, 2, 2, 1)), keypoint_names=["a", "b"], individual_names=["m1"]
    ).assign_attrs(video_path="/data/a.mp4", skeleton_name="two")
    second = posebridge.from_numpy(
        rng.uniform(0, 9, (3, 2, 3, 1)), keypoint_names=["c", "d", "e"], individual_names=["m2"]
    ).assign_attrs(video_path="/data/b.mp4", skeleton_name="three")
    third = first.assign_attrs(video_path="/data/c.mp4")  # first's keypoints: its skeleton
    both = quiet(posebridge.to_sleap_io, [first, second, third])
    assert [(s.name, list(s.node_names)) for s in both.skeletons] == [
        ("two", ["a", "b"]),
        ("three", ["c", "d", "e"]),
    ]
    for lf in both.labeled_frames:
        expected = ["c", "d", "e"] if lf.video.filename == "/data/b.mp4" else ["a", "b"]
        assert [list(i.skeleton.node_names) for i in lf] == [expected]
    assert len(both.labeled_frames) == 2 + 3 + 2
    on_b = [lf for lf in both.labeled_frames if lf.video.filename == "/data/b.mp4"]
    np.testing.assert_allclose(
        np.stack([lf.instances[0].numpy() for lf in on_b]),
        second.position.values[..., 0].transpose(0, 2, 1),
    )


def _scored(individuals: list[str], seed: int, n: int = 4) -> xr.Dataset:
    """Predictions (with scores) of one unnamed video: n frames, 2 keypoints."""
    rng = np.random.default_rng(seed)
    k = len(individuals)
    return posebridge.from_numpy(
        rng.uniform(0, 9, (n, 2, 2, k)), rng.uniform(0, 1, (n, 2, k)), individual_names=individuals
    )


def test_a_list_is_refused_where_an_individual_shares_a_video_frame_and_kind():
    """One track per frame and kind: two datasets' 'a' in one frame would lose one."""
    a, b = _scored(["a", "b"], 1), _scored(["c", "b"], 2)  # 'b' in both, same frames
    with pytest.raises(SchemaError, match=r"datasets \[0, 1\].*\['b'\].*same video.*frame 0"):
        posebridge.to_sleap_io([a, b])
    # the same name at other frames, or in another video, is one track across them
    a = _scored(["a"], 1)
    later = _scored(["a"], 2).assign_coords(time=np.arange(4, 8))  # frames 4..7
    other_video = _scored(["a"], 3).assign_attrs(video_path="/data/b.mp4")
    back = posebridge.from_sleap_io(posebridge.to_sleap_io([a, later, other_video]))
    assert isinstance(back, list) and len(back) == 2  # one dataset per video
    first = next(d for d in back if not d.attrs.get("video_path", "").endswith("b.mp4"))
    np.testing.assert_allclose(
        first.position.sel(individual="a").values,
        np.concatenate([a.position.values, later.position.values])[..., 0],
    )
    # a user instance and a predicted instance of one individual may share a frame
    rng = np.random.default_rng(5)
    user = labels.from_numpy(rng.uniform(0, 9, (2, 2, 2, 1)), video=["", ""], frame=[0, 1])
    user = user.assign_coords(individual=["a"])
    frame = posebridge.to_sleap_io([user, _scored(["a"], 6, n=2)]).labeled_frames[0]
    assert len(frame.user_instances) == 1 and len(frame.predicted_instances) == 1


# --------------------------------------------------------------------------
# wrong input


@pytest.mark.parametrize("value", [None, "labels.slp", np.zeros((2, 2)), {"a": 1}])
def test_from_sleap_io_refuses_anything_but_labels_with_a_type_error(value):
    with pytest.raises(TypeError, match="sleap_io.Labels"):
        posebridge.from_sleap_io(value)


@pytest.mark.parametrize("value", [None, "poses.slp", np.zeros((2, 2)), [np.zeros(2)]])
def test_to_sleap_io_refuses_anything_but_datasets_with_a_type_error(value):
    with pytest.raises(TypeError, match="Dataset"):
        posebridge.to_sleap_io(value)


def test_the_type_errors_are_posebridge_errors_too():
    with pytest.raises(PoseBridgeError):
        posebridge.from_sleap_io(object())


def test_without_sleap_io_the_error_is_a_posebridge_error_naming_the_extra(monkeypatch):
    """h159: a plain ImportError, while the other extras raise a PoseBridgeError."""
    monkeypatch.setitem(sys.modules, "sleap_io", None)  # import sleap_io now fails
    extra = re.escape("pip install 'posebridge[sleap]'")
    with pytest.raises(PoseBridgeError, match=extra):
        bridges.require_sleap_io()
    with pytest.raises(PoseBridgeError, match=f"posebridge.to_sleap_io needs sleap-io.*{extra}"):
        posebridge.to_sleap_io(model.from_numpy(np.ones((1, 2, 1, 1))))


def test_the_sleap_version_of_the_provenance_is_the_software_version(tracked):
    tracked.provenance["sleap_version"] = "1.2.7"
    assert posebridge.from_sleap_io(tracked).attrs["source_software_version"] == "1.2.7"


def test_tracks_sharing_a_name_stay_two_individuals_as_the_slp_file_gives_them(tmp_path):
    """sleap-io keeps tracks by object, so two Track("mouse") are two tracks: they become
    mouse and mouse_2 (with a warning), as posebridge reads the .slp file sleap-io saves."""
    first, second = sio.Track("mouse"), sio.Track("mouse")
    source = labels_of({0: [first], 1: [second]}, lambda t, frame: float(frame + 1))
    with pytest.warns(UserWarning, match="mouse -> mouse_2"):
        ds = posebridge.from_sleap_io(source)
    assert ds.individual.values.tolist() == ["mouse", "mouse_2"]
    np.testing.assert_array_equal(ds.position.values[:, 0, 0], [[1.0, np.nan], [np.nan, 2.0]])
    source.save(str(tmp_path / "two_mice.slp"))
    from_slp = quiet(posebridge.load, tmp_path / "two_mice.slp")
    xr.testing.assert_identical(
        ds,
        from_slp.drop_attrs().assign_attrs(
            {k: v for k, v in from_slp.attrs.items() if k != "source_file"}
        ),
    )


def test_a_track_named_like_untracked_instances_stays_a_track(tmp_path):
    """Another tool's track 'untracked_0' beside instances without a track: the track is
    read as untracked_0_ (with a warning), so writers keep it a track and the instances
    without one stay without (before, the two swapped on the way back to sleap-io)."""
    named = sio.Track("untracked_0")
    source = labels_of({0: [named, None], 1: [named, None]}, lambda t, frame: 10.0 * (t + 2))
    source.save(str(tmp_path / "tracks.slp"))
    with pytest.warns(UserWarning, match="untracked_0 -> untracked_0_"):
        ds = posebridge.load(tmp_path / "tracks.slp")
    assert ds.individual.values.tolist() == ["untracked_0_", "untracked_0"]
    back = posebridge.to_sleap_io(ds)
    kept = {(i.track.name if i.track else None, i.numpy()[0, 0]) for i in back.labeled_frames[0]}
    assert kept == {("untracked_0_", 20.0), (None, 10.0)}  # the track's points are 10 * (0+2)


def test_boxes_given_to_sleap_io_are_refused_as_the_wrong_kind():
    """A raw KeyError: "No variable named 'keypoint'"."""
    pytest.importorskip("sleap_io")
    boxes = model.bboxes_from_numpy(np.zeros((2, 2, 1)), np.ones((2, 2, 1)))
    with pytest.raises(posebridge.errors.DatasetKindError, match="to_sleap_io takes poses"):
        posebridge.to_sleap_io(boxes)


def test_to_sleap_io_of_a_dataset_without_keypoints_is_refused():
    pytest.importorskip("sleap_io")
    ds = posebridge.from_numpy(np.ones((3, 2, 2, 1))).isel(keypoint=[])
    with pytest.raises(SchemaError, match="has no keypoints"):
        posebridge.to_sleap_io(ds)


# --------------------------------------------------------------------------
# what the source said about its videos, suggestions and provenance


def _loaded(path) -> xr.Dataset | list[xr.Dataset]:
    with dropping_warnings(UserWarning):
        try:
            return posebridge.load(path)
        except PoseBridgeError:  # predictions in several videos
            return sleap.read_all_videos(path)


def _video_facts(labels_: object) -> list[tuple]:
    """Each video's shape and colour (posebridge names an embedded video by its source)."""
    return [
        (None if v.shape is None else tuple(v.shape), v.grayscale)
        for v in labels_.videos
        if getattr(v, "source_video", None) is None
    ]


def _suggested(labels_: object) -> list[tuple]:
    videos = [str(v.filename).replace("\\", "/") for v in labels_.videos]
    return [
        (videos[labels_.videos.index(s.video)], s.frame_idx, s.metadata.get("group", 0))
        for s in labels_.suggestions
    ]


@pytest.mark.parametrize("path", SLP_FILES)
def test_a_corpus_file_read_then_given_to_sleap_io_has_the_videos_and_suggestions_sleap_io_reads(
    path,
):
    theirs = sio.load_slp(str(path), open_videos=False)
    with dropping_warnings(UserWarning):
        ours = posebridge.to_sleap_io(_loaded(path))
    if any(getattr(v, "source_video", None) is not None for v in theirs.videos):
        pytest.skip("sleap-io keeps no facts of an embedded video's source (posebridge does)")
    assert _video_facts(ours) == _video_facts(theirs)
    assert _suggested(ours) == _suggested(theirs)
    kept = {k: v for k, v in theirs.provenance.items() if k != "filename"}
    assert {k: ours.provenance[k] for k in kept if k in ours.provenance} == kept


def _written_by_sleap_io(tmp_path, shape, grayscale) -> object:
    skeleton = sio.Skeleton(["a", "b"])
    videos = [
        sio.Video(
            filename=f"/nowhere/v{k}.mp4",
            backend_metadata={"type": "MediaVideo", "shape": shape, "grayscale": grayscale},
            open_backend=False,
        )
        for k in range(2)
    ]
    instance = sio.Instance.from_numpy(np.array([[1.0, 2.0], [3.0, 4.0]]), skeleton=skeleton)
    source = sio.Labels(
        labeled_frames=[sio.LabeledFrame(video=videos[0], frame_idx=3, instances=[instance])],
        videos=videos,
        skeletons=[skeleton],
        suggestions=[
            sio.SuggestionFrame(video=videos[1], frame_idx=7, metadata={"group": 1}),
            sio.SuggestionFrame(video=videos[0], frame_idx=2, metadata={"group": 0}),
        ],
        provenance={"sleap_version": "1.4.1", "model_paths": ["m/training_config.json"]},
    )
    sio.save_slp(source, str(tmp_path / "project.slp"))
    return sio.load_slp(str(tmp_path / "project.slp"), open_videos=False)


def test_a_grayscale_video_stays_grayscale_with_its_shape_through_to_sleap_io(tmp_path):
    theirs = _written_by_sleap_io(tmp_path, [100, 480, 640, 1], True)
    assert tuple(theirs.videos[0].shape) == (100, 480, 640, 1)  # as written
    ours = posebridge.to_sleap_io(_loaded(tmp_path / "project.slp"))
    assert [tuple(v.shape) for v in ours.videos] == [tuple(v.shape) for v in theirs.videos]
    assert [v.grayscale for v in ours.videos] == [True, True]


def test_suggestions_and_provenance_reach_sleap_io_for_the_videos_present(tmp_path):
    theirs = _written_by_sleap_io(tmp_path, [100, 480, 640, 3], False)
    ds = _loaded(tmp_path / "project.slp")
    ours = posebridge.to_sleap_io(ds)
    assert _suggested(ours) == _suggested(theirs)
    assert all(s.video is ours.videos[1] or s.video is ours.videos[0] for s in ours.suggestions)
    assert ours.provenance["sleap_version"] == theirs.provenance["sleap_version"]
    assert ours.provenance["model_paths"] == theirs.provenance["model_paths"]
    # predictions of one video: the other video's suggestion has no video to go to
    one = ds.isel(time=ds.video.values == "/nowhere/v0.mp4")
    poses = posebridge.from_numpy(
        one.position.values, individual_names=["track_0"], keypoint_names=["a", "b"]
    ).assign_attrs(video_path="/nowhere/v0.mp4", sleap_suggestions=ds.attrs["sleap_suggestions"])
    with pytest.warns(UserWarning, match=r"suggestions of video\(s\) \['/nowhere/v1.mp4'\]"):
        alone = posebridge.to_sleap_io(poses)
    assert _suggested(alone) == [("/nowhere/v0.mp4", 2, 0)]


def test_a_video_of_a_known_size_but_unknown_shape_gets_no_made_up_shape():
    ds = posebridge.from_numpy(np.ones((3, 2, 2, 1))).assign_attrs(
        video_path="a.mp4", video_width=640, video_height=480
    )
    video = posebridge.to_sleap_io(ds).videos[0]
    assert video.shape is None and video.grayscale is None


def test_sleap_io_labels_keep_their_videos_shape_and_suggestions_through_a_dataset(tmp_path):
    theirs = _written_by_sleap_io(tmp_path, [100, 480, 640, 1], True)
    with dropping_warnings(UserWarning):
        back = posebridge.to_sleap_io(posebridge.from_sleap_io(theirs))
    assert _video_facts(back) == _video_facts(theirs)
    assert _suggested(back) == _suggested(theirs)


def test_the_frame_rate_goes_to_the_video_and_times_it_cannot_give_are_warned_of():
    """to_sleap_io dropped fps and time in seconds without a word. sleap-io's Video holds a
    frame rate (Video.fps): the dataset's goes there, so times that are frame / fps are had
    again; a LabeledFrame holds a frame number, so other times are lost, with a warning."""
    pytest.importorskip("sleap_io")
    frames = np.array([10, 11, 20])
    seconds = posebridge.from_numpy(np.ones((3, 2, 2, 1)), np.full((3, 2, 1), 0.5), fps=25.0)
    seconds = seconds.assign_coords(time=frames / 25.0, frame=("time", frames))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # nothing lost: no warning
        held = posebridge.to_sleap_io(seconds)
    assert [video.fps for video in held.videos] == [25.0]
    assert [lf.frame_idx for lf in held.labeled_frames] == frames.tolist()
    again = model.with_fps(posebridge.from_sleap_io(held), held.videos[0].fps)
    np.testing.assert_allclose(again.time.values, seconds.time.values)

    stamped = seconds.assign_coords(time=[0.4, 0.45, 0.81])  # timestamps off the fps grid
    with pytest.warns(UserWarning, match=r"time in seconds is not kept") as caught:
        held = posebridge.to_sleap_io(stamped)
    assert "not the frame numbers over its fps (25)" in str(caught[0].message)
    assert [video.fps for video in held.videos] == [25.0]


def _labels_of_a_user_instance_and_a_prediction_not_made_from_it():
    """One frame: a user instance and a prediction of one track, the user one not linked
    to (made from) the prediction."""
    skeleton = sio.Skeleton(["a", "b"])
    video = sio.Video(filename="/tmp/a.mp4", open_backend=False)
    track = sio.Track("t")
    user = sio.Instance.from_numpy(np.array([[1.0, 1], [2, 2]]), skeleton=skeleton, track=track)
    predicted = sio.PredictedInstance.from_numpy(
        np.array([[50.0, 50], [60, 60]]),
        point_scores=np.full(2, 0.5),
        score=0.9,
        skeleton=skeleton,
        track=track,
    )
    frame = sio.LabeledFrame(video, 0, [user, predicted])
    return sio.Labels([frame], videos=[video], skeletons=[skeleton], tracks=[track])


def test_a_prediction_not_made_into_the_user_instance_of_its_track_is_warned_of():
    """It was dropped silently: the user instance of its frame and track is kept."""
    source = _labels_of_a_user_instance_and_a_prediction_not_made_from_it()
    with pytest.warns(UserWarning, match="1 prediction.* share a frame and track with a user"):
        ds = posebridge.from_sleap_io(source)
    np.testing.assert_array_equal(ds.position.values[0, :, :, 0], [[1, 2], [1, 2]])
    with dropping_warnings(UserWarning):
        predicted = posebridge.from_sleap_io(source, instances="predicted")
    np.testing.assert_array_equal(predicted.position.values[0, :, :, 0], [[50, 60], [50, 60]])


def test_a_user_instance_made_from_its_tracks_prediction_gives_no_warning():
    source = _labels_of_a_user_instance_and_a_prediction_not_made_from_it()
    user, predicted = source.labeled_frames[0].instances
    user.from_predicted = predicted
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        posebridge.from_sleap_io(source)


def test_two_videos_of_one_path_are_warned_of_naming_the_path():
    """Two sleap_io.Video objects of one path came back as one video, frames merged,
    without a word: datasets name their video by path."""
    skeleton, track = sio.Skeleton(["a", "b"]), sio.Track("t")
    first, second = (sio.Video(filename="/tmp/same.mp4", open_backend=False) for _ in range(2))
    frames = [
        sio.LabeledFrame(
            video,
            0,
            [
                sio.PredictedInstance.from_numpy(
                    np.full((2, 2), value),
                    point_scores=np.full(2, 0.5),
                    score=0.9,
                    skeleton=skeleton,
                    track=track,
                )
            ],
        )
        for video, value in ((first, 1.0), (second, 9.0))
    ]
    source = sio.Labels(frames, videos=[first, second], skeletons=[skeleton])
    with pytest.warns(UserWarning, match=r"videos \[0, 1\] are '/tmp/same.mp4'"):
        datasets = posebridge.from_sleap_io(source)
    assert [d.attrs["video_path"] for d in datasets] == ["/tmp/same.mp4"] * 2


@pytest.mark.parametrize("value", [1.0, [0]])
def test_a_video_that_is_no_index_path_or_video_is_named_as_such(tracked, value):
    """1.0 was said to be 'a sleap_io.Video that these labels do not hold'."""
    with pytest.raises(
        PoseBridgeError, match=re.escape(f"video must be an index or a path, got {value!r}")
    ):
        posebridge.from_sleap_io(tracked, video=value)


def test_an_image_sequence_from_to_sleap_io_saves_and_loads_in_sleap_io(tmp_path):
    """h119: sleap-io wrote the Video's list of images as its one 'filename', and its own
    load_slp then failed on it (TypeError: a list is no path)."""
    from _corpus import corpus_path

    source = corpus_path("sleap_slp/small_robot_siv_caching.slp")  # an image-sequence video
    with dropping_warnings(UserWarning):
        ds = posebridge.load(source)
    made = posebridge.to_sleap_io(ds)
    path = tmp_path / "bridged.slp"
    sio.save_slp(made, str(path))
    back = sio.load_slp(str(path), open_videos=False)
    own = sio.load_slp(str(source), open_videos=False)
    assert [str(p) for p in back.videos[0].filename] == [str(p) for p in own.videos[0].filename]
    assert len(back.labeled_frames) == len(own.labeled_frames)


@pytest.mark.parametrize("path", SLP_FILES)
@pytest.mark.parametrize("instances", ["user", "predicted"])
def test_from_sleap_io_gives_the_attributes_the_slp_reader_gives(path, instances):
    """Video path (Windows separators as "/", an image sequence named by its first image),
    its size and the software version: the same from the file and from its Labels (whose
    embedded frames, in a .pkg.slp, are opened to give their size)."""
    theirs = sio.load_slp(str(path), open_videos=path.name.endswith(".pkg.slp"))
    if instances == "user":
        want = quiet(posebridge.load, path, instances="user")
        pairs = [(want, quiet(posebridge.from_sleap_io, theirs, instances="user"))]
    else:
        pairs = [
            (
                quiet(posebridge.load, path, video=k, instances=instances),
                quiet(posebridge.from_sleap_io, theirs, video=k, instances=instances),
            )
            for k in range(max(len(theirs.videos), 1))
        ]
    for want, got in pairs:
        left = {k: v for k, v in want.attrs.items() if k != "source_file"}
        right = {k: v for k, v in got.attrs.items() if k != "source_file"}
        assert left == right


def test_a_windows_video_path_reaches_sleap_io_with_forward_slashes():
    path = corpus_path("sleap_slp/clip.2node.slp")  # its video: tests/data/tracks\clip.mp4
    ds = quiet(posebridge.load, path, instances="predicted")
    assert ds.attrs["video_path"] == "tests/data/tracks/clip.mp4"
    assert quiet(posebridge.to_sleap_io, ds).videos[0].filename == "tests/data/tracks/clip.mp4"


def test_an_image_sequence_keeps_its_size_through_sleap_io():
    path = corpus_path("sleap_slp/small_robot_siv_caching.slp")
    theirs = sio.load_slp(str(path), open_videos=False)  # the images are not there
    ds = quiet(posebridge.from_sleap_io, theirs, instances="predicted")
    assert (ds.attrs["video_width"], ds.attrs["video_height"]) == (560, 320)
    assert ds.attrs["video_path"] == theirs.videos[0].filename[0]


def test_from_sleap_io_warns_of_a_user_instance_made_from_another_tracks_prediction():
    skeleton = sio.Skeleton(["a", "b"], name="s")
    video = sio.Video(filename="/data/v1.mp4", open_backend=False)
    track_a, track_b = sio.Track("A"), sio.Track("B")
    on_b = sio.PredictedInstance.from_numpy(
        np.full((2, 2), 10.0), skeleton=skeleton, point_scores=np.ones(2), score=0.7, track=track_b
    )
    user = sio.Instance.from_numpy(np.full((2, 2), 11.0), skeleton=skeleton, track=track_a)
    user.from_predicted = on_b
    frame = sio.LabeledFrame(video=video, frame_idx=3, instances=[on_b, user])
    source = sio.Labels(
        labeled_frames=[frame], videos=[video], skeletons=[skeleton], tracks=[track_a, track_b]
    )
    with pytest.warns(UserWarning, match="user instance on 'A' made from a prediction on 'B'"):
        posebridge.from_sleap_io(source, instances="user")


def _labels_of_an_opened_video(tmp_path, metadata=None):
    """A prediction on a 6-frame 24x16 MJPEG video at 10 fps, opened by sleap-io (its
    backend_metadata empty, as sio.load_slp leaves it), or described by ``metadata`` only."""
    iio = pytest.importorskip("imageio.v2", reason="the video extra (imageio) is not installed")
    pytest.importorskip("imageio_ffmpeg", reason="the video extra is not installed")
    path = tmp_path / "cam.avi"
    writer = iio.get_writer(path, format="FFMPEG", codec="mjpeg", fps=10, macro_block_size=1)
    for k in range(6):
        writer.append_data(np.full((16, 24, 3), 30 * k, np.uint8))
    writer.close()
    if metadata is None:
        video = sio.Video.from_filename(str(path))
    else:
        video = sio.Video(filename=str(path), backend_metadata=metadata, open_backend=False)
    skeleton, track = sio.Skeleton(["a", "b"], name="s"), sio.Track("m1")
    instance = sio.PredictedInstance.from_numpy(
        np.array([[1.0, 2.0], [3.0, 4.0]]),
        skeleton,
        point_scores=[0.9, 0.8],
        score=0.9,
        track=track,
    )
    frame = sio.LabeledFrame(video=video, frame_idx=0, instances=[instance])
    return sio.Labels([frame], videos=[video], skeletons=[skeleton], tracks=[track])


def test_an_opened_videos_shape_grayscale_and_fps_survive_a_dataset_and_an_slp(tmp_path):
    """h168 item 3: the facts of a Video whose backend is open (backend_metadata empty, as
    sio.load_slp gives them) come back from to_sleap_io and are saved in an .slp."""
    source = _labels_of_an_opened_video(tmp_path)
    opened = source.videos[0]
    assert opened.backend is not None and opened.backend_metadata == {}
    facts = (tuple(opened.shape), opened.grayscale, opened.fps)
    assert facts[0][:3] == (6, 16, 24) and facts[2] == 10.0
    back = posebridge.to_sleap_io(posebridge.from_sleap_io(source)).videos[0]
    assert (tuple(back.shape), back.grayscale, back.fps) == facts
    sio.save_slp(posebridge.to_sleap_io(posebridge.from_sleap_io(source)), tmp_path / "b.slp")
    saved = sio.load_slp(str(tmp_path / "b.slp"), open_videos=False).videos[0]
    assert (tuple(saved.shape), saved.backend_metadata.get("fps")) == (facts[0], facts[2])


def test_the_backend_metadata_of_an_opened_video_wins_over_what_its_backend_says(tmp_path):
    """What the Video's backend_metadata gives is kept as given; the opened backend adds
    only what it leaves out; a Video not opened is not opened."""
    source = _labels_of_an_opened_video(tmp_path)
    source.videos[0].backend_metadata.update({"fps": 30.0})
    back = posebridge.to_sleap_io(posebridge.from_sleap_io(source)).videos[0]
    assert back.fps == 30.0 and tuple(back.shape)[:3] == (6, 16, 24)
    closed = _labels_of_an_opened_video(tmp_path, metadata={"fps": 12.0})
    posebridge.from_sleap_io(closed)
    assert closed.videos[0].backend is None  # not opened to read its facts
    assert posebridge.to_sleap_io(posebridge.from_sleap_io(closed)).videos[0].fps == 12.0


def test_instances_user_warns_of_the_predictions_it_leaves_out():
    """h168 item 4: predictions that no user instance was made from are not in a labels
    dataset of user instances: said with their count, pointing to instances='predicted';
    the one a user instance was made from is kept and not counted."""
    source = _labels_of_a_user_instance_and_a_prediction_not_made_from_it()
    skeleton = source.skeletons[0]
    other = sio.PredictedInstance.from_numpy(
        np.array([[5.0, 5], [6, 6]]), point_scores=np.ones(2), score=0.8, skeleton=skeleton
    )
    source.append(sio.LabeledFrame(source.videos[0], 4, [other]))
    with pytest.warns(UserWarning) as caught:
        ds = posebridge.from_sleap_io(source, instances="user")
    (message,) = [str(w.message) for w in caught if "left out" in str(w.message)]
    assert "2 predicted instance(s) of these Labels are left out" in message
    assert "instances='predicted'" in message
    assert not any(name.startswith("predicted_") for name in ds.data_vars)
    user, predicted = source.labeled_frames[0].instances
    user.from_predicted = predicted  # now kept, as predicted_position: 1 left out
    with pytest.warns(UserWarning, match=r"^<sleap_io.Labels>: 1 predicted instance\(s\)"):
        ds = posebridge.from_sleap_io(source, instances="user")
    assert "predicted_position" in ds
    with pytest.warns(UserWarning, match="1 predicted instance"):  # of the video asked for
        posebridge.from_sleap_io(source, video=0, instances="user")


def test_instances_user_of_labels_without_unlinked_predictions_gives_no_warning():
    source = _labels_of_a_user_instance_and_a_prediction_not_made_from_it()
    user, predicted = source.labeled_frames[0].instances
    user.from_predicted = predicted
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        posebridge.from_sleap_io(source, instances="user")


def test_predictions_without_scores_stay_predictions_through_sleap_io_labels():
    """sleap-io Labels of predictions whose scores are NaN, through from_sleap_io and
    to_sleap_io, are still PredictedInstances (they came back as user instances: labelled
    frames SLEAP trains on)."""
    sio = pytest.importorskip("sleap_io")
    skeleton = sio.Skeleton(["a", "b"])
    video = sio.Video(filename="/nowhere/v.mp4", open_backend=False)
    track = sio.Track("mouse")
    frames = [
        sio.LabeledFrame(
            video=video,
            frame_idx=i,
            instances=[
                sio.PredictedInstance.from_numpy(
                    np.array([[i, i + 1.0], [i + 2.0, i + 3.0]]),
                    skeleton=skeleton,
                    point_scores=np.full(2, np.nan),
                    score=np.nan,
                    track=track,
                )
            ],
        )
        for i in range(3)
    ]
    labels = sio.Labels(
        labeled_frames=frames, skeletons=[skeleton], videos=[video], tracks=[track]
    )

    back = posebridge.to_sleap_io(posebridge.from_sleap_io(labels))

    instances = [i for frame in back for i in frame.instances]
    assert len(instances) == 3
    assert all(isinstance(i, sio.PredictedInstance) for i in instances)
    np.testing.assert_array_equal(
        np.stack([i.numpy() for i in instances]),
        np.stack([i.numpy() for frame in labels for i in frame.instances]),
    )
