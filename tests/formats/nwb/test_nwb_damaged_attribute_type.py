"""An NWB attribute whose text type one damaged byte turned into a vlen sequence.

HDF5 dies (segmentation fault) reading such an attribute; the reader looks at the
type first (fuzz seed 2079, case 592: a series' ``description`` in ndx-pose's
0.3.0 example file). Each read runs in a child process so that a crash fails the
test instead of ending the run.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import posebridge

#: The attribute's name, its padding to 8 bytes, then a vlen string type: version 1,
#: class 9, type 1 (string) in the low bits of the next byte.
_DESCRIPTION_TYPE = re.compile(rb"description\x00{5}\x19(\x01)\x01\x00")


def damaged_nwb(tmp_path: Path) -> Path:
    ds = posebridge.from_numpy(
        np.ones((3, 2, 2, 1)), keypoint_names=["nose", "tail"], individual_names=["m"], fps=30
    )
    (path,) = posebridge.save(ds, tmp_path / "poses.nwb")
    data = bytearray(path.read_bytes())
    found = list(_DESCRIPTION_TYPE.finditer(data))
    assert found, "no vlen string 'description' attribute where expected"
    for match in found:
        data[match.start(1)] = 0x03  # vlen type 3: neither sequence (0) nor string (1)
    path.write_bytes(bytes(data))
    return path


@pytest.mark.parametrize(
    "call",
    [
        "posebridge.load(path)",
        "posebridge.open_dataset(path)",
        "posebridge.load(path, format='nwb')",
    ],
)
def test_a_text_attribute_of_a_damaged_type_is_refused_not_a_crash(call, tmp_path):
    path = damaged_nwb(tmp_path)
    script = (
        "import sys, posebridge\n"
        "path = sys.argv[1]\n"
        "try:\n"
        f"    {call}\n"
        "except posebridge.errors.FormatError as error:\n"
        "    print('refused:', error)\n"
        "else:\n"
        "    print('read')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(path)], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, f"the read died ({done.returncode}): {done.stderr[-500:]}"
    assert "refused:" in done.stdout, done.stdout
    assert str(path) in done.stdout
    assert "'description' has a variable-length sequence type" in done.stdout
