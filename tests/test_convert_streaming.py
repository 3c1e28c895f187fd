"""Streaming conversion: convert() moves data in time chunks, with the in-memory output.

For every streaming pair the output equals the in-memory path's (every float dataset
of an HDF5 output identical, and the dataset read back identical); numpy's peak
memory during a streaming conversion is bounded by the chunk, not the file.
"""

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

ENDINGS = {"dlc": ".h5", "sleap": ".analysis.h5", "netcdf": ".nc", "nwb": ".nwb"}
SOURCES = ("dlc", "sleap", "netcdf")
TARGETS = ("nwb", "sleap", "netcdf")


def _poses(frames: int = 1000, individuals: int = 2, keypoints: int = 4) -> xr.Dataset:
    rng = np.random.default_rng(3)
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
        source_software="DeepLabCut",
    )


def _h5_floats(path: Path) -> dict[str, np.ndarray]:
    found = {}
    with h5py.File(path) as h5:

        def visit(name, obj):
            if isinstance(obj, h5py.Dataset) and obj.dtype.kind in "fiu" and obj.ndim:
                found[name] = (obj[()], obj.dtype, obj.chunks)

        h5.visititems(visit)
    return found


def test_the_pairs_that_stream():
    assert {(s, t) for s in SOURCES for t in TARGETS} <= STREAMING_PAIRS
    assert streams("dlc", "nwb") and streams("sleap", "sleap")
    assert not streams("dlc", "dlc") and not streams("slp", "nwb")


@pytest.mark.parametrize("target_format", TARGETS)
@pytest.mark.parametrize("source_format", SOURCES)
def test_streaming_output_equals_the_in_memory_output(tmp_path, source_format, target_format):
    source = tmp_path / f"in{ENDINGS[source_format]}"
    posebridge.save(_poses(), source, source_format)
    options = {"split_individuals": False} if target_format == "nwb" else {}
    streamed = tmp_path / f"streamed{ENDINGS[target_format]}"
    in_memory = tmp_path / f"memory{ENDINGS[target_format]}"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        convert(source, streamed, target_format, chunk_frames=64, **options)
        eager = posebridge.load(source)
        assert "lazy" not in eager.attrs
        posebridge.save(eager, in_memory, target_format, **options)
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


def test_a_streaming_conversion_holds_one_chunk_not_the_file(tmp_path):
    frames, keypoints = 60_000, 16
    source = tmp_path / "long.analysis.h5"
    posebridge.save(_poses(frames, 1, keypoints), source)
    full_bytes = frames * 2 * keypoints * 8  # position alone, float64
    small = tmp_path / "small.analysis.h5"
    posebridge.save(_poses(100, 1, keypoints), small)
    convert(small, tmp_path / "small.nwb", chunk_frames=10, fps=30)  # imports are not counted
    tracemalloc.start()
    try:
        convert(source, tmp_path / "long.nwb", chunk_frames=2_000, fps=30)
        _, streamed_peak = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        posebridge.save(posebridge.load(source, fps=30), tmp_path / "memory.nwb")
        _, eager_peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert eager_peak > full_bytes  # the in-memory path holds the whole array
    assert streamed_peak < full_bytes / 3, (streamed_peak, full_bytes)


def test_streaming_keeps_the_no_clobber_promise(tmp_path):
    source = tmp_path / "a.analysis.h5"
    posebridge.save(_poses(50, 1), source)
    target = tmp_path / "a.nwb"
    target.write_bytes(b"precious")
    with pytest.raises(FileExistsError):
        convert(source, target, chunk_frames=8)
    assert target.read_bytes() == b"precious"
    assert [p.name for p in tmp_path.iterdir() if ".partial" in p.name] == []


def test_a_non_streaming_pair_converts_in_memory(tmp_path):
    source = tmp_path / "a.analysis.h5"
    posebridge.save(_poses(30, 1), source)
    (written,) = convert(source, tmp_path / "a.csv", "dlc")
    np.testing.assert_array_equal(
        posebridge.load(written).position.values, posebridge.load(source).position.values
    )


def test_cli_convert_streams_a_streaming_pair(tmp_path):
    from click.testing import CliRunner

    from posebridge.cli import cli

    source = tmp_path / "in.analysis.h5"
    posebridge.save(_poses(100, 1), source)
    result = CliRunner().invoke(
        cli,
        ["convert", str(source), str(tmp_path / "out.nwb"), "--chunk-frames", "16", "--quiet"],
    )
    assert result.exit_code == 0, result.output
    assert "in chunks of frames" in result.output
    np.testing.assert_array_equal(
        posebridge.load(tmp_path / "out.nwb").position.values,
        posebridge.load(source).position.values,
    )
