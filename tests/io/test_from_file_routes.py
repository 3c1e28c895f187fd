"""posebridge.io.load_poses.from_file (and load_bboxes.from_file) take the names load_dataset
takes, and route them alike.

``"LightningPose"`` goes to the LightningPose loader (its attrs, its refusal of several
individuals); ``"DeepLabCut/LightningPose"`` (what ``infer_source_software`` names a
DeepLabCut-style .csv file) reads the table under that name; ``fps`` is ignored for NWB
with a warning, the file's times kept.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import xarray as xr

import posebridge
from _corpus import corpus_path, read_options
from posebridge.io import load_poses, save_poses
from posebridge.io.load import infer_source_software, load_dataset


def mice(n_individuals: int) -> xr.Dataset:
    return load_poses.from_numpy(
        np.arange(4 * 2 * 2 * n_individuals, dtype=np.float64).reshape(4, 2, 2, n_individuals),
        np.full((4, 2, n_individuals), 0.5),
        individual_names=[f"mouse{i}" for i in range(n_individuals)],
        keypoint_names=["nose", "tail"],
        source_software="DeepLabCut",
    )


@pytest.fixture
def one_mouse_csv(tmp_path):
    path = tmp_path / "one.csv"
    save_poses.to_dlc_file(mice(1), path, split_individuals=False)
    return path


@pytest.fixture
def two_mice_csv(tmp_path):
    path = tmp_path / "two.csv"
    save_poses.to_dlc_file(mice(2), path, split_individuals=False)
    return path


def test_lightning_pose_names_the_source_software_as_from_lp_file(one_mouse_csv):
    ds = load_poses.from_file(one_mouse_csv, "LightningPose")
    assert ds.attrs["source_software"] == "LightningPose"
    assert (
        ds.attrs["source_software"]
        == load_poses.from_lp_file(one_mouse_csv).attrs["source_software"]
    )
    xr.testing.assert_identical(ds, load_dataset(one_mouse_csv, "LightningPose"))


def test_lightning_pose_refuses_several_individuals_as_from_lp_file(two_mice_csv):
    with pytest.raises(posebridge.PoseBridgeError, match="single-individual"):
        load_poses.from_file(two_mice_csv, "LightningPose")


@pytest.mark.parametrize("fixture", ["one_mouse_csv", "two_mice_csv"])
def test_the_name_infer_source_software_gives_is_taken(fixture, request):
    path = request.getfixturevalue(fixture)
    software = infer_source_software(path)
    assert software == "DeepLabCut/LightningPose"
    ds = load_poses.from_file(path, software)
    assert ds.attrs["source_software"] == "DeepLabCut/LightningPose"
    n_individuals = 1 if fixture == "one_mouse_csv" else 2
    assert ds.sizes["individual"] == n_individuals
    np.testing.assert_array_equal(ds.position.values, mice(n_individuals).position.values)
    xr.testing.assert_identical(ds, load_dataset(path, software))


def test_fps_of_an_nwb_file_is_ignored_with_a_warning_the_times_kept(tmp_path):
    ds = load_poses.from_numpy(
        np.zeros((5, 2, 1, 1)), np.ones((5, 1, 1)), fps=25, source_software="DeepLabCut"
    )
    path = tmp_path / "rate25.nwb"
    posebridge.save(ds.sel(individual="id_0"), path, "nwb")
    with pytest.warns(UserWarning, match="fps is ignored") as caught:
        read = load_poses.from_file(path, "NWB", fps=30)
    assert all(w.filename == __file__ for w in caught if "fps" in str(w.message))
    assert read.attrs["fps"] == 25
    np.testing.assert_allclose(read.time.values, np.arange(5) / 25)
    with warnings.catch_warnings(record=True):
        warnings.simplefilter("always")
        expected = load_dataset(path, "NWB", fps=30)
    xr.testing.assert_identical(read, expected)


@pytest.mark.parametrize(
    "relative",
    [
        "coco/test_ap10k.json",
        "sleap_csv/minimal_instance.000_centered_pair_low_quality.analysis.csv",
        "yolo_pose/cow.v1i.yolov8/data.yaml",
    ],
)
@pytest.mark.parametrize("loader", ["from_file", "load_dataset"])
def test_a_format_inferred_by_its_title_is_read_as_load_reads_it(relative, loader):
    """infer_source_software names these formats by title ('COCO keypoints'), which the
    format lookup refused: from_file(path) of such a file raised UnknownFormatError."""
    path = corpus_path(relative)
    read = load_poses.from_file if loader == "from_file" else load_dataset
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = posebridge.load(path, **read_options(path))
        got = read(path, **read_options(path))
    xr.testing.assert_identical(got, expected)


@pytest.mark.parametrize("source_software", ["DeepLabCut/LightningPose", "VIA-tracks", None])
def test_an_unknown_keyword_to_from_file_is_named_as_from_files(one_mouse_csv, source_software):
    """The refusal named load_dataset, which the user did not call."""
    path = one_mouse_csv
    if source_software == "VIA-tracks":
        path = path.with_name("boxes.csv")
        path.write_text(
            "filename,file_size,file_attributes,region_count,region_id,region_shape_attributes,"
            'region_attributes\nf0.png,0,"{}",1,0,"{""name"":""rect"",""x"":1,""y"":2,'
            '""width"":3,""height"":4}","{""track"":""1""}"\n'
        )
    with pytest.raises(posebridge.errors.TypeError, match=r"^from_file\(\) got an unexpected"):
        load_poses.from_file(path, source_software, bogus=1)


@pytest.mark.parametrize("source_software", ["DeepLabCut/LightningPose", "LightningPose"])
def test_load_bboxes_from_file_routes_movement_names_as_load_dataset(
    one_mouse_csv, source_software
):
    """load_bboxes.from_file handed the name to the format lookup, which did not know
    'DeepLabCut/LightningPose' (the name infer_source_software gives a DeepLabCut-style
    CSV) and read 'LightningPose' without the LightningPose loader's attrs."""
    from posebridge.io import load_bboxes

    got = load_bboxes.from_file(one_mouse_csv, source_software)
    assert got.attrs["source_software"] == source_software
    xr.testing.assert_identical(got, load_dataset(one_mouse_csv, source_software))


@pytest.mark.parametrize("source_software", ["VIA-tracks", "via", None])
def test_an_unknown_keyword_to_load_bboxes_from_file_is_named_as_from_files(
    tmp_path, source_software
):
    from posebridge.io import load_bboxes

    path = tmp_path / "boxes.csv"
    path.write_text(
        "filename,file_size,file_attributes,region_count,region_id,region_shape_attributes,"
        'region_attributes\nf0.png,0,"{}",1,0,"{""name"":""rect"",""x"":1,""y"":2,'
        '""width"":3,""height"":4}","{""track"":""1""}"\n'
    )
    ds = load_bboxes.from_file(path, source_software)
    assert ds.attrs["source_software"] == "VIA-tracks"
    np.testing.assert_array_equal(ds.position.values.ravel(), [1 + 3 / 2, 2 + 4 / 2])
    with pytest.raises(posebridge.errors.TypeError, match=r"^from_file\(\) got an unexpected"):
        load_bboxes.from_file(path, source_software, bogus=1)
