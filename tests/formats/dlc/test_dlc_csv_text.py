"""DeepLabCut-style CSV files re-saved by other programs: delimiters, padded header cells,
end-of-file bytes and encodings.

Each file is written by posebridge (or pandas, as DeepLabCut writes it) and its
text changed as a spreadsheet, a script or an old DOS program would save it.
"""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xarray as xr

import posebridge
from posebridge.errors import FormatError
from posebridge.formats import dlc as deeplabcut
from posebridge.formats.dlc import csv as dlc_csv


def _poses(names: list[str] | None = None, frames: int = 6) -> xr.Dataset:
    rng = np.random.default_rng(11)
    return posebridge.from_numpy(
        rng.uniform(1, 99, (frames, 2, 2, 2)),
        rng.uniform(0, 1, (frames, 2, 2)),
        keypoint_names=names or ["snout", "tail base"],
        individual_names=["mouse1", "mouse2"],
    )


@pytest.fixture(params=["dlc", "lp"])
def saved(request, tmp_path: Path) -> tuple[Path, str, xr.Dataset]:
    """A DeepLabCut (4 header lines) or LightningPose (3) CSV, its format, what it reads as."""
    name = request.param
    ds = _poses() if name == "dlc" else _poses().isel(individual=[0])
    path = tmp_path / f"poses_{name}.csv"
    posebridge.save(ds, path, format=name)
    return path, name, posebridge.load(path, format=name)


def _same(back: xr.Dataset, expected: xr.Dataset) -> None:
    xr.testing.assert_identical(back.drop_attrs(), expected.drop_attrs())


# --------------------------------------------------------------------------
# ';' or tabs between the cells


def _european(text: str, delimiter: str) -> str:
    """``text`` as a spreadsheet with a decimal comma saves it: ';' between cells."""
    rows = [line.split(",") for line in text.splitlines()]
    decimal = "," if delimiter == ";" else "."
    return "".join(delimiter.join(c.replace(".", decimal) for c in r) + "\r\n" for r in rows)


@pytest.mark.parametrize(("delimiter", "said"), [(";", "';'-delimited"), ("\t", "tab-delimited")])
def test_a_csv_with_another_delimiter_is_recognised_and_refused_saying_so(saved, delimiter, said):
    """It was 'could not recognise the format' (detection) or 'should start with
    'scorer,' but starts with 'scorer;...'' (format=)."""
    path, name, _ = saved
    path.write_text(_european(path.read_text(), delimiter), encoding="utf-8")
    assert posebridge.detect(path) == "dlc"
    for forced in ({"format": name}, {}):
        with pytest.raises(FormatError) as refused:
            posebridge.load(path, **forced)
        message = str(refused.value)
        assert message.startswith(f"{path}: line 1: looks {said}"), message
        assert "comma-separated" in message and "DeepLabCut" in message
        assert "should start with 'scorer,'" not in message


