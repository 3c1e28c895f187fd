"""Fault injection into every writer: the old file survives, the error is clean.

- a file-size limit (``RLIMIT_FSIZE`` in a child process, ``SIGXFSZ`` ignored),
- a full disk (a 4 MiB tmpfs filled up; root only, skipped otherwise),
- a folder that cannot be written (``chmod``; as root, where permissions do not
  stop writes, ``chattr +i`` makes the folder immutable, or the test is skipped),
- ``SIGKILL`` in the middle of ``save(overwrite=True)`` (a forked child),

each leaves the previous file byte-identical (or, for SIGKILL, the previous or
the new file complete), no temporary behind after the next write, and (for
the first two) a :class:`PoseBridgeError` that names the target and the cause.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import time
import warnings
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

import posebridge
from posebridge import model
from posebridge._temporaries import TEMPORARY_MARK, stale_temporaries, temporary_twin
from posebridge.model import labels

#: format -> file name of its output.
TARGETS = {
    "dlc": "poses.h5",
    "dlc-csv": "poses.csv",
    "lp": "poses.csv",
    "sleap": "poses.analysis.h5",
    "slp": "poses.slp",
    "anipose": "poses.csv",
    "via": "boxes.csv",
    "nwb": "poses.nwb",
    "netcdf": "poses.nc",
}


def dataset(fmt: str, seed: int):
    """A small dataset each format holds (2D two animals, 3D one, boxes, one-animal)."""
    rng = np.random.default_rng(seed)
    frames = 120
    if fmt == "via":
        return model.bboxes_from_numpy(
            rng.random((frames, 2, 3)) * 100 + 10,
            rng.random((frames, 2, 3)) * 10 + 1,
            rng.random((frames, 3)),
        )
    if fmt == "anipose":
        return posebridge.from_numpy(rng.random((frames, 3, 4, 1)), rng.random((frames, 4, 1)))
    individuals = 1 if fmt in ("lp", "nwb") else 2
    return posebridge.from_numpy(
        rng.random((frames, 2, 4, individuals)) * 100,
        rng.random((frames, 4, individuals)),
        fps=30.0 if fmt == "nwb" else None,
    )


def save(fmt: str, seed: int, target: Path) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        posebridge.save(dataset(fmt, seed), target, fmt.split("-")[0], overwrite=True)


def write_old(folder: Path) -> dict[str, tuple[Path, bytes]]:
    """Each format's output written once (the 'previous file'); format -> (path, bytes)."""
    old = {}
    for fmt, name in TARGETS.items():
        target = folder / fmt / name
        target.parent.mkdir(parents=True, exist_ok=True)
        save(fmt, 1, target)
        old[fmt] = (target, target.read_bytes())
    return old


def leftovers(target: Path) -> list[str]:
    return sorted(p.name for p in target.parent.iterdir() if p != target)


CHILD = """
import json, resource, signal, sys
sys.path.insert(0, sys.argv[1])
import test_faults
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
jobs = json.loads(sys.argv[2])
for fmt, target, limit in jobs:
    if isinstance(limit, float):  # a fraction of the new file's size, as this process writes it
        path = test_faults.Path(target)
        scratch = path.parent.parent / "scratch" / path.name
        scratch.parent.mkdir(exist_ok=True)
        test_faults.save(fmt, 2, scratch)
        limit = max(1, int(scratch.stat().st_size * limit))
        scratch.unlink()
    if limit > 0:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, resource.RLIM_INFINITY))
    try:
        test_faults.save(fmt, 2, test_faults.Path(target))
        report = {"outcome": "ok"}
    except test_faults.posebridge.PoseBridgeError as error:
        report = {"outcome": "error", "message": str(error)}
    except BaseException as error:
        report = {"outcome": "raw", "message": f"{type(error).__name__}: {error}"}
    resource.setrlimit(resource.RLIMIT_FSIZE, (resource.RLIM_INFINITY,) * 2)
    print(json.dumps([fmt, limit, report]), flush=True)
"""


def test_file_size_limit_gives_a_clean_error_and_keeps_the_old_file(tmp_path):
    old = write_old(tmp_path)
    jobs = []
    for fmt, (target, _) in old.items():
        # bytes, then fractions of the new file's size (measured in the child: NWB files
        # cache the namespaces a process has loaded, so sizes differ between processes)
        for limit in (1000, 1 / 3, 2 / 3, 0.97):
            jobs.append((fmt, str(target), limit))
    reports = _run_child(jobs)
    assert [r["outcome"] for _, _, r in reports] == ["error"] * len(jobs), reports
    shutil.rmtree(tmp_path / "scratch")
    for fmt, limit, report in reports:
        target, data = old[fmt]
        assert str(target) in report["message"], (fmt, limit, report)
        assert "too large" in report["message"], (fmt, limit, report)
        assert TEMPORARY_MARK not in report["message"], (fmt, limit, report)
        assert target.read_bytes() == data, (fmt, limit)
        assert leftovers(target) == [], (fmt, limit)


def _run_child(jobs: list) -> list:
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(Path(__file__).parent), json.dumps(jobs)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]  # no signal, no crash at exit
    reports = [json.loads(line) for line in done.stdout.splitlines()]
    assert len(reports) == len(jobs), done.stderr[-3000:]
    return reports


