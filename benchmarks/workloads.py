"""Workloads shared by the benchmarks, built deterministically from a seed."""

from __future__ import annotations

import numpy as np
import xarray as xr

from posebridge import model

W1 = {"frames": 100_000, "individuals": 2, "keypoints": 12, "nan_fraction": 0.05}
W2 = {"frames": 20_000, "individuals": 2, "keypoints": 10, "nan_fraction": 0.05}


def poses(
    frames: int,
    individuals: int,
    keypoints: int,
    nan_fraction: float,
    seed: int = 0,
    space: int = 2,
) -> xr.Dataset:
    """A poses dataset of random walks with ``nan_fraction`` of points missing."""
    rng = np.random.default_rng(seed)
    steps = rng.normal(scale=2.0, size=(frames, space, keypoints, individuals))
    position = 300.0 + np.cumsum(steps, axis=0)
    confidence = rng.uniform(0.0, 1.0, size=(frames, keypoints, individuals))
    missing = rng.random((frames, keypoints, individuals)) < nan_fraction
    position[:, :, :][np.broadcast_to(missing[:, None], position.shape)] = np.nan
    confidence[missing] = np.nan
    return model.from_numpy(
        position,
        confidence,
        individual_names=[f"mouse{i}" for i in range(individuals)],
        keypoint_names=[f"bodypart{k}" for k in range(keypoints)],
        source_software="posebridge-benchmark",
    )


def w1() -> xr.Dataset:
    """W1: 100,000 frames x 2 individuals x 12 keypoints, 2D float64, 5 % NaN."""
    return poses(**W1)


def w2() -> xr.Dataset:
    """W2: 20,000 frames x 2 tracks x 10 nodes (SLEAP-sized predictions)."""
    return poses(**W2, seed=2)


def array_bytes(ds: xr.Dataset) -> int:
    """Bytes of position + confidence."""
    return int(ds.position.nbytes + ds.confidence.nbytes)
