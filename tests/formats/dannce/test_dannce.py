"""DANNCE: save_data / com3d .mat files built here (v5 with scipy, v7.3 with h5py)."""

from __future__ import annotations

import re
from pathlib import Path

import h5py
import numpy as np
import pytest
import scipy.io
import xarray as xr

import posebridge
from posebridge.errors import FormatError
from posebridge.formats import dannce
from posebridge.formats.dannce.matfile import head_variables
from posebridge.registry import detect

# reading sampleIDs as time without sync= warns; test_dannce_sync.py checks that warning
pytestmark = pytest.mark.filterwarnings("ignore:.*not frame numbers:UserWarning")

N, K = 5, 4
NAMES = ["Snout", "EarL", "EarR", "Tail"]


def prediction(seed: int = 0) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    return {
        "pred": rng.normal(size=(N, 3, K)) * 50,
        "p_max": rng.uniform(0, 1, (N, K)),
        "sampleID": (np.arange(N) * 10 + 1).astype(np.float64)[None, :],
        "data": np.zeros((N, 3, K)),
    }


def save_v5(path: Path, variables: dict, compress: bool = False) -> Path:
    scipy.io.savemat(path, variables, do_compression=compress)
    return path


def save_v73(path: Path, variables: dict) -> Path:
    """A MATLAB v7.3 file: 512-byte user block with MATLAB's text, arrays column-major."""
    with h5py.File(path, "w", userblock_size=512) as h5:
        for name, value in variables.items():
            h5.create_dataset(name, data=np.asarray(value).T)
            h5[name].attrs["MATLAB_class"] = np.bytes_("double")
    with open(path, "r+b") as handle:
        text = b"MATLAB 7.3 MAT-file, Platform: GLNXA64, Created on: test HDF5 schema 1.00 ."
        handle.write(text.ljust(116) + b"\x00" * 8 + b"\x00\x02IM")
    return path


def save_skeleton(path: Path) -> Path:
    names = np.empty((1, K), dtype=object)
    for i, name in enumerate(NAMES):
        names[0, i] = name
    edges = np.array([[1, 2], [1, 3], [1, 4]], dtype=np.uint8)
    scipy.io.savemat(path, {"joint_names": names, "joints_idx": edges})
    return path


@pytest.mark.parametrize("compress", [False, True])
def test_v5_prediction(tmp_path: Path, compress: bool):
    data = prediction()
    path = save_v5(tmp_path / "save_data_AVG.mat", data, compress)
    assert detect(path) == "dannce"
    ds = posebridge.load(path)
    assert ds.keypoint.values.tolist() == [f"marker_{i}" for i in range(K)]
    assert ds.space.values.tolist() == ["x", "y", "z"]
    assert ds.time.values.tolist() == data["sampleID"].ravel().astype(int).tolist()
    np.testing.assert_array_equal(ds.position.values[..., 0], data["pred"])
    np.testing.assert_array_equal(ds.confidence.values[..., 0], data["p_max"])


def test_skeleton_file_names_markers_and_edges(tmp_path: Path):
    path = save_v5(tmp_path / "save_data_MAX.mat", prediction())
    skeleton = save_skeleton(tmp_path / "skel.mat")
    ds = posebridge.load(path, skeleton=skeleton)
    assert ds.keypoint.values.tolist() == NAMES
    assert ds.skeleton_edges.values.tolist() == [
        ["Snout", "EarL"],
        ["Snout", "EarR"],
        ["Snout", "Tail"],
    ]
    by_list = posebridge.load(path, skeleton=NAMES)
    assert by_list.keypoint.values.tolist() == NAMES


def test_skeleton_of_another_marker_count_is_refused(tmp_path: Path):
    path = save_v5(tmp_path / "save_data_AVG.mat", prediction())
    with pytest.raises(FormatError, match="3 marker names"):
        dannce.read(path, skeleton=NAMES[:3])


