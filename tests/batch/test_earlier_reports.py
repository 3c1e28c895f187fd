"""An earlier batch report kept in the folder a batch reads (or matched by its glob) is
the batch's output, not an input: it is left out and listed as ignored, saying why,
whether or not the next run names it again."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest

import posebridge
from posebridge.batch import convert_many
from posebridge.batch.report import is_batch_report


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """``tmp_path / "data"``: one small netCDF pose file."""
    data = tmp_path / "data"
    data.mkdir()
    ds = posebridge.from_numpy(
        np.random.default_rng(4).uniform(0, 100, size=(8, 2, 2, 1)),
        keypoint_names=["nose", "tail"],
        fps=30,
    )
    posebridge.save(ds, data / "a.nc")
    return data


@pytest.mark.parametrize("name", ["batch_report.csv", "batch_report.json"])
def test_a_report_kept_in_the_folder_read_is_left_out_of_the_next_run(tmp_path, folder, name):
    from posebridge.batch.inputs import EARLIER_REPORT_REASON

    first = convert_many(folder, tmp_path / "out", to="nc", jobs=1, report=folder / name)
    assert first.ok and first.ignored == [], first.table()

    again = convert_many(folder, tmp_path / "out", to="nc", jobs=1)  # report not named

    assert again.counts == {"ok": 0, "failed": 0, "skipped": 1}, again.table()
    kept = str((folder / name).absolute())
    assert again.ignored == [kept]
    assert again.ignored_reasons == {kept: EARLIER_REPORT_REASON}
    assert f"ignored {name}: an earlier batch report" in again.table()
    again.write(tmp_path / "second.csv")
    with open(tmp_path / "second.csv", newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["source"], r["status"], r["error"]) for r in rows[1:]] == [
        (kept, "ignored", EARLIER_REPORT_REASON)
    ]
    again.write(tmp_path / "second.json")
    written = json.loads((tmp_path / "second.json").read_text())
    assert written["ignored"] == [kept]
    assert written["ignored_reasons"] == {kept: EARLIER_REPORT_REASON}
    assert is_batch_report(tmp_path / "second.json")  # still a report, with its new key


def test_a_glob_leaves_out_the_reports_it_matches(tmp_path, folder):
    convert_many(folder, tmp_path / "out", to="nc", jobs=1, report=folder / "r.csv")

    again = convert_many(str(folder / "*.*"), tmp_path / "out", to="nc", jobs=1)

    assert again.counts == {"ok": 0, "failed": 0, "skipped": 1}, again.table()
    assert again.ignored == [str((folder / "r.csv").absolute())]


def test_the_report_a_run_names_again_is_replaced_and_not_listed_as_ignored(tmp_path, folder):
    report = folder / "r.json"
    convert_many(folder, tmp_path / "out", to="nc", jobs=1, report=report)

    again = convert_many(folder, tmp_path / "out", to="nc", jobs=1, report=report)

    assert again.counts == {"ok": 0, "failed": 0, "skipped": 1}, again.table()
    assert again.ignored == [] and json.loads(report.read_text())["ignored"] == []


def test_a_json_report_whose_keys_are_in_another_order_is_still_a_report(tmp_path):
    report = tmp_path / "r.json"
    report.write_text(json.dumps({"results": [], "seconds": 0.5, "counts": {}}))
    coco_like = tmp_path / "c.json"
    coco_like.write_text(json.dumps({"images": [], "counts": {}, "seconds": 0, "results": []}))

    assert is_batch_report(report)
    assert not is_batch_report(coco_like)
