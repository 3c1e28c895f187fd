"""NWB ndx-pose PoseTraining as labels: layout, dtypes, paths, reading sleap-io's names."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import warnings

import h5py
import numpy as np
import pytest
import xarray as xr

import posebridge
from posebridge.errors import FormatError, PoseBridgeError, SchemaError
from posebridge.formats import nwb
from posebridge.model import labels

TRAINING = "processing/behavior/PoseTraining"


@pytest.fixture
def mixed_videos() -> xr.Dataset:
    """3 labelled frames: 2 of a (missing) video file, 1 image; 2 individuals, 3 keypoints."""
    position = np.random.default_rng(8).uniform(0, 300, (3, 2, 3, 2))
    position[1, :, :, 1] = np.nan  # 'm2' not labelled in the second frame
    position[2, :, 0, 0] = np.nan
    ds = labels.from_numpy(
        position,
        video=["videos/cam1.mp4", "videos/cam1.mp4", ""],
        frame=[100, 7, 0],
        image_path=["", "", "labeled-data/cam2/img0042.png"],
        individual_names=["m1", "m2"],
        keypoint_names=["nose", "ear", "tail"],
    )
    ds["skeleton_edges"] = (("edge", "edge_node"), [["nose", "ear"], ["ear", "tail"]])
    return ds.assign_attrs(scorer="alice")


def test_layout_and_dtypes(mixed_videos, tmp_path):
    path = tmp_path / "labels.nwb"
    assert nwb.write(mixed_videos, path) == [path]  # one file, whatever the individuals
    with h5py.File(path) as h5:
        skeleton = h5["processing/behavior/Skeletons/skeleton"]
        assert skeleton["nodes"].asstr()[()].tolist() == ["nose", "ear", "tail"]
        assert skeleton["edges"][()].tolist() == [[0, 1], [1, 2]]
        videos = h5[f"{TRAINING}/source_videos"]
        assert videos["video_0"]["external_file"].asstr()[()].tolist() == ["videos/cam1.mp4"]
        assert videos["video_1"]["external_file"].asstr()[()].tolist() == [
            "labeled-data/cam2/img0042.png"
        ]
        assert videos["video_0"]["format"].asstr()[()] == "external"
        frames = h5[f"{TRAINING}/training_frames"]
        assert sorted(frames) == ["frame_0", "frame_1", "frame_2"]
        index = [frames[f"frame_{k}"].attrs["source_video_frame_index"] for k in range(3)]
        assert [int(i) for i in index] == [100, 7, 0]
        assert all(i.dtype == np.uint32 for i in index)
        assert frames["frame_0"].attrs["annotator"] == "alice"
        assert h5[f"{TRAINING}/training_frames/frame_1/source_video"] == videos["video_0"]
        instances = frames["frame_1/skeleton_instances"]
        assert list(instances) == ["m1"]  # m2 has no point there
        m1 = frames["frame_0/skeleton_instances/m1"]
        assert m1.attrs["id"] == 0 and m1.attrs["id"].dtype == np.uint16
        np.testing.assert_array_equal(
            m1["node_locations"][()], mixed_videos.position.isel(time=0, individual=0).values.T
        )
        assert m1["node_visibility"][()].tolist() == [True, True, True]
        visibility = frames["frame_2/skeleton_instances/m1/node_visibility"][()]
        assert visibility.tolist() == [False, True, True]


def test_labels_read_back_identical(mixed_videos, tmp_path):
    nwb.write(mixed_videos, tmp_path / "labels.nwb")
    back = posebridge.load(tmp_path / "labels.nwb")
    assert labels.is_labels(back) and back.attrs["source_software"] == "NWB"
    back.attrs.pop("source_file")
    original = mixed_videos.assign_attrs(source_software="NWB")
    xr.testing.assert_identical(back.drop_vars("confidence"), original.drop_vars("confidence"))


def test_absolute_paths_are_stored_relative_and_read_back_absolute(tmp_path):
    video = str(tmp_path / "media" / "session.mp4")  # need not exist
    ds = labels.from_numpy(np.ones((1, 2, 1, 1)), video=[video], frame=[3])
    (tmp_path / "out").mkdir()
    nwb.write(ds, tmp_path / "out" / "labels.nwb")
    with h5py.File(tmp_path / "out" / "labels.nwb") as h5:
        stored = h5[f"{TRAINING}/source_videos/video_0/external_file"].asstr()[0]
    assert stored == os.path.join("..", "media", "session.mp4")
    assert posebridge.load(tmp_path / "out" / "labels.nwb").video.values.tolist() == [video]


def test_large_frame_numbers_and_many_individuals_keep_their_values(tmp_path):
    n = 300  # more individuals than uint8 ids hold
    position = np.ones((1, 2, 1, n))
    ds = labels.from_numpy(position, video=["v.mp4"], frame=[2**32 + 5])
    nwb.write(ds, tmp_path / "big.nwb")
    with h5py.File(tmp_path / "big.nwb") as h5:
        frame = h5[f"{TRAINING}/training_frames/frame_0"]
        assert frame.attrs["source_video_frame_index"].dtype == np.uint64
        ids = [int(i.attrs["id"]) for i in frame["skeleton_instances"].values()]
    assert sorted(ids) == list(range(n))
    back = posebridge.load(tmp_path / "big.nwb")
    assert back.frame.values.tolist() == [2**32 + 5]
    assert back.individual.values.tolist() == ds.individual.values.tolist()


def test_labelled_frames_without_any_point_keep_their_frames_and_keypoints(tmp_path):
    # PoseTraining holds an individual only as an instance with points, so none come back;
    # the frames and the skeleton's keypoints do
    position = np.full((3, 2, 2, 2), np.nan)
    ds = labels.from_numpy(
        position, video=["v.mp4"] * 3, frame=[0, 5, 9], keypoint_names=["nose", "tail"]
    )
    path = tmp_path / "empty.nwb"
    posebridge.save(ds, path)
    back = posebridge.load(path)
    assert labels.is_labels(back)
    assert back.frame.values.tolist() == [0, 5, 9]
    assert back.keypoint.values.tolist() == ["nose", "tail"]
    assert back.sizes["individual"] == 0


def test_points_marked_not_visible_read_as_nan_with_their_flag(tmp_path):
    position = np.array([[[[1.0], [2.0]], [[3.0], [4.0]]]])
    ds = labels.from_numpy(position, video=["v"], frame=[0], visible=np.array([[[0.0], [2.0]]]))
    nwb.write(ds, tmp_path / "hidden.nwb")  # node_visibility False, stale coordinates
    back = posebridge.load(tmp_path / "hidden.nwb")
    expected = position.copy()
    expected[:, :, 0] = np.nan  # NaN = no point
    np.testing.assert_array_equal(back.position.values, expected)
    np.testing.assert_array_equal(back.visible.values, [[[0.0], [2.0]]])


def _sleap_io_style(path, names=("instance_0", "instance_1")):
    """A PoseTraining laid out as sleap-io writes it (names by rank, uint8 ids)."""
    import datetime as dt

    import pynwb
    from ndx_pose import (
        PoseTraining,
        Skeleton,
        SkeletonInstance,
        SkeletonInstances,
        Skeletons,
        SourceVideos,
        TrainingFrame,
        TrainingFrames,
    )
    from pynwb.image import ImageSeries

    nwbfile = pynwb.NWBFile("s", "id", dt.datetime(2024, 1, 1, tzinfo=dt.UTC))
    module = nwbfile.create_processing_module("behavior", "b")
    skeleton = Skeleton(name="skeleton_0", nodes=["a", "b"], edges=np.array([[0, 1]], "uint8"))
    module.add(Skeletons(skeletons=[skeleton]))
    video = ImageSeries(
        name="video_0",
        external_file=["/tmp/x.mp4"],
        starting_frame=[0],
        format="external",
        rate=30.0,
        num_samples=10,
    )
    instances = [
        SkeletonInstance(
            name=name,
            id=np.uint8(k),
            node_locations=np.array([[k, 1.0], [2.0, np.nan]]),
            node_visibility=np.array([True, False]),
            skeleton=skeleton,
        )
        for k, name in enumerate(names)
    ]
    frame = TrainingFrame(
        name="frame_0",
        skeleton_instances=SkeletonInstances(skeleton_instances=instances),
        source_video=video,
        source_video_frame_index=np.uint32(4),
    )
    module.add(
        PoseTraining(
            training_frames=TrainingFrames(training_frames=[frame]),
            source_videos=SourceVideos(image_series=[video]),
        )
    )
    with pynwb.NWBHDF5IO(str(path), "w") as io:
        io.write(nwbfile)


def test_sleap_io_instance_names_become_untracked_individuals(tmp_path):
    _sleap_io_style(tmp_path / "sio.nwb")
    ds = posebridge.load(tmp_path / "sio.nwb")
    assert ds.individual.values.tolist() == ["untracked_0", "untracked_1"]
    assert ds.video.values.tolist() == ["/tmp/x.mp4"] and ds.frame.values.tolist() == [4]
    assert ds.attrs["fps"] == 30.0
    # the second node, (2, NaN) with node_visibility False, is no point: NaN, flag 0
    np.testing.assert_array_equal(
        ds.position.isel(time=0, individual=1).values, [[1, np.nan], [1, np.nan]]
    )
    assert ds.visible.isel(time=0, individual=1).values.tolist() == [2, 0]


def test_content_option_chooses_what_to_read(tmp_path):
    ds = labels.from_numpy(np.ones((2, 2, 1, 1)), video=["v.mp4"] * 2, frame=[0, 1])
    nwb.write(ds, tmp_path / "l.nwb")
    with pytest.raises(FormatError, match="content='labels'"):
        posebridge.load(tmp_path / "l.nwb", content="predictions")
    assert labels.is_labels(posebridge.load(tmp_path / "l.nwb", content="labels"))
    with pytest.raises(PoseBridgeError, match="content must be one of"):
        posebridge.load(tmp_path / "l.nwb", content="both")


def test_a_file_with_both_reads_poses_by_default_and_labels_on_request(tmp_path):
    poses = posebridge.from_numpy(np.ones((4, 2, 1, 1)), fps=30.0)
    nwb.write(poses, tmp_path / "both.nwb")
    ds = labels.from_numpy(np.full((1, 2, 1, 1), 2.0), video=["v.mp4"], frame=[3])
    nwb.write(ds, tmp_path / "both.nwb", append=True)
    assert not labels.is_labels(posebridge.load(tmp_path / "both.nwb"))
    back = posebridge.load(tmp_path / "both.nwb", content="labels")
    np.testing.assert_array_equal(back.position.values, ds.position.values)
    from posebridge.io import nwb as sleap_names

    assert labels.is_labels(
        sleap_names.load_nwb(tmp_path / "both.nwb", return_type="dataset")
    )  # as sleap-io


def test_failed_append_leaves_the_file_unchanged(tmp_path):
    ds = labels.from_numpy(np.ones((1, 2, 1, 1)), video=["v.mp4"], frame=[0])
    nwb.write(ds, tmp_path / "l.nwb")
    before = (tmp_path / "l.nwb").read_bytes()
    with pytest.raises(PoseBridgeError, match="already holds a PoseTraining") as error:
        nwb.write(ds, tmp_path / "l.nwb", append=True)
    assert str(tmp_path / "l.nwb") in str(error.value)  # the file is named
    assert (tmp_path / "l.nwb").read_bytes() == before


def test_several_skeletons_need_a_choice(tmp_path):
    _sleap_io_style(tmp_path / "sio.nwb")
    with h5py.File(tmp_path / "sio.nwb", "r+") as h5:  # a second skeleton for instance_1
        skeletons = h5["processing/behavior/Skeletons"]
        h5.copy(skeletons["skeleton_0"], skeletons, name="other")
        instance = h5[f"{TRAINING}/training_frames/frame_0/skeleton_instances/instance_1"]
        del instance["skeleton_0"]
        instance["other"] = h5py.SoftLink("/processing/behavior/Skeletons/other")
    with pytest.raises(FormatError, match="skeleton=<name>"):
        posebridge.load(tmp_path / "sio.nwb")
    ds = posebridge.load(tmp_path / "sio.nwb", skeleton="other")
    assert ds.individual.values.tolist() == ["untracked_1"]


def test_a_training_frame_outside_its_image_list_is_an_error(mixed_videos, tmp_path):
    nwb.write(mixed_videos, tmp_path / "l.nwb")
    with h5py.File(tmp_path / "l.nwb", "r+") as h5:
        h5[f"{TRAINING}/training_frames/frame_2"].attrs["source_video_frame_index"] = 5
    with pytest.raises(FormatError, match="does not hold"):
        posebridge.load(tmp_path / "l.nwb")


def test_a_scalar_starting_frame_is_read_as_one_number(mixed_videos, tmp_path):
    """Found by fuzzing: starting_frame stored as a scalar (not [0]) raised a numpy
    ValueError from searchsorted."""
    nwb.write(mixed_videos, tmp_path / "l.nwb")
    as_written = posebridge.load(tmp_path / "l.nwb")
    with h5py.File(tmp_path / "l.nwb", "r+") as h5:
        external = h5[f"{TRAINING}/source_videos/video_0/external_file"]
        assert external.attrs["starting_frame"].tolist() == [0]
        external.attrs["starting_frame"] = 0
    xr.testing.assert_identical(posebridge.load(tmp_path / "l.nwb"), as_written)


@pytest.mark.parametrize(
    ("value", "message"), [(b"x", "not whole numbers"), ([2, 0, 5], "does not increase")]
)
def test_a_bad_starting_frame_is_refused_naming_it(mixed_videos, tmp_path, value, message):
    ds = mixed_videos.assign_coords(
        image_path=("time", ["a/img0.png", "a/img1.png", "a/img2.png"]),
        video=("time", ["", "", ""]),
        frame=("time", [0, 0, 0]),
    )
    nwb.write(ds, tmp_path / "l.nwb")
    with h5py.File(tmp_path / "l.nwb", "r+") as h5:
        external = h5[f"{TRAINING}/source_videos/video_0/external_file"]
        external.attrs["starting_frame"] = value
    with pytest.raises(FormatError, match=f"video_0/external_file: starting_frame.*{message}"):
        posebridge.load(tmp_path / "l.nwb")


def test_pynwb_reads_the_file_in_a_fresh_process(mixed_videos, tmp_path):
    path = tmp_path / "labels.nwb"
    nwb.write(mixed_videos, path)
    script = textwrap.dedent(
        f"""
        import pynwb
        with pynwb.NWBHDF5IO({str(path)!r}, "r") as io:
            f = io.read()
            training = f.processing["behavior"]["PoseTraining"]
            frames = training.training_frames.training_frames
            print(len(frames), frames["frame_0"].source_video_frame_index)
            inst = frames["frame_0"].skeleton_instances.skeleton_instances["m2"]
            print(inst.skeleton.name, inst.node_locations[:].round(6).tolist())
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    ).stdout.split("\n")
    assert out[0] == "3 100"
    expected = mixed_videos.position.isel(time=0, individual=1).values.T.round(6).tolist()
    assert out[1] == f"skeleton {expected}"


