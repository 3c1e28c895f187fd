"""Writing NWB ndx-pose ``PoseTraining`` (labelled frames) from labels datasets.

The layout written is described in :mod:`posebridge.formats.nwb.training`
(which reads it): pynwb objects for the skeleton and the source videos
(:func:`build_training`), then the TrainingFrames and their SkeletonInstances
with h5py's low-level calls (:func:`write_frames`).
"""

from __future__ import annotations

import itertools
import os
import uuid
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import h5py
import numpy as np
import pandas as pd
import xarray as xr

from posebridge import model
from posebridge.errors import PoseBridgeError, user_stacklevel
from posebridge.formats._shared.not_kept import (
    occluded_as_visible,
    warn_label_scores_dropped,
    warn_variables_not_written,
)
from posebridge.formats._shared.text_attrs import names_from_attr
from posebridge.formats.nwb.common import (
    IMAGES_MARKER,
    PATHS_MARKER,
    frames_comment,
    kept_as_stored,
    unique_names,
)
from posebridge.formats.nwb.training import LISTED_VIDEOS
from posebridge.model import labels


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


#: The most images of one video written with HDF5's default (earliest) file format. An
#: image sequence's ``ImageSeries`` lists ``starting_frame`` (one int64 per image) in an
#: attribute of ``external_file`` (the NWB schema makes it an attribute), and an
#: attribute in the earliest format lives in its object's header, at most 64 KiB: about
#: 8,000 images. Above this count the file is written in HDF5's 1.8 format (readable by
#: every HDF5 since 1.8, 2008), where a large attribute is stored apart from the header
#: ("dense" attribute storage) at any size, and pynwb, ndx-pose and sleap-io read it as
#: any other attribute.
COMPACT_IMAGES = 4096


def file_options(groups: labels.VideoGroups) -> dict[str, Any]:
    """The ``h5py.File`` options for writing the PoseTraining of these videos.

    Parameters
    ----------
    groups
        The labelled frames by video (:func:`posebridge.model.labels.video_groups`).

    Returns
    -------
    dict
        ``{}``, or ``libver=("v108", "latest")`` when a video of images has more than
        :data:`COMPACT_IMAGES` images: its ``starting_frame`` attribute is then too
        large for the earliest file format's attributes (64 KiB).

    Examples
    --------
    >>> import numpy as np
    >>> ds = labels.from_numpy(np.ones((3, 2, 1, 1)), image_path=["a.png", "b.png", "c.png"])
    >>> file_options(labels.video_groups(ds))
    {}
    """
    longest = max((len(images) for images in groups.images if images is not None), default=0)
    return {"libver": ("v108", "latest")} if longest > COMPACT_IMAGES else {}


def in_listed_order(groups: labels.VideoGroups, ds: xr.Dataset) -> labels.VideoGroups:
    """The videos in the order the dataset lists them (``attrs["sleap_videos"]``), with
    those that hold no labelled frame kept as videos without frames.

    Only when every video of the labelled frames is one of the listed video files (no
    image sequence, no other video) and the list names each once; otherwise the labelled
    frames' own order (:func:`posebridge.model.labels.video_groups`).

    Parameters
    ----------
    groups
        The labelled frames by video (:func:`posebridge.model.labels.video_groups`).
    ds
        The labels dataset they are of.

    Returns
    -------
    posebridge.model.labels.VideoGroups
        ``groups``, or the listed videos with each row's video renumbered among them.

    Examples
    --------
    >>> import numpy as np
    >>> ds = labels.from_numpy(np.ones((2, 2, 1, 1)), video=["c.mp4", "a.mp4"], frame=[0, 3])
    >>> ds.attrs["sleap_videos"] = '["a.mp4", "b.mp4", "c.mp4"]'
    >>> ordered = in_listed_order(labels.video_groups(ds), ds)
    >>> ordered.names, ordered.of_row.tolist()
    (['a.mp4', 'b.mp4', 'c.mp4'], [2, 0])
    """
    listed = names_from_attr(ds, LISTED_VIDEOS)
    if not listed or any(images is not None for images in groups.images):
        return groups
    if len(set(listed)) != len(listed) or not set(groups.names) <= set(listed):
        return groups
    position = pd.Index(listed).get_indexer(groups.names)
    of_row = position[groups.of_row] if groups.of_row.size else groups.of_row
    return labels.VideoGroups(list(listed), of_row, [None] * len(listed), groups.index)


