"""posebridge.io.save_poses: the scorer movement's writers put in the header.

movement's ``to_dlc_file`` and ``to_lp_file`` (its DeepLabCut writer split per individual),
whose first header row names the scorer ``movement``; the drop-ins write the same.
posebridge's own LightningPose writer keeps ``posebridge_tracker``.
"""

from __future__ import annotations

import csv
import warnings

import numpy as np
import pandas as pd
import pytest
import xarray as xr

import posebridge
from posebridge.io import load_poses, save_poses
from posebridge.io.save_poses import NWBFileSaveConfig


@pytest.fixture
def one_mouse() -> xr.Dataset:
    position = np.arange(3 * 2 * 2 * 1, dtype=np.float64).reshape(3, 2, 2, 1)
    return load_poses.from_numpy(
        position,
        np.full((3, 2, 1), 0.75),
        individual_names=["mouse"],
        keypoint_names=["nose", "tail"],
        source_software="LightningPose",
    )


def scorer_row(path) -> list[str]:
    with open(path, newline="") as handle:
        return next(csv.reader(handle))


def test_to_lp_file_names_the_scorer_movement(tmp_path, one_mouse):
    save_poses.to_lp_file(one_mouse, tmp_path / "video.csv")
    row = scorer_row(tmp_path / "video_mouse.csv")
    # scorer, then one cell per (keypoint, x / y / likelihood)
    assert row == ["scorer"] + ["movement"] * (2 * 3)
    back = load_poses.from_lp_file(tmp_path / "video_mouse.csv")
    assert back.attrs["scorer"] == "movement"
    assert back.attrs["source_software"] == "LightningPose"
    np.testing.assert_array_equal(back.position.values, one_mouse.position.values)


def test_to_lp_file_writes_the_header_movement_writes(tmp_path, one_mouse):
    movement_save_poses = pytest.importorskip("movement.io.save_poses")
    save_poses.to_lp_file(one_mouse, tmp_path / "ours.csv")
    movement_save_poses.to_lp_file(one_mouse, tmp_path / "theirs.csv")
    with open(tmp_path / "ours_mouse.csv") as ours, open(tmp_path / "theirs_mouse.csv") as theirs:
        assert ours.readlines()[:3] == theirs.readlines()[:3]  # scorer, bodyparts, coords


def test_to_lp_file_keeps_a_scorer_the_dataset_names(tmp_path, one_mouse):
    # a dataset read from a LightningPose file carries its scorer; the drop-in writes it back
    save_poses.to_lp_file(one_mouse.assign_attrs(scorer="heatmap_tracker"), tmp_path / "v.csv")
    assert set(scorer_row(tmp_path / "v_mouse.csv")[1:]) == {"heatmap_tracker"}
    save_poses.to_lp_file(one_mouse, tmp_path / "w.csv")
    assert set(scorer_row(tmp_path / "w_mouse.csv")[1:]) == {"movement"}
    # posebridge's own writer: its default is unchanged
    posebridge.save(one_mouse, tmp_path / "own.csv", "lp")
    assert set(scorer_row(tmp_path / "own.csv")[1:]) == {"posebridge_tracker"}


@pytest.mark.parametrize("split", [False, True])
def test_to_dlc_style_df_of_camera_views_is_a_schema_error_not_a_raw_one(split):
    rng = np.random.default_rng(0)
    one = posebridge.from_numpy(rng.uniform(0, 9, (4, 3, 2, 1)), individual_names=["m"])
    views = one.expand_dims(view=["l", "r"], axis=-1)
    with pytest.raises(posebridge.errors.SchemaError, match=r"2 camera views \(l, r\)"):
        save_poses.to_dlc_style_df(views, split_individuals=split)


