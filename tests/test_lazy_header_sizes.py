"""posebridge.lazy.header_sizes: a file's sizes from its header alone.

Batch resume compares an earlier output's frames, keypoints and individuals with its
input's; it opened every input as a dataset for three numbers. DeepLabCut /
LightningPose .h5 and SLEAP analysis files give them from their header (row count and
column labels, the shape of /tracks): the same numbers as the opened dataset's.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest

import posebridge
from _corpus import CORPUS, MISSING, read_options, readable_files
from posebridge.lazy import header_sizes, open_lazily_indexed
from posebridge.model import labels

CORPUS_FILES = (
    [pytest.param(p, id=p.relative_to(CORPUS).as_posix()) for p in readable_files()]
    if CORPUS.is_dir()
    else [pytest.param(None, marks=pytest.mark.skip(reason=MISSING), id="no-corpus")]
)


def _opened_sizes(path: Path, **options) -> dict[str, int]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with open_lazily_indexed(path, **options) as ds:
            if labels.is_labels(ds):
                return {}
            return {d: int(ds.sizes[d]) for d in ("time", "keypoint", "individual")}


def _poses(n_time: int, n_keypoints: int, individuals: list[str]):
    rng = np.random.default_rng(n_time)
    return posebridge.from_numpy(
        rng.uniform(0, 100, (n_time, 2, n_keypoints, len(individuals))),
        rng.uniform(0, 1, (n_time, n_keypoints, len(individuals))),
        individual_names=individuals,
        keypoint_names=[f"k{j}" for j in range(n_keypoints)],
    )


@pytest.mark.parametrize(
    ("fmt", "name", "individuals"),
    [
        ("dlc", "multi.h5", ["a", "b", "c"]),
        ("dlc", "single.h5", ["individual_0"]),
        ("lp", "lp.h5", ["individual_0"]),  # a DeepLabCut .h5 read as LightningPose's
        ("sleap", "s.analysis.h5", ["t1", "t2"]),
    ],
)
def test_hdf5_headers_give_the_sizes_of_the_dataset(tmp_path, fmt, name, individuals):
    path = tmp_path / name
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        posebridge.save(_poses(17, 4, individuals), path, "dlc" if fmt == "lp" else fmt)
    expected = {"time": 17, "keypoint": 4, "individual": len(individuals)}
    assert header_sizes(path, fmt) == expected
    assert _opened_sizes(path, format=fmt) == expected


def test_files_whose_header_does_not_tell_give_none(tmp_path):
    """A DeepLabCut CSV and a netCDF file are opened to know their sizes; so is a
    DeepLabCut .h5 of labelled frames (indexed by image)."""
    ds = _poses(5, 2, ["a"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        posebridge.save(ds, tmp_path / "p.csv", "dlc")
        posebridge.save(ds, tmp_path / "p.nc")
        frames = labels.from_numpy(
            ds.position.values, image_path=[f"labeled-data/v/img{i}.png" for i in range(5)]
        )
        posebridge.save(frames, tmp_path / "CollectedData_me.h5", "dlc")
    assert header_sizes(tmp_path / "p.csv") is None
    assert header_sizes(tmp_path / "p.nc") is None
    assert header_sizes(tmp_path / "CollectedData_me.h5", "dlc") is None


@pytest.mark.parametrize("path", CORPUS_FILES)
def test_header_sizes_agree_with_the_opened_dataset_on_every_corpus_file(path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sizes = header_sizes(path, **read_options(path))
    if sizes is None:
        return
    assert sizes == _opened_sizes(path, **read_options(path))
