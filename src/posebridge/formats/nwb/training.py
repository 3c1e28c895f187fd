"""NWB ndx-pose ``PoseTraining`` (labelled frames) <-> labels datasets.

Layout written (and read), in ``processing/behavior``:

- ``Skeletons/<name>``: the keypoints (``nodes``) and ``skeleton_edges`` as node
  indices (the narrowest unsigned type that holds them);
- ``PoseTraining/source_videos/video_<k>``: one external ``ImageSeries`` per
  ``video`` of the dataset. A video file is one ``external_file``
  (``starting_frame = [0]``); a video of images lists its images, one frame each
  (``starting_frame = 0..n-1``), as sleap-io writes SLEAP image sequences.
  Relative paths are written as they are (DeepLabCut image paths are relative to
  the project folder: put the .nwb there for them to resolve); absolute paths are
  written relative to the .nwb's folder, as NWB asks, and the series' comments
  say so, so that posebridge reads them back absolute. ``rate`` is the dataset's
  ``fps``, else 1.0 with the comment that it counts frames. Nothing needs the
  files to exist;
- ``PoseTraining/training_frames/frame_<row>``: one ``TrainingFrame`` per
  labelled frame, linking its ``source_video`` with ``source_video_frame_index``
  (the frame number, or the image's position; uint32, uint64 beyond), and
  ``annotator`` = the dataset's ``scorer`` when set;
- in each, ``skeleton_instances/<individual>``: one ``SkeletonInstance`` per
  individual with a point, named after it (``/`` becomes ``_``), ``id`` = its
  position among the individuals (uint16 or wider), ``node_locations`` (points,
  NaN where unlabelled; a point marked not visible keeps its coordinates) and
  ``node_visibility`` (:func:`posebridge.labels.point_flags`).

Reading takes any such layout (sleap-io's too) with h5py, one group per frame
and instance (the format's own structure): instances named ``instance_<k>``
(sleap-io's, by rank in the frame) become ``untracked_<k>``; individuals are
ordered by ``id``; an image list's frame gives ``image_path``; paths are read as
stored (or absolute again, see above).
"""

from __future__ import annotations

import os
import posixpath
import re
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import h5py
import numpy as np
import xarray as xr

from posebridge import model
from posebridge.errors import FormatError, PoseBridgeError
from posebridge.formats._shared.hdf5 import NumpyTypes, number_in, one_number, plain_attribute
from posebridge.formats.nwb.common import (
    FRAMES_MARKER,
    edge_indices,
    frames_comment,
    to_text,
    unique_names,
)
from posebridge.model import labels

PATHS_MARKER = "posebridge: external_file relative to the NWB file (absolute when written)"
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".gif", ".webp")
_SLEAP_INSTANCE = re.compile(r"^instance_(\d+)$")
_NUMBERED = re.compile(r"^(.*?)(\d+)$")
DIMS3 = (model.TIME, model.KEYPOINT, model.INDIVIDUAL)


# --------------------------------------------------------------------------
# reading


@dataclass
class _Video:
    files: list[str]
    starts: np.ndarray
    images: bool
    name: str


@dataclass
class _Instance:
    row: int
    name: str
    id: int | None
    skeleton: str
    locations: np.ndarray
    visibility: np.ndarray | None


@dataclass
class _Read:
    videos: dict[str, _Video] = field(default_factory=dict)
    frame_video: list[str | None] = field(default_factory=list)
    frame_index: list[int] = field(default_factory=list)
    annotators: set[str] = field(default_factory=set)
    instances: list[_Instance] = field(default_factory=list)
    rates: set[float] = field(default_factory=set)


def _link_path(group: h5py.Group, link: h5py.SoftLink) -> str:
    """The absolute path a soft link in ``group`` points to."""
    target = link.path
    if not target.startswith("/"):
        target = posixpath.normpath(posixpath.join(group.name, target))
    return target


def _natural(name: str | bytes) -> tuple[str, int, str]:
    if isinstance(name, bytes):  # h5py gives a name that is not UTF-8 as bytes
        name = name.decode("utf-8", "surrogateescape")
    found = _NUMBERED.match(name)
    return (found.group(1), int(found.group(2)), "") if found else (name, -1, name)


