"""Real SLEAP files: every .slp and analysis .h5 loads and agrees with sleap-io and h5py.

Expectations come from the files themselves (h5py) or from sleap-io's own reading
(its objects and its documented rule: per frame and track, user instances
override predicted ones, the last of each kind wins).
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

import h5py
import numpy as np
import pytest
import xarray as xr

import posebridge
from _corpus import corpus_params, corpus_path
from posebridge.formats import sleap

SLP_FILES = corpus_params("sleap_slp", "*.slp")
ANALYSIS_FILES = corpus_params("sleap_analysis_h5", "*.h5")
TWINS = [
    ("centered_pair_predictions.sleap-io.slp", "centered_pair_matlab.analysis.h5"),
    ("centered_pair_predictions.sleap-io.slp", "centered_pair_standard.analysis.h5"),
    ("centered_pair_predictions.slp", "centered_pair_matlab.analysis.h5"),
    ("predictions.slp", "predictions.analysis.h5"),
    ("minimal_back_proofread.slp", "minimal_back_proofread.analysis.h5"),
]


def load(path: Path, **options: Any) -> xr.Dataset:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # untracked instances warn
        return posebridge.load(path, **options)


def format_id(path: Path) -> float:
    with h5py.File(path) as h5:
        return float(h5["metadata"].attrs["format_id"])


def expected_from_sleap_io(labels: Any, ds: xr.Dataset) -> dict[str, np.ndarray]:
    """Arrays in our layout, filled from sleap-io's objects by sleap-io's selection rule."""
    import sleap_io as sio

    times = {int(t): i for i, t in enumerate(ds.time.values)}
    individuals = {str(n): i for i, n in enumerate(ds.individual.values)}
    n_nodes = ds.sizes["keypoint"]
    shape = (ds.sizes["time"], ds.sizes["individual"])
    out = {
        "position": np.full((*shape, n_nodes, 2), np.nan),
        "confidence": np.full((*shape, n_nodes), np.nan),
        "instance_score": np.full(shape, np.nan),
        "tracking_score": np.full(shape, np.nan),
    }
    for lf in labels.labeled_frames:
        if lf.video is not labels.videos[0]:
            continue
        chosen: dict[str, Any] = {}
        for inst in [*lf.predicted_instances, *lf.user_instances]:  # users override
            if inst.track is not None:
                chosen[inst.track.name] = inst
        users = [inst for inst in lf.user_instances if inst.track is None]
        linked = {id(u.from_predicted) for u in lf.user_instances if u.from_predicted}
        predicted = [p for p in lf.predicted_instances if p.track is None and id(p) not in linked]
        for rank, inst in enumerate(users + predicted):
            chosen[f"untracked_{rank}"] = inst
        for name, inst in chosen.items():
            at = (times[lf.frame_idx], individuals[name])
            out["position"][at] = inst.numpy()
            if type(inst) is sio.PredictedInstance:
                out["confidence"][at] = inst.numpy(scores=True)[:, 2]
                out["instance_score"][at] = inst.score
            if inst.tracking_score is not None:
                out["tracking_score"][at] = inst.tracking_score
    return out


@pytest.mark.parametrize("path", SLP_FILES)
def test_slp_agrees_with_sleap_io(path):
    sio = pytest.importorskip("sleap_io")
    ds = load(path, instances="prefer_user")  # poses of the video
    labels = sio.load_slp(str(path), open_videos=False)
    assert len(labels.videos) == 1
    skeleton = labels.skeletons[0]
    assert ds.keypoint.values.tolist() == [n.name for n in skeleton.nodes]
    assert ds.individual.values.tolist()[: len(labels.tracks)] == [t.name for t in labels.tracks]
    frames = sorted({lf.frame_idx for lf in labels.labeled_frames})
    assert ds.time.values.tolist() == frames

    expected = expected_from_sleap_io(labels, ds)
    ours = ds.position.transpose("time", "individual", "keypoint", "space").values
    np.testing.assert_allclose(ours, expected["position"], rtol=0, atol=1e-9)
    np.testing.assert_allclose(
        ds.confidence.transpose("time", "individual", "keypoint").values,
        expected["confidence"],
        rtol=1e-6,
    )
    if "instance_score" in ds:
        np.testing.assert_allclose(ds.instance_score.values, expected["instance_score"], 1e-6)
    else:
        assert np.isnan(expected["instance_score"]).all()
    if format_id(path) >= 1.2 and "tracking_score" in ds:
        np.testing.assert_allclose(ds.tracking_score.values, expected["tracking_score"], 1e-6)
    elif format_id(path) < 1.2:
        assert "tracking_score" not in ds  # sleap-io invents 0.0 for these files


@pytest.mark.parametrize("path", SLP_FILES)
def test_slp_skeleton_agrees_with_sleap_io(path):
    sio = pytest.importorskip("sleap_io")
    ds = load(path, instances="prefer_user")  # poses of the video
    skeleton = sio.load_slp(str(path), open_videos=False).skeletons[0]
    edges = {(e.source.name, e.destination.name) for e in skeleton.edges}
    ours = {tuple(p) for p in ds.skeleton_edges.values} if "skeleton_edges" in ds else set()
    assert ours == edges
    symmetries = {frozenset(n.name for n in s.nodes) for s in skeleton.symmetries}
    found = (
        {frozenset(p) for p in ds.skeleton_symmetries.values}
        if "skeleton_symmetries" in ds
        else set()
    )
    assert found == symmetries


@pytest.mark.parametrize("path", SLP_FILES)
def test_slp_video_path_is_the_files(path):
    """The stored path with Windows separators as "/" (as sleap-io reads it); an image
    sequence's first image (sleap-io's name for it, not the backend's "filename")."""
    ds = load(path, instances="prefer_user")  # poses of the video

    def slashed(text: str) -> str:
        return text.replace("\\", "/")

    with h5py.File(path) as h5:
        video = json.loads(h5["videos_json"][0])
        backend = video["backend"]
        if backend["filename"] == ".":  # embedded frames: the source video is named
            group = h5[backend["dataset"].split("/")[0]]
            source = json.loads(group["source_video"].attrs["json"])
            assert ds.attrs["video_path"] == slashed(source["backend"]["filename"])
            frames = h5[backend["dataset"]]
            assert ds.attrs["video_width"] == int(frames.attrs["width"])
            assert ds.attrs["video_height"] == int(frames.attrs["height"])
        elif backend.get("filenames"):  # an image sequence
            assert ds.attrs["video_path"] == slashed(backend["filenames"][0])
        else:
            assert ds.attrs["video_path"] == slashed(backend["filename"])
        if "height_" in backend:  # image sequence
            assert (ds.attrs["video_width"], ds.attrs["video_height"]) == (
                backend["width_"],
                backend["height_"],
            )


