"""formats/_shared/guards: what a writer refuses before it opens a file."""

from __future__ import annotations

import re
import warnings

import numpy as np
import pytest

import posebridge
from _absent_entries import absent, not_written_warnings, save_recording, with_absent
from posebridge.errors import SchemaError
from posebridge.formats._shared.guards import warn_individuals_not_written
from posebridge.registry import all_formats


@pytest.mark.parametrize(
    ("name", "options"),
    [
        ("gt.json", {"format": "coco", "kind": "ground_truth", "image_size": (64, 48)}),
        ("results.json", {"format": "coco", "kind": "results", "image_size": (64, 48)}),
        ("data.yaml", {"format": "yolo", "image_size": (64, 48)}),
        ("tasks.json", {"format": "labelstudio", "image_size": (64, 48)}),
        ("p.analysis.csv", {"format": "sleap-csv"}),
    ],
)
def test_writers_that_list_instances_refuse_a_dataset_without_a_point(tmp_path, name, options):
    """COCO and YOLO crashed (numpy reshape), Label Studio and SLEAP CSV wrote files that
    their own readers refuse."""
    ds = posebridge.from_numpy(np.full((3, 2, 2, 2), np.nan), fps=30)
    with pytest.raises(SchemaError, match=r"holds no point \(every position is NaN\)"):
        posebridge.save(ds, tmp_path / name, **options)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("name", ["gt.json", "data.yaml", "tasks.json", "p.analysis.csv"])
def test_one_point_is_enough_and_reads_back(tmp_path, name):
    position = np.full((3, 2, 2, 2), np.nan)
    position[1, :, 0, 1] = [12.0, 20.0]
    ds = posebridge.from_numpy(position, fps=30)
    fmt = {"gt.json": "coco", "data.yaml": "yolo", "tasks.json": "labelstudio"}.get(name)
    sized = {"image_size": (64, 48)} if fmt else {}
    posebridge.save(ds, tmp_path / name, format=fmt, **sized)
    back = posebridge.load(tmp_path / name, **({"image_size": (64, 48)} if fmt == "yolo" else {}))
    assert np.isfinite(back.position.values).sum() == 2
    np.testing.assert_allclose(np.nanmax(back.position.values, axis=(0, 2, 3)), [12.0, 20.0])


@pytest.mark.parametrize("writer", ["coco", "yolo", "yolo-predictions", "labelstudio"])
@pytest.mark.parametrize("unit", ["centimeters", "mm", "Millimetres"])
def test_image_formats_refuse_positions_in_a_unit_of_length(writer, unit, tmp_path):
    """TRex's centimetres went to YOLO, COCO and Label Studio as pixels (x 8.7-28.7 cm became
    a YOLO point at 0.0085 of the image) without a word."""
    ds = posebridge.from_numpy(np.full((2, 2, 1, 1), 20.0), keypoint_names=["centroid"])
    ds = ds.assign_attrs(space_unit=unit, video_width=640, video_height=480)
    fmt = posebridge.registry.get(writer)
    target = tmp_path / f"out{fmt.extensions[0]}"
    with pytest.raises(SchemaError, match=rf"in {unit} \(space_unit\).*to pixels"):
        posebridge.save(ds, target, format=writer, image_size=(640, 480))
    assert list(tmp_path.iterdir()) == []
    pixels = ds.assign_attrs(space_unit="pixels")
    assert posebridge.save(pixels, target, format=writer, image_size=(640, 480))


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
    assert not [m for m in messages if "not written" in m or "have no point" in m]
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


# --------------------------------------------------------------------------
# camera views, individuals' names, Anipose's alignment


def _viewed(views, ds_type="poses"):
    if ds_type == "bboxes":
        from posebridge.model import bboxes_from_numpy

        ds = bboxes_from_numpy(np.ones((3, 2, 1)), np.ones((3, 2, 1)))
    else:
        ds = posebridge.from_numpy(np.ones((3, 2, 1, 1)))
    return ds.expand_dims(view=list(views), axis=-1)


def test_one_camera_view_is_named_singular_with_advice_that_drops_it():
    from posebridge.formats._shared.guards import refuse_views

    with pytest.raises(SchemaError) as caught:
        refuse_views(_viewed(["side"]), "DeepLabCut")
    message = str(caught.value)
    assert "1 camera view (side)" in message
    assert "1 camera views" not in message
    assert "ds.isel(view=0, drop=True)" in message
    assert "one view at a time" not in message


