"""Batch conversion: convert_many and `posebridge batch` on local processes and on Dask.

Real components only: worker processes are started for real, the Dask cluster is a
real ``distributed.LocalCluster``, and the interrupted batch loses a worker to SIGKILL.
"""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import h5py
import numpy as np
import pytest
from click.testing import CliRunner

import posebridge
from _corpus import corpus_path
from posebridge._temporaries import TEMPORARY_MARK
from posebridge.batch import (
    DANDI_TEMPLATE,
    convert_many,
    dandi_label,
    plan_jobs,
    read_manifest,
    run_job,
)
from posebridge.cli import cli

CORPUS_FILES = (
    "dlc_h5/m3v1mp4DLC_resnet50_openfieldAug20shuffle1_30000.h5",
    "sleap_analysis_h5/minimal_top_proofread.analysis.h5",
    "dlc_csv/briefDeepCut_resnet50_TESTAug16shuffle1_5.csv",
)


def _corpus_inputs(folder: Path) -> list[Path]:
    """Links to a few corpus files (never copies) plus a file no format reads."""
    folder.mkdir()
    links = []
    for relative in CORPUS_FILES:
        source = corpus_path(relative)
        link = folder / source.name
        link.symlink_to(source)
        links.append(link)
    bad = folder / "broken.h5"
    bad.write_bytes(b"\x89HDF\r\n\x1a\n" + b"\x00" * 64)  # an HDF5 signature, then nothing
    return [*links, bad]


def _check_report(report_path: Path, inputs: list[Path], out: Path) -> dict:
    payload = json.loads(report_path.read_text())
    by_name = {Path(r["source"]).name: r for r in payload["results"]}
    assert set(by_name) == {p.name for p in inputs}
    bad = by_name.pop("broken.h5")
    assert bad["status"] == "failed"
    assert "broken.h5" in bad["error"] and bad["error_type"]
    assert bad["outputs"] == []
    for source in inputs[:-1]:
        row = by_name[source.name]
        assert row["status"] == "ok", row["error"]
        assert row["input_bytes"] == source.stat().st_size
        assert row["output_bytes"] == sum(Path(p).stat().st_size for p in row["outputs"])
        assert all(Path(p).parent == out for p in row["outputs"])
        original = posebridge.load(source)
        for output in row["outputs"]:
            back = posebridge.load(output)
            names = [str(i) for i in back["individual"].values]
            np.testing.assert_array_equal(
                back["position"].values,
                original["position"].sel(individual=names).values,
            )
    assert payload["counts"] == {"ok": len(inputs) - 1, "failed": 1, "skipped": 0}
    return payload


def test_local_processes_convert_corpus_files_and_report_the_failing_one(tmp_path):
    inputs = _corpus_inputs(tmp_path / "in")
    out = tmp_path / "out"
    report = convert_many(
        tmp_path / "in", out, to="netcdf", jobs=2, report=tmp_path / "r.json", progress=False
    )
    assert not report.ok and len(report.failed) == 1
    _check_report(tmp_path / "r.json", inputs, out)
    # nothing half-written is left behind
    assert not [p for p in out.rglob("*") if TEMPORARY_MARK in p.name]


def test_dask_local_cluster_runs_the_same_batch(tmp_path, local_cluster_client):
    inputs = _corpus_inputs(tmp_path / "in")
    out = tmp_path / "out"
    report = convert_many(
        [str(tmp_path / "in" / "*")],
        out,
        to="netcdf",
        client=local_cluster_client,
        report=tmp_path / "r.json",
        progress=False,
    )
    assert report.counts == {"ok": 3, "failed": 1, "skipped": 0}, report.table()
    _check_report(tmp_path / "r.json", inputs, out)


def test_a_second_run_skips_finished_outputs_and_overwrite_redoes_them(tmp_path):
    _corpus_inputs(tmp_path / "in")
    out = tmp_path / "out"
    first = convert_many(tmp_path / "in", out, to="netcdf", jobs=1, progress=False)
    stamps = {p: Path(p).stat().st_mtime_ns for r in first.results for p in r.outputs}
    second = convert_many(tmp_path / "in", out, to="netcdf", jobs=1, progress=False)
    assert second.counts == {"ok": 0, "failed": 1, "skipped": 3}
    assert {p: Path(p).stat().st_mtime_ns for p in stamps} == stamps
    third = convert_many(tmp_path / "in", out, to="netcdf", jobs=1, overwrite=True)
    assert third.counts == {"ok": 3, "failed": 1, "skipped": 0}


