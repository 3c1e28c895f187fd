"""Write NWB files: the writer's options, and new files (one per individual by default).

New files are written to temporary files in the target folder and renamed into
place only when all of them are complete (:func:`posebridge._outputs.atomic_outputs`).
:func:`write` hands appends of poses to :mod:`posebridge.formats.nwb.append`
and sleap-io's layout to :mod:`posebridge.formats.nwb.sleap_io_layout`.
"""

from __future__ import annotations

import os
import re
import warnings
from pathlib import Path
from typing import Any

import h5py
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
from posebridge.formats.nwb.append import append_file, check_nwb
from posebridge.formats.nwb.build import iter_build, split_plan, views_of
from posebridge.formats.nwb.common import reading_with_pynwb
from posebridge.formats.nwb.config import NWBFileSaveConfig
from posebridge.formats.nwb.devices import dataset_video
from posebridge.formats.nwb.export import export_annotations
from posebridge.formats.nwb.labels_file import labels_nwbfile, write_labels_nwbfile
from posebridge.formats.nwb.metadata_checks import (
    as_config,
    check_entities,
    check_skeleton,
    source_name,
)
from posebridge.formats.nwb.sleap_io_layout import holds_sleap_io_layout, write_sleap_io_layout
from posebridge.formats.nwb.storage import Storage, storage_from
from posebridge.formats.nwb.training_write import build_training, write_frames
from posebridge.model import labels

PathLike = str | os.PathLike[str]


#: The single text options of the writer that go into the NWB metadata.
TEXT_FLAGS = ("subject_id", "species", "sex", "age", "session_description", "session_id")


def _refuse_shared_subject_id(value: Any, given: str, individuals: list[str]) -> None:
    """Refuse one subject_id for several individuals written one file each."""
    raise PoseBridgeError(
        f"subject_id {value!r} ({given}) was given for a dataset of "
        f"{len(individuals)} individuals ({', '.join(individuals)}), which are written as "
        "one file per individual (NWB has one subject per file). Give each its subject "
        "in the metadata (subject: {<individual>: {subject_id: ...}}), or select one "
        "individual."
    )


def options_config(
    ds: xr.Dataset,
    config: Any,
    metadata: Any,
    split_individuals: bool,
    appending: bool = False,
    **flags: Any,
) -> NWBFileSaveConfig:
    """The config to write with: ``config``, then ``metadata``, then the single options.

    Checked before anything is written: text NWB cannot hold (NUL, empty or
    ``/`` in names: :func:`~posebridge.formats.nwb.metadata_checks.check_text`), and one
    ``subject_id`` (option or shared ``metadata`` value) for several
    individuals written one file each, and sections keyed by entity whose keys
    name no individual (keypoint) of the data
    (:func:`~posebridge.formats.nwb.metadata_checks.check_entities`). A shared
    ``subject_id`` in ``config`` follows movement's rule instead (each file gets its
    individual's name).
    """
    extra = as_config(metadata, "metadata")
    given = as_config(config, "config")
    merged = given.merged(extra)
    individuals = [str(i) for i in ds["individual"].values]
    keypoints = [str(k) for k in ds["keypoint"].values]
    for option, what, strict in (
        (given, source_name(config, "config"), False),  # movement's: other individuals' too
        (extra, source_name(metadata, "metadata"), True),
    ):
        check_entities(option, what, individuals, keypoints, strict)
        check_skeleton(option, what, keypoints)
    for key in TEXT_FLAGS:
        value = flags.get(key)
        if isinstance(value, str) and "\x00" in value:
            raise PoseBridgeError(
                f"{key}={value!r} holds a NUL character (\\x00), which NWB (HDF5) text "
                "cannot hold; remove it."
            )
    if split_individuals and not appending and len(individuals) > 1:
        if flags.get("subject_id") is not None:
            _refuse_shared_subject_id(flags["subject_id"], "the subject_id= option", individuals)
        shared = extra.subject_kwargs
        if not extra.is_per_entity(shared) and shared.get("subject_id") is not None:
            given = "shared in metadata's subject section"
            _refuse_shared_subject_id(shared["subject_id"], given, individuals)
    nwbfile = {
        key: flags[key]
        for key in ("session_description", "session_start_time", "session_id")
        if flags.get(key) is not None
    }
    subject = {
        key: flags[key]
        for key in ("subject_id", "species", "sex", "age")
        if flags.get(key) is not None
    }
    if nwbfile:
        merged.update("nwbfile_kwargs", nwbfile, individuals)
    if subject:
        merged.update("subject_kwargs", subject, individuals)
    return merged


