"""Writing YOLO pose predictions: track ids from individual names, untracked lines, scores.

``yolo pose track`` ends each line with the track id; a frame where the tracker found no
track has lines without one (every line of a file has the same columns). Ultralytics'
confidences are probabilities, written as 0..1. Expected values are worked out by hand.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import xarray as xr

from posebridge import model
from posebridge.errors import SchemaError
from posebridge.formats.yolo import predictions, predictions_write

SIZE = (100, 100)


def one_point_each(names: list[str], at: dict[int, list[int]]) -> xr.Dataset:
    """One keypoint per individual; ``at[t]`` lists the individuals present at time ``t``,
    individual ``i`` at x = 10 * (i + 1), y = 5, confidence 0.9."""
    n_time = max(at) + 1
    position = np.full((n_time, 2, 1, len(names)), np.nan)
    confidence = np.full((n_time, 1, len(names)), np.nan)
    for t, present in at.items():
        for i in present:
            position[t, :, 0, i] = [10.0 * (i + 1), 5.0]
            confidence[t, 0, i] = 0.9
    return model.from_numpy(position, confidence, names, ["nose"])


def x_of(ds: xr.Dataset, individual: str) -> list[float]:
    return ds.position.sel(individual=individual, space="x", keypoint="nose").values.tolist()


def read_back(folder: Path) -> xr.Dataset:
    return predictions.read(folder, keypoint_names=["nose"], kpt_shape=[1, 3], image_size=SIZE)


def test_track_names_keep_their_ids_and_other_names_take_free_ids(tmp_path):
    """A name that is not track_<n> no longer renumbers every individual by position."""
    ds = one_point_each(["track_4", "mouse", "track_2", "rat"], {0: [0, 1, 2, 3]})
    written = predictions_write.write(ds, tmp_path / "clip.txt", image_size=SIZE)
    ids = [line.split()[-1] for line in written[0].read_text().splitlines()]
    # mouse: no id between 4 and the next track (2) -> above all, 5; rat: the first free
    # id after track_2, 3
    assert ids == ["4", "5", "2", "3"]
    back = read_back(tmp_path)
    assert back.individual.values.tolist() == ["track_2", "track_3", "track_4", "track_5"]
    assert x_of(back, "track_4") == [10.0]
    assert x_of(back, "track_2") == [30.0]
    assert x_of(back, "track_5") == [20.0]  # mouse
    assert x_of(back, "track_3") == [40.0]  # rat


def test_names_before_a_track_take_ids_that_keep_their_order(tmp_path):
    """Read back in id order, ["mouse", "track_4"] came back as [track_4, mouse]."""
    ds = one_point_each(["mouse", "track_4"], {0: [0, 1]})
    written = predictions_write.write(ds, tmp_path / "clip.txt", image_size=SIZE)
    assert [line.split()[-1] for line in written[0].read_text().splitlines()] == ["1", "4"]
    back = read_back(tmp_path)
    assert back.individual.values.tolist() == ["track_1", "track_4"]
    assert x_of(back, "track_1") == [10.0]  # mouse, still first


def test_names_without_any_track_number_are_numbered_from_one(tmp_path):
    ds = one_point_each(["mouse", "rat"], {0: [0, 1]})
    written = predictions_write.write(ds, tmp_path / "clip.txt", image_size=SIZE)
    assert [line.split()[-1] for line in written[0].read_text().splitlines()] == ["1", "2"]


@pytest.mark.parametrize("names", [["track_01", "track_1"], ["track_7", "a", "track_007"]])
def test_names_that_give_the_same_track_id_are_refused_naming_them(tmp_path, names):
    ds = one_point_each(names, {0: list(range(len(names)))})
    with pytest.raises(SchemaError, match="track id") as refused:
        predictions_write.write(ds, tmp_path / "clip.txt", image_size=SIZE)
    clashing = [n for n in names if n.startswith("track_")]
    for name in clashing:
        assert repr(name) in str(refused.value)
    assert list(tmp_path.iterdir()) == []


def test_a_track_id_the_reader_cannot_hold_exactly_is_refused(tmp_path):
    """2**53 + 1 read as float64 would come back as 2**53: another track."""
    ds = one_point_each([f"track_{2**53 + 1}"], {0: [0]})
    with pytest.raises(SchemaError, match=r"2\*\*53"):
        predictions_write.write(ds, tmp_path / "clip.txt", image_size=SIZE)


def test_untracked_individuals_alone_in_a_frame_are_written_without_an_id(tmp_path):
    """As Ultralytics writes a track run's frame without tracks: read back the same."""
    ds = one_point_each(["track_3", "untracked_0", "untracked_1"], {0: [0], 1: [1, 2]})
    written = predictions_write.write(ds, tmp_path / "clip.txt", image_size=SIZE)
    assert [p.name for p in written] == ["clip_1.txt", "clip_2.txt"]
    assert [len(line.split()) for line in written[0].read_text().splitlines()] == [9]
    assert [len(line.split()) for line in written[1].read_text().splitlines()] == [8, 8]
    back = read_back(tmp_path)
    assert back.individual.values.tolist() == ["track_3", "untracked_0", "untracked_1"]
    np.testing.assert_array_equal(x_of(back, "track_3"), [10.0, np.nan])
    np.testing.assert_array_equal(x_of(back, "untracked_0"), [np.nan, 20.0])
    np.testing.assert_array_equal(x_of(back, "untracked_1"), [np.nan, 30.0])