@dataclass
class ExternalFiles:
    """What each source video's ImageSeries lists in ``external_file``.

    Attributes
    ----------
    files
        Per video, the text of each of its files (its images, or the video).
    relative
        Per video, whether some of its files were rewritten relative to the
        .nwb's folder (its comments then say so, and reading gives them back
        absolute).
    missing
        The files found nowhere (neither relative to the .nwb's folder nor
        where :func:`posebridge.labels.search_folders` looks).
    """

    files: list[list[str]]
    relative: list[bool]
    missing: list[str]


def _relative_to(targets: list[str], folder: str) -> list[str]:
    """Each target folder relative to ``folder``, as a prefix ending in ``/`` ("" for itself).

    Both are first resolved (links followed), so that the path leads there as
    the file system follows it from ``folder`` (a ``..`` leaves the folder a
    link leads to, not the one that holds the link); the reader resolves it the
    same way. A folder on another drive (Windows) stays absolute.
    """
    start = os.path.realpath(folder)
    prefixes = []
    for target in targets:  # a loop per distinct folder
        try:
            prefix = os.path.relpath(os.path.realpath(target), start)
        except ValueError:  # another drive (Windows): kept absolute
            prefix = target
        prefix = prefix.replace("\\", "/")
        prefixes.append("" if prefix == "." else prefix.rstrip("/") + "/")
    return prefixes


