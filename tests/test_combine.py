"""combine: individuals side by side and camera views, lined up on the union of times."""

from __future__ import annotations

import json
import posixpath
import warnings

import numpy as np
import pytest
import xarray as xr
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import posebridge
from posebridge import model
from posebridge.combine import merge_individuals, stack_views
from posebridge.errors import SchemaError
from posebridge.model.units import unit_name

frames = st.lists(st.integers(0, 40), min_size=1, max_size=12, unique=True).map(sorted)
values = hnp.arrays(np.float64, st.integers(1, 12), elements=st.floats(-1e3, 1e3))


def _dataset(times: list[int], fill: np.ndarray, individual: str):
    n = len(times)
    position = np.resize(fill, n * 2 * 2).reshape(n, 2, 2, 1)
    ds = posebridge.from_numpy(position, individual_names=[individual], keypoint_names=["a", "b"])
    return ds.assign_coords(time=np.asarray(times, dtype=np.int64))


@settings(max_examples=40, deadline=None)
@given(first=frames, second=frames, fill_a=values, fill_b=values)
def test_merge_lines_individuals_up_on_the_union_of_times(first, second, fill_a, fill_b):
    a, b = _dataset(first, fill_a, "a"), _dataset(second, fill_b, "b")
    merged = merge_individuals([a, b])
    assert merged.time.values.tolist() == sorted(set(first) | set(second))
    for ds, name in ((a, "a"), (b, "b")):
        mine = merged.position.sel(individual=name)
        np.testing.assert_array_equal(mine.sel(time=ds.time.values).values, ds.position[..., 0])
        others = sorted(set(merged.time.values.tolist()) - set(ds.time.values.tolist()))
        assert np.isnan(mine.sel(time=others).values).all()


@settings(max_examples=40, deadline=None)
@given(first=frames, second=frames, fill_a=values, fill_b=values)
def test_views_line_up_on_the_union_of_times(first, second, fill_a, fill_b):
    a, b = _dataset(first, fill_a, "m"), _dataset(second, fill_b, "m")
    stacked = stack_views([a, b], ["top", "side"])
    assert stacked.position.dims[-1] == "view"
    assert stacked.time.values.tolist() == sorted(set(first) | set(second))
    for ds, view in ((a, "top"), (b, "side")):
        mine = stacked.position.sel(view=view)
        np.testing.assert_array_equal(mine.sel(time=ds.time.values).values, ds.position.values)


def test_views_must_have_the_same_keypoints():
    a = _dataset([0, 1], np.ones(1), "m")
    b = a.assign_coords(keypoint=["a", "c"])
    with pytest.raises(posebridge.SchemaError, match="keypoint"):
        stack_views([a, b], ["top", "side"])


def test_inputs_must_share_time_unit_and_fps():
    a = _dataset([0, 1], np.ones(1), "a")
    b = posebridge.model.with_fps(_dataset([0, 1], np.ones(1), "b"), 30)
    with pytest.raises(posebridge.SchemaError, match="time_unit"):
        merge_individuals([a, b])
    c = posebridge.model.with_fps(_dataset([0, 1], np.ones(1), "c"), 25)
    with pytest.raises(posebridge.SchemaError, match="fps"):
        merge_individuals([b, c])


def test_view_names_must_be_distinct():
    a = _dataset([0], np.ones(1), "m")
    with pytest.raises(posebridge.SchemaError, match="repeat"):
        stack_views([a, a], ["top", "top"])


@pytest.mark.parametrize("viewed_first", [False, True])
def test_poses_of_camera_views_and_poses_of_none_are_not_merged(tmp_path, viewed_first):
    """The merged dataset gave both inputs' individuals the one input's views: poses of no
    camera labelled as seen by camera 'left', without a word."""
    plain = posebridge.from_numpy(np.zeros((3, 2, 2, 1)), individual_names=["a"])
    viewed = stack_views(
        [posebridge.from_numpy(np.ones((3, 2, 2, 1)), individual_names=["b"])], ["left"]
    )
    pair = [viewed, plain] if viewed_first else [plain, viewed]
    with pytest.raises(posebridge.errors.SchemaError, match="'view' dim and .* has none"):
        merge_individuals(pair)
    paths = [tmp_path / "first.nc", tmp_path / "second.nc"]
    for ds, path in zip(pair, paths, strict=True):
        posebridge.save(ds, path)
    with pytest.raises(posebridge.errors.SchemaError, match="first.nc|second.nc"):
        posebridge.load(paths)


def test_labelled_frames_of_several_files_line_up_on_the_frames_they_are(tmp_path):
    """Labels of animal a (v1.mp4 frames 10, 20) and b (v2.mp4 frames 30, 40): b's points were
    put on v1.mp4's frames, lined up on the row count, and v2.mp4 vanished."""
    from posebridge import labels

    a = labels.from_numpy(
        np.full((2, 2, 2, 1), 1.0), video=["v1.mp4"] * 2, frame=[10, 20], individual_names=["a"]
    )
    b = labels.from_numpy(
        np.full((2, 2, 2, 1), 2.0), video=["v2.mp4"] * 2, frame=[30, 40], individual_names=["b"]
    )
    posebridge.save(a, tmp_path / "a.slp")
    posebridge.save(b, tmp_path / "b.slp")
    both = posebridge.load([tmp_path / "a.slp", tmp_path / "b.slp"])
    rows = list(zip(both.video.values.tolist(), both.frame.values.tolist(), strict=True))
    assert rows == [("v1.mp4", 10), ("v1.mp4", 20), ("v2.mp4", 30), ("v2.mp4", 40)]
    x = both.position.sel(space="x", keypoint="keypoint_0")
    np.testing.assert_array_equal(x.sel(individual="a").values, [1, 1, np.nan, np.nan])
    np.testing.assert_array_equal(x.sel(individual="b").values, [np.nan, np.nan, 2, 2])


def test_box_tracks_starting_on_different_frames_line_up_on_their_frame_numbers(tmp_path):
    """VIA counts time from each file's first frame: a track boxed on frames 2-5 was put
    beside one boxed on frames 0-3, row by row."""
    centre = np.zeros((4, 2, 1))
    shape = np.full((4, 2, 1), 5.0)
    first = model.bboxes_from_numpy(centre + 10, shape, individual_names=["id_1"])
    second = model.bboxes_from_numpy(
        centre + 20, shape, individual_names=["id_2"], frame_array=np.arange(2, 6)
    )
    posebridge.save(first, tmp_path / "one.csv", format="via")
    posebridge.save(second, tmp_path / "two.csv", format="via")
    for options in ({}, {"fps": 10}):  # with fps=, the files were refused as not lining up
        both = posebridge.load([tmp_path / "one.csv", tmp_path / "two.csv"], **options)
        assert model.frame_numbers(both).tolist() == [0, 1, 2, 3, 4, 5]
        x = both.position.sel(space="x")
        np.testing.assert_array_equal(x.sel(individual="id_1").values, [10] * 4 + [np.nan] * 2)
        np.testing.assert_array_equal(x.sel(individual="id_2").values, [np.nan] * 2 + [20] * 4)
    np.testing.assert_allclose(both.time.values, np.arange(6) / 10)


def test_files_whose_views_come_in_another_order_merge_by_view_name():
    """Views [left, right] and [right, left] failed with a raw xarray AlignmentError."""
    left_right = _dataset([0, 1], np.zeros((2, 2, 1, 1)), "a")
    left_right = stack_views([left_right, left_right + 1], ["left", "right"])
    right_left = _dataset([0, 1], np.zeros((2, 2, 1, 1)), "b")
    right_left = stack_views([right_left + 1, right_left], ["right", "left"])
    both = merge_individuals([left_right, right_left])
    assert both.view.values.tolist() == ["left", "right"]
    for name in ("a", "b"):
        one = both.position.sel(individual=name)
        assert (one.sel(view="right") - one.sel(view="left") == 1).all()


def test_rows_of_different_images_at_one_time_are_refused():
    """Predictions on images (time counts each file's images) were lined up row by row,
    keeping the first file's image names."""
    a = _dataset([0, 1], np.zeros((2, 2, 1, 1)), "a").assign_coords(
        image_path=("time", ["x.png", "y.png"])
    )
    b = _dataset([0, 1], np.zeros((2, 2, 1, 1)), "b").assign_coords(
        image_path=("time", ["x.png", "z.png"])
    )
    with pytest.raises(posebridge.SchemaError, match=r"b\.json: at time 1 its image_path"):
        merge_individuals([a, b], sources=["a.json", "b.json"])


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda d: merge_individuals([]), "no datasets"),
        (lambda d: stack_views([], []), "no datasets"),
        (lambda d: merge_individuals([d, d], sources=["a.nc"]), "1 source name"),
        (lambda d: stack_views([d, d], ["left"]), "1 view name"),
    ],
)
def test_counts_that_do_not_match_are_refused(call, message):
    with pytest.raises(posebridge.PoseBridgeError, match=message):
        call(_dataset([0, 1], np.zeros((2, 2, 1, 1)), "a"))


