"""Small files that declare huge arrays: refused before anything is allocated.

An HDF5 dataset's shape is a few bytes of its file, and an unwritten dataset of
a billion entries costs nothing to declare; a zip member of zeros deflates a
thousandfold. Each reader checks what it reads whole against its file's size
(``formats/_shared/hdf5.check_size``) instead of allocating gigabytes.
"""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import h5py
import numpy as np
import pytest

import posebridge
from posebridge.errors import FormatError


def _poses(tmp_path: Path, name: str, **options) -> Path:
    ds = posebridge.from_numpy(
        np.ones((4, 2, 2, 1)), np.ones((4, 2, 1)), keypoint_names=["a", "b"], fps=30
    )
    (path,) = posebridge.save(ds, tmp_path / name, **options)
    return path


def _declare(h5: h5py.File, name: str, shape: tuple[int, ...], dtype: str) -> None:
    """Replace dataset ``name`` by an unwritten one of ``shape`` (its attributes kept)."""
    attrs = dict(h5[name].attrs)
    del h5[name]
    chunks = (min(shape[0], 1 << 16), *shape[1:])
    h5.create_dataset(name, shape=shape, dtype=dtype, chunks=chunks).attrs.update(attrs)


def test_sleap_analysis_names_declared_by_the_million_are_refused(tmp_path):
    path = _poses(tmp_path, "p.analysis.h5")
    with h5py.File(path, "r+") as h5:
        _declare(h5, "node_names", (20_000_000,), "S1")
    with pytest.raises(FormatError, match=r"node_names declares 20000000 texts"):
        posebridge.load(path)


def test_nwb_series_declared_by_the_billion_are_refused(tmp_path):
    path = _poses(tmp_path, "p.nwb")
    with h5py.File(path, "r+") as h5:
        series = [n for n, o in h5["processing/behavior"].items() if isinstance(o, h5py.Group)]
        container = h5[f"processing/behavior/{series[0]}"]
        first = next(k for k, v in container.items() if isinstance(v, h5py.Group) and "data" in v)
        _declare(container[first], "data", (1_000_000_000, 2), "f8")
    with pytest.raises(FormatError, match=r"data declares shape \(1000000000, 2\)"):
        posebridge.load(path)


def test_nwb_skeleton_nodes_declared_by_the_million_are_refused(tmp_path):
    path = _poses(tmp_path, "p.nwb")
    with h5py.File(path, "r+") as h5:
        nodes = []
        h5["processing"].visititems(lambda n, o: nodes.append(n) if n.endswith("/nodes") else None)
        _declare(h5, f"processing/{nodes[0]}", (20_000_000,), h5py.string_dtype())
    with pytest.raises(FormatError, match=r"nodes declares 20000000 texts"):
        posebridge.load(path)


@pytest.mark.parametrize("key", ["axis0_level1", "axis1"])
def test_a_pandas_axis_declared_by_the_billion_is_refused(tmp_path, key):
    pytest.importorskip("tables")
    import pandas as pd

    columns = pd.MultiIndex.from_product(
        [["scorer"], ["a", "b"], ["x", "y", "likelihood"]],
        names=["scorer", "bodyparts", "coords"],
    )
    path = tmp_path / "fixedDLC.h5"
    pd.DataFrame(np.ones((4, 6)), columns=columns).to_hdf(path, key="df", format="fixed")
    with h5py.File(path, "r+") as h5:
        kind = "S10" if key.startswith("axis0") else "i8"
        _declare(h5, f"df/{key}", (1_000_000_000,), kind)
    with pytest.raises(FormatError, match=rf"df/{key} declares"):
        posebridge.load(path)


def test_a_pandas_empty_array_mark_with_a_size_is_refused(tmp_path):
    pytest.importorskip("tables")
    import pandas as pd

    columns = pd.MultiIndex.from_product(
        [["scorer"], ["a"], ["x", "y", "likelihood"]], names=["scorer", "bodyparts", "coords"]
    )
    path = tmp_path / "fixedDLC.h5"
    pd.DataFrame(np.ones((4, 3)), columns=columns).to_hdf(path, key="df", format="fixed")
    with h5py.File(path, "r+") as h5:
        h5["df/block0_values"].attrs["shape"] = np.array([100_000_000, 39], dtype=np.int64)
    with pytest.raises(FormatError, match=r"marks 'block0_values' as an empty array of shape"):
        posebridge.load(path)


