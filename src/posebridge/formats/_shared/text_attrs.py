"""Dataset attributes that hold a list of names as JSON text.

Some facts of a source file that the data model has no place for (maDLC's unique
bodyparts, a SLEAP image sequence's files, a SLEAP project's videos) are kept as
attributes, as JSON text so that netCDF stores them as they are, and given back
by the writers of that format.
"""

from __future__ import annotations

import json

import xarray as xr

__all__ = ["names_from_attr", "names_to_attr"]


def names_to_attr(names: list[str]) -> str:
    """The JSON text an attribute holds for ``names``.

    Examples
    --------
    >>> names_to_attr(["a.mp4", "b.mp4"])
    '["a.mp4", "b.mp4"]'
    """
    return json.dumps([str(n) for n in names])


def names_from_attr(ds: xr.Dataset, key: str) -> list[str] | None:
    """The names an attribute holds, or ``None`` when it is absent or not a JSON list of text.

    Examples
    --------
    >>> import numpy as np, posebridge
    >>> ds = posebridge.from_numpy(np.zeros((1, 2, 1, 1)))
    >>> names_from_attr(ds.assign_attrs(videos='["a.mp4", "b.mp4"]'), "videos")
    ['a.mp4', 'b.mp4']
    >>> names_from_attr(ds.assign_attrs(videos="a.mp4"), "videos") is None
    True
    """
    raw = ds.attrs.get(key)
    if not isinstance(raw, str):
        return None
    try:
        names = json.loads(raw)
    except ValueError:
        return None
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        return None
    return names
