"""The numbers of YOLO label and prediction files: read, tokenised and parsed at once.

Both readers (the dataset's label files and ``yolo pose predict``'s ``save_txt``
files) and the writer's check for repeated lines use this layer:
:func:`label_text` reads a file's bytes as Ultralytics reads its lines,
:func:`tokenise` finds every number of many files in one pass over their
bytes, :func:`parse_numbers` turns them into float64, naming the file and line
of a value that is not a number, and :func:`repeated_lines` finds label lines
Ultralytics takes as one. Both writers (labels and predictions) make their
lines' text with :func:`format_lines`.
"""

from __future__ import annotations

import codecs
import io
import os
from dataclasses import dataclass

import numpy as np

from posebridge.errors import FormatError
from posebridge.formats._shared.text_bytes import text_end

__all__ = ["Tokens", "label_text", "parse_numbers", "repeated_lines", "tokenise"]

_BLANK = np.zeros(256, dtype=bool)
_BLANK[[ord(c) for c in " \t\r\f\v"]] = True
_NEWLINE = ord("\n")


def label_text(label: str) -> bytes:
    """A label file's bytes; none for an image without one (a background image).

    Read with the operating system's calls, without a file object: a dataset
    has one small label file per image. A UTF-8 byte-order mark at its start
    (Windows Notepad writes one) and an old DOS end-of-file marker (one Ctrl-Z
    after the last line) are left out; NUL bytes at its end are refused. Line ends
    are read as Python's universal newlines read them, as Ultralytics opens label
    files: ``\\r\\n`` and a lone ``\\r`` (old Mac OS) become ``\\n``.

    Examples
    --------
    >>> label_text("no/such/label.txt")
    b''
    """
    try:
        handle = os.open(label, os.O_RDONLY)
    except FileNotFoundError:
        return b""
    try:
        chunks = []
        while chunk := os.read(handle, 1 << 16):
            chunks.append(chunk)
    except IsADirectoryError:
        return b""
    finally:
        os.close(handle)
    text = b"".join(chunks)
    if text.startswith(codecs.BOM_UTF8):
        text = text[len(codecs.BOM_UTF8) :]
    if text.endswith((b"\x00", b"\x1a")):
        text = text[: len(text) - text_end(label, text[:512], text[-4096:])]
    if b"\r" in text:  # universal newlines: lines end as Ultralytics' text-mode read ends them
        text = text.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    return text


