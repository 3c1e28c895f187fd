"""Label Studio: keypoint exports in, pre-annotation tasks out."""

from __future__ import annotations

import base64
import json
import warnings
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

import posebridge
from posebridge import model
from posebridge.errors import FormatError, SchemaError, UnknownFormatError
from posebridge.formats import labelstudio
from posebridge.formats.labelstudio import _layout as layout
from posebridge.model import labels

CONFIG = """<View>
  <Image name="img" value="$photo"/>
  <KeyPointLabels name="kp" toName="img">
    <Label value="tail" model_index="2"/>
    <Label value="head" model_index="0"/>
    <Label value="neck" model_index="1"/>
  </KeyPointLabels>
  <RectangleLabels name="box" toName="img"><Label value="ant"/></RectangleLabels>
</View>"""


def point(name, x, y, *, id, parent=None, w=200, h=100, score=None):
    item = {
        "id": id,
        "type": "keypointlabels",
        "from_name": "kp",
        "to_name": "img",
        "original_width": w,
        "original_height": h,
        "value": {"x": x, "y": y, "width": 0.5, "keypointlabels": [name]},
    }
    if parent:
        item["parentID"] = parent
    if score is not None:
        item["score"] = score
    return item


def rect(id, x, y, width, height, label="ant", w=200, h=100, score=None):
    item = {
        "id": id,
        "type": "rectanglelabels",
        "from_name": "box",
        "to_name": "img",
        "original_width": w,
        "original_height": h,
        "value": {
            "x": x,
            "y": y,
            "width": width,
            "height": height,
            "rotation": 0,
            "rectanglelabels": [label],
        },
    }
    if score is not None:
        item["score"] = score
    return item


def export(tmp_path: Path) -> Path:
    tasks = [
        {
            "data": {"photo": "/data/upload/1/a.png"},
            "annotations": [
                {"was_cancelled": True, "result": []},
                {
                    "result": [
                        rect("r1", 10, 20, 30, 40),
                        point("head", 50, 50, id="p1", parent="r1"),
                        point("tail", 25, 10, id="p2", parent="r1"),
                        rect("r2", 0, 0, 10, 10, label="bee"),
                        point("neck", 5, 5, id="p3"),
                        {"type": "relation", "from_id": "p3", "to_id": "r2", "direction": "right"},
                        point("head", 80, 80, id="p4"),
                        point("head", 90, 90, id="p5"),
                        {"id": "t", "type": "choices", "value": {"choices": ["x"]}},
                    ]
                },
            ],
        },
        {"data": {"photo": "b.png"}, "annotations": []},
    ]
    path = tmp_path / "export.json"
    path.write_text(json.dumps(tasks, indent=2))
    return path


def test_export_reads_as_labels_grouped_by_parent_and_relation(tmp_path):
    ds = labelstudio.read(export(tmp_path), label_config=CONFIG)
    assert labels.is_labels(ds)
    assert ds.keypoint.values.tolist() == ["head", "neck", "tail"]  # model_index order
    assert ds.image_path.values.tolist() == ["/data/upload/1/a.png", "b.png"]
    assert ds.image_width.values.tolist() == [200, -1]
    assert ds.individual.values.tolist() == [f"untracked_{k}" for k in range(4)]
    first = ds.position.sel(time=0).transpose("individual", "keypoint", "space").values
    np.testing.assert_allclose(first[0], [[100, 50], [np.nan, np.nan], [50, 10]])
    np.testing.assert_allclose(first[1], [[np.nan, np.nan], [10, 5], [np.nan, np.nan]])
    # free points: the n-th "head" goes to the n-th free instance
    np.testing.assert_allclose(first[2, 0], [160, 80])
    np.testing.assert_allclose(first[3, 0], [180, 90])
    np.testing.assert_allclose(ds.bbox.sel(time=0, individual="untracked_0"), [20, 20, 60, 40])
    assert ds.category.sel(time=0).values.tolist() == ["ant", "bee", "", ""]
    assert np.isnan(ds.position.sel(time=1)).all()


def test_without_config_keypoints_follow_first_appearance(tmp_path):
    ds = labelstudio.read(export(tmp_path))
    assert ds.keypoint.values.tolist() == ["head", "tail", "neck"]


def test_config_from_a_file_and_unknown_labels(tmp_path):
    config = tmp_path / "config.xml"
    config.write_text(CONFIG.replace('<Label value="neck" model_index="1"/>', ""))
    config.write_text(config.read_text().replace('model_index="2"', 'model_index="1"'))
    with pytest.raises(FormatError, match=r"\['neck'\] are not in the label config"):
        labelstudio.read(export(tmp_path), label_config=config)


def test_predictions_read_as_poses_with_scores(tmp_path):
    tasks = [
        {
            "data": {"image": "a.png"},
            "predictions": [
                {
                    "score": 0.5,
                    "result": [
                        rect("r", 0, 0, 50, 50, score=0.9),
                        point("head", 10, 10, id="p", parent="r", score=0.7),
                    ],
                }
            ],
        }
    ]
    path = tmp_path / "pred.json"
    path.write_text(json.dumps(tasks))
    ds = posebridge.load(path)
    assert not labels.is_labels(ds)
    assert ds.image_path.values.tolist() == ["a.png"]
    assert float(ds.confidence.sel(keypoint="head").squeeze()) == 0.7
    assert float(ds.instance_score.squeeze()) == 0.9


def test_round_trip_through_prediction_tasks(tmp_path):
    rng = np.random.default_rng(3)
    position = rng.uniform(0, 60, (2, 2, 3, 2))
    position[1, :, :, 1] = np.nan
    position[0, :, 2, 0] = np.nan
    ds = posebridge.from_numpy(
        position,
        rng.uniform(0, 1, (2, 3, 2)),
        keypoint_names=["a", "b", "c"],
        individual_names=["untracked_0", "untracked_1"],
    )
    ds = ds.assign_coords(image_path=("time", ["x/1.png", "x/2.png"]))
    config = tmp_path / "config.xml"
    written = posebridge.save(
        ds, tmp_path / "tasks.json", format="labelstudio", image_size=(64, 80), label_config=config
    )
    assert written == [tmp_path / "tasks.json", config]
    tasks = json.loads(written[0].read_text())
    assert "predictions" in tasks[0] and tasks[0]["data"] == {"image": "x/1.png"}
    back = labelstudio.read(written[0], label_config=config)
    np.testing.assert_allclose(back.position.values, ds.position.values, rtol=1e-12)
    conf = np.where(np.isfinite(position[:, 0]), ds.confidence.values, np.nan)
    np.testing.assert_allclose(back.confidence.values, conf, rtol=0)
    assert back.image_width.values.tolist() == [64, 64]


