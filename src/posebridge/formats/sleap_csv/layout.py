"""The on-disk layout of SLEAP's analysis CSV: header names and the sniffer."""

from __future__ import annotations

import csv
import heapq
from pathlib import Path

import numpy as np

from posebridge._files import Peek
from posebridge.errors import FormatError
from posebridge.formats._shared import csv_rows

__all__ = [
    "FIXED",
    "MISSING",
    "READ_SPAN_WORDING",
    "SPAN_FREE",
    "SPAN_PER_ROW",
    "TITLE",
    "header_cells",
    "header_nodes",
    "sniff",
    "span_too_wide",
]

#: What the format is called in messages.
TITLE = "SLEAP analysis CSV"

#: The reader's ``all_frames`` as the command line sets it, for the messages that advise
#: it (:func:`posebridge.errors.with_command_line_wording`).
READ_SPAN_WORDING = {
    "all_frames=False": "--read-option all_frames=false",
    "all_frames=True": "--read-option all_frames=true",
}

#: The first three columns, in this order.
FIXED = ("track", "frame_idx", "instance.score")
#: The spellings of a missing number (pandas writes NaN as an empty cell; SLEAP's
#: own tests hold the literal ``nan``).
MISSING = ("", "nan", "NaN", "NAN")
_PARTS = ("x", "y", "score")
#: The blanks of a padded header cell (see :func:`header_cells`).
_BLANKS = " \t"


def header_cells(cells: list[str]) -> list[str]:
    """The header's cells, stripped of the blanks around them when the header is padded.

    A header is padded when its fixed words carry blanks: ``track``,
    ``frame_idx`` or ``instance.score`` (``track, frame_idx``), or the end
    of any column (``nose.x ``), where no node name can end. A script that
    joins cells with ``", "``, or a spreadsheet cell typed with a space, pads
    them; SLEAP (pandas' ``to_csv``) and posebridge do not. Otherwise the
    cells are as written: a node name that begins with a blank keeps it (SLEAP
    writes node ``" nose"`` as ``" nose.x"``), as in the analysis .h5.

    Examples
    --------
    >>> header_cells(["track", " frame_idx", " instance.score", " a.x", " a.y", " a.score"])
    ['track', 'frame_idx', 'instance.score', 'a.x', 'a.y', 'a.score']
    >>> header_cells(["track", "frame_idx", "instance.score", " a.x", " a.y", " a.score"])
    ['track', 'frame_idx', 'instance.score', ' a.x', ' a.y', ' a.score']
    """
    padded = any(cell != cell.strip(_BLANKS) for cell in cells[:3]) or any(
        cell != cell.rstrip(_BLANKS) for cell in cells
    )
    return [cell.strip(_BLANKS) for cell in cells] if padded else cells


def header_nodes(columns: list[str], path: Path | None) -> list[str]:
    """Node names from the header; FormatError naming line 1 when it is not SLEAP's.

    Each node has an ``x`` and a ``y`` column and may have a ``score`` column
    (sleap-io leaves it out for labelled instances and with
    ``include_score=False``), in any order.

    Examples
    --------
    >>> header_nodes(["track", "frame_idx", "instance.score", "a.b.x", "a.b.y", "a.b.score"], None)
    ['a.b']
    >>> header_nodes(["track", "frame_idx", "instance.score", "a.x", "a.y"], None)
    ['a']
    """
    if tuple(columns[:3]) != FIXED:
        csv_rows.refuse_other_delimiter(path, ",".join(columns), FIXED[0], TITLE)
        raise FormatError(
            path,
            f"line 1: a SLEAP analysis CSV starts with the columns {', '.join(FIXED)}; "
            f"found {', '.join(columns[:3]) or 'nothing'}.",
        )
    rest = columns[3:]
    parts: dict[str, list[str]] = {}  # node -> its columns' parts, in the file's order
    for i, column in enumerate(rest):
        node, dot, part = column.rpartition(".")
        if not dot or part not in _PARTS:
            raise FormatError(
                path,
                f"line 1, column {i + 4}: expected <node>.x, <node>.y or <node>.score; found "
                f"{column!r}.",
            )
        parts.setdefault(node, []).append(part)
    for node, found in parts.items():  # sleap-io writes score, x, y (sorted): any order
        # .score is left out by sleap-io for user instances and with include_score=False
        if sorted(found) not in (sorted(_PARTS), ["x", "y"]):
            raise FormatError(
                path,
                f"line 1: the node {node!r} has the columns "
                f"{', '.join(f'{node}.{p}' for p in found)}; expected {node}.x and {node}.y, "
                f"and {node}.score or not, once each.",
            )
    seen: set[str] = set()
    twice: list[str] = []
    for column in columns:
        if column in seen and column not in twice:
            twice.append(column)
        seen.add(column)
    if twice:  # pandas: "Duplicate names are not allowed."
        raise FormatError(
            path,
            f"line 1: the header names the column(s) {', '.join(map(repr, twice))} more than "
            "once; each column of a SLEAP analysis CSV has its own name (a node called "
            "'instance' would give a second instance.score).",
        )
    return list(parts)


