""".slp predictions read lazily (posebridge.formats.sleap.slp_lazy): equal to posebridge.load,
and a slice reads only the point rows of its frames."""

from __future__ import annotations

import pickle
import warnings
from pathlib import Path

import h5py
import numpy as np
import pytest
import xarray as xr
from test_slp import SlpBuilder, pred, pts, user

import posebridge
from _corpus import corpus_params
from _lazy_checks import check_lazy_equals_load, read_bytes
from posebridge.formats._shared.lazy import NotLazy
from posebridge.formats.sleap.slp_lazy import open_lazy
from posebridge.xarray_backend import PoseBridgeBackendEntrypoint

VARIABLES = ("position", "confidence", "instance_score", "tracking_score")


def _check(path: Path, chunks: int = 2, lazy: int = 1, **options) -> xr.Dataset:
    return check_lazy_equals_load(path, chunks, lazy, VARIABLES, **options)


#: Corpus files of labelled frames: read eagerly (a labels dataset) with the default options.
LABELS = {
    "clip.2node.slp",
    "minimal_instance.pkg.slp",
    "minimal_instance.slp",
    "small_robot_siv_caching.slp",
    "test_grid_labels.legacy.slp",
}


@pytest.mark.parametrize("path", corpus_params("sleap_slp", "*.slp"))
def test_every_corpus_slp_file_opens_lazily_unless_it_is_labels_and_equals_load(path):
    _check(path, chunks=50, lazy=int(path.name not in LABELS))


@pytest.mark.parametrize("path", corpus_params("sleap_slp", "*.slp"))
@pytest.mark.parametrize("instances", ["predicted", "prefer_user"])
def test_every_corpus_slp_file_with_each_kind_of_instances(path, instances):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            posebridge.load(path, instances=instances)
        except posebridge.errors.PoseBridgeError:
            pytest.skip(f"{path.name} has no {instances} poses to read")
    _check(path, chunks=37, instances=instances)


@pytest.fixture
def mixed(tmp_path) -> Path:
    """Two videos; frames stored out of order; tracks listed B, A; untracked predictions
    (two in one frame) and a user instance; a user instance that replaces the
    prediction of its track, and one made from an untracked prediction."""
    b = SlpBuilder(
        tracks=("B", "A"),
        videos=[
            {"backend": {"filename": "left.mp4", "dataset": ""}},
            {"backend": {"filename": "right.mp4", "dataset": ""}},
        ],
    )
    b.frame(10, [pred(pts(1), track=1, score=0.8, tracking=0.4), pred(pts(2), track=0)])
    b.frame(3, [pred(pts(3), scores=[0.9, 0.8, 0.7], track=0, score=0.6)])
    b.frame(7, [pred(pts(4)), pred(pts(5)), user(pts(6))])
    b.frame(2, [pred(pts(7), track=0), user(pts(8), track=0)])
    b.frame(5, [pred(pts(9), instance_id=100), user(pts(10), from_predicted=100)])
    b.frame(4, [pred(pts(11), track=1)], video=1)
    b.frame(1, [pred(pts(12), track=0), pred(pts(13))], video=1)
    b.frame(8, [pred(pts(14), track=1), user(pts(15), track=1)])
    return b.write(tmp_path / "mixed.slp")


@pytest.mark.parametrize("instances", ["prefer_user", "predicted"])
@pytest.mark.parametrize("video", [0, 1, "right.mp4"])
def test_videos_tracks_untracked_and_user_instances_as_load_reads_them(mixed, instances, video):
    for chunks in (1, 2, 3):
        _check(mixed, chunks=chunks, video=video, instances=instances)


def test_several_videos_without_video_raise_as_load_does(mixed):
    with pytest.raises(posebridge.errors.FormatError, match="pass video="):
        posebridge.open_dataset(mixed)


