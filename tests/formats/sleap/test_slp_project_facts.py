"""A SLEAP project's suggested frames and provenance survive an .slp -> .slp conversion."""

from __future__ import annotations

import pytest

import posebridge
from _corpus import corpus_path
from posebridge._recorded_warnings import dropping_warnings

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
