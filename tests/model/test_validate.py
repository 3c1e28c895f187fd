"""model/validate.py: validate() completes and checks a dataset, naming what is wrong."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

import posebridge
from posebridge import model
from posebridge.errors import SchemaError
from posebridge.registry import all_formats


def test_validate_renames_plural_dims_and_cleans_attrs():
    ds = model.from_numpy(np.zeros((2, 2, 1, 1)))
    legacy = ds.rename({"keypoint": "keypoints", "individual": "individuals"})
    legacy.attrs["source_software"] = None
    legacy.attrs["source_file"] = __import__("pathlib").Path("/x/y.h5")
    out = model.validate(legacy)
    assert out.position.dims == ("time", "space", "keypoint", "individual")
    assert "source_software" not in out.attrs
    assert out.attrs["source_file"] == "/x/y.h5"


def test_validate_infers_missing_ds_type_and_time_unit():
    ds = model.from_numpy(np.zeros((2, 2, 1, 1)))
    ds.attrs = {}
    out = model.validate(ds)
    assert out.attrs["ds_type"] == "poses"
    assert out.attrs["time_unit"] == "frames"


def test_validate_reorders_position_dims():
    ds = model.from_numpy(np.arange(8.0).reshape(2, 2, 2, 1))
    shuffled = ds.transpose("individual", "keypoint", "space", "time")
    out = model.validate(shuffled)
    assert out.position.dims == ("time", "space", "keypoint", "individual")
    xr.testing.assert_equal(out.position, ds.position)


@pytest.mark.parametrize(
    ("breakage", "message"),
    [
        (lambda ds: ds.drop_vars("position"), "position"),
        (lambda ds: ds.assign_coords(space=["x", "q"]), "space"),
        (lambda ds: ds.assign_coords(time=[1, 0]), "strictly increasing"),
        (lambda ds: ds.assign_coords(keypoint=["a", "a"]), "repeated"),
        (lambda ds: ds.assign_attrs(time_unit="hours"), "time_unit"),
        (lambda ds: ds.assign_attrs(fps=-2.0), "positive"),
        (lambda ds: ds.assign_attrs(ds_type="tracks"), "ds_type"),
        (lambda ds: ds.assign(position=ds.position.astype(str)), "numeric"),
        (lambda ds: ds.drop_vars("keypoint"), "Missing coordinate 'keypoint'"),
        # found by fuzzing netCDF attributes: an array compared as text raised ValueError
        *(
            (lambda ds, key=key: ds.assign_attrs({key: np.array([1, 2])}), rf"'{key}'.*text")
            for key in ("ds_type", "time_unit", "content", "source_software")
        ),
    ],
)
def test_validate_names_what_is_wrong(breakage, message):
    ds = model.from_numpy(np.zeros((2, 2, 2, 1)))
    with pytest.raises(SchemaError, match=message):
        model.validate(breakage(ds))


def test_validate_rejects_non_dataset_with_a_type_error():
    with pytest.raises(TypeError, match="xarray Dataset") as caught:
        model.validate(np.zeros(3))
    assert isinstance(caught.value, posebridge.PoseBridgeError)


@pytest.mark.parametrize("value", [0, -5, 2.5, 2**31, 10**20, "wide", [640]])
def test_a_video_size_that_is_no_size_is_refused_naming_it(value):
    """Writers wrote -5 into .slp, raised raw errors on text, or hdmf's on 10**20."""
    ds = posebridge.from_numpy(np.ones((2, 2, 1, 1))).assign_attrs(video_width=value)
    with pytest.raises(SchemaError, match=r"attrs\['video_width'\] must be a whole number"):
        posebridge.validate(ds)


def test_video_sizes_given_as_numpy_or_whole_floats_become_ints():
    ds = posebridge.from_numpy(np.ones((2, 2, 1, 1)))
    ds = posebridge.validate(ds.assign_attrs(video_width=np.int64(640), video_height=480.0))
    assert (ds.attrs["video_width"], ds.attrs["video_height"]) == (640, 480)
    assert all(type(ds.attrs[k]) is int for k in ("video_width", "video_height"))


