"""Where a batch's report may be written: checked before any input is converted, and
again once the batch is planned (not onto an input, the manifest or an output; an
existing file replaced only when it is an earlier report, or with ``overwrite``).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from posebridge import errors
from posebridge._output_paths import (
    output_folder_problem,
    refuse_folder_name,
    refuse_writing_onto_input,
)
from posebridge._write_problems import writing_problem
from posebridge.batch.plan import Job
from posebridge.batch.report import is_batch_report
from posebridge.errors import PoseBridgeError

__all__ = [
    "check_report_path",
    "refuse_existing_report",
    "refuse_report_onto_batch_files",
    "without_own_report",
]


def check_report_path(report: Any, overwrite: bool) -> Path:
    """Refuse a report path that cannot be written, before any input is converted.

    The report is an output like any other: a folder is refused, its folder
    must exist (and be a folder) and take new files (a temporary is made there
    and removed). That an existing file is replaced only with ``overwrite`` is
    checked once the batch is planned (:func:`refuse_existing_report`).
    """
    errors.expect_path(report, "report")
    refuse_folder_name(report, "report")
    path = Path(report)
    if os.fspath(report) == "" or path.is_dir():
        raise errors.IsADirectoryError(
            21, f"report {path}: is a folder; expected a file name (.json, else CSV).", str(path)
        )
    problem = output_folder_problem(path)
    if problem is not None:
        hint = "; create it first" if problem.endswith("does not exist") else ""
        raise errors.FileNotFoundError(2, f"report {path}: {problem}{hint}.", str(path))
    problem = writing_problem(path)
    if problem is not None:
        raise PoseBridgeError(f"report {path}: {problem}; no input was converted.")
    return path


def refuse_existing_report(path: Path, overwrite: bool) -> None:
    """Refuse an existing report file that is not an earlier batch report, without
    ``overwrite``.

    Checked once the batch is planned, after :func:`refuse_report_onto_batch_files`:
    a report that is one of the batch's files is refused for that, even with
    ``overwrite``, and is not told to pass it.
    """
    if path.exists() and not overwrite and not is_batch_report(path):
        raise errors.FileExistsError(
            17,
            f"report {path}: already exists and is not a batch report; pass overwrite=True "
            "to replace it (which also redoes the outputs that exist), or name another "
            "report file.",
            str(path),
        )


def without_own_report(jobs: list[Job], report: Path) -> list[Job]:
    """The jobs, less one whose input is the batch's own earlier report.

    A report kept in the folder the batch reads (``convert_many("data/",
    report="data/report.csv")``) is found among the inputs when the batch runs
    again to resume: it is the batch's output, not a pose file.
    """
    if not is_batch_report(report):
        return jobs
    where = os.path.normcase(os.path.realpath(report))
    return [job for job in jobs if os.path.normcase(os.path.realpath(job.source)) != where]


def refuse_report_onto_batch_files(report: Path, jobs: list[Job], manifest: Any) -> None:
    """Refuse a report that is an input of the batch, its manifest or one of its outputs,
    or that lies inside a folder the batch reads as one input.

    Links are followed; an input is refused even with ``overwrite``.
    """
    doing = "writing the batch's report there"
    if report.exists() and manifest is not None:
        refuse_writing_onto_input(manifest, report, doing=doing)
    for job in jobs:  # a folder read as one input refuses a new report inside it too
        if report.exists() or os.path.isdir(job.source):
            refuse_writing_onto_input(job.source, report, doing=doing)
    where = os.path.normcase(os.path.realpath(report))
    for job in jobs:
        if job.target and os.path.normcase(os.path.realpath(job.target)) == where:
            raise PoseBridgeError(
                f"report {report}: is also the output of {job.source}; name the report "
                "another file."
            )
