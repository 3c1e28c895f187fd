"""SLEAP .slp: reading tables built here with h5py (the layout SLEAP documents), writing."""

from __future__ import annotations

import json
import re
import warnings
from pathlib import Path
from typing import Any

import h5py
import numpy as np
import pytest
import xarray as xr
from hypothesis import HealthCheck, given, settings

import posebridge
from _corpus import corpus_params, corpus_path
from posebridge import model
from posebridge._files import Peek
from posebridge._recorded_warnings import dropping_warnings
from posebridge.errors import FormatError, PoseBridgeError, SchemaError
from posebridge.formats import sleap
from posebridge.io import load_poses, save_poses
from strategies import poses_datasets

# The compound tables as SLEAP's hdf5.py and sleap-io's write_lfs define them.
FRAME_DT = np.dtype(
    [
        ("frame_id", "<u8"),
        ("video", "<u4"),
        ("frame_idx", "<u8"),
        ("instance_id_start", "<u8"),
        ("instance_id_end", "<u8"),
    ]
)
INSTANCE_FIELDS = [
    ("instance_id", "<i8"),
    ("instance_type", "u1"),
    ("frame_id", "<u8"),
    ("skeleton", "<u4"),
    ("track", "<i4"),
    ("from_predicted", "<i8"),
    ("score", "<f4"),
    ("point_id_start", "<u8"),
    ("point_id_end", "<u8"),
]
INSTANCE_DT = np.dtype([*INSTANCE_FIELDS, ("tracking_score", "<f4")])
INSTANCE_DT_1_1 = np.dtype(INSTANCE_FIELDS)
POINT_DT = np.dtype([("x", "<f8"), ("y", "<f8"), ("visible", "?"), ("complete", "?")])
PRED_DT = np.dtype(
    [("x", "<f8"), ("y", "<f8"), ("visible", "?"), ("complete", "?"), ("score", "<f8")]
)
EDGE_TYPE = {"py/type": "sleap.skeleton.EdgeType"}


def reduce(kind: int) -> dict[str, Any]:
    return {"py/reduce": [EDGE_TYPE, {"py/tuple": [kind]}]}


def skeleton_json(
    nodes: list[str],
    global_nodes: list[str],
    links: list[tuple[str, str, dict[str, Any]]],
    name: str = "Skeleton-0",
    wrap: bool = False,
) -> dict[str, Any]:
    """A node-link skeleton indexing ``global_nodes``; ``links`` = (source, target, type)."""
    index = {n: i for i, n in enumerate(global_nodes)}
    graph = {
        "directed": True,
        "graph": {"name": name, "num_edges_inserted": len(links)},
        "links": [
            {"key": 0, "source": index[a], "target": index[b], "type": kind, **extra}
            for a, b, kind, extra in (
                (link[0], link[1], link[2], link[3] if len(link) > 3 else {}) for link in links
            )
        ],
        "multigraph": True,
        "nodes": [{"id": index[n]} for n in nodes],
    }
    if wrap:
        return {"description": None, "nx_graph": graph, "preview_image": None}
    return graph


class SlpBuilder:
    """Builds the tables of an .slp file instance by instance (in the test, not the library)."""

    def __init__(
        self,
        nodes: tuple[str, ...] = ("head", "thorax", "tail"),
        tracks: tuple[str, ...] = (),
        videos: list[dict[str, Any]] | None = None,
        format_id: float = 1.2,
    ) -> None:
        self.nodes = list(nodes)
        self.global_nodes = list(reversed(nodes))  # the global list is in another order
        self.tracks = list(tracks)
        self.videos = videos or [{"backend": {"filename": "video.mp4", "dataset": ""}}]
        self.format_id = format_id
        self.frames: list[tuple] = []
        self.instances: list[dict[str, Any]] = []
        self.skeletons = [
            skeleton_json(
                self.nodes,
                self.global_nodes,
                [(self.nodes[0], self.nodes[1], reduce(1))]
                + [
                    (a, b, {"py/id": 1})
                    for a, b in zip(self.nodes[1:], self.nodes[2:], strict=False)
                ],
            )
        ]

    def frame(self, frame_idx: int, instances: list[dict[str, Any]], video: int = 0) -> None:
        start = len(self.instances)
        for inst in instances:
            inst = dict(inst)
            inst.setdefault("track", -1)
            inst.setdefault("skeleton", 0)
            inst.setdefault("from_predicted", -1)
            inst["frame_id"] = len(self.frames)
            self.instances.append(inst)
        self.frames.append((len(self.frames), video, frame_idx, start, len(self.instances)))

    def tables(self) -> dict[str, np.ndarray]:
        frames = np.array(self.frames, dtype=FRAME_DT)
        dt = INSTANCE_DT if self.format_id >= 1.2 else INSTANCE_DT_1_1
        instances = np.zeros(len(self.instances), dtype=dt)
        points, pred_points = [], []
        for row, inst in enumerate(self.instances):
            xy = np.asarray(inst["xy"], dtype=float)
            visible = np.asarray(inst.get("visible", np.ones(len(xy), bool)))
            user = inst["kind"] == "user"
            table = points if user else pred_points
            start = len(table)
            for k, (x, y) in enumerate(xy):
                if user:
                    table.append((x, y, visible[k], True))
                else:
                    table.append((x, y, visible[k], False, inst["scores"][k]))
            instances[row]["instance_id"] = inst.get("instance_id", row)
            instances[row]["instance_type"] = 0 if user else 1
            instances[row]["frame_id"] = inst["frame_id"]
            instances[row]["skeleton"] = inst["skeleton"]
            instances[row]["track"] = inst["track"]
            instances[row]["from_predicted"] = inst["from_predicted"]
            instances[row]["score"] = np.nan if user else inst.get("score", 0.5)
            instances[row]["point_id_start"] = start
            instances[row]["point_id_end"] = len(table)
            if "tracking_score" in (dt.names or ()):
                instances[row]["tracking_score"] = inst.get("tracking", np.nan if user else 0.0)
        return {
            "frames": frames,
            "instances": instances,
            "points": np.array(points, dtype=POINT_DT),
            "pred_points": np.array(pred_points, dtype=PRED_DT),
        }

    def write(self, path: Path, drop: tuple[str, ...] = (), **extra: Any) -> Path:
        metadata = {
            "version": "2.0.0",
            "skeletons": self.skeletons,
            "nodes": [{"name": n, "weight": 1.0} for n in self.global_nodes],
            "videos": [],
            "tracks": [],
            "suggestions": [],
            "negative_anchors": {},
        }
        with h5py.File(path, "w") as h5:
            group = h5.create_group("metadata")
            group.attrs["format_id"] = extra.pop("format_id_attr", self.format_id)
            group.attrs["json"] = np.bytes_(json.dumps(metadata))
            strings = {
                "videos_json": [json.dumps(v) for v in self.videos],
                "tracks_json": [json.dumps([0, t]) for t in self.tracks],
                "suggestions_json": [],
            }
            for name, rows in strings.items():
                if rows:
                    h5.create_dataset(name, data=np.array([r.encode() for r in rows]))
                else:  # SLEAP stores an empty list as float64 with shape (0,)
                    h5.create_dataset(name, data=np.zeros(0), maxshape=(None,))
            for name, table in self.tables().items():
                if name not in drop:
                    h5.create_dataset(name, data=table, maxshape=(None,))
            for key, value in extra.items():
                h5.create_dataset(key, data=value)
        return path


def pred(xy, scores=None, track=-1, score=0.9, tracking=0.7, **kw) -> dict[str, Any]:
    xy = np.asarray(xy, dtype=float)
    if scores is None:
        scores = np.linspace(0.1, 0.3, len(xy))
    return {
        "kind": "pred",
        "xy": xy,
        "scores": scores,
        "track": track,
        "score": score,
        "tracking": tracking,
        **kw,
    }


def user(xy, track=-1, **kw) -> dict[str, Any]:
    return {"kind": "user", "xy": np.asarray(xy, dtype=float), "track": track, **kw}


def pts(seed: float, n: int = 3) -> np.ndarray:
    return np.arange(n * 2, dtype=float).reshape(n, 2) + seed


def quiet_read(path: Path, **options: Any) -> xr.Dataset:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return sleap.slp_read.read(path, **options)


# --------------------------------------------------------------------------
# reading


