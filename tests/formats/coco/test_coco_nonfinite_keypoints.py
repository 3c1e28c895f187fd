"""COCO keypoints flagged labelled (v 1 or 2) whose coordinate is not finite.

A number too large for a float (``1e400``) parses as infinity: damage, refused naming the
annotation, as YOLO refuses ``inf``. ``NaN`` / ``Infinity``, which Python's ``json.dump``
writes and pycocotools reads, stay missing values, but a labelled point read as none is
now said in a warning instead of silently.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import posebridge
from posebridge.errors import FormatError


def ground_truth(tmp_path: Path, first_x: str) -> Path:
    """Two annotations of one image; the second's first keypoint x is ``first_x`` (v=2)."""
    text = json.dumps(
        {
            "images": [{"id": 1, "file_name": "a.png", "width": 64, "height": 48}],
            "annotations": [
                {"id": 1, "image_id": 1, "category_id": 1, "keypoints": [1, 2, 2, 3, 4, 2]},
                {"id": 2, "image_id": 1, "category_id": 1, "keypoints": [999, 6, 2, 7, 8, 1]},
            ],
            "categories": [{"id": 1, "name": "mouse", "keypoints": ["nose", "tail"]}],
        }
    )
    path = tmp_path / "gt.json"
    path.write_text(text.replace("[999,", f"[{first_x},"))
    return path


def test_a_labelled_keypoint_too_large_for_a_float_is_refused_naming_the_annotation(tmp_path):
    path = ground_truth(tmp_path, "1" + "0" * 400)
    with pytest.raises(
        FormatError, match=r"\$\.annotations\[1\]\.keypoints: keypoint 0 \('nose'\)"
    ):
        posebridge.load(path)


def test_a_result_keypoint_too_large_for_a_float_is_refused_naming_the_result(tmp_path):
    path = tmp_path / "results.json"
    path.write_text(
        '[{"image_id": 1, "category_id": 1, "keypoints": [1, 2, 0.9], "score": 1},'
        ' {"image_id": 1, "category_id": 1, "keypoints": [1e400, 2, 0.9], "score": 1}]'
    )
    with pytest.raises(FormatError, match=r"\$\[1\]\.keypoints: keypoint 0.*infinite"):
        posebridge.load(path)


@pytest.mark.parametrize("token", ["NaN", "Infinity", "-Infinity"])
def test_a_labelled_keypoint_with_a_missing_value_is_said_and_read_as_no_point(tmp_path, token):
    path = ground_truth(tmp_path, token)
    with pytest.warns(
        UserWarning, match=r"1 keypoint\(s\) flagged labelled.*'nose'.*annotations\[1\]"
    ):
        ds = posebridge.load(path)
    nose = ds.position.isel(time=0).sel(keypoint="nose").values  # (space, individual)
    assert np.isnan(nose[:, 1]).all()
    np.testing.assert_array_equal(nose[:, 0], [1, 2])
    np.testing.assert_array_equal(
        ds.position.isel(time=0).sel(keypoint="tail").values[:, 1], [7, 8]
    )
