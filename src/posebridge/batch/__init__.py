"""Many files to many files: :func:`convert_many`, on local processes or a Dask cluster.

The inputs are a folder (every file in it, and in its subfolders, whose name a
readable format claims), a glob pattern, a list of files, or a manifest (CSV or
YAML, one row per input with its output or a naming template and per-session
metadata). Each input becomes a :class:`Job`; one function, :func:`run_job`,
converts it and returns a :class:`Result`, whichever executor runs it:

- local worker processes (the default, ``jobs=N``; ``jobs=1`` runs in this
  process);
- an existing Dask distributed cluster (``client=`` a ``distributed.Client``
  or ``scheduler=`` its address). A lab's SLURM / PBS cluster started with
  dask-jobqueue is such a cluster: pass its client.

Progress: a bar over the files and one over the chunks of each running file
that streams; the workers send their chunk counts back (a queue from local
processes, worker events from a Dask cluster), also to an ``on_chunk`` callback.

A batch is resumable: an output that exists and reads back is skipped (unless
``overwrite``). One bad input never stops the batch; every error is kept in the
:class:`BatchReport`, which prints a summary table and writes a JSON or CSV
report.

Examples
--------
>>> import posebridge
>>> report = posebridge.convert_many("sessions/", "nwb/", to="nwb", jobs=4)  # doctest: +SKIP
>>> print(report.table())  # doctest: +SKIP
"""

from __future__ import annotations

from posebridge.batch.job import Result, run_job
from posebridge.batch.manifest import read_manifest
from posebridge.batch.naming import DANDI_TEMPLATE, dandi_label
from posebridge.batch.plan import Job, plan_jobs
from posebridge.batch.report import BatchReport, ReportNotWrittenError
from posebridge.batch.run import convert_many

__all__ = [
    "DANDI_TEMPLATE",
    "BatchReport",
    "Job",
    "ReportNotWrittenError",
    "Result",
    "convert_many",
    "dandi_label",
    "plan_jobs",
    "read_manifest",
    "run_job",
]
