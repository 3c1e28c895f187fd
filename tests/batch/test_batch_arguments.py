"""convert_many and `posebridge batch`: a wrong argument is refused before any input runs.

Each refusal is a PoseBridgeError (a posebridge TypeError for a value of the wrong
kind) naming the argument and the value given, raised when the call starts: nothing
is converted, no output folder is filled, no report is lost after the work is done.
The inputs are small files the tests write; the batches run on real local processes.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import xarray as xr
from click.testing import CliRunner

import posebridge
from posebridge.batch import DANDI_TEMPLATE, convert_many, plan_jobs
from posebridge.cli import cli


def _poses(frames: int = 20) -> xr.Dataset:
    rng = np.random.default_rng(11)
    return posebridge.from_numpy(
        rng.uniform(0, 100, size=(frames, 2, 3, 1)),
        rng.uniform(0, 1, size=(frames, 3, 1)),
        keypoint_names=["nose", "ear", "tail"],
        fps=30,
    )


@pytest.fixture
def inputs(tmp_path: Path) -> list[Path]:
    """Two small netCDF pose files in ``tmp_path / "in"``."""
    folder = tmp_path / "in"
    folder.mkdir()
    paths = [folder / "a.nc", folder / "b.nc"]
    for path in paths:
        posebridge.save(_poses(), path)
    return paths


def _files(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


@pytest.mark.parametrize(
    ("arguments", "error", "message"),
    [
        ({"jobs": 0}, posebridge.PoseBridgeError, "jobs must be a whole number, at least 1"),
        ({"jobs": -1}, posebridge.PoseBridgeError, "jobs must be a whole number, at least 1"),
        ({"jobs": 1.5}, posebridge.errors.TypeError, "jobs must be a whole number"),
        ({"jobs": "2"}, posebridge.errors.TypeError, "jobs must be a whole number"),
        ({"jobs": True}, posebridge.errors.TypeError, "jobs must be a whole number"),
        ({"chunk_frames": 0}, posebridge.PoseBridgeError, "chunk_frames must be a whole"),
        ({"chunk_frames": -5}, posebridge.PoseBridgeError, "chunk_frames must be a whole"),
        ({"chunk_frames": "10"}, posebridge.errors.TypeError, "chunk_frames must be a whole"),
        ({"fps": True}, posebridge.errors.TypeError, "fps must be a number"),
        ({"fps": 0}, posebridge.PoseBridgeError, "fps must be a positive number"),
        ({"read_options": 5}, posebridge.errors.TypeError, "read_options must be"),
        ({"write_options": ["a"]}, posebridge.errors.TypeError, "write_options must be"),
        ({"template": 5}, posebridge.errors.TypeError, "template must be"),
        ({"client": 5}, posebridge.errors.TypeError, "client must be a distributed.Client"),
        ({"scheduler": 5}, posebridge.errors.TypeError, "scheduler must be"),
        ({"progress": "yes"}, posebridge.errors.TypeError, "progress must be bool"),
        ({"on_chunk": 5}, posebridge.errors.TypeError, "on_chunk must be a function"),
        ({"manifest": 5}, posebridge.errors.TypeError, "'manifest'"),
        ({"from_format": "nope"}, posebridge.errors.UnknownFormatError, "nope"),
    ],
    ids=lambda v: repr(v) if isinstance(v, dict) else "",
)
def test_convert_many_refuses_a_wrong_argument_before_converting_anything(
    tmp_path, inputs, arguments, error, message
):
    out = tmp_path / "out"
    with pytest.raises(error, match=message) as caught:
        convert_many(inputs, out, to="nc", **{"jobs": 1, "progress": False, **arguments})
    given = next(iter(arguments.values()))
    said = str(caught.value)
    assert repr(given) in said or str(given) in said or f"got {type(given).__name__}" in said
    assert not out.exists()


@pytest.mark.parametrize(
    ("sources", "output_dir", "error", "message"),
    [
        (5, "out", posebridge.errors.TypeError, "sources must be a file, folder or glob"),
        ([5], "out", posebridge.errors.TypeError, "sources must be .* holds 5"),
        ("", "out", posebridge.PoseBridgeError, "sources holds an empty path"),
        (["in", ""], "out", posebridge.PoseBridgeError, "sources holds an empty path"),
        ("in", 5, posebridge.errors.TypeError, "'output_dir'"),
        ("in", "", posebridge.PoseBridgeError, "output_dir is an empty path"),
        ("in", "in/a.nc", posebridge.PoseBridgeError, "output_dir .*a.nc: is a file"),
    ],
    ids=["int", "list-of-int", "empty", "list-with-empty", "out-int", "out-empty", "out-file"],
)
def test_convert_many_refuses_wrong_sources_and_output_folders(
    tmp_path, inputs, monkeypatch, sources, output_dir, error, message
):
    monkeypatch.chdir(tmp_path)  # "" would be this folder: every file in it converted
    before = _files(tmp_path)
    with pytest.raises(error, match=message):
        convert_many(sources, output_dir, to="nc", jobs=1, progress=False)
    assert _files(tmp_path) == before


def test_convert_many_refuses_client_and_scheduler_together(
    tmp_path, inputs, local_cluster_client
):
    with pytest.raises(posebridge.PoseBridgeError, match="client .* or scheduler .* not both"):
        convert_many(
            inputs,
            tmp_path / "out",
            to="nc",
            client=local_cluster_client,
            scheduler=local_cluster_client.cluster.scheduler_address,
            progress=False,
        )
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("address", "problem"),
    [
        ("not an address", "expected host:port"),
        ("localhost", "expected host:port"),
        ("tcp://localhost", "expected host:port"),
        ("tcp://:8786", "expected host:port"),
        ("tcp://head-node:0", "the port '0' is not a whole number from 1 to 65535"),
        ("tcp://head-node:87x6", "the port '87x6' is not"),
        ("http://head-node:8786", "Dask knows no scheme http://"),
        ("tcp://head-node:8786 ", "white space"),
    ],
)
def test_a_malformed_scheduler_address_is_refused_naming_it_before_anything_runs(
    tmp_path, inputs, address, problem
):
    with pytest.raises(posebridge.PoseBridgeError) as caught:
        convert_many(inputs, tmp_path / "out", to="nc", scheduler=address, progress=False)

    said = str(caught.value)
    assert said.startswith(f"scheduler {address!r} (scheduler=, --scheduler): ")
    assert problem in said and "tcp://head-node:8786" in said
    assert not (tmp_path / "out").exists()


def test_a_scheduler_address_where_none_answers_is_refused_naming_it(tmp_path, inputs):
    """distributed's OSError (after its connect timeout) became the batch's error."""
    import socket

    import dask

    with socket.socket() as free:  # a port of this machine where nothing listens
        free.bind(("127.0.0.1", 0))
        address = f"tcp://127.0.0.1:{free.getsockname()[1]}"
    with (
        dask.config.set({"distributed.comm.timeouts.connect": "1s"}),
        pytest.raises(posebridge.PoseBridgeError) as caught,
    ):
        convert_many(inputs, tmp_path / "out", to="nc", scheduler=address, progress=False)

    said = str(caught.value)
    assert said.startswith(f"scheduler {address!r} (scheduler=, --scheduler): could not connect")
    assert "distributed.comm.timeouts.connect, now 1s" in said
    assert isinstance(caught.value.__cause__, OSError)
    assert not (tmp_path / "out").exists()


def test_cli_batch_refuses_a_malformed_scheduler_address_in_one_line(tmp_path, inputs):
    result = CliRunner().invoke(
        cli, ["batch", str(inputs[0]), "--to", "nc", "--scheduler", "localhost", "-q"]
    )

    assert result.exit_code == 1, result.output
    assert "posebridge: error: scheduler 'localhost' (scheduler=, --scheduler)" in result.output
    assert "Traceback" not in result.output


def test_jobs_with_a_cluster_warns_that_the_cluster_runs_the_jobs(
    tmp_path, inputs, local_cluster_client
):
    """jobs= was ignored without a word when a client was given."""
    with pytest.warns(UserWarning, match="jobs=2 sets local worker processes"):
        report = convert_many(
            inputs, tmp_path / "out", to="nc", client=local_cluster_client, jobs=2, progress=False
        )
    assert report.ok


@pytest.mark.parametrize(
    ("report", "error", "message"),
    [
        ("missing/r.json", posebridge.errors.FileNotFoundError, "folder .*missing does not exist"),
        ("in", posebridge.errors.IsADirectoryError, "is a folder; expected a file name"),
        (5, posebridge.errors.TypeError, "'report'"),
    ],
    ids=["missing-folder", "a-folder", "int"],
)
def test_an_unwritable_report_path_is_refused_before_any_input_is_converted(
    tmp_path, inputs, report, error, message
):
    where = tmp_path / report if isinstance(report, str) else report
    with pytest.raises(error, match=message) as caught:
        convert_many(inputs, tmp_path / "out", to="nc", jobs=1, progress=False, report=where)
    assert "report" in str(caught.value)
    assert not (tmp_path / "out").exists()  # nothing converted, so nothing lost


@pytest.mark.parametrize(
    ("template", "says"),
    [
        ("/", "nothing before its ending"),
        ("{ext}", "nothing before its ending"),
        ("{stem}/", "nothing before its ending"),
        ("{stem}/{ext}", "nothing before its ending"),
        ("{stem}/.nc", "nothing before its ending"),
        ("{stem}/..", "nothing before its ending"),
        ("../{stem}", "leads out of the output folder"),
        ("x/../../{stem}{ext}", "leads out of the output folder"),
        ("/somewhere/{stem}", "absolute path"),
    ],
)
def test_a_template_that_names_no_file_or_leaves_the_output_folder_fails_the_call(
    tmp_path, inputs, template, says
):
    out = tmp_path / "out"
    before = _files(tmp_path)
    # planning first: it writes nothing, so a regression cannot write "/.nc" or "/somewhere"
    with pytest.raises(posebridge.PoseBridgeError, match="naming template") as caught:
        plan_jobs(inputs, out, to="nc", template=template)
    assert says in str(caught.value)
    with pytest.raises(posebridge.PoseBridgeError, match="naming template"):
        convert_many(inputs, out, to="nc", template=template, jobs=1, progress=False)
    assert _files(tmp_path) == before
    result = CliRunner().invoke(
        cli, ["batch", str(inputs[0]), "--to", "nc", "--template", template, "--out", str(out)]
    )
    assert result.exit_code != 0 and "naming template" in result.output
    assert _files(tmp_path) == before


def test_a_template_that_names_no_file_for_one_input_fails_that_input_only(tmp_path, inputs):
    (tmp_path / "in" / "sub").mkdir()
    posebridge.save(_poses(), tmp_path / "in" / "sub" / "c.nc")
    out = tmp_path / "out"
    report = convert_many(tmp_path / "in", out, to="nc", template="{parent}{ext}", jobs=1)
    by_name = {Path(r.source).name: r for r in report.results}
    assert by_name["c.nc"].status == "ok", by_name["c.nc"].error
    assert by_name["c.nc"].outputs == [str(out / "sub.nc")]
    for top in ("a.nc", "b.nc"):  # {parent} is "." at the top: "..nc"
        assert by_name[top].status == "failed"
        assert "nothing before its ending" in by_name[top].error
    assert _files(out) == ["sub.nc"]


def test_a_manifest_subject_that_leads_out_of_the_output_folder_fails_its_row(tmp_path, inputs):
    manifest = tmp_path / "m.csv"
    manifest.write_text(f"input,subject_id\n{inputs[0]},..\n{inputs[1]},M2\n")
    out = tmp_path / "out"
    report = convert_many(
        None, out, manifest=manifest, to="nc", template="{subject}/{stem}", jobs=1
    )
    first, second = report.results
    assert first.status == "failed" and "subject_id '..'" in first.error
    assert "the folder above" in first.error
    assert second.status == "ok", second.error
    assert _files(out) == ["M2", "M2/b.nc"]
    assert not (tmp_path / "a.nc").exists()


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        (None, ["a.nc", "b.nc"]),
        ("{parent}/{stem}{ext}", ["a.nc", "b.nc"]),
        ("{stem}_pose", ["a_pose.nc", "b_pose.nc"]),
        ("x/{stem}", ["x/a.nc", "x/b.nc"]),
        ("{name}", ["a.nc", "b.nc"]),
        ("{subject}/{stem}", ["M1/a.nc", "M2/b.nc"]),
        ("{subject}/{session}/{stem}{ext}", ["M1/s1/a.nc", "M2/s1/b.nc"]),
        ("dandi", ["sub-M1/sub-M1_ses-s1_behavior.nwb", "sub-M2/sub-M2_ses-s1_behavior.nwb"]),
        (
            DANDI_TEMPLATE,
            ["sub-M1/sub-M1_ses-s1_behavior.nwb", "sub-M2/sub-M2_ses-s1_behavior.nwb"],
        ),
    ],
)
def test_the_documented_templates_still_name_their_outputs(tmp_path, inputs, template, expected):
    manifest = tmp_path / "m.csv"
    manifest.write_text(f"input,subject_id,session_id\n{inputs[0]},M1,s1\n{inputs[1]},M2,s1\n")
    to = None if template in ("dandi", DANDI_TEMPLATE) else "nc"
    jobs = plan_jobs(None, tmp_path / "out", manifest=manifest, to=to, template=template)
    assert [j.error for j in jobs] == ["", ""]
    assert [Path(j.target) for j in jobs] == [tmp_path / "out" / e for e in expected]


def test_a_template_without_output_folder_may_name_an_absolute_path(tmp_path, inputs):
    template = str(tmp_path / "elsewhere" / "{stem}{ext}")
    jobs = plan_jobs(inputs, None, to="nc", template=template)
    assert [Path(j.target) for j in jobs] == [tmp_path / "elsewhere" / n for n in ("a.nc", "b.nc")]


def test_valid_arguments_of_numpy_kinds_still_run_the_batch(tmp_path, inputs):
    out = tmp_path / "out"
    seen: list[tuple[str, int, int]] = []
    report = convert_many(
        inputs,
        out,
        to="nc",
        jobs=np.int64(1),
        chunk_frames=np.int64(5),
        fps=np.float64(30.0),  # the inputs' own rate (another is refused: see below)
        progress=False,
        on_chunk=lambda *report: seen.append(report),
        report=tmp_path / "r.json",
    )
    assert report.counts == {"ok": 2, "failed": 0, "skipped": 0}, report.table()
    assert json.loads((tmp_path / "r.json").read_text())["counts"]["ok"] == 2
    assert posebridge.load(out / "a.nc").attrs.get("fps") == 30.0


@pytest.mark.parametrize("to", ["nc", "slp"], ids=["streaming", "in-memory"])
def test_an_fps_that_contradicts_the_inputs_own_fails_each_naming_it_and_both_rates(
    tmp_path, inputs, to
):
    """The inputs' times are in seconds at 30 fps; fps=60 was set beside them as it was."""
    out = tmp_path / "out"
    report = convert_many(inputs, out, to=to, jobs=1, fps=60, progress=False)
    assert report.counts == {"ok": 0, "failed": 2, "skipped": 0}, report.table()
    for result, source in zip(report.results, inputs, strict=True):
        assert result.error.startswith(f"{source}: fps=60 contradicts the file's own frame ")
        assert "30 fps" in result.error
        assert result.error_type == "PoseBridgeError"
    assert not list(out.rglob("*.*"))  # nothing written


