"""COCO files saved in another encoding than UTF-8: refused naming the line, the byte and
the encoding (msgspec's own message named the end of the file)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import xarray as xr

import posebridge
from posebridge.errors import FormatError

GROUND_TRUTH = {
    "images": [{"id": 1, "file_name": "café/img001.jpg", "width": 64, "height": 48}],
    "annotations": [
        {"id": 1, "image_id": 1, "category_id": 1, "keypoints": [10, 12, 2, 20, 22, 2]}
    ],
    "categories": [{"id": 1, "name": "mouse", "keypoints": ["snout", "tail"], "skeleton": []}],
}
RESULTS = [{"image_id": 1, "category_id": 1, "keypoints": [10, 12, 0.9], "score": 0.8}]


def _write(tmp_path: Path, content: object, encoding: str) -> tuple[Path, str]:
    text = json.dumps(content, ensure_ascii=False, indent=2)
    path = tmp_path / "person_keypoints.json"
    path.write_bytes(text.encode(encoding))
    return path, text


def test_cp1252_text_is_refused_naming_the_line_and_byte_of_the_first_bad_byte(tmp_path):
    """It was 'line 21 (end of file): Invalid UTF-8 encoded string.'"""
    path, text = _write(tmp_path, GROUND_TRUTH, "cp1252")
    line = text[: text.index("é")].count("\n") + 1
    byte = len(text[: text.index("é")].encode("cp1252"))
    assert posebridge.detect(path) == "coco"
    for forced in ({"format": "coco"}, {}):
        with pytest.raises(FormatError) as refused:
            posebridge.load(path, **forced)
        message = str(refused.value)
        assert message.startswith(f"{path}: line {line} (byte {byte}): byte 0xE9 is not UTF-8")
        assert "Latin-1/cp1252" in message and "end of file" not in message


@pytest.mark.parametrize("content", [GROUND_TRUTH, RESULTS], ids=["ground-truth", "results"])
@pytest.mark.parametrize(
    ("encoding", "where"),
    [("utf-16", "line 1 (byte 0): byte 0xFF"), ("utf-16-le", "line 1 (byte 1): a NUL byte")],
    ids=["bom", "no-bom"],
)
def test_utf16_text_is_recognised_and_refused_naming_the_encoding(
    tmp_path, content, encoding, where
):
    """It was 'line 1, column 1: JSON is malformed: invalid character' (format='coco'),
    and 'could not recognise the format' without format=."""
    path, _ = _write(tmp_path, content, encoding)
    assert posebridge.detect(path) == "coco"
    for forced in ({"format": "coco"}, {}):
        with pytest.raises(FormatError) as refused:
            posebridge.load(path, **forced)
        message = str(refused.value)
        assert message.startswith(f"{path}: {where}"), message
        assert "UTF-16 text" in message and "malformed" not in message


def test_a_utf16_ground_truth_given_for_results_is_named(tmp_path):
    results, _ = _write(tmp_path, RESULTS, "utf-8")
    truth = tmp_path / "truth.json"
    truth.write_bytes(json.dumps(GROUND_TRUTH, ensure_ascii=False).encode("utf-16"))
    with pytest.raises(FormatError) as refused:
        posebridge.load(results, format="coco", ground_truth=truth)
    assert f"{truth}: line 1 (byte 0)" in str(refused.value)  # after the input's name
    assert "UTF-16" in str(refused.value)


def test_malformed_utf8_json_keeps_its_message(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text('{"images": [}', encoding="utf-8")
    with pytest.raises(FormatError, match=r"line 1, column 13") as refused:
        posebridge.load(path, format="coco")
    assert "UTF-8" not in str(refused.value)


# --------------------------------------------------------------------------
# the end of the file: one Ctrl-Z (an old DOS end-of-file marker) is the end, as
# after a CSV file's last line; NUL bytes are damage


@pytest.mark.parametrize("content", [GROUND_TRUTH, RESULTS], ids=["ground-truth", "results"])
@pytest.mark.parametrize("marker", [b"\x1a", b"\r\n\x1a"], ids=["after-bracket", "after-line"])
def test_one_ctrl_z_after_the_json_text_is_read_as_the_end_of_the_file(tmp_path, content, marker):
    """It was 'line 1, column 279: JSON is malformed: trailing characters.'"""
    path, _ = _write(tmp_path, content, "utf-8")
    expected = posebridge.load(path, format="coco")
    path.write_bytes(path.read_bytes() + marker)
    for forced in ({"format": "coco"}, {}):
        back = posebridge.load(path, **forced)
        xr.testing.assert_identical(back.drop_attrs(), expected.drop_attrs())


@pytest.mark.parametrize(
    ("tail", "said"),
    [
        (
            b"\x00\x00\x00",
            "ends with a NUL byte after its JSON text (3 NUL bytes, 0x00): the file is damaged",
        ),
        (
            b"\x1a\x1a",
            "ends with 2 Ctrl-Z bytes (0x1A); only one, after the end of its JSON "
            "text, is read as an old DOS end-of-file marker",
        ),
    ],
    ids=["nul", "two-ctrl-z"],
)
def test_nul_or_several_ctrl_z_bytes_after_the_json_text_are_refused_saying_so(
    tmp_path, tail, said
):
    """It was 'line 1, column 279: JSON is malformed: trailing characters.'"""
    path, _ = _write(tmp_path, GROUND_TRUTH, "utf-8")
    path.write_bytes(path.read_bytes() + tail)
    for forced in ({"format": "coco"}, {}):
        with pytest.raises(FormatError) as refused:
            posebridge.load(path, **forced)
        message = str(refused.value)
        assert message.startswith(f"{path}: {said}"), message
        assert "trailing characters" not in message
