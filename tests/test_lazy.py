"""Lazy reading: open_dataset (dask) and the posebridge xarray engine.

Equality with posebridge.load on every readable corpus file; lazily read slices
of a 10-million-frame file read only their chunks (bytes counted by the kernel).
"""

from __future__ import annotations

import importlib
import tomllib
import warnings
import zlib
from pathlib import Path

import dask.array as da
import h5py
import numpy as np
import pytest
import xarray as xr

import posebridge
from _corpus import CORPUS, MISSING, corpus_params, read_options, readable_files
from _lazy_checks import read_bytes
from _without_dask import run_without_dask
from posebridge.xarray_backend import PoseBridgeBackendEntrypoint

ROOT = Path(__file__).resolve().parents[1]
CORPUS_FILES = (
    [pytest.param(p, id=p.relative_to(CORPUS).as_posix()) for p in readable_files()]
    if CORPUS.is_dir()
    else [pytest.param(None, marks=pytest.mark.skip(reason=MISSING), id="no-corpus")]
)


def _same(lazy: xr.Dataset, eager: xr.Dataset) -> None:
    lazy = lazy.load()
    lazy.attrs.pop("lazy")
    xr.testing.assert_identical(lazy, eager)
    # in the same order too (DeepLabCut's, LightningPose's and Anipose's put time last,
    # and a streamed netCDF file's variables then came in another order)
    assert list(lazy.coords) == list(eager.coords)
    assert list(lazy.data_vars) == list(eager.data_vars)


