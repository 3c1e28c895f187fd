"""Label Studio writes a region per instance with a point: an individual without any
point is not in the tasks, and the writer says so (besides the identities it never keeps)."""

from __future__ import annotations

import pytest

import posebridge
from _absent_entries import absent, not_written_warnings, placed, save_recording, with_absent


@pytest.mark.parametrize("kind", ["labels", "poses"])
def test_an_individual_without_a_point_is_named_in_a_warning(tmp_path, kind):
    ds = with_absent(kind, "individual")
    path = tmp_path / "tasks.json"
    messages = save_recording(
        lambda: posebridge.save(ds, path, format="labelstudio", image_size=(640, 480))
    )
    (warning,) = not_written_warnings(messages)
    assert warning.startswith(f"{path}: the individual(s) {absent(ds)!r} have no point")
    assert "Label Studio tasks hold an individual only through its regions" in warning
    back = posebridge.load(path)
    assert back.sizes["individual"] == len(placed(ds))  # ranked per task: only a count


def test_every_individual_with_a_point_gives_no_such_warning(tmp_path):
    ds = with_absent("labels", "individual")
    kept = ds.sel(individual=placed(ds))
    messages = save_recording(
        lambda: posebridge.save(
            kept, tmp_path / "tasks.json", format="labelstudio", image_size=(640, 480)
        )
    )
    assert not_written_warnings(messages) == []
