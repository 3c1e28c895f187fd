"""The same calls on movement.io and on posebridge.io give the same results.

Skipped when movement is not installed. Files written by one are read by the
other; the errors raised for bad arguments are of the same built-in types.
"""

from __future__ import annotations

import warnings

import h5py
import numpy as np
import pandas as pd
import pytest
import xarray as xr

pytest.importorskip("movement")

from movement.io import load as mv_load
from movement.io import load_poses as mv_load_poses
from movement.io import save_poses as mv_save_poses
from movement.io.nwb import NWBFileSaveConfig as MvConfig

import posebridge
from posebridge.io import load as pb_load
from posebridge.io import load_poses as pb_load_poses
from posebridge.io import save_poses as pb_save_poses
from posebridge.io.nwb import NWBFileSaveConfig as PbConfig


def _arrays(fps=None):
    rng = np.random.default_rng(3)
    position = rng.uniform(0, 100, size=(12, 2, 3, 2))
    position[2, :, 1, 0] = np.nan
    confidence = rng.uniform(0, 1, size=(12, 3, 2))
    confidence[2, 1, 0] = np.nan
    return {
        "position_array": position,
        "confidence_array": confidence,
        "individual_names": ["id_0", "id_1"],
        "keypoint_names": ["centroid", "left", "right"],
        "fps": fps,
        "source_software": "test",
    }


@pytest.fixture
def pair():
    """The same dataset built by movement and by posebridge."""
    return mv_load_poses.from_numpy(**_arrays()), pb_load_poses.from_numpy(**_arrays())


def _same_poses(ours: xr.Dataset, theirs: xr.Dataset, rtol: float = 0) -> None:
    np.testing.assert_allclose(
        ours.position.values, theirs.position.values, rtol=rtol, equal_nan=True
    )
    np.testing.assert_allclose(
        ours.confidence.values, theirs.confidence.values, rtol=rtol, equal_nan=True
    )
    np.testing.assert_allclose(ours.time.values, theirs.time.values)
    for dim in ("space", "keypoint", "individual"):
        assert ours[dim].values.tolist() == theirs[dim].values.tolist(), dim


def test_from_numpy_builds_the_same_dataset(pair):
    theirs, ours = pair
    _same_poses(ours, theirs)
    assert ours.position.dims == theirs.position.dims
    assert ours.attrs["time_unit"] == theirs.attrs["time_unit"]


@pytest.mark.parametrize("split", ["auto", False, True])
@pytest.mark.parametrize("suffix", [".h5", ".csv"])
@pytest.mark.parametrize("n_individuals", [1, 2])
def test_to_dlc_file_writes_the_same_files(tmp_path, pair, split, suffix, n_individuals):
    theirs, ours = (ds.isel(individual=slice(0, n_individuals)) for ds in pair)
    (tmp_path / "mv").mkdir()
    (tmp_path / "pb").mkdir()
    mv_save_poses.to_dlc_file(theirs, tmp_path / "mv" / f"p{suffix}", split_individuals=split)
    pb_save_poses.to_dlc_file(ours, tmp_path / "pb" / f"p{suffix}", split_individuals=split)
    written = sorted((tmp_path / "pb").iterdir())
    assert sorted(p.name for p in (tmp_path / "mv").iterdir()) == sorted(p.name for p in written)
    for path in written:
        mine = pb_load_poses.from_dlc_file(path)
        movement_file = tmp_path / "mv" / path.name
        _same_poses(mine, pb_load_poses.from_dlc_file(movement_file))
        # movement reads what posebridge wrote as it reads its own file
        _same_poses(mv_load_poses.from_dlc_file(path), mv_load_poses.from_dlc_file(movement_file))
        if suffix == ".csv":
            levels = pd.read_csv(path, header=None, nrows=4)[0].tolist()
            movement_levels = pd.read_csv(movement_file, header=None, nrows=4)[0].tolist()
            assert levels == movement_levels


def test_to_dlc_style_df_has_the_same_columns_and_values(pair):
    theirs, ours = pair
    for split in (False, True):
        a = mv_save_poses.to_dlc_style_df(theirs, split_individuals=split)
        b = pb_save_poses.to_dlc_style_df(ours, split_individuals=split)
        frames = (a, b) if not split else (a["id_1"], b["id_1"])
        assert frames[0].columns.names == frames[1].columns.names
        # the scorer level differs by name only ("movement" / "posebridge")
        assert [c[1:] for c in frames[0].columns] == [c[1:] for c in frames[1].columns]
        np.testing.assert_array_equal(frames[0].to_numpy(), frames[1].to_numpy())


