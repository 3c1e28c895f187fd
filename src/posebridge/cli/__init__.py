"""The ``posebridge`` command: formats, info, convert, batch, plot, render, demo.

Every command is built on the format registry, so a format works here as soon
as its module exists. Errors print one line (``posebridge: error: ...``) to
stderr and exit with status 1; ``posebridge --debug ...`` prints the traceback.

The group and what the commands share (options, reading a FILE, errors) are in
``_base``; the commands in ``data`` (formats, info, convert, batch), ``figures``
(plot, render) and ``demo``, each registering its commands on the group.

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

from collections.abc import Sequence
from typing import Any

# the command modules register their commands on the group when imported
from posebridge.cli import data, demo, figures  # noqa: F401
from posebridge.cli._base import INTERRUPTED, Terminated, cli

__all__ = ["cli", "describe_dataset", "main", "round_trip_report"]


def __getattr__(name: str) -> Any:
    """``describe_dataset`` and ``round_trip_report``, imported on first use (they need
    xarray, which the command line imports only when a command reads data)."""
    if name in ("describe_dataset", "round_trip_report"):
        from posebridge import _report

        return getattr(_report, name)
    raise AttributeError(f"module 'posebridge.cli' has no attribute {name!r}")


def main(argv: Sequence[str] | None = None) -> None:
    """Run the ``posebridge`` command (the console script's entry point).

    Parameters
    ----------
    argv
        Arguments (without the program name); ``sys.argv[1:]`` when ``None``.

    Notes
    -----
    Run as the command (``argv`` None: the console script, ``python -m
    posebridge``), Ctrl-C ends the process as SIGINT does once the command has
    cleaned up (a shell's status 130, so a shell loop stops too). Called with
    ``argv`` from Python code (a script, a notebook), Ctrl-C raises
    ``SystemExit(130)`` instead, which the caller may catch: its ``except``
    and ``finally`` blocks run.

    Examples
    --------
    >>> main(["formats"])  # doctest: +SKIP
    """
    import signal

    terminated: list[bool] = []
    installed = _stop_on_sigterm(terminated)
    try:
        cli.main(args=None if argv is None else list(argv), prog_name="posebridge")
    except SystemExit as exit_:
        if exit_.code == INTERRUPTED and not terminated and argv is None:
            _end_as_sigint()
        raise
    finally:
        if installed:
            signal.signal(signal.SIGTERM, signal.SIG_DFL)  # the caller's process as it was
        if terminated:  # cleaned up: now end as SIGTERM ends a process (status 143)
            signal.raise_signal(signal.SIGTERM)


def _end_as_sigint() -> None:
    """After Ctrl-C and the clean-up, end as SIGINT ends a process (a shell's status 130),
    as Python itself does, so that a shell loop running the command stops too. Returns
    (the caller then exits with status 130) when SIGINT is not Python's own handler's (a
    caller's handler, or ignored) or outside the main thread.
    """
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        return
    if signal.getsignal(signal.SIGINT) is not signal.default_int_handler:
        return
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.raise_signal(signal.SIGINT)


def _stop_on_sigterm(terminated: list[bool]) -> bool:
    """Make SIGTERM (``kill``, a cluster scheduler's time limit) stop the command as Ctrl-C
    does: a writer removes its temporary file, a batch starts no new job and waits for the
    running ones; ``terminated`` then gets an entry. Left as it is (``False`` returned) when
    the caller installed a handler of its own, or outside the main thread.
    """
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        return False
    if signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL:
        return False

    def stop(signum: int, frame: object) -> None:
        terminated.append(True)
        raise Terminated

    signal.signal(signal.SIGTERM, stop)
    return True
