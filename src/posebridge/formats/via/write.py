"""Writing VIA tracks files; the layout is described in :mod:`posebridge.formats.via`."""

from __future__ import annotations

import re
import shlex
import warnings
from pathlib import Path

import numpy as np
import xarray as xr

from posebridge import model
from posebridge._outputs import atomic_outputs
from posebridge.errors import (
    FPS_ADVICE,
    SchemaError,
    brief,
    user_stacklevel,
    with_command_line_wording,
)
from posebridge.formats._shared.guards import refuse_bad_names, refuse_empty, refuse_views
from posebridge.formats._shared.individual_names import warn_individual_names_not_kept
from posebridge.formats._shared.not_kept import (
    warn_individuals_not_written,
    warn_times_not_kept,
    warn_variables_not_written,
)
from posebridge.formats._shared.track_order import reordered
from posebridge.formats.via.table import (
    HEADER_LINE,
)

DECIMALS = 6

#: A name's trailing number, negative after "_" or at the start (the reader names track -1
#: ``id_-1``); ``cam-2`` is track 2.
_TRACK_DIGITS = re.compile(r"((?:(?<=_)-|^-)?\d+)(?=\D*$)")

_CHUNK_BOXES = 40_000

# --------------------------------------------------------------------------
# writing


#: The advice to number the tracks by position, as the command line gives it.
_NUMBERED_BY_POSITION = {
    "pass track_ids_from_trailing_numbers=False": (
        "pass --option track_ids_from_trailing_numbers=false"
    )
}