def test_an_existing_output_that_does_not_read_back_is_not_replaced(tmp_path):
    source = corpus_path(CORPUS_FILES[1])
    (tmp_path / "out").mkdir()
    squatter = tmp_path / "out" / "minimal_top_proofread.nc"
    squatter.write_text("someone else's file")
    report = convert_many([source], tmp_path / "out", to="netcdf", jobs=1)
    (result,) = report.results
    assert result.status == "failed"
    assert "does not read back" in result.error
    assert squatter.read_text() == "someone else's file"


def _synthetic_inputs(folder: Path, count: int, frames: int = 3000) -> list[Path]:
    folder.mkdir()
    rng = np.random.default_rng(0)
    paths = []
    for i in range(count):
        ds = posebridge.from_numpy(
            rng.uniform(0, 100, size=(frames, 2, 4, 1)),
            rng.uniform(0, 1, size=(frames, 4, 1)),
            source_software="DeepLabCut",
        )
        paths.extend(posebridge.save(ds, folder / f"session{i:02d}DLC_resnet50.h5"))
    return paths


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            continue
    return found


def _worker_pids(pid: int) -> list[int]:
    pids = []
    for child in _children(pid):
        try:
            command = Path(f"/proc/{child}/cmdline").read_bytes().decode(errors="replace")
        except OSError:
            continue
        if "spawn_main" in command:
            pids.append(child)
    return pids


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="needs Linux /proc")
def test_a_batch_whose_worker_is_killed_converts_every_input_and_a_rerun_skips_them(
    tmp_path,
):
    """A worker killed midway used to fail every input not finished; now the job it ran
    runs again alone (a worker killed between jobs loses none), and a rerun skips all."""
    inputs = _synthetic_inputs(tmp_path / "in", 8)
    out = tmp_path / "out"
    command = [sys.executable, "-m", "posebridge", "batch", str(tmp_path / "in")]
    command += ["--out", str(out), "--to", "sleap", "-j", "2", "--quiet"]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    started = time.time_ns()
    process = subprocess.Popen(
        [*command, "--report", str(tmp_path / "first.json")],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 120
    killed = None
    while time.monotonic() < deadline and process.poll() is None:
        finished = [p for p in out.glob("*.h5") if not p.name.startswith(".")]
        workers = _worker_pids(process.pid)
        if finished and workers:
            killed = workers[0]
            os.kill(killed, signal.SIGKILL)
            break
        time.sleep(0.01)
    _, stderr = process.communicate(timeout=120)
    assert killed is not None, "the batch ended before a worker could be killed"
    assert process.returncode == 0, stderr.decode()
    first = json.loads((tmp_path / "first.json").read_text())
    counts = first["counts"]
    assert counts["failed"] == 0 and counts["ok"] + counts["skipped"] == len(inputs), first
    # a worker killed after its output was in place, before it reported, leaves a finished
    # output: the job's rerun finds it (it reads back) and skips it; this batch wrote it
    skipped = [r for r in first["results"] if r["status"] == "skipped"]
    assert len(skipped) <= 1, first
    assert all(Path(o).stat().st_mtime_ns >= started for r in skipped for o in r["outputs"])
    assert not [p for p in out.iterdir() if TEMPORARY_MARK in p.name]
    finished = {p: p.stat().st_mtime_ns for p in out.glob("*.h5") if not p.name.startswith(".")}
    assert len(finished) == len(inputs)

    second = convert_many(tmp_path / "in", out, to="sleap", jobs=1, progress=False)
    assert second.counts == {"ok": 0, "failed": 0, "skipped": len(inputs)}, second.table()
    assert {p: p.stat().st_mtime_ns for p in finished} == finished
    for source in inputs:
        target = out / source.name.replace(".h5", ".analysis.h5")
        with h5py.File(target) as h5:
            expected = posebridge.load(source)["position"].values
            np.testing.assert_array_equal(
                np.transpose(h5["tracks"][:], (3, 1, 2, 0)), expected.astype(h5["tracks"].dtype)
            )


def test_dandi_label_keeps_letters_digits_and_dashes():
    assert dandi_label("mouse_01 (left)") == "mouse-01-left"
    assert dandi_label("M1") == "M1"
    with pytest.raises(posebridge.PoseBridgeError):
        dandi_label("__")


def test_dandi_label_takes_accented_letters_without_their_accents():
    assert dandi_label("Maus-\u00c4") == "Maus-A"  # A with diaeresis, one code point
    assert dandi_label("Maus-A\u0308") == "Maus-A"  # A and a combining diaeresis
    assert dandi_label("mouse \u00e9") == "mouse-e"
    assert dandi_label("\u00c5sa_\u00df") == "Asa"  # the sharp s has no plain letter: "-"


def test_manifest_subjects_that_make_one_dandi_label_fail_naming_each_other(tmp_path):
    source = corpus_path(CORPUS_FILES[0])
    manifest = tmp_path / "sessions.csv"
    with open(manifest, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["input", "subject_id", "session_id"])
        writer.writerow([source, "Maus-\u00c4", "s1"])
        writer.writerow([source, "Maus A", "s2"])
        writer.writerow([source, "Maus-B", "s3"])
    jobs = plan_jobs(None, tmp_path / "out", manifest=manifest, template="dandi", to="nwb")
    failed = [job for job in jobs if job.error]
    assert len(failed) == 2
    for job in failed:
        assert "'Maus-A'" in job.error
        assert "Maus-\u00c4" in job.error and "Maus A" in job.error
    (kept,) = [job for job in jobs if not job.error]
    assert Path(kept.target).parent.name == "sub-Maus-B"


def test_csv_manifest_with_the_dandi_template_names_and_describes_each_session(tmp_path):
    source = corpus_path(CORPUS_FILES[0])
    manifest = tmp_path / "sessions.csv"
    with open(manifest, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["input", "subject_id", "session_id", "species", "sex", "age", "fps"])
        writer.writerow([source, "mouse_01", "2024.05.01_a", "Mus musculus", "F", "P90D", 30])
        writer.writerow([source, "mouse 02", "", "Mus musculus", "M", "P91D", 30])
    report = convert_many(None, tmp_path / "dandiset", manifest=manifest, template="dandi", jobs=1)
    assert report.ok, report.table()
    first, second = (Path(r.outputs[0]) for r in report.results)
    assert first == tmp_path / "dandiset/sub-mouse-01/sub-mouse-01_ses-2024-05-01-a_behavior.nwb"
    assert second == tmp_path / "dandiset/sub-mouse-02/sub-mouse-02_behavior.nwb"
    import pynwb

    with pynwb.NWBHDF5IO(str(first), "r") as io:
        nwbfile = io.read()
        assert nwbfile.subject.subject_id == "mouse_01"
        assert nwbfile.subject.species == "Mus musculus"
        assert nwbfile.subject.sex == "F"
        assert nwbfile.subject.age == "P90D"
    back = posebridge.load(first)
    assert back.attrs["fps"] == 30


def test_yaml_manifest_rows_give_outputs_relative_to_the_output_folder(tmp_path):
    source = corpus_path(CORPUS_FILES[1])
    manifest = tmp_path / "m.yaml"
    manifest.write_text(
        f"sessions:\n  - input: {source}\n    output: a/one.nc\n"
        f"  - input: {source}\n    output: b/two.slp\n"
    )
    rows = read_manifest(manifest)
    assert [r["output"] for r in rows] == ["a/one.nc", "b/two.slp"]
    report = convert_many(None, tmp_path / "out", manifest=manifest, jobs=1)
    assert report.ok, report.table()
    assert (tmp_path / "out/a/one.nc").is_file() and (tmp_path / "out/b/two.slp").is_file()


def test_a_manifest_with_an_unknown_column_is_refused_naming_it(tmp_path):
    manifest = tmp_path / "m.csv"
    manifest.write_text("input,subject\nx.h5,M1\n")
    with pytest.raises(posebridge.PoseBridgeError, match=r"line 2.*subject"):
        read_manifest(manifest)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        # a missing middle cell: the subject's id would have become the session's
        (
            "input,output,session_id,subject_id\na.h5,a.nwb,s1,m1\n\nb.h5,b.nwb,m2\n",
            r"m\.csv \(line 4\): 3 cells where the header has 4 \(input, output, session_id, "
            r"subject_id\); write an empty value as an empty cell\.",
        ),
        ("input,subject_id\na.h5,m1,extra\n", r"\(line 2\): 3 cells where the header has 2 "),
        ('input,subject_id\n"a\nb.h5",m1\nc.h5\n', r"\(line 4\): 1 cell where the header"),
    ],
)
def test_a_manifest_row_of_another_width_is_refused_naming_its_line(tmp_path, text, message):
    manifest = tmp_path / "m.csv"
    manifest.write_text(text)
    with pytest.raises(posebridge.PoseBridgeError, match=message):
        read_manifest(manifest)


