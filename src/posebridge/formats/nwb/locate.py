"""Find every ndx-pose PoseEstimation in an NWB file, without building pynwb objects.

A file on disk is walked with h5py: the groups under ``/processing``,
``/acquisition`` and ``/analysis`` (three levels deep, enough for ndx-pose 0.4's
MultiCameraPoseEstimation) are checked for ``neurodata_type == "PoseEstimation"``;
a MultiCameraPoseEstimation with series of its own is a container too, before its
cameras' PoseEstimation containers (each marked with its path).
This reads any ndx-pose version (0.1 ``nodes``/``edges`` on the container, 0.2/0.3
unnamed device links, 0.4 ``device``/``source_video`` links) with no schema
classes at all, so a file that ndx-pose 0.4 refuses to open still reads.

An in-memory ``pynwb.NWBFile`` is described the same way from its objects.
Either way the result is a :class:`FileInfo` of :class:`Container` and
:class:`Series` records whose arrays are still on disk (h5py datasets).
"""

from __future__ import annotations

import functools
import os
import posixpath
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import h5py
import numpy as np

from posebridge._recorded_warnings import dropping_warnings
from posebridge.errors import FormatError, brief
from posebridge.formats._shared.hdf5 import check_size, checked_attribute, read_whole
from posebridge.formats._shared.images import image_side
from posebridge.formats.nwb.common import (
    GENERAL_LISTS,
    GENERAL_TEXTS,
    REFERENCE_TIME,
    edge_indices,
    parse_individual_tag,
    regular_times,
    split_tags,
    to_text,
)

POSE_ESTIMATION = "PoseEstimation"
POSE_SERIES = "PoseEstimationSeries"
MULTI_CAMERA = "MultiCameraPoseEstimation"
POSE_TRAINING = "PoseTraining"
_DEVICE_TYPES = ("Device", "CalibratedCamera")
_ROOTS = ("processing", "acquisition", "analysis")
_MAX_DEPTH = 3
SUBJECT_FIELDS = (
    "subject_id",
    "species",
    "sex",
    "age",
    "description",
    "strain",
    "genotype",
    "weight",
    "date_of_birth",
)


@dataclass
class Timing:
    """When the samples of one series were taken."""

    n: int
    key: Any  # identity of the time source: equal keys share the same times
    timestamps: Any = None  # array-like (h5py dataset or numpy), or None with a rate
    starting_time: float = 0.0
    rate: float | None = None
    #: why the samples have no times (n is 0 then), for messages
    unplaced: str = ""

    def values(self) -> np.ndarray:
        """The sample times in seconds (float64)."""
        if self.rate is not None:
            return regular_times(self.starting_time, self.n, self.rate)
        if self.timestamps is None:
            return np.zeros(0)
        return np.asarray(self.timestamps[:], dtype=np.float64).reshape(-1)


@dataclass
class Series:
    """One PoseEstimationSeries: a keypoint's positions over time."""

    name: str
    data: Any  # (T, 2|3) array-like
    confidence: Any | None  # (T,) array-like
    timing: Timing
    unit: str = "pixels"
    conversion: float = 1.0
    offset: float = 0.0
    comments: str = ""
    description: str = ""
    #: what the coordinates are relative to (ndx-pose ``reference_frame``), if stated
    reference_frame: str | None = None
    #: what the confidence values mean (ndx-pose ``confidence_definition``), if stated
    confidence_definition: str | None = None

    @property
    def shape(self) -> tuple[int, ...]:
        """Shape of the data."""
        return tuple(int(s) for s in self.data.shape)


