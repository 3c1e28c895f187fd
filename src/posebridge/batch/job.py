"""One job of a batch, as a worker runs it: convert, check, or skip a finished output."""

from __future__ import annotations

import glob
import os
import time
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from posebridge import registry
from posebridge.batch.plan import Job
from posebridge.errors import PoseBridgeError


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
# one job (runs in a worker)


def _splits(job: Job, target: Path) -> bool:
    """Whether the job's writer may write one file per individual instead of ``target``.

    Only the NWB writer splits by default (``<stem>_<individual>.nwb``, one
    subject per file); ``split_individuals=False``, the sleap-io layout and
    ``append`` write ``target`` itself.
    """
    try:
        name = registry.resolve_for_writing(target, job.to_format, "poses").name
    except PoseBridgeError:
        return False
    options = job.write_options
    return (
        name == "nwb"
        and options.get("split_individuals", True) is not False
        and options.get("layout", "posebridge") != "sleap-io"
        and not options.get("append", False)
    )


def _split_names(job: Job, target: Path) -> list[Path]:
    """The files the NWB writer writes for this job's input: ``target`` for one
    individual (or labelled frames), else ``<stem>_<individual>.nwb`` per individual.

    The names come from the writer's own rule (:func:`~posebridge.formats.nwb.write.output_paths`,
    names cleaned as it cleans them); only the input's individuals are read
    (lazily: formats with a lazy reader read their header, others are read whole).
    """
    from posebridge.formats.nwb.build import split_plan
    from posebridge.formats.nwb.write import output_paths
    from posebridge.lazy import open_lazily_indexed
    from posebridge.model import labels

    ds = open_lazily_indexed(job.source, job.from_format, fps=job.fps, **job.read_options)
    try:
        if ds.attrs.get("ds_type") != "poses" or labels.is_labels(ds):
            return [target]
        return output_paths(target, split_plan(ds, True))
    finally:
        ds.close()


def _own_outputs(job: Job) -> list[Path]:
    """The files this job writes (or wrote): its target, or the NWB writer's split files.

    The input is read (its individual names only) when the writer splits and
    files of a split's names (``<stem>_*.nwb``) lie beside the target, or when
    another job of the batch writes such a name: only then do the exact names
    matter. A split name that is another job's output fails this job (the
    file is not this job's, and writing it would replace the other's).
    """
    target = Path(job.target)
    if not _splits(job, target):
        return [target]
    if not job.claimed:  # no other job's name to keep clear of
        if job.overwrite or target.exists():
            return [target]  # nothing to look for (or the target itself, as written before)
        suffix = target.suffix
        stem = target.name[: -len(suffix)] if suffix else target.name
        pattern = glob.escape(stem) + "_*" + glob.escape(suffix)
        if not target.parent.is_dir() or next(target.parent.glob(pattern), None) is None:
            return [target]  # nothing there to tell apart
    elif target.exists() and not job.overwrite:
        return [target]
    names = _split_names(job, target)
    for name in names:
        other = job.claimed.get(str(name))
        if other is not None and name != target:
            raise PoseBridgeError(
                f"{name}: the NWB writer names this file after an individual of {job.source} "
                f"(one file per individual), but it is the output of {other} in this batch; "
                "name the outputs apart (e.g. --template '{stem}_poses'), or write one file "
                "(split_individuals=False)."
            )
    return names


def _finished(job: Job, outputs: list[Path]) -> tuple[list[Path], bool] | None:
    """The outputs of an earlier run that exist and read back, and whether they are all
    there; ``None`` when none exist.

    A set of NWB files split per individual is finished only when every file of
    the set is there; a partial set (a worker killed between the renames of
    its files) is redone.

    Raises
    ------
    PoseBridgeError
        When an existing output does not read back (it may not be ours: it is
        left alone).
    """
    from posebridge import api

    found = [path for path in outputs if path.exists()]
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
    return found, len(found) == len(outputs)


def _input_bytes(source: Path) -> int:
    """The size of an input: a file's, or the files' directly in a folder read as one."""
    if source.is_file():
        return source.stat().st_size
    if source.is_dir():
        with os.scandir(source) as entries:
            return sum(e.stat().st_size for e in entries if e.is_file())
    return 0


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


def run_job(job: Job, on_chunk: Callable[[int, int], None] | None = None) -> Result:
    """Run one job: skip it when its output is finished, else convert; never raise.

    Finished means every file the job writes is there and reads back: for the
    NWB writer's one file per individual, every ``<stem>_<individual>.nwb`` of
    the input's individuals. A partial set of those (a worker killed between
    their renames) is written again whole, replacing the files that were
    there; an existing file that does not read back fails the job, untouched.

    Parameters
    ----------
    job
        The job.
    on_chunk
        Called as ``on_chunk(done, total)`` for each chunk of frames read, when
        the conversion streams (see :func:`posebridge.convert`).

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
        source = Path(job.source)
        result.input_bytes = _input_bytes(source)
        if job.error:
            raise PoseBridgeError(job.error)
        own = _own_outputs(job)
        previous = None if job.overwrite else _finished(job, own)
        if previous is not None and previous[1]:
            result.status, outputs = "skipped", previous[0]
        else:
            # a partial set of this job's own split files (they read back) is replaced
            # whole, as the writer replaces files with overwrite
            overwrite = job.overwrite or previous is not None
            Path(job.target).parent.mkdir(parents=True, exist_ok=True)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                outputs = convert(
                    source,
                    job.target,
                    job.to_format,
                    from_format=job.from_format,
                    fps=job.fps,
                    overwrite=overwrite,
                    read_options=job.read_options,
                    progress=False,
                    on_chunk=on_chunk,
                    chunk_frames=job.chunk_frames,
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
