"""DeepLabCut / LightningPose CollectedData as labels: layouts read and written."""

from __future__ import annotations

import re
import warnings

import h5py
import numpy as np
import pandas as pd
import pytest
import xarray as xr

import posebridge
from posebridge.errors import FormatError, SchemaError
from posebridge.formats import dlc as deeplabcut
from posebridge.model import labels

IMAGES = [
    "labeled-data/reach/img0005.png",
    "labeled-data/reach/img0020.png",
    "labeled-data/walk/img0003.png",
]


def collected_frame(index: pd.Index, individuals: list[str] | None = None) -> pd.DataFrame:
    """A CollectedData table: x, y of 2 bodyparts, values 0.5, 1.5, ... per cell."""
    bodyparts = ["snout", "tail"]
    if individuals:
        columns = pd.MultiIndex.from_product(
            [["me"], individuals, bodyparts, ["x", "y"]],
            names=["scorer", "individuals", "bodyparts", "coords"],
        )
    else:
        columns = pd.MultiIndex.from_product(
            [["me"], bodyparts, ["x", "y"]], names=["scorer", "bodyparts", "coords"]
        )
    values = np.arange(len(index) * len(columns), dtype=float).reshape(len(index), -1) + 0.5
    values[0, :2] = np.nan  # the first snout is not labelled
    return pd.DataFrame(values, index=index, columns=columns)


def three_levels(paths: list[str]) -> pd.MultiIndex:
    return pd.MultiIndex.from_tuples([tuple(p.split("/")) for p in paths])


@pytest.fixture
def dlc_23_h5(tmp_path):
    """CollectedData as DeepLabCut >= 2.3 writes it: 3-level rows, fixed format."""
    df = collected_frame(three_levels(IMAGES))
    path = tmp_path / "CollectedData_me.h5"
    df.to_hdf(path, key="df_with_missing", mode="w")
    return path, df


@pytest.mark.parametrize(
    ("layout", "index"),
    [
        ("fixed, 3 levels", three_levels(IMAGES)),
        ("fixed, paths", pd.Index(IMAGES)),
        ("table, paths", pd.Index(IMAGES)),
    ],
)
def test_h5_layouts_read_as_labels(tmp_path, layout, index):
    df = collected_frame(index)
    path = tmp_path / "CollectedData_me.h5"
    df.to_hdf(path, key="df_with_missing", mode="w", format=layout.split(",")[0])
    ds = posebridge.load(path)
    assert labels.is_labels(ds)
    assert ds.image_path.values.tolist() == IMAGES
    assert ds.video.values.tolist() == ["labeled-data/reach"] * 2 + ["labeled-data/walk"]
    assert ds.frame.values.tolist() == [5, 20, 3]
    np.testing.assert_array_equal(
        ds.position.sel(individual="individual_0")
        .transpose("time", "keypoint", "space")
        .values.reshape(3, -1),
        df.to_numpy(),
    )
    assert np.isnan(ds.confidence.values).all()


@pytest.mark.parametrize("index_columns", [1, 3])
def test_csv_with_one_or_three_index_columns_reads_as_labels(tmp_path, index_columns):
    index = pd.Index(IMAGES) if index_columns == 1 else three_levels(IMAGES)
    df = collected_frame(index, individuals=["a", "b"])
    path = tmp_path / "CollectedData_me.csv"
    df.to_csv(path)
    ds = posebridge.load(path)
    assert labels.is_labels(ds)
    assert ds.individual.values.tolist() == ["a", "b"]
    assert ds.image_path.values.tolist() == IMAGES
    expected = df.to_numpy().reshape(3, 2, 2, 2)  # (row, individual, bodypart, xy)
    np.testing.assert_array_equal(
        ds.position.transpose("time", "individual", "keypoint", "space"), expected
    )


