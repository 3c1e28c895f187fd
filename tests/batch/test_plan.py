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


def _inputs(tmp_path, *names):
    for name in names:
        (tmp_path / name).write_bytes(b"")


def test_manifest_outputs_differing_only_in_letter_case_fail_the_later_row(tmp_path):
    # one file on macOS and Windows: one output would replace the other
    _inputs(tmp_path, "a.nc", "b.nc")
    manifest = tmp_path / "m.csv"
    manifest.write_text("input,output\na.nc,x.nwb\nb.nc,X.NWB\n")
    first, second = plan_jobs(None, tmp_path / "out", to="nwb", manifest=manifest)
    assert not first.error
    assert "only in letter case" in second.error and f"{manifest} (line 2)" in second.error


def test_dandi_sessions_whose_labels_differ_only_in_case_fail(tmp_path):
    _inputs(tmp_path, "a.nc", "b.nc")
    manifest = tmp_path / "m.csv"
    manifest.write_text("input,subject_id,session_id\na.nc,M1,s1\nb.nc,M1,S1\n")
    first, second = plan_jobs(None, tmp_path / "out", template="dandi", manifest=manifest)
    assert not first.error
    assert "only in letter case" in second.error


def test_dandi_subjects_whose_labels_differ_only_in_case_fail_both(tmp_path):
    _inputs(tmp_path, "a.nc", "b.nc")
    manifest = tmp_path / "m.csv"
    manifest.write_text("input,subject_id,session_id\na.nc,M1,s1\nb.nc,m1,s1\n")
    jobs = plan_jobs(None, tmp_path / "out", template="dandi", manifest=manifest)
    for job in jobs:
        assert "'M1', 'm1'" in job.error and "letter case" in job.error, job.error


def test_dandi_rows_of_one_subject_without_session_ids_are_told_to_give_them(tmp_path):
    _inputs(tmp_path, "a.nc", "b.nc")
    manifest = tmp_path / "m.csv"
    manifest.write_text("input,subject_id\na.nc,M1\nb.nc,M1\n")
    first, second = plan_jobs(None, tmp_path / "out", template="dandi", manifest=manifest)
    assert not first.error
    assert "Give each row its own session_id" in second.error
    assert "naming template that tells them apart" not in second.error


@pytest.mark.parametrize("template", ["{stem}{ext}", "{stem}", "sub/{stem}"])
def test_a_template_that_can_name_no_format_is_refused_once_naming_to(tmp_path, template):
    from posebridge.errors import PoseBridgeError, worded_for_command_line

    _inputs(tmp_path, "a.nc", "b.nc")
    with pytest.raises(PoseBridgeError) as refused:
        plan_jobs([tmp_path / "a.nc", tmp_path / "b.nc"], tmp_path / "out", template=template)
    assert "(to=)" in str(refused.value)
    worded = worded_for_command_line(refused.value)
    assert "(--to)" in worded and "to=" not in worded


def test_a_template_without_a_format_is_not_refused_when_every_row_names_its_output(tmp_path):
    _inputs(tmp_path, "a.nc")
    manifest = tmp_path / "m.csv"
    manifest.write_text("input,output\na.nc,x.nwb\n")
    (job,) = plan_jobs(None, tmp_path / "out", template="{stem}{ext}", manifest=manifest)
    assert not job.error


def _two_recordings(folder):
    """Two inputs of different lengths (5 and 9 frames), their positions."""
    import numpy as np

    import posebridge

    folder.mkdir()
    rng = np.random.default_rng(3)
    arrays = {}
    for name, frames in (("a", 5), ("b", 9)):
        arrays[name] = rng.uniform(10, 400, size=(frames, 2, 3, 1))
        posebridge.save(posebridge.from_numpy(arrays[name], fps=30), folder / f"{name}.nc")
    return arrays


@pytest.mark.filterwarnings("ignore::UserWarning")
@pytest.mark.parametrize("overwrite", [False, True])
def test_yolo_datasets_of_two_inputs_in_one_folder_fail_before_anything_is_written(
    tmp_path, overwrite
):
    # both datasets write out/train/labels/frame_000000.txt ...: with overwrite the later
    # one replaced the earlier's label files, and both were reported ok
    import numpy as np

    import posebridge

    arrays = _two_recordings(tmp_path / "in")
    out = tmp_path / "out"
    report = posebridge.convert_many(
        tmp_path / "in",
        out,
        to="yolo",
        jobs=1,
        progress=False,
        overwrite=overwrite,
        write_options={"image_size": (640, 480)},
    )
    by_name = {r.source.rpartition("/")[2]: r for r in report.results}
    assert by_name["a.nc"].status == "ok"
    failed = by_name["b.nc"]
    assert failed.status == "failed"
    assert str(tmp_path / "in" / "b.nc") in failed.error
    assert str(tmp_path / "in" / "a.nc") in failed.error
    assert str(out) in failed.error and "{stem}/{stem}{ext}" in failed.error
    assert not (out / "b.yml").exists()
    back = posebridge.load(out / "a.yml", image_size=(640, 480))
    assert back.sizes["time"] == len(arrays["a"])
    np.testing.assert_allclose(back.position.values, arrays["a"], atol=1e-3)


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_yolo_datasets_each_in_a_folder_of_its_own_are_written(tmp_path):
    # the advice of the refusal above: each input's dataset in its own folder
    import numpy as np

    import posebridge

    arrays = _two_recordings(tmp_path / "in")
    out = tmp_path / "out"
    report = posebridge.convert_many(
        tmp_path / "in",
        out,
        to="yolo",
        template="{stem}/{stem}{ext}",
        jobs=1,
        progress=False,
        write_options={"image_size": (640, 480)},
    )
    assert [r.status for r in report.results] == ["ok", "ok"]
    for name, array in arrays.items():
        back = posebridge.load(out / name / f"{name}.yml", image_size=(640, 480))
        np.testing.assert_allclose(back.position.values, array, atol=1e-3)


