"""The drop-ins raise what movement 0.17 raises, each error also a PoseBridgeError.

Every test runs movement's own function on the same input and compares: a
bboxes dataset to ``to_nwb_file`` (AttributeError), a wrong NWB key (KeyError),
an unknown keyword (TypeError), a missing output folder (PermissionError), and
``load_dataset``'s keywords reaching the validators of registered loaders.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import ClassVar

import numpy as np
import pytest
import xarray as xr

import posebridge
from _corpus import corpus_path
from posebridge import errors
from posebridge.io import load, load_poses, save_bboxes, save_poses

movement_load = pytest.importorskip("movement.io.load")
movement_load_bboxes = pytest.importorskip("movement.io.load_bboxes")
movement_load_poses = pytest.importorskip("movement.io.load_poses")
movement_save_bboxes = pytest.importorskip("movement.io.save_bboxes")
movement_save_poses = pytest.importorskip("movement.io.save_poses")


@pytest.fixture
def poses() -> xr.Dataset:
    """4 frames, 2 keypoints, 1 individual, built with movement."""
    rng = np.random.default_rng(0)
    return movement_load_poses.from_numpy(
        rng.uniform(0, 100, (4, 2, 2, 1)), rng.uniform(0, 1, (4, 2, 1)), fps=30
    )


@pytest.fixture
def boxes() -> xr.Dataset:
    """3 frames of one box, built with movement."""
    return movement_load_bboxes.from_numpy(np.ones((3, 2, 1)), np.ones((3, 2, 1)))


def _raised(call, *args, **kwargs) -> BaseException:
    """What ``call(*args, **kwargs)`` raises (warnings silenced)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            call(*args, **kwargs)
        except Exception as error:  # the test compares what each tool raises
            return error
    raise AssertionError("no error raised")


# --------------------------------------------------------------------------
# 1. to_nwb_file of a bboxes dataset


def test_to_nwb_file_of_boxes_raises_movement_s_type_naming_the_problem(boxes):
    theirs = _raised(lambda: movement_save_poses.to_nwb_file(boxes))
    ours = _raised(lambda: save_poses.to_nwb_file(boxes))
    assert isinstance(theirs, AttributeError)
    assert isinstance(ours, AttributeError)
    assert isinstance(ours, errors.SchemaError)  # a PoseBridgeError, so a ValueError
    assert "bboxes" in str(ours) and "to_nwb_file writes poses" in str(ours)


# --------------------------------------------------------------------------
# 2. a wrong NWB key


@pytest.fixture
def nwb_file(tmp_path, poses) -> Path:
    """``poses`` as movement writes it: module 'behavior', PoseEstimation 'PoseEstimation'."""
    import pynwb

    path = tmp_path / "session.nwb"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        nwbfile = movement_save_poses.to_nwb_file(poses)
        with pynwb.NWBHDF5IO(path, "w") as io:
            io.write(nwbfile)
    return path


@pytest.mark.parametrize("key", ["pose_estimation_key", "processing_module_key"])
def test_a_wrong_nwb_key_is_a_key_error_that_reads_normally(nwb_file, key):
    theirs = _raised(lambda: movement_load_poses.from_nwb_file(nwb_file, **{key: "XX"}))
    ours = _raised(lambda: load_poses.from_nwb_file(nwb_file, **{key: "XX"}))
    assert isinstance(theirs, KeyError)
    assert isinstance(ours, KeyError) and isinstance(ours, errors.FormatError)
    message = str(ours)
    assert message.startswith(f"{nwb_file}: has no PoseEstimation named")  # not quoted
    assert "'XX'" in message and "processing/behavior/PoseEstimation" in message
    via_load_dataset = _raised(lambda: load.load_dataset(nwb_file, "NWB", **{key: "XX"}))
    assert isinstance(via_load_dataset, KeyError)


def test_other_nwb_errors_are_not_key_errors(tmp_path):
    not_nwb = tmp_path / "broken.nwb"
    not_nwb.write_bytes(b"not an HDF5 file")
    ours = _raised(lambda: load_poses.from_nwb_file(not_nwb))
    assert isinstance(ours, errors.FormatError) and not isinstance(ours, KeyError)


