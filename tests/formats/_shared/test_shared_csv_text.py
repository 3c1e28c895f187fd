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
    """As pandas quotes (only cells that need it); numbers, whole ones written as text
    with '.0' included, are never quoted."""
    import pandas as pd

    out = io.BytesIO()
    texts = np.array(["a,b", "c", 'say "hi"', "two\nlines"])
    write_csv_block(out, [texts, np.array([1.5, 2.0, np.nan, 4.0])], quoted=True)
    expected = b'"a,b",1.5\nc,2.0\n"say ""hi""",\n"two\nlines",4.0\n'
    assert out.getvalue() == expected
    back = pd.read_csv(io.BytesIO(out.getvalue()), header=None, keep_default_na=False)
    assert back[0].tolist() == texts.tolist()


@given(floats)
def test_a_block_reads_back_bit_identical_and_whole_numbers_as_floats(values):
    """Arrow spelled 2.0 as '2', so pandas read a column of whole numbers (integer pixel
    labels, a likelihood of 0 throughout) back as int64; pandas' own file says 2.0."""
    import pandas as pd

    out = io.BytesIO()
    write_csv_block(out, [np.arange(len(values)), values])
    if not len(values):
        assert out.getvalue() == b""
        return
    back = pd.read_csv(io.BytesIO(out.getvalue()), header=None, float_precision="round_trip")
    column = back[1].to_numpy(dtype=np.float64)
    finite = np.isfinite(values)
    assert column[finite].tobytes() == values[finite].tobytes()
    assert np.isnan(column[np.isnan(values)]).all()
    cells = [line.split(b",", 1)[1] for line in out.getvalue().splitlines()]
    for cell, value in zip(cells, values.tolist(), strict=True):
        if np.isfinite(value) and value == int(value) and b"e" not in cell:
            assert cell.endswith(b".0"), (cell, value)
