"""posebridge.save of a dataset with camera views to formats that hold one camera's tracks."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import posebridge
from posebridge.errors import SchemaError
from posebridge.model import bboxes_from_numpy

#: One-camera writers: (format, file name, space); labelstudio, yolo need image sizes
ONE_CAMERA_WRITERS = [
    ("dlc", "side.csv", 2),
    ("dlc", "side.h5", 3),
    ("lp", "side.csv", 2),
    ("sleap", "side.analysis.h5", 2),
    ("slp", "side.slp", 2),
    ("anipose", "side.csv", 3),
    ("sleap-csv", "side.analysis.csv", 2),
    ("coco", "side.json", 2),
]


def _one_view(space: int, view: str = "side"):
    rng = np.random.default_rng(0)
    ds = posebridge.from_numpy(
        rng.uniform(1, 50, (5, space, 2, 1)),
        rng.uniform(0.1, 1, (5, 2, 1)),
        keypoint_names=["snout", "tail"],
        individual_names=["id_0"],
    )
    return ds.expand_dims(view=[view], axis=-1)


@pytest.mark.parametrize(("fmt", "name", "space"), ONE_CAMERA_WRITERS)
def test_a_lone_camera_view_is_written_as_the_file_of_that_camera_with_a_warning(
    tmp_path, fmt, name, space
):
    ds = _one_view(space)
    with pytest.warns(UserWarning, match=r"one camera view 'side'.*'side' is not stored") as got:
        (written,) = posebridge.save(ds, tmp_path / name, format=fmt)
    assert str(tmp_path / name) in str(next(w for w in got if "view" in str(w.message)).message)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        back = posebridge.load(written, format=fmt)
    assert "view" not in back.dims
    np.testing.assert_allclose(
        back["position"].values,
        ds["position"].isel(view=0).values,
        rtol=1e-6 if fmt in ("coco", "slp", "sleap") else 0,
    )


def test_a_lone_view_of_boxes_is_written_to_via(tmp_path):
    boxes = bboxes_from_numpy(np.ones((3, 2, 1)) * 5, np.ones((3, 2, 1)), np.ones((3, 1)))
    boxes = boxes.expand_dims(view=["top"], axis=-1)
    with pytest.warns(UserWarning, match="one camera view 'top'"):
        (written,) = posebridge.save(boxes, tmp_path / "top.csv", format="via")
    back = posebridge.load(written, format="via")
    np.testing.assert_array_equal(back["position"].values, boxes["position"].isel(view=0).values)


@pytest.mark.parametrize(("fmt", "name"), [("netcdf", "v.nc"), ("nwb", "v.nwb")])
def test_formats_that_hold_views_keep_a_lone_view_with_its_name(tmp_path, fmt, name):
    with warnings.catch_warnings(record=True) as got:
        warnings.simplefilter("always")
        (written,) = posebridge.save(_one_view(2), tmp_path / name, format=fmt)
    assert not [w for w in got if "camera view" in str(w.message)]
    assert list(posebridge.load(written, format=fmt)["view"].values) == ["side"]


def test_a_lone_view_refused_for_another_reason_gets_no_view_warning(tmp_path):
    with warnings.catch_warnings(record=True) as got:
        warnings.simplefilter("always")
        with pytest.raises(SchemaError, match="2D"):
            posebridge.save(_one_view(3), tmp_path / "v.json", format="coco")
    assert not [w for w in got if "camera view" in str(w.message)]
    assert not (tmp_path / "v.json").exists()


def test_several_views_are_still_refused_one_camera_writers(tmp_path):
    ds = _one_view(2)
    two = ds.assign_coords(view=["a"]).combine_first(ds.assign_coords(view=["b"]))
    with pytest.raises(SchemaError, match=r"2 camera views \(a, b\)"):
        posebridge.save(two, tmp_path / "v.csv", format="dlc")


def test_to_dlc_style_df_of_a_lone_view_is_the_table_of_that_camera():
    from posebridge.io import save_poses

    ds = _one_view(2)
    with pytest.warns(UserWarning, match="the DataFrame: the dataset's one camera view 'side'"):
        df = save_poses.to_dlc_style_df(ds)
    assert "view" not in df.columns.names
    x = df.xs("x", level="coords", axis=1).to_numpy()
    np.testing.assert_array_equal(x, ds["position"].sel(space="x").isel(view=0, individual=0))


def test_a_split_write_of_a_lone_view_names_the_files_written(tmp_path):
    ds = _one_view(2).assign_coords(individual=["mouse7"])
    with pytest.warns(UserWarning, match="one camera view 'side'") as got:
        written = posebridge.save(ds, tmp_path / "b.h5", split_individuals=True)
    assert [path.name for path in written] == ["b_mouse7.h5"]
    message = next(str(w.message) for w in got if "camera view" in str(w.message))
    assert message.startswith(f"{written[0]}:")


@pytest.mark.parametrize(("name", "kept"), [("x.h5", False), ("x.nwb", True), ("x.nc", True)])
def test_a_view_picked_by_sel_is_written_as_a_lone_view(tmp_path, name, kept):
    """ds.sel(view="top") leaves view a scalar coordinate: it is written as
    ds.isel(view=[0]) is, the camera's name kept by NWB and netCDF and warned of by a
    one-camera format, never lost silently (h118 finding 6); netCDF keeps the scalar."""
    rng = np.random.default_rng(0)
    ds = posebridge.from_numpy(rng.random((3, 2, 2, 1)), fps=30.0)
    both = ds.expand_dims(view=["top", "side"], axis=-1)
    path = tmp_path / name
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        posebridge.save(both.sel(view="top"), path)
    said = [str(w.message) for w in caught if "'top'" in str(w.message)]
    back = posebridge.load(path)
    if kept:
        assert np.ravel(back["view"].values).tolist() == ["top"] and not said
    else:
        assert "view" not in back.coords
        assert len(said) == 1 and said[0].startswith(f"{path}: the dataset's one camera view")
