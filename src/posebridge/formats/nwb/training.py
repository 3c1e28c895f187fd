"""NWB ndx-pose ``PoseTraining`` (labelled frames) -> labels datasets; the layout.

Layout written (by :mod:`posebridge.formats.nwb.training_write`) and read, in
``processing/behavior``:

- ``Skeletons/<name>``: the keypoints (``nodes``) and ``skeleton_edges`` as node
  indices (the narrowest unsigned type that holds them);
- ``PoseTraining/source_videos/video_<k>``: one external ``ImageSeries`` per
  ``video`` of the dataset (in the order of its ``sleap_videos`` when that lists
  them all, with its videos that hold no labelled frame: ``num_samples`` 0). A
  video file is one ``external_file`` (``starting_frame = [0]``); a video of
  images lists its images, one frame each (``starting_frame = 0..n-1``), as
  sleap-io writes SLEAP image sequences.
  NWB reads these paths relative to the .nwb's folder: a relative path that is a
  file there is written as given; one found relative to the dataset's source
  file's folder, one of its three parents or the working folder (DeepLabCut image
  paths are relative to the project folder, two levels above the CollectedData
  file) and every absolute path are written relative to the .nwb's folder, and
  the series' comments say so, so that posebridge reads them back absolute (the
  files they name, wherever the .nwb is read from). Nothing needs the files to
  exist: a path found nowhere is written as given, and one warning per .nwb
  written says how many
  (:func:`~posebridge.formats.nwb.training_write.external_files`). ``rate`` is the
  dataset's ``fps``, else 1.0 with the comment that it counts frames;
- ``PoseTraining/training_frames/frame_<row>``: one ``TrainingFrame`` per
  labelled frame, linking its ``source_video`` with ``source_video_frame_index``
  (the frame number, or the image's position; uint32, uint64 beyond), and
  ``annotator`` = the dataset's ``scorer`` when set;
- in each, ``skeleton_instances/<individual>``: one ``SkeletonInstance`` per
  individual with a point or a point marked not visible (an instance whose
  points are all missing is kept: NaN locations, visibility False), named after
  it (``/`` becomes ``_``), ``id`` = its position among the individuals (uint16
  or wider), ``node_locations`` (points, NaN where unlabelled; a point marked
  not visible keeps its coordinates) and ``node_visibility``
  (:func:`posebridge.labels.point_flags`).

Reading takes any such layout (sleap-io's too) with h5py, one group per frame
and instance (the format's own structure): instances named ``instance_<k>``
(sleap-io's, by rank in the frame) become ``untracked_<k>``; individuals are
ordered by ``id``; an instance without a coordinate is kept, every point marked
not visible (``visible`` 0, as .slp reads one); an image list's frame gives
``image_path``; paths are read as
stored (or absolute, joined to the .nwb's folder, in a series marked so: see above).
When every source video is one video file, their files in index order (``video_0``,
``video_1``, ..., those no frame links too) are kept in ``attrs["sleap_videos"]``
(:data:`LISTED_VIDEOS`), which the writer follows: the videos keep their order and
those without labelled frames, as sleap-io's ``load_nwb`` and ``save_nwb`` keep them.
"""

from __future__ import annotations

import os
import posixpath
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import h5py
import numpy as np
import xarray as xr

from posebridge import errors, model
from posebridge.errors import FormatError, PoseBridgeError
from posebridge.formats._shared.hdf5 import (
    NumpyTypes,
    number_in,
    one_number,
    plain_attribute,
    read_whole,
)
from posebridge.formats._shared.text_attrs import names_to_attr
from posebridge.formats.nwb.common import (
    FRAMES_MARKER,
    IMAGES_MARKER,
    PATHS_MARKER,
    WRITERS_SKELETON_NAMES,
    edge_indices,
    kept_as_stored,
    to_text,
)
from posebridge.model import labels

#: The attribute listing a labels dataset's videos in their order, those without a
#: labelled frame too: the PoseTraining's ``source_videos`` (``video_0``, ``video_1``,
#: ...) are read into it and written in its order
#: (:data:`posebridge.model.labels.PROJECT_VIDEOS`, as SLEAP's .slp), as sleap-io's
#: ``load_nwb`` keeps them.
LISTED_VIDEOS = labels.PROJECT_VIDEOS
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


def _is_images(files: list[str], starts: np.ndarray, comments: str) -> bool:
    """Whether an ImageSeries' external files are images (one frame each), not a video.

    Images: posebridge's marker says so, or every name ends as an image does,
    or several files start at frames 0, 1, 2, ... (one frame each, as sleap-io
    writes image sequences; the files of a video split in parts start further
    apart).
    """
    if not files:
        return False
    if IMAGES_MARKER in comments or all(f.lower().endswith(IMAGE_SUFFIXES) for f in files):
        return True
    return len(files) > 1 and np.array_equal(starts, np.arange(len(files)))


def _joined(folder: str, files: list[str]) -> list[str]:
    """Paths stored relative to the .nwb's folder, joined to it as the file system follows them.

    The writer makes them from the resolved folders (links followed), so a leading
    ``..`` climbs from the folder a link leads to. Each is spelled from ``folder``
    as given (``..`` collapsed) when that leads to the same place, else from
    ``folder`` resolved: the same in files written where no link is involved.
    """
    real = os.path.realpath(folder)
    bases: dict[int, str] = {}  # per number of leading "..": the folder to join to
    out = []
    for f in files:
        if kept_as_stored(f):  # a URL, a path absolute on another system: as stored
            out.append(f)
            continue
        parts = f.replace("\\", "/").split("/")
        ups = next((i for i, part in enumerate(parts) if part != ".."), len(parts))
        if ups not in bases:
            spelled = os.path.normpath(os.path.join(folder, *[os.pardir] * ups))
            physical = os.path.normpath(os.path.join(real, *[os.pardir] * ups))
            same = spelled == physical or os.path.realpath(spelled) == physical
            bases[ups] = folder if same else real
        out.append(os.path.normpath(os.path.join(bases[ups], f)))
    return out


