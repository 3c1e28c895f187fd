"""Resuming a batch whose writer splits (NWB by default, DeepLabCut and LightningPose with
``split_individuals``: one file per individual).

A job's outputs are exactly the files its writer names for its input
(``<stem>_<individual><suffix>``): another input's output with such a name is never
counted as this job's, two inputs whose split files share a name fail one of them,
and a set missing one of its files is redone (and noted).
"""

from __future__ import annotations

import csv
import json
import os
import warnings
from pathlib import Path

import numpy as np
import pytest

import posebridge
from _held_open import held_open
from posebridge.batch import convert_many, plan_jobs

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")  # NWB: frames written as seconds


def _dlc_input(path: Path, individuals: list[str], seed: int, frames: int = 30) -> np.ndarray:
    """A DeepLabCut .h5 of ``individuals`` with positions drawn from ``seed``."""
    rng = np.random.default_rng(seed)
    position = rng.uniform(0, 100, size=(frames, 2, 3, len(individuals)))
    ds = posebridge.from_numpy(
        position,
        rng.uniform(0, 1, size=(frames, 3, len(individuals))),
        individual_names=individuals,
        keypoint_names=["snout", "ear", "tail"],
        source_software="DeepLabCut",
    )
    posebridge.save(ds, path, "dlc")
    return position


def _positions(path: Path) -> np.ndarray:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return posebridge.load(path)["position"].values


def _by_source(report) -> dict[str, object]:
    return {Path(r.source).name: r for r in report.results}


def test_another_inputs_output_is_not_taken_for_this_ones_split_files(tmp_path):
    """DeepLabCut writes ``<video>DLC_<net>.h5`` and, filtered, ``..._filtered.h5``."""
    (tmp_path / "in").mkdir()
    out = tmp_path / "out"
    _dlc_input(tmp_path / "in" / "sessDLC_resnet50_filtered.h5", ["mouse"], seed=1)
    assert convert_many(tmp_path / "in", out, to="nwb", jobs=1, progress=False).ok
    raw = _dlc_input(tmp_path / "in" / "sessDLC_resnet50.h5", ["mouse"], seed=2)

    report = convert_many(tmp_path / "in", out, to="nwb", jobs=1, progress=False)

    results = _by_source(report)
    assert results["sessDLC_resnet50.h5"].status == "ok", report.table()
    assert results["sessDLC_resnet50.h5"].outputs == [str(out / "sessDLC_resnet50.nwb")]
    assert results["sessDLC_resnet50_filtered.h5"].status == "skipped"
    np.testing.assert_array_equal(_positions(out / "sessDLC_resnet50.nwb"), raw)


def test_a_finished_split_set_lists_only_its_own_files(tmp_path):
    (tmp_path / "in").mkdir()
    out = tmp_path / "out"
    _dlc_input(tmp_path / "in" / "sess.h5", ["m1", "m2"], seed=1)
    _dlc_input(tmp_path / "in" / "sess_other.h5", ["m3"], seed=2)
    assert convert_many(tmp_path / "in", out, to="nwb", jobs=1, progress=False).ok

    report = convert_many(tmp_path / "in", out, to="nwb", jobs=1, progress=False)

    assert report.counts == {"ok": 0, "failed": 0, "skipped": 2}, report.table()
    assert _by_source(report)["sess.h5"].outputs == [
        str(out / "sess_m1.nwb"),
        str(out / "sess_m2.nwb"),
    ]


def test_split_names_are_the_writers_cleaned_names(tmp_path):
    """The writer turns characters a file name should not hold into ``_``."""
    (tmp_path / "in").mkdir()
    out = tmp_path / "out"
    _dlc_input(tmp_path / "in" / "sess.h5", ["mouse 1", "mouse/2"], seed=1)
    first = convert_many(tmp_path / "in", out, to="nwb", jobs=1, progress=False)
    assert first.results[0].outputs == [
        str(out / "sess_mouse_1.nwb"),
        str(out / "sess_mouse_2.nwb"),
    ]

    second = convert_many(tmp_path / "in", out, to="nwb", jobs=1, progress=False)

    assert second.results[0].status == "skipped", second.table()
    assert second.results[0].outputs == first.results[0].outputs


