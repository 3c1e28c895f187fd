"""The commands that read and write pose files: formats, info, convert, batch."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from posebridge._files import recording_files_read
from posebridge._output_paths import check_output_folder, refuse_writing_onto_input
from posebridge._outputs import inputs_kept
from posebridge.cli._base import (
    FilePath,
    _check_options,
    _for_reading,
    _fps,
    _load,
    _one_line,
    _parse_pairs,
    _read_options,
    _typed_options,
    _with_fps,
    _write_options,
    cli,
    several_videos_advice,
    shown_path,
)
from posebridge.errors import (
    PoseBridgeError,
    SeveralVideosError,
    UnknownFormatError,
    with_command_line_wording,
)

if TYPE_CHECKING:
    from posebridge._report import Rows


def _nwb_options(**given: Any) -> tuple[dict[str, Any], dict[str, str]]:
    """The NWB flags that were given, as writer options, and the flag of each."""
    flags = {
        "subject_id": "--subject-id",
        "species": "--species",
        "sex": "--sex",
        "age": "--age",
        "session_description": "--session-description",
        "session_start_time": "--session-start-time",
        "video_path": "--video",
        "compression": "--compression",
        "metadata": "--metadata",
    }
    options = {key: given[key] for key in flags if given.get(key) is not None}
    if options.get("session_start_time") is not None:
        try:
            options["session_start_time"] = datetime.fromisoformat(given["session_start_time"])
        except ValueError as error:
            raise click.BadParameter(
                f"expected an ISO 8601 date and time (e.g. 2024-05-01T09:30:00+01:00): {error}",
                param_hint="--session-start-time",
            ) from error
    if given.get("float32"):
        options["dtype"], flags["dtype"] = "float32", "--float32"
    if given.get("single_file"):
        options["split_individuals"], flags["split_individuals"] = False, "--single-file"
    if given.get("append"):
        options["append"], flags["append"] = True, "--append"
    return options, {key: flags[key] for key in options}


# --------------------------------------------------------------------------
# commands


@cli.command()
def formats() -> None:
    """List the supported formats: names, extensions, kinds, read/write."""
    from posebridge import registry
    from posebridge._report import columns, table

    body = [
        (
            f.name,
            f.title,
            ", ".join(f.aliases) or "none",  # not "-", which reads as an alias
            ", ".join(f.extensions),
            ", ".join(f.kinds),
            "yes" if f.reads else "no",
            "yes" if f.writes else "no",
        )
        for f in registry.all_formats()
    ]
    header = ("name", "title", "aliases", "extensions", "kinds", "read", "write")
    click.echo(columns(header, body))
    notes = [(f.name, f.notes) for f in registry.all_formats() if f.notes]
    if notes:
        click.echo("\n" + table(notes))
    options = []  # every option each reader and writer takes, from their signatures
    for f in registry.all_formats():
        read = ", ".join(f"{o}=" for o in f.read_options)
        write = ", ".join(f"{o}=" for o in f.write_options if o != "overwrite")
        said = "; ".join(p for p in (read and f"read: {read}", write and f"write: {write}") if p)
        options.append((f.name, said or "none"))
    click.echo("\noptions (--read-option / --option KEY=VALUE)\n" + table(options))


# The Python function's name, as users type it (``posebridge.list_formats()``); not
# listed in --help, where ``formats`` stands for them.
for _alias in ("list-formats", "list_formats"):
    cli.add_command(
        click.Command(_alias, callback=formats.callback, help=formats.help, hidden=True)
    )


@cli.command()
@click.argument("file", type=FilePath(path_type=Path))
@click.option("--format", "-f", "format", metavar="F", help="Format name (default: detect).")
@_fps
@_read_options
@click.option("--json", "as_json", is_flag=True, help="Print the same facts as JSON.")
def info(
    file: Path,
    format: str | None,
    fps: float | None,
    read_pairs: tuple[str, ...],
    as_json: bool = False,
) -> None:
    """Describe FILE: format, frames, time, individuals, keypoints, missing data."""
    from posebridge._report import dataset_facts, describe_dataset, plain, table

    pairs = _parse_pairs(read_pairs, "--read-option")  # a malformed pair: the usage error, first
    try:
        _refuse_options_no_reader_takes(pairs, format)  # before the file is opened
        fmt = _for_reading(file, format, "--format")  # (detection peeks at the file)
        _check_read_options(fmt, pairs)  # the reader found: before anything is printed
    except Exception as error:
        if as_json:  # stdout stays JSON for scripts; the error line goes to stderr too
            click.echo(json.dumps({"file": str(file), "error": _one_line(error)}, indent=2))
        raise
    head: Rows = [("file", shown_path(file)), ("format", f"{fmt.name} ({fmt.title})")]
    details: Rows = []
    if fmt.describe is not None:
        try:
            details = list(fmt.describe(file))
        except Exception as error:
            details = [("details", f"not available ({_one_line(error)})")]
    facts: dict[str, Any] = {
        "file": str(file),
        "format": {"name": fmt.name, "title": fmt.title},
        "details": [[label, value] for label, value in details],
    }
    try:
        _, ds = _load(file, fmt.name, fps, read_pairs, "--format")
    except SeveralVideosError as error:  # a valid file: described, with how to read a video
        note = f"{error.found} {several_videos_advice(error)}"
        if as_json:
            several = {"option": error.option, "example": error.example, "message": note}
            click.echo(json.dumps(plain({**facts, "several_videos": several}), indent=2))
            return
        click.echo(table([*head, ("poses", note)]))
        if details:
            click.echo(f"\n{fmt.title} file contents")
            click.echo(table(details))
        return
    except Exception as error:
        if as_json:  # stdout stays JSON for scripts; the error line goes to stderr too
            click.echo(json.dumps(plain({**facts, "error": _one_line(error)}), indent=2))
        elif details:  # show what the file holds, then the error (e.g. how to pick a container)
            click.echo(table([*head, ("", ""), *details]))
        raise
    if as_json:
        click.echo(json.dumps(plain({**facts, **dataset_facts(ds)}), indent=2))
        return
    click.echo(table(head + describe_dataset(ds)))
    if details:
        click.echo(f"\n{fmt.title} file contents")
        click.echo(table(details))


def _check_read_options(fmt: Any, pairs: dict[str, str]) -> None:
    """Refuse ``--read-option`` names and values ``fmt``'s reader does not take, naming the
    flag (the checks ``posebridge.load`` makes, made before ``info`` prints or reads)."""
    from posebridge import api

    if fmt.read is None or not pairs:
        return
    options = _typed_options(pairs, [fmt.read])
    origin = dict.fromkeys(options, "--read-option")
    _check_options(fmt.read, f"{fmt.title} reader", options, origin, 1)
    api.check_options(fmt, options, "read")


def _refuse_options_no_reader_takes(pairs: dict[str, str], format: str | None) -> None:
    """Before the file is opened: refuse the ``--read-option`` values of the one reader
    ``--format`` names, or names that no reader it may be (its family; any reader without
    ``--format``) takes. An unknown format name is left to :func:`_for_reading`."""
    from posebridge import registry

    if not pairs:
        return
    try:
        named = None if format is None else registry.get(format)
    except PoseBridgeError:
        return
    candidates = registry.all_formats() if named is None else registry.siblings(named)
    readers = [fmt for fmt in candidates if fmt.read is not None]
    if len(readers) == 1:
        _check_read_options(readers[0], pairs)
        return
    taken = {name for fmt in readers for name in fmt.read_options}
    unknown = [key for key in pairs if key not in taken]
    if unknown:
        if named is None:
            which, said = "the readers have", "`posebridge formats` lists each reader's options"
        else:
            titles = ", ".join(dict.fromkeys(fmt.title for fmt in readers))
            which = f"the readers of --format {named.name} ({titles}) have"
            said = f"they take: {', '.join(sorted(taken)) or 'no options'}"
        raise PoseBridgeError(
            f"{which} no option {unknown[0]!r} (given by --read-option); {said}."
        )


@cli.command()
@click.argument("source", type=FilePath(path_type=Path))
@click.argument("target", type=FilePath(path_type=Path, output=True))
@click.option("--from", "from_format", metavar="F", help="Input format (default: detect).")
@click.option("--to", "to_format", metavar="F", help="Output format (default: from TARGET).")
@_fps
@click.option("--overwrite", is_flag=True, help="Replace existing output files.")
@_write_options
@_read_options
@click.option("--subject-id", help="[NWB] Subject identifier.")
@click.option("--species", help='[NWB] Species, e.g. "Mus musculus".')
@click.option("--sex", help="[NWB] Sex of the subject: M, F, U or O.")
@click.option("--age", help="[NWB] Age as an ISO 8601 duration, e.g. P90D.")
@click.option("--session-description", help="[NWB] Session description.")
@click.option("--session-start-time", help="[NWB] ISO 8601 date and time.")
@click.option("--video", "video_path", help="[NWB] Video file, linked as external ImageSeries.")
@click.option("--compression", help="[NWB] Dataset compression, e.g. gzip.")
@click.option("--float32", is_flag=True, help="[NWB] Store positions as float32.")
@click.option("--single-file", is_flag=True, help="[NWB] All individuals in one file.")
@click.option("--append", is_flag=True, help="[NWB] Add to an existing NWB file.")
@click.option(
    "--metadata",
    type=FilePath(exists=True, dir_okay=False, path_type=Path),
    help="[NWB] YAML file of NWB metadata.",
)
@click.option(
    "--chunk-frames",
    type=click.IntRange(min=1),
    help="Frames per chunk when the formats stream (default: about 16 MB).",
)
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
def convert(
    source: Path,
    target: Path,
    from_format: str | None,
    to_format: str | None,
    fps: float | None,
    overwrite: bool,
    write_pairs: tuple[str, ...],
    read_pairs: tuple[str, ...],
    chunk_frames: int | None,
    quiet: bool,
    **nwb: Any,
) -> None:
    """Convert SOURCE to TARGET (format from --to or TARGET's file name).

    Conversions from DeepLabCut (.h5, .csv), LightningPose (.csv), SLEAP analysis,
    netCDF, Anipose or NWB files to NWB, SLEAP analysis, netCDF, DeepLabCut,
    LightningPose or Anipose files stream: they move the data in chunks of
    frames, in bounded memory (with dask installed). Others are converted in
    memory. Prints every file written.
    """
    from posebridge import _save_targets, api, model, registry
    from posebridge._report import size_text, summary
    from posebridge.convert import refuse_known_target

    options, origin = _nwb_options(**nwb)
    written_texts = _parse_pairs(write_pairs, "--option")
    for key in written_texts:
        if key in options:
            raise click.BadParameter(
                f"{key} is also set by {origin[key]}; give it once.", param_hint="--option"
            )
    if source.is_dir():  # a folder that no format reads: refused as such, first
        _for_reading(source, from_format, "--from")
    refuse_writing_onto_input(source, target)
    check_output_folder(target)  # a missing folder, or a file where the folder should be
    _save_targets.check_target(target)  # a folder: refused before anything is read
    model.checked_fps(fps)
    loaded = None
    streaming = _streams(source, target, from_format, to_format)
    if streaming:
        from posebridge.convert import save_in_chunks
        from posebridge.lazy import open_lazily_indexed

        fmt_in = _for_reading(source, from_format, "--from")
        fmt_out = registry.resolve_for_writing(target, to_format, "poses")
        read_options = _typed_options(_parse_pairs(read_pairs, "--read-option"), [fmt_in.read])
        if fmt_in.read is not None:
            reading = dict.fromkeys(read_options, "--read-option")
            _check_options(fmt_in.read, f"{fmt_in.title} reader", read_options, reading, 1)
        assert fmt_out.write is not None
        options.update(_typed_options(written_texts, [fmt_out.write]))
        _check_options(fmt_out.write, f"{fmt_out.title} writer", options, origin, positional=2)
        _check_writer_values(fmt_out, options, origin)  # before the file is opened
        refuse_known_target(fmt_out, target, options, overwrite)  # an existing file
        if not target.exists():  # an existing file: save says so first, as it does
            _save_targets.check_ending(fmt_out, target, to_format)  # x.csv --to nwb
        with recording_files_read() as files_read:  # the files read with it: kept too
            probe = open_lazily_indexed(source, fmt_in.name, **read_options)
        probe = _with_fps(probe, fps, source)
        if not probe.attrs.pop("lazy", 0) or probe.attrs.get("ds_type") != "poses":
            streaming, loaded = False, (fmt_in, probe)  # read in memory (labels, ...)
        else:  # NWB writes one file for one individual: known before the data are read
            individuals = int(probe.sizes.get(model.INDIVIDUAL, 0))
            refuse_known_target(fmt_out, target, options, overwrite, individuals)
    if streaming:
        click.echo(f"read   {shown_path(source)} as {fmt_in.title} (in chunks of frames)")
        with inputs_kept(source, companions=files_read):
            written = save_in_chunks(  # the source opened above: its rows are scanned once
                probe,
                target,
                fmt_out.name,
                overwrite=overwrite,
                chunk_frames=chunk_frames,
                progress=False if quiet else None,
                **options,
            )
        for path in written:
            size = size_text(path.stat().st_size)
            click.echo(f"wrote  {shown_path(path)} ({size}, {fmt_out.title})")
        return
    if loaded is None:
        _check_writer_options_first(
            source, target, from_format, to_format, written_texts, nwb, overwrite
        )
        with recording_files_read() as files_read:  # the files read with it: kept too
            loaded = _load(source, from_format, fps, read_pairs, "--from")
    fmt_in, ds = loaded
    try:
        fmt_out = registry.resolve_for_writing(target, to_format, ds.attrs["ds_type"])
    except UnknownFormatError as error:
        raise UnknownFormatError(str(error).replace("format=", "--to")) from error
    assert fmt_out.write is not None
    options.update(_typed_options(written_texts, [fmt_out.write]))
    _check_options(fmt_out.write, f"{fmt_out.title} writer", options, origin, positional=2)
    click.echo(f"read   {shown_path(source)} as {fmt_in.title} ({summary(ds)})")
    with inputs_kept(source, companions=files_read):
        written = api.save(ds, target, fmt_out.name, overwrite=overwrite, **options)
    for path in written:
        size = size_text(path.stat().st_size)
        click.echo(f"wrote  {shown_path(path)} ({size}, {fmt_out.title})")


def _check_writer_options_first(
    source: Path,
    target: Path,
    from_format: str | None,
    to_format: str | None,
    written_texts: dict[str, str],
    nwb: dict[str, Any],
    overwrite: bool,
) -> None:
    """The writer's option names and values, and an existing output the writer writes
    whatever the data (:func:`posebridge.convert.refuse_known_target`), checked before
    the source is read (as ``posebridge.convert`` does) when the writer is known without
    the data: a source that holds poses only. A source of boxes, or one that cannot be
    told yet, is read first, and its errors come first (an existing output is refused
    first for a source of boxes too: their writers, VIA and netCDF, write the target)."""
    from posebridge import _save_targets, registry
    from posebridge.convert import refuse_known_target

    try:
        fmt_in = _for_reading(source, from_format, "--from")
        fmt_out = registry.resolve_for_writing(target, to_format, "poses")
    except PoseBridgeError:  # said when the data are read, as before
        return
    assert fmt_out.write is not None
    options, origin = _nwb_options(**nwb)
    options.update(_typed_options(written_texts, [fmt_out.write]))
    if "bboxes" in fmt_in.kinds:  # the data decide the writer (VIA, netCDF: the target too)
        refuse_known_target(fmt_out, target, options, overwrite)
        return
    _check_options(fmt_out.write, f"{fmt_out.title} writer", options, origin, positional=2)
    _check_writer_values(fmt_out, options, origin)
    refuse_known_target(fmt_out, target, options, overwrite)
    if not target.exists():  # an existing file: save says so first, as it does
        _save_targets.check_ending(fmt_out, target, to_format)  # x.csv --to nwb


def _check_writer_values(fmt_out: Any, options: dict[str, Any], origin: dict[str, str]) -> None:
    """The writer's option kinds and values (:func:`posebridge.api.check_options`), an
    error naming the flag that gave the option (``--compression``, ``dtype= (--option)``)."""
    from posebridge import api

    try:
        api.check_options(fmt_out, options, "write")
    except PoseBridgeError as error:
        raise _naming_the_flag(error, origin) from None


def _naming_the_flag(error: PoseBridgeError, origin: dict[str, str]) -> PoseBridgeError:
    """A writer's refusal of an option's value (an error with an ``option`` attribute),
    naming the flag that gave it (``--metadata``, ``metadata= (--option)``) in place of
    the option's name; another error as it is.

    Examples
    --------
    >>> error = PoseBridgeError("The NWB writer's option dtype=: dtype must be 'float32'.")
    >>> error.option = "dtype"
    >>> print(_naming_the_flag(error, {}))
    The NWB writer's option dtype= (--option): dtype must be 'float32'.
    """
    name = getattr(error, "option", None)
    if name is None:
        return error
    flag = origin.get(name, f"{name}= (--option)")
    renamed = type(error)(str(error).replace(f"option {name}=", f"option {flag}", 1))
    return with_command_line_wording(renamed, getattr(error, "command_line_wording", {}))


@cli.command()
@click.argument("sources", nargs=-1)
@click.option(
    "--out",
    "output_dir",
    type=FilePath(file_okay=False, path_type=Path, output=True),
    help="Folder of the outputs (default: beside each input).",
)
@click.option("--to", "to_format", metavar="F", help="Output format, e.g. nwb.")
@click.option("--from", "from_format", metavar="F", help="Input format (default: detect).")
@click.option(
    "--manifest",
    type=FilePath(exists=True, dir_okay=False, path_type=Path),
    help="CSV or YAML file: one row per input (input, output, subject_id, session_id, ...).",
)
@click.option(
    "--template",
    help="Output naming template ({stem}, {parent}, {ext}, {subject}, {session}) or 'dandi'.",
)
@click.option("-j", "--jobs", type=click.IntRange(min=1), help="Local worker processes.")
@click.option("--scheduler", metavar="ADDRESS", help="Run on this Dask scheduler instead.")
@click.option("--overwrite", is_flag=True, help="Redo outputs that exist.")
@click.option("--inspect", is_flag=True, help="Run nwbinspector on NWB outputs.")
@click.option(
    "--report",
    type=FilePath(dir_okay=False, path_type=Path, output=True),
    help="Write the report here (.json, else CSV).",
)
@click.option(
    "--chunk-frames",
    type=click.IntRange(min=1),
    help="Frames per chunk of the inputs that stream (default: about 16 MB).",
)
@click.option("--quiet", "-q", is_flag=True, help="No progress bars.")
@_fps
@_write_options
@_read_options
def batch(
    sources: tuple[str, ...],
    output_dir: Path | None,
    to_format: str | None,
    from_format: str | None,
    manifest: Path | None,
    template: str | None,
    jobs: int | None,
    scheduler: str | None,
    overwrite: bool,
    inspect: bool,
    report: Path | None,
    chunk_frames: int | None,
    quiet: bool,
    fps: float | None,
    write_pairs: tuple[str, ...],
    read_pairs: tuple[str, ...],
) -> None:
    """Convert many files: SOURCES are folders, glob patterns or files (or use --manifest).

    Runs on local worker processes (-j N) or a Dask cluster (--scheduler).
    On a terminal, shows a bar over the files and one over the chunks of each
    running file that streams (--quiet: none).
    Outputs that exist and read back are skipped, so a batch that stopped
    resumes where it was. Prints a summary table; exits with status 1 when
    any input failed (every error is in the table and the --report).
    """
    from posebridge.batch import ReportNotWrittenError, convert_many

    if not sources and manifest is None:
        raise click.UsageError("give SOURCES (folders, globs, files) or --manifest.")
    readers, writers = _batch_functions(from_format, to_format)
    try:
        result = convert_many(
            list(sources) or None,
            output_dir,
            to=to_format,
            from_format=from_format,
            template=template,
            manifest=manifest,
            fps=fps,
            read_options=_typed_options(_parse_pairs(read_pairs, "--read-option"), readers),
            write_options=_typed_options(_parse_pairs(write_pairs, "--option"), writers),
            overwrite=overwrite,
            inspect=inspect,
            jobs=jobs,
            scheduler=scheduler,
            progress=False if quiet else None,
            chunk_frames=chunk_frames,
            report=report,
            fps_option="--fps ",
            command_line=True,
        )
    except ReportNotWrittenError as error:  # the batch ran: its table first, then why
        click.echo(error.report.table())
        reason = error.reason.replace("pass overwrite=True", "pass --overwrite")
        raise PoseBridgeError(
            f"the report was not written: {reason} (the batch ran: see the table above)"
        ) from error
    except PoseBridgeError as error:  # a writer's refusal of an --option value, before any job
        if getattr(error, "option", None) is None:
            raise
        raise _naming_the_flag(error, {}) from None
    click.echo(result.table())
    if report is not None:
        click.echo(f"report: {shown_path(report)}")
    if not result.ok:
        raise click.exceptions.Exit(1)


def _batch_functions(
    from_format: str | None, to_format: str | None
) -> tuple[list[Callable[..., Any] | None], list[Callable[..., Any] | None]]:
    """The readers and the writers a batch may use (for the kinds of its options' values).

    A format named by ``--from`` / ``--to`` (with its family, whose members are
    picked by each file's ending); every format's otherwise.
    """
    from posebridge import registry

    def functions(name: str | None, role: str) -> list[Callable[..., Any] | None]:
        try:
            formats = (
                registry.all_formats() if name is None else registry.siblings(registry.get(name))
            )
        except PoseBridgeError:  # an unknown name: convert_many says so
            formats = registry.all_formats()
        return [getattr(f, role) for f in formats]

    return functions(from_format, "read"), functions(to_format, "write")


def _streams(source: Path, target: Path, from_format: str | None, to_format: str | None) -> bool:
    """Whether converting SOURCE to TARGET moves the data in chunks (see posebridge.convert)."""
    from posebridge import registry
    from posebridge.convert import streams_here

    try:
        fmt_in = _for_reading(source, from_format, "--from")
        fmt_out = registry.resolve_for_writing(target, to_format, "poses")
    except PoseBridgeError:
        return False  # the in-memory path reports the problem
    return streams_here(source, fmt_in.name, fmt_out.name)
