"""Build pynwb / ndx-pose objects from a poses dataset (nothing is written here).

Layout of what is built, per individual: one ``PoseEstimation`` in
``processing["behavior"]`` holding one ``PoseEstimationSeries`` per keypoint
(data (T, 2|3), confidence unless the dataset has none), a ``Skeleton`` with
the keypoints and the dataset's ``skeleton_edges`` in ``Skeletons``, a link to
the camera ``Device`` (``device``) and, given a video, to an external
``ImageSeries`` in ``acquisition`` (``source_video``).

Camera views (a ``view`` dim), as ndx-pose lays out several cameras: one
``PoseEstimation`` per view and individual (``PoseEstimation_<view>`` or
``PoseEstimation_<view>_<individual>``), each linked to its view's ``Device``
(one per view, named after it) and to its individual's one ``Skeleton``; the
description carries a ``[posebridge view j/m: name]`` tag before the
individual tag, which keep the views' and individuals' names and order. No
video is linked (one video is one camera's).

Names: a ``/`` or ``:`` in an individual, view or keypoint name (hdmf refuses
both in a container's name) becomes ``_`` in the names of the containers
(:func:`~posebridge.formats.nwb.common.container_name`); the names themselves
are read back from the tags and the Skeleton's nodes. The containers' names
and the tags' ranks are chosen in :mod:`posebridge.formats.nwb.naming`; how
the arrays are stored (chunks, compression, dtype, dask streaming) in
:mod:`posebridge.formats.nwb.storage`; the cameras (``Device``) and the source
video in :mod:`posebridge.formats.nwb.devices`; which ``Skeleton`` poses link in
:mod:`posebridge.formats.nwb.skeletons`.

Time: regular samples are written as ``rate`` + ``starting_time`` (the
dataset's ``fps`` when it fits, never truncated); irregular ones as
``timestamps`` stored once, in the first series, and linked from every other
series of the file (the plan: :mod:`posebridge.formats.nwb.time_plan`). See
:mod:`posebridge.formats.nwb.common` for the markers that keep frame numbers.
The Subject's checks are in :mod:`posebridge.formats.nwb.subject`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import uuid
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import xarray as xr

from posebridge import model
from posebridge.errors import (
    PoseBridgeError,
    user_stacklevel,
    with_command_line_wording,
)
from posebridge.formats._shared.not_kept import (
    holds_nothing,
    warn_alignment_dropped,
    warn_variables_not_written,
)
from posebridge.formats._shared.untracked import is_untracked_name
from posebridge.formats.nwb.common import (
    DEFAULT_MODULE,
    GENERAL_LISTS,
    GENERAL_TEXTS,
    MODULE_DESCRIPTION,
    NAMES_COMMENT,
    POSE_ESTIMATION_DESCRIPTION,
    REFERENCE_TIME,
    container_name,
    given_unit,
    individual_tag,
    keypoint_tag,
    regular_times,
    rejected,
    tags_comment,
    unique_names,
    unique_names_in_order,
    view_tag,
    warn_renamed,
)
from posebridge.formats.nwb.config import NWBFileSaveConfig
from posebridge.formats.nwb.devices import (
    NOT_GIVEN,
    camera_device,
    files_named,
    given_device,
    refuse_a_device_in_several_files,
    source_video_series,
    warn_cameras_not_kept,
)
from posebridge.formats.nwb.metadata_checks import start_time
from posebridge.formats.nwb.naming import (
    container_names,
    individual_ranks,
    named,
    pose_series_names,
    refuse_tag_text,
    warn_suffixed_names,
)
from posebridge.formats.nwb.skeletons import (
    common_skeleton,
    held_skeleton,
    new_skeleton,
    skeleton_edges,
    source_skeleton,
    wanted_edges,
    warn_edges_not_written,
)
from posebridge.formats.nwb.storage import (
    Storage,
    any_finite_block,
    floating,
    series_arrays,
    streamed_sources,
    wrap,
)
from posebridge.formats.nwb.subject import (
    subject_defaults,
    subject_problems,
    warn_subject_problems,
)
from posebridge.formats.nwb.time_plan import padded_plan, padding_rows, time_plan
from posebridge.model.units import UNIT_NAMES, unit_name

#: The ``confidence_definition`` sleap-io's predictions writer gives every series.
SLEAP_IO_CONFIDENCE = "Point-wise confidence scores."


def series_unit(ds: xr.Dataset, override: Any, where: Any) -> str:
    """The unit the series of ``ds`` are written in: the caller's as given, else the
    dataset's ``space_unit`` in NWB's name (``"px"`` -> ``"pixels"``), else NWB's
    default (``pixels`` for 2-D poses, ``n.a.`` for 3-D).

    A ``space_unit`` NWB has no name for is refused, naming ``where`` (the file).

    Examples
    --------
    >>> import numpy as np, posebridge
    >>> ds = posebridge.from_numpy(np.zeros((1, 2, 1, 1))).assign_attrs(space_unit="px")
    >>> series_unit(ds, None, "a.nwb")
    'pixels'
    >>> series_unit(ds.assign_attrs(space_unit="mm/px"), None, "a.nwb")
    Traceback (most recent call last):
    ...
    posebridge.errors.PoseBridgeError: a.nwb: the dataset's space_unit 'mm/px' is not ...
    """
    if override is not None:  # the caller's unit, written as given
        return given_unit(override)
    given = ds.attrs.get("space_unit")
    if given is None:
        return "pixels" if ds.sizes["space"] == 2 else "n.a."
    unit = unit_name(given)
    if unit is None:
        raise PoseBridgeError(
            f"{where}: the dataset's space_unit {given!r} is not an NWB spatial unit (one "
            f"of {', '.join(UNIT_NAMES)}, or a short name such as px, m or mm); convert the "
            "poses if need be and name their unit, e.g. ds.attrs['space_unit'] = "
            "'millimeters', or write the series' unit as given with "
            "config=NWBFileSaveConfig(pose_estimation_series_kwargs={'unit': ...})."
        )
    return unit


#: The ``reference_frame`` written for poses read from NWB that kept none (their series
#: stated none, or different ones): no origin is claimed for them.
UNSTATED_FRAME = (
    "Not stated: the NWB file these poses were read from gave no one reference frame "
    "for all of them."
)


def reference_frame(ds: xr.Dataset, unit: str) -> str:
    """The ``reference_frame`` of the series of ``ds`` written in ``unit``: the dataset's
    own (read from NWB), else none claimed for poses read from NWB
    (:data:`UNSTATED_FRAME`), else the image's top-left corner for pixels.

    Examples
    --------
    >>> reference_frame(xr.Dataset(attrs={"reference_frame": "arena corner"}), "pixels")
    'arena corner'
    >>> reference_frame(xr.Dataset(), "pixels")[:38]
    '(0, 0) is the top-left corner of the v'
    """
    stated = ds.attrs.get("reference_frame")
    if isinstance(stated, str) and stated:
        return stated
    if ds.attrs.get("nwb_containers"):  # read from NWB without one frame: none claimed
        return UNSTATED_FRAME
    if unit == "pixels":
        return (
            "(0, 0) is the top-left corner of the video frame; x grows to the right, y downwards."
        )
    return "The origin of the coordinate system of the source software."


def new_nwbfile(
    ds: xr.Dataset,
    config: NWBFileSaveConfig,
    individual: str | None,
    default_start: dt.datetime | None = None,
    where: str | None = "the in-memory NWBFile",
) -> Any:
    """An empty ``NWBFile`` with the session metadata (and one Subject, if known).

    The Subject's problems (:func:`.subject.subject_problems`) are warned naming
    ``where``; ``None`` when the caller warns them for every file of a write."""
    import pynwb

    kwargs = config.resolve("nwbfile_kwargs", individual)
    identifier = config.named("nwbfile_kwargs", "identifier", individual, ds.sizes["individual"])
    kwargs["identifier"] = str(identifier) if identifier is not None else str(uuid.uuid4())
    software = ds.attrs.get("source_software", "pose estimation")
    kwargs.setdefault(
        "session_description",
        ds.attrs.get("session_description") or f"Poses estimated with {software}.",
    )
    for key in GENERAL_TEXTS:  # read from an NWB file: written back unless given
        if isinstance(ds.attrs.get(key), str) and ds.attrs[key]:
            kwargs.setdefault(key, ds.attrs[key])
    for key in GENERAL_LISTS:  # a list in attrs (one text after a netCDF round trip)
        kept = ds.attrs.get(key)
        if isinstance(kept, str) and kept:
            kept = [kept]
        if isinstance(kept, list | tuple | np.ndarray) and len(kept):
            kwargs.setdefault(key, [str(v) for v in np.asarray(kept).reshape(-1)])
    moment = kwargs.get("session_start_time")  # given: checked, never replaced
    if moment is None:
        moment = ds.attrs.get("session_start_time") or None
    kwargs["session_start_time"] = (
        start_time(moment) if moment is not None else default_start or dt.datetime.now(dt.UTC)
    )
    if kwargs.get(REFERENCE_TIME) is None and ds.attrs.get(REFERENCE_TIME):
        kwargs[REFERENCE_TIME] = ds.attrs[REFERENCE_TIME]  # read from NWB: the times' origin
    if kwargs.get(REFERENCE_TIME) is not None:
        kwargs[REFERENCE_TIME] = start_time(kwargs[REFERENCE_TIME], REFERENCE_TIME)
    subject_kwargs = subject_of(ds, config, individual)
    try:
        if subject_kwargs:
            if "date_of_birth" in subject_kwargs:
                subject_kwargs["date_of_birth"] = start_time(
                    subject_kwargs["date_of_birth"], "date_of_birth"
                )
            if where is not None:
                warn_subject_problems(subject_problems(subject_kwargs), where)
            kwargs["subject"] = pynwb.file.Subject(**subject_kwargs)
        return pynwb.NWBFile(**kwargs)
    except (TypeError, ValueError) as error:
        if isinstance(error, PoseBridgeError):
            raise
        raise rejected(error, "NWB file metadata rejected by pynwb") from error


def subject_of(ds: xr.Dataset, config: NWBFileSaveConfig, individual: str | None) -> dict:
    """The Subject fields of the file of ``individual`` (``None``: of several animals)."""
    subject_kwargs = config.resolve("subject_kwargs", individual)
    if individual is not None:
        if ds.sizes["individual"] == 1:
            subject_kwargs = {**subject_defaults(ds), **subject_kwargs}
        shared_id = not config.is_per_entity(config.subject_kwargs)
        named_for = "subject_id" not in subject_kwargs or (
            shared_id and ds.sizes["individual"] > 1
        )
        # instances without a track (SLEAP's untracked_<k>) name no animal: no Subject is
        # made of that name alone (sleap-io writes none either)
        if named_for and (subject_kwargs or not is_untracked_name(individual)):
            subject_kwargs["subject_id"] = individual
    return subject_kwargs


def warn_subject_problems_of_files(
    ds: xr.Dataset,
    config: NWBFileSaveConfig,
    plan: list[list[str]],
    out_paths: list[Path] | None,
) -> None:
    """Warn the Subject problems of the files of one write once each, naming the files
    that have them (a problem every file shares is one warning, not one per file)."""
    files_of: dict[tuple[str, ...], list[int]] = {}
    for n, group in enumerate(plan):
        problems = subject_problems(subject_of(ds, config, group[0] if len(group) == 1 else None))
        if problems:
            files_of.setdefault(tuple(problems), []).append(n)
    for problems, files in files_of.items():
        paths = [out_paths[n] for n in files] if out_paths else None
        warn_subject_problems(list(problems), files_named(paths, len(files)))


def _module(nwbfile: Any, config: NWBFileSaveConfig, individual: str | None) -> Any:
    kwargs = config.resolve("processing_module_kwargs", individual)
    name = kwargs.setdefault("name", DEFAULT_MODULE)
    if name in nwbfile.processing:
        return nwbfile.processing[name]
    kwargs.setdefault("description", MODULE_DESCRIPTION)
    return nwbfile.create_processing_module(**kwargs)


def views_of(ds: xr.Dataset) -> list[str | None]:
    """The dataset's camera views, ``[None]`` when it has no ``view`` dim.

    Examples
    --------
    >>> import numpy as np, posebridge
    >>> views_of(posebridge.from_numpy(np.zeros((2, 2, 1, 1))))
    [None]
    """
    if model.VIEW not in ds.dims:
        return [None]
    return [str(v) for v in ds[model.VIEW].values]


def _frame_times(starting_time: float, rows: int, rate: float) -> np.ndarray:
    """Regular times written as timestamps: ``frame / rate`` when the start is a frame's
    time, so that a track starting at frame 5 has bit for bit the times of a track from
    frame 0 at the frames they share (sleap-io's reader merges a video's tracks' times:
    ``5/30 + 1/30`` beside ``6/30`` would be two frames); else from the start.

    Examples
    --------
    >>> bool(_frame_times(5 / 30, 2, 30.0)[1] == 6 / 30)
    True
    """
    first = round(starting_time * rate)
    if abs(first / rate - starting_time) <= 1e-9 * max(1.0, abs(starting_time)):
        return (first + np.arange(rows, dtype=np.float64)) / rate
    return regular_times(starting_time, rows, rate)


#: The variables of a poses dataset the NWB writer keeps: ``position`` and
#: ``confidence`` as PoseEstimationSeries, ``skeleton_edges`` as the Skeleton.
WRITTEN_VARIABLES = ("position", "confidence", "skeleton_edges")


def warn_unwritten(ds: xr.Dataset, where: Any) -> None:
    """Warn, naming them, about the variables of ``ds`` NWB does not keep.

    ndx-pose has no place for per-instance values (SLEAP's ``instance_score``
    and ``tracking_score``...) nor skeleton symmetries: a PoseEstimation holds
    one series per keypoint (positions and their confidence) and sleap-io's
    reader takes every object of its video modules for one. Files that keep
    them: ``.slp``, netCDF. Boxes (``bbox``, which ``.slp`` does not keep
    either) are left to :func:`posebridge._dropped_facts.warn_frame_facts_dropped`. Nor has it
    a place for Anipose's axis alignment (``anipose_alignment_matrix`` /
    ``_center``, a transform of the whole dataset's space, not one camera's
    calibration): warned about as the other writers without it do.

    Examples
    --------
    >>> import numpy as np, posebridge, warnings
    >>> ds = posebridge.from_numpy(np.zeros((2, 2, 1, 1)))
    >>> ds["instance_score"] = (("time", "individual"), np.ones((2, 1)))
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     warn_unwritten(ds, "out.nwb")
    >>> "instance_score" in str(caught[0].message)
    True
    """
    warn_alignment_dropped(ds, where, "NWB (ndx-pose)")
    # the coordinates NWB does not write (a trial along time); the variables are named below
    warn_variables_not_written(ds, where, "NWB (ndx-pose)", kept=tuple(map(str, ds.data_vars)))
    # bbox: posebridge.save warns of it for every format without boxes, naming those with
    left_out = [
        str(name)
        for name, variable in ds.data_vars.items()
        if name not in (*WRITTEN_VARIABLES, "bbox") and not holds_nothing(str(name), variable)
    ]
    if not left_out:
        return
    warnings.warn(
        f"{where}: NWB (ndx-pose) has no place for {', '.join(left_out)}: not written. A "
        "PoseEstimation holds each keypoint's positions and confidence only. Write .slp or "
        "netCDF (.nc) to keep them.",
        UserWarning,
        stacklevel=user_stacklevel(),
    )


_Function = TypeVar("_Function", bound=Callable[..., Any])


def _pynwb_type_errors_as_ours(what: str) -> Callable[[_Function], _Function]:
    """Decorate a function that passes the caller's keywords to pynwb / ndx-pose: their
    ``TypeError`` (an unknown keyword in the metadata) is raised as
    :class:`posebridge.errors.TypeError` (:func:`~posebridge.formats.nwb.common.rejected`),
    also when appending (not a problem of the file appended to)."""

    def decorate(function: _Function) -> _Function:
        @functools.wraps(function)
        def call(*args: Any, **kwargs: Any) -> Any:
            try:
                return function(*args, **kwargs)
            except TypeError as error:
                if isinstance(error, PoseBridgeError):
                    raise
                raise rejected(error, what) from error

        return call  # type: ignore[return-value]

    return decorate


@_pynwb_type_errors_as_ours("ndx-pose rejected the pose data")
def add_poses(
    nwbfile: Any,
    ds: xr.Dataset,
    individuals: list[str],
    config: NWBFileSaveConfig,
    storage: Storage,
    video: str | None = None,
    out_path: Path | None = None,
    appending: bool = False,
    shared_skeleton: tuple[str, str] | None = None,
    always_confidence: bool = False,
    rate_of_one_only: bool = False,
) -> list[Any]:
    """Add one PoseEstimation per individual (and camera view) of ``ds`` to ``nwbfile``.

    Variables NWB has no place for are left out (the callers warn, once per save:
    :func:`warn_unwritten`); pynwb's and ndx-pose's ``TypeError`` is posebridge's
    (:func:`_pynwb_type_errors_as_ours`).

    A dataset with a ``view`` dim gets one PoseEstimation per (view,
    individual), as ndx-pose lays out several cameras (a PoseEstimation is one
    camera's view): each links the Device of its view (one per view, named
    after it, see :func:`camera_device`) and its individual's one Skeleton, and its
    description carries a view tag (:func:`~posebridge.formats.nwb.common.view_tag`)
    before the individual tag, which give the views and individuals back by
    name and in order. A video (one file) cannot be several views' video:
    ``video`` with views is refused.

    ``shared_skeleton`` = (module, name): one Skeleton of that name in that
    module's ``Skeletons`` for every individual (reused when it exists), as
    sleap-io lays its files out; by default each individual gets its own in
    the PoseEstimation's module.

    Confidence is written when the dataset has a finite one. With
    ``always_confidence`` (sleap-io's layout) it always is, with sleap-io's
    ``confidence_definition``, as sleap-io writes every PoseEstimationSeries (its
    reader reads ``confidence[:]``); a dataset without one gets NaN, stored as
    its positions are (float64 unless ``storage`` says otherwise), which reads
    back as a file without confidence does.

    ``rate_of_one_only`` (sleap-io's layout): regular times are written as a
    rate only when it is 1 (times that are frame numbers, as sleap-io writes
    them), else as timestamps: sleap-io's reader takes a series' times as
    ``arange(n) * rate + starting_time``, which only a rate of 1 gives right.

    Returns
    -------
    list
        The ``ndx_pose.PoseEstimation`` containers added, per individual, then
        per view.

    Examples
    --------
    >>> import numpy as np, posebridge, pynwb, datetime as dt, xarray as xr
    >>> one = posebridge.from_numpy(np.zeros((3, 2, 1, 1)), fps=30)
    >>> ds = xr.concat([one, one], dim=xr.DataArray(["left", "right"], dims="view"))
    >>> nwbfile = pynwb.NWBFile("poses", "id", dt.datetime.now(dt.UTC))
    >>> made = add_poses(nwbfile, ds, ["id_0"], NWBFileSaveConfig(), Storage(chunked=False))
    >>> [(c.name, c.device.name) for c in made]
    [('PoseEstimation_left', 'left'), ('PoseEstimation_right', 'right')]
    """
    import ndx_pose

    from posebridge.formats.nwb.stream import is_dask

    views = views_of(ds)
    where = out_path if out_path is not None else "the in-memory NWBFile"
    refuse_tag_text(individuals, views)
    if video and views != [None]:
        raise PoseBridgeError(
            f"video {video} cannot be linked: the dataset has {len(views)} camera views "
            f"({', '.join(map(repr, views))}) and one video file is one camera's. Leave "
            "video_path out (no video is linked), or write one view at a time with it, e.g. "
            f"ds.sel(view={views[0]!r})."
        )
    module = _module(nwbfile, config, individuals[0] if len(individuals) == 1 else None)
    all_individuals = [str(i) for i in ds["individual"].values]
    ranks, count = individual_ranks(nwbfile, all_individuals, appending)
    names = container_names(module, individuals, all_individuals, config, appending, views)
    taken = [n for n in names.values() if n in module.data_interfaces]
    if taken:
        raise PoseBridgeError(
            f"processing module {module.name!r} already holds {', '.join(taken)}; give the "
            "PoseEstimation another name (config pose_estimation_kwargs name=...)."
        )
    keypoints = [str(k) for k in ds["keypoint"].values]
    plan = time_plan(ds)
    if plan.unkept_frames is not None:
        shown = ", ".join(str(int(f)) for f in plan.unkept_frames[:4])
        warnings.warn(
            f"the dataset's frame numbers ({shown}{', ...' * (plan.unkept_frames.size > 4)}) "
            "follow no one frame rate from its times, and NWB holds times only: they are not "
            "written, and reading gives no frame coordinate.",
            UserWarning,
            stacklevel=user_stacklevel(),
        )
    padding = padding_rows(ds)
    if padding:
        fps = ds.attrs.get("fps")
        plan = padded_plan(plan, padding, float(fps) if fps else None)
    if rate_of_one_only and plan.rate is not None and plan.rate != 1.0:
        rows = ds.sizes[model.TIME] + padding
        times = _frame_times(plan.starting_time, rows, plan.rate)
        plan = dataclasses.replace(plan, rate=None, timestamps=times)
    edges = skeleton_edges(ds, keypoints)
    series_names = unique_names(keypoints, container_name)
    # a series named otherwise than in files written before valid names were kept (those
    # gave the suffixes in order): tagged, and every series of the container marked
    # (NAMES_COMMENT), so that the reader tells the two apart
    moved = [
        a != b
        for a, b in zip(
            series_names, unique_names_in_order(keypoints, container_name), strict=True
        )
    ]
    given_names = pose_series_names(config, keypoints)
    # one dataset per view (the whole dataset without views): (time, space, keypoint, individual)
    parts = (
        [ds]
        if views == [None]
        else [ds.isel({model.VIEW: j}, drop=True) for j in range(len(views))]
    )
    labels = unique_names([str(v) for v in views], container_name) if views != [None] else [None]
    positions = [part["position"].transpose(*model.POSES_DIMS) for part in parts]
    confidences = [model.confidence_per_keypoint(part) for part in parts]
    dtype = np.dtype(storage.dtype) if storage.dtype else None
    streaming = is_dask(ds["position"].data)  # dask arrays: written block by block along time
    if streaming:
        has_confidence = any(any_finite_block(c.data) for c in confidences)
    else:
        has_confidence = any(bool(np.any(np.isfinite(c.values))) for c in confidences)
    if always_confidence and not has_confidence:  # NaN, of the positions' float type (lazy
        # for a lazy dataset): read back as the posebridge layout reads no confidence
        confidences = [
            xr.full_like(c, np.nan, dtype=floating(p.dtype))
            for c, p in zip(confidences, positions, strict=True)
        ]
        has_confidence = True
    held = None  # the file's one Skeleton, linked by appended poses of (some of) its nodes
    if shared_skeleton is None:
        held = held_skeleton(module, ds, config, individuals, keypoints)
    if shared_skeleton is None and held is None:
        shared_skeleton = source_skeleton(nwbfile, module, ds, config, individuals, keypoints)
        if shared_skeleton is not None:  # named after the dataset's skeleton_name
            warn_renamed(where, "skeleton_name", str(ds.attrs["skeleton_name"]))
    home = module
    if shared_skeleton is not None:
        home_name = shared_skeleton[0]
        if home_name in nwbfile.processing:
            home = nwbfile.processing[home_name]
        else:
            home = nwbfile.create_processing_module(
                name=home_name, description="Skeletons of the pose data."
            )
    skeletons = home.data_interfaces.get("Skeletons")
    if skeletons is None:
        skeletons = ndx_pose.Skeletons()
        home.add(skeletons)
    software = ds.attrs.get("source_software")
    first_series = None
    video_series = None
    made = []
    shared = None
    if held is not None:
        wanted = wanted_edges(config, individuals[0], edges)
        warn_edges_not_written(held, wanted, keypoints, out_path)
        shared = held
    elif shared_skeleton is not None:  # one for all, made (or renamed) once
        if edges is None:  # sleap-io's layout: its reader reads edges[:]
            edges = np.zeros((0, 2), dtype=np.uint8)
        shared = common_skeleton(
            nwbfile, skeletons, shared_skeleton[1], config, keypoints, edges, individuals, out_path
        )
    linked: set[str] = set()  # the Devices the PoseEstimation containers link
    # a name NWB can hold keeps it (skeleton_m_1 is m_1's, not m/1's)
    skeleton_names = dict(
        zip(
            individuals,
            unique_names([f"skeleton_{i}" for i in individuals], container_name),
            strict=True,
        )
    )
    for individual in individuals:
        i = all_individuals.index(individual)
        skeleton_kwargs = config.resolve("skeleton_kwargs", individual)
        if shared is not None:
            skeleton = shared
            skeleton_kwargs = None
        else:
            skeleton_kwargs["name"] = (
                named(
                    config,
                    "skeleton_kwargs",
                    individual,
                    max(len(all_individuals), len(individuals)),
                )
                or skeleton_names[individual]
            )
        if skeleton_kwargs is not None:  # one Skeleton per individual, whatever its views
            skeleton = new_skeleton(
                nwbfile, skeletons, skeleton_kwargs, individual, keypoints, edges, len(individuals)
            )
        for j, (view, label) in enumerate(zip(views, labels, strict=True)):
            camera = None if view is None else (view, str(label))
            container_kwargs = config.resolve("pose_estimation_kwargs", individual)
            device = given_device(nwbfile, container_kwargs, view, out_path)
            if device is NOT_GIVEN:
                device = camera_device(nwbfile, config, individual, ds, camera)
            if device is not None:
                linked.add(str(device.name))
            if streaming and storage.filled_later:  # filled by the writer, all at once
                pos, conf = streamed_sources(
                    positions[j], confidences[j] if has_confidence else None, i, padding, dtype
                )
            else:
                pos, conf = series_arrays(
                    positions[j].isel(individual=i),
                    confidences[j].isel(individual=i) if has_confidence else None,
                    padding,
                    dtype,
                )
            whose = individual if view is None else f"{individual}, view {view}"
            # the tags that give the individual (and view) back by name and rank end the
            # description posebridge writes; a description the caller gives is written as
            # given, and the tags go in the series' comments instead
            tags = [individual_tag(individual, ranks[individual], count)]
            if view is not None:  # before the individual tag, which ends the description
                tags.insert(0, view_tag(view, j, len(views)))
            given_description = container_kwargs.get("description") or ds.attrs.get(
                POSE_ESTIMATION_DESCRIPTION
            )
            if given_description:
                container_kwargs["description"] = str(given_description)
            series_list = []
            for k, keypoint in enumerate(keypoints):
                kwargs = config.resolve("pose_estimation_series_kwargs", keypoint)
                kwargs["name"] = given_names[k]
                kwargs.setdefault("description", f"Estimated position of {keypoint} ({whose}).")
                if kwargs["name"] != series_names[k] or moved[k]:  # the tag keeps it
                    kwargs["description"] = f"{kwargs['description']} {keypoint_tag(keypoint)}"
                kwargs["unit"] = series_unit(ds, kwargs.get("unit"), where)
                kwargs.setdefault("reference_frame", reference_frame(ds, kwargs["unit"]))
                notes = [kwargs.get("comments"), plan.comment]
                if any(moved):
                    notes.append(NAMES_COMMENT)
                if given_description:  # the tags end the comments
                    notes.append(tags_comment(" ".join(tags)))
                if any(notes):
                    kwargs["comments"] = " | ".join(note for note in notes if note)
                if plan.rate is not None:
                    kwargs.update(rate=plan.rate, starting_time=plan.starting_time)
                elif first_series is None:
                    kwargs["timestamps"] = wrap(plan.timestamps, storage)
                else:
                    kwargs["timestamps"] = first_series
                if conf is not None:
                    kwargs["confidence"] = wrap(conf[k], storage)
                    if ds.attrs.get("confidence_definition"):
                        kwargs.setdefault(
                            "confidence_definition", str(ds.attrs["confidence_definition"])
                        )
                    if always_confidence:
                        kwargs.setdefault("confidence_definition", SLEAP_IO_CONFIDENCE)
                series = ndx_pose.PoseEstimationSeries(data=wrap(pos[k], storage), **kwargs)
                if first_series is None:
                    first_series = series
                series_list.append(series)
            if video and video_series is None:
                video_series = source_video_series(
                    nwbfile, ds, video, out_path, plan, device, config, first_series
                )
            kwargs = container_kwargs
            kwargs["name"] = names[(view, individual)]
            if not given_description:
                description = (
                    f"Estimated positions of {len(keypoints)} keypoints of {individual}"
                    + (f" in camera view {view}" if view is not None else "")
                    + (f" by {software}." if software else ".")
                )
                kwargs["description"] = " ".join([description, *tags])
            if software:
                kwargs.setdefault("source_software", str(software))
            if ds.attrs.get("source_software_version") and kwargs.get("source_software"):
                kwargs.setdefault(
                    "source_software_version", str(ds.attrs["source_software_version"])
                )
            if ds.attrs.get("scorer"):
                kwargs.setdefault("scorer", str(ds.attrs["scorer"]))
            if video_series is not None:
                kwargs.setdefault("source_video", video_series)
            container = ndx_pose.PoseEstimation(
                pose_estimation_series=series_list, skeleton=skeleton, device=device, **kwargs
            )
            module.add(container)
            made.append(container)
    warn_cameras_not_kept(ds, sorted(linked), out_path)
    known = ds.attrs.get("device")
    if isinstance(known, str) and container_name(known) in linked - {known}:
        warn_renamed(where, "device", known)  # the camera read from NWB, renamed
    return made


def split_plan(ds: xr.Dataset, split_individuals: bool) -> list[list[str]]:
    """The individuals of each file to write."""
    individuals = [str(i) for i in ds["individual"].values]
    if split_individuals and len(individuals) > 1:
        return [[i] for i in individuals]
    return [individuals]


#: The advice of the warning of a dataset in frames without a frame rate written to
#: NWB, as Python says it and as the command line does (``--fps``).
_WITHOUT_FPS_ADVICE = "Load with fps=... to write real seconds."
_WITHOUT_FPS_FLAG = "Give the frame rate with --fps (e.g. --fps 30) to write real seconds."


def iter_build(
    ds: xr.Dataset,
    config: NWBFileSaveConfig,
    storage: Storage,
    split_individuals: bool = True,
    video: str | None = None,
    out_paths: list[Path] | None = None,
) -> Iterator[Any]:
    """One in-memory ``NWBFile`` per planned file, built when asked for.

    A dataset with camera views gets, in each file, one PoseEstimation per
    (view, individual) of the file (see :func:`add_poses`).
    """
    plan = split_plan(ds, split_individuals)
    files = files_named(out_paths, len(plan))  # warnings: once for the write, not per file
    if ds.attrs.get("time_unit") == "frames":  # with fps: still images (frames_in_seconds)
        still_images = bool(ds.attrs.get("fps"))
        said = (
            "the dataset's rows are still images, not frames of a video, so they have no times"
            if still_images
            else "the dataset has no frame rate"
        )
        advice = (
            f"Its fps ({ds.attrs['fps']}) is not written." if still_images else _WITHOUT_FPS_ADVICE
        )
        warning = UserWarning(
            f"{files}: {said}: NWB needs seconds, so its frame numbers "
            "are written as seconds (1 frame = 1 s) with a posebridge marker that reads them "
            f"back as frames. {advice}"
        )
        wording = {_WITHOUT_FPS_ADVICE: _WITHOUT_FPS_FLAG}
        warnings.warn(with_command_line_wording(warning, wording), stacklevel=user_stacklevel())
    refuse_a_device_in_several_files(config, plan, out_paths)
    warn_unwritten(ds, files)
    warn_suffixed_names(ds, files, individuals_named=any(len(group) > 1 for group in plan))
    now = dt.datetime.now(dt.UTC)  # one session: the same start time in every file
    warn_subject_problems_of_files(ds, config, plan, out_paths)
    for n, group in enumerate(plan):
        out_path = out_paths[n] if out_paths else None
        individual = group[0] if len(group) == 1 else None
        nwbfile = new_nwbfile(ds, config, individual, now, None)  # Subjects: warned above
        try:
            add_poses(nwbfile, ds, group, config, storage, video, out_path)
        except (TypeError, ValueError) as error:
            if isinstance(error, PoseBridgeError):
                raise
            raise rejected(error, "ndx-pose rejected the pose data") from error
        yield nwbfile
