"""Metadata for the NWB writer: the seed-familiar ``NWBFileSaveConfig`` and its sources.

Every section holds keyword arguments for one pynwb / ndx-pose constructor, either
shared (one dict) or per entity (a dict of dicts keyed by individual name, or
by keypoint name for ``pose_estimation_series_kwargs``), as in movement.

The writer merges, later wins: the ``config`` object, then the ``metadata``
(a dict or a YAML file with the same sections, named with or without the
``_kwargs`` suffix: ``nwbfile``, ``subject``, ...), then the single options
(``subject_id=``, ``species=``, ... which the command line passes).
"""

from __future__ import annotations

import datetime as dt
import os
import warnings
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from posebridge import errors
from posebridge.errors import PoseBridgeError

SECTIONS = (
    "nwbfile_kwargs",
    "processing_module_kwargs",
    "subject_kwargs",
    "pose_estimation_series_kwargs",
    "pose_estimation_kwargs",
    "skeleton_kwargs",
    "device_kwargs",
    "video_kwargs",
)


@dataclass
class NWBFileSaveConfig:
    """Keyword arguments for the objects the NWB writer creates.

    Each attribute is a dict of keyword arguments, shared by every file /
    container, or a dict of such dicts keyed by individual (keypoint for
    ``pose_estimation_series_kwargs``).

    Attributes
    ----------
    nwbfile_kwargs
        For ``pynwb.NWBFile``: ``session_description``, ``session_start_time``
        (made timezone-aware), ``identifier`` (a new UUID by default),
        ``experimenter``, ``lab``, ``institution``, ``keywords``...
    processing_module_kwargs
        For the ``ProcessingModule`` (name ``behavior`` by default).
    subject_kwargs
        For ``pynwb.file.Subject``: ``subject_id`` (the individual's name by
        default), ``species``, ``sex``, ``age`` (ISO 8601, e.g. ``P90D``)...
    pose_estimation_series_kwargs
        For each ``PoseEstimationSeries`` (per keypoint when nested):
        ``name``, ``description``, ``reference_frame``, ``unit``,
        ``confidence_definition``, ``comments``.
    pose_estimation_kwargs
        For each ``PoseEstimation``: ``name``, ``description``, ``scorer``,
        ``source_software``, ``source_software_version``. With camera views
        the ``name`` is a prefix: ``<name>_<view>``.
    skeleton_kwargs
        For each ``Skeleton``: ``name``.
    device_kwargs
        For the camera ``Device``: ``name`` (``camera``), ``description``,
        ``manufacturer``. An existing device of that name is reused. With
        camera views there is one Device per view, named after the view; a
        given ``name`` is then a prefix (``<name>_<view>``), since one Device
        is one camera, and the other keys apply to every view's Device.
    video_kwargs
        For the external-video ``ImageSeries``: ``name``, ``description``.

    Examples
    --------
    >>> from posebridge.formats.nwb import NWBFileSaveConfig
    >>> config = NWBFileSaveConfig(
    ...     nwbfile_kwargs={"session_description": "open field", "lab": "Lab"},
    ...     subject_kwargs={"species": "Mus musculus", "sex": "M", "age": "P90D"},
    ... )
    >>> config.resolve("subject_kwargs", "mouse1")["species"]
    'Mus musculus'
    """

    nwbfile_kwargs: dict[str, Any] = field(default_factory=dict)
    processing_module_kwargs: dict[str, Any] = field(default_factory=dict)
    subject_kwargs: dict[str, Any] = field(default_factory=dict)
    pose_estimation_series_kwargs: dict[str, Any] = field(default_factory=dict)
    pose_estimation_kwargs: dict[str, Any] = field(default_factory=dict)
    skeleton_kwargs: dict[str, Any] = field(default_factory=dict)
    device_kwargs: dict[str, Any] = field(default_factory=dict)
    video_kwargs: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if value is None:
                setattr(self, f.name, {})
            elif not isinstance(value, dict):
                raise PoseBridgeError(
                    f"NWBFileSaveConfig.{f.name} must be a dict of keyword arguments, "
                    f"got {type(value).__name__}."
                )

    @staticmethod
    def is_per_entity(section: dict[str, Any]) -> bool:
        """Whether a section is keyed by entity (every value is a dict)."""
        return bool(section) and all(isinstance(v, dict) for v in section.values())

    def resolve(self, section: str, entity: str | None = None) -> dict[str, Any]:
        """The keyword arguments of ``section`` for one entity (a copy)."""
        values = getattr(self, section)
        if self.is_per_entity(values):
            return dict(values.get(entity, {})) if entity is not None else {}
        return dict(values)

    def named(self, section: str, key: str, individual: str | None, n_individuals: int) -> Any:
        """The value of a naming key (``identifier``, ``name``...) for one individual's object.

        movement's rule: in a per-individual section, the individual's value,
        else its name; a shared value applies as given when the dataset has one
        individual, and with several it would repeat in every file, so the
        individual's name is used instead; ``None`` when nothing is given (the
        caller's default applies).

        Examples
        --------
        >>> config = NWBFileSaveConfig(nwbfile_kwargs={"identifier": "subj0"})
        >>> config.named("nwbfile_kwargs", "identifier", "mouse1", 1)
        'subj0'
        >>> config.named("nwbfile_kwargs", "identifier", "mouse1", 2)
        'mouse1'
        """
        values = getattr(self, section)
        if self.is_per_entity(values):  # an individual without its own value: its name
            if individual is None:
                return None
            return values.get(individual, {}).get(key, individual)
        if key not in values:
            return None
        if n_individuals == 1 or individual is None:
            return values[key]
        return individual

    def with_identifiers(self, individuals: list[str]) -> NWBFileSaveConfig:
        """A copy whose NWB file identifiers default to the individuals' names (movement's).

        Examples
        --------
        >>> NWBFileSaveConfig().with_identifiers(["a"]).nwbfile_kwargs
        {'a': {'identifier': 'a'}}
        """
        out = self.merged(NWBFileSaveConfig())
        current = out.nwbfile_kwargs
        per = {}
        for name in individuals:
            given = out.named("nwbfile_kwargs", "identifier", name, len(individuals))
            base = dict(current.get(name, {})) if out.is_per_entity(current) else dict(current)
            base["identifier"] = given if given is not None else name
            per[name] = base
        out.nwbfile_kwargs = per
        return out

    def update(self, section: str, values: dict[str, Any], entities: list[str]) -> None:
        """Set ``values`` in ``section`` for every entity (later wins)."""
        current = getattr(self, section)
        if self.is_per_entity(current):
            for entity in entities:
                current.setdefault(entity, {}).update(values)
        else:
            current.update(values)

    def merged(self, other: NWBFileSaveConfig) -> NWBFileSaveConfig:
        """A new config: ``self`` updated by ``other`` (``other`` wins)."""
        out = NWBFileSaveConfig()
        for name in SECTIONS:
            mine, theirs = getattr(self, name), getattr(other, name)
            if self.is_per_entity(mine) and self.is_per_entity(theirs):
                combined = {k: dict(v) for k, v in mine.items()}
                for key, value in theirs.items():
                    combined.setdefault(key, {}).update(value)
            elif self.is_per_entity(mine) and theirs:
                combined = {k: {**v, **theirs} for k, v in mine.items()}
            elif self.is_per_entity(theirs) and mine:
                combined = {k: {**mine, **v} for k, v in theirs.items()}
            else:
                combined = {**mine, **theirs}
            setattr(out, name, combined)
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any], source: str = "metadata") -> NWBFileSaveConfig:
        """A config from a dict of sections (``nwbfile`` or ``nwbfile_kwargs``, ...).

        Parameters
        ----------
        data
            Sections as in the YAML metadata file.
        source
            Where the dict came from, for error messages.

        Returns
        -------
        NWBFileSaveConfig
            The config.

        Examples
        --------
        >>> NWBFileSaveConfig.from_dict({"subject": {"species": "Mus musculus"}}).subject_kwargs
        {'species': 'Mus musculus'}
        """
        if not isinstance(data, dict):
            raise PoseBridgeError(f"{source}: expected a mapping of sections, got {data!r}.")
        values: dict[str, Any] = {}
        for key, value in data.items():
            name = key if str(key).endswith("_kwargs") else f"{key}_kwargs"
            if name not in SECTIONS:
                allowed = ", ".join(s.removesuffix("_kwargs") for s in SECTIONS)
                raise PoseBridgeError(
                    f"{source}: unknown section {key!r}; the sections are {allowed}."
                )
            if value is not None and not isinstance(value, dict):
                raise PoseBridgeError(f"{source}: section {key!r} must be a mapping.")
            values[name] = dict(value or {})
        return cls(**values)

    @classmethod
    def from_yaml(cls, path: str | os.PathLike[str]) -> NWBFileSaveConfig:
        """A config from a YAML file of sections.

        Examples
        --------
        >>> config = NWBFileSaveConfig.from_yaml("session.yaml")  # doctest: +SKIP
        """
        import yaml

        from posebridge.formats._shared.text_bytes import refuse_not_utf8

        path = Path(path)
        try:
            raw = path.read_bytes()
            refuse_not_utf8(path, raw)  # UTF-16, as Windows Notepad saves, or cp1252: named
            data = yaml.load(raw.decode("utf-8"), Loader=_loader_bounding_aliases(path))
        except OSError as error:
            raise PoseBridgeError(f"{path}: cannot read the metadata file ({error}).") from error
        except yaml.YAMLError as error:
            raise PoseBridgeError(f"{path}: is not valid YAML ({error}).") from error
        except ValueError as error:  # a value PyYAML cannot construct (an int of 5000 digits)
            raise PoseBridgeError(f"{path}: {error}") from None
        except RecursionError:  # PyYAML recurses once per level of nesting
            raise PoseBridgeError(
                f"{path}: nests lists or mappings too deeply to be NWB metadata."
            ) from None
        return cls.from_dict(data or {}, source=str(path))


