"""SLEAP analysis .h5: every layout read from files built here with h5py; the writer."""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

import h5py
import numpy as np
import pytest
import xarray as xr
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import posebridge
from posebridge import model
from posebridge._files import Peek
from posebridge.errors import FormatError, PoseBridgeError, SchemaError
from posebridge.formats import sleap
from posebridge.formats._shared import hdf5 as _sleap_rows
from posebridge.io import save_poses
from strategies import poses_datasets

N_FRAMES, N_TRACKS, N_NODES = 5, 2, 3
NODES = ["head", "thorax", "tail"]
TRACKS = ["female", "male"]


def canonical_data(seed: int = 0) -> dict[str, np.ndarray]:
    """Arrays in (frame, track, node[, xy]) order, with an unoccupied cell."""
    rng = np.random.default_rng(seed)
    tracks = rng.uniform(0, 500, (N_FRAMES, N_TRACKS, N_NODES, 2))
    scores = rng.uniform(0, 1, (N_FRAMES, N_TRACKS, N_NODES))
    occupancy = np.ones((N_FRAMES, N_TRACKS), dtype=np.uint8)
    occupancy[3, 1] = 0
    tracks[3, 1] = np.nan
    scores[3, 1] = np.nan
    instance_scores = rng.uniform(0, 1, (N_FRAMES, N_TRACKS))
    tracking_scores = rng.uniform(0, 1, (N_FRAMES, N_TRACKS))
    instance_scores[3, 1] = tracking_scores[3, 1] = np.nan  # as SLEAP writes an empty cell
    return {
        "tracks": tracks,
        "point_scores": scores,
        "instance_scores": instance_scores,
        "tracking_scores": tracking_scores,
        "track_occupancy": occupancy,
    }


CANONICAL = {
    "tracks": ("frame", "track", "node", "xy"),
    "point_scores": ("frame", "track", "node"),
    "instance_scores": ("frame", "track"),
    "tracking_scores": ("frame", "track"),
    "track_occupancy": ("frame", "track"),
}
MATLAB = {
    "tracks": ("track", "xy", "node", "frame"),
    "point_scores": ("track", "node", "frame"),
    "instance_scores": ("track", "frame"),
    "tracking_scores": ("track", "frame"),
    "track_occupancy": ("frame", "track"),
}
STANDARD = dict(CANONICAL)
LEGACY_UNTRANSPOSED = {  # SLEAP's in-memory order, written with transpose=False
    "tracks": ("frame", "node", "xy", "track"),
    "point_scores": ("frame", "node", "track"),
    "instance_scores": ("frame", "track"),
    "tracking_scores": ("frame", "track"),
    "track_occupancy": ("track", "frame"),
}


def write_analysis(
    path: Path,
    layout: dict[str, tuple[str, ...]],
    data: dict[str, np.ndarray],
    *,
    with_dims: bool = True,
    skip: tuple[str, ...] = (),
    track_names: list[str] | None = None,
    attrs: dict[str, Any] | None = None,
    extra: dict[str, Any] | None = None,
) -> Path:
    with h5py.File(path, "w") as h5:
        for name, values in data.items():
            if name in skip:
                continue
            order = [CANONICAL[name].index(d) for d in layout[name]]
            dataset = h5.create_dataset(name, data=np.transpose(values, order), compression="gzip")
            if with_dims:
                dataset.attrs["dims"] = json.dumps(list(layout[name]))
        names = TRACKS if track_names is None else track_names
        h5["track_names"] = np.array([n.encode() for n in names]) if names else np.zeros(0)
        h5["node_names"] = np.array([n.encode() for n in NODES])
        h5["edge_names"] = np.array([[b"head", b"thorax"], [b"thorax", b"tail"]])
        h5["edge_inds"] = np.array([[0, 1], [1, 2]], dtype=np.int32)
        h5["video_path"] = "D:/videos/session.mp4"
        h5["labels_path"] = "session.slp"
        h5["video_ind"] = np.int32(0)
        h5["provenance"] = "{}"
        for key, value in (attrs or {}).items():
            h5.attrs[key] = value
        for key, value in (extra or {}).items():
            if key in h5:
                del h5[key]
            h5[key] = value
    return path


def check_matches(ds: xr.Dataset, data: dict[str, np.ndarray], first_frame: int = 0) -> None:
    np.testing.assert_array_equal(
        ds.position.transpose("time", "individual", "keypoint", "space").values, data["tracks"]
    )
    np.testing.assert_array_equal(
        ds.confidence.transpose("time", "individual", "keypoint").values, data["point_scores"]
    )
    np.testing.assert_array_equal(ds.instance_score.values, data["instance_scores"])
    assert ds.time.values.tolist() == list(range(first_frame, first_frame + N_FRAMES))


@pytest.mark.parametrize(
    ("layout", "with_dims", "attrs"),
    [
        (MATLAB, True, {"preset": "matlab"}),
        (STANDARD, True, {"preset": "standard"}),
        (MATLAB, False, {}),  # SLEAP's own files: no dims, no transpose attribute
        (MATLAB, False, {"transpose": True}),
        (LEGACY_UNTRANSPOSED, False, {"transpose": False}),
    ],
    ids=["matlab-dims", "standard-dims", "sleap-no-attrs", "legacy-transposed", "legacy-plain"],
)
def test_every_layout_reads_the_same(tmp_path, layout, with_dims, attrs):
    data = canonical_data()
    path = write_analysis(
        tmp_path / "a.analysis.h5", layout, data, with_dims=with_dims, attrs=attrs
    )
    ds = sleap.analysis_read.read(path)
    check_matches(ds, data)
    assert ds.individual.values.tolist() == TRACKS
    assert ds.keypoint.values.tolist() == NODES
    assert ds.skeleton_edges.values.tolist() == [["head", "thorax"], ["thorax", "tail"]]
    assert ds.attrs["video_path"] == "D:/videos/session.mp4"
    assert ds.attrs["source_software"] == "SLEAP"


