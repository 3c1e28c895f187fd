"""The registry: family records, and detection that imports only what a file's name needs."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
import warnings

import numpy as np
import pytest
import xarray as xr

import _corpus
import posebridge
from posebridge import registry


def test_family_extensions_are_the_endings_the_records_claim():
    for family in registry.FAMILIES:
        module = importlib.import_module(f"posebridge.formats.{family}")
        claimed = {ext for fmt in module.FORMATS for ext in fmt.extensions}
        assert set(registry.FAMILY_EXTENSIONS[family]) == claimed, family
    assert set(registry.FAMILY_EXTENSIONS) == set(registry.FAMILIES)


def _families_imported_by_detect(path) -> list[str]:
    """Detect ``path`` in a fresh process; the format families it imported."""
    code = (
        "import json, sys, posebridge; "
        f"name = posebridge.detect({str(path)!r}); "
        "print(json.dumps([name, sorted({m.split('.')[2] for m in sys.modules "
        "if m.startswith('posebridge.formats.') and not m.split('.')[2].startswith('_')})]))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def _small_poses():
    return posebridge.from_numpy(
        np.arange(24.0).reshape(3, 2, 2, 2), individual_names=["a", "b"], keypoint_names=["x", "y"]
    )


def test_detecting_a_file_imports_only_the_families_that_claim_its_ending(tmp_path):
    path = tmp_path / "sessionDLC_resnet50.h5"
    posebridge.save(_small_poses(), path, "dlc")
    name, families = _families_imported_by_detect(path)
    assert name == "dlc"
    claiming = {f for f, ends in registry.FAMILY_EXTENSIONS.items() if ".h5" in ends}
    assert set(families) == claiming  # dlc, sleap, idtracker: not nwb, coco, ...


def test_a_misnamed_file_is_still_found_among_all_families(tmp_path):
    path = tmp_path / "session.json"  # a netCDF file under a COCO / Label Studio ending
    posebridge.save(_small_poses(), tmp_path / "session.nc")
    (tmp_path / "session.nc").rename(path)
    name, families = _families_imported_by_detect(path)
    assert name == "netcdf"
    assert set(families) == set(registry.FAMILIES)


def _families_imported_by(code: str) -> list[str]:
    """Run ``code`` in a fresh process; the format families it imported."""
    code += (
        "\nimport json, sys; print(json.dumps(sorted({m.split('.')[2] for m in sys.modules "
        "if m.startswith('posebridge.formats.') and not m.split('.')[2].startswith('_')})))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_saving_by_the_file_ending_imports_only_the_families_that_claim_it(tmp_path):
    target = tmp_path / "out.slp"
    families = _families_imported_by(
        "import numpy as np, posebridge\n"
        "ds = posebridge.from_numpy(np.zeros((2, 2, 1, 1)), keypoint_names=['nose'])\n"
        f"posebridge.save(ds, {str(target)!r})"
    )
    assert families == ["sleap"]
    assert posebridge.load(target)["position"].shape == (2, 2, 1, 1)


def test_a_format_name_imports_the_families_up_to_its_own():
    assert _families_imported_by("from posebridge import registry; registry.get('dlc')") == ["dlc"]
    assert registry.get("SLEAP").name == "sleap"
    assert [f.name for f in registry.siblings(registry.get("lp"))] == ["dlc", "lp"]
    assert [f.name for f in registry.siblings(registry.get("nwb"))] == ["nwb"]


@pytest.mark.parametrize("folder", _corpus.READABLE_FOLDERS)
def test_every_family_reader_takes_a_path_given_as_a_string(folder):
    """The family modules are public (``from posebridge.formats import coco``); their
    ``read`` takes a ``str`` as well as a ``Path``, as the docstring examples show."""
    if not _corpus.CORPUS.is_dir():
        pytest.skip(_corpus.MISSING)
    path = (
        _corpus.CORPUS / folder
        if folder in _corpus.FOLDER_INPUTS
        else next(p for p in _corpus.pose_files(folder) if p.suffix not in {".md", ".toml"})
    )
    fmt = registry.get(registry.detect(path))
    options = _corpus.read_options(path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from_string = fmt.read(str(path), **options)
        from_path = fmt.read(path, **options)
    xr.testing.assert_identical(from_string, from_path)
