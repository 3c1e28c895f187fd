"""YOLO data.yaml files (and split lists) saved in another encoding than UTF-8, or ending in
an end-of-file or NUL byte.

The tree is written by posebridge; the data.yaml is then re-saved as a Windows
editor ('ANSI', cp1252), PowerShell 5 (UTF-16) or an old DOS program (Ctrl-Z)
saves it.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import xarray as xr

import posebridge
from posebridge.errors import FormatError
from posebridge.model import labels

SIZE = (10, 10)


@pytest.fixture
def tree(tmp_path: Path) -> tuple[Path, xr.Dataset]:
    """A YOLO tree whose class is named 'café', and what it reads as."""
    rng = np.random.default_rng(5)
    ds = labels.from_numpy(rng.uniform(1, 9, (2, 2, 3, 1)), video=["v.mp4"] * 2, frame=[3, 9])
    data_yaml = posebridge.save(ds, tmp_path / "data.yaml", format="yolo", image_size=SIZE)[0]
    text = Path(data_yaml).read_text(encoding="utf-8")
    assert "names: {0: animal}" in text
    Path(data_yaml).write_text(text.replace("animal", "café"), encoding="utf-8")
    return Path(data_yaml), posebridge.load(data_yaml, image_size=SIZE)


@pytest.mark.parametrize(
    ("encoding", "looks", "where"),
    [
        ("cp1252", "Latin-1/cp1252", r"line \d+ \(byte \d+\): byte 0xE9 is not UTF-8"),
        ("utf-16", "UTF-16 text (it starts with a UTF-16 byte-order mark", r"line 1 \(byte 0\)"),
        ("utf-16-le", "UTF-16 text (every other byte is NUL", r"line 1 \(byte 1\)"),
    ],
)
def test_a_data_yaml_that_is_not_utf8_is_refused_naming_line_byte_and_encoding(
    tree, encoding, looks, where
):
    """It was 'invalid YAML ('utf-8' codec can't decode byte 0xe9 in position 144: ...)'
    with format='yolo', and 'could not recognise the format' without."""
    data_yaml, _ = tree
    data_yaml.write_bytes(data_yaml.read_text(encoding="utf-8").encode(encoding))
    assert posebridge.detect(data_yaml) == "yolo"
    for forced in ({"format": "yolo"}, {}):
        with pytest.raises(FormatError, match=where) as refused:
            posebridge.load(data_yaml, image_size=SIZE, **forced)
        message = str(refused.value)
        assert message.startswith(f"{data_yaml}: line ") and looks in message
        assert "invalid YAML" not in message and "save it as UTF-8" in message
        assert "Excel" not in message  # a YAML file: a text editor's words


def test_a_dos_end_of_file_marker_after_the_last_line_is_left_out(tree):
    """YAML refused it: 'invalid YAML (unacceptable character #x001a ...)'."""
    data_yaml, expected = tree
    data_yaml.write_bytes(data_yaml.read_bytes() + b"\x1a")
    back = posebridge.load(data_yaml, image_size=SIZE)
    xr.testing.assert_identical(back.drop_attrs(), expected.drop_attrs())


def test_a_nul_after_the_last_line_is_refused_as_damage(tree):
    """It was 'invalid YAML (unacceptable character #x0000 ...)'."""
    data_yaml, _ = tree
    data_yaml.write_bytes(data_yaml.read_bytes() + b"\x00")
    with pytest.raises(FormatError, match="NUL byte after its last line") as refused:
        posebridge.load(data_yaml, format="yolo", image_size=SIZE)
    assert str(data_yaml) in str(refused.value)


def test_a_split_list_that_is_not_utf8_is_refused_naming_the_list(tree):
    """It was 'data.yaml: holds text that cannot be decoded (...)': the wrong file."""
    data_yaml, _ = tree
    listed = [str(p.relative_to(data_yaml.parent)) for p in data_yaml.parent.rglob("*.txt")]
    images = [text.replace("labels", "images").replace(".txt", "_é.png") for text in listed]
    listing = data_yaml.parent / "train.txt"
    listing.write_bytes("\n".join(images).encode("cp1252"))
    text = data_yaml.read_text(encoding="utf-8")
    data_yaml.write_text(
        "\n".join(
            "train: train.txt" if line.startswith("train:") else line for line in text.splitlines()
        )
        + "\n",
        encoding="utf-8",
    )
    with pytest.raises(FormatError, match=r"byte 0xE9 is not UTF-8") as refused:
        posebridge.load(data_yaml, image_size=SIZE)
    assert f"{listing}: line 1 (byte " in str(refused.value)
