"""posebridge.io as a drop-in for movement.io (issue 10), written as movement's users write it.

The reference is movement 0.17's documented behaviour (shared/reference/movement.md):
wrong argument types raise TypeError, path problems the built-in OSErrors in
movement's order, a wrong file ending a ValueError, savers accept a dataset
whose individual dim was dropped by a selection, ``to_nwb_file`` returns one
NWBFile or a list, ``movement.io.load`` exists.
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import h5py
import numpy as np
import pandas as pd
import pytest
import xarray as xr

import posebridge
from posebridge import registry
from posebridge.io import (
    load,
    load_bboxes,
    load_dataset,
    load_multiview_dataset,
    load_poses,
    save_bboxes,
    save_poses,
)
from posebridge.io.nwb import NWBFileSaveConfig


@pytest.fixture
def valid_poses_dataset() -> xr.Dataset:
    """movement's test fixture: 10 frames, 2D, centroid/left/right, id_0/id_1."""
    n_frames = 10
    position = np.zeros((n_frames, 2, 3, 2))
    t = np.arange(n_frames, dtype=float)
    for k, dx in enumerate((0.0, -1.0, 1.0)):
        position[:, 0, k, 0], position[:, 1, k, 0] = t + dx, t
        position[:, 0, k, 1], position[:, 1, k, 1] = t + dx, -t
    confidence = np.full((n_frames, 3, 2), 0.9)
    confidence[(np.arange(5), [0, 1, 2, 0, 1], [0, 0, 1, 1, 0])] = 0.1
    return load_poses.from_numpy(
        position,
        confidence,
        individual_names=["id_0", "id_1"],
        keypoint_names=["centroid", "left", "right"],
        fps=None,
        source_software="test",
    )


@pytest.fixture
def individual_wise_dataset(valid_poses_dataset) -> xr.Dataset:
    """movement 0.17: confidence with dims (time, individual)."""
    ds = valid_poses_dataset.drop_vars("confidence")
    scores = np.linspace(0.1, 1.0, 20).reshape(10, 2)
    ds["confidence"] = (("time", "individual"), scores)
    return ds


# --------------------------------------------------------------------------
# 1. a wrong type raises TypeError (also a PoseBridgeError), before anything else

NOT_A_DATASET = [[1.0, 2.0], np.zeros((10, 2, 3, 2))]


def _savers():
    return [
        (save_poses.to_dlc_file, "out.h5"),
        (save_poses.to_lp_file, "out.csv"),
        (save_poses.to_sleap_analysis_file, "out.h5"),
        (save_poses.to_slp_file, "out.slp"),
        (save_poses.to_anipose_file, "out.csv"),
        (save_bboxes.to_via_tracks_file, "out.csv"),
        (posebridge.save, "out.nc"),
    ]


@pytest.mark.parametrize("wrong", NOT_A_DATASET, ids=["list", "ndarray"])
@pytest.mark.parametrize("saver, name", _savers(), ids=lambda v: getattr(v, "__name__", v))
def test_savers_raise_type_error_for_a_non_dataset(tmp_path, saver, name, wrong):
    with pytest.raises(TypeError, match="xarray Dataset") as caught:
        saver(wrong, tmp_path / name)
    assert isinstance(caught.value, posebridge.PoseBridgeError)


@pytest.mark.parametrize("wrong", NOT_A_DATASET, ids=["list", "ndarray"])
def test_type_is_checked_before_the_path(tmp_path, wrong):
    # a folder, a missing folder and a bad ending: the type error still comes first
    for path in (tmp_path, tmp_path / "missing" / "x.h5", tmp_path / "x.txt"):
        with pytest.raises(TypeError):
            save_poses.to_dlc_file(wrong, path)


@pytest.mark.parametrize(
    "function",
    [
        save_poses.to_dlc_style_df,
        save_poses.to_nwb_file,
        posebridge.validate,
        posebridge.boxes_from_poses,
        load.rename_legacy_dimensions,
        posebridge.model.frame_numbers,
        posebridge.model.confidence_per_keypoint,
        posebridge.labels.is_labels,
        posebridge.labels.check,
        posebridge.labels.describe,
        posebridge.labels.point_flags,
        posebridge.labels.video_groups,
    ],
    ids=lambda f: f.__name__,
)
@pytest.mark.parametrize("wrong", NOT_A_DATASET, ids=["list", "ndarray"])
def test_dataset_functions_raise_type_error(function, wrong):
    with pytest.raises(TypeError) as caught:
        function(wrong)
    assert isinstance(caught.value, posebridge.PoseBridgeError)


@pytest.mark.parametrize(
    "loader",
    [
        load_poses.from_dlc_file,
        load_poses.from_lp_file,
        load_poses.from_sleap_file,
        load_poses.from_anipose_file,
        load_poses.from_nwb_file,
        load_bboxes.from_via_tracks_file,
        load_dataset,
        load.infer_source_software,
        posebridge.load,
        posebridge.detect,
    ],
    ids=lambda f: f.__name__,
)
@pytest.mark.parametrize("wrong", [np.zeros(3), 42], ids=["ndarray", "int"])
def test_loaders_raise_type_error_for_a_non_path(loader, wrong):
    with pytest.raises(TypeError) as caught:
        loader(wrong)
    assert isinstance(caught.value, posebridge.PoseBridgeError)


def test_functions_with_more_arguments_check_the_dataset_type_first():
    for call in (
        lambda: posebridge.model.with_fps([1], 30),
        lambda: posebridge.labels.refuse(np.zeros(2), "x"),
        lambda: posebridge.labels.as_poses([1]),
    ):
        with pytest.raises(TypeError) as caught:
            call()
        assert isinstance(caught.value, posebridge.PoseBridgeError)


def test_from_numpy_and_dataframe_builders_raise_type_error():
    with pytest.raises(TypeError):
        load_poses.from_numpy([[[[1.0]]]])
    with pytest.raises(TypeError):
        load_bboxes.from_numpy([[[1.0]]], np.ones((1, 2, 1)))
    with pytest.raises(TypeError):
        load_poses.from_dlc_style_df(np.zeros((2, 3)))
    with pytest.raises(TypeError):
        load_multiview_dataset(["a.h5", "b.h5"])


# --------------------------------------------------------------------------
# 2. path checks in movement's order: folder, existing file, missing folder, then ending


