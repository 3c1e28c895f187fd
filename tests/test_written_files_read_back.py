"""Every writer's output reads back: what a writer accepts, its own reader takes.

Random small datasets (hypothesis) go through every writer; a writer may refuse
a dataset its format cannot hold (a PoseBridgeError), but a file it writes must
load again with the same points. Cases this found (two steps on one frame, no
point at all, a keypoint named '.') have their own tests beside each writer.
"""

from __future__ import annotations

import tempfile
import warnings
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import posebridge
from posebridge.errors import PoseBridgeError
from strategies import poses_datasets

SIZE = {"image_size": (4000, 4000)}
#: (format, file name, options, relative tolerance of the coordinates read back)
WRITERS = [
    ("dlc", "p.h5", {}, 0.0),
    ("dlc", "p.csv", {}, 0.0),
    ("lp", "lp.csv", {}, 0.0),
    ("anipose", "a.csv", {}, 0.0),
    ("sleap", "p.analysis.h5", {}, 0.0),
    ("slp", "p.slp", {}, 0.0),
    ("sleap-csv", "p.analysis.csv", {}, 0.0),
    ("nwb", "p.nwb", {"split_individuals": False}, 0.0),
    ("netcdf", "p.nc", {}, 0.0),
    ("coco", "gt.json", SIZE, 0.0),
    ("labelstudio", "tasks.json", SIZE, 1e-9),  # percent of the image: one rounding
    ("yolo", "data.yaml", SIZE, 1e-9),  # fractions of the image: one rounding
]
PIXELS = st.floats(-1000, 5000, allow_nan=False, width=64)


def finite_sorted(ds) -> np.ndarray:
    values = np.asarray(ds.position.values)
    return np.sort(values[np.isfinite(values)])


@settings(
    max_examples=120,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(
    poses_datasets(
        max_time=4,
        max_keypoints=3,
        max_individuals=2,
        elements=PIXELS,
        name_chars="abZ09_-,/. é",
    ),
    st.sampled_from(range(len(WRITERS))),
)
def test_what_a_writer_writes_its_reader_reads_back(ds, choice):
    fmt, name, options, tolerance = WRITERS[choice]
    with tempfile.TemporaryDirectory() as folder, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        path = Path(folder) / name
        try:
            written = posebridge.save(ds, path, format=fmt, **options)
        except PoseBridgeError:
            return  # what the format cannot hold is refused: allowed
        read = {"image_size": SIZE["image_size"]} if fmt == "yolo" else {}
        back = posebridge.load(written[0], format=fmt, **read)
    np.testing.assert_allclose(finite_sorted(back), finite_sorted(ds), rtol=tolerance, atol=1e-9)


@pytest.mark.parametrize(("fmt", "name", "options", "tolerance"), WRITERS)
def test_every_writer_reads_back_a_plain_dataset(tmp_path, fmt, name, options, tolerance):
    """The property above, pinned on one dataset every writer takes."""
    space = 3 if fmt == "anipose" else 2
    position = np.arange(2 * space * 2 * 1, dtype=float).reshape(2, space, 2, 1) + 1.5
    ds = posebridge.from_numpy(position, np.full((2, 2, 1), 0.5), individual_names=["m"])
    written = posebridge.save(ds, tmp_path / name, format=fmt, **options)
    read = {"image_size": SIZE["image_size"]} if fmt == "yolo" else {}
    back = posebridge.load(written[0], format=fmt, **read)
    np.testing.assert_allclose(finite_sorted(back), finite_sorted(ds), rtol=tolerance)
