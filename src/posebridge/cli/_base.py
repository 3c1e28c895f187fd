"""What the commands share: the group, its error handling, options, reading a FILE."""

from __future__ import annotations

import contextlib
import inspect
import os
import re
import traceback
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

import posebridge
from posebridge._files import check_input, is_address, shown_path
from posebridge._output_paths import refuse_folder_name
from posebridge.errors import (
    IsADirectoryError,
    PoseBridgeError,
    SeveralVideosError,
    UnknownFormatError,
    worded_for_command_line,
)

if TYPE_CHECKING:  # imported where used: the command line starts without pandas and xarray
    import xarray as xr

    from posebridge import registry

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
    from posebridge._option_values import annotations, from_command_line

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
    """``ds`` with the frame rate ``--fps`` gives, unless it contradicts the file's own
    (the check of :func:`posebridge.model.with_file_fps`, worded for the command line)."""
    from posebridge import model

    return model.with_file_fps(ds, fps, path, option="--fps ")


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


# --------------------------------------------------------------------------
# paths as the command line prints them


#: Where the command line's arguments, as typed, are kept for its messages (ctx.meta).
_ARGUMENTS = "posebridge.arguments"


def _needs_care(text: str) -> bool:
    r"""Whether a path would be lost in a message put on one line: a character of it that
    prints as another or as nothing (:func:`shown_path`), or a run of spaces inside it
    that would be made one. A space at an end is not looked for: an argument such as
    ``--pix-fmt " "`` or ``--individual " a"`` would match words of any message.

    Examples
    --------
    >>> _needs_care("a\tb.csv"), _needs_care("a  b.csv"), _needs_care(" "), _needs_care("a.csv")
    (True, True, False, False)
    """
    inner = text.strip(" ")
    return bool(inner) and (not inner.isprintable() or "  " in inner)


def _path_forms(arguments: Sequence[str]) -> list[str]:
    r"""The forms in which a message may name a path among ``arguments`` that needs care
    (:func:`_needs_care`): as typed (also after ``--flag=``), as a ``Path`` spells it,
    absolute, resolved, its folders, and its name without ending (the start of an
    output named after it, ``a\nb.trajectories.png``); the longest first.

    Examples
    --------
    >>> _path_forms(["plot", "x.csv", "--video=c\nd.mp4"])[-2:]
    ['c\nd.mp4', 'c\nd']
    """
    forms: set[str] = set()
    for argument in arguments:
        for text in (argument, argument.partition("=")[2] if argument.startswith("--") else ""):
            if not text or not _needs_care(text):
                continue
            path = Path(text)
            forms.update((text, str(path), os.path.abspath(text)))
            with contextlib.suppress(OSError, RuntimeError):  # a loop of links: the rest
                forms.add(str(path.resolve()))
            forms.update((path.stem, *map(str, [*path.parents, *path.absolute().parents])))
    return sorted((form for form in forms if _needs_care(form)), key=len, reverse=True)


def _path_pattern(arguments: Sequence[str]) -> re.Pattern[str] | None:
    r"""Where a message names a path of ``arguments`` that needs care: one of its forms
    (:func:`_path_forms`) with the rest of the path it is part of (the characters before
    and after it up to a space, a quote, a bracket, or a ``:``, ``,`` or ``;`` after it),
    so that a file in its folder or named after it is shown whole. ``None``: none needs
    care.

    Examples
    --------
    >>> _path_pattern(["a\nb.csv"]).search("out/a\nb.x.png: exists").group()
    'out/a\nb.x.png'
    """
    forms = _path_forms(arguments)
    if not forms:
        return None
    alternatives = "|".join(map(re.escape, forms))
    return re.compile(rf"""[^\s'"(\[]*(?:{alternatives})[^\s:,;'")\]]*""")


def _arguments() -> list[str]:
    """The running command line's arguments, as typed (none outside a command)."""
    ctx = click.get_current_context(silent=True)
    return list(ctx.find_root().meta.get(_ARGUMENTS, [])) if ctx is not None else []


