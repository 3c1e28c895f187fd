"""The attributes and skeleton of a dataset read from NWB, from the file's metadata.

The session and subject texts, the camera, the video, the series' unit and
texts (``reference_frame``, ``confidence_definition``), the description of the
PoseEstimation containers and the Skeleton's edges as keypoint names: each is
kept when the chosen containers agree on it, and a warning says what is not.
"""

from __future__ import annotations

import os
import warnings
from typing import Any

import numpy as np
import xarray as xr

from posebridge import model
from posebridge.errors import brief, user_stacklevel, with_command_line_wording
from posebridge.formats.nwb.combine import individual_prefix
from posebridge.formats.nwb.common import (
    GENERAL_LISTS,
    GENERAL_TEXTS,
    POSE_ESTIMATION_DESCRIPTION,
    REFERENCE_TIME,
    SERIES_TEXTS,
    kept_as_stored,
    parse_individual_tag,
    parse_moment,
    source_named_skeleton,
)
from posebridge.formats.nwb.locate import Container, FileInfo
from posebridge.model.units import unit_name

__all__ = ["set_attrs", "set_edges"]


def _keep_series_texts(ds: xr.Dataset, chosen: list[Container]) -> None:
    """Keep the series' ``reference_frame`` and ``confidence_definition`` in ``ds.attrs``
    when every series states the same (every series with confidence values, for the
    definition); warn once naming those that differ, or that some
    series state and others do not (none is kept then: the writer states no frame the
    data was not recorded in, and gives no series a definition its writer did not)."""
    differing = []
    for field in SERIES_TEXTS:
        # a confidence definition belongs to confidence values: series without them state none
        texts = [
            getattr(s, field) or None
            for c in chosen
            for s in c.series
            if field != "confidence_definition" or s.confidence is not None
        ]
        stated = list(dict.fromkeys(t for t in texts if t is not None))
        silent = texts.count(None)
        if len(stated) == 1 and not silent:
            ds.attrs[field] = stated[0]
        elif len(stated) > 1:
            differing.append(f"{field} ({len(stated)} different: {brief(stated)})")
        elif stated:
            differing.append(
                f"{field} ({brief(stated)} stated by {len(texts) - silent} of {len(texts)} series)"
            )
    if differing:
        warnings.warn(
            f"{chosen[0].source}: its pose series state different {' and '.join(differing)}; "
            "a dataset holds one of each, so none is kept"
            + (
                " (an NWB writer states no coordinate origin for these poses)."
                if any(d.startswith("reference_frame") for d in differing)
                else "."
            ),
            UserWarning,
            stacklevel=user_stacklevel(),
        )


def _warn_units(chosen: list[Container]) -> None:
    """Warn that the series have different units (one ``position`` holds them all)."""
    by_unit: dict[Any, list[str]] = {}
    for container in chosen:
        for series in container.series:
            by_unit.setdefault(series.unit, []).append(series.name)
    listed = "; ".join(
        f"{unit!s}: {', '.join(names[:3])}{', ...' if len(names) > 3 else ''}"
        for unit, names in by_unit.items()
    )
    warnings.warn(
        f"{chosen[0].source}: its pose series have different units ({listed}); position "
        "holds each keypoint in its own series' unit, so no space_unit is kept and a writer "
        "gives every keypoint one unit (NWB's default when none is kept). Convert them to "
        "one unit and set ds.attrs['space_unit'] before writing.",
        stacklevel=user_stacklevel(),
    )


def _named_by_the_source(name: str | None, chosen: list[Container]) -> bool:
    """Whether a Skeleton's name was given by the source, not made up by a writer
    (:func:`~posebridge.formats.nwb.common.source_named_skeleton`)."""
    return source_named_skeleton(name, all(parse_individual_tag(c.description) for c in chosen))


