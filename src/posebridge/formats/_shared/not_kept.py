"""Warnings a writer gives before it writes: what its format cannot hold and it leaves
out (occlusion flags, a lone coordinate, label scores, individuals with no point, Anipose's
axis alignment, per-keypoint variables) is named, never dropped without a word.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import xarray as xr

from posebridge import model
from posebridge.errors import user_stacklevel, with_command_line_wording
from posebridge.formats._shared.images import box_extras
from posebridge.model import labels

__all__ = [
    "holds_nothing",
    "lone_coordinates",
    "loses_times",
    "occluded_as_visible",
    "placed_instances",
    "warn_alignment_dropped",
    "warn_individuals_not_written",
    "warn_keypoint_variables_dropped",
    "warn_label_scores_dropped",
    "warn_lone_coordinates",
    "warn_occluded",
    "warn_times_not_kept",
    "warn_variables_not_written",
]


def warn_occluded(ds: xr.Dataset, path: Path, kept: str) -> None:
    """Warn that points labelled but not visible (COCO's v=1) do not read back as they are.

    ``kept`` says what the format makes of them; the warning names ``path`` and counts
    them (:func:`posebridge.model.labels.occluded_points`).

    Examples
    --------
    >>> warn_occluded(ds, Path("labels.slp"), "SLEAP reads them as missing")  # doctest: +SKIP
    """
    if occluded := labels.occluded_points(ds):
        warnings.warn(
            f"{path}: {occluded} point(s) with coordinates are flagged labelled but not "
            f"visible (COCO's v=1); {kept}.",
            UserWarning,
            stacklevel=user_stacklevel(),
        )


def occluded_as_visible(ds: xr.Dataset, path: object, title: str, why: str) -> xr.Dataset:
    """The dataset with its points labelled but not visible (COCO's v=1) flagged visible,
    for a format with no such flag, and a warning that the flag is not written.

    Those points were labelled: their positions are written, as points of the format
    (``title``) that it and posebridge read back (SLEAP's and NWB's own not-visible flag
    reads as a missing point; DeepLabCut has none), and the flag reads back as visible
    (2). A point flagged 0 (marked not visible: no point) is left as it is.

    Parameters
    ----------
    ds
        The labels dataset to write.
    path
        The file written, named in the warning.
    title
        The format, for the message.
    why
        What the format holds instead of the flag (``"its not-visible points read as
        missing"``).

    Examples
    --------
    >>> import warnings
    >>> flags = np.array([[[1], [2]]])  # (time, keypoint, individual)
    >>> ds = labels.from_numpy(np.ones((1, 2, 2, 1)), image_path=["a.png"], visible=flags)
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     kept = occluded_as_visible(ds, "a.slp", "SLEAP", "its not-visible points are missing")
    >>> kept.visible.values.ravel().tolist(), str(caught[0].message)[:44]
    ([2.0, 2.0], 'a.slp: 1 point(s) are flagged labelled but n')
    """
    if labels.VISIBLE not in ds:
        return ds
    flags = ds[labels.VISIBLE].astype(np.float64)
    finite = np.isfinite(ds["position"]).any(model.SPACE)
    occluded = finite & (flags > 0) & (flags < labels.VISIBLE_FLAG)
    count = int(occluded.sum())
    if not count:
        return ds
    warnings.warn(
        f"{path}: {count} point(s) are flagged labelled but not visible (COCO's v=1, "
        f"visible 1); {title} has no such flag ({why}), so they are written as visible "
        "points with their positions, and read back as visible points. COCO, YOLO and "
        "netCDF (.nc) keep the flag.",
        UserWarning,
        stacklevel=user_stacklevel(),
    )
    out = ds.copy()
    out[labels.VISIBLE] = flags.where(~occluded, labels.VISIBLE_FLAG)
    return out


def lone_coordinates(ds: xr.Dataset) -> int:
    """How many points have one finite coordinate and the other NaN (or infinite).

    Such a point is a point (:func:`posebridge.model.labels.point_flags`), but a format
    whose points need both coordinates cannot write it.

    Examples
    --------
    >>> pos = np.array([[[[1.0], [2.0]], [[np.nan], [3.0]]]])  # a = (1, NaN), b = (2, 3)
    >>> lone_coordinates(labels.from_numpy(pos, image_path=["a.png"]))
    1
    """
    position = np.asarray(ds["position"].values, dtype=np.float64)
    finite = np.isfinite(position)
    space = ds["position"].get_axis_num(model.SPACE)
    return int((finite.any(axis=space) & ~finite.all(axis=space)).sum())


def warn_lone_coordinates(ds: xr.Dataset, path: object, title: str) -> None:
    """Warn that points with one finite coordinate are not written: ``title``'s points need
    both, so the lone coordinate is dropped and the point reads back as missing.

    The warning names ``path`` and counts them (:func:`lone_coordinates`).

    Examples
    --------
    >>> warn_lone_coordinates(ds, Path("gt.json"), "COCO")  # doctest: +SKIP
    """
    if lone := lone_coordinates(ds):
        warnings.warn(
            f"{path}: {lone} point(s) have one finite coordinate (the other NaN), which "
            f"{title} cannot hold (a point there needs both x and y): they are not written and "
            "read back as missing.",
            UserWarning,
            stacklevel=user_stacklevel(),
        )


def warn_label_scores_dropped(
    ds: xr.Dataset,
    path: object,
    title: str,
    keep: str | None = None,
    keep_on_command_line: str | None = None,
) -> None:
    """Warn that the scores of a dataset (a ``confidence`` with finite values) are not
    written: ``title``'s points have none, so they read back as NaN.

    Every writer that leaves the confidence out says so with this one warning: labels
    to formats of labelled points (SLEAP, DeepLabCut, NWB's training frames), and labels
    or poses to those without scores (COCO ground truth, YOLO pose labels, Label Studio
    annotations).

    Parameters
    ----------
    ds
        The dataset to write (labels or poses).
    path
        The output, named in the warning.
    title
        The format, for the message.
    keep
        What keeps the scores, for the message (``"COCO results (kind='results') keep
        them"``).
    keep_on_command_line
        ``keep`` in the command line's words (``--option kind=results``), if it differs.

    Examples
    --------
    >>> import warnings
    >>> ds = labels.from_numpy(
    ...     np.ones((1, 2, 2, 1)), image_path=["a.png"], confidence_array=np.full((1, 2, 1), 0.5)
    ... )
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     warn_label_scores_dropped(ds, "labels.slp", "SLEAP")
    >>> print(caught[0].message)
    labels.slp: the labels' confidence (2 score(s)) is not written: SLEAP's labelled points have no score.
    """  # noqa: E501
    if "confidence" not in ds:
        return
    scored = int(np.isfinite(np.asarray(ds["confidence"].values, dtype=np.float64)).sum())
    if not scored:
        return
    whose, points = (
        ("labels'", "labelled points") if labels.is_labels(ds) else ("poses'", "points")
    )
    warning = UserWarning(
        f"{path}: the {whose} confidence ({scored} score(s)) is not written: {title}'s "
        f"{points} have no score{f'; {keep}' if keep else ''}."
    )
    if keep and keep_on_command_line:
        warning = with_command_line_wording(warning, {keep: keep_on_command_line})
    warnings.warn(warning, stacklevel=user_stacklevel())


def placed_instances(ds: xr.Dataset) -> np.ndarray:
    """Which instances (time, individual) have a point (both coordinates finite) or a
    whole box: those that formats listing instances (COCO, YOLO, Label Studio) write.

    Examples
    --------
    >>> pos = np.ones((2, 2, 1, 2))
    >>> pos[1, :, :, 0] = np.nan  # the first individual has no point in frame 1
    >>> placed_instances(labels.from_numpy(pos, image_path=["a.png", "b.png"])).tolist()
    [[True, True], [False, True]]
    """
    xy = ds["position"].transpose(model.TIME, model.INDIVIDUAL, model.KEYPOINT, model.SPACE)
    finite = np.isfinite(np.asarray(xy.values, dtype=np.float64)).all(axis=-1)
    boxed = np.isfinite(box_extras(ds)).all(axis=1)  # (time, individual)
    return finite.any(axis=2) | boxed


def warn_individuals_not_written(
    ds: xr.Dataset,
    path: object,
    how: str,
    *,
    written: np.ndarray | None = None,
    missing: str = "no point",
    keep: str = ".slp or netCDF (.nc)",
) -> None:
    """Warn of the individuals a file will not hold because it has nothing of them.

    A format that holds an individual only through its instances (an annotation,
    a line, a row per individual and frame) writes nothing of one without any:
    the file reads back without it, and the individuals after it move up.

    Parameters
    ----------
    ds
        The dataset to write.
    path
        The output, named in the warning.
    how
        How the format holds an individual, e.g. ``"COCO ground truth holds an
        individual only through its annotations"``.
    written
        Flags of what the file holds, the individual on the last axis (an
        individual is kept when one of its flags is true); default
        :func:`placed_instances`.
    missing
        What the lost individuals lack, for the message (``"no point"``).
    keep
        The formats that keep every individual, for the message.

    Examples
    --------
    >>> import warnings
    >>> pos = np.ones((1, 2, 1, 3))
    >>> pos[..., 1] = np.nan
    >>> ds = labels.from_numpy(pos, image_path=["a.png"], individual_names=["a", "b", "c"])
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     warn_individuals_not_written(ds, "gt.json", "COCO holds ... its annotations")
    >>> print(caught[0].message)  # doctest: +ELLIPSIS
    gt.json: the individual(s) ['b'] have no point and are not written: COCO holds ...
    """
    count = ds.sizes.get(model.INDIVIDUAL, 0)
    flags = placed_instances(ds) if written is None else np.asarray(written, dtype=bool)
    if count == 0 or flags.size == 0:
        return
    kept = flags.reshape(-1, count).any(axis=0)
    if kept.all():
        return
    lost = [str(name) for name in np.asarray(ds[model.INDIVIDUAL].values)[~kept].tolist()]
    shown = repr(lost[:10]) + (f" and {len(lost) - 10} more" if len(lost) > 10 else "")
    warnings.warn(
        f"{path}: the individual(s) {shown} have {missing} and are not written: {how}, so "
        f"the file reads back without them. Write {keep} to keep every individual.",
        UserWarning,
        stacklevel=user_stacklevel(),
    )


#: Anipose's axis alignment (:data:`posebridge.model.EXTRAS`): the attribute and the value
#: that aligns nothing (identity matrix, zero center).
_ALIGNMENT = {
    "anipose_alignment_matrix": np.eye(3).reshape(-1),
    "anipose_alignment_center": np.zeros(3),
}


def warn_alignment_dropped(ds: xr.Dataset, path: object, title: str) -> None:
    """Warn that Anipose's axis alignment (``anipose_alignment_matrix`` / ``_center``) is
    not written: ``title``'s files have no place for it, so the aligned positions read
    back with no way to the cameras' raw frame. An identity alignment (nothing aligned)
    loses nothing and is not warned about.

    Examples
    --------
    >>> import warnings
    >>> import numpy as np, posebridge
    >>> ds = posebridge.from_numpy(np.zeros((2, 3, 1, 1)))
    >>> ds.attrs["anipose_alignment_center"] = [0.0, 3.0, 0.0]
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     warn_alignment_dropped(ds, "a.h5", "DeepLabCut")
    >>> str(caught[0].message)[:60]
    'a.h5: DeepLabCut files have no place for anipose_alignment_c'
    """
    dropped = []
    for name, nothing in _ALIGNMENT.items():
        if name not in ds.attrs:
            continue
        value = np.asarray(ds.attrs[name], dtype=np.float64).reshape(-1)
        if value.shape != nothing.shape or not np.array_equal(value, nothing):
            dropped.append(name)
    if dropped:
        warnings.warn(
            f"{path}: {title} files have no place for {', '.join(dropped)} (Anipose's axis "
            "alignment of the positions): not written, so the positions read back without "
            "the way to the cameras' frame. Write Anipose .csv or netCDF (.nc) to keep it.",
            UserWarning,
            stacklevel=user_stacklevel(),
        )


def keypoint_names_read_back(names: list[str]) -> tuple[str, str] | None:
    """For a format that stores no keypoint names: the names written, shown, and the
    numbered names they read back as (``keypoint_<k>``); ``None`` when they are those.

    Examples
    --------
    >>> keypoint_names_read_back(["nose", "tail"])
    ("'nose', 'tail'", 'keypoint_0..keypoint_1')
    >>> keypoint_names_read_back(["keypoint_0"]) is None
    True
    """
    if names == [f"keypoint_{k}" for k in range(len(names))]:
        return None
    shown = ", ".join(map(repr, names[:5])) + (", ..." if len(names) > 5 else "")
    numbered = "keypoint_0" if len(names) == 1 else f"keypoint_0..keypoint_{len(names) - 1}"
    return shown, numbered


def warn_keypoint_variables_dropped(
    ds: xr.Dataset,
    path: object,
    title: str,
    written: tuple[str, ...] = ("confidence",),
    holds: str = "its position and one score, the confidence",
) -> None:
    """Warn that per-keypoint variables other than those ``written`` (Anipose's
    ``reprojection_error`` and ``camera_count``, a DeepLabCut file's extra columns) are
    not written: ``title``'s files hold what a point ``holds`` (by default one score per
    point, the confidence).

    Examples
    --------
    >>> import warnings
    >>> import numpy as np, posebridge
    >>> ds = posebridge.from_numpy(np.zeros((2, 2, 1, 1)))
    >>> ds["camera_count"] = ds["confidence"]
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     warn_keypoint_variables_dropped(ds, "a.h5", "SLEAP analysis")
    >>> str(caught[0].message)[:58]
    'a.h5: SLEAP analysis files have no place for camera_count:'
    """
    per_point = {model.TIME, model.KEYPOINT, model.INDIVIDUAL}
    dropped = [
        str(name)
        for name, variable in ds.data_vars.items()
        if name not in written and set(variable.dims) - {model.VIEW} == per_point
    ]
    if dropped:
        warnings.warn(
            f"{path}: {title} files have no place for {', '.join(dropped)}: not written (a "
            f"point holds {holds}). Write netCDF (.nc) to keep them.",
            UserWarning,
            stacklevel=user_stacklevel(),
        )


#: What every writer writes (``position``, ``shape``, ``confidence``, and ``frame``: each
#: row's frame number, as its row or its time, with a warning when time in seconds is not
#: kept: :func:`warn_times_not_kept`) and what :func:`posebridge.save` names itself when a
#: format leaves it out (images of poses, data splits, categories, boxes, COCO ids and
#: areas, blob areas, symmetries, instance scores): :func:`warn_variables_not_written`
#: says nothing of these.
_SAID_ELSEWHERE = frozenset(
    {
        "position",
        "shape",
        "confidence",
        "frame",
        "image_path",
        "data_split",
        "category",
        "bbox",
        "image_id",
        "instance_area",
        "area",
        "skeleton_symmetries",
        "instance_score",
    }
)


#: The largest lazily read variable :func:`holds_nothing` reads to decide on a warning.
_READ_FOR_A_WARNING = 64 << 20


def holds_nothing(name: str, variable: xr.DataArray) -> bool:
    """Whether writing ``variable`` would keep nothing: every value missing, or a
    ``tracking_score`` of zeros (SLEAP's "no tracking score"). Only a variable of up to
    64 MiB (a per-frame or per-instance variable of a few million frames) is looked at,
    in memory or lazily read alike (a stream warns as memory does); a larger one is
    named without being read.

    Examples
    --------
    >>> import numpy as np, xarray as xr
    >>> holds_nothing("tracking_score", xr.DataArray(np.zeros(3)))
    True
    >>> holds_nothing("instance_score", xr.DataArray(np.zeros(3)))
    False
    """
    if variable.dtype.kind not in "fc" or variable.nbytes > _READ_FOR_A_WARNING:
        return False  # (the size is known without reading: ``.data`` of a lazy one would read)
    values = np.asarray(variable.values)
    missing = np.isnan(values)
    return bool(missing.all() or (name == "tracking_score" and ((values == 0) | missing).all()))


def _repeats_time(ds: xr.Dataset, name: str) -> bool:
    """Whether coordinate ``name`` along time holds the time coordinate's own values (a
    DANNCE ``sample_id`` without ``sync=``): nothing the written times lack."""
    coord = ds.coords[name]
    if coord.dims != (model.TIME,) or model.TIME not in ds.coords:
        return False
    if coord.nbytes > _READ_FOR_A_WARNING:
        return False
    time = np.asarray(ds[model.TIME].values)
    return bool(coord.shape == time.shape and np.array_equal(np.asarray(coord.values), time))


def variables_not_written(ds: xr.Dataset, kept: tuple[str, ...] = ()) -> list[str]:
    """The data variables and coordinates of ``ds`` a writer that keeps ``kept`` leaves
    out: variables not per keypoint (along ``time`` alone, ``(time, individual)``, ...)
    and coordinates other than the dims' own (a ``trial`` along time), other than those
    ``kept`` and those another warning names (:data:`_SAID_ELSEWHERE`; per-keypoint
    variables: :func:`warn_keypoint_variables_dropped`). Nothing is lost, and nothing named,
    for a variable of missing values only, a ``tracking_score`` of zeros (SLEAP's "no
    score") or a coordinate along time that repeats the times.

    Examples
    --------
    >>> import numpy as np, posebridge
    >>> ds = posebridge.from_numpy(np.zeros((3, 2, 1, 1)))
    >>> ds["led_on"] = ("time", np.zeros(3))
    >>> ds = ds.assign_coords(trial=("time", ["a", "a", "b"]), frame=("time", [0, 1, 2]))
    >>> variables_not_written(ds, kept=("frame",))
    ['led_on', 'trial']
    """
    per_point = {model.TIME, model.KEYPOINT, model.INDIVIDUAL}
    skipped = _SAID_ELSEWHERE | set(kept)
    variables = [
        str(name)
        for name, variable in ds.data_vars.items()
        if str(name) not in skipped
        and set(variable.dims) - {model.VIEW} != per_point
        and not holds_nothing(str(name), variable)
    ]
    coordinates = [str(name) for name in ds.coords if name not in ds.dims]
    return variables + [
        name for name in coordinates if name not in skipped and not _repeats_time(ds, name)
    ]


def warn_variables_not_written(
    ds: xr.Dataset, path: object, title: str, kept: tuple[str, ...] = ()
) -> None:
    """Warn, naming them, of the variables and coordinates ``title``'s writer leaves out
    (:func:`variables_not_written`): a per-frame signal, a per-animal measure, a trial
    label along time. netCDF keeps every one of them.

    Parameters
    ----------
    ds
        The dataset to write.
    path
        The output, named in the warning.
    title
        The format, for the message.
    kept
        The variables and coordinates the writer writes beyond the position and the
        confidence (``("frame", "tracking_score")``).

    Examples
    --------
    >>> import numpy as np, posebridge
    >>> from posebridge._recorded_warnings import recording_warnings
    >>> ds = posebridge.from_numpy(np.zeros((3, 2, 1, 1)))
    >>> ds["speed"] = (("time", "individual"), np.zeros((3, 1)))
    >>> with recording_warnings() as shown:
    ...     warn_variables_not_written(ds, "a.h5", "DeepLabCut")
    >>> print(shown[0].message)  # doctest: +ELLIPSIS
    a.h5: DeepLabCut files have no place for speed: not written. Write netCDF (.nc) ...
    """
    if dropped := variables_not_written(ds, kept):
        warnings.warn(
            f"{path}: {title} files have no place for {', '.join(dropped)}: not written. "
            "Write netCDF (.nc) to keep them.",
            UserWarning,
            stacklevel=user_stacklevel(),
        )


def _frame_rate(ds: xr.Dataset) -> float | None:
    """The dataset's ``fps`` when it is a frame rate (a finite number above 0)."""
    fps = ds.attrs.get("fps")
    number = isinstance(fps, int | float | np.number) and not isinstance(fps, bool)
    return float(fps) if number and np.isfinite(fps) and fps > 0 else None


def loses_times(ds: xr.Dataset, *, from_first_frame: bool = False) -> bool:
    """Whether a format holding a frame number per row loses the dataset's time: time in
    seconds that is not its frame numbers over its ``fps`` (labels aside: rows of their own
    frames). ``from_first_frame``: the format's reader may count time from the first frame
    (VIA's, as movement's), so times of the frame numbers less the first, over ``fps``, are
    kept too.

    Examples
    --------
    >>> import numpy as np, posebridge
    >>> ds = posebridge.from_numpy(np.ones((3, 2, 1, 1)), fps=25.0)
    >>> loses_times(ds), loses_times(ds.assign_coords(time=[0.4, 0.45, 0.81]))
    (False, True)
    """
    if ds.attrs.get("time_unit") != "seconds" or labels.is_labels(ds):
        return False
    rate = _frame_rate(ds)
    frames = model.frame_numbers(ds)
    seconds = np.asarray(ds[model.TIME].values, dtype=np.float64)
    if rate is None or frames is None:
        return True
    numbers = np.asarray(frames, dtype=np.float64)
    starts = [0.0, numbers.min()] if from_first_frame and numbers.size else [0.0]
    return not any(
        np.allclose((numbers - start) / rate, seconds, rtol=1e-9, atol=1e-9) for start in starts
    )


def warn_times_not_kept(
    ds: xr.Dataset, path: object, title: str, *, from_first_frame: bool = False
) -> None:
    """Warn that time in seconds is not kept by a format that holds a frame number per row
    (``title``: SLEAP's files, a ``sleap_io.Labels``, VIA tracks), when the times are not
    those frame numbers over the dataset's ``fps`` (timestamps off that grid, or no rate):
    they read back in frames. Labels (rows of their own frames) and times that are
    ``frame / fps`` (had again from the rate) say nothing; so do ``(frame - first) / fps``
    with ``from_first_frame`` (:func:`loses_times`). Boxes are pointed at netCDF alone
    (NWB holds none).

    Examples
    --------
    >>> import numpy as np, posebridge
    >>> ds = posebridge.from_numpy(np.ones((3, 2, 1, 1)), fps=25.0)
    >>> warn_times_not_kept(ds, "a.slp", "SLEAP .slp")  # frame / fps: nothing lost
    >>> from posebridge._recorded_warnings import recording_warnings
    >>> with recording_warnings() as shown:
    ...     warn_times_not_kept(ds.assign_coords(time=[0.4, 0.45, 0.81]), "a.slp", "SLEAP .slp")
    >>> print(shown[0].message)  # doctest: +ELLIPSIS
    a.slp: the dataset's time in seconds is not kept: SLEAP .slp holds a frame number ...
    """
    if not loses_times(ds, from_first_frame=from_first_frame):
        return
    rate = _frame_rate(ds)
    keep = "netCDF (.nc)" if ds.attrs.get("ds_type") == model.BBOXES else "NWB or netCDF (.nc)"
    warnings.warn(
        f"{path}: the dataset's time in seconds is not kept: {title} holds a frame number "
        "per row, and these times are not the frame numbers over "
        f"{'a frame rate' if rate is None else f'its fps ({rate:g})'}; they read back in "
        f"frames. Write {keep} to keep them.",
        UserWarning,
        stacklevel=user_stacklevel(),
    )
