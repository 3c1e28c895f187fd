"""The report of a batch: a summary table, and every result as JSON or CSV."""

from __future__ import annotations

import csv
import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from posebridge._report import columns, size_text
from posebridge.batch.job import Result

PathLike = str | os.PathLike[str]


@dataclass
class BatchReport:
    """The results of a batch, in input order.

    Examples
    --------
    >>> report = BatchReport([Result("a.h5", "a.nwb", "ok", seconds=1.0)])
    >>> report.counts
    {'ok': 1, 'failed': 0, 'skipped': 0}
    """

    results: list[Result]
    seconds: float = 0.0

    @property
    def counts(self) -> dict[str, int]:
        """How many jobs are ok, failed and skipped."""
        return {s: sum(r.status == s for r in self.results) for s in ("ok", "failed", "skipped")}

    @property
    def failed(self) -> list[Result]:
        """The failed jobs."""
        return [r for r in self.results if r.status == "failed"]

    @property
    def ok(self) -> bool:
        """Whether no job failed."""
        return not self.failed

    def table(self) -> str:
        """A summary table: one line per input, then the totals."""
        body = []
        for r in self.results:
            note = r.error if r.status == "failed" else ""
            if r.findings:
                note = f"{len(r.findings)} nwbinspector finding(s)"
            body.append(
                (
                    r.status,
                    Path(r.source).name,
                    ", ".join(Path(p).name for p in r.outputs) or Path(r.target).name,
                    f"{r.seconds:.2f}",
                    size_text(r.input_bytes),
                    size_text(r.output_bytes) if r.outputs else "-",
                    note[:160],
                )
            )
        header = ("status", "input", "output", "seconds", "in", "out", "error / note")
        counts = self.counts
        total = (
            f"{len(self.results)} input(s): {counts['ok']} ok, {counts['failed']} failed, "
            f"{counts['skipped']} skipped in {self.seconds:.1f} s"
        )
        return columns(header, body) + "\n" + total

    def to_records(self) -> list[dict[str, Any]]:
        """One dict per input (the :class:`Result` fields)."""
        return [asdict(r) for r in self.results]

    def write(self, path: PathLike) -> Path:
        """Write the report as JSON (``.json``) or CSV (any other ending).

        The CSV has one row per input; outputs are joined with ``;`` and
        nwbinspector findings are given as JSON text. File names are written as
        their bytes (a name that is not UTF-8 stays the file's name); JSON
        escapes them (``\\udce9``, which Python's ``json`` reads back as given).
        """
        path = Path(path)
        records = self.to_records()
        if path.suffix.lower() == ".json":
            payload = {"counts": self.counts, "seconds": self.seconds, "results": records}
            path.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
            return path
        names = list(Result.__dataclass_fields__)
        with open(path, "w", newline="", encoding="utf-8", errors="surrogateescape") as handle:
            writer = csv.DictWriter(handle, fieldnames=names)
            writer.writeheader()
            for record in records:
                record["outputs"] = ";".join(record["outputs"])
                record["findings"] = json.dumps(record["findings"]) if record["findings"] else ""
                record["seconds"] = f"{record['seconds']:.3f}"
                writer.writerow(record)
        return path