def test_names_beyond_ascii_are_utf8_and_read_back_by_pynwb_and_posebridge(tmp_path):
    position = np.random.default_rng(3).uniform(0, 50, (2, 2, 2, 2))
    ds = labels.from_numpy(
        position, video=["vidé.mp4"] * 2, frame=[3, 8], individual_names=["mäus", "b"]
    ).assign_attrs(scorer="Jörg")
    path = tmp_path / "labels.nwb"
    nwb.write(ds, path)
    with h5py.File(path) as h5:
        instances = h5[f"{TRAINING}/training_frames/frame_1/skeleton_instances"]
        assert instances.id.links.get_info("mäus".encode()).cset == h5py.h5t.CSET_UTF8
        assert instances.id.links.get_info(b"b").cset == h5py.h5t.CSET_ASCII
        assert h5[f"{TRAINING}/training_frames/frame_1"].attrs["annotator"] == "Jörg"
    import pynwb

    with pynwb.NWBHDF5IO(str(path), "r") as io:
        frames = io.read().processing["behavior"]["PoseTraining"].training_frames
        frame = frames.training_frames["frame_1"]
        assert frame.annotator == "Jörg" and frame.source_video_frame_index == 8
        assert sorted(frame.skeleton_instances.skeleton_instances) == ["b", "mäus"]
    back = posebridge.load(path)
    assert back.individual.values.tolist() == ["mäus", "b"]
    np.testing.assert_array_equal(back.position.values, position)


