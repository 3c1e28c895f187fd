"""Read the chosen PoseEstimation containers' arrays into one poses dataset.

Which container is which (view, individual), and the keypoints of each, is
decided first, reading no array (:mod:`~posebridge.formats.nwb.combine`);
:func:`plan_arrays` then places every series (shared by the lazy reader,
:mod:`~posebridge.formats.nwb.lazy`) and :func:`assemble` reads them.

Time
----
Every series' times are taken exactly as stored (``timestamps``, or
``starting_time + arange(n) / rate``); series with different times are placed on
the sorted union of all times, NaN where a series has no sample.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import xarray as xr

from posebridge import model
from posebridge.errors import FormatError, user_stacklevel
from posebridge.formats.nwb.combine import arrange, container_keypoints, individual_prefix
from posebridge.formats.nwb.common import (
    mapped_frames,
    parse_frame_map,
    parse_individual_tag,
    parse_marker,
    parse_padding,
    snap_to_frames,
)
from posebridge.formats.nwb.locate import Container, FileInfo, Series
from posebridge.formats.nwb.read_attrs import set_attrs, set_edges

# --------------------------------------------------------------------------
# time


def _union(values: list[np.ndarray]) -> np.ndarray:
    """Sorted union of sample times; times within 1 ns of each other are one time."""
    merged = np.unique(np.concatenate(values))
    merged = merged[np.isfinite(merged)]
    if merged.size > 1:
        keep = np.ones(merged.size, dtype=bool)
        keep[1:] = np.diff(merged) > 1e-9 * np.maximum(1.0, np.abs(merged[1:]))
        merged = merged[keep]
    return merged


def _why_unplaced(series: Series) -> str:
    """What keeps a series' samples from having times, in a few words."""
    if series.timing.unplaced:
        return series.timing.unplaced
    return f"{series.shape[0]} samples but {series.timing.n} timestamps"


def _placeable(series: list[Series], chosen: list[Container], path: Any) -> list[Series]:
    """The series whose samples have times; one warning names the others, left out.

    sleap-io writes the series of a sparse track (samples more than 1 s apart)
    with ``rate=0.0`` and no timestamps: their times are unknown and are not made up.
    """
    lost = [s for s in series if s.timing.n != s.shape[0]]
    if not lost:
        return series
    owner = {id(s): c.path for c in chosen for s in c.series}
    names = [f"{owner.get(id(s), '?')}/{s.name} ({_why_unplaced(s)})" for s in lost]
    # the cause named when it is the one sleap-io's sparse tracks have, and only then
    sparse = any(s.timing.unplaced.startswith("a rate of 0 with") for s in lost)
    if len(lost) == len(series):
        raise FormatError(
            path,
            f"no series can be placed in time: {', '.join(names[:5])}"
            + (f" and {len(names) - 5} more" if len(names) > 5 else "")
            + (" (sleap-io writes a sparse track with a rate of 0)." if sparse else "."),
        )
    shown = ", ".join(names[:10]) + (f" and {len(names) - 10} more" if len(names) > 10 else "")
    warnings.warn(
        f"{path}: {len(lost)} series cannot be placed in time and were left out (their "
        f"points are NaN): {shown}."
        + (" sleap-io writes a sparse track with a rate of 0." if sparse else ""),
        UserWarning,
        stacklevel=user_stacklevel(),
    )
    return [s for s in series if s.timing.n == s.shape[0]]


def _times(series: list[Series], path: Any) -> tuple[np.ndarray, dict[Any, Any]]:
    """The dataset's time axis and, per timing key, where its samples go (None: all)."""
    values: dict[Any, np.ndarray] = {}
    for s in series:
        if s.timing.key not in values:
            values[s.timing.key] = s.timing.values()
        if values[s.timing.key].size != s.shape[0]:
            raise FormatError(
                path,
                f"series {s.name!r} has {s.shape[0]} samples but "
                f"{values[s.timing.key].size} timestamps.",
            )
    arrays = list(values.values())
    first = arrays[0] if arrays else np.zeros(0)
    simple = all(a.size == first.size and np.array_equal(a, first) for a in arrays)
    if simple and (first.size < 2 or np.all(np.diff(first) > 0)) and np.all(np.isfinite(first)):
        return first, dict.fromkeys(values)
    time = _union(arrays)
    places: dict[Any, Any] = {}
    for key, array in values.items():
        finite = np.isfinite(array)
        index = np.searchsorted(time, array, side="right") - 1
        index[~finite] = -1
        if not finite.all():
            warnings.warn(
                f"{path}: {int((~finite).sum())} samples have no valid timestamp "
                "(NaN or infinite) and are left out.",
                UserWarning,
                stacklevel=user_stacklevel(),
            )
        ordered = array[finite]
        if ordered.size > 1 and np.any(np.diff(ordered) < 0):
            warnings.warn(
                f"{path}: timestamps {key!r} are not in increasing order; the samples are "
                "placed in time order, so the dataset's order differs from the file's.",
                UserWarning,
                stacklevel=user_stacklevel(),
            )
        if np.unique(index[finite]).size < finite.sum():
            warnings.warn(
                f"{path}: some samples share a timestamp; the last of each is kept.",
                UserWarning,
                stacklevel=user_stacklevel(),
            )
        places[key] = index
    return time, places


