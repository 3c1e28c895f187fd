"""NWB reader on files built here with pynwb + ndx-pose: layouts of other tools, bad input."""

from __future__ import annotations

import datetime as dt
import warnings

import h5py
import numpy as np
import pytest

import posebridge
from _corpus import corpus_path
from posebridge._files import Peek
from posebridge.errors import FormatError, PoseBridgeError
from posebridge.formats import nwb

pynwb = pytest.importorskip("pynwb")
ndx_pose = pytest.importorskip("ndx_pose")


def _nwbfile():
    return pynwb.NWBFile(
        session_description="built in a test",
        identifier="test-file",
        session_start_time=dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=dt.UTC),
    )


def _series(name, data, *, timestamps=None, rate=None, start=0.0, confidence=None, **extra):
    timing = {"timestamps": timestamps} if timestamps is not None else {}
    if rate is not None:
        timing = {"rate": rate, "starting_time": start}
    return ndx_pose.PoseEstimationSeries(
        name=name,
        data=data,
        confidence=confidence,
        **{"reference_frame": "top left", **timing, **extra},
    )


def _container(
    nwbfile, module, name, series, *, device=None, nodes=None, edges=None, description=None
):
    if module not in nwbfile.processing:
        nwbfile.create_processing_module(name=module, description="poses")
    kwargs = {}
    if nodes is not None:
        processing = nwbfile.processing[module]
        if "Skeletons" not in processing.data_interfaces:
            processing.add(ndx_pose.Skeletons())
        skeleton = ndx_pose.Skeleton(
            name=f"skeleton_{name}",
            nodes=nodes,
            edges=np.array(edges or [], dtype=np.uint8).reshape(-1, 2),
        )
        processing["Skeletons"].add_skeletons(skeleton)
        kwargs["skeleton"] = skeleton
    if device is not None:
        kwargs["device"] = (
            nwbfile.devices[device]
            if device in nwbfile.devices
            else nwbfile.create_device(name=device, description="camera")
        )
    if description is not None:
        kwargs["description"] = description
    container = ndx_pose.PoseEstimation(
        name=name, pose_estimation_series=series, source_software="Tool", **kwargs
    )
    nwbfile.processing[module].add(container)
    return container


def _save(nwbfile, path):
    with pynwb.NWBHDF5IO(path, "w") as io:
        io.write(nwbfile)
    return path


RNG = np.random.default_rng(7)


def test_sleap_io_style_tracks_combine_as_individuals_on_the_union_of_times(tmp_path):
    nwbfile = _nwbfile()
    a1, b1 = RNG.normal(size=(4, 2)), RNG.normal(size=(3, 2))
    a2 = RNG.normal(size=(2, 2))
    t_a1, t_b1, t_a2 = [0.0, 1.0, 2.0, 4.0], [1.0, 2.0, 4.0], [2.0, 3.0]
    _container(
        nwbfile,
        "SLEAP_VIDEO_000_clip",
        "track=1",
        [_series("A", a1, timestamps=t_a1), _series("B", b1, timestamps=t_b1)],
        device="camera_0",
    )
    _container(
        nwbfile,
        "SLEAP_VIDEO_000_clip",
        "track=2",
        [_series("A", a2, timestamps=t_a2)],
        device="camera_0",
    )
    ds = posebridge.load(_save(nwbfile, tmp_path / "tracks.nwb"))
    assert ds.individual.values.tolist() == ["1", "2"]
    assert ds.keypoint.values.tolist() == ["A", "B"]
    np.testing.assert_array_equal(ds.time.values, [0.0, 1.0, 2.0, 3.0, 4.0])
    np.testing.assert_array_equal(
        ds.position.sel(individual="1", keypoint="A").values,
        a1[[0, 1, 2, 2, 3]] * [[1], [1], [1], [np.nan], [1]],
    )
    np.testing.assert_array_equal(ds.position.sel(individual="2", keypoint="A").values[2:4], a2)
    assert np.isnan(ds.position.sel(individual="2", keypoint="B").values).all()
    assert ds.attrs["device"] == "camera_0"


def test_containers_with_their_own_cameras_become_views(tmp_path):
    nwbfile = _nwbfile()
    left, right = RNG.normal(size=(5, 2)), RNG.normal(size=(5, 2))
    _container(
        nwbfile, "behavior", "PoseEstimation_a", [_series("nose", left, rate=30.0)], device="left"
    )
    _container(
        nwbfile,
        "behavior",
        "PoseEstimation_b",
        [_series("nose", right, rate=30.0)],
        device="right",
    )
    ds = posebridge.load(_save(nwbfile, tmp_path / "cams.nwb"))
    assert ds.position.dims == ("time", "space", "keypoint", "individual", "view")
    assert ds.view.values.tolist() == ["left", "right"]
    np.testing.assert_array_equal(ds.position.sel(view="right").values[:, :, 0, 0], right)
    np.testing.assert_array_equal(ds.time.values, np.arange(5) / 30.0)
    assert ds.attrs["fps"] == 30.0


def test_ibl_style_camera_containers_become_views_with_their_own_keypoints(tmp_path):
    nwbfile = _nwbfile()
    body = RNG.normal(size=(3, 2))
    paw = RNG.normal(size=(3, 2))
    stamps = [0.5, 0.6, 0.75]
    _container(
        nwbfile, "behavior", "PoseEstimationLeftCamera", [_series("paw_l", paw, timestamps=stamps)]
    )
    _container(
        nwbfile,
        "behavior",
        "PoseEstimationBodyCamera",
        [_series("tail_start", body, timestamps=stamps)],
    )
    ds = posebridge.load(_save(nwbfile, tmp_path / "ibl.nwb"))
    assert sorted(ds.view.values.tolist()) == ["BodyCamera", "LeftCamera"]
    assert set(ds.keypoint.values.tolist()) == {"paw_l", "tail_start"}
    np.testing.assert_array_equal(ds.time.values, stamps)
    assert np.isnan(ds.position.sel(view="BodyCamera", keypoint="paw_l")).all()
    one = posebridge.load(tmp_path / "ibl.nwb", pose_estimation_key="PoseEstimationBodyCamera")
    assert "view" not in one.dims
    np.testing.assert_array_equal(one.position.values[:, :, 0, 0], body)


def test_containers_that_cannot_be_told_apart_raise_a_listing_error(tmp_path):
    nwbfile = _nwbfile()
    first, second = RNG.normal(size=(3, 2)), RNG.normal(size=(3, 2))
    _container(nwbfile, "behavior", "PoseEstimation", [_series("k", first, rate=10.0)])
    _container(nwbfile, "other", "PoseEstimation", [_series("k", second, rate=10.0)])
    path = _save(nwbfile, tmp_path / "two.nwb")
    with pytest.raises(FormatError, match="cannot tell") as error:
        posebridge.load(path)
    assert "processing/behavior/PoseEstimation" in str(error.value)
    assert "processing/other/PoseEstimation" in str(error.value)
    assert "pose_estimation_key" in str(error.value)
    picked = nwb.load_nwb_poses(path, processing_module_key="other")
    np.testing.assert_array_equal(picked.position.values[:, :, 0, 0], second)
    both = nwb.load_nwb_poses(path, combine="individuals")
    assert both.individual.values.tolist() == [
        "processing/behavior/PoseEstimation",
        "processing/other/PoseEstimation",
    ]
    by_path = nwb.load_nwb_poses(path, pose_estimation_key="processing/other/PoseEstimation")
    np.testing.assert_array_equal(by_path.position.values[:, :, 0, 0], second)
    with pytest.raises(FormatError, match="no PoseEstimation named 'nope'"):
        nwb.load_nwb_poses(path, pose_estimation_key="nope")