@dataclass
class Tokens:
    """The whitespace-separated tokens of several files' texts, joined by newlines."""

    joined: bytes  # the texts joined by b"\n"
    starts: np.ndarray  # (tokens,) where each token starts in ``joined``
    per_line: np.ndarray  # (lines,) the number of tokens on each line of ``joined``
    file_of_line: np.ndarray  # (lines,) the index of the file each line is in
    first_line: np.ndarray  # (files,) the first line of each file in ``joined``

    def rows(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(file index, 1-based line in its file, number of tokens) of every line with tokens."""
        used = np.flatnonzero(self.per_line)
        files = self.file_of_line[used].astype(np.int64)
        return files, used - self.first_line[files] + 1, self.per_line[used]


def tokenise(texts: list[bytes]) -> Tokens:
    r"""Find the tokens of every text in one pass over their bytes (no loop per line).

    Examples
    --------
    >>> found = tokenise([b"0 0.5\n1 2 3\n", b"4"])
    >>> found.starts.tolist(), found.rows()[1].tolist(), found.rows()[2].tolist()
    ([0, 2, 6, 8, 10, 13], [1, 2, 1], [2, 3, 1])
    """
    joined = b"\n".join(texts)
    buffer = np.frombuffer(joined, dtype=np.uint8)
    newline = buffer == _NEWLINE
    separator = newline | _BLANK[buffer]
    starts = np.flatnonzero(~separator & np.r_[True, separator[:-1]])
    line_ends = np.flatnonzero(newline)
    per_line = np.bincount(np.searchsorted(line_ends, starts), minlength=line_ends.size + 1)
    lines_per_file = np.asarray([t.count(b"\n") + 1 for t in texts], dtype=np.int64)
    first_line = np.r_[0, np.cumsum(lines_per_file)[:-1]].astype(np.int64)
    file_of_line = np.repeat(np.arange(len(texts)), lines_per_file)
    return Tokens(joined, starts, per_line, file_of_line, first_line)


def parse_numbers(found: Tokens, texts: list[bytes], files: list[str]) -> np.ndarray:
    r"""Every token as float64, in order; a token that is not a number raises FormatError
    naming its file and line.

    Examples
    --------
    >>> texts = [b"0 0.5 nan\n"]
    >>> parse_numbers(tokenise(texts), texts, ["a.txt"]).tolist()
    [0.0, 0.5, nan]
    >>> texts = [b"0 0.5\n1 x\n"]
    >>> parse_numbers(tokenise(texts), texts, ["a.txt"])
    Traceback (most recent call last):
    ...
    posebridge.errors.FormatError: a.txt: line 2: 'x' is not a number.
    """
    if not found.starts.size:
        return np.zeros(0)
    values = _arrow_numbers(found.joined, found.starts)
    if values is None:  # a token arrow does not take (a bad value, or 1_0 that numpy takes)
        try:
            values = np.asarray(found.joined.split(), dtype=np.float64)
        except ValueError:
            _locate_bad_value(texts, files)
            raise
    return values


def _arrow_numbers(joined: bytes, starts: np.ndarray) -> np.ndarray | None:
    """The tokens starting at ``starts`` as float64, parsed by arrow; ``None`` if one is not
    a number to arrow.

    Each token, with the blanks after it, is one string of an arrow array laid
    over ``joined`` (no copy); the blanks are trimmed and the strings cast in
    one pass each, about 7x faster than numpy taking a list of tokens.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    offsets = np.empty(starts.size + 1, dtype=np.int64)
    offsets[:-1] = starts
    offsets[-1] = len(joined)
    tokens = pa.LargeStringArray.from_buffers(
        starts.size, pa.py_buffer(offsets), pa.py_buffer(joined)
    )
    try:
        numbers = pc.cast(pc.ascii_rtrim_whitespace(tokens), pa.float64())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    return numbers.to_numpy(zero_copy_only=False)


def _locate_bad_value(texts: list[bytes], files: list[str]) -> None:
    for text, file in zip(texts, files, strict=True):
        for number, line in enumerate(text.split(b"\n"), start=1):
            for token in line.split():
                try:
                    float(token)
                except ValueError:
                    shown = token.decode("utf-8", "replace")
                    raise FormatError(file, f"line {number}: {shown!r} is not a number.") from None


def repeated_lines(groups: np.ndarray, values: np.ndarray) -> np.ndarray:
    """For each label line, the index of the first line of its label file equal to it
    as Ultralytics compares them; the line's own index when none comes before it.

    Ultralytics' ``verify_image_label`` reads a label file's numbers as float32 and
    keeps one of each set of equal lines (``np.unique(lb, axis=0)``: "duplicate
    labels removed"); lines are compared so here, all files at once.

    Parameters
    ----------
    groups
        (n,) the label file (or image row) of each line.
    values
        (n, columns) the numbers of each line, class first.

    Returns
    -------
    numpy.ndarray
        (n,) int64: a line repeats an earlier one where this is not its own index.

    Examples
    --------
    >>> repeated_lines(np.array([0, 0, 1, 0]), np.array([[1.0, 2], [3, 4], [1, 2], [1, 2]]))
    array([0, 1, 2, 0])
    """
    if not len(groups):
        return np.zeros(0, dtype=np.int64)
    single = np.asarray(values, dtype=np.float32) + np.float32(0)  # -0.0 is 0.0, as unique sees
    keys = np.column_stack([np.asarray(groups, dtype=np.int64), single.view(np.uint32)])
    _, first, inverse = np.unique(keys, axis=0, return_index=True, return_inverse=True)
    return first[inverse.reshape(-1)].astype(np.int64)


def format_lines(columns: list[np.ndarray], no_value: np.ndarray | None = None) -> list[str]:
    """The text lines of label or prediction rows: one line per row, the columns' numbers
    separated by a space, each the shortest text that reads back bit-identical (pyarrow
    formats them column by column; integer columns are written as integers).

    Parameters
    ----------
    columns
        The columns, each (n,): the class first, then the numbers of each line.
    no_value
        (n,) where true, the line leaves out its last column (a prediction without a
        track id among tracked ones).

    Returns
    -------
    list of str
        The n lines, without line ends.

    Examples
    --------
    >>> format_lines([np.array([0, 1]), np.array([0.5, 0.25]), np.array([0.1, 7.0])])
    ['0 0.5 0.1', '1 0.25 7']
    """
    import pyarrow as pa
    import pyarrow.csv as pcsv

    if columns[0].size == 0:
        return []
    arrays = [pa.array(c) for c in columns]
    if no_value is not None and no_value.any():
        arrays[-1] = pa.array(columns[-1], mask=no_value)  # written as nothing
    batch = pa.record_batch(arrays, names=[str(i) for i in range(len(columns))])
    sink = io.BytesIO()
    options = pcsv.WriteOptions(include_header=False, delimiter=" ", quoting_style="none")
    pcsv.write_csv(batch, sink, write_options=options)
    text = sink.getvalue()
    if no_value is not None and no_value.any():  # an empty last cell leaves its separator
        text = text.replace(b" \n", b"\n")
    return text.decode("ascii").splitlines()