def video_option(video_path: Any) -> str | None:
    """The ``video_path=`` option as text, checked (``None`` stays ``None``).

    Raises
    ------
    posebridge.errors.TypeError
        When it is not a path.
    PoseBridgeError
        When it is empty or holds a NUL character.
    """
    if video_path is None:
        return None
    if not isinstance(video_path, str | os.PathLike):
        raise errors.TypeError(
            f"video_path must be a path (str or os.PathLike) to the video, got "
            f"{video_path!r} ({type(video_path).__name__})."
        )
    video = os.fspath(video_path)
    if not isinstance(video, str):
        video = os.fsdecode(video)
    if not video.strip():
        raise PoseBridgeError(
            f"video_path is empty ({video!r}); give the video's path, or leave it out (None) "
            "to use the dataset's own video."
        )
    if "\x00" in video:
        raise PoseBridgeError(
            f"video_path {video!r} holds a NUL character (\\x00), which no path and no NWB "
            "(HDF5) text can hold; remove it."
        )
    return video


def search_option(search: Any) -> list[str | os.PathLike[str]]:
    """The ``search=`` option (a folder or a list of folders) as a list, checked.

    Raises
    ------
    posebridge.errors.TypeError
        When it is not a folder or a list or tuple of folders.
    PoseBridgeError
        When a folder holds a NUL character.
    """
    folders = [search] if isinstance(search, str | os.PathLike) else search
    if not isinstance(folders, list | tuple) or not all(
        isinstance(f, str | os.PathLike) for f in folders
    ):
        raise errors.TypeError(
            "search must be a folder or a list of folders (str or os.PathLike) to look for "
            f"relative video and image paths in, got {search!r} ({type(search).__name__})."
        )
    for folder in folders:
        if "\x00" in os.fsdecode(folder):
            raise PoseBridgeError(
                f"search folder {folder!r} holds a NUL character (\\x00), which no path can "
                "hold; remove it."
            )
    return list(folders)


def poses_video(ds: xr.Dataset, video_path: Any) -> str | None:
    """The video to link as ``source_video``: the ``video_path=`` option, else the dataset's.

    One video file is one camera's: with camera views (a ``view`` dim) the
    option is refused, and the dataset's own ``video_path`` (which cannot say
    which view it shows) is not linked, with a warning.

    Raises
    ------
    PoseBridgeError
        When ``video_path`` is given for a dataset with views (or is not a
        usable path, see :func:`video_option`).

    Examples
    --------
    >>> import numpy as np, posebridge
    >>> ds = posebridge.from_numpy(np.zeros((2, 2, 1, 1)))
    >>> poses_video(ds, None) is None
    True
    """
    given = video_option(video_path)
    views = views_of(ds)
    if views == [None]:
        return dataset_video(ds) if given is None else given
    shown = ", ".join(map(repr, views))
    if given is not None:
        raise PoseBridgeError(
            f"video_path={given!r} cannot be linked: the dataset has {len(views)} camera views "
            f"({shown}), and one video file is one camera's. Leave video_path out (the views "
            "are written without a source video), or write one view at a time with its video, "
            f"e.g. posebridge.save(ds.sel(view={views[0]!r}), ..., video_path=...)."
        )
    own = dataset_video(ds)
    if own is not None:
        warnings.warn(
            f"the dataset's video_path {own} is not linked as a source video: the dataset has "
            f"{len(views)} camera views ({shown}) and one video file is one camera's.",
            UserWarning,
            stacklevel=user_stacklevel(),
        )
    return None


