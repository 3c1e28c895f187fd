"""NWB files of datasets shorter than their space dim pass nwbinspector and read back exactly.

nwbinspector's ``check_data_orientation`` (CRITICAL) flags a series whose data
has fewer rows (times) than columns (x, y[, z]): a 1-frame 2D dataset, a 2-frame
3D one. The writer pads such series with rows of NaN after the last time,
marked in the series' comments; posebridge drops them on reading.
"""

from __future__ import annotations

import warnings

import h5py
import numpy as np
import pytest

import posebridge

nwbinspector = pytest.importorskip("nwbinspector")

SUBJECT = {"species": "Mus musculus", "sex": "M", "age": "P90D"}


def _findings(path):
    bad = (nwbinspector.Importance.CRITICAL, nwbinspector.Importance.BEST_PRACTICE_VIOLATION)
    return [
        (m.importance.name, m.check_function_name, m.message)
        for m in nwbinspector.inspect_nwbfile(nwbfile_path=str(path))
        if m.importance in bad
    ]


@pytest.mark.parametrize(
    "n_frames, n_space, fps",
    [
        (1, 2, None),
        (1, 2, 30.0),
        (1, 3, 30.0),
        (2, 3, None),
        (2, 3, 30.0),
        (3, 2, 30.0),
    ],
)
def test_no_dataset_length_gives_critical_or_best_practice_findings(
    tmp_path, n_frames, n_space, fps
):
    rng = np.random.default_rng(n_frames)
    ds = posebridge.from_numpy(
        rng.uniform(0, 100, size=(n_frames, n_space, 3, 1)),
        rng.uniform(0, 1, size=(n_frames, 3, 1)),
        fps=fps,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # frames written as seconds
        written = posebridge.save(ds, tmp_path / "short.nwb", **SUBJECT)
    for path in written:
        assert _findings(path) == []
    back = posebridge.load(written)
    assert back.sizes["time"] == n_frames
    np.testing.assert_allclose(back.position.values, ds.position.values)
    np.testing.assert_allclose(back.confidence.values, ds.confidence.values, rtol=1e-6)
    np.testing.assert_allclose(back.time.values, ds.time.values)


def test_a_one_frame_series_is_padded_with_nan_rows_and_marked(tmp_path):
    ds = posebridge.from_numpy(np.ones((1, 2, 1, 1)), fps=10.0)
    (path,) = posebridge.save(ds, tmp_path / "one.nwb", **SUBJECT)
    with h5py.File(path, "r") as h5:
        container = h5["processing/behavior/PoseEstimation"]
        (name,) = [k for k in container if "data" in getattr(container.get(k), "keys", list)()]
        data = container[name]["data"][()]
        comments = container[name].attrs["comments"]
    assert data.shape == (2, 2)  # time stays the longest axis
    np.testing.assert_array_equal(data[0], [1.0, 1.0])
    assert np.isnan(data[1]).all()
    assert "padding_rows=1" in comments


def test_single_frame_file_read_by_pynwb(tmp_path):
    pynwb = pytest.importorskip("pynwb")
    ds = posebridge.from_numpy(np.full((1, 2, 2, 1), 5.0), fps=25.0)
    (path,) = posebridge.save(ds, tmp_path / "one.nwb", **SUBJECT)
    with pynwb.NWBHDF5IO(str(path), "r") as io:
        nwbfile = io.read()
        container = nwbfile.processing["behavior"]["PoseEstimation"]
        for series in container.pose_estimation_series.values():
            assert series.data.shape[0] >= series.data.shape[1]
            assert series.data[0].tolist() == [5.0, 5.0]


def test_a_dataset_without_frames_is_refused_not_written(tmp_path):
    """No file, so no finding: an empty PoseEstimation would read back without keypoints."""
    ds = posebridge.from_numpy(np.zeros((0, 2, 3, 1)), np.zeros((0, 3, 1)))
    with pytest.raises(posebridge.PoseBridgeError, match="no time steps"):
        posebridge.save(ds, tmp_path / "empty.nwb", **SUBJECT)
    assert list(tmp_path.iterdir()) == []
