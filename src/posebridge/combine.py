"""Putting several datasets together: individuals side by side, or camera views.

Used by :func:`posebridge.load` when given a list of files (one per individual,
as the NWB writer makes them) and by
:func:`posebridge.io.load.load_multiview_dataset` (one file per camera view).
Both line the datasets up on time: the result's time is the union of the
inputs' times, with NaN where an input has no row. Times in seconds closer
than a millionth of a frame (:data:`TIME_RTOL`, :data:`TIME_ULPS`) are one
time. The inputs share one frame rate: two stated rates must agree (within
:data:`FPS_RTOL`), and an input in frames that states none takes the others'.
Labelled frames line up on the frame they are, not on their row number: side
by side, on their image, else their video and frame number; as camera views
(each with its own videos and images), on their frame number, read from the
image's name for images (``session_top/img26.png`` is ``session_bot/img26.png``'s
frame), or on the image's file name when it holds no number.
"""

from __future__ import annotations

import json
import posixpath
import warnings
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from posebridge import errors, model
from posebridge.errors import PoseBridgeError, SchemaError, user_stacklevel
from posebridge.model import labels

__all__ = ["merge_individuals", "stack_views"]


def _check_count(datasets: Sequence[xr.Dataset], sources: Sequence[str] | None) -> None:
    """Refuse no datasets, and names of the inputs that are not one per dataset."""
    if len(datasets) == 0:
        raise PoseBridgeError("no datasets were given to put together.")
    if sources is not None and len(sources) != len(datasets):
        raise PoseBridgeError(
            f"{len(sources)} source name(s) were given for {len(datasets)} datasets; give one "
            "per dataset."
        )


def _where(sources: Sequence[str] | None, i: int) -> str:
    return f"{sources[i]}" if sources else f"dataset {i}"


def _check_alike(
    datasets: Sequence[xr.Dataset], sources: Sequence[str] | None, same: tuple[str, ...]
) -> None:
    first = datasets[0]
    for i, ds in enumerate(datasets[1:], start=1):
        for attr in ("ds_type", "time_unit", "content"):
            if ds.attrs.get(attr) != first.attrs.get(attr):
                raise SchemaError(
                    f"{_where(sources, i)}: {attr} is {ds.attrs.get(attr)!r} but "
                    f"{_where(sources, 0)} has {first.attrs.get(attr)!r}; the files do not "
                    "line up on time."
                )
        for dim in same:
            if (dim in ds.dims) != (dim in first.dims):
                has, lacks = (i, 0) if dim in ds.dims else (0, i)
                raise SchemaError(
                    f"{_where(sources, has)} has a {dim!r} dim and {_where(sources, lacks)} "
                    "has none: they cannot be merged (a 'view' dim: poses of camera views "
                    "and poses of no view)."
                )
            if dim not in first.dims:
                continue
            mine = [str(v) for v in ds[dim].values]
            theirs = [str(v) for v in first[dim].values]
            if sorted(mine) != sorted(theirs):
                raise SchemaError(
                    f"{_where(sources, i)}: its {dim} names {mine} differ from "
                    f"{_where(sources, 0)}'s {theirs}."
                )
        for name in ("skeleton_edges", "skeleton_symmetries"):
            mine, theirs = _pairs(ds, name), _pairs(first, name)
            if mine is not None and theirs is not None and mine != theirs:
                raise SchemaError(
                    f"{_where(sources, i)}: its {name} {sorted(mine)} differ from "
                    f"{_where(sources, 0)}'s {sorted(theirs)}; one dataset holds one skeleton. "
                    "Load them one by one, or give them the same edges."
                )


