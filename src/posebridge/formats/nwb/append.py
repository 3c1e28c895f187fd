"""Append poses to an existing NWB file, all or nothing.

Appending never touches the original until the end: the file is copied to a
temporary twin in the same folder, the pose data is added to the copy with
pynwb, and the copy replaces the original in one rename. If anything fails on
the way, the copy is deleted and the original is byte-identical.
"""

from __future__ import annotations

import dataclasses
import warnings
from pathlib import Path
from typing import Any

import attrs
import h5py
import numpy as np
import xarray as xr

from posebridge import model
from posebridge._files import check_input, held_open_by_another_program, held_open_error
from posebridge._outputs import file_stamp, held_for_writing, updated_in_place
from posebridge._recorded_warnings import dropping_warnings
from posebridge.errors import (
    FormatError,
    NotHDF5Error,
    PoseBridgeError,
    SchemaError,
    user_stacklevel,
    with_command_line_wording,
)
from posebridge.formats._shared.hdf5 import new_file
from posebridge.formats.nwb.build import (
    add_poses,
    series_unit,
    views_of,
    warn_unwritten,
)
from posebridge.formats.nwb.common import (
    REFERENCE_TIME,
    parse_moment,
    reading_with_pynwb,
    rejected,
    times_origin,
)
from posebridge.formats.nwb.config import NWBFileSaveConfig
from posebridge.formats.nwb.locate import FileInfo, is_nwb
from posebridge.formats.nwb.metadata_checks import start_time
from posebridge.formats.nwb.naming import warn_suffixed_names
from posebridge.formats.nwb.storage import Storage
from posebridge.formats.nwb.subject import (
    subject_defaults,
    subject_problems,
    warn_subject_problems,
)
from posebridge.model.units import unit_name


def _poses_in(path: Path) -> tuple[list[str], list[str | None], dict[str, Any]]:
    """The individuals and camera views (``[None]``: none) whose poses the file holds,
    as posebridge reads them back (no individual when it holds no poses), and the
    attributes of their time (``time_unit``, ``fps``, and ``origin``: the moment the
    file's times count from, its ``timestamps_reference_time``), of their space
    (``space``: the names of its axes, ``x, y`` or ``x, y, z``), their keypoints
    (``keypoint``: in the order the file reads them in) and their units (``units``:
    :func:`units_held`)."""
    from posebridge.formats.nwb.locate import h5_info

    with dropping_warnings(), h5py.File(path, "r") as h5:
        return _poses_described(h5_info(h5, str(path.parent)), path)


def _poses_described(
    info: FileInfo, where: Path | str
) -> tuple[list[str], list[str | None], dict[str, Any]]:
    """:func:`_poses_in` of a file's (or an in-memory ``NWBFile``'s) description."""
    from posebridge.formats.nwb.assemble import assemble
    from posebridge.formats.nwb.combine import (
        ContainersApartError,
        describe_containers,
        select,
    )

    origin = {"origin": times_origin(info.session)}  # what the file's times count from
    if not info.containers:  # no PoseEstimation yet
        return [], [None], origin
    with dropping_warnings():
        chosen = select(info, where, None, None)
        try:
            existing = assemble(info, chosen, where, "auto")
        except ContainersApartError as error:  # the reader's advice: no append option
            raise FormatError(
                error.path,
                f"holds {len(chosen)} PoseEstimation containers that posebridge cannot read "
                "back together as individuals or camera views:\n"
                f"{describe_containers(info)}\nAn append adds poses to what the file "
                "holds, read back as one dataset, so nothing was appended and the file was "
                "left unchanged. Write the poses to a new file (this one reads container by "
                "container with posebridge.load(path, pose_estimation_key=..., "
                "processing_module_key=...), or together with combine='individuals' or "
                "combine='views').",
            ) from error
    time = {k: existing.attrs[k] for k in ("time_unit", "fps") if k in existing.attrs}
    time.update(
        origin,
        space=[str(axis) for axis in existing[model.SPACE].values],
        keypoint=[str(k) for k in existing[model.KEYPOINT].values],
        units=units_held(info),
    )
    return [str(i) for i in existing["individual"].values], views_of(existing), time


