"""Laying out DeepLabCut tables to write: tables per file, row index, DataFrames, .h5.

Predictions are written as DeepLabCut's video analysis writes them (.h5 =
pandas ``table`` under ``df_with_missing``). Labelled frames (a labels dataset,
see :mod:`posebridge.labels`) are written as ``CollectedData`` files are:

- rows indexed by image path, in the dataset's order: one ``labeled-data/<video>/
  <image>`` column (``dlc_index_style == "path"``) or the three index levels
  DeepLabCut >= 2.3 writes (``"levels"``, the default for DeepLabCut;
  LightningPose writes one column). A labelled frame without an image (a SLEAP
  or NWB frame of a video) is named as DeepLabCut's frame extraction names its
  images: ``labeled-data/<video file stem>/img<frame, zero-padded>.png``;
- x and y only (no likelihood, whatever ``confidence`` holds); points whose
  ``visible`` flag is below 2 are left out (NaN); LightningPose keeps the
  ``visible`` flags as its ``visible`` coord; SLEAP's ``predicted_*`` are not
  written;
- .h5 in pandas ``fixed`` format, as DeepLabCut and napari-deeplabcut write it.
"""

from __future__ import annotations

import os
import posixpath
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from posebridge import model
from posebridge.errors import SchemaError
from posebridge.formats import _dlc_table
from posebridge.model import labels

_H5_CHUNK_CELLS = 1 << 21  # numbers per appended block (16 MB)


def _video_stem(video: str) -> str:
    name = posixpath.basename(video.rstrip("/")) or labels.UNKNOWN_VIDEO
    stem, dot, _ = name.rpartition(".")
    return stem if dot and stem else name


def image_names(ds: xr.Dataset) -> np.ndarray:
    """Every labelled frame's image path, DeepLabCut names for frames without one."""
    images = np.asarray(ds[labels.IMAGE_PATH].values).astype(object)
    missing = images == ""
    if not missing.any():
        return images.astype(str)
    videos = np.asarray(ds[labels.VIDEO].values).astype(str)
    frames = np.asarray(ds[labels.FRAME].values).astype(np.int64)
    for video in dict.fromkeys(videos[missing].tolist()):  # a loop over videos
        rows = missing & (videos == video)
        numbers = frames[rows]
        if (numbers < 0).any():
            raise SchemaError(
                f"Video {video!r} has labelled frames with neither an image nor a frame "
                "number; DeepLabCut indexes labels by image."
            )
        width = len(str(int(numbers.max())))
        folder = f"labeled-data/{_video_stem(video)}/img"
        padded = np.char.zfill(numbers.astype(str), width)
        images[rows] = np.char.add(np.char.add(folder, padded), ".png")
    return images.astype(str)


def prepare_labels(ds: xr.Dataset, *, lightning_pose: bool) -> xr.Dataset:
    """A labels dataset as the DeepLabCut table writer takes it (see the module doc)."""
    out = ds.assign_coords({_dlc_table.IMAGE_PATH: (model.TIME, image_names(ds))})
    out = out.drop_vars(
        [n for n in (*labels.PREDICTED, "confidence") if n in out.variables]
        + [n for n in (labels.VIDEO, labels.FRAME) if n in out.coords]
    )
    if not lightning_pose and labels.VISIBLE in out:
        hidden = ~labels.point_flags(ds)  # flags below 2: not a DeepLabCut label
        out["position"] = out["position"].where(
            xr.DataArray(~hidden, dims=(model.TIME, model.KEYPOINT, model.INDIVIDUAL))
        )
        out = out.drop_vars(labels.VISIBLE)
    style = out.attrs.get(_dlc_table.INDEX_STYLE)
    if style not in ("path", "levels"):
        out.attrs[_dlc_table.INDEX_STYLE] = "path" if lightning_pose else "levels"
        if not lightning_pose:  # fewer than 3 parts cannot be levels: one column, quietly
            parts = np.char.count(np.asarray(out[_dlc_table.IMAGE_PATH].values), "/")
            if parts.size and parts.min() < 2:
                out.attrs[_dlc_table.INDEX_STYLE] = "path"
    return out


