"""The package's namespace: public names imported on first use (PEP 562)."""

from __future__ import annotations

import subprocess
import sys

import pytest

import posebridge


def run_python(code: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    return done.stdout.strip()


def test_importing_posebridge_leaves_pandas_and_xarray_unimported():
    out = run_python(
        "import sys, posebridge; print(sorted(m for m in ('pandas', 'xarray', 'h5py') "
        "if m in sys.modules))"
    )
    assert out == "[]"


def test_every_public_name_is_there_on_first_use():
    for name in posebridge.__all__:
        assert getattr(posebridge, name) is not None, name
        assert name in dir(posebridge)
    assert callable(posebridge.load) and callable(posebridge.convert)
    assert posebridge.labels.__name__ == "posebridge.model.labels"


def test_convert_stays_the_function_after_its_module_is_imported():
    """batch imports the module posebridge.convert, which the import system sets as the
    package's attribute of that name: posebridge.convert must stay the function."""
    out = run_python(
        "import posebridge, posebridge.batch, importlib\n"
        "importlib.import_module('posebridge.convert')\n"
        "print(posebridge.convert.__name__, type(posebridge.convert).__name__)"
    )
    assert out == "convert function"


def test_an_unknown_name_is_an_attribute_error():
    with pytest.raises(AttributeError, match="no_such_name"):
        posebridge.no_such_name  # noqa: B018


def test_combine_is_an_attribute_in_a_fresh_session():
    """The README and error messages say posebridge.combine.merge_individuals(...)."""
    out = run_python(
        "import sys, posebridge\n"
        "print('xarray' in sys.modules, posebridge.combine.merge_individuals.__name__, "
        "'combine' in dir(posebridge))"
    )
    assert out == "False merge_individuals True"
