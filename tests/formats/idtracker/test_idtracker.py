"""idtracker.ai: pickled-dict .npy, trajectories.h5 and CSV exports built here; the
restricted unpickler."""

from __future__ import annotations

import collections
import json
import os
import pickle
import warnings
from pathlib import Path

import h5py
import numpy as np
import pytest

import posebridge
from posebridge.errors import FormatError, PoseBridgeError
from posebridge.formats import idtracker
from posebridge.formats._shared.safe_pickle import UnsafePickleError, load_pickled
from posebridge.registry import detect

N_FRAMES, N_ANIMALS = 7, 3


def trajectories_dict() -> dict:
    rng = np.random.default_rng(3)
    trajectories = rng.uniform(0, 1000, (N_FRAMES, N_ANIMALS, 2))
    trajectories[2, 1] = np.nan
    probabilities = rng.uniform(0.5, 1, (N_FRAMES, N_ANIMALS, 1))
    probabilities[2, 1] = np.nan
    return {
        "trajectories": trajectories,
        "id_probabilities": probabilities,
        "git_commit": "0",
        "video_path": "/data/video.avi",
        "frames_per_second": 25,
        "body_length": 41.5,
        "areas": rng.uniform(100, 200, (N_FRAMES, N_ANIMALS)),
        "setup_points": {"border": np.array([[0, 0], [10, 10]])},
    }


def save_npy(path: Path, value: object) -> Path:
    # our own test data: written with numpy's pickling, read back through posebridge's
    # restricted unpickler
    np.save(path, np.array(value, dtype=object), allow_pickle=True)
    return path


def test_npy_dict_reads_positions_probabilities_fps_body_length(tmp_path: Path):
    data = trajectories_dict()
    path = save_npy(tmp_path / "trajectories_wo_gaps.npy", data)
    assert detect(path) == "idtracker"
    ds = posebridge.load(path)
    assert ds.individual.values.tolist() == ["id_1", "id_2", "id_3"]
    assert ds.keypoint.values.tolist() == ["centroid"]
    np.testing.assert_array_equal(
        ds.position.sel(keypoint="centroid").transpose("time", "individual", "space").values,
        data["trajectories"],
    )
    np.testing.assert_array_equal(
        ds.confidence.sel(keypoint="centroid").values, data["id_probabilities"][:, :, 0]
    )
    assert ds.attrs["fps"] == 25.0 and ds.attrs["time_unit"] == "seconds"
    assert ds.frame.values.tolist() == list(range(N_FRAMES))
    assert ds.attrs["body_length"] == 41.5
    assert ds.attrs["video_path"] == "/data/video.avi"
    np.testing.assert_array_equal(ds.area.values, data["areas"])


def test_identities_labels_name_the_individuals(tmp_path: Path):
    data = trajectories_dict() | {"identities_labels": ["A", "B", "C"]}
    ds = idtracker.read(save_npy(tmp_path / "t.npy", data))
    assert ds.individual.values.tolist() == ["A", "B", "C"]


@pytest.mark.parametrize(
    ("labels", "why"),
    [
        ([1, 1, 2], "gives the label '1' to more than one animal"),
        (["a", "b"], f"gives 2 labels for {N_ANIMALS} animals"),
        (["a", "", "c"], "holds an empty label"),
        ([["a"], ["b"], ["c"]], "not a flat list of labels"),
    ],
)
def test_identities_labels_that_cannot_name_the_animals_warn(tmp_path: Path, labels, why):
    """h108 item 2: unusable labels were replaced by id_1..id_N without a word."""
    path = save_npy(tmp_path / "t.npy", trajectories_dict() | {"identities_labels": labels})
    with pytest.warns(UserWarning, match="identities_labels") as record:
        ds = posebridge.load(path)
    message = " ".join(str(w.message) for w in record)
    assert str(path) in message and why in message
    assert f"id_1..id_{N_ANIMALS} instead" in message
    assert ds.individual.values.tolist() == [f"id_{i + 1}" for i in range(N_ANIMALS)]


def percent_spelled(raw: bytes) -> str:
    """``raw`` decoded as UTF-8 with each byte above 0x7F of a Latin-1 text as ``%XX``
    (the test texts hold no valid multi-byte UTF-8)."""
    return "".join(chr(b) if b < 0x80 else f"%{b:02X}" for b in raw)


