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

import csv
import glob
import io
import json
import os
import re
import string
import sys
import time
import traceback
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from posebridge import registry
from posebridge._files import temporaries_of
from posebridge._report import columns, size_text
from posebridge.errors import PoseBridgeError

__all__ = [
    "DANDI_TEMPLATE",
    "BatchReport",
    "Job",
    "Result",
    "convert_many",
    "dandi_label",
    "plan_jobs",
    "read_manifest",
    "run_job",
]

PathLike = str | os.PathLike[str]

#: DANDI's layout: one folder per subject, ``sub-<subject>_ses-<session>_behavior.nwb``
#: (the ``_ses-`` part is left out when a row has no session).
DANDI_TEMPLATE = "sub-{subject}/sub-{subject}_ses-{session}_behavior.nwb"

#: The default naming template: the input's name with the output format's ending,
#: in the same subfolder (relative to a folder input) under the output folder.
DEFAULT_TEMPLATE = "{parent}/{stem}{ext}"

#: Manifest columns that describe a session (everything else but input/output is an error).
METADATA_COLUMNS = (
    "subject_id",
    "session_id",
    "species",
    "sex",
    "age",
    "session_start_time",
    "video",
    "fps",
)
_WRITER_FIELDS = {  # manifest column -> NWB writer option
    "subject_id": "subject_id",
    "species": "species",
    "sex": "sex",
    "age": "age",
    "session_start_time": "session_start_time",
    "video": "video_path",
}


@dataclass
class Job:
    """One conversion of a batch (picklable: it travels to worker processes).

    Attributes
    ----------
    source, target
        Input file and output file (absolute).
    from_format, to_format
        Format names, or ``None`` (detect the input / choose by the output name).
    fps
        Frames per second of the input, when given.
    read_options, write_options
        Options of the reader and of the writer (per-session metadata included).
    overwrite
        Redo an existing output.
    inspect
        Run nwbinspector on NWB outputs.
    error
        Set when planning already found the job cannot run (e.g. two inputs
        would write the same output).
    """

    source: str
    target: str
    from_format: str | None = None
    to_format: str | None = None
    fps: float | None = None
    read_options: dict[str, Any] = field(default_factory=dict)
    write_options: dict[str, Any] = field(default_factory=dict)
    overwrite: bool = False
    inspect: bool = False
    error: str = ""


@dataclass
class Result:
    """What became of one :class:`Job`.

    Attributes
    ----------
    source, target
        As in the job.
    status
        ``"ok"``, ``"failed"`` or ``"skipped"`` (an output that exists and reads back).
    outputs
        The files written (or found, when skipped).
    seconds
        Wall time of the job.
    input_bytes, output_bytes
        Sizes of the input and of all outputs.
    error
        The error's one-line message (empty when ok).
    error_type
        The error's class name.
    findings
        nwbinspector messages (``importance``, ``check``, ``message``,
        ``location``, ``file``) with ``inspect``.
    """

    source: str
    target: str
    status: str
    outputs: list[str] = field(default_factory=list)
    seconds: float = 0.0
    input_bytes: int = 0
    output_bytes: int = 0
    error: str = ""
    error_type: str = ""
    findings: list[dict[str, str]] = field(default_factory=list)


# --------------------------------------------------------------------------
# naming


def dandi_label(value: Any) -> str:
    """A value as a DANDI / BIDS label: letters, digits and ``-`` only.

    Every other run of characters (``_``, spaces, ``/``, dots, ...) becomes one
    ``-``; leading and trailing ``-`` are removed.

    Examples
    --------
    >>> dandi_label("mouse_01 (left)")
    'mouse-01-left'
    """
    label = re.sub(r"[^A-Za-z0-9]+", "-", str(value)).strip("-")
    if not label:
        raise PoseBridgeError(f"{value!r} has no letter or digit to make a DANDI label from.")
    return label


def _stem(path: Path) -> str:
    """The file name without the longest ending a format claims (``x.analysis.h5`` -> ``x``)."""
    lower = path.name.lower()
    endings = [e for f in registry.all_formats() for e in f.extensions if lower.endswith(e)]
    if endings:
        return path.name[: -len(max(endings, key=len))] or path.stem
    return path.stem