@pytest.fixture
def small_disk(tmp_path):
    """A 4 MiB tmpfs (root only), unmounted afterwards."""
    mount = tmp_path / "disk"
    mount.mkdir()
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("a full disk is made with a small tmpfs, which needs root")
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mount)],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here: {done.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], check=True)


def test_full_disk_gives_a_clean_error_and_keeps_the_old_file(small_disk):
    old = write_old(small_disk)
    with open(small_disk / "filler", "wb", buffering=0) as filler:  # take every free block
        block = bytes(1 << 16)
        try:
            while True:
                filler.write(block)
        except OSError:
            pass
        for size in (4096, 512, 64, 1):
            try:
                while True:
                    filler.write(bytes(size))
            except OSError:
                pass
    jobs = [(fmt, str(target), 0) for fmt, (target, _) in old.items()]
    for fmt, _, report in _run_child(jobs):
        target, data = old[fmt]
        assert report["outcome"] == "error", (fmt, report)
        assert str(target) in report["message"], (fmt, report)
        assert "disk is full" in report["message"], (fmt, report)
        assert target.read_bytes() == data, fmt
        assert leftovers(target) == [], fmt


@pytest.mark.parametrize("room", [0.2, 0.5, 0.8])
@pytest.mark.parametrize("name", ["poses.h5", "CollectedData_me.h5"])
def test_a_disk_filling_up_during_a_dlc_h5_write_gives_a_clean_error(
    small_disk, tmp_path, room, name
):
    """PyTables reports no error when the disk fills up during its write: save returned
    and the previous file was replaced by one whose last rows read as frame 0."""
    rng = np.random.default_rng(7)
    big = posebridge.from_numpy(rng.random((12_000, 2, 4, 2)) * 100, rng.random((12_000, 4, 2)))
    if name.startswith("CollectedData"):  # labels: pandas' fixed layout
        images = [f"labeled-data/v/img{i:05d}.png" for i in range(3000)]
        big = labels.from_numpy(rng.random((3000, 2, 4, 2)) * 100, image_path=images)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        (sized,) = posebridge.save(big, tmp_path / name)
        target = small_disk / name
        posebridge.save(big.isel(time=slice(0, 10)), target)  # the previous file
    data = target.read_bytes()
    free = shutil.disk_usage(small_disk).free
    wanted = int(sized.stat().st_size * room)
    assert free > wanted, "the tmpfs is too small for this test"
    (small_disk / "filler").write_bytes(bytes(free - wanted))
    with (
        pytest.raises(posebridge.PoseBridgeError, match="could not be written") as caught,
        warnings.catch_warnings(),
    ):
        warnings.simplefilter("ignore")
        posebridge.save(big, target, overwrite=True)
    assert str(target) in str(caught.value)
    assert TEMPORARY_MARK not in str(caught.value)
    assert target.read_bytes() == data
    assert leftovers(target) == ["filler"]


def _make_read_only(folder: Path) -> str:
    """Make ``folder`` refuse new files; returns how, or skips the test."""
    if os.geteuid() != 0:
        folder.chmod(0o555)
        return "chmod"
    if shutil.which("chattr") is None:
        pytest.skip("running as root (permissions do not stop root) and chattr is missing")
    done = subprocess.run(["chattr", "+i", str(folder)], capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"running as root and chattr +i is not supported here: {done.stderr}")
    return "chattr"


def _undo_read_only(folder: Path, how: str) -> None:
    if how == "chattr":
        subprocess.run(["chattr", "-i", str(folder)], check=True)
    else:
        folder.chmod(0o755)


@pytest.mark.parametrize("fmt", list(TARGETS))
def test_read_only_folder_gives_a_clean_error_and_keeps_the_old_file(tmp_path, fmt):
    target = tmp_path / TARGETS[fmt]
    save(fmt, 1, target)
    data = target.read_bytes()
    how = _make_read_only(tmp_path)
    try:
        with pytest.raises(posebridge.PoseBridgeError) as caught:
            save(fmt, 2, target)
    finally:
        _undo_read_only(tmp_path, how)
    message = str(caught.value)
    assert str(target) in message
    assert TEMPORARY_MARK not in message
    assert "permission denied" in message or "not permitted" in message
    assert target.read_bytes() == data
    assert leftovers(target) == []


def test_dlc_h5_on_a_read_only_file_system_names_it_not_permission_denied(tmp_path, monkeypatch):
    """h138 finding 1: PyTables checks the folder's rights itself and raises a
    PermissionError with no errno; on a read-only mount that is "the file system is
    read-only", as every other writer says (a read-only mount is faked here: it needs
    root and mount)."""
    target = tmp_path / "poses.h5"
    save("dlc", 1, target)
    data = target.read_bytes()
    real_access, real_statvfs = os.access, os.statvfs

    def access(path, mode, *args, **kwargs):
        if mode & os.W_OK and Path(path) == tmp_path:
            return False
        return real_access(path, mode, *args, **kwargs)

    class ReadOnlyMount:
        def __init__(self, real):
            self._real = real
            self.f_flag = real.f_flag | os.ST_RDONLY

        def __getattr__(self, name):
            return getattr(self._real, name)

    def statvfs(path):
        found = real_statvfs(path)
        return ReadOnlyMount(found) if Path(path) == tmp_path else found

    monkeypatch.setattr(os, "access", access)
    monkeypatch.setattr(os, "statvfs", statvfs)
    with pytest.raises(posebridge.PoseBridgeError) as caught:
        save("dlc", 2, target)
    message = str(caught.value)
    assert str(target) in message
    assert "the file system is read-only" in message
    assert "permission denied" not in message
    monkeypatch.undo()
    assert target.read_bytes() == data