@dataclass
class Container:
    """One PoseEstimation: the keypoints of one animal seen by one camera."""

    path: str
    module: str
    name: str
    series: list[Series] = field(default_factory=list)
    nodes: list[str] | None = None
    edges: np.ndarray | None = None
    skeleton_name: str | None = None  # the linked ndx-pose Skeleton's name
    devices: list[str] = field(default_factory=list)
    #: each device's ``description`` and ``manufacturer`` (those it has), by name
    device_details: dict[str, dict[str, str]] = field(default_factory=dict)
    source_software: str | None = None
    source_software_version: str | None = None
    scorer: str | None = None
    description: str | None = None
    #: the container's ``description`` as its writer gave it, without posebridge's tags;
    #: None when posebridge made it up (``description`` is then the tags, see _take_tags)
    given_description: str | None = None
    video_paths: list[str] = field(default_factory=list)
    video_linked: bool = False  # from a source_video ImageSeries: relative to the NWB file
    video_dimension: tuple[int, int] | None = None
    subject_id: str | None = None  # the file's subject
    source: str = ""  # the file it is in
    folder: str | None = None  # that file's folder (absolute), to resolve relative video paths
    #: The MultiCameraPoseEstimation holding it (a camera's PoseEstimation), if any.
    multi_camera: str | None = None
    #: Its ndx-pose type: ``PoseEstimation``, or ``MultiCameraPoseEstimation`` (one with
    #: series of its own).
    neurodata_type: str = POSE_ESTIMATION


@dataclass
class FileInfo:
    """What an NWB file holds that the pose reader needs."""

    containers: list[Container]
    training: list[str]
    modules: list[str]
    subject: dict[str, str]
    session: dict[str, str]
    folder: str | None = None  # the NWB file's folder (absolute), to resolve relative video paths


# --------------------------------------------------------------------------
# h5py


def _h5_general(h5: h5py.File) -> dict[str, Any]:
    """The session metadata under ``/general`` posebridge keeps: texts, and lists of text."""
    general = h5.get("general")
    found: dict[str, Any] = {}
    if not isinstance(general, h5py.Group):
        return found
    for key in (*GENERAL_TEXTS, *GENERAL_LISTS):
        node = general.get(key)
        if not isinstance(node, h5py.Dataset):
            continue
        found.update(_general_value(key, _texts(node)))
    return found


def _obj_general(nwbfile: Any) -> dict[str, Any]:
    """:func:`_h5_general` of an in-memory ``pynwb.NWBFile``."""
    found: dict[str, Any] = {}
    for key in (*GENERAL_TEXTS, *GENERAL_LISTS):
        value = getattr(nwbfile, key, None)
        if value is None:
            continue
        values = np.atleast_1d(np.asarray(value, dtype=object)).reshape(-1)
        found.update(_general_value(key, [to_text(v) for v in values]))
    return found


def _general_value(key: str, values: list[str]) -> dict[str, Any]:
    """``{key: value}`` of one general field's non-empty texts: a list when a list field
    holds several, else the one text (a list of one comes back so from netCDF)."""
    values = [v for v in values if v]
    if len(values) > 1 and key in GENERAL_LISTS:
        return {key: values}
    return {key: values[0]} if len(values) == 1 else {}


#: The Device fields kept (as ``device_<field>`` attrs) and written back.
DEVICE_DETAILS = ("description", "manufacturer")


def _device_details(values: dict[str, Any]) -> dict[str, str]:
    """A Device's description and manufacturer, those that are non-empty text."""
    found = {}
    for key in DEVICE_DETAILS:
        value = values.get(key)
        text = to_text(value) if isinstance(value, str | bytes) else None
        if text:
            found[key] = text
    return found


def _h5_device_fields(device: h5py.Group) -> dict[str, Any]:
    """A Device group's :data:`DEVICE_DETAILS`; its ``manufacturer`` from its linked
    ``DeviceModel`` (NWB 2.9, where pynwb writes it now) when the Device has none."""
    fields = {key: checked_attribute(device, key) for key in DEVICE_DETAILS}
    model = device.get("model") if fields.get("manufacturer") is None else None
    if isinstance(model, h5py.Group):
        fields["manufacturer"] = checked_attribute(model, "manufacturer")
    return fields


