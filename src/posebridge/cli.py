"""The ``posebridge`` command: formats, info, convert, demo.

Every command is built on the format registry, so a format works here as soon
as its module exists. Errors print one line (``posebridge: error: ...``) to
stderr and exit with status 1; ``posebridge --debug ...`` prints the traceback.

Examples
--------
.. code-block:: console

    $ posebridge formats
    $ posebridge info videoDLC_resnet50.h5
    $ posebridge convert videoDLC_resnet50.h5 video.nwb --subject-id M1 --species "Mus musculus"
    $ posebridge demo
    $ posebridge plot videoDLC_resnet50.h5 --kind missing
    $ posebridge render videoDLC_resnet50.h5 --video video.mp4 -o video.poses.mp4
"""

from __future__ import annotations

import contextlib
import inspect
import json
import math
import os
import re
import tempfile
import textwrap
import traceback
import warnings
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import click
import xarray as xr

import posebridge
from posebridge import _video, api, model, registry, sample_data
from posebridge._files import check_input, check_output_folder, refuse_writing_onto_input
from posebridge._option_values import annotations, from_command_line
from posebridge._outputs import inputs_kept
from posebridge._report import (
    Rows,
    columns,
    dataset_facts,
    describe_dataset,
    plain,
    round_trip_report,
    size_text,
    summary,
    table,
)
from posebridge.errors import FileExistsError, PoseBridgeError, SchemaError, UnknownFormatError
from posebridge.plot import _mpl as plot_mpl
from posebridge.plot import _select as plot_select
from posebridge.plot import output as plot_output
from posebridge.render import render as render_video

__all__ = ["cli", "describe_dataset", "main", "round_trip_report"]

# --------------------------------------------------------------------------
# options


def _parse_pairs(pairs: Sequence[str], flag: str) -> dict[str, str]:
    """KEY=VALUE strings -> {KEY: VALUE as typed} (see :func:`_typed_options` for the values)."""
    options: dict[str, str] = {}
    for pair in pairs:
        key, sep, raw = pair.partition("=")
        key = key.strip()
        if not sep or not key.isidentifier():
            raise click.BadParameter(f"expected KEY=VALUE, got {pair!r}.", param_hint=flag)
        if key in options:
            raise click.BadParameter(f"{key} is given twice.", param_hint=flag)
        options[key] = raw
    return options


def _typed_options(
    texts: dict[str, str], functions: Sequence[Callable[..., Any] | None]
) -> dict[str, Any]:
    """The values of KEY=VALUE options: JSON when they parse, a number for a text option
    kept as typed (``subject_id=1.50`` stays ``"1.50"``).

    ``functions`` are the readers or writers that may take the options (one
    when the format is known; every format's in a batch without ``--to``):
    a value is kept as typed when each of them that has the option declares
    it text and not a number (:func:`posebridge._option_values.from_command_line`).
    """
    typed: dict[str, Any] = {}
    for key, text in texts.items():
        hints = []
        for function in functions:
            if function is None:
                continue
            parameter = inspect.signature(function).parameters.get(key)
            if parameter is not None:
                hints.append(annotations(function).get(key, Any))
        typed[key] = from_command_line(text, hints)
    return typed


def _with_fps(ds: xr.Dataset, fps: float | None, path: Path) -> xr.Dataset:
    """``ds`` with the frame rate ``--fps`` gives, unless it contradicts the file's own.

    A file whose times are in seconds and that states its frame rate keeps
    both: another rate would be written beside times taken at the file's own
    (``fps=60`` with 30-fps timestamps), so it is refused, naming both rates.
    """
    if fps is None:
        return ds
    own = ds.attrs.get("fps")
    seconds = ds.attrs.get("time_unit") == "seconds" and ds.attrs.get("content") != "labels"
    if seconds and own is not None and not math.isclose(float(own), fps, rel_tol=1e-9):
        raise PoseBridgeError(
            f"{path}: --fps {fps:g} contradicts the file's own frame rate, {float(own):g} fps, "
            "at which its times (in seconds) were taken; leave out --fps to use the file's "
            "rate."
        )
    return model.with_fps(ds, fps)