def external_files(
    groups: labels.VideoGroups,
    nwb_path: Path,
    source_file: str | None = None,
    made: Sequence[str | os.PathLike[str]] = (),
    from_working_folder: bool = False,
) -> ExternalFiles:
    """The ``external_file`` of each video of a labels dataset written to ``nwb_path``.

    NWB reads external files relative to the .nwb's folder. A relative path that
    is a file there is written as given. One found elsewhere (relative to the
    dataset's source file's folder or one of its parents, or the working folder:
    :func:`posebridge.labels.search_folders`, the search plotting makes) is
    written relative to the .nwb's folder, as an absolute path is. A path found
    nowhere is written beside the other files of its folder when those were found,
    else as given (and listed in ``missing``, as an absolute path
    that is not a file is). Each distinct folder is looked in once per place,
    not each image.

    Parameters
    ----------
    groups
        The dataset's videos (:func:`posebridge.labels.video_groups`).
    nwb_path
        The .nwb file to be written.
    source_file
        The dataset's ``source_file`` attribute, if any.
    made
        Files written with the .nwb (absolute paths): not looked for, nor missing.
    from_working_folder
        Take a relative path as relative to the working folder, nothing looked
        for, as sleap-io's ``load_nwb`` takes one (``layout="sleap-io"``), and
        write every path relative to the .nwb's folder
        (:func:`~posebridge.formats.nwb.common.relative_to_folder`; those
        :func:`~posebridge.formats.nwb.common.kept_as_stored` as given), as
        NWB asks: ``sleap_io.load_nwb`` run from that folder finds them, and
        posebridge reads them back absolute wherever it runs.

    Returns
    -------
    ExternalFiles
        Per video, the text to write and whether its comments mark it relative;
        and the files found nowhere.
    """
    references = [
        images if images is not None else [video or labels.UNKNOWN_VIDEO]
        for video, images in zip(groups.names, groups.images, strict=True)
    ]
    sizes = [len(r) for r in references]
    given = np.array(list(itertools.chain.from_iterable(references)), dtype=object)
    text = labels.normalise_paths(given.astype(str)) if given.size else given.astype(str)
    codes, heads, names = labels.path_folders(text)
    folder = os.path.abspath(nwb_path.parent)
    if from_working_folder:
        return _from_working_folder(text, (codes, heads, names), folder, sizes)
    folders = labels.search_folders(source_file, [folder])
    unknown = given == labels.UNKNOWN_VIDEO  # no path given: nothing to look for
    where = np.where(unknown, -1, labels.find_files(text, folders))
    absolute = np.array([os.path.isabs(h) for h in heads.tolist()], dtype=bool)[codes]
    if made and given.size:  # absolute paths of files being written: not looked for
        spelled = {p for m in made for p in (os.path.abspath(m), os.path.realpath(m))}
        unknown |= pd.Index(text, dtype=object).isin(spelled)
    missing = (where < 0) & ~unknown
    # a file missing from a folder whose other files were found follows them (written
    # where they were found, so the series keeps one folder; it is still warned about)
    seen = np.full(len(heads), np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(seen, codes[where >= 0], where[where >= 0])
    follows = missing & ~absolute & (seen[codes] != np.iinfo(np.int64).max)
    where = np.where(follows, seen[codes], where)
    stored = given.copy()
    # absolute paths (whether or not they exist) and relative paths found beyond the
    # .nwb's folder: relative to it, links followed on both sides (_relative_to), so that
    # the path leads to the file as the file system (nwbinspector) and the reader follow it
    rows = np.flatnonzero(absolute)
    found = np.flatnonzero(~absolute & (where > 0))
    for chosen, joined in ((rows, False), (found, True)):
        if not chosen.size:
            continue
        # one prefix per distinct (folder of the path, folder it was found in)
        key, pairs = pd.factorize(
            pd.MultiIndex.from_arrays([codes[chosen], np.maximum(where[chosen], 0)])
        )
        targets = [
            os.path.join(folders[place], heads[head]) if joined else heads[head]
            for head, place in pairs.tolist()
        ]
        prefixes = np.array(_relative_to(targets, folder), dtype=object)
        stored[chosen] = prefixes[key] + names[chosen].astype(object)
    rewritten = absolute | (where > 0)
    splits = np.cumsum(sizes)[:-1]
    return ExternalFiles(
        files=[part.tolist() for part in np.split(stored, splits)],
        relative=[bool(part.any()) for part in np.split(rewritten, splits)],
        missing=given[missing].tolist(),
    )


def _from_working_folder(
    text: np.ndarray,
    folders_of: tuple[np.ndarray, np.ndarray, np.ndarray],
    folder: str,
    sizes: list[int],
) -> ExternalFiles:
    """The paths (``text``; ``folders_of``: their :func:`posebridge.labels.path_folders`),
    relative ones taken from the working folder, written relative to ``folder``.

    One prefix per distinct folder of the paths (:func:`_relative_to`, links
    followed as the reader follows them); a URL, a path absolute on another
    system or no path (:data:`posebridge.labels.UNKNOWN_VIDEO`) as given.
    """
    codes, heads, names = folders_of
    moved = np.array([not kept_as_stored(h) for h in heads.tolist()], dtype=bool)
    rewritten = moved[codes] & (text != labels.UNKNOWN_VIDEO) if text.size else moved[codes]
    stored = text.astype(object)
    if rewritten.any():
        used = np.flatnonzero(moved)
        prefixes = np.empty(len(heads), dtype=object)
        prefixes[used] = _relative_to([os.path.abspath(heads[k]) for k in used], folder)
        stored[rewritten] = prefixes[codes[rewritten]] + names[rewritten].astype(object)
    splits = np.cumsum(sizes)[:-1]
    return ExternalFiles(
        files=[[str(t) for t in part] for part in np.split(stored, splits)],
        relative=[bool(part.any()) for part in np.split(rewritten, splits)],
        missing=[],
    )


def _warn_missing(external: ExternalFiles, nwb_path: Path, source_file: str | None) -> None:
    """One warning naming how many external files could not be found, with an example."""
    if not external.missing:
        return
    total = sum(len(f) for f in external.files)
    count = len(external.missing)
    elsewhere = (
        f"the folder of the source file {source_file}, its {labels.SOURCE_PARENTS} parents "
        "or the working folder"
        if source_file
        else "the working folder (the dataset names no source file)"
    )
    warnings.warn(
        f"{nwb_path}: {count} of the {total} image and video files of the labelled frames "
        f"could not be found relative to the .nwb's folder, nor relative to {elsewhere}, "
        f"e.g. {external.missing[0]!r}. They are written as given (beside the other files "
        "of their folder when those were found), so NWB tools (nwbinspector) will not find "
        "them: write the .nwb where they resolve, or put the files where the paths lead.",
        UserWarning,
        stacklevel=user_stacklevel(),
    )


def build_training(
    nwbfile: Any,
    ds: xr.Dataset,
    nwb_path: Path,
    *,
    skeleton_name: str | None = None,
    made: Sequence[str | os.PathLike[str]] = (),
    order: np.ndarray | None = None,
    paths_from_working_folder: bool = False,
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
    nwb_path
        The .nwb file: video and image paths are written relative to its folder
        where they can be found (:func:`external_files`); one warning names
        those that cannot.
    skeleton_name
        Name of the Skeleton (made unique among the module's skeletons); default the
        dataset's ``skeleton_name``, else ``skeleton``.
    made
        Files written with the .nwb (absolute paths), not looked for.
    order
        The rank of each instance in its frame (:class:`FramePlan`).
    paths_from_working_folder
        Relative video and image paths taken from the working folder, as
        sleap-io reads them, nothing looked for
        (``external_files(..., from_working_folder=True)``).

    Returns
    -------
    FramePlan
        What :func:`write_frames` adds.
    """
    names = [str(i) for i in ds[model.INDIVIDUAL].values]
    renamed = [(a, b) for a, b in zip(names, unique_names(names), strict=True) if a != b]
    if renamed:
        shown = ", ".join(f"{a!r} -> {b!r}" for a, b in renamed[:3])
        warnings.warn(
            f"{nwb_path}: the training frames name each instance after its individual, and an "
            f"NWB name holds no '/': {shown}{', ...' if len(renamed) > 3 else ''} are written "
            "and read back renamed.",
            UserWarning,
            stacklevel=user_stacklevel(),
        )
    warn_label_scores_dropped(ds, nwb_path, "NWB's PoseTraining")
    # a per-frame signal, class ids, image sizes...: named, as for poses (build.warn_unwritten)
    warn_variables_not_written(
        ds,
        nwb_path,
        "NWB's PoseTraining",
        kept=(labels.VIDEO, "skeleton_edges", *labels.PREDICTED, labels.PREDICTED_TRACKING_SCORE),
    )
    ds = occluded_as_visible(
        ds,
        nwb_path,
        "NWB's PoseTraining",
        "a point with node_visibility False is a missing point to posebridge, sleap-io and "
        "movement",
    )
    from ndx_pose import PoseTraining, Skeleton, Skeletons, SourceVideos, TrainingFrames
    from pynwb.image import ImageSeries

    from posebridge.formats.nwb.common import DEFAULT_MODULE, MODULE_DESCRIPTION

    if DEFAULT_MODULE in nwbfile.processing:
        module = nwbfile.processing[DEFAULT_MODULE]
    else:
        module = nwbfile.create_processing_module(DEFAULT_MODULE, MODULE_DESCRIPTION)
    if "PoseTraining" in module.data_interfaces:
        raise PoseBridgeError(
            f"{nwb_path}: already holds a PoseTraining in processing/behavior; NWB allows one "
            "such name per module, so labelled frames cannot be appended to it (the file was "
            "left unchanged). Merge the labels first and write a new file."
        )
    keypoints = [str(k) for k in ds[model.KEYPOINT].values]
    if "Skeletons" in module.data_interfaces:
        skeletons = module.data_interfaces["Skeletons"]
    else:
        skeletons = Skeletons(name="Skeletons")
        module.add(skeletons)
    kept = ds.attrs.get("skeleton_name")  # read from a file (SLEAP, sleap-io's NWB)
    base = skeleton_name or (kept if isinstance(kept, str) and kept else "skeleton")
    name, number = base, 2
    while name in skeletons.skeletons:
        name, number = f"{base}_{number}", number + 1
    at = {k: i for i, k in enumerate(keypoints)}
    edges = np.zeros((0, 2), dtype=np.int64)
    if "skeleton_edges" in ds:
        pairs = [(str(a), str(b)) for a, b in np.asarray(ds["skeleton_edges"].values)]
        edges = np.array([[at[a], at[b]] for a, b in pairs if a in at and b in at], dtype=np.int64)
    skeleton = Skeleton(name=name, nodes=keypoints, edges=_narrowest(edges.reshape(-1, 2)))
    skeletons.add_skeletons(skeleton)

    groups = in_listed_order(labels.video_groups(ds), ds)  # unlabelled videos too
    labelled = np.unique(groups.of_row)
    fps = ds.attrs.get("fps")
    size = (ds.attrs.get("video_width"), ds.attrs.get("video_height"))
    source_file = ds.attrs.get("source_file")
    source_file = str(source_file) if source_file else None
    external = external_files(
        groups, Path(nwb_path), source_file, made, from_working_folder=paths_from_working_folder
    )
    _warn_missing(external, Path(nwb_path), source_file)
    series = []
    for k, (video, images) in enumerate(zip(groups.names, groups.images, strict=True)):
        files, relative = external.files[k], external.relative[k]
        notes = [PATHS_MARKER] if relative else []
        if images is not None:
            notes.append(IMAGES_MARKER)
        if not fps:
            notes.append(frames_comment())
        rows = groups.of_row == k
        if images is not None:
            count = len(files)
            description = "Images of the labelled frames (external files, one frame each)."
        elif rows.any():
            count = int(groups.index[rows].max()) + 1
            description = f"The video the labelled frames come from: {video or '(unknown)'}."
        else:  # a video of the labels without labelled frames: no frame counted
            count = 0
            description = f"A video of the labels without labelled frames: {video}."
        extra: dict[str, Any] = {}
        # the size is of the one video with labelled frames
        if images is None and rows.any() and labelled.size == 1 and size[0] and size[1]:
            extra["dimension"] = [int(size[0]), int(size[1])]
        series.append(
            ImageSeries(
                name=f"video_{k}",
                description=description,
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
        order=order,
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
    #: Rank of each individual's instance in its frame, (time, individual), -1 for none;
    #: ``None``: the individuals' order.
    order: np.ndarray | None = None


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

    def group(self, parent: Any, name: str, ordered: bool = False) -> Any:
        """A group; ``ordered``: its members read back in the order they were made
        (HDF5 link creation order, tracked and indexed), not by name."""
        encoded, lcpl = self._name(name)
        gcpl = None
        if ordered:
            gcpl = h5py.h5p.create(h5py.h5p.GROUP_CREATE)
            gcpl.set_link_creation_order(h5py.h5p.CRT_ORDER_TRACKED | h5py.h5p.CRT_ORDER_INDEXED)
        return h5py.h5g.create(parent, encoded, lcpl=lcpl, gcpl=gcpl)

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
    A frame's instances are made in the plan's ``order`` (else the individuals')
    in a group that keeps their creation order, so that readers (pynwb, sleap-io)
    list them in it.
    """
    ds = plan.ds
    individuals = unique_names([str(i) for i in ds[model.INDIVIDUAL].values])
    ids = _narrowest(np.arange(len(individuals)), np.uint16)
    position = ds["position"].transpose(model.TIME, model.INDIVIDUAL, model.KEYPOINT, ...)
    position = np.asarray(position.transpose(..., model.SPACE).values, dtype=np.float64)
    flags = labels.point_flags(ds).transpose(0, 2, 1)  # (time, individual, keypoint)
    # an instance is written when it has a point, or marks one not visible (a user
    # instance whose points are all missing is kept, as SLEAP and sleap-io keep it)
    hidden = labels.hidden_points(ds).any(axis=1)  # (time, individual)
    exists = np.isfinite(position).any(axis=(2, 3)) | hidden
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
        instances = make.group(frame, "skeleton_instances", ordered=True)
        make.typed(instances, "SkeletonInstances")
        present = np.flatnonzero(exists[row]).tolist()
        if plan.order is not None:  # the frame's own order (sleap-io Labels'), then the rest
            rank = plan.order[row]
            present.sort(key=lambda i: (rank[i] < 0, rank[i], i))
        for i in present:
            instance = make.group(instances, individuals[i])
            make.typed(instance, "SkeletonInstance")
            make.number(instance, "id", ids[i])
            make.dataset(instance, "node_locations", position[row, i])
            make.dataset(instance, "node_visibility", flags[row, i])
            make.soft_link(instance, plan.skeleton_name, plan.skeleton_path)
