"""Planning a batch: its inputs (folder, glob, list, manifest), their outputs and jobs.

Every :class:`Job` is planned here; the folders, globs and lists given are expanded
into input files by :mod:`posebridge.batch.inputs`, a manifest's rows are read and
checked by :mod:`posebridge.batch.manifest`, output names made by
:mod:`posebridge.batch.naming`, and options routed to the jobs by
:mod:`posebridge.batch.options`.
"""

from __future__ import annotations

import bisect
import contextlib
import os
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from posebridge import errors, model, registry
from posebridge._files import refuse_long_names
from posebridge._option_values import expect_kind, expect_number
from posebridge._output_paths import inside_input_folder, real_target, refuse_folder_name
from posebridge.batch.inputs import NO_MATCH, Input, expand_sources, source_items
from posebridge.batch.manifest import manifest_rows
from posebridge.batch.naming import (
    DANDI_TEMPLATE,
    DEFAULT_TEMPLATE,
    check_template,
    dandi_label,
    format_ending,
    naming_problem,
    output_name,
    outside_problem,
    template_fields,
)
from posebridge.batch.options import check_option_names, options_per_job
from posebridge.batch.splits import first_match, folder_names, split_pattern, splitting
from posebridge.errors import IsADirectoryError, PoseBridgeError, expect_bool, expect_path

PathLike = str | os.PathLike[str]


_WRITER_FIELDS = {  # manifest column -> NWB writer option
    "subject_id": "subject_id",
    "species": "species",
    "sex": "sex",
    "age": "age",
    "session_start_time": "session_start_time",
    "session_id": "session_id",
    "video": "video_path",
}


@dataclass
class Job:
    """One conversion of a batch (picklable: it travels to worker processes).

    Attributes
    ----------
    source, target
        Input file (or folder read as one input) and output file (absolute);
        ``target`` is ``""`` (or the manifest row's ``output`` as given) when
        planning could not name the output (:attr:`error` says why).
    from_format, to_format
        Format names, or ``None`` (detect the input / choose by the output name);
        a folder found in a folder given has the format that reads it.
    fps
        Frames per second of the input, when given.
    fps_option
        How :attr:`fps` was given, as messages name it: ``"fps="`` (the
        batch's ``fps`` argument, or a manifest row's ``fps``), ``"--fps "``
        (the command line's flag).
    read_options, write_options
        Options of the reader and of the writer (per-session metadata included).
    overwrite
        Redo an existing output.
    inspect
        Run nwbinspector on NWB outputs.
    chunk_frames
        Frames per chunk when the conversion streams (``None``: the default).
    error
        Set when planning already found the job cannot run (e.g. two inputs
        would write the same output).
    claimed
        The other jobs' outputs (output -> that job's input) that this job's
        writer could name if it writes one file per individual
        (``<stem>_<anything><ending>`` beside :attr:`target`): never counted as
        this job's, never written by it.
    others
        Those jobs themselves (output -> job, without their own ``claimed``):
        when one of this job's per-individual files could be named as one of
        theirs, their inputs' individual names are read to tell.
    target_among_inputs
        Whether the target was found among the files of a folder (or glob) read
        for inputs when the batch was planned: left out of the inputs as an
        earlier run's output of this job, which :func:`~posebridge.batch.job.run_job`
        confirms (the same keypoints as this job's input) before it skips or
        replaces the file.
    manifest_row
        Where the job's manifest row is, as messages name it (``m.csv (line 3)``,
        ``m.yaml (session 2)``); ``""`` for an input not from a manifest.
    manifest_subject
        Whether the ``subject_id`` written comes from the manifest row (not from
        the batch's ``subject_id=`` option): a refusal of it names the row.
    command_line
        Whether the batch runs from the command line: its report then gives the
        advice of errors in the command line's words (``--read-option video=0``
        where Python's is ``video=0``).
    split_files_seen
        Whether files named as this job's per-individual files
        (``<stem>_*<ending>``) lay beside its target when the batch was
        planned (each output folder is listed once per batch); ``None``: not
        looked, the job looks itself.
    """

    source: str
    target: str
    from_format: str | None = None
    to_format: str | None = None
    fps: float | None = None
    fps_option: str = "fps="
    read_options: dict[str, Any] = field(default_factory=dict)
    write_options: dict[str, Any] = field(default_factory=dict)
    overwrite: bool = False
    inspect: bool = False
    chunk_frames: int | None = None
    error: str = ""
    claimed: dict[str, str] = field(default_factory=dict)
    others: dict[str, Job] = field(default_factory=dict)
    target_among_inputs: bool = False
    split_files_seen: bool | None = None
    command_line: bool = False
    manifest_row: str = ""
    manifest_subject: bool = False


