"""SLEAP analysis CSV between posebridge and sleap-io: the same points every way.

sleap-io's CSV reader sorts the node names (its skeleton comes out alphabetical), so
points are compared by (frame, track, node name), not by column position.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import xarray as xr

import posebridge
from _corpus import corpus_params

pytestmark = pytest.mark.interop
sio = pytest.importorskip("sleap_io")


def assert_same_points(ds: xr.Dataset, path: Path) -> None:
    labels = sio.load_csv(str(path), format="sleap")
    nodes = labels.skeleton.node_names
    assert sorted(nodes) == sorted(ds.keypoint.values.tolist())
    seen = 0
    for frame in labels.labeled_frames:
        for rank, instance in enumerate(i for i in frame.instances if i.track is None):
            who = f"untracked_{rank}"
            expected = ds.position.sel(time=frame.frame_idx, individual=who)
            points = expected.sel(keypoint=nodes).transpose("keypoint", "space").values
            np.testing.assert_array_equal(instance.numpy(), points)
            seen += 1
        for instance in (i for i in frame.instances if i.track is not None):
            expected = ds.position.sel(time=frame.frame_idx, individual=instance.track.name)
            points = expected.sel(keypoint=nodes).transpose("keypoint", "space").values
            np.testing.assert_array_equal(instance.numpy(), points)
            seen += 1
    occupied = np.isfinite(ds.position).any(dim=("space", "keypoint"))
    assert seen == int(occupied.sum())


@pytest.mark.parametrize("path", corpus_params("sleap_csv", "*.csv"))
def test_sleap_io_reads_the_corpus_as_we_do(path: Path):
    assert_same_points(posebridge.load(path), path)


def test_sleap_io_reads_what_we_write(tmp_path: Path):
    rng = np.random.default_rng(5)
    position = rng.uniform(0, 640, (6, 2, 3, 2))
    position[2, :, :, 1] = np.nan  # one instance absent: no row
    position[4, :, 0, 0] = np.nan  # one point missing
    confidence = rng.uniform(0, 1, (6, 3, 2))
    confidence[2, :, 1] = np.nan  # (a score without a point would make a row of NaN points)
    ds = posebridge.from_numpy(
        position,
        confidence,
        individual_names=["female", "male"],
        keypoint_names=["thorax", "head", "abdomen"],
    )
    (path,) = posebridge.save(ds, tmp_path / "ours.analysis.csv")
    assert_same_points(ds, path)