@pytest.mark.parametrize(
    ("attrs", "message"),
    [
        ({"transpose": np.array([1, 2, 3], dtype=np.int8)}, r"'transpose' .* \[1, 2, 3\]"),
        ({"transpose": "yes"}, "'transpose' attribute is 'yes'; expected one number"),
        ({sleap.analysis_read.FIRST_FRAME: 2.5}, "attribute is 2.5; expected one whole number"),
        ({sleap.analysis_read.FIRST_FRAME: np.zeros(0)}, "expected one whole number"),
    ],
)
def test_an_attribute_that_is_not_one_number_is_refused_naming_it(tmp_path, attrs, message):
    """A flag or first frame read with bool()/int() raised numpy's own ValueError before."""
    from posebridge import registry

    data = canonical_data()  # no dims: the transpose flag says the layout
    path = write_analysis(tmp_path / "a.analysis.h5", MATLAB, data, with_dims=False, attrs=attrs)
    for read in (posebridge.load, posebridge.open_dataset, registry.get("sleap").describe):
        with pytest.raises(FormatError, match=rf"a\.analysis\.h5: /: .*{message}"):
            read(path)


def test_lazily_opened_files_that_break_the_model_are_named(tmp_path):
    data = canonical_data()
    path = write_analysis(tmp_path / "a.analysis.h5", MATLAB, data)
    with h5py.File(path, "r+") as h5:
        del h5["track_names"]
        h5["track_names"] = np.array([TRACKS[0].encode()] * len(TRACKS))
    for read in (posebridge.load, posebridge.open_dataset):
        with pytest.raises(SchemaError, match=r"a\.analysis\.h5: Coordinate 'individual' has"):
            read(path)


def test_read_dataset_saves_as_netcdf(tmp_path):
    path = write_analysis(
        tmp_path / "a.h5",
        MATLAB,
        canonical_data(),
        attrs={"skeleton_symmetries": json.dumps([["head", "tail"]])},
    )
    ds = posebridge.load(path)
    ds.to_netcdf(tmp_path / "a.nc", engine="h5netcdf")
    xr.testing.assert_identical(posebridge.load(tmp_path / "a.nc").drop_attrs(), ds.drop_attrs())


@pytest.mark.parametrize("lazy", [False, True])
def test_values_where_occupancy_is_0_are_kept_as_sleap_io_reads_them(tmp_path, lazy):
    """h117 #1: a cell /track_occupancy marks empty while /tracks holds points (a file
    edited by another tool) was made NaN silently; sleap-io and movement read the points."""
    data = canonical_data()
    filled = {
        name: (values if name == "track_occupancy" else np.nan_to_num(values, nan=7.0))
        for name, values in data.items()
    }
    path = write_analysis(tmp_path / "occ.analysis.h5", MATLAB, filled)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ds = posebridge.open_dataset(path, chunks=2).load() if lazy else posebridge.load(path)
    assert filled["track_occupancy"][3, 1] == 0
    np.testing.assert_array_equal(
        ds.position.transpose("time", "individual", "keypoint", "space").values, filled["tracks"]
    )
    np.testing.assert_array_equal(
        ds.confidence.transpose("time", "individual", "keypoint").values, filled["point_scores"]
    )
    assert ds.instance_score.values[3, 1] == filled["instance_scores"][3, 1]
    assert ds.tracking_score.values[3, 1] == filled["tracking_scores"][3, 1]


def test_whole_number_arrays_are_read_as_floats(tmp_path):
    """Found by fuzzing: integer /tracks with an unoccupied cell raised 'cannot convert
    float NaN to integer' (raw from the lazy reader, wrapped by the eager one)."""
    data = canonical_data()
    whole = {
        name: np.nan_to_num(values, nan=7).round().astype(np.int64)
        if name != "track_occupancy"
        else values
        for name, values in data.items()
    }
    path = write_analysis(tmp_path / "int.analysis.h5", MATLAB, whole)
    eager = posebridge.load(path)
    lazy = posebridge.open_dataset(path, chunks=2).load()
    lazy.attrs.pop("lazy")
    xr.testing.assert_identical(lazy, eager)
    assert eager.position.dtype == eager.confidence.dtype == np.float64
    np.testing.assert_array_equal(
        eager.position.transpose("time", "individual", "keypoint", "space").values,
        whole["tracks"].astype(np.float64),
    )
    assert eager.instance_score.values[3, 1] == whole["instance_scores"][3, 1]


@pytest.mark.parametrize("name", ["tracks", "point_scores"])
def test_text_arrays_are_refused_naming_them(tmp_path, name):
    data = canonical_data()
    data[name] = np.full(data[name].shape, b"x")
    path = write_analysis(tmp_path / "text.analysis.h5", MATLAB, data)
    for read in (posebridge.load, posebridge.open_dataset):
        with pytest.raises(FormatError, match=rf"/{name} holds \|S1 values; expected numbers"):
            read(path)


