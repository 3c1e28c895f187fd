"""SLEAP's first .slp layout: no format_id in /metadata (SLEAP reads it as format 1.0)."""

from __future__ import annotations

import shutil
import warnings

import h5py
import numpy as np
import pytest
from click.testing import CliRunner

import posebridge
from _corpus import corpus_path
from posebridge.cli import cli
from posebridge.errors import FormatError

SOURCE = "sleap_slp/labels.v002.slp"  # user and predicted instances


def quiet(function, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return function(*args, **kwargs)


@pytest.fixture
def first_layout(tmp_path):
    """A corpus file stored as SLEAP's first layout: no format_id, no tracking_score
    column, user points in the pixel-corner convention (top-left corner = (0, 0))."""
    path = tmp_path / "first.slp"
    shutil.copy(corpus_path(SOURCE), path)
    with h5py.File(path, "r+") as h5:
        del h5["metadata"].attrs["format_id"]
        instances = h5["instances"][()]
        names = [n for n in instances.dtype.names if n != "tracking_score"]
        old = np.empty(instances.shape, dtype=[(n, instances.dtype[n]) for n in names])
        for name in names:
            old[name] = instances[name]
        del h5["instances"]
        h5.create_dataset("instances", data=old, maxshape=(None,))
        points = h5["points"][()]
        points["x"] += 0.5  # SLEAP < 1.1: the pixel's corner was (0, 0)
        points["y"] += 0.5
        h5["points"][...] = points
    return path


def test_the_first_layout_is_detected_as_slp(first_layout):
    assert posebridge.detect(first_layout) == "slp"


def test_the_first_layout_reads_as_the_same_poses_in_pixel_centre_coordinates(first_layout):
    ours = quiet(posebridge.load, first_layout)
    original = quiet(posebridge.load, corpus_path(SOURCE))
    np.testing.assert_array_equal(ours.time.values, original.time.values)
    np.testing.assert_allclose(ours.position.values, original.position.values, atol=1e-9)
    np.testing.assert_allclose(ours.confidence.values, original.confidence.values)
    assert "tracking_score" not in ours
    labels = quiet(posebridge.load, first_layout, instances="user")
    expected = quiet(posebridge.load, corpus_path(SOURCE), instances="user")
    np.testing.assert_allclose(labels.position.values, expected.position.values, atol=1e-9)


def test_info_says_it_is_the_first_layout(first_layout):
    result = CliRunner().invoke(cli, ["info", str(first_layout)])
    assert result.exit_code == 0, result.output
    assert "first layout (no format_id" in " ".join(result.output.split())
    assert "read as format 1.0" in " ".join(result.output.split())


def test_an_hdf5_file_with_a_metadata_group_but_no_tables_is_not_taken_for_slp(tmp_path):
    path = tmp_path / "other.h5"
    with h5py.File(path, "w") as h5:
        h5.create_group("metadata").attrs["json"] = "{}"
        h5["data"] = np.zeros(3)
    with pytest.raises(posebridge.UnknownFormatError):
        posebridge.detect(path)
    with pytest.raises(FormatError, match="format_id"):
        posebridge.load(path, format="slp")
