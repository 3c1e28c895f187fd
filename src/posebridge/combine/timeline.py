"""Lining the inputs up on one time axis: the union of their times, labelled frames on the
frames they are, times in seconds that are one instant made one value."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from posebridge import model
from posebridge.combine.agree import path_key, where
from posebridge.errors import SchemaError, user_stacklevel
from posebridge.model import labels

IMAGE_ID = "image_id"


def _frame_keys(ds: xr.Dataset) -> np.ndarray:
    """Each labelled frame's identity: its image, else its video and frame number."""
    n = ds.sizes[model.TIME]

    def text(name: str) -> np.ndarray:
        values = ds[name].values if name in ds.coords else np.full(n, "")
        return np.asarray(values).astype(str)

    image = _path_keys(text(labels.IMAGE_PATH))
    by_video = np.char.add(
        np.char.add("video:", _path_keys(text(labels.VIDEO))), np.char.add("\0", text(model.FRAME))
    )
    return np.where(image != "", np.char.add("image:", image), by_video)


def _path_keys(paths: np.ndarray) -> np.ndarray:
    """Paths as compared: one spelling of one path (``./a.mp4``, ``a.mp4`` and
    ``x/../a.mp4`` are one, as :func:`posebridge.combine.agree.one_video` and the
    ``.slp`` writer take them); ``""`` (no path) and ``"."`` (the folder of an image
    named without one, ``./a.png``) are one, ``""``. Relative paths stay relative."""
    if paths.size == 0:
        return paths
    unique, inverse = np.unique(paths, return_inverse=True)  # one normpath per path
    spelled = np.asarray(
        ["" if not p or path_key(p) == "." else path_key(p) for p in unique.tolist()], dtype=str
    )
    return spelled[inverse.reshape(paths.shape)]


def _on_common_frames(
    datasets: Sequence[xr.Dataset], sources: Sequence[str] | None = None
) -> list[xr.Dataset]:
    """Labelled frames renumbered on the union of the frames they are (first seen first).

    A labels dataset's time only counts its rows: two files' row 0 are
    different frames when their videos or images differ. Paths are compared as
    one spelling (``vids/v1.mp4`` and ``./vids/v1.mp4`` are one video). COCO
    image ids are numbered per file: when the inputs give one image two ids, or
    one id to two images, ``image_id`` is dropped with a warning (the COCO
    writer numbers the images anew).
    """
    keys = [_frame_keys(ds) for ds in datasets]
    datasets = _image_ids_kept_if_one_numbering(datasets, keys, sources)
    union = pd.Index(pd.unique(np.concatenate(keys)))
    return [
        ds.assign_coords({model.TIME: union.get_indexer(key)})
        for ds, key in zip(datasets, keys, strict=True)
    ]


def _image_ids_kept_if_one_numbering(
    datasets: Sequence[xr.Dataset], keys: Sequence[np.ndarray], sources: Sequence[str] | None
) -> list[xr.Dataset]:
    """The inputs, without ``image_id`` (and a warning) when their COCO image ids are
    not one numbering: one image (``keys``, :func:`_frame_keys`) given two ids, or one
    id given two images. COCO numbers images per file (two files' first images are
    both id 1), so ids of different files name the same image only when they agree."""
    holders = [i for i, ds in enumerate(datasets) if IMAGE_ID in ds.coords]
    if not holders or len(holders) == len(datasets) == 1:
        return list(datasets)
    if len(holders) < len(datasets):  # the others' images would have no id (NaN)
        lacking = next(i for i in range(len(datasets)) if i not in holders)
        return _without_image_ids(
            datasets,
            f"{where(sources, holders[0])} gives COCO image ids and {where(sources, lacking)} "
            "gives none:",
        )
    pairs = pd.DataFrame(
        {
            "key": np.concatenate([keys[i] for i in holders]),
            "id": np.concatenate(
                [np.asarray(datasets[i][IMAGE_ID].values).astype(str) for i in holders]
            ),
            "input": np.concatenate([np.full(keys[i].size, i) for i in holders]),
        }
    ).drop_duplicates(["key", "id"])
    for column, what in (("key", "two ids"), ("id", "two images")):
        twice = pairs[pairs.duplicated(column, keep=False)]
        if twice.empty:
            continue
        one, two = twice[twice[column] == twice[column].iloc[0]].iloc[:2].itertuples()
        return _without_image_ids(
            datasets,
            f"{where(sources, int(two.input))} and {where(sources, int(one.input))} give "
            f"{what}: COCO image_id {one.id!r} of {one.key.partition(':')[2]!r} in one and "
            f"{two.id!r} of {two.key.partition(':')[2]!r} in the other "
            f"({twice[column].nunique()} such). COCO numbers the images of each file "
            "apart, so",
        )
    return list(datasets)


