"""COCO ground truth numbers tracks as every posebridge writer does; results of a
category the ground truth lacks are named, not dropped silently."""

from __future__ import annotations

import json
import re
import warnings
from pathlib import Path

import numpy as np
import pytest

import posebridge
from posebridge.errors import FormatError, SchemaError
from posebridge.formats import coco
from posebridge.model import labels


def labelled(names: list[str]):
    """Two images, every individual with both keypoints, distinct positions."""
    n = len(names)
    position = np.arange(2 * 2 * 2 * n, dtype=float).reshape(2, 2, 2, n) + 1
    return labels.from_numpy(
        position, image_path=["a.png", "b.png"], individual_names=names, keypoint_names=["a", "b"]
    )


def identities(path: Path) -> list[tuple[int, int | None, str | None]]:
    annotations = json.loads(path.read_text())["annotations"]
    return [(a["image_id"], a.get("track_id"), a.get("individual")) for a in annotations]


def test_a_named_individual_never_takes_the_track_id_of_a_track_n(tmp_path):
    """'y' (position 1) was written with track_id 1, as 'track_1' is: one track twice
    in an image, which sleap-io read as one track."""
    ds = labelled(["x", "y", "track_1"])
    (path,) = coco.write(ds, tmp_path / "gt.json", image_size=(64, 64))
    assert identities(path)[:3] == [(1, 2, "x"), (1, 3, "y"), (1, 1, None)]
    back = posebridge.load(path)
    # individuals come back by track id, each with its own points
    assert back.individual.values.tolist() == ["track_1", "x", "y"]
    np.testing.assert_array_equal(
        back.position.values, ds.position.sel(individual=["track_1", "x", "y"]).values
    )


def test_named_individuals_are_numbered_from_1(tmp_path):
    """They were numbered from 0, and sleap-io reads a track_id of 0 as no track."""
    (path,) = coco.write(labelled(["alice", "bob"]), tmp_path / "gt.json", image_size=(9, 9))
    assert identities(path)[:2] == [(1, 1, "alice"), (1, 2, "bob")]
    assert posebridge.load(path).individual.values.tolist() == ["alice", "bob"]


def test_names_that_give_one_track_id_are_refused(tmp_path):
    with pytest.raises(SchemaError, match=r"'track_01', 'track_1' would all have track id 1"):
        coco.write(labelled(["track_01", "track_1"]), tmp_path / "gt.json", image_size=(9, 9))
    assert not (tmp_path / "gt.json").exists()


def test_coco_and_yolo_predictions_number_tracks_alike(tmp_path):
    names = ["mouse", "track_4", "untracked_0", "rat"]
    ds = labelled(names)
    (path,) = coco.write(ds, tmp_path / "gt.json", image_size=(64, 64))
    written = {name: track for _, track, name in identities(path)[:4] if name}
    # mouse takes 1 (room below track_4), rat 5 (after track_4), untracked_0 comes last: 6
    assert written == {"mouse": 1, "rat": 5}
    poses = posebridge.from_numpy(ds.position.values, individual_names=names)
    first, *_ = posebridge.save(
        poses, tmp_path / "clip.txt", format="yolo-predictions", image_size=(64, 64)
    )
    line_ids = [int(line.split()[-1]) for line in first.read_text().splitlines()]
    assert line_ids == [1, 4, 6, 5]  # mouse, track_4, untracked_0, rat


def test_sleap_io_reads_one_track_per_individual(tmp_path):
    coco_reader = pytest.importorskip("sleap_io.io.coco")
    (path,) = coco.write(labelled(["x", "y", "track_1"]), tmp_path / "gt.json", image_size=(9, 9))
    for name in ("a.png", "b.png"):
        (tmp_path / name).write_bytes(b"")
    read = coco_reader.read_labels(str(path))
    for frame in read.labeled_frames:
        tracks = [instance.track.name for instance in frame.instances]
        assert sorted(tracks) == ["track_1", "track_2", "track_3"]