def test_keys_given_as_the_default_names_pick_exactly_that_container(tmp_path):
    """processing_module_key='behavior' and pose_estimation_key='PoseEstimation' were taken
    for 'not given': every container was read, and the listing error's advice to pass
    them changed nothing."""
    nwbfile = _nwbfile()
    body, face = RNG.normal(size=(5, 2)), RNG.normal(size=(8, 2))
    _container(nwbfile, "behavior", "PoseEstimation", [_series("nose", body, rate=30.0)])
    _container(nwbfile, "behavior", "PoseEstimationFace", [_series("eye", face, rate=30.0)])
    _container(nwbfile, "pose", "PoseEstimation", [_series("nose", face, rate=30.0)])
    path = _save(nwbfile, tmp_path / "three.nwb")
    keys = {"processing_module_key": "behavior", "pose_estimation_key": "PoseEstimation"}
    for read in (nwb.load_nwb_poses, posebridge.load):
        picked = read(path, **keys)
        assert picked.keypoint.values.tolist() == ["nose"] and picked.sizes["time"] == 5
        np.testing.assert_array_equal(picked.position.values[:, :, 0, 0], body)
    from posebridge.io import load_poses

    picked = load_poses.from_nwb_file(path)  # movement's defaults: that container too
    np.testing.assert_array_equal(picked.position.values[:, :, 0, 0], body)
    in_behavior = nwb.load_nwb_poses(path, processing_module_key="behavior")
    assert sorted(in_behavior.keypoint.values.tolist()) == ["eye", "nose"]


def test_the_drop_in_reads_every_container_when_the_default_one_is_absent(tmp_path):
    from posebridge.io import load_poses

    nwbfile = _nwbfile()
    first, second = RNG.normal(size=(3, 2)), RNG.normal(size=(3, 2))
    _container(nwbfile, "behavior", "PoseEstimation_a", [_series("k", first, rate=10.0)])
    _container(nwbfile, "behavior", "PoseEstimation_b", [_series("k", second, rate=10.0)])
    path = _save(nwbfile, tmp_path / "two.nwb")
    assert load_poses.from_nwb_file(path).sizes["individual"] == 2
    with pytest.raises(KeyError):
        load_poses.from_nwb_file(path, pose_estimation_key="PoseEstimation_c")


def test_dlc2nwb_individual_prefix_is_stripped_in_skeleton_order(tmp_path):
    nwbfile = _nwbfile()
    nodes = ["ind1_snout", "ind1_tail", "ind1_ear"]
    data = {n: RNG.normal(size=(4, 2)) for n in nodes}
    series = [_series(n, data[n], timestamps=np.arange(4.0)) for n in sorted(nodes)]
    _container(nwbfile, "behavior", "PoseEstimation", series, nodes=nodes, edges=[[0, 1]])
    ds = posebridge.load(_save(nwbfile, tmp_path / "dlc.nwb"))
    assert ds.keypoint.values.tolist() == ["snout", "tail", "ear"]
    assert ds.individual.values.tolist() == ["ind1"]
    assert ds.skeleton_edges.values.tolist() == [["snout", "tail"]]
    np.testing.assert_array_equal(
        ds.position.sel(keypoint="ear").values[:, :, 0], data["ind1_ear"]
    )


@pytest.mark.parametrize("skeleton", [True, False])
def test_a_container_per_individual_with_its_name_on_each_series(tmp_path, skeleton):
    """``PoseEstimation_mouseA`` holding ``mouseA_nose``, ``mouseA_tail`` (a lab's script)."""
    nwbfile = _nwbfile()
    data = {}
    for individual in ("mouseA", "mouseB"):
        names = [f"{individual}_{part}" for part in ("nose", "tail")]
        data.update({n: RNG.normal(size=(3, 2)) for n in names})
        series = [_series(n, data[n], rate=30.0) for n in names]
        nodes = {"nodes": ["nose", "tail"], "edges": [[0, 1]]} if skeleton else {}
        _container(nwbfile, "behavior", f"PoseEstimation_{individual}", series, **nodes)
    ds = posebridge.load(_save(nwbfile, tmp_path / "labs.nwb"))
    assert ds.individual.values.tolist() == ["mouseA", "mouseB"]
    assert ds.keypoint.values.tolist() == ["nose", "tail"]
    np.testing.assert_array_equal(
        ds.position.sel(keypoint="tail", individual="mouseB").values, data["mouseB_tail"]
    )
    if skeleton:
        assert ds.skeleton_edges.values.tolist() == [["nose", "tail"]]


@pytest.mark.parametrize("layout", ["posebridge", "sleap-io"])
@pytest.mark.parametrize(
    "keypoints", [["left_ear", "left_paw"], ["mouse1_nose", "mouse1_tail"], ["ind1_a", "ind1_b"]]
)
def test_keypoints_starting_with_an_individuals_name_keep_it(tmp_path, layout, keypoints):
    """Individual 'left', keypoints 'left_ear', 'left_paw': our own containers (and
    sleap-io's track=left) are named after the individual, and the names stay whole; so
    do names that look like dlc2nwb's individual prefix (mouse1_, ind1_)."""
    position = RNG.normal(size=(3, 2, 2, 2))
    ds = posebridge.from_numpy(
        position, keypoint_names=keypoints, individual_names=["left", "right"]
    )
    (out,) = posebridge.save(ds, tmp_path / "left.nwb", split_individuals=False, layout=layout)
    back = posebridge.load(out)
    assert back.keypoint.values.tolist() == keypoints
    np.testing.assert_array_equal(back.position.sel(individual="left").values, position[..., 0])


def test_series_in_different_units_are_read_with_a_warning_and_no_space_unit(tmp_path):
    nwbfile = _nwbfile()
    series = [
        _series("nose", RNG.normal(size=(3, 2)), rate=30.0, unit="pixels"),
        _series("tail", RNG.normal(size=(3, 2)), rate=30.0, unit="mm"),
    ]
    _container(nwbfile, "behavior", "PoseEstimation", series)
    with pytest.warns(UserWarning, match=r"different units \(pixels: nose; mm: tail\)"):
        ds = posebridge.load(_save(nwbfile, tmp_path / "units.nwb"))
    assert "space_unit" not in ds.attrs


def test_series_in_spellings_of_one_unit_read_as_that_unit(tmp_path):
    """Series in "px" and "pixels" (another tool's file, or an append before the
    appender wrote the file's spelling) read as "different units", losing space_unit
    (h124 item 2)."""
    nwbfile = _nwbfile()
    series = [
        _series("nose", RNG.normal(size=(3, 2)), rate=30.0, unit="px"),
        _series("tail", RNG.normal(size=(3, 2)), rate=30.0, unit="pixels"),
    ]
    _container(nwbfile, "behavior", "PoseEstimation", series)
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        ds = posebridge.load(_save(nwbfile, tmp_path / "units.nwb"))
    assert ds.attrs["space_unit"] == "pixels"