def test_a_folder_as_output_is_an_is_a_directory_error(tmp_path, valid_poses_dataset):
    with pytest.raises(IsADirectoryError) as caught:
        save_poses.to_dlc_file(valid_poses_dataset, tmp_path)
    assert isinstance(caught.value, posebridge.PoseBridgeError)
    with pytest.raises(IsADirectoryError):
        posebridge.save(valid_poses_dataset, tmp_path, "dlc")
    named_like_a_file = tmp_path / "looks_like.h5"
    named_like_a_file.mkdir()
    with pytest.raises(IsADirectoryError):
        save_poses.to_sleap_analysis_file(valid_poses_dataset, named_like_a_file)


def test_a_path_ending_in_a_separator_is_an_is_a_directory_error(tmp_path, valid_poses_dataset):
    """README: movement writes `out.csv` for `out.csv/`; the drop-in refuses it, as open()."""
    with pytest.raises(IsADirectoryError):
        save_poses.to_dlc_file(valid_poses_dataset, f"{tmp_path}/out.csv/")
    assert not (tmp_path / "out.csv").exists()


def test_a_folder_as_input_is_an_is_a_directory_error(tmp_path):
    with pytest.raises(IsADirectoryError):
        load_poses.from_dlc_file(tmp_path)


def test_existing_file_is_reported_before_a_wrong_ending(tmp_path, valid_poses_dataset):
    existing = tmp_path / "poses.txt"
    existing.write_text("keep me")
    with pytest.raises(FileExistsError):
        save_poses.to_sleap_analysis_file(valid_poses_dataset, existing)
    assert existing.read_text() == "keep me"


def test_missing_folder_is_reported_before_a_wrong_ending(tmp_path, valid_poses_dataset):
    with pytest.raises(FileNotFoundError):
        save_poses.to_dlc_file(valid_poses_dataset, tmp_path / "missing" / "poses.txt")


def test_existing_output_needs_overwrite(tmp_path, valid_poses_dataset):
    path = tmp_path / "poses.h5"
    save_poses.to_sleap_analysis_file(valid_poses_dataset, path)
    with pytest.raises(FileExistsError):
        save_poses.to_sleap_analysis_file(valid_poses_dataset, path)


# --------------------------------------------------------------------------
# 3. every writer refuses an ending its format cannot have, naming the ones it takes


@pytest.mark.parametrize("name", ["poses.txt", "poses.csv"])
def test_sleap_analysis_writer_refuses_other_endings(tmp_path, valid_poses_dataset, name):
    with pytest.raises(ValueError, match=r"\.h5"):
        save_poses.to_sleap_analysis_file(valid_poses_dataset, tmp_path / name)
    assert not (tmp_path / name).exists()


@pytest.mark.parametrize("name", ["tracks.mp4", "tracks"])
def test_via_writer_refuses_other_endings(tmp_path, name):
    ds = load_bboxes.from_numpy(np.ones((3, 2, 1)), np.ones((3, 2, 1)))
    with pytest.raises(ValueError, match=r"\.csv"):
        save_bboxes.to_via_tracks_file(ds, tmp_path / name)


@pytest.mark.parametrize(
    "fmt", [f for f in registry.all_formats() if f.writes], ids=lambda f: f.name
)
def test_every_writer_refuses_a_foreign_ending_even_with_format_given(tmp_path, fmt):
    kind = fmt.kinds[0]
    if kind == "bboxes":
        ds = posebridge.model.bboxes_from_numpy(np.ones((3, 2, 1)), np.ones((3, 2, 1)))
    else:
        ds = posebridge.from_numpy(np.ones((3, 3 if fmt.name == "anipose" else 2, 2, 1)))
    with pytest.raises(posebridge.UnknownFormatError) as caught:
        posebridge.save(ds, tmp_path / "out.weird", fmt.name)
    for ext in fmt.extensions:
        assert ext in str(caught.value)
    assert list(tmp_path.iterdir()) == []


# --------------------------------------------------------------------------
# 4. a dataset whose individual / keypoint dim was dropped by a selection


@pytest.mark.parametrize(
    "select",
    [
        lambda ds: ds.sel(individual="id_0"),
        lambda ds: ds.isel(individual=0),
    ],
    ids=["sel", "isel"],
)
def test_to_nwb_file_takes_one_selected_individual(valid_poses_dataset, select):
    import pynwb

    nwbfile = save_poses.to_nwb_file(select(valid_poses_dataset))
    assert isinstance(nwbfile, pynwb.NWBFile)
    assert nwbfile.identifier == "id_0"
    assert nwbfile.subject.subject_id == "id_0"
    back = load_poses.from_nwb_file(nwbfile)
    np.testing.assert_array_equal(
        back.position.values[..., 0], valid_poses_dataset.position.sel(individual="id_0").values
    )


def test_to_nwb_file_returns_a_list_for_several_individuals(valid_poses_dataset):
    nwbfiles = save_poses.to_nwb_file(valid_poses_dataset)
    assert isinstance(nwbfiles, list)
    assert [f.identifier for f in nwbfiles] == ["id_0", "id_1"]


@pytest.mark.parametrize(
    "name, fmt",
    [
        ("p.h5", "dlc"),
        ("p.csv", "dlc"),
        ("p.csv", "lp"),
        ("p.analysis.h5", None),
        ("p.slp", None),
        ("p.nwb", None),
        ("p.nc", None),
    ],
)
@pytest.mark.parametrize("dim", ["individual", "keypoint"])
def test_every_writer_takes_a_dropped_dim_and_restores_it(
    tmp_path, valid_poses_dataset, name, fmt, dim
):
    one = valid_poses_dataset.isel({dim: 1})
    if fmt == "lp" and dim == "keypoint":  # LightningPose files hold one individual
        one = one.isel(individual=[1])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        written = posebridge.save(one, tmp_path / name, fmt)
        back = posebridge.load(written if len(written) > 1 else written[0])
    assert back.sizes[dim] == 1
    if not (dim == "individual" and fmt in ("dlc", "lp")):  # single-animal DLC: no name
        assert back[dim].values.tolist() == [str(valid_poses_dataset[dim].values[1])]
    expected = valid_poses_dataset.position.isel({dim: [1]})
    if fmt == "lp" and dim == "keypoint":
        expected = expected.isel(individual=[1])
    np.testing.assert_allclose(back.position.values, expected.values, equal_nan=True)


def test_validate_restores_the_dim_in_model_order(valid_poses_dataset):
    ds = posebridge.validate(valid_poses_dataset.sel(keypoint="left"))
    assert ds.position.dims == ("time", "space", "keypoint", "individual")
    assert ds.confidence.dims == ("time", "keypoint", "individual")
    assert ds.keypoint.values.tolist() == ["left"]


