"""sleap-io's predictions layout (``layout="sleap-io"``): what the writer lays out, read back.

sleap-io's own reading of these files is checked in tests/interop/test_sleap_io_nwb.py.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import h5py
import numpy as np
import pytest
import xarray as xr

import posebridge
from posebridge.combine import stack_views
from posebridge.errors import PoseBridgeError, SchemaError
from posebridge.formats import nwb

pynwb = pytest.importorskip("pynwb")


def test_sleap_io_layout_writes_nan_confidence_read_back_as_none_is(tmp_path):
    """sleap-io's reader reads every series' confidence[:]: its layout writes NaN where the
    dataset has no confidence (float64, as sleap-io does), posebridge's leaves it out, and
    both read back as the same all-NaN confidence."""
    rng = np.random.default_rng(3)
    ds = posebridge.from_numpy(rng.uniform(0, 50, (5, 2, 2, 2)), fps=25)
    assert np.isnan(ds.confidence.values).all()
    (ours,) = nwb.write(ds, tmp_path / "ours.nwb", split_individuals=False)
    (theirs,) = nwb.write(ds, tmp_path / "sleap_io.nwb", layout="sleap-io")
    with h5py.File(ours) as h5:
        assert "confidence" not in h5["processing/behavior/PoseEstimation_id_0/keypoint_0"]
    with h5py.File(theirs) as h5:
        module = h5["processing/SLEAP_VIDEO_000_unknown_video"]
        for track in ("track=id_0", "track=id_1"):
            for keypoint in ("keypoint_0", "keypoint_1"):
                confidence = module[track][keypoint]["confidence"]
                assert confidence.dtype == np.float64 and confidence.shape == (5,)
                assert np.isnan(confidence[()]).all()
                assert confidence.attrs["definition"] == "Point-wise confidence scores."
    back_ours, back_theirs = posebridge.load(ours), posebridge.load(theirs)
    xr.testing.assert_identical(back_theirs.confidence, back_ours.confidence)
    assert back_ours.confidence.dtype == np.float64
    assert np.isnan(back_ours.confidence.values).all()
    np.testing.assert_array_equal(back_theirs.position.values, ds.position.values)


def test_a_track_name_with_a_colon_gets_a_track_container_and_reads_back_exactly(tmp_path):
    """hdmf refuses ':' in a name (pynwb raised "name 'track=rat:1' cannot contain ..."):
    the container is track=rat_1, and the description's tag gives the name back."""
    ds = posebridge.from_numpy(np.ones((3, 2, 2, 2)), individual_names=["rat:1", "b"], fps=10)
    (path,) = nwb.write(ds, tmp_path / "s.nwb", layout="sleap-io")
    with h5py.File(path) as h5:
        assert sorted(h5["processing/SLEAP_VIDEO_000_unknown_video"]) == ["track=b", "track=rat_1"]
    assert posebridge.load(path).individual.values.tolist() == ["rat:1", "b"]


@pytest.mark.parametrize(("keypoint", "held"), [("ear:l", "':'"), ("ear/l", "'/'")])
def test_keypoints_sleap_io_could_not_find_are_refused_before_writing(tmp_path, keypoint, held):
    """sleap-io's reader finds a node's series by the node's name: a series renamed for NWB
    (ear_l for ear:l) would make the file unreadable to it."""
    ds = posebridge.from_numpy(np.ones((3, 2, 2, 1)), keypoint_names=["nose", keypoint], fps=10)
    target = tmp_path / "s.nwb"
    with pytest.raises(PoseBridgeError, match=f"{target}.*{keypoint!r}.*{held} cannot be"):
        nwb.write(ds, target, layout="sleap-io")
    assert list(tmp_path.iterdir()) == []