def test_a_manifest_row_with_empty_cells_leaves_them_out(tmp_path):
    manifest = tmp_path / "m.csv"
    manifest.write_text("input,output,subject_id\na.h5,,\n\nb.h5,b.nwb,m2\n")
    rows = read_manifest(manifest)
    assert [sorted(r) for r in rows] == [["input"], ["input", "output", "subject_id"]]
    assert rows[1]["subject_id"] == "m2"


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("m.csv", "input,fps\nx.h5,abc\n", r"m\.csv \(line 2\): 'fps' must be a positive"),
        ("m.csv", "input,fps\nx.h5,0\n", r"line 2\): 'fps' must be a positive"),
        ("m.yaml", "- input: x.h5\n  fps: [30]\n", r"session 1\): 'fps' must be one value"),
        ("m.yaml", "- input: x.h5\n  subject_id: [1, 2]\n", r"'subject_id' must be one value"),
        ("m.yaml", "- input: x.h5\n  sex: !!bool yes\n", r"'sex' must be one value"),
        ("m.csv", "input,session_start_time\nx.h5,yesterday\n", r"line 2\).*not ISO 8601"),
        ("m.yaml", "- input: x.h5\n  session_start_time: 2024-13-01\n", "not ISO 8601"),
    ],
)
def test_a_manifest_value_that_is_not_one_value_of_its_kind_is_refused(
    tmp_path, name, text, message
):
    """Found by trying hostile manifests: fps 'abc' stopped the batch with a raw ValueError."""
    manifest = tmp_path / name
    manifest.write_text(text)
    with pytest.raises(posebridge.PoseBridgeError, match=message):
        read_manifest(manifest)