def tracked_ground_truth(tmp_path: Path, identity_keys: list[list[dict]]) -> Path:
    """Two images, one annotation per entry of ``identity_keys[image]`` (its keys added),
    each annotation's nose x its own number (10 * the id in its keys, 99 without one)."""
    annotations = []
    for image, keys in enumerate(identity_keys):
        for extra in keys:
            found = extra.get("attributes", {}).get("object_id", extra.get("track_id"))
            found = extra.get("instance_id") if found is None else found
            x = 99 if found is None else 10 * found
            annotations.append(
                {"id": len(annotations) + 1, "image_id": image + 1, "category_id": 1,
                 "keypoints": [x, 5, 2, x + 1, 6, 2], "bbox": [0, 0, 90, 9], "area": 810,
                 "iscrowd": 0} | extra
            )  # fmt: skip
    content = {
        "images": [{"id": i + 1, "file_name": f"{i}.png", "width": 99, "height": 99}
                   for i in range(len(identity_keys))],
        "annotations": annotations,
        "categories": [{"id": 1, "name": "mouse", "keypoints": ["nose", "tail"]}],
    }  # fmt: skip
    path = tmp_path / "gt.json"
    path.write_text(json.dumps(content))
    return path


@pytest.mark.parametrize(
    "key",
    [lambda t: {"attributes": {"object_id": t, "occluded": False}}, lambda t: {"instance_id": t}],
    ids=["attributes.object_id", "instance_id"],
)
def test_track_ids_sleap_io_reads_from_other_keys_keep_individuals_apart(tmp_path, key):
    """sleap-io writes an instance's track as attributes.object_id; they were dropped
    silently and the instances ranked per image, swapping the animals between images."""
    path = tracked_ground_truth(tmp_path, [[key(1), key(2)], [key(2), key(1)]])
    ds = posebridge.load(path)
    assert ds.individual.values.tolist() == ["track_1", "track_2"]
    nose_x = ds.position.sel(space="x", keypoint="nose").values
    np.testing.assert_array_equal(nose_x, [[10, 20], [10, 20]])


def test_object_id_comes_before_track_id_and_instance_id_as_in_sleap_io(tmp_path):
    both = {"attributes": {"object_id": 1}, "track_id": 2, "instance_id": 3}
    path = tracked_ground_truth(tmp_path, [[both, {"track_id": 2, "instance_id": 3}]])
    assert posebridge.load(path).individual.values.tolist() == ["track_1", "track_2"]


def test_a_track_id_of_0_is_a_track_id_where_sleap_io_skips_it(tmp_path):
    """The README said the keys are read "in sleap-io's order" (h133 #5); sleap-io
    skips a falsy object_id for track_id, posebridge reads 0 (PoseTrack's first track),
    as the README now says."""
    first = {"attributes": {"object_id": 0}, "track_id": 5}
    path = tracked_ground_truth(tmp_path, [[first, {"track_id": 5, "instance_id": 0}]])
    assert posebridge.load(path).individual.values.tolist() == ["track_0", "track_5"]
    readme = (Path(__file__).parents[3] / "README.md").read_text()
    assert "unlike sleap-io, which skips an id of 0 for the next key, a 0 is a track id" in (
        " ".join(readme.split())
    )


def test_a_track_id_written_as_a_whole_float_reads_as_its_integer(tmp_path):
    """A track id column with untracked rows is a float column (3.0); it refused the file."""
    path = tracked_ground_truth(tmp_path, [[{"track_id": 3.0}, {"track_id": None}]])
    ds = posebridge.load(path)
    assert ds.individual.values.tolist() == ["track_3", "untracked_0"]
    assert ds.position.sel(space="x", keypoint="nose").values[0].tolist() == [30, 99]


def test_a_track_id_that_is_not_a_whole_number_is_refused_naming_its_key(tmp_path):
    match = r"\$\.annotations\[0\]\.track_id: 3\.5 is not a whole number"
    with pytest.raises(FormatError, match=match):
        posebridge.load(tracked_ground_truth(tmp_path, [[{"track_id": 3.5}]]))