def test_file_without_scores_has_nan_confidence(tmp_path):
    data = canonical_data()
    path = write_analysis(
        tmp_path / "minimal.h5",
        MATLAB,
        data,
        with_dims=False,
        skip=("point_scores", "instance_scores", "tracking_scores"),
    )
    ds = sleap.analysis_read.read(path)
    assert ds.confidence.isnull().all()
    assert "instance_score" not in ds and "tracking_score" not in ds
    np.testing.assert_array_equal(
        ds.position.transpose("time", "individual", "keypoint", "space").values, data["tracks"]
    )


def test_zero_track_names_give_one_untracked_individual(tmp_path):
    data = {k: v[:, :1] for k, v in canonical_data().items()}
    path = write_analysis(tmp_path / "untracked.h5", MATLAB, data, track_names=[])
    with h5py.File(path) as h5:
        assert h5["track_names"].dtype == np.float64  # as SLEAP writes an empty list
    ds = sleap.analysis_read.read(path)
    assert ds.individual.values.tolist() == ["untracked_0"]


def test_several_columns_without_track_names_are_untracked_individuals_with_a_warning(
    tmp_path,
):
    data = canonical_data()
    path = write_analysis(tmp_path / "untracked2.h5", MATLAB, data, track_names=[])
    expected = [f"untracked_{k}" for k in range(N_TRACKS)]
    for read in (posebridge.load, posebridge.open_dataset):
        with pytest.warns(UserWarning, match="names no tracks") as caught:
            ds = read(path)
        found = [w for w in caught if "names no tracks" in str(w.message)]
        assert len(found) == 1 and found[0].filename == __file__
        assert str(path) in str(found[0].message)
        assert ds.individual.values.tolist() == expected
        check_matches(ds.load(), data)


def test_one_column_without_track_names_reads_without_a_warning(tmp_path):
    data = {k: v[:, :1] for k, v in canonical_data().items()}
    path = write_analysis(tmp_path / "untracked.h5", MATLAB, data, track_names=[])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert posebridge.load(path).individual.values.tolist() == ["untracked_0"]


def test_names_that_are_not_utf8_stay_distinct(tmp_path):
    """Bytes that are not UTF-8 are spelled %XX (as posebridge spells file names), so two
    names that differ only there stay two names."""
    extra = {
        "track_names": np.array([b"m\xff", b"m\xfe"]),
        "node_names": np.array([b"head", b"n\xe9ck", b"n\xe8ck"]),
        "edge_names": np.array([[b"head", b"n\xe9ck"]]),
    }
    path = write_analysis(tmp_path / "latin1.h5", MATLAB, canonical_data(), extra=extra)
    ds = sleap.analysis_read.read(path)
    assert ds.individual.values.tolist() == ["m%FF", "m%FE"]
    assert ds.keypoint.values.tolist() == ["head", "n%E9ck", "n%E8ck"]
    assert ds.skeleton_edges.values.tolist() == [["head", "n%E9ck"]]  # spelled as the nodes


def test_first_frame_attribute_is_honoured(tmp_path):
    data = canonical_data()
    path = write_analysis(tmp_path / "offset.h5", MATLAB, data, attrs={"first_frame": 100})
    check_matches(sleap.analysis_read.read(path), data, first_frame=100)


def test_edges_fall_back_to_edge_inds_and_symmetries_come_from_the_attribute(tmp_path):
    path = write_analysis(
        tmp_path / "edges.h5",
        MATLAB,
        canonical_data(),
        attrs={
            "skeleton_symmetries": json.dumps([["head", "tail"]]),
            "video_backend_metadata": json.dumps({"shape": [5, 480, 640, 1]}),
        },
        extra={"edge_names": np.zeros(0)},
    )
    ds = sleap.analysis_read.read(path)
    assert ds.skeleton_edges.values.tolist() == [["head", "thorax"], ["thorax", "tail"]]
    assert ds.skeleton_symmetries.values.tolist() == [["head", "tail"]]
    assert (ds.attrs["video_width"], ds.attrs["video_height"]) == (640, 480)


def test_two_by_two_tables_stored_the_other_way_are_accepted(tmp_path):
    # movement and old exporters disagree on occupancy's orientation
    data = canonical_data()
    path = write_analysis(
        tmp_path / "occ_t.h5",
        MATLAB,
        data,
        with_dims=False,
        skip=("track_occupancy",),
        extra={"track_occupancy": data["track_occupancy"].T},
    )
    check_matches(sleap.analysis_read.read(path), data)


# bad input ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"node_names": np.array([b"a", b"b"])}, "2 node names for 3 nodes"),
        ({"track_names": np.array([b"a", b"b", b"c"])}, "3 track names for 2 tracks"),
        ({"point_scores": np.zeros((2, 3, 4))}, r"point_scores is \(2, 3, 4\)"),
        ({"instance_scores": np.zeros((3, 3))}, "instance_scores"),
    ],
)
def test_inconsistent_shapes_raise_naming_the_file(tmp_path, extra, message):
    path = write_analysis(
        tmp_path / "bad.analysis.h5", MATLAB, canonical_data(), with_dims=False, extra=extra
    )
    with pytest.raises(FormatError, match=rf"bad\.analysis\.h5.*{message}"):
        posebridge.load(path, format="sleap")


