"""Reading Ultralytics YOLO pose predictions: the ``save_txt`` files of ``yolo pose predict``.

``yolo pose predict source=video.mp4 save_txt=True`` (and ``yolo pose track``)
writes ``runs/pose/predict/labels/<video stem>_<N>.txt`` for every frame with a
detection (N counts the frames read, from 1; a frame without detection has no
file), or ``labels/<image stem>.txt`` for images. Each line is one detection
(Ultralytics' ``Results.save_txt``): ``cls cx cy w h`` (box centre and size,
normalised by the image size), then per keypoint ``x y conf`` (a model with
``kpt_shape [K, 3]``) or ``x y`` (``[K, 2]``), normalised, then the box
confidence (``save_conf=True``) and the track id (tracking), numbers as ``%g``.

The input is the ``labels`` folder (or one ``.txt`` file). Frame files give
time = N - 1 (frames from 0), from frame 0 to the last file's (frames without a
file are NaN), or to the video's last frame when ``video=`` is given; time is
in frames unless ``fps=`` is given. Without ``video=``, a last frame far beyond
the files (more than 2**20 frames and 64 per file) is refused naming its file.
Image files give one time step per file, in name order, with ``image_path``.
Pixels are the normalised numbers times the image size: ``image_size=``, else
the size of ``video=``, else of the annotated video or images Ultralytics saved
beside the ``labels`` folder.

An image named ``<name>_<N>`` has predictions named as a video frame's. Files
named ``<stem>_<N>.txt`` are read as images when an image of that exact stem
(``<stem>_<N>.jpg``, ...) lies beside the ``labels`` folder or in it and no
video of their ``<stem>`` does; else as a video's frames (always with
``stem=``, ``video=``, ``fps=`` or ``vid_stride=``).
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import xarray as xr

from posebridge import model
from posebridge._files import Peek, check_input, note_files_read
from posebridge.errors import (
    FormatError,
    PoseBridgeError,
    SchemaError,
    brief,
    with_command_line_wording,
)
from posebridge.formats._shared import images
from posebridge.formats._shared.images import (
    BOX,
    BOX_PARTS,
    IMAGE_SIZE_ADVICE,
    READ_IMAGE_SIZE_FLAG,
    checked_image_size,
    scatter,
    slots,
)
from posebridge.formats._shared.text_bytes import loose_first_line
from posebridge.formats.yolo._label_text import label_text, parse_numbers, tokenise
from posebridge.formats.yolo._layout import (
    FLIP_IDX_ATTR,
    IDENTITY,
    load_yaml,
    warn_other_kpt_names,
)
from posebridge.formats.yolo.prediction_files import (
    FRAME_FILE,
    VIDEO_SUFFIXES,
    PredictionFiles,
    find_files,
    images_and_videos_beside,
    txt_files,
)
from posebridge.model.time_axis import LARGEST_WHOLE

__all__ = ["FRAME_FILE", "SOURCE_SOFTWARE", "read", "sniff", "sniff_folder"]

SOURCE_SOFTWARE = "YOLO"
#: The advice when a video's frame size is unknown, as Python and the command line say it.
_FRAME_SIZE_ADVICE = f"{IMAGE_SIZE_ADVICE} or video= (the video predicted on)"
_FRAME_SIZE_FLAGS = f"{READ_IMAGE_SIZE_FLAG} or --read-option video=PATH (the video predicted on)"
_NUMBER = r"[-+]?(?:\d+\.?\d*(?:[eE][-+]?\d+)?|\.\d+(?:[eE][-+]?\d+)?|nan)"
#: A prediction line: a class, then at least 6 numbers (a box and one x y keypoint).
_LINE = re.compile(rf"[ \t]*\d+(?:[ \t]+{_NUMBER}){{6,}}[ \t\r]*")
#: The start of a prediction line, a class and a box: what a damaged line still shows.
_LINE_START = re.compile(rf"[ \t]*{_NUMBER}(?:[ \t]+{_NUMBER}){{4}}(?:[ \t]|$)")
#: Blank files a folder's sniffer looks past for its first prediction file.
_BLANK_FILES = 64
#: Without video=, the frames from 0 to the last file's may span at most this many
#: frames, or SPAN_PER_FILE times the number of files (a time axis far longer than the
#: predictions is a renamed file, or needs the video's frame count).
SPAN_FREE = 1 << 20
SPAN_PER_FILE = 64
#: Ultralytics (before 8.3) set the x y of a keypoint with confidence below this to 0 0.
_LOW = 0.5


def _lines_fit(text: str | None, cut: bool) -> bool:
    """Whether ``text`` is lines of numbers that prediction rows are (same count each)."""
    if not text:
        return False
    lines = text.lstrip("\ufeff").splitlines()
    if cut and not text.endswith(("\n", "\r")):
        lines = lines[:-1]  # the last line may be cut
    lines = [line for line in lines if line.strip()]
    if not lines or len({len(line.split()) for line in lines}) != 1:
        return False
    return all(_LINE.fullmatch(line) for line in lines)


def sniff(peek: Peek) -> bool:
    """A text of lines of numbers: a class, a box and keypoints, as ``save_txt`` writes.

    Examples
    --------
    >>> with Peek("runs/pose/predict/labels/video_1.txt") as peek:  # doctest: +SKIP
    ...     sniff(peek)
    True
    """
    return _lines_fit(peek.text, len(peek.head) == Peek.HEAD_BYTES)


def sniff_folder(path: Path) -> bool:
    """Whether a folder holds prediction files, from its first ``.txt`` file that is not blank.

    That file is one when its lines are prediction rows, or when it is named as
    Ultralytics names a video frame's file (``<video>_<N>.txt``) and its first
    line starts as a prediction row does (five numbers: a class and a box, in
    UTF-8 or another encoding): a damaged frame file is then read, and the
    reader names the file and line of the damage (or the file's encoding),
    rather than the folder being refused as no format's.

    Examples
    --------
    >>> sniff_folder(Path("runs/pose/predict/labels"))  # doctest: +SKIP
    True
    """
    for file in txt_files(path)[:_BLANK_FILES]:
        with open(file, "rb") as handle:
            head = handle.read(1 << 16)
        if not head.strip():
            continue  # Ultralytics writes no empty file, but one there says nothing
        try:
            if _lines_fit(head.decode("utf-8"), len(head) == 1 << 16):
                return True
        except UnicodeDecodeError:
            pass
        if FRAME_FILE.match(file.name) is None:
            return False
        return _LINE_START.match(loose_first_line(file)) is not None  # UTF-16 too
    return False


@dataclass
class _Table:
    """Every detection row of every file, tokenised at once."""

    file: np.ndarray  # (rows,) the index of each row's file
    line: np.ndarray  # (rows,) its 1-based line in that file
    columns: np.ndarray  # (rows,) its number of columns
    values: np.ndarray  # (rows, most columns + 2) float64, NaN past a row's columns


def _table(texts: list[bytes], paths: list[Path]) -> _Table:
    """Tokenise every file in one pass; refuse a file whose lines differ in length."""
    found = tokenise(texts)
    files, lines, counts = found.rows()
    if counts.size:
        first_of_file = np.r_[True, files[1:] != files[:-1]]
        first_count = counts[np.flatnonzero(first_of_file)][np.cumsum(first_of_file) - 1]
        wrong = counts != first_count
        if wrong.any():
            i = int(np.argmax(wrong))
            raise FormatError(
                paths[files[i]],
                f"line {lines[i]}: {counts[i]} columns, where the file's first line has "
                f"{first_count[i]} (every detection of a file has the same columns).",
            )
    values = parse_numbers(found, texts, [str(p) for p in paths])
    width = int(counts.max()) if counts.size else 0
    table = np.full((counts.size, width + 2), np.nan)  # + 2: trailing columns to look at
    row_of_token = np.repeat(np.arange(counts.size), counts)
    column = np.arange(values.size) - np.repeat(np.cumsum(counts) - counts, counts)
    table[row_of_token, column] = values
    return _Table(files, lines, counts, table)


def _shapes(counts: np.ndarray, k: int | None, ndim: int | None) -> list[tuple[int, int]]:
    """The (keypoints, 2 or 3) for which every column count leaves 0 to 2 trailing columns."""
    found = []
    for dims in (3, 2) if ndim is None else (ndim,):
        if k is not None:
            candidates = [k]
        else:
            smallest = int(counts.min()) - 5
            candidates = list({(smallest - e) // dims for e in (0, 1, 2) if smallest - e >= dims})
        for n in sorted(candidates):
            extra = counts - 5 - dims * n
            if n >= 1 and ((extra >= 0) & (extra <= 2)).all():
                found.append((n, dims))
    return found


def _shape_text(shapes: list[tuple[int, int]]) -> str:
    return ", ".join(f"[{k}, {d}]" for k, d in shapes)


def _dataset_label_hint(table: _Table, path: Path, shapes: list[tuple[int, int]]) -> str:
    """A pointer to the dataset reading when the rows look like a YOLO dataset's labels.

    They do when, read as ``[K, 3]`` keypoints, every third value is a visibility
    flag 0, 1 or 2 and some are 2 (a confidence is at most 1), or when a ``.yaml``
    with ``kpt_shape`` lies up to two folders above the file (``<split>/labels/``,
    ``labels/<split>/``). Empty when neither holds.
    """
    found = next(
        (
            candidate
            for folder in (path.parent.parent, path.parent.parent.parent)
            for candidate in sorted(folder.glob("*.yaml"))
            if _declares_kpt_shape(candidate)
        ),
        None,
    )
    flags = False
    for k, dims in shapes:
        if dims == 3:
            visibility = table.values[:, 7 : 5 + 3 * k : 3]
            flags = flags or bool(
                np.isin(visibility, (0.0, 1.0, 2.0)).all() and (visibility == 2).any()
            )
    if found is None and not flags:
        return ""
    if found is None:
        return (
            ". Its keypoints' third values are visibility flags 0/1/2 (2 cannot be a "
            "confidence): a YOLO dataset's label file is read from its data.yaml with "
            "format 'yolo'"
        )
    return (
        f". It looks like a YOLO dataset's label file: read the dataset from {found} "
        "(format 'yolo')"
    )


def _kpt_shape_advice(k: int | None, shapes: list[tuple[int, int]]) -> tuple[str, str]:
    """How to say the model's keypoints, in Python's words and with ``--read-option``.

    Parameters
    ----------
    k
        The number of keypoints, when given (``kpt_shape`` or ``keypoint_names``).
    shapes
        The ``kpt_shape`` readings that fit every row (may be empty).

    Returns
    -------
    tuple of str
        The advice for Python, and the same with the command line's flags: their
        values are JSON, as ``--read-option`` parses them (``'kpt_shape=[4,3]'``).

    Examples
    --------
    >>> print(_kpt_shape_advice(None, [(4, 3), (6, 2)])[1])  # doctest: +ELLIPSIS
    pass --read-option 'kpt_shape=[4,3]' or --read-option 'kpt_shape=[6,2]', ...
    >>> print(_kpt_shape_advice(5, [])[1])  # doctest: +ELLIPSIS
    pass --read-option 'kpt_shape=[5,2]' or --read-option 'kpt_shape=[5,3]' or ...
    """
    dataset = "--read-option dataset=PATH (the model's data.yaml)"
    if k is not None:
        return (
            f"pass kpt_shape=[{k}, 2] or [{k}, 3] or dataset= (the model's data.yaml) "
            "to say whether each keypoint has a confidence",
            f"pass --read-option 'kpt_shape=[{k},2]' or --read-option 'kpt_shape=[{k},3]' "
            f"or {dataset} to say whether each keypoint has a confidence",
        )
    kpt_shape = (
        " or ".join(f"--read-option 'kpt_shape=[{n},{dims}]'" for n, dims in shapes[:4])
        if shapes
        else "--read-option 'kpt_shape=[K,3]' (or [K,2] without confidences)"
    )
    return (
        "pass kpt_shape=[K, 2|3], keypoint_names= or dataset= (the model's data.yaml) to "
        "say how many keypoints the model has",
        f'pass {kpt_shape}, --read-option \'keypoint_names=["nose","tail",...]\' (one '
        f"name per keypoint) or {dataset} to say how many keypoints the model has",
    )


def _declares_kpt_shape(path: Path) -> bool:
    """Whether a YAML file's first 64 kB hold a ``kpt_shape`` key (a dataset's data.yaml)."""
    try:
        with open(path, "rb") as handle:
            return re.search(rb"(?m)^kpt_shape\s*:", handle.read(1 << 16)) is not None
    except OSError:
        return False


@dataclass
class _Layout:
    """How the rows read: keypoints, and which rows end with a box confidence or a track id."""

    k: int
    ndim: int
    conf: np.ndarray  # (rows,) bool
    track: np.ndarray  # (rows,) bool


def _layout(
    table: _Table,
    paths: list[Path],
    k: int | None,
    ndim: int | None,
    save_conf: bool | None,
) -> _Layout:
    """Tell the number of keypoints and what the trailing columns are (see :func:`read`)."""
    counts = table.columns
    shapes = _shapes(np.unique(counts), k, ndim)
    if len(shapes) > 1:
        shapes = [shape for shape in shapes if _track_ids_whole(table, shape)] or shapes
    if len(shapes) != 1:
        if shapes:  # several readings of every row
            i = 0
            fits = f"fit kpt_shape {_shape_text(shapes[:4])}{', ...' if len(shapes) > 4 else ''}"
        else:  # no reading fits every row: name the first row the first row's readings miss
            first = _shapes(counts[:1], k, ndim)
            i = int(np.argmax(~_fit(counts, first[0]))) if first else 0
            fits = (
                f"do not fit kpt_shape [{k}, {ndim}]"
                if k is not None and ndim is not None
                else f"do not fit {k} keypoints"
                if k is not None
                else "and the other lines' counts "
                f"({', '.join(str(c) for c in np.unique(counts)[:6])}) fit no one kpt_shape"
            )
        advised_k, advised = k, shapes
        if not shapes and k is not None:  # the keypoints given do not fit: say what does
            advised_k, advised = None, _shapes(np.unique(counts), None, None)
            advised = [shape for shape in advised if _track_ids_whole(table, shape)] or advised
            if advised:
                fits += f" (they fit kpt_shape {_shape_text(advised[:4])})"
        say, flags = _kpt_shape_advice(advised_k, advised)
        refused = FormatError(
            paths[table.file[i]],
            f"line {table.line[i]}: its {counts[i]} columns {fits} (class, box, keypoints, "
            f"then a box confidence and/or a track id); {say}"
            f"{_dataset_label_hint(table, paths[table.file[i]], shapes)}.",
        )
        raise with_command_line_wording(refused, {say: flags})
    k, ndim = shapes[0]
    extra = counts - 5 - ndim * k
    top = int(extra.max())
    if save_conf is None:
        if top == 2 or (top == 1 and (extra == 0).any()):
            save_conf = top == 2  # tracked rows: +2 (with conf) or +1 (frames without tracks +0)
        elif top == 1:  # every row +1: a track id is a whole number, a confidence is not
            tail = table.values[np.arange(counts.size), counts - 1]
            save_conf = not bool(np.all(tail == np.round(tail)))
        else:
            save_conf = False
    elif save_conf and (extra == 0).any():
        i = int(np.argmax(extra == 0))
        raise FormatError(
            paths[table.file[i]],
            f"line {table.line[i]}: no box confidence column (save_conf=True was given).",
        )
    elif not save_conf and top == 2:
        i = int(np.argmax(extra == 2))
        raise FormatError(
            paths[table.file[i]],
            f"line {table.line[i]}: two columns after the keypoints, but save_conf=False "
            "(only a track id may follow).",
        )
    conf = extra >= 1 if save_conf else np.zeros(counts.size, dtype=bool)
    track = extra == (2 if save_conf else 1)
    return _Layout(k, ndim, conf, track)


def _track_ids_whole(table: _Table, shape: tuple[int, int]) -> bool:
    """Whether the rows that ``shape`` leaves two trailing columns (a box confidence, then
    a track id) end in a whole number, as a track id is. A reading that takes a keypoint's
    confidence for a track id (2 keypoints: x y c x y c, or x y x y, box confidence, track)
    fails this."""
    counts = table.columns
    rows = np.flatnonzero(counts - 5 - shape[1] * shape[0] == 2)
    last = table.values[rows, counts[rows] - 1]
    return bool(np.all(last == np.round(last)))


def _fit(counts: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """Per row, whether its column count fits ``shape`` (0 to 2 trailing columns)."""
    extra = counts - 5 - shape[1] * shape[0]
    return (extra >= 0) & (extra <= 2)


def _keypoints(
    keypoint_names: Sequence[str] | None,
    kpt_shape: Sequence[int] | None,
    dataset: str | os.PathLike[str] | None,
) -> tuple[int | None, int | None, list[str] | None, dict[int, str] | None, list[int] | None]:
    """(keypoints, 2 or 3, names, class names, flip_idx) from the options, each None if unknown."""
    k = ndim = None
    names = classes = flip = None
    if dataset is not None:
        data = load_yaml(check_input(dataset))
        k, ndim, names, classes, flip = (
            data.keypoints,
            data.ndim,
            data.kpt_names,
            data.names,
            data.flip_idx,
        )
        if keypoint_names is None:
            warn_other_kpt_names(Path(dataset), data)
    if kpt_shape is not None:
        shape = list(kpt_shape) if isinstance(kpt_shape, list | tuple) else None
        if (
            shape is None
            or len(shape) != 2
            or not all(isinstance(v, int | np.integer) and not isinstance(v, bool) for v in shape)
            or shape[0] < 1
            or shape[1] not in (2, 3)
        ):
            raise SchemaError(
                f"kpt_shape must be [number of keypoints, 2 or 3], got {brief(kpt_shape)}."
            )
        if k is not None and (k, ndim) != (int(shape[0]), int(shape[1])):
            raise SchemaError(f"kpt_shape={list(shape)} differs from {dataset}'s [{k}, {ndim}].")
        k, ndim = int(shape[0]), int(shape[1])
    if keypoint_names is not None:
        if isinstance(keypoint_names, str):
            raise SchemaError("keypoint_names must be a list of names, not one text.")
        names = [str(n) for n in keypoint_names]
        if k is not None and len(names) != k:
            raise SchemaError(f"keypoint_names has {len(names)} names; kpt_shape says {k}.")
        if not names:
            raise SchemaError("keypoint_names is empty.")
        k = len(names)
    return k, ndim, names, classes, flip


def _frame_size(
    found: PredictionFiles, given: tuple[int, int] | None, video: Path | None
) -> tuple[tuple[int, int] | None, int | None]:
    """(width, height) of a video's frames and its frame count (``None`` if not known)."""
    from posebridge import _video  # ffmpeg: only when a video is looked at

    if given is not None:
        size = checked_image_size(given)
        if video is None:
            return size, None
    if video is None:
        beside = [found.folder.parent / f"{found.stem}{s}" for s in VIDEO_SUFFIXES]
        video = next((v for v in beside if v.is_file()), None)
        if video is None:
            return None, None
        try:
            info = _video.probe(video)
        except PoseBridgeError:  # no ffmpeg, or not a video: the size stays unknown
            return None, None
        note_files_read(video)  # kept from a conversion's outputs
        return (info.width, info.height), None  # Ultralytics' annotated copy: its size only
    info = _video.probe(video)
    if given is not None and checked_image_size(given) != (info.width, info.height):
        raise SchemaError(
            f"image_size={tuple(given)} differs from {video}'s frame size "
            f"{info.width} x {info.height}."
        )
    return (info.width, info.height), info.n_frames


