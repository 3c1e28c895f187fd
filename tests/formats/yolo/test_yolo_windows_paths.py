"""Windows absolute image paths are absolute to the YOLO writer, wherever it runs.

``PurePosixPath("C:/data/images/a.png").is_absolute()`` is False on every system, so an
image path written on Windows was taken for a relative one under an ``images`` folder,
and the writer built a ``C:/Users/...`` folder tree inside the output.
"""

from __future__ import annotations

import os
import warnings

import numpy as np
import pytest

import posebridge
from posebridge.formats import yolo
from posebridge.model import labels

DRIVE_PATHS = {
    "backslashes": r"C:\Users\me\proj\images\img001.png",
    "slashes": "C:/Users/me/proj/images/img001.png",
    "lower-case drive": r"d:\proj\images\img001.png",
}
UNC_PATHS = [r"\\server\share\proj\images\img001.png", "//server/share/proj/images/img001.png"]


def one_image(image_path: str):
    position = np.array([[[[10.0], [20.0]], [[30.0], [40.0]]]])  # (time, space, kp, ind)
    ds = labels.from_numpy(position, image_path=[image_path])
    return ds.assign_coords(image_width=("time", [100]), image_height=("time", [100]))


def written_tree(root) -> list[str]:
    return sorted(
        os.path.relpath(os.path.join(folder, name), root).replace(os.sep, "/")
        for folder, _, names in os.walk(root)
        for name in names
    )


@pytest.mark.parametrize("image_path", DRIVE_PATHS.values(), ids=DRIVE_PATHS.keys())
def test_a_windows_absolute_image_goes_to_the_splits_images_folder(tmp_path, image_path):
    out = tmp_path / "out"
    out.mkdir()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yolo.write(one_image(image_path), out / "data.yaml")
    # as a POSIX absolute path is placed: no folder named after the drive or the share
    assert written_tree(out) == ["data.yaml", "train/labels/img001.txt"]
    assert "train: train/images" in (out / "data.yaml").read_text().splitlines()


def test_a_windows_absolute_image_is_placed_as_a_posix_one_is(tmp_path):
    trees = []
    posix = "/home/me/proj/images/img001.png"
    for n, image_path in enumerate([posix, *DRIVE_PATHS.values(), *UNC_PATHS]):
        out = tmp_path / f"out{n}"
        out.mkdir()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yolo.write(one_image(image_path), out / "data.yaml")
        trees.append(written_tree(out))
    assert all(tree == trees[0] for tree in trees)


def test_windows_images_of_two_folders_keep_their_folder_names_without_the_drive(tmp_path):
    position = np.ones((2, 2, 1, 1)) * 5
    ds = labels.from_numpy(
        position,
        image_path=[
            r"C:\proj\images\videoA\img001.png",
            r"\\server\share\images\videoB\img001.png",
        ],
    ).assign_coords(image_width=("time", [100, 100]), image_height=("time", [100, 100]))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        (_, *label_files) = posebridge.save(ds, tmp_path / "data.yaml", "yolo")
    assert [p.relative_to(tmp_path).as_posix() for p in label_files] == [
        "train/labels/videoA/img001.txt",
        "train/labels/videoB/img001.txt",
    ]