def test_shared_prefix_that_is_not_an_individual_is_kept(tmp_path):
    nwbfile = _nwbfile()
    series = [_series(n, RNG.normal(size=(2, 2)), rate=1.0) for n in ("left_ear", "left_paw")]
    _container(nwbfile, "behavior", "PoseEstimation", series)
    ds = posebridge.load(_save(nwbfile, tmp_path / "left.nwb"))
    assert ds.keypoint.values.tolist() == ["left_ear", "left_paw"]


def test_mixed_2d_and_3d_series_give_3d_with_nan_z_and_a_warning(tmp_path):
    nwbfile = _nwbfile()
    flat, deep = RNG.normal(size=(3, 2)), RNG.normal(size=(3, 3))
    _container(
        nwbfile,
        "behavior",
        "PoseEstimation",
        [_series("flat", flat, rate=5.0), _series("deep", deep, rate=5.0)],
        nodes=["flat", "deep"],
    )
    path = _save(nwbfile, tmp_path / "mixed.nwb")
    with pytest.warns(UserWarning, match="mixed 2D and 3D"):
        ds = posebridge.load(path)
    assert ds.space.values.tolist() == ["x", "y", "z"]
    np.testing.assert_array_equal(ds.position.sel(keypoint="deep").values[:, :, 0], deep)
    np.testing.assert_array_equal(
        ds.position.sel(keypoint="flat", space=["x", "y"]).values[:, :, 0], flat
    )
    assert np.isnan(ds.position.sel(keypoint="flat", space="z")).all()


def test_empty_container_gives_an_empty_dataset_with_a_warning(tmp_path):
    nwbfile = _nwbfile()
    _container(nwbfile, "behavior", "PoseEstimation", [])
    path = _save(nwbfile, tmp_path / "empty.nwb")
    with pytest.warns(UserWarning, match="no pose samples"):
        ds = posebridge.load(path)
    assert ds.sizes["time"] == 0 and ds.sizes["keypoint"] == 0


def test_conversion_offset_and_stored_times_are_applied_exactly(tmp_path):
    nwbfile = _nwbfile()
    raw = RNG.integers(0, 1000, size=(4, 2)).astype(np.float64)
    stamps = np.array([0.1, 0.25, 0.2500001, 7.0])
    conf = RNG.uniform(size=4)
    _container(
        nwbfile,
        "behavior",
        "PoseEstimation",
        [_series("k", raw, timestamps=stamps, confidence=conf, conversion=0.5, offset=2.0)],
    )
    ds = posebridge.load(_save(nwbfile, tmp_path / "conv.nwb"))
    np.testing.assert_array_equal(ds.position.values[:, :, 0, 0], raw * 0.5 + 2.0)
    np.testing.assert_array_equal(ds.time.values, stamps)
    np.testing.assert_array_equal(ds.confidence.values[:, 0, 0], conf)
    assert "fps" not in ds.attrs


def test_rate_based_foreign_series_give_start_plus_arange_over_rate(tmp_path):
    nwbfile = _nwbfile()
    _container(
        nwbfile,
        "behavior",
        "PoseEstimation",
        [_series("k", RNG.normal(size=(6, 2)), rate=29.97, start=12.5)],
    )
    ds = posebridge.load(_save(nwbfile, tmp_path / "rate.nwb"))
    np.testing.assert_array_equal(ds.time.values, 12.5 + np.arange(6) / 29.97)
    assert ds.attrs["fps"] == 29.97 and ds.attrs["source_software"] == "Tool"


def test_a_series_starting_half_way_between_frames_writes_a_frame_per_step(tmp_path):
    nwbfile = _nwbfile()
    data = RNG.normal(size=(6, 2))
    _container(nwbfile, "behavior", "PoseEstimation", [_series("k", data, rate=25.0, start=1.5)])
    ds = posebridge.load(_save(nwbfile, tmp_path / "half.nwb"))
    (out,) = posebridge.save(ds, tmp_path / "half.slp")  # one row per frame: 38, 39, ...
    back = posebridge.load(out)
    assert back.time.values.tolist() == list(range(38, 44))
    np.testing.assert_array_equal(back.position.values[:, :, 0, 0], data)
    (again,) = posebridge.save(ds, tmp_path / "again.nwb")
    assert posebridge.load(again).frame.values.tolist() == list(range(38, 44))


def test_subject_becomes_the_individual_and_attrs(tmp_path):
    nwbfile = _nwbfile()
    nwbfile.subject = pynwb.file.Subject(subject_id="M9", species="Mus musculus", sex="F")
    _container(
        nwbfile, "behavior", "PoseEstimation", [_series("k", RNG.normal(size=(2, 2)), rate=1.0)]
    )
    ds = posebridge.load(_save(nwbfile, tmp_path / "subject.nwb"))
    assert ds.individual.values.tolist() == ["M9"]
    assert ds.attrs["subject_species"] == "Mus musculus" and ds.attrs["subject_sex"] == "F"


# --------------------------------------------------------------------------
# bad input


@pytest.mark.parametrize(
    ("content", "match"),
    [
        (b"scorer,bodyparts\n1,2\n", "expected an HDF5 file"),
        (b"\x89HDF\r\n\x1a\n\x00\x00 truncated", "not a readable HDF5"),
    ],
)
def test_files_that_are_not_hdf5_raise_format_error_naming_the_file(tmp_path, content, match):
    path = tmp_path / "bad.nwb"
    path.write_bytes(content)
    with pytest.raises(FormatError, match=match) as error:
        posebridge.load(path, format="nwb")
    assert "bad.nwb" in str(error.value)
    with pytest.raises(PoseBridgeError, match="bad.nwb"):
        posebridge.load(path)


def test_hdf5_that_is_not_nwb_is_refused(tmp_path):
    path = tmp_path / "plain.nwb"
    with h5py.File(path, "w") as h5:
        h5["data"] = np.zeros(3)
    with pytest.raises(FormatError, match="not an NWB file"):
        posebridge.load(path, format="nwb")
    assert not nwb.sniff(Peek(path))


def test_nwb_without_pose_data_is_refused_naming_the_modules(tmp_path):
    nwbfile = _nwbfile()
    module = nwbfile.create_processing_module(name="ecephys", description="not poses")
    module.add(pynwb.TimeSeries(name="ts", data=np.zeros(3), unit="V", rate=1.0))
    path = _save(nwbfile, tmp_path / "nopose.nwb")
    with pytest.raises(FormatError, match=r"no ndx-pose PoseEstimation.*ecephys"):
        posebridge.load(path)
    assert nwb.describe(path) == []


def test_unknown_combine_choice_is_refused(tmp_path):
    nwbfile = _nwbfile()
    for name in ("PoseEstimation_a", "PoseEstimation_b"):
        _container(nwbfile, "behavior", name, [_series("k", RNG.normal(size=(2, 2)), rate=1.0)])
    with pytest.raises(FormatError, match="combine must be one of"):
        posebridge.load(_save(nwbfile, tmp_path / "c.nwb"), combine="stack")


