"""Read SLEAP analysis CSV files.

Individuals are the tracks, in the order SLEAP's rows give them (within a
frame rows follow the track order; across frames the orders are merged, ties
broken by first appearance). Rows with an empty ``track`` are untracked
instances: ``untracked_0``, ``untracked_1``, ... by their order within the
frame (the rule of every SLEAP reader of posebridge,
:mod:`posebridge.formats._shared.untracked`). Only the empty cell means
untracked: SLEAP's ``write_csv_file`` (``sleap/info/write_tracking_h5.py``)
writes an untracked instance's track as ``None``, which pandas' ``to_csv``
writes as an empty cell, and a track's name as its text; so ``nan``, ``NA``,
``None``, ``null`` and the other strings pandas takes for missing are track
names here, kept exactly. A track SLEAP named ``""`` is written the same as
no track and reads as untracked (posebridge's writer refuses an empty name).
``instance.score`` ->
``instance_score``; ``<node>.score`` -> ``confidence``.

With ``all_frames=True`` (default) time runs over the frames 0..last, as in
the analysis .h5 SLEAP exports beside the CSV (frames with no row are NaN);
the CSV and the .h5 of the same data then read as equal datasets.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from posebridge import model
from posebridge._files import check_input
from posebridge._recorded_warnings import dropping_warnings
from posebridge.errors import FormatError, describing, with_command_line_wording
from posebridge.formats._shared import csv_rows
from posebridge.formats._shared.text_bytes import not_utf8_error, text_size, warn_if_unended
from posebridge.formats._shared.untracked import rank_in_frame, with_untracked_names
from posebridge.formats.sleap_csv.layout import (
    FIXED,
    MISSING,
    READ_SPAN_WORDING,
    header_cells,
    header_nodes,
    span_too_wide,
    track_order,
)

__all__ = ["describe", "read"]


Columns = dict[str, np.ndarray]


def _header(path: Path) -> list[str]:
    """The header's cells, without the blanks of a padded header (see ``header_cells``)."""
    import csv

    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            first = next(csv.reader(handle), None)
    except UnicodeDecodeError:
        raise not_utf8_error(path) from None
    if not first:
        raise FormatError(path, "line 1: the file is empty; expected a header.")
    return header_cells(first)


def _table(path: Path) -> tuple[Columns, list[str]]:
    """The columns (``track`` as str, the others float64) and the node names."""
    size = text_size(path)  # UTF-16, lone carriage returns, NUL at the end; Ctrl-Z left out
    names = _header(path)
    nodes = header_nodes(names, path)
    if not nodes:
        raise FormatError(
            path, "line 1: the header has no node columns (<node>.x, <node>.y[, <node>.score])."
        )
    return _table_pandas(path, names, size), nodes


def _table_pandas(path: Path, names: list[str], size: int) -> Columns:
    """The columns of the file's first ``size`` bytes (its text; the header's cells are
    ``names``); a cell that is not a number raises FormatError naming its line.

    pandas' C parser is used (measured 2.5x faster than pyarrow's here); its float
    parsing is exact (round trip) with the option below on pandas 2.
    """
    import pandas as pd

    # exact float parsing: pandas 3's default; pandas 2 needs round_trip
    exact = {} if int(pd.__version__.split(".")[0]) >= 3 else {"float_precision": "round_trip"}
    with open(path, "rb") as handle:
        data = handle.read(size)  # once: the width check and pandas share it
    csv_rows.refuse_wrong_widths(path, data, len(names))
    # the coordinates and scores as float64: a column pandas infers as integers would
    # turn "-0" into 0 (the sign of zero lost); frame_idx keeps its inferred type
    floats = {name: np.float64 for name in names if name not in ("track", "frame_idx")}

    def parse(dtypes: dict[str, Any]) -> Any:
        # pandas drops the extra cells of a first row wider than the header, with a
        # warning (index_col=False: no row is taken for an index): refused below. Not
        # by an "error" filter, which would make the warnings of other threads errors.
        with dropping_warnings(pd.errors.ParserWarning) as dropped:
            table = pd.read_csv(
                io.BytesIO(data),
                header=0,
                names=names,  # the header's cells without padding blanks
                index_col=False,
                dtype={"track": str, **dtypes},
                keep_default_na=False,  # a track named "nan" or "NA" is a name
                na_values={name: list(MISSING) for name in names if name != "track"},
                encoding="utf-8-sig",
                **exact,
            )
        if dropped:  # only the first data row can make pandas warn
            raise FormatError(path, f"line 2: more cells than the header's {len(names)}.")
        return table

    try:
        try:
            table = parse(floats)
        except ValueError as error:  # a cell that is no number: found and named below
            if isinstance(error, pd.errors.ParserError | FormatError):
                raise
            table = parse({})
    except FormatError:
        raise
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError) as error:
        raise FormatError(path, f"is not a readable CSV file ({error}).") from None
    if table.empty:  # a header alone: no instance at all
        raise FormatError(
            path, "holds no row after its header (no instance), so there are no poses to read."
        )
    # a copy cut inside its last cell (SLEAP ends every row): that value lost digits
    warn_if_unended(path, size, "SLEAP")
    columns: Columns = {"track": table["track"].fillna("").astype(str).to_numpy(dtype=object)}
    for name in names:
        if name != "track":
            columns[name] = _numbers(table, name, path)
    return columns


