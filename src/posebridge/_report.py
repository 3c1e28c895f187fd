"""Text reports about datasets for the command line: what a dataset holds
(``posebridge info``), how a round trip through a format went (``posebridge
demo``), and the plain-text tables they are printed in.
"""

from __future__ import annotations

import shutil
import textwrap
from collections.abc import Sequence
from typing import Any

import numpy as np
import xarray as xr

from posebridge import model
from posebridge.model import labels

__all__ = [
    "columns",
    "count",
    "dataset_facts",
    "describe_dataset",
    "plain",
    "round_trip_report",
    "size_text",
    "summary",
    "table",
]

Rows = list[tuple[str, str]]


# --------------------------------------------------------------------------
# output helpers


def size_text(n_bytes: int) -> str:
    """A file size for people.

    Examples
    --------
    >>> size_text(512), size_text(2048), size_text(3 * 1024**2)
    ('512 B', '2.0 kB', '3.0 MB')
    """
    if n_bytes < 1024:
        return f"{n_bytes} B"
    if n_bytes < 1024**2:
        return f"{n_bytes / 1024:.1f} kB"
    return f"{n_bytes / 1024**2:.1f} MB"


def table(rows: Rows) -> str:
    """Label/value rows, labels aligned, long values wrapped under their column.

    A word longer than the room (a file path) is kept whole, so it can be copied.

    Examples
    --------
    >>> print(table([("frames", "300"), ("individuals", "2: a, b")]))
    frames       300
    individuals  2: a, b
    """
    if not rows:
        return ""
    width = max(len(label) for label, _ in rows) + 2
    room = max(40, shutil.get_terminal_size((100, 24)).columns - width)
    lines = []
    for label, value in rows:
        wrapped = textwrap.wrap(
            str(value), room, break_on_hyphens=False, break_long_words=False
        ) or [""]
        lines.append(f"{label:<{width}}{wrapped[0]}".rstrip())
        lines.extend(" " * width + more for more in wrapped[1:])
    return "\n".join(lines)


def columns(header: Sequence[str], body: Sequence[Sequence[str]]) -> str:
    """A plain text table with aligned columns.

    Examples
    --------
    >>> print(columns(("name", "read"), [("netcdf", "yes")]))
    name    read
    netcdf  yes
    """
    widths = [max(len(str(row[i])) for row in [header, *body]) for i in range(len(header))]
    return "\n".join(
        "  ".join(f"{cell!s:<{w}}" for cell, w in zip(row, widths, strict=True)).rstrip()
        for row in [header, *body]
    )


def _names(values: Any, limit: int = 40) -> str:
    names = [str(v) for v in np.asarray(values)]
    shown = ", ".join(names[:limit])
    more = f", ... ({len(names) - limit} more)" if len(names) > limit else ""
    return f"{len(names)}: {shown}{more}"


def _range(values: np.ndarray) -> str:
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return "none (all NaN)"
    text = f"{finite.min():.4g} to {finite.max():.4g}"
    missing = values.size - finite.size
    return text + (f" ({100 * missing / values.size:.1f} % NaN)" if missing else "")


# --------------------------------------------------------------------------
# describing a dataset (posebridge info, demo)

_CORE_VARIABLES = {"position", "shape", "confidence", "skeleton_edges"}
_CORE_ATTRS = {"ds_type", "time_unit", "source_software", "source_file", "fps"}


def _frames_text(ds: xr.Dataset) -> str:
    n = ds.sizes["time"]
    frames = model.frame_numbers(ds)
    if frames is None or n == 0:
        return str(n)
    text = f"{n} (frame {frames[0]} to {frames[-1]}"
    steps = np.diff(frames)
    if steps.size and np.any(steps > 1):
        missing = int((steps[steps > 1] - 1).sum())
        gaps = int((steps > 1).sum())
        text += f"; {missing} frame numbers missing in {gaps} gap{'s' * (gaps > 1)}"
    return text + ")"


