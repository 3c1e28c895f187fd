"""COCO keypoints: reading ground truth and results, writing both, refusing bad files."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

import posebridge
from posebridge.errors import FormatError, SchemaError
from posebridge.formats import coco
from posebridge.model import labels


def gt_file(tmp_path: Path, **changes) -> Path:
    """A small ground-truth file: 3 images, 3 keypoints, v = 0, 1 and 2, a 1-based skeleton."""
    content = {
        "images": [
            {"id": 7, "file_name": "a/img001.png", "width": 64, "height": 48},
            {"id": 3, "file_name": "a/img002.png", "width": 64, "height": 48},
            {"id": 9, "file_name": "b/img010.png", "width": 32, "height": 32},
        ],
        "annotations": [
            {
                "id": 1,
                "image_id": 7,
                "category_id": 1,
                "keypoints": [1.5, 2, 2, 0, 0, 0, 5, 6, 1],
                "num_keypoints": 2,
                "bbox": [1, 2, 4, 4],
                "area": 16,
                "iscrowd": 0,
            },
            {
                "id": 2,
                "image_id": 7,
                "category_id": 1,
                "keypoints": [10, 11, 2, 12, 13, 2, 14, 15, 2],
                "num_keypoints": 3,
                "bbox": [10, 11, 4, 4],
                "area": 16.5,
                "iscrowd": 0,
            },
            {
                "id": 3,
                "image_id": 9,
                "category_id": 1,
                "keypoints": [20, 21, 2, 0, 0, 0, 0, 0, 0],
                "num_keypoints": 1,
                "bbox": [20, 21, 1, 1],
                "area": 1,
                "iscrowd": 0,
            },
        ],
        "categories": [
            {
                "id": 1,
                "name": "mouse",
                "keypoints": ["nose", "ear", "tail"],
                "skeleton": [[1, 2], [2, 3]],
            }
        ],
    }
    content.update(changes)
    path = tmp_path / "gt.json"
    path.write_text(json.dumps(content, indent=1))
    return path


def test_ground_truth_reads_as_labels_with_flags_boxes_and_skeleton(tmp_path):
    ds = coco.read(gt_file(tmp_path))
    assert labels.is_labels(ds)
    assert ds.image_path.values.tolist() == ["a/img001.png", "a/img002.png", "b/img010.png"]
    assert ds.image_id.values.tolist() == [7, 3, 9]
    assert ds.image_width.values.tolist() == [64, 64, 32]
    assert ds.keypoint.values.tolist() == ["nose", "ear", "tail"]
    assert ds.individual.values.tolist() == ["untracked_0", "untracked_1"]
    first = ds.position.sel(time=0, individual="untracked_0").transpose("keypoint", "space")
    np.testing.assert_array_equal(first.values, [[1.5, 2], [np.nan, np.nan], [5, 6]])
    # v=1 keeps its position with flag 1; v=0 is NaN with flag 0
    assert ds.visible.sel(time=0, individual="untracked_0").values.tolist() == [2, 0, 1]
    assert np.isnan(ds.position.sel(time=1)).all()  # an image without annotations
    assert ds.bbox.sel(time=0, individual="untracked_1").values.tolist() == [10, 11, 4, 4]
    assert ds.instance_area.sel(time=0).values.tolist() == [16, 16.5]
    assert ds.category.sel(time=2).values.tolist() == ["mouse", ""]
    assert ds.skeleton_edges.values.tolist() == [["nose", "ear"], ["ear", "tail"]]


@pytest.mark.parametrize("width", [-64, 1e31, 2**40, None, "absent"])
def test_an_image_width_that_is_no_size_reads_as_unknown(tmp_path, width):
    images = [
        {"id": 7, "file_name": "a/img001.png", "width": width, "height": 48},
        {"id": 3, "file_name": "a/img002.png", "width": 64, "height": 48},
        {"id": 9, "file_name": "b/img010.png", "width": 32, "height": 32},
    ]
    if width == "absent":
        del images[0]["width"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # numpy's "invalid value encountered in cast" too
        ds = coco.read(gt_file(tmp_path, images=images))
    assert ds.image_width.values.tolist() == [-1, 64, 32]
    assert ds.image_height.values.tolist() == [48, 48, 32]


def test_visible_is_left_out_when_no_point_is_occluded(tmp_path):
    path = gt_file(tmp_path)
    content = json.loads(path.read_text())
    content["annotations"][0]["keypoints"][-1] = 2
    path.write_text(json.dumps(content))
    assert "visible" not in coco.read(path)


@pytest.mark.parametrize(
    ("skeleton", "expected"),
    [
        ([[0, 1], [1, 2]], [["nose", "ear"], ["ear", "tail"]]),
        ([[1, 3]], [["nose", "tail"]]),
        ([], None),
    ],
)
def test_skeleton_index_base_is_detected(tmp_path, skeleton, expected):
    path = gt_file(tmp_path)
    content = json.loads(path.read_text())
    content["categories"][0]["skeleton"] = skeleton
    path.write_text(json.dumps(content))
    ds = coco.read(path)
    if expected is None:
        assert "skeleton_edges" not in ds
    else:
        assert ds.skeleton_edges.values.tolist() == expected


def test_an_ambiguous_skeleton_is_read_as_coco_counts_with_a_warning(tmp_path):
    # what posebridge's own writer makes of an edge that leaves out the last keypoint
    path = gt_file(tmp_path)
    content = json.loads(path.read_text())
    content["categories"][0]["skeleton"] = [[1, 2]]  # no 0, largest index 2 < 3 keypoints
    path.write_text(json.dumps(content))
    with pytest.warns(UserWarning, match=r"categories\[0\]\.skeleton: .*read as COCO's 1-based"):
        assert coco.read(path).skeleton_edges.values.tolist() == [["nose", "ear"]]
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        assert coco.read(path, skeleton_base=0).skeleton_edges.values.tolist() == [["ear", "tail"]]
        assert coco.read(path, skeleton_base=1).skeleton_edges.values.tolist() == [["nose", "ear"]]


def test_a_skeleton_from_0_to_the_keypoint_count_is_refused_unless_the_base_is_given(tmp_path):
    path = gt_file(tmp_path)
    content = json.loads(path.read_text())
    content["categories"][0]["skeleton"] = [[0, 1], [2, 3]]  # 0 and 3 with 3 keypoints
    path.write_text(json.dumps(content))
    with pytest.raises(FormatError, match=r"categories\[0\]\.skeleton: .*from 0 to 3"):
        coco.read(path)


@pytest.mark.parametrize("skeleton", [[[1, 5]], [[-1, 2]]], ids=["past-the-end", "negative"])
def test_a_skeleton_out_of_range_is_refused_without_a_warning_first(tmp_path, skeleton):
    """It was first warned as one that could count from 0 or 1, then refused."""
    path = gt_file(tmp_path)
    content = json.loads(path.read_text())
    content["categories"][0]["skeleton"] = skeleton
    path.write_text(json.dumps(content))
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        with pytest.raises(FormatError, match=r"do not fit 3 keypoints counted from 1"):
            coco.read(path)


def test_a_skeleton_leaving_out_the_last_keypoint_round_trips(tmp_path):
    ds = coco.read(gt_file(tmp_path))
    ds["skeleton_edges"] = (("edge", "edge_node"), [["nose", "ear"]])
    coco.write(ds, tmp_path / "out.json")
    with pytest.warns(UserWarning, match="read as COCO's 1-based"):
        back = coco.read(tmp_path / "out.json")
    assert back.skeleton_edges.values.tolist() == [["nose", "ear"]]


def test_categories_sharing_keypoints_read_together_with_their_names(tmp_path):
    path = gt_file(tmp_path)
    content = json.loads(path.read_text())
    content["categories"].append(dict(content["categories"][0], id=2, name="rat"))
    content["annotations"][2]["category_id"] = 2
    path.write_text(json.dumps(content))
    ds = coco.read(path)
    assert ds.category.sel(time=2, individual="untracked_0").item() == "rat"
    assert ds.category_id.sel(time=2, individual="untracked_0").item() == 2


def test_categories_with_different_keypoints_need_category(tmp_path):
    path = gt_file(tmp_path)
    content = json.loads(path.read_text())
    content["categories"].append({"id": 2, "name": "fly", "keypoints": ["head", "wing"]})
    content["annotations"][2]["category_id"] = 2
    content["annotations"][2]["keypoints"] = [1, 2, 2, 3, 4, 2]
    path.write_text(json.dumps(content))
    with pytest.raises(FormatError, match="category="):
        coco.read(path)
    fly = coco.read(path, category="fly")
    assert fly.keypoint.values.tolist() == ["head", "wing"]
    assert fly.position.sel(time=2, individual="untracked_0").values.tolist() == [[1, 3], [2, 4]]
    mouse = coco.read(path, category=1)
    assert mouse.sizes["individual"] == 2 and np.isnan(mouse.position.sel(time=2)).all()


def test_a_category_number_is_an_id_and_a_text_a_name_first(tmp_path):
    """Class names that are numbers (YOLO, Roboflow) never shadow another category's id."""
    path = gt_file(tmp_path)
    content = json.loads(path.read_text())
    content["categories"][0]["name"] = "2"  # id 1, named "2"
    content["categories"].append({"id": 2, "name": "fly", "keypoints": ["head", "wing"]})
    content["annotations"][2]["category_id"] = 2
    content["annotations"][2]["keypoints"] = [1, 2, 2, 3, 4, 2]
    path.write_text(json.dumps(content))
    assert coco.read(path, category=2).keypoint.values.tolist() == ["head", "wing"]  # id 2
    assert coco.read(path, category=np.int64(2)).keypoint.values.tolist() == ["head", "wing"]
    assert coco.read(path, category="2").keypoint.values.tolist() == ["nose", "ear", "tail"]
    assert coco.read(path, category="1").keypoint.values.tolist() == ["nose", "ear", "tail"]
    with pytest.raises(FormatError, match="category=3 is not among"):
        coco.read(path, category=3)


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        ({"keypoints": [1, 1, 2, 2, 2]}, r"\$\.annotations\[4\]\.keypoints: expected 9 numbers"),
        (
            {"keypoints": [1, 1, 2, 2, 2, "x", 1, 1, 2]},
            r"\$\.annotations\[4\]\.keypoints: expected a",
        ),
        (
            {"keypoints": [1, 1, 7, 2, 2, 2, 1, 1, 2]},
            r"\$\.annotations\[4\]\.keypoints: visibility",
        ),
        ({"bbox": [1, 1, 2]}, r"\$\.annotations\[4\]\.bbox: expected \[x, y"),
        ({"image_id": 99}, r"\$\.annotations\[4\]\.image_id: image 99"),
        ({"track_id": 5}, r"\$\.annotations\[4\]: image 7 has two annotations"),
    ],
)
def test_errors_name_the_annotation_in_the_file_after_skipped_ones(tmp_path, damage, message):
    """Box-only annotations (Roboflow, CVAT) and crowds are skipped before the checks."""
    path = gt_file(tmp_path)
    content = json.loads(path.read_text())
    content["categories"].insert(0, {"id": 0, "name": "animals"})  # no keypoints
    box_only = {"image_id": 7, "category_id": 0, "bbox": [0, 0, 5, 5], "iscrowd": 0}
    crowd = {**content["annotations"][1], "iscrowd": 1}
    content["annotations"][0]["track_id"] = 5
    bad = {**content["annotations"][1], "id": 10, **damage}
    content["annotations"][:0] = [{**box_only, "id": 8}, {**crowd, "id": 9}]
    content["annotations"].insert(4, bad)  # after the skipped two and two good ones
    path.write_text(json.dumps(content))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the crowd annotation's
        with pytest.raises(FormatError, match=message):
            coco.read(path)