def test_v73_prediction_reads_like_v5(tmp_path: Path):
    data = prediction(1)
    v5 = posebridge.load(save_v5(tmp_path / "save_data_AVG.mat", data))
    path = save_v73(tmp_path / "save_data_AVG0.mat", data)
    assert detect(path) == "dannce"
    v73 = posebridge.load(path)
    np.testing.assert_array_equal(v73.position.values, v5.position.values)
    np.testing.assert_array_equal(v73.confidence.values, v5.confidence.values)
    np.testing.assert_array_equal(v73.time.values, v5.time.values)


def test_com3d_is_one_keypoint(tmp_path: Path):
    com = np.random.default_rng(2).normal(size=(N, 3))
    ids = np.arange(N, dtype=np.int64)[None, :] * 3
    path = save_v5(tmp_path / "com3d.mat", {"sampleID": ids, "com": com})
    assert detect(path) == "dannce"
    ds = posebridge.load(path)
    assert ds.keypoint.values.tolist() == ["com"]
    np.testing.assert_array_equal(ds.position.values[:, :, 0, 0], com)
    assert ds.time.values.tolist() == ids.ravel().tolist()


@pytest.mark.parametrize("version", ["v5", "v7.3"])
def test_multi_animal_com3d_gives_one_com_per_individual(tmp_path: Path, version: str):
    """h108 item 1: DANNCE's save_COM_checkpoint writes com (N, 3, n_instances) when
    n_instances > 1; it was not recognised, and format='dannce' refused it."""
    com = np.random.default_rng(5).normal(size=(N, 3, 2))
    ids = np.arange(N, dtype=np.int64)[None, :]
    save = save_v5 if version == "v5" else save_v73
    path = save(tmp_path / "com3d.mat", {"sampleID": ids, "com": com})
    assert detect(path) == "dannce"
    ds = posebridge.load(path)
    assert ds.keypoint.values.tolist() == ["com"]
    assert ds.individual.values.tolist() == ["individual_0", "individual_1"]
    np.testing.assert_array_equal(ds.position.values[:, :, 0, :], com)
    assert np.isnan(ds.confidence.values).all()
    engine = xr.open_dataset(path, engine="posebridge")
    np.testing.assert_array_equal(engine.position.values[:, :, 0, :], com)


@pytest.mark.parametrize("shape", [(N, 4), (N, 3, 2, 2), (N,)])
def test_com_of_another_shape_is_refused_naming_it(tmp_path: Path, shape: tuple[int, ...]):
    path = save_v5(
        tmp_path / "com3d.mat", {"sampleID": np.arange(N)[None], "com": np.zeros(shape)}
    )
    with pytest.raises(FormatError, match=r"com should be \(N, 3\) or \(N, 3, n_instances\)"):
        dannce.read(path)


def test_a_skeleton_for_a_com3d_file_is_refused(tmp_path: Path):
    """com3d.mat holds one point per frame; marker names were ignored without a word."""
    com = np.random.default_rng(2).normal(size=(N, 3))
    ids = np.arange(N, dtype=np.int64)[None, :]
    path = save_v5(tmp_path / "com3d.mat", {"sampleID": ids, "com": com})
    with pytest.raises(posebridge.FormatError, match="skeleton= names the markers"):
        posebridge.load(path, skeleton=["a", "b"])


def test_sample_ids_out_of_order_are_sorted(tmp_path: Path):
    data = prediction()
    data["sampleID"] = data["sampleID"][:, ::-1].copy()
    ds = dannce.read(save_v5(tmp_path / "save_data_AVG.mat", data))
    assert ds.time.values.tolist() == sorted(data["sampleID"].ravel().astype(int).tolist())
    np.testing.assert_array_equal(ds.position.values[0, :, :, 0], data["pred"][-1])


