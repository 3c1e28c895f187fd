"""The order individuals read back in from formats whose readers order them by track id
(COCO ``track_id``, YOLO pose predictions' last column, VIA tracks' ``track``), and the
warning when it is not the dataset's.

The writers number tracks so that the readers keep the dataset's order where whole
numbers leave room (:func:`~posebridge.formats._shared.track_ids.individual_track_ids`);
where they do not (``["b", "a", "track_2"]``: ``a`` has no id between 2 and the next), or
``track_<n>`` names come in another order than their numbers, the file reads back in id
order.
"""

from __future__ import annotations

import warnings

import numpy as np
import xarray as xr

from posebridge import model
from posebridge.errors import brief, user_stacklevel

__all__ = ["order_read_back", "reordered", "warn_order_read_back"]


def order_read_back(ids: np.ndarray, written: np.ndarray) -> np.ndarray:
    """The individuals a file holds, in the order a reader sorting by track id gives them.

    Parameters
    ----------
    ids
        Each individual's track id (int64, one per individual, distinct).
    written
        Per individual: whether the file holds it (an instance with a point or a box).

    Returns
    -------
    numpy.ndarray
        int64 indices into the individuals: those written, by id.

    Examples
    --------
    >>> order_read_back(np.array([3, 1, 2]), np.array([True, True, True])).tolist()
    [1, 2, 0]
    >>> order_read_back(np.array([3, 1, 2]), np.array([True, False, True])).tolist()
    [2, 0]
    """
    held = np.flatnonzero(written)
    return held[np.argsort(np.asarray(ids)[held], kind="stable")]


def reordered(ids: np.ndarray, written: np.ndarray) -> np.ndarray | None:
    """The order the individuals written read back in (:func:`order_read_back`) when it
    is not the dataset's, else ``None``: what a writer warns about.

    Parameters
    ----------
    ids
        Each individual's track id (int64, one per individual, distinct).
    written
        Per individual: whether the file holds it (an individual left out moves no other).

    Returns
    -------
    numpy.ndarray or None
        int64 indices into the individuals, those written by id; ``None`` when that is
        their order in the dataset.

    Examples
    --------
    >>> reordered(np.array([5, 2, 7]), np.array([True, True, True])).tolist()
    [1, 0, 2]
    >>> reordered(np.array([5, 2, 7]), np.array([True, False, True])) is None
    True
    """
    order = order_read_back(ids, written)
    return None if np.array_equal(order, np.flatnonzero(written)) else order


def warn_order_read_back(
    ds: xr.Dataset, path: object, title: str, ids: np.ndarray, written: np.ndarray
) -> None:
    """Warn once, naming it, when the order the individuals written to ``path`` read back
    in (by track id: :func:`order_read_back`) is not the dataset's.

    Parameters
    ----------
    ds
        The dataset written.
    path
        The output, named in the warning.
    title
        The format, for the message (``"a COCO results file"``).
    ids
        Each individual's track id, as written.
    written
        Per individual: whether the file holds it.

    Examples
    --------
    >>> import numpy as np, posebridge
    >>> from posebridge._recorded_warnings import recording_warnings
    >>> ds = posebridge.from_numpy(np.ones((1, 2, 1, 2)), individual_names=["track_2", "track_1"])
    >>> with recording_warnings() as shown:
    ...     warn_order_read_back(
    ...         ds, "r.json", "a COCO results file", np.array([2, 1]), np.array([True, True])
    ...     )
    >>> print(shown[0].message)  # doctest: +ELLIPSIS
    r.json: a COCO results file gives each individual a track id, by which readers ...
    """
    order = reordered(ids, written)
    if order is None:
        return
    names = [str(name) for name in ds[model.INDIVIDUAL].values]
    shown = ", ".join(brief(names[k]) for k in order[:8].tolist())
    more = f" and {order.size - 8} more" if order.size > 8 else ""
    warnings.warn(
        f"{path}: {title} gives each individual a track id, by which readers order them "
        "(track_<n> keeps n; the others take free ids in the dataset's order where whole "
        "numbers leave room), so the individuals are written, and read back, in the order "
        f"{shown}{more}, not the dataset's. Name them track_<n> numbered in the order "
        "wanted, or write netCDF (.nc), to keep it.",
        UserWarning,
        stacklevel=user_stacklevel(),
    )
