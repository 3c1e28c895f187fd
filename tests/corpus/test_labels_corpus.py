"""Every labels file of the corpus: read as labels, checked against pandas / h5py / sleap-io,
and carried through DeepLabCut -> SLEAP -> NWB -> DeepLabCut (and back) unchanged.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import h5py
import numpy as np
import pandas as pd
import pytest
import xarray as xr

import posebridge
from _corpus import CORPUS, corpus_params, corpus_path
from posebridge.model import labels

DLC_LABELS = [
    *corpus_params("dlc_h5", "CollectedData_*"),
    *corpus_params("dlc_csv", "CollectedData_*"),
    *corpus_params("dlc_multi", "CollectedData_*"),
    *corpus_params("lp_csv", "CollectedData_*"),
]
#: .slp files with user instances; those whose only predictions are the users' sources
#: are labels by default, the others give labels with instances="user".
SLP_LABELS = {
    "clip.2node.slp": True,
    "dance.mp4.labels.slp": False,
    "minimal_instance.slp": True,
    "minimal_instance.pkg.slp": True,
    "labels.v002.slp": False,
    "typical.slp": False,
    "small_robot_siv_caching.slp": True,
    "test_grid_labels.legacy.slp": True,
}
TWINS = [
    ("dlc_h5/CollectedData_Pranav.h5", "dlc_csv/CollectedData_Pranav.csv"),
    ("dlc_h5/CollectedData_Mackenzie.h5", "dlc_csv/CollectedData_Mackenzie.csv"),
    ("dlc_h5/CollectedData_shaokai.h5", "dlc_csv/CollectedData_shaokai.csv"),
    ("dlc_multi/CollectedData_dlc_team.h5", "dlc_multi/CollectedData_dlc_team.csv"),
]


def load(path: Path, **options: Any) -> xr.Dataset:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return posebridge.load(path, **options)


def pandas_table(path: Path) -> pd.DataFrame:
    """A CollectedData file as pandas reads it (header and index sizes from the text)."""
    if path.suffix == ".h5":
        return pd.read_hdf(path)
    lines = path.read_text().splitlines()[:4]
    n_header = 4 if lines[3].split(",")[0] == "coords" else 3
    first = lines[0].split(",")
    n_index = 1 + next(i for i, cell in enumerate(first[1:]) if cell)
    return pd.read_csv(path, header=list(range(n_header)), index_col=list(range(n_index)))


@pytest.mark.parametrize("path", DLC_LABELS)
def test_collected_data_reads_as_labels_like_pandas(path):
    ds = load(path)
    df = pandas_table(path)
    assert labels.is_labels(ds)
    assert ds.sizes["time"] == len(df)
    names = df.columns.names
    individuals = (
        df.columns.get_level_values("individuals").unique().tolist()
        if "individuals" in names
        else ["individual_0"]
    )
    assert ds.individual.values.tolist() == individuals
    assert set(ds.keypoint.values.tolist()) == set(df.columns.get_level_values("bodyparts"))
    rows = ["/".join(map(str, r)) if isinstance(r, tuple) else str(r) for r in df.index]
    assert ds.image_path.values.tolist() == [r.replace("\\", "/") for r in rows]
    assert ds.frame.values.tolist() == labels.image_frames(rows).tolist()
    for label in df.columns:
        *head, bodypart, coord = label
        individual = head[1] if len(head) == 2 else "individual_0"
        ours = ds.position.sel(individual=individual, keypoint=bodypart, space=coord).values
        np.testing.assert_array_equal(ours, df[label].to_numpy(dtype=float))


@pytest.mark.parametrize("h5_name, csv_name", TWINS)
def test_h5_and_csv_twins_agree(h5_name, csv_name):
    h5, csv = load(corpus_path(h5_name)), load(corpus_path(csv_name))
    for name in ("position", "image_path", "video", "frame", "individual", "keypoint"):
        np.testing.assert_array_equal(h5[name].values, csv[name].values, err_msg=name)


def slp_path(name: str) -> Path:
    return corpus_path(f"sleap_slp/{name}")


def test_the_corpus_slp_files_with_user_instances_are_these():
    found = set()
    for path in sorted((CORPUS / "sleap_slp").glob("*.slp")) if CORPUS.is_dir() else []:
        with h5py.File(path) as h5:
            if (h5["instances"]["instance_type"] == 0).any():
                found.add(path.name)
    if not CORPUS.is_dir():
        pytest.skip("no corpus")
    assert found == set(SLP_LABELS)


@pytest.mark.parametrize("name", sorted(SLP_LABELS))
def test_slp_user_instances_read_as_labels_like_sleap_io(name):
    sio = pytest.importorskip("sleap_io")
    path = slp_path(name)
    default = load(path)
    assert labels.is_labels(default) == SLP_LABELS[name]
    ds = load(path, instances="user")
    theirs = sio.load_slp(str(path), open_videos=False)
    frames = [lf for lf in theirs.labeled_frames if lf.user_instances]
    assert ds.sizes["time"] == len(frames)
    assert ds.keypoint.values.tolist() == [n.name for n in theirs.skeletons[0].nodes]
    untracked = max((sum(i.track is None for i in lf.user_instances) for lf in frames), default=0)
    assert ds.sizes["individual"] == len(theirs.tracks) + untracked
    for row, lf in enumerate(frames):
        filename = lf.video.filename
        if isinstance(filename, list):
            image = str(filename[lf.frame_idx]).replace("\\", "/")
            assert ds.image_path.values[row] == image
            assert ds.video.values[row] == image.rsplit("/", 1)[0]
        else:
            assert ds.frame.values[row] == lf.frame_idx
        rank = 0
        for inst in lf.user_instances:
            if inst.track is not None:
                who = inst.track.name
            else:
                who, rank = f"untracked_{rank}", rank + 1
            ours = ds.position.isel(time=row).sel(individual=who).transpose("keypoint", "space")
            column = list(ds.individual.values).index(who)
            # NaN where SLEAP marks a point not visible, as sleap-io gives it
            np.testing.assert_allclose(ours.values, inst.numpy(invisible_as_nan=True), atol=1e-9)
            stale = ~inst.points["visible"] & np.isfinite(inst.points["xy"]).all(axis=1)
            if stale.any():  # the flag stays: 0 = marked not visible
                assert (ds.visible.values[row, stale, column] == 0).all()


def test_minimal_annotations_nwb_reads_like_h5py():
    path = corpus_path("nwb/minimal.annotations.nwb")
    ds = load(path)
    assert labels.is_labels(ds)
    training = "processing/behavior/PoseTraining/training_frames"
    with h5py.File(path) as h5:
        frames = h5[training]
        assert ds.sizes["time"] == len(frames)
        nodes = h5["processing/behavior/Skeletons/skeleton_0/nodes"].asstr()[()].tolist()
        assert ds.keypoint.values.tolist() == nodes
        count = max(len(frames[f]["skeleton_instances"]) for f in frames)
        assert ds.sizes["individual"] == count
        video = h5["processing/behavior/PoseTraining/source_videos/video_0/external_file"]
        for row, name in enumerate(sorted(frames)):
            frame = frames[name]
            assert ds.frame.values[row] == frame.attrs["source_video_frame_index"]
            assert ds.video.values[row] == video.asstr()[0]
            for instance in frame["skeleton_instances"].values():
                who = f"untracked_{int(instance.attrs['id'])}"
                np.testing.assert_array_equal(
                    ds.position.isel(time=row).sel(individual=who).values.T,
                    instance["node_locations"][()],
                )


CHAIN_FRAMES = 120


def every_labels_file() -> list:
    params = [*DLC_LABELS]
    if CORPUS.is_dir():
        params += [pytest.param(CORPUS / "sleap_slp" / n, id=n) for n in sorted(SLP_LABELS)]
        params.append(pytest.param(CORPUS / "nwb" / "minimal.annotations.nwb", id="nwb"))
    return params


def comparable(ds: xr.Dataset) -> xr.Dataset:
    """What every labels format keeps: visible points, names, frames and references."""
    flags = xr.DataArray(labels.point_flags(ds), dims=("time", "keypoint", "individual"))
    kept = ds[["position"]].assign(position=ds.position.where(flags))
    return kept.assign_attrs({}).reset_coords()[["position", "video", "frame", "image_path"]]


@pytest.mark.parametrize("path", every_labels_file())
def test_labels_survive_every_chain_of_formats(path, tmp_path):
    ds = load(path, **({"instances": "user"} if path.suffix == ".slp" else {}))
    ds.to_netcdf(tmp_path / "as_is.nc", engine="h5netcdf")
    if ds.sizes["time"] > CHAIN_FRAMES:  # NWB writes a group per frame: keep the test quick
        ds = ds.isel(time=slice(0, CHAIN_FRAMES))
    expected = comparable(ds)
    images = bool((ds.image_path.values != "").all())
    chains = [
        ["slp", "nwb", "h5"],  # e.g. DeepLabCut -> SLEAP -> NWB -> DeepLabCut
        ["nwb", "slp", "nwb"],
        ["csv", "nwb", "slp"],
    ]
    for chain in chains:
        current = ds
        for step, suffix in enumerate(chain):
            target = tmp_path / f"{'_'.join(chain)}_{step}.{suffix}"
            posebridge.save(current, target)
            current = load(target, **({"instances": "user"} if suffix == "slp" else {}))
            assert labels.is_labels(current)
            assert current.keypoint.values.tolist() == ds.keypoint.values.tolist()
            if suffix in ("csv", "h5") and ds.sizes["individual"] == 1:
                # a single-animal DeepLabCut file has no individuals level: movement's name
                assert current.individual.values.tolist() == ["individual_0"]
                current = current.assign_coords(individual=ds.individual.values)
            assert current.individual.values.tolist() == ds.individual.values.tolist()
            got = comparable(current)
            if suffix in ("csv", "h5") and not images:
                # DeepLabCut names each frame by an image: a video's path becomes its folder
                stems = [labels.UNKNOWN_VIDEO if v == "" else v for v in ds.video.values]
                folders = [f"labeled-data/{Path(v).stem}" for v in stems]
                assert got.video.values.tolist() == folders
                assert got.frame.values.tolist() == ds.frame.values.tolist()
                xr.testing.assert_equal(got.position, expected.position)
                current = current.assign_coords(video=ds.video, image_path=ds.image_path)
                continue
            xr.testing.assert_equal(got, expected)