def has_likelihood(ds: xr.Dataset) -> bool:
    """Write a likelihood coord? Always for 2D predictions; labels never; 3D when known."""
    if labels.is_labels(ds) or "confidence" not in ds:
        return False
    if ds.sizes[model.SPACE] == 2 and _dlc_table.IMAGE_PATH not in ds.coords:
        return True
    return not bool(np.isnan(ds["confidence"].values).all())


def tables(
    ds: xr.Dataset, path: Path, split: bool, scorer: str
) -> list[tuple[Path, _dlc_table.ColumnPlan]]:
    """The files to write and the columns of each (one per individual when ``split``)."""
    names = [str(v) for v in ds[model.INDIVIDUAL].values]
    likelihood = has_likelihood(ds)
    if not split:
        four = len(names) > 1 or _dlc_table.SINGLE in names
        plan = _dlc_table.plan_columns(
            ds, range(len(names)), scorer=scorer, four_levels=four, likelihood=likelihood
        )
        return [(path, plan)]
    out = []
    for i, name in enumerate(names):
        safe = name.replace(os.sep, "_").replace("/", "_")
        target = path.with_name(f"{path.stem}_{safe}{path.suffix}")
        plan = _dlc_table.plan_columns(
            ds, [i], scorer=scorer, four_levels=False, likelihood=likelihood
        )
        out.append((target, plan))
    return out


def frame(
    plan: _dlc_table.ColumnPlan,
    style: str,
    index: list[np.ndarray],
    rows: slice = slice(None),
) -> pd.DataFrame:
    """The DataFrame of ``plan`` for the time steps ``rows``."""
    if style == "levels":
        row_index: pd.Index = pd.MultiIndex.from_arrays(
            [level[rows].astype(object) for level in index]
        )
    elif style == "path":
        row_index = pd.Index(index[0][rows].astype(object))
    else:
        row_index = pd.Index(index[0][rows].astype(np.int64))
    columns = pd.MultiIndex.from_tuples(plan.labels, names=list(plan.level_names))
    values = _dlc_table.fill_values(plan, rows)
    return pd.DataFrame(values, index=row_index, columns=columns, copy=False)


def set_label(plan: _dlc_table.ColumnPlan) -> tuple[str, ...]:
    """The column label of LightningPose's ``set`` column."""
    return (_dlc_table.SET_COLUMN, *[""] * (len(plan.level_names) - 1))


def write_h5(
    target: Path,
    plan: _dlc_table.ColumnPlan,
    style: str,
    index: list[np.ndarray],
    data_split: np.ndarray | None,
    *,
    fixed: bool = False,
) -> None:
    """Write one table to an .h5 file (``fixed`` for labels and (folder, video, image) rows)."""
    key = "df_with_missing"
    if fixed or style == "levels":  # pandas cannot store row + column MultiIndex as a table
        df = frame(plan, style, index)
        if data_split is not None:
            df[set_label(plan)] = data_split.astype(object)
        df.to_hdf(target, key=key, mode="w", format="fixed")
        return
    if style == "path" or data_split is not None:  # small, strings sized at once
        df = frame(plan, style, index)
        if data_split is not None:
            df[set_label(plan)] = data_split.astype(object)
        df.to_hdf(target, key=key, mode="w", format="table", index=False)
        return
    n_rows = index[0].shape[0]
    step = max(1, _H5_CHUNK_CELLS // max(1, len(plan.labels)))
    with pd.HDFStore(target, mode="w") as store:
        for start in range(0, max(n_rows, 1), step):
            rows = slice(start, min(start + step, n_rows))
            store.append(key, frame(plan, style, index, rows), index=False, expectedrows=n_rows)
