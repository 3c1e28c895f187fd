"""YOLO pose labels hold a class, a box and keypoints per line, no identity: named
individuals read back as ``untracked_<k>``, and the writer says so."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import posebridge
from posebridge.model import labels

SIZE = (64, 48)


def two_images_of(names: list[str]) -> object:
    """Labelled frames: 2 images, 2 keypoints, every individual placed in both."""
    position = np.arange(1.0, 1.0 + 2 * 2 * 2 * len(names)).reshape(2, 2, 2, len(names))
    return labels.from_numpy(
        position,
        image_path=["a.png", "b.png"],
        keypoint_names=["nose", "tail"],
        individual_names=names,
    )


def identity_warnings(ds, path) -> list[str]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        posebridge.save(ds, path, format="yolo", image_size=SIZE)
    return [str(w.message) for w in caught if "read back as untracked_<k>" in str(w.message)]


@pytest.mark.parametrize("names", [["mouse", "rat"], ["mouse"]])
def test_named_individuals_are_said_to_read_back_untracked(tmp_path, names):
    path = tmp_path / "data.yaml"
    (warning,) = identity_warnings(two_images_of(names), path)
    assert warning.startswith(f"{path}: YOLO pose labels")
    assert f"the individuals {', '.join(names)} read back as untracked_<k>" in warning
    assert "COCO (.json)" in warning and "netCDF (.nc)" in warning  # where they are kept
    back = posebridge.load(path, image_size=SIZE)
    assert back.individual.values.tolist() == [f"untracked_{k}" for k in range(len(names))]


@pytest.mark.parametrize(
    "names",
    [
        ["untracked_0", "untracked_1"],
        ["id_0", "id_1"],
        ["id_0"],
        ["untracked_0", "id_1"],  # a mix of made-up names: warned about before
        ["individual1", "individual2"],  # DeepLabCut's: warned about before
    ],
)
def test_made_up_names_give_no_identity_warning(tmp_path, names):
    """Guard: names YOLO reads back as they are, or that a tool made up for data that
    named none (posebridge.from_numpy's id_<k>), lose nothing worth a warning."""
    assert identity_warnings(two_images_of(names), tmp_path / "data.yaml") == []


def test_only_the_names_not_made_up_are_named(tmp_path):
    (warning,) = identity_warnings(two_images_of(["id_0", "mouse"]), tmp_path / "data.yaml")
    assert "the individuals mouse read back" in warning
