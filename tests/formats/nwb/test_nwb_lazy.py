"""NWB read lazily (posebridge.formats.nwb.lazy): equal to posebridge.load, and a slice
reads only the rows (chunks) of the series it covers."""

from __future__ import annotations

import datetime as dt
import pickle
import warnings
import zlib
from pathlib import Path

import h5py
import numpy as np
import pytest
import xarray as xr

import posebridge
from _corpus import corpus_params
from _lazy_checks import check_lazy_equals_load, read_bytes
from posebridge.formats._shared.lazy import NotLazy
from posebridge.formats.nwb.lazy import open_lazy
from posebridge.xarray_backend import PoseBridgeBackendEntrypoint

pynwb = pytest.importorskip("pynwb")
ndx_pose = pytest.importorskip("ndx_pose")

RNG = np.random.default_rng(12)


def _check(path: Path, chunks: int = 3, lazy: int = 1, **options) -> xr.Dataset:
    return check_lazy_equals_load(path, chunks, lazy, ("position", "confidence"), **options)


LAZY_CORPUS = {
    "0.1.1_poseestimation_nodes_edges.nwb",
    "0.3.0_poseestimation_one_camera.nwb",
    "0.3.0_poseestimation_two_cameras.nwb",
    "ethome_sample_nwb_.nwb",
    "m3v1mp4DLC_resnet50_openfieldAug20shuffle1_30000.nwb",
    "minimal.pose.nwb",  # series on different time bases: the union, lazily
}
#: Corpus files read eagerly, and why.
EAGER_CORPUS = {
    "0.1.1_poseestimation_no_cameras.nwb": "its PoseEstimation holds no samples",
    "minimal.annotations.nwb": "labelled frames (PoseTraining)",
}


@pytest.mark.parametrize("path", corpus_params("nwb", "*.nwb"))
def test_every_corpus_nwb_file_opens_lazily_where_it_can_and_equals_load(path):
    assert path.name in LAZY_CORPUS | set(EAGER_CORPUS)
    _check(path, chunks=7, lazy=int(path.name in LAZY_CORPUS))


def test_several_individuals_of_a_posebridge_file_read_by_blocks(
    tmp_path, poses_two_mice_with_nan
):
    ds = posebridge.model.with_fps(poses_two_mice_with_nan, 30)
    posebridge.save(ds, tmp_path / "two.nwb", split_individuals=False)
    opened = _check(tmp_path / "two.nwb", chunks=6)
    assert opened.position.data.chunks[0] == (6, 6, 6, 2)
    assert opened.individual.values.tolist() == ["mouse_b", "mouse_a"]


def test_float32_storage_keeps_its_dtype_lazily(tmp_path, poses_two_mice_with_nan):
    ds = posebridge.model.with_fps(poses_two_mice_with_nan, 30)
    posebridge.save(ds, tmp_path / "f4.nwb", dtype="float32", split_individuals=False)
    opened = _check(tmp_path / "f4.nwb", chunks=5)
    assert opened.position.dtype == np.float32


def test_the_writers_padding_rows_are_cut_lazily_too(tmp_path):
    one_frame = posebridge.from_numpy(RNG.normal(size=(1, 2, 3, 1)), fps=25)
    posebridge.save(one_frame, tmp_path / "one.nwb")
    with h5py.File(tmp_path / "one.nwb") as h5:
        stored = h5["processing/behavior/PoseEstimation/keypoint_0/data"].shape[0]
    assert stored == 2  # one row of padding (time must be the longest axis)
    opened = _check(tmp_path / "one.nwb", chunks=1)
    assert opened.sizes["time"] == 1


