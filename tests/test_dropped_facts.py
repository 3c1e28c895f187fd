"""_dropped_facts.warn_instance_facts_dropped: COCO's image ids and areas, skeleton symmetries and
instance scores that a format cannot hold are not dropped without a word."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import xarray as xr

import posebridge
from posebridge.model import labels

KEYPOINTS = ["left_eye", "right_eye", "nose"]
IMAGE_IDS = [136, 2041]  # COCO's ids: not 1..n, nor the frames' numbers
AREAS = [[120.0, 340.0], [np.nan, 98.0]]
SCORES = [[0.25, 0.5], [np.nan, 0.875]]
SYMMETRY = [["left_eye", "right_eye"]]


def _facts(ds: xr.Dataset) -> xr.Dataset:
    """``ds`` with COCO's image ids and areas, a symmetry, scores and image sizes."""
    ds = ds.assign_coords(
        image_id=("time", IMAGE_IDS),
        image_width=("time", [640, 640]),
        image_height=("time", [480, 480]),
    )
    ds["instance_area"] = (("time", "individual"), np.array(AREAS))
    ds["instance_score"] = (("time", "individual"), np.array(SCORES))
    ds["skeleton_symmetries"] = (("symmetry", "edge_node"), np.array(SYMMETRY))
    return ds


def _position() -> np.ndarray:
    position = np.arange(2 * 2 * 3 * 2, dtype=np.float64).reshape(2, 2, 3, 2) + 10.0
    position[1, :, :, 0] = np.nan  # the first individual is not in the second image
    return position


def _labels() -> xr.Dataset:
    frames = labels.from_numpy(
        _position(),
        image_path=["images/000136.jpg", "images/002041.jpg"],
        keypoint_names=KEYPOINTS,
        individual_names=["mouse", "rat"],
    )
    return _facts(frames)


def _poses() -> xr.Dataset:
    confidence = np.where(np.isnan(_position()[:, 0]), np.nan, 0.75)
    ds = posebridge.from_numpy(_position(), confidence, keypoint_names=KEYPOINTS)
    return _facts(ds)


#: What each extra reads back as in the formats that keep it (from the test's inputs).
_KEPT = {
    "image_id": lambda ds: ds.image_id.values.tolist() == IMAGE_IDS,
    "instance_area": lambda ds: np.array_equal(ds.instance_area.values, AREAS, equal_nan=True),
    "instance_score": lambda ds: np.allclose(ds.instance_score.values, SCORES, equal_nan=True),
    "skeleton_symmetries": lambda ds: (
        sorted(map(sorted, ds.skeleton_symmetries.values.tolist())) == [sorted(SYMMETRY[0])]
    ),
}
#: The warning's words for each extra.
_WARNED = {
    "image_id": "holds no image ids, so image_id",
    "instance_area": "holds no COCO areas, so instance_area",
    "instance_score": "holds no instance scores, so instance_score",
    "skeleton_symmetries": "holds no skeleton symmetries, so skeleton_symmetries",
}
#: Formats that keep each extra: a dataset written to them gives no such warning.
_KEEPERS = {
    "image_id": [("gt.json", {}), ("kept.nc", {})],
    "instance_area": [("gt.json", {}), ("kept.nc", {})],
    "instance_score": [("p.slp", {}), ("results.json", {}), ("kept.nc", {})],
    "skeleton_symmetries": [("l.slp", {}), ("data.yaml", {}), ("kept.nc", {})],
}


def _saved(ds: xr.Dataset, path, options) -> list[str]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        posebridge.save(ds, path, **options)
    return [str(w.message) for w in caught]


def _read(path, options) -> xr.Dataset:
    read = {"format": options["format"]} if "format" in options else {}
    if path.name == "data.yaml":  # YOLO's label files are normalised by the image's size
        read["image_size"] = (640, 480)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # what the test's files lack
        return posebridge.load(path, **read)


def _check_keepers(extra: str, tmp_path) -> None:
    for name, options in _KEEPERS[extra]:
        ds = _poses() if extra == "instance_score" else _labels()
        folder = tmp_path / "kept" / name.replace(".", "_")
        folder.mkdir(parents=True)
        said = _saved(ds, folder / name, options)
        assert not [m for m in said if _WARNED[extra] in m], (name, said)
        assert _KEPT[extra](_read(folder / name, options)), name