def output_paths(path: Path, groups: list[list[str]]) -> list[Path]:
    """``path`` for one file, else ``<stem>_<individual><suffix>`` per individual."""
    if len(groups) == 1:
        return [path]
    suffix = path.suffix or ".nwb"
    stem = path.name[: -len(path.suffix)] if path.suffix else path.name
    names = []
    for (individual,) in groups:
        safe = re.sub(r"[^\w.-]+", "_", individual).strip("._") or "individual"
        names.append(path.with_name(f"{stem}_{safe}{suffix}"))
    if len(set(names)) < len(names):
        clash = next(name for name in names if names.count(name) > 1)
        both = [g[0] for g, name in zip(groups, names, strict=True) if name == clash]
        raise PoseBridgeError(
            f"{path}: the individuals {both} would both be written to {clash.name} "
            "(one file per individual); rename them or write one file (split_individuals=False)."
        )
    return names


#: Per process: the namespaces (name, version) of a manager -> the ``specifications``
#: hdmf cached into a file written with them: (path, value, dtype) of each dataset, in
#: order (plain data: no HDF5 object is kept open).
_CACHED_SPECS: dict[tuple[tuple[str, str], ...], list[tuple[str, Any, Any]]] = {}


def _namespaces(manager: Any) -> tuple[tuple[str, str], ...]:
    catalog = manager.namespace_catalog
    return tuple(
        sorted((str(n), str(catalog.get_namespace(n).version)) for n in catalog.namespaces)
    )


def write_nwbfile(io: Any, h5: h5py.File, nwbfile: Any) -> bool:
    """``io.write(nwbfile)``, with the specifications cached in the file as hdmf caches them.

    hdmf turns every namespace into JSON and writes it into ``/specifications``
    on each write (a good part of the time of a small file). Once a file
    written by hdmf with the same namespaces (name and version, as hdmf itself
    tells cached specs apart) has been kept by :func:`keep_specifications`,
    files are written with ``cache_spec=False`` and get a copy of its
    ``specifications`` group (its scalar string datasets, written again from
    memory) and the root attribute that points to it: the same JSON, found the
    same way.

    Returns
    -------
    bool
        Whether hdmf cached the specifications itself (then pass the finished
        file to :func:`keep_specifications`).

    Examples
    --------
    >>> with new_file("out.nwb") as h5, pynwb.NWBHDF5IO(file=h5, mode="w") as io:  # doctest: +SKIP
    ...     cached_by_hdmf = write_nwbfile(io, h5, nwbfile)
    """
    from hdmf.backends.hdf5.h5tools import SPEC_LOC_ATTR

    kept = _CACHED_SPECS.get(_namespaces(io.manager))
    if kept is None:
        io.write(nwbfile, exhaust_dci=False)
        return True
    io.write(nwbfile, exhaust_dci=False, cache_spec=False)
    group = h5.create_group("specifications")
    for name, value, dtype in kept:
        group.create_dataset(name, shape=(), data=value, dtype=dtype)
    h5.attrs[SPEC_LOC_ATTR] = group.ref
    return False


def _shape_of(value: Any) -> tuple[int, ...]:
    """The shape of a value read from HDF5 (``()`` for a scalar)."""
    return getattr(value, "shape", ())


