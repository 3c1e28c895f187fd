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


def _ultralytics_requires_train_and_val(data: dict) -> None:
    """Ultralytics' check_det_dataset: a data.yaml without train or val does not open."""
    for key in ("train", "val"):
        assert key in data or (key == "val" and "validation" in data), key


@pytest.mark.parametrize("splits", [["train", "train"], ["train", "test"]])
def test_without_val_rows_val_names_the_train_images_and_reads_back_quietly(tmp_path, splits):
    """A dataset without val rows (any conversion from a format without splits) wrote
    'train:' alone, which Ultralytics refuses ("'val:' key missing")."""
    import warnings

    import yaml

    posebridge.save(labelled(splits), tmp_path / "data.yaml")
    data = yaml.safe_load((tmp_path / "data.yaml").read_text())
    _ultralytics_requires_train_and_val(data)
    assert data["val"] == data["train"]
    assert ("test" in data) == ("test" in splits)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # nothing amiss in our own file
        back = posebridge.load(tmp_path / "data.yaml", image_size=(100, 100))
    assert sorted(back.data_split.values.tolist()) == sorted(splits)
    assert back.sizes["time"] == len(splits)