@pytest.mark.filterwarnings("ignore:.*mixed 2D and 3D series")
def test_conversion_offset_and_a_3d_series_among_2d_ones(tmp_path, poses_two_mice_with_nan):
    path = tmp_path / "edited.nwb"
    ds = posebridge.model.with_fps(poses_two_mice_with_nan, 30)
    posebridge.save(ds, path, split_individuals=False)
    with h5py.File(path, "r+") as h5:
        series = h5["processing/behavior/PoseEstimation_mouse_a/snout"]
        series["data"].attrs["conversion"] = 2.5
        series["data"].attrs["offset"] = -1.0
        other = h5["processing/behavior/PoseEstimation_mouse_b/tail_base"]
        values = other["data"][()]
        attrs = dict(other["data"].attrs)
        del other["data"]
        flat = np.concatenate([values, RNG.normal(size=(values.shape[0], 1))], axis=1)
        other.create_dataset("data", data=flat, chunks=(4, 3))
        other["data"].attrs.update(attrs)
    opened = _check(path, chunks=4)
    assert opened.sizes["space"] == 3
    eager = posebridge.load(path)
    expected = poses_two_mice_with_nan.position.sel(individual="mouse_a", keypoint="snout")
    np.testing.assert_allclose(
        opened.position.sel(individual="mouse_a", keypoint="snout", space=["x", "y"]).values,
        expected.values * 2.5 - 1.0,
    )
    np.testing.assert_array_equal(
        opened.position.sel(space="z", individual="mouse_b", keypoint="tail_base").values,
        flat[:, 2],
    )
    assert eager.position.sel(space="z", keypoint="snout").isnull().all()


# --------------------------------------------------------------------------
# files of other tools, built with pynwb + ndx-pose


def _nwbfile():
    return pynwb.NWBFile(
        session_description="lazy reading",
        identifier="lazy",
        session_start_time=dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=dt.UTC),
    )


def _series(name, data, *, timestamps=None, rate=None, confidence=None):
    timing = {"timestamps": timestamps} if timestamps is not None else {}
    if rate is not None:
        timing = {"rate": rate, "starting_time": 0.0}
    return ndx_pose.PoseEstimationSeries(
        name=name, data=data, confidence=confidence, reference_frame="top left", **timing
    )


def _add(nwbfile, module, name, series, device=None):
    if module not in nwbfile.processing:
        nwbfile.create_processing_module(name=module, description="poses")
    kwargs = {}
    if device is not None:
        kwargs["device"] = (
            nwbfile.devices[device]
            if device in nwbfile.devices
            else nwbfile.create_device(name=device, description="camera")
        )
    nwbfile.processing[module].add(
        ndx_pose.PoseEstimation(
            name=name, pose_estimation_series=series, source_software="Tool", **kwargs
        )
    )


def _save(nwbfile, path):
    with pynwb.NWBHDF5IO(path, "w") as io:
        io.write(nwbfile)
    return path


def test_tracks_on_their_own_timestamps_are_placed_on_the_union_lazily(tmp_path):
    nwbfile = _nwbfile()
    t1 = np.array([0.0, 0.1, 0.2, 0.4, 0.5, 0.9, 1.0])
    t2 = np.array([0.15, 0.2, 0.3, 0.45, 1.2])
    _add(
        nwbfile,
        "SLEAP_VIDEO_000_clip",
        "track=1",
        [
            _series("A", RNG.normal(size=(7, 2)), timestamps=t1, confidence=RNG.uniform(size=7)),
            _series("B", RNG.normal(size=(7, 2)), timestamps=t1, confidence=RNG.uniform(size=7)),
        ],
        device="camera_0",
    )
    _add(
        nwbfile,
        "SLEAP_VIDEO_000_clip",
        "track=2",
        [_series("A", RNG.normal(size=(5, 2)), timestamps=t2, confidence=RNG.uniform(size=5))],
        device="camera_0",
    )
    path = _save(nwbfile, tmp_path / "tracks.nwb")
    opened = _check(path, chunks=3)
    np.testing.assert_array_equal(opened.time.values, np.union1d(t1, t2))
    assert opened.individual.values.tolist() == ["1", "2"]


