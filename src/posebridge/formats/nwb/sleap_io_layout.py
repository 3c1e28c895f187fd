"""sleap-io's predictions layout of NWB, written on request (``layout="sleap-io"``).

One processing module ``SLEAP_VIDEO_<iii>_<video stem>`` per video, a camera
Device ``camera_<i>``, one PoseEstimation ``track=<individual>`` per
individual with ``original_videos`` / ``labeled_videos`` naming the video,
and one Skeleton shared by all, in ``behavior/Skeletons``: the names
``sleap_io.load_nwb`` looks for. A new file, an append (all or nothing, as
:mod:`posebridge.formats.nwb.append`), or into an in-memory ``NWBFile``; poses
appended from another session are shifted to keep their moment, as
:func:`~posebridge.formats.nwb.append.on_file_origin` does for posebridge's
layout. Every series is named after its keypoint (sleap-io's reader looks
nodes up by name): keypoints or metadata that would name one otherwise are
refused.
"""

from __future__ import annotations

import math
import re
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from posebridge import model
from posebridge._files import check_input
from posebridge._outputs import atomic_outputs, updated_in_place
from posebridge._recorded_warnings import dropping_warnings, give_again, recording_warnings
from posebridge.errors import FormatError, PoseBridgeError, SchemaError, user_stacklevel
from posebridge.formats.nwb.append import (
    check_nwb,
    in_file_unit,
    keypoints_held,
    on_file_origin,
    refuse_other_keypoints,
    refuse_other_space,
    specifications_in_conflict,
    units_held,
)
from posebridge.formats.nwb.build import (
    add_poses,
    views_of,
    warn_unwritten,
)
from posebridge.formats.nwb.common import (
    DEFAULT_MODULE,
    REFERENCE_TIME,
    container_name,
    parse_marker,
    reading_with_pynwb,
    rejected,
    unique_names,
    warn_renamed,
)
from posebridge.formats.nwb.config import NWBFileSaveConfig
from posebridge.formats.nwb.devices import dataset_video
from posebridge.formats.nwb.locate import object_info
from posebridge.formats.nwb.naming import pose_series_names, warn_suffixed_names
from posebridge.formats.nwb.storage import Storage
from posebridge.formats.nwb.time_plan import time_plan
from posebridge.formats.nwb.timing import series_times
from posebridge.model import labels


def _stem(video: str) -> str:
    name = video.replace("\\", "/").rsplit("/", 1)[-1]
    return name.rsplit(".", 1)[0] if "." in name else name


def sleap_io_config(ds: xr.Dataset, index: int) -> NWBFileSaveConfig:
    """The names sleap-io's predictions writer gives video ``index`` of a dataset.

    A processing module ``SLEAP_VIDEO_<iii>_<video stem>``, a Device
    ``camera_<i>``, one PoseEstimation ``track=<individual>`` per individual,
    with ``original_videos`` / ``labeled_videos`` naming the video (sleap-io's
    reader needs them). What hdmf refuses in a name (``/``, ``:``) becomes ``_``
    (:func:`~posebridge.formats.nwb.common.container_name`); posebridge reads
    the individual's own name back from the description's tag.

    Examples
    --------
    >>> import numpy as np, posebridge
    >>> ds = posebridge.from_numpy(np.zeros((2, 2, 1, 2)), individual_names=["a:1", "b"])
    >>> [kw["name"] for kw in sleap_io_config(ds, 0).pose_estimation_kwargs.values()]
    ['track=a_1', 'track=b']
    """
    video = str(ds.attrs.get("video_path") or labels.UNKNOWN_VIDEO)
    stem = _stem(video) or "video"
    individuals = [str(i) for i in ds["individual"].values]
    tracks = unique_names([f"track={name}" for name in individuals], container_name)
    per_track = {
        name: {
            "name": track,
            "original_videos": [video],
            "labeled_videos": [video],
        }
        for name, track in zip(individuals, tracks, strict=True)
    }
    return NWBFileSaveConfig(
        processing_module_kwargs={
            "name": container_name(f"SLEAP_VIDEO_{index:03}_{stem}"),
            "description": "Processed SLEAP data",
        },
        device_kwargs={
            "name": f"camera_{index}",
            "description": f"Camera for {video.replace(chr(92), '/').rsplit('/', 1)[-1]}",
        },
        pose_estimation_kwargs=per_track,
        video_kwargs={"name": f"video_{index}"},
    )