def _is_images(files: list[str]) -> bool:
    return bool(files) and all(f.lower().endswith(IMAGE_SUFFIXES) for f in files)


def _video(group: h5py.Group, folder: str, path: Path) -> _Video:
    files = (
        [to_text(v) for v in np.atleast_1d(group["external_file"][()])]
        if ("external_file" in group)
        else []
    )
    comments = to_text(group.attrs.get("comments", ""))
    if PATHS_MARKER in comments:
        files = [os.path.normpath(os.path.join(folder, f)) for f in files]
    files = [str(p) for p in labels.normalise_paths(files)] if files else []
    files = ["" if f == labels.UNKNOWN_VIDEO else f for f in files]
    starts = group["external_file"].attrs.get("starting_frame") if files else None
    try:
        starts = np.asarray(
            starts if starts is not None else np.arange(len(files)), dtype=np.int64
        ).reshape(-1)  # one number is stored as a scalar by some writers
    except (TypeError, ValueError):
        raise FormatError(
            path, f"{group.name}/external_file: starting_frame is not whole numbers."
        ) from None
    if starts.size != len(files):
        starts = np.arange(len(files), dtype=np.int64)
    if starts.size > 1 and (np.diff(starts) <= 0).any():
        raise FormatError(
            path,
            f"{group.name}/external_file: starting_frame {starts.tolist()[:8]} does not "
            "increase (the first frame of each file, in order).",
        )
    return _Video(files, starts, _is_images(files), posixpath.basename(group.name))


def _collect(training: h5py.Group, folder: str, path: Path) -> _Read:
    out = _Read()
    videos = training.get("source_videos")
    if isinstance(videos, h5py.Group):
        for name in videos:
            series = videos[name]
            out.videos[series.name] = _video(series, folder, path)
            start = series.get("starting_time")
            comments = to_text(series.attrs.get("comments", ""))
            timed = start is not None and "rate" in start.attrs
            if timed and FRAMES_MARKER not in comments and not out.videos[series.name].images:
                out.rates.add(float(start.attrs["rate"]))
    frames = training.get("training_frames")
    if not isinstance(frames, h5py.Group):
        return out
    frames_id, types = frames.id, NumpyTypes()
    for row, name in enumerate(sorted(frames, key=_natural)):  # the format: a group per frame
        fast = _plain_frame(frames_id, f"{frames.name}/{name}", name, row, path, types)
        if fast is None:  # anything unusual: read by the general code, which decides
            fast = _frame(frames[name], row, path)
        video, index, annotator, instances = fast
        out.frame_video.append(video)
        out.frame_index.append(index if index is not None else labels.UNKNOWN_FRAME)
        if annotator is not None:
            out.annotators.add(annotator)
        out.instances.extend(instances)
    return out


_Frame = tuple[str | None, int | None, str | None, list[_Instance]]
_NUMBER_KINDS = "iufb"
_SOFT = h5py.h5l.TYPE_SOFT


def _frame(frame: h5py.Group, row: int, path: Path) -> _Frame:
    """One TrainingFrame: its video link, frame index, annotator and instances."""
    link = frame.get("source_video", getlink=True)
    video = _link_path(frame, link) if isinstance(link, h5py.SoftLink) else None
    index = one_number(frame, "source_video_frame_index", None, path, whole=True)
    annotator = to_text(frame.attrs["annotator"]) if "annotator" in frame.attrs else None
    holder = frame.get("skeleton_instances")
    if not isinstance(holder, h5py.Group):
        raise FormatError(path, f"the TrainingFrame {frame.name} has no skeleton_instances.")
    instances = []
    for key in holder:
        instance = holder[key]
        found: dict[str, Any] = {}
        skeleton = ""
        for member in instance:  # node_locations, node_visibility, the skeleton's link
            if member in ("node_locations", "node_visibility"):
                found[member] = instance[member][()]
                continue
            link = instance.get(member, getlink=True)
            if isinstance(link, h5py.SoftLink):
                skeleton = _link_path(instance, link)
        if "node_locations" not in found:
            raise FormatError(path, f"the SkeletonInstance {instance.name} has no node_locations.")
        raw_id = one_number(instance, "id", None, path, whole=True)
        visibility = found.get("node_visibility")
        for member in found:
            if np.asarray(found[member]).dtype.kind not in _NUMBER_KINDS:
                raise FormatError(
                    path, f"{instance.name}/{member} should hold numbers (or flags)."
                )
        shape = np.shape(found["node_locations"])
        if len(shape) != 2 or shape[1] not in (2, 3):
            raise FormatError(
                path,
                f"{instance.name}/node_locations has shape {shape}; expected "
                "(nodes, 2) or (nodes, 3).",
            )
        name = key if isinstance(key, str) else key.decode("utf-8", "posebridge-percent")
        instances.append(
            _instance(row, name, raw_id, skeleton, found["node_locations"], visibility)
        )
    return video, index, annotator, instances