def _in_file_time(ds: xr.Dataset, path: Path | str, time: dict[str, Any]) -> xr.Dataset:
    """The dataset in the time of the file's poses: posebridge reads a file's
    individuals on one time axis, which cannot mix frame numbers and seconds.

    Frame numbers appended to a file in seconds at a frame rate take that rate
    (frames of the file's video); other mixes are refused.
    """
    ours, theirs = ds.attrs.get("time_unit"), time.get("time_unit")
    if not theirs or ours == theirs:
        return ds
    if ours == "frames" and time.get("fps"):
        return model.with_fps(ds, float(time["fps"]))
    if ours == "frames":
        raise PoseBridgeError(
            f"{path}: the file's poses are timed in seconds without a frame rate, and the "
            "dataset in frame numbers: read on one time axis, frame 3 would be 3 s. Give the "
            "dataset its frame rate (fps=...) or timestamps in seconds, or write a new file."
        )
    raise PoseBridgeError(
        f"{path}: the file's poses are timed in frame numbers, and the dataset in seconds: "
        "read on one time axis, 3 s would be frame 3. Give the dataset time in frame "
        "numbers (read it without fps), or write a new file."
    )


def refuse_other_space(ds: xr.Dataset, path: Path | str, present: list[str] | None) -> None:
    """Refuse poses of another dimensionality than the file's (2-D onto 3-D or back):
    posebridge reads a file's poses on one space axis, where 2-D series would get
    z = NaN beside the 3-D ones.

    ``present``: the file's space axes (``None``: it holds no poses).

    Examples
    --------
    >>> import numpy as np, posebridge
    >>> ds = posebridge.from_numpy(np.zeros((2, 3, 1, 1)))
    >>> refuse_other_space(ds, "a.nwb", ["x", "y", "z"])  # the same: nothing to say
    >>> refuse_other_space(ds, "a.nwb", ["x", "y"])
    Traceback (most recent call last):
    ...
    posebridge.errors.PoseBridgeError: a.nwb: the file's poses are 2-D (x, y), and the ...
    """
    ours = [str(axis) for axis in ds[model.SPACE].values]
    if not present or ours == present:
        return
    raise PoseBridgeError(
        f"{path}: the file's poses are {len(present)}-D ({', '.join(present)}), and the "
        f"dataset's {len(ours)}-D ({', '.join(ours)}): read on one space axis, 2-D and 3-D "
        "poses would mix (the 2-D ones read back with z = NaN); the file was left unchanged. "
        f"Write the {len(ours)}-D poses to a new file."
    )


def refuse_other_keypoints(ds: xr.Dataset, path: Path | str, present: list[str] | None) -> None:
    """Refuse poses with keypoints the file's poses lack: posebridge reads a file's poses
    on one keypoint axis, so the file's animals would read back with those too (NaN), a
    result changed without a word.

    ``present``: the file's keypoints (``None``: it holds no poses). The file's keypoints,
    in another order or some of them, are taken: the file reads back on its keypoints,
    in its order, the dataset's animals NaN at those they lack.

    Examples
    --------
    >>> import numpy as np, posebridge
    >>> ds = posebridge.from_numpy(np.zeros((2, 2, 2, 1)), keypoint_names=["nose", "tail"])
    >>> refuse_other_keypoints(ds, "a.nwb", ["tail", "ear", "nose"])  # the file's: taken
    >>> refuse_other_keypoints(ds, "a.nwb", ["nose", "ear"])
    Traceback (most recent call last):
    ...
    posebridge.errors.SchemaError: a.nwb: the file's poses have the keypoints nose, ear, ...
    """
    ours = [str(k) for k in ds[model.KEYPOINT].values]
    if not present or set(ours) <= set(present):
        return
    only_ours = [k for k in ours if k not in present]
    raise SchemaError(
        f"{path}: the file's poses have the keypoints {', '.join(present)}, and the "
        f"dataset's {', '.join(ours)} (the dataset's {', '.join(only_ours)} are not in the "
        "file): read on one keypoint axis, every animal of the file would read back with "
        "those too (NaN); the file was left unchanged. Give the dataset the file's "
        f"keypoints first (ds.reindex(keypoint={present!r}): NaN where it has none, its "
        "others left out), or write a new file."
    )