# --------------------------------------------------------------------------
# 3. an unknown keyword


def test_an_unknown_keyword_is_a_type_error_as_in_movement(tmp_path, poses, nwb_file):
    dlc = tmp_path / "poses.h5"
    analysis = tmp_path / "poses.analysis.h5"
    lp = tmp_path / "lp.csv"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        movement_save_poses.to_dlc_file(poses, dlc, split_individuals=False)
        movement_save_poses.to_sleap_analysis_file(poses, analysis)
        movement_save_poses.to_lp_file(poses, lp)
    (lp_file,) = tmp_path.glob("lp_*.csv")
    calls = [
        ("from_dlc_file", lambda m: m.from_dlc_file(dlc, foo=1)),
        ("from_lp_file", lambda m: m.from_lp_file(lp_file, foo=1)),
        ("from_sleap_file", lambda m: m.from_sleap_file(analysis, foo=1)),
        ("from_nwb_file", lambda m: m.from_nwb_file(nwb_file, foo=1)),
    ]
    for name, call in calls:
        theirs = _raised(lambda call=call: call(movement_load_poses))
        ours = _raised(lambda call=call: call(load_poses))
        assert isinstance(theirs, TypeError), name
        assert isinstance(ours, TypeError) and isinstance(ours, posebridge.PoseBridgeError), name
        assert f"{name}() got an unexpected keyword argument 'foo'" in str(ours)
    for software in ("auto", "DeepLabCut", "SLEAP"):
        file = analysis if software == "SLEAP" else dlc
        theirs = _raised(movement_load.load_dataset, file, software, foo=1)
        ours = _raised(load.load_dataset, file, software, foo=1)
        assert isinstance(theirs, TypeError) and isinstance(ours, TypeError), software
        assert "unexpected keyword argument 'foo'" in str(ours)
    ours = _raised(lambda: load.load_multiview_dataset({"a": dlc}, foo=1))
    assert isinstance(ours, errors.TypeError)


def test_known_keywords_still_reach_the_reader(tmp_path, poses):
    dlc = tmp_path / "poses.h5"
    movement_save_poses.to_dlc_file(poses, dlc, split_individuals=False)
    ds = load_poses.from_dlc_file(dlc, fps=30, key="df_with_missing")
    theirs = movement_load_poses.from_dlc_file(dlc, 30)
    np.testing.assert_allclose(ds.position.values, theirs.position.values)


# --------------------------------------------------------------------------
# 4. a missing output folder


def test_a_missing_output_folder_is_movement_s_permission_error_too(tmp_path, poses, boxes):
    missing = tmp_path / "missing"
    savers = [
        ("to_dlc_file", poses, "x.h5", movement_save_poses, save_poses),
        ("to_sleap_analysis_file", poses, "x.h5", movement_save_poses, save_poses),
        ("to_lp_file", poses, "x.csv", movement_save_poses, save_poses),
        ("to_via_tracks_file", boxes, "x.csv", movement_save_bboxes, save_bboxes),
    ]
    for name, ds, file_name, theirs_module, ours_module in savers:
        theirs = _raised(getattr(theirs_module, name), ds, missing / file_name)
        ours = _raised(getattr(ours_module, name), ds, missing / file_name)
        assert isinstance(theirs, PermissionError), name
        assert isinstance(ours, PermissionError), name
        assert isinstance(ours, FileNotFoundError) and isinstance(ours, errors.FileNotFoundError)
        assert isinstance(ours, posebridge.PoseBridgeError)
        assert str(ours) == f"{missing / file_name}: the folder {missing} does not exist."
    for name, file_name in (("to_slp_file", "x.slp"), ("to_anipose_file", "x.csv")):
        ours = _raised(getattr(save_poses, name), poses, missing / file_name)
        assert isinstance(ours, errors.FolderNotFoundError), name
    assert not missing.exists()


# --------------------------------------------------------------------------
# 5. load_dataset(file, "auto", **kwargs) hands kwargs to the inference