def test_what_was_read_from_a_track_run_writes_back_the_same_lines(tmp_path):
    """Tracked frames and a frame without tracks (one column fewer) round-trip."""
    labels = tmp_path / "labels"
    labels.mkdir()
    tracked = "0 0.5 0.5 0.1 0.1 0.5 0.5 0.9 4\n"
    untracked = "0 0.25 0.25 0.1 0.1 0.25 0.25 0.8\n"
    (labels / "v_1.txt").write_text(tracked)
    (labels / "v_2.txt").write_text(untracked)
    ds = read_back(labels)
    out = tmp_path / "out"
    out.mkdir()
    written = predictions_write.write(ds, out / "v.txt", image_size=SIZE)
    assert [p.read_text() for p in written] == [tracked, untracked]


def test_untracked_individuals_beside_tracked_ones_are_numbered_above(tmp_path):
    """A frame's lines all have an id or none: in a frame with a track, they get one."""
    ds = one_point_each(["untracked_0", "track_3"], {0: [0, 1]})
    written = predictions_write.write(ds, tmp_path / "clip.txt", image_size=SIZE)
    assert [line.split()[-1] for line in written[0].read_text().splitlines()] == ["4", "3"]


@pytest.mark.parametrize(
    ("variable", "value", "shown"),
    [("confidence", 1.35, "1.35"), ("instance_score", 40.7, "40.7"), ("confidence", -0.5, "-0.5")],
)
def test_scores_outside_zero_to_one_are_refused_naming_the_variable(
    tmp_path, variable, value, shown
):
    """SLEAP's scores can exceed 1; Ultralytics' reader (and ours) take 0..1 only."""
    ds = one_point_each(["track_1", "track_2"], {0: [0, 1], 1: [0]})
    ds["instance_score"] = (("time", "individual"), np.full((2, 2), 0.5))
    grid = ds[variable].values
    grid[(0,) * grid.ndim] = value
    with pytest.raises(SchemaError, match=rf"'{variable}' holds values from") as refused:
        predictions_write.write(ds, tmp_path / "clip.txt", image_size=SIZE)
    assert shown in str(refused.value)
    assert list(tmp_path.iterdir()) == []


def test_untracked_lines_keep_an_id_when_a_whole_box_confidence_would_be_taken_for_one(
    tmp_path,
):
    """A lone trailing whole number reads as a track id: with scores of 1 and no id on
    any line, the untracked individuals are numbered instead, and read back as tracks."""
    ds = one_point_each(["untracked_0", "untracked_1"], {0: [0, 1]})
    ds["instance_score"] = (("time", "individual"), np.ones((1, 2)))
    written = predictions_write.write(ds, tmp_path / "clip.txt", image_size=SIZE)
    assert [line.split()[-2:] for line in written[0].read_text().splitlines()] == [
        ["1", "1"],
        ["1", "2"],
    ]
    back = read_back(tmp_path)
    assert back.individual.values.tolist() == ["track_1", "track_2"]
    assert back.instance_score.values.tolist() == [[1.0, 1.0]]


@pytest.mark.parametrize(
    ("track_ids", "read_as"),
    [(True, ["track_1", "track_2"]), (False, ["untracked_0", "untracked_1"])],
)
def test_named_individuals_are_said_to_lose_their_names(tmp_path, track_ids, read_as):
    """A line holds no name: mouse and rat read back as track_<id> or untracked_<k>,
    and nothing said so."""
    ds = one_point_each(["mouse", "rat"], {0: [0, 1]})
    with pytest.warns(UserWarning, match="keep no individual names") as caught:
        predictions_write.write(ds, tmp_path / "clip.txt", image_size=SIZE, track_ids=track_ids)
    (warning,) = [str(w.message) for w in caught if "keep no individual names" in str(w.message)]
    assert warning.startswith(f"{tmp_path / 'clip_<frame + 1>.txt'}: YOLO pose predictions")
    assert "the individuals mouse, rat read back as" in warning
    assert read_back(tmp_path).individual.values.tolist() == read_as  # as said