def units_held(info: FileInfo) -> list[str]:
    """The units of a file's (or an in-memory ``NWBFile``'s) pose series, each spelling
    once, in the order the file holds them (``[]``: it holds no poses). Reads no arrays."""
    return list(dict.fromkeys(str(s.unit) for c in info.containers for s in c.series))


def in_file_unit(
    ds: xr.Dataset, path: Path | str, held: list[str], config: NWBFileSaveConfig
) -> NWBFileSaveConfig:
    """The configuration that writes the dataset's poses in the file's own unit, as the
    file spells it; poses in another unit are refused.

    A file's poses are read into one ``position``: poses of another unit would sit
    beside the file's (metres beside pixels), and the file would read back with no
    ``space_unit``. Spellings of one unit (``"px"`` and ``"pixels"``, ``"m"`` and
    ``"metres"``) are one unit: the series are written in the file's spelling, so the
    file keeps one unit.

    Parameters
    ----------
    ds
        The poses to append.
    path
        The file (or in-memory ``NWBFile``) appended to, named in the refusal.
    held
        The units of the file's pose series (:func:`units_held`; ``[]``: none).
    config
        The writer's configuration; a unit the caller gives its series is checked too.

    Returns
    -------
    NWBFileSaveConfig
        ``config`` itself when the file holds no poses, else a copy whose series are
        written in the file's spelling of their unit.

    Raises
    ------
    PoseBridgeError
        Naming the file, both units and what to do, when the dataset's unit is not one
        of the file's.

    Examples
    --------
    >>> import numpy as np, posebridge
    >>> ds = posebridge.from_numpy(np.zeros((2, 2, 1, 1))).assign_attrs(space_unit="pixels")
    >>> in_file_unit(ds, "a.nwb", ["px"], NWBFileSaveConfig()).pose_estimation_series_kwargs
    {'unit': 'px'}
    >>> in_file_unit(ds, "a.nwb", ["m"], NWBFileSaveConfig())
    Traceback (most recent call last):
    ...
    posebridge.errors.PoseBridgeError: a.nwb: the file's poses are in 'm' (meters), ...
    """
    if not held:
        return config
    spelled = {unit_name(unit) or unit: unit for unit in reversed(held)}  # first one wins
    section = config.pose_estimation_series_kwargs
    per_keypoint = config.is_per_entity(section)
    keypoints = [str(k) for k in ds[model.KEYPOINT].values]
    written: dict[str, dict[str, Any]] = {}
    for keypoint in keypoints if per_keypoint else [None]:
        given = config.resolve("pose_estimation_series_kwargs", keypoint)
        ours = series_unit(ds, given.get("unit"), path)
        found = spelled.get(unit_name(ours) or ours)
        if found is None:
            _refuse_other_unit(ds, path, held, ours, given.get("unit") is not None)
        written[str(keypoint)] = {**given, "unit": found}
    kwargs = {**section, **written} if per_keypoint else written["None"]
    return attrs.evolve(config, pose_estimation_series_kwargs=kwargs)


def _refuse_other_unit(
    ds: xr.Dataset, path: Path | str, held: list[str], ours: str, given: bool
) -> None:
    """Refuse poses in a unit the file's poses are not in (:func:`in_file_unit`)."""

    def said(unit: str) -> str:
        known = unit_name(unit)
        return f"{unit!r}" + (f" ({known})" if known not in (None, unit) else "")

    if given:
        whose = "the series unit given (pose_estimation_series_kwargs['unit'])"
    elif ds.attrs.get("space_unit") is None:
        whose = "no space_unit, so its series would be written"
    else:
        whose = "its space_unit"
    raise PoseBridgeError(
        f"{path}: the file's poses are in {' and '.join(map(said, held))}, and the "
        f"dataset's in {said(ours)} ({whose} {ours!r}): a file's poses are read into one "
        "position, so two units would sit side by side (and no space_unit be kept); the "
        "file was left unchanged. Convert the poses to the file's unit and set "
        f"ds.attrs['space_unit'] = {held[0]!r} (or, if they are in that unit already, "
        "just set it), or write them to a new file."
    )