def test_camera_views_of_labelled_frames_line_up_on_time_not_on_their_own_videos():
    """Each camera's frames are its own video's: lined up by video they never met, and the
    time steps doubled (review of the alignment of labels by frame)."""
    from posebridge import labels

    views = [
        labels.from_numpy(np.full((3, 2, 2, 1), v), video=[f"cam{v}.mp4"] * 3, frame=[10, 20, 30])
        for v in (1, 2)
    ]
    with pytest.warns(UserWarning, match="cam2.mp4"):  # its video is not kept
        both = stack_views(views, ["cam1", "cam2"])
    assert both.sizes["time"] == 3
    assert both.frame.values.tolist() == [10, 20, 30]
    assert not np.isnan(both.position.values).any()


def _view_labels(fill: float, **rows):
    from posebridge import labels

    n = len(next(iter(rows.values())))
    return labels.from_numpy(np.full((n, 2, 3, 1), fill), **rows)


def _by_frame(stacked: xr.Dataset, view: str, key: str = "frame") -> dict:
    """Each row's first coordinate of the view, keyed by the row's frame (or image name)."""
    values = stacked.position.sel(view=view).isel(space=0, keypoint=0, individual=0).values
    names = [str(v).rsplit("/", 1)[-1] for v in stacked[key].values]
    return dict(zip(names, values.tolist(), strict=True))


def test_camera_views_of_labelled_video_frames_line_up_on_their_frame_numbers():
    """Lined up by row, camB's frame-3 labels were said to be frame 0, and its frames lost."""
    a = _view_labels(1.0, video=["camA.mp4"] * 2, frame=[0, 5])
    b = _view_labels(2.0, video=["camB.mp4"] * 3, frame=[3, 7, 9])
    stacked = stack_views([a, b], ["A", "B"])
    assert sorted(stacked.frame.values.tolist()) == [0, 3, 5, 7, 9]
    in_a, in_b = _by_frame(stacked, "A"), _by_frame(stacked, "B")
    assert {f for f, v in in_a.items() if not np.isnan(v)} == {"0", "5"}
    assert {f for f, v in in_b.items() if not np.isnan(v)} == {"3", "7", "9"}
    assert [in_a["0"], in_a["5"]] == [1.0, 1.0]
    assert [in_b["3"], in_b["7"], in_b["9"]] == [2.0, 2.0, 2.0]
    # each frame keeps the video of the view that has it: no frame is said to be another's
    videos = dict(zip(stacked.frame.values.tolist(), stacked.video.values.tolist(), strict=True))
    assert videos == {0: "camA.mp4", 5: "camA.mp4", 3: "camB.mp4", 7: "camB.mp4", 9: "camB.mp4"}


def test_camera_views_of_labelled_images_line_up_on_the_image_file_names():
    top = _view_labels(1.0, image_path=["top/img1.png", "top/img2.png"])
    bot = _view_labels(2.0, image_path=["bot/img2.png", "bot/img3.png"])
    with pytest.warns(UserWarning, match="bot/img2.png"):  # the one image of bot not kept
        stacked = stack_views([top, bot], ["top", "bot"])
    in_top = _by_frame(stacked, "top", "image_path")
    in_bot = _by_frame(stacked, "bot", "image_path")
    assert sorted(in_top) == ["img1.png", "img2.png", "img3.png"]
    assert (in_top["img1.png"], in_top["img2.png"]) == (1.0, 1.0)
    assert (in_bot["img2.png"], in_bot["img3.png"]) == (2.0, 2.0)
    assert np.isnan(in_top["img3.png"]) and np.isnan(in_bot["img1.png"])


def test_camera_views_of_images_named_by_camera_line_up_on_the_frame_in_the_name():
    top = _view_labels(1.0, image_path=["top/top_0001.png", "top/top_0002.png"])
    bot = _view_labels(2.0, image_path=["bot/bot_0002.png", "bot/bot_0003.png"])
    with pytest.warns(UserWarning, match="bot_0002.png"):
        stacked = stack_views([top, bot], ["top", "bot"])
    in_top, in_bot = _by_frame(stacked, "top"), _by_frame(stacked, "bot")
    assert sorted(in_top) == ["1", "2", "3"]
    assert (in_top["2"], in_bot["2"]) == (1.0, 2.0)
    assert np.isnan(in_top["3"]) and np.isnan(in_bot["1"])


def test_a_view_with_two_rows_of_one_frame_is_refused_naming_it():
    """Frame 5 of two videos in one view: which is the other camera's frame 5 is unknown."""
    a = _view_labels(1.0, video=["s1_camA.mp4", "s2_camA.mp4"], frame=[5, 5])
    b = _view_labels(2.0, video=["s1_camB.mp4"], frame=[5])
    with pytest.raises(SchemaError, match=r"view 'A'.*frame 5.*s2_camA\.mp4"):
        stack_views([a, b], ["A", "B"], ["a.h5", "b.h5"])


def test_a_view_row_without_a_frame_number_is_refused_naming_it():
    a = _view_labels(1.0, video=["camA.mp4"] * 2, frame=[0, 1])
    b = _view_labels(2.0, video=["camB.mp4"])  # no frame number: -1
    with pytest.raises(SchemaError, match=r"view 'B' \(b\.h5\).*no frame number"):
        stack_views([a, b], ["A", "B"], ["a.h5", "b.h5"])


def test_views_of_labelled_frames_that_share_no_frame_lose_no_video_and_warn_nothing(recwarn):
    a = _view_labels(1.0, video=["camA.mp4"] * 2, frame=[0, 5])
    b = _view_labels(2.0, video=["camB.mp4"], frame=[3])
    stacked = stack_views([a, b], ["A", "B"])
    assert not [w for w in recwarn if "not kept" in str(w.message)]
    assert sorted(set(stacked.video.values.tolist())) == ["camA.mp4", "camB.mp4"]


def test_multiview_labels_files_load_lined_up_on_their_frames(tmp_path):
    from posebridge.io import load_multiview_dataset

    a = _view_labels(1.0, video=["camA.mp4"] * 2, frame=[0, 5])
    b = _view_labels(2.0, video=["camB.mp4"] * 2, frame=[5, 7])
    posebridge.save(a, tmp_path / "a.nc")
    posebridge.save(b, tmp_path / "b.nc")
    with pytest.warns(UserWarning, match=r"view 'B': 'camB\.mp4' \(1 frame"):
        stacked = load_multiview_dataset({"A": tmp_path / "a.nc", "B": tmp_path / "b.nc"})
    in_a, in_b = _by_frame(stacked, "A"), _by_frame(stacked, "B")
    assert sorted(in_a) == ["0", "5", "7"]
    assert (in_a["5"], in_b["5"]) == (1.0, 2.0)
    assert np.isnan(in_a["7"]) and np.isnan(in_b["0"])


def test_camera_views_of_predictions_on_their_own_images_stack():
    """Per-view image names differ by nature; they were refused as rows of other frames."""
    views = [
        _dataset([0, 1], np.zeros((2, 2, 1, 1)), "a").assign_coords(
            image_path=("time", [f"session_{v}/img1.png", f"session_{v}/img2.png"])
        )
        for v in ("top", "bot")
    ]
    assert stack_views(views, ["top", "bot"]).sizes["view"] == 2


def test_an_input_without_frame_numbers_takes_them_from_time_and_the_fps():
    """A dataset read with fps (a frame coordinate) merged with one built without: the
    union of times left NaN frames, refused with a message about a NaN frame number."""
    rng = np.random.default_rng(0)
    built = posebridge.from_numpy(rng.random((4, 2, 1, 1)), individual_names=["a"], fps=10)
    read = posebridge.from_numpy(rng.random((4, 2, 1, 1)), individual_names=["b"], fps=10)
    merged = merge_individuals([read.isel(time=[2, 3]), built.drop_vars("frame")])
    assert merged.frame.values.tolist() == [0, 1, 2, 3]
    camera = read.isel(time=[2, 3])  # camera times with frame numbers, no fps: no rule
    del camera.attrs["fps"]
    other = built.drop_vars("frame")
    del other.attrs["fps"]
    with pytest.raises(SchemaError, match="no input has a frame number"):
        merge_individuals([camera, other])


def test_inputs_on_a_session_clock_keep_their_times():
    """Only VIA's count (time from each file's own first frame) is rebased: times of a
    session clock (10 s + frame / 30) were rewritten to start at 0."""
    rng = np.random.default_rng(1)
    frames = np.arange(300, 305)
    parts = [
        posebridge.from_numpy(
            rng.random((5, 2, 1, 1)), individual_names=[name], fps=30
        ).assign_coords(time=10 + frames / 30, frame=("time", frames))
        for name in ("a", "b")
    ]
    merged = merge_individuals(parts)
    np.testing.assert_array_equal(merged.time.values, 10 + frames / 30)