@pytest.fixture
def tracked_predictions(tmp_path) -> tuple[Path, SlpBuilder]:
    """Frames 10, 3 and 7 (stored out of order), tracks listed as B then A."""
    b = SlpBuilder(tracks=("B", "A"))
    b.frame(10, [pred(pts(1), track=1, score=0.8, tracking=0.4), pred(pts(2), track=0)])
    b.frame(3, [pred(pts(3), scores=[0.9, 0.8, 0.7], track=0, score=0.6, tracking=0.1)])
    b.frame(7, [pred(pts(4), track=1)])
    return b.write(tmp_path / "tracked.slp"), b


def test_tracks_become_individuals_in_tracks_json_order(tracked_predictions):
    path, _ = tracked_predictions
    ds = sleap.slp_read.read(path)
    assert ds.individual.values.tolist() == ["B", "A"]
    assert ds.keypoint.values.tolist() == ["head", "thorax", "tail"]  # skeleton order
    assert ds.time.values.tolist() == [3, 7, 10]  # real frame numbers, sorted, gaps kept
    assert ds.attrs["time_unit"] == "frames" and ds.attrs["source_software"] == "SLEAP"


def test_points_scores_and_instance_scores_land_on_their_frame_and_track(tracked_predictions):
    path, _ = tracked_predictions
    ds = sleap.slp_read.read(path)
    at = ds.sel(time=3, individual="B")
    np.testing.assert_array_equal(at.position.transpose("keypoint", "space").values, pts(3))
    np.testing.assert_array_equal(at.confidence.values, [0.9, 0.8, 0.7])
    assert at.instance_score.item() == pytest.approx(0.6)
    assert at.tracking_score.item() == pytest.approx(0.1)
    at = ds.sel(time=10, individual="A")
    np.testing.assert_array_equal(at.position.transpose("keypoint", "space").values, pts(1))
    assert at.instance_score.item() == pytest.approx(0.8)
    assert ds.position.sel(time=7, individual="B").isnull().all()
    assert ds.instance_score.sel(time=3, individual="A").isnull()


def test_skeleton_edges_are_read_from_global_node_indices(tracked_predictions):
    path, _ = tracked_predictions
    ds = sleap.slp_read.read(path)
    assert ds.skeleton_edges.values.tolist() == [["head", "thorax"], ["thorax", "tail"]]
    assert "skeleton_symmetries" not in ds


def test_netcdf_saves_a_read_dataset(tracked_predictions, tmp_path):
    path, _ = tracked_predictions
    ds = posebridge.load(path)
    ds.to_netcdf(tmp_path / "out.nc", engine="h5netcdf")


def test_user_instance_wins_over_prediction_on_the_same_track(tmp_path):
    b = SlpBuilder(tracks=("mouse",))
    b.frame(0, [pred(pts(1), track=0), user(pts(50), track=0)])
    b.frame(1, [pred(pts(2), track=0)])
    path = b.write(tmp_path / "mixed.slp")
    # the prediction is in no variable (the user instance was not made from it): warned of
    with pytest.warns(
        UserWarning, match=f"{re.escape(str(path))}: 1 prediction.* share a frame and track"
    ):
        default = sleap.slp_read.read(path)
    np.testing.assert_array_equal(default.position.isel(time=0, individual=0).values.T, pts(50))
    assert default.confidence.isel(time=0).isnull().all()  # user points have no score
    assert default.instance_score.isel(time=0).isnull().all()
    np.testing.assert_array_equal(default.position.isel(time=1, individual=0).values.T, pts(2))

    predicted = sleap.slp_read.read(path, instances="predicted")
    np.testing.assert_array_equal(predicted.position.isel(time=0, individual=0).values.T, pts(1))
    only_user = sleap.slp_read.read(
        path, instances="user"
    )  # the labelled frames (posebridge.labels)
    assert only_user.attrs["content"] == "labels"
    np.testing.assert_array_equal(only_user.position.isel(time=0, individual=0).values.T, pts(50))
    assert only_user.frame.values.tolist() == [0]  # frame 1 has no user instance: no label


def test_unknown_instances_option_is_refused(tracked_predictions):
    with pytest.raises(PoseBridgeError, match="prefer_user"):
        sleap.slp_read.read(tracked_predictions[0], instances="both")


def test_user_instance_replaces_the_prediction_it_was_made_from(tmp_path):
    b = SlpBuilder()
    b.frame(
        0,
        [
            pred(pts(1), instance_id=0),
            pred(pts(2), instance_id=1),
            user(pts(9), from_predicted=1, instance_id=2),
        ],
    )
    path = b.write(tmp_path / "linked.slp")
    with pytest.warns(UserWarning, match="no track"):
        ds = sleap.slp_read.read(path)
    assert ds.individual.values.tolist() == ["untracked_0", "untracked_1"]
    # user first, then the prediction it did not replace
    np.testing.assert_array_equal(ds.position.sel(individual="untracked_0").values[0].T, pts(9))
    np.testing.assert_array_equal(ds.position.sel(individual="untracked_1").values[0].T, pts(1))


def _proofread_slp(path: Path) -> Path:
    """A file sleap-io writes: in frame 0 the user instance made from prediction A was put
    on track B; in frame 1 it was left without a track; in frame 2 it stayed on A."""
    sio = pytest.importorskip("sleap_io")
    skeleton = sio.Skeleton(["a", "b"])
    video = sio.Video(filename="/data/v.mp4", open_backend=False)
    track_a, track_b = sio.Track("A"), sio.Track("B")
    frames = []
    for frame, user_track in enumerate([track_b, None, track_a]):
        made = {
            name: sio.PredictedInstance.from_numpy(
                points_data=pts(10 * frame + offset, 2),
                point_scores=np.array([0.9, 0.8]),
                score=0.7,
                skeleton=skeleton,
                track=track,
            )
            for name, track, offset in (("A", track_a, 1), ("B", track_b, 5))
        }
        proofread = sio.Instance.from_numpy(pts(100 + frame, 2), skeleton=skeleton)
        proofread.track, proofread.from_predicted = user_track, made["A"]
        frames.append(
            sio.LabeledFrame(
                video=video, frame_idx=frame, instances=[made["A"], made["B"], proofread]
            )
        )
    labels = sio.Labels(
        labeled_frames=frames, videos=[video], skeletons=[skeleton], tracks=[track_a, track_b]
    )
    sio.save_slp(labels, str(path))
    return path


def test_prefer_user_replaces_a_tracked_prediction_by_a_user_instance_of_its_track_only(
    tmp_path,
):
    sio = pytest.importorskip("sleap_io")
    path = _proofread_slp(tmp_path / "proofread.slp")
    with dropping_warnings(UserWarning):
        ours = sleap.slp_read.read(path, instances="prefer_user")
        lazy = posebridge.open_dataset(path, chunks=1, instances="prefer_user").load()
        theirs = sio.load_slp(str(path), open_videos=False).numpy()  # (frame, track, node, xy)
    assert ours.time.values.tolist() == [0, 1, 2]
    tracked = ours.position.sel(individual=["A", "B"]).transpose(
        "time", "individual", "keypoint", "space"
    )
    np.testing.assert_array_equal(tracked.values, theirs)
    # frame 0: A keeps its prediction, B holds the user instance (placed there by the user)
    np.testing.assert_array_equal(tracked.values[0, 0], pts(1, 2))
    np.testing.assert_array_equal(tracked.values[0, 1], pts(100, 2))
    # frame 1: the untracked user instance does not take A's prediction away
    np.testing.assert_array_equal(tracked.values[1, 0], pts(11, 2))
    np.testing.assert_array_equal(
        ours.position.sel(time=1, individual="untracked_0").transpose("keypoint", "space"),
        pts(101, 2),
    )
    # the lazy reader makes the same choice
    xr.testing.assert_identical(lazy.position, ours.position)


def test_untracked_instances_are_ranked_within_each_frame(tmp_path):
    b = SlpBuilder(tracks=("t0",))
    b.frame(0, [pred(pts(1)), pred(pts(2), track=0), pred(pts(3))])
    b.frame(5, [pred(pts(4))])
    path = b.write(tmp_path / "untracked.slp")
    with pytest.warns(UserWarning, match="untracked_0..untracked_1"):
        ds = sleap.slp_read.read(path)
    assert ds.individual.values.tolist() == ["t0", "untracked_0", "untracked_1"]
    np.testing.assert_array_equal(
        ds.position.sel(time=0, individual="untracked_1").values.T, pts(3)
    )
    np.testing.assert_array_equal(
        ds.position.sel(time=5, individual="untracked_0").values.T, pts(4)
    )
    assert ds.position.sel(time=5, individual="untracked_1").isnull().all()


