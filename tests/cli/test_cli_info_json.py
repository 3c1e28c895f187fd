"""``posebridge info --json``: the text report's facts as JSON, checked against the data."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest
import xarray as xr
from click.testing import CliRunner

import posebridge
from posebridge import labels, model, sample_data
from posebridge._report import dataset_facts, describe_dataset
from posebridge.cli import cli


def run(*args: object):
    return CliRunner().invoke(cli, [str(a) for a in args])


def info_json(*args: object) -> dict:
    result = run("info", "--json", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_json_facts_of_a_poses_file(tmp_path, poses_two_mice_with_nan):
    ds = poses_two_mice_with_nan.assign_coords(time=np.r_[0:10, 15:25])  # a gap of 5 frames
    ds["skeleton_edges"] = (("edge", "edge_node"), np.array([["snout", "tail_base"]]))
    path = tmp_path / "poses.nc"
    posebridge.save(ds, path)
    facts = info_json(path)
    position = ds["position"].values
    confidence = ds["confidence"].values
    absent = np.isnan(position).any(axis=1)
    assert facts["file"] == str(path)
    assert facts["format"] == {"name": "netcdf", "title": "netCDF"}
    assert facts["kind"] == "poses"
    assert facts["source_software"] == "DeepLabCut"
    assert facts["frames"] == {
        "count": 20, "first": 0, "last": 24, "missing_frame_numbers": 5, "gaps": 1,
    }  # fmt: skip
    assert facts["time"] == {"unit": "frames", "fps": None, "start": 0, "end": 24}
    assert facts["individuals"] == ["mouse_b", "mouse_a"]
    assert facts["keypoints"] == ["snout", "tail_base", "ear_left"]
    assert facts["space"] == ["x", "y"]
    empty = absent.all(axis=0)  # keypoint-individual pairs without a point in any frame
    assert facts["missing"] == {
        "what": "points",
        "count": int(absent.sum()),
        "total": absent.size,
        "percent": pytest.approx(100 * absent.mean()),
        "empty_pairs": int(empty.sum()),
        "count_in_other_pairs": int(absent[:, ~empty].sum()),
        "total_in_other_pairs": int(absent[:, ~empty].size),
    }
    assert facts["confidence"] == {
        "min": pytest.approx(np.nanmin(confidence)),
        "max": pytest.approx(np.nanmax(confidence)),
        "count": confidence.size,
        "nan_count": int(np.isnan(confidence).sum()),
    }
    assert facts["skeleton_edges"] == [["snout", "tail_base"]]
    assert facts["extras"]["variables"] == {}


def test_json_has_the_facts_of_every_text_row():
    """Every row of the text report has its key in the JSON (nothing only for people)."""
    keys = {
        "kind": "kind",
        "source software": "source_software",
        "frames": "frames",
        "time": "time",
        "individuals": "individuals",
        "keypoints": "keypoints",
        "space": "space",
        "missing": "missing",
        "confidence": "confidence",
        "boxes per frame": "boxes_per_frame",
        "box size": "box_size",
        "skeleton": "skeleton_edges",
    }
    keys |= {
        "labelled frames": "labelled_frames",
        "points per frame": "labelled_frames",
        "instances per frame": "labelled_frames",
    }
    datasets = [sample_data.fetch_dataset(name) for name in sample_data.BUNDLED]
    extra = datasets[0].copy()
    extra["instance_score"] = (("time", "individual"), np.ones((300, 2)))
    extra = extra.assign_coords(data_split=("time", np.full(300, "train")))
    video = ["a.mp4", "b.mp4"]
    datasets += [extra, labels.from_numpy(np.ones((2, 2, 1, 1)), video=video, frame=[1, 2])]
    for ds in datasets:
        facts = dataset_facts(ds)
        extras = {**facts["extras"]["variables"], **facts["extras"]["attrs"]}
        extras |= {f"{name} (coord)": v for name, v in facts["extras"]["coords"].items()}
        for label, _ in describe_dataset(ds):
            if label.startswith("  "):  # a video under "labelled frames"
                assert label.strip() in [v["video"] for v in facts["labelled_frames"]["videos"]]
                continue
            assert keys.get(label) in facts or label in extras, label


def test_json_of_boxes_and_of_seconds(tmp_path):
    ds = sample_data.fetch_dataset("posebridge_two-crabs_bboxes.nc")
    facts = dataset_facts(ds)
    width = ds["shape"].sel(space="x").values
    present = (~np.isnan(ds["position"].values).any(axis=1)).sum(axis=1)
    assert facts["kind"] == "bboxes" and "keypoints" not in facts
    assert facts["boxes_per_frame"] == {
        "mean": pytest.approx(present.mean()), "min": present.min(), "max": present.max(),
    }  # fmt: skip
    assert facts["box_size"]["width"]["max"] == pytest.approx(np.nanmax(width))
    mice = sample_data.fetch_dataset("posebridge_two-mice_2D.nc")
    facts = dataset_facts(mice)
    assert facts["time"]["unit"] == "seconds" and facts["time"]["fps"] == 30.0
    assert facts["time"]["end"] == pytest.approx(float(mice["time"].values[-1]))
    assert facts["frames"]["last"] == int(mice["frame"].values[-1])
    assert facts["extras"]["attrs"] == {"video_width": 640, "video_height": 480}


def test_json_of_labelled_frames():
    position = np.ones((3, 2, 2, 1))
    position[1, :, 0, 0] = np.nan
    ds = labels.from_numpy(position, video=["a.mp4", "b.mp4", "a.mp4"], frame=[4, 0, 9])
    facts = dataset_facts(ds)
    assert facts["kind"] == "labels" and "frames" not in facts
    assert facts["labelled_frames"]["videos"] == [
        {"video": "a.mp4", "count": 2, "kind": "frames"},
        {"video": "b.mp4", "count": 1, "kind": "frames"},
    ]
    assert facts["labelled_frames"]["points_per_frame"] == {
        "mean": pytest.approx(5 / 3), "min": 1, "max": 2, "total": 5,
    }  # fmt: skip


def test_json_is_strict_json_without_nan(tmp_path):
    ds = model.from_numpy(np.full((2, 2, 1, 1), np.nan))
    path = tmp_path / "empty.nc"
    posebridge.save(ds, path)
    result = run("info", "--json", path)
    assert result.exit_code == 0
    assert not re.search(r"\bNaN\b|Infinity", result.stdout)
    facts = json.loads(result.stdout)
    assert facts["confidence"]["min"] is None and facts["missing"]["percent"] == 100.0


def test_json_on_a_broken_file_still_prints_json_and_fails(tmp_path):
    path = tmp_path / "broken.nc"
    path.write_bytes(b"CDF\x01 but nothing else")
    result = run("info", "--json", "--format", "netcdf", path)
    assert result.exit_code == 1
    facts = json.loads(result.stdout)
    assert facts["file"] == str(path) and facts["format"]["name"] == "netcdf"
    assert "broken.nc" in facts["error"]
    assert result.stderr.startswith("posebridge: error: ")


def test_text_report_is_unchanged_without_json(tmp_path, poses_two_mice_with_nan):
    path = tmp_path / "poses.nc"
    posebridge.save(poses_two_mice_with_nan, path)
    result = run("info", path)
    assert result.exit_code == 0
    assert not result.stdout.lstrip().startswith("{")
    assert "individuals" in result.stdout


def test_json_on_an_unknown_file_still_prints_json_and_fails(tmp_path):
    path = tmp_path / "mystery.bin"
    path.write_bytes(b"\x00" * 64)
    result = run("info", "--json", path)
    assert result.exit_code == 1
    facts = json.loads(result.stdout)
    assert facts["file"] == str(path) and "mystery.bin" in facts["error"]
    result = run("info", "--json", tmp_path / "absent.nc")
    assert result.exit_code == 1 and "no such file" in json.loads(result.stdout)["error"]


def test_a_malformed_read_option_is_a_usage_error_before_anything_is_printed(
    tmp_path, poses_two_mice_with_nan
):
    """The JSON error said "BadParameter ... (unexpected ...)", and without --json the file's
    description was printed before the usage error."""
    path = tmp_path / "poses.nc"
    posebridge.save(poses_two_mice_with_nan, path)
    for json_flag in (["--json"], []):
        result = run("info", *json_flag, "--read-option", "bogus", path)
        assert result.exit_code == 2
        assert result.stdout == ""
        assert "expected KEY=VALUE, got 'bogus'" in result.stderr


def test_info_names_the_camera_views_and_counts_missing_points_over_them(tmp_path):
    one = posebridge.from_numpy(
        np.arange(24.0).reshape(3, 2, 2, 2), keypoint_names=["a", "b"], individual_names=["m", "n"]
    )
    views = one.expand_dims(view=["top", "side"], axis=-1).copy(deep=True)
    views["position"][0, :, 0, 0, 1] = np.nan  # one point missing in the side view
    path = tmp_path / "views.nc"
    posebridge.save(views, path)
    text = run("info", path)
    assert text.exit_code == 0, text.output
    rows = dict(re.split(r"\s{2,}", line.strip(), maxsplit=1) for line in text.stdout.splitlines())
    assert rows["views"] == "2: top, side"
    total = 3 * 2 * 2 * 2  # time x keypoint x individual x view
    assert (
        rows["missing"]
        == f"{100 / total:.1f} % of points (1 of {total}, counted over 2 camera views)"
    )
    facts = info_json(path)
    assert facts["views"] == ["top", "side"]
    assert facts["missing"]["total"] == total
    plain = tmp_path / "plain.nc"
    posebridge.save(one, plain)
    assert info_json(plain)["views"] == []
    assert "views" not in run("info", plain).stdout


def test_info_counts_boxes_per_frame_in_every_camera_view_and_per_view(tmp_path):
    """Averaged over (frame, view) pairs, the count of a frame said nothing of its views."""
    top = np.ones((3, 2, 2))  # 3 frames, 2 boxes
    side = np.ones((3, 2, 2))
    side[:2, :, 1] = np.nan  # the side camera misses box 1 in frames 0 and 1
    views = xr.concat(
        [
            posebridge.model.bboxes_from_numpy(position, np.ones_like(position))
            for position in (top, side)
        ],
        dim=xr.DataArray(["top", "side"], dims="view", name="view"),
    ).transpose(..., "view")
    path = tmp_path / "boxes.nc"
    posebridge.save(views, path)
    counted = {
        name: (~np.isnan(p).any(axis=1)).sum(axis=1) for name, p in [("top", top), ("side", side)]
    }
    both = counted["top"] + counted["side"]
    text = run("info", path)
    assert text.exit_code == 0, text.output
    assert "counted in every camera view; top" in " ".join(text.stdout.split())
    rows = dict(describe_dataset(posebridge.load(path)))
    assert rows["boxes per frame"] == (
        f"{both.mean():.2f} on average (min {both.min()}, max {both.max()}), counted in every "
        "camera view; "
        + ", ".join(
            f"{name} {c.mean():.2f} (min {c.min()}, max {c.max()})" for name, c in counted.items()
        )
    )
    facts = info_json(path)["boxes_per_frame"]
    assert facts["mean"] == pytest.approx(both.mean()) and facts["max"] == both.max()
    assert facts["per_view"] == {
        name: {"mean": pytest.approx(c.mean()), "min": c.min(), "max": c.max()}
        for name, c in counted.items()
    }


def test_text_and_json_agree_on_the_fps_of_a_dataset_in_frames(tmp_path):
    """h118 finding 7: the text said "frames only (no fps)" where --json said fps 30."""
    ds = posebridge.from_numpy(np.zeros((3, 2, 1, 1)))
    ds.attrs["fps"] = 30.0  # time stays in frames, the rate stated
    path = tmp_path / "rated.nc"
    posebridge.save(ds, path)
    facts = info_json(path)
    assert facts["time"]["unit"] == "frames" and facts["time"]["fps"] == 30.0
    text = dict(describe_dataset(posebridge.load(path)))["time"]
    assert "no fps" not in text and "30 fps" in text


def test_pairs_holding_no_point_in_any_frame_are_told_apart_from_missing_points(tmp_path):
    """h180: a multi-animal DeepLabCut file's animals hold no unique bodypart (and its
    'single' individual only those), so a fully labelled file was reported 45 % missing:
    info says how many keypoint-individual pairs hold no point at all, and the missing
    share of the other pairs' points."""
    position = np.random.default_rng(2).uniform(0, 100, size=(10, 2, 3, 2))
    position[:, :, 2, 0] = np.nan  # individual 0 never has keypoint 2 (a unique bodypart)
    position[:, :, :2, 1] = np.nan  # individual 1 has only keypoint 2 (DLC's "single")
    position[4, :, 0, 0] = np.nan  # one point really missing
    path = tmp_path / "ma.nc"
    posebridge.save(posebridge.from_numpy(position), path)

    facts = info_json(path)["missing"]
    rows = {row[0]: row[1] for row in describe_dataset(posebridge.load(path))}

    absent = np.isnan(position).any(axis=1)
    held = ~absent.all(axis=0)
    assert facts["empty_pairs"] == int((~held).sum()) == 3
    assert facts["count_in_other_pairs"] == int(absent[:, held].sum()) == 1
    assert facts["total_in_other_pairs"] == int(held.sum()) * 10
    assert rows["missing"].startswith(f"{100 * absent.mean():.1f} % of points")
    share = 100 * absent[:, held].mean()
    assert (
        f"; {share:.1f} % of the other pairs' points: 3 keypoint-individual pairs"
        in (rows["missing"])
    )


def test_a_keypoint_missing_in_one_camera_view_only_is_no_empty_pair(tmp_path):
    """h181: with camera views the pairs were counted per view: a keypoint one camera never
    saw was called a keypoint-individual pair holding no point."""
    position = np.random.default_rng(4).uniform(0, 100, size=(6, 2, 2, 1, 2))
    position[:, :, 1, 0, 0] = np.nan  # keypoint 1 never seen by the first view
    ds = posebridge.from_numpy(position[..., 0]).expand_dims(view=["top", "side"], axis=-1)
    ds["position"] = (ds["position"].dims, position)
    path = tmp_path / "views.nc"
    posebridge.save(ds, path)

    facts = info_json(path)["missing"]
    rows = {row[0]: row[1] for row in describe_dataset(posebridge.load(path))}

    assert facts["empty_pairs"] == 0 and facts["count"] == 6
    assert "pair" not in rows["missing"]
