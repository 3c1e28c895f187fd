"""The temporaries atomic writers write into (``posebridge._temporaries``)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np

import posebridge

SRC = Path(__file__).resolve().parents[1] / "src"


def test_a_non_ascii_output_name_is_written_under_an_ascii_locale(tmp_path):
    """Under LC_ALL=C without UTF-8 mode, a name such as maus_ü.nc stopped the write with
    a raw UnicodeEncodeError: the temporary's name was made as text the file system's
    encoding (ASCII) cannot encode."""
    source = tmp_path / "in.nc"
    posebridge.save(posebridge.from_numpy(np.arange(8.0).reshape(2, 2, 2, 1)), source)
    target = os.fsencode(tmp_path) + "/maus_ü.csv".encode()  # the bytes a UTF-8 shell passes
    environment = {**os.environ, "LC_ALL": "C", "LANG": "C", "PYTHONUTF8": "0"}
    environment["PYTHONPATH"] = os.pathsep.join([str(SRC), environment.get("PYTHONPATH", "")])
    done = subprocess.run(
        [sys.executable, "-m", "posebridge", "convert", os.fsencode(source), target],
        capture_output=True,
        env=environment,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    written = tmp_path / os.fsdecode(b"maus_\xc3\xbc.csv")
    assert sorted(os.listdir(os.fsencode(tmp_path))) == [b"in.nc", b"maus_\xc3\xbc.csv"]
    back = posebridge.load(written, format="dlc")
    np.testing.assert_array_equal(back.position.values, np.arange(8.0).reshape(2, 2, 2, 1))
