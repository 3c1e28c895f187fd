"""VIA tracks files saved in another encoding than UTF-8: recognised, and refused naming
the line, the byte and the encoding.

(One Ctrl-Z after the last line, and NUL bytes there, are tested for every CSV
reader in tests/formats/_shared/test_shared_text_bytes.py.)
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np
import pytest

import posebridge
from posebridge.errors import FormatError


@pytest.mark.parametrize(
    ("encoding", "looks"),
    [("cp1252", "Latin-1/cp1252"), ("utf-16", "UTF-16"), ("utf-16-le", "UTF-16")],
)
def test_a_file_in_another_encoding_is_recognised_and_refused_naming_it(
    tmp_path: Path, encoding: str, looks: str
):
    """Detection said 'could not recognise the format' (UTF-16 without a byte-order
    mark: not even that it is UTF-16)."""
    poses = posebridge.from_numpy(np.random.default_rng(2).uniform(1, 9, (3, 2, 2, 1)))
    (path,) = posebridge.save(posebridge.boxes_from_poses(poses), tmp_path / "t.csv")
    text = path.read_text(encoding="utf-8").replace(".", "é.", 1)
    path.write_bytes(text.encode(encoding))
    assert posebridge.detect(path) == "via"
    with pytest.raises(FormatError) as refused:
        posebridge.load(path)
    message = str(refused.value)
    assert message.startswith(f"{path}: line ") and "(byte " in message
    assert looks in message and "save it as UTF-8" in message


@pytest.mark.parametrize(
    ("delimiter", "named"), [(";", "looks ';'-delimited"), ("\t", "looks tab-delimited")]
)
def test_a_file_saved_with_another_delimiter_is_recognised_and_refused_saying_so(
    tmp_path: Path, delimiter: str, named: str
):
    """It was "line 1: expected the VIA tracks header 'filename,file_size,...', found
    'filename;file_size;...'" (format='via'), and 'could not recognise the format'."""
    poses = posebridge.from_numpy(np.random.default_rng(2).uniform(1, 9, (3, 2, 2, 1)))
    (path,) = posebridge.save(posebridge.boxes_from_poses(poses), tmp_path / "t.csv")
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    text = io.StringIO()
    csv.writer(text, delimiter=delimiter).writerows(rows)  # as a spreadsheet saves it
    path.write_text(text.getvalue().replace(".", ","), encoding="utf-8")
    assert posebridge.detect(path) == "via"
    for forced in ({"format": "via"}, {}):
        with pytest.raises(FormatError) as refused:
            posebridge.load(path, **forced)
        message = str(refused.value)
        assert message.startswith(f"{path}: line 1: {named}")
        assert "VIA tracks CSV files are comma-separated" in message
        assert "expected the VIA tracks header" not in message


def _boxes_file(tmp_path: Path) -> Path:
    poses = posebridge.from_numpy(np.random.default_rng(4).uniform(1, 9, (4, 2, 2, 2)))
    (path,) = posebridge.save(posebridge.boxes_from_poses(poses), tmp_path / "t.csv")
    return path


def test_lines_ending_in_a_doubled_carriage_return_read_as_lines(tmp_path: Path):
    """csv.writer's \\r\\n through a file opened in text mode on Windows is \\r\\r\\n: pandas
    and movement read each as one line end; it was refused as 'classic Mac OS' line ends."""
    path = _boxes_file(tmp_path)
    expected = posebridge.load(path)
    doubled = tmp_path / "doubled.csv"
    doubled.write_bytes(path.read_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r\r\n"))
    assert posebridge.detect(doubled) == "via"
    found = posebridge.load(doubled)
    np.testing.assert_array_equal(found.position.values, expected.position.values)
    np.testing.assert_array_equal(found.shape.values, expected.shape.values)
    assert found.individual.values.tolist() == expected.individual.values.tolist()


def test_a_short_row_among_doubled_line_ends_is_named_by_its_line(tmp_path: Path):
    path = _boxes_file(tmp_path)
    lines = path.read_bytes().replace(b"\r\n", b"\n").split(b"\n")
    lines[2] = lines[2].rsplit(b",", 1)[0]  # line 3 loses its last cell
    path.write_bytes(b"\r\r\n".join(lines))
    with pytest.raises(FormatError, match=r"line 3\b"):
        posebridge.load(path)