def keep_specifications(manager: Any, path: Path) -> None:
    """Keep (in memory) the specifications of a complete file hdmf wrote, for later files.

    Read from the closed, complete file (never from one being written); a
    file without them, or that cannot be read, leaves nothing kept.

    Examples
    --------
    >>> keep_specifications(manager, Path("out.nwb"))  # doctest: +SKIP
    """
    from hdmf.backends.hdf5.h5tools import SPEC_LOC_ATTR

    key = _namespaces(manager)
    if key in _CACHED_SPECS:
        return
    datasets: list[tuple[str, Any, Any]] = []

    def collect(name: str, item: Any) -> None:
        if isinstance(item, h5py.Dataset):
            datasets.append((name, item[()], item.dtype))
        elif item.attrs.keys():
            raise ValueError("attributes on a specification group")  # not hdmf's layout

    try:
        with h5py.File(path, "r") as h5:
            location = h5.attrs.get(SPEC_LOC_ATTR)
            if location is None:
                return
            specifications = h5[location]
            if specifications.name != "/specifications" or specifications.attrs.keys():
                return
            specifications.visititems(collect)
    except (OSError, KeyError, ValueError, RuntimeError):
        return
    if any(_shape_of(value) != () for _, value, _ in datasets):
        return
    _CACHED_SPECS[key] = datasets


#: The most bytes of HDF5 chunk cache the files filled together may use (see
#: :func:`_fill_groups`): about one chunk (at most
#: :data:`~posebridge.formats.nwb.stream.FILL_CHUNK_CACHE`) per dataset being filled.
FILL_CACHE_BYTES = 64 << 20


def _cache_bytes(dataset: h5py.Dataset) -> int:
    """The bytes HDF5's chunk cache holds for ``dataset`` while it is written in pieces."""
    from posebridge.formats.nwb.stream import FILL_CHUNK_CACHE

    if dataset.chunks is None:
        return 0
    chunk = int(np.prod(dataset.chunks, dtype=np.int64)) * dataset.dtype.itemsize
    return min(chunk, FILL_CHUNK_CACHE)


def _fill_groups(pending: list[tuple[Path, list[tuple[str, Any]], int]]) -> list[list[Any]]:
    """The files to fill together: consecutive ones whose chunk caches stay within
    :data:`FILL_CACHE_BYTES` together (at least one file each)."""
    groups: list[list[Any]] = []
    held = 0
    for entry in pending:
        if not groups or held + entry[2] > FILL_CACHE_BYTES:
            groups.append([])
            held = 0
        groups[-1].append(entry)
        held += entry[2]
    return groups


def _fill_files(pending: list[tuple[Path, list[tuple[str, Any]], int]]) -> None:
    """Fill the streamed series of the written files (``(path, [(dataset name, source)],
    cache bytes)``), several files at a time: each window of the source is then
    computed once for the individuals of all of them."""
    from contextlib import ExitStack

    from posebridge.formats.nwb.stream import FILL_CHUNK_CACHE, fill_series

    for group in _fill_groups([entry for entry in pending if entry[1]]):
        with ExitStack() as files:
            series = []
            for path, sources, _ in group:
                h5 = files.enter_context(new_file(path, "r+", rdcc_nbytes=FILL_CHUNK_CACHE))
                series.extend((h5[name], source) for name, source in sources)
            fill_series(series)


def write_files(
    ds: xr.Dataset,
    path: Path,
    config: NWBFileSaveConfig,
    storage: Storage,
    *,
    overwrite: bool,
    split_individuals: bool,
    video: str | None,
) -> list[Path]:
    """Write new NWB files atomically; return their paths.

    A dataset of dask arrays is written in two steps: hdmf writes each file with
    its series' datasets empty, then they are filled together (see
    :func:`posebridge.formats.nwb.stream.fill_series`), so that each chunk of the
    source is read once for all the files' individuals.
    """
    import dataclasses

    import ndx_pose  # noqa: F401 - registers the ndx-pose types before the manager is made
    import pynwb

    from posebridge.formats.nwb.stream import streamed_in

    storage = dataclasses.replace(storage, filled_later=True)
    targets = output_paths(path, split_plan(ds, split_individuals))
    with atomic_outputs(targets, overwrite=overwrite) as temporaries:
        manager = pynwb.get_manager()
        built = iter_build(ds, config, storage, split_individuals, video, targets)
        pending: list[tuple[Path, list[tuple[str, Any]], int]] = []
        specifications_from = None
        for nwbfile, temporary, target in zip(built, temporaries, targets, strict=True):
            try:
                with (
                    new_file(temporary) as h5,
                    pynwb.NWBHDF5IO(file=h5, mode="w", manager=manager) as io,
                ):
                    cached_by_hdmf = write_nwbfile(io, h5, nwbfile)
                    streamed = streamed_in(nwbfile)
                    sources = [(data.dataset.name, data.source) for data in streamed]
                    cache = sum(_cache_bytes(data.dataset) for data in streamed)
            except (TypeError, ValueError, AttributeError) as error:
                if isinstance(error, PoseBridgeError):
                    raise
                raise FormatError(  # hdmf met a value it cannot store (metadata given)
                    target,
                    f"could not be written ({type(error).__name__}: {error}); a metadata "
                    "value of a type or shape NWB cannot hold? Nothing was written.",
                ) from error
            pending.append((temporary, sources, cache))
            if cached_by_hdmf:
                specifications_from = temporary
            manager.clear_cache()
        _fill_files(pending)
        if specifications_from is not None:  # the file is complete: its writes all succeeded
            keep_specifications(manager, specifications_from)
    return targets


