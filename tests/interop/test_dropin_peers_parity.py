"""posebridge.io in place of movement.io / sleap_io.io.nwb: what the peers do, checked on them.

Each test calls the peer's own function on the same input and compares.
"""

from __future__ import annotations

import contextlib
import csv
import json
import warnings

import numpy as np
import pytest
import xarray as xr

import posebridge
from posebridge.errors import PoseBridgeError
from posebridge.io import load_bboxes, load_poses, save_bboxes, save_poses
from posebridge.io import nwb as pb_nwb

sio = pytest.importorskip("sleap_io")
movement_io = pytest.importorskip("movement.io")
from movement.io import load_bboxes as mv_load_bboxes  # noqa: E402
from movement.io import load_poses as mv_load_poses  # noqa: E402
from movement.io import save_bboxes as mv_save_bboxes  # noqa: E402
from movement.io import save_poses as mv_save_poses  # noqa: E402

pytestmark = pytest.mark.filterwarnings(
    "ignore:.*the dataset has no frame rate:UserWarning",
    "ignore:.*could not be found:UserWarning",
    "ignore::DeprecationWarning",
)


# --------------------------------------------------------------------------
# sleap-io: save_nwb


def _mixed_labels() -> sio.Labels:
    """One video: a user instance made from a prediction, predictions alone, a user frame."""
    skeleton = sio.Skeleton(["head", "tail"], edges=[("head", "tail")], name="fly")
    from sleap_io.io.video_reading import MediaVideo

    # sleap-io's annotations writer needs a media backend (not opened: the file is not there)
    backend = MediaVideo(filename="/data/a.mp4", grayscale=False, keep_open=False)
    video = sio.Video(filename="/data/a.mp4", backend=backend, open_backend=False)
    rng = np.random.default_rng(3)
    frames = []
    for frame in range(4):
        predicted = sio.PredictedInstance.from_numpy(
            rng.uniform(0, 100, (2, 2)), skeleton=skeleton, point_scores=[0.8, 0.7], score=0.9
        )
        instances = [predicted]
        if frame == 0:
            user = sio.Instance.from_numpy(rng.uniform(0, 100, (2, 2)), skeleton=skeleton)
            user.from_predicted = predicted
            instances.append(user)
        frames.append(sio.LabeledFrame(video=video, frame_idx=frame, instances=instances))
    user = sio.Instance.from_numpy(rng.uniform(0, 100, (2, 2)), skeleton=skeleton)
    frames.append(sio.LabeledFrame(video=video, frame_idx=9, instances=[user]))
    return sio.Labels(frames, videos=[video], skeletons=[skeleton])


def _counts(labels: sio.Labels) -> tuple[list[int], int]:
    frames = sorted(int(lf.frame_idx) for lf in labels.labeled_frames)
    return frames, sum(len(lf.instances) for lf in labels.labeled_frames)


def _points(labels: sio.Labels, predicted: bool) -> np.ndarray:
    found = [
        (int(lf.frame_idx), inst.numpy())
        for lf in labels.labeled_frames
        for inst in lf.instances
        if isinstance(inst, sio.PredictedInstance) == predicted
    ]
    found.sort(key=lambda item: (item[0], tuple(np.nan_to_num(item[1]).ravel())))
    return np.stack([points for _, points in found])


@pytest.mark.parametrize("nwb_format", ["auto", "annotations"])
def test_save_nwb_keeps_predicted_instances_beside_the_annotations(tmp_path, nwb_format):
    labels = _mixed_labels()
    sio.save_nwb(labels, str(tmp_path / "sleap_io.nwb"), nwb_format=nwb_format)
    theirs = sio.load_nwb(str(tmp_path / "sleap_io.nwb"))
    with pytest.warns(UserWarning, match="4 predicted instance"):
        pb_nwb.save_nwb(labels, tmp_path / "pb.nwb", nwb_format=nwb_format)
    ours = pb_nwb.load_nwb(tmp_path / "pb.nwb", return_type="labels")
    # every frame and instance sleap-io keeps, and the predictions stay predictions
    assert _counts(ours) == _counts(theirs) == ([0, 1, 2, 3, 9], 6)
    assert len(ours.videos) == 1
    np.testing.assert_allclose(_points(ours, predicted=False), _points(labels, predicted=False))
    np.testing.assert_allclose(_points(ours, predicted=True), _points(labels, predicted=True))
    scores = [i.score for lf in ours.labeled_frames for i in lf.predicted_instances]
    assert len(scores) == 4
    # sleap-io's reader still reads the annotations of our file
    assert _counts(sio.load_nwb(str(tmp_path / "pb.nwb"))) == ([0, 9], 2)