def _output_folder(output_dir: Any) -> Path | None:
    """``output_dir`` as a Path (``None`` stays), refused when empty or a file."""
    if output_dir is None:
        return None
    expect_path(output_dir, "output_dir")
    if os.fspath(output_dir) == "":
        raise PoseBridgeError(
            "output_dir is an empty path ''; give a folder ('.' for the current one) or "
            "None to write beside each input."
        )
    out = Path(output_dir)
    if out.exists() and not out.is_dir():
        raise PoseBridgeError(f"output_dir {out}: is a file; expected a folder.")
    return out


def _check_outputs(
    rows: list[tuple[dict[str, Any], str]], manifest: PathLike, out: Path | None
) -> None:
    """Refuse a manifest whose ``output`` leads out of the output folder (before any job).

    With an output folder, a row's output is relative to it and must stay in
    it, as a naming template's names must. Without one, the manifest names
    each output itself (relative to its input's folder) and may name any path.
    """
    if out is None:
        return
    for row, where in rows:
        if "output" in row:
            problem = outside_problem(str(row["output"]), out)
            if problem:
                raise PoseBridgeError(
                    f"{manifest} ({where}): the output is {problem}; write it relative to "
                    "the output folder, or give no output folder to name any path."
                )


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
            if value.tzinfo is None or value.tzinfo.utcoffset(value) is None:
                # local time of the machine that plans the batch, not of whichever
                # worker (another machine, another zone) happens to run the job
                with contextlib.suppress(ValueError, OverflowError):  # the writer says why
                    value = value.astimezone()
        options[option] = str(value) if option in ("subject_id", "session_id") else value
    return options


@dataclass
class Plan:
    """The jobs of a batch, and the files of its folders it leaves out.

    Attributes
    ----------
    jobs
        One :class:`Job` per input.
    ignored
        Files found in a folder given (or by a glob) that the batch leaves out,
        as absolute paths: files whose ending a format claims but whose content
        no format recognises (``.txt`` notes), and earlier batch reports.
    ignored_reasons
        Why a file of :attr:`ignored` was left out, for each left out for
        another reason than its content (an earlier batch report).
    """

    jobs: list[Job]
    ignored: list[str] = field(default_factory=list)
    ignored_reasons: dict[str, str] = field(default_factory=dict)


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
    chunk_frames: int | None = None,
    fps_option: str = "fps=",
) -> list[Job]:
    """The jobs of a batch (see :func:`convert_many` for the parameters).

    A job whose output cannot be named, or whose output another job also
    writes, carries an ``error`` and fails without running.

    Examples
    --------
    >>> jobs = plan_jobs("sessions/", "out/", to="nwb")  # doctest: +SKIP
    """
    return plan_batch(
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
        chunk_frames=chunk_frames,
        fps_option=fps_option,
    ).jobs


