"""Where a manifest's rows put their outputs, and which rows count.

A manifest's ``output`` stays inside the output folder (as a template's names do),
refused before any input runs; rows with nothing in them are skipped as blank lines
are; a subject or session that a template uses cannot add folders to the name.
The inputs are small files the tests write.
"""

from __future__ import annotations

import datetime
import time
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

import posebridge
from posebridge.batch import convert_many, plan_jobs, read_manifest
from posebridge.cli import cli


@pytest.fixture
def inputs(tmp_path: Path) -> list[Path]:
    """Two small netCDF pose files in ``tmp_path / "in"``."""
    rng = np.random.default_rng(5)
    folder = tmp_path / "in"
    folder.mkdir()
    paths = [folder / "a.nc", folder / "b.nc"]
    for path in paths:
        ds = posebridge.from_numpy(
            rng.uniform(0, 100, size=(10, 2, 3, 1)), keypoint_names=["nose", "ear", "tail"]
        )
        posebridge.save(ds, path)
    return paths


def _files(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


def _manifest(tmp_path: Path, kind: str, inputs: list[Path], second_output: str) -> tuple:
    """A manifest whose first row is fine and whose second names ``second_output``."""
    if kind == "csv":
        path = tmp_path / "m.csv"
        path.write_text(f"input,output\n{inputs[0]},one.nc\n{inputs[1]},{second_output}\n")
        return path, "(line 3)"
    path = tmp_path / "m.yaml"
    path.write_text(
        f"- input: {inputs[0]}\n  output: one.nc\n- input: {inputs[1]}\n"
        f"  output: '{second_output}'\n"
    )
    return path, "(session 2)"


@pytest.mark.parametrize("kind", ["csv", "yaml"])
@pytest.mark.parametrize(
    ("output", "says"),
    [
        ("../escape.nc", "leads out of the output folder"),
        ("x/../../escape.nc", "leads out of the output folder"),
        ("../../escape.nc", "leads out of the output folder"),
        ("ABSOLUTE", "absolute path"),
    ],
)
def test_a_manifest_output_outside_the_output_folder_is_refused_before_anything_runs(
    tmp_path, inputs, kind, output, says
):
    """Found by an audit: `../../escape2.nwb` and `/tmp/x.nwb` were written outside --out."""
    work = tmp_path / "work"  # so that ../../escape.nc from work/out stays in tmp_path
    work.mkdir()
    output = str(tmp_path / "abs.nc") if output == "ABSOLUTE" else output
    manifest, where = _manifest(work, kind, inputs, output)
    out = work / "out"
    before = _files(tmp_path)
    with pytest.raises(posebridge.PoseBridgeError, match=says) as caught:
        plan_jobs(None, out, manifest=manifest, to="nc")
    message = str(caught.value)
    assert str(manifest) in message and where in message and output in message
    with pytest.raises(posebridge.PoseBridgeError, match=says):
        convert_many(None, out, manifest=manifest, to="nc", jobs=1, progress=False)
    assert _files(tmp_path) == before  # not even the first, good row ran
    result = CliRunner().invoke(
        cli, ["batch", "--manifest", str(manifest), "--out", str(out), "--to", "nc", "-q"]
    )
    assert result.exit_code != 0 and says in result.output
    assert _files(tmp_path) == before


def test_manifest_outputs_inside_the_output_folder_or_without_one_still_work(tmp_path, inputs):
    manifest = tmp_path / "m.csv"
    manifest.write_text(f"input,output\n{inputs[0]},x/../one.nc\n{inputs[1]},sub/two.nc\n")
    jobs = plan_jobs(None, tmp_path / "out", manifest=manifest)
    assert [j.error for j in jobs] == ["", ""]
    assert [Path(j.target) for j in jobs] == [tmp_path / "out/one.nc", tmp_path / "out/sub/two.nc"]
    # without an output folder the manifest names any path (relative to each input's folder)
    manifest.write_text(f"input,output\n{inputs[0]},../beside.nc\n{inputs[1]},{tmp_path}/abs.nc\n")
    report = convert_many(None, None, manifest=manifest, jobs=1, progress=False)
    assert report.counts == {"ok": 2, "failed": 0, "skipped": 0}, report.table()
    assert (tmp_path / "beside.nc").is_file() and (tmp_path / "abs.nc").is_file()


def test_csv_rows_of_empty_cells_are_skipped_like_blank_lines(tmp_path, inputs):
    """Found by an audit: a spreadsheet's blank row `,,` stopped the batch with "no 'input'"."""
    manifest = tmp_path / "m.csv"
    # empty cells of the header's width, blank-but-spaces, fewer and more cells than the header
    manifest.write_text(
        f"input,output,subject_id\n,,\n{inputs[0]},,M1\n , ,\n,\n,,,,\n\n{inputs[1]},,M2\n"
    )
    rows = read_manifest(manifest)
    assert [(Path(r["input"]).name, r["subject_id"]) for r in rows] == [
        ("a.nc", "M1"),
        ("b.nc", "M2"),
    ]
    report = convert_many(None, tmp_path / "out", manifest=manifest, to="nc", jobs=1)
    assert report.counts == {"ok": 2, "failed": 0, "skipped": 0}, report.table()
    # a later row's problem is still named by its own line
    manifest.write_text(f"input,fps\n,\n{inputs[0]},abc\n")
    with pytest.raises(posebridge.PoseBridgeError, match=r"\(line 3\): 'fps' must be a positive"):
        read_manifest(manifest)
    # a row with something in it but no input is still refused
    manifest.write_text(f"input,subject_id\n{inputs[0]},M1\n,M2\n")
    with pytest.raises(posebridge.PoseBridgeError, match=r"\(line 3\): no 'input'"):
        read_manifest(manifest)


def test_yaml_entries_that_are_null_or_all_empty_are_skipped(tmp_path, inputs):
    manifest = tmp_path / "m.yaml"
    manifest.write_text(
        f"sessions:\n  -\n  - null\n  - input:\n    subject_id: ''\n  - {{}}\n"
        f"  - input: {inputs[0]}\n    subject_id: M1\n  - subject_id: M2\n"
    )
    with pytest.raises(posebridge.PoseBridgeError, match=r"\(session 6\): no 'input'"):
        read_manifest(manifest)  # entries keep their positions in the messages
    manifest.write_text(f"-\n- input:\n- input: {inputs[0]}\n  subject_id: M1\n- ~\n")
    rows = read_manifest(manifest)
    assert [(Path(r["input"]).name, r["subject_id"]) for r in rows] == [("a.nc", "M1")]
    report = convert_many(None, tmp_path / "out", manifest=manifest, to="nc", jobs=1)
    assert report.counts == {"ok": 1, "failed": 0, "skipped": 0}, report.table()


@pytest.mark.parametrize(
    ("template", "column", "value"),
    [
        ("{subject}/{stem}", "subject_id", "a/b"),
        ("{subject}/{stem}", "subject_id", "a\\b"),
        ("{subject}_{session}/{stem}", "session_id", "2024/05/01"),
        ("{subject}_{session}/{stem}", "session_id", "day\\1"),
    ],
)
def test_a_template_field_value_with_a_path_separator_fails_its_input(
    tmp_path, inputs, template, column, value
):
    """Found by an audit: subject `a/b` with `{subject}/{stem}` made the folders a/b/."""
    manifest = tmp_path / "m.csv"
    bad = {"subject_id": "M1", "session_id": "s1", column: value}
    manifest.write_text(
        f"input,subject_id,session_id\n{inputs[0]},{bad['subject_id']},{bad['session_id']}\n"
        f"{inputs[1]},M2,s1\n"
    )
    out = tmp_path / "out"
    report = convert_many(None, out, manifest=manifest, to="nc", template=template, jobs=1)
    first, second = report.results
    assert first.status == "failed" and first.outputs == []
    for named in (column, value, str(inputs[0]), "path separator"):
        assert named in first.error
    assert second.status == "ok", second.error
    folder = "M2_s1" if "{session}" in template else "M2"
    assert _files(out) == [folder, f"{folder}/b.nc"]  # no folders made of the bad value


def test_a_value_with_a_separator_is_fine_where_no_template_field_uses_it(tmp_path, inputs):
    manifest = tmp_path / "m.csv"
    manifest.write_text(f"input,subject_id,session_id\n{inputs[0]},a/b,c\\d\n")
    (plain,) = plan_jobs(None, tmp_path / "out", manifest=manifest, to="nc")
    assert not plain.error and Path(plain.target) == tmp_path / "out/a.nc"
    (dandi,) = plan_jobs(None, tmp_path / "out", manifest=manifest, template="dandi")
    assert not dandi.error
    assert Path(dandi.target) == tmp_path / "out/sub-a-b/sub-a-b_ses-c-d_behavior.nwb"


def test_a_session_start_time_without_zone_is_local_time_where_the_batch_is_planned(
    tmp_path, monkeypatch
):
    """A worker on another machine (another time zone) ran the job with its own zone."""
    source = tmp_path / "m1.nc"
    posebridge.save(posebridge.from_numpy(np.zeros((3, 2, 1, 1))), source)
    manifest = tmp_path / "m.csv"
    manifest.write_text("input,session_start_time\nm1.nc,2024-05-01T09:30:00\n")
    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    try:
        (job,) = plan_jobs(None, tmp_path / "out", to="nwb", manifest=manifest)
    finally:
        monkeypatch.undo()
        time.tzset()
    moment = job.write_options["session_start_time"]
    assert moment.utcoffset() == datetime.timedelta(hours=-4)  # New York's summer time
    assert (moment.hour, moment.minute) == (9, 30)


# --------------------------------------------------------------------------
# an output that would replace a file the batch reads


@pytest.mark.parametrize("overwrite", [False, True])
def test_a_row_whose_output_is_the_manifest_itself_fails_and_keeps_the_manifest(
    tmp_path, inputs, overwrite
):
    manifest = tmp_path / "in" / "manifest.csv"
    manifest.write_text("input,output\na.nc,manifest.csv\nb.nc,b.h5\n")
    data = manifest.read_bytes()
    args = ["batch", "--manifest", manifest, "--to", "dlc", "-j", "1", "-q"]
    result = CliRunner().invoke(cli, [str(a) for a in args] + ["--overwrite"] * overwrite)
    assert result.exit_code == 1, result.output
    assert manifest.read_bytes() == data
    assert "is the batch's manifest" in result.output and "1 ok, 1 failed" in result.output
    assert (tmp_path / "in" / "b.h5").is_file()  # the other row ran


def test_a_row_whose_output_is_another_input_fails_and_keeps_that_input(tmp_path, inputs):
    first, second = inputs
    data = second.read_bytes()
    manifest = tmp_path / "m.yaml"
    link = tmp_path / "in" / "link.nc"
    link.symlink_to(second)
    manifest.write_text(f"- input: {first}\n  output: {link}\n- input: {second}\n  output: x.nc\n")
    report = convert_many(None, None, to="nc", manifest=manifest, jobs=1, overwrite=True)
    by_name = {Path(r.source).name: r for r in report.results}
    assert by_name["a.nc"].status == "failed", report.table()
    assert f"is an input of the batch ({second})" in by_name["a.nc"].error
    assert by_name["b.nc"].status == "ok"
    assert second.read_bytes() == data


def test_a_csv_value_under_an_empty_header_cell_is_refused_naming_its_line(tmp_path, inputs):
    """Found by a hunt (h112): `input,subject_id,` with a row `b,M1,M2` lost M2 without a word."""
    manifest = tmp_path / "m.csv"
    manifest.write_text(f"input,subject_id,\n{inputs[0]},M1,\n{inputs[1]},M1,M2\n")
    with pytest.raises(
        posebridge.PoseBridgeError, match=r"m\.csv \(line 3\): the value 'M2' is in column 3, "
    ):
        read_manifest(manifest)


def test_an_empty_header_cell_over_empty_cells_is_a_spreadsheets_trailing_comma(tmp_path, inputs):
    manifest = tmp_path / "m.csv"
    manifest.write_text(f"input,subject_id,\n{inputs[0]},M1,\n{inputs[1]},M2, \n")
    rows = read_manifest(manifest)
    assert [r["subject_id"] for r in rows] == ["M1", "M2"]


@pytest.mark.parametrize("output", ["x.csv/", "x.csv/."])
def test_a_manifest_output_naming_a_folder_is_said_to_name_a_folder(tmp_path, inputs, output):
    """'x.csv/' was refused as "a file name with nothing before its ending", and the row's
    output was shown as the input's name."""
    manifest = tmp_path / "m.csv"
    manifest.write_text(f"input,output\n{inputs[0]},{output}\n")
    (job,) = plan_jobs(None, tmp_path / "out", manifest=manifest, to="nc")
    assert "so it names a folder" in job.error and output in job.error
    assert "nothing before its ending" not in job.error
    assert Path(job.target).name == "x.csv"