def test_camera_views_of_boxes_are_pointed_at_netcdf_only_not_nwb():
    from posebridge.formats._shared.guards import refuse_views

    for views in (["left", "right"], ["side"]):
        with pytest.raises(SchemaError) as boxes:
            refuse_views(_viewed(views, "bboxes"), "VIA tracks")
        assert "netCDF (.nc)" in str(boxes.value)
        assert "NWB" not in str(boxes.value)  # NWB holds no boxes
        with pytest.raises(SchemaError, match="NWB or netCDF"):
            refuse_views(_viewed(views), "DeepLabCut")  # poses: both hold them


def test_a_made_up_individual_name_is_not_warned_about_a_real_one_is(recwarn):
    from posebridge.formats._shared.guards import GENERATED_NAMES, warn_individual_name_not_stored

    for name in sorted(GENERATED_NAMES):
        warn_individual_name_not_stored(name, "a.csv", layout="x", read_back="y", keep="z")
    assert not recwarn.list
    with pytest.warns(UserWarning, match=r"a\.csv: the individual's name 'mouse7' is not stored"):
        warn_individual_name_not_stored("mouse7", "a.csv", layout="x", read_back="y", keep="z")


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
    from posebridge.formats._shared.guards import warn_alignment_dropped

    ds = posebridge.from_numpy(np.ones((2, 3, 1, 1)))
    warn_alignment_dropped(ds.assign_attrs({attr: identity}), "a.h5", "DeepLabCut")
    assert not recwarn.list
    with pytest.warns(UserWarning, match=f"a.h5: DeepLabCut files have no place for {attr}"):
        warn_alignment_dropped(ds.assign_attrs({attr: aligning}), "a.h5", "DeepLabCut")


#: Individuals with no identity to lose: untracked instances, a lone id_0 / individual_0
#: (a tool's name for data that names none).
NAMES_WITHOUT_IDENTITY = [["untracked_0", "untracked_1"], ["id_0"], ["individual_0"]]
#: Named or numbered individuals: which is which across images is theirs (a tracker's
#: track_<k>, maDLC's individual<k>, an array's id_<k>); a lone track_1 was picked from
#: several tracks.
NAMES_WITH_IDENTITY = [
    ["mouse", "rat"],
    ["queen"],
    ["id_0", "worker"],
    ["cam1", "cam2"],
    ["track_1"],
    ["id_0", "id_1"],
    ["individual1", "individual2"],
    ["track_3", "untracked_0"],
]


@pytest.mark.parametrize(
    ("names", "warned"),
    [(n, False) for n in NAMES_WITHOUT_IDENTITY] + [(n, True) for n in NAMES_WITH_IDENTITY],
)
def test_yolo_and_label_studio_say_alike_which_names_are_lost(tmp_path, names, warned):
    """The writers of labels without identities had two rules: YOLO's (any made-up name)
    and Label Studio's (untracked_<k> only, and never for one individual); one rule now:
    all but untracked_<k> lose which is which, a lone tool-made name loses nothing."""
    from posebridge.model import labels

    ds = labels.from_numpy(
        np.full((2, 2, 2, len(names)), 5.0), image_path=["a.png", "b.png"], individual_names=names
    )
    said = {}
    for writer, name in (("yolo", "data.yaml"), ("labelstudio", "tasks.json")):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            posebridge.save(ds, tmp_path / name, format=writer, image_size=(64, 64))
        said[writer] = [
            re.search(r"the individuals \(?(.+?)\)? read back as (\S+),", text).groups()
            for text in (str(w.message) for w in caught)
            if "read back as untracked_<k>" in text
        ]
    given = ", ".join(name for name in names if not name.startswith("untracked_"))
    expected = [(given, "untracked_<k>")]
    assert said["yolo"] == (expected if warned else [])
    assert said["labelstudio"] == (expected if warned else [])


@pytest.mark.parametrize(
    "name", ["labels.slp", "labels.nwb", "CollectedData_me.h5", "CollectedData_me.csv"]
)
def test_points_labelled_but_not_visible_keep_their_positions(tmp_path, name):
    """COCO's v=1 (every labelled point of a PoseTrack file) -> .slp / NWB / DeepLabCut:
    every such point read back missing (SLEAP's and NWB's not-visible flag is a missing
    point to their tools; DeepLabCut has none). sleap-io's COCO reader keeps them as
    points; so do these writers now, warning that the flag is not kept."""
    from posebridge.model import labels

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
