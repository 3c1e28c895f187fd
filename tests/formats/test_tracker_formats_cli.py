"""The four tracker formats in the registry and on the command line: listed, shown by
``posebridge info`` (a folder too), converted; read-only ones refuse to write."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

import posebridge
from posebridge import registry
from posebridge.cli import cli
from posebridge.errors import UnknownFormatError


def _trex_folder(folder: Path) -> Path:
    folder.mkdir()
    for i in range(2):
        frames = np.arange(5, dtype=np.float32)
        np.savez(
            folder / f"clip_fish{i}.npz",
            frame=frames,
            timestamp=frames * 40000,
            missing=np.zeros(5, dtype=np.float32),
            **{"X#wcentroid": frames + i, "Y#wcentroid": frames * 2},
        )
    return folder


def test_registry_lists_the_four_formats_and_which_write():
    by_name = {f.name: f for f in registry.all_formats()}
    assert by_name["sleap-csv"].writes
    for name in ("trex", "idtracker", "dannce"):
        assert by_name[name].reads and not by_name[name].writes
    assert registry.get("idtracker.ai").name == "idtracker"
    assert registry.get("TRex").name == "trex"


def test_formats_command_shows_them():
    result = CliRunner().invoke(cli, ["formats"])
    assert result.exit_code == 0, result.output
    for name in ("sleap-csv", "trex", "idtracker", "dannce"):
        assert name in result.output


def test_info_and_convert_a_trex_folder(tmp_path: Path):
    folder = _trex_folder(tmp_path / "data")
    runner = CliRunner()
    info = runner.invoke(cli, ["info", str(folder)])
    assert info.exit_code == 0, info.output
    assert "trex (TRex)" in info.output and "fish0, fish1" in info.output
    target = tmp_path / "out.analysis.csv"
    converted = runner.invoke(cli, ["convert", str(folder), str(target)])
    assert converted.exit_code == 0, converted.output
    back = posebridge.load(target)
    assert back.individual.values.tolist() == ["fish0", "fish1"]
    assert back.keypoint.values.tolist() == ["centroid"]


def test_read_only_formats_refuse_to_write(tmp_path: Path):
    ds = posebridge.from_numpy(np.zeros((2, 2, 1, 1)))
    for name in ("trex", "idtracker", "dannce"):
        with pytest.raises(UnknownFormatError, match="cannot write"):
            posebridge.save(ds, tmp_path / "x.out", format=name)


def test_a_folder_no_format_reads_is_refused(tmp_path: Path):
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(UnknownFormatError, match="none of the formats that read folders"):
        posebridge.load(tmp_path)
    with pytest.raises(UnknownFormatError, match="not a folder"):
        posebridge.load(tmp_path, format="dlc")