def test_read_only_folder_nwb_append_keeps_the_file(tmp_path):
    target = tmp_path / "poses.nwb"
    save("nwb", 1, target)
    data = target.read_bytes()
    extra = dataset("nwb", 2).assign_coords(individual=["other"])
    how = _make_read_only(tmp_path)
    try:
        with pytest.raises(posebridge.PoseBridgeError, match="poses.nwb"):
            posebridge.save(extra, target, append=True)
    finally:
        _undo_read_only(tmp_path, how)
    assert target.read_bytes() == data
    assert leftovers(target) == []


def _equal(a, b) -> bool:
    return np.allclose(
        a["position"].values, b["position"].values, equal_nan=True, rtol=1e-6, atol=1e-6
    )


def _kill_mid_save(fmt: str, target: Path, delay: float) -> None:
    """Fork a child that saves to ``target`` in a loop; SIGKILL it after ``delay`` s."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child never returns to pytest
        try:
            os.close(read)
            os.write(write, b"go")
            seed = 2
            while True:
                save(fmt, seed, target)
                seed = 5 - seed  # 2, 3, 2, ...
        finally:
            os._exit(0)
    os.close(write)
    os.read(read, 2)
    os.close(read)
    time.sleep(delay)
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)


@pytest.mark.filterwarnings("ignore:This process .* is multi-threaded")
@pytest.mark.parametrize("fmt", list(TARGETS))
def test_sigkill_mid_save_leaves_a_complete_file(tmp_path, fmt):
    target = tmp_path / TARGETS[fmt]
    save(fmt, 1, target)
    kind = fmt.split("-")[0]
    expected = [dataset(fmt, seed) for seed in (1, 2, 3)]
    for delay in (0.05, 0.13, 0.31):
        _kill_mid_save(fmt, target, delay)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            got = posebridge.load(target, kind)
        assert any(_equal(got, e) for e in expected), (fmt, delay)
    # the next write removes what the killed processes left
    save(fmt, 1, target)
    assert stale_temporaries(target) == []
    assert leftovers(target) == []


@pytest.mark.filterwarnings("ignore:This process .* is multi-threaded")
def test_sigkill_mid_append_keeps_the_nwb_file(tmp_path):
    target = tmp_path / "poses.nwb"
    save("nwb", 1, target)
    data = target.read_bytes()
    extra = dataset("nwb", 2).assign_coords(individual=["other"])
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                posebridge.save(extra, target, append=True)
        finally:
            os._exit(0)
    time.sleep(0.2)
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    now = target.read_bytes()
    if now != data:  # the append finished before the kill: the new file is complete
        names = posebridge.load(target, "nwb")["individual"].values.tolist()
        assert "other" in names
    save("netcdf", 1, tmp_path / "other.nc")  # unrelated target: its stale files stay
    posebridge.save(dataset("nwb", 1), target, overwrite=True)
    assert leftovers(target) == ["other.nc"]


def test_stale_temporaries_of_a_running_process_are_kept(tmp_path):
    target = tmp_path / "poses.csv"
    mine = tmp_path / f".poses{TEMPORARY_MARK}{os.getpid()}-0123abcd.csv"
    mine.write_text("in progress")
    gone = tmp_path / f".poses{TEMPORARY_MARK}{2**22 + 12345}-0123abcd.csv"
    gone.write_text("left by a killed process")
    assert stale_temporaries(target) == [gone]
    save("dlc-csv", 1, target)
    assert mine.exists() and not gone.exists()


# -- symbolic links ----------------------------------------------------------


@pytest.mark.parametrize("fmt", ["dlc", "dlc-csv", "nwb", "netcdf"])
def test_overwriting_through_a_symbolic_link_replaces_the_linked_file_and_keeps_the_link(
    tmp_path, fmt
):
    store = tmp_path / "store"
    store.mkdir()
    real = store / TARGETS[fmt]
    save(fmt, 1, real)
    link = tmp_path / TARGETS[fmt]
    link.symlink_to(real)
    save(fmt, 2, link)
    assert link.is_symlink() and link.resolve() == real.resolve()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        written = posebridge.load(real, fmt.split("-")[0])
    np.testing.assert_allclose(written.position.values, dataset(fmt, 2).position.values)
    assert leftovers(link) == ["store"] and leftovers(real) == []


def test_saving_to_a_dangling_link_creates_the_file_it_names_with_overwrite(tmp_path):
    link = tmp_path / "poses.csv"
    link.symlink_to(tmp_path / "elsewhere.csv")
    posebridge.save(dataset("dlc", 1), link, overwrite=True)
    assert link.is_symlink() and (tmp_path / "elsewhere.csv").is_file()
    assert posebridge.load(tmp_path / "elsewhere.csv").sizes["time"] == 120


def test_existing_linked_file_is_not_overwritten_without_overwrite(tmp_path):
    (tmp_path / "real.csv").write_text("keep me")
    link = tmp_path / "poses.csv"
    link.symlink_to(tmp_path / "real.csv")
    with pytest.raises(posebridge.PoseBridgeError, match="already exists"):
        posebridge.save(dataset("dlc", 1), link)
    assert (tmp_path / "real.csv").read_text() == "keep me"


@pytest.mark.parametrize("fmt", sorted(TARGETS))
def test_a_dangling_link_is_an_existing_output_without_overwrite(tmp_path, fmt):
    """Every writer: the link is there, so it is not written through (nor its target made)."""
    link = tmp_path / TARGETS[fmt]
    link.symlink_to(tmp_path / "other" / "gone.bin")
    (tmp_path / "other").mkdir()
    with pytest.raises(FileExistsError, match="already exists .a symbolic link to .*gone.bin"):
        posebridge.save(dataset(fmt, 1), link, fmt.split("-")[0])
    assert link.is_symlink() and not (tmp_path / "other" / "gone.bin").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([link.name, "other"])


def test_saving_to_a_looping_link_is_refused_and_writes_nothing(tmp_path):
    link = tmp_path / "poses.csv"
    link.symlink_to(tmp_path / "poses.csv")
    with pytest.raises(posebridge.PoseBridgeError, match="loops|cannot be followed"):
        posebridge.save(dataset("dlc", 1), link, overwrite=True)
    assert link.is_symlink() and sorted(p.name for p in tmp_path.iterdir()) == ["poses.csv"]


def test_saving_without_overwrite_to_links_that_loop_says_they_loop(tmp_path):
    """h154: two links naming each other were said to be 'a symbolic link to l2.csv, which
    does not exist', though l2.csv is there (a link back)."""
    first, second = tmp_path / "l1.csv", tmp_path / "l2.csv"
    first.symlink_to(second.name)
    second.symlink_to(first.name)
    with pytest.raises(FileExistsError) as caught:
        posebridge.save(dataset("dlc", 1), first)
    message = str(caught.value)
    assert "already exists (a symbolic link that loops" in message, message
    assert "does not exist" not in message, message


