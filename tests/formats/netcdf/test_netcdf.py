"""netCDF: the native format round-trips every variable, coordinate and attribute."""

from __future__ import annotations

import re
import warnings

import numpy as np
import pytest
import xarray as xr

import posebridge
from posebridge import model
from posebridge.errors import FormatError
from posebridge.lazy import open_lazily_indexed


def _roundtrip(ds: xr.Dataset, tmp_path) -> xr.Dataset:
    path = tmp_path / "data.nc"
    assert posebridge.save(ds, path) == [path]
    assert posebridge.detect(path) == "netcdf"
    return posebridge.load(path)


def test_poses_with_extras_round_trip_identically(tmp_path, poses_two_mice_with_nan):
    ds = model.with_fps(poses_two_mice_with_nan, 29.97)
    ds["skeleton_edges"] = (("edge", "edge_node"), np.array([["snout", "tail_base"]]))
    ds["instance_score"] = (("time", "individual"), np.ones((20, 2)))
    ds.attrs["scorer"] = "DLC_resnet50"
    ds.attrs["video_width"] = 640
    back = _roundtrip(ds, tmp_path)
    back.attrs.pop("source_file")
    xr.testing.assert_identical(back, model.validate(ds))
    assert back.keypoint.dtype.kind == "U"


def test_3d_frames_only_round_trip(tmp_path, poses_single_3d):
    back = _roundtrip(poses_single_3d, tmp_path)
    assert back.attrs["time_unit"] == "frames"
    assert back.time.dtype == np.int64
    xr.testing.assert_equal(back.position, poses_single_3d.position)


def test_netcdf_without_position_is_refused(tmp_path):
    path = tmp_path / "other.nc"
    xr.Dataset({"temperature": ("t", np.arange(3.0))}).to_netcdf(path, engine="h5netcdf")
    with pytest.raises(FormatError, match="position"):
        posebridge.load(path, format="netcdf")


@pytest.mark.parametrize("content", [b"\x89HDF\r\n\x1a\n truncated", b"CDF\x01junk"])
def test_broken_netcdf_files_raise_format_error_naming_the_file(tmp_path, content):
    path = tmp_path / "broken.nc"
    path.write_bytes(content)
    with pytest.raises(posebridge.PoseBridgeError, match="broken.nc"):
        posebridge.load(path, format="netcdf")


@pytest.mark.parametrize("owner", ["dataset", "position", "time"])
@pytest.mark.parametrize(
    "value", [{"a": 1}, [1, "a"], [True, False], [[1, 2]], 1 + 2j, object(), 2**70,
              __import__("fractions").Fraction(1, 3), [-1, 2**64 - 1]],
    ids=["dict", "mixed list", "bool list", "nested list", "complex", "object",
         "whole number past 64 bits", "fraction", "whole numbers no integer type holds"],
)  # fmt: skip
def test_an_attribute_netcdf_cannot_hold_is_refused_naming_it(tmp_path, owner, value):
    ds = model.from_numpy(np.zeros((3, 2, 2, 1)))
    (ds if owner == "dataset" else ds[owner]).attrs["extra"] = value
    target = tmp_path / "out.nc"
    with pytest.raises(posebridge.SchemaError, match="attribute 'extra' of") as error:
        posebridge.save(ds, target)
    assert str(target) in str(error.value) and ("dataset" if owner == "dataset" else owner) in (
        str(error.value)
    )
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("kind", "name"),
    [("variable", ""), ("variable", "a/b"), ("variable", 5), ("attribute", ""),
     ("attribute", 5), ("variable", "a\x00b"), ("attribute", "a\x00b"), ("variable", "."),
     ("variable", "a\udcffb"), ("attribute", "a\udcffb"), ("attribute", "DIMENSION_LIST"),
     ("attribute", "_Netcdf4Dimid")],
    ids=["empty variable", "slash variable", "number variable", "empty attribute",
         "number attribute", "NUL variable", "NUL attribute", "dot variable",
         "not UTF-8 variable", "not UTF-8 attribute", "netCDF's DIMENSION_LIST",
         "netCDF's _Netcdf4Dimid"],
)  # fmt: skip
def test_a_name_netcdf_cannot_hold_is_refused_naming_it(tmp_path, kind, name):
    ds = model.from_numpy(np.zeros((3, 2, 2, 1)))
    if kind == "variable":
        ds[name] = ("time", np.ones(3))
    else:
        ds.attrs[name] = "x"
    target = tmp_path / "out.nc"
    said = re.escape(f"the {kind} name {name!r} cannot")
    with pytest.raises(posebridge.SchemaError, match=said) as error:
        posebridge.save(ds, target)
    assert str(target) in str(error.value)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "value", [["a", "b"], (1, 2), np.float32(2.5), b"x", np.arange(3), np.array(["x", "yy"])]
)
def test_attributes_netcdf_holds_are_written(tmp_path, value):
    ds = model.from_numpy(np.zeros((3, 2, 2, 1)))
    ds.attrs["extra"] = value
    back = posebridge.load(posebridge.save(ds, tmp_path / "out.nc")[0])
    expected = value.decode() if isinstance(value, bytes) else value
    np.testing.assert_array_equal(back.attrs["extra"], expected)


