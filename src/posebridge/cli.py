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
"""

from __future__ import annotations

import inspect
import json
import shutil
import tempfile
import textwrap
import traceback
import warnings
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import click
import numpy as np
import xarray as xr

import posebridge
from posebridge import api, registry, sample_data, schema
from posebridge._files import check_input
from posebridge.errors import FileExistsError, PoseBridgeError, UnknownFormatError

__all__ = ["cli", "main"]

Rows = list[tuple[str, str]]

# --------------------------------------------------------------------------
# output helpers


def _size(n_bytes: int) -> str:
    if n_bytes < 1024:
        return f"{n_bytes} B"
    if n_bytes < 1024**2:
        return f"{n_bytes / 1024:.1f} kB"
    return f"{n_bytes / 1024**2:.1f} MB"


def _table(rows: Rows) -> str:
    """Label/value rows, labels aligned, long values wrapped under their column."""
    if not rows:
        return ""
    width = max(len(label) for label, _ in rows) + 2
    room = max(40, shutil.get_terminal_size((100, 24)).columns - width)
    lines = []
    for label, value in rows:
        wrapped = textwrap.wrap(str(value), room, break_on_hyphens=False) or [""]
        lines.append(f"{label:<{width}}{wrapped[0]}".rstrip())
        lines.extend(" " * width + more for more in wrapped[1:])
    return "\n".join(lines)


def _columns(header: Sequence[str], body: Sequence[Sequence[str]]) -> str:
    """A plain text table with aligned columns."""
    widths = [max(len(str(row[i])) for row in [header, *body]) for i in range(len(header))]
    return "\n".join(
        "  ".join(f"{cell!s:<{w}}" for cell, w in zip(row, widths, strict=True)).rstrip()
        for row in [header, *body]
    )


def _names(values: Any, limit: int = 40) -> str:
    names = [str(v) for v in np.asarray(values)]
    shown = ", ".join(names[:limit])
    more = f", ... ({len(names) - limit} more)" if len(names) > limit else ""
    return f"{len(names)}: {shown}{more}"


def _range(values: np.ndarray) -> str:
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return "none (all NaN)"
    text = f"{finite.min():.4g} to {finite.max():.4g}"
    missing = values.size - finite.size
    return text + (f" ({100 * missing / values.size:.1f} % NaN)" if missing else "")


# --------------------------------------------------------------------------
# describing a dataset (posebridge info, demo)

_CORE_VARIABLES = {"position", "shape", "confidence", "skeleton_edges"}
_CORE_ATTRS = {"ds_type", "time_unit", "source_software", "source_file", "fps"}


def _frames_text(ds: xr.Dataset) -> str:
    n = ds.sizes["time"]
    frames = schema.frame_numbers(ds)
    if frames is None or n == 0:
        return str(n)
    text = f"{n} (frame {frames[0]} to {frames[-1]}"
    steps = np.diff(frames)
    if steps.size and np.any(steps > 1):
        missing = int((steps[steps > 1] - 1).sum())
        gaps = int((steps > 1).sum())
        text += f"; {missing} frame numbers missing in {gaps} gap{'s' * (gaps > 1)}"
    return text + ")"


def _time_text(ds: xr.Dataset) -> str:
    time = np.asarray(ds["time"].values)
    if ds.attrs.get("time_unit") != "seconds":
        return "frames only (no fps)"
    if time.size == 0:
        return "empty"
    text = f"{time[0]:.6g} s to {time[-1]:.6g} s"
    if ds.attrs.get("fps"):
        return f"{text} at {ds.attrs['fps']:g} fps"
    if time.size > 1:
        return f"{text}, timestamps (median step {np.median(np.diff(time)):.4g} s, no fps)"
    return text


def _missing_text(ds: xr.Dataset) -> str:
    position = ds["position"]
    missing = position.isnull().any("space")
    what = "boxes" if ds.attrs["ds_type"] == schema.BBOXES else "points"
    total = int(missing.size)
    count = int(missing.sum())
    percent = 100 * count / total if total else 0.0
    return f"{percent:.1f} % of {what} ({count} of {total})"


def _extras(ds: xr.Dataset) -> Rows:
    rows: Rows = []
    for name in ds.data_vars:
        if name in _CORE_VARIABLES:
            continue
        var = ds[name]
        shape = f"({', '.join(map(str, var.dims))})"
        if var.dtype.kind in "fiu":
            rows.append((str(name), f"{shape} {_range(np.asarray(var.values, dtype=float))}"))
        elif var.ndim == 2 and var.shape[1] == 2:
            rows.append((str(name), f"{shape} {var.shape[0]} pairs"))
        else:
            rows.append((str(name), f"{shape} {var.size} values"))
    for name in ds.coords:
        if name in ds.dims or name == schema.FRAME:  # frame numbers: see "frames"
            continue
        values = np.asarray(ds[name].values).ravel()
        sample = (
            f"{values[0]} ... {values[-1]}" if values.size > 1 else ", ".join(map(str, values))
        )
        rows.append((f"{name} (coord)", f"({', '.join(map(str, ds[name].dims))}) {sample}"))
    for key, value in ds.attrs.items():
        if key not in _CORE_ATTRS:
            text = str(value)
            rows.append((key, text if len(text) <= 80 else text[:77] + "..."))
    return rows


def describe_dataset(ds: xr.Dataset) -> Rows:
    """What ``posebridge info`` says about a dataset, as (label, text) rows.

    Parameters
    ----------
    ds
        A poses or bboxes dataset.

    Returns
    -------
    list of (str, str)
        Kind, frames, time, individuals, keypoints, space, missing data,
        confidence, boxes (for bboxes), skeleton and extras.

    Examples
    --------
    >>> import numpy as np
    >>> from posebridge import from_numpy
    >>> dict(describe_dataset(from_numpy(np.zeros((3, 2, 1, 1)))))["space"]
    '2D (x, y)'
    """
    boxes = ds.attrs["ds_type"] == schema.BBOXES
    rows: Rows = [("kind", "bounding boxes" if boxes else "poses")]
    if ds.attrs.get("source_software"):
        rows.append(("source software", str(ds.attrs["source_software"])))
    rows += [("frames", _frames_text(ds)), ("time", _time_text(ds))]
    rows.append(("individuals", _names(ds["individual"].values)))
    if not boxes:
        rows.append(("keypoints", _names(ds["keypoint"].values)))
    space = [str(s) for s in ds["space"].values]
    rows += [("space", f"{len(space)}D ({', '.join(space)})"), ("missing", _missing_text(ds))]
    if "confidence" in ds:
        rows.append(("confidence", _range(np.asarray(ds["confidence"].values, dtype=float))))
    else:
        rows.append(("confidence", "none"))
    if boxes:
        present = (~ds["position"].isnull().any("space")).sum("individual").values
        if present.size:
            rows.append(
                (
                    "boxes per frame",
                    f"{present.mean():.2f} on average (min {present.min()}, max {present.max()})",
                )
            )
        width = np.asarray(ds["shape"].sel(space="x").values, dtype=float)
        height = np.asarray(ds["shape"].sel(space="y").values, dtype=float)
        rows.append(("box size", f"width {_range(width)}; height {_range(height)}"))
    if "skeleton_edges" in ds:
        rows.append(("skeleton", _count(ds["skeleton_edges"].shape[0], "edge")))
    return rows + _extras(ds)


# --------------------------------------------------------------------------
# options


def _parse_pairs(pairs: Sequence[str], flag: str) -> dict[str, Any]:
    """KEY=VALUE strings -> dict; values parsed as JSON when they can be."""
    options: dict[str, Any] = {}
    for pair in pairs:
        key, sep, raw = pair.partition("=")
        key = key.strip()
        if not sep or not key.isidentifier():
            raise click.BadParameter(f"expected KEY=VALUE, got {pair!r}.", param_hint=flag)
        if key in options:
            raise click.BadParameter(f"{key} is given twice.", param_hint=flag)
        try:
            options[key] = json.loads(raw)
        except json.JSONDecodeError:
            options[key] = raw
    return options


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
    click.echo(_columns(header, body))
    notes = [(f.name, f.notes) for f in registry.all_formats() if f.notes]
    if notes:
        click.echo("\n" + _table(notes))


_read_options = click.option(
    "--read-option",
    "read_pairs",
    multiple=True,
    metavar="KEY=VALUE",
    help="Option for the reader (repeatable; VALUE parsed as JSON when possible).",
)
_fps = click.option("--fps", type=float, help="Frames per second (time in seconds).")


def _for_reading(path: Path, format: str | None, flag: str) -> registry.Format:
    """The reader's format; registry messages name the command-line flag."""
    path = check_input(path)
    try:
        return registry.resolve_for_reading(path, format)
    except UnknownFormatError as error:
        raise UnknownFormatError(str(error).replace("format=", flag)) from error


