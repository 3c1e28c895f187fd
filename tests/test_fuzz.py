"""Mutated corpus files: every outcome is a valid dataset or a PoseBridgeError naming the file.

Each corpus file is damaged in a seeded way (truncated, bytes flipped or zeroed,
CSV cells replaced by hostile values, lines repeated or cut; and in its structure:
an HDF5 dataset replaced by an array of another shape, type or value, an HDF5
attribute changed or deleted, a JSON value by one of another kind, an array of a
.npz archive, a value of a pickled dict (.npy) or a variable of a MATLAB .mat file
replaced or deleted) and read by a
worker process (tests/fuzz_worker.py) in four ways: loaded, opened lazily with
every block computed, described (``posebridge info``'s details), and converted in
chunks to a streaming target (a failed
conversion must leave nothing in the output folder). The worker's address space
is limited with ``RLIMIT_AS`` and every file gets a time budget, so that a crash
(a signal), a hang or a huge allocation fails the test instead of the machine.

``make test`` runs a small fixed budget (a few seconds); the long run is
deselected by default: ``pytest -m fuzz_long tests/test_fuzz.py`` (its size and
seed from ``POSEBRIDGE_FUZZ_LONG_CASES`` and ``POSEBRIDGE_FUZZ_SEED``).
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import random
import resource
import select
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import h5py
import numpy as np
import pytest

from _corpus import CORPUS, readable_files

#: Address space of the worker: imports take ~1.5 GiB of (mostly unused) virtual memory.
MEMORY_LIMIT = 3 << 30
#: Seconds a worker may spend on one file (a chunked conversion: three times this, as
#: 27 individuals of 1,100 frames to NWB in chunks of 16 frames take ~40 s).
TIME_LIMIT = 20.0
#: Files larger than this are not mutated (the short budget stays short).
MAX_SIZE = 600_000
#: Values that a hostile CSV cell may hold.
HOSTILE_CELLS = (
    "",
    "nan",
    "inf",
    "-inf",
    "-1",
    "1e308",
    "9223372036854775807",
    "-9223372036854775808",
    "2000000000",
    "x",
    '"',
    "0x10",
    "1,2,3",
    "\u00e9",
    "{}",
)
WORKER = Path(__file__).with_name("fuzz_worker.py")
#: What api.load says when a reader fails with an error of its own (a bug, not the file).
BUG_MARK = "This is a posebridge error"


def corpus_files() -> list[Path]:
    """The readable corpus files (at any depth) small enough to mutate."""
    if not CORPUS.is_dir():
        return []
    return sorted(p for p in readable_files() if p.is_file() and p.stat().st_size <= MAX_SIZE)


#: Values a structural mutation puts where a JSON value or an HDF5 dataset was.
HOSTILE_VALUES = (None, "x", "", 0, -1, 1.5, 1e308, True, [], {}, [1, 2], [[1]], {"a": 1}, 10**20)


def _hostile_array(rng: random.Random, old: np.ndarray) -> np.ndarray:
    """An array of another shape or type than ``old``, or ``old`` with hostile values."""
    choices = [
        np.zeros(0),
        np.array(b"x"),
        np.array([b"a", b"b"]),
        np.array(3.0),
        np.full((2, 2), np.nan),
        np.zeros((1, 2, 3, 4, 5)),
        np.array([1, 2, 3], dtype=np.int8),
    ]
    if old.ndim and old.size:
        choices += [old[:1], old[..., :1], np.concatenate([old, old]), old.reshape(-1)]
        if old.dtype.kind in "iuf":
            choices += [np.full(old.shape, -1), old.astype(np.float64) * 1e30]
        if old.dtype.names:  # a compound table: one field of one row changed
            table = old.copy()
            field = rng.choice(old.dtype.names)
            value = rng.choice((-1, 0, 255, 2**31 - 1, 2**40, np.nan, np.inf))
            if table[field].dtype.kind in "iuf":
                with np.errstate(all="ignore"):
                    table[field][rng.randrange(table.size)] = np.asarray(value).astype(
                        table[field].dtype
                    )
                choices += [table] * 4
    return rng.choice(choices)


def _mutate_hdf5(data: bytes, rng: random.Random) -> bytes:
    """One dataset of an HDF5 file replaced by an array of another shape, type or value."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "file.h5"
        path.write_bytes(data)
        with h5py.File(path, "r+") as h5:
            names: list[str] = []
            h5.visititems(lambda n, o: names.append(n) if isinstance(o, h5py.Dataset) else None)
            if names:
                name = rng.choice(names)
                old = np.asarray(h5[name][()])
                attrs = dict(h5[name].attrs)
                del h5[name]
                try:
                    h5[name] = _hostile_array(rng, old)
                except TypeError:  # no HDF5 type for it: the dataset stays deleted
                    pass
                else:
                    h5[name].attrs.update(attrs)
        return path.read_bytes()