@pytest.mark.parametrize("names", [["track_3", "track_5"], ["untracked_0", "id_1"]])
def test_made_up_names_are_not_said_to_be_lost(tmp_path, names, recwarn):
    predictions_write.write(one_point_each(names, {0: [0, 1]}), tmp_path / "clip.txt",
                            image_size=SIZE)  # fmt: skip
    assert not [w for w in recwarn.list if "individual names" in str(w.message)]


def test_a_lone_track_that_reads_back_as_it_is_is_not_said_to_be_lost(tmp_path, recwarn):
    predictions_write.write(one_point_each(["track_3"], {0: [0]}), tmp_path / "clip.txt",
                            image_size=SIZE)  # fmt: skip
    assert not [w for w in recwarn.list if "individual names" in str(w.message)]
    assert read_back(tmp_path).individual.values.tolist() == ["track_3"]


def test_a_missing_point_without_a_confidence_is_written_as_ultralytics_loads_it(tmp_path):
    """A missing point whose confidence was NaN was written ``0 0 nan``, and Ultralytics'
    label loader refuses a file holding a value that is not >= 0 (NaN >= 0 is false) as
    corrupt: it is written ``0 0 0``, a missing point there, and reads back missing with
    confidence 0 (README). ``0 0 nan`` still reads back as missing without a
    confidence."""
    position = np.full((1, 2, 3, 1), 20.0)
    position[0, :, 1, 0] = np.nan  # keypoint 1 missing
    confidence = np.array([[[0.9], [np.nan], [0.3]]])  # and without a confidence
    ds = model.from_numpy(position, confidence, ["track_1"], ["a", "b", "c"])
    (tmp_path / "labels").mkdir()
    written = predictions_write.write(ds, tmp_path / "labels" / "v.txt", image_size=SIZE)
    values = written[0].read_text().split()
    assert values[8:11] == ["0", "0", "0"]
    assert all(float(v) >= 0 for v in values)  # Ultralytics' check of a label file
    back = predictions.read(tmp_path / "labels", image_size=SIZE, kpt_shape=[3, 3])
    np.testing.assert_array_equal(back.position.values, position)
    np.testing.assert_array_equal(back.confidence.values.ravel(), [0.9, 0.0, 0.3])
    written[0].write_text(" ".join([*values[:8], "0", "0", "nan", *values[11:]]) + "\n")
    back = predictions.read(tmp_path / "labels", image_size=SIZE, kpt_shape=[3, 3])
    np.testing.assert_array_equal(back.position.values, position)
    np.testing.assert_array_equal(back.confidence.values.ravel(), confidence.ravel())


def test_the_frame_size_is_asked_for_with_the_command_lines_flag(tmp_path):
    from posebridge.errors import worded_for_command_line

    with pytest.raises(SchemaError) as got:
        predictions_write.write(one_point_each(["a"], {0: [0]}), tmp_path / "clip.txt")
    assert worded_for_command_line(got.value).endswith(
        "pass --option 'image_size=[W,H]' (width and height in pixels)."
    )


def test_3d_poses_are_refused_with_what_the_command_line_can_do(tmp_path):
    """The command line cannot select x and y: it names --to nwb / --to netcdf instead."""
    from posebridge.errors import worded_for_command_line

    position = np.zeros((2, 3, 1, 1))
    ds = model.from_numpy(position, None, ["a"], ["nose"])
    with pytest.raises(SchemaError, match=r"2D \(x, y\).*3 spatial") as got:
        predictions_write.write(ds, tmp_path / "clip.txt", image_size=SIZE)
    python = str(got.value)
    assert "ds.sel(space=['x', 'y'])" in python and "one view" not in python
    said = worded_for_command_line(got.value)
    assert "--to nwb or --to netcdf" in said
    assert "selecting x and y takes Python (ds.sel(space=['x', 'y']))" in said
    assert "select x and y first" not in said
    assert list(tmp_path.iterdir()) == []


def test_camera_views_are_refused_with_what_the_command_line_can_do(tmp_path):
    from posebridge.errors import worded_for_command_line

    ds = one_point_each(["a"], {0: [0]}).expand_dims(view=["left", "right"], axis=-1)
    with pytest.raises(SchemaError, match=r"2 camera views \(left, right\)") as got:
        predictions_write.write(ds, tmp_path / "clip.txt", image_size=SIZE)
    said = worded_for_command_line(got.value)
    assert "picking one takes Python (e.g. ds.sel(view='left'))" in said
    assert "select x, y and one view" not in said
