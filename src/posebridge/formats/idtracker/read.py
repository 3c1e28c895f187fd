"""Read idtracker.ai trajectories (``.npy`` pickled dict, ``.h5``, CSV file or folder)."""

from __future__ import annotations

import json
import re
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from posebridge import model
from posebridge._files import (
    check_input,
    holds_hdf5_signature,
    note_files_read,
    refuse_empty_file,
)
from posebridge._recorded_warnings import dropping_warnings
from posebridge.errors import (
    FormatError,
    PoseBridgeError,
    brief,
    describing,
    user_stacklevel,
    with_command_line_wording,
)
from posebridge.formats._shared.hdf5 import read_whole
from posebridge.formats._shared.images import image_side
from posebridge.formats._shared.safe_pickle import load_pickled
from posebridge.formats._shared.text_bytes import (
    EOF_MARKER,
    looks_utf16,
    not_utf8_message,
    text_size,
)
from posebridge.formats.idtracker.layout import NPY_MAGIC, csv_columns, find_csv
from posebridge.model.texts import decode_text, utf8_text

__all__ = ["describe", "read", "read_npy_dict"]

#: The one keypoint of an idtracker.ai animal: the blob's centroid.
KEYPOINT = "centroid"


def read_npy_dict(path: Path) -> dict[str, Any]:
    """The dict pickled in an idtracker.ai ``.npy`` file, through the restricted unpickler.

    The ``.npy`` header is parsed by numpy's header reader (a literal, no
    code); the pickle after it may build numpy arrays and plain values only.

    Parameters
    ----------
    path
        ``trajectories.npy``, ``trajectories_wo_gaps.npy``, ``with_gaps.npy``...

    Returns
    -------
    dict
        The file's keys (``trajectories``, ``id_probabilities``, ...).

    Raises
    ------
    FormatError
        When the file is not a .npy holding a pickled dict.
    posebridge.formats._shared.safe_pickle.UnsafePickleError
        When the pickle names anything beyond numpy arrays and builtins.

    Examples
    --------
    >>> sorted(read_npy_dict("trajectories.npy"))[:2]  # doctest: +SKIP
    ['body_length', 'frames_per_second']
    """
    from tokenize import TokenError

    from numpy.lib import format as npy

    with open(path, "rb") as handle:
        try:
            version = npy.read_magic(handle)
            reader = npy.read_array_header_1_0 if version == (1, 0) else npy.read_array_header_2_0
            shape, _, dtype = reader(handle)
        except (ValueError, OSError, SyntaxError, TokenError, MemoryError) as error:
            # numpy tokenises and evaluates the header text: damage in it can raise any of these
            raise FormatError(path, f"is not a readable .npy file ({error}).") from None
        if dtype != np.dtype(object):
            raise FormatError(
                path,
                f"holds a {dtype} array of shape {shape}; idtracker.ai's .npy files hold a "
                "pickled dict (dtype object).",
            )
        value = load_pickled(handle, str(path))
    if isinstance(value, np.ndarray) and value.dtype == object and value.size == 1:
        value = value.reshape(-1)[0]
    if not isinstance(value, dict):
        raise FormatError(
            path, f"holds a pickled {type(value).__name__}; expected a dict of trajectories."
        )
    return value


def _from_h5(path: Path) -> dict[str, Any]:
    import h5py

    try:
        with h5py.File(path, "r") as h5:
            found: dict[str, Any] = {key: h5.attrs[key] for key in h5.attrs}
            trajectories = h5.get("trajectories")
            if trajectories is not None and not isinstance(trajectories, h5py.Dataset):
                kind = "group" if isinstance(trajectories, h5py.Group) else "named datatype"
                raise FormatError(
                    path,
                    f"'trajectories' is an HDF5 {kind}; it must be a dataset of shape "
                    "(frames, individuals, 2), as idtracker.ai writes it.",
                )
            for key in h5:
                if isinstance(h5[key], h5py.Dataset):
                    found[key] = read_whole(h5[key])  # a declared billion: refused
            return found
    except OSError as error:
        raise FormatError(path, f"is not a readable HDF5 file ({error}).") from None


def _not_utf8(path: Path) -> FormatError:
    """The error for a CSV file that is not UTF-8 (read whole: only on this error)."""
    return FormatError(path, not_utf8_message(path.read_bytes()))


