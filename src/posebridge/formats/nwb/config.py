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

import os
from pathlib import Path
from typing import Any

import attrs

from posebridge import errors
from posebridge.errors import PoseBridgeError, brief

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

#: The keys of each section that the writer sets itself, as movement's ``NWBFileSaveConfig``
#: says ("cannot be overwritten"), with what to give instead. movement raises
#: ``TypeError`` for each (``got multiple values for keyword argument``; ``ValueError``
#: for a series' ``rate`` / ``starting_time``, which pynwb refuses beside timestamps).
WRITER_SET_KEYS: dict[str, dict[str, str]] = {
    "nwbfile_kwargs": {
        "subject": "the writer makes the file's Subject from subject_kwargs (the subject "
        "section): give its fields (subject_id, species, sex, age, ...) there",
    },
    "skeleton_kwargs": {
        "subject": "the writer links the file's Subject, made from subject_kwargs (the "
        "subject section): give its fields (subject_id, species, ...) there",
    },
    "pose_estimation_series_kwargs": {
        "data": "the writer sets it from the dataset's position",
        "confidence": "the writer sets it from the dataset's confidence",
        "timestamps": "the writer sets the series' times from the dataset's time",
        "rate": "the writer sets the series' times from the dataset's time (and fps)",
        "starting_time": "the writer sets the series' times from the dataset's time",
    },
    "pose_estimation_kwargs": {
        "pose_estimation_series": "the writer makes one series per keypoint of the dataset",
        "skeleton": "the writer makes the Skeleton from the dataset's keypoints; name it "
        "with skeleton_kwargs (the skeleton section)",
    },
}


def refuse_writer_set_keys(config: NWBFileSaveConfig, source: str) -> None:
    """Refuse a key the writer sets itself (:data:`WRITER_SET_KEYS`), as movement does.

    Given, it would be replaced without a word (an ``NWBFile``'s ``subject``) or
    make a file pynwb cannot write (a Skeleton's ``subject`` that is not the
    file's). Shared sections and each entity's entries are checked.

    Parameters
    ----------
    config
        The metadata, as given in one option.
    source
        Where it came from (``config``, ``metadata``, a YAML file), for the message.

    Raises
    ------
    posebridge.errors.TypeError
        Naming the section, the key and what to give instead (a ``TypeError``
        as movement raises, and a ``PoseBridgeError``).

    Examples
    --------
    >>> refuse_writer_set_keys(NWBFileSaveConfig(nwbfile_kwargs={"subject": None}), "config")
    Traceback (most recent call last):
    ...
    posebridge.errors.TypeError: config: the nwbfile section (nwbfile_kwargs) cannot give ...
    """
    for section, refused in WRITER_SET_KEYS.items():
        values = getattr(config, section)
        nested = NWBFileSaveConfig.is_per_entity(values)
        groups = values.items() if nested else [(None, values)]
        for entity, kwargs in groups:
            given = [key for key in kwargs if key in refused]
            if not given:
                continue
            key = given[0]
            whose = f"[{entity!r}]" if nested else ""
            short = section.removesuffix("_kwargs")
            raise errors.TypeError(
                f"{source}: the {short} section ({section}{whose}) cannot give {key!r}: "
                f"{refused[key]}. Remove {key!r} from it."
            )


def _none_as_empty(value: Any) -> Any:
    """``None`` as an empty section (``NWBFileSaveConfig(subject_kwargs=None)``).

    Examples
    --------
    >>> _none_as_empty(None), _none_as_empty({"lab": "L"})
    ({}, {'lab': 'L'})
    """
    return {} if value is None else value