def test_instance_axis_gives_individuals(tmp_path: Path):
    rng = np.random.default_rng(4)
    pred = rng.normal(size=(N, 2, 3, K))
    data = {"pred": pred, "p_max": rng.uniform(size=(N, 2, K)), "sampleID": np.arange(N)[None]}
    ds = dannce.read(save_v5(tmp_path / "save_data_AVG.mat", data))
    assert ds.individual.values.tolist() == ["individual_0", "individual_1"]
    np.testing.assert_array_equal(ds.position.sel(individual="individual_1").values, pred[:, 1])


@pytest.mark.parametrize(
    ("instances", "p_max_shape"), [(1, "N K n"), (2, "N K n"), (2, "N K"), (2, "N")]
)
def test_sdannce_p_max_of_another_shape_names_the_accepted_ones(
    tmp_path: Path, instances: int, p_max_shape: str
):
    """r_sdannce_pmax_msg: the error said pred (N, n, 3, K) "implies (N, K)", a shape it
    refuses with two instances; it names the shapes it takes."""
    n = {"N": N, "K": K, "n": instances}
    data = {
        "pred": np.zeros((N, instances, 3, K)),
        "p_max": np.zeros(tuple(n[axis] for axis in p_max_shape.split())),
        "sampleID": np.arange(N)[None],
    }
    accepted = [(N, K)] if instances == 1 else []
    accepted.append((N, instances, K))
    expected = " or ".join(map(str, accepted))
    with pytest.raises(FormatError, match=rf"it should be {re.escape(expected)}\.$"):
        dannce.read(save_v5(tmp_path / "save_data_AVG.mat", data))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"sampleID": None}, "no sampleID"),
        ({"sampleID": np.arange(N + 1)[None]}, "sampleID holds 6 values"),
        ({"sampleID": np.zeros((1, N))}, "gives sample 0 twice"),
        # past 2**53: 1e30 wrapped to a negative int64 frame with only a RuntimeWarning
        ({"sampleID": np.arange(N)[None] * 1e30}, "sampleID should hold whole sample ids"),
        ({"p_max": np.zeros((N, K + 1))}, "p_max is"),
        ({"pred": np.zeros((N, 4, K))}, "pred should be"),
        # found by fuzzing: text where numbers belong raised numpy's ValueError
        ({"pred": np.array(["a", "b"])}, "pred should hold numbers"),
        ({"p_max": "x"}, "p_max should hold numbers"),
        # no marker: "Coordinate 'keypoint' must hold strings, got dtype float64"
        ({"pred": np.zeros((N, 3, 0)), "p_max": np.zeros((N, 0))}, r"pred \(5, 3, 0\) holds no"),
    ],
)
def test_bad_variables_are_named(tmp_path: Path, change: dict, message: str):
    data = prediction() | change
    data = {k: v for k, v in data.items() if v is not None}
    path = save_v5(tmp_path / "save_data_AVG.mat", data)
    with pytest.raises(FormatError, match=message) as error:
        dannce.read(path)
    assert str(path) in str(error.value)


@pytest.mark.parametrize(
    ("joints_idx", "message"),
    [(np.array(["a", "b"]), "joints_idx should hold numbers"), ([[1, 2.5]], "whole marker")],
)
def test_a_skeleton_whose_edges_are_not_marker_numbers_is_refused(tmp_path, joints_idx, message):
    path = save_v5(tmp_path / "save_data_AVG.mat", prediction())
    names = np.empty((1, K), dtype=object)
    names[0, :] = NAMES
    skeleton = tmp_path / "skeleton.mat"
    scipy.io.savemat(skeleton, {"joint_names": names, "joints_idx": joints_idx})
    with pytest.raises(FormatError, match=message) as error:
        dannce.read(path, skeleton=skeleton)
    assert str(skeleton) in str(error.value)