def _obj_device_fields(device: Any) -> dict[str, Any]:
    """A pynwb Device's :data:`DEVICE_DETAILS`, as :func:`_h5_device_fields` reads them."""
    fields = {key: getattr(device, key, None) for key in DEVICE_DETAILS}
    if fields.get("manufacturer") is None:
        fields["manufacturer"] = getattr(getattr(device, "model", None), "manufacturer", None)
    return fields


def _text(node: Any) -> str | None:
    try:
        value = node[()]
    except (OSError, TypeError, ValueError):
        return None
    if isinstance(value, np.ndarray):
        return None if value.size != 1 else to_text(value.reshape(-1)[0])
    return to_text(value)


def _texts(node: Any) -> list[str]:
    try:
        values = read_whole(node)  # a declared billion names: refused, not read
    except FormatError:  # (a ValueError too) the refusal
        raise
    except (OSError, TypeError, ValueError):
        return []
    return [to_text(v) for v in np.atleast_1d(values).reshape(-1)]


def _ntype(obj: Any) -> str:
    value = checked_attribute(obj, "neurodata_type", "")
    return to_text(value) if value is not None else ""


def _resolve(group: h5py.Group, name: str) -> tuple[Any, str] | None:
    """The object a soft link in ``group`` points to, with its path."""
    link = group.get(name, getlink=True)
    if not isinstance(link, h5py.SoftLink):
        return None
    target = link.path
    if not target.startswith("/"):
        target = posixpath.normpath(posixpath.join(group.name, target))
    obj = group.file.get(target)
    return (obj, target) if obj is not None else None


def _h5_timing(group: h5py.Group, n: int) -> Timing:
    link = group.get("timestamps", getlink=True)
    if link is not None:
        resolved = _resolve(group, "timestamps")
        if resolved is not None:
            dataset, key = resolved
        else:
            dataset, key = group["timestamps"], group["timestamps"].name
        if isinstance(dataset, h5py.Dataset):
            check_size(dataset)  # read whole later
        return Timing(n=int(dataset.shape[0]) if dataset.ndim else 1, key=key, timestamps=dataset)
    if "starting_time" in group:
        start = group["starting_time"]
        check_size(start)  # not another file's bytes
        rate, begin = _number(checked_attribute(start, "rate", 0.0)), _number(start[()])
        if rate is None or begin is None:
            raise FormatError(
                Path(group.file.filename),
                f"{start.name}: expected one number and a numeric 'rate' attribute, found "
                f"{np.asarray(start[()]).dtype} values of shape {np.shape(start[()])}.",
            )
        if n == 1 and not _usable_rate(begin, rate, n):  # one sample: at the starting time
            return Timing(n=1, key=("single", group.name), timestamps=np.array([begin]))
        why = _why_rate_unusable(begin, rate, n)
        if not why:
            return Timing(n=n, key=("rate", begin, rate, n), starting_time=begin, rate=rate)
        return Timing(n=0, key=("none", group.name), timestamps=np.zeros(0), unplaced=why)
    why = f"neither timestamps nor a rate for {n} samples"
    return Timing(n=0, key=("none", group.name), timestamps=np.zeros(0), unplaced=why)


@functools.lru_cache(maxsize=64)  # the series of a file share their timing: checked once
def _why_rate_unusable(start: float, rate: float, n: int) -> str:
    """Why a series' ``starting_time`` and ``rate`` cannot time its ``n`` samples ("" when
    they can): the rate must be positive and finite, and the times it gives
    (:func:`regular_times`) finite and increasing (a rate of 1e-308 overflows them)."""
    if not (rate > 0 and np.isfinite(rate)):
        return f"a rate of {rate:g} with {n} samples"
    if n < 2:
        return ""
    with np.errstate(over="ignore", invalid="ignore"):  # overflow: the answer, not a warning
        times = regular_times(start, n, rate)
        increasing = bool(np.isfinite(times).all() and (np.diff(times) > 0).all())
    if increasing:
        return ""
    return (
        f"a rate of {rate:g} with {n} samples from starting time {start:g}: their times "
        "(starting_time + k / rate) are not finite and increasing"
    )