# --------------------------------------------------------------------------
# arrays


def _fill(dest: np.ndarray, source: Any, index: Any, ndim: int) -> None:
    """Copy one series' samples into ``dest`` rows (``index``: None means all)."""
    if index is None:
        target = dest if dest.ndim == 1 else dest[:, :ndim]
        if hasattr(source, "read_direct") and target.flags.c_contiguous and target.size:
            source.read_direct(target)
        else:
            target[...] = np.asarray(source[()]).reshape(target.shape)
        return
    values = np.asarray(source[()])
    valid = index >= 0
    if dest.ndim == 1:
        dest[index[valid]] = values.reshape(-1)[valid]
    else:
        dest[index[valid], :ndim] = values.reshape(-1, ndim)[valid]


def _float_dtype(arrays: list[Any]) -> np.dtype:
    kinds = [np.dtype(a.dtype) for a in arrays]
    if kinds and all(k == np.float32 for k in kinds):
        return np.dtype(np.float32)
    return np.dtype(np.float64)


def empty_dataset(source_software: str | None) -> xr.Dataset:
    """A poses dataset with no keypoints and no samples."""
    ds = xr.Dataset(
        {
            "position": (model.POSES_DIMS, np.zeros((0, 2, 0, 1))),
            "confidence": (("time", "keypoint", "individual"), np.zeros((0, 0, 1))),
        },
        coords={
            "time": np.zeros(0, dtype=np.float64),
            "space": ["x", "y"],
            "keypoint": np.array([], dtype=str),
            "individual": ["id_0"],
        },
        attrs={"ds_type": "poses", "time_unit": "seconds"},
    )
    if source_software:
        ds.attrs["source_software"] = source_software
    return ds


@dataclass
class Plan:
    """Where every series of the chosen containers goes, before any array is read.

    ``store`` axes are (view, individual, keypoint, time, space); ``places`` maps
    each timing key to the rows its samples go to (``None``: every row, in order).
    """

    chosen: list[Container]
    cells: list[tuple[str | None, str]]
    views: list[str | None]
    individuals: list[str]
    keypoints: list[str]
    per_container: list[tuple[list[str], list[Series]]]
    everything: list[Series]
    time: np.ndarray
    places: dict[Any, Any]
    n_space: int
    pos_dtype: np.dtype
    conf_dtype: np.dtype
    n_time: int  # time steps kept: the writer's padding rows cut

    def placed(self) -> list[tuple[int, int, int, Series]]:
        """(view, individual, keypoint, series) of every series with samples and times."""
        out = []
        for (view, individual), (names, series) in zip(
            self.cells, self.per_container, strict=True
        ):
            v, i = self.views.index(view), self.individuals.index(individual)
            for name, s in zip(names, series, strict=True):
                if not s.shape[0] or s.timing.n != s.shape[0]:
                    continue  # no samples, or no times for them (left out by _placeable)
                out.append((v, i, self.keypoints.index(name), s))
        return out


def assemble(info: FileInfo, chosen: list[Container], path: Any, combine: str) -> xr.Dataset:
    """Read the chosen containers' arrays into one poses dataset."""
    plan = plan_arrays(info, chosen, path, combine)
    if isinstance(plan, xr.Dataset):
        return plan
    shape = (len(plan.views), len(plan.individuals), len(plan.keypoints), plan.time.size)
    store = np.full((*shape, plan.n_space), np.nan, dtype=plan.pos_dtype)
    conf = np.full(shape, np.nan, dtype=plan.conf_dtype)
    for v, i, k, s in plan.placed():
        block = store[v, i, k]
        _fill(block, s.data, plan.places[s.timing.key], s.shape[1])
        if s.conversion != 1.0 or s.offset != 0.0:
            block *= s.conversion
            block += s.offset
        if s.confidence is not None:
            _fill(conf[v, i, k], s.confidence, plan.places[s.timing.key], 1)
    has_views = plan.views != [None]
    position = model_order(store, has_views)[: plan.n_time]
    confidence = model_order(conf, has_views)[: plan.n_time]
    return finish(info, plan, position, confidence)