def test_a_file_with_both_read_as_a_dataset_gives_the_annotations_and_says_so(tmp_path):
    with pytest.warns(UserWarning):
        pb_nwb.save_nwb(_mixed_labels(), tmp_path / "pb.nwb")
    with pytest.warns(UserWarning, match="predictions .*read_nwb"):
        ds = pb_nwb.load_nwb(tmp_path / "pb.nwb", return_type="dataset")
    assert ds.attrs["content"] == "labels" and ds.sizes["time"] == 2
    predictions = pb_nwb.read_nwb(tmp_path / "pb.nwb", return_type="dataset")
    assert int(predictions.position.notnull().any(["space", "keypoint"]).sum()) == 4


def test_annotations_with_predictions_are_written_all_or_nothing(tmp_path):
    target = tmp_path / "pb.nwb"
    target.write_bytes(b"old")
    labels = _mixed_labels()
    labels.skeletons[0].nodes[1].name = "a/b"  # the sleap-io layout cannot name this series
    with pytest.raises(PoseBridgeError, match="a/b"):
        pb_nwb.save_nwb(labels, target)
    assert target.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pb.nwb"]


def test_annotations_export_says_it_leaves_the_predictions_out(tmp_path):
    pytest.importorskip("cv2")
    labels = _mixed_labels()
    # (the export itself then fails: the video is not there to take frames from)
    warns = pytest.warns(UserWarning, match="4 predicted instance.*not written")
    with warns, contextlib.suppress(PoseBridgeError):
        pb_nwb.save_nwb(labels, tmp_path / "e.nwb", nwb_format="annotations_export")


def test_save_nwb_default_layout_is_read_by_sleap_io(tmp_path):
    labels = _mixed_labels()
    predictions = sio.Labels(
        [
            sio.LabeledFrame(
                video=lf.video, frame_idx=lf.frame_idx, instances=lf.predicted_instances
            )
            for lf in labels.labeled_frames
            if lf.predicted_instances
        ],
        videos=labels.videos,
        skeletons=labels.skeletons,
    )
    sio.save_nwb(predictions, str(tmp_path / "sleap_io.nwb"))
    pb_nwb.save_nwb(predictions, tmp_path / "pb.nwb")
    theirs = sio.load_nwb(str(tmp_path / "sleap_io.nwb"))
    ours = sio.load_nwb(str(tmp_path / "pb.nwb"))  # IndexError in posebridge's layout
    assert _counts(ours) == _counts(theirs)
    np.testing.assert_allclose(_points(ours, True), _points(theirs, True))
    assert [v.filename for v in ours.videos] == ["/data/a.mp4"]


# --------------------------------------------------------------------------
# movement: savers and loaders


def _with_anipose_extras(n_space: int = 3) -> xr.Dataset:
    rng = np.random.default_rng(5)
    ds = load_poses.from_numpy(
        rng.uniform(0, 10, (4, n_space, 2, 1)), rng.uniform(0, 1, (4, 2, 1)), ["id_0"], ["a", "b"]
    )
    ds["reprojection_error"] = (("time", "keypoint", "individual"), rng.uniform(0, 2, (4, 2, 1)))
    ds["camera_count"] = (("time", "keypoint", "individual"), np.full((4, 2, 1), 2.0))
    return ds