def _usable_rate(start: float, rate: float, n: int) -> bool:
    """Whether ``rate`` from ``start`` times ``n`` samples (see :func:`_why_rate_unusable`)."""
    return not _why_rate_unusable(start, rate, n)


def _number(value: Any) -> float | None:
    """One number as float, or None for anything else (an array, text)."""
    array = np.asarray(value)
    if array.size != 1 or array.dtype.kind not in "iuf":
        return None
    return float(array.reshape(-1)[0])


def _scale(data: h5py.Dataset, attribute: str, default: float) -> float:
    """The ``conversion`` or ``offset`` attribute of a series' data: one number."""
    if attribute not in data.attrs:
        return default
    value = _number(checked_attribute(data, attribute))
    if value is None:
        raise FormatError(
            Path(data.file.filename),
            f"{data.name}: the '{attribute}' attribute is {brief(data.attrs[attribute])}; "
            "expected one number.",
        )
    return value


def _h5_series(group: h5py.Group, name: str) -> Series | None:
    if "data" not in group:
        return None
    data = group["data"]
    n = int(data.shape[0]) if data.ndim else 0
    confidence = group.get("confidence")
    for dataset in (data, confidence):  # read whole later, into arrays of their shape
        if isinstance(dataset, h5py.Dataset):
            check_size(dataset)
    unit = checked_attribute(data, "unit", "pixels")
    definition = (
        checked_attribute(confidence, "definition")
        if isinstance(confidence, h5py.Dataset)
        else None
    )
    return Series(
        name=name,
        data=data,
        confidence=confidence,
        timing=_h5_timing(group, n),
        unit=to_text(unit),
        conversion=_scale(data, "conversion", 1.0),
        offset=_scale(data, "offset", 0.0),
        comments=to_text(checked_attribute(group, "comments", "")),
        description=to_text(checked_attribute(group, "description", "")),
        reference_frame=_series_text(group, "reference_frame"),
        confidence_definition=_object_text(definition),
    )


def _series_text(group: h5py.Group, name: str) -> str | None:
    """A text field of a series (a scalar dataset, or an attribute in files that store
    it so), None when absent, empty or not one text."""
    node = group.get(name)
    value = _text(node) if isinstance(node, h5py.Dataset) else None
    if value is None and name in group.attrs:
        stored = checked_attribute(group, name)
        value = to_text(stored) if isinstance(stored, str | bytes) else None
    return value or None


def _h5_skeleton(container: Container, skeleton: h5py.Group) -> None:
    container.skeleton_name = posixpath.basename(skeleton.name) or None
    if "nodes" in skeleton:
        container.nodes = _texts(skeleton["nodes"])
    if "edges" in skeleton:
        edges = skeleton["edges"]
        container.edges = edge_indices(read_whole(edges), edges.name, skeleton.file.filename)


