"""Run Python code in another process where ``import dask`` (and ``distributed``) fails,
as in an install without posebridge's ``dask`` extra (``pip install .``)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import posebridge

#: Set before anything imports posebridge: a ``None`` in ``sys.modules`` makes the
#: import raise ImportError (and ``importlib.util.find_spec`` find nothing, as xarray asks).
_PRELUDE = """
import sys
for _name in ("dask", "distributed"):
    sys.modules[_name] = None
"""
#: The folder holding the ``posebridge`` package under test.
_SOURCE = str(Path(posebridge.__file__).resolve().parents[1])


def run_without_dask(code: str, folder: Path) -> subprocess.CompletedProcess[str]:
    """Run ``code`` in a new interpreter without dask, in ``folder``; its output as text.

    When the code ends without an exception, a line ``DASK MODULES: [...]`` on stderr
    lists any ``dask`` module that got imported all the same (none should).
    """
    check = (
        "\nprint('DASK MODULES:', sorted(m for m in sys.modules "
        "if m.split('.')[0] in ('dask', 'distributed') and sys.modules[m] is not None), "
        "file=sys.stderr)\n"
    )
    body = f"{_PRELUDE}\n{code}\n{check}"
    environment = {**os.environ, "PYTHONPATH": _SOURCE}
    return subprocess.run(
        [sys.executable, "-c", body],
        capture_output=True,
        text=True,
        cwd=folder,
        env=environment,
        timeout=300,
    )


def run_command_line_without_dask(
    arguments: list[str], folder: Path
) -> subprocess.CompletedProcess[str]:
    """Run ``posebridge ARGUMENTS`` without dask, in ``folder`` (see :func:`run_without_dask`)."""
    code = (
        "from posebridge.cli import main\n"
        "try:\n"
        f"    main({arguments!r})\n"
        "except SystemExit as exit:\n"
        "    sys.stderr.write(f'EXIT STATUS: {exit.code}\\n')\n"
    )
    return run_without_dask(code, folder)