def test_format_1_0_user_points_are_shifted_lazily_too(tmp_path):
    b = SlpBuilder(tracks=("A",), format_id=1.0)
    b.frame(0, [user(pts(1), track=0)])
    b.frame(1, [pred(pts(2), track=0)])
    b.frame(2, [user(pts(3), track=0), pred(pts(4))])
    path = b.write(tmp_path / "old.slp")
    opened = _check(path, chunks=1, instances="prefer_user")
    np.testing.assert_array_equal(
        opened.position.isel(time=0, individual=0).transpose("keypoint", "space").values,
        pts(1) - 0.5,
    )


def test_labels_are_read_eagerly(tmp_path):
    b = SlpBuilder()
    b.frame(0, [user(pts(1))])
    path = b.write(tmp_path / "labels.slp")
    with pytest.raises(NotLazy):
        open_lazy(path)
    with pytest.raises(NotLazy):
        open_lazy(path, instances="user")
    assert posebridge.open_dataset(path).attrs["lazy"] == 0


def test_a_lazily_opened_slp_array_pickles_for_dask_workers(mixed):
    opened = posebridge.open_dataset(mixed, chunks=2, video=0)
    again = pickle.loads(pickle.dumps(opened.confidence.data))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = posebridge.load(mixed, video=0).confidence.values
    np.testing.assert_array_equal(again.compute(scheduler="sync"), expected)


# --------------------------------------------------------------------------
# a slice reads only the point rows of its frames


FRAMES = 200_000
SLICE = (120_000, 130_000)


@pytest.mark.skipif(not Path("/proc/self/io").exists(), reason="needs Linux /proc/self/io")
def test_a_slice_of_a_lazily_opened_slp_file_reads_only_its_point_rows(tmp_path):
    rng = np.random.default_rng(3)
    position = rng.uniform(0, 100, size=(FRAMES, 2, 3, 2))
    confidence = rng.uniform(0, 1, size=(FRAMES, 3, 2))
    path = tmp_path / "big.slp"
    posebridge.save(posebridge.from_numpy(position, confidence), path)
    with h5py.File(path) as h5:
        table = h5["pred_points"]
        row_bytes, chunk_rows = table.dtype.itemsize, table.chunks[0]
        assert table.shape[0] == FRAMES * 2 * 3
    rows = (SLICE[1] - SLICE[0]) * 2 * 3  # the slice's points: 2 instances x 3 nodes a frame
    wanted = rows * row_bytes
    assert path.stat().st_size > 20 * wanted

    for opened in (
        posebridge.open_dataset(path, chunks=SLICE[1] - SLICE[0]),
        xr.open_dataset(path, engine=PoseBridgeBackendEntrypoint),
    ):
        assert opened.attrs["lazy"] == 1
        _ = opened.position.isel(time=slice(0, 10)).values  # the first read imports modules
        selection = opened.position.isel(time=slice(*SLICE))
        before = read_bytes()
        values = selection.values
        read = read_bytes() - before
        np.testing.assert_array_equal(values, position[slice(*SLICE)])
        # whole chunks of rows at both ends; a little HDF5 metadata
        assert wanted <= read < wanted + 3 * chunk_rows * row_bytes + (64 << 10), (
            read,
            wanted,
        )


def test_regions_across_keypoints_individuals_and_space_equal_load(mixed):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        eager = posebridge.load(mixed, video=0)
        engine = xr.open_dataset(
            mixed, engine=PoseBridgeBackendEntrypoint, read_options={"video": 0}
        )
    for part in (
        {"time": slice(1, 5), "keypoint": slice(1, 3), "individual": 2},
        {"time": 3, "space": 1, "keypoint": 0},
        {"time": slice(None, None, -2), "individual": slice(0, 2)},
        {"keypoint": [2, 0], "time": slice(2, 6)},
    ):
        for name in ("position", "confidence"):
            selected = {d: part[d] for d in part if d in eager[name].dims}
            np.testing.assert_array_equal(
                engine[name].isel(selected).values, eager[name].isel(selected).values
            )
