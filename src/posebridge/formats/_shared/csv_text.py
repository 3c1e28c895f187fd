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


def write_csv_block(
    handle: io.BufferedIOBase,
    columns: Sequence[np.ndarray],
    *,
    python_repr: bool = False,
    quoted: bool = False,
) -> None:
    """Append rows to an open binary CSV file, one array per column (no header).

    Float columns are written with :func:`float_text`'s rules (NaN as an empty
    cell); integer and text columns as they are.

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
    >>> write_csv_block(out, [np.array([1, 2]), np.array([0.5, np.nan])])
    >>> out.getvalue()
    b'1,0.5\\n2,\\n'
    """
    import pyarrow as pa
    import pyarrow.csv as pcsv

    arrays = []
    for column in columns:
        if column.dtype.kind == "f":
            if python_repr:
                arrays.append(pa.array(float_text(column, python_repr=True), pa.string()))
            else:
                arrays.append(pa.array(column, mask=np.isnan(column)))
        else:
            arrays.append(pa.array(column))
    names = [f"c{k}" for k in range(len(arrays))]
    batch = pa.record_batch(arrays, names=names)
    options = pcsv.WriteOptions(include_header=False, quoting_style="needed" if quoted else "none")
    with pcsv.CSVWriter(handle, batch.schema, write_options=options) as writer:
        writer.write_batch(batch)