def test_times_an_input_lacks_hold_no_category_as_the_model_says():
    """They held NaN: category_id became float, category a NaN among texts."""
    first = posebridge.from_numpy(np.ones((4, 2, 1, 1)), individual_names=["a"])
    later = posebridge.from_numpy(np.ones((2, 2, 1, 1)), individual_names=["b"])
    later = later.assign_coords(time=[2, 3])
    for ds, cid, name in ((first, 1, "cow"), (later, 2, "calf")):
        ds["category_id"] = (("time", "individual"), np.full((ds.sizes["time"], 1), cid))
        ds["category"] = (("time", "individual"), np.full((ds.sizes["time"], 1), name))
    merged = merge_individuals([later, first])
    assert merged.category_id.dtype == np.int64
    assert merged.category_id.values.tolist() == [[-1, 1], [-1, 1], [2, 1], [2, 1]]
    expected = [["", "cow"], ["", "cow"], ["calf", "cow"], ["calf", "cow"]]
    assert merged.category.values.tolist() == expected


def test_frame_numbers_an_input_lacks_continue_the_count_the_others_keep():
    """Frames 100-103 at times 0-0.12 s merged with 6 unnumbered rows: the two extra
    rows were numbered round(time x fps) alone (4, 5), after 103, and a DeepLabCut
    file then put them before frame 100."""
    rng = np.random.default_rng(2)
    numbered = posebridge.from_numpy(rng.random((4, 2, 1, 1)), individual_names=["a"], fps=25)
    numbered = numbered.assign_coords(frame=("time", np.arange(100, 104)))
    plain = posebridge.from_numpy(rng.random((6, 2, 1, 1)), individual_names=["b"], fps=25)
    merged = merge_individuals([numbered, plain.drop_vars("frame")])
    assert merged.frame.values.tolist() == [100, 101, 102, 103, 104, 105]


def test_frame_numbers_that_are_no_one_count_of_time_are_not_filled_in():
    rng = np.random.default_rng(3)
    skipping = posebridge.from_numpy(rng.random((3, 2, 1, 1)), individual_names=["a"], fps=25)
    skipping = skipping.assign_coords(frame=("time", [0, 1, 7]))  # not time x 25
    plain = posebridge.from_numpy(rng.random((5, 2, 1, 1)), individual_names=["b"], fps=25)
    with pytest.raises(SchemaError, match="cannot be counted in their place"):
        merge_individuals([skipping, plain.drop_vars("frame")])


@pytest.mark.parametrize("combine", ["merge", "stack"])
def test_an_input_without_categories_holds_none_beside_one_with_them(combine):
    """The input with no category variable held NaN: a YOLO file then named a class
    'nan', or gave the animal the other's class."""
    cat = posebridge.from_numpy(np.ones((3, 2, 1, 1)), individual_names=["a"])
    cat["category_id"] = (("time", "individual"), np.full((3, 1), 4))
    cat["category"] = (("time", "individual"), np.full((3, 1), "mouse"))
    bare = posebridge.from_numpy(np.ones((3, 2, 1, 1)), individual_names=["b"])
    if combine == "merge":
        out = merge_individuals([bare, cat])
        assert out.category_id.values.tolist() == [[-1, 4]] * 3
        assert out.category.values.tolist() == [["", "mouse"]] * 3
    else:
        bare = bare.assign_coords(individual=["a"])
        out = stack_views([bare, cat], ["top", "side"])
        assert out.category_id.transpose("time", "view", ...).values.tolist() == [[[-1], [4]]] * 3
        assert (
            out.category.transpose("time", "view", ...).values.tolist() == [[[""], ["mouse"]]] * 3
        )
    assert out.category_id.dtype == np.int64


def test_frame_numbers_that_would_come_before_frame_0_are_not_filled_in():
    """Frames 0-4 at 1-1.13 s beside unnumbered rows at 0-0.13 s: filled in as -30..-26,
    which no writer takes."""
    rng = np.random.default_rng(4)
    late = posebridge.from_numpy(rng.random((5, 2, 1, 1)), individual_names=["a"], fps=30)
    late = late.assign_coords(time=(30 + np.arange(5)) / 30, frame=("time", np.arange(5)))
    early = posebridge.from_numpy(rng.random((5, 2, 1, 1)), individual_names=["b"], fps=30)
    with pytest.raises(SchemaError, match="frame -30, before the first frame"):
        merge_individuals([late, early.drop_vars("frame")])


def test_image_sizes_of_rows_an_input_lacks_are_unknown_as_the_model_says():
    """They were NaN (the coordinate float): Label Studio then wrote null points."""
    from posebridge.model import labels

    position = np.ones((2, 2, 1, 1))
    a = labels.from_numpy(position, image_path=["i1.png", "i2.png"], individual_names=["a"])
    a = a.assign_coords(image_width=("time", [640, 640]), image_height=("time", [480, 480]))
    b = labels.from_numpy(position, image_path=["i2.png", "i3.png"], individual_names=["b"])
    merged = merge_individuals([a, b])
    assert merged.image_width.dtype == np.int64
    assert merged.image_width.values.tolist() == [640, 640, -1]
    assert merged.image_height.values.tolist() == [480, 480, -1]


@pytest.mark.parametrize("other", [[["a", "b"], ["b", "c"]], [["b", "c"]]], ids=["more", "other"])
def test_inputs_of_different_skeletons_are_refused_naming_both(other):
    """A raw xarray AlignmentError (edge counts differ), or the second's edges dropped."""

    def with_edges(name, edges):
        ds = posebridge.from_numpy(
            np.ones((2, 2, 3, 1)), individual_names=[name], keypoint_names=["a", "b", "c"]
        )
        return ds.assign(skeleton_edges=(("edge", "edge_node"), np.array(edges)))

    first, second = with_edges("x", [["a", "b"]]), with_edges("y", other)
    with pytest.raises(SchemaError, match=r"y\.slp: its skeleton_edges .* differ from x\.slp"):
        merge_individuals([first, second], sources=["x.slp", "y.slp"])
    same = with_edges("z", [["b", "a"]])  # one edge, named the other way round
    assert merge_individuals([first, same]).sizes["edge"] == 1


def test_an_input_without_frame_numbers_first_is_merged_as_when_it_comes_second():
    """Only the first input's coordinates were walked: with the one without frame
    numbers first, the others' were never taken and a NaN frame number was refused."""
    rng = np.random.default_rng(9)
    numbered = posebridge.from_numpy(rng.random((3, 2, 1, 1)), individual_names=["a"], fps=30)
    plain = posebridge.from_numpy(rng.random((5, 2, 1, 1)), individual_names=["b"], fps=30)
    plain = plain.drop_vars("frame")
    first = merge_individuals([numbered, plain])
    second = merge_individuals([plain, numbered])
    assert first.frame.values.tolist() == second.frame.values.tolist() == [0, 1, 2, 3, 4]


def test_a_fact_of_one_view_only_is_not_the_stacked_datasets():
    """Every view claimed the first camera's video: the mid view was written with the
    back camera's video."""
    back = posebridge.from_numpy(np.ones((2, 2, 1, 1))).assign_attrs(
        video_path="back.mp4", scorer="net"
    )
    mid = back.assign_attrs(video_path="mid.mp4")
    with pytest.warns(UserWarning, match="name different videos") as said:
        stacked = stack_views([back, mid], ["back", "mid"], sources=["back.h5", "mid.h5"])
    assert "video_path" not in stacked.attrs
    # which camera's video each view was is said, not dropped silently
    assert "'back': 'back.mp4'" in str(said[0].message)
    assert "'mid': 'mid.mp4'" in str(said[0].message)
    assert stacked.attrs["scorer"] == "net"  # the same in both
    assert stacked.attrs["source_file"] == "back.h5, mid.h5"


def _in_frames_at(fps: float | None, individual: str) -> posebridge.xr.Dataset:
    """Frames 0..4 of one individual, stating ``fps`` (as a netCDF file read back does)."""
    ds = _dataset(list(range(5)), np.arange(20.0), individual)
    if fps is not None:
        ds.attrs["fps"] = fps
    return ds


