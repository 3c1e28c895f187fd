"""Which PoseEstimation container is which: the views and individuals of a file.

With the default keys every PoseEstimation in the file is taken (:func:`select`
picks others). When there are several, none is dropped silently
(:func:`arrange`):

* containers that posebridge tagged with a view (``[posebridge view j/m: name]``
  in the description, see :func:`~posebridge.formats.nwb.common.view_tag`) become
  that view, in the tags' order, even when there is one;
* containers that look like one camera each (a different linked Device each, or
  names such as ``PoseEstimationLeftCamera`` / ``LeftCamera``) become views: a
  ``view`` dim, as movement's ``load_multiview_dataset`` makes;
* the others (sleap-io's ``track=<name>``, posebridge's ``PoseEstimation_<name>``,
  several animals seen by one camera) become individuals;
* when neither rule separates them (two containers would land on the same
  individual and view) the error lists every container and how to pick one.

Containers that posebridge tagged (``[posebridge individual i/n: name]``) come in
their ranks' order, after the untagged ones (another tool's, in a file posebridge
appended to), which keep the file's order and the names they are read with
without posebridge's (a lone ``PoseEstimation`` stays its subject id, or ``id_0``).
sleap-io's untagged ``track=<name>`` containers, which HDF5 lists by name, come with
the numbers in their names in order (``track=2`` before ``track=10``), beside tagged
ones posebridge appended too; sleap-io's
``track=untracked`` (instances without a track) is the individual ``untracked_0``, and a
track named like it (``track=untracked_0``) the individual ``untracked_0_``, so that it
stays a track.
``combine="individuals"`` or ``combine="views"`` forces one reading.

Names: a series is a keypoint named after the series (:func:`container_keypoints`).
The Skeleton's nodes (or the 0.1 ``nodes`` dataset) give the keypoint order and
the original names (a ``/`` or ``:`` in a name cannot be in an NWB object's
name). dlc2nwb's ``ind1_<bodypart>`` series lose their individual prefix
(:func:`individual_prefix`), which names the individual. Otherwise an individual
is named by its track (``track=<name>``), by its container name without the
``PoseEstimation`` prefix, or, for a single container, by the file's subject id
(``id_0`` without one).

Nothing here reads an array: :mod:`~posebridge.formats.nwb.assemble` reads them
into place.
"""

from __future__ import annotations

import os
import re
import warnings
from typing import Any

from posebridge.errors import FormatError, KeyNotFoundError, SeveralVideosError, user_stacklevel
from posebridge.formats._shared.untracked import (
    is_untracked_name,
    untracked_name,
    with_untracked_names,
)
from posebridge.formats.nwb.common import (
    _INDIVIDUAL_TAG_RE,
    _VIEW_TAG_RE,
    DEFAULT_CONTAINER,
    DEFAULT_MODULE,
    NAMES_MARKER,
    container_name,
    object_name,
    parse_individual_tag,
    parse_keypoint_tag,
    parse_view_tag,
    unique_names,
    unique_names_in_order,
)
from posebridge.formats.nwb.locate import Container, FileInfo, Series

COMBINE_CHOICES = ("auto", "individuals", "views")


_TRACK_RE = re.compile(r"^track=(.+)$")

#: The track name sleap-io's NWB writer gives instances without a track (``track=untracked``).
SLEAP_IO_UNTRACKED = "untracked"


_CAMERA_RE = re.compile(r"cam(era)?", re.IGNORECASE)


_INDIVIDUAL_PREFIX_RE = re.compile(
    r"(ind|individual|animal|mouse|rat|fly|id|track|subject)[_-]?\d+", re.IGNORECASE
)


def describe_containers(info: FileInfo) -> str:
    """One line per container: path, series count, shape."""
    lines = []
    several = len({c.source for c in info.containers}) > 1
    for c in info.containers:
        shape = c.series[0].shape if c.series else ()
        where = f"{os.path.basename(c.source)}:{c.path}" if several else c.path
        lines.append(f"  {where} ({len(c.series)} series, data {shape})")
    return "\n".join(lines)