@pytest.mark.parametrize(
    ("extra", "row", "unknown"),
    [
        ({"edge_names": np.array([[b"head", b"thorax"], [b"thorax", b"wing"]])}, 1, "wing"),
        # node names that are not text give node_0.., which the edges' names are not
        ({"node_names": np.arange(3.0)}, 0, "head"),
    ],
    ids=["unknown-node", "numeric-node-names"],
)
@pytest.mark.parametrize("lazy", [False, True])
def test_an_edge_naming_a_node_not_in_node_names_is_refused_naming_it(
    tmp_path, extra, row, unknown, lazy
):
    path = write_analysis(tmp_path / "edges.analysis.h5", MATLAB, canonical_data(), extra=extra)
    with pytest.raises(
        FormatError, match=rf"edges\.analysis\.h5.*/edge_names row {row} .*'{unknown}'"
    ):
        if lazy:
            posebridge.open_dataset(path, chunks=2)
        else:
            posebridge.load(path)


def gaps_file(path: Path, scores: np.ndarray) -> Path:
    """An analysis file whose score tables (``scores``, both) are longer than /tracks, as
    movement writes them for poses with gaps in time."""
    return write_analysis(
        path,
        MATLAB,
        canonical_data(),
        with_dims=False,
        extra={"instance_scores": scores, "tracking_scores": scores},
    )


def test_empty_score_tables_of_the_wrong_length_are_ignored_with_a_warning(tmp_path):
    nan_scores = np.full((N_TRACKS, N_FRAMES + 3), np.nan)  # what movement writes for gaps
    path = gaps_file(tmp_path / "movement_gaps.h5", nan_scores)
    with pytest.warns(UserWarning, match="/instance_scores and /tracking_scores"):
        ds = sleap.analysis_read.read(path)
    assert "instance_score" not in ds and "tracking_score" not in ds
    check_position = canonical_data()["tracks"]
    np.testing.assert_array_equal(
        ds.position.transpose("time", "individual", "keypoint", "space").values, check_position
    )


@pytest.mark.parametrize("holds_a_score", [False, True])
def test_large_score_tables_of_the_wrong_length_are_treated_lazily_as_eagerly(
    tmp_path, monkeypatch, holds_a_score
):
    """Tables above lazy.SMALL values are opened lazily; one of the wrong shape was skipped
    there silently, while the eager reader refuses it unless it holds no score. The
    threshold is lowered so that a small file takes the large-table path."""
    import importlib

    lazy_module = importlib.import_module("posebridge.formats.sleap.lazy")
    monkeypatch.setattr(lazy_module, "SMALL", 4)
    scores = np.full((N_TRACKS, N_FRAMES + 3), np.nan)
    if holds_a_score:
        scores[1, 6] = 0.5
    path = gaps_file(tmp_path / "gaps.h5", scores)
    if holds_a_score:
        for read in (posebridge.load, posebridge.open_dataset):
            with pytest.raises(
                FormatError, match="gaps.h5: inconsistent shapes: /instance_scores"
            ):
                read(path)
        return
    with pytest.warns(UserWarning, match="/instance_scores and /tracking_scores"):
        lazy = posebridge.open_dataset(path).load()
    assert "instance_score" not in lazy and "tracking_score" not in lazy


def test_tracks_without_two_or_three_coordinates_are_refused(tmp_path):
    path = tmp_path / "xyzw.h5"
    with h5py.File(path, "w") as h5:
        h5["tracks"] = np.zeros((1, 4, 2, 4))
        h5["node_names"] = np.array([b"a", b"b"])
    with pytest.raises(FormatError, match=r"xyzw\.h5.*2 coordinates.*\(1, 4, 2, 4\)"):
        sleap.analysis_read.read(path)


@pytest.mark.parametrize(
    ("member", "kind"),
    [("edge_names", "named datatype"), ("point_scores", "group"), ("tracks", "group")],
)
def test_a_member_that_is_not_a_dataset_is_refused_eagerly_and_lazily(tmp_path, member, kind):
    """A damaged object header can turn a dataset into a group or a named datatype."""
    path = tmp_path / "damaged.analysis.h5"
    with h5py.File(path, "w") as h5:
        h5["tracks"] = np.zeros((1, 2, 2, 4))
        h5["node_names"] = np.array([b"a", b"b"])
        if member in h5:
            del h5[member]
        if kind == "group":
            h5.create_group(member)
        else:
            h5[member] = np.dtype("f8")  # a committed (named) datatype
    for read in (posebridge.load, posebridge.open_dataset):
        with pytest.raises(FormatError, match=rf"damaged\.analysis\.h5: /{member} is a {kind}"):
            read(path, "sleap")


def test_hdf5_without_tracks_is_refused(tmp_path):
    path = tmp_path / "other.h5"
    with h5py.File(path, "w") as h5:
        h5["x"] = np.arange(3)
    with pytest.raises(FormatError, match=r"other\.h5.*no /tracks"):
        sleap.analysis_read.read(path)
    assert not sleap.sniff_analysis(Peek(path))


@pytest.mark.parametrize("content", [b"tracks,node_names\n1,2\n", b"\x89HDF\r\n\x1a\n\0\0"])
def test_broken_files_raise_naming_the_file(tmp_path, content):
    path = tmp_path / "broken.analysis.h5"
    path.write_bytes(content)
    with pytest.raises(PoseBridgeError, match=r"broken\.analysis\.h5"):
        posebridge.load(path, format="sleap")