def test_a_yaml_manifests_plain_values_are_the_text_written(tmp_path):
    """YAML 1.1 read subject 010 as 8 (octal), 007 as 7, session 1.50 as 1.5, 0x1F as 31:
    the NWB subject_id and the DANDI file names took the changed values, without a word."""
    manifest = tmp_path / "m.yaml"
    manifest.write_text(
        "sessions:\n"
        "  - {input: a.h5, subject_id: 010, session_id: 1.50, sex: no, fps: 30}\n"
        "  - {input: b.h5, subject_id: 007, session_id: 0x1F, age: 1_000, species: ~}\n"
        "  - {input: c.h5, session_start_time: 2024-05-01 10:00:00+02:00}\n"
    )
    rows = read_manifest(manifest)
    assert [(r.get("subject_id"), r.get("session_id")) for r in rows[:2]] == [
        ("010", "1.50"),
        ("007", "0x1F"),
    ]
    assert (rows[0]["sex"], rows[0]["fps"], rows[1]["age"]) == ("no", 30.0, "1_000")
    assert "species" not in rows[1]  # null: no value
    assert rows[2]["session_start_time"] == "2024-05-01 10:00:00+02:00"


def test_a_yaml_alias_bomb_in_a_manifest_is_refused_with_a_short_message(tmp_path):
    """Seven levels of YAML aliases, nine-fold each (4.8 M items expanded): the message
    shows the value a few levels deep instead of expanding it."""
    levels = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [" + ", ".join([f"*{chr(97 + i)}"] * 9) + "]\n"
        for i in range(6)
    )
    manifest = tmp_path / "m.yaml"
    manifest.write_text("anchors:\n" + "".join("  " + line + "\n" for line in levels.splitlines())
                        + "sessions:\n- input: x.h5\n  subject_id: *g\n")  # fmt: skip
    with pytest.raises(posebridge.PoseBridgeError, match=r"'subject_id' must be one value") as e:
        read_manifest(manifest)
    assert "..." in str(e.value) and len(str(e.value)) < 1000


