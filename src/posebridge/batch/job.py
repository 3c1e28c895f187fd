"""One job of a batch, as a worker runs it: convert, check, or skip a finished output."""

from __future__ import annotations

import contextlib
import os
import time
import traceback
import warnings
from collections.abc import Callable, Iterable
from pathlib import Path

from posebridge._recorded_warnings import recording_warnings
from posebridge.batch.plan import Job
from posebridge.batch.result import Result
from posebridge.batch.resume import (
    appended_before,
    finished,
    own_outputs,
    redone_note,
    refuse_a_file_not_converted_from,
)
from posebridge.errors import (
    PoseBridgeError,
    SharedSubjectError,
    with_command_line_wording,
    worded_for_command_line,
)


def _error_text(job: Job, error: BaseException) -> str:
    """What the report says of a job's error, on one line: its advice with the command
    line's flags (:func:`~posebridge.errors.worded_for_command_line`) when the batch runs
    from it."""
    if job.command_line:
        # the writer's choice of format by the output's name: --to on batch's command line
        with_command_line_wording(error, {"or pass format=.": "or pass --to."})
        return worded_for_command_line(error) or type(error).__name__
    return " ".join(str(error).split()) or type(error).__name__


def _fps_named(job: Job, message: str) -> str:
    """``message`` naming the job's frame rate as it was given (``--fps 60`` on the
    command line) where :func:`posebridge.convert` names it ``fps=60``."""
    if job.fps is None or job.fps_option == "fps=":
        return message
    said = job.fps_option.strip(" =")
    return message.replace(
        f"fps={job.fps:g} contradicts", f"{job.fps_option}{job.fps:g} contradicts", 1
    ).replace("; leave out fps to use", f"; leave out {said} to use", 1)


def _manifest_subject_named(job: Job, error: BaseException, message: str) -> str:
    """``message`` naming the manifest row where :func:`posebridge.convert` names the
    ``subject_id=`` option, when a manifest row's ``subject_id`` is given for an input of
    several individuals (a :class:`~posebridge.errors.SharedSubjectError`), with advice a
    manifest can follow (a row has one subject and cannot select an individual)."""
    if not job.manifest_subject or not isinstance(error, SharedSubjectError):
        return message  # the batch's own subject_id= option: the writer's words fit
    if not error.from_option:
        return message
    names = error.individuals
    refused = PoseBridgeError(
        f"the subject_id {error.subject_id!r} of {job.manifest_row} names one subject, "
        f"but the input holds {len(names)} individuals ({', '.join(names)}), which NWB "
        "writes one file each, one subject per file; a manifest row cannot give each its "
        "own subject_id nor select one. Leave subject_id out of the row: each file's "
        "subject is then its individual's name (the 'dandi' template needs a subject_id, "
        "so name such an input's files with a template without {subject}), or convert the "
        f"input alone with {_PER_INDIVIDUAL_SUBJECTS}."
    )
    refused.command_line_wording = {  # type: ignore[attr-defined]
        _PER_INDIVIDUAL_SUBJECTS: _PER_INDIVIDUAL_SUBJECTS_WITH_FLAGS
    }
    return worded_for_command_line(refused) if job.command_line else str(refused)


#: The advice to give each individual its own subject, in Python ...
_PER_INDIVIDUAL_SUBJECTS = "metadata={'subject': {<individual>: {'subject_id': ...}}}"
#: ... and on the command line, where metadata= names a YAML file.
_PER_INDIVIDUAL_SUBJECTS_WITH_FLAGS = (
    "--option metadata=FILE, FILE a YAML file whose subject: gives each individual its "
    "own subject (subject: {<individual>: {subject_id: ...}})"
)


def _input_bytes(source: Path) -> int:
    """The size of an input: a file's, or the files' directly in a folder read as one."""
    if source.is_file():
        return source.stat().st_size
    if source.is_dir():
        with os.scandir(source) as entries:
            return sum(e.stat().st_size for e in entries if e.is_file())
    return 0


#: How to install nwbinspector, which ``inspect`` (``--inspect``) runs.
INTEROP_EXTRA = "pip install 'posebridge[interop]'"


def check_inspector(command_line: bool = False) -> None:
    """Refuse ``inspect`` (``--inspect`` when ``command_line``) when nwbinspector
    cannot be imported, before any input is converted.

    Parameters
    ----------
    command_line
        Whether the command line runs the batch (the message names ``--inspect``).

    Raises
    ------
    PoseBridgeError
        When nwbinspector is not installed, naming the ``interop`` extra.
    """
    import importlib.util

    try:
        found = importlib.util.find_spec("nwbinspector") is not None
    except (ImportError, ValueError):  # blocked, or a module without a spec
        found = False
    if not found:
        option = "--inspect" if command_line else "inspect=True"
        raise PoseBridgeError(
            f"{option} runs nwbinspector, which is not installed; install it with "
            f"{INTEROP_EXTRA}, or run the batch without {option}."
        )


