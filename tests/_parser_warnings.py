"""What a reader that refuses a warning of pandas' CSV parser does to the warnings of
other threads: the readers ran pandas under ``simplefilter("error", ParserWarning)``,
process-wide, so another thread's ParserWarning raised meanwhile became an error."""

from __future__ import annotations

import threading
import warnings
from collections.abc import Callable
from typing import Any

import pandas as pd
import pytest

from posebridge._recorded_warnings import recording_warnings


def another_threads_parser_warning_while(
    read: Callable[[], Any], monkeypatch: pytest.MonkeyPatch
) -> dict[str, Any]:
    """Run ``read()``; while it is inside ``pandas.read_csv``, another thread (recording
    its warnings) warns a ParserWarning. Returns what that thread got: ``raised`` (the
    warning was raised as an error there) and ``recorded`` (its recorded messages)."""
    recording, inside, warned = threading.Event(), threading.Event(), threading.Event()
    parse = pd.read_csv

    def read_csv_held(*args: Any, **kwargs: Any) -> Any:
        inside.set()
        warned.wait(timeout=10)
        return parse(*args, **kwargs)

    monkeypatch.setattr(pd, "read_csv", read_csv_held)
    got: dict[str, Any] = {"raised": False}

    def other_thread() -> None:
        with recording_warnings() as caught:
            recording.set()
            inside.wait(timeout=10)
            try:
                warnings.warn("another thread's", pd.errors.ParserWarning, stacklevel=1)
            except pd.errors.ParserWarning:
                got["raised"] = True
            finally:
                warned.set()
        got["recorded"] = [str(warning.message) for warning in caught]

    thread = threading.Thread(target=other_thread)
    thread.start()
    recording.wait(timeout=10)
    try:
        read()
    finally:
        warned.set()
        thread.join(timeout=30)
    return got


def pandas_warning_of_a_wide_first_row(monkeypatch: pytest.MonkeyPatch) -> None:
    """``pandas.read_csv`` warns as it does when it drops the extra cells of a first row
    wider than the header (a row the readers' own width checks may not see as wide)."""
    parse = pd.read_csv

    def read_csv_warning(*args: Any, **kwargs: Any) -> Any:
        warnings.warn(
            "Length of header or names does not match length of data. This leads to a "
            "loss of data with index_col=False.",
            pd.errors.ParserWarning,
            stacklevel=2,
        )
        return parse(*args, **kwargs)

    monkeypatch.setattr(pd, "read_csv", read_csv_warning)