def test_yaml_numbers_and_dates_in_a_manifest_are_read_as_text(tmp_path):
    manifest = tmp_path / "m.yaml"
    manifest.write_text(
        "- input: x.h5\n  subject_id: 7\n  age: P90D\n  session_start_time: 2024-01-02\n"
        "  fps: 30\n"
    )
    (row,) = read_manifest(manifest)
    assert row["subject_id"] == "7" and row["session_start_time"] == "2024-01-02"
    assert row["fps"] == 30.0


def test_two_inputs_with_one_output_name_fail_instead_of_overwriting(tmp_path):
    source = corpus_path(CORPUS_FILES[1])
    (tmp_path / "x").mkdir()
    other = tmp_path / "x" / source.name
    other.write_bytes(source.read_bytes())  # another file of the same name
    jobs = plan_jobs([source, other], tmp_path / "out", to="netcdf")
    assert not jobs[0].error
    assert "also the output of" in jobs[1].error
    (link,) = plan_jobs([source, _linked(tmp_path, source)], tmp_path / "out", to="netcdf")
    assert not link.error  # a link to the same file is that input given twice: one job


def _linked(tmp_path: Path, source: Path) -> Path:
    (tmp_path / "links").mkdir()
    link = tmp_path / "links" / source.name
    link.symlink_to(source)
    return link


def test_the_dandi_template_needs_a_subject(tmp_path):
    source = corpus_path(CORPUS_FILES[1])
    (job,) = plan_jobs([source], tmp_path, template=DANDI_TEMPLATE)
    assert "subject_id" in job.error
    result = run_job(job)
    assert result.status == "failed" and "subject_id" in result.error
    assert result.input_bytes == source.stat().st_size  # the report still gives its size


@pytest.mark.parametrize("column", ["subject_id", "session_id"])
def test_a_dandi_label_of_no_letter_fails_its_row_naming_the_input_and_field(tmp_path, column):
    source = corpus_path(CORPUS_FILES[1])
    manifest = tmp_path / "sessions.csv"
    row = {"subject_id": "mouse1", "session_id": "s1", column: "_ _"}
    manifest.write_text(
        f"input,subject_id,session_id\n{source},{row['subject_id']},{row['session_id']}\n"
    )
    report = convert_many(
        None, tmp_path / "out", manifest=manifest, template="dandi", to="nwb", jobs=1
    )
    (result,) = report.results
    assert result.status == "failed"
    assert str(source) in result.error and column in result.error and "'_ _'" in result.error


@pytest.mark.parametrize(
    ("template", "says"),
    [
        ("{nope}", "['nope']"),
        ("{stem.upper}", "['stem.upper']"),
        ("{stem[0]}", "['stem[0]']"),
        ("{stem!r}", "format spec or conversion"),
        ("{stem:>20}", "format spec or conversion"),
        ("{stem", "expected '}'"),
    ],
)
def test_a_malformed_template_fails_the_batch_before_any_input_is_planned(
    tmp_path, template, says
):
    source = corpus_path(CORPUS_FILES[1])
    with pytest.raises(posebridge.PoseBridgeError, match="naming template") as caught:
        plan_jobs([source], tmp_path, to="netcdf", template=template)
    assert says in str(caught.value)
    result = CliRunner().invoke(
        cli, ["batch", str(source), "--to", "nc", "--template", template, "--out", str(tmp_path)]
    )
    assert result.exit_code != 0 and "naming template" in result.output
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("{stem}_pose", "minimal_top_proofread_pose.nc"),
        ("x/{stem}", "x/minimal_top_proofread.nc"),
        ("{stem}{ext}", "minimal_top_proofread.nc"),
        ("{stem}.h5", "minimal_top_proofread.h5"),  # another format's ending: left as given
    ],
)
def test_a_template_without_an_ending_gets_the_output_formats(tmp_path, template, expected):
    source = corpus_path(CORPUS_FILES[1])
    (job,) = plan_jobs([source], tmp_path, to="netcdf", template=template)
    assert not job.error
    assert Path(job.target) == tmp_path / expected


