"""The shared checks of text inputs: line ends, NUL and Ctrl-Z at the end, encodings.

Every CSV reader that calls ``text_size`` (DeepLabCut, LightningPose, SLEAP
CSV, VIA among them) refuses NUL bytes at a file's end clearly, instead of
reading them as a short last row, and reads one Ctrl-Z after the last line
(an old DOS end-of-file marker) as the end of the file.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import xarray as xr

import posebridge
from posebridge._files import Peek
from posebridge.errors import FormatError
from posebridge.formats._shared.text_bytes import (
    first_bad_utf8,
    looks_utf16,
    loose_first_line,
    not_utf8_message,
    refuse_not_utf8,
    text_end,
    text_size,
)


def _poses() -> object:
    rng = np.random.default_rng(7)
    return posebridge.from_numpy(rng.uniform(1, 9, (3, 2, 2, 1)), keypoint_names=["a", "b"])


@pytest.fixture(params=["dlc", "sleap-csv", "via"])
def saved_csv(request, tmp_path: Path) -> tuple[Path, str]:
    """A CSV file of another family's reader, written by posebridge."""
    name = request.param
    ds = posebridge.boxes_from_poses(_poses()) if name == "via" else _poses()
    path = tmp_path / f"out_{name}.csv"
    written = posebridge.save(ds, path, format=name)
    return Path(written[0]) if isinstance(written, list) else path, name


@pytest.mark.parametrize(
    ("tail", "message"),
    [(b"\x00", "NUL byte after its last line"), (b"\x1a\x1a", "2 Ctrl-Z bytes")],
    ids=["nul", "two-ctrl-z"],
)
def test_csv_readers_refuse_a_nul_or_ctrl_z_bytes_after_the_last_line(saved_csv, tail, message):
    path, name = saved_csv
    posebridge.load(path, format=name)  # reads before the change
    path.write_bytes(path.read_bytes() + tail)
    with pytest.raises(FormatError, match=message) as refused:
        posebridge.load(path, format=name)
    assert "may be cut short" not in str(refused.value) and "cells" not in str(refused.value)
    assert str(path) in str(refused.value)


def test_csv_readers_read_one_ctrl_z_after_the_last_line_as_the_end_of_the_file(saved_csv):
    """DeepLabCut, SLEAP CSV and VIA refused it ('this reader does not skip it')."""
    path, name = saved_csv
    expected = posebridge.load(path, format=name)
    path.write_bytes(path.read_bytes() + b"\x1a")
    for forced in ({"format": name}, {}):
        back = posebridge.load(path, **forced)
        xr.testing.assert_identical(back.drop_attrs(), expected.drop_attrs())


def test_text_size_leaves_out_one_end_of_file_marker_after_the_last_line(tmp_path: Path):
    path = tmp_path / "t.csv"
    path.write_bytes(b"a,b\r\n1,2\r\n\x1a")
    assert text_size(path) == path.stat().st_size - 1
    with pytest.raises(FormatError, match="does not skip"):
        text_size(path, eof_marker=False)


@pytest.mark.parametrize("data", [b"a,b\n1,2\x1a", b"a,b\n1,2\n\x1a\x1a"])
def test_a_ctrl_z_that_is_not_one_marker_after_a_line_end_is_refused(tmp_path, data):
    path = tmp_path / "t.csv"
    path.write_bytes(data)
    with pytest.raises(FormatError, match="Ctrl-Z"):
        text_size(path)


def test_nul_bytes_at_the_end_of_a_long_file_are_counted(tmp_path: Path):
    path = tmp_path / "t.csv"
    path.write_bytes(b"a,b\n" + b"1,2\n" * 50_000 + b"\x00" * 5)
    with pytest.raises(FormatError, match=r"NUL byte after its last line \(5 NUL"):
        text_size(path)


def test_text_size_allows_lone_carriage_returns_when_asked(tmp_path: Path):
    path = tmp_path / "t.csv"
    path.write_bytes(b"a,b\r1,2\r\x1a")
    assert text_size(path, lone_carriage_returns=True) == path.stat().st_size - 1
    with pytest.raises(FormatError, match="carriage return alone"):
        text_size(path)


