"""The report of a batch (``--report``, ``report=``): an output like any other.

It is checked before any input is converted (its folder exists, is a folder and
takes new files; an existing file is replaced only with ``overwrite``; an input
of the batch, its manifest or one of its outputs is refused even with
``overwrite``), written atomically, and when writing it still fails at the end,
the summary table is printed before the one-line error.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest
import xarray as xr
from click.testing import CliRunner

import posebridge
from _read_only import read_only
from posebridge._temporaries import TEMPORARY_MARK
from posebridge.batch import BatchReport, Result, convert_many
from posebridge.batch import run as batch_run
from posebridge.cli import cli


def _poses(frames: int = 12) -> xr.Dataset:
    rng = np.random.default_rng(5)
    return posebridge.from_numpy(
        rng.uniform(0, 100, size=(frames, 2, 2, 1)),
        rng.uniform(0, 1, size=(frames, 2, 1)),
        keypoint_names=["nose", "tail"],
        fps=30,
    )


@pytest.fixture
def source(tmp_path: Path) -> Path:
    """One small netCDF pose file in ``tmp_path / "in"``."""
    (tmp_path / "in").mkdir()
    path = tmp_path / "in" / "a.nc"
    posebridge.save(_poses(), path)
    return path


def run(*args: object):
    return CliRunner().invoke(cli, [str(a) for a in args])


def _batch(source: Path, out: Path, *extra: object):
    return run("batch", source, "--out", out, "--to", "nc", "-j", "1", "-q", *extra)


def _error_line(result) -> str:
    lines = result.stderr.strip().splitlines()
    assert lines, result.output
    return lines[-1]


def _leftovers(folder: Path) -> list[str]:
    return [p.name for p in folder.iterdir() if TEMPORARY_MARK in p.name]


# --------------------------------------------------------------------------
# refused before any input is converted


@pytest.mark.parametrize("name", ["report.csv", "report.json"])
def test_a_batch_that_resumes_replaces_its_own_report_without_overwrite(tmp_path, source, name):
    """Running the same command again (resuming) names the same report: the old one is
    a batch report, so it is replaced; the outputs made before are skipped, not redone."""
    report = tmp_path / name
    assert _batch(source, tmp_path / "out", "--report", report).exit_code == 0
    output = tmp_path / "out" / "a.nc"
    made = output.stat().st_mtime_ns
    first = report.read_bytes()
    result = _batch(source, tmp_path / "out", "--report", report)
    assert result.exit_code == 0, result.output
    assert output.stat().st_mtime_ns == made  # skipped, not redone
    assert report.read_bytes() != first  # the second run's report
    if name.endswith(".json"):
        assert json.loads(report.read_text())["counts"].get("skipped") == 1
    else:
        assert ",skipped," in report.read_text()


def test_a_csv_report_written_before_results_had_a_note_is_replaced_on_resume(tmp_path, source):
    """Results gained a ``note`` column; a report of an earlier version is still the
    batch's own (written from its header, as that version wrote it)."""
    report = tmp_path / "report.csv"
    header = (
        "source,target,status,outputs,seconds,input_bytes,output_bytes,error,error_type,findings"
    )
    report.write_text(f"{header}\n{source},{tmp_path / 'out' / 'a.nc'},ok,,0.1,1,1,,,\n")
    result = _batch(source, tmp_path / "out", "--report", report)
    assert result.exit_code == 0, result.output
    assert report.read_text().splitlines()[0] == (
        header.replace("error_type,", "error_type,note,") + ",warnings"
    )


def test_an_existing_report_is_kept_without_overwrite_and_nothing_runs(tmp_path, source):
    notes = tmp_path / "notes.csv"
    notes.write_text("precious\n")
    result = _batch(source, tmp_path / "out", "--report", notes)
    assert result.exit_code == 1, result.output
    line = _error_line(result)
    assert line.startswith("posebridge: error: report ")
    assert str(notes) in line and "already exists" in line and "--overwrite" in line
    assert notes.read_text() == "precious\n"
    assert not (tmp_path / "out").exists()  # refused before any conversion


def test_an_existing_report_is_replaced_with_overwrite(tmp_path, source):
    report = tmp_path / "r.json"
    report.write_text("old\n")
    result = _batch(source, tmp_path / "out", "--report", report, "--overwrite")
    assert result.exit_code == 0, result.output
    assert json.loads(report.read_text())["counts"] == {"ok": 1, "failed": 0, "skipped": 0}
    assert _leftovers(tmp_path) == []


