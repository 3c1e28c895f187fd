"""Label Studio predictions of video frames keep their frames; tasks written without a
labelling config warn when reading them back would lose or reorder keypoints."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pytest

import posebridge
from posebridge.formats import labelstudio


def clip() -> tuple[np.ndarray, np.ndarray]:
    """Poses of 12 frames, points in frames 3, 7 and 11 only (time, space, kp, ind)."""
    position = np.full((12, 2, 2, 1), np.nan)
    confidence = np.full((12, 2, 1), np.nan)
    for t in (3, 7, 11):
        position[t] = t + 1.0
        confidence[t] = 0.5
    return position, confidence


def frame_task(frame: int, x: float, video: str = "/v/cam.mp4") -> dict:
    """A prediction task of one video frame, as sleap-io lays out ``meta.video``
    (no image in ``data``)."""
    region = {
        "id": f"p{frame}",
        "type": "keypointlabels",
        "from_name": "kp",
        "to_name": "image",
        "original_width": 100,
        "original_height": 50,
        "value": {"x": x, "y": 10.0, "keypointlabels": ["nose"]},
    }
    return {
        "data": {},
        "meta": {"video": {"filename": video, "frame_idx": frame, "shape": None}},
        "predictions": [{"result": [region]}],
    }


def test_predictions_of_a_clip_keep_its_frame_numbers(tmp_path):
    """They came back timed 0..11 with no video, so a SLEAP CSV written from them
    put the points in frames 3, 7, 11 instead of 103, 107, 111."""
    position, confidence = clip()
    ds = posebridge.from_numpy(position, confidence, keypoint_names=["a", "b"])
    ds = ds.assign_coords(time=np.arange(100, 112)).assign_attrs(video_path="/v/cam.mp4")
    (path,) = posebridge.save(
        ds, tmp_path / "pred.json", format="labelstudio", image_size=(100, 100)
    )
    back = posebridge.load(path)
    assert back.time.values.tolist() == list(range(100, 112))
    assert back.attrs["video_path"] == "/v/cam.mp4"
    assert "image_path" not in back.coords  # the made-up image names are not kept
    np.testing.assert_array_equal(back.position.values, ds.position.values)
    (csv,) = posebridge.save(back, tmp_path / "back.analysis.csv")
    rows = csv.read_text().splitlines()[1:]
    assert [row.split(",")[1] for row in rows] == ["103", "107", "111"]
    # and written again, the tasks name the same frames
    (again,) = posebridge.save(
        back, tmp_path / "again.json", format="labelstudio", image_size=(100, 100)
    )
    frames = [task["meta"]["video"]["frame_idx"] for task in json.loads(again.read_text())]
    assert frames == list(range(100, 112))


def test_predictions_of_frames_of_a_video_without_a_path_keep_their_frame_numbers(tmp_path):
    """No video_path: the tasks' meta.video has an empty filename, and they were read back
    timed 0, 1, 2 with empty image names (frames 5, 7, 100 lost, no warning)."""
    rng = np.random.default_rng(3)
    ds = posebridge.from_numpy(rng.uniform(10, 90, (3, 2, 2, 1)), rng.uniform(0, 1, (3, 2, 1)))
    ds = ds.assign_coords(time=[5, 7, 100])
    (path,) = posebridge.save(ds, tmp_path / "pred.json", "labelstudio", image_size=(100, 100))
    tasks = json.loads(path.read_text())
    assert [t["meta"]["video"]["frame_idx"] for t in tasks] == [5, 7, 100]
    back = posebridge.load(path)
    assert back.time.values.tolist() == [5, 7, 100]
    assert "video_path" not in back.attrs and "image_path" not in back.coords
    np.testing.assert_allclose(back.position.values, ds.position.values, rtol=1e-12)
    np.testing.assert_allclose(back.confidence.values, ds.confidence.values, rtol=1e-12)


@pytest.mark.parametrize(
    ("time", "attrs", "message"),
    [
        ([-5, 0, 3], {}, "time step 0 is frame -5"),
        ([0.5, 0.7, 1.25], {"time_unit": "seconds"}, "in seconds with no fps and no .frame."),
    ],
    ids=["negative-frames", "seconds-without-fps"],
)
def test_tasks_of_video_frames_without_a_frame_number_from_0_are_refused(
    tmp_path, time, attrs, message
):
    """Negative frames were written as frame_idx -5, which the reader refuses; seconds
    without fps were written as made-up frames 0, 1, 2. Both are refused before writing."""
    ds = posebridge.from_numpy(np.ones((3, 2, 2, 1))).assign_coords(time=time)
    with pytest.raises(posebridge.errors.SchemaError, match=message):
        posebridge.save(
            ds.assign_attrs(video_path="v.mp4", **attrs),
            tmp_path / "pred.json",
            "labelstudio",
            image_size=(100, 100),
        )
    assert list(tmp_path.iterdir()) == []


def test_negative_frames_of_rows_with_their_image_are_written(tmp_path):
    images = ["a.png", "b.png", "c.png"]
    ds = posebridge.from_numpy(np.ones((3, 2, 2, 1))).assign_coords(
        time=[-5, 0, 3], image_path=("time", images)
    )
    (path,) = posebridge.save(ds, tmp_path / "pred.json", "labelstudio", image_size=(100, 100))
    assert posebridge.load(path).image_path.values.tolist() == images


def test_prediction_tasks_of_frames_in_any_order_are_timed_by_frame(tmp_path):
    """A task without an image but with meta.video was refused ("no image")."""
    path = tmp_path / "pred.json"
    path.write_text(json.dumps([frame_task(9, 20.0), frame_task(4, 40.0)]))
    ds = labelstudio.read(path)
    assert ds.time.values.tolist() == [4, 9]
    assert ds.position.sel(space="x").values.ravel().tolist() == [40.0, 20.0]  # percent of 100
    assert ds.image_width.values.tolist() == [100, 100]


def test_predictions_of_two_videos_warn_and_count_the_tasks(tmp_path):
    tasks = [frame_task(9, 20.0, "a.mp4"), frame_task(9, 40.0, "b.mp4")]
    for task, image in zip(tasks, ["a/img00009.png", "b/img00009.png"], strict=True):
        task["data"] = {"image": image}
    path = tmp_path / "pred.json"
    path.write_text(json.dumps(tasks))
    with pytest.warns(UserWarning, match=r"2 videos' frames \(2 tasks with meta.video\)"):
        ds = labelstudio.read(path)
    assert ds.time.values.tolist() == [0, 1]
    assert ds.image_path.values.tolist() == ["a/img00009.png", "b/img00009.png"]


def written_with_warnings(ds, path, **options) -> list[str]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        labelstudio.write(ds, path, image_size=(64, 64), **options)
    return [str(w.message) for w in caught if "labelling config" in str(w.message)]


def poses(position: np.ndarray, names: list[str]):
    ds = posebridge.from_numpy(position, keypoint_names=names)
    return ds.assign_coords(image_path=("time", [f"i{t}.png" for t in range(len(position))]))


def test_writing_without_a_config_warns_of_keypoints_that_would_be_lost(tmp_path):
    """Reading back without the config finds only the keypoints that have a point: 'c'
    (never labelled) was lost without a word."""
    position = np.full((2, 2, 3, 1), 5.0)
    position[:, :, 2] = np.nan  # no point of 'c' anywhere
    ds = poses(position, ["a", "b", "c"])
    (message,) = written_with_warnings(ds, tmp_path / "t.json")
    assert "1 keypoint has no point ('c')" in message and "label_config=" in message
    assert labelstudio.read(tmp_path / "t.json").keypoint.values.tolist() == ["a", "b"]
    # with the config, nothing to warn of, and every keypoint comes back in order
    config = tmp_path / "c.xml"
    assert written_with_warnings(ds, tmp_path / "u.json", label_config=config) == []
    back = labelstudio.read(tmp_path / "u.json", label_config=config)
    assert back.keypoint.values.tolist() == ["a", "b", "c"]


def test_writing_without_a_config_warns_when_first_appearance_reorders(tmp_path):
    position = np.full((2, 2, 2, 1), 5.0)
    position[0, :, 0] = np.nan  # 'a' first appears after 'b'
    ds = poses(position, ["a", "b"])
    (message,) = written_with_warnings(ds, tmp_path / "t.json")
    assert "another order than the dataset's" in message
    assert labelstudio.read(tmp_path / "t.json").keypoint.values.tolist() == ["b", "a"]
    # every keypoint labelled, in order: no warning
    assert (
        written_with_warnings(poses(np.full((2, 2, 2, 1), 5.0), ["a", "b"]), tmp_path / "u.json")
        == []
    )
