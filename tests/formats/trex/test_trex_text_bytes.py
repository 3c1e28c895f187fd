"""TRex CSV exports re-saved by other programs: line ends, encodings, end-of-file bytes."""

from __future__ import annotations

from pathlib import Path

import pytest
import xarray as xr

import posebridge
from posebridge.errors import FormatError

TEXT = (
    "frame,X#wcentroid (cm),Y#wcentroid (cm),missing\r\n"
    "0,1.5,2.5,0\r\n1,3.5,4.5,0\r\n2,5.5,6.5,0\r\n"
)


def _file(tmp_path: Path, data: bytes) -> Path:
    path = tmp_path / "clip_fish0.csv"
    path.write_bytes(data)
    return path


def test_lines_ending_in_a_carriage_return_alone_are_refused_saying_how_to_save(tmp_path):
    path = _file(tmp_path, TEXT.replace("\r\n", "\r").encode())
    for forced in ({"format": "trex"}, {}):
        with pytest.raises(FormatError, match="carriage return alone") as refused:
            posebridge.load(path, **forced)
        assert "header columns" not in str(refused.value)


def test_a_dos_end_of_file_marker_after_the_last_line_is_left_out(tmp_path):
    expected = posebridge.load(_file(tmp_path, TEXT.encode()), format="trex")
    (tmp_path / "eof").mkdir()
    path = _file(tmp_path / "eof", TEXT.encode() + b"\x1a")
    for forced in ({"format": "trex"}, {}):
        back = posebridge.load(path, **forced)
        xr.testing.assert_identical(back.drop_attrs(), expected.drop_attrs())


def test_a_nul_after_the_last_line_is_refused_as_damage(tmp_path):
    path = _file(tmp_path, TEXT.encode() + b"\x00")
    for forced in ({"format": "trex"}, {}):
        with pytest.raises(FormatError, match="NUL byte after its last line") as refused:
            posebridge.load(path, **forced)
        assert str(path) in str(refused.value)


@pytest.mark.parametrize(
    ("encoding", "bom", "byte"),
    [
        ("utf-16-le", b"\xff\xfe", "0xFF"),
        ("utf-16-be", b"\xfe\xff", "0xFE"),
        ("utf-16-le", b"", "NUL"),
    ],
)
def test_utf16_text_is_named_with_its_line_byte_and_encoding(
    tmp_path, encoding: str, bom: bytes, byte: str
):
    path = _file(tmp_path, bom + TEXT.encode(encoding))
    with pytest.raises(FormatError) as refused:
        posebridge.load(path, format="trex")
    message = str(refused.value)
    assert "line 1 " in message and byte in message and "UTF-16" in message
    assert "UTF-8" in message