def _plain_frame(
    frames: Any, where: str, name: str | bytes, row: int, path: Path, types: NumpyTypes
) -> _Frame | None:
    """:func:`_frame` for a plain TrainingFrame, with h5py's low-level calls.

    The format stores a group per frame and per instance; h5py's high-level
    objects cost more than the data here. A frame that is anything but plain
    (a member of another kind, text where numbers are expected, a name that
    is not UTF-8, ...) gives ``None``, and :func:`_frame` reads it and decides.
    """
    if not isinstance(name, str):  # h5py gives a name that is not UTF-8 as bytes
        return None
    frame = _opened(frames, name, h5py.h5g.GroupID)
    if frame is None:
        return None
    video = None
    links = frame.links
    if links.exists(b"source_video") and links.get_info(b"source_video").type == _SOFT:
        video = _link_target(where, links.get_val(b"source_video"))
        if video is None:
            return None
    index = _plain_number(frame, b"source_video_frame_index", where, path, types)
    if index is False:
        return None
    annotator = None
    if h5py.h5a.exists(frame, b"annotator"):
        annotator = _plain_text(frame, b"annotator")
        if annotator is None:
            return None
    holder = _opened(frame, "skeleton_instances", h5py.h5g.GroupID)
    if holder is None:
        return None
    instances = []
    for raw_key in holder:
        key = _utf8(raw_key)
        instance = _opened(holder, key, h5py.h5g.GroupID) if key is not None else None
        if instance is None:
            return None
        inst_where = f"{where}/skeleton_instances/{key}"
        found: dict[bytes, np.ndarray] = {}
        skeleton = ""
        for member in instance:
            if member in (b"node_locations", b"node_visibility"):
                values = _plain_dataset(instance, member, types)
                if values is None:
                    return None
                found[member] = values
            elif instance.links.get_info(member).type == h5py.h5l.TYPE_SOFT:
                target = _link_target(inst_where, instance.links.get_val(member))
                if target is None:
                    return None
                skeleton = target
        locations = found.get(b"node_locations")
        if locations is None or locations.ndim != 2 or locations.shape[1] not in (2, 3):
            return None
        raw_id = _plain_number(instance, b"id", inst_where, path, types)
        if raw_id is False:
            return None
        visibility = found.get(b"node_visibility")
        instances.append(_instance(row, key, raw_id, skeleton, locations, visibility))
    return video, index, annotator, instances


def _instance(
    row: int, key: str, raw_id: int | None, skeleton: str, locations: Any, visibility: Any
) -> _Instance:
    """A SkeletonInstance read: locations as float64, visibility (if stored) as flags."""
    return _Instance(
        row,
        key,
        raw_id,
        skeleton,
        np.asarray(locations, dtype=np.float64),
        None if visibility is None else np.asarray(visibility, dtype=bool),
    )


def _utf8(raw: bytes) -> str | None:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _opened(parent: Any, name: str, kind: type) -> Any:
    """The member ``name`` of a low-level group when it is there and of ``kind``."""
    raw = name.encode("utf-8")
    if not parent.links.exists(raw):
        return None
    if parent.links.get_info(raw).type != h5py.h5l.TYPE_HARD:
        return None
    member = h5py.h5o.open(parent, raw)
    return member if isinstance(member, kind) else None


def _link_target(where: str, raw: bytes) -> str | None:
    """The absolute path of a soft link's target (as :func:`_link_path`), or ``None``."""
    target = _utf8(raw)
    if target is None:
        return None
    if not target.startswith("/"):
        target = posixpath.normpath(posixpath.join(where, target))
    return target