def test_a_manifest_fps_that_contradicts_the_inputs_own_fails_its_row(tmp_path, inputs):
    manifest = tmp_path / "m.csv"
    manifest.write_text("input,fps\nin/a.nc,60\nin/b.nc,30\n")
    report = convert_many(None, tmp_path / "out", to="nc", manifest=manifest, jobs=1)
    assert [r.status for r in report.results] == ["failed", "ok"], report.table()
    assert "fps=60 contradicts the file's own frame rate, 30 fps" in report.results[0].error


def test_cli_batch_fps_that_contradicts_the_inputs_own_fails_them(tmp_path, inputs):
    """Named as it was given: ``--fps 60`` (convert()'s ``fps=60`` is no flag)."""
    out = tmp_path / "out"
    args = ["batch", str(tmp_path / "in"), "--to", "nc", "--out", str(out), "-j", "1", "-q"]
    report = tmp_path / "r.json"
    result = CliRunner().invoke(cli, [*args, "--fps", "60", "--report", str(report)])
    assert result.exit_code == 1, result.output
    assert result.stdout.count("--fps 60 contradicts the file's own frame rate") >= 2
    # each row's advice whole: in the table, or below it when the row was cut there
    assert result.stdout.count("leave out --fps to use the file's rate.") == 2
    assert "fps=60" not in result.stdout
    for row in json.loads(report.read_text())["results"]:
        assert "--fps 60 contradicts the file's own frame rate, 30 fps" in row["error"]
        assert row["error"].endswith("leave out --fps to use the file's rate.")
    assert not list(out.rglob("*.*"))
    assert CliRunner().invoke(cli, [*args, "--fps", "30"]).exit_code == 0


