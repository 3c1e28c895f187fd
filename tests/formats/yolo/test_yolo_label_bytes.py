"""YOLO label files re-saved by Windows programs: a byte-order mark, an end-of-file byte.

The tree is written by posebridge; one label file's bytes are then changed as
Notepad (a UTF-8 BOM at the start) or an old DOS program (Ctrl-Z at the end) saves.
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
def tree(tmp_path: Path) -> tuple[Path, list[Path], xr.Dataset]:
    """A YOLO tree of two label files, the label files, and what the tree reads as."""
    rng = np.random.default_rng(3)
    ds = labels.from_numpy(rng.uniform(1, 9, (2, 2, 3, 1)), video=["v.mp4"] * 2, frame=[3, 9])
    written = posebridge.save(ds, tmp_path / "data.yaml", format="yolo", image_size=SIZE)
    return written[0], [Path(p) for p in written[1:]], posebridge.load(written[0], image_size=SIZE)


def _same(back: xr.Dataset, expected: xr.Dataset) -> None:
    xr.testing.assert_identical(back.drop_attrs(), expected.drop_attrs())


@pytest.mark.parametrize("which", [0, 1])
def test_a_utf8_byte_order_mark_at_a_label_files_start_is_left_out(tree, which: int):
    data_yaml, label_files, expected = tree
    label_files[which].write_bytes(b"\xef\xbb\xbf" + label_files[which].read_bytes())
    _same(posebridge.load(data_yaml, image_size=SIZE), expected)


def test_a_dos_end_of_file_marker_after_the_last_line_is_left_out(tree):
    data_yaml, label_files, expected = tree
    for label in label_files:
        label.write_bytes(b"\xef\xbb\xbf" + label.read_bytes() + b"\x1a")
    _same(posebridge.load(data_yaml, image_size=SIZE), expected)


@pytest.mark.parametrize(
    ("which", "tail", "message"),
    [(1, b"\x00", "NUL byte after its last line"), (0, b"\x1a\x1a", "Ctrl-Z")],
    ids=["nul", "several-ctrl-z"],
)
def test_a_damaged_end_is_refused_naming_the_label_file(tree, which, tail, message):
    """A NUL after the last line, or Ctrl-Z bytes that are not one end-of-file marker."""
    data_yaml, label_files, _ = tree
    label_files[which].write_bytes(label_files[which].read_bytes() + tail)
    with pytest.raises(FormatError, match=message) as refused:
        posebridge.load(data_yaml, image_size=SIZE)
    assert label_files[which].name in str(refused.value)


@pytest.mark.parametrize("line_end", [b"\r", b"\r\n"], ids=["CR (old Mac OS)", "CRLF"])
def test_label_lines_ending_in_cr_are_read_as_ultralytics_reads_them(tmp_path, line_end):
    """Ultralytics opens label files in text mode (universal newlines); a file whose lines
    end in a lone CR was refused: "expected 8 columns ... found 16"."""
    rng = np.random.default_rng(5)
    ds = labels.from_numpy(rng.uniform(1, 9, (2, 2, 3, 2)), video=["v.mp4"] * 2, frame=[3, 9])
    written = posebridge.save(ds, tmp_path / "data.yaml", format="yolo", image_size=SIZE)
    expected = posebridge.load(written[0], image_size=SIZE)
    assert expected.sizes["individual"] == 2  # two lines in each label file
    for label in written[1:]:
        text = Path(label).read_bytes()
        assert text.count(b"\n") == 2
        Path(label).write_bytes(text.replace(b"\n", line_end))
    _same(posebridge.load(written[0], image_size=SIZE), expected)
    np.testing.assert_allclose(expected.position.values, ds.position.values, atol=1e-5)