def _plain_number(
    owner: Any, name: bytes, where: str, path: Path, types: NumpyTypes
) -> int | bool | None:
    """A whole-number attribute (``None`` when absent); ``False``: not plain, read it slowly."""
    if not h5py.h5a.exists(owner, name):
        return None
    value = plain_attribute(owner, name, types)
    if value is None:
        return False
    return number_in(value, where, name.decode(), path, whole=True)


def _plain_text(owner: Any, name: bytes) -> str | None:
    """A one-string UTF-8 or ASCII attribute, else ``None`` (read it slowly)."""
    attribute = h5py.h5a.open(owner, name)
    string = h5py.check_string_dtype(attribute.dtype)
    if string is None or attribute.shape not in ((), (1,)):
        return None
    value = np.empty(attribute.shape, dtype=attribute.dtype)
    attribute.read(value)
    item = value.reshape(-1)[0]
    if isinstance(item, bytes):
        item = _utf8(item) if string.length is None else None  # fixed length: read slowly
    return item if isinstance(item, str) else None


def _plain_dataset(group: Any, name: bytes, types: NumpyTypes) -> np.ndarray | None:
    """A hard-linked numeric dataset's values, else ``None`` (read it slowly)."""
    if group.links.get_info(name).type != h5py.h5l.TYPE_HARD:
        return None
    dataset = h5py.h5o.open(group, name)
    if not isinstance(dataset, h5py.h5d.DatasetID):
        return None
    dtype = types.of(dataset.get_type())
    if dtype.kind not in _NUMBER_KINDS:
        return None
    space = dataset.get_space()
    if space.get_simple_extent_type() != h5py.h5s.SIMPLE:
        return None
    values = np.empty(space.shape, dtype=dtype)
    if values.size:
        dataset.read(h5py.h5s.ALL, h5py.h5s.ALL, values)
    return values


def _individuals(instances: list[_Instance]) -> tuple[list[str], np.ndarray]:
    """Individual names (by ``id``, else first appearance) and each instance's column."""
    names = []
    for inst in instances:
        found = _SLEAP_INSTANCE.match(inst.name)
        names.append(f"untracked_{found.group(1)}" if found else inst.name)
    first: dict[str, int] = {}
    ids: dict[str, set[int | None]] = {}
    for at, (name, inst) in enumerate(zip(names, instances, strict=True)):
        first.setdefault(name, at)
        ids.setdefault(name, set()).add(inst.id)
    unique = list(first)
    one_id = {n: next(iter(v)) for n, v in ids.items() if len(v) == 1}
    distinct = len(set(one_id.values())) == len(unique) == len(one_id)
    if distinct and None not in one_id.values():
        unique.sort(key=lambda n: (one_id[n], first[n]))
    column = {n: i for i, n in enumerate(unique)}
    return unique, np.array([column[n] for n in names], dtype=np.int64)


def read_training(
    h5: h5py.File,
    path: Path,
    training_paths: list[str],
    *,
    training_key: str | None = None,
    skeleton: str | None = None,
) -> xr.Dataset:
    """The labels dataset of one ``PoseTraining`` of an open NWB file.

    Parameters
    ----------
    h5
        The open file.
    path
        Its path (messages, relative paths).
    training_paths
        The file's PoseTraining groups.
    training_key
        Pick one by name or path when the file has several.
    skeleton
        Pick a skeleton by name when instances use several.

    Returns
    -------
    xarray.Dataset
        A labels dataset (:mod:`posebridge.labels`).
    """
    chosen = training_paths
    if training_key is not None:
        key = training_key.strip("/")
        chosen = [p for p in training_paths if p == key or posixpath.basename(p) == key]
    if len(chosen) != 1:
        raise FormatError(
            path,
            f"holds {len(chosen)} matching PoseTraining containers ({', '.join(training_paths)}); "
            "pass training_key= naming one.",
        )
    read = _collect(h5[chosen[0]], os.path.abspath(Path(path).parent), path)
    skeletons = list(dict.fromkeys(i.skeleton for i in read.instances))
    if skeleton is not None:
        skeletons = [s for s in skeletons if posixpath.basename(s) == skeleton]
    if len(skeletons) > 1:
        raise FormatError(
            path,
            f"its instances use {len(skeletons)} skeletons ({', '.join(skeletons)}); a dataset "
            "has one set of keypoints. Pass skeleton=<name> to read one.",
        )
    if not skeletons:  # no instance at all: the module's one skeleton gives the keypoints
        skeletons = _unused_skeletons(h5[chosen[0]].parent, skeleton)
    if not skeletons:
        nodes, edges = [], np.zeros((0, 2), dtype=np.int64)
    elif not skeletons[0] or skeletons[0] not in h5:
        raise FormatError(path, "has SkeletonInstances without a link to their Skeleton.")
    else:
        group = h5[skeletons[0]]
        nodes = [to_text(v) for v in np.atleast_1d(group["nodes"][()])]
        edges = (
            edge_indices(group["edges"][()], group["edges"].name, path)
            if ("edges" in group)
            else np.zeros((0, 2), dtype=np.int64)
        )
    instances = [i for i in read.instances if not skeletons or i.skeleton == skeletons[0]]
    return _dataset(read, instances, nodes, edges, path)


