"""COCO keypoints, YOLO pose and Label Studio: posebridge against pycocotools and sleap-io.

Workloads
---------
- C1: 10,000 images x 3 instances x 17 keypoints, COCO ground truth (v = 0, 1, 2
  mixed, boxes, a 1-based skeleton), written once by posebridge and cached;
  and the matching results file (every instance with a score).
  sleap-io's ``load_coco`` skips the annotations of images it cannot find, so
  the 10,000 image files exist (empty: only their presence is checked).
- Y1: 10,000 images (real 64 x 48 PNGs, so that sizes come from the image
  headers) x 3 instances x 17 keypoints, an Ultralytics tree (10,000 label files).
- LS1: 10,000 frames of one video x 3 instances x 17 keypoints (a third of the
  points missing), a Label Studio export of keypoint regions, each task a
  video frame (``meta.video``, which sleap-io's reader needs), written once by
  posebridge and cached.

Operations
----------
- ``C1 COCO GT read``: ``posebridge.formats.coco.read`` against pycocotools'
  ``COCO(path)`` (JSON load + index), the issue's reference (target: >= 3x),
  and sleap-io's ``load_coco`` (target: >= 5x);
- ``C1 COCO GT write``: posebridge's writer against sleap-io's ``save_coco`` of
  the ``Labels`` it read from the same file, and the stdlib ``json.dump`` of
  the same content as pycocotools holds it (``COCO.dataset``), i.e. the cost of
  serialising alone (pycocotools has no writer);
- ``C1 COCO results read``: posebridge against pycocotools' ``loadRes`` (the GT
  ``COCO`` built in ``prepare``);
- ``Y1 YOLO read``: posebridge (image sizes from the headers) against sleap-io's
  ``load_ultralytics`` (which opens every image);
- ``Y1 YOLO write``: posebridge's writer (sleap-io's ``save_ultralytics`` also
  encodes the images, so it is no like-for-like peer and is left out);
- ``LS1 Label Studio read``: ``posebridge.formats.labelstudio.read`` against
  sleap-io's ``load_labelstudio`` (no issue target);
- ``LS1 Label Studio write``: posebridge's writer against sleap-io's
  ``save_labelstudio`` of the ``Labels`` it read from the same file.
"""

from __future__ import annotations

import contextlib
import io
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.harness import Step, fresh, workfile

C1 = {"images": 10_000, "instances": 3, "keypoints": 17}
Y1 = {"images": 10_000, "instances": 3, "keypoints": 17}
LS1 = {"frames": 10_000, "instances": 3, "keypoints": 17}
C1_BYTES = C1["images"] * C1["instances"] * C1["keypoints"] * 3 * 8
Y1_BYTES = Y1["images"] * Y1["instances"] * Y1["keypoints"] * 3 * 8
LS1_BYTES = LS1["frames"] * LS1["instances"] * LS1["keypoints"] * 2 * 8


def labels_dataset(images: int, instances: int, keypoints: int, size=(640, 480)) -> Any:
    """Labelled images with v = 0 (NaN), 1 and 2 points, the COCO-style workload."""
    from posebridge.model import labels

    rng = np.random.default_rng(13)
    position = rng.uniform(0, min(size), (images, 2, keypoints, instances)).round(2)
    flags = rng.integers(0, 3, (images, keypoints, instances)).astype(np.float64)
    position[np.repeat((flags == 0)[:, None], 2, axis=1)] = np.nan
    ds = labels.from_numpy(
        position,
        image_path=[f"images/img{i:06d}.png" for i in range(images)],
        keypoint_names=[f"kp{k}" for k in range(keypoints)],
        individual_names=[f"untracked_{i}" for i in range(instances)],
        visible=flags,
    )
    ds = ds.assign_coords(image_width=("time", np.full(images, size[0])),
                          image_height=("time", np.full(images, size[1])))  # fmt: skip
    edges = [[f"kp{k}", f"kp{k + 1}"] for k in range(keypoints - 1)]
    ds["skeleton_edges"] = (("edge", "edge_node"), edges)
    return ds


def _coco_file(kind: str, images: int = C1["images"]) -> Path:
    from posebridge.formats import coco

    path = workfile(f"c1_{images}_{kind}.json")
    if not path.exists():
        ds = labels_dataset(images, C1["instances"], C1["keypoints"])
        coco.write(ds, path, kind=kind)
    return path


# --------------------------------------------------------------------------
# COCO


def _with_images(path: Path) -> Path:
    """The GT file in a folder that holds (empty) files for its images, for sleap-io."""
    import shutil

    root = workfile(f"{path.stem}_images")
    copy = root / path.name
    if not copy.exists():
        (root / "images").mkdir(parents=True, exist_ok=True)
        count = int(path.stem.split("_")[1])
        for i in range(count):
            (root / "images" / f"img{i:06d}.png").touch()
        shutil.copyfile(path, copy)
    return copy


def _sio_coco_read(path: Path) -> Any:
    import sleap_io as sio

    return sio.load_coco(str(path))


