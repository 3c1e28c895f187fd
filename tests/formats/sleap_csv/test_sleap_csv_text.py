"""SLEAP analysis CSV files re-saved by other programs: delimiters, padded header cells,
encodings.

(One Ctrl-Z after the last line, and NUL bytes there, are tested for every CSV
reader in tests/formats/_shared/test_shared_text_bytes.py.)
"""

from __future__ import annotations

import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

import posebridge
from posebridge.errors import FormatError
from posebridge.formats import sleap_csv

HEADER = "track,frame_idx,instance.score,nose.x,nose.y,nose.score,tail.x,tail.y,tail.score"
ROWS = "mouse1,0,0.5,1.5,2.5,0.9,3.5,4.5,0.8\nmouse1,2,0.75,5.5,6.5,0.7,,,\n"


@pytest.fixture
def saved(tmp_path: Path) -> tuple[Path, xr.Dataset]:
    """A SLEAP CSV and what it reads as."""
    path = tmp_path / "labels.000_video.analysis.csv"
    path.write_text(HEADER + "\n" + ROWS, encoding="utf-8")
    return path, sleap_csv.read(path)


def _same(back: xr.Dataset, expected: xr.Dataset) -> None:
    xr.testing.assert_identical(back.drop_attrs(), expected.drop_attrs())


@pytest.mark.parametrize(("delimiter", "said"), [(";", "';'-delimited"), ("\t", "tab-delimited")])
def test_a_csv_with_another_delimiter_is_recognised_and_refused_saying_so(saved, delimiter, said):
    """It was 'could not recognise the format' (detection) or 'starts with the columns
    track, frame_idx, instance.score; found track;frame_idx;...' (format=)."""
    path, _ = saved
    decimal = "," if delimiter == ";" else "."
    text = "\r\n".join(
        delimiter.join(cell.replace(".", decimal) if cell[:1].isdigit() else cell for cell in row)
        for row in (line.split(",") for line in (HEADER + "\n" + ROWS).splitlines())
    )
    path.write_text(text + "\r\n", encoding="utf-8")
    assert posebridge.detect(path) == "sleap-csv"
    for forced in ({"format": "sleap-csv"}, {}):
        with pytest.raises(FormatError) as refused:
            posebridge.load(path, **forced)
        message = str(refused.value)
        assert message.startswith(f"{path}: line 1: looks {said}"), message
        assert "SLEAP analysis CSV files are comma-separated" in message


def test_posebridge_info_names_the_delimiter_of_a_semicolon_csv(saved):
    path, _ = saved
    path.write_text((HEADER + "\n" + ROWS).replace(",", ";"), encoding="utf-8")
    shown = subprocess.run(
        [sys.executable, "-m", "posebridge", "info", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    output = " ".join((shown.stdout + shown.stderr).split())
    assert "could not recognise" not in output
    assert "sleap-csv" in output and "';'-delimited" in output


@pytest.mark.parametrize(
    "header",
    [
        HEADER.replace(",", ", "),  # a script joining cells with ", "
        HEADER.replace(",", " ,") + " ",  # spreadsheet cells typed with a trailing space
        HEADER.replace("frame_idx", "frame_idx "),  # one fixed word padded
        HEADER.replace(",", ",\t"),
    ],
    ids=["after-commas", "before-commas", "one-cell", "tabs"],
)
def test_a_header_padded_with_blanks_reads_as_without_them(saved, header):
    """It was refused: 'starts with the columns track, frame_idx, instance.score; found
    track,  frame_idx,  instance.score' (the blanks hard to see), though detected."""
    path, expected = saved
    path.write_text(header + "\n" + ROWS, encoding="utf-8")
    assert posebridge.detect(path) == "sleap-csv"
    back = posebridge.load(path)
    _same(back, expected)
    assert list(back.keypoint.values) == ["nose", "tail"]
    assert dict(sleap_csv.describe(path))["nodes"] == "nose, tail"


def test_a_node_name_that_begins_with_a_blank_keeps_it_when_the_header_is_not_padded(
    tmp_path: Path,
):
    """SLEAP writes node ' nose' as ' nose.x'; the CSV then reads as its analysis .h5."""
    ds = posebridge.from_numpy(
        np.arange(12, dtype=float).reshape(3, 2, 2, 1) + 0.5,
        np.full((3, 2, 1), 0.5),
        keypoint_names=[" nose", "tail "],
        individual_names=["mouse1"],
    )
    (path,) = posebridge.save(ds, tmp_path / "p.analysis.csv", format="sleap-csv")
    assert path.read_text().startswith("track,frame_idx,instance.score, nose.x,")
    back = posebridge.load(path)
    assert list(back.keypoint.values) == [" nose", "tail "]
    (h5,) = posebridge.save(ds, tmp_path / "p.analysis.h5", format="sleap")
    _same(back, posebridge.load(h5))


@pytest.mark.parametrize(
    ("encoding", "looks"),
    [("cp1252", "Latin-1/cp1252"), ("utf-16", "UTF-16"), ("utf-16-le", "UTF-16")],
)
def test_a_csv_in_another_encoding_is_recognised_and_refused_naming_it(saved, encoding, looks):
    """Detection said 'could not recognise the format'; the reader names line and byte."""
    path, _ = saved
    path.write_bytes((HEADER + "\n" + ROWS).replace("nose", "naße").encode(encoding))
    assert posebridge.detect(path) == "sleap-csv"
    with pytest.raises(FormatError) as refused:
        posebridge.load(path)
    message = str(refused.value)
    assert message.startswith(f"{path}: line 1 (byte ") and looks in message
    assert "save it as UTF-8" in message


def test_a_file_cut_inside_its_last_value_is_read_with_a_warning(tmp_path):
    """h154: a copy cut inside its last cell read silently (a score of 0.4615 read as 0);
    DeepLabCut's, LightningPose's and Anipose's CSV readers warn, and now so does this one."""
    ds = posebridge.from_numpy(
        np.full((3, 2, 2, 1), 12.5),
        np.full((3, 2, 1), 0.4615),
        keypoint_names=["nose", "tail"],
        individual_names=["track_0"],
    )
    whole = tmp_path / "whole.analysis.csv"
    posebridge.save(ds, whole, "sleap-csv")
    text = whole.read_bytes()
    assert text.endswith(b"0.4615\n")
    cut = tmp_path / "cut.analysis.csv"
    cut.write_bytes(text[: -len(b"615\n")])  # the last score is now "0.4"

    with pytest.warns(UserWarning, match="its last line has no line end") as caught:
        posebridge.load(cut)
    assert str(cut) in str(caught[0].message) and "SLEAP" in str(caught[0].message)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        back = posebridge.load(whole)  # an ended file: no warning
    assert back.confidence.values[-1, -1, 0] == 0.4615