@pytest.mark.parametrize(
    ("line_end", "said"),
    [
        (b"\r\r\n", r"line 1: its lines end in \\r\\r\\n"),
        (b"\r", "line 1: its lines end in a carriage return alone"),
    ],
)
def test_the_line_ends_of_a_first_line_longer_than_the_head_are_checked(
    tmp_path: Path, line_end: bytes, said: str
):
    """Only the first 64 KiB were looked at: a first line longer than that (a wide CSV
    header) hid its line ends, and the reader failed later with a message about another
    thing (data rows that are not numbers)."""
    path = tmp_path / "t.csv"
    first = b",".join([b"a_column_name_" + str(n).encode() for n in range(10_000)])
    assert len(first) > 1 << 16
    path.write_bytes(line_end.join([first, b"1,2", b"3,4"]) + line_end)
    with pytest.raises(FormatError, match=said):
        text_size(path)
    path.write_bytes(b"\r\n".join([first, b"1,2", b"3,4"]) + b"\r\n")
    assert text_size(path) == path.stat().st_size  # \r\n lines pass


def test_peek_text_recognises_a_short_file_that_ends_in_nul_bytes(tmp_path: Path):
    path = tmp_path / "pose.csv"
    posebridge.save(_poses(), path, format="dlc")
    path.write_bytes(path.read_bytes() + b"\x00\x00")
    assert posebridge.detect(path) == "dlc"


def test_first_bad_utf8_finds_a_byte_across_block_boundaries():
    data = b"a" * ((1 << 20) - 1) + "ß".encode() + b"x" + b"\xfc"
    assert first_bad_utf8(data) == len(data) - 1
    assert first_bad_utf8("\ufeffnaße".encode()) is None


@pytest.mark.parametrize(
    ("data", "words"),
    [
        ("a,b\nnaße\n".encode("cp1252"), ["line 2 ", "byte 6", "0xDF", "cp1252", "UTF-8"]),
        (b"\xff\xfe" + "a,b\n".encode("utf-16-le"), ["line 1 ", "byte 0", "0xFF", "UTF-16"]),
        ("a,b\n".encode("utf-16-le"), ["line 1 ", "byte 1", "NUL", "UTF-16", "UTF-8"]),
    ],
)
def test_not_utf8_message_names_line_byte_encoding_and_fix(data: bytes, words: list[str]):
    message = not_utf8_message(data)
    assert all(word in message for word in words), message


def test_looks_utf16_by_byte_order_mark_or_nul_pattern():
    assert looks_utf16(b"\xfe\xff\x00a")
    assert looks_utf16("frame,x\n".encode("utf-16-be"))
    assert not looks_utf16("naße,x\n".encode("cp1252"))
    assert not looks_utf16(b"\x00\x00\x00\x00\x00\x00")  # NUL bytes, not text


@pytest.mark.parametrize("name", ["dlc", "sleap-csv", "via"])
def test_cp1252_text_is_refused_naming_line_byte_and_encoding(tmp_path: Path, name):
    """Each reader had its own words ('is not a text file (invalid start byte)' for text
    that is text, only not UTF-8)."""
    if name == "via":
        ds = posebridge.boxes_from_poses(_poses())
    else:
        ds = posebridge.from_numpy(np.ones((2, 2, 2, 1)), keypoint_names=["nase", "tail"])
    (path,) = posebridge.save(ds, tmp_path / f"x_{name}.csv", format=name)
    text = path.read_text(encoding="utf-8")
    changed = text.replace("nase", "naße", 1) if name != "via" else text.replace(".", "é.", 1)
    assert changed != text
    path.write_bytes(changed.encode("cp1252"))
    with pytest.raises(FormatError, match=r"line \d+ \(byte \d+\): byte 0x[DE][F9] is not UTF-8"):
        posebridge.load(path, format=name)
    with pytest.raises(FormatError, match="Latin-1/cp1252"):
        posebridge.load(path, format=name)