def _one_session(datasets: Sequence[xr.Dataset], sources: Sequence[str] | None) -> None:
    """Warn when inputs state two session starts (``session_start_time`` that differ).

    Each input's times count from its own session start; side by side on one
    time axis, a later session's poses are put at the first's moments. They are
    lined up as they are, not refused: a file written without a session start
    states the time it was written (NWB needs one), so the per-animal files of one
    session converted one by one differ too. The same moment written two ways
    (another time zone), or starts less than :data:`SESSION_START_TOLERANCE_S`
    apart (movement's per-animal files of one call), are one session; an input
    that states none says nothing.
    """
    stated = [
        (i, ds.attrs["session_start_time"])
        for i, ds in enumerate(datasets)
        if ds.attrs.get("session_start_time")
    ]
    for i, other in stated[1:]:
        first, start = stated[0]
        if not _same_moment(_moment(other), _moment(start)):
            warnings.warn(
                f"{_where(sources, i)} states a session start of {other} but "
                f"{_where(sources, first)} one of {start}; their times are lined up as each "
                "counts them (from its own start), and the result keeps the first's. If "
                "they were recorded in two sessions, load them one by one. (A file written "
                "without a session start states the time it was written.)",
                UserWarning,
                stacklevel=user_stacklevel(),
            )
            return


#: The attributes that describe the one video a dataset's poses are of.
VIDEO_ATTRS = ("video_path", "video_width", "video_height", "frame_path", "sleap_video_facts")


def _path_key(path: str) -> str:
    """A video path as compared: one spelling of one path (``./a.mp4``, ``a.mp4`` and
    ``x/../a.mp4`` are one; ``\\`` separates as ``/`` does).

    Examples
    --------
    >>> _path_key("./videos//a.mp4") == _path_key("videos/b/../a.mp4")
    True
    """
    return posixpath.normpath(path.replace("\\", "/"))


def _one_video(datasets: Sequence[xr.Dataset], sources: Sequence[str] | None) -> None:
    """Warn when inputs name different videos (``video_path`` attributes that differ):
    side by side on one time axis, they are different recordings whose frames are put
    at the same moments, and the result keeps the first's video attributes
    (:data:`VIDEO_ATTRS`). An input that names none says nothing."""
    stated = [
        (i, str(ds.attrs["video_path"]))
        for i, ds in enumerate(datasets)
        if ds.attrs.get("video_path")
    ]
    others = [(i, video) for i, video in stated[1:] if _path_key(video) != _path_key(stated[0][1])]
    if not others:
        return
    first, video = stated[0]
    named = ", ".join(f"{_where(sources, i)} names {other!r}" for i, other in others)
    held = [name for name in VIDEO_ATTRS if name in datasets[0].attrs]
    kept = (
        f"the result keeps the video attrs of {_where(sources, 0)} ({', '.join(held)})"
        if held
        else f"the result keeps the attrs of {_where(sources, 0)}, which names no video"
    )
    warnings.warn(
        f"{_where(sources, first)} names the video {video!r} but {named}: they are "
        f"different recordings, put side by side on one time axis, and {kept}. Camera "
        "views of one moment are "
        "stacked with posebridge.combine.stack_views (posebridge.io.load_multiview_dataset); "
        "different recordings are loaded one by one.",
        UserWarning,
        stacklevel=user_stacklevel(),
    )


#: Session starts closer than this are one session: movement stamps each animal's NWB
#: file with the time of writing, milliseconds apart.
SESSION_START_TOLERANCE_S = 1.0


def _same_moment(one: Any, other: Any) -> bool:
    """Whether two session starts are one moment (within
    :data:`SESSION_START_TOLERANCE_S`; texts that are not ISO 8601: equal)."""
    try:
        return abs((one - other).total_seconds()) < SESSION_START_TOLERANCE_S
    except TypeError:  # a text, or a time zone on one side only
        return one == other


def _moment(text: Any) -> Any:
    """A ``session_start_time`` as a moment (its text when it is not ISO 8601)."""
    from datetime import datetime

    try:
        return datetime.fromisoformat(str(text))
    except ValueError:
        return str(text)


#: Two frame rates within this relative difference are one rate stored two ways
#: (``30`` against ``30 * (1 + 1e-12)``); 29.97 against 30000 / 1001 are two.
FPS_RTOL = 1e-9