def test_ibl_lightning_pose_module_with_one_container_per_camera(tmp_path):
    nwbfile = _nwbfile()
    left, right = RNG.normal(size=(4, 2)), RNG.normal(size=(4, 2))
    stamps = [0.0, 0.016, 0.033, 0.05]
    _container(
        nwbfile,
        "pose_estimation",
        "LeftCamera",
        [_series("PoseEstimationSeriesNoseTip", left, timestamps=stamps)],
    )
    _container(
        nwbfile,
        "pose_estimation",
        "RightCamera",
        [_series("PoseEstimationSeriesNoseTip", right, timestamps=stamps)],
    )
    path = _save(nwbfile, tmp_path / "lp.nwb")
    ds = posebridge.load(path)
    assert ds.view.values.tolist() == ["LeftCamera", "RightCamera"]
    np.testing.assert_array_equal(ds.position.sel(view="RightCamera").values[:, :, 0, 0], right)
    only = nwb.load_nwb_poses(path, "pose_estimation", "LeftCamera")
    np.testing.assert_array_equal(only.position.values[:, :, 0, 0], left)


def _one_container_file(path):
    """Two series (rate, confidence) and a skeleton with edges, as ndx-pose writes them."""
    nwbfile = _nwbfile()
    series = [
        _series(name, RNG.normal(size=(5, 2)), rate=10.0, confidence=np.ones(5))
        for name in ("nose", "tail")
    ]
    _container(nwbfile, "behavior", "PoseEstimation", series, nodes=["nose", "tail"], edges=[0, 1])
    return _save(nwbfile, path)


def _replace(path, name, value):
    with h5py.File(path, "r+") as h5:
        attrs = dict(h5[name].attrs)
        del h5[name]
        h5[name] = value
        h5[name].attrs.update(attrs)


SERIES = "processing/behavior/PoseEstimation/nose"


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        (f"{SERIES}/data", np.bytes_("x"), r"PoseEstimation/nose has data of shape \(\)"),
        (f"{SERIES}/data", np.full((5, 2), b"a"), r"nose has data .*expected numbers"),
        (f"{SERIES}/confidence", np.ones(3), r"nose has confidence of shape \(3,\)"),
        (f"{SERIES}/confidence", np.full(5, b"a"), r"nose has confidence of shape \(5,\) \(\|S1"),
        (f"{SERIES}/starting_time", np.zeros(2), r"nose/starting_time: expected one number"),
        (
            "processing/behavior/Skeletons/skeleton_PoseEstimation/edges",
            np.array([0, 1, 1], dtype=np.uint8),
            r"skeleton_PoseEstimation/edges: expected \(n, 2\) node indices",
        ),
    ],
)
def test_malformed_series_and_skeletons_are_refused_naming_them(tmp_path, name, value, message):
    """Found by fuzzing the file's structure: numpy's IndexError/TypeError/ValueError escaped."""
    path = _one_container_file(tmp_path / "bad.nwb")
    assert posebridge.load(path).sizes["time"] == 5  # as built, the file reads
    _replace(path, name, value)
    for how in (posebridge.load, posebridge.open_dataset):
        with pytest.raises(FormatError, match=message) as error:
            how(path).load()
        assert "bad.nwb" in str(error.value)


@pytest.mark.parametrize("stamps", [np.float64(3.0), np.zeros((3, 2)), np.array([b"a", b"b"])])
def test_describe_skips_the_time_range_of_timestamps_that_are_not_one_per_sample(tmp_path, stamps):
    """Found by fuzzing `posebridge info`: scalar timestamps raised a numpy ValueError from
    describe; load refuses the file, describe shows what it can."""
    nwbfile = _nwbfile()
    series = [_series("nose", RNG.random((3, 2)), timestamps=np.arange(3.0))]
    _container(nwbfile, "behavior", "PoseEstimation", series)
    path = _save(nwbfile, tmp_path / "s.nwb")
    before = dict(nwb.describe(path))["PoseEstimation processing/behavior/PoseEstimation"]
    assert before.endswith(", 0.000-2.000 s; by Tool")
    with h5py.File(path, "r+") as h5:
        group = h5["processing/behavior/PoseEstimation/nose"]
        del group["timestamps"]
        group["timestamps"] = stamps
    rows = dict(nwb.describe(path))
    assert rows["PoseEstimation processing/behavior/PoseEstimation"] == before.replace(
        ", 0.000-2.000 s", ""
    )
    with pytest.raises(FormatError, match="s.nwb"):
        posebridge.load(path)


@pytest.mark.parametrize("attribute", ["conversion", "offset"])
@pytest.mark.parametrize("value", ["", np.array([1.0, 2.0])])
def test_a_conversion_or_offset_that_is_not_one_number_is_refused_naming_it(
    tmp_path, attribute, value
):
    """Found by fuzzing: conversion '' raised a raw ValueError from float()."""
    nwbfile = _nwbfile()
    _container(
        nwbfile, "behavior", "PoseEstimation", [_series("nose", RNG.random((3, 2)), rate=30.0)]
    )
    path = _save(nwbfile, tmp_path / "s.nwb")
    with h5py.File(path, "r+") as h5:
        h5["processing/behavior/PoseEstimation/nose/data"].attrs[attribute] = value
    for read in (posebridge.load, posebridge.open_dataset):
        with pytest.raises(FormatError, match=rf"nose/data: the '{attribute}' attribute is"):
            read(path)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_samples_without_a_valid_timestamp_are_left_out_with_a_warning(tmp_path, bad):
    """A NaN or infinite time places a sample nowhere: it is left out, never given a time."""
    nwbfile = _nwbfile()
    values = RNG.normal(size=(5, 2))
    stamps = np.array([0.0, 0.1, 0.2, 0.3, 0.4])
    _container(nwbfile, "behavior", "PoseEstimation", [_series("k", values, timestamps=stamps)])
    path = _save(nwbfile, tmp_path / "times.nwb")
    stamps[2] = bad
    with h5py.File(path, "r+") as h5:
        h5["processing/behavior/PoseEstimation/k/timestamps"][...] = stamps
    with pytest.warns(UserWarning, match=r"1 samples have no valid timestamp \(NaN or infinite\)"):
        ds = posebridge.load(path)
    assert ds.time.values.tolist() == [0.0, 0.1, 0.3, 0.4]
    np.testing.assert_array_equal(ds.position.values[:, :, 0, 0], values[[0, 1, 3, 4]])


