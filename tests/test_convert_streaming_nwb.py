"""Streaming conversion from NWB (read lazily, series by series, a block of time at a time):
the output equals the in-memory conversion's, and memory follows the chunk, not the file."""

from __future__ import annotations

import tracemalloc
import warnings
from pathlib import Path

import h5py
import numpy as np
import pytest
import xarray as xr

import posebridge
from posebridge.convert import STREAMING_PAIRS, convert, streams

ENDINGS = {"sleap": ".analysis.h5", "netcdf": ".nc", "nwb": ".nwb"}


def _poses(frames: int = 500, individuals: int = 2, keypoints: int = 4) -> xr.Dataset:
    rng = np.random.default_rng(5)
    position = rng.uniform(0, 640, size=(frames, 2, keypoints, individuals))
    position[10:20, :, 1, 0] = np.nan
    confidence = rng.uniform(0, 1, size=(frames, keypoints, individuals))
    confidence[10:20, 1, 0] = np.nan
    return posebridge.from_numpy(
        position,
        confidence,
        individual_names=[f"mouse{i}" for i in range(individuals)],
        keypoint_names=[f"kp{k}" for k in range(keypoints)],
        fps=30,
    )


def _h5_floats(path: Path) -> dict[str, tuple]:
    found = {}
    with h5py.File(path) as h5:

        def visit(name, obj):
            if isinstance(obj, h5py.Dataset) and obj.dtype.kind in "fiu" and obj.ndim:
                found[name] = (obj[()], obj.dtype, obj.chunks)

        h5.visititems(visit)
    return found


def test_nwb_streams_to_every_streaming_writer():
    assert {("nwb", t) for t in ENDINGS} <= STREAMING_PAIRS
    assert streams("nwb", "sleap") and streams("nwb", "netcdf") and streams("nwb", "nwb")


@pytest.mark.parametrize("target_format", sorted(ENDINGS))
def test_streaming_from_nwb_equals_the_in_memory_conversion(tmp_path, target_format):
    source = tmp_path / "in.nwb"
    posebridge.save(_poses(), source, split_individuals=False)
    assert posebridge.open_dataset(source).attrs["lazy"] == 1
    options = {"split_individuals": False} if target_format == "nwb" else {}
    streamed = tmp_path / f"streamed{ENDINGS[target_format]}"
    in_memory = tmp_path / f"memory{ENDINGS[target_format]}"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        convert(source, streamed, target_format, chunk_frames=64, **options)
        posebridge.save(posebridge.load(source), in_memory, target_format, **options)
        a, b = posebridge.load(streamed), posebridge.load(in_memory)
    for ds in (a, b):
        for name in ("source_file", "session_start_time"):
            ds.attrs.pop(name, None)
    xr.testing.assert_identical(a, b)
    if target_format != "netcdf":
        left, right = _h5_floats(streamed), _h5_floats(in_memory)
        assert left.keys() == right.keys()
        for name, (values, dtype, chunks) in left.items():
            np.testing.assert_array_equal(values, right[name][0], err_msg=name)
            assert (dtype, chunks) == right[name][1:], name


def test_a_streaming_conversion_from_nwb_holds_one_chunk_not_the_file(tmp_path):
    frames, keypoints = 60_000, 16
    source = tmp_path / "long.nwb"
    posebridge.save(_poses(frames, 1, keypoints), source)
    full_bytes = frames * 2 * keypoints * 8  # position alone, float64
    small = tmp_path / "small.nwb"
    posebridge.save(_poses(100, 1, keypoints), small)
    convert(small, tmp_path / "small.analysis.h5", chunk_frames=10)  # imports not counted
    tracemalloc.start()
    try:
        convert(source, tmp_path / "long.analysis.h5", chunk_frames=2_000)
        _, streamed_peak = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        posebridge.save(posebridge.load(source), tmp_path / "memory.analysis.h5")
        _, eager_peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert eager_peak > full_bytes  # the in-memory path holds the whole array
    assert streamed_peak < full_bytes / 3, (streamed_peak, full_bytes)