def _load(
    path: Path, format: str | None, fps: float | None, read_pairs: Sequence[str], flag: str
) -> tuple[registry.Format, xr.Dataset]:
    fmt = _for_reading(path, format, flag)
    options = _parse_pairs(read_pairs, "--read-option")
    if fmt.read is not None:
        _check_options(fmt.read, f"{fmt.title} reader", options, {}, positional=1)
    return fmt, api.load(path, fmt.name, fps=fps, **options)


@cli.command()
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--format", "-f", "format", metavar="F", help="Format name (default: detect).")
@_fps
@_read_options
def info(file: Path, format: str | None, fps: float | None, read_pairs: tuple[str, ...]) -> None:
    """Describe FILE: format, frames, time, individuals, keypoints, missing data."""
    fmt = _for_reading(file, format, "--format")
    head: Rows = [("file", str(file)), ("format", f"{fmt.name} ({fmt.title})")]
    details: Rows = []
    if fmt.describe is not None:
        try:
            details = list(fmt.describe(file))
        except Exception as error:
            details = [("details", f"not available ({_one_line(error)})")]
    try:
        _, ds = _load(file, fmt.name, fps, read_pairs, "--format")
    except Exception:
        if details:  # show what the file holds, then the error (e.g. how to pick a container)
            click.echo(_table([*head, ("", ""), *details]))
        raise
    click.echo(_table(head + describe_dataset(ds)))
    if details:
        click.echo(f"\n{fmt.title} file contents")
        click.echo(_table(details))


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
    help="Option for the writer (repeatable; VALUE parsed as JSON when possible).",
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
def convert(
    source: Path,
    target: Path,
    from_format: str | None,
    to_format: str | None,
    fps: float | None,
    overwrite: bool,
    write_pairs: tuple[str, ...],
    read_pairs: tuple[str, ...],
    **nwb: Any,
) -> None:
    """Convert SOURCE to TARGET (format from --to or TARGET's file name).

    Prints every file written.
    """
    options, origin = _nwb_options(**nwb)
    for key, value in _parse_pairs(write_pairs, "--option").items():
        if key in options:
            raise click.BadParameter(
                f"{key} is also set by {origin[key]}; give it once.", param_hint="--option"
            )
        options[key] = value
    fmt_in, ds = _load(source, from_format, fps, read_pairs, "--from")
    try:
        fmt_out = registry.resolve_for_writing(target, to_format, ds.attrs["ds_type"])
    except UnknownFormatError as error:
        raise UnknownFormatError(str(error).replace("format=", "--to")) from error
    assert fmt_out.write is not None
    _check_options(fmt_out.write, f"{fmt_out.title} writer", options, origin, positional=2)
    click.echo(f"read   {source} as {fmt_in.title} ({_summary(ds)})")
    for path in api.save(ds, target, fmt_out.name, overwrite=overwrite, **options):
        click.echo(f"wrote  {path} ({_size(path.stat().st_size)}, {fmt_out.title})")