def test_to_lp_file_writes_the_same_file_names(tmp_path, pair):
    theirs, ours = pair
    (tmp_path / "mv").mkdir()
    (tmp_path / "pb").mkdir()
    one_theirs, one_ours = theirs.isel(individual=[0]), ours.isel(individual=[0])
    mv_save_poses.to_lp_file(one_theirs, tmp_path / "mv" / "video.csv")
    pb_save_poses.to_lp_file(one_ours, tmp_path / "pb" / "video.csv")
    written = sorted((tmp_path / "pb").iterdir())
    assert [p.name for p in (tmp_path / "mv").iterdir()] == [p.name for p in written]
    _same_poses(
        mv_load_poses.from_lp_file(written[0]),
        mv_load_poses.from_lp_file(tmp_path / "mv" / "video_id_0.csv"),
    )


@pytest.mark.parametrize("empty", [["id_0"], ["id_0", "id_1"]])
def test_to_sleap_analysis_file_leaves_out_tracks_never_seen_as_movement_does(
    tmp_path, pair, empty
):
    theirs, ours = (
        ds.assign(position=ds.position.where(~ds.individual.isin(empty))) for ds in pair
    )
    mv_save_poses.to_sleap_analysis_file(theirs, tmp_path / "mv.h5")
    pb_save_poses.to_sleap_analysis_file(ours, tmp_path / "pb.h5")
    seen = [name for name in ours.individual.values.tolist() if name not in empty]
    with h5py.File(tmp_path / "mv.h5", "r") as a, h5py.File(tmp_path / "pb.h5", "r") as b:
        names = [v.decode() for v in b["track_names"][()]]
        assert names == [v.decode() for v in a["track_names"][()]] == seen
        for name in ("tracks", "point_scores", "track_occupancy"):
            assert b[name].shape == a[name].shape, name
            np.testing.assert_allclose(a[name][()], b[name][()], equal_nan=True)


def test_to_sleap_analysis_file_writes_the_same_arrays(tmp_path, pair):
    theirs, ours = pair
    mv_save_poses.to_sleap_analysis_file(theirs, tmp_path / "mv.h5")
    pb_save_poses.to_sleap_analysis_file(ours, tmp_path / "pb.h5")
    with h5py.File(tmp_path / "mv.h5", "r") as a, h5py.File(tmp_path / "pb.h5", "r") as b:
        for name in ("tracks", "point_scores"):
            np.testing.assert_allclose(a[name][()], b[name][()], equal_nan=True)
        np.testing.assert_array_equal(
            a["track_occupancy"][()].astype(bool), b["track_occupancy"][()].astype(bool)
        )
        for name in ("track_names", "node_names"):
            assert [v.decode() for v in a[name][()]] == [v.decode() for v in b[name][()]]
    _same_poses(
        mv_load_poses.from_sleap_file(tmp_path / "pb.h5"),
        mv_load_poses.from_sleap_file(tmp_path / "mv.h5"),
    )
    _same_poses(
        pb_load_poses.from_sleap_file(tmp_path / "mv.h5"),
        mv_load_poses.from_sleap_file(tmp_path / "mv.h5"),
        rtol=1e-6,
    )


def _nwb_names(nwbfiles):
    nwbfiles = nwbfiles if isinstance(nwbfiles, list) else [nwbfiles]
    out = []
    for nwbfile in nwbfiles:
        module = nwbfile.processing["behavior"]
        containers = [k for k in module.data_interfaces if k != "Skeletons"]
        series = list(module[containers[0]].pose_estimation_series)
        out.append(
            (
                nwbfile.identifier,
                nwbfile.subject.subject_id,
                containers,
                list(module["Skeletons"].skeletons),
                series,
            )
        )
    return out


NWB_CONFIGS = [
    {},
    {
        "nwbfile_kwargs": {"identifier": "subj0", "session_description": "test"},
        "subject_kwargs": {"subject_id": "S", "species": "Mus musculus"},
        "pose_estimation_kwargs": {"name": "PE"},
        "skeleton_kwargs": {"name": "SK"},
    },
    {
        "nwbfile_kwargs": {"id_0": {"identifier": "first"}, "id_1": {"identifier": "second"}},
        "subject_kwargs": {"id_0": {"age": "P90D"}, "id_1": {"age": "P91D"}},
        "pose_estimation_kwargs": {"id_1": {"name": "PE1"}},
    },
]


