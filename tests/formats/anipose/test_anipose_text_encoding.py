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