def _one_fps(datasets: Sequence[xr.Dataset], sources: Sequence[str] | None) -> list[xr.Dataset]:
    """The inputs with one frame rate, or refused naming the two that differ.

    Two stated rates must agree within :data:`FPS_RTOL` (the first input's is kept);
    an input in frames that states none takes the others' (its frame numbers line up
    with theirs whatever the rate). Inputs in seconds all state one, as before: a
    rate missing there is refused, since frame numbers would be counted from it.
    """
    stated = [(i, float(ds.attrs["fps"])) for i, ds in enumerate(datasets) if ds.attrs.get("fps")]
    if not stated:
        return list(datasets)
    first, rate = stated[0]
    for i, other in stated[1:]:
        if not np.isclose(other, rate, rtol=FPS_RTOL, atol=0):
            raise SchemaError(
                f"{_where(sources, i)} is at fps {other:g} but {_where(sources, first)} at "
                f"fps {rate:g}; inputs of different frame rates do not line up on time. Load "
                "them one by one, or give them one rate (posebridge.load(..., fps=...))."
            )
    if datasets[0].attrs.get("time_unit") == "seconds" and len(stated) < len(datasets):
        lacking = next(i for i, ds in enumerate(datasets) if not ds.attrs.get("fps"))
        raise SchemaError(
            f"{_where(sources, lacking)} states no fps but {_where(sources, first)} is at "
            f"fps {rate:g}; inputs in seconds line up on one frame rate: give it (fps=)."
        )
    out = []
    for ds in datasets:
        ds = ds.copy()
        ds.attrs["fps"] = rate
        out.append(ds)
    return out


def _pairs(ds: xr.Dataset, name: str) -> set[tuple[str, ...]] | None:
    """The unordered pairs of ``skeleton_edges`` (or symmetries), or None without them."""
    if name not in ds:
        return None
    return {tuple(sorted(map(str, pair))) for pair in np.asarray(ds[name].values).tolist()}


def _frame_keys(ds: xr.Dataset) -> np.ndarray:
    """Each labelled frame's identity: its image, else its video and frame number."""
    n = ds.sizes[model.TIME]

    def text(name: str) -> np.ndarray:
        values = ds[name].values if name in ds.coords else np.full(n, "")
        return np.asarray(values).astype(str)

    image = text(labels.IMAGE_PATH)
    by_video = np.char.add(
        np.char.add("video:", text(labels.VIDEO)), np.char.add("\0", text(model.FRAME))
    )
    return np.where(image != "", np.char.add("image:", image), by_video)


def _on_common_frames(datasets: Sequence[xr.Dataset]) -> list[xr.Dataset]:
    """Labelled frames renumbered on the union of the frames they are (first seen first).

    A labels dataset's time only counts its rows: two files' row 0 are
    different frames when their videos or images differ.
    """
    keys = [_frame_keys(ds) for ds in datasets]
    union = pd.Index(pd.unique(np.concatenate(keys)))
    return [
        ds.assign_coords({model.TIME: union.get_indexer(key)})
        for ds, key in zip(datasets, keys, strict=True)
    ]