def test_inputs_in_frames_at_different_fps_are_refused_naming_both(tmp_path):
    """Frame-indexed inputs at 30 and 25 fps merged silently, at the first's 30 fps."""
    files = [tmp_path / "a.nc", tmp_path / "b.nc"]
    for path, fps, name in zip(files, (30.0, 25.0), ("a", "b"), strict=True):
        posebridge.save(_in_frames_at(fps, name), path)
    with pytest.raises(
        posebridge.PoseBridgeError, match=r"b\.nc is at fps 25 but .*a\.nc at fps 30"
    ):
        posebridge.load(files)
    with pytest.raises(SchemaError, match="fps 25 .* fps 30"):
        merge_individuals([_in_frames_at(30.0, "a"), _in_frames_at(25.0, "b")])


def test_an_input_in_frames_without_fps_takes_the_others():
    """The merge took the first input's attributes: no fps, though the second states 30."""
    merged = merge_individuals([_in_frames_at(None, "a"), _in_frames_at(30.0, "b")])
    assert merged.attrs["fps"] == 30.0
    assert merged.attrs["time_unit"] == "frames"


def test_inputs_in_seconds_whose_fps_differ_by_float_error_are_one_rate():
    """30 and 30 * (1 + 1e-12) were refused as different rates."""
    rng = np.random.default_rng(5)
    a = posebridge.from_numpy(rng.random((4, 2, 1, 1)), individual_names=["a"], fps=30)
    b = posebridge.from_numpy(rng.random((4, 2, 1, 1)), individual_names=["b"], fps=30)
    b.attrs["fps"] = 30 * (1 + 1e-12)
    merged = merge_individuals([a, b])
    assert merged.attrs["fps"] == 30.0
    assert merged.sizes["time"] == 4


def _in_seconds(times: np.ndarray, individual: str, fps: float = 30.0):
    rng = np.random.default_rng(len(individual))
    ds = posebridge.from_numpy(
        rng.random((times.size, 2, 1, 1)), individual_names=[individual], fps=fps
    )
    return ds.drop_vars("frame").assign_coords(time=times)


TWO_WAYS = {  # one series of instants computed two ways: some differ in their last bit
    "from 0": (lambda k: k / 30, lambda k: k * (1 / 30)),
    "a clock since 1970": (lambda k: 1.7e9 + 0.1 + k / 30, lambda k: (51e9 + 3 + k) / 30),
}


@pytest.mark.parametrize("clock", TWO_WAYS.values(), ids=TWO_WAYS.keys())
def test_times_one_float_step_apart_are_one_time(clock):
    """The union of two inputs' times held both of each pair of times that differed in
    their last bit (a float step), so each input had NaN at every other of them."""
    k = np.arange(300)
    first, second = clock[0](k), clock[1](k)
    assert (first != second).any()  # the premise: some differ by a float step
    a, b = _in_seconds(first, "a"), _in_seconds(second, "b")
    merged = merge_individuals([a, b])
    np.testing.assert_array_equal(merged.time.values, first)  # the first input's values
    np.testing.assert_array_equal(merged.position.sel(individual="b").values, b.position[..., 0])
    stacked = stack_views(
        [a.assign_coords(individual=["m"]), b.assign_coords(individual=["m"])], ["top", "side"]
    )
    np.testing.assert_array_equal(stacked.time.values, first)
    assert not np.isnan(stacked.position.values).any()
    # times a ten-thousandth of a frame apart are different instants: kept apart
    later = first + 1e-4 / 30
    apart = merge_individuals([a, _in_seconds(later, "b")])
    np.testing.assert_array_equal(apart.time.values, np.sort(np.r_[first, later]))
    assert np.isnan(apart.position.sel(individual="b", time=first).values).all()


def test_single_animal_files_of_a_split_output_are_refused_saying_how_to_name_them(tmp_path):
    """DeepLabCut's split_individuals=True files name no individual; the refusal said only
    'load them one by one'. It now says how to name them and merge; that recipe works."""
    rng = np.random.default_rng(2)
    ds = posebridge.from_numpy(rng.random((4, 2, 3, 2)), individual_names=["mouse1", "mouse2"])
    files = posebridge.save(ds, tmp_path / "out.csv", "dlc", split_individuals=True)
    assert [f.name for f in files] == ["out_mouse1.csv", "out_mouse2.csv"]
    with pytest.raises(SchemaError, match="individual_0") as raised:
        posebridge.load(files)
    message = str(raised.value)
    assert "out_mouse1.csv and " in message and "single-animal" in message
    assert "assign_coords(individual=[name])" in message and "merge_individuals" in message
    named = merge_individuals(
        [
            posebridge.load(f).assign_coords(individual=[name])
            for f, name in zip(files, ["mouse1", "mouse2"], strict=True)
        ]
    )
    assert named.individual.values.tolist() == ["mouse1", "mouse2"]
    np.testing.assert_allclose(named.position.values, ds.position.values, rtol=1e-12)


def _session(individual: str, start: str) -> xr.Dataset:
    ds = posebridge.from_numpy(
        np.random.default_rng(len(individual)).uniform(0, 9, (5, 2, 1, 1)),
        individual_names=[individual],
        fps=10,
    )
    ds.attrs["session_start_time"] = start
    return ds


def test_nwb_files_stating_two_session_starts_are_read_together_with_a_warning(tmp_path):
    """The second session's poses (started 10 s later) were put at the first's moments,
    without a word. (Not refused: a file written without a session start states the time
    it was written, so one session's files converted one by one differ too.)"""
    for name, start in (("m1", "2024-01-01T10:00:00+00:00"), ("m2", "2024-01-01T10:00:10+00:00")):
        posebridge.save(_session(name, start), tmp_path / f"{name}.nwb")

    with pytest.warns(UserWarning, match="session start") as caught:
        merged = posebridge.load([tmp_path / "m1.nwb", tmp_path / "m2.nwb"])

    (said,) = [str(w.message) for w in caught if "session start" in str(w.message)]
    assert "m1.nwb" in said and "m2.nwb" in said and "10:00:10" in said
    assert "load them one by one" in said
    assert merged.individual.values.tolist() == ["m1", "m2"]
    assert merged.attrs["session_start_time"].startswith("2024-01-01T10:00:00")
    with pytest.warns(UserWarning, match="session start"):
        stack_views([_session("m", "2024-01-01T10:00:00+00:00"),
                     _session("m", "2024-01-02T10:00:00+00:00")], ["top", "side"])  # fmt: skip


def test_one_session_start_written_in_two_time_zones_or_stated_once_is_one_session():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        merged = merge_individuals(
            [
                _session("a", "2024-01-01T10:00:00+00:00"),
                _session("b", "2024-01-01T11:00:00+01:00"),  # the same moment
                _session("c", ""),  # states none
                _session("d", "2024-01-01T10:00:00.0016+00:00"),  # movement's: ms apart
            ]
        )
    assert merged.individual.values.tolist() == ["a", "b", "c", "d"]
    assert merged.sizes["time"] == 5


@pytest.mark.parametrize("bad", [None, b"top", True, np.bool_(False)])
def test_view_names_that_are_not_text_or_numbers_are_refused_not_made_text(bad):
    a = posebridge.from_numpy(np.zeros((3, 2, 1, 1)))
    with pytest.raises(posebridge.errors.TypeError, match=r"'views' to hold names") as caught:
        stack_views([a, a.copy()], [bad, "side"])
    assert isinstance(caught.value, posebridge.PoseBridgeError)
    assert list(stack_views([a, a.copy()], [0, "side"])["view"].values) == ["0", "side"]


def test_an_input_with_views_already_is_named_with_its_view_key():
    a = posebridge.from_numpy(np.zeros((3, 2, 1, 1)))
    viewed = a.expand_dims(view=["l", "r"], axis=-1)
    with pytest.raises(SchemaError) as caught:
        stack_views([a, viewed], ["cam1", "cam2"], sources=["one.nc", "two.nc"])
    message = str(caught.value)
    assert "two.nc (view 'cam2') already has camera views (l, r)" in message
    assert "one.nc" not in message


def test_three_views_line_up_when_later_views_lack_a_frame_of_the_first():
    """A later view's gap at a frame only the first view has stood in the first view's
    frame number: three views were refused as if a row had no frame number."""
    top = _view_labels(1.0, video=["top.mp4"] * 3, frame=[0, 5, 9])
    side = _view_labels(2.0, video=["side.mp4"] * 2, frame=[5, 9])
    front = _view_labels(3.0, video=["front.mp4"] * 2, frame=[5, 9])
    with pytest.warns(UserWarning, match="not kept"):
        stacked = stack_views([top, side, front], ["top", "side", "front"])
    assert stacked.frame.values.tolist() == [0, 5, 9]
    for view, fill, frames in (("top", 1, ["0", "5", "9"]), ("side", 2, ["5", "9"]),
                               ("front", 3, ["5", "9"])):  # fmt: skip
        values = _by_frame(stacked, view)
        assert [f for f, v in values.items() if v == fill] == frames
        assert all(np.isnan(v) for f, v in values.items() if f not in frames)


