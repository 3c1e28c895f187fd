"""posebridge.labels: the representation of labelled frames in the model."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr
from hypothesis import given, settings
from hypothesis import strategies as st

import posebridge
from posebridge import model
from posebridge.errors import SchemaError
from posebridge.model import frame_paths, labels


@pytest.fixture
def two_videos() -> xr.Dataset:
    """3 labelled frames: two of a video file, one image; 2 individuals x 2 keypoints."""
    position = np.arange(24, dtype=float).reshape(3, 2, 2, 2)
    position[1, :, 1, 0] = np.nan
    return labels.from_numpy(
        position,
        video=["/data/a.mp4", "/data/a.mp4", "ignored"],
        frame=[10, 4, 0],
        image_path=["", "", "labeled-data/b/img0042.png"],
        individual_names=["m1", "m2"],
        keypoint_names=["nose", "tail"],
    )


def test_labels_dataset_has_its_marks_and_row_coordinates(two_videos):
    ds = two_videos
    assert labels.is_labels(ds) and ds.attrs["ds_type"] == "poses"
    assert ds.time.values.tolist() == [0, 1, 2]
    assert ds.time.dtype == np.int64 and ds.attrs["time_unit"] == "frames"
    # a row with an image takes its video and frame from the image
    assert ds.video.values.tolist() == ["/data/a.mp4", "/data/a.mp4", "labeled-data/b"]
    assert ds.frame.values.tolist() == [10, 4, 42]
    assert ds.frame.dtype == np.int64
    assert ds.image_path.values.tolist() == ["", "", "labeled-data/b/img0042.png"]
    assert not labels.is_labels(posebridge.from_numpy(np.zeros((1, 2, 1, 1))))


def test_labels_save_to_netcdf_as_they_are(two_videos, tmp_path):
    two_videos.to_netcdf(tmp_path / "labels.nc", engine="h5netcdf")
    back = posebridge.load(tmp_path / "labels.nc")
    for name in ("video", "frame", "image_path"):
        assert back[name].values.tolist() == two_videos[name].values.tolist()
    np.testing.assert_array_equal(back.position.values, two_videos.position.values)
    assert labels.is_labels(back)


@pytest.mark.parametrize(
    ("name", "frame"),
    [
        ("labeled-data/v/img0042.png", 42),
        ("img7.jpg", 7),
        ("frame_12_cam2.png", 2),  # the last run of digits
        ("no-digits.png", -1),
        ("C:\\data\\v1\\img0005.png", 5),
        ("x/" + "9" * 30 + ".png", -1),  # beyond int64: unknown
    ],
)
def test_frame_numbers_come_from_image_names(name, frame):
    assert labels.image_frames([name]).tolist() == [frame]


def test_windows_separators_become_slashes():
    ds = labels.from_numpy(np.zeros((1, 2, 1, 1)), image_path=["labeled-data\\reach\\img0005.png"])
    assert ds.image_path.values.tolist() == ["labeled-data/reach/img0005.png"]
    assert ds.video.values.tolist() == ["labeled-data/reach"]
    assert ds.frame.values.tolist() == [5]


@pytest.mark.parametrize(
    ("video", "frame", "image"),
    [
        (["v.mp4", "v.mp4"], [3, 3], None),  # same video and frame
        (["v.mp4", "w.mp4"], [0, 0], ["a/img1.png", "a/img1.png"]),  # same image
    ],
)
def test_two_rows_with_one_key_are_refused(video, frame, image):
    with pytest.raises(SchemaError, match="share a key"):
        labels.from_numpy(np.zeros((2, 2, 1, 1)), video=video, frame=frame, image_path=image)


def test_same_frame_number_in_two_videos_is_fine():
    ds = labels.from_numpy(np.zeros((2, 2, 1, 1)), video=["a1", "a"], frame=[1, 11])
    assert ds.sizes["time"] == 2
    ds = labels.from_numpy(np.zeros((2, 2, 1, 1)), video=["a", "b"], frame=[1, 1])
    assert ds.sizes["time"] == 2


def test_a_row_without_video_or_image_is_refused():
    ds = posebridge.from_numpy(np.zeros((2, 2, 1, 1))).assign_attrs(content="labels")
    with pytest.raises(SchemaError, match="'video' coordinate"):
        model.validate(ds)


def test_validate_renumbers_time_after_a_selection(two_videos):
    picked = two_videos.isel(time=[2, 0])
    assert picked.time.values.tolist() == [2, 0]
    ds = model.validate(picked)
    assert ds.time.values.tolist() == [0, 1]
    assert ds.frame.values.tolist() == [42, 10]


def test_fps_records_the_rate_and_keeps_rows(two_videos):
    ds = model.with_fps(two_videos, 25.0)
    assert ds.attrs["fps"] == 25.0
    assert ds.attrs["time_unit"] == "frames"
    assert ds.time.values.tolist() == [0, 1, 2]


def test_video_groups_lay_out_videos_and_images(two_videos):
    groups = labels.video_groups(two_videos)
    assert groups.names == ["/data/a.mp4", "labeled-data/b"]
    assert groups.of_row.tolist() == [0, 0, 1]
    assert groups.images == [None, ["labeled-data/b/img0042.png"]]
    assert groups.index.tolist() == [10, 4, 0]  # frame numbers; image positions


def test_a_video_mixing_images_and_frames_cannot_be_laid_out():
    ds = labels.from_numpy(
        np.zeros((2, 2, 1, 1)), video=["v", "v"], frame=[1, 2], image_path=["", "x/v"]
    )
    ds = ds.assign_coords(video=("time", ["x", "x"]))  # the image's folder and a file: one name
    with pytest.raises(SchemaError, match="mix rows"):
        labels.video_groups(ds)


def test_a_video_frame_of_unknown_number_cannot_be_located():
    ds = labels.from_numpy(np.zeros((1, 2, 1, 1)), video=["v.mp4"], frame=[-1])
    with pytest.raises(SchemaError, match="unknown frame number"):
        labels.video_groups(ds)


def test_point_flags_follow_coordinates_and_visible():
    position = np.ones((1, 2, 3, 1))
    position[0, :, 2, 0] = np.nan
    ds = labels.from_numpy(
        position, video=["v"], frame=[0], visible=np.array([[[2.0], [0.0], [np.nan]]])
    )
    assert labels.point_flags(ds)[0, :, 0].tolist() == [True, False, False]


def test_as_poses_gives_the_frames_of_one_video(two_videos):
    ds = labels.as_poses(two_videos, video="/data/a.mp4")
    assert ds.time.values.tolist() == [4, 10]
    assert not labels.is_labels(ds) and ds.attrs["video_path"] == "/data/a.mp4"
    np.testing.assert_array_equal(ds.position.values, two_videos.position.isel(time=[1, 0]).values)
    with pytest.raises(SchemaError, match="2 videos"):
        labels.as_poses(two_videos)


def _three_project_videos() -> xr.Dataset:
    """Labelled frames of apple.mp4 then zebra.mp4; the project lists zebra, mango, apple."""
    ds = labels.from_numpy(
        np.arange(8.0).reshape(2, 2, 2, 1), video=["apple.mp4", "zebra.mp4"], frame=[2, 1]
    )
    ds.attrs[labels.PROJECT_VIDEOS] = '["zebra.mp4", "mango.mp4", "apple.mp4"]'
    return ds


def test_as_poses_counts_video_positions_in_the_project_s_order():
    """h171 finding 3: video=k names the k-th of attrs["sleap_videos"], as load(slp,
    video=k) and from_sleap_io count, not the k-th video to have labelled frames."""
    ds = _three_project_videos()
    chosen = [labels.as_poses(ds, video=k) for k in range(3)]
    assert [p.attrs["video_path"] for p in chosen] == ["zebra.mp4", "mango.mp4", "apple.mp4"]
    assert [p.time.values.tolist() for p in chosen] == [[1], [], [2]]
    with pytest.raises(SchemaError, match=r"video=3 is out of range: .* 3 project videos"):
        labels.as_poses(ds, video=3)


def test_as_poses_of_a_project_video_without_labelled_frames_has_no_frames():
    """h171 finding 3: a listed video without labelled frames, by position or by name,
    gives a poses dataset of no frames (load(slp, video=k) gives a labels dataset of none)."""
    ds = _three_project_videos()
    for video in (1, "mango.mp4"):
        empty = labels.as_poses(ds, video=video)
        assert empty.sizes["time"] == 0 and empty.attrs["video_path"] == "mango.mp4"
        assert not labels.is_labels(empty) and empty.position.dims == ds.position.dims


def test_as_poses_counts_the_labelled_videos_when_the_project_list_lacks_one():
    """A project list that does not name every video of the labelled frames is not the
    order of these videos: positions count the labelled frames' videos, as before."""
    ds = _three_project_videos().assign_attrs({labels.PROJECT_VIDEOS: '["zebra.mp4"]'})
    assert labels.as_poses(ds, video=0).attrs["video_path"] == "apple.mp4"