def test_to_dlc_file_writes_a_table_too_wide_for_the_table_layout(tmp_path):
    """30 animals x 40 bodyparts (3600 columns): the column index does not fit the HDF5
    attribute of pandas' table layout; the file is written in the fixed layout, as movement
    writes it, and pandas, movement and posebridge read it back equal."""
    pd = pytest.importorskip("pandas")
    movement_load = pytest.importorskip("movement.io.load_poses")
    rng = np.random.default_rng(0)
    position, confidence = rng.random((4, 2, 40, 30)), rng.random((4, 40, 30))
    position[1, :, 3, 7] = np.nan
    animals = [f"mouse{i}" for i in range(30)]
    bodyparts = [f"bodypart{k}" for k in range(40)]
    ds = load_poses.from_numpy(
        position, confidence, individual_names=animals, keypoint_names=bodyparts
    )
    path = tmp_path / "wide.h5"
    assert save_poses.to_dlc_file(ds, path) is None
    table = pd.read_hdf(path, key="df_with_missing")
    assert table.shape == (4, 30 * 40 * 3)
    first = table.loc[:, (slice(None), "mouse0", "bodypart0")].to_numpy()
    expected = np.column_stack([position[:, 0, 0, 0], position[:, 1, 0, 0], confidence[:, 0, 0]])
    np.testing.assert_array_equal(first, expected)
    for back in (posebridge.load(path), movement_load.from_dlc_file(path)):
        assert back.individual.values.tolist() == animals
        assert back.keypoint.values.tolist() == bodyparts
        np.testing.assert_array_equal(back.position.values, position)
        np.testing.assert_array_equal(back.confidence.values, confidence)


def _facts_not_kept() -> xr.Dataset:
    """Poses with instance scores, skeleton symmetries, categories and data splits."""
    ds = posebridge.from_numpy(
        np.random.default_rng(0).uniform(0, 9, (3, 2, 2, 1)), fps=30.0, individual_names=["m1"]
    )
    ds["instance_score"] = (("time", "individual"), np.ones((3, 1)))
    ds["skeleton_symmetries"] = (
        ("symmetry", "edge_node"),
        np.array([["keypoint_0", "keypoint_1"]]),
    )
    ds["category"] = (("time", "individual"), np.array([["mouse"]] * 3))
    return ds.assign_coords(data_split=("time", ["train", "val", "train"]))


def _not_written(caught, target) -> list[str]:
    """The 'not written' warnings, each without the name of what it was written to."""
    assert all(issubclass(w.category, UserWarning) for w in caught)
    assert all(w.filename == __file__ for w in caught)  # the caller's line
    return sorted(
        str(w.message).removeprefix(f"{target}: ")
        for w in caught
        if "not written" in str(w.message) or "has no place" in str(w.message)
    )


@pytest.mark.parametrize(
    ("dropin", "suffix", "name"),
    [
        (save_poses.to_dlc_style_df, ".h5", "the DataFrame"),
        (save_poses.to_nwb_file, ".nwb", "the in-memory NWBFile"),
    ],
)
def test_in_memory_savers_say_what_is_not_written_as_posebridge_save_does(
    tmp_path, dropin, suffix, name
):
    import warnings

    ds = _facts_not_kept()
    target = tmp_path / f"poses{suffix}"
    with warnings.catch_warnings(record=True) as saved:
        warnings.simplefilter("always")
        warnings.filterwarnings("ignore", message=".*cached namespace")
        warnings.filterwarnings("ignore", message=".*single-animal")  # a file's naming only
        posebridge.save(ds, target)
    with warnings.catch_warnings(record=True) as given:
        warnings.simplefilter("always")
        warnings.filterwarnings("ignore", message=".*cached namespace")
        dropin(ds)
    expected = _not_written(saved, target)
    assert any("category" in m for m in expected) and len(expected) >= 2
    given_texts = [m.replace(name, "") for m in _not_written(given, name)]
    assert given_texts == [m.replace(str(target), "") for m in expected]