#: Values a metadata YAML may hold once its aliases are expanded: metadata is a few
#: hundred values; a walk of this many takes well under a second.
MAX_EXPANDED_VALUES = 100_000


def _loader_bounding_aliases(path: Path) -> type:
    """PyYAML's safe loader refusing aliases (``*name``) that expand too far.

    Nine lists of nine aliases to the list before, a few hundred bytes, are 387
    million texts once walked, and NWB metadata lists (keywords, experimenters)
    are walked. An alias is fine (one subject's fields shared by two
    individuals, ``<<: *defaults``); each composed value counts the values it
    stands for, and a document past :data:`MAX_EXPANDED_VALUES`, or an alias
    inside the value it names (an endless value), is refused naming ``path`` and
    the line.
    """
    import yaml

    class LoaderBoundingAliases(yaml.SafeLoader):
        """Counts expanded values (see :func:`_loader_bounding_aliases`)."""

        def construct_yaml_int(self, node: Any) -> Any:
            """An int, or an error naming the line and key of one Python cannot hold."""
            try:
                return super().construct_yaml_int(node)
            except ValueError as error:
                mark = node.start_mark
                raise ValueError(
                    f"line {mark.line + 1}{_key_at(mark)}: the number {node.value[:20]}... "
                    f"({len(node.value)} characters) is too large to read ({error}); "
                    "quote it to give it as text."
                ) from None

        def __init__(self, stream: Any) -> None:
            super().__init__(stream)
            self.expanded: dict[int, int] = {}  # id(node) -> values it stands for

        def compose_node(self, parent: Any, index: Any) -> Any:
            event = self.peek_event()
            if isinstance(event, yaml.events.AliasEvent):
                anchored = self.anchors.get(event.anchor)
                if anchored is not None and id(anchored) not in self.expanded:
                    raise PoseBridgeError(  # still being read: it would hold itself
                        f"{path}: line {event.start_mark.line + 1}: the alias "
                        f"*{event.anchor} stands for a list or mapping that holds it; NWB "
                        "metadata cannot be endless."
                    )
            node = super().compose_node(parent, index)
            size = self.expanded.get(id(node))
            if size is None:
                if isinstance(node, yaml.ScalarNode):
                    size = 1
                elif isinstance(node, yaml.SequenceNode):
                    size = 1 + sum(self.expanded.get(id(item), 1) for item in node.value)
                else:
                    size = 1 + sum(
                        self.expanded.get(id(key), 1) + self.expanded.get(id(value), 1)
                        for key, value in node.value
                    )
                self.expanded[id(node)] = size
            if size > MAX_EXPANDED_VALUES:
                raise PoseBridgeError(
                    f"{path}: line {event.start_mark.line + 1}: its aliases (*name) expand to "
                    f"more than {MAX_EXPANDED_VALUES:,} values, far more than NWB metadata "
                    "holds; write the values out."
                )
            return node

    LoaderBoundingAliases.add_constructor(
        "tag:yaml.org,2002:int", LoaderBoundingAliases.construct_yaml_int
    )
    return LoaderBoundingAliases


def _key_at(mark: Any) -> str:
    """`` (key 'name')`` when the YAML line at ``mark`` reads ``name: value``, else ``''``."""
    import re

    buffer = getattr(mark, "buffer", None)
    if not isinstance(buffer, str):
        return ""
    start = buffer.rfind("\n", 0, mark.index) + 1
    found = re.match(r"\s*(?:-\s+)?([^:#{}\[\],]+?)\s*:\s", buffer[start : mark.index + 1])
    return f" (key {found.group(1)!r})" if found else ""


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
    check_text(config, what)
    check_types(config, what)
    return config


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
            warnings.warn(f"{said}; its values are not used.", UserWarning, stacklevel=4)
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
