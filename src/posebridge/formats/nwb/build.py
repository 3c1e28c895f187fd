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
:mod:`posebridge.formats.nwb.storage`.

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
import os
import re
import uuid
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import xarray as xr

from posebridge import errors, model
from posebridge._recorded_warnings import dropping_warnings
from posebridge.errors import PoseBridgeError, SchemaError, user_stacklevel
from posebridge.formats._shared.not_kept import warn_alignment_dropped
from posebridge.formats._shared.untracked import is_untracked_name
from posebridge.formats.nwb.common import (
    DEFAULT_DEVICE,
    DEFAULT_MODULE,
    GENERAL_LISTS,
    GENERAL_TEXTS,
    MODULE_DESCRIPTION,
    NWB_UNITS,
    REFERENCE_TIME,
    WRITERS_SKELETON_NAMES,
    container_name,
    given_unit,
    individual_tag,
    keypoint_tag,
    nwb_unit,
    parse_individual_tag,
    regular_times,
    rejected,
    source_named_skeleton,
    split_tags,
    tags_comment,
    unique_names,
    view_tag,
)
from posebridge.formats.nwb.config import NWBFileSaveConfig
from posebridge.formats.nwb.metadata_checks import start_time
from posebridge.formats.nwb.naming import container_names, individual_ranks, named
from posebridge.formats.nwb.storage import (
    Storage,
    any_finite_block,
    floating,
    series_arrays,
    streamed_sources,
    wrap,
)
from posebridge.formats.nwb.subject import subject_defaults, warn_subject_problems
from posebridge.formats.nwb.time_plan import TimePlan, padded_plan, padding_rows, time_plan

#: The ``confidence_definition`` sleap-io's predictions writer gives every series.
SLEAP_IO_CONFIDENCE = "Point-wise confidence scores."


def _edges(ds: xr.Dataset, keypoints: list[str]) -> np.ndarray | None:
    if "skeleton_edges" not in ds:
        return None
    pairs = np.asarray(ds["skeleton_edges"].values).reshape(-1, 2)
    index = {k: i for i, k in enumerate(keypoints)}
    kept = [(index[str(a)], index[str(b)]) for a, b in pairs if a in index and b in index]
    if len(kept) < len(pairs):
        warnings.warn(
            f"{len(pairs) - len(kept)} skeleton edge(s) name keypoints that are not in the "
            "dataset; they are left out of the NWB Skeleton.",
            UserWarning,
            stacklevel=user_stacklevel(),
        )
    dtype = np.uint8 if len(keypoints) <= 256 else np.uint16
    return np.array(kept, dtype=dtype).reshape(-1, 2)


def _unit(ds: xr.Dataset, override: Any) -> str:
    if override is not None:  # the caller's unit, written as given
        return given_unit(override)
    given = ds.attrs.get("space_unit")
    if given is None:
        return "pixels" if ds.sizes["space"] == 2 else "n.a."
    unit = nwb_unit(given)
    if unit is None:
        raise PoseBridgeError(
            f"unit {given!r} is not an NWB spatial unit; use one of {', '.join(NWB_UNITS)}."
        )
    return unit


def new_nwbfile(
    ds: xr.Dataset,
    config: NWBFileSaveConfig,
    individual: str | None,
    default_start: dt.datetime | None = None,
) -> Any:
    """An empty ``NWBFile`` with the session metadata (and one Subject, if known)."""
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
    try:
        if subject_kwargs:
            if "date_of_birth" in subject_kwargs:
                subject_kwargs["date_of_birth"] = start_time(
                    subject_kwargs["date_of_birth"], "date_of_birth"
                )
            warn_subject_problems(subject_kwargs)
            kwargs["subject"] = pynwb.file.Subject(**subject_kwargs)
        return pynwb.NWBFile(**kwargs)
    except (TypeError, ValueError) as error:
        if isinstance(error, PoseBridgeError):
            raise
        raise rejected(error, "NWB file metadata rejected by pynwb") from error


def _module(nwbfile: Any, config: NWBFileSaveConfig, individual: str | None) -> Any:
    kwargs = config.resolve("processing_module_kwargs", individual)
    name = kwargs.setdefault("name", DEFAULT_MODULE)
    if name in nwbfile.processing:
        return nwbfile.processing[name]
    kwargs.setdefault("description", MODULE_DESCRIPTION)
    return nwbfile.create_processing_module(**kwargs)


