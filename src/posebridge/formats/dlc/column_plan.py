"""The columns of a DeepLabCut / LightningPose table to write, planned from a dataset.

:func:`plan_columns` decides the column labels (scorer, [individual], bodypart,
coord) of one table in the rules of :mod:`posebridge.formats.dlc.layout` (which
reads such tables), :func:`fill_values` gives the numbers of a range of rows,
and :func:`index_for_writing` the row index (frame numbers or image paths). The
.h5 and .csv writers only move bytes.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import xarray as xr

from posebridge import model
from posebridge.errors import FPS_ADVICE, SchemaError, user_stacklevel
from posebridge.formats._shared.lazy import is_dask
from posebridge.formats._shared.text_attrs import names_from_attr
from posebridge.formats.dlc.layout import (
    DATA_SPLIT,
    IMAGE_PATH,
    INDEX_STYLE,
    LEVELS_3,
    LEVELS_4,
    SINGLE,
    UNIQUE_BODYPARTS,
    coord_of,
)

__all__ = ["ColumnPlan", "fill_values", "index_for_writing", "plan_columns"]


@dataclass
class ColumnPlan:
    """The columns of one DeepLabCut table to write.

    Attributes
    ----------
    labels
        One tuple per column: (scorer, [individual], bodypart, coord).
    level_names
        ``LEVELS_3`` or ``LEVELS_4``.
    source
        Per column, the flat index into the (individual, keypoint, coord)
        stack built by :func:`fill_values`.
    coords
        The coords stacked: ``x``, ``y`` (, ``z``) (, ``likelihood``), extras.
    variables
        The dataset variables holding the extra coords, in order.
    data_split
        Whether a trailing ``set`` column is written.
    arrays
        The dataset's arrays the columns are taken from.
    """

    labels: list[tuple[str, ...]]
    level_names: tuple[str, ...]
    source: np.ndarray
    coords: list[str]
    variables: list[str]
    data_split: bool
    arrays: list[np.ndarray]  # position (t, space, kp, ind), then (t, kp, ind) each


def extra_variables(ds: xr.Dataset) -> list[str]:
    """The per-keypoint variables written as extra coords columns (beyond x, y, likelihood).

    Examples
    --------
    >>> import numpy as np
    >>> from posebridge.model import from_numpy
    >>> ds = from_numpy(np.zeros((2, 3, 1, 1)))
    >>> ds["reprojection_error"] = ds["confidence"]
    >>> extra_variables(ds)
    ['reprojection_error']
    """
    wanted = {model.TIME, model.KEYPOINT, model.INDIVIDUAL}
    return [
        str(name)
        for name, var in ds.data_vars.items()
        if name not in ("position", "confidence")
        and set(var.dims) == wanted
        and var.dtype.kind in "fiub"
    ]


def _all_nan(ds: xr.Dataset, names: Sequence[str]) -> np.ndarray:
    """(keypoint, individual) booleans: True where every listed variable is NaN throughout."""
    empty = np.ones((ds.sizes[model.KEYPOINT], ds.sizes[model.INDIVIDUAL]), dtype=bool)
    for name in names:
        var = model.confidence_per_keypoint(ds) if name == "confidence" else ds[name]
        other = [d for d in var.dims if d not in (model.KEYPOINT, model.INDIVIDUAL)]
        if is_dask(var.data):  # a streamed dataset: reduced chunk by chunk
            nowhere = var.isnull().all(dim=other).transpose(model.KEYPOINT, model.INDIVIDUAL)
            empty &= np.asarray(nowhere.values, dtype=bool)
            continue
        isnan = np.isnan(var.transpose(*other, model.KEYPOINT, model.INDIVIDUAL).values)
        empty &= isnan.reshape(-1, *empty.shape).all(axis=0)
    return empty


def _recorded_unique(ds: xr.Dataset) -> set[str] | None:
    """The unique bodyparts the source file gave ``single`` (``None`` when not recorded, or
    when the record is not a JSON list of names)."""
    names = names_from_attr(ds, UNIQUE_BODYPARTS)
    return None if names is None else set(names)


def _keypoints_per_individual(ds: xr.Dataset, variables: Sequence[str]) -> list[list[int]]:
    """DeepLabCut's column set: the ``single`` individual holds only the unique bodyparts.

    A bodypart recorded as unique (``dlc_unique_bodyparts``) that some animal
    holds data for is written under the animals too: the data decide, so no
    animal's points are dropped.
    """
    individuals = [str(v) for v in ds[model.INDIVIDUAL].values]
    n_kp = ds.sizes[model.KEYPOINT]
    everything = list(range(n_kp))
    if SINGLE not in individuals or len(individuals) == 1:
        return [everything for _ in individuals]
    empty = _all_nan(ds, ["position", "confidence", *variables])
    single = individuals.index(SINGLE)
    keypoints = [str(k) for k in ds[model.KEYPOINT].values]
    others = [i for i in range(len(individuals)) if i != single]
    nobody_else = empty[:, others].all(axis=1)
    recorded = _recorded_unique(ds)
    if recorded is not None:  # the file's own split, kept from reading it, unless animals
        # now hold data for a bodypart recorded as unique (then the animals get it too)
        unique = {k for k, name in enumerate(keypoints) if name in recorded and nobody_else[k]}
    else:  # guessed: the trailing bodyparts no animal has data for
        suffix_start = n_kp
        while suffix_start > 0 and nobody_else[suffix_start - 1]:
            suffix_start -= 1
        unique = set(range(suffix_start, n_kp))
    for_single = [k for k in everything if k in unique or not empty[k, single]]
    if not for_single:
        for_single = everything
    shared = [k for k in everything if k not in unique]
    return [for_single if i == single else shared or everything for i in range(len(individuals))]


def plan_columns(
    ds: xr.Dataset,
    individuals: Sequence[int],
    *,
    scorer: str,
    four_levels: bool,
    likelihood: bool,
    with_arrays: bool = True,
) -> ColumnPlan:
    """Plan the columns of a table holding ``individuals`` (positions in ``ds``).

    Parameters
    ----------
    ds
        A validated poses dataset.
    individuals
        Positions along ``individual`` to write, in order.
    scorer
        The scorer written in the first column level.
    four_levels
        Whether to write the ``individuals`` level.
    likelihood
        Whether to write a ``likelihood`` coord.
    with_arrays
        Take the dataset's arrays into the plan; ``False`` for a streamed
        dataset, whose arrays are taken chunk by chunk (:func:`plan_arrays`).

    Returns
    -------
    ColumnPlan
        Labels and where each column's numbers come from.

    Examples
    --------
    >>> import numpy as np
    >>> from posebridge.model import from_numpy
    >>> plan = plan_columns(
    ...     from_numpy(np.zeros((2, 2, 1, 1))),
    ...     [0],
    ...     scorer="me",
    ...     four_levels=False,
    ...     likelihood=True,
    ... )
    >>> plan.labels
    [('me', 'keypoint_0', 'x'), ('me', 'keypoint_0', 'y'), ('me', 'keypoint_0', 'likelihood')]
    """
    variables = extra_variables(ds)
    space = [str(s) for s in ds[model.SPACE].values]
    coords = [*space, *(["likelihood"] if likelihood else []), *map(coord_of, variables)]
    names = [str(v) for v in ds[model.INDIVIDUAL].values]
    keypoints = [str(v) for v in ds[model.KEYPOINT].values]
    per_individual = _keypoints_per_individual(ds, variables)
    n_kp, n_co = len(keypoints), len(coords)
    labels: list[tuple[str, ...]] = []
    source: list[int] = []
    for i in individuals:
        for k in per_individual[i]:
            for c, coord in enumerate(coords):
                head = (scorer, names[i]) if four_levels else (scorer,)
                labels.append((*head, keypoints[k], coord))
                source.append((i * n_kp + k) * n_co + c)
    plan = ColumnPlan(
        labels=labels,
        level_names=LEVELS_4 if four_levels else LEVELS_3,
        source=np.asarray(source, dtype=np.intp),
        coords=coords,
        variables=variables,
        data_split=DATA_SPLIT in ds.coords,
        arrays=[],
    )
    if with_arrays:
        plan.arrays = plan_arrays(plan, ds)
    return plan


def plan_arrays(plan: ColumnPlan, ds: xr.Dataset) -> list[np.ndarray]:
    """The arrays of ``ds`` (or of a chunk of its time steps) the plan's columns come from.

    Examples
    --------
    >>> import numpy as np
    >>> from posebridge.model import from_numpy
    >>> ds = from_numpy(np.zeros((2, 2, 1, 1)))
    >>> plan = plan_columns(ds, [0], scorer="me", four_levels=False, likelihood=True)
    >>> [a.shape for a in plan_arrays(plan, ds.isel(time=slice(0, 1)))]
    [(1, 2, 1, 1), (1, 1, 1)]
    """
    dims3 = (model.TIME, model.KEYPOINT, model.INDIVIDUAL)
    arrays = [ds["position"].values]
    if len(plan.coords) > ds.sizes[model.SPACE] + len(plan.variables):  # a likelihood column
        arrays.append(model.confidence_per_keypoint(ds).values)
    arrays.extend(ds[name].transpose(*dims3).values for name in plan.variables)
    return arrays


def fill_values(plan: ColumnPlan, rows: slice = slice(None)) -> np.ndarray:
    """The float64 (rows, columns) numbers of ``plan`` for the time steps ``rows``.

    Parameters
    ----------
    plan
        From :func:`plan_columns`.
    rows
        Which time steps.

    Returns
    -------
    numpy.ndarray
        One column per label of the plan.

    Examples
    --------
    >>> import numpy as np
    >>> from posebridge.model import from_numpy
    >>> ds = from_numpy(np.arange(4.0).reshape(1, 2, 2, 1))
    >>> plan = plan_columns(ds, [0], scorer="me", four_levels=False, likelihood=False)
    >>> fill_values(plan, slice(None)).tolist()
    [[0.0, 2.0, 1.0, 3.0]]
    """
    position = plan.arrays[0][rows]  # (t, space, kp, ind)
    n_t, n_space, n_kp, n_ind = position.shape
    stack = np.empty((n_t, n_ind, n_kp, len(plan.coords)), dtype=np.float64)
    stack[..., :n_space] = position.transpose(0, 3, 2, 1)
    for at, array in enumerate(plan.arrays[1:], start=n_space):
        stack[..., at] = array[rows].transpose(0, 2, 1)
    return stack.reshape(n_t, -1)[:, plan.source]


def absolute_paths(paths: np.ndarray) -> np.ndarray:
    """Which paths (``/`` separators) are absolute: ``/...`` or a drive, ``C:/...``.

    Examples
    --------
    >>> absolute_paths(np.array(["/a/b.png", "C:/a.png", "a/b.png", "c:b.png"])).tolist()
    [True, True, False, False]
    """
    text = np.asarray(paths).astype(str)
    drive = (np.strings.str_len(text) > 2) & (np.strings.find(text, ":/") == 1)
    return np.strings.startswith(text, "/") | drive


def index_for_writing(
    ds: xr.Dataset,
    target: object = "the DataFrame",
    *,
    title: str = "DeepLabCut",
    number_rows: bool = False,
    warned: object = None,
) -> tuple[str, list[np.ndarray]]:
    """The row index to write: frame numbers, image paths or (folder, video, image).

    Labelled data (an ``image_path`` coordinate) is indexed by image, in the
    style the source used (``dlc_index_style``); predictions by frame number.
    Time in seconds without fps or a ``frame`` coordinate has no frame numbers:
    refused (they would be made up and the times lost), unless ``number_rows``.
    Negative frame numbers are refused, as SLEAP's writers do: a video has no
    frame before 0 (with ``number_rows``, rows are numbered 0..n-1 instead, as
    movement writes them).

    Parameters
    ----------
    ds : xarray.Dataset
        A validated poses dataset.
    target : object
        The file (or object) written, for the messages.
    title : str
        The format's name, for the messages.
    number_rows : bool
        Number the rows 0..n-1 (with a warning) when the frame numbers are
        unknown or negative, as movement's writers do, instead of refusing.
    warned : object
        The file(s) the warnings name (default ``target``): the files of a split
        write, while a refusal names ``target`` alone.

    Returns
    -------
    tuple of (str, list of numpy.ndarray)
        The style and one array per index column.

    Raises
    ------
    SchemaError
        When the frame numbers are unknown or negative (and not ``number_rows``).

    Examples
    --------
    >>> import numpy as np
    >>> from posebridge.model import from_numpy
    >>> index_for_writing(from_numpy(np.zeros((2, 2, 1, 1))))[1][0].tolist()
    [0, 1]
    """
    if IMAGE_PATH in ds.coords:
        paths = np.asarray(ds[IMAGE_PATH].values).astype(str)
        if ds.attrs.get(INDEX_STYLE) == "levels":
            if (np.strings.count(paths, "/") >= 2).all():  # folder / video (may hold /) / image
                folder, _, rest = np.strings.partition(paths, "/")
                video, _, image = np.strings.rpartition(rest, "/")
                if ((folder != "") & (video != "") & (image != "")).all():
                    return "levels", [folder, video, image]
            warnings.warn(
                "Some image paths have fewer than 3 parts (folder/video/image) or are "
                "absolute; writing them as one path column.",
                UserWarning,
                stacklevel=user_stacklevel(),
            )
        return "path", [paths]
    frames = model.distinct_frame_numbers(ds, title)
    warned = target if warned is None else warned
    if frames is None and number_rows:
        warnings.warn(
            f"{warned}: the dataset's time is in seconds with no fps or frame numbers; "
            "writing rows numbered 0..n-1 (the times are not kept).",
            UserWarning,
            stacklevel=user_stacklevel(),
        )
        return "frames", [np.arange(ds.sizes[model.TIME], dtype=np.int64)]
    if frames is None:
        raise SchemaError(
            f"{target}: {title} files index rows by video frame number, but this dataset has "
            "time in seconds without fps or a 'frame' coordinate: the frames would be made "
            f"up and the times lost. {FPS_ADVICE} Or write a format that keeps times (NWB, "
            "netCDF)."
        )
    if frames.size and frames.min() < 0 and number_rows:
        warnings.warn(
            f"{warned}: the dataset has frame {int(frames.min())}, before a video's first "
            "frame 0; writing rows numbered 0..n-1, as movement does (the times are not "
            "kept).",
            UserWarning,
            stacklevel=user_stacklevel(),
        )
        return "frames", [np.arange(ds.sizes[model.TIME], dtype=np.int64)]
    if frames.size and frames.min() < 0:
        raise SchemaError(
            f"{target}: {title} rows are video frame numbers from 0, but this dataset has "
            f"frame {int(frames.min())} (a video has no frame before 0). Shift the time (and "
            "any 'frame' coordinate) to start at frame 0 first, or write a format that keeps "
            "it (NWB, netCDF)."
        )
    return "frames", [frames]


#: The texts pandas' ``read_csv`` takes for a missing value when they are a cell's whole
#: text (its default ``na_values``, pandas 2 and 3): an index cell holding one reads back
#: as NaN, which DeepLabCut (and posebridge) cannot take as an image's folder or name.
PANDAS_MISSING_WORDS = (
    "", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND",
    "1.#QNAN", "<NA>", "N/A", "NA", "NULL", "NaN", "None", "n/a", "nan", "null",
)  # fmt: skip


def refuse_missing_words(style: str, index: list[np.ndarray], title: str) -> None:
    """Refuse image index cells that pandas (and so DeepLabCut) reads back as missing.

    Parameters
    ----------
    style
        The index style, as :func:`index_for_writing` returns it.
    index
        The index columns to write (one per level).
    title
        The format's name for the message.

    Raises
    ------
    SchemaError
        Naming the cell's text, its level, the image path of its row and what to do.

    Examples
    --------
    >>> paths = np.array(["labeled-data/v/img1.png", "labeled-data/NA/img2.png"])
    >>> folder, video, image = (np.array(p) for p in zip(*np.char.split(paths, "/")))
    >>> refuse_missing_words("levels", [folder, video, image], "DeepLabCut")
    Traceback (most recent call last):
    ...
    posebridge.errors.SchemaError: The image index cell 'NA' (video folder level) of ...
    """
    if style == "frames":
        return
    levels = ("folder", "video folder", "image file name") if style == "levels" else ["image path"]
    for level, cells in zip(levels, index, strict=True):
        missing = np.isin(np.asarray(cells).astype(str), PANDAS_MISSING_WORDS)
        if not missing.any():
            continue
        row = int(np.argmax(missing))
        path = "/".join(str(column[row]) for column in index)
        raise SchemaError(
            f"The image index cell {str(cells[row])!r} ({level} level) of image "
            f"{path!r} ({int(missing.sum())} row(s) in all) is a word pandas reads as a "
            f"missing value, so {title} (and posebridge) would read the file back with no "
            "image there; nothing was written. Rename the video or the image path, e.g. "
            "ds.assign_coords(image_path=...) or ds.assign_coords(video=...)."
        )


def check_writable(ds: xr.Dataset) -> None:
    """Refuse datasets DeepLabCut tables cannot hold (bounding boxes)."""
    if ds.attrs.get("ds_type") != model.POSES:
        raise SchemaError(
            "DeepLabCut and LightningPose files hold poses; this dataset holds "
            f"{ds.attrs.get('ds_type')}."
        )
