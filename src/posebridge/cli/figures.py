"""The commands that draw: plot (figures) and render (poses on their video)."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator, Sequence
from pathlib import Path

import click

from posebridge._files import check_input, recording_files_read
from posebridge._output_paths import refuse_writing_onto_input
from posebridge._outputs import check_outputs, inputs_kept
from posebridge.cli._base import (
    FilePath,
    _fps,
    _load,
    _read_options,
    cli,
    shown_path,
)
from posebridge.errors import PoseBridgeError, SchemaError, with_command_line_wording

#: The kinds of figure ``--kind`` takes: the keys of :data:`posebridge.plot.output.KINDS`
#: (named here so that the command line starts without matplotlib, pandas and xarray;
#: tests/cli check that the two agree).
FIGURE_KINDS = ("trajectories", "confidence", "missing", "skeleton")

# --------------------------------------------------------------------------
# pictures: plot, render


def _frame_range(text: str | None) -> tuple[int | None, int | None] | None:
    if text is None:
        return None
    start, sep, end = text.partition(":")
    try:
        if not sep:
            raise ValueError
        first = int(start) if start.strip() else None
        last = int(end) if end.strip() else None
    except ValueError:
        raise click.BadParameter(
            f"expected FIRST:LAST frame numbers (either may be empty), got {text!r}.",
            param_hint="--frames",
        ) from None
    if first is not None and last is not None and last < first:  # as plot's --time 5:2
        raise click.BadParameter(
            f"the frame range {text!r} is empty: LAST comes before FIRST.", param_hint="--frames"
        )
    if min(v for v in (first, last, 0) if v is not None) < 0:  # video frames count from 0
        raise click.BadParameter(
            f"the frame range {text!r} is negative: frames count from 0.", param_hint="--frames"
        )
    return first, last


def _time_range(text: str | None) -> tuple[float | None, float | None] | None:
    """``--time START:END``; a malformed range is a usage error naming the flag."""
    from posebridge.plot import _select as plot_select

    if text is None:
        return None
    try:
        return plot_select.parse_time_range(text)
    except PoseBridgeError as error:
        raise click.BadParameter(str(error), param_hint="--time") from None


@cli.command()
@click.argument("files", metavar="FILE...", nargs=-1, required=True, type=FilePath(path_type=Path))
@click.option(
    "--out",
    "-o",
    type=FilePath(dir_okay=False, path_type=Path, output=True),
    help="Figure file, .png, .svg or .pdf (default: <stem>.<kind>.png beside FILE).",
)
@click.option(
    "--kind",
    type=click.Choice(FIGURE_KINDS),
    default="trajectories",
    show_default=True,
    help="The figure.",
)
@click.option(
    "--individual", "individuals", multiple=True, help="Individual to show (repeatable)."
)
@click.option("--keypoint", "keypoints", multiple=True, help="Keypoint to show (repeatable).")
@click.option("--time", "time_range", metavar="START:END", help="Time range, in the data's unit.")
@click.option("--video", type=FilePath(path_type=Path), help="Draw over a frame of this video.")
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
    from posebridge.plot import _mpl as plot_mpl
    from posebridge.plot import output as plot_output

    plot_mpl.matplotlib()  # say now, before reading anything, when the extra is missing
    if out is not None and len(files) > 1:
        raise click.BadParameter("give one FILE with --out (or none: one figure each).")
    options = {
        "individuals": list(individuals) or None,
        "keypoints": list(keypoints) or None,
        "time": _time_range(time_range),
        "video": video,
        "frame": frame,
    }
    _refuse_flags_not_of(kind, [key for key, value in options.items() if value is not None])
    targets = _figure_targets(files, out, kind)
    inputs = [*files, *([video] if video is not None else [])]
    for target in targets:  # before anything is read or drawn
        for source in inputs:
            refuse_writing_onto_input(source, target, doing="writing the figure there")
    # every figure that exists (without --overwrite), and every missing folder, is refused
    # now, so that a refused run writes no figure at all
    check_outputs(targets, overwrite)
    for file in files:  # a missing FILE after the first: refused before any figure is drawn
        check_input(file, folder=True)
    for file, target in zip(files, targets, strict=True):
        with recording_files_read() as files_read:  # the files read with it: kept too
            _, ds = _load(file, format, fps, read_pairs, "--format")
        shown = [Path(ds.attrs[k]) for k in ("frame_path", "video_path") if ds.attrs.get(k)]
        for source in shown:  # the dataset's own still frame or video, drawn under the poses
            refuse_writing_onto_input(source, target, doing="writing the figure there")
        with _naming(file):
            figure = plot_output.figure(ds, kind, **options)
        with inputs_kept(file, *inputs, *shown, companions=files_read):
            click.echo(shown_path(plot_output.save_figure(figure, target, overwrite=overwrite)))


#: The flag of ``plot`` that gives each option of a figure (:func:`posebridge.plot.figure`).
PLOT_FLAGS = {
    "individuals": "--individual",
    "keypoints": "--keypoint",
    "time": "--time",
    "video": "--video",
    "frame": "--frame",
}


def _refuse_flags_not_of(kind: str, given: Sequence[str]) -> None:
    """Refuse, as a usage error before anything is read, a flag the figure ``kind`` does
    not take, naming the flags it takes (not its Python options: ``ax`` is no flag).

    Parameters
    ----------
    kind
        The figure (``--kind``).
    given
        The options given (keys of :data:`PLOT_FLAGS`).

    Raises
    ------
    click.UsageError
        When a flag given does not apply to the figure.
    """
    from posebridge.plot import output as plot_output

    takes = plot_output.options_of(kind)
    refused = [PLOT_FLAGS[key] for key in given if key not in takes]
    if refused:
        flags = [flag for key, flag in PLOT_FLAGS.items() if key in takes]
        raise click.UsageError(
            f"{' and '.join(refused)} {'does' if len(refused) == 1 else 'do'} not apply to "
            f"--kind {kind}; the {kind} figure takes {', '.join(flags)}."
        )


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
        named = type(error)(f"{file}: {error}")
        wording = getattr(error, "command_line_wording", None)  # its advice with the flags
        raise (with_command_line_wording(named, wording) if wording else named) from error


#: What :func:`posebridge.render.render` says of its options, as ``posebridge render``
#: says it (with :func:`posebridge.errors.with_command_line_wording`): the flags, and no
#: ``None`` the command line cannot give. Applied in this order.
RENDER_WORDING = {
    "min_confidence must be": "--min-confidence must be",
    "radius must be": "--radius must be",
    "thickness must be": "--thickness must be",
    "pix_fmt must be": "--pix-fmt must be",
    "codec must be": "--codec must be",
    "number (or None),": "number,",
    "above 0 (or None),": "above 0,",
    "encoder (or None),": "encoder,",
    "format (or None),": "format,",
    "(frames=)": "(--frames)",
    "codec=": "--codec ",
    "pix_fmt=": "--pix-fmt ",
    "Choose another codec, pix_fmt or file ending": (
        "Choose another --codec, --pix-fmt or --out file ending"
    ),
    "choose another fps or ending": "choose another --out ending",
}


@contextlib.contextmanager
def _render_wording() -> Iterator[None]:
    """Give the errors of :func:`posebridge.render.render` :data:`RENDER_WORDING`."""
    try:
        yield
    except (PoseBridgeError, SchemaError) as error:
        with_command_line_wording(error, RENDER_WORDING)
        raise


def _figure_targets(files: Sequence[Path], out: Path | None, kind: str) -> list[Path]:
    """The figure file of each FILE; two FILEs whose figures would be one file are refused.

    Without ``--out`` each figure is ``<stem>.<kind>.png`` beside its FILE, so
    ``a.h5`` and ``a.csv`` would write one figure (the second replacing the
    first): refused before anything is drawn, naming both. A FILE given twice is
    a usage error saying so.
    """
    from posebridge.plot import output as plot_output

    given: dict[str, Path] = {}
    for file in files:  # the same name twice (a.csv a.csv, or ./a.csv): not two stems
        # (a link's own name, not its target's: a link elsewhere gets its figure beside it)
        key = os.path.normcase(os.path.abspath(file))
        if key in given:
            same = "" if str(given[key]) == str(file) else f" (as {given[key]} and {file})"
            raise click.BadParameter(
                f"{file} is given twice{same}; give it once.", param_hint="FILE"
            )
        given[key] = file
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
@click.argument("poses", type=FilePath(path_type=Path))
@click.option("--video", required=True, type=FilePath(path_type=Path), help="The poses' video.")
@click.option("--out", "-o", required=True,
              type=FilePath(dir_okay=False, path_type=Path, output=True),
              help="The new video (.mp4, ...).")  # fmt: skip
@click.option("--frames", "frame_range", metavar="FIRST:LAST",
              help="Video frames to render (default: the poses' first to last).")  # fmt: skip
@click.option("--individual", "individuals", multiple=True, help="Track to draw (repeatable).")
@click.option("--radius", type=float, help="Keypoint radius in pixels.")
@click.option("--thickness", type=float, help="Line width in pixels.")
@click.option("--no-names", is_flag=True, help="Do not write the track names.")
@click.option("--min-confidence", type=float, help="Leave out points scored below this.")
@click.option(
    "--codec",
    help="ffmpeg video encoder (default: by the file's ending: H.264; GIF for "
    ".gif, VP9 for .webm, Theora for .ogv, MS MPEG-4 for .wmv).",
)
@click.option("--pix-fmt", metavar="FMT",
              help="ffmpeg pixel format of the output (default: yuv420p; --codec ffv1 "
                   "--pix-fmt bgr0 in .mkv is lossless).")  # fmt: skip
@click.option("--format", "-f", "format", metavar="F", help="Format of POSES (default: detect).")
@_fps
@_read_options
@click.option("--overwrite", is_flag=True, help="Replace an existing output video.")
@click.option(
    "--no-progress",
    "--quiet",
    "-q",
    "no_progress",
    is_flag=True,
    help="No progress bar (there is one only when stderr is a terminal).",
)
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
    pix_fmt: str | None,
    format: str | None,
    fps: float | None,
    read_pairs: tuple[str, ...],
    overwrite: bool,
    no_progress: bool,
) -> None:
    """Draw the poses of POSES on each frame of VIDEO (frames matched by number)."""
    from posebridge import _video
    from posebridge._report import size_text
    from posebridge.render import refuse_sequence_pattern
    from posebridge.render import render as render_video

    frames = _frame_range(frame_range)
    _video.ffmpeg("posebridge render")  # say now when the video extra is missing
    refuse_sequence_pattern(out)  # render() checks these too; here before POSES is read
    for source in (poses, video):
        refuse_writing_onto_input(source, out, doing="writing the video there")
    check_outputs([out], overwrite)  # an existing OUT (without --overwrite): before reading
    with recording_files_read() as files_read:  # the files read with it: kept too
        _, ds = _load(poses, format, fps, read_pairs, "--format")
    with (
        inputs_kept(poses, video, companions=files_read),
        _naming(poses),
        _render_wording(),
    ):
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
            pix_fmt=pix_fmt,
            overwrite=overwrite,
            progress=False if no_progress else None,
        )
    click.echo(f"wrote  {shown_path(written)} ({size_text(written.stat().st_size)})")