@pytest.mark.parametrize("opening", ["load", "open_dataset"])
def test_a_netcdf_variable_declared_by_the_billion_is_refused(tmp_path, opening):
    path = _poses(tmp_path, "p.nc")
    with h5py.File(path, "r+") as h5:
        h5["position"].attrs.pop("DIMENSION_LIST", None)  # a lone variable, no dimension scales
        _declare(h5, "position", (100_000_000, 2, 2, 1), "f8")
    with pytest.raises(FormatError, match=r"position declares shape"):
        getattr(posebridge, opening)(path)


def test_a_trex_npz_that_unpacks_to_gigabytes_is_refused(tmp_path):
    path = tmp_path / "bomb_fish0.npz"
    n = 30_000_000  # 120 MB of float32 zeros per array, some 350 kB deflated (1000:1)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in ("frame", "X", "Y"):
            with archive.open(f"{name}.npy", "w", force_zip64=True) as member:
                header = {"descr": "<f4", "fortran_order": False, "shape": (n,)}
                np.lib.format.write_array_header_1_0(member, header)
                block = bytes(4 << 20)
                for start in range(0, n * 4, len(block)):
                    member.write(block[: min(len(block), n * 4 - start)])
    assert path.stat().st_size < 2_000_000
    with pytest.raises(FormatError, match=r"its arrays unpack to 360000\d+ bytes"):
        posebridge.load(path)


def test_files_of_ordinary_size_still_read(tmp_path):
    for name in ("p.analysis.h5", "p.nwb", "p.nc", "pDLC.h5"):
        assert posebridge.load(_poses(tmp_path, name)).sizes["time"] == 4
    shutil.rmtree(tmp_path)


