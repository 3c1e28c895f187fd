"""formats/_shared/csv_text.py: exact float text, as Arrow spells it or as repr does."""

from __future__ import annotations

import io

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from posebridge.formats._shared.csv_text import float_text, write_csv_block

floats = arrays(np.float64, st.integers(0, 50), elements=st.floats(allow_nan=True, width=64))


@given(floats)
def test_python_repr_text_is_exactly_repr_and_nan_is_empty(values):
    text = float_text(values, python_repr=True).tolist()
    expected = ["" if np.isnan(v) else repr(v) for v in values.tolist()]
    assert text == expected


@given(floats)
def test_arrow_text_reads_back_bit_identical(values):
    text = float_text(values)
    finite = ~np.isnan(values)
    back = np.array([float(t) for t in text[finite].tolist()], dtype=np.float64)
    assert back.tobytes() == values[finite].tobytes()
    assert all(t == "" for t in text[~finite].tolist())


def test_block_writes_integers_floats_and_empty_cells():
    out = io.BytesIO()
    write_csv_block(out, [np.array([7, 8]), np.array([2.0, np.nan])], python_repr=True)
    assert out.getvalue() == b"7,2.0\n8,\n"


def test_text_cells_are_quoted_when_asked():
    out = io.BytesIO()
    write_csv_block(out, [np.array(["a,b", "c"]), np.array([1.5, 2.5])], quoted=True)
    assert out.getvalue().splitlines() == [b'"a,b",1.5', b'"c",2.5']