def test_a_split_set_missing_a_file_is_redone_whole(tmp_path):
    """What a worker killed between the renames of the set's files leaves behind."""
    (tmp_path / "in").mkdir()
    out = tmp_path / "out"
    position = _dlc_input(tmp_path / "in" / "sess.h5", ["m1", "m2", "m3"], seed=3)
    assert convert_many(tmp_path / "in", out, to="nwb", jobs=1, progress=False).ok
    (out / "sess_m2.nwb").unlink()
    kept = {name: (out / name).stat().st_ino for name in ("sess_m1.nwb", "sess_m3.nwb")}

    report = convert_many(tmp_path / "in", out, to="nwb", jobs=1, progress=False)

    (result,) = report.results
    assert result.status == "ok", report.table()
    names = ["sess_m1.nwb", "sess_m2.nwb", "sess_m3.nwb"]
    assert result.outputs == [str(out / n) for n in names]
    assert sorted(p.name for p in out.iterdir()) == names  # no temporary left
    for i, name in enumerate(names):
        np.testing.assert_array_equal(_positions(out / name)[..., 0], position[..., i])
    # the files that were there are replaced (renamed over), as the writer does with overwrite
    assert all((out / n).stat().st_ino != ino for n, ino in kept.items())


def test_a_partial_set_with_a_file_that_does_not_read_back_is_left_alone(tmp_path):
    (tmp_path / "in").mkdir()
    out = tmp_path / "out"
    _dlc_input(tmp_path / "in" / "sess.h5", ["m1", "m2"], seed=3)
    assert convert_many(tmp_path / "in", out, to="nwb", jobs=1, progress=False).ok
    (out / "sess_m1.nwb").unlink()
    (out / "sess_m2.nwb").write_text("someone else's file")

    (result,) = convert_many(tmp_path / "in", out, to="nwb", jobs=1, progress=False).results

    assert result.status == "failed"
    assert "sess_m2.nwb: exists but does not read back" in result.error
    assert (out / "sess_m2.nwb").read_text() == "someone else's file"
    assert not (out / "sess_m1.nwb").exists()


@pytest.mark.parametrize("overwrite", [False, True])
def test_a_split_name_that_is_another_inputs_output_fails_the_splitting_input(tmp_path, overwrite):
    (tmp_path / "in").mkdir()
    out = tmp_path / "out"
    _dlc_input(tmp_path / "in" / "sess.h5", ["filtered", "raw"], seed=4)
    single = _dlc_input(tmp_path / "in" / "sess_filtered.h5", ["mouse"], seed=5)

    for _ in range(2):  # the first run, then a resumed one: the same verdict
        report = convert_many(
            tmp_path / "in", out, to="nwb", jobs=1, progress=False, overwrite=overwrite
        )
        results = _by_source(report)
        assert results["sess.h5"].status == "failed", report.table()
        assert "sess_filtered.nwb" in results["sess.h5"].error
        assert "sess_filtered.h5" in results["sess.h5"].error
        assert results["sess_filtered.h5"].status in ("ok", "skipped")
        np.testing.assert_array_equal(_positions(out / "sess_filtered.nwb"), single)
        assert not (out / "sess_raw.nwb").exists()


def test_plan_gives_each_job_the_other_outputs_its_split_files_could_be_named(tmp_path):
    (tmp_path / "in").mkdir()
    for name in ("a.h5", "a_b.h5", "a_b_c.h5", "ab.h5", "b.h5"):
        (tmp_path / "in" / name).touch()
    out = tmp_path / "out"

    jobs = {Path(j.source).name: j for j in plan_jobs(tmp_path / "in", out, to="nwb")}

    assert jobs["a.h5"].claimed == {
        str(out / "a_b.nwb"): str(tmp_path / "in" / "a_b.h5"),
        str(out / "a_b_c.nwb"): str(tmp_path / "in" / "a_b_c.h5"),
    }
    assert jobs["a_b.h5"].claimed == {str(out / "a_b_c.nwb"): str(tmp_path / "in" / "a_b_c.h5")}
    assert jobs["ab.h5"].claimed == jobs["b.h5"].claimed == jobs["a_b_c.h5"].claimed == {}


