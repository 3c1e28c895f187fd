"""posebridge against an earlier revision of itself: same files, same machine, same hour.

Usage::

    git worktree add /tmp/old <revision>
    .venv/bin/python -m benchmarks.revisions /tmp/old/src [--repeat 5] [--only C1]

``RESULTS.md`` compares posebridge with the peer tools in one run; comparing two
``RESULTS.md`` of different days also compares the machine's load on those days
(on a shared VM, every tool's seconds move by up to 2x). This runs the same cases
through the public API (``posebridge.load`` / ``posebridge.save``, stable across
revisions) on the cached workload files of ``benchmarks/_work`` (``make bench``
builds them), alternating the two revisions run by run, each run in a fresh
process after its imports and xarray's first Dataset. It prints a table of
median seconds; nothing is written.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks.harness import WORK

#: (name, input file in benchmarks/_work, output file ending or "" for a read, format of
#: the output, or of the input for a read: None to detect it)
CASES = (
    ("W1 DLC .h5 read", "w1_dlc.h5", "", None),
    ("W1 DLC .csv read", "w1_dlc.csv", "", None),
    ("W1 NWB read (2 files)", "w1_nwb_posebridge_mouse0.nwb", "", None),
    ("W1 SLEAP analysis read", "w1_posebridge.analysis.h5", "", None),
    ("W2 SLEAP .slp read", "w2_sleap.slp", "", None),
    ("L1 labels .slp read", "l1_1000_labels.slp", "", None),
    ("L1 labels NWB read", "l1_1000_labels.nwb", "", None),
    ("VIA 10k x 20 read", "via_10k_x_20.csv", "", None),
    ("C1 COCO GT read", "c1_10000_ground_truth.json", "", "coco"),
    ("LS1 Label Studio read", "ls1_10000_labelstudio.json", "", "labelstudio"),
    ("W1 DLC .h5 write", "w1_dlc.h5", ".h5", "dlc"),
    ("W1 DLC .csv write", "w1_dlc.h5", ".csv", "dlc"),
    ("W1 NWB write", "w1_dlc.h5", ".nwb", "nwb"),
    ("W1 SLEAP analysis write", "w1_dlc.h5", ".analysis.h5", "sleap"),
    ("W2 SLEAP .slp write", "w2_sleap.slp", ".slp", "sleap"),
    ("L1 labels NWB write", "l1_1000_labels.nwb", ".nwb", "nwb"),
    ("VIA 10k x 20 write", "via_10k_x_20.csv", ".csv", "via"),
)

#: One timed run, in the child process: argv = input, output ending, format, scratch dir.
_CHILD = r"""
import json, sys, time, warnings
warnings.simplefilter("ignore")
import numpy as np, xarray as xr
import posebridge
xr.Dataset({"warm": ("x", np.zeros(1))}).copy()
source, ending, fmt, scratch = sys.argv[1:5]
paths = [source]
if source.endswith("_mouse0.nwb"):
    paths.append(source.replace("_mouse0", "_mouse1"))
if ending:
    ds = posebridge.load(source)
    target = scratch + "/out" + ending
    start = time.perf_counter()
    posebridge.save(ds, target, fmt)
else:
    start = time.perf_counter()
    for path in paths:
        posebridge.load(path, fmt or None)
print(json.dumps(time.perf_counter() - start))
"""


def _run(src: str, source: Path, ending: str, fmt: str | None) -> float:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPATH"] = src
    with tempfile.TemporaryDirectory(dir=WORK) as scratch:
        done = subprocess.run(
            [sys.executable, "-c", _CHILD, str(source), ending, fmt or "", scratch],
            capture_output=True,
            text=True,
            env=env,
            cwd=scratch,
        )
    if done.returncode != 0:
        raise RuntimeError(done.stderr.strip().splitlines()[-1])
    return float(json.loads(done.stdout.strip().splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("old_src", help="the src folder of the earlier revision's checkout")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--only", default="", help="run the cases whose name contains this")
    args = parser.parse_args()
    here = str(Path(__file__).resolve().parent.parent / "src")
    print("| operation | earlier (s) | this (s) | this / earlier |")
    print("|---|---|---|---|")
    for name, file, ending, fmt in CASES:
        if args.only not in name:
            continue
        source = WORK / file
        if not source.exists():
            print(f"| {name} | | | {file} missing: run make bench first |")
            continue
        times: dict[str, list[float]] = {"old": [], "new": []}
        for _ in range(args.repeat):  # alternate, so both see the same load
            for key, src in (("old", args.old_src), ("new", here)):
                times[key].append(_run(src, source, ending, fmt))
        old, new = statistics.median(times["old"]), statistics.median(times["new"])
        print(f"| {name} | {old:.3f} | {new:.3f} | {new / old:.2f} |", flush=True)


if __name__ == "__main__":
    main()
