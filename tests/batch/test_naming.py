"""Naming a batch's outputs from a template and a manifest row."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from posebridge.batch.naming import output_name
from posebridge.errors import PoseBridgeError


@pytest.mark.parametrize("column", ["subject_id", "session_id"])
@pytest.mark.parametrize("value", [".", ".."])
def test_a_manifest_id_that_is_a_dot_folder_fails_its_input_naming_the_value(column, value):
    row = {"subject_id": "M1", "session_id": "s1", column: value}
    with pytest.raises(PoseBridgeError, match=f"manifest's {column} '{re.escape(value)}'"):
        output_name("{subject}/{session}/{stem}", Path("a.csv"), "", row, ".nwb")
