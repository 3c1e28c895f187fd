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
import pandas as pd
import pytest
import xarray as xr

import posebridge
from _without_dask import run_without_dask
from posebridge.convert import STREAMING_PAIRS, convert, streams

ENDINGS = {"dlc": ".h5", "sleap": ".analysis.h5", "netcdf": ".nc", "nwb": ".nwb"}
SOURCES = ("dlc", "sleap", "netcdf")
TARGETS = ("nwb", "sleap", "netcdf")
#: (name, format, file ending) of every streaming reader and writer, CSV ones included.
STREAM_SOURCES = (
    ("dlc-h5", "dlc", "DLC.h5"),
    ("dlc-csv", "dlc", "DLC.csv"),
    ("lp-csv", "lp", ".csv"),
    ("sleap", "sleap", ".analysis.h5"),
    ("netcdf", "netcdf", ".nc"),
    ("anipose", "anipose", ".csv"),
    ("nwb", "nwb", ".nwb"),
)
#: Writer options that give one source file (NWB writes a file per individual by default).
SOURCE_OPTIONS = {"nwb": {"split_individuals": False}}
STREAM_TARGETS = (
    ("nwb", "nwb", ".nwb"),
    ("sleap", "sleap", ".analysis.h5"),
    ("netcdf", "netcdf", ".nc"),
    ("dlc-h5", "dlc", ".h5"),
    ("dlc-csv", "dlc", ".csv"),
    ("lp-csv", "lp", ".csv"),
    ("anipose", "anipose", ".csv"),
)


def _poses(
    frames: int = 1000, individuals: int = 2, keypoints: int = 4, space: int = 2
) -> xr.Dataset:
    rng = np.random.default_rng(3)
    position = rng.uniform(0, 640, size=(frames, space, keypoints, individuals))
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


def _poses_for(*formats: str, frames: int = 1000) -> xr.Dataset:
    """Poses every one of ``formats`` holds: 3D of one animal for Anipose, one animal for
    LightningPose, else two animals in 2D."""
    if "anipose" in formats:
        ds = _poses(frames, 1, 4, space=3)
        ds["reprojection_error"] = ds["confidence"] * 3
        ds.attrs["anipose_alignment_matrix"] = np.arange(9.0) / 7
        ds.attrs["anipose_alignment_center"] = np.array([0.5, -1.25, 3.0])
        return ds
    return _poses(frames, 1 if "lp" in formats else 2)


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
    readers = {f for _, f, _ in STREAM_SOURCES}
    writers = {f for _, f, _ in STREAM_TARGETS}
    assert {(s, t) for s in readers for t in writers} == STREAMING_PAIRS
    assert streams("dlc", "nwb") and streams("sleap", "sleap") and streams("dlc", "dlc")
    assert streams("anipose", "lp") and not streams("slp", "nwb") and not streams("via", "via")


def _same_outputs(streamed: list[Path], in_memory: list[Path]) -> None:
    """Text files byte for byte, HDF5 files by their numbers, every file by what it reads."""
    assert [p.name.replace("streamed", "") for p in streamed] == [
        p.name.replace("memory", "") for p in in_memory
    ]
    for a, b in zip(streamed, in_memory, strict=True):
        if a.suffix == ".csv":
            assert a.read_bytes() == b.read_bytes(), a.name
        elif a.suffix == ".h5" and not a.name.endswith(".analysis.h5"):
            pd.testing.assert_frame_equal(pd.read_hdf(a), pd.read_hdf(b))
        elif a.suffix != ".nc":
            left, right = _h5_floats(a), _h5_floats(b)
            assert left.keys() == right.keys()
            for name, (values, dtype, chunks) in left.items():
                np.testing.assert_array_equal(values, right[name][0], err_msg=name)
                assert (dtype, chunks) == right[name][1:], name
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            left, right = posebridge.load(a), posebridge.load(b)
        for ds in (left, right):
            for name in ("source_file", "session_start_time"):
                ds.attrs.pop(name, None)
        xr.testing.assert_identical(left, right)