def _view_frame_keys(
    datasets: Sequence[xr.Dataset], views: Sequence[str], sources: Sequence[str] | None
) -> list[np.ndarray]:
    """Each camera view's labelled rows as the frames they are, comparable across views.

    A row is its frame number: a video's, or the one in its image's name
    (``top/img0026.png``, ``bot/img26.png`` and ``side_0026.png`` are frame 26;
    one image name in two views is one number). An image whose name holds no
    number is its file name (the last part of its path), one frame with another
    view's image of that name. Refused (SchemaError naming the view) when a
    video's row has no frame number, or two rows of one view are one frame
    (several videos or sessions in one view): lined up by row, they could be put
    at another camera's other frame.
    """
    keys = []
    for index, ds in enumerate(datasets):
        image = labels.normalise_paths(ds[labels.IMAGE_PATH].values)
        frame = np.asarray(ds[model.FRAME].values).astype(np.int64)
        name = np.char.rpartition(image, "/")[:, 2] if image.size else image
        numbered = frame != labels.UNKNOWN_FRAME
        key = np.where(
            numbered, np.char.add("frame ", frame.astype(str)), np.char.add("image ", name)
        )
        where = f"view {views[index]!r} ({_where(sources, index)})"
        unknown = np.flatnonzero(~numbered & (image == ""))
        if unknown.size:
            row = int(unknown[0])
            raise SchemaError(
                f"{where}: its row {row} ({unknown.size} such row(s)) of video "
                f"{str(ds[labels.VIDEO].values[row])!r} has no frame number, so it cannot "
                "be lined up with the other views' rows (camera views line up on the frame "
                "number, or on an image's file name). Give the rows their frame numbers."
            )
        repeated = pd.Index(key, dtype=object).duplicated(keep=False)
        if repeated.any():
            rows = np.flatnonzero(key == key[np.argmax(repeated)])
            videos = np.asarray(datasets[index][labels.VIDEO].values).astype(str)[rows]
            raise SchemaError(
                f"{where}: rows {rows.tolist()} are all {key[rows[0]]} (of "
                f"{', '.join(map(repr, dict.fromkeys(videos.tolist())))}); which of them "
                f"another view's {key[rows[0]]} goes with cannot be told, as camera views "
                "line up on the frame number, or on an image's file name. Stack the views "
                "of one video (or session) at a time, e.g. each view's "
                "ds.isel(time=(ds.video == name).values)."
            )
        keys.append(key)
    return keys


def _on_view_frames(
    datasets: Sequence[xr.Dataset], views: Sequence[str], sources: Sequence[str] | None
) -> list[xr.Dataset]:
    """Camera views' labelled rows renumbered on the union of the frames they are
    (:func:`_view_frame_keys`; first view's order first, then the rows only later
    views have)."""
    keys = _view_frame_keys(datasets, views, sources)
    union = pd.Index(pd.unique(np.concatenate(keys)))
    return [
        ds.assign_coords({model.TIME: union.get_indexer(key)})
        for ds, key in zip(datasets, keys, strict=True)
    ]


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


def _on_frame_numbers(datasets: Sequence[xr.Dataset]) -> list[xr.Dataset]:
    """Datasets counted in frames whose time is not their frame number, timed alike.

    VIA tracks count time from each file's first frame and keep the frame
    numbers in ``frame``: two files starting on different frames would line up
    their first rows. Then every input's time becomes its frame numbers less
    the first frame of all (VIA's own count), with ``frame`` kept; inputs whose
    time is their frame number (the common case) are left as they are. Inputs in
    seconds of one fps whose times count from their own first frame (VIA read
    with ``fps=``: ``(frame - first) / fps``) likewise take ``(frame - first of
    all) / fps``; other times (a session's clock) are left as they are.
    """
    rates = {ds.attrs.get("fps") for ds in datasets}
    if (
        len(rates) == 1
        and (rate := rates.pop())
        and all(
            ds.attrs.get("time_unit") == "seconds" and model.FRAME in ds.coords for ds in datasets
        )
    ):  # VIA read with fps=: time (frame - the file's first) / fps
        frames = [np.asarray(ds[model.FRAME].values, dtype=np.int64) for ds in datasets]
        times = [np.asarray(ds[model.TIME].values, dtype=np.float64) for ds in datasets]
        counted = all(  # VIA's count: from each file's own first frame, as nothing else
            f.size and np.allclose(t, (f - f[0]) / float(rate), rtol=0, atol=1e-9)
            for f, t in zip(frames, times, strict=True)
        )
        if not counted:  # times of a clock (a session's, or frame / fps): as they are
            return list(datasets)
        base = min((int(f.min()) for f in frames if f.size), default=0)
        return [
            ds.assign_coords({model.TIME: (f - base) / float(rate), model.FRAME: (model.TIME, f)})
            for ds, f in zip(datasets, frames, strict=True)
        ]
    if any(ds.attrs.get("time_unit") != "frames" for ds in datasets):
        return list(datasets)
    frames = [np.asarray(model.frame_numbers(ds)) for ds in datasets]  # known: in frames
    times = [np.asarray(ds[model.TIME].values) for ds in datasets]
    if all(np.array_equal(f, t) for f, t in zip(frames, times, strict=True)):
        return list(datasets)
    base = min((int(f.min()) for f in frames if f.size), default=0)
    return [
        ds.assign_coords({model.TIME: f - base, model.FRAME: (model.TIME, f)})
        for ds, f in zip(datasets, frames, strict=True)
    ]