@pytest.mark.parametrize("through", ["the input", "a symbolic link to the input"])
def test_a_report_onto_an_input_is_refused_even_with_overwrite(tmp_path, source, through):
    report = source
    if through != "the input":
        report = tmp_path / "link.json"
        report.symlink_to(source)
    data = source.read_bytes()
    result = _batch(source, tmp_path / "out", "--report", report, "--overwrite")
    assert result.exit_code == 1, result.output
    line = _error_line(result)
    assert f"{report}: is the input file" in line and "report" in line, line
    assert source.read_bytes() == data
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("given", ["the folder", "the manifest"])
def test_a_report_onto_an_input_without_overwrite_is_refused_as_the_input(tmp_path, source, given):
    """Not told to pass --overwrite first: with it the report is refused all the same."""
    manifest = tmp_path / "in" / "sessions.csv"
    manifest.write_text("input\na.nc\n")
    report = source if given == "the folder" else manifest
    data = report.read_bytes()
    if given == "the folder":
        result = _batch(source.parent, tmp_path / "out", "--report", report)
    else:
        result = run(
            "batch", "--manifest", manifest, "--out", tmp_path / "out", "--to", "nc",
            "-j", "1", "-q", "--report", report,
        )  # fmt: skip
    assert result.exit_code == 1, result.output
    line = _error_line(result)
    assert f"{report}: is the input file" in line and "--overwrite" not in line, line
    assert report.read_bytes() == data


def test_a_report_onto_the_manifest_is_refused_even_with_overwrite(tmp_path, source):
    manifest = tmp_path / "in" / "sessions.csv"
    manifest.write_text("input\na.nc\n")
    data = manifest.read_bytes()
    with pytest.raises(posebridge.PoseBridgeError, match="is the input file") as caught:
        convert_many(
            None, tmp_path / "out", to="nc", manifest=manifest, jobs=1, progress=False,
            report=manifest, overwrite=True,
        )  # fmt: skip
    assert str(manifest) in str(caught.value)
    assert manifest.read_bytes() == data
    assert not (tmp_path / "out").exists()


def test_a_report_onto_an_output_of_the_batch_is_refused(tmp_path, source):
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(posebridge.PoseBridgeError, match="also the output of"):
        convert_many(source, out, to="nc", jobs=1, progress=False, report=out / "a.nc")
    assert list(out.iterdir()) == []


def test_a_report_under_a_file_says_the_file_is_not_a_folder(tmp_path, source):
    (tmp_path / "afile").write_text("x")
    result = _batch(source, tmp_path / "out", "--report", tmp_path / "afile" / "r.json")
    assert result.exit_code == 1
    line = _error_line(result)
    assert f"{tmp_path / 'afile'} is a file, not a folder" in line, line
    assert "does not exist" not in line
    assert not (tmp_path / "out").exists()


def test_a_report_in_a_folder_that_takes_no_files_is_refused_before_any_input_runs(
    tmp_path, source
):
    folder = tmp_path / "ro"
    folder.mkdir()
    with read_only(folder):
        result = _batch(source, tmp_path / "out", "--report", folder / "r.json")
        left = sorted(os.listdir(folder))
    assert result.exit_code == 1, result.output
    line = _error_line(result)
    assert line.startswith(f"posebridge: error: report {folder / 'r.json'}: cannot be written")
    assert "no input was converted" in line
    assert not (tmp_path / "out").exists()  # refused before the batch ran
    assert left == []


# --------------------------------------------------------------------------
# written atomically; a failure at the end keeps the batch's results


def test_the_report_is_written_atomically(tmp_path):
    unwritable = Result("a.h5", "a.nc", "ok", findings=[{"file": object()}])  # type: ignore[dict-item]
    report = BatchReport([Result("b.h5", "b.nc", "ok"), unwritable])
    target = tmp_path / "r.csv"
    with pytest.raises(TypeError):
        report.write(target)  # the second row cannot be written
    assert os.listdir(tmp_path) == []  # neither a half-written report nor a temporary


def test_a_report_that_cannot_be_written_at_the_end_prints_the_table_then_the_error(
    tmp_path, source, monkeypatch
):
    report = tmp_path / "r.json"
    real_run_job = batch_run.run_job

    def run_job_while_another_program_makes_the_report(job, on_chunk=None):
        result = real_run_job(job, on_chunk)
        report.write_text("made by another program\n")
        return result

    monkeypatch.setattr(batch_run, "run_job", run_job_while_another_program_makes_the_report)
    result = _batch(source, tmp_path / "out", "--report", report)
    assert result.exit_code == 1, result.output
    assert "1 input(s): 1 ok, 0 failed, 0 skipped" in result.stdout  # the table first
    line = _error_line(result)
    assert line.startswith("posebridge: error: the report was not written:")
    assert str(report) in line and "--overwrite" in line and "overwrite=True" not in line
    assert "see the table above" in line
    assert report.read_text() == "made by another program\n"
    assert (tmp_path / "out" / "a.nc").is_file()
    assert _leftovers(tmp_path) == []