def test_frames_of_a_video_take_the_video_size(tmp_path):
    """Pre-annotations for the frames of a video whose size the dataset states were
    refused ("pass image_size=")."""
    position = np.array([[[[5.0]], [[30.0]]], [[[35.0]], [[2.0]]]])  # (time, space, kp, ind)
    ds = posebridge.from_numpy(position, keypoint_names=["nose"])
    ds = ds.assign_attrs(video_path="v.mp4", video_width=40, video_height=32)
    (path,) = labelstudio.write(ds, tmp_path / "t.json")
    region = json.loads(path.read_text())[0]["predictions"][0]["result"][0]
    assert (region["original_width"], region["original_height"]) == (40, 32)
    assert (region["value"]["x"], region["value"]["y"]) == (5 / 40 * 100, 30 / 32 * 100)
    back = labelstudio.read(path)
    np.testing.assert_allclose(back.position.values, ds.position.values)


def test_still_images_do_not_take_the_video_size(tmp_path):
    ds = labels.from_numpy(np.full((1, 2, 2, 1), 8.0), image_path=["im/1.png"])
    ds = ds.assign_attrs(video_width=40, video_height=32)
    with pytest.raises(SchemaError, match="image_size"):
        labelstudio.write(ds, tmp_path / "t.json")


def test_labelled_frames_of_one_video_and_only_they_take_the_video_size(tmp_path):
    """A labels dataset always has an image_path coord ("" for frames of a video): its
    video frames were refused ("pass image_size=") though the video's size was known."""
    position = np.array([[[[5.0]], [[30.0]]], [[[35.0]], [[2.0]]]])  # (time, space, kp, ind)
    ds = labels.from_numpy(position, video=["v.mp4", "v.mp4"], frame=[3, 9])
    ds = ds.assign_attrs(video_width=40, video_height=32)
    assert ds.image_path.values.tolist() == ["", ""]
    (path,) = labelstudio.write(ds, tmp_path / "t.json")
    region = json.loads(path.read_text())[0]["annotations"][0]["result"][0]
    assert (region["original_width"], region["original_height"]) == (40, 32)
    assert (region["value"]["x"], region["value"]["y"]) == (5 / 40 * 100, 30 / 32 * 100)
    back = labelstudio.read(path)
    np.testing.assert_allclose(back.position.values, ds.position.values)
    # only frames of that one video take it: a still image, a second video's frame do not
    for coord, value in (("image_path", ["", "im/1.png"]), ("video", ["v.mp4", "w.mp4"])):
        other = ds.assign_coords({coord: ("time", value)})
        with pytest.raises(SchemaError, match="image_size"):
            labelstudio.write(other, tmp_path / "other.json")


def test_labels_are_written_as_annotations(tmp_path):
    ds = labels.from_numpy(np.full((1, 2, 2, 1), 8.0), image_path=["im/1.png"])
    (path,) = labelstudio.write(ds, tmp_path / "t.json", image_size=(16, 16))
    tasks = json.loads(path.read_text())
    assert "annotations" in tasks[0] and "predictions" not in tasks[0]
    back = posebridge.load(path)
    assert labels.is_labels(back)
    np.testing.assert_allclose(back.position.values, ds.position.values)


def test_prediction_tasks_hold_each_region_as_label_studio_lays_it_out(tmp_path):
    # two frames of one video, two animals, keypoints with names JSON must escape; frame 1
    # has no animal, animal 1 of frame 0 one point; sizes 200 x 100 -> percent = px / 2, px
    position = np.full((2, 2, 2, 2), np.nan)
    position[0, :, 0, 0] = [20.0, 10.0]  # animal 0, keypoint 'say "hi"'
    position[0, :, 1, 0] = [40.0, 30.0]  # animal 0, keypoint 'back\\slash'
    position[0, :, 1, 1] = [100.0, 50.0]  # animal 1, second keypoint only
    confidence = np.full((2, 2, 2), np.nan)  # (time, keypoint, individual)
    confidence[0, 0, 0], confidence[0, 1, 1] = 0.5, 1.0
    ds = posebridge.from_numpy(
        position, confidence, keypoint_names=['say "hi"', "back\\slash"],
        individual_names=["untracked_0", "untracked_1"],
    )  # fmt: skip
    ds.attrs["video_path"] = "/v/m\u00fcs.mp4"
    (path,) = labelstudio.write(ds, tmp_path / "t.json", image_size=(200, 100))
    tasks = json.loads(path.read_text(encoding="utf-8"))

    def kp(id, parent, name, x, y, score=None):
        item = {
            "id": id, "type": "keypointlabels", "from_name": "keypoints", "to_name": "image",
            "original_width": 200, "original_height": 100, "image_rotation": 0,
            "parentID": parent,
            "value": {"x": x, "y": y, "width": 0.5, "keypointlabels": [name]},
        }  # fmt: skip
        return item if score is None else {**item, "score": score}

    def box(id, x, y, w, h):
        return {
            "id": id, "type": "rectanglelabels", "from_name": "bbox", "to_name": "image",
            "original_width": 200, "original_height": 100, "image_rotation": 0,
            "value": {"x": x, "y": y, "width": w, "height": h, "rotation": 0,
                      "rectanglelabels": ["animal"]},
        }  # fmt: skip

    def link(point, parent):
        return {"type": "relation", "from_id": point, "to_id": parent, "direction": "right"}

    first = [
        box("pb0_0", 10.0, 10.0, 10.0, 20.0),  # the points' extent: x 20-40 px, y 10-30 px
        kp("pb0_0_0", "pb0_0", 'say "hi"', 10.0, 10.0, 0.5),
        kp("pb0_0_1", "pb0_0", "back\\slash", 20.0, 30.0),  # NaN confidence: no score
        box("pb0_1", 50.0, 50.0, 0.0, 0.0),
        kp("pb0_1_1", "pb0_1", "back\\slash", 50.0, 50.0, 1.0),
        link("pb0_0_0", "pb0_0"),
        link("pb0_0_1", "pb0_0"),
        link("pb0_1_1", "pb0_1"),
    ]
    video = {"filename": "/v/m\u00fcs.mp4", "shape": None}
    assert [t["meta"]["video"] for t in tasks] == [
        {**video, "frame_idx": 0},
        {**video, "frame_idx": 1},
    ]
    assert [t["data"] for t in tasks] == [  # images named for the video's frames
        {"image": "m\u00fcs/img00000.png"},
        {"image": "m\u00fcs/img00001.png"},
    ]
    assert [t["predictions"] for t in tasks] == [
        [{"model_version": "posebridge", "result": first}],
        [{"model_version": "posebridge", "result": []}],
    ]


def test_detect_finds_exports(tmp_path):
    assert posebridge.detect(export(tmp_path)) == "labelstudio"


def test_detect_finds_an_export_whose_first_task_is_larger_than_the_head(tmp_path):
    """Label Studio writes a task's data after its annotations (over 256 kB here)."""
    regions = [point(f"k{i % 5}", i % 100, i % 97, id=f"p{i}") for i in range(1500)]
    task = {"id": 1, "annotations": [{"id": 1, "result": regions}], "data": {"image": "x.png"}}
    path = tmp_path / "dense.json"
    path.write_text(json.dumps([task, {**task, "id": 2}], indent=2))
    assert path.read_text().index('"data"') > 256 * 1024
    assert posebridge.detect(path) == "labelstudio"


