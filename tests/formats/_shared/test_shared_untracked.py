"""The names of instances without a track (``formats/_shared/untracked.py``)."""

from __future__ import annotations

import warnings

import pytest

from posebridge.formats._shared.untracked import (
    is_untracked_name,
    untracked_sort_key,
    with_untracked_names,
)


@pytest.mark.parametrize(
    "name",
    ["untracked_3\n", "untracked_\u0663", "untracked_\uff13", "untracked_", "untracked_3_", "x"],
    ids=["line-end", "arabic", "fullwidth", "no digits", "suffix", "other"],
)
def test_only_untracked_and_ascii_digits_in_full_is_an_untracked_name(name: str):
    """h152 #1: ``^untracked_\\d+$`` with ``re.match`` took a trailing line end and any
    script's digits; such names are tracks' own."""
    assert not is_untracked_name(name)
    assert is_untracked_name("untracked_0") and is_untracked_name("untracked_" + "9" * 5000)


def test_a_track_named_with_other_digits_keeps_its_name_among_untracked_slots():
    """The readers rename a track named like an untracked slot; one with other digits,
    or a line end, is not like one and keeps its name, without a warning."""
    tracks = ["untracked_\u0663", "untracked_0\n"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert with_untracked_names(tracks, 1) == [*tracks, "untracked_0"]


def test_untracked_names_sort_by_their_number_however_large():
    """h152 #1: the SLEAP CSV writer sorted the numbers as int64 (OverflowError past 19
    digits); Python's int() refuses more than 4300 digits."""
    names = ["untracked_" + "9" * 5000, "untracked_10", "untracked_99999999999999999999"]
    names += ["untracked_9", "untracked_0010" + "0" * 5000]
    assert sorted(names, key=untracked_sort_key) == [
        "untracked_9",
        "untracked_10",
        "untracked_99999999999999999999",
        "untracked_" + "9" * 5000,
        "untracked_0010" + "0" * 5000,
    ]
