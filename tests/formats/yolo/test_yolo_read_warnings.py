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
