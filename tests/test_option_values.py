"""_option_values.py: which values an option's annotation admits."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pytest

from posebridge._option_values import admits, annotations, describe


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


def test_describe_writes_the_annotation_without_module_prefixes():
    assert describe(Sequence[str] | None) == "Sequence[str] | None"
    assert describe(int) == "int"
