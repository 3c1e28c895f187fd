"""The one table of unit names: what NWB's checker accepts, and the spellings users write."""

from __future__ import annotations

import pytest

from posebridge.model.units import UNIT_NAMES, unit_name


def test_the_unit_names_are_the_ones_nwbinspector_accepts_for_a_spatial_series():
    behavior = pytest.importorskip(
        "nwbinspector.checks._behavior", reason="nwbinspector (interop extra) is not installed"
    )
    assert set(UNIT_NAMES) == behavior.VALID_SPATIAL_SERIES_UNITS


@pytest.mark.parametrize("name", UNIT_NAMES)
def test_a_unit_name_names_itself_whatever_its_case_and_blanks(name):
    assert unit_name(name) == name
    assert unit_name(f" {name.upper()} ") == name


@pytest.mark.parametrize(
    ("spelled", "name"),
    [
        ("px", "pixels"),
        ("Pixel", "pixels"),
        ("mm", "millimeters"),
        ("millimetres", "millimeters"),
        ("µm", "micrometers"),
        ("microns", "micrometers"),
        ("M", "meters"),
        ("deg", "degrees"),
        ("n/a", "n.a."),
    ],
)
def test_short_and_british_spellings_name_the_same_unit(spelled, name):
    assert unit_name(spelled) == name


@pytest.mark.parametrize("value", [None, "furlongs", "", "mm2"])
def test_what_names_no_known_unit_gives_none(value):
    assert unit_name(value) is None