#: Times in seconds closer than this fraction of the frame period are one instant
#: (``np.arange(n) / 30`` against ``np.arange(n) * (1 / 30)``).
TIME_RTOL = 1e-6
#: ... or closer than this many float steps (ulps) of the largest time, for clocks far
#: from zero (1.7e9 s since 1970), where a millionth of a frame is below one step.
TIME_ULPS = 4


def _on_one_clock(datasets: Sequence[xr.Dataset]) -> list[xr.Dataset]:
    """Times in seconds that are one instant computed two ways, made one value.

    Two times closer than :data:`TIME_RTOL` of the frame period (``1 / fps``, else
    the smallest step within one input) or :data:`TIME_ULPS` float steps of the
    largest time, whichever is larger, are one time; it takes the value of the
    first input that has it. The tolerance stays below half of any input's
    smallest step, so the times of one input are never made one. Frames
    (integers) are left as they are.
    """
    clocks = [np.asarray(ds[model.TIME].values) for ds in datasets]
    if not all(t.dtype.kind == "f" for t in clocks) or len(datasets) < 2:
        return list(datasets)
    steps = [np.diff(np.sort(t)) for t in clocks if t.size > 1]
    smallest = min((float(d.min()) for d in steps if d.size), default=None)
    rate = datasets[0].attrs.get("fps")
    period = 1 / float(rate) if rate else smallest
    every = np.concatenate(clocks)
    if every.size == 0:
        return list(datasets)
    tolerance = TIME_ULPS * float(np.spacing(np.abs(every).max()))
    if period is not None:
        tolerance = max(tolerance, TIME_RTOL * period)
    if smallest is not None:
        tolerance = min(tolerance, 0.49 * smallest)
    owner = np.repeat(np.arange(len(clocks)), [t.size for t in clocks])
    by_time = np.argsort(every, kind="stable")
    ordered = every[by_time]
    group = np.concatenate([[0], np.cumsum(np.diff(ordered) > tolerance)])
    if group[-1] == np.unique(ordered).size - 1:  # no two distinct times are one
        return list(datasets)
    # each group's value: that of its time from the earliest input (lexsort: last key first)
    earliest = np.lexsort((owner[by_time], group))
    starts = np.flatnonzero(np.r_[True, np.diff(group[earliest]) != 0])
    value_of_group = ordered[earliest][starts]
    snapped = np.empty_like(every)
    snapped[by_time] = value_of_group[group]
    bounds = np.cumsum([0, *(t.size for t in clocks)])
    return [
        ds.assign_coords({model.TIME: snapped[bounds[i] : bounds[i + 1]]})
        for i, ds in enumerate(datasets)
    ]


#: What a time an input does not have holds, where the model says it (``-1`` and ``''``
#: for no category, ``-1`` for an image size not known; NaN elsewhere, xarray's default).
_NONE: dict[str, Any] = {"category_id": -1, "category": "", "image_width": -1, "image_height": -1}