def test_views_of_images_named_alike_and_named_by_camera_line_up_together():
    """top/img0010.png and bot/img0010.png share a name, side_0010.png does not: the name's
    number is the frame of all three (name keys for some views never met the others')."""
    frames = [10, 11]

    def view(folder, pattern, value):
        paths = [f"labeled-data/{folder}/{pattern.format(f)}" for f in frames]
        return _view_labels(value, image_path=paths)

    top = view("top", "img{:04d}.png", 1.0)
    bot = view("bot", "img{:04d}.png", 2.0)
    side = view("side", "side_{:04d}.png", 3.0)
    with pytest.warns(UserWarning, match="not kept"):
        stacked = stack_views([top, bot, side], ["top", "bot", "side"])
    assert stacked.frame.values.tolist() == frames
    assert not np.isnan(stacked.position.values).any()  # every view at every frame


def _slp_with_suggestions(path, track_name: str, suggested: list[int]) -> None:
    """A .slp of one video, one track on frames 0..2, suggesting ``suggested`` frames."""
    sio = pytest.importorskip("sleap_io")
    from _sleap_io_labels import labels_of

    track = sio.Track(track_name)
    labels = labels_of({frame: [track] for frame in range(3)})
    video = labels.videos[0]
    labels.suggestions = [sio.SuggestionFrame(video=video, frame_idx=f) for f in suggested]
    sio.save_slp(labels, str(path))


def test_merged_slp_files_keep_the_suggested_frames_of_every_file(tmp_path):
    """Before, the second file's suggestions were dropped without a word (first file's attrs)."""
    sio = pytest.importorskip("sleap_io")
    first, second = tmp_path / "a.slp", tmp_path / "b.slp"
    _slp_with_suggestions(first, "A", [10])
    _slp_with_suggestions(second, "B", [50, 10, 60])
    merged = posebridge.load([first, second])
    frames = [row["frame_idx"] for row in json.loads(merged.attrs["sleap_suggestions"])]
    assert frames == [10, 50, 60]  # each once, in input order
    out = tmp_path / "merged.slp"
    posebridge.save(merged, out)
    written = sio.load_slp(str(out), open_videos=False).suggestions
    assert sorted(s.frame_idx for s in written) == [10, 50, 60]


def test_merge_unions_every_attr_the_registry_marks_a_row_list(monkeypatch):
    """combine named SLEAP's attr itself; it now reads the registry's marking, so an
    attr marked a row list there is unioned, whatever format adds it."""
    one = posebridge.from_numpy(np.zeros((1, 2, 1, 1)), individual_names=["a"])
    monkeypatch.setattr(model, "ROW_LIST_ATTRS", ("other_rows",))
    a = one.assign_attrs(other_rows='[{"video": "v.mp4", "frame_idx": 1}]')
    b = one.assign_coords(individual=["b"]).assign_attrs(
        other_rows='[{"video": "v.mp4", "frame_idx": 2}, {"video": "v.mp4", "frame_idx": 1}]'
    )
    merged = merge_individuals([a, b])
    assert [row["frame_idx"] for row in json.loads(merged.attrs["other_rows"])] == [1, 2]


def _view_with_rows(rows: list[dict] | None) -> xr.Dataset:
    ds = posebridge.from_numpy(np.ones((3, 2, 1, 1)), fps=30)
    return ds if rows is None else ds.assign_attrs(sleap_suggestions=json.dumps(rows))


def test_stacked_views_keep_the_suggested_frames_of_every_view():
    """The views' suggestions differ (each camera's own video): they were dropped
    without a word; each view's rows name its video, so every view's are kept."""
    top = [{"video": "top.mp4", "frame_idx": 4, "group": 0}]
    side = [
        {"video": "side.mp4", "frame_idx": 4, "group": 0},
        {"video": "side.mp4", "frame_idx": 9, "group": 0},
    ]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the rows are kept: nothing to warn about
        stacked = stack_views(
            [_view_with_rows(top), _view_with_rows(None), _view_with_rows(side)],
            ["top", "bot", "side"],
        )
    assert json.loads(stacked.attrs["sleap_suggestions"]) == top + side


def test_stacked_views_whose_rows_name_no_video_warn_naming_the_attr():
    """A row that names no video cannot say which view it is of: left out, said."""
    top = [{"frame_idx": 4}]
    side = [{"frame_idx": 9}]
    with pytest.warns(UserWarning, match="sleap_suggestions .*'top', 'side'") as said:
        stacked = stack_views([_view_with_rows(top), _view_with_rows(side)], ["top", "side"])
    assert "naming its video" in str(said[0].message)
    assert "sleap_suggestions" not in stacked.attrs


def test_stacked_slp_views_keep_every_views_suggestions(tmp_path):
    """load_multiview_dataset of two camera .slp files kept neither's suggestions."""
    sio = pytest.importorskip("sleap_io")
    from _sleap_io_labels import labels_of
    from posebridge.io.load import load_multiview_dataset

    files = {}
    for view, suggested in (("top", [3, 7]), ("side", [7, 8])):
        video = sio.Video(filename=f"/data/{view}.mp4", open_backend=False)
        track = sio.Track("A")
        labels = labels_of({frame: [track] for frame in range(3)}, video=video)
        labels.suggestions = [sio.SuggestionFrame(video=video, frame_idx=f) for f in suggested]
        files[view] = tmp_path / f"{view}.slp"
        sio.save_slp(labels, str(files[view]))
    with pytest.warns(UserWarning, match="name different videos"):  # video_path, not rows
        stacked = load_multiview_dataset(files, source_software="SLEAP")
    rows = json.loads(stacked.attrs["sleap_suggestions"])
    assert [(row["video"], row["frame_idx"]) for row in rows] == [
        ("/data/top.mp4", 3),
        ("/data/top.mp4", 7),
        ("/data/side.mp4", 7),
        ("/data/side.mp4", 8),
    ]


def test_merging_slp_files_of_different_videos_warns_naming_both(tmp_path):
    """load([a.slp, b.slp]) of two videos put two recordings on one time axis and kept
    the first's video facts without a word."""
    sio = pytest.importorskip("sleap_io")
    from _sleap_io_labels import labels_of

    paths = []
    for name in ("left", "right"):
        video = sio.Video(filename=f"/data/{name}.mp4", open_backend=False)
        track = sio.Track(name)
        labels = labels_of({frame: [track] for frame in range(3)}, video=video)
        paths.append(tmp_path / f"{name}.slp")
        sio.save_slp(labels, str(paths[-1]))
    with pytest.warns(UserWarning, match="different recordings") as said:
        merged = posebridge.load(paths)
    message = next(str(w.message) for w in said if "different recordings" in str(w.message))
    assert "'/data/left.mp4'" in message and "'/data/right.mp4'" in message
    assert "video attrs of" in message and "stack_views" in message
    assert merged.attrs["video_path"] == "/data/left.mp4"  # the first's, as said