def _unused_skeletons(module: h5py.Group, name: str | None) -> list[str]:
    """The one Skeleton (or the one called ``name``) of the module's ``Skeletons``, if any."""
    holder = module.get("Skeletons")
    if not isinstance(holder, h5py.Group):
        return []
    found = [
        member.name
        for key, member in holder.items()
        if isinstance(member, h5py.Group)
        and to_text(member.attrs.get("neurodata_type", "")) == "Skeleton"
        and (name is None or key == name)
    ]
    return found if len(found) == 1 else []


def _dataset(
    read: _Read, instances: list[_Instance], nodes: list[str], edges: np.ndarray, path: Path
) -> xr.Dataset:
    n_time, n_nodes = len(read.frame_video), len(nodes)
    names, column = _individuals(instances)
    n_space = max((i.locations.shape[-1] for i in instances), default=2)
    position = np.full((n_time, n_space, n_nodes, len(names)), np.nan)
    flags = np.zeros((n_time, n_nodes, len(names)), dtype=bool)
    for inst, col in zip(instances, column, strict=True):
        if inst.locations.shape != (n_nodes, n_space):
            raise FormatError(
                path,
                f"a SkeletonInstance has node_locations of shape {inst.locations.shape}, "
                f"expected ({n_nodes}, {n_space}) for its skeleton.",
            )
        if inst.visibility is not None and inst.visibility.shape != (n_nodes,):
            raise FormatError(
                path,
                f"a SkeletonInstance has node_visibility of shape {inst.visibility.shape}, "
                f"expected ({n_nodes},) for its skeleton.",
            )
        position[inst.row, :, :, col] = inst.locations.T
        finite = np.isfinite(inst.locations).all(axis=1)
        flags[inst.row, :, col] = finite if inst.visibility is None else inst.visibility
    coords = _row_coords(read, path)
    data_vars: dict[str, Any] = {
        "position": (model.POSES_DIMS, position),
        "confidence": (DIMS3, np.full((n_time, n_nodes, len(names)), np.nan)),
    }
    # node_visibility False with coordinates: NaN (no point), flag 0 in ``visible``
    position, visible = labels.hide_unseen(position, flags)
    data_vars["position"] = (model.POSES_DIMS, position)
    if visible is not None:
        data_vars[labels.VISIBLE] = (DIMS3, visible)
    if edges.size:
        if edges.max() >= n_nodes or edges.min() < 0:
            raise FormatError(path, "the skeleton's edges refer to nodes it does not have.")
        pairs = np.array([[nodes[a], nodes[b]] for a, b in edges], dtype=str)
        data_vars["skeleton_edges"] = (("edge", "edge_node"), pairs)
    attrs: dict[str, Any] = {
        "ds_type": model.POSES,
        "time_unit": "frames",
        "source_software": "NWB",
        labels.CONTENT: labels.LABELS,
    }
    if len(read.annotators) == 1:
        attrs["scorer"] = read.annotators.pop()
    if len(read.rates) == 1:
        attrs["fps"] = read.rates.pop()
    ds = xr.Dataset(
        data_vars,
        coords={
            model.TIME: np.arange(n_time, dtype=np.int64),
            model.SPACE: list(model.SPACE_NAMES[:n_space]),
            model.KEYPOINT: np.array(nodes, dtype=str),
            model.INDIVIDUAL: np.array(names, dtype=str),
            **coords,
        },
        attrs=attrs,
    )
    try:
        return labels.check(ds)
    except PoseBridgeError as error:
        raise FormatError(path, f"has labelled frames that do not fit together: {error}") from None