@pytest.mark.parametrize("read", [posebridge.load, posebridge.open_dataset])
def test_csv_index_cells_that_look_like_numbers_are_kept_as_written(tmp_path, read):
    """A video folder '01' and images '0001', '1e3' in a three-column index were parsed as
    numbers (labeled-data/1/1.0) and written back so; the .h5 of the table kept them."""
    images = ["labeled-data/01/0001", "labeled-data/01/0002", "labeled-data/002/1e3"]
    df = collected_frame(three_levels(images))
    source = tmp_path / "CollectedData_me.csv"
    df.to_csv(source)
    ds = read(source)
    assert ds.image_path.values.tolist() == images
    out = tmp_path / "out" / "CollectedData_me.csv"
    out.parent.mkdir()
    posebridge.save(ds.load(), out)
    written = pd.read_csv(out, header=[0, 1, 2], index_col=[0, 1, 2], dtype=str)
    assert ["/".join(row) for row in written.index] == images


def test_written_labels_are_what_deeplabcut_writes(dlc_23_h5, tmp_path):
    path, df = dlc_23_h5
    ds = posebridge.load(path)
    out = tmp_path / "out" / "CollectedData_me.h5"
    out.parent.mkdir()
    posebridge.save(ds, out)
    with h5py.File(out) as h5:  # pandas "fixed" format, as DeepLabCut writes labels
        assert h5["df_with_missing"].attrs["pandas_type"] == b"frame"
    back = pd.read_hdf(out)
    assert back.index.nlevels == 3 and back.index.tolist() == df.index.tolist()
    assert back.columns.tolist() == df.columns.tolist()  # x, y only: no likelihood
    pd.testing.assert_frame_equal(back, df, check_names=False)


def test_labels_round_trip_through_csv_and_h5(dlc_23_h5, tmp_path):
    ds = posebridge.load(dlc_23_h5[0])
    for name in ("CollectedData_me.csv", "again.h5"):
        posebridge.save(ds, tmp_path / name)
        back = posebridge.load(tmp_path / name)
        for attr in ("source_file",):
            back.attrs.pop(attr)
        original = ds.copy()
        original.attrs.pop("source_file")
        xr.testing.assert_identical(back, original)


def test_frames_without_images_get_deeplabcut_image_names(tmp_path):
    ds = labels.from_numpy(
        np.ones((3, 2, 1, 1)),
        video=["/videos/mouse1.mp4", "/videos/mouse1.mp4", "clip.avi"],
        frame=[7, 120, 3],
    )
    posebridge.save(ds, tmp_path / "CollectedData_me.h5")
    back = posebridge.load(tmp_path / "CollectedData_me.h5")
    assert back.image_path.values.tolist() == [
        "labeled-data/mouse1/img007.png",  # padded to the widest frame number of the video
        "labeled-data/mouse1/img120.png",
        "labeled-data/clip/img3.png",
    ]
    assert back.frame.values.tolist() == [7, 120, 3]


@pytest.mark.parametrize(
    ("name", "fmt"),
    [("CollectedData_me.h5", "dlc"), ("CollectedData_me.csv", "dlc"), ("labels.csv", "lp")],
)
@pytest.mark.parametrize(
    ("rows", "frames"),
    [
        ([0, 1], [5, 5]),  # one image name for both
        ([0, 1], [5, 7]),  # no name in common: merged into one video's folder all the same
        ([0, 0, 1], [5, 10, 5]),  # img05.png and img5.png: padded per video, then merged
    ],
)
def test_videos_of_one_stem_in_two_folders_are_refused_before_writing(
    tmp_path, name, fmt, rows, frames
):
    """Their frames went into one labeled-data/<stem>/ folder and read back as one video's
    (an image name in common refused, padded names told apart and merged without a word)."""
    videos = ["/data/day1/session.mp4", "/data/day2/session.mp4"]
    ds = labels.from_numpy(
        np.ones((len(rows), 2, 1, 1)), video=[videos[r] for r in rows], frame=frames
    )
    with pytest.raises(SchemaError) as caught:
        posebridge.save(ds, tmp_path / name, format=fmt)
    message = str(caught.value)
    assert str(tmp_path / name) in message
    assert all(repr(video) in message for video in videos)
    assert "labeled-data/session/" in message  # the one folder both would be written to
    assert list(tmp_path.iterdir()) == []  # nothing written