def plan_batch(
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
    chunk_frames: int | None = None,
    fps_option: str = "fps=",
) -> Plan:
    """The jobs of a batch and the files it leaves out (see :func:`convert_many`).

    A folder that a format reads as a whole (a YOLO predictions ``labels``
    folder, TRex's per-individual files) is one job; a ``.txt`` file whose
    content no format recognises, and an earlier batch report found in a folder
    or by a glob, are left out and listed in :attr:`Plan.ignored`. A job whose
    output cannot be named, whose output another job also writes, or whose
    output is an input of the batch or lies inside a folder the batch reads,
    carries an ``error`` and fails without running.

    Examples
    --------
    >>> plan = plan_batch("sessions/", "out/", to="nwb")  # doctest: +SKIP
    >>> plan.ignored  # doctest: +SKIP
    ['/data/sessions/notes.txt']
    """
    expect_bool(overwrite, "overwrite")
    expect_bool(inspect, "inspect")
    out = _output_folder(output_dir)
    expect_kind(template, str | None, "template")
    if manifest is not None:
        expect_path(manifest, "manifest")
    if from_format is not None:
        registry.get(from_format)  # a name no format has fails the call, not every input
    if to is not None:
        _refuse_read_only_output(to)
    fps = model.checked_fps(fps)
    expect_kind(fps_option, str, "fps_option")
    expect_kind(read_options, dict[str, Any] | None, "read_options")
    expect_kind(write_options, dict[str, Any] | None, "write_options")
    expect_number(chunk_frames, "chunk_frames", whole=True, least=1, optional=True)
    items = source_items(sources) if sources is not None else []
    rows: list[tuple[dict[str, Any], Input]] = []
    if manifest is not None:
        read = manifest_rows(Path(manifest))
        _check_outputs(read, manifest, out)
        rows.extend((row, Input(Path(row["input"]), "")) for row, _ in read)
        row_at = {id(row): f"{manifest} ({where})" for row, where in read}
    else:
        row_at = {}
    listed: set[str] = set()  # inputs found by listing a folder or matching a glob
    ignored: list[Path] = []
    reasons: dict[Path, str] = {}
    if sources is not None:
        expanded, ignored, reasons = expand_sources(items)
        rows.extend(({}, found) for found in expanded)
        named = {os.fspath(item) for item in items}
        listed = {
            str(found.path.absolute()) for found in expanded if os.fspath(found.path) not in named
        }
    problems = [found for _, found in rows if found.problem]
    if len(problems) == len(rows):
        unmatched = [str(f.path) for f in problems if f.problem.endswith(NO_MATCH)]
        others = [f.problem for f in problems if not f.problem.endswith(NO_MATCH)]
        raise PoseBridgeError(
            "the batch has no input files (check the folder, glob or manifest)."
            + (f" No file matches {', '.join(unmatched)}." if unmatched else "")
            + "".join(f" {problem}" for problem in others)
            + _left_out_text([p for p in ignored if p not in reasons], reasons)
        )
    if template is None and to is None and any("output" not in row for row, _ in rows):
        raise PoseBridgeError(
            "give the output format (to=, --to) or a naming template with the file ending."
        )
    if template is not None:
        template_fields(template)  # a malformed template fails the call, not every input
    if template in ("dandi", DANDI_TEMPLATE) and to is None:
        to = "nwb"
    ext = format_ending(to) if to is not None else None
    if template is not None:
        check_template(
            template, ext, out, names_outputs=any("output" not in row for row, _ in rows)
        )
    check_option_names(read_options, from_format, "reader")
    check_option_names(write_options, to, "writer")
    jobs: list[Job] = []
    by_label: dict[str, dict[str, list[Job]]] = {}  # DANDI subject label: ids: jobs
    for row, found in rows:
        source = found.path.absolute()
        parent = found.parent
        if found.problem:
            jobs.append(Job(source=str(found.path), target="", error=found.problem))
            continue
        job = Job(
            source=str(source),
            target="",
            from_format=from_format or found.format,
            to_format=to,
            fps=float(row["fps"]) if row.get("fps") not in (None, "") else fps,
            fps_option="fps=" if row.get("fps") not in (None, "") else fps_option,
            read_options=dict(read_options or {}),
            write_options=dict(write_options or {}),
            overwrite=overwrite,
            inspect=inspect,
            chunk_frames=chunk_frames,
            manifest_row=row_at.get(id(row), ""),
        )
        try:
            if "output" in row:
                name = str(row["output"])
                try:  # 'x.nc/' names a folder: said so, not "nothing before its ending"
                    refuse_folder_name(name)
                except IsADirectoryError as error:
                    raise PoseBridgeError(f"{source}: the manifest's output {error}") from None
                problem = naming_problem(name, None)  # inside the output folder: checked
            else:
                name = output_name(template or DEFAULT_TEMPLATE, source, parent, row, ext)
                problem = naming_problem(name, out)
            if problem:
                what = "the manifest's output" if "output" in row else "the naming template"
                raise PoseBridgeError(f"{source}: {what} {problem}.")
            target = Path(name)
            if not target.is_absolute():
                target = (out if out is not None else found.base or source.parent) / target
            target = Path(os.path.normpath(target))
            _refuse_long_output_name(target, job, "output" in row)
            job.target = str(target)
            row_metadata = _writer_metadata(row, to, target)
            job.write_options.update(row_metadata)
            job.manifest_subject = "subject_id" in row_metadata
            if template in ("dandi", DANDI_TEMPLATE) and "output" not in row:
                subject = str(row.get("subject_id"))
                key = dandi_label(subject).casefold()  # M1 and m1: one folder on macOS
                by_label.setdefault(key, {}).setdefault(subject, []).append(job)
        except PoseBridgeError as error:  # the output asked for is shown; never the input
            job.target = job.target or str(row.get("output") or "")
            job.error = str(error)
        jobs.append(job)
    _refuse_subjects_sharing_a_label(by_label)
    # the batch's own outputs, found among its inputs when it runs again beside them
    # (no --out, or --out inside the folder read): not inputs of this batch
    targets = {job.target for job in jobs if not job.error and job.target != job.source}
    taken = {job.source for job in jobs if job.source in listed and job.source in targets}
    jobs = [job for job in jobs if job.source not in taken]
    # a file of a folder read that is already in the format asked for (its output would
    # be the file itself): left out, saying why (named as a file, it fails instead)
    own = [
        job for job in jobs if not job.error and job.source in listed and job.target == job.source
    ]
    for job in own:
        ignored.append(Path(job.source))
        reasons[Path(job.source)] = (
            "already a file of the format asked for: its output would replace it (write "
            "the outputs elsewhere, --out, to convert it)"
        )
    left_out = {id(job) for job in own}
    jobs = [job for job in jobs if id(job) not in left_out]
    if own and not jobs:
        raise PoseBridgeError(
            "the batch has no input files (check the folder, glob or manifest)."
            + _left_out_text([p for p in ignored if p not in reasons], reasons)
        )
    for job in jobs:
        job.target_among_inputs = job.target in taken
    jobs = _one_output_per_file(jobs, template in ("dandi", DANDI_TEMPLATE))
    _refuse_outputs_onto_inputs(jobs, manifest)
    options_per_job(jobs, read_options, "reader")
    options_per_job(jobs, write_options, "writer")
    _one_writer_per_folder_and_file(jobs)
    _note_claimed_names(jobs)
    _note_split_files(jobs)
    return Plan(
        jobs,
        [str(p.absolute()) for p in ignored],
        {str(p.absolute()): reason for p, reason in reasons.items()},
    )


