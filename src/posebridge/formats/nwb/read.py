"""Read NWB files (ndx-pose): PoseEstimation poses and PoseTraining labelled frames.

The reading side of the family, on h5py (no pynwb objects are built, so every
ndx-pose version from 0.1 to 0.4 reads, fast); an in-memory ``pynwb.NWBFile``
is read through its objects. :func:`read` is the registry's entry point: it
picks the content (``content="auto"``: a file with a PoseEstimation gives its
poses, one with only a PoseTraining its labelled frames) and refuses options of
the other content. The containers are found by :mod:`~posebridge.formats.nwb.locate`,
told apart by :mod:`~posebridge.formats.nwb.combine` and read into a dataset by
:mod:`~posebridge.formats.nwb.assemble`; the labelled frames by
:mod:`~posebridge.formats.nwb.training`.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import h5py
import numpy as np
import xarray as xr

from posebridge import model
from posebridge._files import (
    Peek,
    check_input,
    held_open_by_another_program,
    held_open_error,
    holds_hdf5_signature,
)
from posebridge.errors import (
    FormatError,
    NotHDF5Error,
    PoseBridgeError,
    describing,
    reading_failure,
)
from posebridge.formats._shared.global_heap import check_file_heaps
from posebridge.formats.nwb.assemble import assemble, container_rates
from posebridge.formats.nwb.combine import refuse_several_videos, select, sleap_io_video_modules
from posebridge.formats.nwb.locate import FileInfo, h5_info, is_nwb, merge_infos, object_info
from posebridge.formats.nwb.training import read_training


def sniff(peek: Peek) -> bool:
    """Whether ``path`` is an NWB file (HDF5 with NWB's root attributes).

    Examples
    --------
    >>> from posebridge.formats import nwb
    >>> nwb.sniff("session.nwb")  # doctest: +SKIP
    True
    """
    return peek.h5 is not None and is_nwb(peek.h5)


#: Groups of an NWB file that are never read: a damaged text there is not refused.
UNREAD = ("specifications",)


@contextlib.contextmanager
def _reading(where: Any) -> Iterator[None]:
    """Failures while reading ``where`` (h5py's, on a damaged file) become FormatErrors.

    The same translation as :func:`posebridge.load` makes
    (:func:`~posebridge.errors.reading_failure`), for the entry points that do
    not pass through it (``load_nwb_poses``, ``load_nwb_labels``, the drop-ins).
    """
    try:
        yield
    except (PoseBridgeError, Warning):  # a warning the caller made an error stays one
        raise
    except Exception as error:
        raise reading_failure(where, error, "NWB") from error


def _open(path: Path) -> h5py.File:
    with open(path, "rb") as handle:
        head = handle.read(8)
    if not holds_hdf5_signature(path):  # at byte 0, or after a user block
        found = "an empty file" if not head else f"bytes {head!r}"
        raise NotHDF5Error(
            path, f"is not an NWB file: expected an HDF5 file (NWB's container), found {found}."
        )
    try:
        # no chunk cache: every chunk is read once, straight into the result arrays
        h5 = h5py.File(path, "r", rdcc_nbytes=0)
    except OSError as error:
        if held_open_by_another_program(error):  # a valid file, which HDF5 will not share
            raise held_open_error(path, "read it", writing=False) from error
        raise NotHDF5Error(path, f"is not a readable HDF5/NWB file ({error}).") from error
    try:  # before any text is read: HDF5 loops forever on a damaged global heap
        check_file_heaps(h5, path, unread=UNREAD)
    except PoseBridgeError:
        h5.close()
        raise
    if not is_nwb(h5):
        h5.close()
        raise FormatError(
            path,
            "is an HDF5 file but not an NWB file (no nwb_version attribute); expected an "
            "NWB file with ndx-pose PoseEstimation data.",
        )
    return h5


def file_info(path: str | os.PathLike[str]) -> FileInfo:
    """What an NWB file holds (containers, subject, session), reading no arrays.

    Examples
    --------
    >>> from posebridge.formats import nwb
    >>> [c.path for c in nwb.file_info("session.nwb").containers]  # doctest: +SKIP
    ['processing/behavior/PoseEstimation']
    """
    path = check_input(path)
    with _reading(path), _open(path) as h5:
        return h5_info(h5, str(path.parent))


def _is_nwbfile(value: Any) -> bool:
    return hasattr(value, "processing") and hasattr(value, "identifier")


def load_nwb_poses(
    file_or_nwbfile: Any,
    processing_module_key: str | None = None,
    pose_estimation_key: str | None = None,
    *,
    combine: str = "auto",
    fps: float | None = None,
) -> xr.Dataset:
    """Read ndx-pose PoseEstimation data from an NWB file or an in-memory ``NWBFile``.

    Parameters
    ----------
    file_or_nwbfile
        A path to an ``.nwb`` file, a list of paths (e.g. the per-individual
        files the writer makes: their containers are read side by side, as
        individuals), or a ``pynwb.NWBFile``.
    processing_module_key, pose_estimation_key
        Pick containers. Neither given: every PoseEstimation in the file is
        read (several combine as individuals or views, see ``combine``);
        ``pose_estimation_key`` picks containers of that name (or path,
        ``processing/<module>/<name>``), ``processing_module_key`` restricts
        to that processing module (given as ``behavior`` and
        ``PoseEstimation``, exactly that container, as movement reads).
    combine
        ``"auto"`` (per-camera containers -> a ``view`` dim, others ->
        individuals), ``"individuals"`` or ``"views"``. An ndx-pose 0.4
        ``MultiCameraPoseEstimation`` gives its own poses (estimated from all
        its cameras, usually 3-D), or with ``"views"`` its cameras' 2-D poses,
        one view each.
    fps
        Only for files whose time is in frames (posebridge's marker): the frame
        rate to express time in seconds. Real timestamps are kept as stored; a
        rate other than the file's own is refused
        (:func:`posebridge.model.with_file_fps`).

    Returns
    -------
    xarray.Dataset
        Poses with time in seconds as stored (or frames for posebridge
        frames-only files), skeleton edges, subject, device and video kept.

    Raises
    ------
    FormatError
        When the file is not NWB, holds no PoseEstimation, or holds several
        that cannot be combined (the message lists them).

    Examples
    --------
    >>> from posebridge.formats import nwb
    >>> ds = nwb.load_nwb_poses("session.nwb")  # doctest: +SKIP
    >>> ds = nwb.load_nwb_poses(["out_mouse1.nwb", "out_mouse2.nwb"])  # doctest: +SKIP
    >>> ds = nwb.load_nwb_poses("ibl.nwb", pose_estimation_key="PoseEstimationLeftCamera")
    ... # doctest: +SKIP
    """
    return load_nwb_poses_and_rates(
        file_or_nwbfile, processing_module_key, pose_estimation_key, combine=combine, fps=fps
    )[0]


def load_nwb_poses_and_rates(
    file_or_nwbfile: Any,
    processing_module_key: str | None = None,
    pose_estimation_key: str | None = None,
    *,
    combine: str = "auto",
    fps: float | None = None,
) -> tuple[xr.Dataset, list[float]]:
    """:func:`load_nwb_poses`, and the frame rate of each container read, on its own.

    A container's rate is what movement's ``from_nwb_file`` states reading that
    container alone (:func:`~posebridge.formats.nwb.assemble.container_rates`):
    containers on clocks offset from each other (each at 30 fps) each give 30,
    where the union of their times, which the dataset holds, steps more often.

    Parameters
    ----------
    file_or_nwbfile, processing_module_key, pose_estimation_key, combine, fps
        As :func:`load_nwb_poses`.

    Returns
    -------
    tuple of xarray.Dataset and list of float
        The poses, and the rate of each container that gives one.

    Examples
    --------
    >>> from posebridge.formats import nwb
    >>> ds, rates = nwb.load_nwb_poses_and_rates("session.nwb")  # doctest: +SKIP
    """
    ds, rates = _read_poses(
        file_or_nwbfile, processing_module_key, pose_estimation_key, combine, with_rates=True
    )
    ds = model.validate(ds)
    where = file_or_nwbfile if isinstance(file_or_nwbfile, str | os.PathLike) else "the NWBFile"
    return model.with_file_fps(ds, fps, where), rates


def _read_poses(
    file_or_nwbfile: Any,
    processing_module_key: str | None,
    pose_estimation_key: str | None,
    combine: str,
    *,
    with_rates: bool = False,
) -> tuple[xr.Dataset, list[float]]:
    """The poses of the chosen containers, and with ``with_rates`` each one's own rate
    (:func:`~posebridge.formats.nwb.assemble.container_rates`; else none)."""
    if _is_nwbfile(file_or_nwbfile):
        info = object_info(file_or_nwbfile)
        source = getattr(file_or_nwbfile, "container_source", None)
        chosen = select(info, source, processing_module_key, pose_estimation_key)
        refuse_several_videos(chosen, combine, source or "the NWBFile")
        ds = assemble(info, chosen, source or "NWBFile", combine)
        rates = container_rates(chosen) if with_rates else []
        if source:
            ds.attrs["source_file"] = str(source)
    else:
        several = isinstance(file_or_nwbfile, list | tuple)
        paths = [check_input(p) for p in (file_or_nwbfile if several else [file_or_nwbfile])]
        if not paths:
            raise FormatError(None, "no NWB file was given.")
        where = paths[0] if len(paths) == 1 else ", ".join(map(str, paths))
        with _reading(where), contextlib.ExitStack() as stack:
            infos = [h5_info(stack.enter_context(_open(p)), str(p.parent)) for p in paths]
            info = merge_infos(infos)
            chosen = select(info, where, processing_module_key, pose_estimation_key)
            refuse_several_videos(chosen, combine, where)
            ds = assemble(info, chosen, where, combine)
            rates = container_rates(chosen) if with_rates else []
        ds.attrs["source_file"] = str(where)
    return ds, rates


def read_all_videos(path: str | os.PathLike[str], *, fps: float | None = None) -> list[xr.Dataset]:
    """The poses of an NWB file, one dataset per video of sleap-io's layout.

    sleap-io writes each video of a SLEAP project to a processing module of its
    own (``SLEAP_VIDEO_<iii>_<stem>``, its tracks as ``track=<name>``
    containers); each gives a dataset of its tracks (individuals) with its
    video's ``video_path``, in the file's order, as
    :func:`posebridge.from_sleap_io` gives the predictions of several videos
    and :func:`posebridge.formats.sleap.read_all_videos` an ``.slp`` file's.
    A file of any other layout (or of one video) gives a list of one dataset,
    :func:`load_nwb_poses` of the whole file.

    Parameters
    ----------
    path
        The ``.nwb`` file.
    fps
        As for :func:`load_nwb_poses`.

    Returns
    -------
    list of xarray.Dataset
        One dataset per video.

    Examples
    --------
    >>> from posebridge.formats import nwb
    >>> [ds.attrs["video_path"] for ds in nwb.read_all_videos("two_videos.nwb")]
    ... # doctest: +SKIP
    ['/data/session0.mp4', '/data/session1.mp4']
    """
    file = check_input(path)
    with _reading(file), _open(file) as h5:
        modules = sleap_io_video_modules(h5_info(h5, str(file.parent)).containers)
    if len(modules) < 2:
        return [load_nwb_poses(file, fps=fps)]
    return [
        load_nwb_poses(file, processing_module_key=module, combine="individuals", fps=fps)
        for module in modules
    ]


def load_nwb_labels(
    path: str | os.PathLike[str],
    *,
    training_key: str | None = None,
    skeleton: str | None = None,
) -> xr.Dataset:
    """Read the labelled frames (ndx-pose ``PoseTraining``) of an NWB file.

    Parameters
    ----------
    path
        The ``.nwb`` file.
    training_key
        The PoseTraining's name or path, when the file has several.
    skeleton
        The Skeleton's name, when instances use several.

    Returns
    -------
    xarray.Dataset
        A labels dataset (:mod:`posebridge.labels`): one step per TrainingFrame,
        individuals from the SkeletonInstances, videos and images from the
        source videos. The video files need not exist.

    Raises
    ------
    FormatError
        When the file is not NWB, holds no PoseTraining, or its frames do not
        fit together.

    Examples
    --------
    >>> from posebridge.formats import nwb
    >>> ds = nwb.load_nwb_labels("labels.nwb")  # doctest: +SKIP
    """
    return model.validate(_read_labels(path, training_key, skeleton))


def _read_labels(
    path: str | os.PathLike[str], training_key: str | None, skeleton: str | None
) -> xr.Dataset:
    file = check_input(path)
    with _reading(file), _open(file) as h5:
        info = h5_info(h5, str(file.parent))
        if not info.training:
            raise FormatError(
                file,
                "holds no ndx-pose PoseTraining (labelled frames)"
                + (", only PoseEstimation (poses)." if info.containers else "."),
            )
        ds = read_training(h5, file, info.training, training_key=training_key, skeleton=skeleton)
    ds.attrs["source_file"] = str(file)
    return ds


CONTENTS = ("auto", "labels", "predictions")


def content_of(path: str | os.PathLike[str]) -> str:
    """``"predictions"`` when the file holds a PoseEstimation, else ``"labels"`` if it
    holds a PoseTraining, else ``"predictions"`` (whose reader says what is missing).

    Examples
    --------
    >>> from posebridge.formats import nwb
    >>> nwb.content_of("minimal.annotations.nwb")  # doctest: +SKIP
    'labels'
    """
    file = check_input(path)
    with _reading(file), _open(file) as h5:
        info = h5_info(h5, str(file.parent))
    return "labels" if info.training and not info.containers else "predictions"


def read(
    path: Path,
    *,
    content: str = "auto",
    processing_module_key: str | None = None,
    pose_estimation_key: str | None = None,
    combine: str = "auto",
    training_key: str | None = None,
    skeleton: str | None = None,
) -> xr.Dataset:
    """Read an NWB file (registry entry point): poses or labelled frames.

    Parameters
    ----------
    path
        The ``.nwb`` file.
    content
        ``"auto"`` (default): the poses of its PoseEstimation containers, or its
        labelled frames when it holds a PoseTraining and no PoseEstimation;
        ``"labels"``: the PoseTraining (:func:`load_nwb_labels`);
        ``"predictions"``: the PoseEstimation (:func:`load_nwb_poses`).
    processing_module_key, pose_estimation_key, combine
        Options of the poses reader (:func:`load_nwb_poses`).
    training_key, skeleton
        Options of the labels reader (:func:`load_nwb_labels`).

    Raises
    ------
    PoseBridgeError
        When an option of the content not read is given (not left at its
        default): ``training_key`` or ``skeleton`` for poses,
        ``processing_module_key``, ``pose_estimation_key`` or ``combine`` for
        labelled frames; it would be ignored.

    Examples
    --------
    >>> import posebridge
    >>> ds = posebridge.load("session.nwb", combine="individuals")  # doctest: +SKIP
    >>> labels = posebridge.load("session.nwb", content="labels")  # doctest: +SKIP
    """
    if content not in CONTENTS:
        raise PoseBridgeError(f"content must be one of {CONTENTS}, got {content!r}.")
    asked = content
    if content == "auto":
        content = content_of(path)
    refuse_other_options(
        path,
        asked,
        content,
        {
            "processing_module_key": processing_module_key is not None,
            "pose_estimation_key": pose_estimation_key is not None,
            "combine": combine != "auto",
        },
        {"training_key": training_key is not None, "skeleton": skeleton is not None},
    )
    if content == "labels":
        return _read_labels(path, training_key, skeleton)
    return _read_poses(path, processing_module_key, pose_estimation_key, combine)[0]


def refuse_other_options(
    path: Path,
    asked: str,
    content: str,
    poses_options: dict[str, bool],
    labels_options: dict[str, bool],
) -> None:
    """Refuse options of the content that is not read (given, not left at their default).

    ``processing_module_key``, ``pose_estimation_key`` and ``combine`` pick
    PoseEstimation containers; ``training_key`` and ``skeleton`` the
    PoseTraining: given for the other content they would be ignored.
    """
    reading_labels = content == "labels"
    given = [n for n, v in (poses_options if reading_labels else labels_options).items() if v]
    if not given:
        return
    names = ", ".join(f"{n}=" for n in given)
    mine = ", ".join(f"{n}=" for n in (labels_options if reading_labels else poses_options))
    if reading_labels:
        read = "its labelled frames (PoseTraining)"
        why = "content='labels' was given" if asked == "labels" else "it holds no PoseEstimation"
        other = "PoseEstimation containers (poses, content='predictions')"
    else:
        read = "its poses (PoseEstimation)"
        why = "content='predictions' was given" if asked != "auto" else "it holds poses"
        other = "the labelled frames (PoseTraining, content='labels')"
    raise PoseBridgeError(
        f"{path}: {names} pick{'s' * (len(given) == 1)} {other}, but the file is read for "
        f"{read} because {why}; those options would be ignored. Leave them out (this "
        f"reading takes {mine}), or pass content= for the other reading."
    )


@describing("NWB")
def describe(path: Path) -> list[tuple[str, str]]:
    """What ``posebridge info`` shows: every PoseEstimation container of the file.

    Each row is labelled by the container's ndx-pose type: ``PoseEstimation``, or
    ``MultiCameraPoseEstimation`` for one with 3-D series of its own (its cameras'
    PoseEstimation containers follow it).

    Examples
    --------
    >>> from posebridge.formats import nwb
    >>> nwb.describe("session.nwb")  # doctest: +SKIP
    [('PoseEstimation processing/behavior/PoseEstimation', '4 series, data (2330, 2), ...')]
    """
    path = check_input(path)
    rows = []
    with _reading(path), _open(path) as h5:
        info = h5_info(h5, str(path.parent))
        for container in info.containers:
            shapes = sorted({s.shape for s in container.series})
            text = f"{len(container.series)} series, data " + (
                ", ".join(map(str, shapes)) or "none"
            )
            ends = [_ends(s.timing) for s in container.series if s.timing.n]
            times = np.concatenate(ends) if ends else np.zeros(0)
            if times.size:
                text += f", {np.nanmin(times):.3f}-{np.nanmax(times):.3f} s"
            if container.devices:
                text += f"; device {', '.join(container.devices)}"
            if container.source_software:
                text += f"; by {container.source_software}"
            rows.append((f"{container.neurodata_type} {container.path}", text))
        for training in info.training:
            group = h5[training]
            frames = group.get("training_frames")
            videos = group.get("source_videos")
            n_frames = len(frames) if isinstance(frames, h5py.Group) else 0
            n_videos = len(videos) if isinstance(videos, h5py.Group) else 0
            rows.append(
                (
                    f"PoseTraining {training}",
                    f"{n_frames} labelled frame{'s' * (n_frames != 1)}, "
                    f"{n_videos} source video{'s' * (n_videos != 1)}",
                )
            )
    if info.subject:
        rows.append(("subject", ", ".join(f"{k}={v}" for k, v in info.subject.items())))
    return rows


def _ends(timing: Any) -> np.ndarray:
    """First and last sample time of a series (reads two values); none when the
    timestamps are not one number per sample (``load`` says what is wrong)."""
    if timing.rate is not None:
        last = timing.starting_time + (timing.n - 1) / timing.rate
        return np.array([timing.starting_time, last], dtype=np.float64).reshape(-1)
    stamps = timing.timestamps
    if getattr(stamps, "ndim", 0) != 1 or stamps.dtype.kind not in "iuf" or not stamps.shape[0]:
        return np.zeros(0)
    return np.asarray([stamps[0], stamps[stamps.shape[0] - 1]], dtype=np.float64)
