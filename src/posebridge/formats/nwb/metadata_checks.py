"""Checks of the NWB writer's metadata: a config taken from what a caller gives
(:func:`as_config`), its text, types, per-entity keys and skeleton, and a session
start time, each refused with a message naming where the value came from.
"""

from __future__ import annotations

import datetime as dt
import difflib
import os
import warnings
from typing import Any

from posebridge import errors
from posebridge.errors import PoseBridgeError, user_stacklevel
from posebridge.formats.nwb.config import SECTIONS, NWBFileSaveConfig, refuse_writer_set_keys


def as_config(value: Any, what: str = "config") -> NWBFileSaveConfig:
    """A config from ``None``, a config, movement's config, a dict or a YAML path.

    Its text is checked (:func:`check_text`): messages name ``what``.
    """
    if value is None:
        return NWBFileSaveConfig()
    if isinstance(value, NWBFileSaveConfig):
        config = value.merged(NWBFileSaveConfig())
    elif isinstance(value, dict):
        config = NWBFileSaveConfig.from_dict(value, source=what)
    elif isinstance(value, str | os.PathLike):
        config = NWBFileSaveConfig.from_yaml(value)
        what = source_name(value, what)
    elif all(hasattr(value, name) for name in SECTIONS[:6]):  # movement's NWBFileSaveConfig
        config = NWBFileSaveConfig(**{name: dict(getattr(value, name)) for name in SECTIONS[:6]})
    else:
        raise errors.TypeError(
            f"{what} must be an NWBFileSaveConfig, a dict of sections or a YAML file path, "
            f"got {type(value).__name__}."
        )
    refuse_writer_set_keys(config, what)  # before its text: a Subject given is no text
    check_text(config, what)
    check_keys(config, what)
    check_types(config, what)
    return config


def check_keys(config: NWBFileSaveConfig, source: str) -> None:
    """Refuse a metadata key that the section's pynwb / ndx-pose class does not take.

    The keys a section takes are read from its class's signature (docval) at run
    time: ``subject`` takes what ``pynwb.file.Subject`` takes, ``nwbfile`` what
    ``pynwb.NWBFile`` takes, and so on. pynwb would refuse an unknown key only
    once the file is being built; this runs before anything is written.

    Parameters
    ----------
    config
        The metadata, as given in one option.
    source
        The option's name, with its YAML file (:func:`source_name`).

    Raises
    ------
    posebridge.errors.TypeError
        Naming the option, the section, the key, a close match if any, and
        the keys the section takes (an unknown keyword argument is a
        ``TypeError`` in Python, as in pynwb).

    Examples
    --------
    >>> check_keys(NWBFileSaveConfig(subject_kwargs={"spcies": "Mus musculus"}), "metadata")
    Traceback (most recent call last):
    ...
    posebridge.errors.TypeError: metadata: subject.spcies is not a key of the ...
    """
    for section in SECTIONS:
        values = getattr(config, section)
        accepted = accepted_types(section)
        if not values or not accepted:
            continue
        short = section.removesuffix("_kwargs")
        nested = NWBFileSaveConfig.is_per_entity(values)
        groups = values.items() if nested else [(None, values)]
        for entity, kwargs in groups:
            if entity in accepted:  # a field given a mapping: check_entities says so
                continue
            prefix = f"{short}.{entity}" if nested else short
            unknown = [key for key in kwargs if key not in accepted]
            if not unknown:
                continue
            key = unknown[0]
            made = _constructors()[section]
            close = difflib.get_close_matches(str(key), list(accepted), n=1)
            hint = f" Did you mean {close[0]!r}?" if close else ""
            raise errors.TypeError(
                f"{source}: {prefix}.{key} is not a key of the {short} section, which "
                f"holds the arguments of {made.__module__}.{made.__name__}.{hint} "
                f"The keys it takes: {', '.join(sorted(accepted))}."
            )