def test_truncated_analysis_file_raises_naming_it(tmp_path):
    path = write_analysis(tmp_path / "full.h5", MATLAB, canonical_data())
    cut = tmp_path / "cut.analysis.h5"
    cut.write_bytes(path.read_bytes()[:4000])
    with pytest.raises(PoseBridgeError, match=r"cut\.analysis\.h5"):
        posebridge.load(cut, format="sleap")


def test_sniffers_tell_sleap_dlc_netcdf_and_nwb_apart(tmp_path, poses_two_mice_with_nan):
    import pandas as pd

    analysis = write_analysis(tmp_path / "a.h5", MATLAB, canonical_data())
    dlc = tmp_path / "dlc.h5"
    columns = pd.MultiIndex.from_product(
        [["net"], ["snout"], ["x", "y", "likelihood"]], names=["scorer", "bodyparts", "coords"]
    )
    pd.DataFrame(np.ones((3, 3)), columns=columns).to_hdf(dlc, key="df_with_missing")
    nc = tmp_path / "poses.h5"
    poses_two_mice_with_nan.to_netcdf(nc, engine="h5netcdf")
    slp_path = tmp_path / "labels.h5"
    from posebridge.formats import sleap

    sleap.slp_write.write(poses_two_mice_with_nan, slp_path)
    assert [sleap.sniff_analysis(Peek(p)) for p in (analysis, dlc, nc, slp_path)] == [
        True,
        False,
        False,
        False,
    ]
    assert [sleap.sniff_slp(Peek(p)) for p in (analysis, dlc, nc, slp_path)] == [
        False,
        False,
        False,
        True,
    ]
    assert posebridge.detect(analysis) == "sleap"
    assert posebridge.detect(slp_path) == "slp"


def test_sniffers_do_not_claim_nwb(tmp_path):
    pynwb = pytest.importorskip("pynwb")
    from datetime import UTC, datetime

    from posebridge.formats import sleap

    path = tmp_path / "session.nwb"
    nwbfile = pynwb.NWBFile("s", "id", datetime(2024, 1, 1, tzinfo=UTC))
    with pynwb.NWBHDF5IO(path, "w") as io:
        io.write(nwbfile)
    assert not sleap.sniff_analysis(Peek(path)) and not sleap.sniff_slp(Peek(path))


# --------------------------------------------------------------------------
# writing


def contiguous_dataset() -> xr.Dataset:
    rng = np.random.default_rng(5)
    position = rng.uniform(0, 300, (4, 2, 3, 2))
    position[1, :, :, 0] = np.nan
    confidence = rng.uniform(0, 1, (4, 3, 2))
    confidence[1, :, 0] = np.nan
    ds = model.from_numpy(position, confidence, ["a", "b"], NODES, source_software="SLEAP")
    ds["instance_score"] = (("time", "individual"), rng.uniform(0, 1, (4, 2)))
    ds["instance_score"][1, 0] = np.nan
    ds["tracking_score"] = (("time", "individual"), rng.uniform(0, 1, (4, 2)))
    ds["tracking_score"][1, 0] = np.nan
    ds["skeleton_edges"] = (("edge", "edge_node"), np.array([["head", "thorax"]]))
    ds["skeleton_symmetries"] = (("symmetry", "edge_node"), np.array([["head", "tail"]]))
    ds.attrs.update(video_path="v.mp4", video_width=320, video_height=200)
    return ds


def test_written_file_has_sleaps_matlab_layout(tmp_path):
    path = tmp_path / "out.analysis.h5"
    sleap.analysis_write.write(contiguous_dataset(), path)
    with h5py.File(path) as h5:
        assert h5["tracks"].shape == (2, 2, 3, 4) and h5["tracks"].dtype == np.float64
        assert h5["track_occupancy"].shape == (4, 2) and h5["track_occupancy"].dtype == np.uint8
        assert h5["point_scores"].shape == (2, 3, 4)
        assert h5["instance_scores"].shape == (2, 4) and h5["tracking_scores"].shape == (2, 4)
        assert h5["track_names"][()].tolist() == [b"a", b"b"]
        assert h5["node_names"][()].tolist() == [n.encode() for n in NODES]
        assert h5["edge_names"][()].tolist() == [[b"head", b"thorax"]]
        assert h5["edge_inds"][()].tolist() == [[0, 1]] and h5["edge_inds"].dtype == np.int64
        assert h5["video_path"][()] == b"v.mp4" and h5["labels_path"][()] == b""
        assert h5["video_ind"][()] == 0
        assert json.loads(h5["tracks"].attrs["dims"]) == ["track", "xy", "node", "frame"]
        assert h5.attrs["preset"] == "matlab" and h5.attrs["first_frame"] == 0
        assert h5["track_occupancy"][()][:, 0].tolist() == [1, 0, 1, 1]
        for name in ("tracks", "point_scores", "track_occupancy"):
            plist = h5[name].id.get_create_plist()
            filters = [plist.get_filter(i)[0] for i in range(plist.get_nfilters())]
            assert filters in ([], [h5py.h5z.FILTER_DEFLATE])  # deflate only, if any


def test_written_file_reads_back_identically(tmp_path):
    ds = contiguous_dataset()
    path = tmp_path / "rt.analysis.h5"
    save_poses.to_sleap_analysis_file(ds, path)
    back = sleap.analysis_read.read(path)
    xr.testing.assert_identical(back, ds)


