"""DANNCE sampleID -> frames through a sync table (sync=), built here in both layouts.

The layouts follow DANNCE's makeSyncFiles.py (one ``<camera>_sync.mat`` per
camera: ``data_frame`` (N, 1) and ``data_sampleID = data_frame * 1000 / fps + 1``,
float64) and Label3D's files (``sync``: a cell array, one struct per camera, with
the same fields; the DANNCE demo's label3d_demo.mat holds uint16 frames and int32
ids, Label3D's exportDannce(makeSync=true) row vectors of 0..N-1 for both).
"""

from __future__ import annotations

from pathlib import Path

import h5py
import numpy as np
import pytest
import scipy.io
from click.testing import CliRunner
from test_dannce import N, prediction, save_v5, save_v73

import posebridge
from posebridge import registry
from posebridge.cli import cli
from posebridge.errors import FormatError
from posebridge.formats import dannce
from posebridge.io import load_poses

NOT_FRAMES = "not frame numbers"


def make_sync_files_table(n_frames: int, fps: float) -> dict[str, np.ndarray]:
    """The variables makeSyncFiles.py writes for a camera (before savemat)."""
    data_frame = np.arange(n_frames).astype("float64")
    return {
        "data_frame": data_frame[:, None],
        "data_sampleID": (data_frame * (1000.0 / fps) + 1)[:, None],
        "data_2d": np.zeros((n_frames, 2 * 4)),
        "data_3d": np.zeros((n_frames, 3 * 4)),
    }


def save_label3d(path: Path, tables: list[dict[str, np.ndarray]]) -> Path:
    """A Label3D file: ``sync`` a cell array (n_cameras, 1) of structs (MATLAB v5)."""
    cells = np.empty((len(tables), 1), dtype=object)
    for i, table in enumerate(tables):
        cells[i, 0] = table
    scipy.io.savemat(path, {"sync": cells, "camnames": np.array(["Camera1"], dtype=object)})
    return path


def save_label3d_v73(path: Path, tables: list[dict[str, np.ndarray]]) -> Path:
    """The same as MATLAB -v7.3 saves it: ``sync`` holds references to struct groups."""
    with h5py.File(path, "w", userblock_size=512) as h5:
        refs = h5.create_group("#refs#")
        cells = np.empty((1, len(tables)), dtype=h5py.ref_dtype)  # (n, 1) column-major
        for i, table in enumerate(tables):
            group = refs.create_group(f"c{i}")
            group.attrs["MATLAB_class"] = np.bytes_("struct")
            for name, value in table.items():
                group.create_dataset(name, data=np.asarray(value).T)
                group[name].attrs["MATLAB_class"] = np.bytes_("double")
            cells[0, i] = group.ref
        h5.create_dataset("sync", data=cells)
        h5["sync"].attrs["MATLAB_class"] = np.bytes_("cell")
    with open(path, "r+b") as handle:
        text = b"MATLAB 7.3 MAT-file, Platform: GLNXA64, Created on: test HDF5 schema 1.00 ."
        handle.write(text.ljust(116) + b"\x00" * 8 + b"\x00\x02IM")
    return path


@pytest.fixture
def predictions(tmp_path: Path) -> Path:
    """A save_data_AVG.mat whose sampleIDs are 1, 11, ..., 41 (frames 0..4 at 100 fps)."""
    return save_v5(tmp_path / "save_data_AVG.mat", prediction())


@pytest.mark.parametrize("version", ["v5", "v7.3"])
def test_a_sync_file_maps_sample_ids_to_frames(tmp_path: Path, predictions: Path, version):
    table = make_sync_files_table(20, fps=100)
    save = save_v5 if version == "v5" else save_v73
    sync = save(tmp_path / "Camera1_sync.mat", table)
    ds = posebridge.load(predictions, sync=sync)
    assert ds.time.values.tolist() == [0, 1, 2, 3, 4]  # (sampleID - 1) / 10
    assert ds.attrs["time_unit"] == "frames"
    assert ds.sample_id.values.tolist() == [1, 11, 21, 31, 41]
    seconds = posebridge.load(predictions, sync=sync, fps=100)
    np.testing.assert_allclose(seconds.time.values, [0, 0.01, 0.02, 0.03, 0.04])
    assert seconds.frame.values.tolist() == [0, 1, 2, 3, 4]
    assert seconds.sample_id.values.tolist() == [1, 11, 21, 31, 41]


def test_sample_ids_of_a_frame_rate_without_whole_milliseconds(tmp_path: Path):
    """At 30 fps makeSyncFiles writes 34.33, 67.67, ...; DANNCE's load_sync truncates them
    (astype(int)) and its predictions carry 34, 67, ..."""
    table = make_sync_files_table(10, fps=30)
    sync = save_v5(tmp_path / "Camera1_sync.mat", table)
    ids = np.trunc(table["data_sampleID"][[0, 1, 2, 7, 9], 0])
    data = prediction() | {"sampleID": ids[None, :]}
    ds = dannce.read(save_v5(tmp_path / "save_data_AVG.mat", data), sync=sync)
    assert ds.sample_id.values.tolist() == [1, 34, 67, 234, 301]
    assert ds.time.values.tolist() == [0, 1, 2, 7, 9]