@pytest.mark.parametrize("outside", [0, K + 1])
def test_a_skeleton_edge_outside_the_markers_is_refused_naming_the_number(tmp_path, outside):
    """h111 finding 7: an out-of-range joints_idx was reported as a wrong shape."""
    path = save_v5(tmp_path / "save_data_AVG.mat", prediction())
    names = np.empty((1, K), dtype=object)
    names[0, :] = NAMES
    skeleton = tmp_path / "skeleton.mat"
    scipy.io.savemat(skeleton, {"joint_names": names, "joints_idx": [[1, 2], [2, outside]]})
    with pytest.raises(FormatError) as error:
        dannce.read(path, skeleton=skeleton)
    message = str(error.value)
    assert message.startswith(f"{skeleton}:")
    assert f"joints_idx holds {outside}; marker numbers are 1..{K}" in message
    assert "shape" not in message


def test_a_skeleton_file_naming_a_marker_twice_is_refused_naming_that_file(tmp_path):
    """h111 finding 7: repeated joint_names were refused as repeated keypoint names of the
    prediction file, the skeleton file unnamed."""
    path = save_v5(tmp_path / "save_data_AVG.mat", prediction())
    names = np.empty((1, K), dtype=object)
    names[0, :] = [NAMES[0], NAMES[1], NAMES[0], NAMES[3]]
    skeleton = tmp_path / "skeleton.mat"
    scipy.io.savemat(skeleton, {"joint_names": names})
    with pytest.raises(FormatError) as error:
        dannce.read(path, skeleton=skeleton)
    message = str(error.value)
    assert message.startswith(f"{skeleton}:")
    assert f"joint_names names {NAMES[0]!r} 2 times (first as markers 1 and 3)" in message


def test_a_skeleton_list_naming_a_marker_twice_is_refused_naming_the_option(tmp_path):
    path = save_v5(tmp_path / "save_data_AVG.mat", prediction())
    with pytest.raises(FormatError, match=f"skeleton= names {NAMES[1]!r} 2 times"):
        dannce.read(path, skeleton=[NAMES[0], NAMES[1], NAMES[1], NAMES[3]])


def save_v73_with_empties(path: Path, variables: dict, empty: dict) -> Path:
    """A v7.3 file as :func:`save_v73` writes it, plus MATLAB's empty arrays: each
    ``name: dims`` of ``empty`` stored as MATLAB stores ``zeros(dims)``, its dimensions in
    place of the data, marked ``MATLAB_empty``."""
    save_v73(path, variables)
    with h5py.File(path, "r+") as h5:
        for name, dims in empty.items():
            h5.create_dataset(name, data=np.array(dims, dtype=np.uint64))
            h5[name].attrs["MATLAB_class"] = np.bytes_("double")
            h5[name].attrs["MATLAB_empty"] = np.uint8(1)
    return path


def test_v73_empty_variables_read_as_empty_arrays_as_v5_does(tmp_path: Path):
    """h111 finding 8: a v7.3 empty array was read as its dimension list ((3,) for
    zeros(0, 3, K)), so a file the v5 reader reads was refused for a wrong shape."""
    empty = {"pred": [0, 3, K], "p_max": [0, K], "sampleID": [1, 0]}
    path = save_v73_with_empties(tmp_path / "save_data_AVG.mat", {}, empty)
    ds = posebridge.load(path)
    assert dict(ds.sizes) == {"time": 0, "space": 3, "keypoint": K, "individual": 1}
    v5 = save_v5(tmp_path / "save_data_AVG5.mat", {k: np.zeros(v) for k, v in empty.items()})
    assert dict(posebridge.load(v5).sizes) == dict(ds.sizes)


