"""A SLEAP project's suggested frames and provenance survive an .slp -> .slp conversion."""

from __future__ import annotations

import json
import warnings

import h5py
import numpy as np
import pytest

import posebridge
from _corpus import corpus_path
from posebridge._recorded_warnings import dropping_warnings
from posebridge.errors import FormatError

sio = pytest.importorskip("sleap_io")

LABELS = "sleap_slp/labels.v002.slp"
PREDICTIONS = "sleap_slp/predictions_1.2.7_provenance_and_tracking.slp"


def _suggested(path) -> list[tuple[str, int, int]]:
    return [
        (s.video.filename, s.frame_idx, s.metadata.get("group", 0))
        for s in sio.load_slp(str(path), open_videos=False).suggestions
    ]


def _convert(source, out, **options) -> None:
    with dropping_warnings(UserWarning):
        posebridge.save(posebridge.load(source, **options), out)


@pytest.mark.parametrize("instances", ["auto", "prefer_user"])
def test_suggestions_survive_an_slp_round_trip(tmp_path, instances):
    source = corpus_path(LABELS)
    expected = _suggested(source)
    assert expected  # the corpus file suggests frames
    _convert(source, tmp_path / "out.slp", instances=instances)
    assert _suggested(tmp_path / "out.slp") == expected


def test_suggestions_go_through_netcdf(tmp_path):
    source = corpus_path(LABELS)
    with dropping_warnings(UserWarning):
        posebridge.save(posebridge.load(source), tmp_path / "labels.nc")
    _convert(tmp_path / "labels.nc", tmp_path / "out.slp")
    assert _suggested(tmp_path / "out.slp") == _suggested(source)


def test_suggestions_of_a_video_not_written_are_left_out_with_a_warning(tmp_path):
    source = corpus_path(LABELS)
    with dropping_warnings(UserWarning):
        ds = posebridge.load(source, instances="prefer_user")
    with pytest.warns(UserWarning, match="suggestions of video"):
        posebridge.save(ds, tmp_path / "out.slp", video_path="other.mp4")
    assert _suggested(tmp_path / "out.slp") == []


def test_the_source_provenance_is_kept_beside_posebridges_key(tmp_path):
    source = corpus_path(PREDICTIONS)
    given = sio.load_slp(str(source), open_videos=False).provenance
    assert given.get("model_paths") and given.get("sleap_version")
    _convert(source, tmp_path / "out.slp")
    written = sio.load_slp(str(tmp_path / "out.slp"), open_videos=False).provenance
    for key, value in given.items():
        if key != "filename":  # sleap-io sets it to the path it loads
            assert written[key] == value, key
    assert written["posebridge_content"] == "poses"


def test_provenance_goes_through_netcdf(tmp_path):
    source = corpus_path(PREDICTIONS)
    with dropping_warnings(UserWarning):
        posebridge.save(posebridge.load(source), tmp_path / "poses.nc")
    _convert(tmp_path / "poses.nc", tmp_path / "out.slp")
    written = sio.load_slp(str(tmp_path / "out.slp"), open_videos=False).provenance
    given = sio.load_slp(str(source), open_videos=False).provenance
    assert written["command"] == given["command"]


def _saved_by_sleap_io(path, provenance: dict) -> None:
    skeleton = sio.Skeleton(["a", "b"])
    video = sio.Video(filename="clip.mp4", open_backend=False)
    points = np.array([[1.0, 2.0], [3.0, 4.0]])
    instance = sio.PredictedInstance.from_numpy(
        points, skeleton=skeleton, point_scores=np.ones(2), score=1.0
    )
    labels = sio.Labels(
        labeled_frames=[sio.LabeledFrame(video=video, frame_idx=0, instances=[instance])],
        videos=[video],
        skeletons=[skeleton],
        provenance=provenance,
    )
    with dropping_warnings(UserWarning):  # sleap-io's: the metadata left provenance out
        sio.save_slp(labels, str(path))


def test_a_provenance_too_large_for_the_metadata_is_read_from_its_own_dataset(tmp_path):
    history = [{"merged": f"part_{k}.slp", "note": "x" * 60} for k in range(1500)]
    given = {"sleap_version": "1.4.1", "merge_history": history}
    _saved_by_sleap_io(tmp_path / "big.slp", given)
    with h5py.File(tmp_path / "big.slp", "r") as h5:  # as sleap-io laid it out
        assert "provenance_json" in h5
        assert "provenance" not in json.loads(h5["metadata"].attrs["json"])
    theirs = sio.load_slp(str(tmp_path / "big.slp"), open_videos=False).provenance
    with dropping_warnings(UserWarning, ".*no track"):  # no track: untracked_0
        ds = posebridge.load(tmp_path / "big.slp")
    kept = json.loads(ds.attrs["sleap_provenance"])
    assert kept == {k: v for k, v in theirs.items() if k != "filename"} == given


def _provenance_json_replaced(path, text: str) -> None:
    """The file's /provenance_json dataset made to hold ``text``."""
    with h5py.File(path, "r+") as h5:
        del h5["provenance_json"]
        h5.create_dataset("provenance_json", data=np.bytes_(text))


