"""posebridge.plot: what each figure holds, checked against the dataset's own arrays.

No image baselines: the tests read the drawn artists back (line data, raster
cells, scatter offsets, histogram counts, labels) and compare them with values
computed here from the arrays the datasets were built from.
"""

from __future__ import annotations

import re
import warnings

import matplotlib

matplotlib.use("Agg")

import matplotlib.figure
import numpy as np
import pytest
import xarray as xr
from matplotlib.collections import LineCollection, PathCollection
from matplotlib.patches import Rectangle, StepPatch
from matplotlib.path import Path as MplPath

import posebridge
from posebridge import errors, labels, model, plot
from posebridge.errors import FileExistsError, PoseBridgeError
from posebridge.plot._select import parse_time_range
from posebridge.plot._still import still_images

KEYPOINTS = ["snout", "ear", "tail"]
INDIVIDUALS = ["mouse_b", "mouse_a"]


@pytest.fixture
def arrays() -> dict[str, np.ndarray]:
    rng = np.random.default_rng(7)
    position = rng.uniform(10, 300, size=(12, 2, 3, 2))
    position[4, :, :, 0] = np.nan  # mouse_b: every point gone at step 4
    position[6, :, 1, 1] = np.nan  # mouse_a: the ear gone at step 6
    confidence = rng.uniform(0, 1, size=(12, 3, 2))
    confidence[2, 0, 0] = np.nan
    return {"position": position, "confidence": confidence}


@pytest.fixture
def poses(arrays) -> xr.Dataset:
    return model.from_numpy(
        arrays["position"],
        arrays["confidence"],
        individual_names=INDIVIDUALS,
        keypoint_names=KEYPOINTS,
    )


def lines_by_label(fig) -> dict[str, object]:
    return {line.get_label(): line for line in fig.axes[0].get_lines()}


def legend_texts(ax) -> list[str]:
    return [t.get_text() for t in ax.get_legend().get_texts()]


# --------------------------------------------------------------------------
# trajectories


def test_trajectories_of_the_centroid_equal_the_mean_of_the_keypoints(poses, arrays):
    fig = plot.trajectories(poses)
    assert isinstance(fig, matplotlib.figure.Figure)
    lines = lines_by_label(fig)
    assert list(lines) == INDIVIDUALS
    with np.errstate(invalid="ignore"), pytest.warns(RuntimeWarning):
        centroid = np.nanmean(arrays["position"], axis=2)  # (time, space, individual)
    for i, name in enumerate(INDIVIDUALS):
        np.testing.assert_array_equal(lines[name].get_xdata(), centroid[:, 0, i])
        np.testing.assert_array_equal(lines[name].get_ydata(), centroid[:, 1, i])
    assert legend_texts(fig.axes[0]) == INDIVIDUALS
    assert "centroid" in fig.axes[0].get_title()
    assert fig.axes[0].get_xlabel().startswith("x") and fig.axes[0].get_ylabel().startswith("y")


def test_a_missing_step_breaks_the_line(poses):
    line = lines_by_label(plot.trajectories(poses))["mouse_b"]
    assert np.isnan(line.get_xdata()[4]) and np.isnan(line.get_ydata()[4])
    codes = line.get_path().cleaned(remove_nans=True).codes
    assert (codes == MplPath.MOVETO).sum() == 2  # one piece before step 4, one after


def test_a_point_with_no_neighbour_drawn_is_marked_not_lost():
    """A track found on every other step (or a one-step dataset) had no segment to draw:
    it was in the legend but nowhere on the axes."""
    position = np.random.default_rng(1).uniform(0, 100, (20, 2, 1, 2))
    position[1::2, :, :, 1] = np.nan  # 'b' on every other step: each point alone
    position[:6, :, :, 0] = np.nan
    position[7, :, :, 0] = np.nan  # 'a': one point alone at step 6, then a path from 8
    ds = model.from_numpy(position, individual_names=["a", "b"])
    lines = lines_by_label(plot.trajectories(ds))

    for name, alone in (("a", [6]), ("b", list(range(0, 20, 2)))):
        line = lines[name]
        assert line.get_marker() == "o", name
        marked = np.flatnonzero(line.get_markevery())
        assert marked.tolist() == alone, name
    one_step = plot.trajectories(model.from_numpy(position[:1, :, :, 1:], individual_names=["m"]))
    assert lines_by_label(one_step)["m"].get_marker() == "o"
    whole = plot.trajectories(model.from_numpy(position[8:, :, :, :1], individual_names=["a"]))
    assert lines_by_label(whole)["a"].get_marker() in ("None", "none", None, "")


@pytest.mark.parametrize(
    ("times", "unit", "wanted"),
    [
        (np.arange(120_000, 120_060), "frames", {"120000", "120008", "120016"}),
        (3600 + np.arange(60) / 30, "seconds", {"3600.00", "3600.27", "3600.53"}),
    ],
)
def test_the_missing_figure_labels_large_times_in_full(times, unit, wanted):
    """Frames from 120000 were all labelled 1.2e+05 (four significant digits), and so
    were times from 3600 s: no tick could be told from another."""
    position = np.zeros((60, 2, 2, 1))
    position[20:30] = np.nan
    ds = model.from_numpy(position).assign_coords(time=times)
    ds.attrs["time_unit"] = unit
    fig = plot.missing(ds)
    fig.canvas.draw()
    texts = [t.get_text() for t in fig.axes[0].get_xticklabels() if t.get_text()]
    assert wanted <= set(texts), texts
    assert len(set(texts)) == len(texts)


def test_trajectories_of_one_keypoint_and_of_several(poses, arrays):
    fig = plot.trajectories(poses, keypoints=["ear"])
    lines = lines_by_label(fig)
    np.testing.assert_array_equal(lines["mouse_a"].get_xdata(), arrays["position"][:, 0, 1, 1])
    assert np.isnan(lines["mouse_a"].get_xdata()[6])
    assert "ear" in fig.axes[0].get_title()
    fig = plot.trajectories(poses, keypoints=["tail", "snout"], individuals=["mouse_a"])
    lines = lines_by_label(fig)
    assert list(lines) == ["mouse_a: tail", "mouse_a: snout"]
    assert [line.get_linestyle() for line in lines.values()] == ["-", "--"]
    np.testing.assert_array_equal(
        lines["mouse_a: snout"].get_ydata(), arrays["position"][:, 1, 0, 1]
    )


def test_trajectories_keep_a_time_range_in_the_datasets_unit(arrays):
    ds = model.from_numpy(arrays["position"], fps=10.0)  # time 0.0, 0.1, ... 1.1 s
    lines = lines_by_label(plot.trajectories(ds, keypoints=["keypoint_0"], time=(0.3, 0.55)))
    np.testing.assert_array_equal(lines["id_0"].get_xdata(), arrays["position"][3:6, 0, 0, 0])


def test_long_datasets_are_drawn_with_every_kth_step(arrays):
    position = np.tile(arrays["position"], (10, 1, 1, 1))  # 120 steps
    ds = model.from_numpy(position)
    fig = plot.trajectories(ds, keypoints=["keypoint_2"], max_steps=50)
    lines = lines_by_label(fig)
    np.testing.assert_array_equal(lines["id_1"].get_xdata(), position[::3, 0, 2, 1])
    assert "1 in 3 of 120 time steps drawn" in fig.axes[0].get_title()


def test_box_centres_are_the_trajectories_of_a_boxes_dataset(bboxes_two_tracks):
    lines = lines_by_label(plot.trajectories(bboxes_two_tracks))
    position = bboxes_two_tracks["position"].transpose("time", "space", "individual").values
    assert list(lines) == ["id_1", "id_4"]
    np.testing.assert_array_equal(lines["id_4"].get_xdata(), position[:, 0, 1])


def test_labelled_frames_are_points_not_lines(arrays):
    ds = labels.from_numpy(arrays["position"][:3], video=["a.mp4"] * 3, frame=[40, 2, 9])
    line = lines_by_label(plot.trajectories(ds))["id_0"]
    assert line.get_linestyle() == "None" and line.get_marker() == "o"