def _refuse_long_output_name(target: Path, job: Job, from_output_column: bool) -> None:
    """Refuse an output name the file system cannot hold (a part over its limit, 255
    bytes usually; a path over ``PATH_MAX``), naming the input and its manifest row, before
    the batch runs: the operating system would say only "File name too long".

    Examples
    --------
    >>> _refuse_long_output_name(Path("out/a.nwb"), Job("a.h5", ""), False)
    """
    try:
        refuse_long_names(target)
    except PoseBridgeError as error:
        row = f", the input of {job.manifest_row}:" if job.manifest_row else ":"
        if from_output_column:
            advice = "give the row a shorter output"
        elif job.manifest_row:
            advice = (
                "give the row shorter values (subject_id, session_id), an 'output' column, "
                "or a shorter naming template"
            )
        else:
            advice = "use a shorter naming template or output folder"
        what = "the manifest's output" if from_output_column else "the naming template"
        said = str(error).removesuffix(" Choose a shorter name.")
        raise PoseBridgeError(
            f"{job.source}{row} {what} names an output the file system cannot hold: "
            f"{said} To convert this input, {advice}."
        ) from None


def _refuse_subjects_sharing_a_label(by_label: dict[str, dict[str, list[Job]]]) -> None:
    """Fail the jobs of manifest subjects whose ids differ but make one DANDI label.

    ``Maus-Ä`` and ``Maus-A``, or ``mouse_1`` and ``mouse 1``, would file the
    sessions of different animals in one ``sub-`` folder, as one subject's:
    which id is meant cannot be told, so every job of those subjects fails. Labels
    that differ only in letter case (``M1``, ``m1``) are one folder on macOS and
    Windows, and fail as well.
    """
    for subjects in by_label.values():
        if len(subjects) < 2:
            continue
        ids = ", ".join(repr(subject) for subject in subjects)
        labels = {dandi_label(subject) for subject in subjects}
        for subject, jobs in subjects.items():
            made = (
                f"makes the DANDI label {dandi_label(subject)!r}, as the subject_ids {ids} do"
                if len(labels) == 1
                else f"makes the DANDI label {dandi_label(subject)!r}, and the subject_ids "
                f"{ids} make labels that differ only in letter case (one folder on macOS "
                "and Windows, whose file systems ignore case)"
            )
            for job in jobs:
                job.error = (
                    f"{job.source}: the manifest's subject_id {subject!r} {made}: DANDI "
                    "would file their sessions as one subject's. Give each subject an id "
                    "that differs in its letters (not only their case) or digits."
                )