def test_a_session_start_time_that_is_not_iso_8601_is_left_out_with_a_warning(tmp_path):
    """A damaged start time ('3.0') was kept as text, so converting the file to NWB failed
    with an error naming neither file."""
    ds = posebridge.from_numpy(np.ones((4, 2, 2, 1)), fps=10)
    (path,) = posebridge.save(ds, tmp_path / "a.nwb")
    with h5py.File(path, "r+") as h5:
        del h5["session_start_time"]
        h5["session_start_time"] = b"3.0"
    for read in (posebridge.load, posebridge.open_dataset):
        with pytest.warns(UserWarning, match=r"a\.nwb: session_start_time '3\.0' is not an ISO"):
            back = read(path)
        assert "session_start_time" not in back.attrs
        np.testing.assert_array_equal(back.position.values, ds.position.values)
    with pytest.warns(UserWarning, match="not an ISO"):
        (out,) = posebridge.convert(path, tmp_path / "b.nwb", split_individuals=False)
    with h5py.File(out) as h5:
        assert dt.datetime.fromisoformat(h5["session_start_time"][()].decode())


@pytest.mark.parametrize(
    "spell",
    [
        lambda node: node.replace("_", " ").title().replace(" ", ""),  # LeftEar
        lambda node: node.capitalize(),  # Left_ear
        lambda node: node.replace("_", "-"),  # left-ear
    ],
)
def test_neuroconv_series_names_read_as_the_skeleton_nodes_in_their_order(spell, tmp_path):
    """NeuroConv names each series PoseEstimationSeries<body part respelled> while the
    Skeleton's nodes hold the body parts: the keypoints were the series names, sorted,
    and every skeleton edge was dropped without a word."""
    nodes = ["snout", "tail_base", "left_ear"]
    data = RNG.uniform(0, 100, (3, 5, 2))
    nwbfile = _nwbfile()
    series = [
        _series(f"PoseEstimationSeries{spell(node)}", data[k], rate=30.0)
        for k, node in enumerate(nodes)
    ]
    _container(nwbfile, "behavior", "PoseEstimation", series, nodes=nodes, edges=[[0, 1], [0, 2]])
    ds = posebridge.load(_save(nwbfile, tmp_path / "neuroconv.nwb"))
    assert ds.keypoint.values.tolist() == nodes
    for k, node in enumerate(nodes):
        np.testing.assert_allclose(
            ds.position.sel(keypoint=node).squeeze("individual").values, data[k]
        )
    assert ds.skeleton_edges.values.tolist() == [["snout", "tail_base"], ["snout", "left_ear"]]


def test_series_that_do_not_match_the_nodes_one_to_one_keep_their_names(tmp_path):
    nwbfile = _nwbfile()
    series = [
        _series(name, RNG.uniform(0, 9, (4, 2)), rate=30.0)
        for name in ("PoseEstimationSeriesSnout", "PoseEstimationSeriesTail")
    ]
    _container(nwbfile, "behavior", "PoseEstimation", series, nodes=["snout", "ear"])
    ds = posebridge.load(_save(nwbfile, tmp_path / "other.nwb"))
    assert sorted(ds.keypoint.values.tolist()) == [
        "PoseEstimationSeriesSnout",
        "PoseEstimationSeriesTail",
    ]


def test_skeleton_edges_that_join_no_keypoints_are_dropped_with_a_warning(tmp_path):
    nwbfile = _nwbfile()
    nodes = ["snout", "tail", "ear"]
    series = [_series(n, RNG.normal(size=(4, 2)), timestamps=np.arange(4.0)) for n in nodes]
    edges = [[0, 1], [1, 7]]  # node 7 is not in the Skeleton
    _container(nwbfile, "behavior", "PoseEstimation", series, nodes=nodes, edges=edges)
    path = _save(nwbfile, tmp_path / "edges.nwb")
    with pytest.warns(UserWarning, match=r"edges\.nwb: 1 of the 2 skeleton edges.*\('tail', 7\)"):
        ds = posebridge.load(path)
    assert ds.skeleton_edges.values.tolist() == [["snout", "tail"]]


SESSION_METADATA = {
    "experimenter": ["Smith, Jane", "Doe, Al"],
    "lab": "Motor Lab",
    "institution": "Some University",
    "keywords": ["mouse", "open field"],
    "experiment_description": "Open-field exploration.",
    "session_id": "ses-01",
}


def _file_with_session_metadata(path):
    nwbfile = pynwb.NWBFile(
        session_description="built in a test",
        identifier="meta",
        session_start_time=dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=dt.UTC),
        **SESSION_METADATA,
    )
    nwbfile.create_device(name="cam", description="top camera", manufacturer="Acme")
    series = [_series("snout", RNG.normal(size=(4, 2)), rate=30.0)]
    _container(nwbfile, "behavior", "PoseEstimation", series, device="cam")
    return _save(nwbfile, path)


def _general(path):
    with pynwb.NWBHDF5IO(path, "r") as io:
        nwbfile = io.read()
        found = {key: getattr(nwbfile, key) for key in SESSION_METADATA}
        found["keywords"] = list(found["keywords"][:])
        found["experimenter"] = list(found["experimenter"])
        device = nwbfile.devices["cam"]
        # the Device's own (deprecated) manufacturer, else its DeviceModel's (posebridge's)
        made_by = device.manufacturer or (device.model.manufacturer if device.model else None)
        return found, (device.description, made_by)


def test_nwb_rewritten_keeps_session_metadata_and_the_cameras_details(tmp_path):
    source = _file_with_session_metadata(tmp_path / "in.nwb")
    ds = posebridge.load(source)
    assert ds.attrs["experimenter"] == SESSION_METADATA["experimenter"]
    posebridge.save(ds, tmp_path / "out.nwb")
    assert _general(tmp_path / "out.nwb") == _general(source)
    # through netCDF too (a list of one experimenter comes back as one text)
    one = ds.assign_attrs(experimenter=["Smith, Jane"])
    posebridge.save(one, tmp_path / "x.nc")
    posebridge.save(posebridge.load(tmp_path / "x.nc"), tmp_path / "via_nc.nwb")
    assert _general(tmp_path / "via_nc.nwb")[0]["experimenter"] == ["Smith, Jane"]


def test_metadata_given_when_writing_wins_over_what_was_read(tmp_path):
    ds = posebridge.load(_file_with_session_metadata(tmp_path / "in.nwb"))
    config = {"nwbfile": {"lab": "Other Lab"}, "device": {"description": "side camera"}}
    posebridge.save(ds, tmp_path / "out.nwb", config=config)
    general, device = _general(tmp_path / "out.nwb")
    assert general["lab"] == "Other Lab" and general["session_id"] == "ses-01"
    assert device[0] == "side camera"


def test_a_series_with_a_negative_rate_is_left_out_naming_that_rate(tmp_path):
    # pynwb refuses a negative rate when building a series; another tool (or damage) may
    # store one all the same
    nwbfile = _nwbfile()
    series = [
        _series("snout", RNG.normal(size=(4, 2)), rate=30.0),
        _series("tail", RNG.normal(size=(4, 2)), rate=30.0),
    ]
    _container(nwbfile, "behavior", "PoseEstimation", series)
    path = _save(nwbfile, tmp_path / "negative.nwb")
    with h5py.File(path, "a") as h5:
        h5["processing/behavior/PoseEstimation/tail/starting_time"].attrs["rate"] = -30.0
    with pytest.warns(UserWarning, match=r"PoseEstimation/tail \(a rate of -30 with 4 samples\)"):
        ds = posebridge.load(path)
    assert np.isnan(ds.position.sel(keypoint="tail").values).all()
    np.testing.assert_array_equal(ds.time.values, np.arange(4) / 30.0)


