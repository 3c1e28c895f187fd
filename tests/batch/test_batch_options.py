"""Read and write options in a batch that mixes formats.

Each option goes to the jobs whose reader (writer) takes it: ``kpt_shape`` meant
for a YOLO predictions folder is not an error of a DeepLabCut file beside it, nor
an NWB writer's ``subject_id`` of a netCDF output. An option that no job of the
batch takes stops the batch before any input runs, naming it and the formats.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

import posebridge
from posebridge.batch import convert_many
from posebridge.cli import cli

#: One prediction line: class 0, a box, 2 keypoints (x y conf, as fractions), a track id.
LINE = "0 0.5 0.5 0.2 0.2 0.25 0.5 0.9 0.75 0.25 0.8 {track}\n"
#: What the YOLO predictions reader needs that the lines do not hold.
YOLO = {"kpt_shape": [2, 3], "image_size": [640, 480]}


def _mixed(folder: Path) -> np.ndarray:
    """A YOLO predictions ``labels`` folder and a DeepLabCut file, in ``folder``."""
    labels = folder / "labels"
    labels.mkdir(parents=True)
    for n in range(1, 4):
        (labels / f"clip_{n}.txt").write_text(LINE.format(track=1) + LINE.format(track=2))
    position = np.random.default_rng(3).uniform(0, 100, size=(6, 2, 2, 1))
    posebridge.save(posebridge.from_numpy(position), folder / "sessDLC.h5", "dlc")
    return position


def test_a_read_option_goes_only_to_the_jobs_whose_reader_takes_it(tmp_path):
    position = _mixed(tmp_path / "data")
    out = tmp_path / "out"

    report = convert_many(tmp_path / "data", out, to="nc", read_options=YOLO, progress=False)

    assert report.counts == {"ok": 2, "failed": 0, "skipped": 0}, report.table()
    np.testing.assert_array_equal(posebridge.load(out / "sessDLC.nc").position.values, position)
    yolo = posebridge.load(out / "labels.nc")
    # x = 0.25 of the 640-pixel width: the options reached the YOLO reader
    np.testing.assert_allclose(yolo.position.values[:, 0, 0, :], [[160, 160]] * 3)


def test_cli_batch_read_options_for_one_format_of_a_mixed_folder(tmp_path):
    _mixed(tmp_path / "data")
    out = tmp_path / "out"
    result = CliRunner().invoke(
        cli,
        [
            *("batch", str(tmp_path / "data"), "--out", str(out), "--to", "nc", "-j", "1"),
            *("-q", "--read-option", "kpt_shape=[2, 3]", "--read-option", "image_size=[640, 480]"),
        ],
    )
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["labels.nc", "sessDLC.nc"]


def test_a_read_option_no_reader_of_the_batch_takes_stops_it_before_any_input(tmp_path):
    """``instances`` is an option of the .slp reader, which reads no input here."""
    _mixed(tmp_path / "data")
    out = tmp_path / "out"

    with pytest.raises(posebridge.PoseBridgeError) as caught:
        convert_many(tmp_path / "data", out, to="nc", read_options={**YOLO, "instances": "user"})

    message = str(caught.value)
    assert "'instances'" in message
    assert "DeepLabCut" in message and "YOLO pose predictions" in message
    assert not out.exists()


def _manifest(tmp_path: Path, outputs: list[str]) -> Path:
    (tmp_path / "in").mkdir()
    rows = ["input,output"]
    for i, output in enumerate(outputs):
        ds = posebridge.from_numpy(np.full((4, 2, 1, 1), float(i)), fps=30)
        posebridge.save(ds, tmp_path / "in" / f"s{i}.nc")
        rows.append(f"in/s{i}.nc,{output}")
    manifest = tmp_path / "m.csv"
    manifest.write_text("\n".join(rows) + "\n")
    return manifest


def test_a_write_option_goes_only_to_the_jobs_whose_writer_takes_it(tmp_path):
    manifest = _manifest(tmp_path, ["s0.nwb", "s1.nc"])
    out = tmp_path / "out"

    report = convert_many(
        None, out, manifest=manifest, write_options={"subject_id": "M1"}, progress=False
    )

    assert report.counts == {"ok": 2, "failed": 0, "skipped": 0}, report.table()
    import h5py

    with h5py.File(out / "s0.nwb", "r") as nwb:
        assert nwb["general/subject/subject_id"][()].decode() == "M1"


def test_a_write_option_no_writer_of_the_batch_takes_stops_it(tmp_path):
    """``compression`` is the NWB writer's; these outputs are netCDF and DeepLabCut."""
    manifest = _manifest(tmp_path, ["s0.nc", "s1.h5"])
    out = tmp_path / "out"

    with pytest.raises(posebridge.PoseBridgeError) as caught:
        convert_many(None, out, manifest=manifest, write_options={"compression": "gzip"})

    message = str(caught.value)
    assert "'compression'" in message
    assert "DeepLabCut" in message and "netCDF" in message
    assert not out.exists()


def test_a_write_option_value_a_writer_refuses_stops_the_batch_before_any_input(tmp_path):
    """A metadata file that is not a mapping of sections failed every job, each after
    reading its input; it is refused once, before any, as posebridge.convert refuses it."""
    manifest = _manifest(tmp_path, ["s0.nwb", "s1.nwb"])
    metadata = tmp_path / "meta.yaml"
    metadata.write_text("- subject\n- session\n")
    out = tmp_path / "out"

    with pytest.raises(posebridge.PoseBridgeError) as caught:
        convert_many(None, out, manifest=manifest, write_options={"metadata": str(metadata)})

    assert caught.value.option == "metadata"
    assert "option metadata=" in str(caught.value) and "meta.yaml" in str(caught.value)
    assert "a list of 2 items" in str(caught.value)
    assert not out.exists()
