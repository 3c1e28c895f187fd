"""Real NWB files (ndx-pose 0.1 to 0.3, dlc2nwb, ethome, sleap-io): read, compared with h5py."""

from __future__ import annotations

import hashlib
import shutil
import warnings

import h5py
import numpy as np
import pytest

import posebridge
from _corpus import corpus_params, corpus_path
from posebridge.errors import FormatError
from posebridge.formats import nwb

BEHAVIOR = "processing/behavior/PoseEstimation"


def _load(path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return posebridge.load(path)


@pytest.mark.parametrize("path", corpus_params("nwb", "*.nwb"))
def test_every_corpus_file_loads_or_names_what_it_holds(path, tmp_path):
    # minimal.annotations.nwb (PoseTraining only) loads as labelled frames
    ds = _load(path)
    assert ds.attrs["ds_type"] == "poses"
    assert ds.attrs["source_file"] == str(path)
    ds.to_netcdf(tmp_path / "copy.nc", engine="h5netcdf")
    assert [label for label, _ in nwb.describe(path)]


@pytest.mark.parametrize(
    "name", ["m3v1mp4DLC_resnet50_openfieldAug20shuffle1_30000.nwb", "ethome_sample_nwb_.nwb"]
)
def test_dlc2nwb_files_match_their_datasets(name):
    path = corpus_path(f"nwb/{name}")
    ds = _load(path)
    with h5py.File(path) as h5:
        group = h5[BEHAVIOR]
        nodes = group["nodes"].asstr()[()].tolist()
        stamps = group[f"{nodes[0]}/timestamps"][()]
        assert ds.keypoint.values.tolist() == [n.removeprefix("ind1_") for n in nodes]
        assert ds.individual.values.tolist() == ["ind1"]
        np.testing.assert_array_equal(ds.time.values, stamps)
        for node in nodes:
            keypoint = node.removeprefix("ind1_")
            np.testing.assert_array_equal(
                ds.position.sel(keypoint=keypoint).values[:, :, 0], group[f"{node}/data"][()]
            )
            if "confidence" in group[node]:
                np.testing.assert_array_equal(
                    ds.confidence.sel(keypoint=keypoint).values[:, 0],
                    group[f"{node}/confidence"][()],
                )
        assert ds.attrs["scorer"] == group["scorer"].asstr()[()]
        assert ds.attrs["source_software_version"] == group["source_software"].attrs["version"]


def test_dlc2nwb_file_matches_the_dlc_h5_it_was_made_from():
    nwb_path = corpus_path("nwb/m3v1mp4DLC_resnet50_openfieldAug20shuffle1_30000.nwb")
    h5_path = corpus_path("dlc_h5/m3v1mp4DLC_resnet50_openfieldAug20shuffle1_30000.h5")
    import pandas as pd

    table = pd.read_hdf(h5_path)
    ds = _load(nwb_path)
    for keypoint in ds.keypoint.values:
        columns = [c for c in table.columns if c[1] == keypoint and c[2] in ("x", "y")]
        np.testing.assert_array_equal(
            ds.position.sel(keypoint=keypoint).values[:, :, 0], table[columns].to_numpy()
        )


def test_ndx_pose_0_1_nodes_edges_mixed_dimensions():
    path = corpus_path("nwb/0.1.1_poseestimation_nodes_edges.nwb")
    with pytest.warns(UserWarning, match="mixed 2D and 3D"):
        ds = posebridge.load(path)
    with h5py.File(path) as h5:
        group = h5[BEHAVIOR]
        nodes = group["nodes"].asstr()[()].tolist()
        edges = group["edges"][()]
        three = group["front_left_paw/data"][()]
        two = group["front_right_paw/data"][()]
        stamps = group["front_left_paw/timestamps"][()]
    assert ds.keypoint.values.tolist() == nodes
    assert ds.skeleton_edges.values.tolist() == [[nodes[a], nodes[b]] for a, b in edges]
    np.testing.assert_array_equal(ds.position.sel(keypoint="front_left_paw").values[..., 0], three)
    np.testing.assert_array_equal(
        ds.position.sel(keypoint="front_right_paw", space=["x", "y"]).values[..., 0], two
    )
    assert np.isnan(ds.position.sel(keypoint="front_right_paw", space="z")).all()
    np.testing.assert_array_equal(ds.time.values, stamps)


def test_ndx_pose_0_1_container_without_series_reads_as_empty():
    path = corpus_path("nwb/0.1.1_poseestimation_no_cameras.nwb")
    with pytest.warns(UserWarning, match="no pose samples"):
        ds = posebridge.load(path)
    assert ds.sizes["time"] == 0 and ds.sizes["keypoint"] == 0
    assert ds.attrs["source_software"] == "DeepLabCut"


@pytest.mark.parametrize(
    ("name", "devices"),
    [
        ("0.3.0_poseestimation_one_camera.nwb", "camera1"),
        ("0.3.0_poseestimation_two_cameras.nwb", "camera1, camera2"),
    ],
)
def test_ndx_pose_0_3_files_with_device_links(name, devices):
    path = corpus_path(f"nwb/{name}")
    ds = _load(path)
    with h5py.File(path) as h5:
        group = h5[BEHAVIOR]
        skeleton = h5["processing/behavior/Skeletons/subject"]
        nodes = skeleton["nodes"].asstr()[()].tolist()
        for node in nodes:
            np.testing.assert_array_equal(
                ds.position.sel(keypoint=node).values[..., 0], group[f"{node}/data"][()]
            )
            np.testing.assert_array_equal(
                ds.confidence.sel(keypoint=node).values[:, 0], group[f"{node}/confidence"][()]
            )
        np.testing.assert_array_equal(ds.time.values, group[f"{nodes[0]}/timestamps"][()])
    assert ds.keypoint.values.tolist() == nodes
    assert ds.attrs["device"] == devices


def test_sleap_io_predictions_tracks_become_individuals():
    path = corpus_path("nwb/minimal.pose.nwb")
    ds = _load(path)
    module = "processing/SLEAP_VIDEO_000_minimal"
    assert ds.individual.values.tolist() == ["1", "2"]
    with h5py.File(path) as h5:
        for track in ("1", "2"):
            for node in ("A", "B"):
                series = h5[f"{module}/track={track}/{node}"]
                data = series["data"][()]
                if "starting_time" in series:
                    rate = series["starting_time"].attrs["rate"]
                    times = series["starting_time"][()] + np.arange(len(data)) / rate
                else:
                    times = series["timestamps"][()]
                got = ds.position.sel(individual=track, keypoint=node, time=times).values
                np.testing.assert_array_equal(got.T if got.shape[0] != len(times) else got, data)
    assert ds.attrs["device"] == "camera_0"
    assert ds.skeleton_edges.values.tolist() == [["A", "B"]]


def test_append_to_a_file_pynwb_cannot_open_leaves_it_unchanged(tmp_path):
    source = corpus_path("nwb/0.3.0_poseestimation_two_cameras.nwb")
    copy = tmp_path / "two.nwb"
    shutil.copyfile(source, copy)
    before = hashlib.sha256(copy.read_bytes()).hexdigest()
    ds = _load(copy)  # new names, or the append is refused before pynwb opens the file
    ds = ds.assign_coords(individual=[f"new_{i}" for i in ds["individual"].values])
    with pytest.raises(FormatError, match="could not append"):
        posebridge.save(ds, copy, append=True)
    assert hashlib.sha256(copy.read_bytes()).hexdigest() == before
    assert [p.name for p in tmp_path.iterdir()] == ["two.nwb"]


def test_real_dlc_predictions_round_trip_through_nwb(tmp_path):
    source = corpus_path("dlc_h5/m3v1mp4DLC_resnet50_openfieldAug20shuffle1_30000.h5")
    ds = posebridge.load(source, fps=30)
    (path,) = posebridge.save(ds, tmp_path / "dlc.nwb")
    back = posebridge.load(path)
    for name in ("position", "confidence"):
        np.testing.assert_array_equal(back[name].values, ds[name].values)
    np.testing.assert_array_equal(back.time.values, ds.time.values)
    np.testing.assert_array_equal(back.frame.values, np.arange(ds.sizes["time"]))
    assert back.keypoint.values.tolist() == ds.keypoint.values.tolist()
    assert back.attrs["scorer"] == ds.attrs["scorer"]


def test_real_sleap_predictions_round_trip_through_one_nwb_file(tmp_path):
    source = corpus_path("sleap_slp/centered_pair_predictions.slp")
    ds = posebridge.load(source, fps=30).isel(individual=slice(0, 4))  # 4 of the 27 tracks
    (path,) = posebridge.save(ds, tmp_path / "sleap.nwb", split_individuals=False)
    back = posebridge.load(path)
    assert back.individual.values.tolist() == ds.individual.values.tolist()
    assert back.keypoint.values.tolist() == ds.keypoint.values.tolist()
    assert back.skeleton_edges.values.tolist() == ds.skeleton_edges.values.tolist()
    np.testing.assert_array_equal(back.position.values, ds.position.values)
    np.testing.assert_array_equal(back.confidence.values, ds.confidence.values)
    np.testing.assert_array_equal(back.time.values, ds.time.values)