@pytest.fixture
def fresh_registries(monkeypatch):
    """movement's and posebridge's loader registries, restored after the test."""
    for name in ("_LOADER_REGISTRY", "_LOADER_VALIDATORS_REGISTRY"):
        monkeypatch.setattr(movement_load, name, dict(getattr(movement_load, name)))
    for name in ("_REGISTERED", "_REGISTERED_SUFFIXES", "_REGISTERED_VALIDATORS"):
        monkeypatch.setattr(load, name, {}, raising=False)  # the last is new


def test_auto_hands_the_keywords_to_registered_validators(tmp_path, poses, fresh_registries):
    import attrs

    @attrs.define
    class ValidTrk:
        """A .trk file whose first line is its ``marker`` (default ``TRK``)."""

        suffixes: ClassVar[set[str]] = {".trk"}
        file: Path = attrs.field(converter=Path)
        marker: str = "TRK"

        def __attrs_post_init__(self) -> None:
            if self.file.read_text().splitlines()[0] != self.marker:
                raise ValueError(f"{self.file} does not start with {self.marker}")

    path = tmp_path / "session.trk"
    path.write_text("MINE\n")
    for module in (movement_load, load):

        @module.register_loader("Trk", file_validators=[ValidTrk])
        def from_trk(file, fps=None, **kwargs):
            assert isinstance(file, ValidTrk) and file.marker == "MINE"
            return poses

    for module in (movement_load, load):
        assert module.infer_source_software(path, marker="MINE") == "Trk"
        assert module.load_dataset(path, "auto", marker="MINE") is poses
        assert isinstance(_raised(lambda m=module: m.load_dataset(path, "auto")), ValueError)
    assert isinstance(_raised(lambda: load.infer_source_software(path)), errors.UnknownFormatError)


def test_to_via_tracks_file_without_trailing_numbers_takes_one_selected_individual(
    tmp_path, boxes
):
    """xarray's ValueError ('Dimensions {'individual'} do not exist') came out of the
    reordering of the names; the default (trailing numbers) wrote the same dataset."""
    one = boxes.sel(individual=boxes.individual.values[0])
    path = save_bboxes.to_via_tracks_file(
        one, tmp_path / "one.csv", track_ids_from_trailing_numbers=False
    )
    assert posebridge.load(path).sizes["individual"] == 1
    error = _raised(save_bboxes.to_via_tracks_file, [1, 2], tmp_path / "list.csv",
                    track_ids_from_trailing_numbers=False)  # fmt: skip
    assert isinstance(error, errors.TypeError) and "xarray Dataset" in str(error)


@pytest.mark.parametrize("writer", ["save_nwb", "write_nwb"])
def test_boxes_given_to_the_sleap_io_style_nwb_writers_are_refused(tmp_path, writer):
    """A raw KeyError: "No variable named 'keypoint'"."""
    from posebridge import model
    from posebridge.io import nwb

    boxes = model.bboxes_from_numpy(np.zeros((2, 2, 1)), np.ones((2, 2, 1)))
    with pytest.raises(errors.DatasetKindError, match="PoseEstimation takes poses"):
        getattr(nwb, writer)(boxes, tmp_path / "b.nwb")
    assert not (tmp_path / "b.nwb").exists()


def test_save_nwb_appending_predictions_to_a_missing_file_raises_as_sleap_io(tmp_path, poses):
    """It wrote a new file: sleap-io raises FileNotFoundError, as append implies a file."""
    from posebridge.io import nwb

    with pytest.raises(FileNotFoundError, match=r"missing\.nwb: does not exist; append=True"):
        nwb.save_nwb(poses, tmp_path / "missing.nwb", "predictions", append=True)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("nwb_format", ["auto", "annotations"])