@pytest.mark.parametrize("kind", ["loop", "dangling"])
def test_reading_a_link_that_leads_nowhere_says_why(tmp_path, kind):
    link = tmp_path / "poses.h5"
    link.symlink_to(link if kind == "loop" else tmp_path / "gone.h5")
    with pytest.raises(FileNotFoundError) as caught:
        posebridge.load(link)
    message = str(caught.value)
    assert str(link) in message
    assert ("loops" in message) if kind == "loop" else ("gone.h5" in message)
    assert isinstance(caught.value, posebridge.PoseBridgeError)


def test_appending_to_an_nwb_file_through_a_link_changes_the_linked_file(tmp_path):
    real = tmp_path / "store.nwb"
    save("nwb", 1, real)
    link = tmp_path / "poses.nwb"
    link.symlink_to(real)
    extra = dataset("nwb", 2).assign_coords(individual=["other"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        posebridge.save(extra, link, append=True)
        names = posebridge.load(real, "nwb")["individual"].values.tolist()
    assert link.is_symlink() and "other" in names and len(names) == 2


# -- long names --------------------------------------------------------------


@pytest.mark.parametrize("fmt", list(TARGETS))
def test_a_target_name_of_255_bytes_is_written_its_temporary_shortened(tmp_path, fmt):
    """Found by trying long names: a legal 250-byte name failed with a raw OSError (or
    HDF5ExtError) naming the temporary, whose name was 35 bytes longer."""
    ending = "".join(Path(TARGETS[fmt]).suffixes)
    target = tmp_path / ("é" * 60 + "x" * (255 - 120 - len(ending)) + ending)
    assert len(target.name.encode()) == 255
    save(fmt, 1, target)
    save(fmt, 2, target)  # and replaced through a temporary
    assert sorted(p.name for p in tmp_path.iterdir()) == [target.name]
    assert posebridge.load(target, fmt.split("-")[0]).sizes["time"] == 120


def test_stale_temporaries_of_a_long_target_are_found_and_removed(tmp_path):
    target = tmp_path / ("x" * 251 + ".csv")
    gone = temporary_twin(target)
    gone = gone.with_name(gone.name.replace(f"-{os.getpid()}-", f"-{2**22 + 12345}-"))
    gone.write_text("left by a killed process")
    assert stale_temporaries(target) == [gone]
    save("dlc-csv", 1, target)
    assert not gone.exists()


@pytest.mark.parametrize("where", ["save", "load"])
def test_a_name_longer_than_the_file_system_allows_is_refused_naming_it(tmp_path, where):
    target = tmp_path / ("x" * 256 + ".csv")
    with pytest.raises(posebridge.PoseBridgeError, match=r"is 260 bytes long; the file system"):
        if where == "save":
            save("dlc-csv", 1, target)
        else:
            posebridge.load(target)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("fmt", list(TARGETS))
def test_an_output_path_holding_a_nul_is_refused_naming_it(tmp_path, fmt):
    """h154: a NUL in an output path raised Python's raw ValueError ('embedded null
    byte', naming no file), and a second one while cleaning up."""
    target = tmp_path / ("a\x00b" + "".join(Path(TARGETS[fmt]).suffixes))
    with pytest.raises(posebridge.PoseBridgeError, match="cannot hold a NUL character") as error:
        save(fmt, 1, target)
    assert repr(str(target)) in str(error.value)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("where", ["save", "load", "open_dataset", "detect"])
def test_a_path_longer_than_the_system_takes_is_refused_naming_its_length(tmp_path, where):
    """h154: each part within 255 bytes, the whole past 4096: a raw OSError ('File name
    too long') from deep inside."""
    target = tmp_path.joinpath(*["d" * 200] * 21, "x.csv")
    assert len(str(target).encode()) > 4096
    size = len(str(target).encode())
    with pytest.raises(posebridge.PoseBridgeError, match=rf"the path is {size} bytes long"):
        if where == "save":
            save("dlc-csv", 1, target)
        else:
            getattr(posebridge, where)(target)
    assert list(tmp_path.iterdir()) == []


# -- many outputs in one folder ------------------------------------------------------


def _yolo_labels(images: int):
    from posebridge.model import labels

    rng = np.random.default_rng(3)
    ds = labels.from_numpy(
        rng.uniform(10, 50, (images, 2, 3, 1)), image_path=[f"img/{i}.png" for i in range(images)]
    )
    return ds.assign_coords(
        image_width=("time", np.full(images, 64)), image_height=("time", np.full(images, 64))
    )


def test_a_write_of_many_files_lists_each_folder_once(tmp_path, monkeypatch):
    """Overwriting a YOLO tree listed the label folder once per label file (to find stale
    temporaries): quadratic, 14.6 s for 5,000 files. It is listed a fixed number of times
    per write now: once for stale temporaries, and the labels folder once more by the YOLO
    writer, which refuses label files it does not write there."""
    ds = _yolo_labels(300)
    posebridge.save(ds, tmp_path / "data.yaml", "yolo")
    listed: list[str] = []
    real = os.scandir

    def counting(path="."):
        listed.append(str(path))
        return real(path)

    monkeypatch.setattr(os, "scandir", counting)
    posebridge.save(ds, tmp_path / "data.yaml", "yolo", overwrite=True)
    monkeypatch.undo()
    times = Counter(listed)
    assert len(times) <= 3 and max(times.values()) <= 2  # the tree's root, labels/, labels/img


def test_stale_temporaries_of_many_targets_in_one_folder_are_removed(tmp_path):
    ds = _yolo_labels(40)
    (data_yaml,) = posebridge.save(ds, tmp_path / "data.yaml", "yolo")[:1]
    folder = next(p.parent for p in tmp_path.rglob("*.txt"))
    dead = 2**22 + 12345
    stale = [folder / f".{i}{TEMPORARY_MARK}{dead}-0123abcd.txt" for i in range(0, 40, 7)]
    live = folder / f".3{TEMPORARY_MARK}{os.getpid()}-0123abcd.txt"
    for path in [*stale, live]:
        path.write_text("left behind")
    posebridge.save(ds, data_yaml, "yolo", overwrite=True)
    assert not any(path.exists() for path in stale) and live.exists()


@pytest.mark.parametrize("damage", ["object header", "truncated"])
def test_an_hdf5_file_damaged_before_its_rename_is_refused_and_the_old_file_kept(tmp_path, damage):
    """The finished temporary is walked by HDF5 before it replaces the target."""
    import h5py

    from posebridge._outputs import atomic_outputs

    target = tmp_path / "out.h5"
    target.write_bytes(b"the previous file")
    with (
        pytest.raises(posebridge.PoseBridgeError) as caught,
        atomic_outputs([target], overwrite=True) as (temporary,),
    ):
        with h5py.File(temporary, "w") as h5:
            for k in range(20):
                h5.create_group(f"g{k}").attrs["k"] = k
            where = h5py.h5o.get_info(h5["g7"].id).addr
        data = bytearray(temporary.read_bytes())
        if damage == "object header":
            data[where : where + 4] = bytes(4)  # version and flags of g7's header
        else:
            data = data[: len(data) // 2]
        temporary.write_bytes(bytes(data))
    message = str(caught.value)
    assert str(target) in message and "the HDF5 file written is damaged" in message
    assert target.read_bytes() == b"the previous file"
    assert leftovers(target) == []


def test_a_target_made_by_another_program_during_the_write_is_kept(tmp_path):
    """Without overwrite, the existence check and the placing are one step: a file that
    another program makes while posebridge writes is neither replaced nor merged."""
    from posebridge._outputs import atomic_outputs

    target = tmp_path / "out.csv"
    with (
        pytest.raises(posebridge.errors.FileExistsError, match="appeared while") as caught,
        atomic_outputs([target], overwrite=False) as (temporary,),
    ):
        temporary.write_text("posebridge's")
        target.write_text("the other program's")
    assert str(target) in str(caught.value)
    assert target.read_text() == "the other program's"
    assert leftovers(target) == []


def test_a_write_of_several_files_places_none_when_one_target_appears(tmp_path):
    from posebridge._outputs import atomic_outputs

    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    with (
        pytest.raises(posebridge.errors.FileExistsError, match="appeared while"),
        atomic_outputs([first, second], overwrite=False) as temporaries,
    ):
        for temporary in temporaries:
            temporary.write_text("posebridge's")
        second.write_text("the other program's")
    assert second.read_text() == "the other program's"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b.csv"]  # a.csv taken back


def test_with_overwrite_a_target_made_during_the_write_is_replaced(tmp_path):
    from posebridge._outputs import atomic_outputs

    target = tmp_path / "out.csv"
    with atomic_outputs([target], overwrite=True) as (temporary,):
        temporary.write_text("posebridge's")
        target.write_text("the other program's")
    assert target.read_text() == "posebridge's"
    assert leftovers(target) == []


def test_two_outputs_that_are_one_file_are_refused_before_writing(tmp_path):
    """Label Studio's label_config= naming the tasks file itself: the second output was said
    to have 'appeared while posebridge was writing it'."""
    ds = posebridge.from_numpy(np.ones((2, 2, 2, 1)))
    target = tmp_path / "tasks.json"
    with pytest.raises(posebridge.PoseBridgeError, match="two of the files to write are"):
        posebridge.save(ds, target, "labelstudio", label_config=target, image_size=(64, 48))
    assert list(tmp_path.iterdir()) == []


def test_two_outputs_that_are_one_file_through_a_linked_folder_are_refused(tmp_path):
    """label_config=same/tasks.json with same -> . : with overwrite=True the tasks file was
    replaced by the config; without, the error said it 'appeared while writing'."""
    ds = posebridge.from_numpy(np.ones((2, 2, 2, 1)))
    target = tmp_path / "tasks.json"
    target.write_text("the user's tasks")
    (tmp_path / "same").symlink_to(tmp_path)
    for overwrite, said in ((False, "already exists"), (True, "two of the files to write")):
        with pytest.raises(posebridge.PoseBridgeError, match=said):
            posebridge.save(
                ds,
                target,
                "labelstudio",
                label_config=tmp_path / "same" / "tasks.json",
                image_size=(64, 48),
                overwrite=overwrite,
            )
    assert target.read_text() == "the user's tasks"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["same", "tasks.json"]


@pytest.mark.parametrize(
    ("previous", "after"),
    [("the user's a", ["a.csv", "b.csv"]), (None, ["b.csv"])],
    ids=["previous-file-put-back", "new-file-removed"],
)
def test_a_failed_rename_of_several_files_with_overwrite_undoes_the_renames_done(
    tmp_path, previous, after
):
    """The second of two renames fails (its target became a folder that is not empty): the
    first target, already renamed, gets its previous content back, or is removed when it is
    new, and nothing else is left."""
    from posebridge._outputs import atomic_outputs

    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    if previous is not None:
        first.write_text(previous)
    with (
        pytest.raises(posebridge.PoseBridgeError, match="b.csv: could not be written"),
        atomic_outputs([first, second], overwrite=True) as temporaries,
    ):
        for temporary in temporaries:
            temporary.write_text("posebridge's")
        second.mkdir()
        (second / "inside").write_text("a file that keeps the folder from being replaced")
    assert sorted(p.name for p in tmp_path.iterdir()) == after
    if previous is not None:
        assert first.read_text() == previous


def test_a_write_of_several_files_with_overwrite_replaces_them_all_and_leaves_no_backup(tmp_path):
    from posebridge._outputs import atomic_outputs

    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    first.write_text("old a")
    second.write_text("old b")
    with atomic_outputs([first, second], overwrite=True) as temporaries:
        for temporary, text in zip(temporaries, ("new a", "new b"), strict=True):
            temporary.write_text(text)
    assert (first.read_text(), second.read_text()) == ("new a", "new b")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.csv", "b.csv"]


def test_sigterm_mid_convert_removes_its_temporary_and_keeps_the_old_file(tmp_path):
    """SIGTERM (kill, a cluster's time limit) left a full-size hidden temporary beside the
    target; only SIGKILL should."""
    rng = np.random.default_rng(0)
    source = tmp_path / "big.nc"
    posebridge.save(posebridge.from_numpy(rng.uniform(0, 500, (300_000, 2, 12, 2))), source)
    target = tmp_path / "out.csv"
    target.write_text("OLD")
    command = [sys.executable, "-m", "posebridge", "convert", str(source), str(target)]
    process = subprocess.Popen([*command, "--overwrite"], stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while not any(TEMPORARY_MARK in p.name for p in tmp_path.iterdir()):
        assert process.poll() is None, "the conversion ended before its temporary was seen"
        assert time.monotonic() < deadline
        time.sleep(0.005)
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=120)
    assert process.returncode == -signal.SIGTERM, stderr  # ends as SIGTERM ends it, cleaned
    assert target.read_text() == "OLD"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["big.nc", "out.csv"]


def test_sigterm_stops_a_batch_starting_no_new_job_and_leaving_whole_outputs(tmp_path):
    """SIGTERM killed the batch's process and left its workers converting every remaining
    input, then waiting forever."""
    rng = np.random.default_rng(1)
    inputs = tmp_path / "in"
    inputs.mkdir()
    for i in range(8):
        poses = posebridge.from_numpy(rng.uniform(0, 500, (60_000, 2, 12, 2)))
        posebridge.save(poses, inputs / f"s{i}.nc")
    out = tmp_path / "out"
    out.mkdir()
    command = [sys.executable, "-m", "posebridge", "batch", str(inputs), "--to", "dlc"]
    process = subprocess.Popen(
        [*command, "--out", str(out), "-j", "2", "--quiet"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 180
    while not any(out.iterdir()):
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline
        time.sleep(0.01)
    process.send_signal(signal.SIGTERM)
    process.communicate(timeout=180)
    assert process.returncode == -signal.SIGTERM
    written = sorted(p.name for p in out.iterdir())
    assert not any(TEMPORARY_MARK in name for name in written)
    assert 0 < len(written) < 8  # the running jobs finished; the queued ones never started
    time.sleep(3)  # no worker goes on writing after the batch returned
    assert sorted(p.name for p in out.iterdir()) == written
    for name in written:
        assert posebridge.load(out / name).sizes["time"] == 60_000


def test_the_command_gives_the_callers_sigterm_handling_back():
    """main() left its SIGTERM handler installed in the calling process: a program that
    called it once could no longer be stopped by SIGTERM."""
    script = (
        "import signal, contextlib\n"
        "from posebridge.cli import main\n"
        "with contextlib.suppress(SystemExit):\n"
        "    main(['formats'])\n"
        "assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL\n"
        "print('restored')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().endswith("restored")


def test_the_progress_thread_ends_quietly_when_the_managers_process_is_gone():
    """SIGTERM to the process group killed the progress manager: its thread died with an
    EOFError traceback and the batch reported 'Connection refused'."""
    import multiprocessing
    import threading

    from posebridge.batch.progress import drain

    errors: list[BaseException] = []
    previous = threading.excepthook
    threading.excepthook = lambda args: errors.append(args.exc_value)
    try:
        manager = multiprocessing.get_context("spawn").Manager()
        queue = manager.Queue()

        class Progress:
            def chunk(self, *report: object) -> None:
                pass

        thread = drain(queue, Progress())
        queue.put(("a.nwb", 1, 2))
        manager._process.terminate()  # as SIGTERM to the group does
        manager._process.join(10)
        thread.join(30)
    finally:
        threading.excepthook = previous
    assert not thread.is_alive()
    assert errors == []


@pytest.mark.parametrize("fmt", ["dlc", "dlc-csv", "slp", "nwb", "netcdf"])
@pytest.mark.parametrize("mode", [0o600, 0o640, 0o444])
def test_overwriting_keeps_the_permissions_of_the_file_replaced(tmp_path, fmt, mode):
    """The new file was made with the default mode: a private 0600 file became 0644."""
    target = tmp_path / TARGETS[fmt]
    save(fmt, 1, target)
    target.chmod(mode)
    save(fmt, 2, target)
    assert stat.S_IMODE(target.stat().st_mode) == mode
    assert leftovers(target) == []


def test_ctrl_c_during_the_clean_up_still_removes_every_temporary(tmp_path, monkeypatch):
    """The removal loop stopped at the first KeyboardInterrupt: an overwritten YOLO tree
    kept its old labels' backups, which read back as extra frames."""
    from posebridge import _outputs

    targets = [tmp_path / f"f{i}.txt" for i in range(5)]
    for target in targets:
        target.write_text("old")
    real = _outputs._remove
    calls = []

    def interrupted_once(path):
        calls.append(path)
        if len(calls) == 2:
            raise KeyboardInterrupt
        real(path)

    monkeypatch.setattr(_outputs, "_remove", interrupted_once)
    with (
        pytest.raises(KeyboardInterrupt),
        _outputs.atomic_outputs(targets, overwrite=True) as temporaries,
    ):
        for temporary in temporaries:
            temporary.write_text("new")
    assert sorted(p.name for p in tmp_path.iterdir()) == [t.name for t in targets]
    assert {t.read_text() for t in targets} == {"new"}


PICTURES_CHILD = """
import json, resource, signal, sys
from pathlib import Path
import numpy as np
import posebridge
from posebridge import plot
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
folder, what, limit = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
ds = posebridge.from_numpy(np.random.default_rng(0).uniform(0, 60, (10, 2, 3, 2)))
if what == "video":
    from posebridge import _video
    writer = _video.write_frames(folder / "in.mkv", (64, 64), 10.0, codec="ffv1", quality=None)
    for k in range(10):
        writer.send(np.full((64, 64, 3), 20 * k, dtype=np.uint8))
    writer.close()
    ds = ds.assign_coords(time=np.arange(10))
resource.setrlimit(resource.RLIMIT_FSIZE, (limit, resource.RLIM_INFINITY))
target = folder / ("out.mp4" if what == "video" else "fig.pdf")
try:
    if what == "video":
        from posebridge.render import render
        render(ds, folder / "in.mkv", target, progress=False)
    else:
        plot.save_figure(plot.trajectories(ds), target)
    report = {"outcome": "ok"}
except posebridge.PoseBridgeError as error:
    report = {"outcome": "error", "message": str(error)}
except BaseException as error:
    report = {"outcome": "raw", "message": f"{type(error).__name__}: {error}"}
print(json.dumps(report))
"""


@pytest.mark.parametrize("what", ["pdf", "video"])
@pytest.mark.parametrize("limit", [1000, 8000])
def test_a_figure_or_video_past_the_file_size_limit_says_so(tmp_path, what, limit):
    """A PDF figure raised matplotlib's zlib.error or AttributeError (its clean-up failing
    after the OSError); render blamed the codec, or gave 'exit status -25' (ffmpeg is
    stopped by SIGXFSZ, which Python ignores but its child does not)."""
    pytest.importorskip("matplotlib")
    if what == "video":
        pytest.importorskip("imageio_ffmpeg")
    done = subprocess.run(
        [sys.executable, "-c", PICTURES_CHILD, str(tmp_path), what, str(limit)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout.splitlines()[-1])
    assert report["outcome"] == "error", report
    assert "too large" in report["message"] and "codec" not in report["message"], report
    named = "out.mp4" if what == "video" else "fig.pdf"
    assert named in report["message"]
    assert sorted(p.name for p in tmp_path.iterdir()) == (["in.mkv"] if what == "video" else [])


def _interrupting_the_nth_link(monkeypatch, nth: int, before: bool = False) -> None:
    """Ctrl-C (KeyboardInterrupt) just after (or before) the ``nth`` hard link a write
    makes: the moment a real SIGINT can land between two steps of placing outputs."""
    real_link, calls = os.link, []

    def link(source, target, *args, **kwargs):
        calls.append(target)
        if before and len(calls) == nth:
            raise KeyboardInterrupt
        real_link(source, target, *args, **kwargs)
        if not before and len(calls) == nth:
            raise KeyboardInterrupt

    monkeypatch.setattr(os, "link", link)


@pytest.mark.parametrize("overwrite", [True, False])
def test_ctrl_c_while_placing_several_files_leaves_the_old_ones_and_no_temporary(
    tmp_path, monkeypatch, overwrite
):
    """With overwrite, Ctrl-C after the first backup link left that link behind (a
    .posebridge-tmp- file); without, Ctrl-C after the first file was linked into place
    left it alone there (not 'renamed together or not at all')."""
    ds = posebridge.from_numpy(np.ones((3, 2, 1, 2)), individual_names=["a", "b"], fps=10)
    target = tmp_path / "poses.h5"
    before: dict[str, bytes] = {}
    if overwrite:
        posebridge.save(ds, target, "dlc", split_individuals=True)
        before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    _interrupting_the_nth_link(monkeypatch, 1)

    with pytest.raises(KeyboardInterrupt):
        posebridge.save(ds * 2, target, "dlc", split_individuals=True, overwrite=overwrite)

    monkeypatch.undo()
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before


@pytest.mark.parametrize("ending", [".nc", ".analysis.h5", ".csv"])
def test_an_output_folder_removed_while_converting_is_named(tmp_path, ending):
    """It said 'the writer produced no file' (NWB said 'No such file or directory')."""
    source = posebridge.save(
        posebridge.from_numpy(np.ones((400, 2, 2, 1)), individual_names=["a"], fps=10),
        tmp_path / "in.nc",
    )[0]
    out = tmp_path / "out"
    out.mkdir()

    def remove_the_folder(done: int, total: int) -> None:
        if done == 2:
            shutil.rmtree(out)

    with pytest.raises(posebridge.PoseBridgeError) as error:
        posebridge.convert(source, out / f"o{ending}", chunk_frames=100, progress=False,
                           on_chunk=remove_the_folder)  # fmt: skip
    assert f"its folder {out} was removed" in str(error.value)
    assert not out.exists()


def test_stale_temporaries_take_a_str_path(tmp_path):
    gone = tmp_path / f".poses{TEMPORARY_MARK}{2**22 + 12345}-0123abcd.csv"
    gone.write_text("left by a killed process")
    assert stale_temporaries(str(tmp_path / "poses.csv")) == [gone]


def test_stale_temporaries_of_a_link_are_found_beside_the_file_it_names(tmp_path):
    real = tmp_path / "real"
    real.mkdir()
    (real / "poses.csv").write_text("the linked file")
    links = tmp_path / "links"
    links.mkdir()
    link = links / "poses.csv"
    link.symlink_to(Path("..") / "real" / "poses.csv")
    # a write through the link, killed before its rename, leaves this beside the linked file
    gone = real / f".poses{TEMPORARY_MARK}{2**22 + 12345}-0123abcd.csv"
    gone.write_text("left by a killed process")
    assert [p.resolve() for p in stale_temporaries(link)] == [gone.resolve()]


def test_an_output_name_ending_with_a_separator_is_refused_as_a_folder(tmp_path):
    """``out.csv/`` names a folder (open() and pandas refuse it); a Path drops the separator."""
    given = os.fspath(tmp_path / "out.csv") + os.sep
    with pytest.raises(IsADirectoryError, match="ends with a path separator") as caught:
        posebridge.save(dataset("dlc", 1), given, "dlc")
    assert isinstance(caught.value, posebridge.PoseBridgeError)
    assert str(caught.value).startswith(given)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("ending", [os.sep + os.curdir, os.sep + os.pardir])
def test_an_output_name_ending_with_a_dot_component_is_refused_as_a_folder(tmp_path, ending):
    """``out.csv/.`` names the folder ``out.csv/`` names; a Path drops the ``/.``."""
    given = os.fspath(tmp_path / "out.csv") + ending
    with pytest.raises(IsADirectoryError, match="so it names a folder") as caught:
        posebridge.save(dataset("dlc", 1), given, "dlc")
    assert str(caught.value).startswith(f"{given}: ends with {ending!r}")
    with pytest.raises(IsADirectoryError, match="so it names a folder"):
        posebridge.convert(posebridge.save(dataset("dlc", 1), tmp_path / "in.csv")[0], given)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.csv"]


def test_every_writer_refuses_an_output_name_ending_with_a_separator(tmp_path):
    from posebridge._outputs import atomic_outputs

    given = os.fspath(tmp_path / "out.json") + "/"
    with (
        pytest.raises(IsADirectoryError, match="ends with a path separator"),
        atomic_outputs([given], overwrite=False) as (temporary,),
    ):
        temporary.write_text("{}")
    assert list(tmp_path.iterdir()) == []
