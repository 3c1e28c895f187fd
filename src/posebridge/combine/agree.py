"""Whether the inputs to put together agree: their kind, time unit, names, skeleton,
frame rate, session and video (refused, or put together with a warning)."""

from __future__ import annotations

import math
import posixpath
import warnings
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
import xarray as xr

from posebridge import errors
from posebridge.errors import PoseBridgeError, SchemaError, user_stacklevel
from posebridge.model.units import unit_name


def check_count(datasets: Sequence[xr.Dataset], sources: Sequence[str] | None) -> None:
    """Refuse no datasets, and names of the inputs that are not one per dataset.

    Something that is not a list of datasets (``None``, a single dataset, a
    generator: make it a list first) is refused with
    :class:`posebridge.errors.TypeError`.
    """
    if isinstance(datasets, xr.Dataset | str | bytes) or not isinstance(datasets, Sequence):
        raise errors.TypeError(
            "Expected 'datasets' to be a list of xarray.Dataset (one per input), got "
            f"{type(datasets).__name__}"
            + (": make the generator a list, list(...)." if _is_iterator(datasets) else ".")
        )
    if len(datasets) == 0:
        raise PoseBridgeError("no datasets were given to put together.")
    if sources is not None and len(sources) != len(datasets):
        raise PoseBridgeError(
            f"{len(sources)} source name(s) were given for {len(datasets)} datasets; give one "
            "per dataset."
        )


def _is_iterator(value: Any) -> bool:
    """Whether ``value`` is an iterator (a generator...), which can be read once."""
    return isinstance(value, Iterator)


def where(sources: Sequence[str] | None, i: int) -> str:
    return f"{sources[i]}" if sources else f"dataset {i}"


def check_alike(
    datasets: Sequence[xr.Dataset], sources: Sequence[str] | None, same: tuple[str, ...]
) -> None:
    first = datasets[0]
    for i, ds in enumerate(datasets[1:], start=1):
        for attr in ("ds_type", "time_unit", "content"):
            if ds.attrs.get(attr) != first.attrs.get(attr):
                raise SchemaError(
                    f"{where(sources, i)}: {attr} is {ds.attrs.get(attr)!r} but "
                    f"{where(sources, 0)} has {first.attrs.get(attr)!r}; the files do not "
                    "line up on time."
                )
        for dim in same:
            if (dim in ds.dims) != (dim in first.dims):
                has, lacks = (i, 0) if dim in ds.dims else (0, i)
                raise SchemaError(
                    f"{where(sources, has)} has a {dim!r} dim and {where(sources, lacks)} "
                    "has none: they cannot be merged (a 'view' dim: poses of camera views "
                    "and poses of no view)."
                )
            if dim not in first.dims:
                continue
            mine = [str(v) for v in ds[dim].values]
            theirs = [str(v) for v in first[dim].values]
            if sorted(mine) != sorted(theirs):
                raise SchemaError(
                    f"{where(sources, i)}: its {dim} names {mine} differ from "
                    f"{where(sources, 0)}'s {theirs}."
                )
        for name in ("skeleton_edges", "skeleton_symmetries"):
            mine, theirs = _pairs(ds, name), _pairs(first, name)
            if mine is not None and theirs is not None and mine != theirs:
                raise SchemaError(
                    f"{where(sources, i)}: its {name} {sorted(mine)} differ from "
                    f"{where(sources, 0)}'s {sorted(theirs)}; one dataset holds one skeleton. "
                    "Load them one by one, or give them the same edges."
                )


def _pairs(ds: xr.Dataset, name: str) -> set[tuple[str, ...]] | None:
    """The unordered pairs of ``skeleton_edges`` (or symmetries), or None without them."""
    if name not in ds:
        return None
    return {tuple(sorted(map(str, pair))) for pair in np.asarray(ds[name].values).tolist()}