# --------------------------------------------------------------------------
# every writer that splits: DeepLabCut and LightningPose with split_individuals


@pytest.mark.parametrize(
    ("to", "split", "individuals", "names"),
    [
        ("dlc", True, ["m1", "m2"], ["sess_m1.h5", "sess_m2.h5"]),
        # 'auto' splits one individual (a single-animal input's is named individual_0)
        ("dlc", "auto", ["m1"], ["sess_individual_0.h5"]),
        ("lp", True, ["m1", "m2"], ["sess_m1.csv", "sess_m2.csv"]),
    ],
)
def test_a_finished_set_of_another_splitting_writer_is_skipped(
    tmp_path, to, split, individuals, names
):
    """The DeepLabCut writer's split files were taken for strangers: 'already exists'."""
    (tmp_path / "in").mkdir()
    out = tmp_path / "out"
    _dlc_input(tmp_path / "in" / "sess.h5", individuals, seed=1)
    options = {"split_individuals": split}
    first = convert_many(tmp_path / "in", out, to=to, write_options=options, progress=False)
    assert first.results[0].outputs == [str(out / n) for n in names], first.table()
    stamps = {n: (out / n).stat().st_mtime_ns for n in names}

    second = convert_many(
        tmp_path / "in", out, to=to, write_options=options, jobs=1, progress=False
    )

    (result,) = second.results
    assert result.status == "skipped", second.table()
    assert result.outputs == [str(out / n) for n in names]
    assert {n: (out / n).stat().st_mtime_ns for n in names} == stamps
    assert not (out / f"sess{Path(names[0]).suffix}").exists()


def test_a_partial_dlc_set_is_redone_whole_and_the_result_says_so(tmp_path):
    (tmp_path / "in").mkdir()
    out = tmp_path / "out"
    position = _dlc_input(tmp_path / "in" / "sess.h5", ["m1", "m2", "m3"], seed=3)
    options = {"split_individuals": True}
    assert convert_many(tmp_path / "in", out, to="dlc", write_options=options, jobs=1).ok
    (out / "sess_m3.h5").unlink()

    report = convert_many(
        tmp_path / "in", out, to="dlc", write_options=options, jobs=1, progress=False
    )

    (result,) = report.results
    assert result.status == "ok", report.table()
    names = ["sess_m1.h5", "sess_m2.h5", "sess_m3.h5"]
    assert result.outputs == [str(out / n) for n in names]
    assert result.note.startswith("redone: 1 of the 3 files split per individual were missing")
    assert "(sess_m3.h5)" in result.note
    assert sorted(p.name for p in out.iterdir()) == names
    for i, name in enumerate(names):
        np.testing.assert_array_equal(_positions(out / name)[..., 0], position[..., i])


def test_a_redone_nwb_set_is_noted_in_the_table_and_both_reports(tmp_path):
    (tmp_path / "in").mkdir()
    out = tmp_path / "out"
    _dlc_input(tmp_path / "in" / "sess.h5", ["m1", "m2"], seed=3)
    assert convert_many(tmp_path / "in", out, to="nwb", jobs=1, progress=False).ok
    (out / "sess_m2.nwb").unlink()

    report = convert_many(
        tmp_path / "in", out, to="nwb", jobs=1, progress=False, report=tmp_path / "r.json"
    )

    note = "redone: 1 of the 2 files split per individual were missing (sess_m2.nwb)"
    assert report.results[0].note.startswith(note), report.table()
    assert note in report.table()
    assert json.loads((tmp_path / "r.json").read_text())["results"][0]["note"].startswith(note)
    report.write(tmp_path / "r.csv")
    with open(tmp_path / "r.csv", newline="", encoding="utf-8") as handle:
        (row,) = csv.DictReader(handle)
    assert row["status"] == "ok" and row["note"].startswith(note)
    # a finished set, or a first run, has no note
    again = convert_many(tmp_path / "in", out, to="nwb", jobs=1, progress=False)
    assert again.results[0].status == "skipped" and again.results[0].note == ""


# --------------------------------------------------------------------------
# two splitting inputs whose per-individual files have one name


