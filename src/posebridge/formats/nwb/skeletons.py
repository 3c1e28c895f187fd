"""The ``Skeleton`` each PoseEstimation written to NWB links: the source's named one,
shared by the individuals; an existing one of the file on append (its nodes include
the keypoints); or a new one per individual, with the dataset's edges."""

from __future__ import annotations

import re
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from posebridge.errors import user_stacklevel
from posebridge.formats.nwb.common import (
    WRITERS_SKELETON_NAMES,
    container_name,
    parse_individual_tag,
    source_named_skeleton,
    split_tags,
)
from posebridge.formats.nwb.config import NWBFileSaveConfig
from posebridge.formats.nwb.devices import devices_in_use
from posebridge.formats.nwb.naming import named


def skeleton_edges(ds: xr.Dataset, keypoints: list[str]) -> np.ndarray | None:
    if "skeleton_edges" not in ds:
        return None
    pairs = np.asarray(ds["skeleton_edges"].values).reshape(-1, 2)
    index = {k: i for i, k in enumerate(keypoints)}
    kept = [(index[str(a)], index[str(b)]) for a, b in pairs if a in index and b in index]
    if len(kept) < len(pairs):
        warnings.warn(
            f"{len(pairs) - len(kept)} skeleton edge(s) name keypoints that are not in the "
            "dataset; they are left out of the NWB Skeleton.",
            UserWarning,
            stacklevel=user_stacklevel(),
        )
    dtype = np.uint8 if len(keypoints) <= 256 else np.uint16
    return np.array(kept, dtype=dtype).reshape(-1, 2)


def source_skeleton(
    nwbfile: Any,
    module: Any,
    ds: xr.Dataset,
    config: NWBFileSaveConfig,
    individuals: list[str],
    keypoints: list[str],
) -> tuple[str, str] | None:
    """(module, name) of one Skeleton named by the dataset's ``skeleton_name``, shared by
    its individuals, or ``None`` for posebridge's one ``skeleton_<individual>`` each.

    A name the source gave its skeleton (SLEAP's ``fly``) is kept that way when the
    configuration names no Skeleton, and no Skeleton of that name with other nodes is
    in the module already (an append of other keypoints).
    """
    kept = ds.attrs.get("skeleton_name")
    if not isinstance(kept, str) or not kept or kept in WRITERS_SKELETON_NAMES:
        return None
    if any(named(config, "skeleton_kwargs", i, len(individuals)) for i in individuals):
        return None
    name = container_name(kept)
    home = nwbfile.processing.get(module.name)
    skeletons = home.data_interfaces.get("Skeletons") if home is not None else None
    if (
        skeletons is not None
        and name in skeletons.skeletons
        and [str(n) for n in skeletons.skeletons[name].nodes[:]] != keypoints
    ):
        return None
    return module.name, name


