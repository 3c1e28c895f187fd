"""Manifests saved in another encoding than UTF-8, or ending in a NUL or Ctrl-Z byte.

Excel saves a CSV as cp1252 ("CSV (Comma delimited)") or UTF-16 ("Unicode
Text"); reading one is refused naming the manifest, the line and the byte, the
encoding it looks like and how to save it as UTF-8 (not a raw UnicodeDecodeError).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from posebridge.batch import read_manifest
from posebridge.errors import PoseBridgeError

CSV_TEXT = "input,subject_id\r\nm1.nc,Müller\r\n"
YAML_TEXT = "- input: m1.nc\n  subject_id: Müller\n"


def _manifest(tmp_path: Path, kind: str, data: bytes) -> Path:
    path = tmp_path / f"manifest.{kind}"
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("kind", ["csv", "yaml"])
@pytest.mark.parametrize(
    ("encoding", "bom", "looks", "line"),
    [
        ("utf-16-le", b"\xff\xfe", "UTF-16", 1),
        ("utf-16-be", b"\xfe\xff", "UTF-16", 1),
        ("utf-16-le", b"", "UTF-16", 1),
        ("cp1252", b"", "cp1252", 2),
    ],
)
def test_a_manifest_not_in_utf8_is_refused_saying_how_to_save_it(
    tmp_path: Path, kind: str, encoding: str, bom: bytes, looks: str, line: int
):
    text = CSV_TEXT if kind == "csv" else YAML_TEXT
    path = _manifest(tmp_path, kind, bom + text.encode(encoding))
    with pytest.raises(PoseBridgeError) as refused:
        read_manifest(path)
    message = str(refused.value)
    assert not isinstance(refused.value, UnicodeDecodeError)
    assert str(path) in message
    assert f"line {line} " in message and "byte" in message
    assert looks in message and "UTF-8" in message


def test_the_byte_named_is_the_first_that_is_not_utf8(tmp_path: Path):
    path = _manifest(tmp_path, "csv", CSV_TEXT.encode("cp1252"))
    at = CSV_TEXT.encode("cp1252").index("ü".encode("cp1252"))
    with pytest.raises(PoseBridgeError, match=rf"\(byte {at}\).*0xFC"):
        read_manifest(path)


@pytest.mark.parametrize("kind", ["csv", "yaml"])
def test_a_dos_end_of_file_marker_is_read_as_the_end(tmp_path: Path, kind: str):
    text = CSV_TEXT if kind == "csv" else YAML_TEXT
    plain = read_manifest(_manifest(tmp_path, kind, text.encode()))
    (tmp_path / "eof").mkdir()
    marked = read_manifest(_manifest(tmp_path / "eof", kind, text.encode() + b"\x1a"))
    assert [row["subject_id"] for row in marked] == [row["subject_id"] for row in plain]
    assert [Path(row["input"]).name for row in marked] == ["m1.nc"]


@pytest.mark.parametrize("kind", ["csv", "yaml"])
def test_a_nul_after_the_last_line_is_refused_as_damage(tmp_path: Path, kind: str):
    text = CSV_TEXT if kind == "csv" else YAML_TEXT
    path = _manifest(tmp_path, kind, text.encode() + b"\x00")
    with pytest.raises(PoseBridgeError, match="NUL byte after its last line") as refused:
        read_manifest(path)
    assert str(path) in str(refused.value)


def test_a_manifest_whose_lines_end_in_carriage_returns_still_reads(tmp_path: Path):
    path = _manifest(tmp_path, "csv", CSV_TEXT.replace("\r\n", "\r").encode())
    assert [row["subject_id"] for row in read_manifest(path)] == ["Müller"]