def test_labels_path_names_the_source_slp(tmp_path):
    ds = contiguous_dataset()
    ds.attrs["source_file"] = "/data/session.predictions.slp"
    sleap.analysis_write.write(ds, tmp_path / "from_slp.h5")
    ds.attrs["source_file"] = "/data/session.csv"
    sleap.analysis_write.write(ds, tmp_path / "from_csv.h5", labels_path=None)
    sleap.analysis_write.write(ds, tmp_path / "given.h5", labels_path="mine.slp")
    paths = []
    for name in ("from_slp", "from_csv", "given"):
        with h5py.File(tmp_path / f"{name}.h5") as h5:
            paths.append(h5["labels_path"][()].decode())
    assert paths == ["/data/session.predictions.slp", "", "mine.slp"]


@pytest.mark.parametrize("lazy", [False, True])
def test_labels_path_of_an_analysis_file_is_read_and_written_back(tmp_path, lazy):
    """h117 #2: an analysis file's /labels_path was not read, and a read-then-write blanked it."""
    source = write_analysis(tmp_path / "in.analysis.h5", MATLAB, canonical_data())
    with h5py.File(source, "r+") as h5:
        del h5["labels_path"]
        h5["labels_path"] = "D:/projects/session.predictions.slp"
        expected = h5["labels_path"][()].decode()
    ds = posebridge.open_dataset(source, chunks=2).load() if lazy else posebridge.load(source)
    assert ds.attrs["sleap_labels_path"] == expected
    posebridge.save(ds, tmp_path / "out.analysis.h5")
    with h5py.File(tmp_path / "out.analysis.h5") as h5:
        assert h5["labels_path"][()].decode() == expected


@pytest.mark.parametrize("name", ["video_path", "labels_path"])
@pytest.mark.parametrize("lazy", [False, True])
def test_several_strings_in_a_path_dataset_are_refused_naming_it(tmp_path, name, lazy):
    """h117 #4: /video_path holding two paths was read as the two joined into one."""
    source = write_analysis(tmp_path / "in.analysis.h5", MATLAB, canonical_data())
    with h5py.File(source, "r+") as h5:
        del h5[name]
        h5[name] = np.array([b"/data/cam1.mp4", b"/data/cam2.mp4"])
    with pytest.raises(FormatError, match=rf"in\.analysis\.h5: /{name} should hold one path.*2 "):
        if lazy:
            posebridge.open_dataset(source, chunks=2)
        else:
            posebridge.load(source)


def test_a_path_dataset_of_one_string_in_an_array_is_read(tmp_path):
    source = write_analysis(tmp_path / "in.analysis.h5", MATLAB, canonical_data())
    with h5py.File(source, "r+") as h5:
        del h5["video_path"]
        h5["video_path"] = np.array([b"/data/cam1.mp4"])
    assert posebridge.load(source).attrs["video_path"] == "/data/cam1.mp4"


def test_an_empty_labels_path_gives_no_attribute(tmp_path):
    source = write_analysis(tmp_path / "in.analysis.h5", MATLAB, canonical_data())
    with h5py.File(source, "r+") as h5:
        del h5["labels_path"]
        h5["labels_path"] = ""
    assert "sleap_labels_path" not in posebridge.load(source).attrs


def test_frames_start_at_zero_by_default_and_gaps_become_nan_rows(tmp_path):
    ds = contiguous_dataset().assign_coords(time=[5, 6, 9, 10])
    path = tmp_path / "gaps.h5"
    sleap.analysis_write.write(ds, path)
    back = sleap.analysis_read.read(path)
    assert back.time.values.tolist() == list(range(11))
    xr.testing.assert_identical(back.sel(time=[5, 6, 9, 10]), ds)
    assert back.position.sel(time=[0, 1, 2, 3, 4, 7, 8]).isnull().all()


def test_all_frames_false_starts_at_the_first_frame_and_records_it(tmp_path):
    ds = contiguous_dataset().assign_coords(time=[100, 101, 102, 103])
    path = tmp_path / "offset.h5"
    sleap.analysis_write.write(ds, path, all_frames=False)
    with h5py.File(path) as h5:
        assert h5["tracks"].shape[-1] == 4 and h5.attrs["first_frame"] == 100
    xr.testing.assert_identical(sleap.analysis_read.read(path), ds)


@pytest.mark.parametrize("lazy", [False, True])
def test_drop_empty_tracks_leaves_out_individuals_never_seen(tmp_path, lazy):
    ds = contiguous_dataset()
    ds["position"] = ds.position.where(ds.individual != "a")  # "a" has scores, no position
    source = tmp_path / "source.nc"
    ds.to_netcdf(source, engine="h5netcdf")
    opened = posebridge.open_dataset(source, chunks=2) if lazy else posebridge.load(source)
    kept, dropped = tmp_path / "kept.analysis.h5", tmp_path / "dropped.analysis.h5"
    posebridge.save(opened, kept)
    posebridge.save(opened, dropped, drop_empty_tracks=True)
    with h5py.File(kept) as h5:
        assert h5["track_names"][()].tolist() == [b"a", b"b"]  # by default the name survives
    with h5py.File(dropped) as h5:
        assert h5["track_names"][()].tolist() == [b"b"]
        assert h5["tracks"].shape == (1, 2, 3, 4) and h5["track_occupancy"].shape == (4, 1)
    xr.testing.assert_identical(
        sleap.analysis_read.read(dropped),
        ds.sel(individual=["b"]).assign_attrs(source_software="SLEAP"),
    )


