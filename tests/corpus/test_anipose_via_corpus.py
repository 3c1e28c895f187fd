"""Real Anipose and VIA tracks files: read as the files say, written back unchanged."""

from __future__ import annotations

import csv
import json

import numpy as np
import pandas as pd
import pytest

import posebridge
from _corpus import corpus_params, corpus_path

ANIPOSE = corpus_params("anipose_csv", "*.csv")


def _keypoints_from_header(path) -> list[str]:
    header = path.read_text().splitlines()[0].split(",")
    return [column[:-2] for column in header if column.endswith("_x")]


@pytest.mark.parametrize("path", ANIPOSE)
def test_anipose_file_reads_every_column(path):
    assert posebridge.detect(path) == "anipose"
    ds = posebridge.load(path)
    table = pd.read_csv(path)
    keypoints = _keypoints_from_header(path)
    assert ds.keypoint.values.tolist() == keypoints  # the file's order
    assert ds.time.values.tolist() == table["fnum"].tolist()
    assert ds.position.dims == ("time", "space", "keypoint", "individual")
    for kp in keypoints:
        got = ds.sel(keypoint=kp, individual="id_0")
        for axis in "xyz":
            np.testing.assert_array_equal(got.position.sel(space=axis), table[f"{kp}_{axis}"])
        np.testing.assert_array_equal(got.confidence, table[f"{kp}_score"])
        np.testing.assert_array_equal(got.reprojection_error, table[f"{kp}_error"])
        np.testing.assert_array_equal(got.camera_count, table[f"{kp}_ncams"])
    m = table[[f"M_{r}{c}" for r in range(3) for c in range(3)]].iloc[0].to_numpy()
    np.testing.assert_array_equal(ds.attrs["anipose_alignment_matrix"], m)


@pytest.mark.parametrize("path", ANIPOSE)
def test_anipose_missing_value_style(path):
    ds = posebridge.load(path)
    xyz_missing = ds.position.isnull().any("space")
    if "optim" in path.name:  # the optimiser fills every point; only error/score can be empty
        assert not xyz_missing.any()
        assert ds.camera_count.notnull().all()
    else:  # without optim a point seen by fewer than 2 cameras is empty in every column
        assert xyz_missing.any()
        np.testing.assert_array_equal(xyz_missing, ds.camera_count.isnull())


@pytest.mark.parametrize("path", ANIPOSE)
def test_anipose_file_is_written_back_byte_for_byte(tmp_path, path):
    out = tmp_path / path.name
    posebridge.save(posebridge.load(path), out, format="anipose")
    assert out.read_bytes() == path.read_bytes()


def _via_rows(path):
    with open(path, newline="") as handle:
        return list(csv.DictReader(handle))


def test_crabs_via_file_with_float_string_track_ids():
    path = corpus_path("via_csv/crabs_gt_test.csv")
    assert posebridge.detect(path) == "via"
    ds = posebridge.load(path, use_frame_numbers_from_file=True)
    rows = _via_rows(path)
    tracks = sorted({int(float(json.loads(r["region_attributes"])["track"])) for r in rows})
    assert ds.individual.values.tolist() == [f"id_{t}" for t in tracks]
    assert ds.time.values.tolist() == [11, 21]  # from frame_00000011.png, frame_00000021.png
    for row in rows:
        shape = json.loads(row["region_shape_attributes"])
        track = int(float(json.loads(row["region_attributes"])["track"]))
        frame = int(row["filename"].split("_")[1].split(".")[0])
        box = ds.sel(time=frame, individual=f"id_{track}")
        centre = [shape["x"] + shape["width"] / 2, shape["y"] + shape["height"] / 2]
        np.testing.assert_array_equal(box.position, centre)
        np.testing.assert_array_equal(box.shape, [shape["width"], shape["height"]])
    assert int(ds.position.notnull().all("space").sum()) == len(rows)


def test_crabs_via_file_default_time_keeps_the_gap():
    ds = posebridge.load(corpus_path("via_csv/crabs_gt_test.csv"))
    assert ds.time.values.tolist() == [0, 10]
    assert ds.frame.values.tolist() == [11, 21]


def test_crabs_via_file_round_trip(tmp_path):
    path = corpus_path("via_csv/crabs_gt_test.csv")
    ds = posebridge.load(path, use_frame_numbers_from_file=True)
    out = tmp_path / "crabs.csv"
    posebridge.save(ds, out, format="via")
    assert [r["filename"] for r in _via_rows(out)] == [r["filename"] for r in _via_rows(path)]
    back = posebridge.load(out, use_frame_numbers_from_file=True)
    np.testing.assert_allclose(back.position, ds.position, atol=1e-6, rtol=0)
    np.testing.assert_array_equal(back.shape, ds.shape)
    assert back.time.values.tolist() == ds.time.values.tolist()