def write_labels_file(
    ds: xr.Dataset,
    target: Path,
    config: NWBFileSaveConfig,
    *,
    overwrite: bool = False,
    append: bool = False,
    skeleton_name: str | None = None,
    instance_order: Any = None,
    paths_as_given: bool = False,
) -> list[Path]:
    """Write a labels dataset as ndx-pose PoseTraining: a new file, or added to one.

    ``instance_order``: the rank of each individual's instance in its frame
    (see :func:`write`); ``paths_as_given``: video and image paths written as
    the dataset gives them (``layout="sleap-io"``), not relative to the file."""
    import ndx_pose  # noqa: F401 - registers the ndx-pose types
    import pynwb

    if append:
        path = check_input(target)
        check_nwb(path)
        with updated_in_place(path, "appending labelled frames to it") as temporary:
            try:
                with (
                    new_file(temporary, "r+") as h5,
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
                        paths_as_given=paths_as_given,
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
        paths_as_given=paths_as_given,
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
        (PoseTraining) are laid out alike in both; ``"sleap-io"`` writes their
        video and image paths as the dataset gives them, as sleap-io does (its
        ``load_nwb`` takes a relative path as relative to the working folder),
        where ``"posebridge"`` writes them relative to the .nwb file, as NWB
        (nwbinspector) asks.

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
    if layout is None:
        target_file = Path(path)
        sleap_io_file = append and target_file.is_file() and holds_sleap_io_layout(target_file)
        layout = "sleap-io" if sleap_io_file and not labels.is_labels(ds) else "posebridge"
    if layout not in LAYOUTS:
        raise PoseBridgeError(f"layout must be one of {LAYOUTS}, got {layout!r}.")
    if not labels.is_labels(ds):  # a PoseEstimation with no frame reads back with no keypoint
        refuse_empty(ds, "NWB", dims=(model.TIME, model.KEYPOINT, model.INDIVIDUAL))
    else:  # a PoseTraining with no frame reads back with no individual
        refuse_empty(ds, "NWB", dims=(model.TIME,))
        # ndx-pose's training frames hold an individual only through its instances (a
        # SkeletonInstance per labelled individual and frame)
        others = [d for d in ds["position"].dims if d != model.INDIVIDUAL]
        placed = ds["position"].notnull().any(others)
        warn_individuals_not_written(
            ds,
            Path(path),
            "NWB's labelled frames (ndx-pose PoseTraining) hold an individual only through "
            "its instances",
            written=np.asarray(placed.values),
            missing="no labelled point",
        )
    refuse_bad_names(ds, "NWB", forbidden="\x00")
    refuse_nul(ds, "NWB")
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
            paths_as_given=layout == "sleap-io",
        )
    if export_frames:
        raise PoseBridgeError(
            "export_frames applies to labelled frames (a labels dataset); this dataset holds "
            "poses."
        )
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
    video = poses_video(ds, given_video)
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
