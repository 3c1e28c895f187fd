"""A worker process for tests/test_fuzz.py: reads each file named on stdin, reports JSON.

Run as ``python tests/fuzz_worker.py [load|lazy|describe|convert]``; one path a line on
stdin, one JSON line per path on stdout:
``{"outcome": "ok" | "error" | "raw", "type": ..., "message": ...}``.

- ``load``: ``posebridge.load(path)``;
- ``lazy``: ``posebridge.open_dataset(path, chunks=7)``, then every block computed;
- ``describe``: the detected format's ``describe(path)`` (``posebridge info``'s details);
- ``convert``: ``posebridge.convert(path, <folder>/out/<name>, chunk_frames=16)`` to one
  of five streaming targets in turn; a failed conversion that leaves any file in the
  output folder (an output or a temporary) is reported as ``raw`` (type ``LEFTOVER``).

The parent limits its address space and time, so a hang, a crash or a huge
allocation shows as a dead or silent worker.
"""

from __future__ import annotations

import json
import shutil
import sys
import warnings
from pathlib import Path

#: The targets of the convert mode, one per file in turn.
TARGETS = ("out.nwb", "out.analysis.h5", "out.h5", "out.csv", "out.nc")


def main() -> None:
    import posebridge
    from posebridge import registry

    mode = sys.argv[1] if len(sys.argv) > 1 else "load"
    warnings.simplefilter("ignore")
    print(json.dumps({"outcome": "ready"}), flush=True)
    for count, line in enumerate(sys.stdin):
        path = Path(line.rstrip("\n"))
        out = path.parent / "out"
        try:
            if mode == "lazy":
                posebridge.open_dataset(path, chunks=7).load()
            elif mode == "describe":  # what `posebridge info` shows besides the dataset
                describe = registry.get(posebridge.detect(path)).describe
                if describe is not None:
                    list(describe(path))
            elif mode == "convert":
                out.mkdir()
                target = out / TARGETS[count % len(TARGETS)]
                posebridge.convert(path, target, chunk_frames=16, progress=False)
            else:
                posebridge.load(path)
            report = {"outcome": "ok"}
        except posebridge.PoseBridgeError as error:
            report = {"outcome": "error", "type": type(error).__name__, "message": str(error)}
            left = sorted(p.name for p in out.iterdir()) if out.is_dir() else []
            if left:
                report = {"outcome": "raw", "type": "LEFTOVER", "message": f"{left}: {error}"}
        except BaseException as error:
            report = {"outcome": "raw", "type": type(error).__name__, "message": str(error)}
        shutil.rmtree(out, ignore_errors=True)
        print(json.dumps(report), flush=True)


if __name__ == "__main__":
    main()
