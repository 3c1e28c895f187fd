"""The names posebridge gives the PoseEstimation containers and series it writes, and
their tags' ranks.

``PoseEstimation`` for one individual, ``PoseEstimation_<individual>`` for
several, with the view's name added for datasets with camera views
(:func:`container_names`); configured names take the place of the default. A
``/`` or ``:`` in a name becomes ``_``
(:func:`~posebridge.formats.nwb.common.container_name`): the names themselves
are read back from the description tags, whose ranks
(:func:`individual_ranks`) continue the file's when appending, so that a file
reads back in the order its individuals were added. The reader's side is
:mod:`posebridge.formats.nwb.combine`.
"""

from __future__ import annotations

import contextlib
import contextvars
import warnings
from collections.abc import Iterator, Sequence
from typing import Any

import xarray as xr

from posebridge import model
from posebridge.errors import SchemaError, user_stacklevel
from posebridge.formats.nwb.common import (
    DEFAULT_CONTAINER,
    container_name,
    parse_individual_tag,
    unique_names,
)
from posebridge.formats.nwb.config import NWBFileSaveConfig

#: The order of every individual a save writes, when the PoseEstimation containers are
#: only part of them (sleap-io Labels: the tracks of the predictions beside those of the
#: annotations, written as PoseTraining): see :func:`ranked_in_order`.
_GIVEN_ORDER: contextvars.ContextVar[tuple[str, ...] | None] = contextvars.ContextVar(
    "posebridge_nwb_individual_order", default=None
)


@contextlib.contextmanager
def ranked_in_order(order: Sequence[str]) -> Iterator[None]:
    """Within the block, the tags of the individuals written rank them in ``order``.

    A save that writes some of its individuals as PoseEstimation and the others
    elsewhere (the user instances of sleap-io Labels, as PoseTraining) gives the
    containers the ranks of ``order`` (``i/n`` with ``n = len(order)``), so that the
    reader can put the others in the places left (``posebridge.io.nwb.load_nwb``).
    A file whose tags rank other individuals, or these otherwise, is ranked as
    :func:`individual_ranks` ranks it without ``order``.

    Parameters
    ----------
    order : sequence of str
        Every individual the save writes, in the source's order.

    Yields
    ------
    None
        Inside the block, :func:`individual_ranks` follows ``order``.

    Examples
    --------
    >>> import pynwb, datetime as dt
    >>> nwbfile = pynwb.NWBFile("poses", "id", dt.datetime.now(dt.UTC))
    >>> with ranked_in_order(["zeta", "alice", "bob"]):
    ...     individual_ranks(nwbfile, ["zeta", "bob"], appending=True)
    ({'zeta': 0, 'bob': 2}, 3)
    """
    token = _GIVEN_ORDER.set(tuple(str(name) for name in order))
    try:
        yield
    finally:
        _GIVEN_ORDER.reset(token)


def named(
    config: NWBFileSaveConfig, section: str, individual: str, n_individuals: int
) -> str | None:
    """The ``name`` of an individual's object (:meth:`NWBFileSaveConfig.named`), as a
    container name: movement's rule names it after the individual, whose name may hold
    what hdmf refuses (:func:`~posebridge.formats.nwb.common.container_name`).

    Examples
    --------
    >>> config = NWBFileSaveConfig(pose_estimation_kwargs={"rat:1": {"name": "poses:1"}})
    >>> named(config, "pose_estimation_kwargs", "rat:1", 2)
    'poses_1'
    """
    name = config.named(section, "name", individual, n_individuals)
    return container_name(str(name)) if name else None