@pytest.mark.parametrize("given", ["time", ["time"], {"time"}], ids=["text", "list", "set"])
def test_unlimited_dims_given_as_one_name_or_several_are_written_unlimited(tmp_path, given):
    """A name given as text (as xarray's to_netcdf takes it) was read letter by letter,
    and time was written as a fixed dimension."""
    ds = model.from_numpy(np.zeros((3, 2, 2, 1)))
    ds.encoding["unlimited_dims"] = given
    (path,) = posebridge.save(ds, tmp_path / "out.nc")
    with xr.open_dataset(path, engine="h5netcdf") as back:
        assert back.encoding["unlimited_dims"] == {"time"}


@pytest.mark.parametrize(
    "value", [["caf\udce9.mp4", "b.mp4"], ("caf\udce9.mp4", "b.mp4"),
              np.array(["caf\udce9.mp4", "b.mp4"])],
    ids=["list", "tuple", "array"],
)  # fmt: skip
def test_texts_not_utf8_in_an_attribute_are_written_spelled_as_a_single_text_is(tmp_path, value):
    """A list or array of texts holding a file name's byte that is not UTF-8 raised a raw
    UnicodeEncodeError; a single such text is written with the byte spelled %XX."""
    ds = model.from_numpy(np.zeros((3, 2, 2, 1)))
    ds.attrs["videos"] = value
    ds.attrs["video"] = str(value[0])
    back = posebridge.load(posebridge.save(ds, tmp_path / "out.nc")[0])
    assert list(back.attrs["videos"]) == [back.attrs["video"], str(value[1])]
    assert back.attrs["video"] == "caf%E9.mp4"


def test_an_array_of_text_of_two_dimensions_is_refused_naming_it(tmp_path):
    """It was written as one flat list of text: its shape was lost without a word."""
    ds = model.from_numpy(np.zeros((3, 2, 2, 1)))
    ds.attrs["grid"] = np.array([["a", "b"], ["c", "d"]])
    target = tmp_path / "out.nc"
    with pytest.raises(posebridge.SchemaError, match="attribute 'grid' of the dataset") as error:
        posebridge.save(ds, target)
    assert str(target) in str(error.value)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("netcdf3_format", "kind"),
    [("NETCDF3_CLASSIC", "netCDF-3 classic"), ("NETCDF3_64BIT", "netCDF-3 64-bit offset")],
)
@pytest.mark.parametrize("format", [None, "netcdf"])
def test_a_netcdf3_file_is_refused_saying_what_it_is_and_how_to_resave(
    tmp_path, netcdf3_format, kind, format
):
    """It was "could not recognise the format", or "file signature not found"."""
    pytest.importorskip("scipy")
    ds = posebridge.from_numpy(np.arange(24.0).reshape(3, 2, 2, 2))
    path = tmp_path / "poses.nc"
    ds.to_netcdf(path, engine="scipy", format=netcdf3_format)
    with pytest.raises(FormatError, match=rf"is a {kind} file;.*engine=\"h5netcdf\""):
        posebridge.load(path, format=format)
    with pytest.raises(FormatError, match=rf"is a {kind} file"):
        posebridge.open_dataset(path)


@pytest.mark.parametrize(("value", "number"), [(True, 1), (False, 0), (np.bool_(True), 1)])
def test_a_boolean_attribute_is_written_as_one_or_zero(tmp_path, value, number):
    """netCDF has no boolean attribute: the README says True / False read back as 1 / 0."""
    ds = model.from_numpy(np.zeros((3, 2, 2, 1)))
    ds.attrs["flag"] = value
    back = posebridge.load(posebridge.save(ds, tmp_path / "out.nc")[0])
    assert back.attrs["flag"] == number and not isinstance(back.attrs["flag"], bool | np.bool_)