def test_slp_count_of_instances_matches_the_table():
    path = corpus_path("sleap_slp/centered_pair_predictions.slp")
    ds = load(path)
    with h5py.File(path) as h5:
        instances = h5["instances"][()]
    # all predicted and tracked, one per frame and track: every one lands in the dataset
    present = ds.position.notnull().any(dim=("space", "keypoint")).sum().item()
    assert present == len(instances) == 2274


@pytest.mark.parametrize(
    "name",
    ["minimal_instance.slp", "small_robot_siv_caching.slp", "test_grid_labels.legacy.slp"],
)
def test_predictions_of_a_file_without_any_read_as_no_individuals(name):
    path = corpus_path(f"sleap_slp/{name}")
    with h5py.File(path) as h5:
        kinds = h5["instances"]["instance_type"]
        nodes = json.loads(h5["metadata"].attrs["json"])["nodes"]
    assert not np.any(kinds == 1)  # the file holds user instances only
    ds = load(path, instances="predicted")
    assert ds.sizes["individual"] == 0
    assert ds.individual.dtype.kind == "U"
    assert ds.sizes["keypoint"] == len(nodes) > 0


def test_nan_points_flagged_visible_are_missing_in_centered_pair():
    path = corpus_path("sleap_slp/centered_pair_predictions.sleap-io.slp")
    with h5py.File(path) as h5:
        points = h5["pred_points"][()]
    nan_visible = np.isnan(points["x"]) & points["visible"]
    assert nan_visible.sum() == 5956
    ds = load(path)
    assert ds.position.isnull().sum().item() >= 2 * 5956


@pytest.mark.parametrize("path", SLP_FILES)
def test_slp_round_trips_through_our_writer(path, tmp_path):
    """.slp -> posebridge -> .slp -> posebridge is exact, and stays exact when repeated."""
    first = load(path)
    out = tmp_path / path.name
    sleap.slp_write.write(first, out)
    second = load(out)
    again = tmp_path / f"again_{path.name}"
    sleap.slp_write.write(second, again)
    third = load(again)
    for ds in (first, second, third):
        ds.attrs.pop("source_file")
    xr.testing.assert_identical(second, first)
    xr.testing.assert_identical(third, second)


# --------------------------------------------------------------------------
# analysis .h5


def tracks_from_h5py(path: Path) -> np.ndarray:
    """tracks as (frame, track, node, xy), from the file's dims (SLEAP's order without)."""
    with h5py.File(path) as h5:
        tracks = h5["tracks"][()]
        dims = json.loads(h5["tracks"].attrs.get("dims", '["track", "xy", "node", "frame"]'))
    return np.transpose(tracks, [dims.index(d) for d in ("frame", "track", "node", "xy")])


