"""Appending poses to an existing NWB file: other content untouched, all or nothing."""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib
import shutil
import warnings

import h5py
import numpy as np
import pytest
import xarray as xr

import posebridge
from _corpus import corpus_path
from posebridge import model
from posebridge.errors import FormatError, PoseBridgeError, SchemaError
from posebridge.formats import nwb

_append = importlib.import_module("posebridge.formats.nwb.append")

pynwb = pytest.importorskip("pynwb")


def _sha(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def session_file(tmp_path):
    """An NWB file with a raw TimeSeries and a Subject, no poses."""
    nwbfile = pynwb.NWBFile(
        session_description="recording",
        identifier="session-1",
        session_start_time=dt.datetime(2024, 3, 1, 9, 0, tzinfo=dt.UTC),
    )
    nwbfile.subject = pynwb.file.Subject(subject_id="M1", species="Mus musculus", sex="M")
    nwbfile.add_acquisition(
        pynwb.TimeSeries(name="lick", data=np.arange(10.0), unit="V", rate=100.0)
    )
    path = tmp_path / "session.nwb"
    with pynwb.NWBHDF5IO(path, "w") as io:
        io.write(nwbfile)
    return path


@pytest.fixture
def one_mouse():
    position = np.random.default_rng(11).normal(size=(8, 2, 2, 1))
    return model.from_numpy(position, individual_names=["M1"], keypoint_names=["a", "b"], fps=50)


def test_append_adds_poses_and_keeps_everything_else(session_file, one_mouse):
    assert posebridge.save(one_mouse, session_file, append=True) == [session_file]
    with h5py.File(session_file) as h5:
        np.testing.assert_array_equal(h5["acquisition/lick/data"][()], np.arange(10.0))
        assert h5["identifier"].asstr()[()] == "session-1"
        assert h5["general/subject/subject_id"].asstr()[()] == "M1"
        assert "PoseEstimation" in h5["processing/behavior"]
        link = h5["processing/behavior/Skeletons/skeleton_M1"].get("subject", getlink=True)
        assert link.path == "/general/subject"
    back = posebridge.load(session_file)
    np.testing.assert_array_equal(back.position.values, one_mouse.position.values)
    np.testing.assert_array_equal(back.time.values, one_mouse.time.values)
    with pynwb.NWBHDF5IO(session_file, "r") as io:
        assert io.read().acquisition["lick"].rate == 100.0


def test_second_append_gets_its_own_container(session_file, one_mouse):
    posebridge.save(one_mouse, session_file, append=True)
    other = one_mouse.assign_coords(individual=["M2"])
    posebridge.save(other, session_file, append=True)
    back = posebridge.load(session_file)
    assert back.individual.values.tolist() == ["M1", "M2"]
    with h5py.File(session_file) as h5:
        assert sorted(h5["processing/behavior"]) == [
            "PoseEstimation",
            "PoseEstimation_M2",
            "Skeletons",
        ]


def test_append_keeps_the_files_subject_and_session_with_a_warning(session_file, one_mouse):
    with pytest.warns(UserWarning, match="keeps the file's Subject"):
        posebridge.save(one_mouse, session_file, append=True, species="Rattus norvegicus")
    with h5py.File(session_file) as h5:
        assert h5["general/subject/species"].asstr()[()] == "Mus musculus"


@pytest.mark.parametrize("where", ["after_adding", "after_writing", "before_replacing"])
def test_failure_midway_leaves_the_original_byte_identical(
    monkeypatch, session_file, one_mouse, where
):
    before = _sha(session_file)
    real_add, real_write = _append.add_poses, pynwb.NWBHDF5IO.write

    def add_then_fail(*args, **kwargs):
        real_add(*args, **kwargs)
        raise RuntimeError("injected failure after adding")

    def write_then_fail(self, *args, **kwargs):
        real_write(self, *args, **kwargs)
        raise RuntimeError("injected failure after writing")

    def copymode_fails(*args, **kwargs):
        raise OSError("injected failure before replacing")

    if where == "after_adding":
        monkeypatch.setattr(_append, "add_poses", add_then_fail)
    elif where == "after_writing":
        monkeypatch.setattr(pynwb.NWBHDF5IO, "write", write_then_fail)
    else:
        monkeypatch.setattr(shutil, "copymode", copymode_fails)  # the module _outputs uses
    with pytest.raises((PoseBridgeError, OSError), match="injected"):
        posebridge.save(one_mouse, session_file, append=True)
    assert _sha(session_file) == before
    assert sorted(p.name for p in session_file.parent.iterdir()) == ["session.nwb"]


def test_conflicting_container_name_fails_cleanly(session_file, one_mouse):
    posebridge.save(one_mouse, session_file, append=True)
    before = _sha(session_file)
    with pytest.raises(PoseBridgeError, match="already holds PoseEstimation"):
        posebridge.save(
            one_mouse.assign_coords(individual=["another_mouse"]),
            session_file,
            append=True,
            metadata={"pose_estimation": {"name": "PoseEstimation"}},
        )
    assert _sha(session_file) == before


def test_append_to_missing_or_foreign_files_is_refused(tmp_path, one_mouse):
    with pytest.raises(FileNotFoundError):
        posebridge.save(one_mouse, tmp_path / "missing.nwb", append=True)
    plain = tmp_path / "plain.nwb"
    with h5py.File(plain, "w") as h5:
        h5["x"] = 1
    before = _sha(plain)
    with pytest.raises(FormatError, match="not an NWB file"):
        posebridge.save(one_mouse, plain, append=True)
    assert _sha(plain) == before


def _mice(names: list[str]):
    position = np.random.default_rng(5).normal(size=(4, 2, 2, len(names)))
    return model.from_numpy(  # the keypoints of _ndx_pose_file: an append takes the file's
        position, individual_names=names, keypoint_names=["nose", "tail"], fps=50
    )


@pytest.mark.parametrize(
    ("calls", "metadata"),
    [
        # each call names its container after the individual: alpha_poses < zeta_poses
        ([["zeta"], ["alpha"]], lambda names: {"pose_estimation": {"name": f"{names[0]}_poses"}}),
        # alpha gets the free name PoseEstimation, before PoseEstimation_mu / _zeta
        ([["zeta", "mu"], ["alpha"]], lambda names: None),
        ([["zeta"], ["alpha"], ["beta"]], lambda names: None),
    ],
)
def test_individuals_appended_one_call_at_a_time_read_back_in_the_order_added(
    session_file, calls, metadata
):
    """The individual tags of an append continue the file's ranks; they used to restart at
    1/1 in each call, so the file read back in its containers' name order."""
    for names in calls:
        posebridge.save(_mice(names), session_file, append=True, metadata=metadata(names))
    added = [name for names in calls for name in names]
    back = posebridge.load(session_file)
    assert back.individual.values.tolist() == added
    for names in calls:
        written = _mice(names).position
        got = back.position.sel(individual=names).values
        np.testing.assert_array_equal(got, written.values)
    with h5py.File(session_file) as h5:
        module = h5["processing/behavior"]
        tags = sorted(
            module[name]["description"].asstr()[()].rsplit("[", 1)[1]
            for name in module
            if name != "Skeletons"
        )
    counts = [len(names) for names in calls]
    ends = [sum(counts[: k + 1]) for k in range(len(calls))]
    wanted = [
        f"posebridge individual {added.index(name) + 1}/{ends[k]}: {name}]"
        for k, names in enumerate(calls)
        for name in names
    ]
    assert tags == sorted(wanted)


def test_appending_to_another_tools_file_reads_its_individuals_first(tmp_path):
    """A dlc2nwb file (no posebridge tags) keeps its individual first, whatever the
    appended container's name or module (Poses sorts before behavior)."""
    copy = tmp_path / "dlc.nwb"
    shutil.copyfile(corpus_path("nwb/m3v1mp4DLC_resnet50_openfieldAug20shuffle1_30000.nwb"), copy)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        before = posebridge.load(copy)
        alpha = posebridge.from_numpy(  # the file's keypoints: others would be refused
            np.ones((4, 2, before.sizes["keypoint"], 1)),
            individual_names=["alpha"],
            keypoint_names=before.keypoint.values.tolist(),
            fps=50,
        )
        posebridge.save(
            alpha, copy, append=True, metadata={"processing_module": {"name": "Poses"}}
        )
        back = posebridge.load(copy)
    assert before.individual.values.tolist() == ["ind1"]  # dlc2nwb's ind1_<bodypart> series
    assert back.individual.values.tolist() == ["ind1", "alpha"]
    np.testing.assert_array_equal(
        back.position.sel(individual="ind1", time=before.time, keypoint=before.keypoint).values,
        before.position.sel(individual="ind1").values,
    )


def _ndx_pose_file(
    path, container: str, subject_id: str | None, camera: str = "camera", unit: str = "pixels"
) -> np.ndarray:
    """A file as ndx-pose's own writer makes it: one PoseEstimation, no posebridge tags.

    Returns the (time, space, keypoint) positions it holds.
    """
    from ndx_pose import PoseEstimation, PoseEstimationSeries, Skeleton, Skeletons

    nwbfile = pynwb.NWBFile("s", "s-1", dt.datetime(2024, 1, 1, tzinfo=dt.UTC))
    if subject_id is not None:
        nwbfile.subject = pynwb.file.Subject(subject_id=subject_id, species="Mus musculus")
    behavior = nwbfile.create_processing_module("behavior", "poses")
    skeleton = Skeleton(name="body", nodes=["nose", "tail"], edges=np.array([[0, 1]], "uint8"))
    behavior.add(Skeletons(skeletons=[skeleton]))
    position = np.arange(40.0).reshape(10, 2, 2)  # time, space, keypoint
    series = [
        PoseEstimationSeries(
            name=node,
            data=position[:, :, k],
            unit=unit,
            reference_frame="top left",
            rate=10.0,
            confidence=np.ones(10),
        )
        for k, node in enumerate(["nose", "tail"])
    ]
    device = nwbfile.create_device(camera)
    behavior.add(
        PoseEstimation(
            name=container,
            pose_estimation_series=series,
            skeleton=skeleton,
            devices=[device],
            source_software="DeepLabCut",
        )
    )
    with pynwb.NWBHDF5IO(path, "w") as io:
        io.write(nwbfile)
    return position


@pytest.mark.parametrize("container", ["PoseEstimation", "PoseEstimationDLC"])
@pytest.mark.parametrize("subject_id", [None, "mouseA"])
def test_appending_keeps_the_name_of_another_tools_lone_container(tmp_path, container, subject_id):
    """A lone untagged PoseEstimation is named after the file's subject (``id_0`` without
    one); after an append it used to be named after its container (``PoseEstimation``,
    ``DLC``) instead."""
    path = tmp_path / "other.nwb"
    position = _ndx_pose_file(path, container, subject_id)
    name = subject_id or "id_0"
    assert posebridge.load(path).individual.values.tolist() == [name]
    posebridge.save(_mice(["alpha"]), path, append=True)
    back = posebridge.load(path)
    assert back.individual.values.tolist() == [name, "alpha"]
    at = {"individual": name, "keypoint": ["nose", "tail"], "time": np.arange(10) / 10.0}
    np.testing.assert_array_equal(back.position.sel(at).values, position)


def test_one_animal_appended_to_a_file_named_per_animal_is_named_after_it(tmp_path):
    """A file of PoseEstimation_a and PoseEstimation_b: c is PoseEstimation_c (was
    PoseEstimation, unlike the file's others)."""
    path = tmp_path / "two.nwb"
    posebridge.save(_mice(["a", "b"]), path, split_individuals=False)
    posebridge.save(_mice(["c"]), path, append=True)
    with h5py.File(path) as h5:
        names = sorted(k for k in h5["processing/behavior"] if k.startswith("PoseEstimation"))
    assert names == ["PoseEstimation_a", "PoseEstimation_b", "PoseEstimation_c"]
    assert posebridge.load(path).individual.values.tolist() == ["a", "b", "c"]


def test_appending_to_a_file_of_one_camera_named_otherwise_adds_no_view(tmp_path):
    """The appended container linked a second Device, 'camera', and the file read back
    as two camera views of two individuals, mostly NaN."""
    path = tmp_path / "other.nwb"
    _ndx_pose_file(path, "PoseEstimation", "mouseA", camera="cam0")
    posebridge.save(_mice(["alpha"]), path, append=True)
    back = posebridge.load(path)
    assert "view" not in back.dims
    assert back.individual.values.tolist() == ["mouseA", "alpha"]
    with h5py.File(path) as h5:
        assert list(h5["general/devices"]) == ["cam0"]


def test_poses_read_from_posebridges_nwb_join_a_files_one_camera_named_otherwise(tmp_path):
    """Every NWB file posebridge writes without a camera name reads back with device
    'camera', posebridge's default: appended to a file of one camera 'cam0', the poses
    linked a second Device 'camera' and the file read back as two views, mostly NaN."""
    path = tmp_path / "other.nwb"
    _ndx_pose_file(path, "PoseEstimation", "mouseA", camera="cam0")
    posebridge.save(_mice(["alpha"]), tmp_path / "alpha.nwb")
    alpha = posebridge.load(tmp_path / "alpha.nwb")
    assert alpha.attrs["device"] == "camera"
    posebridge.save(alpha, path, append=True)
    back = posebridge.load(path)
    assert "view" not in back.dims and back.attrs["device"] == "cam0"
    assert back.individual.values.tolist() == ["mouseA", "alpha"]
    with h5py.File(path) as h5:
        assert list(h5["general/devices"]) == ["cam0"]


def test_poses_of_a_named_camera_still_link_their_own_device(tmp_path):
    """Only posebridge's default name defers to the file's camera: a dataset's own camera
    name is a camera of its own, linked as such (and read as another view)."""
    path = tmp_path / "other.nwb"
    _ndx_pose_file(path, "PoseEstimation", "mouseA", camera="cam0")
    posebridge.save(_mice(["alpha"]).assign_attrs(device="side_cam"), path, append=True)
    with h5py.File(path) as h5:
        assert sorted(h5["general/devices"]) == ["cam0", "side_cam"]


def test_appending_to_a_file_with_poses_adds_no_subject(tmp_path):
    """A Subject made from the appended individual would be the file's, and name the
    file's lone container after it: it is left out, with a warning."""
    path = tmp_path / "other.nwb"
    _ndx_pose_file(path, "PoseEstimation", None)
    with pytest.warns(UserWarning, match=r"holds poses of 'id_0' and no Subject.*subject_id"):
        posebridge.save(_mice(["alpha"]), path, append=True, subject_id="M2")
    with h5py.File(path) as h5:
        assert "subject" not in h5["general"]
    assert posebridge.load(path).individual.values.tolist() == ["id_0", "alpha"]


def test_appending_to_ndx_poses_own_file_keeps_its_individual(tmp_path):
    """The corpus file written by ndx-pose's test script (one PoseEstimation, no Subject)."""
    copy = tmp_path / "one.nwb"
    shutil.copyfile(corpus_path("nwb/0.3.0_poseestimation_one_camera.nwb"), copy)
    before = posebridge.load(copy)
    assert before.individual.values.tolist() == ["id_0"]
    ds = before.assign_coords(individual=["alpha"])
    posebridge.save(ds, copy, append=True)
    back = posebridge.load(copy)
    assert back.individual.values.tolist() == ["id_0", "alpha"]
    for name in ("id_0", "alpha"):
        np.testing.assert_array_equal(
            back.position.sel(individual=name).values,
            before.position.sel(individual="id_0").values,
        )


def test_appending_to_a_sleap_io_file_keeps_its_layout_so_sleap_io_reads_every_track(tmp_path):
    sio = pytest.importorskip("sleap_io")
    skeleton = sio.Skeleton(["head", "tail"], name="fly")
    video = sio.Video(filename="/data/arena.mp4", open_backend=False)
    track = sio.Track("m1")
    frames = [
        sio.LabeledFrame(
            video=video,
            frame_idx=f,
            instances=[
                sio.PredictedInstance.from_numpy(
                    np.full((2, 2), float(f)),
                    skeleton=skeleton,
                    point_scores=np.ones(2),
                    score=1.0,
                    track=track,
                )
            ],
        )
        for f in range(3)
    ]
    path = tmp_path / "sio.nwb"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sio.save_nwb(
            sio.Labels(frames, videos=[video], skeletons=[skeleton], tracks=[track]), str(path)
        )
    new = model.from_numpy(
        np.full((3, 2, 2, 1), 5.0),
        np.ones((3, 2, 1)),
        individual_names=["m2"],
        keypoint_names=["head", "tail"],
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        posebridge.save(new, path, append=True)
        theirs = sio.load_nwb(str(path))
    assert len(theirs.videos) == 1  # the new track joined the file's video
    assert [len(lf.instances) for lf in theirs.labeled_frames] == [2, 2, 2]
    ours = posebridge.load(path)
    assert ours.individual.values.tolist() == ["m1", "m2"]
    np.testing.assert_array_equal(ours.position.sel(individual="m2").values, 5.0)


def two_flies_of_a_named_skeleton():
    ds = posebridge.from_numpy(
        np.arange(30.0).reshape(5, 2, 3, 1).repeat(2, axis=-1),
        individual_names=["a", "b"],
        keypoint_names=["head", "thorax", "tail"],
        fps=30,
    )
    return ds.assign_attrs(skeleton_name="fly")


def test_posebridge_layout_keeps_the_skeleton_name_in_one_file_and_split(tmp_path):
    """A skeleton the source named (SLEAP's "fly") is one Skeleton of that name shared by
    the individuals, so the name reads back; before, each got skeleton_<individual>."""
    ds = two_flies_of_a_named_skeleton()
    (one,) = nwb.write(ds, tmp_path / "one.nwb", split_individuals=False)
    with h5py.File(one) as h5:
        assert list(h5["processing/behavior/Skeletons"]) == ["fly"]
    back = posebridge.load(one)
    assert back.attrs["skeleton_name"] == "fly"
    assert back.individual.values.tolist() == ["a", "b"]
    np.testing.assert_array_equal(back.position.values, ds.position.values)
    for path in nwb.write(ds, tmp_path / "split.nwb"):  # one file per individual
        assert posebridge.load(path).attrs["skeleton_name"] == "fly"


def test_an_append_shares_the_named_skeleton_when_its_nodes_include_the_keypoints(tmp_path):
    ds = two_flies_of_a_named_skeleton()
    (path,) = nwb.write(ds.isel(individual=[0]), tmp_path / "flies.nwb")
    posebridge.save(ds.isel(individual=[1]), path, append=True)
    assert posebridge.load(path).attrs["skeleton_name"] == "fly"
    with h5py.File(path) as h5:
        assert list(h5["processing/behavior/Skeletons"]) == ["fly"]
    fewer = ds.isel(individual=[0], keypoint=[0, 1]).assign_coords(individual=["c"])
    posebridge.save(fewer, path, append=True)  # some of the file's keypoints: taken
    back = posebridge.load(path)
    assert back.individual.values.tolist() == ["a", "b", "c"]
    assert back.attrs["skeleton_name"] == "fly"  # linked by c too
    xr.testing.assert_equal(back.position.sel(individual=["a", "b"]), ds.position)


@pytest.mark.parametrize("keypoints", [["a", "b", "c"], ["a", "c"]], ids=["more", "other"])
@pytest.mark.parametrize("views", [None, ["left", "right"]], ids=["no-views", "views"])
def test_appending_other_keypoints_is_refused_and_the_file_kept(tmp_path, keypoints, views):
    """posebridge reads a file's poses on one keypoint axis: before, an append of other
    keypoints was written, and the file read back with the union of both sets, the file's
    animals NaN at the new ones (with camera views, split into more views)."""

    def poses(names, individual):
        ds = posebridge.from_numpy(
            np.ones((4, 2, len(names), 1)),
            individual_names=[individual],
            keypoint_names=names,
            fps=30,
        )
        return ds if views is None else ds.expand_dims(view=views, axis=-1)

    (path,) = nwb.write(poses(["a", "b"], "first"), tmp_path / "session.nwb")
    before = path.read_bytes()
    with pytest.raises(SchemaError) as raised:
        posebridge.save(poses(keypoints, "second"), path, append=True)
    message = str(raised.value)
    assert message.startswith(f"{path}: the file's poses have the keypoints a, b")
    assert f"the dataset's {', '.join(keypoints)}" in message
    new = [k for k in keypoints if k not in ("a", "b")]
    assert f"the dataset's {', '.join(new)} are not in the file" in message
    assert path.read_bytes() == before
    posebridge.save(poses(["b", "a"], "second"), path, append=True)  # the file's, reordered
    back = posebridge.load(path)
    assert back.keypoint.values.tolist() == ["a", "b"]
    assert back.individual.values.tolist() == ["first", "second"]


def test_other_keypoints_added_to_an_in_memory_nwbfile_are_refused():
    nwbfile = _in_memory_nwbfile()
    nwb.add_to_nwbfile(
        nwbfile, posebridge.from_numpy(np.ones((4, 2, 2, 1)), individual_names=["a"])
    )
    other = posebridge.from_numpy(
        np.ones((4, 2, 2, 1)), individual_names=["b"], keypoint_names=["x", "y"]
    )
    before = list(nwbfile.processing["behavior"].data_interfaces)
    with pytest.raises(SchemaError, match="the dataset's x, y are not in the file"):
        nwb.add_to_nwbfile(nwbfile, other)
    assert list(nwbfile.processing["behavior"].data_interfaces) == before


def test_frame_numbers_appended_to_a_file_at_a_frame_rate_take_its_rate(tmp_path):
    """posebridge reads a file's individuals on one time axis: frame 3 of the appended
    dataset is 0.1 s at the file's 30 fps, not 3 s (before: 11 times, from 0 to 5 s)."""
    seconds = posebridge.from_numpy(np.ones((6, 2, 2, 1)), individual_names=["a"], fps=30)
    (path,) = nwb.write(seconds, tmp_path / "session.nwb")
    frames = posebridge.from_numpy(np.full((6, 2, 2, 1), 2.0), individual_names=["b"])
    posebridge.save(frames, path, append=True)
    back = posebridge.load(path)
    assert back.attrs["fps"] == 30
    np.testing.assert_array_equal(back.time.values, np.arange(6) / 30)
    np.testing.assert_array_equal(back.position.sel(individual="b").values, 2.0)


@pytest.mark.parametrize(
    ("file_time", "appended_time", "message"),
    [
        ({}, {"fps": 30}, "timed in frame numbers, and the dataset in seconds"),
        ({"time": [0.0, 0.5, 2.0, 2.5]}, {}, "in seconds without a frame rate"),
    ],
    ids=["seconds-into-frames", "frames-into-irregular-seconds"],
)
def test_time_units_that_cannot_share_one_axis_are_refused(
    tmp_path, file_time, appended_time, message
):
    first = posebridge.from_numpy(
        np.ones((4, 2, 2, 1)), individual_names=["a"], fps=file_time.get("fps")
    )
    if "time" in file_time:  # irregular seconds, no frame rate
        first = first.assign_coords(time=file_time["time"]).assign_attrs(time_unit="seconds")
    (path,) = nwb.write(first, tmp_path / "session.nwb")
    before = path.read_bytes()
    other = posebridge.from_numpy(
        np.full((4, 2, 2, 1), 2.0), individual_names=["b"], fps=appended_time.get("fps")
    )
    with pytest.raises(PoseBridgeError, match=message) as raised:
        posebridge.save(other, path, append=True)
    assert str(path) in str(raised.value)
    assert path.read_bytes() == before


@pytest.mark.parametrize(
    ("in_file", "appended"), [(2, 3), (3, 2)], ids=["3d-onto-2d", "2d-onto-3d"]
)
@pytest.mark.parametrize("views", [None, ["left", "right"]], ids=["no-views", "views"])
def test_poses_of_another_dimensionality_are_refused(tmp_path, in_file, appended, views):
    """Poses of the file's dimensionality are appended, others refused. Before, 3-D poses
    were appended to a file of 2-D ones (and back) silently; read back, the 2-D ones got
    z = NaN with a "mixed 2D and 3D series" warning."""

    def poses(n_space, individual):
        ds = posebridge.from_numpy(
            np.ones((4, n_space, 2, 1)), individual_names=[individual], fps=30
        )
        if views is not None:
            ds = ds.expand_dims(view=views, axis=-1)
        return ds

    (path,) = nwb.write(poses(in_file, "first"), tmp_path / "session.nwb")
    before = path.read_bytes()
    with pytest.raises(PoseBridgeError) as raised:
        posebridge.save(poses(appended, "second"), path, append=True)
    message = str(raised.value)
    axes = {2: "2-D (x, y)", 3: "3-D (x, y, z)"}
    assert message.startswith(f"{path}: the file's poses are {axes[in_file]}")
    assert f"the dataset's {axes[appended]}" in message
    assert path.read_bytes() == before
    posebridge.save(poses(in_file, "second"), path, append=True)  # the file's: appended
    back = posebridge.load(path)
    assert back.sizes["space"] == in_file
    assert back.individual.values.tolist() == ["first", "second"]


def _series_units(path) -> dict[str, set[str]]:
    """Each PoseEstimation's series units, as stored in the file."""
    with pynwb.NWBHDF5IO(path, "r") as io:
        interfaces = io.read().processing["behavior"].data_interfaces
        return {
            name: {s.unit for s in c.pose_estimation_series.values()}
            for name, c in interfaces.items()
            if hasattr(c, "pose_estimation_series")
        }


@pytest.mark.parametrize(
    ("file_unit", "dataset_unit"),
    [("px", "pixels"), ("px", None), ("metres", "m"), ("m", "metres")],
)
def test_an_append_writes_the_files_own_spelling_of_its_unit(tmp_path, file_unit, dataset_unit):
    """Before, poses in "pixels" appended to a file in "px" were written "pixels": the
    file then read as two units, and lost its space_unit (h124 item 2)."""
    path = tmp_path / "other.nwb"
    _ndx_pose_file(path, "PoseEstimation", None, unit=file_unit)
    ds = posebridge.from_numpy(np.ones((10, 2, 2, 1)), individual_names=["M8"], fps=10)
    ds = ds.assign_coords(keypoint=["nose", "tail"]).assign_attrs(reference_frame="top left")
    if dataset_unit is not None:
        ds.attrs["space_unit"] = dataset_unit
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        posebridge.save(ds, path, append=True)
        back = posebridge.load(path)
    assert _series_units(path) == {"PoseEstimation": {file_unit}, "PoseEstimation_M8": {file_unit}}
    assert back.attrs["space_unit"] == file_unit


@pytest.mark.parametrize("layout", ["posebridge", "in-memory"])
def test_poses_in_another_unit_are_refused_naming_both_units(tmp_path, layout):
    """Before, poses in metres appended to a file in pixels were written without a word,
    and the file then read metres and pixels into one position (h124 item 1)."""
    path = tmp_path / "px.nwb"
    _ndx_pose_file(path, "PoseEstimation", None, unit="pixels")
    before = path.read_bytes()
    ds = posebridge.from_numpy(np.ones((10, 2, 2, 1)), individual_names=["M8"], fps=10)
    ds = ds.assign_coords(keypoint=["nose", "tail"]).assign_attrs(space_unit="meters")
    if layout == "in-memory":
        with pynwb.NWBHDF5IO(path, "r") as io:
            nwbfile = io.read()
            with pytest.raises(PoseBridgeError) as raised:
                nwb.add_to_nwbfile(nwbfile, ds)
            assert set(nwbfile.processing["behavior"].data_interfaces) == {
                "PoseEstimation",
                "Skeletons",
            }
    else:
        with pytest.raises(PoseBridgeError) as raised:
            posebridge.save(ds, path, append=True)
        assert str(raised.value).startswith(f"{path}: ")
    message = str(raised.value)
    assert "'pixels'" in message and "'meters'" in message
    assert "ds.attrs['space_unit'] = 'pixels'" in message
    assert path.read_bytes() == before


def test_poses_of_another_dimensionality_added_to_an_in_memory_nwbfile_are_refused():
    nwbfile = _in_memory_nwbfile()
    nwb.add_to_nwbfile(
        nwbfile, posebridge.from_numpy(np.ones((4, 2, 2, 1)), individual_names=["a"])
    )
    before = list(nwbfile.processing["behavior"].data_interfaces)
    other = posebridge.from_numpy(np.ones((4, 3, 2, 1)), individual_names=["b"])
    with pytest.raises(PoseBridgeError, match="NWBFile: the file's poses are 2-D"):
        nwb.add_to_nwbfile(nwbfile, other)
    assert list(nwbfile.processing["behavior"].data_interfaces) == before


def _in_memory_nwbfile():
    return pynwb.NWBFile(
        session_description="s", identifier="i", session_start_time=dt.datetime.now(dt.UTC)
    )


def test_frame_numbers_added_to_an_in_memory_nwbfile_at_a_frame_rate_take_its_rate(tmp_path):
    """The file rule (above) for add_to_nwbfile / io.nwb.append_nwb_data: before, the second
    dataset's frames 1-5 were read back as 1-5 s beside the first's 0-0.17 s."""
    nwbfile = _in_memory_nwbfile()
    seconds = posebridge.from_numpy(np.ones((6, 2, 2, 1)), individual_names=["a"], fps=30)
    nwb.add_to_nwbfile(nwbfile, seconds)
    frames = posebridge.from_numpy(np.full((6, 2, 2, 1), 2.0), individual_names=["b"])
    nwb.add_to_nwbfile(nwbfile, frames)
    with pynwb.NWBHDF5IO(str(tmp_path / "m.nwb"), "w") as io:
        io.write(nwbfile)
    back = posebridge.load(tmp_path / "m.nwb")
    assert back.attrs["fps"] == 30
    np.testing.assert_array_equal(back.time.values, np.arange(6) / 30)
    np.testing.assert_array_equal(back.position.sel(individual="b").values, 2.0)


def test_seconds_added_to_an_in_memory_nwbfile_in_frames_are_refused():
    nwbfile = _in_memory_nwbfile()
    nwb.add_to_nwbfile(
        nwbfile, posebridge.from_numpy(np.ones((4, 2, 2, 1)), individual_names=["a"])
    )
    before = list(nwbfile.processing["behavior"].data_interfaces)
    other = posebridge.from_numpy(np.ones((4, 2, 2, 1)), individual_names=["b"], fps=30)
    with pytest.raises(PoseBridgeError, match="NWBFile: the file's poses are timed in frame"):
        nwb.add_to_nwbfile(nwbfile, other)
    assert list(nwbfile.processing["behavior"].data_interfaces) == before


def test_an_individual_added_twice_to_an_in_memory_nwbfile_is_refused():
    """As appending to a file: two series for one animal would make it ambiguous (before,
    the second was added as PoseEstimation_a, and the file read back as two animals named
    PoseEstimation and a)."""
    nwbfile = _in_memory_nwbfile()
    ds = posebridge.from_numpy(np.ones((4, 2, 2, 1)), individual_names=["a"], fps=30)
    nwb.add_to_nwbfile(nwbfile, ds)
    with pytest.raises(PoseBridgeError, match="already holds pose data of 'a'"):
        nwb.add_to_nwbfile(nwbfile, ds)


def test_an_append_that_another_append_overtook_is_refused_not_lost(
    session_file, one_mouse, monkeypatch
):
    """Two appends at once (two processes) each copied the same original; the second to
    finish replaced the file, and the first one's animal was gone without a word."""
    other = one_mouse.assign_coords(individual=["M2"])
    real = _append.add_poses

    def another_process_appends_meanwhile(*args, **kwargs):
        monkeypatch.setattr(_append, "add_poses", real)
        posebridge.save(other, session_file, append=True)  # finishes first
        return real(*args, **kwargs)

    monkeypatch.setattr(_append, "add_poses", another_process_appends_meanwhile)
    with pytest.raises(PoseBridgeError, match="changed .* by another program while"):
        posebridge.save(one_mouse, session_file, append=True)
    assert posebridge.load(session_file).individual.values.tolist() == ["M2"]


def _session_poses(individual, start, tmp_path, **kwargs):
    """Poses read back from a file of their own session, started at ``start``."""
    ds = model.from_numpy(np.ones((4, 2, 1, 1)), individual_names=[individual], **kwargs)
    path = tmp_path / f"{individual}.nwb"
    posebridge.save(ds, path, session_start_time=start)
    return posebridge.load(path), path


def test_poses_of_another_session_keep_their_moment_with_a_warning(tmp_path):
    _, target = _session_poses("mA", "2024-01-01T12:00:00+00:00", tmp_path, fps=30)
    other, _ = _session_poses("mB", "2024-01-01T14:00:00+00:00", tmp_path, fps=30)
    with pytest.warns(UserWarning, match=r"shifted by \+7200 s") as caught:
        posebridge.save(other, target, append=True)
    said = " ".join(str(w.message) for w in caught)
    assert str(target) in said and "12:00:00" in said and "14:00:00" in said
    back = posebridge.load(target)
    assert back.attrs["session_start_time"] == "2024-01-01T12:00:00+00:00"
    mb = back.sel(individual="mB").dropna("time", how="all")
    assert mb.time.values.tolist() == (7200 + np.arange(4) / 30).tolist()
    assert mb.frame.values.tolist() == [0, 1, 2, 3]


def test_poses_of_the_files_session_are_appended_as_they_are(tmp_path):
    _, target = _session_poses("mA", "2024-01-01T12:00:00+00:00", tmp_path, fps=30)
    same, _ = _session_poses("mB", "2024-01-01T12:00:00+00:00", tmp_path, fps=30)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        posebridge.save(same, target, append=True)
    mb = posebridge.load(target).sel(individual="mB").dropna("time", how="all")
    assert mb.time.values.tolist() == (np.arange(4) / 30).tolist()


def test_frame_numbers_of_another_session_are_appended_as_they_are_with_a_warning(tmp_path):
    _, target = _session_poses("mA", "2024-01-01T12:00:00+00:00", tmp_path)
    other, _ = _session_poses("mB", "2024-01-01T14:00:00+00:00", tmp_path)
    with pytest.warns(UserWarning, match="frame numbers, which cannot be moved"):
        posebridge.save(other, target, append=True)
    mb = posebridge.load(target).sel(individual="mB").dropna("time", how="all")
    assert mb.time.values.tolist() == [0, 1, 2, 3]


def test_sessions_sharing_times_keep_the_files_frames_there_with_a_warning(tmp_path):
    """A session started 2 frames after the file's: at the 2 times both animals have
    poses, one frame coordinate cannot hold both frame numbers; the file's are kept
    there, with a warning naming the appended container, and each keeps its own elsewhere."""
    _, target = _session_poses("mA", "2024-01-01T12:00:00+00:00", tmp_path, fps=10)
    other, _ = _session_poses("mB", "2024-01-01T12:00:00.2+00:00", tmp_path, fps=10)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        posebridge.save(other, target, append=True)
    with pytest.warns(UserWarning, match="count video frames differently") as caught:
        back = posebridge.load(target)
    said = " ".join(str(w.message) for w in caught)
    assert "PoseEstimation_mB at 2 of them" in said and str(target) in said
    assert back.time.values.round(6).tolist() == [0.0, 0.1, 0.2, 0.3, 0.4, 0.5]
    # mA's frames 0..3 at 0..0.3 s; mB's 0..3 at 0.2..0.5 s: its 2, 3 where it is alone
    assert back.frame.values.tolist() == [0, 1, 2, 3, 2, 3]


@pytest.mark.parametrize("how", ["sleap-io-layout", "posebridge-layout", "labels"])
def test_appending_to_a_sleap_io_file_with_0_hz_series_shows_no_pynwb_rate_warning(tmp_path, how):
    """sleap-io writes a node seen every other frame with a rate of 0.0 Hz (1 / 2 truncated
    to a whole number); pynwb warned once per such series when an append read the file."""
    sio = pytest.importorskip("sleap_io")
    from _sleap_io_labels import labels_of
    from posebridge.model import labels

    tracks = [sio.Track("m1"), sio.Track("m2")]
    path = tmp_path / "sio.nwb"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m2_every_other_frame = labels_of(
            dict.fromkeys(range(5), tracks),
            lambda t, frame: np.nan if t == 1 and frame % 2 else float(frame),
        )
        sio.save_nwb(m2_every_other_frame, str(path))
    with h5py.File(path) as h5:
        rates = {}
        h5.visititems(
            lambda name, obj: (
                rates.update({name: obj.attrs["rate"]})
                if name.endswith("/starting_time")
                else None
            )
        )
    assert {n.split("/")[2]: r for n, r in rates.items()} == {"track=m1": 1.0, "track=m2": 0.0}
    if how == "labels":
        new = labels.from_numpy(np.ones((1, 2, 2, 1)), image_path=["f.png"])
        options = {}
    else:
        fps = 1.0 if how == "posebridge-layout" else None  # the file's frames as seconds
        new = posebridge.from_numpy(
            np.full((3, 2, 2, 1), 5.0),
            individual_names=["m3"],
            keypoint_names=["head", "tail"],  # the file's skeleton (sleap-io's layout has one)
            fps=fps,
        )
        options = {"layout": "posebridge"} if how == "posebridge-layout" else {}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        posebridge.save(new, path, append=True, **options)
    shown = [str(w.message) for w in caught if issubclass(w.category, UserWarning)]
    assert not [message for message in shown if "0.0 Hz" in message], shown


def _fly(individual: str, edges: list[list[str]]):
    ds = posebridge.from_numpy(
        np.arange(24.0).reshape(4, 2, 3, 1),
        individual_names=[individual],
        keypoint_names=["head", "thorax", "tail"],
        fps=10,
    )
    ds["skeleton_edges"] = (("edge", "edge_node"), np.array(edges).reshape(-1, 2))
    return ds.assign_attrs(skeleton_name="fly")


@pytest.mark.parametrize("layout", ["posebridge", "sleap-io"])
def test_appended_poses_linking_the_files_skeleton_warn_of_their_edges_not_written(
    tmp_path, layout
):
    """Poses whose skeleton has the file's Skeleton's nodes link that Skeleton (one per
    file, as sleap-io writes and reads it): before, their other edges were lost without a
    word; now a warning names them. Edges the Skeleton has already say nothing."""
    from posebridge._recorded_warnings import recording_warnings

    path = tmp_path / "flies.nwb"
    posebridge.save(_fly("a", [["head", "thorax"]]), path, layout=layout)
    with recording_warnings() as shown:
        posebridge.save(_fly("b", [["head", "thorax"]]), path, append=True, layout=layout)
    assert not [w for w in shown if "edge" in str(w.message)]
    added = [["thorax", "tail"], ["head", "thorax"], ["tail", "head"]]
    with recording_warnings() as shown:
        posebridge.save(_fly("c", added), path, append=True, layout=layout)
    (said,) = [str(w.message) for w in shown if "edge" in str(w.message)]
    assert said.startswith(f"{path}: ") and "Skeleton 'fly'" in said
    assert said.endswith(
        "2 edge(s) of theirs it does not have are not written and the poses "
        "read back without them: thorax-tail, tail-head."
    )
    back = posebridge.load(path)
    assert back.individual.values.tolist() == ["a", "b", "c"]
    assert back.skeleton_edges.values.tolist() == [["head", "thorax"]]  # as the warning says


@pytest.mark.parametrize("views", [None, ["left", "right"]], ids=["no-views", "views"])
def test_an_animal_with_some_of_the_files_keypoints_is_appended(tmp_path, views):
    """A new animal tracked on fewer keypoints: the file's animals read back as they were,
    the new one NaN at the keypoints it lacks (it was refused, as if it changed the file's)."""

    def poses(names, individual, offset):
        values = np.arange(4 * 2 * len(names), dtype=float).reshape(4, 2, len(names), 1)
        ds = posebridge.from_numpy(
            values + offset, individual_names=[individual], keypoint_names=names, fps=30
        )
        return ds if views is None else ds.expand_dims(view=views, axis=-1)

    first = poses(["a", "b", "c"], "first", 0)
    second = poses(["c", "a"], "second", 100)
    (path,) = nwb.write(first, tmp_path / "session.nwb")
    posebridge.save(second, path, append=True)
    back = posebridge.load(path)
    assert back.keypoint.values.tolist() == ["a", "b", "c"]
    assert back.individual.values.tolist() == ["first", "second"]
    xr.testing.assert_equal(
        back.position.sel(individual="first"), first.position.sel(individual="first")
    )
    theirs = back.position.sel(individual="second")
    assert np.isnan(theirs.sel(keypoint="b").values).all()
    xr.testing.assert_equal(
        theirs.sel(keypoint=["c", "a"]), second.position.sel(individual="second")
    )


def _flies_of_a_skeleton_with_edges(tmp_path):
    """A file of flies a, b on the Skeleton "fly" (head, thorax, tail; two edges), with a
    Subject DANDI takes; and the poses of fly c on some of its keypoints (tail, head)."""
    values = np.arange(5 * 2 * 3, dtype=float).reshape(5, 2, 3, 1)
    flies = posebridge.from_numpy(
        np.concatenate([values, values + 100], axis=-1),
        individual_names=["a", "b"],
        keypoint_names=["head", "thorax", "tail"],
        fps=30,
    )
    edges = [["head", "thorax"], ["thorax", "tail"]]
    flies["skeleton_edges"] = (("edge", "edge_node"), np.array(edges))
    flies = flies.assign_attrs(skeleton_name="fly")
    path = tmp_path / "flies.nwb"
    posebridge.save(
        flies.isel(individual=[0]), path, species="Drosophila melanogaster", sex="F", age="P5D"
    )
    posebridge.save(flies.isel(individual=[1]), path, append=True)
    fly_c = posebridge.from_numpy(
        values[:, :, [2, 0]] + 200, individual_names=["c"], keypoint_names=["tail", "head"], fps=30
    )
    return path, flies, edges, fly_c


@pytest.mark.parametrize("named", [True, False], ids=["skeleton_name-fly", "no-skeleton_name"])
def test_an_animal_on_some_of_the_files_keypoints_links_the_files_skeleton(tmp_path, named):
    """Before, the appended animal got a Skeleton of its own (skeleton_c), so the file read
    back with no skeleton_name; now it links the file's Skeleton, whose nodes include its
    keypoints, and the file reads back with its skeleton, edges and the new animal."""
    path, flies, edges, fly_c = _flies_of_a_skeleton_with_edges(tmp_path)
    if named:
        fly_c = fly_c.assign_attrs(skeleton_name="fly")
    posebridge.save(fly_c, path, append=True)
    with h5py.File(path) as h5:
        assert list(h5["processing/behavior/Skeletons"]) == ["fly"]
    back = posebridge.load(path)
    assert back.attrs["skeleton_name"] == "fly"
    assert back.skeleton_edges.values.tolist() == edges
    assert back.individual.values.tolist() == ["a", "b", "c"]
    assert back.keypoint.values.tolist() == ["head", "thorax", "tail"]
    xr.testing.assert_equal(back.position.sel(individual=["a", "b"]), flies.position)
    theirs = back.position.sel(individual="c")
    assert np.isnan(theirs.sel(keypoint="thorax").values).all()
    xr.testing.assert_equal(
        theirs.sel(keypoint=["tail", "head"]), fly_c.position.sel(individual="c")
    )
    with pynwb.NWBHDF5IO(path, "r") as io:  # pynwb: every PoseEstimation links "fly"
        behavior = io.read().processing["behavior"]
        containers = [c for c in behavior.data_interfaces.values() if hasattr(c, "skeleton")]
        assert len(containers) == 3
        assert {c.skeleton.name for c in containers} == {"fly"}
        (theirs,) = [c for c in containers if c.description.endswith(": c]")]
        assert sorted(theirs.pose_estimation_series) == ["head", "tail"]
        assert list(theirs.skeleton.nodes[:]) == ["head", "thorax", "tail"]
    nwbinspector = pytest.importorskip("nwbinspector")
    serious = [
        (m.check_function_name, m.message)
        for m in nwbinspector.inspect_nwbfile(
            nwbfile_path=str(path), config=nwbinspector.load_config("dandi")
        )
        if m.importance.name
        in ("CRITICAL", "BEST_PRACTICE_VIOLATION", "ERROR", "PYNWB_VALIDATION")
    ]
    assert serious == []


def test_the_appended_animal_read_alone_reads_on_its_skeleton_without_a_warning(tmp_path):
    """Its PoseEstimation links a Skeleton with a node it has no series of: read alone, it
    is the whole file's reading of it (NaN at that node), with the Skeleton's edges."""
    from posebridge._recorded_warnings import recording_warnings

    path, _, edges, fly_c = _flies_of_a_skeleton_with_edges(tmp_path)
    posebridge.save(fly_c, path, append=True)
    with h5py.File(path) as h5:
        (key,) = [
            name
            for name, group in h5["processing/behavior"].items()
            if "description" in group and group["description"].asstr()[()].endswith(": c]")
        ]
    with recording_warnings() as shown:
        alone = posebridge.load(path, pose_estimation_key=key)
    assert [str(w.message) for w in shown] == []
    whole = posebridge.load(path)
    xr.testing.assert_equal(alone.position, whole.position.sel(individual=["c"]))
    assert alone.attrs["skeleton_name"] == "fly"
    assert alone.skeleton_edges.values.tolist() == edges


def test_edges_of_an_animal_linking_a_skeleton_of_more_nodes_are_named_when_not_written(
    tmp_path,
):
    """The warning names the appended poses' edges the file's Skeleton lacks by their
    keypoints, though its edges count the Skeleton's nodes (thorax-tail is edge 1-2 there,
    and 1-2 of the appended tail, head would be out of range)."""
    from posebridge._recorded_warnings import recording_warnings

    path, _, edges, fly_c = _flies_of_a_skeleton_with_edges(tmp_path)
    fly_c["skeleton_edges"] = (("edge", "edge_node"), np.array([["tail", "head"]]))
    with recording_warnings() as shown:
        posebridge.save(fly_c, path, append=True)
    (said,) = [str(w.message) for w in shown if "edge" in str(w.message)]
    assert "Skeleton 'fly'" in said
    assert said.endswith(
        "1 edge(s) of theirs it does not have are not written and the poses "
        "read back without them: tail-head."
    )
    assert posebridge.load(path).skeleton_edges.values.tolist() == edges


def test_an_append_to_a_file_of_containers_read_apart_gives_advice_an_append_can_follow(
    tmp_path,
):
    """The refusal was the reader's word for word, advising pose_estimation_key= or
    combine=, options the writer and convert reject (h124 item 3)."""
    from ndx_pose import PoseEstimation, PoseEstimationSeries

    path = tmp_path / "two_modules.nwb"
    nwbfile = pynwb.NWBFile("s", "x", dt.datetime(2024, 1, 1, tzinfo=dt.UTC))
    for module_name in ["mod_a", "mod_b"]:
        series = [
            PoseEstimationSeries(
                name=node,
                data=np.ones((10, 2)),
                unit="pixels",
                reference_frame="top left",
                rate=30.0,
            )
            for node in ["nose", "ear"]
        ]
        module = nwbfile.create_processing_module(module_name, "poses")
        module.add(PoseEstimation(name="PoseEstimation", pose_estimation_series=series))
    with pynwb.NWBHDF5IO(path, "w") as io:
        io.write(nwbfile)
    before = path.read_bytes()
    ds = posebridge.from_numpy(np.ones((10, 2, 2, 1)), individual_names=["M9"], fps=30)
    ds = ds.assign_coords(keypoint=["nose", "ear"])
    with pytest.raises(FormatError) as raised:
        posebridge.save(ds, path, append=True)
    message = str(raised.value)
    assert message.startswith(f"{path}: holds 2 PoseEstimation containers")
    assert "processing/mod_a/PoseEstimation" in message
    assert "Write the poses to a new file" in message
    assert "Pick one with" not in message and "or pass combine=" not in message
    assert path.read_bytes() == before


def _refusal_in_a_new_process(script: str) -> str:
    """The message of the FormatError ``script`` raises, run in a new interpreter: pynwb
    keeps the namespaces it loaded for the process, and after some other files (other
    tests') it loads these specifications without conflict."""
    import subprocess
    import sys
    import textwrap

    caught = textwrap.dedent(
        """
        from posebridge.errors import FormatError
        try:
        {body}
        except FormatError as error:
            print(error)
        else:
            print("no FormatError")
        """
    ).format(body=textwrap.indent(textwrap.dedent(script), "    "))
    done = subprocess.run(
        [sys.executable, "-W", "ignore", "-c", caught], capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


@pytest.mark.parametrize("layout", [None, "posebridge"])
def test_a_file_whose_cached_specifications_conflict_is_refused_saying_why_and_what_to_do(
    tmp_path, layout
):
    """sleap-io's minimal.pose.nwb caches specifications (ndx-multisubjects beside core)
    that pynwb cannot load for writing: the append failed with hdmf's raw spec message."""
    copy = tmp_path / "minimal.pose.nwb"
    shutil.copyfile(corpus_path("nwb/minimal.pose.nwb"), copy)
    before = copy.read_bytes()
    with h5py.File(copy) as h5:
        specs = h5["specifications"]
        cached = [f"{name} {version}" for name in specs for version in specs[name]]
    said = _refusal_in_a_new_process(
        f"""
        import numpy as np, posebridge
        held = posebridge.load({str(copy)!r})
        newcomer = posebridge.from_numpy(
            np.ones((held.sizes["time"], 2, held.sizes["keypoint"], 1)),
            individual_names=["newcomer"],
            keypoint_names=held.keypoint.values.tolist(),
            fps=held.attrs.get("fps"),
        )
        posebridge.save(newcomer, {str(copy)!r}, append=True, layout={layout!r})
        """
    )
    assert said.startswith(str(copy))
    assert "cannot be appended to" in said
    assert all(spec in said for spec in cached)  # why: what the file caches
    assert "posebridge.combine.merge_individuals" in said  # what to do
    assert "Cannot resolve included" not in said  # not hdmf's own text
    assert copy.read_bytes() == before


def test_appending_to_a_file_that_is_not_hdf5_raises_not_hdf5_error_an_oserror(
    tmp_path, poses_two_mice_with_nan
):
    from posebridge.errors import NotHDF5Error

    path = tmp_path / "bad.nwb"
    path.write_bytes(b"not hdf5")
    with pytest.raises(NotHDF5Error, match="bad.nwb: is not a readable NWB") as raised:
        nwb.write(poses_two_mice_with_nan, path, append=True)
    assert isinstance(raised.value, OSError)  # as the loaders' (and h5py's) for such a file
    assert path.read_bytes() == b"not hdf5"


def test_appending_individuals_the_file_holds_names_what_the_command_line_can_do(tmp_path):
    """f129 item 1: the refusal said "ds.assign_coords(individual=[...])" to the command
    line, which cannot rename individuals: there it says to leave out --append."""
    from click.testing import CliRunner

    from posebridge.cli import cli
    from posebridge.errors import worded_for_command_line

    source, target = tmp_path / "mice.nc", tmp_path / "out.nwb"
    ds = posebridge.from_numpy(np.ones((3, 2, 2, 1)), fps=10.0, individual_names=["m"])
    posebridge.save(ds, source)
    posebridge.save(ds, target)
    refused = CliRunner().invoke(cli, ["convert", str(source), str(target), "--append"])
    assert refused.exit_code == 1
    said = refused.stderr.strip()
    assert "already holds pose data of 'm'" in said
    assert said.endswith(
        "Write a new file instead (leave out --append); the command line cannot rename "
        "individuals (in Python: ds.assign_coords(individual=[...]))."
    )
    other = tmp_path / "new.nwb"
    followed = CliRunner().invoke(cli, ["convert", str(source), str(other)])
    assert followed.exit_code == 0, followed.output
    with pytest.raises(PoseBridgeError, match=r"Rename them first, e\.g\.") as caught:
        posebridge.save(ds, target, append=True)
    assert "leave out --append" in worded_for_command_line(caught.value)


@pytest.mark.parametrize("lazy", [False, True])
def test_appended_float16_is_float32_without_hdmf_warnings(session_file, lazy):
    position = np.random.default_rng(5).uniform(0, 100, (8, 2, 2, 1)).astype(np.float16)
    ds = model.from_numpy(position, individual_names=["M1"], keypoint_names=["a", "b"], fps=50)
    if lazy:
        ds = ds.chunk({"time": 3})
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        posebridge.save(ds, session_file, append=True)
    assert [f"{w.category.__name__}: {w.message}" for w in caught] == []
    with h5py.File(session_file) as h5:
        data = h5["processing/behavior/PoseEstimation/a/data"]
        assert data.dtype == np.float32
        np.testing.assert_array_equal(data[()], position[:, :, 0, 0])


def test_appended_names_nwb_can_hold_keep_them_with_a_warning(session_file):
    position = np.zeros((8, 2, 2, 2))
    position[:, :, 1] = 1.0  # keypoint 'a_b'
    ds = model.from_numpy(
        position, individual_names=["m/1", "m_1"], keypoint_names=["a/b", "a_b"], fps=50
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        posebridge.save(ds, session_file, append=True)
    messages = [str(w.message) for w in caught if "suffix" in str(w.message)]
    assert len(messages) == 1 and str(session_file) in messages[0]
    assert "keypoint 'a/b' as 'a_b_2'" in messages[0]
    with h5py.File(session_file) as h5:
        np.testing.assert_array_equal(
            h5["processing/behavior/PoseEstimation_m_1/a_b/data"][()], 1.0
        )
    back = posebridge.load(session_file)
    assert back.keypoint.values.tolist() == ["a/b", "a_b"]
    np.testing.assert_array_equal(back.position.values, position)