def test_single_untracked_individual_is_written_without_a_track_name(tmp_path):
    position = np.arange(12, dtype=float).reshape(2, 2, 3, 1)
    ds = model.from_numpy(position, individual_names=["untracked_0"], keypoint_names=NODES)
    path = tmp_path / "untracked.h5"
    sleap.analysis_write.write(ds, path)
    with h5py.File(path) as h5:
        assert h5["track_names"].shape == (0,)
        assert h5["tracks"].shape == (1, 2, 3, 2)
    xr.testing.assert_equal(sleap.analysis_read.read(path).position, ds.position)


def test_sparse_tracks_are_compressed_and_dense_ones_are_not(tmp_path):
    rng = np.random.default_rng(0)
    dense = model.from_numpy(rng.uniform(0, 1, (3000, 2, 10, 2)))
    sparse_position = np.full((3000, 2, 10, 2), np.nan)
    sparse_position[::50] = 1.0
    sparse = model.from_numpy(sparse_position)
    for name, ds in (("dense", dense), ("sparse", sparse)):
        sleap.analysis_write.write(ds, tmp_path / f"{name}.h5")
    with h5py.File(tmp_path / "dense.h5") as h5:
        assert h5["tracks"].compression is None
    with h5py.File(tmp_path / "sparse.h5") as h5:
        assert h5["tracks"].compression == "gzip" and h5["tracks"].compression_opts == 1
    sleap.analysis_write.write(sparse, tmp_path / "level0.h5", compression_level=0)
    with h5py.File(tmp_path / "level0.h5") as h5:
        assert h5["tracks"].compression is None
    with pytest.raises(PoseBridgeError, match="compression_level"):
        sleap.analysis_write.write(sparse, tmp_path / "x.h5", compression_level=12)


def test_3d_poses_are_written_as_movement_writes_them_and_read_back(tmp_path, poses_single_3d):
    # SLEAP and sleap-io read x and y only (z lost, a frame without x and y gone): warned
    with pytest.warns(UserWarning, match=r"x\.h5: SLEAP analysis files are 2-D"):
        sleap.analysis_write.write(poses_single_3d, tmp_path / "x.h5")
    with h5py.File(tmp_path / "x.h5") as h5:  # (track, xyz, node, frame), as movement's
        assert h5["tracks"].shape == (1, 3, 4, 12)
    for back in (posebridge.load(tmp_path / "x.h5"), posebridge.open_dataset(tmp_path / "x.h5")):
        assert list(back.space.values) == ["x", "y", "z"]
        assert list(back.keypoint.values) == ["d", "c", "b", "a"]
        np.testing.assert_array_equal(back.position.values, poses_single_3d.position.values)
    movement_load_poses = pytest.importorskip("movement.io.load_poses")
    theirs = movement_load_poses.from_sleap_file(tmp_path / "x.h5")
    np.testing.assert_allclose(  # movement reads float32
        theirs.position.values, poses_single_3d.position.values, rtol=1e-6
    )


def test_a_3d_analysis_file_written_by_movement_reads_as_movement_reads_it(
    tmp_path, poses_single_3d
):
    movement_load_poses = pytest.importorskip("movement.io.load_poses")
    movement_save_poses = pytest.importorskip("movement.io.save_poses")
    theirs = movement_load_poses.from_numpy(
        poses_single_3d.position.values,
        np.ones((12, 4, 1)),
        individual_names=["mouse"],
        keypoint_names=["d", "c", "b", "a"],
    )
    movement_save_poses.to_sleap_analysis_file(theirs, tmp_path / "m.h5")
    ours = posebridge.load(tmp_path / "m.h5")
    back = movement_load_poses.from_sleap_file(tmp_path / "m.h5")
    np.testing.assert_allclose(ours.position.values, back.position.values, rtol=1e-6)
    assert list(ours.space.values) == list(back.space.values) == ["x", "y", "z"]


def test_unknown_frames_are_refused(tmp_path):
    ds = contiguous_dataset().assign_coords(time=[0.0, 0.1, 0.2, 0.4])
    ds.attrs["time_unit"] = "seconds"
    with pytest.raises(SchemaError, match="fps"):
        sleap.analysis_write.write(ds, tmp_path / "y.h5")


def test_describe_shows_layout_tracks_and_first_frame(tmp_path):
    path = write_analysis(tmp_path / "d.h5", STANDARD, canonical_data(), attrs={"first_frame": 7})
    info = dict(sleap.analysis_read.describe(path))
    assert info["layout"] == "tracks ('frame', 'track', 'node', 'xy') = (5, 2, 3, 2)"
    assert info["tracks"] == "female, male" and info["first frame"] == "7"


def test_member_names_that_are_not_utf8_are_shown_not_a_raw_error(tmp_path):
    # h5py gives such a name as bytes (a damaged file: a flipped byte in a link name)
    path = write_analysis(tmp_path / "d.h5", STANDARD, canonical_data())
    with h5py.File(path, "a") as h5:
        h5.create_dataset(b"point_sco\xf2es", data=np.zeros(1))
    info = dict(sleap.analysis_read.describe(path))
    assert "point_sco\\xf2es" in info["datasets"] and "tracks" in info["datasets"]
    with h5py.File(path, "a") as h5:
        del h5["tracks"]
    with pytest.raises(FormatError, match=r"no /tracks dataset.*point_sco\\\\xf2es"):
        sleap.analysis_read.read(path)