def _callers_keys_win(given: NWBFileSaveConfig, layout: NWBFileSaveConfig) -> NWBFileSaveConfig:
    """``layout`` (the caller's config merged with sleap-io's names) with the caller's
    PoseEstimation keys put back over the layout's defaults, as sleap-io lets
    ``pose_estimation_metadata`` override its own (``original_videos``,
    ``labeled_videos``...); the container ``name`` stays sleap-io's
    ``track=<name>``, which its reader needs.

    Examples
    --------
    >>> import numpy as np, posebridge
    >>> ds = posebridge.from_numpy(np.zeros((2, 2, 1, 1)), individual_names=["m"])
    >>> given = NWBFileSaveConfig(pose_estimation_kwargs={"original_videos": ["/new/a.mp4"]})
    >>> kwargs = _callers_keys_win(given, given.merged(sleap_io_config(ds, 0)))
    >>> kwargs.pose_estimation_kwargs["m"]["original_videos"]
    ['/new/a.mp4']
    """
    per_track = layout.pose_estimation_kwargs
    for individual, kwargs in per_track.items():
        kwargs.update(
            {
                key: value
                for key, value in given.resolve("pose_estimation_kwargs", individual).items()
                if key != "name"
            }
        )
    return layout


def _refuse_renamed_keypoints(ds: xr.Dataset, where: Any) -> None:
    """Refuse keypoints whose series would need another name than the keypoint's.

    sleap-io's reader finds each node's PoseEstimationSeries by the node's
    name, and a series' name cannot hold ``/`` or ``:`` (nor be ``.``, or
    repeat another's once cleaned, see
    :func:`~posebridge.formats.nwb.common.container_name`): sleap-io could not
    read such a file. posebridge's own layout writes them (it reads the names
    back from the Skeleton's nodes).
    """
    renamed = _renamed_keypoints(ds, lambda keypoints: unique_names(keypoints, container_name))
    if not renamed:
        return
    shown = _first_pairs(renamed, "{0!r} (series {1!r})")
    chars = sorted({c for k, _ in renamed for c in k if c in "/:\\"})
    held = f" ({', '.join(map(repr, chars))} cannot be in an NWB name)" if chars else ""
    raise PoseBridgeError(
        f"{where}: layout='sleap-io' cannot hold the keypoint names {shown}{held}: "
        "sleap-io's reader finds each node's series by the node's name, so it could not "
        "read the file. Rename the keypoints (ds.assign_coords(keypoint=[...])), or use "
        "layout='posebridge' (posebridge.save's default), which keeps these names."
    )


def _renamed_keypoints(
    ds: xr.Dataset, series_names: Callable[[list[str]], list[str]]
) -> list[tuple[str, str]]:
    """``(keypoint, series name)`` of each keypoint whose series ``series_names`` names
    otherwise than the keypoint."""
    keypoints = [str(k) for k in ds["keypoint"].values]
    names = series_names(keypoints)
    return [(k, n) for k, n in zip(keypoints, names, strict=True) if n != k]


def _first_pairs(pairs: list[tuple[str, str]], form: str) -> str:
    """The first five ``(keypoint, series name)`` pairs, each as ``form`` writes it, and
    how many more there are.

    Examples
    --------
    >>> _first_pairs([("a", "b")] * 6, "{0} as {1}")
    'a as b, a as b, a as b, a as b, a as b and 1 more'
    """
    shown = ", ".join(form.format(keypoint, name) for keypoint, name in pairs[:5])
    return shown + (f" and {len(pairs) - 5} more" if len(pairs) > 5 else "")


