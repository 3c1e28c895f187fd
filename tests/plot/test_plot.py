"""posebridge.plot: what each figure holds, checked against the dataset's own arrays.

No image baselines: the tests read the drawn artists back (line data, raster
cells, scatter offsets, histogram counts, labels) and compare them with values
computed here from the arrays the datasets were built from.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.figure
import numpy as np
import pytest
import xarray as xr
from matplotlib.collections import LineCollection, PathCollection
from matplotlib.patches import Rectangle, StepPatch
from matplotlib.path import Path as MplPath

from posebridge import errors, labels, model, plot
from posebridge.errors import FileExistsError, PoseBridgeError
from posebridge.plot._select import parse_time_range

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
    assert type(raised.value) is error  # a wrong type is posebridge's TypeError (a built-in too)
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
        (lambda fig, path: plot.save_figure(fig, path, overwrite="no"), TYPE, "overwrite"),
    ],
)
def test_save_figure_refuses_wrong_values_and_writes_nothing(poses, tmp_path, call, error, option):
    with pytest.raises(error, match=option) as raised:
        call(plot.missing(poses), tmp_path / "figure.png")
    assert type(raised.value) is error
    assert list(tmp_path.iterdir()) == []


def test_a_lazily_loaded_dataset_is_plotted_from_the_selected_steps(poses, arrays, tmp_path):
    pytest.importorskip("dask")
    path = tmp_path / "poses.nc"
    poses.to_netcdf(path, engine="h5netcdf")
    with xr.open_dataset(path, engine="h5netcdf", chunks={"time": 4}) as lazy:
        lines = lines_by_label(plot.trajectories(lazy, keypoints=["tail"], max_steps=6))
    np.testing.assert_array_equal(lines["mouse_b"].get_xdata(), arrays["position"][::2, 0, 2, 0])