def container_rates(chosen: list[Container]) -> list[float]:
    """Each container's own frame rate, as movement's ``from_nwb_file`` states it.

    movement reads one container and takes the ``fps`` of its first series: its
    ``rate``, else the median of ``1 / step`` between its timestamps, rounded to
    6 decimals (here over the steps that go forward). A container whose first
    series with samples gives no rate (one sample, no forward step) adds
    nothing. Read while the file is open: the timestamps are read again.

    Examples
    --------
    >>> from posebridge.formats.nwb.locate import Timing
    >>> def one(times):
    ...     c = Container("processing/behavior/a", "behavior", "a")
    ...     timing = Timing(n=len(times), key=id(times), timestamps=np.asarray(times))
    ...     c.series = [Series("nose", np.zeros((len(times), 2)), None, timing)]
    ...     return c
    >>> container_rates([one([0.0, 0.5, 1.0]), one([0.01, 0.51]), one([3.0])])
    [2.0, 2.0]
    """
    rates = []
    for container in chosen:
        first = next((s for s in container.series if s.shape[0] and s.timing.n), None)
        if first is None:
            continue
        if first.timing.rate:
            rates.append(round(float(first.timing.rate), 6))
            continue
        steps = np.diff(first.timing.values())
        steps = steps[steps > 0]
        if steps.size:
            rates.append(round(float(np.median(1.0 / steps)), 6))
    return rates


def model_order(array: np.ndarray, has_views: bool) -> np.ndarray:
    """A (view, individual, keypoint, time[, space]) array with the dataset's axes
    (time first; no view axis without views).

    Examples
    --------
    >>> model_order(np.zeros((1, 2, 3, 4, 2)), has_views=False).shape
    (4, 2, 3, 2)
    """
    axes = (3, 4, 2, 1, 0) if array.ndim == 5 else (3, 2, 1, 0)
    array = array.transpose(axes)
    return array if has_views else array[..., 0]


def _kind(array: Any) -> str:
    """The numpy kind of an array-like's dtype (``f`` when it does not say)."""
    dtype = getattr(array, "dtype", None)
    return np.dtype(dtype).kind if dtype is not None else "f"


def _check_series(series: Series, container: Container, path: Any) -> None:
    """Refuse a series whose data is not (time, 2 or 3) numbers, or whose confidence
    is not one number per sample (the arrays would not fit what the reader builds)."""
    where = f"series {container.path}/{series.name}"
    shape, kind = series.shape, _kind(series.data)
    if kind not in "iuf" or not ((len(shape) == 2 and shape[1] in (2, 3)) or shape[:1] == (0,)):
        raise FormatError(
            path,
            f"{where} has data of shape {shape} ({getattr(series.data, 'dtype', '?')}); "
            "expected numbers of shape (time, 2 or 3).",
        )
    _check_timestamps(series, f"{container.path}/{series.name}", path)
    if series.confidence is None:
        return
    found = tuple(int(n) for n in series.confidence.shape)
    if _kind(series.confidence) not in "iuf" or found not in (
        (shape[0],),
        (shape[0], 1),
    ):
        raise FormatError(
            path,
            f"{where} has confidence of shape {found} "
            f"({getattr(series.confidence, 'dtype', '?')}); expected one number per sample, "
            f"({shape[0]},).",
        )


def _check_timestamps(series: Series, series_path: str, path: Any) -> None:
    """Refuse stored timestamps that are not numbers, or not one number per sample (a
    length that differs leaves the series out with a warning, see :func:`_placeable`)."""
    stamps = series.timing.timestamps
    if series.timing.rate is not None or stamps is None or not hasattr(stamps, "shape"):
        return
    shape, dtype = tuple(int(n) for n in stamps.shape), getattr(stamps, "dtype", "?")
    name = getattr(stamps, "name", None)  # an h5py dataset: its path (maybe another series')
    where = name.lstrip("/") if isinstance(name, str) else f"{series_path}/timestamps"
    if _kind(stamps) not in "iuf":
        raise FormatError(
            path,
            f"series {series_path} has timestamps {where} of shape {shape} ({dtype}); "
            "expected numbers (seconds), one per sample.",
        )
    if len(shape) > 1 and shape != (shape[0], 1):
        raise FormatError(
            path,
            f"series {series_path} has timestamps {where} of shape {shape}; expected one "
            f"number per sample, ({series.shape[0]},).",
        )


