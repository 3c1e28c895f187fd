"""The lazy readers' shared layer: RecentBlocks, the parsed blocks kept for every variable."""

from __future__ import annotations

import math

import numpy as np
import pytest

import posebridge
from posebridge.formats._shared.lazy import RecentBlocks, clear_blocks
from posebridge.formats.dlc import csv_lazy, lazy


def test_recent_blocks_keep_several_blocks_within_the_budget():
    block = {"position": np.zeros(100)}  # 800 bytes
    cache = RecentBlocks(budget=3 * block["position"].nbytes)
    made = []

    def make(key):
        made.append(key)
        return {"position": np.full(100, key, dtype=np.float64)}

    for key in range(3):
        cache.get(key, lambda key=key: make(key))
    for key in range(3):  # all three are still kept: nothing is made again
        assert cache.get(key, lambda key=key: make(key))["position"][0] == key
    assert made == [0, 1, 2]
    cache.get(3, lambda: make(3))  # over the budget: the least recent (0) is forgotten
    cache.get(0, lambda: make(0))
    assert made == [0, 1, 2, 3, 0]


def test_recent_blocks_keep_the_last_block_even_beyond_the_budget():
    cache = RecentBlocks(budget=8)
    big = {"position": np.zeros(1000)}
    assert cache.get("a", lambda: big) is big
    assert cache.get("a", lambda: {"position": np.ones(1)}) is big


@pytest.mark.parametrize("suffix", [".h5", ".csv"])
def test_loading_a_lazy_dlc_file_parses_each_time_block_once(tmp_path, monkeypatch, suffix):
    """ds.load() has dask compute position's blocks and confidence's one after the other;
    only the last block was kept, so every block was read and parsed twice."""
    n_frames, chunk = 50, 7
    rng = np.random.default_rng(0)
    ds = posebridge.from_numpy(
        rng.random((n_frames, 2, 3, 1)), confidence_array=rng.random((n_frames, 3, 1))
    )
    path = tmp_path / f"poses{suffix}"
    posebridge.save(ds, path, format="dlc")
    parse = lazy._rows if suffix == ".h5" else csv_lazy.parse_rows
    calls = []

    def counted(*args, **kwargs):
        calls.append(args)
        return parse(*args, **kwargs)

    monkeypatch.setattr(lazy if suffix == ".h5" else csv_lazy, parse.__name__, counted)
    clear_blocks()
    lazy_ds = posebridge.open_dataset(path, chunks=chunk)
    assert lazy_ds.position.chunks is not None  # read lazily, block by block
    opened = len(calls)  # the header's probe rows, if any
    lazy_ds.load()
    assert len(calls) - opened == math.ceil(n_frames / chunk)
    np.testing.assert_array_equal(lazy_ds.position.values, posebridge.load(path).position.values)
