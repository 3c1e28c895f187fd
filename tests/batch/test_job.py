"""Running one batch job: what a job that fails says of its manifest row."""

from __future__ import annotations

import numpy as np

import posebridge
from posebridge.batch import plan_jobs, run_job


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
    assert f"the manifest's subject_id 'M1' ({manifest} (session 1))" in result.error
    assert f"holds {len(names)} individuals ({', '.join(names)})" in result.error
    assert "subject_id= option" not in result.error and "Leave subject_id out" in result.error