def multi_camera_choice(
    chosen: list[Container], combine: str, path: Any = None
) -> list[Container]:
    """The containers read of a MultiCameraPoseEstimation chosen with its cameras'.

    ndx-pose 0.4's MultiCameraPoseEstimation holds poses of its own, estimated
    from all its cameras (usually 3-D, triangulated), and one PoseEstimation per
    camera (2-D). Its own are read (``combine="auto"`` or ``"individuals"``),
    or, with ``combine="views"``, its cameras' as a ``view`` dim: of one of them
    (the cameras of two, each an animal's, would all be views of one animal, so
    that is refused, naming them). A container chosen alone
    (``pose_estimation_key=``) is read whatever ``combine`` says.

    Examples
    --------
    >>> [c.name for c in multi_camera_choice(chosen, "views")]  # doctest: +SKIP
    ['PoseEstimation_camera1', 'PoseEstimation_camera2']
    """
    paths = {c.path for c in chosen}
    held = {c.multi_camera for c in chosen if c.multi_camera in paths}
    if not held:
        return chosen
    if combine == "views" and len(held) > 1:
        raise FormatError(
            path,
            f"holds {len(held)} MultiCameraPoseEstimation containers ({', '.join(sorted(held))}); "
            "with combine='views' the cameras of all of them would be views of one animal. "
            "Read their own poses (without combine='views'), or one camera's at a time "
            "(pose_estimation_key=<its PoseEstimation>).",
        )
    if combine == "views":
        return [c for c in chosen if c.path not in held]
    return [c for c in chosen if c.multi_camera not in held]


def plan_arrays(
    info: FileInfo, chosen: list[Container], path: Any, combine: str
) -> Plan | xr.Dataset:
    """The :class:`Plan` of the chosen containers (an empty dataset when none has samples).

    Examples
    --------
    >>> plan = plan_arrays(info, select(info, path, "behavior", "PoseEstimation"), path, "auto")
    ... # doctest: +SKIP
    >>> plan.time.size, plan.keypoints  # doctest: +SKIP
    (2330, ['nose', 'tail'])
    """
    for container in chosen:
        for series in container.series:
            _check_series(series, container, path)
    chosen = multi_camera_choice(chosen, combine, path)
    empty = [c for c in chosen if not any(s.shape[0] for s in c.series)]
    if len(empty) == len(chosen):
        warnings.warn(
            f"{path}: the PoseEstimation container(s) {', '.join(c.path for c in chosen)} "
            "hold no pose samples; the dataset is empty.",
            UserWarning,
            stacklevel=user_stacklevel(),
        )
        ds = empty_dataset(chosen[0].source_software or "NWB")
        set_attrs(ds, info, chosen)
        return ds
    if empty and len(chosen) > 1:
        warnings.warn(
            f"{path}: left out PoseEstimation container(s) without samples: "
            f"{', '.join(c.path for c in empty)}.",
            UserWarning,
            stacklevel=user_stacklevel(),
        )
        chosen = [c for c in chosen if c not in empty]
    chosen, cells, views, individuals = arrange(chosen, info, combine, path)
    per_container = [container_keypoints(c) for c in chosen]
    keypoints = list(dict.fromkeys(k for names, _ in per_container for k in names))
    keypoints = _with_unseen_nodes(keypoints, chosen)
    everything = [s for _, series in per_container for s in series if s.shape[0]]
    n_space = max(s.shape[1] for s in everything)
    flat = sorted({s.name for s in everything if s.shape[1] < n_space})
    if flat:
        warnings.warn(
            f"{path}: mixed 2D and 3D series; the 2D series ({', '.join(flat)}) get z = NaN.",
            UserWarning,
            stacklevel=user_stacklevel(),
        )
    everything = _placeable(everything, chosen, path)
    time, places = _times(everything, path)
    # rows the writer added after the last time (see time_plan.padding_rows)
    padding = max((parse_padding(s.comments) for s in everything), default=0)
    return Plan(
        chosen=chosen,
        cells=cells,
        views=views,
        individuals=individuals,
        keypoints=keypoints,
        per_container=per_container,
        everything=everything,
        time=time,
        places=places,
        n_space=n_space,
        pos_dtype=_float_dtype([s.data for s in everything]),
        conf_dtype=_float_dtype([s.confidence for s in everything if s.confidence is not None]),
        n_time=max(0, time.size - padding) if padding else time.size,
    )


