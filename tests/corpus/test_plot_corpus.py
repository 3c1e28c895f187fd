"""Figures of real files: every kind draws, and what it draws is the file's data.

Files that need a reader option to load (several videos, several containers)
are skipped here: reading them is the format tests' concern.
"""

from __future__ import annotations

import warnings

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest

import posebridge
from _corpus import CORPUS, MISSING, read_options, readable_files
from posebridge import plot
from posebridge.errors import PoseBridgeError

FILES = (
    [pytest.param(p, id=p.relative_to(CORPUS).as_posix()) for p in readable_files()]
    if CORPUS.is_dir()
    else [pytest.param(None, marks=pytest.mark.skip(reason=MISSING), id="no-corpus")]
)


@pytest.mark.parametrize("path", FILES)
def test_every_figure_of_a_real_file_shows_its_data(path):
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ds = posebridge.load(path, **read_options(path))
    except PoseBridgeError as error:
        pytest.skip(f"needs reader options: {error}")
    if "view" in ds.dims:
        ds = ds.isel(view=0)
    if ds.sizes["time"] == 0:  # nothing to draw: each figure says so
        for kind in plot.KINDS:
            with pytest.raises(PoseBridgeError, match="no time steps"):
                plot.figure(ds, kind)
        return
    boxes = ds.attrs["ds_type"] == "bboxes"
    position = ds["position"].transpose("time", "space", ...).values
    lines = plot.trajectories(ds, max_steps=10**9).axes[0].get_lines()
    if boxes:
        centre = position
    else:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN frames
            centre = np.nanmean(position, axis=2)
    assert [line.get_label() for line in lines] == [str(n) for n in ds.individual.values]
    for i, line in enumerate(lines):
        # a mean: the summation order may differ in the last bit
        np.testing.assert_allclose(line.get_xdata(), centre[:, 0, i], rtol=1e-13)
        np.testing.assert_allclose(line.get_ydata(), centre[:, 1, i], rtol=1e-13)
    cells = np.asarray(
        plot.missing(ds, max_columns=10**9).axes[0].images[0].get_array(), dtype=float
    )
    absent = np.isnan(position).any(axis=1)  # (time, [keypoint,] individual)
    absent = absent.reshape(absent.shape[0], -1, absent.shape[-1]).transpose(2, 1, 0)
    np.testing.assert_array_equal(cells, absent.reshape(-1, absent.shape[-1]))
    plot.confidence(ds)
    plot.skeleton(ds)