def _check_options(
    function: Callable[..., Any],
    what: str,
    options: dict[str, Any],
    origin: dict[str, str],
    positional: int,
) -> None:
    """Refuse options a reader/writer does not take, naming the flag that gave each.

    ``positional`` leading parameters (path; or dataset and path) are not options.
    """
    parameters = inspect.signature(function).parameters
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values()):
        return
    accepted = [
        name
        for name, p in list(parameters.items())[positional:]
        if p.kind in (p.KEYWORD_ONLY, p.POSITIONAL_OR_KEYWORD) and name != "overwrite"
    ]
    for key in options:
        if key not in accepted:
            takes = f"its options: {', '.join(accepted)}" if accepted else "it takes no options"
            raise PoseBridgeError(
                f"the {what} has no option {key!r} (given by {origin.get(key, '--option')}); "
                f"{takes}."
            )


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
    return options, flags


# --------------------------------------------------------------------------
# the command group and its error handling


def _one_line(error: BaseException) -> str:
    text = str(error)
    if isinstance(error, OSError):  # (errno, message, file): show the message
        args = error.args
        text = error.strerror or (args[1] if len(args) > 1 and isinstance(args[0], int) else text)
        if error.filename and str(error.filename) not in text:
            text = f"{error.filename}: {text}"
    message = " ".join(text.split())
    if isinstance(error, FileExistsError):
        message = message.replace("pass overwrite=True", "pass --overwrite")
    if isinstance(error, PoseBridgeError | OSError):
        return message or type(error).__name__
    return f"{type(error).__name__}: {message} (unexpected; run with --debug for the traceback)"


def _silence_stdout() -> None:
    """Point stdout at /dev/null, so that flushing it at exit does not fail again."""
    import sys

    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # stdout is not a file (captured by a test runner)
        pass
    finally:
        os.close(devnull)


class _Group(click.Group):
    """Prints errors as one line (or the traceback with --debug) and warnings as lines."""

    def invoke(self, ctx: click.Context) -> Any:
        debug = bool(ctx.params.get("debug"))

        def show(message, category, filename, lineno, file=None, line=None):
            click.echo(f"posebridge: warning: {' '.join(str(message).split())}", err=True)

        with warnings.catch_warnings():
            warnings.simplefilter("default")
            warnings.showwarning = show
            try:
                return super().invoke(ctx)
            except (click.exceptions.ClickException, click.exceptions.Exit, click.Abort):
                raise
            except BrokenPipeError:  # the reader of stdout left (``| head``): stop quietly
                _silence_stdout()
                ctx.exit(1)
            except Exception as error:
                if debug:
                    click.echo(traceback.format_exc().rstrip(), err=True)
                click.echo(f"posebridge: error: {_one_line(error)}", err=True)
                ctx.exit(1)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(posebridge.__version__, "--version", prog_name="posebridge")
@click.option("--debug", is_flag=True, help="Show the full traceback when something fails.")
def cli(debug: bool) -> None:
    """Move pose-tracking data between DeepLabCut, SLEAP, LightningPose, Anipose,
    VIA and NWB through one data model."""


def main(argv: Sequence[str] | None = None) -> None:
    """Run the ``posebridge`` command (the console script's entry point).

    Parameters
    ----------
    argv
        Arguments (without the program name); ``sys.argv[1:]`` when ``None``.

    Examples
    --------
    >>> main(["formats"])  # doctest: +SKIP
    """
    cli.main(args=None if argv is None else list(argv), prog_name="posebridge")


# --------------------------------------------------------------------------
# commands