def _h5_container(group: h5py.Group, module: str) -> Container:
    path = group.name.lstrip("/")
    container = Container(path=path, module=module, name=posixpath.basename(group.name))
    for name in group:
        link = group.get(name, getlink=True)
        if isinstance(link, h5py.SoftLink):
            resolved = _resolve(group, name)
            if resolved is None:
                continue
            target, _ = resolved
            kind = _ntype(target)
            if kind in _DEVICE_TYPES:
                container.devices.append(posixpath.basename(target.name))
                container.device_details[container.devices[-1]] = _device_details(
                    _h5_device_fields(target)
                )
            elif kind == "Skeleton":
                _h5_skeleton(container, target)
            elif name == "source_video" and isinstance(target, h5py.Group):
                if "external_file" in target:
                    container.video_paths = _texts(target["external_file"])[:1]
                    container.video_linked = True
                if "dimension" in target:
                    dims = np.asarray(read_whole(target["dimension"])).reshape(-1)
                    sides = [image_side(v) for v in dims[:2]]
                    if len(sides) == 2 and all(sides):
                        container.video_dimension = (sides[0], sides[1])
            continue
        if isinstance(link, h5py.ExternalLink):
            continue
        obj = group[name]
        if isinstance(obj, h5py.Group):
            if _ntype(obj) == POSE_SERIES:
                series = _h5_series(obj, name)
                if series is not None:
                    container.series.append(series)
            continue
        if name == "source_software":
            container.source_software = _text(obj)
            version = checked_attribute(obj, "version")
            container.source_software_version = None if version is None else to_text(version)
        elif name in ("scorer", "description"):
            setattr(container, name, _text(obj))
        elif name == "nodes":
            container.nodes = _texts(obj)
        elif name == "edges":
            container.edges = edge_indices(read_whole(obj), obj.name, obj.file.filename)
        elif name == "original_videos" and not container.video_linked:
            container.video_paths = _texts(obj)
        elif name == "dimensions" and container.video_dimension is None:
            dims = np.asarray(read_whole(obj))
            # uint8 dimensions are known to have overflowed (ndx-pose #20): skip them
            sides = [image_side(v) for v in dims.reshape(-1)[:2]]
            if dims.shape == (1, 2) and dims.dtype != np.uint8 and all(sides):
                container.video_dimension = (sides[0], sides[1])
    _take_tags(container)
    return container


def _take_tags(container: Container) -> None:
    """Read the tags a PoseEstimation's series carry (its description was the caller's).

    posebridge ends its own descriptions with the individual (and view) tags; a
    description the caller gave is written as given and the tags end every
    series' ``comments`` (:func:`~posebridge.formats.nwb.common.tags_comment`).
    They are taken off the comments, and the container's ``description`` is
    then the tags, which is all the reader reads it for; the description given
    is kept in ``given_description``, as is another writer's (a description
    posebridge made, which ends with the individual tag, is not).
    """
    found = None
    for series in container.series:
        series.comments, tags = split_tags(series.comments)
        found = found or tags
    if found or parse_individual_tag(container.description) is None:
        container.given_description = container.description or None
    if found:
        container.description = found


def _walk(group: h5py.Group, depth: int, found: list, training: list, module: str) -> None:
    for name in group:
        link = group.get(name, getlink=True)
        if not isinstance(link, h5py.HardLink):
            continue
        obj = group[name]
        if not isinstance(obj, h5py.Group):
            continue
        kind = _ntype(obj)
        if kind == POSE_ESTIMATION:
            found.append(_h5_container(obj, module))
        elif kind == POSE_TRAINING:
            training.append(obj.name.lstrip("/"))
        elif depth < _MAX_DEPTH and kind not in (POSE_SERIES, "Skeletons", "TimeSeries"):
            before = len(found)
            _walk(obj, depth + 1, found, training, module or name)
            if kind == MULTI_CAMERA and any(_is_series(obj, n) for n in obj):
                _mark_cameras(found[before:], obj.name.lstrip("/"))
                own = _h5_container(obj, module)
                own.neurodata_type = MULTI_CAMERA
                found.insert(before, own)  # its own poses, first


def _is_series(group: h5py.Group, name: str) -> bool:
    """Whether ``group[name]`` is a PoseEstimationSeries (held there, not linked)."""
    link = group.get(name, getlink=True)
    return isinstance(link, h5py.HardLink) and _ntype(group[name]) == POSE_SERIES


def _mark_cameras(cameras: list[Container], path: str) -> None:
    """Mark the cameras' PoseEstimation containers of the MultiCameraPoseEstimation at
    ``path`` (which has poses of its own: a container too, read instead of them unless
    asked, see :func:`~posebridge.formats.nwb.assemble.multi_camera_choice`)."""
    for container in cameras:
        container.multi_camera = path