def test_tracks_sharing_a_name_are_renamed_with_a_warning(tmp_path):
    b = SlpBuilder(tracks=("m", "m", "m_2"))
    b.frame(0, [pred(pts(1), track=0), pred(pts(2), track=1), pred(pts(3), track=2)])
    with pytest.warns(UserWarning, match="share a name"):
        ds = sleap.slp_read.read(b.write(tmp_path / "same_names.slp"))
    assert ds.individual.values.tolist() == ["m", "m_2", "m_2_2"]
    np.testing.assert_array_equal(ds.position.sel(individual="m_2").values[0].T, pts(2))


def test_two_instances_of_one_track_keep_the_last_with_a_warning(tmp_path):
    b = SlpBuilder(tracks=("t0",))
    b.frame(0, [pred(pts(1), track=0), pred(pts(2), track=0)])
    path = b.write(tmp_path / "dupes.slp")
    with pytest.warns(UserWarning, match="1 instance"):
        ds = sleap.slp_read.read(path)
    np.testing.assert_array_equal(ds.position.isel(time=0, individual=0).values.T, pts(2))


def test_nan_points_flagged_visible_and_invisible_points_are_missing(tmp_path):
    b = SlpBuilder(tracks=("t",))
    xy = pts(1)
    xy[0] = np.nan  # NaN but flagged visible, as in centered_pair
    b.frame(0, [pred(xy, track=0, visible=[True, False, True])])
    ds = sleap.slp_read.read(b.write(tmp_path / "nan.slp"))
    position = ds.position.isel(time=0, individual=0).transpose("keypoint", "space").values
    assert np.isnan(position[:2]).all()  # NaN-visible and invisible (with coordinates)
    np.testing.assert_array_equal(position[2], xy[2])


def _sleap_io_points(path: Path) -> list[tuple[str, list]]:
    """What sleap-io reads: (instance type, points as numpy() gives them) per instance."""
    sio = pytest.importorskip("sleap_io")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        frames = sio.load_slp(str(path), open_videos=False).labeled_frames
    return [(type(i).__name__, i.numpy().tolist()) for f in frames for i in f.instances]


HALF = np.array([[152.5, np.nan], [np.nan, 7.25], [np.nan, np.nan], [1.0, 2.0]])


@pytest.mark.parametrize("kind", ["user", "predicted"])
def test_a_visible_point_with_one_nan_coordinate_keeps_the_other_on_read(kind, tmp_path):
    b = SlpBuilder(nodes=("a", "b", "c", "d"), tracks=("t",))
    made = user if kind == "user" else pred
    b.frame(0, [made(HALF, track=0, visible=[True, True, True, True])])
    path = b.write(tmp_path / "half.slp")
    ds = quiet_read(path, instances="prefer_user")
    position = ds.position.isel(time=0, individual=0).transpose("keypoint", "space").values
    np.testing.assert_array_equal(position, HALF)
    # as sleap-io reads the same file
    [(_, theirs)] = _sleap_io_points(path)
    np.testing.assert_array_equal(np.array(theirs), HALF)
    # the lazy reader agrees
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        lazy = posebridge.open_dataset(path, chunks=1, instances="prefer_user")
    np.testing.assert_array_equal(lazy.position.values, ds.position.values)


def test_a_user_point_not_visible_with_one_coordinate_is_a_hidden_label(tmp_path):
    b = SlpBuilder(nodes=("a", "b", "c", "d"), tracks=("t",))
    b.frame(0, [user(HALF, track=0, visible=[False, False, True, True])])  # complete=True
    path = b.write(tmp_path / "hidden_half.slp")
    ds = quiet_read(path, instances="user")  # labels
    position = ds.position.isel(time=0, individual=0).transpose("keypoint", "space").values
    expected = HALF.copy()
    expected[:2] = np.nan  # flagged not visible: no point, whatever the coordinates
    np.testing.assert_array_equal(position, expected)
    assert ds.visible.isel(time=0, individual=0).values.tolist()[:2] == [0, 0]
    [(_, theirs)] = _sleap_io_points(path)
    np.testing.assert_array_equal(np.array(theirs), expected)


@pytest.mark.parametrize("kind", ["user", "predicted"])
def test_a_point_with_one_nan_coordinate_is_written_visible_with_the_other(kind, tmp_path):
    position = HALF.T[None, :, :, None]  # (time, space, keypoint, individual)
    confidence = None if kind == "user" else np.full((1, 4, 1), 0.5)
    ds = posebridge.from_numpy(position, confidence, individual_names=["t"])
    path = tmp_path / "half_written.slp"
    sleap.slp_write.write(ds, path)
    with h5py.File(path, "r") as h5:
        table = h5["points" if kind == "user" else "pred_points"][:]
    np.testing.assert_array_equal(np.stack([table["x"], table["y"]], axis=1), HALF)
    assert table["visible"].tolist() == [True, True, False, True]  # any finite coordinate
    [(kind_read, theirs)] = _sleap_io_points(path)
    assert kind_read == ("Instance" if kind == "user" else "PredictedInstance")
    np.testing.assert_array_equal(np.array(theirs), HALF)
    back = quiet_read(path, instances="prefer_user")
    np.testing.assert_array_equal(back.position.values, ds.position.values)


@pytest.mark.parametrize("bad", [-7, -2, 2, 9])
@pytest.mark.parametrize("kind", ["user", "predicted"])
def test_a_track_index_out_of_range_is_named_in_the_error(bad, kind, tmp_path):
    b = SlpBuilder(tracks=("t0", "t1"))
    made = user if kind == "user" else pred
    b.frame(0, [made(pts(1), track=0), made(pts(2), track=bad), made(pts(3), track=-1)])
    path = b.write(tmp_path / "bad_track.slp")
    for instances in ("auto", "user", "prefer_user", "predicted"):
        if kind == "predicted" and instances == "user":
            continue  # no user instance to read
        with pytest.raises(FormatError, match=rf"refers to track {bad},.* lists 2 tracks"):
            quiet_read(path, instances=instances)


def test_format_1_0_shifts_user_points_by_half_a_pixel_as_sleap_does(tmp_path):
    b = SlpBuilder(tracks=("a", "b"), format_id=1.0)
    b.frame(0, [user(pts(10), track=0), pred(pts(20), track=1)])
    path = b.write(tmp_path / "legacy.slp", format_id_attr=np.int32(1))
    ds = sleap.slp_read.read(path)
    np.testing.assert_array_equal(ds.position.sel(individual="a").values[0].T, pts(10) - 0.5)
    np.testing.assert_array_equal(ds.position.sel(individual="b").values[0].T, pts(20))
    assert "tracking_score" not in ds  # the column came with format 1.2


def test_format_1_1_has_no_tracking_score(tmp_path):
    b = SlpBuilder(tracks=("a",), format_id=1.1)
    b.frame(2, [pred(pts(1), track=0)])
    ds = sleap.slp_read.read(b.write(tmp_path / "v11.slp"))
    assert "tracking_score" not in ds
    np.testing.assert_array_equal(ds.position.values[0, :, :, 0].T, pts(1))  # no shift


def test_format_id_3_is_refused(tmp_path):
    b = SlpBuilder()
    b.frame(0, [pred(pts(1))])
    path = b.write(tmp_path / "future.slp", format_id_attr=3.0)
    with pytest.raises(FormatError, match=r"future\.slp.*format 3"):
        sleap.slp_read.read(path)


def test_empty_string_datasets_stored_as_float64_are_read(tmp_path):
    b = SlpBuilder()  # no tracks: tracks_json is float64 (0,)
    b.frame(0, [user(pts(1))])
    path = b.write(tmp_path / "empty.slp")
    with h5py.File(path) as h5:
        assert h5["tracks_json"].dtype == np.float64
    with pytest.warns(UserWarning):
        ds = sleap.slp_read.read(path, instances="prefer_user")
    assert ds.individual.values.tolist() == ["untracked_0"]


