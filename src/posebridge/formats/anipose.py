"""Anipose triangulation .csv (``pose-3d/<video>.csv``): 3D poses of one animal.

Layout (written by ``anipose/triangulate.py`` with ``to_csv(index=False)``): for
each keypoint in the project's order, ``<kp>_x, <kp>_y, <kp>_z, <kp>_error,
<kp>_ncams, <kp>_score``; then the axis-alignment matrix ``M_00 .. M_22``
(row-major, the same on every row), ``center_0 .. center_2`` and the frame
number ``fnum``.

What is kept: ``position`` (x, y, z) and ``confidence`` (``_score``) as in
movement, and beyond it ``reprojection_error`` (``_error``) and
``camera_count`` (``_ncams``) as variables (time, keypoint, individual), the
alignment as the attributes ``anipose_alignment_matrix`` (9 floats, row-major
M) and ``anipose_alignment_center`` (3 floats), and ``fnum`` as the time
coordinate (gaps kept). Keypoints stay in the file's column order (movement
sorts them alphabetically). Anipose aligned the points as
``aligned = raw @ M.T - center``; M need not be orthogonal, so undo it with
``raw = (aligned + center) @ numpy.linalg.inv(M.T)``.

Both of Anipose's missing-value styles load: without ``optim`` every value of
a missing point is empty; with ``optim`` only ``_error`` and ``_score`` are.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from posebridge import model
from posebridge._files import Peek, atomic_outputs
from posebridge.errors import FormatError, SchemaError
from posebridge.formats._shared.record import Format
from posebridge.model import labels

__all__ = ["dataframe_from_dataset", "dataset_from_dataframe", "read", "sniff", "write"]

SOURCE_SOFTWARE = "Anipose"
SUFFIXES = ("x", "y", "z", "error", "ncams", "score")
MATRIX_COLUMNS = tuple(f"M_{row}{col}" for row in range(3) for col in range(3))
CENTER_COLUMNS = ("center_0", "center_1", "center_2")
FRAME_COLUMN = "fnum"
ERROR_VAR = "reprojection_error"
NCAMS_VAR = "camera_count"
MATRIX_ATTR = "anipose_alignment_matrix"
CENTER_ATTR = "anipose_alignment_center"
_TRANSFORM_COLUMNS = frozenset((*MATRIX_COLUMNS, *CENTER_COLUMNS, FRAME_COLUMN))
_HEADER_LIMIT = 1 << 20
_CHUNK_ROWS = 5_000
#: pandas < 3 parses floats exactly only when asked; 3.x does by default (and
#: deprecates the option).
_EXACT_FLOATS = {"float_precision": "round_trip"} if int(pd.__version__.split(".")[0]) < 3 else {}


# --------------------------------------------------------------------------
# sniffing


def _header_columns(path: Path) -> list[str]:
    with open(path, encoding="utf-8-sig", errors="strict") as handle:
        line = handle.readline(_HEADER_LIMIT)
    return [cell.strip() for cell in line.rstrip("\r\n").split(",")]


def sniff(peek: Peek) -> bool:
    """Whether the first line of ``path`` is an Anipose triangulation header.

    It must name ``<kp>_x, <kp>_y, <kp>_z`` of some keypoint and at least one
    Anipose-only column (``fnum``, ``M_00`` or a ``_ncams``/``_error``
    column). DeepLabCut-style tables start with ``scorer`` and never match.
    """
    path = peek.path
    columns = _header_columns(path)
    if not columns or columns[0] in ("scorer", "") or len(columns) < 4:
        return False
    names = set(columns)
    has_xyz = any(
        col.endswith("_x") and f"{col[:-2]}_y" in names and f"{col[:-2]}_z" in names
        for col in columns
    )
    anipose_only = (
        FRAME_COLUMN in names
        or "M_00" in names
        or any(col.endswith(("_ncams", "_error")) for col in columns)
    )
    return has_xyz and anipose_only


# --------------------------------------------------------------------------
# reading


def _where(path: Path | None, row: int) -> str:
    """Name a data row: its line in the file, or its row in a DataFrame."""
    return f"line {row + 2}" if path is not None else f"row {row}"


def _split_columns(columns: Sequence[str]) -> tuple[list[str], dict[str, dict[str, str]], list]:
    """Keypoints in column order, their columns by suffix, and unknown columns."""
    keypoints: list[str] = []
    by_keypoint: dict[str, dict[str, str]] = {}
    unknown = []
    for column in columns:
        if not isinstance(column, str):
            unknown.append(column)
            continue
        if column in _TRANSFORM_COLUMNS:
            continue
        for suffix in SUFFIXES:
            if column.endswith("_" + suffix) and len(column) > len(suffix) + 1:
                keypoint = column[: -len(suffix) - 1]
                if keypoint not in by_keypoint:
                    keypoints.append(keypoint)
                    by_keypoint[keypoint] = {}
                by_keypoint[keypoint][suffix] = column
                break
        else:
            unknown.append(column)
    return keypoints, by_keypoint, unknown


def _numeric(df: pd.DataFrame, columns: list[str], path: Path | None) -> np.ndarray:
    """The columns as one float64 array; a non-number raises naming its line."""
    block = df[columns]
    if all(dtype.kind in "fiub" for dtype in block.dtypes):
        return block.to_numpy(dtype=np.float64)
    for column in columns:
        values = df[column]
        if values.dtype.kind in "fiub":
            continue
        numbers = pd.to_numeric(values, errors="coerce")
        blank = values.isna() | (values.astype(str).str.strip() == "")
        bad = np.flatnonzero(numbers.isna().to_numpy() & ~blank.to_numpy())
        if bad.size:
            row = int(bad[0])
            raise FormatError(
                path,
                f"{_where(path, row)}: column '{column}' holds {values.iloc[row]!r}, "
                "expected a number (or an empty cell for a missing value).",
            )
    return block.apply(pd.to_numeric, errors="coerce").to_numpy(dtype=np.float64)


def _constant_row(values: np.ndarray, names: Sequence[str], path: Path | None) -> np.ndarray:
    """The one value per column that Anipose repeats on every row."""
    present = ~np.all(np.isnan(values), axis=1)
    if not present.any():
        raise FormatError(path, f"columns {', '.join(names)} are empty on every row.")
    first = values[np.argmax(present)]
    differs = present & np.any(values != first, axis=1)
    if differs.any():
        row = int(np.argmax(differs))
        raise FormatError(
            path,
            f"{_where(path, row)}: the alignment columns {', '.join(names)} differ from the "
            "first row's; Anipose writes one transform for the whole file.",
        )
    return first.astype(np.float64)


def _frame_numbers(df: pd.DataFrame, path: Path | None) -> np.ndarray:
    if FRAME_COLUMN not in df.columns:
        return np.arange(len(df), dtype=np.int64)
    frames = _numeric(df, [FRAME_COLUMN], path)[:, 0]
    bad = ~np.isfinite(frames) | (np.mod(frames, 1) != 0)
    if bad.any():
        row = int(np.argmax(bad))
        raise FormatError(
            path,
            f"{_where(path, row)}: fnum is {df[FRAME_COLUMN].iloc[row]!r}, expected a whole "
            "frame number.",
        )
    frames = frames.astype(np.int64)
    seen = pd.Series(frames).duplicated().to_numpy()
    if seen.any():
        row = int(np.argmax(seen))
        raise FormatError(
            path,
            f"{_where(path, row)}: frame {frames[row]} (fnum) appears twice; each frame "
            "must have one row.",
        )
    return frames


def _build(df: pd.DataFrame, individual_name: str, path: Path | None) -> xr.Dataset:
    if not isinstance(df, pd.DataFrame):
        raise FormatError(path, f"expected a pandas DataFrame, got {type(df).__name__}.")
    if not isinstance(individual_name, str) or not individual_name:
        raise SchemaError(f"individual_name must be a non-empty string, got {individual_name!r}.")
    if isinstance(df.columns, pd.MultiIndex):
        raise FormatError(
            path,
            "has several header rows (a DeepLabCut-style table); an Anipose file has one "
            "header row of <keypoint>_x, _y, _z, _error, _ncams, _score columns.",
        )
    keypoints, by_keypoint, unknown = _split_columns(list(df.columns))
    if unknown:
        hint = (
            " (was it saved with an index column?)"
            if any(str(c).startswith("Unnamed") for c in unknown)
            else ""
        )
        raise FormatError(
            path,
            f"unexpected columns {[str(c) for c in unknown][:5]}{hint}: an Anipose file has "
            "only <keypoint>_x/_y/_z/_error/_ncams/_score, M_00..M_22, center_0..2 and fnum.",
        )
    if not keypoints:
        raise FormatError(path, "has no <keypoint>_x, _y, _z columns.")
    incomplete = {
        kp: [s for s in ("x", "y", "z") if s not in cols]
        for kp, cols in by_keypoint.items()
        if not {"x", "y", "z"} <= cols.keys()
    }
    if incomplete:
        raise FormatError(
            path,
            "every keypoint needs _x, _y and _z columns; missing: "
            + ", ".join(f"{kp}_{'/'.join(s)}" for kp, s in incomplete.items()),
        )
    if len(df) == 0:
        raise FormatError(path, "has a header but no data rows.")

    n_time, n_kp = len(df), len(keypoints)
    frames = _frame_numbers(df, path)
    names = [column for column in df.columns if column != FRAME_COLUMN]
    table = _numeric(df, names, path)  # usually a view of pandas' float block
    where = {name: index for index, name in enumerate(names)}
    order = None if np.all(np.diff(frames) > 0) else np.argsort(frames, kind="stable")

    def take(columns: list[str]) -> np.ndarray:
        block = table[:, [where[c] for c in columns]]
        return block if order is None else block[order]

    def per_keypoint(suffix: str) -> np.ndarray | None:
        present = [kp for kp in keypoints if suffix in by_keypoint[kp]]
        if not present:
            return None
        if len(present) == n_kp:
            return take([by_keypoint[kp][suffix] for kp in keypoints])[:, :, None]
        values = np.full((n_time, n_kp), np.nan)
        index = [keypoints.index(kp) for kp in present]
        values[:, index] = take([by_keypoint[kp][suffix] for kp in present])
        return values[:, :, None]

    xyz = take([by_keypoint[kp][s] for kp in keypoints for s in ("x", "y", "z")])
    position = xyz.reshape(n_time, n_kp, 3).transpose(0, 2, 1)[..., None]
    score = per_keypoint("score")
    confidence = score if score is not None else np.full((n_time, n_kp, 1), np.nan)
    ds = xr.Dataset(
        {
            "position": (model.POSES_DIMS, position),
            "confidence": (("time", "keypoint", "individual"), confidence),
        },
        coords={
            "time": frames if order is None else frames[order],
            "space": ["x", "y", "z"],
            "keypoint": keypoints,
            "individual": [individual_name],
        },
        attrs={"ds_type": model.POSES, "time_unit": "frames", "source_software": SOURCE_SOFTWARE},
    )
    for suffix, name in (("error", ERROR_VAR), ("ncams", NCAMS_VAR)):
        values = per_keypoint(suffix)
        if values is not None:
            ds[name] = (("time", "keypoint", "individual"), values)
    for group, attr in ((MATRIX_COLUMNS, MATRIX_ATTR), (CENTER_COLUMNS, CENTER_ATTR)):
        present = [c for c in group if c in where]
        if not present:
            continue
        if len(present) != len(group):
            missing = [c for c in group if c not in where]
            raise FormatError(path, f"has {present[0]} but lacks {', '.join(missing)}.")
        ds.attrs[attr] = _constant_row(table[:, [where[c] for c in group]], group, path)
    return ds


def dataset_from_dataframe(df: pd.DataFrame, *, individual_name: str = "id_0") -> xr.Dataset:
    """Build a poses dataset from an Anipose triangulation table.

    Parameters
    ----------
    df
        The table as ``pandas.read_csv`` returns it (one header row).
    individual_name
        Name of the one animal.

    Returns
    -------
    xarray.Dataset
        3D poses in frame units, with the extras described in the module.

    Raises
    ------
    FormatError
        Naming the row and column that break the layout.

    Examples
    --------
    >>> import pandas as pd
    >>> from posebridge.formats import anipose
    >>> df = pd.DataFrame({"nose_x": [1.0], "nose_y": [2.0], "nose_z": [3.0], "fnum": [7]})
    >>> ds = anipose.dataset_from_dataframe(df, individual_name="mouse")
    >>> ds.position.sel(keypoint="nose", individual="mouse").values.tolist()
    [[1.0, 2.0, 3.0]]
    """
    return _build(df, individual_name, None)


def read(path: Path, *, individual_name: str = "id_0") -> xr.Dataset:
    """Read an Anipose triangulation .csv file.

    Parameters
    ----------
    path
        The ``pose-3d`` (or ``pose-3d-filtered``) .csv file.
    individual_name
        Name of the one animal (Anipose files hold one).

    Returns
    -------
    xarray.Dataset
        3D poses; ``time`` is ``fnum`` (gaps kept).

    Examples
    --------
    >>> from posebridge.formats import anipose
    >>> ds = anipose.read("pose-3d/session.csv")  # doctest: +SKIP
    """
    path = Path(path)
    try:
        df = pd.read_csv(path, encoding="utf-8-sig", **_EXACT_FLOATS)
    except pd.errors.EmptyDataError:
        raise FormatError(path, "is empty; expected an Anipose header row.") from None
    except pd.errors.ParserError as error:
        raise FormatError(path, f"is not a well-formed CSV table: {error}") from None
    except UnicodeDecodeError as error:
        raise FormatError(path, f"is not a text file ({error.reason}).") from None
    return _build(df, individual_name, path)


# --------------------------------------------------------------------------
# writing


def _select_individual(ds: xr.Dataset, individual: str | None) -> xr.Dataset:
    names = [str(n) for n in ds["individual"].values]
    if individual is None:
        if len(names) != 1:
            raise SchemaError(
                f"An Anipose file holds one individual, but the dataset has {len(names)} "
                f"({', '.join(names[:5])}); pass individual='<name>' to write one of them."
            )
        return ds
    if individual not in names:
        raise SchemaError(f"individual={individual!r} is not in the dataset ({names}).")
    return ds.sel(individual=[individual])


def _transform(ds: xr.Dataset, attr: str, size: int, default: np.ndarray) -> np.ndarray:
    if attr not in ds.attrs:
        return default
    values = np.asarray(ds.attrs[attr], dtype=np.float64).reshape(-1)
    if values.size != size:
        raise SchemaError(f"attrs['{attr}'] must hold {size} numbers, got {values.size}.")
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
    ds = _select_individual(ds, individual)
    frames = model.frame_numbers(ds)
    if frames is None:
        raise SchemaError(
            "The dataset's time is in seconds with no fps and no 'frame' coordinate, so the "
            "frame numbers (fnum) are unknown; set ds.attrs['fps'] first."
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


def _float_text(values: np.ndarray) -> np.ndarray:
    """Shortest round-trip text of each float (an object array); NaN is empty."""
    text = np.full(values.shape, "", dtype=object)
    present = ~np.isnan(values)
    text[present] = list(map(repr, values[present].tolist()))
    return text


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
    labels.refuse(ds, "Anipose")
    columns, frames, sources = _sources(model.validate(ds), individual)
    n_time, n_kp6 = len(frames), len(columns) - 13
    constant = _float_text(sources[-1][None, :])[0]
    with (
        atomic_outputs([Path(path)], overwrite=overwrite) as (temporary,),
        open(temporary, "w", encoding="utf-8", newline="") as handle,
    ):
        handle.write(",".join(columns) + "\n")
        for start in range(0, n_time, _CHUNK_ROWS):
            rows = slice(start, min(start + _CHUNK_ROWS, n_time))
            text = np.empty((rows.stop - start, len(columns)), dtype=object)
            text[:, :n_kp6] = _float_text(_rows(sources, rows)[:, :n_kp6])
            text[:, n_kp6:-1] = constant
            text[:, -1] = frames[rows].astype(str).astype(object)
            text[:, :-1] += ","
            text[:, -1] += "\n"
            handle.write("".join(text.ravel().tolist()))
    return [Path(path)]


def describe(path: Path) -> list[tuple[str, str]]:
    """What ``posebridge info`` shows beyond the dataset: the file's column groups."""
    columns = _header_columns(path)
    keypoints, by_keypoint, _ = _split_columns(columns)
    suffixes = [s for s in SUFFIXES if any(s in by_keypoint[kp] for kp in keypoints)]
    groups = (("M_00..M_22", "M_00"), ("center_0..2", "center_0"), ("fnum", "fnum"))
    other = [name for name, probe in groups if probe in columns]
    text = f"{len(keypoints)} keypoints x ({', '.join(suffixes)})"
    return [("columns", ", then ".join([text, *other]) if other else text)]


FORMATS: tuple[Format, ...] = (
    Format(
        name="anipose",
        title="Anipose",
        extensions=(".csv",),
        kinds=("poses",),
        sniff=sniff,
        read=read,
        write=write,
        aliases=("Anipose",),
        describe=describe,
        notes="3D, one individual; read: individual_name=; write: individual=",
    ),
)
