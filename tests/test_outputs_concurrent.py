"""Tests of posebridge._outputs with several writers of one target at once, in real
threads and processes: NWB appends to one file at once each wait their turn and are all
in the file, and of several saves of one split set (a file per individual) the set on
disk is always one save's whole set."""

from __future__ import annotations

import multiprocessing
import os
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest

import posebridge
from posebridge._write_locks import LOCK_MARK

pytestmark = pytest.mark.filterwarnings("ignore")

#: Writers at once.
WRITERS = 3
#: Rounds of each looped test (writers without turns lose appends in most rounds).
ROUNDS = 2
#: Files of a split set (one per individual).
SPLIT_FILES = 30


def _one(name: str, shift: float = 0.0):
    rng = np.random.default_rng(len(name))
    return posebridge.from_numpy(
        rng.uniform(size=(4, 2, 2, 1)) + shift, fps=10.0, individual_names=[name]
    )


def _append(path: Path, name: str, barrier) -> str:
    barrier.wait(120)
    try:
        posebridge.save(_one(name), path, append=True)
    except posebridge.PoseBridgeError as error:
        return f"refused: {error}"
    return "appended"


def _in_child(path: Path, name: str, barrier, results) -> None:
    results.put((name, _append(path, name, barrier)))


def _all_appended(path: Path, outcomes: dict[str, str]) -> None:
    assert outcomes == dict.fromkeys(outcomes, "appended"), outcomes
    assert len(outcomes) == WRITERS
    in_file = [str(i) for i in posebridge.load(path).individual.values]
    assert in_file[0] == "first"
    assert sorted(in_file[1:]) == sorted(outcomes), (outcomes, in_file)  # none lost
    assert not [p.name for p in path.parent.iterdir() if p.name.endswith(LOCK_MARK)]


@pytest.mark.skipif(sys.platform == "win32", reason="fork: POSIX only")
def test_appends_to_one_nwb_from_processes_at_once_are_all_in_the_file(tmp_path):
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
        outcomes = dict(results.get(timeout=300) for _ in children)
        for child in children:
            child.join(60)
            assert child.exitcode == 0
        _all_appended(path, outcomes)


def test_appends_to_one_nwb_from_threads_at_once_are_all_in_the_file(tmp_path):
    for round_ in range(ROUNDS):
        path = tmp_path / f"s{round_}.nwb"
        posebridge.save(_one("first"), path)
        barrier = threading.Barrier(WRITERS)
        outcomes: dict[str, str] = {}

        def run(name: str, path: Path = path, barrier=barrier, outcomes=outcomes) -> None:
            outcomes[name] = _append(path, name, barrier)

        threads = [threading.Thread(target=run, args=(f"t{k}",)) for k in range(WRITERS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(300)
        _all_appended(path, outcomes)


def _slow_renames(seconds: float):
    """A profile hook: each rename or hard link takes ``seconds`` longer (a slow disk)."""

    def hook(frame, event: str, arg) -> None:
        if event == "c_call" and (arg is os.replace or arg is os.link):
            time.sleep(seconds)

    return hook


def _save_set(folder: Path, shift: float, barrier, rounds: int) -> None:
    """Save a set of files round after round: the first writer (shift 1) renames slowly;
    the second starts a little later and renames fast, so that without turns it renames
    its whole set while the first is renaming its own."""
    names = [f"i{k}" for k in range(SPLIT_FILES)]
    ds = posebridge.from_numpy(
        np.full((3, 2, 2, len(names)), shift), fps=10.0, individual_names=names
    )
    first = shift == 1.0
    sys.setprofile(_slow_renames(0.03 if first else 0.001))  # slowed, not replaced
    for round_ in range(rounds):
        barrier.wait(120)
        if not first:
            time.sleep(0.2)
        posebridge.save(
            ds,
            folder / f"r{round_}" / "o.csv",
            format="lp",
            split_individuals=True,
            overwrite=True,
        )
        barrier.wait(120)


@pytest.mark.skipif(sys.platform == "win32", reason="fork: POSIX only")
def test_saves_of_one_split_set_from_processes_at_once_leave_one_saves_whole_set(tmp_path):
    """Two processes save a set of files (one per individual) at once, round after round,
    one renaming slowly, the other fast (:func:`_save_set`): without turns they
    interleave and the set on disk is a mix of both."""
    rounds = 4
    for round_ in range(rounds):
        (tmp_path / f"r{round_}").mkdir()
    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(2)
    children = [
        context.Process(target=_save_set, args=(tmp_path, shift, barrier, rounds))
        for shift in (1.0, 2.0)
    ]
    for child in children:
        child.start()
    for child in children:
        child.join(300)
        assert child.exitcode == 0
    for round_ in range(rounds):
        files = sorted((tmp_path / f"r{round_}").iterdir())
        assert len(files) == SPLIT_FILES, [f.name for f in files]
        origins = {float(np.nanmax(posebridge.load(f, "lp").position.values)) for f in files}
        assert len(origins) == 1, (round_, origins)  # one save's whole set
