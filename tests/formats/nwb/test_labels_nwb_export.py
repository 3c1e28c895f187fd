"""NWB annotations_export: the labelled frames' images in an MJPEG .avi beside the file."""

from __future__ import annotations

import json
import sys
import warnings

import h5py
import numpy as np
import pytest

import posebridge
from posebridge.errors import PoseBridgeError
from posebridge.io import nwb as sleap_names
from posebridge.model import labels

iio = pytest.importorskip("imageio.v2", reason="the video extra (imageio) is not installed")
pytest.importorskip("imageio_ffmpeg", reason="the video extra (imageio-ffmpeg) is not installed")

SHADES = {3: 40, 10: 120, 42: 200}  # frame number -> grey level of its image


@pytest.fixture
def dlc_project(tmp_path):
    """A DeepLabCut-like project: PNG images of two sizes and CollectedData beside them."""
    folder = tmp_path / "project" / "labeled-data" / "mouse"
    folder.mkdir(parents=True)
    paths = []
    for number, shade in SHADES.items():
        size = (24, 32) if number != 42 else (30, 20)  # one taller, narrower image
        iio.imwrite(folder / f"img{number:04d}.png", np.full((*size, 3), shade, np.uint8))
        paths.append(f"labeled-data/mouse/img{number:04d}.png")
    ds = labels.from_numpy(np.ones((3, 2, 1, 1)), image_path=paths, keypoint_names=["nose"])
    posebridge.save(ds, folder / "CollectedData_me.h5")
    return posebridge.load(folder / "CollectedData_me.h5")


@pytest.fixture
def source_video(tmp_path):
    """A 12-frame video whose frame k is grey level 20 k."""
    path = tmp_path / "source.avi"
    writer = iio.get_writer(path, format="FFMPEG", codec="mjpeg", fps=10, macro_block_size=1)
    for k in range(12):
        writer.append_data(np.full((16, 24, 3), 20 * k, np.uint8))
    writer.close()
    return path


def grey_levels(path) -> list[int]:
    reader = iio.get_reader(path, format="FFMPEG")
    try:
        return [round(float(frame[:8, :8].mean())) for frame in reader]
    finally:
        reader.close()


def test_images_of_a_deeplabcut_project_are_exported(dlc_project, tmp_path):
    out = tmp_path / "export" / "labels.nwb"
    out.parent.mkdir()
    written = sleap_names.save_nwb(dlc_project, out, nwb_format="annotations_export")
    assert written == out
    avi = out.with_name("labels.annotated_frames.avi")
    levels = grey_levels(avi)
    assert len(levels) == 3
    assert all(abs(a - b) <= 4 for a, b in zip(levels, SHADES.values(), strict=True))  # JPEG
    shape = iio.get_reader(avi, format="FFMPEG").get_data(0).shape
    assert shape[:2] == (30, 32)  # padded to the largest height and width
    back = posebridge.load(out)
    assert back.video.values.tolist() == [str(avi)] * 3
    assert back.frame.values.tolist() == [0, 1, 2]
    np.testing.assert_array_equal(back.position.values, dlc_project.position.values)
    frame_map = json.loads(out.with_name("labels.frame_map.json").read_text())
    assert [f["image_path"] for f in frame_map["frames"]] == dlc_project.image_path.values.tolist()
    assert [f["frame"] for f in frame_map["frames"]] == [3, 10, 42]


def test_the_exported_video_is_named_relative_to_the_nwb_without_a_warning(dlc_project, tmp_path):
    """The .avi is written with the .nwb: not looked for before it exists."""
    out = tmp_path / "export" / "labels.nwb"
    out.parent.mkdir()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        posebridge.save(dlc_project, out, export_frames=True)
    assert not [w for w in caught if "could not be found" in str(w.message)]
    with h5py.File(out) as h5:
        series = h5["processing/behavior/PoseTraining/source_videos/video_0"]
        assert series["external_file"].asstr()[()].tolist() == ["labels.annotated_frames.avi"]


def test_a_photo_turned_by_its_exif_is_exported_as_shown(tmp_path):
    """Its labels' coordinates refer to the photo as shown (EXIF orientation applied)."""
    from PIL import Image

    exif = Image.Exif()
    exif[0x0112] = 8  # shown turned 90 degrees anticlockwise
    stored = np.zeros((16, 40, 3), np.uint8)
    stored[:, :8] = 255  # a white left edge: at the bottom once turned anticlockwise
    Image.fromarray(stored).save(tmp_path / "photo.png", exif=exif.tobytes())
    ds = labels.from_numpy(np.ones((1, 2, 1, 1)), image_path=[str(tmp_path / "photo.png")])
    posebridge.save(ds, tmp_path / "p.nwb", export_frames=True)
    frame = iio.get_reader(tmp_path / "p.annotated_frames.avi", format="FFMPEG").get_data(0)
    assert frame.shape[:2] == (40, 16)
    assert frame[-6:].mean() > 200 and frame[:30].mean() < 50


def test_frames_of_a_video_are_exported(source_video, tmp_path):
    ds = labels.from_numpy(np.ones((2, 2, 1, 1)), video=[str(source_video)] * 2, frame=[9, 2])
    written = posebridge.save(ds, tmp_path / "v.nwb", export_frames=True)
    assert [p.name for p in written] == ["v.nwb", "v.annotated_frames.avi", "v.frame_map.json"]
    levels = grey_levels(tmp_path / "v.annotated_frames.avi")
    assert all(abs(a - b) <= 6 for a, b in zip(levels, [180, 40], strict=True))
    assert len(levels) == 2


def test_missing_videos_are_named_and_nothing_is_written(tmp_path):
    ds = labels.from_numpy(np.ones((1, 2, 1, 1)), video=["nowhere/clip.mp4"], frame=[0])
    with pytest.raises(PoseBridgeError, match=r"cannot find nowhere/clip.mp4"):
        posebridge.save(ds, tmp_path / "x.nwb", export_frames=True)
    assert list(tmp_path.iterdir()) == []


def test_a_frame_beyond_the_video_is_named(source_video, tmp_path):
    ds = labels.from_numpy(np.ones((1, 2, 1, 1)), video=[str(source_video)], frame=[500])
    with pytest.raises(PoseBridgeError, match="could not read frame 500"):
        posebridge.save(ds, tmp_path / "x.nwb", export_frames=True)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["source.avi"]


def test_without_the_video_extra_the_error_says_what_to_install(
    dlc_project, tmp_path, monkeypatch
):
    monkeypatch.setitem(sys.modules, "imageio_ffmpeg", None)  # import fails
    with pytest.raises(PoseBridgeError, match=r"posebridge\[video\]"):
        posebridge.save(dlc_project, tmp_path / "x.nwb", export_frames=True)


def test_export_is_for_labels_only(tmp_path):
    with pytest.raises(PoseBridgeError, match="labelled frames"):
        posebridge.save(posebridge.from_numpy(np.ones((2, 2, 1, 1))), tmp_path / "p.nwb",
                        export_frames=True)  # fmt: skip
