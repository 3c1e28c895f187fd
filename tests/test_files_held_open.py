"""An HDF5 file another program holds open for writing (HDF5 locks it).

Replacing it with ``overwrite=True`` renamed a new file onto its name, so the
other program went on writing to a file without a name and its changes were
lost without a word; appending to it or reading it said the file was damaged
("not a readable HDF5 file"). Each is now a ``FileInUseError`` naming the
file (also a ``BlockingIOError``, what h5py and sleap-io's ``save_nwb`` raise),
and the file and the other program's changes are kept.
"""

from __future__ import annotations

import os
import subprocess
import sys
import warnings
from pathlib import Path

import h5py
import numpy as np
import pytest
import xarray as xr

import posebridge
from _held_open import held_open
from posebridge import errors
from posebridge.io import load_poses
from posebridge.io import nwb as sleap_io_style


@pytest.fixture
def two_mice() -> xr.Dataset:
    """5 frames, 2 keypoints, 2 individuals at 30 fps."""
    rng = np.random.default_rng(3)
    return load_poses.from_numpy(
        rng.uniform(0, 50, (5, 2, 2, 2)),
        rng.uniform(0, 1, (5, 2, 2)),
        individual_names=["m1", "m2"],
        keypoint_names=["snout", "tail"],
        fps=30,
    )


def _save(ds: xr.Dataset, path: Path, **options) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # what a format does not keep is not under test
        if path.suffix == ".nwb":
            options.setdefault("split_individuals", False)
        posebridge.save(ds, path, **options)


def _their_edit_kept(path: Path) -> bool:
    with h5py.File(path, "r") as handle:
        return "their_edit" in handle


HDF5_OUTPUTS = ["poses.nwb", "poses.h5", "poses.slp", "poses.analysis.h5", "poses.nc"]


@pytest.mark.parametrize("name", HDF5_OUTPUTS)
def test_overwriting_a_file_another_program_writes_is_refused(tmp_path, two_mice, name):
    path = tmp_path / name
    _save(two_mice, path)
    refused = pytest.raises(errors.FileInUseError, match="is open for writing in another program")
    with held_open(path), refused as raised:
        _save(two_mice.isel(time=slice(0, 3)), path, overwrite=True)
    assert isinstance(raised.value, BlockingIOError) and raised.value.filename == str(path)
    assert str(path) in str(raised.value)
    assert _their_edit_kept(path)  # the other program's change is in the file at the name
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]  # no temporary left


def test_the_sleap_io_style_writer_refuses_it_as_sleap_io_does(tmp_path, two_mice):
    """``write_nwb`` replaces by default; sleap-io's ``save_nwb`` raises BlockingIOError here."""
    path = tmp_path / "session.nwb"
    _save(two_mice, path)
    with held_open(path), pytest.raises(BlockingIOError, match="session.nwb"):
        sleap_io_style.write_nwb(two_mice, path)
    assert _their_edit_kept(path)


def test_appending_to_a_file_another_program_writes_says_so(tmp_path, two_mice):
    """It said the file 'is not a readable NWB (HDF5) file', a FormatError."""
    path = tmp_path / "session.nwb"
    _save(two_mice, path)
    others = two_mice.assign_coords(individual=["m3", "m4"])
    with held_open(path), pytest.raises(errors.FileInUseError) as raised:
        _save(others, path, append=True)
    assert not isinstance(raised.value, errors.FormatError)
    assert "append to it again" in str(raised.value)
    assert _their_edit_kept(path)
    assert list(posebridge.load(path).individual.values) == ["m1", "m2"]


@pytest.mark.parametrize("name", HDF5_OUTPUTS)
def test_reading_a_file_another_program_writes_says_so(tmp_path, two_mice, name):
    """Each reader called it damaged (or its format unknown)."""
    path = tmp_path / name
    _save(two_mice, path)
    with held_open(path):
        for read in (posebridge.load, posebridge.open_dataset):
            with pytest.raises(errors.FileInUseError, match="close it there, then read it"):
                read(path)
    assert posebridge.load(path).sizes["time"] == 5  # readable once it is closed


def test_a_file_open_elsewhere_only_for_reading_is_replaced_as_asked(tmp_path, two_mice):
    path = tmp_path / "poses.h5"
    _save(two_mice, path)
    with held_open(path, "r"):
        _save(two_mice.isel(time=slice(0, 3)), path, overwrite=True)
        assert posebridge.load(path).sizes["time"] == 3


@pytest.mark.parametrize("environment", [{}, {"HDF5_USE_FILE_LOCKING": "FALSE"}])
def test_a_file_written_in_swmr_mode_or_without_locks_is_refused(tmp_path, two_mice, environment):
    """A writer in SWMR mode holds no lock, only HDF5's mark in the file ("already open for
    write"): the read called the file damaged, and overwrite=True replaced it."""
    path = tmp_path / "live.h5"
    with held_open(path, "live", **environment):
        with pytest.raises(errors.FileInUseError, match="h5clear -s"):
            posebridge.load(path)
        with pytest.raises(errors.FileInUseError, match="is open for writing in another"):
            _save(two_mice, path, overwrite=True)
    assert _their_edit_kept(path)


def test_a_file_this_process_writes_through_h5py_is_not_replaced(tmp_path, two_mice):
    """HDF5 shares a file open in this process, so opening it to test succeeded: the file was
    replaced and what the handle wrote afterwards was lost. Reading it is fine."""
    path = tmp_path / "mine.h5"
    _save(two_mice, path)
    with h5py.File(path, "a") as mine:
        with pytest.raises(errors.FileInUseError, match="open for writing in this process"):
            _save(two_mice.isel(time=slice(0, 3)), path, overwrite=True)
        assert posebridge.load(path).sizes["time"] == 5
        mine.create_dataset("my_results", data=[1, 2, 3])
    with h5py.File(path, "r") as handle:
        assert "my_results" in handle


@pytest.mark.parametrize("name", ["pipe.h5", "pipe.csv"])
def test_overwriting_a_named_pipe_does_not_wait_for_a_writer(tmp_path, two_mice, name):
    """Testing whether the output was an HDF5 file open elsewhere opened the pipe for
    reading, which waits for a writer for ever."""
    path = tmp_path / name
    os.mkfifo(path)
    outcome = subprocess.run(
        [sys.executable, "-c", _SAVE_ONTO, str(path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert outcome.returncode == 0, outcome.stderr
    assert posebridge.load(path).sizes["time"] == 2


_SAVE_ONTO = """
import sys, warnings
import numpy as np
import posebridge
warnings.simplefilter("ignore")
ds = posebridge.from_numpy(np.ones((2, 2, 1, 1)), fps=30)
posebridge.save(ds, sys.argv[1], overwrite=True)
"""


def test_the_drop_in_readers_say_a_file_is_in_use(tmp_path, two_mice):
    """load_poses.from_nwb_file / from_dlc_file called it 'not a readable HDF5/NWB file'
    (a NotHDF5Error) or damaged."""
    for name, read in [("p.nwb", load_poses.from_nwb_file), ("p.h5", load_poses.from_dlc_file)]:
        path = tmp_path / name
        _save(two_mice, path)
        with held_open(path), pytest.raises(errors.FileInUseError, match="read it again"):
            read(path)