def test_trajectories_draw_over_a_still_frame(poses, tmp_path):
    image = np.random.default_rng(0).integers(0, 255, (40, 60, 3), dtype=np.uint8)
    ax = plot.trajectories(poses, image=image).axes[0]
    np.testing.assert_array_equal(ax.images[0].get_array(), image)
    assert ax.images[0].get_extent() == [-0.5, 59.5, 39.5, -0.5]  # pixel centres on integers
    from PIL import Image

    Image.fromarray(image).save(tmp_path / "frame.png")
    ax = plot.trajectories(poses.assign_attrs(frame_path=str(tmp_path / "frame.png"))).axes[0]
    np.testing.assert_array_equal(ax.images[0].get_array(), image)


def shown_rgb(ax) -> np.ndarray:
    """The colours matplotlib draws for the still frame (its colour map applied)."""
    return ax.images[0].make_image(None, unsampled=True)[0][..., :3]


def test_image_arrays_are_drawn_as_the_picture_they_hold_not_false_colour_or_white(poses):
    grey = np.full((48, 64), 128, np.uint8)
    grey[:, :32] = 0
    drawn = shown_rgb(plot.skeleton(poses, frame=0, image=grey).axes[0])
    np.testing.assert_array_equal(drawn, np.repeat(grey[:, :, None], 3, axis=2))
    rgb = np.random.default_rng(3).integers(0, 256, (48, 64, 3)).astype(np.uint8)
    for same_picture in (rgb.astype(float), rgb.astype(np.int64), rgb / 255.0):
        drawn = shown_rgb(plot.trajectories(poses, image=same_picture).axes[0])
        np.testing.assert_array_equal(drawn, rgb)
    sixteen_bit = rgb.astype(np.uint16) * 257  # 16-bit over its full range: 255 -> 65535
    np.testing.assert_array_equal(
        shown_rgb(plot.skeleton(poses, frame=0, image=sixteen_bit).axes[0]), rgb
    )
    beyond_range = {
        "float64 must hold values from 0 to 255 .*to 510": rgb * 2.0,
        "int16 .* from -1 to -1": np.full((48, 64, 3), -1, np.int16),
        r"float64 holds NaN": np.where(rgb > 128, np.nan, rgb / 255.0),  # h122: "nan to nan"
        # a float picture after mean subtraction (h119: KeyError while making this message)
        r"float64 must hold values from 0 to 1 \(or 0 to 255\), got values from -0\.5": rgb / 255.0
        - 0.5,
    }
    for said, beyond in beyond_range.items():
        with pytest.raises(PoseBridgeError, match=said):
            plot.skeleton(poses, frame=0, image=beyond)


def test_figures_draw_into_the_axes_given(poses):
    fig = matplotlib.figure.Figure()
    ax = fig.add_subplot(1, 2, 2)
    assert plot.trajectories(poses, ax=ax) is fig
    assert plot.missing(poses, ax=fig.add_subplot(1, 2, 1)) is fig
    assert len(ax.get_lines()) == 2


# --------------------------------------------------------------------------
# confidence


def test_confidence_histograms_count_each_keypoints_scores(poses, arrays):
    fig = plot.confidence(poses, bins=10)
    ax = fig.axes[0]
    patches = [p for p in ax.patches if isinstance(p, StepPatch)]
    assert len(patches) == len(KEYPOINTS)
    edges = np.linspace(0, 1, 11)
    for k, patch in enumerate(patches):
        values = arrays["confidence"][:, k, :].ravel()
        expected, _ = np.histogram(values[~np.isnan(values)], bins=edges)
        data = patch.get_data()
        np.testing.assert_array_equal(data.values, expected)
        np.testing.assert_allclose(data.edges, edges)
    assert legend_texts(ax) == ["snout (1 NaN)", "ear", "tail"]
    assert ax.get_xlabel() == "confidence" and ax.get_ylabel() == "count"


@pytest.mark.parametrize(
    "scores",
    [[-1e308, 1e308, 0.5, 0.7], [1e17, 1e17, 1e17, 1e17], [-1.7e308] * 4, [1.7e308] * 4],
    ids=["wider than the float range", "one large score", "lowest float", "highest float"],
)
def test_confidence_of_extreme_scores_counts_every_score(scores):
    """Scores from -1e308 to 1e308 overflowed the bins' width ("`bins` must increase
    monotonically"); one score of 1e17 gave bins of no width."""
    position = np.zeros((4, 2, 1, 1))
    ds = model.from_numpy(position, np.asarray(scores, dtype=float).reshape(4, 1, 1))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow
        patch = next(p for p in plot.confidence(ds).axes[0].patches if isinstance(p, StepPatch))
    data = patch.get_data()
    assert data.values.sum() == 4
    assert (np.diff(data.edges) > 0).all()
    shown = np.clip(scores, -plot.figures.LARGEST_SHOWN, plot.figures.LARGEST_SHOWN)
    assert data.edges[0] <= min(shown) and max(shown) <= data.edges[-1]


def test_confidence_of_scores_spanning_the_float_range_is_saved_with_them_in_the_end_bins(
    tmp_path,
):
    """h169 #4: scores of -1e308 and 1e308 gave finite bins, but an axis wider than the
    float range: matplotlib's ticks failed as the figure was saved (a raw "ValueError:
    arange: cannot compute length"). The axis now ends at +-1e307, scores beyond are
    counted in the end bins, and the title says so."""
    scores = np.array([-1e308, 1e308, 0.5, 0.7, 1.7e308])
    ds = model.from_numpy(np.zeros((5, 2, 1, 1)), scores.reshape(5, 1, 1))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow either
        fig = plot.confidence(ds, bins=4)
        saved = plot.save_figure(fig, tmp_path / "confidence.png")
    assert saved.stat().st_size > 0
    ax = fig.axes[0]
    data = next(p for p in ax.patches if isinstance(p, StepPatch)).get_data()
    np.testing.assert_allclose(data.edges, np.linspace(-1e307, 1e307, 5))
    assert data.values.tolist() == [1, 0, 2, 2]  # -1e308 | | 0.5, 0.7 | 1e308, 1.7e308
    assert ax.get_title() == "Confidence per keypoint (scores beyond ±1e+307 in the end bins)"
    assert ax.get_xlim()[0] > -1e308 and ax.get_xlim()[1] < 1e308
    assert plot.confidence(ds.isel(time=[2, 3])).axes[0].get_title() == "Confidence per keypoint"


def test_confidence_of_boxes_is_per_individual(bboxes_two_tracks):
    ax = plot.confidence(bboxes_two_tracks).axes[0]
    assert legend_texts(ax) == ["id_1", "id_4"]
    counts = [p.get_data().values.sum() for p in ax.patches]
    assert counts == [5, 5]


def test_confidence_without_scores_says_so(poses_single_3d):
    ax = plot.confidence(poses_single_3d).axes[0]
    assert not ax.patches
    assert any("no confidence" in t.get_text() for t in ax.texts)


# --------------------------------------------------------------------------
# missing


def test_missing_raster_cells_are_isnan(poses, arrays):
    ax = plot.missing(poses).axes[0]
    cells = np.asarray(ax.images[0].get_array())
    absent = np.isnan(arrays["position"]).any(axis=1)  # (time, keypoint, individual)
    expected = absent.transpose(2, 1, 0).reshape(-1, absent.shape[0])  # rows: individual, kp
    np.testing.assert_array_equal(cells, expected.astype(float))
    names = [t.get_text() for t in ax.get_yticklabels()]
    assert names == [f"{i}: {k}" for i in INDIVIDUALS for k in KEYPOINTS]


def test_missing_raster_of_boxes_has_a_row_per_individual(bboxes_two_tracks):
    ds = bboxes_two_tracks.copy(deep=True)
    ds["position"][1, :, 0] = np.nan
    ax = plot.missing(ds).axes[0]
    expected = np.isnan(ds["position"].transpose("individual", "space", "time").values).any(1)
    np.testing.assert_array_equal(np.asarray(ax.images[0].get_array()), expected.astype(float))
    assert [t.get_text() for t in ax.get_yticklabels()] == ["id_1", "id_4"]