def _left_out_text(unrecognised: list[Path], reasons: dict[Path, str]) -> str:
    """What a batch of no input says of the files it left out (``""`` when none)."""
    text = ""
    if unrecognised:
        names = ", ".join(p.name for p in unrecognised[:3]) + ", ..." * (len(unrecognised) > 3)
        text += (
            f" Left out {len(unrecognised)} file(s) that no format recognises by content "
            f"({names})."
        )
    for path, reason in list(reasons.items())[:3]:
        text += f" Left out {path.name}: {reason}."
    return text


def _one_output_per_file(jobs: list[Job], dandi: bool = False) -> list[Job]:
    """Fail a job whose output is the file of another job's (or its own input), and drop
    an input given twice (the same file, to the same output: one job).

    Outputs are compared as the files they land in (folders' links followed, as
    :func:`~posebridge._output_paths.real_target` resolves them): ``out/x.h5`` and
    ``alias/x.h5``, with ``alias`` a link to ``out``, are one file; so are
    ``x.nwb`` and ``X.NWB`` on macOS and Windows (their file systems ignore case).
    ``dandi``: the outputs are named by DANDI's template (the advice then names
    ``session_id``).
    """
    parents: dict[str, Path] = {}
    seen: dict[str, Job] = {}
    folded: dict[str, Job] = {}  # the same, by the names' case-folded text
    kept: list[Job] = []
    for job in jobs:
        if job.error:
            kept.append(job)
            continue
        where = os.path.normcase(str(real_target(job.target, parents)))
        source = os.path.normcase(os.path.realpath(job.source))
        first = seen.get(where)
        other_case = folded.get(where.casefold())
        if job.target == job.source or where == source:
            job.error = f"{job.source}: the output would replace the input."
        elif first is not None and _same_job(first, job, source):
            continue  # the same input given twice (two paths, or a glob and a name): once
        elif first is not None:
            job.error = _shared_output_text(first, job, dandi)
        elif other_case is not None:
            job.error = _case_only_text(other_case, job)
        else:
            seen[where] = job
            folded[where.casefold()] = job
        kept.append(job)
    return kept


