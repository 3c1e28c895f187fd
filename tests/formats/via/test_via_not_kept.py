"""What a VIA tracks file cannot hold is named in a warning, never dropped without a word:
half a box, a score without a box, variables beyond the boxes, time in seconds off the
frames."""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

import posebridge
from posebridge._recorded_warnings import recording_warnings
from posebridge.formats._shared.track_order import reordered
from posebridge.model import bboxes_from_numpy


def _boxes():
    centres = np.arange(3 * 2 * 2, dtype=np.float64).reshape(3, 2, 2) + 10.0
    sizes = np.full((3, 2, 2), 4.0)
    scores = np.full((3, 2), 0.5)
    return centres, sizes, scores


def _save(ds, path) -> list[str]:
    with recording_warnings() as shown:
        posebridge.save(ds, path, format="via")
    return [str(warning.message) for warning in shown]


def test_a_centre_without_a_size_and_a_size_without_a_centre_are_said_to_be_lost(tmp_path):
    centres, sizes, scores = _boxes()
    sizes[1, :, 0] = np.nan  # a centre, no size
    centres[2, :, 1] = np.nan  # a size, no centre
    ds = bboxes_from_numpy(centres, sizes, scores, individual_names=["id_1", "id_2"])
    path = tmp_path / "tracks.csv"
    said = [text for text in _save(ds, path) if "whole rectangle" in text]
    halves = int((np.isfinite(centres).all(1) ^ np.isfinite(sizes).all(1)).sum())
    orphan_scores = int((~(np.isfinite(centres).all(1) & np.isfinite(sizes).all(1))).sum())
    assert len(said) == 1
    assert said[0].startswith(f"{path}: {halves} box(es) with a centre but no size")
    assert f"{orphan_scores} score(s) of boxes with no centre or no size" in said[0]
    back = posebridge.load(path, format="via")
    assert np.isnan(back.position.values[1, :, 0]).all()  # what the warning said
    assert np.isnan(back.shape.values[2, :, 1]).all()
    whole = bboxes_from_numpy(*_boxes(), individual_names=["id_1", "id_2"])
    assert _save(whole, tmp_path / "whole.csv") == []  # nothing lost, nothing said


def test_variables_other_than_the_boxes_are_named_as_not_written(tmp_path):
    ds = bboxes_from_numpy(*_boxes(), individual_names=["id_1", "id_2"])
    ds["track_score"] = ds["confidence"] * 2
    path = tmp_path / "tracks.csv"
    (said,) = _save(ds, path)
    assert said.startswith(f"{path}: VIA tracks files have no place for track_score")
    assert "track_score" not in posebridge.load(path, format="via")


def test_times_in_seconds_off_the_frames_are_said_to_be_lost(tmp_path):
    ds = bboxes_from_numpy(*_boxes(), individual_names=["id_1", "id_2"], fps=25.0)
    session_clock = ds.assign_coords(time=[0.1, 0.2, 0.37])
    path = tmp_path / "tracks.csv"
    (said,) = _save(session_clock, path)
    assert said.startswith(f"{path}: the dataset's time in seconds is not kept")
    assert "netCDF (.nc)" in said and "NWB" not in said  # NWB holds no boxes
    assert posebridge.load(path, format="via").attrs["time_unit"] == "frames"
    assert _save(ds, tmp_path / "on_grid.csv") == []  # frame / fps: had again from the rate


