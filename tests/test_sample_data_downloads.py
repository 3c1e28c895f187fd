"""posebridge._sample_data_downloads: whole, checked downloads into the sample cache, and
zip samples unpacked once however many threads or processes fetch them at once.

The samples come from a real HTTP server on 127.0.0.1 (tests/_sample_server.py),
which can cut a download short, loop a redirect or hang mid-file.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from _sample_server import BOXES_NAME, POSES_NAME, TREX_NAME, publish, serving
from posebridge import sample_data
from posebridge.sample_data import SampleDataError

LOCUSTS = tuple(f"locust_{i}" for i in range(60))
EXPECTED = sorted(f"five-locusts/{locust}.npz" for locust in LOCUSTS)


@pytest.fixture
def sample_server(tmp_path, monkeypatch):
    with serving(tmp_path, monkeypatch) as server:
        yield server


def _environment(server, cache: Path | None = None) -> dict[str, str]:
    return {
        **os.environ,
        "POSEBRIDGE_SAMPLE_URL": server.url,
        "POSEBRIDGE_DATA_DIR": str(cache or server.cache),
        "PYTHONPATH": os.pathsep.join(p for p in sys.path if p),
    }


def _members(folder: Path) -> list[str]:
    files = sorted(folder.rglob("*.npz"))
    assert all(p.read_bytes() == b"not really numpy" for p in files)
    return [p.relative_to(folder).as_posix() for p in files]


def _not_the_network(message: str) -> None:
    assert "need the network" not in message and "needs the network" not in message, message


# --------------------------------------------------------------------------
# zip samples fetched at once


def test_threads_fetching_the_same_zip_sample_at_once_all_get_every_member(
    sample_server, monkeypatch
):
    """The unpacking folder was emptied and filled again by each thread while the
    others read it: a thread got a dataset with locusts missing, or an error."""
    publish(sample_server, locusts=LOCUSTS)
    for attempt in range(3):  # a fresh cache each time: every thread downloads
        monkeypatch.setenv("POSEBRIDGE_DATA_DIR", str(sample_server.cache / str(attempt)))
        start = threading.Barrier(8)
        seen: list[list[str]] = []
        errors: list[BaseException] = []

        def fetch(start=start, seen=seen, errors=errors) -> None:
            try:
                start.wait()
                seen.append(_members(sample_data.fetch_dataset_paths(TREX_NAME)["poses"]))
            except BaseException as error:  # recorded, asserted below
                errors.append(error)

        threads = [threading.Thread(target=fetch) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=300)
        assert not any(thread.is_alive() for thread in threads)
        assert errors == []
        assert seen == [EXPECTED] * 8


def test_processes_fetching_the_same_zip_sample_at_once_all_get_every_member(sample_server):
    publish(sample_server, locusts=LOCUSTS)
    go = sample_server.cache.parent / "go"
    code = textwrap.dedent(
        f"""
        import pathlib, time
        from posebridge import sample_data
        go = pathlib.Path({str(go)!r})
        while not go.exists():
            time.sleep(0.01)
        folder = sample_data.fetch_dataset_paths({TREX_NAME!r})["poses"]
        files = sorted(folder.rglob("*.npz"))
        assert all(p.read_bytes() == b"not really numpy" for p in files)
        print(len(files))
        """
    )
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", code],
            env=_environment(sample_server),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(4)
    ]
    go.touch()  # all start at once, once imported
    outcomes = [process.communicate(timeout=300) for process in processes]
    for process, (out, err) in zip(processes, outcomes, strict=True):
        assert process.returncode == 0, err
        assert out.strip() == str(len(LOCUSTS))
    hidden = sorted(p.name for p in (sample_server.cache / "poses").iterdir())
    assert hidden == [
        f".{TREX_NAME}.unzip.lock",
        f".{TREX_NAME}.unzip.sha256",
        TREX_NAME,
        f"{TREX_NAME}.unzip",
    ]


def _lock_holder(lock_file: Path, ready: Path, flavour: str = "lockf") -> subprocess.Popen:
    """Another program holding a lock on ``lock_file`` until killed."""
    code = textwrap.dedent(
        f"""
        import fcntl, pathlib, time
        handle = open({str(lock_file)!r}, "a+b")
        fcntl.{flavour}(handle, fcntl.LOCK_EX)
        pathlib.Path({str(ready)!r}).touch()
        time.sleep(600)
        """
    )
    process = subprocess.Popen([sys.executable, "-c", code])
    deadline = time.monotonic() + 60
    while not ready.exists() and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.02)
    assert ready.exists(), "the lock holder did not start"
    return process


@pytest.mark.skipif(sys.platform == "win32", reason="needs fcntl")
def test_a_lock_another_program_holds_is_waited_for_a_bounded_time_and_said(
    sample_server, monkeypatch
):
    """Waiting on another program's lock must say so, and end with a clear error."""
    from posebridge import _sample_data_downloads

    publish(sample_server)
    monkeypatch.setattr(_sample_data_downloads, "LOCK_TIMEOUT", 1.0)
    monkeypatch.setattr(_sample_data_downloads, "LOCK_NOTICE", 0.2)
    poses = sample_server.cache / "poses"
    poses.mkdir(parents=True)
    lock_file = poses / f".{TREX_NAME}.unzip.lock"
    holder = _lock_holder(lock_file, sample_server.cache.parent / "held")
    try:
        with (
            pytest.warns(UserWarning, match="Waiting for another process") as noticed,
            pytest.raises(SampleDataError) as caught,
        ):
            sample_data.fetch_dataset_paths(TREX_NAME)
    finally:
        holder.kill()
        holder.wait(timeout=30)
    assert str(lock_file) in str(noticed[0].message)
    message = str(caught.value)
    assert f"Gave up unpacking the sample archive {poses / TREX_NAME} after waiting 1 s" in message
    assert str(lock_file) in message and "another program" in message
    _not_the_network(message)
    assert not (poses / f"{TREX_NAME}.unzip").exists()
    assert _members(sample_data.fetch_dataset_paths(TREX_NAME)["poses"]) == [
        "five-locusts/locust_0.npz"
    ]