def _collision_inputs(tmp_path: Path) -> np.ndarray:
    (tmp_path / "in").mkdir()
    _dlc_input(tmp_path / "in" / "sess.h5", ["x_y", "z"], seed=6)
    return _dlc_input(tmp_path / "in" / "sess_x.h5", ["y", "w"], seed=7)


@pytest.mark.parametrize("overwrite", [False, True])
def test_two_inputs_whose_split_files_share_a_name_fail_one_naming_both(tmp_path, overwrite):
    """``sess`` with ``x_y`` and ``sess_x`` with ``y`` both name ``sess_x_y.nwb``: with
    overwrite the later replaced the earlier's file, without it the later took the
    earlier's file for its own partial set."""
    other = _collision_inputs(tmp_path)
    out = tmp_path / "out"

    for _ in range(2):  # the first run, then a resumed one: the same verdict
        report = convert_many(
            tmp_path / "in", out, to="nwb", jobs=1, progress=False, overwrite=overwrite
        )
        results = _by_source(report)
        failed = results["sess.h5"]
        assert failed.status == "failed", report.table()
        assert str(out / "sess_x_y.nwb") in failed.error
        assert str(tmp_path / "in" / "sess.h5") in failed.error
        assert str(tmp_path / "in" / "sess_x.h5") in failed.error
        assert "'x_y'" in failed.error
        assert results["sess_x.h5"].status in ("ok", "skipped"), report.table()
        assert results["sess_x.h5"].outputs == [
            str(out / "sess_x_y.nwb"),
            str(out / "sess_x_w.nwb"),
        ]
        np.testing.assert_array_equal(_positions(out / "sess_x_y.nwb")[..., 0], other[..., 0])
        assert not (out / "sess_z.nwb").exists()


def test_a_collision_of_dlc_split_files_is_caught_too(tmp_path):
    other = _collision_inputs(tmp_path)
    out = tmp_path / "out"
    options = {"split_individuals": True}

    report = convert_many(
        tmp_path / "in", out, to="dlc", write_options=options, jobs=1, progress=False
    )

    results = _by_source(report)
    assert results["sess.h5"].status == "failed", report.table()
    assert "sess_x_y.h5" in results["sess.h5"].error
    assert "DeepLabCut writer" in results["sess.h5"].error
    assert results["sess_x.h5"].status == "ok"
    np.testing.assert_array_equal(_positions(out / "sess_x_y.h5")[..., 0], other[..., 0])


def test_an_input_whose_names_cannot_collide_is_not_read_to_tell(tmp_path, monkeypatch):
    """DeepLabCut's ``<video>DLC_<net>.h5`` and ``..._filtered.h5`` side by side: only the
    input whose split files could be named as the other's output is read (its names)."""
    from posebridge.batch import resume as resume_module

    (tmp_path / "in").mkdir()
    _dlc_input(tmp_path / "in" / "sessDLC_resnet50.h5", ["mouse"], seed=1)
    _dlc_input(tmp_path / "in" / "sessDLC_resnet50_filtered.h5", ["mouse"], seed=2)
    read: list[str] = []
    individuals = resume_module._individuals

    def counted(job):
        read.append(Path(job.source).name)
        return individuals(job)

    monkeypatch.setattr(resume_module, "_individuals", counted)

    report = convert_many(tmp_path / "in", tmp_path / "out", to="nwb", jobs=1, progress=False)

    assert report.counts["ok"] == 2, report.table()
    assert read == ["sessDLC_resnet50.h5"]


def test_the_output_folder_is_listed_once_per_batch(tmp_path, monkeypatch):
    """Each job whose output was missing listed the whole folder (quadratic when flat)."""
    (tmp_path / "in").mkdir()
    for i in range(12):  # inputs that fail when read: no writer lists the folder
        (tmp_path / "in" / f"s{i:02d}.h5").write_bytes(b"\x89HDF\r\n\x1a\n" + b"\x00" * 64)
    out = tmp_path / "out"
    out.mkdir()
    (out / "earlier_m1.nwb").write_bytes(b"")  # a folder that holds files already
    listed: list[str] = []
    scandir = os.scandir

    def counted(path="."):
        if Path(path) == out:
            listed.append(str(path))
        return scandir(path)

    monkeypatch.setattr(os, "scandir", counted)

    report = convert_many(tmp_path / "in", out, to="nwb", jobs=1, progress=False)

    assert report.counts["failed"] == 12, report.table()
    assert len(listed) == 1


