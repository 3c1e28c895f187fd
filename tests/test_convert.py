"""posebridge.convert: checks of its output made before the input is read."""

from __future__ import annotations

import os

import numpy as np
import pytest

import posebridge


def test_an_output_name_over_the_file_systems_limit_is_refused_naming_it(tmp_path):
    # the operating system says only "[Errno 36] File name too long" (an OSError)
    source = tmp_path / "a.csv"  # a reader of poses only: its writer is checked first
    posebridge.save(posebridge.from_numpy(np.zeros((3, 2, 1, 1)), fps=10), source)
    name = "z" * 300 + ".nwb"
    limit = os.pathconf(tmp_path, "PC_NAME_MAX")
    with pytest.raises(posebridge.PoseBridgeError) as caught:
        posebridge.convert(source, tmp_path / name, "nwb")
    said = str(caught.value)
    assert f"is {len(name)} bytes long" in said and f"allows {limit}" in said
    assert said.startswith(str(tmp_path / name[:40]))
    assert sorted(os.listdir(tmp_path)) == ["a.csv"]