def test_long_missing_rasters_show_the_share_missing_per_bin(arrays):
    position = np.tile(arrays["position"], (10, 1, 1, 1))  # 120 steps
    ds = model.from_numpy(position)
    cells = np.asarray(plot.missing(ds, max_columns=40).axes[0].images[0].get_array())
    absent = np.isnan(position).any(axis=1).transpose(2, 1, 0).reshape(6, 120)
    np.testing.assert_allclose(cells, absent.reshape(6, 40, 3).mean(axis=2))


# --------------------------------------------------------------------------
# skeleton


def with_frames(ds: xr.Dataset, frames: list[int]) -> xr.Dataset:
    return ds.assign_coords(time=np.asarray(frames, dtype=np.int64))


def test_skeleton_shows_the_frame_with_that_number_not_that_position(poses, arrays):
    frames = [0, 1, 2, 10, 11, 12, 20, 21, 22, 30, 31, 32]
    ds = with_frames(poses, frames)
    ds["skeleton_edges"] = (("edge", "edge_node"), np.array([["snout", "ear"], ["ear", "tail"]]))
    ax = plot.skeleton(ds, frame=20).axes[0]
    row = frames.index(20)
    scatters = [c for c in ax.collections if isinstance(c, PathCollection)]
    for i, scatter in enumerate(scatters):
        np.testing.assert_array_equal(scatter.get_offsets(), arrays["position"][row, :, :, i].T)
    segments = next(c for c in ax.collections if isinstance(c, LineCollection)).get_segments()
    p = arrays["position"][row, :, :, 0]
    np.testing.assert_array_equal(segments[0], np.array([p[:, 0], p[:, 1]]))
    np.testing.assert_array_equal(segments[1], np.array([p[:, 1], p[:, 2]]))
    texts = [t.get_text() for t in ax.texts]
    assert set(INDIVIDUALS) <= set(texts) and set(KEYPOINTS) <= set(texts)
    assert legend_texts(ax) == INDIVIDUALS
    assert ax.get_title() == "frame 20"


def test_skeleton_default_frame_has_the_most_points(poses, arrays):
    counts = (~np.isnan(arrays["position"])).all(axis=1).sum(axis=(1, 2))
    assert plot.skeleton(poses).axes[0].get_title() == f"frame {int(np.argmax(counts))}"


def test_skeleton_names_a_nan_time_it_needs_and_finds_other_frames_past_it(poses, arrays):
    """The NaN step is at no frame: drawn by default (it has the most points) it was titled
    frame -9223372036854775808, later refused; the default is now the step with the most
    points among those at a frame. Frame 2 is still the step whose time is 2."""
    ds = poses.copy(deep=True)  # ``arrays`` kept as they are: step 2's points come from them
    ds = ds.assign_coords(time=np.r_[0.0, np.nan, np.arange(2.0, 12.0)])
    ds["position"][{"time": slice(2, None)}] = np.nan  # row 1 has the most points
    ds["position"][{"time": 0}] = np.nan
    ds["position"][{"time": 2, "keypoint": 0}] = arrays["position"][2, :, 0, :]
    assert plot.skeleton(ds).axes[0].get_title() == "frame 2"  # row 2: of the timed, the most
    no_time = ds.assign_coords(time=np.full(12, np.nan))
    with pytest.raises(PoseBridgeError, match="Coordinate 'time' holds .*NaN at index 1"):
        plot.skeleton(no_time)  # no step is at a frame: the one with most points is named
    ax = plot.skeleton(ds, frame=2).axes[0]
    assert ax.get_title() == "frame 2"
    scatters = [c for c in ax.collections if isinstance(c, PathCollection)]
    np.testing.assert_array_equal(scatters[0].get_offsets()[0], arrays["position"][2, :, 0, 0])


def test_skeleton_refuses_a_frame_that_several_time_steps_are_at(poses, arrays):
    """Frame 5 was the first of the steps at it, the other's poses silently left out."""
    time = np.arange(12)
    time[[3, 8]] = 5  # steps 3, 5 and 8 are all at frame 5
    ds = poses.assign_coords(time=time).assign_attrs(source_file="p.h5")
    said = r"p\.h5: 3 time steps \(indices \[3, 5, 8\]\) are at frame 5"
    with pytest.raises(PoseBridgeError, match=said):
        plot.skeleton(ds, frame=5)
    offsets = plot.skeleton(ds, frame=6).axes[0].collections[0].get_offsets()
    np.testing.assert_array_equal(offsets, arrays["position"][6, :, :, 0].T)  # one step: drawn


def test_skeleton_refuses_a_fractional_frame_time_rather_than_truncate_it(poses):
    ds = poses.assign_coords(time=np.arange(12) + 0.6)  # 0.6 frames: truncated, frame 0
    with pytest.raises(PoseBridgeError, match="whole numbers; got 0.6 at index 0"):
        plot.skeleton(ds, frame=0)


def test_skeleton_of_boxes_draws_each_box(bboxes_two_tracks):
    ax = plot.skeleton(bboxes_two_tracks, frame=5).axes[0]
    row = [0, 1, 2, 5, 6].index(5)
    position = bboxes_two_tracks["position"].transpose("time", "space", "individual").values
    shape = bboxes_two_tracks["shape"].transpose("time", "space", "individual").values
    boxes = [p for p in ax.patches if isinstance(p, Rectangle)]
    assert len(boxes) == 2
    for i, box in enumerate(boxes):
        np.testing.assert_allclose(box.get_xy(), position[row, :, i] - shape[row, :, i] / 2)
        assert box.get_width() == pytest.approx(shape[row, 0, i])
        assert box.get_height() == pytest.approx(shape[row, 1, i])
    assert {"id_1", "id_4"} <= {t.get_text() for t in ax.texts}


def test_skeleton_of_labels_shows_a_labelled_frame_over_its_image(arrays, tmp_path):
    from PIL import Image

    image = np.random.default_rng(1).integers(0, 255, (30, 50, 3), dtype=np.uint8)
    (tmp_path / "v1").mkdir()
    Image.fromarray(image).save(tmp_path / "v1" / "img0007.png")
    ds = labels.from_numpy(
        arrays["position"][:2], image_path=["v1/img0003.png", "v1/img0007.png"]
    ).assign_attrs(source_file=str(tmp_path / "CollectedData.h5"))
    ax = plot.skeleton(ds, frame=1).axes[0]
    np.testing.assert_array_equal(ax.images[0].get_array(), image)
    assert ax.get_title() == "labelled frame 1: v1 frame 7"
    scatter = next(c for c in ax.collections if isinstance(c, PathCollection))
    np.testing.assert_array_equal(scatter.get_offsets(), arrays["position"][1, :, :, 0].T)


def test_skeleton_title_of_a_labelled_still_image_names_the_image(arrays):
    """A COCO or YOLO image (no video) was titled 'labelled frame 1:  frame -1'."""
    images = ["photo_a.png", "photo_b.png"]
    ds = labels.from_numpy(arrays["position"][:2], image_path=images)
    assert still_images(ds).all()  # the premise: images of no video
    assert plot.skeleton(ds, frame=1).axes[0].get_title() == f"labelled frame 1: {images[1]}"


def test_save_figure_refuses_the_image_of_the_labelled_frame_it_shows(arrays, tmp_path):
    """The image found beside the labels file was drawn but not remembered as an
    input: save_figure replaced it with the figure."""
    from PIL import Image

    (tmp_path / "v1").mkdir()
    shown = tmp_path / "v1" / "img0007.png"
    Image.fromarray(np.zeros((30, 50, 3), dtype=np.uint8)).save(shown)
    data = shown.read_bytes()
    ds = labels.from_numpy(
        arrays["position"][:2], image_path=["v1/img0003.png", "v1/img0007.png"]
    ).assign_attrs(source_file=str(tmp_path / "CollectedData.h5"))
    fig = plot.skeleton(ds, frame=1)
    with pytest.raises(PoseBridgeError, match="is the input file"):
        plot.save_figure(fig, shown, overwrite=True)
    assert shown.read_bytes() == data