def test_a_series_whose_rate_overflows_its_times_is_left_out_naming_that_rate(tmp_path):
    # 1 / 1e-308 overflows: the samples' times (start + k / rate) are infinite, which gave
    # an error about the 'frame' coordinate instead of naming the series
    nwbfile = _nwbfile()
    series = [
        _series("snout", RNG.normal(size=(4, 2)), rate=30.0),
        _series("tail", RNG.normal(size=(4, 2)), rate=1e-308),
    ]
    _container(nwbfile, "behavior", "PoseEstimation", series)
    expected = r"PoseEstimation/tail \(a rate of 1e-308 with 4 samples.*not finite"
    with pytest.warns(UserWarning, match=expected) as said:  # in memory
        ds = nwb.load_nwb_poses(nwbfile)
    # not sleap-io's sparse track (a rate of 0): that is not named as the cause
    assert not [w for w in said if "sleap-io writes a sparse track" in str(w.message)]
    assert np.isnan(ds.position.sel(keypoint="tail").values).all()
    path = _save(nwbfile, tmp_path / "tiny.nwb")
    with pytest.warns(UserWarning, match=expected):  # on disk
        ds = posebridge.load(path)
    assert np.isnan(ds.position.sel(keypoint="tail").values).all()
    np.testing.assert_array_equal(ds.time.values, np.arange(4) / 30.0)
    np.testing.assert_array_equal(
        ds.position.sel(keypoint="snout").values[..., 0], series[0].data[:]
    )


def test_a_series_of_rate_0_is_left_out_naming_sleap_ios_sparse_tracks():
    nwbfile = _nwbfile()
    series = [
        _series("snout", RNG.normal(size=(4, 2)), rate=30.0),
        _series("tail", RNG.normal(size=(2, 2)), rate=0.0),  # as sleap-io writes a sparse track
    ]
    _container(nwbfile, "behavior", "PoseEstimation", series)
    expected = r"PoseEstimation/tail \(a rate of 0 with 2 samples.*sleap-io writes a sparse"
    with pytest.warns(UserWarning, match=expected):
        nwb.load_nwb_poses(nwbfile)


def test_a_subjects_date_of_birth_is_written_back(tmp_path):
    """A Subject dated only by its birth: without it, DANDI's check is CRITICAL."""
    nwbfile = _nwbfile()
    born = dt.datetime(2023, 10, 1, tzinfo=dt.UTC)
    nwbfile.subject = pynwb.file.Subject(subject_id="M9", species="Mus musculus", sex="F",
                                         date_of_birth=born)  # fmt: skip
    _container(
        nwbfile, "behavior", "PoseEstimation", [_series("k", RNG.normal(size=(2, 2)), rate=1.0)]
    )
    ds = posebridge.load(_save(nwbfile, tmp_path / "born.nwb"))
    (out,) = posebridge.save(ds, tmp_path / "out.nwb")
    (appended,) = posebridge.save(ds, _save(_nwbfile(), tmp_path / "bare.nwb"), append=True)
    for path in (out, appended):
        with pynwb.NWBHDF5IO(path, "r") as io:
            assert io.read().subject.date_of_birth == born


def test_a_date_of_birth_that_is_not_iso_8601_is_left_out_with_a_warning(tmp_path):
    """Written back, it made every NWB write fail."""
    nwbfile = _nwbfile()
    nwbfile.subject = pynwb.file.Subject(subject_id="M9", species="Mus musculus", sex="F",
                                         age="P90D")  # fmt: skip
    _container(
        nwbfile, "behavior", "PoseEstimation", [_series("k", RNG.normal(size=(2, 2)), rate=1.0)]
    )
    path = _save(nwbfile, tmp_path / "month.nwb")
    with h5py.File(path, "a") as h5:
        h5["general/subject"].create_dataset("date_of_birth", data="2023-10")  # a month only
    with pytest.warns(UserWarning, match=r"date_of_birth '2023-10' is not an ISO 8601"):
        ds = posebridge.load(path)
    assert "subject_date_of_birth" not in ds.attrs
    (out,) = posebridge.save(ds, tmp_path / "out.nwb")
    assert posebridge.load(out).attrs["subject_id"] == "M9"


def _reference_times(path):
    with h5py.File(path, "r") as h5:
        return (
            h5["session_start_time"][()].decode(),
            h5["timestamps_reference_time"][()].decode(),
            float(h5["processing/poses/PoseEstimation/nose/starting_time"][()])
            if "processing/poses" in h5
            else float(h5["processing/behavior/PoseEstimation/nose/starting_time"][()]),
        )


def test_timestamps_reference_time_survives_nwb_and_netcdf_round_trips(tmp_path):
    nwbfile = pynwb.NWBFile(
        session_description="built in a test",
        identifier="test-file",
        session_start_time=dt.datetime(2024, 1, 1, 2, 30, tzinfo=dt.UTC),
        timestamps_reference_time=dt.datetime(2024, 1, 1, 2, 30, 1, tzinfo=dt.UTC),
    )
    _container(nwbfile, "poses", "PoseEstimation", [_series("nose", np.ones((4, 2)), rate=30.0)])
    source = tmp_path / "in.nwb"
    with pynwb.NWBHDF5IO(source, "w") as io:
        io.write(nwbfile)
    ds = posebridge.load(source)
    assert ds.attrs["timestamps_reference_time"] == "2024-01-01T02:30:01+00:00"
    posebridge.save(ds, tmp_path / "out.nwb")
    assert _reference_times(tmp_path / "out.nwb") == _reference_times(source)
    posebridge.save(ds, tmp_path / "x.nc")
    posebridge.save(posebridge.load(tmp_path / "x.nc"), tmp_path / "via_nc.nwb")
    assert _reference_times(tmp_path / "via_nc.nwb") == _reference_times(source)


def test_a_reference_time_that_is_the_session_start_is_not_kept(tmp_path):
    nwbfile = _nwbfile()
    _container(nwbfile, "poses", "PoseEstimation", [_series("nose", np.ones((4, 2)), rate=30.0)])
    with pynwb.NWBHDF5IO(tmp_path / "in.nwb", "w") as io:
        io.write(nwbfile)
    assert "timestamps_reference_time" not in posebridge.load(tmp_path / "in.nwb").attrs


@pytest.mark.parametrize(
    ("stamps", "message"),
    [
        (
            np.array([b"a", b"b", b"c", b"d", b"e"]),
            r"series processing/behavior/PoseEstimation/nose has timestamps "
            r"processing/behavior/PoseEstimation/nose/timestamps of shape \(5,\) \(\|S1\); "
            r"expected numbers",
        ),
        (
            np.zeros((5, 2)),
            r"series processing/behavior/PoseEstimation/nose has timestamps "
            r"processing/behavior/PoseEstimation/nose/timestamps of shape \(5, 2\); "
            r"expected one number per sample, \(5,\)",
        ),
    ],
)
def test_timestamps_of_text_or_several_columns_are_refused_naming_the_dataset(
    tmp_path, stamps, message
):
    """h104 items 2 and 3: text timestamps gave posebridge's internal-error message and
    (5, 2) timestamps were counted as "5 samples but 10 timestamps" of a short name."""
    nwbfile = _nwbfile()
    series = [
        _series(name, RNG.random((5, 2)), timestamps=np.arange(5.0)) for name in ("nose", "tail")
    ]
    _container(nwbfile, "behavior", "PoseEstimation", series)
    path = _save(nwbfile, tmp_path / "bad.nwb")
    assert posebridge.load(path).sizes["time"] == 5  # as built, the file reads
    _replace(path, f"{SERIES}/timestamps", stamps)
    for read in (posebridge.load, posebridge.open_dataset):
        with pytest.raises(FormatError, match=message) as error:
            read(path).load()
        assert "bad.nwb" in str(error.value)