def _refuse_renamed_series(ds: xr.Dataset, config: NWBFileSaveConfig, where: Any) -> None:
    """Refuse metadata that names a keypoint's series otherwise than the keypoint.

    sleap-io's reader looks each node of the Skeleton up as the name of a
    PoseEstimationSeries (``pose_estimation[node]``), so in its layout a series
    must be named as its node: a series named otherwise would make the file
    unreadable to it, and naming the node as the series would rename the
    keypoint for sleap-io. posebridge's layout names series freely (the
    description's ``[posebridge keypoint: ...]`` tag keeps the keypoint).
    """
    renamed = _renamed_keypoints(ds, lambda keypoints: pose_series_names(config, keypoints))
    if not renamed:
        return
    shown = _first_pairs(renamed, "{0!r} as {1!r}")
    raise PoseBridgeError(
        f"{where}: the metadata (pose_estimation_series name) names the series of "
        f"{shown}, which layout='sleap-io' cannot hold: sleap-io's reader finds each "
        "node's PoseEstimationSeries by the node's name, so sleap_io.load_nwb could not read "
        "the file. Leave the series' name out of the metadata (each is named after its "
        "keypoint), rename the keypoints themselves (ds.assign_coords(keypoint=[...])), or "
        "use layout='posebridge' (posebridge.save's default), which keeps both names."
    )


def _warn_unwritten_once(datasets: list[xr.Dataset], where: Any) -> None:
    """Warn of what NWB does not keep once per save, not once per video.

    Each video's dataset is checked (:func:`~posebridge.formats.nwb.build.warn_unwritten`)
    before anything is written, and a warning repeated word for word by another video is
    given once (the README's NWB *Choices*).

    Parameters
    ----------
    datasets : list of xarray.Dataset
        One dataset per video, as they are written.
    where : Any
        The file (or in-memory NWBFile) the warnings name.

    Examples
    --------
    >>> _warn_unwritten_once(datasets, "out.nwb")  # doctest: +SKIP
    """
    with recording_warnings() as caught:
        for ds in datasets:
            warn_unwritten(ds, where)
            warn_suffixed_names(ds, where, individuals_named=True)
    _give_once(caught)


def _give_once(caught: list[warnings.WarningMessage]) -> None:
    """Give each recorded warning again, a warning repeated word for word once.

    Parameters
    ----------
    caught : list of warnings.WarningMessage
        Warnings recorded (:func:`~posebridge._recorded_warnings.recording_warnings`),
        one video's after another's.

    Examples
    --------
    >>> with recording_warnings() as caught:
    ...     for video in range(2):
    ...         warnings.warn("the same for every video", UserWarning, stacklevel=1)
    >>> with warnings.catch_warnings(record=True) as shown:
    ...     warnings.simplefilter("always")
    ...     _give_once(caught)
    >>> len(shown)
    1
    """
    given: set[tuple[type[Warning], str]] = set()
    for warning in caught:
        key = (warning.category, str(warning.message))
        if key not in given:
            given.add(key)
            give_again(warning)


def _video_module(
    target: Any, existing: list[str], ds: xr.Dataset, new_index: int
) -> tuple[xr.Dataset, int]:
    """The video module an appended dataset joins: the one of its video, else a new one.

    sleap-io reads one video per ``SLEAP_VIDEO_<iii>_<stem>`` module, so tracks of a
    video already in the file join its module (a new module would be a second
    video to sleap-io). A dataset that names no video joins the file's only
    video module, taking that module's video path.
    """
    video = ds.attrs.get("video_path")
    for name in existing:
        found = re.match(r"SLEAP_VIDEO_(\d+)_", str(name))
        containers = list(target.processing[name].data_interfaces.values())
        videos = [
            str(v) for c in containers for v in (getattr(c, "original_videos", None) or [])[:1]
        ]
        if found is None or not videos:
            continue
        if video and str(video) in videos:
            return ds, int(found[1])
        if not video and len(existing) == 1:
            return ds.assign_attrs(video_path=videos[0]), int(found[1])
    return ds, new_index