def test_detect_finds_tasks_whose_first_data_is_larger_than_the_head(tmp_path):
    """An import task's data (an inline base64 image) before its annotations pushed
    them past the first 256 kB, and the tail was not looked at (h134 #2)."""
    image = "data:image/png;base64," + base64.b64encode(bytes(300_000)).decode()
    tasks = [
        {"id": i, "data": {"image": image if i == 1 else "b.png"},
         "annotations": [{"id": i, "result": [point("nose", 10.0, 20.0, id=f"k{i}")]}]}
        for i in (1, 2)
    ]  # fmt: skip
    path = tmp_path / "tasks.json"
    path.write_text(json.dumps(tasks))
    assert path.read_text().index('"annotations"') > 256 * 1024
    assert posebridge.detect(path) == "labelstudio"


def test_detect_finds_a_single_task_object_the_reader_takes(tmp_path):
    """The reader takes one task object (a dict), as Label Studio's import does, but
    detection wanted a list, so load without format= refused it (h134 #3)."""
    task = {
        "data": {"image": "a.png"},
        "predictions": [{"score": 0.9, "result": [point("nose", 10.0, 20.0, id="k1")]}],
    }
    path = tmp_path / "task.json"
    path.write_text(json.dumps(task))
    assert posebridge.detect(path) == "labelstudio"
    ds = posebridge.load(path)
    assert ds.keypoint.values.tolist() == ["nose"]
    assert ds.position.sel(space="x").values.ravel().tolist() == [10.0 / 100 * 200]


def test_detect_leaves_other_json_objects_with_a_data_key(tmp_path):
    path = tmp_path / "other.json"
    path.write_text(json.dumps({"data": [1, 2], "annotations": "by hand"}))
    with pytest.raises(UnknownFormatError):
        posebridge.detect(path)


# --------------------------------------------------------------------------
# bad input


def test_truncated_export_names_file_and_line(tmp_path):
    path = export(tmp_path)
    path.write_text(path.read_text()[:300])
    with pytest.raises(FormatError, match=r"export\.json: line \d+ \(end of file\)"):
        labelstudio.read(path)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda t: t[0]["annotations"][1]["result"][1]["value"].pop("x"),
            r"\$\[0\]\.annotations\[1\]\.result\[1\]",
        ),
        (
            lambda t: t[0]["annotations"][1]["result"][0].pop("original_width"),
            r"\$\[0\]\.annotations\[1\]\.result\[0\]",
        ),
        (  # not an object: the typed decode gives up, plain JSON names the region
            lambda t: t[0]["annotations"][1]["result"][1].__setitem__("value", [1, 2]),
            r"\$\[0\]\.annotations\[1\]\.result\[1\]",
        ),
        (  # typed, but no label: the columns give up, region by region names it
            lambda t: t[0]["annotations"][1]["result"][1]["value"].__setitem__(
                "keypointlabels", []
            ),
            r"\$\[0\]\.annotations\[1\]\.result\[1\]",
        ),
        (
            lambda t: t[0]["annotations"][1]["result"][1]["value"].__setitem__("y", True),
            r"\$\[0\]\.annotations\[1\]\.result\[1\]: a keypointlabels region needs "
            r"value\.x, value\.y \(numbers\)",
        ),
        (
            lambda t: t[0]["annotations"][1]["result"][1]["value"].__setitem__(
                "keypointlabels", ["head", "tail"]
            ),
            r"result\[1\]\.value\.keypointlabels: 2 labels \(head, tail\); a point is one",
        ),
        (  # a region without its type was left out: keypoint 'head' of r1 lost
            lambda t: t[0]["annotations"][1]["result"][1].pop("type"),
            r"\$\[0\]\.annotations\[1\]\.result\[1\]: a region without \"type\" whose "
            r"value holds keypointlabels",
        ),
        (  # ... and a rectangle's: individual r2 lost
            lambda t: t[0]["annotations"][1]["result"][3].pop("type"),
            r"result\[3\]: a region without \"type\" whose value holds rectanglelabels",
        ),
        (  # a score in text read as no score (NaN) without a word
            lambda t: t[0]["annotations"][1]["result"][1].__setitem__("score", "high"),
            r"result\[1\]\.score: expected a number \(or null\), found 'high'",
        ),
        (
            lambda t: t[0]["annotations"][1]["result"][0].__setitem__("score", True),
            r"result\[0\]\.score: expected a number \(or null\), found True",
        ),
        (  # was "4 labels (h, e, a, d)"
            lambda t: t[0]["annotations"][1]["result"][1]["value"].__setitem__(
                "keypointlabels", "head"
            ),
            r"result\[1\]\.value\.keypointlabels: expected a list of one name, found the "
            r"string 'head'",
        ),
        (  # was read as an individual of class "a"
            lambda t: t[0]["annotations"][1]["result"][0]["value"].__setitem__(
                "rectanglelabels", "ant"
            ),
            r"result\[0\]\.value\.rectanglelabels: expected a list of one name, found the "
            r"string 'ant'",
        ),
        (lambda t: t[1].pop("data"), r"\$\[1\]\.data"),
        (
            lambda t: t[1]["data"].__setitem__("photo", "/data/upload/1/a.png"),
            r"\$\[0\] and \$\[1\] label the same image",
        ),
        (
            lambda t: t[0]["annotations"][1]["result"].append(
                point("head", 1, 1, id="p9", parent="r1")
            ),
            "appears twice",
        ),
        (  # was read as class "ant" alone, "bee" dropped without a word
            lambda t: t[0]["annotations"][1]["result"][0]["value"].__setitem__(
                "rectanglelabels", ["ant", "bee"]
            ),
            r"\$\[0\]\.annotations\[1\]\.result\[0\]\.value\.rectanglelabels: 2 labels "
            r"\(ant, bee\); a rectangle is one animal of one class",
        ),
    ],
)
def test_bad_export_is_refused_naming_the_task(tmp_path, change, message):
    path = export(tmp_path)
    tasks = json.loads(path.read_text())
    change(tasks)
    path.write_text(json.dumps(tasks))
    with pytest.raises(FormatError, match=message):
        labelstudio.read(path, label_config=CONFIG)


def test_bad_config_names_the_line(tmp_path):
    with pytest.raises(FormatError, match="invalid XML .*line 3"):
        labelstudio.read(export(tmp_path), label_config="<View>\n<KeyPointLabels>\n</View>")


def test_a_config_file_that_is_not_utf8_is_refused_naming_it(tmp_path):
    config = tmp_path / "config.xml"
    config.write_bytes(b"<View>\xff</View>")
    with pytest.raises(FormatError, match="not UTF-8") as error:
        labelstudio.read(export(tmp_path), label_config=config)
    assert str(config) in str(error.value)


def test_a_config_that_expands_entities_a_billion_times_is_refused(tmp_path):
    """ "Billion laughs": nine levels of ten-fold entities (10**9 copies of "lol")."""
    entities = "".join(
        f'<!ENTITY lol{i} "' + f"&lol{i - 1};" * 10 + '">' for i in range(1, 10)
    ).replace("&lol0;", "lol")
    config = (
        f"<?xml version='1.0'?><!DOCTYPE v [{entities}]>"
        '<View><KeyPointLabels name="kp"><Label value="&lol9;"/></KeyPointLabels></View>'
    )
    with pytest.raises(FormatError, match="invalid XML"):
        labelstudio.read(export(tmp_path), label_config=config)