# --------------------------------------------------------------------------
# writers of many files per input (YOLO), and appends


@pytest.mark.parametrize(
    ("to", "name"),
    [("yolo", "s1.yml"), ("yolo-predictions", "s1_1.txt")],
    ids=["dataset", "predictions"],
)
def test_a_finished_yolo_output_is_skipped_when_the_batch_runs_again(tmp_path, to, name):
    """The second run failed: the dataset did not read back without the image size given
    to the writer, and the predictions' <stem>.txt (never written: one <stem>_<N>.txt per
    frame) was looked for, then the writer refused the frame files there."""
    (tmp_path / "in").mkdir()
    _dlc_input(tmp_path / "in" / "s1.h5", ["mouse"], seed=1, frames=4)
    out = tmp_path / "out"
    run = {"to": to, "jobs": 1, "progress": False, "write_options": {"image_size": [640, 480]}}
    assert convert_many(tmp_path / "in", out, **run).ok
    assert (out / name).is_file()
    (again,) = convert_many(tmp_path / "in", out, **run).results
    assert (again.status, again.error) == ("skipped", "")


def test_a_batch_appending_to_session_files_appends_once(tmp_path):
    """With append, the target is the session file to add to: one without poses failed as
    an output that 'does not read back', and one holding another animal was skipped."""
    import datetime as dt

    import pynwb

    (tmp_path / "in").mkdir()
    (tmp_path / "out").mkdir()
    _dlc_input(tmp_path / "in" / "s1.h5", ["mouse"], seed=1)
    _dlc_input(tmp_path / "in" / "s2.h5", ["mouse"], seed=2)
    nwbfile = pynwb.NWBFile("rec", "s1", dt.datetime(2024, 5, 1, tzinfo=dt.UTC))
    with pynwb.NWBHDF5IO(tmp_path / "out" / "s1.nwb", "w") as io:
        io.write(nwbfile)  # no poses yet
    rat = posebridge.from_numpy(
        np.ones((30, 2, 3, 1)),
        individual_names=["rat"],
        keypoint_names=["snout", "ear", "tail"],  # the inputs': an append of others is refused
        fps=30,
    )
    posebridge.save(rat, tmp_path / "out" / "s2.nwb")  # another animal's poses
    run = {"to": "nwb", "jobs": 1, "progress": False, "fps": 30}
    run["write_options"] = {"append": True}
    report = convert_many(tmp_path / "in", tmp_path / "out", **run)
    assert [r.status for r in report.results] == ["ok", "ok"]
    with pynwb.NWBHDF5IO(tmp_path / "out" / "s1.nwb", "r") as io:
        assert io.read().session_description == "rec"  # appended to, not replaced
    appended = posebridge.load(tmp_path / "in" / "s2.h5").individual.values.tolist()
    back = posebridge.load(tmp_path / "out" / "s2.nwb").individual.values.tolist()
    assert back == ["rat", *appended]
    again = convert_many(tmp_path / "in", tmp_path / "out", **run)
    assert [r.status for r in again.results] == ["skipped", "skipped"]


def test_a_yolo_dataset_written_beside_its_input_is_skipped_when_the_batch_runs_again(tmp_path):
    """Run in place, the dataset's s1.yml is found among the folder's files; checking it was
    s1.h5's output read it without the image size, which took it for a file of the user's."""
    _dlc_input(tmp_path / "s1.h5", ["mouse"], seed=1, frames=4)
    run = {"to": "yolo", "jobs": 1, "progress": False, "write_options": {"image_size": [64, 48]}}
    assert convert_many(tmp_path, **run).ok
    (again,) = convert_many(tmp_path, **run).results
    assert (Path(again.source).name, again.status, again.error) == ("s1.h5", "skipped", "")


def _csv_lines(path: Path) -> list[str]:
    return path.read_text().splitlines(keepends=True)