def test_cli_batch_refuses_an_empty_source_and_a_report_in_a_missing_folder(
    tmp_path, inputs, monkeypatch
):
    monkeypatch.chdir(tmp_path / "in")
    before = _files(tmp_path)
    empty = CliRunner().invoke(cli, ["batch", "", "--to", "nc", "--out", str(tmp_path / "out")])
    assert empty.exit_code != 0 and "sources holds an empty path" in empty.output
    missing = CliRunner().invoke(
        cli,
        [
            *("batch", str(tmp_path / "in"), "--to", "nc", "--out", str(tmp_path / "out")),
            *("--report", str(tmp_path / "missing" / "r.json")),
        ],
    )
    assert missing.exit_code != 0 and "missing does not exist" in missing.output
    assert _files(tmp_path) == before


@pytest.mark.parametrize(
    ("to", "option", "says"),
    [
        ("nc", "level", "'level' is not an option of the netCDF writer; it takes no options"),
        (None, "levl", "No writer takes an option 'levl'"),
        ("nc", "overwrite", "the batch's own argument"),
    ],
)
def test_an_option_the_writer_does_not_take_is_refused_once_before_any_input_runs(
    tmp_path, inputs, to, option, says
):
    out = tmp_path / "out"
    out.mkdir()
    posebridge.save(_poses(), out / "a.nc")  # an output that exists: it would be skipped
    before = _files(tmp_path)
    template = None if to else "{stem}.nc"
    with pytest.raises(posebridge.PoseBridgeError, match=says) as caught:
        convert_many(
            inputs, out, to=to, template=template, jobs=1, progress=False,
            write_options={option: 3},
        )  # fmt: skip
    assert "it takes: overwrite" not in str(caught.value)
    assert _files(tmp_path) == before