class ContainersApartError(FormatError):
    """A file's PoseEstimation containers cannot be read together, as individuals or
    camera views (a reader option picks one, or forces a reading)."""


#: The end of the refusal of a file with labelled frames only, which a caller with
#: other means of reading them (the sleap-io drop-in) replaces with its own.
TRAINING_ONLY_ADVICE = (
    "Read the labelled frames with content='labels' (posebridge.load's default for such a "
    "file) or posebridge.formats.nwb.load_nwb_labels."
)


def select(
    info: FileInfo, path: Any, module_key: str | None, container_key: str | None
) -> list[Container]:
    """The containers asked for by ``processing_module_key`` / ``pose_estimation_key``
    (``None``: not given; neither given, every container).

    A container key picks containers of that name (or path), those of the
    default module first when the module is not given; a module key keeps
    that module's. A file without them raises
    :class:`~posebridge.errors.KeyNotFoundError`, a :class:`FormatError` that
    is also a ``KeyError`` (what movement raises).
    """
    found = info.containers
    if not found:
        if info.training:
            raise KeyNotFoundError(
                path,
                "holds ndx-pose PoseTraining (labelled frames: "
                f"{', '.join(info.training)}) and no PoseEstimation (poses). "
                + TRAINING_ONLY_ADVICE,
            )
        modules = ", ".join(info.modules) or "none"
        raise KeyNotFoundError(
            path,
            "is an NWB file but holds no ndx-pose PoseEstimation container (processing "
            f"modules: {modules}). Expected pose data written with ndx-pose.",
        )
    chosen = list(found)
    if container_key is not None:
        if "/" in container_key:
            chosen = [c for c in chosen if c.path == container_key.strip("/")]
        else:
            chosen = [c for c in chosen if c.name == container_key]
        if len(chosen) > 1 and module_key is None:
            in_default = [c for c in chosen if c.module == DEFAULT_MODULE]
            chosen = in_default or chosen
    if module_key is not None:
        chosen = [c for c in chosen if c.module == module_key]
    if not chosen:
        named = f"named {container_key!r} " if container_key is not None else ""
        module = f"in processing module {module_key!r}" if module_key is not None else "in any"
        raise KeyNotFoundError(
            path,
            f"has no PoseEstimation {named}{module}. The file holds:\n"
            f"{describe_containers(info)}\n"
            "Pass pose_estimation_key= (and processing_module_key=) naming one of them.",
        )
    return chosen


def sleap_io_video_modules(chosen: list[Container]) -> list[str]:
    """The sleap-io video modules (``SLEAP_VIDEO_<iii>_<stem>``, one per video) whose
    ``track=<name>`` containers are among ``chosen``, in the file's order.

    Examples
    --------
    >>> from posebridge.formats.nwb.locate import Container
    >>> found = [
    ...     Container(f"processing/{m}/track=a", m, "track=a")
    ...     for m in ("SLEAP_VIDEO_000_a", "SLEAP_VIDEO_001_b", "behavior")
    ... ]
    >>> sleap_io_video_modules(found)
    ['SLEAP_VIDEO_000_a', 'SLEAP_VIDEO_001_b']
    """
    return list(
        dict.fromkeys(
            c.module
            for c in chosen
            if c.module.startswith("SLEAP_VIDEO_") and _TRACK_RE.match(c.name)
        )
    )