def _without_image_ids(datasets: Sequence[xr.Dataset], why: str) -> list[xr.Dataset]:
    """The inputs without ``image_id``, with a warning starting with ``why``."""
    warnings.warn(
        f"{why} the merged dataset keeps no image_id (a COCO writer numbers its images "
        "anew; give ground_truth= to take a file's ids).",
        UserWarning,
        stacklevel=user_stacklevel(),
    )
    return [ds.drop_vars(IMAGE_ID, errors="ignore") for ds in datasets]


def _unknown_as_nan(values: xr.DataArray) -> xr.DataArray:
    """A per-time coordinate with its "unknown" (:data:`NONE_VALUES`: ``image_width``
    -1, the fill of a row an input lacks) as NaN, so that it is no value when the
    inputs' values are compared and combined."""
    none = NONE_VALUES.get(str(values.name))
    if none is None or values.dtype.kind not in "iuf":
        return values
    return values.where(values != none)


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
        view_named = f"view {views[index]!r} ({where(sources, index)})"
        unknown = np.flatnonzero(~numbered & (image == ""))
        if unknown.size:
            row = int(unknown[0])
            raise SchemaError(
                f"{view_named}: its row {row} ({unknown.size} such row(s)) of video "
                f"{str(ds[labels.VIDEO].values[row])!r} has no frame number, so it cannot "
                "be lined up with the other views' rows (camera views line up on the frame "
                "number, or on an image's file name). Give the rows their frame numbers."
            )
        repeated = pd.Index(key, dtype=object).duplicated(keep=False)
        if repeated.any():
            rows = np.flatnonzero(key == key[np.argmax(repeated)])
            videos = np.asarray(datasets[index][labels.VIDEO].values).astype(str)[rows]
            raise SchemaError(
                f"{view_named}: rows {rows.tolist()} are all {key[rows[0]]} (of "
                f"{', '.join(map(repr, dict.fromkeys(videos.tolist())))}); which of them "
                f"another view's {key[rows[0]]} goes with cannot be told, as camera views "
                "line up on the frame number, or on an image's file name. Stack the views "
                "of one video (or session) at a time, e.g. each view's "
                "ds.isel(time=(ds.video == name).values)."
            )
        keys.append(key)
    return keys


def on_view_frames(
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
NONE_VALUES: dict[str, Any] = {
    "category_id": -1,
    "category": "",
    "image_width": -1,
    "image_height": -1,
}


def on_common_time(
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
    (:func:`on_view_frames`).
    """
    if one_camera and labels.is_labels(datasets[0]):
        datasets = _on_common_frames(datasets, sources)
    elif one_camera:
        datasets = _on_frame_numbers(datasets)
    datasets = _on_one_clock(datasets)
    times = np.unique(np.concatenate([np.asarray(ds[model.TIME].values) for ds in datasets]))
    order = {dim: datasets[0][dim].values for dim in same if dim in datasets[0].dims}
    out = [ds.reindex({model.TIME: times, **order}, fill_value=NONE_VALUES) for ds in datasets]
    names: list[str] = []  # per-time coords (frame, ...) of any input, in order of appearance
    for ds in out:
        names += [str(n) for n in ds.coords if n != model.TIME and ds[n].dims == (model.TIME,)]
    for name in dict.fromkeys(names):  # the first input that has a value gives it
        holders = [i for i, ds in enumerate(out) if name in ds.coords]
        # each input's values alone: the other per-time coords it carries are combined
        # on their own (carried along, one input's gaps would stand in another's values)
        given_by = [_unknown_as_nan(out[i][name].reset_coords(drop=True)) for i in holders]
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
    for name, none in NONE_VALUES.items():  # unknown again after _unknown_as_nan
        if not isinstance(none, int) or name not in datasets[0].coords:
            continue
        coord = datasets[0][name]
        if coord.dims == (model.TIME,) and coord.dtype.kind == "f":
            known = coord.fillna(none).astype(np.int64)
            datasets = [ds.assign_coords({name: known}) for ds in datasets]
    for name, none in NONE_VALUES.items():
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
            f"at time {at!s} no input has a frame number, while {where(sources, 0)} has "
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
    mine, theirs = np.asarray(first.values), np.asarray(other.values)
    if name in (labels.VIDEO, labels.IMAGE_PATH):  # two spellings of one path are one
        mine, theirs = _path_keys(mine.astype(str)), _path_keys(theirs.astype(str))
    differ = np.flatnonzero(both & (mine != theirs))
    if differ.size:
        at = int(differ[0])
        raise SchemaError(
            f"{where(sources, i)}: at time {first[model.TIME].values[at]!s} its {name} is "
            f"{_shown(other.values[at])!r} but {where(sources, first_index)}'s is "
            f"{_shown(first.values[at])!r}; rows "
            "of different frames do not line up on time ("
            f"{differ.size} time step(s) differ). Load them one by one."
        )


def _shown(value: Any) -> str:
    """A per-time coordinate's value as a message shows it: a whole number that NaN
    made a float (``640.0``) as the whole number it was (``640``)."""
    if isinstance(value, float | np.floating) and float(value).is_integer():
        return str(int(value))
    return str(value)
