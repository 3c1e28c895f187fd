"""The report of a batch: a summary table, and every result as JSON or CSV."""

from __future__ import annotations

import csv
import json
import os
import re
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from posebridge._files import shown_path
from posebridge._outputs import atomic_outputs
from posebridge._report import columns, size_text
from posebridge.batch.result import Result
from posebridge.errors import PoseBridgeError

PathLike = str | os.PathLike[str]

#: Why a file of a folder given was left out (the CSV report's ``error`` of its row).
IGNORED_REASON = "no format recognises its content (not a pose file); left out of the batch"
#: How many characters of a row's error / note the summary table shows (the whole text follows
#: the table).
NOTE_WIDTH = 160


@dataclass
class BatchReport:
    """The results of a batch, in input order, and the files it left out.

    Attributes
    ----------
    results
        One :class:`Result` per input.
    seconds
        Wall time of the batch.
    ignored
        Files of the folders (and globs) given that the batch left out: their
        ending is a format's (``.txt``) but no format recognises their content
        (notes, a README), or they are earlier batch reports. They are not
        inputs: :attr:`counts` does not count them.
    ignored_reasons
        Why a file of :attr:`ignored` was left out, for each left out for
        another reason than its content (:data:`IGNORED_REASON`): an earlier
        batch report.

    Examples
    --------
    >>> report = BatchReport([Result("a.h5", "a.nwb", "ok", seconds=1.0)])
    >>> report.counts
    {'ok': 1, 'failed': 0, 'skipped': 0}
    """

    results: list[Result]
    seconds: float = 0.0
    ignored: list[str] = field(default_factory=list)
    ignored_reasons: dict[str, str] = field(default_factory=dict)

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
        """A summary table: one line per input, then the totals.

        A row's error / note longer than :data:`NOTE_WIDTH` is cut in the table
        (ending in ``...``) and given whole below the table, before the totals,
        so that no advice at the end of a long message is lost.

        Examples
        --------
        >>> long = "x.h5: " + "why " * 50 + "and what to do."
        >>> report = BatchReport([Result("x.h5", "", "failed", error=long)])
        >>> report.table().splitlines()[-2].endswith("and what to do.")
        True
        """
        body = []
        cut: list[tuple[str, str]] = []
        for r in self.results:
            notes = [r.error if r.status == "failed" else "", r.note, _warnings_note(r)]
            if r.findings:
                notes.append(f"{len(r.findings)} nwbinspector finding(s)")
            note = "; ".join(n for n in notes if n)
            if len(note) > NOTE_WIDTH:
                cut.append((r.source, note))
                note = note[: NOTE_WIDTH - 3] + "..."
            body.append(
                (
                    r.status,
                    shown_path(Path(r.source).name),
                    _output_names(r),
                    f"{r.seconds:.2f}",
                    size_text(r.input_bytes),
                    size_text(r.output_bytes) if r.outputs else "-",
                    note,
                )
            )
        header = ("status", "input", "output", "seconds", "in", "out", "error / note")
        counts = self.counts
        total = (
            f"{len(self.results)} input(s): {counts['ok']} ok, {counts['failed']} failed, "
            f"{counts['skipped']} skipped in {self.seconds:.1f} s"
        )
        names = Counter(Path(r.source).name for r in self.results)
        whole = "".join(
            f"{_named_input(source, note, names[Path(source).name] > 1)}{note}\n"
            for source, note in cut
        )
        if whole:  # between the table and the totals, which stay last
            whole = "in full (cut in the table above):\n" + whole
        return columns(header, body) + "\n" + whole + total + self._ignored_line()

    def _ignored_line(self) -> str:
        """The lines naming the files left out (``""`` when none): those no format
        recognises, then one line for each left out for another reason (five at most)."""
        text = ""
        unrecognised = [p for p in self.ignored if p not in self.ignored_reasons]
        if unrecognised:
            names = ", ".join(Path(p).name for p in unrecognised[:5])
            more = f", ... ({len(unrecognised) - 5} more)" if len(unrecognised) > 5 else ""
            text += (
                f"\nignored {len(unrecognised)} file(s) that no format recognises by content "
                f"(not pose files): {names}{more}"
            )
        others = [p for p in self.ignored if p in self.ignored_reasons]
        for path in others[:5]:
            text += f"\nignored {Path(path).name}: {self.ignored_reasons[path]}"
        if len(others) > 5:
            text += f"\n... and {len(others) - 5} more file(s) ignored for such reasons"
        return text

    def to_records(self) -> list[dict[str, Any]]:
        """One dict per input (the :class:`Result` fields)."""
        return [asdict(r) for r in self.results]

    def write(self, path: PathLike, *, overwrite: bool = False) -> Path:
        """Write the report as JSON (``.json``) or CSV (any other ending), atomically.

        The CSV has one row per input; outputs are joined with ``;`` and
        nwbinspector findings and warnings are given as JSON text. The files left out
        (:attr:`ignored`) follow, one row each with status ``ignored`` and why
        as its ``error``; the JSON report lists them under ``ignored``, and why
        those not left out for their content under ``ignored_reasons``. File names are written as
        their bytes (a name that is not UTF-8 stays the file's name); JSON
        escapes them (``\\udce9``, which Python's ``json`` reads back as given).
        The report goes to a temporary file renamed into place, as every output
        of posebridge (see :func:`posebridge._outputs.atomic_outputs`).

        Parameters
        ----------
        path
            The report file.
        overwrite
            Replace an existing file (without it, one is refused).

        Returns
        -------
        pathlib.Path
            ``path``.

        Raises
        ------
        FileExistsError
            When ``path`` exists and ``overwrite`` is false.
        PoseBridgeError
            When it cannot be written (its folder is missing or read-only, the
            disk is full), naming ``path``; nothing is left behind.
        """
        path = Path(path)
        records = self.to_records()
        with atomic_outputs([path], overwrite=overwrite) as (temporary,):
            if path.suffix.lower() == ".json":
                payload = {
                    "counts": self.counts,
                    "seconds": self.seconds,
                    "results": records,
                    "ignored": self.ignored,
                    "ignored_reasons": self.ignored_reasons,
                }
                temporary.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
            else:
                ignored = [
                    asdict(
                        Result(p, "", "ignored", error=self.ignored_reasons.get(p, IGNORED_REASON))
                    )
                    for p in self.ignored
                ]
                self._write_csv(temporary, records + ignored)
        return path

    @staticmethod
    def _write_csv(path: Path, records: list[dict[str, Any]]) -> None:
        """The records as CSV: one row per input (see :meth:`write`)."""
        names = list(Result.__dataclass_fields__)
        with open(path, "w", newline="", encoding="utf-8", errors="surrogateescape") as handle:
            writer = csv.DictWriter(handle, fieldnames=names)
            writer.writeheader()
            for record in records:
                record["outputs"] = ";".join(record["outputs"])
                record["findings"] = json.dumps(record["findings"]) if record["findings"] else ""
                record["warnings"] = json.dumps(record["warnings"]) if record["warnings"] else ""
                record["seconds"] = f"{record['seconds']:.3f}"
                writer.writerow(record)


