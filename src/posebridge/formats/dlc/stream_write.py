"""Writing a DeepLabCut / LightningPose table chunk by chunk from a dask-backed dataset.

A dataset whose arrays are dask arrays (a streamed conversion, or
:func:`posebridge.open_dataset`) is written one dask chunk of frames at a
time: the column plan is made once (from the coordinates, and for the few
decisions that need the whole data, ``single``'s bodyparts and a 3D
likelihood, by dask reductions, chunk by chunk), then each chunk is computed,
checked, laid out by the in-memory writer's own
:func:`~posebridge.formats.dlc.column_plan.fill_values` and appended: CSV rows with
the same text as the in-memory writer (so the same bytes), or rows of the
pandas ``table`` under ``df_with_missing`` (the same values). Labelled data
and tables indexed by image are written in memory.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from posebridge.formats._shared.csv_text import write_csv_block
from posebridge.formats._shared.lazy import is_dask, time_blocks
from posebridge.formats.dlc import column_plan, csv_write, layout, pandas_hdf5
from posebridge.model import labels

__all__ = ["streamable", "write_chunks"]

KEY = "df_with_missing"


def streamable(ds: xr.Dataset) -> bool:
    """Whether ``ds`` is written chunk by chunk: dask arrays, poses indexed by frame.

    Examples
    --------
    >>> import numpy as np, posebridge
    >>> streamable(posebridge.from_numpy(np.zeros((4, 2, 1, 1))))
    False
    """
    return (
        "position" in ds
        and is_dask(ds["position"].data)
        and not labels.is_labels(ds)
        and layout.IMAGE_PATH not in ds.coords
        and layout.DATA_SPLIT not in ds.coords
    )


def write_chunks(
    ds: xr.Dataset,
    targets: Sequence[Path],
    plans: Sequence[column_plan.ColumnPlan],
    frames: np.ndarray,
    csv: bool,
    check: Callable[..., None],
) -> None:
    """Write each table of ``plans`` to its (temporary) target, one chunk of frames at a time.

    Parameters
    ----------
    ds
        The dataset, dask-backed (see :func:`streamable`).
    targets
        One file per plan.
    plans
        From :func:`posebridge.formats.dlc.write.plan_tables` with ``with_arrays=False``.
    frames
        The frame number of every row.
    csv
        Write CSV (else a pandas ``table`` .h5).
    check
        ``check(chunk, first_time=start)`` refuses a chunk that cannot be written.

    Examples
    --------
    >>> write_chunks(ds, [Path("tmp.csv")], [plan], frames, True, check)  # doctest: +SKIP
    """
    n_rows = int(frames.shape[0])
    if csv:
        handles = [open(target, "wb") for target in targets]  # noqa: SIM115 - closed below
        outputs: list = handles
    else:
        outputs = [pd.HDFStore(target, mode="w") for target in targets]
    try:
        if csv:
            for handle, plan in zip(handles, plans, strict=True):
                handle.write(csv_write.header_text(plan, 1).encode("utf-8"))
        columns = [pd.MultiIndex.from_tuples(p.labels, names=list(p.level_names)) for p in plans]
        for start, stop in time_blocks(ds):
            chunk = ds.isel(time=slice(start, stop)).compute()
            check(chunk, first_time=start)
            rows = frames[start:stop].astype(np.int64)
            for out, plan, labels_ in zip(outputs, plans, columns, strict=True):
                filled = dataclasses.replace(plan, arrays=column_plan.plan_arrays(plan, chunk))
                values = column_plan.fill_values(filled)
                if csv:
                    write_csv_block(out, [rows, *np.ascontiguousarray(values.T)])
                else:
                    frame = pd.DataFrame(values, index=pd.Index(rows), columns=labels_, copy=False)
                    out.append(KEY, frame, index=False, expectedrows=n_rows)
    finally:
        for out in outputs:
            out.close()
    if not csv:  # PyTables says nothing of a disk that filled up meanwhile
        for target in targets:
            pandas_hdf5.check_written(target, KEY, n_rows, frames=frames.astype(np.int64))