@pytest.mark.parametrize("n_space", [2, 3])
@pytest.mark.parametrize(
    ("saver", "name", "reader"),
    [
        ("to_dlc_file", "a.h5", mv_load_poses.from_dlc_file),
        ("to_dlc_file", "a.csv", mv_load_poses.from_dlc_file),
        ("to_lp_file", "a.csv", mv_load_poses.from_lp_file),
    ],
)
def test_dlc_and_lp_savers_write_what_movement_reads(tmp_path, saver, name, reader, n_space):
    ds = _with_anipose_extras(n_space)
    (tmp_path / "mv").mkdir()
    (tmp_path / "pb").mkdir()
    getattr(mv_save_poses, saver)(ds, tmp_path / "mv" / name)
    getattr(save_poses, saver)(ds, tmp_path / "pb" / name)
    theirs_file = sorted((tmp_path / "mv").iterdir())
    ours_file = sorted((tmp_path / "pb").iterdir())
    assert [p.name for p in ours_file] == [p.name for p in theirs_file]
    theirs, ours = reader(theirs_file[0]), reader(ours_file[0])  # movement reads both
    xr.testing.assert_allclose(ours.position, theirs.position)
    # movement writes no likelihood for 3D data (x, y, z only); posebridge keeps it
    np.testing.assert_allclose(ours.confidence.values, ds.confidence.values, rtol=1e-6)


def test_to_dlc_style_df_has_movement_s_columns():
    ds = _with_anipose_extras(2)
    ours = save_poses.to_dlc_style_df(ds)
    theirs = mv_save_poses.to_dlc_style_df(ds)
    assert list(ours.columns.droplevel("scorer")) == list(theirs.columns.droplevel("scorer"))


@pytest.mark.parametrize("name", ["a.csv", "a.h5"])
def test_posebridge_save_to_dlc_drops_other_tools_extras_so_movement_reads_it(tmp_path, name):
    # reprojection_error, camera_count as coords columns: movement refused the file
    # ("5 spatial dimensions") and DeepLabCut's own readers, which take the columns in
    # threes, read them as another bodypart
    ds = _with_anipose_extras()
    ds.attrs["source_software"] = "Anipose"
    with pytest.warns(UserWarning, match=r"reprojection_error, camera_count are not written"):
        posebridge.save(ds, tmp_path / name, format="dlc")
    theirs = mv_load_poses.from_dlc_file(tmp_path / name)
    np.testing.assert_allclose(theirs.position.values, ds.position.values)
    (lp,) = posebridge.save(ds, tmp_path / "lp.csv", format="lp")  # LightningPose keeps them
    np.testing.assert_array_equal(
        posebridge.load(lp, format="lp").reprojection_error.values, ds.reprojection_error.values
    )


def test_a_dlc_file_with_extra_coords_is_written_back_with_them(tmp_path):
    ds = _with_anipose_extras()
    ds.attrs["source_software"] = "DeepLabCut"
    (path,) = posebridge.save(ds, tmp_path / "a.csv", format="dlc")
    assert "reprojection_error" in posebridge.load(path)


def test_via_track_ids_without_trailing_numbers_follow_the_sorted_names(tmp_path):
    ds = mv_load_bboxes.from_numpy(
        np.arange(12.0).reshape(2, 2, 3),
        np.ones((2, 2, 3)),
        individual_names=["crab_7", "crab_9", "crab_11"],
    )

    def tracks(path):
        """Each box's (image, x, track id), whatever the order of the rows."""
        with path.open() as handle:
            return sorted(
                (
                    row["filename"],
                    json.loads(row["region_shape_attributes"])["x"],
                    json.loads(row["region_attributes"])["track"],
                )
                for row in csv.DictReader(handle)
            )

    mv_save_bboxes.to_via_tracks_file(
        ds, tmp_path / "mv.csv", track_ids_from_trailing_numbers=False
    )
    save_bboxes.to_via_tracks_file(ds, tmp_path / "pb.csv", track_ids_from_trailing_numbers=False)
    assert tracks(tmp_path / "pb.csv") == tracks(tmp_path / "mv.csv")
    # posebridge.save keeps the dataset's order (read back in the order written)
    posebridge.save(ds, tmp_path / "s.csv", format="via", track_ids_from_trailing_numbers=False)
    assert [t for _, _, t in tracks(tmp_path / "s.csv")][:3] == [0, 1, 2]