def held_skeleton(
    module: Any,
    ds: xr.Dataset,
    config: NWBFileSaveConfig,
    individuals: list[str],
    keypoints: list[str],
) -> Any | None:
    """The Skeleton of ``module`` that poses appended in posebridge's layout link, when
    their keypoints are its nodes or some of them, or ``None`` (a new Skeleton is made).

    That Skeleton is the one named by the dataset's ``skeleton_name``, or, for a dataset
    whose skeleton has no name of the source's, the one Skeleton every PoseEstimation of
    the module links when its name is the source's (as the reader keeps it, not
    posebridge's ``skeleton_<individual>``). Linking it, the file reads back with its
    ``skeleton_name`` and edges as they were, the new animal NaN at the nodes it lacks
    (ndx-pose does not ask a PoseEstimation for a series of every node of its
    Skeleton). A Skeleton the configuration names is always made.

    Examples
    --------
    >>> import datetime as dt, numpy as np, posebridge, pynwb
    >>> nwbfile = pynwb.NWBFile("poses", "id", dt.datetime.now(dt.UTC))
    >>> ds = posebridge.from_numpy(np.zeros((2, 2, 3, 1)), keypoint_names=["a", "b", "c"])
    >>> from posebridge.formats.nwb.build import add_poses
    >>> from posebridge.formats.nwb.storage import Storage
    >>> config, storage = NWBFileSaveConfig(), Storage(chunked=False)
    >>> _ = add_poses(nwbfile, ds.assign_attrs(skeleton_name="fly"), ["id_0"], config, storage)
    >>> fewer = ds.isel(keypoint=[2, 0]).assign_coords(individual=["id_1"])
    >>> module = nwbfile.processing["behavior"]
    >>> held_skeleton(module, fewer, config, ["id_1"], ["c", "a"]).name
    'fly'
    >>> held_skeleton(module, fewer, config, ["id_1"], ["c", "x"]) is None
    True
    """
    import ndx_pose

    if any(named(config, "skeleton_kwargs", i, len(individuals)) for i in individuals):
        return None
    skeletons = module.data_interfaces.get("Skeletons")
    if skeletons is None:
        return None
    kept = ds.attrs.get("skeleton_name")
    if isinstance(kept, str) and kept and kept not in WRITERS_SKELETON_NAMES:
        skeleton = skeletons.skeletons.get(container_name(kept))
    else:
        containers = [
            c for c in module.data_interfaces.values() if isinstance(c, ndx_pose.PoseEstimation)
        ]
        linked = {id(c.skeleton): c.skeleton for c in containers}
        if len(linked) != 1:
            return None
        (skeleton,) = linked.values()
        all_tagged = all(_tagged(c) for c in containers)
        if skeleton is None or not source_named_skeleton(skeleton.name, all_tagged):
            return None
        if skeletons.skeletons.get(skeleton.name) is not skeleton:  # another module's
            return None
    if skeleton is None:
        return None
    nodes = [str(n) for n in skeleton.nodes[:]]
    if len(set(nodes)) != len(nodes) or not set(keypoints) <= set(nodes):
        return None
    return skeleton


def _tagged(container: Any) -> bool:
    """Whether a PoseEstimation is tagged with its individual by posebridge (in its
    description, or, when the caller gave that, in its series' comments)."""
    if parse_individual_tag(container.description):
        return True
    series = container.pose_estimation_series.values()
    return any(split_tags(s.comments or "")[1] for s in series)


def wanted_edges(
    config: NWBFileSaveConfig, individual: str, edges: np.ndarray | None
) -> np.ndarray | None:
    """The edges (keypoint indices) of poses: the configuration's ``skeleton_kwargs``
    edges when it gives some (they win over the data's), else the dataset's."""
    given = config.resolve("skeleton_kwargs", individual).get("edges")
    return edges if given is None else np.asarray(given, dtype=np.int64).reshape(-1, 2)


def common_skeleton(
    nwbfile: Any,
    skeletons: Any,
    name: str,
    config: NWBFileSaveConfig,
    keypoints: list[str],
    edges: np.ndarray,
    individuals: list[str],
    out_path: Path | None,
) -> Any:
    """The one Skeleton named ``name`` that every individual of a write links (sleap-io's
    layout): the one of that name in ``skeletons`` when its nodes are the keypoints, else
    one with those nodes already written under ``<name>_<n>`` by an earlier append, else
    a new one.

    A Skeleton of that name with other nodes (another session's, another animal's) is
    never linked: the poses would be read with its nodes. The new one then takes the
    next free name ``<name>_<n>``, with a warning naming both.
    """
    taken = [str(n) for n in skeletons.skeletons]
    ours = [name] + [n for n in taken if re.fullmatch(rf"{re.escape(name)}_\d+", n)]
    skeleton_kwargs = config.resolve("skeleton_kwargs", individuals[0])
    wanted = wanted_edges(config, individuals[0], edges)
    for candidate in ours:
        if (
            candidate in taken
            and [str(n) for n in skeletons.skeletons[candidate].nodes[:]] == keypoints
        ):
            reused = skeletons.skeletons[candidate]
            warn_edges_not_written(reused, wanted, keypoints, out_path)
            return reused
    skeleton_kwargs["name"] = name
    made = new_skeleton(
        nwbfile, skeletons, skeleton_kwargs, individuals[0], keypoints, edges, len(individuals)
    )
    if made.name != name:
        where = out_path if out_path is not None else "the in-memory NWBFile"
        other = [str(n) for n in skeletons.skeletons[name].nodes[:]]
        warnings.warn(
            f"{where}: holds a Skeleton {name!r} with other nodes ({len(other)}: "
            f"{', '.join(other[:4])}{', ...' if len(other) > 4 else ''}) than these poses' "
            f"{len(keypoints)} keypoints; the poses link a new Skeleton {made.name!r} instead.",
            UserWarning,
            stacklevel=user_stacklevel(),
        )
    return made