def _mutate_json(data: bytes, rng: random.Random) -> bytes:
    """One value of a JSON document replaced by a value of another kind (or deleted)."""
    document = json.loads(data)
    places: list[tuple[object, object]] = []

    def walk(node: object, depth: int) -> None:
        items = node.items() if isinstance(node, dict) else enumerate(node[:6])  # type: ignore[index]
        for key, value in list(items):
            places.append((node, key))
            if isinstance(value, dict | list) and depth < 6:
                walk(value, depth + 1)

    if isinstance(document, dict | list):
        walk(document, 0)
    if not places:
        return data
    parent, key = rng.choice(places)
    if isinstance(parent, dict) and rng.random() < 0.2:
        del parent[key]
    else:
        parent[key] = rng.choice(HOSTILE_VALUES)  # type: ignore[index]
    return json.dumps(document).encode()


def _mutate_hdf5_attribute(data: bytes, rng: random.Random) -> bytes:
    """One attribute of an HDF5 file (of the root, a group or a dataset) changed or deleted."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "file.h5"
        path.write_bytes(data)
        with h5py.File(path, "r+") as h5:
            places = [("", name) for name in h5.attrs]
            h5.visititems(lambda n, o: places.extend((n, a) for a in o.attrs) or None)
            if places:
                owner, name = rng.choice(places)
                attrs = h5[owner].attrs if owner else h5.attrs
                old = np.asarray(attrs[name])
                del attrs[name]
                if rng.random() < 0.8:
                    value = rng.choice([*HOSTILE_VALUES[1:8], _hostile_array(rng, old)])
                    with contextlib.suppress(TypeError, ValueError):  # no HDF5 type: deleted
                        attrs[name] = value
        return path.read_bytes()


def _hostile_entry(rng: random.Random, old: object) -> object:
    """A replacement for one entry of a dict of arrays (npz, .mat, a pickled dict)."""
    if isinstance(old, np.ndarray) and rng.random() < 0.7:
        return _hostile_array(rng, old)
    return rng.choice([*HOSTILE_VALUES, np.zeros(0), np.array([b"x"])])


def _mutate_npz(data: bytes, rng: random.Random) -> bytes:
    """One array of a NumPy .npz archive replaced by another shape, type or value."""
    with np.load(io.BytesIO(data), allow_pickle=False) as archive:
        arrays = {name: archive[name] for name in archive.files}
    if arrays:
        name = rng.choice(sorted(arrays))
        if rng.random() < 0.15:
            del arrays[name]
        else:
            arrays[name] = np.asarray(_hostile_array(rng, arrays[name]))
    out = io.BytesIO()
    np.savez(out, **arrays)
    return out.getvalue()


def _mutate_pickled_dict(data: bytes, rng: random.Random) -> bytes:
    """One value of a pickled dict saved as .npy (idtracker.ai's) changed or deleted.

    The corpus file is trusted here (the test reads it with pickle; the reader
    under test never does: it admits numpy arrays and builtins only).
    """
    content = np.load(io.BytesIO(data), allow_pickle=True)
    if content.dtype != object or content.ndim or not isinstance(content.item(), dict):
        raise ValueError("not a pickled dict")
    document = dict(content.item())
    if document:
        key = rng.choice(sorted(document, key=str))
        if rng.random() < 0.15:
            del document[key]
        else:
            document[key] = _hostile_entry(rng, document[key])
    out = io.BytesIO()
    np.save(out, np.array(document, dtype=object), allow_pickle=True)
    return out.getvalue()


def _mutate_mat(data: bytes, rng: random.Random) -> bytes:
    """One variable of a MATLAB v5 .mat file replaced by another shape, type or value."""
    import scipy.io

    variables = {
        k: v for k, v in scipy.io.loadmat(io.BytesIO(data)).items() if not k.startswith("__")
    }
    if variables:
        name = rng.choice(sorted(variables))
        if rng.random() < 0.15:
            del variables[name]
        else:
            variables[name] = _hostile_entry(rng, variables[name])
    for attempt in range(3):
        out = io.BytesIO()
        try:
            scipy.io.savemat(out, variables)
            return out.getvalue()
        except TypeError:  # no MATLAB type for a value (None, a huge int)
            if attempt == 0 and name in variables:  # the new value: a huge number instead
                variables[name] = np.array([1e308])
            else:  # a struct read back with empty fields (DANNCE's metadata): dropped
                variables = {
                    k: v
                    for k, v in variables.items()
                    if getattr(v, "dtype", np.dtype(float)).names is None
                }
    raise ValueError("the .mat file cannot be written back")


#: Structural mutations of binary containers: (leading bytes, kind, mutation).
_CONTAINERS = (
    (b"PK\x03\x04", "npz_array", _mutate_npz),
    (b"\x93NUMPY", "pickled_value", _mutate_pickled_dict),
    (b"MATLAB 5.0", "mat_variable", _mutate_mat),
)


def mutate(data: bytes, rng: random.Random) -> tuple[str, bytes]:
    """One seeded damage of a file's bytes; returns its name and the new bytes."""
    hdf5 = data.startswith(b"\x89HDF")
    container = next((c for c in _CONTAINERS if data.startswith(c[0])), None)
    text = not hdf5 and container is None
    kinds = ["truncate", "flip", "zero", "flip_head"]
    if hdf5:
        kinds += ["hdf5_dataset", "hdf5_dataset", "hdf5_attribute"]
    if container is not None:
        kinds += [container[1]] * 3
    if text:
        kinds += ["cell", "cell", "cell", "line_dup", "line_cut", "wide_row"]
        if data.lstrip()[:1] in (b"{", b"["):
            kinds += ["json_value", "json_value"]
    kind = rng.choice(kinds)
    if kind == "hdf5_dataset":
        return kind, _mutate_hdf5(data, rng)
    if kind == "hdf5_attribute":
        return kind, _mutate_hdf5_attribute(data, rng)
    if container is not None and kind == container[1]:
        try:
            return kind, container[2](data, rng)
        except ValueError:  # not the container it looked like: damage its bytes
            kind = "flip"
    if kind == "json_value":
        try:
            return kind, _mutate_json(data, rng)
        except ValueError:  # not JSON after all (a CSV starting with [): damage its bytes
            kind = "flip"
    size = len(data)
    if kind == "truncate":
        return kind, data[: rng.randrange(size)]
    if kind in ("flip", "flip_head"):
        out = bytearray(data)
        end = min(size, 4096) if kind == "flip_head" else size
        for _ in range(rng.randint(1, 8)):
            out[rng.randrange(end)] ^= 1 << rng.randrange(8)
        return kind, bytes(out)
    if kind == "zero":
        start = rng.randrange(size)
        return kind, data[:start] + bytes(min(size - start, rng.randint(1, 512))) + data[
            start + rng.randint(1, 512) :
        ]
    lines = data.split(b"\n")
    i = rng.randrange(len(lines))
    if kind == "cell":
        cells = lines[i].split(b",")
        cells[rng.randrange(len(cells))] = rng.choice(HOSTILE_CELLS).encode()
        lines[i] = b",".join(cells)
    elif kind == "line_dup":
        lines.insert(i, lines[i])
    elif kind == "line_cut":
        del lines[i]
    else:  # a row with many extra cells
        lines[i] = lines[i] + b"," * rng.choice((10, 1000, 100_000))
    return kind, b"\n".join(lines)


def _names_a_file(message: str, source: Path) -> bool:
    """Whether an error names the damaged file, or (convert mode) the output refused."""
    return source.name in message or str(source.parent / "out") in message


def _limit_memory() -> None:  # pragma: no cover - runs in the child
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


class Worker:
    """A posebridge process that loads files on request, within memory and time limits."""

    def __init__(self, mode: str = "load") -> None:
        # a conversion streams in 16-frame chunks: a file of 27 tracks (centered_pair) to
        # NWB (27 files, 69 chunks each) takes about a minute on a busy 2-core machine
        self.time_limit = TIME_LIMIT * (6 if mode == "convert" else 1)
        env = dict(os.environ)
        env.setdefault("OMP_NUM_THREADS", "1")
        self.process = subprocess.Popen(
            [sys.executable, str(WORKER), mode],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            preexec_fn=_limit_memory,
            env=env,
        )
        assert self._answer(120.0) == {"outcome": "ready"}

    def _answer(self, timeout: float) -> dict | None:
        assert self.process.stdout is not None
        ready, _, _ = select.select([self.process.stdout], [], [], timeout)
        if not ready:
            return None
        line = self.process.stdout.readline()
        return json.loads(line) if line else None

    def load(self, path: Path) -> dict:
        """The worker's report on ``path``; a hang or a death is reported as such."""
        assert self.process.stdin is not None
        self.process.stdin.write(f"{path}\n")
        self.process.stdin.flush()
        started = time.monotonic()
        report = self._answer(self.time_limit)
        if report is not None:
            report["seconds"] = time.monotonic() - started
            return report
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
            return {"outcome": "hang", "message": f"no answer in {self.time_limit} s"}
        stderr = self.process.stderr.read()[-2000:] if self.process.stderr else ""
        return {"outcome": "died", "code": self.process.returncode, "message": stderr}

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.stdin.close()  # type: ignore[union-attr]
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def problems(cases: int, seed: int, folder: Path, mode: str = "load") -> list[str]:
    """Run ``cases`` mutated files; the ones that broke the promise, described.

    ``mode`` is the worker's (``load``, ``lazy`` or ``convert``, see
    tests/fuzz_worker.py). An error must name the damaged file, or, for a
    conversion, the output it refused to write.
    """
    files = corpus_files()
    if not files:
        pytest.skip(f"real-file corpus not found at {CORPUS} (set POSEBRIDGE_CORPUS)")
    rng = random.Random(seed)
    found: list[str] = []
    worker = Worker(mode)
    try:
        for case in range(cases):
            source = rng.choice(files)
            kind, data = mutate(source.read_bytes(), rng)
            target = folder / f"case{case}" / source.name
            target.parent.mkdir()
            target.write_bytes(data)
            report = worker.load(target)
            what = f"case {case} (seed {seed}): {kind} of {source.name}"
            if report["outcome"] in ("hang", "died"):
                found.append(f"{what}: {report['outcome']}: {report.get('message', '')}")
                worker.close()
                worker = Worker(mode)
            elif report["outcome"] == "raw":
                found.append(f"{what}: raw {report['type']}: {report['message'][:300]}")
            elif report["outcome"] == "error" and not _names_a_file(report["message"], target):
                found.append(f"{what}: error not naming the file: {report['message'][:300]}")
            elif (
                report["outcome"] == "error" and "This is a posebridge error" in report["message"]
            ):
                found.append(f"{what}: a reader failed (bug): {report['message'][:300]}")
            target.unlink()
    finally:
        worker.close()
    return found


@pytest.mark.parametrize("mode", ["load", "lazy", "describe", "convert"])
def test_mutated_corpus_files_short_budget(tmp_path, mode):
    found = problems(
        cases=int(os.environ.get("POSEBRIDGE_FUZZ_CASES", "24")),
        seed=15,
        folder=tmp_path,
        mode=mode,
    )
    assert not found, "\n".join(found)


@pytest.mark.fuzz_long
@pytest.mark.parametrize("mode", ["load", "lazy", "describe", "convert"])
def test_mutated_corpus_files_long_run(tmp_path, mode):
    cases = int(os.environ.get("POSEBRIDGE_FUZZ_LONG_CASES", "1500"))
    found = problems(
        cases=cases,
        seed=int(os.environ.get("POSEBRIDGE_FUZZ_SEED", "1")),
        folder=tmp_path,
        mode=mode,
    )
    assert not found, "\n".join(found)