def _on_common_time(
    datasets: Sequence[xr.Dataset],
    same: tuple[str, ...],
    sources: Sequence[str] | None = None,
    *,
    one_camera: bool = False,
) -> list[xr.Dataset]:
    """Reindex every dataset on the union of the times (and the first's order of names).

    With ``one_camera`` (individuals side by side, not views) the rows line up
    on the frames they are (see :func:`_on_common_frames`, :func:`_on_frame_numbers`),
    and a per-time coordinate (``frame``, ``image_path``, ...) that two inputs
    give different values at one time is refused: those rows are not the same
    frame. Camera views line up on time as they are: each view's images and
    videos are its own (``session_top/img26.png``, ``session_bot/img26.png``),
    so labelled frames of views are first renumbered on the frames they are
    (:func:`_on_view_frames`).
    """
    if one_camera and labels.is_labels(datasets[0]):
        datasets = _on_common_frames(datasets)
    elif one_camera:
        datasets = _on_frame_numbers(datasets)
    datasets = _on_one_clock(datasets)
    times = np.unique(np.concatenate([np.asarray(ds[model.TIME].values) for ds in datasets]))
    order = {dim: datasets[0][dim].values for dim in same if dim in datasets[0].dims}
    out = [ds.reindex({model.TIME: times, **order}, fill_value=_NONE) for ds in datasets]
    names: list[str] = []  # per-time coords (frame, ...) of any input, in order of appearance
    for ds in out:
        names += [str(n) for n in ds.coords if n != model.TIME and ds[n].dims == (model.TIME,)]
    for name in dict.fromkeys(names):  # the first input that has a value gives it
        holders = [i for i, ds in enumerate(out) if name in ds.coords]
        # each input's values alone: the other per-time coords it carries are combined
        # on their own (carried along, one input's gaps would stand in another's values)
        given_by = [out[i][name].reset_coords(drop=True) for i in holders]
        values = given_by[0]
        for i, other in zip(holders[1:], given_by[1:], strict=True):
            if one_camera:
                _refuse_other_rows(values, other, name, sources, i, holders[0])
            values = values.combine_first(other)
        if name == model.FRAME and values.isnull().any():  # an input without frame numbers
            values = _frames_filled(values, datasets, sources)
        given = datasets[holders[0]][name].dtype
        if values.dtype.kind == "f" and given.kind in "iu" and not values.isnull().any():
            values = values.astype(given)
        out = [ds.assign_coords({name: values}) for ds in out]
    return _categories_everywhere(out)


def _categories_everywhere(datasets: list[xr.Dataset]) -> list[xr.Dataset]:
    """Give an input without a category variable another input has the model's "none"
    (``''``, ``-1``) for its instances, not the NaN joining would put there."""
    for name, none in _NONE.items():
        holder = next((ds[name] for ds in datasets if name in ds.data_vars), None)
        if holder is None:
            continue
        dtype = np.asarray(none).dtype if np.asarray(none).dtype.kind == "i" else holder.dtype
        datasets = [
            ds
            if name in ds.data_vars or not set(holder.dims) <= set(ds.dims)
            else ds.assign(
                {name: (holder.dims, np.full([ds.sizes[d] for d in holder.dims], none, dtype))}
            )
            for ds in datasets
        ]
    return datasets


def _frames_filled(
    values: xr.DataArray, datasets: Sequence[xr.Dataset], sources: Sequence[str] | None
) -> xr.DataArray:
    """Frame numbers at the times where no input gave one, counted as the inputs' own
    are: ``round(time * fps) + offset``, with the inputs' one fps and the one offset
    every given frame number has from its time (frame 100 at time 0: offset 100).
    Refused without one fps, or when the given numbers are not one such count (a
    NaN frame number was refused as a bad one; a guess could put frames out of order)."""
    rates = {ds.attrs.get("fps") for ds in datasets}
    rate = rates.pop() if len(rates) == 1 else None
    missing = values.isnull().values
    at = values[model.TIME].values[int(np.argmax(missing))]
    if not rate:
        raise SchemaError(
            f"at time {at!s} no input has a frame number, while {_where(sources, 0)} has "
            "them, and the inputs have no one fps to count them by: give every input its "
            "frame numbers (or fps=)."
        )
    time = np.asarray(values[model.TIME].values, dtype=np.float64)
    counted = model.nearest_frames(time, float(rate))
    offsets = np.unique(np.asarray(values.values)[~missing] - counted[~missing])
    if offsets.size != 1:
        raise SchemaError(
            f"at time {at!s} no input has a frame number, and the ones given are not "
            f"round(time x fps) plus one offset at fps {rate} (offsets "
            f"{offsets[:3].tolist()}...), so the missing ones cannot be counted in their "
            "place: give every input its frame numbers."
        )
    filled = np.where(missing, counted + offsets[0], values.values)
    if (filled < 0).any():  # before the first frame the others count
        below = values[model.TIME].values[int(np.argmax(filled < 0))]
        raise SchemaError(
            f"at time {below!s} no input has a frame number, and counted as the others' "
            f"are it would be frame {int(filled.min())}, before the first frame: give "
            "every input its frame numbers."
        )
    return values.copy(data=filled)