# --------------------------------------------------------------------------
# demo


def _compare(name: str, first: np.ndarray, second: np.ndarray) -> str:
    if first.shape != second.shape:
        return f"{name} shape {first.shape} -> {second.shape}"
    if np.array_equal(first, second, equal_nan=True):
        return f"{name} exact"
    nan_changed = int((np.isnan(first) != np.isnan(second)).sum())
    both = ~np.isnan(first) & ~np.isnan(second)
    error = float(np.abs(first[both] - second[both]).max()) if both.any() else 0.0
    text = f"{name} within {error:.2g}" if error else f"{name} equal"
    return text + (f", {nan_changed} NaN changed" if nan_changed else "")


def round_trip_report(original: xr.Dataset, back: xr.Dataset) -> str:
    """Compare a dataset with what a format gave back, in one line.

    Parameters
    ----------
    original
        The dataset that was written.
    back
        The dataset read from (one of) the written files; a file may hold a
        subset of the individuals (formats that write one file per animal).

    Returns
    -------
    str
        E.g. ``"position exact, confidence exact; not kept: skeleton_edges"``.

    Examples
    --------
    >>> import numpy as np
    >>> from posebridge import from_numpy
    >>> ds = from_numpy(np.ones((2, 2, 1, 1)))
    >>> round_trip_report(ds, ds)
    'position exact, confidence exact'
    """
    if back.attrs.get("ds_type") != original.attrs["ds_type"]:
        return f"came back as {back.attrs.get('ds_type')}, not {original.attrs['ds_type']}"
    notes: list[str] = []
    first, second = original, back
    for dim in ("individual", "keypoint"):
        if dim not in original.dims:
            continue
        wrote = [str(v) for v in original[dim].values]
        got = [str(v) for v in back[dim].values]
        common = [v for v in wrote if v in got]
        if not common and len(got) == len(wrote):  # renamed: compare in order
            notes.append(f"{dim} names {', '.join(wrote)} came back as {', '.join(got)}")
            second = second.assign_coords({dim: first[dim].values})
            continue
        if not common:
            return f"{dim} names changed: {', '.join(got)} instead of {', '.join(wrote)}"
        if len(common) < len(wrote):
            notes.append(f"{len(common)} of {len(wrote)} {dim}s in this file")
        first, second = first.sel({dim: common}), second.sel({dim: common})
    frames_a, frames_b = schema.frame_numbers(first), schema.frame_numbers(second)
    if frames_a is not None and frames_b is not None and not np.array_equal(frames_a, frames_b):
        notes.append("frame numbers changed")
    if first.sizes["time"] != second.sizes["time"]:
        return f"{first.sizes['time']} time steps -> {second.sizes['time']}"
    checks = []
    for var in ("position", "shape", "confidence"):
        if var not in first:
            continue
        if var not in second:
            checks.append(f"{var} not kept")
            continue
        a = np.asarray(first[var].transpose(*first[var].dims).values, dtype=float)
        b = np.asarray(second[var].transpose(*first[var].dims).values, dtype=float)
        checks.append(_compare(var, a, b))
    lost = [
        str(n)
        for n in [*original.data_vars, *original.coords]
        if n not in back.variables and n not in original.dims
    ]
    if original.attrs.get("fps") and not back.attrs.get("fps"):
        lost.append("fps")
    if lost:
        notes.append(f"not kept: {', '.join(lost)}")
    return ", ".join(checks) + ("; " + "; ".join(notes) if notes else "")


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'s' * (n != 1)}"


