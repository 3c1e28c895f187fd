"""A SLEAP CSV has a row per instance with a point or a score: a track without either
is not in the file, and the writer says so."""

from __future__ import annotations

import numpy as np

import posebridge
from _absent_entries import absent, not_written_warnings, placed, save_recording, with_absent


def test_a_track_without_a_point_or_score_is_named_in_a_warning(tmp_path):
    ds = with_absent("poses", "individual")
    path = tmp_path / "p.analysis.csv"
    messages = save_recording(lambda: posebridge.save(ds, path, format="sleap-csv"))
    (warning,) = not_written_warnings(messages)
    assert warning.startswith(
        f"{path}: the individual(s) {absent(ds)!r} have neither a point nor a score"
    )
    assert posebridge.load(path).individual.values.tolist() == placed(ds)


def test_a_track_with_scores_but_no_point_is_written_without_a_warning(tmp_path):
    ds = with_absent("poses", "individual")
    ds["confidence"] = ds.confidence.fillna(0.25)  # the track without points has scores
    path = tmp_path / "p.analysis.csv"
    messages = save_recording(lambda: posebridge.save(ds, path, format="sleap-csv"))
    assert not_written_warnings(messages) == []
    back = posebridge.load(path)
    assert sorted(back.individual.values.tolist()) == sorted(ds.individual.values.tolist())
    assert np.isnan(back.position.sel(individual=absent(ds)).values).all()