def set_edges(ds: xr.Dataset, chosen: list[Container], keypoints: list[str]) -> None:
    """Keep the chosen containers' Skeleton edges as ``skeleton_edges`` (keypoint names).

    One dataset holds one skeleton: the first container's with edges. When another
    container (animal, view) links a Skeleton with other edges, those are left out
    with a warning naming both containers (as ``merge_individuals`` refuses
    datasets of two skeletons); read each with ``pose_estimation_key=`` to keep them.
    """
    names = {c.skeleton_name for c in chosen}
    if len(names) == 1 and _named_by_the_source(name := names.pop(), chosen):
        ds.attrs["skeleton_name"] = str(name)  # one Skeleton shared (sleap-io's layout)
    kept: tuple[Container, list[tuple[str, str]]] | None = None
    for container in chosen:
        if container.edges is None or container.nodes is None or not container.edges.size:
            continue
        if kept is None:
            kept = (container, _edge_pairs(container, keypoints))
            if kept[1]:
                ds["skeleton_edges"] = (("edge", "edge_node"), np.array(kept[1], dtype=str))
            continue
        pairs = _edge_pairs(container, keypoints, warn=False)
        if _unordered(pairs) != _unordered(kept[1]):
            left_out = sorted(_unordered(pairs) - _unordered(kept[1]))
            warnings.warn(
                f"{container.source or 'the NWB file'}: {container.path} links a Skeleton "
                f"({container.skeleton_name}) with edges {sorted(_unordered(pairs))}, but "
                f"{kept[0].path}'s ({kept[0].skeleton_name}) has "
                f"{sorted(_unordered(kept[1]))}; one dataset holds one skeleton, so "
                f"skeleton_edges are the first's (left out: {left_out}). Read each "
                "container on its own (pose_estimation_key=) to keep its edges.",
                UserWarning,
                stacklevel=user_stacklevel(),
            )
            return


def _unordered(pairs: list[tuple[str, str]]) -> set[tuple[str, ...]]:
    """Edges as unordered pairs (``(a, b)`` is ``(b, a)``)."""
    return {tuple(sorted(pair)) for pair in pairs}


def _edge_pairs(
    container: Container, keypoints: list[str], *, warn: bool = True
) -> list[tuple[str, str]]:
    """A container's Skeleton edges as pairs of keypoint names; edges joining a node that
    is no keypoint of its series are left out (with a warning when ``warn``)."""
    prefix = individual_prefix(container)
    nodes = [
        n[len(prefix) + 1 :] if prefix and n.startswith(prefix + "_") else n
        for n in container.nodes
    ]
    pairs, dropped = [], []
    for a, b in np.asarray(container.edges, dtype=np.int64):  # one per edge: a few
        inside = 0 <= a < len(nodes) and 0 <= b < len(nodes)
        if inside and nodes[a] in keypoints and nodes[b] in keypoints:
            pairs.append((nodes[a], nodes[b]))
        else:
            dropped.append(
                (
                    nodes[a] if 0 <= a < len(nodes) else int(a),
                    nodes[b] if 0 <= b < len(nodes) else int(b),
                )
            )
    if dropped and warn:
        warnings.warn(
            f"{container.source or 'the NWB file'}: {len(dropped)} of the "
            f"{len(dropped) + len(pairs)} skeleton edges of {container.path} join "
            f"nodes that are not keypoints of its series (a node index outside the "
            f"Skeleton's {len(nodes)} nodes, or a node without a series), e.g. "
            f"{dropped[0]}; they are not kept in skeleton_edges.",
            UserWarning,
            stacklevel=user_stacklevel(),
        )
    return pairs


def _drop_unless_iso(ds: xr.Dataset, key: str, where: Any, instead: str) -> None:
    """Leave out attribute ``key`` (with a warning) when it is no ISO 8601 date/time.

    The writers parse it back (the NWB schema's isodatetime): text that is not
    one would make every NWB write of the dataset fail.
    """
    value = ds.attrs.get(key)
    if value is None or _iso_datetime(value):
        return
    name = key.removeprefix("subject_")
    warnings.warn(
        f"{where}: {name} {ds.attrs.pop(key)!r} is not an ISO 8601 date/time (the NWB "
        f"schema's isodatetime), so it is left out; give {instead} when writing NWB.",
        stacklevel=user_stacklevel(),
    )


def _keep_reference_time(ds: xr.Dataset, reference: Any) -> None:
    """Keep the file's ``timestamps_reference_time`` (the moment its series' times count
    from) when it is not its session start: written back, the times keep their moment."""
    moment = parse_moment(reference) if reference else None
    if moment is None:
        return
    start = parse_moment(ds.attrs.get("session_start_time", ""))
    if start is None or start != moment:
        ds.attrs[REFERENCE_TIME] = str(reference)