def test_one_video_spelled_two_ways_is_one_video(tmp_path):
    ds = labels.from_numpy(
        np.ones((2, 2, 1, 1)), video=["clips/session.mp4", "./clips/session.mp4"], frame=[5, 7]
    )
    posebridge.save(ds, tmp_path / "CollectedData_me.h5")
    assert pd.read_hdf(tmp_path / "CollectedData_me.h5").shape[0] == 2


def test_project_images_of_one_name_in_two_projects_are_refused(tmp_path):
    # both are labeled-data/reach/img1.png once written relative to their project
    images = ["/lab/a/labeled-data/reach/img1.png", "/lab/b/labeled-data/reach/img1.png"]
    ds = labels.from_numpy(np.ones((2, 2, 1, 1)), image_path=images)
    with pytest.raises(SchemaError, match="would both be written as the image") as caught:
        posebridge.save(ds, tmp_path / "CollectedData_me.h5")
    assert all(repr(image) in str(caught.value) for image in images)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("name", ["CollectedData_me.h5", "CollectedData_me.csv"])
def test_absolute_image_paths_in_a_project_are_written_from_labeled_data_on(tmp_path, name):
    # what an NWB file written outside the project (or a SLEAP file) gives back
    images = ["/lab/proj/labeled-data/reach/img0005.png", "C:/proj/labeled-data/walk/img3.png"]
    ds = labels.from_numpy(np.ones((2, 2, 1, 1)), image_path=images)
    posebridge.save(ds, tmp_path / name)
    if name.endswith(".h5"):
        rows = pd.read_hdf(tmp_path / name).index.tolist()
    else:
        rows = pd.read_csv(tmp_path / name, header=[0, 1, 2], index_col=[0, 1, 2]).index.tolist()
    assert rows == [("labeled-data", "reach", "img0005.png"), ("labeled-data", "walk", "img3.png")]
    back = posebridge.load(tmp_path / name)
    assert back.image_path.values.tolist() == [
        "labeled-data/reach/img0005.png",
        "labeled-data/walk/img3.png",
    ]


@pytest.mark.parametrize("style", [None, "levels"])
def test_absolute_image_paths_outside_a_project_are_one_path_column(tmp_path, style):
    images = ["/data/mouse/img1.png", "/data/mouse/img2.png"]
    ds = labels.from_numpy(np.ones((2, 2, 1, 1)), image_path=images)
    if style:  # read from a 3-level file: the levels cannot hold an absolute path
        ds.attrs["dlc_index_style"] = style
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        posebridge.save(ds, tmp_path / "CollectedData_me.h5")
    assert pd.read_hdf(tmp_path / "CollectedData_me.h5").index.tolist() == images
    assert [str(w.message) for w in caught if "absolute" in str(w.message)] == (
        ["Some image paths have fewer than 3 parts (folder/video/image) or are absolute; "
         "writing them as one path column."] if style else []
    )  # fmt: skip
    back = posebridge.load(tmp_path / "CollectedData_me.h5")
    assert back.image_path.values.tolist() == images


def test_points_marked_not_visible_are_left_out_of_deeplabcut_files(tmp_path):
    position = np.arange(8.0).reshape(1, 2, 4, 1)
    visible = np.array([[[2.0], [0.0], [1.0], [np.nan]]])
    ds = labels.from_numpy(position, image_path=["labeled-data/v/img1.png"], visible=visible)
    with pytest.warns(UserWarning, match=r"dlc\.csv: 1 point\(s\) are flagged labelled but"):
        posebridge.save(ds, tmp_path / "dlc.csv")
    df = pd.read_csv(tmp_path / "dlc.csv", header=[0, 1, 2], index_col=[0, 1, 2])
    assert df.index.tolist() == [("labeled-data", "v", "img1.png")]  # DLC >= 2.3 rows
    assert df.columns.get_level_values("coords").unique().tolist() == ["x", "y"]
    row = df.to_numpy()[0]
    # flags 2, 1 (labelled, not visible: kept without its flag) and NaN
    np.testing.assert_array_equal(row[[0, 1, 4, 5, 6, 7]], [0.0, 4.0, 2.0, 6.0, 3.0, 7.0])
    assert np.isnan(row[2:4]).all()  # flag 0: marked not visible, no point