@pytest.mark.parametrize("suffix", [".csv", ".h5"])
@pytest.mark.parametrize("split", [False, True])
def test_to_dlc_file_writes_the_header_movement_writes(tmp_path, one_mouse, suffix, split):
    movement_save_poses = pytest.importorskip("movement.io.save_poses")
    ours, theirs = tmp_path / f"ours{suffix}", tmp_path / f"theirs{suffix}"
    save_poses.to_dlc_file(one_mouse, ours, split_individuals=split)
    movement_save_poses.to_dlc_file(one_mouse, theirs, split_individuals=split)
    if split:  # one file per individual, <stem>_<individual>
        ours, theirs = (p.with_name(f"{p.stem}_mouse{suffix}") for p in (ours, theirs))
    read = pd.read_csv if suffix == ".csv" else pd.read_hdf
    kwargs = {"header": [0, 1, 2] if split else [0, 1, 2, 3], "index_col": 0}
    ours_df, theirs_df = (
        read(p, **kwargs) if suffix == ".csv" else read(p) for p in (ours, theirs)
    )
    assert list(ours_df.columns) == list(theirs_df.columns)  # scorer level included
    assert set(ours_df.columns.get_level_values("scorer")) == {"movement"}


def test_to_dlc_style_df_names_the_scorer_movement_as_movement(one_mouse):
    movement_save_poses = pytest.importorskip("movement.io.save_poses")
    ours = save_poses.to_dlc_style_df(one_mouse)
    theirs = movement_save_poses.to_dlc_style_df(one_mouse)
    assert list(ours.columns) == list(theirs.columns)
    # a scorer the dataset names is kept; posebridge.save keeps its own default
    named = save_poses.to_dlc_style_df(one_mouse.assign_attrs(scorer="DLC_resnet50"))
    assert set(named.columns.get_level_values("scorer")) == {"DLC_resnet50"}


def test_posebridge_save_to_dlc_keeps_its_own_scorer(tmp_path, one_mouse):
    posebridge.save(one_mouse, tmp_path / "own.csv", "dlc")
    assert set(scorer_row(tmp_path / "own.csv")[1:]) == {"posebridge"}


def test_to_dlc_file_of_numbered_individuals_reads_back_as_movement_reads_it(tmp_path):
    """Individuals named by floats (1.0, 2.0): movement's to_dlc_file keeps them as floats
    in the .h5, which load_poses.from_dlc_file refused; posebridge's writes them as text
    (as in a .csv). Both files read back, by movement and by posebridge, as the names'
    text."""
    movement_load = pytest.importorskip("movement.io.load_poses")
    movement_save = pytest.importorskip("movement.io.save_poses")
    numbered = posebridge.from_numpy(np.random.default_rng(5).uniform(0, 9, (3, 2, 2, 2)))
    numbered = numbered.assign_coords(individual=[1.0, 2.0])
    names = [str(name) for name in numbered.individual.values.tolist()]
    movement_save.to_dlc_file(numbered, tmp_path / "theirs.h5", split_individuals=False)
    save_poses.to_dlc_file(numbered, tmp_path / "ours.h5", split_individuals=False)
    for path in (tmp_path / "theirs.h5", tmp_path / "ours.h5"):
        theirs = movement_load.from_dlc_file(path)
        ours = load_poses.from_dlc_file(path)
        assert ours.individual.values.tolist() == theirs.individual.values.tolist() == names
        np.testing.assert_array_equal(ours.position.values, numbered.position.values)


@pytest.mark.parametrize("unnamed", [None, "", "  "])
def test_a_scorer_attribute_that_names_none_is_written_as_movement(tmp_path, one_mouse, unnamed):
    """movement writes 'movement' whatever the dataset holds; a None or blank scorer
    attribute gave 'posebridge' (to_dlc_file) where to_dlc_style_df gave 'movement'."""
    ds = one_mouse.assign_attrs(scorer=unnamed)
    save_poses.to_dlc_file(ds, tmp_path / "out.csv", split_individuals=False)
    assert set(scorer_row(tmp_path / "out.csv")[1:]) == {"movement"}
    df = save_poses.to_dlc_style_df(ds)
    assert set(df.columns.get_level_values("scorer")) == {"movement"}


