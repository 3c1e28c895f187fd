"""Writing Anipose files; the layout is described in :mod:`posebridge.formats.anipose`."""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import BinaryIO

import numpy as np
import pandas as pd
import xarray as xr

from posebridge import model
from posebridge._outputs import atomic_outputs
from posebridge.errors import SchemaError, with_command_line_wording
from posebridge.formats._shared.csv_text import write_csv_block
from posebridge.formats._shared.guards import refuse_bad_names, refuse_empty, refuse_views
from posebridge.formats._shared.individual_names import warn_individual_name_not_stored
from posebridge.formats._shared.lazy import is_dask, time_blocks
from posebridge.formats._shared.not_kept import (
    warn_keypoint_variables_dropped,
    warn_times_not_kept,
    warn_variables_not_written,
)
from posebridge.formats.anipose.layout import (
    CENTER_ATTR,
    CENTER_COLUMNS,
    ERROR_VAR,
    FRAME_COLUMN,
    MATRIX_ATTR,
    MATRIX_COLUMNS,
    NCAMS_VAR,
    SUFFIXES,
    TITLE,
)

_CHUNK_ROWS = 5_000
#: The per-keypoint variables an Anipose file holds: ``_score``, ``_error`` and ``_ncams``.
_WRITTEN_PER_KEYPOINT = ("confidence", ERROR_VAR, NCAMS_VAR)

# --------------------------------------------------------------------------
# writing


def _select_individual(ds: xr.Dataset, individual: str | None) -> xr.Dataset:
    names = [str(n) for n in ds["individual"].values]
    if individual is None:
        if len(names) != 1:
            raise with_command_line_wording(
                SchemaError(
                    f"An Anipose file holds one individual, but the dataset has {len(names)} "
                    f"({', '.join(names[:5])}); pass individual='<name>' to write one of them."
                ),
                {"pass individual='<name>'": "pass --option individual=NAME"},
            )
        return ds
    if individual not in names:
        in_python = f"individual={individual!r} is not in the dataset"
        raise with_command_line_wording(
            SchemaError(f"{in_python} ({names})."),
            {
                in_python: f"--option {shlex.quote(f'individual={individual}')} names no "
                "individual of the dataset"
            },
        )
    return ds.sel(individual=[individual])


def _transform(ds: xr.Dataset, attr: str, size: int, default: np.ndarray) -> np.ndarray:
    if attr not in ds.attrs:
        return default
    values = np.asarray(ds.attrs[attr], dtype=np.float64).reshape(-1)
    if values.size != size:
        raise SchemaError(f"attrs['{attr}'] must hold {size} numbers, got {values.size}.")
    if not np.all(np.isfinite(values)):
        raise SchemaError(
            f"attrs['{attr}'] holds {values[~np.isfinite(values)][0]} at index "
            f"{int(np.argmax(~np.isfinite(values)))}; an Anipose alignment is finite numbers "
            "(an empty cell there could not be read back). Fix or delete the attribute."
        )
    return values


def dataframe_from_dataset(ds: xr.Dataset, *, individual: str | None = None) -> pd.DataFrame:
    """The Anipose triangulation table of one individual of a 3D poses dataset.

    Parameters
    ----------
    ds
        A 3D poses dataset.
    individual
        Which individual to take; needed when there are several.

    Returns
    -------
    pandas.DataFrame
        Columns in Anipose's order, one row per time step.

    Examples
    --------
    >>> import numpy as np
    >>> from posebridge import from_numpy
    >>> from posebridge.formats import anipose
    >>> df = anipose.dataframe_from_dataset(from_numpy(np.zeros((2, 3, 1, 1))))
    >>> list(df.columns[:4])
    ['keypoint_0_x', 'keypoint_0_y', 'keypoint_0_z', 'keypoint_0_error']
    """
    columns, frames, sources = _sources(model.validate(ds), individual)
    df = pd.DataFrame(_rows(sources, slice(None)), columns=columns[:-1])
    df[FRAME_COLUMN] = frames
    return df


def _sources(
    ds: xr.Dataset, individual: str | None
) -> tuple[list[str], np.ndarray, list[np.ndarray]]:
    """Anipose's column names, the frames, and per suffix a (time, keypoint) array.

    The arrays are views of the dataset where possible; the last item holds
    the 12 numbers of M and center.
    """
    if ds.attrs.get("ds_type") != model.POSES:
        raise SchemaError("Anipose files hold poses, not bounding boxes.")
    if ds.sizes["space"] != 3:
        raise SchemaError(
            f"Anipose files hold 3D poses, but the dataset has {ds.sizes['space']} spatial "
            "dimensions."
        )
    refuse_views(ds, "Anipose (triangulated)")
    refuse_empty(ds, "Anipose", dims=(model.TIME, model.KEYPOINT))
    refuse_bad_names(ds, "Anipose", dims=(model.KEYPOINT,), forbidden='\n\r,"')
    ds = _select_individual(ds, individual)
    frames = model.distinct_frame_numbers(ds, "Anipose")
    if frames is None:
        raise SchemaError(
            "The dataset's time is in seconds with no fps and no 'frame' coordinate, so the "
            "frame numbers (fnum) are unknown; set ds.attrs['fps'] first."
        )
    if (frames < 0).any():
        raise SchemaError(
            f"The dataset's frame numbers include {int(frames[np.argmax(frames < 0)])}; "
            "Anipose's fnum counts frames from 0, and the reader refuses a negative one."
        )
    keypoints = [str(k) for k in ds["keypoint"].values]
    one = {"individual": 0}
    position = ds["position"].isel(one).transpose("time", "space", "keypoint").to_numpy()
    missing = np.full((ds.sizes["time"], len(keypoints)), np.nan)
    extras = []
    for name in (ERROR_VAR, NCAMS_VAR):
        if name in ds and set(ds[name].dims) == {"time", "keypoint", "individual"}:
            extras.append(ds[name].isel(one).transpose("time", "keypoint").to_numpy())
        else:
            extras.append(missing)
    counts = extras[1]
    with np.errstate(invalid="ignore"):
        bad = ~np.isnan(counts) & (
            ~np.isfinite(counts) | (counts < 0) | (counts != np.floor(counts))
        )
    if bad.any():
        time_index, keypoint_index = np.argwhere(bad)[0]
        raise SchemaError(
            f"{NCAMS_VAR} is {counts[time_index, keypoint_index]:g} at time index "
            f"{time_index}, keypoint {keypoints[keypoint_index]!r}; Anipose's _ncams holds "
            "whole numbers of cameras from 0 (or NaN), and the reader refuses others."
        )
    score = model.confidence_per_keypoint(ds).isel(one).transpose("time", "keypoint")
    matrix = _transform(ds, MATRIX_ATTR, 9, np.eye(3).reshape(-1))
    center = _transform(ds, CENTER_ATTR, 3, np.zeros(3))
    sources = [*position.transpose(1, 0, 2), *extras, score.to_numpy()]
    sources.append(np.concatenate([matrix, center]))
    columns = [f"{kp}_{s}" for kp in keypoints for s in SUFFIXES]
    columns += [*MATRIX_COLUMNS, *CENTER_COLUMNS, FRAME_COLUMN]
    return columns, frames, sources