def _marker_only_at_end(path: Path, size: int) -> bool:
    """Whether the file's one Ctrl-Z is its last byte (none among its first ``size``)."""
    with open(path, "rb") as handle:
        while block := handle.read(min(1 << 22, size - handle.tell())):
            if EOF_MARKER in block:
                return False
    return True


#: np.loadtxt's messages: a cell that is no number (its data row counted from 0), and a
#: row of another width (counted from 1).
_NOT_A_NUMBER = re.compile(r"could not convert string (.*) to \w+ at row (\d+), column (\d+)")
_WIDTH_CHANGED = re.compile(r"number of columns changed from (\d+) to (\d+) at row (\d+)")


def _file_lines(path: Path) -> np.ndarray:
    """The file's lines after its header, as text. Only on an error: the file is read
    once more."""
    text = path.read_text(encoding="utf-8-sig", errors="replace")
    return np.array(re.split(r"\r\n|\r|\n", text)[1:], dtype=object).astype(str)


def _data_lines(lines: np.ndarray, marker: bool) -> np.ndarray:
    """The file's line number of each data row np.loadtxt reads from ``lines`` (those
    after the header). np.loadtxt skips an empty line and one that starts with a comment
    (``#``) in its first character; a line of spaces is a row to it (a row of one blank
    cell), so it is counted here too."""
    comment = np.char.startswith(lines, "#")
    if marker:
        comment |= np.char.startswith(lines, EOF_MARKER.decode())
    return np.flatnonzero((np.char.str_len(lines) > 0) & ~comment) + 2


def _where(lines: np.ndarray, marker: bool, row: int) -> tuple[str, str]:
    """``line N: `` for np.loadtxt's data row ``row`` (from 0), and a note to end the
    message with when that line holds nothing but spaces or tabs, maybe before a comment
    (np.loadtxt reads it as a row; it looks blank)."""
    numbers = _data_lines(lines, marker)
    if row >= numbers.size:
        return "", ""
    number = numbers[row]
    if lines[number - 2].split("#", 1)[0].strip():
        return f"line {number}: ", ""
    return f"line {number}: ", (
        " The line holds only spaces or tabs (before any '#'): a blank line must be empty "
        "and a comment must start its line."
    )


def _loadtxt_error(path: Path, what: str, said: str, width: int, marker: bool) -> FormatError:
    """np.loadtxt's ``ValueError`` as a refusal naming the file's line, as other readers do."""
    if found := _NOT_A_NUMBER.search(said):
        row, column = int(found[2]), int(found[3])
        where, note = _where(_file_lines(path), marker, row)
        return FormatError(
            path,
            f"{where}{what}: column {column} holds {found[1]}, expected a number "
            f"(or nan for a missing value).{note}",
        )
    if found := _WIDTH_CHANGED.search(said):
        row = int(found[3]) - 1
        where, note = _where(_file_lines(path), marker, row)
        return FormatError(
            path, f"{where}{what}: {found[2]} values for the {width} header columns.{note}"
        )
    return FormatError(path, f"{what}: a value is not a number ({said}).")


def _load_csv_table(path: Path, what: str) -> tuple[list[str], np.ndarray]:
    size = text_size(path, lone_carriage_returns=True)  # refuses NUL at the end
    # one Ctrl-Z after the last line (an old DOS end-of-file marker) is read as a comment
    marker = size < path.stat().st_size and _marker_only_at_end(path, size)
    try:
        with open(path, encoding="utf-8-sig") as handle:
            header = handle.readline()
    except UnicodeDecodeError:
        raise _not_utf8(path) from None
    names = [c.strip() for c in header.strip().lstrip("#").strip().split(",")]
    try:
        # a header alone is read as no rows (below), not numpy's "input contained no data"
        with dropping_warnings(UserWarning, message="loadtxt: input contained no data"):
            values = np.loadtxt(
                path,
                delimiter=",",
                skiprows=1,
                ndmin=2,
                dtype=np.float64,
                comments=("#", EOF_MARKER.decode()) if marker else "#",
            )
    except UnicodeDecodeError:
        raise _not_utf8(path) from None
    except ValueError as error:
        raise _loadtxt_error(path, what, str(error), len(names), marker) from None
    if values.size == 0:  # a header alone: loadtxt gives (0, 1) whatever the columns
        values = values.reshape(0, len(names))
    if values.shape[1] != len(names):
        raise FormatError(
            path, f"line 2: {values.shape[1]} values for the {len(names)} header columns."
        )
    return names, values