@pytest.mark.parametrize("version", ["v5", "v7.3"])
def test_a_label3d_file_maps_sample_ids_by_its_first_camera(tmp_path, predictions, version):
    first = make_sync_files_table(20, fps=100)
    first["data_frame"] = first["data_frame"].astype(np.uint16)  # as the DANNCE demo's
    first["data_sampleID"] = first["data_sampleID"].astype(np.int32)
    second = make_sync_files_table(20, fps=100)
    tables = [first, second]
    if version == "v5":
        path = save_label3d(tmp_path / "label3d_dannce.mat", tables)
    else:
        path = save_label3d_v73(tmp_path / "label3d_dannce.mat", tables)
    ds = dannce.read(predictions, sync=path)
    assert ds.time.values.tolist() == [0, 1, 2, 3, 4]
    assert ds.sample_id.values.tolist() == [1, 11, 21, 31, 41]


def test_label3d_make_sync_row_vectors(tmp_path: Path):
    """exportDannce(makeSync=true): data_frame = data_sampleID = 0:(totalFrames - 1), rows."""
    frames = np.arange(100, dtype=np.float64)[None, :]
    table = {"data_frame": frames, "data_sampleID": frames}
    sync = save_label3d(tmp_path / "Label3D_dannce.mat", [table, table])
    data = prediction() | {"sampleID": np.array([[50, 10, 99, 0, 7]])}
    ds = dannce.read(save_v5(tmp_path / "save_data_AVG.mat", data), sync=sync)
    assert ds.time.values.tolist() == [0, 7, 10, 50, 99]
    np.testing.assert_array_equal(ds.position.values[0, :, :, 0], data["pred"][3])


def test_cameras_that_give_other_frames_are_warned_of(tmp_path: Path, predictions: Path):
    first = make_sync_files_table(20, fps=100)
    second = make_sync_files_table(20, fps=100)
    second["data_frame"] = second["data_frame"] + 3  # frames matched with an offset
    sync = save_label3d(tmp_path / "label3d.mat", [first, second])
    with pytest.warns(UserWarning, match=r"camera 2 differ from camera 1.*camera 1's frames"):
        ds = dannce.read(predictions, sync=sync)
    assert ds.time.values.tolist() == [0, 1, 2, 3, 4]


def test_a_sample_id_the_sync_lacks_is_refused_naming_both_files(tmp_path, predictions):
    sync = save_v5(tmp_path / "Camera1_sync.mat", make_sync_files_table(3, fps=100))
    with pytest.raises(FormatError, match=r"sampleID 31 is not in the sync file") as error:
        dannce.read(predictions, sync=sync)
    message = str(error.value)
    assert str(predictions) in message and str(sync) in message
    assert "2 of 5 sampleIDs" in message


def test_sample_ids_of_one_frame_are_refused(tmp_path: Path, predictions: Path):
    table = make_sync_files_table(20, fps=100)
    table["data_frame"][1] = 0  # preprocess_data.m clamps frames below 0 to 0
    sync = save_v5(tmp_path / "Camera1_MatchedFrames.mat", table)
    with pytest.raises(FormatError, match=r"sampleIDs 1 and 11 are both frame 0"):
        dannce.read(predictions, sync=sync)


def test_negative_frames_in_a_sync_file_are_refused_naming_the_file(tmp_path, predictions):
    """h111 finding 10: data_frame -50, -49, ... became negative frame numbers silently,
    and were written out."""
    table = make_sync_files_table(20, fps=100)
    table["data_frame"] = table["data_frame"] - 5
    sync = save_v5(tmp_path / "Camera1_sync.mat", table)
    first = table["data_frame"].ravel()
    with pytest.raises(FormatError) as error:
        dannce.read(predictions, sync=sync)
    message = str(error.value)
    assert message.startswith(f"{sync}:")
    assert f"data_frame holds {int(first[0])} (value 1 of {first.size}; " in message
    assert f"{int((first < 0).sum())} are negative" in message


def test_negative_frames_of_another_camera_are_refused_naming_it(tmp_path, predictions):
    first = make_sync_files_table(20, fps=100)
    second = make_sync_files_table(20, fps=100)
    second["data_frame"][3] = -1
    sync = save_label3d(tmp_path / "label3d_dannce.mat", [first, second])
    with pytest.raises(FormatError, match=r"camera 2's data_frame holds -1 \(value 4 of 20"):
        dannce.read(predictions, sync=sync)


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"something": np.zeros(3)}, "has neither data_sampleID and data_frame"),
        ({"data_frame": np.arange(3.0), "data_sampleID": np.arange(4.0)}, "they must match"),
        ({"data_frame": np.arange(3.0) + 0.5, "data_sampleID": np.arange(3.0)}, "whole numbers"),
        ({"data_frame": np.arange(3.0), "data_sampleID": np.zeros(3)}, "gives sample 0 twice"),
        ({"data_frame": np.arange(3.0)}, "has no data_sampleID"),
        ({"sync": np.array(["x"], dtype=object)}, "sync should be a cell array of structs"),
    ],
)
def test_a_file_that_is_no_sync_table_is_refused(tmp_path, predictions, variables, message):
    sync = save_v5(tmp_path / "sync.mat", variables)
    with pytest.raises(FormatError, match=message) as error:
        dannce.read(predictions, sync=sync)
    assert str(sync) in str(error.value)


