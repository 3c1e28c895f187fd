"""VIA has a region per box: a track without any box is not in the file, and the writer
says so."""

from __future__ import annotations

import numpy as np

import posebridge
from _absent_entries import not_written_warnings, save_recording
from posebridge.model.build import bboxes_from_numpy


def test_a_track_without_a_box_is_named_in_a_warning(tmp_path):
    centres = np.arange(4 * 2 * 3, dtype=np.float64).reshape(4, 2, 3) + 20.0
    sizes = np.full((4, 2, 3), 6.0)
    centres[..., 1] = np.nan
    ds = bboxes_from_numpy(centres, sizes, individual_names=["id_1", "id_2", "id_3"])
    boxed = ds.individual.values[np.isfinite(centres).any(axis=(0, 1))].tolist()
    path = tmp_path / "tracks.csv"
    messages = save_recording(lambda: posebridge.save(ds, path, format="via"))
    (warning,) = not_written_warnings(messages)
    assert warning.startswith(f"{path}: the individual(s) ['id_2'] have no box")
    assert posebridge.load(path, format="via").individual.values.tolist() == boxed