def test_track_ids_name_individuals(tmp_path):
    path = gt_file(tmp_path)
    content = json.loads(path.read_text())
    for annotation, track in zip(content["annotations"], [4, 2, 2], strict=True):
        annotation["track_id"] = track
    path.write_text(json.dumps(content))
    ds = coco.read(path)
    assert ds.individual.values.tolist() == ["track_2", "track_4"]  # by track id
    assert ds.position.sel(time=2, individual="track_2", keypoint="nose").values.tolist() == [
        20,
        21,
    ]


def test_crowd_annotations_are_skipped_with_a_warning(tmp_path):
    path = gt_file(tmp_path)
    content = json.loads(path.read_text())
    content["annotations"][1]["iscrowd"] = 1
    path.write_text(json.dumps(content))
    with pytest.warns(UserWarning, match="1 crowd"):
        ds = coco.read(path)
    assert ds.sizes["individual"] == 1


def test_iscrowd_written_as_json_false_or_true_reads_as_0_or_1(tmp_path):
    """pycocotools takes iscrowd by truthiness; a JSON bool (a pandas bool column) made
    the whole file unreadable."""
    path = gt_file(tmp_path)
    content = json.loads(path.read_text())
    content["annotations"][0]["iscrowd"] = False
    content["annotations"][1]["iscrowd"] = True
    path.write_text(json.dumps(content))
    with pytest.warns(UserWarning, match="1 crowd"):
        ds = coco.read(path)
    assert ds.sizes["individual"] == 1  # annotation 0 kept, annotation 1 a crowd
    first = content["annotations"][0]["keypoints"]
    assert ds.position.sel(keypoint="nose").values[0, :, 0].tolist() == first[:2]


