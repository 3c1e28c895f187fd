"""The one numbering of tracks that COCO and YOLO pose predictions writers share."""

from __future__ import annotations

import pytest

from posebridge.errors import SchemaError
from posebridge.formats._shared.track_ids import individual_track_ids


def test_track_n_keeps_n_and_the_others_take_free_ids_in_order():
    names = ["untracked_0", "x", "track_1", "y", "track_9"]
    ids, untracked, numbered = individual_track_ids(names, "T")
    # x: no free id below track_1 (0 is no track) -> above all, 10; y: between 1 and 9 -> 2;
    # the untracked one last -> 11
    assert ids.tolist() == [11, 10, 1, 2, 9]
    assert untracked.tolist() == [True, False, False, False, False]
    assert numbered.tolist() == [False, False, True, False, True]
    assert len(set(ids.tolist())) == len(names)


def test_without_any_track_n_ids_start_at_1():
    """0 is no track to sleap-io (it reads ``get("object_id") or get("track_id")``)."""
    assert individual_track_ids(["alice", "bob"], "T")[0].tolist() == [1, 2]


@pytest.mark.parametrize(
    ("names", "message"),
    [
        (["track_01", "track_1"], r"T: the individuals 'track_01', 'track_1' would all have"),
        ([f"track_{2**53 - 1}", "x"], r"T: track id 9007199254740992 is 2\*\*53 or more"),
        ([f"track_{10**30}"], r"track id 1000000000000000000000000000000 is 2\*\*53"),
    ],
)
def test_ids_that_clash_or_pass_float64_are_refused(names, message):
    with pytest.raises(SchemaError, match=message):
        individual_track_ids(names, "T")


@pytest.mark.parametrize(
    ("names", "expected"),
    [
        (["queen", "track_7"], [1, 7]),
        (["a", "track_2", "b", "track_5", "c"], [1, 2, 3, 5, 6]),
        (["a", "track_2", "b", "track_3", "c"], [1, 2, 4, 3, 5]),  # no room for b
    ],
)
def test_ids_follow_the_dataset_order_where_there_is_room(names, expected):
    """Readers order individuals by id: ["queen", "track_7"] gave queen 8 and came back
    as [track_7, queen]."""
    assert individual_track_ids(names, "T")[0].tolist() == expected


@pytest.mark.parametrize("name", ["track_3\n", "track_\u0663"])
def test_a_track_number_with_a_line_end_or_another_scripts_digit_is_a_name(name):
    """``^track_(\\d+)$`` took 'track_3\\n' (``$`` before a line end) and 'track_٣' (an
    Arabic-Indic digit) as track 3: the name read back as track_3, its own lost; as for
    untracked_<k> (f132), they are names like any other."""
    ids, untracked, numbered = individual_track_ids(["track_3", name], "X")
    assert numbered.tolist() == [True, False] and not untracked.any()
    assert ids.tolist() == [3, 4]


def test_a_track_number_of_thousands_of_digits_is_refused_naming_it():
    """int() of more than 4300 digits raised a raw ValueError."""
    with pytest.raises(SchemaError, match=r"X: the individual 'track_9999.*2\*\*53 or more"):
        individual_track_ids(["mouse", "track_" + "9" * 5000], "X")