def _numbers(table: Any, column: str, path: Path) -> np.ndarray:
    """A column as float64; FormatError naming the first line that is not a number."""
    values = table[column]
    if values.dtype.kind in "fi":
        numbers = values.to_numpy(dtype=np.float64)
    else:
        numbers = _parsed(values, column, path)
    if column != "frame_idx":  # frame_idx: refused, with its own message, by _frames
        infinite = np.flatnonzero(np.isinf(numbers))
        if infinite.size:
            row = int(infinite[0])
            raise FormatError(
                path,
                f"line {row + 2}, column {column!r}: expected a finite number or an empty "
                f"cell, found {str(values.iloc[row])!r} (a missing value is an empty cell).",
            )
    return numbers


def _parsed(values: Any, column: str, path: Path) -> np.ndarray:
    """A column pandas did not parse as numbers, as float64; FormatError naming the first
    line that is not a number."""
    import pandas as pd

    text = values.astype(str)
    missing = text.isin(MISSING).to_numpy()
    numbers = pd.to_numeric(text.where(~missing, "nan"), errors="coerce").to_numpy(np.float64)
    bad = np.flatnonzero(np.isnan(numbers) & ~missing)
    if bad.size:
        row = int(bad[0])
        raise FormatError(
            path,
            f"line {row + 2}, column {column!r}: expected a number or an empty cell, "
            f"found {text.iloc[row]!r}.",
        )
    return numbers


#: Frame numbers up to this are exact in the float64 column pandas reads (2**53).
_LARGEST_FRAME = 2**53


def _frames(columns: Columns, path: Path) -> np.ndarray:
    frames = columns["frame_idx"]
    bad = np.flatnonzero(
        ~np.isfinite(frames) | (frames < 0) | (np.mod(frames, 1) != 0) | (frames > _LARGEST_FRAME)
    )
    if bad.size:
        row = int(bad[0])
        raise FormatError(
            path,
            f"line {row + 2}, column 'frame_idx': expected a frame number (integer from 0 "
            f"to 2**53), found {'an empty cell' if np.isnan(frames[row]) else frames[row]}.",
        )
    return frames.astype(np.int64)


def _check_span(path: Path, frames: np.ndarray, cells_per_frame: int) -> None:
    """Refuse ``all_frames`` when the frames from 0 to the last would dwarf the rows."""
    if not span_too_wide(frames):
        return
    span = int(frames.max()) + 1
    gib = span * cells_per_frame * 8 / 2**30
    refused = FormatError(
        path,
        f"its {frames.size} rows span frames 0 to {span - 1}; all_frames=True (the default) "
        f"would hold every one of them (about {gib:.1f} GiB). Pass all_frames=False to read "
        "only the frames that have rows.",
    )
    raise with_command_line_wording(refused, READ_SPAN_WORDING)