def _ending(to_format: str) -> str:
    """The shortest ending that names ``to_format`` alone (``.slp`` before ``.pkg.slp``)."""
    fmt = registry.get(to_format)
    own = []
    kind = "poses" if "poses" in fmt.kinds else fmt.kinds[0]
    for ending in fmt.extensions:
        try:
            chosen = registry.resolve_for_writing(Path(f"x{ending}"), None, kind)
        except PoseBridgeError:
            continue
        if chosen.name == fmt.name:
            own.append(ending)
    return min(own, key=len) if own else fmt.extensions[0]


def _name(template: str, source: Path, parent: str, row: dict[str, Any], ext: str | None) -> str:
    """Fill a naming template for one input."""
    dandi = template in ("dandi", DANDI_TEMPLATE)
    if dandi:
        template = DANDI_TEMPLATE
        if row.get("session_id") in (None, ""):
            template = template.replace("_ses-{session}", "")
    subject = row.get("subject_id")
    session = row.get("session_id")
    fields = {
        "stem": _stem(source),
        "name": source.name,
        "parent": parent or ".",
        "ext": ext,
        "subject": subject,
        "session": session,
    }
    if dandi:
        for key in ("subject", "session"):
            if fields[key] not in (None, ""):
                fields[key] = dandi_label(fields[key])
    try:
        used = {name for _, name, _, _ in _formatter.parse(template) if name}
    except ValueError as error:
        raise PoseBridgeError(f"naming template {template!r}: {error}") from error
    unknown = used - set(fields)
    if unknown:
        raise PoseBridgeError(
            f"naming template {template!r} uses {sorted(unknown)}; it may use {sorted(fields)}."
        )
    missing = sorted(k for k in used if fields[k] in (None, ""))
    if missing:
        what = {"ext": "an output format (to=)", "subject": "subject_id", "session": "session_id"}
        raise PoseBridgeError(
            f"{source}: naming template {template!r} needs "
            + ", ".join(what.get(m, m) for m in missing)
            + (" in the manifest row" if set(missing) - {"ext"} else "")
            + "."
        )
    return template.format(**fields)


_formatter = string.Formatter()


# --------------------------------------------------------------------------
# inputs


def _readable_endings() -> tuple[str, ...]:
    return tuple(e for f in registry.all_formats() if f.reads for e in f.extensions)


def _expand(sources: PathLike | Sequence[PathLike]) -> list[tuple[Path, str]]:
    """Input files, each with its subfolder relative to the folder it was found in."""
    if isinstance(sources, str | os.PathLike):
        sources = [sources]
    found: list[tuple[Path, str]] = []
    for item in sources:
        text = os.fspath(item)
        path = Path(text)
        if path.is_dir():
            endings = _readable_endings()
            for file in sorted(path.rglob("*")):
                relative = file.relative_to(path)
                if any(part.startswith(".") for part in relative.parts):
                    continue
                if file.is_file() and file.name.lower().endswith(endings):
                    found.append((file, str(relative.parent)))
        elif glob.has_magic(text):
            matches = sorted(Path(m) for m in glob.glob(text, recursive=True))
            found.extend((m, "") for m in matches if m.is_file())
        else:
            found.append((path, ""))  # a missing file fails in its own job
    return found