def test_an_output_cut_at_a_row_boundary_fails_untouched_and_overwrite_redoes_it(tmp_path):
    """A CSV cut at the end of a row (or down to its header) still reads back: resume
    compares its frames with its input's instead of taking it as done."""
    (tmp_path / "in").mkdir()
    _dlc_input(tmp_path / "in" / "a.h5", ["mouse"], seed=1, frames=40)
    _dlc_input(tmp_path / "in" / "b.h5", ["mouse"], seed=2, frames=25)
    out = tmp_path / "out"
    kwargs = {"to": "dlc", "template": "{stem}.csv", "jobs": 1, "progress": False}
    assert convert_many(tmp_path / "in", out, **kwargs).ok
    header = len(_csv_lines(out / "a.csv")) - 40  # DeepLabCut's header rows
    (out / "a.csv").write_text("".join(_csv_lines(out / "a.csv")[: header + 17]))
    (out / "b.csv").write_text("".join(_csv_lines(out / "b.csv")[:header]))
    cut = {name: (out / name).read_bytes() for name in ("a.csv", "b.csv")}

    report = convert_many(tmp_path / "in", out, **kwargs)

    rows = _by_source(report)
    assert [rows[n].status for n in ("a.h5", "b.h5")] == ["failed", "failed"]
    assert "holds 17 frames where its input has 40" in rows["a.h5"].error
    assert "holds 0 frames where its input has 25" in rows["b.h5"].error
    assert all(str(out / n) in rows[s].error for n, s in (("a.csv", "a.h5"), ("b.csv", "b.h5")))
    assert {name: (out / name).read_bytes() for name in cut} == cut  # left alone

    again = convert_many(tmp_path / "in", out, overwrite=True, **kwargs)
    assert again.ok, again.table()
    assert posebridge.load(out / "a.csv").sizes["time"] == 40
    assert posebridge.load(out / "b.csv").sizes["time"] == 25


def test_a_whole_output_is_still_skipped_with_its_frames_checked(tmp_path):
    """Outputs of every frame (NWB split per individual, netCDF) and of the frames with
    points only (COCO leaves empty frames out) are finished as written."""
    (tmp_path / "in").mkdir()
    rng = np.random.default_rng(3)
    position = rng.uniform(0, 100, size=(12, 2, 2, 2))
    position[-4:] = np.nan  # frames without points: not written to COCO
    ds = posebridge.from_numpy(
        position,
        rng.uniform(0, 1, size=(12, 2, 2)),
        individual_names=["m1", "m2"],
        keypoint_names=["nose", "tail"],
        fps=30,
    )
    posebridge.save(ds, tmp_path / "in" / "s.nc")
    for to, ending in (("nwb", ".nwb"), ("dlc", ".h5"), ("coco", ".json")):
        out = tmp_path / to
        kwargs = {"to": to, "template": "{stem}" + ending, "jobs": 1, "progress": False}
        assert convert_many(tmp_path / "in", out, **kwargs).ok
        report = convert_many(tmp_path / "in", out, **kwargs)
        assert report.counts == {"ok": 0, "failed": 0, "skipped": 1}, (to, report.table())


@pytest.mark.parametrize("to", ["sleap", "sleap-csv"])
def test_finished_sleap_outputs_of_an_input_with_empty_frames_are_skipped(tmp_path, to):
    """The analysis file fills the frames between the input's first and last (30 rows for
    20 frames with a gap) and SLEAP's CSV lists only frames with points: resume failed
    both as cut short."""
    rng = np.random.default_rng(3)
    frames = np.r_[0:10, 20:30]
    position = rng.uniform(0, 100, size=(20, 2, 3, 2))
    position[:3] = np.nan  # empty first frames: no CSV row
    ds = posebridge.from_numpy(position, np.ones((20, 3, 2)), fps=30)
    ds = ds.assign_coords(time=frames / 30, frame=("time", frames))
    (tmp_path / "in").mkdir()
    posebridge.save(ds, tmp_path / "in" / "session.slp")
    first = convert_many(tmp_path / "in", tmp_path / "out", to=to, jobs=1, progress=False)
    again = convert_many(tmp_path / "in", tmp_path / "out", to=to, jobs=1, progress=False)
    assert [r.status for r in first.results] == ["ok"]
    assert [r.status for r in again.results] == ["skipped"], again.results[0].error


