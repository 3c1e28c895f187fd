"""Planning a batch: what a job that cannot run says, naming the manifest row."""

from __future__ import annotations

import pytest

from posebridge.batch import plan_jobs


def test_two_manifest_rows_of_one_input_with_one_output_fail_naming_the_other_row(tmp_path):
    (tmp_path / "a.nc").write_bytes(b"")
    manifest = tmp_path / "m.csv"
    manifest.write_text("input,subject_id,session_id\na.nc,M1,day1\na.nc,M2,day1\n")
    first, second = plan_jobs(None, tmp_path / "out", to="nwb", manifest=manifest)
    assert not first.error
    assert f"the output of {manifest} (line 3) is also the output of {manifest} (line 2)" in (
        second.error
    )
    assert "same input with other metadata" in second.error and "'output' column" in second.error


def test_dandi_sessions_whose_ids_make_one_label_fail_naming_both_ids(tmp_path):
    for name in ("a.nc", "b.nc"):
        (tmp_path / name).write_bytes(b"")
    manifest = tmp_path / "m.csv"
    manifest.write_text("input,subject_id,session_id\na.nc,M1,s_1\nb.nc,M1,s-1\n")
    first, second = plan_jobs(None, tmp_path / "out", template="dandi", manifest=manifest)
    assert not first.error
    assert f"{manifest} (line 2)" in second.error
    assert "session_ids 's_1' and 's-1' make one DANDI label 's-1'" in second.error


def test_a_batch_to_movements_dlc_or_lp_name_is_refused_before_any_job(tmp_path):
    # "DeepLabCut/LightningPose" reads (the DeepLabCut reader reads both layouts) but
    # names two writers: the batch says which names to choose from, at once
    from posebridge.errors import UnknownFormatError

    (tmp_path / "a.csv").write_text("not read\n")
    with pytest.raises(UnknownFormatError, match="choose 'dlc' .* or 'lp'"):
        plan_jobs([tmp_path / "a.csv"], tmp_path / "out", to="DeepLabCut/LightningPose")
