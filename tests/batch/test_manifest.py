"""Reading a batch manifest: the values of a YAML manifest and where they apply."""

from __future__ import annotations

import time
import warnings

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


@pytest.mark.parametrize("key", ["input", "output"])
def test_a_yaml_input_or_output_beside_sessions_is_refused_naming_it(tmp_path, key):
    manifest = tmp_path / "m.yaml"
    manifest.write_text(f"{key}: x\nsessions:\n  - {{input: a.nc}}\n")
    with pytest.raises(PoseBridgeError, match=rf"m\.yaml: the key '{key}' beside 'sessions'"):
        read_manifest(manifest)


def test_yaml_keys_beside_sessions_that_are_no_metadata_are_left_alone_anchors_working(
    tmp_path,
):
    manifest = tmp_path / "m.yaml"
    manifest.write_text(
        "species_name: &sp Mus musculus\ndescription: pilot sessions, Smith lab\n"
        "sessions:\n  - {input: a.nc, subject_id: M1, species: *sp}\n"
        "  - {input: b.nc, subject_id: M2}\n"
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # neither key looks like a misspelt column
        first, second = read_manifest(manifest)
    assert first["species"] == "Mus musculus" and "species" not in second
    assert "description" not in first and "species_name" not in first


def test_a_yaml_key_beside_sessions_like_a_misspelt_metadata_name_is_warned_about(tmp_path):
    manifest = tmp_path / "m.yaml"
    manifest.write_text("speciess: Mus musculus\nsessions:\n  - {input: a.nc}\n")
    with pytest.warns(UserWarning, match=r"m\.yaml: the key 'speciess' .*'species'\?"):
        (row,) = read_manifest(manifest)
    assert "species" not in row and "speciess" not in row


def test_a_yaml_metadata_key_beside_sessions_holding_a_mapping_only_serves_merges(tmp_path):
    manifest = tmp_path / "m.yaml"
    manifest.write_text(
        "fps: &rate {fps: 60}\nsessions:\n  - {input: a.nc}\n  - {<<: *rate, input: b.nc}\n"
    )
    with pytest.warns(UserWarning, match=r"m\.yaml: the key 'fps' beside 'sessions' holds a"):
        first, second = read_manifest(manifest)
    assert "fps" not in first and second["fps"] == 60.0


def test_a_bad_yaml_default_beside_sessions_is_refused_naming_the_key_not_a_session(
    tmp_path,
):
    manifest = tmp_path / "m.yaml"
    manifest.write_text("fps: -30\nsessions:\n  - {input: a.nc}\n")
    with pytest.raises(PoseBridgeError, match=r"m\.yaml \(beside 'sessions'\): 'fps'"):
        read_manifest(manifest)


def test_an_empty_value_in_a_yaml_session_unsets_the_default_for_that_session(tmp_path):
    manifest = tmp_path / "m.yaml"
    manifest.write_text(
        "species: Mus musculus\nsessions:\n  - {input: a.nc}\n"
        '  - {input: b.nc, species: ""}\n  - {input: c.nc, species: }\n'
    )
    first, second, third = read_manifest(manifest)
    assert first["species"] == "Mus musculus"
    assert "species" not in second and "species" not in third


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


@pytest.fixture
def berlin_time(monkeypatch):
    """The local time zone of the process is Europe/Berlin (restored after the test)."""
    monkeypatch.setenv("TZ", "Europe/Berlin")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.mark.parametrize(
    ("start", "problem"),
    [("2024-03-31T02:30:00", "does not exist"), ("2024-10-27T02:30:00", "occurs twice")],
)
def test_a_session_start_time_that_is_no_single_local_time_is_refused_naming_its_session(
    tmp_path, berlin_time, start, problem
):
    manifest = tmp_path / "m.yaml"
    manifest.write_text(f"- {{input: a.nc, session_start_time: {start}}}\n")
    with pytest.raises(PoseBridgeError, match=rf"m\.yaml \(session 1\): .*'{start}'.*{problem}"):
        read_manifest(manifest)


def test_a_session_start_time_beside_a_daylight_saving_change_is_kept(tmp_path, berlin_time):
    manifest = tmp_path / "m.yaml"
    manifest.write_text("- {input: a.nc, session_start_time: 2024-03-31T03:30:00}\n")
    assert read_manifest(manifest)[0]["session_start_time"] == "2024-03-31T03:30:00"


@pytest.mark.parametrize("start", ["9999-12-31T23:59:59", "0001-01-01"])
def test_a_session_start_time_at_the_ends_of_the_date_range_is_refused_naming_its_session(
    tmp_path, berlin_time, start
):
    manifest = tmp_path / "m.yaml"
    manifest.write_text(f"- {{input: a.nc}}\n- {{input: b.nc, session_start_time: '{start}'}}\n")
    with pytest.raises(
        PoseBridgeError, match=rf"m\.yaml \(session 2\): 'session_start_time' '{start}' has no"
    ):
        read_manifest(manifest)


@pytest.mark.parametrize("suffix", [".csv", ".yaml"])
def test_a_session_start_time_finer_than_microseconds_is_refused_naming_value_and_row(
    tmp_path, suffix
):
    # NWB keeps microseconds: the 7th digit would be dropped without a word
    value = "2024-05-01T09:30:00.1234567+00:00"
    manifest = tmp_path / f"m{suffix}"
    if suffix == ".csv":
        manifest.write_text(f"input,session_start_time\na.h5,{value}\n")
        where = "(line 2)"
    else:
        manifest.write_text(f"- input: a.h5\n  session_start_time: '{value}'\n")
        where = "(session 1)"
    with pytest.raises(PoseBridgeError) as refused:
        read_manifest(manifest)
    message = str(refused.value)
    assert f"{manifest} {where}" in message and repr(value) in message
    assert "microseconds" in message


def test_a_session_start_time_with_zeros_beyond_microseconds_loses_nothing_and_is_kept(
    tmp_path,
):
    manifest = tmp_path / "m.csv"
    manifest.write_text("input,session_start_time\na.h5,2024-05-01T09:30:00.1234560+00:00\n")
    (row,) = read_manifest(manifest)
    assert row["session_start_time"] == "2024-05-01T09:30:00.1234560+00:00"


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("input;subject_id\na.h5;M1\n", "';'"),
        ("input\tsubject_id\na.h5\tM1\n", "tabs"),
    ],
)
def test_a_csv_manifest_not_separated_by_commas_is_refused_naming_its_header(tmp_path, text, said):
    manifest = tmp_path / "m.csv"
    manifest.write_text(text)
    with pytest.raises(PoseBridgeError) as refused:
        read_manifest(manifest)
    message = str(refused.value)
    assert f"{manifest} (line 1)" in message and "header" in message
    assert f"separates its cells with {said}" in message and "line 2" not in message