def labels_with_everything() -> xr.Dataset:
    rng = np.random.default_rng(5)
    position = rng.uniform(0, 60, (3, 2, 4, 2)).round(3)
    position[1, :, 2, 0] = np.nan
    position[2, :, :, 1] = np.nan
    visible = np.where(np.isfinite(position[:, 0]), 2.0, 0.0)
    visible[0, 1, 0] = 1.0
    visible[:, :, 1][np.isnan(position[:, 0, :, 1])] = np.nan  # no instance, no flags
    ds = labels.from_numpy(
        position,
        image_path=["v/img001.png", "v/img005.png", "w/frame_02.jpg"],
        individual_names=["queen", "track_7"],
        keypoint_names=["a", "b", "c", "d"],
        visible=visible,
    )
    ds = ds.assign_coords(
        image_id=("time", [11, 12, 13]),
        image_width=("time", [64, 64, 80]),
        image_height=("time", [60, 60, 70]),
    )
    ds["skeleton_edges"] = (("edge", "edge_node"), [["a", "b"], ["c", "d"]])
    ds["category"] = (("time", "individual"), [["ant", "bee"], ["ant", "bee"], ["ant", ""]])
    ds["category_id"] = (("time", "individual"), [[1, 2], [1, 2], [1, -1]])
    return ds


def test_ground_truth_round_trip_keeps_everything(tmp_path):
    ds = labels_with_everything()
    written = posebridge.save(ds, tmp_path / "gt.json")
    back = posebridge.load(written[0])
    expected = posebridge.validate(ds)
    # written back: a bbox and an area for every instance (the keypoints' extent)
    assert "bbox" in back and "instance_area" in back
    back = back.drop_vars(["bbox", "instance_area", "box"])
    back.attrs.pop("source_file")
    back.attrs["source_software"] = expected.attrs.get("source_software")
    expected.attrs = back.attrs
    xr.testing.assert_identical(back.reset_coords(drop=False), expected.reset_coords())


def test_written_ground_truth_holds_coco_fields(tmp_path):
    ds = labels_with_everything()
    (path,) = coco.write(ds, tmp_path / "gt.json")
    content = json.loads(path.read_text())
    assert [i["id"] for i in content["images"]] == [11, 12, 13]
    assert content["images"][2] == {
        "id": 13,
        "file_name": "w/frame_02.jpg",
        "width": 80,
        "height": 70,
    }
    first = content["annotations"][0]
    assert first["iscrowd"] == 0 and first["individual"] == "queen"
    assert first["keypoints"][5] == 1  # the occluded point is v=1
    assert first["num_keypoints"] == sum(v > 0 for v in first["keypoints"][2::3])
    xs, ys = first["keypoints"][0::3], first["keypoints"][1::3]
    assert first["bbox"] == [min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys)]
    assert first["area"] == first["bbox"][2] * first["bbox"][3]
    assert content["annotations"][1]["track_id"] == 7
    assert [c["skeleton"] for c in content["categories"]] == [[[1, 2], [3, 4]]] * 2


def test_results_read_as_poses_with_scores(tmp_path):
    results = [
        {"image_id": 5, "category_id": 1, "keypoints": [1, 2, 0.5, 3, 4, 0.25], "score": 0.9},
        {"image_id": 2, "category_id": 1, "keypoints": [5, 6, 0.1, 7, 8, 0.2], "score": 0.8},
        {"image_id": 5, "category_id": 1, "keypoints": [9, 9, 0.3, 9, 9, 0.4], "score": 0.7},
    ]
    path = tmp_path / "results.json"
    path.write_text(json.dumps(results))
    ds = coco.read(path, keypoint_names=["head", "tail"])
    assert not labels.is_labels(ds)
    assert ds.image_id.values.tolist() == [5, 2]
    assert ds.instance_score.values.tolist() == [[0.9, 0.7], [0.8, np.nan]] or np.allclose(
        ds.instance_score.values, [[0.9, 0.7], [0.8, np.nan]], equal_nan=True
    )
    assert ds.confidence.sel(time=0, individual="untracked_1").values.tolist() == [0.3, 0.4]
    assert ds.position.sel(time=1, individual="untracked_0", keypoint="tail").values.tolist() == [
        7,
        8,
    ]


def test_results_take_names_and_images_from_ground_truth(tmp_path):
    gt = gt_file(tmp_path)
    path = tmp_path / "results.json"
    path.write_text(
        json.dumps(
            [
                {
                    "image_id": 9,
                    "category_id": 1,
                    "score": 0.5,
                    "keypoints": [1, 2, 1, 3, 4, 1, 5, 6, 1],
                }
            ]
        )
    )
    ds = coco.read(path, ground_truth=gt)
    assert ds.keypoint.values.tolist() == ["nose", "ear", "tail"]
    assert ds.image_path.values.tolist() == ["b/img010.png"]
    assert ds.category.values.tolist() == [["mouse"]]
    assert ds.skeleton_edges.values.tolist() == [["nose", "ear"], ["ear", "tail"]]


def test_results_of_images_missing_from_the_ground_truth_are_refused(tmp_path):
    gt = gt_file(tmp_path)
    path = tmp_path / "results.json"
    path.write_text(
        json.dumps(
            [
                {"image_id": 9, "keypoints": [1, 2, 1] * 3, "score": 0.5},
                {"image_id": 4, "keypoints": [1, 2, 1] * 3, "score": 0.5},
            ]
        )
    )
    with pytest.raises(FormatError, match=r"\$\[1\]\.image_id: image 4 is not in the images"):
        coco.read(path, ground_truth=gt)


def test_a_missing_ground_truth_file_is_called_missing(tmp_path):
    path = tmp_path / "results.json"
    path.write_text(json.dumps([{"image_id": 9, "keypoints": [1, 2, 1], "score": 0.5}]))
    missing = tmp_path / "gt.json"
    with pytest.raises(posebridge.errors.FileNotFoundError, match="no such file") as error:
        coco.read(path, ground_truth=missing)
    assert str(missing) in str(error.value)


def test_results_round_trip(tmp_path):
    rng = np.random.default_rng(1)
    ds = posebridge.from_numpy(rng.uniform(0, 100, (4, 2, 3, 2)), rng.uniform(0, 1, (4, 3, 2)))
    ds = ds.assign_coords(individual=["untracked_0", "untracked_1"])
    ds["instance_score"] = (("time", "individual"), rng.uniform(0, 1, (4, 2)))
    ds = ds.assign_coords(image_id=("time", [4, 8, 15, 16]))
    (path,) = posebridge.save(ds, tmp_path / "res.json", format="coco")
    assert isinstance(json.loads(path.read_text()), list)
    back = posebridge.load(path)
    for name in ("position", "confidence", "instance_score"):
        np.testing.assert_array_equal(back[name].values, ds[name].values)
    assert back.image_id.values.tolist() == [4, 8, 15, 16]