@pytest.mark.filterwarnings("ignore:.*keep no individual names")
def test_time_in_seconds_without_fps_is_written_as_movement_writes_it(tmp_path):
    """movement numbers the rows 0..n-1; posebridge.save refuses (no frames made up)."""
    saver = pytest.importorskip("movement.io.save_poses")
    ds = load_poses.from_numpy(
        np.random.default_rng(4).uniform(size=(4, 2, 2, 1)),
        np.full((4, 2, 1), 0.5),
        individual_names=["mouse"],
        keypoint_names=["nose", "tail"],
    )
    ds = ds.assign_coords(time=[0.0, 0.4, 1.3, 2.0]).assign_attrs(time_unit="seconds")
    with pytest.warns(UserWarning, match="rows numbered 0..n-1"):
        ours = save_poses.to_dlc_style_df(ds)
    pd.testing.assert_frame_equal(ours, saver.to_dlc_style_df(ds), check_dtype=False)
    for name, write in [("dlc", "to_dlc_file"), ("lp", "to_lp_file")]:
        (tmp_path / name).mkdir()
        with pytest.warns(UserWarning, match=r"mouse\.csv: the dataset's time is in seconds"):
            getattr(save_poses, write)(ds, tmp_path / name / "ours.csv")
        getattr(saver, write)(ds, tmp_path / name / "theirs.csv")
        ours_file = pd.read_csv(tmp_path / name / "ours_mouse.csv", header=[0, 1, 2], index_col=0)
        theirs = pd.read_csv(tmp_path / name / "theirs_mouse.csv", header=[0, 1, 2], index_col=0)
        pd.testing.assert_frame_equal(ours_file, theirs)


def anipose_like(rng: np.random.Generator) -> xr.Dataset:
    """3D poses with Anipose's per-keypoint extras (reprojection_error, camera_count)."""
    ds = posebridge.from_numpy(
        rng.uniform(0, 9, (5, 3, 2, 1)),
        np.full((5, 2, 1), 0.5),
        individual_names=["id_0"],
        keypoint_names=["nose", "tail"],
    )
    extra_dims = ("time", "keypoint", "individual")
    ds["reprojection_error"] = (extra_dims, rng.uniform(0, 1, (5, 2, 1)))
    ds["camera_count"] = (extra_dims, np.full((5, 2, 1), 2.0))
    return ds


@pytest.mark.parametrize("lone", ["none", "dim", "scalar"])
def test_a_lone_view_writes_the_columns_of_the_same_poses_without_it(tmp_path, lone):
    """h144 finding 1: a view dim of size 1 (and the scalar view of ds.sel(view=...)) is that
    camera's file: x, y, z and likelihood, as without the view, which movement reads back."""
    rng = np.random.default_rng(1)
    ds = anipose_like(rng)
    if lone != "none":
        ds = ds.expand_dims(view=["cam1", "cam2"], axis=-1).isel(view=[0])
        ds = ds.sel(view="cam1") if lone == "scalar" else ds
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        df = save_poses.to_dlc_style_df(ds)
        save_poses.to_lp_file(ds, tmp_path / "v.csv")
    assert sorted(set(df.columns.get_level_values("coords"))) == ["likelihood", "x", "y", "z"]
    with open(tmp_path / "v_id_0.csv", newline="") as handle:
        coords = list(csv.reader(handle))[2][1:]
    assert sorted(set(coords)) == ["likelihood", "x", "y", "z"]
    movement_load = pytest.importorskip("movement.io.load_poses")
    expected = ds["position"].squeeze().values if lone != "none" else ds["position"].values
    for back in (
        movement_load.from_dlc_style_df(df),
        movement_load.from_lp_file(tmp_path / "v_id_0.csv"),
    ):
        np.testing.assert_allclose(back["position"].values.reshape(expected.shape), expected)