def test_cli_batch_prints_the_summary_writes_a_csv_report_and_fails_when_one_input_fails(
    tmp_path,
):
    inputs = _corpus_inputs(tmp_path / "in")
    result = CliRunner().invoke(
        cli,
        [
            *("batch", str(tmp_path / "in"), "--out", str(tmp_path / "out")),
            *("--to", "netcdf", "-j", "1", "--report", str(tmp_path / "r.csv")),
        ],
    )
    assert result.exit_code == 1, result.output
    assert "3 ok, 1 failed, 0 skipped" in result.output
    with open(tmp_path / "r.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert sorted(Path(r["source"]).name for r in rows) == sorted(p.name for p in inputs)
    assert [r["status"] for r in rows].count("failed") == 1


def test_inspect_adds_nwbinspector_findings_to_the_report(tmp_path):
    pytest.importorskip("nwbinspector")
    source = corpus_path(CORPUS_FILES[2])
    report = convert_many([source], tmp_path, to="nwb", inspect=True, jobs=1)
    (result,) = report.results
    assert result.status == "ok", result.error
    from nwbinspector import inspect_nwbfile

    expected = [m for m in inspect_nwbfile(nwbfile_path=result.outputs[0]) if m is not None]
    assert len(result.findings) == len(expected)
    assert {f["check"] for f in result.findings} == {m.check_function_name for m in expected}


#: Run in a child interpreter where ``import nwbinspector`` fails (as without the
#: ``interop`` extra): a ``None`` in ``sys.modules`` before posebridge is imported.
_WITHOUT_NWBINSPECTOR = "import sys\nsys.modules['nwbinspector'] = None\n"


def _run_without_nwbinspector(code: str, folder: Path) -> subprocess.CompletedProcess[str]:
    """Run ``code`` in a new interpreter where nwbinspector cannot be imported."""
    source = str(Path(posebridge.__file__).resolve().parents[1])
    return subprocess.run(
        [sys.executable, "-c", _WITHOUT_NWBINSPECTOR + code],
        capture_output=True,
        text=True,
        cwd=folder,
        env={**os.environ, "PYTHONPATH": source},
        timeout=300,
    )


@pytest.mark.parametrize(
    ("code", "option"),
    [
        (
            "import posebridge\n"
            "try:\n"
            "    posebridge.convert_many([{source!r}], 'out', to='nwb', inspect=True, jobs=1)\n"
            "except posebridge.PoseBridgeError as error:\n"
            "    print('REFUSED:', error)\n",
            "inspect=True",
        ),
        (
            "from posebridge.cli import main\n"
            "try:\n"
            "    main(['batch', {source!r}, '--out', 'out', '--to', 'nwb', '--inspect',\n"
            "          '-j', '1'])\n"
            "except SystemExit as exit:\n"
            "    print('EXIT STATUS:', exit.code)\n",
            "--inspect",
        ),
    ],
)
def test_inspect_without_nwbinspector_is_refused_before_any_job_naming_the_extra(
    tmp_path, code, option
):
    source = str(corpus_path(CORPUS_FILES[2]))
    run = _run_without_nwbinspector(code.format(source=source), tmp_path)
    said = run.stdout + run.stderr
    assert "pip install 'posebridge[interop]'" in said, said
    assert f"{option} runs nwbinspector" in said, said
    assert "ModuleNotFoundError" not in said and "Traceback" not in said, said
    assert "REFUSED:" in said or "EXIT STATUS: 1" in said, said
    assert not (tmp_path / "out").exists()  # no job ran


def test_cli_batch_runs_on_a_dask_scheduler_given_by_address(tmp_path):
    distributed = pytest.importorskip("distributed")
    source = corpus_path(CORPUS_FILES[1])
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
    ) as cluster:
        result = CliRunner().invoke(
            cli,
            [
                *("batch", str(source), "--out", str(tmp_path), "--to", "netcdf"),
                *("--scheduler", cluster.scheduler_address, "--quiet"),
            ],
        )
    assert result.exit_code == 0, result.output
    assert "1 ok, 0 failed, 0 skipped" in result.output
    back = posebridge.load(tmp_path / "minimal_top_proofread.nc")
    np.testing.assert_array_equal(back.position.values, posebridge.load(source).position.values)