def test_sleap_io_layout_writes_times_at_a_rate_other_than_one_as_timestamps(tmp_path):
    """sleap-io's reader takes a series' times as arange(n) * rate + starting_time, right
    only for a rate of 1: at 30 fps the layout writes timestamps, read back as written."""
    ds = posebridge.from_numpy(np.arange(16.0).reshape(4, 2, 2, 1), fps=30)
    (path,) = nwb.write(ds, tmp_path / "thirty.nwb", layout="sleap-io")
    with h5py.File(path) as h5:
        module = next(k for k in h5["processing"] if k.startswith("SLEAP_VIDEO_"))
        series = h5[f"processing/{module}/track=id_0/keypoint_0"]
        assert "starting_time" not in series
        np.testing.assert_array_equal(series["timestamps"][:], np.arange(4) / 30)
    back = posebridge.load(path)
    assert back.attrs["fps"] == 30
    np.testing.assert_array_equal(back.time.values, ds.time.values)
    np.testing.assert_array_equal(back.position.values, ds.position.values)


def test_sleap_io_layout_keeps_a_rate_of_one(tmp_path):
    ds = posebridge.from_numpy(np.arange(16.0).reshape(4, 2, 2, 1))  # time in frames
    (path,) = nwb.write(ds, tmp_path / "frames.nwb", layout="sleap-io")
    with h5py.File(path) as h5:
        module = next(k for k in h5["processing"] if k.startswith("SLEAP_VIDEO_"))
        series = h5[f"processing/{module}/track=id_0/keypoint_0"]
        assert "timestamps" not in series
        assert series["starting_time"].attrs["rate"] == 1.0


def test_appending_another_rate_to_a_sleap_io_layout_video_is_refused(tmp_path):
    """sleap-io merges the times of a video's tracks: frames in frame numbers (rate 1) and
    a dataset at 30 fps would interleave; the append is refused and the file unchanged."""
    frames = posebridge.from_numpy(np.ones((6, 2, 2, 1)), individual_names=["a"])
    frames.attrs["video_path"] = "/data/arena.mp4"
    (path,) = nwb.write(frames, tmp_path / "arena.nwb", layout="sleap-io")
    before = path.read_bytes()
    seconds = posebridge.from_numpy(np.ones((6, 2, 2, 1)), individual_names=["b"], fps=30)
    seconds.attrs["video_path"] = "/data/arena.mp4"
    with pytest.raises(PoseBridgeError, match=r"sampled at 1 Hz .* at 30 Hz") as raised:
        posebridge.save(seconds, path, append=True)
    assert str(path) in str(raised.value)
    assert path.read_bytes() == before
    same_rate = posebridge.from_numpy(
        np.full((6, 2, 2, 1), 2.0),
        individual_names=["b"],
        keypoint_names=["keypoint_0", "keypoint_1"],
    ).assign_attrs(video_path="/data/arena.mp4")
    posebridge.save(same_rate, path, append=True)
    back = posebridge.load(path)
    assert [str(i) for i in back.individual.values] == ["a", "b"]
    assert back.sizes["time"] == 6


def test_frame_numbers_appended_to_a_sleap_io_layout_video_take_its_rate(tmp_path):
    """Frames of a dataset without fps are frames of the module's video: at 30 fps there,
    frame 3 is 0.1 s, beside the file's own frame 3 (not 3 s, past its end)."""
    seconds = posebridge.from_numpy(np.ones((6, 2, 2, 1)), individual_names=["a"], fps=30)
    seconds.attrs["video_path"] = "/data/arena.mp4"
    (path,) = nwb.write(seconds, tmp_path / "arena.nwb", layout="sleap-io")
    frames = posebridge.from_numpy(np.full((6, 2, 2, 1), 2.0), individual_names=["b"])
    frames.attrs["video_path"] = "/data/arena.mp4"
    posebridge.save(frames, path, append=True)
    back = posebridge.load(path)
    assert back.attrs["fps"] == 30
    assert back.sizes["time"] == 6  # one time axis: the frames met the file's frames
    np.testing.assert_array_equal(back.time.values, np.arange(6) / 30)
    np.testing.assert_array_equal(back.position.sel(individual="b").values, 2.0)


