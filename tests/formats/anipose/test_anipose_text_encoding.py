"""Anipose CSV files re-saved by other programs: line ends, encodings, end-of-file bytes.

Each file is written by posebridge and its bytes re-encoded as Excel, Notepad
or an old DOS program would save them.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import xarray as xr

import posebridge
from posebridge.errors import FormatError


@pytest.fixture
def saved(tmp_path: Path) -> tuple[Path, xr.Dataset]:
    """An Anipose file with a keypoint name that is not ASCII, and what it reads as."""
    ds = posebridge.from_numpy(
        np.arange(4 * 3 * 2, dtype=float).reshape(4, 3, 2, 1), keypoint_names=["naße", "tail"]
    )
    path = tmp_path / "pose.csv"
    posebridge.save(ds, path, format="anipose")
    return path, posebridge.load(path, format="anipose")


def test_lines_ending_in_a_carriage_return_alone_are_refused_saying_how_to_save(saved):
    path, _ = saved
    path.write_bytes(path.read_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r"))
    for forced in ({"format": "anipose"}, {}):
        with pytest.raises(FormatError, match="carriage return alone") as refused:
            posebridge.load(path, **forced)
        assert "posebridge error" not in str(refused.value)


def test_a_dos_end_of_file_marker_after_the_last_line_is_left_out(saved):
    path, expected = saved
    path.write_bytes(path.read_bytes() + b"\x1a")
    for forced in ({"format": "anipose"}, {}):
        back = posebridge.load(path, **forced)
        xr.testing.assert_identical(back.drop_attrs(), expected.drop_attrs())


def test_a_nul_after_the_last_line_is_refused_as_damage(saved):
    path, _ = saved
    path.write_bytes(path.read_bytes() + b"\x00")
    for forced in ({"format": "anipose"}, {}):  # detection sees the text before the NUL
        with pytest.raises(FormatError, match="NUL byte after its last line") as refused:
            posebridge.load(path, **forced)
        assert str(path) in str(refused.value)


@pytest.mark.parametrize(
    ("encoding", "bom", "looks", "byte"),
    [
        ("cp1252", b"", "cp1252", "0xDF"),
        ("utf-16-le", b"\xff\xfe", "UTF-16", "0xFF"),
        ("utf-16-be", b"\xfe\xff", "UTF-16", "0xFE"),
        ("utf-16-le", b"", "UTF-16", "NUL"),
    ],
)
def test_text_not_in_utf8_is_named_with_its_line_byte_and_encoding(
    saved, encoding: str, bom: bytes, looks: str, byte: str
):
    path, _ = saved
    path.write_bytes(bom + path.read_bytes().decode().encode(encoding))
    with pytest.raises(FormatError) as refused:
        posebridge.load(path, format="anipose")
    message = str(refused.value)
    assert "not a text file" not in message
    assert "line 1 " in message and byte in message and looks in message and "UTF-8" in message


@pytest.mark.parametrize(
    ("encoding", "bom", "looks", "where"),
    [
        ("cp1252", b"", "Latin-1/cp1252", "line 1 (byte 2): byte 0xDF"),
        ("utf-16-le", b"\xff\xfe", "UTF-16", "line 1 (byte 0): byte 0xFF"),
        ("utf-16-le", b"", "UTF-16", "line 1 (byte 1): a NUL byte"),
    ],
    ids=["cp1252", "utf16-bom", "utf16-no-bom"],
)
def test_text_not_in_utf8_is_recognised_and_refused_naming_line_byte_and_encoding(
    saved, encoding: str, bom: bytes, looks: str, where: str
):
    """Detection said 'could not recognise the format' (for UTF-16 with a byte-order
    mark, only that it is UTF-16)."""
    path, _ = saved
    path.write_bytes(bom + path.read_bytes().decode().encode(encoding))
    assert posebridge.detect(path) == "anipose"
    with pytest.raises(FormatError) as refused:
        posebridge.load(path)
    message = str(refused.value)
    assert message.startswith(f"{path}: {where}")
    assert looks in message and "save it as UTF-8" in message


@pytest.mark.parametrize(
    ("delimiter", "named"), [(";", "looks ';'-delimited"), ("\t", "looks tab-delimited")]
)
def test_a_file_saved_with_another_delimiter_is_recognised_and_refused_saying_so(
    saved, delimiter: str, named: str
):
    """Detection said 'could not recognise the format'; with format='anipose' the
    reader said 'line 2: ... cells where the header has 1' (the decimal commas)."""
    path, _ = saved
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace(",", delimiter).replace(".", ","), encoding="utf-8")
    assert posebridge.detect(path) == "anipose"
    for forced in ({"format": "anipose"}, {}):
        with pytest.raises(FormatError) as refused:
            posebridge.load(path, **forced)
        message = str(refused.value)
        assert message.startswith(f"{path}: line 1: {named}")
        assert "Anipose CSV files are comma-separated" in message and "cells where" not in message