def _sio_coco_reading(workdir: Path) -> Path:
    import warnings

    warnings.simplefilter("ignore")
    _sio_coco_read(_with_images(_coco_file("ground_truth", 20)))  # warm-up: imports
    return _with_images(_coco_file("ground_truth"))


def _sio_coco_write(state: tuple[Any, Path]) -> Any:
    import sleap_io as sio

    labels, path = state
    return sio.save_coco(labels, str(fresh(path)))


def _sio_coco_writing(workdir: Path) -> tuple[Any, Path]:
    import warnings

    warnings.simplefilter("ignore")
    small = _sio_coco_read(_with_images(_coco_file("ground_truth", 20)))
    _sio_coco_write((small, workdir / "warm_sio.json"))
    return _sio_coco_read(_with_images(_coco_file("ground_truth"))), workdir / "out_sio.json"


def _pb_coco_read(path: Path) -> Any:
    from posebridge.formats import coco

    return coco.read(path)


def _pycocotools_read(path: Path) -> Any:
    from pycocotools.coco import COCO

    with contextlib.redirect_stdout(io.StringIO()):
        return COCO(str(path))


def _coco_reading(run: Any, kind: str) -> Any:
    def prepare(workdir: Path) -> Path:
        run(_coco_file(kind, 20))  # warm-up: imports
        return _coco_file(kind)

    return prepare


def _pb_coco_write(state: tuple[Any, Path]) -> Any:
    from posebridge.formats import coco

    ds, path = state
    return coco.write(ds, fresh(path))


def _pb_coco_writing(workdir: Path) -> tuple[Any, Path]:
    _pb_coco_write((_pb_coco_read(_coco_file("ground_truth", 20)), workdir / "warm.json"))
    return _pb_coco_read(_coco_file("ground_truth")), workdir / "out.json"


def _json_write(state: tuple[Any, Path]) -> Any:
    import json

    content, path = state
    with open(fresh(path), "w") as handle:
        json.dump(content, handle)


def _json_writing(workdir: Path) -> tuple[Any, Path]:
    _json_write((_pycocotools_read(_coco_file("ground_truth", 20)).dataset, workdir / "w.json"))
    return _pycocotools_read(_coco_file("ground_truth")).dataset, workdir / "out_json.json"


def _pb_results_read(path: Path) -> Any:
    from posebridge.formats import coco

    return coco.read(path)


def _pycocotools_results(state: tuple[Any, Path]) -> Any:
    gt, path = state
    with contextlib.redirect_stdout(io.StringIO()):
        return gt.loadRes(str(path))


def _pycocotools_results_prepare(workdir: Path) -> tuple[Any, Path]:
    _pycocotools_results((_pycocotools_read(_coco_file("ground_truth", 20)),
                          _coco_file("results", 20)))  # fmt: skip
    return _pycocotools_read(_coco_file("ground_truth")), _coco_file("results")


# --------------------------------------------------------------------------
# YOLO


def _yolo_tree(images: int = Y1["images"]) -> Path:
    """An Ultralytics tree with real (tiny) PNG images, written once and cached."""
    from PIL import Image

    from posebridge.formats import yolo

    root = workfile(f"y1_roboflow_{images}")
    path = root / "data.yaml"
    if path.exists():
        return path
    root.mkdir(exist_ok=True)
    ds = labels_dataset(images, Y1["instances"], Y1["keypoints"], size=(64, 48))
    # Roboflow's train/images layout: both posebridge and sleap-io resolve its labels
    paths = [f"train/images/img{i:06d}.png" for i in range(images)]
    ds = ds.assign_coords(image_path=("time", paths))
    yolo.write(ds, path)
    folder = root / "train" / "images"
    folder.mkdir(parents=True, exist_ok=True)
    blank = Image.new("RGB", (64, 48))
    for i in range(images):
        blank.save(folder / f"img{i:06d}.png")
    return path


def _pb_yolo_read(path: Path) -> Any:
    from posebridge.formats import yolo

    return yolo.read(path)


def _sio_yolo_read(path: Path) -> Any:
    import sleap_io as sio

    return sio.load_ultralytics(str(path.parent), split="train")


def _yolo_reading(run: Any) -> Any:
    def prepare(workdir: Path) -> Path:
        run(_yolo_tree(10))
        return _yolo_tree()

    return prepare


def _pb_yolo_write(state: tuple[Any, Path]) -> Any:
    from posebridge.formats import yolo

    ds, folder = state
    return yolo.write(ds, folder / "data.yaml")


def _empty_folder(folder: Path) -> Path:
    """``folder``, made empty (the previous run's tree removed: not part of the timing)."""
    import shutil

    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    return folder


def _pb_yolo_writing(workdir: Path) -> tuple[Any, Path]:
    _pb_yolo_write((_pb_yolo_read(_yolo_tree(10)), _empty_folder(workdir / "warm")))
    return _pb_yolo_read(_yolo_tree()), _empty_folder(workdir / "out")


# --------------------------------------------------------------------------
# Label Studio


