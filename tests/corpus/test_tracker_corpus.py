"""The second-wave tracker files of the corpus (SLEAP CSV, TRex, idtracker.ai, DANNCE):
every file reads, with expectations taken from the file itself (csv, numpy, scipy)."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import numpy as np
import pytest
import scipy.io

import posebridge
from _corpus import corpus_params, corpus_path
from posebridge.errors import FormatError
from posebridge.formats import trex

# --------------------------------------------------------------------------
# SLEAP analysis CSV


def _csv_rows(path: Path) -> tuple[list[str], list[list[str]]]:
    with path.open(newline="") as handle:
        rows = list(csv.reader(handle))
    return rows[0], rows[1:]


def _number(text: str) -> float:
    return float("nan") if text in ("", "nan") else float(text)


@pytest.mark.parametrize("path", corpus_params("sleap_csv", "*.csv"))
def test_sleap_csv_corpus_reads_every_row(path: Path):
    header, rows = _csv_rows(path)
    nodes = [c[: -len(".x")] for c in header[3::3]]
    ds = posebridge.load(path)
    assert ds.attrs["source_software"] == "SLEAP"
    assert ds.keypoint.values.tolist() == nodes
    tracks = sorted({r[0] for r in rows if r[0]})
    if tracks:
        assert sorted(ds.individual.values.tolist()) == tracks
    else:
        assert ds.individual.values.tolist() == ["untracked_0"]
    assert ds.time.values.tolist() == list(range(max(int(r[1]) for r in rows) + 1))
    for row in rows:
        who = row[0] or "untracked_0"
        frame = int(row[1])
        values = np.array([_number(v) for v in row[3:]]).reshape(len(nodes), 3)
        got = ds.position.sel(time=frame, individual=who).transpose("keypoint", "space").values
        np.testing.assert_array_equal(got, values[:, :2])
        np.testing.assert_array_equal(
            ds.confidence.sel(time=frame, individual=who).values, values[:, 2]
        )
        if "instance_score" in ds:
            np.testing.assert_array_equal(
                ds.instance_score.sel(time=frame, individual=who).values, _number(row[2])
            )
    occupied = {(int(r[1]), r[0] or "untracked_0") for r in rows}
    n_empty = ds.sizes["time"] * ds.sizes["individual"] - len(occupied)
    assert int(np.isnan(ds.position).all(dim=("space", "keypoint")).sum()) >= n_empty


def test_sleap_csv_gui_export_keeps_zero_scores_of_missing_points():
    path = corpus_path("sleap_csv/new_video.v002.000_mice_new.analysis.csv")
    _, rows = _csv_rows(path)
    missing = [(int(r[1]), r[0], i) for r in rows for i in range(3) if r[3 + 3 * i] == ""]
    assert len(missing) == 74  # PROVENANCE: 74 missing points written as empty x,y, score 0.0
    ds = posebridge.load(path)
    for frame, track, node in missing:
        point = ds.isel(keypoint=node).sel(time=frame, individual=track)
        assert np.isnan(point.position).all() and point.confidence == 0.0


def test_sleap_csv_round_trips_through_its_writer(tmp_path: Path):
    path = corpus_path("sleap_csv/new_video.v002.000_mice_new.analysis.csv")
    ds = posebridge.load(path)
    (written,) = posebridge.save(ds, tmp_path / "again.analysis.csv")
    back = posebridge.load(written)
    for name in ("position", "confidence", "instance_score"):
        np.testing.assert_array_equal(back[name].values, ds[name].values)
    # and the analysis .h5 of the same data reads equal
    (h5,) = posebridge.save(ds, tmp_path / "again.analysis.h5")
    from_h5 = posebridge.load(h5)
    for name in ("position", "confidence", "instance_score"):
        np.testing.assert_array_equal(from_h5[name].values, ds[name].values)


def test_sleap_csv_pairs_with_its_slp_labels():
    """minimal_instance.000_...analysis.csv is SLEAP's export of minimal_instance.slp: two
    untracked user instances, of which the one-column export keeps the last (sleap#1853)."""
    import h5py

    with h5py.File(corpus_path("sleap_slp/minimal_instance.slp"), "r") as h5:
        instances, points = h5["instances"][()], h5["points"][()]
    last = instances[-1]
    rows = points[last["point_id_start"] : last["point_id_end"]]
    expected = np.stack([rows["x"], rows["y"]], axis=1)
    ds = posebridge.load(
        corpus_path("sleap_csv/minimal_instance.000_centered_pair_low_quality.analysis.csv")
    )
    got = ds.position.sel(time=0, individual="untracked_0").transpose("keypoint", "space")
    np.testing.assert_array_equal(got.values, expected)
    assert "instance_score" not in ds  # user instances: SLEAP writes nan


# --------------------------------------------------------------------------
# TRex


def test_trex_folder_reads_both_fish_from_their_npz():
    folder = corpus_path("trex")
    ds = posebridge.load(folder)
    assert ds.individual.values.tolist() == ["fish0", "fish1"]
    assert ds.keypoint.values.tolist() == ["centroid", "head"]
    for fish in ("fish0", "fish1"):
        with np.load(folder / f"test_{fish}.npz") as z:
            frames = z["frame"].astype(int)
            missing = z["missing"] == 1
            for keypoint, (xn, yn) in {
                "centroid": ("X#wcentroid", "Y#wcentroid"),
                "head": ("X", "Y"),
            }.items():
                expected = np.stack([z[xn], z[yn]], axis=1).astype(np.float64)
                expected[~np.isfinite(expected) | missing[:, None]] = np.nan
                got = ds.position.sel(individual=fish, keypoint=keypoint)
                got = got.set_index(time="frame").sel(time=frames).transpose("time", "space")
                np.testing.assert_array_equal(got.values, expected)
            np.testing.assert_allclose(
                ds.time.values[np.searchsorted(ds.frame.values, frames)],
                z["timestamp"].astype(np.float64) / 1e6,
            )
    assert "frame_segments" not in ds and "segment_vxys" not in ds


@pytest.mark.parametrize("path", corpus_params("trex", "*.npz"))
def test_trex_single_npz_reads_its_individual(path: Path):
    ds = posebridge.load(path)
    assert ds.individual.values.tolist() == [path.stem.rsplit("_", 1)[1]]
    with np.load(path) as z:
        assert ds.sizes["time"] == z["frame"].size
        assert int(np.isnan(ds.position.sel(keypoint="centroid", space="x")).sum()) == int(
            np.count_nonzero(~np.isfinite(z["X#wcentroid"]) | (z["missing"] == 1))
        )


def test_trex_csv_without_y_fails_cleanly():
    path = corpus_path("trex/test_fish0_trex2025_xonly.csv")
    with pytest.raises(FormatError, match="not 'Y#wcentroid'") as error:
        trex.read(path)
    assert str(path) in str(error.value)


# --------------------------------------------------------------------------
# idtracker.ai


def _trusted_npy_dict(path: Path) -> dict:
    """The corpus files are vetted byte copies (sha256 in PROVENANCE.md): read here with
    numpy's own pickle loading as an independent oracle for posebridge's restricted
    reader (never done on untrusted files)."""
    return np.load(path, allow_pickle=True, encoding="latin1").item()


@pytest.mark.parametrize("path", corpus_params("idtracker", "*.npy"))
def test_idtracker_corpus_matches_the_pickled_dict(path: Path):
    data = _trusted_npy_dict(path)
    ds = posebridge.load(path)
    n_frames, n_animals, _ = data["trajectories"].shape
    assert ds.individual.values.tolist() == [f"id_{i + 1}" for i in range(n_animals)]
    np.testing.assert_array_equal(
        ds.position.sel(keypoint="centroid").transpose("time", "individual", "space").values,
        data["trajectories"],
    )
    np.testing.assert_array_equal(
        ds.confidence.sel(keypoint="centroid").values, data["id_probabilities"][:, :, 0]
    )
    assert ds.attrs["fps"] == float(data["frames_per_second"])
    assert ds.attrs["body_length"] == float(data["body_length"])
    assert ds.frame.values.tolist() == list(range(n_frames))
    if "areas" in data:
        np.testing.assert_array_equal(ds.area.values, data["areas"])


# --------------------------------------------------------------------------
# DANNCE


@pytest.mark.parametrize("path", corpus_params("dannce", "*/save_data_*.mat"))
def test_dannce_predictions_match_scipy(path: Path):
    mat = scipy.io.loadmat(path)
    skeleton = corpus_path("dannce/mouse22_skeleton.mat")
    names = [str(n[0]) for n in scipy.io.loadmat(skeleton)["joint_names"].ravel()]
    ds = posebridge.load(path, skeleton=skeleton)
    assert ds.keypoint.values.tolist() == names
    assert ds.sizes["keypoint"] == mat["pred"].shape[2]  # K from the data
    assert ds.time.values.tolist() == mat["sampleID"].ravel().astype(int).tolist()
    np.testing.assert_array_equal(ds.position.values[..., 0], mat["pred"])
    np.testing.assert_array_equal(ds.confidence.values[..., 0], mat["p_max"])
    edges = scipy.io.loadmat(skeleton)["joints_idx"].astype(int) - 1
    assert ds.skeleton_edges.values.tolist() == [[names[a], names[b]] for a, b in edges]


def test_dannce_sample_ids_become_frames_with_the_sync_of_the_demo(tmp_path: Path):
    """The demo's sampleIDs (1, 11, ... 9991) are makeSyncFiles ids at 100 fps: its
    label3d_demo.mat (spoonsso/dannce demo/markerless_mouse_1) pairs data_frame 0..17999
    with data_sampleID = frame * 10 + 1. Built here as makeSyncFiles.py writes it."""
    path = corpus_path("dannce/markerless_mouse_1/save_data_AVG.mat")
    ids = scipy.io.loadmat(path)["sampleID"].ravel()
    with pytest.warns(UserWarning, match="not frame numbers"):
        plain = posebridge.load(path)
    assert plain.time.values.tolist() == ids.astype(int).tolist()
    frame = np.arange(18000, dtype=np.float64)[:, None]
    sync = tmp_path / "Camera1_sync.mat"
    scipy.io.savemat(sync, {"data_frame": frame, "data_sampleID": frame * (1000.0 / 100) + 1})
    ds = posebridge.load(path, sync=sync, fps=100)
    assert ds.frame.values.tolist() == ((ids - 1) / 10).astype(int).tolist()
    assert ds.frame.values.tolist() == list(range(1000))
    np.testing.assert_allclose(ds.time.values, np.arange(1000) / 100)
    assert ds.sample_id.values.tolist() == ids.astype(int).tolist()


def test_dannce_without_skeleton_names_markers_by_number():
    path = corpus_path("dannce/touchstones/save_data_AVG_MAX.mat")
    ds = posebridge.load(path)
    k = scipy.io.loadmat(path)["pred"].shape[2]
    assert ds.keypoint.values.tolist() == [f"marker_{i}" for i in range(k)]


def test_dannce_com3d_is_one_com_keypoint():
    path = corpus_path("dannce/markerless_mouse_1/com3d.mat")
    mat = scipy.io.loadmat(path)
    ds = posebridge.load(path)
    assert ds.keypoint.values.tolist() == ["com"]
    np.testing.assert_array_equal(ds.position.values[:, :, 0, 0], mat["com"])
    assert ds.time.values.tolist() == mat["sampleID"].ravel().tolist()


# --------------------------------------------------------------------------
# posebridge info on every file


@pytest.mark.parametrize(
    ("relative", "name"),
    [
        ("sleap_csv/new_video.v002.000_mice_new.analysis.csv", "sleap-csv"),
        ("trex", "trex"),
        ("trex/test_fish1.npz", "trex"),
        ("idtracker/trajectories_with_points.npy", "idtracker"),
        ("dannce/markerless_mouse_1/com3d.mat", "dannce"),
        ("dannce/touchstones/save_data_AVG_MAX.mat", "dannce"),
    ],
)
def test_info_shows_the_tracker_files(relative: str, name: str):
    from click.testing import CliRunner

    from posebridge.cli import cli

    result = CliRunner().invoke(cli, ["info", str(corpus_path(relative))])
    assert result.exit_code == 0, result.output
    assert re.search(rf"^format +{re.escape(name)} ", result.output, re.MULTILINE)
    assert "file contents" in result.output  # the format's own description