def test_an_export_without_keypoints_is_refused(tmp_path):
    path = tmp_path / "boxes.json"
    path.write_text(
        json.dumps(
            [{"data": {"image": "a.png"}, "annotations": [{"result": [rect("r", 1, 2, 3, 4)]}]}]
        )
    )
    with pytest.raises(FormatError, match="holds no keypoint names"):
        labelstudio.read(path)


# -- the columnar reading of regions against the region-by-region one ---------------


def _regions_both_ways(tasks: list) -> tuple:
    """The regions of the first annotation of each task, by both readers of regions."""
    import importlib

    regions_module = importlib.import_module("posebridge.formats.labelstudio._regions")
    entries = [(t, f"$[{t}]", task["annotations"][0]["result"]) for t, task in enumerate(tasks)]
    tasks_at = np.array([e[0] for e in entries], dtype=np.int64)
    fast = regions_module.fast_regions(tasks_at, [e[2] for e in entries], len(tasks))
    items = regions_module.RegionItems(Path("x.json"))
    for entry in entries:
        items.add(*entry)
    return fast, items.regions(len(tasks))


def _same_regions(fast, slow) -> None:
    assert fast is not None
    for field in fast.__dataclass_fields__:
        a, b = getattr(fast, field), getattr(slow, field)
        if isinstance(a, np.ndarray):
            assert a.shape == b.shape, field
            if a.dtype.kind == "f":
                np.testing.assert_array_equal(a, b, err_msg=field)
            else:
                assert a.tolist() == b.tolist(), field
        else:
            assert a == b, field


def _many_tasks(seed: int) -> list:
    """Tasks with every way a point finds its rectangle, and every kind of score."""
    rng = np.random.default_rng(seed)
    tasks = []
    for t in range(40):
        result: list = []
        width = int(rng.integers(100, 300))  # the task's image: one size for its regions
        for b in range(int(rng.integers(0, 3))):
            result.append(
                rect(
                    f"r{b}",
                    *rng.uniform(0, 50, 4).round(3),
                    w=width,
                    label=f"c{b}",
                    score=[None, 0.5, 1][b % 3],
                )
            )
        for p in range(int(rng.integers(0, 6))):
            how = p % 4
            parent = f"r{p % 2}" if how == 0 else ("nope" if how == 1 else None)
            result.append(
                point(
                    f"k{p % 3}",
                    *rng.uniform(0, 100, 2).round(4),
                    id=f"p{p}",
                    parent=parent,
                    w=width,
                    score=[None, 0.25, 0, 3][how],
                )
            )
            if how == 2:  # linked to a rectangle by a relation (or to nothing)
                result.append({"type": "relation", "from_id": f"p{p}", "to_id": "r0"})
        result.append({"id": "c", "type": "choices", "value": {"choices": ["x"]}})
        tasks.append(
            {
                "data": {"image": f"{t}.png"},
                "annotations": [{"result": result, "score": [None, 0.75][t % 2]}],
            }
        )
    return tasks


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_regions_read_in_columns_equal_those_read_region_by_region(seed):
    _same_regions(*_regions_both_ways(_many_tasks(seed)))


def _typed_regions(tasks: list):
    """The regions of the same tasks decoded into typed records, read in columns."""
    import importlib

    regions_module = importlib.import_module("posebridge.formats.labelstudio._regions")
    typed = layout.load(Path("x.json"), json.dumps(tasks).encode())
    assert typed is not None
    results = [task.annotations[0].result for task in typed]
    return regions_module.fast_regions(np.arange(len(tasks)), results, len(tasks))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_regions_of_typed_records_equal_those_of_plain_json(seed):
    tasks = _many_tasks(seed)
    _, slow = _regions_both_ways(tasks)
    _same_regions(_typed_regions(tasks), slow)


def test_an_export_read_through_plain_json_equals_the_typed_read(tmp_path):
    """An irregular prediction (not read) sends the file to plain JSON: same dataset."""
    tasks = _many_tasks(3)
    regular, irregular = tmp_path / "regular.json", tmp_path / "irregular.json"
    regular.write_text(json.dumps(tasks))
    tasks[0]["predictions"] = [{"result": ["not a region"]}]
    irregular.write_text(json.dumps(tasks))
    assert layout.load(regular, regular.read_bytes()) is not None  # typed records
    assert layout.load(irregular, irregular.read_bytes()) is None  # the plain path is taken
    typed = labelstudio.read(regular, results="annotations")
    plain = labelstudio.read(irregular, results="annotations")
    xr.testing.assert_identical(typed, plain)


def test_a_rectangle_with_an_empty_id_takes_no_free_point():
    tasks = [{"data": {"image": "a.png"}, "annotations": [{"result": [
        rect("", 1, 2, 3, 4), point("k0", 5, 6, id="p0")]}]}]  # fmt: skip
    fast, slow = _regions_both_ways(tasks)
    _same_regions(fast, slow)
    assert slow.point_box.tolist() == [-1]


def test_the_example_export_reads_the_same_both_ways(tmp_path):
    tasks = json.loads(export(tmp_path).read_text())
    tasks[0]["annotations"] = tasks[0]["annotations"][1:]
    tasks[1]["annotations"] = [{"result": []}]
    _same_regions(*_regions_both_ways(tasks))


@pytest.mark.parametrize(
    "damage",
    [
        lambda item: item["value"].pop("x"),
        lambda item: item["value"].update(x=None),
        lambda item: item["value"].update(x="left"),
        lambda item: item["value"].update(x="12"),  # text, though it spells a number
        lambda item: item["value"].update(x=True),  # JSON true is no number (Python's 1)
        lambda item: item.update(original_width=False),
        lambda item: item["value"].update(keypointlabels=[]),
        lambda item: item["value"].update(keypointlabels=["k0", "k1"]),  # which keypoint?
        lambda item: item.update(original_width=None),
        lambda item: item.update(value=[1, 2]),
        lambda item: item.update(score=10**400),
        lambda item: item.update(score="high"),  # was NaN without a word
        lambda item: item.update(score=True),
    ],
)
def test_an_irregular_region_leaves_the_columns_to_the_region_by_region_reader(damage):
    """The columnar pass gives up (None) and the region-by-region reader names the region."""
    tasks = _many_tasks(0)
    item = point("k0", 1, 2, id="bad")
    damage(item)
    tasks[3]["annotations"][0]["result"].insert(0, item)
    import importlib

    regions_module = importlib.import_module("posebridge.formats.labelstudio._regions")
    entries = [(t, f"$[{t}]", task["annotations"][0]["result"]) for t, task in enumerate(tasks)]
    results = [entry[2] for entry in entries]
    assert regions_module.fast_regions(np.arange(len(tasks)), results, len(tasks)) is None
    items = regions_module.RegionItems(Path("x.json"))
    with pytest.raises(FormatError, match=r"\$\[3\]\[0\]"):
        for entry in entries:
            items.add(*entry)