def test_camera_views_are_read_lazily_with_their_view_axis(tmp_path):
    nwbfile = _nwbfile()
    for device in ("left", "right"):
        _add(
            nwbfile,
            "behavior",
            f"PoseEstimation_{device}",
            [
                _series("nose", RNG.normal(size=(9, 2)), rate=30.0),
                _series("tail", RNG.normal(size=(9, 2)), rate=30.0),
            ],
            device=device,
        )
    opened = _check(_save(nwbfile, tmp_path / "views.nwb"), chunks=4)
    assert opened.position.dims == ("time", "space", "keypoint", "individual", "view")
    engine = xr.open_dataset(tmp_path / "views.nwb", engine=PoseBridgeBackendEntrypoint)
    eager = posebridge.load(tmp_path / "views.nwb")
    part = {"time": slice(2, 7), "view": 1, "keypoint": slice(1, 2)}
    np.testing.assert_array_equal(
        engine.position.isel(part).values, eager.position.isel(part).values
    )
    np.testing.assert_array_equal(
        engine.confidence.isel(part).values, eager.confidence.isel(part).values
    )


def test_timestamps_with_nan_are_read_eagerly_as_load_reads_them(tmp_path):
    nwbfile = _nwbfile()
    stamps = np.array([0.0, 0.1, np.nan, 0.3])
    _add(
        nwbfile, "behavior", "track=1", [_series("A", RNG.normal(size=(4, 2)), timestamps=stamps)]
    )
    _add(
        nwbfile,
        "behavior",
        "track=2",
        [_series("A", RNG.normal(size=(2, 2)), timestamps=[0.0, 1.0])],
    )
    path = _save(nwbfile, tmp_path / "nan.nwb")
    with pytest.raises(NotLazy), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        open_lazy(path)
    _check(path, lazy=0)


def test_labels_are_not_lazy_and_predictions_are(tmp_path, poses_two_mice_with_nan):
    ds = posebridge.model.with_fps(poses_two_mice_with_nan, 30)
    posebridge.save(ds, tmp_path / "p.nwb", split_individuals=False)
    with pytest.raises(NotLazy):
        open_lazy(tmp_path / "p.nwb", content="labels")
    assert open_lazy(tmp_path / "p.nwb", content="predictions").sizes["time"] == 20


def test_a_lazily_opened_nwb_array_pickles_for_dask_workers(tmp_path, poses_two_mice_with_nan):
    ds = posebridge.model.with_fps(poses_two_mice_with_nan, 30)
    posebridge.save(ds, tmp_path / "p.nwb", split_individuals=False)
    opened = posebridge.open_dataset(tmp_path / "p.nwb", chunks=5)
    again = pickle.loads(pickle.dumps(opened.position.data))
    np.testing.assert_array_equal(
        again.compute(scheduler="sync"), posebridge.load(tmp_path / "p.nwb").position.values
    )


# --------------------------------------------------------------------------
# a 10-million-frame file: a slice reads only its chunks


FRAMES = 10_000_000
CHUNK = 100_000


def _big_nwb(path: Path) -> int:
    """An NWB file of 10 M frames, 2 keypoints, 1 individual: posebridge writes a small
    one, then each series' ``data`` and ``confidence`` are replaced by 10 M rows chunked
    by 100 000 and compressed, every chunk written from one pre-compressed buffer (a
    pattern that repeats in every chunk). Returns one ``data`` chunk's size."""
    small = posebridge.from_numpy(
        np.zeros((4, 2, 2, 1)), np.zeros((4, 2, 1)), fps=50, keypoint_names=["a", "b"]
    )
    posebridge.save(small, path)
    block = np.zeros((CHUNK, 2))
    block[:, 0] = np.arange(CHUNK) % 7
    payload = zlib.compress(block.tobytes(), 1)
    scores = zlib.compress(np.full(CHUNK, 0.5).tobytes(), 1)
    with h5py.File(path, "r+") as h5:
        for name in ("a", "b"):
            series = h5[f"processing/behavior/PoseEstimation/{name}"]
            for field, shape, chunk, raw in (
                ("data", (FRAMES, 2), (CHUNK, 2), payload),
                ("confidence", (FRAMES,), (CHUNK,), scores),
            ):
                attrs = dict(series[field].attrs)
                del series[field]
                dataset = series.create_dataset(
                    field, shape=shape, dtype="f8", chunks=chunk, compression="gzip"
                )
                dataset.attrs.update(attrs)
                for start in range(0, FRAMES, CHUNK):
                    dataset.id.write_direct_chunk((start,) + (0,) * (len(shape) - 1), raw)
    return len(payload)


