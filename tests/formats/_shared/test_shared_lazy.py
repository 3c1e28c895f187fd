"""The lazy arrays' shared parts: outer indexing by windows, the LastBlock cache."""

from __future__ import annotations

import functools
import gc
import threading
import time

import h5py
import numpy as np
import pytest
import xarray as xr
from xarray.core import indexing

from posebridge.formats._shared import lazy
from posebridge.formats._shared.lazy import LastBlock, LazyArray


@pytest.fixture
def stored(tmp_path):
    """A (frames, 3, 4) float array stored as (4, 3, frames), and its values."""
    values = np.random.default_rng(5).random((50, 3, 4))
    path = tmp_path / "a.h5"
    with h5py.File(path, "w") as h5:
        h5.create_dataset("x", data=np.transpose(values, (2, 1, 0)), chunks=(4, 3, 5))
    return path, values


SELECTIONS = [
    {"t": [0, 49]},
    {"t": [49, 0, 3, 3]},
    {"t": slice(None, None, 7)},
    {"t": slice(2, None, 5), "k": [0, 3]},
    {"t": slice(None, None, -4), "s": slice(None, None, 2)},
    {"t": np.arange(0, 50, 2), "k": slice(1, None, 2)},
    {"t": 4, "k": [3, 1]},
    {"t": [], "k": [1]},
    {"k": [2, 0], "s": 1},
]


@pytest.mark.parametrize("window_bytes", [1, 100, 1 << 20])
@pytest.mark.parametrize("selection", SELECTIONS)
def test_outer_selections_read_by_windows_equal_numpys(
    stored, monkeypatch, window_bytes, selection
):
    path, values = stored
    monkeypatch.setattr(lazy, "WINDOW_BYTES", window_bytes, raising=False)
    regions = []

    def block(h5, region):
        regions.append(region)
        return lazy.transposed_block("x", (2, 1, 0), h5, region)

    array = LazyArray(path, values.shape, np.float64, block)
    variable = xr.Variable(("t", "s", "k"), indexing.LazilyIndexedArray(array))
    expected = xr.Variable(("t", "s", "k"), values).isel(selection)
    got = variable.isel(selection)
    np.testing.assert_array_equal(got.values, expected.values)
    assert got.dims == expected.dims
    picked = selection.get("t")
    if window_bytes == 1 and not isinstance(picked, int | type(None)):
        # one row per window: only the frames asked for are read, not the span between
        frames = np.unique(np.arange(50)[picked])
        assert sum(high - low for (low, high), *_ in regions) == len(frames)


def test_a_value_being_made_is_waited_for_not_made_twice():
    cache = LastBlock()
    made = []

    def make():
        made.append(1)
        time.sleep(0.2)
        return np.arange(3.0)

    got = []
    threads = [
        threading.Thread(target=lambda: got.append(cache.get(("a.csv", 0, 3), make)))
        for _ in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(made) == 1
    assert all(value is got[0] for value in got)


def test_a_kept_value_is_read_only_and_a_lazy_read_of_it_is_the_callers_own(tmp_path):
    path = tmp_path / "a.h5"
    with h5py.File(path, "w") as h5:
        h5["x"] = np.arange(6.0)
    cache = LastBlock()

    def block(h5, region):
        ((low, high),) = region
        return cache.get(("kept", low, high), lambda: h5["x"][low:high])

    array = LazyArray(path, (6,), np.float64, block)
    first = array[0:6]
    first += 100
    assert not cache.get(("kept", 0, 6), list).flags.writeable
    np.testing.assert_array_equal(array[0:6], np.arange(6.0))


def test_the_rows_kept_of_a_file_go_when_the_arrays_of_its_opening_go(tmp_path):
    path = tmp_path / "a.h5"
    with h5py.File(path, "w") as h5:
        h5["x"] = np.arange(6.0)
    cache = LastBlock()
    block = functools.partial(_kept_block, cache, str(path))
    one, two = (LazyArray(path, (6,), np.float64, block) for _ in range(2))
    getattr(lazy, "keep_blocks_while_open", lambda arrays: None)([one, two])
    one[0:6]
    assert cache._value is not None
    del one
    gc.collect()
    assert cache._value is not None  # ``two`` still reads the file: its rows kept
    two[0:6]
    del two
    gc.collect()
    assert cache._value is None


def _kept_block(cache, name, h5, region):
    ((low, high),) = region
    return cache.get((name, low, high), lambda: h5["x"][low:high])