@pytest.mark.parametrize("path", CORPUS_FILES)
def test_the_xarray_engine_equals_load_on_every_corpus_file(path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        eager = posebridge.load(path, **read_options(path))
        opened = xr.open_dataset(
            path, engine=PoseBridgeBackendEntrypoint, read_options=read_options(path)
        )
    _same(opened, eager)


@pytest.mark.parametrize("path", CORPUS_FILES)
def test_open_dataset_equals_load_on_every_corpus_file(path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        eager = posebridge.load(path, **read_options(path))
        opened = posebridge.open_dataset(path, chunks=50, **read_options(path))
    assert isinstance(opened.position.data, da.Array)
    _same(opened, eager)


@pytest.mark.parametrize(
    ("folder", "pattern"),
    [
        ("sleap_analysis_h5", "*.analysis.h5"),
        ("dlc_h5", "*DLC*.h5"),
        ("dlc_multi", "*DLC*.h5"),
    ],
)
def test_hdf5_predictions_are_read_lazily(folder, pattern):
    for param in corpus_params(folder, pattern):
        (path,) = param.values
        if path is None:
            pytest.skip("no corpus")
        ds = xr.open_dataset(path, engine=PoseBridgeBackendEntrypoint)
        assert ds.attrs["lazy"] == 1, path
        assert not ds.position.variable._in_memory


def test_netcdf_is_read_lazily(tmp_path, poses_two_mice_with_nan):
    posebridge.save(poses_two_mice_with_nan, tmp_path / "a.nc")
    ds = posebridge.open_dataset(tmp_path / "a.nc", chunks=5)
    assert ds.attrs["lazy"] == 1
    assert ds.position.data.chunks[0] == (5, 5, 5, 5)
    _same(ds, posebridge.load(tmp_path / "a.nc"))


def test_xarray_chunks_give_dask_arrays_through_the_engine(tmp_path, poses_two_mice_with_nan):
    posebridge.save(poses_two_mice_with_nan, tmp_path / "a.analysis.h5")
    ds = xr.open_dataset(
        tmp_path / "a.analysis.h5", engine=PoseBridgeBackendEntrypoint, chunks={"time": 4}
    )
    assert ds.position.data.chunks[0] == (4, 4, 4, 4, 4)
    _same(ds, posebridge.load(tmp_path / "a.analysis.h5"))


@pytest.mark.parametrize(
    "decoder",
    [
        {"decode_times": False},
        {"mask_and_scale": False},
        {"decode_timedelta": True},
        {"use_cftime": True},
        {"concat_characters": False},
        {"decode_coords": "all"},
    ],
    ids=lambda decoder: next(iter(decoder)),
)
def test_the_engine_takes_xarrays_cf_decoder_keywords_and_returns_the_same_dataset(
    tmp_path, poses_two_mice_with_nan, decoder
):
    posebridge.save(poses_two_mice_with_nan, tmp_path / "a.analysis.h5")
    ds = xr.open_dataset(tmp_path / "a.analysis.h5", engine="posebridge", **decoder)
    _same(ds, posebridge.load(tmp_path / "a.analysis.h5"))


FRAMES = 10_000_000
CHUNK = 100_000


def _big_analysis_file(path: Path) -> int:
    """A SLEAP analysis file of 10 M frames, 1 track, 3 nodes: ``tracks`` in SLEAP's
    (track, xy, node, frame) order, chunked by 100 000 frames and compressed. Every
    chunk is written from one pre-compressed buffer, so building it is fast; the
    chunks hold a distinct ramp so values can be checked. Returns one chunk's size."""
    shape = (1, 2, 3, FRAMES)
    with h5py.File(path, "w") as h5:
        tracks = h5.create_dataset(
            "tracks", shape=shape, dtype="f8", chunks=(1, 2, 3, CHUNK), compression="gzip"
        )
        block = np.zeros((1, 2, 3, CHUNK))
        block[0, 0, 0] = np.arange(CHUNK) % 7  # a pattern that repeats in every chunk
        payload = zlib.compress(block.tobytes(), 1)
        for start in range(0, FRAMES, CHUNK):
            tracks.id.write_direct_chunk((0, 0, 0, start), payload)
        h5["node_names"] = np.array([b"a", b"b", b"c"])
        h5["track_names"] = np.array([b"mouse"])
    return len(payload)


@pytest.mark.skipif(not Path("/proc/self/io").exists(), reason="needs Linux /proc/self/io")
def test_a_slice_of_a_lazily_opened_10m_frame_file_reads_only_its_chunks(tmp_path):
    path = tmp_path / "big.analysis.h5"
    chunk_bytes = _big_analysis_file(path)
    file_bytes = path.stat().st_size
    assert file_bytes > 50 * chunk_bytes  # the whole file is many chunks

    for opened in (
        posebridge.open_dataset(path, chunks=CHUNK),
        xr.open_dataset(path, engine=PoseBridgeBackendEntrypoint),
    ):
        assert opened.sizes["time"] == FRAMES
        selection = opened.position.isel(time=slice(5_050_000, 5_150_000))  # 2 chunks
        before = read_bytes()
        values = selection.values
        read = read_bytes() - before
        assert values.shape == (100_000, 2, 3, 1)
        expected = np.arange(5_050_000, 5_150_000) % CHUNK % 7
        np.testing.assert_array_equal(values[:, 0, 0, 0], expected)
        assert 2 * chunk_bytes <= read < 10 * chunk_bytes, (read, chunk_bytes, file_bytes)


def test_pyproject_declares_the_xarray_engine_and_the_dask_extra():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    entry = config["project"]["entry-points"]["xarray.backends"]["posebridge"]
    module, _, name = entry.partition(":")
    assert (module, name) == ("posebridge.xarray_backend", "PoseBridgeBackendEntrypoint")
    extra = " ".join(config["project"]["optional-dependencies"]["dask"])
    assert "dask" in extra and "distributed" in extra
    assert "dask" in (ROOT / "Makefile").read_text().split("pip install")[-1].splitlines()[0]


def test_the_engine_refuses_file_objects_and_guesses_pose_files(tmp_path):
    backend = PoseBridgeBackendEntrypoint()
    with pytest.raises(TypeError), open(__file__, "rb") as handle:
        backend.open_dataset(handle)
    assert not backend.guess_can_open(tmp_path / "missing.h5")
    assert not backend.guess_can_open(__file__)


def test_saving_a_lazily_opened_dataset_does_not_store_the_lazy_marker(
    tmp_path, poses_two_mice_with_nan
):
    source = tmp_path / "in.nc"
    posebridge.save(poses_two_mice_with_nan, source)
    ds = posebridge.open_dataset(source)
    assert ds.attrs["lazy"] == 1
    posebridge.save(ds, tmp_path / "out.nc")
    assert "lazy" not in posebridge.load(tmp_path / "out.nc").attrs
    assert ds.attrs["lazy"] == 1  # the caller's dataset is left as it was


# --------------------------------------------------------------------------
# damaged files: the lazy path names the file as the eager one does


def _analysis_file_with_a_bad_chunk(path: Path) -> None:
    """A SLEAP analysis file of 40 frames in 4 compressed chunks; the second does not inflate."""
    with h5py.File(path, "w") as h5:
        tracks = h5.create_dataset(
            "tracks", shape=(1, 2, 3, 40), dtype="f8", chunks=(1, 2, 3, 10), compression="gzip"
        )
        good = zlib.compress(np.ones((1, 2, 3, 10)).tobytes(), 1)
        for start in range(0, 40, 10):
            tracks.id.write_direct_chunk((0, 0, 0, start), b"not deflate" if start == 10 else good)
        h5["node_names"] = np.array([b"a", b"b", b"c"])
        h5["track_names"] = np.array([b"mouse"])


@pytest.mark.parametrize("how", ["open_dataset", "engine"])
def test_a_chunk_that_does_not_inflate_raises_a_format_error_naming_the_file(tmp_path, how):
    path = tmp_path / "bad_chunk.analysis.h5"
    _analysis_file_with_a_bad_chunk(path)
    if how == "open_dataset":
        ds = posebridge.open_dataset(path, chunks=10)
    else:
        ds = xr.open_dataset(path, engine=PoseBridgeBackendEntrypoint)
    assert ds.position.isel(time=slice(0, 10)).values.tolist() == np.ones((10, 2, 3, 1)).tolist()
    with pytest.raises(posebridge.FormatError, match="bad_chunk.analysis.h5") as caught:
        ds.position.isel(time=slice(10, 20)).load()
    assert "could not be read" in str(caught.value)
    with pytest.raises(posebridge.FormatError, match="bad_chunk.analysis.h5"):
        posebridge.load(path)  # the eager reader says the same of the file


def test_a_file_removed_after_opening_raises_a_format_error_when_read(
    tmp_path, poses_two_mice_with_nan
):
    (path,) = posebridge.save(poses_two_mice_with_nan, tmp_path / "gone.analysis.h5")
    ds = posebridge.open_dataset(path, chunks=2)
    path.unlink()
    with pytest.raises(posebridge.FormatError, match="gone.analysis.h5.*FileNotFoundError"):
        ds.position.load()


@pytest.mark.parametrize("name", ["a.analysis.h5", "aDLC_resnet50.h5", "a.nwb", "a.nc"])
@pytest.mark.parametrize("how", ["open_dataset", "engine"])
def test_a_file_rewritten_after_opening_is_refused_when_read(
    tmp_path, poses_two_mice_with_nan, name, how
):
    one = poses_two_mice_with_nan.isel(individual=[0])  # NWB: one file
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        (path,) = posebridge.save(one, tmp_path / name)
        if how == "open_dataset":
            ds = posebridge.open_dataset(path, chunks=2)
        else:
            ds = xr.open_dataset(path, engine=PoseBridgeBackendEntrypoint)
        assert ds.attrs["lazy"] == 1
        # the same shape and names, other values: h5py would read them without a word
        other = one.copy(deep=True)
        other["position"] = other["position"] + 1.0
        posebridge.save(other, path, overwrite=True)
    with pytest.raises(posebridge.FormatError, match="changed since it was opened") as caught:
        ds.position.load()
    assert path.name in str(caught.value)


@pytest.mark.parametrize("how", ["open_dataset", "engine"])
def test_a_netcdf_file_truncated_after_opening_is_refused_not_read_as_zeros(
    tmp_path, poses_two_mice_with_nan, how
):
    (path,) = posebridge.save(poses_two_mice_with_nan, tmp_path / "cut.nc")
    if how == "open_dataset":
        ds = posebridge.open_dataset(path, chunks=2)
    else:
        ds = xr.open_dataset(path, engine=PoseBridgeBackendEntrypoint)
    with open(path, "r+b") as handle:
        handle.truncate(path.stat().st_size // 2)
    with pytest.raises(posebridge.FormatError, match="cut.nc"):
        ds.position.load()


@pytest.mark.parametrize("encoded", ["units", "scale_factor"])
@pytest.mark.parametrize("how", ["open_dataset", "engine"])
def test_a_netcdf_variable_with_an_attribute_or_encoding_is_safe_from_changes_and_closed(
    tmp_path, poses_two_mice_with_nan, how, encoded
):
    """A 'units' attribute (or a scaling) left the variable on xarray's own lazy array:
    a file truncated after opening read as zeros, and the file stayed open (locked) after
    close()."""
    import subprocess
    import sys

    ds = poses_two_mice_with_nan.copy()
    name = "position" if encoded == "units" else "confidence"
    if encoded == "units":
        ds[name].attrs["units"] = "pixels"
    else:
        ds[name].encoding.update(scale_factor=0.5, dtype="int16", _FillValue=-1)
    (path,) = posebridge.save(ds, tmp_path / "units.nc")
    eager = posebridge.load(path)

    def opened() -> xr.Dataset:
        if how == "open_dataset":
            return posebridge.open_dataset(path, chunks=2)
        return xr.open_dataset(path, engine=PoseBridgeBackendEntrypoint)

    lazy = opened()
    lazy.close()
    # closed: another process may open it for writing (HDF5 locks an open file)
    other = f"import h5py; h5py.File({str(path)!r}, 'a').close()"
    assert subprocess.run([sys.executable, "-c", other], capture_output=True).returncode == 0
    with opened() as lazy:
        xr.testing.assert_equal(lazy.load(), eager)
    lazy = opened()
    with open(path, "r+b") as handle:
        handle.truncate(path.stat().st_size // 2)
    if encoded == "units":  # read when asked for: the change is found
        with pytest.raises(posebridge.FormatError, match="units.nc"):
            lazy[name].load()
    else:  # decoded values are read at opening: the ones the file held then
        xr.testing.assert_equal(lazy[name].load(), eager[name])


def test_a_netcdf_coordinate_shorter_than_its_dimension_is_refused_when_opened_lazily(tmp_path):
    ds = posebridge.from_numpy(np.zeros((40, 2, 3, 1)), fps=10)  # a 'frame' coordinate
    (path,) = posebridge.save(ds, tmp_path / "short.nc")
    with h5py.File(path, "r+") as h5:
        attrs = dict(h5["frame"].attrs)
        del h5["frame"]
        h5["frame"] = np.arange(20)
        for key, value in attrs.items():
            h5["frame"].attrs[key] = value
    with pytest.raises(posebridge.FormatError, match="short.nc.*'frame' has 20 entries"):
        posebridge.load(path)
    with pytest.raises(posebridge.FormatError, match="short.nc.*'frame' has 20 entries"):
        posebridge.open_dataset(path)


def test_netcdf_variables_stored_as_read_are_read_through_posebridges_lazy_arrays(
    tmp_path, poses_two_mice_with_nan
):
    from posebridge.formats._shared.lazy import LazyArray
    from posebridge.formats.netcdf.lazy import open_lazy

    (path,) = posebridge.save(poses_two_mice_with_nan, tmp_path / "p.nc")
    ds = open_lazy(path)
    assert isinstance(ds["position"].variable._data, LazyArray)
    _same(posebridge.open_dataset(path, chunks=3), posebridge.load(path))


def test_a_damaged_group_index_of_an_nwb_file_is_a_format_error_when_opened_lazily(
    tmp_path, poses_two_mice_with_nan
):
    one = poses_two_mice_with_nan.isel(individual=[0])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        (path,) = posebridge.save(one, tmp_path / "a.nwb")
    data = path.read_bytes()
    at = data.find(b"TREE")  # the first v1 B-tree node: the root group's links
    assert at > 0
    damaged = tmp_path / "damaged.nwb"
    damaged.write_bytes(data[:at] + b"XXXX" + data[at + 4 :])
    for read in (posebridge.open_dataset, posebridge.load):
        with pytest.raises(posebridge.FormatError, match="damaged.nwb: is a damaged HDF5 file"):
            read(damaged)


@pytest.mark.parametrize(
    ("chunks", "error", "message"),
    [
        (-5, posebridge.PoseBridgeError, "above 0"),
        (0, posebridge.PoseBridgeError, "above 0"),
        ({"time": 0}, posebridge.PoseBridgeError, "above 0"),
        ("big", posebridge.PoseBridgeError, "'auto'"),
        ({"frames": 10}, posebridge.PoseBridgeError, "names the dim 'frames'"),
        (2.5, TypeError, "whole number"),
        (True, TypeError, "whole number"),
        ([10], TypeError, "whole number"),
    ],
)
def test_chunks_that_are_no_chunk_sizes_are_refused_naming_them(
    tmp_path, poses_two_mice_with_nan, chunks, error, message
):
    """Each raised dask's or xarray's own error (ZeroDivisionError for a time chunk of 0)."""
    posebridge.save(poses_two_mice_with_nan, tmp_path / "a.nc")
    with pytest.raises(error, match=message):
        posebridge.open_dataset(tmp_path / "a.nc", chunks=chunks)


@pytest.mark.parametrize(
    ("chunks", "error", "message"),
    [
        (0, posebridge.PoseBridgeError, "above 0"),
        ("big", posebridge.PoseBridgeError, "'auto'"),
        ({"time": True}, TypeError, "whole number"),
        ([10], TypeError, "whole number"),
    ],
)
def test_chunks_of_the_wrong_kind_are_refused_before_the_file_is_opened(
    tmp_path, chunks, error, message
):
    """h153: a bad chunks= was refused only after the whole file was opened (for a format
    read into memory: read in full); here the file does not even exist."""
    with pytest.raises(error, match=message):
        posebridge.open_dataset(tmp_path / "no-such-file.nc", chunks=chunks)


@pytest.mark.parametrize(
    ("name", "fmt"), [("a.nc", None), ("a.csv", "dlc"), ("a.h5", "dlc"), ("a.analysis.h5", None)]
)
def test_a_lazy_dataset_reads_its_file_after_the_working_folder_changed(
    tmp_path, monkeypatch, poses_two_mice_with_nan, name, fmt
):
    """h153: lazy arrays kept a relative path as given: after os.chdir (or on a dask worker
    started elsewhere) they read another folder's file of that name, or none."""
    (tmp_path / "session").mkdir()
    (tmp_path / "elsewhere").mkdir()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # what a format cannot keep: not this test's matter
        posebridge.save(poses_two_mice_with_nan, tmp_path / "session" / name, fmt)
    monkeypatch.chdir(tmp_path / "session")
    expected = posebridge.load(name)
    ds = posebridge.open_dataset(name, chunks=5)
    assert ds.attrs["lazy"] == 1

    monkeypatch.chdir(tmp_path / "elsewhere")
    np.testing.assert_array_equal(ds.position.values, expected.position.values)


@pytest.mark.parametrize(
    ("chunks", "expected"),
    [(None, [20]), (-1, [20]), (8, [8, 8, 4]), (10**20, [20]), ({"time": 6}, [6, 6, 6, 2]),
     ({"time": -1, "space": 1}, [20]), ("auto", [20])],
)  # fmt: skip
def test_chunks_give_these_time_chunks(tmp_path, poses_two_mice_with_nan, chunks, expected):
    assert poses_two_mice_with_nan.sizes["time"] == 20
    posebridge.save(poses_two_mice_with_nan, tmp_path / "a.nc")
    ds = posebridge.open_dataset(tmp_path / "a.nc", chunks=chunks)
    assert list(ds.position.chunksizes["time"]) == expected
    np.testing.assert_array_equal(ds.position.values, poses_two_mice_with_nan.position.values)


def test_large_score_tables_of_no_score_are_left_out_lazily_as_eagerly(tmp_path):
    """Past 4 M values the lazy reader kept all-NaN instance and tracking scores (as
    movement writes them) that load drops: the lazy dataset was not the eager one."""
    frames = 2_100_000
    path = tmp_path / "nan_scores.analysis.h5"
    chunk = {"compression": "gzip", "compression_opts": 1}
    with h5py.File(path, "w") as h5:
        h5.create_dataset("tracks", data=np.zeros((1, 2, 1, frames), np.float32), **chunk)
        h5.create_dataset("track_occupancy", data=np.ones((frames, 1), np.uint8), **chunk)
        h5.create_dataset("point_scores", data=np.ones((1, 1, frames), np.float32), **chunk)
        for name in ("instance_scores", "tracking_scores"):
            h5.create_dataset(name, data=np.full((1, frames), np.nan, np.float32), **chunk)
        h5["node_names"], h5["track_names"] = [b"nose"], [b"t0"]
    eager = posebridge.load(path)
    assert sorted(eager.data_vars) == ["confidence", "position"]
    with posebridge.open_dataset(path) as lazy:
        assert sorted(lazy.data_vars) == sorted(eager.data_vars)


@pytest.mark.parametrize("name", ["a.analysis.h5", "aDLC_resnet50.h5", "a.nwb", "a.nc"])
@pytest.mark.parametrize("step", [slice(2, 8, -1), slice(0, 5, -2), slice(-1, -1, -1)])
def test_an_empty_reversed_slice_through_the_engine_is_an_empty_dataset(
    tmp_path, poses_two_mice_with_nan, name, step
):
    """xarray's own split of such a slice raised a raw IndexError when loaded."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        path = posebridge.save(poses_two_mice_with_nan, tmp_path / name)[0]
        eager = posebridge.load(path).isel(time=step)
        opened = xr.open_dataset(path, engine=PoseBridgeBackendEntrypoint).isel(time=step)
    assert eager.sizes["time"] == 0
    _same(opened, eager)


@pytest.mark.parametrize("step", [slice(None, None, -1), slice(-1, 0, -3), slice(7, 2, -2)])
def test_a_reversed_slice_that_selects_frames_reads_them_reversed(
    tmp_path, poses_two_mice_with_nan, step
):
    path = tmp_path / "a.nc"
    posebridge.save(poses_two_mice_with_nan, path)
    opened = xr.open_dataset(path, engine=PoseBridgeBackendEntrypoint).isel(time=step)
    _same(opened, posebridge.load(path).isel(time=step))


def test_open_dataset_without_dask_names_the_extra_to_install(tmp_path, poses_two_mice_with_nan):
    posebridge.save(poses_two_mice_with_nan, tmp_path / "a.nc")
    code = (
        "import posebridge\n"
        "try:\n"
        "    posebridge.open_dataset('a.nc')\n"
        "except posebridge.PoseBridgeError as error:\n"
        "    print('REFUSED', error)\n"
        "print('LOADED', posebridge.load('a.nc').sizes['time'])\n"  # load needs no dask
    )
    done = run_without_dask(code, tmp_path)
    assert done.returncode == 0, done.stderr
    assert "REFUSED" in done.stdout
    assert "pip install 'posebridge[dask]'" in done.stdout
    assert f"LOADED {poses_two_mice_with_nan.sizes['time']}" in done.stdout


def test_open_dataset_keeps_times_in_seconds_whose_frame_numbers_pass_2_to_the_53_warning(
    tmp_path,
):
    """As load does: the dataset is opened (it was refused), with a warning naming the file."""
    path = tmp_path / "poses.nc"
    time = 1.7e14 + np.arange(3.0)  # at 60 fps: frame 1.02e16
    xr.Dataset(
        {
            "position": (("time", "space", "keypoint", "individual"), np.zeros((3, 2, 1, 1))),
            "confidence": (("time", "keypoint", "individual"), np.ones((3, 1, 1))),
        },
        coords={"time": time, "space": ["x", "y"], "keypoint": ["a"], "individual": ["i"]},
        attrs={"ds_type": "poses", "time_unit": "seconds", "fps": 60.0, "source_software": "t"},
    ).to_netcdf(path)
    with pytest.warns(UserWarning, match=r"poses\.nc: its time .* is frame") as said:
        ds = posebridge.open_dataset(path, chunks=1)
    assert len([w for w in said if "is frame" in str(w.message)]) == 1
    np.testing.assert_array_equal(ds.time.values, time)


def _warning_texts(read) -> list[str]:
    with warnings.catch_warnings(record=True) as shown:
        warnings.simplefilter("always")
        read()
    return [str(warning.message) for warning in shown]


def test_a_file_the_lazy_reader_gives_up_on_gets_each_reader_warning_once(tmp_path):
    """The NWB lazy reader warned, then gave up (NotLazy), and the eager read it fell
    back on warned again: open_dataset and convert gave every warning twice."""
    from _corpus import corpus_path

    path = corpus_path("nwb/0.1.1_poseestimation_no_cameras.nwb")
    loaded = _warning_texts(lambda: posebridge.load(path))
    assert len(loaded) >= 2  # "hold no pose samples", "containers read name 2 videos"

    assert _warning_texts(lambda: posebridge.open_dataset(path, chunks=7)) == loaded
    assert _warning_texts(lambda: posebridge.convert(path, tmp_path / "o.nc")) == loaded


def test_the_warnings_of_a_lazy_read_that_succeeds_are_given(tmp_path, poses_two_mice_with_nan):
    """Recorded while the lazy reader tries, they are given again when it does not give up."""
    from posebridge import lazy
    from posebridge.lazy import open_lazily_indexed

    (path,) = posebridge.save(poses_two_mice_with_nan, tmp_path / "p.nc")
    opener = lazy.LAZY_FORMATS["netcdf"]
    module = importlib.import_module(opener[0])
    original = getattr(module, opener[1])

    def warning_opener(*args, **kwargs):
        warnings.warn("from the lazy reader", UserWarning, stacklevel=1)
        return original(*args, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(module, opener[1], warning_opener)
        texts = _warning_texts(lambda: open_lazily_indexed(path))
    assert texts.count("from the lazy reader") == 1


def _saved(ds: xr.Dataset, tmp_path: Path, name: str) -> Path:
    """``ds`` saved as ``name`` (Anipose: 3D, one individual, as Anipose writes)."""
    if name.endswith("anipose.csv"):
        rng = np.random.default_rng(3)
        ds = posebridge.from_numpy(rng.uniform(0, 50, size=(20, 3, 3, 1)))
        (path,) = posebridge.save(ds, tmp_path / name, format="anipose")
        return path
    (path,) = posebridge.save(ds, tmp_path / name)
    return path


@pytest.mark.parametrize("name", ["aDLC_resnet50.h5", "aDLC_resnet50.csv", "a_anipose.csv"])
@pytest.mark.parametrize("how", ["engine", "open_dataset"])
def test_editing_lazily_read_values_in_place_changes_no_later_reading_of_the_file(
    tmp_path, poses_two_mice_with_nan, name, how
):
    path = _saved(poses_two_mice_with_nan, tmp_path, name)
    eager = posebridge.load(path)

    def opened() -> xr.Dataset:
        if how == "engine":
            return xr.open_dataset(path, engine=PoseBridgeBackendEntrypoint)
        return posebridge.open_dataset(path, chunks=-1)

    first = opened()
    assert first.attrs["lazy"] == 1
    position = first.position.values
    position += 1000.0  # the user's array: edited in place
    first.confidence.values[...] = np.nan
    for again in (opened(), xr.open_dataset(path, engine=PoseBridgeBackendEntrypoint)):
        np.testing.assert_array_equal(again.position.values, eager.position.values)
        np.testing.assert_array_equal(again.confidence.values, eager.confidence.values)


@pytest.mark.parametrize("name", ["aDLC_resnet50.csv", "a_anipose.csv"])
@pytest.mark.parametrize("change", ["rewritten", "removed"])
def test_a_csv_file_changed_after_a_lazy_read_is_refused_when_read_again(
    tmp_path, poses_two_mice_with_nan, name, change
):
    path = _saved(poses_two_mice_with_nan, tmp_path, name)
    ds = xr.open_dataset(path, engine=PoseBridgeBackendEntrypoint)
    assert ds.attrs["lazy"] == 1
    ds.position.isel(time=slice(0, 5)).values  # noqa: B018  (read, so its rows are kept)
    if change == "removed":
        path.unlink()
    else:  # the same shape, other values (and another size: the stamp differs)
        text = path.read_text()
        path.write_text(text.replace(".", ".5", 40))
    with pytest.raises(posebridge.FormatError, match=path.name):
        ds.position.isel(time=slice(0, 5)).values  # noqa: B018


@pytest.mark.skipif(not Path("/proc/self/io").exists(), reason="needs Linux /proc/self/io")
@pytest.mark.parametrize(
    "selection",
    [[0, FRAMES - 1], [FRAMES - 1, 0, 5_000_000], slice(None, None, FRAMES // 4)],
    ids=["first-and-last", "unsorted", "step"],
)
def test_frames_far_apart_read_through_the_engine_read_only_their_chunks(tmp_path, selection):
    path = tmp_path / "big.analysis.h5"
    chunk_bytes = _big_analysis_file(path)
    ds = xr.open_dataset(path, engine=PoseBridgeBackendEntrypoint)
    frames = np.arange(FRAMES)[selection]
    before = read_bytes()
    values = ds.position.isel(time=selection).values
    read = read_bytes() - before
    assert values.shape == (len(frames), 2, 3, 1)
    np.testing.assert_array_equal(values[:, 0, 0, 0], frames % CHUNK % 7)
    # one chunk per frame asked for (and the file's header), not the span between them
    assert read < (len(frames) + 4) * chunk_bytes, (read, chunk_bytes)


@pytest.mark.parametrize("name", ["aDLC_resnet50.h5", "aDLC_resnet50.csv"])
def test_closing_a_lazily_read_dataset_lets_go_of_the_rows_kept_of_its_file(
    tmp_path, poses_two_mice_with_nan, name
):
    from posebridge.formats.dlc import csv_lazy
    from posebridge.formats.dlc import lazy as dlc_lazy

    kept = dlc_lazy._BUILT if name.endswith(".h5") else csv_lazy._PARSED
    path = _saved(poses_two_mice_with_nan, tmp_path, name)
    for opened in (
        xr.open_dataset(path, engine=PoseBridgeBackendEntrypoint),
        posebridge.open_dataset(path),  # dask arrays: Dataset.chunk kept no close hook
        posebridge.open_dataset(path, chunks=7),
    ):
        opened.position.values  # noqa: B018
        assert kept._key is not None and str(path) in str(kept._key[0])
        opened.close()
        assert kept._key is None


@pytest.mark.parametrize("name", ["aDLC_resnet50.h5", "aDLC_resnet50.csv", "a_anipose.csv"])
def test_a_slice_selecting_nothing_beside_a_list_reads_as_load_does(
    tmp_path, poses_two_mice_with_nan, name
):
    """A slice whose start is past its stop (a reversed label range) beside a list or a step
    on another axis selects nothing, as load's dataset does (it raised numpy's 'negative
    dimensions are not allowed')."""
    path = _saved(poses_two_mice_with_nan, tmp_path, name)
    eager = posebridge.load(path)
    ds = xr.open_dataset(path, engine=PoseBridgeBackendEntrypoint)
    keypoints = list(eager.keypoint.values[:2])
    for pick in (
        lambda d: d.position.isel(time=slice(5, 2), keypoint=[1, 0]),
        lambda d: d.position.isel(time=slice(5, 2), keypoint=slice(None, None, 2)),
        lambda d: d.position.isel(time=[1, 2], keypoint=slice(3, 1)),
        lambda d: d.position.sel(time=slice(10, 5), keypoint=keypoints),
    ):
        expected = pick(eager)
        got = pick(ds).values
        assert got.shape == expected.shape and 0 in got.shape
