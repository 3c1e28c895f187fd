"""formats/_shared/images: the image size every image-annotation writer and reader takes."""

from __future__ import annotations

import numpy as np
import pytest

import posebridge
from posebridge.errors import SchemaError
from posebridge.formats._shared.images import (
    LARGEST_SIDE,
    as_shown,
    checked_image_size,
    image_size,
    without_bom,
)
from posebridge.formats._shared.images import orientation as orientation_of


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


def _stored_with_orientation(path, pixels: np.ndarray, orientation: int, kind: str) -> None:
    from PIL import Image

    exif = Image.Exif()
    exif[0x0112] = orientation
    Image.fromarray(pixels).save(path, format=kind, exif=exif.tobytes())


@pytest.mark.parametrize("orientation", range(1, 9))
def test_size_and_pixels_are_those_pillow_shows(tmp_path, orientation):
    """Pillow's exif_transpose is the reference for all eight EXIF orientations."""
    from PIL import Image, ImageOps

    pixels = np.random.default_rng(orientation).integers(0, 255, (6, 10, 3), dtype=np.uint8)
    path = tmp_path / "photo.png"  # lossless, so the pixels compare exactly
    _stored_with_orientation(path, pixels, orientation, "PNG")
    with Image.open(path) as opened:
        shown = np.asarray(ImageOps.exif_transpose(opened))
    assert orientation_of(path) == orientation
    assert image_size(path, "labels.txt") == (shown.shape[1], shown.shape[0])
    np.testing.assert_array_equal(as_shown(pixels, orientation), shown)


def test_an_image_without_orientation_or_with_damaged_exif_is_as_stored(tmp_path):
    from PIL import Image

    plain = tmp_path / "plain.jpg"
    Image.new("RGB", (30, 20)).save(plain)
    assert orientation_of(plain) is None and image_size(plain, "x.txt") == (30, 20)
    damaged = tmp_path / "damaged.jpg"
    Image.new("RGB", (30, 20)).save(damaged, exif=b"Exif\x00\x00MM\x00*garbage")
    assert image_size(damaged, "x.txt") == (30, 20)
    assert orientation_of(tmp_path / "absent.jpg") is None
    pixels = np.arange(6).reshape(2, 3)
    assert as_shown(pixels, None) is pixels and as_shown(pixels, 9) is pixels


def test_a_missing_image_names_the_read_option_on_the_command_line(tmp_path):
    """The advice "pass image_size=(width, height)" was shown as is by the command line."""
    from posebridge.errors import FormatError, worded_for_command_line
    from posebridge.formats._shared.images import image_size

    with pytest.raises(FormatError, match=r"is missing.*pass image_size=\(width, height\)") as got:
        image_size(tmp_path / "gone.png", tmp_path / "gone.txt")
    worded = worded_for_command_line(got.value)
    assert "pass --read-option 'image_size=[W,H]' (width and height in pixels)" in worded
    assert "image_size=(width" not in worded
