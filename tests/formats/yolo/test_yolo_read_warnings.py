"""What the YOLO reader reads but warns about: values outside 0..1, per-class keypoint names.

Ultralytics leaves a label file with a normalised value below 0 or above 1 out of
training; posebridge reads it (as points outside the image) and says so. A data.yaml
whose ``kpt_names`` give classes different lists is read with the first class's names
(a dataset holds one keypoint list), naming the classes whose lists differ.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest

import posebridge

SIZE = (200, 100)


def tree(tmp_path: Path, rows: dict[str, str], yaml_extra: str = "") -> Path:
    """A data.yaml of 3 keypoints, classes 0 queen and 1 worker, labels ``rows`` by name."""
    (tmp_path / "labels" / "train").mkdir(parents=True)
    for name, text in rows.items():
        (tmp_path / "labels" / "train" / f"{name}.txt").write_text(text)
    path = tmp_path / "data.yaml"
    path.write_text(
        "train: images/train\nkpt_shape: [3, 3]\nnames:\n  0: queen\n  1: worker\n" + yaml_extra
    )
    return path


INSIDE = "0 0.5 0.5 1 1 0 0 2 1 1 2 0.5 0.5 1\n"


def test_values_outside_zero_to_one_are_read_with_a_warning(tmp_path):
    # values at 0 and 1 are inside: no warning
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        posebridge.load(tree(tmp_path / "inside", {"a": INSIDE}), image_size=SIZE)
    bad = "1 0.5 0.5 0.2 0.2 1.5 0.5 2 0.5 -0.25 2 7 7 0\n"  # x 1.5, y -0.25; 7 7 is v=0
    path = tree(tmp_path, {"a": INSIDE, "b": INSIDE + bad, "c": bad})
    with pytest.warns(UserWarning, match=r"4 normalised value\(s\) of 2 label file\(s\)") as got:
        ds = posebridge.load(path, image_size=SIZE)
    (message,) = [str(w.message) for w in got if "normalised" in str(w.message)]
    assert str(tmp_path / "labels" / "train" / "b.txt") in message
    assert "line 2" in message
    # read as written: positions outside the image
    x = ds.position.sel(space="x", keypoint="keypoint_0").values
    assert np.nanmax(x) == pytest.approx(1.5 * SIZE[0])


def test_kpt_names_that_differ_by_class_are_named_in_a_warning(tmp_path):
    extra = "kpt_names:\n  0: [nose, head, tail]\n  1: [tail, head, nose]\n"
    path = tree(tmp_path, {"a": INSIDE}, extra)
    with pytest.warns(UserWarning, match=r"kpt_names gives class\(es\) 1 \(worker\) other"):
        ds = posebridge.load(path, image_size=SIZE)
    assert ds.keypoint.values.tolist() == ["nose", "head", "tail"]
    # names the user gives instead: no warning
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ds = posebridge.load(path, image_size=SIZE, keypoint_names=["a", "b", "c"])
    assert ds.keypoint.values.tolist() == ["a", "b", "c"]
    # the same list for every class: no warning
    alike = "kpt_names:\n  0: [nose, head, tail]\n  1: [nose, head, tail]\n"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ds = posebridge.load(tree(tmp_path / "alike", {"a": INSIDE}, alike), image_size=SIZE)
    assert ds.keypoint.values.tolist() == ["nose", "head", "tail"]


OTHER = "1 0.2 0.2 0.1 0.1 0.1 0.1 2 0.2 0.2 2 0.3 0.3 2\n"


def test_repeated_label_lines_are_kept_with_one_warning_naming_files_and_lines(tmp_path):
    """Two equal lines of one label file are two animals at one place for posebridge (its
    writer writes such animals so); Ultralytics keeps one of them when it trains."""
    path = tree(tmp_path, {"a": INSIDE + OTHER + INSIDE, "b": OTHER + OTHER, "c": INSIDE})
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ds = posebridge.load(path, image_size=SIZE)
    repeated = [str(w.message) for w in caught if "repeat an earlier line" in str(w.message)]
    assert len(repeated) == 1  # once per read
    (message,) = repeated
    assert "2 label line(s) in 2 label file(s)" in message
    assert f"{tmp_path / 'labels' / 'train' / 'a.txt'} line 3 (= line 1)" in message
    assert f"{tmp_path / 'labels' / 'train' / 'b.txt'} line 2 (= line 1)" in message
    assert "Ultralytics drops repeated label lines" in message
    # both lines kept: separate individuals at one place
    assert ds.sizes["individual"] == 3
    head = ds.position.sel(keypoint="keypoint_0").transpose("time", "individual", "space")
    np.testing.assert_array_equal(head.values[0, 0], head.values[0, 2])
    np.testing.assert_array_equal(head.values[1, 0], head.values[1, 1])
    assert ds.category_id.values.tolist() == [[0, 1, 0], [1, 1, -1], [0, -1, -1]]


def test_lines_equal_only_across_files_or_as_float32_text(tmp_path):
    # one instance in two files: no repeat
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        posebridge.load(tree(tmp_path / "apart", {"a": INSIDE, "b": INSIDE}), image_size=SIZE)
    # written differently, equal as the float32 Ultralytics reads: a repeat
    same = INSIDE.replace("0.5 0.5 1\n", "0.50000000001 0.5 1\n")
    with pytest.warns(UserWarning, match=r"a\.txt line 2 \(= line 1\)"):
        posebridge.load(tree(tmp_path / "f32", {"a": INSIDE + same}), image_size=SIZE)
