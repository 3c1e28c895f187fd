"""Label Studio points grouped into animals by relations to rectangles (no ``parentID``).

A point may have relations besides the one to its rectangle (an annotator's line from
nose to tail): it still belongs to the rectangle it is related to. A point related to
two rectangles is refused, naming it.
"""

from __future__ import annotations

import importlib
import json
import warnings
from pathlib import Path

import numpy as np
import pytest

import posebridge
from posebridge.errors import FormatError
from posebridge.formats.labelstudio import _layout as layout

regions_module = importlib.import_module("posebridge.formats.labelstudio._regions")


def keypoint(id: str, name: str, x: float, y: float) -> dict:
    return {
        "id": id,
        "type": "keypointlabels",
        "from_name": "kp",
        "to_name": "image",
        "original_width": 200,
        "original_height": 100,
        "value": {"x": x, "y": y, "width": 0.5, "keypointlabels": [name]},
    }


def rectangle(id: str, x: float) -> dict:
    return {
        "id": id,
        "type": "rectanglelabels",
        "from_name": "bb",
        "to_name": "image",
        "original_width": 200,
        "original_height": 100,
        "value": {"x": x, "y": 10, "width": 20, "height": 20, "rotation": 0,
                  "rectanglelabels": ["mouse"]},
    }  # fmt: skip


def relation(a: str, b: str) -> dict:
    return {"type": "relation", "from_id": a, "to_id": b, "direction": "right"}


def two_mice(extra: list[dict]) -> list[dict]:
    """Two rectangles, each related to its nose and tail, then the ``extra`` relations."""
    result = [
        rectangle("R1", 10), rectangle("R2", 60),
        keypoint("a1", "nose", 12, 12), keypoint("b1", "tail", 25, 25),
        keypoint("a2", "nose", 62, 12), keypoint("b2", "tail", 75, 25),
        relation("a1", "R1"), relation("b1", "R1"), relation("a2", "R2"), relation("R2", "b2"),
        *extra,
    ]  # fmt: skip
    meta = {"video": {"filename": "v.mp4", "frame_idx": 0, "shape": [1, 100, 200, 3]}}
    return [{"data": {"image": "img.png"}, "meta": meta, "annotations": [{"result": result}]}]


def regions_both_ways(tasks: list[dict]) -> tuple:
    """The regions by the columnar reader (plain JSON and typed records) and one by one."""
    results = [task["annotations"][0]["result"] for task in tasks]
    fast = regions_module.fast_regions(np.arange(len(tasks)), results, len(tasks))
    typed = layout.load(Path("x.json"), json.dumps(tasks).encode())
    assert typed is not None
    typed_results = [task.annotations[0].result for task in typed]
    fast_typed = regions_module.fast_regions(np.arange(len(tasks)), typed_results, len(tasks))
    items = regions_module.RegionItems(Path("x.json"))
    for t, result in enumerate(results):
        items.add(t, f"$[{t}].annotations[0].result", result)
    return fast, fast_typed, items.regions(len(tasks))


LINES = {"nose to tail": [relation("a1", "b1")], "tail to nose": [relation("b1", "a1")]}


@pytest.mark.parametrize("line", LINES.values(), ids=LINES.keys())
def test_a_point_stays_with_its_rectangle_whatever_other_relations_it_has(tmp_path, line):
    path = tmp_path / "tasks.json"
    path.write_text(json.dumps(two_mice(line)))
    ds = posebridge.load(path)
    assert ds.sizes["individual"] == 2
    got = ds.position.isel(time=0).transpose("individual", "keypoint", "space").values
    # percent of 200 x 100: the first mouse's nose and tail, then the second's
    expected = np.array([[[24, 12], [50, 25]], [[124, 12], [150, 25]]], dtype=float)
    np.testing.assert_allclose(got, expected)
    for regions in regions_both_ways(two_mice(line)):
        assert regions.point_box.tolist() == [0, 0, 1, 1]


@pytest.mark.parametrize("line", LINES.values(), ids=LINES.keys())
def test_grouping_agrees_with_sleap_io(tmp_path, line):
    sleap_io = pytest.importorskip("sleap_io")
    path = tmp_path / "tasks.json"
    path.write_text(json.dumps(two_mice(line)))
    theirs = sleap_io.load_labelstudio(str(path), skeleton=sleap_io.Skeleton(["nose", "tail"]))
    expected = np.stack([i.numpy() for i in theirs.labeled_frames[0].instances])
    ds = posebridge.load(path)
    got = ds.position.isel(time=0).transpose("individual", "keypoint", "space").values
    np.testing.assert_allclose(got, expected)


def by_parent(extra: list[dict]) -> list[dict]:
    """Two rectangles (cat at x 10..30 %, cow at 50..70 %), a nose and tail in each by
    ``parentID``, then the ``extra`` regions."""
    result = [
        rectangle("R1", 10), rectangle("R2", 50),
        {**keypoint("a1", "nose", 12, 12), "parentID": "R1"},
        {**keypoint("b1", "tail", 25, 25), "parentID": "R1"},
        {**keypoint("a2", "nose", 52, 12), "parentID": "R2"},
        {**keypoint("b2", "tail", 65, 25), "parentID": "R2"},
        *extra,
    ]  # fmt: skip
    return [{"data": {"image": "img.png"}, "annotations": [{"result": result}]}]