@pytest.mark.parametrize(
    ("member", "attribute", "value"),
    [
        ("frame_0", "source_video_frame_index", np.array([1, 2])),
        ("frame_0", "source_video_frame_index", "x"),
        ("frame_0", "source_video_frame_index", 2.5),  # was read as frame 2
        ("frame_0/skeleton_instances/m1", "id", "abc"),
        ("frame_0/skeleton_instances/m1", "id", np.array([1, 2])),
    ],
)
def test_a_frame_index_or_id_that_is_not_one_whole_number_is_refused_naming_it(
    mixed_videos, tmp_path, member, attribute, value
):
    """int() of these raised a raw error, reported as a posebridge bug."""
    path = tmp_path / "labels.nwb"
    nwb.write(mixed_videos, path)
    with h5py.File(path, "r+") as h5:
        h5[f"{TRAINING}/training_frames/{member}"].attrs[attribute] = value
    message = rf"labels\.nwb: /{TRAINING}/training_frames/{member}: the '{attribute}' attribute"
    with pytest.raises(FormatError, match=message):
        posebridge.load(path)


INSTANCE = f"{TRAINING}/training_frames/frame_0/skeleton_instances/id_0"


@pytest.mark.parametrize(
    ("member", "value", "message"),
    [
        ("node_visibility", np.ones(2, dtype=bool), r"node_visibility of shape \(2,\)"),
        ("node_locations", np.full((3, 2), b"a"), "node_locations should hold numbers"),
        ("node_locations", np.float64(1.0), r"node_locations has shape \(\); expected"),
        ("node_locations", np.ones((3, 4)), r"node_locations has shape \(3, 4\); expected"),
    ],
)
def test_malformed_skeleton_instances_are_refused_naming_them(tmp_path, member, value, message):
    """Found by fuzzing the file's structure: numpy's ValueError escaped."""
    ds = labels.from_numpy(np.ones((1, 2, 3, 1)), video=["v.mp4"], frame=[0])
    (path,) = nwb.write(ds, tmp_path / "bad.nwb")
    with h5py.File(path, "r+") as h5:
        del h5[f"{INSTANCE}/{member}"]
        h5[f"{INSTANCE}/{member}"] = value
    with pytest.raises(FormatError, match=message) as error:
        posebridge.load(path)
    assert "bad.nwb" in str(error.value)


