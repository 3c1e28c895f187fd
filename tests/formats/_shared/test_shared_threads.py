"""Thread pools sized by the process's CPU affinity."""

from __future__ import annotations

import os
import threading

import pytest

from posebridge.formats._shared import threads


@pytest.mark.skipif(not hasattr(os, "sched_setaffinity"), reason="no CPU affinity on this OS")
def test_usable_cores_follows_the_process_affinity() -> None:
    allowed = os.sched_getaffinity(0)
    assert threads.usable_cores() == len(allowed)
    try:
        os.sched_setaffinity(0, {min(allowed)})
        assert threads.usable_cores() == 1
    finally:
        os.sched_setaffinity(0, allowed)


def test_map_threads_keeps_the_order_of_items() -> None:
    assert threads.map_threads(lambda x: x * x, range(20)) == [x * x for x in range(20)]


def test_map_threads_raises_the_first_error() -> None:
    def work(x: int) -> int:
        if x == 3:
            raise ValueError("three")
        return x

    with pytest.raises(ValueError, match="three"):
        threads.map_threads(work, range(6))


def test_map_threads_runs_items_at_once_when_cores_allow(monkeypatch) -> None:
    monkeypatch.setattr(threads, "usable_cores", lambda: 2)
    both = threading.Barrier(2, timeout=10)  # passes only when two items run together
    assert threads.map_threads(lambda x: both.wait() >= 0 and x, [1, 2]) == [1, 2]


def test_map_threads_stays_in_the_calling_thread_on_one_core(monkeypatch) -> None:
    monkeypatch.setattr(threads, "usable_cores", lambda: 1)
    seen = threads.map_threads(lambda _: threading.get_ident(), range(3))
    assert seen == [threading.get_ident()] * 3