def _row_coords(read: _Read, path: Path) -> dict[str, Any]:
    n = len(read.frame_video)
    videos = np.full(n, "", dtype=object)
    images = np.full(n, "", dtype=object)
    frames = np.asarray(read.frame_index, dtype=np.int64)
    for row, (link, index) in enumerate(zip(read.frame_video, frames, strict=True)):
        video = read.videos.get(link) if link else None
        if video is None:
            continue
        if not video.files:  # frames stored in the file: the series names the video
            videos[row] = video.name
            continue
        at = int(np.searchsorted(video.starts, index, side="right")) - 1
        if at < 0 or (video.images and index - video.starts[at] != 0):
            raise FormatError(
                path, f"a TrainingFrame points at frame {index} of {link}, which it does not hold."
            )
        if video.images:
            images[row] = video.files[at]
        else:
            videos[row] = video.files[at]
            frames[row] = index - video.starts[at]
    return {
        labels.VIDEO: (model.TIME, videos.astype(str)),
        labels.FRAME: (model.TIME, frames),
        labels.IMAGE_PATH: (model.TIME, images.astype(str)),
    }


# --------------------------------------------------------------------------
# writing


def _unsigned(value: int) -> Any:
    for kind in (np.uint32, np.uint64) if value >= 0 else ():
        if value <= np.iinfo(kind).max:
            return kind(value)
    raise PoseBridgeError(f"frame index {value} does not fit an unsigned 64-bit integer.")


def _narrowest(values: np.ndarray, smallest: type = np.uint8) -> np.ndarray:
    top = int(values.max()) if values.size else 0
    for kind in (np.uint8, np.uint16, np.uint32, np.uint64):
        if np.iinfo(kind).max >= top and np.iinfo(kind).bits >= np.iinfo(smallest).bits:
            return values.astype(kind)
    raise PoseBridgeError(f"{top} does not fit an unsigned 64-bit integer.")


def _external(files: list[str], folder: Path) -> tuple[list[str], bool]:
    """Files to write: absolute paths made relative to ``folder`` (then ``True``)."""
    if not files or not all(os.path.isabs(f) for f in files):
        return [f or labels.UNKNOWN_VIDEO for f in files], False
    try:
        return [os.path.relpath(f, os.path.abspath(folder)) for f in files], True
    except ValueError:  # another drive (Windows): keep them absolute
        return files, False