def keypoints_held(info: FileInfo) -> list[str] | None:
    """The keypoints of the poses a file (or an in-memory ``NWBFile``) holds, in the
    order posebridge reads them back, in any layout and module: every PoseEstimation's,
    on one keypoint axis (``None``: it holds no poses). Reads no arrays.

    Examples
    --------
    >>> import datetime as dt, numpy as np, posebridge, pynwb
    >>> from posebridge.formats.nwb.locate import object_info
    >>> nwbfile = pynwb.NWBFile("poses", "id", dt.datetime.now(dt.UTC))
    >>> keypoints_held(object_info(nwbfile)) is None
    True
    >>> ds = posebridge.from_numpy(np.zeros((2, 2, 2, 1)), keypoint_names=["nose", "tail"])
    >>> _ = add_poses(nwbfile, ds, ["id_0"], NWBFileSaveConfig(), Storage(chunked=False))
    >>> keypoints_held(object_info(nwbfile))
    ['nose', 'tail']
    """
    from posebridge.formats.nwb.combine import container_keypoints

    held = [k for container in info.containers for k in container_keypoints(container)[0]]
    return list(dict.fromkeys(held)) or None


def on_file_origin(ds: xr.Dataset, path: Path | str, origin: Any) -> xr.Dataset:
    """The dataset's times counted from the moment the file's count from.

    NWB times count from the file's ``timestamps_reference_time`` (by default
    its session start); a dataset read from another session counts them from
    its own (``attrs`` ``timestamps_reference_time``, else ``session_start_time``).
    Seconds are shifted by the difference, so the poses keep their moment (the
    frame numbers they had are kept in ``frame``), with a warning; frame numbers
    cannot be shifted by seconds and are written as they are, with a warning.
    Every append does this, in posebridge's layout and in sleap-io's.

    Parameters
    ----------
    ds
        The poses to append.
    path
        The file (or in-memory ``NWBFile``) appended to, named in the warning.
    origin
        The moment the file's times count from (a datetime; naive is local
        time), or ``None`` (nothing is shifted).

    Returns
    -------
    xarray.Dataset
        ``ds`` itself when nothing moves, else a shifted copy.

    Examples
    --------
    >>> import datetime as dt, numpy as np, posebridge, warnings
    >>> ds = posebridge.from_numpy(np.zeros((2, 2, 1, 1)), fps=10)
    >>> ds = ds.assign_attrs(session_start_time="2024-01-01T12:00:10+00:00")
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     moved = on_file_origin(ds, "a.nwb", dt.datetime(2024, 1, 1, 12, tzinfo=dt.UTC))
    >>> moved.time.values.tolist(), moved.frame.values.tolist()
    ([10.0, 10.1], [0, 1])
    """
    ours = times_origin(ds.attrs)
    if ours is None or origin is None:
        return ds
    ours, origin = _aware(ours), _aware(origin)
    if ours == origin:
        return ds
    referenced = parse_moment(ds.attrs.get(REFERENCE_TIME, "")) is not None
    key = REFERENCE_TIME if referenced else "session_start_time"
    said = (
        f"{path}: the file's times count from {origin.isoformat()} (its "
        f"timestamps_reference_time), the dataset's from {ours.isoformat()} (its {key})"
    )
    if ds.attrs.get("time_unit") == "frames":
        warnings.warn(
            f"{said}; its times are frame numbers, which cannot be moved by seconds: they "
            "are written as they are, counted from the file's time. Give the dataset its "
            "fps to keep its moment.",
            UserWarning,
            stacklevel=user_stacklevel(),
        )
        return ds
    shift = (ours - origin).total_seconds()
    frames = model.frame_numbers(ds)
    out = ds.copy()
    if frames is not None and model.FRAME not in out.coords:
        out = out.assign_coords({model.FRAME: (model.TIME, frames)})
    time = np.asarray(out[model.TIME].values, dtype=np.float64) + shift
    out = out.assign_coords({model.TIME: time})
    warnings.warn(
        f"{said}; its times are shifted by {shift:+g} s so that the poses keep their "
        "moment (frame numbers kept).",
        UserWarning,
        stacklevel=user_stacklevel(),
    )
    return out