def read_manifest(path: PathLike) -> list[dict[str, Any]]:
    """The rows of a batch manifest (CSV or YAML).

    A row has ``input`` (relative paths are relative to the manifest's folder),
    optionally ``output`` (relative to the output folder) and the session's
    metadata: ``subject_id``, ``session_id``, ``species``, ``sex``, ``age``,
    ``session_start_time`` (ISO 8601), ``video`` and ``fps``. A YAML manifest
    is a list of such mappings (or a mapping with a ``sessions`` list).

    Parameters
    ----------
    path
        The ``.csv``, ``.yaml`` or ``.yml`` file.

    Returns
    -------
    list of dict
        One dict per row, empty cells left out.

    Examples
    --------
    >>> read_manifest("sessions.csv")  # doctest: +SKIP
    [{'input': '/data/m1.h5', 'subject_id': 'M1', 'session_id': '1'}]
    """
    path = Path(path)
    if not path.is_file():
        raise PoseBridgeError(f"{path}: no such manifest file.")
    text = path.read_text(encoding="utf-8-sig")
    if path.suffix.lower() in (".yaml", ".yml"):
        import yaml

        try:
            loaded = yaml.safe_load(text)
        except yaml.YAMLError as error:
            raise PoseBridgeError(f"{path}: not valid YAML ({error}).") from error
        if isinstance(loaded, dict) and "sessions" in loaded:
            loaded = loaded["sessions"]
        if not isinstance(loaded, list) or not all(isinstance(r, dict) for r in loaded):
            raise PoseBridgeError(
                f"{path}: expected a list of sessions (mappings with 'input', ...), "
                f"found {type(loaded).__name__}."
            )
        rows = [{str(k): v for k, v in r.items() if v not in (None, "")} for r in loaded]
        lines = [f"session {i + 1}" for i in range(len(rows))]
    elif path.suffix.lower() == ".csv":
        reader = csv.DictReader(io.StringIO(text))
        rows = [
            {k.strip(): v.strip() for k, v in r.items() if k and v and v.strip()} for r in reader
        ]
        lines = [f"line {i + 2}" for i in range(len(rows))]
    else:
        raise PoseBridgeError(f"{path}: a manifest is a .csv, .yaml or .yml file.")
    allowed = {"input", "output", *METADATA_COLUMNS}
    for row, where in zip(rows, lines, strict=True):
        unknown = set(row) - allowed
        if unknown:
            raise PoseBridgeError(
                f"{path} ({where}): unknown column(s) {sorted(unknown)}; "
                f"a manifest has: {', '.join(['input', 'output', *METADATA_COLUMNS])}."
            )
        if "input" not in row:
            raise PoseBridgeError(f"{path} ({where}): no 'input'.")
        for key in ("input", "video"):  # relative to the manifest's folder
            if key in row:
                given = Path(str(row[key]))
                row[key] = str(given if given.is_absolute() else path.parent / given)
    return rows


def _writer_metadata(row: dict[str, Any], to_format: str | None, target: Path) -> dict[str, Any]:
    """The manifest row's metadata as writer options (NWB only: other formats hold none)."""
    options: dict[str, Any] = {}
    wanted = {k: row[k] for k in _WRITER_FIELDS if row.get(k) not in (None, "")}
    if not wanted:
        return options
    try:
        fmt = registry.resolve_for_writing(target, to_format, "poses")
    except PoseBridgeError:
        return options  # the job reports the bad target
    takes = set(fmt.write_options)
    for key, value in wanted.items():
        option = _WRITER_FIELDS[key]
        if option not in takes:
            continue
        if option == "session_start_time" and isinstance(value, str):
            try:
                value = datetime.fromisoformat(value)
            except ValueError as error:
                raise PoseBridgeError(
                    f"session_start_time {value!r}: expected ISO 8601 "
                    f"(e.g. 2024-05-01T09:30:00+01:00): {error}"
                ) from error
        options[option] = value if option != "subject_id" else str(value)
    return options