@pytest.mark.parametrize("attr", ["fps", "video_width", "video_height"])
@pytest.mark.parametrize("flag", [True, np.True_])
def test_a_bool_frame_rate_or_video_size_is_refused_not_read_as_1(attr, flag):
    """attrs['fps'] = True became 1 fps (time kept its 30 fps steps)."""
    from posebridge import errors

    ds = posebridge.from_numpy(np.zeros((3, 2, 1, 1)), fps=30)
    ds.attrs[attr] = flag
    with pytest.raises(errors.TypeError, match=f"attrs\\['{attr}'\\] must be a number"):
        model.validate(ds)


def _with_skeleton() -> xr.Dataset:
    rng = np.random.default_rng(3)
    ds = posebridge.from_numpy(
        rng.uniform(0, 10, (4, 2, 3, 2)),
        rng.uniform(0, 1, (4, 3, 2)),
        keypoint_names=["head", "neck", "tail"],
    )
    ds["skeleton_edges"] = (("edge", "edge_node"), [["head", "neck"], ["head", "tail"]])
    ds["instance_score"] = (("time", "individual"), rng.uniform(0, 1, (4, 2)))
    return ds


def test_a_filter_on_the_whole_dataset_that_broadcast_the_extras_is_refused_naming_one():
    """ds.where(ds.confidence > 0.5) made skeleton_edges 5-D: NWB wrote 26,928 edges."""
    ds = _with_skeleton()
    with pytest.raises(
        SchemaError, match=r"'skeleton_edges' must have dims \('edge', 'edge_node'\)"
    ):
        model.validate(ds.where(ds.confidence > 0.5))
    ds["position"] = ds["position"].where(ds.confidence > 0.5)  # the way: position alone
    assert model.validate(ds).skeleton_edges.dims == ("edge", "edge_node")


def test_a_transposed_dataset_keeps_its_edges_as_pairs(tmp_path):
    """ds.transpose() left skeleton_edges (edge_node, edge): head-head, neck-tail written."""
    ds = _with_skeleton()
    back = posebridge.load(posebridge.save(ds.transpose(), tmp_path / "a.slp")[0])
    assert back.skeleton_edges.values.tolist() == [["head", "neck"], ["head", "tail"]]


def test_numpy_text_in_attributes_is_written_as_text(tmp_path):
    ds = _with_skeleton()
    ds.attrs["video_path"] = np.array(["v.mp4"])[0]  # a np.str_: h5py refused it
    ds.attrs["keywords"] = list(np.array(["a", "b"]))
    back = posebridge.load(posebridge.save(ds, tmp_path / "a.nc")[0])
    assert back.attrs["video_path"] == "v.mp4"


@pytest.mark.parametrize("names", [[b"head", b"neck", b"tail"], ["head", 1, "tail"]])
def test_names_that_are_not_text_are_refused_naming_one(names):
    ds = _with_skeleton().drop_vars("skeleton_edges")
    ds = ds.assign_coords(keypoint=np.array(names, dtype=object))
    with pytest.raises(SchemaError, match=r"Coordinate 'keypoint' must hold strings, got"):
        model.validate(ds)


def test_infinite_values_of_a_dask_dataset_are_refused_when_written(tmp_path):
    pytest.importorskip("dask")
    ds = _with_skeleton()
    ds["position"][1, 0, 0, 0] = np.inf
    with pytest.raises(posebridge.PoseBridgeError, match="inf"):
        posebridge.save(ds.chunk({"time": 2}), tmp_path / "a.csv", format="dlc")
    assert not (tmp_path / "a.csv").exists()


@pytest.mark.parametrize(
    ("name", "dims", "values", "said"),
    [
        ("frame", ("time",), ["a", "b", "c"], "'frame' must hold numbers"),
        ("instance_score", ("time", "individual"), [["x"]] * 3, "'instance_score' must hold"),
        ("category", ("time", "individual"), [[1]] * 3, "'category' must hold text"),
        ("image_width", ("time",), ["640"] * 3, "'image_width' must hold numbers"),
    ],
)
def test_extras_of_the_wrong_kind_of_values_are_refused(name, dims, values, said):
    """Text where numbers belong reached the writers (a bare ValueError from int())."""
    ds = posebridge.from_numpy(np.ones((3, 2, 1, 1)))
    ds = (
        ds.assign_coords({name: (dims, values)})
        if dims == ("time",)
        else ds.assign({name: (dims, values)})
    )
    with pytest.raises(SchemaError, match=said):
        model.validate(ds)


def test_an_image_id_may_be_numbers_or_text():
    ds = posebridge.from_numpy(np.ones((2, 2, 1, 1)))
    model.validate(ds.assign_coords(image_id=("time", [3, 4])))
    model.validate(ds.assign_coords(image_id=("time", ["a", "b"])))