def ground_truth_with(tmp_path: Path, extras: list[dict]) -> Path:
    """One image, one annotation per entry of ``extras`` (its keys added), its nose x
    its index in ``extras``."""
    annotations = [
        {"id": i + 1, "image_id": 1, "category_id": 1, "keypoints": [i, 5, 2, i, 6, 2],
         "bbox": [0, 0, 9, 9], "area": 81, "iscrowd": 0} | extra
        for i, extra in enumerate(extras)
    ]  # fmt: skip
    content = {
        "images": [{"id": 1, "file_name": "a.png", "width": 99, "height": 99}],
        "annotations": annotations,
        "categories": [{"id": 1, "name": "mouse", "keypoints": ["nose", "tail"]}],
    }
    path = tmp_path / "gt.json"
    path.write_text(json.dumps(content))
    return path


@pytest.mark.parametrize(
    "key",
    [lambda t: {"attributes": {"object_id": t}}, lambda t: {"instance_id": t}],
    ids=["attributes.object_id", "instance_id"],
)
def test_a_text_track_id_names_the_track_as_in_sleap_io(tmp_path, key):
    """A text id refused the whole file with msgspec's type text (h133 #1); sleap-io
    reads it as the track track_<text>."""
    path = ground_truth_with(tmp_path, [key("mouse-A"), key(4), key("b")])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ds = posebridge.load(path)
    # the number first (tracks by id), the texts after it in order of appearance
    assert ds.individual.values.tolist() == ["track_4", "track_mouse-A", "track_b"]
    nose_x = ds.position.sel(space="x", keypoint="nose").values[0].tolist()
    assert nose_x == [1, 0, 2]


@pytest.mark.parametrize(
    ("extra", "key", "value"),
    [
        ({"attributes": {"object_id": 2.5}}, "attributes.object_id", "2.5"),
        ({"attributes": {"object_id": [1]}}, "attributes.object_id", r"\[1\]"),
        ({"instance_id": 1.25}, "instance_id", "1.25"),
        ({"instance_id": {"uuid": 7}}, "instance_id", r"\{'uuid': 7\}"),
        ({"instance_id": True}, "instance_id", "True"),
    ],
)
def test_a_loose_key_that_is_not_a_track_id_is_warned_of_not_refused(tmp_path, extra, key, value):
    """pycocotools ignores these keys, so a value that is no track id (h133 #1) is read
    as no track id, with one warning naming the file and the key."""
    path = ground_truth_with(tmp_path, [extra, extra])
    match = rf"gt\.json: \$\.annotations\[0\]\.{re.escape(key)}: {value} is not a track id"
    with pytest.warns(UserWarning, match=match) as caught:
        ds = posebridge.load(path)
    assert sum("is not a track id" in str(w.message) for w in caught) == 1
    assert ds.individual.values.tolist() == ["untracked_0", "untracked_1"]


def test_attributes_that_are_not_a_mapping_hold_no_track_id(tmp_path):
    """A list of attributes refused the whole file (h133 #1); it holds no object_id."""
    path = ground_truth_with(tmp_path, [{"attributes": []}, {"attributes": "x", "track_id": 3}])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ds = posebridge.load(path)
    assert ds.individual.values.tolist() == ["track_3", "untracked_0"]


@pytest.mark.parametrize("extra", [{"track_id": 3.5}, {"track_id": 2.0**70}])
def test_a_refused_track_id_is_not_said_to_be_paired_by_pycocotools(tmp_path, extra):
    """The message said "COCO ids are integers (... as pycocotools pairs it)": pycocotools
    pairs image and category ids, and ignores track ids."""
    with pytest.raises(FormatError) as refused:
        posebridge.load(tracked_ground_truth(tmp_path, [[extra]]))
    said = str(refused.value)
    assert "pycocotools" not in said and "COCO ids" not in said
    assert "track ids are" in said


