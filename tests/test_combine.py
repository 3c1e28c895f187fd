"""combine: individuals side by side and camera views, lined up on the union of times."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import posebridge
from posebridge.combine import merge_individuals, stack_views

frames = st.lists(st.integers(0, 40), min_size=1, max_size=12, unique=True).map(sorted)
values = hnp.arrays(np.float64, st.integers(1, 12), elements=st.floats(-1e3, 1e3))


def _dataset(times: list[int], fill: np.ndarray, individual: str):
    n = len(times)
    position = np.resize(fill, n * 2 * 2).reshape(n, 2, 2, 1)
    ds = posebridge.from_numpy(position, individual_names=[individual], keypoint_names=["a", "b"])
    return ds.assign_coords(time=np.asarray(times, dtype=np.int64))


@settings(max_examples=40, deadline=None)
@given(first=frames, second=frames, fill_a=values, fill_b=values)
def test_merge_lines_individuals_up_on_the_union_of_times(first, second, fill_a, fill_b):
    a, b = _dataset(first, fill_a, "a"), _dataset(second, fill_b, "b")
    merged = merge_individuals([a, b])
    assert merged.time.values.tolist() == sorted(set(first) | set(second))
    for ds, name in ((a, "a"), (b, "b")):
        mine = merged.position.sel(individual=name)
        np.testing.assert_array_equal(mine.sel(time=ds.time.values).values, ds.position[..., 0])
        others = sorted(set(merged.time.values.tolist()) - set(ds.time.values.tolist()))
        assert np.isnan(mine.sel(time=others).values).all()


@settings(max_examples=40, deadline=None)
@given(first=frames, second=frames, fill_a=values, fill_b=values)
def test_views_line_up_on_the_union_of_times(first, second, fill_a, fill_b):
    a, b = _dataset(first, fill_a, "m"), _dataset(second, fill_b, "m")
    stacked = stack_views([a, b], ["top", "side"])
    assert stacked.position.dims[-1] == "view"
    assert stacked.time.values.tolist() == sorted(set(first) | set(second))
    for ds, view in ((a, "top"), (b, "side")):
        mine = stacked.position.sel(view=view)
        np.testing.assert_array_equal(mine.sel(time=ds.time.values).values, ds.position.values)


def test_views_must_have_the_same_keypoints():
    a = _dataset([0, 1], np.ones(1), "m")
    b = a.assign_coords(keypoint=["a", "c"])
    with pytest.raises(posebridge.SchemaError, match="keypoint"):
        stack_views([a, b], ["top", "side"])


def test_inputs_must_share_time_unit_and_fps():
    a = _dataset([0, 1], np.ones(1), "a")
    b = posebridge.model.with_fps(_dataset([0, 1], np.ones(1), "b"), 30)
    with pytest.raises(posebridge.SchemaError, match="time_unit"):
        merge_individuals([a, b])
    c = posebridge.model.with_fps(_dataset([0, 1], np.ones(1), "c"), 25)
    with pytest.raises(posebridge.SchemaError, match="fps"):
        merge_individuals([b, c])


def test_view_names_must_be_distinct():
    a = _dataset([0], np.ones(1), "m")
    with pytest.raises(posebridge.SchemaError, match="repeat"):
        stack_views([a, a], ["top", "top"])


@pytest.mark.parametrize("viewed_first", [False, True])
def test_poses_of_camera_views_and_poses_of_none_are_not_merged(tmp_path, viewed_first):
    """The merged dataset gave both inputs' individuals the one input's views: poses of no
    camera labelled as seen by camera 'left', without a word."""
    plain = posebridge.from_numpy(np.zeros((3, 2, 2, 1)), individual_names=["a"])
    viewed = stack_views(
        [posebridge.from_numpy(np.ones((3, 2, 2, 1)), individual_names=["b"])], ["left"]
    )
    pair = [viewed, plain] if viewed_first else [plain, viewed]
    with pytest.raises(posebridge.errors.SchemaError, match="'view' dim and .* has none"):
        merge_individuals(pair)
    paths = [tmp_path / "first.nc", tmp_path / "second.nc"]
    for ds, path in zip(pair, paths, strict=True):
        posebridge.save(ds, path)
    with pytest.raises(posebridge.errors.SchemaError, match="first.nc|second.nc"):
        posebridge.load(paths)
