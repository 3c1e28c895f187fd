"""A damaged NWB file read through every NWB entry point: a FormatError, never h5py's error.

``posebridge.load`` translates what h5py raises on a damaged file; the NWB
family's own readers and the drop-ins (``posebridge.io``) must too.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest

import posebridge
from posebridge.errors import FormatError
from posebridge.formats import nwb
from posebridge.io import load_dataset, load_poses
from posebridge.io import nwb as io_nwb

pytest.importorskip("pynwb")

ENTRY_POINTS = {
    "posebridge.load": posebridge.load,
    "load_poses.from_nwb_file": load_poses.from_nwb_file,
    "load_dataset": load_dataset,
    "io.nwb.load_nwb": io_nwb.load_nwb,
    "nwb.load_nwb_poses": nwb.load_nwb_poses,
    "nwb.load_nwb_labels": nwb.load_nwb_labels,
    "nwb.content_of": nwb.content_of,
    "nwb.file_info": nwb.file_info,
}


def _damaged_link_name(tmp_path: Path) -> Path:
    """Our NWB file with a byte of the link name 'behavior' made not UTF-8.

    Each place the name is stored is tried until ``posebridge.load`` finds the
    file damaged (the link table's copy; others are attributes it never reads).
    """
    ds = posebridge.from_numpy(np.zeros((3, 2, 2, 1)), keypoint_names=["nose", "tail"], fps=10)
    (clean,) = posebridge.save(ds, tmp_path / "clean.nwb")
    data = clean.read_bytes()
    damaged = tmp_path / "damaged.nwb"
    at = data.find(b"behavior")
    while at >= 0:
        changed = bytearray(data)
        changed[at] = 0x9F
        damaged.write_bytes(changed)
        try:
            posebridge.load(damaged)
        except FormatError as error:
            if "damaged HDF5" in str(error):
                return damaged
        at = data.find(b"behavior", at + 1)
    raise AssertionError("no copy of the name 'behavior' damages the file")


@pytest.mark.parametrize("entry", list(ENTRY_POINTS))
def test_every_nwb_reader_refuses_a_damaged_file_naming_it(tmp_path, entry):
    path = _damaged_link_name(tmp_path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(FormatError, match=r"damaged\.nwb: is a damaged HDF5 file"):
            ENTRY_POINTS[entry](path)


@pytest.mark.parametrize("entry", ["posebridge.load", "load_poses.from_nwb_file"])
def test_a_warning_made_an_error_stays_that_warning(tmp_path, entry):
    """With warnings as errors, a reader's warning was reported as a posebridge bug."""
    import datetime as dt

    import ndx_pose
    import pynwb

    nwbfile = pynwb.NWBFile(
        session_description="s",
        identifier="i",
        session_start_time=dt.datetime(2024, 1, 2, tzinfo=dt.UTC),
    )
    module = nwbfile.create_processing_module(name="behavior", description="poses")
    series = [
        ndx_pose.PoseEstimationSeries(
            name=name, data=np.zeros((3, 2)), unit=unit, rate=30.0, reference_frame="top left"
        )
        for name, unit in (("nose", "pixels"), ("tail", "mm"))
    ]
    module.add(ndx_pose.PoseEstimation(name="PoseEstimation", pose_estimation_series=series))
    path = tmp_path / "units.nwb"
    with pynwb.NWBHDF5IO(path, "w") as io:
        io.write(nwbfile)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(UserWarning, match="different units"):
            ENTRY_POINTS[entry](path)