def refuse_several_videos(chosen: list[Container], combine: str, path: Any) -> None:
    """Refuse to read the poses of several sleap-io videos as one dataset unless asked.

    sleap-io writes one processing module and one camera Device per video of a
    SLEAP project; its videos are as often separate recordings as cameras of one,
    so reading them as camera views (their different Devices) would put frames
    of different recordings side by side and keep no video's path. As for an
    ``.slp`` file of several videos, the error lists them (module and video) and
    says how to read one (``processing_module_key=``), each
    (:func:`~posebridge.formats.nwb.read.read_all_videos`) or, when they are
    cameras of one recording, all as views (``combine="views"``).

    Examples
    --------
    >>> from posebridge.formats.nwb.locate import Container
    >>> found = [
    ...     Container(f"processing/{m}/track=a", m, "track=a")
    ...     for m in ("SLEAP_VIDEO_000_a", "SLEAP_VIDEO_001_b")
    ... ]
    >>> refuse_several_videos(found, "views", "s.nwb")  # asked for: nothing to say
    >>> refuse_several_videos(found, "auto", "s.nwb")
    Traceback (most recent call last):
    ...
    posebridge.errors.SeveralVideosError: s.nwb: holds poses of 2 videos in sleap-io's layout ...
    """
    modules = sleap_io_video_modules(chosen)
    if combine != "auto" or len(modules) < 2:
        return
    videos = {c.module: c.video_paths[0] for c in reversed(chosen) if c.video_paths}
    listing = "; ".join(f"{m}: {videos.get(m, '(no video named)')}" for m in modules)
    raise SeveralVideosError(
        path,
        f"holds poses of {len(modules)} videos in sleap-io's layout (one processing module "
        f"each: {listing}).",
        "A dataset holds one video: pass processing_module_key= to read "
        f"one, e.g. processing_module_key={modules[0]!r}, use "
        "posebridge.formats.nwb.read_all_videos(path) for one dataset per video (then "
        "posebridge.combine.stack_views(datasets, views) if the videos are camera views of one "
        "recording).",
        option="processing_module_key",
        example=modules[0],
    )


def individual_prefix(container: Container) -> str | None:
    """The ``<individual>_`` prefix of every series name, when it names an individual.

    It does when it looks like one (dlc2nwb's ``ind1_``, ``mouse2_``), when every
    series' description says ``individual <prefix>``, when the container is named
    after it (``PoseEstimation_mouseA`` holding ``mouseA_nose``), or when the
    Skeleton's nodes are the series names without it (``nose`` for ``mouseA_nose``:
    the nodes are the body parts).
    """
    names = [s.name for s in container.series]
    if not names or any("_" not in n for n in names):
        return None
    if _TRACK_RE.match(container.name) or parse_individual_tag(container.description):
        return None  # sleap-io's and posebridge's containers: their series are the keypoints
    prefix = names[0].split("_", 1)[0]
    if not prefix or any(not n.startswith(prefix + "_") or n == prefix + "_" for n in names):
        return None
    described = all(f"individual {prefix}" in s.description for s in container.series)
    if described or _INDIVIDUAL_PREFIX_RE.fullmatch(prefix):
        return prefix
    nodes = set(container.nodes or [])
    if nodes:  # the Skeleton says what the body parts are called
        parts = {n[len(prefix) + 1 :] for n in names}
        return prefix if parts <= nodes and not set(names) <= nodes else None
    return prefix if prefix in re.split(r"[\W_]+", container.name) else None