def plan_jobs(
    sources: PathLike | Sequence[PathLike] | None,
    output_dir: PathLike | None,
    *,
    to: str | None = None,
    from_format: str | None = None,
    template: str | None = None,
    manifest: PathLike | None = None,
    fps: float | None = None,
    read_options: dict[str, Any] | None = None,
    write_options: dict[str, Any] | None = None,
    overwrite: bool = False,
    inspect: bool = False,
) -> list[Job]:
    """The jobs of a batch (see :func:`convert_many` for the parameters).

    A job whose output cannot be named, or whose output another job also
    writes, carries an ``error`` and fails without running.

    Examples
    --------
    >>> jobs = plan_jobs("sessions/", "out/", to="nwb")  # doctest: +SKIP
    """
    rows: list[tuple[dict[str, Any], Path, str]] = []
    if manifest is not None:
        for row in read_manifest(manifest):
            rows.append((row, Path(row["input"]), ""))
    if sources is not None:
        rows.extend(({}, path, parent) for path, parent in _expand(sources))
    if not rows:
        raise PoseBridgeError("the batch has no input files (check the folder, glob or manifest).")
    if template is None and to is None and any("output" not in row for row, _, _ in rows):
        raise PoseBridgeError(
            "give the output format (to=, --to) or a naming template with the file ending."
        )
    if template in ("dandi", DANDI_TEMPLATE) and to is None:
        to = "nwb"
    ext = _ending(to) if to is not None else None
    out = Path(output_dir) if output_dir is not None else None
    jobs: list[Job] = []
    for row, source, parent in rows:
        source = source.absolute()
        job = Job(
            source=str(source),
            target="",
            from_format=from_format,
            to_format=to,
            fps=float(row["fps"]) if row.get("fps") not in (None, "") else fps,
            read_options=dict(read_options or {}),
            write_options=dict(write_options or {}),
            overwrite=overwrite,
            inspect=inspect,
        )
        try:
            if "output" in row:
                name = str(row["output"])
            else:
                name = _name(template or DEFAULT_TEMPLATE, source, parent, row, ext)
            target = Path(name)
            if not target.is_absolute():
                target = (out if out is not None else source.parent) / target
            target = Path(os.path.normpath(target))
            job.target = str(target)
            job.write_options.update(_writer_metadata(row, to, target))
        except PoseBridgeError as error:
            job.target = job.target or str(source)
            job.error = str(error)
        jobs.append(job)
    seen: dict[str, str] = {}
    for job in jobs:
        if job.error:
            continue
        if job.target == job.source:
            job.error = f"{job.source}: the output would replace the input."
        elif job.target in seen:
            job.error = f"{job.target}: also the output of {seen[job.target]}."
        else:
            seen[job.target] = job.source
    return jobs


# --------------------------------------------------------------------------
# one job (runs in a worker)


def _finished(job: Job) -> list[Path] | None:
    """The outputs of an earlier run that exist and read back; ``None`` when none exist.

    A writer that splits (NWB: one file per individual) names its files
    ``<stem>_<individual><suffix>`` beside the target; those count too.
    """
    from posebridge import api

    target = Path(job.target)
    if target.exists():
        found = [target]
    else:
        suffix = target.suffix
        stem = target.name[: -len(suffix)] if suffix else target.name
        pattern = glob.escape(stem) + "_*" + glob.escape(suffix)
        found = sorted(target.parent.glob(pattern)) if target.parent.is_dir() else []
        try:
            splits = registry.resolve_for_writing(target, job.to_format, "poses").name == "nwb"
        except PoseBridgeError:
            splits = False
        if not splits:
            found = []
    if not found:
        return None
    for path in found:
        try:
            api.load(path)
        except Exception as error:
            raise PoseBridgeError(
                f"{path}: exists but does not read back ({' '.join(str(error).split())}); "
                "pass overwrite to replace it."
            ) from error
    return found


def _inspect(paths: Iterable[Path]) -> list[dict[str, str]]:
    """nwbinspector's findings on the NWB files among ``paths``."""
    findings: list[dict[str, str]] = []
    nwb = [p for p in paths if p.suffix.lower() == ".nwb"]
    if not nwb:
        return findings
    from nwbinspector import inspect_nwbfile

    for path in nwb:
        for message in inspect_nwbfile(nwbfile_path=path):
            if message is None:
                continue
            findings.append(
                {
                    "file": str(path),
                    "importance": getattr(message.importance, "name", str(message.importance)),
                    "check": str(message.check_function_name),
                    "message": " ".join(str(message.message).split()),
                    "location": str(message.location or ""),
                }
            )
    return findings


