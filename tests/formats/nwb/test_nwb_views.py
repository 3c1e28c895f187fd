"""Camera views to NWB: one PoseEstimation per (view, individual), each linking its view's
Device, sharing its individual's Skeleton; read back with the same views, individuals and
values, in the same order."""

from __future__ import annotations

import hashlib
import warnings

import h5py
import numpy as np
import pytest
import xarray as xr

import posebridge
from posebridge import model
from posebridge.errors import PoseBridgeError, SchemaError
from posebridge.formats import nwb

pynwb = pytest.importorskip("pynwb")

KEYPOINTS = ["snout", "tail_base", "ear_left"]


def _views_dataset(
    individuals: tuple[str, ...] = ("mouse_b",),
    views: tuple[str, ...] = ("top", "side"),
    frames: int = 12,
    fps: float | None = 30.0,
) -> xr.Dataset:
    """Poses seen by several cameras: NaN gaps that differ per view, and confidence that
    differs per view (each view's own numbers, the second view's scaled down)."""
    rng = np.random.default_rng(7)
    shape = (frames, 2, len(KEYPOINTS), len(individuals), len(views))
    position = rng.uniform(0, 640, size=shape)
    confidence = rng.uniform(0, 1, size=(frames, len(KEYPOINTS), len(individuals), len(views)))
    confidence[..., 1:] *= 0.25
    position[3:5, :, 1, 0, 0] = np.nan  # a gap in the first view only
    confidence[3:5, 1, 0, 0] = np.nan
    position[7, :, :, -1, -1] = np.nan  # a frame missing in the last view only
    confidence[7, :, -1, -1] = np.nan
    per_view = [
        posebridge.from_numpy(
            position[..., v],
            confidence[..., v],
            individual_names=list(individuals),
            keypoint_names=KEYPOINTS,
            fps=fps,
            source_software="DeepLabCut",
        )
        for v in range(len(views))
    ]
    return model.validate(xr.concat(per_view, dim=xr.DataArray(list(views), dims="view")))


def _assert_same_views(back: xr.Dataset, ds: xr.Dataset) -> None:
    """Views, individuals, keypoints (names and order), time and values equal, NaN-aware."""
    assert back.position.dims == ds.position.dims
    assert back.view.values.tolist() == ds.view.values.tolist()
    assert back.individual.values.tolist() == ds.individual.values.tolist()
    assert back.keypoint.values.tolist() == ds.keypoint.values.tolist()
    np.testing.assert_array_equal(back.time.values, ds.time.values)
    np.testing.assert_array_equal(back.position.values, ds.position.values)
    np.testing.assert_array_equal(back.confidence.values, ds.confidence.values)
    assert back.attrs["time_unit"] == ds.attrs["time_unit"]
    assert back.attrs.get("fps") == ds.attrs.get("fps")