def test_file_without_frames_gives_an_empty_dataset(tmp_path):
    ds = sleap.slp_read.read(SlpBuilder(tracks=("a",)).write(tmp_path / "skeleton_only.slp"))
    assert ds.sizes["time"] == 0
    assert ds.keypoint.values.tolist() == ["head", "thorax", "tail"]


# skeleton JSON ---------------------------------------------------------------


def test_py_id_counts_reduce_objects_in_order_of_appearance(tmp_path):
    b = SlpBuilder(nodes=("a", "b", "c", "d"))
    # the first py/reduce is a symmetry: py/id 1 then means "symmetry", not "edge"
    links = [
        ("b", "c", reduce(2)),
        ("a", "b", reduce(1)),
        ("c", "b", {"py/id": 1}),
        ("c", "d", {"py/id": 2}),
    ]
    b.skeletons = [skeleton_json(b.nodes, b.global_nodes, links, wrap=True)]
    b.frame(0, [pred(pts(1, 4))])
    ds = quiet_read(b.write(tmp_path / "pyid.slp"))
    assert ds.skeleton_edges.values.tolist() == [["a", "b"], ["c", "d"]]
    assert ds.skeleton_symmetries.values.tolist() == [["b", "c"]]  # both directions, once


def test_py_id_without_any_reduce_uses_the_id_as_edge_type(tmp_path):
    b = SlpBuilder(nodes=("a", "b", "c"))
    links = [("a", "b", {"py/id": 1}), ("b", "c", {"py/id": 2})]
    b.skeletons = [skeleton_json(b.nodes, b.global_nodes, links)]
    b.frame(0, [pred(pts(1))])
    ds = quiet_read(b.write(tmp_path / "reduce.slp"))
    assert ds.skeleton_edges.values.tolist() == [["a", "b"]]
    assert ds.skeleton_symmetries.values.tolist() == [["b", "c"]]


def test_edges_follow_the_links_order_as_sleap_io_lists_them(tmp_path):
    # edge_insert_idx says b-c came after a-b; the links list b-c first, and so does sleap-io
    b = SlpBuilder(nodes=("a", "b", "c"))
    links = [
        ("b", "c", reduce(1), {"edge_insert_idx": 5}),
        ("a", "b", {"py/id": 1}, {"edge_insert_idx": 2}),
    ]
    b.skeletons = [skeleton_json(b.nodes, b.global_nodes, links)]
    b.frame(0, [pred(pts(1))])
    path = b.write(tmp_path / "order.slp")
    ds = quiet_read(path)
    assert ds.skeleton_edges.values.tolist() == [["b", "c"], ["a", "b"]]
    sio = pytest.importorskip("sleap_io")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = sio.load_slp(str(path), open_videos=False).skeletons[0].edge_names
    assert [list(pair) for pair in theirs] == ds.skeleton_edges.values.tolist()


@pytest.mark.parametrize("path", corpus_params("sleap_slp", "*.slp"))
def test_corpus_edges_are_sleap_ios_and_survive_our_round_trip(path, tmp_path):
    sio = pytest.importorskip("sleap_io")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = sio.load_slp(str(path), open_videos=False).skeletons[0].edge_names
        ds = posebridge.load(path, video=0)
    expected = [list(pair) for pair in theirs]
    ours = ds.skeleton_edges.values.tolist() if "skeleton_edges" in ds else []
    assert ours == expected
    out = tmp_path / "again.slp"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        posebridge.save(ds, out)
        again = sio.load_slp(str(out), open_videos=False).skeletons[0].edge_names
    assert [list(pair) for pair in again] == expected


def test_corpus_dlc_point_with_x_only_keeps_x_in_slp(tmp_path):
    source = corpus_path(
        "dlc_multi/m3v1mp4shortDLC_effnet_b0_multi_mouseApr12shuffle1_5_el_filtered.csv"
    )
    ds = posebridge.load(source)
    x = ds.position.sel(space="x").values
    y = ds.position.sel(space="y").values
    half = np.isfinite(x) & np.isnan(y)
    assert half.any()  # the file has cells like "246.434,,"
    out = tmp_path / "dlc.slp"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        posebridge.save(ds, out)
    back = quiet_read(out, instances="prefer_user").sel(individual=ds.individual)
    np.testing.assert_array_equal(back.position.sel(space="x").values[half], x[half])
    assert np.isnan(back.position.sel(space="y").values[half]).all()
    # sleap-io sees the x of every such point
    sio = pytest.importorskip("sleap_io")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        frames = sio.load_slp(str(out), open_videos=False).labeled_frames
    row_of = {int(t): k for k, t in enumerate(ds.time.values)}
    column_of = {str(name): k for k, name in enumerate(ds.individual.values)}
    theirs_x = np.full(x.shape, np.nan)
    for frame in frames:
        for instance in frame.instances:
            theirs_x[row_of[frame.frame_idx], :, column_of[instance.track.name]] = (
                instance.numpy()[:, 0]
            )
    np.testing.assert_array_equal(theirs_x[half], x[half])


def test_several_skeletons_need_a_choice(tmp_path):
    b = SlpBuilder(nodes=("a", "b"))
    b.global_nodes = ["a", "b", "x"]
    b.skeletons = [
        skeleton_json(["a", "b"], b.global_nodes, [], name="first"),
        skeleton_json(["x"], b.global_nodes, [], name="second"),
    ]
    b.frame(0, [pred(pts(1, 2), skeleton=0), pred(pts(5, 1), skeleton=1, scores=[0.5])])
    path = b.write(tmp_path / "two_skeletons.slp")
    with pytest.raises(FormatError, match="skeleton=<index or name>"):
        quiet_read(path)
    second = quiet_read(path, skeleton="second")
    assert second.keypoint.values.tolist() == ["x"]
    np.testing.assert_array_equal(second.position.values[0, :, 0, 0], [5, 6])
    assert quiet_read(path, skeleton=0).keypoint.values.tolist() == ["a", "b"]


@pytest.mark.parametrize("choice", [None, 0])
@pytest.mark.parametrize("kind", ["pred", "user"])
def test_an_instance_naming_a_skeleton_the_file_lacks_is_refused_naming_it(tmp_path, choice, kind):
    """h117 #5: a file of one skeleton where one instance names skeleton 5 was refused as
    using '2 skeletons' (listing one), and skeleton=0 left that instance out silently."""
    make = pred if kind == "pred" else user
    b = SlpBuilder(tracks=("t1", "t2"))
    b.frame(2, [make(pts(1), track=0, skeleton=5), make(pts(2), track=1)])
    b.frame(4, [make(pts(3), track=0)])
    path = b.write(tmp_path / "bad_skeleton.slp")
    with pytest.raises(
        FormatError, match=r"bad_skeleton\.slp: /instances refers to skeleton\(s\) \[5\]"
    ):
        quiet_read(path, skeleton=choice)


def test_several_missing_skeletons_are_all_named(tmp_path):
    b = SlpBuilder()
    b.frame(0, [pred(pts(1), skeleton=3), pred(pts(2), skeleton=7), pred(pts(3))])
    with pytest.raises(FormatError, match=r"skeleton\(s\) \[3, 7\].*0: Skeleton-0"):
        quiet_read(b.write(tmp_path / "bad.slp"))


@pytest.mark.parametrize("kind", ["pred", "user"])
def test_unknown_instance_types_are_named_alone_with_sleaps_types(tmp_path, kind):
    """h117 #6: one instance of type 7 among predictions gave 'unknown instance types [1 7]'."""
    make = pred if kind == "pred" else user
    b = SlpBuilder(tracks=("t1",))
    b.frame(2, [make(pts(1), track=0)])
    b.frame(4, [make(pts(2), track=0)])
    path = b.write(tmp_path / "bad_type.slp")
    with h5py.File(path, "r+") as h5:
        rows = h5["instances"][()]
        rows["instance_type"][0] = 7
        h5["instances"][...] = rows
    with pytest.raises(FormatError) as error:
        quiet_read(path)
    message = str(error.value)
    assert "unknown instance type(s) [7] (1 of its 2 rows)" in message
    assert "0 = user, 1 = predicted" in message


# videos ----------------------------------------------------------------------


