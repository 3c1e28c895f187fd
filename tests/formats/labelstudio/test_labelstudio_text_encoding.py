"""Label Studio exports saved in another encoding than UTF-8: refused naming the line, the
byte and the encoding (msgspec's own message named the end of the file)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import xarray as xr

import posebridge
from posebridge.errors import FormatError


def _task(image: str) -> dict:
    region = {
        "id": "r1",
        "type": "keypointlabels",
        "from_name": "kp",
        "to_name": "img",
        "original_width": 200,
        "original_height": 100,
        "value": {"x": 10.0, "y": 20.0, "width": 0.5, "keypointlabels": ["snout"]},
    }
    return {"id": 1, "data": {"img": image}, "annotations": [{"id": 1, "result": [region]}]}


def _write(tmp_path: Path, content: object, encoding: str) -> tuple[Path, str]:
    text = json.dumps(content, ensure_ascii=False, indent=1)
    path = tmp_path / "export.json"
    path.write_bytes(text.encode(encoding))
    return path, text


@pytest.mark.parametrize(
    "content",
    [[_task("/data/café/img001.png")], _task("/data/café/img001.png")],
    ids=["task-list", "one-task"],  # typed records, and the plain decode of one task
)
def test_cp1252_text_is_refused_naming_the_line_and_byte_of_the_first_bad_byte(tmp_path, content):
    """It was 'line 24 (end of file): Invalid UTF-8 encoded string.'"""
    path, text = _write(tmp_path, content, "cp1252")
    line = text[: text.index("é")].count("\n") + 1
    byte = len(text[: text.index("é")].encode("cp1252"))
    detected = ({},) if isinstance(content, list) else ()  # one task: only read if asked
    for forced in ({"format": "labelstudio"}, *detected):
        with pytest.raises(FormatError) as refused:
            posebridge.load(path, **forced)
        message = str(refused.value)
        assert message.startswith(f"{path}: line {line} (byte {byte}): byte 0xE9 is not UTF-8")
        assert "Latin-1/cp1252" in message and "end of file" not in message


@pytest.mark.parametrize(
    ("encoding", "where"),
    [("utf-16", "line 1 (byte 0): byte 0xFF"), ("utf-16-le", "line 1 (byte 1): a NUL byte")],
    ids=["bom", "no-bom"],
)
def test_utf16_text_is_recognised_and_refused_naming_the_encoding(tmp_path, encoding, where):
    """It was 'line 1, column 1: JSON is malformed: invalid character' (format=), and
    'could not recognise the format' without format=."""
    path, _ = _write(tmp_path, [_task("/data/img001.png")], encoding)
    assert posebridge.detect(path) == "labelstudio"
    for forced in ({"format": "labelstudio"}, {}):
        with pytest.raises(FormatError) as refused:
            posebridge.load(path, **forced)
        message = str(refused.value)
        assert message.startswith(f"{path}: {where}"), message
        assert "UTF-16 text" in message and "malformed" not in message


def test_malformed_utf8_json_keeps_its_message(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text('[{"data": {"img": "a.png"}, "annotations": [}]', encoding="utf-8")
    with pytest.raises(FormatError, match=r"line 1, column \d+") as refused:
        posebridge.load(path, format="labelstudio")
    assert "UTF-8" not in str(refused.value)


def test_a_label_config_that_is_not_utf8_is_named_with_a_text_editors_fix(tmp_path):
    """It said 'as Excel's 'CSV (Comma delimited)' saves': no spreadsheet saves XML so."""
    path, _ = _write(tmp_path, [_task("/data/img001.png")], "utf-8")
    config = tmp_path / "config.xml"
    config.write_bytes(
        '<View><KeyPointLabels name="kp" toName="img"><Label value="naße"/>'
        "</KeyPointLabels></View>".encode("cp1252")
    )
    with pytest.raises(FormatError) as refused:
        posebridge.load(path, format="labelstudio", label_config=config)
    message = str(refused.value)
    assert f"{config}: the label config: line 1 (byte " in message
    assert "Latin-1/cp1252" in message and "text editor" in message and "Excel" not in message


# --------------------------------------------------------------------------
# the end of the file: one Ctrl-Z (an old DOS end-of-file marker) is the end, as
# after a CSV file's last line; NUL bytes are damage


@pytest.mark.parametrize(
    "content",
    [[_task("/data/img001.png")], _task("/data/img001.png")],
    ids=["task-list", "one-task"],  # typed records, and the plain decode of one task
)
@pytest.mark.parametrize("marker", [b"\x1a", b"\r\n\x1a"], ids=["after-bracket", "after-line"])
def test_one_ctrl_z_after_the_json_text_is_read_as_the_end_of_the_file(tmp_path, content, marker):
    """It was 'line 1, column 285: JSON is malformed: trailing characters.'"""
    path, _ = _write(tmp_path, content, "utf-8")
    expected = posebridge.load(path, format="labelstudio")
    path.write_bytes(path.read_bytes() + marker)
    detected = ({},) if isinstance(content, list) else ()  # one task: only read if asked
    for forced in ({"format": "labelstudio"}, *detected):
        back = posebridge.load(path, **forced)
        xr.testing.assert_identical(back.drop_attrs(), expected.drop_attrs())


@pytest.mark.parametrize(
    "content",
    [[_task("/data/img001.png")], _task("/data/img001.png")],
    ids=["task-list", "one-task"],
)
@pytest.mark.parametrize(
    ("tail", "said"),
    [
        (b"\n\x00", "ends with a NUL byte after its JSON text (0x00): the file is damaged"),
        (
            b"\x1a\x1a",
            "ends with 2 Ctrl-Z bytes (0x1A); only one, after the end of its JSON text, is "
            "read as an old DOS end-of-file marker",
        ),
    ],
    ids=["nul", "two-ctrl-z"],
)
def test_nul_or_several_ctrl_z_bytes_after_the_json_text_are_refused_saying_so(
    tmp_path, content, tail, said
):
    """It was 'line 2, column 2: JSON is malformed: trailing characters.'"""
    path, _ = _write(tmp_path, content, "utf-8")
    path.write_bytes(path.read_bytes() + tail)
    with pytest.raises(FormatError) as refused:
        posebridge.load(path, format="labelstudio")
    message = str(refused.value)
    assert message.startswith(f"{path}: {said}"), message
    assert "trailing characters" not in message