def test_labels_and_video_path_not_utf8_are_read_as_percent_escapes(tmp_path: Path):
    """h111 finding 4: Latin-1 bytes in identities_labels or video_path stopped the whole
    read with a message naming no key; they are read as %XX, as other readers read text."""
    labels = [b"fish\xe9%d" % i for i in range(N_ANIMALS)]
    video = b"/data/caf\xe9.avi"
    data = trajectories_dict() | {"identities_labels": labels, "video_path": video}
    ds = posebridge.load(save_npy(tmp_path / "t.npy", data))
    assert ds.individual.values.tolist() == [percent_spelled(label) for label in labels]
    assert ds.attrs["video_path"] == percent_spelled(video)
    np.testing.assert_array_equal(
        ds.position.sel(keypoint="centroid").transpose("time", "individual", "space").values,
        data["trajectories"],
    )


def test_v6_h5_labels_not_utf8_are_read_as_percent_escapes(tmp_path: Path):
    """h111 finding 4, the v6 .h5: a dataset of Latin-1 labels."""
    labels = [b"fish\xe9%d" % i for i in range(N_ANIMALS)]
    path = tmp_path / "trajectories.h5"
    with h5py.File(path, "w") as h5:
        h5["trajectories"] = trajectories_dict()["trajectories"]
        h5["identities_labels"] = np.array(labels)
    ds = posebridge.load(path)
    assert ds.individual.values.tolist() == [percent_spelled(label) for label in labels]


def test_areas_of_text_warn_naming_the_key_and_positions_are_read(tmp_path: Path):
    """h111 finding 4: text areas stopped the read with numpy's cast error, naming no key."""
    data = trajectories_dict()
    data["areas"] = np.full((N_FRAMES, N_ANIMALS), "x", dtype=object)
    path = save_npy(tmp_path / "t.npy", data)
    with pytest.warns(UserWarning, match="'areas' holds object values") as record:
        ds = posebridge.load(path)
    assert str(path) in str(record[0].message)
    assert "area" not in ds
    np.testing.assert_array_equal(
        ds.position.sel(keypoint="centroid").transpose("time", "individual", "space").values,
        data["trajectories"],
    )


def test_areas_of_another_shape_warn_naming_the_file_and_both_shapes(tmp_path: Path):
    """h111 finding 5: areas with an animal's column missing were dropped without a word."""
    data = trajectories_dict()
    data["areas"] = data["areas"][:, : N_ANIMALS - 1]
    path = save_npy(tmp_path / "t.npy", data)
    with pytest.warns(UserWarning, match="'areas'") as record:
        ds = posebridge.load(path)
    message = str(record[0].message)
    assert str(path) in message
    assert str(data["areas"].shape) in message and str((N_FRAMES, N_ANIMALS)) in message
    assert "area" not in ds


def test_complex_areas_warn_naming_the_key_not_numpy_complex_warning(tmp_path: Path):
    """h111 finding 5: complex areas lost their imaginary part with only numpy's
    ComplexWarning, which names no file."""
    data = trajectories_dict()
    data["areas"] = data["areas"] + 1j
    path = save_npy(tmp_path / "t.npy", data)
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        ds = posebridge.load(path)
    assert [w.category for w in record] == [UserWarning]
    message = str(record[0].message)
    assert str(path) in message and "'areas' holds complex128 values" in message
    assert "area" not in ds


def test_restricted_unpickler_refuses_a_non_numpy_class(tmp_path: Path):
    data = trajectories_dict() | {"extra": collections.OrderedDict(a=1)}
    path = save_npy(tmp_path / "trajectories.npy", data)
    with pytest.raises(UnsafePickleError, match="collections.OrderedDict") as error:
        posebridge.load(path, "idtracker")
    assert str(path) in str(error.value)


class _Payload:
    """Pickles as a call of os.mkdir: loading it must not run it."""

    def __init__(self, target: Path) -> None:
        self.target = target

    def __reduce__(self):
        return (os.mkdir, (str(self.target),))


def test_restricted_unpickler_runs_nothing(tmp_path: Path):
    target = tmp_path / "created-by-pickle"
    blob = pickle.dumps({"trajectories": np.zeros((1, 1, 2)), "x": _Payload(target)})
    with pytest.raises(UnsafePickleError, match=r"posix\.mkdir|os\.mkdir|nt\.mkdir"):
        load_pickled(blob, "evil.npy")
    assert not target.exists()