def _refuse_other_rows(
    first: xr.DataArray,
    other: xr.DataArray,
    name: str,
    sources: Sequence[str] | None,
    i: int,
    first_index: int = 0,
) -> None:
    """Refuse inputs whose rows at one time are different frames (``name`` differs)."""
    both = (first.notnull() & other.notnull()).values
    differ = np.flatnonzero(both & (np.asarray(first.values) != np.asarray(other.values)))
    if differ.size:
        at = int(differ[0])
        raise SchemaError(
            f"{_where(sources, i)}: at time {first[model.TIME].values[at]!s} its {name} is "
            f"{str(other.values[at])!r} but {_where(sources, first_index)}'s is "
            f"{str(first.values[at])!r}; rows "
            "of different frames do not line up on time ("
            f"{differ.size} time step(s) differ). Load them one by one."
        )


def merge_individuals(
    datasets: Sequence[xr.Dataset], sources: Sequence[str] | None = None
) -> xr.Dataset:
    """One dataset from several whose individuals are distinct.

    Parameters
    ----------
    datasets
        Validated datasets of one kind, time unit, fps, keypoints and space;
        their individuals must not repeat. Two stated fps must agree (within
        :data:`FPS_RTOL`); an input in frames without one takes the others'.
        Single-animal files that name no individual all read as
        ``individual_0``: rename them first
        (``ds.assign_coords(individual=["mouse1"])``).
    sources
        Names of the inputs (files), for messages.

    Returns
    -------
    xarray.Dataset
        The individuals side by side in input order; time is the union of the
        inputs' times (times in seconds less than a millionth of a frame apart
        are one, with the first input's value), NaN where an input has no row.
        Attributes come from the first input, ``fps`` from the first that
        states one; SLEAP's suggested frames (``sleap_suggestions``)
        list the rows of every input.

    Raises
    ------
    SchemaError
        When the inputs do not line up (kind, time unit, fps, keypoints) or
        share an individual. Inputs that state two session starts, or name
        two videos (``video_path``), are merged with a warning.

    Examples
    --------
    >>> import numpy as np, posebridge
    >>> a = posebridge.from_numpy(np.zeros((3, 2, 1, 1)), individual_names=["a"])
    >>> b = posebridge.from_numpy(np.ones((3, 2, 1, 1)), individual_names=["b"])
    >>> merge_individuals([a, b])["individual"].values.tolist()
    ['a', 'b']
    """
    _check_count(datasets, sources)
    datasets = [model.validate(ds) for ds in datasets]
    if len(datasets) == 1:
        return datasets[0]
    keep = (model.SPACE, model.KEYPOINT, model.VIEW)  # names in the first input's order
    _check_alike(datasets, sources, keep)
    _one_session(datasets, sources)
    _one_video(datasets, sources)
    datasets = _one_fps(datasets, sources)
    names = [str(v) for ds in datasets for v in ds[model.INDIVIDUAL].values]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        holders = [
            _where(sources, i)
            for i, ds in enumerate(datasets)
            if repeated[0] in [str(v) for v in ds[model.INDIVIDUAL].values]
        ]
        unnamed = (
            " A file that names no individual (a single-animal DeepLabCut or LightningPose "
            "file, as split_individuals=True writes them) reads as 'individual_0'."
            if repeated[0] == "individual_0"
            else ""
        )
        raise SchemaError(
            f"{' and '.join(holders)} share the individual {repeated[0]!r} (shared: "
            f"{repeated}); only inputs with distinct individuals can be read together.{unnamed} "
            "Name each input's individuals apart and merge them: posebridge.combine."
            "merge_individuals([posebridge.load(file).assign_coords(individual=[name]) for "
            "file, name in zip(files, names)])."
        )
    aligned = _on_common_time(datasets, keep, sources, one_camera=True)
    merged = xr.concat(
        aligned,
        dim=model.INDIVIDUAL,
        data_vars="minimal",
        coords="minimal",
        compat="override",
        join="exact",
        combine_attrs="override",
    )
    for key in model.ROW_LIST_ATTRS:
        if united := _united_rows(datasets, key):
            merged.attrs[key] = united
    if sources:
        merged.attrs["source_file"] = ", ".join(map(str, sources))
    return model.validate(merged)


