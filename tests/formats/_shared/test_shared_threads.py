"""Thread pools sized by the process's CPU affinity."""

from __future__ import annotations

import os

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
