"""Every Python block of the README runs, and every call it shows matches the signature.

Each block runs in its own temporary folder holding the files the README names
(made here from datasets built in code), with ``posebridge`` already imported as
the first block does. A block preceded by ``<!-- no-test: reason -->`` is
skipped with that reason.
"""

from __future__ import annotations

import importlib
import inspect
import re
import shutil
import warnings
from pathlib import Path

import numpy as np
import pytest

import posebridge
from posebridge import labels
from posebridge.formats import dlc

README = Path(__file__).resolve().parents[1] / "README.md"
FENCE = re.compile(
    r"(?:[ \t]*<!--\s*no-test:\s*(?P<reason>.*?)\s*-->\n)?[ \t]*```python\n(?P<code>.*?)```",
    re.S,
)


def _blocks() -> list[tuple[int, str, str | None]]:
    text = README.read_text(encoding="utf-8")
    return [
        (text[: m.start("code")].count("\n") + 1, m.group("code"), m.group("reason"))
        for m in FENCE.finditer(text)
    ]


def _poses(individuals: list[str], n_space: int = 2, seed: int = 0):
    rng = np.random.default_rng(seed)
    n = len(individuals)
    return posebridge.from_numpy(
        rng.uniform(0, 100, size=(30, n_space, 3, n)),
        None if n_space == 3 else rng.uniform(0, 1, size=(30, 3, n)),
        individual_names=individuals,
        keypoint_names=["snout", "ear_left", "ear_right"],
    )


def _make_files(root: Path) -> None:
    """The files the README's examples read, under the names they use."""
    two = _poses(["mouse1", "mouse2"])
    one = _poses(["individual_0"], seed=1)
    posebridge.save(one, root / "video1DLC_resnet50_openfieldAug20shuffle1_30000.h5")
    posebridge.save(two, root / "mystery.analysis.h5")
    (root / "mystery.analysis.h5").rename(root / "mystery.h5")
    for name in ("video1DLC.h5", "left.h5", "right.h5", "video1DLC_resnet50.h5"):
        posebridge.save(one, root / name)
    posebridge.save(two, root / "videoDLC_resnet50.h5")
    posebridge.save(two, root / "poses.h5")
    frame = dlc.dataframe_from_dataset(two)
    frame.to_hdf(root / "tracks_el.h5", key="tracks")  # a DLC file under another key
    posebridge.save(two, root / "session.predictions.slp")
    posebridge.save(two.assign_attrs(video_path="cam_left.mp4"), root / "multi.slp")
    (root / "pose-3d").mkdir()
    posebridge.save(_poses(["id_0"], n_space=3), root / "pose-3d" / "session.csv", "anipose")
    boxes = posebridge.model.bboxes_from_numpy(
        np.full((4, 2, 2), 50.0), np.full((4, 2, 2), 10.0), individual_names=["id_1", "id_2"]
    )
    posebridge.save(boxes, root / "tracks.csv")
    images = root / "labeled-data" / "mouse1"
    images.mkdir(parents=True)
    iio = pytest.importorskip("imageio.v2")
    names = []
    for number in (3, 12):
        iio.imwrite(images / f"img{number:04d}.png", np.full((24, 32, 3), 80, np.uint8))
        names.append(f"labeled-data/mouse1/img{number:04d}.png")
    labelled = labels.from_numpy(
        np.full((2, 2, 1, 1), 5.0), image_path=names, keypoint_names=["snout"]
    )
    posebridge.save(labelled, images / "CollectedData_me.h5")
    # sleap-io users, lazy reading, streaming and batch conversion
    posebridge.save(two, root / "predictions.slp")
    posebridge.save(two, root / "session.analysis.h5")
    posebridge.save(two, root / "long.analysis.h5")
    posebridge.save(one, root / "longDLC_resnet50.h5")
    posebridge.save(two, root / "video.nwb", split_individuals=False)
    sessions = root / "sessions"
    sessions.mkdir()
    for name in ("m1DLC_resnet50.h5", "m2DLC_resnet50.h5"):
        posebridge.save(one, sessions / name)
    (root / "sessions.csv").write_text(
        "input,subject_id,session_id,species,sex,age,session_start_time,fps\n"
        "sessions/m1DLC_resnet50.h5,m_1,1,Mus musculus,M,P90D,2024-05-01T09:30:00+01:00,30\n"
        "sessions/m2DLC_resnet50.h5,m_2,1,Mus musculus,F,P90D,2024-05-02T09:30:00+01:00,30\n"
    )


@pytest.fixture(scope="module")
def readme_files(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("readme_files")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        _make_files(root)
    return root


@pytest.mark.parametrize(
    "line, code, reason", _blocks(), ids=[f"line{line}" for line, _, _ in _blocks()]
)
def test_readme_python_block_runs(readme_files, tmp_path, monkeypatch, line, code, reason):
    if reason:
        pytest.skip(reason)
    if "import movement" in code or "from movement" in code:
        pytest.importorskip("movement")
    work = tmp_path / "work"
    shutil.copytree(readme_files, work)
    monkeypatch.chdir(work)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        exec(compile(code, f"README.md:{line}", "exec"), {"posebridge": posebridge})


def test_the_readme_has_python_blocks_and_skips_few():
    blocks = _blocks()
    assert len(blocks) >= 8
    assert sum(1 for *_, reason in blocks if reason) <= max(3, len(blocks) // 3)


# --------------------------------------------------------------------------
# calls written in the README's text agree with the signatures

_ROOTS = {
    "posebridge": "posebridge",
    "load_poses": "posebridge.io.load_poses",
    "save_poses": "posebridge.io.save_poses",
    "load_bboxes": "posebridge.io.load_bboxes",
    "save_bboxes": "posebridge.io.save_bboxes",
    "sample_data": "posebridge.sample_data",
}
_NAMES = "|".join(_ROOTS)
CALL = re.compile(rf"\b((?:{_NAMES})(?:\.\w+)+)\(([^()`]*)\)")


def _resolve(dotted: str):
    head, *rest = dotted.split(".")
    target = importlib.import_module(_ROOTS[head])
    for name in rest:
        if hasattr(target, name):
            target = getattr(target, name)
        else:
            target = importlib.import_module(f"{target.__name__}.{name}")  # a submodule
    return target


def _calls() -> list[tuple[str, list[str]]]:
    text = README.read_text(encoding="utf-8")
    found = []
    for match in CALL.finditer(text):
        keywords = re.findall(r"(?:^|,)\s*(\w+)\s*=(?!=)", match.group(2).replace("\n", " "))
        if keywords:
            found.append((match.group(1), keywords))
    return found


def test_the_readme_shows_calls_with_keywords():
    names = [name for name, _ in _calls()]
    assert "posebridge.from_numpy" in names


@pytest.mark.parametrize("name, keywords", _calls(), ids=lambda v: str(v))
def test_readme_calls_use_the_functions_parameters(name, keywords):
    function = _resolve(name)
    parameters = inspect.signature(function).parameters
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values()):
        return  # options checked by api.check_options, documented per format
    unknown = [k for k in keywords if k not in parameters]
    assert not unknown, f"README calls {name} with {unknown}; it takes {list(parameters)}"


def test_from_numpy_is_shown_with_its_parameter_names():
    text = README.read_text(encoding="utf-8")
    assert "confidence_array=None" in text
    assert "from_numpy(position, confidence=" not in text
