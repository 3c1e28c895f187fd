"""VIA tracks .csv (VGG Image Annotator): bounding-box tracks, one row per box.

The header line is exactly the 7 column names ``filename, file_size,
file_attributes, region_count, region_id, region_shape_attributes,
region_attributes``, joined by commas without spaces (VIA 1.0 wrote
``#filename``).

``region_shape_attributes`` is a JSON object ``{"name": "rect", "x": <top-left
x>, "y": <top-left y>, "width": w, "height": h}``; ``region_attributes`` holds
``{"track": <id>, "confidence": <score>}`` (``track`` may be a number or a
string such as ``"2"`` or ``"2.0"``; ``confidence`` is optional). Images with
no region (VIA writes ``"{}",0,0,"{}","{}"``) are not boxes: their frame is
kept as a time step with every box missing.

Reading. Boxes become ``position`` (the centre: top-left + size / 2),
``shape`` (width, height) and ``confidence``; the individual of track ``N`` is
``id_N`` (individuals in increasing track order, as movement). A ``point``
region is read as a box of size zero; polygons, circles and ellipses are
refused with a message naming the line. The frame number of each image is
``file_attributes["frame"]`` when every row has it, else taken from the file
name by ``frame_regexp`` (default ``(0\\d*)\\.\\w+$``, as movement's: the
digits with a leading zero before the extension). Gaps are always kept:

- ``use_frame_numbers_from_file=False`` (the default): ``time`` counts frames
  from the first image in the file (time 0), and when that image is not frame
  0 the file's frame numbers are kept in the ``frame`` coordinate, so writers
  put the real numbers back;
- ``use_frame_numbers_from_file=True``: ``time`` is the file's frame numbers.

(movement 0.17 renumbers the frames 0..n-1 by default, which moves the boxes
after a gap to the wrong frames.) The file names are kept in the
``image_path`` coordinate.

Writing. One row per box that has a finite centre and size (NaN boxes are
skipped), in time then individual order; numbers are rounded to 6 decimals
and ``confidence`` is omitted when NaN. Frame numbers come from
:func:`posebridge.model.frame_numbers` (``time * fps`` rounded, never
truncated) and are also written as ``file_attributes`` ``{"frame": N}``, so
the file reads back with any file naming.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from posebridge import model
from posebridge._files import Peek, atomic_outputs
from posebridge.errors import FormatError, SchemaError
from posebridge.formats._shared.record import Format
from posebridge.formats._via_table import (
    HEADER,
    HEADER_LINE,
    column,
    fail_at,
    first_line,
    json_objects,
    numbers,
    read_table,
)

__all__ = ["DEFAULT_FRAME_REGEXP", "HEADER", "read", "sniff", "write"]

SOURCE_SOFTWARE = "VIA-tracks"
#: movement's default: digits led by a zero just before the file extension.
DEFAULT_FRAME_REGEXP = r"(0\d*)\.\w+$"
DECIMALS = 6
_SHAPE_KEYS = {"rect": ("x", "y", "width", "height"), "point": ("cx", "cy")}
_TRACK_DIGITS = re.compile(r"(\d+)(?=\D*$)")
_CHUNK_BOXES = 40_000


# --------------------------------------------------------------------------
# sniffing


def sniff(peek: Peek) -> bool:
    """Whether the first line of ``path`` is the VIA tracks header (also VIA 1.0's)."""
    path = peek.path
    return first_line(path) in (HEADER_LINE, "#" + HEADER_LINE)


# --------------------------------------------------------------------------
# reading


def _shown(value: object) -> str:
    """A value from a cell as a message shows it: numbers plain, text quoted."""
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, float | np.floating) and float(value).is_integer():
        return str(int(value)) if abs(value) < 1e15 else str(float(value))
    return str(value.item() if isinstance(value, np.generic) else value)


