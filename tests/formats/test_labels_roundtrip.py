"""Property: any labels dataset survives DeepLabCut, SLEAP and NWB writers and readers."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest
import xarray as xr
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import posebridge
from posebridge.model import labels


@st.composite
def labels_datasets(draw) -> xr.Dataset:
    n_rows = draw(st.integers(1, 6))
    n_kp, n_ind = draw(st.integers(1, 4)), draw(st.integers(2, 3))
    images = draw(st.booleans())
    if images:
        folders = draw(st.lists(st.sampled_from(["labeled-data/v1", "labeled-data/cam 2"]),
                                min_size=n_rows, max_size=n_rows))  # fmt: skip
        numbers = draw(st.lists(st.integers(0, 99999), min_size=n_rows, max_size=n_rows,
                                unique=True))  # fmt: skip
        coords = {
            "image_path": [f"{f}/img{k:05d}.png" for f, k in zip(folders, numbers, strict=True)]
        }
    else:
        pairs = draw(
            st.lists(
                st.tuples(st.sampled_from(["/v/a.mp4", "rel/b.avi"]), st.integers(0, 2**40)),
                min_size=n_rows,
                max_size=n_rows,
                unique=True,
            )
        )
        coords = {"video": [p[0] for p in pairs], "frame": [p[1] for p in pairs]}
    seed = draw(st.integers(0, 2**16))
    rng = np.random.default_rng(seed)
    position = rng.uniform(-100, 2000, (n_rows, 2, n_kp, n_ind))
    position[rng.random((n_rows, 1, n_kp, n_ind)).repeat(2, axis=1) < 0.3] = np.nan
    position[0, :, 0, 0] = 1.0  # every individual keeps at least one point
    position[0, :, 0, 1:] = 2.0
    names = ["untracked_0", "mouse/1", "b"][:n_ind] if draw(st.booleans()) else None
    if names and names[0] == "untracked_0":
        names = [*names[1:], names[0]]  # SLEAP lists tracks, then untracked instances
    return labels.from_numpy(position, individual_names=names, **coords)


def _roundtrip(ds: xr.Dataset, path: Path) -> xr.Dataset:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        posebridge.save(ds, path, overwrite=True)
        return posebridge.load(path, **({"instances": "user"} if path.suffix == ".slp" else {}))


@pytest.mark.parametrize("suffix", [".slp", ".nwb", ".csv"])
@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(ds=labels_datasets())
def test_labels_round_trip(tmp_path, suffix, ds):
    if suffix == ".nwb" and any("/" in str(n) for n in ds.individual.values):
        ds = ds.assign_coords(individual=[str(n).replace("/", "_") for n in ds.individual.values])
    back = _roundtrip(ds, tmp_path / f"labels{suffix}")
    np.testing.assert_array_equal(back.position.values, ds.position.values)
    assert back.individual.values.tolist() == ds.individual.values.tolist()
    assert back.keypoint.values.tolist() == ds.keypoint.values.tolist()
    assert back.frame.values.tolist() == ds.frame.values.tolist()
    if suffix != ".csv" or (ds.image_path.values != "").all():
        assert back.video.values.tolist() == ds.video.values.tolist()
        assert back.image_path.values.tolist() == ds.image_path.values.tolist()
    else:  # DeepLabCut names frames of a video by image, under the video's name
        stems = [Path(v).stem for v in ds.video.values]
        assert back.video.values.tolist() == [f"labeled-data/{s}" for s in stems]