def run_job(job: Job) -> Result:
    """Run one job: skip it when its output is finished, else convert; never raise.

    Parameters
    ----------
    job
        The job.

    Returns
    -------
    Result
        ``ok``, ``skipped`` or ``failed`` (with the error's message).

    Examples
    --------
    >>> run_job(Job(source="a.h5", target="a.nwb", to_format="nwb")).status  # doctest: +SKIP
    'ok'
    """
    import warnings

    from posebridge.convert import convert

    start = time.perf_counter()
    result = Result(source=job.source, target=job.target, status="failed")
    try:
        if job.error:
            raise PoseBridgeError(job.error)
        source = Path(job.source)
        result.input_bytes = source.stat().st_size if source.is_file() else 0
        done = None if job.overwrite else _finished(job)
        if done is not None:
            result.status, outputs = "skipped", done
        else:
            Path(job.target).parent.mkdir(parents=True, exist_ok=True)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                outputs = convert(
                    source,
                    job.target,
                    job.to_format,
                    from_format=job.from_format,
                    fps=job.fps,
                    overwrite=job.overwrite,
                    read_options=job.read_options,
                    progress=False,
                    **job.write_options,
                )
            result.status = "ok"
            if job.inspect:
                result.findings = _inspect(outputs)
        result.outputs = [str(p) for p in outputs]
        result.output_bytes = sum(Path(p).stat().st_size for p in outputs)
    except Exception as error:
        result.status = "failed"
        result.error = " ".join(str(error).split()) or type(error).__name__
        result.error_type = type(error).__name__
        if not isinstance(error, PoseBridgeError | OSError):
            result.error += " | " + traceback.format_exc(limit=3).splitlines()[-1]
    result.seconds = time.perf_counter() - start
    return result


