"""Reading VIA tracks files; the layout is described in :mod:`posebridge.formats.via`."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from posebridge import errors, model
from posebridge._files import check_input
from posebridge.errors import FormatError
from posebridge.formats.via.table import (
    HEADER_LINE,
    column,
    fail_at,
    json_objects,
    numbers,
    read_table,
)

SOURCE_SOFTWARE = "VIA-tracks"

#: The whole number just before the file extension. movement's default, ``(0\d*)\.\w+$``,
#: starts at the number's first zero, so ``img_1000.png`` was frame 0 and ``img1020.png``
#: frame 20 (times out of order, silently); here the match starts where the digits do.
DEFAULT_FRAME_REGEXP = r"(?<![0-9])([0-9]+)\.\w+$"

_SHAPE_KEYS = {"rect": ("x", "y", "width", "height"), "point": ("cx", "cy")}

# --------------------------------------------------------------------------
# reading


def _shown(value: object) -> str:
    """A value from a cell as a message shows it: numbers plain, text quoted."""
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, float | np.floating) and float(value).is_integer():
        return str(int(value)) if abs(value) < 1e15 else str(float(value))
    return str(value.item() if isinstance(value, np.generic) else value)


def _frame_pattern(frame_regexp: str | re.Pattern[str]) -> re.Pattern[str]:
    if not isinstance(frame_regexp, str | re.Pattern):
        raise errors.TypeError(
            f"frame_regexp must be a str (a regular expression) or a compiled pattern, got "
            f"{frame_regexp!r}."
        )
    try:
        pattern = re.compile(frame_regexp)
    except re.error as error:
        raise FormatError(
            None, f"frame_regexp {frame_regexp!r} is not a valid regular expression ({error})."
        ) from None
    if pattern.groups != 1:
        raise FormatError(
            None,
            f"frame_regexp {frame_regexp!r} must have exactly one capture group (the frame "
            f"number), it has {pattern.groups}.",
        )
    return pattern


def _row_frames(
    table: pd.DataFrame, pattern: re.Pattern[str], path: Path, lines: np.ndarray
) -> np.ndarray:
    """The frame number of every row, from file_attributes or else the file name."""
    codes, unique = pd.factorize(table["file_attributes"])
    first_row = np.unique(codes, return_index=True)[1]
    attributes = json_objects(
        np.asarray(unique, dtype=object), "file_attributes", path, lines[first_row]
    )
    frames = column(attributes, "frame")
    if frames.notna().all():
        source, values, where = "file_attributes 'frame'", frames, codes
    else:
        codes, unique = pd.factorize(table["filename"])
        values = pd.Series(np.asarray(unique, dtype=object)).str.extract(pattern, expand=False)
        where = codes
        unmatched = values.isna().to_numpy()[codes]
        if unmatched.any():
            name = table["filename"].iloc[int(np.argmax(unmatched))]
            fail_at(
                path,
                lines,
                unmatched,
                f"cannot find a frame number in the file name {name!r} with frame_regexp "
                f"{pattern.pattern!r}, and file_attributes has no 'frame' on every row. Pass "
                "a frame_regexp whose group captures the frame number.",
                {"Pass a frame_regexp whose": "Pass --read-option 'frame_regexp=REGEXP' whose"},
            )
        source = "the frame number in the file name"
    found = numbers(values)
    bad = ~model.whole_numbers(found)[where]
    if bad.any():
        row = int(np.argmax(bad))
        raise FormatError(
            path,
            f"line {lines[row]}: {source} is {_shown(values.iloc[where[row]])}, expected a "
            "whole number strictly between -2**53 and 2**53.",
        )
    return found.astype(np.int64)[where]


def _geometry(
    shapes: pd.DataFrame, path: Path, lines: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Which rows hold a region, and (x, y, width, height) of each such row."""
    holds = (
        shapes.notna().any(axis=1).to_numpy()
        if shapes.shape[1]
        else np.zeros(len(shapes), dtype=bool)
    )
    name = column(shapes, "name")
    is_rect = (name == "rect").to_numpy()
    is_point = (name == "point").to_numpy()
    other = holds & ~is_rect & ~is_point
    if other.any():
        found = name.iloc[int(np.argmax(other))]
        problem = (
            f"region shape {found!r} is not supported: VIA tracks hold rectangles ('rect'); "
            "'point' regions are read as boxes of size zero."
            if isinstance(found, str)
            else "the region has no shape 'name' (expected 'rect')."
        )
        fail_at(path, lines, other, problem)
    box = np.full((len(shapes), 4), np.nan)
    for shape_name, rows in (("rect", is_rect), ("point", is_point)):
        if not rows.any():
            continue
        for index, key in enumerate(_SHAPE_KEYS[shape_name]):
            values = numbers(column(shapes, key))
            fail_at(
                path,
                lines,
                rows & ~np.isfinite(values),
                f"the {shape_name} region has no finite number '{key}' in "
                "region_shape_attributes.",
            )
            if key in ("width", "height"):  # VIA draws none; neither does our writer
                negative = rows & (values < 0)
                if negative.any():
                    found = values[int(np.argmax(negative))]
                    fail_at(
                        path,
                        lines,
                        negative,
                        f"the rect region's '{key}' in region_shape_attributes is "
                        f"{found:g}; a box's width and height are 0 or more.",
                    )
            box[rows, index] = values[rows]
        if shape_name == "point":
            box[rows, 2:] = 0.0
    return holds, box


