"""Attributes that list rows (:data:`posebridge.model.ROW_LIST_ATTRS`, e.g. SLEAP's
suggested frames): the union of the inputs' rows."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

import xarray as xr

from posebridge.combine.agree import path_key


def united_rows(
    datasets: Sequence[xr.Dataset], key: str, *, each_names_its_video: bool = False
) -> str | None:
    """The JSON text of the union (input order, repeats once) of the rows that the inputs'
    ``key`` attributes list (a :data:`posebridge.model.ROW_LIST` attribute); ``None`` when
    an input's is not a JSON list of objects, when ``each_names_its_video`` and a row
    names no ``video``, or when none lists a row.

    Examples
    --------
    >>> import numpy as np, posebridge
    >>> one = posebridge.from_numpy(np.zeros((1, 2, 1, 1)))
    >>> a = one.assign_attrs(rows='[{"frame_idx": 1}]')
    >>> b = one.assign_attrs(rows='[{"frame_idx": 2}, {"frame_idx": 1}]')
    >>> united_rows([a, b, one], "rows")
    '[{"frame_idx": 1}, {"frame_idx": 2}]'
    """
    lists = _listed(
        datasets,
        key,
        lambda row: isinstance(row, dict) and (not each_names_its_video or _names_a_video(row)),
    )
    if lists is None:
        return None
    rows: dict[str, Any] = {}
    for row in (row for listed in lists for row in listed):
        rows.setdefault(json.dumps(row, sort_keys=True), row)
    return json.dumps(list(rows.values())) if rows else None


def united_paths(datasets: Sequence[xr.Dataset], key: str) -> str | None:
    """The JSON text of the union (input order, first input's first) of the paths that
    the inputs' ``key`` attributes list (SLEAP's project videos,
    :data:`posebridge.model.labels.PROJECT_VIDEOS`); two spellings of one path
    (``./a.mp4``, ``a.mp4``) are one, written as first seen. ``None`` when an input's
    is not a JSON list of texts, or when none lists a path.

    Examples
    --------
    >>> import numpy as np, posebridge
    >>> one = posebridge.from_numpy(np.zeros((1, 2, 1, 1)))
    >>> a = one.assign_attrs(videos='["a.mp4"]')
    >>> b = one.assign_attrs(videos='["./a.mp4", "b.mp4"]')
    >>> united_paths([a, b, one], "videos")
    '["a.mp4", "b.mp4"]'
    """
    lists = _listed(datasets, key, lambda path: isinstance(path, str))
    if lists is None:
        return None
    paths: dict[str, str] = {}
    for path in (path for listed in lists for path in listed):
        paths.setdefault(path_key(path), path)
    return json.dumps(list(paths.values())) if paths else None


def united_objects(datasets: Sequence[xr.Dataset], key: str) -> str | None:
    """The JSON text of the union of the objects (path -> facts) that the inputs' ``key``
    attributes hold (SLEAP's facts of each video, :data:`posebridge.model.labels.VIDEO_FACTS`):
    every input's paths, two spellings of one path one, the first input's facts of a path
    shared winning. ``None`` when an input's is not a JSON object, or when none holds one.

    Examples
    --------
    >>> import numpy as np, posebridge
    >>> one = posebridge.from_numpy(np.zeros((1, 2, 1, 1)))
    >>> a = one.assign_attrs(facts='{"a.mp4": {"grayscale": false}}')
    >>> b = one.assign_attrs(facts='{"./a.mp4": {"grayscale": true}, "b.mp4": {"fps": 30}}')
    >>> united_objects([a, b, one], "facts")
    '{"a.mp4": {"grayscale": false}, "b.mp4": {"fps": 30}}'
    """
    united: dict[str, tuple[str, Any]] = {}
    for ds in datasets:
        if key not in ds.attrs:
            continue
        try:
            held = json.loads(ds.attrs[key])
        except (TypeError, ValueError):
            return None
        if not isinstance(held, dict):
            return None
        for path, facts in held.items():
            united.setdefault(path_key(str(path)), (str(path), facts))
    return json.dumps(dict(united.values())) if united else None


def _listed(
    datasets: Sequence[xr.Dataset], key: str, holds: Callable[[Any], bool]
) -> list[list[Any]] | None:
    """Each input's ``key`` attribute read as a JSON list (inputs without one left out);
    ``None`` when one is not JSON, not a list, or holds an item ``holds`` refuses."""
    lists = []
    for ds in datasets:
        if key not in ds.attrs:
            continue
        try:
            listed = json.loads(ds.attrs[key])
        except (TypeError, ValueError):
            return None
        if not isinstance(listed, list) or not all(holds(item) for item in listed):
            return None
        lists.append(listed)
    return lists


def _names_a_video(row: dict[str, Any]) -> bool:
    """Whether a row of a :data:`posebridge.model.ROW_LIST` attribute names its video."""
    return isinstance(row.get("video"), str) and bool(row["video"])


def lists_no_row(value: Any) -> bool:
    """Whether an attribute value is missing or the JSON text of an empty list."""
    try:
        return value is None or json.loads(value) == []
    except (TypeError, ValueError):
        return False