@pytest.fixture
def two_videos(tmp_path) -> Path:
    videos = [
        {"backend": {"filename": "C:\\data\\cam_left.mp4", "dataset": ""}},
        {"backend": {"filename": "/data/cam_right.mp4", "shape": [100, 480, 640, 1]}},
    ]
    b = SlpBuilder(tracks=("a",), videos=videos)
    b.frame(0, [pred(pts(1), track=0)], video=0)
    b.frame(4, [pred(pts(2), track=0)], video=1)
    b.frame(5, [pred(pts(3), track=0)], video=1)
    return b.write(tmp_path / "two_videos.slp")


def test_several_videos_without_a_choice_raise_listing_them(two_videos):
    with pytest.raises(FormatError, match=r"2 videos.*cam_left.*cam_right.*video=") as error:
        sleap.slp_read.read(two_videos)
    assert "read_all_videos" in str(error.value)


@pytest.mark.parametrize("choice", [1, "/data/cam_right.mp4", "cam_right.mp4"])
def test_video_is_picked_by_index_path_or_file_name(two_videos, choice):
    ds = sleap.slp_read.read(two_videos, video=choice)
    assert ds.time.values.tolist() == [4, 5]
    assert ds.attrs["video_path"] == "/data/cam_right.mp4"
    assert (ds.attrs["video_width"], ds.attrs["video_height"]) == (640, 480)


def test_windows_video_path_is_matched_and_given_with_forward_slashes(two_videos):
    """As sleap-io reads it and as labels give it (it kept the backslashes, which sleap-io
    then took for one file name on POSIX)."""
    ds = sleap.slp_read.read(two_videos, video="C:/data/cam_left.mp4")
    assert ds.attrs["video_path"] == "C:/data/cam_left.mp4"
    assert sleap.slp_read.read(two_videos, video="C:\\data\\cam_left.mp4").attrs["video_path"] == (
        "C:/data/cam_left.mp4"
    )
    with pytest.raises(FormatError, match="no single video"):
        sleap.slp_read.read(two_videos, video="other.mp4")
    with pytest.raises(FormatError, match="out of range"):
        sleap.slp_read.read(two_videos, video=2)


def test_read_all_videos_returns_every_video(two_videos):
    datasets = sleap.read_all_videos(two_videos, fps=10)
    assert [ds.attrs["video_path"] for ds in datasets] == [
        "C:/data/cam_left.mp4",
        "/data/cam_right.mp4",
    ]
    assert [ds.frame.values.tolist() for ds in datasets] == [[0], [4, 5]]
    assert datasets[1].time.values.tolist() == [0.4, 0.5]


def test_video_without_poses_does_not_need_a_choice(tmp_path):
    videos = [{"backend": {"filename": "a.mp4"}}, {"backend": {"filename": "b.mp4"}}]
    b = SlpBuilder(tracks=("a",), videos=videos)
    b.frame(3, [pred(pts(1), track=0)], video=1)
    ds = sleap.slp_read.read(b.write(tmp_path / "one_used.slp"))
    assert ds.attrs["video_path"] == "b.mp4"


def test_embedded_video_ids_are_remapped_and_source_video_kept(tmp_path):
    # sleap-io may store N of "videoN/video" in frames.video instead of the list index
    videos = [{"backend": {"filename": ".", "dataset": "video7/video"}}]
    b = SlpBuilder(tracks=("a",), videos=videos)
    b.frame(2, [pred(pts(1), track=0)], video=7)
    path = b.write(tmp_path / "labels.pkg.slp")
    with h5py.File(path, "a") as h5:
        frames = h5.create_dataset("video7/video", data=np.zeros((1, 8), dtype=np.int8))
        frames.attrs.update(height=240, width=320, format="png")
        source = h5.create_group("video7/source_video")
        source.attrs["json"] = json.dumps({"backend": {"filename": "orig/session.mp4"}})
    ds = sleap.slp_read.read(path)
    assert ds.time.values.tolist() == [2]
    assert ds.attrs["video_path"] == "orig/session.mp4"
    assert (ds.attrs["video_width"], ds.attrs["video_height"]) == (320, 240)


def test_image_sequence_video_gives_its_first_image_and_size(tmp_path):
    videos = [
        {
            "backend": {
                "filename": "img/0.jpg",
                "filenames": ["img/0.jpg", "img/1.jpg"],
                "height_": 320,
                "width_": 560,
            }
        }
    ]
    b = SlpBuilder(videos=videos)
    b.frame(1, [user(pts(1))])
    ds = quiet_read(b.write(tmp_path / "images.slp"), instances="prefer_user")
    assert ds.attrs["video_path"] == "img/0.jpg"
    assert (ds.attrs["video_width"], ds.attrs["video_height"]) == (560, 320)


# bad input -------------------------------------------------------------------


@pytest.mark.parametrize("table", ["frames", "instances", "points", "pred_points"])
def test_missing_table_names_the_file_and_table(tmp_path, table):
    b = SlpBuilder(tracks=("a",))
    b.frame(0, [pred(pts(1), track=0)])
    path = b.write(tmp_path / "missing.slp", drop=(table,))
    with pytest.raises(FormatError, match=rf"missing\.slp.*/{table}"):
        posebridge.load(path, format="slp")


def test_missing_column_is_named(tmp_path):
    path = tmp_path / "columns.slp"
    SlpBuilder().write(path)
    with h5py.File(path, "a") as h5:
        del h5["instances"]
        h5.create_dataset("instances", data=np.zeros(0, dtype=[("instance_id", "<i8")]))
    with pytest.raises(FormatError, match="instance_type"):
        sleap.slp_read.read(path)


def test_point_ranges_outside_the_table_are_refused(tmp_path):
    b = SlpBuilder(tracks=("a",))
    b.frame(0, [pred(pts(1), track=0)])
    path = b.write(tmp_path / "ranges.slp")
    with h5py.File(path, "a") as h5:
        rows = h5["instances"][()]
        rows["point_id_start"] += 100
        rows["point_id_end"] += 100
        h5["instances"][...] = rows
    with pytest.raises(FormatError, match="outside the /pred_points"):
        sleap.slp_read.read(path)


@pytest.mark.parametrize("kind", [pred, user])
def test_frames_whose_instance_ranges_overlap_are_refused(tmp_path, kind):
    """Found by fuzzing: a frame's instance_id_start moved back claimed the instances of the
    frames before it, which a labels read gave as extra animals of that frame."""
    b = SlpBuilder()
    for frame in (0, 1, 2):
        b.frame(frame, [kind(pts(frame))])
    path = b.write(tmp_path / "overlap.slp")
    with h5py.File(path, "a") as h5:
        rows = h5["frames"][()]
        rows["instance_id_start"][2] = 0
        h5["frames"][...] = rows
    for read in (posebridge.load, posebridge.open_dataset):
        with pytest.raises(FormatError, match=r"overlap\.slp: /frames: the instance ranges"):
            read(path).load()


@pytest.mark.parametrize("content", [b"\x89HDF\r\n\x1a\n" + b"\0" * 40])
def test_hdf5_signature_without_a_file_raises_naming_it(tmp_path, content):
    path = tmp_path / "broken.slp"
    path.write_bytes(content)
    with pytest.raises(PoseBridgeError, match="broken.slp"):
        posebridge.load(path, format="slp")


def test_hdf5_file_that_is_not_sleap_is_refused(tmp_path):
    path = tmp_path / "other.slp"
    with h5py.File(path, "w") as h5:
        h5["data"] = np.arange(3)
    with pytest.raises(FormatError, match=r"other\.slp.*not a SLEAP"):
        sleap.slp_read.read(path)
    assert not sleap.sniff_slp(Peek(path))


@pytest.mark.parametrize("member", ["tracks_json", "videos_json"])
def test_a_json_member_that_is_a_group_is_refused(tracked_predictions, member):
    """A damaged object header can turn a JSON string dataset into a group."""
    path, _ = tracked_predictions
    with h5py.File(path, "r+") as h5:
        del h5[member]
        h5.create_group(member)
    for read in (posebridge.load, posebridge.open_dataset):
        with pytest.raises(FormatError, match=rf"tracked\.slp: /{member} is a group"):
            read(path)