def test_a_series_unit_is_written_as_given():
    from movement.io.nwb import NWBFileSaveConfig

    ds = mv_load_poses.from_numpy(
        np.zeros((5, 2, 2, 1)), individual_names=["mouse"], keypoint_names=["nose", "tail"], fps=30
    )
    config = NWBFileSaveConfig(pose_estimation_series_kwargs={"unit": "mm"})
    theirs = mv_save_poses.to_nwb_file(ds, config)
    ours = save_poses.to_nwb_file(ds, config)

    def unit(nwbfile):
        pose = nwbfile.processing["behavior"]["PoseEstimation"]
        return pose.pose_estimation_series["nose"].unit

    assert unit(ours) == unit(theirs) == "mm"


def _dlc_csv(tmp_path, n_individuals: int):
    names = [f"id_{i}" for i in range(n_individuals)]
    ds = load_poses.from_numpy(np.ones((3, 2, 2, n_individuals)), individual_names=names)
    mv_save_poses.to_dlc_file(ds, tmp_path / "d.csv", split_individuals=False)
    return tmp_path / "d.csv"


def test_from_lp_file_records_lightningpose_as_movement(tmp_path):
    path = _dlc_csv(tmp_path, 1)
    theirs = mv_load_poses.from_lp_file(path)
    ours = load_poses.from_lp_file(path)
    assert ours.attrs["source_software"] == theirs.attrs["source_software"] == "LightningPose"
    from posebridge.io import load_dataset

    assert load_dataset(path, "LightningPose").attrs["source_software"] == "LightningPose"


def test_from_lp_file_refuses_what_movement_refuses(tmp_path):
    ds = load_poses.from_numpy(np.ones((3, 2, 2, 1)))
    mv_save_poses.to_dlc_file(ds, tmp_path / "d.h5", split_individuals=False)
    with pytest.raises(ValueError):
        mv_load_poses.from_lp_file(tmp_path / "d.h5")
    with pytest.raises(PoseBridgeError, match="Unsupported format for 'LightningPose'"):
        load_poses.from_lp_file(tmp_path / "d.h5")
    several = _dlc_csv(tmp_path, 2)
    with pytest.raises(ValueError):
        mv_load_poses.from_lp_file(several)
    with pytest.raises(PoseBridgeError, match="single-individual"):
        load_poses.from_lp_file(several)


def test_every_variable_has_the_view_dim_where_position_has_it(tmp_path):
    ds = load_poses.from_numpy(np.ones((3, 2, 2, 1)), np.ones((3, 2, 1)))
    ds["instance_score"] = (("time", "individual"), np.full((3, 1), 0.5))
    ds["tracking_score"] = (("time", "individual"), np.full((3, 1), 0.25))
    for view in ("left", "right"):
        posebridge.save(ds, tmp_path / f"{view}.nc")
    from posebridge.io import load_multiview_dataset

    both = load_multiview_dataset({v: tmp_path / f"{v}.nc" for v in ("left", "right")}, "netCDF")
    assert both["position"].dims[-1] == "view"
    last = {name: var.dims[-1] for name, var in both.data_vars.items()}
    assert last == dict.fromkeys(both.data_vars, "view")


def test_from_numpy_records_no_source_software_as_movement(tmp_path):
    theirs = mv_load_poses.from_numpy(np.zeros((3, 2, 1, 1)))
    ours = load_poses.from_numpy(np.zeros((3, 2, 1, 1)))
    assert ours.attrs["source_software"] is theirs.attrs["source_software"] is None
    boxes = load_bboxes.from_numpy(np.zeros((3, 2, 1)), np.ones((3, 2, 1)))
    theirs_boxes = mv_load_bboxes.from_numpy(np.zeros((3, 2, 1)), np.ones((3, 2, 1)))
    assert boxes.attrs["source_software"] is theirs_boxes.attrs["source_software"] is None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        for name in ("p.nc", "p.csv", "p.slp", "p.nwb", "p.h5"):
            posebridge.save(ours, tmp_path / name)
        posebridge.save(boxes, tmp_path / "b.nc")
        save_bboxes.to_via_tracks_file(boxes, tmp_path / "b.csv")
    xr.testing.assert_equal(posebridge.load(tmp_path / "p.nc").position, ours.position)
