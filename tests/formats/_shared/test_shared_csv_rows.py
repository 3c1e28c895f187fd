"""The row scan of plain CSV tables (formats/_shared/csv_rows.py): rows, offsets, frames."""

from __future__ import annotations

import numpy as np
import pytest

from posebridge.errors import FormatError
from posebridge.formats._shared import csv_rows
from posebridge.formats._shared.lazy import NotLazy


def _table(n: int, newline: str = "\n") -> str:
    return "".join(f"{k * 3},{k}.5,{-k}.25{newline}" for k in range(n))


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
@pytest.mark.parametrize("last_newline", [True, False])
def test_the_scan_finds_every_row_and_its_frame_number(
    tmp_path, monkeypatch, newline, last_newline
):
    monkeypatch.setattr(csv_rows, "SCAN_BYTES", 64)  # many steps, lines cut between them
    monkeypatch.setattr(csv_rows, "EVERY", 7)
    head = "a,b,c" + newline
    body = _table(100, newline)
    if not last_newline:
        body = body[: -len(newline)]
    path = tmp_path / "t.csv"
    path.write_bytes((head + body).encode())
    rows, frames = csv_rows.scan(path, len(head), 3, int_field=0)
    assert rows.n_rows == 100
    np.testing.assert_array_equal(frames, np.arange(100) * 3)
    lines = (body + ("" if last_newline else newline)).encode().splitlines(keepends=True)
    for low, high in [(0, 100), (5, 9), (7, 14), (93, 100), (99, 100), (40, 40)]:
        expected = b"".join(lines[low:high])
        if not last_newline and high == 100:
            expected = expected[: -len(newline)]
        assert csv_rows.row_bytes(rows, low, high) == expected, (low, high)


def test_the_scan_reads_the_last_column_too(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("x,fnum\n" + "".join(f"{k}.5,{k + 10}\n" for k in range(20)))
    _, frames = csv_rows.scan(path, len("x,fnum\n"), 2, int_field=1)
    np.testing.assert_array_equal(frames, np.arange(20) + 10)


@pytest.mark.parametrize(
    "body",
    [
        '0,"1.5",2\n1,2,3\n',  # quoted cells
        "0,1,2\n\n1,2,3\n",  # a blank line (pandas skips it)
        "0,1,2\n1,2\n",  # rows of different widths
        "0,1,2,3\n1,2\n",  # the same number of commas, not per row
        "0,1,2\r1,2,3\n",  # a lone carriage return
        "0,1,2\n1.0,2,3\n",  # a frame number that is not a plain integer
        "0,1,2\n-1,2,3\n",
        ",1,2\n",  # an empty frame cell
        "",  # no rows
    ],
)
def test_a_table_that_is_not_plain_is_not_scanned(tmp_path, body):
    path = tmp_path / "t.csv"
    path.write_text("a,b,c\n" + body)
    with pytest.raises(NotLazy):
        csv_rows.scan(path, len("a,b,c\n"), 3, int_field=0)


def test_a_file_changed_after_the_scan_is_refused(tmp_path):
    from posebridge.errors import FormatError

    path = tmp_path / "t.csv"
    path.write_text(_table(10))
    rows, _ = csv_rows.scan(path, 0, 3, int_field=0)
    path.write_text(_table(11))
    with pytest.raises(FormatError, match="changed"):
        csv_rows.row_bytes(rows, 0, 5)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"1,2,3\n4,5\n6,7,8\n", r"line 11: 2 cells where the header has 3\."),
        (b"1,2,3\n4,5,6,7\n", r"line 11: 4 cells where the header has 3\."),
        (b"1,2,3\n4,5", r"line 11: 2 cells where the header has 3; the file may be cut short"),
        # a quoted comma is no separator; a quoted line break still counts as a line
        (b'"a,b",2,3\n"c\nd",5\n7,8,9\n', r"line 11: 2 cells where the header has 3\."),
        (b"1,2,3\r\n4,5\r\n", r"line 11: 2 cells"),
    ],
)
def test_rows_of_another_width_are_refused_naming_their_line(tmp_path, data, message):
    path = tmp_path / "t.csv"
    with pytest.raises(FormatError, match=message) as error:
        csv_rows.refuse_wrong_widths(path, data, 3, first_line=10)
    assert str(path) in str(error.value)


@pytest.mark.parametrize(
    "data",
    [
        b"1,2,3\n4,5,6\n",
        b"1,2,3\n4,5,6",  # no final line break
        b"1,2,3\n\n\r\n4,5,6\n",  # blank lines are skipped, as pandas skips them
        b'"a,b",2,3\n"c\nd",5,6\n"e""f,",8,9\n',  # quoted commas, line breaks and quotes
        b"",
    ],
)
def test_rows_of_the_header_width_pass(tmp_path, data):
    csv_rows.refuse_wrong_widths(tmp_path / "t.csv", data, 3)


@pytest.mark.parametrize(
    ("line", "first", "found"),
    [
        ("scorer;DLC_net;DLC_net", "scorer", ";"),
        ("scorer\tDLC_net\tDLC_net", "scorer", "\t"),
        ("track ; frame_idx ; instance.score", "track", ";"),
        ("scorer,DLC_net", "scorer", None),  # commas: the format's own
        ("frame;x;y", "scorer", None),  # another first cell: not the format's
        ("scorer", "scorer", None),  # one cell: no delimiter at all
    ],
)
def test_other_delimiter_finds_semicolons_and_tabs(line, first, found):
    assert csv_rows.other_delimiter(line, first) == found


def test_refuse_other_delimiter_names_the_file_the_delimiter_and_the_fix():
    with pytest.raises(FormatError) as refused:
        csv_rows.refuse_other_delimiter("a.csv", "scorer;DLC_net", "scorer", "DLC CSV")
    message = str(refused.value)
    assert message.startswith("a.csv: line 1: looks ';'-delimited")
    assert "'scorer;DLC_net'" in message and "DLC CSV files are comma-separated" in message
    assert "decimal" in message
    csv_rows.refuse_other_delimiter("a.csv", "scorer,DLC_net", "scorer", "DLC CSV")  # passes
