"""Each piece of work records its own warnings while others record theirs on other
threads (the jobs on a Dask worker's threads), and the process's warning machinery is
as it was once every recording has ended."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import warnings

from posebridge._recorded_warnings import dropping_warnings, recording_warnings
from posebridge._threads import map_on_threads


def _messages(caught) -> list[str]:
    return [str(warning.message) for warning in caught]


def test_recordings_open_on_two_threads_at_once_each_get_only_their_own_warnings():
    both_open, both_warned = threading.Barrier(2), threading.Barrier(2)
    caught: dict[str, list[str]] = {}
    shown_before = warnings.showwarning

    def record(name: str) -> None:
        with recording_warnings() as mine:
            both_open.wait(timeout=10)
            warnings.warn(f"from {name}", UserWarning, stacklevel=1)
            both_warned.wait(timeout=10)
            warnings.warn(f"again from {name}", UserWarning, stacklevel=1)
        caught[name] = _messages(mine)

    threads = [threading.Thread(target=record, args=(name,)) for name in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert caught == {
        "a": ["from a", "again from a"],
        "b": ["from b", "again from b"],
    }
    assert warnings.showwarning is shown_before


def test_a_warning_repeated_from_one_recording_to_the_next_is_recorded_by_each():
    def warn_once_here() -> None:
        warnings.warn("the same place", UserWarning, stacklevel=1)

    with warnings.catch_warnings():
        warnings.simplefilter("default")  # once per place, unless a recording says always
        with recording_warnings() as first:
            warn_once_here()
        with recording_warnings() as second:
            warn_once_here()

    assert _messages(first) == ["the same place"]
    assert _messages(second) == ["the same place"]


def test_a_warning_raised_outside_every_recording_is_shown_as_before():
    started, stop = threading.Event(), threading.Event()

    def hold_a_recording_open() -> None:
        with recording_warnings():
            started.set()
            stop.wait(timeout=10)

    holder = threading.Thread(target=hold_a_recording_open)
    with warnings.catch_warnings(record=True) as shown:
        warnings.simplefilter("always")
        holder.start()
        started.wait(timeout=10)
        warnings.warn("not in any recording", UserWarning, stacklevel=1)
        stop.set()
        holder.join(timeout=30)

    assert _messages(shown) == ["not in any recording"]


def test_the_threads_a_recording_context_starts_record_into_it():
    def warn(number: int) -> int:
        warnings.warn(f"item {number}", UserWarning, stacklevel=1)
        return number

    with recording_warnings() as caught:
        map_on_threads(warn, [1, 2, 3, 4], workers=4)

    assert sorted(_messages(caught)) == ["item 1", "item 2", "item 3", "item 4"]


#: The batch test's body, run in a fresh interpreter: threads other tests leave running in
#: this process (a Dask cluster's) may enter ``catch_warnings(record=True)`` meanwhile,
#: which takes every warning of the process for its moment (Python's own limit).
JOBS_ON_TWO_THREADS = """
import json, sys, threading, warnings
from pathlib import Path
import numpy as np
import posebridge
from posebridge.batch.job import run_job
from posebridge.batch.plan import Job

folder = Path(sys.argv[1])
data = posebridge.from_numpy(np.random.default_rng(5).uniform(0, 100, size=(6, 2, 2, 1)),
                             keypoint_names=["nose", "tail"], individual_names=["mouse"], fps=30)
sources = {name: posebridge.save(data, folder / f"{name}.h5")[0] for name in ("a", "b")}
both_running, both_warned = threading.Barrier(2), threading.Barrier(2)
results = {}

def convert(name, source):
    def on_chunk(done, total):
        both_running.wait(timeout=60)
        warnings.warn(f"chunk of {name}", UserWarning, stacklevel=1)
        both_warned.wait(timeout=60)

    job = Job(source=str(source), target=str(folder / f"{name}.csv"), to_format="dlc")
    results[name] = run_job(job, on_chunk)

threads = [threading.Thread(target=convert, args=item) for item in sources.items()]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join(timeout=240)
print(json.dumps({name: [r.status, r.error, r.warnings] for name, r in results.items()}))
"""


def test_batch_jobs_running_at_once_on_two_threads_report_only_their_own_warnings(tmp_path):
    """Two jobs of a thread-based worker, both running when either warns: each result
    lists its own warning (the on_chunk callback, called inside the job, warns)."""
    done = subprocess.run(
        [sys.executable, "-c", JOBS_ON_TWO_THREADS, str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    results = json.loads(done.stdout.splitlines()[-1])

    assert results == {
        "a": ["ok", "", ["chunk of a"]],
        "b": ["ok", "", ["chunk of b"]],
    }


#: Another thread's ``catch_warnings`` block entered while a recording is open and left
#: after it closed puts back the hook and the ``always`` filter it saved. Run in a fresh
#: interpreter, for the reason given above.
A_BLOCK_LEFT_AFTER_THE_LAST_RECORDING = """
import json, threading, warnings
from posebridge._recorded_warnings import dropping_warnings, recording_warnings

