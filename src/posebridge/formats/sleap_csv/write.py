"""Write SLEAP analysis CSV files, as SLEAP's "Export Analysis CSV" does."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import xarray as xr

from posebridge import model
from posebridge._outputs import atomic_outputs
from posebridge.errors import (
    FPS_ADVICE,
    PoseBridgeError,
    brief,
    user_stacklevel,
    with_command_line_wording,
)
from posebridge.formats._shared.guards import (
    refuse_bad_names,
    refuse_empty,
    refuse_no_points,
    refuse_not_2d,
)
from posebridge.formats._shared.not_kept import (
    warn_individuals_not_written,
    warn_keypoint_variables_dropped,
    warn_times_not_kept,
    warn_variables_not_written,
)
from posebridge.formats._shared.untracked import is_untracked_name, untracked_sort_key
from posebridge.formats.sleap_csv.layout import (
    FIXED,
    READ_SPAN_WORDING,
    span_too_wide,
    track_order,
)

__all__ = ["write"]


def write(ds: xr.Dataset, path: Path, *, overwrite: bool = False) -> list[Path]:
    """Write a 2-D poses dataset as a SLEAP analysis CSV file.

    One row per (frame, individual) that holds anything (a point, a point
    score or an instance score), ordered by frame then individual (the tracks in the
    dataset's order, then ``untracked_0``, ``untracked_1``..., as SLEAP readers place
    them; a warning says when that is not the dataset's order). Individuals
    named ``untracked_<k>`` get an empty ``track`` cell, as SLEAP writes an
    untracked instance; every other name is written as it is (``nan`` and
    ``None`` too: the reader keeps them as names), and an empty or blank name
    is refused, since it would read back as untracked. Missing values are
    empty cells; numbers are written in their shortest exact form.

    Parameters
    ----------
    ds
        A 2-D poses dataset whose time maps to frame numbers.
    path
        The output file (``<name>.analysis.csv`` is SLEAP's naming).
    overwrite
        Replace an existing file.

    Returns
    -------
    list of pathlib.Path
        The file written.

    Raises
    ------
    PoseBridgeError
        For 3-D or multi-view poses, an empty individual name, or when frame
        numbers are unknown.

    Examples
    --------
    >>> import numpy as np, posebridge
    >>> ds = posebridge.from_numpy(np.zeros((3, 2, 2, 1)), keypoint_names=["a", "b"])
    >>> posebridge.save(ds, "out.analysis.csv")  # doctest: +SKIP
    [PosixPath('out.analysis.csv')]
    """
    path = Path(path)
    refuse_not_2d(ds, "SLEAP CSV", "SLEAP CSV poses", path)
    # a carriage return: CSV readers (posebridge's among them) take a file's lone \r for
    # its line ends, so the file would not read back
    refuse_bad_names(ds, "SLEAP CSV", forbidden="\x00\r")
    refuse_empty(ds, "SLEAP CSV", dims=(model.TIME, model.KEYPOINT, model.INDIVIDUAL))
    refuse_no_points(ds, "SLEAP CSV")
    clashing = [
        str(node)
        for node in ds[model.KEYPOINT].values
        if {f"{node}.{part}" for part in ("x", "y", "score")} & set(FIXED)
    ]
    if clashing:  # not a loop per point: one name per keypoint
        raise PoseBridgeError(
            f"{path}: the keypoint name(s) {', '.join(map(repr, clashing))} would give a column "
            f"named as one of the SLEAP CSV's own ({', '.join(FIXED)}), which no reader can "
            "tell apart; rename the keypoint (ds.assign_coords(keypoint=[...]))."
        )
    frames = model.distinct_frame_numbers(ds, "SLEAP CSV")
    if frames is None:
        raise PoseBridgeError(
            f"{path}: the frame numbers are unknown (time in seconds without fps or a frame "
            f"coordinate); a SLEAP CSV needs them. {FPS_ADVICE}"
        )
    warn_times_not_kept(ds, path, "a SLEAP CSV")
    warn_keypoint_variables_dropped(ds, path, "SLEAP analysis CSV")  # as the analysis .h5
    warn_variables_not_written(ds, path, "SLEAP analysis CSV")
    if frames.size and frames.min() < 0:
        raise PoseBridgeError(
            f"{path}: a SLEAP CSV's frame_idx is a frame number from 0; this dataset has "
            f"frame {frames.min()}."
        )
    position = ds["position"].transpose(model.TIME, model.INDIVIDUAL, model.KEYPOINT, model.SPACE)
    position = position.values.astype(np.float64, copy=False)
    confidence = model.confidence_per_keypoint(ds).transpose(
        model.TIME, model.INDIVIDUAL, model.KEYPOINT
    )
    confidence = confidence.values.astype(np.float64, copy=False)
    n_time, n_ind, n_kp = confidence.shape
    if "instance_score" in ds:
        instance = ds["instance_score"].transpose(model.TIME, model.INDIVIDUAL).values
        instance = instance.astype(np.float64, copy=False)
    else:
        instance = np.full((n_time, n_ind), np.nan)
    individuals = [str(n) for n in ds[model.INDIVIDUAL].values]
    order = _write_order(individuals)
    position, confidence, instance = position[:, order], confidence[:, order], instance[:, order]
    occupied = (
        np.isfinite(position).any(axis=(2, 3))
        | np.isfinite(confidence).any(axis=2)
        | np.isfinite(instance)
    )
    _warn_order_read_back(individuals, order, occupied, frames, path)
    warn_individuals_not_written(
        ds,
        path,
        "a SLEAP CSV holds a track only through its rows (one per instance with a point or a "
        "score)",
        written=occupied,
        missing="neither a point nor a score",
        keep=".slp, a SLEAP analysis .h5 or netCDF (.nc)",
    )
    time_index, ind_index = np.nonzero(occupied)  # row-major: by frame, then individual
    names = np.array(
        ["" if is_untracked_name(individuals[k]) else individuals[k] for k in order],
        dtype=object,
    )
    nodes = [str(k) for k in ds[model.KEYPOINT].values]
    values = np.concatenate(
        [position[time_index, ind_index], confidence[time_index, ind_index][..., None]], axis=2
    ).reshape(time_index.size, n_kp * 3)
    columns = [f"{node}.{part}" for node in nodes for part in ("x", "y", "score")]
    tracks = names[ind_index] if names.size else np.zeros(0, dtype=object)
    row_frames = np.asarray(frames, dtype=np.int64)[time_index]
    if span_too_wide(row_frames):
        warning = UserWarning(
            f"{path}: its {row_frames.size} rows span frames 0 to {int(row_frames.max())}; "
            "read it back with all_frames=False (the default, all_frames=True, would hold every "
            "frame from 0 and refuses such a span)."
        )
        warnings.warn(
            with_command_line_wording(warning, READ_SPAN_WORDING), stacklevel=user_stacklevel()
        )
    with atomic_outputs([path], overwrite=overwrite) as (temporary,):
        _write_table(
            temporary,
            [*FIXED, *columns],
            tracks,
            row_frames,
            instance[time_index, ind_index],
            values,
        )
    return [path]


def _write_order(individuals: list[str]) -> np.ndarray:
    """The order the individuals' rows take within a frame: the tracks, then ``untracked_<k>``.

    Every SLEAP reader (posebridge's among them) places the instances without a
    track after the tracks and names them by their rank in the frame, so an
    untracked individual written before a track, or ``untracked_1`` before
    ``untracked_0``, would read back in another order (or under another name).
    The tracks keep the dataset's order; the untracked follow by their number
    (:func:`_warn_order_read_back` says when that is not the dataset's order).

    Parameters
    ----------
    individuals
        The dataset's individual names, in its order.

    Returns
    -------
    numpy.ndarray
        int64 indices into ``individuals``, in writing order.

    Examples
    --------
    >>> _write_order(["untracked_1", "mouse", "untracked_0"]).tolist()
    [1, 2, 0]
    """
    untracked = [is_untracked_name(n) for n in individuals]
    # tracks first (dataset order: a stable sort), then the untracked by their number,
    # compared as digits: untracked_<20 digits> overflows an int64 (a loop per individual)
    return np.array(
        sorted(
            range(len(individuals)),
            key=lambda k: (
                untracked[k],
                untracked_sort_key(individuals[k]) if untracked[k] else (0, ""),
            ),
        ),
        dtype=np.int64,
    )


def _order_read_back(
    individuals: list[str], order: np.ndarray, occupied: np.ndarray, frames: np.ndarray
) -> np.ndarray:
    """The individuals that have rows, as indices into ``individuals``, in the order the
    reader gives them back: the tracks by the merged row order of the frames
    (:func:`~posebridge.formats.sleap_csv.layout.track_order`: tracks that never share a
    frame by their first row), then the untracked in writing order.

    ``order`` is :func:`_write_order`'s; ``occupied`` (time, individual in writing
    order) says which rows are written; ``frames`` are the frame numbers of time.
    """
    untracked = np.array([is_untracked_name(individuals[k]) for k in order], dtype=bool)
    time_index, column = np.nonzero(occupied & ~untracked)  # row-major: as written
    by_frame = np.argsort(frames[time_index], kind="stable")  # as the reader sorts rows
    tracks = order[track_order(column[by_frame], frames[time_index][by_frame])]
    written_untracked = order[untracked & occupied.any(axis=0)]
    return np.concatenate([tracks, written_untracked]).astype(np.int64)


def _warn_order_read_back(
    individuals: list[str],
    order: np.ndarray,
    occupied: np.ndarray,
    frames: np.ndarray,
    path: Path,
) -> None:
    """Warn once when the individuals written read back in another order than the
    dataset's, naming the order read back and why: the untracked placed after the
    tracks (:func:`_write_order`), tracks that never share a frame given in the
    order of their first row (:func:`_order_read_back`). Individuals with no row
    are warned about on their own and left out here.
    """
    read_back = _order_read_back(individuals, order, occupied, np.asarray(frames))
    if np.array_equal(read_back, np.sort(read_back)):
        return
    written_columns = np.flatnonzero(occupied.any(axis=0))
    is_untracked = np.array([is_untracked_name(individuals[k]) for k in read_back], dtype=bool)
    reasons = []
    if not np.array_equal(order[written_columns], np.sort(order[written_columns])):
        reasons.append(
            "a SLEAP CSV gives the instances without a track (untracked_<k>) after the "
            "tracks, by their number, as every SLEAP reader places them"
        )
    tracks = read_back[~is_untracked]
    if not np.array_equal(tracks, np.sort(tracks)):
        reasons.append(
            "a SLEAP CSV orders the tracks only by their rows within each frame, so tracks "
            "that never share a frame read back in the order of their first row"
        )
    shown = [brief(str(individuals[k])) for k in read_back[:8]]
    named = ", ".join(shown) + (f" and {read_back.size - 8} more" if read_back.size > 8 else "")
    untracked_note = (
        " (the untracked named by their rank in each frame: untracked_0, untracked_1, ...)"
        if is_untracked.any()
        else ""
    )
    warnings.warn(
        f"{path}: {'; '.join(reasons)}; the individuals are written, and read back, in the "
        f"order {named}{untracked_note}, not the dataset's; netCDF (.nc) keeps it.",
        stacklevel=user_stacklevel(),
    )


def _needs_quotes(text: str) -> bool:
    return any(c in text for c in ',"\r\n') or text != text.strip()


def _write_table(
    target: Path,
    header: list[str],
    tracks: np.ndarray,
    frames: np.ndarray,
    instance: np.ndarray,
    values: np.ndarray,
) -> None:
    """Header by the csv module; rows by pyarrow's exact, vectorised number formatting
    (pandas when pyarrow is missing). NaN is an empty cell, as SLEAP (pandas) writes."""
    import csv
    import io

    text = io.StringIO()
    csv.writer(text, lineterminator="\n").writerow(header)
    quoted = any(_needs_quotes(str(t)) for t in set(tracks.tolist()))
    with open(target, "w", encoding="utf-8", newline="") as handle:
        handle.write(text.getvalue())
    try:
        import pyarrow as pa
        import pyarrow.csv as pcsv
    except ImportError:
        _write_rows_pandas(target, tracks, frames, instance, values)
        return
    columns = [values[:, k] for k in range(values.shape[1])]
    step = max(1, (1 << 21) // max(1, values.shape[1] + 3))
    options = pcsv.WriteOptions(include_header=False, quoting_style="needed" if quoted else "none")
    names = [f"c{k}" for k in range(len(header))]
    with open(target, "ab") as handle:
        writer = None
        for start in range(0, max(frames.size, 1), step):
            rows = slice(start, start + step)
            arrays = [
                pa.array(tracks[rows].astype(str), type=pa.string()),
                pa.array(frames[rows], type=pa.int64()),
                pa.array(instance[rows], mask=np.isnan(instance[rows]), type=pa.float64()),
                *(
                    pa.array(column[rows], mask=np.isnan(column[rows]), type=pa.float64())
                    for column in columns
                ),
            ]
            batch = pa.record_batch(arrays, names=names)
            if writer is None:
                writer = pcsv.CSVWriter(handle, batch.schema, write_options=options)
            if batch.num_rows:
                writer.write_batch(batch)
        if writer is not None:
            writer.close()


def _write_rows_pandas(
    target: Path, tracks: np.ndarray, frames: np.ndarray, instance: np.ndarray, values: np.ndarray
) -> None:
    import pandas as pd

    table = pd.DataFrame(values)
    table.insert(0, "track", tracks)
    table.insert(1, "frame_idx", frames)
    table.insert(2, "instance.score", instance)
    table.to_csv(target, mode="a", header=False, index=False, lineterminator="\n")
