"""Track ids of individuals, for the writers of formats that number tracks (COCO
``track_id``, YOLO pose predictions' last column).

One rule for every writer: ``track_<n>`` keeps ``n``; each other individual
takes the smallest free id above the previous individual's that still comes
before the next ``track_<n>`` (so that readers, which order individuals by id,
keep the dataset's order), else the next id above every other; ids start at 1,
since sleap-io reads a ``track_id`` of 0 as no track. The ``untracked_<k>`` ones
come last. No two individuals get one id; names that would (``track_01`` and
``track_1``) are refused.
"""

from __future__ import annotations

import re

import numpy as np

from posebridge.errors import SchemaError
from posebridge.formats._shared.untracked import is_untracked_name
from posebridge.model.time_axis import LARGEST_WHOLE

__all__ = ["individual_track_ids"]

#: ``track_<n>``, matched in full with ASCII digits (``$`` would pass a line end after the
#: number and ``\d`` any script's digits: such a name is a name, as for ``untracked_<k>``).
_TRACK = re.compile(r"track_([0-9]+)")


def individual_track_ids(
    names: list[str], title: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Track id of every individual, whether it is untracked, whether it is ``track_<n>``.

    A loop over the individuals (not over rows).

    Parameters
    ----------
    names
        The individuals' names, in the dataset's order.
    title
        The format's name, for the error messages.

    Returns
    -------
    ids, untracked, numbered
        int64 ids; bool arrays: named ``untracked_<k>``; named ``track_<n>``.

    Raises
    ------
    SchemaError
        When two names give one id (``track_01`` and ``track_1``), or an id
        reaches 2**53 (past float64's whole numbers, where readers lose it).

    Examples
    --------
    >>> names = ["track_4", "mouse", "untracked_0", "track_2"]
    >>> ids, untracked, numbered = individual_track_ids(names, "X")
    >>> ids.tolist(), untracked.tolist(), numbered.tolist()
    ([4, 5, 6, 2], [False, False, True, False], [True, False, False, True])
    >>> individual_track_ids(["queen", "track_7"], "X")[0].tolist()  # id order = dataset's
    [1, 7]
    >>> individual_track_ids(["x", "y", "track_1"], "X")[0].tolist()  # no room below 1
    [2, 3, 1]
    """
    found = [_TRACK.fullmatch(n) for n in names]
    huge = next((m[0] for m in found if m and len(m[1]) > 4000), None)
    if huge is not None:  # int() refuses more than 4300 digits (sys.int_info)
        raise SchemaError(
            f"{title}: the individual {huge[:40]!r}{'...' if len(huge) > 40 else ''} would "
            "have a track id of 2**53 or more (readers take ids below 2**53, where float64 "
            "is exact); rename it with a smaller track_<n>."
        )
    numbered = np.asarray([m is not None for m in found], dtype=bool)
    untracked = np.asarray([is_untracked_name(n) for n in names], dtype=bool) & ~numbered
    ids = np.zeros(len(names), dtype=np.int64)
    named: dict[int, list[str]] = {}
    for name, m in zip(names, found, strict=True):
        if m:
            named.setdefault(int(m[1]), []).append(name)
    clash = next((n for n, who in named.items() if len(who) > 1), None)
    if clash is not None:
        raise SchemaError(
            f"{title}: the individuals {', '.join(repr(n) for n in named[clash])} would all "
            f"have track id {clash} (the number of track_<n>); rename them so that each "
            "has its own."
        )
    top = max(named, default=0)
    others = np.flatnonzero(~numbered & ~untracked)
    last = top + others.size + int(untracked.sum())
    if last >= LARGEST_WHOLE:
        raise SchemaError(
            f"{title}: track id {last if top < LARGEST_WHOLE else top} is 2**53 or more "
            "(readers take ids below 2**53, where float64 is exact); rename the "
            "individuals with smaller track_<n>."
        )
    for i, m in enumerate(found):
        if m:
            ids[i] = int(m[1])
    ids[others] = _in_order(ids, numbered, others, top)
    highest = max(top, int(ids[others].max(initial=0)))
    ids[untracked] = highest + 1 + np.arange(int(untracked.sum()))
    return ids, untracked, numbered


def _in_order(ids: np.ndarray, numbered: np.ndarray, others: np.ndarray, top: int) -> list[int]:
    """Ids for the individuals ``others``, in the dataset's order between the fixed ones.

    A loop over the individuals: each takes the smallest id above the previous
    individual's that is free and below the next ``track_<n>`` still ahead;
    when there is no room, the next id above all (the order then breaks there,
    as it must: ``["x", "track_1"]`` leaves no whole id between 0 and 1).
    """
    used = set(ids[numbered].tolist())
    following = np.full(ids.size + 1, np.iinfo(np.int64).max, dtype=np.int64)
    for i in range(ids.size - 1, -1, -1):  # the nearest track_<n> ahead of each position
        following[i] = ids[i] if numbered[i] else following[i + 1]
    chosen: list[int] = []
    previous, above = 0, top
    wanted = set(others.tolist())
    for i in range(ids.size):
        if numbered[i]:
            previous = int(ids[i])
            continue
        if i not in wanted:
            continue
        candidate = previous + 1
        while candidate in used:
            candidate += 1
        if candidate >= following[i + 1]:  # no room before the next track_<n>
            candidate = above + 1
        above = max(above, candidate)
        chosen.append(candidate)
        used.add(candidate)
        previous = candidate
    return chosen