def test_a_labelled_photo_is_shown_turned_as_its_exif_says(arrays, tmp_path):
    """Labels of a photo refer to it as shown; drawn over the stored pixels they would miss."""
    from PIL import Image, ImageOps

    stored = np.random.default_rng(2).integers(0, 255, (30, 50, 3), dtype=np.uint8)
    exif = Image.Exif()
    exif[0x0112] = 6  # shown turned 90 degrees clockwise
    (tmp_path / "v1").mkdir()
    Image.fromarray(stored).save(tmp_path / "v1" / "img0007.png", exif=exif.tobytes())
    with Image.open(tmp_path / "v1" / "img0007.png") as opened:
        shown = np.asarray(ImageOps.exif_transpose(opened))
    ds = labels.from_numpy(
        arrays["position"][:2], image_path=["v1/img0003.png", "v1/img0007.png"]
    ).assign_attrs(source_file=str(tmp_path / "CollectedData.h5"))
    ax = plot.skeleton(ds, frame=1).axes[0]
    assert ax.images[0].get_array().shape == (50, 30, 3)
    np.testing.assert_array_equal(ax.images[0].get_array(), shown)


# --------------------------------------------------------------------------
# bad input


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda ds: plot.trajectories(ds, individuals=["nobody"]), "no individual named"),
        (lambda ds: plot.confidence(ds, keypoints=["wing"]), "no keypoint named 'wing'"),
        (lambda ds: plot.missing(ds, time=(100, 200)), "holds no data"),
        (lambda ds: plot.skeleton(ds, frame=99), "no poses at frame 99"),
        (lambda ds: plot.trajectories(ds, video="no-such-video.mp4"), "no such video"),
        (lambda ds: plot.figure(ds, "violin"), "no figure kind 'violin'"),
        (lambda ds: plot.figure(ds, "missing", video="v.mp4"), "has no option 'video'"),
    ],
)
def test_bad_choices_raise_posebridge_error(poses, call, message):
    with pytest.raises(PoseBridgeError, match=message):
        call(poses)


@pytest.mark.parametrize("kind", ["trajectories", "confidence", "missing"])
def test_a_keypoint_named_twice_is_refused_not_drawn_twice(poses, kind):
    with pytest.raises(PoseBridgeError, match="keypoint 'ear' is named twice"):
        plot.figure(poses, kind, keypoints=["snout", "ear", "ear"])


def test_an_individual_named_twice_is_refused_not_drawn_twice(poses):
    twice = [INDIVIDUALS[1], INDIVIDUALS[1]]
    with pytest.raises(PoseBridgeError, match=f"individual '{INDIVIDUALS[1]}' is named twice"):
        plot.skeleton(poses, individuals=twice)


def test_names_given_as_the_datasets_own_coordinate_values_are_taken(poses):
    """``keypoints=ds.keypoint.values[:2]`` (a numpy array) raised numpy's raw ValueError
    ('truth value of an array ... is ambiguous')."""
    as_list = plot.figure(poses, "trajectories", keypoints=list(poses.keypoint.values[:2]))
    as_array = plot.figure(poses, "trajectories", keypoints=poses.keypoint.values[:2])
    assert [line.get_label() for line in as_array.axes[0].get_lines()] == [
        line.get_label() for line in as_list.axes[0].get_lines()
    ]
    assert plot.skeleton(poses, individuals=poses.individual.values) is not None


def test_a_time_range_ending_before_it_starts_is_refused_as_the_command_line_does(poses):
    """The API said the range 'holds no data'; the CLI's --time 5:2 'ends before it starts'."""
    with pytest.raises(PoseBridgeError, match="the time range '5:2' ends before it starts"):
        plot.trajectories(poses, time=(5, 2))
    with pytest.raises(PoseBridgeError, match="the time range '5:2' ends before it starts"):
        parse_time_range("5:2")


@pytest.mark.parametrize("kind", ["skeleton", "trajectories"])
def test_a_missing_image_file_is_called_an_image_not_a_video(poses, tmp_path, kind):
    missing = tmp_path / "missing_still.png"
    with pytest.raises(FileNotFoundError, match=r"missing_still.png: no such image file\.$"):
        plot.figure(poses, kind, image=missing)
    (tmp_path / "folder.png").mkdir()
    with pytest.raises(PoseBridgeError, match="is a folder, not an image file"):
        plot.figure(poses, kind, image=tmp_path / "folder.png")


def test_a_frame_in_a_gap_is_refused_naming_the_frames_on_either_side():
    """The message gave the span alone ("5 to 12"), in which the frame lies."""
    ds = posebridge.from_numpy(np.zeros((3, 2, 1, 1))).assign_coords(time=[5, 7, 12])
    with pytest.raises(PoseBridgeError, match="with gaps; the nearest are 7 and 12"):
        plot.skeleton(ds, frame=8)


def test_a_missing_frame_of_boxes_says_boxes():
    boxes = posebridge.boxes_from_poses(
        posebridge.from_numpy(np.ones((3, 2, 2, 1))).assign_coords(time=[0, 1, 2])
    )
    with pytest.raises(PoseBridgeError, match="no boxes at frame 9; .* 0 to 2\\."):
        plot.skeleton(boxes, frame=9)


TYPE, VALUE = errors.TypeError, PoseBridgeError


@pytest.mark.parametrize(
    ("call", "error", "option"),
    [
        (lambda ds: plot.trajectories(ds, max_steps="x"), TYPE, "max_steps"),
        (lambda ds: plot.trajectories(ds, max_steps=np.nan), TYPE, "max_steps"),
        (lambda ds: plot.trajectories(ds, max_steps=0), VALUE, "max_steps"),
        (lambda ds: plot.trajectories(ds, max_steps=-5), VALUE, "max_steps"),
        (lambda ds: plot.missing(ds, max_columns=np.nan), TYPE, "max_columns"),
        (lambda ds: plot.missing(ds, max_columns=0), VALUE, "max_columns"),
        (lambda ds: plot.confidence(ds, bins=-1), VALUE, "bins"),
        (lambda ds: plot.confidence(ds, bins=0), VALUE, "bins"),
        (lambda ds: plot.confidence(ds, bins=1.5), TYPE, "bins"),
        (lambda ds: plot.trajectories(ds, time=5), TYPE, "time"),
        (lambda ds: plot.trajectories(ds, time=("a", "b")), TYPE, "time"),
        (lambda ds: plot.missing(ds, time=(np.nan, 3)), VALUE, "time"),
        (lambda ds: plot.trajectories(ds, individuals=5), TYPE, "individuals"),
        (lambda ds: plot.confidence(ds, keypoints=[1]), TYPE, "keypoints"),
        (lambda ds: plot.trajectories(ds, ax=5), TYPE, "ax"),
        (lambda ds: plot.skeleton(ds, ax="axes"), TYPE, "ax"),
        (lambda ds: plot.trajectories(5), TYPE, "'ds'"),
        (lambda ds: plot.missing(ds.position), TYPE, "'ds'"),
        (lambda ds: plot.trajectories(ds, frame="a"), TYPE, "frame"),
        (lambda ds: plot.trajectories(ds, frame=-1), VALUE, "frame"),
        (lambda ds: plot.skeleton(ds, frame=True), TYPE, "frame"),
        (lambda ds: plot.skeleton(ds, frame=1.0), TYPE, "frame"),
        (lambda ds: plot.trajectories(ds, video=5), TYPE, "'video'"),
        (lambda ds: plot.skeleton(ds, image=5), TYPE, "image"),
        (lambda ds: plot.skeleton(ds, image=np.zeros((4, 4, 2))), VALUE, "image"),
        (lambda ds: plot.figure(ds, ["missing"]), TYPE, "kind"),
    ],
)
def test_wrong_option_values_raise_posebridge_errors_naming_the_option(poses, call, error, option):
    with pytest.raises(error, match=option) as raised:
        call(poses)
    assert isinstance(raised.value, error)  # a wrong type: posebridge's TypeError (a built-in too)
    assert isinstance(raised.value, TypeError) is (error is TYPE)


