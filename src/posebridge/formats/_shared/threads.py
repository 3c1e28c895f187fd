"""How many threads a reader may use, and mapping work over them.

The readers that parse on several threads (DLC CSV, deflated HDF5 chunks, COCO
keypoint numbers) hand work to code that releases the GIL (pandas' C parser,
zlib, pyarrow's kernels). They size their pools by the CPUs this process may
run on, its affinity, not the machine's count: a process pinned to one core
reads in one pass instead of taking turns between threads.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

__all__ = ["map_threads", "usable_cores"]

_In = TypeVar("_In")
_Out = TypeVar("_Out")


def usable_cores() -> int:
    """CPUs this process may run on (its affinity), not the machine's count.

    Examples
    --------
    >>> usable_cores() >= 1
    True
    """
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not Linux
        return os.cpu_count() or 1


def map_threads(work: Callable[[_In], _Out], items: Iterable[_In], most: int = 4) -> list[_Out]:
    """``[work(item) for item in items]``, on up to ``most`` threads when the cores allow.

    Results come in the order of ``items``; the first exception is raised.

    Examples
    --------
    >>> map_threads(abs, [-1, 2, -3])
    [1, 2, 3]
    """
    items = list(items)
    workers = min(most, usable_cores(), len(items))
    if workers < 2:
        return [work(item) for item in items]
    with ThreadPoolExecutor(workers) as pool:
        return list(pool.map(work, items))