@pytest.mark.parametrize("name", ["out.analysis.h5", "out.csv"])
def test_formats_that_hold_poses_only_refuse_labels(two_videos, tmp_path, name):
    fmt = None if name.endswith(".h5") else "anipose"
    with pytest.raises(SchemaError, match="labelled frames") as refused:
        posebridge.save(two_videos, tmp_path / name, fmt)
    assert str(refused.value).startswith(f"{tmp_path / name}: ")  # names the file not written
    assert list(tmp_path.iterdir()) == []


def test_the_labels_refusal_lists_every_format_that_writes_labels(two_videos, tmp_path):
    from posebridge import registry

    takers = [f for f in registry.all_formats() if f.writes and "labels" in f.kinds]
    assert list(labels.LABEL_WRITERS) == [f.name for f in takers]  # the list model keeps
    with pytest.raises(SchemaError, match="labelled frames") as refused:
        posebridge.save(two_videos, tmp_path / "out.analysis.h5")
    message = str(refused.value)
    for fmt in takers:
        assert f"({fmt.name!r})" in message
        assert labels.LABEL_WRITERS[fmt.name].startswith(fmt.title)  # named as the registry


def test_describe_counts_frames_per_video_and_points_per_frame(two_videos):
    rows = dict(labels.describe(two_videos))
    assert rows["labelled frames"] == "3 in 2 videos"
    assert rows["  /data/a.mp4"] == "2 frames"
    assert rows["  labeled-data/b"] == "1 images"
    assert rows["points per frame"].startswith("3.7 on average (min 3, max 4), 11 in all")