def test_label_studio_jobs_sharing_one_label_config_file_fail_but_the_first(tmp_path):
    _inputs(tmp_path, "a.nc", "b.nc")
    config = tmp_path / "config.xml"
    first, second = plan_jobs(
        [tmp_path / "a.nc", tmp_path / "b.nc"],
        tmp_path / "out",
        to="labelstudio",
        write_options={"label_config": config},
    )
    assert not first.error
    assert str(config) in second.error and str(tmp_path / "a.nc") in second.error
    assert second.error.startswith(str(tmp_path / "b.nc"))


def test_a_manifest_id_making_an_output_name_too_long_fails_at_planning_naming_the_row(
    tmp_path,
):
    # the operating system said only "[Errno 36] File name too long", naming no row
    import os

    _inputs(tmp_path, "a.nc")
    manifest = tmp_path / "m.csv"
    subject = "y" * 240
    manifest.write_text(f"input,subject_id,session_id\na.nc,{subject},1\n")
    (job,) = plan_jobs(None, tmp_path / "out", template="dandi", manifest=manifest)
    name = f"sub-{subject}_ses-1_behavior.nwb"
    limit = os.pathconf(tmp_path, "PC_NAME_MAX")
    assert job.error.startswith(f"{tmp_path / 'a.nc'}, the input of {manifest} (line 2):")
    assert f"is {len(name)} bytes long" in job.error and f"allows {limit}" in job.error
    assert "subject_id" in job.error and "'output' column" in job.error
    assert job.target == ""  # no output named: the report names none (not the input)


def test_a_glob_matching_no_input_reports_no_output(tmp_path):
    # its target was the input's path: a script acting on failed rows' targets would act
    # on the user's input
    _inputs(tmp_path, "b.nc")
    jobs = plan_jobs(
        [tmp_path / "b.nc", str(tmp_path / "missing*.nc")], tmp_path / "out", to="nwb"
    )
    missing = next(job for job in jobs if job.source.endswith("missing*.nc"))
    assert missing.error and missing.target == ""


@pytest.mark.parametrize("onto", ["input", "manifest"])
def test_a_label_config_that_is_an_input_or_the_manifest_fails_even_with_overwrite(tmp_path, onto):
    # h178: only other jobs' outputs and configs were compared: with overwrite the batch
    # replaced its own input (or manifest) with the XML and reported ok
    _inputs(tmp_path, "a.nc")
    manifest = tmp_path / "m.csv"
    manifest.write_text("input\na.nc\n")
    config = tmp_path / "a.nc" if onto == "input" else manifest
    (job,) = plan_jobs(
        None,
        tmp_path / "out",
        manifest=manifest,
        to="labelstudio",
        overwrite=True,
        write_options={"label_config": config},
    )
    assert job.error.startswith(str(tmp_path / "a.nc")), job.error
    assert f"label_config) {config}" in job.error and "replace" in job.error


def test_yolo_dataset_folders_differing_only_in_letter_case_fail_the_later(tmp_path):
    # h178: Set/ and set/ are one folder on macOS and Windows: the two datasets' label
    # files would replace each other there
    _inputs(tmp_path, "a.nc", "b.nc")
    manifest = tmp_path / "m.csv"
    manifest.write_text("input,output\na.nc,Set/a.yml\nb.nc,set/b.yml\n")
    first, second = plan_jobs(None, tmp_path / "out", manifest=manifest, to="yolo")
    assert not first.error
    assert (
        str(tmp_path / "out" / "Set" / "a.yml") in second.error
        and "m.csv (line 2)" in second.error
    )


def test_a_shared_subject_id_given_as_the_batchs_option_is_not_blamed_on_the_manifest(tmp_path):
    # h178: a subject_id of the batch's own options (not of the manifest row) for an input
    # of two individuals was said to come from the row ("leave subject_id out of the row")
    import dataclasses

    import numpy as np

    import posebridge
    from posebridge.batch import run_job

    two = posebridge.from_numpy(np.ones((4, 2, 1, 2)), individual_names=["m1", "m2"], fps=30)
    posebridge.save(two, tmp_path / "two.nc")
    manifest = tmp_path / "m.csv"
    manifest.write_text("input,session_id\ntwo.nc,S1\n")
    (job,) = plan_jobs(
        None, tmp_path / "out", manifest=manifest, to="nwb", write_options={"subject_id": "Z"}
    )
    result = run_job(dataclasses.replace(job))
    assert result.status == "failed"
    assert "(the subject_id= option)" in result.error
    assert str(manifest) not in result.error and "out of the row" not in result.error
