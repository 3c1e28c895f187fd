"""posebridge.io: code written for movement's I/O runs with posebridge.io in its place."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xarray as xr

import posebridge
from _corpus import corpus_path
from posebridge.io import load_bboxes, load_multiview_dataset, load_poses, save_bboxes, save_poses


def _same_arrays(a: xr.Dataset, b: xr.Dataset) -> None:
    np.testing.assert_array_equal(a.position.values, b.position.values)
    np.testing.assert_array_equal(a.confidence.values, b.confidence.values)
    assert a.keypoint.values.tolist() == b.keypoint.values.tolist()


def test_from_numpy_is_the_model_builder():
    ds = load_poses.from_numpy(
        np.zeros((3, 2, 2, 1)), keypoint_names=["a", "b"], individual_names=["m"], fps=10
    )
    assert ds.attrs["time_unit"] == "seconds"
    assert ds.individual.values.tolist() == ["m"]


def test_bboxes_from_numpy_single_frame():
    ds = load_bboxes.from_numpy(
        np.ones((1, 2, 1)), np.ones((1, 2, 1)), frame_array=np.array([[4]])
    )
    assert ds.sizes["time"] == 1
    assert ds.time.values.tolist() == [4]


def test_dlc_file_functions_agree_with_the_core(tmp_path: Path, poses_two_mice_with_nan):
    written = tmp_path / "p.h5"
    save_poses.to_dlc_file(poses_two_mice_with_nan, written)
    via_facade = load_poses.from_dlc_file(written, fps=30)
    via_core = posebridge.load(written, fps=30)
    xr.testing.assert_identical(via_facade, via_core)
    via_file = load_poses.from_file(written, "DeepLabCut", fps=30)
    xr.testing.assert_identical(via_file, via_core)


def test_to_dlc_file_auto_splits_one_individual_as_movement(tmp_path, poses_two_mice_with_nan):
    one = poses_two_mice_with_nan.isel(individual=[0])
    save_poses.to_dlc_file(one, tmp_path / "single.csv")
    assert sorted(tmp_path.iterdir()) == [tmp_path / "single_mouse_b.csv"]


def test_dlc_style_df_round_trip(poses_two_mice_with_nan):
    df = save_poses.to_dlc_style_df(poses_two_mice_with_nan)
    assert isinstance(df, pd.DataFrame)
    assert list(df.columns.names) == ["scorer", "individuals", "bodyparts", "coords"]
    back = load_poses.from_dlc_style_df(df, fps=None)
    _same_arrays(back, poses_two_mice_with_nan)
    per_individual = save_poses.to_dlc_style_df(poses_two_mice_with_nan, split_individuals=True)
    assert sorted(per_individual) == ["mouse_a", "mouse_b"]


def test_lp_file_functions(tmp_path, poses_two_mice_with_nan):
    one = poses_two_mice_with_nan.isel(individual=[0])
    save_poses.to_lp_file(one, tmp_path / "video.csv")
    (path,) = tmp_path.glob("video*.csv")
    _same_arrays(load_poses.from_lp_file(path), one)


def test_sleap_file_functions_read_both_slp_and_analysis(tmp_path, poses_two_mice_with_nan):
    analysis = tmp_path / "a.h5"
    save_poses.to_sleap_analysis_file(poses_two_mice_with_nan, analysis)
    (slp,) = save_poses.to_slp_file(poses_two_mice_with_nan, tmp_path / "a.slp")
    for path in (analysis, slp):
        back = load_poses.from_sleap_file(path)
        np.testing.assert_allclose(
            back.position.values, poses_two_mice_with_nan.position.values, equal_nan=True
        )
        assert back.individual.values.tolist() == ["mouse_b", "mouse_a"]


def test_anipose_file_functions(tmp_path, poses_single_3d):
    (path,) = save_poses.to_anipose_file(poses_single_3d, tmp_path / "pose3d.csv")
    back = load_poses.from_anipose_file(path, individual_name="mouse")
    np.testing.assert_array_equal(back.position.values, poses_single_3d.position.values)
    assert back.individual.values.tolist() == ["mouse"]
    frame = pd.read_csv(path)
    from_df = load_poses.from_anipose_style_df(frame, individual_name="mouse")
    np.testing.assert_array_equal(from_df.position.values, back.position.values)


def test_nwb_functions_work_in_memory(poses_two_mice_with_nan):
    nwbfiles = save_poses.to_nwb_file(poses_two_mice_with_nan)
    assert len(nwbfiles) == 2
    back = load_poses.from_nwb_file(nwbfiles[1])
    np.testing.assert_array_equal(
        back.position.values[..., 0],
        poses_two_mice_with_nan.position.sel(individual="mouse_a").values,
    )


def test_via_tracks_functions(tmp_path, bboxes_two_tracks):
    path = save_bboxes.to_via_tracks_file(bboxes_two_tracks, tmp_path / "tracks.csv")
    back = load_bboxes.from_via_tracks_file(path, use_frame_numbers_from_file=True)
    np.testing.assert_allclose(back.position.values, bboxes_two_tracks.position.values, atol=1e-6)
    assert back.time.values.tolist() == [0, 1, 2, 5, 6]
    assert back.individual.values.tolist() == ["id_1", "id_4"]


def test_facade_matches_movement_on_a_real_dlc_file():
    movement_load = pytest.importorskip("movement.io.load_poses")
    path = corpus_path("dlc_csv/DLC_sample_poses.csv")
    ours = load_poses.from_dlc_file(path, fps=40)
    theirs = movement_load.from_dlc_file(path, fps=40)
    np.testing.assert_array_equal(ours.position.values, theirs.position.values)
    np.testing.assert_array_equal(ours.confidence.values, theirs.confidence.values)
    np.testing.assert_allclose(ours.time.values, theirs.time.values)
    assert ours.individual.values.tolist() == theirs.individual.values.tolist()


def test_wrong_arguments_of_the_io_functions_are_posebridge_errors(
    tmp_path, poses_two_mice_with_nan
):
    """Each was a raw TypeError, IndexError or AttributeError from inside, or taken as given."""
    from posebridge.io import load_multiview_dataset, nwb

    ds = poses_two_mice_with_nan
    path = tmp_path / "p.nwb"
    posebridge.save(ds, path, split_individuals=False)
    cases = [
        (lambda: load_poses.from_nwb_file(path, foo=1), "has no option 'foo'"),
        (lambda: load_multiview_dataset({}, "DeepLabCut"), "'file_dict' is empty"),
        (  # movement tests `if split_individuals:` ("yes" splits): an array has no truth value
            lambda: save_poses.to_dlc_style_df(ds, split_individuals=np.array([True, False])),
            "True or False",
        ),
        (lambda: nwb.get_timestamps(5), "takes a PoseEstimationSeries"),
        (lambda: nwb.save_nwb(ds, tmp_path / "a.nwb", append="yes"), "True or False"),
        (
            lambda: nwb.write_nwb(
                ds, tmp_path / "b.nwb", pose_estimation_metadata={"video_sample_rate": True}
            ),
            "video_sample_rate must be a number, got True",
        ),
        (lambda: posebridge.from_numpy(np.zeros((2, 2, 1, 2)), individual_names=5), "list"),
        (
            lambda: posebridge.from_numpy(np.zeros((2, 2, 1, 2)), individual_names=[None, "b"]),
            r"got None \(NoneType\)",
        ),
    ]
    for call, message in cases:
        with pytest.raises(posebridge.PoseBridgeError, match=message):
            call()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.nwb"]


def test_nwb_container_keys_are_text_or_numbers_taken_as_text(tmp_path, poses_two_mice_with_nan):
    path = tmp_path / "p.nwb"
    posebridge.save(poses_two_mice_with_nan, path, split_individuals=False)
    with pytest.raises(posebridge.FormatError, match="no PoseEstimation named '5'"):
        posebridge.load(path, format="nwb", pose_estimation_key=5)
    with pytest.raises(TypeError, match="pose_estimation_key must be text"):  # as movement
        load_poses.from_nwb_file(path, pose_estimation_key=5)
    with pytest.raises(posebridge.PoseBridgeError, match="pose_estimation_key= takes"):
        posebridge.load(path, format="nwb", pose_estimation_key=[1])
    with pytest.raises(posebridge.errors.TypeError, match="must be text .* got list"):
        load_poses.from_nwb_file(path, pose_estimation_key=[1])


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"read_options": 5}, "read_options must be a dict"),
        ({"drop_variables": 5}, "drop_variables must be a name or a list"),
    ],
)
def test_the_xarray_engine_refuses_wrong_arguments(
    tmp_path, poses_two_mice_with_nan, options, message
):
    path = tmp_path / "p.nc"
    posebridge.save(poses_two_mice_with_nan, path)
    with pytest.raises(posebridge.errors.TypeError, match=message):
        xr.open_dataset(path, engine="posebridge", **options)
    with pytest.raises(posebridge.errors.TypeError, match="by path, got int"):
        xr.open_dataset(5, engine="posebridge")


@pytest.mark.parametrize("bad", [None, b"top", True])
def test_load_multiview_dataset_refuses_view_keys_that_are_not_names(tmp_path, bad):
    path = tmp_path / "cam.nc"
    posebridge.save(posebridge.from_numpy(np.zeros((3, 2, 1, 1))), path)
    with pytest.raises(posebridge.errors.TypeError, match="view names.*hold names"):
        load_multiview_dataset({bad: path, "side": path}, "netCDF")


def test_load_multiview_dataset_names_the_file_that_already_has_views(tmp_path):
    one = posebridge.from_numpy(np.zeros((3, 2, 1, 1)))
    plain, viewed = tmp_path / "plain.nc", tmp_path / "viewed.nc"
    posebridge.save(one, plain)
    posebridge.save(one.expand_dims(view=["l", "r"], axis=-1), viewed)
    with pytest.raises(posebridge.errors.SchemaError, match=r"viewed\.nc \(view 'cam2'\)"):
        load_multiview_dataset({"cam1": plain, "cam2": viewed})
