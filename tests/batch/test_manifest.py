"""Reading a batch manifest: the values of a YAML manifest and where they apply."""

from __future__ import annotations

import pytest

from posebridge.batch import read_manifest
from posebridge.errors import PoseBridgeError


def test_yaml_keys_beside_sessions_are_defaults_every_session_can_override(tmp_path):
    manifest = tmp_path / "m.yaml"
    manifest.write_text(
        "species: Mus musculus\nfps: 30\nsessions:\n"
        "  - {input: a.nc, subject_id: M1}\n  - {input: b.nc, subject_id: M2, fps: 60}\n"
    )
    first, second = read_manifest(manifest)
    assert (first["species"], first["fps"]) == ("Mus musculus", 30.0)
    assert (second["species"], second["fps"]) == ("Mus musculus", 60.0)


@pytest.mark.parametrize("key", ["input", "speciess"])
def test_a_yaml_key_beside_sessions_that_is_no_session_metadata_is_refused_naming_it(
    tmp_path, key
):
    manifest = tmp_path / "m.yaml"
    manifest.write_text(f"{key}: x\nsessions:\n  - {{input: a.nc}}\n")
    with pytest.raises(PoseBridgeError, match=rf"m\.yaml: the key\(s\) \['{key}'\] beside"):
        read_manifest(manifest)
