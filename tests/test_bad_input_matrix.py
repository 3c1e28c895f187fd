"""One bad-input matrix: every reader x {empty, truncated, wrong format, malformed} file.

The readers come from the registry (:func:`posebridge.registry.all_formats`), so a new
family joins by itself. Each reader is called as the registry holds it (``Format.read``)
on:

- an empty file;
- a valid file written by its own writer, cut at three points (text: inside the header
  line, and after a comma past the middle and past three quarters, so the last row
  lacks cells; binary: at 5 %, 50 % and 95 % of its size);
- the valid file of every other writer (a wrong ``format=``);
- garbage bytes, a small text file that is no pose file, and the valid file with the
  high bit of one byte flipped (its first byte, and for text one in the middle: invalid
  UTF-8).

The outcome must be a :class:`posebridge.PoseBridgeError` whose message names the file:
never a raw KeyError, IndexError, OSError, ..., never a hang (each read has a time limit).
The same files go through :func:`posebridge.load` with ``format=``, and the garbage ones
through detection. Where a reader fails today, the case is in :data:`KNOWN_RAW_ERRORS`
(``xfail(strict=True)``; issue #15 hardens the readers).
"""

from __future__ import annotations

import signal
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import xarray as xr

import posebridge
from posebridge import model
from posebridge._files import Peek
from posebridge.registry import all_formats
from test_roundtrip_matrix import CAPABILITIES, FIXED, WRITERS, Writer, fits

#: Seconds a reader may take on one bad file before the case fails as a hang.
TIME_LIMIT = 60

HDF5_MAGIC = b"\x89HDF\r\n\x1a\n"

#: (reader, writer of the file) pairs where the other format's file is also a valid file
#: of the reader's format, with the reason: the read must then give a valid dataset.
READS_AS_WELL = {
    ("dlc", "lp.csv"): "a LightningPose CSV is a single-animal DeepLabCut CSV",
    ("lp", "dlc.csv"): "a single-animal DeepLabCut table is what LightningPose reads",
    ("lp", "dlc.h5"): "a single-animal DeepLabCut table is what LightningPose reads",
}

#: (reader, case) pairs where the reader lets a raw error out today, with what it raises.
#: They are xfail(strict=True): when issue #15 fixes one, its entry must go.
KNOWN_RAW_ERRORS: dict[tuple[str, str], str] = {}


# --------------------------------------------------------------------------
# the files


def _sources() -> dict[str, Writer]:
    """One writer per on-disk layout (format and file ending), poses or boxes data."""
    out: dict[str, Writer] = {}
    for writer in WRITERS:
        key = f"{writer.name}{writer.suffix}"
        if writer.kind != "labels" and key not in out:
            out[key] = writer
    return out


SOURCES = _sources()