def build_training(
    nwbfile: Any, ds: xr.Dataset, out_folder: Path, *, skeleton_name: str = "skeleton"
) -> FramePlan:
    """Add a labels dataset's Skeleton and PoseTraining to ``nwbfile``'s behavior module.

    The TrainingFrames stay empty: once pynwb has written the file, pass the
    returned plan to :func:`write_frames`.

    Parameters
    ----------
    nwbfile
        A ``pynwb.NWBFile``.
    ds
        A labels dataset.
    out_folder
        The folder of the .nwb file (absolute video paths are written relative to it).
    skeleton_name
        Name of the Skeleton (made unique among the module's skeletons).

    Returns
    -------
    FramePlan
        What :func:`write_frames` adds.
    """
    from ndx_pose import PoseTraining, Skeleton, Skeletons, SourceVideos, TrainingFrames
    from pynwb.image import ImageSeries

    from posebridge.formats.nwb.common import DEFAULT_MODULE, MODULE_DESCRIPTION

    if DEFAULT_MODULE in nwbfile.processing:
        module = nwbfile.processing[DEFAULT_MODULE]
    else:
        module = nwbfile.create_processing_module(DEFAULT_MODULE, MODULE_DESCRIPTION)
    if "PoseTraining" in module.data_interfaces:
        raise PoseBridgeError(
            "the NWB file already holds a PoseTraining in processing/behavior; NWB allows one "
            "such name per module."
        )
    keypoints = [str(k) for k in ds[model.KEYPOINT].values]
    if "Skeletons" in module.data_interfaces:
        skeletons = module.data_interfaces["Skeletons"]
    else:
        skeletons = Skeletons(name="Skeletons")
        module.add(skeletons)
    name, number = skeleton_name, 2
    while name in skeletons.skeletons:
        name, number = f"{skeleton_name}_{number}", number + 1
    at = {k: i for i, k in enumerate(keypoints)}
    edges = np.zeros((0, 2), dtype=np.int64)
    if "skeleton_edges" in ds:
        pairs = [(str(a), str(b)) for a, b in np.asarray(ds["skeleton_edges"].values)]
        edges = np.array([[at[a], at[b]] for a, b in pairs if a in at and b in at], dtype=np.int64)
    skeleton = Skeleton(name=name, nodes=keypoints, edges=_narrowest(edges.reshape(-1, 2)))
    skeletons.add_skeletons(skeleton)

    groups = labels.video_groups(ds)
    fps = ds.attrs.get("fps")
    size = (ds.attrs.get("video_width"), ds.attrs.get("video_height"))
    series = []
    for k, (video, images) in enumerate(zip(groups.names, groups.images, strict=True)):
        files, relative = _external(images if images is not None else [video], out_folder)
        notes = [PATHS_MARKER] if relative else []
        if not fps:
            notes.append(frames_comment())
        count = (
            len(files) if images is not None else int(groups.index[groups.of_row == k].max()) + 1
        )
        extra: dict[str, Any] = {}
        if images is None and len(groups.names) == 1 and size[0] and size[1]:
            extra["dimension"] = [int(size[0]), int(size[1])]
        series.append(
            ImageSeries(
                name=f"video_{k}",
                description=(
                    "Images of the labelled frames (external files, one frame each)."
                    if images is not None
                    else f"The video the labelled frames come from: {video or '(unknown)'}."
                ),
                comments="; ".join(notes) or "no comments",
                format="external",
                external_file=files,
                starting_frame=list(range(len(files))) if images is not None else [0],
                rate=float(fps) if fps else 1.0,
                num_samples=np.uint64(count),
                unit="n.a.",
                **extra,
            )
        )

    training = PoseTraining(
        name="PoseTraining",
        training_frames=TrainingFrames(),  # filled by write_frames once the file exists
        source_videos=SourceVideos(image_series=series),
    )
    module.add(training)
    where = f"/processing/{module.name}"
    return FramePlan(
        ds=ds,
        groups=groups,
        frames_path=f"{where}/PoseTraining/training_frames",
        skeleton_name=name,
        skeleton_path=f"{where}/Skeletons/{name}",
        series_paths=[f"{where}/PoseTraining/source_videos/{s.name}" for s in series],
    )


@dataclass
class FramePlan:
    """What :func:`write_frames` adds to a written file: the TrainingFrames' content."""

    ds: xr.Dataset
    groups: labels.VideoGroups
    frames_path: str
    skeleton_name: str
    skeleton_path: str
    series_paths: list[str]


