"""Every real DeepLabCut / LightningPose file of the corpus loads as its own header says.

Expectations come from the files themselves, parsed here independently of
posebridge: ``pd.read_hdf`` for .h5, and the raw header lines plus a line count
for .csv (``pd.read_csv(header=[...])`` would drop an all-empty first row).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xarray as xr

import posebridge
from _corpus import corpus_params, corpus_path
from posebridge.formats import dlc as deeplabcut

pytestmark = pytest.mark.corpus

FILES = [
    *corpus_params("dlc_h5", "*.h5"),
    *corpus_params("dlc_csv", "*.csv"),
    *corpus_params("dlc_multi", "*"),
    *corpus_params("lp_csv", "*.csv"),
]


@dataclass
class Expected:
    """What a file's own header and rows say."""

    columns: list[dict[str, str]]  # one {level: label} per column
    values: np.ndarray  # (rows, columns) as the file stores them
    n_frames: int


def expected_from_h5(path: Path) -> Expected:
    df = pd.read_hdf(path)
    names = list(df.columns.names)
    columns = [dict(zip(names, label, strict=True)) for label in df.columns]
    return Expected(columns, df.to_numpy(dtype=np.float64), len(df))


def expected_from_csv(path: Path) -> Expected:
    lines = [line for line in path.read_text().splitlines() if line.strip()]
    head = pd.read_csv(path, header=None, nrows=4, dtype=str, keep_default_na=False)
    levels = [cell for cell in head[0] if cell in ("scorer", "individuals", "bodyparts", "coords")]
    first = head.iloc[0].tolist()
    n_index = 1 + next(i for i, cell in enumerate(first[1:]) if cell != "")
    columns = [
        dict(zip(levels, head.iloc[: len(levels), j].tolist(), strict=True))
        for j in range(n_index, head.shape[1])
    ]
    body = pd.read_csv(path, header=None, skiprows=len(levels), dtype=str, keep_default_na=False)
    numbers = body.iloc[:, n_index:].replace("", "nan")
    keep = [j for j, c in enumerate(columns) if c["scorer"] != "set"]
    values = numbers.iloc[:, keep].astype(np.float64).to_numpy()
    return Expected([columns[j] for j in keep], values, len(lines) - len(levels))


def expected(path: Path) -> Expected:
    return expected_from_h5(path) if path.suffix == ".h5" else expected_from_csv(path)


@pytest.mark.parametrize("path", FILES)
def test_loads_as_its_header_says(path: Path) -> None:
    want = expected(path)
    ds = posebridge.load(path)
    individuals = list(dict.fromkeys(c.get("individuals", "individual_0") for c in want.columns))
    shared = list(
        dict.fromkeys(c["bodyparts"] for c in want.columns if c.get("individuals") != "single")
    )
    unique = [c["bodyparts"] for c in want.columns if c.get("individuals") == "single"]
    keypoints = shared + [k for k in dict.fromkeys(unique) if k not in shared]
    space = [c for c in ("x", "y", "z") if any(col["coords"] == c for col in want.columns)]
    assert ds.sizes["time"] == want.n_frames
    assert ds.individual.values.tolist() == individuals
    assert ds.keypoint.values.tolist() == keypoints
    assert ds.space.values.tolist() == space
    assert ds.position.dtype == np.float64
    for j, column in enumerate(want.columns):
        where = {
            "individual": column.get("individuals", "individual_0"),
            "keypoint": column["bodyparts"],
        }
        if column["coords"] in space:
            got = ds.position.sel(**where, space=column["coords"]).values
        elif column["coords"] == "likelihood":
            got = ds.confidence.sel(**where).values
        else:
            got = ds[column["coords"]].sel(**where).values
        np.testing.assert_array_equal(got, want.values[:, j], err_msg=str(column))
    ds.to_netcdf(engine="h5netcdf")  # every dataset saves as it is


def test_first_row_all_empty_keeps_twelve_frames() -> None:
    ds = posebridge.load(corpus_path("dlc_csv/vid1_DLC_3D_nov2019_mostlyNaN.csv"))
    assert ds.time.values.tolist() == list(range(12))


@pytest.mark.parametrize(
    ("h5", "csv"),
    [
        ("dlc_h5/CollectedData_Pranav.h5", "dlc_csv/CollectedData_Pranav.csv"),
        ("dlc_h5/CollectedData_Mackenzie.h5", "dlc_csv/CollectedData_Mackenzie.csv"),
        ("dlc_h5/CollectedData_shaokai.h5", "dlc_csv/CollectedData_shaokai.csv"),
        ("dlc_h5/vid1_DLC_3D.h5", "dlc_csv/vid1_DLC_3D.csv"),
        ("dlc_multi/CollectedData_dlc_team.h5", "dlc_multi/CollectedData_dlc_team.csv"),
    ],
)
def test_h5_and_csv_twins_are_equal(h5: str, csv: str) -> None:
    from_h5 = deeplabcut.read(corpus_path(h5))
    from_csv = deeplabcut.read(corpus_path(csv))
    xr.testing.assert_identical(from_h5, from_csv)


@pytest.mark.parametrize(
    ("relative", "key", "layout"),
    [
        ("dlc_multi/trimouse_calib.h5", "calib", "fixed"),
        ("dlc_multi/montblanc_tracks.h5", "df", "fixed"),
        (
            "dlc_multi/m3v1mp4shortDLC_effnet_b0_multi_mouseApr12shuffle1_5_el.h5",
            "tracks",
            "table",
        ),
        ("dlc_h5/CollectedData_shaokai.h5", "df_with_missing", "fixed"),
    ],
)
def test_other_keys_and_layouts(relative: str, key: str, layout: str) -> None:
    path = corpus_path(relative)
    assert deeplabcut._describe(path) == [("layout", f"pandas HDF5 ({layout}), key '{key}'")]
    assert deeplabcut.read(path).sizes["time"] == len(pd.read_hdf(path, key=key))


def test_labels_keep_image_paths() -> None:
    ds = deeplabcut.read(corpus_path("dlc_h5/CollectedData_shaokai.h5"))
    index = pd.read_hdf(corpus_path("dlc_h5/CollectedData_shaokai.h5")).index
    assert ds.image_path.values.tolist() == ["/".join(row) for row in index]
    assert ds.attrs["dlc_index_style"] == "levels"
    pranav = deeplabcut.read(corpus_path("dlc_csv/CollectedData_Pranav.csv"))
    assert pranav.image_path.values[0] == "labeled-data/m4s1/img0000.png"
    assert pranav.attrs["dlc_index_style"] == "path"


@pytest.mark.parametrize("path", corpus_params("lp_csv", "*.csv"))
def test_lightning_pose_detection(path: Path) -> None:
    scorer = pd.read_csv(path, header=None, nrows=1, dtype=str).iloc[0, 1]
    expected_format = "lp" if scorer.endswith("_tracker") else "dlc"
    assert posebridge.detect(path) == expected_format
    ds = posebridge.load(path)
    assert ds.attrs["source_software"] == (
        "LightningPose" if expected_format == "lp" else "DeepLabCut"
    )


@pytest.mark.parametrize("path", FILES)
def test_writes_back_the_same_poses(tmp_path: Path, path: Path) -> None:
    ds = deeplabcut.read(path)
    for suffix in (".h5", ".csv"):
        (out,) = deeplabcut.write(ds, tmp_path / f"out{suffix}", split_individuals=False)
        xr.testing.assert_identical(deeplabcut.read(out), ds)