def _image_sizes(
    found: PredictionFiles, given: tuple[int, int] | None
) -> tuple[np.ndarray, list[str]]:
    """Each image file's (width, height) and image name (image predictions).

    The images are looked for beside the ``labels`` folder (where Ultralytics
    saves the annotated images, ``save=True``) and in it: one listing of each.
    """
    beside = (
        found.images if found.images is not None else images_and_videos_beside(found.folder)[0]
    )
    stems = [p.name[: -len(".txt")] for p in found.paths]
    found_images = [beside.get(stem) for stem in stems]
    names = [i.name if i is not None else s for i, s in zip(found_images, stems, strict=True)]
    if given is not None:
        sizes = np.tile(np.asarray(checked_image_size(given), dtype=np.int64), (len(stems), 1))
        return sizes, names
    missing = [p for p, i in zip(found.paths, found_images, strict=True) if i is None]
    if missing:
        refused = FormatError(
            missing[0],
            f"no image {missing[0].name[: -len('.txt')]}.* is beside the labels folder, so its "
            f"size (needed to turn normalised coordinates into pixels) is unknown; "
            f"{IMAGE_SIZE_ADVICE}.",
        )
        raise with_command_line_wording(refused, {IMAGE_SIZE_ADVICE: READ_IMAGE_SIZE_FLAG})
    sizes = [images.image_size(i, p) for i, p in zip(found_images, found.paths, strict=True)]
    note_files_read(*found_images)  # kept from a conversion's outputs
    return np.asarray(sizes, dtype=np.int64).reshape(-1, 2), names