def test_parallel_inflation_equals_h5py(tmp_path, monkeypatch):
    monkeypatch.setattr(_sleap_rows, "PARALLEL_MIN_BYTES", 0)
    values = np.random.default_rng(1).uniform(0, 1, (3, 2, 5, 1001))
    values[:, :, :, ::7] = np.nan
    path = tmp_path / "chunks.h5"
    with h5py.File(path, "w") as h5:
        h5.create_dataset("a", data=values, chunks=(2, 1, 2, 100), compression="gzip")
    with h5py.File(path) as h5:
        np.testing.assert_array_equal(_sleap_rows.read_array(h5["a"]), values)


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    ds=poses_datasets(n_space=(2,), max_time=12, confidence=True, fps=False, nan_coordinates=True),
    all_frames=st.booleans(),
)
def test_round_trip_property(tmp_path, ds, all_frames):
    path = tmp_path / "p.h5"
    sleap.analysis_write.write(ds, path, all_frames=all_frames, overwrite=True)
    back = sleap.analysis_read.read(path)
    xr.testing.assert_equal(back.position.sel(time=ds.time), ds.position)
    xr.testing.assert_equal(back.confidence.sel(time=ds.time), ds.confidence)
    assert back.time.values[0] == (0 if all_frames else ds.time.values[0])


def test_a_refused_span_offers_all_frames_false_only_when_it_was_not_given(tmp_path):
    position = np.zeros((2, 2, 1, 1))
    ds = posebridge.from_numpy(position).assign_coords(time=[2_999_999_993, 3_000_000_000])
    with pytest.raises(PoseBridgeError, match="pass all_frames=False"):
        posebridge.save(ds, tmp_path / "a.analysis.h5")
    posebridge.save(ds, tmp_path / "a.analysis.h5", all_frames=False)
    # from frame 7, all_frames=False would not help (h155 #3): neither offers it
    ds = ds.assign_coords(time=[7, 3_000_000_000])
    for all_frames in (True, False):
        with pytest.raises(PoseBridgeError, match=r"keeps only the frames with data\)\.$"):
            posebridge.save(ds, tmp_path / "b.analysis.h5", all_frames=all_frames)


def test_an_anipose_alignment_not_written_is_warned_about(tmp_path):
    rng = np.random.default_rng(5)
    ds = posebridge.from_numpy(rng.uniform(0, 9, (4, 2, 2, 1)))
    ds.attrs["anipose_alignment_center"] = [0.0, 3.0, 0.0]
    with pytest.warns(UserWarning, match="SLEAP analysis files have no place for anipose_align"):
        posebridge.save(ds, tmp_path / "a.analysis.h5")
    with pytest.warns(UserWarning, match=r"SLEAP \.slp files have no place for anipose_align"):
        posebridge.save(ds, tmp_path / "a.slp")


def _span_refusal(tmp_path: Path, frames: list[int]) -> tuple[str, str, xr.Dataset]:
    from posebridge.errors import worded_for_command_line

    ds = posebridge.from_numpy(
        np.ones((3, 2, 1, 1)), keypoint_names=["nose"], individual_names=["m"]
    ).assign_coords(time=frames)
    with pytest.raises(PoseBridgeError, match="span") as refused:
        posebridge.save(ds, tmp_path / "wide.analysis.h5")
    return str(refused.value), worded_for_command_line(refused.value), ds


def test_a_wide_span_from_frame_0_is_not_told_to_pass_all_frames_false(tmp_path: Path):
    """h155 #3: frames [0, 1, 3e7] were told to pass all_frames=False "if the frames
    start far from 0"; they start at 0, where it fails again. Only .slp is offered."""
    message, worded, ds = _span_refusal(tmp_path, [0, 1, 30_000_000])
    assert "all_frames" not in message and "all_frames" not in worded
    assert "Write a .slp file" in message
    with pytest.raises(PoseBridgeError, match="span"):
        posebridge.save(ds, tmp_path / "wide.analysis.h5", all_frames=False)


def test_a_span_far_from_0_is_told_the_option_that_writes_it(tmp_path: Path):
    """h155 #3: the advice said all_frames=False on the command line too, where the flag
    is --option all_frames=false; following it (in Python and on the command line)
    writes the file."""
    from click.testing import CliRunner

    from posebridge.cli import cli

    message, worded, ds = _span_refusal(tmp_path, [29_999_998, 29_999_999, 30_000_000])
    assert "pass all_frames=False to start the columns at the first frame, 29999998" in message
    assert "pass --option all_frames=false" in worded and "all_frames=False" not in worded
    posebridge.save(ds, tmp_path / "python.analysis.h5", all_frames=False)

    source = tmp_path / "wide.nc"
    posebridge.save(ds, source)
    out = tmp_path / "cli.analysis.h5"
    refused = CliRunner().invoke(cli, ["convert", str(source), str(out)])
    assert refused.exit_code != 0 and "pass --option all_frames=false" in refused.output
    done = CliRunner().invoke(
        cli, ["convert", str(source), str(out), "--option", "all_frames=false"]
    )
    assert done.exit_code == 0, done.output
    assert posebridge.load(out).time.values.tolist() == [29_999_998, 29_999_999, 30_000_000]
