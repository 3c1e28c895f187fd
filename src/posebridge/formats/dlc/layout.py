"""DeepLabCut-style tables <-> poses datasets, independent of the file type.

A DeepLabCut table has one row per frame (or labelled image) and one column
per (scorer, [individual], bodypart, coord). This module turns the table's
numbers, column labels and row index into a dataset (:func:`build_dataset`);
``column_plan`` plans the columns of a dataset to write in the same rules. The
.h5 and .csv layers only move bytes.

Rules (see ``model.EXTRAS`` for the names):

- individuals in file order; a file without an ``individuals`` level holds
  one individual named ``individual_0`` (movement's name);
- keypoints: the bodyparts of the ordinary individuals in file order, then
  those that only the ``single`` individual has (DeepLabCut's unique
  bodyparts); combinations the file lacks are NaN;
- coords by name: ``x``, ``y`` (, ``z``) -> ``position``, ``likelihood`` ->
  ``confidence`` (NaN when absent), any other coord -> an extra variable
  (time, keypoint, individual) named after it (LightningPose EKS, ``visible``);
- ``likelihood < 0`` (DeepLabCut 3 padding with -1) -> x, y, likelihood NaN;
- an integer row index gives the frame numbers (``time``); image paths give
  ``time = 0..n-1`` and the ``image_path`` coordinate, and ``dlc_index_style``
  remembers whether they were one path column or (folder, video, image) levels;
- LightningPose's ``set`` column -> the ``data_split`` coordinate.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from posebridge import model
from posebridge.errors import FormatError, user_stacklevel
from posebridge.formats._shared.text_attrs import names_to_attr

__all__ = ["build_dataset", "table_arrays"]

SINGLE = "single"
DEFAULT_INDIVIDUAL = "individual_0"
LEVELS_3 = ("scorer", "bodyparts", "coords")
LEVELS_4 = ("scorer", "individuals", "bodyparts", "coords")
CORE_COORDS = ("x", "y", "z", "likelihood")
SET_COLUMN = "set"
DATA_SPLIT = "data_split"
IMAGE_PATH = "image_path"
INDEX_STYLE = "dlc_index_style"
#: maDLC's unique bodyparts (those of the ``single`` individual), as JSON text: the
#: writer gives them to ``single`` and the others to the animals, whatever the data
#: (a bodypart no animal was seen with is still the animals').
UNIQUE_BODYPARTS = "dlc_unique_bodyparts"
#: attr: the columns of the file read, with an ``individuals`` level (``MULTI_ANIMAL``) or
#: without (``SINGLE_ANIMAL``); the writer keeps the level of a one-animal multi-animal file.
DLC_LAYOUT = "dlc_layout"
MULTI_ANIMAL = "multi-animal"
SINGLE_ANIMAL = "single-animal"
#: names an extra coord may not take (they are the model's own).
DLC = "DeepLabCut"
LP = "LightningPose"
DEFAULT_SCORER = "posebridge"
DEFAULT_LP_SCORER = "posebridge_tracker"
HDF5_SUFFIXES = (".h5", ".hdf5", ".hdf")
PREFERRED_KEYS = ("df_with_missing", "tracks")

_RESERVED = {
    "position", "confidence", "shape", "time", "space", "keypoint", "individual",
    model.FRAME, IMAGE_PATH, DATA_SPLIT,
} | {  # the data model's other names (bbox, area, category...), unless per keypoint
    name
    for name, meaning in model.EXTRAS.items()
    if not meaning.startswith("variable (time, keypoint, individual)")
}  # fmt: skip


def extra_name(coord: str) -> str:
    """The dataset variable that holds the DeepLabCut coord ``coord``."""
    return f"{coord}_coord" if coord in _RESERVED else coord


def coord_of(variable: str) -> str:
    """The DeepLabCut coord a dataset variable holds (the inverse of :func:`extra_name`)."""
    return variable[: -len("_coord")] if variable.endswith("_coord") else variable


def _level_positions(
    names: Sequence[str | None], n_levels: int, path: Path | None
) -> tuple[int | None, int | None, int, int]:
    """Positions of (scorer, individuals, bodyparts, coords) among the column levels."""
    named = [None if n is None else str(n) for n in names]
    if "bodyparts" in named and "coords" in named:
        pick = {n: named.index(n) for n in LEVELS_4 if n in named}
        return pick.get("scorer"), pick.get("individuals"), pick["bodyparts"], pick["coords"]
    if n_levels == 3:
        return 0, None, 1, 2
    if n_levels == 4:
        return 0, 1, 2, 3
    if n_levels == 2:
        return None, None, 0, 1
    raise FormatError(
        path,
        f"expected DeepLabCut columns with 3 levels {LEVELS_3} or 4 levels {LEVELS_4}, "
        f"found {n_levels} levels named {named}.",
    )


#: Column labels that pandas writes for a missing level label (a NaN): read as blank.
MISSING_LABELS = ("nan",)


def is_pandas_placeholder(label: str) -> bool:
    """Whether ``label`` is the text pandas' ``read_csv`` gives an empty header cell
    (``Unnamed: 3_level_1``), which DeepLabCut readers cannot tell from one.

    Examples
    --------
    >>> is_pandas_placeholder("Unnamed: 1_level_1"), is_pandas_placeholder("Unnamed mouse")
    (True, False)
    """
    return label.startswith("Unnamed: ") and "_level_" in label


def _blank(label: str) -> bool:
    return label == "" or label in MISSING_LABELS or is_pandas_placeholder(label)


@dataclass
class _Layout:
    individuals: list[str]
    keypoints: list[str]
    coords: list[str]
    flat: np.ndarray  # per pose column: index into (individual, keypoint, coord) flattened
    scorer: str | None
    row_columns: dict[str, int]  # per-row columns (LightningPose 'set') -> label position
    unique: list[str]  # maDLC's unique bodyparts (the 'single' individual's), in order
    individuals_level: bool  # the columns have an 'individuals' level (multi-animal)


def row_column_name(label: Sequence[str], names: Sequence[str | None]) -> str | None:
    """The coordinate a per-row column becomes (``data_split`` for ``set``), else ``None``.

    A per-row column has a label only in its first level (LightningPose's
    ``("set", "", "")``); every other column belongs to a bodypart.

    Examples
    --------
    >>> row_column_name(("set", "", ""), ["scorer", "bodyparts", "coords"])
    'data_split'
    """
    label = tuple(str(v) for v in label)
    if len(label) < 2 or not all(_blank(v) for v in label[1:]):
        return None
    return DATA_SPLIT if label[0] == SET_COLUMN else f"column_{label[0]}"


def _layout(
    columns: Sequence[tuple[str, ...]], names: Sequence[str | None], path: Path | None
) -> _Layout:
    if not columns:
        raise FormatError(path, "has no data columns (expected x, y, likelihood per bodypart).")
    n_levels = len(columns[0])
    if any(len(c) != n_levels for c in columns):
        raise FormatError(path, "the column labels do not all have the same number of levels.")
    i_scorer, i_ind, i_bp, i_coord = _level_positions(names, n_levels, path)
    pose: list[tuple[str, str, str]] = []
    row_columns: dict[str, int] = {}
    scorers: list[str] = []
    for j, label in enumerate(columns):
        label = tuple(str(v) for v in label)
        row_name = row_column_name(label, names) if i_scorer == 0 else None
        if row_name is not None:
            if row_name != DATA_SPLIT:
                raise FormatError(
                    path,
                    f"has a column '{label[0]}' that belongs to no bodypart; the only such "
                    f"column posebridge knows is LightningPose's '{SET_COLUMN}'.",
                )
            if row_name in row_columns:  # two 'set' columns: which is the row's?
                raise FormatError(
                    path, f"has two '{label[0]}' columns; LightningPose writes one per row."
                )
            row_columns[row_name] = j
            continue
        bodypart, coord = label[i_bp], label[i_coord]
        individual = DEFAULT_INDIVIDUAL if i_ind is None else label[i_ind]
        if _blank(bodypart) or _blank(coord) or (i_ind is not None and _blank(individual)):
            raise FormatError(path, f"column {j} has an empty level label: {label}.")
        if i_scorer is not None and label[i_scorer] not in scorers:
            scorers.append(label[i_scorer])
        pose.append((individual, bodypart, coord))
    if not pose:
        raise FormatError(path, "has no bodypart columns.")
    individuals = list(dict.fromkeys(p[0] for p in pose))
    shared = dict.fromkeys(p[1] for p in pose if p[0] != SINGLE)
    unique = dict.fromkeys(p[1] for p in pose if p[0] == SINGLE and p[1] not in shared)
    keypoints = [*shared, *unique]
    coords = list(dict.fromkeys(p[2] for p in pose))
    for needed in ("x", "y"):
        if needed not in coords:
            raise FormatError(
                path, f"has no '{needed}' coordinate columns (coords found: {coords})."
            )
    ind_at = {n: i for i, n in enumerate(individuals)}
    kp_at = {n: i for i, n in enumerate(keypoints)}
    co_at = {n: i for i, n in enumerate(coords)}
    flat = np.array(
        [(ind_at[i] * len(keypoints) + kp_at[k]) * len(coords) + co_at[c] for i, k, c in pose],
        dtype=np.intp,
    )
    if np.unique(flat).size != flat.size:
        _, first = np.unique(flat, return_index=True)
        again = int(np.setdiff1d(np.arange(flat.size), first)[0])  # the first repeat
        individual, bodypart, coord = pose[again]
        raise FormatError(
            path,
            f"has repeated (individual, bodypart, coord) columns: ({individual!r}, "
            f"{bodypart!r}, {coord!r}) appears twice; each column is given once.",
        )
    space = [c for c in ("x", "y", "z") if c in coords]
    present = np.zeros((len(individuals) * len(keypoints), len(coords)), dtype=bool)
    present.reshape(-1)[flat] = True
    spatial = present[:, [co_at[c] for c in space]]
    partial = np.flatnonzero(present.any(axis=1) & ~spatial.all(axis=1))
    if partial.size:  # a point with x but no y (say) would read as half a point
        at = int(partial[0])
        individual, keypoint = individuals[at // len(keypoints)], keypoints[at % len(keypoints)]
        lacking = [c for c, has in zip(space, spatial[at], strict=True) if not has]
        raise FormatError(
            path,
            f"bodypart {keypoint!r} of {individual!r} has no {'/'.join(lacking)} column "
            f"(the file's coordinates are {'/'.join(space)}).",
        )
    if len(scorers) > 1:
        warnings.warn(
            f"{path}: several scorers {scorers}; keeping the first in attrs['scorer'].",
            UserWarning,
            stacklevel=user_stacklevel(),
        )
    return _Layout(
        individuals,
        keypoints,
        coords,
        flat,
        scorers[0] if scorers else None,
        row_columns,
        list(unique),
        i_ind is not None,
    )


def _time_index(
    index: Sequence[np.ndarray], n_rows: int, path: Path | None
) -> tuple[np.ndarray, np.ndarray | None, str | None]:
    """(frame numbers, image paths or None, index style or None) from the row index."""
    if not index:
        return np.arange(n_rows, dtype=np.int64), None, None
    if len(index) == 1:
        level = np.asarray(index[0])
        if level.dtype.kind in "iu":
            return level.astype(np.int64), None, None
        if level.dtype.kind == "f":
            if model.whole_numbers(level).all():
                return level.astype(np.int64), None, None
            raise FormatError(
                path, "the row index holds fractional, missing or too large frame numbers."
            )
        text = level.astype(str)
        try:
            return text.astype(np.int64), None, None
        except ValueError:
            pass  # image paths, or frame numbers written as floats ("100.0", "1e2")
        except OverflowError:
            raise FormatError(
                path, "the row index holds a frame number too large for int64 (2**63 and up)."
            ) from None
        try:
            numbers = text.astype(np.float64)
        except ValueError:
            numbers = None  # image paths
        if numbers is not None:
            if model.whole_numbers(numbers).all():
                return numbers.astype(np.int64), None, None
            raise FormatError(
                path, "the row index holds fractional, missing or too large frame numbers."
            )
        if np.any(text == "") or np.any(text == "nan"):
            raise FormatError(path, "a row has no index value (image path or frame number).")
        _refuse_mixed_index(text, path)
        return np.arange(n_rows, dtype=np.int64), text, "path"
    parts = [np.asarray(level).astype(str) for level in index]
    joined = parts[0]
    for part in parts[1:]:
        joined = np.char.add(np.char.add(joined, "/"), part)
    # a level is blank when its whole cell is ('a/nan' is a video folder, not a blank)
    blank = np.logical_or.reduce([np.isin(part, ("", *MISSING_LABELS)) for part in parts])
    if blank.any():
        row = int(np.argmax(blank))
        raise FormatError(
            path,
            f"the image index of row {row} has an empty level ({str(joined[row])!r}); "
            "labelled data is indexed by (folder, video, image) or one image path.",
        )
    return np.arange(n_rows, dtype=np.int64), joined, "levels"


def _refuse_mixed_index(text: np.ndarray, path: Path) -> None:
    """Refuse a row index of frame numbers with some other text among them.

    An index of image paths holds no numbers, so one that is mostly numbers
    with a word among them is a damaged frame column: read as image paths, its
    time would be the row positions and its frame numbers lost.
    """
    import pandas as pd

    numbers = pd.to_numeric(pd.Series(text), errors="coerce").to_numpy()
    parsed = ~np.isnan(numbers)
    if not parsed.any():
        return
    if 2 * int(parsed.sum()) < parsed.size:  # mostly image paths: the number is the odd one
        row = int(np.flatnonzero(parsed)[0])
        raise FormatError(
            path,
            f"the row index holds image paths and, in data row {row + 1}, {str(text[row])!r}, "
            "a number (an index of image paths holds no numbers): a damaged cell?",
        )
    row = int(np.flatnonzero(~parsed)[0])
    raise FormatError(
        path,
        f"the row index holds frame numbers and, in data row {row + 1}, {str(text[row])!r}, "
        "which is not one (an index of image paths holds no numbers): a damaged cell?",
    )


def build_dataset(
    values: np.ndarray,
    columns: Sequence[tuple[str, ...]],
    column_names: Sequence[str | None],
    index: Sequence[np.ndarray],
    *,
    source_software: str,
    path: Path | None = None,
    row_values: dict[str, np.ndarray] | None = None,
    owned: bool = False,
) -> xr.Dataset:
    """A poses dataset from a DeepLabCut-style table.

    Parameters
    ----------
    values
        (rows, pose columns) numbers: one column per label of ``columns``
        that is not a per-row column (``set``), in order.
    columns
        Every column's label tuple, per-row columns included.
    column_names
        Names of the column levels (``scorer``, ``individuals``, ...).
    index
        One array per row-index level (frame numbers, image paths, or the
        (folder, video, image) levels of labelled data).
    source_software
        ``"DeepLabCut"`` or ``"LightningPose"``.
    path
        The file, for error messages.
    row_values
        Values of the per-row columns by coordinate name (``data_split``),
        see :func:`row_column_name`.
    owned
        Whether ``values`` may be modified and kept (no copy is made then).

    Returns
    -------
    xarray.Dataset
        float64 ``position`` and ``confidence``, extras as described above.

    Examples
    --------
    >>> import numpy as np
    >>> cols = [("me", "nose", "x"), ("me", "nose", "y"), ("me", "nose", "likelihood")]
    >>> ds = build_dataset(
    ...     np.ones((2, 3)),
    ...     cols,
    ...     ["scorer", "bodyparts", "coords"],
    ...     [np.array([0, 1])],
    ...     source_software="DeepLabCut",
    ... )
    >>> ds.position.shape, ds.individual.values.tolist()
    ((2, 2, 1, 1), ['individual_0'])
    """
    variables, coords, attrs = _table_parts(
        values,
        columns,
        column_names,
        index,
        source_software=source_software,
        path=path,
        row_values=row_values,
        owned=owned,
    )
    return xr.Dataset(variables, coords=coords, attrs=attrs)


def table_arrays(
    values: np.ndarray,
    columns: Sequence[tuple[str, ...]],
    column_names: Sequence[str | None],
    index: Sequence[np.ndarray],
    *,
    source_software: str,
    path: Path | None = None,
    owned: bool = False,
) -> dict[str, np.ndarray]:
    """The data variables' arrays :func:`build_dataset` would make of rows of a table, by
    name, without making the dataset (a lazy read's block needs the arrays only; making an
    xarray Dataset for each block cost more than reading it).

    Examples
    --------
    >>> import numpy as np
    >>> cols = [("me", "nose", "x"), ("me", "nose", "y"), ("me", "nose", "likelihood")]
    >>> arrays = table_arrays(
    ...     np.ones((2, 3)),
    ...     cols,
    ...     ["scorer", "bodyparts", "coords"],
    ...     [np.array([0, 1])],
    ...     source_software="DeepLabCut",
    ... )
    >>> arrays["position"].shape, arrays["confidence"].shape
    ((2, 2, 1, 1), (2, 1, 1))
    """
    variables, _, _ = _table_parts(
        values,
        columns,
        column_names,
        index,
        source_software=source_software,
        path=path,
        row_values=None,
        owned=owned,
    )
    return {name: array for name, (_, array) in variables.items()}


def _table_parts(
    values: np.ndarray,
    columns: Sequence[tuple[str, ...]],
    column_names: Sequence[str | None],
    index: Sequence[np.ndarray],
    *,
    source_software: str,
    path: Path | None,
    row_values: dict[str, np.ndarray] | None,
    owned: bool,
) -> tuple[dict[str, tuple], dict[str, object], dict[str, object]]:
    """The variables (dims, array), coordinates and attributes of :func:`build_dataset`."""
    layout = _layout(columns, column_names, path)
    n_rows = values.shape[0]
    n_ind, n_kp, n_co = len(layout.individuals), len(layout.keypoints), len(layout.coords)
    pose_values = values if values.dtype == np.float64 else values.astype(np.float64)
    owned = owned or pose_values is not values
    if values.ndim != 2 or values.shape[1] != layout.flat.size:
        raise FormatError(
            path, f"has {layout.flat.size} bodypart columns but rows of {values.shape[1:]} values."
        )
    row_values = dict(row_values or {})
    missing = set(layout.row_columns) - set(row_values)
    if missing:
        raise FormatError(path, f"the values of the column(s) {sorted(missing)} were not read.")
    if layout.flat.size == n_ind * n_kp * n_co and np.array_equal(
        layout.flat, np.arange(layout.flat.size)
    ):
        data = pose_values if owned else pose_values.copy()
        data = data.reshape(n_rows, n_ind, n_kp, n_co)  # the full product: no scatter
    else:
        data = np.full((n_rows, n_ind * n_kp * n_co), np.nan)
        data[:, layout.flat] = pose_values
        data = data.reshape(n_rows, n_ind, n_kp, n_co)

    frames, image_paths, style = _time_index(index, n_rows, path)
    if frames.shape[0] != n_rows:
        raise FormatError(path, f"the row index has {frames.shape[0]} rows, the data {n_rows}.")
    order = None
    if n_rows > 1 and not np.all(np.diff(frames) > 0):
        order = np.argsort(frames, kind="stable")
        repeated = np.flatnonzero(np.diff(frames[order]) == 0)
        if repeated.size:
            first, again = sorted(order[repeated[0] : repeated[0] + 2].tolist())
            if path is None:  # a DataFrame: its rows, and how to number them
                problem = (
                    f"the DataFrame's row index repeats frame {int(frames[first])} (rows "
                    f"{first + 1} and {again + 1}, counting from 1); its index gives each "
                    "row's frame number, and each frame has one row. Pass "
                    "df.reset_index(drop=True) to number the rows 0, 1, 2, ... (pd.concat "
                    "of DataFrames keeps each one's index: pass ignore_index=True to it)."
                )
            else:
                problem = (
                    f"the row index repeats frame {int(frames[first])} (data rows {first + 1} "
                    f"and {again + 1}, counting from 1 after the header); each frame has one "
                    "row."
                )
            raise FormatError(path, problem)
        frames, data = frames[order], data[order]

    space = [c for c in ("x", "y", "z") if c in layout.coords]
    space_at = [layout.coords.index(c) for c in space]
    if space_at == list(range(len(space))):
        position = data[..., : len(space)].transpose(0, 3, 2, 1)
    else:
        position = data[..., space_at].transpose(0, 3, 2, 1)
    if "likelihood" in layout.coords:
        confidence = data[..., layout.coords.index("likelihood")].transpose(0, 2, 1)
        padded = confidence < 0  # DeepLabCut 3 pads missing animals with -1
        if padded.any():
            confidence[padded] = np.nan
            position_mask = np.broadcast_to(padded[:, None], position.shape)
            position[position_mask] = np.nan
    else:
        confidence = np.full((n_rows, n_kp, n_ind), np.nan)
    if "visible" in layout.coords:  # LightningPose: visible 0 = no point, whatever x, y say
        unseen = data[..., layout.coords.index("visible")].transpose(0, 2, 1) == 0
        if unseen.any():
            position = np.where(unseen[:, None], np.nan, position)

    dims3 = (model.TIME, model.KEYPOINT, model.INDIVIDUAL)
    variables: dict[str, tuple] = {
        "position": (model.POSES_DIMS, position),
        "confidence": (dims3, confidence),
    }
    for i, coord in enumerate(layout.coords):
        if coord not in CORE_COORDS:
            variables[extra_name(coord)] = (dims3, data[..., i].transpose(0, 2, 1))
    coords: dict[str, object] = {
        model.TIME: frames,
        model.SPACE: space,
        model.KEYPOINT: layout.keypoints,
        model.INDIVIDUAL: layout.individuals,
    }
    if image_paths is not None:
        coords[IMAGE_PATH] = (model.TIME, image_paths if order is None else image_paths[order])
    for name in layout.row_columns:
        column = np.asarray(row_values[name], dtype=object)
        text = np.where(pd.isna(column), "", column.astype(str)).astype(str)  # empty: not 'nan'
        coords[name] = (model.TIME, text if order is None else text[order])
    attrs: dict[str, object] = {
        "ds_type": model.POSES,
        "time_unit": "frames",
        "source_software": source_software,
    }
    if layout.scorer is not None:
        attrs["scorer"] = layout.scorer
    if SINGLE in layout.individuals and len(layout.individuals) > 1:
        attrs[UNIQUE_BODYPARTS] = names_to_attr(layout.unique)
    if style is not None:
        attrs[INDEX_STYLE] = style
    attrs[DLC_LAYOUT] = MULTI_ANIMAL if layout.individuals_level else SINGLE_ANIMAL
    return variables, coords, attrs