def _aware(moment: Any) -> Any:
    """A datetime with a time zone: a naive one is local time (as pynwb takes it)."""
    return moment if moment.tzinfo is not None else moment.astimezone()


def check_nwb(path: Path) -> None:
    """Refuse a file to append to that is not a readable NWB (HDF5) file.

    Raises
    ------
    NotHDF5Error
        Naming the file, when it is not a readable HDF5 file (also an ``OSError``).
    FormatError
        Naming the file, when it is HDF5 without NWB's root attributes.
    FileInUseError
        Naming the file, when another program has it open for writing.

    Examples
    --------
    >>> check_nwb(Path("session.nwb"))  # doctest: +SKIP
    """
    try:
        with h5py.File(path, "r") as h5:
            if not is_nwb(h5):
                raise FormatError(
                    path, "is an HDF5 file but not an NWB file; cannot append pose data to it."
                )
    except OSError as error:
        if held_open_by_another_program(error):
            raise held_open_error(path, "append to it") from error
        # an OSError too, as the loaders' (and h5py's, so sleap-io's) for such a file
        raise NotHDF5Error(path, f"is not a readable NWB (HDF5) file ({error}).") from error


def _raised_loading_specifications(error: BaseException) -> bool:
    """Whether ``error`` was raised while hdmf loaded the specifications cached in a file."""
    frame = error.__traceback__
    while frame is not None:
        if frame.tb_frame.f_code.co_name == "load_namespaces":
            return True
        frame = frame.tb_next
    return False


def _cached_specifications(path: Path) -> str:
    """The namespaces cached in an NWB file, with their versions (``core 2.7.0, ...``)."""
    try:
        with h5py.File(path, "r") as h5:
            group = h5.get("specifications")
            if not isinstance(group, h5py.Group):
                return "none"
            return ", ".join(
                f"{name} {', '.join(group[name])}" if isinstance(group[name], h5py.Group) else name
                for name in group
            )
    except OSError:  # pragma: no cover - the file was opened a moment ago
        return "unreadable"


def specifications_in_conflict(
    error: BaseException, path: Path, layout: str = "posebridge", labelled: bool = False
) -> FormatError | None:
    """The refusal of an append to a file whose cached specifications pynwb cannot load.

    Some files (a sleap-io file caching ``ndx-multisubjects`` beside NWB core,
    a pre-0.4 ndx-pose file) cache specifications that conflict with those of
    the installed pynwb and ndx-pose: pynwb reads them for writing and fails
    with hdmf's raw spec message. posebridge reads such a file with its own
    reader, so the poses can be read and written again to a new file.

    Parameters
    ----------
    error
        What opening the file for writing raised.
    path
        The file appended to (not its temporary copy).
    layout
        The layout the append was in, for the suggested ``save`` call.
    labelled
        Whether labelled frames (PoseTraining) were appended, not poses.

    Returns
    -------
    FormatError or None
        The refusal, naming the file, why and what to do; ``None`` when
        ``error`` was not raised loading the file's specifications.
    """
    if not _raised_loading_specifications(error):
        return None
    import pynwb

    if labelled:
        instead = (
            "write the labelled frames to a file of their own instead, e.g. "
            "posebridge.save(ds, 'labels.nwb')"
        )
    else:
        option = ', layout="sleap-io"' if layout == "sleap-io" else ", split_individuals=False"
        instead = (
            "write its poses and the new ones to a new file instead, e.g. "
            "posebridge.save(posebridge.combine.merge_individuals("
            f"[posebridge.load({str(path)!r}), ds]), 'new.nwb'{option})"
        )
    return FormatError(
        path,
        "cannot be appended to: pynwb cannot open it for writing, because the NWB "
        f"specifications cached in it ({_cached_specifications(path)}) conflict with "
        f"those of the installed pynwb {pynwb.__version__} and ndx-pose. It can be read "
        f"(posebridge.load) but not appended to: {instead}. The file was left unchanged.",
    )


