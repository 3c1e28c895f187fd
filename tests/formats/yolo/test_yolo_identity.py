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


@pytest.mark.parametrize("names", [["untracked_0", "untracked_1"], ["id_0"], ["individual_0"]])
def test_names_without_an_identity_give_no_identity_warning(tmp_path, names):
    """Guard: untracked instances have no identity to lose, and a lone individual's name a
    tool made up (posebridge.from_numpy's id_0) names nothing."""
    assert identity_warnings(two_images_of(names), tmp_path / "data.yaml") == []


@pytest.mark.parametrize(
    "names", [["id_0", "id_1"], ["individual1", "individual2"], ["track_0", "track_1"]]
)
def test_numbered_individuals_lose_which_is_which_and_are_warned_about(tmp_path, names):
    """A tracker's track_<k>, maDLC's individual<k> and an array's id_<k> say which animal
    is which across images; the label lines do not: they read back ranked per image."""
    path = tmp_path / "data.yaml"
    (warning,) = identity_warnings(two_images_of(names), path)
    assert f"the individuals {', '.join(names)} read back as untracked_<k>" in warning


def test_only_the_names_not_made_up_are_named(tmp_path):
    (warning,) = identity_warnings(two_images_of(["untracked_0", "mouse"]), tmp_path / "data.yaml")
    assert "the individuals mouse read back" in warning