def is_batch_report(path: PathLike) -> bool:
    """Whether ``path`` holds a report a batch wrote (:meth:`BatchReport.write`).

    A run that resumes a batch names the same report again: its old report is
    replaced without ``overwrite`` (which would also redo every output), while
    any other file there is kept. A CSV report is known by its header line, a
    JSON one by its top-level keys (``counts``, ``seconds``, ``results``, and
    ``ignored`` and ``ignored_reasons``, or ``ignored`` alone, or neither:
    earlier reports have none; a CSV written before
    results had ``warnings``, or a ``note`` and ``warnings``, is one too); a file
    larger than 64 MiB or that cannot be read is not a report. Its first bytes
    are read first: a file that does not begin as a report does (a pose file of
    a folder the batch reads) is not read whole.

    Examples
    --------
    >>> is_batch_report("batch_report.csv")  # doctest: +SKIP
    True
    """
    json_report = Path(path).suffix.lower() == ".json"
    try:
        with open(path, "rb") as handle:
            head = handle.read(_HEAD_BYTES)
            if not (_JSON_START if json_report else _CSV_START).match(head):
                return False
            data = head + handle.read(_REPORT_BYTES + 1 - len(head))
    except OSError:
        return False
    if len(data) > _REPORT_BYTES:
        return False
    if json_report:
        try:
            payload = json.loads(data)
        except ValueError:
            return False
        keys = {"counts", "seconds", "results"}
        return isinstance(payload, dict) and set(payload) in (
            keys,
            keys | {"ignored"},
            keys | {"ignored", "ignored_reasons"},
        )
    fields = list(Result.__dataclass_fields__)
    headers = {  # this version's, and those of reports written before warnings and notes
        ",".join(f for f in fields if f not in left_out).encode()
        for left_out in ((), ("warnings",), ("note", "warnings"))
    }
    return data.split(b"\n", 1)[0].rstrip(b"\r") in headers