def _sampling_rate(ds: xr.Dataset) -> float | None:
    """The rate (Hz) the dataset's samples are written at: 1 for time in frames, else its
    fps, else the rate of regular times; ``None`` for irregular times."""
    if ds.attrs.get("time_unit") == "frames":
        return 1.0
    fps = ds.attrs.get("fps")
    return float(fps) if fps else time_plan(ds).rate


def _module_rate(module: Any) -> tuple[float, str] | None:
    """A rate the module's series are sampled at (their ``rate``, else posebridge's fps
    marker) and the container that has it; ``None`` when no series says (sleap-io's
    ``rate=0.0`` of a sparse track says nothing)."""
    for container in module.data_interfaces.values():
        for series in (getattr(container, "pose_estimation_series", None) or {}).values():
            if series.rate is not None and series.rate > 0:
                return float(series.rate), container.name
            marker = parse_marker(series.comments)
            if marker is not None and marker[0] in ("fps", "frames"):
                return marker[1] or 1.0, container.name
    return None


def _in_module_time(target: Any, module_name: str, ds: xr.Dataset, where: Any) -> xr.Dataset:
    """The dataset in the time of the video module it joins.

    Frame numbers (a dataset without fps, or Labels appended without
    ``video_sample_rate``) take the rate the module's tracks are sampled at: they
    are frames of that video. Another rate is refused: sleap-io's reader merges
    the times of a video's tracks into one frame axis (a frame is a rank among
    them), so tracks of two rates would interleave their frames, frame 1 of one
    beside frame 30 of another.
    """
    if module_name not in target.processing:
        return ds
    existing = _module_rate(target.processing[module_name])
    if existing is None:
        return ds
    if ds.attrs.get("time_unit") == "frames" and existing[0] != 1.0:
        return model.with_fps(ds, existing[0])
    rate = _sampling_rate(ds)
    if rate is None or math.isclose(existing[0], rate, rel_tol=1e-9):
        return ds
    raise PoseBridgeError(
        f"{where}: cannot add the dataset to {module_name!r}: its {existing[1]!r} is sampled "
        f"at {existing[0]:g} Hz"
        + (" (sleap-io writes frame numbers as seconds)" if existing[0] == 1.0 else "")
        + f" and the dataset at {rate:g} Hz. sleap-io's reader merges the times of a "
        "video's tracks into one frame axis, so their frames would interleave. Give the "
        f"dataset the file's rate ({existing[0]:g} fps) or time in frame numbers (read it "
        "without fps; frames take the file's rate), or append with layout='posebridge'. "
        "The file was left unchanged."
    )


def _module_times(target: Any, module_name: str) -> np.ndarray:
    """The sorted times of the samples of every track already in a video module (none
    when the module is new); a series whose times are unknown (sleap-io's ``rate=0.0``
    of a sparse track) adds none."""
    if module_name not in target.processing:
        return np.zeros(0)
    found = []
    for container in target.processing[module_name].data_interfaces.values():
        for series in (getattr(container, "pose_estimation_series", None) or {}).values():
            try:
                found.append(series_times(series))
            except PoseBridgeError:
                continue
    return np.unique(np.concatenate(found)) if found else np.zeros(0)


