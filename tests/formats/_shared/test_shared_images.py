"""formats/_shared/images: the image size every image-annotation writer and reader takes."""

from __future__ import annotations

import numpy as np
import pytest

import posebridge
from posebridge.errors import SchemaError
from posebridge.formats._shared.images import LARGEST_SIDE, checked_image_size, without_bom


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ((640, 480), (640, 480)),
        ([640, 480.0], (640, 480)),
        ((np.int64(640), np.int32(480)), (640, 480)),
        (np.array([1, LARGEST_SIDE]), (1, LARGEST_SIDE)),
    ],
)
def test_image_sizes_that_are_sizes_are_taken(given, expected):
    assert checked_image_size(given) == expected


@pytest.mark.parametrize(
    "given",
    [(0, 480), (-640, 480), (640.5, 480), (LARGEST_SIDE + 1, 480), (2**40, 480), (640,),
     (640, 480, 3), "640x480", (True, 480), (640, float("nan")), None],
)  # fmt: skip
def test_anything_else_is_refused(given):
    with pytest.raises(SchemaError, match=r"image_size must be \(width, height\)"):
        checked_image_size(given)


@pytest.mark.parametrize(("fmt", "name"), [("coco", "gt.json"), ("labelstudio", "tasks.json"),
                                           ("yolo", "data.yaml")])  # fmt: skip
@pytest.mark.parametrize("size", [(0, 480), (-640, 480), (2**40, 480)])
def test_writers_refuse_a_size_that_is_none_and_write_nothing(tmp_path, fmt, name, size):
    """COCO wrote a negative or zero width before; readers take none past LARGEST_SIDE."""
    ds = posebridge.from_numpy(np.full((2, 2, 3, 1), 5.0), fps=30)
    with pytest.raises(SchemaError, match=r"image_size must be \(width, height\)"):
        posebridge.save(ds, tmp_path / name, format=fmt, image_size=size)
    assert list(tmp_path.iterdir()) == []


def test_writers_take_sizes_given_as_numpy_integers(tmp_path):
    ds = posebridge.from_numpy(np.full((2, 2, 3, 1), 5.0), fps=30)
    size = (np.int64(64), np.int64(48))
    posebridge.save(ds, tmp_path / "gt.json", format="coco", kind="ground_truth", image_size=size)
    assert posebridge.load(tmp_path / "gt.json").image_width.values.tolist() == [64, 64]


def test_without_bom_drops_only_a_leading_mark():
    assert bytes(without_bom(b"\xef\xbb\xbf[1]")) == b"[1]"
    assert without_bom(b"[1]\xef\xbb\xbf") == b"[1]\xef\xbb\xbf"
    assert bytes(without_bom(memoryview(b"\xef\xbb\xbf{}"))) == b"{}"
