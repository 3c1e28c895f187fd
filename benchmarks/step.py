"""Run one benchmark step in this (fresh) process and print its measurements as JSON.

Usage: ``python -m benchmarks.step <module> <index> <workdir> [--prepare-only]``.
With ``--prepare-only`` the inputs are built (and cached) and nothing is timed, so
that the timed runs all find the same cached inputs.
"""

from __future__ import annotations

import importlib
import json
import sys
import time
from pathlib import Path

from benchmarks.harness import reset_peak, rss_bytes


def _warm_xarray() -> None:
    """Build one xarray Dataset: xarray imports dask (when installed) on the first one.

    That import (0.5-1 s) is paid once per process by every tool that builds a
    Dataset (posebridge and movement alike); it is not the cost of the step.
    """
    try:
        import numpy as np
        import xarray as xr
    except ImportError:
        return
    xr.Dataset({"warm": ("x", np.zeros(1))}).copy()


def main() -> None:
    module_name, index, workdir = sys.argv[1], int(sys.argv[2]), Path(sys.argv[3])
    step = importlib.import_module(f"benchmarks.{module_name}").steps()[index]
    for needed in step.needs:
        importlib.import_module(needed)
    state = step.prepare(workdir)
    if "--prepare-only" in sys.argv[4:]:
        return
    _warm_xarray()
    baseline = rss_bytes()
    reset_peak()
    start = time.perf_counter()
    step.run(state)
    seconds = time.perf_counter() - start
    peak = max(rss_bytes("VmHWM"), baseline)
    print(json.dumps({"seconds": seconds, "peak_over_baseline": peak - baseline, "peak": peak}))


if __name__ == "__main__":
    main()