def container_names(
    module: Any,
    individuals: list[str],
    all_individuals: list[str],
    config: NWBFileSaveConfig,
    appending: bool,
    views: list[str | None],
) -> dict[tuple[str | None, str], str]:
    """The name of the PoseEstimation of each (view, individual) of the file.

    Without views: ``PoseEstimation`` for one individual in the file,
    ``PoseEstimation_<individual>`` for several. With views, the view's name is
    added: ``PoseEstimation_<view>`` for one individual,
    ``PoseEstimation_<view>_<individual>`` for several; a configured
    ``pose_estimation_kwargs`` name takes the place of ``PoseEstimation``
    (``<name>_<view>``). Added to a file (``appending``) that holds the default
    name already, or names per individual (``PoseEstimation_<individual>``), one
    individual gets the name it would get among several.

    Examples
    --------
    >>> import pynwb
    >>> module = pynwb.ProcessingModule(name="behavior", description="poses")
    >>> container_names(module, ["a:1", "b"], ["a:1", "b"], NWBFileSaveConfig(), False, [None])
    {(None, 'a:1'): 'PoseEstimation_a_1', (None, 'b'): 'PoseEstimation_b'}
    """
    n = len(all_individuals)
    if views == [None]:
        return {
            (None, i): name
            for i, name in zip(
                individuals, _names(module, individuals, n, config, appending), strict=True
            )
        }
    labels = unique_names([str(v) for v in views], container_name)
    if len(individuals) == 1:
        given = named(config, "pose_estimation_kwargs", individuals[0], n)
        names = [f"{given or DEFAULT_CONTAINER}_{label}" for label in labels]
        if given or not (appending and any(name in module.data_interfaces for name in names)):
            return {(v, individuals[0]): name for v, name in zip(views, names, strict=True)}
    defaults = iter(
        unique_names(
            [f"{DEFAULT_CONTAINER}_{label}_{i}" for i in individuals for label in labels],
            container_name,
        )
    )
    out = {}
    for individual in individuals:
        given = named(config, "pose_estimation_kwargs", individual, max(n, 2))
        for view, label in zip(views, labels, strict=True):
            default = next(defaults)
            out[(view, individual)] = f"{given}_{label}" if given else default
    return out


def _names(
    module: Any, individuals: list[str], n: int, config: NWBFileSaveConfig, appending: bool
) -> list[str]:
    """The PoseEstimation names of a dataset without views, one per individual.

    One individual added to a file whose containers are named per individual
    (``PoseEstimation_<individual>``) is named so too.
    """
    if len(individuals) == 1:
        name = named(config, "pose_estimation_kwargs", individuals[0], n)
        if name:
            return [str(name)]
        if not (appending and _holds_default_names(module)):
            return [DEFAULT_CONTAINER]
    defaults = unique_names([f"{DEFAULT_CONTAINER}_{i}" for i in individuals], container_name)
    return [
        str(named(config, "pose_estimation_kwargs", i, max(n, 2)) or d)
        for i, d in zip(individuals, defaults, strict=True)
    ]


def _holds_default_names(module: Any) -> bool:
    """Whether ``module`` holds a PoseEstimation of posebridge's default names:
    ``PoseEstimation``, or ``PoseEstimation_<individual>`` (a file of several individuals).

    Examples
    --------
    >>> import pynwb
    >>> _holds_default_names(pynwb.ProcessingModule(name="behavior", description="poses"))
    False
    """
    for name, item in module.data_interfaces.items():
        if getattr(item, "neurodata_type", None) != "PoseEstimation":
            continue
        if name == DEFAULT_CONTAINER or name.startswith(f"{DEFAULT_CONTAINER}_"):
            return True
    return False


def individual_ranks(
    nwbfile: Any, individuals: list[str], appending: bool
) -> tuple[dict[str, int], int]:
    """The rank (from 0) of each individual in its description tag, and the tags' count.

    A new file: the dataset's order (``i/n``, also across the files of one
    dataset written one file per individual). Added to a file (``appending``):
    after every individual the file's posebridge tags rank already, so that the
    file reads back in the order its individuals were added; an individual the
    file's tags name keeps its rank (sleap-io's layout repeats a track in each
    video's module).

    Examples
    --------
    >>> import pynwb, datetime as dt
    >>> nwbfile = pynwb.NWBFile("poses", "id", dt.datetime.now(dt.UTC))
    >>> individual_ranks(nwbfile, ["zeta", "alpha"], appending=True)
    ({'zeta': 0, 'alpha': 1}, 2)
    """
    if not appending:
        return {name: i for i, name in enumerate(individuals)}, len(individuals)
    from posebridge.formats.nwb.locate import object_info

    known: dict[str, int] = {}
    for container in object_info(nwbfile).containers:
        tag = parse_individual_tag(container.description)
        if tag is not None:
            known.setdefault(tag[1], tag[0])
    given = _GIVEN_ORDER.get()
    if given is not None:
        rank_of = {name: i for i, name in enumerate(given)}
        if set(individuals) <= set(rank_of) and all(
            rank_of.get(name) == rank for name, rank in known.items()
        ):  # the tags the file holds are this order's (another video's module)
            return {name: rank_of[name] for name in individuals}, len(given)
    following = max(known.values(), default=-1) + 1
    ranks = {}
    for name in individuals:
        if name not in known:
            known[name] = following
            following += 1
        ranks[name] = known[name]
    return ranks, following