def test_save_nwb_appending_annotations_to_a_missing_file_writes_it_as_sleap_io(
    tmp_path, nwb_format
):
    """sleap-io writes annotations whatever append says; the drop-in raised
    FileNotFoundError (checked against sleap-io's own save_nwb on the same Labels)."""
    sio = pytest.importorskip("sleap_io")
    from sleap_io.io.nwb import save_nwb as sleap_io_save_nwb

    from posebridge.io import nwb

    labels = sio.load_slp(str(corpus_path("sleap_slp/minimal_instance.slp")))
    sleap_io_save_nwb(labels, str(tmp_path / "theirs.nwb"), nwb_format, append=True)
    assert (tmp_path / "theirs.nwb").is_file()

    written = nwb.save_nwb(labels, tmp_path / "ours.nwb", nwb_format, append=True)

    assert written == tmp_path / "ours.nwb"
    back = nwb.load_nwb(written)
    assert len(back.labeled_frames) == len(labels.labeled_frames)
    np.testing.assert_array_equal(
        back.labeled_frames[0].instances[0].numpy(), labels.labeled_frames[0].instances[0].numpy()
    )


@pytest.mark.parametrize(
    ("module_name", "saver", "suffix"),
    [
        ("save_poses", "to_dlc_file", ".h5"),
        ("save_poses", "to_dlc_style_df", None),
        ("save_poses", "to_lp_file", ".csv"),
        ("save_poses", "to_sleap_analysis_file", ".h5"),
        ("save_poses", "to_nwb_file", None),
        ("save_bboxes", "to_via_tracks_file", ".csv"),
    ],
)
@pytest.mark.parametrize("not_a_dataset", ["ds", [1, 2], None])
def test_a_saver_given_no_dataset_raises_what_movement_raises(
    tmp_path, module_name, saver, suffix, not_a_dataset
):
    """movement's to_dlc_file and to_nwb_file raise AttributeError (they read
    ``ds.attrs`` first), its other savers TypeError; ours raised TypeError alone."""
    ours = {"save_poses": save_poses, "save_bboxes": save_bboxes}[module_name]
    theirs = {"save_poses": movement_save_poses, "save_bboxes": movement_save_bboxes}[module_name]
    args = (not_a_dataset,) if suffix is None else (not_a_dataset, tmp_path / f"out{suffix}")
    expected = type(_raised(getattr(theirs, saver), *args))
    error = _raised(getattr(ours, saver), *args)
    assert isinstance(error, expected) and isinstance(error, errors.PoseBridgeError)
    assert "xarray Dataset" in str(error)
    assert list(tmp_path.iterdir()) == []


# --------------------------------------------------------------------------
# load_multiview_dataset of a list (h139 F2)


def test_load_multiview_dataset_of_a_list_raises_movement_s_attribute_error(tmp_path, poses):
    dlc = tmp_path / "poses.h5"
    movement_save_poses.to_dlc_file(poses, dlc, split_individuals=False)
    theirs = _raised(lambda: movement_load.load_multiview_dataset([dlc, dlc], "DeepLabCut"))
    ours = _raised(lambda: load.load_multiview_dataset([dlc, dlc], "DeepLabCut"))
    assert isinstance(ours, type(theirs))  # movement's AttributeError catches ours
    assert isinstance(ours, AttributeError)
    assert isinstance(ours, TypeError) and isinstance(ours, errors.NotADictError)
    assert isinstance(ours, posebridge.PoseBridgeError)
    assert "'file_dict' to be a dict of view name -> file" in str(ours) and "list" in str(ours)


def test_load_multiview_dataset_takes_any_mapping_as_movement(tmp_path, poses):
    """h147 item 6: movement only calls keys() and values(), so a mappingproxy works."""
    import types

    dlc = tmp_path / "poses.h5"
    movement_save_poses.to_dlc_file(poses, dlc, split_individuals=False)
    views = types.MappingProxyType({"left": dlc, "right": dlc})
    theirs = movement_load.load_multiview_dataset(views, "DeepLabCut", fps=30)
    ours = load.load_multiview_dataset(views, "DeepLabCut", fps=30)
    assert ours["view"].values.tolist() == theirs["view"].values.tolist() == ["left", "right"]
    np.testing.assert_array_equal(
        ours.position.transpose(*theirs.position.dims).values, theirs.position.values
    )