def container_keypoints(container: Container) -> tuple[list[str], list[Series]]:
    """Keypoint names and their series, in the skeleton's order.

    A series whose description ends with a keypoint tag is that keypoint's. The
    others are found by the names posebridge gives: with the names marker
    (:data:`~posebridge.formats.nwb.common.NAMES_MARKER`) a name NWB can hold kept
    its series; without it, the suffixes went in order of the keypoints, as
    posebridge wrote them before (its files then tagged only the series that the
    metadata named, and the files written since tag every series named otherwise).
    Then another writer's names, node by node, and NeuroConv's spelling.
    """
    prefix = individual_prefix(container)

    def strip(name: str) -> str:
        return name[len(prefix) + 1 :] if prefix and name.startswith(prefix + "_") else name

    nodes = [strip(node) for node in container.nodes or []]
    found: dict[str, Series] = {}  # node -> its series
    for series in container.series:  # named otherwise (metadata, or a suffix): tagged
        tagged = parse_keypoint_tag(series.description)
        if tagged is not None and tagged in nodes and tagged not in found:
            found[tagged] = series
    taken = {id(s) for s in found.values()}
    by_name = {strip(s.name): s for s in container.series if id(s) not in taken}
    untagged = [k for k, node in enumerate(nodes) if node not in found]
    kept = any(NAMES_MARKER in (s.comments or "") for s in container.series)
    rule = unique_names if kept else unique_names_in_order
    written = rule(nodes, container_name)  # posebridge's series names, in order
    keys = [written[k] for k in untagged]
    used: set[str] = set()
    if untagged and len(set(keys)) == len(keys) and set(keys) <= set(by_name):
        found.update((nodes[k], by_name[key]) for k, key in zip(untagged, keys, strict=True))
        used = set(keys)
    for k in untagged if not used else []:  # another writer's names: node by node
        node = nodes[k]
        key = next(
            (name for name in (node, object_name(node), container_name(node)) if name in by_name),
            "",
        )
        if key in by_name and key not in used:
            found[node] = by_name[key]
            used.add(key)
    ordered = [(node, found[node]) for node in nodes if node in found]
    if nodes and not ordered:  # NeuroConv's PoseEstimationSeries<Node> names
        ordered, used = _series_by_spelling(nodes, by_name)
    ordered += [(name, s) for name, s in by_name.items() if name not in used]
    return [name for name, _ in ordered], [s for _, s in ordered]


#: NeuroConv names each series ``PoseEstimationSeries`` + its body part respelled
#: (``left_ear`` -> ``LeftEar``, ``Left_ear``, ``Left-ear`` or ``left_ear``, by interface).
_SERIES_PREFIX = "PoseEstimationSeries"


def _spelling(name: str) -> str:
    """A name without case and separators: ``left_ear``, ``LeftEar`` -> ``leftear``."""
    return re.sub(r"[\W_]+", "", name).casefold()


def _series_by_spelling(
    nodes: list[str], by_name: dict[str, Series]
) -> tuple[list[tuple[str, Series]], set[str]]:
    """Nodes matched to series named ``PoseEstimationSeries<node respelled>``.

    Only a one-to-one match of every node counts (the Skeleton's nodes are the
    body parts its series stand for, as ndx-pose defines them); otherwise no
    match, and the series keep their own names.
    """
    keys: dict[str, str] = {}
    for name in by_name:
        bare = name.removeprefix(_SERIES_PREFIX)
        if bare:
            keys.setdefault(_spelling(bare), name)
    spelled = [_spelling(node) for node in nodes]
    matched = [keys.get(key) for key in spelled]
    if (
        any(name is None for name in matched)
        or len(set(spelled)) != len(spelled)
        or len(keys) != len(by_name)
    ):
        return [], set()
    return [(node, by_name[str(name)]) for node, name in zip(nodes, matched, strict=True)], {
        str(name) for name in matched
    }


def _view_key(container: Container) -> str | None:
    if len(container.devices) == 1:
        return container.devices[0]
    if _CAMERA_RE.search(container.name):
        stripped = container.name.removeprefix(DEFAULT_CONTAINER).strip("_- ")
        return stripped or container.name
    return None


def _own_name(container: Container) -> str | None:
    """The individual a container names itself after, if any."""
    tag = parse_individual_tag(container.description)
    if tag:
        return tag[1]
    track = _TRACK_RE.match(container.name)
    if track:
        if track.group(1) == SLEAP_IO_UNTRACKED:  # sleap-io's container of untracked instances
            return untracked_name(0)
        return track.group(1)
    return individual_prefix(container)


def _holds_untracked(container: Container) -> bool:
    """Whether a container is sleap-io's ``track=untracked`` (instances without a track)."""
    track = _TRACK_RE.match(container.name)
    return (
        track is not None
        and track.group(1) == SLEAP_IO_UNTRACKED
        and parse_individual_tag(container.description) is None
    )


