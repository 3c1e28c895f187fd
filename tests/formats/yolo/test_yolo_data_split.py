"""The YOLO writer's splits: each row's ``data_split`` names its data.yaml split.

A data.yaml lists train, val and test images only; the spellings of those splits that
other tools write (LightningPose's ``validation``) are mapped, and any other value
(LightningPose's ``unused``, a ``holdout``) is refused instead of being trained on.
"""

from __future__ import annotations

import numpy as np
import pytest

import posebridge
from posebridge.errors import SchemaError
from posebridge.model import labels


def labelled(splits: list[str]):
    """Labels on 100 x 100 images, one per split value."""
    n = len(splits)
    position = np.random.default_rng(0).uniform(10, 90, (n, 2, 3, 1))
    ds = labels.from_numpy(position, image_path=[f"img{i}.jpg" for i in range(n)])
    return ds.assign_coords(
        image_width=("time", [100] * n),
        image_height=("time", [100] * n),
        data_split=("time", splits),
    )


def test_split_spellings_are_mapped_and_other_splits_refused(tmp_path):
    given = ["train", "validation", "Valid", "test", ""]
    posebridge.save(labelled(given), tmp_path / "data.yaml", split="val")
    back = posebridge.load(tmp_path / "data.yaml", image_size=(100, 100))
    expected = {"img0": "train", "img1": "val", "img2": "val", "img3": "test"}
    expected["img4"] = "val"  # no split: the split= option
    found = dict(
        zip(
            [p.rsplit("/", 1)[1].removesuffix(".jpg") for p in back.image_path.values.tolist()],
            back.data_split.values.tolist(),
            strict=True,
        )
    )
    assert found == expected

    out = tmp_path / "other"
    out.mkdir()
    with pytest.raises(SchemaError, match=r"3 row\(s\) .*\('unused', 'holdout'\).*Relabel"):
        posebridge.save(labelled(["train", "unused", "holdout", "unused"]), out / "data.yaml")
    assert list(out.iterdir()) == []  # nothing written