@pytest.mark.skipif(not Path("/proc/self/io").exists(), reason="needs Linux /proc/self/io")
def test_a_slice_of_a_lazily_opened_10m_frame_nwb_file_reads_only_its_chunks(tmp_path):
    path = tmp_path / "big.nwb"
    chunk_bytes = _big_nwb(path)
    file_bytes = path.stat().st_size
    assert file_bytes > 100 * chunk_bytes  # the whole file is many chunks

    for opened in (
        posebridge.open_dataset(path, chunks=CHUNK),
        xr.open_dataset(path, engine=PoseBridgeBackendEntrypoint),
    ):
        assert opened.attrs["lazy"] == 1
        assert opened.sizes["time"] == FRAMES
        _ = opened.position.isel(time=slice(0, 10)).values  # the first read imports modules
        selection = opened.position.isel(time=slice(5_050_000, 5_150_000))  # 2 chunks a series
        before = read_bytes()
        values = selection.values
        read = read_bytes() - before
        assert values.shape == (100_000, 2, 2, 1)
        expected = np.arange(5_050_000, 5_150_000) % CHUNK % 7
        np.testing.assert_array_equal(values[:, 0, 0, 0], expected)
        np.testing.assert_array_equal(values[:, 0, 1, 0], expected)
        # 2 keypoints x 2 chunks of data, no confidence; a little HDF5 metadata
        assert 4 * chunk_bytes <= read < 12 * chunk_bytes, (read, chunk_bytes, file_bytes)


def test_regions_across_keypoints_individuals_and_space_equal_load(
    tmp_path, poses_two_mice_with_nan
):
    ds = posebridge.model.with_fps(poses_two_mice_with_nan, 30)
    posebridge.save(ds, tmp_path / "two.nwb", split_individuals=False)
    eager = posebridge.load(tmp_path / "two.nwb")
    engine = xr.open_dataset(tmp_path / "two.nwb", engine=PoseBridgeBackendEntrypoint)
    for part in (
        {"time": slice(3, 9), "keypoint": slice(1, 3), "individual": 1},
        {"time": 4, "space": 1, "keypoint": 0},
        {"time": slice(None, None, -3), "individual": slice(0, 1)},
        {"keypoint": [2, 0], "time": slice(5, 12)},
    ):
        for name in ("position", "confidence"):
            selected = {d: part[d] for d in part if d in eager[name].dims}
            np.testing.assert_array_equal(
                engine[name].isel(selected).values, eager[name].isel(selected).values
            )


def test_a_series_without_confidence_is_nan_there_lazily(tmp_path):
    nwbfile = _nwbfile()
    _add(
        nwbfile,
        "behavior",
        "PoseEstimation",
        [
            _series("nose", RNG.normal(size=(8, 2)), rate=10.0, confidence=RNG.uniform(size=8)),
            _series("tail", RNG.normal(size=(8, 2)), rate=10.0),
        ],
    )
    opened = _check(_save(nwbfile, tmp_path / "partial.nwb"), chunks=3)
    assert opened.confidence.sel(keypoint="tail").isnull().all()
    assert opened.confidence.sel(keypoint="nose").notnull().all()


@pytest.mark.filterwarnings("ignore:.*no frame rate")
def test_a_frames_only_file_with_fps_given_at_opening(tmp_path, poses_two_mice_with_nan):
    posebridge.save(poses_two_mice_with_nan, tmp_path / "frames.nwb", split_individuals=False)
    opened = _check(tmp_path / "frames.nwb", chunks=6)
    assert opened.attrs["time_unit"] == "frames"
    eager = posebridge.load(tmp_path / "frames.nwb", fps=25)
    timed = posebridge.open_dataset(tmp_path / "frames.nwb", fps=25, chunks=6)
    assert timed.attrs["lazy"] == 1
    timed = timed.compute()
    timed.attrs.pop("lazy")
    xr.testing.assert_identical(timed, eager)