# --------------------------------------------------------------------------
# the report


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
        nwbinspector findings are given as JSON text.
        """
        path = Path(path)
        records = self.to_records()
        if path.suffix.lower() == ".json":
            payload = {"counts": self.counts, "seconds": self.seconds, "results": records}
            path.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
            return path
        names = list(Result.__dataclass_fields__)
        with open(path, "w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=names)
            writer.writeheader()
            for record in records:
                record["outputs"] = ";".join(record["outputs"])
                record["findings"] = json.dumps(record["findings"]) if record["findings"] else ""
                record["seconds"] = f"{record['seconds']:.3f}"
                writer.writerow(record)
        return path


# --------------------------------------------------------------------------
# executors


def _progress(total: int, show: bool | None) -> Any:
    from tqdm.auto import tqdm

    if show is None:
        show = sys.stderr.isatty()
    return tqdm(total=total, unit="file", disable=not show, file=sys.stderr, desc="posebridge")


def _clean_partials(job: Job) -> None:
    """Remove the temporary files a killed worker left beside the job's target.

    Writers write recognisable temporaries (``_files.TEMPORARY_MARK``) and
    rename them; a process killed midway cannot remove its own. Only this job
    writes its target, so every temporary of it is the dead worker's (whose pid
    may still look alive until the pool reaps it).
    """
    for leftover, _ in temporaries_of(Path(job.target)):
        leftover.unlink(missing_ok=True)


def _died(job: Job, error: BaseException) -> Result:
    _clean_partials(job)
    return Result(
        source=job.source,
        target=job.target,
        status="failed",
        error=f"the worker running it stopped ({type(error).__name__}: {error}); "
        "run the batch again to resume",
        error_type=type(error).__name__,
    )


def _run_local(jobs: list[Job], workers: int) -> Iterator[tuple[int, Result]]:
    if workers <= 1:
        for index, job in enumerate(jobs):
            yield index, run_job(job)
        return
    import multiprocessing

    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        futures = {pool.submit(run_job, job): i for i, job in enumerate(jobs)}
        for future in as_completed(futures):
            index = futures[future]
            try:
                yield index, future.result()
            except Exception as error:  # a worker process died (BrokenProcessPool)
                yield index, _died(jobs[index], error)


def _run_dask(jobs: list[Job], client: Any) -> Iterator[tuple[int, Result]]:
    from distributed import as_completed as dask_completed

    futures = [client.submit(run_job, job, pure=False) for job in jobs]
    index = {future.key: i for i, future in enumerate(futures)}
    for future in dask_completed(futures):
        i = index[future.key]
        try:
            yield i, future.result()
        except Exception as error:  # KilledWorker, a lost worker, ...
            yield i, _died(jobs[i], error)


def convert_many(
    sources: PathLike | Sequence[PathLike] | None,
    output_dir: PathLike | None = None,
    *,
    to: str | None = None,
    from_format: str | None = None,
    template: str | None = None,
    manifest: PathLike | None = None,
    fps: float | None = None,
    read_options: dict[str, Any] | None = None,
    write_options: dict[str, Any] | None = None,
    overwrite: bool = False,
    inspect: bool = False,
    jobs: int | None = None,
    client: Any = None,
    scheduler: str | None = None,
    progress: bool | None = None,
    report: PathLike | None = None,
) -> BatchReport:
    """Convert many files, on local worker processes or a Dask cluster; never stop at one error.

    Parameters
    ----------
    sources
        A folder (every file in it and its subfolders that a readable format
        claims by name), a glob pattern (``"data/**/*.h5"``), a file, or a list
        of these; ``None`` with a ``manifest``.
    output_dir
        Folder of the outputs (created as needed); relative output names and
        templates are taken from it. ``None``: beside each input.
    to
        Output format (``nwb``, ``dlc``, ``sleap``, ...); ``None`` chooses each
        from its output name (a manifest's ``output``).
    from_format
        Input format; ``None`` detects each file's format.
    template
        How outputs are named, with ``{stem}`` (input name without its format
        ending), ``{name}``, ``{parent}`` (subfolder within a folder input),
        ``{ext}`` (the output format's ending), ``{subject}`` and ``{session}``
        (the manifest's ``subject_id`` and ``session_id``). ``"dandi"`` is
        :data:`DANDI_TEMPLATE`, with labels sanitised as DANDI requires.
        Default: ``"{parent}/{stem}{ext}"``.
    manifest
        A CSV or YAML file, one row per input (see :func:`read_manifest`); its
        metadata goes to the NWB writer (subject, species, sex, age, session
        start time, video) and ``fps`` to the reader.
    fps
        Frames per second of every input (a manifest's ``fps`` wins).
    read_options, write_options
        Options of the reader and of the writer, for every input.
    overwrite
        Redo outputs that exist. Without it, an output that exists and reads
        back is skipped (the batch resumes), and one that does not read back
        is reported as failed and left alone.
    inspect
        Run nwbinspector on every NWB output written and add its findings to
        the report.
    jobs
        Local worker processes (default: the number of CPUs, at most the
        number of inputs; ``1`` runs in this process).
    client
        A ``distributed.Client`` of an existing Dask cluster (a local one, or
        SLURM / PBS through dask-jobqueue) to run the jobs on instead.
    scheduler
        The address of a Dask scheduler (``tcp://host:8786``) to connect to.
    progress
        Show a progress bar over the files (default: when stderr is a terminal).
    report
        Write the report here (``.json``, else CSV).

    Returns
    -------
    BatchReport
        Every input's result, in input order.

    Examples
    --------
    >>> import posebridge
    >>> report = posebridge.convert_many(
    ...     None, "dandiset/", manifest="sessions.csv", template="dandi"
    ... )  # doctest: +SKIP
    >>> report.counts  # doctest: +SKIP
    {'ok': 12, 'failed': 0, 'skipped': 0}
    """
    start = time.perf_counter()
    planned = plan_jobs(
        sources,
        output_dir,
        to=to,
        from_format=from_format,
        template=template,
        manifest=manifest,
        fps=fps,
        read_options=read_options,
        write_options=write_options,
        overwrite=overwrite,
        inspect=inspect,
    )
    results: list[Result | None] = [None] * len(planned)
    own_client = None
    if client is None and scheduler is not None:
        from distributed import Client

        client = own_client = Client(scheduler)
    try:
        with _progress(len(planned), progress) as bar:
            if client is not None:
                stream = _run_dask(planned, client)
            else:
                workers = jobs if jobs is not None else (os.cpu_count() or 1)
                stream = _run_local(planned, max(1, min(workers, len(planned))))
            for index, result in stream:
                results[index] = result
                bar.update(1)
                bar.set_postfix_str(f"{result.status} {Path(result.source).name}", refresh=False)
    finally:
        if own_client is not None:
            own_client.close()
    done = BatchReport([r for r in results if r is not None], time.perf_counter() - start)
    if report is not None:
        done.write(report)
    return done