def _h5_subject(h5: h5py.File) -> dict[str, str]:
    subject = h5.get("general/subject")
    if not isinstance(subject, h5py.Group):
        return {}
    out = {}
    for key in SUBJECT_FIELDS:
        if key in subject and isinstance(subject[key], h5py.Dataset):
            value = _text(subject[key])
            if value:
                out[key] = value
    if "age" in out:
        reference = subject["age"].attrs.get("reference")
        if isinstance(reference, bytes):
            reference = reference.decode("utf-8", "replace")
        _keep_age_reference(out, reference)
    return out


def _keep_age_reference(subject: dict[str, str], reference: Any) -> None:
    """Keep what an age counts from, unless it is NWB's default (``birth``): an age from
    conception (``gestational``) read without it would be written back as after birth."""
    if isinstance(reference, str) and reference and reference != "birth":
        subject["age__reference"] = reference


def h5_info(h5: h5py.File, folder: str | None = None) -> FileInfo:
    """Describe the pose content of an open NWB file (h5py), reading no arrays.

    ``folder`` is the file's folder; it is kept absolute (a relative one, such as
    ``"."`` for a file named without a folder, is taken from the working folder now),
    so that the video paths resolved against it are absolute whatever the file is called.
    """
    if folder is not None:
        folder = os.path.abspath(folder)
    containers: list[Container] = []
    training: list[str] = []
    for root in _ROOTS:
        group = h5.get(root)
        if isinstance(group, h5py.Group):
            _walk(group, 1, containers, training, "" if root == "processing" else root)
    processing = h5.get("processing")
    modules = list(processing) if isinstance(processing, h5py.Group) else []
    session = {}
    for key in ("identifier", "session_description", "session_start_time", REFERENCE_TIME):
        if key in h5 and isinstance(h5[key], h5py.Dataset):
            value = _text(h5[key])
            if value is not None:
                session[key] = value
    session.update(_h5_general(h5))
    subject = _h5_subject(h5)
    for container in containers:
        container.subject_id = subject.get("subject_id")
        container.source, container.folder = h5.filename, folder
    return FileInfo(containers, training, modules, subject, session, folder)


def merge_infos(infos: list[FileInfo]) -> FileInfo:
    """One description of several NWB files (their containers side by side)."""
    if len(infos) == 1:
        return infos[0]
    subjects = [info.subject for info in infos]
    return FileInfo(
        containers=[c for info in infos for c in info.containers],
        training=[t for info in infos for t in info.training],
        modules=list(dict.fromkeys(m for info in infos for m in info.modules)),
        subject=subjects[0] if all(s == subjects[0] for s in subjects) else {},
        session=infos[0].session,
        folder=infos[0].folder,
    )


def is_nwb(h5: h5py.File) -> bool:
    """Whether an open HDF5 file is an NWB file."""
    return "nwb_version" in h5.attrs or _ntype(h5) == "NWBFile"


# --------------------------------------------------------------------------
# in-memory pynwb objects


def _obj_timing(series: Any, n: int) -> Timing:
    timestamps = getattr(series, "timestamps", None)
    if timestamps is not None:
        if hasattr(timestamps, "timestamps"):  # a linked TimeSeries
            timestamps = timestamps.timestamps
        if hasattr(timestamps, "data") and not hasattr(timestamps, "shape"):  # DataIO
            timestamps = timestamps.data
        key: Any = ("obj", id(timestamps))
        if isinstance(timestamps, h5py.Dataset):
            check_size(timestamps)  # read whole later, as in _h5_timing
            key = ("h5", timestamps.file.filename, timestamps.name)
        return Timing(n=len(timestamps), key=key, timestamps=timestamps)
    rate = getattr(series, "rate", None)
    rate = float(rate) if isinstance(rate, int | float | np.number) else None
    begin = float(getattr(series, "starting_time", 0.0) or 0.0)
    if rate is not None and _usable_rate(begin, rate, n):  # as in a file (_h5_timing)
        return Timing(n=n, key=("rate", begin, rate, n), starting_time=begin, rate=rate)
    start = getattr(series, "starting_time", None)
    if n == 1 and start is not None:  # one sample: its time is the starting time
        return Timing(n=1, key=("single", id(series)), timestamps=np.array([float(start)]))
    why = (
        _why_rate_unusable(begin, rate, n)
        if rate is not None
        else f"neither timestamps nor a rate for {n} samples"
    )
    return Timing(n=0, key=("none", id(series)), timestamps=np.zeros(0), unplaced=why)