def _on_one_line(text: str, put: Callable[[str], str], arguments: Sequence[str]) -> str:
    r"""``put(text)`` (which makes a message one line, collapsing its whitespace) with the
    paths of ``arguments`` kept as :func:`shown_path` shows them: a newline in a file
    name is shown as ``\n``, never made a space.

    Examples
    --------
    >>> one_line = lambda t: " ".join(t.split())
    >>> print(_on_one_line("a\nb.csv: no such file.\nTry again.", one_line, ["a\nb.csv"]))
    'a\nb.csv': no such file. Try again.
    """
    pattern = _path_pattern(arguments)
    if pattern is None:
        return put(text)
    found: list[str] = []

    def hold(match: re.Match[str]) -> str:
        path = match.group().rstrip(".")  # the end of a sentence is not the path's
        found.append(path)
        return f"\x00{len(found) - 1}\x00" + match.group()[len(path) :]  # kept whole by put

    held = put(pattern.sub(hold, text))
    return re.sub(r"\x00(\d+)\x00", lambda m: shown_path(found[int(m.group(1))]), held)


# --------------------------------------------------------------------------
# the command group and its error handling


def _one_line(error: BaseException) -> str:
    """An error's message on one line, as the command line prints it (the paths of the
    command line's arguments shown so that they can be told apart: :func:`shown_path`)."""
    text = str(error)
    if isinstance(error, OSError):  # (errno, message, file): show the message
        args = error.args
        text = error.strerror or (args[1] if len(args) > 1 and isinstance(args[0], int) else text)
        if error.filename and str(error.filename) not in text:
            text = f"{error.filename}: {text}"
    arguments = _arguments()
    # the advice with the command line's flags
    message = _on_one_line(text, lambda t: worded_for_command_line(error, t), arguments)
    if isinstance(error, PoseBridgeError | OSError):
        return message or type(error).__name__
    if isinstance(error, click.ClickException):  # a usage error: the message click prints
        return _on_one_line(error.format_message(), lambda t: " ".join(t.split()), arguments)
    return f"{type(error).__name__}: {message} (unexpected; run with --debug for the traceback)"


def _warning_line(message: Warning | str) -> str:
    """A warning on one line, its advice with the command line's flags where the code that
    warns gives them (:func:`posebridge.errors.with_command_line_wording`), as errors are,
    and the paths of the command line's arguments shown as :func:`shown_path` does.

    Examples
    --------
    >>> from posebridge.errors import with_command_line_wording
    >>> _warning_line(with_command_line_wording(UserWarning("Pass a=1."), {"a=1": "--a 1"}))
    'Pass --a 1.'
    """
    arguments = _arguments()
    if isinstance(message, Warning):
        warning = message
        return _on_one_line(str(warning), lambda t: worded_for_command_line(warning, t), arguments)
    return _on_one_line(str(message), lambda t: " ".join(t.split()), arguments)


def several_videos_advice(error: SeveralVideosError) -> str:
    """How to read one video of the file, with ``--read-option`` (the reader's option).

    Examples
    --------
    >>> error = SeveralVideosError(
    ...     "two.slp", "holds 2 videos.", "Pass video=0.", option="video", example=0
    ... )
    >>> several_videos_advice(error)
    'A dataset holds one video: pick one with --read-option video=0 (or another of those listed).'
    """
    return error.command_line_advice()


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


class FilePath(click.Path):
    """``click.Path`` refusing an empty text: ``Path("")`` is the current folder, so an
    unset variable (``posebridge convert "$IN" out.nwb``) read the folder it ran in; and
    an address (``https://...``) that is no local file, quoted as typed: an input is
    said to need downloading, an ``output`` (a file or folder to write) to be written
    locally."""

    def __init__(self, *args: Any, output: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.output = output

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, str) and not value:
            self.fail("an empty path names no file (is a shell variable unset?).", param, ctx)
        if isinstance(value, str) and is_address(value) and not os.path.lexists(value):
            # an output is new: an address-like path into a folder that is there is a path
            if self.output and not os.path.lexists(os.path.dirname(os.path.normpath(value))):
                self.fail(
                    f"{value} is an address: posebridge writes local files only; write "
                    "here, then upload the file.",
                    param,
                    ctx,
                )
            if not self.output:
                check_input(value)  # says it is an address, as typed (a Path loses its "//")
        if self.output and self.file_okay and isinstance(value, str):
            try:  # as typed: a Path loses the trailing "/" of "out.csv/"
                refuse_folder_name(value)
            except IsADirectoryError as error:
                self.fail(str(error), param, ctx)
        return super().convert(value, param, ctx)