# -- each task's image and chosen annotation, found in columns -----------------------


def _one_point(x: float) -> list:
    return [point("head", x, 10, id=f"p{x}")]


def tasks_of_every_shape() -> tuple[list, list]:
    """Tasks whose annotation is found by each of the rules, and the x chosen in each."""
    tasks = [
        {"data": {"image": "plain.png"}, "annotations": [{"result": _one_point(1)}]},
        {  # the first annotation was cancelled: the second one counts
            "data": {"image": "cancelled.png"},
            "annotations": [
                {"was_cancelled": True, "result": _one_point(99)},
                {"result": _one_point(2)},
            ],
        },
        {"data": {"image": "old.png"}, "completions": [{"result": _one_point(3)}]},
        {"data": {"image": "empty.png"}, "annotations": []},
        {"data": {"image": "none.png"}},
        {  # no "image" key: the first text of data, not the number before it
            "data": {"n": 7, "picture": "other_key.png", "later": "x.png"},
            "annotations": [{"result": _one_point(6)}],
        },
        {
            "data": {"image": "ignored.png"},
            "meta": {"video": {"filename": "clip.mp4", "frame_idx": 4}},
            "annotations": [{"result": _one_point(7)}],
        },
        {"data": {"image": "not_an_entry.png"}, "annotations": ["text", {"result": []}]},
    ]
    xs = [1, 2, 3, None, None, 6, 7, None]
    return tasks, xs


def test_each_tasks_annotation_and_image_follow_the_rules(tmp_path):
    tasks, xs = tasks_of_every_shape()
    path = tmp_path / "shapes.json"
    path.write_text(json.dumps(tasks))
    ds = labelstudio.read(path)
    head = ds.position.sel(keypoint="head", space="x", individual=ds.individual[0])
    expected = [np.nan if x is None else x / 100 * 200 for x in xs]
    np.testing.assert_allclose(head.values, expected)
    images = ds.image_path.values.tolist()
    assert images[:6] == ["plain.png", "cancelled.png", "old.png", "empty.png", "none.png",
                          "other_key.png"]  # fmt: skip
    assert ds.video.values[6] == "clip.mp4" and int(ds.frame.values[6]) == 4
    assert images[7] == "not_an_entry.png"


def test_predictions_are_each_tasks_first_prediction(tmp_path):
    tasks = [
        {"data": {"image": "a.png"}, "annotations": [], "predictions": [
            {"score": 0.5, "result": _one_point(1)}, {"result": _one_point(50)}]},
        {"data": {"image": "b.png"}, "predictions": []},
        {"data": {"image": "c.png"}, "predictions": ["text"]},
        {"data": {"image": "d.png"}, "predictions": [{"result": _one_point(4)}]},
    ]  # fmt: skip
    path = tmp_path / "predictions.json"
    path.write_text(json.dumps(tasks))
    ds = labelstudio.read(path)
    assert ds.attrs.get("content") != "labels"  # predictions: poses
    head = ds.position.sel(keypoint="head", space="x", individual=ds.individual[0])
    np.testing.assert_allclose(head.values, [2.0, np.nan, np.nan, 8.0])
    # the prediction's score (0.5) is the whole task's, not the point's: no confidence
    assert np.isnan(ds.confidence.sel(keypoint="head").values).all()


@pytest.mark.parametrize(
    ("task", "message"),
    [
        ({"data": "a.png", "annotations": []}, r"\$\[1\]\.data: expected an object"),
        ({"data": {"image": 5}, "annotations": []}, r"\$\[1\]\.data: no image"),
        ({"data": {"n": 5}, "annotations": []}, r"\$\[1\]\.data: no image"),
        ({"data": {"image": ""}, "annotations": []}, r"\$\[1\]\.data: no image"),
        (
            {"data": {}, "meta": {"video": {"filename": "v.mp4", "frame_idx": -1}},
             "annotations": []},
            r"\$\[1\]\.meta\.video: expected filename \(a video.s path.*\) and frame_idx",
        ),
        (  # JSON true was taken as frame 1
            {"data": {}, "meta": {"video": {"filename": "v.mp4", "frame_idx": True}},
             "annotations": []},
            r"\$\[1\]\.meta\.video: .*found \{'filename': 'v\.mp4', 'frame_idx': True\}",
        ),
        (
            {"data": {}, "meta": {"video": {"filename": "v.mp4", "frame_idx": 2**70}},
             "annotations": []},
            r"\$\[1\]\.meta\.video",
        ),
        (
            {"data": {}, "meta": {"video": "v.mp4"}, "annotations": []},
            r"\$\[1\]\.meta\.video",
        ),
        (
            {"data": {"image": "b.png"}, "annotations": [{"result": {"x": 1}}]},
            r"\$\[1\]\.annotations\[0\]\.result: expected a list",
        ),
        (
            {"data": {"image": "b.png"}, "completions": [{"result": None}]},
            r"\$\[1\]\.completions\[0\]\.result: expected a list",
        ),
    ],
)  # fmt: skip
def test_a_task_without_a_usable_image_or_result_is_named(tmp_path, task, message):
    tasks = [{"data": {"image": "a.png"}, "annotations": [{"result": _one_point(1)}]}, task]
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(tasks))
    with pytest.raises(FormatError, match=message):
        labelstudio.read(path)


@pytest.mark.parametrize("width", [0, -640, 1e31, None])
@pytest.mark.parametrize("kind", ["point", "rect"])
def test_a_region_whose_image_size_is_no_size_is_refused(tmp_path, width, kind):
    region = point("head", 10, 20, id="p1") if kind == "point" else rect("r1", 1, 2, 3, 4)
    region["original_width"] = width
    tasks = [
        {"data": {"image": "a.png"}, "annotations": [{"result": _one_point(5)}]},
        {"data": {"image": "b.png"}, "annotations": [{"result": [*_one_point(6), region]}]},
    ]
    path = tmp_path / "sizes.json"
    path.write_text(json.dumps(tasks))
    with pytest.raises(FormatError, match=r"\$\[1\]"):
        labelstudio.read(path)


@pytest.mark.parametrize("kind", ["point", "rect"])
def test_a_region_whose_pixels_overflow_is_refused(tmp_path, kind):
    """1e308 percent of 200 pixels is past float64: it read as an infinite position."""
    region = point("head", 1e308, 20, id="p1") if kind == "point" else rect("r1", 1, 2, 1e308, 4)
    tasks = [
        {"data": {"image": "a.png"}, "annotations": [{"result": _one_point(5)}]},
        {"data": {"image": "b.png"}, "annotations": [{"result": [region]}]},
    ]
    path = tmp_path / "far.json"
    path.write_text(json.dumps(tasks))
    with pytest.raises(FormatError, match=r"\$\[1\]: a region at .* lies beyond any image"):
        labelstudio.read(path)