def test_a_missing_point_in_results_is_written_unlabelled_and_reads_back_missing(tmp_path):
    rng = np.random.default_rng(2)
    position = rng.uniform(1, 100, (3, 2, 3, 1))
    position[1, :, 2, 0] = np.nan  # keypoint 2 of the second image is missing...
    confidence = rng.uniform(0.1, 1, (3, 3, 1))  # ...though a confidence is stored for it
    ds = posebridge.from_numpy(position, confidence, individual_names=["untracked_0"])
    (path,) = posebridge.save(ds, tmp_path / "res.json", format="coco")
    written = json.loads(path.read_text())[1]["keypoints"]
    assert written[6:9] == [0, 0, 0]  # COCO's unlabelled point, not (0, 0, confidence)
    back = posebridge.load(path)
    np.testing.assert_array_equal(back.position.values, ds.position.values)
    assert np.isnan(back.confidence.values[1, 2, 0])


def test_poses_without_confidence_are_written_as_results_scored_1_with_a_warning(tmp_path):
    # the visibility flag 2 was written as the score and read back as confidence 2.0
    position = np.random.default_rng(3).uniform(1, 100, (2, 2, 3, 1))
    position[1, :, 0, 0] = np.nan
    ds = posebridge.from_numpy(position, individual_names=["untracked_0"])
    with pytest.warns(UserWarning, match=r"res\.json: 5 placed keypoints have no confidence"):
        (path,) = posebridge.save(ds, tmp_path / "res.json", format="coco")
    assert [r["keypoints"][2::3] for r in json.loads(path.read_text())] == [[1, 1, 1], [0, 1, 1]]
    back = posebridge.load(path)
    assert np.nanmax(back.confidence.values) == 1.0
    assert back.instance_score.values.ravel().tolist() == [1.0, 1.0]


def test_frames_without_a_detection_are_left_out_of_results_with_a_warning(tmp_path):
    position = np.random.default_rng(4).uniform(1, 100, (3, 2, 2, 1))
    position[1] = np.nan  # nothing detected in the second frame
    ds = posebridge.from_numpy(position, np.full((3, 2, 1), 0.5), individual_names=["a"])
    with pytest.warns(UserWarning, match=r"res\.json: 1 of 3 frames have no placed keypoint"):
        (path,) = posebridge.save(ds, tmp_path / "res.json", format="coco")
    back = posebridge.load(path)
    assert back.image_id.values.tolist() == [1, 3]
    np.testing.assert_array_equal(back.position.values, ds.position.values[[0, 2]])


def test_detect_tells_ground_truth_and_results_from_other_json(tmp_path):
    assert posebridge.detect(gt_file(tmp_path)) == "coco"
    results = tmp_path / "r.json"
    results.write_text('[{"image_id": 1, "category_id": 1, "keypoints": [1, 2, 1], "score": 1}]')
    assert posebridge.detect(results) == "coco"
    tasks = tmp_path / "tasks.json"
    tasks.write_text('[{"data": {"image": "a.png"}, "annotations": []}]')
    assert posebridge.detect(tasks) != "coco"
    segmented = tmp_path / "rle.json"  # an RLE segmentation (an object) before image_id
    segmented.write_text(
        '[{"segmentation": {"size": [9, 9], "counts": "ab"}, "image_id": 1, "category_id": 1, '
        '"keypoints": [1, 2, 1], "score": 1}]'
    )
    assert posebridge.detect(segmented) == "coco"
    labelled = tmp_path / "ls.json"  # Label Studio tasks whose data holds an image_id
    labelled.write_text(
        '[{"data": {"image": "a.png", "image_id": 17}, "predictions": [{"result": [{"type": '
        '"keypointlabels", "from_name": "keypoints", "value": {"x": 1, "y": 2}}]}]}]'
    )
    assert posebridge.detect(labelled) == "labelstudio"


# --------------------------------------------------------------------------
# bad input


def test_truncated_json_names_file_and_line(tmp_path):
    text = gt_file(tmp_path).read_text()
    path = tmp_path / "cut.json"
    path.write_text(text[: len(text) // 2])
    with pytest.raises(FormatError, match=r"cut\.json: line \d+ \(end of file\).*truncated"):
        coco.read(path)


def test_malformed_json_names_the_line(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text('{\n "images": [\n  {"id": 1,, "file_name": "x"}\n ]}')
    with pytest.raises(FormatError, match=r"bad\.json: line 3, column"):
        coco.read(path)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda c: c["annotations"][1].pop("image_id"), r"image_id.*\$\.annotations\[1\]"),
        (lambda c: c["images"][2].pop("file_name"), r"file_name.*\$\.images\[2\]"),
        (lambda c: c.pop("categories"), "categories"),
        (lambda c: c["annotations"][2]["keypoints"].pop(), r"annotations\[2\]\.keypoints.*9"),
        (
            lambda c: c["annotations"][0]["keypoints"].__setitem__(0, "x"),
            r"annotations\[0\]\.keypoints",
        ),
        (
            lambda c: c["annotations"][0].__setitem__("image_id", 99),
            r"annotations\[0\]\.image_id.*99",
        ),
        (
            lambda c: c["annotations"][1]["keypoints"].__setitem__(2, 3),
            r"annotations\[1\]\.keypoints.*3",
        ),
        (
            lambda c: c["images"][1].__setitem__("id", 7),
            r"images\[0\] and \$\.images\[1\] have the same id 7;",
        ),
        (lambda c: c["categories"][0].pop("keypoints"), "no category has 'keypoints'"),
        (
            lambda c: c["annotations"][2].__setitem__("category_id", 5),
            r"annotations\[2\]\.category_id: category 5",
        ),
        (  # found by fuzzing: an id beyond int64 raised OverflowError from numpy
            lambda c: c["annotations"][1].__setitem__("image_id", 10**20),
            r"annotations\[1\]\.image_id",
        ),
        (  # found by fuzzing: a ragged skeleton raised numpy's ValueError
            lambda c: c["categories"][0]["skeleton"].append([3]),
            r"categories\[0\]\.skeleton\[2\]: expected a pair of keypoint indices, found \[3\]",
        ),
    ],
)
def test_bad_ground_truth_is_refused_naming_the_key(tmp_path, change, message):
    path = gt_file(tmp_path)
    content = json.loads(path.read_text())
    change(content)
    path.write_text(json.dumps(content))
    with pytest.raises(FormatError, match=message) as error:
        posebridge.load(path, format="coco")
    assert str(path) in str(error.value)


def test_results_with_mixed_keypoint_counts_are_refused(tmp_path):
    path = tmp_path / "r.json"
    path.write_text(
        json.dumps(
            [
                {"image_id": 1, "keypoints": [1, 2, 1], "score": 1},
                {"image_id": 2, "keypoints": [1, 2, 1, 3, 4, 1], "score": 1},
            ]
        )
    )
    with pytest.raises(FormatError, match=r"\$\[1\]\.keypoints"):
        coco.read(path)


