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


@pytest.mark.parametrize(
    ("encoding", "bom", "looks", "where"),
    [
        ("cp1252", b"", "Latin-1/cp1252", "line 1 (byte 50): byte 0xDF"),
        ("utf-16-le", b"\xff\xfe", "UTF-16", "line 1 (byte 0): byte 0xFF"),
        ("utf-16-be", b"", "UTF-16", "line 1 (byte 0): a NUL byte"),
    ],
    ids=["cp1252", "utf16-bom", "utf16-be-no-bom"],
)
def test_a_file_or_folder_not_in_utf8_is_recognised_and_refused_naming_the_encoding(
    tmp_path, encoding: str, bom: bytes, looks: str, where: str
):
    """Detection said 'could not recognise the format' for the file and 'none of the
    formats that read folders recognised its files' for its folder."""
    text = TEXT.replace("missing\r\n", "missing,naße\r\n").replace(",0\r\n", ",0,1\r\n")
    path = _file(tmp_path, bom + text.encode(encoding))
    assert posebridge.detect(path) == "trex"
    assert posebridge.detect(tmp_path) == "trex"
    for source in (path, tmp_path):
        with pytest.raises(FormatError) as refused:
            posebridge.load(source)
        message = str(refused.value)
        assert message.startswith(f"{path}: {where}")
        assert looks in message and "save it as UTF-8" in message


@pytest.mark.parametrize(
    ("delimiter", "named"), [(";", "looks ';'-delimited"), ("\t", "looks tab-delimited")]
)
def test_a_file_saved_with_another_delimiter_is_recognised_and_refused_saying_so(
    tmp_path, delimiter: str, named: str
):
    """Detection said 'could not recognise the format'; with format='trex' the reader
    said 'line 2: 7 cells where the header has 1' (the decimal commas)."""
    path = _file(tmp_path, TEXT.replace(",", delimiter).replace(".", ",").encode())
    assert posebridge.detect(path) == "trex"
    assert posebridge.detect(tmp_path) == "trex"
    for source, forced in ((path, {"format": "trex"}), (path, {}), (tmp_path, {})):
        with pytest.raises(FormatError) as refused:
            posebridge.load(source, **forced)
        message = str(refused.value)
        assert message.startswith(f"{path}: line 1: {named}")
        assert "TRex CSV files are comma-separated" in message and "cells where" not in message
