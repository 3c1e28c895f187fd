"""PoseEstimation metadata naming the camera: ``device`` (ndx-pose's) and ``devices`` (its
deprecated list, which sleap-io passes)."""

from __future__ import annotations

import datetime as dt
import warnings

import numpy as np
import pytest

import posebridge
from posebridge.errors import PoseBridgeError
from posebridge.io import nwb

pynwb = pytest.importorskip("pynwb")
pytest.importorskip("ndx_pose")


def poses():
    ds = posebridge.from_numpy(np.ones((3, 2, 2, 1)), individual_names=["m1"], fps=1.0)
    return ds.assign_attrs(video_path="/data/arena.mp4")


def new_nwbfile():
    nwbfile = pynwb.NWBFile("s", "i", dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
    return nwbfile, nwbfile.create_device(name="my_camera", description="top camera")


def container(nwbfile):
    return nwbfile.processing["SLEAP_VIDEO_000_arena"]["track=m1"]


@pytest.mark.parametrize("key", ["device", "devices"])
def test_append_nwb_data_links_the_device_the_metadata_gives(key):
    nwbfile, camera = new_nwbfile()
    given = camera if key == "device" else [camera]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        nwb.append_nwb_data(poses(), nwbfile, {key: given})
    assert container(nwbfile).device is camera
    assert list(nwbfile.devices) == ["my_camera"]  # no camera_0 beside it


def test_an_empty_devices_list_links_no_device_as_sleap_io_does():
    nwbfile, _ = new_nwbfile()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        nwb.append_nwb_data(poses(), nwbfile, {"devices": []})
    assert container(nwbfile).device is None


@pytest.mark.parametrize(
    ("metadata", "key"),
    [
        (lambda cam: {"devices": [cam, cam]}, "'devices'"),
        (lambda cam: {"devices": cam}, "'devices'"),
        (lambda cam: {"device": cam, "devices": [cam]}, "'device' and 'devices'"),
    ],
)
def test_devices_ndx_pose_cannot_link_are_refused_naming_the_key(metadata, key):
    nwbfile, camera = new_nwbfile()
    with pytest.raises(PoseBridgeError, match=f"the in-memory NWBFile: .*{key}"):
        nwb.append_nwb_data(poses(), nwbfile, metadata(camera))


def test_write_nwb_adds_a_new_device_to_the_file_and_links_it(tmp_path):
    path = tmp_path / "poses.nwb"
    camera = pynwb.device.Device(name="top", description="top camera")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        nwb.write_nwb(poses(), path, pose_estimation_metadata={"device": camera})
    with pynwb.NWBHDF5IO(str(path), "r", load_namespaces=True) as io:
        read = io.read()
        assert list(read.devices) == ["top"]
        assert container(read).device.name == "top"


def test_a_device_of_another_nwbfile_is_refused(tmp_path):
    _, camera = new_nwbfile()
    with pytest.raises(PoseBridgeError, match="'device'.*another NWBFile"):
        nwb.write_nwb(poses(), tmp_path / "poses.nwb", pose_estimation_metadata={"device": camera})
    assert not (tmp_path / "poses.nwb").exists()


def two_animals():
    return posebridge.from_numpy(np.ones((3, 2, 2, 2)), individual_names=["a", "b"], fps=10.0)


@pytest.mark.parametrize("key", ["device", "devices"])
def test_one_device_for_a_write_split_per_individual_is_refused_saying_why(tmp_path, key):
    """Before, the refusal came at the second file: "the Device 'cam' belongs to another
    NWBFile", the other file being the first of the same write. Now said up front: one
    Device object cannot serve several split files, and what to give instead (which
    works)."""
    from posebridge.io import save_poses

    def metadata():
        camera = pynwb.device.Device(name="cam")
        return {"pose_estimation_kwargs": {key: camera if key == "device" else [camera]}}

    for write in (
        lambda: save_poses.to_nwb_file(two_animals(), metadata()),
        lambda: posebridge.save(
            two_animals(), tmp_path / "s.nwb", split_individuals=True, metadata=metadata()
        ),
    ):
        with pytest.raises(PoseBridgeError, match="one Device object \\('cam'\\)") as raised:
            write()
        message = str(raised.value)
        assert "belongs to another NWBFile" not in message
        for hint in ("'a': {'device': Device(...)}", "device_kwargs", "split_individuals=False"):
            assert hint in message
    assert list(tmp_path.iterdir()) == []
    # the ways the message offers each give every file its device
    own = {
        "pose_estimation_kwargs": {
            individual: {"device": pynwb.device.Device(name=f"cam_{individual}")}
            for individual in ("a", "b")
        }
    }
    files = save_poses.to_nwb_file(two_animals(), own)
    assert [list(f.devices) for f in files] == [["cam_a"], ["cam_b"]]
    by_name = {"device_kwargs": {"name": "cam", "description": "top camera"}}
    files = save_poses.to_nwb_file(two_animals(), by_name)
    assert [(list(f.devices), f.devices["cam"].description) for f in files] == [
        (["cam"], "top camera"),
        (["cam"], "top camera"),
    ]
    one = {"pose_estimation_kwargs": {"device": pynwb.device.Device(name="cam")}}
    (path,) = posebridge.save(
        two_animals(), tmp_path / "one.nwb", split_individuals=False, metadata=one
    )
    assert posebridge.load(path).individual.values.tolist() == ["a", "b"]


def _deprecations(caught):
    return [str(w.message) for w in caught if issubclass(w.category, DeprecationWarning)]


def test_appending_to_an_ndx_pose_0_1_file_gives_no_devices_deprecation(tmp_path):
    # posebridge reads the file's PoseEstimation .devices (ndx-pose 0.1's list): ndx-pose's
    # deprecation of that name is ours to silence, not the user's to see
    import shutil

    from _corpus import corpus_path

    source = corpus_path("nwb/m3v1mp4DLC_resnet50_openfieldAug20shuffle1_30000.nwb")
    path = tmp_path / "dlc2nwb.nwb"
    shutil.copy(source, path)
    keypoints = posebridge.load(source).keypoint.values.tolist()
    ds = posebridge.from_numpy(
        np.ones((5, 2, len(keypoints), 1)),
        fps=30.0,
        keypoint_names=keypoints,
        individual_names=["newbie"],
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        posebridge.save(ds, path, append=True)
    assert not [m for m in _deprecations(caught) if "devices" in m]
    assert "newbie" in posebridge.load(path).individual.values.tolist()


def _snout_series():
    """One ndx-pose series of three samples at 30 Hz, keypoint 'snout'."""
    import ndx_pose

    return ndx_pose.PoseEstimationSeries(
        name="snout",
        data=np.ones((3, 2)),
        confidence=np.ones(3),
        unit="pixels",
        reference_frame="top left",
        rate=30.0,
    )


def test_reading_an_nwbfile_in_memory_gives_no_devices_deprecation():
    import ndx_pose

    from posebridge.formats import nwb as nwb_format

    nwbfile, _ = new_nwbfile()
    series = _snout_series()
    module = nwbfile.create_processing_module("behavior", "poses")
    module.add(ndx_pose.PoseEstimation(name="PoseEstimation", pose_estimation_series=[series]))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ds = nwb_format.load_nwb_poses(nwbfile)
    assert not [m for m in _deprecations(caught) if "devices" in m]
    assert ds.keypoint.values.tolist() == ["snout"]


@pytest.mark.parametrize("given", ["attrs", "config"])
def test_a_cameras_manufacturer_is_written_in_a_device_model_and_read_back(tmp_path, given):
    """pynwb deprecates Device(manufacturer=): it goes to the Device's DeviceModel."""
    import h5py

    ds = posebridge.from_numpy(np.ones((3, 2, 2, 1)), fps=30.0, individual_names=["m1"])
    options = {}
    if given == "attrs":
        ds = ds.assign_attrs(device="cam", device_manufacturer="Basler")
    else:
        options["config"] = {"device": {"name": "cam", "manufacturer": "Basler"}}
    path = tmp_path / "camera.nwb"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        posebridge.save(ds, path, **options)
    assert not [m for m in _deprecations(caught) if "manufacturer" in m]
    with h5py.File(path) as h5:
        device = h5["general/devices/cam"]
        assert "manufacturer" not in device.attrs
        assert device["model"].attrs["manufacturer"] == "Basler"
    with pynwb.NWBHDF5IO(path, "r") as io:
        assert io.read().devices["cam"].model.manufacturer == "Basler"
    back = posebridge.load(path)
    assert back.attrs["device_manufacturer"] == "Basler"
    with pynwb.NWBHDF5IO(path, "r") as io:  # in memory too
        assert nwb_format_load(io.read()).attrs["device_manufacturer"] == "Basler"
    # a manufacturer stored on the Device itself, as before, is still read
    old = _old_style_camera_file(tmp_path / "old.nwb")
    assert posebridge.load(tmp_path / "old.nwb").attrs["device_manufacturer"] == "Acme"
    assert nwb_format_load(old).attrs["device_manufacturer"] == "Acme"


def test_a_camera_named_models_with_a_manufacturer_is_refused_naming_the_clash(tmp_path):
    """pynwb keeps DeviceModels in /general/devices/models: a camera named 'models' with a
    manufacturer was written as the same group, and pynwb could not read the file."""
    ds = posebridge.from_numpy(np.ones((3, 2, 2, 1)), fps=30.0, individual_names=["m1"])
    path = tmp_path / "models.nwb"
    config = {"device": {"name": "models", "manufacturer": "Basler"}}
    with pytest.raises(PoseBridgeError, match=r"camera Device named 'models'.*DeviceModel"):
        posebridge.save(ds, path, config=config)
    assert not path.exists()
    posebridge.save(ds, path, config={"device": {"name": "models"}})  # no model: fine
    with pynwb.NWBHDF5IO(path, "r") as io:
        assert "models" in io.read().devices


@pytest.mark.parametrize("through", ["device config", "pose_estimation device"])
def test_a_device_model_given_for_the_camera_is_written_with_it(tmp_path, through):
    """A DeviceModel given as the camera's model (in no file yet) made hdmf raise its own
    OrphanContainerBuildError on writing: it is added to the file as a given Device is."""
    from pynwb.device import Device, DeviceModel

    ds = posebridge.from_numpy(np.ones((3, 2, 2, 1)), fps=30.0, individual_names=["m1"])
    model = DeviceModel(name="cam_model", manufacturer="Basler")
    if through == "device config":
        config = {"device": {"name": "cam", "model": model}}
    else:
        config = {"pose_estimation_kwargs": {"device": Device(name="cam", model=model)}}
    path = tmp_path / "given_model.nwb"
    posebridge.save(ds, path, config=config)
    with pynwb.NWBHDF5IO(path, "r") as io:
        read = io.read()
        assert read.devices["cam"].model.name == "cam_model"
        assert read.devices["cam"].model.manufacturer == "Basler"
    # a camera named 'models' given with a model is refused as the configured one is
    named_models = {
        "pose_estimation_kwargs": {
            "device": Device(name="models", model=DeviceModel(name="m", manufacturer="B"))
        }
    }
    with pytest.raises(PoseBridgeError, match=r"camera Device named 'models'"):
        posebridge.save(ds, tmp_path / "models.nwb", config=named_models)
    assert not (tmp_path / "models.nwb").exists()


def nwb_format_load(nwbfile):
    from posebridge.formats import nwb as nwb_format

    return nwb_format.load_nwb_poses(nwbfile)


def _old_style_camera_file(path):
    """A Device whose manufacturer is its own attribute (before NWB 2.9's DeviceModel)."""
    import ndx_pose

    nwbfile, _ = new_nwbfile()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        camera = nwbfile.create_device(name="old_cam", description="cam", manufacturer="Acme")
    series = _snout_series()
    module = nwbfile.create_processing_module("behavior", "poses")
    module.add(
        ndx_pose.PoseEstimation(
            name="PoseEstimation", pose_estimation_series=[series], device=camera
        )
    )
    with pynwb.NWBHDF5IO(str(path), "w") as io:
        io.write(nwbfile)
    return nwbfile