def test_posebridges_own_untracked_individual_keeps_its_name(tmp_path, recwarn):
    """posebridge tags its track=untracked_0 with the individual's name: it is untracked
    instances, not another tool's track, and is read back as untracked_0 unrenamed."""
    ds = posebridge.from_numpy(np.ones((3, 2, 2, 1)), individual_names=["untracked_0"])
    (path,) = nwb.write(ds, tmp_path / "lone.nwb", layout="sleap-io")
    assert posebridge.load(path).individual.values.tolist() == ["untracked_0"]
    assert not [w for w in recwarn if "renamed" in str(w.message)]


def _session_file(path, individual, value, start, layout, **kwargs):
    """A file of one session (started at ``start``) holding one individual's poses, all
    ``value``; and those poses read back (they carry the session's start)."""
    ds = posebridge.from_numpy(
        np.full((4, 2, 2, 1), value), individual_names=[individual], **kwargs
    )
    nwb.write(ds, path, session_start_time=start, layout=layout)
    return posebridge.load(path)


def _appended(tmp_path, layout, **kwargs):
    """Poses of a session started at 14:00 appended to a file of one started at 12:00,
    written in ``layout``: the file, and the text of the warnings about time."""
    target = tmp_path / f"{layout}.nwb"
    _session_file(target, "mA", 1.0, "2024-01-01T12:00:00+00:00", layout, **kwargs)
    other = _session_file(
        tmp_path / f"other_{layout}.nwb", "mB", 2.0, "2024-01-01T14:00:00+00:00", layout, **kwargs
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        posebridge.save(other, target, append=True)  # joins the file's layout
    said = [
        str(w.message).replace(str(target), "<file>")
        for w in caught
        if "count from" in str(w.message)
    ]
    return target, said


def test_poses_of_another_session_appended_in_sleap_io_layout_keep_their_moment(tmp_path):
    """The rule of posebridge's layout holds in sleap-io's: poses appended from a session
    started 2 h later are shifted by +7200 s, with the same warning, and both posebridge
    and sleap-io read them after the file's own (before, they were written at 0 s, on the
    file's frames, as if recorded at its start)."""
    sio = pytest.importorskip("sleap_io")
    from sleap_io.io.nwb_predictions import get_timestamps

    shift = 2 * 3600.0  # 14:00 - 12:00
    ours, said_ours = _appended(tmp_path, "posebridge", fps=30)
    theirs, said_theirs = _appended(tmp_path, "sleap-io", fps=30)
    with h5py.File(theirs) as h5:  # the append kept sleap-io's layout
        assert sorted(h5["processing/SLEAP_VIDEO_000_unknown_video"]) == ["track=mA", "track=mB"]
    assert len(said_theirs) == 1 and said_theirs == said_ours
    assert "shifted by +7200 s" in said_theirs[0]
    expected = shift + np.arange(4) / 30
    for path in (ours, theirs):
        back = posebridge.load(path)
        assert back.attrs["session_start_time"] == "2024-01-01T12:00:00+00:00"
        mb = back.sel(individual="mB").dropna("time", how="all")
        np.testing.assert_allclose(mb.time.values, expected, rtol=0, atol=1e-9)
        assert mb.frame.values.tolist() == [0, 1, 2, 3]
        np.testing.assert_array_equal(mb.position.values, 2.0)
    with pynwb.NWBHDF5IO(str(theirs), "r", load_namespaces=True) as io:
        module = next(
            m for name, m in io.read().processing.items() if name.startswith("SLEAP_VIDEO_")
        )
        times = get_timestamps(module["track=mB"]["keypoint_0"])
    np.testing.assert_allclose(times, expected, rtol=0, atol=1e-9)
    labels = sio.load_nwb(str(theirs))  # frames ranked by time: mA's 4, then mB's 4
    values = [[float(i.numpy()[0, 0]) for i in lf.instances] for lf in labels.labeled_frames]
    assert values == [[1.0]] * 4 + [[2.0]] * 4


def test_frame_numbers_of_another_session_appended_in_sleap_io_layout_are_kept(tmp_path):
    """Frame numbers cannot be moved by seconds: in both layouts they are written as they
    are, with the same warning; sleap-io reads the two animals on the same frames."""
    sio = pytest.importorskip("sleap_io")
    ours, said_ours = _appended(tmp_path, "posebridge")
    theirs, said_theirs = _appended(tmp_path, "sleap-io")
    assert len(said_theirs) == 1 and said_theirs == said_ours
    assert "frame numbers, which cannot be moved" in said_theirs[0]
    for path in (ours, theirs):
        mb = posebridge.load(path).sel(individual="mB").dropna("time", how="all")
        assert mb.time.values.tolist() == [0, 1, 2, 3]
    labels = sio.load_nwb(str(theirs))
    assert [len(lf.instances) for lf in labels.labeled_frames] == [2, 2, 2, 2]


def _write_and_read_with_sleap_io(path, keypoints, series):
    """Write poses of ``keypoints`` in sleap-io's layout with ``series`` metadata and
    read them with sleap_io.load_nwb; return the poses."""
    sio = pytest.importorskip("sleap_io")
    ds = posebridge.from_numpy(
        np.arange(8.0 * len(keypoints)).reshape(4, 2, len(keypoints), 1),
        keypoint_names=keypoints,
        fps=30,
    )
    nwb.write(ds, path, layout="sleap-io", metadata={"pose_estimation_series": series})
    labels = sio.load_nwb(str(path))
    assert labels.skeletons[0].node_names == keypoints
    points = np.stack([lf.instances[0].numpy() for lf in labels.labeled_frames])
    by_frame = ds.position.isel(individual=0).transpose("time", "keypoint", "space").values
    np.testing.assert_array_equal(points, by_frame)
    assert posebridge.load(path).keypoint.values.tolist() == keypoints
    return ds


def test_sleap_io_layout_writes_only_series_sleap_io_reads(tmp_path):
    """sleap-io's reader looks every Skeleton node up as a series name: metadata that names
    a keypoint's series otherwise is refused before writing (sleap_io.load_nwb raised
    KeyError on the file written before); what leaves the series named after their
    keypoints is written, and sleap-io reads it with the keypoints as nodes."""
    pytest.importorskip("sleap_io")
    target = tmp_path / "s.nwb"
    for keypoints, series, shown in (
        (["nose", "tail"], {"nose": {"name": "PoseEstimationSeriesNose"}}, "'nose' as"),
        (["nose"], {"name": "Snout"}, "'nose' as 'Snout'"),  # one keypoint: the name is its
    ):
        with pytest.raises(PoseBridgeError, match=f"{target}.*{shown}.*sleap_io.load_nwb"):
            _write_and_read_with_sleap_io(target, keypoints, series)
        assert list(tmp_path.iterdir()) == []
    for n, (keypoints, series) in enumerate(
        (
            (["nose", "tail"], {"nose": {"name": "nose", "description": "The tip."}}),
            (["nose", "tail"], {"name": "Snout"}),  # several keypoints: it names no series
        )
    ):
        _write_and_read_with_sleap_io(tmp_path / f"read_{n}.nwb", keypoints, series)


def test_an_append_in_sleap_io_layout_naming_a_series_otherwise_leaves_the_file(tmp_path):
    """The refusal holds for appends too (the file joins sleap-io's layout): the file is
    left byte-identical, and sleap-io still reads it."""
    sio = pytest.importorskip("sleap_io")
    ds = posebridge.from_numpy(np.ones((4, 2, 2, 1)), keypoint_names=["nose", "tail"], fps=30)
    (path,) = nwb.write(ds, tmp_path / "s.nwb", layout="sleap-io")
    before = path.read_bytes()
    other = ds.assign_coords(individual=["id_1"])
    metadata = {"pose_estimation_series": {"tail": {"name": "Tail"}}}
    with pytest.raises(PoseBridgeError, match=f"{path}.*'tail' as 'Tail'"):
        posebridge.save(other, path, append=True, metadata=metadata)
    assert path.read_bytes() == before
    assert len(sio.load_nwb(str(path)).labeled_frames) == 4


@pytest.mark.parametrize("layout", ["posebridge", "sleap-io"])
@pytest.mark.parametrize("lazy", [False, True], ids=["eager", "lazy"])
def test_after_an_append_of_another_session_every_animal_keeps_its_frames(tmp_path, layout, lazy):
    """The appended poses' times are shifted (+7200 s) and their frames kept by a marker of
    their own series: it applies to them only. Before, the reader applied it to the whole
    file, and the file's own animal read back frames -216000..-215997."""
    path, _ = _appended(tmp_path, layout, fps=30)
    back = posebridge.open_dataset(path) if lazy else posebridge.load(path)
    for individual in ("mA", "mB"):
        own = back.sel(individual=individual).dropna("time", how="all")
        assert own.frame.values.tolist() == list(range(4)), individual
    assert back.attrs["fps"] == 30


def _append_warnings(target, ds) -> list[str]:
    """The warnings of appending ``ds`` to ``target`` about sleap-io's frame numbers."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        posebridge.save(ds, target, append=True)
    return [str(w.message) for w in caught if "rank of their times" in str(w.message)]


def test_tracks_joining_a_video_module_warn_when_sleap_io_will_renumber_their_frames(tmp_path):
    """sleap-io ranks the times of all a video module's tracks: poses of a session 2 h
    later, frames 0..3, joining a module of frames 0..3 are read by it as frames 4..7.
    The warning was given only for a new module; tracks on the module's own frames
    (same session) are ranked as they are numbered, and get none."""
    sio = pytest.importorskip("sleap_io")
    target = tmp_path / "file.nwb"
    start = "2024-01-01T12:00:00+00:00"
    _session_file(target, "mA", 1.0, start, "sleap-io", fps=30)
    same = _session_file(tmp_path / "same.nwb", "mB", 2.0, start, "sleap-io", fps=30)
    later = _session_file(
        tmp_path / "later.nwb", "mC", 3.0, "2024-01-01T14:00:00+00:00", "sleap-io", fps=30
    )
    assert _append_warnings(target, same) == []
    said = _append_warnings(target, later)
    assert len(said) == 1 and str(target) in said[0]
    assert "frames (0, 1, 2, 3)" in said[0] and "4 frames of the video's tracks" in said[0]
    with h5py.File(target) as h5:  # all three joined the file's one video module
        assert sorted(h5["processing/SLEAP_VIDEO_000_unknown_video"]) == [
            "track=mA",
            "track=mB",
            "track=mC",
        ]
    frames_of_mc = [
        lf.frame_idx
        for lf in sio.load_nwb(str(target)).labeled_frames
        for instance in lf.instances
        if float(instance.numpy()[0, 0]) == 3.0
    ]
    assert frames_of_mc == [4, 5, 6, 7]  # what the warning said: not 0..3


def test_a_video_of_another_session_appended_in_sleap_io_layout_warns_of_sleap_io_numbering(
    tmp_path,
):
    """Poses of a session 10 s later, of their own video, are moved to the file's clock
    (10.0 s, ...): sleap-io's reader then numbers that video's frames 1, 2, 3 (its rank
    includes an uninitialised 0.0), and no warning said so."""
    sio = pytest.importorskip("sleap_io")

    def poses(video: str, start: str, name: str) -> xr.Dataset:
        ds = posebridge.from_numpy(np.ones((3, 2, 2, 1)), individual_names=[name],
                                   keypoint_names=["head", "tail"], fps=30)  # fmt: skip
        return ds.assign_attrs(session_start_time=start, video_path=video)

    target = tmp_path / "f.nwb"
    posebridge.save(poses("a.mp4", "2024-01-01T12:00:00+00:00", "t0"), target, layout="sleap-io")
    with pytest.warns(UserWarning, match=r"renumber these frames \(0, 1, 2\).*from 0 s"):
        posebridge.save(poses("b.mp4", "2024-01-01T12:00:10+00:00", "t1"), target,
                        layout="sleap-io", append=True)  # fmt: skip

    read = sio.load_nwb(str(target))
    frames = {Path(lf.video.filename).name: [] for lf in read.labeled_frames}
    for lf in read.labeled_frames:
        frames[Path(lf.video.filename).name].append(lf.frame_idx)
    assert frames["a.mp4"] == [0, 1, 2]
    assert frames["b.mp4"] != [0, 1, 2]  # what the warning foretold
    each = nwb.read_all_videos(target)  # two videos: one dataset each
    assert [d.attrs["video_path"] for d in each] == ["a.mp4", "b.mp4"]
    assert [d["frame"].values.tolist() for d in each] == [[0, 1, 2], [0, 1, 2]]


def test_a_track_of_later_frames_appended_in_sleap_io_layout_shares_the_files_frame_times(
    tmp_path,
):
    """Frames 5..9 appended to a track of frames 0..9 were written as 5/30 + k/30, not
    (5 + k)/30: sleap-io's reader, merging a video's times, saw 11 frames and read both
    tracks from frame 6 on one frame late (no warning said so)."""
    sio = pytest.importorskip("sleap_io")
    a = posebridge.from_numpy(np.full((10, 2, 1, 1), 1.0), individual_names=["a"], fps=30)
    b = posebridge.from_numpy(np.full((10, 2, 1, 1), 2.0), individual_names=["b"], fps=30)
    target = tmp_path / "f.nwb"
    nwb.write(a, target, layout="sleap-io", session_start_time="2024-01-01T12:00:00+00:00")
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)  # nothing to warn of: frames line up
        posebridge.save(b.isel(time=slice(5, 10)), target, append=True)

    read = sio.load_nwb(str(target))
    frames: dict[float, list[int]] = {1.0: [], 2.0: []}  # a's points are 1, b's 2
    for frame in read.labeled_frames:
        for instance in frame.instances:
            frames[float(instance.numpy()[0, 0])].append(frame.frame_idx)
    assert frames == {1.0: list(range(10)), 2.0: list(range(5, 10))}


def _three_d_mouse(individual="mouse", n_time=3):
    position = np.random.default_rng(5).normal(size=(n_time, 3, 2, 1))
    return posebridge.from_numpy(
        position,
        np.ones((n_time, 2, 1)),
        keypoint_names=["head", "tail"],
        individual_names=[individual],
        fps=30,
    )


def test_the_sleap_io_layout_refuses_3d_poses_before_writing(tmp_path):
    """sleap_io.load_nwb reads (x, y) only: before, 3-D series were written and sleap-io
    failed on the file (shape mismatch); now refused, as camera views are, nothing written."""
    ds = _three_d_mouse()
    for write in (
        lambda path: posebridge.save(ds, path, layout="sleap-io"),
        lambda path: nwb.write_sleap_io([ds], path),
    ):
        path = tmp_path / "s.nwb"
        with pytest.raises(SchemaError, match="cannot hold 3-D poses") as raised:
            write(path)
        message = str(raised.value)
        assert str(path) in message and "2-D" in message and "layout='posebridge'" in message
        assert list(tmp_path.iterdir()) == []
    (kept,) = posebridge.save(ds, tmp_path / "ours.nwb")  # posebridge's layout holds them
    np.testing.assert_array_equal(posebridge.load(kept).position.values, ds.position.values)


def test_3d_poses_appended_to_a_sleap_io_file_are_refused_and_it_still_opens_in_sleap_io(
    tmp_path,
):
    """An append joins a sleap-io file's layout by default: before, 3-D poses were added
    and sleap_io.load_nwb could no longer read the file at all."""
    sio = pytest.importorskip("sleap_io")
    from _sleap_io_labels import labels_of

    track = sio.Track("m1")
    path = tmp_path / "sio.nwb"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sio.save_nwb(labels_of({frame: [track] for frame in range(3)}), str(path))
    before = path.read_bytes()
    ds = _three_d_mouse("m2")
    for append in (
        lambda: posebridge.save(ds, path, append=True),  # joins sleap-io's layout
        lambda: posebridge.save(ds, path, append=True, layout="sleap-io"),
        lambda: nwb.write_sleap_io([ds], path, append=True),
    ):
        with pytest.raises(SchemaError, match="cannot hold 3-D poses") as raised:
            append()
        assert str(path) in str(raised.value) and "to a new file" in str(raised.value)
        assert path.read_bytes() == before
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = sio.load_nwb(str(path))
    assert [len(lf.instances) for lf in theirs.labeled_frames] == [1, 1, 1]


def test_3d_poses_added_in_the_sleap_io_layout_to_an_in_memory_nwbfile_are_refused():
    import datetime as dt

    nwbfile = pynwb.NWBFile(
        session_description="s", identifier="i", session_start_time=dt.datetime.now(dt.UTC)
    )
    with pytest.raises(SchemaError, match="in-memory NWBFile: layout='sleap-io' cannot hold"):
        nwb.write_sleap_io([_three_d_mouse()], Path("."), nwbfile=nwbfile)
    assert dict(nwbfile.processing) == {}


def _two_videos_in_sleap_io_layout(path: Path) -> list[xr.Dataset]:
    """A file of sleap-io's layout with two videos (two modules, cameras camera_0 and
    camera_1), one track each; returns the datasets written, one per video."""
    written = []
    for k, video in enumerate(["/data/session0.mp4", "/data/session1.mp4"]):
        ds = posebridge.from_numpy(
            np.arange(12.0).reshape(3, 2, 2, 1) + 100 * k,
            individual_names=["mouse"],
            keypoint_names=["head", "tail"],
        ).assign_attrs(video_path=video)
        posebridge.save(ds, path, layout="sleap-io", append=k > 0)
        written.append(ds)
    return written


def test_several_videos_of_sleap_io_layout_are_not_read_as_camera_views(tmp_path):
    """A file of two videos in sleap-io's layout was read as two camera views of one
    recording (one per video's camera Device), frames of both videos side by side, and
    neither video's path kept. Now, as for an .slp file of several videos, the reader
    refuses, listing the videos, and reads one when asked, with its video's path."""
    path = tmp_path / "two.nwb"
    written = _two_videos_in_sleap_io_layout(path)
    for read in (posebridge.load, posebridge.open_dataset):
        with pytest.raises(PoseBridgeError) as raised:
            read(path)
        message = str(raised.value)
        assert message.startswith(str(path))
        assert "SLEAP_VIDEO_000_session0: /data/session0.mp4" in message
        assert "SLEAP_VIDEO_001_session1: /data/session1.mp4" in message
        assert "processing_module_key=" in message and "read_all_videos" in message
        # combine='views' makes each PoseEstimation (one per track here) a view: not advised
        assert "combine='views'" not in message and "stack_views" in message
    for module, ds in zip(
        ["SLEAP_VIDEO_000_session0", "SLEAP_VIDEO_001_session1"], written, strict=True
    ):
        one = posebridge.load(path, processing_module_key=module)
        assert "view" not in one.dims
        assert one.attrs["video_path"] == ds.attrs["video_path"]
        np.testing.assert_array_equal(one.position.values, ds.position.values)
    each = nwb.read_all_videos(path)
    assert [d.attrs["video_path"] for d in each] == ["/data/session0.mp4", "/data/session1.mp4"]
    for ours, ds in zip(each, written, strict=True):
        np.testing.assert_array_equal(ours.position.values, ds.position.values)
    views = stack_views(each, ["cam0", "cam1"])  # the advice, when they are cameras
    assert views.sizes["view"] == 2
    assert views.individual.values.tolist() == each[0].individual.values.tolist()


def test_videos_read_as_camera_views_on_request_warn_that_their_paths_are_not_kept(tmp_path):
    """combine='views' reads the two videos as views, as the user asks; a dataset holds one
    video_path, and the two paths were dropped without a word."""
    path = tmp_path / "two.nwb"
    _two_videos_in_sleap_io_layout(path)
    with pytest.warns(UserWarning, match=r"name 2 videos \(.*session0\.mp4.*session1\.mp4\)"):
        views = posebridge.load(path, combine="views")
    assert views.sizes["view"] == 2
    assert "video_path" not in views.attrs


def test_a_skeleton_name_with_a_slash_names_the_file_and_where_it_came_from(tmp_path):
    """layout='sleap-io' with skeleton_name 'mouse/v2' failed with hdmf's message, naming
    neither the file nor the attribute (h126 item 2): the dataset's name is now written
    as NWB can take it, with a warning, and a name the caller gives is refused."""
    ds = posebridge.from_numpy(np.ones((3, 2, 2, 1)), individual_names=["a"], fps=30)
    path = tmp_path / "s.nwb"
    with pytest.warns(UserWarning, match="skeleton_name 'mouse/v2'") as caught:
        posebridge.save(
            ds.assign_attrs(skeleton_name="mouse/v2"),
            path,
            split_individuals=False,
            layout="sleap-io",
        )
    said = next(str(w.message) for w in caught if "skeleton_name" in str(w.message))
    assert said.startswith(f"{path}: ") and "'mouse_v2'" in said
    assert posebridge.load(path).attrs["skeleton_name"] == "mouse_v2"
    other = tmp_path / "given.nwb"
    with pytest.raises(PoseBridgeError) as raised:
        nwb.write_sleap_io([ds], other, skeleton_name="mouse:v2")
    assert str(raised.value).startswith(f"{other}: ")
    assert "'mouse:v2'" in str(raised.value) and "skeleton_name" in str(raised.value)
    assert not other.exists()


@pytest.mark.parametrize("videos", [2, 3])
def test_sleap_io_renumbering_is_warned_about_once_per_save_not_per_video(tmp_path, videos):
    """f129 item 2 (f120's "not fixed"): with several videos on the same frames, the
    "sleap_io.load_nwb numbers a video's frames by the rank of their times" warning came
    once per video with the same text; now once per save, and still raised when a
    caller's filter makes it an error (nothing written)."""
    sio = pytest.importorskip("sleap_io")

    def poses(v: int) -> xr.Dataset:
        ds = posebridge.from_numpy(np.ones((3, 2, 2, 1)) + v, individual_names=["t"], fps=10)
        ds = ds.assign_coords(frame=("time", [0, 2, 5]), time=[0.0, 0.2, 0.5])
        return ds.assign_attrs(video_path=f"v{v}.mp4")

    datasets = [poses(v) for v in range(videos)]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        nwb.write_sleap_io(datasets, tmp_path / "s.nwb")
    said = [str(w.message) for w in caught if "rank of their times" in str(w.message)]
    assert len(said) == 1 and "renumber these frames (0, 2, 5)" in said[0]
    assert len(sio.load_nwb(str(tmp_path / "s.nwb")).videos) == videos
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*rank of their times")
        with pytest.raises(UserWarning, match="rank of their times"):
            nwb.write_sleap_io(datasets, tmp_path / "refused.nwb")
    assert not (tmp_path / "refused.nwb").exists()
