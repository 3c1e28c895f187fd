"""Camera views stacked: one dataset with a ``view`` dim from one dataset per view."""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from posebridge import errors, model
from posebridge.combine.agree import (
    _unit_name,
    check_alike,
    check_count,
    one_fps,
    one_frame,
    one_session,
)
from posebridge.combine.row_lists import lists_no_row, united_rows
from posebridge.combine.timeline import (
    _on_frame_numbers,
    _on_one_clock,
    on_common_time,
    on_view_frames,
)
from posebridge.errors import PoseBridgeError, SchemaError, user_stacklevel
from posebridge.model import labels


def stack_views(
    datasets: Sequence[xr.Dataset], views: Sequence[str], sources: Sequence[str] | None = None
) -> xr.Dataset:
    """One dataset with a ``view`` dim from one dataset per camera view.

    Parameters
    ----------
    datasets
        Validated poses, bboxes or labels datasets with the same individuals,
        keypoints, space, time unit and fps (as :func:`merge_individuals`).
        Labelled frames of the views line up on the frame they are: a video's
        row on its frame number, an image's on the number in its name
        (``top/img26.png``, ``bot/img26.png`` and ``side_0026.png`` are one
        frame), or on its file name when that holds no number. The result keeps one ``video``
        and ``image_path`` per frame, the first view's that has it; the other
        views' are left out with a warning naming them.
    views
        The name of each view, in order.
    sources
        Names of the inputs (files), for messages.

    Returns
    -------
    xarray.Dataset
        ``position`` (time, space, keypoint, individual, view) and the other
        variables with a last ``view`` dim (``instance_score``: time,
        individual, view; boxes' ``position`` and ``shape``: time, space,
        individual, view); time is the union of the views' times (as
        :func:`merge_individuals`), NaN where a view has no row. Attributes
        come from the first view, those the views do not share left out;
        SLEAP's suggested frames (``sleap_suggestions``, rows that each name
        their video) list the rows of every view.

    Raises
    ------
    SchemaError
        When the views do not line up (kind, time unit, fps, names), their
        positions are not in one unit (``space_unit`` values that differ) or
        not in one frame (Anipose alignments, ``anipose_alignment_matrix`` /
        ``_center``, that differ; one stated alone is compared with Anipose's
        default for the other: :func:`posebridge.combine.agree.one_frame`), or
        labelled rows of a view cannot be lined up with the other views'
        rows: a video's row without a frame number, or two rows of one view
        that are one frame (several videos or sessions in one view). Views
        that state two session starts are stacked with a warning.

    Examples
    --------
    >>> import numpy as np, posebridge
    >>> a = posebridge.from_numpy(np.zeros((3, 2, 1, 1)))
    >>> stack_views([a, a], ["left", "right"])["position"].dims
    ('time', 'space', 'keypoint', 'individual', 'view')

    Labelled frames of two cameras line up on their frame numbers (the side
    camera's video is not kept, with a warning):

    >>> from posebridge import labels
    >>> top = labels.from_numpy(np.ones((2, 2, 1, 1)), video=["top.mp4"] * 2, frame=[0, 5])
    >>> side = labels.from_numpy(np.ones((2, 2, 1, 1)), video=["side.mp4"] * 2, frame=[5, 9])
    >>> both = stack_views([top, side], ["top", "side"])
    >>> both["frame"].values.tolist()
    [0, 5, 9]
    >>> both["position"].isel(space=0, keypoint=0, individual=0).values
    array([[ 1., nan],
           [ 1.,  1.],
           [nan,  1.]])
    """
    check_count(datasets, sources)
    datasets = [model.validate(ds) for ds in datasets]
    if isinstance(views, str | bytes) or not isinstance(views, Iterable):
        raise errors.TypeError(f"Expected 'views' to be a list of view names, got {views!r}.")
    views = model.name_texts(views, "views")  # None, bytes, bools refused, not made text
    if len(views) != len(datasets):
        raise PoseBridgeError(
            f"{len(views)} view name(s) were given for {len(datasets)} datasets; give one per "
            "dataset."
        )
    if len(set(views)) != len(views):
        raise SchemaError(f"view names repeat: {views}.")
    for index, ds in enumerate(datasets):
        if model.VIEW in ds.dims:
            where = str(sources[index]) if sources else f"dataset {index}"
            held = [str(v) for v in ds[model.VIEW].values] if model.VIEW in ds.coords else []
            raise SchemaError(
                f"{where} (view {views[index]!r}) already has camera views "
                f"({', '.join(held) or ds.sizes[model.VIEW]}); stack datasets of one camera "
                "each, e.g. ds.sel(view=name) of each view, or use it as it is."
            )
        if model.VIEW in ds.coords:  # a scalar view: ds.sel(view=name) of a stacked one
            seen = str(ds[model.VIEW].values)
            if seen != views[index]:
                where = str(sources[index]) if sources else f"dataset {index}"
                raise SchemaError(
                    f"{where} is of camera view {seen!r} (its view coordinate) but is "
                    f"stacked as view {views[index]!r}; give it its own view's name, or drop "
                    "the old one first (ds.drop_vars('view')) if the name is wrong."
                )
    datasets = [ds.drop_vars(model.VIEW, errors="ignore") for ds in datasets]
    keep = (model.SPACE, model.KEYPOINT, model.INDIVIDUAL)
    check_alike(datasets, sources, keep)
    one_frame(datasets, sources, views)
    one_session(datasets, sources)
    datasets = one_fps(datasets, sources)
    if labels.is_labels(datasets[0]):
        keyed = on_view_frames(datasets, views, sources)
        aligned = on_common_time(keyed, keep, sources)
        _warn_view_paths_not_kept(keyed, aligned, views)
    else:
        if all(ds.attrs.get("time_unit") == "frames" for ds in datasets):
            # box tracks counting time from their own first frame (VIA): on frame numbers
            datasets = _on_frame_numbers(datasets)
        _refuse_other_frame_numbers(datasets, views, sources)
        aligned = on_common_time(datasets, keep, sources)
    # every view's variables along time, also those the first view lacks (NaN in the
    # views without them), so that none is claimed for a view that does not have it
    along_time = list(
        dict.fromkeys(
            name for ds in aligned for name in ds.data_vars if model.TIME in ds[name].dims
        )
    )
    aligned = _every_variable(aligned, along_time)
    stacked = xr.concat(
        aligned,
        dim=xr.DataArray(views, dims=model.VIEW, name=model.VIEW),
        data_vars=along_time,
        coords="minimal",
        compat="override",
        join="exact",
        combine_attrs="override",
    )
    # the first view's facts that another view does not share (its video, its file) are
    # not the dataset's: left out, the sources named together
    for key in list(stacked.attrs):
        if any(not _same_value(ds.attrs.get(key), stacked.attrs[key]) for ds in datasets[1:]):
            del stacked.attrs[key]
    units = [ds.attrs.get("space_unit") for ds in datasets]
    if "space_unit" not in stacked.attrs and None not in units:
        # spellings of one unit (one_frame refused others): one name for all views
        stacked.attrs["space_unit"] = _unit_name(units[0])
    _unite_view_rows(datasets, views, stacked)
    _warn_view_videos_not_kept(datasets, views, stacked)
    if sources:
        stacked.attrs["source_file"] = ", ".join(map(str, sources))
    # concat puts the new dim first; every variable gets it last, as position has it
    return model.validate(stacked.transpose(..., model.VIEW))