original = warnings.showwarning
entered, closed = threading.Event(), threading.Event()

def job():
    with recording_warnings():
        entered.wait(timeout=10)
    closed.set()

def silence_a_moment():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        entered.set()
        closed.wait(timeout=10)

threads = [threading.Thread(target=job), threading.Thread(target=silence_a_moment)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join(timeout=30)

raised = []
with recording_warnings() as caught:
    def elsewhere():
        try:
            warnings.warn("outside every job", UserWarning, stacklevel=1)
        except BaseException as error:
            raised.append(type(error).__name__)
    other = threading.Thread(target=elsewhere)
    other.start()
    other.join(timeout=30)
    warnings.warn("in the job", UserWarning, stacklevel=1)
always = ("always", None, Warning, None, 0)
print(json.dumps({
    "raised": raised,
    "recorded": [str(w.message) for w in caught],
    "hook left is the original": warnings.showwarning is original,
    "always filters left": sum(entry == always for entry in warnings.filters),
}))
"""


def test_a_block_another_thread_leaves_after_the_last_recording_leaves_nothing_behind():
    """It put back the recording hook as 'what was shown before' and an 'always' filter:
    the next job's hook called itself (RecursionError from warnings.warn on any thread
    outside a job) and the filter stayed for good."""
    done = subprocess.run(
        [sys.executable, "-c", A_BLOCK_LEFT_AFTER_THE_LAST_RECORDING],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    state = json.loads(done.stdout.splitlines()[-1])

    assert "UserWarning: outside every job" in done.stderr  # shown, as before any job
    assert state == {
        "raised": [],
        "recorded": ["in the job"],
        "hook left is the original": True,
        "always filters left": 0,
    }


def _blocks_left_in_crossed_order(block) -> None:
    """Two threads in ``block()`` at once: a enters, b enters, a leaves, b leaves."""
    a_in, b_in, a_out = threading.Event(), threading.Event(), threading.Event()

    def first() -> None:
        with block():
            a_in.set()
            b_in.wait(timeout=10)
        a_out.set()

    def second() -> None:
        a_in.wait(timeout=10)
        with block():
            b_in.set()
            a_out.wait(timeout=10)

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)


def test_warnings_dropped_on_two_threads_at_once_leave_later_warnings_recorded():
    """What a batch job's conversion does on each of a Dask worker's threads (a DLC
    block read, an NWB append's look at the file): with catch_warnings + an ignore
    filter, the thread that left last put back the other's ignore filter, and the
    job's own warnings after it were lost (its report listed none)."""
    with recording_warnings() as caught:
        _blocks_left_in_crossed_order(dropping_warnings)
        warnings.warn("after both", UserWarning, stacklevel=1)

    assert _messages(caught) == ["after both"]


def test_dropping_warnings_leaves_out_only_what_it_is_asked_to():
    with recording_warnings() as caught:
        with dropping_warnings(DeprecationWarning):
            warnings.warn("deprecated", DeprecationWarning, stacklevel=1)
            warnings.warn("kept", UserWarning, stacklevel=1)
        with dropping_warnings(UserWarning, message="Timeseries has a rate"):
            warnings.warn("Timeseries has a rate of 0.0 Hz", UserWarning, stacklevel=1)
            warnings.warn("another text", UserWarning, stacklevel=1)

    assert _messages(caught) == ["kept", "another text"]


def test_dropping_warnings_gives_the_kept_warnings_when_its_block_raises():
    """They were given after the block only: an error in the block lost them."""
    with recording_warnings() as caught:
        try:
            with dropping_warnings(DeprecationWarning):
                warnings.warn("deprecated", DeprecationWarning, stacklevel=1)
                warnings.warn("kept before the error", UserWarning, stacklevel=1)
                raise RuntimeError("the block failed")
        except RuntimeError as error:
            raised = error

    assert str(raised) == "the block failed"
    assert _messages(caught) == ["kept before the error"]


def test_a_kept_warning_made_an_error_does_not_replace_the_error_of_the_block():
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        try:
            with dropping_warnings(DeprecationWarning):
                warnings.warn("kept", UserWarning, stacklevel=1)
                raise RuntimeError("the block failed")
        except RuntimeError as error:
            raised = error

    assert str(raised) == "the block failed"
    assert any("kept" in note for note in raised.__notes__)


def test_no_code_of_posebridge_swaps_the_filters_but_the_clis_entry_point():
    """``catch_warnings`` + ``simplefilter`` swap process-wide filters: the readers that
    refused a parser warning with an "error" filter made other threads' warnings errors.
    The CLI's one block, around the whole command on the main thread, is the exception."""
    import ast
    from pathlib import Path

    import posebridge

    package = Path(posebridge.__file__).parent
    swapping = []
    for path in sorted(package.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and ast.unparse(node.func) in (
                "warnings.catch_warnings",
                "warnings.simplefilter",
                "warnings.filterwarnings",
            ):
                swapping.append(f"{path.relative_to(package).as_posix()}:{node.lineno}")
    assert [place.split(":")[0] for place in swapping] == ["cli/_base.py", "cli/_base.py"]


def test_a_held_warning_given_again_keeps_the_module_a_users_filter_names(tmp_path):
    """posebridge.save holds a writer's warnings until its files are written, then gives
    them again: a filter on the caller's module (``module="__main__"`` in a script) must
    still match, as for the warning warnings.warn gave."""
    import re

    import numpy as np

    import posebridge

    ds = posebridge.from_numpy(np.ones((3, 3, 1, 1)))  # 3-D: its alignment is not written
    ds.attrs["anipose_alignment_center"] = [0.0, 3.0, 0.0]
    with warnings.catch_warnings(record=True) as shown:
        warnings.simplefilter("always")
        posebridge.save(ds, tmp_path / "shown.h5")
    assert any("anipose_alignment_center" in str(w.message) for w in shown)
    with warnings.catch_warnings(record=True) as shown:
        warnings.simplefilter("always")
        warnings.filterwarnings("ignore", category=UserWarning, module=re.escape(__name__))
        posebridge.save(ds, tmp_path / "filtered.h5")
    assert [str(w.message) for w in shown] == []


def test_a_held_warning_made_an_error_stops_the_write_before_its_file_is_placed(tmp_path):
    """Held until the files were placed, a warning the caller's filters make an error was
    raised after the write: the error came with a file written."""
    import numpy as np
    import pytest

    import posebridge

    ds = posebridge.from_numpy(np.ones((3, 3, 1, 1)))  # 3-D: its alignment is not written
    ds.attrs["anipose_alignment_center"] = [0.0, 3.0, 0.0]
    target = tmp_path / "stopped.h5"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(UserWarning, match="anipose_alignment_center"):
            posebridge.save(ds, target)
    assert not target.exists()
    assert list(tmp_path.iterdir()) == []  # no temporary left either


def _while_another_thread_records(check) -> None:
    """Run ``check()`` on this thread, where no recording is open, while another
    thread holds one open."""
    opened, done = threading.Event(), threading.Event()

    def hold_a_recording_open() -> None:
        with recording_warnings():
            opened.set()
            done.wait(timeout=30)

    holder = threading.Thread(target=hold_a_recording_open)
    holder.start()
    try:
        assert opened.wait(timeout=30)
        check()
    finally:
        done.set()
        holder.join(timeout=30)


def test_an_error_filter_raises_on_a_thread_outside_while_another_records():
    """The 'always' filter a recording puts first decided every thread's warnings, and
    the hook showed them: an application's simplefilter("error") raised nothing."""
    raised = []

    def warn_as_errors() -> None:
        for number in range(20):
            try:
                warnings.warn(f"application warning {number}", UserWarning, stacklevel=1)
            except UserWarning as error:
                raised.append(str(error))

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _while_another_thread_records(warn_as_errors)

    assert raised == [f"application warning {number}" for number in range(20)]


def test_ignore_and_default_filters_hold_on_a_thread_outside_while_another_records():
    def warn_here(text: str) -> None:
        warnings.warn(text, UserWarning, stacklevel=1)

    def warn_many() -> None:
        for _ in range(5):
            warn_here("ignored")
            warn_here("shown once")

    with warnings.catch_warnings(record=True) as shown:
        warnings.simplefilter("default")
        warnings.filterwarnings("ignore", message="ignored")
        _while_another_thread_records(warn_many)

    assert _messages(shown) == ["shown once"]


def test_recordings_opened_after_another_threads_block_ended_record_again():
    """Another thread's catch_warnings block, entered before a recording opened and
    left while it was open, put back the filters it saved, without the 'always' filter:
    under an application's "ignore" the recordings opened then (a save's, a batch
    job's) got no warning, and nothing showed them either."""
    for _ in range(5):
        entered, opened, left = threading.Event(), threading.Event(), threading.Event()

        def block(entered=entered, opened=opened, left=left) -> None:
            with warnings.catch_warnings():
                entered.set()
                opened.wait(timeout=30)
            left.set()

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            other = threading.Thread(target=block)
            other.start()
            assert entered.wait(timeout=30)
            with recording_warnings():
                opened.set()
                assert left.wait(timeout=30)
                with recording_warnings() as later:
                    warnings.warn("in the later recording", UserWarning, stacklevel=1)
            other.join(timeout=30)

        assert _messages(later) == ["in the later recording"]