def test_a_time_range_of_nan_is_refused():
    with pytest.raises(PoseBridgeError, match="START:END of numbers, got 'nan:5'"):
        parse_time_range("nan:5")


def test_a_video_that_does_not_open_is_an_error(poses, tmp_path):
    bad = tmp_path / "broken.mp4"
    bad.write_bytes(b"not a video at all")
    with pytest.raises(PoseBridgeError, match="broken.mp4"):
        plot.trajectories(poses, video=bad)


def test_a_frame_beyond_the_video_is_an_error(poses, tmp_path):
    import imageio_ffmpeg

    path = tmp_path / "short.mkv"
    writer = imageio_ffmpeg.write_frames(str(path), (32, 16), fps=5, codec="ffv1")
    writer.send(None)
    for value in (10, 20, 30):
        writer.send(np.full((16, 32, 3), value, dtype=np.uint8))
    writer.close()
    poses = poses.isel(time=slice(0, 3))  # poses of the video's 3 frames
    ax = plot.trajectories(poses, video=path, frame=2).axes[0]
    assert np.asarray(ax.images[0].get_array())[..., 0].mean() == pytest.approx(30, abs=3)
    with pytest.raises(PoseBridgeError, match="has 3 frames"):
        plot.trajectories(poses, video=path, frame=3)


# --------------------------------------------------------------------------
# figure files


@pytest.mark.parametrize(
    ("ending", "magic"), [(".png", b"\x89PNG"), (".svg", b"<?xml"), (".pdf", b"%PDF")]
)
def test_save_figure_writes_the_format_of_the_ending(poses, tmp_path, ending, magic):
    path = plot.save_figure(plot.missing(poses), tmp_path / f"figure{ending}")
    assert path.read_bytes().startswith(magic)


def test_save_figure_refuses_other_endings_and_existing_files(poses, tmp_path):
    fig = plot.missing(poses)
    with pytest.raises(PoseBridgeError, match=r"\.png, \.svg, \.pdf"):
        plot.save_figure(fig, tmp_path / "figure.jpg")
    target = tmp_path / "figure.png"
    target.write_bytes(b"keep")
    with pytest.raises(FileExistsError):
        plot.save_figure(fig, target)
    assert target.read_bytes() == b"keep"
    plot.save_figure(fig, target, overwrite=True)
    assert target.read_bytes().startswith(b"\x89PNG")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["figure.png"]


@pytest.mark.parametrize(
    ("call", "error", "option"),
    [
        (lambda fig, path: plot.save_figure(5, path), TYPE, "fig"),
        (lambda fig, path: plot.save_figure(fig.axes[0], path), TYPE, "fig"),
        (lambda fig, path: plot.save_figure(fig, 5), TYPE, "'path'"),
        (lambda fig, path: plot.save_figure(fig, path, dpi=-1), VALUE, "dpi"),
        (lambda fig, path: plot.save_figure(fig, path, dpi=0), VALUE, "dpi"),
        (lambda fig, path: plot.save_figure(fig, path, dpi="high"), TYPE, "dpi"),
        (lambda fig, path: plot.save_figure(fig, path, dpi=1e7), VALUE, "dpi"),
        (lambda fig, path: plot.save_figure(fig, path, dpi=1e-9), VALUE, "at least 1 pixel"),
        (lambda fig, path: plot.save_figure(fig, path, dpi=20000), VALUE, "megapixels"),
        (lambda fig, path: plot.save_figure(fig, path, overwrite="no"), TYPE, "overwrite"),
    ],
)
def test_save_figure_refuses_wrong_values_and_writes_nothing(poses, tmp_path, call, error, option):
    with pytest.raises(error, match=option) as raised:
        call(plot.missing(poses), tmp_path / "figure.png")
    assert type(raised.value) is error
    assert list(tmp_path.iterdir()) == []


def _still(path):
    from PIL import Image

    Image.fromarray(np.full((40, 60, 3), 90, dtype=np.uint8)).save(path)
    return path


def _figure_over(onto: str, poses, tmp_path):
    """(figure, the input it was drawn from, the name to save it under: the input or a link)."""
    import posebridge

    if onto == "poses file, through a link":
        source = tmp_path / "poses.nc"
        posebridge.save(poses, source)
        link = tmp_path / "figure.png"
        link.symlink_to(source.name)
        return plot.missing(posebridge.load(source)), source, link
    if onto == "video=, through a link":
        pytest.importorskip("imageio_ffmpeg")
        source = grey_video(tmp_path / "video.mkv", 12)
        link = tmp_path / "figure.png"
        link.symlink_to(source.name)
        return plot.skeleton(poses, frame=3, video=source), source, link
    source = _still(tmp_path / "still.png")
    if onto == "image=":
        return plot.trajectories(poses, image=source), source, source
    return plot.trajectories(poses.assign_attrs(frame_path=str(source))), source, source


@pytest.mark.parametrize(
    "onto", ["poses file, through a link", "image=", "frame_path", "video=, through a link"]
)
def test_save_figure_refuses_to_write_onto_a_file_the_figure_was_drawn_from(poses, tmp_path, onto):
    """Only ``posebridge plot`` refused it: save_figure replaced the input with a PNG."""
    fig, source, target = _figure_over(onto, poses, tmp_path)
    data = source.read_bytes()
    before = sorted(p.name for p in tmp_path.iterdir())
    with pytest.raises(PoseBridgeError) as caught:
        plot.save_figure(fig, target, overwrite=True)
    assert str(caught.value) == (
        f"{target}: is the input file ({source}); writing the figure there would replace the "
        "original: write to another file."
    )
    assert source.read_bytes() == data
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # no temporary left
    plot.save_figure(fig, tmp_path / "elsewhere.png")  # another name is written


def test_save_figure_refuses_an_input_named_relative_to_the_folder_it_was_drawn_in(
    poses, tmp_path, monkeypatch
):
    """The inputs were kept as given: after a change of folder, ``still.png``
    named another (absent) file, and the figure replaced the still it was drawn on."""
    drawn_in = tmp_path / "drawn"
    drawn_in.mkdir()
    source = _still(drawn_in / "still.png")
    data = source.read_bytes()
    monkeypatch.chdir(drawn_in)
    fig = plot.trajectories(poses, image="still.png")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(PoseBridgeError, match="is the input file"):
        plot.save_figure(fig, source, overwrite=True)
    assert source.read_bytes() == data


def test_a_figure_drawn_in_two_calls_keeps_the_inputs_of_both(poses, tmp_path):
    still = _still(tmp_path / "still.png")
    fig = plot.missing(poses)
    plot.trajectories(poses, image=still, ax=fig.add_subplot(2, 1, 2))
    with pytest.raises(PoseBridgeError, match="is the input file"):
        plot.save_figure(fig, still, overwrite=True)


def test_a_lazily_loaded_dataset_is_plotted_from_the_selected_steps(poses, arrays, tmp_path):
    pytest.importorskip("dask")
    path = tmp_path / "poses.nc"
    poses.to_netcdf(path, engine="h5netcdf")
    with xr.open_dataset(path, engine="h5netcdf", chunks={"time": 4}) as lazy:
        lines = lines_by_label(plot.trajectories(lazy, keypoints=["tail"], max_steps=6))
    np.testing.assert_array_equal(lines["mouse_b"].get_xdata(), arrays["position"][::2, 0, 2, 0])


# --------------------------------------------------------------------------
# what a picture is drawn over: matched frames, sizes, 3D


def grey_video(path, n: int, size: tuple[int, int] = (32, 16)):
    """A video whose frame ``k`` is grey ``10 * k`` everywhere (lossless)."""
    from posebridge import _video

    width, height = size
    writer = _video.write_frames(path, size, 5.0, codec="ffv1", pix_fmt="bgr0", quality=None)
    for k in range(n):
        writer.send(np.full((height, width, 3), 10 * k, dtype=np.uint8))
    writer.close()
    return path


def shown_grey(ax) -> float:
    return float(np.asarray(ax.images[0].get_array())[..., 0].mean())