def test_facade_savers_take_a_selected_individual(tmp_path, valid_poses_dataset):
    one = valid_poses_dataset.sel(individual="id_1")
    save_poses.to_sleap_analysis_file(one, tmp_path / "one.h5")
    save_poses.to_dlc_file(one, tmp_path / "one.csv")
    assert (tmp_path / "one_id_1.csv").exists()  # "auto": one individual is split
    df = save_poses.to_dlc_style_df(one)
    assert df.columns.get_level_values("individuals").unique().tolist() == ["id_1"]


# --------------------------------------------------------------------------
# 5. NWBFileSaveConfig: shared names are not copied into every individual's file


def test_shared_names_apply_as_given_to_one_individual(valid_poses_dataset):
    config = NWBFileSaveConfig(
        nwbfile_kwargs={"identifier": "subj0", "session_description": "test session"},
        subject_kwargs={"subject_id": "S", "species": "Mus musculus"},
        pose_estimation_kwargs={"name": "PE"},
        skeleton_kwargs={"name": "SK"},
    )
    nwbfile = save_poses.to_nwb_file(valid_poses_dataset.sel(individual=["id_0"]), config)
    assert nwbfile.identifier == "subj0"
    assert nwbfile.subject.subject_id == "S"
    module = nwbfile.processing["behavior"]
    assert "PE" in module.data_interfaces
    assert list(module["Skeletons"].skeletons) == ["SK"]


def test_shared_names_with_several_individuals_come_from_the_individuals(valid_poses_dataset):
    config = NWBFileSaveConfig(
        nwbfile_kwargs={"identifier": "subj0", "session_description": "test session"},
        subject_kwargs={"subject_id": "S", "species": "Mus musculus"},
        pose_estimation_kwargs={"name": "PE"},
        skeleton_kwargs={"name": "SK"},
    )
    nwbfiles = save_poses.to_nwb_file(valid_poses_dataset, config)
    assert [f.identifier for f in nwbfiles] == ["id_0", "id_1"]
    assert [f.subject.subject_id for f in nwbfiles] == ["id_0", "id_1"]
    assert [f.subject.species for f in nwbfiles] == ["Mus musculus"] * 2
    assert [f.session_description for f in nwbfiles] == ["test session"] * 2
    for nwbfile, individual in zip(nwbfiles, ["id_0", "id_1"], strict=True):
        module = nwbfile.processing["behavior"]
        assert individual in module.data_interfaces
        assert list(module["Skeletons"].skeletons) == [individual]


def test_per_individual_values_win(valid_poses_dataset):
    config = NWBFileSaveConfig(
        nwbfile_kwargs={"id_0": {"identifier": "first"}, "id_1": {"identifier": "second"}},
        pose_estimation_kwargs={"id_0": {"name": "PE0"}, "id_1": {"name": "PE1"}},
    )
    nwbfiles = save_poses.to_nwb_file(valid_poses_dataset, config)
    assert [f.identifier for f in nwbfiles] == ["first", "second"]
    assert "PE1" in nwbfiles[1].processing["behavior"].data_interfaces


def test_core_writer_gives_each_file_its_own_identifier(tmp_path, valid_poses_dataset):
    config = {"nwbfile": {"identifier": "subj0"}, "subject": {"species": "Mus musculus"}}
    written = posebridge.save(
        valid_poses_dataset.assign_attrs(fps=30.0), tmp_path / "s.nwb", config=config
    )
    identifiers = []
    for path in written:
        with h5py.File(path, "r") as h5:
            identifiers.append(h5["identifier"][()].decode())
    assert identifiers == ["id_0", "id_1"]


# --------------------------------------------------------------------------
# 6. movement.io.load: load_dataset, load_multiview_dataset, infer_source_software


def test_load_dataset_finds_the_software(tmp_path, valid_poses_dataset):
    save_poses.to_sleap_analysis_file(valid_poses_dataset, tmp_path / "p.h5")
    ds = load_dataset(tmp_path / "p.h5", fps=30)
    assert ds.attrs["source_software"] == "SLEAP"
    assert ds.attrs["fps"] == 30
    explicit = load_dataset(tmp_path / "p.h5", source_software="SLEAP", fps=30)
    xr.testing.assert_identical(ds, explicit)
    assert load.infer_source_software(tmp_path / "p.h5") == "SLEAP"


def test_infer_source_software_names_as_movement(tmp_path, valid_poses_dataset):
    one = valid_poses_dataset.sel(individual=["id_0"])
    save_poses.to_dlc_file(valid_poses_dataset, tmp_path / "dlc.h5")
    save_poses.to_dlc_file(valid_poses_dataset, tmp_path / "dlc.csv")
    save_poses.to_nwb_file(one)  # in memory: "NWB"
    posebridge.save(one, tmp_path / "p.nwb")
    assert load.infer_source_software(tmp_path / "dlc.h5") == "DeepLabCut"
    assert load.infer_source_software(tmp_path / "dlc.csv") == "DeepLabCut/LightningPose"
    assert load.infer_source_software(tmp_path / "p.nwb") == "NWB"
    assert load.infer_source_software(save_poses.to_nwb_file(one)) == "NWB"
    ds = load_dataset(tmp_path / "dlc.csv")
    assert ds.attrs["source_software"] == "DeepLabCut/LightningPose"


def test_every_name_infer_source_software_can_give_is_in_its_typing_name_and_documented():
    """The names of posebridge's readable formats are InferredSourceSoftware's, and the README
    and infer_source_software's docstring list each one movement does not have."""
    from typing import get_args

    def flat(alias):
        args = get_args(alias)
        return set().union(*(flat(a) for a in args)) if args else {alias}

    typed = flat(load.InferredSourceSoftware)
    movement_names = flat(load.SourceSoftware)
    readable = set(load.get_supported_source_software())
    assert readable <= typed
    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    listed = readme.split("`infer_source_software` also recognises", 1)[1].split("\n- ", 1)[0]
    docstring = load.infer_source_software.__doc__ or ""
    for name in readable - movement_names:
        assert f'`"{name}"`' in listed
        assert " ".join(f'``"{name}"``'.split()) in " ".join(docstring.split())


def test_load_dataset_refuses_an_unknown_software(tmp_path, valid_poses_dataset):
    save_poses.to_sleap_analysis_file(valid_poses_dataset, tmp_path / "p.h5")
    with pytest.raises(ValueError, match="Unknown format"):
        load_dataset(tmp_path / "p.h5", source_software="NotASoftware")


def test_load_dataset_ignores_fps_for_nwb_with_a_warning(tmp_path, valid_poses_dataset):
    (path,) = posebridge.save(valid_poses_dataset.isel(individual=[0]), tmp_path / "p.nwb")
    with pytest.warns(UserWarning, match="fps is ignored"):
        load_dataset(path, "NWB", fps=10)