@pytest.mark.parametrize("picked", ["left", ["left"]], ids=["scalar", "size-1 dim"])
def test_to_nwb_file_of_a_view_picked_by_sel_keeps_its_name_as_save_does(tmp_path, picked):
    """h144 finding 2: ds.sel(view="left") names its camera Device "left" (as
    posebridge.save writes it), with no warning that NWB has no place for the view; its
    PoseEstimation is movement's 'PoseEstimation', which movement reads by default."""
    rng = np.random.default_rng(2)
    both = anipose_like(rng).expand_dims(view=["left", "right"], axis=-1)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        nwbfile = save_poses.to_nwb_file(both.sel(view=picked))
    assert list(nwbfile.devices) == ["left"]
    assert not [w for w in caught if "view" in str(w.message)]
    # its PoseEstimation keeps movement's name, which movement's from_nwb_file looks for
    assert "PoseEstimation" in nwbfile.processing["behavior"].data_interfaces
    pynwb = pytest.importorskip("pynwb")
    movement_load = pytest.importorskip("movement.io.load_poses")
    with pynwb.NWBHDF5IO(tmp_path / "dropin.nwb", "w") as io:
        io.write(nwbfile)
    read = movement_load.from_nwb_file(tmp_path / "dropin.nwb")
    np.testing.assert_allclose(
        read["position"].values.squeeze(), both.sel(view="left")["position"].values.squeeze()
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        posebridge.save(both.sel(view="left"), tmp_path / "saved.nwb")
    saved = posebridge.load(tmp_path / "saved.nwb")
    assert np.ravel(saved["view"].values).tolist() == ["left"]


def test_to_dlc_style_df_of_a_view_picked_by_sel_warns_its_name_is_not_stored():
    """h144 finding 2: as to_dlc_file and a view dim of size 1, the scalar view's name is
    warned of, not dropped silently."""
    rng = np.random.default_rng(3)
    both = anipose_like(rng).expand_dims(view=["left", "right"], axis=-1)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        save_poses.to_dlc_style_df(both.sel(view="left"))
    said = [str(w.message) for w in caught if "'left'" in str(w.message)]
    assert len(said) == 1
    assert said[0].startswith("the DataFrame: the dataset's one camera view 'left'")
    assert "not stored" in said[0]


@pytest.mark.parametrize(
    ("split_individuals", "kind"),
    [(1, dict), (0, pd.DataFrame), (None, pd.DataFrame), ("auto", dict), (np.bool_(True), dict)],
)
def test_to_dlc_style_df_takes_split_individuals_by_its_truth_value_as_movement(
    one_mouse, split_individuals, kind
):
    # movement's to_dlc_style_df tests `if split_individuals:`; "auto" always splits there
    assert isinstance(save_poses.to_dlc_style_df(one_mouse, split_individuals), kind)


def test_to_dlc_style_df_refuses_a_split_individuals_with_no_truth_value(one_mouse):
    with pytest.raises(TypeError, match="split_individuals must be True or False, got ndarray"):
        save_poses.to_dlc_style_df(one_mouse, np.array([True, False]))


def test_save_poses_has_movements_name_nwbfilesaveconfig():
    from posebridge.io.nwb import NWBFileSaveConfig

    assert save_poses.NWBFileSaveConfig is NWBFileSaveConfig  # as movement.io.save_poses
    assert "NWBFileSaveConfig" in save_poses.__all__


# --------------------------------------------------------------------------
# to_nwb_file: skeleton_kwargs nodes, which movement writes as the Skeleton's nodes


@pytest.fixture
def three_keypoints() -> xr.Dataset:
    position = np.arange(4 * 2 * 3 * 2, dtype=np.float64).reshape(4, 2, 3, 2)
    return load_poses.from_numpy(
        position,
        np.linspace(0.1, 0.9, 4 * 3 * 2).reshape(4, 3, 2),
        individual_names=["m1", "m2"],
        keypoint_names=["nose", "ear", "tail"],
        fps=10,
    )


def skeleton_of(nwbfile):
    (skeleton,) = nwbfile.processing["behavior"]["Skeletons"].skeletons.values()
    return skeleton


def test_to_nwb_file_writes_nodes_that_reorder_the_keypoints_as_movement(three_keypoints):
    nodes = ["tail", "nose", "ear"]
    edges = [[1, 0], [1, 2]]  # nose-tail, nose-ear: indices into the nodes given
    config = NWBFileSaveConfig(skeleton_kwargs={"nodes": nodes, "edges": edges})
    files = save_poses.to_nwb_file(three_keypoints, config)
    for nwbfile, individual in zip(files, ["m1", "m2"], strict=True):
        skeleton = skeleton_of(nwbfile)
        assert list(skeleton.nodes[:]) == nodes
        pairs = {frozenset((nodes[a], nodes[b])) for a, b in skeleton.edges[:]}
        assert pairs == {frozenset(("nose", "tail")), frozenset(("nose", "ear"))}
        series = nwbfile.processing["behavior"]["PoseEstimation"].pose_estimation_series
        for keypoint in nodes:  # each series holds its own keypoint's data
            one = three_keypoints.sel(keypoint=keypoint, individual=individual)
            np.testing.assert_array_equal(series[keypoint].data[:], one.position.values)
            np.testing.assert_array_equal(series[keypoint].confidence[:], one.confidence.values)
    assert config.skeleton_kwargs["nodes"] == nodes  # the caller's config is left as given
    movement_save_poses = pytest.importorskip("movement.io.save_poses")
    movement_nwb = pytest.importorskip("movement.io.nwb")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = movement_save_poses.to_nwb_file(
            three_keypoints, movement_nwb.NWBFileSaveConfig(skeleton_kwargs={"nodes": nodes})
        )
    assert [list(skeleton_of(f).nodes[:]) for f in theirs] == [nodes, nodes]


def test_to_nwb_file_takes_nodes_that_are_the_keypoints(three_keypoints):
    config = NWBFileSaveConfig(skeleton_kwargs={"nodes": np.array(["nose", "ear", "tail"])})
    nwbfile = save_poses.to_nwb_file(three_keypoints.sel(individual=["m1"]), config)
    assert list(skeleton_of(nwbfile).nodes[:]) == ["nose", "ear", "tail"]


@pytest.mark.parametrize(
    ("nodes", "said"),
    [
        (["a", "b", "c"], r"left out: 'nose', 'ear', 'tail'; not keypoints: 'a', 'b', 'c'"),
        (["nose", "ear"], r"left out: 'tail'\."),
        (["nose", "ear", "tail", "whisker"], r"not keypoints: 'whisker'\."),
        (["nose", "nose", "ear", "tail"], r"a node repeats"),
    ],
)
def test_to_nwb_file_refuses_nodes_that_are_not_the_keypoints(three_keypoints, nodes, said):
    # movement writes them: a Skeleton naming body parts no series holds, beside series
    # no node names
    config = NWBFileSaveConfig(skeleton_kwargs={"nodes": nodes})
    with pytest.raises(posebridge.PoseBridgeError, match=said) as raised:
        save_poses.to_nwb_file(three_keypoints, config)
    assert "skeleton_kwargs['nodes']" in str(raised.value)


def test_to_nwb_file_refuses_nodes_that_are_no_list_of_names(three_keypoints):
    config = NWBFileSaveConfig(skeleton_kwargs={"nodes": "nose"})
    with pytest.raises(TypeError, match=r"skeleton_kwargs\['nodes'\] must be a list"):
        save_poses.to_nwb_file(three_keypoints, config)


def test_to_nwb_file_refuses_individuals_whose_nodes_order_differently(three_keypoints):
    config = NWBFileSaveConfig(
        skeleton_kwargs={"m1": {"nodes": ["tail", "nose", "ear"]}, "m2": {"nodes": ["ear"] * 3}}
    )
    with pytest.raises(posebridge.PoseBridgeError, match=r"skeleton_kwargs\['m2'\]"):
        save_poses.to_nwb_file(three_keypoints, config)
    config = NWBFileSaveConfig(
        skeleton_kwargs={
            "m1": {"nodes": ["tail", "nose", "ear"]},
            "m2": {"nodes": ["ear", "nose", "tail"]},
        }
    )
    with pytest.raises(posebridge.PoseBridgeError, match="differently for different individ"):
        save_poses.to_nwb_file(three_keypoints, config)


def test_to_nwb_file_warns_when_one_individuals_nodes_reorder_another(three_keypoints):
    nodes = ["ear", "tail", "nose"]
    config = NWBFileSaveConfig(
        skeleton_kwargs={"m1": {"nodes": nodes, "name": "s1"}, "m2": {"name": "s2"}}
    )
    with pytest.warns(UserWarning, match=r"nodes for m1 only.* that of m2 too"):
        files = save_poses.to_nwb_file(three_keypoints, config)
    assert [list(skeleton_of(f).nodes[:]) for f in files] == [nodes, nodes]
    assert [skeleton_of(f).name for f in files] == ["s1", "s2"]
