"""Warnings raised while a batch converts are kept: in each input's result, the summary
table's note, and the JSON and CSV reports (a worker's output is seen by no one)."""

from __future__ import annotations

import csv
import json
import warnings
from pathlib import Path

import numpy as np
import pytest

import posebridge
from posebridge.batch import Result, convert_many
from posebridge.batch.report import BatchReport, is_batch_report


def _input_with_categories(folder: Path) -> Path:
    """A netCDF pose file whose instances have a category (over two lines): DeepLabCut
    has no place for it, so converting to DeepLabCut warns."""
    folder.mkdir(exist_ok=True)
    ds = posebridge.from_numpy(
        np.random.default_rng(3).uniform(0, 100, size=(6, 2, 2, 2)),
        keypoint_names=["nose", "tail"],
        individual_names=["a", "b"],
        fps=30,
    )
    ds["category"] = (("time", "individual"), np.full((6, 2), "mouse\n  big", dtype=object))
    return posebridge.save(ds, folder / "cat.nc")[0]


def test_a_warning_of_the_conversion_is_in_the_result_the_table_and_the_reports(tmp_path):
    source = _input_with_categories(tmp_path / "in")

    with warnings.catch_warnings(record=True) as shown:
        warnings.simplefilter("always")
        report = convert_many(
            source, tmp_path / "out", to="dlc", jobs=1, progress=False, report=tmp_path / "r.json"
        )
    report.write(tmp_path / "r.csv")

    assert report.counts["ok"] == 1, report.table()
    (result,) = report.results
    assert len(result.warnings) == 1
    message = result.warnings[0]
    assert "DeepLabCut holds no categories" in message and "(mouse big)" in message
    assert f"1 warning: {message}"[:100] in report.table()
    assert json.loads((tmp_path / "r.json").read_text())["results"][0]["warnings"] == [message]
    with open(tmp_path / "r.csv", newline="", encoding="utf-8") as handle:
        (row,) = csv.DictReader(handle)
    assert json.loads(row["warnings"]) == [message]
    assert not [w for w in shown if "categories" in str(w.message)]  # kept, not shown twice


def test_warnings_are_kept_once_each_in_the_order_first_raised_on_one_line_each():
    from posebridge.batch.job import _warning_messages

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for text in ("second\n  line", "first", "second line", "first", "third"):
            warnings.warn(text, UserWarning, stacklevel=1)

    assert _warning_messages(caught) == ["second line", "first", "third"]


def test_the_table_counts_the_warnings_and_shows_the_first():
    report = BatchReport(
        [Result("a.h5", "a.nwb", "ok", outputs=["a.nwb"], warnings=["one", "two", "three"])]
    )

    assert "3 warnings: one" in report.table()
    assert "two" not in report.table()


@pytest.mark.parametrize("left_out", [("warnings",), ("note", "warnings")])
def test_a_csv_report_written_before_results_had_warnings_is_a_batch_report(tmp_path, left_out):
    fields = [f for f in Result.__dataclass_fields__ if f not in left_out]
    report = tmp_path / "report.csv"
    report.write_text(",".join(fields) + "\n" + ",".join("" for _ in fields) + "\n")

    assert is_batch_report(report)


def test_a_command_line_batch_words_the_advice_of_its_warnings_with_the_flags():
    """A job's warnings went to the report as Python said them ("read them back with
    image_size=(40, 32)") where its errors named the command line's flags."""
    from posebridge.batch.job import _warning_messages
    from posebridge.errors import with_command_line_wording

    advice = with_command_line_wording(
        UserWarning("read them back with image_size=(40, 32)."),
        {"image_size=(40, 32)": "--read-option 'image_size=[40,32]'"},
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        warnings.warn(advice, stacklevel=1)

    assert _warning_messages(caught) == ["read them back with image_size=(40, 32)."]
    assert _warning_messages(caught, command_line=True) == [
        "read them back with --read-option 'image_size=[40,32]'."
    ]