@pytest.mark.skipif(sys.platform == "win32", reason="needs fcntl")
def test_another_programs_flock_does_not_stop_unpacking(sample_server):
    """flock and the record lock we take do not meet: another program's flock on the lock
    file does not make us wait."""
    publish(sample_server)
    poses = sample_server.cache / "poses"
    poses.mkdir(parents=True)
    holder = _lock_holder(
        poses / f".{TREX_NAME}.unzip.lock", sample_server.cache.parent / "held", "flock"
    )
    try:
        folder = sample_data.fetch_dataset_paths(TREX_NAME)["poses"]
    finally:
        holder.kill()
        holder.wait(timeout=30)
    assert _members(folder) == ["five-locusts/locust_0.npz"]


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_a_process_forked_while_a_thread_holds_the_unpacking_lock_neither_keeps_nor_blocks_it(
    sample_server, tmp_path
):
    """f144's folder locks: a child forked while a thread held the lock kept it for good.
    Here the child neither holds the parent's lock (another process gets it once the
    parent lets go, while the child still runs) nor inherits a lock it can never take."""
    archive = tmp_path / "x.zip"
    archive.write_bytes(b"")
    other = tmp_path / "other.py"  # another process taking the lock
    other.write_text(
        textwrap.dedent(
            f"""
            import pathlib
            from posebridge import _sample_data_downloads as downloads
            downloads.LOCK_TIMEOUT = 20.0
            with downloads._unpacking_lock(pathlib.Path({str(archive)!r})):
                print("got it")
            """
        )
    )
    script = textwrap.dedent(
        f"""
        import os, pathlib, subprocess, sys, threading, time
        from posebridge import _sample_data_downloads as downloads
        downloads.LOCK_TIMEOUT = 60.0
        archive = pathlib.Path({str(archive)!r})
        entered, release = threading.Event(), threading.Event()

        def hold():
            with downloads._unpacking_lock(archive):
                entered.set()
                release.wait()

        holder = threading.Thread(target=hold)
        holder.start()
        entered.wait()
        idle = os.fork()
        if idle == 0:  # a child going on with other work, holding nothing
            time.sleep(120)
            os._exit(0)
        taker = os.fork()
        if taker == 0:  # a child needing the lock: it waits for the parent, then gets it
            try:
                with downloads._unpacking_lock(archive):
                    pass
            except BaseException as error:
                print("child:", error, flush=True)
                os._exit(1)
            os._exit(0)
        time.sleep(0.5)
        release.set()
        holder.join()
        done = subprocess.run(
            [sys.executable, {str(other)!r}], capture_output=True, text=True, timeout=120
        )
        print(done.stdout.strip() or done.stderr.strip()[-300:], flush=True)
        _, status = os.waitpid(taker, 0)
        print("taker", os.waitstatus_to_exitcode(status), flush=True)
        os.kill(idle, 9)
        os.waitpid(idle, 0)
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        env=_environment(sample_server),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["got it", "taker 0"], done.stdout


# --------------------------------------------------------------------------
# downloads cut short, killed, and their files


def _without_sum(server, name: str) -> None:
    import yaml

    metadata = yaml.safe_load((server.root / "metadata.yaml").read_text())
    metadata[name]["sha256sum"] = None
    (server.root / "metadata.yaml").write_text(yaml.safe_dump(metadata, sort_keys=False))


def test_an_unchecked_sample_cut_short_against_its_length_is_refused_and_not_kept(sample_server):
    """With no sum to check, a download shorter than its Content-Length was cached."""
    written = publish(sample_server)[BOXES_NAME]
    _without_sum(sample_server, BOXES_NAME)
    sample_server.faults[f"/bboxes/{BOXES_NAME}"] = ("sized",)
    with pytest.warns(UserWarning, match="no sha256"), pytest.raises(SampleDataError) as caught:
        sample_data.fetch_dataset(BOXES_NAME)
    message = str(caught.value)
    assert f"download of {sample_server.url}/bboxes/{BOXES_NAME}" in message
    assert "was cut short" in message and "try again" in message
    _not_the_network(message)
    assert sorted(p.name for p in (sample_server.cache / "bboxes").iterdir()) == []
    del sample_server.faults[f"/bboxes/{BOXES_NAME}"]
    with pytest.warns(UserWarning, match="no sha256"):
        ds = sample_data.fetch_dataset(BOXES_NAME)
    np.testing.assert_array_equal(ds.shape.values, written.shape.values)


def test_a_connection_closed_without_an_answer_is_tried_again(sample_server):
    """A busy server closing a connection before answering failed the fetch at once,
    said to need the network."""
    written = publish(sample_server)[POSES_NAME]
    sample_server.faults["/metadata.yaml"] = ("drop",)
    sample_server.faults[f"/poses/{POSES_NAME}"] = ("drop",)
    ds = sample_data.fetch_dataset(POSES_NAME)
    np.testing.assert_array_equal(ds.position.values, written.position.values)
    assert sample_server.requests.count("/metadata.yaml") == 2
    assert sample_server.requests.count(f"/poses/{POSES_NAME}") == 2


def test_a_killed_download_leaves_no_temporary_behind(sample_server):
    """pooch's tmpXXXXXXXX of a killed download stayed in the cache folder for good."""
    written = publish(sample_server)[POSES_NAME]
    sample_data.list_datasets()
    sample_server.faults[f"/poses/{POSES_NAME}"] = ("hang",)  # half the file, then waits
    code = f"from posebridge import sample_data; sample_data.fetch_dataset({POSES_NAME!r})"
    process = subprocess.Popen([sys.executable, "-c", code], env=_environment(sample_server))
    folder = sample_server.cache / "poses"
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and process.poll() is None:  # until a part arrived
            if folder.is_dir() and any(p.stat().st_size for p in folder.iterdir()):
                break
            time.sleep(0.05)
        assert any(folder.iterdir()), "the download never started"
    finally:
        process.kill()
        process.wait(timeout=30)
    left = [p.name for p in folder.iterdir()]
    assert len(left) == 1 and ".posebridge-tmp-" in left[0]  # what the kill left
    del sample_server.faults[f"/poses/{POSES_NAME}"]
    ds = sample_data.fetch_dataset(POSES_NAME)
    np.testing.assert_array_equal(ds.position.values, written.position.values)
    assert sorted(p.name for p in folder.iterdir()) == [POSES_NAME]


def test_downloaded_samples_have_the_permissions_the_umask_gives(sample_server):
    """Samples were saved 0600 (pooch's temporary), unreadable in a shared lab cache."""
    publish(sample_server)
    mask = os.umask(0o002)
    try:
        paths = sample_data.fetch_dataset_paths(POSES_NAME)
        folder = sample_data.fetch_dataset_paths(TREX_NAME)["poses"]
    finally:
        os.umask(mask)
    member = next(folder.rglob("*.npz"))
    for path in (paths["poses"], paths["frame"], sample_server.cache / "metadata.yaml", member):
        assert path.stat().st_mode & 0o777 == 0o664, path


#: An ordinary user's view of file permissions for a command (root without its
#: permission bypass); ``None`` when that cannot be had here.
_AS_USER = (
    []
    if os.geteuid() != 0
    else ["setpriv", "--bounding-set", "-dac_override,-dac_read_search,-fowner"]
    if __import__("shutil").which("setpriv")
    else None
)


@pytest.mark.skipif(_AS_USER is None, reason="root without setpriv: permissions not checked")
def test_a_folder_unpacked_by_an_earlier_release_is_used_in_a_read_only_cache(tmp_path):
    """No stamp beside it (the earlier release wrote none) and a cache that cannot be
    written: the folder holding every member is used, not unpacked again (which fails)."""
    import zipfile

    cache = tmp_path / "cache"
    (cache / "x.zip.unzip" / "sub").mkdir(parents=True)
    with zipfile.ZipFile(cache / "x.zip", "w") as archive:
        archive.writestr("m.txt", "a\n")
        archive.writestr("sub/n.txt", "b\n")
    (cache / "x.zip.unzip" / "m.txt").write_text("a\n")
    (cache / "x.zip.unzip" / "sub" / "n.txt").write_text("b\n")
    script = (
        "import sys; from pathlib import Path\n"
        "from posebridge._sample_data_downloads import unpacked\n"
        "print(unpacked(Path(sys.argv[1]), None))\n"
    )
    source = str(Path(sample_data.__file__).parents[1])
    cache.chmod(0o555)
    try:
        done = subprocess.run(
            [*_AS_USER, sys.executable, "-c", script, str(cache / "x.zip")],
            capture_output=True,
            text=True,
            timeout=120,
            env={**os.environ, "PYTHONPATH": source},
        )
    finally:
        cache.chmod(0o755)
    assert done.stdout.strip() == str(cache / "x.zip.unzip"), done.stderr
    assert sorted(p.name for p in cache.iterdir()) == ["x.zip", "x.zip.unzip"]
