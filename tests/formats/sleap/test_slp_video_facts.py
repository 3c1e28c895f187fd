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


def _hdf5_video_labels(tmp_path: Path) -> Path:
    """An .slp sleap-io writes for a video whose frames are the HDF5 dataset /movie (another
    dataset comes first in the file, so a reader that loses the name reads none)."""
    movie = tmp_path / "movie.h5"
    with h5py.File(movie, "w") as h5:
        h5.create_dataset("other", data=np.zeros((2, 8, 8, 1), np.uint8))
        h5.create_dataset("movie", data=np.full((4, 16, 16, 1), 7, np.uint8))
    video = sio.Video.from_filename(str(movie), dataset="/movie", input_format="channels_last")
    source = tmp_path / "source.slp"
    sio.save_slp(labels_of({1: [None]}, video=video), source)
    return source


def test_an_hdf5_videos_dataset_and_layout_survive_a_save(tmp_path):
    """The row of a video in an HDF5 file lost its dataset, input_format and
    convert_range (written '', '', absent), so sleap-io could not read its frames."""
    source = _hdf5_video_labels(tmp_path)
    given = _video_rows(source)[0]["backend"]
    out = tmp_path / "out.slp"
    posebridge.save(_load(source), out)
    written = _video_rows(out)[0]["backend"]
    for key in ("dataset", "input_format", "convert_range"):
        assert written[key] == given[key]
    video = sio.load_file(str(out)).video
    assert video.shape == (4, 16, 16, 1) and video[1].mean() == 7


def test_to_sleap_io_keeps_an_hdf5_videos_dataset(tmp_path):
    source = _hdf5_video_labels(tmp_path)
    given = _video_rows(source)[0]["backend"]
    video = posebridge.to_sleap_io(_load(source)).video
    for key in ("dataset", "input_format", "convert_range"):
        assert video.backend_metadata[key] == given[key]
    video.open()
    assert video[1].mean() == 7


@pytest.mark.parametrize(
    "name",
    [
        "test_grid_labels.legacy.slp",  # SLEAP's HDF5 video: dataset /movie, convert_range
        "clip.predictions.slp",  # media videos of input_format channels_last
        "dance.mp4.labels.slp",
        "predictions_1.2.7_provenance_and_tracking.slp",
    ],
)
def test_the_corpus_video_rows_reader_keys_survive_a_save(tmp_path, name):
    source = corpus_path(f"sleap_slp/{name}")
    given = _video_rows(source)[0]["backend"]
    out = tmp_path / "out.slp"
    with dropping_warnings(UserWarning):
        posebridge.save(_load(source), out)
    written = _video_rows(out)[0]["backend"]
    for key in ("dataset", "input_format", "convert_range"):
        assert written.get(key) == given.get(key), key


def test_a_size_only_shape_is_read_as_a_size_after_sleap_io_saves_the_file_again(tmp_path):
    """The mark that a shape records a size only is in the video's row, which sleap-io keeps
    (in backend_metadata) and writes back: its copy reads as the size only, not as a video
    of invented frames and channels (a mark outside the row was lost by sleap-io)."""
    ds = posebridge.from_numpy(np.arange(24.0).reshape(3, 2, 2, 2), source_software="test")
    ds.attrs.update(video_path="/data/session.mp4", video_width=640, video_height=480)
    posebridge.save(ds, tmp_path / "out.slp")
    resaved = tmp_path / "resaved.slp"
    sio.save_slp(sio.load_file(str(tmp_path / "out.slp"), open_videos=False), str(resaved))
    for path in (tmp_path / "out.slp", resaved):
        back = _load(path)
        assert (back.attrs["video_width"], back.attrs["video_height"]) == (640, 480)
        assert "sleap_video_facts" not in back.attrs


def test_an_embedded_videos_size_reads_back(tmp_path):
    source = corpus_path("sleap_slp/minimal_instance.pkg.slp")
    out = tmp_path / "out.slp"
    with dropping_warnings(UserWarning):
        ds = _load(source)
        posebridge.save(ds, out)
    back = _load(out)
    size = ("video_width", "video_height")
    assert [back.attrs[k] for k in size] == [ds.attrs[k] for k in size]