def one_session(datasets: Sequence[xr.Dataset], sources: Sequence[str] | None) -> None:
    """Warn when inputs state two session starts (``session_start_time`` that differ).

    Each input's times count from its own session start; side by side on one
    time axis, a later session's poses are put at the first's moments. They are
    lined up as they are, not refused: a file written without a session start
    states the time it was written (NWB needs one), so the per-animal files of one
    session converted one by one differ too. The same moment written two ways
    (another time zone), or starts less than :data:`SESSION_START_TOLERANCE_S`
    apart (movement's per-animal files of one call), are one session; an input
    that states none says nothing.
    """
    stated = [
        (i, ds.attrs["session_start_time"])
        for i, ds in enumerate(datasets)
        if ds.attrs.get("session_start_time")
    ]
    for i, other in stated[1:]:
        first, start = stated[0]
        if not _same_moment(_moment(other), _moment(start)):
            warnings.warn(
                f"{where(sources, i)} states a session start of {other} but "
                f"{where(sources, first)} one of {start}; their times are lined up as each "
                "counts them (from its own start), and the result keeps the first's. If "
                "they were recorded in two sessions, load them one by one. (A file written "
                "without a session start states the time it was written.)",
                UserWarning,
                stacklevel=user_stacklevel(),
            )
            return


#: Session starts closer than this are one session: movement stamps each animal's NWB
#: file with the time of writing, milliseconds apart.
SESSION_START_TOLERANCE_S = 1.0


def _same_moment(one: Any, other: Any) -> bool:
    """Whether two session starts are one moment (within
    :data:`SESSION_START_TOLERANCE_S`; texts that are not ISO 8601: equal)."""
    try:
        return abs((one - other).total_seconds()) < SESSION_START_TOLERANCE_S
    except TypeError:  # a text, or a time zone on one side only
        return one == other


def _moment(text: Any) -> Any:
    """A ``session_start_time`` as a moment (its text when it is not ISO 8601)."""
    from datetime import datetime

    try:
        return datetime.fromisoformat(str(text))
    except ValueError:
        return str(text)


#: The attributes that describe the one video a dataset's poses are of.
VIDEO_ATTRS = ("video_path", "video_width", "video_height", "frame_path", "sleap_video_facts")


def path_key(path: str) -> str:
    """A video path as compared: one spelling of one path (``./a.mp4``, ``a.mp4`` and
    ``x/../a.mp4`` are one; ``\\`` separates as ``/`` does).

    Examples
    --------
    >>> path_key("./videos//a.mp4") == path_key("videos/b/../a.mp4")
    True
    """
    return posixpath.normpath(path.replace("\\", "/"))


def one_video(datasets: Sequence[xr.Dataset], sources: Sequence[str] | None) -> None:
    """Warn when inputs name different videos (``video_path`` attributes that differ):
    side by side on one time axis, they are different recordings whose frames are put
    at the same moments, and the result keeps the first's video attributes
    (:data:`VIDEO_ATTRS`). An input that names none says nothing."""
    stated = [
        (i, str(ds.attrs["video_path"]))
        for i, ds in enumerate(datasets)
        if ds.attrs.get("video_path")
    ]
    others = [(i, video) for i, video in stated[1:] if path_key(video) != path_key(stated[0][1])]
    if not others:
        return
    first, video = stated[0]
    named = ", ".join(f"{where(sources, i)} names {other!r}" for i, other in others)
    held = [name for name in VIDEO_ATTRS if name in datasets[0].attrs]
    kept = (
        f"the result keeps the video attrs of {where(sources, 0)} ({', '.join(held)})"
        if held
        else f"the result keeps the attrs of {where(sources, 0)}, which names no video"
    )
    warnings.warn(
        f"{where(sources, first)} names the video {video!r} but {named}: they are "
        f"different recordings, put side by side on one time axis, and {kept}. Camera "
        "views of one moment are "
        "stacked with posebridge.combine.stack_views (posebridge.io.load_multiview_dataset); "
        "different recordings are loaded one by one.",
        UserWarning,
        stacklevel=user_stacklevel(),
    )


