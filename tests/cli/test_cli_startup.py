"""The command line starts without the data libraries: they are imported by the commands
that read or write data."""

from __future__ import annotations

import subprocess
import sys

import pytest

from posebridge.cli import figures
from posebridge.plot import output


def modules_loaded_by(*argv: str) -> set[str]:
    code = (
        "import sys\n"
        "from posebridge.cli import main\n"
        "try:\n"
        f"    main({list(argv)!r})\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(' '.join(sorted(sys.modules)), file=sys.stderr)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    return set(done.stderr.split())


@pytest.mark.parametrize("argv", [["--help"], ["convert", "--help"], ["plot", "--help"]])
def test_help_imports_neither_pandas_xarray_nor_matplotlib(argv):
    loaded = modules_loaded_by(*argv)
    assert {"click", "posebridge.cli"} <= loaded  # the command line ran
    assert not {"pandas", "xarray", "h5py", "matplotlib", "numpy"} & loaded


def test_formats_still_lists_the_formats():
    loaded = modules_loaded_by("formats")
    assert "posebridge.registry" in loaded


def test_the_kinds_plot_offers_are_the_figures_it_draws():
    assert list(figures.FIGURE_KINDS) == list(output.KINDS)
