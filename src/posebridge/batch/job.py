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
