"""Recording the warnings of one piece of work while others run on other threads.

``warnings.catch_warnings(record=True)`` swaps process-wide state (the filters
and ``warnings.showwarning``) in and out. Two batch jobs on the threads of one
Dask worker each entering it record each other's warnings, and the one that
leaves last puts back a ``showwarning`` that appends to a finished job's list
for as long as the worker lives. :func:`recording_warnings` instead installs
one hook for the whole process while any recording is open, and the hook hands
each warning to the recording of the context it was raised in (a
:class:`contextvars.ContextVar`: a thread's own, carried into the threads
:func:`posebridge._threads.map_on_threads` starts for it). A warning raised
where no recording is open goes where it went before.

The filters stay process-wide, as Python (before 3.14) has them: while any
recording is open an ``always`` filter leads them, so a warning repeated from
one job to the next is recorded for each; and code that ignores a warning for a
moment (``catch_warnings`` + ``simplefilter("ignore")``) ignores it on every
thread for that moment.
"""

from __future__ import annotations

import contextlib
import contextvars
import threading
import warnings
from collections.abc import Iterator
from typing import Any

__all__ = ["recording_warnings"]

_RECORDING: contextvars.ContextVar[list[warnings.WarningMessage] | None] = contextvars.ContextVar(
    "posebridge_recorded_warnings", default=None
)
_LOCK = threading.Lock()
_ALWAYS = ("always", None, Warning, None, 0)  # the entry warnings.simplefilter("always") adds
_state: dict[str, Any] = {"open": 0, "shown_before": None}


def _show(
    message: Warning | str,
    category: type[Warning],
    filename: str,
    lineno: int,
    file: Any = None,
    line: str | None = None,
) -> None:
    """``warnings.showwarning`` while recordings are open: to the raising context's
    recording, else as before."""
    recording = _RECORDING.get()
    if recording is not None:
        recording.append(warnings.WarningMessage(message, category, filename, lineno, file, line))
        return
    shown_before = _state["shown_before"] or warnings._showwarning_orig  # type: ignore[attr-defined]
    shown_before(message, category, filename, lineno, file, line)


def _filters_changed() -> None:
    """Tell the warnings machinery its filter list changed (its caches are keyed on it)."""
    changed = getattr(warnings, "_filters_mutated", None)
    if changed is not None:
        changed()


def _open() -> None:
    with _LOCK:
        if _state["open"] == 0:
            _state["shown_before"] = warnings.showwarning
            warnings.showwarning = _show
            warnings.filters.insert(0, _ALWAYS)
            _filters_changed()
        _state["open"] += 1


def _close() -> None:
    with _LOCK:
        _state["open"] -= 1
        if _state["open"] == 0:
            if warnings.showwarning is _show:  # unless someone has put another since
                warnings.showwarning = _state["shown_before"]
            with contextlib.suppress(ValueError):  # removed by someone else
                warnings.filters.remove(_ALWAYS)
            _filters_changed()
            _state["shown_before"] = None


@contextlib.contextmanager
def recording_warnings() -> Iterator[list[warnings.WarningMessage]]:
    """Record the warnings raised in this context (this thread, and the threads it
    starts through :func:`~posebridge._threads.map_on_threads`), whatever other
    threads record meanwhile.

    Yields
    ------
    list of warnings.WarningMessage
        Filled as warnings are raised; every one is recorded, repeated or not.

    Examples
    --------
    >>> with recording_warnings() as caught:
    ...     warnings.warn("recorded, not shown", UserWarning, stacklevel=1)
    >>> [str(warning.message) for warning in caught]
    ['recorded, not shown']
    """
    caught: list[warnings.WarningMessage] = []
    _open()
    token = _RECORDING.set(caught)
    try:
        yield caught
    finally:
        _RECORDING.reset(token)
        _close()