def warn_edges_not_written(
    skeleton: Any, edges: np.ndarray | None, keypoints: list[str], out_path: Path | None
) -> None:
    """Warn that the edges of poses linking an existing ``skeleton`` (its nodes include
    their ``keypoints``) which it does not have are not written: the poses read back with
    the skeleton's edges.

    Examples
    --------
    >>> import ndx_pose
    >>> kept = ndx_pose.Skeleton(name="fly", nodes=["a", "b", "c"], edges=np.array([[0, 1]]))
    >>> warn_edges_not_written(kept, np.array([[0, 1]]), ["a", "b", "c"], None)  # its own
    >>> from posebridge._recorded_warnings import recording_warnings
    >>> with recording_warnings() as shown:
    ...     warn_edges_not_written(kept, np.array([[0, 1], [1, 2]]), ["a", "b", "c"], None)
    >>> print(shown[0].message)  # doctest: +ELLIPSIS
    the in-memory NWBFile: these poses link its Skeleton 'fly' (whose nodes include ... b-c.
    """
    if edges is None or not len(edges):
        return
    held = getattr(skeleton, "edges", None)
    nodes = [str(n) for n in skeleton.nodes[:]]  # the held edges' indices are of its nodes
    held_pairs = (
        {(nodes[a], nodes[b]) for a, b in np.asarray(held[:], dtype=np.int64)}
        if held is not None
        else set()
    )
    pairs = [(keypoints[a], keypoints[b]) for a, b in np.asarray(edges, dtype=np.int64)]
    lost = [pair for pair in dict.fromkeys(pairs) if pair not in held_pairs]
    if not lost:
        return
    where = out_path if out_path is not None else "the in-memory NWBFile"
    shown = ", ".join(f"{a}-{b}" for a, b in lost[:6]) + (", ..." if len(lost) > 6 else "")
    warnings.warn(
        f"{where}: these poses link its Skeleton {skeleton.name!r} (whose nodes include "
        "their keypoints); its edges "
        f"are kept, so {len(lost)} edge(s) of theirs it does not have are not written and the "
        f"poses read back without them: {shown}.",
        UserWarning,
        stacklevel=user_stacklevel(),
    )


def new_skeleton(
    nwbfile: Any,
    skeletons: Any,
    skeleton_kwargs: dict[str, Any],
    individual: str,
    keypoints: list[str],
    edges: np.ndarray | None,
    animals: int = 1,
) -> Any:
    """A new Skeleton of ``individual`` in ``skeletons``, linked to the file's Subject when
    that is the animal: the file's one individual (of ``animals``, and no poses of another
    there, as an append adds), or one named as it."""
    import ndx_pose

    skeleton_name = skeleton_kwargs.pop("name", None) or container_name(f"skeleton_{individual}")
    base, counter = skeleton_name, 2
    while skeleton_name in skeletons.skeletons:
        skeleton_name = f"{base}_{counter}"
        counter += 1
    skeleton_kwargs.setdefault("nodes", keypoints)
    if skeleton_kwargs.get("edges") is not None:  # given (checked: node indices), as the data's
        dtype = np.uint8 if len(keypoints) <= 256 else np.uint16
        skeleton_kwargs["edges"] = np.array(skeleton_kwargs["edges"], dtype=dtype).reshape(-1, 2)
    if edges is not None:
        skeleton_kwargs.setdefault("edges", edges)
    subject = nwbfile.subject
    alone = animals == 1 and not devices_in_use(nwbfile, any_container=True)  # no other poses
    if subject is not None and (alone or subject.subject_id == individual):
        skeleton_kwargs.setdefault("subject", subject)
    skeleton = ndx_pose.Skeleton(name=skeleton_name, **skeleton_kwargs)
    skeletons.add_skeletons(skeleton)
    return skeleton
