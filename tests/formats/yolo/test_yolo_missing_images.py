"""YOLO splits whose images folder exists but lacks the image of a label file.

Such a label file (its image not copied yet, or a folder where the image file
belongs) is read as a row whose image is absent, as a split without its images
folder is; its size then comes from ``image_size=``, or the read says which
label file lacks its image. Its instances are never dropped without a word.
"""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

import posebridge
from posebridge.errors import FormatError

# class, box cx cy w h, then 2 keypoints x y v (normalised)
LINES = {
    "a": "0 0.5 0.5 0.2 0.2 0.1 0.2 2 0.3 0.4 2\n",
    "b": "0 0.5 0.5 0.4 0.4 0.6 0.7 2 0.8 0.9 2\n",
    "c": "0 0.5 0.5 0.3 0.3 0.25 0.5 2 0.75 0.5 2\n",
}


def tree(tmp_path, *, image_a: bool = True):
    """A Roboflow-style tree: train/images (exists) and train/labels with a, b and c."""
    (tmp_path / "data.yaml").write_text(
        "train: train/images\nkpt_shape: [2, 3]\nnames: {0: cow}\n", encoding="utf-8"
    )
    images, labels = tmp_path / "train" / "images", tmp_path / "train" / "labels"
    images.mkdir(parents=True)
    labels.mkdir(parents=True)
    for stem, line in LINES.items():
        (labels / f"{stem}.txt").write_text(line, encoding="utf-8")
    if image_a:
        Image.new("RGB", (200, 100)).save(images / "a.png")
    return tmp_path / "data.yaml"


def expected_xy(stem: str, width: int, height: int) -> np.ndarray:
    values = np.asarray(LINES[stem].split(), dtype=float)[5:].reshape(2, 3)
    return values[:, :2] * [width, height]


def test_label_without_its_image_in_an_existing_images_folder_is_kept(tmp_path):
    ds = posebridge.load(tree(tmp_path), image_size=(200, 100))
    assert ds.image_path.values.tolist() == [
        "train/images/a.png",
        "train/images/b",  # where its image belongs, as when the images folder is absent
        "train/images/c",
    ]
    for row, stem in enumerate("abc"):
        found = ds.position.isel(time=row, individual=0).values.T  # (keypoint, space)
        np.testing.assert_allclose(found, expected_xy(stem, 200, 100))


def test_label_whose_image_path_is_a_folder_is_kept(tmp_path):
    path = tree(tmp_path)
    (tmp_path / "train" / "images" / "c.png").mkdir()  # a folder where the image belongs
    ds = posebridge.load(path, image_size=(200, 100))
    assert ds.sizes["time"] == 3
    assert "train/images/c" in ds.image_path.values.tolist()
    np.testing.assert_allclose(
        ds.position.isel(time=2, individual=0).values.T, expected_xy("c", 200, 100)
    )


def test_label_without_its_image_needs_image_size(tmp_path):
    path = tree(tmp_path)
    absent = r"b\.txt.*image of this label file is absent.*image_size"
    with pytest.raises(FormatError, match=absent):
        posebridge.load(path)


def test_writing_beside_label_files_without_their_images_is_refused(tmp_path):
    """A read takes such label files as rows now, so a write that leaves them would read
    back with rows it did not write."""
    from posebridge.errors import FileExistsError
    from posebridge.model import labels

    tree(tmp_path)
    ds = labels.from_numpy(
        np.full((1, 2, 2, 1), 10.0), image_path=["train/images/a.png"]
    ).assign_coords(image_width=("time", [200]), image_height=("time", [100]))
    with pytest.raises(FileExistsError, match=r"b\.txt: 2 label file\(s\) that this dataset"):
        posebridge.save(ds, tmp_path / "out.yaml", overwrite=True, image_size=(200, 100))
    assert not (tmp_path / "out.yaml").exists()


@pytest.mark.parametrize("images_folder", [True, False])
def test_labelimg_classes_txt_in_the_labels_folder_is_no_label_file(tmp_path, images_folder):
    """labelImg writes the class list ``classes.txt`` beside its label files; it was read
    as a label file without an image (the read asked for image_size=, the writer refused
    to write beside it)."""
    path = tree(tmp_path)
    labels = tmp_path / "train" / "labels"
    for stem in "bc":
        (labels / f"{stem}.txt").unlink()
    (labels / "classes.txt").write_text("cow\n", encoding="utf-8")
    if not images_folder:  # labels only: every label file of the folder is a row
        (tmp_path / "train" / "images" / "a.png").unlink()
        (tmp_path / "train" / "images").rmdir()
    ds = posebridge.load(path, image_size=(200, 100))
    assert ds.sizes["time"] == 1
    np.testing.assert_allclose(
        ds.position.isel(time=0, individual=0).values.T, expected_xy("a", 200, 100)
    )
    posebridge.save(ds, path, overwrite=True)  # not refused for classes.txt
    assert (labels / "classes.txt").read_text(encoding="utf-8") == "cow\n"
    assert posebridge.load(path, image_size=(200, 100)).sizes["time"] == 1


def test_a_label_whose_image_is_of_a_type_yolo_does_not_read_says_so(tmp_path):
    """b.gif was there, yet the message said the image of b.txt was absent."""
    path = tree(tmp_path)
    Image.new("RGB", (200, 100)).save(tmp_path / "train" / "images" / "b.gif")
    with pytest.raises(FormatError, match=r"b\.txt: its image b\.gif is of a type YOLO does not "
                       r"read \(Ultralytics reads .*\bjpg\b.*\bpng\b") as error:  # fmt: skip
        posebridge.load(path)
    assert "absent" not in str(error.value)


def test_label_without_its_image_names_the_read_option_on_the_command_line(tmp_path):
    """The command line said "pass image_size=(width, height)", which it has no flag for."""
    from posebridge.errors import worded_for_command_line

    with pytest.raises(FormatError, match="image of this label file is absent") as got:
        posebridge.load(tree(tmp_path))
    worded = worded_for_command_line(got.value)
    assert worded.endswith("pass --read-option 'image_size=[W,H]' (width and height in pixels).")