def test_v73_empty_p_max_is_refused_for_its_true_shape_as_v5(tmp_path: Path):
    """h111 finding 8: p_max = zeros(N, 0) was refused as (2,), its dimension list."""
    data = prediction()
    del data["p_max"]
    path = save_v73_with_empties(tmp_path / "save_data_AVG.mat", data, {"p_max": [N, 0]})
    with pytest.raises(FormatError, match=re.escape(f"p_max is {(N, 0)}; with pred")):
        dannce.read(path)
    v5 = save_v5(tmp_path / "save_data_AVG5.mat", data | {"p_max": np.zeros((N, 0))})
    with pytest.raises(FormatError, match=re.escape(f"p_max is {(N, 0)}; with pred")):
        dannce.read(v5)


def test_v73_empty_marker_on_dimensions_of_data_is_refused_as_damaged(tmp_path: Path):
    data = prediction()
    del data["p_max"]
    path = save_v73_with_empties(tmp_path / "save_data_AVG.mat", data, {"p_max": [N, K]})
    with pytest.raises(FormatError, match="marked empty") as error:
        dannce.read(path)
    assert str(path) in str(error.value) and "p_max" in str(error.value)


def test_not_dannce_mat_is_refused(tmp_path: Path):
    path = save_v5(tmp_path / "other.mat", {"something": np.zeros(3)})
    with pytest.raises(FormatError, match="neither pred"):
        dannce.read(path)
    assert head_variables(path.read_bytes()) == {"something": (1, 3)}


def test_long_com3d_whose_com_lies_beyond_the_head_is_detected(tmp_path: Path):
    n = 40_000  # sampleID alone fills the 256 KB the sniffers see
    ids = np.arange(n, dtype=np.int64)[None, :]
    com = np.zeros((n, 3))
    path = save_v5(tmp_path / "com3d.mat", {"sampleID": ids, "com": com})
    assert "com" not in head_variables(path.read_bytes()[: 256 * 1024])
    assert detect(path) == "dannce"
    assert posebridge.load(path).sizes["time"] == n


def test_describe_lists_variables_of_both_versions(tmp_path: Path):
    data = prediction()
    v5 = dict(dannce.describe(save_v5(tmp_path / "a.mat", data)))
    v73 = dict(dannce.describe(save_v73(tmp_path / "b.mat", data)))
    assert "pred (5, 3, 4)" in v5["variables"] and v5["MATLAB"].startswith("v5")
    assert "pred (5, 3, 4)" in v73["variables"] and v73["MATLAB"].startswith("v7.3")


def _with_undefined_type(raw: bytes, variable: bytes) -> bytes:
    """``raw`` (a v5 file) with the numbers of ``variable`` typed 8201, a type MATLAB lacks.

    The element that follows the variable's name (its numbers, miDOUBLE = 9) gets the
    type the fuzzer made (seed 2033, case 765), inside a compressed element too.
    """
    import struct
    import zlib

    def retyped(body: bytes) -> bytes:
        at = body.index(variable)
        at = body.index(struct.pack("<I", 9), at)  # the numbers' tag, after the name
        return body[:at] + struct.pack("<I", 8201) + body[at + 4 :]

    out, offset = bytearray(raw[:128]), 128
    while offset < len(raw):
        kind, size = struct.unpack_from("<II", raw, offset)
        body = raw[offset + 8 : offset + 8 + size]
        if kind == 15:
            inflated = zlib.decompress(body)
            if variable in inflated:
                body = zlib.compress(retyped(inflated))
        elif variable in body:
            body = retyped(body)
        out += struct.pack("<II", kind, len(body)) + body
        offset += 8 + size
    return bytes(out)