def test_an_export_that_starts_with_a_byte_order_mark_reads_as_without_one(tmp_path):
    plain = export(tmp_path)
    marked = tmp_path / "marked.json"
    marked.write_bytes(b"\xef\xbb\xbf" + plain.read_bytes())  # Windows editors' UTF-8
    expected = labelstudio.read(plain, label_config=CONFIG)
    xr.testing.assert_identical(labelstudio.read(marked, label_config=CONFIG), expected)
    detected = posebridge.load(marked, label_config=CONFIG)  # the sniffer skips the mark too
    np.testing.assert_array_equal(detected.position.values, expected.position.values)


def test_a_missing_label_config_file_is_refused_as_a_missing_input(tmp_path):
    """A missing label_config= file was a FormatError, not the FileNotFoundError that the
    README promises for side files."""
    from posebridge import errors

    with pytest.raises(errors.FileNotFoundError, match="config.xml"):
        posebridge.load(export(tmp_path), label_config=tmp_path / "config.xml")
    with pytest.raises(errors.IsADirectoryError):
        labelstudio.read(export(tmp_path), label_config=tmp_path)


def test_points_and_boxes_without_a_score_read_back_without_one(tmp_path):
    position = np.full((2, 2, 2, 2), np.nan)
    position[:, :, :, 0] = [[10, 20], [30, 40]]
    position[:, :, :, 1] = [[60, 70], [80, 90]]
    ds = posebridge.from_numpy(position, None, individual_names=["a", "b"],
                               keypoint_names=["nose", "tail"])  # fmt: skip
    ds["instance_score"] = ((model.TIME, model.INDIVIDUAL), np.array([[0.9, 0.5], [0.8, np.nan]]))
    ds = ds.assign_coords(image_path=(model.TIME, ["f0.png", "f1.png"]))
    path = tmp_path / "tasks.json"
    labelstudio.write(ds, path, image_size=(100, 100), label_config=tmp_path / "config.xml")
    tasks = json.loads(path.read_text())
    assert [t["predictions"][0]["score"] for t in tasks] == [0.7, 0.8]  # the boxes' mean
    back = labelstudio.read(path, label_config=tmp_path / "config.xml")
    assert np.isnan(back.confidence.values).all()
    np.testing.assert_array_equal(back.instance_score.values, [[0.9, 0.5], [0.8, np.nan]])


def test_infinite_scores_left_out_of_predictions_are_warned_about(tmp_path):
    """An infinite confidence was left out of its region and read back as NaN silently."""
    confidence = np.full((2, 2, 1), 0.5)
    confidence[0, 0, 0] = np.inf
    ds = posebridge.from_numpy(np.full((2, 2, 2, 1), 10.0), confidence)
    ds["instance_score"] = ((model.TIME, model.INDIVIDUAL), np.array([[-np.inf], [0.4]]))
    path = tmp_path / "tasks.json"
    with pytest.warns(UserWarning, match=r"tasks\.json: infinite scores \(1 in 'confidence' "
                      r"and 1 in 'instance_score'\)"):  # fmt: skip
        labelstudio.write(ds, path, image_size=(100, 100))
    back = labelstudio.read(path)
    assert np.isnan(back.confidence.values[0, 0, 0])  # as the warning says


def test_what_label_studio_keypoints_cannot_hold_is_warned_about(tmp_path):
    """A point labelled but not visible read back visible, named individuals read back as
    untracked_<k>: both without a word."""
    from posebridge.model import labels as labels_model

    ds = labels_model.from_numpy(
        np.full((1, 2, 2, 2), 5.0),
        image_path=["a.png"],
        individual_names=["queen", "worker"],
        visible=np.array([[[1, 2], [2, 2]]]),
    )
    with pytest.warns(UserWarning) as caught:
        posebridge.save(ds, tmp_path / "ls.json", format="labelstudio", image_size=(64, 64))
    said = " ".join(str(w.message) for w in caught)
    assert "1 point(s) with coordinates are flagged labelled but not visible" in said
    assert "the individuals queen, worker read back as untracked_<k>" in said