@pytest.fixture(scope="module")
def valid_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A valid file of every writer, by ``<format><ending>`` (written once per module)."""
    folder = tmp_path_factory.mktemp("valid")
    files = {}
    for key, writer in SOURCES.items():
        ds = next(ds for ds in FIXED[writer.kind] if fits(ds, writer, kept=False))
        path = folder / f"valid-{writer.name}{writer.suffix}"
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            written = posebridge.save(
                ds, path, format=writer.name, **CAPABILITIES[writer.name].write
            )
        files[key] = path if path.is_file() else written[0]  # YOLO predictions: a file a frame
    return files


def _is_text(data: bytes) -> bool:
    return not data.startswith(HDF5_MAGIC) and b"\0" not in data[:4096]


def _after_comma(data: bytes, start: int) -> int:
    """Just after a comma at or past ``start`` that is not its line's last one.

    A cut there leaves the last row with fewer cells than the header; a cut after a
    line's last comma would leave a valid row with an empty last cell.
    """
    comma = data.find(b",", start)
    while comma >= 0:
        end = data.find(b"\n", comma)
        if data.find(b",", comma + 1, end if end >= 0 else len(data)) >= 0:
            return comma + 1
        comma = data.find(b",", end) if end >= 0 else -1
    return len(data) // 2


def _cut(data: bytes, which: int) -> bytes:
    """The file cut at one of three points (see the module's description)."""
    if _is_text(data):
        end_of_header = data.find(b"\n")
        points = [max(end_of_header // 2, 1), _after_comma(data, len(data) // 2)]
        points.append(_after_comma(data, 3 * len(data) // 4))
    else:
        points = [len(data) // 20, len(data) // 2, 19 * len(data) // 20]
    return data[: points[which]]


def _flip(data: bytes, where: str) -> bytes:
    offset = 0 if where == "first" else len(data) // 2
    flipped = bytearray(data)
    flipped[offset] ^= 0x80
    return bytes(flipped)


#: Case name -> (needs its own valid file, how to make the bytes from the valid files).
Maker = Callable[[str, dict[str, Path]], bytes | None]


#: Cases made without a valid file.
MADE: dict[str, bytes] = {
    "garbage": bytes(range(256)) * 8,
    "text": b"frame,x,y\nthis is,not,a pose file\n",
}
#: Damages of a reader's own valid file (``<format><ending>-<damage>``).
DAMAGES: dict[str, Callable[[bytes], bytes | None]] = {
    "cut-1": lambda data: _cut(data, 0),
    "cut-2": lambda data: _cut(data, 1),
    "cut-3": lambda data: _cut(data, 2),
    "flip-first-byte": lambda data: _flip(data, "first"),
    "flip-middle-byte": lambda data: _flip(data, "middle") if _is_text(data) else None,
}


def _cases() -> Iterator[tuple[str, str]]:
    for fmt in all_formats():
        if not fmt.reads:
            continue
        yield from ((fmt.name, f"empty{ext}") for ext in fmt.extensions)
        yield from ((fmt.name, case) for case in MADE)
        for key, writer in SOURCES.items():
            if writer.name == fmt.name:
                yield from ((fmt.name, f"{key}-{damage}") for damage in DAMAGES)
            else:
                yield fmt.name, f"wrong-{key}"


def _params() -> list:
    params = []
    for reader, case in _cases():
        marks = []
        if (reader, case) in KNOWN_RAW_ERRORS:
            reason = KNOWN_RAW_ERRORS[(reader, case)]
            marks.append(pytest.mark.xfail(strict=True, reason=reason))
        params.append(pytest.param(reader, case, marks=marks, id=f"{reader}-{case}"))
    return params


def _bad_file(reader: str, case: str, files: dict[str, Path], folder: Path) -> Path:
    fmt = posebridge.registry.get(reader)
    suffix = fmt.extensions[-1]
    if case.startswith("empty"):
        data, suffix = b"", case.removeprefix("empty")
    elif case in MADE:
        data = MADE[case]
    elif case.startswith("wrong-"):
        data = files[case.removeprefix("wrong-")].read_bytes()
    else:
        key, damage = next((k, case.removeprefix(f"{k}-")) for k in SOURCES if case.startswith(k))
        damaged = DAMAGES[damage](files[key].read_bytes())
        if damaged is None:
            pytest.skip("binary file: a flipped data byte goes unnoticed without checksums")
        data = damaged
    path = folder / f"bad-{case}{suffix}"
    path.write_bytes(data)
    return path


@contextmanager
def time_limit(seconds: int) -> Iterator[None]:
    """Fail (TimeoutError) when the block runs longer than ``seconds``."""

    def hang(signum: int, frame: object) -> None:
        raise TimeoutError(f"no answer after {seconds} s: a hang")

    previous = signal.signal(signal.SIGALRM, hang)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def _expect_refusal(read: Callable[[], xr.Dataset], path: Path, reader: str, case: str) -> None:
    if (reader, case.removeprefix("wrong-")) in READS_AS_WELL:
        with time_limit(TIME_LIMIT), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model.validate(read())
        return
    with (
        time_limit(TIME_LIMIT),
        pytest.raises(posebridge.PoseBridgeError) as error,
        warnings.catch_warnings(),
    ):
        warnings.simplefilter("ignore")
        read()
    assert str(path) in str(error.value), f"the message does not name the file: {error.value}"


# --------------------------------------------------------------------------
# the matrix


def test_every_readers_file_can_be_damaged():
    """Every reader that writes has a valid file of its own for the damage cases."""
    writing = {f.name for f in all_formats() if f.reads and f.writes}
    assert writing <= {w.name for w in SOURCES.values()}


@pytest.mark.parametrize(("reader", "case"), _params())
def test_reader_refuses_naming_the_file(reader, case, valid_files, tmp_path):
    """The reader as registered: a PoseBridgeError naming the file, nothing raw."""
    path = _bad_file(reader, case, valid_files, tmp_path)
    fmt = posebridge.registry.get(reader)
    _expect_refusal(lambda: fmt.read(path), path, reader, case)
    if case.startswith("wrong-") and (reader, case.removeprefix("wrong-")) not in READS_AS_WELL:
        with Peek(path) as peek:
            assert not fmt.sniff(peek), f"{reader}'s sniffer claims the file of another format"


#: Readers whose message for an empty file does not say it is empty (issue #15).
EMPTY_NOT_SAID: dict[str, str] = {}


@pytest.mark.parametrize(
    "reader",
    [
        pytest.param(
            f.name,
            marks=[pytest.mark.xfail(strict=True, reason=EMPTY_NOT_SAID[f.name])]
            if f.name in EMPTY_NOT_SAID
            else [],
        )
        for f in all_formats()
        if f.reads
    ],
)
def test_an_empty_file_is_called_empty(reader, tmp_path):
    fmt = posebridge.registry.get(reader)
    for suffix in fmt.extensions:
        path = tmp_path / f"nothing{suffix}"
        path.touch()
        with pytest.raises(posebridge.PoseBridgeError) as error:
            fmt.read(path)
        assert "empty" in str(error.value).replace(str(path), ""), str(error.value)


@pytest.mark.parametrize("reader", [f.name for f in all_formats() if f.reads])
def test_a_missing_file_is_called_missing(reader, tmp_path):
    """The reader called directly (as a family's ``read`` is documented): posebridge's
    FileNotFoundError (a PoseBridgeError and a built-in FileNotFoundError) naming the path,
    also when the folder around it is missing."""
    fmt = posebridge.registry.get(reader)
    for path in (tmp_path / f"absent{fmt.extensions[0]}", tmp_path / "no" / "absent"):
        with pytest.raises(posebridge.errors.FileNotFoundError, match="no such file") as error:
            fmt.read(path)
        assert str(path) in str(error.value)


@pytest.mark.parametrize(
    ("given", "hint"),
    [
        ("https://example.org/session.nwb", "an address: posebridge reads local files"),
        ("s3://bucket/session.h5", "an address: posebridge reads local files"),
        ("~/no-such-posebridge-session.h5", "a leading ~ is not expanded here"),
    ],
)
def test_an_address_or_a_home_path_that_is_not_there_says_why(given, hint, tmp_path):
    """``load("https://...")`` said only ``https:/example.org/session.nwb: no such file``
    (the path had even lost a slash, and still did once the hint was added)."""
    with pytest.raises(posebridge.errors.FileNotFoundError, match=hint) as error:
        posebridge.load(given)
    assert str(error.value).startswith(f"{given}: no such file")
    assert error.value.filename == given


def test_a_home_path_that_is_not_there_is_told_in_command_line_words(tmp_path):
    """h154: the command line advised 'pass Path(...).expanduser()' for a quoted ~ path."""
    from click.testing import CliRunner

    from posebridge.cli import cli

    result = CliRunner().invoke(cli, ["info", "~/no-such-posebridge-session.h5"])
    said = " ".join(result.output.split())
    assert result.exit_code != 0, said
    assert "a leading ~ is not expanded here; write the home folder's path" in said, said
    assert "expanduser" not in said, said
    with pytest.raises(posebridge.errors.FileNotFoundError, match=r"Path\(\.\.\.\)\.expanduser"):
        posebridge.load("~/no-such-posebridge-session.h5")


def test_a_path_of_the_wrong_type_is_named_as_the_path_argument():
    """h154: load, open_dataset and detect called their argument 'file' (it is 'path')."""
    for call in (posebridge.load, posebridge.open_dataset, posebridge.detect):
        with pytest.raises(
            posebridge.errors.TypeError, match="^Expected 'path' to be a file path"
        ):
            call(b"x.csv")


@pytest.mark.parametrize("reader", [f.name for f in all_formats() if f.reads])
def test_a_folder_is_refused_unless_the_format_reads_folders(reader, tmp_path):
    """A folder given to a reader of files is posebridge's IsADirectoryError naming it; the
    readers of folders (TRex, idtracker.ai) say what they looked for in it."""
    fmt = posebridge.registry.get(reader)
    folder = tmp_path / "session"
    folder.mkdir()
    expected = posebridge.FormatError if fmt.sniff_folder else posebridge.errors.IsADirectoryError
    with pytest.raises(expected) as error:
        fmt.read(folder)
    assert str(folder) in str(error.value)


#: load(format=) cases that fail today although load wraps raw errors (issue #15).
KNOWN_LOAD_FAILURES = {
    key: reason for key, reason in KNOWN_RAW_ERRORS.items() if reason.startswith("no error")
}


@pytest.mark.parametrize(
    ("reader", "case"),
    [
        pytest.param(
            *p.values,
            id=p.id,
            marks=[pytest.mark.xfail(strict=True, reason=KNOWN_LOAD_FAILURES[p.values])],
        )
        if p.values in KNOWN_LOAD_FAILURES
        else p
        for p in _params()
        if not p.marks or p.values in KNOWN_LOAD_FAILURES
    ],
)
def test_load_with_format_refuses_naming_the_file(reader, case, valid_files, tmp_path):
    """posebridge.load(path, format=reader) on the same files."""
    path = _bad_file(reader, case, valid_files, tmp_path)
    if case.startswith("wrong-") and posebridge.registry.get(reader).family:
        other = SOURCES[case.removeprefix("wrong-")].name
        if posebridge.registry.get(other).family == posebridge.registry.get(reader).family:
            pytest.skip("load hands a file of the family's sibling to the sibling's reader")
    _expect_refusal(lambda: posebridge.load(path, format=reader), path, reader, case)


@pytest.mark.parametrize("case", ["empty", *MADE])
def test_detection_refuses_naming_the_file(case, tmp_path):
    path = tmp_path / f"{case}.bin"
    path.write_bytes(MADE.get(case, b""))
    with time_limit(TIME_LIMIT), pytest.raises(posebridge.UnknownFormatError, match=path.name):
        posebridge.load(path)
