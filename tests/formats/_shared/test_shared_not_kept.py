"""formats/_shared/not_kept: what a writer leaves out is warned of, never dropped silently."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import posebridge
from _absent_entries import absent, not_written_warnings, save_recording, with_absent
from posebridge.formats._shared.not_kept import warn_individuals_not_written
from posebridge.model import labels
from posebridge.registry import all_formats

# --------------------------------------------------------------------------
# individuals (and keypoints) without any point: warned where not written, kept elsewhere

_SIZE = {"image_size": (640, 480)}
_CASE = ("fmt", "suffix", "kind", "options", "read_options")
#: Every writer of poses or labels that holds several individuals, and what it keeps of
#: an individual without any point: True, the individual (its name and place); False, not
#: it (the file lists instances: annotations, lines, rows, regions), with a warning.
_KEEPS_AN_INDIVIDUAL_WITHOUT_A_POINT = [
    ("dlc", ".h5", "poses", {"split_individuals": False}, {}, True),
    ("dlc", ".csv", "labels", {"split_individuals": False}, {}, True),
    ("sleap", ".analysis.h5", "poses", {}, {}, True),
    ("slp", ".slp", "poses", {}, {}, True),
    ("slp", ".slp", "labels", {}, {"instances": "user"}, True),
    ("nwb", ".nwb", "poses", {"split_individuals": False}, {}, True),
    ("nwb", ".nwb", "labels", {}, {}, False),
    ("netcdf", ".nc", "poses", {}, {}, True),
    ("netcdf", ".nc", "labels", {}, {}, True),
    ("sleap-csv", ".analysis.csv", "poses", {}, {}, False),
    ("coco", ".json", "labels", _SIZE, {}, False),
    ("coco", ".json", "poses", {}, {}, False),
    ("yolo", ".yaml", "labels", _SIZE, _SIZE, False),
    ("yolo", ".yaml", "poses", _SIZE, _SIZE, False),
    ("labelstudio", ".json", "labels", _SIZE, {}, False),
    ("labelstudio", ".json", "poses", _SIZE, {}, False),
]
#: Not listed: writers of one individual per file (LightningPose, Anipose), of boxes (VIA,
#: tests/formats/via) and of a folder of frame files (YOLO predictions, tests/formats/yolo).
_NOT_LISTED = {"lp", "anipose", "via", "yolo-predictions"}
_KEEP_EVERY_KEYPOINT = [
    (fmt, suffix, kind, options, read_options)
    for fmt, suffix, kind, options, read_options, _ in _KEEPS_AN_INDIVIDUAL_WITHOUT_A_POINT
    if fmt != "labelstudio"  # its tasks hold keypoints through points; it warns
]


def test_every_writer_of_several_individuals_is_listed():
    writers = {f.name for f in all_formats() if f.writes and {"poses", "labels"} & set(f.kinds)}
    listed = {case[0] for case in _KEEPS_AN_INDIVIDUAL_WITHOUT_A_POINT}
    assert writers - _NOT_LISTED == listed


def _save_and_load(tmp_path, ds, fmt, suffix, options, read_options):
    path = tmp_path / f"out{suffix}"
    messages = save_recording(lambda: posebridge.save(ds, path, format=fmt, **options))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # no frame rate, no images found: not the point
        return messages, posebridge.load(path, format=fmt, **read_options)


@pytest.mark.parametrize((*_CASE, "keeps"), _KEEPS_AN_INDIVIDUAL_WITHOUT_A_POINT)
def test_an_individual_without_a_point_is_kept_or_its_loss_is_warned_of(
    tmp_path, fmt, suffix, kind, options, read_options, keeps
):
    """A writer that keeps the individual says nothing; one that does not names it."""
    ds = with_absent(kind, "individual")
    messages, back = _save_and_load(tmp_path, ds, fmt, suffix, options, read_options)
    warned = not_written_warnings(messages)
    if keeps:
        assert warned == []
        assert back.individual.values.tolist() == ds.individual.values.tolist()
        assert np.isnan(back.position.sel(individual=absent(ds)).values).all()
    else:
        assert len(warned) == 1
        assert f"the individual(s) {absent(ds)!r} have" in warned[0]
        assert back.sizes["individual"] == ds.sizes["individual"] - len(absent(ds))


@pytest.mark.parametrize(_CASE, _KEEP_EVERY_KEYPOINT)
def test_a_keypoint_without_a_point_is_kept_and_nothing_is_warned_of_it(
    tmp_path, fmt, suffix, kind, options, read_options
):
    """The writers hold the keypoints in a header (COCO's category, YOLO's kpt_shape and
    names, SLEAP CSV's columns), not through points: an unplaced one is kept. (Label
    Studio's tasks are the exception; it warns, see tests/formats/labelstudio.)"""
    ds = with_absent(kind, "keypoint")
    messages, back = _save_and_load(tmp_path, ds, fmt, suffix, options, read_options)
    unscored = [m for m in messages if "confidence (" not in m]  # scores: tested below
    assert not [m for m in unscored if "not written" in m or "have no point" in m]
    if fmt == "coco" and kind == "poses":  # results name no keypoint: only their number
        assert back.sizes["keypoint"] == ds.sizes["keypoint"]
    else:
        assert back.keypoint.values.tolist() == ds.keypoint.values.tolist()
    assert np.isnan(back.position.sel(keypoint=back.keypoint.values[1]).values).all()


def test_the_warning_of_individuals_not_written_shows_ten_names_and_a_count():
    ds = posebridge.from_numpy(np.ones((2, 2, 1, 13)))
    ds["position"][..., 1:] = np.nan
    with pytest.warns(UserWarning) as caught:
        warn_individuals_not_written(ds, "out.json", "COCO holds them through annotations")
    (message,) = [str(w.message) for w in caught]
    names = ds.individual.values[1:].tolist()
    shown = f"{names[:10]!r} and {len(names) - 10} more"
    assert message.startswith(f"out.json: the individual(s) {shown} have no point")


@pytest.mark.parametrize(
    ("attr", "aligning", "identity"),
    [
        ("anipose_alignment_matrix", [0.5, 0, 0, 0, 1, 0, 0, 0, 1], np.eye(3).ravel().tolist()),
        ("anipose_alignment_center", [0.0, 3.0, 0.0], [0.0, 0.0, 0.0]),
    ],
)
def test_an_alignment_that_aligns_is_warned_about_an_identity_is_not(
    attr, aligning, identity, recwarn
):
    from posebridge.formats._shared.not_kept import warn_alignment_dropped

    ds = posebridge.from_numpy(np.ones((2, 3, 1, 1)))
    warn_alignment_dropped(ds.assign_attrs({attr: identity}), "a.h5", "DeepLabCut")
    assert not recwarn.list
    with pytest.warns(UserWarning, match=f"a.h5: DeepLabCut files have no place for {attr}"):
        warn_alignment_dropped(ds.assign_attrs({attr: aligning}), "a.h5", "DeepLabCut")


@pytest.mark.parametrize(
    "name", ["labels.slp", "labels.nwb", "CollectedData_me.h5", "CollectedData_me.csv"]
)
def test_points_labelled_but_not_visible_keep_their_positions(tmp_path, name):
    """COCO's v=1 (every labelled point of a PoseTrack file) -> .slp / NWB / DeepLabCut:
    every such point read back missing (SLEAP's and NWB's not-visible flag is a missing
    point to their tools; DeepLabCut has none). sleap-io's COCO reader keeps them as
    points; so do these writers now, warning that the flag is not kept."""

    position = np.array([[[10.0, 30.0, 50.0], [20.0, 40.0, 60.0]]])[..., None]
    visible = np.array([[[2.0], [1.0], [0.0]]])  # visible, labelled not visible, marked not
    ds = labels.from_numpy(position, image_path=["labeled-data/v/img1.png"], visible=visible)
    with pytest.warns(UserWarning, match=r"1 point\(s\) are flagged labelled but not visible"):
        (path, *_) = posebridge.save(ds, tmp_path / name)
    back = posebridge.load(path)
    expected = position.copy()
    expected[..., 2, :] = np.nan  # the point marked not visible is none
    np.testing.assert_array_equal(back.position.values, expected)
    if "visible" in back:  # the flag read back: visible (2), not 1
        assert back.visible.values[0, :2, 0].tolist() == [2.0, 2.0]
    if name.startswith("labels."):  # the owning tool reads the point too
        sio = pytest.importorskip("sleap_io")
        theirs = sio.load_slp(path) if name.endswith(".slp") else sio.load_nwb(path)
        points = theirs.labeled_frames[0].instances[0].numpy()
        np.testing.assert_array_equal(points[:2], [[10.0, 20.0], [30.0, 40.0]])
        assert np.isnan(points[2]).all()


# --------------------------------------------------------------------------
# scores: kept, or their loss warned of with the one shared warning

#: Every writer of several individuals (above), and COCO ground truth and Label Studio
#: annotations written for poses (kind=), whose points have no score either.
_SCORE_CASES = [
    *[(fmt, suffix, kind, options, read) for fmt, suffix, kind, options, read, _ in
      _KEEPS_AN_INDIVIDUAL_WITHOUT_A_POINT],
    ("coco", ".json", "poses", {"kind": "ground_truth"}, {}),
    ("labelstudio", ".json", "poses", {**_SIZE, "kind": "annotations"}, {}),
    ("labelstudio", ".json", "labels", {**_SIZE, "kind": "predictions"}, {}),
]  # fmt: skip


def _scored(kind):
    """A ``kind`` dataset of 4 frames, 3 keypoints, 2 individuals, every point scored."""
    position = np.arange(4 * 2 * 3 * 2, dtype=np.float64).reshape(4, 2, 3, 2) + 10.0
    confidence = (np.arange(4 * 3 * 2, dtype=np.float64).reshape(4, 3, 2) + 1.0) / 30.0
    names = {"individual_names": ["a", "b"], "keypoint_names": ["nose", "ear", "tail"]}
    if kind == "labels":
        images = [f"v/img{frame:03d}.png" for frame in range(4)]
        return labels.from_numpy(position, image_path=images, confidence_array=confidence, **names)
    return posebridge.from_numpy(position, confidence, **names)


@pytest.mark.parametrize(_CASE, _SCORE_CASES)
def test_scores_are_kept_or_their_loss_is_warned_of(
    tmp_path, fmt, suffix, kind, options, read_options
):
    """The .slp and DeepLabCut writers said "the labels' confidence (N score(s)) is not
    written"; YOLO, COCO ground truth, Label Studio annotations and NWB's training frames
    dropped the scores without a word. Every writer now keeps them or gives that warning."""
    ds = _scored(kind)
    scores = ds.confidence.values[np.isfinite(ds.confidence.values)]
    messages, back = _save_and_load(tmp_path, ds, fmt, suffix, options, read_options)
    warned = [m for m in messages if "confidence (" in m and "is not written" in m]
    read = back.confidence.values[np.isfinite(back.confidence.values)]
    if read.size:  # kept: every score, and no warning of their loss
        np.testing.assert_allclose(np.sort(read), np.sort(scores))
        assert warned == []
    else:
        assert len(warned) == 1
        whose = "labels'" if kind == "labels" else "poses'"
        assert f"the {whose} confidence ({scores.size} score(s)) is not written" in warned[0]


@pytest.mark.parametrize(
    "name",
    ["p.slp", "p.analysis.h5", "p.analysis.csv", "pDLC_x.h5", "pDLC_x.csv", "lp_preds.csv"],
)
def test_frame_files_warn_that_timestamps_off_the_frame_grid_are_not_kept(tmp_path, name):
    """SLEAP's, DeepLabCut's and LightningPose's files hold a frame number per row:
    timestamps that are not frame / fps (an NWB session clock) were written as
    round(t x fps) and read back in frames, silently."""
    on_grid = posebridge.from_numpy(np.ones((3, 2, 2, 1)), np.full((3, 2, 1), 0.5), fps=25.0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        posebridge.save(on_grid, tmp_path / f"grid_{name}", **_format_of(name))
    assert not [w for w in caught if "time in seconds is not kept" in str(w.message)]
    stamped = on_grid.assign_coords(time=[0.4, 0.45, 0.81])  # rows 10, 11, 20 at 25 fps
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        posebridge.save(stamped, tmp_path / name, **_format_of(name))
    said = [str(w.message) for w in caught if "time in seconds is not kept" in str(w.message)]
    assert len(said) == 1 and str(tmp_path / name) in said[0]
    assert "its fps (25)" in said[0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        back = posebridge.load(tmp_path / name, **_format_of(name))
    assert back.attrs["time_unit"] == "frames"  # what the warning says is lost


def _format_of(name: str) -> dict:
    """LightningPose's predictions name no format of their own: say it."""
    return {"format": "lp"} if name.startswith("lp_") else {}


# --------------------------------------------------------------------------
# variables not per keypoint and extra coordinates: named where not written, never where kept

#: Every writer but netCDF (which keeps every variable) with a dataset it takes: format,
#: file name, labels (else poses), write options, read options. NWB names its variables
#: itself (its coordinates: tests/formats/nwb).
_WRITERS = [
    ("dlc", "x.h5", False, {}, {}),
    ("dlc", "CollectedData_me.csv", True, {}, {}),
    ("lp", "x.csv", False, {}, {}),
    ("sleap", "x.analysis.h5", False, {}, {}),
    ("slp", "x.slp", False, {}, {}),
    ("slp", "x.slp", True, {}, {}),
    ("sleap-csv", "x.analysis.csv", False, {}, {}),
    ("coco", "x.json", False, {"kind": "ground_truth"}, {}),
    ("coco", "x.json", True, {}, {}),
    ("coco", "x.json", False, {"kind": "results"}, {}),
    ("yolo", "data.yaml", True, _SIZE, _SIZE),
    ("yolo-predictions", "frame.txt", False, _SIZE, {**_SIZE, "kpt_shape": [3, 3]}),
    ("labelstudio", "x.json", True, _SIZE, {}),
    ("labelstudio", "x.json", False, _SIZE, {}),
    ("anipose", "x.csv", False, {}, {}),
]


def _with_extras(is_labels: bool, space: int) -> posebridge.xr.Dataset:
    """One individual, three keypoints, four rows, with what some writers keep (tracking
    scores, class ids, image sizes, the skeleton) and what none but netCDF does (a
    per-animal ``speed``, a per-frame ``led_on``, a ``trial`` label along time)."""
    rng = np.random.default_rng(0)
    position = rng.random((4, space, 3, 1)) * 100 + 10
    names = ["a", "b", "c"]
    if is_labels:
        ds = labels.from_numpy(position, image_path=[f"img{i}.png" for i in range(4)])
        ds = ds.assign_coords(keypoint=names)
    else:
        ds = posebridge.from_numpy(position, rng.random((4, 3, 1)), keypoint_names=names)
        ds["tracking_score"] = (("time", "individual"), rng.random((4, 1)))
        ds["category_id"] = (("time", "individual"), np.zeros((4, 1), dtype=np.int64))
    ds["skeleton_edges"] = (("edge", "edge_node"), np.array([["a", "b"]]))
    ds["speed"] = (("time", "individual"), rng.random((4, 1)))
    ds["led_on"] = (("time",), np.array([0.0, 1.0, 1.0, 0.0]))
    return ds.assign_coords(
        trial=("time", ["t1", "t1", "t2", "t2"]),
        image_width=("time", np.full(4, 640)),
        image_height=("time", np.full(4, 480)),
    )


@pytest.mark.parametrize(("fmt", "name", "is_labels", "options", "read_options"), _WRITERS)
def test_variables_and_coordinates_not_written_are_named_and_those_kept_are_not(
    tmp_path, fmt, name, is_labels, options, read_options
):
    """A per-frame signal, a per-animal measure and a trial label along time have no place
    in these formats: each write names them in one warning on its file, as NWB's writer
    names its variables; what the file keeps (a .slp's tracking scores, COCO's image
    sizes) is not named, and what is named does not read back (h118 finding 4)."""
    ds = _with_extras(is_labels, 3 if fmt == "anipose" else 2)
    path = tmp_path / name
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        posebridge.save(ds, path, format=fmt, **options)
    said = [str(w.message) for w in caught if "have no place for" in str(w.message)]
    assert len(said) == 1, said
    named = set(said[0].split("have no place for ")[1].split(":")[0].split(", "))
    assert {"speed", "led_on", "trial"} <= named
    back = posebridge.load(tmp_path if fmt == "yolo-predictions" else path, format=fmt,
                           **read_options)  # fmt: skip
    held = set(back.data_vars) | set(back.coords)
    extras = (set(ds.data_vars) | set(ds.coords)) - set(ds.dims) - {"position", "confidence"}
    assert not named & held  # nothing named was kept
    assert extras - held - {"image_path", "frame"} <= named  # nothing lost unnamed


def test_values_that_hold_nothing_and_times_repeated_are_not_named_as_lost():
    """h121: DANNCE's sample_id (the times again) and SLEAP's all-zero tracking scores
    were named as not written by every writer (h122: also when streamed)."""
    from posebridge.formats._shared.not_kept import variables_not_written

    ds = posebridge.from_numpy(np.ones((3, 2, 1, 2)))
    ds["tracking_score"] = (("time", "individual"), np.zeros((3, 2)))
    ds["gaps"] = (("time", "individual"), np.full((3, 2), np.nan))
    ds = ds.assign_coords(sample_id=("time", ds.time.values.copy()))
    assert variables_not_written(ds) == []
    assert variables_not_written(ds.chunk({"time": 1})) == []  # read lazily: small, read
    scored = ds.assign(tracking_score=(("time", "individual"), np.full((3, 2), 0.5)))
    shifted = ds.assign_coords(sample_id=("time", ds.time.values + 100))
    assert variables_not_written(scored) == ["tracking_score"]
    assert variables_not_written(shifted) == ["sample_id"]


def test_nwb_does_not_name_sleaps_all_zero_tracking_scores_as_lost(tmp_path):
    ds = posebridge.from_numpy(np.ones((3, 2, 1, 2)))
    ds["tracking_score"] = (("time", "individual"), np.zeros((3, 2)))
    ds["instance_score"] = (("time", "individual"), np.full((3, 2), 0.9))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        posebridge.save(ds, tmp_path / "out.nwb")
    said = [str(w.message) for w in caught if "has no place for" in str(w.message)]
    assert len(said) == 1 and "instance_score" in said[0] and "tracking_score" not in said[0]


_NWB_ONLY_ATTRS = ("subject_id", "session_description", "device", "space_unit", "fps")


@pytest.mark.parametrize("name", ["m_dlc.h5", "m.analysis.h5", "m.slp"])
def test_nwb_metadata_dlc_and_sleap_files_cannot_hold_is_left_out_as_the_readme_says(
    tmp_path, name
):
    """DeepLabCut and SLEAP writers dropped fps, subject_*, session_*, device and
    space_unit without a word, and README did not say so (h126 item 4): these files have
    no field for them; README now says which formats keep them."""
    from pathlib import Path

    ds = posebridge.from_numpy(
        np.ones((3, 2, 2, 1)), individual_names=["mouse"], keypoint_names=["nose", "tail"], fps=30
    )
    ds.attrs.update(
        subject_id="M1", session_description="open field", device="cam", space_unit="pixels"
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        (path,) = posebridge.save(ds, tmp_path / name)
        back = posebridge.load(path)
    assert not set(_NWB_ONLY_ATTRS) & set(back.attrs)
    readme = (Path(__file__).parents[3] / "README.md").read_text(encoding="utf-8")
    said = " ".join(readme.split())
    assert "Only NWB and netCDF keep the subject and session (`subject_*`, `session_*`)" in said
    assert "so `fps` is not kept" in said