def _name_warnings(names: list[str], path) -> list[str]:
    from posebridge.model import labels as labels_model

    ds = labels_model.from_numpy(
        np.full((2, 2, 2, len(names)), 5.0), image_path=["a.png", "b.png"], individual_names=names
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        posebridge.save(ds, path, format="labelstudio", image_size=(64, 64))
    return [str(w.message) for w in caught if "read back as untracked_<k>" in str(w.message)]


def test_one_named_individual_is_said_to_lose_its_name(tmp_path):
    """It reads back as untracked_0 too; only two or more were warned about."""
    (warning,) = _name_warnings(["queen"], tmp_path / "ls.json")
    assert warning.startswith(f"{tmp_path / 'ls.json'}: Label Studio tasks")
    assert "the individuals queen read back as untracked_<k>" in warning
    assert "COCO (.json)" in warning  # where names are kept
    back = posebridge.load(tmp_path / "ls.json", format="labelstudio")
    assert back.individual.values.tolist() == ["untracked_0"]


@pytest.mark.parametrize("names", [["untracked_0", "untracked_1"], ["id_0"]])
def test_individuals_without_an_identity_are_not_said_to_be_lost(tmp_path, names):
    """Untracked instances have no identity, a lone id_0 (from_numpy's) names nothing."""
    assert _name_warnings(names, tmp_path / "ls.json") == []


@pytest.mark.parametrize("names", [["id_0", "id_1"], ["individual_0", "track_1"]])
def test_numbered_individuals_are_said_to_lose_which_is_which(tmp_path, names):
    """Tasks keep no identity across images: an array's id_<k> and a tracker's track_<k>
    read back ranked per image."""
    (warning,) = _name_warnings(names, tmp_path / "ls.json")
    assert f"the individuals {', '.join(names)} read back as untracked_<k>" in warning


def test_points_with_one_finite_coordinate_are_warned_about(tmp_path):
    """A point with x finite and y NaN is a point (point_flags counts it), but a Label
    Studio keypoint needs both: with a labelling config (so no keypoint goes unlabelled)
    its x was dropped without a word."""
    position = np.full((1, 2, 2, 1), 5.0)
    position[0, 1, 0, 0] = np.nan  # keypoint a: x = 5, y NaN; b is whole in another image
    position = np.concatenate([position, np.full((1, 2, 2, 1), 7.0)])
    ds = posebridge.from_numpy(position, keypoint_names=["a", "b"])
    ds = ds.assign_coords(image_path=(model.TIME, ["f0.png", "f1.png"]))
    with pytest.warns(UserWarning, match=r"ls\.json: 1 point\(s\) have one finite coordinate"):
        posebridge.save(
            ds, tmp_path / "ls.json", format="labelstudio", image_size=(64, 64),
            label_config=tmp_path / "config.xml",
        )  # fmt: skip
    back = labelstudio.read(tmp_path / "ls.json", label_config=tmp_path / "config.xml")
    assert np.isnan(back.position.values[0, :, 0, 0]).all()  # read back missing, as said


@pytest.mark.parametrize("blank", ["\t", "\n", "\r", "\r\n"])
def test_label_config_keeps_blanks_of_keypoint_names(tmp_path, blank):
    """r_ls_config_names: a tab or line end in a keypoint name was written raw into the
    config's attribute, which XML reads back as a space: the pair did not read back."""
    names = ["nose", f"left{blank}ear", f'a"b&<c{blank}']
    ds = posebridge.from_numpy(np.full((1, 2, 3, 1), 10.0), keypoint_names=names)
    config = tmp_path / "config.xml"
    written = posebridge.save(
        ds, tmp_path / "tasks.json", format="labelstudio", image_size=(100, 100),
        label_config=config,
    )  # fmt: skip
    back = labelstudio.read(written[0], label_config=config)
    assert back.keypoint.values.tolist() == names


@pytest.mark.parametrize("odd", ["\x01", "\x1f", "\ufffe"])
def test_label_config_refuses_names_xml_cannot_hold(tmp_path, odd):
    ds = posebridge.from_numpy(np.full((1, 2, 2, 1), 10.0), keypoint_names=["nose", f"ear{odd}"])
    with pytest.raises(posebridge.PoseBridgeError, match=r"keypoint name\(s\) 'ear.*XML 1.0"):
        posebridge.save(
            ds, tmp_path / "tasks.json", format="labelstudio", image_size=(100, 100),
            label_config=tmp_path / "config.xml",
        )  # fmt: skip
    assert list(tmp_path.iterdir()) == []  # nothing written, neither tasks nor config


def test_irregular_timestamps_are_warned_as_not_kept(tmp_path):
    """Times in seconds off the frame grid (0.05 s at 25 fps) are written as frame numbers
    (round(time x fps)): the loss is warned as DeepLabCut's and SLEAP's writers warn it, and
    times that are frame / fps say nothing (h118 finding 2)."""
    times = np.array([0.0, 0.05, 0.10, 0.20])
    ds = posebridge.from_numpy(np.full((4, 2, 1, 1), 5.0), keypoint_names=["a"], fps=25.0)
    path = tmp_path / "tasks.json"
    with pytest.warns(UserWarning, match="time in seconds is not kept") as caught:
        labelstudio.write(ds.assign_coords(time=times), path, image_size=(64, 48))
    said = [str(w.message) for w in caught if "time in seconds" in str(w.message)]
    assert len(said) == 1 and said[0].startswith(f"{path}:")
    back = posebridge.load(path, format="labelstudio", fps=25.0)
    assert not np.allclose(back.time.values, times)  # the loss warned about is real
    with warnings.catch_warnings(record=True) as regular:
        warnings.simplefilter("always")
        labelstudio.write(ds, tmp_path / "regular.json", image_size=(64, 48))
    assert not [w for w in regular if "time in seconds" in str(w.message)]


def image_sequence_tasks(files: list[str], frames: list[int]) -> list:
    """Tasks as sleap-io writes the frames of an image-sequence video: ``meta.video``'s
    filename is the list of its image files, ``frame_idx`` the task's place in it."""
    return [
        {
            "data": {},
            "meta": {"video": {"filename": files, "frame_idx": f, "shape": [3, 100, 200, 1]}},
            "annotations": [{"result": [point("head", 10 * (f + 1), 20, id=f"p{f}")]}],
        }
        for f in frames
    ]


def test_a_frame_of_an_image_sequence_is_its_image_file(tmp_path):
    """sleap-io writes an image sequence's filename as the list of its files; it was
    refused although the README says we read what sleap-io writes."""
    files = ["imgs/a.png", "imgs/b.png", "imgs/c.png"]
    path = tmp_path / "tasks.json"
    path.write_text(json.dumps(image_sequence_tasks(files, [2, 0])))
    ds = labelstudio.read(path)
    assert ds.image_path.values.tolist() == [files[2], files[0]]
    # x in percent of the 200 px width: 30 % and 10 %
    np.testing.assert_allclose(ds.position.sel(space="x").values.ravel(), [60.0, 20.0])


def test_a_frame_index_beyond_an_image_sequence_is_refused_naming_the_task(tmp_path):
    path = tmp_path / "tasks.json"
    path.write_text(json.dumps(image_sequence_tasks(["a.png", "b.png"], [0, 2])))
    with pytest.raises(FormatError, match=r"\$\[1\]\.meta\.video: .*within that list"):
        labelstudio.read(path)


def test_labels_sleap_io_writes_of_labelled_images_read_back(tmp_path):
    sio = pytest.importorskip("sleap_io")
    from PIL import Image

    files = []
    for i in range(2):
        files.append(str(tmp_path / f"img{i}.png"))
        Image.new("RGB", (64, 48)).save(files[-1])
    skeleton = sio.Skeleton(["nose", "tail"])
    video = sio.Video.from_filename(files)
    points = [np.array([[10.0 + i, 12.0], [20.0, 30.0 + i]]) for i in range(2)]
    frames = [
        sio.LabeledFrame(
            video=video, frame_idx=i, instances=[sio.Instance.from_numpy(p, skeleton=skeleton)]
        )
        for i, p in enumerate(points)
    ]
    sio.save_labelstudio(
        sio.Labels(frames, videos=[video], skeletons=[skeleton]), str(tmp_path / "ls.json")
    )
    ds = posebridge.load(tmp_path / "ls.json")
    assert ds.image_path.values.tolist() == files
    got = ds.position.isel(individual=0).transpose("time", "keypoint", "space").values
    np.testing.assert_allclose(got, points)


def _on(region: dict, image: str, width: int = 200, height: int = 100) -> dict:
    """The region on the config's image ``image`` (its to_name), of that image's size."""
    return {**region, "to_name": image, "original_width": width, "original_height": height}


TWO_IMAGES = """<View>
  <Image name="left" value="$left"/>
  <Image name="right" value="$right"/>
  <KeyPointLabels name="kpl" toName="left"><Label value="nose"/></KeyPointLabels>
  <KeyPointLabels name="kpr" toName="right"><Label value="tail"/></KeyPointLabels>
</View>"""


@pytest.mark.parametrize("config", [TWO_IMAGES, None])
@pytest.mark.parametrize("second", ["point", "rect"])
def test_a_task_whose_regions_lie_on_two_images_is_refused_naming_them(tmp_path, config, second):
    """Points of a second <Image> were read as points of the first, with its path and size."""
    other = point("tail", 50, 50, id="b") if second == "point" else rect("r", 1, 2, 3, 4)
    tasks = [
        {"data": {"left": "l0.jpg", "right": "r0.jpg"}, "annotations": [{"result": [
            _on(point("nose", 10, 10, id="a"), "left")]}]},
        {"data": {"left": "l.jpg", "right": "r.jpg"}, "annotations": [{"result": [
            _on(point("nose", 10, 10, id="a"), "left"), _on(other, "right", 400, 400)]}]},
    ]  # fmt: skip
    path = tmp_path / "two.json"
    path.write_text(json.dumps(tasks))
    with pytest.raises(FormatError) as error:
        labelstudio.read(path, label_config=config)
    message = str(error.value)
    assert str(path) in message and "$[1]" in message
    assert "'left'" in message and "'right'" in message


def test_a_task_whose_regions_all_lie_on_one_image_reads(tmp_path):
    tasks = [{"data": {"image": "a.jpg"}, "annotations": [{"result": [
        _on(point("nose", 10, 10, id="a"), "img"), _on(point("tail", 50, 50, id="b"), "img"),
        {**point("ear", 20, 20, id="c"), "to_name": None}]}]}]  # fmt: skip
    path = tmp_path / "one.json"
    path.write_text(json.dumps(tasks))
    ds = labelstudio.read(path)
    assert ds.position.isel(time=0, individual=0).values.T.tolist() == [
        [20.0, 10.0],
        [100.0, 50.0],
        [40.0, 20.0],
    ]


@pytest.mark.parametrize("second", ["point", "rect"])
@pytest.mark.parametrize("plain", [False, True])
def test_regions_that_give_their_image_two_sizes_are_refused_naming_them(tmp_path, second, plain):
    """The row kept the first region's size while the others' points were made of theirs."""
    other = point("tail", 50, 50, id="b") if second == "point" else rect("r", 1, 2, 3, 4)
    other = {**other, "original_width": 400, "original_height": 300}
    tasks = [{"data": {"image": "a.jpg"}, "annotations": [{"result": [
        point("nose", 10, 10, id="a"), other]}]}]  # fmt: skip
    if plain:  # an irregular task sends the file region by region: the same rule
        tasks.append({"data": {"image": "b.jpg"}, "predictions": [{"result": ["x"]}]})
    path = tmp_path / "sizes.json"
    path.write_text(json.dumps(tasks))
    with pytest.raises(FormatError) as error:
        labelstudio.read(path, results="annotations")
    message = str(error.value)
    assert str(path) in message and "$[0]" in message
    assert "200 x 100" in message and "400 x 300" in message


def test_a_task_whose_regions_lie_on_the_configs_second_image_reads_that_image(tmp_path):
    """With the config, to_name says which <Image> (and so which data key) the points are of."""
    tasks = [
        {"data": {"left": "l0.jpg", "right": "r0.jpg"}, "annotations": [{"result": [
            _on(point("nose", 10, 10, id="a"), "left")]}]},
        {"data": {"left": "l1.jpg", "right": "r1.jpg"}, "annotations": [{"result": [
            _on(point("tail", 50, 50, id="b"), "right", 400, 300)]}]},
    ]  # fmt: skip
    path = tmp_path / "right.json"
    path.write_text(json.dumps(tasks))
    ds = labelstudio.read(path, label_config=TWO_IMAGES)
    assert [Path(p).name for p in ds.image_path.values] == ["l0.jpg", "r1.jpg"]
    assert ds.image_width.values.tolist() == [200, 400]
    assert ds.position.sel(keypoint="tail").isel(time=1, individual=0).values.tolist() == [
        200.0,
        150.0,
    ]
    del tasks[1]["data"]["right"]
    path.write_text(json.dumps(tasks))
    with pytest.raises(FormatError, match=r"\$\[1\]\.data: no image.*'right'"):
        labelstudio.read(path, label_config=TWO_IMAGES)


def test_3d_poses_and_views_are_refused_with_what_the_command_line_can_do(tmp_path):
    from posebridge.errors import worded_for_command_line

    out = tmp_path / "tasks.json"
    solid = posebridge.from_numpy(np.zeros((2, 3, 2, 1)))
    with pytest.raises(SchemaError, match=r"2D \(x, y\).*3 spatial") as got:
        labelstudio.write(solid, out, image_size=(64, 48))
    assert "select x and y first (ds.sel(space=['x', 'y']))" in str(got.value)
    said = worded_for_command_line(got.value)
    assert "--to nwb or --to netcdf" in said
    assert "selecting x and y takes Python (ds.sel(space=['x', 'y']))" in said
    assert "select x and y first" not in said
    views = posebridge.from_numpy(np.zeros((2, 2, 2, 1))).expand_dims(view=["a", "b"], axis=-1)
    with pytest.raises(SchemaError, match=r"2 camera views \(a, b\)") as got:
        labelstudio.write(views, out, image_size=(64, 48))
    said = worded_for_command_line(got.value)
    assert "picking one takes Python (e.g. ds.sel(view='a'))" in said
    assert "select x, y and one view" not in said
    assert not out.exists()


def test_the_warning_of_tasks_without_a_config_names_the_flags_on_the_command_line(tmp_path):
    """``convert`` says --option / --read-option label_config=; Python keeps label_config=."""
    from click.testing import CliRunner

    from posebridge.cli import cli

    position = np.array([[[[10.0]], [[20.0]]], [[[11.0]], [[21.0]]]])
    position = np.concatenate([position, np.full_like(position, np.nan)], axis=2)  # 2nd: none
    ds = posebridge.from_numpy(position, keypoint_names=["nose", "tail"])
    source = tmp_path / "poses.nc"
    posebridge.save(ds, source)
    out = tmp_path / "tasks.json"
    with pytest.warns(UserWarning, match="1 keypoint has no point") as caught:
        labelstudio.write(ds, out, image_size=(64, 48))
    said = [str(w.message) for w in caught if "no point" in str(w.message)]
    assert "pass label_config= to write the config" in said[0]
    out.unlink()
    result = CliRunner().invoke(
        cli,
        [
            "convert",
            str(source),
            str(out),
            "--to",
            "labelstudio",
            "--option",
            "image_size=[64,48]",
        ],
    )
    assert result.exit_code == 0, result.output
    (line,) = [line for line in result.stderr.splitlines() if "no point" in line]
    assert line.startswith("posebridge: warning: ")
    assert "1 keypoint has no point ('tail')" in line
    assert "--option label_config=CONFIG.xml" in line
    assert "--read-option label_config=CONFIG.xml" in line
    assert "label_config= to" not in line and "(label_config=)" not in line


@pytest.mark.parametrize("kind", ["predictions", "annotations"])
def test_a_per_keypoint_variable_it_has_no_place_for_is_warned_as_not_written(tmp_path, kind):
    """Label Studio keypoints hold a position and, in predictions, a score: another
    per-keypoint variable (an EKS variance, Anipose's reprojection_error) is named in a
    warning on the file, as the README promises (h172 finding 6)."""
    rng = np.random.default_rng(13)
    ds = posebridge.from_numpy(
        rng.uniform(1, 99, (3, 2, 2, 1)),
        rng.uniform(0, 1, (3, 2, 1)),
        individual_names=["track_1"],
        keypoint_names=["p", "q"],
    )
    ds["x_ens_var"] = (("time", "keypoint", "individual"), rng.uniform(0, 1, (3, 2, 1)))
    path = tmp_path / "ls.json"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        posebridge.save(ds, path, format="labelstudio", kind=kind, image_size=(100, 100))
    said = [str(w.message) for w in caught if "x_ens_var" in str(w.message)]
    assert len(said) == 1 and said[0].startswith(f"{path}: Label Studio task files have no place")
    assert not [w for w in caught if "'confidence'" in str(w.message) and "no place" in str(w)]
    assert "x_ens_var" not in posebridge.load(path)
