"""A worker process for tests/test_fuzz.py: loads each file named on stdin, reports JSON.

Run as ``python tests/fuzz_worker.py``; one path a line on stdin, one JSON line
per path on stdout: ``{"outcome": "ok" | "error" | "raw", "type": ..., "message": ...}``.
The parent limits its address space and time, so a hang, a crash or a huge
allocation shows as a dead or silent worker.
"""

from __future__ import annotations

import json
import sys
import warnings


def main() -> None:
    import posebridge

    warnings.simplefilter("ignore")
    print(json.dumps({"outcome": "ready"}), flush=True)
    for line in sys.stdin:
        path = line.rstrip("\n")
        try:
            posebridge.load(path)
            report = {"outcome": "ok"}
        except posebridge.PoseBridgeError as error:
            report = {"outcome": "error", "type": type(error).__name__, "message": str(error)}
        except BaseException as error:
            report = {"outcome": "raw", "type": type(error).__name__, "message": str(error)}
        print(json.dumps(report), flush=True)


if __name__ == "__main__":
    main()