def test_load_dataset_is_reexported_like_movement():
    import posebridge.io

    assert posebridge.io.load_dataset is load.load_dataset
    assert posebridge.io.load_multiview_dataset is load.load_multiview_dataset


POSE_FILES = [
    ("DeepLabCut", "v.h5", "dlc", {}),
    ("DeepLabCut", "v.csv", "dlc", {}),
    ("LightningPose", "v.csv", "lp", {}),
    ("SLEAP", "v.analysis.h5", "sleap", {}),
    ("SLEAP", "v.slp", "slp", {}),
    ("NWB", "v.nwb", "nwb", {}),
    ("netcdf", "v.nc", "netcdf", {}),
    ("Anipose", "v.csv", "anipose", {}),
]


@pytest.mark.parametrize("software, name, fmt, options", POSE_FILES, ids=lambda v: str(v))
def test_load_multiview_dataset_for_every_pose_format(
    tmp_path, valid_poses_dataset, software, name, fmt, options
):
    ds = valid_poses_dataset.isel(individual=[0])
    if fmt == "anipose":
        ds = posebridge.from_numpy(
            np.random.default_rng(0).normal(size=(10, 3, 3, 1)),
            individual_names=["id_0"],
            keypoint_names=["centroid", "left", "right"],
        )
    left = ds.isel(time=slice(0, 8))
    right = ds.isel(time=slice(3, 10)).copy()
    right["position"] = right["position"] + 100
    files = {}
    for view, part in (("left", left), ("right", right)):
        (tmp_path / view).mkdir()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            (written,) = posebridge.save(part, tmp_path / view / name, fmt, **options)
        files[view] = written
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        multi = load_multiview_dataset(files, software)
    assert multi.position.dims == ("time", "space", "keypoint", "individual", "view")
    assert multi.view.values.tolist() == ["left", "right"]
    assert multi.sizes["time"] == 10  # the union of frames 0-7 and 3-9
    np.testing.assert_allclose(
        multi.position.sel(view="left").values[:8], left.position.values, atol=1e-4
    )
    assert np.isnan(multi.position.sel(view="left").values[8:]).all()
    assert np.isnan(multi.position.sel(view="right").values[:3]).all()
    np.testing.assert_allclose(
        multi.position.sel(view="right").values[3:], right.position.values, atol=1e-4
    )


def test_load_multiview_dataset_auto_detects_each_file(tmp_path, valid_poses_dataset):
    one = valid_poses_dataset.isel(individual=[0])
    save_poses.to_sleap_analysis_file(one, tmp_path / "a.h5")
    save_poses.to_slp_file(one, tmp_path / "b.slp")
    multi = load_multiview_dataset({"cam_a": tmp_path / "a.h5", "cam_b": tmp_path / "b.slp"})
    np.testing.assert_array_equal(
        multi.position.sel(view="cam_a").values, multi.position.sel(view="cam_b").values
    )


def test_load_multiview_dataset_refuses_views_that_do_not_line_up(tmp_path, valid_poses_dataset):
    save_poses.to_sleap_analysis_file(valid_poses_dataset, tmp_path / "a.h5")
    posebridge.save(valid_poses_dataset.isel(individual=[0]), tmp_path / "b.h5", "dlc")
    with pytest.raises(posebridge.SchemaError, match="individual"):
        load_multiview_dataset({"a": tmp_path / "a.h5", "b": tmp_path / "b.h5"})


def test_rename_legacy_dimensions_warns_and_renames(valid_poses_dataset):
    old = valid_poses_dataset.rename({"keypoint": "keypoints", "individual": "individuals"})
    with pytest.warns(DeprecationWarning):
        new = load.rename_legacy_dimensions(old)
    assert set(new.position.dims) == {"time", "space", "keypoint", "individual"}


def test_get_supported_source_software_lists_movement_names():
    supported = load.get_supported_source_software()
    assert supported["DeepLabCut"] == {".h5", ".csv"}
    assert supported["SLEAP"] == {".h5", ".slp"}
    assert supported["NWB"] == {".nwb"}
    assert ".csv" in supported["VIA-tracks"]


# --------------------------------------------------------------------------
# 7. where the facade follows movement and posebridge.save keeps its own choice


def test_to_lp_file_writes_one_file_per_individual(tmp_path, valid_poses_dataset):
    assert save_poses.to_lp_file(valid_poses_dataset, tmp_path / "video.csv") is None
    written = [tmp_path / "video_id_0.csv", tmp_path / "video_id_1.csv"]
    assert sorted(tmp_path.iterdir()) == written
    for path, individual in zip(written, ["id_0", "id_1"], strict=True):
        back = load_poses.from_lp_file(path)
        np.testing.assert_array_equal(
            back.position.values[..., 0],
            valid_poses_dataset.position.sel(individual=individual).values,
        )
    one = valid_poses_dataset.isel(individual=[0])
    save_poses.to_lp_file(one, tmp_path / "one.csv")
    assert (tmp_path / "one_id_0.csv").is_file() and not (tmp_path / "one.csv").exists()
    assert posebridge.save(one, tmp_path / "core.csv", "lp") == [tmp_path / "core.csv"]


def test_to_dlc_file_unsplit_keeps_the_individuals_level(tmp_path, valid_poses_dataset):
    one = valid_poses_dataset.isel(individual=[0])
    path = tmp_path / "one.csv"
    save_poses.to_dlc_file(one, path, split_individuals=False)
    header = pd.read_csv(path, header=[0, 1, 2, 3], index_col=0, nrows=1)
    assert list(header.columns.names) == ["scorer", "individuals", "bodyparts", "coords"]
    (core,) = posebridge.save(one, tmp_path / "core.csv")
    header = pd.read_csv(core, header=[0, 1, 2], index_col=0, nrows=1)
    assert list(header.columns.get_level_values(0).unique()) != ["individuals"]
    assert pd.read_csv(core, header=None, nrows=3)[0].tolist() == ["scorer", "bodyparts", "coords"]


def test_to_dlc_file_checks_split_individuals(tmp_path, valid_poses_dataset):
    with pytest.raises(ValueError, match="boolean or 'auto'"):
        save_poses.to_dlc_file(valid_poses_dataset, tmp_path / "p.h5", split_individuals="yes")


def test_to_dlc_style_df_has_four_levels_for_one_individual(valid_poses_dataset):
    df = save_poses.to_dlc_style_df(valid_poses_dataset.isel(individual=[0]))
    assert list(df.columns.names) == ["scorer", "individuals", "bodyparts", "coords"]


# --------------------------------------------------------------------------
# 8. individual-wise confidence (time, individual)


