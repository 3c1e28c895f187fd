"""Row blocks of compound HDF5 tables (formats/_shared/hdf5.py)."""

from __future__ import annotations

import h5py
import numpy as np
import pytest

from posebridge.errors import FormatError
from posebridge.formats._shared import hdf5
from posebridge.formats._shared.lazy import transposed_block

POINT = np.dtype([("x", "<f8"), ("y", "<f8"), ("visible", "?"), ("complete", "?")])


def _point_table(path, rows: int, chunk: int) -> None:
    values = np.zeros(rows, dtype=POINT)
    values["x"] = np.arange(rows)
    values["y"] = -np.arange(rows)
    with h5py.File(path, "w") as h5:
        h5.create_dataset("points", data=values, chunks=(chunk,), maxshape=(None,))


class _CountingChunks:
    """A table whose raw chunk reads are counted (the h5py dataset does the reading)."""

    def __init__(self, dataset: h5py.Dataset) -> None:
        self._dataset = dataset
        self.reads: list[int] = []
        self.id = self
        self._real_id = dataset.id

    def __getattr__(self, name):
        return getattr(self._dataset, name)

    def read_direct_chunk(self, offsets, out):
        self.reads.append(offsets[0])
        return self._real_id.read_direct_chunk(offsets, out=out)

    def get_create_plist(self):
        return self._real_id.get_create_plist()

    def get_type(self):
        return self._real_id.get_type()

    def get_num_chunks(self):
        return self._real_id.get_num_chunks()


def test_point_blocks_read_every_chunk_once_when_blocks_straddle_chunks(tmp_path):
    # blocks of 4 instances x 3 nodes = 12 rows over chunks of 10 rows: blocks end inside
    # chunks, and the next block starts in the chunk the last one ended in
    path = tmp_path / "points.h5"
    _point_table(path, rows=60, chunk=10)
    with h5py.File(path) as h5:
        table = _CountingChunks(h5["points"])
        assert hdf5.raw_layout(table)
        starts = np.arange(0, 60, 3)
        blocks = list(hdf5.point_blocks(table, starts, 3, ("x", "y"), path, "points", 12))
    assert sorted(table.reads) == list(range(0, 60, 10))  # each chunk read once
    x = np.concatenate([values["x"] for _, values in blocks])
    np.testing.assert_array_equal(x, np.arange(60).reshape(20, 3))


def test_one_number_takes_a_number_or_flag_and_names_anything_else(tmp_path):
    with h5py.File(tmp_path / "a.h5", "w") as h5:
        group = h5.create_group("g")
        values = {"flag": np.bool_(False), "one": np.array([3]), "int": 7, "half": 2.5,
                  "text": "7", "many": np.array([1, 2, 3]), "none": np.zeros(0), "nan": np.nan,
                  "huge": 2.0**60}  # fmt: skip
        for name, value in values.items():
            group.attrs[name] = value
        assert hdf5.one_number(group, "absent", "default", "a.h5") == "default"
        assert hdf5.one_number(group, "flag", True, "a.h5") is False
        assert hdf5.one_number(group, "one", 0, "a.h5", whole=True) == 3
        assert hdf5.one_number(group, "half", 0, "a.h5") == 2.5
        for name in ("text", "many", "none", "nan"):
            with pytest.raises(FormatError, match=rf"a\.h5: /g: the '{name}' attribute is"):
                hdf5.one_number(group, name, 0, "a.h5")
        for name in ("half", "huge"):
            with pytest.raises(FormatError, match=f"'{name}' attribute .* one whole number"):
                hdf5.one_number(group, name, 0, "a.h5", whole=True)


def test_a_64_bit_unsigned_value_past_int64_is_refused_not_wrapped(tmp_path):
    table = np.zeros(3, dtype=[("frame_idx", "<u8"), ("video", "<u4")])
    table["frame_idx"] = [0, 1, 2**63]
    with h5py.File(tmp_path / "t.h5", "w") as h5:
        h5["frames"] = table
    with h5py.File(tmp_path / "t.h5") as h5:
        with pytest.raises(FormatError, match=r"t\.h5: /frames: column 'frame_idx' holds 922"):
            hdf5.read_columns(h5["frames"], ("frame_idx", "video"))
        assert hdf5.read_columns(h5["frames"], ("video",))["video"].tolist() == [0, 0, 0]


def _damaged_gzip_dataset(path, frames: int, chunk_frames: int) -> tuple[int, int]:
    """A gzip-compressed (frames, 3) dataset 'group/x' with bytes in the middle of one
    chunk overwritten; the frames [start, stop) of that chunk."""
    values = np.random.default_rng(0).normal(size=(frames, 3))
    with h5py.File(path, "w") as h5:
        dataset = h5.create_dataset(
            "group/x", data=values, compression="gzip", chunks=(chunk_frames, 3)
        )
        info = dataset.id.get_chunk_info(dataset.id.get_num_chunks() // 2)
    data = bytearray(path.read_bytes())
    middle = info.byte_offset + info.size // 2
    data[middle : middle + 64] = b"\xff" * 64
    path.write_bytes(bytes(data))
    start = info.chunk_offset[0]
    return start, min(start + chunk_frames, frames)


@pytest.mark.parametrize("reader", [hdf5.read_whole, hdf5.read_array])
def test_a_damaged_compressed_chunk_is_refused_naming_file_and_dataset(tmp_path, reader):
    """HDF5's "filter returned failure during read" named neither the dataset nor where;
    read_array inflates large datasets itself (zlib.error) on several threads."""
    path = tmp_path / "damaged.h5"
    _damaged_gzip_dataset(path, (hdf5.PARALLEL_MIN_BYTES // 24) * 2, 1 << 16)
    with (
        h5py.File(path, "r") as h5,
        pytest.raises(FormatError, match=r"damaged\.h5: dataset /group/x: could not be read \("),
    ):
        reader(h5["group/x"])


def test_a_damaged_chunk_inflated_by_read_array_names_zlib_error(tmp_path):
    """zlib's exception class is named plain 'error': the message said '(error: Error -3 ...)'."""
    path = tmp_path / "damaged.h5"
    _damaged_gzip_dataset(path, (hdf5.PARALLEL_MIN_BYTES // 24) * 2, 1 << 16)
    with (
        h5py.File(path, "r") as h5,
        pytest.raises(FormatError, match=r"/group/x: could not be read \(zlib\.error: Error -3"),
    ):
        hdf5.read_array(h5["group/x"])


def test_a_damaged_chunk_read_for_a_block_of_time_names_the_frames(tmp_path):
    path = tmp_path / "damaged.h5"
    start, stop = _damaged_gzip_dataset(path, 1000, 100)
    with (
        h5py.File(path, "r") as h5,
        pytest.raises(
            FormatError,
            match=rf"damaged\.h5: dataset /group/x, frames {start} to {stop - 1}: could not be",
        ),
    ):
        transposed_block("group/x", (0, 1), h5, ((start, stop), (0, 3)), time_axis=0)