@pytest.mark.parametrize(("name", "fmt"), [("a.h5", "dlc"), ("a.analysis.h5", "sleap")])
def test_resume_opens_an_hdf5_input_once_lazily(tmp_path, monkeypatch, name, fmt):
    """A resumed job compares its output with its input: the input's sizes and its
    positions at a few frames (another input of the same shape, or the input tracked
    again, is no finished output). Both come from one lazy opening of the input, never
    a whole reading (the header alone gave the sizes before positions were compared:
    60 small DeepLabCut .h5 resumed in 0.55 s; a second opening cost 1.4 s)."""
    import posebridge.api
    import posebridge.lazy

    (tmp_path / "in").mkdir()
    source = tmp_path / "in" / name
    posebridge.save(
        posebridge.from_numpy(np.ones((9, 2, 3, 2)), individual_names=["m", "n"]), source, fmt
    )
    kwargs = {"to": "dlc", "template": "{stem}.csv", "jobs": 1, "progress": False}
    assert convert_many(tmp_path / "in", tmp_path / "out", **kwargs).ok
    opened = []
    original = posebridge.lazy.open_lazily_indexed

    def recording(path, *args, **options):
        opened.append(Path(path))
        return original(path, *args, **options)

    loaded = []
    load = posebridge.api.load

    def loading(path, *args, **options):
        loaded.append(Path(path))
        return load(path, *args, **options)

    monkeypatch.setattr(posebridge.lazy, "open_lazily_indexed", recording)
    monkeypatch.setattr(posebridge.api, "load", loading)
    report = convert_many(tmp_path / "in", tmp_path / "out", **kwargs)
    assert [r.status for r in report.results] == ["skipped"], report.table()
    assert opened.count(source) == 1
    assert source not in loaded


def test_guard_an_analysis_inputs_output_cut_short_still_fails(tmp_path):
    """Guard (passes before the header sizes too): the sizes from a SLEAP analysis file's
    header still find an output cut at a row's end."""
    (tmp_path / "in").mkdir()
    ds = posebridge.from_numpy(np.ones((30, 2, 3, 1)), individual_names=["m"])
    posebridge.save(ds, tmp_path / "in" / "a.analysis.h5", "sleap")
    out = tmp_path / "out"
    kwargs = {"to": "dlc", "template": "{stem}.csv", "jobs": 1, "progress": False}
    assert convert_many(tmp_path / "in", out, **kwargs).ok
    (written,) = out.glob("*.csv")
    header = len(_csv_lines(written)) - 30
    written.write_text("".join(_csv_lines(written)[: header + 11]))

    report = convert_many(tmp_path / "in", out, **kwargs)

    (row,) = report.results
    assert row.status == "failed"
    assert "holds 11 frames where its input has 30" in row.error


def test_an_output_another_program_writes_fails_its_job_as_in_use(tmp_path):
    """The resume check said the output 'does not read back ...; pass overwrite to replace
    it', and overwrite is refused for such a file: the job says the file is in use."""
    (tmp_path / "in").mkdir()
    ds = posebridge.from_numpy(np.ones((3, 2, 2, 1)), fps=30)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        posebridge.save(ds, tmp_path / "in" / "a.h5")
        convert_many(str(tmp_path / "in"), tmp_path / "out", to="netcdf", jobs=1)
    held = tmp_path / "out" / "a.nc"
    with held_open(held), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = convert_many(str(tmp_path / "in"), tmp_path / "out", to="netcdf", jobs=1)
    (job,) = result.results
    assert job.status == "failed" and job.error_type == "FileInUseError"
    assert "pass overwrite" not in job.error and "is open for writing" in job.error


