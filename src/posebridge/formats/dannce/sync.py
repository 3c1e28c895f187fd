"""DANNCE sync files: the video frame of each ``sampleID``.

A DANNCE prediction's ``sampleID`` is a sample id of the sync table the
prediction was made with, not a frame number. DANNCE's ``makeSyncFiles.py``
writes one ``<camera>_sync.mat`` per camera holding ``data_frame`` (0, 1, 2, ...)
and ``data_sampleID = data_frame * 1000 / fps + 1`` (milliseconds + 1); a
Label3D file (``*Label3D_dannce.mat``) holds the same tables as a cell array
``sync``, one struct per camera (Label3D's ``makeSync`` makes ids equal to the
frames, 0..N-1). DANNCE reads the ids as integers (``astype(int)``, truncating),
and predicts the samples of the first camera's table.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path
from typing import Any

import numpy as np

from posebridge import model
from posebridge._files import check_input
from posebridge.errors import FormatError, user_stacklevel, with_command_line_wording
from posebridge.formats.dannce.matfile import load

__all__ = ["SAMPLE_ID", "frames_of", "warn_sample_ids"]

#: The coordinate along ``time`` holding each prediction's ``sampleID``.
SAMPLE_ID = "sample_id"

_TABLE = ("data_sampleID", "data_frame")


def _struct(item: Any) -> dict[str, Any] | None:
    """The fields of a MATLAB struct as scipy (record array) or h5py (dict) gives it."""
    while isinstance(item, np.ndarray) and item.dtype == object and item.size == 1:
        item = item.reshape(-1)[0]
    if isinstance(item, dict):
        return item
    if isinstance(item, np.ndarray) and item.dtype.names and item.size == 1:
        record = item.reshape(-1)[0]
        return {name: record[name] for name in item.dtype.names}
    return None


def _cameras(source: Path) -> list[dict[str, Any]]:
    """One ``{data_sampleID, data_frame}`` table per camera of a sync or Label3D file."""
    values = load(source, (*_TABLE, "sync"))
    if any(name in values for name in _TABLE):
        return [values]
    if "sync" not in values:
        refused = FormatError(
            source,
            "has neither data_sampleID and data_frame (a DANNCE <camera>_sync.mat) nor sync "
            "(a Label3D file); sync= takes one of those.",
        )
        wording = {"sync= takes one of those.": "--read-option sync= takes one of those."}
        raise with_command_line_wording(refused, wording)
    sync = values["sync"]
    if isinstance(sync, np.ndarray) and sync.dtype.names:  # a struct array: one per camera
        cells: list[Any] = [sync.reshape(-1)[i : i + 1] for i in range(sync.size)]
    elif isinstance(sync, np.ndarray) and sync.dtype == object:  # a cell array
        cells = list(sync.reshape(-1))
    else:
        cells = [sync]
    tables = [_struct(cell) for cell in cells]
    if not tables or any(t is None or not all(n in t for n in _TABLE) for t in tables):
        raise FormatError(
            source,
            "sync should be a cell array of structs with data_sampleID and data_frame "
            "(one per camera, as Label3D saves it).",
        )
    return [t for t in tables if t is not None]


def _table(table: dict[str, Any], source: Path, camera: int) -> tuple[np.ndarray, np.ndarray]:
    """(sample ids as DANNCE reads them, frames), sorted by sample id."""
    where = f"camera {camera + 1}'s " if camera else ""
    arrays = []
    for name in _TABLE:
        if name not in table:
            raise FormatError(
                source, f"has no {where}{name}; a sync table needs both of {_TABLE}."
            )
        array = np.asarray(table[name])
        if array.dtype.kind not in "iuf":
            raise FormatError(source, f"{where}{name} should hold numbers; found {array.dtype}.")
        arrays.append(array.reshape(-1).astype(np.float64))
    ids, frames = arrays
    if ids.size != frames.size or ids.size == 0:
        raise FormatError(
            source,
            f"{where}data_sampleID holds {ids.size} values and data_frame {frames.size}; "
            "they must match (and not be empty).",
        )
    keys = np.trunc(ids)  # DANNCE's load_sync: data_sampleID.astype(int)
    if not (model.whole_numbers(keys).all() and model.whole_numbers(frames).all()):
        raise FormatError(
            source, f"{where}data_sampleID and data_frame should hold finite whole numbers."
        )
    keys, frames = keys.astype(np.int64), frames.astype(np.int64)
    negative = np.flatnonzero(frames < 0)
    if negative.size:  # makeSyncFiles.py and Label3D's makeSync write frames 0..N-1
        raise FormatError(
            source,
            f"{where}data_frame holds {frames[negative[0]]} (value {negative[0] + 1} of "
            f"{frames.size}; {negative.size} are negative): video frames are numbered from 0.",
        )
    order = np.argsort(keys, kind="stable")
    keys, frames = keys[order], frames[order]
    repeated = np.flatnonzero(np.diff(keys) == 0)
    if repeated.size:
        raise FormatError(source, f"{where}data_sampleID gives sample {keys[repeated[0]]} twice.")
    return keys, frames


def _lookup(
    ids: np.ndarray, keys: np.ndarray, frames: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Frames of ``ids`` in a sorted table, and where each id was found."""
    at = np.minimum(np.searchsorted(keys, ids), keys.size - 1)
    return frames[at], keys[at] == ids