def _sha(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _links(h5: h5py.File, container: str) -> dict[str, str]:
    """The targets of a PoseEstimation's device and skeleton links."""
    group = h5[f"processing/behavior/{container}"]
    out = {}
    for name in group:
        link = group.get(name, getlink=True)
        if isinstance(link, h5py.SoftLink):
            kind = group[name].attrs.get("neurodata_type")
            out["device" if kind == "Device" else str(kind).lower()] = link.path
    return out


# --------------------------------------------------------------------------
# round trips


def test_two_views_of_one_individual_round_trip_in_one_file(tmp_path):
    ds = _views_dataset()
    assert not np.array_equal(
        ds.confidence.isel(view=0).values, ds.confidence.isel(view=1).values, equal_nan=True
    )
    (path,) = posebridge.save(ds, tmp_path / "views.nwb")
    with h5py.File(path) as h5:
        module = h5["processing/behavior"]
        assert sorted(k for k in module if k != "Skeletons") == [
            "PoseEstimation_side",
            "PoseEstimation_top",
        ]
        assert sorted(h5["general/devices"]) == ["side", "top"]
        assert list(module["Skeletons"]) == ["skeleton_mouse_b"]  # one, shared by the views
        for view in ("top", "side"):
            links = _links(h5, f"PoseEstimation_{view}")
            assert links == {
                "device": f"/general/devices/{view}",
                "skeleton": "/processing/behavior/Skeletons/skeleton_mouse_b",
            }
    back = posebridge.load(path)
    _assert_same_views(back, ds)  # "top" before "side": the written order, not the names'
    assert back.attrs["device"] == "top, side"  # in the views' order


def test_two_views_of_two_individuals_round_trip_in_one_file(tmp_path):
    ds = _views_dataset(("mouse_b", "mouse_a"), fps=None)
    frames = np.r_[0:4, 9:13, 20:24]  # irregular times: timestamps stored once, linked
    ds = model.with_fps(ds.assign_coords(time=frames), 25.0)
    (path,) = posebridge.save(ds, tmp_path / "both.nwb", split_individuals=False)
    with h5py.File(path) as h5:
        module = h5["processing/behavior"]
        names = sorted(k for k in module if k != "Skeletons")
        assert names == [
            "PoseEstimation_side_mouse_a",
            "PoseEstimation_side_mouse_b",
            "PoseEstimation_top_mouse_a",
            "PoseEstimation_top_mouse_b",
        ]
        assert sorted(h5["general/devices"]) == ["side", "top"]  # one Device per view
        assert sorted(module["Skeletons"]) == ["skeleton_mouse_a", "skeleton_mouse_b"]
        for name in names:
            view, individual = name.split("_", 2)[1:]
            assert _links(h5, name) == {
                "device": f"/general/devices/{view}",
                "skeleton": f"/processing/behavior/Skeletons/skeleton_{individual}",
            }
        stored = [
            (k, p)
            for k in names
            for p in KEYPOINTS
            if isinstance(module[k][p].get("timestamps", getlink=True), h5py.HardLink)
        ]
        assert len(stored) == 1  # the other 11 series link to it
    back = posebridge.load(path)
    _assert_same_views(back, ds)
    np.testing.assert_array_equal(back.frame.values, frames)


def test_split_files_hold_each_individuals_views_and_read_back_as_a_list(tmp_path):
    ds = _views_dataset(("mouse_b", "mouse_a"))
    written = posebridge.save(ds, tmp_path / "s.nwb")
    assert [p.name for p in written] == ["s_mouse_b.nwb", "s_mouse_a.nwb"]
    for path, individual in zip(written, ["mouse_b", "mouse_a"], strict=True):
        with h5py.File(path) as h5:
            assert sorted(h5["processing/behavior"]) == [
                "PoseEstimation_side",
                "PoseEstimation_top",
                "Skeletons",
            ]
            assert h5["general/subject/subject_id"].asstr()[()] == individual
        alone = posebridge.load(path)
        _assert_same_views(alone, ds.sel(individual=[individual]))
    _assert_same_views(posebridge.load(written), ds)  # file by file, in the list's order
    _assert_same_views(nwb.load_nwb_poses(written[::-1]), ds)  # in the tags' order


def test_picking_one_views_container_reads_that_view_without_a_view_dim(tmp_path):
    ds = _views_dataset()
    (path,) = posebridge.save(ds, tmp_path / "v.nwb")
    side = posebridge.load(path, pose_estimation_key="PoseEstimation_side")
    assert "view" not in side.dims  # as ds.sel(view="side")
    expected = ds.sel(view="side", drop=True)
    np.testing.assert_array_equal(side.position.values, expected.position.values)
    np.testing.assert_array_equal(side.confidence.values, expected.confidence.values)
    assert side.individual.values.tolist() == ["mouse_b"]


def test_a_single_view_keeps_its_view_dim(tmp_path):
    ds = _views_dataset(("mouse_b", "mouse_a"), views=("front",))
    (path,) = posebridge.save(ds, tmp_path / "front.nwb", split_individuals=False)
    back = posebridge.load(path)
    _assert_same_views(back, ds)
    without = posebridge.load(path, combine="individuals")  # forced: no view dim
    assert "view" not in without.dims


def test_a_dataset_without_fps_and_with_3d_points_round_trips(tmp_path):
    ds = _views_dataset(views=("cam1", "cam2", "cam3"), fps=None)
    three = xr.concat([ds.position, ds.position.isel(space=0)], dim="space")
    ds = ds.assign(position=three.assign_coords(space=["x", "y", "z"]))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # frames written as seconds
        (path,) = posebridge.save(ds, tmp_path / "f.nwb")
    back = posebridge.load(path)
    _assert_same_views(back, model.validate(ds))
    assert back.attrs["time_unit"] == "frames"


def test_view_names_that_are_not_nwb_names_come_back_as_they_were(tmp_path):
    ds = _views_dataset(views=("cam/1", "cam_1"))
    (path,) = posebridge.save(ds, tmp_path / "odd.nwb")
    with h5py.File(path) as h5:
        assert sorted(h5["general/devices"]) == ["cam_1", "cam_1_2"]
        assert sorted(h5["processing/behavior"]) == [
            "PoseEstimation_cam_1",
            "PoseEstimation_cam_1_2",
            "Skeletons",
        ]
    _assert_same_views(posebridge.load(path), ds)


def test_dask_backed_views_stream_to_the_same_file(tmp_path):
    ds = _views_dataset(("mouse_b", "mouse_a"), frames=40)
    (eager,) = posebridge.save(ds, tmp_path / "eager.nwb", split_individuals=False)
    lazy = ds.chunk({"time": 7})
    (streamed,) = posebridge.save(lazy, tmp_path / "lazy.nwb", split_individuals=False)
    _assert_same_views(posebridge.load(streamed), ds)
    with h5py.File(eager) as a, h5py.File(streamed) as b:
        for name in a["processing/behavior"]:
            if name == "Skeletons":
                continue
            for keypoint in KEYPOINTS:
                for part in ("data", "confidence"):
                    where = f"processing/behavior/{name}/{keypoint}/{part}"
                    np.testing.assert_array_equal(a[where][()], b[where][()])


@pytest.mark.parametrize("with_views", [True, False])
def test_a_dask_backed_dataset_shorter_than_its_space_keeps_its_frame(tmp_path, with_views):
    """The streaming path wrote no padding rows but marked them: the frame read back lost."""
    frames = 1  # fewer than the 2 spatial dims: one row of NaN padding (see padding_rows)
    ds = _views_dataset(("mouse_b", "mouse_a")).isel(time=slice(0, frames))
    if not with_views:
        ds = ds.isel(view=0, drop=True)
    (path,) = posebridge.save(ds.chunk({"time": 1}), tmp_path / "c.nwb", split_individuals=False)
    back = posebridge.load(path)
    assert back.sizes["time"] == frames
    np.testing.assert_array_equal(back.position.values, ds.position.values)
    np.testing.assert_array_equal(back.confidence.values, ds.confidence.values)


def test_a_multi_view_nwb_file_converts_in_time_chunks(tmp_path):
    from posebridge.convert import convert, streams

    assert streams("nwb", "nwb")
    ds = _views_dataset(("mouse_b", "mouse_a"), frames=30)
    (source,) = posebridge.save(ds, tmp_path / "in.nwb", split_individuals=False)
    opened = posebridge.open_dataset(source, chunks=8)
    assert opened.position.dims == ds.position.dims and opened.attrs["lazy"] == 1
    (out,) = convert(source, tmp_path / "out.nwb", chunk_frames=8, split_individuals=False)
    _assert_same_views(posebridge.load(out), ds)


def test_in_memory_nwbfiles_hold_the_views(tmp_path):
    ds = _views_dataset(("mouse_b", "mouse_a"))
    files = nwb.build_nwbfiles(ds)
    assert [sorted(f.devices) for f in files] == [["side", "top"], ["side", "top"]]
    for nwbfile, individual in zip(files, ["mouse_b", "mouse_a"], strict=True):
        _assert_same_views(nwb.load_nwb_poses(nwbfile), ds.sel(individual=[individual]))


def test_add_to_nwbfile_adds_the_views(tmp_path):
    import datetime as dt

    ds = _views_dataset()
    nwbfile = pynwb.NWBFile("session", "id-1", dt.datetime(2024, 1, 1, tzinfo=dt.UTC))
    nwb.add_to_nwbfile(nwbfile, ds)
    assert sorted(nwbfile.processing["behavior"].data_interfaces) == [
        "PoseEstimation_side",
        "PoseEstimation_top",
        "Skeletons",
    ]
    _assert_same_views(nwb.load_nwb_poses(nwbfile), ds)


# --------------------------------------------------------------------------
# options


def test_a_configured_device_name_is_the_prefix_of_each_views_device(tmp_path):
    ds = _views_dataset(("mouse_b", "mouse_a"))
    config = {"device": {"name": "rig2", "description": "FLIR Blackfly S"}}
    (path,) = posebridge.save(ds, tmp_path / "rig.nwb", split_individuals=False, config=config)
    with h5py.File(path) as h5:
        devices = h5["general/devices"]
        assert sorted(devices) == ["rig2_side", "rig2_top"]
        for name in devices:
            assert devices[name].attrs["description"] == "FLIR Blackfly S"
        assert _links(h5, "PoseEstimation_side_mouse_a")["device"] == "/general/devices/rig2_side"
    back = posebridge.load(path)
    _assert_same_views(back, ds)  # the views by their names, not the devices'
    assert back.attrs["device"] == "rig2_top, rig2_side"


def test_a_configured_container_name_is_the_prefix_of_each_views_container(tmp_path):
    ds = _views_dataset()
    config = {"pose_estimation": {"name": "DLCPoses"}}
    (path,) = posebridge.save(ds, tmp_path / "n.nwb", config=config)
    with h5py.File(path) as h5:
        assert sorted(h5["processing/behavior"]) == ["DLCPoses_side", "DLCPoses_top", "Skeletons"]
    _assert_same_views(posebridge.load(path), ds)


def test_the_video_path_option_is_refused_with_views(tmp_path):
    ds = _views_dataset()
    video = tmp_path / "v.mp4"
    video.write_bytes(b"\x00\x00\x00\x18ftypmp42")
    with pytest.raises(PoseBridgeError, match=r"video_path=.*2 camera views \('top', 'side'\)"):
        posebridge.save(ds, tmp_path / "v.nwb", video_path=video)
    with pytest.raises(PoseBridgeError, match="one video file is one camera's"):
        nwb.build_nwbfiles(ds, video_path=video)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["v.mp4"]


def test_the_datasets_own_video_is_not_linked_to_several_views(tmp_path):
    video = tmp_path / "v.mp4"
    video.write_bytes(b"\x00\x00\x00\x18ftypmp42")
    ds = _views_dataset().assign_attrs(video_path=str(video))
    with pytest.warns(UserWarning, match="is not linked as a source video: the dataset has 2"):
        (path,) = posebridge.save(ds, tmp_path / "v.nwb")
    with h5py.File(path) as h5:
        assert "acquisition" not in h5 or not list(h5["acquisition"])
        assert "source_video" not in h5["processing/behavior/PoseEstimation_top"]
    _assert_same_views(posebridge.load(path), ds)


def test_view_and_individual_names_with_a_colon_read_back_exactly(tmp_path):
    """hdmf refuses ':' in a Device's or PoseEstimation's name (pynwb raised "name 'cam:1'
    cannot contain a '/' or ':'"): they get '_', the views and individuals come back from
    the description tags, in order."""
    ds = _views_dataset(individuals=("rat:1", "rat_1"), views=("cam:1", "cam_1"))
    (path,) = nwb.write(ds, tmp_path / "colon.nwb", split_individuals=False)
    _assert_same_views(posebridge.load(path), ds)
    with h5py.File(path) as h5:
        assert sorted(h5["general/devices"]) == ["cam_1", "cam_1_2"]
        devices = {
            name: h5[f"processing/behavior/{name}"].get("device", getlink=True).path
            for name in h5["processing/behavior"]
            if name.startswith("PoseEstimation")
        }
    assert (
        sorted(devices.values())
        == ["/general/devices/cam_1"] * 2 + ["/general/devices/cam_1_2"] * 2
    )
    assert [p.name for p in tmp_path.iterdir()] == ["colon.nwb"]


def test_the_sleap_io_layout_refuses_views(tmp_path):
    ds = _views_dataset()
    with pytest.raises(SchemaError, match=r"s\.nwb: layout='sleap-io' cannot hold camera views"):
        posebridge.save(ds, tmp_path / "s.nwb", layout="sleap-io")
    with pytest.raises(SchemaError, match=r"s\.nwb: .*one processing module per video"):
        nwb.write_sleap_io([ds], tmp_path / "s.nwb")
    assert list(tmp_path.iterdir()) == []


# --------------------------------------------------------------------------
# appending


def test_append_another_individual_with_the_same_views(tmp_path):
    ds = _views_dataset(("mouse_b", "mouse_a"))
    (path,) = posebridge.save(ds.sel(individual=["mouse_b"]), tmp_path / "a.nwb")
    assert posebridge.save(ds.sel(individual=["mouse_a"]), path, append=True) == [path]
    with h5py.File(path) as h5:
        assert sorted(h5["general/devices"]) == ["side", "top"]  # reused, not made again
        assert sorted(h5["processing/behavior"]) == [
            "PoseEstimation_side",
            "PoseEstimation_side_mouse_a",
            "PoseEstimation_top",
            "PoseEstimation_top_mouse_a",
            "Skeletons",
        ]
    _assert_same_views(posebridge.load(path), ds)


def test_append_views_to_a_file_without_poses(tmp_path):
    import datetime as dt

    nwbfile = pynwb.NWBFile("session", "s-1", dt.datetime(2024, 1, 1, tzinfo=dt.UTC))
    path = tmp_path / "session.nwb"
    with pynwb.NWBHDF5IO(path, "w") as io:
        io.write(nwbfile)
    ds = _views_dataset()
    posebridge.save(ds, path, append=True)
    _assert_same_views(posebridge.load(path), ds)


@pytest.mark.parametrize(
    ("present", "appended", "message"),
    [
        (("top", "side"), ("side", "top"), r"select the file's views in its order first"),
        (("top", "side"), ("top", "front"), r"views 'top', 'side', and the dataset"),
        (None, ("top", "side"), r"holds poses without camera views.*append one view"),
        (("top", "side"), None, r"dataset holds poses without camera views"),
    ],
)
def test_append_with_other_views_is_refused_and_the_file_is_unchanged(
    tmp_path, present, appended, message
):
    first = _views_dataset(("mouse_b",), views=present or ("top",))
    if present is None:
        first = first.isel(view=0, drop=True)
    (path,) = posebridge.save(first, tmp_path / "a.nwb")
    second = _views_dataset(("mouse_a",), views=appended or ("top",))
    if appended is None:
        second = second.isel(view=0, drop=True)
    before = _sha(path)
    with pytest.raises(PoseBridgeError, match=message):
        posebridge.save(second, path, append=True)
    assert _sha(path) == before


# --------------------------------------------------------------------------
# reading: the view tags


def test_contradicting_view_tags_are_ignored_with_a_warning(tmp_path):
    ds = _views_dataset()
    (path,) = posebridge.save(ds, tmp_path / "t.nwb")
    with h5py.File(path, "r+") as h5:
        group = h5["processing/behavior/PoseEstimation_side"]
        text = group["description"].asstr()[()]
        del group["description"]
        group["description"] = text.replace("view 2/2: side", "view 1/2: side")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        back = posebridge.load(path)
    assert [str(w.message).split(": ", 1)[1][:48] for w in caught] == [
        "the posebridge view tags in the PoseEstimation d"
    ]  # the individual tags are kept: the two containers link two cameras
    assert sorted(back.view.values.tolist()) == ["side", "top"]  # from the devices
    np.testing.assert_array_equal(
        back.position.sel(view="side").values, ds.position.sel(view="side").values
    )


def test_the_view_tag_sits_before_the_individual_tag(tmp_path):
    ds = _views_dataset(("mouse_b", "mouse_a"))
    (path,) = posebridge.save(ds, tmp_path / "d.nwb", split_individuals=False)
    with h5py.File(path) as h5:
        text = h5["processing/behavior/PoseEstimation_side_mouse_a/description"].asstr()[()]
    assert text.endswith("[posebridge view 2/2: side] [posebridge individual 2/2: mouse_a]")
    assert "in camera view side" in text


def test_labelled_frames_with_views_are_refused_naming_them(tmp_path):
    """PoseTraining frames are one camera's images: a labels dataset with views gave
    numpy's raw 'axes don't match array' after a warning."""
    from posebridge.model import labels

    one = labels.from_numpy(np.ones((2, 2, 1, 1)), image_path=["a/img1.png", "a/img2.png"])
    both = xr.concat([one, one + 1], dim=model.VIEW).assign_coords({model.VIEW: ["top", "side"]})
    both = both.transpose(*one.position.dims, model.VIEW, ...)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(PoseBridgeError, match=r"2 camera views \(top, side\)"):
            posebridge.save(both, tmp_path / "l.nwb")
    assert list(tmp_path.iterdir()) == []


def _multi_camera_nwbfile():
    """ndx-pose 0.4's MultiCameraPoseEstimation as its mock makes it: two cameras'
    PoseEstimation (2-D, pixels) and 3 PoseEstimationSeries of its own (3-D,
    millimeters); and the (time, space, keypoint) positions of each."""
    pytest.importorskip("ndx_pose")
    from ndx_pose.testing.mock.pose import mock_MultiCameraPoseEstimation
    from pynwb.testing.mock.file import mock_NWBFile

    nwbfile = mock_NWBFile()
    multi = mock_MultiCameraPoseEstimation(nwbfile=nwbfile)

    def positions(container):
        series = list(container.pose_estimation_series.values())
        return np.stack([np.asarray(s.data[:]) for s in series], axis=-1)

    cameras = [positions(pe) for pe in multi.pose_estimations.values()]
    return nwbfile, positions(multi), cameras


def _read_multi_camera(tmp_path, how, **options):
    import pynwb

    nwbfile, own, cameras = _multi_camera_nwbfile()
    if how == "in-memory":
        return nwb.load_nwb_poses(nwbfile, **options), own, cameras
    path = tmp_path / "multi.nwb"
    with pynwb.NWBHDF5IO(str(path), "w") as io:
        io.write(nwbfile)
    reader = posebridge.open_dataset if how == "lazy" else posebridge.load
    return reader(path, **options), own, cameras


@pytest.mark.parametrize("how", ["eager", "lazy", "in-memory"])
def test_a_multi_camera_container_reads_its_own_3d_poses(tmp_path, how):
    """Its own 3-D series were dropped without a word (only its cameras' 2-D poses were
    read, as views): they are the poses read, x/y/z in their unit, with no view dim."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ds, own, _ = _read_multi_camera(tmp_path, how)
    assert own.shape[1] == 3 and "view" not in ds.dims
    assert ds.space.values.tolist() == ["x", "y", "z"]
    np.testing.assert_array_equal(ds.position.values[:, :, :, 0], own)
    assert ds.attrs["space_unit"] == "millimeters"
    assert ds.attrs["nwb_containers"] == "processing/behavior/MultiCameraPoseEstimation"


@pytest.mark.parametrize("how", ["eager", "lazy", "in-memory"])
def test_a_multi_camera_container_read_with_combine_views_gives_its_cameras(tmp_path, how):
    ds, _, cameras = _read_multi_camera(tmp_path, how, combine="views")
    assert ds.sizes["view"] == len(cameras) == 2 and ds.space.values.tolist() == ["x", "y"]
    for v, camera in enumerate(cameras):
        np.testing.assert_array_equal(ds.position.values[:, :, :, 0, v], camera)
    assert ds.attrs["space_unit"] == "pixels"


@pytest.mark.parametrize("how", ["eager", "lazy"])
def test_combine_views_of_two_multi_camera_animals_is_refused_not_made_one_animal(tmp_path, how):
    """Two animals' MultiCameraPoseEstimation, two cameras each: combine="views" made
    all four cameras views of one individual 'id_0', without a word."""
    import pynwb

    nwbfile = _two_animals_multi_camera_nwbfile()
    path = tmp_path / "two.nwb"
    with pynwb.NWBHDF5IO(str(path), "w") as io:
        io.write(nwbfile)
    reader = posebridge.open_dataset if how == "lazy" else posebridge.load

    with pytest.raises(PoseBridgeError, match="2 MultiCameraPoseEstimation containers") as error:
        reader(path, combine="views")

    assert str(path) in str(error.value) and "mouseA" in str(error.value)
    assert reader(path).individual.values.tolist() == ["mouseA", "mouseB"]


def _two_animals_multi_camera_nwbfile():
    """Two animals' MultiCameraPoseEstimation (mouseA, mouseB), each with cameras named
    cam1 and cam2 (x = 10 * animal + camera) and 3-D series of its own."""
    pytest.importorskip("ndx_pose")
    from ndx_pose import (
        MultiCameraPoseEstimation,
        PoseEstimation,
        PoseEstimationSeries,
        Skeleton,
        Skeletons,
    )
    from pynwb.testing.mock.file import mock_NWBFile

    nwbfile = mock_NWBFile()
    skeleton = Skeleton(name="sk", nodes=["nose", "tail"], edges=np.array([[0, 1]], "uint8"))
    devices = [nwbfile.create_device(name=f"camera{i}") for i in (1, 2)]
    module = nwbfile.create_processing_module(name="behavior", description="poses")
    module.add(Skeletons(skeletons=[skeleton]))

    def series(name: str, dims: int, unit: str, value: float) -> PoseEstimationSeries:
        return PoseEstimationSeries(name=name, data=np.full((5, dims), value), unit=unit,
                                    reference_frame="r", timestamps=np.arange(5) / 10.0,
                                    confidence=np.full(5, 0.9))  # fmt: skip

    for a, animal in enumerate(("mouseA", "mouseB")):
        cameras = [
            PoseEstimation(
                name=f"cam{c}",
                skeleton=skeleton,
                device=device,
                pose_estimation_series=[
                    series(n, 2, "pixels", 10 * a + c) for n in ("nose", "tail")
                ],
            )
            for c, device in enumerate(devices, start=1)
        ]
        module.add(MultiCameraPoseEstimation(
            name=animal, skeleton=skeleton, pose_estimations=cameras,
            pose_estimation_series=[series(n, 3, "mm", a) for n in ("nose", "tail")],
        ))  # fmt: skip
    return nwbfile


def test_an_in_memory_nwbfile_names_the_cameras_of_multi_camera_containers_by_path(tmp_path):
    """In memory, a camera of a MultiCameraPoseEstimation was named without its
    container's path (processing/behavior/cam1): two animals' cam1 clashed, and the key
    read from the file on disk (processing/behavior/mouseB/cam1) was not found."""
    import pynwb

    from posebridge.formats.nwb.locate import h5_info, object_info

    nwbfile = _two_animals_multi_camera_nwbfile()
    path = tmp_path / "two.nwb"
    with pynwb.NWBHDF5IO(str(path), "w") as io:
        io.write(_two_animals_multi_camera_nwbfile())
    with h5py.File(path) as h5:
        on_disk = [(c.path, c.module, c.multi_camera) for c in h5_info(h5).containers]
    in_memory = [(c.path, c.module, c.multi_camera) for c in object_info(nwbfile).containers]
    assert in_memory == on_disk
    assert "processing/behavior/mouseB/cam1" in [p for p, _, _ in in_memory]
    for source in (nwbfile, path):
        ds = nwb.load_nwb_poses(source, pose_estimation_key="processing/behavior/mouseB/cam1")
        assert ds.attrs["nwb_containers"] == "processing/behavior/mouseB/cam1"
        assert ds.position.values[0, 0, 0, 0] == 11.0  # mouseB (1), cam1 (1)


def test_describe_labels_a_multi_camera_container_by_its_type(tmp_path):
    """posebridge info called a MultiCameraPoseEstimation a PoseEstimation."""
    import pynwb

    nwbfile = _multi_camera_nwbfile()[0]  # imports ndx_pose before the writer's manager
    path = tmp_path / "multi.nwb"
    with pynwb.NWBHDF5IO(str(path), "w") as io:
        io.write(nwbfile)
    expected = []

    def visit(name, obj):
        kind = obj.attrs.get("neurodata_type")
        if kind in ("PoseEstimation", "MultiCameraPoseEstimation"):
            expected.append(f"{kind} {name}")

    with h5py.File(path) as h5:
        h5.visititems(visit)
    labels = [label for label, _ in nwb.describe(path)]
    assert sorted(labels) == sorted(expected)
    assert [label.split()[0] for label in labels].count("MultiCameraPoseEstimation") == 1
