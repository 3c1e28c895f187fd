"""What SLEAP files say about their videos (frames, size, channels, grayscale) survives
posebridge's readers and writers, and nothing is made up where a source said nothing."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import h5py
import numpy as np
import pytest

import posebridge
from _corpus import corpus_path
from _sleap_io_labels import labels_of
from posebridge._recorded_warnings import dropping_warnings

sio = pytest.importorskip("sleap_io")

PREDICTIONS = "sleap_slp/predictions_1.2.7_provenance_and_tracking.slp"
CENTERED_PAIR = "sleap_slp/centered_pair_predictions.slp"
SHAPE = [3000, 1024, 1280, 1]  # a grayscale video of 3000 frames, beyond the labelled ones


def _video_rows(path: Path) -> list[dict]:
    with h5py.File(path, "r") as h5:
        return [json.loads(row) for row in h5["videos_json"][()]]


def _with_known_video(tmp_path: Path) -> Path:
    """The corpus predictions, their video row given sleap-io's type and shape."""
    source = tmp_path / "source.slp"
    shutil.copy(corpus_path(PREDICTIONS), source)
    with h5py.File(source, "r+") as h5:
        row = json.loads(h5["videos_json"][0])
        row["backend"].update(type="MediaVideo", shape=SHAPE, grayscale=True)
        del h5["videos_json"]
        h5.create_dataset("videos_json", data=np.array([json.dumps(row).encode()]))
    return source


def _load(path: Path, **options):
    with dropping_warnings(UserWarning):
        return posebridge.load(path, **options)


@pytest.mark.parametrize("suffix", [".slp", ".analysis.h5"])
def test_the_source_videos_shape_and_grayscale_survive_a_save(tmp_path, suffix):
    source = _with_known_video(tmp_path)
    assert sio.load_slp(source).videos[0].backend_metadata["shape"] == SHAPE
    out = tmp_path / f"out{suffix}"
    with dropping_warnings(UserWarning):
        posebridge.save(_load(source), out)
    video = sio.load_file(str(out)).videos[0]
    assert list(video.backend_metadata["shape"]) == SHAPE
    assert video.backend_metadata["grayscale"] is True
    back = _load(out)
    assert (back.attrs["video_height"], back.attrs["video_width"]) == tuple(SHAPE[1:3])


def test_labels_keep_their_videos_shape_and_grayscale(tmp_path):
    source = _with_known_video(tmp_path)
    labels = _load(source, instances="user")
    out = tmp_path / "labels.slp"
    with dropping_warnings(UserWarning):
        posebridge.save(labels, out)
    (row,) = _video_rows(out)
    assert row["backend"]["shape"] == SHAPE and row["backend"]["grayscale"] is True


def test_a_sleap_grayscale_flag_is_kept_and_not_turned_to_colour(tmp_path):
    source = corpus_path(CENTERED_PAIR)
    (given,) = _video_rows(source)
    out = tmp_path / "out.slp"
    with dropping_warnings(UserWarning):
        posebridge.save(_load(source), out)
    (written,) = _video_rows(out)
    assert written["backend"]["grayscale"] is given["backend"]["grayscale"]
    assert "shape" not in written["backend"]  # SLEAP gave none, no size either


def test_a_kept_fact_goes_through_netcdf(tmp_path):
    ds = _load(_with_known_video(tmp_path))
    posebridge.save(ds, tmp_path / "poses.nc")
    back = posebridge.load(tmp_path / "poses.nc")
    with dropping_warnings(UserWarning):
        posebridge.save(back, tmp_path / "out.slp")
    assert _video_rows(tmp_path / "out.slp")[0]["backend"]["shape"] == SHAPE


def test_a_dataset_without_video_facts_invents_no_colour_and_no_shape(tmp_path):
    ds = posebridge.from_numpy(np.arange(24.0).reshape(3, 2, 2, 2), source_software="test")
    ds.attrs["video_path"] = "/data/session.mp4"
    out = tmp_path / "out.slp"
    posebridge.save(ds, out)
    backend = _video_rows(out)[0]["backend"]
    assert "grayscale" not in backend and "shape" not in backend
    video = sio.load_file(str(out)).videos[0]  # sleap-io opens it, colour left to the video
    assert video.filename == "/data/session.mp4" and video.grayscale is None


def test_a_size_alone_is_written_in_a_shape_that_reads_back_as_no_fact(tmp_path):
    ds = posebridge.from_numpy(np.arange(24.0).reshape(3, 2, 2, 2), source_software="test")
    ds.attrs.update(video_path="/data/session.mp4", video_width=640, video_height=480)
    posebridge.save(ds, tmp_path / "out.slp")
    backend = _video_rows(tmp_path / "out.slp")[0]["backend"]
    assert backend["shape"][1:3] == [480, 640] and "grayscale" not in backend
    back = _load(tmp_path / "out.slp")
    assert (back.attrs["video_width"], back.attrs["video_height"]) == (640, 480)
    assert "sleap_video_facts" not in back.attrs


def _sleap_io_file_of_an_unopened_video(path: Path) -> Path:
    """An .slp sleap-io writes for a video it did not open: its shape without a type."""
    video = sio.Video(
        filename="/x/v.mp4",
        open_backend=False,
        backend_metadata={"shape": [500, 200, 220, 3], "grayscale": False, "fps": 25.0},
    )
    sio.save_slp(labels_of({frame: [None] for frame in range(1, 4)}, video=video), path)
    return path


@pytest.mark.parametrize("suffix", [".slp", ".analysis.h5"])
def test_a_shape_sleap_io_writes_without_a_type_is_kept(tmp_path, suffix):
    """sleap-io writes a video it did not open with its shape and no type; it was taken for
    posebridge's record of a size only, and written back as a 3-frame video."""
    source = _sleap_io_file_of_an_unopened_video(tmp_path / "source.slp")
    assert tuple(sio.load_slp(source).videos[0].shape) == (500, 200, 220, 3)
    out = tmp_path / f"out{suffix}"
    with dropping_warnings(UserWarning):
        posebridge.save(_load(source), out)
    assert tuple(sio.load_file(str(out)).videos[0].shape) == (500, 200, 220, 3)


def test_the_datasets_frame_rate_is_written_over_the_sources(tmp_path):
    """The source's video fps was written whatever the dataset's fps said."""
    source = _sleap_io_file_of_an_unopened_video(tmp_path / "source.slp")
    out = tmp_path / "out.slp"
    with dropping_warnings(UserWarning):
        posebridge.save(_load(source).assign_attrs(fps=10.0), out)
    assert sio.load_slp(out).videos[0].backend_metadata["fps"] == 10.0