def test_a_manifest_session_id_is_the_nwb_files_session_id(tmp_path):
    source = tmp_path / "a.nc"
    posebridge.save(_one_animal(), source)
    manifest = tmp_path / "sessions.csv"
    manifest.write_text("input,subject_id,session_id\na.nc,M1,S1\n")
    report = convert_many(None, tmp_path / "out", manifest=manifest, template="dandi", jobs=1)
    assert report.ok, report.table()
    written = tmp_path / "out/sub-M1/sub-M1_ses-S1_behavior.nwb"
    import pynwb

    with pynwb.NWBHDF5IO(str(written), "r") as io:
        assert io.read().session_id == "S1"


def _one_animal() -> object:
    rng = np.random.default_rng(11)
    return posebridge.from_numpy(
        rng.uniform(0, 100, size=(6, 2, 2, 1)),
        rng.uniform(0, 1, size=(6, 2, 1)),
        keypoint_names=["nose", "tail"],
        fps=30,
    )


def test_a_yaml_manifest_key_given_twice_in_a_session_is_refused_naming_it_and_its_line(
    tmp_path,
):
    manifest = tmp_path / "m.yaml"
    manifest.write_text("- input: a.nc\n  subject_id: M1\n  session_id: S1\n  subject_id: M2\n")
    with pytest.raises(
        posebridge.PoseBridgeError, match=r"m\.yaml \(line 4\): the key 'subject_id'"
    ):
        read_manifest(manifest)


def test_a_yaml_manifest_may_give_again_a_key_brought_in_by_a_merge(tmp_path):
    manifest = tmp_path / "m.yaml"
    manifest.write_text(
        "common: &c {species: Mus musculus, subject_id: M0}\n"
        "sessions:\n  - <<: *c\n    input: a.nc\n    subject_id: M1\n"
    )
    assert read_manifest(manifest)[0]["subject_id"] == "M1"


def test_a_boxes_input_to_nwb_fails_naming_its_output_and_where_boxes_go(tmp_path):
    from posebridge.model import bboxes_from_numpy

    rng = np.random.default_rng(2)
    boxes = bboxes_from_numpy(
        rng.uniform(0, 100, size=(5, 2, 1)),
        rng.uniform(1, 10, size=(5, 2, 1)),
        rng.uniform(0, 1, size=(5, 1)),
        fps=30,
    )
    posebridge.save(boxes, tmp_path / "boxes.nc")
    report = convert_many([tmp_path / "boxes.nc"], tmp_path / "out", to="nwb", jobs=1)
    (row,) = report.results
    assert row.status == "failed"
    assert row.error.startswith(f"{tmp_path / 'out' / 'boxes.nwb'}: NWB files hold poses")
    assert "write bboxes to one of" in row.error and ".nc" in row.error


def test_a_failed_job_removes_the_empty_folders_it_created_and_no_other(tmp_path):
    rng = np.random.default_rng(4)
    two = posebridge.from_numpy(
        rng.uniform(0, 100, size=(6, 2, 2, 2)),
        rng.uniform(0, 1, size=(6, 2, 2)),
        individual_names=["m1", "m2"],
        keypoint_names=["nose", "tail"],
        fps=30,
    )
    posebridge.save(two, tmp_path / "two.nc")  # one subject_id for two animals: refused
    posebridge.save(_one_animal(), tmp_path / "one.nc")
    manifest = tmp_path / "m.csv"
    manifest.write_text("input,subject_id,session_id\ntwo.nc,M1,S1\none.nc,M2,S2\ntwo.nc,M2,S3\n")
    out = tmp_path / "out"
    report = convert_many(None, out, manifest=manifest, template="dandi", jobs=1)
    assert [r.status for r in report.results] == ["failed", "ok", "failed"]
    assert sorted(str(p.relative_to(out)) for p in out.rglob("*")) == [
        "sub-M2",
        str(Path("sub-M2/sub-M2_ses-S2_behavior.nwb")),
    ]
