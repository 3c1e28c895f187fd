"""Names of instances that have no track (SLEAP's untracked instances).

SLEAP files may hold instances without a track; posebridge gives them the
individuals ``untracked_0``, ``untracked_1``, ... by their rank among the
untracked instances of their frame. Every SLEAP-family reader (``.slp``,
analysis ``.h5``, analysis CSV) must use the same rule, so it lives here.
"""

from __future__ import annotations

import re
import warnings

import numpy as np

from posebridge.errors import user_stacklevel

__all__ = [
    "UNTRACKED_PREFIX",
    "is_untracked_name",
    "rank_in_frame",
    "untracked_name",
    "untracked_sort_key",
    "with_untracked_names",
]

UNTRACKED_PREFIX = "untracked_"
#: ASCII digits only (``\d`` takes any script's), matched in full (``$`` would pass a
#: trailing line end): ``untracked_3\n`` or ``untracked_٣`` is a track's own name.
_UNTRACKED = re.compile(rf"{UNTRACKED_PREFIX}[0-9]+")


def is_untracked_name(name: str) -> bool:
    r"""Whether an individual's name marks instances that had no track.

    The whole name must be ``untracked_`` and ASCII digits: with a line end after
    them, or other scripts' digits, it is a track's name, which every writer keeps.

    Examples
    --------
    >>> is_untracked_name("untracked_3"), is_untracked_name("mouse")
    (True, False)
    >>> is_untracked_name("untracked_3\n"), is_untracked_name("untracked_\u0663")
    (False, False)
    """
    return _UNTRACKED.fullmatch(name) is not None


def untracked_sort_key(name: str) -> tuple[int, str]:
    """A key that orders ``untracked_<k>`` names by their number ``k``, however large.

    The number is compared as digits (their count, then the digits), not converted:
    an int64 would overflow, and Python refuses to convert more than 4300 digits.

    Parameters
    ----------
    name
        A name for which :func:`is_untracked_name` holds.

    Returns
    -------
    tuple of (int, str)
        The number's count of digits (without leading zeros) and the digits.

    Examples
    --------
    >>> sorted(["untracked_10", "untracked_9", "untracked_0" + "9" * 30], key=untracked_sort_key)
    ['untracked_9', 'untracked_10', 'untracked_0999999999999999999999999999999']
    """
    digits = name[len(UNTRACKED_PREFIX) :].lstrip("0")
    return len(digits), digits


def untracked_name(rank: int) -> str:
    """The individual name of the ``rank``-th untracked instance of a frame.

    Examples
    --------
    >>> untracked_name(0)
    'untracked_0'
    """
    return f"{UNTRACKED_PREFIX}{rank}"


def with_untracked_names(track_names: list[str], n_slots: int, where: object = None) -> list[str]:
    """Track names followed by ``n_slots`` untracked names (``untracked_0`` ...).

    A track named like an untracked slot (another tool's track ``untracked_0``)
    would be taken for instances without a track by every writer, so it gets
    ``_`` appended (``untracked_0_``, with a warning naming ``where``): it stays
    a track, and the untracked instances keep their own names.

    Examples
    --------
    >>> import warnings
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     with_untracked_names(["untracked_0", "mouse"], 1)
    ['untracked_0_', 'mouse', 'untracked_0']
    """
    untracked = [untracked_name(rank) for rank in range(n_slots)]
    taken = {*track_names, *untracked}
    names = list(track_names)
    renamed = []
    for k, name in enumerate(names):
        if is_untracked_name(name):
            new = name + "_"
            while new in taken:
                new += "_"
            taken.add(new)
            names[k] = new
            renamed.append(f"{name} -> {new}")
    if renamed:
        warnings.warn(
            f"{where or 'the data'}: tracks named like instances without a track were renamed "
            f"({', '.join(renamed)}), so that they stay tracks.",
            UserWarning,
            stacklevel=user_stacklevel(),
        )
    return names + untracked


def rank_in_frame(frames: np.ndarray) -> np.ndarray:
    """Rank of each row among the rows of the same frame, in row order (vectorised).

    Parameters
    ----------
    frames
        Frame number of each row (any order).

    Returns
    -------
    numpy.ndarray
        int64 rank: 0 for the first row of a frame, 1 for the second, ...

    Examples
    --------
    >>> rank_in_frame(np.array([4, 4, 2, 4, 2])).tolist()
    [0, 1, 0, 2, 1]
    """
    frames = np.asarray(frames)
    if frames.size == 0:
        return np.zeros(0, dtype=np.int64)
    order = np.argsort(frames, kind="stable")
    ordered = frames[order]
    starts = np.r_[True, ordered[1:] != ordered[:-1]]
    first = np.maximum.accumulate(np.where(starts, np.arange(ordered.size), 0))
    ranks = np.empty(frames.size, dtype=np.int64)
    ranks[order] = np.arange(ordered.size) - first
    return ranks