@pytest.mark.parametrize("target", STREAM_TARGETS, ids=[t[0] for t in STREAM_TARGETS])
@pytest.mark.parametrize("source", STREAM_SOURCES, ids=[s[0] for s in STREAM_SOURCES])
def test_every_streaming_pair_gives_the_in_memory_output(tmp_path, source, target):
    (_, source_format, source_end), (_, target_format, target_end) = source, target
    ds = _poses_for(source_format, target_format)
    path = tmp_path / f"in{source_end}"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            posebridge.save(ds, path, source_format, **SOURCE_OPTIONS.get(source_format, {}))
        except posebridge.PoseBridgeError:
            pytest.skip(f"{source_format} cannot hold these poses")
        eager = posebridge.load(path, source_format)
        try:
            in_memory = posebridge.save(eager, tmp_path / f"memory{target_end}", target_format)
        except posebridge.PoseBridgeError as error:  # the streamed path refuses it too
            with pytest.raises(type(error)):
                convert(path, tmp_path / f"streamed{target_end}", target_format, chunk_frames=64)
            assert sorted(p.name for p in tmp_path.iterdir()) == [path.name]
            return
        assert posebridge.open_dataset(path, source_format).attrs["lazy"] == 1
        out = tmp_path / f"streamed{target_end}"
        streamed = convert(path, out, target_format, chunk_frames=64)
    _same_outputs(streamed, in_memory)


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


@pytest.mark.parametrize("chunk_frames", [1, 7])
def test_small_chunks_give_the_in_memory_chunking_and_compression(tmp_path, chunk_frames):
    """Deflate judged on a first block of one frame (16 bytes of instance scores) did not
    pay, so those arrays were written whole and uncompressed, unlike the in-memory path."""
    source = tmp_path / "in.nc"
    posebridge.save(_poses(300), source)
    streamed = tmp_path / "streamed.analysis.h5"
    in_memory = tmp_path / "memory.analysis.h5"
    convert(source, streamed, chunk_frames=chunk_frames)
    posebridge.save(posebridge.load(source), in_memory)

    def layout(path: Path) -> dict[str, tuple]:
        with h5py.File(path) as h5:
            return {
                name: (h5[name].chunks, h5[name].compression)
                for name in h5
                if isinstance(h5[name], h5py.Dataset) and h5[name].ndim
            }

    assert layout(streamed) == layout(in_memory)
    assert layout(in_memory)["instance_scores"][1] == "gzip"  # the case this is about
    _same_outputs([streamed], [in_memory])


@pytest.mark.parametrize(("source_end", "target_end"), [(".analysis.h5", ".nwb"), (".nwb", ".h5")])
def test_a_streaming_conversion_holds_one_chunk_not_the_file(tmp_path, source_end, target_end):
    # a 2,000-frame chunk costs the NWB and DLC .h5 writers 4.5-5.2 MB of scratch (measured):
    # the file is long enough that a third of it is well above that
    frames, keypoints = 150_000, 16
    source = tmp_path / f"long{source_end}"
    posebridge.save(_poses(frames, 1, keypoints), source)
    full_bytes = frames * 2 * keypoints * 8  # position alone, float64
    small = tmp_path / f"small{source_end}"
    posebridge.save(_poses(100, 1, keypoints), small)
    convert(small, tmp_path / f"small{target_end}", chunk_frames=10, fps=30)  # imports
    tracemalloc.start()
    try:
        convert(source, tmp_path / f"long{target_end}", chunk_frames=2_000, fps=30)
        _, streamed_peak = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        posebridge.save(posebridge.load(source, fps=30), tmp_path / f"memory{target_end}")
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
    assert not streams("sleap", "slp")
    (written,) = convert(source, tmp_path / "a.slp")
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


def test_cli_convert_opens_a_streaming_source_once(tmp_path, monkeypatch):
    from click.testing import CliRunner

    import posebridge.lazy
    from posebridge.cli import cli

    source = tmp_path / "inDLC_resnet50.csv"
    posebridge.save(_poses(200), source, "dlc")
    opened: list[Path] = []
    original = posebridge.lazy.open_lazily_indexed

    def counting(path, *args, **kwargs):  # the real opener, counted
        opened.append(Path(path))
        return original(path, *args, **kwargs)

    monkeypatch.setattr(posebridge.lazy, "open_lazily_indexed", counting)
    result = CliRunner().invoke(
        cli, ["convert", str(source), str(tmp_path / "out.analysis.h5"), "--chunk-frames", "30"]
    )
    assert result.exit_code == 0, result.output
    assert opened == [source]  # the row scan of a CSV runs once, not once per look
    np.testing.assert_array_equal(
        posebridge.load(tmp_path / "out.analysis.h5").position.values,
        posebridge.load(source).position.values,
    )


