"""posebridge._video: reading frames with ffmpeg, on small videos made here.

The videos are written with the module's own writer (FFV1 in Matroska, lossless),
each frame a different grey pattern, so a frame decoded can be told by its pixels.
A damaged video is made by zeroing bytes in the middle of such a file: the
Matroska demuxer then skips to the next readable cluster, losing frames.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import numpy as np
import pytest

from posebridge import _video
from posebridge.errors import PoseBridgeError

pytest.importorskip("imageio_ffmpeg")

WIDTH, HEIGHT = 64, 48


def pattern(k: int) -> np.ndarray:
    """Frame ``k``: a diagonal grey ramp shifted by ``k`` (no two frames alike)."""
    y, x = np.mgrid[0:HEIGHT, 0:WIDTH]
    grey = 20 + (x + y + 7 * k) % 200
    return np.repeat(grey[..., None], 3, axis=2).astype(np.uint8)


def write_video(path: Path, n: int, first: int = 0) -> Path:
    writer = _video.write_frames(
        path, (WIDTH, HEIGHT), 10.0, codec="ffv1", pix_fmt="bgr0", quality=None
    )
    for k in range(first, first + n):
        writer.send(pattern(k))
    writer.close()
    return path


def damaged_video(tmp_path: Path, n: int = 40) -> Path:
    """A video of ``n`` frames with 2 kB zeroed in its middle (as the audit damaged one)."""
    data = bytearray(write_video(tmp_path / "intact.mkv", n).read_bytes())
    middle = len(data) // 2
    data[middle : middle + 2000] = bytes(2000)
    damaged = tmp_path / "damaged.mkv"
    damaged.write_bytes(bytes(data))
    return damaged


def test_an_intact_video_reads_every_frame_in_order(tmp_path):
    video = write_video(tmp_path / "v.mkv", 12)
    frames = list(_video.read_frames(video))
    assert len(frames) == 12
    for k, frame in enumerate(frames):
        np.testing.assert_array_equal(frame, pattern(k))
    part = list(_video.read_frames(video, 3, 6))
    assert len(part) == 3
    np.testing.assert_array_equal(part[0], pattern(3))
    np.testing.assert_array_equal(_video.read_frame(video, 11), pattern(11))


def test_a_damaged_video_is_an_error_naming_it_not_frames_silently_lost(tmp_path):
    """ffmpeg exits 0 on a damaged video and drops frames; every later frame would shift."""
    video = damaged_video(tmp_path)
    with pytest.raises(PoseBridgeError, match="ffmpeg reports damage in the video") as raised:
        list(_video.read_frames(video))
    message = str(raised.value)
    assert message.startswith(f"{video}: ")
    # ffmpeg's own reason, in its words (which line comes first depends on its timing)
    assert re.search(r"ffmpeg reports damage in the video \(.+\), found by frame \d+", message)
    assert "wrong frames" in message
    with pytest.raises(PoseBridgeError, match=f"{video.name}: ffmpeg reports damage"):
        _video.read_frame(video, 30)


def test_no_frame_read_after_the_damage_is_given_out(tmp_path):
    """Every frame handed out before the error is the frame of its number."""
    video = damaged_video(tmp_path)
    given = []
    with pytest.raises(PoseBridgeError, match="damage"):
        for frame in _video.read_frames(video):
            given.append(frame.copy())
    assert len(given) < 40
    for k, frame in enumerate(given):
        np.testing.assert_array_equal(frame, pattern(k))


def test_a_video_that_ends_before_its_frame_count_is_an_error(tmp_path):
    """Frames decoded short of the count the video's packets give: lost frames."""
    video = write_video(tmp_path / "v.mkv", 5)
    with pytest.raises(PoseBridgeError, match=r"decoded only frames 2 to 4 of frames 2 to 7"):
        list(_video.read_frames(video, 2, 20, size=(WIDTH, HEIGHT), n_frames=8))
    assert len(list(_video.read_frames(video, 2, 20, size=(WIDTH, HEIGHT), n_frames=5))) == 3


def test_a_local_file_named_like_a_protocol_is_read_as_that_file(tmp_path, monkeypatch):
    """``concat:a.mkv`` is a file here; ffmpeg must not read a.mkv through its concat protocol."""
    write_video(tmp_path / "a.mkv", 3)
    shutil.copy(write_video(tmp_path / "b.mkv", 5, first=50), tmp_path / "concat:a.mkv")
    monkeypatch.chdir(tmp_path)
    named = Path("concat:a.mkv")
    assert _video.probe(named).n_frames == 5
    frames = list(_video.read_frames(named))
    assert len(frames) == 5
    np.testing.assert_array_equal(frames[0], pattern(50))
    np.testing.assert_array_equal(_video.read_frame(named, 4), pattern(54))
    write_video(Path("concat:out.mkv"), 2)  # written as that file too
    assert Path("concat:out.mkv").is_file()
    np.testing.assert_array_equal(_video.read_frame(Path("concat:out.mkv"), 1), pattern(1))
