"""Tests of posebridge._outputs: the atomic writer's check of HDF5 files before they
replace their target."""

from __future__ import annotations

import warnings

import h5py
import numpy as np
import pytest

import posebridge
from posebridge._outputs import atomic_outputs


def _with_user_block(plain, path, block: int = 512) -> None:
    """``plain`` (an NWB file) exported by pynwb into ``path`` behind a user block."""
    import pynwb

    with (
        pynwb.NWBHDF5IO(plain, "r") as source,
        h5py.File(path, "w", userblock_size=block) as h5,
        pynwb.NWBHDF5IO(file=h5, mode="w", manager=source.manager) as out,
    ):
        out.export(src_io=source, nwbfile=source.read())


@pytest.mark.parametrize("block", [512, 2048])
def test_a_damaged_hdf5_file_behind_a_user_block_is_refused_and_the_old_file_kept(tmp_path, block):
    """f127's note: the signature after a user block is HDF5 too, checked as at byte 0."""
    target = tmp_path / "out.nwb"
    target.write_bytes(b"the previous file")
    with (
        pytest.raises(posebridge.PoseBridgeError) as caught,
        atomic_outputs([target], overwrite=True) as (temporary,),
    ):
        with h5py.File(temporary, "w", userblock_size=block) as h5:
            for k in range(20):
                h5.create_group(f"g{k}").attrs["k"] = k
        data = temporary.read_bytes()
        temporary.write_bytes(data[: len(data) // 2])
    message = str(caught.value)
    assert str(target) in message and "the HDF5 file written is damaged" in message
    assert target.read_bytes() == b"the previous file"


def test_an_nwb_file_with_a_user_block_is_appended_to_and_overwritten_as_it_reads(tmp_path):
    rng = np.random.default_rng(7)
    first = posebridge.from_numpy(rng.uniform(size=(3, 2, 2, 1)), fps=10.0, individual_names=["a"])
    second = posebridge.from_numpy(
        rng.uniform(size=(3, 2, 2, 1)), fps=10.0, individual_names=["b"]
    )
    plain, path = tmp_path / "plain.nwb", tmp_path / "block.nwb"
    posebridge.save(first, plain)
    _with_user_block(plain, path)
    assert not path.read_bytes().startswith(b"\x89HDF") and h5py.is_hdf5(path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        posebridge.save(second, path, append=True)
        back = posebridge.load(path)
    assert [str(i) for i in back.individual.values] == ["a", "b"]
    np.testing.assert_allclose(
        back.position.sel(individual="b").values, second.position.values[..., 0]
    )
    _with_user_block(plain, path.with_name("again.nwb"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        posebridge.save(second, path.with_name("again.nwb"), overwrite=True)
        again = posebridge.load(path.with_name("again.nwb"))
    assert [str(i) for i in again.individual.values] == ["b"]


def test_refusals_of_outputs_onto_inputs_name_the_overwrite_flag_on_the_command_line(tmp_path):
    """Python says ``(even with overwrite)``; the command line ``(even with --overwrite)``."""
    from click.testing import CliRunner

    from posebridge._output_paths import inside_input_folder
    from posebridge._outputs import _onto_companion
    from posebridge.cli import cli
    from posebridge.errors import worded_for_command_line
    from test_convert_companions import _idtracker_csv

    for refused in (
        inside_input_folder("labels", "labels/clip.txt"),
        _onto_companion(tmp_path / "b.csv", tmp_path / "b.csv", tmp_path / "a.csv"),
    ):
        assert "(even with overwrite)" in str(refused)
        said = worded_for_command_line(refused)
        assert "(even with --overwrite)" in said and "(even with overwrite)" not in said
    source = _idtracker_csv(tmp_path / "session")
    target = source.parent / "id_probabilities.csv"
    result = CliRunner().invoke(
        cli, ["convert", str(source), str(target), "--to", "dlc", "--overwrite", "-q"]
    )
    assert result.exit_code == 1, result.output
    assert f"{target}: is a file read with the input {source};" in result.stderr
    assert "(even with --overwrite)" in result.stderr