#: The text that opens posebridge's description tags (``common.individual_tag``).
TAG_OPENING = "[posebridge "


def refuse_tag_text(individuals: list[str], views: list[str | None]) -> None:
    """Refuse names holding the opening of posebridge's tags: the reader finds an
    individual's (or view's) name in the tag that ends its PoseEstimation's description,
    and such a name would be read as a tag of its own (another name, another rank)."""
    for what, names in (("individual", individuals), ("view", views)):
        for name in names:
            if name is not None and TAG_OPENING in name:
                raise SchemaError(
                    f"the {what} name {name!r} holds {TAG_OPENING!r}, the opening of the tags "
                    "posebridge reads names back from in NWB files; rename it first."
                )


def warn_suffixed_names(ds: xr.Dataset, where: Any, individuals_named: bool) -> None:
    """Warn, naming ``where``, of the names NWB gets with a suffix: a keypoint (series),
    individual (PoseEstimation, when ``individuals_named``: several in a file) or view
    whose name, once cleaned of what NWB cannot hold (``/``, ``:``), is another's.

    The name NWB can hold keeps it (:func:`~posebridge.formats.nwb.common.unique_names`);
    posebridge reads every name back exactly, but another tool (movement) finds a
    keypoint or an animal by the name written.

    Parameters
    ----------
    ds : xarray.Dataset
        The poses written.
    where : Any
        The file (or files) the warning names.
    individuals_named : bool
        Whether the individuals' names are in their PoseEstimation's names.

    Examples
    --------
    >>> import numpy as np, posebridge, warnings
    >>> ds = posebridge.from_numpy(np.zeros((1, 2, 2, 1)), keypoint_names=["a/b", "a_b"])
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     warn_suffixed_names(ds, "out.nwb", individuals_named=False)
    >>> "keypoint 'a/b' as 'a_b_2'" in str(caught[0].message)
    True
    """
    dims = [(model.KEYPOINT, "keypoint"), (model.INDIVIDUAL, "individual")]
    if model.VIEW in ds.dims:
        dims.append((model.VIEW, "view"))
    suffixed = []
    for dim, what in dims:
        if dim == model.INDIVIDUAL and not individuals_named:
            continue
        names = [str(name) for name in ds[dim].values]
        written = unique_names(names, container_name)
        suffixed += [
            f"{what} {name!r} as {out!r}"
            for name, out in zip(names, written, strict=True)
            if out != container_name(name)
        ]
    if not suffixed:
        return
    shown = ", ".join(suffixed[:4]) + (", ..." if len(suffixed) > 4 else "")
    warnings.warn(
        f"{where}: NWB names cannot hold '/' or ':' (nor be '' or '.'), which become '_', "
        "and some names are then another's: the one NWB can hold keeps it, and the other "
        f"takes a suffix ({shown}). posebridge reads every name back as it was; other "
        "tools (movement) find keypoints and individuals by the names written.",
        UserWarning,
        stacklevel=user_stacklevel(),
    )


def pose_series_names(config: NWBFileSaveConfig, keypoints: list[str]) -> list[Any]:
    """The names :func:`~posebridge.formats.nwb.build.add_poses` gives the keypoints'
    PoseEstimationSeries, in order.

    A keypoint's series is named as the metadata names it
    (``pose_estimation_series: {<keypoint>: {name: ...}}``, or a shared
    ``name`` when there is one keypoint), else after the keypoint, with what
    hdmf refuses in a name made ``_``
    (:func:`~posebridge.formats.nwb.common.container_name`).

    Examples
    --------
    >>> config = NWBFileSaveConfig(pose_estimation_series_kwargs={"ear:l": {"name": "EarL"}})
    >>> pose_series_names(config, ["nose", "ear:l", "ear:r"])
    ['nose', 'EarL', 'ear_r']
    """
    own = unique_names(keypoints, container_name)
    shared = not config.is_per_entity(config.pose_estimation_series_kwargs)
    if shared and len(keypoints) > 1:  # one name cannot be every series': the keypoints'
        return list(own)
    given = [config.resolve("pose_estimation_series_kwargs", k).get("name") for k in keypoints]
    return [own[k] if name is None else name for k, name in enumerate(given)]