def test_sleap_writers_store_individual_confidence_as_instance_scores(
    tmp_path, individual_wise_dataset
):
    save_poses.to_sleap_analysis_file(individual_wise_dataset, tmp_path / "p.h5")
    with h5py.File(tmp_path / "p.h5", "r") as h5:
        instance_scores = h5["instance_scores"][()]
        point_scores = h5["point_scores"][()]
    np.testing.assert_allclose(instance_scores, individual_wise_dataset.confidence.values.T)
    assert np.isnan(point_scores).all()
    save_poses.to_slp_file(individual_wise_dataset, tmp_path / "p.slp")
    back = posebridge.load(tmp_path / "p.slp")
    np.testing.assert_allclose(
        back.instance_score.values, individual_wise_dataset.confidence.values, rtol=1e-6
    )


@pytest.mark.parametrize("name, fmt", [("p.h5", "dlc"), ("p.csv", "lp"), ("p.nwb", "nwb")])
def test_other_writers_broadcast_individual_confidence_and_say_so(
    tmp_path, individual_wise_dataset, name, fmt
):
    ds = individual_wise_dataset.isel(individual=[1]).assign_attrs(fps=10.0)
    with pytest.warns(UserWarning, match="one confidence per individual"):
        written = posebridge.save(ds, tmp_path / name, fmt)
    back = posebridge.load(written[0])
    expected = np.broadcast_to(ds.confidence.values[:, None, :], (10, 3, 1))
    np.testing.assert_allclose(back.confidence.values, expected, rtol=1e-6)


def test_netcdf_keeps_individual_confidence_as_it_is(tmp_path, individual_wise_dataset):
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        posebridge.save(individual_wise_dataset, tmp_path / "p.nc")
    back = posebridge.load(tmp_path / "p.nc")
    assert back.confidence.dims == ("time", "individual")


def test_facade_dlc_writer_takes_individual_confidence(tmp_path, individual_wise_dataset):
    with pytest.warns(UserWarning):
        save_poses.to_dlc_file(individual_wise_dataset, tmp_path / "p.h5")
    back = load_poses.from_dlc_file(tmp_path / "p.h5")
    np.testing.assert_allclose(back.confidence.values[:, 2, :], individual_wise_dataset.confidence)


# --------------------------------------------------------------------------
# 9. posebridge.load with a list of files


def test_load_reads_back_the_nwb_files_of_several_individuals(tmp_path, valid_poses_dataset):
    ds = posebridge.model.with_fps(valid_poses_dataset, 25.0)
    written = posebridge.save(ds, tmp_path / "session.nwb")
    assert len(written) == 2
    back = posebridge.load(written)
    assert back.individual.values.tolist() == ["id_0", "id_1"]
    np.testing.assert_allclose(back.position.values, ds.position.values)
    np.testing.assert_allclose(back.time.values, ds.time.values)


def test_load_merges_files_of_distinct_individuals(tmp_path, valid_poses_dataset):
    for i in (0, 1):
        save_poses.to_sleap_analysis_file(
            valid_poses_dataset.isel(individual=[i]), tmp_path / f"p{i}.h5"
        )
    back = posebridge.load([tmp_path / "p0.h5", tmp_path / "p1.h5"])
    np.testing.assert_array_equal(back.position.values, valid_poses_dataset.position.values)
    assert back.individual.values.tolist() == ["id_0", "id_1"]


def test_load_refuses_split_single_animal_dlc_files(tmp_path, valid_poses_dataset):
    # single-animal DeepLabCut files do not store the individual's name
    save_poses.to_dlc_file(valid_poses_dataset, tmp_path / "p.h5", split_individuals=True)
    written = sorted(tmp_path.glob("p_*.h5"))
    with pytest.raises(posebridge.SchemaError, match=r"p_.*\.h5 and .*p_.*\.h5 share"):
        posebridge.load(written)


def test_load_lines_up_files_of_different_frames(tmp_path, valid_poses_dataset):
    a = valid_poses_dataset.isel(individual=[0], time=slice(0, 6))
    b = valid_poses_dataset.isel(individual=[1], time=slice(4, 10))
    posebridge.save(a, tmp_path / "a.nc")
    posebridge.save(b, tmp_path / "b.nc")
    back = posebridge.load([tmp_path / "a.nc", tmp_path / "b.nc"])
    assert back.time.values.tolist() == list(range(10))
    assert np.isnan(back.position.sel(individual="id_0").values[6:]).all()
    assert np.isnan(back.position.sel(individual="id_1").values[:4]).all()


def test_load_refuses_files_sharing_an_individual(tmp_path, valid_poses_dataset):
    posebridge.save(valid_poses_dataset, tmp_path / "a.h5", "dlc")
    posebridge.save(valid_poses_dataset, tmp_path / "b.h5", "dlc")
    with pytest.raises(
        posebridge.SchemaError, match=r"a\.h5 and .*b\.h5 share .*\['id_0', 'id_1'\]"
    ):
        posebridge.load([tmp_path / "a.h5", tmp_path / "b.h5"])


def test_load_refuses_an_empty_list_and_non_paths_in_a_list():
    with pytest.raises(posebridge.PoseBridgeError, match="empty"):
        posebridge.load([])
    with pytest.raises(TypeError):
        posebridge.load([Path("a.h5"), 3])


def test_in_memory_converters_say_how_they_store_individual_confidence(individual_wise_dataset):
    with pytest.warns(UserWarning, match="one confidence per individual"):
        df = save_poses.to_dlc_style_df(individual_wise_dataset)
    likelihood = df.xs("likelihood", level="coords", axis=1).to_numpy()
    np.testing.assert_allclose(
        likelihood[:, :3], np.repeat(individual_wise_dataset.confidence.values[:, :1], 3, axis=1)
    )
    with pytest.warns(UserWarning, match="one confidence per individual"):
        save_poses.to_nwb_file(individual_wise_dataset)


def test_the_sleap_family_name_names_every_sleap_ending(tmp_path, valid_poses_dataset):
    with pytest.raises(ValueError, match=r"\.analysis\.h5 or \.h5 \(slp: \.pkg\.slp or \.slp\)"):
        posebridge.save(valid_poses_dataset, tmp_path / "p.txt", "SLEAP")


def test_wrong_types_of_format_and_nwb_config_are_type_errors(tmp_path, valid_poses_dataset):
    with pytest.raises(TypeError):
        posebridge.save(valid_poses_dataset, tmp_path / "p.h5", 3)
    with pytest.raises(TypeError):
        save_poses.to_nwb_file(valid_poses_dataset, ["not", "a", "config"])