@pytest.mark.parametrize("config", NWB_CONFIGS, ids=["default", "shared", "per-individual"])
@pytest.mark.parametrize(
    "select",
    [lambda ds: ds, lambda ds: ds.sel(individual="id_0"), lambda ds: ds.isel(individual=[1])],
    ids=["two", "sel-scalar", "isel-one"],
)
def test_to_nwb_file_builds_the_same_nwbfiles(pair, config, select):
    theirs, ours = (select(ds) for ds in pair)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        movement_files = mv_save_poses.to_nwb_file(theirs, MvConfig(**config))
        our_files = pb_save_poses.to_nwb_file(ours, PbConfig(**config))
    assert isinstance(our_files, list) == isinstance(movement_files, list)
    assert _nwb_names(our_files) == _nwb_names(movement_files)
    pairs = zip(
        our_files if isinstance(our_files, list) else [our_files],
        movement_files if isinstance(movement_files, list) else [movement_files],
        strict=True,
    )
    for mine, movements in pairs:
        np.testing.assert_allclose(
            pb_load_poses.from_nwb_file(mine).position.values,
            pb_load_poses.from_nwb_file(movements).position.values,
            equal_nan=True,
        )


def test_to_nwb_file_takes_movements_config_object(pair):
    _, ours = pair
    config = MvConfig(subject_kwargs={"species": "Mus musculus"})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        files = pb_save_poses.to_nwb_file(ours, config)
    assert [f.subject.species for f in files] == ["Mus musculus"] * 2


def test_load_dataset_and_infer_agree_with_movement(tmp_path, pair):
    theirs, _ = pair
    mv_save_poses.to_dlc_file(theirs, tmp_path / "dlc.h5", split_individuals=False)
    mv_save_poses.to_dlc_file(theirs, tmp_path / "dlc.csv", split_individuals=False)
    mv_save_poses.to_sleap_analysis_file(theirs, tmp_path / "sleap.h5")
    for name in ("dlc.h5", "dlc.csv", "sleap.h5"):
        path = tmp_path / name
        assert pb_load.infer_source_software(path) == mv_load.infer_source_software(path)
        mine = pb_load.load_dataset(path, fps=30)
        movements = mv_load.load_dataset(path, fps=30)
        _same_poses(mine, movements, rtol=1e-6)
        assert mine.attrs["source_software"] == movements.attrs["source_software"]
        assert mine.attrs["fps"] == movements.attrs["fps"]


def test_load_multiview_dataset_agrees_with_movement_when_times_match(tmp_path, pair):
    theirs, _ = pair
    files = {}
    for view, shift in (("left", 0.0), ("right", 50.0)):
        ds = theirs.copy()
        ds["position"] = ds["position"] + shift
        mv_save_poses.to_dlc_file(ds, tmp_path / f"{view}.h5", split_individuals=False)
        files[view] = tmp_path / f"{view}.h5"
    mine = pb_load.load_multiview_dataset(files, "DeepLabCut", fps=25)
    movements = mv_load.load_multiview_dataset(files, "DeepLabCut", fps=25)
    # posebridge's model puts view last; movement's xr.concat puts it first
    movements = movements.transpose(*mine.position.dims)
    assert mine.view.values.tolist() == movements.view.values.tolist()
    np.testing.assert_allclose(mine.position.values, movements.position.values, equal_nan=True)
    np.testing.assert_allclose(mine.time.values, movements.time.values)


@pytest.mark.parametrize("fps", [None, 25])
def test_load_multiview_dataset_stacks_box_tracks_as_movement_does(tmp_path, fps):
    """movement stacks VIA-tracks files of camera views; posebridge refused a bboxes
    dataset with a view dim."""
    from movement.io import load_bboxes as mv_load_bboxes
    from movement.io import save_bboxes as mv_save_bboxes

    rng = np.random.default_rng(11)
    files = {}
    for view in ("top", "side"):
        boxes = mv_load_bboxes.from_numpy(
            position_array=rng.uniform(20, 200, size=(6, 2, 2)),
            shape_array=rng.uniform(5, 30, size=(6, 2, 2)),
            confidence_array=rng.uniform(0, 1, size=(6, 2)),
            individual_names=["id_1", "id_2"],
            frame_array=np.arange(10, 16).reshape(-1, 1),
        )
        files[view] = mv_save_bboxes.to_via_tracks_file(boxes, tmp_path / f"{view}.csv")
    mine = pb_load.load_multiview_dataset(files, "VIA-tracks", fps=fps)
    movements = mv_load.load_multiview_dataset(files, "VIA-tracks", fps=fps)
    assert mine.attrs["ds_type"] == movements.attrs["ds_type"] == "bboxes"
    assert mine.view.values.tolist() == movements.view.values.tolist() == ["top", "side"]
    assert mine.individual.values.tolist() == movements.individual.values.tolist()
    np.testing.assert_allclose(mine.time.values, movements.time.values)
    assert mine.attrs.get("fps") == movements.attrs.get("fps")
    for name in ("position", "shape", "confidence"):  # view last in posebridge, first there
        assert set(mine[name].dims) == set(movements[name].dims)
        assert mine[name].dims[-1] == "view"
        np.testing.assert_allclose(
            mine[name].values,
            movements[name].transpose(*mine[name].dims).values,
            rtol=1e-6,
            equal_nan=True,
        )


