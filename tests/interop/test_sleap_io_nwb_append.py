"""Files sleap-io's NWB writer made, read by posebridge after posebridge appended to them."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import posebridge
from _sleap_io_labels import labels_of
from posebridge import model
from posebridge.io import nwb

pytestmark = pytest.mark.interop
sio = pytest.importorskip("sleap_io")


def labels_of_eleven_numbered_tracks():
    """2 frames of ``track_0`` .. ``track_10`` (sleap-io writes them as HDF5 sorts names)."""
    tracks = [sio.Track(f"track_{i}") for i in range(11)]
    return labels_of({0: tracks, 1: tracks}, lambda t, frame: 10.0 * t + frame)


@pytest.fixture
def sleap_io_file_with_an_appended_individual(tmp_path):
    labels = labels_of_eleven_numbered_tracks()
    path = tmp_path / "sio.nwb"
    newcomer = model.from_numpy(
        np.full((2, 2, 2, 1), 5.0),
        np.ones((2, 2, 1)),
        individual_names=["newcomer"],
        keypoint_names=["head", "tail"],
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sio.save_nwb(labels, str(path))
        posebridge.save(newcomer, path, append=True)
    return labels, path


def test_numbered_sleap_io_tracks_keep_their_order_beside_an_appended_individual(
    sleap_io_file_with_an_appended_individual,
):
    # HDF5 lists track=track_10 before track=track_2; the numbers' order must hold even
    # when the file also holds a container posebridge appended (tagged with its rank)
    labels, path = sleap_io_file_with_an_appended_individual
    expected = [t.name for t in labels.tracks]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ds = posebridge.load(path)
        theirs = sio.load_nwb(str(path))
        ours = nwb.load_nwb(path)
    assert [len(lf.instances) for lf in theirs.labeled_frames] == [12, 12]  # sleap-io sees it
    assert [str(i) for i in ds.individual.values] == [*expected, "newcomer"]
    assert [t.name for t in ours.tracks] == [*expected, "newcomer"]
    for t, name in enumerate(expected):  # each track's data stays with its name
        np.testing.assert_array_equal(
            ds.position.sel(individual=name).values[:, 0, 0], [10.0 * t, 10.0 * t + 1]
        )


def test_sleap_io_reads_a_sparse_track_appended_with_a_sample_rate_at_its_frames(tmp_path):
    """A track seen on frames 0, 2 and 4 beside one seen on every frame: with
    ``video_sample_rate`` 1, posebridge wrote rate 0.5, which sleap-io's reader took as
    times 0, 0.5, 1 (it multiplies by the rate): it now writes the times themselves."""
    path = tmp_path / "sparse.nwb"
    rate = {"video_sample_rate": 1.0}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        dense, sparse = sio.Track("dense"), sio.Track("sparse")
        nwb.write_nwb(labels_of({f: [dense] for f in range(6)}), path, None, rate)
        nwb.append_nwb(labels_of({f: [sparse] for f in (0, 2, 4)}), path, rate)
        theirs = sio.load_nwb(str(path))
    seen = {lf.frame_idx: sorted(i.numpy()[0, 0] for i in lf.instances) for lf in theirs}
    assert seen == {0: [0, 0], 1: [1], 2: [2, 2], 3: [3], 4: [4, 4], 5: [5]}


def test_a_sparse_track_of_rate_zero_does_not_refuse_an_append_in_frames(tmp_path):
    """sleap-io writes a track seen 4 s apart with rate=0.0: it says nothing of the file's
    rate, so an append in frames (rate 1, as the file's other track) is not refused."""
    sparse, dense = sio.Track("a"), sio.Track("b")  # 'track=a' is the module's first
    source = labels_of({f: [dense] + ([sparse] if f in (0, 4) else []) for f in range(5)})
    path = tmp_path / "sparse.nwb"
    newcomer = model.from_numpy(
        np.full((5, 2, 2, 1), 7.0), individual_names=["c"], keypoint_names=["head", "tail"]
    ).assign_attrs(video_path="/data/arena.mp4")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sio.save_nwb(source, str(path))
        posebridge.save(newcomer, path, append=True)
        theirs = sio.load_nwb(str(path))
    # sleap-io reads its own rate-0 track at time 0 only; the appended 'c' is on every frame
    assert [lf.frame_idx for lf in theirs.labeled_frames] == [0, 1, 2, 3, 4]
    for lf in theirs.labeled_frames:
        assert 7.0 in [i.numpy()[0, 0] for i in lf.instances]
