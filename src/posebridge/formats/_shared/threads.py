"""How many threads a reader may use.

The readers that parse on several threads (DLC CSV ranges, deflated HDF5
chunks) hand work to code that releases the GIL (pandas' C parser, zlib). They
size their pools by the CPUs this process may run on, its affinity, not the
machine's count: a process pinned to one core reads in one pass instead of
taking turns between threads.
"""

from __future__ import annotations

import os

__all__ = ["usable_cores"]


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