def frames_of(sample_ids: np.ndarray, sync: str | os.PathLike[str], path: Path) -> np.ndarray:
    """The video frame of each DANNCE ``sampleID``, from a sync or Label3D file.

    The first camera's table gives the frames (DANNCE predicts the samples of
    that table); when another camera's frames differ for these samples (frames
    matched across cameras that are not triggered together), a warning says so.

    Parameters
    ----------
    sample_ids
        The prediction's ``sampleID`` values (int64).
    sync
        A DANNCE ``<camera>_sync.mat`` (``data_sampleID``, ``data_frame``), or a
        Label3D file holding ``sync`` (one struct per camera); MATLAB v5 or v7.3.
    path
        The prediction file, for messages.

    Returns
    -------
    numpy.ndarray
        int64 frame numbers, one per sample id.

    Raises
    ------
    FormatError
        When the sync file is not one, or lacks a sample id (naming both files).

    Examples
    --------
    >>> import numpy as np, scipy.io
    >>> sync = Path(getfixture("tmp_path")) / "Camera1_sync.mat"
    >>> frame = np.arange(5.0)[:, None]
    >>> scipy.io.savemat(sync, {"data_frame": frame, "data_sampleID": frame * 10 + 1})
    >>> frames_of(np.array([21, 1, 41]), sync, Path("save_data_AVG.mat")).tolist()
    [2, 0, 4]
    """
    source = check_input(sync)  # FileNotFoundError / IsADirectoryError, as load's
    tables = [_table(table, source, i) for i, table in enumerate(_cameras(source))]
    frames, found = _lookup(sample_ids, *tables[0])
    if not found.all():
        missing = sample_ids[~found]
        raise FormatError(
            path,
            f"sampleID {missing[0]} is not in the sync file {source} "
            f"({missing.size} of {sample_ids.size} sampleIDs are not); "
            "was the prediction made with another sync?",
        )
    differ = []
    for camera, table in enumerate(tables[1:], start=2):  # a loop over cameras, not samples
        other, here = _lookup(sample_ids, *table)
        if not (here.all() and np.array_equal(other, frames)):
            differ.append(camera)
    if differ:
        warnings.warn(
            f"{path}: the cameras of {source} give other frames for these samples "
            f"(camera {', '.join(map(str, differ))} differ from camera 1, or lack some); "
            "time holds camera 1's frames.",
            UserWarning,
            stacklevel=user_stacklevel(),
        )
    return frames


def warn_sample_ids(sample_ids: np.ndarray, path: Path) -> None:
    """Warn that ``sampleID`` values read as time are sync sample ids, not frames.

    Not when they are exactly 0..N-1: only Label3D's ``makeSync`` writes a 0
    (its ids are the frames); ``makeSyncFiles.py`` starts at 1 (frame 0 is
    sample 1), so 1..N is frames 0..N-1 at 1000 fps and still warns.
    """
    if np.array_equal(sample_ids, np.arange(sample_ids.size)):
        return
    warning = UserWarning(
        f"{path}: DANNCE sampleIDs are sample ids of the sync table, not frame numbers "
        "(makeSyncFiles.py writes frame * 1000 / fps + 1); time holds them as they are. "
        "Pass sync=<the *_sync.mat or Label3D file of the prediction> for frames."
    )
    wording = {
        "Pass sync=<the *_sync.mat or Label3D file of the prediction>": (
            "Pass --read-option sync=PATH (the *_sync.mat or Label3D file of the prediction)"
        )
    }
    warnings.warn(with_command_line_wording(warning, wording), stacklevel=user_stacklevel())
