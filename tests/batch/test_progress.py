"""Batch progress: chunk counts travel from the workers back to the batch's process.

Real executors only: this process (``jobs=1``), spawned worker processes (a
manager's queue) and a Dask ``LocalCluster`` (worker events). Each source streams
in a known number of chunks (its frames over ``chunk_frames``); every chunk must be
reported once, in order, for the right source, whatever the executor.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

import posebridge
from posebridge.batch import convert_many
from posebridge.batch.progress import BatchProgress
from posebridge.cli import cli

CHUNK = 10
#: Frames of each input: 95 frames are 10 chunks of at most 10, 40 are 4, 7 are one.
FRAMES = {"long": 95, "medium": 40, "short": 7}


def _dlc_h5_sessions(folder: Path) -> dict[str, int]:
    """A DeepLabCut .h5 file per entry of FRAMES; returns each file's path and frame count."""
    folder.mkdir()
    made = {}
    rng = np.random.default_rng(11)
    for name, frames in FRAMES.items():
        ds = posebridge.from_numpy(
            rng.uniform(0, 100, size=(frames, 2, 3, 1)),
            rng.uniform(0, 1, size=(frames, 3, 1)),
            keypoint_names=["nose", "ear", "tail"],
            source_software="DeepLabCut",
        )
        path = folder / f"{name}DLC_resnet50.h5"
        posebridge.save(ds, path, "dlc")
        made[str(path.absolute())] = frames
    return made


class _Reports:
    """The (done, total) reports of each source, as the batch's process receives them."""

    def __init__(self) -> None:
        self.by_source: dict[str, list[tuple[int, int]]] = {}
        self.threads: set[str] = set()
        self._lock = threading.Lock()

    def __call__(self, source: str, done: int, total: int) -> None:
        with self._lock:
            self.by_source.setdefault(source, []).append((done, total))
            self.threads.add(threading.current_thread().name)