def _frame_pattern(frame_regexp: str) -> re.Pattern[str]:
    try:
        pattern = re.compile(frame_regexp)
    except (re.error, TypeError) as error:
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
            )
        source = "the frame number in the file name"
    found = numbers(values)
    bad = (~np.isfinite(found) | (np.mod(found, 1) != 0))[where]
    if bad.any():
        row = int(np.argmax(bad))
        raise FormatError(
            path,
            f"line {lines[row]}: {source} is {_shown(values.iloc[where[row]])}, expected a "
            "whole number.",
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
    bad = holds & (~np.isfinite(track) | (np.mod(track, 1) != 0))
    if bad.any():
        found = raw.iloc[int(np.argmax(bad))]
        fail_at(path, lines, bad, f"track {_shown(found)} is not a whole number.")
    raw_conf = column(regions, "confidence")
    confidence = numbers(raw_conf)
    bad = holds & raw_conf.notna().to_numpy() & np.isnan(confidence)
    if bad.any():
        found = raw_conf.iloc[int(np.argmax(bad))]
        fail_at(path, lines, bad, f"confidence {_shown(found)} is not a number.")
    return np.where(holds, track, 0).astype(np.int64), confidence


def read(
    path: Path,
    *,
    use_frame_numbers_from_file: bool = False,
    frame_regexp: str = DEFAULT_FRAME_REGEXP,
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
    path = Path(path)
    if not isinstance(use_frame_numbers_from_file, bool | np.bool_):
        raise FormatError(path, "use_frame_numbers_from_file must be True or False.")
    pattern = _frame_pattern(frame_regexp)
    table, lines = read_table(path)
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


# --------------------------------------------------------------------------
# writing


def _track_ids(names: list[str], from_trailing_numbers: bool) -> np.ndarray:
    if not from_trailing_numbers:
        return np.arange(len(names), dtype=np.int64)
    ids = []
    for name in names:
        match = _TRACK_DIGITS.search(name)
        if match is None:
            raise SchemaError(
                f"Cannot take a track id from the individual name {name!r} (no digits); pass "
                "track_ids_from_trailing_numbers=False to number the individuals 0, 1, ... in "
                "their order."
            )
        ids.append(int(match.group(1)))
    if len(set(ids)) != len(ids):
        raise SchemaError(
            f"The individual names {names} give repeated track ids {ids}; pass "
            "track_ids_from_trailing_numbers=False to number them by position."
        )
    return np.asarray(ids, dtype=np.int64)


def _csv_cell(values: np.ndarray) -> np.ndarray:
    """Quote the strings that need it in a CSV cell."""
    values = np.asarray(values, dtype=str)
    special = np.zeros(values.shape, dtype=bool)
    for char in (",", '"', "\n", "\r"):
        special |= np.strings.find(values, char) >= 0
    if not special.any():
        return values
    quoted = np.strings.add(np.strings.add('"', np.strings.replace(values, '"', '""')), '"')
    return np.where(special, quoted, values)


def _image_names(
    ds: xr.Dataset,
    frames: np.ndarray,
    frame_n_digits: int | None,
    image_file_prefix: str | None,
    image_file_suffix: str | None,
    image_paths: bool | None,
) -> np.ndarray:
    stored = None
    if "image_path" in ds.coords and ds["image_path"].dims == ("time",):
        stored = np.asarray(ds["image_path"].values).astype(str)
        if np.any(stored == "") or len(np.unique(stored)) != len(stored):
            stored = None
    image_file_suffix = image_file_suffix or ".png"
    defaults = frame_n_digits is None and not image_file_prefix
    defaults = defaults and image_file_suffix in (".png", "png")
    if image_paths is True and stored is None:
        raise SchemaError(
            "image_paths=True needs an 'image_path' coordinate along time with one distinct "
            "file name per time step."
        )
    if stored is not None and (image_paths is True or (image_paths is None and defaults)):
        return stored
    largest = len(str(int(np.abs(frames).max()))) if frames.size else 1
    if frame_n_digits is None:
        frame_n_digits = largest + 1
    elif int(frame_n_digits) < largest:
        raise SchemaError(
            f"frame_n_digits={frame_n_digits} cannot hold frame {int(np.abs(frames).max())}, "
            f"which has {largest} digits."
        )
    suffix = image_file_suffix if image_file_suffix.startswith(".") else "." + image_file_suffix
    digits = np.strings.zfill(frames.astype(str), int(frame_n_digits))
    return np.strings.add(np.strings.add(image_file_prefix or "", digits), suffix)


def _number_text(values: np.ndarray) -> np.ndarray:
    return np.round(values, DECIMALS).astype(str).astype(object)


def _rows_text(
    t: np.ndarray,
    i: np.ndarray,
    region_id: np.ndarray,
    both: np.ndarray,
    confidence: np.ndarray,
    per_time: dict[str, np.ndarray],
    tracks: np.ndarray,
) -> str:
    """The CSV text of some boxes (time index ``t``, individual index ``i``)."""
    cx, cy, w, h = both[t, 0, i], both[t, 1, i], both[t, 2, i], both[t, 3, i]
    conf = confidence[t, i]
    conf_text = np.full(t.shape, "", dtype=object)
    has_conf = np.isfinite(conf)
    conf_text[has_conf] = ', ""confidence"": ' + _number_text(conf[has_conf])
    parts = [
        per_time["image"][t],
        ',0,"{""frame"": ',
        per_time["frame"][t],
        '}",',
        per_time["count"][t],
        ",",
        region_id.astype(str).astype(object),
        ',"{""name"": ""rect"", ""x"": ',
        _number_text(cx - w / 2),
        ', ""y"": ',
        _number_text(cy - h / 2),
        ', ""width"": ',
        _number_text(w),
        ', ""height"": ',
        _number_text(h),
        '}","{""track"": ',
        tracks[i],
        conf_text,
        '}"\n',
    ]
    table = np.empty((t.size, len(parts)), dtype=object)
    for index, part in enumerate(parts):
        table[:, index] = part
    return "".join(table.ravel().tolist())


def write(
    ds: xr.Dataset,
    path: Path,
    *,
    overwrite: bool = False,
    track_ids_from_trailing_numbers: bool = True,
    frame_n_digits: int | None = None,
    image_file_prefix: str | None = None,
    image_file_suffix: str = ".png",
    image_paths: bool | None = None,
) -> list[Path]:
    """Write a bboxes dataset as a VIA tracks .csv file.

    Parameters
    ----------
    ds
        A bboxes dataset.
    path
        The output .csv file.
    overwrite
        Replace an existing file.
    track_ids_from_trailing_numbers
        Take each track id from the last digits in the individual's name
        (``id_3`` -> 3, as movement); ``False`` numbers the individuals 0, 1,
        ... in the dataset's order (movement sorts the names first).
    frame_n_digits
        Digits of the zero-padded frame number in file names; default one
        more than the largest frame number has.
    image_file_prefix, image_file_suffix
        Text before and after the frame number in file names.
    image_paths
        Write the dataset's ``image_path`` names (e.g. those a VIA file was
        read with) instead of making names: ``None`` does so when they exist,
        are distinct and no naming option was given; ``True`` requires them.

    Returns
    -------
    list of pathlib.Path
        The file written.

    Examples
    --------
    >>> import posebridge
    >>> posebridge.save(ds, "tracks.csv", format="via", image_file_suffix=".jpg")  # doctest: +SKIP
    """
    ds = model.validate(ds)
    if ds.attrs["ds_type"] != model.BBOXES:
        raise SchemaError(
            "VIA tracks files hold bounding boxes; make boxes from poses with "
            "posebridge.boxes_from_poses(ds)."
        )
    frames = model.frame_numbers(ds)
    if frames is None:
        raise SchemaError(
            "The dataset's time is in seconds with no fps and no 'frame' coordinate, so the "
            "frame numbers are unknown; set ds.attrs['fps'] first."
        )
    if frames.size > 1 and np.any(np.diff(frames) <= 0):
        row = int(np.argmax(np.diff(frames) <= 0)) + 1
        raise SchemaError(
            f"Time steps {row - 1} and {row} fall on the same video frame {frames[row]}; a VIA "
            "file has one image per frame."
        )
    names = [str(n) for n in ds["individual"].values]
    track_ids = _track_ids(names, track_ids_from_trailing_numbers)
    images = _csv_cell(
        _image_names(ds, frames, frame_n_digits, image_file_prefix, image_file_suffix, image_paths)
    )

    position = ds["position"].transpose("time", "space", "individual").to_numpy()
    shape = ds["shape"].transpose("time", "space", "individual").to_numpy()
    both = np.concatenate([position, shape], axis=1).astype(np.float64)
    if np.isinf(both).any():
        raise SchemaError("VIA tracks cannot hold infinite box positions or sizes.")
    valid = ~np.isnan(both).any(axis=1)  # (time, individual)
    if "confidence" in ds:
        confidence = ds["confidence"].transpose("time", "individual").to_numpy()
    else:
        confidence = np.full(valid.shape, np.nan)
    t, i = np.nonzero(valid)
    region_id = np.cumsum(valid, axis=1)[t, i] - 1
    per_time = {
        "image": images.astype(object),
        "frame": frames.astype(str).astype(object),
        "count": valid.sum(axis=1).astype(str).astype(object),
    }
    tracks = track_ids.astype(str).astype(object)
    with (
        atomic_outputs([Path(path)], overwrite=overwrite) as (temporary,),
        open(temporary, "w", encoding="utf-8", newline="") as handle,
    ):
        handle.write(HEADER_LINE + "\n")
        for start in range(0, t.size, _CHUNK_BOXES):
            rows = slice(start, start + _CHUNK_BOXES)
            handle.write(
                _rows_text(t[rows], i[rows], region_id[rows], both, confidence, per_time, tracks)
            )
    return [Path(path)]


FORMATS: tuple[Format, ...] = (
    Format(
        name="via",
        title="VIA-tracks",
        extensions=(".csv",),
        kinds=("bboxes",),
        sniff=sniff,
        read=read,
        write=write,
        aliases=("VIA-tracks", "VIA", "via-tracks"),
        notes="boxes; read: use_frame_numbers_from_file=, frame_regexp=; "
        "write: frame_n_digits=, image_file_prefix=, image_file_suffix=",
    ),
)
