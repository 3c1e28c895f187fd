"""A SLEAP analysis .h5 file's provenance (sleap-io's ``/provenance`` dataset) is kept in
``attrs["sleap_provenance"]`` and written back."""

from __future__ import annotations

import json

import h5py
import pytest

import posebridge
from _sleap_io_labels import labels_of
from posebridge._recorded_warnings import dropping_warnings
from posebridge.errors import FormatError

sio = pytest.importorskip("sleap_io")

PROVENANCE = {"sleap_version": "1.3.3", "model_paths": ["models/centroid"], "batch_size": 4}


def _sleap_io_analysis(tmp_path):
    track = sio.Track("A")
    labels = labels_of({0: [track], 1: [track]})
    labels.provenance = dict(PROVENANCE)
    path = tmp_path / "sio.analysis.h5"
    sio.save_analysis_h5(labels, str(path))
    return path


def _read(path, lazy):
    if lazy:
        return posebridge.open_dataset(path, chunks=2)
    return posebridge.load(path)


@pytest.mark.parametrize("lazy", [False, True])
def test_the_provenance_sleap_io_writes_is_read(tmp_path, lazy):
    ds = _read(_sleap_io_analysis(tmp_path), lazy)
    assert json.loads(ds.attrs["sleap_provenance"]) == PROVENANCE


def test_the_provenance_survives_a_round_trip_and_sleap_io_reads_it(tmp_path):
    ds = posebridge.load(_sleap_io_analysis(tmp_path))
    out = tmp_path / "out.analysis.h5"
    with dropping_warnings(UserWarning):
        posebridge.save(ds, out)
    assert json.loads(posebridge.load(out).attrs["sleap_provenance"]) == PROVENANCE
    read_by_sleap_io = dict(sio.load_file(str(out)).provenance)
    assert {k: read_by_sleap_io[k] for k in PROVENANCE} == PROVENANCE
    assert read_by_sleap_io["posebridge_content"] == "poses"


@pytest.mark.parametrize("stored", ["not json", "[1, 2]"])
def test_a_provenance_that_is_not_a_json_object_is_refused_naming_it(tmp_path, stored):
    path = _sleap_io_analysis(tmp_path)
    with h5py.File(path, "r+") as h5:
        del h5["provenance"]
        h5["provenance"] = stored
    with pytest.raises(FormatError, match="/provenance"):
        posebridge.load(path)