def test_boxes_of_camera_views_take_view_as_their_last_dim_in_shape_too():
    """movement's load_multiview_dataset stacks box tracks on a first 'view' dim; the model
    refused a bboxes dataset with one."""
    rng = np.random.default_rng(4)
    boxes = model.bboxes_from_numpy(rng.random((3, 2, 1)), rng.random((3, 2, 1)))
    views = xr.concat([boxes, boxes + 1], dim=xr.DataArray(["top", "side"], dims="view"))
    checked = model.validate(views)
    assert checked.position.dims == ("time", "space", "individual", "view")
    assert checked.shape.dims == ("time", "space", "individual", "view")
    assert checked.confidence.dims == ("time", "individual", "view")
    np.testing.assert_array_equal(checked.shape.sel(view="side").values, boxes.shape + 1)
    with pytest.raises(SchemaError, match="'shape' must have dims"):
        model.validate(views.assign(shape=boxes.shape))


@pytest.mark.parametrize("pick", [lambda ds: ds.isel(time=1), lambda ds: ds.sel(time=2)])
def test_a_dataset_of_one_time_without_its_time_dim_is_told_to_select_with_a_list(pick):
    """h118 finding 9: ds.isel(time=k) got a dims error that did not say what to do."""
    ds = posebridge.from_numpy(np.zeros((3, 2, 1, 1)))
    one = pick(ds)
    time = one["time"].values.item()
    with pytest.raises(SchemaError, match=rf"one time {time}, .*ds\.isel\(time=\[k\]\)"):
        model.validate(one)
    assert model.validate(ds.isel(time=[1])).sizes["time"] == 1  # the way out works


def test_extended_floats_become_float64_and_the_netcdf_file_opens_with_xarrays_default_engine(
    tmp_path,
):
    h5py = pytest.importorskip("h5py")
    pytest.importorskip("netCDF4")
    position = np.arange(8, dtype=np.longdouble).reshape(2, 2, 2, 1) / 3
    ds = model.from_numpy(position, np.full((2, 2, 1), 0.5, dtype=np.longdouble))
    checked = model.validate(ds)
    assert checked.position.dtype == checked.confidence.dtype == np.float64
    np.testing.assert_array_equal(checked.position.values, position.astype(np.float64))
    posebridge.save(ds, tmp_path / "poses.nc")
    with h5py.File(tmp_path / "poses.nc") as file:  # no 128-bit float, which netCDF-4 lacks
        assert file["position"].dtype == file["confidence"].dtype == np.float64
    with xr.open_dataset(tmp_path / "poses.nc", engine="netcdf4") as back:
        np.testing.assert_array_equal(back.position.values, position.astype(np.float64))


def _writers_of_poses() -> list[tuple[str, str]]:
    """(format, file ending) of every format that writes poses."""
    formats = all_formats()
    return [(f.name, f.extensions[0]) for f in formats if f.writes and "poses" in f.kinds]


@pytest.mark.parametrize(("fmt", "ending"), _writers_of_poses())
@pytest.mark.parametrize("name", ["position", "confidence"])
def test_an_extended_float_beyond_float64s_range_is_refused_by_every_writer(
    tmp_path, fmt, ending, name
):
    ds = model.from_numpy(
        np.full((2, 2, 2, 1), 5.0, dtype=np.longdouble),
        np.full((2, 2, 1), 0.5, dtype=np.longdouble),
    )
    if np.isinf(np.longdouble("1e400")):
        pytest.skip("this machine's long double is float64")
    ds[name][{"time": 1, "keypoint": 1}] = np.longdouble("1e400")  # every x, y there
    target = tmp_path / f"out{ending}"
    with pytest.raises(SchemaError) as raised:
        posebridge.save(ds, target, format=fmt)  # refused before the format's options
    said = str(raised.value)
    assert str(target) in said
    count = ds[name].isel(time=1, keypoint=1).size  # x and y, or one confidence
    assert f"'{name}' holds {'a value' if count == 1 else f'{count} values'} beyond" in said
    assert "1e+400" in said
    assert not list(tmp_path.iterdir())


