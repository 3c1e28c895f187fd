"""SLEAP analysis CSV: track names that pandas would read as missing stay names.

SLEAP (``sleap/info/write_tracking_h5.py::write_csv_file``) writes an untracked
instance's ``track`` as Python ``None``, which ``DataFrame.to_csv`` writes as an empty
cell; a track it writes is its name, whatever the text. So only the empty cell means
"untracked", and ``nan``, ``NA``, ``None``, ... are real track names.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

import posebridge
from posebridge.errors import SchemaError
from posebridge.formats import sleap_csv

HEADER = "track,frame_idx,instance.score,a.x,a.y,a.score\n"

#: The strings pandas' read_csv takes for a missing value by default (its documented
#: ``na_values`` list), less the empty string: every one a possible track name.
PANDAS_MISSING = [
    "#N/A",
    "#N/A N/A",
    "#NA",
    "-1.#IND",
    "-1.#QNAN",
    "-NaN",
    "-nan",
    "1.#IND",
    "1.#QNAN",
    "<NA>",
    "N/A",
    "NA",
    "NULL",
    "NaN",
    "None",
    "n/a",
    "nan",
    "null",
]


def _file(folder: Path, rows: str) -> Path:
    path = folder / "tracks.analysis.csv"
    path.write_text(HEADER + rows, encoding="utf-8")
    return path


@pytest.mark.parametrize("name", PANDAS_MISSING)
def test_a_track_named_like_a_missing_value_keeps_its_name(tmp_path: Path, name: str):
    # frame 0: the odd name, a named track and an untracked row (SLEAP's empty cell)
    path = _file(tmp_path, f"{name},0,0.5,1,2,0.9\nbob,0,0.5,3,4,0.8\n,0,,5,6,\n")
    ds = posebridge.load(path)
    assert ds.individual.values.tolist() == [name, "bob", "untracked_0"]
    assert ds.position.sel(time=0, keypoint="a", individual=name).values.tolist() == [1, 2]
    assert ds.position.sel(time=0, keypoint="a", individual="untracked_0").values.tolist() == [
        5,
        6,
    ]
    assert float(ds.confidence.sel(time=0, keypoint="a", individual=name)) == 0.9


def test_a_track_named_nan_is_not_merged_with_the_untracked_rows(tmp_path: Path):
    # were 'nan' taken for untracked, frame 1's two rows would be untracked_0 and _1
    path = _file(tmp_path, "nan,0,,1,1,\nnan,1,,2,2,\n,1,,3,3,\n")
    ds = sleap_csv.read(path)
    assert ds.individual.values.tolist() == ["nan", "untracked_0"]
    assert ds.position.sel(time=1, keypoint="a").values.tolist() == [[2, 3], [2, 3]]


@pytest.mark.parametrize("cell", ["", '""'], ids=["empty", "quoted-empty"])
def test_only_an_empty_track_cell_is_untracked(tmp_path: Path, cell: str):
    path = _file(tmp_path, f"{cell},0,,1,2,\n")
    assert sleap_csv.read(path).individual.values.tolist() == ["untracked_0"]


def test_describe_lists_a_track_named_none(tmp_path: Path):
    path = _file(tmp_path, "None,0,,1,2,\n,0,,3,4,\n")
    said = dict(sleap_csv.describe(path))
    assert said["tracks"] == "None"
    assert said["untracked rows"] == "1"


def _dataset(names: list[str]):
    position = np.arange(2 * 2 * 1 * len(names), dtype=float).reshape(2, 2, 1, len(names))
    return posebridge.from_numpy(position, individual_names=names, keypoint_names=["a"])


@pytest.mark.parametrize("pyarrow", [True, False], ids=["pyarrow", "pandas"])
def test_tracks_named_like_missing_values_round_trip(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pyarrow: bool
):
    if not pyarrow:  # the writer's fallback when pyarrow is not installed
        monkeypatch.setitem(sys.modules, "pyarrow", None)
        monkeypatch.setitem(sys.modules, "pyarrow.csv", None)
    names = ["nan", "NA", "None", "null", "N/A", "<NA>", "untracked_0"]
    ds = _dataset(names)
    path = tmp_path / "back.analysis.csv"
    posebridge.save(ds, path)
    cells = [line.split(",")[0] for line in path.read_text().splitlines()[1 : 1 + len(names)]]
    assert cells == [*names[:-1], ""]  # untracked: an empty cell, as SLEAP
    back = posebridge.load(path)
    assert back.individual.values.tolist() == names
    np.testing.assert_array_equal(back.position.values, ds.position.values)


@pytest.mark.parametrize("name", ["", " "], ids=["empty", "blank"])
def test_the_writer_refuses_an_empty_track_name_naming_the_file(tmp_path: Path, name: str):
    # SLEAP writes an empty cell for "untracked": an empty name could not come back
    path = tmp_path / "empty.analysis.csv"
    with pytest.raises(SchemaError, match=r"empty\.analysis\.csv.*individual name is empty"):
        posebridge.save(_dataset([name, "bob"]), path)
    assert not path.exists()


def test_the_reorder_warning_says_untracked_names_come_back_by_rank(tmp_path):
    """The warning said untracked_5 reads back under that name: it reads back by its rank
    in the frame (untracked_0); and it printed a name of thousands of digits in full."""
    huge = "untracked_" + "9" * 5000
    ds = posebridge.from_numpy(
        np.ones((2, 2, 1, 3)),
        individual_names=["untracked_5", "mouse", huge],
        keypoint_names=["a"],
    )
    path = tmp_path / "u.analysis.csv"
    with pytest.warns(UserWarning, match="named by their rank in each frame") as caught:
        posebridge.save(ds, path, "sleap-csv")
    (message,) = [str(w.message) for w in caught if "rank" in str(w.message)]
    assert len(message) < 1000
    back = posebridge.load(path)
    assert back.individual.values.tolist() == ["mouse", "untracked_0", "untracked_1"]