def test_convert_many_keeps_the_results_on_the_error_when_the_report_is_not_written(
    tmp_path, source, monkeypatch
):
    from posebridge.batch import ReportNotWrittenError

    real_run_job = batch_run.run_job

    def run_job_then_remove_the_folder(job, on_chunk=None):
        result = real_run_job(job, on_chunk)
        (tmp_path / "reports").rmdir()
        return result

    (tmp_path / "reports").mkdir()
    monkeypatch.setattr(batch_run, "run_job", run_job_then_remove_the_folder)
    report = tmp_path / "reports" / "r.csv"
    with pytest.raises(ReportNotWrittenError, match="does not exist") as caught:
        convert_many(source, tmp_path / "out", to="nc", jobs=1, progress=False, report=report)
    assert caught.value.report.counts == {"ok": 1, "failed": 0, "skipped": 0}
    assert isinstance(caught.value, posebridge.PoseBridgeError)


@pytest.mark.parametrize("name", ["report.csv", "report.json"])
def test_a_batch_run_again_beside_its_outputs_and_report_resumes(tmp_path, name):
    """Without an output folder the outputs (and here the report) land in the folder read:
    on the second run they are found there, but they are the batch's own files, not inputs
    (the run failed every input: 'is an input of the batch', 'is the input file')."""
    data = tmp_path / "data"
    data.mkdir()
    for k in range(2):
        posebridge.save(_poses(5 + k), data / f"s{k}.nc")
    report = data / name
    first = convert_many(data, to="slp", jobs=1, report=report, progress=False)
    assert first.counts == {"ok": 2, "failed": 0, "skipped": 0}
    again = convert_many(data, to="slp", jobs=1, report=report, progress=False)
    assert again.counts == {"ok": 0, "failed": 0, "skipped": 2}, again.table()
    assert sorted(Path(r.source).name for r in again.results) == ["s0.nc", "s1.nc"]


def test_the_table_names_the_first_files_of_a_long_set_and_counts_them():
    """A YOLO dataset's row listed every label file: one line of thousands of characters."""
    from posebridge.batch.job import Result
    from posebridge.batch.report import BatchReport

    files = [f"out/labels/img{n:05d}.txt" for n in range(1000)]
    report = BatchReport([Result("in/a.h5", "out/a.yml", "ok", outputs=["out/a.yml", *files])])
    (row,) = [line for line in report.table().splitlines() if line.startswith("ok")]
    assert "a.yml, img00000.txt, img00001.txt, ... (1001 files)" in row
    assert len(row) < 200


def test_a_long_error_is_cut_in_the_table_and_given_whole_below_it():
    """The table cut each error at 160 characters: the advice at the end of a long
    message (what to do) was lost from the printed summary."""
    advice = "pass video=0 or video=1 to read one."
    long = "a.slp: holds poses for 2 videos; " + "a reason " * 30 + advice
    report = BatchReport(
        [
            Result("in/a.slp", "", "failed", error=long),
            Result("in/b.slp", "", "failed", error="b.slp: is empty."),
        ]
    )
    text = report.table()
    rows = text.splitlines()
    row = next(line for line in rows if line.startswith("failed") and "a.slp" in line)
    assert advice not in row and row.endswith("...")
    assert long in rows  # the whole message, on a line of its own, after the table
    assert rows.index(long) > rows.index(row)
    assert text.count("b.slp: is empty.") == 1  # a message that fits is not repeated


def test_the_full_text_under_the_table_names_the_input_even_when_the_note_names_its_output():
    # a writer's message names the output, which holds the input's name: the line then
    # named no input; two inputs of one name are told apart by their paths
    why = "cannot be written: " + "because " * 30 + "so do this."
    results = [
        Result("/d/s1/b.csv", "/o/s1/b.csv", "failed", error=f"/o/s1/b.csv: {why}"),
        Result("/d/s2/b.csv", "/o/s2/b.csv", "failed", error=f"/o/s2/b.csv: {why}"),
        Result("/d/c.csv", "/o/c.csv", "failed", error=f"/o/c.csv: {why}"),
        Result("/d/e.csv", "/o/e.csv", "failed", error=f"/d/e.csv: {why}"),
    ]
    full = BatchReport(results).table().split("in full (cut in the table above):\n")[1]
    lines = full.splitlines()[:4]
    assert lines[0] == f"/d/s1/b.csv: /o/s1/b.csv: {why}"
    assert lines[1] == f"/d/s2/b.csv: /o/s2/b.csv: {why}"
    assert lines[2] == f"c.csv: /o/c.csv: {why}"
    assert lines[3] == f"/d/e.csv: {why}"  # already named: not twice


def test_the_table_shows_names_with_a_newline_quoted_and_no_output_as_a_dash():
    results = [
        Result("/d/a\nb.csv", "/o/a\nb.nwb", "ok", outputs=["/o/a\nb.nwb"]),
        Result("/d/c.csv", "", "failed", error="/d/c.csv: no such file."),
    ]
    rows = BatchReport(results).table().splitlines()
    assert rows[1].split()[:3] == ["ok", repr("a\nb.csv"), repr("a\nb.nwb")]
    assert rows[2].split()[:3] == ["failed", "c.csv", "-"]