def test_a_legacy_dataset_with_a_selected_individual_is_taken(tmp_path, valid_poses_dataset):
    old = valid_poses_dataset.rename({"keypoint": "keypoints", "individual": "individuals"})
    written = posebridge.save(old.sel(individuals="id_1"), tmp_path / "p.nc")
    back = posebridge.load(written[0])
    assert back.individual.values.tolist() == ["id_1"]


# --------------------------------------------------------------------------
# register_loader, movement's decorator


@pytest.fixture
def dlc_h5_file(tmp_path, valid_poses_dataset) -> Path:
    """valid_poses_dataset written as a DeepLabCut .h5 file."""
    (path,) = posebridge.save(valid_poses_dataset, tmp_path / "videoDLC.h5", "dlc")
    return path


@pytest.fixture
def registered_loaders(monkeypatch):
    """register_loader's registries, restored after the test."""
    monkeypatch.setattr(load, "_REGISTERED", {})
    monkeypatch.setattr(load, "_REGISTERED_SUFFIXES", {})
    monkeypatch.setattr(load, "_REGISTERED_VALIDATORS", {})
    return load._REGISTERED


def test_a_registered_loader_is_called_by_load_dataset(tmp_path, registered_loaders):
    calls = []

    @load.register_loader("MyTracker")
    def from_my_tracker(file, fps=None, **kwargs):
        calls.append((file, fps, kwargs))
        return posebridge.from_numpy(np.ones((2, 2, 1, 1)), individual_names=["m"])

    ds = load.load_dataset(tmp_path / "t.txt", "MyTracker", fps=30, extra=1)
    assert calls == [(tmp_path / "t.txt", 30, {"extra": 1})]
    assert ds.position.shape == (2, 2, 1, 1)
    assert from_my_tracker.__name__ == "from_my_tracker"
    assert load.get_supported_source_software()["MyTracker"] == set()


def test_a_registered_loader_replaces_posebridge_s_reader_of_that_name(
    dlc_h5_file, registered_loaders
):
    @load.register_loader("DeepLabCut")
    def mine(file, fps=None, **kwargs):
        return posebridge.load(file, "dlc", fps=fps).assign_attrs(read_by="mine")

    assert load.load_dataset(dlc_h5_file, "DeepLabCut").attrs["read_by"] == "mine"
    assert "read_by" not in load.load_dataset(dlc_h5_file, "dlc").attrs  # another name


def test_a_loader_with_movement_validators_gets_the_validated_file(
    dlc_h5_file, tmp_path, registered_loaders
):
    from movement.validators.files import ValidDeepLabCutCSV, ValidDeepLabCutH5

    got = []

    @load.register_loader("DLC-mine", file_validators=[ValidDeepLabCutH5, ValidDeepLabCutCSV])
    def mine(file, fps=None, **kwargs):
        got.append(file)
        return posebridge.load(file.file, "dlc", fps=fps)

    ds = load.load_dataset(dlc_h5_file, "DLC-mine", fps=25)
    assert isinstance(got[0], ValidDeepLabCutH5) and Path(got[0].file) == Path(dlc_h5_file)
    assert ds.attrs["fps"] == 25
    assert load.get_supported_source_software()["DLC-mine"] == {".h5", ".csv"}
    with pytest.raises(ValueError, match=r"Unsupported format for 'DLC-mine': '\.slp'"):
        load.load_dataset(tmp_path / "x.slp", "DLC-mine")


def _loaders_given_fps(folder: Path, ds: xr.Dataset) -> dict[str, object]:
    """Each drop-in loader that takes ``fps``, bound to a file (or arrays) it reads."""
    save_poses.to_dlc_file(ds, folder / "dlc.h5")
    save_poses.to_sleap_analysis_file(ds, folder / "p.h5")
    boxes = load_bboxes.from_numpy(np.zeros((3, 2, 1)), np.ones((3, 2, 1)))
    save_bboxes.to_via_tracks_file(boxes, folder / "boxes.csv")
    return {
        "from_dlc_file": lambda fps: load_poses.from_dlc_file(folder / "dlc.h5", fps=fps),
        "from_file": lambda fps: load_poses.from_file(folder / "dlc.h5", "DeepLabCut", fps=fps),
        "from_sleap_file": lambda fps: load_poses.from_sleap_file(folder / "p.h5", fps=fps),
        "from_dlc_style_df": lambda fps: load_poses.from_dlc_style_df(
            save_poses.to_dlc_style_df(ds), fps=fps
        ),
        "from_numpy": lambda fps: load_poses.from_numpy(np.zeros((3, 2, 1, 1)), fps=fps),
        "bboxes from_numpy": lambda fps: load_bboxes.from_numpy(
            np.zeros((3, 2, 1)), np.ones((3, 2, 1)), fps=fps
        ),
        "from_via_tracks_file": lambda fps: load_bboxes.from_via_tracks_file(
            folder / "boxes.csv", fps=fps
        ),
        "load_dataset": lambda fps: load_dataset(folder / "p.h5", fps=fps),
    }


@pytest.mark.parametrize("fps", [0, -5.0, "0"])
def test_drop_in_loaders_read_a_rate_that_is_not_positive_as_no_rate(
    tmp_path, valid_poses_dataset, fps
):
    # movement warns and keeps time in frames (OpenCV reports fps 0 for an unknown rate);
    # code written for movement must run unchanged, so the drop-ins do the same.
    for name, loader in _loaders_given_fps(tmp_path, valid_poses_dataset).items():
        with pytest.warns(UserWarning, match="Invalid fps value") as caught:
            ds = loader(fps)
        assert "fps" not in ds.attrs or ds.attrs["fps"] is None, name
        assert ds.attrs["time_unit"] == "frames", name
        assert np.array_equal(ds.time.values, np.arange(ds.sizes["time"])), name
        assert all(Path(w.filename).name == Path(__file__).name for w in caught), name


def test_movement_itself_reads_a_rate_of_zero_as_no_rate(tmp_path, valid_poses_dataset):
    movement_load_poses = pytest.importorskip("movement.io.load_poses")
    save_poses.to_dlc_file(valid_poses_dataset, tmp_path / "dlc.h5")
    with pytest.warns(UserWarning, match="Invalid fps value"):
        theirs = movement_load_poses.from_dlc_file(tmp_path / "dlc.h5", fps=0)
    with pytest.warns(UserWarning, match="Invalid fps value"):
        ours = load_poses.from_dlc_file(tmp_path / "dlc.h5", fps=0)
    assert theirs.attrs.get("fps") is None and ours.attrs.get("fps") is None
    np.testing.assert_array_equal(ours.time.values, theirs.time.values)