def check_entities(
    config: NWBFileSaveConfig,
    source: str,
    individuals: list[str],
    keypoints: list[str],
    strict: bool = True,
) -> None:
    """Refuse a section keyed by entity whose keys name no individual (keypoint) of the data.

    A section whose values are all mappings is read as one entry per
    individual (per keypoint for ``pose_estimation_series``); a key that names
    none (a typo, ``mouse_1`` for ``mouse1``) or a field given a mapping
    (``session_description: {text: ...}``) would be dropped without a word.

    Parameters
    ----------
    config
        The metadata, as given in one option.
    source
        The option's name, with its YAML file (:func:`source_name`).
    individuals, keypoints
        The names of the data's individuals and keypoints.
    strict
        Refuse a section none of whose keys names an individual (keypoint) of
        the data (a typo); a key beside others that do (a metadata file shared
        by the files of several animals) is warned about. ``False`` (movement's
        ``NWBFileSaveConfig``, whose entries for other individuals apply to
        none, as in movement) warns in both cases. A mapping given to a field
        of the section (``session_description: {text: ...}``) is refused either
        way.

    Raises
    ------
    PoseBridgeError
        Naming the option, the section and the key.

    Examples
    --------
    >>> config = NWBFileSaveConfig(subject_kwargs={"mouse_1": {"sex": "F"}})
    >>> check_entities(config, "metadata", ["mouse1"], ["nose"])
    Traceback (most recent call last):
    ...
    posebridge.errors.PoseBridgeError: metadata: subject is keyed by individual ...
    """
    for section in SECTIONS:
        values = getattr(config, section)
        if not NWBFileSaveConfig.is_per_entity(values):
            continue
        per_keypoint = section == "pose_estimation_series_kwargs"
        kind, names = ("keypoint", keypoints) if per_keypoint else ("individual", individuals)
        unknown = [key for key in values if key not in names]
        if not unknown:
            continue
        short = section.removesuffix("_kwargs")
        known = ", ".join(map(repr, names))
        fields = accepted_types(section)
        for key in unknown:
            if key in fields:
                wanted = "text" if fields[key] == (str,) else "a value, not a mapping"
                raise PoseBridgeError(
                    f"{source}: {short}.{key} is a mapping ({errors.brief(values[key])}), "
                    f"where NWB takes {wanted}; since every value of {short} is a mapping, "
                    f"the section is read as one entry per {kind}, and {key!r} is no {kind} "
                    f"of the data ({known}). Give {key} its value directly."
                )
        said = (
            f"{source}: {short} is keyed by {kind} (every value is a mapping), but "
            f"{', '.join(map(repr, unknown))} names no {kind} of the data ({known})"
        )
        if not strict or len(unknown) < len(values):  # others of a shared file, or movement's
            warnings.warn(
                f"{said}; its values are not used.", UserWarning, stacklevel=user_stacklevel()
            )
            continue
        raise PoseBridgeError(
            f"{said}; its values would be dropped. Use the data's {kind} names, or give "
            "values shared by all directly (not in a mapping)."
        )


def check_skeleton(config: NWBFileSaveConfig, source: str, keypoints: list[str]) -> None:
    """Refuse skeleton metadata that would contradict the data's keypoints.

    A Skeleton's ``nodes`` are the data's keypoints, in their order (the reader
    orders and names the keypoints by them): given ``nodes`` are refused. Given
    ``edges`` replace the data's edges and must be pairs of node indices.

    Parameters
    ----------
    config
        The metadata, as given in one option.
    source
        The option's name, with its YAML file (:func:`source_name`).
    keypoints
        The data's keypoints, in order.

    Raises
    ------
    PoseBridgeError
        Naming the option and the key.

    Examples
    --------
    >>> config = NWBFileSaveConfig(skeleton_kwargs={"edges": [[0, 9]]})
    >>> check_skeleton(config, "metadata", ["nose", "tail"])
    Traceback (most recent call last):
    ...
    posebridge.errors.PoseBridgeError: metadata: skeleton.edges [[0, 9]] must be pairs ...
    """
    import numpy as np

    values = config.skeleton_kwargs
    nested = NWBFileSaveConfig.is_per_entity(values)
    for entity, kwargs in values.items() if nested else [(None, values)]:
        prefix = f"skeleton.{entity}" if nested else "skeleton"
        if "nodes" in kwargs:
            raise PoseBridgeError(
                f"{source}: {prefix}.nodes cannot be given: a Skeleton's nodes are the "
                f"data's keypoints ({', '.join(map(repr, keypoints))}), in their order, and "
                "name its series. Rename or reorder the keypoints instead "
                "(ds.assign_coords(keypoint=[...]), ds.sel(keypoint=[...]))."
            )
        edges = kwargs.get("edges")
        if edges is None:
            continue
        try:
            if isinstance(edges, str | bytes | dict):
                raise TypeError
            pairs = np.asarray(edges, dtype=object).reshape(-1, 2) if len(edges) else None
            valid = pairs is None or all(
                isinstance(v, int | np.integer)
                and not isinstance(v, bool)
                and 0 <= int(v) < len(keypoints)
                for v in pairs.reshape(-1)
            )
        except (TypeError, ValueError):
            valid = False
        if not valid:
            raise PoseBridgeError(
                f"{source}: {prefix}.edges {errors.brief(edges)} must be pairs of node "
                f"indices 0..{len(keypoints) - 1}, the data's keypoints "
                f"({', '.join(map(repr, keypoints))}) in their order."
            )


