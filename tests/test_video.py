"""posebridge._video: reading frames with ffmpeg, on small videos made here.

The videos are written with the module's own writer (FFV1 in Matroska, lossless),
each frame a different grey pattern, so a frame decoded can be told by its pixels.
A damaged video is made by zeroing bytes in the middle of such a file: the
Matroska demuxer then skips to the next readable cluster, losing frames.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
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
    with pytest.raises(PoseBridgeError, match=r"decoded only frames 2 to 4 of frames 2 to 7") as e:
        list(_video.read_frames(video, 2, 20, size=(WIDTH, HEIGHT), n_frames=8))
    # a count mismatch without an ffmpeg error is said as such, not as damage
    assert "holds 8 frames (0 to 7) by its packets" in str(e.value)
    assert "without reporting an error" in str(e.value)
    assert "damage" not in str(e.value)
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


def trimmed_video(tmp_path: Path) -> tuple[Path, Path]:
    """An H.264 MP4 of 40 frames, and a copy cut at 1.5 s without re-encoding.

    ``ffmpeg -ss 1.5 -i plain.mp4 -c copy cut.mp4`` keeps the packets from the
    key frame before the cut (frame 0 here) and an edit list that drops the
    frames before 1.5 s: the container holds 40 packets, 25 frames decode.
    """
    if "libx264" not in _video._encoders():
        pytest.skip("the bundled ffmpeg has no libx264")
    plain = tmp_path / "plain.mp4"
    writer = _video.write_frames(plain, (WIDTH, HEIGHT), 10.0, codec="libx264")
    for k in range(40):
        writer.send(pattern(k))
    writer.close()
    cut = tmp_path / "cut.mp4"
    exe = _video.ffmpeg("test").get_ffmpeg_exe()
    cmd = [exe, "-hide_banner", "-nostdin", "-loglevel", "error", "-ss", "1.5"]
    subprocess.run([*cmd, "-i", str(plain), "-c", "copy", str(cut)], check=True)
    return plain, cut


def test_a_video_trimmed_by_an_edit_list_has_the_frames_that_decode(tmp_path):
    """An edit list is part of the file: its frames are those players show, not its packets."""
    plain, cut = trimmed_video(tmp_path)
    every = list(_video.read_frames(plain))
    assert _video.probe(plain).n_frames == len(every) == 40
    n = _video.probe(cut).n_frames
    assert 0 < n < 40  # the 15 frames before the cut are not counted
    frames = list(_video.read_frames(cut))  # no error: the video is not damaged
    assert len(frames) == n
    for k, frame in enumerate(frames):  # frame k of the cut is frame 40 - n + k of the whole
        np.testing.assert_array_equal(frame, every[40 - n + k])
    np.testing.assert_array_equal(_video.read_frame(cut, n - 1), every[39])
    with pytest.raises(PoseBridgeError, match=rf"the video has {n} frames \(0 to {n - 1}\); "):
        _video.read_frame(cut, n + 2)


def test_packets_marked_to_be_dropped_are_not_counted():
    lines = (
        b"#tb 0: 1/15360\n"
        b"0,  -8704,  -7680,  512,  3461, 0xaac8dc17, F=0x5\n"  # key frame, dropped
        b"0,  -8192,  -6144,  512,   405, 0x42e0c513, F=0x4\n"  # dropped
        b"0,  -2048,      0,  512,   338, 0xb8eaa726, F=0x0\n"
        b"0,      0,    512,  512,    34, 0xc26c0cc2\n"  # key frame (no flags shown)
        b"0,    512,   1024,  512,    27, 0x857d0c5e, F=0x0, S=1, 8, 0x01230123\n"
    )
    assert _video._kept_packets(lines) == 3
    assert _video._kept_packets(b"") == 0


@pytest.mark.parametrize("fps", [1000.0, 2000.0, 1500.0, 29.97])
def test_probe_reads_a_high_speed_cameras_frame_rate(tmp_path, fps):
    """ffmpeg prints 1000 fps as '1k fps': probe found no rate, and render wrote a
    1000 fps video at 30 fps."""
    writer = _video.write_frames(
        tmp_path / "v.mkv", (WIDTH, HEIGHT), fps, codec="ffv1", pix_fmt="bgr0", quality=None
    )
    for k in range(3):
        writer.send(pattern(k))
    writer.close()
    assert _video.probe(tmp_path / "v.mkv").fps == pytest.approx(fps)


@pytest.mark.parametrize("call", [_video.probe, _video.read_frame])
def test_a_named_pipe_is_refused_not_waited_on_for_ever(tmp_path, call):
    """ffmpeg blocked opening the pipe, and SIGTERM did not end it."""
    pipe = tmp_path / "cam.mp4"
    os.mkfifo(pipe)
    with pytest.raises(PoseBridgeError, match=r"cam\.mp4: is not a regular file"):
        call(pipe)


@pytest.mark.parametrize(
    ("rate", "exact"), [("24000/1001", 24000 / 1001), ("30000/1001", 30000 / 1001)]
)
def test_probe_gives_an_ntsc_rate_exactly_not_as_ffmpeg_rounds_it(tmp_path, rate, exact):
    """ffmpeg shows 24000/1001 as '23.98 fps': render re-encoded at 23.98, drifting about
    0.6 s an hour from the source's timestamps."""
    exe = _video.ffmpeg("a test").get_ffmpeg_exe()
    source = f"testsrc=size={WIDTH}x{HEIGHT}:rate={rate}"
    subprocess.run(
        [exe, "-y", "-loglevel", "error", "-f", "lavfi", "-i", source, "-frames:v", "10",
         "-c:v", "mpeg4", str(tmp_path / "v.mp4")],
        check=True,
    )  # fmt: skip
    assert _video.probe(tmp_path / "v.mp4").fps == pytest.approx(exact, rel=1e-12)