def test_a_missing_sync_file_is_refused_as_a_missing_input(tmp_path: Path, predictions: Path):
    """A missing side file was a FormatError, not the FileNotFoundError load gives (README)."""
    from posebridge import errors

    with pytest.raises(errors.FileNotFoundError, match="nowhere.mat"):
        dannce.read(predictions, sync=tmp_path / "nowhere.mat")
    with pytest.raises(errors.IsADirectoryError):
        dannce.read(predictions, sync=tmp_path)


@pytest.mark.parametrize(
    "ids",
    [
        np.arange(N) * 10 + 1,  # makeSyncFiles at 100 fps
        np.arange(N) + 1,  # 1..N: makeSyncFiles at 1000 fps is frames 0..N-1
        np.arange(N) + 500,  # a later stretch of frames, or of ids
    ],
)
def test_sample_ids_read_as_time_are_warned_of(tmp_path: Path, ids: np.ndarray):
    data = prediction() | {"sampleID": ids[None, :].astype(np.float64)}
    path = save_v5(tmp_path / "save_data_AVG.mat", data)
    with pytest.warns(UserWarning, match=NOT_FRAMES) as caught:
        ds = posebridge.load(path)
    assert len([w for w in caught if NOT_FRAMES in str(w.message)]) == 1
    assert "sync=" in str(caught[0].message)
    assert ds.time.values.tolist() == ids.tolist()  # kept as they are
    assert ds.sample_id.values.tolist() == ids.tolist()


def test_sample_ids_0_to_n_are_frames_without_a_warning(tmp_path: Path, recwarn):
    """Only Label3D's makeSync writes a sampleID 0, and its ids are the frames."""
    data = prediction() | {"sampleID": np.arange(N)[None, :]}
    ds = posebridge.load(save_v5(tmp_path / "save_data_AVG.mat", data))
    assert not [w for w in recwarn if NOT_FRAMES in str(w.message)]
    assert ds.sample_id.values.tolist() == list(range(N))


def test_sync_is_a_read_option_of_every_entry_point(tmp_path: Path, predictions: Path):
    sync = save_v5(tmp_path / "Camera1_sync.mat", make_sync_files_table(20, fps=100))
    assert "sync" in registry.get("dannce").read_options
    dropin = load_poses.from_file(predictions, "dannce", fps=100, sync=str(sync))
    assert dropin.frame.values.tolist() == [0, 1, 2, 3, 4]
    out = tmp_path / "out.nc"
    result = CliRunner().invoke(
        cli, ["convert", str(predictions), str(out), "--read-option", f"sync={sync}"]
    )
    assert result.exit_code == 0, result.output
    assert posebridge.load(out).time.values.tolist() == [0, 1, 2, 3, 4]
    info = CliRunner().invoke(cli, ["info", str(predictions)])
    assert "sync=" in info.output


def test_the_sample_id_warning_names_the_read_option_flag_on_the_command_line(
    predictions: Path,
):
    """Python's advice is ``sync=``; the command line's is ``--read-option sync=PATH``."""
    with pytest.warns(UserWarning, match=NOT_FRAMES) as caught:
        posebridge.load(predictions)
    assert "Pass sync=<" in str(caught[0].message)  # Python keeps its keyword
    result = CliRunner().invoke(cli, ["info", str(predictions)])
    assert result.exit_code == 0, result.output
    warned = [line for line in result.stderr.splitlines() if NOT_FRAMES in line]
    assert len(warned) == 1, result.stderr
    assert "--read-option sync=PATH" in warned[0]
    assert "Pass sync=" not in warned[0]


def test_a_file_that_is_no_sync_table_names_the_read_option_flag_on_the_command_line(
    tmp_path: Path, predictions: Path
):
    sync = save_v5(tmp_path / "sync.mat", {"something": np.zeros(3)})
    result = CliRunner().invoke(
        cli, ["convert", str(predictions), str(tmp_path / "o.nc"), "--read-option", f"sync={sync}"]
    )
    assert result.exit_code == 1, result.output
    assert f"{sync}: has neither data_sampleID" in result.stderr
    assert "--read-option sync= takes one of those." in result.stderr
    with pytest.raises(FormatError, match=r"; sync= takes one of those\."):  # Python's words
        dannce.read(predictions, sync=sync)