def _device(
    nwbfile: Any,
    config: NWBFileSaveConfig,
    individual: str | None,
    ds: xr.Dataset,
    view: tuple[str, str] | None = None,
) -> Any:
    """The camera Device: named as configured, else as the dataset's one ``device``
    (read from NWB), else ``camera`` (:data:`DEFAULT_DEVICE`).

    Appended without views to a file whose poses link one camera, the poses
    link that camera, not a second one the reader would take for a second view,
    when nothing names their own: no name configured, and the dataset's
    ``device`` absent or posebridge's default ``camera`` (which every file
    posebridge wrote without a camera name reads back with).

    With ``view`` = (view, NWB-safe label): that view's camera, named after
    the view, or ``<configured name>_<view>`` when a name is configured (one
    Device is one camera, so one name cannot serve several views). An existing
    device of that name is reused (created once per view, shared by the
    view's PoseEstimation containers).
    """
    kwargs = config.resolve("device_kwargs", individual)
    if view is not None:
        given = kwargs.get("name")
        kwargs["name"] = f"{given}_{view[1]}" if given else view[1]
        if kwargs["name"] in nwbfile.devices:
            return nwbfile.devices[kwargs["name"]]
        kwargs.setdefault(
            "description",
            f"Camera of the view {view[0]!r}: it recorded the video the poses of that view "
            "were estimated on.",
        )
        return nwbfile.create_device(**kwargs)
    known = ds.attrs.get("device")
    one = isinstance(known, str) and known and "/" not in known and ", " not in known
    unnamed = not one or known == DEFAULT_DEVICE  # no camera of its own
    if "name" not in kwargs and unnamed and len(used := _devices_in_use(nwbfile)) == 1:
        return used[0]  # appended without views: the file's one camera, not a second (a view)
    name = kwargs.setdefault("name", container_name(known) if one else DEFAULT_DEVICE)
    if name in nwbfile.devices:
        return nwbfile.devices[name]
    if one and name == container_name(known):  # the device read from NWB: its details too
        for key in ("description", "manufacturer"):
            if isinstance(ds.attrs.get(f"device_{key}"), str) and ds.attrs[f"device_{key}"]:
                kwargs.setdefault(key, ds.attrs[f"device_{key}"])
    kwargs.setdefault("description", "Camera that recorded the video the poses were estimated on.")
    return nwbfile.create_device(**kwargs)


#: :func:`_given_device` when the metadata names no device.
_NOT_GIVEN = object()


def _given_device(
    nwbfile: Any, kwargs: dict[str, Any], view: str | None, out_path: Path | None
) -> Any:
    """The Device the PoseEstimation metadata gives (its ``device`` or ``devices`` key,
    taken out of ``kwargs``), ``None`` for ``devices=[]`` (none, as sleap-io links
    then), else :data:`_NOT_GIVEN`.

    ndx-pose links one ``device`` (``devices`` is its deprecated list, which it
    refuses beside ``device``): a list of one is that one. A Device not yet in
    a file is added to ``nwbfile``; one of another file, another object of a name
    the file's devices hold, a list of several, or a device for poses with
    camera views (one Device per view) are refused, naming the key.

    Examples
    --------
    >>> import datetime as dt, pynwb
    >>> nwbfile = pynwb.NWBFile("poses", "id", dt.datetime.now(dt.UTC))
    >>> cam = pynwb.device.Device(name="top")
    >>> kwargs = {"devices": [cam], "scorer": "me"}
    >>> _given_device(nwbfile, kwargs, None, None) is cam, kwargs, list(nwbfile.devices)
    (True, {'scorer': 'me'}, ['top'])
    >>> _given_device(nwbfile, {"devices": []}, None, None) is None
    True
    """
    import pynwb

    keys = [key for key in ("device", "devices") if key in kwargs]
    if not keys:
        return _NOT_GIVEN
    where = out_path if out_path is not None else "the in-memory NWBFile"
    said = f"{where}: the PoseEstimation metadata key {keys[-1]!r}"
    if len(keys) == 2:
        raise PoseBridgeError(
            f"{where}: the PoseEstimation metadata gives both 'device' and 'devices'; "
            "ndx-pose links one device: give 'device' only."
        )
    given = kwargs.pop(keys[0])
    if keys[0] == "devices":
        if given is None:
            given = []
        if not isinstance(given, list | tuple) or len(given) > 1:
            raise PoseBridgeError(
                f"{said} must be a list of at most one pynwb Device (ndx-pose links one "
                f"device per PoseEstimation; 'devices' is its deprecated list), got "
                f"{errors.brief(given)}. Give the camera as 'device'."
            )
        given = given[0] if given else None
    if given is None:
        return None
    if not isinstance(given, pynwb.device.Device):
        raise PoseBridgeError(
            f"{said} must be a pynwb Device (e.g. nwbfile.create_device(...)), got "
            f"{type(given).__name__}."
        )
    if view is not None:
        raise PoseBridgeError(
            f"{said}: the poses have camera views, each linked to its own Device (named "
            "after the view); one device cannot be every view's. Leave the key out, or "
            "write one view at a time."
        )
    parent = given.parent
    if parent is not None and parent is not nwbfile:
        raise PoseBridgeError(
            f"{said}: the Device {given.name!r} belongs to another NWBFile; give a Device "
            "of this file (nwbfile.create_device) or a new one (pynwb.device.Device(...)), "
            "which is added to it."
        )
    if parent is None:
        if given.name in nwbfile.devices:
            raise PoseBridgeError(
                f"{said}: the file already holds another Device named {given.name!r}; "
                "give that one, or name the new one otherwise."
            )
        nwbfile.add_device(given)
    return given