def _tracks(
    regions: pd.DataFrame, holds: np.ndarray, path: Path, lines: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Track id and confidence of every row (meaningful where ``holds``)."""
    raw = column(regions, "track")
    track = numbers(raw)
    missing = holds & raw.isna().to_numpy()
    fail_at(path, lines, missing, "the region has no 'track' in region_attributes.")
    bad = holds & ~model.whole_numbers(track)
    if bad.any():
        found = raw.iloc[int(np.argmax(bad))]
        fail_at(
            path,
            lines,
            bad,
            f"track {_shown(found)} is not a whole number strictly between -2**53 and 2**53.",
        )
    raw_conf = column(regions, "confidence")
    confidence = numbers(raw_conf)
    bad = holds & raw_conf.notna().to_numpy() & np.isnan(confidence)
    if bad.any():
        found = raw_conf.iloc[int(np.argmax(bad))]
        fail_at(path, lines, bad, f"confidence {_shown(found)} is not a number.")
    return np.where(holds, track, 0).astype(np.int64), confidence


#: The most a file holding only the VIA tracks header (and blank lines) can take.
_HEADER_ONLY_MAX_BYTES = 64 * 1024


def _holds_only_the_header(path: Path) -> bool:
    """Whether ``path`` holds the VIA tracks header and nothing else but blank rows.

    Blank rows are empty lines or lines of empty cells, as the table reader
    skips them. Only called once the table reader refused the file.
    """
    try:
        with open(path, encoding="utf-8-sig") as stream:
            text = stream.read(_HEADER_ONLY_MAX_BYTES + 1)
    except (OSError, UnicodeDecodeError):
        return False
    if len(text) > _HEADER_ONLY_MAX_BYTES:
        return False
    rows = [line for line in text.splitlines() if line.strip(" \t,")]
    return len(rows) == 1 and rows[0].strip() in (HEADER_LINE, "#" + HEADER_LINE)


def _no_boxes() -> xr.Dataset:
    """The dataset of a VIA tracks file with no box: no frames, no individuals (as movement)."""
    no_frames = np.zeros(0, dtype=np.int64)
    return xr.Dataset(
        {
            "position": (model.BBOXES_DIMS, np.zeros((0, 2, 0))),
            "shape": (model.BBOXES_DIMS, np.zeros((0, 2, 0))),
            "confidence": (("time", "individual"), np.zeros((0, 0))),
        },
        coords={
            "time": no_frames,
            "space": ["x", "y"],
            "individual": np.zeros(0, dtype=str),
            "image_path": ("time", np.zeros(0, dtype=str)),
        },
        attrs={
            "ds_type": model.BBOXES,
            "time_unit": "frames",
            "source_software": SOURCE_SOFTWARE,
        },
    )


def read(
    path: Path,
    *,
    use_frame_numbers_from_file: bool = False,
    frame_regexp: str | re.Pattern[str] = DEFAULT_FRAME_REGEXP,
) -> xr.Dataset:
    """Read a VIA tracks .csv file of bounding boxes.

    Parameters
    ----------
    path
        The .csv file.
    use_frame_numbers_from_file
        ``False``: time counts frames from the file's first image, the file's
        numbers kept in the ``frame`` coordinate; ``True``: time is the file's
        frame numbers. Gaps are kept either way.
    frame_regexp
        Finds the frame number in a file name (one capture group), used when
        ``file_attributes`` lacks ``frame``.

    Returns
    -------
    xarray.Dataset
        A bboxes dataset, individuals ``id_<track>``.

    Raises
    ------
    FormatError
        Naming the file and the line that breaks the layout.

    Examples
    --------
    >>> from posebridge.formats import via
    >>> ds = via.read("tracks.csv", use_frame_numbers_from_file=True)  # doctest: +SKIP
    """
    path = check_input(path)
    if not isinstance(use_frame_numbers_from_file, bool | np.bool_):
        raise FormatError(path, "use_frame_numbers_from_file must be True or False.")
    pattern = _frame_pattern(frame_regexp)
    try:
        table, lines = read_table(path)
    except FormatError:
        if _holds_only_the_header(path):  # no box at all: what movement writes for none
            return _no_boxes()
        raise
    shapes = json_objects(
        table["region_shape_attributes"].to_numpy(dtype=object),
        "region_shape_attributes",
        path,
        lines,
    )
    regions = json_objects(
        table["region_attributes"].to_numpy(dtype=object), "region_attributes", path, lines
    )
    row_frame = _row_frames(table, pattern, path, lines)
    holds, box = _geometry(shapes, path, lines)
    if not holds.any():
        raise FormatError(path, "holds no bounding boxes (every image has no region).")
    track, confidence = _tracks(regions, holds, path, lines)

    # one image per frame, one box per track and frame
    names = table["filename"].to_numpy(dtype=object)
    pairs = pd.DataFrame({"frame": row_frame, "name": names})
    clash = pairs.drop_duplicates().duplicated("frame").reindex(pairs.index, fill_value=False)
    if clash.any():
        row = int(np.argmax(clash.to_numpy()))
        raise FormatError(
            path,
            f"line {lines[row]}: frame {row_frame[row]} of {names[row]!r} is also the frame of "
            "another image; each frame number must belong to one image.",
        )
    box_rows = np.flatnonzero(holds)
    twice = pd.DataFrame({"f": row_frame[box_rows], "t": track[box_rows]}).duplicated()
    if twice.any():
        row = box_rows[int(np.argmax(twice.to_numpy()))]
        raise FormatError(
            path,
            f"line {lines[row]}: track {track[row]} appears twice in frame {row_frame[row]} "
            f"({names[row]!r}); a track has one box per frame.",
        )

    frames, first = np.unique(row_frame, return_index=True)
    ids = np.unique(track[box_rows])
    t = np.searchsorted(frames, row_frame[box_rows])
    i = np.searchsorted(ids, track[box_rows])
    x, y, w, h = box[box_rows].T
    position = np.full((len(frames), 2, len(ids)), np.nan)
    shape = np.full_like(position, np.nan)
    conf = np.full((len(frames), len(ids)), np.nan)
    position[t, 0, i], position[t, 1, i] = x + w / 2, y + h / 2
    shape[t, 0, i], shape[t, 1, i] = w, h
    conf[t, i] = confidence[box_rows]

    time = frames if use_frame_numbers_from_file else frames - frames[0]
    coords: dict = {
        "time": time,
        "space": ["x", "y"],
        "individual": [f"id_{n}" for n in ids],
        "image_path": ("time", np.asarray(names[first], dtype=str)),
    }
    if not use_frame_numbers_from_file and frames[0] != 0:
        coords[model.FRAME] = ("time", frames)
    return xr.Dataset(
        {
            "position": (model.BBOXES_DIMS, position),
            "shape": (model.BBOXES_DIMS, shape),
            "confidence": (("time", "individual"), conf),
        },
        coords=coords,
        attrs={
            "ds_type": model.BBOXES,
            "time_unit": "frames",
            "source_software": SOURCE_SOFTWARE,
        },
    )