def _check_every_chunk_reported_once_in_order(reports: _Reports, frames: dict[str, int]) -> None:
    assert set(reports.by_source) == set(frames)
    for source, count in frames.items():
        total = -(-count // CHUNK)
        assert reports.by_source[source] == [(done, total) for done in range(1, total + 1)], source


def _batch_reporting_chunks(tmp_path: Path, to: str, **executor) -> tuple[dict, _Reports]:
    """Convert the sessions with ``executor``; their frame counts and the reports received."""
    frames = _dlc_h5_sessions(tmp_path / "in")
    reports = _Reports()
    result = convert_many(
        tmp_path / "in",
        tmp_path / "out",
        to=to,
        chunk_frames=CHUNK,
        on_chunk=reports,
        progress=False,
        **executor,
    )
    assert result.ok, result.table()
    return frames, reports


def test_jobs_in_this_process_report_every_chunk(tmp_path):
    frames, reports = _batch_reporting_chunks(tmp_path, "sleap", jobs=1)
    _check_every_chunk_reported_once_in_order(reports, frames)


def test_worker_processes_send_every_chunk_back(tmp_path):
    frames, reports = _batch_reporting_chunks(tmp_path, "nwb", jobs=2)
    _check_every_chunk_reported_once_in_order(reports, frames)
    # received by this process's drainer thread, not called in the workers
    assert reports.threads == {"posebridge-progress"}


def test_dask_workers_send_every_chunk_back_as_events(tmp_path, local_cluster_client):
    frames, reports = _batch_reporting_chunks(tmp_path, "sleap", client=local_cluster_client)
    _check_every_chunk_reported_once_in_order(reports, frames)


def test_a_failing_or_skipped_input_reports_no_chunks(tmp_path):
    frames = _dlc_h5_sessions(tmp_path / "in")
    (tmp_path / "in" / "broken.h5").write_bytes(b"\x89HDF\r\n\x1a\n" + b"\x00" * 64)
    convert_many(tmp_path / "in", tmp_path / "out", to="sleap", jobs=1, progress=False)
    reports = _Reports()
    again = convert_many(
        tmp_path / "in",
        tmp_path / "out",
        to="sleap",
        jobs=1,
        chunk_frames=CHUNK,
        on_chunk=reports,
        progress=False,
    )
    assert again.counts == {"ok": 0, "failed": 1, "skipped": len(frames)}
    assert reports.by_source == {}


def test_the_bars_show_the_files_and_the_chunks_of_each_file(tmp_path, capsys):
    frames = _dlc_h5_sessions(tmp_path / "in")
    convert_many(
        tmp_path / "in", tmp_path / "out", to="sleap", jobs=1, chunk_frames=CHUNK, progress=True
    )
    drawn = capsys.readouterr().err
    assert f"{len(frames)}/{len(frames)}" in drawn  # the file bar, finished
    for source, count in frames.items():
        total = -(-count // CHUNK)
        name = Path(source).name
        if total > 1:
            assert f"{name}:" in drawn and f"/{total} " in drawn
        else:  # one chunk: no bar of its own
            assert f"{name}:" not in drawn


def test_a_chunk_bar_closes_when_its_file_is_done_and_late_reports_are_ignored():
    seen: list[tuple[str, int, int]] = []
    sources = ["a.h5", "b.h5"]
    with BatchProgress(sources, show=True, on_chunk=lambda *r: seen.append(r)) as progress:
        progress.chunk(0, 1, 3)
        progress.chunk(1, 1, 2)
        assert sorted(line for _, line in progress._bars.values()) == [1, 2]
        progress.finished(0, "ok")
        progress.chunk(0, 2, 3)  # a report that arrives after the result
        assert list(progress._bars) == [1]
        progress.chunk(1, 2, 2)
    assert seen == [("a.h5", 1, 3), ("b.h5", 1, 2), ("a.h5", 2, 3), ("b.h5", 2, 2)]


def test_cli_batch_takes_chunk_frames(tmp_path):
    frames = _dlc_h5_sessions(tmp_path / "in")
    result = CliRunner().invoke(
        cli,
        [
            "batch",
            str(tmp_path / "in"),
            "--out",
            str(tmp_path / "out"),
            "--to",
            "sleap",
            "-j",
            "1",
            "--chunk-frames",
            "7",
        ],
    )
    assert result.exit_code == 0, result.output
    for source in frames:
        back = posebridge.load(tmp_path / "out" / Path(source).with_suffix(".analysis.h5").name)
        np.testing.assert_array_equal(
            back["position"].values, posebridge.load(source)["position"].values
        )
    bad = CliRunner().invoke(cli, ["batch", str(tmp_path / "in"), "--chunk-frames", "0"])
    assert bad.exit_code == 2 and "--chunk-frames" in bad.output


def test_chunks_name_the_input_converted_when_another_input_has_the_same_output(tmp_path):
    """``sess.csv`` and ``sess.h5`` both name ``sess.nc``: one is converted, the other
    fails; the chunks reported name the one converted, not the last of that output."""
    (tmp_path / "in").mkdir()
    ds = posebridge.from_numpy(
        np.random.default_rng(2).uniform(0, 100, size=(35, 2, 2, 1)),
        keypoint_names=["nose", "tail"],
        source_software="DeepLabCut",
    )
    for ending in (".csv", ".h5"):
        posebridge.save(ds, tmp_path / "in" / f"sessDLC_resnet50{ending}", "dlc")
    reports = _Reports()

    result = convert_many(
        tmp_path / "in",
        tmp_path / "out",
        to="nc",
        jobs=1,
        chunk_frames=CHUNK,
        on_chunk=reports,
        progress=False,
    )

    (converted,) = [r.source for r in result.results if r.status == "ok"]
    assert result.counts["failed"] == 1, result.table()
    assert reports.by_source == {converted: [(1, 4), (2, 4), (3, 4), (4, 4)]}


@pytest.mark.parametrize("jobs", [1, 2])
def test_an_on_chunk_that_raises_is_raised_once_the_batch_is_done_whatever_the_executor(
    tmp_path, jobs
):
    """jobs=1 failed every input, blamed on the input; worker processes let the callback's
    error kill the thread that drains their reports (a raw traceback, later reports lost)."""
    frames = _dlc_h5_sessions(tmp_path / "in")
    calls = []

    def broken(source: str, done: int, total: int) -> None:
        calls.append(source)
        raise ValueError("a bug in my callback")

    report = tmp_path / "report.json"
    with pytest.raises(ValueError, match="a bug in my callback"):
        convert_many(
            tmp_path / "in", tmp_path / "out", to="netcdf", jobs=jobs, chunk_frames=CHUNK,
            on_chunk=broken, progress=False, report=report,
        )  # fmt: skip
    assert len(calls) == 1  # called no more once it raised
    written = json.loads(report.read_text())
    assert written["counts"]["ok"] == len(frames)  # every input converted