def append_file(
    ds: xr.Dataset,
    path: Path,
    config: NWBFileSaveConfig,
    storage: Storage,
    video: str | None = None,
) -> Path:
    """Add the dataset's poses to an existing NWB file, all or nothing.

    Dask arrays are written as :func:`~posebridge.formats.nwb.new_files.write_files`
    writes them: empty datasets, filled once hdmf has written the file
    (:func:`~posebridge.formats.nwb.stream.fill_series`).
    """
    import ndx_pose  # noqa: F401 - registers the ndx-pose types before the file is read

    path = check_input(path, appending=True)
    check_nwb(path)
    # another posebridge append waits its turn here, then reads what this one wrote
    with held_for_writing([path]):
        return _append_in_turn(ds, path, config, storage, video)


def _append_in_turn(
    ds: xr.Dataset, path: Path, config: NWBFileSaveConfig, storage: Storage, video: str | None
) -> Path:
    """:func:`append_file` holding the file's write lock."""
    import pynwb

    from posebridge.formats.nwb.stream import FILL_CHUNK_CACHE, fill_series, streamed_in

    stamp = file_stamp(path)  # another program's change meanwhile: refused at the end
    individuals = [str(i) for i in ds["individual"].values]
    present, _, _ = described = _poses_in(path)
    ds = _fitted(ds, path, described)
    config = in_file_unit(ds, path, described[2].get("units", []), config)
    with updated_in_place(path, "appending pose data to it", stamp) as temporary:
        try:
            with (
                new_file(temporary, "r+", rdcc_nbytes=FILL_CHUNK_CACHE) as h5,
                pynwb.NWBHDF5IO(file=h5, mode="r+") as io,
            ):
                with reading_with_pynwb():  # a file sleap-io wrote: its 0 Hz rates
                    nwbfile = io.read()
                _append_metadata(nwbfile, ds, config, individuals, present, path)
                filled = dataclasses.replace(storage, filled_later=True)
                warn_unwritten(ds, path)
                warn_suffixed_names(ds, path, individuals_named=len(individuals) > 1)
                add_poses(nwbfile, ds, individuals, config, filled, video, path, appending=True)
                io.write(nwbfile, exhaust_dci=False)
                fill_series([(data.dataset, data.source) for data in streamed_in(nwbfile)])
        except PoseBridgeError:
            raise
        except OSError as error:
            if error.errno is None:
                raise FormatError(path, f"could not append pose data ({error}).") from error
            raise  # the disk is full, the file too large, ...: atomic_outputs says so
        except Exception as error:
            refused = specifications_in_conflict(error, path)
            if refused is not None:
                raise refused from error
            raise FormatError(
                path,
                f"could not append pose data ({type(error).__name__}: {error}); "
                "the file was left unchanged.",
            ) from error
    return path


def _fitted(
    ds: xr.Dataset,
    where: Path | str,
    described: tuple[list[str], list[str | None], dict[str, Any]],
) -> xr.Dataset:
    """The dataset fitted to the poses present (:func:`_poses_in`): in their time (and
    counted from the file's moment), with their camera views and none of their
    individuals, in their space (2-D or 3-D); otherwise refused."""
    present, present_views, time = described
    refuse_other_space(ds, where, time.get("space") if present else None)
    refuse_other_keypoints(ds, where, time.get("keypoint") if present else None)
    ds = _in_file_time(ds, where, time)
    ds = on_file_origin(ds, where, time.get("origin"))
    views = views_of(ds)
    if present and present_views != views:
        _refuse_other_views(where, present_views, views)
    clash = sorted({str(i) for i in ds["individual"].values} & set(present))
    if clash:
        refused = PoseBridgeError(
            f"{where}: already holds pose data of {', '.join(map(repr, clash))}; appending "
            "them again would make the file ambiguous (two series for one animal). Rename "
            "them first, e.g. ds.assign_coords(individual=[...]), or write a new file."
        )
        # the command line cannot rename individuals: it can write another file
        wording = {
            "Rename them first, e.g. ds.assign_coords(individual=[...]), or write a new file.": (
                "Write a new file instead (leave out --append); the command line cannot "
                "rename individuals (in Python: ds.assign_coords(individual=[...]))."
            )
        }
        raise with_command_line_wording(refused, wording)
    return ds