def test_cli_batch_reports_an_option_typo_in_one_line_before_the_run(tmp_path, inputs):
    result = CliRunner().invoke(
        cli,
        [
            *("batch", str(tmp_path / "in"), "--to", "nc", "--out", str(tmp_path / "out")),
            *("-j", "1", "--option", "level=3"),
        ],
    )
    assert result.exit_code == 1
    (line,) = result.stderr.strip().splitlines()
    assert line == (
        "posebridge: error: 'level' is not an option of the netCDF writer; it takes no options."
    )
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(("to", "text"), [("nwb", "1.50"), ("nwb", "7e3"), (None, "NaN")])
def test_cli_batch_keeps_a_text_option_as_typed(tmp_path, inputs, to, text):
    h5py = pytest.importorskip("h5py")
    args = ["batch", str(inputs[0]), "--out", str(tmp_path / "out"), "-j", "1", "-q"]
    args += ["--to", to] if to else ["--template", "{stem}.nwb"]
    args += ["--option", f"subject_id={text}", "--option", "split_individuals=false"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    with h5py.File(tmp_path / "out" / "a.nwb") as h5:
        assert h5["general/subject/subject_id"][()].decode() == text


def test_two_outputs_that_are_one_file_through_a_linked_folder_fail_the_second(tmp_path, inputs):
    """out/x.nc and alias/x.nc (alias a link to out): the second input was reported
    skipped, and with overwrite replaced the first input's output."""
    (tmp_path / "out").mkdir()
    (tmp_path / "alias").symlink_to(tmp_path / "out")
    manifest = tmp_path / "m.csv"
    manifest.write_text(
        f"input,output\n{inputs[0]},{tmp_path}/out/x.nc\n{inputs[1]},{tmp_path}/alias/x.nc\n"
    )
    for overwrite in (False, True):
        report = convert_many(
            None, manifest=manifest, to="netcdf", jobs=1, progress=False, overwrite=overwrite
        )
        first, second = report.results
        assert (first.status, second.status) == ("ok", "failed")
        assert f"the row of {inputs[0]} (written to {tmp_path}/out/x.nc" in second.error
    np.testing.assert_array_equal(
        posebridge.load(tmp_path / "out" / "x.nc").position.values,
        posebridge.load(inputs[0]).position.values,
    )


def test_an_input_given_twice_is_converted_once(tmp_path, inputs):
    """It was converted, then reported failed as 'also the output of' itself."""
    report = convert_many(
        [inputs[0], inputs[0], str(inputs[0].parent / "*.nc")],
        tmp_path / "out",
        to="netcdf",
        jobs=1,
        progress=False,
    )
    assert sorted((Path(r.source).name, r.status) for r in report.results) == [
        ("a.nc", "ok"),
        ("b.nc", "ok"),
    ]


def test_a_glob_that_matches_no_file_fails_its_row(tmp_path, inputs):
    """Beside another source it was dropped without a word (a typo such as *.NC)."""
    report = convert_many(
        [str(inputs[0].parent / "*.NC"), inputs[0]],
        tmp_path / "out",
        to="netcdf",
        jobs=1,
        progress=False,
    )
    assert [r.status for r in report.results] == ["failed", "ok"]
    assert report.results[0].error == f"{inputs[0].parent / '*.NC'}: no file matches it."
    with pytest.raises(posebridge.PoseBridgeError, match=r"No file matches .*\*\.NC"):
        plan_jobs(str(inputs[0].parent / "*.NC"), tmp_path / "out", to="netcdf")


def test_a_manifest_column_given_twice_is_refused(tmp_path, inputs):
    """The csv module keeps the last of two cells of one name: the first subject was lost."""
    manifest = tmp_path / "m.csv"
    manifest.write_text(f"input,subject_id,session_id,subject_id\n{inputs[0]},M1,s1,\n")
    with pytest.raises(posebridge.PoseBridgeError, match=r"\['subject_id'\] appear twice"):
        convert_many(None, manifest=manifest, to="nwb", jobs=1, progress=False)


def test_a_folder_read_as_one_input_keeps_its_dotted_name(tmp_path):
    """run.2024.05.01 and run.2024.05.02 were both named run.2024.05 (a file's stem)."""
    ds = posebridge.from_numpy(np.random.default_rng(0).random((3, 2, 3, 1)) * 100)
    for name in ("run.2024.05.01", "run.2024.05.02"):
        (tmp_path / "preds" / name).mkdir(parents=True)
        posebridge.save(ds, tmp_path / "preds" / name / "clip.txt", "yolo-predictions",
                        image_size=(640, 480))  # fmt: skip
    jobs = plan_jobs(tmp_path / "preds", tmp_path / "out", to="netcdf")
    assert sorted(Path(job.target).name for job in jobs) == [
        "run.2024.05.01.nc",
        "run.2024.05.02.nc",
    ]


@pytest.mark.parametrize("to", ["trex", "idtracker", "dannce"])
def test_a_format_posebridge_only_reads_is_refused_before_any_input(
    inputs: list[Path], tmp_path: Path, to: str
) -> None:
    """Each input was read, then refused one by one (rows with misleading messages)."""
    out = tmp_path / "out"
    with pytest.raises(posebridge.UnknownFormatError, match="posebridge cannot write"):
        convert_many(inputs, out, to=to)
    assert not out.exists()
    run = CliRunner().invoke(cli, ["batch", str(inputs[0].parent), "--to", to, "--out", str(out)])
    assert run.exit_code == 1
    assert "cannot write" in run.output and str(inputs[0]) not in run.output
    assert not out.exists()
