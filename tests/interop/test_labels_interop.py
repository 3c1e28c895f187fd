"""Labels interop: the owning tools open what posebridge writes, and we read theirs."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import posebridge
from _corpus import corpus_path
from posebridge.model import labels

sio = pytest.importorskip("sleap_io")
pytestmark = pytest.mark.interop


def quiet_load(path, **options):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return posebridge.load(path, **options)


@pytest.fixture
def video_labels():
    """Labelled frames of two (absent) videos, tracked and untracked animals."""
    rng = np.random.default_rng(11)
    position = rng.uniform(0, 400, (4, 2, 3, 2))
    position[1, :, 2, 0] = np.nan
    position[3, :, :, 1] = np.nan
    return labels.from_numpy(
        position,
        video=["/data/a.mp4", "/data/a.mp4", "/data/b.mp4", "/data/b.mp4"],
        frame=[5, 900, 5, 17],
        individual_names=["queen", "untracked_0"],
        keypoint_names=["head", "thorax", "abdomen"],
    )


def user_points(labels_obj) -> dict[tuple[str, int], list[np.ndarray]]:
    """sleap-io's user instances by (video file, frame index), in instance order."""
    out: dict[tuple[str, int], list[np.ndarray]] = {}
    for lf in labels_obj.labeled_frames:
        key = (str(lf.video.filename), lf.frame_idx)
        out[key] = [inst.numpy() for inst in lf.user_instances]
    return out


def ours_by_frame(ds) -> dict[tuple[str, int], list[np.ndarray]]:
    out = {}
    position = ds.position.transpose("time", "individual", "keypoint", "space").values
    for row in range(ds.sizes["time"]):
        present = np.isfinite(position[row]).any(axis=(1, 2))
        key = (str(ds.video.values[row]), int(ds.frame.values[row]))
        out[key] = [position[row, i] for i in np.flatnonzero(present)]
    return out


def test_sleap_io_opens_our_slp_labels(video_labels, tmp_path):
    posebridge.save(video_labels, tmp_path / "labels.slp")
    theirs = sio.load_slp(str(tmp_path / "labels.slp"), open_videos=False)
    assert [str(v.filename) for v in theirs.videos] == ["/data/a.mp4", "/data/b.mp4"]
    assert [t.name for t in theirs.tracks] == ["queen"]
    assert len(theirs.labeled_frames) == 4
    got, expected = user_points(theirs), ours_by_frame(video_labels)
    assert got.keys() == expected.keys()
    for key, instances in expected.items():
        np.testing.assert_array_equal(np.array(got[key]), np.array(instances))


def test_sleap_io_opens_our_slp_image_labels(tmp_path):
    ds = quiet_load(corpus_path("dlc_multi/CollectedData_dlc_team.h5"))
    posebridge.save(ds, tmp_path / "team.slp")
    theirs = sio.load_slp(str(tmp_path / "team.slp"), open_videos=False)
    assert [str(f) for f in theirs.videos[0].filename] == ds.image_path.values.tolist()
    frame = theirs.labeled_frames[0]
    points = {inst.track.name: inst.numpy() for inst in frame.user_instances}
    for name, xy in points.items():
        expected = ds.position.isel(time=0).sel(individual=name).transpose("keypoint", "space")
        np.testing.assert_array_equal(xy, expected.values)


def test_sleap_io_opens_our_pose_training(video_labels, tmp_path):
    posebridge.save(video_labels, tmp_path / "labels.nwb")
    theirs = sio.load_nwb(str(tmp_path / "labels.nwb"))
    assert len(theirs.labeled_frames) == 4
    expected = list(ours_by_frame(video_labels).values())
    for lf, instances in zip(theirs.labeled_frames, expected, strict=True):
        np.testing.assert_array_equal(np.array([i.numpy() for i in lf.instances]), instances)
    assert [lf.frame_idx for lf in theirs.labeled_frames] == [5, 900, 5, 17]


