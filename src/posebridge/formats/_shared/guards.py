"""Checks a writer makes before it writes: what its format cannot hold is refused.

A writer must never produce a file that posebridge (or the owning tool) cannot
read back as the same data. What a format cannot hold faithfully (no frames,
empty names, names that break its text layout) is refused here, before any
file is opened, with a message that says why and what to do.
"""

from __future__ import annotations

from collections.abc import Iterable

import xarray as xr

from posebridge import model
from posebridge.errors import SchemaError

__all__ = ["refuse_bad_names", "refuse_empty"]


def refuse_empty(
    ds: xr.Dataset, title: str, *, dims: Iterable[str] = (model.TIME, model.INDIVIDUAL)
) -> None:
    """Refuse a dataset with no entries along one of ``dims``.

    Parameters
    ----------
    ds
        The dataset to write.
    title
        The format's name for the message.
    dims
        The dimensions that must not be empty.

    Raises
    ------
    SchemaError
        Naming the empty dimension.

    Examples
    --------
    >>> import numpy as np, posebridge
    >>> refuse_empty(posebridge.from_numpy(np.zeros((0, 2, 1, 1))), "DeepLabCut")
    Traceback (most recent call last):
    ...
    posebridge.errors.SchemaError: The dataset has no time steps (frames); DeepLabCut files ...
    """
    for dim in dims:
        if dim in ds.dims and ds.sizes[dim] == 0:
            what = "time steps (frames)" if dim == model.TIME else f"{dim}s"
            raise SchemaError(
                f"The dataset has no {what}; {title} files cannot hold an empty dataset "
                "faithfully, so nothing was written. Write it as netCDF (.nc), which keeps "
                "empty dimensions."
            )


def refuse_bad_names(
    ds: xr.Dataset,
    title: str,
    *,
    dims: Iterable[str] = (model.KEYPOINT, model.INDIVIDUAL),
    forbidden: str = "\n\r",
    reserved: Iterable[str] = (),
) -> None:
    """Refuse empty names, names holding a character of ``forbidden``, and ``reserved`` ones.

    Parameters
    ----------
    ds
        The dataset to write.
    title
        The format's name for the message.
    dims
        The name coordinates to check.
    forbidden
        Characters the format's layout cannot hold in a name.
    reserved
        Names the format's readers take for a missing label.

    Raises
    ------
    SchemaError
        Naming the dimension and the name.

    Examples
    --------
    >>> import numpy as np, posebridge
    >>> ds = posebridge.from_numpy(np.zeros((1, 2, 1, 1)), keypoint_names=["a\\nb"])
    >>> refuse_bad_names(ds, "DeepLabCut")
    Traceback (most recent call last):
    ...
    posebridge.errors.SchemaError: keypoint name 'a\\nb' holds '\\n', which DeepLabCut files ...
    """
    for dim in dims:
        if dim not in ds.coords:
            continue
        for name in (str(v) for v in ds[dim].values):
            if not name.strip():
                raise SchemaError(
                    f"A {dim} name is empty ({name!r}); {title} files would read it back "
                    f"as a different name or not at all. Rename it, e.g. "
                    f"ds.assign_coords({dim}=[...])."
                )
            if name in reserved:
                raise SchemaError(
                    f"{dim} name {name!r} is read back by {title} readers as a missing "
                    f"label, not as a name; rename it, e.g. ds.assign_coords({dim}=[...])."
                )
            bad = [c for c in forbidden if c in name]
            if bad:
                raise SchemaError(
                    f"{dim} name {name!r} holds {bad[0]!r}, which {title} files cannot hold "
                    f"in a name; rename it, e.g. ds.assign_coords({dim}=[...])."
                )