@pytest.mark.parametrize("command_line", [False, True])
def test_an_output_that_does_not_read_back_gives_the_advice_of_its_caller(tmp_path, command_line):
    """The command line's report said 'Pass format= ...; pass overwrite to replace it'."""
    (tmp_path / "in").mkdir()
    _dlc_input(tmp_path / "in" / "sess.h5", ["m1"], seed=3)
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "sess.nc").write_text("junk")
    (result,) = convert_many(
        tmp_path / "in",
        tmp_path / "out",
        to="nc",
        jobs=1,
        progress=False,
        command_line=command_line,
    ).results
    assert "exists but does not read back" in result.error
    if command_line:
        assert "pass --overwrite to replace it" in result.error
        assert "format=" not in result.error and "overwrite to" in result.error
    else:
        assert "pass overwrite to replace it" in result.error


def _manifest(tmp_path: Path, text: str) -> Path:
    manifest = tmp_path / "m.csv"
    manifest.write_text(text)
    return manifest


@pytest.mark.parametrize("output", ["sess.nwb", "sess.csv"])
def test_an_output_of_another_input_of_the_same_shape_fails_its_row_untouched(tmp_path, output):
    """The manifest is corrected (sess is really b.h5): the output made from a.h5 is not
    this row's result, though its counts are b.h5's."""
    _dlc_input(tmp_path / "a.h5", ["mouse"], seed=1)
    other = _dlc_input(tmp_path / "b.h5", ["mouse"], seed=2)
    out = tmp_path / "out"
    kwargs = {"jobs": 1, "progress": False}
    first = convert_many(
        None, out, manifest=_manifest(tmp_path, f"input,output\na.h5,{output}\n"), **kwargs
    )
    assert first.ok, first.table()
    before = (out / output).read_bytes()

    manifest = _manifest(tmp_path, f"input,output\nb.h5,{output}\n")
    again = convert_many(None, out, manifest=manifest, command_line=True, **kwargs)

    (result,) = again.results
    assert result.status == "failed", again.table()
    assert "not this job's output" in result.error and "positions" in result.error
    assert "pass --overwrite to replace it" in result.error
    assert (out / output).read_bytes() == before
    redone = convert_many(None, out, manifest=manifest, overwrite=True, **kwargs)
    assert [r.status for r in redone.results] == ["ok"]
    np.testing.assert_allclose(_positions(out / output)[..., :1], other)


def test_an_nwb_output_recording_other_metadata_fails_its_row_naming_the_field(tmp_path):
    _dlc_input(tmp_path / "a.h5", ["mouse"], seed=1)
    out = tmp_path / "out"
    kwargs = {"template": "dandi", "jobs": 1, "progress": False}
    header = "input,subject_id,session_id,sex,age\n"
    written = _manifest(tmp_path, header + "a.h5,M1,s1,M,P90D\n")
    assert convert_many(None, out, manifest=written, **kwargs).ok
    (path,) = out.rglob("*.nwb")
    before = path.read_bytes()
    same = convert_many(None, out, manifest=written, **kwargs)
    assert [r.status for r in same.results] == ["skipped"], same.table()

    corrected = _manifest(tmp_path, header + "a.h5,M1,s1,F,P91D\n")
    again = convert_many(None, out, manifest=corrected, **kwargs)

    (result,) = again.results
    assert result.status == "failed", again.table()
    assert "sex 'M' in the file, 'F' asked" in result.error
    assert "pass overwrite" in result.error
    assert path.read_bytes() == before


def test_an_nwb_output_of_another_frame_rate_fails_its_row(tmp_path):
    _dlc_input(tmp_path / "a.h5", ["mouse"], seed=1)
    out = tmp_path / "out"
    kwargs = {"to": "nwb", "jobs": 1, "progress": False}
    assert convert_many([tmp_path / "a.h5"], out, **kwargs).ok  # frames as seconds

    with_rate = convert_many([tmp_path / "a.h5"], out, fps=30, **kwargs)
    (result,) = with_rate.results
    assert result.status == "failed", with_rate.table()
    assert "time in frames in the file, fps 30 asked" in result.error

    assert convert_many([tmp_path / "a.h5"], out, fps=30, overwrite=True, **kwargs).ok
    same = convert_many([tmp_path / "a.h5"], out, fps=30, **kwargs)
    assert [r.status for r in same.results] == ["skipped"], same.table()
    other = convert_many([tmp_path / "a.h5"], out, fps=25, **kwargs)
    assert "fps 30 in the file, fps 25 asked" in other.results[0].error