def test_timestamps_of_another_length_leave_the_series_out_with_a_warning(tmp_path):
    """h104 item 3: a 1-D length that does not match skips the series, as documented."""
    nwbfile = _nwbfile()
    series = [
        _series(name, RNG.random((5, 2)), timestamps=np.arange(5.0)) for name in ("nose", "tail")
    ]
    _container(nwbfile, "behavior", "PoseEstimation", series)
    path = _save(nwbfile, tmp_path / "short.nwb")
    _replace(path, f"{SERIES}/timestamps", np.arange(3.0))
    with pytest.warns(UserWarning, match=r"PoseEstimation/nose \(5 samples but 3 timestamps\)"):
        ds = posebridge.load(path)
    assert np.isnan(ds.position.sel(keypoint="nose").values).all()


def _series_texts(path, series="nose"):
    """The reference frame and confidence definition of a series, and its container's
    description, as pynwb reads them."""
    with pynwb.NWBHDF5IO(path, "r") as io:
        container = io.read().processing["behavior"]["PoseEstimation"]
        found = container.pose_estimation_series[series]
        return found.reference_frame, found.confidence_definition, container.description


def test_reference_frame_confidence_definition_and_description_survive_nwb_and_netcdf(
    tmp_path,
):
    """h104 item 1: a file saying its origin is the bottom-left corner was written back
    saying top-left, without its confidence definition and container description."""
    frame, definition = "(0,0) is the bottom-left corner of the arena.", "Softmax output."
    described = "Keypoints estimated by a lab tool."
    nwbfile = _nwbfile()
    series = [
        _series(
            name,
            RNG.random((5, 2)),
            rate=30.0,
            confidence=np.ones(5),
            reference_frame=frame,
            confidence_definition=definition,
        )
        for name in ("nose", "tail")
    ]
    _container(nwbfile, "behavior", "PoseEstimation", series, description=described)
    source = _save(nwbfile, tmp_path / "in.nwb")
    ds = posebridge.load(source)
    assert ds.attrs["reference_frame"] == frame
    assert ds.attrs["confidence_definition"] == definition
    assert ds.attrs["pose_estimation_description"] == described
    posebridge.save(ds, tmp_path / "out.nwb")
    assert _series_texts(tmp_path / "out.nwb") == (frame, definition, described)
    posebridge.save(ds, tmp_path / "x.nc")
    posebridge.save(posebridge.load(tmp_path / "x.nc"), tmp_path / "via_nc.nwb")
    assert _series_texts(tmp_path / "via_nc.nwb") == (frame, definition, described)
    again = posebridge.load(tmp_path / "via_nc.nwb")  # the description's tags: in comments
    assert again.individual.values.tolist() == ds.individual.values.tolist()
    assert again.attrs["pose_estimation_description"] == described


def test_series_stating_different_reference_frames_keep_none_and_claim_no_origin(tmp_path):
    """h104 item 1: with no frame kept, the writer wrote its top-left default."""
    frames = {"nose": "origin at the bottom-left corner", "tail": "origin at the arena centre"}
    nwbfile = _nwbfile()
    series = [
        _series(name, RNG.random((5, 2)), rate=30.0, reference_frame=frame)
        for name, frame in frames.items()
    ]
    _container(nwbfile, "behavior", "PoseEstimation", series)
    source = _save(nwbfile, tmp_path / "in.nwb")
    with pytest.warns(UserWarning, match="different reference_frame") as caught:
        ds = posebridge.load(source)
    message = "".join(str(w.message) for w in caught)
    assert all(frame in message for frame in frames.values())
    assert "reference_frame" not in ds.attrs
    posebridge.save(ds, tmp_path / "out.nwb")
    written = {_series_texts(tmp_path / "out.nwb", name)[0] for name in frames}
    assert len(written) == 1
    (text,) = written
    assert text.startswith("Not stated") and "top-left" not in text


def test_a_confidence_definition_some_series_state_is_given_to_none(tmp_path):
    """h109: one series' definition was kept for the dataset and written onto every series,
    those whose writer defined no confidence too."""
    definition = "Softmax output of the network."
    nwbfile = _nwbfile()
    series = [
        _series("nose", RNG.random((5, 2)), rate=30.0, confidence=RNG.random(5),
                confidence_definition=definition),
        _series("tail", RNG.random((5, 2)), rate=30.0, confidence=RNG.random(5)),
    ]  # fmt: skip
    _container(nwbfile, "behavior", "PoseEstimation", series)
    source = _save(nwbfile, tmp_path / "in.nwb")
    with pytest.warns(UserWarning, match="confidence_definition") as caught:
        ds = posebridge.load(source)
    assert definition in "".join(str(w.message) for w in caught)
    assert "confidence_definition" not in ds.attrs
    posebridge.save(ds, tmp_path / "out.nwb")
    written = {_series_texts(tmp_path / "out.nwb", name)[1] for name in ("nose", "tail")}
    assert definition not in written


def test_series_without_confidence_leave_the_others_definition_kept(tmp_path):
    """h110: an appended animal without confidence values made the file's definition
    'stated by 2 of 4 series', and it was dropped; a definition describes confidence
    values, which those series have none of."""
    definition = "Softmax output of the network."
    nwbfile = _nwbfile()
    series = [
        _series("nose", RNG.random((5, 2)), rate=30.0, confidence=RNG.random(5),
                confidence_definition=definition),
        _series("tail", RNG.random((5, 2)), rate=30.0),
    ]  # fmt: skip
    _container(nwbfile, "behavior", "PoseEstimation", series)
    source = _save(nwbfile, tmp_path / "in.nwb")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ds = posebridge.load(source)
    assert ds.attrs["confidence_definition"] == definition


def test_dlc2nwb_files_series_texts_are_kept_from_the_file_and_from_pynwbs_objects():
    """h104 item 1: dlc2nwb's file (ndx-pose 0.1 schema, where pynwb names the field
    ``confidence__definition``) states its origin at the bottom-left corner."""
    path = corpus_path("nwb/m3v1mp4DLC_resnet50_openfieldAug20shuffle1_30000.nwb")
    with h5py.File(path, "r") as h5:
        container = h5["processing/behavior/PoseEstimation"]
        series = container["ind1_leftear"]
        expected = {
            "reference_frame": series["reference_frame"][()].decode(),
            "confidence_definition": series["confidence"].attrs["definition"],
            "pose_estimation_description": container["description"][()].decode(),
        }
    with pynwb.NWBHDF5IO(path, "r") as io:
        for ds in (posebridge.load(path), nwb.load_nwb_poses(io.read())):
            assert {key: ds.attrs.get(key) for key in expected} == expected