#: Two frame rates within this relative difference are one rate stored two ways
#: (``30`` against ``30 * (1 + 1e-12)``); 29.97 against 30000 / 1001 are two.
FPS_RTOL = 1e-9


def one_fps(datasets: Sequence[xr.Dataset], sources: Sequence[str] | None) -> list[xr.Dataset]:
    """The inputs with one frame rate, or refused naming the two that differ.

    Two stated rates must agree within :data:`FPS_RTOL` (the first input's is kept);
    an input in frames that states none takes the others' (its frame numbers line up
    with theirs whatever the rate). Inputs in seconds all state one, as before: a
    rate missing there is refused, since frame numbers would be counted from it.
    """
    stated = [(i, float(ds.attrs["fps"])) for i, ds in enumerate(datasets) if ds.attrs.get("fps")]
    if not stated:
        return list(datasets)
    first, rate = stated[0]
    for i, other in stated[1:]:
        if not np.isclose(other, rate, rtol=FPS_RTOL, atol=0):
            raise SchemaError(
                f"{where(sources, i)} is at fps {other:g} but {where(sources, first)} at "
                f"fps {rate:g}; inputs of different frame rates do not line up on time. Load "
                "them one by one, or give them one rate (posebridge.load(..., fps=...))."
            )
    if datasets[0].attrs.get("time_unit") == "seconds" and len(stated) < len(datasets):
        lacking = next(i for i, ds in enumerate(datasets) if not ds.attrs.get("fps"))
        raise SchemaError(
            f"{where(sources, lacking)} states no fps but {where(sources, first)} is at "
            f"fps {rate:g}; inputs in seconds line up on one frame rate: state it on the "
            f"input that lacks it, posebridge.model.with_fps(ds, {rate:g}) (files: "
            f"posebridge.load([...], fps={rate:g}))."
        )
    out = []
    for ds in datasets:
        ds = ds.copy()
        ds.attrs["fps"] = rate
        out.append(ds)
    return out


#: Anipose's axis alignment (``raw = (aligned + center) @ inv(M.T)``): each attribute and
#: the value Anipose writes for it when it aligns nothing (``triangulate.py``: identity
#: ``M``, zero ``center``), which posebridge's Anipose writer writes for an absent one too.
ALIGNMENT_DEFAULTS = {
    "anipose_alignment_matrix": np.eye(3).reshape(-1),
    "anipose_alignment_center": np.zeros(3),
}


