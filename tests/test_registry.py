"""The registry: family records, and detection that imports only what a file's name needs."""

from __future__ import annotations

import gzip
import importlib
import json
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xarray as xr

import _corpus
import posebridge
from posebridge import registry
from posebridge.errors import PoseBridgeError, UnknownFormatError


def test_family_extensions_are_the_endings_the_records_claim():
    for family in registry.FAMILIES:
        module = importlib.import_module(f"posebridge.formats.{family}")
        claimed = {ext for fmt in module.FORMATS for ext in fmt.extensions}
        assert set(registry.FAMILY_EXTENSIONS[family]) == claimed, family
    assert set(registry.FAMILY_EXTENSIONS) == set(registry.FAMILIES)


def _families_imported_by_detect(path) -> list[str]:
    """Detect ``path`` in a fresh process; the format families it imported."""
    code = (
        "import json, sys, posebridge; "
        f"name = posebridge.detect({str(path)!r}); "
        "print(json.dumps([name, sorted({m.split('.')[2] for m in sys.modules "
        "if m.startswith('posebridge.formats.') and not m.split('.')[2].startswith('_')})]))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def _small_poses():
    return posebridge.from_numpy(
        np.arange(24.0).reshape(3, 2, 2, 2), individual_names=["a", "b"], keypoint_names=["x", "y"]
    )


def test_detecting_a_file_imports_only_the_families_that_claim_its_ending(tmp_path):
    path = tmp_path / "sessionDLC_resnet50.h5"
    posebridge.save(_small_poses(), path, "dlc")
    name, families = _families_imported_by_detect(path)
    assert name == "dlc"
    claiming = {f for f, ends in registry.FAMILY_EXTENSIONS.items() if ".h5" in ends}
    assert set(families) == claiming  # dlc, sleap, idtracker: not nwb, coco, ...


def test_a_misnamed_file_is_still_found_among_all_families(tmp_path):
    path = tmp_path / "session.json"  # a netCDF file under a COCO / Label Studio ending
    posebridge.save(_small_poses(), tmp_path / "session.nc")
    (tmp_path / "session.nc").rename(path)
    name, families = _families_imported_by_detect(path)
    assert name == "netcdf"
    assert set(families) == set(registry.FAMILIES)


def _families_imported_by(code: str) -> list[str]:
    """Run ``code`` in a fresh process; the format families it imported."""
    code += (
        "\nimport json, sys; print(json.dumps(sorted({m.split('.')[2] for m in sys.modules "
        "if m.startswith('posebridge.formats.') and not m.split('.')[2].startswith('_')})))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_saving_by_the_file_ending_imports_only_the_families_that_claim_it(tmp_path):
    target = tmp_path / "out.slp"
    families = _families_imported_by(
        "import numpy as np, posebridge\n"
        "ds = posebridge.from_numpy(np.zeros((2, 2, 1, 1)), keypoint_names=['nose'])\n"
        f"posebridge.save(ds, {str(target)!r})"
    )
    assert families == ["sleap"]
    assert posebridge.load(target)["position"].shape == (2, 2, 1, 1)


def test_a_format_name_imports_the_families_up_to_its_own():
    assert _families_imported_by("from posebridge import registry; registry.get('dlc')") == ["dlc"]
    assert registry.get("SLEAP").name == "sleap"
    assert [f.name for f in registry.siblings(registry.get("lp"))] == ["dlc", "lp"]
    assert [f.name for f in registry.siblings(registry.get("nwb"))] == ["nwb"]


@pytest.mark.parametrize("folder", _corpus.READABLE_FOLDERS)
def test_every_family_reader_takes_a_path_given_as_a_string(folder):
    """The family modules are public (``from posebridge.formats import coco``); their
    ``read`` takes a ``str`` as well as a ``Path``, as the docstring examples show."""
    if not _corpus.CORPUS.is_dir():
        pytest.skip(_corpus.MISSING)
    path = (
        _corpus.CORPUS / folder
        if folder in _corpus.FOLDER_INPUTS
        else next(p for p in _corpus.pose_files(folder) if p.suffix not in {".md", ".toml"})
    )
    fmt = registry.get(registry.detect(path))
    options = _corpus.read_options(path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from_string = fmt.read(str(path), **options)
        from_path = fmt.read(path, **options)
    xr.testing.assert_identical(from_string, from_path)


# --------------------------------------------------------------------------
# an unknown format whose text is not UTF-8: said, with where and how to save it


@pytest.mark.parametrize(
    ("name", "data", "said", "fix"),
    [
        (
            "notes.txt",
            "name: café\n".encode("cp1252"),
            "line 1 (byte 9): byte 0xE9 is not UTF-8; the file looks like Latin-1/cp1252 "
            "text (as Windows editors save 'ANSI' text)",
            "(a text editor: encoding UTF-8)",
        ),
        (
            "notes.json",
            '{"name": "café"}'.encode("utf-16-le"),
            "line 1 (byte 1): a NUL byte (0x00) is not text; the file looks like UTF-16 text "
            "(every other byte is NUL; Windows PowerShell 5's '>' and Out-File write so)",
            "(a text editor: encoding UTF-8)",
        ),
        (
            "notes.yaml",
            "name: café\n".encode("utf-16"),
            "line 1 (byte 0): byte 0xFF is not UTF-8; the file looks like UTF-16 text (it "
            "starts with a UTF-16 byte-order mark; Windows PowerShell 5's",
            "(a text editor: encoding UTF-8)",
        ),
        (
            "table.csv",
            "name,value\ncafé,1\n".encode("cp1252"),
            "line 2 (byte 14): byte 0xE9 is not UTF-8; the file looks like Latin-1/cp1252 "
            "text (as Excel's 'CSV (Comma delimited)' saves on Windows)",
            "(Excel: 'CSV UTF-8 (Comma delimited)'; a text editor: encoding UTF-8)",
        ),
    ],
    ids=["cp1252-text", "utf16-no-bom", "utf16-bom-not-a-table", "cp1252-table"],
)
def test_an_unknown_format_in_another_encoding_is_said_with_line_byte_and_fix(
    tmp_path, name, data, said, fix
):
    """It said so only for UTF-16 with a byte-order mark, in Excel's words for any file
    ('as Excel's 'Unicode Text' saves'); cp1252 and UTF-16 without a mark were not said."""
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(posebridge.errors.UnknownFormatError) as refused:
        posebridge.detect(path)
    message = str(refused.value)
    assert f"Its text is not UTF-8, which may be why: {said}" in message
    assert message.endswith(f"posebridge reads UTF-8: save it as UTF-8 {fix}.")
    if not name.endswith(".csv"):
        assert "Excel" not in message


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("notes.txt", "name: café\n".encode()),
        ("blob.bin", bytes(range(256)) * 16),
        ("samples.bin", np.arange(2000, dtype="<i2").tobytes()),  # NUL every other byte
    ],
    ids=["utf8-text", "binary", "int16-array"],
)
def test_an_unknown_format_in_utf8_or_binary_is_not_said_to_be_in_another_encoding(
    tmp_path, name, data
):
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(posebridge.errors.UnknownFormatError) as refused:
        posebridge.detect(path)
    message = str(refused.value)
    assert "UTF-8" not in message and "UTF-16" not in message
    assert message.endswith("`posebridge formats` lists what is supported.")


def test_a_folder_no_format_reads_is_refused_naming_what_it_holds(tmp_path):
    """The message named no file: a folder of notes and a damaged frame folder read alike."""
    notes = tmp_path / "notes"
    notes.mkdir()
    for name in ("b.txt", "a.txt", "d.dat", "c.md", ".hidden"):
        (notes / name).write_text("words\n")
    with pytest.raises(IsADirectoryError, match=r"\(it holds 4: a\.txt, b\.txt, c\.md, \.\.\.\)"):
        registry.resolve_for_reading(notes, None)
    (tmp_path / "empty").mkdir()
    with pytest.raises(IsADirectoryError, match=r"\(it is empty\)"):
        registry.resolve_for_reading(tmp_path / "empty", None)


def test_a_folder_no_format_reads_names_the_files_in_it_that_can_be_read(
    tmp_path, poses_two_mice_with_nan
):
    """A user passing a dataset's folder learns which of its files to pass instead."""
    folder = tmp_path / "session"
    folder.mkdir()
    (folder / "notes.md").write_text("words\n")
    with pytest.raises(IsADirectoryError) as refused:
        registry.resolve_for_reading(folder, None)
    assert "Pass a file instead" in str(refused.value)
    posebridge.save(poses_two_mice_with_nan, folder / "poses.nc")
    with pytest.raises(IsADirectoryError, match=r"poses\.nc \(netcdf\) can be read: pass it"):
        registry.resolve_for_reading(folder, None)
    posebridge.save(poses_two_mice_with_nan, folder / "more.nc")
    with pytest.raises(
        IsADirectoryError,
        match=r"more\.nc \(netcdf\), poses\.nc \(netcdf\) can be read: pass one of them",
    ):
        registry.resolve_for_reading(folder, None)


@pytest.mark.parametrize(("name", "title"), [("b.slp", "SLEAP"), ("b.nwb", "NWB")])
def test_boxes_to_a_poses_format_name_say_what_it_holds(tmp_path, name, title):
    """The message was "cannot tell the output format from the file name"."""
    import numpy as np

    from posebridge import model

    boxes = model.bboxes_from_numpy(np.zeros((2, 2, 1)), np.ones((2, 2, 1)))
    with pytest.raises(posebridge.UnknownFormatError, match=f"{title} files hold poses.*bboxes"):
        posebridge.save(boxes, tmp_path / name)


def _cut_hdf5(tmp_path: Path) -> Path:
    ds = posebridge.from_numpy(np.ones((50, 2, 2, 1)), keypoint_names=["a", "b"])
    (path,) = posebridge.save(ds, tmp_path / "whole.slp")
    cut = tmp_path / "cut.slp"
    cut.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    return cut


def _written(name: str, data: bytes):
    def make(tmp_path: Path) -> Path:
        (tmp_path / name).write_bytes(data)
        return tmp_path / name

    return make


@pytest.mark.parametrize(
    ("make", "said"),
    [
        (_written("empty.csv", b""), "is empty"),
        (_cut_hdf5, r"is an HDF5 file .* cannot be opened"),
        (_written("a.npz", b"PK\x03\x04cut"), "is a zip archive .* cannot be opened"),
        (_written("a.csv", gzip.compress(b"scorer,x\n")), "is gzip-compressed"),
    ],
    ids=["empty", "cut-hdf5", "cut-zip", "gzip"],
)
def test_an_unrecognised_file_that_is_evidently_damaged_says_so(tmp_path, make, said):
    # it said only "could not recognise the format ... pass format="
    path = make(tmp_path)
    with pytest.raises(UnknownFormatError, match=said):
        posebridge.detect(path)


def test_an_empty_path_names_no_file_not_the_current_folder(tmp_path, monkeypatch):
    # Path("") is ".": an unset $IN read the folder the command ran in
    monkeypatch.chdir(tmp_path)
    posebridge.save(posebridge.from_numpy(np.ones((3, 2, 1, 1))), tmp_path / "here.nc")
    with pytest.raises(PoseBridgeError, match="an empty path names no file"):
        posebridge.load("")


@pytest.mark.parametrize("fmt", registry.all_formats(), ids=lambda f: f.name)
def test_every_format_title_is_a_name_of_it(fmt):
    # the titles are the source_software names (posebridge's and movement's); a title two
    # members of a family share ("SLEAP") names the family, whose member the file picks
    for spelt in (fmt.title, fmt.title.upper(), fmt.title.lower()):
        found = registry.get(spelt)
        assert found is fmt or (fmt.family and found.family == fmt.family), (spelt, found)


def test_every_supported_source_software_name_is_a_format_name():
    from posebridge.io.load import get_supported_source_software

    for software in get_supported_source_software():
        assert registry.get(software).title == software


def test_movements_dlc_or_lp_name_reads_with_the_deeplabcut_reader(tmp_path):
    from click.testing import CliRunner

    from posebridge.cli import cli
    from posebridge.io.load import infer_source_software

    source = _corpus.corpus_path("dlc_csv/DLC_sample_poses.csv")
    name = infer_source_software(source)
    assert name == "DeepLabCut/LightningPose"
    assert registry.get(name).name == "dlc"
    read = posebridge.load(source, format=name)
    assert read.identical(posebridge.load(source, format="dlc"))
    shown = CliRunner().invoke(cli, ["info", str(source), "--format", name])
    assert shown.exit_code == 0, shown.output
    assert "dlc (DeepLabCut)" in shown.output
    with pytest.raises(UnknownFormatError, match="choose 'dlc' .* or 'lp'"):
        posebridge.save(read, tmp_path / "out.csv", format=name)
    assert not (tmp_path / "out.csv").exists()


@pytest.mark.parametrize(
    "relative",
    [
        "sleap_csv/minimal_instance.000_centered_pair_low_quality.analysis.csv",
        "sleap_csv/new_video.v002.000_mice_new.analysis.csv",
        "trex/test_fish0_trex2025_xonly.csv",
        "via_csv/crabs_gt_test.csv",
    ],
)
def test_another_formats_table_saved_with_an_index_column_is_not_taken_for_anipose(
    tmp_path, relative
):
    """Anipose's sniffer takes a header after pandas' index column (an empty first cell,
    f158 #1); other formats' one-row-header tables saved so stay someone else's."""
    source = _corpus.corpus_path(relative)
    path = tmp_path / "indexed.csv"
    pd.read_csv(source).to_csv(path)
    assert path.read_text().startswith(",")
    try:
        found = posebridge.detect(path)
    except UnknownFormatError:
        found = None
    assert found != "anipose"


def test_an_anipose_corpus_file_saved_with_an_index_column_is_detected(tmp_path):
    source = _corpus.corpus_path("anipose_csv/minimal_session_ransac_optim.csv")
    path = tmp_path / "indexed.csv"
    pd.read_csv(source).to_csv(path)
    assert posebridge.detect(path) == "anipose"
    assert posebridge.load(path).position.equals(posebridge.load(source).position)
