"""Read TRex per-individual files (``.npz``, CSV) into one dataset."""

from __future__ import annotations

import csv
import glob
import io
import os
import re
import warnings
import zipfile
import zlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from posebridge import model
from posebridge._files import check_input, note_files_read, refuse_empty_file
from posebridge.errors import FormatError, describing, user_stacklevel, with_command_line_wording
from posebridge.formats._shared import csv_rows
from posebridge.formats._shared.hdf5 import FREE_BYTES
from posebridge.formats._shared.text_bytes import not_utf8_message, text_size
from posebridge.formats.trex.layout import (
    TITLE,
    ZIP_MAGIC,
    clean_column,
    folder_files,
    individual_of,
    is_trex_columns,
    npz_members,
    other_delimiter,
    unit_of,
)

__all__ = ["describe", "read"]

#: keypoint -> (x source, y source), candidates in order of preference.
SOURCES: dict[str, tuple[tuple[str, str], ...]] = {
    "centroid": (("X#wcentroid", "Y#wcentroid"), ("X#centroid", "Y#centroid")),
    "head": (("X", "Y"),),
    "posture_centroid": (("X#pcentroid", "Y#pcentroid"),),
}
_POSE = re.compile(r"^poseX(\d+)$")
_POSE_EITHER = re.compile(r"^pose([XY])(\d+)$")
#: How many times its archive's size a TRex .npz's arrays may unpack to (past FREE_BYTES).
#: TRex writes them uncompressed; re-saved with np.savez_compressed, tracks of an animal
#: absent most of the time (inf) shrink some 80 times.
NPZ_EXPANSION = 256


def _wanted(name: str) -> bool:
    """Whether an array of the archive is read: positions, time or absence (``frame`` too)."""
    return name in _WANTED or bool(_POSE.match(name)) or name.startswith("poseY")


_UNITS = {"cm": "centimeters", "px": "pixels", "mm": "millimeters", "m": "meters"}

#: The advice of the warning on unusable timestamps, in Python's words (as idtracker.ai's):
#: it says what a rate does when given rather than ask for one (it may have been given).
_FPS_FOR_SECONDS = "fps=, when given, makes it seconds"

PathInput = str | os.PathLike[str] | Sequence[str | os.PathLike[str]]


def _space_unit(tracks: list[_Track]) -> str:
    """The one unit of length of the tracks' position columns (``(cm)``, ``(px)``...).

    A unit TRex names that is not one of :data:`_UNITS` is kept as written; no unit
    at all (an ``.npz``, a CSV without suffixes) is TRex's centimetres. Columns in
    two units are refused: one dataset holds one unit of length.
    """
    given = {
        unit: (track.path, column) for track in tracks for unit, column in track.units.items()
    }
    if len(given) > 1:
        (one, (one_path, one_column)), (other, (other_path, other_column)) = list(given.items())[
            :2
        ]
        where = "" if one_path == other_path else f" of {other_path.name}"
        raise FormatError(
            one_path,
            f"its column {one_column!r} is in {one} but the column {other_column!r}{where} is "
            f"in {other}: a dataset holds positions in one unit of length. Export the "
            "tracks from TRex in one unit.",
        )
    return _UNITS.get(unit, unit) if (unit := next(iter(given), None)) else "centimeters"