def test_restricted_unpickler_admits_numpy_and_builtins():
    value = {"a": np.arange(4.0).reshape(2, 2), "b": (1, 2.5, "s", b"x"), "c": np.float64(3)}
    back = load_pickled(pickle.dumps(value, protocol=2), "ok.npy")
    np.testing.assert_array_equal(back["a"], value["a"])
    assert back["b"] == value["b"] and back["c"] == 3.0


def test_numeric_npy_is_refused_with_the_reason(tmp_path: Path):
    path = tmp_path / "trajectories.npy"
    np.save(path, np.zeros((3, 2, 2)))
    with pytest.raises(FormatError, match="pickled dict"):
        idtracker.read(path)


def test_a_npy_header_cut_inside_its_dict_is_refused_naming_the_file(tmp_path: Path):
    path = save_npy(tmp_path / "trajectories.npy", trajectories_dict())
    data = path.read_bytes()
    assert b"(), }" in data[:128]
    # one byte: a bracket opened that the header never closes (numpy's tokeniser fails)
    path.write_bytes(data.replace(b"(), }", b"(),(}", 1))
    with pytest.raises(FormatError, match="not a readable .npy file") as caught:
        idtracker.read(path)
    assert str(path) in str(caught.value)


def test_missing_trajectories_key_is_named(tmp_path: Path):
    path = save_npy(tmp_path / "t.npy", {"id_probabilities": np.zeros((2, 1, 1))})
    with pytest.raises(FormatError, match="no 'trajectories' key"):
        idtracker.read(path)


def test_trajectories_set_to_none_is_named(tmp_path: Path):
    path = save_npy(tmp_path / "t.npy", trajectories_dict() | {"trajectories": None})
    with pytest.raises(FormatError, match="'trajectories' is None") as caught:
        idtracker.read(path)
    assert str(path) in str(caught.value)


def test_wrong_probability_shape_is_named(tmp_path: Path):
    data = trajectories_dict() | {"id_probabilities": np.zeros((2, 2, 1))}
    with pytest.raises(FormatError, match="'id_probabilities' is"):
        idtracker.read(save_npy(tmp_path / "t.npy", data))


def test_trajectories_of_no_animal_are_refused_as_such(tmp_path: Path):
    """They failed on "Coordinate 'individual' must hold strings, got dtype float64"."""
    data = trajectories_dict() | {"trajectories": np.zeros((5, 0, 2)), "id_probabilities": None}
    with pytest.raises(FormatError, match=r"'trajectories' \(5, 0, 2\) holds no animal"):
        idtracker.read(save_npy(tmp_path / "t.npy", data))


def shared_reference_bomb() -> list:
    """Nine levels of a list holding one list nine times: 9**9 (387 M) strings when
    expanded, a few hundred bytes pickled (pickle stores a shared list once)."""
    bomb: list = ["lol"] * 9
    for _ in range(8):
        bomb = [bomb] * 9
    return bomb


#: Reads a file in a child process with 2 GiB of address space, printing the error.
READ_IN_A_BOX = """
import resource, sys
resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))
from posebridge.errors import FormatError
from posebridge.formats import idtracker
try:
    ds = idtracker.read(sys.argv[1])
    print("read", ds.individual.values.tolist())
except FormatError as error:
    print(error)
"""