def _devices_in_use(nwbfile: Any, *, any_container: bool = False) -> list[Any]:
    """The Devices the file's PoseEstimation containers link, each once (with
    ``any_container``: the containers themselves, whether they link one or not)."""
    import ndx_pose

    found: list[Any] = []
    for module in nwbfile.processing.values():
        for container in module.data_interfaces.values():
            if any_container and isinstance(container, ndx_pose.PoseEstimation):
                found.append(container)
                continue
            with dropping_warnings(DeprecationWarning, message=r"PoseEstimation\.devices"):
                device = getattr(container, "device", None) or getattr(container, "devices", None)
            if isinstance(container, ndx_pose.PoseEstimation) and device is not None:
                for each in device if isinstance(device, list | tuple) else [device]:
                    if not any(each is seen for seen in found):
                        found.append(each)
    return found


def _video(
    nwbfile: Any,
    ds: xr.Dataset,
    video: str,
    out_path: Path | None,
    plan: TimePlan,
    device: Any,
    config: NWBFileSaveConfig,
    first_series: Any,
) -> Any:
    from pynwb.image import ImageSeries

    kwargs = config.resolve("video_kwargs", None)
    name = kwargs.pop("name", "SourceVideo")
    if name in nwbfile.acquisition:
        return nwbfile.acquisition[name]
    location = str(video)
    if out_path is not None:
        try:
            location = os.path.relpath(os.path.abspath(video), os.path.abspath(out_path.parent))
        except ValueError:  # another drive (Windows)
            location = os.path.abspath(video)
        if not os.path.exists(video):
            warnings.warn(
                f"video {video} does not exist; its path is written anyway.",
                UserWarning,
                stacklevel=user_stacklevel(),
            )
    frames = model.frame_numbers(ds)
    count = int(frames.max()) + 1 if frames is not None and frames.size else ds.sizes["time"]
    kwargs.setdefault("description", "The video the poses were estimated on (external file).")
    timing: dict[str, Any]
    fps = ds.attrs.get("fps")
    if ds.attrs.get("time_unit") == "frames":
        timing = {"rate": 1.0, "starting_time": 0.0, "num_samples": count}
    elif plan.frame_map is not None:  # frame k at start + (k - first) / rate, as the poses say
        start, rate, first = plan.frame_map
        timing = {"rate": rate, "starting_time": start - first / rate, "num_samples": count}
    elif fps:
        timing = {"rate": float(fps), "starting_time": 0.0, "num_samples": count}
    elif plan.timestamps is not None:
        timing = {"timestamps": first_series}
    else:
        timing = {"rate": plan.rate, "starting_time": plan.starting_time, "num_samples": count}
    width, height = ds.attrs.get("video_width"), ds.attrs.get("video_height")
    if width and height:
        kwargs.setdefault("dimension", [int(width), int(height)])
    series = ImageSeries(
        name=name,
        format="external",
        external_file=[location],
        starting_frame=[0],
        device=device,
        **timing,
        **kwargs,
    )
    nwbfile.add_acquisition(series)
    return series