def test_merging_netcdf_files_of_different_videos_warns(tmp_path):
    """The rule is combine's, for any format: two netCDF files naming two videos."""
    paths = []
    for name in ("a", "b"):
        ds = posebridge.from_numpy(np.ones((2, 2, 1, 1)), individual_names=[name], fps=30)
        paths.append(tmp_path / f"{name}.nc")
        posebridge.save(ds.assign_attrs(video_path=f"{name}.mp4"), paths[-1])
    with pytest.warns(UserWarning, match="'a.mp4' but .*b.nc names 'b.mp4'.*different recor"):
        posebridge.load(paths)
    same = tmp_path / "c.nc"
    posebridge.save(
        posebridge.from_numpy(np.ones((2, 2, 1, 1)), individual_names=["c"], fps=30).assign_attrs(
            video_path="a.mp4"
        ),
        same,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # one video: nothing to say
        posebridge.load([paths[0], same])


@pytest.mark.parametrize("spelled", ["./a.mp4", "videos/../a.mp4", "a.mp4"])
def test_merging_datasets_of_one_video_spelled_two_ways_says_nothing(spelled):
    """'a.mp4' and './a.mp4' are one video: they were called different recordings."""
    one, two = (
        posebridge.from_numpy(np.ones((2, 2, 1, 1)), individual_names=[name], fps=30)
        for name in ("m1", "m2")
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        merged = posebridge.combine.merge_individuals(
            [one.assign_attrs(video_path="a.mp4"), two.assign_attrs(video_path=spelled)]
        )
    assert list(merged.individual.values) == ["m1", "m2"]


def _with_signal(times: list[int], signal: list[float], individual: str) -> xr.Dataset:
    ds = _dataset(times, np.arange(4.0), individual)
    return ds.assign(led_on=(model.TIME, np.asarray(signal)))


def test_merge_keeps_each_inputs_per_frame_variable_where_they_agree():
    """h118 finding 3: a variable along time alone took the first input's values only (NaN
    where the first had no row, the second's values dropped)."""
    a = _with_signal([0, 1, 2], [0.0, 1.0, np.nan], "m1")
    b = _with_signal([1, 2, 3, 4], [1.0, 5.0, 6.0, 7.0], "m2")
    merged = merge_individuals([a, b])
    assert merged["led_on"].dims == (model.TIME,)
    expected = {0: 0.0, 1: 1.0, 2: 5.0, 3: 6.0, 4: 7.0}  # a's, else b's (a's NaN at 2)
    times, signal = merged.time.values.tolist(), merged["led_on"].values.tolist()
    assert dict(zip(times, signal, strict=True)) == expected


def test_merge_refuses_a_per_frame_variable_the_inputs_disagree_on(tmp_path):
    """h118 finding 3: the second input's differing values were dropped without a word."""
    a = _with_signal([0, 1, 2, 3], [0.0, 0.0, 1.0, 1.0], "m1")
    b = _with_signal([0, 1, 2, 3], [0.0, 0.0, 0.0, 0.0], "m2")
    with pytest.raises(SchemaError, match=r"b\.nc: its 'led_on' .* 1\.0 in a\.nc but 0\.0 here"):
        merge_individuals([a, b], sources=["a.nc", "b.nc"])
    for ds in (a, b):  # the way out the message gives keeps both
        ds["led_on"] = ds["led_on"].expand_dims(individual=ds.individual.values, axis=-1)
    merged = merge_individuals([a, b])
    np.testing.assert_array_equal(merged["led_on"].sel(individual="m1"), a["led_on"][:, 0])
    np.testing.assert_array_equal(merged["led_on"].sel(individual="m2"), b["led_on"][:, 0])


def test_merge_of_an_input_in_seconds_without_fps_says_how_to_state_it():
    """h118 finding 9: the message said "give it (fps=)", which merge_individuals does not
    take; the way it gives now works."""
    a = posebridge.from_numpy(np.zeros((3, 2, 1, 1)), individual_names=["a"], fps=30)
    b = posebridge.from_numpy(np.zeros((3, 2, 1, 1)), individual_names=["b"])
    b = b.assign_coords(time=np.arange(3) / 30).assign_attrs(time_unit="seconds")
    with pytest.raises(SchemaError, match=r"posebridge\.model\.with_fps\(ds, 30\)") as caught:
        merge_individuals([a, b])
    assert "(fps=)" not in str(caught.value)
    merged = merge_individuals([a, model.with_fps(b, 30)])
    assert merged["individual"].values.tolist() == ["a", "b"]


def _view_3d(seed: int) -> xr.Dataset:
    rng = np.random.default_rng(seed)
    return posebridge.from_numpy(rng.uniform(0, 9, (4, 3, 2, 1)), keypoint_names=["a", "b"])


def test_views_in_different_units_are_refused_naming_the_views_and_units():
    """h144 finding 3: millimetres beside metres in one position, with no space_unit left
    to tell them apart, is refused naming each view (and its file) and its unit."""
    left = _view_3d(0).assign_attrs(space_unit="millimeters")
    right = _view_3d(1).assign_attrs(space_unit="meters")
    with pytest.raises(SchemaError, match="different units") as said:
        stack_views([left, right], ["left", "right"], sources=["l.nc", "r.nc"])
    assert "view 'left' (l.nc): 'millimeters'" in str(said.value)
    assert "view 'right' (r.nc): 'meters'" in str(said.value)


def test_views_in_one_unit_however_spelled_or_unknown_in_one_stack():
    left = _view_3d(0).assign_attrs(space_unit="millimeters")
    stacked = stack_views([left, _view_3d(1).assign_attrs(space_unit="millimeters")], ["l", "r"])
    assert stacked.attrs["space_unit"] == "millimeters"
    assert (
        stack_views([left, _view_3d(1).assign_attrs(space_unit="mm")], ["l", "r"]).sizes["view"]
        == 2
    )
    assert "space_unit" not in stack_views([left, _view_3d(1)], ["l", "r"]).attrs  # one unknown


def test_views_in_different_anipose_alignments_are_refused_naming_them():
    """h144 finding 3: positions in two coordinate frames are refused (not stacked with the
    alignments, the only way back to the cameras' frame, left out)."""
    matrix, center = np.eye(3).reshape(-1), np.zeros(3)
    left = _view_3d(0).assign_attrs(
        anipose_alignment_matrix=matrix, anipose_alignment_center=center
    )
    turned = np.array([0.0, 1, 0, 1, 0, 0, 0, 0, 1])
    right = _view_3d(1).assign_attrs(
        anipose_alignment_matrix=turned, anipose_alignment_center=np.full(3, 5.0)
    )
    with pytest.raises(SchemaError, match="alignments differ") as said:
        stack_views([left, right], ["left", "right"])
    message = str(said.value)
    assert "view 'left': anipose_alignment_matrix [1.0, 0.0, 0.0" in message
    assert "view 'right': anipose_alignment_matrix [0.0, 1.0, 0.0" in message
    assert "anipose_alignment_center [5.0, 5.0, 5.0]" in message
    same = stack_views([left, right.assign_attrs(**left.attrs)], ["left", "right"])
    np.testing.assert_array_equal(same.attrs["anipose_alignment_matrix"], matrix)


def test_views_in_one_alignment_holding_nan_are_stacked():
    """h148 finding 3: two equal alignments holding NaN were refused (NaN never equals NaN)."""
    matrix = np.eye(3).reshape(-1)
    center = np.array([np.nan, 0.0, 1.0])
    attrs = {"anipose_alignment_matrix": matrix, "anipose_alignment_center": center}
    left, right = _view_3d(0).assign_attrs(**attrs), _view_3d(1).assign_attrs(**attrs)
    assert stack_views([left, right], ["left", "right"]).sizes["view"] == 2


def test_load_multiview_dataset_refuses_anipose_files_in_different_alignments(tmp_path):
    """The same through the files: two Anipose .csv files whose M / center differ."""
    from posebridge.io import load_multiview_dataset

    left = _view_3d(0).assign_attrs(anipose_alignment_matrix=np.eye(3).reshape(-1))
    right = _view_3d(1).assign_attrs(anipose_alignment_matrix=2 * np.eye(3).reshape(-1))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        posebridge.save(left, tmp_path / "l.csv", "anipose")
        posebridge.save(right, tmp_path / "r.csv", "anipose")
    files = {"l": tmp_path / "l.csv", "r": tmp_path / "r.csv"}
    with pytest.raises(SchemaError, match="alignments differ") as said:
        load_multiview_dataset(files, "Anipose")
    assert f"view 'r' ({tmp_path / 'r.csv'})" in str(said.value)


def test_views_stating_a_matrix_alone_stack_with_views_stating_it_and_a_zero_center():
    """h148 finding 3 (second half): Anipose writes a zero center when it states no other
    (and posebridge's Anipose writer writes one for an absent center), so a view stating
    only the matrix is in the frame of a view stating that matrix and a zero center; an
    absent matrix is the identity likewise. Views that differ are still refused, the
    absent attribute shown as Anipose's default."""
    matrix = 2 * np.eye(3).reshape(-1)
    alone = _view_3d(0).assign_attrs(anipose_alignment_matrix=matrix)
    both = _view_3d(1).assign_attrs(
        anipose_alignment_matrix=matrix, anipose_alignment_center=np.zeros(3)
    )
    for order in ([alone, both], [both, alone]):
        stacked = stack_views(order, ["l", "r"])
        np.testing.assert_array_equal(stacked.attrs["anipose_alignment_matrix"], matrix)
        assert np.all(stacked.attrs.get("anipose_alignment_center", np.zeros(3)) == 0)
    center_alone = _view_3d(0).assign_attrs(anipose_alignment_center=np.zeros(3))
    identity = _view_3d(1).assign_attrs(anipose_alignment_matrix=np.eye(3).reshape(-1))
    assert stack_views([center_alone, identity], ["l", "r"]).sizes["view"] == 2
    moved = _view_3d(1).assign_attrs(
        anipose_alignment_matrix=matrix, anipose_alignment_center=np.ones(3)
    )
    with pytest.raises(SchemaError, match="alignments differ") as said:
        stack_views([alone, moved], ["l", "r"])
    assert "anipose_alignment_center [0.0, 0.0, 0.0] (not stated: Anipose's default)" in str(
        said.value
    )


def test_views_in_one_alignment_holding_nan_keep_it():
    """The alignment that every view states, NaN in it, is kept on the stacked dataset (it
    was let through by the check, then left out as 'not shared')."""
    center = np.array([np.nan, 0.0, 1.0])
    attrs = {"anipose_alignment_matrix": np.eye(3).reshape(-1), "anipose_alignment_center": center}
    stacked = stack_views(
        [_view_3d(0).assign_attrs(**attrs), _view_3d(1).assign_attrs(**attrs)], ["l", "r"]
    )
    np.testing.assert_array_equal(stacked.attrs["anipose_alignment_center"], center)


def _individual_3d(seed: int, name: str) -> xr.Dataset:
    return _view_3d(seed).assign_coords(individual=[name])


def test_merge_individuals_refuses_inputs_in_different_units_naming_them():
    """f124's unchecked note: merge_individuals kept the first input's space_unit for
    every individual, so metres were labelled millimetres without a word."""
    mm = _individual_3d(0, "a").assign_attrs(space_unit="millimeters")
    m = _individual_3d(1, "b").assign_attrs(space_unit="meters")
    with pytest.raises(SchemaError, match="different units") as said:
        merge_individuals([mm, m], ["a.nc", "b.nc"])
    assert "a.nc: 'millimeters'" in str(said.value)
    assert "b.nc: 'meters'" in str(said.value)
    same = merge_individuals([mm, m.assign_attrs(space_unit="mm")])
    assert same.attrs["space_unit"] == "millimeters"
    assert merge_individuals([mm, _individual_3d(1, "b")]).sizes["individual"] == 2  # unknown


def test_merge_individuals_refuses_inputs_in_different_anipose_alignments():
    """f124's unchecked note: merge_individuals kept the first input's Anipose alignment for
    every individual, so positions in two coordinate frames were merged as one."""
    first = _individual_3d(0, "a").assign_attrs(anipose_alignment_matrix=np.eye(3).reshape(-1))
    moved = _individual_3d(1, "b").assign_attrs(anipose_alignment_center=[1.0, 2.0, 3.0])
    with pytest.raises(SchemaError, match="alignments differ") as said:
        merge_individuals([first, moved], ["a.csv", "b.csv"])
    assert "b.csv: anipose_alignment_matrix [1.0, 0.0" in str(said.value)
    assert "anipose_alignment_center [1.0, 2.0, 3.0]" in str(said.value)
    zero = _individual_3d(1, "b").assign_attrs(anipose_alignment_center=np.zeros(3))
    assert merge_individuals([first, zero]).sizes["individual"] == 2


@pytest.mark.parametrize(
    ("kinds", "kept"),
    [
        (("predicted", "predicted"), True),
        (("predicted", None), False),
        ((None, "predicted"), False),
    ],
)
def test_merged_instances_are_all_predictions_only_when_every_input_says_so(kinds, kept):
    """instance_kind='predicted' (every instance a prediction, scored or not) is the merged
    dataset's only when every input states it: the first input's word alone would write
    another input's user instances as predictions."""
    inputs = []
    for name, kind in zip(("a", "b"), kinds, strict=True):
        ds = model.from_numpy(np.zeros((3, 2, 1, 1)), individual_names=[name])
        if kind is not None:
            ds.attrs[model.INSTANCE_KIND] = kind
        inputs.append(ds)

    merged = merge_individuals(inputs)

    assert (merged.attrs.get(model.INSTANCE_KIND) == model.PREDICTED_INSTANCES) is kept


# --- f162: camera views line up on frames, keep every view's variables and the unit; a
# scalar view is not merged away


def _boxes(first_frames: list[int], x: list[float], name: str = "id_1") -> xr.Dataset:
    """Box tracks as VIA reads them: time counted from the file's own first frame, the
    frame numbers in ``frame``."""
    frame = np.asarray(first_frames)
    ds = model.bboxes_from_numpy(
        np.stack([np.asarray(x, float), np.zeros(len(x))], axis=1)[:, :, None],
        np.ones((len(x), 2, 1)),
        individual_names=[name],
    )
    return ds.assign_coords(
        {model.TIME: frame - frame[0], model.FRAME: (model.TIME, frame)}
    ).assign_attrs(time_unit="frames")


def test_views_of_box_tracks_line_up_on_their_frame_numbers():
    """Two views whose first annotated frames differ (VIA: time from each file's first
    frame): a box sits at its own frame number in the stack, as merge_individuals puts it."""
    left = _boxes([10, 20], [12.0, 22.0])
    right = _boxes([20, 30], [202.0, 302.0])

    stacked = stack_views([left, right], ["left", "right"])

    frames = stacked[model.FRAME].values.tolist()
    assert frames == sorted({10, 20, 30})
    x = stacked["position"].sel(space="x", individual="id_1")
    for view, boxes in (("left", left), ("right", right)):
        for frame, value in zip(
            boxes[model.FRAME].values, boxes["position"].sel(space="x").values.ravel(), strict=True
        ):
            assert x.sel(view=view).values[frames.index(int(frame))] == value
    assert np.isnan(x.sel(view="right").values[frames.index(10)])
    assert np.isnan(x.sel(view="left").values[frames.index(30)])


def test_views_that_number_one_time_as_different_frames_are_refused():
    """Views on one clock whose videos number the frames differently: the stack holds one
    frame number per time, so it refuses, naming both views, rather than giving the
    second view the first's numbers."""
    left = model.from_numpy(np.zeros((5, 2, 1, 1)), fps=30)
    right = model.from_numpy(np.ones((5, 2, 1, 1)), fps=30)
    right = right.assign_coords({model.FRAME: (model.TIME, np.arange(100, 105))})
    left = left.assign_coords({model.FRAME: (model.TIME, np.arange(5))})

    with pytest.raises(SchemaError) as said:
        stack_views([left, right], ["left", "right"], ["l.nwb", "r.nwb"])

    assert "view 'right' (r.nwb)" in str(said.value)
    assert "view 'left' (l.nwb)" in str(said.value)
    same = stack_views([left, left.assign(position=right["position"])], ["a", "b"])
    assert same[model.FRAME].values.tolist() == left[model.FRAME].values.tolist()


@pytest.mark.parametrize("scored_first", [True, False])
def test_a_variable_only_one_view_has_is_that_views_whatever_the_order(scored_first):
    """instance_score of one view only: it gets the view dim, NaN for the view without it."""
    plain = model.from_numpy(np.zeros((3, 2, 1, 1)), individual_names=["m"])
    scores = np.array([[0.9], [0.8], [0.7]])
    scored = plain.assign(instance_score=((model.TIME, model.INDIVIDUAL), scores))
    inputs, views = [scored, plain], ["s", "p"]
    if not scored_first:
        inputs, views = inputs[::-1], views[::-1]

    stacked = stack_views(inputs, views)

    assert model.VIEW in stacked["instance_score"].dims
    kept = stacked["instance_score"].sel(view="s", individual="m").values
    np.testing.assert_array_equal(kept, scores[:, 0])
    assert np.isnan(stacked["instance_score"].sel(view="p").values).all()


def test_views_whose_units_are_two_spellings_of_one_keep_the_unit():
    """'mm' and 'millimeters' are one unit: the stack states it (by its one name)."""
    a = model.from_numpy(np.zeros((3, 2, 1, 1))).assign_attrs(space_unit="mm")
    b = model.from_numpy(np.ones((3, 2, 1, 1))).assign_attrs(space_unit="millimeters")

    stacked = stack_views([a, b], ["left", "right"])

    assert stacked.attrs["space_unit"] == unit_name("mm")


def test_individuals_of_different_camera_views_are_not_merged_under_one():
    """A scalar view (ds.sel(view=name)) that differs between inputs, or that one input
    lacks, is refused naming the inputs; one view throughout is kept."""
    a = model.from_numpy(np.zeros((3, 2, 1, 1)), individual_names=["a"])
    b = model.from_numpy(np.ones((3, 2, 1, 1)), individual_names=["b"])
    a_top = a.assign_coords({model.VIEW: "top"})

    with pytest.raises(SchemaError, match=r"b\.nc is of view 'side' but a\.nc of view 'top'"):
        merge_individuals([a_top, b.assign_coords({model.VIEW: "side"})], ["a.nc", "b.nc"])
    with pytest.raises(SchemaError, match="b.nc is of no camera view"):
        merge_individuals([a_top, b], ["a.nc", "b.nc"])
    merged = merge_individuals([a_top, b.assign_coords({model.VIEW: "top"})])
    assert str(merged[model.VIEW].values) == "top"


def test_a_view_stacked_under_another_views_name_is_refused():
    """ds.sel(view='side') stacked as 'top' would be the side camera under the top's name."""
    a = model.from_numpy(np.zeros((3, 2, 1, 1)))

    with pytest.raises(SchemaError, match="is of camera view 'side'"):
        stack_views([a, a.assign_coords({model.VIEW: "side"})], ["top", "bottom"])
    stacked = stack_views([a, a.assign_coords({model.VIEW: "side"})], ["top", "side"])
    assert stacked[model.VIEW].values.tolist() == ["top", "side"]


# f163: labels of partly overlapping images, path spellings, project videos, argument types


def _labelled(name: str, value: float, **rows) -> xr.Dataset:
    from posebridge import labels

    n = len(next(iter(rows.values())))
    return labels.from_numpy(
        np.full((n, 2, 2, 1), value), individual_names=[name], keypoint_names=["h", "t"], **rows
    )


def test_merged_images_of_unknown_size_take_the_size_another_input_knows():
    """A row an input lacks has image size -1 (unknown): not a width that differs from
    another input's (COCO files whose images only partly overlap were refused)."""
    a = _labelled("a", 1.0, image_path=["imgs/img01.png", "imgs/img02.png"])
    a = a.assign_coords(image_width=("time", [640, 800]), image_height=("time", [480, 600]))
    b = _labelled("b", 2.0, image_path=["imgs/img02.png", "imgs/img03.png"])
    b = b.assign_coords(image_width=("time", [800, -1]), image_height=("time", [600, -1]))
    c = _labelled("c", 3.0, image_path=["imgs/img04.png"])
    c = c.assign_coords(image_width=("time", [320]), image_height=("time", [240]))

    merged = merge_individuals([a, b, c])

    paths = ["imgs/img01.png", "imgs/img02.png", "imgs/img03.png", "imgs/img04.png"]
    assert merged.image_path.values.tolist() == paths
    assert merged.image_width.values.tolist() == [640, 800, -1, 320]  # img03: no one knows
    assert merged.image_height.values.tolist() == [480, 600, -1, 240]
    assert merged.image_width.dtype.kind == "i"
    for ds in (a, b, c):
        name = str(ds.individual.values[0])
        rows = [paths.index(p) for p in ds.image_path.values.tolist()]
        np.testing.assert_array_equal(
            merged.position.sel(individual=name).isel(time=rows).values, ds.position[..., 0]
        )


def test_merged_images_of_two_known_sizes_are_still_refused():
    a = _labelled("a", 1.0, image_path=["img01.png"]).assign_coords(image_width=("time", [640]))
    b = _labelled("b", 2.0, image_path=["img01.png"]).assign_coords(image_width=("time", [800]))
    with pytest.raises(SchemaError, match="image_width is '800' but dataset 0's is '640'"):
        merge_individuals([a, b])


def test_merged_image_ids_of_one_numbering_are_kept_and_of_two_dropped_with_a_warning():
    """COCO numbers each file's images: ids that give one image two ids (or one id two
    images) are not one numbering, so the merged dataset keeps none and says so."""
    cats = _labelled("cat", 1.0, image_path=["img01.png", "img02.png"])
    dogs = _labelled("dog", 2.0, image_path=["img02.png"])
    one = merge_individuals(
        [cats.assign_coords(image_id=("time", [1, 2])), dogs.assign_coords(image_id=("time", [2]))]
    )
    assert one.image_id.values.tolist() == [1, 2]

    with pytest.warns(UserWarning, match=r"two ids: COCO image_id '2' of 'img02.png'") as said:
        two = merge_individuals(
            [
                cats.assign_coords(image_id=("time", [1, 2])),
                dogs.assign_coords(image_id=("time", [1])),
            ],
            ["cats.json", "dogs.json"],
        )
    assert "dogs.json and cats.json" in str(said[0].message)
    assert "image_id" not in two.coords
    assert two.image_path.values.tolist() == ["img01.png", "img02.png"]

    other = _labelled("dog", 2.0, image_path=["img03.png"]).assign_coords(image_id=("time", [1]))
    with pytest.warns(UserWarning, match=r"two images: COCO image_id '1' of 'img01.png'"):
        three = merge_individuals([cats.assign_coords(image_id=("time", [1, 2])), other])
    assert "image_id" not in three.coords


def test_merged_labels_of_two_spellings_of_one_video_path_are_one_row_per_frame():
    a = _labelled("a", 1.0, video=["vids/v1.mp4"] * 2, frame=[0, 5])
    b = _labelled("b", 2.0, video=["./vids/v1.mp4", "vids/x/../v1.mp4"], frame=[5, 7])

    merged = merge_individuals([a, b])

    assert merged.frame.values.tolist() == [0, 5, 7]
    assert {posixpath.normpath(str(v)) for v in merged.video.values} == {"vids/v1.mp4"}
    at5 = merged.position.isel(time=1)
    np.testing.assert_array_equal(at5.sel(individual="a").values, a.position[1, ..., 0])
    np.testing.assert_array_equal(at5.sel(individual="b").values, b.position[0, ..., 0])


def test_merged_sleap_projects_list_every_projects_videos_first_input_first():
    from posebridge.model.labels import PROJECT_VIDEOS

    a = _labelled("a", 1.0, video=["a_cam.mp4"], frame=[0])
    a.attrs[PROJECT_VIDEOS] = json.dumps(["a_cam.mp4"])
    b = _labelled("b", 2.0, video=["b_cam.mp4"], frame=[0])
    b.attrs[PROJECT_VIDEOS] = json.dumps(["b_cam.mp4", "b_cam_day2.mp4", "./a_cam.mp4"])

    merged = merge_individuals([a, b])

    expected = json.loads(a.attrs[PROJECT_VIDEOS]) + json.loads(b.attrs[PROJECT_VIDEOS])[:2]
    assert json.loads(merged.attrs[PROJECT_VIDEOS]) == expected


@pytest.mark.parametrize("combine", [merge_individuals, lambda d: stack_views(d, ["t", "s"])])
def test_putting_together_no_list_is_posebridges_type_error(combine):
    with pytest.raises(posebridge.errors.TypeError, match="list of xarray.Dataset"):
        combine(None)
    a = _dataset([0, 1], np.zeros(1), "a")
    with pytest.raises(posebridge.errors.TypeError, match="got Dataset"):
        combine(a)


def test_merge_individuals_takes_a_generator():
    a, b = _dataset([0, 1], np.zeros(1), "a"), _dataset([1, 2], np.ones(1), "b")
    merged = merge_individuals(ds for ds in (a, b))
    assert merged.individual.values.tolist() == ["a", "b"]
    assert merged.time.values.tolist() == [0, 1, 2]


def test_stacked_label_views_take_an_image_size_the_first_view_does_not_know():
    def view(paths: list[str]) -> xr.Dataset:
        ds = _labelled("a", 1.0, image_path=paths)
        return ds.assign_coords(image_width=("time", [640] * len(paths)))

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the second view's image paths are not kept
        stacked = stack_views(
            [view(["top/img01.png", "top/img02.png"]), view(["bot/img02.png", "bot/img03.png"])],
            ["top", "bot"],
        )

    assert stacked.frame.values.tolist() == [1, 2, 3]
    assert stacked.image_width.values.tolist() == [640, 640, 640]


def test_merged_images_named_with_and_without_a_leading_dot_folder_are_one_frame():
    """h181: COCO file names './0292.png' and '0292.png' made the video folders '.' and '',
    taken for two frames' rows and refused."""
    a = _labelled("a", 1.0, image_path=["0244.png", "0292.png"], video=["", ""], frame=[0, 1])
    b = _labelled("b", 2.0, image_path=["./0292.png"], video=["."], frame=[1])

    merged = merge_individuals([a, b])

    assert merged.sizes["time"] == 2
    np.testing.assert_array_equal(
        merged.position.sel(individual="b").isel(time=1).values, b.position[0, ..., 0]
    )


def test_image_ids_given_by_only_some_inputs_are_dropped_with_a_warning():
    """h181: the merged ids were floats with NaN, which the COCO writer replaced by its own
    numbering without a word."""
    cats = _labelled("cat", 1.0, image_path=["img01.png"]).assign_coords(image_id=("time", [7]))
    dogs = _labelled("dog", 2.0, image_path=["img02.png"])
    with pytest.warns(UserWarning, match=r"cats.json gives COCO image ids and dogs.json gives"):
        merged = merge_individuals([cats, dogs], ["cats.json", "dogs.json"])
    assert "image_id" not in merged.coords


def test_merged_sleap_projects_keep_every_videos_facts():
    """h181: only the first input's facts of its videos were kept (a second project's
    grayscale video was written back as colour)."""
    from posebridge.model.labels import VIDEO_FACTS

    a = _labelled("a", 1.0, video=["a.mp4"], frame=[0])
    a.attrs[VIDEO_FACTS] = json.dumps({"a.mp4": {"grayscale": False}})
    b = _labelled("b", 2.0, video=["b.mp4"], frame=[0])
    b.attrs[VIDEO_FACTS] = json.dumps(
        {"./a.mp4": {"grayscale": True}, "b.mp4": {"grayscale": True}}
    )

    merged = merge_individuals([a, b])

    assert json.loads(merged.attrs[VIDEO_FACTS]) == {
        "a.mp4": {"grayscale": False},
        "b.mp4": {"grayscale": True},
    }