def writer_name(job: Job) -> str | None:
    """The name of the format the job writes (``None`` when its output cannot be resolved:
    the job reports that)."""
    try:
        return registry.resolve_for_writing(Path(job.target), job.to_format, "poses").name
    except PoseBridgeError:
        return None


def _one_writer_per_folder_and_file(jobs: list[Job]) -> None:
    """Fail a job whose writer writes, beside its output, files that another job writes too.

    :func:`_one_output_per_file` compares the outputs named; some writers write
    more: a YOLO pose dataset writes its label files (``<split>/labels/*.txt``)
    and split lists below its data.yaml's folder, under names taken from its
    images (every dataset of video frames names them ``frame_<N>.txt``), and a
    Label Studio writer given ``label_config`` writes that file too. Two such
    jobs would replace each other's files (with ``overwrite``, both reported
    ``ok``) or mix two datasets in one folder: the later job fails at planning,
    before anything is written, naming both inputs. Folders and files are
    compared as they land (links followed, case as the file system treats it).
    Split files per individual are kept apart when each job runs
    (:func:`~posebridge.batch.resume.own_outputs`), where the input's
    individual names are known.
    """
    parents: dict[str, Path] = {}
    files: dict[str, Job] = {}
    for job in jobs:
        if not job.error and job.target:
            files.setdefault(os.path.normcase(str(real_target(job.target, parents))), job)
    folders: dict[str, Job] = {}
    for job in jobs:
        if job.error or not job.target:
            continue
        writer = writer_name(job)
        if writer == "yolo":
            folder = Path(job.target).parent
            # case-folded: Set/ and set/ are one folder on macOS and Windows
            key = os.path.normcase(os.path.realpath(folder)).casefold()
            first = folders.setdefault(key, job)
            if first is not job:
                job.error = _shared_dataset_folder_text(first, job, folder)
            continue
        config = _label_config(job)
        if config is not None:
            key = os.path.normcase(str(real_target(config, parents)))
            first = files.setdefault(key, job)
            if first is not job:
                whose = (
                    "output"
                    if first.target
                    and key == os.path.normcase(str(real_target(first.target, parents)))
                    else "Label Studio configuration (label_config)"
                )
                job.error = (
                    f"{job.source}: its Label Studio configuration (label_config) {config} is "
                    f"also the {whose} of {first.manifest_row or first.source} in this batch: "
                    "one would replace the other (even with overwrite). Convert the inputs "
                    "that need a configuration apart, each with its own label_config."
                )


def _label_config(job: Job) -> str | os.PathLike[str] | None:
    """The ``label_config`` file a Label Studio job writes beside its output, or ``None``."""
    if writer_name(job) != "labelstudio":
        return None
    config = job.write_options.get("label_config")
    if isinstance(config, str | os.PathLike) and os.fspath(config):
        return config
    return None


def _shared_dataset_folder_text(first: Job, job: Job, folder: Path) -> str:
    """Why ``job``'s YOLO dataset fails when ``first``'s is written in the same folder."""
    where = (
        "a naming template that gives each input a folder of its own, e.g. '{stem}/{stem}{ext}'"
    )
    if job.manifest_row:
        where += ", or the manifest's output column"
    return (
        f"{job.source}: its YOLO dataset {job.target} writes its label files and split "
        f"folders below {folder or '.'}, as the YOLO dataset {first.target} of "
        f"{first.manifest_row or first.source} does: label files of the same names (every "
        "dataset of video frames names them frame_<N>.txt) would replace each other, even "
        f"with overwrite, and the two datasets would mix. Use {where}."
    )


