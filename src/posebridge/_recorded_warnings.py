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

Code of posebridge that leaves out the warnings of a step (a header parsed again,
a deprecation of a library) does so with :func:`dropping_warnings`, which records
the step's warnings and drops them, not with ``catch_warnings`` +
``simplefilter("ignore")``: two threads in such blocks at once (two jobs of a
thread-based Dask worker opening their inputs) each save the filters they find and
put them back when they leave, so the one that leaves last could put back the other's
``ignore``, and every later warning of the process was lost.

The filters stay process-wide, as Python (before 3.14) has them: while any
recording is open an ``always`` filter leads them, so a warning repeated from
one job to the next is recorded for each; a warning raised where no recording is
open meets the caller's filters as without ours (the hook applies them: "error"
raises, "ignore" drops, "default" / "module" / "once" show it once); and code that
ignores a warning for a moment (``catch_warnings`` + ``simplefilter("ignore")``)
ignores it on every thread for that moment. Such a block left by another thread
while a recording is open puts back the ``showwarning`` and the filters it saved:
the recordings open then show their warnings (as the caller's filters say) instead
of recording them until another opens (:func:`_open` puts the hook and the filter
back, as posebridge's own steps do when they record theirs); nothing of theirs is
left once the last has closed.
"""

from __future__ import annotations

import contextlib
import contextvars
import re
import sys
import threading
import warnings
from collections.abc import Iterator
from typing import Any

__all__ = ["dropping_warnings", "held_until_done", "recording_warnings"]

_RECORDING: contextvars.ContextVar[list[warnings.WarningMessage] | None] = contextvars.ContextVar(
    "posebridge_recorded_warnings", default=None
)
_LOCK = threading.RLock()  # a finalizer the collector runs inside it may open a recording
_ALWAYS = ("always", None, Warning, None, 0)  # the entry warnings.simplefilter("always") adds
#: "shown": the warnings shown once outside every recording while some are open
_state: dict[str, Any] = {"open": 0, "shown_before": None, "shown": {}}


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
        if (
            isinstance(recording, _Held)
            and _callers_action(str(message), category, filename, lineno) == "error"
        ):  # raised where it is raised, as without the hold: nothing written
            raise message if isinstance(message, Warning) else category(message)
        recording.append(warnings.WarningMessage(message, category, filename, lineno, file, line))
        return
    if not _passes_callers_filters(message, category, filename, lineno):
        return
    shown_before = _state["shown_before"]
    if shown_before is None or shown_before is _show:  # never itself: see _open
        shown_before = warnings._showwarning_orig  # type: ignore[attr-defined]
    shown_before(message, category, filename, lineno, file, line)


def _passes_callers_filters(
    message: Warning | str, category: type[Warning], filename: str, lineno: int
) -> bool:
    """Whether a warning raised where no recording is open is shown, as the caller's
    filters (ours left out) decide it: ``"error"`` raises it, ``"ignore"`` drops it,
    ``"default"``, ``"module"`` and ``"once"`` show it once (per place, module, text).

    Our ``always`` filter, leading while any recording is open, made ``warnings.warn``
    pass every warning of every thread to :func:`_show`; without this, another thread's
    ``simplefilter("error")`` or ``("ignore")`` did nothing meanwhile. The places already
    shown are kept here, not in the modules' registries, where ``warnings.warn`` would
    skip them before any filter is looked at, and a recording would miss them.
    """
    text = str(message)
    action = _callers_action(text, category, filename, lineno)
    if action == "error":
        raise message if isinstance(message, Warning) else category(message)
    if action == "ignore":
        return False
    if action not in ("default", "module", "once"):
        return True
    with _LOCK:
        filters = _without_ours(list(warnings.filters))
        shown = _state["shown"]
        if shown.get("filters") != filters:  # as warnings.warn's registries: reset
            shown.clear()
            shown["filters"] = filters
        if action == "once":
            key: tuple[Any, ...] = (text, category)
            registry = warnings.onceregistry  # type: ignore[attr-defined]
        else:
            key = (_module_of(filename), text, category, 0 if action == "module" else lineno)
            registry = shown
        if registry.get(key):
            return False
        registry[key] = 1
    return True


class _Held(list):  # type: ignore[type-arg]
    """The recording of :func:`held_until_done`: a warning the caller's filters make an
    error is raised at once, not held."""


def _module_of(filename: str) -> str:
    """The name of the loaded module whose file is ``filename`` (``__main__`` for a line
    of no module's file: a script, the interactive prompt, a notebook's cell)."""
    for name, module in list(sys.modules.items()):
        if getattr(module, "__file__", None) == filename:
            return name
    return "__main__"


def _callers_action(text: str, category: type[Warning], filename: str, lineno: int) -> str:
    """What the caller's filters (ours left out) do with this warning, as
    ``warnings.warn`` decides it: the first filter that matches, else the default."""
    module = _module_of(filename)
    for action, message, kind, pattern, line in _without_ours(list(warnings.filters)):
        if (
            (message is None or message.match(text))
            and issubclass(category, kind)
            and (pattern is None or pattern.match(module))
            and (line == 0 or line == lineno)
        ):
            return str(action)
    return str(warnings.defaultaction)


def _filters_changed() -> None:
    """Tell the warnings machinery its filter list changed (its caches are keyed on it)."""
    changed = getattr(warnings, "_filters_mutated", None)
    if changed is not None:
        changed()


def _without_ours(filters: list[Any]) -> list[Any]:
    """``filters`` without the entries :func:`_open` put there (this very tuple: one
    a caller adds with ``simplefilter("always")`` is another object and stays)."""
    return [entry for entry in filters if entry is not _ALWAYS]


def _open() -> None:
    """Install the hook and the ``always`` filter for the first recording open.

    Another thread's ``catch_warnings`` block, entered while recordings were open and
    left after the last closed, puts back what it saved: :func:`_show` and our filter.
    So :func:`_show` already installed is never what was shown before, and our filter
    is never doubled; a hook taken away meanwhile is put back for the recordings open.
    """
    with _LOCK:
        if _state["open"] == 0:
            if warnings.showwarning is not _show:
                _state["shown_before"] = warnings.showwarning
            warnings.showwarning = _show
            warnings.filters[:] = [_ALWAYS, *_without_ours(warnings.filters)]
            _filters_changed()
        else:  # another thread's block left meanwhile puts back what it saved
            if warnings.showwarning is not _show:
                _state["shown_before"] = warnings.showwarning
                warnings.showwarning = _show
            if not warnings.filters or warnings.filters[0] is not _ALWAYS:
                warnings.filters[:] = [_ALWAYS, *_without_ours(warnings.filters)]
                _filters_changed()
        _state["open"] += 1


def _close() -> None:
    with _LOCK:
        _state["open"] -= 1
        if _state["open"] == 0:
            if warnings.showwarning is _show:  # unless someone has put another since
                warnings.showwarning = _state["shown_before"] or warnings._showwarning_orig  # type: ignore[attr-defined]
            warnings.filters[:] = _without_ours(warnings.filters)  # left by someone too
            _filters_changed()
            _state["shown_before"] = None
            _state["shown"].clear()


@contextlib.contextmanager
def recording_warnings(*, _held: bool = False) -> Iterator[list[warnings.WarningMessage]]:
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
    caught: list[warnings.WarningMessage] = _Held() if _held else []
    _open()
    token = _RECORDING.set(caught)
    try:
        yield caught
    finally:
        _RECORDING.reset(token)
        _close()


@contextlib.contextmanager
def dropping_warnings(
    category: type[Warning] = Warning, message: str | None = None
) -> Iterator[list[warnings.WarningMessage]]:
    """Leave out the warnings of ``category`` raised in this context (this thread, and
    the threads it starts), whatever other threads do meanwhile; the others are given
    as they were raised, when the context ends.

    What ``catch_warnings()`` + ``simplefilter("ignore", category)`` does for one thread,
    without touching the process-wide filters (see the module's docstring). The kept
    warnings are given also when the block raises, before its error propagates.

    What ``simplefilter("error", category)`` around a block was for (refusing what a
    library only warns about) is done by looking at the warnings left out, after the
    block: an "error" filter would turn the warnings of other threads into errors too.

    Parameters
    ----------
    category
        The warnings left out (their subclasses too); ``Warning``: all.
    message
        A regular expression the start of a left-out warning's text matches (as
        ``filterwarnings``' ``message``); ``None``: any text.

    Yields
    ------
    list of warnings.WarningMessage
        The warnings left out, filled when the context ends.

    Examples
    --------
    >>> with warnings.catch_warnings(record=True) as shown:
    ...     warnings.simplefilter("always")
    ...     with dropping_warnings(DeprecationWarning):
    ...         warnings.warn("left out", DeprecationWarning, stacklevel=1)
    ...         warnings.warn("given", UserWarning, stacklevel=1)
    >>> [str(warning.message) for warning in shown]
    ['given']
    >>> with dropping_warnings(UserWarning) as left_out:
    ...     warnings.warn("refused below", UserWarning, stacklevel=1)
    >>> [str(warning.message) for warning in left_out]
    ['refused below']
    """
    caught: list[warnings.WarningMessage] = []
    left_out: list[warnings.WarningMessage] = []
    try:
        with recording_warnings() as caught:
            yield left_out
    except BaseException as error:
        _give_kept(caught, category, message, left_out, raised=error)
        raise
    _give_kept(caught, category, message, left_out)


def _give_kept(
    caught: list[warnings.WarningMessage],
    category: type[Warning],
    message: str | None,
    left_out: list[warnings.WarningMessage],
    raised: BaseException | None = None,
) -> None:
    """Give again the warnings of ``caught`` :func:`dropping_warnings` does not leave out;
    put the others in ``left_out``.

    When its block raised (``raised``), the block's error is the one that propagates: a
    kept warning the filters turn into an error is named in a note of it, not raised over it.
    """
    pattern = re.compile(message or "", re.IGNORECASE)
    kept = []
    for warning in caught:
        dropped = issubclass(warning.category, category) and pattern.match(str(warning.message))
        (left_out if dropped else kept).append(warning)
    for warning in kept:
        try:
            give_again(warning)
        except Warning as as_error:  # an "error" filter
            if raised is None:
                raise
            raised.add_note(f"{type(as_error).__name__} raised meanwhile: {as_error}")


@contextlib.contextmanager
def held_until_done() -> Iterator[None]:
    """Hold the warnings raised in this context (this thread, and the threads it starts)
    until it ends: given as they were raised when it ends normally, left out when it
    raises, so that a refused step gets its refusal alone (a writer's "not written"
    warnings speak of a file it then did not write). A warning the caller's filters
    make an error (``simplefilter("error")``) is raised where it is raised, stopping
    the step, as without the hold.

    Examples
    --------
    >>> with warnings.catch_warnings(record=True) as shown:
    ...     warnings.simplefilter("always")
    ...     try:
    ...         with held_until_done():
    ...             warnings.warn("the refused step's", UserWarning, stacklevel=1)
    ...             raise OSError("refused")
    ...     except OSError:
    ...         pass
    ...     with held_until_done():
    ...         warnings.warn("the finished step's", UserWarning, stacklevel=1)
    >>> [str(warning.message) for warning in shown]
    ["the finished step's"]
    """
    with recording_warnings(_held=True) as caught:
        yield
    for warning in caught:
        give_again(warning)


def give_again(warning: warnings.WarningMessage) -> None:
    """Issue a recorded warning again as ``warnings.warn`` issued it: at its file and line,
    for the module of that file (a caller's ``filterwarnings(..., module="__main__")``
    still matches) and with that module's registry (``"default"`` and ``"once"`` still
    show it once).

    The module is the loaded one whose file the warning points at; a line of no module's
    file (a script, the interactive prompt, a notebook's cell) is ``__main__``'s.

    Examples
    --------
    >>> with recording_warnings() as caught:
    ...     warnings.warn("recorded", UserWarning, stacklevel=1)
    >>> with warnings.catch_warnings(record=True) as shown:
    ...     warnings.simplefilter("always")
    ...     warnings.filterwarnings("ignore", module="__main__")
    ...     give_again(caught[0])
    >>> shown
    []
    """
    module_name = _module_of(warning.filename)
    module = sys.modules.get(module_name)
    registry = vars(module).setdefault("__warningregistry__", {}) if module is not None else None
    warnings.warn_explicit(
        warning.message,
        warning.category,
        warning.filename,
        warning.lineno,
        module=module_name,
        registry=registry,
    )