@cli.command()
def formats() -> None:
    """List the supported formats: names, extensions, kinds, read/write."""
    body = [
        (
            f.name,
            f.title,
            ", ".join(f.aliases) or "-",
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


# The Python function's name, as users type it (``posebridge.list_formats()``); not
# listed in --help, where ``formats`` stands for them.
for _alias in ("list-formats", "list_formats"):
    cli.add_command(
        click.Command(_alias, callback=formats.callback, help=formats.help, hidden=True)
    )


_read_options = click.option(
    "--read-option",
    "read_pairs",
    multiple=True,
    metavar="KEY=VALUE",
    help=(
        "Option for the reader (repeatable; VALUE parsed as JSON when possible; "
        "a text option keeps it as typed)."
    ),
)
_fps = click.option("--fps", type=float, help="Frames per second (time in seconds).")


def _for_reading(path: Path, format: str | None, flag: str) -> registry.Format:
    """The reader's format; registry messages name the command-line flag."""
    path = check_input(path, folder=True)
    try:
        return registry.resolve_for_reading(path, format)
    except UnknownFormatError as error:
        raise UnknownFormatError(str(error).replace("format=", flag)) from error


def _load(
    path: Path, format: str | None, fps: float | None, read_pairs: Sequence[str], flag: str
) -> tuple[registry.Format, xr.Dataset]:
    model.checked_fps(fps)  # before the file is read
    fmt = _for_reading(path, format, flag)
    options = _typed_options(_parse_pairs(read_pairs, "--read-option"), [fmt.read])
    if fmt.read is not None:
        _check_options(
            fmt.read, f"{fmt.title} reader", options, dict.fromkeys(options, "--read-option"), 1
        )
    return fmt, _with_fps(api.load(path, fmt.name, **options), fps, path)


@cli.command()
@click.argument("file", type=click.Path(path_type=Path))
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
    try:
        fmt = _for_reading(file, format, "--format")
    except Exception as error:
        if as_json:  # stdout stays JSON for scripts; the error line goes to stderr too
            click.echo(json.dumps({"file": str(file), "error": _one_line(error)}, indent=2))
        raise
    head: Rows = [("file", str(file)), ("format", f"{fmt.name} ({fmt.title})")]
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


@cli.command()
@click.argument("source", type=click.Path(path_type=Path))
@click.argument("target", type=click.Path(path_type=Path))
@click.option("--from", "from_format", metavar="F", help="Input format (default: detect).")
@click.option("--to", "to_format", metavar="F", help="Output format (default: from TARGET).")
@_fps
@click.option("--overwrite", is_flag=True, help="Replace existing output files.")
@click.option(
    "--option",
    "write_pairs",
    multiple=True,
    metavar="KEY=VALUE",
    help=(
        "Option for the writer (repeatable; VALUE parsed as JSON when possible; "
        "a text option keeps it as typed)."
    ),
)
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
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
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

    Pairs that stream (DeepLabCut/LightningPose .h5 or .csv, SLEAP analysis,
    netCDF, Anipose to NWB, SLEAP analysis, netCDF, DeepLabCut, LightningPose,
    Anipose) move the data in chunks of frames, in bounded memory. Prints every
    file written.
    """
    options, origin = _nwb_options(**nwb)
    written_texts = _parse_pairs(write_pairs, "--option")
    for key in written_texts:
        if key in options:
            raise click.BadParameter(
                f"{key} is also set by {origin[key]}; give it once.", param_hint="--option"
            )
    refuse_writing_onto_input(source, target)
    check_output_folder(target)  # a missing folder, or a file where the folder should be
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
        probe = _with_fps(open_lazily_indexed(source, fmt_in.name, **read_options), fps, source)
        if not probe.attrs.pop("lazy", 0) or probe.attrs.get("ds_type") != "poses":
            streaming, loaded = False, (fmt_in, probe)  # read in memory (labels, ...)
    if streaming:
        click.echo(f"read   {source} as {fmt_in.title} (in chunks of frames)")
        with inputs_kept(source):
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
            click.echo(f"wrote  {path} ({size_text(path.stat().st_size)}, {fmt_out.title})")
        return
    fmt_in, ds = loaded or _load(source, from_format, fps, read_pairs, "--from")
    try:
        fmt_out = registry.resolve_for_writing(target, to_format, ds.attrs["ds_type"])
    except UnknownFormatError as error:
        raise UnknownFormatError(str(error).replace("format=", "--to")) from error
    assert fmt_out.write is not None
    options.update(_typed_options(written_texts, [fmt_out.write]))
    _check_options(fmt_out.write, f"{fmt_out.title} writer", options, origin, positional=2)
    click.echo(f"read   {source} as {fmt_in.title} ({summary(ds)})")
    with inputs_kept(source):
        written = api.save(ds, target, fmt_out.name, overwrite=overwrite, **options)
    for path in written:
        click.echo(f"wrote  {path} ({size_text(path.stat().st_size)}, {fmt_out.title})")


@cli.command()
@click.argument("sources", nargs=-1)
@click.option(
    "--out",
    "output_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder of the outputs (default: beside each input).",
)
@click.option("--to", "to_format", metavar="F", help="Output format, e.g. nwb.")
@click.option("--from", "from_format", metavar="F", help="Input format (default: detect).")
@click.option(
    "--manifest",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
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
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the report here (.json, else CSV).",
)
@click.option(
    "--chunk-frames",
    type=click.IntRange(min=1),
    help="Frames per chunk of the inputs that stream (default: about 16 MB).",
)
@click.option("--quiet", "-q", is_flag=True, help="No progress bars.")
@_fps
@click.option(
    "--option",
    "write_pairs",
    multiple=True,
    metavar="KEY=VALUE",
    help=(
        "Option for the writer (repeatable; VALUE parsed as JSON when possible; "
        "a text option keeps it as typed)."
    ),
)
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
        )
    except ReportNotWrittenError as error:  # the batch ran: its table first, then why
        click.echo(error.report.table())
        reason = error.reason.replace("pass overwrite=True", "pass --overwrite")
        raise PoseBridgeError(
            f"the report was not written: {reason} (the batch ran: see the table above)"
        ) from error
    click.echo(result.table())
    if report is not None:
        click.echo(f"report: {report}")
    if not result.ok:
        raise click.exceptions.Exit(1)


def _batch_functions(
    from_format: str | None, to_format: str | None
) -> tuple[list[Callable[..., Any] | None], list[Callable[..., Any] | None]]:
    """The readers and the writers a batch may use (for the kinds of its options' values).

    A format named by ``--from`` / ``--to`` (with its family, whose members are
    picked by each file's ending); every format's otherwise.
    """

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
    from posebridge.convert import streams

    try:
        fmt_in = _for_reading(source, from_format, "--from")
        fmt_out = registry.resolve_for_writing(target, to_format, "poses")
    except PoseBridgeError:
        return False  # the in-memory path reports the problem
    return streams(fmt_in.name, fmt_out.name)


# --------------------------------------------------------------------------
# pictures: plot, render


def _frame_range(text: str | None) -> tuple[int | None, int | None] | None:
    if text is None:
        return None
    start, sep, end = text.partition(":")
    try:
        if not sep:
            raise ValueError
        return (int(start) if start.strip() else None, int(end) if end.strip() else None)
    except ValueError:
        raise click.BadParameter(
            f"expected FIRST:LAST frame numbers (either may be empty), got {text!r}.",
            param_hint="--frames",
        ) from None


@cli.command()
@click.argument(
    "files", metavar="FILE...", nargs=-1, required=True, type=click.Path(path_type=Path)
)
@click.option(
    "--out",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Figure file, .png, .svg or .pdf (default: <stem>.<kind>.png beside FILE).",
)
@click.option(
    "--kind",
    type=click.Choice(list(plot_output.KINDS)),
    default="trajectories",
    show_default=True,
    help="The figure.",
)
@click.option(
    "--individual", "individuals", multiple=True, help="Individual to show (repeatable)."
)
@click.option("--keypoint", "keypoints", multiple=True, help="Keypoint to show (repeatable).")
@click.option("--time", "time_range", metavar="START:END", help="Time range, in the data's unit.")
@click.option("--video", type=click.Path(path_type=Path), help="Draw over a frame of this video.")
@click.option(
    "--frame",
    type=int,
    help=(
        "trajectories: the frame of --video (or of the file's video_path) under the paths; "
        "skeleton: the time step shown, by its frame number (labels: the labelled frame's "
        "index)."
    ),
)
@click.option("--format", "-f", "format", metavar="F", help="Format name (default: detect).")
@_fps
@_read_options
@click.option("--overwrite", is_flag=True, help="Replace an existing figure file.")
def plot(
    files: tuple[Path, ...],
    out: Path | None,
    kind: str,
    individuals: tuple[str, ...],
    keypoints: tuple[str, ...],
    time_range: str | None,
    video: Path | None,
    frame: int | None,
    format: str | None,
    fps: float | None,
    read_pairs: tuple[str, ...],
    overwrite: bool,
) -> None:
    """Draw a figure of each FILE (any readable format) and print where it went."""
    plot_mpl.matplotlib()  # say now, before reading anything, when the extra is missing
    if out is not None and len(files) > 1:
        raise click.BadParameter("give one FILE with --out (or none: one figure each).")
    options = {
        "individuals": list(individuals) or None,
        "keypoints": list(keypoints) or None,
        "time": None if time_range is None else plot_select.parse_time_range(time_range),
        "video": video,
        "frame": frame,
    }
    targets = _figure_targets(files, out, kind)
    inputs = [*files, *([video] if video is not None else [])]
    for target in targets:  # before anything is read or drawn
        for source in inputs:
            refuse_writing_onto_input(source, target, doing="writing the figure there")
        check_output_folder(target)
    for file, target in zip(files, targets, strict=True):
        _, ds = _load(file, format, fps, read_pairs, "--format")
        shown = [Path(ds.attrs[k]) for k in ("frame_path", "video_path") if ds.attrs.get(k)]
        for source in shown:  # the dataset's own still frame or video, drawn under the poses
            refuse_writing_onto_input(source, target, doing="writing the figure there")
        with _naming(file):
            figure = plot_output.figure(ds, kind, **options)
        with inputs_kept(*inputs, *shown):
            click.echo(plot_output.save_figure(figure, target, overwrite=overwrite))


@contextlib.contextmanager
def _naming(file: Path) -> Iterator[None]:
    """Put ``file`` before the message of an error about its data that does not name it.

    ``posebridge plot a.h5 b.h5`` must say which file had no frame 300. Only
    plain posebridge errors are renamed (the twins of built-in errors keep their
    own arguments), and only when their message does not name the file yet.
    """
    try:
        yield
    except (PoseBridgeError, SchemaError) as error:
        if type(error) not in (PoseBridgeError, SchemaError) or str(file) in str(error):
            raise
        raise type(error)(f"{file}: {error}") from error


def _figure_targets(files: Sequence[Path], out: Path | None, kind: str) -> list[Path]:
    """The figure file of each FILE; two FILEs whose figures would be one file are refused.

    Without ``--out`` each figure is ``<stem>.<kind>.png`` beside its FILE, so
    ``a.h5`` and ``a.csv`` would write one figure (the second replacing the
    first): refused before anything is drawn, naming both.
    """
    targets = [out or plot_output.default_path(file, kind) for file in files]
    seen: dict[str, Path] = {}
    for file, target in zip(files, targets, strict=True):
        key = os.path.normcase(os.path.realpath(target))
        if key in seen:
            raise PoseBridgeError(
                f"{target}: would be the figure of both {seen[key]} and {file} (the same "
                "name without its ending); plot them one at a time with --out."
            )
        seen[key] = file
    return targets


@cli.command()
@click.argument("poses", type=click.Path(path_type=Path))
@click.option("--video", required=True, type=click.Path(path_type=Path), help="The poses' video.")
@click.option("--out", "-o", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The new video (.mp4, ...).")  # fmt: skip
@click.option("--frames", "frame_range", metavar="FIRST:LAST",
              help="Video frames to render (default: the poses' first to last).")  # fmt: skip
@click.option("--individual", "individuals", multiple=True, help="Track to draw (repeatable).")
@click.option("--radius", type=float, help="Keypoint radius in pixels.")
@click.option("--thickness", type=float, help="Line width in pixels.")
@click.option("--no-names", is_flag=True, help="Do not write the track names.")
@click.option("--min-confidence", type=float, help="Leave out points scored below this.")
@click.option("--codec", help="ffmpeg video encoder (default: by the file's ending).")
@click.option("--format", "-f", "format", metavar="F", help="Format of POSES (default: detect).")
@_fps
@_read_options
@click.option("--overwrite", is_flag=True, help="Replace an existing output video.")
@click.option("--no-progress", is_flag=True, help="No progress bar.")
def render(
    poses: Path,
    video: Path,
    out: Path,
    frame_range: str | None,
    individuals: tuple[str, ...],
    radius: float | None,
    thickness: float | None,
    no_names: bool,
    min_confidence: float | None,
    codec: str | None,
    format: str | None,
    fps: float | None,
    read_pairs: tuple[str, ...],
    overwrite: bool,
    no_progress: bool,
) -> None:
    """Draw the poses of POSES on each frame of VIDEO (frames matched by number)."""
    frames = _frame_range(frame_range)
    _refuse_sequence_pattern(out)
    for source in (poses, video):
        refuse_writing_onto_input(source, out, doing="writing the video there")
    check_output_folder(out)
    _video.ffmpeg("posebridge render")  # say now when the video extra is missing
    _, ds = _load(poses, format, fps, read_pairs, "--format")
    with inputs_kept(poses, video), _naming(poses):
        written = render_video(
            ds,
            video,
            out,
            frames=frames,
            individuals=list(individuals) or None,
            radius=radius,
            thickness=thickness,
            names=not no_names,
            min_confidence=min_confidence,
            codec=codec,
            overwrite=overwrite,
            progress=not no_progress,
        )
    click.echo(f"wrote  {written} ({size_text(written.stat().st_size)})")


#: ffmpeg's image-sequence pattern: ``%d``, ``%03d`` (one file per frame, numbered).
_SEQUENCE_PATTERN = re.compile(r"%\d*d")


def _refuse_sequence_pattern(out: Path) -> None:
    """Refuse an output name that ffmpeg would read as an image-sequence pattern.

    ffmpeg writes ``i%d.png`` as ``i1.png``, ``i2.png``, ... (one file per
    frame); render writes one file, through a temporary named after ``out``,
    so those files would be named after the temporary and left behind.
    """
    found = _SEQUENCE_PATTERN.search(out.name)
    if found:
        raise PoseBridgeError(
            f"{out}: {found.group()!r} in the name is ffmpeg's image-sequence pattern (one "
            "numbered file per frame); render writes one video file: choose a name without "
            "it (e.g. .mp4 or .mkv)."
        )


# --------------------------------------------------------------------------
# demo


def _demo_target(fmt: registry.Format, folder: Path, stem: str, kind: str) -> Path:
    """Where the demo writes a format: ``<folder>/<format>/<stem><ending>``.

    The ending is the shortest of the format's endings that names it alone
    (``.slp`` rather than ``.pkg.slp``; ``.analysis.h5``, since ``.h5`` means
    DeepLabCut), else its first.
    """
    return folder / fmt.name / f"{stem}{registry.own_ending(fmt, kind)}"


def _make_demo_folder(folder: Path) -> None:
    """Make a folder of the demo's output, or say in one line why it cannot be made."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:  # a read-only or immutable --out, a file in the way
        raise PoseBridgeError(
            f"{folder}: cannot make the demo's folder there ({error.strerror or error}); "
            "give --out a folder you can write."
        ) from None


def _demo_one(
    ds: xr.Dataset, stem: str, folder: Path, overwrite: bool, debug: bool
) -> list[tuple[str, str, str, str]]:
    rows = []
    kind = ds.attrs["ds_type"]
    for fmt in registry.all_formats():
        if not fmt.writes or kind not in fmt.kinds:
            continue
        target = _demo_target(fmt, folder, stem, kind)
        _make_demo_folder(target.parent)
        try:
            written = api.save(ds, target, fmt.name, overwrite=overwrite)
        except Exception as error:
            if debug:
                click.echo(traceback.format_exc().rstrip(), err=True)
            label = "not written" if isinstance(error, PoseBridgeError) else "FAILED to write"
            rows.append((fmt.name, "-", "-", f"{label}: {_one_line(error)}"))
            continue
        for path in written:
            size = size_text(path.stat().st_size)
            where = str(path.relative_to(folder))
            try:
                found = registry.detect(path)
                back = api.load(path, found)
                result = f"read back as {found}: {round_trip_report(ds, back)}"
            except Exception as error:
                if debug:
                    click.echo(traceback.format_exc().rstrip(), err=True)
                result = f"FAILED to read back: {_one_line(error)}"
            rows.append((fmt.name, where, size, result))
    return rows


@cli.command()
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for the files (default: a new temporary folder).",
)
@click.option(
    "--sample",
    "samples",
    multiple=True,
    type=click.Choice(list(sample_data.BUNDLED)),
    help="Bundled sample to convert (repeatable; default: all).",
)
@click.option("--overwrite", is_flag=True, help="Replace files left in --out by an earlier run.")
@click.pass_context
def demo(ctx: click.Context, out: Path | None, samples: tuple[str, ...], overwrite: bool) -> None:
    """Convert the bundled samples to every format that can write them, read each back."""
    debug = bool(ctx.find_root().params.get("debug"))
    if out is None:
        folder = Path(tempfile.mkdtemp(prefix="posebridge-demo-"))
    else:
        folder = out
        _make_demo_folder(folder)
    click.echo(f"posebridge demo: writing into {folder}")
    written = 0
    for name in samples or list(sample_data.BUNDLED):
        ds = sample_data.fetch_dataset(name)
        click.echo(f"\n{name}: {summary(ds)}")
        rows = _demo_one(ds, Path(name).stem, folder, overwrite, debug)
        written += sum(row[1] != "-" for row in rows)
        click.echo(textwrap.indent(columns(("format", "file", "size", "check"), rows), "  "))
    click.echo(f"\n{written} files written in {folder}")
    if not written:
        raise PoseBridgeError("the demo could not write any file; see the lines above.")