def _with_unseen_nodes(keypoints: list[str], chosen: list[Container]) -> list[str]:
    """The keypoints with the Skeleton nodes of posebridge's containers that no series of
    theirs has (NaN), each after the node before it.

    posebridge appends an animal tracked on some of a file's keypoints linking the file's
    Skeleton (:func:`~posebridge.formats.nwb.build.add_poses`): read alone, it reads on
    the keypoints the file reads on, with the Skeleton's edges, as it is in the whole file.
    Another tool's Skeleton nodes without series are not keypoints.

    Examples
    --------
    >>> c = Container("processing/behavior/PoseEstimation", "behavior", "PoseEstimation")
    >>> c.description, c.nodes = "[posebridge individual 3/3: c]", ["head", "thorax", "tail"]
    >>> _with_unseen_nodes(["tail", "head"], [c])
    ['tail', 'head', 'thorax']
    >>> _with_unseen_nodes(["head", "tail"], [c])
    ['head', 'thorax', 'tail']
    """
    out = list(keypoints)
    for container in chosen:
        if not container.nodes or not parse_individual_tag(container.description):
            continue
        prefix = individual_prefix(container)  # as container_keypoints names the nodes
        nodes = [
            n[len(prefix) + 1 :] if prefix and n.startswith(prefix + "_") else n
            for n in container.nodes
        ]
        for at, node in enumerate(nodes):  # a few nodes
            if node in out:
                continue
            before = nodes[at - 1] if at else None
            out.insert(out.index(before) + 1 if before in out else 0, node)
    return out


def finish(info: FileInfo, plan: Plan, position: Any, confidence: Any) -> xr.Dataset:
    """The dataset of a :class:`Plan` and its arrays (in memory or lazy, ``plan.n_time`` long).

    Examples
    --------
    >>> ds = finish(info, plan, position, confidence)  # doctest: +SKIP
    """
    has_views = plan.views != [None]
    dims = (*model.POSES_DIMS, model.VIEW) if has_views else model.POSES_DIMS
    coords: dict[str, Any] = {
        "time": plan.time[: plan.n_time],
        "space": list("xyz"[: plan.n_space]),
        "keypoint": plan.keypoints,
        "individual": [str(i) for i in plan.individuals],
    }
    if has_views:
        coords[model.VIEW] = [str(v) for v in plan.views]
    ds = xr.Dataset(
        {"position": (dims, position), "confidence": (dims[:1] + dims[2:], confidence)},
        coords=coords,
        attrs={"ds_type": "poses", "time_unit": "seconds"},
    )
    ds = _apply_time_marker(ds, plan)
    set_edges(ds, plan.chosen, plan.keypoints)
    set_attrs(ds, info, plan.chosen)
    return ds


def _increasing(frames: np.ndarray) -> bool:
    """Whether frame numbers a marker gives are a time axis's: each above the one before."""
    return frames.size < 2 or bool(np.all(np.diff(frames) > 0))


def _rows_of(series: list[Series], places: dict[Any, Any], n_time: int) -> np.ndarray:
    """Which of the ``n_time`` rows of the time axis the series have samples at."""
    rows = np.zeros(n_time, dtype=bool)
    for s in series:  # one per series, not per sample
        index = places.get(s.timing.key)
        if index is None:  # every row, in order
            rows[: min(s.shape[0], n_time)] = True
        else:
            index = np.asarray(index)
            rows[index[(index >= 0) & (index < n_time)]] = True
    return rows


def _frame_rule_frames(
    time: np.ndarray, mapping: tuple[float, float, int] | None, fps: float | None
) -> np.ndarray | None:
    """The frames a series' rule gives its times: its frame marker's formula, else
    ``round(time * fps)``; ``None`` when it has neither."""
    if mapping is not None:
        return mapped_frames(time, *mapping)
    return None if fps is None else model.nearest_frames(time, fps)