def _two_rectangles_with_one_id() -> list[dict]:
    tasks = by_parent([])
    tasks[0]["annotations"][0]["result"][1]["id"] = "R1"  # the cow's box takes the cat's id
    return tasks


def _a_point_whose_parent_is_a_keypoint() -> list[dict]:
    return by_parent([{**keypoint("c1", "nose", 80, 80), "parentID": "a1"}])


def _a_point_related_to_two_rectangles() -> list[dict]:
    return two_mice([relation("a1", "R2")])


@pytest.mark.parametrize(
    ("tasks_of", "message"),
    [
        (
            _two_rectangles_with_one_id,
            r"\$\[0\]\.annotations\[0\]\.result\[0\] and \$\[0\]\.annotations\[0\]\.result\[1\]: "
            r"two rectangles with the id 'R1'",
        ),
        (
            _a_point_whose_parent_is_a_keypoint,
            r"\$\[0\]\.annotations\[0\]\.result\[6\]: keypoint 'c1' \('nose'\) has the parentID "
            r"'a1', a keypoint region",
        ),
        (
            _a_point_related_to_two_rectangles,
            r"\$\[0\]\.annotations\[0\]\.result\[2\]: keypoint 'a1' \('nose'\) is related to "
            r"2 rectangles \('R1', 'R2'\)",
        ),
    ],
    ids=["two rectangles with one id", "a parentID naming a keypoint", "related to two"],
)
def test_a_grouping_that_names_no_one_rectangle_is_refused_naming_the_regions(
    tmp_path, tasks_of, message
):
    """Which animal would the point be? Two rectangles of one id were decided silently
    (the last one), and a point parented to a point was read as one without a rectangle."""
    tasks = tasks_of()
    path = tmp_path / "tasks.json"
    path.write_text(json.dumps(tasks))
    with pytest.raises(FormatError, match=message):
        posebridge.load(path)
    results = [task["annotations"][0]["result"] for task in tasks]
    assert regions_module.fast_regions(np.arange(1), results, 1) is None  # the slow path names it


def test_a_parent_id_naming_nothing_warns_and_reads_a_free_point(tmp_path):
    lost = [
        {**keypoint("c1", "nose", 80, 80), "parentID": "gone"},
        {**keypoint("c2", "tail", 90, 90), "parentID": "gone"},
    ]
    tasks = by_parent(lost)
    path = tmp_path / "tasks.json"
    path.write_text(json.dumps(tasks))
    message = (
        r"2 keypoint\(s\) have a parentID naming no region of their task \(first: "
        r"\$\[0\]\.annotations\[0\]\.result\[6\], parentID 'gone'\)"
    )
    with pytest.warns(UserWarning, match=message):
        ds = posebridge.load(path)
    got = ds.position.isel(time=0).transpose("individual", "keypoint", "space").values
    # percent of 200 x 100; the two boxes keep their own points, the lost ones form a third
    expected = [
        [[12 * 2, 12], [25 * 2, 25]],
        [[52 * 2, 12], [65 * 2, 25]],
        [[80 * 2, 80], [90 * 2, 90]],
    ]
    np.testing.assert_allclose(got, expected)
    assert np.isnan(ds.bbox.isel(time=0, individual=2)).all()
    for regions in regions_both_ways(tasks):
        assert regions.point_box.tolist() == [0, 0, 1, 1, -1, -1]
        assert regions.orphans == 2
        assert regions.first_orphan == (0, 6, "gone")


def test_a_parent_id_naming_a_polygon_reads_a_free_point_without_a_warning(tmp_path):
    """h109: the warning for a deleted rectangle ('Was their rectangle deleted?') was given
    for points whose parent is their animal's polygon, a region that is there."""
    polygon = {
        "id": "P1", "type": "polygonlabels", "from_name": "seg", "to_name": "image",
        "original_width": 200, "original_height": 100,
        "value": {"points": [[80, 80], [95, 80], [95, 95]], "polygonlabels": ["mouse"]},
    }  # fmt: skip
    tasks = by_parent(
        [
            polygon,
            {**keypoint("c1", "nose", 80, 80), "parentID": "P1"},
            {**keypoint("c2", "tail", 90, 90), "parentID": "P1"},
        ]
    )
    path = tmp_path / "tasks.json"
    path.write_text(json.dumps(tasks))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ds = posebridge.load(path)
    got = ds.position.isel(time=0, individual=2).transpose("keypoint", "space").values
    np.testing.assert_allclose(got, [[80 * 2, 80], [90 * 2, 90]])  # percent of 200 x 100
    for regions in regions_both_ways(tasks):
        assert regions.point_box.tolist() == [0, 0, 1, 1, -1, -1]
        assert regions.orphans == 0