def test_posebridge_load_still_refuses_a_rate_that_is_not_positive(tmp_path, valid_poses_dataset):
    save_poses.to_dlc_file(valid_poses_dataset, tmp_path / "dlc.h5")
    with pytest.raises(posebridge.errors.SchemaError, match="positive"):
        posebridge.load(tmp_path / "dlc.h5", fps=0)


def test_movement_type_names_and_constants_exist_with_movements_values():
    # code written for movement imports these for type hints and defaults
    import typing

    movement_load = pytest.importorskip("movement.io.load")
    movement_load_bboxes = pytest.importorskip("movement.io.load_bboxes")
    assert typing.get_args(load.SourceSoftware) == typing.get_args(
        movement_load.SourceSoftware.__value__
    )
    assert load.AMBIGUOUS_DLC_LP_SOURCE_SOFTWARE == movement_load.AMBIGUOUS_DLC_LP_SOURCE_SOFTWARE
    # the frame pattern differs on purpose: movement's starts at a number's first zero
    ours, theirs = load_bboxes.DEFAULT_FRAME_REGEXP, movement_load_bboxes.DEFAULT_FRAME_REGEXP
    for name, frame in [("img_0042.png", "0042"), ("v_00000.jpg", "00000")]:
        assert re.search(ours, name)[1] == re.search(theirs, name)[1] == frame
    assert re.search(theirs, "img_1000.png")[1] == "000"
    assert re.search(ours, "img_1000.png")[1] == "1000"
    for name in ("InferredSourceSoftware", "SourceSoftwareOrAuto", "LoaderProtocol"):
        assert hasattr(movement_load, name) and hasattr(load, name), name
    movement_nwb = pytest.importorskip("movement.io.nwb")
    assert posebridge.io.nwb.ConfigKwargsType == movement_nwb.ConfigKwargsType


@pytest.mark.parametrize(
    ("saver", "name"),
    [
        (save_poses.to_dlc_file, "numbered.h5"),
        (save_poses.to_dlc_file, "numbered.csv"),
        (save_poses.to_sleap_analysis_file, "numbered.h5"),
        (save_poses.to_slp_file, "numbered.slp"),
    ],
    ids=["dlc-h5", "dlc-csv", "sleap-analysis", "slp"],
)
def test_numbers_as_individual_names_are_written_as_text_as_movement_does(
    tmp_path, valid_poses_dataset, saver, name
):
    ds = valid_poses_dataset.assign_coords(individual=[0, 1])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        saver(ds, tmp_path / name)
    assert posebridge.load(tmp_path / name).individual.values.tolist() == ["0", "1"]
    frame = save_poses.to_dlc_style_df(ds)
    assert frame.columns.get_level_values("individuals").unique().tolist() == ["0", "1"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        files = save_poses.to_nwb_file(ds)
    assert [f.identifier for f in files] == ["0", "1"]


@pytest.mark.parametrize("suffix", [".h5", ".csv"])
def test_floats_as_names_are_written_as_the_text_movement_writes(
    tmp_path, valid_poses_dataset, suffix
):
    movement_load_poses = pytest.importorskip("movement.io.load_poses")
    movement_save_poses = pytest.importorskip("movement.io.save_poses")
    ds = valid_poses_dataset.assign_coords(individual=[1.0, 1e20], keypoint=[0.5, -0.0, 2.0])
    movement_save_poses.to_dlc_file(ds, tmp_path / f"theirs{suffix}", split_individuals=False)
    theirs = movement_load_poses.from_dlc_file(tmp_path / f"theirs{suffix}")
    save_poses.to_dlc_file(ds, tmp_path / f"ours{suffix}", split_individuals=False)
    for reader in (movement_load_poses.from_dlc_file, posebridge.load):
        ours = reader(tmp_path / f"ours{suffix}")
        assert ours.individual.values.tolist() == theirs.individual.values.tolist()
        assert ours.keypoint.values.tolist() == theirs.keypoint.values.tolist()
    assert theirs.individual.values.tolist() == ["1.0", "1e+20"]  # str() of each value
    frame = save_poses.to_dlc_style_df(ds)
    assert frame.columns.get_level_values("bodyparts").unique().tolist() == ["0.5", "-0.0", "2.0"]


def test_from_numpy_refuses_a_source_software_that_is_not_text_as_movement_does():
    movement_load_poses = pytest.importorskip("movement.io.load_poses")
    with pytest.raises(TypeError):
        movement_load_poses.from_numpy(np.zeros((3, 2, 1, 1)), source_software=5)
    with pytest.raises(TypeError, match="source_software must be a str or None"):
        load_poses.from_numpy(np.zeros((3, 2, 1, 1)), source_software=5)


@pytest.mark.parametrize("given", [3, ["VIA"]], ids=["number", "list"])
def test_bboxes_from_numpy_refuses_a_source_software_that_is_not_text_as_movement_does(given):
    """It was stored as its text ('3', "['VIA']")."""
    movement_load_bboxes = pytest.importorskip("movement.io.load_bboxes")
    arrays = (np.zeros((3, 2, 1)), np.ones((3, 2, 1)))
    with pytest.raises(TypeError):
        movement_load_bboxes.from_numpy(*arrays, source_software=given)
    with pytest.raises(TypeError, match="source_software must be a str or None"):
        load_bboxes.from_numpy(*arrays, source_software=given)


def test_via_options_of_the_wrong_type_raise_type_error_as_movement(tmp_path):
    """frame_n_digits='3' and frame_regexp=5 raised PoseBridgeErrors that were not
    TypeErrors (frame_regexp=5 was even taken as the pattern '5')."""
    boxes = load_bboxes.from_numpy(
        np.ones((3, 2, 1)), np.ones((3, 2, 1)), individual_names=["id_1"]
    )
    with pytest.raises(TypeError, match="frame_n_digits"):
        save_bboxes.to_via_tracks_file(boxes, tmp_path / "boxes.csv", frame_n_digits="3")
    written = save_bboxes.to_via_tracks_file(boxes, tmp_path / "boxes.csv")
    with pytest.raises(TypeError, match="frame_regexp must be str"):
        load_bboxes.from_via_tracks_file(written, frame_regexp=5)
    # a compiled pattern is a pattern, as for movement's re.compile
    pattern = re.compile(load_bboxes.DEFAULT_FRAME_REGEXP)
    by_pattern = load_bboxes.from_via_tracks_file(written, frame_regexp=pattern)
    xr.testing.assert_identical(by_pattern, load_bboxes.from_via_tracks_file(written))


@pytest.mark.parametrize(
    ("save", "name"),
    [(lambda ds, p: save_poses.to_lp_file(ds, p), "out.csv"),
     (lambda ds, p: save_poses.to_dlc_file(ds, p, split_individuals=True), "out.h5")],
    ids=["lp", "dlc-split"],
)  # fmt: skip
def test_a_file_at_the_path_given_is_refused_even_when_the_writer_splits(tmp_path, save, name):
    """movement refuses the path given when it exists; the drop-in wrote out_<individual>
    beside it."""
    ds = load_poses.from_numpy(np.ones((3, 2, 1, 1)), individual_names=["m1"])
    (tmp_path / name).write_text("precious")
    with pytest.raises(FileExistsError, match="already exists"):
        save(ds, tmp_path / name)
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]


