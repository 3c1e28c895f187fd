"""Tests of posebridge._outputs with several writers of one target at once (threads and
processes): an NWB append is kept or refused, never silently lost, and a set of outputs
(one file per individual) on disk is always one save's whole set.

The slow steps between the check and the renames (the flush, and the renames of a set
one by one) are made a little slower here, so that writers that do not take turns
overlap there in every round, as they do in some rounds without it.
"""

from __future__ import annotations

import multiprocessing
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest

import posebridge
from posebridge import _outputs

pytestmark = pytest.mark.filterwarnings("ignore")

#: Rounds of each looped test; writers that do not take turns lose an append in each.
ROUNDS = 3
#: Writers at once.
WRITERS = 3


def _one(name: str, shift: float = 0.0):
    rng = np.random.default_rng(len(name))
    return posebridge.from_numpy(
        rng.uniform(size=(4, 2, 2, 1)) + shift, fps=10.0, individual_names=[name]
    )


@pytest.fixture
def slow_flush(monkeypatch):
    """The flush before the renames takes 0.1 s longer (a large file, a slow disk)."""
    flushed = _outputs._flushed

    def slowly(temporaries, targets):
        time.sleep(0.1)
        return flushed(temporaries, targets)

    monkeypatch.setattr(_outputs, "_flushed", slowly)


def _append(path: Path, name: str, barrier) -> str:
    barrier.wait(60)
    try:
        posebridge.save(_one(name), path, append=True)
    except posebridge.PoseBridgeError as error:
        assert str(path) in str(error) and "was changed (or replaced)" in str(error)
        return "refused"
    return "appended"


def _in_child(path: Path, name: str, barrier, results) -> None:
    results.put((name, _append(path, name, barrier)))


def _check_round(path: Path, outcomes: dict[str, str]) -> None:
    in_file = [str(i) for i in posebridge.load(path).individual.values]
    appended = sorted(name for name, outcome in outcomes.items() if outcome == "appended")
    assert len(outcomes) == WRITERS
    assert sorted(in_file[1:]) == appended, (outcomes, in_file)  # none lost
    assert appended  # one of them went first


@pytest.mark.usefixtures("slow_flush")
def test_concurrent_appends_from_threads_are_each_kept_or_refused(tmp_path):
    for round_ in range(ROUNDS):
        path = tmp_path / f"s{round_}.nwb"
        posebridge.save(_one("first"), path)
        barrier = threading.Barrier(WRITERS)
        outcomes: dict[str, str] = {}

        def run(name: str, path: Path = path, barrier=barrier, outcomes=outcomes) -> None:
            outcomes[name] = _append(path, name, barrier)

        threads = [threading.Thread(target=run, args=(f"w{k}",)) for k in range(WRITERS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(120)
        _check_round(path, outcomes)


@pytest.mark.skipif(sys.platform == "win32", reason="fork: POSIX only")
@pytest.mark.usefixtures("slow_flush")
def test_concurrent_appends_from_processes_are_each_kept_or_refused(tmp_path):
    context = multiprocessing.get_context("fork")
    for round_ in range(ROUNDS):
        path = tmp_path / f"s{round_}.nwb"
        posebridge.save(_one("first"), path)
        barrier, results = context.Barrier(WRITERS), context.Queue()
        children = [
            context.Process(target=_in_child, args=(path, f"p{k}", barrier, results))
            for k in range(WRITERS)
        ]
        for child in children:
            child.start()
        outcomes = dict(results.get(timeout=120) for _ in children)
        for child in children:
            child.join(60)
            assert child.exitcode == 0
        _check_round(path, outcomes)


@pytest.mark.parametrize(
    ("name", "options"),
    [("o.csv", {"format": "lp", "split_individuals": True}), ("o.nwb", {})],
)
def test_concurrent_saves_of_one_split_output_leave_one_saves_whole_set(
    tmp_path, monkeypatch, name, options
):
    """README: several outputs (one file per individual) are renamed together.

    The writer named ``first`` waits after its first rename until ``second`` renamed
    one (at most a second); ``second`` waits before its first rename until ``first``
    renamed one. Writers that do not take turns then end with ``second``'s first file and
    ``first``'s others: a mix.
    """
    place = _outputs._place
    turns = {"first": threading.Event(), "second": threading.Event()}

    def in_turns(temporary, target, overwrite):
        me = threading.current_thread().name
        first_rename = not turns[me].is_set()
        if me == "second" and first_rename:
            turns["first"].wait(1.0)
        place(temporary, target, overwrite)
        turns[me].set()
        if me == "first" and first_rename:
            turns["second"].wait(1.0)

    monkeypatch.setattr(_outputs, "_place", in_turns)
    rng = np.random.default_rng(3)
    saves = {
        who: posebridge.from_numpy(
            rng.uniform(size=(4, 2, 2, 3)) + 1000.0 * k, fps=10.0, individual_names=list("abc")
        )
        for k, who in enumerate(turns)
    }
    fmt = options.get("format")
    for round_ in range(ROUNDS):
        for turn in turns.values():
            turn.clear()
        folder = tmp_path / str(round_)
        folder.mkdir()
        errors: list[BaseException] = []

        def run(folder: Path = folder, errors=errors) -> None:
            who = threading.current_thread().name
            try:
                posebridge.save(saves[who], folder / name, overwrite=True, **options)
            except BaseException as error:  # reported below
                errors.append(error)

        threads = [threading.Thread(target=run, name=who) for who in turns]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(120)
        assert not errors
        files = sorted(folder.iterdir())
        assert len(files) == 3, files
        origins = {int(np.nanmax(posebridge.load(f, fmt).position.values)) // 1000 for f in files}
        assert len(origins) == 1, (round_, files, origins)  # one save's whole set


@pytest.mark.skipif(sys.platform == "win32", reason="fork and flock: POSIX only")
def test_a_process_forked_while_a_folder_is_locked_does_not_keep_it_locked(tmp_path):
    """A child forked while another thread places files would otherwise hold the
    folder's lock as long as it runs, and every writer there would wait for it."""
    entered, release = threading.Event(), threading.Event()

    def hold() -> None:
        with _outputs._placing_in([tmp_path]):
            entered.set()
            release.wait(30)

    holder = threading.Thread(target=hold)
    holder.start()
    assert entered.wait(30)
    child = multiprocessing.get_context("fork").Process(target=time.sleep, args=(30,))
    child.start()
    try:
        release.set()
        holder.join(30)
        probe = subprocess.run(
            [
                sys.executable,
                "-c",
                "import fcntl, os, sys; "
                "fcntl.flock(os.open(sys.argv[1], os.O_RDONLY), fcntl.LOCK_EX | fcntl.LOCK_NB)",
                str(tmp_path),
            ],
            capture_output=True,
            text=True,
            timeout=60,
        )
    finally:
        child.terminate()
        child.join(30)
    assert probe.returncode == 0, probe.stderr  # the lock is free once the thread is done
    posebridge.save(_one("a"), tmp_path / "after.nwb")
