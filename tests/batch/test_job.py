"""Running one batch job: what a job that fails says of its manifest row."""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import posebridge
from posebridge.batch import plan_jobs, run_job


def _two_individuals_with_one_subject(tmp_path, names):
    """A manifest job giving one subject_id to an input of the individuals ``names``."""
    two = posebridge.from_numpy(
        np.random.default_rng(5).uniform(0, 100, size=(4, len(names), 1, 2)),
        individual_names=names,
        keypoint_names=["nose"],
        fps=30,
    )
    posebridge.save(two, tmp_path / "two.nc")
    manifest = tmp_path / "m.yaml"
    manifest.write_text("- {input: two.nc, subject_id: M1, session_id: S1}\n")
    (job,) = plan_jobs(None, tmp_path / "out", manifest=manifest, template="dandi")
    return job


@pytest.mark.parametrize(
    ("command_line", "advice", "not_said"),
    [
        (False, "metadata={'subject': {<individual>: {'subject_id': ...}}}", "--option"),
        (True, "--option metadata=FILE, FILE a YAML file whose subject:", "metadata={"),
    ],
)
def test_the_advice_for_several_individuals_of_one_manifest_subject_fits_where_it_ran(
    tmp_path, command_line, advice, not_said
):
    job = _two_individuals_with_one_subject(tmp_path, ["m1", "m2"])
    result = run_job(dataclasses.replace(job, command_line=command_line))
    assert result.status == "failed"
    assert advice in result.error and not_said not in result.error


def test_a_manifest_subject_for_an_input_of_several_individuals_names_the_row(tmp_path):
    names = ["m1", "m2"]
    manifest = tmp_path / "m.yaml"
    result = run_job(_two_individuals_with_one_subject(tmp_path, names))
    assert result.status == "failed"
    assert f"the subject_id 'M1' of {manifest} (session 1) names" in result.error
    assert f"holds {len(names)} individuals ({', '.join(names)})" in result.error
    assert "subject_id= option" not in result.error and "Leave subject_id out" in result.error


def _poses_in_seconds_without_a_rate(path):
    """A netCDF file of poses in seconds with no frame rate: the DeepLabCut writer
    refuses it (its rows are frames) after the job made the output's folder."""
    ds = posebridge.from_numpy(np.ones((3, 2, 1, 1)), fps=10).drop_vars("frame")
    ds.attrs.pop("fps")
    posebridge.save(ds, path)
    return path


def test_a_failed_job_leaves_the_folder_it_made_to_the_batch(tmp_path):
    """h149: a failed job removed the (empty) folder it had made while another job of the
    batch, past making that folder, was about to write its output there, which then
    failed ('the folder ... does not exist'); the batch removes such folders once every
    job is done."""
    from posebridge.batch.plan import Job

    source = _poses_in_seconds_without_a_rate(tmp_path / "seconds.nc")
    folder = tmp_path / "new" / "deeper"
    result = run_job(Job(str(source), str(folder / "seconds.h5"), to_format="dlc"))
    assert result.status == "failed", result
    assert folder.is_dir() and not any(folder.iterdir())


def test_a_batch_removes_the_folders_it_made_that_hold_no_output(tmp_path):
    from posebridge.batch import convert_many

    inputs = tmp_path / "in"
    inputs.mkdir()
    _poses_in_seconds_without_a_rate(inputs / "seconds.nc")
    posebridge.save(posebridge.from_numpy(np.ones((3, 2, 1, 1))), inputs / "frames.nc")
    failed = convert_many(inputs / "seconds.nc", tmp_path / "a" / "b", to="dlc", progress=False)
    assert failed.counts["failed"] == 1 and not (tmp_path / "a").exists()
    both = convert_many(inputs, tmp_path / "c" / "d", to="dlc", jobs=2, progress=False)
    assert both.counts == {"ok": 1, "failed": 1, "skipped": 0}, both.table()
    assert [p.name for p in (tmp_path / "c" / "d").iterdir()] == ["frames.h5"]


def test_an_inspection_that_fails_keeps_the_written_output_in_the_row(tmp_path):
    # in a child where nwbinspector cannot be imported (as without the interop extra),
    # a job told to inspect its NWB output: the output is written, and the row lists it
    posebridge.save(
        posebridge.from_numpy(np.zeros((3, 2, 1, 1)), keypoint_names=["nose"], fps=30),
        tmp_path / "a.nc",
    )
    code = (
        "import sys, json\n"
        "sys.modules['nwbinspector'] = None\n"
        "from posebridge.batch import run_job\n"
        "from posebridge.batch.plan import Job\n"
        "r = run_job(Job(source='a.nc', target='a.nwb', to_format='nwb', inspect=True))\n"
        "print(json.dumps({'status': r.status, 'outputs': r.outputs, 'error': r.error,\n"
        "                  'bytes': r.output_bytes}))\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(Path(posebridge.__file__).resolve().parents[1])},
        timeout=300,
    )
    assert run.returncode == 0, run.stderr
    row = json.loads(run.stdout.splitlines()[-1])
    assert (tmp_path / "a.nwb").is_file()
    assert row["outputs"] == ["a.nwb"]
    assert row["bytes"] == (tmp_path / "a.nwb").stat().st_size
    assert row["status"] == "failed"
    assert row["error"].startswith("a.nwb: written, but its inspection failed: ")
    assert "nwbinspector" in row["error"]
    assert "pip install 'posebridge[interop]'" in row["error"]


def test_an_output_name_of_no_format_advises_to_on_the_command_line(tmp_path):
    from posebridge.batch import convert_many

    posebridge.save(posebridge.from_numpy(np.ones((3, 2, 2, 1))), tmp_path / "a.h5", "dlc")
    manifest = tmp_path / "m.csv"
    manifest.write_text("input,output\na.h5,x.foo\n")
    report = convert_many(None, None, manifest=manifest, command_line=True, progress=False)
    (result,) = report.results
    assert "or pass --to." in result.error and "format=" not in result.error
