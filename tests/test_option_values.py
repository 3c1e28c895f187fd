"""_option_values.py: which values an option's annotation admits."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pytest

from posebridge import errors
from posebridge._option_values import admits, annotations, describe, expect_kind, expect_number
from posebridge.errors import PoseBridgeError


@pytest.mark.parametrize(
    ("hint", "value", "expected"),
    [
        (str, "name", True),
        (str, Path("a.mp4"), True),  # a path where text is named: its text
        (str, 7, False),
        (str | None, None, True),
        (str | None, [1], False),
        (int, 3, True),
        (int, np.int64(3), True),
        (int, True, False),  # a flag is not a count
        (int, 3.0, False),
        (float, 3, True),
        (float, np.float32(0.5), True),
        (float, "3", False),
        (bool, np.bool_(True), True),
        (bool, 1, False),
        (tuple[int, int] | None, (640, 480), True),
        (tuple[int, int] | None, np.array([640, 480]), True),
        (tuple[int, int] | None, [640], False),
        (tuple[int, int] | None, "64", False),
        (Sequence[str] | None, ["a", "b"], True),
        (Sequence[str] | None, "ab", False),  # text is not a list of names
        (Sequence[str] | None, ["a", 1], False),
        (str | os.PathLike[str] | None, Path("x"), True),
        (bool | Literal["auto"], "auto", True),
        (bool | Literal["auto"], "yes", False),
        (dict[str, Any], {"a": 1}, True),
        (dict[str, Any], [("a", 1)], False),
        (Any, object(), True),
        (np.dtype, "float32", False),  # a class: an instance of it
    ],
)
def test_admits_judges_the_kinds_it_knows(hint, value, expected):
    assert admits(hint, value) is expected


def test_annotations_are_evaluated_and_unknown_names_judge_nothing():
    def writer(ds, path, *, size: tuple[int, int] | None = None, name: str = "") -> None: ...

    assert annotations(writer) == {
        "size": tuple[int, int] | None,
        "name": str,
        "return": type(None),
    }

    def hidden(ds, path, *, thing: NotImportedHere = None) -> None: ...  # noqa: F821

    assert annotations(hidden) == {}


def test_describe_writes_literal_choices_as_the_values_a_user_gives():
    """``bool | Literal["auto"]`` was shown as ``Union[bool, Literal['auto']]``."""
    assert describe(bool | Literal["auto"]) == "bool | 'auto'"
    assert describe(Literal["a", "b"] | None) == "'a' | 'b' | None"


def test_describe_writes_the_annotation_without_module_prefixes():
    assert describe(Sequence[str] | None) == "Sequence[str] | None"
    assert describe(int) == "int"


def test_expect_kind_names_the_option_the_kind_and_the_value():
    expect_kind(["a"], Sequence[str] | str | None, "individuals")
    with pytest.raises(errors.TypeError, match=r"^individuals must be Sequence\[str\] \| None, "):
        expect_kind(5, Sequence[str] | None, "individuals")
    with pytest.raises(TypeError, match=r"got \('a', 'b'\) \(tuple\)"):  # the built-in too
        expect_kind(("a", "b"), tuple[float, float], "time")


@pytest.mark.parametrize(
    ("value", "options", "error", "message"),
    [
        (
            "x",
            {"whole": True, "least": 1},
            errors.TypeError,
            "a whole number, at least 1, got 'x'",
        ),
        (1.5, {"whole": True}, errors.TypeError, r"got 1\.5 \(float\)"),
        (True, {}, errors.TypeError, r"got True \(bool\)"),
        (None, {}, errors.TypeError, r"got None \(NoneType\)"),
        (np.nan, {}, PoseBridgeError, "a number, got nan"),
        (np.inf, {"least": 0}, PoseBridgeError, "got inf"),
        (0, {"whole": True, "least": 1}, PoseBridgeError, "at least 1, got 0"),
        (0, {"above": 0}, PoseBridgeError, "above 0, got 0"),
        (
            11,
            {"least": 0, "most": 10, "optional": True},
            PoseBridgeError,
            r"at most 10 \(or None\)",
        ),
    ],
)
def test_expect_number_refuses_what_is_not_a_number_in_bounds(value, options, error, message):
    with pytest.raises(error, match=message) as raised:
        expect_number(value, "opt", **options)
    assert str(raised.value).startswith("opt must be ")
    assert type(raised.value) is error  # a wrong type is posebridge's TypeError, not only a value


def test_expect_number_takes_numbers_in_bounds():
    expect_number(np.int64(3), "opt", whole=True, least=1)
    expect_number(0.5, "opt", above=0, most=1)
    expect_number(None, "opt", optional=True)


@pytest.mark.parametrize(
    ("text", "hints", "expected"),
    [
        ("1.50", [str | None], "1.50"),  # text as typed, not str(1.5)
        ("7e3", [str | None], "7e3"),
        ("NaN", [str], "NaN"),
        ("-0", [str | None], "-0"),
        ("1E2", [str | None, str], "1E2"),
        ("1.50", [float], 1.5),  # the option takes a number
        ("3", [int | str | None], 3),  # a video index or a name: the number
        ("3", [str | None, int], 3),  # one reader takes a number: kept parsed
        ("3", [], 3),  # no reader or writer known: JSON
        ("3", [Any], 3),
        ("true", [str | None], True),  # not a number: left for the writer to refuse
        ("[1]", [str | None], [1]),
        ("null", [str | None], None),
        ('"1.50"', [float], "1.50"),  # JSON text stays text
        ("gzip", [Any], "gzip"),  # not JSON: text
        ("[" * 100_000, [str], "[" * 100_000),  # nested beyond Python's limit: text
    ],
)
def test_from_command_line_keeps_a_number_typed_for_text_as_typed(text, hints, expected):
    from posebridge._option_values import from_command_line

    value = from_command_line(text, hints)
    assert value == expected and type(value) is type(expected)


def test_from_command_line_takes_the_python_spelling_of_a_tuple():
    from posebridge._option_values import from_command_line

    size = [tuple[int, int] | None]
    assert from_command_line("(640, 480)", size) == (640, 480)  # as messages write it
    assert from_command_line(" (640,480,) ", size) == (640, 480)
    # what the option does not take stays text, for the reader's own message
    assert from_command_line("(640,)", size) == "(640,)"
    assert from_command_line("(a, b)", size) == "(a, b)"
    assert from_command_line("(1, 2)", [str | None]) == "(1, 2)"  # a text option: the text


def test_from_command_line_takes_pythons_true_false_and_none_for_options_that_take_them():
    """``posebridge formats`` writes ``all_frames=True``: typed so, it is the bool."""
    from posebridge._option_values import from_command_line

    assert from_command_line("True", [bool]) is True
    assert from_command_line("False", [bool | Literal["auto"]]) is False
    assert from_command_line("None", [tuple[int, int] | None]) is None
    # an option that takes the text keeps it; one that takes neither gets the text to refuse
    assert from_command_line("True", [str | None]) == "True"
    assert from_command_line("None", [int]) == "None"
    assert from_command_line("True", []) == "True"


def test_describe_for_command_line_writes_the_values_as_typed_after_the_flag():
    from posebridge._option_values import describe_for_command_line

    assert describe_for_command_line(bool) == "true | false"
    assert describe_for_command_line(bool | Literal["auto"]) == "true | false | auto"
    assert describe_for_command_line(str | None) == "str | null"
    assert describe_for_command_line(Literal["a", 1, True]) == "a | 1 | true"