@pytest.mark.parametrize("key", ["trajectories", "id_probabilities", "identities_labels"])
def test_a_nested_list_of_shared_references_is_refused_or_ignored_not_expanded(
    tmp_path: Path, key: str
):
    """A pickled dict whose value expands to 387 M items: the arrays are refused naming the
    key, the labels ignored (the animals keep their id_N names). The read runs in a child
    process under an address-space cap, so a reader that expands the value fails this test
    instead of the machine."""
    import subprocess
    import sys

    data = trajectories_dict() | {key: shared_reference_bomb()}
    path = save_npy(tmp_path / "t.npy", data)
    assert path.stat().st_size < 10_000
    run = subprocess.run(
        [sys.executable, "-c", READ_IN_A_BOX, str(path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    if key == "identities_labels":
        assert run.stdout.strip() == "read ['id_1', 'id_2', 'id_3']"
    else:
        assert f"'{key}' is a list; expected an array of numbers" in run.stdout


def test_keys_of_any_kind_are_listed_by_describe(tmp_path: Path):
    data = trajectories_dict() | {1: 2, (1, 2): 3, "setup_points": {1: 2, "a": 3}}
    found = dict(idtracker.describe(save_npy(tmp_path / "t.npy", data)))
    assert found["keys"].startswith("(1, 2), 1, areas, ")
    assert found["setup points (not read)"] == "1, a"


def test_v6_h5(tmp_path: Path):
    data = trajectories_dict()
    path = tmp_path / "trajectories.h5"
    with h5py.File(path, "w") as h5:
        h5["trajectories"] = data["trajectories"]
        h5["id_probabilities"] = data["id_probabilities"]
        h5.attrs["frames_per_second"] = 30.0
        h5.attrs["body_length"] = 12.0
    assert detect(path) == "idtracker"
    ds = posebridge.load(path)
    np.testing.assert_array_equal(
        ds.position.sel(keypoint="centroid").transpose("time", "individual", "space").values,
        data["trajectories"],
    )
    assert ds.attrs["fps"] == 30.0 and ds.attrs["body_length"] == 12.0


def test_v6_h5_trajectories_group_is_refused_as_not_a_dataset(tmp_path: Path):
    """A group named 'trajectories' (its arrays inside) said "has no 'trajectories' key"."""
    path = tmp_path / "trajectories.h5"
    with h5py.File(path, "w") as h5:
        h5.create_group("trajectories")["values"] = trajectories_dict()["trajectories"]
    with pytest.raises(
        FormatError,
        match=r"trajectories\.h5: 'trajectories' is an HDF5 group; it must be a dataset of "
        r"shape \(frames, individuals, 2\)",
    ):
        posebridge.load(path, format="idtracker")


def write_csv_folder(folder: Path, data: dict, time_column: bool) -> Path:
    """idtracker.ai's CSV export (np.savetxt, header without '#')."""
    folder.mkdir()
    flat = data["trajectories"].reshape(N_FRAMES, -1)
    header = ",".join(f"{c}{i}" for i in range(1, N_ANIMALS + 1) for c in ("x", "y"))
    probabilities = data["id_probabilities"][:, :, 0]
    prob_header = ",".join(f"id_probabilities{i}" for i in range(1, N_ANIMALS + 1))
    if time_column:
        seconds = np.arange(N_FRAMES) / 25
        flat, probabilities = (
            np.column_stack([seconds, flat]),
            np.column_stack([seconds, probabilities]),
        )
        header, prob_header = "seconds," + header, "seconds," + prob_header
    np.savetxt(folder / "trajectories.csv", flat, delimiter=",", header=header, comments="")
    np.savetxt(
        folder / "id_probabilities.csv",
        probabilities,
        delimiter=",",
        header=prob_header,
        comments="",
    )
    (folder / "attributes.json").write_text(
        json.dumps({"frames_per_second": 25, "body_length": 41.5})
    )
    return folder


@pytest.mark.parametrize("time_column", [False, True])
def test_csv_folder_and_file(tmp_path: Path, time_column: bool):
    data = trajectories_dict()
    folder = write_csv_folder(tmp_path / "trajectories_csv", data, time_column)
    assert detect(folder) == "idtracker"
    assert detect(folder / "trajectories.csv") == "idtracker"
    from_folder = posebridge.load(folder)
    from_file = posebridge.load(folder / "trajectories.csv")
    np.testing.assert_array_equal(from_folder.position.values, from_file.position.values)
    np.testing.assert_array_equal(
        from_folder.position.sel(keypoint="centroid")
        .transpose("time", "individual", "space")
        .values,
        data["trajectories"],
    )
    np.testing.assert_array_equal(
        from_folder.confidence.values[:, 0, :], data["id_probabilities"][:, :, 0]
    )
    assert from_folder.attrs["fps"] == 25.0 and from_folder.attrs["body_length"] == 41.5


@pytest.mark.parametrize("time_column", [False, True])
def test_header_only_csvs_read_as_no_frames_with_their_probabilities(
    tmp_path: Path, time_column: bool
):
    """A trajectories.csv of headers alone read as 0 frames, but with an id_probabilities.csv
    of headers alone beside it was refused: numpy gives (0, 1) for any header-only table."""
    folder = tmp_path / "trajectories_csv"
    folder.mkdir()
    times = "seconds," if time_column else ""
    (folder / "trajectories.csv").write_text(f"{times}x1,y1,x2,y2\n")
    (folder / "id_probabilities.csv").write_text(f"{times}p1,p2\n")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # numpy's "input contained no data" stays inside
        ds = posebridge.load(folder / "trajectories.csv")
    assert ds.sizes["time"] == 0
    assert ds.sizes["individual"] == 2  # x1..y2: two animals


def test_csv_with_a_bad_value_names_the_file(tmp_path: Path):
    path = tmp_path / "trajectories.csv"
    path.write_text("x1,y1\n1,2\n3,oops\n")
    with pytest.raises(PoseBridgeError) as error:
        posebridge.load(path)
    assert str(path) in str(error.value)


@pytest.mark.parametrize(
    ("text", "line", "said"),
    [
        ("x1,y1\n1,2\n3,oops\n", 3, "column 2 holds 'oops', expected a number"),
        ("x1,y1\n1,2\n\n# note\n3,oops\n", 5, "column 2 holds 'oops', expected a number"),
        ("x1,y1\r1,2\r5,6\roops,4\r", 4, "column 1 holds 'oops', expected a number"),
        ("x1,y1\n1,2\n1,2\n3,4,5\n", 4, "3 values for the 2 header columns"),
    ],
    ids=["value", "after-blank-and-comment", "cr-lines", "wide-row"],
)
def test_csv_parse_errors_name_the_line_of_the_file(tmp_path: Path, text, line, said):
    """np.loadtxt's 0-based data row ('row 0') was passed on as it was."""
    path = tmp_path / "trajectories.csv"
    path.write_bytes(text.encode())
    with pytest.raises(FormatError) as refused:
        posebridge.load(path, format="idtracker")
    assert str(refused.value).startswith(f"{path}: line {line}: trajectories: {said}")
    assert "row " not in str(refused.value)


def test_a_bad_value_in_id_probabilities_names_that_file_and_line(tmp_path: Path):
    folder = write_csv_folder(tmp_path / "csv", trajectories_dict(), time_column=True)
    probabilities = folder / "id_probabilities.csv"
    lines = probabilities.read_text().splitlines(keepends=True)
    lines[3] = "oops," + lines[3].split(",", 1)[1]  # line 4: its first cell
    probabilities.write_text("".join(lines))
    with pytest.raises(FormatError) as refused:
        posebridge.load(folder / "trajectories.csv")
    assert f"{probabilities}: line 4: id_probabilities: column 1 holds 'oops'" in str(
        refused.value
    )


# --------------------------------------------------------------------------
# CSV files re-saved by other programs: end-of-file bytes, line ends, UTF-16


def test_csv_with_a_dos_end_of_file_marker_reads_as_without_it(tmp_path: Path):
    folder = write_csv_folder(tmp_path / "csv", trajectories_dict(), time_column=True)
    expected = posebridge.load(folder / "trajectories.csv")
    for name in ("trajectories.csv", "id_probabilities.csv"):
        (folder / name).write_bytes((folder / name).read_bytes() + b"\x1a")
    back = posebridge.load(folder / "trajectories.csv", format="idtracker")
    np.testing.assert_array_equal(back.position.values, expected.position.values)
    np.testing.assert_array_equal(back.confidence.values, expected.confidence.values)


def test_csv_ending_in_a_nul_byte_is_refused_as_damage(tmp_path: Path):
    folder = write_csv_folder(tmp_path / "csv", trajectories_dict(), time_column=False)
    path = folder / "trajectories.csv"
    path.write_bytes(path.read_bytes() + b"\x00")
    with pytest.raises(FormatError, match="NUL byte after its last line") as refused:
        posebridge.load(path, format="idtracker")
    assert str(path) in str(refused.value)


def test_csv_whose_lines_end_in_carriage_returns_still_reads(tmp_path: Path):
    folder = write_csv_folder(tmp_path / "csv", trajectories_dict(), time_column=False)
    expected = posebridge.load(folder / "trajectories.csv")
    for name in ("trajectories.csv", "id_probabilities.csv"):
        (folder / name).write_bytes((folder / name).read_bytes().replace(b"\n", b"\r"))
    back = posebridge.load(folder / "trajectories.csv", format="idtracker")
    np.testing.assert_array_equal(back.position.values, expected.position.values)


@pytest.mark.parametrize("bom", [b"", b"\xff\xfe"])
def test_utf16_csv_is_refused_naming_the_encoding(tmp_path: Path, bom: bytes):
    folder = write_csv_folder(tmp_path / "csv", trajectories_dict(), time_column=False)
    path = folder / "trajectories.csv"
    path.write_bytes(bom + path.read_bytes().decode().encode("utf-16-le"))
    with pytest.raises(FormatError, match=r"line 1 \(byte \d\).*UTF-16.*UTF-8"):
        posebridge.load(path, format="idtracker")


@pytest.mark.parametrize(
    ("bom", "where"),
    [(b"", "line 1 (byte 1): a NUL byte"), (b"\xff\xfe", "line 1 (byte 0): byte 0xFF")],
    ids=["no-bom", "bom"],
)
def test_a_utf16_csv_or_its_folder_is_recognised_and_refused_naming_the_encoding(
    tmp_path: Path, bom: bytes, where: str
):
    """Detection said 'could not recognise the format' for the file and 'none of the
    formats that read folders recognised its files' for idtracker.ai v6's CSV folder."""
    folder = write_csv_folder(tmp_path / "csv", trajectories_dict(), time_column=True)
    path = folder / "trajectories.csv"
    path.write_bytes(bom + path.read_bytes().decode().encode("utf-16-le"))
    assert detect(path) == "idtracker" and detect(folder) == "idtracker"
    for source in (path, folder):
        with pytest.raises(FormatError) as refused:
            posebridge.load(source)
        message = str(refused.value)
        assert message.startswith(f"{path}: {where}")
        assert "UTF-16" in message and "save it as UTF-8" in message


def test_a_csv_with_a_cp1252_byte_is_recognised_and_refused_naming_line_and_byte(
    tmp_path: Path,
):
    """Detection said 'could not recognise the format' (the head is not UTF-8)."""
    path = tmp_path / "trajectories.csv"
    path.write_bytes("seconds,x1,y1\n# café\n0.0,1,2\n".encode("cp1252"))
    assert detect(path) == "idtracker"
    with pytest.raises(FormatError) as refused:
        posebridge.load(path)
    message = str(refused.value)
    assert message.startswith(f"{path}: line 2 (byte 19): byte 0xE9 is not UTF-8")
    assert "Latin-1/cp1252" in message


@pytest.mark.parametrize("column", ["seconds", "time"])
def test_csv_time_column_is_kept_and_a_contradicting_fps_refused(tmp_path: Path, column: str):
    """r_idtracker_seconds: the export's time column (idtracker.ai --add_time:
    np.arange(n) / fps with 3 decimals) was dropped, and fps=30 against 28 fps taken."""
    n, rate = 7, 28.0
    times = np.round(np.arange(n) / rate, 3)
    xy = np.arange(n * 4, dtype=float).reshape(n, 4)
    path = tmp_path / "trajectories.csv"
    np.savetxt(
        path, np.column_stack([times, xy]), delimiter=",", fmt="%.3f", comments="",
        header=f"{column},x1,y1,x2,y2",
    )  # fmt: skip
    ds = posebridge.load(path)
    assert ds.attrs["time_unit"] == "seconds" and ds.attrs["fps"] == rate
    np.testing.assert_array_equal(ds.time.values, times)
    assert ds.frame.values.tolist() == list(range(n))
    assert posebridge.load(path, fps=rate).time.values.tolist() == times.tolist()
    with pytest.raises(PoseBridgeError, match="fps=30 contradicts the file's own frame rate, 28"):
        posebridge.load(path, fps=30)


def test_csv_times_that_go_back_are_refused(tmp_path: Path):
    path = tmp_path / "trajectories.csv"
    path.write_text("time,x1,y1\n0.0,1,2\n0.5,3,4\n0.25,5,6\n")
    with pytest.raises(FormatError, match="'time' column should hold increasing times"):
        posebridge.load(path)


def test_csv_times_repeated_by_millisecond_rounding_above_1000_fps_count_frames(tmp_path: Path):
    """idtracker.ai writes np.arange(n) / fps with 3 decimals: above 1000 fps two frames
    share a time, and the whole export was refused."""
    n, rate = 20, 2000.0
    times = np.round(np.arange(n) / rate, 3)
    path = tmp_path / "trajectories.csv"
    np.savetxt(
        path, np.column_stack([times, np.ones((n, 2))]), delimiter=",", fmt="%.3f",
        comments="", header="time,x1,y1",
    )  # fmt: skip
    with pytest.warns(UserWarning, match="'time' column gives two frames one time"):
        ds = posebridge.load(path, fps=rate)
    assert ds.sizes["time"] == n and ds.attrs["fps"] == rate
    assert ds.frame.values.tolist() == list(range(n))


def _npy_holding(tmp_path: Path, pickled: bytes) -> Path:
    """An idtracker.ai-style .npy (0-d object array) whose pickle is ``pickled``."""
    from numpy.lib import format as npy

    path = tmp_path / "trajectories.npy"
    with open(path, "wb") as handle:
        npy.write_array_header_1_0(handle, {"descr": "|O", "fortran_order": False, "shape": ()})
        handle.write(pickled)
    return path


def test_a_dict_key_of_a_tuple_shared_two_ways_at_every_level_is_refused(tmp_path: Path):
    """{t40: 1} with t(i+1) = (ti, ti) through the memo: 2**40 items to hash, a few hundred
    bytes; the read hashed for hours."""
    key: tuple = ()
    for _ in range(40):
        key = (key, key)
    body = pickle.dumps(key, protocol=2)[2:-1]  # built by hand: a dict here would hash it
    path = _npy_holding(
        tmp_path, b"\x80\x02}X\x0c\x00\x00\x00trajectoriesK\x01s" + body + b"K\x01s."
    )
    with pytest.raises(UnsafePickleError, match="asks to hash more than") as caught:
        posebridge.load(path, format="idtracker")
    assert str(path) in str(caught.value)


def test_text_of_a_slice_of_a_list_shared_two_ways_is_refused(tmp_path: Path):
    """str(slice(L40)): the guard refused str of a list, not of a slice holding one."""

    class Call:
        def __init__(self, function, *args):
            self.function, self.args = function, args

        def __reduce__(self):
            return (self.function, self.args)

    shared: list = []
    for _ in range(40):
        shared = [shared, shared]
    path = _npy_holding(tmp_path, pickle.dumps({"t": Call(str, Call(slice, shared))}, protocol=4))
    with pytest.raises(UnsafePickleError, match=r"asks for slice\(\.\.\.\) of a list") as caught:
        posebridge.load(path, format="idtracker")
    assert str(path) in str(caught.value)


def _npy_of_pickle(path: Path, pickled: bytes) -> Path:
    """An idtracker.ai-style .npy (a 0-d object array) holding a hand-written pickle."""
    from numpy.lib import format as npy_format

    with open(path, "wb") as handle:
        npy_format.write_array_header_1_0(
            handle, {"descr": "|O", "fortran_order": False, "shape": ()}
        )
        handle.write(pickled)
    return path


#: Loads argv[1] with posebridge.load and prints the error it raises.
LOAD_IN_A_CHILD = """
import sys
import posebridge
from posebridge.errors import PoseBridgeError
try:
    posebridge.load(sys.argv[1], format="idtracker")
    print("read")
except PoseBridgeError as error:
    print(type(error).__name__, error)
"""


def test_a_dict_key_nested_a_million_levels_deep_is_refused_not_a_crash(tmp_path: Path):
    """A 1 MB .npy keyed by a tuple nested 10**6 levels: hashing it overflowed the C stack
    (exit code -11). Read in a child process so a crash fails this test, not pytest."""
    import subprocess
    import sys

    pickled = b"\x80\x02}" + b")" + b"\x85" * 10**6 + b"K\x01s."  # {((((...)))): 1}
    path = _npy_of_pickle(tmp_path / "deep.npy", pickled)
    run = subprocess.run(
        [sys.executable, "-c", LOAD_IN_A_CHILD, str(path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    assert f"{path}: the pickle nests tuples more than" in run.stdout, run.stdout


def test_a_dict_built_from_list_pairs_keyed_by_a_doubled_tuple_is_refused(tmp_path: Path):
    """dict([[t29, 1]]), t(i+1) = (ti, ti) through the memo: 237 bytes, 2**29 items to hash
    (13 s, doubling per level), as a pair held in a list was counted as one item."""
    pickled = b"\x80\x02)q\x00" + b"".join(
        b"h" + bytes([level]) + b"h" + bytes([level]) + b"\x86q" + bytes([level + 1])
        for level in range(40)
    )
    pickled += b"0cbuiltins\ndict\n](](h" + bytes([40]) + b"K\x01ee\x85R."
    path = _npy_of_pickle(tmp_path / "pairs.npy", pickled)
    assert path.stat().st_size < 1000
    with pytest.raises(PoseBridgeError, match="the pickle asks to hash more than") as caught:
        posebridge.load(path, format="idtracker")
    assert str(path) in str(caught.value)


def test_dict_keys_that_all_hash_alike_are_refused(tmp_path: Path):
    """{k * (2**61 - 1): None}: every key hashes as 0, so building the dict compared each
    key with every earlier one (40,000 keys, 0.5 MB: 33 s)."""
    keys = b""
    for k in range(1, 5001):
        number = k * (2**61 - 1)
        raw = number.to_bytes((number.bit_length() + 8) // 8, "little", signed=True)
        keys += b"\x8a" + bytes([len(raw)]) + raw + b"N"
    path = _npy_of_pickle(tmp_path / "alike.npy", b"\x80\x02}(" + keys + b"u.")
    with pytest.raises(PoseBridgeError, match=r"the pickle has more than \d+ items of dict keys"):
        posebridge.load(path, format="idtracker")


@pytest.mark.parametrize(
    ("text", "line", "said"),
    [
        ("x1,y1\n1,2\n   \n3,4\n", 3, "1 values for the 2 header columns"),
        ("x1,y1\n1,2\n\t\n3,oops\n", 3, "1 values for the 2 header columns"),
        ("x1,y1\n1,2\n  # note\n3,4\n", 3, "1 values for the 2 header columns"),
    ],
    ids=["spaces", "tab-then-bad-value", "indented-comment"],
)
def test_a_line_of_only_spaces_is_named_as_itself_not_the_line_after(
    tmp_path: Path, text, line, said
):
    """np.loadtxt reads a line of spaces (or spaces before a #) as a row; the line map
    skipped it, so the error named the line after it."""
    path = tmp_path / "trajectories.csv"
    path.write_bytes(text.encode())
    with pytest.raises(FormatError) as refused:
        posebridge.load(path, format="idtracker")
    assert str(refused.value).startswith(f"{path}: line {line}: trajectories: {said}")
    assert "holds only spaces or tabs" in str(refused.value)


def test_a_bad_value_after_a_line_of_spaces_names_its_own_line(tmp_path: Path):
    """One column of probabilities: the line of spaces is a blank cell, the line after
    it a bad value; each is named by its own line."""
    folder = tmp_path / "csv"
    folder.mkdir()
    (folder / "trajectories.csv").write_text("x1,y1\n1,2\n3,4\n5,6\n")
    probabilities = folder / "id_probabilities.csv"
    probabilities.write_text("p1\n0.5\n0.7\n   \n")
    with pytest.raises(FormatError) as refused:
        posebridge.load(folder / "trajectories.csv", format="idtracker")
    assert str(refused.value).startswith(f"{probabilities}: line 4: id_probabilities: ")
    probabilities.write_text("p1\n0.5\n\n0.7\noops\n")  # an empty line is no row
    with pytest.raises(FormatError) as refused:
        posebridge.load(folder / "trajectories.csv", format="idtracker")
    assert str(refused.value).startswith(
        f"{probabilities}: line 5: id_probabilities: column 1 holds 'oops'"
    )


@pytest.mark.parametrize("format_name", [None, "idtracker"])
def test_an_error_in_id_probabilities_is_not_prefixed_by_the_trajectories_path(
    tmp_path: Path, format_name
):
    folder = write_csv_folder(tmp_path / "csv", trajectories_dict(), time_column=True)
    probabilities = folder / "id_probabilities.csv"
    lines = probabilities.read_text().splitlines(keepends=True)
    lines[2] = "oops," + lines[2].split(",", 1)[1]
    probabilities.write_text("".join(lines))
    options = {} if format_name is None else {"format": format_name}
    with pytest.raises(FormatError) as refused:
        posebridge.load(folder / "trajectories.csv", **options)
    assert str(refused.value).startswith(f"{probabilities}: line 3: id_probabilities: ")
    assert "trajectories.csv" not in str(refused.value)


def test_a_csv_header_with_quoted_cells_is_detected_and_read(tmp_path: Path):
    """R's write.csv quotes every header cell; the raw line was matched, so such a
    file was neither detected nor read with format="idtracker" (h134 #4)."""
    path = tmp_path / "trajectories.csv"
    path.write_text('"time","x1","y1","x2","y2"\n0,1,2,3,4\n0.04,5,6,7,8\n')
    assert posebridge.detect(path) == "idtracker"
    ds = posebridge.load(path, format="idtracker")
    xy = ds.position.isel(keypoint=0).transpose("time", "individual", "space").values
    np.testing.assert_array_equal(xy, [[[1, 2], [3, 4]], [[5, 6], [7, 8]]])
