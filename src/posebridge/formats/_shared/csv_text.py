"""Exact float text for CSV files: every number written shortest-round-trip, vectorised.

One implementation for every CSV writer (DeepLabCut / LightningPose, Anipose):
numbers are formatted by Arrow's shortest round-trip algorithm, so a file reads
back bit-identical. ``python_repr=True`` gives exactly Python's ``repr(float)``
text (``2.0``, ``1e-05``), which is what pandas' ``to_csv`` writes: a file
written by a pandas-based tool is then reproduced byte for byte.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

import numpy as np

__all__ = ["float_text", "write_csv_block"]

#: ``repr`` switches to scientific notation outside this range of magnitudes.
_REPR_FIXED_RANGE = (1e-4, 1e16)


def float_text(values: np.ndarray, *, python_repr: bool = False) -> np.ndarray:
    """The shortest round-trip text of each value (``""`` for NaN), as an object array.

    Parameters
    ----------
    values
        Floats of any shape.
    python_repr
        Give exactly ``repr(float(v))`` (pandas' CSV text) instead of Arrow's
        spelling (``2`` rather than ``2.0``, ``0.00001`` rather than ``1e-05``).

    Returns
    -------
    numpy.ndarray
        Strings (dtype object), the shape of ``values``.

    Examples
    --------
    >>> import numpy as np
    >>> float_text(np.array([2.0, 0.1, np.nan])).tolist()
    ['2', '0.1', '']
    >>> float_text(np.array([2.0, 1e-05, np.nan]), python_repr=True).tolist()
    ['2.0', '1e-05', '']
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    flat = np.ascontiguousarray(values, dtype=np.float64).ravel()
    missing = np.isnan(flat)
    arrow = pc.cast(pa.array(flat, mask=missing), pa.string()).fill_null("")
    text = np.asarray(arrow.to_numpy(zero_copy_only=False), dtype=object)
    if python_repr and flat.size:
        plain = text.astype(str)
        finite = np.isfinite(flat)
        magnitude = np.abs(flat)
        low, high = _REPR_FIXED_RANGE
        scientific = finite & (flat != 0) & ((magnitude < low) | (magnitude >= high))
        has_exponent = np.char.find(plain, "e") >= 0
        fixed = finite & ~scientific
        integral = fixed & ~has_exponent & (np.char.find(plain, ".") < 0)
        text[integral] = np.char.add(plain[integral], ".0")
        # where Arrow and repr choose a different notation (rare for pose data)
        other = scientific | (fixed & has_exponent)
        if other.any():
            text[other] = [repr(v) for v in flat[other].tolist()]
    return text.reshape(np.shape(values))


def _with_point_when_whole(column: np.ndarray) -> object:
    """A float column as Arrow text, shortest round-trip, a whole number ending in ``.0``.

    Arrow spells 2.0 as ``2``; ``pandas.read_csv`` then reads a column of whole
    numbers (integer pixel labels, a likelihood of 0 throughout) as int64, where
    the file written by DeepLabCut or pandas (``2.0``) reads as float64. All in
    Arrow's compute functions: no Python step per value.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    values = np.ascontiguousarray(column, dtype=np.float64)
    missing = np.isnan(values)
    text = pc.cast(pa.array(values, mask=missing), pa.string())
    with np.errstate(invalid="ignore"):
        whole = ~missing & (np.abs(values) < _REPR_FIXED_RANGE[1]) & (values == np.trunc(values))
    if not whole.any():
        return text
    # Arrow writes large whole numbers with an exponent (1e+10): those keep their text
    plain = pa.array(whole) if whole.all() else pc.and_(pa.array(whole), pc.is_valid(text))
    plain = pc.and_(plain, pc.invert(pc.match_substring(text, "e")))
    pointed = pc.binary_join_element_wise(text, pa.scalar(".0"), "")
    return pc.if_else(plain, pointed, text)


def write_csv_block(
    handle: io.BufferedIOBase,
    columns: Sequence[np.ndarray],
    *,
    python_repr: bool = False,
    quoted: bool = False,
) -> None:
    """Append rows to an open binary CSV file, one array per column (no header).

    Float columns are written with :func:`float_text`'s rules (NaN as an empty
    cell), a whole number with ``.0`` as pandas writes it (``2.0``, so pandas reads
    the column back as floats); integer and text columns as they are.

    Parameters
    ----------
    handle
        The file, opened for binary writing.
    columns
        Equal-length 1-D arrays.
    python_repr
        Spell floats as ``repr`` does (see :func:`float_text`).
    quoted
        Quote text cells that need it (commas, quotes, line ends).

    Examples
    --------
    >>> import io, numpy as np
    >>> out = io.BytesIO()
    >>> write_csv_block(out, [np.array([1, 2]), np.array([0.5, np.nan]), np.array([3.0, -0.0])])
    >>> out.getvalue()
    b'1,0.5,3.0\\n2,,-0.0\\n'
    """
    import pyarrow as pa
    import pyarrow.csv as pcsv

    arrays = []
    for column in columns:
        if column.dtype.kind == "f":
            if python_repr:
                arrays.append(pa.array(float_text(column, python_repr=True), pa.string()))
            else:
                arrays.append(_with_point_when_whole(column))
        else:
            arrays.append(pa.array(column))
    if quoted:
        _write_lines(handle, arrays)
        return
    names = [f"c{k}" for k in range(len(arrays))]
    batch = pa.record_batch(arrays, names=names)
    options = pcsv.WriteOptions(include_header=False, quoting_style="none")
    with pcsv.CSVWriter(handle, batch.schema, write_options=options) as writer:
        writer.write_batch(batch)


#: Rows joined into one piece of text at a time by :func:`_write_lines`.
_LINES_AT_ONCE = 100_000


def _write_lines(handle: io.BufferedIOBase, arrays: list[object]) -> None:
    """Write rows whose text cells may need quotes, as pandas quotes them (only the cells
    holding a comma, a quote or a line end; a quote doubled). Arrow's CSV writer quotes
    every text cell, numbers written as text (whole numbers' ``.0``) included; the cells
    are joined into lines with Arrow's compute functions instead (no Python step per row).
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    cells = []
    for array in arrays:
        if pa.types.is_string(array.type) or pa.types.is_large_string(array.type):
            needs = pc.match_substring_regex(array, '[",\r\n]')
            wrapped = pc.binary_join_element_wise(
                '"', pc.replace_substring(array, '"', '""'), '"', ""
            )
            cells.append(pc.if_else(needs, wrapped, array))
        else:
            cells.append(pc.cast(array, pa.string()))
    lines = pc.binary_join_element_wise(*cells, ",", null_handling="replace")
    for start in range(0, len(lines), _LINES_AT_ONCE):
        part = lines.slice(start, _LINES_AT_ONCE)
        whole = pa.ListArray.from_arrays(pa.array([0, len(part)], pa.int32()), part)
        handle.write(pc.binary_join(whole, "\n")[0].as_buffer())
        handle.write(b"\n")