def test_writer_refuses_to_overwrite_and_leaves_no_temporary(tmp_path):
    ds = labels_with_everything()
    (path,) = coco.write(ds, tmp_path / "gt.json")
    before = path.read_bytes()
    with pytest.raises(FileExistsError):
        coco.write(ds, path)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["gt.json"]


def test_files_without_instances_are_refused(tmp_path):
    empty = tmp_path / "empty.json"
    empty.write_text("[]")
    with pytest.raises(FormatError, match="holds no instance"):
        coco.read(empty)
    path = gt_file(tmp_path, annotations=[])
    with pytest.raises(FormatError, match="holds no instance"):
        coco.read(path)


def _coco_layout():
    import importlib

    return importlib.import_module("posebridge.formats.coco._layout")


def test_keypoints_parsed_in_several_batches_equal_the_json(tmp_path, monkeypatch):
    layout = _coco_layout()
    monkeypatch.setattr(layout, "_BATCH", 2)  # 3 annotations: batches of 2 and 1
    monkeypatch.setattr(layout, "_equal_lists_numbers", lambda lists: None)  # list by list
    path = gt_file(tmp_path)
    content = json.loads(path.read_text())
    ds = coco.read(path)
    for record in content["annotations"]:
        row = [a["id"] for a in content["images"]].index(record["image_id"])
        flags = np.array(record["keypoints"][2::3])
        xy = np.array(record["keypoints"]).reshape(-1, 3)[:, :2]
        found = ds.position.isel(time=row).values.T  # (individual, keypoint, space)
        match = [
            i for i, points in enumerate(found)
            if np.array_equal(points[flags > 0], xy[flags > 0])
            and np.isnan(points[flags == 0]).all()
        ]  # fmt: skip
        assert match, record


def test_a_bad_number_in_a_later_batch_names_its_annotation(tmp_path, monkeypatch):
    layout = _coco_layout()
    monkeypatch.setattr(layout, "_BATCH", 2)
    path = gt_file(tmp_path)
    content = json.loads(path.read_text())
    content["annotations"][2]["keypoints"][4] = "x"
    path.write_text(json.dumps(content))
    with pytest.raises(FormatError, match=r"annotations\[2\]\.keypoints"):
        coco.read(path)


def test_a_large_ground_truth_is_detected_by_the_keys_at_its_end(tmp_path):
    """COCO files list images first (val2017: 5,000); found with a 10,000-image file."""
    from posebridge._files import Peek

    images = [
        {"id": i, "file_name": f"images/{i:012d}.jpg", "width": 640, "height": 480}
        for i in range(5000)
    ]
    content = {
        "info": {"description": "large"},
        "images": images,
        "annotations": [
            {"id": 1, "image_id": 0, "category_id": 1, "keypoints": [1, 2, 2], "iscrowd": 0}
        ],
        "categories": [{"id": 1, "name": "mouse", "keypoints": ["nose"], "skeleton": []}],
    }
    path = tmp_path / "large.json"
    path.write_text(json.dumps(content))
    with Peek(path) as peek:
        assert b'"annotations"' not in peek.head  # beyond the head the sniffers see
        assert coco.sniff(peek)
    ds = posebridge.load(path)
    assert ds.sizes["time"] == 5000 and ds.position.isel(time=0).values[:, 0, 0].tolist() == [1, 2]


@pytest.mark.parametrize(
    "order",
    [("annotations", "categories", "images"), ("categories", "annotations", "images")],
)
def test_a_ground_truth_whose_images_key_is_at_its_end_is_detected(tmp_path, order):
    """JSON keys come in the writer's order; with annotations first and over 256 kB,
    "images" lies in the tail and the file was not recognised (h134 #1)."""
    annotations = [
        {"id": k, "image_id": 1 + k % 10, "category_id": 1, "keypoints": [10.5, 20.25, 2],
         "bbox": [10.5, 20.25, 20, 20.5], "area": 410.0, "iscrowd": 0}
        for k in range(1, 3001)
    ]  # fmt: skip
    parts = {
        "annotations": annotations,
        "categories": [{"id": 1, "name": "mouse", "keypoints": ["nose"], "skeleton": []}],
        "images": [
            {"id": i, "file_name": f"f{i}.png", "width": 640, "height": 480} for i in range(1, 11)
        ],
    }
    path = tmp_path / "gt.json"
    path.write_text(json.dumps({key: parts[key] for key in order}))
    assert path.read_text().index('"images"') > 256 * 1024  # beyond the head
    assert posebridge.detect(path) == "coco"
    assert posebridge.load(path).sizes["time"] == len(parts["images"])


RAW_LIST_CASES = {
    "equal lists": [b"[1,2.5,3]", b"[-0,1e-300,4]", b"[7,8,9]"],
    "blanks and line breaks": [b"[ 1,\n  2.5 ,3 ]", b"[\r\n4, 5,\t6]"],
    "an empty list": [b"[1,2,3]", b"[]", b"[4,5,6]"],
    "different counts": [b"[1,2,3]", b"[4,5,6,7,8,9]"],
    "one list": [b"[1.25]"],
}


@pytest.mark.parametrize("name", RAW_LIST_CASES)
def test_raw_lists_parse_to_the_numbers_json_reads(name):
    import msgspec

    layout = _coco_layout()
    lists = RAW_LIST_CASES[name]
    values, counts = layout.raw_numbers(Path("x.json"), [msgspec.Raw(t) for t in lists], "$")
    expected = [json.loads(t, parse_int=float) for t in lists]  # "-0" -> -0.0
    assert counts.tolist() == [len(e) for e in expected]
    assert values.tolist() == [v for e in expected for v in e]
    assert np.signbit(values).tolist() == [np.signbit(v) for e in expected for v in e]


@pytest.mark.parametrize(
    ("lists", "bad"),
    [
        ([b"[1,2,3]", b"[4,[5],6]", b"[7,8,9]"], 1),  # a nested list
        ([b"[[1,2,3]]", b"[4,5,6]"], 0),
        ([b"[1,2,3]", b'[4,"5",6]'], 1),  # a string
        ([b"[1,2,3]", b"[4,null,6]"], 1),
        ([b"[1,2,3]", b"[4,true,6]"], 1),
        ([b"[1]", b"[2]", b"3"], 2),  # not a list, last
        ([b"[1,2]", b"5", b"[3,4]"], 1),  # not a list, between lists
    ],
)
def test_raw_lists_that_are_not_lists_of_numbers_are_refused_naming_the_record(lists, bad):
    import msgspec

    layout = _coco_layout()
    with pytest.raises(FormatError, match=rf"\$\[{bad}\]\.keypoints"):
        layout.raw_numbers(Path("x.json"), [msgspec.Raw(t) for t in lists], "$")