@pytest.mark.parametrize("source", ["dlc-csv", "lp-csv", "anipose"])
def test_a_csv_source_is_parsed_one_chunk_of_rows_at_a_time(tmp_path, monkeypatch, source):
    from posebridge.formats._shared import csv_rows

    _, source_format, end = next(s for s in STREAM_SOURCES if s[0] == source)
    path = tmp_path / f"in{end}"
    posebridge.save(_poses_for(source_format), path, source_format)
    read = []
    real = csv_rows.row_bytes

    def counted(rows, low, high):
        text = real(rows, low, high)
        read.append((low, high, text.count(b"\n")))
        return text

    monkeypatch.setattr(csv_rows, "row_bytes", counted)
    target = tmp_path / ("out.csv" if source == "anipose" else "out.analysis.h5")
    convert(path, target, source_format if source == "anipose" else "sleap", chunk_frames=100)
    # each range of 100 rows parsed once (for every variable), nothing else parsed
    assert sorted(read) == [(k, k + 100, 100) for k in range(0, 1000, 100)]


@pytest.mark.parametrize(
    ("source_end", "target_end"), [("DLC.csv", ".h5"), ("DLC.h5", ".csv"), (".csv", ".csv")]
)
def test_a_streaming_dlc_conversion_holds_one_chunk_not_the_file(
    tmp_path, monkeypatch, source_end, target_end
):
    """Python's (and numpy's) peak memory grows with the file only by its coordinates (frame
    numbers, a few copies of 8 bytes a frame), not by its arrays."""
    from posebridge.formats._shared import csv_rows

    monkeypatch.setattr(csv_rows, "SCAN_BYTES", 1 << 18)  # the scan's step: bounded too
    source_format = "anipose" if source_end == ".csv" else "dlc"
    target_format = source_format if target_end == ".csv" else "dlc"
    peaks = []
    for frames in (100, 20_000, 160_000):  # large enough that the fixed costs (~3.5 MB,
        # varying with what ran before in the process) stay well under half the arrays
        source = tmp_path / f"f{frames}{source_end}"
        ds = _poses_for(source_format, frames=frames)
        full_bytes = ds.position.nbytes + ds.confidence.nbytes
        posebridge.save(ds, source, source_format)
        tracemalloc.start()
        try:
            convert(source, tmp_path / f"o{frames}{target_end}", target_format, chunk_frames=500)
            peaks.append(tracemalloc.get_traced_memory()[1])
        finally:
            tracemalloc.stop()
    grown = (full_bytes * 140_000) // 160_000  # the arrays of the 140 000 frames added
    # a few 8-byte coordinates a frame (how many copies depends on what ran before in the
    # process: 1.8 MB of 5.8 MB seen after other conversions, 6.1 MB once after a long run of
    # other tests), never the arrays themselves (which alone would grow by `grown`)
    assert peaks[2] - peaks[1] < grown / 2, (peaks, grown)
    assert peaks[2] < full_bytes / 2, (peaks, full_bytes)


def _leftovers(folder: Path, *keep: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p not in keep)


@pytest.mark.parametrize("target_end", [".nwb", ".analysis.h5", "DLC.h5", "DLC.csv", ".nc"])
def test_a_bad_row_mid_stream_leaves_no_output(tmp_path, target_end):
    source = tmp_path / "inDLC.csv"
    posebridge.save(_poses(1000, 2), source)
    lines = source.read_bytes().split(b"\n")
    cells = lines[4 + 900].split(b",")  # 4 header lines: data row 900
    cells[5] = b"oops"
    lines[4 + 900] = b",".join(cells)
    source.write_bytes(b"\n".join(lines))
    assert posebridge.open_dataset(source).attrs["lazy"] == 1  # the scan does not parse numbers
    with pytest.raises(posebridge.PoseBridgeError, match=r"line 905, column 6 .*'oops'"):
        convert(source, tmp_path / f"out{target_end}", chunk_frames=100)
    assert _leftovers(tmp_path, source) == []