def test_coco_points_labelled_but_hidden_are_kept_with_their_flag_set_to_2(tmp_path):
    """COCO's v=1 (labelled, not visible) was dropped from DeepLabCut files without a word;
    the warning's recipe keeps them."""
    position = np.array([[[10.0, 30.0], [20.0, 40.0]]])[..., None]  # (time, space, kp, ind)
    visible = np.array([[[2.0], [1.0]]])
    ds = labels.from_numpy(position, image_path=["labeled-data/v/img1.png"], visible=visible)
    ds["visible"] = ds.visible.where(ds.visible != 1, 2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        posebridge.save(ds, tmp_path / "CollectedData_me.h5")
    back = posebridge.load(tmp_path / "CollectedData_me.h5")
    np.testing.assert_array_equal(back.position.values, position)


def test_lightning_pose_keeps_its_visible_coord(tmp_path):
    position = np.arange(4.0).reshape(1, 2, 2, 1)
    visible = np.array([[[2.0], [1.0]]])
    ds = labels.from_numpy(position, image_path=["labeled-data/img01.png"], visible=visible)
    posebridge.save(ds, tmp_path / "CollectedData.csv", format="lp")
    df = pd.read_csv(tmp_path / "CollectedData.csv", header=[0, 1, 2], index_col=0)
    assert df.index.tolist() == ["labeled-data/img01.png"]  # one index column
    assert df.xs("visible", level="coords", axis=1).to_numpy().tolist() == [[2.0, 1.0]]
    back = posebridge.load(tmp_path / "CollectedData.csv", format="lp")
    assert labels.is_labels(back)
    np.testing.assert_array_equal(back.visible.values, visible)
    np.testing.assert_array_equal(back.position.values, position)


def test_lightning_pose_points_not_visible_are_nan_with_their_flag(tmp_path):
    position = np.arange(4.0).reshape(1, 2, 2, 1)
    visible = np.array([[[2.0], [0.0]]])
    ds = labels.from_numpy(position, image_path=["labeled-data/img01.png"], visible=visible)
    posebridge.save(ds, tmp_path / "CollectedData.csv", format="lp")
    df = pd.read_csv(tmp_path / "CollectedData.csv", header=[0, 1, 2], index_col=0)
    assert df.xs("visible", level="coords", axis=1).to_numpy().tolist() == [[2.0, 0.0]]
    assert np.isfinite(df.xs("x", level="coords", axis=1).to_numpy()).all()  # stale x kept
    back = posebridge.load(tmp_path / "CollectedData.csv", format="lp")
    expected = position.copy()
    expected[:, :, 1] = np.nan  # visible 0: no point
    np.testing.assert_array_equal(back.position.values, expected)
    np.testing.assert_array_equal(back.visible.values, visible)


def test_lightning_pose_labels_from_a_three_level_source_have_one_index_column(
    dlc_23_h5, tmp_path
):
    path, df = dlc_23_h5
    ds = posebridge.load(path)
    assert ds.attrs["dlc_index_style"] == "levels"  # read from DeepLabCut >= 2.3's layout
    out = tmp_path / "CollectedData.csv"
    posebridge.save(ds, out, format="lp")
    # as LightningPose reads labels: one index column, every other cell a number
    read = pd.read_csv(out, header=[0, 1, 2], index_col=0)
    assert read.index.tolist() == IMAGES
    assert read.columns.get_level_values(2).tolist() == ["x", "y"] * 2
    values = np.asarray(read.to_numpy(), dtype=np.float32)
    np.testing.assert_array_equal(values, df.to_numpy().astype(np.float32))


def test_predictions_indexed_by_image_stay_predictions(tmp_path):
    columns = pd.MultiIndex.from_product(
        [["net"], ["snout"], ["x", "y", "likelihood"]], names=["scorer", "bodyparts", "coords"]
    )
    df = pd.DataFrame([[1.0, 2.0, 0.9]], index=["labeled-data/v/img1.png"], columns=columns)
    df.to_hdf(tmp_path / "machinelabels-iter0.h5", key="df_with_missing")
    ds = posebridge.load(tmp_path / "machinelabels-iter0.h5")
    assert not labels.is_labels(ds)
    assert ds.image_path.values.tolist() == ["labeled-data/v/img1.png"]


def test_old_windows_image_paths_are_read_with_slashes(tmp_path):
    windows = [p.replace("/", "\\") for p in IMAGES]
    collected_frame(pd.Index(windows)).to_hdf(tmp_path / "old.h5", key="df_with_missing")
    ds = posebridge.load(tmp_path / "old.h5")
    assert ds.image_path.values.tolist() == IMAGES
    assert ds.frame.values.tolist() == [5, 20, 3]


def test_repeated_image_rows_are_an_error_naming_them(tmp_path):
    repeated = [IMAGES[0], IMAGES[1], IMAGES[0]]
    collected_frame(pd.Index(repeated)).to_csv(tmp_path / "dup.csv")
    with pytest.raises(FormatError, match=r"dup.csv.*rows \[0, 2\].*img0005.png"):
        posebridge.load(tmp_path / "dup.csv")


def test_an_index_level_left_empty_is_an_error(tmp_path):
    df = collected_frame(three_levels(IMAGES))
    path = tmp_path / "broken.csv"
    df.to_csv(path)
    text = path.read_text().splitlines()
    text[4] = "labeled-data,,," + text[4].split(",", 3)[3]  # row 1 loses its video and image
    path.write_text("\n".join(text) + "\n")
    with pytest.raises(FormatError, match=r"broken.csv.*row 1 has an empty level"):
        posebridge.load(path)


def test_dataframe_function_gives_labels_too(dlc_23_h5):
    _, df = dlc_23_h5
    ds = deeplabcut.dataset_from_dataframe(df)
    assert labels.is_labels(ds) and ds.frame.values.tolist() == [5, 20, 3]
    again = deeplabcut.dataframe_from_dataset(ds)
    pd.testing.assert_frame_equal(again, df, check_names=False)


def test_data_split_is_left_out_of_a_labels_h5_with_a_warning_and_the_file_reads_back(tmp_path):
    """pandas' fixed layout pickled the 'set' column, so the file written was one the
    reader refuses as unsafe."""
    lab = labels.from_numpy(
        np.ones((2, 2, 1, 1)),
        image_path=["labeled-data/v/img1.png", "labeled-data/v/img2.png"],
    ).assign_coords(data_split=("time", ["train", "test"]))
    with pytest.warns(UserWarning, match=r"d\.h5: the data_split \('set'\) column is not written"):
        (path,) = posebridge.save(lab, tmp_path / "d.h5", format="dlc")
    back = posebridge.load(path)
    assert "data_split" not in back.coords
    assert back["image_path"].values.tolist() == lab["image_path"].values.tolist()
    (csv,) = posebridge.save(lab, tmp_path / "d.csv", format="dlc")  # the CSV keeps it
    assert posebridge.load(csv)["data_split"].values.tolist() == ["train", "test"]


@pytest.mark.parametrize("name", ["CollectedData_me.h5", "CollectedData_me.csv"])
def test_labels_written_as_collected_data_take_the_file_names_scorer(tmp_path, name):
    """DeepLabCut finds labelled data by cfg['scorer'] in the file name, then takes
    Data[cfg['scorer']]: a scorer level of 'posebridge' was a KeyError there."""
    position = np.arange(8.0).reshape(2, 2, 2, 1)
    images = ["labeled-data/v/img001.png", "labeled-data/v/img002.png"]
    ds = labels.from_numpy(position, image_path=images, keypoint_names=["a", "b"])
    (path,) = posebridge.save(ds, tmp_path / name)
    table = (
        pd.read_hdf(path)
        if path.suffix == ".h5"
        else pd.read_csv(path, header=[0, 1, 2], index_col=[0, 1, 2])
    )
    assert set(table.columns.get_level_values("scorer")) == {"me"}
    (other,) = posebridge.save(ds, tmp_path / f"x{name}", scorer="given")  # given: kept
    assert posebridge.load(other).attrs["scorer"] == "given"


def test_poses_written_as_collected_data_are_warned_about(tmp_path):
    # a SLEAP project read as poses (instances="auto" with predictions) gave a predictions
    # table under DeepLabCut's labels name, without a word
    ds = posebridge.from_numpy(np.ones((3, 2, 2, 1)), np.ones((3, 2, 1)))
    with pytest.warns(UserWarning, match=r"CollectedData_me\.h5: a CollectedData file is"):
        posebridge.save(ds, tmp_path / "CollectedData_me.h5")


def test_a_scorer_replaced_by_the_file_names_is_warned_and_lightning_pose_keeps_its_own(tmp_path):
    position = np.arange(8.0).reshape(2, 2, 2, 1)
    images = ["labeled-data/v/img001.png", "labeled-data/v/img002.png"]
    ds = labels.from_numpy(position, image_path=images, keypoint_names=["a", "b"])
    ds.attrs["scorer"] = "rick"
    with pytest.warns(UserWarning, match=r"scorer 'rick' is written as 'mouse'"):
        (path,) = posebridge.save(ds, tmp_path / "CollectedData_mouse.h5")
    assert posebridge.load(path).attrs["scorer"] == "mouse"
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        (lp,) = posebridge.save(ds, tmp_path / "CollectedData_mouse.csv", format="lp")
    assert posebridge.load(lp, format="lp").attrs["scorer"] == "rick"


@pytest.mark.parametrize("levels", [1, 3])
def test_the_names_line_of_a_named_image_index_is_not_a_labelled_image(tmp_path, levels):
    """pandas writes a named row index as a line of its names ('image,,,,'): it was read
    as an image named 'image' (or 'a/b/c') without points."""
    import pandas as pd

    columns = pd.MultiIndex.from_product(
        [["me"], ["nose", "tail"], ["x", "y"]], names=["scorer", "bodyparts", "coords"]
    )
    images = ["labeled-data/v/a.png", "labeled-data/v/b.png"]
    if levels == 1:
        index = pd.Index(images, name="image")
    else:
        parts = [tuple(p.split("/")) for p in images]
        index = pd.MultiIndex.from_tuples(parts, names=["a", "b", "c"])
    frame = pd.DataFrame(np.arange(8.0).reshape(2, 4), index=index, columns=columns)
    path = tmp_path / "CollectedData_me.csv"
    frame.to_csv(path)
    ds = posebridge.load(path)
    assert ds.image_path.values.tolist() == images
    np.testing.assert_array_equal(
        ds.position.sel(keypoint="nose").values[:, :, 0], [[0, 1], [4, 5]]
    )


# pandas' read_csv reads these whole cells as missing values (its default na_values);
# without '/', which splits an image path into levels
PANDAS_MISSING = ["nan", "NaN", "NA", "null", "NULL", "None", "<NA>", "-nan", "#NA"]


@pytest.mark.parametrize("word", PANDAS_MISSING)
@pytest.mark.parametrize("name", ["CollectedData.csv", "CollectedData.h5"])
def test_a_video_named_as_pandas_missing_value_is_refused_before_writing(tmp_path, name, word):
    """The video folder level is the video's stem: 'NA.mp4' writes the cell 'NA'."""
    for video in (word, f"{word}.mp4"):
        ds = labels.from_numpy(
            np.ones((2, 2, 1, 1)), video=["ok.mp4", video], frame=[1, 2], keypoint_names=["s"]
        )
        target = tmp_path / name
        with pytest.raises(SchemaError, match=rf"cell '{word}' \(video folder level\).*missing"):
            posebridge.save(ds, target, "dlc")
        assert not target.exists() and list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("word", PANDAS_MISSING)
@pytest.mark.parametrize(
    ("name", "fmt"), [("CollectedData.csv", "dlc"), ("CollectedData.h5", "dlc"), ("l.csv", "lp")]
)
def test_image_index_cells_pandas_reads_as_missing_are_refused(tmp_path, name, fmt, word):
    cases = {  # image path -> the level whose cell is the word
        f"labeled-data/{word}/img1.png": "video folder",
        f"labeled-data/v/{word}": "image file name",
        f"{word}/v/img1.png": "folder",
        word: "image path",  # one column: the whole path
    }
    for case, (image, level) in enumerate(cases.items()):
        ds = labels.from_numpy(
            np.ones((2, 2, 1, 1)), image_path=[IMAGES[0], image], keypoint_names=["s"]
        )
        target = tmp_path / f"{case}_{name}"
        if fmt == "lp" and level != "image path":  # LightningPose: one column, whole path
            posebridge.save(ds, target, fmt)
            back = posebridge.load(target, fmt)
            assert back.image_path.values.tolist() == [IMAGES[0], image]
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "fewer than 3 parts": one path column
            with pytest.raises(SchemaError, match=rf"cell '{re.escape(word)}' \({level} level"):
                posebridge.save(ds, target, fmt)
        assert not target.exists()


@pytest.mark.parametrize("name", ["CollectedData.csv", "CollectedData.h5"])
def test_a_missing_word_inside_a_cell_is_written_and_read_back(tmp_path, name):
    """Only a whole cell reads as missing: 'a/nan' (video level) and 'N/A' parts are names."""
    images = ["labeled-data/a/nan/img1.png", "labeled-data/NA-1/nan.png", "labeled-data/v/N/A"]
    ds = labels.from_numpy(np.ones((3, 2, 1, 1)), image_path=images, keypoint_names=["s"])
    posebridge.save(ds, tmp_path / name, "dlc")
    back = posebridge.load(tmp_path / name, "dlc")
    assert back.image_path.values.tolist() == images
    if name.endswith(".csv"):  # pandas (DeepLabCut's reader) sees no missing cell either
        frame = pd.read_csv(tmp_path / name, index_col=[0, 1, 2], header=[0, 1, 2])
        assert ["/".join(row) for row in frame.index.tolist()] == images


def test_a_one_column_image_path_that_is_a_missing_word_is_refused(tmp_path):
    ds = labels.from_numpy(np.ones((1, 2, 1, 1)), image_path=["N/A"], keypoint_names=["s"])
    with pytest.raises(SchemaError, match=r"cell 'N/A' \(image path level\)"):
        posebridge.save(ds, tmp_path / "l.csv", "lp")
    assert not (tmp_path / "l.csv").exists()


def _sleap_labels_with_complete_flags() -> xr.Dataset:
    """Labels of 2 frames x 2 keypoints x 1 animal with SLEAP's per-point complete flags, some
    False (a point SLEAP placed but nobody confirmed), as .slp files give them."""
    position = np.arange(8, dtype=float).reshape(2, 2, 2, 1)  # (time, space, keypoint, individual)
    ds = labels.from_numpy(
        position,
        video=["v.mp4", "v.mp4"],
        frame=[0, 1],
        keypoint_names=["head", "tail"],
        individual_names=["individual_0"],  # the name a single-animal file reads back
    )
    flags = np.array([[[1.0], [0.0]], [[0.0], [1.0]]])  # (time, keypoint, individual)
    return ds.assign({labels.COMPLETE: (("time", "keypoint", "individual"), flags)})


def test_sleap_complete_flags_are_no_lightningpose_column(tmp_path):
    """h119: the flags became a third coords column, which LightningPose reads as points."""
    ds = _sleap_labels_with_complete_flags()
    path = tmp_path / "CollectedData.csv"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        posebridge.save(ds, path, format="lp")
    table = pd.read_csv(path, header=[0, 1, 2], index_col=0)
    assert sorted(set(table.columns.get_level_values(2))) == ["x", "y"]
    np.testing.assert_array_equal(
        table.to_numpy(dtype=float).reshape(2, 2, 2),  # (frame, keypoint, x/y)
        ds.position.isel(individual=0).transpose("time", "keypoint", "space").values,
    )


def test_sleap_complete_flags_are_dropped_by_the_dlc_writer_without_a_warning(tmp_path):
    ds = _sleap_labels_with_complete_flags()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        posebridge.save(ds, tmp_path / "CollectedData_me.h5", format="dlc")


def test_labels_as_poses_leave_the_complete_flags_out():
    poses = labels.as_poses(_sleap_labels_with_complete_flags())
    assert labels.COMPLETE not in poses