#: The largest file taken for an old report (see :func:`is_batch_report`).
_REPORT_BYTES = 64 << 20
#: How much of a file :func:`is_batch_report` reads first, and how a report begins:
#: a JSON object whose first key is one of a report's, a CSV header of its first fields.
_HEAD_BYTES = 4096
_JSON_START = re.compile(rb'\s*\{\s*"(counts|seconds|results|ignored|ignored_reasons)"')
_CSV_START = re.compile(rb"source,target,status,")


class ReportNotWrittenError(PoseBridgeError):
    """A batch ran, but its report could not be written at the end.

    The report's path is checked before any input is converted; this is what
    remains: the file system changed during the batch (the folder removed or
    made read-only, a file of that name made by another program, a full disk).

    Attributes
    ----------
    report
        The :class:`BatchReport` of the batch that ran.
    reason
        Why the report could not be written (one line, naming the file).
    """

    def __init__(self, report: BatchReport, error: BaseException) -> None:
        self.report = report
        self.reason = " ".join(str(error).split()) or type(error).__name__
        counts = report.counts
        super().__init__(
            f"the report was not written: {self.reason} The batch itself ran "
            f"({len(report.results)} input(s): {counts['ok']} ok, {counts['failed']} failed, "
            f"{counts['skipped']} skipped); its results are this error's report."
        )


def _warnings_note(result: Result) -> str:
    """The table's note of a result's warnings: their count and the first message
    (``""`` when none)."""
    if not result.warnings:
        return ""
    count = len(result.warnings)
    return f"{count} warning{'s' if count > 1 else ''}: {result.warnings[0]}"


def _output_names(result: Result) -> str:
    """The table's output cell: the files written, the first three of a longer set (a YOLO
    tree's label files, one per image) and their count; ``-`` when no output was named."""
    names = [shown_path(Path(p).name) for p in result.outputs]
    if len(names) > 3:
        return f"{', '.join(names[:3])}, ... ({len(names)} files)"
    return ", ".join(names) or (shown_path(Path(result.target).name) if result.target else "-")


def _named_input(source: str, note: str, shared: bool = False) -> str:
    """The input named before its note's full text below the table: its name as the
    table's row shows it, or its path when another input has that name (``shared``);
    ``""`` when the note begins with it already.

    Examples
    --------
    >>> _named_input("/d/s1/b.csv", "out/s1/b.csv: cannot be written.")
    'b.csv: '
    >>> _named_input("/d/s1/b.csv", "/d/s1/b.csv: no poses.")
    ''
    >>> _named_input("/d/s1/b.csv", "out/s1/b.csv: cannot be written.", shared=True)
    '/d/s1/b.csv: '
    """
    if note.startswith((f"{source}:", f"{source},", f"{source} ")):
        return ""
    name = Path(source).name
    if shared:
        return f"{shown_path(source)}: "
    return "" if note.startswith(f"{name}:") else f"{shown_path(name)}: "