def _relabel(h5: h5py.File, variant: str) -> None:
    """Change a written labels file in a way NWB allows (other writers' choices)."""
    frames = h5[f"{TRAINING}/training_frames"]
    m1 = frames["frame_0/skeleton_instances/m1"]
    if variant == "fixed-length annotator":
        frames["frame_0"].attrs.create("annotator", np.bytes_("alice"))
    elif variant == "big-endian chunked compressed locations":
        values = m1["node_locations"][()]
        del m1["node_locations"]
        m1.create_dataset(
            "node_locations", data=values.astype(">f4"), chunks=(1, 2), compression="gzip"
        )
    elif variant == "visibility as uint8":
        values = m1["node_visibility"][()]
        del m1["node_visibility"]
        m1["node_visibility"] = values.astype(np.uint8)
    elif variant == "hard-linked video":
        del frames["frame_1/source_video"]
        frames["frame_1/source_video"] = h5[f"{TRAINING}/source_videos/video_0"]
    elif variant == "relative skeleton link":
        del m1["skeleton"]
        m1["skeleton"] = h5py.SoftLink("../../../../../Skeletons/skeleton")
    elif variant == "id as a one-element array":
        m1.attrs["id"] = np.array([0], dtype=np.int64)
    elif variant == "name beyond ascii":
        frames["frame_0/skeleton_instances"].move("m1", "mü1")
    elif variant == "no visibility":
        del m1["node_visibility"]


@pytest.mark.parametrize(
    "variant",
    [
        "as written",
        "fixed-length annotator",
        "big-endian chunked compressed locations",
        "visibility as uint8",
        "hard-linked video",
        "relative skeleton link",
        "id as a one-element array",
        "name beyond ascii",
        "no visibility",
    ],
)
def test_the_low_level_read_of_a_frame_equals_the_general_one(
    mixed_videos, tmp_path, monkeypatch, variant
):
    """Plain frames are read with h5py's low-level calls; both paths give the same dataset."""
    from posebridge.formats.nwb import training

    path = tmp_path / "labels.nwb"
    nwb.write(mixed_videos, path)
    with h5py.File(path, "r+") as h5:
        _relabel(h5, variant)
    plain = training._plain_frame
    taken: list[bool] = []
    monkeypatch.setattr(
        training, "_plain_frame", lambda *a: taken.append(bool(r := plain(*a))) or r
    )
    fast = posebridge.load(path)
    assert any(taken)  # the low-level path read frames
    monkeypatch.setattr(training, "_plain_frame", lambda *a: None)
    general = posebridge.load(path)
    xr.testing.assert_identical(fast, general)
    if variant == "as written":
        back = fast.drop_vars("confidence").drop_attrs()
        xr.testing.assert_identical(back, mixed_videos.drop_vars("confidence").drop_attrs())


def test_group_names_that_are_not_utf8_are_read_and_spelled_as_in_a_url(tmp_path):
    """h5py gives such names as bytes: sorting the frames raised a TypeError (a 'bug')."""
    ds = labels.from_numpy(
        np.ones((2, 2, 3, 1)), video=["v.mp4", "v.mp4"], frame=[0, 1], individual_names=["m"]
    )
    (path,) = nwb.write(ds, tmp_path / "names.nwb")
    with h5py.File(path, "r+") as h5:
        frames = h5[f"{TRAINING}/training_frames"]
        frames.move("frame_1", b"frame_\xff1")
        for name in frames:
            frames[name]["skeleton_instances"].move("m", b"m\xff")
    back = posebridge.load(path)
    assert back.individual.values.tolist() == ["m%FF"]
    assert back.frame.values.tolist() == [0, 1]
    np.testing.assert_array_equal(back.position.values, ds.position.values)


@pytest.mark.parametrize("paths", [["imgs/cow_a", "imgs/cow_b"], ["imgs/cow_a"]])
def test_image_paths_without_a_file_ending_stay_images(tmp_path, paths):
    """The YOLO reader gives such paths when the images are absent; NWB read them back as
    a video (image_path '' and frame 0)."""
    lab = labels.from_numpy(np.ones((len(paths), 2, 1, 1)), image_path=paths)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        (path,) = posebridge.save(lab, tmp_path / "l.nwb")
        back = posebridge.load(path)
    assert back["image_path"].values.tolist() == paths
    assert back["frame"].values.tolist() == lab["frame"].values.tolist() == [-1] * len(paths)


# --------------------------------------------------------------------------
# image and video paths: written so that they resolve relative to the .nwb


DLC_IMAGES = ["labeled-data/mouse/img001.png", "labeled-data/mouse/img002.png"]