def test_a_file_that_starts_with_a_byte_order_mark_reads_as_without_one(tmp_path):
    plain = gt_file(tmp_path)
    marked = tmp_path / "marked.json"
    marked.write_bytes(b"\xef\xbb\xbf" + plain.read_bytes())  # Windows editors' UTF-8
    xr.testing.assert_identical(coco.read(marked), coco.read(plain))
    assert posebridge.load(marked).sizes == posebridge.load(plain).sizes  # detected too


def test_null_bbox_iscrowd_and_keypoints_read_as_absent(tmp_path):
    """pycocotools loads such files; posebridge refused them naming the key."""
    plain = coco.read(gt_file(tmp_path))
    content = json.loads(gt_file(tmp_path).read_text())
    content["annotations"][0]["bbox"] = None
    content["annotations"][1]["iscrowd"] = None
    content["annotations"][2]["keypoints"] = None
    path = tmp_path / "nulls.json"
    path.write_text(json.dumps(content))
    ds = coco.read(path)
    bbox = ds.bbox.transpose("time", "individual", "box").values
    assert np.isnan(bbox[0, 0]).all()  # image 7, first annotation: no box
    np.testing.assert_array_equal(bbox[0, 1], plain.bbox.transpose("time", "individual", "box")
                                  .values[0, 1])  # fmt: skip
    np.testing.assert_array_equal(ds.position.values[:2], plain.position.values[:2])
    assert np.isnan(ds.position.values[2]).all()  # image 9's only annotation had no points


def test_ground_truth_refuses_an_empty_individual_name_and_keeps_empty_keypoint_names(tmp_path):
    """The reader takes an empty "individual" for none (untracked_<k>), so an empty name
    would come back as another; an empty keypoint name is kept by the category."""
    ds = labels.from_numpy(np.ones((1, 2, 2, 2)), image_path=["a.png"], individual_names=["", "b"])
    with pytest.raises(SchemaError, match="An individual name is empty"):
        coco.write(ds, tmp_path / "gt.json")
    assert list(tmp_path.iterdir()) == []
    ds = labels.from_numpy(np.ones((1, 2, 2, 1)), image_path=["a.png"], keypoint_names=["", "b"])
    (path,) = coco.write(ds, tmp_path / "gt.json")
    assert coco.read(path).keypoint.values.tolist() == ["", "b"]


@pytest.mark.parametrize("names", [["", "m"], [""], ["m", ""]])
def test_results_refuse_an_empty_individual_name_as_ground_truth_does(tmp_path, names):
    """A results file wrote ``"individual": ""``, which the reader takes for none: the
    individual came back as untracked_0 without a word."""
    rng = np.random.default_rng(0)
    n = len(names)
    ds = posebridge.from_numpy(
        rng.uniform(1, 100, (2, 2, 2, n)),
        rng.uniform(0.1, 1, (2, 2, n)),
        keypoint_names=["keypoint_0", "keypoint_1"],
        individual_names=names,
    )
    path = tmp_path / "results.json"
    with pytest.raises(SchemaError, match="An individual name is empty") as refused:
        coco.write(ds, path, kind="results")
    assert str(path) in str(refused.value)  # the message names the file
    assert "COCO results" in str(refused.value)
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(SchemaError, match="An individual name is empty"):
        posebridge.save(ds, path, format="coco")  # poses: results by default
    assert list(tmp_path.iterdir()) == []
    named = ds.assign_coords(individual=[f"m{i}" for i in range(n)])  # a name round-trips
    (written,) = coco.write(named, path, kind="results")
    assert coco.read(written).individual.values.tolist() == [f"m{i}" for i in range(n)]


@pytest.mark.parametrize("base", [5, -1, 2, True])
def test_a_skeleton_base_other_than_0_or_1_is_refused_even_without_a_skeleton(tmp_path, base):
    ds = labels.from_numpy(np.ones((1, 2, 2, 1)), image_path=["a.png"])
    (path,) = coco.write(ds, tmp_path / "gt.json")  # no skeleton_edges: an empty skeleton
    with pytest.raises(posebridge.PoseBridgeError, match="skeleton_base must be 0, 1 or None"):
        coco.read(path, skeleton_base=base)


@pytest.mark.parametrize("option", [{"category": "person"}, {"skeleton_base": 1}])
def test_ground_truth_options_on_a_results_file_need_the_ground_truth(tmp_path, option):
    """They were ignored without a word."""
    path = tmp_path / "results.json"
    path.write_text(json.dumps([{"image_id": 9, "keypoints": [1, 2, 1], "score": 0.5}]))
    with pytest.raises(FormatError, match="give it with ground_truth="):
        coco.read(path, **option)


def test_an_empty_category_name_is_refused(tmp_path):
    ds = labels.from_numpy(np.ones((1, 2, 2, 1)), image_path=["a.png"])
    with pytest.raises(SchemaError, match="COCO categories need a name"):
        coco.write(ds, tmp_path / "gt.json", category_name="")
    assert list(tmp_path.iterdir()) == []


def test_an_annotation_id_given_twice_is_refused_naming_both(tmp_path):
    """Two exports merged: the repeated annotation read as a second, phantom animal."""
    ds = labels.from_numpy(np.ones((1, 2, 2, 1)), image_path=["a.png"])
    (path,) = coco.write(ds, tmp_path / "gt.json")
    content = json.loads(path.read_text())
    content["annotations"].append(dict(content["annotations"][0]))
    path.write_text(json.dumps(content))
    first_id = content["annotations"][0]["id"]
    with pytest.raises(
        FormatError, match=rf"annotations\[1\]\.id: annotation id {first_id} is also"
    ):
        coco.read(path)
    copy = content["annotations"][1]
    copy["id"] = str(first_id)  # text "1" is another id than 1
    copy.pop("track_id", None), copy.pop("individual", None)  # an untracked instance
    path.write_text(json.dumps(content))
    assert coco.read(path).sizes["individual"] == 2


def test_two_categories_of_one_id_are_refused_naming_both(tmp_path):
    """Two exports merged: annotations name their category by id, so one category's name
    and skeleton were silently lost (read, and written back)."""
    path = gt_with_categories(
        tmp_path, (2, "cat", "felidae"), (1, "mouse", "muridae"), (1, "rat", "muridae")
    )
    message = (
        r"\$\.categories\[1\] and \$\.categories\[2\] have the same id 1 \('mouse' and 'rat'\)"
    )
    with pytest.raises(FormatError, match=message) as error:
        coco.read(path)
    assert str(path) in str(error.value)
    results = tmp_path / "res.json"
    image_id = json.loads(path.read_text())["images"][0]["id"]
    results.write_text(
        json.dumps([{"image_id": image_id, "category_id": 1, "keypoints": [1, 2, 1] * 3}])
    )
    with pytest.raises(FormatError, match=message):
        coco.read(results, ground_truth=path)
    with pytest.raises(FormatError, match=message):  # the writer's ground_truth= too
        coco.write(posebridge.from_numpy(np.ones((1, 2, 3, 1))), tmp_path / "out.json",
                   ground_truth=path)  # fmt: skip