def _case_only_text(first: Job, job: Job) -> str:
    """Why ``job`` fails when ``first``'s output differs from its own in letter case only:
    one file on the case-insensitive file systems of macOS and Windows (DANDI's users')."""
    whose = first.manifest_row or first.source
    return (
        f"{job.target}: differs from {first.target}, the output of {whose}, only in letter "
        "case: one file on macOS and Windows (their file systems ignore case), where one "
        "would replace the other. Name the outputs apart by more than case."
    )


def _shared_output_text(first: Job, job: Job, dandi: bool = False) -> str:
    """Why ``job`` fails when ``first`` writes its output: naming ``first``'s manifest row
    (its input, when it is the same) and, for manifest rows, how to name them apart
    (with DANDI's template, ``dandi``: a session_id for each row)."""
    same = f" (written to {first.target}, the same file)" * (first.target != job.target)
    if not (first.manifest_row and job.manifest_row):
        return f"{job.target}: also the output of {first.source}{same}."
    if os.path.realpath(first.source) == os.path.realpath(job.source):
        whose = f"{first.manifest_row}, a row of the same input with other metadata"
    else:
        whose = f"{first.manifest_row}, the row of {first.source}"
    text = f"{job.target}: the output of {job.manifest_row} is also the output of {whose}{same}"
    sessions = [str(j.write_options.get("session_id") or "") for j in (first, job)]
    if sessions[0] != sessions[1] and all(sessions):
        labels = {_label_or_empty(session) for session in sessions}
        if len(labels) == 1:  # DANDI's labels merged two session ids
            return (
                f"{text}: the session_ids {sessions[0]!r} and {sessions[1]!r} make one DANDI "
                f"label {labels.pop()!r}. Give each session an id that differs in its letters "
                "or digits."
            )
    if dandi and not all(sessions):
        return (
            f"{text}. Give each row its own session_id: the 'dandi' template names a "
            "subject's file sub-<subject>_behavior.nwb, without '_ses-<session>', for a "
            "row without one."
        )
    return (
        f"{text}. Give the rows outputs of their own: an 'output' column, or a naming "
        "template that tells them apart ({subject}, {session})."
    )


def _label_or_empty(value: str) -> str:
    """``value`` as a DANDI label (``""`` when it makes none)."""
    try:
        return dandi_label(value)
    except PoseBridgeError:
        return ""


def _same_job(first: Job, job: Job, source: str) -> bool:
    """Whether ``job`` (of the real input ``source``) repeats ``first``: the same input
    read and written with the same options (a manifest's second row of one input with
    other metadata is not)."""
    return os.path.normcase(os.path.realpath(first.source)) == source and (
        first.from_format,
        first.to_format,
        first.fps,
        first.read_options,
        first.write_options,
    ) == (job.from_format, job.to_format, job.fps, job.read_options, job.write_options)


def _note_claimed_names(jobs: list[Job]) -> None:
    """Give each job the other jobs' outputs that its split files could be named
    (:attr:`Job.claimed`): ``<stem>_<anything><ending>`` in its output's folder.

    The NWB writer names one file per individual ``<stem>_<individual>.nwb``;
    another input's output can have such a name (``sess.h5`` with an
    individual ``filtered``, and ``sess_filtered.h5``). One sorted list of
    names per folder and ending, searched by prefix: no pass over every pair.
    """
    by_folder: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for job in jobs:
        if job.error or not job.target:
            continue
        target = Path(job.target)
        by_folder.setdefault((str(target.parent), target.suffix), []).append(
            (target.name, job.source)
        )
    for names in by_folder.values():
        names.sort()
    for job in jobs:
        if job.error or not job.target:
            continue
        target = Path(job.target)
        names = by_folder[(str(target.parent), target.suffix)]
        stem = target.name[: -len(target.suffix)] if target.suffix else target.name
        prefix = stem + "_"
        at = bisect.bisect_left(names, (prefix,))
        while at < len(names) and names[at][0].startswith(prefix):
            name, source = names[at]
            if name != target.name:
                job.claimed[str(target.parent / name)] = source
            at += 1
    by_target = {job.target: job for job in jobs if not job.error and job.target}
    for job in jobs:
        job.others = {
            where: replace(by_target[where], claimed={}, others={}) for where in job.claimed
        }