def dataset_video(ds: xr.Dataset) -> str | None:
    """The dataset's own ``video_path``, when that file exists (else ``None``).

    Examples
    --------
    >>> import numpy as np, posebridge
    >>> dataset_video(posebridge.from_numpy(np.zeros((2, 2, 1, 1)))) is None
    True
    """
    video = ds.attrs.get("video_path")
    return str(video) if video and os.path.isfile(str(video)) else None


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


#: The text that opens posebridge's description tags (``common.individual_tag``).
TAG_OPENING = "[posebridge "


def _refuse_tag_text(individuals: list[str], views: list[str | None]) -> None:
    """Refuse names holding the opening of posebridge's tags: the reader finds an
    individual's (or view's) name in the tag that ends its PoseEstimation's description,
    and such a name would be read as a tag of its own (another name, another rank)."""
    for what, names in (("individual", individuals), ("view", views)):
        for name in names:
            if name is not None and TAG_OPENING in name:
                raise SchemaError(
                    f"the {what} name {name!r} holds {TAG_OPENING!r}, the opening of the tags "
                    "posebridge reads names back from in NWB files; rename it first."
                )


def pose_series_names(config: NWBFileSaveConfig, keypoints: list[str]) -> list[Any]:
    """The names :func:`add_poses` gives the keypoints' PoseEstimationSeries, in order.

    A keypoint's series is named as the metadata names it
    (``pose_estimation_series: {<keypoint>: {name: ...}}``, or a shared
    ``name`` when there is one keypoint), else after the keypoint, with what
    hdmf refuses in a name made ``_``
    (:func:`~posebridge.formats.nwb.common.container_name`).

    Examples
    --------
    >>> config = NWBFileSaveConfig(pose_estimation_series_kwargs={"ear:l": {"name": "EarL"}})
    >>> pose_series_names(config, ["nose", "ear:l", "ear:r"])
    ['nose', 'EarL', 'ear_r']
    """
    own = unique_names(keypoints, container_name)
    shared = not config.is_per_entity(config.pose_estimation_series_kwargs)
    if shared and len(keypoints) > 1:  # one name cannot be every series': the keypoints'
        return list(own)
    given = [config.resolve("pose_estimation_series_kwargs", k).get("name") for k in keypoints]
    return [own[k] if name is None else name for k, name in enumerate(given)]


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
    either) are left to :func:`posebridge.api.warn_frame_facts_dropped`. Nor has it
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
    # bbox: posebridge.save warns of it for every format without boxes, naming those with
    left_out = [str(name) for name in ds.data_vars if name not in (*WRITTEN_VARIABLES, "bbox")]
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
    after it, see :func:`_device`) and its individual's one Skeleton, and its
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
    _refuse_tag_text(individuals, views)
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
    edges = _edges(ds, keypoints)
    series_names = unique_names(keypoints, container_name)
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
        held = _held_skeleton(module, ds, config, individuals, keypoints)
    if shared_skeleton is None and held is None:
        shared_skeleton = _source_skeleton(nwbfile, module, ds, config, individuals, keypoints)
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
        wanted = _wanted_edges(config, individuals[0], edges)
        _warn_edges_not_written(held, wanted, keypoints, out_path)
        shared = held
    elif shared_skeleton is not None:  # one for all, made (or renamed) once
        if edges is None:  # sleap-io's layout: its reader reads edges[:]
            edges = np.zeros((0, 2), dtype=np.uint8)
        shared = _shared_skeleton(
            nwbfile, skeletons, shared_skeleton[1], config, keypoints, edges, individuals, out_path
        )
    for individual in individuals:
        i = all_individuals.index(individual)
        skeleton_kwargs = config.resolve("skeleton_kwargs", individual)
        if shared is not None:
            skeleton = shared
            skeleton_kwargs = None
        else:
            skeleton_kwargs["name"] = named(
                config, "skeleton_kwargs", individual, max(len(all_individuals), len(individuals))
            )
        if skeleton_kwargs is not None:  # one Skeleton per individual, whatever its views
            skeleton = _new_skeleton(
                nwbfile, skeletons, skeleton_kwargs, individual, keypoints, edges, len(individuals)
            )
        for j, (view, label) in enumerate(zip(views, labels, strict=True)):
            camera = None if view is None else (view, str(label))
            container_kwargs = config.resolve("pose_estimation_kwargs", individual)
            device = _given_device(nwbfile, container_kwargs, view, out_path)
            if device is _NOT_GIVEN:
                device = _device(nwbfile, config, individual, ds, camera)
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
            given_description = container_kwargs.get("description")
            series_list = []
            for k, keypoint in enumerate(keypoints):
                kwargs = config.resolve("pose_estimation_series_kwargs", keypoint)
                kwargs["name"] = given_names[k]
                kwargs.setdefault("description", f"Estimated position of {keypoint} ({whose}).")
                if kwargs["name"] != series_names[k]:  # named otherwise: the tag keeps it
                    kwargs["description"] = f"{kwargs['description']} {keypoint_tag(keypoint)}"
                kwargs["unit"] = _unit(ds, kwargs.get("unit"))
                kwargs.setdefault(
                    "reference_frame",
                    "(0, 0) is the top-left corner of the video frame; x grows to the right, "
                    "y downwards."
                    if kwargs["unit"] == "pixels"
                    else "The origin of the coordinate system of the source software.",
                )
                notes = [kwargs.get("comments"), plan.comment]
                if given_description:
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
                    if always_confidence:
                        kwargs.setdefault("confidence_definition", SLEAP_IO_CONFIDENCE)
                series = ndx_pose.PoseEstimationSeries(data=wrap(pos[k], storage), **kwargs)
                if first_series is None:
                    first_series = series
                series_list.append(series)
            if video and video_series is None:
                video_series = _video(
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
    return made


def _source_skeleton(
    nwbfile: Any,
    module: Any,
    ds: xr.Dataset,
    config: NWBFileSaveConfig,
    individuals: list[str],
    keypoints: list[str],
) -> tuple[str, str] | None:
    """(module, name) of one Skeleton named by the dataset's ``skeleton_name``, shared by
    its individuals, or ``None`` for posebridge's one ``skeleton_<individual>`` each.

    A name the source gave its skeleton (SLEAP's ``fly``) is kept that way when the
    configuration names no Skeleton, and no Skeleton of that name with other nodes is
    in the module already (an append of other keypoints).
    """
    kept = ds.attrs.get("skeleton_name")
    if not isinstance(kept, str) or not kept or kept in WRITERS_SKELETON_NAMES:
        return None
    if any(named(config, "skeleton_kwargs", i, len(individuals)) for i in individuals):
        return None
    name = container_name(kept)
    home = nwbfile.processing.get(module.name)
    skeletons = home.data_interfaces.get("Skeletons") if home is not None else None
    if (
        skeletons is not None
        and name in skeletons.skeletons
        and [str(n) for n in skeletons.skeletons[name].nodes[:]] != keypoints
    ):
        return None
    return module.name, name


def _held_skeleton(
    module: Any,
    ds: xr.Dataset,
    config: NWBFileSaveConfig,
    individuals: list[str],
    keypoints: list[str],
) -> Any | None:
    """The Skeleton of ``module`` that poses appended in posebridge's layout link, when
    their keypoints are its nodes or some of them, or ``None`` (a new Skeleton is made).

    That Skeleton is the one named by the dataset's ``skeleton_name``, or, for a dataset
    whose skeleton has no name of the source's, the one Skeleton every PoseEstimation of
    the module links when its name is the source's (as the reader keeps it, not
    posebridge's ``skeleton_<individual>``). Linking it, the file reads back with its
    ``skeleton_name`` and edges as they were, the new animal NaN at the nodes it lacks
    (ndx-pose does not ask a PoseEstimation for a series of every node of its
    Skeleton). A Skeleton the configuration names is always made.

    Examples
    --------
    >>> import datetime as dt, numpy as np, posebridge, pynwb
    >>> nwbfile = pynwb.NWBFile("poses", "id", dt.datetime.now(dt.UTC))
    >>> ds = posebridge.from_numpy(np.zeros((2, 2, 3, 1)), keypoint_names=["a", "b", "c"])
    >>> config, storage = NWBFileSaveConfig(), Storage(chunked=False)
    >>> _ = add_poses(nwbfile, ds.assign_attrs(skeleton_name="fly"), ["id_0"], config, storage)
    >>> fewer = ds.isel(keypoint=[2, 0]).assign_coords(individual=["id_1"])
    >>> module = nwbfile.processing["behavior"]
    >>> _held_skeleton(module, fewer, config, ["id_1"], ["c", "a"]).name
    'fly'
    >>> _held_skeleton(module, fewer, config, ["id_1"], ["c", "x"]) is None
    True
    """
    import ndx_pose

    if any(named(config, "skeleton_kwargs", i, len(individuals)) for i in individuals):
        return None
    skeletons = module.data_interfaces.get("Skeletons")
    if skeletons is None:
        return None
    kept = ds.attrs.get("skeleton_name")
    if isinstance(kept, str) and kept and kept not in WRITERS_SKELETON_NAMES:
        skeleton = skeletons.skeletons.get(container_name(kept))
    else:
        containers = [
            c for c in module.data_interfaces.values() if isinstance(c, ndx_pose.PoseEstimation)
        ]
        linked = {id(c.skeleton): c.skeleton for c in containers}
        if len(linked) != 1:
            return None
        (skeleton,) = linked.values()
        all_tagged = all(_tagged(c) for c in containers)
        if skeleton is None or not source_named_skeleton(skeleton.name, all_tagged):
            return None
        if skeletons.skeletons.get(skeleton.name) is not skeleton:  # another module's
            return None
    if skeleton is None:
        return None
    nodes = [str(n) for n in skeleton.nodes[:]]
    if len(set(nodes)) != len(nodes) or not set(keypoints) <= set(nodes):
        return None
    return skeleton


def _tagged(container: Any) -> bool:
    """Whether a PoseEstimation is tagged with its individual by posebridge (in its
    description, or, when the caller gave that, in its series' comments)."""
    if parse_individual_tag(container.description):
        return True
    series = container.pose_estimation_series.values()
    return any(split_tags(s.comments or "")[1] for s in series)


def _wanted_edges(
    config: NWBFileSaveConfig, individual: str, edges: np.ndarray | None
) -> np.ndarray | None:
    """The edges (keypoint indices) of poses: the configuration's ``skeleton_kwargs``
    edges when it gives some (they win over the data's), else the dataset's."""
    given = config.resolve("skeleton_kwargs", individual).get("edges")
    return edges if given is None else np.asarray(given, dtype=np.int64).reshape(-1, 2)


def _shared_skeleton(
    nwbfile: Any,
    skeletons: Any,
    name: str,
    config: NWBFileSaveConfig,
    keypoints: list[str],
    edges: np.ndarray,
    individuals: list[str],
    out_path: Path | None,
) -> Any:
    """The one Skeleton named ``name`` that every individual of a write links (sleap-io's
    layout): the one of that name in ``skeletons`` when its nodes are the keypoints, else
    one with those nodes already written under ``<name>_<n>`` by an earlier append, else
    a new one.

    A Skeleton of that name with other nodes (another session's, another animal's) is
    never linked: the poses would be read with its nodes. The new one then takes the
    next free name ``<name>_<n>``, with a warning naming both.
    """
    taken = [str(n) for n in skeletons.skeletons]
    ours = [name] + [n for n in taken if re.fullmatch(rf"{re.escape(name)}_\d+", n)]
    skeleton_kwargs = config.resolve("skeleton_kwargs", individuals[0])
    wanted = _wanted_edges(config, individuals[0], edges)
    for candidate in ours:
        if (
            candidate in taken
            and [str(n) for n in skeletons.skeletons[candidate].nodes[:]] == keypoints
        ):
            reused = skeletons.skeletons[candidate]
            _warn_edges_not_written(reused, wanted, keypoints, out_path)
            return reused
    skeleton_kwargs["name"] = name
    made = _new_skeleton(
        nwbfile, skeletons, skeleton_kwargs, individuals[0], keypoints, edges, len(individuals)
    )
    if made.name != name:
        where = out_path if out_path is not None else "the in-memory NWBFile"
        other = [str(n) for n in skeletons.skeletons[name].nodes[:]]
        warnings.warn(
            f"{where}: holds a Skeleton {name!r} with other nodes ({len(other)}: "
            f"{', '.join(other[:4])}{', ...' if len(other) > 4 else ''}) than these poses' "
            f"{len(keypoints)} keypoints; the poses link a new Skeleton {made.name!r} instead.",
            UserWarning,
            stacklevel=user_stacklevel(),
        )
    return made


def _warn_edges_not_written(
    skeleton: Any, edges: np.ndarray | None, keypoints: list[str], out_path: Path | None
) -> None:
    """Warn that the edges of poses linking an existing ``skeleton`` (its nodes include
    their ``keypoints``) which it does not have are not written: the poses read back with
    the skeleton's edges.

    Examples
    --------
    >>> import ndx_pose
    >>> kept = ndx_pose.Skeleton(name="fly", nodes=["a", "b", "c"], edges=np.array([[0, 1]]))
    >>> _warn_edges_not_written(kept, np.array([[0, 1]]), ["a", "b", "c"], None)  # its own
    >>> from posebridge._recorded_warnings import recording_warnings
    >>> with recording_warnings() as shown:
    ...     _warn_edges_not_written(kept, np.array([[0, 1], [1, 2]]), ["a", "b", "c"], None)
    >>> print(shown[0].message)  # doctest: +ELLIPSIS
    the in-memory NWBFile: these poses link its Skeleton 'fly' (whose nodes include ... b-c.
    """
    if edges is None or not len(edges):
        return
    held = getattr(skeleton, "edges", None)
    nodes = [str(n) for n in skeleton.nodes[:]]  # the held edges' indices are of its nodes
    held_pairs = (
        {(nodes[a], nodes[b]) for a, b in np.asarray(held[:], dtype=np.int64)}
        if held is not None
        else set()
    )
    pairs = [(keypoints[a], keypoints[b]) for a, b in np.asarray(edges, dtype=np.int64)]
    lost = [pair for pair in dict.fromkeys(pairs) if pair not in held_pairs]
    if not lost:
        return
    where = out_path if out_path is not None else "the in-memory NWBFile"
    shown = ", ".join(f"{a}-{b}" for a, b in lost[:6]) + (", ..." if len(lost) > 6 else "")
    warnings.warn(
        f"{where}: these poses link its Skeleton {skeleton.name!r} (whose nodes include "
        "their keypoints); its edges "
        f"are kept, so {len(lost)} edge(s) of theirs it does not have are not written and the "
        f"poses read back without them: {shown}.",
        UserWarning,
        stacklevel=user_stacklevel(),
    )


def _new_skeleton(
    nwbfile: Any,
    skeletons: Any,
    skeleton_kwargs: dict[str, Any],
    individual: str,
    keypoints: list[str],
    edges: np.ndarray | None,
    animals: int = 1,
) -> Any:
    """A new Skeleton of ``individual`` in ``skeletons``, linked to the file's Subject when
    that is the animal: the file's one individual (of ``animals``, and no poses of another
    there, as an append adds), or one named as it."""
    import ndx_pose

    skeleton_name = skeleton_kwargs.pop("name", None) or container_name(f"skeleton_{individual}")
    base, counter = skeleton_name, 2
    while skeleton_name in skeletons.skeletons:
        skeleton_name = f"{base}_{counter}"
        counter += 1
    skeleton_kwargs.setdefault("nodes", keypoints)
    if skeleton_kwargs.get("edges") is not None:  # given (checked: node indices), as the data's
        dtype = np.uint8 if len(keypoints) <= 256 else np.uint16
        skeleton_kwargs["edges"] = np.array(skeleton_kwargs["edges"], dtype=dtype).reshape(-1, 2)
    if edges is not None:
        skeleton_kwargs.setdefault("edges", edges)
    subject = nwbfile.subject
    alone = animals == 1 and not _devices_in_use(nwbfile, any_container=True)  # no other poses
    if subject is not None and (alone or subject.subject_id == individual):
        skeleton_kwargs.setdefault("subject", subject)
    skeleton = ndx_pose.Skeleton(name=skeleton_name, **skeleton_kwargs)
    skeletons.add_skeletons(skeleton)
    return skeleton


def split_plan(ds: xr.Dataset, split_individuals: bool) -> list[list[str]]:
    """The individuals of each file to write."""
    individuals = [str(i) for i in ds["individual"].values]
    if split_individuals and len(individuals) > 1:
        return [[i] for i in individuals]
    return [individuals]


def _files_named(out_paths: list[Path] | None, count: int) -> str:
    """The files of one save, for a message: the one file, or the first and how many more.

    Examples
    --------
    >>> _files_named([Path("out_1.nwb"), Path("out_2.nwb"), Path("out_3.nwb")], 3)
    'out_1.nwb and its 2 sibling files'
    >>> _files_named(None, 1)
    'the in-memory NWBFile'
    """
    if not out_paths:
        return "the in-memory NWBFile" if count == 1 else f"the {count} in-memory NWBFiles"
    if len(out_paths) == 1:
        return str(out_paths[0])
    return f"{out_paths[0]} and its {len(out_paths) - 1} sibling files"


def _refuse_a_device_in_several_files(
    config: NWBFileSaveConfig, plan: list[list[str]], out_paths: list[Path] | None
) -> None:
    """Refuse one pynwb ``Device`` object given (PoseEstimation metadata ``device`` or
    ``devices``) for the PoseEstimations of several files of one write (one per
    individual): a pynwb object belongs to one ``NWBFile``, so the second file could
    not link it. Checked before any file is built.

    Examples
    --------
    >>> import pynwb
    >>> cam = pynwb.device.Device(name="cam")
    >>> config = NWBFileSaveConfig(pose_estimation_kwargs={"device": cam})
    >>> _refuse_a_device_in_several_files(config, [["a", "b"]], None)  # one file: fine
    >>> _refuse_a_device_in_several_files(config, [["a"], ["b"]], None)
    Traceback (most recent call last):
    ...
    posebridge.errors.PoseBridgeError: the 2 in-memory NWBFiles: the PoseEstimation metadata ...
    """
    if len(plan) < 2:
        return
    files_of: dict[int, tuple[Any, list[int]]] = {}  # id(device): (device, files)
    for n, group in enumerate(plan):
        for individual in group:
            kwargs = config.resolve("pose_estimation_kwargs", individual)
            given = kwargs.get("device", kwargs.get("devices"))
            for device in given if isinstance(given, list | tuple) else [given]:
                if device is not None and not isinstance(device, str | bytes):
                    files = files_of.setdefault(id(device), (device, []))[1]
                    if n not in files:
                        files.append(n)
    shared = next(((d, f) for d, f in files_of.values() if len(f) > 1), None)
    if shared is None:
        return
    device, files = shared
    name = getattr(device, "name", None)
    individuals = [plan[n][0] for n in files]
    per_individual = ", ".join(f"{i!r}: {{'device': Device(...)}}" for i in individuals[:2])
    raise PoseBridgeError(
        f"{_files_named(out_paths, len(plan))}: the PoseEstimation metadata gives one Device "
        f"object ({name!r}) for the individuals {', '.join(map(repr, individuals))}, which are "
        "written one file each (split_individuals), and a pynwb Device belongs to one NWBFile: "
        "the second file could not link it. Give each individual its own Device "
        f"(pose_estimation_kwargs={{{per_individual}{', ...' * (len(individuals) > 2)}}}), "
        "or the camera by name and description (device_kwargs={'name': ..., "
        "'description': ...}: a Device made in every file), or write one file "
        "(split_individuals=False)."
    )


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
    if ds.attrs.get("time_unit") == "frames":
        warnings.warn(
            "the dataset has no frame rate: NWB needs seconds, so its frame numbers are "
            "written as seconds (1 frame = 1 s) with a posebridge marker that reads them back "
            "as frames. Load with fps=... to write real seconds.",
            UserWarning,
            stacklevel=user_stacklevel(),
        )
    plan = split_plan(ds, split_individuals)
    _refuse_a_device_in_several_files(config, plan, out_paths)
    warn_unwritten(ds, _files_named(out_paths, len(plan)))  # once, not once per file
    now = dt.datetime.now(dt.UTC)  # one session: the same start time in every file
    for n, group in enumerate(plan):
        nwbfile = new_nwbfile(ds, config, group[0] if len(group) == 1 else None, now)
        out_path = out_paths[n] if out_paths else None
        try:
            add_poses(nwbfile, ds, group, config, storage, video, out_path)
        except (TypeError, ValueError) as error:
            if isinstance(error, PoseBridgeError):
                raise
            raise rejected(error, "ndx-pose rejected the pose data") from error
        yield nwbfile