def _from_csv(path: Path) -> dict[str, Any]:
    if path.stat().st_size == 0:
        raise FormatError(path, "is empty (0 bytes); expected an idtracker.ai trajectories file.")
    try:
        with open(path, encoding="utf-8-sig") as handle:
            columns = csv_columns(handle.readline())
    except UnicodeDecodeError:
        raise _not_utf8(path) from None
    if columns is None:
        with open(path, "rb") as handle:
            head = handle.read(512)
        if looks_utf16(head):  # UTF-16 of ASCII text is also UTF-8, with NULs
            raise FormatError(path, not_utf8_message(head))
        raise FormatError(
            path, "line 1: expected the header x1,y1,x2,y2,... (maybe after seconds or time)."
        )
    time_column, n_animals = columns
    _, values = _load_csv_table(path, "trajectories")
    start = 1 if time_column else 0
    found: dict[str, Any] = {
        "trajectories": values[:, start:].reshape(len(values), n_animals, 2),
    }
    if time_column:  # idtracker.ai's export with times: np.arange(n) / fps, in seconds
        found[time_column] = values[:, 0]
    prefix = path.name[: -len("trajectories.csv")]
    probabilities = path.with_name(f"{prefix}id_probabilities.csv")
    if probabilities.is_file():
        note_files_read(probabilities)  # kept from a conversion's outputs
        names, table = _load_csv_table(probabilities, "id_probabilities")
        if names and names[0] in ("seconds", "time"):
            table = table[:, 1:]
        if table.shape != (len(values), n_animals):
            raise FormatError(
                probabilities,
                f"holds {table.shape} values; {path.name} implies {(len(values), n_animals)}.",
            )
        found["id_probabilities"] = table[:, :, None]
    attributes = _attributes_of(path)
    if attributes.is_file():
        note_files_read(attributes)
        try:
            extra = json.loads(attributes.read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError) as error:
            raise FormatError(attributes, f"is not valid JSON ({error}).") from None
        if isinstance(extra, dict):
            found.update({k: v for k, v in extra.items() if k not in found})
    return found


def _attributes_of(path: Path) -> Path:
    """The ``attributes.json`` beside a ``[<name>.]trajectories.csv`` export.

    Examples
    --------
    >>> _attributes_of(Path("out/a.trajectories.csv")).as_posix()
    'out/a.attributes.json'
    """
    return path.with_name(f"{path.name[: -len('trajectories.csv')]}attributes.json")


#: One value of a pickled dict that is not a container.
_SCALARS = (str, bytes, int, float, np.generic)


def _flat(value: Any) -> bool:
    """Whether ``value`` is an array or a flat list of scalars.

    A pickle may build a nested list out of shared references (nine levels of
    nine make 9**9 items while taking a few bytes); numpy would expand it, so
    only arrays and flat lists are read.
    """
    if isinstance(value, np.ndarray):
        return value.dtype != object or all(isinstance(v, _SCALARS) for v in value.flat)
    return isinstance(value, list | tuple) and all(isinstance(v, _SCALARS) for v in value)


def _scalar(value: Any) -> Any:
    """The one value of ``value`` (None when it holds another number of values or is
    nested); text as :func:`_text` gives it."""
    if not isinstance(value, _SCALARS) and not _flat(value):
        return None
    array = np.asarray(value)
    if array.size != 1:
        return None
    return _text(array.reshape(-1)[0])


def _text(item: Any) -> Any:
    """``item`` as valid UTF-8 text when it is text or bytes (bytes that are not UTF-8,
    and a pickle's lone surrogates, spelled ``%XX``); any other value as it is.

    Examples
    --------
    >>> _text(b"caf\\xe9.avi"), _text("fish"), _text(3)
    ('caf%E9.avi', 'fish', 3)
    """
    if isinstance(item, bytes):
        return decode_text(item)
    if isinstance(item, str):
        return utf8_text(item)
    return item


def _array(found: dict[str, Any], key: str, path: Path) -> np.ndarray | None:
    """The array of ``key`` (None when absent), refused when not an array of numbers."""
    value = found.get(key)
    if value is None:
        return None
    if isinstance(value, np.ndarray) and value.dtype.kind in "iufb":
        return value
    shown = f"{value.dtype} array" if isinstance(value, np.ndarray) else type(value).__name__
    raise FormatError(path, f"'{key}' is a {shown}; expected an array of numbers.")


