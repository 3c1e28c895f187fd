"""A conversion never writes onto a file its reader read beside the input, even with overwrite.

Readers that open more than the file they are named (idtracker.ai's
``id_probabilities.csv`` and ``attributes.json`` beside ``trajectories.csv``, TRex's
sibling files with ``siblings=True``, a COCO results file's ``ground_truth``) keep
those files from the outputs, through :func:`posebridge.convert` and ``posebridge
convert``, as the input itself is kept. The inputs are written here with numpy and
json.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

import posebridge
from posebridge.cli import cli
from posebridge.errors import PoseBridgeError

FRAMES, ANIMALS = 6, 2


def _idtracker_csv(folder: Path) -> Path:
    """idtracker.ai's CSV export: trajectories.csv, id_probabilities.csv, attributes.json."""
    folder.mkdir()
    rng = np.random.default_rng(3)
    seconds = np.arange(FRAMES) / 10
    xy = rng.random((FRAMES, 2 * ANIMALS)) * 100
    header = ",".join(f"{c}{i + 1}" for i in range(ANIMALS) for c in "xy")
    path = folder / "trajectories.csv"
    np.savetxt(path, np.column_stack([seconds, xy]), delimiter=",", header=f"seconds,{header}",
               comments="")  # fmt: skip
    np.savetxt(
        folder / "id_probabilities.csv",
        np.column_stack([seconds, rng.random((FRAMES, ANIMALS))]),
        delimiter=",",
        header="seconds," + ",".join(f"p{i + 1}" for i in range(ANIMALS)),
        comments="",
    )
    (folder / "attributes.json").write_text(json.dumps({"frames_per_second": 10}))
    return path


def _trex_pair(folder: Path, suffix: str) -> Path:
    """Two TRex files of one video (``v_fish0``, ``v_fish1``); the first is returned."""
    folder.mkdir()
    frames = np.arange(FRAMES, dtype=np.float32)
    for i in range(2):
        path = folder / f"v_fish{i}{suffix}"
        columns = {"frame": frames, "X#wcentroid": frames + i, "Y#wcentroid": frames * 2}
        if suffix == ".npz":
            np.savez(path, **columns)
        else:
            lines = ["frame,X#wcentroid,Y#wcentroid"]
            lines += [",".join(str(float(c[n])) for c in columns.values()) for n in range(FRAMES)]
            path.write_text("\n".join(lines) + "\n")
    return folder / f"v_fish0{suffix}"


def _sibling_target(first: Path, suffix: str) -> Path:
    """The other TRex file as an output: itself for a .csv, a link to it for a .npz (no
    writer writes .npz)."""
    sibling = first.with_name(f"v_fish1{suffix}")
    if suffix == ".csv":
        return sibling
    link = first.parent.parent / "sibling.csv"
    link.symlink_to(sibling)
    return link


