"""SLEAP files whose vlen JSON sits in a damaged global heap collection end in a FormatError.

Fuzzing found an .slp file with one changed byte (the size of a heap object
holding the source_video JSON) on which HDF5 loops forever, holding the GIL.
The readers check the collections behind the vlen values they read first
(formats/_shared/global_heap.py). Each load of a damaged file runs in a child
process with a timeout, so a regression hangs the child, not pytest.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import h5py
import numpy as np
import pytest

import posebridge
from _heap_damage import damage_heap_object

CHILD = (
    "import sys, warnings, posebridge\n"
    "warnings.simplefilter('ignore')\n"
    "try:\n"
    "    posebridge.load(sys.argv[1], sys.argv[2])\n"
    "except posebridge.PoseBridgeError as error:\n"
    "    print(type(error).__name__, error)\n"
    "    raise SystemExit(3)\n"
    "print('loaded')\n"
)


def load_in_child(path: Path, fmt: str) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(
            [sys.executable, "-c", CHILD, str(path), fmt],
            capture_output=True,
            text=True,
            timeout=60,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"loading {path.name} hung (HDF5 looping on a damaged global heap)")


def _poses() -> object:
    position = np.arange(12, dtype=float).reshape(3, 2, 2, 1)
    return posebridge.from_numpy(position, np.ones((3, 2, 1)), ["mouse"], ["nose", "tail"])


def _slp_with_vlen_metadata(path: Path) -> str:
    """An .slp whose /metadata json is a vlen string (as h5py stores a Python str)."""
    posebridge.save(_poses(), path, "slp")
    with h5py.File(path, "r+") as h5:
        metadata = json.loads(bytes(h5["metadata"].attrs["json"]))
        metadata["note"] = "stored as a variable-length string"
        text = json.dumps(metadata)
        h5["metadata"].attrs["json"] = text
    return text


def _slp_with_embedded_video(path: Path) -> str:
    """An .slp whose video is embedded, its source video named by a vlen JSON attribute."""
    posebridge.save(_poses(), path, "slp")
    source = json.dumps({"backend": {"filename": "/data/source_of_frames.mp4"}})
    row = json.dumps({"backend": {"filename": ".", "dataset": "video0/video"}})
    with h5py.File(path, "r+") as h5:
        del h5["videos_json"]
        h5.create_dataset("videos_json", data=np.array([row.encode()]))
        video = h5.create_group("video0")
        video.create_dataset("video", data=np.zeros(1, dtype=np.uint8))
        video.create_group("source_video").attrs["json"] = source
    return source


def test_vlen_metadata_json_reads(tmp_path: Path) -> None:
    path = tmp_path / "vlen.slp"
    _slp_with_vlen_metadata(path)
    ds = posebridge.load(path, "slp")
    assert list(ds.keypoint.values) == ["nose", "tail"]


def test_damaged_heap_behind_metadata_json_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "damaged.slp"
    damage_heap_object(path, _slp_with_vlen_metadata(path))
    done = load_in_child(path, "slp")
    assert done.returncode == 3, done.stdout + done.stderr
    assert done.stdout.startswith("FormatError")
    assert str(path) in done.stdout and "global heap collection at byte" in done.stdout


def test_embedded_video_source_json_reads(tmp_path: Path) -> None:
    path = tmp_path / "embedded.slp"
    _slp_with_embedded_video(path)
    ds = posebridge.load(path, "slp")
    assert ds.attrs["video_path"] == "/data/source_of_frames.mp4"


def test_damaged_heap_behind_source_video_json_is_refused(tmp_path: Path) -> None:
    """The fuzzed case: the size of the source_video JSON object in its collection."""
    path = tmp_path / "damaged.slp"
    damage_heap_object(path, _slp_with_embedded_video(path))
    done = load_in_child(path, "slp")
    assert done.returncode == 3, done.stdout + done.stderr
    assert done.stdout.startswith("FormatError")
    assert str(path) in done.stdout and "global heap collection at byte" in done.stdout


def test_damaged_heap_behind_analysis_attributes_is_refused(tmp_path: Path) -> None:
    """SLEAP analysis files keep JSON in vlen root attributes (video_backend_metadata)."""
    path = tmp_path / "poses.analysis.h5"
    posebridge.save(_poses().assign_attrs(video_path="/data/v.mp4"), path, "sleap")
    with h5py.File(path, "r") as h5:
        text = h5.attrs["video_backend_metadata"]
    assert posebridge.load(path, "sleap").sizes["keypoint"] == 2
    damage_heap_object(path, text)
    done = load_in_child(path, "sleap")
    assert done.returncode == 3, done.stdout + done.stderr
    assert done.stdout.startswith("FormatError")
    assert "global heap collection at byte" in done.stdout