def test_individuals_come_back_in_the_order_of_their_track_ids(tmp_path):
    """They came back in order of first appearance: an individual absent from the first
    image moved to the end."""
    ds = labels.from_numpy(
        np.ones((3, 2, 2, 3)),
        image_path=["a.png", "b.png", "c.png"],
        individual_names=["mouse_a", "mouse_b", "mouse_c"],
    )
    ds["position"][0, :, :, 0] = np.nan  # mouse_a first appears in the second image
    (path,) = posebridge.save(ds, tmp_path / "gt.json", format="coco", image_size=(10, 10))
    annotations = json.loads(path.read_text())["annotations"]
    assert [a["individual"] for a in annotations[:2]] == ["mouse_b", "mouse_c"]
    back = posebridge.load(path)
    assert back.individual.values.tolist() == ["mouse_a", "mouse_b", "mouse_c"]
    np.testing.assert_array_equal(back.position.values, ds.position.values)


def test_nan_and_infinity_written_by_pythons_json_read_as_missing_values(tmp_path):
    # json.dump writes a float NaN / inf as NaN / Infinity: not JSON, but pycocotools reads it
    content = json.loads(gt_file(tmp_path).read_text())
    first = content["annotations"][0]
    first["keypoints"][6] = float("nan")  # tail's x: the point is missing
    first["area"] = float("nan")
    content["annotations"][1]["bbox"] = [10, 11, float("inf"), 4]
    path = tmp_path / "nan.json"
    path.write_text(json.dumps(content))
    assert b"NaN" in path.read_bytes() and b"Infinity" in path.read_bytes()
    pycocotools = pytest.importorskip("pycocotools.coco")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = pycocotools.COCO(str(path))
    assert np.isnan(theirs.anns[1]["keypoints"][6])
    with pytest.warns(UserWarning, match=r"1 keypoint\(s\) flagged labelled .* NaN or Infinity"):
        ds = coco.read(path)
    clean = coco.read(gt_file(tmp_path))
    image_7 = {"time": 0}
    tail = ds.position.isel(image_7).sel(keypoint="tail")
    assert np.isnan(tail.values[:, 0]).all()  # first annotation: no tail
    nose = ds.position.isel(image_7).sel(keypoint="nose").values
    np.testing.assert_array_equal(nose, clean.position.isel(image_7).sel(keypoint="nose").values)
    assert np.isnan(ds.instance_area.isel(image_7).values[0])
    assert np.isnan(ds.bbox.isel(image_7).values[2, 1])  # Infinity: missing too


def test_a_nan_score_in_a_results_file_is_no_score(tmp_path):
    results = [
        {"image_id": 7, "category_id": 1, "keypoints": [1, 2, 0.9, 3, 4, 0.8, 5, 6, 0.7]}
        | {"score": float("nan")},
        {"image_id": 7, "category_id": 1, "keypoints": [1, 2, 0.9, 3, 4, 0.8, 5, 6, 0.7]}
        | {"score": 0.5},
    ]
    path = tmp_path / "results.json"
    path.write_text(json.dumps(results))
    ds = coco.read(path, keypoint_names=["nose", "ear", "tail"])
    scores = np.sort(ds.instance_score.values.ravel())
    assert scores[0] == 0.5 and np.isnan(scores[1])


@pytest.mark.parametrize(
    "options",
    [{"category_name": "mouse"}, {"image_size": (640, 480)}],
    ids=["category_name", "image_size"],
)
def test_ground_truth_options_for_a_results_file_are_ignored_with_a_warning(tmp_path, options):
    """Writing predictions (a results file) with category_name= or image_size= ignored them
    without a word."""
    ds = posebridge.from_numpy(np.ones((2, 2, 3, 1)))
    with pytest.warns(UserWarning, match=f"res.json: {next(iter(options))}= is ignored"):
        posebridge.save(ds, tmp_path / "res.json", format="coco", **options)
    assert isinstance(json.loads((tmp_path / "res.json").read_text()), list)
    labelled = labels.from_numpy(np.ones((1, 2, 3, 1)), image_path=["img/0001.png"])
    posebridge.save(labelled, tmp_path / "gt.json", format="coco", **options)  # ground truth


def gt_with_categories(tmp_path: Path, *categories: tuple[int, str, str]) -> Path:
    """:func:`gt_file` whose categories are ``(id, name, supercategory)``, one keypoint list."""
    path = gt_file(tmp_path)
    content = json.loads(path.read_text())
    keypoints = content["categories"][0]["keypoints"]
    content["categories"] = [
        {"id": cid, "name": name, "supercategory": upper, "keypoints": keypoints}
        for cid, name, upper in categories
    ]
    path.write_text(json.dumps(content))
    return path


def test_categories_without_annotations_and_supercategories_are_written_back(tmp_path):
    """AP-10K lists 54 species sharing one keypoint list; a few have annotations."""
    path = gt_with_categories(
        tmp_path, (5, "cat", "felidae"), (1, "mouse", "muridae"), (9, "rat", "muridae")
    )
    ds = coco.read(path)
    (out,) = posebridge.save(ds, tmp_path / "out.json", format="coco")
    (via_nc,) = posebridge.save(ds, tmp_path / "kept.nc")
    (again,) = posebridge.save(posebridge.load(via_nc), tmp_path / "again.json", format="coco")
    for written in (out, again):
        categories = json.loads(written.read_text())["categories"]
        assert [(c["id"], c["name"], c["supercategory"]) for c in categories] == [
            (5, "cat", "felidae"),
            (1, "mouse", "muridae"),
            (9, "rat", "muridae"),
        ]


def test_a_category_named_without_an_id_takes_a_read_ones_id_or_a_free_one(tmp_path):
    path = gt_with_categories(tmp_path, (1, "mouse", "muridae"), (2, "rat", "muridae"))
    ds = coco.read(path)
    for name, expected in (("rat", 2), ("vole", 3)):
        edited = ds.copy()
        named = edited.category_id >= 0
        edited["category_id"] = edited.category_id.where(~named, -1)  # names only
        edited["category"] = edited.category.where(~named, name)
        (out,) = posebridge.save(edited, tmp_path / f"{name}.json", format="coco")
        written = json.loads(out.read_text())
        assert {a["category_id"] for a in written["annotations"]} == {expected}
        categories = {c["id"]: (c["name"], c["supercategory"]) for c in written["categories"]}
        assert categories[1] == ("mouse", "muridae") and categories[2] == ("rat", "muridae")
        assert len(categories) == (2 if name == "rat" else 3)


