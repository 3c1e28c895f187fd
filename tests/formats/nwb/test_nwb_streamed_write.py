"""Streamed NWB writes (dask arrays): each chunk of the source is computed once for all
the individuals and files written, and the files equal the in-memory write's."""

from __future__ import annotations

import collections
import shutil
import sys
import warnings
from pathlib import Path

import h5py
import numpy as np
import pytest
import xarray as xr

import posebridge


def _poses(frames: int, individuals: int, names: str = "m") -> xr.Dataset:
    rng = np.random.default_rng(7)
    position = rng.uniform(0, 640, size=(frames, 2, 3, individuals))
    position[4:9, :, 1, 0] = np.nan
    confidence = rng.uniform(0, 1, size=(frames, 3, individuals))
    return posebridge.from_numpy(
        position,
        confidence,
        individual_names=[f"{names}{i}" for i in range(individuals)],
        keypoint_names=["nose", "ear", "tail"],
        fps=30,
    )


def _counted(ds: xr.Dataset, frames: int) -> tuple[xr.Dataset, collections.Counter]:
    """``ds`` in chunks of ``frames``, whose position counts how often each chunk is
    computed (by its index along time)."""
    computed: collections.Counter = collections.Counter()

    def count(block: np.ndarray, block_info: dict | None = None) -> np.ndarray:
        if block_info:
            computed[block_info[0]["chunk-location"][0]] += 1
        return block

    ds = ds.chunk({"time": frames})
    data = ds["position"].data
    counted = data.map_blocks(count, dtype=data.dtype, meta=data._meta)
    return ds.assign(position=ds["position"].copy(data=counted)), computed


def _floats(path: Path) -> dict[str, tuple]:
    found = {}
    with h5py.File(path) as h5:

        def visit(name, obj):
            if isinstance(obj, h5py.Dataset) and obj.dtype.kind in "fiu" and obj.ndim:
                found[name] = (obj[()], obj.dtype, obj.chunks, obj.compression)

        h5.visititems(visit)
    return found


def _same_files(streamed: list[Path], in_memory: list[Path]) -> None:
    assert len(streamed) == len(in_memory)
    for a, b in zip(streamed, in_memory, strict=True):
        left, right = _floats(a), _floats(b)
        assert left.keys() == right.keys()
        for name, (values, *layout) in left.items():
            np.testing.assert_array_equal(values, right[name][0], err_msg=name)
            assert layout == list(right[name][1:]), name


@pytest.mark.parametrize(
    ("options", "files"),
    [
        ({}, 4),
        ({"split_individuals": False}, 1),
        ({"layout": "sleap-io"}, 1),
        ({"compression": "gzip"}, 4),
    ],
    ids=["file-per-individual", "one-file", "sleap-io-layout", "gzip"],
)
def test_each_chunk_is_computed_once_for_every_individual_and_file(tmp_path, options, files):
    """Each individual's series were computed chunk by chunk on their own (once per file,
    and once more per individual of a file): 1 ms per series and chunk, most of a
    conversion in small chunks of many individuals."""
    ds = _poses(60, 4)
    streamed, computed = _counted(ds, 8)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        written = posebridge.save(streamed, tmp_path / "streamed.nwb", **options)
        in_memory = posebridge.save(ds, tmp_path / "memory.nwb", **options)
    assert len(written) == files
    assert computed == dict.fromkeys(range(8), 1)  # 60 frames in chunks of 8
    _same_files(written, in_memory)


@pytest.mark.parametrize("layout", ["posebridge", "sleap-io"])
def test_a_streamed_append_computes_each_chunk_once(tmp_path, layout):
    streamed_file, memory_file = tmp_path / "streamed.nwb", tmp_path / "memory.nwb"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        posebridge.save(_poses(30, 1), streamed_file, layout=layout)
        shutil.copy(streamed_file, memory_file)
        added = _poses(30, 3, names="x")
        streamed, computed = _counted(added, 4)
        posebridge.save(streamed, streamed_file, append=True)
        posebridge.save(added, memory_file, append=True)
    assert computed == dict.fromkeys(range(8), 1)  # 30 frames in chunks of 4
    _same_files([streamed_file], [memory_file])


@pytest.mark.parametrize("longer_first", [True, False], ids=["longer first", "shorter first"])
def test_videos_of_different_lengths_in_one_sleap_io_file_are_each_filled_to_their_end(
    tmp_path, longer_first
):
    """The windows were taken from the first video's array: the 50-frame video's rows 20..49
    kept HDF5's fill value, 0.0, and read back as points at the origin, without a word."""
    from posebridge.formats import nwb

    longer = _poses(50, 2).assign_attrs(video_path="b.mp4")
    shorter = _poses(20, 2, names="n").assign_attrs(video_path="a.mp4")
    videos = [longer, shorter] if longer_first else [shorter, longer]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        streamed = nwb.write_sleap_io([v.chunk({"time": 8}) for v in videos], tmp_path / "s.nwb")
        in_memory = nwb.write_sleap_io(videos, tmp_path / "m.nwb")

    _same_files(streamed, in_memory)
    with h5py.File(streamed[0]) as h5:
        (long_video,) = [name for name in h5["processing"] if name.endswith("_b")]
        written = h5[f"processing/{long_video}/track=m0/nose/data"][()]
    np.testing.assert_array_equal(written, longer.position.values[:, :, 0, 0])