def add_to_object(
    nwbfile: Any, ds: xr.Dataset, config: NWBFileSaveConfig, storage: Storage
) -> Any:
    """Add the dataset's poses to an in-memory ``pynwb.NWBFile`` (posebridge's layout),
    with the checks of :func:`append_file` against the poses it holds already."""
    from posebridge.formats.nwb.locate import object_info

    source = getattr(nwbfile, "container_source", None)
    where = f"the NWBFile (of {source})" if source else "the NWBFile"
    described = _poses_described(object_info(nwbfile), where)
    ds = _fitted(ds, where, described)
    config = in_file_unit(ds, where, described[2].get("units", []), config)
    individuals = [str(i) for i in ds["individual"].values]
    warn_unwritten(ds, where)
    warn_suffixed_names(ds, where, individuals_named=len(individuals) > 1)
    add_poses(nwbfile, ds, individuals, config, storage, appending=True)
    return nwbfile


def _refuse_other_views(
    path: Path | str, present: list[str | None], views: list[str | None]
) -> None:
    """Refuse to append poses whose camera views are not the file's, in the file's order."""

    def said(names: list[str | None]) -> str:
        if names == [None]:
            return "without camera views"
        return f"of the camera views {', '.join(repr(n) for n in names)}"

    if views == [None]:
        hint = "give the dataset the file's views (a 'view' dim) first, or write a new file"
    elif present == [None]:
        hint = f"append one view (e.g. ds.sel(view={views[0]!r})), or write a new file"
    else:
        hint = (
            f"select the file's views in its order first (ds.sel(view={present!r})), or "
            "write a new file"
        )
    raise PoseBridgeError(
        f"{path}: holds poses {said(present)}, and the dataset holds poses {said(views)}; "
        "the file's PoseEstimation containers are read back together, views matched by name "
        f"and order, so appending would mix two camera layouts. To append, {hint}."
    )


def _append_metadata(
    nwbfile: Any,
    ds: xr.Dataset,
    config: NWBFileSaveConfig,
    individuals: list[str],
    present: list[str],
    path: Path,
) -> None:
    """Add a Subject when the file has none and no poses; warn about options ignored.

    An NWB file has one Subject. In a file that already holds poses (``present``,
    e.g. another tool's lone ``PoseEstimation``, read as ``id_0``), a Subject
    made from the appended individual would describe those poses too, and rename
    the individual the file names after its Subject: it is not added.
    """
    import pynwb

    session = config.resolve("nwbfile_kwargs", individuals[0] if len(individuals) == 1 else None)
    if session:
        warnings.warn(
            f"appending keeps the file's session metadata; ignored: {', '.join(session)}.",
            UserWarning,
            stacklevel=user_stacklevel(),
        )
    subject = config.resolve("subject_kwargs", individuals[0] if len(individuals) == 1 else None)
    if nwbfile.subject is not None:
        if subject:
            warnings.warn(
                "appending keeps the file's Subject; ignored: " + ", ".join(subject) + ".",
                UserWarning,
                stacklevel=user_stacklevel(),
            )
        return
    if len(individuals) == 1:
        subject = {**subject_defaults(ds), **subject}
    if subject and present:
        warnings.warn(
            f"{path}: holds poses of {', '.join(map(repr, present))} and no Subject; an NWB "
            "Subject describes every animal of the file, so appending does not add one; "
            "ignored: " + ", ".join(subject) + ".",
            UserWarning,
            stacklevel=user_stacklevel(),
        )
        return
    if subject:
        if "date_of_birth" in subject:
            subject["date_of_birth"] = start_time(subject["date_of_birth"], "date_of_birth")
        warn_subject_problems(subject_problems(subject), str(path))
        try:
            nwbfile.subject = pynwb.file.Subject(**subject)
        except (TypeError, ValueError) as error:
            raise rejected(error, "NWB subject metadata rejected by pynwb") from error