def test_3d_poses_are_refused_over_a_video_or_an_image(poses_single_3d, tmp_path):
    video = grey_video(tmp_path / "v.mkv", 3)
    ds = poses_single_3d.assign_attrs(source_file="arena3d.csv")
    calls = [
        lambda: plot.skeleton(ds, video=video),
        lambda: plot.skeleton(ds, image=np.zeros((16, 32, 3), np.uint8)),
        lambda: plot.trajectories(ds, video=video),
        lambda: plot.trajectories(ds, image=np.zeros((16, 32, 3), np.uint8)),
    ]
    for call in calls:
        with pytest.raises(PoseBridgeError, match=r"^arena3d\.csv: the poses are 3D .*projection"):
            call()


def test_3d_poses_are_drawn_as_their_x_y_projection_and_say_so(poses_single_3d, tmp_path):
    from PIL import Image

    Image.fromarray(np.zeros((16, 32, 3), np.uint8)).save(tmp_path / "frame.png")
    ds = poses_single_3d.assign_attrs(frame_path=str(tmp_path / "frame.png"))
    ax = plot.trajectories(ds).axes[0]
    assert ax.get_title().endswith("(x-y projection of 3D poses)")
    assert not ax.images  # a camera's still is no background for world coordinates
    ax = plot.skeleton(ds, frame=5).axes[0]
    assert ax.get_title() == "frame 5 (x-y projection of 3D poses)"
    assert not ax.images and not ax.yaxis_inverted()  # y up
    y = poses_single_3d["position"].values[5, 1, :, 0]
    (name,) = [t for t in ax.texts if t.get_text() == "id_0"]
    assert name.xy[1] == y.max()  # the track's name above its highest point, on y-up axes


def test_skeleton_of_labels_over_a_video_shows_the_labelled_frames_own_frame(arrays, tmp_path):
    """--frame N of labels is the N-th labelled frame; its picture is video frame ds.frame[N]."""
    video = grey_video(tmp_path / "v.mkv", 22)
    ds = labels.from_numpy(arrays["position"][:2], video=["v.mkv"] * 2, frame=[20, 7])
    ax = plot.skeleton(ds, frame=0, video=video).axes[0]
    assert ax.get_title() == "labelled frame 0: v.mkv frame 20"
    assert shown_grey(ax) == 200
    assert shown_grey(plot.skeleton(ds, frame=1, video=video).axes[0]) == 70


def test_a_labelled_frame_of_another_video_is_not_drawn_over_this_one(arrays, tmp_path):
    video = grey_video(tmp_path / "a.mkv", 22)
    ds = labels.from_numpy(arrays["position"][:2], video=["a.mkv", "b.mkv"], frame=[20, 7])
    assert shown_grey(plot.skeleton(ds, frame=0, video=video).axes[0]) == 200
    with pytest.raises(PoseBridgeError, match=r"labelled frame 1 is frame 7 of 'b.mkv', not of"):
        plot.skeleton(ds, frame=1, video=video)


def test_labelled_frames_of_videos_named_in_windows_spelling_are_found(arrays, tmp_path):
    """f130 guard: the labels' videos are compared with the video given by file name,
    whatever folders (here Windows ones) the labels name. Passes on the base commit too:
    labels.from_numpy stores the names with '/'."""
    video = grey_video(tmp_path / "a.mkv", 22)
    names = ["C:\\lab\\a.avi", "C:\\lab\\b.avi"]
    ds = labels.from_numpy(arrays["position"][:2], video=names, frame=[20, 7])
    assert shown_grey(plot.skeleton(ds, frame=0, video=video).axes[0]) == 200
    with pytest.raises(PoseBridgeError, match=r"labelled frame 1 is frame 7 of 'C:"):
        plot.skeleton(ds, frame=1, video=video)


def test_labels_of_one_video_over_a_video_of_another_name_warn(arrays, tmp_path):
    """f130 (h142 side note): labels of clip.mkv were drawn over v.mkv without a word."""
    video = grey_video(tmp_path / "v.mkv", 22)
    ds = labels.from_numpy(arrays["position"][:2], video=["clip.mkv"] * 2, frame=[20, 7])
    with pytest.warns(UserWarning, match=r"frames of 'clip.mkv', but they are drawn on .*v.mkv"):
        plot.skeleton(ds, frame=0, video=video)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        plot.skeleton(ds.assign_coords(video=("time", ["x/v.avi"] * 2)), frame=0, video=video)


def centroid_points(fig) -> int:
    return sum(int(np.isfinite(line.get_xdata()).sum()) for line in fig.axes[0].get_lines())


def test_trajectories_of_labels_of_several_videos_over_one_draw_only_its_frames(arrays, tmp_path):
    """h169 #2: trajectories(video=) drew the labelled frames of every video over this
    one (skeleton and render pick this video's frames, by file name without ending);
    a video none of the labels name was drawn on without a word."""
    video = grey_video(tmp_path / "a.mkv", 22)
    names = ["/lab/a.avi", "/lab/a.avi", "/lab/b.avi", "/lab/b.avi", "/lab/b.avi"]
    position = np.random.default_rng(3).uniform(1, 15, (5, 2, 3, 1))  # one individual
    ds = labels.from_numpy(position, video=names, frame=[2, 7, 2, 3, 4])
    assert centroid_points(plot.trajectories(ds)) == 5  # without a video: every frame
    fig = plot.trajectories(ds, video=video)
    assert centroid_points(fig) == 2  # the two of a.avi
    np.testing.assert_allclose(
        fig.axes[0].get_lines()[0].get_xdata(), position[:2, 0].mean(axis=1)[:, 0]
    )
    other = grey_video(tmp_path / "c.mkv", 22)
    with pytest.raises(PoseBridgeError, match=r"several videos .* none of them is it"):
        plot.trajectories(ds, video=other)


def test_trajectories_of_labels_of_one_video_over_another_name_warn(arrays, tmp_path):
    video = grey_video(tmp_path / "v.mkv", 22)
    ds = labels.from_numpy(arrays["position"][:2], video=["clip.mkv"] * 2, frame=[20, 7])
    with pytest.warns(UserWarning, match=r"frames of 'clip.mkv', but they are drawn on .*v.mkv"):
        plot.trajectories(ds, video=video)
    still = labels.from_numpy(arrays["position"][:1], image_path=["000004.jpg"])
    with pytest.raises(PoseBridgeError, match=r"still images of no video"):
        plot.trajectories(still, video=video)


def test_a_labelled_still_image_is_not_drawn_over_a_video_frame(arrays, tmp_path):
    """COCO-like labels: the image's number (4) is not a frame of the video."""
    video = grey_video(tmp_path / "v.mkv", 6)
    ds = labels.from_numpy(arrays["position"][:1], image_path=["000004.jpg"])
    with pytest.raises(PoseBridgeError, match=r"still image '000004.jpg', not a frame of a video"):
        plot.skeleton(ds, frame=0, video=video)


def test_skeleton_over_a_video_refuses_time_steps_it_cannot_match_to_frames(arrays, tmp_path):
    """Seconds without fps: the poses at 1 s were drawn over video frame 0."""
    video = grey_video(tmp_path / "v.mkv", 3)
    ds = model.from_numpy(arrays["position"][:3]).assign_coords(time=[0.5, 1.0, 1.5])
    ds.attrs["time_unit"] = "seconds"
    with pytest.raises(PoseBridgeError, match="cannot be matched to frames of"):
        plot.skeleton(ds, video=video)
    assert plot.skeleton(ds).axes[0].get_title() == "time 0.5 s"  # without a video: drawn


def test_skeleton_over_a_video_shows_the_frame_of_the_step_drawn(poses, tmp_path):
    video = grey_video(tmp_path / "v.mkv", 25)
    ds = with_frames(poses, list(range(2, 26, 2)))  # frames 2, 4, ..., 24
    assert shown_grey(plot.skeleton(ds, frame=14, video=video).axes[0]) == 140
    default = plot.skeleton(ds, video=video).axes[0]  # the step with the most points
    assert shown_grey(default) == 10 * int(default.get_title().split()[-1])