def test_netcdf_character_arrays_of_many_characters_still_read(tmp_path):
    """netCDF's char strings (S1, one element per byte) are not a list of texts."""
    n = 20_000
    ds = posebridge.from_numpy(np.ones((n, 2, 1, 1)), np.ones((n, 1, 1)))
    paths = [f"labeled-data/video1/img{i:06d}.png" for i in range(n)]
    ds = ds.assign_coords(image_path=("time", paths))
    path = tmp_path / "chars.nc"
    ds.to_netcdf(path, engine="h5netcdf", encoding={"image_path": {"dtype": "S1", "zlib": True}})
    with h5py.File(path) as h5:  # more characters than 65,536 and than the file's bytes / 8
        assert h5["image_path"].size > max(1 << 16, path.stat().st_size // 8)
    for opening in (posebridge.load, posebridge.open_dataset):
        assert opening(path).image_path.values[-1] == paths[-1]


def _stored_elsewhere(path: Path, name: str, target: str) -> None:
    """Replace dataset ``name`` by one whose values HDF5 reads from ``target``.

    External storage needs a fixed size: a text becomes ``S64``, a scalar one item.
    """
    with h5py.File(path, "a") as h5:
        shape, dtype, attrs = h5[name].shape, h5[name].dtype, dict(h5[name].attrs)
        shape = shape or (1,)
        dtype = np.dtype("S64") if dtype.kind in "OSU" else dtype
        del h5[name]
        size = int(np.prod(shape)) * dtype.itemsize
        h5.create_dataset(name, shape=shape, dtype=dtype, external=[(target, 0, size)])
        h5[name].attrs.update(attrs)


@pytest.mark.parametrize(
    ("name", "dataset"),
    [
        ("p.analysis.h5", "tracks"),
        ("p.nc", "confidence"),
        ("pDLC.h5", "df_with_missing/table"),
        ("p.slp", "pred_points"),
        ("p.nwb", "processing/behavior/PoseEstimation/a/data"),
    ],
)
@pytest.mark.parametrize("opening", ["load", "open_dataset"])
def test_a_dataset_stored_in_another_file_is_refused(tmp_path, name, dataset, opening):
    """HDF5 reads external storage from any file it names: a FIFO hung the read forever,
    and another local file's bytes came back as positions."""
    path = _poses(tmp_path, name)
    secret = tmp_path / "secret.txt"
    secret.write_bytes(b"root:x:0:0:root:/root:/bin/sh\n" * 100)
    _stored_elsewhere(path, dataset, str(secret))
    with pytest.raises(FormatError, match=rf"{dataset} keeps its values in .*secret\.txt"):
        loaded = getattr(posebridge, opening)(path)
        loaded.load()


@pytest.mark.parametrize(
    ("name", "dataset"),
    [
        ("p.analysis.h5", "video_path"),
        ("p.slp", "tracks_json"),
        ("p.nwb", "processing/behavior/PoseEstimation/a/starting_time"),
    ],
)
def test_small_datasets_stored_in_another_file_are_refused_too(tmp_path, name, dataset):
    ds = posebridge.from_numpy(
        np.ones((4, 2, 2, 1)),
        np.ones((4, 2, 1)),
        keypoint_names=["a", "b"],
        individual_names=["mouse"],
        fps=30,
    ).assign_attrs(video_path="v.mp4")
    (path,) = posebridge.save(ds, tmp_path / name)
    secret = tmp_path / "secret.txt"
    secret.write_bytes(b"SECRET".ljust(4096, b"\0"))
    with h5py.File(path) as h5:
        assert dataset in h5, list(h5)
    _stored_elsewhere(path, dataset, str(secret))
    with pytest.raises(FormatError, match=rf"{dataset} keeps its values in .*secret\.txt"):
        posebridge.load(path)


@pytest.mark.parametrize("damage", ["declared", "elsewhere"])
def test_an_nwbfile_opened_by_pynwb_is_checked_as_a_path_is(tmp_path, damage):
    """movement's from_nwb_file(nwbfile): pynwb hands over h5py datasets, read whole."""
    pynwb = pytest.importorskip("pynwb")
    from posebridge.io import load_poses

    path = _poses(tmp_path, "p.nwb")
    data = "processing/behavior/PoseEstimation/a/data"
    if damage == "declared":
        with h5py.File(path, "r+") as h5:
            _declare(h5, data, (100_000_000, 2), "f8")
        expected = r"data declares shape \(100000000, 2\)"
    else:
        secret = tmp_path / "secret.txt"
        secret.write_bytes(b"root:x:0:0:root:/root:/bin/sh\n" * 100)
        _stored_elsewhere(path, data, str(secret))
        expected = r"data keeps its values in .*secret\.txt"
    with pynwb.NWBHDF5IO(path, "r") as io, pytest.raises(FormatError, match=expected):
        load_poses.from_nwb_file(io.read())


def test_a_lazily_read_dlc_table_declared_by_the_ten_million_is_refused_unread(tmp_path):
    import tracemalloc

    path = _poses(tmp_path, "videoDLC_resnet50_x.h5")
    with h5py.File(path, "r+") as h5:
        table = h5["df_with_missing/table"]
        attrs, dtype = dict(table.attrs), table.dtype
        del h5["df_with_missing/table"]
        h5.create_dataset(
            "df_with_missing/table", shape=(10_000_000,), dtype=dtype, chunks=(1 << 14,)
        ).attrs.update(attrs)
    tracemalloc.start()
    try:
        with pytest.raises(FormatError, match=r"table declares shape \(10000000,\)"):
            posebridge.open_dataset(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 20_000_000  # the lazy reader read the index of every declared row (80 MB)


def test_a_lazily_read_dlc_table_stored_in_another_file_is_refused(tmp_path):
    """Rows of the right shape elsewhere: the lazy reader gave them as positions."""
    path = _poses(tmp_path, "videoDLC_resnet50_x.h5")
    other = tmp_path / "other.bin"
    with h5py.File(path, "r+") as h5:
        table = h5["df_with_missing/table"]
        attrs, rows = dict(table.attrs), table[()]
        for field in rows.dtype.names[1:]:  # after the index: the values
            rows[field][...] = 1234.5
        rows.tofile(other)
        del h5["df_with_missing/table"]
        h5.create_dataset(
            "df_with_missing/table",
            shape=rows.shape,
            dtype=rows.dtype,
            external=[(str(other), 0, rows.nbytes)],
        ).attrs.update(attrs)
    with pytest.raises(FormatError, match=r"table keeps its values in .*other\.bin"):
        posebridge.open_dataset(path)
