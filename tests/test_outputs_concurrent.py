"""Tests of posebridge._outputs with several writers of one target at once, in real
threads and processes: NWB appends to one file at once each wait their turn and are all
in the file; only appends lock: a plain save of a set of files does not wait for a lock."""

from __future__ import annotations

import multiprocessing
import sys
import threading
from pathlib import Path

import numpy as np
import pytest

import posebridge
from posebridge._write_locks import LOCK_MARK, WAIT_VARIABLE, held_for_writing

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


def test_a_plain_save_of_a_set_does_not_wait_for_the_lock_of_an_append(tmp_path, monkeypatch):
    """Only appends take turns: a save of several files (one per individual) is not held
    up by a write lock another thread holds on one of them (no lock per written file)."""
    names = [f"i{k}" for k in range(SPLIT_FILES)]
    ds = posebridge.from_numpy(np.ones((3, 2, 2, len(names))), fps=10.0, individual_names=names)
    target = tmp_path / "o_i0.csv"
    holding, done = threading.Event(), threading.Event()

    def hold() -> None:
        with held_for_writing([target]):
            holding.set()
            done.wait(120)

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert holding.wait(60)
        monkeypatch.setenv(WAIT_VARIABLE, "0.2")
        posebridge.save(ds, tmp_path / "o.csv", format="lp", split_individuals=True)
        written = sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith("."))
        assert len(written) == SPLIT_FILES and "o_i0.csv" in written, written
        assert [p.name for p in tmp_path.iterdir() if p.name.endswith(LOCK_MARK)] == [
            f".o_i0.csv{LOCK_MARK}"
        ]  # the holder's own, and no other
    finally:
        done.set()
        holder.join(60)