def test_skeleton_of_a_frame_shows_that_frame_of_the_poses_video_not_its_still(poses, tmp_path):
    """With frame_path (a still, as sample data has) and video_path both set, skeleton(frame=N)
    drew frame N's poses over the still, another frame."""
    from PIL import Image

    video = grey_video(tmp_path / "v.mkv", 25)
    Image.fromarray(np.full((16, 32, 3), 250, dtype=np.uint8)).save(tmp_path / "still.png")
    ds = with_frames(poses, list(range(2, 26, 2))).assign_attrs(
        frame_path=str(tmp_path / "still.png"), video_path=str(video)
    )
    assert shown_grey(plot.skeleton(ds, frame=14).axes[0]) == 140
    assert shown_grey(plot.trajectories(ds).axes[0]) == 250  # a path over time: the still
    ds.attrs["video_path"] = str(tmp_path / "gone.mkv")
    assert shown_grey(plot.skeleton(ds, frame=14).axes[0]) == 250  # no video: the still


def test_skeleton_over_a_video_shorter_than_the_poses_is_refused_naming_both_files(
    poses, tmp_path
):
    """f157: poses of frames past the video's end (another video, or a shortened copy)
    were drawn over a frame of it without a word, as render refuses them."""
    video = grey_video(tmp_path / "v.mkv", 5)
    ds = poses.assign_attrs(source_file="s.slp")
    last = ds.sizes["time"] - 1  # time in frames from 0: the poses' last frame
    said = (
        rf"v\.mkv: the video is shorter than the poses: it has 5 frames \(0 to 4\) and the "
        rf"poses of s\.slp reach frame {last}\."
    )
    with pytest.raises(PoseBridgeError, match=said):
        plot.skeleton(ds, frame=1, video=video)  # frame 1 is in the video; the poses are not
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ax = plot.skeleton(ds.isel(time=slice(0, 5)), frame=1, video=video).axes[0]
    assert shown_grey(ax) == 10


def test_trajectories_over_a_video_shorter_than_the_poses_warn_and_are_drawn(poses, tmp_path):
    """f157: the still under the paths is a picture of the scene, which a shortened copy
    of the poses' video shows too: drawn, with a warning naming both files."""
    video = grey_video(tmp_path / "v.mkv", 5)
    ds = poses.assign_attrs(source_file="s.slp")
    last = ds.sizes["time"] - 1
    said = rf"v\.mkv: the video is shorter .* poses of s\.slp reach frame {last}\. .*drawn"
    with pytest.warns(UserWarning, match=said):
        ax = plot.trajectories(ds, video=video, frame=2).axes[0]
    assert shown_grey(ax) == 20
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        plot.trajectories(ds, time=(0, 4), video=video)  # the poses drawn: all in the video


def test_labels_over_a_video_are_checked_against_that_videos_frames_only(arrays, tmp_path):
    """f157: a labelled frame of another video (frame 70 of b.mkv) says nothing of the
    length of a.mkv; one of a.mkv past its end does."""
    video = grey_video(tmp_path / "a.mkv", 22)
    names = ["a.mkv", "b.mkv", "a.mkv"]
    ds = labels.from_numpy(arrays["position"][:3], video=names, frame=[20, 70, 21])
    assert shown_grey(plot.skeleton(ds, frame=0, video=video).axes[0]) == 200
    ds = labels.from_numpy(arrays["position"][:2], video=["a.mkv"] * 2, frame=[20, 30])
    ds.attrs["source_file"] = "CollectedData.h5"
    said = r"a\.mkv: .* it has 22 frames .* poses of CollectedData\.h5 reach frame 30\."
    with pytest.raises(PoseBridgeError, match=said):
        plot.skeleton(ds, frame=0, video=video)


def test_a_still_of_another_size_than_the_poses_video_is_refused(poses, tmp_path):
    video = grey_video(tmp_path / "v.mkv", 3, size=(32, 16))
    ds = poses.assign_attrs(video_width=64, video_height=48, source_file="s.slp")
    said = r"is 32 x 16 pixels, but the poses' video was 64 x 48 \(.* of s\.slp\)"
    with pytest.raises(PoseBridgeError, match=said):
        plot.skeleton(ds, frame=1, video=video)
    with pytest.raises(PoseBridgeError, match="the image given is 32 x 16 pixels"):
        plot.trajectories(ds, image=np.zeros((16, 32, 3), np.uint8))
    from PIL import Image

    Image.fromarray(np.zeros((16, 32, 3), np.uint8)).save(tmp_path / "frame.png")
    with pytest.warns(UserWarning, match="no still frame under the figure: .*32 x 16"):
        ax = plot.trajectories(ds.assign_attrs(frame_path=str(tmp_path / "frame.png"))).axes[0]
    assert not ax.images  # a still the dataset names, of the wrong size: left out
    ds.attrs.update(video_width=32, video_height=16)
    ds = ds.isel(time=slice(0, 3))  # poses of the video's 3 frames
    assert shown_grey(plot.skeleton(ds, frame=1, video=video).axes[0]) == 10


def test_an_image_given_as_video_is_drawn_as_an_image_with_no_length_check(poses, tmp_path):
    """f159: video= (the CLI's --video) given a still was probed as a one-frame video:
    trajectories warned it was shorter than the poses and skeleton refused it."""
    from PIL import Image

    Image.fromarray(np.full((48, 64, 3), 90, np.uint8)).save(tmp_path / "still.png")
    ds = poses.assign_attrs(video_width=64, video_height=48)
    assert ds.sizes["time"] > 1  # poses past frame 0, which a one-frame "video" would refuse
    last = int(ds.time.values[-1])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        traced = plot.trajectories(ds, video=tmp_path / "still.png").axes[0]
        drawn = plot.skeleton(ds, frame=last, video=tmp_path / "still.png").axes[0]
    assert shown_grey(traced) == 90 and shown_grey(drawn) == 90
    with pytest.raises(FileNotFoundError, match=r"gone\.png: no such image file\.$"):
        plot.skeleton(ds, frame=1, video=tmp_path / "gone.png")


def test_a_photo_given_as_video_is_shown_turned_as_its_exif_says(poses, tmp_path):
    """f159: the size of a still given as video= was the stored one (48 x 64 here), not
    the one shown (64 x 48, as the poses' video), so the photo was refused."""
    from PIL import Image, ImageOps

    stored = np.random.default_rng(3).integers(0, 255, (64, 48, 3), dtype=np.uint8)
    exif = Image.Exif()
    exif[0x0112] = 6  # shown turned 90 degrees clockwise: 64 wide, 48 high
    photo = tmp_path / "photo.png"
    Image.fromarray(stored).save(photo, exif=exif.tobytes())
    with Image.open(photo) as opened:
        shown = np.asarray(ImageOps.exif_transpose(opened))
    assert shown.shape == (48, 64, 3)
    ds = poses.assign_attrs(video_width=64, video_height=48)
    ax = plot.skeleton(ds, frame=1, video=photo).axes[0]
    np.testing.assert_array_equal(ax.images[0].get_array(), shown)
    with pytest.raises(PoseBridgeError, match="photo.png is 64 x 48 pixels, but the poses'"):
        plot.trajectories(ds.assign_attrs(video_width=48, video_height=64), video=photo)


def test_trajectories_frame_needs_a_video(poses, tmp_path):
    with pytest.raises(PoseBridgeError, match="frame=99999 picks a frame of a video, but no"):
        plot.trajectories(poses, frame=99999)
    with pytest.raises(PoseBridgeError, match="does not go with image="):
        plot.trajectories(poses, frame=1, image=np.zeros((4, 4, 3), np.uint8))
    video = grey_video(tmp_path / "v.mkv", 4)
    poses = poses.isel(time=slice(0, 4))  # poses of the video's 4 frames
    ax = plot.trajectories(poses.assign_attrs(video_path=str(video)), frame=3).axes[0]
    assert shown_grey(ax) == 30  # the dataset's own video
    with pytest.raises(PoseBridgeError, match="there is no frame 9"):
        plot.trajectories(poses.assign_attrs(video_path=str(video)), frame=9)