class _Objects:
    """Groups, attributes, datasets and soft links made with h5py's low-level calls.

    What h5py's high-level API would make, property for property (link names
    in ASCII unless they need UTF-8, text attributes as variable-length UTF-8,
    each dataset with the creation properties h5py gave the first of its
    kind), at about a fifth of the cost per object: a labels file has a group
    per labelled frame and per instance.
    """

    def __init__(self) -> None:
        self._links = {}
        for coding in (h5py.h5t.CSET_ASCII, h5py.h5t.CSET_UTF8):
            lcpl = h5py.h5p.create(h5py.h5p.LINK_CREATE)
            lcpl.set_create_intermediate_group(True)
            lcpl.set_char_encoding(coding)
            self._links[coding] = lcpl
        text = h5py.string_dtype("utf-8")
        self._text = (text, h5py.h5t.py_create(text, logical=True), h5py.h5t.py_create(text))
        self._scalar = h5py.h5s.create(h5py.h5s.SCALAR)
        self._creation: dict[tuple[str, str], Any] = {}  # (name, dtype) -> dataset properties

    def _name(self, name: str) -> tuple[bytes, Any]:
        try:
            return name.encode("ascii"), self._links[h5py.h5t.CSET_ASCII]
        except UnicodeEncodeError:
            return name.encode("utf-8"), self._links[h5py.h5t.CSET_UTF8]

    def group(self, parent: Any, name: str) -> Any:
        encoded, lcpl = self._name(name)
        return h5py.h5g.create(parent, encoded, lcpl=lcpl)

    def text(self, owner: Any, name: str, value: str) -> None:
        dtype, stored, in_memory = self._text
        attribute = h5py.h5a.create(owner, name.encode(), stored, self._scalar)
        attribute.write(np.array(value, dtype=dtype), mtype=in_memory)

    def number(self, owner: Any, name: str, value: Any) -> None:
        data = np.asarray(value)
        stored = h5py.h5t.py_create(data.dtype, logical=True)
        attribute = h5py.h5a.create(owner, name.encode(), stored, self._scalar)
        attribute.write(data, mtype=h5py.h5t.py_create(data.dtype))

    def typed(self, owner: Any, neurodata_type: str) -> None:
        self.text(owner, "namespace", "ndx-pose")
        self.text(owner, "neurodata_type", neurodata_type)
        self.text(owner, "object_id", str(uuid.uuid4()))

    def dataset(self, parent: Any, name: str, data: np.ndarray) -> None:
        data = np.ascontiguousarray(data)
        key = (name, data.dtype.str)
        if key not in self._creation:  # the first one through h5py: its properties, reused
            made = h5py.Group(parent).create_dataset(name, data=data)
            self._creation[key] = made.id.get_create_plist()
            return
        encoded, lcpl = self._name(name)
        space = h5py.h5s.create_simple(data.shape)
        stored = h5py.h5t.py_create(data.dtype, logical=True)
        made = h5py.h5d.create(parent, encoded, stored, space, dcpl=self._creation[key], lcpl=lcpl)
        made.write(h5py.h5s.ALL, h5py.h5s.ALL, data)

    def soft_link(self, parent: Any, name: str, target: str) -> None:
        encoded, lcpl = self._name(name)
        parent.links.create_soft(encoded, target.encode("utf-8"), lcpl=lcpl)


def write_frames(h5: h5py.File, plan: FramePlan) -> None:
    """Add one ``TrainingFrame`` per labelled frame to a file pynwb wrote from the plan.

    The groups, attributes and links are those pynwb writes for ndx-pose's
    TrainingFrame / SkeletonInstances / SkeletonInstance, written with h5py's
    low-level calls (:class:`_Objects`) because hdmf takes about 3 ms per object
    (11 s for 1500 frames of 2 animals) and h5py's high-level API 0.05-0.1 ms.
    """
    ds = plan.ds
    individuals = unique_names([str(i) for i in ds[model.INDIVIDUAL].values])
    ids = _narrowest(np.arange(len(individuals)), np.uint16)
    position = ds["position"].transpose(model.TIME, model.INDIVIDUAL, model.KEYPOINT, ...)
    position = np.asarray(position.transpose(..., model.SPACE).values, dtype=np.float64)
    flags = labels.point_flags(ds).transpose(0, 2, 1)  # (time, individual, keypoint)
    exists = np.isfinite(position).any(axis=(2, 3))
    annotator = ds.attrs.get("scorer")
    make = _Objects()
    holder = h5[plan.frames_path].id
    frame_index = plan.groups.index.tolist()
    video_of = plan.groups.of_row.tolist()
    for row in range(ds.sizes[model.TIME]):  # the format: groups per frame and instance
        frame = make.group(holder, f"frame_{row}")
        make.typed(frame, "TrainingFrame")
        if annotator:
            make.text(frame, "annotator", str(annotator))
        make.number(frame, "source_video_frame_index", _unsigned(int(frame_index[row])))
        make.soft_link(frame, "source_video", plan.series_paths[int(video_of[row])])
        instances = make.group(frame, "skeleton_instances")
        make.typed(instances, "SkeletonInstances")
        for i in np.flatnonzero(exists[row]).tolist():
            instance = make.group(instances, individuals[i])
            make.typed(instance, "SkeletonInstance")
            make.number(instance, "id", ids[i])
            make.dataset(instance, "node_locations", position[row, i])
            make.dataset(instance, "node_visibility", flags[row, i])
            make.soft_link(instance, plan.skeleton_name, plan.skeleton_path)
