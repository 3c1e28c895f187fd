"""The pieces every benchmark module uses: steps, workloads on disk, memory probes.

A benchmark module (``benchmarks/bench_<topic>.py``) defines ``steps()``, a list of
:class:`Step`. Each step runs in a fresh Python process: ``prepare`` builds its
inputs (not timed), the peak-memory counter is reset, ``run`` is timed, and the
process reports seconds and peak memory above the level before ``run``.
Steps with the same ``operation`` are compared: posebridge against each peer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

WORK = Path(__file__).resolve().parent / "_work"


@dataclass(frozen=True)
class Step:
    """One timed call.

    Attributes
    ----------
    operation
        What is measured, e.g. ``"W1 DLC .csv write"``; the key of a comparison.
    tool
        ``"posebridge"``, or the peer (``"movement"``, ``"sleap-io"``, ``"h5py"``...).
    prepare
        ``prepare(workdir) -> state``: builds inputs, not timed.
    run
        ``run(state) -> Any``: the timed call.
    array_bytes
        Size of the pose arrays involved, for the memory ratio.
    needs
        Modules that must import for the step to run (peers are optional).
    per, unit
        When ``per`` is given, the console also shows the time per ``unit``
        (``per`` of them in the step: frames, files).
    runs
        Most timed runs of the step (long scale steps run once), else ``--repeat``.
    """

    operation: str
    tool: str
    prepare: Callable[[Path], Any]
    run: Callable[[Any], Any]
    array_bytes: int = 0
    needs: tuple[str, ...] = ()
    per: int = 0
    unit: str = "frame"
    runs: int = 0


def rss_bytes(field: str = "VmRSS") -> int:
    """This process's resident memory (``VmRSS``) or peak (``VmHWM``), in bytes."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    return 0


def reset_peak() -> None:
    """Reset the kernel's peak-RSS counter (Linux), so the peak measures one call."""
    try:
        with open("/proc/self/clear_refs", "w") as handle:
            handle.write("5")
    except OSError:
        pass


def workfile(name: str) -> Path:
    """A path in the benchmarks' scratch folder (git-ignored)."""
    WORK.mkdir(exist_ok=True)
    return WORK / name


def fresh(path: Path) -> Path:
    """``path`` with any previous output removed (writers refuse to overwrite)."""
    for old in path.parent.glob(path.stem.split(".")[0] + "*"):
        if old.is_file():
            old.unlink()
    return path