def _obj_series(series: Any) -> Series:
    data = series.data
    if hasattr(data, "data") and not hasattr(data, "shape"):  # a DataIO wrapper
        data = data.data
    if not hasattr(data, "shape"):
        data = np.asarray(data)
    confidence = getattr(series, "confidence", None)
    if confidence is not None and not hasattr(confidence, "shape"):
        confidence = np.asarray(getattr(confidence, "data", confidence))
    for dataset in (data, confidence):  # a file pynwb opened: checked as in _h5_series
        if isinstance(dataset, h5py.Dataset):
            check_size(dataset)
    n = int(data.shape[0]) if len(data.shape) else 0
    return Series(
        name=series.name,
        data=data,
        confidence=confidence,
        timing=_obj_timing(series, n),
        unit=str(getattr(series, "unit", "pixels") or "pixels"),
        conversion=float(getattr(series, "conversion", 1.0) or 1.0),
        offset=float(getattr(series, "offset", 0.0) or 0.0),
        comments=str(getattr(series, "comments", "") or ""),
        description=str(getattr(series, "description", "") or ""),
        reference_frame=_object_text(getattr(series, "reference_frame", None)),
        confidence_definition=_object_confidence_definition(series, confidence),
    )


def _object_confidence_definition(series: Any, confidence: Any) -> str | None:
    """A pynwb series' ``confidence_definition`` (``confidence__definition`` when pynwb
    reads a file with ndx-pose 0.1's cached schema; else the attribute on disk)."""
    for name in ("confidence_definition", "confidence__definition"):
        text = _object_text(getattr(series, name, None))
        if text:
            return text
    if isinstance(confidence, h5py.Dataset):
        stored = checked_attribute(confidence, "definition")
        return _object_text(stored)
    return None


def _object_text(value: Any) -> str | None:
    """A pynwb object's text field as ``str``, None when absent or empty."""
    return to_text(value) or None if isinstance(value, str | bytes | np.str_) else None


def _obj_container(obj: Any, module: str, path: str) -> Container:
    """``obj`` (a PoseEstimation, or a MultiCameraPoseEstimation with series of its own)
    at ``path``, where it is in a file written from the NWBFile (as :func:`_h5_container`
    names it)."""
    container = Container(
        path=path,
        module=module,
        name=obj.name,
        source_software=getattr(obj, "source_software", None),
        source_software_version=getattr(obj, "source_software_version", None)
        or getattr(obj, "source_software__version", None),
        scorer=getattr(obj, "scorer", None),
        description=getattr(obj, "description", None),
    )
    series = getattr(obj, "pose_estimation_series", None) or {}
    container.series = [_obj_series(s) for s in series.values()]
    skeleton = getattr(obj, "skeleton", None)
    nodes = getattr(skeleton, "nodes", None) if skeleton is not None else None
    edges = getattr(skeleton, "edges", None) if skeleton is not None else None
    if nodes is None and hasattr(obj, "fields"):
        nodes, edges = obj.fields.get("nodes"), obj.fields.get("edges")
    if skeleton is not None and isinstance(getattr(skeleton, "name", None), str):
        container.skeleton_name = skeleton.name
    if nodes is not None:
        container.nodes = [to_text(n) for n in np.asarray(read_whole(nodes)).reshape(-1)]
    if edges is not None:
        container.edges = np.asarray(read_whole(edges)).reshape(-1, 2)
    device = getattr(obj, "device", None)
    if device is not None:
        values = [device]
    else:
        # ndx-pose 0.2+ warns that ``devices`` is deprecated: it is read for 0.1's API only
        with dropping_warnings(DeprecationWarning, message=r"PoseEstimation\.devices"):
            devices = getattr(obj, "devices", None) or {}
        values = list(devices.values() if isinstance(devices, dict) else devices)
    container.devices = [d.name for d in values]
    container.device_details = {d.name: _device_details(_obj_device_fields(d)) for d in values}
    video = getattr(obj, "source_video", None)
    if video is not None and getattr(video, "external_file", None) is not None:
        container.video_paths = [to_text(video.external_file[0])]
        container.video_linked = True
        dims = getattr(video, "dimension", None)
        if dims is not None and len(dims) >= 2 and dims[0] > 0 and dims[1] > 0:
            container.video_dimension = (int(dims[0]), int(dims[1]))
    elif getattr(obj, "original_videos", None) is not None:
        container.video_paths = [
            to_text(v) for v in np.asarray(read_whole(obj.original_videos)).reshape(-1)
        ]
    dims = getattr(obj, "dimensions", None)
    if container.video_dimension is None and dims is not None:
        dims = np.asarray(dims[:])
        if dims.shape == (1, 2) and dims.dtype != np.uint8 and np.all(dims > 0):
            container.video_dimension = (int(dims[0, 0]), int(dims[0, 1]))
    _take_tags(container)
    return container