def _united_rows(
    datasets: Sequence[xr.Dataset], key: str, *, each_names_its_video: bool = False
) -> str | None:
    """The JSON text of the union (input order, repeats once) of the rows that the inputs'
    ``key`` attributes list (a :data:`posebridge.model.ROW_LIST` attribute); ``None`` when
    an input's is not a JSON list of objects, when ``each_names_its_video`` and a row
    names no ``video``, or when none lists a row.

    Examples
    --------
    >>> import numpy as np, posebridge
    >>> one = posebridge.from_numpy(np.zeros((1, 2, 1, 1)))
    >>> a = one.assign_attrs(rows='[{"frame_idx": 1}]')
    >>> b = one.assign_attrs(rows='[{"frame_idx": 2}, {"frame_idx": 1}]')
    >>> _united_rows([a, b, one], "rows")
    '[{"frame_idx": 1}, {"frame_idx": 2}]'
    """
    rows: dict[str, Any] = {}
    for ds in datasets:
        if key not in ds.attrs:
            continue
        try:
            listed = json.loads(ds.attrs[key])
        except (TypeError, ValueError):
            return None
        if not isinstance(listed, list) or not all(isinstance(row, dict) for row in listed):
            return None
        if each_names_its_video and not all(_names_a_video(row) for row in listed):
            return None
        for row in listed:
            rows.setdefault(json.dumps(row, sort_keys=True), row)
    return json.dumps(list(rows.values())) if rows else None


def _names_a_video(row: dict[str, Any]) -> bool:
    """Whether a row of a :data:`posebridge.model.ROW_LIST` attribute names its video."""
    return isinstance(row.get("video"), str) and bool(row["video"])


def _lists_no_row(value: Any) -> bool:
    """Whether an attribute value is missing or the JSON text of an empty list."""
    try:
        return value is None or json.loads(value) == []
    except (TypeError, ValueError):
        return False


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
        if united := _united_rows(datasets, key, each_names_its_video=True):
            stacked.attrs[key] = united
            continue
        if all(_lists_no_row(value) for value in held):
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
        When the views do not line up (kind, time unit, fps, names), or
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
    _check_count(datasets, sources)
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
    keep = (model.SPACE, model.KEYPOINT, model.INDIVIDUAL)
    _check_alike(datasets, sources, keep)
    _one_session(datasets, sources)
    datasets = _one_fps(datasets, sources)
    if labels.is_labels(datasets[0]):
        keyed = _on_view_frames(datasets, views, sources)
        aligned = _on_common_time(keyed, keep, sources)
        _warn_view_paths_not_kept(keyed, aligned, views)
    else:
        aligned = _on_common_time(datasets, keep, sources)
    along_time = [name for name in aligned[0].data_vars if model.TIME in aligned[0][name].dims]
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
    _unite_view_rows(datasets, views, stacked)
    _warn_view_videos_not_kept(datasets, views, stacked)
    if sources:
        stacked.attrs["source_file"] = ", ".join(map(str, sources))
    # concat puts the new dim first; every variable gets it last, as position has it
    return model.validate(stacked.transpose(..., model.VIEW))


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
    """Whether two attribute values are equal (arrays too)."""
    try:
        return bool(np.array_equal(np.asarray(one), np.asarray(other)))
    except (TypeError, ValueError):
        return one == other