def _frames_by_container(
    time: np.ndarray, plan: Plan, fps: float | None
) -> tuple[np.ndarray | None, bool]:
    """The video frame number of every time, each series' by its own rule.

    A series' frames are its frame marker's formula (its times count from
    another moment than frame 0: poses of another session appended, see
    :func:`~posebridge.formats.nwb.append.on_file_origin`), else
    ``round(time * fps)``. When the series of the file follow different rules,
    every time takes the frames of the series that have samples then, so every
    animal keeps its own frame numbers; at a time series of two rules share,
    the frames of the first container (in the file's order) are kept, with a
    warning. Returns the frames (``None`` when some time has none, or a rule's
    frames do not increase) and whether several rules were combined.
    """
    rules: dict[Any, list[Series]] = {}
    for s in plan.everything:
        rules.setdefault(parse_frame_map(s.comments), []).append(s)
    if len(rules) == 1:
        return _frame_rule_frames(time, next(iter(rules)), fps), False
    n_time = time.size
    frames = np.zeros(n_time, dtype=np.int64)
    claimed = np.zeros(n_time, dtype=bool)
    clashes: list[tuple[list[Series], int]] = []
    first: list[Series] = []
    for mapping, members in rules.items():
        rows = _rows_of(members, plan.places, n_time)
        values = _frame_rule_frames(time[rows], mapping, fps)
        if values is None or not _increasing(values):
            return None, True
        shared = claimed[rows]
        differ = int(np.count_nonzero(frames[rows][shared] != values[shared]))
        if differ:
            clashes.append((members, differ))
        frames[np.flatnonzero(rows)[~shared]] = values[~shared]
        claimed |= rows
        first = first or members
    if not claimed.all():
        return None, True
    if clashes:
        _warn_frame_clash(plan, first, clashes)
    return frames, True


def _warn_frame_clash(
    plan: Plan, first: list[Series], clashes: list[tuple[list[Series], int]]
) -> None:
    """Warn that series of different frame rules share times: one ``frame`` per time."""
    owner = {id(s): c.path for c in plan.chosen for s in c.series}

    def named(members: list[Series]) -> str:
        return ", ".join(dict.fromkeys(owner.get(id(s), s.name) for s in members))

    said = "; ".join(f"{named(m)} at {n} of them" for m, n in clashes)
    warnings.warn(
        f"{plan.chosen[0].source or 'the NWB file'}: its containers count video frames "
        f"differently (poses of another session appended) and share times, where the "
        f"'frame' coordinate (one frame number per time) holds the frames of {named(first)}; "
        f"other frame numbers are not kept: {said}.",
        UserWarning,
        stacklevel=user_stacklevel(),
    )


def _apply_time_marker(ds: xr.Dataset, plan: Plan) -> xr.Dataset:
    series = plan.everything
    marker = next((m for s in series if (m := parse_marker(s.comments))), None)
    mapped = any(parse_frame_map(s.comments) for s in series)
    time = np.asarray(ds["time"].values)
    rates = {s.timing.rate for s in series}
    rate_based = None not in rates
    if marker and marker[0] == "frames":
        frames = np.rint(time).astype(np.int64)
        if _increasing(frames):
            ds = ds.assign_coords(time=frames)
            ds.attrs["time_unit"] = "frames"
            return ds
    if marker and marker[0] == "fps":
        fps = float(marker[1])
        snapped = snap_to_frames(time, fps) if rate_based else None
        if snapped is not None:  # the writer's times (see time_plan._reads_back_exactly)
            time = snapped[0]
        # frames that are not round(time * fps) have their own marker, per series
        frames, combined = _frames_by_container(time, plan, fps)
        if frames is not None and (combined or _increasing(frames)):
            if snapped is not None:
                ds = ds.assign_coords(time=time)
            ds = ds.assign_coords({model.FRAME: ("time", frames)})
            ds.attrs["fps"] = fps
            return ds
    if mapped:  # no frame rate: camera times and their video frames
        frames, combined = _frames_by_container(time, plan, None)
        if frames is not None and (combined or _increasing(frames)):
            ds = ds.assign_coords({model.FRAME: ("time", frames)})
    if marker and marker[0] == "fps":
        # two samples on one frame (e.g. cameras half a frame apart): no frame coordinate
        # from round(time * fps), but the frame rate the writer noted is still the
        # dataset's; the series' own rate (the step between samples) is not.
        ds.attrs["fps"] = float(marker[1])
        return ds
    if marker and marker[0] == "no fps":
        return ds  # regular seconds written as a rate: no frame rate was known
    if rate_based and len(rates) == 1:
        ds.attrs["fps"] = float(rates.pop())
    return ds