def _obj_walk(
    children: Any, module: str, where: str, depth: int, found: list, training: list
) -> None:
    """As :func:`_walk` walks a file: ``children`` of the group at path ``where``."""
    for child in children:
        kind = getattr(child, "neurodata_type", type(child).__name__)
        path = f"{where}/{child.name}"  # as in a file written from it (a camera of a
        # MultiCameraPoseEstimation inside it: two animals' "cam1" are two paths)
        if kind == POSE_ESTIMATION:
            found.append(_obj_container(child, module, path))
        elif kind == POSE_TRAINING:
            training.append(path)
        elif depth < _MAX_DEPTH and kind not in (POSE_SERIES, "Skeletons", "TimeSeries"):
            before = len(found)
            grandchildren = getattr(child, "children", None) or []
            _obj_walk(grandchildren, module, path, depth + 1, found, training)
            if kind == MULTI_CAMERA and getattr(child, "pose_estimation_series", None):
                _mark_cameras(found[before:], path)
                own = _obj_container(child, module, path)
                own.neurodata_type = MULTI_CAMERA
                found.insert(before, own)  # its own poses, first


def object_info(nwbfile: Any) -> FileInfo:
    """Describe the pose content of an in-memory ``pynwb.NWBFile``."""
    containers: list[Container] = []
    training: list[str] = []
    for name, module in nwbfile.processing.items():
        children = getattr(module, "children", None) or []
        _obj_walk(children, name, f"processing/{name}", 2, containers, training)
    for root in ("acquisition", "analysis"):  # as h5_info walks them
        _obj_walk(getattr(nwbfile, root).values(), root, root, 1, containers, training)
    subject = {}
    if nwbfile.subject is not None:
        for key in SUBJECT_FIELDS:
            value = getattr(nwbfile.subject, key, None)
            if value is not None and value != "":
                subject[key] = value.isoformat() if hasattr(value, "isoformat") else str(value)
        if "age" in subject:
            _keep_age_reference(subject, getattr(nwbfile.subject, "age__reference", None))
    session = {
        "identifier": str(nwbfile.identifier),
        "session_description": str(nwbfile.session_description),
        "session_start_time": nwbfile.session_start_time.isoformat(),
        **_obj_general(nwbfile),
    }
    reference = getattr(nwbfile, REFERENCE_TIME, None)
    if reference is not None:
        session[REFERENCE_TIME] = reference.isoformat()
    for container in containers:
        container.subject_id = subject.get("subject_id")
    return FileInfo(containers, training, list(nwbfile.processing), subject, session, None)