#: the exit status of a command stopped by Ctrl-C when it cannot end by SIGINT itself
#: (a caller's own SIGINT handler): 128 + SIGINT, what a shell reports for one that does
INTERRUPTED = 130


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised as an interrupt so that a command stops and cleans up as on Ctrl-C."""


class _Group(click.Group):
    """Prints errors as one line (or the traceback with --debug) and warnings as lines."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        """Keep the arguments as typed, for the messages (:func:`_on_one_line`)."""
        ctx.meta[_ARGUMENTS] = list(args)
        return super().parse_args(ctx, args)

    def invoke(self, ctx: click.Context) -> Any:
        debug = bool(ctx.params.get("debug"))

        def show(message, category, filename, lineno, file=None, line=None):
            click.echo(f"posebridge: warning: {_warning_line(message)}", err=True)

        # Process-wide on purpose, and the one catch_warnings of the package: the command
        # owns its process, this is entered on the main thread before the command starts
        # any thread and left after it, so no other thread's block can interleave with it.
        # It neither silences nor refuses: it shows each warning as a line (the recordings
        # of batch jobs opened inside it send the warnings raised outside them to ``show``).
        with warnings.catch_warnings():
            warnings.simplefilter("default")
            warnings.showwarning = show
            try:
                return super().invoke(ctx)
            except (click.exceptions.ClickException, click.exceptions.Exit, click.Abort):
                raise
            except KeyboardInterrupt as interrupt:  # click would say "Aborted!" and exit 1
                why = "stopped by SIGTERM" if isinstance(interrupt, Terminated) else "interrupted"
                click.echo(f"posebridge: {why}: no file was left half-written.", err=True)
                ctx.exit(INTERRUPTED)
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
    """Move pose-tracking data between DeepLabCut, SLEAP, LightningPose, Anipose, VIA,
    COCO, YOLO, Label Studio, TRex, idtracker.ai, DANNCE and NWB through one data model
    (`posebridge formats` lists them)."""


# --------------------------------------------------------------------------
# reading a FILE


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
_write_options = click.option(
    "--option",
    "write_pairs",
    multiple=True,
    metavar="KEY=VALUE",
    help=(
        "Option for the writer (repeatable; VALUE parsed as JSON when possible; "
        "a text option keeps it as typed)."
    ),
)


class FrameRate(click.ParamType):
    """A frame rate: a positive finite number (:func:`posebridge.model.checked_fps`), checked
    when the command line is read, so a bad ``--fps`` is a usage error before any file is."""

    name = "float"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        """The rate as a float, or a usage error naming the flag."""
        from posebridge import model

        try:
            number = float(value)
        except ValueError:
            self.fail(f"expected a number of frames per second, got {value!r}.", param, ctx)
        try:
            return model.checked_fps(number)
        except PoseBridgeError as error:  # 0, negative, nan, inf, too small: as typed
            said = str(error).rsplit(", got ", 1)[0]
            self.fail(f"{said}, got {value!r}.", param, ctx)


_fps = click.option("--fps", type=FrameRate(), help="Frames per second (time in seconds).")


def _for_reading(path: Path, format: str | None, flag: str) -> registry.Format:
    """The reader's format; registry messages name the command-line flag."""
    from posebridge import registry

    path = check_input(path, folder=True)
    try:
        return registry.resolve_for_reading(path, format)
    except UnknownFormatError as error:
        raise UnknownFormatError(str(error).replace("format=", flag)) from error
    except IsADirectoryError as error:  # a folder no format reads: "or format= if ..."
        message = str(error).replace("format=", flag)
        raise IsADirectoryError(error.errno, message, error.filename) from error


def _load(
    path: Path, format: str | None, fps: float | None, read_pairs: Sequence[str], flag: str
) -> tuple[registry.Format, xr.Dataset]:
    from posebridge import api, model

    model.checked_fps(fps)  # before the file is read
    fmt = _for_reading(path, format, flag)
    options = _typed_options(_parse_pairs(read_pairs, "--read-option"), [fmt.read])
    if fmt.read is not None:
        _check_options(
            fmt.read, f"{fmt.title} reader", options, dict.fromkeys(options, "--read-option"), 1
        )
    return fmt, _with_fps(api.load(path, fmt.name, **options), fps, path)