def test_messages_list_at_most_ten_categories(tmp_path):
    """200,000 categories made a message of seven million characters."""
    path = gt_file(tmp_path)
    content = json.loads(path.read_text())
    content["categories"] = [
        {"id": i, "name": f"c{i}", "keypoints": [f"k{i}"]} for i in range(1, 500)
    ]
    path.write_text(json.dumps(content))
    for options in ({}, {"category": "none"}):
        with pytest.raises(FormatError, match=r"'c10' \(id 10.*\.\.\. \(499 in all\)") as error:
            coco.read(path, **options)
        assert "'c11'" not in str(error.value)


@pytest.mark.parametrize(
    ("video", "frame", "said"),
    [
        (
            ["session1/cam.mp4", "session2/cam.mp4"],
            [5, 5],
            r"rows 0 and 1 would both be one image \(videos 'session1/cam.mp4' and "
            r"'session2/cam.mp4'\), image 'cam/img00005.png'",
        ),
        (["v.mp4", "v.mp4"], [-1, 3], r"row 0 has neither an image_path nor a frame number"),
    ],
    ids=["two-videos-one-name", "unknown-frame"],
)
def test_labels_whose_image_names_would_not_tell_the_images_apart_are_refused(
    tmp_path, video, frame, said
):
    # both were written as one image (cam/img00005.png), or as img-0001.png read back as frame 1
    from posebridge.model import labels

    position = np.arange(4.0).reshape(2, 2, 1, 1)
    ds = labels.from_numpy(position, video=video, frame=frame, keypoint_names=["nose"])
    with pytest.raises(posebridge.PoseBridgeError, match=said):
        posebridge.save(ds, tmp_path / "gt.json", image_size=(640, 480))
    assert not (tmp_path / "gt.json").exists()


def test_a_negative_frame_is_refused_naming_the_frame_it_is(tmp_path):
    """Frame -7 was said to be "neither an image_path nor a frame number (-1)"."""
    ds = posebridge.from_numpy(np.ones((3, 2, 1, 1))).assign_coords(time=np.array([-7, 0, 3]))
    with pytest.raises(posebridge.PoseBridgeError, match=r"gt\.json: .*row 0 is frame -7\."):
        posebridge.save(ds, tmp_path / "gt.json", format="coco", kind="ground_truth")
    assert not (tmp_path / "gt.json").exists()


def test_poses_whose_times_fall_on_one_video_frame_are_refused_as_such(tmp_path):
    """The message named two videos '' and '' and numpy's repr of the image name."""
    position = np.arange(6.0).reshape(3, 2, 1, 1)
    ds = posebridge.from_numpy(position, fps=10).drop_vars("frame")
    ds = ds.assign_coords(time=[0.0, 0.1, 0.14])  # frames 0, 1, 1
    said = r"time steps 1 and 2 fall on the same video frame \(1\), image 'img00001.png'"
    with pytest.raises(posebridge.PoseBridgeError, match=said):
        coco.write(ds, tmp_path / "gt.json", kind="ground_truth", image_size=(640, 480))


def test_an_image_with_an_empty_file_name_is_refused_naming_it(tmp_path):
    """It was a SchemaError about a missing 'video' coordinate, naming no key of the file."""
    content = json.loads(gt_file(tmp_path).read_text())
    content["images"][1]["file_name"] = ""
    path = tmp_path / "empty_name.json"
    path.write_text(json.dumps(content))
    with pytest.raises(FormatError, match=r"\$\.images\[1\]\.file_name is empty"):
        posebridge.load(path)


def test_ground_truth_with_an_area_of_0_from_the_keypoints_extent_warns(tmp_path):
    """COCOeval's OKS divides by the area: an instance of one point (a centroid) or of
    points in a row got a 0-wide box and an area of 0 without a word, and any prediction
    not exactly on it scored 0. The values written stay the same."""
    # (time 2, space 2, keypoint 2, individual 2); "a" in a row on image 0, alone on 1
    position = np.full((2, 2, 2, 2), np.nan)
    position[0, :, :, 0] = [[10, 20], [5, 5]]  # same y: 0 px tall
    position[0, :, :, 1] = [[30, 40], [7, 9]]
    position[1, :, 0, 0] = [50, 40]  # one point: 0 x 0
    position[1, :, :, 1] = [[1, 3], [2, 6]]
    ds = labels.from_numpy(position, image_path=["x.png", "y.png"], individual_names=["a", "b"])
    extent = np.nanmax(position, axis=2) - np.nanmin(position, axis=2)  # (time, space, ind)
    zero = (extent == 0).any(axis=1)  # (time, individual)
    with pytest.warns(UserWarning, match="area of 0") as record:
        (path,) = coco.write(ds, tmp_path / "gt.json")
    (message,) = [str(w.message) for w in record if "area of 0" in str(w.message)]
    first_t, first_i = np.argwhere(zero)[0]
    assert message.startswith(f"{path}: {int(zero.sum())} instance(s)")
    assert f"individual {str(ds.individual.values[first_i])!r}" in message
    assert f"image {str(ds.image_path.values[first_t])!r}" in message and "ds['bbox']" in message
    written = json.loads(path.read_text())["annotations"]
    areas = extent.prod(axis=1)[np.nonzero(np.ones_like(zero))]  # row by row, as written
    assert [a["area"] for a in written] == areas.tolist()

    boxed = ds.assign(bbox=(("time", "box", "individual"), np.full((2, 4, 2), 8.0)))
    with warnings.catch_warnings(record=True) as quiet:
        warnings.simplefilter("always")
        coco.write(boxed, tmp_path / "boxed.json")
    assert not [w for w in quiet if "area of 0" in str(w.message)]


def test_irregular_timestamps_are_warned_as_not_kept_in_ground_truth(tmp_path):
    """Ground truth names each row's image by its frame (round(time x fps)): times in
    seconds off that grid are warned as not kept, as DeepLabCut's and SLEAP's writers warn,
    and times that are frame / fps say nothing (h118 finding 2)."""
    times = np.array([0.0, 0.05, 0.10, 0.20])
    ds = posebridge.from_numpy(np.full((4, 2, 1, 1), 5.0), keypoint_names=["a"], fps=25.0)
    path = tmp_path / "gt.json"
    with pytest.warns(UserWarning, match="time in seconds is not kept") as caught:
        coco.write(ds.assign_coords(time=times), path, kind="ground_truth")
    said = [str(w.message) for w in caught if "time in seconds" in str(w.message)]
    assert len(said) == 1 and said[0].startswith(f"{path}:")
    with warnings.catch_warnings(record=True) as regular:
        warnings.simplefilter("always")
        coco.write(ds, tmp_path / "regular.json", kind="ground_truth")
    assert not [w for w in regular if "time in seconds" in str(w.message)]