def _warn_frames_sleap_io_renumbers(
    ds: xr.Dataset, where: Any, module_times: np.ndarray | None = None
) -> None:
    """Warn when ``sleap_io.load_nwb`` will give the dataset's frames other numbers.

    sleap-io's reader numbers a video's frames by the rank of their times among
    all its tracks' times (and puts an uninitialised value among them, 0.0 in
    practice), so it reads frame numbers right only when the times are those of
    every frame from 0, counted from 0 s (poses of another session appended, whose
    times are shifted to the file's clock, are read one frame late). Tracks
    joining a video module already in the file (``module_times``: the times of
    its tracks' samples) are ranked among its tracks' times: their
    frames are read right when they are those ranks, and the tracks already
    there keep theirs when no new time comes before or between them.
    posebridge reads the file's times back as written.

    Examples
    --------
    >>> import numpy as np, posebridge, warnings
    >>> ds = posebridge.from_numpy(np.zeros((2, 2, 1, 1)), fps=10)
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     _warn_frames_sleap_io_renumbers(ds, "f.nwb", module_times=np.array([0.0, 0.1]))
    ...     _warn_frames_sleap_io_renumbers(ds, "f.nwb", module_times=np.array([10.0]))
    >>> len(caught), "whose frames it will renumber too" in str(caught[0].message)
    (1, True)
    """
    frames = model.frame_numbers(ds)
    if frames is None or not frames.size or frames.min() < 0:
        return
    joined = ""
    time = np.asarray(ds[model.TIME].values, dtype=np.float64)
    if module_times is None or not module_times.size:
        # its uninitialised value is 0.0 in practice: times not from 0 (poses of another
        # session, shifted to the file's clock) are read one frame late
        ranks = np.searchsorted(np.union1d(time, [0.0]), time)
        if np.array_equal(ranks, frames):
            return
    else:
        union = np.union1d(np.union1d(module_times, time), [0.0])
        ranks = np.searchsorted(union, time)
        moved = np.searchsorted(union, module_times) != np.arange(module_times.size)
        if np.array_equal(ranks, frames) and not moved.any():
            return
        joined = (
            f" (here, among the times of the {module_times.size} frames of the video's tracks "
            "already in the file"
            + (", whose frames it will renumber too" if moved.any() else "")
            + ")"
        )
    shown = ", ".join(str(int(f)) for f in frames[:4]) + ", ..." * (frames.size > 4)
    warnings.warn(
        f"{where}: sleap_io.load_nwb numbers a video's frames by the rank of their times"
        f"{joined}, so it will renumber these frames ({shown}); posebridge reads them back as "
        "written. For sleap-io, give the dataset every frame from 0 "
        "(ds.reindex(time=range(last frame + 1)), NaN where there is no pose)"
        + (
            ", at times from 0 s (these start at "
            f"{time.min():g} s: poses of another session are moved to the file's clock; "
            "give them the file's session_start_time to keep them on their video's)"
            if time.size and time.min() != 0 and frames.min() == 0
            else ""
        )
        + ".",
        UserWarning,
        stacklevel=user_stacklevel(),
    )


def _refuse_other_skeleton(
    target: Any, modules: list[str], datasets: list[xr.Dataset], out_path: Path | None
) -> None:
    """Refuse poses whose keypoints are not those of the poses already in the layout.

    sleap-io's reader reads every video module's tracks with one skeleton, the
    first track's (it looks each node's series up by name), so poses of
    another skeleton in the same file would make ``sleap_io.load_nwb`` fail, and
    posebridge could read them back only as one set of keypoints. Checked
    before anything is added, so an in-memory ``NWBFile`` is left as it was too.

    Examples
    --------
    >>> import numpy as np, posebridge, pynwb, datetime as dt
    >>> one = posebridge.from_numpy(np.zeros((2, 2, 2, 1)), keypoint_names=["a", "b"])
    >>> other = one.assign_coords(keypoint=["a", "c"])
    >>> nwbfile = pynwb.NWBFile("poses", "id", dt.datetime.now(dt.UTC))
    >>> _refuse_other_skeleton(nwbfile, [], [one, other], None)
    Traceback (most recent call last):
    ...
    posebridge.errors.PoseBridgeError: the in-memory NWBFile: these poses are of two ...
    """
    where = out_path if out_path is not None else "the in-memory NWBFile"
    found: list[tuple[str, list[str]]] = []
    for name in modules:
        for container in target.processing[name].data_interfaces.values():
            skeleton = getattr(container, "skeleton", None)
            if skeleton is not None and getattr(container, "pose_estimation_series", None):
                said = f"the Skeleton {skeleton.name!r} of {name}/{container.name}"
                found.append((said, [str(n) for n in skeleton.nodes[:]]))
                break
        if found:
            break
    in_file = bool(found)
    found += [("these poses", [str(k) for k in ds["keypoint"].values]) for ds in datasets]
    other = next((item for item in found[1:] if item[1] != found[0][1]), None)
    if other is None:
        return

    def nodes(names: list[str]) -> str:
        return f"{len(names)}: {', '.join(names[:4])}{', ...' if len(names) > 4 else ''}"

    first = f"holds poses of {found[0][0]}" if in_file else "these poses are of two skeletons:"
    raise PoseBridgeError(
        f"{where}: {first} ({nodes(found[0][1])}) and {other[0]} have other keypoints "
        f"({nodes(other[1])}). sleap-io's layout holds one skeleton: sleap_io.load_nwb reads "
        "every video's tracks with the first track's skeleton, so it could not read the file"
        + (" (nothing was added)" if in_file else "")
        + ". Write these poses to another NWB file, or give them the same keypoints first "
        "(ds.reindex(keypoint=[...]), NaN where a keypoint has no point)."
    )