class _Track:
    """One individual's per-frame arrays, read from one file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.name = individual_of(path)[1]
        #: each unit of length the position columns give, with the first column giving it
        self.units: dict[str, str] = {}
        #: each array's type as the .npz stores it (float32 for TRex's own); none for a CSV
        self.stored: dict[str, np.dtype[Any]] = {}
        self.columns = self._load()
        frame = self.columns.get("frame")
        if frame is None:
            raise FormatError(path, "has no 'frame' array/column; expected TRex output.")
        n = frame.shape[0]
        if not model.whole_numbers(frame).all() or np.any(frame < 0):
            raise FormatError(path, "'frame' should hold whole frame numbers >= 0 (below 2**53).")
        self.frames = frame.astype(np.int64)
        if np.unique(self.frames).size != n:
            raise FormatError(path, "'frame' gives a frame number twice.")
        self.n = n
        missing = self.columns.get("missing")
        self.absent = np.asarray(missing == 1) if missing is not None else np.zeros(n, dtype=bool)
        #: pose point number -> its (x, y) column names as the file writes them
        self.poses = _pose_columns(path, self.columns)

    def _load(self) -> dict[str, np.ndarray]:
        # by content, as detection: a misnamed .npz (a zip archive) is still one
        with open(self.path, "rb") as handle:
            zipped = handle.read(len(ZIP_MAGIC)) == ZIP_MAGIC
        return self._load_npz() if zipped else self._load_csv()

    def _load_npz(self) -> dict[str, np.ndarray]:
        try:
            members = npz_members(self.path)
            self._refuse_bomb(members)
            self._refuse_damaged_members(members)
            columns: dict[str, np.ndarray] = {}
            with np.load(self.path, allow_pickle=False) as archive:
                # only what becomes positions, time or absence is read (not frame_segments...)
                for name in sorted(filter(_wanted, members), key=_position_first):
                    columns[name] = archive[name]
            frame = columns.get("frame")
            if frame is not None:  # else refused by the caller, naming 'frame'
                if frame.ndim != 1:
                    raise FormatError(
                        self.path,
                        f"'frame' has the shape {frame.shape}; expected one number "
                        "per frame (1-D).",
                    )
                self._refuse_not_per_frame(columns, frame.shape[0])
            for name, values in columns.items():  # per array, not per value
                if values.dtype.kind not in "biuf":  # complex: numpy drops the imaginary part
                    raise FormatError(
                        self.path, f"'{name}' should hold numbers; found {values.dtype} values."
                    )
                self.stored[name] = values.dtype
            return {name: values.astype(np.float64) for name, values in columns.items()}
        except FormatError:  # ours (a ValueError too), as raised
            raise
        except (
            zipfile.BadZipFile,
            OSError,
            ValueError,
            KeyError,
            EOFError,  # a member cut short
            zlib.error,  # a damaged compressed member
            NotImplementedError,  # zipfile: "That compression method is not supported"
        ) as error:
            raise FormatError(self.path, f"is not a readable TRex .npz file ({error}).") from None

    def _refuse_not_per_frame(self, columns: dict[str, np.ndarray], frames: int) -> None:
        """Refuse an array read as one value per frame that is not as long as ``frame``:
        left out, a short ``X`` would have dropped the head (or be called absent)."""
        for name, values in columns.items():
            if values.shape != (frames,):
                found = (
                    f"has {values.shape[0]} entries"
                    if values.ndim == 1
                    else f"has the shape {values.shape}"
                )
                raise FormatError(
                    self.path,
                    f"{name} {found}, 'frame' has {frames} entries; "
                    "TRex writes one value per frame in each of its arrays (is the file cut "
                    "or edited?).",
                )

    def _refuse_bomb(self, members: set[str]) -> None:
        """Refuse members whose unpacked size is out of all proportion to the archive.

        A zip member of zeros deflates a thousandfold: a megabyte's archive would
        unpack gigabytes. TRex's arrays of positions shrink a few times at most.
        """
        wanted = {f"{m}.npy" for m in members if _wanted(m)}
        with zipfile.ZipFile(self.path) as archive:
            total = sum(i.file_size for i in archive.infolist() if i.filename in wanted)
        size = self.path.stat().st_size
        if total > max(FREE_BYTES, NPZ_EXPANSION * size):
            raise FormatError(
                self.path,
                f"its arrays unpack to {total} bytes, {total // size} times "
                f"the archive's {size} bytes, more than tracks shrink (a zip "
                "bomb?); refused. If it is genuine, save it uncompressed (np.savez), as TRex "
                "writes them.",
            )

    def _refuse_damaged_members(self, members: set[str]) -> None:
        """Refuse a member read that is not a ``.npy`` array or declares more than it holds.

        ``np.load`` hands back the raw bytes of a member without the ``.npy`` magic,
        and allocates whatever shape a member's header declares before reading it: a
        header declaring 10**11 numbers over 16 bytes asked for 745 GiB. Each member
        read has its header checked against its size in the zip directory first.
        """
        from numpy.lib import format as npy

        with zipfile.ZipFile(self.path) as archive:
            for name in sorted(filter(_wanted, members)):
                member = f"{name}.npy"
                with archive.open(member) as handle:
                    magic = handle.read(len(npy.MAGIC_PREFIX) + 2)
                    if not magic.startswith(npy.MAGIC_PREFIX) or len(magic) < 8:
                        raise FormatError(
                            self.path,
                            f"its member {member!r} is not a .npy array (it does not start "
                            "with numpy's magic bytes); the file is damaged.",
                        )
                    version = npy.read_magic(io.BytesIO(magic))  # numpy's own refusal
                    read_header = (
                        npy.read_array_header_1_0
                        if version == (1, 0)
                        else npy.read_array_header_2_0
                    )  # 3.0 differs from 2.0 only in the header text's encoding
                    shape, _, dtype = read_header(handle)
                    held = archive.getinfo(member).file_size - handle.tell()
                if dtype.hasobject:
                    continue  # pickled: refused below, as allow_pickle is off
                declared = int(np.prod(shape, dtype=object)) * dtype.itemsize
                if declared > held:
                    raise FormatError(
                        self.path,
                        f"its member {member!r} declares a {dtype} array of shape {shape} "
                        f"({declared} bytes) but holds {max(held, 0)} bytes; the file is "
                        "damaged (cut short or edited).",
                    )

    def _load_csv(self) -> dict[str, np.ndarray]:
        import pandas as pd

        size = text_size(self.path)  # refuses lone carriage returns and NUL at the end
        with open(self.path, "rb") as handle:
            data = handle.read(size)  # without an old DOS end-of-file marker (Ctrl-Z)
        try:
            line = data.split(b"\n", 1)[0].decode("utf-8-sig").rstrip("\r")
        except UnicodeDecodeError:
            raise FormatError(self.path, not_utf8_message(data)) from None
        header = line.split(",")
        names = {clean_column(cell) for cell in header}
        if not is_trex_columns(names) and (delimiter := other_delimiter(line)) is not None:
            # ';' or tabs (a spreadsheet's export, ',' then being the decimal mark)
            first = next(csv.reader([line], delimiter=delimiter))[0]
            csv_rows.refuse_other_delimiter(self.path, line, first.strip(" \t"), TITLE)
        csv_rows.refuse_wrong_widths(self.path, data, len(header))
        try:
            table = pd.read_csv(io.BytesIO(data), header=None, skiprows=1, dtype=np.float64)
        except pd.errors.EmptyDataError:
            table = pd.DataFrame()
        except UnicodeDecodeError:
            raise FormatError(self.path, not_utf8_message(data)) from None
        except (ValueError, pd.errors.ParserError) as error:
            raise FormatError(
                self.path, self._bad_cell(data) or f"is not a TRex CSV ({error})."
            ) from None
        if table.shape[1] and table.shape[1] != len(header):
            raise FormatError(
                self.path, f"line 2 has {table.shape[1]} values for {len(header)} header columns."
            )
        columns: dict[str, np.ndarray] = {}
        for index, raw in enumerate(header):
            name = clean_column(raw)
            values = table.iloc[:, index].to_numpy(np.float64) if table.shape[1] else np.zeros(0)
            if name in columns:  # TRex may repeat a column: the copies must agree
                same = (columns[name] == values) | (np.isnan(columns[name]) & np.isnan(values))
                if not same.all():
                    raise FormatError(
                        self.path,
                        f"line {int(np.flatnonzero(~same)[0]) + 2}: the repeated column "
                        f"{name!r} holds different values.",
                    )
                continue
            columns[name] = values
            if name.startswith(("X", "Y", "poseX", "poseY")) and (unit := unit_of(raw)):
                self.units.setdefault(unit, raw.strip().strip('"'))
        return columns

    def _bad_cell(self, data: bytes) -> str | None:
        """Where the first cell of ``data`` (the file's text) that is not a number is
        (line, column), if one is."""
        import pandas as pd

        try:
            text = pd.read_csv(
                io.BytesIO(data), header=None, skiprows=1, dtype=str, keep_default_na=False
            )
        except (ValueError, pd.errors.ParserError):
            return None
        for index in range(text.shape[1]):  # one vectorised check per column
            cells = text.iloc[:, index]
            numbers = pd.to_numeric(cells.where(cells != "", "nan"), errors="coerce")
            bad = np.flatnonzero(numbers.isna().to_numpy() & ~cells.str.lower().isin(["", "nan"]))
            if bad.size:
                return (
                    f"line {int(bad[0]) + 2}, column {index + 1}: expected a number, "
                    f"found {cells.iloc[int(bad[0])]!r}."
                )
        return None

    def pair(self, keypoint: str) -> tuple[np.ndarray, np.ndarray] | None:
        """(x, y) of a keypoint, NaN where absent; None when the file lacks it."""
        if keypoint.startswith("pose_"):
            columns = self.poses.get(int(keypoint[len("pose_") :]))
            candidates: tuple[tuple[str, str], ...] = (columns,) if columns else ()
        else:
            candidates = SOURCES[keypoint]
        for x_name, y_name in candidates:
            if (x_name in self.columns) != (y_name in self.columns):
                has, lacks = (x_name, y_name) if x_name in self.columns else (y_name, x_name)
                raise FormatError(
                    self.path,
                    f"has the column {has!r} but not {lacks!r}: a position needs both "
                    "(TRex exports only the output_fields it was given).",
                )
            if x_name in self.columns:
                xy = np.stack([self.columns[x_name], self.columns[y_name]], axis=1)
                xy[~np.isfinite(xy)] = np.nan  # TRex writes +inf for no value
                xy[self.absent] = np.nan
                return xy[:, 0], xy[:, 1]
        return None

    def keypoints(self) -> list[str]:
        names = [k for k, options in SOURCES.items() if any(self._has(pair) for pair in options)]
        return names + [f"pose_{i}" for i in sorted(self.poses)]

    def _has(self, pair: tuple[str, str]) -> bool:
        """Whether the file has the x or the y column of a keypoint (one alone is refused)."""
        return pair[0] in self.columns or pair[1] in self.columns

    def seconds(self) -> tuple[np.ndarray, np.ndarray, bool] | None:
        """Each frame's time in seconds, how precisely the file holds it (seconds), and
        whether it comes from ``timestamp`` (microseconds: 40000 us is 0.04 s exactly).

        ``timestamp`` (microseconds) holds a time to 1 us, or to its float32
        resolution at that value where it is coarser; ``time`` (seconds) to its
        float32 resolution: TRex keeps it as float32, so its 0.04 reads as
        0.03999999910593033 (a CSV's ``time``, parsed from text, is taken as
        TRex's float32 too). A float64 array holds its value to float64's
        resolution. None when the file has neither column.
        """
        if "timestamp" in self.columns:
            micro = self.columns["timestamp"]
            # Divided, not multiplied by 1e-6 (inexact): 200000 us reads as 0.2 exactly.
            return micro / 1e6, np.maximum(1.0, self._resolution("timestamp")) / 1e6, True
        if "time" in self.columns:
            return self.columns["time"], self._resolution("time"), False
        return None

    def _resolution(self, name: str) -> np.ndarray:
        """The spacing of representable values at each of ``name``'s values as its file
        holds them (float32 for a CSV's text; 0 where a value is not finite)."""
        values = self.columns[name]
        stored = self.stored.get(name, np.dtype(np.float32))
        if stored.kind != "f":  # whole numbers: to one unit
            return np.where(np.isfinite(values), 1.0, 0.0)
        finite = np.isfinite(values)
        with np.errstate(over="ignore", invalid="ignore"):  # float32: past 3.4e38 is inf
            spacing = np.spacing(values.astype(stored)).astype(np.float64)
        return np.where(finite & np.isfinite(spacing), np.abs(spacing), 0.0)


def _refuse_other_time(
    tracks: list[_Track],
    track: _Track,
    frames: np.ndarray,
    rows: np.ndarray,
    stamps: np.ndarray,
    precision: np.ndarray,
    seconds: np.ndarray,
    held_to: np.ndarray,
    timed_by: np.ndarray,
) -> None:
    """Refuse a file whose time for a frame differs from an earlier file's.

    The files of one video share its clock; two that disagree (a re-export, or
    files of two sessions under one video name) cannot both be right, and
    keeping either time would be a silent guess. Times agree when they differ by
    no more than the two files' precisions together: TRex's float32 ``time``
    0.03999999910593033 and ``timestamp`` 40000 us are one time.

    Parameters
    ----------
    tracks : list of _Track
        All the files read, in the order their times were taken.
    track : _Track
        The file being added.
    frames : numpy.ndarray
        The frame numbers of the dataset (sorted, unique).
    rows : numpy.ndarray
        Where each of ``track``'s frames sits in ``frames``.
    stamps : numpy.ndarray
        ``track``'s time in seconds for each of its frames (NaN where absent).
    precision : numpy.ndarray
        How precisely ``track``'s file holds each of ``stamps`` (seconds).
    seconds : numpy.ndarray
        The times taken so far, NaN where none yet.
    held_to : numpy.ndarray
        How precisely the file that gave each of ``seconds`` holds it.
    timed_by : numpy.ndarray
        The index in ``tracks`` of the file that gave each time (-1: none).

    Raises
    ------
    FormatError
        Naming both files, the first frame where they differ and both times.
    """
    earlier = seconds[rows]
    with np.errstate(invalid="ignore"):  # inf - inf: equal, so not compared
        near = np.abs(earlier - stamps) <= held_to[rows] + precision
    differs = ~np.isnan(earlier) & ~np.isnan(stamps) & (earlier != stamps) & ~near
    if not differs.any():
        return
    at = int(np.argmax(differs))
    other = tracks[int(timed_by[rows[at]])]
    raise FormatError(
        track.path,
        f"gives frame {int(frames[rows[at]])} the time {float(stamps[at])!r} s, but "
        f"{other.path} gives it {float(earlier[at])!r} s ({int(differs.sum())} frame(s) "
        "differ); the files of one video share its clock, so these are not one "
        "recording's files. Read them one at a time, or remove the one that does not belong.",
    )


def _pose_columns(path: Path, columns: dict[str, np.ndarray]) -> dict[int, tuple[str, str]]:
    """Each pose point's number and its (x, y) column names, as the file spells them.

    TRex numbers pose points ``poseX0``, ``poseX1`` ... without leading zeros; a
    column written ``poseX01`` (another tool's, or an edit) is pose point 1 too.
    Two columns naming one point (``poseX1`` and ``poseX01``) are refused: which
    holds the point cannot be told, and reading one would drop the other unsaid.
    A missing x or y keeps TRex's spelling, so the error names the column lacking.
    """
    found: dict[tuple[int, str], str] = {}
    for name in columns:
        if not (match := _POSE_EITHER.match(name)):
            continue
        axis, number = match.group(1), int(match.group(2))
        if (earlier := found.setdefault((number, axis), name)) != name:
            raise FormatError(
                path,
                f"{earlier!r} and {name!r} both name pose point {number} "
                f"(TRex writes pose{axis}{number}); which one holds it cannot be told. "
                "Rename or remove one of them.",
            )
    numbers = {number for number, _ in found}
    return {
        number: (
            found.get((number, "X"), f"poseX{number}"),
            found.get((number, "Y"), f"poseY{number}"),
        )
        for number in numbers
    }


#: The columns that hold positions (x or y of a source).
_POSITIONS = frozenset(name for options in SOURCES.values() for pair in options for name in pair)

_WANTED = frozenset({"frame", "missing", "time", "timestamp"} | _POSITIONS)


def _position_first(name: str) -> tuple[bool, str]:
    """Sort key: position arrays first, so that a short one is the one named."""
    return (name not in _POSITIONS and not _POSE_EITHER.match(name), name)


def _inputs(path: PathInput, siblings: bool) -> list[Path]:
    """The files to read, from a folder, a file, a glob pattern or a list."""
    if isinstance(path, str | os.PathLike):
        text = os.fspath(path)
        given = Path(text)
        if given.is_dir():
            files = folder_files(given)
            if not files:
                raise FormatError(given, "holds no TRex .npz or .csv files.")
            return files
        if not given.exists() and glob.has_magic(text):
            files = sorted(Path(p) for p in glob.glob(text) if Path(p).is_file())
            if not files:
                raise FormatError(given, "the pattern matches no file.")
            return files
        if siblings:
            check_input(given)
            video, _ = individual_of(given)
            files = [
                p
                for p in folder_files(given.parent)
                if p.suffix.lower() == given.suffix.lower() and individual_of(p)[0] == video
            ]
            return files or [given]
        return [check_input(given)]
    files = [check_input(p) for p in path]
    if not files:
        raise FormatError(None, "an empty list of TRex files was given.")
    return files


def _number(name: str) -> tuple[int, str]:
    digits = re.search(r"(\d+)$", name)
    return (int(digits.group(1)) if digits else -1, name)


def read(path: PathInput, *, siblings: bool = False) -> xr.Dataset:
    """Read TRex per-individual files into one dataset.

    Parameters
    ----------
    path
        A folder (all its TRex ``.npz`` files, else its TRex CSVs), one
        ``.npz`` or ``.csv`` file, a glob pattern (``"data/video_fish*.npz"``)
        or a list of files. Files must come from one video.
    siblings
        With one file: also read the other TRex files of the same video
        (``<video>_<id>.<ext>``) in its folder.

    Returns
    -------
    xarray.Dataset
        Poses; individuals named from the files (``fish0``, ``id3``...) in
        numeric order; time in seconds from ``timestamp`` with ``frame`` kept
        (in frames when the files have no usable timestamps).

    Raises
    ------
    FormatError
        Naming the file whose layout is wrong (e.g. an X column without Y),
        or the files that belong to different videos.

    Examples
    --------
    >>> from posebridge.formats import trex
    >>> ds = trex.read("video/data")  # doctest: +SKIP
    >>> ds = trex.read(["data/test_fish0.npz", "data/test_fish1.npz"])  # doctest: +SKIP
    """
    if isinstance(path, str | Path):
        refuse_empty_file(Path(path), "a TRex .npz or .csv file")
    files = _inputs(path, siblings)
    note_files_read(*files)  # the siblings too: kept from a conversion's outputs
    videos = {individual_of(f)[0] for f in files}
    if len(videos) > 1:
        raise FormatError(
            files[0].parent,
            f"the TRex files belong to {len(videos)} videos ({', '.join(sorted(videos))}); "
            "read one video at a time: one of its files with siblings=True, a list of its "
            "files, or trex.read with a glob such as '<video>_*.npz' (posebridge.load takes "
            "no glob).",
        )
    tracks = sorted((_Track(f) for f in files), key=lambda t: _number(t.name))
    names = [t.name for t in tracks]
    if len(set(names)) != len(names):
        raise FormatError(files[0].parent, f"two files give the same individual: {names}.")
    keypoints: list[str] = []
    for track in tracks:
        keypoints.extend(k for k in track.keypoints() if k not in keypoints)
    if not keypoints:
        first = tracks[0]
        raise FormatError(
            first.path,
            "has no position columns (X#wcentroid/Y#wcentroid, X#centroid, X/Y, X#pcentroid, "
            f"poseX<i>/poseY<i>); found {', '.join(sorted(first.columns))}.",
        )
    frames = np.unique(np.concatenate([t.frames for t in tracks]))
    position = np.full((frames.size, 2, len(keypoints), len(tracks)), np.nan)
    seconds = np.full(frames.size, np.nan)
    held_to = np.full(frames.size, np.inf)  # how precisely each time's file holds it
    in_micro = np.zeros(frames.size, dtype=bool)  # whether each time is from microseconds
    timed_by = np.full(frames.size, -1)  # which track's file gave each frame's time
    for i, track in enumerate(tracks):  # one pass per individual (file), vectorised inside
        rows = np.searchsorted(frames, track.frames)
        for k, keypoint in enumerate(keypoints):
            pair = track.pair(keypoint)
            if pair is not None:
                position[rows, 0, k, i], position[rows, 1, k, i] = pair
        if (timed := track.seconds()) is not None:
            stamps, precision, micro = timed
            _refuse_other_time(
                tracks, track, frames, rows, stamps, precision, seconds, held_to, timed_by
            )
            # a frame's time from microseconds (0.04 s, not float32's 0.03999999910593033),
            # whichever file came first
            better = ~np.isnan(stamps) & (np.isnan(seconds[rows]) | (micro & ~in_micro[rows]))
            seconds[rows[better]] = stamps[better]
            held_to[rows[better]] = precision[better]
            in_micro[rows[better]] = micro
            timed_by[rows[better]] = i
    attrs: dict[str, Any] = {
        "ds_type": model.POSES,
        "time_unit": "frames",
        "source_software": "TRex",
        "space_unit": _space_unit(tracks),
    }
    ds = xr.Dataset(
        {
            "position": (model.POSES_DIMS, position),
            "confidence": (
                (model.TIME, model.KEYPOINT, model.INDIVIDUAL),
                np.full((frames.size, len(keypoints), len(tracks)), np.nan),
            ),
        },
        coords={
            model.TIME: frames,
            model.SPACE: ["x", "y"],
            model.KEYPOINT: keypoints,
            model.INDIVIDUAL: names,
        },
        attrs=attrs,
    )
    if np.all(np.isfinite(seconds)) and np.all(np.diff(seconds) > 0):
        ds = ds.assign_coords({model.TIME: seconds, model.FRAME: (model.TIME, frames)})
        ds.attrs["time_unit"] = "seconds"
    elif not np.isnan(seconds).all():
        warning = UserWarning(
            f"{files[0]}: the TRex timestamps are missing for some frames or do not increase, "
            f"so they are not used: time counts frames ({_FPS_FOR_SECONDS})."
        )
        wording = {_FPS_FOR_SECONDS: "--fps, when given, makes it seconds"}
        warnings.warn(with_command_line_wording(warning, wording), stacklevel=user_stacklevel())
    return ds


@describing("TRex")
def describe(path: Path) -> list[tuple[str, str]]:
    """What ``posebridge info`` shows about TRex input: files, individuals, arrays.

    Examples
    --------
    >>> from posebridge.formats import trex
    >>> dict(trex.describe("video/data"))["individuals"]  # doctest: +SKIP
    'fish0, fish1'
    """
    files = _inputs(path, siblings=False)
    tracks = [_Track(f) for f in files]
    return [
        ("files", ", ".join(f.name for f in files)),
        ("individuals", ", ".join(t.name for t in tracks)),
        ("keypoints", ", ".join(tracks[0].keypoints()) if tracks else ""),
        ("frames", ", ".join(f"{t.name} {_frame_span(t.frames)}" for t in tracks)),
    ]


def _frame_span(frames: np.ndarray) -> str:
    """``first..last`` of a track's frame numbers, or ``none`` (an empty ``frame`` array)."""
    return f"{frames.min()}..{frames.max()}" if frames.size else "none"