def source_name(value: Any, what: str) -> str:
    """How messages name a metadata option: ``what``, with its YAML file when one.

    Examples
    --------
    >>> source_name("meta.yaml", "metadata")
    'metadata (meta.yaml)'
    """
    if isinstance(value, str | os.PathLike):
        return f"{what} ({os.fspath(value)})"
    return what


def _constructors() -> dict[str, Any]:
    """The pynwb / ndx-pose class each section's keyword arguments go to."""
    import ndx_pose
    import pynwb

    return {
        "nwbfile_kwargs": pynwb.NWBFile,
        "processing_module_kwargs": pynwb.ProcessingModule,
        "subject_kwargs": pynwb.file.Subject,
        "pose_estimation_series_kwargs": ndx_pose.PoseEstimationSeries,
        "pose_estimation_kwargs": ndx_pose.PoseEstimation,
        "skeleton_kwargs": ndx_pose.Skeleton,
        "device_kwargs": pynwb.device.Device,
        "video_kwargs": pynwb.image.ImageSeries,
    }


def accepted_types(section: str) -> dict[str, tuple[Any, ...]]:
    """The keyword arguments of a section's class and the types it accepts (docval)."""
    try:
        made = _constructors()[section]
    except ImportError:  # pragma: no cover - pynwb and ndx-pose come with NWB support
        return {}
    out = {}
    for arg in getattr(made.__init__, "__docval__", {}).get("args", []):
        kind = arg["type"]
        out[arg["name"]] = tuple(kind) if isinstance(kind, list | tuple) else (kind,)
    return out


#: Keys that take lists of text (a text is one).
TEXT_LIST_KEYS = ("experimenter", "keywords", "related_publications")


def _plain(value: Any) -> bool:
    """Whether a value holds data a YAML file gives (text, numbers, mappings), not objects."""
    if isinstance(value, str | bytes | int | float | bool | dict | dt.date):
        return True
    if isinstance(value, list | tuple):
        return any(_plain(item) for item in value)
    return False


def _takes_objects(types: tuple[Any, ...]) -> bool:
    """Whether an argument's types are pynwb / hdmf objects (or lists of them) only."""
    modules = ("pynwb", "hdmf", "ndx_pose", "abc", "collections")
    objects = [t for t in types if t not in (list, tuple)]
    return bool(types) and all(
        isinstance(t, str)  # a class named in a spec (hdmf's 'DeviceModel')
        or (isinstance(t, type) and t.__module__.split(".")[0] in modules)
        for t in objects
    )