@pytest.mark.parametrize(
    ("name", "codecs"),
    [
        ("a.mp4", ("libx264", "libopenh264", "mpeg4")),
        ("a.MKV", ("libx264", "libopenh264", "mpeg4")),
        ("a.gif", ("gif",)),
        ("a.webm", ("libvpx-vp9", "libvpx")),
        ("a.ogv", ("libtheora",)),
        ("a.wmv", ("msmpeg4",)),
    ],
)
def test_the_default_codec_is_chosen_by_the_ending(name, codecs):
    """h169 #3: every ending but .wmv got H.264, which .gif and .webm cannot hold."""
    assert _video.default_codec(name) in codecs


def test_a_writer_left_through_an_error_kills_ffmpeg_and_one_closed_encodes_all(tmp_path):
    """`writing` closes (every frame encoded) when its block ends and aborts (ffmpeg
    killed, no error of its own) when the block raises."""
    frames = [pattern(k) for k in range(5)]
    done = tmp_path / "done.mkv"
    with _video.writing(done, (WIDTH, HEIGHT), 10.0, codec="ffv1", pix_fmt="bgr0") as writer:
        for frame in frames:
            writer.send(frame)
    assert _video.probe(done).n_frames == 5
    with (
        pytest.raises(KeyboardInterrupt),
        _video.writing(tmp_path / "cut.mkv", (WIDTH, HEIGHT), 10.0, codec="ffv1") as writer,
    ):
        writer.send(frames[0])
        process = writer.gi_frame.f_locals["process"]
        raise KeyboardInterrupt
    assert process.returncode is not None and process.returncode < 0  # killed, not finished


@pytest.mark.skipif(
    "libvvenc" not in _video._encoders(), reason="needs ffmpeg's libvvenc (a slow encoder)"
)
def test_an_interrupt_while_a_writer_closes_kills_ffmpeg(tmp_path):
    """Ctrl-C while `close` waits for ffmpeg to encode the frames it holds (VVC: over 20 s
    for these) stopped the wait but left ffmpeg running; it is killed now."""
    import signal
    import threading
    import time

    rng = np.random.default_rng(0)
    writer = _video.write_frames(tmp_path / "v.mkv", (160, 128), 10.0, codec="libvvenc")
    for _ in range(20):
        writer.send(rng.integers(0, 255, (128, 160, 3), dtype=np.uint8))
    process = writer.gi_frame.f_locals["process"]
    main = threading.get_ident()
    timer = threading.Timer(1.0, signal.pthread_kill, (main, signal.SIGINT))
    assert process.poll() is None, "ffmpeg finished before the interrupt: nothing to stop"
    timer.start()
    started = time.monotonic()
    try:
        with pytest.raises(KeyboardInterrupt):
            writer.close()
    finally:  # a close done before the timer fires must not interrupt a later test
        timer.cancel()
        timer.join()
    assert time.monotonic() - started < 4
    assert process.returncode is not None and process.returncode < 0  # killed, not finished