def _every_variable(aligned: Sequence[xr.Dataset], names: Sequence[str]) -> list[xr.Dataset]:
    """Give each view the variables ``names`` it lacks: NaN (as float) throughout, ``''``
    for text."""
    out = []
    for ds in aligned:
        missing = {}
        for name in names:
            if name not in ds.data_vars:
                holder = next(other[name] for other in aligned if name in other.data_vars)
                text = holder.dtype.kind in "OSU"
                dtype = holder.dtype if text else np.result_type(holder.dtype, np.float64)
                fill = "" if text else np.nan
                missing[name] = xr.full_like(holder, fill, dtype=dtype).reset_coords(drop=True)
        out.append(ds.assign(missing) if missing else ds)
    return out


def _refuse_other_frame_numbers(
    datasets: Sequence[xr.Dataset], views: Sequence[str], sources: Sequence[str] | None
) -> None:
    """Refuse camera views that give one time different frame numbers.

    The stacked dataset holds one ``frame`` per time, so a view whose video numbers
    its frames otherwise (a camera started earlier) would be written alone
    (``ds.sel(view=name)``) on another camera's frame numbers.
    """
    clocked = _on_one_clock(datasets)
    held = [i for i, ds in enumerate(clocked) if model.FRAME in ds.coords]
    if len(held) < 2:
        return
    table = pd.DataFrame(
        {
            "time": np.concatenate([np.asarray(clocked[i][model.TIME].values) for i in held]),
            "frame": np.concatenate([np.asarray(clocked[i][model.FRAME].values) for i in held]),
            "view": np.repeat(held, [clocked[i].sizes[model.TIME] for i in held]),
        }
    ).dropna(subset=["frame"])
    firsts = table.drop_duplicates("time").set_index("time")
    differ = table[table["frame"].to_numpy() != firsts.loc[table["time"], "frame"].to_numpy()]
    if differ.empty:
        return
    row = differ.iloc[0]
    first = firsts.loc[row["time"]]

    def named(index: int) -> str:
        return f"view {views[index]!r}" + (f" ({sources[index]})" if sources else "")

    raise SchemaError(
        f"{named(int(row['view']))} numbers its frame at time {row['time']!s} "
        f"{row['frame']:g} but {named(int(first['view']))} numbers it {first['frame']:g} "
        f"({differ['time'].nunique()} time(s) differ): the stacked dataset holds one frame "
        "number per time, so a view written alone would carry another camera's frame "
        "numbers. Give the views one numbering (ds.assign_coords(frame=...)), or stack "
        "them without frame numbers (ds.drop_vars('frame') of every view) to line them up "
        "on time alone. VIA box tracks read with fps= count time from each file's first "
        "frame: read them without fps= to line them up on their frame numbers."
    )