def _names(found: dict[str, Any], n_animals: int, path: Path) -> list[str]:
    """The animals' names: ``identities_labels`` when they name each animal once.

    Labels that cannot (not a flat list, another count, a repeat, an empty one)
    give ``id_1``..``id_N``, with a warning saying why.
    """
    numbered = [f"id_{i + 1}" for i in range(n_animals)]
    labels = found.get("identities_labels")
    if labels is None:
        return numbered
    if not _flat(labels):
        why = f"is a {type(labels).__name__} that is not a flat list of labels"
    else:
        names = [str(_scalar(v) if not isinstance(v, str) else _text(v)) for v in np.ravel(labels)]
        unique, counts = np.unique(np.array(names, dtype=object), return_counts=True)
        if len(names) != n_animals:
            why = f"gives {len(names)} labels for {n_animals} animals"
        elif (counts > 1).any():
            why = f"gives the label {unique[counts > 1][0]!r} to more than one animal"
        elif not all(names):
            why = "holds an empty label"
        else:
            return names
    warnings.warn(
        f"{path}: 'identities_labels' {why}, so it cannot name the animals; they are "
        f"named id_1..id_{n_animals} instead.",
        UserWarning,
        stacklevel=user_stacklevel(),
    )
    return numbered


def _areas(found: dict[str, Any], shape: tuple[int, int], path: Path) -> np.ndarray | None:
    """``areas`` as float64 (frames, animals); None when absent, and, with a warning
    naming the file and why, when it is not an array of real numbers of that shape (the
    positions are read; the blob areas are left out)."""
    areas = found.get("areas")
    if areas is None:
        return None
    if not isinstance(areas, np.ndarray):
        why = f"is a {type(areas).__name__}, not an array of numbers"
    elif areas.dtype.kind not in "iuf":
        why = f"holds {areas.dtype} values; expected real numbers (pixels per blob)"
    elif areas.shape != shape:
        why = f"is {areas.shape}; 'trajectories' implies {shape} (frames, animals)"
    else:
        return areas.astype(np.float64, copy=False)
    warnings.warn(
        f"{path}: 'areas' {why}, so it is not read: the dataset has no 'area'.",
        UserWarning,
        stacklevel=user_stacklevel(),
    )
    return None


def _keys(mapping: dict[Any, Any]) -> list[str]:
    """A dict's keys as sorted text (a pickled dict's keys may be of any kind)."""
    return sorted(k if isinstance(k, str) else brief(k) for k in mapping)


def _dataset(found: dict[str, Any], path: Path) -> xr.Dataset:
    if "trajectories" not in found:
        raise FormatError(path, f"has no 'trajectories' key (keys: {_keys(found)}).")
    trajectories = _array(found, "trajectories", path)
    if trajectories is None:
        raise FormatError(path, "'trajectories' is None; expected an array of numbers.")
    if trajectories.dtype.kind not in "iuf":
        raise FormatError(path, f"'trajectories' is {trajectories.dtype}; expected numbers.")
    if trajectories.ndim != 3 or trajectories.shape[2] != 2:
        raise FormatError(
            path, f"'trajectories' should be (frames, animals, 2); found {trajectories.shape}."
        )
    n_time, n_animals, _ = trajectories.shape
    if n_animals == 0:
        raise FormatError(path, f"'trajectories' {trajectories.shape} holds no animal.")
    position = trajectories.astype(np.float64, copy=False).transpose(0, 2, 1)[:, :, None, :]
    confidence = np.full((n_time, 1, n_animals), np.nan)
    if (probabilities := _array(found, "id_probabilities", path)) is not None:
        probabilities = probabilities.astype(np.float64, copy=False)
        if probabilities.shape not in ((n_time, n_animals, 1), (n_time, n_animals)):
            raise FormatError(
                path,
                f"'id_probabilities' is {probabilities.shape}; 'trajectories' implies "
                f"{(n_time, n_animals, 1)}.",
            )
        confidence = probabilities.reshape(n_time, 1, n_animals)
    data_vars: dict[str, Any] = {
        "position": (model.POSES_DIMS, position),
        "confidence": ((model.TIME, model.KEYPOINT, model.INDIVIDUAL), confidence),
    }
    if (areas := _areas(found, (n_time, n_animals), path)) is not None:
        data_vars["area"] = ((model.TIME, model.INDIVIDUAL), areas)
    attrs: dict[str, Any] = {
        "ds_type": model.POSES,
        "time_unit": "frames",
        "source_software": "idtracker.ai",
        "space_unit": "pixels",
    }
    for key, attr, kind in (
        ("body_length", "body_length", float),
        ("video_path", "video_path", str),
        ("version", "source_software_version", str),
        ("width", "video_width", image_side),
        ("height", "video_height", image_side),
    ):
        value = _scalar(found[key]) if key in found else None
        if value is not None and str(value) not in ("", "nan", "None"):
            try:
                converted = kind(value)
            except (TypeError, ValueError, OverflowError):
                continue
            if converted is not None:
                attrs[attr] = converted
    ds = xr.Dataset(
        data_vars,
        coords={
            model.TIME: np.arange(n_time, dtype=np.int64),
            model.SPACE: ["x", "y"],
            model.KEYPOINT: [KEYPOINT],
            model.INDIVIDUAL: _names(found, n_animals, path),
        },
        attrs=attrs,
    )
    fps = _frame_rate(found, path)
    times = _times(found, n_time, path)
    if times is not None:  # the file's own times, its frame numbers kept
        if fps is not None and not _made_at(times, fps):
            fps = _times_rule(path, fps, times)
        elif fps is None:
            fps = _rate_of(times)
        ds = ds.assign_coords(
            {model.TIME: times, model.FRAME: (model.TIME, ds[model.TIME].values)}
        )
        ds.attrs["time_unit"] = "seconds"
        if fps is not None:
            ds.attrs["fps"] = fps
    elif fps is not None:
        ds = model.with_fps(ds, fps)
    return ds