def test_tracks_sleap_io_writes_to_coco_read_as_its_tracks(tmp_path):
    sio = pytest.importorskip("sleap_io")
    from PIL import Image

    files = []
    for i in range(2):
        files.append(str(tmp_path / f"img{i}.png"))
        Image.new("RGB", (64, 48)).save(files[-1])
    skeleton = sio.Skeleton(["nose", "tail"])
    video = sio.Video.from_filename(files)
    tracks = [sio.Track("alice"), sio.Track("bob")]
    points = {tracks[0]: [[10.0, 12.0], [20.0, 22.0]], tracks[1]: [[40.0, 42.0], [50.0, 52.0]]}

    def frame(index: int, order: list) -> object:
        instances = [
            sio.Instance.from_numpy(np.array(points[t]), skeleton=skeleton, track=t) for t in order
        ]
        return sio.LabeledFrame(video=video, frame_idx=index, instances=instances)

    frames = [frame(0, tracks), frame(1, tracks[::-1])]  # bob listed first in image 1
    sio.save_coco(
        sio.Labels(frames, videos=[video], skeletons=[skeleton], tracks=tracks),
        str(tmp_path / "gt.json"),
    )
    ds = posebridge.load(tmp_path / "gt.json")
    assert ds.sizes["individual"] == 2
    for image in range(2):
        np.testing.assert_array_equal(
            ds.position.isel(time=image).transpose("individual", "keypoint", "space").values,
            [points[tracks[0]], points[tracks[1]]],
        )


# --------------------------------------------------------------------------
# results whose category the ground truth does not have


def ground_truth(tmp_path: Path) -> Path:
    content = {
        "images": [
            {"id": 1, "file_name": "a.png", "width": 10, "height": 10},
            {"id": 2, "file_name": "b.png", "width": 10, "height": 10},
        ],
        "annotations": [],
        "categories": [
            {"id": 1, "name": "mouse", "keypoints": ["nose", "tail"], "skeleton": [[1, 2]]},
            {"id": 3, "name": "scene"},  # no keypoints
        ],
    }
    path = tmp_path / "gt.json"
    path.write_text(json.dumps(content))
    return path


def results(tmp_path: Path, categories: list[int]) -> Path:
    rows = [
        {"image_id": 1 + i % 2, "category_id": c, "keypoints": [1, 2, 0.9, 3, 4, 0.8], "score": 1}
        for i, c in enumerate(categories)
    ]
    path = tmp_path / "res.json"
    path.write_text(json.dumps(rows))
    return path


def test_results_of_another_category_are_dropped_with_a_warning(tmp_path):
    """A model's class 0 against ground-truth category 1: dropped without a word."""
    gt = ground_truth(tmp_path)
    with pytest.warns(
        UserWarning, match=r"3 results whose category_id \(0, 3\) is not a keypoint"
    ):
        ds = coco.read(results(tmp_path, [1, 0, 0, 3]), ground_truth=gt)
    assert ds.image_id.values.tolist() == [1]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # every result of the category: nothing to say
        coco.read(results(tmp_path, [1, 1]), ground_truth=gt)


def test_a_results_error_names_the_result_in_the_file_after_dropped_ones(tmp_path):
    path = results(tmp_path, [0, 1, 1])  # $[0] is dropped (category 0)
    rows = json.loads(path.read_text())
    rows[2]["image_id"] = 99
    path.write_text(json.dumps(rows))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(FormatError, match=r"\$\[2\]\.image_id: image 99 is not in"):
            coco.read(path, ground_truth=ground_truth(tmp_path))


def test_results_none_of_whose_categories_match_name_the_mismatch(tmp_path):
    """The error said the file held 'an empty results list'."""
    with pytest.raises(FormatError, match=r"none of its 2 results is of a keypoint category") as e:
        coco.read(results(tmp_path, [0, 0]), ground_truth=ground_truth(tmp_path))
    assert "category_id: 0" in str(e.value) and "ids [1]" in str(e.value)