def check_types(config: NWBFileSaveConfig, source: str) -> None:
    """Refuse metadata values of a type their NWB field cannot take, naming the key.

    A text field (``session_id``, ``lab``, a Subject's ``species``...) takes
    text, not a number or a mapping; ``experimenter``, ``keywords`` and
    ``related_publications`` take a text or a list of texts, ``was_generated_by``
    a list of [name, version] pairs; a field that takes
    NWB objects (``acquisition``, ``processing``...) takes none from metadata.
    pynwb would accept some of these and the write would fail half way.

    Parameters
    ----------
    config
        The metadata, as given in one option.
    source
        The option's name, with its YAML file (:func:`source_name`).

    Raises
    ------
    posebridge.errors.TypeError
        Naming the option, the section, the key and the value.

    Examples
    --------
    >>> given = {"lab": {"name": "X"}, "institution": "U"}  # not a section keyed by individual
    >>> check_types(NWBFileSaveConfig(nwbfile_kwargs=given), "metadata")
    Traceback (most recent call last):
    ...
    posebridge.errors.TypeError: metadata: nwbfile.lab must be text, got a mapping ...
    """
    for section in SECTIONS:
        values = getattr(config, section)
        if not values:
            continue
        types = accepted_types(section)
        short = section.removesuffix("_kwargs")
        nested = NWBFileSaveConfig.is_per_entity(values)
        groups = values.items() if nested else [(None, values)]
        for entity, kwargs in groups:
            prefix = f"{short}.{entity}" if nested else short
            for key, value in kwargs.items():
                if value is None or key not in types:
                    continue
                _check_type(f"{source}: {prefix}.{key}", key, value, types[key])


def _said(value: Any) -> str:
    """A value as a message shows it: its kind, and itself in brief."""
    kind = "a mapping" if isinstance(value, dict) else type(value).__name__
    return f"{kind} ({errors.brief(value)})"


def _check_type(where: str, key: str, value: Any, types: tuple[Any, ...]) -> None:
    """Refuse ``value`` for the argument ``key`` of accepted ``types`` (see check_types)."""
    if key in TEXT_LIST_KEYS:
        texts = isinstance(value, str) or (
            isinstance(value, list | tuple) and all(isinstance(v, str) for v in value)
        )
        if not texts:
            raise errors.TypeError(
                f"{where} must be a text or a list of texts, got {_said(value)}."
            )
    elif key == "was_generated_by":
        pairs = isinstance(value, list | tuple) and all(
            isinstance(p, list | tuple) and len(p) == 2 and all(isinstance(v, str) for v in p)
            for p in value
        )
        if not pairs:
            raise errors.TypeError(
                f"{where} must be a list of [name, version] pairs of texts (the software "
                f"that made the file), got {_said(value)}."
            )
    elif types == (str,):
        if not isinstance(value, str):
            raise errors.TypeError(
                f"{where} must be text, got {_said(value)}; quote a number in YAML to "
                "give it as text."
            )
    elif _takes_objects(types) and _plain(value):
        raise errors.TypeError(
            f"{where} takes NWB objects (pynwb), which metadata cannot give, got "
            f"{_said(value)}; leave it out and add them to the file with pynwb."
        )


def start_time(value: Any, what: str = "session_start_time") -> dt.datetime:
    """A timezone-aware session start time from a datetime, date or ISO 8601 text.

    A time without a time zone is taken as local time (as pynwb does) and given
    the local zone explicitly.

    Parameters
    ----------
    value
        A ``datetime``, a ``date``, a ``numpy.datetime64`` or ISO 8601 text.
    what
        The option's name, for messages.

    Returns
    -------
    datetime.datetime
        The time, with a time zone.

    Raises
    ------
    posebridge.errors.TypeError
        When ``value`` is none of those kinds (a number, ``False``...).
    PoseBridgeError
        When the text is not ISO 8601, or a time without time zone, taken as
        local time, falls outside the years 1 to 9999.

    Examples
    --------
    >>> start_time("2024-05-01T10:30:00+02:00").isoformat()
    '2024-05-01T10:30:00+02:00'
    >>> start_time(0)
    Traceback (most recent call last):
    ...
    posebridge.errors.TypeError: session_start_time must be a datetime, a date or ISO 8601 ...
    """
    import numpy as np

    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, dt.date):
        moment = dt.datetime(value.year, value.month, value.day)
    elif isinstance(value, str | np.datetime64):
        text = str(value).strip()
        try:
            moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            raise PoseBridgeError(
                f"{what} {value!r} is not an ISO 8601 date/time (e.g. 2024-05-01T10:30:00+02:00)."
            ) from None
    else:
        raise errors.TypeError(
            f"{what} must be a datetime, a date or ISO 8601 text (e.g. "
            f"2024-05-01T10:30:00+02:00), got {value!r} ({type(value).__name__}); leave it "
            "out (None) for the default."
        )
    if moment.tzinfo is None or moment.tzinfo.utcoffset(moment) is None:
        try:
            moment = moment.astimezone()
        except (ValueError, OverflowError):  # the local zone moves it past year 1 or 9999
            raise PoseBridgeError(
                f"{what} {value!r} has no time zone, so it is taken as local time, which "
                "moves it outside the years 1 to 9999 that dates can hold; give it a time "
                "zone (e.g. +00:00)."
            ) from None
    return moment


