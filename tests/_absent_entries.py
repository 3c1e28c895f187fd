"""Datasets with an individual or a keypoint that has no point anywhere (all NaN), and
what of them a file must keep: the tests of writers that list instances (COCO, YOLO,
Label Studio, SLEAP CSV, VIA, NWB labels) and of those that keep every entry."""

from __future__ import annotations

import warnings
from collections.abc import Callable

import numpy as np
import xarray as xr

import posebridge
from posebridge.model import labels

INDIVIDUALS = ["a", "b", "c"]
KEYPOINTS = ["nose", "ear", "tail"]
#: The warning of an individual not written, up to the names it lists.
NOT_WRITTEN = "and are not written"


def with_absent(kind: str, dim: str, *, space: int = 2, index: int = 1) -> xr.Dataset:
    """A ``kind`` ("poses" or "labels") dataset of 4 frames whose ``dim`` entry at
    ``index`` ("individual" or "keypoint") has no point, nor a confidence, in any frame."""
    position = np.arange(4 * space * 3 * 3, dtype=np.float64).reshape(4, space, 3, 3) + 10.0
    confidence = np.full((4, 3, 3), 0.75)
    if dim == "individual":
        position[..., index] = np.nan
        confidence[..., index] = np.nan
    else:
        position[:, :, index, :] = np.nan
        confidence[:, index, :] = np.nan
    if kind == "labels":
        return labels.from_numpy(
            position,
            image_path=[f"v/img{frame:03d}.png" for frame in range(4)],
            individual_names=INDIVIDUALS,
            keypoint_names=KEYPOINTS,
        )
    return posebridge.from_numpy(
        position, confidence, individual_names=INDIVIDUALS, keypoint_names=KEYPOINTS
    )


def placed(ds: xr.Dataset, dim: str = "individual") -> list[str]:
    """The names along ``dim`` with at least one finite coordinate, in order."""
    others = [d for d in ds.position.dims if d != dim]
    flags = np.isfinite(ds.position.values).any(axis=tuple(ds.position.get_axis_num(others)))
    return [str(name) for name in ds[dim].values[flags]]


def absent(ds: xr.Dataset, dim: str = "individual") -> list[str]:
    """The names along ``dim`` without any finite coordinate, in order."""
    kept = placed(ds, dim)
    return [str(name) for name in ds[dim].values if str(name) not in kept]


def save_recording(save: Callable[[], object]) -> list[str]:
    """Run ``save`` and return the messages of the warnings it gave."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        save()
    return [str(warning.message) for warning in caught]


def not_written_warnings(messages: list[str]) -> list[str]:
    """The warnings of individuals not written among ``messages``."""
    return [message for message in messages if NOT_WRITTEN in message]