@pytest.mark.parametrize("path", ANALYSIS_FILES)
def test_analysis_agrees_with_h5py(path):
    ds = load(path, format="sleap")
    expected = tracks_from_h5py(path)
    with h5py.File(path) as h5:
        names = [n.decode() for n in h5["track_names"][()]] if h5["track_names"].size else []
        nodes = [n.decode() for n in h5["node_names"][()]]
        video = h5["video_path"][()].decode() if "video_path" in h5 else None
    np.testing.assert_array_equal(
        ds.position.transpose("time", "individual", "keypoint", "space").values, expected
    )
    assert ds.time.values.tolist() == list(range(expected.shape[0]))
    assert ds.keypoint.values.tolist() == nodes
    assert ds.individual.values.tolist() == (names or ["untracked_0"])
    if video:
        assert ds.attrs["video_path"] == video


@pytest.mark.parametrize("path", ANALYSIS_FILES)
def test_analysis_agrees_with_sleap_io_where_it_reads(path):
    sio = pytest.importorskip("sleap_io")
    with h5py.File(path) as h5:
        if "point_scores" not in h5:
            pytest.skip("sleap-io cannot read analysis files without point_scores")
    labels = sio.load_analysis_h5(str(path))
    ds = load(path, format="sleap")
    theirs = labels.numpy(untracked=not labels.tracks, return_confidence=True)
    ours = ds.position.transpose("time", "individual", "keypoint", "space").values
    n = theirs.shape[0]
    np.testing.assert_allclose(ours[:n], theirs[..., :2], rtol=1e-6)
    confidence = ds.confidence.transpose("time", "individual", "keypoint").values[:n]
    has_instance = ~np.isnan(theirs[..., 0]).all(axis=2)
    np.testing.assert_allclose(confidence[has_instance], theirs[..., 2][has_instance], rtol=1e-6)
    assert {tuple(e) for e in ds.skeleton_edges.values} == {
        (e.source.name, e.destination.name) for e in labels.skeletons[0].edges
    }


@pytest.mark.parametrize(("slp_name", "analysis_name"), TWINS)
def test_slp_and_analysis_twins_agree(slp_name, analysis_name):
    labels = load(corpus_path(f"sleap_slp/{slp_name}"))
    analysis = load(corpus_path(f"sleap_analysis_h5/{analysis_name}"))
    assert analysis.keypoint.values.tolist() == labels.keypoint.values.tolist()
    same = analysis.sel(time=labels.time, individual=labels.individual)
    np.testing.assert_allclose(same.position.values, labels.position.values, rtol=1e-12)
    if not analysis.confidence.isnull().all():
        np.testing.assert_allclose(same.confidence.values, labels.confidence.values, rtol=1e-6)
    for name in ("instance_score", "tracking_score"):
        if name in analysis and name in labels:
            np.testing.assert_allclose(same[name].values, labels[name].values, rtol=1e-6)
    # frames the .slp does not list are empty in the analysis file
    extra = np.setdiff1d(analysis.time.values, labels.time.values)
    assert analysis.position.sel(time=extra).isnull().all()
    if "skeleton_edges" in analysis:
        assert {tuple(e) for e in analysis.skeleton_edges.values} == {
            tuple(e) for e in labels.skeleton_edges.values
        }


def test_minimal_back_edges_are_sleaps_edges_in_sleap_ios_order():
    # the analysis file was written by SLEAP 1.x itself, which lists the edges by
    # edge_insert_idx; the .slp is read in its links order, as sleap-io lists them
    labels = load(corpus_path("sleap_slp/minimal_back_proofread.slp"))
    analysis = load(corpus_path("sleap_analysis_h5/minimal_back_proofread.analysis.h5"))
    ours = labels.skeleton_edges.values.tolist()
    assert sorted(ours) == sorted(analysis.skeleton_edges.values.tolist())
    assert ours[-1] == ["Head", "Ear_L"]  # SLEAP lists TTI-TailTip last (inserted last)
    assert analysis.skeleton_edges.values.tolist()[-1] == ["TTI", "TailTip"]


@pytest.mark.parametrize("path", ANALYSIS_FILES)
def test_analysis_round_trips_through_our_writer(path, tmp_path):
    ds = load(path, format="sleap")
    out = tmp_path / "out.analysis.h5"
    sleap.analysis_write.write(ds, out)
    back = load(out)
    ds.attrs.pop("source_file")
    back.attrs.pop("source_file")
    xr.testing.assert_identical(back, ds)


@pytest.mark.parametrize("path", SLP_FILES)
def test_slp_converts_to_analysis_keeping_the_poses(path, tmp_path):
    ds = load(path, instances="prefer_user")  # poses of the video
    if ds.sizes["time"] == 0:
        pytest.skip("no frames")
    out = tmp_path / "converted.analysis.h5"
    posebridge.save(ds, out)
    back = load(out).sel(time=ds.time)
    np.testing.assert_array_equal(back.position.values, ds.position.values)
    np.testing.assert_array_equal(back.confidence.values, ds.confidence.values)