def _note_split_files(jobs: list[Job]) -> None:
    """Tell each job whose writer splits per individual whether files of its split
    names (``<stem>_*<ending>``) lie beside its target (:attr:`Job.split_files_seen`).

    Each output folder is listed once for the whole batch (a resumed batch of
    many inputs in one flat folder would otherwise list it once per job); a
    folder's names are sorted and searched by prefix. Only jobs that could
    need the answer look: a writer that splits, no ``overwrite``, no other
    job's name to keep clear of (those jobs read their names anyway).
    """
    asking = [
        job
        for job in jobs
        if not job.error
        and job.target
        and not job.overwrite
        and not job.claimed
        and splitting(job.target, job.to_format, job.write_options) is not None
    ]
    listed = folder_names(Path(job.target).parent for job in asking)
    for job in asking:
        target = Path(job.target)
        start, end = split_pattern(target)
        job.split_files_seen = first_match(listed[target.parent], start, end)


def _file_id(path: PathLike) -> tuple[int, int] | None:
    """The device and inode of the file ``path`` leads to (links followed), if it exists."""
    try:
        found = os.stat(path)
    except (OSError, ValueError):
        return None
    return found.st_dev, found.st_ino


def _refuse_outputs_onto_inputs(jobs: list[Job], manifest: PathLike | None) -> None:
    """Fail the jobs whose output is an input of the batch or its manifest, or lies inside
    a folder the batch reads as one input (links followed).

    Such an output would replace a file the batch reads (with ``overwrite``,
    or be reported as an output that does not read back without it), or add
    a file to a folder read as one input. The job fails without running; the
    file is never touched.
    """
    inputs: dict[tuple[int, int], str] = {}
    if manifest is not None and (key := _file_id(manifest)) is not None:
        inputs[key] = f"is the batch's manifest ({manifest})"
    for job in jobs:
        if (key := _file_id(job.source)) is not None:
            inputs.setdefault(key, f"is an input of the batch ({job.source})")
    folders = {
        Path(os.path.realpath(job.source)): job.source for job in jobs if os.path.isdir(job.source)
    }
    parents: dict[str, Path] = {}
    for job in jobs:
        if job.error or not job.target:
            continue
        key = _file_id(job.target)
        if key is not None and key in inputs:
            job.error = (
                f"{job.target}: {inputs[key]}; writing this output there would replace it: "
                "name another output."
            )
            continue
        config = _label_config(job)
        if config is not None and (key := _file_id(config)) is not None and key in inputs:
            job.error = (
                f"{job.source}: its Label Studio configuration (label_config) {config} "
                f"{inputs[key]}; writing it there would replace it: name another label_config."
            )
            continue
        if folders:
            where = real_target(job.target, parents)
            inside = next((folders[p] for p in (where, *where.parents) if p in folders), None)
            if inside is not None:
                job.error = str(inside_input_folder(inside, job.target))
                if Path(job.target).parent == Path(job.source).parent:  # beside its input
                    job.error += (
                        f" {job.source} lies in that folder, beside the files read as one "
                        "input: give the batch an output folder outside it (--out, out=) to "
                        "convert both."
                    )


def _refuse_read_only_output(to: str) -> None:
    """Refuse an output format posebridge only reads (TRex, idtracker.ai, DANNCE) at once.

    Every input would otherwise be read before its writer refused it, one row each.
    """
    registry.refuse_ambiguous_writer(to)
    fmt = registry.get(to)
    if not any(member.writes for member in registry.siblings(fmt)):
        raise errors.UnknownFormatError(f"posebridge cannot write {fmt.title} files.")