def _times_origin(nwbfile: Any) -> Any:
    """The moment an ``NWBFile``'s times count from: its ``timestamps_reference_time``,
    else its session start (NWB's default reference)."""
    reference = getattr(nwbfile, REFERENCE_TIME, None)
    return reference if reference is not None else nwbfile.session_start_time


def holds_sleap_io_layout(path: Path) -> bool:
    """Whether an NWB file's poses are in sleap-io's layout only (``SLEAP_VIDEO_*``
    modules of ``track=<name>`` containers), so an append should keep that layout.

    Examples
    --------
    >>> holds_sleap_io_layout(Path("written_by_sleap_io.nwb"))  # doctest: +SKIP
    True
    """
    from posebridge.formats.nwb.read import file_info

    try:
        containers = file_info(path).containers
    except PoseBridgeError:
        return False
    return bool(containers) and all(
        c.module.startswith("SLEAP_VIDEO_") and c.name.startswith("track=") for c in containers
    )


def _space_in(target: Any) -> list[str] | None:
    """The space axes of the poses an ``NWBFile`` holds already, in any module and
    layout (``x, y`` or ``x, y, z``: the widest of its pose series; ``None``: it
    holds none), read from the series' shapes, not their data.

    Examples
    --------
    >>> import numpy as np, posebridge, pynwb, datetime as dt
    >>> nwbfile = pynwb.NWBFile("poses", "id", dt.datetime.now(dt.UTC))
    >>> _space_in(nwbfile) is None
    True
    >>> ds = posebridge.from_numpy(np.zeros((2, 3, 1, 1)), fps=10)
    >>> _ = add_poses(nwbfile, ds, ["id_0"], NWBFileSaveConfig(), Storage(chunked=False))
    >>> _space_in(nwbfile)
    ['x', 'y', 'z']
    """
    widths: set[int] = set()
    for module in target.processing.values():
        for container in module.data_interfaces.values():
            # a MultiCameraPoseEstimation holds its views' PoseEstimations too
            members = [container, *getattr(container, "pose_estimations", {}).values()]
            for member in members:
                for series in getattr(member, "pose_estimation_series", {}).values():
                    data = series.data
                    shape = getattr(data, "shape", None) or getattr(data, "maxshape", None)
                    if shape is not None and len(shape) == 2 and shape[1] in (2, 3):
                        widths.add(int(shape[1]))
    return list(model.SPACE_NAMES[: max(widths)]) if widths else None


def _refuse_not_2d(ds: xr.Dataset, where: Path | str, append: bool) -> None:
    """Refuse poses that are not 2-D: ``sleap_io.load_nwb`` reads (x, y) only, and
    fails on a file with 3-D series (every track of it, not only the 3-D ones).

    Raises
    ------
    SchemaError
        Naming the file (``where``) and pointing to posebridge's layout.

    Examples
    --------
    >>> import numpy as np, posebridge
    >>> ds = posebridge.from_numpy(np.zeros((2, 3, 1, 1)))
    >>> _refuse_not_2d(ds, "out.nwb", False)
    Traceback (most recent call last):
    ...
    posebridge.errors.SchemaError: out.nwb: layout='sleap-io' cannot hold 3-D poses ...
    """
    axes = [str(name) for name in ds[model.SPACE].values]
    if len(axes) == 2:
        return
    then = (
        "appending them would leave the file unreadable by sleap-io, its own tracks too"
        if append
        else "sleap_io.load_nwb could not open the file"
    )
    raise SchemaError(
        f"{where}: layout='sleap-io' cannot hold {len(axes)}-D poses ({', '.join(axes)}): "
        f"sleap-io reads 2-D poses (x, y) only, so {then}. Write them with "
        "layout='posebridge' (posebridge.save's default), which holds 3-D poses"
        + (", to a new file." if append else ".")
    )


