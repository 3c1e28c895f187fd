"""Save bounding boxes, with movement's ``save_bboxes`` names."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import xarray as xr

from posebridge import model
from posebridge.io import _dropin

__all__ = ["to_via_tracks_file"]

PathLike = str | os.PathLike[str]


def to_via_tracks_file(
    ds: xr.Dataset,
    file_path: PathLike,
    track_ids_from_trailing_numbers: bool = True,
    frame_n_digits: int | None = None,
    image_file_prefix: str | None = None,
    image_file_suffix: str = ".png",
    *,
    overwrite: bool = False,
) -> Path:
    """Write a VIA tracks .csv file of bounding boxes.

    Parameters
    ----------
    ds
        A bboxes dataset.
    file_path
        The output .csv file.
    track_ids_from_trailing_numbers
        Take each track id from the trailing digits of the individual's
        name; otherwise 0, 1, ... in the sorted order of the names (as movement).
    frame_n_digits, image_file_prefix, image_file_suffix
        How image file names are made from frame numbers; when none is given
        and the dataset has ``image_path``, the original names are written.
    overwrite
        Replace an existing file (otherwise ``FileExistsError``).

    Returns
    -------
    pathlib.Path
        The file written (``Path(file_path)``), as movement's.

    Examples
    --------
    >>> from posebridge.io import save_bboxes
    >>> save_bboxes.to_via_tracks_file(ds, "tracks.csv")  # doctest: +SKIP
    """
    if not track_ids_from_trailing_numbers and model.INDIVIDUAL in getattr(ds, "dims", ()):
        # movement numbers the sorted names 0, 1, ... (one individual selected away: one name)
        names = np.asarray(ds[model.INDIVIDUAL].values).astype(str)
        ds = ds.isel({model.INDIVIDUAL: np.argsort(names, kind="stable")})
    (written,) = _dropin.save(
        ds,
        file_path,
        "via",
        overwrite=overwrite,
        track_ids_from_trailing_numbers=track_ids_from_trailing_numbers,
        frame_n_digits=frame_n_digits,
        image_file_prefix=image_file_prefix,
        image_file_suffix=image_file_suffix,
    )
    return written
