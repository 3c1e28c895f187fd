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


def test_yaml_and_csv_manifests_give_the_same_values_without_surrounding_whitespace(tmp_path):
    yaml_manifest = tmp_path / "m.yaml"
    yaml_manifest.write_text('- input: a.nc\n  subject_id: |\n    M1\n  session_id: " s1 "\n')
    csv_manifest = tmp_path / "m.csv"
    csv_manifest.write_text('input,subject_id,session_id\na.nc,"M1\n"," s1 "\n')
    assert read_manifest(yaml_manifest) == read_manifest(csv_manifest)
    assert read_manifest(yaml_manifest)[0]["subject_id"] == "M1"


@pytest.mark.parametrize(
    ("name", "text", "where"),
    [
        ("m.yaml", '- {input: a.nc}\n- {input: b.nc, subject_id: "M\\n1"}\n', "session 2"),
        ("m.csv", 'input,session_id\na.nc,s1\nb.nc,"s\t2"\n', "line 3"),
    ],
)
def test_a_manifest_value_holding_a_control_character_is_refused_naming_its_row(
    tmp_path, name, text, where
):
    manifest = tmp_path / name
    manifest.write_text(text)
    with pytest.raises(PoseBridgeError, match=rf"{name.replace('.', '[.]')} \({where}\): '"):
        read_manifest(manifest)