def test_an_nwb_file_with_an_hdf5_user_block_reads_eagerly_and_lazily(tmp_path):
    """h147 item 5: HDF5 (h5py, pynwb) finds the signature after a user block (byte 512)."""
    ds = posebridge.from_numpy(np.random.default_rng(4).uniform(size=(3, 2, 2, 1)), fps=10.0)
    plain, path = tmp_path / "plain.nwb", tmp_path / "block.nwb"
    posebridge.save(ds, plain)
    with (
        pynwb.NWBHDF5IO(plain, "r") as source,
        h5py.File(path, "w", userblock_size=512) as h5,
        pynwb.NWBHDF5IO(file=h5, mode="w", manager=source.manager) as out,
    ):
        out.export(src_io=source, nwbfile=source.read())
    assert not path.read_bytes().startswith(b"\x89HDF") and h5py.is_hdf5(path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        eager = posebridge.load(path)
        lazy = posebridge.open_dataset(path).load()
    np.testing.assert_allclose(eager.position.values, ds.position.values)
    np.testing.assert_allclose(lazy.position.values, ds.position.values)


def test_a_linked_video_of_a_file_named_without_a_folder_is_read_back_absolute(
    tmp_path, monkeypatch
):
    """h168 item 1: the source video's path, stored relative to the .nwb's folder, is read
    back absolute (from that folder) when the .nwb is named relative to the working folder,
    eagerly and lazily, as when it is named by its absolute path."""
    video = tmp_path / "cam.mp4"
    video.write_bytes(b"\x00")
    monkeypatch.chdir(tmp_path)
    ds = posebridge.from_numpy(np.ones((3, 2, 2, 1)), fps=30.0)
    posebridge.save(ds, "out.nwb", video_path=str(video))
    with h5py.File("out.nwb", "r") as h5:  # stored relative to the .nwb's folder
        assert h5["acquisition/SourceVideo/external_file"][0].decode() == "cam.mp4"
    monkeypatch.chdir(tmp_path.parent)  # the relative name, read from elsewhere too
    named = tmp_path.name + "/out.nwb"
    for path in (named, tmp_path / "out.nwb"):
        assert posebridge.load(path).attrs["video_path"] == str(video)
        assert posebridge.open_dataset(path).attrs["video_path"] == str(video)
    monkeypatch.chdir(tmp_path)
    assert posebridge.load("out.nwb").attrs["video_path"] == str(video)


@pytest.mark.parametrize(
    "stored", ["C:\\lab\\videos\\cam.mp4", "C:/lab/videos/cam.mp4", "\\\\server\\share\\cam.mp4"]
)
def test_a_linked_video_path_absolute_on_windows_is_read_as_stored(tmp_path, monkeypatch, stored):
    """h171 finding 1: an external_file written on Windows (a drive letter or a UNC share)
    is absolute there; it is read as stored, not joined to the .nwb's folder, whether the
    file is named relative to the working folder or by its absolute path."""
    monkeypatch.chdir(tmp_path)
    ds = posebridge.from_numpy(np.ones((3, 2, 2, 1)), fps=30.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the video does not exist here
        posebridge.save(ds, "out.nwb", video_path="cam.mp4")
    with h5py.File("out.nwb", "r+") as h5:  # as a file written on Windows stores it
        h5["acquisition/SourceVideo/external_file"][0] = stored
    for path in ("out.nwb", tmp_path / "out.nwb"):
        assert posebridge.load(path).attrs["video_path"] == stored
        assert posebridge.open_dataset(path).attrs["video_path"] == stored


def _poses_without_confidence(path):
    """One PoseEstimation (estimated poses) whose series have no confidence, as ndx-pose
    allows: 4 frames, 2 keypoints, points of the last frame missing."""
    data = {name: RNG.uniform(0, 100, size=(4, 2)) for name in ("nose", "tail")}
    for values in data.values():
        values[3] = np.nan
    nwbfile = _nwbfile()
    nwbfile.subject = pynwb.file.Subject(subject_id="m1", species="Mus musculus")
    series = [_series(name, values, rate=30.0) for name, values in data.items()]
    _container(nwbfile, "behavior", "PoseEstimation", series, device="camera")
    return _save(nwbfile, path), data


def test_poses_without_confidence_are_predictions_with_nan_scores(tmp_path):
    """A PoseEstimation whose series have no confidence became user instances (labelled
    frames, training data to SLEAP) once converted: it holds predictions without scores."""
    sio = pytest.importorskip("sleap_io")
    path, data = _poses_without_confidence(tmp_path / "noconf.nwb")

    ds = posebridge.load(path)
    labels = posebridge.to_sleap_io(ds)
    (slp,) = posebridge.save(ds, tmp_path / "noconf.slp")

    assert ds.attrs.get("content") is None and ds.attrs["instance_kind"] == "predicted"
    assert np.isnan(ds.confidence.values).all()
    for read in (labels, sio.load_slp(str(slp))):
        instances = [i for frame in read for i in frame.instances]
        assert len(instances) == 3  # the last frame has no point: no instance
        assert all(isinstance(i, sio.PredictedInstance) for i in instances)
        assert all(np.isnan(i.numpy(scores=True)[:, 2]).all() for i in instances)
        nose = np.stack([i.numpy()[0] for i in instances])
        np.testing.assert_allclose(nose, data["nose"][:3], rtol=1e-6)


def test_a_labels_dataset_written_as_pose_training_still_reads_back_as_labels(tmp_path):
    """PoseTraining holds labelled frames: they stay labels (user instances), not marked
    predicted as a PoseEstimation's poses are."""
    sio = pytest.importorskip("sleap_io")
    from posebridge.model import labels

    position = RNG.uniform(0, 100, size=(2, 2, 2, 1))
    ds = labels.from_numpy(position, video=["cam.mp4", "cam.mp4"], frame=[3, 8])
    (path,) = posebridge.save(ds, tmp_path / "labels.nwb")

    back = posebridge.load(path)

    assert labels.is_labels(back) and "instance_kind" not in back.attrs
    read = posebridge.to_sleap_io(back)
    instances = [i for frame in read for i in frame.instances]
    assert len(instances) == 2
    assert not any(isinstance(i, sio.PredictedInstance) for i in instances)


def test_a_posebridge_written_file_of_poses_without_confidence_reads_back_the_same(tmp_path):
    position = RNG.uniform(0, 100, size=(5, 2, 3, 1))
    ds = posebridge.from_numpy(position, keypoint_names=["a", "b", "c"], fps=30)
    (path,) = posebridge.save(ds, tmp_path / "poses.nwb")

    back = posebridge.load(path)
    again = posebridge.load(posebridge.save(back, tmp_path / "again.nwb")[0])

    np.testing.assert_allclose(back.position.values, position)
    assert np.isnan(back.confidence.values).all()
    np.testing.assert_array_equal(again.position.values, back.position.values)
    assert again.attrs["instance_kind"] == back.attrs["instance_kind"] == "predicted"
