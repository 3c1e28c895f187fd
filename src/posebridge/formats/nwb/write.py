"""Write NWB files: poses, labelled frames, appends and sleap-io's layout.

The writer's options are checked in :mod:`posebridge.formats.nwb.options`; new
files (one per individual by default) are made in :mod:`posebridge.formats.nwb.new_files`.

New files are written to temporary files in the target folder and renamed into
place only when all of them are complete (:func:`posebridge._outputs.atomic_outputs`).
:func:`write` hands appends of poses to :mod:`posebridge.formats.nwb.append`
and sleap-io's layout to :mod:`posebridge.formats.nwb.sleap_io_layout`.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from posebridge import errors, model
from posebridge._files import check_input
from posebridge._outputs import atomic_outputs, updated_in_place
from posebridge.errors import FormatError, PoseBridgeError, user_stacklevel
from posebridge.formats._shared.guards import (
    refuse_bad_names,
    refuse_empty,
    refuse_nul,
    refuse_text_not_utf8,
    refuse_views,
)
from posebridge.formats._shared.hdf5 import new_file
from posebridge.formats._shared.not_kept import warn_individuals_not_written
from posebridge.formats.nwb.append import append_file, check_nwb, specifications_in_conflict
from posebridge.formats.nwb.build import split_plan
from posebridge.formats.nwb.common import reading_with_pynwb
from posebridge.formats.nwb.config import NWBFileSaveConfig
from posebridge.formats.nwb.export import export_annotations
from posebridge.formats.nwb.labels_file import labels_nwbfile, write_labels_nwbfile
from posebridge.formats.nwb.metadata_checks import as_config
from posebridge.formats.nwb.new_files import output_paths, write_files
from posebridge.formats.nwb.options import options_config, poses_video, search_option, video_option
from posebridge.formats.nwb.sleap_io_layout import holds_sleap_io_layout, write_sleap_io_layout
from posebridge.formats.nwb.storage import storage_from
from posebridge.formats.nwb.time_plan import frames_in_seconds
from posebridge.formats.nwb.training_write import build_training, file_options, write_frames
from posebridge.model import labels

PathLike = str | os.PathLike[str]


def write_labels_file(
    ds: xr.Dataset,
    target: Path,
    config: NWBFileSaveConfig,
    *,
    overwrite: bool = False,
    append: bool = False,
    skeleton_name: str | None = None,
    instance_order: Any = None,
    paths_from_working_folder: bool = False,
) -> list[Path]:
    """Write a labels dataset as ndx-pose PoseTraining: a new file, or added to one.

    ``instance_order``: the rank of each individual's instance in its frame
    (see :func:`write`); ``paths_from_working_folder``: relative video and image paths taken
    from the working folder, as sleap-io reads them (``layout="sleap-io"``), not looked
    for; both layouts write them relative to the file."""
    import ndx_pose  # noqa: F401 - registers the ndx-pose types
    import pynwb

    if append:
        path = check_input(target)
        check_nwb(path)
        options = file_options(labels.video_groups(ds))  # new objects: 1.8 format if needed
        with updated_in_place(path, "appending labelled frames to it") as temporary:
            try:
                with (
                    new_file(temporary, "r+", **options) as h5,
                    pynwb.NWBHDF5IO(file=h5, mode="r+") as io,
                ):
                    with reading_with_pynwb():  # a file sleap-io wrote: its 0 Hz rates
                        nwbfile = io.read()
                    plan = build_training(
                        nwbfile,
                        ds,
                        path,
                        skeleton_name=skeleton_name,
                        order=instance_order,
                        paths_from_working_folder=paths_from_working_folder,
                    )
                    io.write(nwbfile, exhaust_dci=False)
                with new_file(temporary, "r+") as h5:
                    write_frames(h5, plan)
            except PoseBridgeError:
                raise
            except OSError as error:
                if error.errno is None:
                    problem = f"could not append labelled frames ({error})."
                    raise FormatError(path, problem) from error
                raise  # the disk is full, the file too large, ...: atomic_outputs says so
            except Exception as error:
                refused = specifications_in_conflict(error, path, labelled=True)
                if refused is not None:
                    raise refused from error
                raise FormatError(
                    path,
                    f"could not append labelled frames ({type(error).__name__}: {error}); "
                    "the file was left unchanged.",
                ) from error
        return [path]
    nwbfile, plan = labels_nwbfile(
        ds,
        config,
        target,
        skeleton_name=skeleton_name,
        order=instance_order,
        paths_from_working_folder=paths_from_working_folder,
    )
    with atomic_outputs([target], overwrite=overwrite) as (temporary,):
        write_labels_nwbfile(nwbfile, plan, temporary)
    return [target]


def _instance_order(ds: xr.Dataset, given: Any, export_frames: bool) -> np.ndarray | None:
    """The ``instance_order=`` option checked: int64 ranks of shape (time, individual).

    Raises
    ------
    PoseBridgeError
        When given for poses or with ``export_frames``, or not whole numbers of
        that shape.
    """
    if given is None:
        return None
    if not labels.is_labels(ds) or export_frames:
        raise PoseBridgeError(
            "instance_order applies to labelled frames written as PoseTraining (a labels "
            "dataset, without export_frames)."
        )
    shape = (ds.sizes[model.TIME], ds.sizes[model.INDIVIDUAL])
    try:
        order = np.asarray(given)
        valid = order.shape == shape and order.dtype.kind in "iu"
    except (TypeError, ValueError):
        valid = False
    if not valid:
        raise PoseBridgeError(
            f"instance_order must be whole numbers of shape (time, individual) = {shape}, "
            f"got {errors.brief(given)}."
        )
    return order.astype(np.int64)


#: The layouts the writer knows: posebridge's own, and sleap-io's predictions layout.
LAYOUTS = ("posebridge", "sleap-io")


def layout_option(layout: Any) -> None:
    """Refuse a ``layout=`` other than ``None`` or one of :data:`LAYOUTS`."""
    if layout is not None and layout not in LAYOUTS:
        raise PoseBridgeError(f"layout must be one of {LAYOUTS}, got {layout!r}.")


def check_option(name: str, value: Any) -> None:
    """Refuse the value of one writer option that is wrong whatever the data.

    The checks :func:`write` itself runs on ``compression``, ``dtype``,
    ``layout`` and ``search``, and the reading and checking of a ``metadata``
    or ``config`` YAML file (or dict of sections, or config), run alone so that
    ``posebridge.convert`` and
    ``posebridge convert`` refuse a bad value before reading the input (the
    ``check_write_option`` of the NWB format). Other options pass.

    Raises
    ------
    PoseBridgeError
        When the value is refused (a ``TypeError`` for ``search`` of the wrong kind).

    Examples
    --------
    >>> check_option("compression", "gzip:6")
    >>> check_option("dtype", "float16")
    Traceback (most recent call last):
    ...
    posebridge.errors.PoseBridgeError: dtype must be 'float32' or 'float64', got 'float16'.
    """
    if name == "compression":
        storage_from(value, None)
    elif name == "dtype":
        storage_from(None, value)
    elif name == "layout":
        layout_option(value)
    elif name == "search":
        search_option(value)
    elif name in ("metadata", "config") and value is not None:
        try:  # its file read, its sections checked
            as_config(value, name)
        except PoseBridgeError as error:
            raise _named_once(error, name) from None


def _named_once(error: PoseBridgeError, name: str) -> PoseBridgeError:
    """A refusal of a ``metadata=`` (``config=``) value that does not start with the
    option's name: the writer's check names the option already (``The NWB writer's
    option metadata=: unknown section 'foo'…``, not ``…metadata=: metadata: unknown…``).
    A message that starts with a file's name keeps it.

    Examples
    --------
    >>> print(
    ...     _named_once(
    ...         PoseBridgeError("metadata: section 'subject' must be a mapping."), "metadata"
    ...     )
    ... )
    section 'subject' must be a mapping.
    >>> print(_named_once(PoseBridgeError("meta.yaml: unknown section 'foo'."), "metadata"))
    meta.yaml: unknown section 'foo'.
    """
    text = str(error)
    for start in (f"{name}: ", f"{name} "):  # "metadata: …", "metadata must be …"
        if text.startswith(start):
            return type(error)(text.removeprefix(start))
    return error


def write(
    ds: xr.Dataset,
    path: PathLike,
    *,
    overwrite: bool = False,
    layout: str | None = None,
    split_individuals: bool = True,
    config: Any = None,
    metadata: Any = None,
    subject_id: str | None = None,
    species: str | None = None,
    sex: str | None = None,
    age: str | None = None,
    session_description: str | None = None,
    session_start_time: Any = None,
    session_id: str | None = None,
    video_path: PathLike | None = None,
    compression: Any = None,
    dtype: Any = None,
    append: bool = False,
    export_frames: bool = False,
    search: Any = (),
    instance_order: Any = None,
) -> list[Path]:
    """Write poses to NWB with ndx-pose (one file per individual by default).

    Parameters
    ----------
    ds
        A poses dataset. A labels dataset (:mod:`posebridge.labels`) is written
        as ndx-pose ``PoseTraining`` (see :mod:`posebridge.formats.nwb.training`),
        all individuals in one file (``split_individuals`` does not apply;
        ``video_path``, ``compression`` and ``dtype`` are ignored with a warning).
    path
        The output ``.nwb`` file. With several individuals (and
        ``split_individuals``), one file per individual named
        ``<stem>_<individual>.nwb`` next to it.
    overwrite
        Replace existing files.
    split_individuals
        One file per individual (NWB holds one subject per file); ``False``
        writes one file with a PoseEstimation per individual. A dataset with
        camera views (a ``view`` dim) gets one PoseEstimation per view and
        individual in each file: ``PoseEstimation_<view>`` (one individual in
        the file) or ``PoseEstimation_<view>_<individual>``, each linked to the
        Device of its view (named after the view), sharing its individual's
        Skeleton; read back, the views and individuals come back by name and
        in order.
    config
        An :class:`NWBFileSaveConfig` (or movement's), a dict of sections,
        or a YAML file path.
    metadata
        A YAML file path or a dict with the same sections (``nwbfile``,
        ``subject``, ...), applied over ``config``.
    subject_id, species, sex, age
        Subject fields (``age`` in ISO 8601, e.g. ``P90D``), applied over both.
    session_description, session_start_time
        Session fields; the start time is a datetime, a date or ISO 8601
        text, taken as local time when it has no time zone (``None``: the
        dataset's, else the time of writing).
    session_id
        The NWBFile's ``session_id`` (a DANDI file names its session with it);
        by default the dataset's ``session_id`` attribute, if any.
    video_path
        The video the poses come from: written as an external ``ImageSeries``
        (path relative to the NWB file) linked as ``source_video``. By default
        the dataset's ``video_path`` attribute, if that file exists. Refused
        for a dataset with camera views (one video is one camera's); the
        dataset's own is then not linked, with a warning.
    compression
        ``None``, ``"gzip"``, ``"gzip:<level>"`` or ``"lzf"``.
    dtype
        ``"float32"`` to store positions and confidence as float32.
    append
        Add the poses to the existing NWB file at ``path``, leaving its other
        content untouched (all individuals in that one file). Poses with
        camera views are appended to a file without poses, or whose poses have
        the same views in the same order (refused otherwise, as is appending
        poses without views to a file whose poses have views). Individuals
        added one call at a time read back in the order they were added,
        after those of containers posebridge did not write (another tool's).
    export_frames
        Labels only (sleap-io's ``annotations_export``): also write the
        labelled frames' images into ``<stem>.annotated_frames.avi`` (MJPEG)
        beside the NWB file, with a ``<stem>.frame_map.json``, and point the
        PoseTraining at that video (see :mod:`posebridge.formats.nwb.export`).
        Needs the ``video`` extra and the source videos or images.
    search
        A folder or a list of folders to look for relative video and image
        paths in; only with ``export_frames`` (refused without it).
    instance_order
        Labels only (not with ``export_frames``): the rank of each
        individual's instance within its labelled frame, integers of shape
        (time, individual), -1 where it has none (a ``sleap_io.Labels``' own
        order, which :mod:`posebridge.io.nwb` passes); the instances are
        written in that order, which readers (pynwb, sleap-io) keep. By
        default in the individuals' order.
    layout
        ``"posebridge"`` (module ``behavior``, one PoseEstimation per
        individual) or ``"sleap-io"``: sleap-io's predictions layout, one file
        with a processing module ``SLEAP_VIDEO_000_<video stem>``, a Device
        ``camera_0`` and a PoseEstimation ``track=<individual>`` per
        individual, so that ``sleap_io.load_nwb`` reads it (poses only).
        A dataset with camera views is refused (sleap-io's layout has one
        camera per video module), as is metadata naming a series otherwise
        than its keypoint (sleap-io's reader finds a node's series by its
        name). Appends shift poses of another session as posebridge's
        layout does. Default: ``"posebridge"``, except when
        appending to a file whose poses are all in sleap-io's layout (written
        by sleap-io, or with ``layout="sleap-io"``): the new individuals then
        join that layout, as tracks of the file's video, so that
        ``sleap_io.load_nwb`` still reads every individual. Labelled frames
        (PoseTraining) are laid out alike in both; both write their
        video and image paths relative to the .nwb file, as NWB (nwbinspector)
        asks; ``"sleap-io"`` takes a relative path given as relative to the
        working folder, as sleap-io does (its ``load_nwb`` reads a relative
        path from the working folder: run it from the .nwb's folder), where
        ``"posebridge"`` also looks for it beside the dataset's source file.

    Returns
    -------
    list of pathlib.Path
        Every file written.

    Examples
    --------
    >>> import numpy as np, posebridge
    >>> ds = posebridge.from_numpy(np.zeros((5, 2, 3, 1)), fps=30)
    >>> posebridge.save(ds, "poses.nwb", subject_id="M1", species="Mus musculus")  # doctest: +SKIP
    [PosixPath('poses.nwb')]
    """
    layout_option(layout)
    if layout is None:
        target_file = Path(path)
        sleap_io_file = append and target_file.is_file() and holds_sleap_io_layout(target_file)
        layout = "sleap-io" if sleap_io_file and not labels.is_labels(ds) else "posebridge"
    if not labels.is_labels(ds):  # a PoseEstimation with no frame reads back with no keypoint
        refuse_empty(ds, "NWB", dims=(model.TIME, model.KEYPOINT, model.INDIVIDUAL))
    else:  # a PoseTraining with no frame reads back with no individual
        refuse_empty(ds, "NWB", dims=(model.TIME,))
        # ndx-pose's training frames hold an individual only through its instances (a
        # SkeletonInstance per individual and frame with a point or a point marked not
        # visible, which training_write writes with node_visibility False)
        others = [d for d in ds["position"].dims if d != model.INDIVIDUAL]
        placed = np.asarray(ds["position"].notnull().any(others).values)
        hidden = np.moveaxis(labels.hidden_points(ds), 2, 0)  # individual first
        marked = hidden.any(axis=tuple(range(1, hidden.ndim)))  # no individual: none
        warn_individuals_not_written(
            ds,
            Path(path),
            "NWB's labelled frames (ndx-pose PoseTraining) hold an individual only through "
            "its instances",
            written=placed | marked,
            missing="no labelled point (nor one marked not visible)",
        )
    refuse_bad_names(ds, "NWB", forbidden="\x00", path=path)
    refuse_nul(ds, "NWB", path)
    refuse_text_not_utf8(ds, "NWB")
    order = _instance_order(ds, instance_order, export_frames)
    folders = search_option(search)
    if folders and not export_frames:
        raise PoseBridgeError(
            f"search={search!r} applies with export_frames=True (where the labelled frames' "
            "videos and images are looked for); without it nothing is looked for. Leave "
            "search out, or pass export_frames=True."
        )
    if labels.is_labels(ds):
        refuse_views(ds, "NWB labelled-frame (PoseTraining)", path)  # one camera each
        # a batch gives every input the same options: for labelled frames they are ignored,
        # with a warning (checked above all the same)
        ignored = [
            f"{name}={value!r}"
            for name, value in (
                ("video_path", video_path),
                ("compression", compression),
                ("dtype", dtype),
            )
            if value is not None
        ]
        if ignored:
            warnings.warn(
                f"{path}: {', '.join(ignored)} apply to poses (PoseEstimation) and were "
                "ignored: labelled frames (PoseTraining) name their videos in the 'video' "
                "coordinate and are written as ndx-pose lays them out.",
                UserWarning,
                stacklevel=user_stacklevel(),
            )
        flags = {
            "subject_id": subject_id,
            "species": species,
            "sex": sex,
            "age": age,
            "session_description": session_description,
            "session_start_time": session_start_time,
            "session_id": session_id,
        }
        config_ = options_config(ds, config, metadata, False, **flags)
        if export_frames:
            if append:
                raise PoseBridgeError("export_frames writes a new NWB file; it cannot append.")
            return export_annotations(
                ds,
                Path(path),
                config_,
                overwrite=overwrite,
                search=folders,
            )
        return write_labels_file(
            ds,
            Path(path),
            config_,
            overwrite=overwrite,
            append=append,
            instance_order=order,
            paths_from_working_folder=layout == "sleap-io",
        )
    if export_frames:
        raise PoseBridgeError(
            "export_frames applies to labelled frames (a labels dataset); this dataset holds "
            "poses."
        )
    ds = frames_in_seconds(ds)  # frame numbers with a stated fps: written as seconds
    if layout == "sleap-io":
        split_individuals = False  # sleap-io: every track of a video in one module
    config_ = options_config(
        ds,
        config,
        metadata,
        split_individuals,
        appending=append,
        subject_id=subject_id,
        species=species,
        sex=sex,
        age=age,
        session_description=session_description,
        session_start_time=session_start_time,
        session_id=session_id,
    )
    storage = storage_from(compression, dtype)
    given_video = video_option(video_path)
    target = Path(path)
    if layout == "sleap-io":
        if given_video is not None:
            ds = ds.assign_attrs(video_path=given_video)
        return write_sleap_io_layout(
            [ds], target, config_, storage, overwrite=overwrite, append=append
        )
    # the warnings name the files written: one per individual when the save is split
    written = [target] if append else output_paths(target, split_plan(ds, split_individuals))
    video = poses_video(ds, given_video, written)
    if append:
        return [append_file(ds, target, config_, storage, video)]
    return write_files(
        ds,
        target,
        config_,
        storage,
        overwrite=overwrite,
        split_individuals=split_individuals,
        video=video,
    )