def _texts(value: Any, where: str, seen: set[int] | None = None) -> list[tuple[str, str]]:
    """Every text in a metadata value (nested lists, tuples and dicts) with where it is.

    A list or mapping is looked into once, wherever else it appears: YAML aliases
    share one object, and nine-fold nesting nine times in a few hundred bytes would
    be 387 million texts.
    """
    if isinstance(value, str):
        return [(where, value)]
    if isinstance(value, bytes):
        return [(where, value.decode("utf-8", "replace"))]
    if not isinstance(value, dict | list | tuple):
        return []
    seen = set() if seen is None else seen
    if id(value) in seen:
        return []
    seen.add(id(value))
    if isinstance(value, dict):
        return [t for k, v in value.items() for t in _texts(v, f"{where}.{k}", seen)]
    return [t for k, v in enumerate(value) for t in _texts(v, f"{where}[{k}]", seen)]


#: Metadata keys that name an NWB object (an HDF5 group or dataset).
NAME_KEYS = ("name",)


def check_text(config: NWBFileSaveConfig, source: str) -> None:
    """Refuse metadata text that NWB cannot hold, naming the option and the entry.

    HDF5 text cannot hold a NUL character, and an object's ``name`` is an HDF5
    link: text, not empty, without ``/`` (nor ``:``, which hdmf refuses). pynwb
    accepts some of these and the write then fails half way; this runs before
    anything is written.

    Parameters
    ----------
    config
        The metadata, as given in one option.
    source
        The option's name (``config``, ``metadata``), for messages.

    Raises
    ------
    PoseBridgeError
        Naming the option, the section, the key and the value.
    posebridge.errors.TypeError
        When a ``name`` is not text.

    Examples
    --------
    >>> check_text(NWBFileSaveConfig(device_kwargs={"name": ""}), "metadata")
    Traceback (most recent call last):
    ...
    posebridge.errors.PoseBridgeError: metadata: device.name is empty (''); ...
    """
    for section in SECTIONS:
        values = getattr(config, section)
        short = section.removesuffix("_kwargs")
        nested = NWBFileSaveConfig.is_per_entity(values)
        groups = values.items() if nested else [(None, values)]
        for entity, kwargs in groups:
            prefix = f"{short}.{entity}" if nested else short
            for key, value in kwargs.items():
                where = f"{prefix}.{key}"
                for place, text in _texts(value, where):
                    if "\x00" in text:
                        raise PoseBridgeError(
                            f"{source}: {place} holds a NUL character (\\x00) ({text!r}), "
                            "which NWB (HDF5) text cannot hold; remove it."
                        )
                if key not in NAME_KEYS or value is None:
                    continue
                if not isinstance(value, str):
                    raise errors.TypeError(
                        f"{source}: {where} must be text (the NWB object's name), got "
                        f"{value!r} ({type(value).__name__})."
                    )
                if not value.strip():
                    raise PoseBridgeError(
                        f"{source}: {where} is empty ({value!r}); an NWB object needs a "
                        "name: give one, or leave the key out for the default."
                    )
                if "/" in value:
                    raise PoseBridgeError(
                        f"{source}: {where} {value!r} holds '/', which an NWB object's name "
                        "cannot hold (it separates the parts of a path); rename it."
                    )
                if ":" in value:
                    raise PoseBridgeError(
                        f"{source}: {where} {value!r} holds ':', which pynwb (hdmf) refuses "
                        "in an NWB object's name; rename it."
                    )