def _check_span(found: PredictionFiles, last: int) -> None:
    """Refuse frame names whose time axis (frame 0 to ``last``) dwarfs the files."""
    if last + 1 <= max(SPAN_FREE, SPAN_PER_FILE * len(found.paths)):
        return
    raise FormatError(
        found.paths[-1],
        f"is frame {last} by its name (from 0), so the time axis from frame 0 to it (frames "
        f"without a file are NaN) would span {last + 1} frames for {len(found.paths)} "
        "file(s); pass video= (the video predicted on: its frame count bounds the time "
        "axis) if it is that long, or check the file's name.",
    )


def _refuse(paths: list[Path], table: _Table, bad: np.ndarray, what: str) -> None:
    if bad.any():
        i = int(np.argmax(bad.any(axis=1) if bad.ndim == 2 else bad))
        raise FormatError(paths[table.file[i]], f"line {table.line[i]}: {what}.")


def read(
    path: str | os.PathLike[str],
    *,
    keypoint_names: Sequence[str] | None = None,
    kpt_shape: Sequence[int] | None = None,
    dataset: str | os.PathLike[str] | None = None,
    image_size: tuple[int, int] | None = None,
    video: str | os.PathLike[str] | None = None,
    fps: float | None = None,
    stem: str | None = None,
    vid_stride: int = 1,
    save_conf: bool | None = None,
) -> xr.Dataset:
    """Read Ultralytics YOLO pose predictions (``save_txt`` files) as poses.

    Parameters
    ----------
    path
        The ``labels`` folder of a predict (or track) run, or one ``.txt`` file.
    keypoint_names
        The keypoints' names (their number tells the columns apart).
    kpt_shape
        The model's ``kpt_shape``, ``[K, 3]`` (x y conf per keypoint) or ``[K, 2]``.
    dataset
        The model's data.yaml: ``kpt_shape``, ``kpt_names``, ``names`` (classes) and
        ``flip_idx``. Without any of these three options, the number of keypoints is
        taken from the column counts only when a single ``kpt_shape`` fits them.
    image_size
        (width, height) of the video's frames or of every image.
    video
        The video predicted on: its frame size, and its frame count (time then
        runs to its last frame).
    fps
        Frames per second: time in seconds (frames otherwise).
    stem
        Read the frames of this video only (a folder holding several videos' files).
    vid_stride
        The ``vid_stride`` of the run: file N is frame ``N * vid_stride - 1``.
    save_conf
        Whether the rows end with the box confidence (``None``: told from the rows:
        with a track id there are two trailing columns; a lone trailing column is a
        track id when every value is a whole number).

    Returns
    -------
    xarray.Dataset
        Poses: individuals ``track_<id>`` (sorted by id) then ``untracked_<k>`` (rows
        without a track id, by rank in their file); ``confidence`` the keypoint
        confidence; ``instance_score`` the box confidence, ``bbox`` the box (pixels,
        top-left corner), ``category_id`` the class.

    Raises
    ------
    FormatError
        Naming the file and line of a row that is not numbers, has another column
        count than the file's first row or than the keypoints allow, a class or track
        id that is not a whole number from 0 below 2**53, a confidence outside 0..1, a
        track id twice in a frame; naming the file of a frame number too large to
        hold (or, without ``video=``, far beyond the other files); and when the
        number of keypoints or the image size is unknown.

    Examples
    --------
    >>> from posebridge.formats.yolo import predictions
    >>> ds = predictions.read(
    ...     "runs/pose/predict/labels", kpt_shape=[17, 3], video="video.mp4"
    ... )  # doctest: +SKIP
    """
    path = check_input(path, folder=True)
    if (
        not isinstance(vid_stride, int | np.integer)
        or isinstance(vid_stride, bool)
        or vid_stride < 1
    ):
        raise SchemaError(f"vid_stride must be a whole number from 1, got {brief(vid_stride)}.")
    if stem is not None and not isinstance(stem, str):
        raise SchemaError(f"stem must be a text, got {brief(stem)}.")
    video_path = check_input(video) if video is not None else None
    k, ndim, names, classes, flip = _keypoints(keypoint_names, kpt_shape, dataset)
    video_mode = video is not None or fps is not None or vid_stride != 1
    found = find_files(path, stem, video_mode)
    texts = [label_text(str(p)) for p in found.paths]
    note_files_read(*found.paths)  # kept from a conversion's outputs
    table = _table(texts, found.paths)
    if table.columns.size == 0:
        raise FormatError(path, "holds no detection (its files are empty).")
    layout = _layout(table, found.paths, k, ndim, save_conf)
    k, ndim = layout.k, layout.ndim
    rows = np.arange(table.columns.size)
    values = table.values
    core = values[:, : 5 + ndim * k]
    _refuse(found.paths, table, np.isinf(values), "a number that is not finite")
    _refuse(found.paths, table, np.isnan(core[:, :5]), "'nan' in the class or box")
    cls = core[:, 0]
    _refuse(
        found.paths,
        table,
        (cls != np.round(cls)) | (cls < 0) | (cls >= LARGEST_WHOLE),
        "the class (first column) is not a whole number from 0 (below 2**53)",
    )
    if classes is not None:
        _refuse(found.paths, table, ~np.isin(cls, list(classes)), f"a class not in {dataset}")
    points = core[:, 5:].reshape(-1, k, ndim)
    score = np.where(layout.conf, values[rows, 5 + ndim * k], np.nan)
    ids = np.where(layout.track, values[rows, table.columns - 1], np.nan)
    if ndim == 3:
        kconf = points[..., 2]
        _refuse(
            found.paths,
            table,
            (kconf < 0) | (kconf > 1),
            "a keypoint confidence outside 0..1 (a YOLO dataset's label file, with "
            "visibility 0/1/2, is read from its data.yaml with format 'yolo')",
        )
    else:
        kconf = np.full(points.shape[:2], np.nan)
    _refuse(found.paths, table, (score < 0) | (score > 1), "a box confidence outside 0..1")
    _refuse(
        found.paths,
        table,
        layout.track & ((ids != np.round(ids)) | ~(ids >= 0) | (ids >= LARGEST_WHOLE)),
        "the track id (last column) is not a whole number from 0 (below 2**53, where "
        "numbers read as float64 stop being exact)",
    )
    # time steps
    if found.frames is not None:
        last = int(found.frames[-1]) * int(vid_stride) - 1  # Python ints: no overflow
        if video_path is None:
            _check_span(found, last)
        size, n_frames = _frame_size(found, image_size, video_path)
        if size is None:
            refused = FormatError(
                path,
                "the video's frame size (needed to turn normalised coordinates into pixels) "
                f"is unknown; {_FRAME_SIZE_ADVICE}.",
            )
            raise with_command_line_wording(refused, {_FRAME_SIZE_ADVICE: _FRAME_SIZE_FLAGS})
        if n_frames is not None and last >= n_frames:
            raise FormatError(
                found.paths[-1],
                f"is frame {last} (from 0) but {video} has {n_frames} frames"
                + (" (was vid_stride given?)" if vid_stride == 1 else "")
                + ".",
            )
        n_time = n_frames if n_frames is not None else last + 1
        frame_of_file = found.frames * int(vid_stride) - 1  # last < 2**53: int64 holds it
        time = frame_of_file[table.file]
        sizes = np.tile(np.asarray(size, dtype=np.int64), (table.columns.size, 1))
        image_names = None
    else:
        if fps is not None:
            raise SchemaError("fps= is for a video's frames; these are image predictions.")
        per_image, image_names = _image_sizes(found, image_size)
        n_time = len(found.paths)
        time = table.file
        sizes = per_image[table.file]
    # individuals: tracks by id, then the untracked rows by rank in their time step
    tracked = layout.track
    track_ids = np.unique(ids[tracked]).astype(np.int64)
    column = np.zeros(rows.size, dtype=np.int64)
    column[tracked] = np.searchsorted(track_ids, ids[tracked].astype(np.int64))
    twice = np.zeros(rows.size, dtype=bool)
    if tracked.any():
        key = time[tracked] * (track_ids.size + 1) + column[tracked]
        order = np.argsort(key, kind="stable")
        repeated = np.zeros(key.size, dtype=bool)
        repeated[order[1:]] = key[order][1:] == key[order][:-1]
        twice[np.flatnonzero(tracked)] = repeated
    _refuse(found.paths, table, twice, "a track id that an earlier line of the frame has")
    rank, n_untracked = slots(time[~tracked])
    column[~tracked] = track_ids.size + rank
    individuals = [f"track_{i}" for i in track_ids.tolist()]
    individuals += [f"untracked_{r}" for r in range(n_untracked)]
    # arrays
    scale = sizes.astype(np.float64)
    xy = points[..., :2] * scale[:, None, :]
    absent = np.isnan(points[..., :2]).any(axis=-1)
    if ndim == 3:  # Ultralytics < 8.3 wrote a keypoint with conf < 0.5 as 0 0; ours
        # without a confidence is 0 0 nan
        unsure = (kconf < _LOW) | np.isnan(kconf)
        absent |= (points[..., 0] == 0) & (points[..., 1] == 0) & unsure
    xy[absent] = np.nan
    shape = (n_time, len(individuals))
    position = scatter(time, column, shape, xy, np.nan)  # (t, i, k, 2)
    confidence = scatter(time, column, shape, kconf, np.nan)  # (t, i, k)
    names = names or [f"keypoint_{j}" for j in range(k)]
    ds = model.from_numpy(
        position.transpose(0, 3, 2, 1),
        confidence.transpose(0, 2, 1),
        individual_names=individuals,
        keypoint_names=names,
        source_software=SOURCE_SOFTWARE,
    )
    dims = (model.TIME, model.INDIVIDUAL)
    cx, cy, w, h = (core[:, 1 + j] for j in range(4))
    width, height = scale[:, 0], scale[:, 1]
    boxes = np.stack([(cx - w / 2) * width, (cy - h / 2) * height, w * width, h * height], 1)
    ds = ds.assign_coords(box=list(BOX_PARTS))
    ds["bbox"] = (
        (model.TIME, BOX, model.INDIVIDUAL),
        scatter(time, column, shape, boxes, np.nan).transpose(0, 2, 1),
    )
    ds["category_id"] = (dims, scatter(time, column, shape, cls.astype(np.int64), -1))
    if classes is not None:
        lookup = np.asarray([classes.get(i, "") for i in range(max(classes) + 1)], dtype=str)
        ds["category"] = (dims, scatter(time, column, shape, lookup[cls.astype(np.int64)], ""))
    if layout.conf.any():
        ds["instance_score"] = (dims, scatter(time, column, shape, score, np.nan))
    if flip is not None:
        pairs = [(i, j) for i, j in enumerate(flip) if i < j]
        if pairs:
            ds["skeleton_symmetries"] = (
                ("symmetry", "edge_node"),
                np.asarray(names, dtype=str)[np.asarray(pairs)],
            )
        else:  # as the dataset reader records it
            ds.attrs[FLIP_IDX_ATTR] = IDENTITY
    if image_names is not None:
        ds = ds.assign_coords(image_path=(model.TIME, np.asarray(image_names, dtype=str)))
        ds = ds.assign_coords(
            image_width=(model.TIME, per_image[:, 0]),
            image_height=(model.TIME, per_image[:, 1]),
        )
    else:
        ds.attrs["video_width"], ds.attrs["video_height"] = (int(v) for v in sizes[0])
        if video_path is not None:
            ds.attrs["video_path"] = str(video_path)
    return model.with_fps(ds, fps) if fps is not None else ds
