"""Run every benchmark module against the peers and write benchmarks/RESULTS.md.

Usage: ``python -m benchmarks [--repeat N] [--only SUBSTRING]``.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.metadata
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
WORK = HERE / "_work"
VERSIONED = (
    "posebridge",
    "movement",
    "sleap-io",
    "pynwb",
    "ndx-pose",
    "numpy",
    "pandas",
    "h5py",
    "xarray",
)


def _modules() -> list[str]:
    return sorted(p.stem for p in HERE.glob("bench_*.py"))


#: Steps run with bytecode caching on, as installed peers have it: with
#: PYTHONDONTWRITEBYTECODE set, every fresh process would compile posebridge's
#: sources (an editable install) again, while the peers' .pyc came with pip.
STEP_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def _run_step(module: str, index: int, repeat: int) -> dict | None:
    results = []
    WORK.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(dir=WORK) as workdir:  # build cached inputs first
        subprocess.run(
            [
                sys.executable,
                "-m",
                "benchmarks.step",
                module,
                str(index),
                workdir,
                "--prepare-only",
            ],
            capture_output=True,
            cwd=HERE.parent,
            env=STEP_ENV,
        )
    for _ in range(repeat):
        WORK.mkdir(exist_ok=True)
        with tempfile.TemporaryDirectory(dir=WORK) as workdir:
            done = subprocess.run(
                [sys.executable, "-m", "benchmarks.step", module, str(index), workdir],
                capture_output=True,
                text=True,
                cwd=HERE.parent,
                env=STEP_ENV,
            )
        if done.returncode != 0:
            tail = (done.stderr.strip().splitlines() or ["?"])[-1]
            return {"error": tail}
        results.append(json.loads(done.stdout.strip().splitlines()[-1]))
    return {
        "seconds": statistics.median(r["seconds"] for r in results),
        "peak_over_baseline": max(r["peak_over_baseline"] for r in results),
        "peak": max(r.get("peak", 0) for r in results),
    }


def _console(step, outcome: dict) -> str:
    """Seconds, peak RSS and (for steps with ``per``) the time per frame or file."""
    text = f"{outcome['seconds']:.3f} s, peak RSS {outcome['peak'] / 2**20:.0f} MB"
    if step.per:
        each = outcome["seconds"] / step.per
        text += (
            f", {each * 1e6:.2f} us/{step.unit}"
            if each < 1e-3
            else f", {each * 1e3:.1f} ms/{step.unit}"
        )
    return text


def _version(name: str) -> str:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--only", default="", help="run operations containing this text")
    args = parser.parse_args()

    rows = []
    for module in _modules():
        steps = importlib.import_module(f"benchmarks.{module}").steps()
        for index, step in enumerate(steps):
            if args.only not in step.operation:
                continue
            print(f"{step.operation:45s} {step.tool:12s} ...", end=" ", flush=True)
            runs = min(args.repeat, step.runs or args.repeat)
            outcome = _run_step(module, index, runs)
            outcome["runs"] = runs
            print(outcome.get("error") or _console(step, outcome))
            rows.append((step, outcome))
        cleanup = getattr(importlib.import_module(f"benchmarks.{module}"), "cleanup", None)
        if cleanup is not None:  # remove large cached inputs (e.g. W4's file)
            cleanup()

    lines = [
        "# Benchmark results",
        "",
        f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {platform.node()} "
        f"({platform.machine()}, Python {platform.python_version()}).",
        "Versions: " + ", ".join(f"{n} {_version(n)}" for n in VERSIONED) + ".",
        "",
        f"Each step ran up to {args.repeat}x (column runs; the long scale steps once) in a fresh "
        "process after one untimed run that builds its cached inputs; median seconds; peak RSS "
        "is the process's largest resident set; memory / arrays is the largest peak RSS above "
        "the level before the timed call, as a multiple of the pose arrays' bytes.",
        "Ratio = peer seconds / posebridge seconds (above 1: posebridge is faster).",
        "",
        "| operation | tool | runs | seconds | peak RSS (MB) | peak memory / arrays "
        "| ratio (peer / posebridge) |",
        "|---|---|---|---|---|---|---|",
    ]
    ours = {s.operation: o for s, o in rows if s.tool == "posebridge" and "seconds" in o}
    for step, outcome in rows:
        if "error" in outcome:
            lines.append(
                f"| {step.operation} | {step.tool} | | failed: {outcome['error']} | | | |"
            )
            continue
        memory = (
            f"{outcome['peak_over_baseline'] / step.array_bytes:.2f}x" if step.array_bytes else ""
        )
        ratio = ""
        if step.tool != "posebridge" and step.operation in ours:
            ratio = f"{outcome['seconds'] / ours[step.operation]['seconds']:.1f}x"
        peak = f"{outcome['peak'] / 2**20:.0f}" if outcome.get("peak") else ""
        lines.append(
            f"| {step.operation} | {step.tool} | {outcome['runs']} | {outcome['seconds']:.3f} "
            f"| {peak} | {memory} | {ratio} |"
        )
    if not args.only:
        (HERE / "RESULTS.md").write_text("\n".join(lines) + "\n")
        print("wrote", HERE / "RESULTS.md")
    else:
        print("\n".join(lines))


if __name__ == "__main__":
    main()
