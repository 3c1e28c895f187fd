"""NWB with the ndx-pose extension: PoseEstimation read and write.

Reading walks the file with h5py (no pynwb objects are built), so it reads every
ndx-pose version (0.1 to 0.4) and is fast; an in-memory ``pynwb.NWBFile`` is
accepted too. Writing builds the objects with pynwb and ndx-pose 0.4. This
``__init__`` holds the family's :data:`FORMATS` record and its in-memory entry
points (:func:`build_nwbfiles`, :func:`add_to_nwbfile`, :func:`write_sleap_io`),
and re-exports the rest. The modules of this package:

``read``
    the reader's entry points: poses or labelled frames, ``describe``, ``sniff``;
``locate``
    find PoseEstimation containers (h5py or pynwb objects);
``combine``
    which container is which (views, individuals, keypoints), reading no array;
``assemble``
    containers -> one dataset (time union, arrays, attributes), with ``lazy``;
``config``
    :class:`NWBFileSaveConfig` and metadata files;
``build``
    dataset -> pynwb objects (skeleton, device, video, views), with ``naming``
    (container names, tag ranks), ``storage`` (chunks, compression, dtype),
    ``time_plan`` (rate or timestamps) and ``subject`` (DANDI's checks);
``write``
    the writer's options and new files;
``append``
    poses added to an existing file, all or nothing;
``sleap_io_layout``
    sleap-io's predictions layout (``layout="sleap-io"``);
``training``, ``training_write``
    labelled frames: ``PoseTraining`` <-> labels datasets (:mod:`posebridge.labels`);
``export``
    ``annotations_export``: the labelled frames' images in an MJPEG .avi.

Reading picks by content (``content="auto"``): a file with a PoseEstimation
gives its poses, a file with only a PoseTraining its labelled frames;
``content="labels"`` or ``"predictions"`` chooses. Writing a labels dataset
makes a PoseTraining.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import xarray as xr

from posebridge import model
from posebridge.formats._shared.record import Format
from posebridge.formats.nwb.append import add_to_object, append_file
from posebridge.formats.nwb.build import iter_build, split_plan
from posebridge.formats.nwb.combine import COMBINE_CHOICES
from posebridge.formats.nwb.config import NWBFileSaveConfig
from posebridge.formats.nwb.devices import files_named
from posebridge.formats.nwb.metadata_checks import as_config
from posebridge.formats.nwb.naming import ranked_in_order
from posebridge.formats.nwb.options import options_config, poses_video
from posebridge.formats.nwb.read import (
    CONTENTS,
    content_of,
    describe,
    file_info,
    load_nwb_labels,
    load_nwb_poses,
    load_nwb_poses_and_rates,
    read,
    read_all_videos,
    sniff,
)
from posebridge.formats.nwb.sleap_io_layout import sleap_io_config, write_sleap_io_layout
from posebridge.formats.nwb.storage import storage_from
from posebridge.formats.nwb.time_plan import frames_in_seconds
from posebridge.formats.nwb.timing import retime, series_times, with_frame_numbers
from posebridge.formats.nwb.write import LAYOUTS, check_option, write
from posebridge.model import labels

__all__ = [
    "COMBINE_CHOICES",
    "CONTENTS",
    "FORMATS",
    "LAYOUTS",
    "NWBFileSaveConfig",
    "add_to_nwbfile",
    "append_file",
    "as_config",
    "build_nwbfiles",
    "content_of",
    "describe",
    "file_info",
    "load_nwb_labels",
    "load_nwb_poses",
    "load_nwb_poses_and_rates",
    "ranked_in_order",
    "read",
    "read_all_videos",
    "retime",
    "series_times",
    "sleap_io_config",
    "sniff",
    "with_frame_numbers",
    "write",
    "write_sleap_io",
    "write_sleap_io_layout",
]


def build_nwbfiles(ds: xr.Dataset, config: Any = None, **options: Any) -> list[Any]:
    """In-memory ``pynwb.NWBFile`` objects for a dataset (one per individual); nothing is written.

    Parameters
    ----------
    ds
        A poses dataset.
    config
        An :class:`NWBFileSaveConfig` (or movement's), a dict of sections or a
        YAML path.
    **options
        As :func:`write`: ``split_individuals``, ``metadata``, ``subject_id``,
        ``species``, ``sex``, ``age``, ``session_description``,
        ``session_start_time``, ``session_id``, ``video_path``.

    Returns
    -------
    list of pynwb.NWBFile
        Write each with ``pynwb.NWBHDF5IO(path, "w").write(nwbfile)``.

    Examples
    --------
    >>> import numpy as np, posebridge
    >>> from posebridge.formats import nwb
    >>> ds = posebridge.from_numpy(np.zeros((5, 2, 3, 2)), fps=30)
    >>> [f.subject.subject_id for f in nwb.build_nwbfiles(ds)]
    ['id_0', 'id_1']
    """
    ds = model.validate(ds)
    labels.refuse(ds, "NWB PoseEstimation (build_nwbfiles; write labels with nwb.write)")
    ds = frames_in_seconds(ds)
    split = options.pop("split_individuals", True)
    video = options.pop("video_path", None)
    metadata = options.pop("metadata", None)
    config_ = options_config(ds, config, metadata, split, **options)
    count = len(split_plan(ds, split))
    video = poses_video(ds, video, files_named(None, count))
    return list(iter_build(ds, config_, storage_from(chunked=False), split, video))


FORMATS = (
    Format(
        name="nwb",
        title="NWB",
        extensions=(".nwb",),
        kinds=("poses", "labels"),
        sniff=sniff,
        read=read,
        write=write,
        aliases=("NWB", "ndx-pose"),
        describe=describe,
        check_write_option=check_option,
        notes="ndx-pose PoseEstimation and PoseTraining (labels); read: content="
        "'auto'|'labels'|'predictions', combine; write: split_individuals, metadata, "
        "subject_id, species, sex, age, video_path, compression, dtype, append, "
        "export_frames (labels: images to MJPEG), layout='posebridge'|'sleap-io'",
    ),
)


def write_sleap_io(
    datasets: list[xr.Dataset],
    path: str | os.PathLike[str],
    config: Any = None,
    *,
    overwrite: bool = False,
    append: bool = False,
    nwbfile: Any = None,
    skeleton_name: str | None = None,
) -> Any:
    """Write poses datasets (one per video) in sleap-io's NWB layout.

    Processing modules ``SLEAP_VIDEO_<i>_<stem>``, PoseEstimation containers
    ``track=<name>``, one shared Skeleton: a new file, an append to ``path``, or
    into an in-memory ``nwbfile`` (returned; nothing is written then).

    Parameters
    ----------
    datasets
        Validated poses datasets, one per video.
    path
        The ``.nwb`` file (ignored with ``nwbfile``).
    config
        Metadata: an :class:`NWBFileSaveConfig`, a dict of sections or ``None``.
    overwrite, append
        Replace an existing file, or add to it.
    nwbfile
        An in-memory ``pynwb.NWBFile`` to add to instead of a file.
    skeleton_name
        The shared Skeleton's name.

    Returns
    -------
    list of pathlib.Path or pynwb.NWBFile
        The files written, or ``nwbfile``.

    Examples
    --------
    >>> from posebridge.formats import nwb
    >>> nwb.write_sleap_io([ds], "session.nwb")  # doctest: +SKIP
    """
    return write_sleap_io_layout(
        datasets,
        Path(path),
        as_config(config),
        storage_from(chunked=nwbfile is None),
        overwrite=overwrite,
        append=append,
        nwbfile=nwbfile,
        skeleton_name=skeleton_name,
    )


def add_to_nwbfile(nwbfile: Any, ds: xr.Dataset, config: Any = None) -> Any:
    """Add a validated poses dataset to an in-memory ``pynwb.NWBFile`` (posebridge's layout).

    Parameters
    ----------
    nwbfile
        The ``pynwb.NWBFile`` to add to (its other content is untouched).
    ds
        A validated poses dataset.
    config
        Metadata: an :class:`NWBFileSaveConfig`, a dict of sections or ``None``.

    Returns
    -------
    pynwb.NWBFile
        The same ``nwbfile``.

    Examples
    --------
    >>> from posebridge.formats import nwb
    >>> nwb.add_to_nwbfile(nwbfile, ds)  # doctest: +SKIP
    """
    ds = frames_in_seconds(ds)
    return add_to_object(nwbfile, ds, as_config(config), storage_from(chunked=False))