def _video(group: h5py.Group, folder: str, path: Path) -> _Video:
    files = (
        [to_text(v) for v in np.atleast_1d(read_whole(group["external_file"]))]
        if ("external_file" in group)
        else []
    )
    comments = to_text(group.attrs.get("comments", ""))
    if PATHS_MARKER in comments:
        files = _joined(folder, files)
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
    images = _is_images(files, starts, comments)
    return _Video(files, starts, images, posixpath.basename(group.name))


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
                found[member] = read_whole(instance[member])  # not another file's bytes
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
        name = key if isinstance(key, str) else labels.decode_text(key)
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


def _listed_videos(read: _Read) -> list[str] | None:
    """The PoseTraining's source videos in index order (``video_0``, ``video_1``, ...,
    numbers compared as numbers), each by its file, or ``None``.

    Only when each is one video file (not images, nor a video in parts), named and
    different from the others: the order a labels dataset keeps for its videos
    (:data:`LISTED_VIDEOS`), with the videos that hold no labelled frame.
    """
    videos = sorted(read.videos.values(), key=lambda video: _natural(video.name))
    files = [
        video.files[0] if len(video.files) == 1 and not video.images else "" for video in videos
    ]
    if not files or "" in files or len(set(files)) != len(files):
        return None
    return files


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
    for name, value in (("training_key", training_key), ("skeleton", skeleton)):
        if value is not None and not isinstance(value, str):
            raise errors.TypeError(
                f"{name} must be text (a name) or None, got {value!r} ({type(value).__name__})."
            )
    chosen = training_paths
    if training_key is not None:
        key = training_key.strip("/")
        chosen = [p for p in training_paths if p == key or posixpath.basename(p) == key]
        if not chosen:
            raise FormatError(
                path,
                f"has no PoseTraining named {training_key!r} (training_key=); it holds "
                f"{', '.join(training_paths)}. Pass training_key= naming one of them, or "
                "leave it out when there is one.",
            )
    if len(chosen) != 1:
        raise FormatError(
            path,
            f"holds {len(chosen)} matching PoseTraining containers ({', '.join(training_paths)}); "
            "pass training_key= naming one.",
        )
    read = _collect(h5[chosen[0]], os.path.abspath(Path(path).parent), path)
    skeletons = list(dict.fromkeys(i.skeleton for i in read.instances))
    if skeleton is not None:
        used = skeletons
        skeletons = [s for s in skeletons if posixpath.basename(s) == skeleton]
        if not skeletons:
            _refuse_skeleton(h5[chosen[0]].parent, skeleton, used, path)
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
        nodes = [to_text(v) for v in np.atleast_1d(read_whole(group["nodes"]))]
        edges = (
            edge_indices(read_whole(group["edges"]), group["edges"].name, path)
            if ("edges" in group)
            else np.zeros((0, 2), dtype=np.int64)
        )
    instances = [i for i in read.instances if not skeletons or i.skeleton == skeletons[0]]
    ds = _dataset(read, instances, nodes, edges, path)
    listed = _listed_videos(read)
    if listed:  # every source video, in index order (those without a labelled frame too)
        ds.attrs[LISTED_VIDEOS] = names_to_attr(listed)
    name = posixpath.basename(skeletons[0]) if skeletons else ""
    if name and name not in WRITERS_SKELETON_NAMES:  # not a writer's made-up name
        ds.attrs["skeleton_name"] = name
    return ds


def _skeletons_of(module: h5py.Group) -> list[str]:
    """The names of the Skeletons in the module's ``Skeletons``."""
    holder = module.get("Skeletons")
    if not isinstance(holder, h5py.Group):
        return []
    return [
        str(key)
        for key, member in holder.items()
        if isinstance(member, h5py.Group)
        and to_text(member.attrs.get("neurodata_type", "")) == "Skeleton"
    ]


def _refuse_skeleton(module: h5py.Group, name: str, used: list[str], path: Path) -> None:
    """Refuse ``skeleton=name`` that no instance uses (nor, with no instance, the module has).

    With instances, the skeletons they use are listed; without, the module's.
    """
    if not used:
        present = _skeletons_of(module)
        if name in present:
            return  # no instance: the module's Skeleton of that name gives the keypoints
        listed = ", ".join(map(repr, present)) or "none"
        where = f"no Skeleton named {name!r} (its Skeletons: {listed})"
    else:
        listed = ", ".join(repr(posixpath.basename(s)) for s in used if s)
        where = (
            f"no Skeleton named {name!r} among those its labelled instances use "
            f"({listed or 'none linked'})"
        )
    raise FormatError(
        path,
        f"has {where}; skeleton= picks one of them. Pass skeleton= naming one, or leave it "
        "out when there is one.",
    )


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
    # an instance stored without a coordinate (a user instance whose points are all
    # marked missing) is kept: every point marked not visible, as .slp reads it
    blank = np.zeros((n_time, n_nodes, len(names)), dtype=bool)
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
        blank[inst.row, :, col] = not np.isfinite(inst.locations).any()
    coords = _row_coords(read, path)
    data_vars: dict[str, Any] = {
        "position": (model.POSES_DIMS, position),
        "confidence": (DIMS3, np.full((n_time, n_nodes, len(names)), np.nan)),
    }
    # node_visibility False with coordinates: NaN (no point), flag 0 in ``visible``
    position, visible = labels.hide_unseen(position, flags & ~blank, blank)
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