@pytest.mark.parametrize("line", ["sep=;", "sep=,"])
def test_excels_separator_line_before_the_header_is_refused_saying_what_it_is(tmp_path, line):
    manifest = tmp_path / "m.csv"
    manifest.write_text(f"{line}\ninput,subject_id\na.h5,M1\n")
    with pytest.raises(PoseBridgeError) as refused:
        read_manifest(manifest)
    message = str(refused.value)
    assert f"{manifest} (line 1)" in message and repr(line) in message
    assert "separator" in message and "remove it" in message


def test_a_csv_header_without_an_input_column_is_refused_naming_the_header(tmp_path):
    manifest = tmp_path / "m.csv"
    manifest.write_text("file,subject_id\na.h5,M1\n")
    with pytest.raises(PoseBridgeError) as refused:
        read_manifest(manifest)
    message = str(refused.value)
    assert f"{manifest} (line 1)" in message and "no 'input' column" in message
    assert "line 2" not in message


def test_an_unknown_csv_column_is_said_to_be_in_the_header(tmp_path):
    manifest = tmp_path / "m.csv"
    manifest.write_text("input,notes\na.h5,x\n")
    with pytest.raises(PoseBridgeError, match=r"\(line 1, the header\): unknown column"):
        read_manifest(manifest)
