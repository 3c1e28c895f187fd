"""COCO writes an annotation per instance with a point: an individual without any point
is not in the file, and the writer says so."""

from __future__ import annotations

import pytest

import posebridge
from _absent_entries import absent, not_written_warnings, placed, save_recording, with_absent


@pytest.mark.parametrize(
    ("kind", "coco_kind", "holder"),
    [
        ("labels", "ground_truth", "COCO ground truth holds an individual only through"),
        ("poses", "results", "a COCO results file holds an individual only through"),
    ],
)
def test_an_individual_without_a_point_is_named_in_a_warning_and_is_not_read_back(
    tmp_path, kind, coco_kind, holder
):
    ds = with_absent(kind, "individual")
    path = tmp_path / "out.json"
    messages = save_recording(
        lambda: posebridge.save(ds, path, format="coco", kind=coco_kind, image_size=(640, 480))
    )
    (warning,) = not_written_warnings(messages)
    assert warning.startswith(f"{path}: the individual(s) {absent(ds)!r} have no point")
    assert holder in warning
    assert posebridge.load(path).individual.values.tolist() == placed(ds)


def test_every_individual_with_a_point_gives_no_such_warning(tmp_path):
    ds = with_absent("labels", "individual")
    kept = ds.sel(individual=placed(ds))
    messages = save_recording(
        lambda: posebridge.save(kept, tmp_path / "gt.json", format="coco", image_size=(640, 480))
    )
    assert not_written_warnings(messages) == []