def _time_text(ds: xr.Dataset) -> str:
    time = np.asarray(ds["time"].values)
    if ds.attrs.get("time_unit") != "seconds":
        if ds.attrs.get("fps"):  # rows of still images, or frame numbers with a stated rate
            return f"frames only, {ds.attrs['fps']:g} fps stated"
        return "frames only (no fps)"
    if time.size == 0:
        return "empty"
    text = f"{time[0]:.6g} s to {time[-1]:.6g} s"
    if ds.attrs.get("fps"):
        return f"{text} at {ds.attrs['fps']:g} fps"
    if time.size > 1:
        return f"{text}, timestamps (median step {np.median(np.diff(time)):.4g} s, no fps)"
    return text


def _view_names(ds: xr.Dataset) -> list[str]:
    """The camera views' names (their positions when the dim has no coordinate)."""
    if model.VIEW in ds.coords:
        return [str(v) for v in ds[model.VIEW].values]
    return [str(i) for i in range(ds.sizes[model.VIEW])]


def _boxes_per_frame(ds: xr.Dataset) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Boxes in each frame, counted in every camera view, and per view (view name ->
    boxes in each frame; empty without a ``view`` dim)."""
    present = (~ds["position"].isnull().any("space")).sum("individual")
    if model.VIEW not in present.dims:
        return np.asarray(present.values), {}
    per_view = present.transpose(model.TIME, model.VIEW).values
    names = _view_names(ds)
    return per_view.sum(axis=1), {name: per_view[:, i] for i, name in enumerate(names)}


def _count_facts(counts: np.ndarray) -> dict[str, Any]:
    """The mean, min and max of per-frame counts."""
    return {"mean": float(counts.mean()), "min": int(counts.min()), "max": int(counts.max())}


def _missing_facts(ds: xr.Dataset) -> dict[str, Any]:
    """How many points (boxes) are missing, of how many; and, for poses, how many
    keypoint-individual pairs hold no point in any frame, and the missing points of
    the other pairs.

    Such pairs are often pairs a file cannot hold, not points lost: in a multi-animal
    DeepLabCut file the animals hold no unique bodypart and its ``single`` individual
    holds only those, so a fully labelled file has them all missing.

    Examples
    --------
    >>> import numpy as np, posebridge
    >>> position = np.ones((4, 2, 2, 2))
    >>> position[:, :, 1, 0] = np.nan  # keypoint 1 of individual 0: never there
    >>> position[0, :, 0, 1] = np.nan
    >>> facts = _missing_facts(posebridge.from_numpy(position))
    >>> facts["count"], facts["total"], facts["empty_pairs"], facts["count_in_other_pairs"]
    (5, 16, 1, 1)
    """
    missing = ds["position"].isnull().any("space")
    total, absent = int(missing.size), int(missing.sum())
    facts: dict[str, Any] = {
        "what": "boxes" if ds.attrs["ds_type"] == model.BBOXES else "points",
        "count": absent,
        "total": total,
        "percent": 100 * absent / total if total else 0.0,
    }
    if ds.attrs["ds_type"] != model.BBOXES and ds.sizes[model.TIME]:
        # a pair holds no point when it has none in any frame of any camera view
        per_pair = [d for d in missing.dims if d not in (model.KEYPOINT, model.INDIVIDUAL)]
        empty = missing.all(per_pair)
        points_per_pair = missing.size // max(1, empty.size)
        facts["empty_pairs"] = int(empty.sum())
        facts["count_in_other_pairs"] = absent - facts["empty_pairs"] * points_per_pair
        facts["total_in_other_pairs"] = int((~empty).sum()) * points_per_pair
    return facts


def _missing_text(ds: xr.Dataset) -> str:
    facts = _missing_facts(ds)
    views = ds.sizes.get(model.VIEW)
    over = f", counted over {count(views, 'camera view')}" if views is not None else ""
    text = (
        f"{facts['percent']:.1f} % of {facts['what']} ({facts['count']} of {facts['total']}{over})"
    )
    empty = facts.get("empty_pairs", 0)
    if empty and facts["total_in_other_pairs"]:
        held = facts["count_in_other_pairs"] / facts["total_in_other_pairs"]
        anywhere = "in any frame or view" if views is not None else "in any frame"
        why = (
            " (a multi-animal DeepLabCut file's animals hold no unique bodypart)"
            if ds.attrs.get("source_software") == "DeepLabCut"
            else ""
        )
        text += (
            f"; {100 * held:.1f} % of the other pairs' points: "
            f"{count(empty, 'keypoint-individual pair')} hold no point {anywhere}{why}"
        )
    return text


def _extras(ds: xr.Dataset) -> Rows:
    rows: Rows = []
    for name in ds.data_vars:
        if name in _CORE_VARIABLES:
            continue
        var = ds[name]
        shape = f"({', '.join(map(str, var.dims))})"
        if var.dtype.kind in "fiu":
            rows.append((str(name), f"{shape} {_range(np.asarray(var.values, dtype=float))}"))
        elif var.ndim == 2 and var.shape[1] == 2:
            rows.append((str(name), f"{shape} {var.shape[0]} pairs"))
        else:
            rows.append((str(name), f"{shape} {var.size} values"))
    shown = {model.FRAME}  # frame numbers: see "frames"
    if labels.is_labels(ds):
        shown |= {labels.VIDEO, labels.IMAGE_PATH}  # see "labelled frames"
    for name in ds.coords:
        if name in ds.dims or name in shown:
            continue
        values = np.asarray(ds[name].values).ravel()
        sample = (
            f"{values[0]} ... {values[-1]}" if values.size > 1 else ", ".join(map(str, values))
        )
        rows.append((f"{name} (coord)", f"({', '.join(map(str, ds[name].dims))}) {sample}"))
    for key, value in ds.attrs.items():
        if key not in _CORE_ATTRS and key != labels.CONTENT:
            text = str(value)
            rows.append((key, text if len(text) <= 80 else text[:77] + "..."))
    return rows


def describe_dataset(ds: xr.Dataset) -> Rows:
    """What ``posebridge info`` says about a dataset, as (label, text) rows.

    Parameters
    ----------
    ds
        A poses or bboxes dataset.

    Returns
    -------
    list of (str, str)
        Kind, frames, time, individuals, keypoints, space, missing data,
        confidence, boxes (for bboxes), skeleton and extras.

    Examples
    --------
    >>> import numpy as np
    >>> from posebridge import from_numpy
    >>> dict(describe_dataset(from_numpy(np.zeros((3, 2, 1, 1)))))["space"]
    '2D (x, y)'
    """
    boxes = ds.attrs["ds_type"] == model.BBOXES
    labelled = labels.is_labels(ds)
    kind = "bounding boxes" if boxes else "labelled frames (poses)" if labelled else "poses"
    rows: Rows = [("kind", kind)]
    if ds.attrs.get("source_software"):
        rows.append(("source software", str(ds.attrs["source_software"])))
    if labelled:
        rows += labels.describe(ds)
        if ds.attrs.get("fps"):
            rows.append(("video frame rate", f"{ds.attrs['fps']:g} fps"))
    else:
        rows += [("frames", _frames_text(ds)), ("time", _time_text(ds))]
    rows.append(("individuals", _names(ds["individual"].values)))
    if not boxes:
        rows.append(("keypoints", _names(ds["keypoint"].values)))
    if model.VIEW in ds.dims:
        rows.append(("views", _names(_view_names(ds))))
    space = [str(s) for s in ds["space"].values]
    rows += [("space", f"{len(space)}D ({', '.join(space)})"), ("missing", _missing_text(ds))]
    if "confidence" in ds:
        rows.append(("confidence", _range(np.asarray(ds["confidence"].values, dtype=float))))
    else:
        rows.append(("confidence", "none"))
    if boxes:
        present, per_view = _boxes_per_frame(ds)
        if present.size:
            text = f"{present.mean():.2f} on average (min {present.min()}, max {present.max()})"
            if per_view:
                text += ", counted in every camera view; " + ", ".join(
                    f"{view} {counts.mean():.2f} (min {counts.min()}, max {counts.max()})"
                    for view, counts in per_view.items()
                )
            rows.append(("boxes per frame", text))
        width = np.asarray(ds["shape"].sel(space="x").values, dtype=float)
        height = np.asarray(ds["shape"].sel(space="y").values, dtype=float)
        rows.append(("box size", f"width {_range(width)}; height {_range(height)}"))
    if "skeleton_edges" in ds:
        rows.append(("skeleton", count(ds["skeleton_edges"].shape[0], "edge")))
    return rows + _extras(ds)


# --------------------------------------------------------------------------
# comparing a dataset with what a format gave back


def _compare(name: str, first: np.ndarray, second: np.ndarray) -> str:
    if first.shape != second.shape:
        return f"{name} shape {first.shape} -> {second.shape}"
    if np.array_equal(first, second, equal_nan=True):
        return f"{name} exact"
    nan_changed = int((np.isnan(first) != np.isnan(second)).sum())
    both = ~np.isnan(first) & ~np.isnan(second)
    error = float(np.abs(first[both] - second[both]).max()) if both.any() else 0.0
    text = f"{name} within {error:.2g}" if error else f"{name} equal"
    return text + (f", {nan_changed} NaN changed" if nan_changed else "")


def round_trip_report(original: xr.Dataset, back: xr.Dataset) -> str:
    """Compare a dataset with what a format gave back, in one line.

    Parameters
    ----------
    original
        The dataset that was written.
    back
        The dataset read from (one of) the written files; a file may hold a
        subset of the individuals (formats that write one file per animal).

    Returns
    -------
    str
        E.g. ``"position exact, confidence exact; not kept: skeleton_edges"``.

    Examples
    --------
    >>> import numpy as np
    >>> from posebridge import from_numpy
    >>> ds = from_numpy(np.ones((2, 2, 1, 1)))
    >>> round_trip_report(ds, ds)
    'position exact, confidence exact'
    """
    if back.attrs.get("ds_type") != original.attrs["ds_type"]:
        return f"came back as {back.attrs.get('ds_type')}, not {original.attrs['ds_type']}"
    notes: list[str] = []
    first, second = original, back
    for dim in ("individual", "keypoint"):
        if dim not in original.dims:
            continue
        wrote = [str(v) for v in original[dim].values]
        got = [str(v) for v in back[dim].values]
        common = [v for v in wrote if v in got]
        if not common and len(got) == len(wrote):  # renamed: compare in order
            notes.append(f"{dim} names {', '.join(wrote)} came back as {', '.join(got)}")
            second = second.assign_coords({dim: first[dim].values})
            continue
        if not common:
            return f"{dim} names changed: {', '.join(got)} instead of {', '.join(wrote)}"
        if len(common) < len(wrote):
            notes.append(f"{len(common)} of {len(wrote)} {dim}s in this file")
        first, second = first.sel({dim: common}), second.sel({dim: common})
    frames_a, frames_b = model.frame_numbers(first), model.frame_numbers(second)
    if frames_a is not None and frames_b is not None and not np.array_equal(frames_a, frames_b):
        notes.append("frame numbers changed")
    if first.sizes["time"] != second.sizes["time"]:
        return f"{first.sizes['time']} time steps -> {second.sizes['time']}"
    checks = []
    for var in ("position", "shape", "confidence"):
        if var not in first:
            continue
        if var not in second:
            checks.append(f"{var} not kept")
            continue
        a = np.asarray(first[var].transpose(*first[var].dims).values, dtype=float)
        b = np.asarray(second[var].transpose(*first[var].dims).values, dtype=float)
        checks.append(_compare(var, a, b))
    lost = [
        str(n)
        for n in [*original.data_vars, *original.coords]
        if n not in back.variables and n not in original.dims
    ]
    if original.attrs.get("fps") and not back.attrs.get("fps"):
        lost.append("fps")
    if lost:
        notes.append(f"not kept: {', '.join(lost)}")
    return ", ".join(checks) + ("; " + "; ".join(notes) if notes else "")


def count(n: int, noun: str) -> str:
    """``n`` and the noun, plural unless ``n`` is 1.

    Examples
    --------
    >>> count(1, "edge"), count(3, "edge")
    ('1 edge', '3 edges')
    """
    return f"{n} {noun}{'s' * (n != 1)}"


def summary(ds: xr.Dataset) -> str:
    """One line about a dataset's kind and size.

    Examples
    --------
    >>> import numpy as np
    >>> from posebridge import from_numpy
    >>> summary(from_numpy(np.zeros((300, 2, 8, 2)), fps=30))
    'poses, 2D, 300 frames at 30 fps, 2 individuals x 8 keypoints'
    """
    frames = f"{ds.sizes['time']} {'labelled ' if labels.is_labels(ds) else ''}frames"
    parts = [ds.attrs["ds_type"], f"{ds.sizes['space']}D", frames]
    if ds.attrs.get("fps"):
        parts[-1] += f" at {ds.attrs['fps']:g} fps"
    animals = count(ds.sizes["individual"], "individual")
    if "keypoint" in ds.dims:
        animals += f" x {count(ds.sizes['keypoint'], 'keypoint')}"
    return ", ".join([*parts, animals])


# --------------------------------------------------------------------------
# the same facts for scripts (posebridge info --json)


def plain(value: Any) -> Any:
    """``value`` with numpy scalars and arrays as Python values, NaN and inf as ``None``.

    Examples
    --------
    >>> plain({"a": np.float64("nan"), "b": np.arange(2), "c": (np.int64(3), "x")})
    {'a': None, 'b': [0, 1], 'c': [3, 'x']}
    """
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, np.ndarray):
        return [plain(v) for v in value.tolist()]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not np.isfinite(value):
        return None
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def _range_facts(values: np.ndarray) -> dict[str, Any]:
    finite = values[np.isfinite(values)]
    return {
        "min": float(finite.min()) if finite.size else None,
        "max": float(finite.max()) if finite.size else None,
        "count": int(values.size),
        "nan_count": int(values.size - finite.size),
    }


def _frame_facts(ds: xr.Dataset) -> dict[str, Any]:
    frames = model.frame_numbers(ds)
    facts: dict[str, Any] = {"count": int(ds.sizes["time"]), "first": None, "last": None}
    if frames is None or frames.size == 0:
        return facts
    steps = np.diff(frames)
    facts.update(
        first=int(frames[0]),
        last=int(frames[-1]),
        missing_frame_numbers=int((steps[steps > 1] - 1).sum()),
        gaps=int((steps > 1).sum()),
    )
    return facts


def _time_facts(ds: xr.Dataset) -> dict[str, Any]:
    time = np.asarray(ds["time"].values)
    facts: dict[str, Any] = {"unit": ds.attrs.get("time_unit", "frames")}
    facts["fps"] = float(ds.attrs["fps"]) if ds.attrs.get("fps") else None
    if time.size:
        facts.update(start=time[0], end=time[-1])
    if facts["unit"] == "seconds" and time.size > 1 and not facts["fps"]:
        facts["median_step"] = float(np.median(np.diff(time)))
    return facts


def _labels_facts(ds: xr.Dataset) -> dict[str, Any]:
    videos = np.asarray(ds[labels.VIDEO].values).astype(str)
    images = np.asarray(ds[labels.IMAGE_PATH].values).astype(str)
    per_video = []
    for name in dict.fromkeys(videos.tolist()):
        mine = videos == name
        kind = "images" if (images[mine] != "").all() else "frames"
        per_video.append({"video": name, "count": int(mine.sum()), "kind": kind})
    points, instances = labels.frame_counts(ds)
    facts: dict[str, Any] = {"count": int(ds.sizes["time"]), "videos": per_video}
    if points.size:
        facts["points_per_frame"] = {
            "mean": float(points.mean()),
            "min": int(points.min()),
            "max": int(points.max()),
            "total": int(points.sum()),
        }
        facts["instances_per_frame"] = {
            "mean": float(instances.mean()),
            "min": int(instances.min()),
            "max": int(instances.max()),
        }
    return facts


def _extras_facts(ds: xr.Dataset) -> dict[str, Any]:
    variables: dict[str, Any] = {}
    for name in ds.data_vars:
        if name in _CORE_VARIABLES:
            continue
        var = ds[name]
        facts: dict[str, Any] = {"dims": [str(d) for d in var.dims], "dtype": str(var.dtype)}
        if var.dtype.kind in "fiu":
            facts.update(_range_facts(np.asarray(var.values, dtype=float)))
        else:
            facts["size"] = int(var.size)
        variables[str(name)] = facts
    shown = {model.FRAME}
    if labels.is_labels(ds):
        shown |= {labels.VIDEO, labels.IMAGE_PATH}
    coords: dict[str, Any] = {}
    for name in ds.coords:
        if name in ds.dims or name in shown:
            continue
        values = np.asarray(ds[name].values).ravel()
        coords[str(name)] = {
            "dims": [str(d) for d in ds[name].dims],
            "first": values[0] if values.size else None,
            "last": values[-1] if values.size else None,
        }
    attrs = {
        str(k): v for k, v in ds.attrs.items() if k not in _CORE_ATTRS and k != labels.CONTENT
    }
    return {"variables": variables, "coords": coords, "attrs": attrs}


def dataset_facts(ds: xr.Dataset) -> dict[str, Any]:
    """What ``posebridge info --json`` says about a dataset: the text report's facts.

    Parameters
    ----------
    ds
        A poses, bboxes or labels dataset.

    Returns
    -------
    dict
        JSON-ready (plain Python values, ``None`` for NaN): ``kind``,
        ``source_software``, ``frames`` (count, first, last, gaps) or
        ``labelled_frames`` (labels), ``time``, ``individuals``, ``keypoints``
        (poses), ``space``, ``missing``, ``confidence``, ``boxes_per_frame`` and
        ``box_size`` (boxes), ``skeleton_edges``, ``extras``. With camera views
        (a ``view`` dim), ``boxes_per_frame`` counts a frame's boxes in every
        view, and its ``per_view`` gives each view's.

    Examples
    --------
    >>> import numpy as np
    >>> from posebridge import from_numpy
    >>> facts = dataset_facts(from_numpy(np.zeros((3, 2, 1, 1)), fps=30))
    >>> facts["frames"], facts["time"]["fps"], facts["missing"]["count"]
    ({'count': 3, 'first': 0, 'last': 2, 'missing_frame_numbers': 0, 'gaps': 0}, 30.0, 0)
    """
    boxes = ds.attrs["ds_type"] == model.BBOXES
    labelled = labels.is_labels(ds)
    facts: dict[str, Any] = {
        "kind": "labels" if labelled else str(ds.attrs["ds_type"]),
        "source_software": ds.attrs.get("source_software"),
    }
    if labelled:
        facts["labelled_frames"] = _labels_facts(ds)
        facts["video_fps"] = float(ds.attrs["fps"]) if ds.attrs.get("fps") else None
    else:
        facts["frames"] = _frame_facts(ds)
        facts["time"] = _time_facts(ds)
    facts["individuals"] = [str(v) for v in ds["individual"].values]
    if not boxes:
        facts["keypoints"] = [str(v) for v in ds["keypoint"].values]
    facts["views"] = _view_names(ds) if model.VIEW in ds.dims else []
    facts["space"] = [str(s) for s in ds["space"].values]
    facts["missing"] = _missing_facts(ds)
    facts["confidence"] = (
        _range_facts(np.asarray(ds["confidence"].values, dtype=float))
        if "confidence" in ds
        else None
    )
    if boxes:
        present, per_view = _boxes_per_frame(ds)
        if present.size:
            facts["boxes_per_frame"] = _count_facts(present)
            if per_view:
                facts["boxes_per_frame"]["per_view"] = {
                    view: _count_facts(boxes) for view, boxes in per_view.items()
                }
        facts["box_size"] = {
            "width": _range_facts(np.asarray(ds["shape"].sel(space="x").values, dtype=float)),
            "height": _range_facts(np.asarray(ds["shape"].sel(space="y").values, dtype=float)),
        }
    if "skeleton_edges" in ds:
        facts["skeleton_edges"] = np.asarray(ds["skeleton_edges"].values).astype(str).tolist()
    facts["extras"] = _extras_facts(ds)
    return plain(facts)