@pytest.fixture
def dlc_project_labels(tmp_path) -> xr.Dataset:
    """Labels read from a DeepLabCut project in tmp_path/project: two images under
    labeled-data/mouse, named relative to the project folder, and CollectedData beside
    them (the dataset's source_file, two levels below the project folder)."""
    folder = tmp_path / "project" / "labeled-data" / "mouse"
    folder.mkdir(parents=True)
    for name in DLC_IMAGES:
        (tmp_path / "project" / name).write_bytes(b"")  # the files exist, nothing reads them
    ds = labels.from_numpy(
        np.arange(2 * 2 * 3 * 1, dtype=float).reshape(2, 2, 3, 1),
        image_path=DLC_IMAGES,
        individual_names=["mouse"],
        keypoint_names=["nose", "ear", "tail"],
    )
    posebridge.save(ds, folder / "CollectedData_me.h5")
    return posebridge.load(folder / "CollectedData_me.h5")


def _external(path) -> tuple[list[str], str]:
    with h5py.File(path) as h5:
        series = h5[f"{TRAINING}/source_videos/video_0"]
        return series["external_file"].asstr()[()].tolist(), series.attrs["comments"]


def test_project_images_are_written_relative_to_an_nwb_in_another_folder(
    dlc_project_labels, tmp_path
):
    """They were written as given, relative to the DeepLabCut project folder: NWB reads
    them relative to the .nwb's folder, where they are not."""
    out = tmp_path / "archive" / "labels.nwb"
    out.parent.mkdir()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # every image is found: no warning
        nwb.write(dlc_project_labels, out)
    files, comments = _external(out)
    assert files == [f"../project/{name}" for name in DLC_IMAGES]
    assert all((out.parent / f).is_file() for f in files)
    assert nwb.common.PATHS_MARKER in comments


def test_project_images_read_back_as_the_files_they_name(dlc_project_labels, tmp_path):
    out = tmp_path / "archive" / "labels.nwb"
    out.parent.mkdir()
    nwb.write(dlc_project_labels, out)
    back = posebridge.load(out)
    expected = [str(tmp_path / "project" / name) for name in DLC_IMAGES]
    assert back.image_path.values.tolist() == expected
    assert back.video.values.tolist() == [str(tmp_path / "project/labeled-data/mouse")] * 2
    assert back.frame.values.tolist() == [1, 2]
    np.testing.assert_array_equal(back.position.values, dlc_project_labels.position.values)


def test_project_images_read_back_as_the_files_they_name_through_a_linked_folder(
    dlc_project_labels, tmp_path
):
    """The .nwb is written into a folder reached through a link to a folder at another
    depth: the paths are made from the resolved folders, so a leading ".." climbs from
    where the link leads. They were read back joined to the folder as spelled with ".."
    collapsed, naming files that do not exist."""
    deep = tmp_path / "store" / "a" / "b"
    deep.mkdir(parents=True)
    linked = tmp_path / "linked"
    try:
        linked.symlink_to(deep, target_is_directory=True)
    except OSError:  # no links (Windows without the privilege)
        pytest.skip("cannot make a symbolic link here")
    out = linked / "labels.nwb"
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # every image is found: no warning
        nwb.write(dlc_project_labels, out)
    files, comments = _external(out)
    assert nwb.common.PATHS_MARKER in comments
    assert all((out.parent / f).is_file() for f in files)  # as the file system reads them
    back = posebridge.load(out).image_path.values.tolist()
    originals = [tmp_path / "project" / name for name in DLC_IMAGES]
    assert all(os.path.isfile(f) for f in back), back
    assert all(os.path.samefile(f, o) for f, o in zip(back, originals, strict=True))


def test_images_found_relative_to_the_nwb_are_written_and_read_as_given(
    dlc_project_labels, tmp_path
):
    out = tmp_path / "project" / "labels.nwb"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        nwb.write(dlc_project_labels, out)
    files, comments = _external(out)
    assert files == DLC_IMAGES
    assert nwb.common.PATHS_MARKER not in comments
    assert posebridge.load(out).image_path.values.tolist() == DLC_IMAGES


def test_paths_found_nowhere_are_written_as_given_with_one_warning(tmp_path):
    (tmp_path / "project" / "labeled-data" / "a").mkdir(parents=True)
    (tmp_path / "project" / "labeled-data" / "a" / "img1.png").write_bytes(b"")
    ds = labels.from_numpy(
        np.ones((4, 2, 1, 1)),
        image_path=[
            "labeled-data/a/img1.png",  # found, from the source file's folder
            "labeled-data/a/img2.png",  # its folder is there, the image is not
            "labeled-data/gone/img3.png",
            "labeled-data/gone/img4.png",
        ],
    ).assign_attrs(source_file=str(tmp_path / "project" / "CollectedData_me.h5"))
    out = tmp_path / "out" / "labels.nwb"
    out.parent.mkdir()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        nwb.write(ds, out)
    messages = [str(w.message) for w in caught if "could not be found" in str(w.message)]
    assert len(messages) == 1, messages
    assert messages[0].startswith(f"{out}: 3 of the 4 image and video files")
    assert "e.g. 'labeled-data/a/img2.png'" in messages[0]
    with h5py.File(out) as h5:
        videos = h5[f"{TRAINING}/source_videos"]
        stored = {k: v["external_file"].asstr()[()].tolist() for k, v in videos.items()}
    assert stored == {
        # img2 follows img1, found in its folder: the series keeps one folder
        "video_0": ["../project/labeled-data/a/img1.png", "../project/labeled-data/a/img2.png"],
        "video_1": ["labeled-data/gone/img3.png", "labeled-data/gone/img4.png"],
    }
    back = posebridge.load(out)
    folder = str(tmp_path / "project" / "labeled-data" / "a")
    assert back.video.values.tolist()[:2] == [folder, folder]  # one video, as written