def write_sleap_io_layout(
    datasets: list[xr.Dataset],
    path: Path,
    config: NWBFileSaveConfig,
    storage: Storage,
    *,
    overwrite: bool = False,
    append: bool = False,
    nwbfile: Any = None,
    skeleton_name: str | None = None,
) -> Any:
    """Write datasets (one per video) in sleap-io's layout: a new file, an append, or into
    an in-memory ``nwbfile`` (returned; nothing is written then).

    In a file, series of dask arrays are empty datasets filled once hdmf has written
    it (:func:`~posebridge.formats.nwb.stream.fill_series`); in an in-memory
    ``nwbfile``, hdmf chunk iterators."""
    import dataclasses

    import ndx_pose  # noqa: F401 - registers the ndx-pose types
    import pynwb

    from posebridge.formats.nwb.build import new_nwbfile
    from posebridge.formats.nwb.stream import fill_series, streamed_in

    def fill_streamed(written: Any) -> None:
        fill_series([(data.dataset, data.source) for data in streamed_in(written)])

    for ds in datasets:
        where = "the in-memory NWBFile" if nwbfile is not None else path
        views = views_of(ds)
        if views != [None]:
            raise SchemaError(
                f"{where}: layout='sleap-io' cannot hold camera views: sleap-io's predictions "
                "layout has one processing module per video (SLEAP_VIDEO_<i>_<video stem>), "
                f"each with its one camera Device, and the dataset's {len(views)} views "
                f"({', '.join(map(repr, views))}) share one video path. Use layout='posebridge' "
                "(posebridge.save's: one PoseEstimation per view, each linked to its camera's "
                "Device), or give "
                "posebridge.formats.nwb.write_sleap_io one dataset per view "
                "(ds.sel(view=...)), each with its own video_path attribute."
            )
        _refuse_not_2d(ds, where, append)
        _refuse_renamed_keypoints(ds, where)
        _refuse_renamed_series(ds, config, where)
    target_named = "the in-memory NWBFile" if nwbfile is not None else path
    kept = [name for ds in datasets if isinstance(name := ds.attrs.get("skeleton_name"), str)]
    given = skeleton_name or config.resolve("skeleton_kwargs", None).get("name")
    if given is not None and container_name(str(given)) != str(given):
        raise PoseBridgeError(
            f"{target_named}: the skeleton name given ({given!r}, skeleton_name= or "
            "skeleton_kwargs name) holds '/' or ':', which NWB does not allow in an "
            f"object's name; give one without them, e.g. {container_name(str(given))!r}."
        )
    if given is not None and "\x00" in str(given):  # NWB would cut the name at the NUL
        raise PoseBridgeError(
            f"{target_named}: the skeleton name given ({str(given)!r}, skeleton_name= or "
            "skeleton_kwargs name) holds '\\x00', which NWB files cannot hold in a name; "
            "give one without it."
        )
    if given is None and kept and "\x00" in kept[0]:
        raise SchemaError(
            f"{target_named}: the dataset's skeleton_name {kept[0]!r} holds '\\x00', which "
            "NWB files cannot hold in a name; rename it first, e.g. "
            "ds.attrs['skeleton_name'] = 'new_name'."
        )
    # else the name read from the source (SLEAP, NWB), as NWB can take it
    shared = given or (
        warn_renamed(target_named, "skeleton_name", kept[0]) if kept else "skeleton"
    )

    def fill(target: Any, out_path: Path | None, adding: bool, storage: Storage) -> None:
        """Add the datasets to ``target``; ``adding``: to a file (object) that was there,
        whose times count from its own moment."""
        existing = [name for name in target.processing if str(name).startswith("SLEAP_VIDEO_")]
        where = out_path if out_path is not None else "the in-memory NWBFile"
        present = _space_in(target)  # posebridge's layout may hold 3-D poses there already
        for ds in datasets:
            refuse_other_space(ds, where, present)
        _refuse_other_skeleton(target, existing, datasets, out_path)
        # in any layout (posebridge's too), as posebridge reads them: on one keypoint axis
        held = keypoints_held(object_info(target))
        for ds in datasets:
            refuse_other_keypoints(ds, where, held)
        _warn_unwritten_once(datasets, where)
        first = len(existing)
        renumbered: list[warnings.WarningMessage] = []  # given once per save, after the loop
        for offset, ds in enumerate(datasets):
            ds, index = _video_module(target, existing, ds, first + offset)
            individuals = [str(i) for i in ds["individual"].values]
            layout = _callers_keys_win(config, config.merged(sleap_io_config(ds, index)))
            layout = in_file_unit(ds, where, units_held(object_info(target)), layout)
            ds = _in_module_time(target, layout.processing_module_kwargs["name"], ds, where)
            if adding:  # as posebridge's layout appends: the poses keep their moment
                ds = on_file_origin(ds, where, _times_origin(target))
            # sleap-io numbers the frames of a video module by the rank of their times
            module_times = _module_times(target, layout.processing_module_kwargs["name"])
            with recording_warnings() as caught:
                _warn_frames_sleap_io_renumbers(ds, where, module_times)
            renumbered += caught
            video = dataset_video(ds)
            # ndx-pose 0.4 deprecates original_videos, which sleap-io's readers take; any
            # other deprecation (pynwb's, the caller's metadata's) is given
            with dropping_warnings(
                DeprecationWarning, message=r"The '\w+' constructor argument is deprecated"
            ):
                add_poses(
                    target,
                    ds,
                    individuals,
                    layout,
                    storage,
                    video,
                    out_path,
                    appending=True,
                    shared_skeleton=(DEFAULT_MODULE, shared),
                    always_confidence=True,  # sleap-io's reader reads confidence[:]
                    rate_of_one_only=True,  # it takes times as arange(n) * rate
                )
        _give_once(renumbered)

    if nwbfile is not None:
        fill(nwbfile, None, adding=True, storage=storage)
        return nwbfile
    in_file = dataclasses.replace(storage, filled_later=True)
    if append:
        target = check_input(path)
        check_nwb(target)
        with updated_in_place(target, "appending pose data to it") as temporary:
            try:
                with pynwb.NWBHDF5IO(str(temporary), "a") as io:
                    with reading_with_pynwb():  # sleap-io's file: its 0 Hz rates
                        loaded = io.read()
                    fill(loaded, target, adding=True, storage=in_file)
                    io.write(loaded)
                    fill_streamed(loaded)
            except PoseBridgeError:
                raise
            except Exception as error:
                refused = specifications_in_conflict(error, target, layout="sleap-io")
                if refused is not None:
                    raise refused from error
                raise FormatError(
                    target,
                    f"could not append pose data ({type(error).__name__}: {error}); "
                    "the file was left unchanged.",
                ) from error
        return [target]
    session = NWBFileSaveConfig(
        nwbfile_kwargs={"session_description": "Processed SLEAP pose data"}
    )
    built = new_nwbfile(datasets[0], session.merged(config), None, where=str(path))
    try:
        fill(built, Path(path), adding=False, storage=in_file)
    except (TypeError, ValueError) as error:
        if isinstance(error, PoseBridgeError):
            raise
        raise rejected(error, f"{path}: ndx-pose rejected the pose data") from error
    with (
        atomic_outputs([Path(path)], overwrite=overwrite) as (temporary,),
        pynwb.NWBHDF5IO(str(temporary), "w") as io,
    ):
        io.write(built)
        fill_streamed(built)
    return [Path(path)]