def one_frame(
    datasets: Sequence[xr.Dataset],
    sources: Sequence[str] | None,
    views: Sequence[str] | None = None,
) -> None:
    """Refuse inputs whose positions are not in one unit or one coordinate frame.

    Put together, every input's numbers are one ``position`` described by one set of
    attributes: inputs whose ``space_unit`` differ (millimetres beside metres), or whose
    Anipose axis alignments (``anipose_alignment_matrix`` / ``_center``) differ
    (positions in two coordinate frames), would give numbers that mean different things
    side by side under attributes that hold for some of them only (the first input's,
    side by side; none, as camera views). An input that states no unit, nor either
    alignment attribute, is not compared (nothing is known of it); spellings of one unit
    (``"px"``, ``"pixels"``) are one unit. An input that states one alignment attribute
    and not the other has Anipose's value for the other (:data:`ALIGNMENT_DEFAULTS`:
    Anipose writes an identity matrix and a zero center when it aligns nothing, and
    posebridge's Anipose writer writes them for an absent attribute), so a matrix alone
    is that matrix with a zero center.

    Parameters
    ----------
    datasets
        The validated inputs.
    sources
        Names of the inputs (files), for messages.
    views
        The inputs' camera view names (:func:`posebridge.combine.stack_views`), or
        ``None`` for inputs put side by side
        (:func:`posebridge.combine.merge_individuals`).

    Raises
    ------
    SchemaError
        Naming the inputs (views and their files) and each one's value.

    Examples
    --------
    >>> import numpy as np, posebridge
    >>> a = posebridge.from_numpy(np.zeros((2, 2, 1, 1))).assign_attrs(space_unit="mm")
    >>> one_frame([a, a.assign_attrs(space_unit="millimeters")], None, ["l", "r"])
    >>> one_frame([a, a.assign_attrs(space_unit="m")], None, ["l", "r"])
    Traceback (most recent call last):
    ...
    posebridge.errors.SchemaError: the camera views' positions are in different units ...
    >>> m = a.assign_attrs(anipose_alignment_matrix=np.eye(3).reshape(-1))
    >>> one_frame([m, m.assign_attrs(anipose_alignment_center=[0.0, 0, 0])], ["a.csv", "b.csv"])
    """

    def named(index: int) -> str:
        if views is None:
            return where(sources, index)
        return f"view {views[index]!r}" + (f" ({sources[index]})" if sources else "")

    what = "camera views" if views is not None else "inputs"
    if views is not None:
        together, doing = "stacked, they would be one position with no {} to say", "stacking"
    else:
        together = f"side by side, they would be one position with {where(sources, 0)}'s {{}} "
        together += "for all, wrong for some"
        doing = "merging"
    units = {
        i: ds.attrs["space_unit"] for i, ds in enumerate(datasets) if "space_unit" in ds.attrs
    }
    if len({_unit_name(unit) for unit in units.values()}) > 1:
        said = ", ".join(f"{named(i)}: {unit!r}" for i, unit in units.items())
        consequence = together.format("space_unit")
        if views is not None:
            consequence += " which numbers are in which"
        raise SchemaError(
            f"the {what}' positions are in different units ({said}): {consequence}. "
            f"Convert the {what} to one unit and set ds.attrs['space_unit'] to it (or, if "
            f"they are in one unit already, give them one name) before {doing} them."
        )
    aligned = {
        i: tuple(
            _alignment(ds.attrs.get(name, default)) for name, default in ALIGNMENT_DEFAULTS.items()
        )
        for i, ds in enumerate(datasets)
        if any(name in ds.attrs for name in ALIGNMENT_DEFAULTS)
    }
    if len(set(aligned.values())) > 1:
        said = "; ".join(
            f"{named(i)}: "
            + ", ".join(
                f"{name} {list(_shown(datasets[i], name))}"
                + ("" if name in datasets[i].attrs else " (not stated: Anipose's default)")
                for name in ALIGNMENT_DEFAULTS
            )
            for i in aligned
        )
        consequence = together.format("alignment (the way back to the cameras' frame)")
        if views is not None:
            consequence = (
                "stacked they would be one position whose alignment (the way back to the "
                "cameras' frame) is left out"
            )
        raise SchemaError(
            f"the {what}' Anipose axis alignments differ ({said}): their positions are in "
            f"different coordinate frames, and {consequence}. Bring the {what} into one "
            "frame (raw = (aligned + center) @ inv(M.T)) and give them the same "
            f"anipose_alignment_matrix / _center before {doing} them."
        )


def _unit_name(unit: Any) -> str:
    """One name for the spellings of a unit (``"px"``, ``"Pixels"`` -> ``"pixels"``)."""
    text = str(unit).strip().lower()
    return unit_name(text) or text


def _shown(ds: xr.Dataset, name: str) -> list[Any]:
    """An alignment attribute's value as the message shows it (Anipose's default when
    the attribute is absent)."""
    value = ds.attrs.get(name, ALIGNMENT_DEFAULTS[name])
    try:
        return np.asarray(value, dtype=np.float64).reshape(-1).tolist()
    except (TypeError, ValueError):
        return [value]


def _alignment(value: Any) -> tuple[Any, ...]:
    """An alignment attribute's numbers, flat, to compare (NaN equal to NaN)."""
    try:
        numbers = np.asarray(value, dtype=np.float64).reshape(-1).tolist()
    except (TypeError, ValueError):
        return (str(value),)  # not numbers: compared as text
    return tuple("nan" if math.isnan(n) else n for n in numbers)