def test_unknown_and_exported_videos_are_not_looked_for(tmp_path):
    """A video without a path ('') has nothing to find; no warning names it."""
    ds = labels.from_numpy(np.ones((1, 2, 1, 1)), video=[""], frame=[0])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        nwb.write(ds, tmp_path / "l.nwb")
    assert not [w for w in caught if "could not be found" in str(w.message)]
    assert posebridge.load(tmp_path / "l.nwb").video.values.tolist() == [""]


@pytest.mark.interop
def test_nwbinspector_finds_the_project_images_from_an_nwb_in_another_folder(
    dlc_project_labels, tmp_path
):
    nwbinspector = pytest.importorskip("nwbinspector")
    out = tmp_path / "archive" / "labels.nwb"
    out.parent.mkdir()
    nwb.write(dlc_project_labels, out)
    messages = list(nwbinspector.inspect_nwbfile(nwbfile_path=str(out)))
    assert messages  # it ran its checks (best-practice suggestions about metadata)
    invalid = [m for m in messages if m.check_function_name.endswith("external_file_valid")]
    assert invalid == [], [m.message for m in invalid]


def test_project_images_come_back_to_deeplabcut_relative_to_the_project(
    dlc_project_labels, tmp_path
):
    """DeepLabCut -> NWB elsewhere -> DeepLabCut: the absolute paths NWB reads back are
    written from labeled-data on, as DeepLabCut names images in its project."""
    out = tmp_path / "archive" / "labels.nwb"
    out.parent.mkdir()
    nwb.write(dlc_project_labels, out)
    again = tmp_path / "archive" / "CollectedData_me.h5"
    posebridge.save(posebridge.load(out), again)
    back = posebridge.load(again)
    assert back.image_path.values.tolist() == DLC_IMAGES
    np.testing.assert_array_equal(back.position.values, dlc_project_labels.position.values)


def test_individual_names_an_nwb_name_cannot_hold_are_warned_about(tmp_path):
    from posebridge.model import labels as labels_model

    ds = labels_model.from_numpy(
        np.ones((1, 2, 1, 2)), image_path=["a.png"], individual_names=["rat/1", "rat/2"]
    )
    with pytest.warns(
        UserWarning, match=r"'rat/1' -> 'rat_1', 'rat/2' -> 'rat_2' are written and read back"
    ):
        (path,) = posebridge.save(ds, tmp_path / "l.nwb")
    assert posebridge.load(path).individual.values.tolist() == ["rat_1", "rat_2"]


def test_instances_are_written_in_the_order_given_and_a_wrong_order_is_refused(tmp_path):
    ds = labels.from_numpy(
        np.arange(16.0).reshape(2, 2, 2, 2),
        video=["v.mp4"] * 2,
        frame=[0, 4],
        individual_names=["a", "b"],
    )
    nwb.write(ds, tmp_path / "l.nwb", instance_order=np.array([[1, 0], [0, 1]]))
    with h5py.File(tmp_path / "l.nwb") as h5:
        frames = h5["processing/behavior/PoseTraining/training_frames"]
        assert list(frames["frame_0/skeleton_instances"]) == ["b", "a"]
        assert list(frames["frame_1/skeleton_instances"]) == ["a", "b"]
    back = posebridge.load(tmp_path / "l.nwb", content="labels")
    np.testing.assert_array_equal(back.position.values, ds.position.values)
    with pytest.raises(PoseBridgeError, match=r"shape \(time, individual\) = \(2, 2\)"):
        nwb.write(ds, tmp_path / "m.nwb", instance_order=[[0]])
    poses = posebridge.from_numpy(np.ones((2, 2, 2, 1)), fps=30)
    with pytest.raises(PoseBridgeError, match="applies to labelled frames"):
        nwb.write(poses, tmp_path / "p.nwb", instance_order=[[0], [0]])


def test_labels_with_no_frame_are_refused_as_predictions_with_no_frame_are(tmp_path):
    """A PoseTraining with no frame would read back with no individual."""
    empty = labels.from_numpy(
        np.ones((0, 2, 2, 1)), image_path=[], keypoint_names=["s", "t"], individual_names=["m"]
    )
    predictions = posebridge.from_numpy(np.ones((0, 2, 2, 1)), individual_names=["m"])
    messages = []
    for name, ds in (("labels.nwb", empty), ("poses.nwb", predictions)):
        with pytest.raises(SchemaError, match="no time steps") as raised:
            posebridge.save(ds, tmp_path / name)
        messages.append(str(raised.value).split(": ", 1)[1])
        assert not (tmp_path / name).exists()
    assert messages[0] == messages[1]  # the same refusal, word for word


def test_an_individual_with_no_labelled_point_is_named_in_a_warning(tmp_path):
    position = np.arange(2 * 2 * 2 * 3, dtype=float).reshape(2, 2, 2, 3)
    position[..., 1] = np.nan  # 'b' has no labelled point in any frame
    ds = labels.from_numpy(
        position, video=["v.mp4", "v.mp4"], frame=[0, 4], individual_names=["a", "b", "c"]
    )
    path = tmp_path / "l.nwb"
    with pytest.warns(UserWarning, match=r"l.nwb: the individual\(s\) \['b'\] have no labelled"):
        posebridge.save(ds, path)
    back = posebridge.load(path)
    assert back.individual.values.tolist() == ["a", "c"]  # what the warning said
    np.testing.assert_array_equal(
        back.position.transpose(*ds.position.dims).values, position[..., [0, 2]]
    )
    every = ds.isel(individual=[0, 2])  # all with points: no such warning
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        posebridge.save(every, tmp_path / "every.nwb")
    assert not [w for w in caught if "no labelled point" in str(w.message)]


