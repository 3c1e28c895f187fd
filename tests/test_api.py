"""load(), save(), detect() and formats() independent of any one format."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

import posebridge
from posebridge import registry
from posebridge.errors import (
    FileExistsError,
    FileNotFoundError,
    PoseBridgeError,
    UnknownFormatError,
)


def test_formats_table_lists_names_extensions_and_abilities():
    table = posebridge.formats()
    assert {"name", "title", "extensions", "kinds", "reads", "writes"} <= set(table.columns)
    netcdf = table.set_index("name").loc["netcdf"]
    assert ".nc" in netcdf["extensions"]
    assert netcdf["reads"] and netcdf["writes"]


def test_format_names_are_case_insensitive_and_accept_aliases():
    assert registry.get("NETCDF").name == "netcdf"
    with pytest.raises(UnknownFormatError, match="Known formats"):
        registry.get("no-such-format")


def test_load_missing_file_raises_both_error_families(tmp_path):
    with pytest.raises(FileNotFoundError) as info:
        posebridge.load(tmp_path / "nothing.h5")
    assert isinstance(info.value, PoseBridgeError)
    assert "nothing.h5" in str(info.value)


def test_load_folder_is_refused(tmp_path):
    with pytest.raises(PoseBridgeError, match="folder"):
        posebridge.load(tmp_path)


def test_detect_unknown_content_lists_what_was_tried(tmp_path):
    junk = tmp_path / "junk.bin"
    junk.write_bytes(b"\x00\x01 not a pose file")
    with pytest.raises(UnknownFormatError, match="tried"):
        posebridge.detect(junk)


def test_save_refuses_to_overwrite_and_leaves_the_file(tmp_path, poses_two_mice_with_nan):
    target = tmp_path / "out.nc"
    target.write_text("precious")
    with pytest.raises(FileExistsError, match="overwrite=True"):
        posebridge.save(poses_two_mice_with_nan, target)
    assert target.read_text() == "precious"
    posebridge.save(poses_two_mice_with_nan, target, overwrite=True)
    assert posebridge.detect(target) == "netcdf"


def test_save_unknown_extension_says_which_would_work(tmp_path, poses_two_mice_with_nan):
    with pytest.raises(UnknownFormatError, match=r"\.nc"):
        posebridge.save(poses_two_mice_with_nan, tmp_path / "out.xyz")


def test_save_failure_leaves_no_partial_file(tmp_path, monkeypatch, poses_two_mice_with_nan):
    def broken(self, path, **kwargs):
        with open(path, "wb") as handle:
            handle.write(b"half")
        raise RuntimeError("disk full")

    monkeypatch.setattr(xr.Dataset, "to_netcdf", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        posebridge.save(poses_two_mice_with_nan, tmp_path / "out.nc")
    assert list(tmp_path.iterdir()) == []


def test_load_with_fps_converts_frames_to_seconds(tmp_path, poses_two_mice_with_nan):
    path = tmp_path / "p.nc"
    posebridge.save(poses_two_mice_with_nan, path)
    ds = posebridge.load(path, fps=25)
    assert ds.attrs["time_unit"] == "seconds"
    np.testing.assert_allclose(ds.time.values, np.arange(20) / 25)
    assert ds.frame.values.tolist() == list(range(20))


def test_unknown_reader_option_is_a_clear_error(tmp_path, poses_two_mice_with_nan):
    path = tmp_path / "p.nc"
    posebridge.save(poses_two_mice_with_nan, path)
    with pytest.raises(PoseBridgeError, match="no option"):
        posebridge.load(path, no_such_option=1)


def test_family_name_lets_the_file_name_pick_the_member():
    from pathlib import Path

    def chosen(path: str, name: str | None) -> str:
        return registry.resolve_for_writing(Path(path), name, "poses").name

    assert chosen("x.slp", "SLEAP") == "slp"
    assert chosen("x.h5", "SLEAP") == "sleap"
    assert chosen("x.h5", "slp") == "slp"  # a member's own name is taken as asked
    assert chosen("x.analysis.h5", None) == "sleap"
    assert chosen("x.h5", None) == "dlc"
    assert chosen("x.csv", None) == "dlc"
