"""posebridge.render: poses drawn on a synthetic video, decoded and compared with the input.

The input videos are made here with imageio-ffmpeg. Lossless output (FFV1,
``bgr0``) is compared pixel for pixel with the decoded input: pixels near the
drawn points and edges change, every other pixel stays exactly the same. The
default H.264 output is checked with thresholds wide enough for codec blur.
"""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

import posebridge
from posebridge import _video, errors, labels, model
from posebridge._colours import colour_rgb
from posebridge.cli import cli
from posebridge.errors import FileExistsError, FileNotFoundError, PoseBridgeError
from posebridge.render import _draw, match_frames, render

pytest.importorskip("imageio_ffmpeg")

HEIGHT, WIDTH, N_FRAMES = 96, 128, 10
LOSSLESS = {"codec": "ffv1", "pix_fmt": "bgr0", "progress": False}


def frame_pattern(k: int) -> np.ndarray:
    """A smooth grey pattern, different in every frame (so frames cannot be confused)."""
    y, x = np.mgrid[0:HEIGHT, 0:WIDTH]
    grey = 60 + (x // 4 + y // 4 + 7 * k) % 50
    return np.repeat(grey[..., None], 3, axis=2).astype(np.uint8)


def write_video(path: Path, n: int = N_FRAMES, lossless: bool = True) -> Path:
    options = {"codec": "ffv1", "pix_fmt": "bgr0", "quality": None} if lossless else {}
    writer = _video.write_frames(path, (WIDTH, HEIGHT), 10.0, **options)
    for k in range(n):
        writer.send(frame_pattern(k))
    writer.close()
    return path


@pytest.fixture
def video(tmp_path) -> Path:
    return write_video(tmp_path / "input.mkv")


def decoded(path: Path) -> np.ndarray:
    return np.stack(list(_video.read_frames(path)))


def poses_at(frames: list[int], n_individuals: int = 2) -> tuple[xr.Dataset, np.ndarray]:
    """Poses with 3 keypoints and 2 edges at the given frame numbers; different every step."""
    rng = np.random.default_rng(len(frames))
    position = rng.uniform(15, 80, size=(len(frames), 2, 3, n_individuals))
    position[:, 0] += np.arange(n_individuals) * 40  # animals apart in x
    ds = model.from_numpy(position, keypoint_names=["a", "b", "c"])
    ds = ds.assign_coords(time=np.asarray(frames, dtype=np.int64))
    ds["skeleton_edges"] = (("edge", "edge_node"), np.array([["a", "b"], ["b", "c"]]))
    return ds, position


def distance_to_drawing(points: np.ndarray, edges: list[tuple[int, int]]) -> np.ndarray:
    """Per pixel, its distance to the nearest point or edge of one time step.

    ``points`` (space, keypoint, individual); computed here with plain numpy
    geometry, independently of the drawing code.
    """
    y, x = np.mgrid[0:HEIGHT, 0:WIDTH]
    pixels = np.stack([x.ravel(), y.ravel()], axis=1).astype(float)
    best = np.full(pixels.shape[0], np.inf)
    for i in range(points.shape[2]):
        for k in range(points.shape[1]):
            best = np.minimum(best, np.hypot(*(pixels - points[:, k, i]).T))
        for a, b in edges:
            p, q = points[:, a, i], points[:, b, i]
            t = np.clip(((pixels - p) @ (q - p)) / ((q - p) @ (q - p)), 0, 1)
            best = np.minimum(best, np.hypot(*(pixels - (p + t[:, None] * (q - p))).T))
    return best.reshape(HEIGHT, WIDTH)


def test_points_and_edges_are_drawn_and_nothing_else_changes(video, tmp_path):
    ds, position = poses_at([0, 1, 2, 3])
    out = render(ds, video, tmp_path / "out.mkv", names=False, radius=3, thickness=1, **LOSSLESS)
    before, after = decoded(video), decoded(out)
    assert after.shape == (4, HEIGHT, WIDTH, 3)
    for k in range(4):
        changed = (after[k] != before[k]).any(axis=2)
        distance = distance_to_drawing(position[k], [(0, 1), (1, 2)])
        assert not changed[distance > 3 + 1 + 1.5].any()  # disc, its dark rim, rounding
        for i in range(2):
            for point in position[k, :, :, i].T:
                x, y = np.rint(point).astype(int)
                assert tuple(after[k, y, x]) == colour_rgb(i)
            middle = np.rint((position[k, :, 0, i] + position[k, :, 1, i]) / 2).astype(int)
            assert (after[k, middle[1], middle[0]] != before[k, middle[1], middle[0]]).any()


def test_video_frames_get_the_poses_of_their_number_not_of_their_position(video, tmp_path):
    frames = [2, 3, 7]
    ds, position = poses_at(frames)
    out = render(ds, video, tmp_path / "out.mkv", names=False, radius=2, **LOSSLESS)
    before, after = decoded(video), decoded(out)
    assert after.shape[0] == 6  # frames 2 to 7
    for k, number in enumerate(range(2, 8)):
        if number in (4, 5, 6):
            np.testing.assert_array_equal(after[k], before[number])  # no poses: untouched
            continue
        row = frames.index(number)
        changed = (after[k] != before[number]).any(axis=2)
        assert not changed[distance_to_drawing(position[row], [(0, 1), (1, 2)]) > 4.5].any()
        x, y = np.rint(position[row, :, 2, 1]).astype(int)
        assert tuple(after[k, y, x]) == colour_rgb(1)


def test_frame_range_and_individuals_are_chosen(video, tmp_path):
    ds, position = poses_at(list(range(N_FRAMES)))
    out = render(
        ds,
        video,
        tmp_path / "out.mkv",
        frames=(5, 6),
        individuals=["id_1"],
        names=False,
        **LOSSLESS,
    )
    before, after = decoded(video), decoded(out)
    assert after.shape[0] == 2
    for k, number in enumerate((5, 6)):
        x, y = np.rint(position[number, :, 0, 1]).astype(int)
        assert tuple(after[k, y, x]) == colour_rgb(1)  # its colour when all are drawn
        changed = (after[k] != before[number]).any(axis=2)
        only_id_1 = distance_to_drawing(position[number][:, :, 1:], [(0, 1), (1, 2)])
        assert not changed[only_id_1 > 4.5].any()  # id_0 is not drawn


def test_track_names_are_written_above_the_track(video, tmp_path):
    ds, position = poses_at([0], n_individuals=1)
    quiet = render(ds, video, tmp_path / "quiet.mkv", names=False, **LOSSLESS)
    named = render(ds, video, tmp_path / "named.mkv", names=True, **LOSSLESS)
    difference = (decoded(named)[0] != decoded(quiet)[0]).any(axis=2)
    rows, cols = np.nonzero(difference)
    assert rows.size > 10
    assert rows.max() < position[0, 1].min()  # above the highest point
    assert abs(cols.mean() - position[0, 0, np.argmin(position[0, 1]), 0]) < 12  # centred on it


def test_track_names_the_font_cannot_draw_are_named_in_a_warning(video, tmp_path):
    ds, _ = poses_at([0])
    lettered = ds.assign_coords(individual=["mouse", "cat"]).assign_attrs(source_file="p.h5")
    boxed = lettered.assign_coords(individual=["鼠", "猫"])
    box = _draw.text_stamp("鼠")  # the premise: both names draw as the very same box
    assert np.array_equal(box.dx, _draw.text_stamp("猫").dx)
    assert np.array_equal(box.dy, _draw.text_stamp("猫").dy)
    with pytest.warns(UserWarning, match=r"p\.h5: the track names \['鼠', '猫'\] are drawn "):
        render(boxed, video, tmp_path / "boxed.mkv", **LOSSLESS)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        render(lettered, video, tmp_path / "lettered.mkv", **LOSSLESS)
        render(boxed, video, tmp_path / "unnamed.mkv", names=False, **LOSSLESS)
    assert _draw.missing_glyphs("鼠 mouse 猫 鼠") == "鼠猫"


def test_accented_and_cyrillic_track_names_are_drawn_apart_and_without_a_warning(video, tmp_path):
    """Pillow's default font drew 'é', 'Ä' and Cyrillic as its empty box: 'souris-é' and
    'souris-è' were one name in the video. matplotlib (installed by make) has DejaVu Sans."""
    names = ["souris-\u00e9", "souris-\u00e8", "\u043c\u044b\u0448\u044c"]
    stamps = [_draw.text_stamp(name) for name in names]
    assert not np.array_equal(stamps[0].dx, stamps[1].dx) or not np.array_equal(
        stamps[0].dy, stamps[1].dy
    )
    assert [_draw.missing_glyphs(name) for name in names] == ["", "", ""]
    ds, _ = poses_at([0])
    lettered = ds.assign_coords(individual=names[:2])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        render(lettered, video, tmp_path / "accents.mkv", **LOSSLESS)


def test_boxes_are_outlined(video, tmp_path):
    centre = np.array([[[40.0], [50.0]]]).repeat(2, axis=0)  # (time, space, individual)
    shape = np.array([[[30.0], [20.0]]]).repeat(2, axis=0)
    ds = model.bboxes_from_numpy(centre, shape, individual_names=["crab"])
    out = render(ds, video, tmp_path / "out.mkv", names=False, thickness=1, **LOSSLESS)
    before, after = decoded(video), decoded(out)
    assert tuple(after[0, 50, 25]) == colour_rgb(0)  # left side at x = 40 - 15
    assert tuple(after[0, 40, 40]) == colour_rgb(0)  # top side at y = 50 - 10
    np.testing.assert_array_equal(after[0, 45:56, 30:51], before[0, 45:56, 30:51])  # inside


def test_boxes_below_min_confidence_are_left_out(video, tmp_path):
    """min_confidence left every box drawn: it applied to keypoints only."""
    centre = np.array([[[40.0, 90.0], [50.0, 50.0]]])  # (time, space, individual)
    shape = np.full((1, 2, 2), 20.0)
    ds = model.bboxes_from_numpy(centre, shape, np.array([[0.9, 0.01]]))
    out = render(ds, video, tmp_path / "out.mkv", names=False, min_confidence=0.5, **LOSSLESS)
    before, after = decoded(video)[0], decoded(out)[0]
    assert tuple(after[50, 30]) == colour_rgb(0)  # left side of the first box at x = 40 - 10
    np.testing.assert_array_equal(after[35:66, 75:106], before[35:66, 75:106])  # second: none


def test_a_track_keeps_its_colour_when_drawn_alone(video, tmp_path):
    ds, position = poses_at([0], n_individuals=3)
    out = render(ds, video, tmp_path / "out.mkv", individuals=["id_2"], names=False, **LOSSLESS)
    x, y = np.rint(position[0, :, 0, 2]).astype(int)
    assert tuple(decoded(out)[0, y, x]) == colour_rgb(2)


def test_poses_of_several_views_are_refused_also_with_individuals_chosen(video, tmp_path):
    """With individuals=, the first view was drawn on the video given, with a warning."""
    ds, _ = poses_at([0])
    other = ds.assign(position=ds.position + 5)
    both = xr.concat([ds, other], dim=xr.DataArray(["cam1", "cam2"], dims="view"))
    with pytest.raises(PoseBridgeError, match="2 camera views; render one"):
        render(both, video, tmp_path / "out.mkv", individuals=["id_0"], **LOSSLESS)
    assert not (tmp_path / "out.mkv").exists()


def test_default_mp4_output_with_codec_blur(tmp_path):
    video = write_video(tmp_path / "input.mp4", lossless=False)
    ds, position = poses_at([1, 2, 3], n_individuals=1)
    out = render(ds, video, tmp_path / "out.mp4", names=False, radius=4, progress=False)
    before, after = decoded(video)[1:4].astype(int), decoded(out).astype(int)
    assert _video.probe(out).n_frames == 3
    for k in range(3):
        distance = distance_to_drawing(position[k], [(0, 1), (1, 2)])
        difference = np.abs(after[k] - before[k]).mean(axis=2)
        x, y = np.rint(position[k, :, 0, 0]).astype(int)
        assert difference[y, x] > 30
        assert difference[distance > 14].mean() < 3


def test_labels_of_one_video_render_at_their_frame_numbers(video, tmp_path):
    position = np.full((2, 2, 1, 1), 30.0)
    position[1] = 60.0
    ds = labels.from_numpy(position, video=["input.mkv"] * 2, frame=[6, 3])
    out = render(ds, video, tmp_path / "out.mkv", names=False, **LOSSLESS)
    after = decoded(out)  # frames 3..6
    assert tuple(after[0, 60, 60]) == colour_rgb(0) and tuple(after[3, 30, 30]) == colour_rgb(0)


def test_labels_of_several_videos_render_the_frames_of_the_video_given(video, tmp_path):
    """f130 (h142 side note): labels of several videos were refused on any video; the
    frames of the one that is the video given (by file name, without ending, folders in
    Windows spelling too) are drawn, the others' left out."""
    position = np.full((3, 2, 1, 1), 30.0)
    position[1] = 60.0
    ds = labels.from_numpy(
        position, video=["other.mp4", "C:\\lab\\input.avi", "other.mp4"], frame=[3, 5, 4]
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = render(ds, video, tmp_path / "out.mkv", names=False, **LOSSLESS)
    alone = render(
        labels.as_poses(ds, video=1), video, tmp_path / "a.mkv", names=False, **LOSSLESS
    )
    after = decoded(out)
    assert after.shape[0] == 1  # frame 5 only: frames 3 and 4 are other.mp4's
    np.testing.assert_array_equal(after, decoded(alone))
    assert tuple(after[0, 60, 60]) == colour_rgb(0)


def test_labels_of_several_videos_none_of_them_the_one_given_are_refused_naming_them(
    video, tmp_path
):
    ds = labels.from_numpy(np.zeros((2, 2, 1, 1)), video=["a.mp4", "b.mp4"], frame=[0, 1])
    with pytest.raises(PoseBridgeError, match=r"several videos \('a.mp4', 'b.mp4'\) and none"):
        render(ds, video, tmp_path / "out.mkv", **LOSSLESS)
    assert not (tmp_path / "out.mkv").exists()


def test_labels_of_one_name_in_two_folders_take_the_folder_of_the_video_given(tmp_path):
    """cam1/input.mkv and cam2/input.mkv: the path given decides; a path that is neither
    is refused naming both rather than drawing one camera's frames on the other's video."""
    position = np.full((2, 2, 1, 1), 30.0)
    position[1] = 60.0
    ds = labels.from_numpy(position, video=["cam1/input.mkv", "cam2/input.mkv"], frame=[2, 2])
    (tmp_path / "cam2").mkdir()
    video = write_video(tmp_path / "cam2" / "input.mkv")
    out = render(ds, video, tmp_path / "out.mkv", names=False, **LOSSLESS)
    assert tuple(decoded(out)[0, 60, 60]) == colour_rgb(0)
    elsewhere = write_video(tmp_path / "input.mkv")
    with pytest.raises(PoseBridgeError, match=r"2 of them \('cam1/input.mkv', 'cam2/input"):
        render(ds, elsewhere, tmp_path / "out2.mkv", **LOSSLESS)


def test_labels_of_one_video_drawn_on_a_video_of_another_name_warn_naming_both(video, tmp_path):
    """f130 (h142 side note): the labels' video name was never compared with the video
    given, so labels were drawn on an unrelated video of the right length without a word."""
    ds = labels.from_numpy(np.full((2, 2, 1, 1), 30.0), video=["clip.mp4"] * 2, frame=[1, 2])
    with pytest.warns(UserWarning, match=r"frames of 'clip.mp4', but they are drawn on .*input"):
        render(ds, video, tmp_path / "out.mkv", **LOSSLESS)
    assert (tmp_path / "out.mkv").exists()


def test_match_frames_maps_video_frames_to_time_steps():
    ds = model.from_numpy(np.zeros((3, 2, 1, 1)), fps=10.0)
    ds = ds.assign_coords(frame=("time", np.array([4, 5, 9])))
    assert match_frames(ds, 3, 9).tolist() == [-1, 0, 1, -1, -1, -1, 2]


# --------------------------------------------------------------------------
# bad input


def test_a_video_shorter_than_the_poses_is_an_error(video, tmp_path):
    ds, _ = poses_at([0, 5, N_FRAMES + 2])
    with pytest.raises(PoseBridgeError, match=r"shorter than the poses: it has 10 frames"):
        render(ds, video, tmp_path / "out.mkv", **LOSSLESS)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["input.mkv"]


def test_a_video_shorter_than_the_poses_is_refused_naming_both_files(video, tmp_path):
    """f157: the message named the video only (the check is now plot's too)."""
    ds, _ = poses_at([0, N_FRAMES + 2])
    ds.attrs["source_file"] = "session1.slp"
    said = rf"input\.mkv: .* and the poses of session1\.slp reach frame {N_FRAMES + 2}\."
    with pytest.raises(PoseBridgeError, match=said):
        render(ds, video, tmp_path / "out.mkv", **LOSSLESS)


def test_a_video_that_does_not_open_is_an_error(tmp_path):
    bad = tmp_path / "broken.mp4"
    bad.write_bytes(b"\x00\x01 this is not a video")
    ds, _ = poses_at([0])
    with pytest.raises(PoseBridgeError, match="broken.mp4: could not be opened as a video"):
        render(ds, bad, tmp_path / "out.mp4", progress=False)
    with pytest.raises(FileNotFoundError):
        render(ds, tmp_path / "absent.mp4", tmp_path / "out.mp4", progress=False)
    assert not (tmp_path / "out.mp4").exists()


@pytest.mark.parametrize(
    ("frames", "message"),
    [
        ((8, 9), "p.h5: the frame range 8:9 holds no poses"),
        ((None, 1), "p.h5: the frame range :1 holds no poses: the poses' frames run from 2"),
        ((8, None), "p.h5: the frame range 8: holds no poses: the poses' frames run from 2"),
        ((2, 15), "the frame range 2:15 ends after the video's last frame"),
        ((6, 4), r"p.h5: the frame range 6:4 \(frames=\) is empty or negative"),
        ((-1, 4), r"p.h5: the frame range -1:4 \(frames=\) is empty or negative"),
        ((None, -4), r"p.h5: the frame range :-4 \(frames=\) is empty or negative"),
    ],
)
def test_a_range_outside_the_data_is_an_error(video, tmp_path, frames, message):
    """An open end of a range that holds no poses was filled in (``:1`` said 2:1 is empty)."""
    ds, _ = poses_at([2, 3, 7])
    ds.attrs["source_file"] = "p.h5"
    with pytest.raises(PoseBridgeError, match=message):
        render(ds, video, tmp_path / "out.mkv", frames=frames, **LOSSLESS)


@pytest.mark.parametrize(
    "option",
    [
        {"radius": np.nan},
        {"radius": np.inf},
        {"radius": 1e308},  # raised OverflowError; 1e5 would allocate a (2e5)^2 disc
        {"radius": -5},  # drew nothing, silently
        {"thickness": 0},
        {"thickness": WIDTH + 1},
        {"min_confidence": np.nan},  # compared False with every score: nothing left out
    ],
    ids=lambda option: f"{next(iter(option))}={next(iter(option.values()))}",
)
def test_drawing_sizes_and_the_confidence_floor_are_checked_before_writing(
    video, tmp_path, option
):
    ds, _ = poses_at([2, 3])
    with pytest.raises(PoseBridgeError, match=next(iter(option))):
        render(ds, video, tmp_path / "out.mkv", **option, **LOSSLESS)
    assert not (tmp_path / "out.mkv").exists()


@pytest.mark.parametrize(
    ("option", "error"),
    [
        ({"radius": "3"}, errors.TypeError),  # was drawn as 3
        ({"thickness": True}, errors.TypeError),
        ({"names": "no"}, errors.TypeError),  # was true: names written
        ({"frames": 5}, errors.TypeError),
        ({"frames": (0, 2.5)}, errors.TypeError),
        ({"individuals": 5}, errors.TypeError),
        ({"min_confidence": "x"}, errors.TypeError),  # README: only a number is taken
        ({"quality": "x"}, errors.TypeError),
        ({"quality": -5}, PoseBridgeError),  # was imageio's AssertionError
        ({"quality": 11}, PoseBridgeError),
        ({"fps": "30"}, errors.TypeError),
        ({"fps": 0}, PoseBridgeError),  # was the video's rate, silently
        ({"codec": 5}, errors.TypeError),
        ({"codec": ""}, errors.TypeError),
        ({"pix_fmt": ["bgr0"]}, errors.TypeError),
        ({"overwrite": "yes"}, errors.TypeError),
        ({"progress": "no"}, errors.TypeError),
    ],
    ids=lambda value: repr(value) if isinstance(value, dict) else "",
)
def test_wrong_option_values_are_refused_naming_the_option(video, tmp_path, option, error):
    ds, _ = poses_at([2, 3])
    with pytest.raises(error, match=next(iter(option))) as raised:
        render(ds, video, tmp_path / "out.mkv", **{**LOSSLESS, **option})
    assert type(raised.value) is error
    assert sorted(p.name for p in tmp_path.iterdir()) == ["input.mkv"]


def test_wrong_dataset_video_or_output_types_are_posebridge_type_errors(video, tmp_path):
    ds, _ = poses_at([2, 3])
    for args, name in [((ds.position, video, "o.mkv"), "'ds'"), ((ds, 5, "o.mkv"), "'video'"),
                       ((ds, video, 5), "'out'")]:  # fmt: skip
        with pytest.raises(errors.TypeError, match=name):
            render(*args, **LOSSLESS)


@pytest.mark.parametrize(
    ("name", "option", "said"),
    [
        ("out.mp4", {"codec": "bogus"}, "codec='bogus'.*Unknown encoder 'bogus'"),
        ("out.mkv", {"codec": "ffv1", "pix_fmt": "bogus"}, "pix_fmt='bogus'.*bogus"),
        ("out.txt", {}, r"file ending '\.txt'.*output format"),
        ("out", {}, "no file ending.*output format"),
        ("out.webm", {"codec": "libx264"}, "codec='libx264'.*WebM"),  # H.264 is not WebM's
    ],
)
def test_what_ffmpeg_cannot_write_is_refused_before_a_frame_is(
    video, tmp_path, capfd, name, option, said
):
    ds, _ = poses_at([2, 3])
    out = tmp_path / name
    capfd.readouterr()
    with pytest.raises(PoseBridgeError, match=said) as raised:
        render(ds, video, out, progress=False, **option)
    assert str(raised.value).startswith(f"{out}: ffmpeg cannot write this video (")
    message = str(raised.value)
    assert "FFMPEG COMMAND" not in message and "trial" not in message  # ours, not a temporary
    assert sorted(p.name for p in tmp_path.iterdir()) == ["input.mkv"]  # no temporary left
    assert capfd.readouterr().err == ""  # ffmpeg's messages are in the error, not on the terminal


def test_a_writer_ffmpeg_gives_up_on_is_a_posebridge_error_naming_the_file(tmp_path, capfd):
    target = tmp_path / "frames.txt"
    capfd.readouterr()
    with pytest.raises(PoseBridgeError, match=r"frames\.txt: ffmpeg could not write the video \("):
        writer = _video.write_frames(target, (WIDTH, HEIGHT), 10.0, codec="ffv1")
        for k in range(N_FRAMES):
            writer.send(frame_pattern(k))
        writer.close()
    assert capfd.readouterr().err == ""


@pytest.mark.parametrize("quality", [0, 10, 2.5])
def test_quality_takes_the_documented_0_to_10(video, tmp_path, quality):
    ds, _ = poses_at([2, 3])
    out = render(ds, video, tmp_path / "out.mp4", quality=quality, progress=False)
    assert _video.probe(out).n_frames == 2


def test_one_track_may_be_named_by_itself(video, tmp_path):
    ds, _ = poses_at([2, 3])
    one = render(ds, video, tmp_path / "one.mkv", individuals="id_1", **LOSSLESS)
    listed = render(ds, video, tmp_path / "listed.mkv", individuals=["id_1"], **LOSSLESS)
    np.testing.assert_array_equal(decoded(one), decoded(listed))


def test_poses_without_frame_numbers_are_refused(video, tmp_path):
    ds = model.from_numpy(np.zeros((3, 2, 1, 1))).assign_coords(time=[0.0, 0.5, 1.25])
    ds.attrs.update(time_unit="seconds", source_file="p.h5")
    with pytest.raises(PoseBridgeError, match="p.h5: .*cannot be matched to video frames"):
        render(ds, video, tmp_path / "out.mkv", **LOSSLESS)


def test_poses_with_steps_at_one_frame_are_refused_naming_the_file_frame_and_steps(
    video, tmp_path
):
    ds, _ = poses_at([2, 3, 7, 3])
    ds.attrs["source_file"] = "p.h5"
    said = r"p\.h5: several .* same frame number: 2 steps \(indices \[1, 3\]\) are at frame 3"
    with pytest.raises(PoseBridgeError, match=said):
        render(ds, video, tmp_path / "out.mkv", **LOSSLESS)


def test_poses_at_fractional_frame_times_are_refused_not_truncated(video, tmp_path):
    """Times 0.6, 1.6, 2.6 in frames were drawn on frames 0, 1, 2 without a word."""
    ds, _ = poses_at([0, 1, 2])
    ds = ds.assign_coords(time=[0.6, 1.6, 2.6])
    with pytest.raises(PoseBridgeError, match="whole numbers; got 0.6 at index 0"):
        render(ds, video, tmp_path / "out.mkv", **LOSSLESS)
    assert not (tmp_path / "out.mkv").exists()


def test_a_nan_time_is_named_with_its_index(video, tmp_path):
    """It was reported as the negative frame number -9223372036854775808."""
    ds, _ = poses_at([0, 1, 2])
    ds = ds.assign_coords(time=[0.0, np.nan, 2.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # numpy's cast of NaN warned first
        with pytest.raises(PoseBridgeError, match="Coordinate 'time' .*NaN at index 1") as raised:
            render(ds, video, tmp_path / "out.mkv", **LOSSLESS)
    assert "negative" not in str(raised.value)


def test_an_individual_named_twice_is_refused_not_drawn_twice(video, tmp_path):
    ds, _ = poses_at([0, 1])
    with pytest.raises(PoseBridgeError, match="individual 'id_1' is named twice"):
        render(ds, video, tmp_path / "out.mkv", individuals=["id_1", "id_1"], **LOSSLESS)
    assert not (tmp_path / "out.mkv").exists()


def test_labels_of_several_videos_are_refused(video, tmp_path):
    ds = labels.from_numpy(np.zeros((2, 2, 1, 1)), video=["a.mp4", "b.mp4"], frame=[0, 1])
    with pytest.raises(PoseBridgeError, match="several videos"):
        render(ds, video, tmp_path / "out.mkv", **LOSSLESS)


def test_an_existing_output_is_kept_without_overwrite(video, tmp_path):
    ds, _ = poses_at([0])
    target = tmp_path / "out.mkv"
    target.write_bytes(b"keep")
    with pytest.raises(FileExistsError):
        render(ds, video, target, **LOSSLESS)
    assert target.read_bytes() == b"keep"
    render(ds, video, target, overwrite=True, **LOSSLESS)
    assert _video.probe(target).n_frames == 1


@pytest.mark.parametrize("onto", ["poses file", "video", "link to the video"])
def test_render_onto_one_of_its_inputs_is_refused_even_with_overwrite(video, tmp_path, onto):
    """Only ``posebridge render`` refused it: render() replaced the input with the video."""
    import posebridge

    poses_file = tmp_path / "poses.nc"
    posebridge.save(poses_at([0, 1])[0], poses_file)
    ds = posebridge.load(poses_file)
    source = poses_file if onto == "poses file" else video
    target = source
    if onto == "link to the video":
        target = tmp_path / "link.mkv"
        target.symlink_to(video.name)
    data = source.read_bytes()
    before = sorted(p.name for p in tmp_path.iterdir())
    with pytest.raises(PoseBridgeError) as caught:
        render(ds, video, target, overwrite=True, **LOSSLESS)
    assert str(caught.value) == (
        f"{target}: is the input file ({source}); writing the video there would replace the "
        "original: write to another file."
    )
    assert source.read_bytes() == data
    assert sorted(p.name for p in tmp_path.iterdir()) == before


@pytest.mark.parametrize("name", ["clip%d.mp4", "clip_%03d.mkv"])
def test_a_percent_d_in_a_video_name_is_written_as_typed(video, tmp_path, name):
    """ffmpeg reads %d as a pattern only for image endings: a video keeps its name."""
    ds, _ = poses_at([0, 1, 2])
    out = tmp_path / "out" / name
    out.parent.mkdir()
    assert render(ds, video, out, progress=False) == out
    assert [p.name for p in out.parent.iterdir()] == [name]
    assert _video.probe(out).n_frames == 3


@pytest.mark.parametrize("name", ["i%d.png", "i%03d.jpg", "frame_%5d.tiff"])
def test_an_image_sequence_name_is_refused_and_leaves_nothing(video, tmp_path, name):
    """ffmpeg wrote one image per frame, named after the temporary, and left them."""
    ds, _ = poses_at([0, 1, 2])
    out = tmp_path / "out" / name
    out.parent.mkdir()
    with pytest.raises(PoseBridgeError, match="image-sequence pattern") as caught:
        render(ds, video, out, progress=False)
    assert str(caught.value).startswith(f"{out}: ")
    assert list(out.parent.iterdir()) == []


# --------------------------------------------------------------------------
# the numpy drawing primitives


def test_disc_and_segment_points():
    assert _draw.disc(0).dy.size == 1
    assert _draw.disc(2).dy.size == 13
    x, y, owner = _draw.segment_points(
        np.array([0.0, np.nan, 10.0]),
        np.array([0.0, 1.0, 10.0]),
        np.array([0.0, 5.0, 10.0]),
        np.array([4.0, 5.0, 13.0]),
        limit=100,
    )
    assert owner.tolist() == [0] * 5 + [2] * 4  # the NaN segment is dropped
    assert y[:5].tolist() == [0.0, 1.0, 2.0, 3.0, 4.0]
    assert x[-1] == 10.0 and y[-1] == 13.0


def test_stamp_ignores_nan_and_far_away_anchors():
    image = np.zeros((10, 10, 3), dtype=np.uint8)
    x = np.array([np.nan, 1e15, -1e15, 0.0])
    y = np.array([5.0, 5.0, 5.0, 0.0])
    _draw.stamp(image, x, y, np.full((4, 3), 200, dtype=np.uint8), _draw.disc(1))
    painted = np.argwhere(image[..., 0] == 200).tolist()
    assert painted == [[0, 0], [0, 1], [1, 0]]  # the corner disc, clipped to the frame


@pytest.mark.parametrize("suffix", [".mp4", ".mkv"])
def test_odd_frame_sizes_are_padded_for_h264_never_scaled(tmp_path, suffix):
    """The default codec (H.264) pads odd sides in any container, so pixels keep their place."""
    video = tmp_path / "odd.mkv"
    writer = _video.write_frames(video, (65, 49), 10.0, codec="ffv1", pix_fmt="bgr0", quality=None)
    writer.send(np.full((49, 65, 3), 120, dtype=np.uint8))
    writer.close()
    ds = model.from_numpy(np.full((1, 2, 1, 1), 30.0))
    out = render(ds, video, tmp_path / f"out{suffix}", names=False, radius=3, progress=False)
    info = _video.probe(out)
    assert (info.width, info.height) == (66, 50)
    frame = next(_video.read_frames(out)).astype(int)
    assert np.abs(frame[30, 30] - colour_rgb(0)).max() < 40  # the point stays at (30, 30)
    assert np.abs(frame[5:20, 40:60] - 120).max() < 8


def test_points_below_min_confidence_are_left_out(video, tmp_path):
    position = np.array([[[[20.0], [70.0]], [[20.0], [60.0]]]])  # (1, space, 2 keypoints, 1)
    confidence = np.array([[[0.9], [0.2]]])
    ds = model.from_numpy(position, confidence)
    out = render(ds, video, tmp_path / "out.mkv", names=False, min_confidence=0.5, **LOSSLESS)
    before, after = decoded(video)[0], decoded(out)[0]
    assert tuple(after[20, 20]) == colour_rgb(0)
    np.testing.assert_array_equal(after[50:71, 60:81], before[50:71, 60:81])  # (70, 60) left out


# --------------------------------------------------------------------------
# what cannot be drawn on the video


def damaged_copy(tmp_path: Path, n: int = 40) -> Path:
    """A video of ``n`` frames with 2 kB zeroed in its middle: ffmpeg exits 0, frames lost."""
    data = bytearray(write_video(tmp_path / "long.mkv", n).read_bytes())
    middle = len(data) // 2
    data[middle : middle + 2000] = bytes(2000)
    damaged = tmp_path / "damaged.mkv"
    damaged.write_bytes(bytes(data))
    assert _video.probe(damaged).n_frames < n  # the demuxer skipped frames
    return damaged


def test_a_damaged_video_is_refused_not_drawn_on_shifted_frames(tmp_path):
    video = damaged_copy(tmp_path)
    n = _video.probe(video).n_frames
    ds, _ = poses_at(list(range(n)))
    with pytest.raises(PoseBridgeError, match="ffmpeg reports damage in the video") as raised:
        render(ds, video, tmp_path / "out.mkv", **LOSSLESS)
    assert str(raised.value).startswith(f"{video}: ")
    assert not (tmp_path / "out.mkv").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["damaged.mkv", "long.mkv"]


def test_3d_poses_are_refused_world_coordinates_are_not_pixels(video, tmp_path):
    ds = model.from_numpy(np.full((2, 3, 2, 1), 30.0)).assign_attrs(source_file="mouse3d.csv")
    with pytest.raises(PoseBridgeError, match=r"^mouse3d\.csv: the poses are 3D") as raised:
        render(ds, video, tmp_path / "out.mkv", **LOSSLESS)
    assert "projection" in str(raised.value) and str(video) in str(raised.value)
    assert not (tmp_path / "out.mkv").exists()


def test_labelled_still_images_are_refused_they_are_no_frames_of_the_video(video, tmp_path):
    """COCO-like labels: image numbers (here 4 and 7) are not frame numbers of any video."""
    ds = labels.from_numpy(np.full((2, 2, 1, 1), 30.0), image_path=["000004.jpg", "000007.jpg"])
    assert ds["video"].values.tolist() == ["", ""]
    with pytest.raises(PoseBridgeError, match="still images of no video") as raised:
        render(ds, video, tmp_path / "out.mkv", **LOSSLESS)
    assert "'000004.jpg'" in str(raised.value)
    assert not (tmp_path / "out.mkv").exists()


def test_a_video_of_another_size_than_the_poses_video_is_refused(video, tmp_path):
    ds, _ = poses_at([0, 1])
    ds.attrs.update(video_width=2 * WIDTH, video_height=2 * HEIGHT, source_file="p.slp")
    said = r"is 128 x 96 pixels, but the poses' video was 256 x 192 \(.*video_height of p\.slp\)"
    with pytest.raises(PoseBridgeError, match=said):
        render(ds, video, tmp_path / "out.mkv", **LOSSLESS)
    assert not (tmp_path / "out.mkv").exists()
    ds.attrs.update(video_width=WIDTH, video_height=HEIGHT)
    assert _video.probe(render(ds, video, tmp_path / "out.mkv", **LOSSLESS)).n_frames == 2


@pytest.mark.parametrize("dim", ["keypoint", "individual"])
def test_poses_with_nothing_to_draw_are_refused(video, tmp_path, dim):
    """posebridge itself writes files with no keypoints; they gave a raw ValueError."""
    ds, _ = poses_at([0, 1])
    with pytest.raises(PoseBridgeError, match=f"no {dim}s") as raised:
        render(ds.isel({dim: []}), video, tmp_path / "out.mkv", **LOSSLESS)
    assert type(raised.value) is PoseBridgeError
    assert not (tmp_path / "out.mkv").exists()


@pytest.mark.parametrize(
    ("change", "said"),
    [
        (lambda ds: ds.drop_vars("position"), "no 'position' variable"),
        (lambda ds: ds.isel(space=[0]), r"space 'x', 'y'"),
        (lambda ds: ds.rename(keypoint="keypoints"), "must have dims"),
    ],
    ids=["no-position", "1d-space", "other-dims"],
)
def test_a_dataset_outside_the_model_is_a_schema_error(video, tmp_path, change, said):
    ds, _ = poses_at([0, 1])
    with pytest.raises(errors.SchemaError, match=said):
        render(change(ds), video, tmp_path / "out.mkv", **LOSSLESS)


def test_the_progress_bar_is_shown_by_default_only_when_stderr_is_a_terminal(video, tmp_path):
    """render drew its bar into a stderr that was a pipe or a log file (convert and batch
    show theirs only on a terminal); progress=True still shows it, --quiet hides it."""
    ds, _ = poses_at(list(range(N_FRAMES)))
    poses = tmp_path / "poses.nc"
    posebridge.save(ds, poses)
    command = [sys.executable, "-m", "posebridge", "render", str(poses), "--video", str(video),
               "--codec", "ffv1", "-o"]  # fmt: skip
    quiet = subprocess.run([*command, str(tmp_path / "a.mkv")], capture_output=True, text=True)
    assert quiet.returncode == 0, quiet.stderr
    assert "frame/s" not in quiet.stderr and "%|" not in quiet.stderr

    shown = io.StringIO()
    with contextlib.redirect_stderr(shown):
        render(ds, video, tmp_path / "b.mkv", codec="ffv1", pix_fmt="bgr0", progress=True)
        render(ds, video, tmp_path / "c.mkv", codec="ffv1", pix_fmt="bgr0")  # a StringIO: none
    # the bar names its output; tqdm may redraw the last step once more on a slow machine
    assert f"{N_FRAMES}/{N_FRAMES}" in shown.getvalue()
    assert "b.mkv" in shown.getvalue() and "c.mkv" not in shown.getvalue()


def test_render_cli_refuses_an_output_that_leads_to_a_file_read_with_the_input(video, tmp_path):
    """`posebridge render --overwrite` replaced a file that is idtracker.ai's
    id_probabilities.csv (read beside trajectories.csv) under another name (a hard link);
    convert refused that already."""
    from click.testing import CliRunner

    folder = tmp_path / "csv"
    folder.mkdir()
    trajectories = folder / "trajectories.csv"
    trajectories.write_text("x1,y1,x2,y2\n10,20,30,40\n12,22,32,42\n14,24,34,44\n")
    probabilities = folder / "id_probabilities.csv"
    probabilities.write_text("p1,p2\n0.5,0.6\n0.7,0.8\n0.9,0.95\n")
    before = probabilities.read_bytes()
    target = tmp_path / "out.mkv"
    target.hardlink_to(probabilities)
    arguments = [trajectories, "--video", video, "--out", target, "--overwrite", "--codec"]
    result = CliRunner().invoke(cli, ["render", *map(str, arguments), "ffv1", "--no-progress"])
    assert result.exit_code != 0
    assert f"{target}: is a file read with the input {trajectories}" in result.output
    assert probabilities.read_bytes() == before
    assert target.samefile(probabilities)


def test_render_with_last_before_first_is_a_usage_error_naming_the_flag(video, tmp_path):
    """`render --frames 5:2` exited 1 after reading the poses; plot's `--time 5:2` is a usage
    error (exit 2) before any file is read: so is this now."""
    from click.testing import CliRunner

    poses = tmp_path / "missing.nc"  # never read: the range is refused first
    arguments = [poses, "--video", video, "--out", tmp_path / "out.mkv", "--frames", "5:2"]
    result = CliRunner().invoke(cli, ["render", *map(str, arguments)])
    assert result.exit_code == 2, result.output
    assert "--frames" in result.output and "LAST comes before FIRST" in result.output
    assert not (tmp_path / "out.mkv").exists()


@pytest.mark.parametrize("frames", ["-1:3", ":-2"])
def test_render_with_a_negative_frame_is_a_usage_error_naming_the_flag(video, tmp_path, frames):
    """`render --frames -1:3` exited 1 after reading the poses, naming neither the flag nor
    the file; a range that cannot hold a frame is refused as 5:2 is, before any file is read."""
    from click.testing import CliRunner

    poses = tmp_path / "missing.nc"  # never read: the range is refused first
    arguments = [poses, "--video", video, "--out", tmp_path / "out.mkv", "--frames", frames]
    result = CliRunner().invoke(cli, ["render", *map(str, arguments)])
    assert result.exit_code == 2, result.output
    assert (
        "--frames" in result.output and f"the frame range '{frames}' is negative" in result.output
    )
    assert not (tmp_path / "out.mkv").exists()


@pytest.mark.parametrize("far", [1000.0, 1e5, 1e300, 1.7e308])
@pytest.mark.parametrize("reverse", [False, True])
def test_an_edge_to_a_far_off_point_is_drawn_where_it_crosses_the_frame(far, reverse):
    """h142 finding 2: the segment is clipped to the frame before its pixels are
    spaced, so the visible part is drawn in full, with no numpy cast warning."""
    image = np.zeros((120, 160, 3), np.uint8)
    ends = (far, 20.0) if reverse else (20.0, far)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _draw.draw_lines(
            image, np.array([ends[0]]), np.array([60.0]), np.array([ends[1]]),
            np.array([60.0]), np.array([[255, 255, 255]], np.uint8), 2.0,
        )  # fmt: skip
    assert (image[60, 20:160, 0] > 0).all()
    assert not (image[60, :18, 0] > 0).any()


def test_a_box_running_off_the_frame_keeps_its_sides_inside_it():
    """h142 finding 2, boxes: the top and bottom sides of a box far wider than the frame."""
    image = np.zeros((120, 160, 3), np.uint8)
    left, top, right, bottom = 20.0, 40.0, 200020.0, 80.0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _draw.draw_lines(
            image,
            np.array([left, right, right, left]),
            np.array([top, top, bottom, bottom]),
            np.array([right, right, left, left]),
            np.array([top, bottom, bottom, top]),
            np.full((4, 3), 255, np.uint8),
            2.0,
        )
    assert (image[40, 30:160, 0] > 0).all() and (image[80, 30:160, 0] > 0).all()
    assert (image[45:76, 20, 0] > 0).all()


def test_a_video_at_another_rate_than_the_poses_is_said(tmp_path, video):
    """h142 finding 1: poses are matched to video frames by number; a video (10 fps)
    at another rate than the poses' fps (20) is warned of, naming both rates."""
    ds, _ = poses_at(list(range(N_FRAMES)))
    ds.attrs["fps"] = 20.0
    with pytest.warns(UserWarning, match=r"20 fps.*10 fps.*frame number"):
        render(ds, video, tmp_path / "other.mkv", **LOSSLESS)
    ds.attrs["fps"] = 10.0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        render(ds, video, tmp_path / "same.mkv", **LOSSLESS)


@pytest.mark.parametrize("fps", [1e-9, 1e-5, 2e6, 1e7])
def test_an_output_rate_no_container_holds_is_refused_naming_the_range(tmp_path, video, fps):
    """h142 finding 4: it was rounded to 0 (ffmpeg's own message about "0") or written
    at another rate silently."""
    ds, _ = poses_at(list(range(N_FRAMES)))
    out = tmp_path / "out.mp4"
    with pytest.raises(PoseBridgeError, match=r"from 0\.001 to 1,000,000") as caught:
        render(ds, video, out, fps=fps, progress=False)
    assert repr(fps) in str(caught.value)
    assert not out.exists()


def test_an_output_rate_the_container_cannot_hold_is_refused(tmp_path, video):
    """h142 finding 4: .avi holds at most 1000 fps; ffmpeg wrote 5000 fps as 600."""
    ds, _ = poses_at(list(range(N_FRAMES)))
    out = tmp_path / "fast.avi"
    with pytest.raises(PoseBridgeError, match=r"fast\.avi: a \.avi video cannot hold fps=5000"):
        render(ds, video, out, fps=5000, progress=False)
    assert not out.exists()
    assert render(ds, video, tmp_path / "fast.mp4", fps=5000, progress=False).is_file()
    assert _video.probe(tmp_path / "fast.mp4").fps == pytest.approx(5000)


@pytest.mark.parametrize("fps", [24.0, 30.0, 60.0])
def test_a_gif_at_a_common_rate_is_written(tmp_path, video, fps):
    """h148 finding 1: the rate check took the rate ffmpeg reports for a GIF (33.33 fps for
    30, 100 for 60), which is not what it plays at (delays in hundredths of a second), and
    refused every common rate; a GIF was written at these before the check."""
    ds, _ = poses_at(list(range(N_FRAMES)))
    out = render(ds, video, tmp_path / "clip.gif", fps=fps, codec="gif", progress=False)
    assert out.is_file() and out.stat().st_size > 0


def ffmpeg_children() -> list[str]:
    """The command lines of this process's ffmpeg children (psutil, else /proc)."""
    try:
        import psutil
    except ImportError:
        found = []
        for status in Path("/proc").glob("[0-9]*/status"):
            with contextlib.suppress(OSError):
                fields = dict(
                    line.split(":\t", 1)
                    for line in status.read_text().splitlines()
                    if ":\t" in line
                )
                if int(fields.get("PPid", "0")) == os.getpid() and "ffmpeg" in fields["Name"]:
                    found.append(fields["Name"])
        return found
    children = psutil.Process().children(recursive=True)
    return [" ".join(c.cmdline()) for c in children if "ffmpeg" in c.name()]


class _InterruptedBar:
    """A tqdm whose ``update`` raises KeyboardInterrupt (Ctrl-C) at frame ``at``."""

    at = 0
    raised_at = 0.0

    def __init__(self, *args, **kwargs):
        self.done = 0

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def update(self, n=1):
        self.done += n
        if self.done >= self.at:
            type(self).raised_at = time.monotonic()
            raise KeyboardInterrupt


@pytest.mark.skipif(
    "libvvenc" not in _video._encoders(), reason="needs ffmpeg's libvvenc (a slow encoder)"
)
def test_an_interrupted_render_stops_ffmpeg_at_once_and_leaves_nothing(tmp_path, monkeypatch):
    """On Ctrl-C (or the command line's SIGTERM) render closed ffmpeg's input and waited for
    it to encode every frame it held (~11 s in the report; minutes with a slow encoder)
    before removing the temporary. Now ffmpeg is killed: render returns at once, with no
    temporary and no ffmpeg (writer or reader) left. VVC encodes the 20 frames it holds in
    over 20 s here, so waiting for it cannot pass for stopping."""
    import tqdm.auto

    rng = np.random.default_rng(0)
    width, height, n = 160, 128, 40
    source = tmp_path / "noise.mkv"
    writer = _video.write_frames(source, (width, height), 10.0, codec="ffv1", quality=None)
    for _ in range(n):  # noise: slow to encode
        writer.send(rng.integers(0, 255, (height, width, 3), dtype=np.uint8))
    writer.close()
    ds = model.from_numpy(rng.uniform(5, 100, (n, 2, 3, 1)))
    monkeypatch.setattr(_InterruptedBar, "at", 20)
    monkeypatch.setattr(tqdm.auto, "tqdm", _InterruptedBar)
    with pytest.raises(KeyboardInterrupt) as interrupted:  # its traceback kept, as Jupyter does
        render(ds, source, tmp_path / "out.mkv", codec="libvvenc", quality=None, progress=False)
    took = time.monotonic() - _InterruptedBar.raised_at
    assert took < 3, f"render took {took:.1f} s to stop"
    assert ffmpeg_children() == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["noise.mkv"]
    del interrupted


@pytest.mark.parametrize(
    ("flags", "said"),
    [
        (["--min-confidence", "nan"], "--min-confidence must be a number, got nan."),
        (["--radius", "0"], "--radius must be a number, above 0, got 0.0."),
        (["--thickness", "-1"], "--thickness must be a number, above 0, got -1.0."),
        (["--radius", "1000"], "--radius must be a number of pixels above 0 and at most"),
        (
            ["--codec", "nonesuch"],
            "(--codec 'nonesuch', --pix-fmt 'yuv420p', file ending '.mp4'): Unknown encoder "
            "'nonesuch'. Choose another --codec, --pix-fmt or --out file ending",
        ),
        (["--pix-fmt", " "], "--pix-fmt must be the name of an ffmpeg pixel format, got"),
    ],
)
def test_render_cli_words_its_errors_with_its_flags(video, tmp_path, flags, said):
    """h169 #3: `posebridge render` said min_confidence, radius, codec=/pix_fmt= and
    "(or None)" (Python's words), and advised a pix_fmt it had no flag for."""
    from click.testing import CliRunner

    poses = tmp_path / "poses.nc"
    posebridge.save(poses_at([0, 1])[0], poses)
    arguments = [poses, "--video", video, "-o", tmp_path / "out.mp4", "-q"]
    result = CliRunner().invoke(cli, ["render", *map(str, arguments), *flags])
    assert result.exit_code == 1, result.output
    line = " ".join(result.output.split())
    assert said in line
    for python in (
        "min_confidence",
        "radius must",
        "thickness must",
        "codec=",
        "pix_fmt ",
        "pix_fmt=",
        "None",
    ):
        assert python not in line.replace("--radius", "").replace("--thickness", "")
    assert not (tmp_path / "out.mp4").exists()


def test_render_cli_pix_fmt_writes_a_lossless_video(video, tmp_path):
    """The advice names --pix-fmt, so the command takes it (README: ffv1 + bgr0 is lossless)."""
    from click.testing import CliRunner

    ds, _ = poses_at([0, 1, 2])
    poses = tmp_path / "poses.nc"
    posebridge.save(ds, poses)
    out = tmp_path / "cli.mkv"
    arguments = [poses, "--video", video, "-o", out, "--codec", "ffv1", "--pix-fmt", "bgr0"]
    result = CliRunner().invoke(cli, ["render", *map(str, arguments), "-q"])
    assert result.exit_code == 0, result.output
    render(posebridge.load(poses), video, tmp_path / "api.mkv", **LOSSLESS)
    np.testing.assert_array_equal(decoded(out), decoded(tmp_path / "api.mkv"))


@pytest.mark.parametrize("suffix", [".gif", ".webm"])
def test_the_default_codec_follows_the_output_ending(video, tmp_path, suffix):
    """h169 #3: --codec's help said "default: by the file's ending", but every ending got
    H.264, which .gif and .webm cannot hold: `-o x.gif` failed without --codec gif."""
    ds, _ = poses_at([0, 1, 2])
    out = render(ds, video, tmp_path / f"out{suffix}", progress=False)
    assert _video.probe(out).n_frames == 3


def test_render_cli_refuses_an_existing_output_before_reading_the_poses(video, tmp_path):
    """h169 #5: an existing OUT was refused only after POSES was read (in full) and the
    video probed; another error could come first. `plot` checks its figures first."""
    from click.testing import CliRunner

    out = tmp_path / "out.mkv"
    out.write_bytes(b"keep")
    poses = tmp_path / "poses.csv"
    poses.write_text("not, poses\n")  # never read: refused before
    arguments = [poses, "--video", video, "-o", out, "--individual", "nobody", "-q"]
    result = CliRunner().invoke(cli, ["render", *map(str, arguments)])
    assert result.exit_code == 1, result.output
    assert " ".join(result.output.split()) == (
        f"posebridge: error: {out}: already exists; pass --overwrite to replace it."
    )
    assert out.read_bytes() == b"keep"