#: The names of the CSV export's time column (idtracker.ai v6 ``time``, before ``seconds``).
_TIME_COLUMNS = ("time", "seconds")


def _times(found: dict[str, Any], n_time: int, path: Path) -> np.ndarray | None:
    """The times (s) of a CSV export's time column; None without one."""
    name = next((key for key in _TIME_COLUMNS if key in found), None)
    if name is None:
        return None
    times = np.asarray(found[name], dtype=np.float64)
    if times.shape != (n_time,):
        raise FormatError(path, f"'{name}' holds {times.shape} values for {n_time} frames.")
    steps = np.diff(times)
    if not np.isfinite(times).all() or np.any(steps < 0):
        raise FormatError(
            path,
            f"the '{name}' column should hold increasing times in seconds, one per row.",
        )
    if np.any(steps == 0):  # written to the millisecond above 1000 fps: frames share a time
        warning = UserWarning(
            f"{path}: the '{name}' column gives two frames one time (idtracker.ai writes "
            "times to the millisecond, which above 1000 fps repeat): its times are not kept, "
            f"and time counts frames ({_FPS_FOR_SECONDS})."
        )
        warnings.warn(_worded(warning), stacklevel=user_stacklevel())
        return None
    return times


def _frame_rate(found: dict[str, Any], path: Path) -> float | None:
    """``frames_per_second`` as a positive number; None when absent or None, and, with a
    warning naming the value and its file, when it is no positive finite number (0,
    a negative, NaN, text such as ``"28"``, a boolean).
    """
    value = found.get("frames_per_second")
    if value is None:
        return None
    rate = _scalar(value)
    if isinstance(rate, (int, float, np.integer, np.floating)) and not isinstance(
        rate, (bool, np.bool_)
    ):
        rate = float(rate)
        if np.isfinite(rate) and rate > 0:
            return rate
    where = _attributes_of(path) if path.suffix.lower() == ".csv" else path
    warning = UserWarning(
        f"{where}: frames_per_second is {brief(value)}; expected a positive number of "
        "frames per second. It is not used: time counts frames, or comes from a time "
        f"column ({_FPS_FOR_SECONDS})."
    )
    warnings.warn(_worded(warning), stacklevel=user_stacklevel())
    return None


#: The advice of the warnings on an unusable rate or times, in Python's words ...
_FPS_FOR_SECONDS = "fps=, when given, makes it seconds"


def _worded(warning: UserWarning) -> UserWarning:
    """``warning`` with its advice in the command line's words (``--fps``) too."""
    return with_command_line_wording(
        warning, {_FPS_FOR_SECONDS: "--fps, when given, makes it seconds"}
    )


def _made_at(times: np.ndarray, fps: float) -> bool:
    """Whether ``times`` are ``arange(n) / fps`` (from their first) to within half of the
    third decimal, as idtracker.ai writes them.

    Examples
    --------
    >>> times = np.round(np.arange(20) / 28, 3)
    >>> _made_at(times, 28.0), _made_at(times, 50.0)
    (True, False)
    """
    steps = np.arange(times.size)
    return bool(np.abs(times - times[0] - steps / fps).max() <= 0.0005 * 1.01)


