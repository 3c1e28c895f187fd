"""Shared fixtures: small datasets built in code, named for what they make."""

from __future__ import annotations

import signal

import numpy as np
import pytest
import xarray as xr
from hypothesis import settings

from posebridge import model

#: ``make test`` runs with ``--hypothesis-profile=ci``: the same drawn examples on every
#: run, so CI's verdict depends on the code only; plain ``pytest`` draws new ones.
settings.register_profile("ci", derandomize=True)


def pytest_configure(config: pytest.Config) -> None:
    """Give the run Python's own SIGINT handler when it inherited SIGINT ignored.

    A run started in the background by a non-interactive shell (``make test &`` in a
    script) has SIGINT ignored, and so has every process it starts: the Ctrl-C tests,
    which send SIGINT to the run itself or to a child, would then test a process that
    cannot be interrupted. A test of that case sets SIG_IGN in its child itself.
    """
    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)


@pytest.fixture
def poses_two_mice_with_nan() -> xr.Dataset:
    """20 frames, 2 individuals, 3 keypoints, 2D, float64, some NaN points."""
    rng = np.random.default_rng(0)
    position = rng.uniform(0, 500, size=(20, 2, 3, 2))
    confidence = rng.uniform(0, 1, size=(20, 3, 2))
    position[3, :, 1, 0] = np.nan
    confidence[3, 1, 0] = np.nan
    position[7:9, :, :, 1] = np.nan
    return model.from_numpy(
        position,
        confidence,
        individual_names=["mouse_b", "mouse_a"],
        keypoint_names=["snout", "tail_base", "ear_left"],
        source_software="DeepLabCut",
    )


@pytest.fixture
def poses_single_3d() -> xr.Dataset:
    """12 frames, 1 individual, 4 keypoints, 3D, no confidence."""
    rng = np.random.default_rng(1)
    position = rng.normal(size=(12, 3, 4, 1))
    position[0] = np.nan
    return model.from_numpy(position, keypoint_names=["d", "c", "b", "a"])


@pytest.fixture
def bboxes_two_tracks() -> xr.Dataset:
    """5 frames with a gap (frames 0, 1, 2, 5, 6), 2 tracks."""
    rng = np.random.default_rng(2)
    position = rng.uniform(10, 100, size=(5, 2, 2))
    shape = rng.uniform(1, 20, size=(5, 2, 2))
    confidence = rng.uniform(0, 1, size=(5, 2))
    return model.bboxes_from_numpy(
        position,
        shape,
        confidence,
        individual_names=["id_1", "id_4"],
        frame_array=np.array([0, 1, 2, 5, 6]),
    )


@pytest.fixture
def local_cluster_client():
    """A client of a real ``distributed.LocalCluster``: 2 workers of one thread each."""
    distributed = pytest.importorskip("distributed")
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        yield client


@pytest.fixture(scope="session")
def process_cluster():
    """A real ``distributed.LocalCluster`` of one worker *process* (one thread), started
    once per test session: there a task's arguments and every lock are pickled, as on a
    lab's cluster (``local_cluster_client``'s workers are threads of this process)."""
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        yield cluster


@pytest.fixture
def process_cluster_client(process_cluster):
    """A client of :func:`process_cluster`, the default client while the test runs."""
    distributed = pytest.importorskip("distributed")
    with distributed.Client(process_cluster) as client:
        yield client
