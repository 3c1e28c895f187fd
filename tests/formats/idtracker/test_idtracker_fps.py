"""idtracker.ai frame rates: attributes.json's ``frames_per_second`` against the CSV
export's own time column."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pytest

import posebridge


def csv_export(folder: Path, rate: float, n: int = 20) -> Path:
    """A CSV export with a time column written as idtracker.ai does (arange(n) / fps, 3
    decimals)."""
    times = np.round(np.arange(n) / rate, 3)
    xy = np.arange(n * 4, dtype=float).reshape(n, 4)
    path = folder / "trajectories.csv"
    np.savetxt(
        path, np.column_stack([times, xy]), delimiter=",", fmt="%.3f", comments="",
        header="seconds,x1,y1,x2,y2",
    )  # fmt: skip
    return path


def test_attributes_fps_that_contradicts_the_time_column_is_said_and_the_times_rule(
    tmp_path: Path,
):
    path = csv_export(tmp_path, 28.0)
    (tmp_path / "attributes.json").write_text(json.dumps({"frames_per_second": 50}))
    with pytest.warns(UserWarning, match=r"attributes\.json: frames_per_second is 50.*28 fps"):
        ds = posebridge.load(path)
    assert ds.attrs["fps"] == 28.0  # the rate the times were written at
    np.testing.assert_array_equal(ds.time.values, np.round(np.arange(20) / 28.0, 3))
    assert ds.frame.values.tolist() == list(range(20))

    agreeing = tmp_path / "agreeing"  # a rate with decimals, to the times' 3 decimals
    agreeing.mkdir()
    path = csv_export(agreeing, 29.97)
    (agreeing / "attributes.json").write_text(json.dumps({"frames_per_second": 29.97}))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert posebridge.load(path).attrs["fps"] == 29.97


@pytest.mark.parametrize("bad", [0, -28, float("nan"), "28", True])
def test_a_frames_per_second_that_is_no_positive_number_is_said_not_used(
    tmp_path: Path, bad: object
):
    trajectories = np.arange(5 * 2 * 2, dtype=float).reshape(5, 2, 2)
    path = tmp_path / "trajectories.npy"
    found = {"trajectories": trajectories, "frames_per_second": bad}
    np.save(path, np.array(found, dtype=object), allow_pickle=True)
    with pytest.warns(UserWarning, match=rf"trajectories\.npy: frames_per_second is {bad!r}"):
        ds = posebridge.load(path)
    assert ds.attrs["time_unit"] == "frames" and "fps" not in ds.attrs
    assert ds.time.values.tolist() == list(range(5))


def test_a_bad_frames_per_second_of_attributes_json_names_that_file(tmp_path: Path):
    path = csv_export(tmp_path, 28.0)
    (tmp_path / "attributes.json").write_text(json.dumps({"frames_per_second": -28}))
    with pytest.warns(UserWarning, match=r"attributes\.json: frames_per_second is -28;"):
        ds = posebridge.load(path)
    assert ds.attrs["fps"] == 28.0  # the time column's own rate


def test_a_frames_per_second_not_used_says_fps_as_the_command_line_gives_it(tmp_path: Path):
    """It said "give fps= for seconds" on the command line too, where the flag is --fps,
    and asked for it when it was given (h151 item 1): it says what a rate given does."""
    from posebridge.errors import worded_for_command_line

    trajectories = np.arange(5 * 2 * 2, dtype=float).reshape(5, 2, 2)
    path = tmp_path / "trajectories.npy"
    found = {"trajectories": trajectories, "frames_per_second": 0}
    np.save(path, np.array(found, dtype=object), allow_pickle=True)
    with pytest.warns(UserWarning, match=r"\(fps=, when given, makes it seconds\)") as caught:
        posebridge.load(path)
    (warning,) = [w.message for w in caught if "frames_per_second is" in str(w.message)]
    worded = worded_for_command_line(warning)
    assert "(--fps, when given, makes it seconds)" in worded and "fps=" not in worded
