"""NWB objects the drop-ins return, written by a ``pynwb.NWBHDF5IO`` the user opened first.

An ``NWBHDF5IO`` takes pynwb's type map when it is made: a type whose namespace is
loaded later is written as a plain ``NWBDataInterface`` without its series.
``posebridge.io.save_poses`` and ``posebridge.io.nwb`` load ndx-pose when they are
imported (as movement's and sleap-io's modules do), so a writer opened after the import
knows PoseEstimation. Each case runs in a fresh interpreter, where no NWB call came first.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

pytest.importorskip("movement")

MAKE_POSES = """
import numpy as np
from posebridge.io import load_poses
ds = load_poses.from_numpy(
    np.arange(6 * 2 * 2 * 1, dtype=float).reshape(6, 2, 2, 1),
    np.full((6, 2, 1), 0.5),
    fps=25,
    individual_names=["mouse"],
    keypoint_names=["nose", "tail"],
    source_software="DeepLabCut",
)
"""


def run_fresh(code: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def stored_type_and_read_back(path) -> str:
    """What the file holds (h5py), and the sizes posebridge's and movement's readers give."""
    return run_fresh(
        f"""
        import warnings
        import h5py
        import posebridge
        from movement.io import load_poses as movement_load_poses
        with h5py.File({str(path)!r}) as h5:
            module = h5["processing"]
            found = [
                (name, h5[group.name + "/" + name].attrs["neurodata_type"])
                for group in module.values()
                for name in group
                if "PoseEstimation" in name
            ]
            print(found)
        with warnings.catch_warnings(record=True):
            warnings.simplefilter("always")
            ours = posebridge.load({str(path)!r})
            theirs = movement_load_poses.from_nwb_file({str(path)!r})
        print(dict(ours.sizes), ours.position.values.tolist())
        print(dict(theirs.sizes), theirs.position.values.tolist())
        """
    )


def test_to_nwb_file_written_by_a_writer_opened_first_keeps_the_pose_estimation(tmp_path):
    path = tmp_path / "io_first.nwb"
    run_fresh(
        MAKE_POSES
        + f"""
import pynwb
from posebridge.io import save_poses
with pynwb.NWBHDF5IO({str(path)!r}, "w") as io:
    io.write(save_poses.to_nwb_file(ds))
"""
    )
    found, ours, theirs = stored_type_and_read_back(path).splitlines()
    assert found == "[('PoseEstimation', 'PoseEstimation')]"
    expected_sizes = "{'time': 6, 'space': 2, 'keypoint': 2, 'individual': 1}"
    expected_position = str(
        [[[[float(4 * t + 2 * s + k)] for k in range(2)] for s in range(2)] for t in range(6)]
    )
    assert ours == f"{expected_sizes} {expected_position}"
    assert theirs == ours


def test_append_nwb_data_into_a_file_of_a_writer_opened_first_keeps_the_pose_estimation(
    tmp_path,
):
    path = tmp_path / "io_first_sleap_io.nwb"
    run_fresh(
        MAKE_POSES
        + f"""
import datetime, pynwb
from posebridge.io import nwb
with pynwb.NWBHDF5IO({str(path)!r}, "w") as io:
    nwbfile = pynwb.NWBFile(
        session_description="s",
        identifier="i",
        session_start_time=datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc),
    )
    io.write(nwb.append_nwb_data(ds, nwbfile, layout="posebridge"))
"""
    )
    found, ours, theirs = stored_type_and_read_back(path).splitlines()
    assert found == "[('PoseEstimation', 'PoseEstimation')]"
    assert ours.startswith("{'time': 6, 'space': 2, 'keypoint': 2, 'individual': 1}")
    assert theirs == ours


@pytest.mark.parametrize(
    "code",
    [
        "import posebridge",
        "from posebridge.cli import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass",
    ],
)
def test_posebridge_and_the_command_line_start_without_ndx_pose(code):
    loaded = run_fresh(
        code + "\nimport sys\nprint(sorted(m for m in ('ndx_pose', 'pynwb') if m in sys.modules))"
    )
    assert loaded.splitlines()[-1] == "[]"
