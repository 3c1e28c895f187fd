"""How many threads a reader may use, and running work on them.

The readers that parse on several threads (DLC CSV ranges, deflated HDF5
chunks) hand work to code that releases the GIL (pandas' C parser, zlib). They
size their pools by the CPUs this process may run on, its affinity, not the
machine's count: a process pinned to one core reads in one pass instead of
taking turns between threads. A thread that cannot be started (a memory or
process limit) is not an error: the work it would have done is done by the
threads that did start, or by the calling thread.
"""

from __future__ import annotations

import contextvars
import itertools
import os
import threading
from collections.abc import Callable, Sequence
from typing import TypeVar

__all__ = ["map_on_threads", "usable_cores"]

Item = TypeVar("Item")
Result = TypeVar("Result")


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


def map_on_threads(
    function: Callable[[Item], Result], items: Sequence[Item], workers: int
) -> list[Result]:
    """``[function(item) for item in items]``, on up to ``workers`` threads.

    The calling thread is one of the workers; the others are started as
    needed, and one that cannot start (the operating system refuses a thread
    under a memory or thread limit: Python's ``RuntimeError: can't start new
    thread``) is done without: its share of the items is taken by the threads
    that run. The threads started run in a copy of the caller's
    :mod:`contextvars` context (so the warnings they raise are recorded where
    the caller's are). Each item is done exactly once. When items fail, the first
    failing item's exception (in the items' order) is raised, after every
    thread has stopped.

    Parameters
    ----------
    function
        Called once per item; it must be safe to call from several threads.
    items
        The work, in order.
    workers
        The most threads to use, the caller's included (1 or less: in turn,
        on the calling thread).

    Returns
    -------
    list
        ``function(item)`` of each item, in the items' order.

    Examples
    --------
    >>> map_on_threads(lambda n: n * n, [1, 2, 3, 4], workers=2)
    [1, 4, 9, 16]
    """
    count = len(items)
    results: list[Result | None] = [None] * count
    failures: list[BaseException | None] = [None] * count
    next_index = itertools.count()  # next() on it is atomic: each index is taken once
    failed = threading.Event()

    def work() -> None:
        for index in iter(next_index.__next__, None):
            if index >= count or failed.is_set():
                return
            try:
                results[index] = function(items[index])
            except BaseException as failure:  # raised below, the first in order
                failures[index] = failure
                failed.set()

    started: list[threading.Thread] = []
    for _ in range(min(workers, count) - 1):
        context = contextvars.copy_context()  # the caller's (its warnings' recording)
        thread = threading.Thread(
            target=context.run, args=(work,), name="posebridge-worker", daemon=True
        )
        try:
            thread.start()
        except RuntimeError:  # can't start new thread: the others share its items
            break
        started.append(thread)
    work()
    for thread in started:
        thread.join()
    for failure in failures:
        if failure is not None:
            raise failure
    return results  # type: ignore[return-value]