#: The most lines a header may span (node names with line ends in quotes).
_HEADER_LINES = 64


def sniff(peek: Peek) -> bool:
    """Whether the file's first line is a SLEAP analysis CSV header.

    The file is claimed by its first three columns, ``track,frame_idx,instance.score``,
    which are SLEAP's own: a header damaged after them (a node without its ``.y``, a
    node twice, a stray column) is its reader's to name, not a file no format fits.
    A header with ``;`` or tabs between its cells (a spreadsheet's export) is
    claimed too: its reader refuses it, saying so.

    Examples
    --------
    >>> from posebridge._files import Peek
    >>> with Peek("labels.analysis.csv") as peek:  # doctest: +SKIP
    ...     sniff(peek)
    True
    """
    lines = peek.lines(_HEADER_LINES, loose=True)  # another encoding too: its reader names it
    if not lines:
        return False
    header = lines[0]
    for line in lines[1:]:  # a quoted node name may hold a line end (sleap-io writes it so)
        if header.count('"') % 2 == 0:
            break
        header += "\n" + line
    delimiter = csv_rows.other_delimiter(header.replace("\n", " "), FIXED[0])
    if delimiter is not None:  # ';' or tabs: claimed, and its reader says what is wrong
        cells = next(csv.reader([lines[0]], delimiter=delimiter), [])
        return tuple(cell.strip(_BLANKS) for cell in cells[:3]) == FIXED
    columns = header_cells(next(csv.reader([header]), []))  # names may hold commas
    return tuple(columns[:3]) == FIXED


#: With ``all_frames``, time may span this many frames per row of the file (beyond
#: ``SPAN_FREE`` frames, which any file may use), as SLEAP analysis files do.
SPAN_PER_ROW = 64
SPAN_FREE = 1 << 20


def span_too_wide(frames: np.ndarray) -> bool:
    """Whether rows at ``frames`` span too many frames from 0 for ``all_frames=True``.

    Examples
    --------
    >>> span_too_wide(np.array([3, 2**30])), span_too_wide(np.arange(10))
    (True, False)
    """
    return frames.size > 0 and int(frames.max()) + 1 > max(SPAN_FREE, SPAN_PER_ROW * frames.size)


def track_order(tracks: np.ndarray, frames: np.ndarray) -> np.ndarray:
    """The distinct tracks of some rows in an order that keeps every frame's row order.

    Rows within a frame follow SLEAP's track order; the per-frame orders are
    merged (a topological sort of "comes before in some frame"), ties broken
    by first appearance: the order in which the reader gives the tracks, and
    the writer foresees it. Loops run over tracks and distinct pairs, not rows.

    Parameters
    ----------
    tracks
        The track of each row (names, or any other keys), rows sorted by frame.
    frames
        The frame number of each row.

    Returns
    -------
    numpy.ndarray
        The distinct values of ``tracks``, in that order.

    Examples
    --------
    >>> track_order(np.array(["b", "a", "c", "a"]), np.array([0, 0, 1, 1])).tolist()
    ['b', 'c', 'a']
    >>> track_order(np.array(["b", "a"]), np.array([3, 5])).tolist()  # never together
    ['b', 'a']
    """
    names, first_row, codes = np.unique(tracks, return_index=True, return_inverse=True)
    if names.size == 0:
        return names
    codes = codes.reshape(-1)
    same_frame = frames[1:] == frames[:-1]
    pairs = np.unique(np.stack([codes[:-1][same_frame], codes[1:][same_frame]], axis=1), axis=0)
    pairs = pairs[pairs[:, 0] != pairs[:, 1]]
    after: list[list[int]] = [[] for _ in range(names.size)]
    waiting = np.zeros(names.size, dtype=np.int64)
    for before, later in pairs.tolist():
        after[before].append(later)
        waiting[later] += 1
    ready = [(int(first_row[i]), i) for i in np.flatnonzero(waiting == 0)]
    heapq.heapify(ready)
    order: list[int] = []
    while ready:
        _, code = heapq.heappop(ready)
        order.append(code)
        for later in after[code]:
            waiting[later] -= 1
            if waiting[later] == 0:
                heapq.heappush(ready, (int(first_row[later]), later))
    if len(order) < names.size:  # rows in inconsistent orders: first appearance decides
        rest = sorted(set(range(names.size)) - set(order), key=lambda i: first_row[i])
        order.extend(rest)
    return names[np.asarray(order, dtype=np.int64)]
