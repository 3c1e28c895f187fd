"""DeepLabCut and LightningPose files written one per individual (split_individuals=True).

Each file holds one individual in 3 column levels: its name is only in the file's name
(``<stem>_<name><suffix>``), which the reader does not take (every file reads back as
``individual_0``). The single-individual write warned that the name is not stored; the
split write said nothing. It now warns, naming the files and the individuals; names a
tool made up (``id_0``, ``id_1``) lose nothing and are not warned of.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import xarray as xr

import posebridge


def _poses(names: list[str]) -> xr.Dataset:
    position = np.arange(3 * 2 * 2 * 2, dtype=np.float64).reshape(3, 2, 2, 2) + 1.0
    return posebridge.from_numpy(
        position, np.full((3, 2, 2), 0.5), keypoint_names=["a", "b"], individual_names=names
    )


def _name_warnings(save) -> list[str]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        save()
    return [str(w.message) for w in caught if "keep no individual names" in str(w.message)]


@pytest.mark.parametrize(("fmt", "name"), [("dlc", "v.h5"), ("dlc", "v.csv"), ("lp", "v.csv")])
def test_a_split_write_warns_that_the_names_are_only_in_the_file_names(tmp_path, fmt, name):
    ds = _poses(["mouse A", "mouse B"])
    files: list = []
    (message,) = _name_warnings(
        lambda: files.extend(posebridge.save(ds, tmp_path / name, fmt, split_individuals=True))
    )
    assert [f.name for f in files] == [
        f"v_mouse A{files[0].suffix}",
        f"v_mouse B{files[0].suffix}",
    ]
    assert message.startswith(", ".join(map(str, files)) + ": ")
    assert "the individuals mouse A, mouse B read back as 'individual_0'" in message
    for file in files:  # what the warning says
        assert posebridge.load(file).individual.values.tolist() == ["individual_0"]

    made_up = _poses(["id_0", "id_1"])  # nothing to lose
    other = tmp_path / "made_up"
    other.mkdir()
    assert (
        _name_warnings(lambda: posebridge.save(made_up, other / name, fmt, split_individuals=True))
        == []
    )