def _inspect(paths: Iterable[Path]) -> list[dict[str, str]]:
    """nwbinspector's findings on the NWB files among ``paths``.

    Raises
    ------
    PoseBridgeError
        When nwbinspector cannot be imported or fails on a file, naming the file
        (which stays written) and the cause.
    """
    findings: list[dict[str, str]] = []
    for path in (p for p in paths if p.suffix.lower() == ".nwb"):
        try:
            findings.extend(_findings(path))
        except Exception as error:
            cause = " ".join(str(error).split()) or type(error).__name__
            extra = f" ({INTEROP_EXTRA})" if isinstance(error, ImportError) else ""
            raise PoseBridgeError(
                f"{path}: written, but its inspection failed: {type(error).__name__}: "
                f"{cause}{extra}. The file is kept; it is skipped when the batch runs "
                "again unless you pass overwrite=True."
            ) from error
    return findings


def _findings(path: Path) -> list[dict[str, str]]:
    """nwbinspector's findings on the NWB file ``path``."""
    from nwbinspector import inspect_nwbfile

    findings: list[dict[str, str]] = []
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


def _warning_messages(
    caught: Iterable[warnings.WarningMessage], command_line: bool = False
) -> list[str]:
    """The messages of the warnings ``caught``, each once, in the order first raised,
    whitespace collapsed (a multi-line message becomes one line of the report); their
    advice with the command line's flags when the batch runs from it, as its errors'
    (:func:`~posebridge.errors.worded_for_command_line`)."""
    messages: dict[str, None] = {}
    for warning in caught:
        text = (
            worded_for_command_line(warning.message)
            if command_line and isinstance(warning.message, Warning)
            else " ".join(str(warning.message).split())
        )
        messages.setdefault(text or warning.category.__name__)
    return list(messages)


def run_job(job: Job, on_chunk: Callable[[int, int], None] | None = None) -> Result:
    """Run one job: skip it when its output is finished, else convert; never raise.

    Finished means every file the job writes is there and reads back: for a
    writer's one file per individual (NWB's by default, DeepLabCut's and
    LightningPose's with ``split_individuals``), every
    ``<stem>_<individual><suffix>`` of the input's individuals, each this job's
    result (the input's positions at its first, middle and last frames, the
    metadata and frame rate the job writes where the output records them). A partial set
    of those (a worker killed between their renames) is written again whole,
    replacing the files that were there, and :attr:`Result.note` says so; an
    existing file that does not read back fails the job, untouched. The
    warnings the job raises are recorded in :attr:`Result.warnings` (not shown
    where it runs: a worker's output is seen by no one).

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
    start = time.perf_counter()
    result = Result(source=job.source, target=job.target, status="failed")
    with recording_warnings() as caught:  # this job's only, whatever runs on other threads
        _run_into(job, on_chunk, result)
    result.warnings = _warning_messages(caught, job.command_line)
    result.seconds = time.perf_counter() - start
    return result


def _run_into(job: Job, on_chunk: Callable[[int, int], None] | None, result: Result) -> None:
    """The body of :func:`run_job`: fill ``result`` (status, outputs, sizes, error)."""
    from posebridge.convert import convert

    try:
        source = Path(job.source)
        result.input_bytes = _input_bytes(source)
        if job.error:
            raise PoseBridgeError(job.error)
        own = own_outputs(job)
        if job.target_among_inputs:
            refuse_a_file_not_converted_from(job)
        if job.write_options.get("append"):  # the target is the file to add to
            previous = ([Path(job.target)], True) if appended_before(job) else None
        else:
            previous = None if job.overwrite else finished(job, own)
        if previous is not None and previous[1]:
            result.status, outputs = "skipped", previous[0]
        else:
            # a partial set of this job's own split files (they read back) is replaced
            # whole, as the writer replaces files with overwrite
            overwrite = job.overwrite or previous is not None
            # (the batch removes the folders it made that no output went into, once every
            # job is done: a failed job removing one raced another job about to write there)
            Path(job.target).parent.mkdir(parents=True, exist_ok=True)
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
            if previous is not None:
                result.note = redone_note(own, previous[0])
        # the outputs are recorded first: an inspection that fails leaves them listed
        result.outputs = [str(p) for p in outputs]
        result.output_bytes = sum(Path(p).stat().st_size for p in outputs)
        if job.inspect and result.status == "ok":
            result.findings = _inspect(outputs)
    except Exception as error:
        result.status = "failed"
        result.error = _manifest_subject_named(
            job, error, _fps_named(job, _error_text(job, error))
        )
        result.error_type = type(error).__name__
        if not isinstance(error, PoseBridgeError | OSError):
            result.error += " | " + traceback.format_exc(limit=3).splitlines()[-1]


def missing_folders(jobs: list[Job]) -> list[Path]:
    """The folders the jobs' outputs go into that do not exist yet (and those above them
    that do not), each once: what the batch will have made.

    Examples
    --------
    >>> from posebridge.batch.plan import Job
    >>> [p.as_posix() for p in missing_folders([Job("a.h5", "no/such/place/a.nwb")])]
    ['no/such/place', 'no/such', 'no']
    """
    missing: dict[Path, None] = {}
    for job in jobs:
        if not job.target:
            continue
        for above in (Path(job.target).parent, *Path(job.target).parent.parents):
            if above in missing or above.exists() or above.is_symlink():
                break
            missing[above] = None
    return list(missing)


def remove_empty_folders(folders: list[Path]) -> None:
    """Remove those of ``folders`` (made by the batch) that are empty, innermost first:
    a folder a job wrote into stays, and so do the folders above it."""
    for folder in sorted(folders, key=lambda f: len(f.parts), reverse=True):
        with contextlib.suppress(OSError):  # not empty (an output), or gone
            folder.rmdir()  # only an empty folder is removed