def _labelstudio_file(frames: int = LS1["frames"]) -> Path:
    """An export of ``frames`` video frames (tasks with ``meta.video``), cached."""
    from posebridge.formats import labelstudio
    from posebridge.model import labels

    path = workfile(f"ls1_{frames}_labelstudio.json")
    if not path.exists():
        rng = np.random.default_rng(17)
        shape = (frames, 2, LS1["keypoints"], LS1["instances"])
        position = rng.uniform(0, 480, shape).round(2)
        missing = rng.random((frames, LS1["keypoints"], LS1["instances"])) < 1 / 3
        position[np.repeat(missing[:, None], 2, axis=1)] = np.nan
        ds = labels.from_numpy(
            position,
            video=["session1.mp4"] * frames,
            frame=np.arange(frames),
            keypoint_names=[f"kp{k}" for k in range(LS1["keypoints"])],
            individual_names=[f"untracked_{i}" for i in range(LS1["instances"])],
        )
        labelstudio.write(ds, path, image_size=(640, 480))
    return path


def _pb_labelstudio_read(path: Path) -> Any:
    from posebridge.formats import labelstudio

    return labelstudio.read(path)


def _sio_labelstudio_read(path: Path) -> Any:
    import sleap_io as sio

    return sio.load_labelstudio(str(path))


def _labelstudio_reading(run: Any) -> Any:
    def prepare(workdir: Path) -> Path:
        run(_labelstudio_file(20))  # warm-up: imports
        return _labelstudio_file()

    return prepare


def _pb_labelstudio_write(state: tuple[Any, Path]) -> Any:
    from posebridge.formats import labelstudio

    ds, path = state
    return labelstudio.write(ds, fresh(path), image_size=(640, 480))


def _pb_labelstudio_writing(workdir: Path) -> tuple[Any, Path]:
    small = _pb_labelstudio_read(_labelstudio_file(20))
    _pb_labelstudio_write((small, workdir / "warm_pb.json"))
    return _pb_labelstudio_read(_labelstudio_file()), workdir / "out_pb.json"


def _sio_labelstudio_write(state: tuple[Any, Path]) -> Any:
    import sleap_io as sio

    labels, path = state
    return sio.save_labelstudio(labels, str(fresh(path)))


def _sio_labelstudio_writing(workdir: Path) -> tuple[Any, Path]:
    small = _sio_labelstudio_read(_labelstudio_file(20))
    _sio_labelstudio_write((small, workdir / "warm_sio.json"))
    return _sio_labelstudio_read(_labelstudio_file()), workdir / "out_sio.json"


def steps() -> list[Step]:
    """The COCO, YOLO and Label Studio benchmark steps."""
    coco_peer, sio = ("pycocotools",), ("sleap_io",)
    return [
        Step("C1 COCO GT read", "posebridge", _coco_reading(_pb_coco_read, "ground_truth"),
             _pb_coco_read, C1_BYTES),
        Step("C1 COCO GT read", "pycocotools",
             _coco_reading(_pycocotools_read, "ground_truth"), _pycocotools_read, C1_BYTES,
             coco_peer),
        Step("C1 COCO GT read", "sleap-io", _sio_coco_reading, _sio_coco_read, C1_BYTES, sio),
        Step("C1 COCO GT write", "posebridge", _pb_coco_writing, _pb_coco_write, C1_BYTES),
        Step("C1 COCO GT write", "sleap-io", _sio_coco_writing, _sio_coco_write, C1_BYTES, sio),
        Step("C1 COCO GT write", "json (stdlib)", _json_writing, _json_write, C1_BYTES,
             coco_peer),
        Step("C1 COCO results read", "posebridge",
             _coco_reading(_pb_results_read, "results"), _pb_results_read, C1_BYTES),
        Step("C1 COCO results read", "pycocotools", _pycocotools_results_prepare,
             _pycocotools_results, C1_BYTES, coco_peer),
        Step("Y1 YOLO read", "posebridge", _yolo_reading(_pb_yolo_read), _pb_yolo_read,
             Y1_BYTES),
        Step("Y1 YOLO read", "sleap-io", _yolo_reading(_sio_yolo_read), _sio_yolo_read,
             Y1_BYTES, sio),
        Step("Y1 YOLO write", "posebridge", _pb_yolo_writing, _pb_yolo_write, Y1_BYTES),
        Step("LS1 Label Studio read", "posebridge", _labelstudio_reading(_pb_labelstudio_read),
             _pb_labelstudio_read, LS1_BYTES),
        Step("LS1 Label Studio read", "sleap-io", _labelstudio_reading(_sio_labelstudio_read),
             _sio_labelstudio_read, LS1_BYTES, sio),
        Step("LS1 Label Studio write", "posebridge", _pb_labelstudio_writing,
             _pb_labelstudio_write, LS1_BYTES),
        Step("LS1 Label Studio write", "sleap-io", _sio_labelstudio_writing,
             _sio_labelstudio_write, LS1_BYTES, sio),
    ]  # fmt: skip