def test_an_individual_whose_points_are_all_marked_not_visible_is_written_without_warning(
    tmp_path,
):
    position = np.array([[[[1.0, np.nan], [3.0, np.nan]], [[2.0, np.nan], [4.0, np.nan]]]])
    visible = np.array([[[2.0, 0.0], [2.0, 0.0]]])  # m2: both points marked not visible
    ds = labels.from_numpy(
        position,
        video=["v.mp4"],
        frame=[3],
        keypoint_names=["a", "b"],
        individual_names=["m1", "m2"],
        visible=visible,
    )
    path = tmp_path / "l.nwb"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        posebridge.save(ds, path)
    assert not [w for w in caught if "not written" in str(w.message)]
    back = posebridge.load(path)
    assert back.individual.values.tolist() == ["m1", "m2"]  # m2's instance is in the file
    np.testing.assert_array_equal(back.visible.transpose(*ds.visible.dims).values, visible)


@pytest.mark.parametrize("with_visible", [False, True])
def test_labelled_frames_without_any_individual_are_written(tmp_path, with_visible):
    """Frames labelled with no animal (a .slp of empty frames) were written to NWB until the
    check of points marked not visible reshaped an empty array: a raw ValueError."""
    ds = labels.from_numpy(np.ones((2, 2, 2, 0)), video=["v.mp4", "v.mp4"], frame=[0, 1])
    if with_visible:
        ds = ds.assign(visible=(("time", "keypoint", "individual"), np.zeros((2, 2, 0))))
    path = tmp_path / "empty_frames.nwb"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert posebridge.save(ds, path) == [path]
        back = posebridge.load(path)
    assert back.sizes["individual"] == 0
    assert back["frame"].values.tolist() == [0, 1]


@pytest.mark.parametrize("views", [["left", "right"], ["left"]])
def test_labelled_frames_of_camera_views_are_refused_pointing_to_netcdf_not_nwb(tmp_path, views):
    """Before, the NWB labels writer refused camera views telling the user to write them
    "to NWB or netCDF": NWB's PoseTraining holds one video's frames each, so only netCDF
    holds all views; the message names the file too (nwb.write named none)."""
    one = labels.from_numpy(np.ones((2, 2, 2, 1)), video=["v.mp4", "v.mp4"], frame=[0, 3])
    ds = one.expand_dims(view=views, axis=-1)
    path = tmp_path / "frames.nwb"
    for write in (lambda: nwb.write(ds, path), lambda: posebridge.save(ds, path)):
        with pytest.raises(SchemaError, match="camera view") as raised:
            write()
        message = str(raised.value)
        assert message.startswith(f"{path}: ") and "labelled frames" in message
        assert "NWB or netCDF" not in message and message.endswith("to netCDF (.nc).")
    assert list(tmp_path.iterdir()) == []
    (kept,) = posebridge.save(ds, tmp_path / "frames.nc")  # netCDF holds them, as said
    assert posebridge.load(kept).sizes["view"] == len(views)


def test_variables_of_labels_nwb_has_no_place_for_are_named(tmp_path):
    """h123: a per-frame signal and image sizes of labelled frames were dropped by the
    PoseTraining writer without a word (frames of a video named them)."""
    position = np.arange(8, dtype=float).reshape(2, 2, 2, 1)
    ds = labels.from_numpy(position, video=["v.mp4", "v.mp4"], frame=[0, 1])
    ds["led"] = (("time",), np.array([0.0, 1.0]))
    ds = ds.assign_coords(image_width=("time", np.full(2, 640)))
    path = tmp_path / "labels.nwb"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        posebridge.save(ds, path)
    said = [str(w.message) for w in caught if "have no place for" in str(w.message)]
    assert len(said) == 1 and said[0].startswith(str(path))
    assert "led" in said[0] and "image_width" in said[0]
    back = posebridge.load(path)
    assert "led" not in back and "image_width" not in back.coords  # the loss named is real


def test_labels_appended_to_a_file_whose_cached_specifications_conflict_are_refused(tmp_path):
    """Labelled frames appended to sleap-io's minimal.pose.nwb failed with hdmf's raw
    spec message ('Cannot resolve included group spec ...'). Run in a new interpreter:
    pynwb keeps the namespaces it loaded, and after other tests' files it loads these."""
    import shutil

    from _corpus import corpus_path

    copy = tmp_path / "minimal.pose.nwb"
    shutil.copyfile(corpus_path("nwb/minimal.pose.nwb"), copy)
    before = copy.read_bytes()
    with h5py.File(copy) as h5:
        specs = h5["specifications"]
        cached = [f"{name} {version}" for name in specs for version in specs[name]]
    script = textwrap.dedent(
        f"""
        import numpy as np, posebridge
        from posebridge.errors import FormatError
        from posebridge.model import labels
        ds = labels.from_numpy(
            np.ones((2, 2, 2, 1)), video=["cam.mp4"] * 2, frame=[3, 9], keypoint_names=["A", "B"]
        )
        try:
            posebridge.save(ds, {str(copy)!r}, append=True)
        except FormatError as error:
            print(error)
        """
    )
    done = subprocess.run(
        [sys.executable, "-W", "ignore", "-c", script], capture_output=True, text=True, check=True
    )
    said = done.stdout.strip()
    assert said.startswith(str(copy))
    assert all(spec in said for spec in cached)
    assert "a file of their own" in said
    assert "Cannot resolve included" not in said
    assert copy.read_bytes() == before


def _long_image_sequence(count: int) -> xr.Dataset:
    """Labels of ``count`` images of one video; only the first and last have a point."""
    position = np.full((count, 2, 1, 1), np.nan)  # frames with no instance: quick to write
    position[[0, -1]] = [[[5.0]], [[6.0]]]
    return labels.from_numpy(
        position, image_path=[f"labeled-data/v/img{i:05d}.png" for i in range(count)]
    )


#: More images than one video's starting_frame (int64 each) fits in 64 KiB: 8192.
_OVER_THE_HEADER_LIMIT = 8300