def _contents(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def _run(*args: object):
    return CliRunner().invoke(cli, [str(a) for a in args])


def test_convert_refuses_an_idtracker_companion_as_output_even_with_overwrite(tmp_path):
    source = _idtracker_csv(tmp_path / "session")
    before = _contents(source.parent)
    target = source.parent / "id_probabilities.csv"
    with pytest.raises(PoseBridgeError) as caught:
        posebridge.convert(source, target, format="dlc", overwrite=True)
    assert str(caught.value).startswith(f"{target}: is a file read with the input {source};")
    assert "even with overwrite" in str(caught.value)
    assert _contents(source.parent) == before
    # kept for that conversion only: a save named explicitly may replace the file
    ds = posebridge.load(source)
    posebridge.save(ds, target, "dlc", overwrite=True)
    assert posebridge.load(target).sizes["individual"] == ANIMALS


def test_the_cli_refuses_an_idtracker_companion_as_output_even_with_overwrite(tmp_path):
    source = _idtracker_csv(tmp_path / "session")
    before = _contents(source.parent)
    target = source.parent / "id_probabilities.csv"
    result = _run("convert", source, target, "--to", "dlc", "--overwrite", "-q")
    assert result.exit_code == 1, result.output
    assert f"{target}: is a file read with the input {source};" in result.stderr
    assert _contents(source.parent) == before
    result = _run("convert", source, tmp_path / "out.csv", "--to", "dlc", "-q")  # elsewhere: yes
    assert result.exit_code == 0, result.output
    assert posebridge.load(tmp_path / "out.csv").sizes["individual"] == ANIMALS


@pytest.mark.parametrize("suffix", [".npz", ".csv"])
def test_convert_refuses_a_trex_sibling_as_output_even_with_overwrite(tmp_path, suffix):
    first = _trex_pair(tmp_path / "data", suffix)
    sibling = _sibling_target(first, suffix)
    before = _contents(first.parent)
    with pytest.raises(PoseBridgeError, match="is a file read with the input"):
        posebridge.convert(
            first, sibling, format="dlc", overwrite=True, read_options={"siblings": True}
        )
    assert _contents(first.parent) == before
    (written,) = posebridge.convert(  # without siblings the other file is not read
        first, tmp_path / "one.nc", read_options={"siblings": False}
    )
    assert posebridge.load(written).sizes["individual"] == 1


@pytest.mark.parametrize("suffix", [".npz", ".csv"])
def test_the_cli_refuses_a_trex_sibling_as_output_even_with_overwrite(tmp_path, suffix):
    first = _trex_pair(tmp_path / "data", suffix)
    sibling = _sibling_target(first, suffix)
    before = _contents(first.parent)
    result = _run(
        "convert", first, sibling, "--to", "dlc", "--read-option", "siblings=true",
        "--overwrite", "-q",
    )  # fmt: skip
    assert result.exit_code == 1, result.output
    assert f"{sibling}: is a file read with the input {first}" in result.stderr
    assert _contents(first.parent) == before


@pytest.mark.parametrize("companion", ["id_probabilities.csv", "attributes.json"])
def test_a_link_to_a_companion_is_refused_as_the_companion(tmp_path, companion):
    source = _idtracker_csv(tmp_path / "session")
    link = tmp_path / "out.csv"
    link.symlink_to(source.parent / companion)
    before = _contents(source.parent)
    with pytest.raises(PoseBridgeError, match="is a file read with the input"):
        posebridge.convert(source, link, format="dlc", overwrite=True)
    assert _contents(source.parent) == before


def test_convert_refuses_a_coco_ground_truth_given_as_a_read_option(tmp_path):
    images = [{"id": n, "file_name": f"f{n}.png", "width": 64, "height": 48} for n in (1, 2)]
    category = {"id": 1, "name": "mouse", "keypoints": ["nose", "tail"], "skeleton": [[1, 2]]}
    truth = tmp_path / "truth.json"
    truth.write_text(json.dumps({"images": images, "annotations": [], "categories": [category]}))
    results = tmp_path / "results.json"
    found = [
        {"image_id": n, "category_id": 1, "keypoints": [10, 20, 0.9, 30, 40, 0.8], "score": 0.9}
        for n in (1, 2)
    ]
    results.write_text(json.dumps(found))
    before = truth.read_bytes()
    read_options = {"ground_truth": truth}
    ds = posebridge.load(results, **read_options)  # the pair reads
    assert ds.sizes["keypoint"] == 2
    with pytest.raises(PoseBridgeError, match=f"is a file read with the input {results}"):
        posebridge.convert(results, truth, "coco", overwrite=True, read_options=read_options)
    assert truth.read_bytes() == before


def test_files_noted_outside_a_recording_are_not_kept_and_recordings_nest(tmp_path):
    from posebridge._files import note_files_read, recording_files_read
    from posebridge._outputs import check_outputs, inputs_kept

    note_files_read(tmp_path / "lost.csv")
    with recording_files_read() as outer:
        note_files_read(tmp_path / "a.csv")
        with recording_files_read() as inner:
            note_files_read(tmp_path / "b.csv")
    assert inner == [tmp_path / "b.csv"]
    assert outer == [tmp_path / "a.csv", tmp_path / "b.csv"]
    (tmp_path / "b.csv").write_text("x\n")
    with inputs_kept(tmp_path / "a.csv", companions=inner):
        with pytest.raises(PoseBridgeError, match="is a file read with the input"):
            check_outputs([tmp_path / "b.csv"], overwrite=True)
        check_outputs([tmp_path / "c.csv"], overwrite=True)