@pytest.mark.parametrize(
    ("place", "value"),
    [
        ((), 7),  # the whole metadata JSON a number, not an object
        ((), ["skeletons"]),
        (("skeletons",), 5),
        (("skeletons", 0, "nodes"), "x"),
        (("skeletons", 0, "links"), "x"),
        (("skeletons", 0, "graph"), 5),
        (("skeletons", 0, "links", 0), None),
    ],
    ids=lambda v: repr(v),
)
def test_a_metadata_json_value_of_the_wrong_kind_is_a_format_error(
    tracked_predictions, place, value
):
    path, _ = tracked_predictions
    with h5py.File(path, "r+") as h5:
        metadata = json.loads(h5["metadata"].attrs["json"])
        if place:
            node = metadata
            for key in place[:-1]:
                node = node[key]
            node[place[-1]] = value
        else:
            metadata = value
        h5["metadata"].attrs["json"] = np.bytes_(json.dumps(metadata))
    for read in (posebridge.load, posebridge.open_dataset):
        with pytest.raises(
            FormatError, match=r"tracked\.slp: has an unreadable skeleton"
        ) as caught:
            read(path)
        assert "This is a posebridge error" not in str(caught.value)


# describe ---------------------------------------------------------------------


def test_describe_lists_videos_tracks_skeleton_and_counts(two_videos):
    info = sleap.slp_read.describe(two_videos)
    text = "\n".join(f"{k}: {v}" for k, v in info)
    assert "format_id 1.2" in text
    assert "[1] /data/cam_right.mp4 (video, 640x480): 2 frames" in text
    assert "tracks: 1: a" in text
    assert "0 user, 3 predicted (0 without a track)" in text
    assert "nodes: head, thorax, tail" in text and "edges: head-thorax, thorax-tail" in text


# --------------------------------------------------------------------------
# writing


def dataset_with_extras() -> xr.Dataset:
    rng = np.random.default_rng(3)
    position = rng.uniform(0, 400, (6, 2, 3, 2))
    confidence = rng.uniform(0, 1, (6, 3, 2))
    position[2, :, 1, 0] = np.nan  # a missing point
    confidence[2, 1, 0] = np.nan
    position[4, :, :, 1] = np.nan  # an absent instance
    confidence[4, :, 1] = np.nan
    ds = model.from_numpy(position, confidence, ["m1", "m2"], ["nose", "ear_l", "ear_r"])
    ds = ds.assign_coords(time=[0, 1, 2, 10, 11, 12])
    ds["instance_score"] = (("time", "individual"), rng.uniform(0, 1, (6, 2)).astype(np.float32))
    ds["instance_score"][4, 1] = np.nan
    ds["tracking_score"] = (("time", "individual"), rng.uniform(0, 1, (6, 2)).astype(np.float32))
    ds["tracking_score"][4, 1] = np.nan
    ds["skeleton_edges"] = (
        ("edge", "edge_node"),
        np.array([["nose", "ear_l"], ["nose", "ear_r"]]),
    )
    ds["skeleton_symmetries"] = (("symmetry", "edge_node"), np.array([["ear_l", "ear_r"]]))
    ds.attrs.update(
        source_software="SLEAP", video_path="/v/a.mp4", video_width=640, video_height=480
    )
    return ds


def test_written_file_reads_back_identically(tmp_path):
    ds = dataset_with_extras()
    path = tmp_path / "out.slp"
    assert sleap.slp_write.write(ds, path) == [path]
    xr.testing.assert_identical(sleap.slp_read.read(path), ds)


def test_written_tables_have_sleap_layout(tmp_path):
    path = tmp_path / "layout.slp"
    sleap.slp_write.write(dataset_with_extras(), path)
    with h5py.File(path) as h5:
        assert h5["metadata"].attrs["format_id"] == 1.2
        assert isinstance(h5["metadata"].attrs["json"], bytes)
        assert h5["frames"].dtype == FRAME_DT
        assert h5["instances"].dtype == INSTANCE_DT
        assert h5["points"].dtype == POINT_DT and h5["pred_points"].dtype == PRED_DT
        assert h5["tracks_json"].dtype.kind == "S"
        assert [json.loads(r) for r in h5["tracks_json"][()]] == [[0, "m1"], [0, "m2"]]
        frames = h5["frames"][()]
        instances = h5["instances"][()]
        pred_points = h5["pred_points"][()]
        video = json.loads(h5["videos_json"][0])["backend"]
    assert frames["frame_idx"].tolist() == [0, 1, 2, 10, 11, 12]
    assert len(instances) == 11  # 12 cells, one absent
    assert (instances["instance_type"] == 1).all()  # confidence present -> predicted
    third = instances[instances["frame_id"] == 2][0]
    rows = pred_points[third["point_id_start"] : third["point_id_end"]]
    assert rows["visible"].tolist() == [True, False, True]
    assert np.isnan(rows["x"][1])
    assert video["filename"] == "/v/a.mp4" and video["shape"][1:3] == [480, 640]


def test_dataset_without_scores_is_written_as_user_instances(tmp_path):
    position = np.arange(24, dtype=float).reshape(3, 2, 2, 2)
    ds = model.from_numpy(position, individual_names=["a", "b"], keypoint_names=["p", "q"])
    path = tmp_path / "labels.slp"
    sleap.slp_write.write(ds, path)
    with h5py.File(path) as h5:
        assert (h5["instances"]["instance_type"] == 0).all()
        assert np.isnan(h5["instances"]["score"]).all()
        assert h5["pred_points"].shape == (0,)
    back = sleap.slp_read.read(path)
    np.testing.assert_array_equal(back.position.values, position)
    assert "instance_score" not in back and back.confidence.isnull().all()


def test_untracked_individuals_are_written_without_a_track(tmp_path):
    position = np.arange(16, dtype=float).reshape(2, 2, 2, 2)
    ds = model.from_numpy(position, np.ones((2, 2, 2)), ["t", "untracked_0"], ["p", "q"])
    path = tmp_path / "untracked.slp"
    sleap.slp_write.write(ds, path)
    with h5py.File(path) as h5:
        assert h5["instances"]["track"].tolist() == [0, -1, 0, -1]
        assert h5["tracks_json"].shape == (1,)
    with pytest.warns(UserWarning, match="no track"):
        back = sleap.slp_read.read(path)
    xr.testing.assert_equal(back.position, ds.position)


def test_time_in_seconds_is_written_as_frame_numbers(tmp_path):
    ds = model.with_fps(dataset_with_extras(), 25.0)
    path = tmp_path / "seconds.slp"
    sleap.slp_write.write(ds, path)
    assert sleap.slp_read.read(path).time.values.tolist() == [0, 1, 2, 10, 11, 12]


def test_seconds_without_frames_are_refused(tmp_path):
    ds = dataset_with_extras().assign_coords(time=np.array([0.0, 0.5, 1.0, 2.0, 3.0, 4.0]))
    ds.attrs["time_unit"] = "seconds"
    with pytest.raises(SchemaError, match="fps"):
        sleap.slp_write.write(ds, tmp_path / "x.slp")


def test_3d_poses_are_refused(tmp_path, poses_single_3d):
    with pytest.raises(SchemaError, match="2-D"):
        posebridge.save(poses_single_3d, tmp_path / "x.slp")


def test_writer_options(tmp_path):
    ds = dataset_with_extras()
    path = tmp_path / "opts.slp"
    sleap.slp_write.write(ds, path, video_path="other.mp4", format_id=1.4, skeleton_name="mouse")
    with h5py.File(path) as h5:
        assert h5["metadata"].attrs["format_id"] == 1.4
        assert json.loads(h5["metadata"].attrs["json"])["skeletons"][0]["graph"]["name"] == "mouse"
    assert sleap.slp_read.read(path).attrs["video_path"] == "other.mp4"
    with pytest.raises(PoseBridgeError, match="format_id"):
        sleap.slp_write.write(ds, tmp_path / "bad.slp", format_id=2.0)


def test_unknown_video_is_marked_and_read_back_as_none(tmp_path):
    ds = dataset_with_extras()
    for key in ("video_path", "video_width", "video_height"):
        del ds.attrs[key]
    path = tmp_path / "novideo.slp"
    sleap.slp_write.write(ds, path)
    with h5py.File(path) as h5:
        assert json.loads(h5["videos_json"][0])["backend"]["filename"] != ""
    assert "video_path" not in sleap.slp_read.read(path).attrs