@pytest.mark.parametrize("append", [False, True])
def test_a_video_of_more_images_than_an_hdf5_header_attribute_holds_is_written(tmp_path, append):
    """h158: starting_frame (one int64 per image, an attribute in the NWB schema) of more
    than 8192 images is over HDF5's 64 KiB attribute limit: a raw RuntimeError from h5py.
    It is stored as a dense attribute (HDF5 1.8 format), and read back."""
    ds = _long_image_sequence(_OVER_THE_HEADER_LIMIT)
    path = tmp_path / "l.nwb"
    if append:
        nwb.write(posebridge.from_numpy(np.ones((4, 2, 1, 1)), fps=30.0), path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the images are not there
        nwb.write(ds, path, append=append)
    with h5py.File(path) as h5:
        external = h5[f"{TRAINING}/source_videos/video_0/external_file"]
        assert len(external) == _OVER_THE_HEADER_LIMIT
        starts = external.attrs["starting_frame"]
    np.testing.assert_array_equal(starts, np.arange(_OVER_THE_HEADER_LIMIT))
    back = posebridge.load(path, content="labels")
    np.testing.assert_array_equal(back.image_path.values, ds.image_path.values)
    np.testing.assert_array_equal(back.position.values[[0, -1]], ds.position.values[[0, -1]])


def test_pynwb_reads_the_starting_frame_of_a_long_image_sequence(tmp_path):
    """The PoseTraining's ImageSeries as posebridge writes it for a long image sequence
    (without its TrainingFrames, which pynwb takes about a minute to read), read by pynwb."""
    import pynwb

    from posebridge.formats._shared.hdf5 import new_file
    from posebridge.formats.nwb.labels_file import labels_nwbfile
    from posebridge.formats.nwb.training_write import file_options

    ds = _long_image_sequence(_OVER_THE_HEADER_LIMIT)
    path = tmp_path / "l.nwb"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the images are not there
        nwbfile, plan = labels_nwbfile(ds, nwb.NWBFileSaveConfig(), path)
    with (
        new_file(path, **file_options(plan.groups)) as h5,
        pynwb.NWBHDF5IO(file=h5, mode="w") as io,
    ):
        io.write(nwbfile)
    with pynwb.NWBHDF5IO(path, "r") as io:
        training = io.read().processing["behavior"]["PoseTraining"]
        series = training.source_videos.image_series["video_0"]
        np.testing.assert_array_equal(series.starting_frame[()], np.arange(_OVER_THE_HEADER_LIMIT))
        assert len(series.external_file) == _OVER_THE_HEADER_LIMIT


def test_listed_videos_keep_their_order_and_those_without_labelled_frames(tmp_path):
    """h168 item 2: the source videos are written in the order of ``attrs["sleap_videos"]``,
    a video without labelled frames included (no frame counted), and read back in index
    order into that attribute, whatever order the labelled frames mention them in."""
    paths = [tmp_path / f"{name}.mp4" for name in ("zebra", "mango", "apple")]
    for path in paths:
        path.write_bytes(b"\x00")
    listed = [str(p) for p in paths]
    ds = labels.from_numpy(
        np.arange(8.0).reshape(2, 2, 2, 1), video=[listed[2], listed[0]], frame=[2, 1]
    )
    ds.attrs["sleap_videos"] = json.dumps(listed)
    nwb.write(ds, tmp_path / "labels.nwb")
    with h5py.File(tmp_path / "labels.nwb") as h5:
        videos = h5[f"{TRAINING}/source_videos"]
        assert [videos[f"video_{k}/external_file"].asstr()[0] for k in range(3)] == [
            "zebra.mp4",
            "mango.mp4",
            "apple.mp4",
        ]
        assert [int(videos[f"video_{k}/num_samples"][()]) for k in range(3)] == [2, 0, 3]
        frames = h5[f"{TRAINING}/training_frames"]
        linked = [frames[f"frame_{row}"].get("source_video", getlink=True).path for row in (0, 1)]
        assert [link.rsplit("/", 1)[-1] for link in linked] == ["video_2", "video_0"]
    back = posebridge.load(tmp_path / "labels.nwb")
    assert json.loads(back.attrs["sleap_videos"]) == listed
    assert back["video"].values.tolist() == [listed[2], listed[0]]
    np.testing.assert_array_equal(back["position"].values, ds["position"].values)
    again = tmp_path / "again.nwb"  # read and written again: the same order
    nwb.write(back, again)
    assert json.loads(posebridge.load(again).attrs["sleap_videos"]) == listed


def test_sleap_io_layout_writes_paths_from_the_working_folder_relative_to_the_nwb(
    tmp_path, monkeypatch
):
    """h171 finding 2: layout="sleap-io" takes a relative path from the working folder (as
    sleap_io.load_nwb reads one) and writes every path relative to the .nwb's folder, marked
    so that posebridge reads it back absolute; a Windows path (drive letter, UNC share) is
    absolute wherever it is written, so it is written as given."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "out").mkdir()
    given = ["videos/a.mp4", str(tmp_path / "b.mp4"), "C:\\lab\\c.mp4", "\\\\server\\s\\d.mp4"]
    ds = labels.from_numpy(np.ones((4, 2, 1, 1)), video=given, frame=[0, 1, 2, 3])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # no video exists
        nwb.write(ds, "out/l.nwb", layout="sleap-io")
    stored, comments = [], []
    with h5py.File("out/l.nwb") as h5:
        for k in range(4):
            series = h5[f"{TRAINING}/source_videos/video_{k}"]
            stored.append(series["external_file"].asstr()[0])
            comments.append(nwb.common.PATHS_MARKER in series.attrs.get("comments", ""))
    assert stored == ["../videos/a.mp4", "../b.mp4", "C:/lab/c.mp4", "//server/s/d.mp4"]
    assert comments == [True, True, False, False]
    monkeypatch.chdir(tmp_path / "out")  # posebridge reads them back from anywhere
    back = posebridge.load("l.nwb").video.values.tolist()
    assert back == [str(tmp_path / "videos/a.mp4"), str(tmp_path / "b.mp4"), *stored[2:]]