@pytest.mark.parametrize("target_end", [".nwb", ".analysis.h5", "DLC.h5", "DLC.csv", ".nc"])
def test_an_infinite_position_mid_stream_is_refused_as_load_refuses_it(tmp_path, target_end):
    source = tmp_path / "inDLC.csv"
    posebridge.save(_poses(1000, 2), source)
    lines = source.read_bytes().split(b"\n")
    cells = lines[4 + 900].split(b",")  # 4 header lines: data row 900, frame 900
    cells[1] = b"inf"  # the first keypoint's x
    lines[4 + 900] = b",".join(cells)
    source.write_bytes(b"\n".join(lines))
    with pytest.raises(posebridge.SchemaError, match="infinite values.*'time': 900"):
        posebridge.load(source)
    with pytest.raises(posebridge.SchemaError, match="inDLC.csv.*infinite.*'time': 900"):
        posebridge.open_dataset(source, chunks=100).position.load()
    with pytest.raises(posebridge.SchemaError, match="inDLC.csv.*infinite.*'time': 900"):
        convert(source, tmp_path / f"out{target_end}", chunk_frames=100)
    assert _leftovers(tmp_path, source) == []


def test_a_negative_likelihood_mid_stream_leaves_no_output(tmp_path):
    ds = _poses(1000, 2)
    ds["confidence"][700, 2, 1] = -0.5
    source = tmp_path / "in.nc"
    posebridge.save(ds, source)
    with pytest.raises(posebridge.SchemaError, match="'time': 700"):
        convert(source, tmp_path / "out.csv", "dlc", chunk_frames=100)
    assert _leftovers(tmp_path, source) == []


def test_an_anipose_alignment_that_changes_mid_stream_leaves_no_output(tmp_path):
    source = tmp_path / "in.csv"
    posebridge.save(_poses_for("anipose"), source, "anipose")
    lines = source.read_bytes().split(b"\n")
    header = lines[0].split(b",")
    cells = lines[1 + 800].split(b",")
    cells[header.index(b"M_11")] = b"9.5"
    lines[1 + 800] = b",".join(cells)
    source.write_bytes(b"\n".join(lines))
    with pytest.raises(posebridge.PoseBridgeError, match="line 802: the alignment columns"):
        posebridge.load(source)  # the in-memory reader refuses it, naming the line ...
    with pytest.raises(posebridge.PoseBridgeError, match="line 802: the alignment columns"):
        convert(source, tmp_path / "out.nwb", chunk_frames=100)  # ... and so does streaming
    assert _leftovers(tmp_path, source) == []


def test_streaming_to_csv_keeps_the_no_clobber_promise(tmp_path):
    source = tmp_path / "inDLC.h5"
    posebridge.save(_poses(50, 2), source)
    target = tmp_path / "out.csv"
    target.write_bytes(b"precious")
    with pytest.raises(FileExistsError):
        convert(source, target, "dlc", chunk_frames=8)
    assert target.read_bytes() == b"precious"
    convert(source, target, "dlc", chunk_frames=8, overwrite=True)
    assert target.read_bytes().startswith(b"scorer,")
    assert _leftovers(tmp_path, source, target) == []


def test_a_csv_that_is_not_a_plain_table_is_converted_in_memory(tmp_path):
    source = tmp_path / "inDLC.csv"
    posebridge.save(_poses(200, 2), source)
    source.write_bytes(source.read_bytes() + b"\n\n")  # blank lines: pandas skips them
    assert posebridge.open_dataset(source).attrs["lazy"] == 0
    (written,) = convert(source, tmp_path / "out.csv", "dlc", chunk_frames=16)
    assert (
        written.read_bytes()
        == posebridge.save(posebridge.load(source), tmp_path / "memory.csv", "dlc")[0].read_bytes()
    )