def test_posebridge_info_names_the_delimiter_of_a_semicolon_csv(saved):
    path, _, _ = saved
    path.write_text(_european(path.read_text(), ";"), encoding="utf-8")
    shown = subprocess.run(
        [sys.executable, "-m", "posebridge", "info", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    output = " ".join((shown.stdout + shown.stderr).split())
    assert "could not recognise" not in output
    assert "dlc" in output and "';'-delimited" in output and str(path) in output


def test_a_csv_that_is_not_deeplabcuts_keeps_its_message(tmp_path: Path):
    path = tmp_path / "other.csv"
    path.write_text("frame;x;y\n0;1,5;2,5\n", encoding="utf-8")
    with pytest.raises(FormatError, match="should start with 'scorer,'"):
        posebridge.load(path, format="dlc")


# --------------------------------------------------------------------------
# blanks around header cells


def _pad(text: str, lines: int, joiner: str = ", ") -> str:
    """The first ``lines`` lines of ``text`` with ``joiner`` between cells, as a script
    that joins cells with ", " writes them."""
    rows = text.splitlines()
    return "\n".join(joiner.join(r.split(",")) if k < lines else r for k, r in enumerate(rows))


@pytest.mark.parametrize(
    ("padding", "joiner"),
    [("after-commas", ", "), ("around-commas", " , ")],
)
def test_a_header_padded_with_blanks_reads_as_without_them(saved, padding, joiner):
    """The coords ' x' were refused ("has no 'x' coordinate columns (coords found:
    [' x', ' y', ' likelihood'])") and the file detected as LightningPose."""
    path, name, expected = saved
    lines = 4 if name == "dlc" else 3
    path.write_text(_pad(path.read_text(), lines, joiner) + "\n", encoding="utf-8")
    assert posebridge.detect(path) == name
    back = posebridge.load(path, format=name)
    _same(back, expected)
    assert list(back.keypoint.values) == list(expected.keypoint.values)  # 'tail base' kept


def test_trailing_blanks_after_the_coordinates_read_as_without_them(tmp_path: Path):
    """As a spreadsheet cell typed 'x ' saves it."""
    ds = _poses().isel(individual=[0])
    path = tmp_path / "p.csv"
    posebridge.save(ds, path, format="dlc")
    expected = posebridge.load(path)
    lines = path.read_text().splitlines()
    at = next(k for k, line in enumerate(lines) if line.startswith("coords,"))
    lines[at] = ",".join(cell + " " for cell in lines[at].split(","))
    lines[at - 1] = lines[at - 1].replace(",", " ,")  # bodyparts: 'snout ', 'tail base '
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    _same(posebridge.load(path), expected)


def test_a_labelled_data_header_padded_with_blanks_reads_as_without_them(tmp_path: Path):
    """Three index columns: the header's index cells are ' ' in a padded file."""
    ds = posebridge.load(_labelled_csv(tmp_path))
    path = tmp_path / "padded" / "CollectedData_me.csv"
    path.parent.mkdir()
    path.write_text(_pad(_labelled_csv(tmp_path).read_text(), 3) + "\n", encoding="utf-8")
    _same(posebridge.load(path), ds)


@pytest.mark.parametrize("lines", [3, 99], ids=["header-only", "every-line"])
def test_a_labelled_data_file_padded_in_its_rows_keeps_its_image_paths(tmp_path, lines):
    """A script that pads every line pads the index cells too: 'labeled-data, v1, img001.png'
    read as the image 'labeled-data/ v1/ img001.png' (video 'labeled-data/ v1')."""
    ds = posebridge.load(_labelled_csv(tmp_path))
    path = tmp_path / "padded" / "CollectedData_me.csv"
    path.parent.mkdir()
    path.write_text(_pad(_labelled_csv(tmp_path).read_text(), lines) + "\n", encoding="utf-8")
    back = posebridge.load(path)
    assert back.image_path.values.tolist() == [
        "labeled-data/v1/img001.png",
        "labeled-data/v1/img007.png",
    ]
    assert back.video.values.tolist() == ["labeled-data/v1"] * 2
    _same(back, ds)


def _labelled_csv(tmp_path: Path) -> Path:
    columns = pd.MultiIndex.from_product(
        [["me"], ["snout", "tail"], ["x", "y"]], names=["scorer", "bodyparts", "coords"]
    )
    index = pd.MultiIndex.from_tuples(
        [("labeled-data", "v1", "img001.png"), ("labeled-data", "v1", "img007.png")]
    )
    frame = pd.DataFrame(np.arange(8, dtype=float).reshape(2, 4) + 0.5, index, columns)
    path = tmp_path / "CollectedData_me.csv"
    frame.to_csv(path)
    return path


def test_names_with_blanks_in_an_unpadded_header_keep_them(tmp_path: Path):
    """posebridge writes the names as they are; with exact fixed words they read back so."""
    ds = _poses(names=[" snout", "tail "])
    (path,) = posebridge.save(ds, tmp_path / "p.csv", format="dlc")
    back = posebridge.load(path)
    assert list(back.keypoint.values) == [" snout", "tail "]
    _same(back, posebridge.load(posebridge.save(ds, tmp_path / "p.h5", format="dlc")[0]))


# --------------------------------------------------------------------------
# one Ctrl-Z after the last line (an old DOS end-of-file marker)


@pytest.mark.parametrize(
    ("cores", "parallel"),
    [(1, False), (1, True), (3, True)],
    ids=["whole-file", "one-core", "byte-ranges"],
)
def test_an_end_of_file_marker_is_left_out_by_every_read_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cores: int, parallel: bool
):
    """Each path read to the file's end: the marker was refused ('this reader does not
    skip it'); each now stops before it."""
    ds = _poses(frames=40)
    (path,) = posebridge.save(ds, tmp_path / "p.csv", format="dlc")
    expected = posebridge.load(path)
    path.write_bytes(path.read_bytes() + b"\x1a")
    if parallel:
        monkeypatch.setattr(dlc_csv, "_PARALLEL_MIN_BYTES", 0)
        monkeypatch.setattr(dlc_csv, "_CHUNK_ROWS", 7)
    monkeypatch.setattr(dlc_csv, "usable_cores", lambda: cores)
    _same(deeplabcut.read(path), expected)


def test_an_end_of_file_marker_after_a_short_row_still_names_the_row(tmp_path: Path):
    """The width checks count cells up to the marker, not into it."""
    ds = _poses(frames=5)
    (path,) = posebridge.save(ds, tmp_path / "p.csv", format="dlc")
    lines = path.read_text().splitlines()
    lines[-1] = lines[-1].rsplit(",", 2)[0] + ","  # two cells short, last cell empty
    path.write_bytes(("\n".join(lines) + "\n").encode() + b"\x1a")
    with pytest.raises(FormatError, match=rf"{path}: .*(cells|truncated)"):
        posebridge.load(path)


def test_an_end_of_file_marker_keeps_lazy_opening_equal_to_reading(tmp_path: Path):
    ds = _poses(frames=12)
    (path,) = posebridge.save(ds, tmp_path / "p.csv", format="dlc")
    expected = posebridge.load(path)
    path.write_bytes(path.read_bytes() + b"\x1a")
    _same(posebridge.open_dataset(path).load(), expected)


# --------------------------------------------------------------------------
# encodings


@pytest.mark.parametrize(
    ("encoding", "looks"),
    [("cp1252", "Latin-1/cp1252"), ("utf-16", "UTF-16"), ("utf-16-le", "UTF-16")],
)
def test_a_csv_in_another_encoding_is_recognised_and_refused_naming_it(saved, encoding, looks):
    """Detection said 'could not recognise the format'; the reader names line and byte."""
    path, name, _ = saved
    text = path.read_text(encoding="utf-8").replace("snout", "naße")
    path.write_bytes(text.encode(encoding))
    assert posebridge.detect(path) == name
    with pytest.raises(FormatError) as refused:
        posebridge.load(path)
    message = str(refused.value)
    assert message.startswith(f"{path}: line ") and "(byte " in message
    assert looks in message and "save it as UTF-8" in message


@pytest.mark.parametrize("quoting", [csv.QUOTE_NONNUMERIC, csv.QUOTE_ALL])
def test_a_csv_with_quoted_cells_is_recognised_by_its_content(tmp_path, quoting):
    """`"scorer","DLC_s",...` was not recognised without format= (read fine with it)."""
    columns = pd.MultiIndex.from_product(
        [["DLC_s"], ["nose", "tail"], ["x", "y", "likelihood"]],
        names=["scorer", "bodyparts", "coords"],
    )
    table = pd.DataFrame(np.arange(12.0).reshape(2, 6), columns=columns)
    path = tmp_path / "quoted.csv"
    table.to_csv(path, quoting=quoting)
    assert posebridge.detect(path) == "dlc"
    ds = posebridge.load(path)
    np.testing.assert_array_equal(ds.position.sel(space="x").values[:, :, 0], [[0, 3], [6, 9]])


@pytest.mark.parametrize("line_end", ["\n", "\r\n"])
@pytest.mark.parametrize("where", ["end", "middle"])
def test_rows_of_empty_cells_are_skipped_as_blank_lines(tmp_path: Path, line_end, where):
    """A spreadsheet saves rows of empty cells (',,,') after the data: they hold no frame
    number and no value, and are skipped, as blank lines are."""
    header = ["scorer,S,S,S", "bodyparts,a,a,a", "coords,x,y,likelihood"]
    rows = ["0,1,2,0.9", "7,3,4,0.8"]
    lines = (
        header + rows + [",,,", ",,,"]
        if where == "end"
        else header + rows[:1] + [",,,"] + rows[1:]
    )
    path = tmp_path / "sheet.csv"
    path.write_bytes(line_end.join(lines).encode() + line_end.encode())
    for reader in (posebridge.load, posebridge.open_dataset):
        ds = reader(path)
        assert ds.time.values.tolist() == [0, 7]
        assert ds.position.values[:, :, 0, 0].tolist() == [[1.0, 2.0], [3.0, 4.0]]
        assert ds.confidence.values[:, 0, 0].tolist() == [0.9, 0.8]
    values_without_frame = tmp_path / "no_frame.csv"  # a row with values is not empty
    values_without_frame.write_bytes(path.read_bytes().replace(b",,,", b",5,6,0.7", 1))
    with pytest.raises(FormatError, match="no index value"):
        posebridge.load(values_without_frame)


# --------------------------------------------------------------------------
# \r\r\n line ends (Python's csv module writing to a file opened on Windows in text mode)


def test_doubled_carriage_returns_are_explained_without_format_too(saved):
    """Detection read the \\r\\r\\n lines as lines with empty lines between them and said
    'could not recognise the format'; format='dlc' named the line ends."""
    path, name, _ = saved
    path.write_bytes(path.read_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r\r\n"))
    assert posebridge.detect(path) == name
    for forced in ({"format": name}, {}):
        with pytest.raises(FormatError) as refused:
            posebridge.load(path, **forced)
        assert str(refused.value).startswith(f"{path}: line 1: its lines end in \\r\\r\\n")
    shown = subprocess.run(
        [sys.executable, "-m", "posebridge", "info", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    output = " ".join((shown.stdout + shown.stderr).split())
    assert "could not recognise" not in output
    assert "its lines end in \\r\\r\\n" in output and str(path) in output


@pytest.mark.parametrize("animals", [1, 30])
def test_doubled_carriage_returns_after_header_lines_longer_than_64_kib_are_explained(
    tmp_path, animals
):
    """3000 keypoint columns put the first line end past the 64 KiB the reader looked at
    (and, with 30 animals, the header past detection's 256 KiB): the file was refused as
    having data rows that are not numbers, not for its line ends."""
    keypoints = [f"a_rather_long_keypoint_name_number_{k:04d}" for k in range(3000 // animals)]
    ds = posebridge.from_numpy(
        np.ones((2, 2, len(keypoints), animals)),
        np.full((2, len(keypoints), animals), 0.5),
        keypoint_names=keypoints,
        individual_names=[f"individual_{i}" for i in range(animals)],
    )
    name = "dlc" if animals > 1 else "lp"
    path = tmp_path / "wide.csv"
    posebridge.save(ds, path, format=name)
    text = path.read_bytes().replace(b"\r\n", b"\n")
    assert text.find(b"\n") > 1 << 16  # the first line end is past the reader's head
    assert animals == 1 or text.find(b"\ncoords") > 1 << 18  # the header past detection's
    path.write_bytes(text.replace(b"\n", b"\r\r\n"))
    assert posebridge.detect(path) == name
    for forced in ({"format": name}, {}):
        with pytest.raises(FormatError) as refused:
            posebridge.load(path, **forced)
        assert str(refused.value).startswith(f"{path}: line 1: its lines end in \\r\\r\\n")