def _sleap_io_track_names(chosen: list[Container], names: list[str], path: Any) -> list[str]:
    """``names`` with sleap-io's tracks kept apart from its untracked instances.

    An untagged ``track=<name>`` named like untracked instances (another tool's
    ``untracked_0``) becomes ``untracked_0_``, so that it stays a track; sleap-io's
    ``track=untracked`` holds the untracked ones (:func:`with_untracked_names`).
    Containers posebridge tagged keep their names.
    """
    sleap_io = [
        k
        for k, c in enumerate(chosen)
        if _TRACK_RE.match(c.name) and parse_individual_tag(c.description) is None
    ]
    holders = [k for k in sleap_io if _holds_untracked(chosen[k])][:1]
    tracks = [k for k in sleap_io if k not in holders]
    if not holders and not any(is_untracked_name(names[k]) for k in tracks):
        return names
    given = with_untracked_names([names[k] for k in tracks], len(holders), path)
    names = list(names)
    for k, name in zip([*tracks, *holders], given, strict=True):
        names[k] = name
    return names


def _natural_key(name: str) -> list[Any]:
    """Sort key putting ``track=2`` before ``track=10`` (digits compared as numbers)."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", name)]


def _distrust_forged_view_tags(chosen: list[Container], path: Any) -> None:
    """Drop the posebridge view tags of ``chosen`` when they contradict each other.

    posebridge writes ``[posebridge view j/m: name]`` into the description of
    each PoseEstimation of a dataset with views. Tags whose rank falls outside
    1..m, or that give one view two ranks or one rank two views, are not
    trusted; the containers are then read as untagged ones (views from their
    devices or names), with a warning.
    """
    tagged = [(c, t) for c in chosen if (t := parse_view_tag(c.description))]
    if not tagged:
        return
    pairs = {(rank, name) for _, (rank, _, name) in tagged}
    consistent = all(0 <= rank < count for _, (rank, count, _) in tagged) and (
        len(pairs) == len({name for _, name in pairs}) == len({rank for rank, _ in pairs})
    )
    if consistent:
        return
    warnings.warn(
        f"{path}: the posebridge view tags in the PoseEstimation descriptions contradict "
        "each other (a rank outside 1..m, or one view with two ranks); they are ignored.",
        UserWarning,
        stacklevel=user_stacklevel(),
    )
    for container, _ in tagged:
        description = container.description or ""
        individual = _INDIVIDUAL_TAG_RE.search(description)
        head = description[: individual.start()] if individual else description
        tail = description[individual.start() :] if individual else ""
        head = head.rstrip()
        found = _VIEW_TAG_RE.search(head)
        head = head[: found.start()].rstrip() if found else head
        container.description = f"{head} {tail}".strip()


def _distrust_forged_tags(chosen: list[Container], path: Any) -> None:
    """Drop the posebridge individual tags of ``chosen`` when they contradict each other.

    posebridge writes ``[posebridge individual i/n: name]`` into each
    PoseEstimation's description. Anyone can write that text: tags whose rank
    falls outside 1..n, that give two containers of one view (the same view
    tag, else the same camera: see :func:`_view_key`) one individual, or one
    individual two ranks, are not trusted (ranks and counts may repeat: files
    appended to by earlier versions, which restarted at 1/1, and sleap-io's
    layout with a track in several videos); the containers are then named and
    ordered as untagged ones, with a warning.
    """
    _distrust_forged_view_tags(chosen, path)
    found = [(c, _INDIVIDUAL_TAG_RE.search(c.description or "")) for c in chosen]
    tagged = [(c, m) for c, m in found if m]
    if not tagged:
        return
    views = [  # the view tag's, else the camera's (device, or camera-like name)
        (view[2] if (view := parse_view_tag(c.description)) else _view_key(c)) for c, _ in tagged
    ]
    cells = [(m.group(3), view) for (_, m), view in zip(tagged, views, strict=True)]
    ranks = {(m.group(3), m.group(1)) for _, m in tagged}
    consistent = (
        len(set(cells)) == len(cells)
        and len(ranks) == len({name for name, _ in ranks})
        and all(1 <= int(m.group(1)) <= int(m.group(2)) for _, m in tagged)
    )
    if consistent:
        return
    warnings.warn(
        f"{path}: the posebridge individual tags in the PoseEstimation descriptions "
        "contradict each other (a rank outside 1..n, or one name twice); they are ignored.",
        UserWarning,
        stacklevel=user_stacklevel(),
    )
    for container, match in tagged:
        description = container.description or ""
        container.description = description[: match.start()].rstrip()


def _labels(chosen: list[Container]) -> list[str]:
    """Container names, or paths when names repeat."""
    for labels in ([c.name for c in chosen], [c.path for c in chosen]):
        if len(set(labels)) == len(labels):
            return labels
    return [f"{os.path.basename(c.source)}:{c.path}" for c in chosen]


def _layout(
    chosen: list[Container], info: FileInfo, combine: str, path: Any
) -> tuple[list[tuple[str | None, str]], list[str | None], list[str]]:
    """(view, individual) of each container, and the ordered views and individuals."""
    if combine not in COMBINE_CHOICES:
        raise FormatError(path, f"combine must be one of {COMBINE_CHOICES}, got {combine!r}.")
    view_tags = [parse_view_tag(c.description) for c in chosen]
    tagged = combine != "individuals" and all(view_tags)  # posebridge wrote views
    named = {t[2] for t in view_tags if t}
    if tagged and combine == "auto" and len(named) == 1 and any(t[1] > 1 for t in view_tags if t):
        tagged = False  # one view of several was picked: no view dim, as ds.sel(view=...)
    if len(chosen) == 1 and not tagged:
        (name,) = _sleap_io_track_names(
            chosen, [_own_name(chosen[0]) or chosen[0].subject_id or "id_0"], path
        )
        return [(None, name)], [None], [name]
    keys = [_view_key(c) for c in chosen]
    tags = [parse_individual_tag(c.description) for c in chosen]
    if all(tags) and len({t[1] for t in tags if t}) == len(tags):
        keys = [None] * len(chosen)  # posebridge wrote one container per individual
    views_of: list[str | None]
    if tagged:
        views_of = [t[2] for t in view_tags if t]
    elif combine == "views":
        distinct = None not in keys and len(set(keys)) == len(keys)
        views_of = list(keys) if distinct else list(_labels(chosen))
    elif combine == "auto" and None not in keys and len(set(keys)) > 1:
        views_of = list(keys)
    else:
        views_of = [None] * len(chosen)
    stripped = [c.name.removeprefix(DEFAULT_CONTAINER).strip("_- ") or c.name for c in chosen]
    subjects = [c.subject_id for c in chosen]
    if len(set(stripped)) < len(stripped) and all(subjects) and len(set(subjects)) == len(chosen):
        stripped = [str(s) for s in subjects]  # e.g. one file per animal, all "PoseEstimation"
    names = []
    for container, view, base in zip(chosen, views_of, stripped, strict=True):
        own = _own_name(container)
        if own is None and view is not None:
            own = container.subject_id or "id_0"  # one animal seen by several cameras
        names.append(own or base)
    names = _sleap_io_track_names(chosen, names, path)
    if combine == "individuals" and len(set(names)) < len(names):
        names = _labels(chosen)
    renamed = _foreign_names(chosen, tags, names, info, combine, path)
    if len(set(zip(views_of, renamed, strict=True))) == len(
        chosen
    ):  # unless that makes two cells one
        names = renamed
    cells = list(zip(views_of, names, strict=True))
    if len(set(cells)) < len(cells):
        raise ContainersApartError(
            path,
            f"holds {len(chosen)} PoseEstimation containers that posebridge cannot tell "
            f"apart as individuals or camera views:\n{describe_containers(info)}\n"
            "Pick one with pose_estimation_key= (and processing_module_key=), or pass "
            "combine='individuals' or combine='views'.",
        )
    views = list(dict.fromkeys(views_of))
    if tagged:  # in the order of their ranks, whichever container comes first
        rank = {t[2]: t[0] for t in view_tags if t}
        views = sorted(views, key=lambda view: rank[str(view)])
    individuals = list(dict.fromkeys(names))
    return cells, views, individuals


def _foreign_names(
    chosen: list[Container],
    tags: list[tuple[int, str] | None],
    names: list[str],
    info: FileInfo,
    combine: str,
    path: Any,
) -> list[str]:
    """``names``, with the untagged containers named as they are read without the tagged ones.

    A file another tool wrote, which posebridge appended to, holds that tool's
    containers (untagged) beside posebridge's (tagged). The untagged ones keep
    the names they were read with before the append: a lone ``PoseEstimation``
    stays its subject (or ``id_0``) instead of becoming ``PoseEstimation``.
    """
    foreign = [i for i, tag in enumerate(tags) if tag is None]
    if not foreign or len(foreign) == len(chosen):
        return names
    try:
        cells, _, _ = _layout([chosen[i] for i in foreign], info, combine, path)
    except FormatError:  # they cannot be read alone either: keep the names given
        return names
    renamed = list(names)
    for i, (_, name) in zip(foreign, cells, strict=True):
        renamed[i] = name
    return renamed


def arrange(
    chosen: list[Container], info: FileInfo, combine: str, path: Any
) -> tuple[list[Container], list[tuple[str | None, str]], list[str | None], list[str]]:
    """The chosen containers in reading order, with the (view, individual) of each.

    posebridge's tags that contradict each other are dropped first, with a
    warning; then tagged containers go in their ranks' order (individuals,
    then views), after the untagged ones (another tool's, in a file posebridge
    appended to), which keep the file's order.

    Returns
    -------
    tuple
        The containers in order, the (view, individual) of each, the views
        (``[None]``: no view dim) and the individuals, in order.

    Raises
    ------
    FormatError
        When two containers would be the same (view, individual).

    Examples
    --------
    >>> from posebridge.formats.nwb.locate import Container, FileInfo
    >>> found = [  # as HDF5 lists them, by name
    ...     Container("processing/behavior/track=10", "behavior", "track=10"),
    ...     Container("processing/behavior/track=2", "behavior", "track=2"),
    ... ]
    >>> info = FileInfo(found, [], ["behavior"], {}, {})
    >>> arrange(found, info, "auto", "f.nwb")[1:]
    ([(None, '2'), (None, '10')], [None], ['2', '10'])
    """
    _distrust_forged_tags(chosen, path)
    tags = [parse_individual_tag(c.description) for c in chosen]
    view_tags = [parse_view_tag(c.description) for c in chosen]
    untagged = [c for c, t in zip(chosen, tags, strict=True) if t is None]
    if untagged and all(_TRACK_RE.match(c.name) for c in untagged):
        # sleap-io's one container per track: HDF5 lists them by name ('track=10' before
        # 'track=2'); numbers in the names are put in their order (also beside the tagged
        # containers posebridge appended)
        ordered = iter(sorted(untagged, key=lambda c: (c.module, _natural_key(c.name))))
        chosen = [next(ordered) if t is None else c for c, t in zip(chosen, tags, strict=True)]
    if any(tags) or all(view_tags):  # individuals, then views, in their ranks' order;
        # untagged containers (another tool's, in a file posebridge appended to) first,
        # in the file's order (sleap-io's by the numbers in their names)
        ranks = [
            (t is not None, t[0] if t else 0, v[0] if all(view_tags) and v else 0)
            for t, v in zip(tags, view_tags, strict=True)
        ]
        chosen = [c for _, c in sorted(zip(ranks, chosen, strict=True), key=lambda p: p[0])]
    cells, views, individuals = _layout(chosen, info, combine, path)
    return chosen, cells, views, individuals