@settings(max_examples=30, deadline=None)
@given(
    frames=st.lists(st.integers(0, 10**12), min_size=1, max_size=6, unique=True),
    n_videos=st.integers(1, 3),
)
def test_row_keys_are_unique_exactly_when_video_frame_pairs_are(frames, n_videos):
    videos = [f"v{i % n_videos}.mp4" for i in range(len(frames))]
    ds = labels.from_numpy(np.zeros((len(frames), 2, 1, 1)), video=videos, frame=frames)
    assert len(set(labels.row_keys(ds).tolist())) == len(frames)


@pytest.fixture
def images_in_two_places(tmp_path):
    """tmp_path/near/v/img1.png and tmp_path/far/v/img1.png, img2.png; tmp_path/far/w/a.mp4."""
    for name in ("near/v/img1.png", "far/v/img1.png", "far/v/img2.png", "far/w/a.mp4"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(b"")
    return tmp_path


def test_find_files_gives_the_first_folder_holding_each_path(images_in_two_places):
    top = images_in_two_places
    folders = [top / "near", top / "far"]
    paths = ["v/img1.png", "v/img2.png", "v\\img2.png", "w/a.mp4", "v/img3.png", "", "v"]
    assert labels.find_files(paths, folders).tolist() == [0, 1, 1, 1, -1, -1, -1]
    absolute = [str(top / "far/w/a.mp4"), str(top / "far/w/b.mp4")]
    assert labels.find_files(absolute, folders).tolist() == [0, -1]


def test_find_files_lists_each_folder_once_per_place(images_in_two_places, monkeypatch):
    """Thousands of images in a few folders: a listing per folder and place, not a look
    per image."""
    listed: list[str] = []
    list_folder = frame_paths._file_names
    monkeypatch.setattr(frame_paths, "_file_names", lambda f: listed.append(f) or list_folder(f))
    paths = [f"v/img{k}.png" for k in range(3000)] + ["w/a.mp4"] * 10
    top = images_in_two_places
    where = labels.find_files(paths, [top, top / "near", top / "far"])
    assert where[:3].tolist() == [-1, 1, 2] and (where[3:3000] == -1).all()
    assert (where[3000:] == 2).all()
    assert len(listed) == 6  # each of v and w, in each of the 3 places


def test_find_files_finds_a_file_its_folder_listing_spells_otherwise(tmp_path, monkeypatch):
    """A file system that ignores case (Windows, macOS) lists IMG1.PNG for the file named
    img1.png: the file is there all the same (it was reported missing)."""
    (tmp_path / "v").mkdir()
    (tmp_path / "v" / "img1.png").touch()
    list_folder = frame_paths._file_names
    monkeypatch.setattr(frame_paths, "_file_names", lambda f: [n.upper() for n in list_folder(f)])
    assert labels.find_files(["v/img1.png", "v/img2.png"], [tmp_path]).tolist() == [0, -1]


def test_search_folders_start_with_those_given_then_the_source_and_its_parents(tmp_path):
    source = tmp_path / "p" / "labeled-data" / "v" / "CollectedData_me.h5"
    folders = labels.search_folders(source, [tmp_path / "out", tmp_path / "p"])
    assert folders[:5] == [
        tmp_path / "out",
        tmp_path / "p",
        tmp_path / "p" / "labeled-data" / "v",
        tmp_path / "p" / "labeled-data",
        tmp_path,
    ]  # the project folder once, where it was given
    assert len(folders) == 6 and folders[-1] == type(tmp_path).cwd()


def test_none_among_the_paths_of_labelled_frames_is_refused():
    """None became the text 'nan': an image named nan."""
    with pytest.raises(SchemaError, match="'image_path' holds None"):
        labels.from_numpy(np.zeros((2, 2, 1, 1)), image_path=["a/img1.png", None])
    with pytest.raises(SchemaError, match="'video' holds None"):
        labels.from_numpy(np.zeros((2, 2, 1, 1)), video=["v.mp4", None], frame=[1, 2])


@pytest.mark.parametrize(
    "visible", [np.ones((2, 2)), np.array([[["2"]], [["1"]]]), np.ones((2, 1, 1), dtype=bool)]
)
def test_visible_flags_of_the_wrong_shape_or_kind_are_refused(visible):
    with pytest.raises(SchemaError, match="'visible' to be numbers of shape"):
        labels.from_numpy(np.zeros((2, 2, 1, 1)), image_path=["a.png", "b.png"], visible=visible)


def test_as_poses_and_describe_say_what_the_dataset_lacks():
    """A raw KeyError 'video'."""
    ds = labels.from_numpy(np.zeros((2, 2, 1, 1)), video=["v.mp4"] * 2, frame=[1, 2])
    with pytest.raises(SchemaError, match="needs a 'video' coordinate"):
        labels.as_poses(ds.drop_vars(["video", "image_path"]))
    with pytest.raises(SchemaError, match="describe takes a labels dataset"):
        labels.describe(posebridge.from_numpy(np.zeros((2, 2, 1, 1))))


def test_an_image_rows_video_that_is_a_file_of_its_folder_is_kept():
    """It names one of several image sequences of the folder; any other video of an
    image row is the image's folder."""
    ds = labels.from_numpy(
        np.zeros((4, 2, 1, 1)),
        video=["f/a_01.png", "f/b_01.png", "elsewhere/a_01.png", "f"],
        image_path=["f/a_01.png", "f/b_01.png", "f/a_02.png", "f/b_02.png"],
    )
    assert ds.video.values.tolist() == ["f/a_01.png", "f/b_01.png", "f", "f"]
    assert labels.video_groups(ds).names == ["f/a_01.png", "f/b_01.png", "f"]


def two_view_labels() -> xr.Dataset:
    """Labels of 2 cameras (a view dim), 2 frames, 2 keypoints, 1 individual; 'top' has
    visible flags (frame 0's tail: 0, not visible), 'bot' none (bot frame 1's tail unlabelled).
    """
    from posebridge.combine import stack_views

    top = labels.from_numpy(
        np.ones((2, 2, 2, 1)),
        image_path=["top/img1.png", "top/img2.png"],
        visible=np.array([[[2], [0]], [[2], [2]]]),
        keypoint_names=["s", "t"],
    )
    bot_position = np.ones((2, 2, 2, 1))
    bot_position[1, :, 1, 0] = np.nan
    bot = labels.from_numpy(
        bot_position, image_path=["bot/img1.png", "bot/img2.png"], keypoint_names=["s", "t"]
    )
    with pytest.warns(UserWarning, match="not kept: view 'bot'"):  # bot's images
        return stack_views([top, bot], ["top", "bot"])


def test_point_flags_of_labels_with_views_and_visible_flags_are_per_view():
    ds = two_view_labels()
    flags = labels.point_flags(ds)
    assert flags.shape == (2, 2, 1, 2)  # (time, keypoint, individual, view)
    views = ds["view"].values.tolist()
    top, bot = flags[..., 0, views.index("top")], flags[..., 0, views.index("bot")]
    assert top.tolist() == [[True, False], [True, True]]
    assert bot.tolist() == [[True, True], [True, False]]
    assert labels.occluded_points(ds) == 1  # top's hidden tail has coordinates
    assert labels.hidden_points(ds).shape == flags.shape


def test_describe_labels_with_views_counts_the_points_of_every_view():
    rows = dict(labels.describe(two_view_labels()))
    # frame 0: 1 (top) + 2 (bot), frame 1: 2 + 1; one individual, seen in both views
    assert rows["points per frame"] == (
        "3.0 on average (min 3, max 3), 6 in all, counted in every camera view"
    )
    assert rows["instances per frame"] == (
        "1.00 on average (min 1, max 1), each once however many camera views show it"
    )


def test_point_flags_follow_the_dims_by_name_whatever_their_order():
    ds = two_view_labels()
    turned = ds.transpose("view", "individual", "keypoint", "space", "time")
    np.testing.assert_array_equal(labels.point_flags(turned), labels.point_flags(ds))
    assert labels.occluded_points(turned) == labels.occluded_points(ds)


def test_the_labels_refusal_names_the_to_flag_on_the_command_line(two_videos, tmp_path):
    """The command line names ``--to`` and says that ``as_poses`` takes Python."""
    from click.testing import CliRunner

    from posebridge.cli import cli

    source = tmp_path / "labels.nc"
    posebridge.save(two_videos, source)
    out = tmp_path / "out.analysis.h5"
    result = CliRunner().invoke(cli, ["convert", str(source), str(out)])
    assert result.exit_code == 1, result.output
    said = result.stderr
    assert "labelled frames" in said
    for name in labels.LABEL_WRITERS:
        assert f"(--to {name})" in said
    assert "attrs[" not in said and "('dlc')" not in said
    assert "takes Python: posebridge.labels.as_poses(ds, video=...)" in said
    assert not out.exists()
    with pytest.raises(SchemaError, match=r"\('dlc'\)") as refused:  # Python keeps its words
        posebridge.save(two_videos, out)
    assert "attrs['content'] == 'labels'" in str(refused.value)