def _track_ids(names: list[str], from_trailing_numbers: bool) -> np.ndarray:
    if not from_trailing_numbers:
        return np.arange(len(names), dtype=np.int64)
    ids = []
    for name in names:
        match = _TRACK_DIGITS.search(name)
        if match is None:
            raise with_command_line_wording(
                SchemaError(
                    f"Cannot take a track id from the individual name {name!r} (no digits); "
                    "pass track_ids_from_trailing_numbers=False to number the individuals 0, "
                    "1, ... in their order."
                ),
                _NUMBERED_BY_POSITION,
            )
        ids.append(int(match.group(1)))
    if len(set(ids)) != len(ids):
        raise with_command_line_wording(
            SchemaError(
                f"The individual names {names} give repeated track ids {ids}; pass "
                "track_ids_from_trailing_numbers=False to number them by position."
            ),
            _NUMBERED_BY_POSITION,
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


#: The most digits a frame number is padded to in an image name.
MOST_DIGITS = 64


def _image_names(
    ds: xr.Dataset,
    frames: np.ndarray,
    frame_n_digits: int | None,
    image_file_prefix: str | None,
    image_file_suffix: str | None,
    image_paths: bool | None,
    path: Path,
) -> np.ndarray:
    """The file name of each time step's image.

    The stored ``image_path`` names are kept, a name at several frames too (each row
    names its frame in ``file_attributes``, which the readers take over the name);
    names made from the frame numbers replace them when one is empty, with a warning.
    """
    stored = None
    unnamed = 0
    if "image_path" in ds.coords and ds["image_path"].dims == ("time",):
        stored = np.asarray(ds["image_path"].values).astype(str)
        unnamed = int(np.count_nonzero(np.strings.strip(stored) == ""))
        if unnamed:
            stored = None
    if image_file_suffix is not None and not image_file_suffix.strip(". "):
        in_python = f"image_file_suffix={image_file_suffix!r}"
        raise with_command_line_wording(
            SchemaError(
                f"{in_python} names no file ending; give one such as '.png', or leave it out "
                "for '.png'."
            ),
            {in_python: f"--option {shlex.quote(f'image_file_suffix={image_file_suffix}')}"},
        )
    image_file_suffix = image_file_suffix or ".png"
    defaults = frame_n_digits is None and not image_file_prefix
    defaults = defaults and image_file_suffix in (".png", "png")
    if image_paths is True and stored is None:
        raise with_command_line_wording(
            SchemaError(
                "image_paths=True needs an 'image_path' coordinate along time with a file "
                f"name at every time step ({unnamed} have none)."
            ),
            {"image_paths=True needs": "--option image_paths=true needs"},
        )
    if stored is not None and (image_paths is True or (image_paths is None and defaults)):
        return stored
    if unnamed and image_paths is None and defaults:
        warnings.warn(
            f"{path}: the dataset's image_path is empty at {unnamed} time step(s), so its "
            "file names are not written: every image is named from its frame number.",
            UserWarning,
            stacklevel=user_stacklevel(),
        )
    largest = len(str(int(np.abs(frames).max()))) if frames.size else 1
    if frame_n_digits is None:
        frame_n_digits = largest + 1
    elif not 1 <= int(frame_n_digits) <= MOST_DIGITS:
        raise with_command_line_wording(
            SchemaError(
                f"frame_n_digits={frame_n_digits} is not from 1 to {MOST_DIGITS} (frame "
                "numbers have at most 16 digits)."
            ),
            {f"frame_n_digits={frame_n_digits}": f"--option frame_n_digits={frame_n_digits}"},
        )
    elif int(frame_n_digits) < largest:
        raise with_command_line_wording(
            SchemaError(
                f"frame_n_digits={frame_n_digits} cannot hold frame "
                f"{int(np.abs(frames).max())}, which has {largest} digits."
            ),
            {f"frame_n_digits={frame_n_digits}": f"--option frame_n_digits={frame_n_digits}"},
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


#: The variables a VIA tracks file holds: a region's rectangle and its score.
_WRITTEN = ("position", "shape", "confidence")


def _warn_unkept(
    ds: xr.Dataset, path: Path, both: np.ndarray, confidence: np.ndarray, valid: np.ndarray
) -> None:
    """Warn of what a VIA tracks file cannot hold: half a box (a centre without a size, or
    a size without a centre) or a score without a box (a region is a whole rectangle),
    variables other than the boxes and their scores, and time in seconds off the frames.

    ``both`` is (time, centre x, y + width, height, individual), ``valid`` the boxes written.
    """
    finite = np.isfinite(both)
    halves = int((finite.any(axis=1) & ~valid).sum())
    scores = int((np.isfinite(confidence) & ~valid).sum())
    if halves or scores:
        lost = [
            f"{halves} box(es) with a centre but no size or a size but no centre"
            if halves
            else "",
            f"{scores} score(s) of boxes with no centre or no size" if scores else "",
        ]
        warnings.warn(
            f"{path}: {' and '.join(text for text in lost if text)} are not written: a VIA "
            "region is a whole rectangle (corner and size) with its score, so they read back "
            "as missing. Write netCDF (.nc) to keep them.",
            UserWarning,
            stacklevel=user_stacklevel(),
        )
    dropped = [str(name) for name in ds.data_vars if name not in _WRITTEN]
    if dropped:
        warnings.warn(
            f"{path}: VIA tracks files have no place for {', '.join(dropped)}: not written (a "
            "region holds a box and its confidence). Write netCDF (.nc) to keep them.",
            UserWarning,
            stacklevel=user_stacklevel(),
        )
    # the coordinates left out (the variables are named above)
    warn_variables_not_written(ds, path, "VIA tracks", kept=tuple(map(str, ds.data_vars)))
    # VIA's reader counts time from the file's first frame (as movement's) unless told not to
    warn_times_not_kept(ds, path, "a VIA tracks file", from_first_frame=True)


def _warn_order_read_back(
    names: list[str], track_ids: np.ndarray, valid: np.ndarray, path: Path
) -> None:
    """Warn once when the individuals written read back in another order than the
    dataset's: a VIA reader gives the tracks in the order of their ids (``id_5`` after
    ``id_2``), whatever the order of the regions: the order of
    :func:`posebridge.formats._shared.track_order.reordered`, as for COCO and YOLO.
    ``valid`` (time, individual) says which boxes are written (an individual without one
    is warned about on its own).

    Examples
    --------
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     _warn_order_read_back(
    ...         ["id_5", "id_2"], np.array([5, 2]), np.ones((1, 2), bool), "t.csv"
    ...     )
    >>> str(caught[0].message)[:60]
    't.csv: a VIA tracks file gives its tracks back in the order '
    """
    by_id = reordered(track_ids, valid.any(axis=0))  # the readers' order, as COCO's, YOLO's
    if by_id is None:
        return
    shown = [brief(f"id_{track_ids[k]}") for k in by_id[:8]]
    more = f" and {by_id.size - 8} more" if by_id.size > 8 else ""
    named = ", ".join(shown) + more
    sources = ", ".join(brief(names[k]) for k in by_id[:8]) + more
    source_named = f" (written from {sources})" if sources != named else ""
    warning = UserWarning(
        f"{path}: a VIA tracks file gives its tracks back in the order of their track ids, "
        f"so the individuals read back in the order {named}{source_named}, not the "
        "dataset's; pass track_ids_from_trailing_numbers=False to number the tracks 0, 1, "
        "... in the dataset's order, or write netCDF (.nc) to keep it."
    )
    warnings.warn(
        with_command_line_wording(warning, _NUMBERED_BY_POSITION), stacklevel=user_stacklevel()
    )


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
        read with) instead of making names: ``None`` does so when every time
        step has one and no naming option was given (a name at several frames
        too: each row names its frame); ``True`` requires them.

    Returns
    -------
    list of pathlib.Path
        The file written.

    Examples
    --------
    >>> import posebridge
    >>> posebridge.save(ds, "tracks.csv", format="via", image_file_suffix=".jpg")  # doctest: +SKIP
    """
    if ds.attrs["ds_type"] != model.BBOXES:
        raise SchemaError(
            "VIA tracks files hold bounding boxes; make boxes from poses with "
            "posebridge.boxes_from_poses(ds)."
        )
    refuse_views(ds, "VIA tracks")
    refuse_empty(ds, "VIA tracks")
    refuse_bad_names(ds, "VIA tracks", dims=(model.INDIVIDUAL,))
    frames = model.frame_numbers(ds)
    if frames is None:
        raise SchemaError(
            f"{path}: the dataset's time is in seconds with no fps and no 'frame' coordinate, "
            f"so the frame numbers a VIA file names its images by are unknown. {FPS_ADVICE}"
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
        _image_names(
            ds, frames, frame_n_digits, image_file_prefix, image_file_suffix, image_paths, path
        )
    )

    position = ds["position"].transpose("time", "space", "individual").to_numpy()
    shape = ds["shape"].transpose("time", "space", "individual").to_numpy()
    both = np.concatenate([position, shape], axis=1).astype(np.float64)
    if np.isinf(both).any():
        raise SchemaError("VIA tracks cannot hold infinite box positions or sizes.")
    valid = ~np.isnan(both).any(axis=1)  # (time, individual)
    negative = (both[:, 2:] < 0).any(axis=1) & valid  # only boxes that are written
    if negative.any():
        time_index, individual_index = np.argwhere(negative)[0]
        raise SchemaError(
            f"Boxes of a negative width or height: {int(negative.sum())} (the first at "
            f"time index {time_index}, individual "
            f"{str(ds.individual.values[individual_index])!r}); VIA tracks hold sizes of "
            "0 or more, and the reader refuses a negative one."
        )
    if not valid.any():
        raise SchemaError(
            "Every box of the dataset is missing (NaN); a VIA tracks file holds frames and "
            "tracks only through their regions, so it would read back as no frames and no "
            "individuals. Nothing was written."
        )
    with np.errstate(over="ignore", invalid="ignore"):  # VIA stores corners and sizes
        corners = both[:, :2] - both[:, 2:] / 2
    if not np.isfinite(corners[np.broadcast_to(valid[:, None], corners.shape)]).all():
        raise SchemaError(
            "Some boxes are so large that their corner (centre - size / 2) overflows to "
            "infinity; VIA tracks cannot hold them."
        )
    if "confidence" in ds:
        confidence = ds["confidence"].transpose("time", "individual").to_numpy()
    else:
        confidence = np.full(valid.shape, np.nan)
    _warn_unkept(ds, path, both, confidence, valid)
    warn_individuals_not_written(
        ds,
        path,
        "a VIA tracks file holds a track only through its regions (one per box with a "
        "position and a size)",
        written=valid,
        missing="no box",
        keep="netCDF (.nc)",
    )
    warn_individual_names_not_kept(
        ds,
        path,
        holds="VIA tracks files (a region holds a track id)",
        read_back="id_<track id>, the id "
        + (
            "of the trailing digits of their names"
            if track_ids_from_trailing_numbers
            else "of their position"
        ),
        keep="netCDF (.nc)",
        names_read_back=[f"id_{track}" for track in track_ids.tolist()],
    )
    _warn_order_read_back(names, track_ids, valid, path)
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