@pytest.mark.parametrize(
    ("name", "format"),
    [
        ("videoDLC.h5", "dlc"),
        ("video.analysis.h5", "sleap"),
        ("video.slp", "slp"),
        ("video.nwb", "nwb"),
    ],
)
@pytest.mark.parametrize("lazily", [False, True])
def test_an_hdf5_file_of_another_format_is_not_called_a_netcdf_file(
    tmp_path, poses_two_mice_with_nan, name, format, lazily
):
    """Every HDF5 file was 'a netCDF file but holds no position variable', after xarray had
    read all its variables, with h5netcdf's phony_dims warning on top."""
    import h5py

    path = tmp_path / name
    options = {"split_individuals": False} if format == "nwb" else {}
    posebridge.save(poses_two_mice_with_nan, path, format, **options)
    with h5py.File(path, "r") as h5:
        keys = sorted(h5)
    opening = open_lazily_indexed if lazily else posebridge.load
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no third-party warning reaches the caller
        with pytest.raises(FormatError) as refused:
            opening(path, "netcdf")
    message = str(refused.value)
    assert message.startswith(f"{path}: is an HDF5 file but not a netCDF file")
    assert str(keys) in message


@pytest.mark.parametrize("lazily", [False, True])
def test_a_variable_without_netcdf_dimensions_is_refused_naming_it(tmp_path, lazily):
    """f96 noticed: an HDF5 dataset added to a netCDF file with h5py (no DIMENSION_LIST)
    got dimensions made up by h5netcdf, and the read failed blaming the time coordinate
    ('must hold finite numbers, got nan') or as posebridge's own failure."""
    import h5py

    path = tmp_path / "poses.nc"
    posebridge.save(model.from_numpy(np.zeros((3, 2, 2, 1)), fps=30), path)
    with h5py.File(path, "a") as h5:
        h5.create_dataset("added_by_hand", data=np.arange(7.0))
    opening = open_lazily_indexed if lazily else posebridge.load
    with pytest.raises(FormatError, match="variable 'added_by_hand' .*has no netCDF dimensions"):
        opening(path, "netcdf")


@pytest.mark.parametrize("engine", ["netcdf4", "h5netcdf"])
def test_files_xarrays_engines_write_have_their_dimensions(tmp_path, engine):
    """The check above takes no variable xarray writes for one without dimensions: a
    dimension without a coordinate variable, a scalar, a text variable."""
    pytest.importorskip({"netcdf4": "netCDF4"}.get(engine, engine))
    ds = model.from_numpy(np.arange(24.0).reshape(3, 2, 2, 2), fps=30)
    ds["note"] = xr.DataArray("a scalar text")
    ds["per_frame_label"] = ("time", np.array(["a", "bb", "c"], dtype=object))
    ds["extra"] = (("time", "other"), np.ones((3, 5)))  # 'other': no coordinate variable
    path = tmp_path / f"{engine}.nc"
    ds.to_netcdf(path, engine=engine)
    back = posebridge.load(path)
    np.testing.assert_array_equal(back.position.values, ds.position.values)
    assert back["extra"].dims == ("time", "other")


def _fixed_width_text_files(tmp_path, ds: xr.Dataset) -> list:
    """netCDF-4 files holding the text coordinates as (n, length) char arrays."""
    pytest.importorskip("netCDF4")
    classic = tmp_path / "classic.nc"
    ds.to_netcdf(classic, engine="netcdf4", format="NETCDF4_CLASSIC")
    chars = tmp_path / "chars.nc"
    ds.to_netcdf(chars, engine="netcdf4", encoding={"keypoint": {"dtype": "S1"}})
    as_bytes = tmp_path / "bytes.nc"
    ds.assign_coords(keypoint=ds.keypoint.values.astype("S")).to_netcdf(
        as_bytes, engine="h5netcdf"
    )
    return [classic, chars, as_bytes]


@pytest.mark.parametrize("lazily", [False, True])
def test_text_coordinates_held_as_fixed_width_chars_are_read_as_text(tmp_path, lazily):
    ds = model.from_numpy(
        np.arange(16.0).reshape(4, 2, 2, 1),
        keypoint_names=["nose", "tail"],
        individual_names=["mouse"],
    )
    opening = posebridge.open_dataset if lazily else posebridge.load
    for path in _fixed_width_text_files(tmp_path, ds):
        back = opening(path)
        assert list(back.keypoint.values) == ["nose", "tail"], path.name
        assert back.keypoint.dtype.kind == "U", path.name
        assert list(back.individual.values) == ["mouse"], path.name
        assert list(back.space.values) == ["x", "y"], path.name
        np.testing.assert_array_equal(back.position.values, ds.position.values)