@pytest.mark.parametrize("layout", ["posebridge", "sleap-io"])
def test_lazy_positions_beside_confidence_in_memory_write_the_in_memory_file(tmp_path, layout):
    """Lazy positions with confidence in memory raised a raw AttributeError ('numpy.ndarray'
    object has no attribute 'numblocks') from deep inside the writer."""
    ds = _poses(30, 2)
    mixed = ds.assign(position=ds["position"].chunk({"time": 7}))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        options = {"split_individuals": False} if layout == "posebridge" else {"layout": layout}
        streamed = posebridge.save(mixed, tmp_path / "mixed.nwb", **options)
        in_memory = posebridge.save(ds, tmp_path / "memory.nwb", **options)

    _same_files(streamed, in_memory)


@pytest.mark.parametrize("append", [False, True], ids=["write", "append"])
def test_each_series_being_filled_holds_at_most_one_mib_of_chunk_cache(
    tmp_path, monkeypatch, append
):
    """HDF5 2.0 gives each open dataset an 8 MiB chunk cache, and the fill holds every
    series open at once: a 10-million-frame file of 48 series peaked above 1 GB, its
    written chunks kept in memory. One hdmf chunk (at most 1 MiB) per series is enough."""
    from posebridge.formats.nwb import stream

    caches: list[int] = []
    fill = stream.fill_series

    def spy(series):
        caches.extend(dataset.id.get_access_plist().get_chunk_cache()[1] for dataset, _ in series)
        fill(series)

    monkeypatch.setattr(stream, "fill_series", spy)
    path = tmp_path / "poses.nwb"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if append:
            posebridge.save(_poses(40, 1), path, split_individuals=False)
        posebridge.save(
            _poses(40, 2, names="x").chunk({"time": 8}),
            path,
            split_individuals=False,
            append=append,
        )
    assert len(caches) == 2 * 3 * 2  # position and confidence of 3 keypoints x 2 individuals
    assert max(caches) <= 1 << 20


_WRITES_WITHOUT_DASK = {
    "sleap-io layout": (
        "posebridge.save(ds, 'out.nwb', layout='sleap-io')\n"
        "print('INDIVIDUALS', len(posebridge.load('out.nwb').individual))\n"
    ),
    "io.nwb.write_nwb": (
        "from posebridge.io import nwb\n"
        "nwb.write_nwb(ds, 'out.nwb')\n"
        "print('INDIVIDUALS', len(posebridge.load('out.nwb').individual))\n"
    ),
    "append": (
        "posebridge.save(ds.isel(individual=[0]), 'out.nwb')\n"
        "posebridge.save(ds.isel(individual=[1]), 'out.nwb', append=True)\n"
        "print('INDIVIDUALS', len(posebridge.load('out.nwb').individual))\n"
    ),
}


@pytest.mark.parametrize("write", list(_WRITES_WITHOUT_DASK))
def test_an_in_memory_dataset_is_written_to_nwb_without_dask(tmp_path, write):
    """h159: the sleap-io layout (new file, io.nwb.write_nwb) and appends imported dask
    to fill the streamed series even when there were none: ModuleNotFoundError without
    the dask extra."""
    from _without_dask import run_without_dask

    posebridge.save(_poses(12, 2), tmp_path / "mice.nc")
    code = (
        "import warnings, posebridge\n"
        "warnings.simplefilter('ignore')\n"
        "ds = posebridge.load('mice.nc')\n" + _WRITES_WITHOUT_DASK[write]
    )
    done = run_without_dask(code, tmp_path)
    assert done.returncode == 0, done.stderr
    assert "INDIVIDUALS 2" in done.stdout
    assert "DASK MODULES: []" in done.stderr
    expected = _poses(12, 2)
    written = posebridge.load(tmp_path / "out.nwb")
    np.testing.assert_allclose(
        written["position"].sel(individual=expected.individual).values,
        expected["position"].transpose(*written["position"].dims).values,
    )


def test_fill_series_of_numpy_sources_needs_no_dask(tmp_path, monkeypatch):
    """Sources in memory are written as they are: no dask compute (nor import)."""
    from posebridge.formats.nwb.stream import SeriesSource, fill_series

    monkeypatch.setitem(sys.modules, "dask", None)  # import dask now fails

    values = np.arange(12.0).reshape(6, 2)
    with h5py.File(tmp_path / "f.h5", "w") as h5:
        dataset = h5.create_dataset("data", shape=(8, 2), dtype="float32")
        fill_series([(dataset, SeriesSource(values, (slice(None),), 8, "float32"))])
        stored = dataset[()]
    np.testing.assert_array_equal(stored[:6], values)
    assert np.isnan(stored[6:]).all()