def read(path: Path, *, all_frames: bool = True) -> xr.Dataset:
    """Read a SLEAP analysis CSV file.

    Parameters
    ----------
    path
        The file.
    all_frames
        True (default): time runs over frames 0..last frame in the file, as in
        SLEAP's analysis .h5 (frames without a row are NaN). False: only the
        frames that have rows.

    Returns
    -------
    xarray.Dataset
        Poses with time in frame numbers, ``confidence`` from the point
        scores and ``instance_score`` from ``instance.score`` (when any).

    Raises
    ------
    FormatError
        Naming the line (and column) of a header or value that breaks the layout,
        or of a (frame, track) given twice.

    Examples
    --------
    >>> import posebridge
    >>> ds = posebridge.load("labels.000_video.analysis.csv")  # doctest: +SKIP
    """
    path = check_input(path)
    table, nodes = _table(path)
    n_rows, n_nodes = table["track"].shape[0], len(nodes)
    frames = _frames(table, path)
    track_cells = table["track"]  # as written: SLEAP never pads names
    tracked = track_cells != ""

    # the rows, sorted by frame (stable: the file's order within a frame is kept)
    order = np.argsort(frames, kind="stable")
    tracks_sorted = track_cells[order][tracked[order]].astype(str)
    track_names = [str(n) for n in track_order(tracks_sorted, frames[order][tracked[order]])]
    untracked_rows = np.flatnonzero(~tracked)
    ranks = rank_in_frame(frames[untracked_rows])
    n_slots = int(ranks.max()) + 1 if ranks.size else 0
    names = with_untracked_names(track_names, n_slots, path)

    column = np.empty(n_rows, dtype=np.int64)
    if track_names:
        lookup = {name: i for i, name in enumerate(track_names)}
        distinct, codes = np.unique(track_cells[tracked].astype(str), return_inverse=True)
        column[tracked] = np.array([lookup[str(t)] for t in distinct])[codes]
    column[untracked_rows] = len(track_names) + ranks

    if all_frames:
        if n_rows:
            _check_span(path, frames, len(names) * n_nodes * 3 + len(names))
        times = np.arange(int(frames.max()) + 1 if n_rows else 0, dtype=np.int64)
        row_time = frames
    else:
        times, row_time = np.unique(frames, return_inverse=True)
        times = times.astype(np.int64)
    slot = row_time * len(names) + column
    seen, counts = np.unique(slot, return_counts=True)
    if (counts > 1).any():
        dup = int(seen[counts > 1][0])
        lines = np.flatnonzero(slot == dup)[:2] + 2
        raise FormatError(
            path,
            f"lines {lines[0]} and {lines[1]}: two rows for frame {int(frames[lines[0] - 2])}, "
            f"individual {names[int(column[lines[0] - 2])]!r}; expected one per "
            "(frame, track).",
        )

    # scatter each column into place (one vectorised assignment per column, no row loop),
    # straight into the model's axis order
    n_time, n_ind = times.size, len(names)
    position = np.full((n_time, 2, n_nodes, n_ind), np.nan)
    confidence = np.full((n_time, n_nodes, n_ind), np.nan)
    instance_score = np.full((n_time, n_ind), np.nan)
    for k, node in enumerate(nodes):
        position[row_time, 0, k, column] = table[f"{node}.x"]
        position[row_time, 1, k, column] = table[f"{node}.y"]
        if f"{node}.score" in table:  # else no score: NaN
            confidence[row_time, k, column] = table[f"{node}.score"]
    instance_score[row_time, column] = table["instance.score"]

    data_vars: dict[str, Any] = {
        "position": (model.POSES_DIMS, position),
        "confidence": ((model.TIME, model.KEYPOINT, model.INDIVIDUAL), confidence),
    }
    if np.isfinite(instance_score).any():
        data_vars["instance_score"] = ((model.TIME, model.INDIVIDUAL), instance_score)
    return xr.Dataset(
        data_vars,
        coords={
            model.TIME: times,
            model.SPACE: ["x", "y"],
            model.KEYPOINT: nodes,
            model.INDIVIDUAL: names,
        },
        attrs={"ds_type": model.POSES, "time_unit": "frames", "source_software": "SLEAP"},
    )


@describing("SLEAP CSV")
def describe(path: Path) -> list[tuple[str, str]]:
    """What ``posebridge info`` shows about a SLEAP CSV: rows, tracks, nodes, frames.

    Examples
    --------
    >>> from posebridge.formats import sleap_csv
    >>> dict(sleap_csv.describe("a.analysis.csv"))["nodes"]  # doctest: +SKIP
    'head, torso, tail_base'
    """
    path = Path(path)
    table, nodes = _table(path)
    frames = _frames(table, path)
    tracks = table["track"].astype(str)
    named = sorted(set(tracks[tracks != ""].tolist()))
    return [
        ("rows", f"{tracks.size} (one per instance; columns {', '.join(FIXED)}, 3 per node)"),
        ("tracks", ", ".join(named) or "none (untracked)"),
        ("untracked rows", str(int((tracks == "").sum()))),
        ("nodes", ", ".join(nodes)),
        ("frames", f"{frames.min()}..{frames.max()}" if frames.size else "none"),
    ]