def _times_rule(path: Path, fps: float, times: np.ndarray) -> float | None:
    """The frame rate of a CSV whose time column disagrees with attributes.json's
    ``frames_per_second``: the column's (the times are the data the rows were
    written with; the JSON may be another run's), said in a warning.
    """
    rate = _rate_of(times)
    made = f"written at {rate:g} fps" if rate is not None else "not at one frame rate"
    warnings.warn(
        f"{_attributes_of(path)}: frames_per_second is {fps:g}, but the time column of "
        f"{path.name} was {made}; its times are kept and fps is "
        + (f"{rate:g}, from them." if rate is not None else "left unset.")
        + " Fix or remove attributes.json if the time column is wrong.",
        UserWarning,
        stacklevel=user_stacklevel(),
    )
    return rate


def _rate_of(times: np.ndarray) -> float | None:
    """The frame rate ``times`` were made at (``arange(n) / fps``, written with 3 decimals
    by idtracker.ai): the roundest rate that gives every time to within half of the last
    decimal written; None when there is no such rate (or a single time).

    Examples
    --------
    >>> _rate_of(np.round(np.arange(5) / 28, 3))
    28.0
    >>> _rate_of(np.round(np.arange(1000) / 29.97, 3))
    29.97
    """
    if times.size < 2:
        return None
    estimate = (times.size - 1) / (times[-1] - times[0])
    steps = np.arange(times.size)
    for decimals in range(4):
        rate = round(float(estimate), decimals)
        if rate > 0 and np.abs(times - times[0] - steps / rate).max() <= 0.0005 * 1.01:
            return rate
    return None


def _contents(path: Path) -> tuple[dict[str, Any], Path]:
    """The file's keys, and the file they came from (a folder's CSV)."""
    if path.is_dir():
        found = find_csv(path)
        if len(found) != 1:
            raise FormatError(
                path,
                "expected one trajectories.csv (or <name>.trajectories.csv) in the folder; "
                f"found {len(found)}.",
            )
        path = found[0]
    with open(path, "rb") as handle:
        head = handle.read(8)
    if head.startswith(NPY_MAGIC):
        return read_npy_dict(path), path
    if holds_hdf5_signature(path):  # at byte 0, or after a user block
        return _from_h5(path), path
    return _from_csv(path), path


def read(path: Path) -> xr.Dataset:
    """Read idtracker.ai trajectories.

    Parameters
    ----------
    path
        ``trajectories.npy`` / ``trajectories_wo_gaps.npy`` (any name: the
        content decides), v6's ``trajectories.h5``, a ``trajectories.csv``
        (its ``id_probabilities.csv`` and ``attributes.json`` beside it are
        read too), or the folder holding that CSV.

    Returns
    -------
    xarray.Dataset
        Poses with one keypoint (``centroid``); time in seconds with frame
        numbers kept when the file gives ``frames_per_second``.

    Raises
    ------
    FormatError
        Naming the key or line that breaks the layout.
    posebridge.formats._shared.safe_pickle.UnsafePickleError
        When a ``.npy`` pickle references anything beyond numpy arrays and
        builtins (nothing of it is run).

    Examples
    --------
    >>> import posebridge
    >>> ds = posebridge.load("session_x/trajectories/without_gaps.npy")  # doctest: +SKIP
    """
    path = check_input(path, folder=True)
    refuse_empty_file(path, "an idtracker.ai trajectories file")
    found, source = _contents(path)
    try:
        return _dataset(found, source)
    except PoseBridgeError:
        raise
    except (ValueError, TypeError) as error:
        raise FormatError(source, f"could not be read as idtracker.ai ({error}).") from None


@describing("idtracker.ai")
def describe(path: Path) -> list[tuple[str, str]]:
    """What ``posebridge info`` shows about idtracker.ai output: its keys.

    Examples
    --------
    >>> from posebridge.formats import idtracker
    >>> dict(idtracker.describe("trajectories.npy"))["keys"]  # doctest: +SKIP
    'body_length, frames_per_second, ...'
    """
    found, source = _contents(Path(path))
    rows = [("source", str(source)), ("keys", ", ".join(_keys(found)))]
    if isinstance(found.get("setup_points"), dict):
        rows.append(("setup points (not read)", ", ".join(_keys(found["setup_points"]))))
    return rows
