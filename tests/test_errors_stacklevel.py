"""Where posebridge's warnings point: at the caller's line, however deep the warning.

Python shows a warning at the line its ``stacklevel`` lands on (and its "once per
location" filters count that line). Each warning used to count its frames by hand,
right for one way of calling only: the same writer warns from ``posebridge.save``,
``posebridge.convert`` or a drop-in, each some frames deeper, and several landed in
posebridge's own ``api.py``. They now point at the first line outside posebridge.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

import posebridge
from posebridge.errors import user_stacklevel
from posebridge.model import labels

HERE = str(Path(__file__).resolve())


def labels_with_a_half_point() -> object:
    """Labelled frames (2 images, 2 keypoints, 1 individual) with one point whose y is
    NaN: COCO, YOLO and Label Studio cannot write it and warn."""
    position = np.arange(1.0, 9.0).reshape(2, 2, 2, 1)
    position[0, 1, 0, 0] = np.nan
    return labels.from_numpy(position, image_path=["a.png", "b.png"], keypoint_names=["a", "b"])


def labels_with_an_unlabelled_keypoint() -> object:
    """Labelled frames whose keypoint ``b`` has no point anywhere (Label Studio warns)."""
    position = np.arange(1.0, 9.0).reshape(2, 2, 2, 1)
    position[:, :, 1, 0] = np.nan
    return labels.from_numpy(position, image_path=["a.png", "b.png"], keypoint_names=["a", "b"])


def warnings_of(call: Callable[[], object], match: str) -> list[warnings.WarningMessage]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        call()
    found = [w for w in caught if match in str(w.message)]
    assert found, f"no warning matching {match!r}: {[str(w.message) for w in caught]}"
    return found


def assert_points_here(found: list[warnings.WarningMessage]) -> None:
    for w in found:
        assert str(Path(w.filename).resolve()) == HERE, f"{w.filename}:{w.lineno}: {w.message}"


@pytest.mark.parametrize(
    ("format", "name", "options"),
    [
        ("coco", "gt.json", {"image_size": (64, 64)}),
        ("yolo", "data.yaml", {"image_size": (64, 64)}),
        ("labelstudio", "tasks.json", {"image_size": (64, 64)}),
    ],
)
def test_a_writers_warning_points_at_the_save_call(tmp_path, format, name, options):
    ds = labels_with_a_half_point()
    found = warnings_of(
        lambda: posebridge.save(ds, tmp_path / name, format=format, **options),
        "one finite coordinate",
    )
    assert_points_here(found)


def test_label_studios_unlabelled_keypoint_warning_points_at_the_save_call(tmp_path):
    ds = labels_with_an_unlabelled_keypoint()
    found = warnings_of(
        lambda: posebridge.save(
            ds, tmp_path / "tasks.json", format="labelstudio", image_size=(64, 64)
        ),
        "no point (",
    )
    assert_points_here(found)


def test_the_same_warning_through_convert_points_at_the_convert_call(tmp_path):
    source = tmp_path / "labels.nc"
    posebridge.save(labels_with_a_half_point(), source)
    found = warnings_of(
        lambda: posebridge.convert(source, tmp_path / "gt.json", "coco", image_size=(64, 64)),
        "one finite coordinate",
    )
    assert_points_here(found)


def test_a_drop_in_warning_points_at_the_callers_line():
    """movement's warning for a frame rate of 0, given by posebridge.io's from_numpy."""
    from posebridge.io import load_poses

    found = warnings_of(
        lambda: load_poses.from_numpy(np.zeros((3, 2, 1, 1)), fps=0),
        "fps",
    )
    assert_points_here(found)


def test_user_stacklevel_counts_one_for_code_outside_posebridge():
    assert user_stacklevel() == 1


def test_every_warning_of_posebridge_counts_its_frames_with_user_stacklevel():
    """A ``stacklevel`` counted by hand is right for one caller only (see the module's
    docstring): every ``warnings.warn`` in the package takes ``user_stacklevel()``."""
    import ast

    package = Path(posebridge.__file__).parent
    counted_by_hand = []
    for path in sorted(package.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and ast.unparse(node.func) in ("warnings.warn", "warn"):
                given = {k.arg: ast.unparse(k.value) for k in node.keywords}
                if given.get("stacklevel") != "user_stacklevel()":
                    counted_by_hand.append(f"{path.relative_to(package)}:{node.lineno}")
    assert not counted_by_hand


def test_a_warning_from_inside_a_context_manager_of_ours_points_at_the_callers_line(tmp_path):
    """The .slp reader opens its tables in a generator context manager: its warnings
    (tracks that share a name) pointed at contextlib's ``next(self.gen)`` line."""
    sio = pytest.importorskip("sleap_io")
    from _sleap_io_labels import labels_of

    path = tmp_path / "twins.slp"
    sio.save_slp(labels_of({0: [sio.Track("A"), sio.Track("A")]}), str(path))
    assert_points_here(warnings_of(lambda: posebridge.load(path), "share a name"))