def _warn_view_paths_not_kept(
    keyed: Sequence[xr.Dataset], aligned: Sequence[xr.Dataset], views: Sequence[str]
) -> None:
    """Warn naming the views' videos and images the stacked labels do not keep.

    The model holds one ``video`` and ``image_path`` per labelled frame, not one
    per view: the stacked dataset keeps the first view's that has the frame.
    """

    def paths(ds: xr.Dataset) -> np.ndarray:  # a row's image, else its video
        image = np.asarray(ds[labels.IMAGE_PATH].values).astype(str)
        return np.where(image != "", image, np.asarray(ds[labels.VIDEO].values).astype(str))

    kept = paths(aligned[0])
    lost = []
    for index, ds in enumerate(keyed):
        mine = paths(ds)
        differ = np.flatnonzero(mine != kept[np.asarray(ds[model.TIME].values)])
        if differ.size:
            shown = list(dict.fromkeys(mine[differ].tolist()))
            more = f" and {len(shown) - 2} more" if len(shown) > 2 else ""
            lost.append(
                f"view {views[index]!r}: {', '.join(map(repr, shown[:2]))}{more} "
                f"({differ.size} frame(s))"
            )
    if lost:
        warnings.warn(
            "the stacked labels hold one video and image per labelled frame, the first "
            f"view's that has the frame; not kept: {'; '.join(lost)}. Read a view's "
            "file on its own for its videos and images.",
            UserWarning,
            stacklevel=user_stacklevel(),
        )


def _unite_view_rows(
    datasets: Sequence[xr.Dataset], views: Sequence[str], stacked: xr.Dataset
) -> None:
    """Give ``stacked`` the union of the views' :data:`posebridge.model.ROW_LIST`
    attributes where they differ; when a view's rows do not each name their video (so
    that a row would not say which camera it is of), leave the attribute out and warn
    naming it."""
    for key in model.ROW_LIST_ATTRS:
        held = [ds.attrs.get(key) for ds in datasets]
        if key in stacked.attrs or all(value is None for value in held):
            continue  # the same in every view (kept), or in none
        if united := united_rows(datasets, key, each_names_its_video=True):
            stacked.attrs[key] = united
            continue
        if all(lists_no_row(value) for value in held):
            continue  # empty lists: nothing is left out
        holders = [view for view, value in zip(views, held, strict=True) if value is not None]
        warnings.warn(
            f"the camera views' {key} differ and not every row of them is a JSON object "
            f"naming its video, so the stacked dataset could not tell which view a row is "
            f"of: {key} (of views "
            f"{', '.join(map(repr, holders))}) is left out. Keep each view's dataset (or its "
            "file) for it.",
            UserWarning,
            stacklevel=user_stacklevel(),
        )


def _warn_view_videos_not_kept(
    datasets: Sequence[xr.Dataset], views: Sequence[str], stacked: xr.Dataset
) -> None:
    """Warn naming each view's video (``attrs["video_path"]``) when the views' differ: the
    stacked dataset holds one ``video_path``, so it keeps none of them."""
    videos = [ds.attrs.get("video_path") for ds in datasets]
    if "video_path" in stacked.attrs or all(video is None for video in videos):
        return
    named = [f"{view!r}: {video!r}" for view, video in zip(views, videos, strict=True) if video]
    warnings.warn(
        f"the camera views name different videos ({', '.join(named)}); the stacked dataset "
        "holds one video_path, so it keeps none of them. Keep each view's dataset (or its "
        "file) for its video.",
        UserWarning,
        stacklevel=user_stacklevel(),
    )


def _same_value(one: Any, other: Any) -> bool:
    """Whether two attribute values are equal (arrays too; NaN equals NaN, so that an
    alignment holding NaN that every view states is kept)."""
    try:
        return bool(np.array_equal(np.asarray(one), np.asarray(other), equal_nan=True))
    except (TypeError, ValueError):
        pass  # not numbers (text): NaN does not arise
    try:
        return bool(np.array_equal(np.asarray(one), np.asarray(other)))
    except (TypeError, ValueError):
        return one == other
