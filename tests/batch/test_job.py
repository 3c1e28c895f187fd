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
    two = posebridge.from_numpy(
        np.random.default_rng(5).uniform(0, 100, size=(4, 2, 1, 2)),
        individual_names=names,
        keypoint_names=["nose"],
        fps=30,
    )
    posebridge.save(two, tmp_path / "two.nc")
    manifest = tmp_path / "m.yaml"
    manifest.write_text("- {input: two.nc, subject_id: M1, session_id: S1}\n")
    (job,) = plan_jobs(None, tmp_path / "out", manifest=manifest, template="dandi")
    result = run_job(job)
    assert result.status == "failed"
    assert f"the subject_id 'M1' of {manifest} (session 1) names" in result.error
    assert f"holds {len(names)} individuals ({', '.join(names)})" in result.error
    assert "subject_id= option" not in result.error and "Leave subject_id out" in result.error


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