@pytest.mark.parametrize(
    ("name", "fmt", "end"), STREAM_TARGETS, ids=[t[0] for t in STREAM_TARGETS]
)
def test_on_chunk_reports_every_chunk_once_in_order(tmp_path, name, fmt, end):
    frames, chunk = 95, 10
    ds = _poses_for(fmt, frames=frames)
    source = tmp_path / "source.nc"
    posebridge.save(ds, source)
    reports: list[tuple[int, int]] = []
    convert(
        source,
        tmp_path / f"out{end}",
        fmt,
        chunk_frames=chunk,
        progress=False,
        on_chunk=lambda done, total: reports.append((done, total)),
        **SOURCE_OPTIONS.get(fmt, {}),
    )
    total = -(-frames // chunk)  # ten chunks: nine of 10 frames and one of 5
    assert reports == [(done, total) for done in range(1, total + 1)]


def test_on_chunk_is_not_called_for_a_conversion_in_memory(tmp_path):
    labels = tmp_path / "labels.slp"
    posebridge.save(_labels_for_memory(), labels)
    reports: list[tuple[int, int]] = []
    convert(
        labels,
        tmp_path / "labels.nc",
        chunk_frames=1,
        on_chunk=lambda *report: reports.append(report),
        progress=False,
    )
    assert posebridge.load(tmp_path / "labels.nc").sizes["time"] == 3
    assert reports == []  # labels are converted in memory, not in chunks


def _labels_for_memory() -> xr.Dataset:
    from posebridge.model import labels

    rng = np.random.default_rng(5)
    return labels.from_numpy(
        rng.uniform(0, 100, size=(3, 2, 2, 1)),
        image_path=["a.png", "b.png", "c.png"],
        keypoint_names=["nose", "tail"],
    )


def test_the_progress_bar_counts_the_chunks(tmp_path, capsys, monkeypatch):
    import importlib

    convert_module = importlib.import_module("posebridge.convert")  # the module, not the function
    source = tmp_path / "source.nc"
    posebridge.save(_poses(95), source)
    monkeypatch.setattr(convert_module, "_BAR_DELAY", 0)  # draw at once, not after 2 s
    convert(source, tmp_path / "out.analysis.h5", chunk_frames=10, progress=True)
    drawn = capsys.readouterr().err
    assert "converting" in drawn and "10/10" in drawn


# --------------------------------------------------------------------------
# arguments: a wrong one is refused when the call starts, on either path

#: (target name, whether the conversion from netCDF streams): the checks hold on both paths.
PATHS = (("out.analysis.h5", True), ("out.slp", False))


@pytest.mark.parametrize(("target", "streaming"), PATHS, ids=["streaming", "in-memory"])
@pytest.mark.parametrize(
    ("chunk_frames", "error"),
    [
        (0, posebridge.PoseBridgeError),
        (-5, posebridge.PoseBridgeError),
        (1.5, posebridge.errors.TypeError),
        ("10", posebridge.errors.TypeError),
        (True, posebridge.errors.TypeError),
        ([10], posebridge.errors.TypeError),
        (float("nan"), posebridge.errors.TypeError),
    ],
    ids=["0", "-5", "1.5", "text", "True", "list", "nan"],
)
def test_convert_refuses_chunk_frames_that_is_not_a_positive_whole_number(
    tmp_path, target, streaming, chunk_frames, error
):
    source = tmp_path / "source.nc"
    posebridge.save(_poses(50), source)
    assert (
        streams(
            "netcdf",
            posebridge.registry.resolve_for_writing(tmp_path / target, None, "poses").name,
        )
        is streaming
    )
    with pytest.raises(error, match=r"chunk_frames must be a whole number, at least 1") as caught:
        convert(source, tmp_path / target, chunk_frames=chunk_frames, progress=False)
    assert repr(chunk_frames) in str(caught.value) or str(chunk_frames) in str(caught.value)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["source.nc"]


@pytest.mark.parametrize("chunk_frames", [np.int64(7), 10**20], ids=["numpy", "past-the-end"])
def test_convert_takes_numpy_and_oversized_chunk_frames(tmp_path, chunk_frames):
    ds = _poses(50)
    source = tmp_path / "source.nc"
    posebridge.save(ds, source)
    reports: list[tuple[int, int]] = []
    convert(
        source,
        tmp_path / "out.analysis.h5",
        chunk_frames=chunk_frames,
        progress=False,
        on_chunk=lambda *report: reports.append(report),
    )
    back = posebridge.load(tmp_path / "out.analysis.h5")
    np.testing.assert_array_equal(back["position"].values, ds["position"].values)
    total = -(-50 // min(int(chunk_frames), 50))
    assert reports[-1] == (total, total)


@pytest.mark.parametrize(("target", "streaming"), PATHS, ids=["streaming", "in-memory"])
@pytest.mark.parametrize(
    ("arguments", "error", "message"),
    [
        ({"read_options": 5}, posebridge.errors.TypeError, "read_options must be"),
        ({"read_options": ["key"]}, posebridge.errors.TypeError, "read_options must be"),
        ({"on_chunk": 5}, posebridge.errors.TypeError, "on_chunk must be a function"),
        ({"progress": "yes"}, posebridge.errors.TypeError, "progress must be bool"),
        ({"progress": 1}, posebridge.errors.TypeError, "progress must be bool"),
        ({"fps": True}, posebridge.errors.TypeError, "fps must be a number"),
        ({"fps": -1}, posebridge.PoseBridgeError, "fps must be a positive number"),
        ({"overwrite": "no"}, posebridge.errors.TypeError, "overwrite must be True or False"),
    ],
    ids=lambda v: repr(v) if isinstance(v, dict) else "",
)
def test_convert_refuses_wrong_arguments_before_reading_naming_them(
    tmp_path, target, streaming, arguments, error, message
):
    source = tmp_path / "source.nc"
    posebridge.save(_poses(50), source)
    with pytest.raises(error, match=message) as caught:
        convert(source, tmp_path / target, **{"progress": False, **arguments})
    given = next(iter(arguments.values()))
    assert repr(given) in str(caught.value) or str(given) in str(caught.value)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["source.nc"]


@pytest.mark.parametrize("target", [None, 5, b"out.nc"], ids=["None", "int", "bytes"])
def test_convert_refuses_a_target_that_is_not_a_path_with_posebridges_type_error(tmp_path, target):
    source = tmp_path / "source.nc"
    posebridge.save(_poses(10), source)
    with pytest.raises(posebridge.errors.TypeError, match="'target'.*file path") as caught:
        convert(source, target)
    assert isinstance(caught.value, TypeError)  # also the built-in, as before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["source.nc"]


def test_a_misspelt_writer_option_is_refused_before_the_source_is_read(tmp_path):
    """The source's last row is damaged: the option is named first (it was found only after
    the whole file had been read, or the damage was reported instead)."""
    source = tmp_path / "videoDLC.csv"
    posebridge.save(_poses(5), source, split_individuals=False)
    source.write_text(source.read_text() + "5,not a number\n")
    with pytest.raises(posebridge.PoseBridgeError, match="has no option 'subjectid'"):
        convert(source, tmp_path / "out.nwb", subjectid="M1", progress=False)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["videoDLC.csv"]


@pytest.mark.parametrize(
    ("options", "said"),
    [
        ({"compression": "lzmaX"}, "option compression=: compression 'lzmaX' is not supported"),
        ({"dtype": "foo"}, "option dtype=: dtype must be"),
        ({"layout": "bogus"}, "option layout=: layout must be one of"),
        ({"search": 5}, "option search=: search must be a folder"),
    ],
)
def test_a_bad_writer_option_value_is_refused_before_the_source_is_read(tmp_path, options, said):
    """NWB's compression, dtype, layout and search were checked only once the whole source
    had been read (here: its damage was reported instead), naming neither option nor file."""
    source = tmp_path / "videoDLC.csv"
    posebridge.save(_poses(5), source, split_individuals=False)
    source.write_text(source.read_text() + "5,not a number\n")
    with pytest.raises(posebridge.PoseBridgeError) as refused:
        convert(source, tmp_path / "out.nwb", progress=False, **options)
    assert said in str(refused.value)
    assert str(refused.value).startswith(f"{tmp_path / 'out.nwb'}: "), refused.value
    assert refused.value.option == next(iter(options))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["videoDLC.csv"]


def test_a_target_ending_the_output_format_cannot_have_is_refused_before_reading(tmp_path):
    source = tmp_path / "videoDLC.csv"
    posebridge.save(_poses(5), source, split_individuals=False)
    source.write_text(source.read_text() + "5,not a number\n")  # reading it fails
    with pytest.raises(posebridge.PoseBridgeError, match=r"out\.csv: NWB files end in \.nwb"):
        convert(source, tmp_path / "out.csv", format="nwb", progress=False)


def test_conversions_on_two_threads_ending_in_the_order_they_began_leave_dask_as_it_was(
    tmp_path,
):
    """Each conversion set dask's scheduler with dask.config.set as a context: the first
    to end put back what it found, the second put back 'synchronous', which then stayed
    the process's scheduler for good."""
    import threading

    import dask

    source = posebridge.save(_poses(40, 1, 2), tmp_path / "source.h5", "dlc")[0]
    before = dask.config.get("scheduler", None)
    a_running, b_running = threading.Event(), threading.Event()
    a_may_end, a_ended = threading.Event(), threading.Event()
    failures: list[BaseException] = []

    def run(name: str, running: threading.Event, wait_for: threading.Event) -> None:
        def on_chunk(done: int, total: int) -> None:
            running.set()
            assert wait_for.wait(timeout=60)

        try:
            convert(source, tmp_path / f"{name}.nc", chunk_frames=10, on_chunk=on_chunk)
        except BaseException as error:  # handed to the test's thread
            failures.append(error)
        finally:
            if name == "a":
                a_ended.set()

    first = threading.Thread(target=run, args=("a", a_running, a_may_end))
    second = threading.Thread(target=run, args=("b", b_running, a_ended))
    first.start()
    assert a_running.wait(timeout=60)
    second.start()
    assert b_running.wait(timeout=60)  # both converting
    a_may_end.set()  # the first to begin ends first
    first.join(timeout=120)
    second.join(timeout=120)

    assert failures == []
    assert dask.config.get("scheduler", None) == before


@pytest.mark.parametrize("ending", [".nwb", ".analysis.h5", ".nc"])
def test_without_dask_a_streaming_pair_is_converted_in_memory(tmp_path, ending):
    source = tmp_path / "sessionDLC.h5"
    posebridge.save(_poses(200), source)
    target = tmp_path / f"out{ending}"
    options = ", fps=30" + (", split_individuals=False" if ending == ".nwb" else "")
    code = (
        "import warnings, posebridge\n"
        "warnings.simplefilter('error')\n"  # a small file: no warning about memory
        f"print(posebridge.convert({source.name!r}, {target.name!r}{options}))\n"
    )
    done = run_without_dask(code, tmp_path)
    assert done.returncode == 0, done.stderr
    assert "DASK MODULES: []" in done.stderr
    expected = posebridge.load(source)
    written = posebridge.load(target)
    np.testing.assert_array_equal(
        written["position"].transpose(*expected["position"].dims).values,
        expected["position"].values,
    )


def test_without_dask_a_large_source_converted_in_memory_says_so(tmp_path):
    source = tmp_path / "sessionDLC.h5"
    posebridge.save(_poses(50), source)
    code = (
        "import importlib, warnings, posebridge\n"
        "module = importlib.import_module('posebridge.convert')\n"
        "module.IN_MEMORY_WARNING_BYTES = 100\n"  # 'large': over 100 bytes here
        "with warnings.catch_warnings(record=True) as caught:\n"
        "    warnings.simplefilter('always')\n"
        "    posebridge.convert('sessionDLC.h5', 'out.analysis.h5')\n"
        "for warning in caught:\n"
        "    print('WARNING', warning.filename, warning.message)\n"
    )
    done = run_without_dask(code, tmp_path)
    assert done.returncode == 0, done.stderr
    memory = [line for line in done.stdout.splitlines() if "in memory" in line]
    assert len(memory) == 1
    assert "sessionDLC.h5" in memory[0]
    assert "pip install 'posebridge[dask]'" in memory[0]
    assert memory[0].split()[1] == "<string>"  # pointed at the caller's line
    assert (tmp_path / "out.analysis.h5").exists()


def test_streams_is_false_without_dask(tmp_path):
    code = (
        "from posebridge.convert import streams\n"
        "print('STREAMS', streams('dlc', 'nwb'), streams('via', 'via'))\n"
    )
    done = run_without_dask(code, tmp_path)
    assert done.returncode == 0, done.stderr
    assert "STREAMS False False" in done.stdout


def test_a_stream_names_no_loss_of_all_zero_tracking_scores_as_memory_does_not(tmp_path):
    """h122: streamed, SLEAP's all-zero tracking scores (its "no score") were named as not
    written by the DeepLabCut writer; loaded and saved, they were not."""
    ds = posebridge.from_numpy(np.random.default_rng(0).random((12, 2, 2, 2)))
    ds["tracking_score"] = (("time", "individual"), np.zeros((12, 2)))
    source = tmp_path / "zeros.analysis.h5"
    posebridge.save(ds, source)
    for chunk in (None, 5):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            posebridge.convert(source, tmp_path / f"out{chunk}.h5", "dlc", chunk_frames=chunk)
        assert not [w for w in caught if "tracking_score" in str(w.message)], chunk


def test_convert_refuses_an_existing_or_folder_target_before_reading(
    tmp_path, poses_two_mice_with_nan, monkeypatch
):
    """posebridge.convert read the whole source before an existing target (without
    overwrite) or a folder was refused; both are known first."""
    import posebridge.lazy
    from posebridge import api
    from posebridge.errors import FileExistsError as ExistsError
    from posebridge.errors import IsADirectoryError as FolderError

    source = tmp_path / "two.nc"
    posebridge.save(poses_two_mice_with_nan, source)
    for name in ("out.nc", "out.slp"):  # a pair that streams, one in memory
        (tmp_path / name).write_bytes(b"kept")
    (tmp_path / "folder").mkdir()

    def read(*args, **kwargs):
        raise AssertionError("the source was read")

    with monkeypatch.context() as patched:
        patched.setattr(api, "load", read)
        patched.setattr(posebridge.lazy, "open_lazily_indexed", read)
        for name in ("out.nc", "out.slp"):
            with pytest.raises(ExistsError, match="already exists; pass overwrite=True"):
                posebridge.convert(source, tmp_path / name)
            assert (tmp_path / name).read_bytes() == b"kept"
        with pytest.raises(FolderError, match="is a folder; expected a file name"):
            posebridge.convert(source, tmp_path / "folder", format="netcdf")
    written = posebridge.convert(source, tmp_path / "out.nc", overwrite=True)
    assert written == [tmp_path / "out.nc"]


@pytest.mark.parametrize(
    ("name", "said"),
    [
        (".h5", "'.h5' names a hidden file with no extension; give a name such as out.h5."),
        (".csv", "'.csv' names a hidden file with no extension; give a name such as out.csv"),
        (".nc", "'.nc' names a hidden file with no extension; give a name such as out.nc."),
        (".nwb", "'.nwb' names a hidden file with no extension; give a name such as out.nwb"),
        (".analysis.h5", "'.analysis.h5' is only an extension: it names a hidden file"),
    ],
)
def test_a_target_named_only_an_extension_is_refused_before_reading(tmp_path, name, said):
    """h154 finding 10: ``convert(in.csv, ".h5")`` read the whole source, then said
    "DeepLabCut files end in .h5 or .csv, not ''" (netCDF and NWB wrote a hidden file).
    The name is checked first: the source's damage is not reached."""
    source = tmp_path / "videoDLC.csv"
    posebridge.save(_poses(5), source, split_individuals=False)
    source.write_text(source.read_text() + "5,not a number\n")  # reading it fails
    with pytest.raises(posebridge.PoseBridgeError) as caught:
        convert(source, tmp_path / name, progress=False)
    assert said in str(caught.value)
    assert str(caught.value).startswith(f"{tmp_path / name}: ")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["videoDLC.csv"]


def test_cli_convert_to_a_name_that_is_only_an_extension_is_refused_before_reading(
    tmp_path, monkeypatch
):
    from click.testing import CliRunner

    from posebridge.cli import cli

    source = tmp_path / "in.csv"
    posebridge.save(_poses(5), source, split_individuals=False)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["convert", "in.csv", ".h5"])
    assert result.exit_code != 0
    assert "'.h5' names a hidden file with no extension; give a name such as out.h5" in (
        result.output
    )
    assert "read " not in result.output  # nothing read first
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.csv"]
