"""The error family and the one translation of reading failures (errors.reading_failure)."""

from __future__ import annotations

import zlib

import pytest

from posebridge.errors import FormatError, PoseBridgeError, SchemaError, reading_failure


def _raised(error: BaseException) -> BaseException:
    """``error`` with a traceback, as the readers catch it."""
    try:
        raise error
    except BaseException as caught:
        return caught


@pytest.mark.parametrize(
    "error",
    [
        OSError("Can't synchronously read data (filter returned failure during read)"),
        MemoryError("no room"),
        _raised(zlib.error("Error -3 while decompressing data")),
    ],
)
def test_input_output_failures_are_format_errors_naming_the_file(error):
    found = reading_failure("a.h5", error, "SLEAP")
    assert isinstance(found, FormatError)
    assert str(found).startswith("a.h5: could not be read as SLEAP: ")
    assert str(error) in str(found)


def test_text_that_does_not_decode_is_a_format_error():
    error = _raised(UnicodeDecodeError("utf-8", b"\xf3", 0, 1, "unexpected end of data"))
    found = reading_failure("b.nwb", error, "NWB")
    assert isinstance(found, FormatError)
    assert str(found).startswith("b.nwb: holds text that cannot be decoded")


def test_a_posebridge_error_is_kept_as_it_is():
    error = SchemaError("b.h5: no frames")
    assert reading_failure("b.h5", error) is error


def test_anything_else_is_reported_as_a_posebridge_bug_not_a_file_problem():
    found = reading_failure("c.csv", _raised(AttributeError("no attribute 'size'")), "DLC")
    assert type(found) is PoseBridgeError
    assert str(found).startswith("c.csv: posebridge failed while reading it as DLC")
    assert "This is a posebridge error" in str(found)


def test_a_key_error_outside_hdf5_is_a_bug_and_inside_hdf5_a_damaged_file(tmp_path):
    import h5py

    path = tmp_path / "x.h5"
    with h5py.File(path, "w") as h5:
        h5["a"] = 1
    with h5py.File(path, "r") as h5:
        try:
            h5["missing"]
        except KeyError as error:
            inside = error
    assert isinstance(reading_failure(path, inside), FormatError)
    assert "is a damaged HDF5 file" in str(reading_failure(path, inside))
    outside = _raised(KeyError("missing"))
    assert type(reading_failure(path, outside)) is PoseBridgeError