@pytest.mark.parametrize("compress", [False, True])
def test_an_element_of_an_undefined_type_is_refused_not_a_crash(tmp_path: Path, compress: bool):
    """scipy's reader dies with a segmentation fault on one: run in a child, to see it."""
    import subprocess
    import sys

    path = tmp_path / "save_data_AVG.mat"
    path.write_bytes(
        _with_undefined_type(save_v5(path, prediction(), compress).read_bytes(), b"pred")
    )
    script = (
        "import posebridge, sys\n"
        "try:\n    posebridge.load(sys.argv[1])\n"
        "except posebridge.PoseBridgeError as error:\n    print(type(error).__name__, error)\n"
    )
    run = subprocess.run([sys.executable, "-c", script, str(path)], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr[-500:]
    assert run.stdout.startswith("FormatError")
    assert "'pred' holds a data element of type 8201" in run.stdout


def test_an_array_of_a_class_matlab_lacks_is_refused_naming_the_file(tmp_path: Path):
    """scipy's compiled reader raises UnboundLocalError on one (found by the fuzz run)."""
    path = save_v5(tmp_path / "com3d.mat", {"com": np.zeros((4, 3))})
    data = bytearray(path.read_bytes())
    assert data[128] == 14 and data[136] == 6  # a matrix, then its array flags
    assert data[144] == 6  # the class of its array: double
    data[144] = 30  # no MATLAB class
    path.write_bytes(bytes(data))
    with pytest.raises(FormatError, match="of a class MATLAB does not define") as raised:
        posebridge.load(path, format="dannce")
    assert str(path) in str(raised.value)


def test_a_missing_skeleton_file_is_refused_as_a_missing_input(tmp_path: Path):
    """A missing side file was a FormatError, not the FileNotFoundError load gives (README)."""
    from posebridge import errors

    path = save_v5(tmp_path / "save_data_MAX.mat", prediction())
    with pytest.raises(errors.FileNotFoundError, match="skel.mat"):
        posebridge.load(path, skeleton=tmp_path / "skel.mat")
    with pytest.raises(errors.IsADirectoryError):
        dannce.read(path, skeleton=tmp_path)


def test_a_v73_file_whose_names_lie_beyond_the_head_is_detected(tmp_path):
    """More or longer variable names: HDF5 lists them after the (compressed) data."""
    rng = np.random.default_rng(0)
    n = 5000
    path = tmp_path / "save_data_AVG.mat"
    with h5py.File(path, "w", userblock_size=512) as h5:
        for name in ("data", "log_pmax", "p_max", "com_predicted_in_world_coordinates",
                     "another_long_variable_name", "yet_another_variable"):  # fmt: skip
            h5.create_dataset(name, data=rng.random((K, n)), compression="gzip")
            h5[name].attrs["MATLAB_class"] = np.bytes_("double")
        h5.create_dataset("pred", data=rng.random((K, 3, n)), compression="gzip")
        h5.create_dataset("sampleID", data=(np.arange(n) * 10 + 1.0)[:, None])
        for name in ("pred", "sampleID"):
            h5[name].attrs["MATLAB_class"] = np.bytes_("double")
    with open(path, "r+b") as handle:
        text = b"MATLAB 7.3 MAT-file, Platform: GLNXA64, Created on: test HDF5 schema 1.00 ."
        handle.write(text.ljust(116) + b"\x00" * 8 + b"\x00\x02IM")
    assert b"sampleID\x00" not in path.read_bytes()[: 256 * 1024]
    assert posebridge.detect(path) == "dannce"
    assert posebridge.load(path).sizes["time"] == n


def test_a_v73_cell_array_that_holds_itself_is_refused(tmp_path):
    path = tmp_path / "self.mat"
    with h5py.File(path, "w", userblock_size=512) as h5:
        h5["sampleID"] = np.arange(1.0, N + 1)[:, None]
        cells = h5.create_dataset("pred", shape=(2,), dtype=h5py.ref_dtype)
        cells[...] = np.full(2, cells.ref, dtype=object)
    with open(path, "r+b") as handle:
        text = b"MATLAB 7.3 MAT-file, Platform: GLNXA64, Created on: test HDF5 schema 1.00 ."
        handle.write(text.ljust(116) + b"\x00" * 8 + b"\x00\x02IM")
    with pytest.raises(FormatError, match=r"self\.mat: the cell array /pred holds itself"):
        posebridge.load(path, format="dannce")


def test_a_compressed_variable_declaring_gigabytes_is_refused_before_inflating(tmp_path):
    """A megabyte of deflated zeros inflated to a gigabyte, twice (here and in scipy)."""
    import struct
    import zlib

    def element(kind: int, payload: bytes) -> bytes:
        return struct.pack("<II", kind, len(payload)) + payload + b"\0" * (-len(payload) % 8)

    n, k = 2_000_000, 22
    size = n * 3 * k * 8  # pred (n, 3, k) doubles: 1 GB
    head = (
        element(6, struct.pack("<II", 6, 0))
        + element(5, struct.pack("<3i", n, 3, k))
        + element(1, b"pred")
        + struct.pack("<II", 9, size)
    )
    packed = zlib.compress(struct.pack("<II", 14, len(head) + size) + head + bytes(1 << 20))
    path = tmp_path / "bomb.mat"
    with open(path, "wb") as handle:
        handle.write(b"MATLAB 5.0 MAT-file".ljust(116) + b"\0" * 8 + struct.pack("<H", 0x0100))
        handle.write(b"IM" + struct.pack("<II", 15, len(packed)) + packed)
    with pytest.raises(FormatError, match=r"bomb\.mat: the variable 'pred' inflates to 1056"):
        posebridge.load(path, format="dannce")


def _v73_header(path: Path) -> None:
    with open(path, "r+b") as handle:
        text = b"MATLAB 7.3 MAT-file, Platform: GLNXA64, Created on: test HDF5 schema 1.00 ."
        handle.write(text.ljust(116) + b"\x00" * 8 + b"\x00\x02IM")


def _utf16_units(text: str) -> np.ndarray:
    """MATLAB's char: UTF-16 code units."""
    return np.frombuffer(text.encode("utf-16-le"), dtype=np.uint16)


@pytest.mark.parametrize(
    ("dtype", "offset"), [(np.uint32, 0x10000), (np.int64, -0x10000), (np.float64, 0.5)]
)
def test_v73_char_values_that_are_no_utf16_unit_are_refused(tmp_path: Path, dtype, offset):
    """A char stored as a wider type past 0..65535 wrapped round to another character
    on the cast to uint16 (65536 + ord('S') read as 'S') without a word."""
    units = _utf16_units("Snout").astype(dtype)
    units[0] += offset
    path = tmp_path / "skeleton73.mat"
    with h5py.File(path, "w", userblock_size=512) as h5:
        h5.create_dataset("joint_names", data=units[:, None])
        h5["joint_names"].attrs["MATLAB_class"] = np.bytes_("char")
    _v73_header(path)
    data = save_v5(tmp_path / "save_data_AVG.mat", prediction())
    with pytest.raises(
        FormatError,
        match=rf"skeleton73\.mat: the text /joint_names holds {units[0].item()!r} .*not a UTF-16 "
        "code unit",
    ):
        posebridge.load(data, skeleton=path)


@pytest.mark.parametrize("layout", ["cell-array", "char-matrix"])
def test_v73_marker_names_read_as_the_v5_copy_of_them(tmp_path: Path, layout):
    """Each UTF-16 code unit was a character (a name past U+FFFF became two halves) and
    a char matrix's rows were one name."""
    names = ["Snout", "EarL", "EarR", "Tail\U0001f42d"] if layout == "cell-array" else NAMES
    path = tmp_path / "skeleton73.mat"
    with h5py.File(path, "w", userblock_size=512) as h5:
        if layout == "cell-array":
            refs = np.empty((K, 1), dtype=h5py.ref_dtype)
            for i, name in enumerate(names):
                cell = h5.create_dataset(f"#refs#/n{i}", data=_utf16_units(name)[:, None])
                cell.attrs["MATLAB_class"] = np.bytes_("char")
                refs[i, 0] = cell.ref
            h5.create_dataset("joint_names", data=refs).attrs["MATLAB_class"] = np.bytes_("cell")
        else:
            width = max(map(len, names))
            matrix = np.stack([_utf16_units(n.ljust(width)) for n in names])  # padded rows
            h5.create_dataset("joint_names", data=matrix.T)
            h5["joint_names"].attrs["MATLAB_class"] = np.bytes_("char")
    _v73_header(path)
    v5 = tmp_path / "skeleton5.mat"
    cells = np.empty((1, K), dtype=object)
    cells[0, :] = names
    scipy.io.savemat(v5, {"joint_names": cells if layout == "cell-array" else np.array(names)})
    data = save_v5(tmp_path / "save_data_AVG.mat", prediction())
    expected = posebridge.load(data, skeleton=v5).keypoint.values.tolist()
    assert posebridge.load(data, skeleton=path).keypoint.values.tolist() == expected
    assert expected[0] == "Snout" and len(expected) == K


@pytest.mark.parametrize("keep", [0.5, 0.97])
def test_a_file_cut_short_is_refused_as_such(tmp_path: Path, keep: float):
    """Cut inside pred it said 'has no sampleID variable'; cut inside a later variable
    it read without a word."""
    whole = save_v5(tmp_path / "whole.mat", prediction() | {"metadata": np.ones((40, 40))})
    data = whole.read_bytes()
    path = tmp_path / "save_data_AVG.mat"
    path.write_bytes(data[: int(len(data) * keep)])
    with pytest.raises(FormatError, match=r"save_data_AVG\.mat: is cut short: its element at"):
        dannce.read(path)


@pytest.mark.parametrize("extra", [1, 5])
def test_a_file_cut_right_after_its_header_is_refused_as_cut_short(tmp_path: Path, extra: int):
    """Cut a few bytes after the 128-byte header (short of a tag) it said 'has neither
    pred nor com; not a DANNCE file'."""
    data = save_v5(tmp_path / "whole.mat", prediction()).read_bytes()
    path = tmp_path / "save_data_AVG.mat"
    path.write_bytes(data[: 128 + extra])
    with pytest.raises(
        FormatError, match=r"save_data_AVG\.mat: is cut short right after its 128-byte"
    ):
        dannce.read(path)


def test_a_complete_mat_file_of_no_variable_is_not_called_cut_short(tmp_path: Path):
    """savemat(path, {}) writes a whole MAT-file of no variable: it is no DANNCE file, not a
    damaged one (it was called cut short, with advice to copy it again)."""
    path = tmp_path / "save_data_AVG.mat"
    scipy.io.savemat(path, {})
    assert path.stat().st_size == 128  # the header and nothing else
    with pytest.raises(FormatError, match=r"save_data_AVG\.mat: has neither pred") as caught:
        dannce.read(path)
    assert "cut short" not in str(caught.value)


@pytest.mark.parametrize("compress", [False, True])
@pytest.mark.parametrize("kind", ["save_data", "com3d"])
def test_variables_in_matlab_order_past_the_head_are_detected(tmp_path: Path, kind, compress):
    """Saved again by MATLAB (alphabetical: a large 'data' before 'pred', or a long
    'com' before 'sampleID'), the files were not recognised without format=."""
    n = 20_000
    rng = np.random.default_rng(4)
    if kind == "save_data":
        variables = {
            "data": rng.normal(size=(n, 3, K)),
            "p_max": rng.uniform(size=(n, K)),
            "pred": rng.normal(size=(n, 3, K)),
            "sampleID": np.arange(1.0, n + 1)[None],
        }
        name = "save_data_AVG.mat"
    else:
        variables = {"com": rng.normal(size=(n, 3)), "sampleID": np.arange(1.0, n + 1)[None]}
        name = "centre.mat"  # not named com3d*: the variables decide
    path = save_v5(tmp_path / name, variables, compress)
    assert detect(path) == "dannce"