def _demo_target(fmt: registry.Format, folder: Path, stem: str, kind: str) -> Path:
    """Where the demo writes a format: ``<folder>/<format>/<stem><ending>``.

    The ending is the shortest of the format's endings that names it alone
    (``.slp`` rather than ``.pkg.slp``; ``.analysis.h5``, since ``.h5`` means
    DeepLabCut), else its first.
    """
    own = []
    for ending in fmt.extensions:
        try:
            chosen = registry.resolve_for_writing(Path(f"x{ending}"), None, kind)
        except PoseBridgeError:
            continue
        if chosen.name == fmt.name:
            own.append(ending)
    ending = min(own, key=len) if own else fmt.extensions[0]
    return folder / fmt.name / f"{stem}{ending}"


def _summary(ds: xr.Dataset) -> str:
    """E.g. "poses, 2D, 300 frames at 30 fps, 2 individuals x 8 keypoints"."""
    parts = [ds.attrs["ds_type"], f"{ds.sizes['space']}D", f"{ds.sizes['time']} frames"]
    if ds.attrs.get("fps"):
        parts[-1] += f" at {ds.attrs['fps']:g} fps"
    animals = _count(ds.sizes["individual"], "individual")
    if "keypoint" in ds.dims:
        animals += f" x {_count(ds.sizes['keypoint'], 'keypoint')}"
    return ", ".join([*parts, animals])


def _demo_one(
    ds: xr.Dataset, stem: str, folder: Path, overwrite: bool, debug: bool
) -> list[tuple[str, str, str, str]]:
    rows = []
    kind = ds.attrs["ds_type"]
    for fmt in registry.all_formats():
        if not fmt.writes or kind not in fmt.kinds:
            continue
        target = _demo_target(fmt, folder, stem, kind)
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            written = api.save(ds, target, fmt.name, overwrite=overwrite)
        except Exception as error:
            if debug:
                click.echo(traceback.format_exc().rstrip(), err=True)
            label = "not written" if isinstance(error, PoseBridgeError) else "FAILED to write"
            rows.append((fmt.name, "-", "-", f"{label}: {_one_line(error)}"))
            continue
        for path in written:
            size = _size(path.stat().st_size)
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
        folder.mkdir(parents=True, exist_ok=True)
    click.echo(f"posebridge demo: writing into {folder}")
    written = 0
    for name in samples or list(sample_data.BUNDLED):
        ds = sample_data.fetch_dataset(name)
        click.echo(f"\n{name}: {_summary(ds)}")
        rows = _demo_one(ds, Path(name).stem, folder, overwrite, debug)
        written += sum(row[1] != "-" for row in rows)
        click.echo(textwrap.indent(_columns(("format", "file", "size", "check"), rows), "  "))
    click.echo(f"\n{written} files written in {folder}")
    if not written:
        raise PoseBridgeError("the demo could not write any file; see the lines above.")
