"""formats/_shared/json_text.py: JSON text made in columns reads back as what was given."""

from __future__ import annotations

import json

import numpy as np
import pyarrow as pa
from hypothesis import example, given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from posebridge.formats._shared.json_text import (
    comma_before,
    integers,
    join,
    json_strings,
    number_lists,
    numbers,
    optional,
    text_of,
    write_texts,
)

floats = arrays(np.float64, st.integers(0, 40), elements=st.floats(width=64))


@given(floats)
@example(np.array([-0.0, 0.0, 1e-300, -1e300]))  # Arrow spells -0.0 "-0", JSON's integer 0
def test_numbers_read_back_bit_identical_and_non_finite_ones_are_null(values):
    back = [json.loads(t) for t in numbers(values).to_pylist()]
    finite = np.isfinite(values)
    assert np.array([b for b in back if b is not None], np.float64).tobytes() == (
        values[finite].tobytes()
    )
    assert [b is None for b in back] == (~finite).tolist()


@given(st.lists(st.text(), max_size=30))
@example(['",', ""])  # an escaped quote, a comma, the closing quote: not a cut
@example([","])  # the opening quote, a comma, the closing quote: not a cut either
@example(["a", ",", "b"])
def test_json_strings_decode_to_the_strings_given(texts):
    literals = json_strings(np.array(texts, dtype=object)).to_pylist()
    assert [json.loads(literal) for literal in literals] == texts


def test_strings_that_look_like_the_cut_between_two_literals_stay_whole():
    texts = ['","', "\\", '"', 'a\\","b', "", '\\"', "\x00\x1f", "ü", '",', "x\\", '\\",']
    literals = json_strings(np.array(texts, dtype=object)).to_pylist()
    assert [json.loads(literal) for literal in literals] == texts


@given(arrays(np.float64, st.tuples(st.integers(0, 6), st.integers(1, 5))))
def test_number_lists_are_each_row_as_a_json_list(values):
    rows = [json.loads(t) for t in number_lists(values).to_pylist()]
    expected = [[v if np.isfinite(v) else None for v in row] for row in values.tolist()]
    assert rows == expected


def test_optional_keys_appear_only_where_wanted_and_finite():
    values = np.array([0.5, np.nan, 2.0, np.inf])
    wanted = np.array([True, True, False, True])
    assert optional(',"s":', values, wanted).to_pylist() == [',"s":0.5', "", "", ""]


def test_a_list_made_of_pieces_is_valid_json(tmp_path):
    ids = np.array([3, -1, 7])
    records = join(comma_before(3), '{"id":', integers(ids), ',"x":', numbers(ids / 2), "}")
    path = tmp_path / "out.json"
    write_texts(path, "[", records, "]")
    assert json.loads(path.read_text()) == [
        {"id": 3, "x": 1.5},
        {"id": -1, "x": -0.5},
        {"id": 7, "x": 3.5},
    ]


def test_text_of_a_slice_is_only_that_slice():
    texts = pa.array(["ab", "cd", "ef", "gh"], pa.large_string())
    assert bytes(text_of(texts.slice(1, 2))) == b"cdef"
    assert bytes(text_of(texts.slice(4, 0))) == b""