def _refuse_not_dict(instance: Any, attribute: attrs.Attribute, value: Any) -> None:
    """Refuse a section that is not a dict, naming it (at creation, ``attrs.evolve`` and
    assignment alike).

    movement's converter turns such a value into ``{}`` without a word, dropping
    what the user meant to write; posebridge says so instead.

    Examples
    --------
    >>> NWBFileSaveConfig(subject_kwargs=["Mus musculus"])
    Traceback (most recent call last):
    ...
    posebridge.errors.TypeError: NWBFileSaveConfig.subject_kwargs must be a dict of ...
    """
    if not isinstance(value, dict):
        raise errors.TypeError(
            f"NWBFileSaveConfig.{attribute.name} must be a dict of keyword arguments "
            f"(or a dict of such dicts keyed by name), got {type(value).__name__} "
            f"{brief(value)}."
        )


@attrs.define(slots=True, eq=True)
class NWBFileSaveConfig:
    """Keyword arguments for the objects the NWB writer creates.

    Each attribute is a dict of keyword arguments, shared by every file /
    container, or a dict of such dicts keyed by individual (keypoint for
    ``pose_estimation_series_kwargs``).

    An attrs class, as movement's (movement's six sections, with the same
    names and ``{}`` defaults, and ``device_kwargs`` / ``video_kwargs``):
    ``attrs.evolve``, ``attrs.asdict`` and ``attrs.fields`` work on it, and
    an unknown attribute (``config.subject_kwarg = ...``) is refused with
    ``AttributeError``. A section given as ``None`` is ``{}``; one that is not
    a dict is refused with a ``posebridge.errors.TypeError`` (at creation, in
    ``attrs.evolve`` and on assignment), where movement's silently makes it ``{}``.

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
        ``manufacturer`` (written in a ``DeviceModel`` the Device links, as
        pynwb wants it now). An existing device of that name is reused. With
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
    >>> import attrs
    >>> attrs.evolve(config, subject_kwargs={"species": "Rattus norvegicus"}).subject_kwargs
    {'species': 'Rattus norvegicus'}
    >>> attrs.asdict(config)["nwbfile_kwargs"]["lab"]
    'Lab'
    """

    nwbfile_kwargs: dict[str, Any] = attrs.field(
        factory=dict, converter=_none_as_empty, validator=_refuse_not_dict
    )
    processing_module_kwargs: dict[str, Any] = attrs.field(
        factory=dict, converter=_none_as_empty, validator=_refuse_not_dict
    )
    subject_kwargs: dict[str, Any] = attrs.field(
        factory=dict, converter=_none_as_empty, validator=_refuse_not_dict
    )
    pose_estimation_series_kwargs: dict[str, Any] = attrs.field(
        factory=dict, converter=_none_as_empty, validator=_refuse_not_dict
    )
    pose_estimation_kwargs: dict[str, Any] = attrs.field(
        factory=dict, converter=_none_as_empty, validator=_refuse_not_dict
    )
    skeleton_kwargs: dict[str, Any] = attrs.field(
        factory=dict, converter=_none_as_empty, validator=_refuse_not_dict
    )
    device_kwargs: dict[str, Any] = attrs.field(
        factory=dict, converter=_none_as_empty, validator=_refuse_not_dict
    )
    video_kwargs: dict[str, Any] = attrs.field(
        factory=dict, converter=_none_as_empty, validator=_refuse_not_dict
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
            raise PoseBridgeError(
                f"{source}: expected a mapping of sections, got {_described(data)}."
            )
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


def _described(value: Any) -> str:
    """What a value is, in a few words: its kind, size and start, never all of it.

    A mistyped ``--metadata session.csv`` is read as one text of the whole file.

    Examples
    --------
    >>> _described([f"item{i}" for i in range(2000)])
    "a list of 2,000 items (['item0', 'item1', 'item2', 'item3', 'item4', 'item5', ...])"
    >>> _described("abc")
    "a text of 3 characters ('abc')"
    """
    if isinstance(value, str):
        return f"a text of {len(value):,} characters ({brief(value)})"
    if isinstance(value, list):
        return f"a list of {len(value):,} items ({brief(value)})"
    return f"{type(value).__name__} {brief(value)}"


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
