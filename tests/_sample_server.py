"""A sample repository served over HTTP on 127.0.0.1, for the tests of posebridge.sample_data.

:func:`serving` serves a folder with :mod:`http.server` (started for real, no
mock), points ``POSEBRIDGE_SAMPLE_URL`` and ``POSEBRIDGE_DATA_DIR`` at it and at
an empty cache, and records the requests it receives. Its ``faults`` make a
path fail as a real server can: a redirect to itself (``("loop",)``), a body
cut short with its whole length announced (``("sized", bytes_sent)``) or with
no length (``("unsized", bytes_sent)``), or half a body and then a long wait
(``("hang",)``), or the connection closed without an answer, once
(``("drop",)``); ``bytes_sent`` defaults to half the file. :func:`publish`
writes sample files and the metadata.yaml listing them.
"""

from __future__ import annotations

import hashlib
import http.server
import socket
import threading
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
import xarray as xr
import yaml

import posebridge
from posebridge import model

POSES_NAME = "MOVE_two-mice_test.nc"
BOXES_NAME = "MOVE_one-crab_test.nc"
TREX_NAME = "TRex_five-locusts_test.zip"


def closed_port() -> int:
    """A port of 127.0.0.1 nobody listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def serving(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[SimpleNamespace]:
    """An HTTP server on 127.0.0.1 serving tmp_path/remote; records request paths."""
    root = tmp_path / "remote"
    root.mkdir()
    requests: list[str] = []
    faults: dict[str, tuple] = {}  # request path -> (how it fails, bytes sent)
    stop = threading.Event()

    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=str(root), **kwargs)

        def do_GET(self):
            requests.append(self.path)
            if self.path not in faults:
                super().do_GET()
                return
            how, *sent = faults[self.path]
            self.close_connection = True
            if how == "drop":  # closed without an answer, once (a busy server)
                del faults[self.path]
                return
            if how == "loop":  # a redirect to itself
                self.send_response(302)
                self.send_header("Location", self.path)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            data = (root / self.path.lstrip("/")).read_bytes()
            cut = sent[0] if sent else len(data) // 2
            self.send_response(200)
            if how != "unsized":  # "sized", "hang": the whole length is announced
                self.send_header("Content-Length", str(len(data)))
            self.end_headers()  # HTTP/1.0: without a length, the body ends when closed
            self.wfile.write(data[:cut])
            self.wfile.flush()
            if how == "hang":
                stop.wait(60)

        def log_message(self, *args):
            pass

    class Server(http.server.ThreadingHTTPServer):
        request_queue_size = 64  # threads of a test connect at once: none waits to retry

    server = Server(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    monkeypatch.setenv("POSEBRIDGE_SAMPLE_URL", url)
    monkeypatch.setenv("POSEBRIDGE_DATA_DIR", str(tmp_path / "cache"))
    try:
        yield SimpleNamespace(
            root=root, url=url, requests=requests, cache=tmp_path / "cache", faults=faults
        )
    finally:
        stop.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _poses() -> xr.Dataset:
    rng = np.random.default_rng(7)
    position = rng.uniform(0, 400, size=(12, 2, 3, 2))
    position[4, :, 1, 0] = np.nan
    return model.from_numpy(
        position,
        rng.uniform(0, 1, size=(12, 3, 2)),
        individual_names=["m1", "m2"],
        keypoint_names=["nose", "neck", "tail"],
    )


def _boxes() -> xr.Dataset:
    rng = np.random.default_rng(8)
    return model.bboxes_from_numpy(
        rng.uniform(10, 90, size=(4, 2, 1)),
        rng.uniform(1, 9, size=(4, 2, 1)),
        frame_array=np.array([0, 1, 5, 6]),
    )


def publish(
    server,
    *,
    corrupt: str | None = None,
    only: tuple[str, ...] | None = None,
    locusts: tuple[str, ...] = ("locust_0",),
):
    """Write the sample files and a metadata.yaml giving their sha256 sums.

    ``corrupt`` names a file whose published sum is wrong; ``only`` limits
    which samples the metadata lists. Returns the datasets written.
    """
    root = server.root
    for folder in ("poses", "bboxes", "frames", "videos"):
        (root / folder).mkdir(exist_ok=True)
    poses, boxes = _poses(), _boxes()
    posebridge.save(poses, root / "poses" / POSES_NAME, overwrite=True)
    posebridge.save(boxes, root / "bboxes" / BOXES_NAME, overwrite=True)
    (root / "frames" / "two-mice_frame.png").write_bytes(b"\x89PNG\r\n\x1a\n fake frame")
    (root / "videos" / "two-mice_video.mp4").write_bytes(b"\x00\x00\x00\x18ftypmp42 fake")
    with zipfile.ZipFile(root / "poses" / TREX_NAME, "w") as archive:
        for locust in locusts:
            archive.writestr(f"five-locusts/{locust}.npz", b"not really numpy")

    def checksum(path: Path) -> str:
        return "0" * 64 if path.name == corrupt else sha256(path)

    metadata = {
        POSES_NAME: {
            "sha256sum": checksum(root / "poses" / POSES_NAME),
            "type": "poses",
            "source_software": "movement",
            "fps": 25,
            "species": "mouse",
            "number_of_individuals": 2,
            "shared_by": {"name": "tests", "affiliation": "posebridge"},
            "frame": {
                "file_name": "two-mice_frame.png",
                "sha256sum": checksum(root / "frames" / "two-mice_frame.png"),
            },
            "video": {
                "file_name": "two-mice_video.mp4",
                "sha256sum": checksum(root / "videos" / "two-mice_video.mp4"),
            },
            "note": "built by the test",
        },
        BOXES_NAME: {
            "sha256sum": checksum(root / "bboxes" / BOXES_NAME),
            "type": "bboxes",
            "source_software": "movement",
            "fps": None,
            "frame": {"file_name": None, "sha256sum": None},
            "video": {"file_name": None, "sha256sum": None},
        },
        TREX_NAME: {
            "sha256sum": checksum(root / "poses" / TREX_NAME),
            "type": "poses",
            "source_software": "TRex",
            "fps": 30,
            "frame": {"file_name": None, "sha256sum": None},
            "video": {"file_name": None, "sha256sum": None},
        },
    }
    if only is not None:
        metadata = {name: entry for name, entry in metadata.items() if name in only}
    (root / "metadata.yaml").write_text(
        yaml.safe_dump(metadata, sort_keys=False), encoding="utf-8"
    )
    return {POSES_NAME: poses, BOXES_NAME: boxes}
