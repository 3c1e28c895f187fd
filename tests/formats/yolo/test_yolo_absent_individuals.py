"""YOLO pose (dataset and predictions) writes a line per instance with a point: an
individual without any point is not in the files, and the writer says so."""

from __future__ import annotations

import pytest

import posebridge
from _absent_entries import (
    KEYPOINTS,
    absent,
    not_written_warnings,
    placed,
    save_recording,
    with_absent,
)

SIZE = (640, 480)


@pytest.mark.parametrize("kind", ["labels", "poses"])
def test_a_dataset_individual_without_a_point_is_named_in_a_warning(tmp_path, kind):
    ds = with_absent(kind, "individual")
    path = tmp_path / "data.yaml"
    messages = save_recording(lambda: posebridge.save(ds, path, format="yolo", image_size=SIZE))
    (warning,) = not_written_warnings(messages)
    assert warning.startswith(f"{path}: the individual(s) {absent(ds)!r} have no point")
    assert "YOLO pose labels hold an individual only through its lines" in warning
    back = posebridge.load(path, image_size=SIZE)
    assert back.sizes["individual"] == len(placed(ds))  # identities are ranks: only a count


def test_a_predicted_track_without_a_point_is_named_in_a_warning(tmp_path):
    ds = with_absent("poses", "individual")
    path = tmp_path / "labels" / "video.txt"
    path.parent.mkdir()
    messages = save_recording(
        lambda: posebridge.save(ds, path, format="yolo-predictions", image_size=SIZE)
    )
    (warning,) = not_written_warnings(messages)
    files = path.parent / "video_<frame + 1>.txt"
    assert warning.startswith(f"{files}: the individual(s) {absent(ds)!r} have no point")
    back = posebridge.load(
        path.parent, format="yolo-predictions", keypoint_names=KEYPOINTS, image_size=SIZE
    )
    # tracks are numbered in the individuals' order from 1; the absent one's number is gone
    numbers = [ds.individual.values.tolist().index(name) + 1 for name in placed(ds)]
    assert back.individual.values.tolist() == [f"track_{n}" for n in numbers]


def test_every_individual_with_a_point_gives_no_such_warning(tmp_path):
    ds = with_absent("labels", "individual")
    kept = ds.sel(individual=placed(ds))
    messages = save_recording(
        lambda: posebridge.save(kept, tmp_path / "data.yaml", format="yolo", image_size=SIZE)
    )
    assert not_written_warnings(messages) == []