_LS = {"format": "labelstudio"}
_CASES = [
    ("image_id", "l.slp", {}),
    ("image_id", "l.nwb", {}),
    ("image_id", "CollectedData_me.h5", {}),
    ("image_id", "CollectedData_me.csv", {}),
    ("image_id", "tasks.json", _LS),
    ("image_id", "data.yaml", {}),
    ("instance_area", "tasks.json", _LS),
    ("instance_area", "data.yaml", {}),
    ("instance_area", "l.slp", {}),
    ("instance_area", "CollectedData_me.h5", {}),
    ("instance_area", "l.nwb", {}),
    ("skeleton_symmetries", "gt.json", {}),
    ("skeleton_symmetries", "tasks.json", _LS),
    ("skeleton_symmetries", "l.nwb", {}),
    ("skeleton_symmetries", "CollectedData_me.h5", {}),
    ("skeleton_symmetries", "CollectedData_me.csv", {}),
    ("instance_score", "p.h5", {}),
    ("instance_score", "p.csv", {}),
    ("instance_score", "gt.json", {"format": "coco", "kind": "ground_truth"}),
]


@pytest.mark.parametrize(("extra", "name", "options"), _CASES)
def test_what_a_format_cannot_hold_is_dropped_with_a_warning(tmp_path, extra, name, options):
    """image_id (COCO results -> .slp / DeepLabCut -> COCO: ids 1..n), instance_area (the
    OKS scale), YOLO's flip_idx and the DeepLabCut writers' instance scores were dropped
    without a word; the formats that hold them keep them, and say nothing."""
    ds = _poses() if name.startswith("p.") else _labels()
    said = _saved(ds, tmp_path / name, options)
    warned = [m for m in said if _WARNED[extra] in m]
    assert len(warned) == 1, said
    assert warned[0].startswith(f"{tmp_path / name}: ")
    back = _read(tmp_path / name, options)
    assert extra not in back.variables or not _KEPT[extra](back)  # truly not kept
    _check_keepers(extra, tmp_path)


def test_nwb_poses_name_what_they_drop_once(tmp_path):
    """NWB's poses writer names the variables it drops itself: no second warning."""
    ds = _poses().drop_vars("image_id")
    said = _saved(ds, tmp_path / "p.nwb", {})
    assert [m for m in said if "instance_score" in m] == [
        m for m in said if "NWB (ndx-pose) has no place for" in m
    ]
    assert len([m for m in said if "instance_score" in m]) == 1
    said = _saved(_poses(), tmp_path / "q.nwb", {})
    assert len([m for m in said if _WARNED["image_id"] in m]) == 1


def _blob_areas() -> tuple[xr.Dataset, np.ndarray]:
    """Poses with idtracker.ai's blob areas (its ``areas`` -> ``area``), one NaN."""
    areas = np.array([[150.0, 210.5], [np.nan, 199.0]])
    ds = posebridge.from_numpy(_position()[:, :, :1], keypoint_names=["centroid"])
    ds["area"] = (("time", "individual"), areas)
    return ds, areas


@pytest.mark.parametrize(
    ("name", "options"),
    [
        ("p.h5", {}),
        ("p.analysis.h5", {}),
        ("p.slp", {}),
        ("p.csv", {"format": "sleap-csv"}),
        ("results.json", {"format": "coco"}),
    ],
)
def test_idtracker_blob_areas_dropped_by_a_writer_are_warned(tmp_path, name, options):
    """idtracker.ai's ``area`` went missing from DeepLabCut, SLEAP and COCO files without
    a word; netCDF keeps it, and says nothing."""
    ds, areas = _blob_areas()
    said = _saved(ds, tmp_path / name, options)
    warned = [m for m in said if "holds no blob areas, so area" in m]
    assert len(warned) == 1, said
    assert warned[0].startswith(f"{tmp_path / name}: ")
    assert f"of {int(np.isfinite(areas).sum())} instance(s)" in warned[0]
    assert "area" not in _read(tmp_path / name, options).variables
    said = _saved(ds, tmp_path / "kept.nc", {})
    assert not [m for m in said if "area" in m.replace(str(tmp_path), "")], said
    back = _read(tmp_path / "kept.nc", {})
    np.testing.assert_array_equal(back["area"].values, areas)
    said = _saved(ds, tmp_path / "p.nwb", {})  # NWB's writer names it itself: once
    # (the folder's name holds "area": the messages without the paths they name)
    assert len([m for m in said if "area" in m.replace(str(tmp_path), "")]) == 1, said