def test_existing_file_is_kept_without_overwrite(tmp_path):
    path = tmp_path / "exists.slp"
    path.write_bytes(b"keep")
    with pytest.raises(FileExistsError):
        sleap.slp_write.write(dataset_with_extras(), path)
    assert path.read_bytes() == b"keep"
    sleap.slp_write.write(dataset_with_extras(), path, overwrite=True)
    assert sleap.sniff_slp(Peek(path))


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    ds=poses_datasets(n_space=(2,), max_time=8, max_keypoints=4, fps=False, nan_coordinates=True)
)
def test_round_trip_property(tmp_path, ds):
    path = tmp_path / "prop.slp"
    sleap.slp_write.write(ds, path, overwrite=True)
    back = sleap.slp_read.read(path)
    # every coordinate comes back, a lone one too; NaN confidence marks user instances
    np.testing.assert_array_equal(back.position.values, ds.position.values)
    if not np.isnan(ds.confidence.values).all():
        np.testing.assert_array_equal(back.confidence.values, ds.confidence.values)
    assert back.time.values.tolist() == ds.time.values.tolist()


# --------------------------------------------------------------------------
# registry, facade


def test_sleap_name_reads_an_slp_and_detect_tells_them_apart(tracked_predictions, tmp_path):
    path, _ = tracked_predictions
    assert posebridge.detect(path) == "slp"
    via_family = posebridge.load(path, format="SLEAP")
    xr.testing.assert_equal(via_family.position, sleap.slp_read.read(path).position)
    misnamed = tmp_path / "predictions.h5"
    misnamed.write_bytes(path.read_bytes())
    assert posebridge.detect(misnamed) == "slp"


def test_facade_passes_options(tmp_path):
    b = SlpBuilder(tracks=("m",))
    b.frame(0, [pred(pts(1), track=0), user(pts(7), track=0)])
    path = b.write(tmp_path / "facade.slp")
    ds = load_poses.from_sleap_file(path, fps=50, instances="predicted")
    assert ds.attrs["fps"] == 50.0 and ds.frame.values.tolist() == [0]
    np.testing.assert_array_equal(ds.position.isel(time=0, individual=0).values.T, pts(1))
    out = tmp_path / "facade_out.slp"
    assert save_poses.to_slp_file(ds, out) == [out]
    np.testing.assert_array_equal(sleap.slp_read.read(out).position.values, ds.position.values)


def _rewrite_tables(path: Path, target: Path, **dataset_options: Any) -> Path:
    """A copy of ``path`` whose compound tables are stored with other HDF5 options."""
    with h5py.File(path) as source, h5py.File(target, "w") as copy:
        for name in source:
            if name in ("frames", "instances", "points", "pred_points"):
                copy.create_dataset(name, data=source[name][()], **dataset_options)
            else:
                source.copy(source[name], copy, name)
    return target


@pytest.mark.parametrize(
    "options",
    [
        {"compression": "gzip", "chunks": True, "maxshape": (None,)},  # filtered: not raw
        {},  # contiguous storage
    ],
    ids=["gzip-chunks", "contiguous"],
)
def test_tables_stored_compressed_or_contiguous_read_the_same(tracked_predictions, options):
    path, _ = tracked_predictions
    other = _rewrite_tables(path, path.with_name("other.slp"), **options)
    xr.testing.assert_identical(quiet_read(other).drop_attrs(), quiet_read(path).drop_attrs())


def test_frame_numbers_beyond_int32_are_kept(tmp_path):
    big = 2**31 + 5
    b = SlpBuilder(tracks=("A",))
    b.frame(big, [pred(pts(1), track=0)])
    b.frame(3, [pred(pts(2), track=0)])
    ds = quiet_read(b.write(tmp_path / "big.slp"))
    assert ds.time.values.tolist() == [3, big]
    np.testing.assert_array_equal(ds.position.sel(time=big).values[..., 0].T, pts(1))


def test_a_video_path_that_is_not_a_path_is_refused(tmp_path, poses_two_mice_with_nan):
    """slp_write called directly (posebridge.save checks the option's kind first)."""
    with pytest.raises(SchemaError, match="video_path must be a file path"):
        sleap.slp_write.write(poses_two_mice_with_nan, tmp_path / "o.slp", video_path=[])
    assert not (tmp_path / "o.slp").exists()


@pytest.mark.parametrize("column", ["frame_idx", "instance_id_end"])
def test_a_frames_value_past_int64_is_refused_not_wrapped(tmp_path, column):
    """2**63 in SLEAP's unsigned columns wrapped to -2**63: time repeated, or rows lost."""
    ds = posebridge.from_numpy(np.ones((3, 2, 2, 1)), np.ones((3, 2, 1)), fps=None)
    path = tmp_path / "p.slp"
    posebridge.save(ds, path)
    with h5py.File(path, "r+") as h5:
        frames = h5["frames"][()]
        frames[column][-1] = 2**63
        h5["frames"][...] = frames
    for read in (posebridge.load, posebridge.open_dataset):
        with pytest.raises(FormatError, match=rf"p\.slp: /frames: column '{column}' holds 92"):
            read(path)


@pytest.mark.parametrize("width", [1e308, -640, "wide", 2.5])
def test_a_video_width_that_is_no_size_reads_as_unknown(tmp_path, width):
    """1e308 was taken as a 309-digit int, which NWB then failed to write (raw hdmf error)."""
    ds = posebridge.from_numpy(np.ones((2, 2, 1, 1)), np.ones((2, 1, 1)), fps=30)
    path = tmp_path / "p.slp"
    posebridge.save(ds.assign_attrs(video_width=640, video_height=480, video_path="v.mp4"), path)
    with h5py.File(path, "r+") as h5:
        video = json.loads(h5["videos_json"][0])
        video["backend"]["shape"][2] = width
        del h5["videos_json"]
        h5["videos_json"] = np.array([json.dumps(video).encode()])
    back = posebridge.load(path)
    assert "video_width" not in back.attrs and back.attrs["video_path"] == "v.mp4"
    posebridge.convert(path, tmp_path / "p.nwb", progress=False)


def _two_videos_two_skeletons(tmp_path: Path) -> Path:
    """An .slp of predictions on two videos, with a second skeleton on the first."""
    sio = pytest.importorskip("sleap_io")
    first = sio.Skeleton(["a", "b", "c"], name="sk")
    second = sio.Skeleton(["x", "y"], name="s2")
    videos = [sio.Video(filename=f"/nowhere/v{i}.mp4", open_backend=False) for i in (0, 1)]

    def instance(skeleton: Any, base: float) -> Any:
        n = len(skeleton.nodes)
        points = np.array([[base + i, base + 10 + i] for i in range(n)])
        return sio.PredictedInstance.from_numpy(
            points, skeleton=skeleton, point_scores=np.full(n, 0.5), score=0.9
        )

    frames = [
        sio.LabeledFrame(video=videos[0], frame_idx=0, instances=[instance(second, 1)]),
        sio.LabeledFrame(video=videos[1], frame_idx=3, instances=[instance(second, 2)]),
        sio.LabeledFrame(video=videos[1], frame_idx=4, instances=[instance(first, 5)]),
    ]
    path = tmp_path / "two.slp"
    sio.save_slp(sio.Labels(labeled_frames=frames, skeletons=[first, second], videos=videos), path)
    return path


def test_the_several_videos_error_names_a_function_that_exists(tmp_path):
    """It named posebridge.formats.slp.read_all_videos (no such module)."""
    with pytest.raises(PoseBridgeError, match=r"posebridge\.formats\.sleap\.read_all_videos"):
        posebridge.load(_two_videos_two_skeletons(tmp_path), skeleton="s2")
    assert callable(sleap.read_all_videos)