@pytest.mark.parametrize(
    "call, error",
    [
        (lambda save, tmp: save.to_sleap_analysis_file([1, 2], tmp / "p.h5"), TypeError),
        (lambda save, tmp: save.to_sleap_analysis_file(np.zeros(3), tmp / "p.h5"), TypeError),
        (lambda save, tmp: save.to_dlc_file(_ds(save), tmp), IsADirectoryError),
        (lambda save, tmp: save.to_sleap_analysis_file(_ds(save), tmp / "p.csv"), ValueError),
        (lambda save, tmp: save.to_lp_file(_ds(save), tmp / "p.h5"), ValueError),
        (lambda save, tmp: save.to_dlc_file(_ds(save), tmp / "p.txt"), ValueError),
        (lambda save, tmp: save.to_dlc_file(_ds(save), tmp / "no" / "p.h5"), OSError),
    ],
    ids=["list", "ndarray", "folder", "sleap-csv", "lp-h5", "dlc-txt", "missing-folder"],
)
def test_bad_arguments_raise_the_same_builtin_errors(tmp_path, call, error):
    with pytest.raises(error):
        call(mv_save_poses, tmp_path)
    with pytest.raises(error):
        call(pb_save_poses, tmp_path)


def test_an_existing_output_raises_file_exists_error_in_both(tmp_path, pair):
    theirs, ours = pair
    existing = tmp_path / "p.h5"
    existing.write_bytes(b"")
    with pytest.raises(FileExistsError):
        mv_save_poses.to_sleap_analysis_file(theirs, existing)
    with pytest.raises(FileExistsError):
        pb_save_poses.to_sleap_analysis_file(ours, existing)


def _ds(save_module):
    load = mv_load_poses if save_module is mv_save_poses else pb_load_poses
    return load.from_numpy(**_arrays())


def test_nwb_files_written_by_either_read_the_same_in_both(tmp_path):
    pynwb = pytest.importorskip("pynwb")
    theirs = mv_load_poses.from_numpy(**_arrays(fps=30.0))
    ours = pb_load_poses.from_numpy(**_arrays(fps=30.0))
    movement_files = mv_save_poses.to_nwb_file(theirs)
    for nwbfile in movement_files:
        with pynwb.NWBHDF5IO(str(tmp_path / f"mv_{nwbfile.identifier}.nwb"), "w") as io:
            io.write(nwbfile)
    # movement names the individual after the file's identifier (posebridge.save's default
    # identifier is a UUID; save_poses.to_nwb_file uses the individual's name, as movement)
    identifiers = {"nwbfile": {"id_0": {"identifier": "id_0"}, "id_1": {"identifier": "id_1"}}}
    written = posebridge.save(ours, tmp_path / "pb.nwb", config=identifiers)
    for individual, path in zip(["id_0", "id_1"], written, strict=True):
        movement_path = tmp_path / f"mv_{individual}.nwb"
        for reader in (mv_load_poses.from_nwb_file, pb_load_poses.from_nwb_file):
            mine, movements = reader(path), reader(movement_path)
            np.testing.assert_allclose(
                mine.position.values, movements.position.values, equal_nan=True
            )
            np.testing.assert_allclose(mine.time.values, movements.time.values)
            assert mine.individual.values.tolist() == movements.individual.values.tolist()


def test_datasets_cross_between_the_two_apis(tmp_path):
    ours = pb_load_poses.from_numpy(**_arrays())
    theirs = mv_load_poses.from_numpy(**_arrays())
    mv_save_poses.to_sleap_analysis_file(ours, tmp_path / "from_ours.h5")
    pb_save_poses.to_sleap_analysis_file(theirs, tmp_path / "from_theirs.h5")
    _same_poses(
        pb_load_poses.from_sleap_file(tmp_path / "from_ours.h5"),
        pb_load_poses.from_sleap_file(tmp_path / "from_theirs.h5"),
    )