@pytest.mark.parametrize("split", [False, True])
def test_a_dangling_link_at_the_path_given_is_refused_and_its_target_not_made(tmp_path, split):
    """The link exists, though it leads nowhere: without overwrite it is an existing file."""
    ds = load_poses.from_numpy(np.ones((3, 2, 1, 1)), individual_names=["m1"])
    (tmp_path / "other").mkdir()
    link = tmp_path / "out.h5"
    link.symlink_to(tmp_path / "other" / "target.h5")
    with pytest.raises(FileExistsError, match="already exists"):
        save_poses.to_dlc_file(ds, link, split_individuals=split)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["other", "out.h5"]
    assert not any((tmp_path / "other").iterdir())


def test_a_dangling_link_refused_by_a_saver_says_where_it_points(tmp_path):
    """'already exists' of a path where ls finds no file: the message says it is a link
    and names the missing file it points to, as posebridge.save's does."""
    ds = load_poses.from_numpy(np.ones((3, 2, 1, 1)), individual_names=["m1"])
    link = tmp_path / "out.csv"
    link.symlink_to(Path("elsewhere") / "real.csv")
    with pytest.raises(FileExistsError) as caught:
        save_poses.to_dlc_file(ds, link)
    message = str(caught.value)
    assert message.startswith(f"{link}: already exists")
    assert f"a symbolic link to {Path('elsewhere') / 'real.csv'}, which does not exist" in message


@pytest.mark.parametrize("fps", [None, 30.0])
def test_from_numpy_gives_movements_dataset_with_or_without_fps(fps):
    """With fps the drop-ins added a 'frame' coordinate movement's datasets do not have."""
    movement_poses = pytest.importorskip("movement.io.load_poses")
    movement_bboxes = pytest.importorskip("movement.io.load_bboxes")
    rng = np.random.default_rng(5)
    position = rng.normal(size=(4, 2, 3, 2))
    xr.testing.assert_identical(
        load_poses.from_numpy(position, fps=fps), movement_poses.from_numpy(position, fps=fps)
    )
    centres, shapes = rng.normal(size=(4, 2, 2)), rng.uniform(1, 2, size=(4, 2, 2))
    xr.testing.assert_identical(
        load_bboxes.from_numpy(centres, shapes, fps=fps),
        movement_bboxes.from_numpy(centres, shapes, fps=fps),
    )


def test_from_dlc_style_df_keeps_a_source_software_of_none_as_movement():
    movement_poses = pytest.importorskip("movement.io.load_poses")
    frame = save_poses.to_dlc_style_df(load_poses.from_numpy(np.ones((3, 2, 1, 1))))
    ours = load_poses.from_dlc_style_df(frame, source_software=None)
    theirs = movement_poses.from_dlc_style_df(frame, source_software=None)
    assert ours.attrs["source_software"] is None is theirs.attrs["source_software"]


def _nwb_of_timestamps(path: Path, timestamps: np.ndarray) -> None:
    """One PoseEstimation (behavior/PoseEstimation) whose two series store timestamps, no rate."""
    import datetime as dt

    ndx_pose = pytest.importorskip("ndx_pose")
    pynwb = pytest.importorskip("pynwb")
    nwbfile = pynwb.NWBFile("s", "mouse", dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
    n = timestamps.size
    series = [
        ndx_pose.PoseEstimationSeries(
            name=name,
            data=np.arange(2.0 * n).reshape(n, 2) + k,
            confidence=np.ones(n),
            unit="pixels",
            reference_frame="top left",
            timestamps=timestamps,
        )
        for k, name in enumerate(["snout", "tail"])
    ]
    skeleton = ndx_pose.Skeleton(name="sk", nodes=["snout", "tail"])
    module = nwbfile.create_processing_module("behavior", "poses")
    module.add(ndx_pose.Skeletons(skeletons=[skeleton]))
    module.add(
        ndx_pose.PoseEstimation(
            name="PoseEstimation", pose_estimation_series=series, skeleton=skeleton
        )
    )
    with pynwb.NWBHDF5IO(str(path), "w") as io:
        io.write(nwbfile)


@pytest.mark.parametrize(
    "timestamps",
    [
        np.arange(8) / 25.0,  # what movement's to_nwb_file writes for fps=25
        np.array([10.0, 10.04, 10.08, 10.13, 10.16, 10.2]),  # irregular, from a session clock
    ],
    ids=["regular", "irregular"],
)
def test_from_nwb_file_of_timestamps_states_movements_fps_and_keeps_the_timestamps(
    tmp_path, timestamps
):
    path = tmp_path / "stamped.nwb"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _nwb_of_timestamps(path, timestamps)
        ds = load_poses.from_nwb_file(path)
    # movement's rule: the median of 1 / step between timestamps, rounded to 6 decimals
    assert ds.attrs["fps"] == round(float(np.median(1 / np.diff(timestamps))), 6)
    np.testing.assert_array_equal(ds.time.values, timestamps)  # times as the file gives them
    movement_load_poses = pytest.importorskip("movement.io.load_poses")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert ds.attrs["fps"] == movement_load_poses.from_nwb_file(path).attrs["fps"]


def test_from_nwb_file_of_movements_own_nwbfile_states_its_fps():
    movement_load_poses = pytest.importorskip("movement.io.load_poses")
    movement_save_poses = pytest.importorskip("movement.io.save_poses")
    position = np.random.default_rng(0).normal(100, 10, (8, 2, 3, 1))
    ds = movement_load_poses.from_numpy(position, None, fps=25, keypoint_names=["a", "b", "c"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        nwbfile = movement_save_poses.to_nwb_file(ds)  # timestamps 0, 0.04, ...: no rate
        read = load_poses.from_nwb_file(nwbfile)
        expected = movement_load_poses.from_nwb_file(nwbfile).attrs["fps"]
    assert read.attrs["fps"] == expected == 25.0
    np.testing.assert_allclose(read.time.values, np.arange(8) / 25.0)
