"""The NWB writer's options: metadata flags and configuration (``options_config``), the
video to link (``video_option``, ``search_option``, ``poses_video``)."""

from __future__ import annotations

import os
import warnings
from typing import Any

import xarray as xr

from posebridge import errors
from posebridge.errors import PoseBridgeError, SharedSubjectError, user_stacklevel
from posebridge.formats.nwb.build import views_of
from posebridge.formats.nwb.config import NWBFileSaveConfig
from posebridge.formats.nwb.devices import dataset_video
from posebridge.formats.nwb.metadata_checks import (
    as_config,
    check_entities,
    check_skeleton,
    source_name,
)

#: The single text options of the writer that go into the NWB metadata.
TEXT_FLAGS = ("subject_id", "species", "sex", "age", "session_description", "session_id")


def _refuse_shared_subject_id(value: Any, given: str | None, individuals: list[str]) -> None:
    """Refuse one subject_id for several individuals written one file each; ``given``
    says where it was given, ``None`` for the ``subject_id=`` option."""
    raise SharedSubjectError(
        f"subject_id {value!r} ({given or 'the subject_id= option'}) was given for a dataset "
        f"of {len(individuals)} individuals ({', '.join(individuals)}), which are written as "
        "one file per individual (NWB has one subject per file). Give each its subject "
        "in the metadata (subject: {<individual>: {subject_id: ...}}), or select one "
        "individual.",
        subject_id=value,
        individuals=individuals,
        from_option=given is None,
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
            _refuse_shared_subject_id(flags["subject_id"], None, individuals)
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


def poses_video(ds: xr.Dataset, video_path: Any, where: Any = "the NWB file") -> str | None:
    """The video to link as ``source_video``: the ``video_path=`` option, else the dataset's.

    One video file is one camera's: with camera views (a ``view`` dim) the
    option is refused, and the dataset's own ``video_path`` (which cannot say
    which view it shows) is not linked, with a warning, whether that file
    exists or not. The dataset's own ``video_path`` is linked only when that
    file exists here (nwbinspector refuses a link to a missing file);
    otherwise a warning naming ``where`` says so, and that ``video_path=``
    writes the path anyway.

    ``where``: what the warnings name, a path or text, or the list of files
    the save writes (one per individual when it is split): each is named (see
    :func:`files_written`).

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
    named = files_written(where)
    sized = bool(ds.attrs.get("video_width") or ds.attrs.get("video_height"))
    if views == [None]:
        if given is not None:
            return given
        own = dataset_video(ds)
        if own is None and ds.attrs.get("video_path"):
            _warn_video_not_found(str(ds.attrs["video_path"]), named, sized)
        return own
    shown = ", ".join(map(repr, views))
    if given is not None:
        raise PoseBridgeError(
            f"video_path={given!r} cannot be linked: the dataset has {len(views)} camera views "
            f"({shown}), and one video file is one camera's. Leave video_path out (the views "
            "are written without a source video), or write one view at a time with its video, "
            f"e.g. posebridge.save(ds.sel(view={views[0]!r}), ..., video_path=...)."
        )
    if ds.attrs.get("video_path"):
        own = dataset_video(ds)
        missing = (
            "" if own is not None else " (no such file here, nor beside the file it was read from)"
        )
        video = repr(own if own is not None else str(ds.attrs["video_path"]))
        warnings.warn(
            f"{named}: the dataset's video_path {video}{missing} is not linked as a source "
            f"video: the dataset has {len(views)} camera views ({shown}) and one video file "
            "is one camera's. Write one view at a time with its video to link it, e.g. "
            f"posebridge.save(ds.sel(view={views[0]!r}), ..., video_path=...).",
            UserWarning,
            stacklevel=user_stacklevel(),
        )
    return None


def files_written(where: Any) -> str:
    """The file(s) a save writes, for its warnings: the one path (or text) as it is, else
    each of them.

    Examples
    --------
    >>> from pathlib import Path
    >>> files_written(Path("clip.nwb"))
    'clip.nwb'
    >>> files_written([Path("clip_female.nwb"), Path("clip_male.nwb")])
    'each of the 2 files written (clip_female.nwb, clip_male.nwb)'
    >>> files_written([Path(f"c_{i}.nwb") for i in range(6)])
    'each of the 6 files written (c_0.nwb, c_1.nwb, c_2.nwb, ..., c_5.nwb)'
    """
    if not isinstance(where, list | tuple):
        return str(where)
    paths = [str(p) for p in where]
    if len(paths) == 1:
        return paths[0]
    shown = paths if len(paths) <= 4 else [*paths[:3], "...", paths[-1]]
    return f"each of the {len(paths)} files written ({', '.join(shown)})"


def _warn_video_not_found(video: str, where: str, sized: bool) -> None:
    """Warn that the dataset's own ``video_path`` is not linked: no such file here."""
    size = " (the video's size goes with it)" if sized else ""
    said = UserWarning(
        f"{where}: the dataset's video_path {video!r} is not written as its source video: "
        "no such file here (nor beside the file it was read from), and nwbinspector refuses "
        f"a link to a missing file{size}. Pass video_path= (the same path, or where the "
        "video is) to write it anyway."
    )
    wording = {"Pass video_path= (": "Pass --option video_path=PATH ("}
    warnings.warn(errors.with_command_line_wording(said, wording), stacklevel=user_stacklevel())
