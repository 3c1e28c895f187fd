"""Label Studio: a region's ``image_rotation`` does not move its point.

``image_rotation`` records how the annotator had turned the image in the editor.
Label Studio turns its whole canvas (the Konva stage, regions included) and maps
the pointer back through the stage's inverse transform, so ``value.x`` /
``value.y`` stay percent of the unrotated image, whose natural size is
``original_width`` x ``original_height``. Label Studio's export guide ("Units of
image annotations") gives pixels as ``x / 100 * original_width`` and
``y / 100 * original_height``, with no rotation term; the expected pixels below
are computed with that formula.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import posebridge

WIDTH, HEIGHT = 200, 100  # a landscape image: a 90-degree swap would show
POINTS = {"head": (25.0, 40.0), "tail": (80.0, 5.0)}  # percent


def _documented_pixels(x: float, y: float) -> list[float]:
    """Label Studio's documented conversion, independent of image_rotation."""
    return [x / 100.0 * WIDTH, y / 100.0 * HEIGHT]


def _region(kind: str, id: str, value: dict, rotation: object) -> dict:
    region = {
        "id": id,
        "type": kind,
        "from_name": "kp" if kind == "keypointlabels" else "box",
        "to_name": "img",
        "original_width": WIDTH,
        "original_height": HEIGHT,
        "value": value,
    }
    if rotation is not None:
        region["image_rotation"] = rotation
    return region


def _task(rotation: object) -> dict:
    box = {"x": 20.0, "y": 0.0, "width": 70.0, "height": 50.0, "rotation": 0}
    result = [_region("rectanglelabels", "r1", {**box, "rectanglelabels": ["ant"]}, rotation)]
    for k, (name, (x, y)) in enumerate(POINTS.items()):
        value = {"x": x, "y": y, "width": 0.5, "keypointlabels": [name]}
        result.append({**_region("keypointlabels", f"p{k}", value, rotation), "parentID": "r1"})
    return {"data": {"image": "/data/upload/1/a.png"}, "annotations": [{"result": result}]}


ROTATIONS = [None, 0, 90, 180, 270, -90]


@pytest.mark.parametrize("rotation", ROTATIONS, ids=lambda r: f"rotation={r}")
def test_points_are_percent_of_the_unrotated_image_whatever_the_rotation(
    tmp_path: Path, rotation: object
):
    path = tmp_path / "export.json"
    path.write_text(json.dumps([_task(rotation)]), encoding="utf-8")
    ds = posebridge.load(path)
    for name, (x, y) in POINTS.items():
        got = ds.position.sel(time=0, individual="untracked_0", keypoint=name).values
        np.testing.assert_allclose(got, _documented_pixels(x, y))
    assert ds.image_width.values.tolist() == [WIDTH]  # the natural size, not swapped
    assert ds.image_height.values.tolist() == [HEIGHT]
    bbox = ds.bbox.sel(time=0, individual="untracked_0").values
    np.testing.assert_allclose(bbox, [40.0, 0.0, 140.0, 50.0])


def test_a_rotated_and_an_unrotated_export_read_equal(tmp_path: Path):
    plain, turned = tmp_path / "plain.json", tmp_path / "turned.json"
    plain.write_text(json.dumps([_task(0)]), encoding="utf-8")
    turned.write_text(json.dumps([_task(90)]), encoding="utf-8")
    a, b = posebridge.load(plain), posebridge.load(turned)
    a.attrs.pop("source_file", None)
    b.attrs.pop("source_file", None)
    assert a.identical(b)