# --------------------------------------------------------------------------
# datasets with nothing to draw, or outside the model


@pytest.mark.parametrize("kind", list(plot.KINDS))
@pytest.mark.parametrize("dim", ["keypoint", "individual"])
def test_a_dataset_with_nothing_to_draw_is_refused(poses, kind, dim):
    """posebridge writes files of 0 keypoints: confidence gave a raw ValueError, others warned."""
    with pytest.raises(PoseBridgeError, match=f"no {dim}s to draw") as raised:
        plot.figure(poses.isel({dim: []}).assign_attrs(source_file="e.nc"), kind)
    assert type(raised.value) is PoseBridgeError
    assert str(raised.value).startswith("e.nc: ")


@pytest.mark.parametrize("kind", list(plot.KINDS))
@pytest.mark.parametrize(
    ("change", "said"),
    [
        (lambda ds: xr.Dataset(), "no 'position' variable"),
        (lambda ds: ds.drop_vars("position"), "no 'position' variable"),
        (lambda ds: ds.drop_vars("time"), "no 'time' coordinate"),
        (lambda ds: ds.isel(space=[0]), r"space 'x', 'y'"),
        (lambda ds: ds.rename(individual="individuals"), "older plural dims"),
    ],
    ids=["empty", "no-position", "no-time", "1d-space", "movement-dims"],
)
def test_a_dataset_outside_the_model_is_a_schema_error(poses, kind, change, said):
    with pytest.raises(errors.SchemaError, match=said):
        plot.figure(change(poses), kind)


def test_all_nan_poses_are_drawn_without_warnings_and_say_so(poses):
    ds = poses.copy(deep=True)
    ds["position"][:] = np.nan
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for kind in ("trajectories", "skeleton"):
            ax = plot.figure(ds, kind).axes[0]
            assert "no points: every position is NaN" in [t.get_text() for t in ax.texts]
        plot.missing(ds)
        plot.confidence(ds)


def test_an_individual_keeps_its_colour_in_every_figure_whatever_is_selected():
    """mouse3 was green among all three and blue when shown alone."""
    from matplotlib.colors import to_hex

    from posebridge._colours import colour

    position = np.random.default_rng(0).uniform(0, 50, (20, 2, 2, 3))
    ds = model.from_numpy(position, individual_names=["mouse1", "mouse2", "mouse3"])
    ds["skeleton_edges"] = (("edge", "edge_node"), np.array([["keypoint_0", "keypoint_1"]]))
    expected = {"mouse1": to_hex(colour(0)), "mouse3": to_hex(colour(2))}
    chosen = ["mouse3", "mouse1"]
    lines = plot.trajectories(ds, individuals=chosen).axes[0].get_lines()
    assert {line.get_label(): to_hex(line.get_color()) for line in lines} == expected
    dots = plot.skeleton(ds, frame=0, individuals=chosen).axes[0].collections
    scatters = [c for c in dots if isinstance(c, PathCollection)]
    assert {c.get_label(): to_hex(c.get_facecolor()[0]) for c in scatters} == expected
    ticks = plot.missing(ds, individuals=["mouse3"]).axes[0].get_yticklabels()
    assert {to_hex(tick.get_color()) for tick in ticks} == {expected["mouse3"]}


def test_missing_of_labels_names_the_labelled_frames_chosen_by_time():
    """With time=(5, 7) the raster's columns were numbered -0.5, 0.0, ... 2.5, so the frame
    missing (labelled frame 6) read as column 1."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    position = np.zeros((8, 2, 1, 1))
    position[6] = np.nan
    ds = labels.from_numpy(position, video=["v.mp4"] * 8, frame=list(range(10, 90, 10)))
    fig = plot.missing(ds, time=(5, 7))
    FigureCanvasAgg(fig).draw()
    ax = fig.axes[0]
    assert ax.images[0].get_array().tolist() == [[0.0, 1.0, 0.0]]
    shown = {t.get_text(): x for t, x in zip(ax.get_xticklabels(), ax.get_xticks(), strict=True)}
    assert {k: v for k, v in shown.items() if k} == {"5": 0.0, "6": 1.0, "7": 2.0}


@pytest.mark.parametrize("kind", ["trajectories", "confidence", "missing", "skeleton"])
def test_names_with_dollar_signs_are_drawn_as_written_not_as_math(arrays, kind):
    # matplotlib read them as math text: "ear$_{L$" raised, "$x^2$" was drawn as a formula
    names = ["ear$_{L$", "$x^2$", "a$b$c"]
    ds = model.from_numpy(
        arrays["position"], arrays["confidence"], individual_names=["m$1", "$m2$"],
        keypoint_names=names,
    )  # fmt: skip
    ds["skeleton_edges"] = (("edge", "edge_node"), [names[:2]])
    fig = getattr(plot, kind)(ds)
    fig.canvas.draw()  # math text is parsed when drawn
    texts = [t.get_text() for t in fig.findobj(matplotlib.text.Text) if "$" in t.get_text()]
    assert texts  # the names are shown...
    assert all(re.search(r"(?<!\\)\$", t) is None for t in texts)  # ...every $ escaped


def test_a_missing_raster_of_too_many_rows_is_refused_before_drawing():
    """100 individuals x 50 keypoints drew for 20 s, then save_figure refused the size."""
    ds = model.from_numpy(
        np.ones((3, 2, 50, 41)),
        individual_names=[f"m{i}" for i in range(41)],
        keypoint_names=[f"k{k}" for k in range(50)],
    ).assign_attrs(source_file="wide.h5")
    with pytest.raises(
        PoseBridgeError, match=r"wide\.h5: 2,050 rows .* individuals= / keypoints="
    ):
        plot.missing(ds)
    plot.missing(ds.isel(individual=slice(0, 2)))  # chosen: drawn


@pytest.mark.parametrize("kind", ["trajectories", "skeleton"])
def test_25_tracks_get_25_colours_and_a_legend_beside_the_axes(kind):
    """h142 finding 3: one colour per individual past matplotlib's ten, and a legend
    of 25 tracks that neither covers the data nor runs off the figure."""
    rng = np.random.default_rng(3)
    ds = model.from_numpy(rng.uniform(10, 300, size=(5, 2, 1, 25)))
    fig = plot.figure(ds, kind, **({"frame": 2} if kind == "skeleton" else {}))
    ax = fig.axes[0]
    if kind == "trajectories":
        colours = {matplotlib.colors.to_hex(line.get_color()) for line in ax.get_lines()}
    else:
        dots = [c for c in ax.collections if isinstance(c, PathCollection)]
        colours = {matplotlib.colors.to_hex(c.get_facecolor()[0]) for c in dots}
    assert len(colours) == 25
    legend = ax.get_legend()
    assert len(legend.get_texts()) == 25
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    renderer = canvas.get_renderer()
    box, frame = legend.get_window_extent(renderer), fig.bbox
    assert frame.x0 - 1 <= box.x0 and box.x1 <= frame.x1 + 1
    assert frame.y0 - 1 <= box.y0 and box.y1 <= frame.y1 + 1
    assert box.x0 >= ax.get_window_extent(renderer).x1  # beside the axes, not over the data


def test_skeleton_over_a_video_at_another_rate_is_said(tmp_path):
    """h142 finding 1 (plot --kind skeleton --video): the poses' 30 fps and the video's
    15 fps are named; frame N of the video is still the one shown."""
    from posebridge import _video

    path = tmp_path / "v15.mkv"
    writer = _video.write_frames(path, (64, 48), 15.0, codec="ffv1", pix_fmt="bgr0", quality=None)
    for k in range(4):
        writer.send(np.full((48, 64, 3), 10 * k, np.uint8))
    writer.close()
    ds = model.from_numpy(np.full((4, 2, 1, 1), 20.0), fps=30.0)
    with pytest.warns(UserWarning, match=r"30 fps.*v15\.mkv is at 15 fps"):
        plot.skeleton(ds, frame=3, video=path)
    ds.attrs["fps"] = 15.0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        plot.skeleton(ds, frame=3, video=path)