def test_a_label_studio_config_in_cp1252_is_refused_naming_the_byte(tmp_path: Path):
    from posebridge.formats.labelstudio._config import read_config

    config = tmp_path / "config.xml"
    config.write_bytes(
        '<View><KeyPointLabels name="kp" toName="img"><Label value="naße"/>'
        "</KeyPointLabels></View>".encode("cp1252")
    )
    with pytest.raises(FormatError, match=r"label config: line 1 \(byte \d+\): byte 0xDF"):
        read_config(config)


@pytest.mark.parametrize(
    ("data", "words"),
    [
        ('{"a": "naße"}'.encode("cp1252"), ["line 1 ", "byte 9)", "0xDF", "cp1252", "editor"]),
        ('{"a": 1}'.encode("utf-16"), ["line 1 ", "byte 0", "0xFF", "UTF-16", "PowerShell"]),
        ('{"a": 1}'.encode("utf-16-le"), ["line 1 ", "byte 1", "NUL", "UTF-16"]),
    ],
    ids=["cp1252", "utf16-bom", "utf16-le"],
)
def test_refuse_not_utf8_names_the_file_line_byte_and_encoding(data: bytes, words: list[str]):
    with pytest.raises(FormatError) as refused:
        refuse_not_utf8("a.json", data)
    message = str(refused.value)
    assert message.startswith("a.json: ") and "Excel" not in message
    assert all(word in message for word in words), message


def test_refuse_not_utf8_lets_utf8_text_pass():
    refuse_not_utf8("a.json", '\ufeff{"a": "naße"}'.encode())


@pytest.mark.parametrize(
    ("encoding", "text"),
    [("cp1252", "scorer,naße\n"), ("utf-16", "scorer,naße\n"), ("utf-16-be", "scorer,x\n")],
)
def test_peek_loose_text_reads_text_in_other_encodings(tmp_path: Path, encoding, text):
    path = tmp_path / "t.csv"
    path.write_bytes(text.encode(encoding))
    with Peek(path) as peek:
        assert peek.text is None
        assert peek.lines(1, loose=True) == [text.strip()]
        assert peek.loose_head.startswith(b"scorer,")


def test_peek_loose_text_is_none_for_binary_bytes(tmp_path: Path):
    path = tmp_path / "t.bin"
    path.write_bytes(b"\x89PNG\x00\x00\x01\xff" * 8)
    with Peek(path) as peek:
        assert peek.loose_text is None and peek.lines(1, loose=True) == []


@pytest.mark.parametrize(
    ("encoding", "bom"),
    [
        ("utf-8", b""),
        ("utf-8", b"\xef\xbb\xbf"),
        ("cp1252", b""),
        ("utf-16-le", b"\xff\xfe"),
        ("utf-16-be", b"\xfe\xff"),
        ("utf-16-le", b""),
        ("utf-16-be", b""),
    ],
)
def test_loose_first_line_reads_the_header_in_any_encoding(tmp_path: Path, encoding, bom):
    """For sniffers of folders (TRex, idtracker.ai), as Peek.lines(1, loose=True)."""
    path = tmp_path / "t.csv"
    path.write_bytes(bom + "seconds,x1,y1,naße\r\n0,1,2,3\n".encode(encoding))
    assert loose_first_line(path) == "seconds,x1,y1,naße"
    with Peek(path) as peek:
        assert peek.lines(1, loose=True) == [loose_first_line(path)]


def test_loose_first_line_of_binary_bytes_or_a_long_line(tmp_path: Path):
    path = tmp_path / "t.bin"
    path.write_bytes(b"\x89PNG\x00\x00\x01\xff" * 8)
    assert loose_first_line(path) == ""
    path.write_bytes(b"a," * 5000 + b"b\nc\n")  # longer than the first read (4 KiB)
    assert loose_first_line(path) == "a," * 5000 + "b"


@pytest.mark.parametrize(
    "data", [b'{"a": 1}\x1a', b"[1, 2]\n\x1a", b"[1, 2]\r\n\x1a"], ids=["bracket", "lf", "crlf"]
)
def test_text_end_of_json_takes_one_ctrl_z_after_its_text_as_the_end(data: bytes):
    """A JSON text ends with its last ']' or '}', not necessarily with a line end."""
    assert text_end("a.json", data, data, json=True) == 1