def test_times_counted_from_the_first_frame_as_vias_reader_counts_them_are_kept(tmp_path):
    """VIA's reader counts time from the file's first frame: a VIA file read with fps=30
    (time = (frame - 11) / 30) written back was warned 'time in seconds is not kept',
    though it reads back with the same times."""
    centres, sizes, scores = _boxes()
    frames = np.array([11, 12, 14])
    ds = bboxes_from_numpy(
        centres, sizes, scores, individual_names=["id_1", "id_2"], frame_array=frames, fps=30
    )
    counted = ds.assign_coords(time=(frames - frames[0]) / 30, frame=("time", frames))
    path = tmp_path / "tracks.csv"
    assert not [text for text in _save(counted, path) if "time in seconds" in text]
    back = posebridge.load(path, format="via", fps=30)
    np.testing.assert_allclose(back.time.values, counted.time.values)
    # times that are neither frame / fps nor counted from the first frame are still said
    off = counted.assign_coords(time=counted.time.values + 0.01)
    assert [text for text in _save(off, tmp_path / "off.csv") if "time in seconds" in text]


def test_tracks_whose_ids_are_not_in_the_datasets_order_are_warned_as_read_back_by_id(tmp_path):
    """A VIA reader gives the tracks in the order of their ids: id_5 listed before id_2
    reads back after it, which the writer says once, naming the order read back (h172
    finding 4); numbering by position keeps the order, without a warning."""
    centres, sizes, scores = _boxes()
    ds = bboxes_from_numpy(centres, sizes, scores, individual_names=["id_5", "id_2"])
    path = tmp_path / "t.csv"
    said = [m for m in _save(ds, path) if "order" in m]
    assert len(said) == 1
    assert said[0].startswith(f"{path}: a VIA tracks file gives its tracks back in the order")
    assert "read back in the order 'id_2', 'id_5' (written from" not in said[0]
    assert "read back in the order 'id_2', 'id_5', not the dataset's" in said[0]
    assert posebridge.load(path, format="via").individual.values.tolist() == ["id_2", "id_5"]
    with recording_warnings() as shown:
        posebridge.save(
            ds, tmp_path / "p.csv", format="via", track_ids_from_trailing_numbers=False
        )
    assert not [w for w in shown if "order" in str(w.message)]
    assert posebridge.load(tmp_path / "p.csv").individual.values.tolist() == ["id_0", "id_1"]
    in_order = ds.isel(individual=[1, 0])  # id_2, id_5: read back as written
    assert not [m for m in _save(in_order, tmp_path / "o.csv") if "order" in m]


@settings(max_examples=40, deadline=None)
@given(
    tracks=st.lists(st.integers(0, 40), min_size=1, max_size=6, unique=True).flatmap(
        lambda ids: st.tuples(
            st.just(ids),
            st.lists(st.booleans(), min_size=len(ids), max_size=len(ids)).filter(any),
        )
    )
)
def test_the_order_warned_about_is_the_order_the_reader_gives_back(tracks):
    """The VIA writer computes the order read back with the helper COCO and YOLO use
    (_shared.track_order.reordered; it had its own copy, f158 #2): it warns exactly when
    the reader gives the written tracks back in another order than the dataset's, and
    names that order; an individual with no box (not written) moves no other."""
    ids, written = tracks
    n = len(ids)
    centres = np.tile(np.arange(n, dtype=np.float64) + 10.0, (2, 2, 1))
    sizes = np.full((2, 2, n), 4.0)
    centres[:, :, ~np.asarray(written)] = np.nan  # no box: not in the file
    names = [f"id_{track}" for track in ids]
    ds = bboxes_from_numpy(centres, sizes, np.full((2, n), 0.5), individual_names=names)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "t.csv"
        said = [m for m in _save(ds, path) if "gives its tracks back in the order" in m]
        back = posebridge.load(path, format="via").individual.values.tolist()
    in_dataset_order = [name for name, kept in zip(names, written, strict=True) if kept]
    assert sorted(back) == sorted(in_dataset_order)
    order = reordered(np.asarray(ids, dtype=np.int64), np.asarray(written))
    if back == in_dataset_order:
        assert said == [] and order is None
    else:
        assert len(said) == 1, said
        assert [names[k] for k in order] == back
        shown = ", ".join(repr(name) for name in back[:8])
        assert f"read back in the order {shown}" in said[0], said[0]