def test_one_extended_float_beyond_float64s_range_is_said_in_the_singular():
    """It said "'position' holds 1 values beyond float64's range (the first, ...)"."""
    if np.isinf(np.longdouble("1e400")):
        pytest.skip("this machine's long double is float64")
    position = np.full((2, 2, 1, 1), 5.0, dtype=np.longdouble)
    position[1, 0, 0, 0] = np.longdouble("1e400")
    with pytest.raises(SchemaError) as raised:
        model.validate(model.from_numpy(position))
    said = str(raised.value)
    assert "'position' holds a value beyond float64's range (1e+400, at {'time': 1," in said
    assert "values" not in said and "the first" not in said


def test_an_extended_float_beyond_float64s_range_in_a_dask_dataset_is_refused_when_written(
    tmp_path,
):
    pytest.importorskip("dask")
    position = np.full((4, 2, 2, 1), 5.0, dtype=np.longdouble)
    if np.isinf(np.longdouble("1e400")):
        pytest.skip("this machine's long double is float64")
    position[3, 1, 0, 0] = np.longdouble("-1e400")
    ds = model.from_numpy(position).chunk({"time": 2})
    with pytest.raises(
        SchemaError,
        match=r"beyond float64's range \(the first, -1e\+400, at "
        r"\{'time': 3, 'space': 1, 'keypoint': 0, 'individual': 0\}",
    ):
        posebridge.save(ds, tmp_path / "out.nc")


def _in_seconds(time: np.ndarray, fps: float) -> xr.Dataset:
    ds = model.from_numpy(np.ones((time.size, 2, 2, 1)), np.full((time.size, 2, 1), 0.5))
    return ds.assign_coords(time=time).assign_attrs(time_unit="seconds", fps=fps)


def test_times_in_seconds_whose_frame_numbers_reach_2_to_the_53_pass_validate():
    """Their times in seconds are exact: validate (so load) keeps them; it refused them, leaving
    the user no dataset to shift."""
    time = np.array([0, 1, 2**53 + 2]) / 30.0
    checked = model.validate(_in_seconds(time, 30.0))
    np.testing.assert_array_equal(checked.time.values, time)


def test_frame_numbers_of_seconds_from_2_to_the_53_are_refused_saying_what_to_do():
    ds = _in_seconds(np.array([0, 1, 2**53 + 2]) / 30.0, 30.0)
    with pytest.raises(SchemaError) as raised:
        model.frame_numbers(ds)
    said = str(raised.value)
    assert "at index 2 is frame 9007199254740994" in said
    assert "below 2**53" in said
    assert "ds.assign_coords(time=ds.time - ds.time[0])" in said
    assert "netCDF" in said


def test_the_last_frame_number_below_2_to_the_53_is_kept_and_the_next_refused():
    kept = _in_seconds(np.array([0.0, 2.0**53 - 2]), 1.0)
    assert model.frame_numbers(kept).tolist() == [0, 2**53 - 2]
    with pytest.raises(SchemaError, match="is frame 9007199254740992"):
        model.frame_numbers(_in_seconds(np.array([0.0, 2.0**53]), 1.0))
    negative = _in_seconds(np.array([-(2.0**53), 0.0]), 1.0)
    with pytest.raises(SchemaError, match="at index 0 is frame -9007199254740992"):
        model.frame_numbers(negative)


@pytest.mark.parametrize(
    ("fmt", "name"),
    [
        ("dlc", "x.h5"),
        ("dlc", "x.csv"),
        ("slp", "x.slp"),
        ("nwb", "x.nwb"),
        ("sleap-csv", "s.csv"),
    ],
)
def test_frame_numbers_of_seconds_from_2_to_the_53_are_refused_before_a_file_is_written(
    tmp_path, fmt, name
):
    ds = _in_seconds(np.array([0, 1, 2**53 + 2]) / 30.0, 30.0)
    with pytest.raises(SchemaError, match=rf"{name}: .* below 2\*\*53"):
        posebridge.save(ds, tmp_path / name, format=fmt)
    assert not list(tmp_path.iterdir())


def test_times_in_seconds_whose_frame_numbers_reach_2_to_the_53_save_to_netcdf(tmp_path):
    """netCDF keeps the times in seconds, so nothing in such a file is inexact."""
    time = np.array([0, 1, 2**53 + 2]) / 30.0
    posebridge.save(_in_seconds(time, 30.0), tmp_path / "x.nc")
    with xr.open_dataset(tmp_path / "x.nc") as back:
        np.testing.assert_array_equal(back.time.values, time)