def test_we_read_sleap_io_pose_training_like_sleap_io(video_labels, tmp_path):
    import imageio.v2 as iio

    # sleap-io writes annotations only of videos it can open: make them
    renamed = []
    for name in ("a", "b"):
        path = tmp_path / f"{name}.avi"
        writer = iio.get_writer(path, format="FFMPEG", codec="mjpeg", fps=10, macro_block_size=1)
        for _ in range(901):
            writer.append_data(np.zeros((8, 8, 3), np.uint8))
        writer.close()
        renamed.append(str(path))
    videos = [renamed[0] if v.endswith("a.mp4") else renamed[1] for v in video_labels.video.values]
    posebridge.save(video_labels.assign_coords(video=("time", videos)), tmp_path / "labels.slp")
    theirs = sio.load_slp(str(tmp_path / "labels.slp"))
    sio.save_nwb(theirs, str(tmp_path / "sio.nwb"), nwb_format="annotations")
    ds = quiet_load(tmp_path / "sio.nwb")
    assert labels.is_labels(ds)
    back = sio.load_nwb(str(tmp_path / "sio.nwb"))
    assert ds.sizes["time"] == len(back.labeled_frames)
    for row, lf in enumerate(back.labeled_frames):
        assert int(ds.frame.values[row]) == lf.frame_idx
        for rank, inst in enumerate(lf.instances):  # sleap-io names instances by rank
            np.testing.assert_array_equal(
                ds.position.isel(time=row).sel(individual=f"untracked_{rank}").values.T,
                inst.numpy(),
            )


def test_we_read_sleap_io_image_sequence_annotations_it_cannot_read_back(tmp_path):
    skeleton = sio.Skeleton(["a", "b"])
    images = [str(tmp_path / f"img{k:03d}.png") for k in (4, 9)]
    import imageio.v2 as iio

    for path in images:
        iio.imwrite(path, np.zeros((8, 8, 3), np.uint8))
    video = sio.Video.from_filename(images)
    points = np.array([[1.0, 2.0], [3.0, 4.0]])
    frame = sio.LabeledFrame(
        video=video, frame_idx=1, instances=[sio.Instance.from_numpy(points, skeleton=skeleton)]
    )
    sio.save_nwb(sio.Labels([frame]), str(tmp_path / "images.nwb"))
    with pytest.raises(ValueError, match="Unknown video file type"):  # sleap-io's own bug
        sio.load_nwb(str(tmp_path / "images.nwb"))
    ds = quiet_load(tmp_path / "images.nwb")
    assert ds.image_path.values.tolist() == [images[1]]
    assert ds.frame.values.tolist() == [9]
    np.testing.assert_array_equal(ds.position.isel(time=0, individual=0).values.T, points)


def test_pandas_reads_our_collected_data(video_labels, tmp_path):
    posebridge.save(video_labels, tmp_path / "CollectedData_me.h5")
    df = pd.read_hdf(tmp_path / "CollectedData_me.h5")
    assert df.index.tolist() == [
        ("labeled-data", "a", "img005.png"),
        ("labeled-data", "a", "img900.png"),
        ("labeled-data", "b", "img05.png"),
        ("labeled-data", "b", "img17.png"),
    ]
    queen = df.xs("queen", level="individuals", axis=1)
    np.testing.assert_array_equal(
        queen.to_numpy().reshape(4, 3, 2),
        video_labels.position.sel(individual="queen").transpose("time", "keypoint", "space"),
    )


def test_nwbinspector_finds_nothing_critical(tmp_path):
    nwbinspector = pytest.importorskip("nwbinspector")
    folder = tmp_path / "labeled-data" / "v"
    folder.mkdir(parents=True)
    for k in (1, 2):
        (folder / f"img{k}.png").write_bytes(b"")  # the external files exist
    ds = labels.from_numpy(
        np.ones((2, 2, 2, 1)),
        image_path=["labeled-data/v/img1.png", "labeled-data/v/img2.png"],
        individual_names=["mouse"],
    )
    posebridge.save(ds, tmp_path / "labels.nwb", subject_id="mouse", species="Mus musculus",
                    sex="F", age="P90D")  # fmt: skip
    messages = list(nwbinspector.inspect_nwbfile(nwbfile_path=str(tmp_path / "labels.nwb")))
    critical = [m for m in messages if m.importance.name == "CRITICAL"]
    assert critical == [], [m.message for m in critical]