def _iso_datetime(text: Any) -> bool:
    """Whether ``text`` is an ISO 8601 date/time (``Z`` for UTC taken too)."""
    import datetime as dt

    try:
        dt.datetime.fromisoformat(str(text).strip().replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


def _warn_videos_not_kept(chosen: list[Container], videos: list[str]) -> None:
    """Warn that the chosen containers name several videos (one per camera view, or
    sleap-io's videos read as views), none of which is kept: a dataset holds one
    ``video_path``."""
    named = "; ".join(f"{c.path}: {', '.join(c.video_paths)}" for c in chosen if c.video_paths)
    advice = "with pose_estimation_key= or processing_module_key="
    warning = UserWarning(
        f"{chosen[0].source or 'the NWB file'}: the PoseEstimation containers read name "
        f"{len(videos)} videos ({named}); a dataset holds one video_path, so none is kept. "
        f"Read one camera (or video) at a time, {advice}, to keep its video's path."
    )
    flags = (
        "with --read-option pose_estimation_key=NAME or --read-option processing_module_key=NAME"
    )
    warnings.warn(
        with_command_line_wording(warning, {advice: flags}), stacklevel=user_stacklevel()
    )


def set_attrs(ds: xr.Dataset, info: FileInfo, chosen: list[Container]) -> None:
    first = chosen[0]
    ds.attrs["source_software"] = first.source_software or "NWB"
    if first.source_software_version:
        ds.attrs["source_software_version"] = first.source_software_version
    if first.scorer:
        ds.attrs["scorer"] = first.scorer
    devices = list(dict.fromkeys(d for c in chosen for d in c.devices))
    if devices:
        ds.attrs["device"] = ", ".join(devices)
    if len(devices) == 1:  # one camera: its description and manufacturer go back out
        details = next(c.device_details for c in chosen if devices[0] in c.device_details)
        for key, value in details.get(devices[0], {}).items():
            ds.attrs[f"device_{key}"] = value
    videos = list(dict.fromkeys(v for c in chosen for v in c.video_paths))
    if len(videos) == 1:
        video = videos[0]
        owner = next(c for c in chosen if video in c.video_paths)
        joined = not (os.path.isabs(video) or kept_as_stored(video))  # C:\..., URLs: as stored
        if owner.video_linked and owner.folder and joined:
            video = os.path.normpath(os.path.join(os.path.abspath(owner.folder), video))
        ds.attrs["video_path"] = video
    elif len(videos) > 1:
        _warn_videos_not_kept(chosen, videos)
    dims = {c.video_dimension for c in chosen if c.video_dimension}
    if len(dims) == 1:
        ds.attrs["video_width"], ds.attrs["video_height"] = dims.pop()
    units = {s.unit for c in chosen for s in c.series}
    named = {unit_name(unit) or unit for unit in units}  # spellings of one unit: one
    if len(units) == 1:
        ds.attrs["space_unit"] = units.pop()
    elif len(named) == 1:  # "px" and "pixels": NWB's name for it
        ds.attrs["space_unit"] = named.pop()
    elif len(units) > 1:
        _warn_units(chosen)
    _keep_series_texts(ds, chosen)
    descriptions = {c.given_description for c in chosen}
    if len(descriptions) == 1 and None not in descriptions:
        ds.attrs[POSE_ESTIMATION_DESCRIPTION] = descriptions.pop()
    ds.attrs["nwb_containers"] = ", ".join(c.path for c in chosen)
    # a PoseEstimation holds estimated poses, its confidence optional: predictions, scored
    # or not (sleap-io reads every one as PredictedInstance)
    ds.attrs[model.INSTANCE_KIND] = model.PREDICTED_INSTANCES
    for key in ("session_description", "session_start_time", *GENERAL_TEXTS, *GENERAL_LISTS):
        if info.session.get(key):
            ds.attrs[key] = info.session[key]
    for key, value in info.subject.items():
        ds.attrs[key if key == "subject_id" else f"subject_{key}"] = value
    where = chosen[0].source if chosen else "the NWB file"
    _drop_unless_iso(ds, "session_start_time", where, "session_start_time=")
    _keep_reference_time(ds, info.session.get(REFERENCE_TIME))
    _drop_unless_iso(ds, "subject_date_of_birth", where, "date_of_birth in subject_kwargs")