@pytest.mark.parametrize(
    ("data", "said"),
    [
        (b'{"a": 1}\x00', "ends with a NUL byte after its JSON text (0x00)"),
        (b'{"a": 1}\n\x00\x00', "ends with a NUL byte after its JSON text (2 NUL bytes, 0x00)"),
        (b'{"a": \x00', "ends with a NUL byte (0x00)"),
        (b'{"a": 1}\x1a\x1a', "ends with 2 Ctrl-Z bytes (0x1A); only one, after the end of its"),
    ],
)
def test_text_end_of_json_refuses_nul_or_several_ctrl_z_bytes_in_words_for_json(data, said):
    with pytest.raises(FormatError) as refused:
        text_end("a.json", data, data, json=True)
    message = str(refused.value)
    assert message.startswith(f"a.json: {said}")
    assert "line" not in message and "Excel" not in message


@pytest.mark.parametrize(
    ("fmt", "ending", "head", "said"),
    [
        ("anipose", ".csv", b"\x89HDF\r\n\x1a\n" + bytes(range(256)), "is an HDF5 file"),
        ("via", ".csv", b"PK\x03\x04\x14\x00\r\x00" + bytes(range(256)), "is a zip archive"),
        (
            "sleap-csv",
            ".csv",
            b"\x1f\x8b\x08\x00\r" + bytes(range(128, 256)),
            "is gzip-compressed",
        ),
        (
            "lp",
            ".csv",
            b"\x93NUMPY\x01\x00v\x00{'descr': '<f8'}" + bytes(range(128, 256)),
            "numpy",
        ),
    ],
    ids=["hdf5", "zip", "gzip", "npy"],
)
def test_a_binary_file_given_to_a_text_reader_is_named_as_what_it_is(
    tmp_path, fmt, ending, head, said
):
    """An HDF5 file read as Anipose CSV was called Latin-1 text to save again from Excel,
    an .npz read as VIA a file of Mac line ends."""
    path = tmp_path / f"data{ending}"
    path.write_bytes(head)
    with pytest.raises(posebridge.FormatError, match=rf"{said}.*not text") as error:
        posebridge.load(path, fmt)
    assert "Excel" not in str(error.value)


@pytest.mark.parametrize(
    ("fmt", "name"),
    [("coco", "data.json"), ("yolo", "data.yaml"), ("labelstudio", "tasks.json")],
)
def test_an_hdf5_file_ending_in_nul_bytes_is_named_hdf5_not_damaged(tmp_path, fmt, name):
    """An intact .slp (HDF5 files often end in NUL padding) read as JSON or YAML was
    called damaged text: the signature is checked before the trailing NUL bytes."""
    path = tmp_path / name
    path.write_bytes(b"\x89HDF\r\n\x1a\n" + bytes(range(1, 256)) + b"\x00" * 2000)
    with pytest.raises(FormatError, match=r"is an HDF5 file .*not text") as error:
        posebridge.load(path, fmt)
    assert "damaged" not in str(error.value)


def test_doubled_carriage_returns_are_named_as_such_or_allowed_when_asked(tmp_path: Path):
    """\\r\\r\\n was refused as 'a carriage return alone (classic Mac OS)'."""
    path = tmp_path / "t.csv"
    path.write_bytes(b"a,b\r\r\n1,2\r\r\n")
    with pytest.raises(FormatError, match=r"end in \\r\\r\\n \(a carriage return doubled"):
        text_size(path)
    assert text_size(path, doubled_line_ends=True) == path.stat().st_size


def test_a_dlc_csv_with_doubled_carriage_returns_is_refused_naming_them(tmp_path: Path):
    path = tmp_path / "pose.csv"
    posebridge.save(_poses(), path, format="dlc")
    path.write_bytes(path.read_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r\r\n"))
    with pytest.raises(FormatError) as refused:
        posebridge.load(path, format="dlc")
    assert "\\r\\r\\n" in str(refused.value) and "Mac OS" not in str(refused.value)