def _rows(sources: list[np.ndarray], rows: slice) -> np.ndarray:
    """The float columns (all but fnum) of some rows, in Anipose's order."""
    *per_suffix, constant = sources
    first = per_suffix[0][rows]
    n_rows, n_kp = first.shape
    values = np.empty((n_rows, n_kp * 6 + 12))
    block = values[:, : n_kp * 6].reshape(n_rows, n_kp, 6)  # a view
    for index, array in enumerate(per_suffix):
        block[:, :, index] = array[rows]
    values[:, n_kp * 6 :] = constant
    return values


def write(
    ds: xr.Dataset, path: Path, *, overwrite: bool = False, individual: str | None = None
) -> list[Path]:
    """Write one individual of a 3D poses dataset as an Anipose triangulation .csv.

    Columns are in Anipose's order (per keypoint ``_x, _y, _z, _error, _ncams,
    _score``, then ``M_00..M_22``, ``center_0..2``, ``fnum``), with no index
    column. ``_error`` and ``_ncams`` come from ``reprojection_error`` and
    ``camera_count`` (empty when the dataset has none); M and center from the
    ``anipose_alignment_*`` attributes, else the identity and zero. Floats are
    written at full precision, so the file reads back exactly.

    Parameters
    ----------
    ds
        A 3D poses dataset.
    path
        The output .csv file.
    overwrite
        Replace an existing file.
    individual
        Which individual to write; required when the dataset has several.

    Returns
    -------
    list of pathlib.Path
        The file written.

    Examples
    --------
    >>> import posebridge
    >>> posebridge.save(ds, "session.csv", format="anipose")  # doctest: +SKIP
    """
    if is_dask(ds["position"].data):
        written = _write_chunks(ds, Path(path), overwrite, individual)
    else:
        columns, frames, sources = _sources(ds, individual)
        with (
            atomic_outputs([Path(path)], overwrite=overwrite) as (temporary,),
            open(temporary, "wb") as handle,
        ):
            handle.write((",".join(columns) + "\n").encode("utf-8"))
            _write_rows(handle, frames, sources)
        written = [Path(path)]
    warn_individual_name_not_stored(
        str(ds[model.INDIVIDUAL].values[0]) if individual is None else individual,
        path,
        layout="an Anipose file holds one individual and no name for it",
        read_back="id_0",
        keep="Write netCDF (.nc) or NWB to keep it.",
    )
    warn_times_not_kept(ds, path, "an Anipose file")  # fnum: a frame number per row
    warn_keypoint_variables_dropped(
        ds,
        path,
        TITLE,
        _WRITTEN_PER_KEYPOINT,
        holds="its position, score, reprojection error and camera count",
    )
    warn_variables_not_written(ds, path, TITLE)
    return written


def _write_rows(handle: BinaryIO, frames: np.ndarray, sources: list[np.ndarray]) -> None:
    n_time = len(frames)
    for start in range(0, n_time, _CHUNK_ROWS):
        rows = slice(start, min(start + _CHUNK_ROWS, n_time))
        values = np.ascontiguousarray(_rows(sources, rows).T)
        write_csv_block(handle, [*values, frames[rows]], python_repr=True)


def _write_chunks(
    ds: xr.Dataset, path: Path, overwrite: bool, individual: str | None
) -> list[Path]:
    """Write a dask-backed dataset one dask chunk of frames at a time (the same bytes).

    Every chunk goes through the in-memory writer's own steps; the header is
    written before the first.
    """
    if ds.sizes["time"] == 0:
        _sources(ds.load(), individual)  # refuses it
    with (
        atomic_outputs([path], overwrite=overwrite) as (temporary,),
        open(temporary, "wb") as handle,
    ):
        for start, stop in time_blocks(ds):
            chunk = ds.isel(time=slice(start, stop)).compute()
            columns, frames, sources = _sources(chunk, individual)
            if start == 0:
                handle.write((",".join(columns) + "\n").encode("utf-8"))
            _write_rows(handle, frames, sources)
    return [path]