def test_read_all_videos_takes_the_skeleton_as_load_does(tmp_path):
    """A file with two skeletons said 'pass skeleton=', which read_all_videos did not take."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # untracked instances
        each = sleap.read_all_videos(_two_videos_two_skeletons(tmp_path), skeleton="s2")
    assert [ds.keypoint.values.tolist() for ds in each] == [["x", "y"], ["x", "y"]]
    assert [ds.time.values.tolist() for ds in each] == [[0], [3, 4]]
    assert np.isnan(each[1].position.sel(time=4)).all()  # frame 4 holds the other skeleton


def test_predictions_on_an_image_sequence_keep_every_image_when_written_back(tmp_path):
    """Written back to .slp (or to sleap-io), the image sequence became its first image:
    frame 2's poses pointed at an image that was not there."""
    sio = pytest.importorskip("sleap_io")
    from PIL import Image

    images = []
    for k in range(3):
        images.append(str(tmp_path / f"img_{k:03d}.png"))
        Image.new("RGB", (8, 8), (80 * k, 0, 0)).save(images[-1])
    skeleton = sio.Skeleton(["a", "b"])
    video = sio.Video(filename=images)
    track = sio.Track(name="m")

    def frame(k: int) -> Any:
        points = np.array([[1.0 + k, 2.0], [3.0, 4.0 + k]])
        instance = sio.PredictedInstance.from_numpy(
            points, skeleton=skeleton, point_scores=np.full(2, 0.5), score=0.9, track=track
        )
        return sio.LabeledFrame(video=video, frame_idx=k, instances=[instance])

    source = tmp_path / "seq.slp"
    labels_in = sio.Labels(labeled_frames=[frame(0), frame(2)], videos=[video])
    sio.save_slp(labels_in, source, embed=False)
    ds = posebridge.load(source)
    posebridge.save(ds, tmp_path / "nc.nc")  # the list survives netCDF too
    for out in (tmp_path / "out.slp", tmp_path / "from_nc.slp"):
        posebridge.save(posebridge.load(tmp_path / "nc.nc") if "nc" in out.name else ds, out)
        back = sio.load_slp(str(out), open_videos=False)
        assert list(back.videos[0].filename) == images
        assert [lf.frame_idx for lf in back.labeled_frames] == [0, 2]
    assert list(posebridge.to_sleap_io(ds).videos[0].filename) == images


def test_writing_a_pkg_slp_says_no_images_are_embedded(tmp_path):
    # it wrote a plain .slp under the package's name without a word; sleap-io then looked
    # for the frames in the videos
    ds = posebridge.from_numpy(np.ones((3, 2, 2, 1)), np.ones((3, 2, 1)))
    with pytest.warns(UserWarning, match=r"a\.pkg\.slp: a \.pkg\.slp embeds the labelled frames"):
        (path,) = posebridge.save(ds, tmp_path / "a.pkg.slp")
    assert posebridge.load(path).position.shape == ds.position.shape


def test_instance_scores_are_kept_as_float32_in_slp_and_as_float64_in_the_analysis_file(tmp_path):
    scores = np.array([[0.123456789012345], [0.3]])  # one score per animal: instance scores
    ds = posebridge.from_numpy(np.ones((2, 2, 2, 1)), scores)
    posebridge.save(ds, tmp_path / "x.slp")
    posebridge.save(ds, tmp_path / "x.analysis.h5")
    from_slp = posebridge.load(tmp_path / "x.slp").instance_score.values
    from_analysis = posebridge.load(tmp_path / "x.analysis.h5").instance_score.values
    np.testing.assert_array_equal(from_slp, scores.astype(np.float32).astype(np.float64))
    assert not np.array_equal(from_slp, scores)  # README: rounded to float32 in .slp
    np.testing.assert_array_equal(from_analysis, scores)
    assert float(np.float32(0.123456789012345)) == 0.12345679104328156  # README's example


def test_read_all_videos_takes_auto_as_load_does(two_videos, tmp_path):
    """instances="auto" (load's default) was refused, in a message not naming the file."""
    each = sleap.read_all_videos(two_videos, instances="auto")
    for k, ds in enumerate(each):
        xr.testing.assert_identical(ds, posebridge.load(two_videos, video=k))
    b = SlpBuilder(tracks=("a",))  # user instances alone: a file of labels
    b.frame(0, [user(pts(1), track=0)])
    labelled = b.write(tmp_path / "labels.slp")
    (ds,) = sleap.read_all_videos(labelled, instances="auto")
    xr.testing.assert_identical(ds, posebridge.load(labelled, video=0))
    assert ds.attrs["content"] == "labels"
    with pytest.raises(PoseBridgeError, match=r"two_videos.*instances must be one of.*'auto'"):
        sleap.read_all_videos(two_videos, instances="all")


@pytest.mark.parametrize(("kind", "predicted"), [(None, False), ("predicted", True)])
def test_instances_without_scores_are_predictions_when_the_dataset_says_so(
    tmp_path, kind, predicted
):
    """Without scores an instance is a user instance, unless the dataset's instance_kind
    says every instance is a prediction (poses of an NWB PoseEstimation): then it is a
    predicted instance with NaN scores."""
    sio = pytest.importorskip("sleap_io")
    position = np.random.default_rng(9).uniform(0, 100, (3, 2, 2, 1))
    position[2] = np.nan  # no instance in the last frame
    ds = model.from_numpy(position, keypoint_names=["a", "b"])
    if kind is not None:
        ds.attrs["instance_kind"] = kind

    (path,) = posebridge.save(ds, tmp_path / "x.slp")

    instances = [i for frame in sio.load_slp(str(path)) for i in frame.instances]
    assert len(instances) == 2
    assert [isinstance(i, sio.PredictedInstance) for i in instances] == [predicted] * 2
    if predicted:
        assert all(np.isnan(i.numpy(scores=True)[:, 2]).all() for i in instances)
    np.testing.assert_allclose(
        np.stack([i.numpy() for i in instances]), position[:2, :, :, 0].transpose(0, 2, 1)
    )


def _unscored_predictions_slp(tmp_path: Path, with_user: bool) -> Path:
    """An .slp of predictions without scores (point scores and instance score NaN, as a
    model without confidence maps or an edited file leaves them), on two frames of one
    track; with a user instance on a third frame when ``with_user``."""
    sio = pytest.importorskip("sleap_io")
    skeleton = sio.Skeleton(["a", "b"])
    video = sio.Video(filename="/nowhere/v.mp4", open_backend=False)
    track = sio.Track("mouse")

    def prediction(base: float) -> Any:
        points = np.array([[base, base + 1], [base + 2, base + 3]])
        return sio.PredictedInstance.from_numpy(
            points, skeleton=skeleton, point_scores=np.full(2, np.nan), score=np.nan, track=track
        )

    frames = [
        sio.LabeledFrame(video=video, frame_idx=i, instances=[prediction(10.0 * i)])
        for i in (0, 1)
    ]
    if with_user:
        user = sio.Instance.from_numpy(np.array([[5.0, 6.0], [7.0, 8.0]]), skeleton, track=track)
        frames.append(sio.LabeledFrame(video=video, frame_idx=2, instances=[user]))
    path = tmp_path / "unscored.slp"
    labels = sio.Labels(
        labeled_frames=frames, skeletons=[skeleton], videos=[video], tracks=[track]
    )
    sio.save_slp(labels, path)
    return path


def test_predictions_without_scores_stay_predictions_through_slp(tmp_path):
    """A .slp of predictions only, scores all NaN, read and written back keeps its instances
    predictions (it came back as user instances: labelled frames SLEAP trains on)."""
    sio = pytest.importorskip("sleap_io")
    source = _unscored_predictions_slp(tmp_path, with_user=False)
    ds = posebridge.load(source)
    assert ds.attrs[model.INSTANCE_KIND] == model.PREDICTED_INSTANCES
    assert posebridge.open_dataset(source).attrs[model.INSTANCE_KIND] == model.PREDICTED_INSTANCES

    (written,) = posebridge.save(ds, tmp_path / "back.slp")

    theirs = [i for frame in sio.load_slp(str(source)) for i in frame.instances]
    ours = [i for frame in sio.load_slp(str(written)) for i in frame.instances]
    assert [type(i).__name__ for i in ours] == [type(i).__name__ for i in theirs]
    assert all(isinstance(i, sio.PredictedInstance) for i in ours)
    np.testing.assert_array_equal(
        np.stack([i.numpy() for i in ours]), np.stack([i.numpy() for i in theirs])
    )


def test_user_instances_beside_predictions_do_not_make_the_dataset_predictions(tmp_path):
    """Only a dataset whose every instance is a prediction says so: user instances stay
    user instances when written back."""
    sio = pytest.importorskip("sleap_io")
    source = _unscored_predictions_slp(tmp_path, with_user=True)
    ds = posebridge.load(source)  # prefer_user: the user instance and the predictions
    assert model.INSTANCE_KIND not in ds.attrs

    (written,) = posebridge.save(ds, tmp_path / "back.slp")

    kinds = {
        frame.frame_idx: type(frame.instances[0]).__name__ for frame in sio.load_slp(str(written))
    }
    assert kinds[2] == "Instance"