def test_a_provenance_dataset_that_is_not_a_json_object_is_refused(tmp_path):
    path = tmp_path / "bad.slp"
    _saved_by_sleap_io(path, {"sleap_version": "1.4.1"})
    _provenance_json_replaced(path, "[1, 2]")
    with pytest.raises(FormatError, match=r"bad\.slp.*/provenance_json should hold a JSON object"):
        posebridge.load(path)


def test_a_provenance_dataset_wins_over_the_metadata_key_as_sleap_io_reads_it(tmp_path):
    path = tmp_path / "both.slp"
    _saved_by_sleap_io(path, {"sleap_version": "1.4.1"})
    _provenance_json_replaced(path, '{"sleap_version": "1.5.0"}')
    assert sio.load_slp(str(path), open_videos=False).provenance["sleap_version"] == "1.5.0"
    with dropping_warnings(UserWarning, ".*no track"):
        ds = posebridge.load(path)
    assert json.loads(ds.attrs["sleap_provenance"]) == {"sleap_version": "1.5.0"}


def test_a_provenance_too_large_for_the_metadata_is_written_to_its_own_dataset(tmp_path):
    """It was left out with a warning; sleap-io writes it to /provenance_json, and so
    does the writer now (and still in the metadata when it fits, for older readers)."""
    history = [{"merged": f"part_{k}.slp", "note": "x" * 60} for k in range(1500)]
    given = {"sleap_version": "1.4.1", "merge_history": history}
    ds = posebridge.from_numpy(np.ones((2, 2, 2, 1)), individual_names=["mouse"])
    ds = ds.assign_attrs(sleap_provenance=json.dumps(given))
    out = tmp_path / "big.slp"
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # nothing is left out: nothing to say
        posebridge.save(ds, out)
    with h5py.File(out, "r") as h5:
        assert len(json.loads(h5["provenance_json"][()])["merge_history"]) == len(history)
        assert "merge_history" not in json.loads(h5["metadata"].attrs["json"])["provenance"]
    back = json.loads(posebridge.load(out).attrs["sleap_provenance"])
    assert back == given
    theirs = sio.load_slp(str(out), open_videos=False).provenance
    assert theirs["merge_history"] == history
    assert theirs["posebridge_content"] == "poses"
    small = tmp_path / "small.slp"
    posebridge.save(ds.assign_attrs(sleap_provenance='{"sleap_version": "1.4.1"}'), small)
    with h5py.File(small, "r") as h5:  # both places, as sleap-io writes it
        from_metadata = json.loads(h5["metadata"].attrs["json"])["provenance"]
        assert from_metadata == json.loads(h5["provenance_json"][()])
    assert from_metadata["sleap_version"] == "1.4.1"


def _with_suggestion_rows(path, rows: list[bytes]) -> None:
    """A one-video .slp whose /suggestions_json holds ``rows``."""
    _saved_by_sleap_io(path, {})
    with h5py.File(path, "r+") as h5:
        if "suggestions_json" in h5:
            del h5["suggestions_json"]
        h5.create_dataset("suggestions_json", data=np.array(rows, dtype=object))


GOOD_ROWS = [b'{"video": "0", "frame_idx": 3, "group": 0}', b'{"video": "0", "frame_idx": 5}']


@pytest.mark.parametrize(
    "bad",
    [b'{"video": "0", "frame_idx": -2}', b'{"video": "0", "frame_idx": 4, "group": "g"}'],
    ids=["negative frame", "group not a number"],
)
def test_a_suggestion_row_sleap_io_reads_is_skipped_with_a_warning(tmp_path, bad):
    """One such row made the whole file unreadable (FormatError); sleap-io reads it."""
    path = tmp_path / "odd.slp"
    _with_suggestion_rows(path, [GOOD_ROWS[0], bad, GOOD_ROWS[1]])
    assert len(sio.load_slp(str(path), open_videos=False).suggestions) == 3
    with (
        dropping_warnings(UserWarning, ".*no track"),
        pytest.warns(UserWarning, match=r"odd\.slp: 1 row\(s\) of /suggestions_json") as said,
    ):
        ds = posebridge.load(path)
    message = next(w for w in said if "suggestions_json" in str(w.message))
    assert f"row 1 {json.loads(bad)!r}" in str(message.message)
    assert message.filename == __file__  # the caller's line, not contextlib's
    rows = json.loads(ds.attrs["sleap_suggestions"])
    expected = [json.loads(row) for row in GOOD_ROWS]
    assert [row["frame_idx"] for row in rows] == [row["frame_idx"] for row in expected]


def test_a_suggestion_row_naming_no_video_is_still_refused(tmp_path):
    """sleap-io cannot read it either (KeyError): the file is refused, naming the row."""
    path = tmp_path / "bad.slp"
    _with_suggestion_rows(path, [GOOD_ROWS[0], b'{"frame_idx": 4}'])
    with pytest.raises(FormatError, match=r"bad\.slp.*row 1 of /suggestions_json is not a"):
        posebridge.load(path)
