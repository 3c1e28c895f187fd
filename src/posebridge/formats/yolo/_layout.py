"""The on-disk layer of an Ultralytics YOLO pose dataset: data.yaml, image and label paths.

Ultralytics finds a label file by replacing the last ``images`` part of the
image's path with ``labels`` and its extension with ``.txt``; so both its own
tree (``images/train`` + ``labels/train``) and Roboflow's (``train/images`` +
``train/labels``) resolve. A split's entry in data.yaml is a folder of images,
a ``.txt`` list of images, or a list of either, relative to ``path`` (the
data.yaml's folder when absent); Roboflow's ``../train/images`` entries are
tried without their ``../`` when they do not exist, as Ultralytics does.

The numbers inside label and prediction files are read by :mod:`._label_text`.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from posebridge.errors import FormatError, brief, user_stacklevel, with_command_line_wording
from posebridge.formats._shared.text_bytes import not_utf8_message, text_size

__all__ = [
    "FLIP_IDX_ATTR",
    "IDENTITY",
    "IMAGE_SUFFIXES",
    "SPLITS",
    "DataYaml",
    "label_path",
    "labels_listed",
    "load_yaml",
    "relative_texts",
    "split_images",
]

#: The attribute that says a data.yaml's ``flip_idx`` was the identity (:data:`IDENTITY`):
#: left-right flips are right and swap nothing, which ``skeleton_symmetries`` (the pairs
#: that swap) cannot say; the writer writes it back, and leaves ``flip_idx`` out without it.
FLIP_IDX_ATTR = "yolo_flip_idx"
IDENTITY = "identity"

#: Ultralytics' image formats (``ultralytics.data.utils.IMG_FORMATS``).
IMAGE_SUFFIXES = frozenset(
    {
        ".bmp",
        ".dng",
        ".jpeg",
        ".jpg",
        ".mpo",
        ".png",
        ".tif",
        ".tiff",
        ".webp",
        ".pfm",
        ".heic",
        ".avif",
        ".jp2",
    }
)
SPLITS = ("train", "val", "test")


@dataclass
class DataYaml:
    """What posebridge uses of a data.yaml."""

    keypoints: int
    ndim: int
    names: dict[int, str]
    flip_idx: list[int] | None
    kpt_names: list[str] | None
    root: Path
    splits: dict[str, list[str]] = field(default_factory=dict)
    #: the classes whose own ``kpt_names`` (a list per class) are not ``kpt_names``'
    other_kpt_names: list[int] = field(default_factory=list)
    #: ``skeleton``, sleap-io's key: the edges as 0-based pairs of keypoint indices
    skeleton: list[tuple[int, int]] | None = None


def _fail(path: Path, key: str, problem: str) -> FormatError:
    return FormatError(path, f"key '{key}': {problem}")


def _text(path: Path) -> str:
    """The text of a data.yaml or of a split's ``.txt`` list of images.

    A UTF-8 byte-order mark and one end-of-file marker (Ctrl-Z after the last
    line) are left out; text that is not UTF-8 and NUL bytes at the end are
    refused with the shared messages of :mod:`posebridge._files` (line, byte,
    the encoding the text looks like), not taken for a YAML syntax error.
    """
    size = text_size(path, lone_carriage_returns=True, spreadsheet=False)  # YAML allows \r
    with open(path, "rb") as handle:
        data = handle.read(size)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FormatError(path, not_utf8_message(data, spreadsheet=False)) from None


def load_yaml(path: Path) -> DataYaml:
    """Read and check a YOLO pose data.yaml.

    Raises
    ------
    FormatError
        Naming the line of a YAML syntax error, the line and byte of text that
        is not UTF-8, or the key that is missing or wrong (``kpt_shape``,
        ``names``, ``flip_idx``, a split).
    """
    import yaml

    text = _text(path)
    try:
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark
        line = f"line {mark.line + 1}: " if mark is not None else ""
        raise FormatError(path, f"{line}invalid YAML ({error.problem}).") from None
    except yaml.YAMLError as error:
        raise FormatError(path, f"invalid YAML ({error}).") from None
    if data is None:  # an empty file (or one holding only comments)
        raise FormatError(
            path, "is empty; expected a YAML mapping with kpt_shape, names and splits."
        )
    if not isinstance(data, dict):
        raise FormatError(path, "expected a YAML mapping with kpt_shape, names and splits.")
    shape = data.get("kpt_shape")
    if (
        not isinstance(shape, list | tuple)
        or len(shape) != 2
        or not all(isinstance(v, int) and not isinstance(v, bool) for v in shape)
        or shape[0] < 1
        or shape[1] not in (2, 3)
    ):
        raise _fail(
            path, "kpt_shape", f"expected [number of keypoints, 2 or 3], found {brief(shape)}."
        )
    k = int(shape[0])
    names = _names(path, data.get("names"), data.get("nc"))
    flip = data.get("flip_idx")
    if flip is not None:
        if (
            not isinstance(flip, list)
            or not all(isinstance(v, int) and not isinstance(v, bool) for v in flip)
            or len(flip) != k
            or sorted(flip) != list(range(k))
        ):
            raise _fail(
                path, "flip_idx", f"expected a permutation of 0..{k - 1}, found {brief(flip)}."
            )
        flip = [int(v) for v in flip]
    kpt_names, other_kpt_names = _kpt_names(path, data.get("kpt_names"), k)
    if kpt_names is None:  # sleap-io's key for the keypoint names
        kpt_names = _node_names(path, data.get("node_names"), k)
    skeleton = _skeleton(path, data.get("skeleton"), k)
    root = path.parent
    if data.get("path") is not None and not isinstance(data["path"], str):
        raise _fail(path, "path", f"expected the dataset's folder, found {brief(data['path'])}.")
    if data.get("path"):
        given = Path(data["path"])
        given = given if given.is_absolute() else path.parent / given
        if given.is_dir():
            root = given
        else:  # a dataset moved since its yaml was written: its folder is the root
            warnings.warn(
                f"{path}: 'path' {data['path']!r} does not exist; the splits are looked "
                "up beside the data.yaml instead.",
                stacklevel=user_stacklevel(),
            )
    splits: dict[str, list[str]] = {}
    for split in SPLITS:
        entry = data.get(split)
        if entry is None or entry == "":
            continue
        entries = entry if isinstance(entry, list) else [entry]
        if not all(isinstance(e, str) for e in entries):
            raise _fail(
                path, split, f"expected a folder, a .txt list or a list, found {brief(entry)}."
            )
        splits[split] = entries
    if not splits:
        raise FormatError(path, "has none of the keys train, val, test (the image folders).")
    return DataYaml(
        k, int(shape[1]), names, flip, kpt_names, root, splits, other_kpt_names, skeleton
    )


def warn_other_kpt_names(path: Path, data: DataYaml) -> None:
    """Warn when ``kpt_names`` gives some classes other names than the first class's.

    A dataset holds one list of keypoints (``kpt_shape`` is one for every class):
    the first class's names name them, and the warning names the classes whose
    own lists differ (call it only when the user gave no ``keypoint_names=``).
    """
    if not data.other_kpt_names:
        return
    shown = ", ".join(
        f"{c} ({data.names[c]})" if c in data.names else str(c) for c in data.other_kpt_names[:10]
    )
    more = f" and {len(data.other_kpt_names) - 10} more" if len(data.other_kpt_names) > 10 else ""
    warning = UserWarning(
        f"{path}: kpt_names gives class(es) {shown}{more} other keypoint names than the first "
        "class's, which name the keypoints of every class (a dataset holds one keypoint list, "
        "as kpt_shape is one for all classes). Pass keypoint_names= to name them otherwise."
    )
    wording = {
        "Pass keypoint_names= to name them otherwise.": "Pass --read-option "
        '\'keypoint_names=["nose","tail",...]\' (a JSON list) to name them otherwise.'
    }
    warnings.warn(with_command_line_wording(warning, wording), stacklevel=user_stacklevel())


#: What a name in data.yaml may be (YAML reads some names as numbers or booleans).
_NAME_TYPES = (str, int, float, bool)
#: The largest class id ``names`` may give (as ``nc``'s bound: a detector of 100,000 classes).
MAX_CLASS_ID = 100_000


def _class_ids_as_numbers(names: Any) -> Any:
    """``names`` with quoted class ids (``'0': dog``) as numbers, as Ultralytics' ``int(k)``.

    Anything else, or two keys naming one class, is returned as it is (and refused).
    """
    if not isinstance(names, dict) or not any(isinstance(k, str) for k in names):
        return names
    keys = [
        int(k) if isinstance(k, str) and k.strip().isascii() and k.strip().isdigit() else k
        for k in names
    ]
    if len(set(keys)) != len(keys):
        return names
    return dict(zip(keys, names.values(), strict=True))


def _names(path: Path, names: Any, nc: Any) -> dict[int, str]:
    if (
        isinstance(names, list | dict)
        and nc is not None
        and (isinstance(nc, bool) or nc != len(names))
    ):
        raise _fail(  # Ultralytics refuses it too ("'names' length 1 and 'nc: 3' must match")
            path,
            "nc",
            f"{brief(nc)} does not match the {len(names)} class(es) that 'names' gives; "
            "correct one of them (or leave nc out).",
        )
    if isinstance(names, list) and all(isinstance(n, _NAME_TYPES) for n in names):
        return {i: str(n) for i, n in enumerate(names)}
    names = _class_ids_as_numbers(names)
    if (
        isinstance(names, dict)
        and all(isinstance(k, int) and not isinstance(k, bool) for k in names)
        and all(isinstance(v, _NAME_TYPES) for v in names.values())
    ):
        odd = [k for k in names if not 0 <= k <= MAX_CLASS_ID]
        if odd:  # the readers index a table of names by class id
            raise _fail(
                path,
                "names",
                f"class id {odd[0]} is not one from 0 to {MAX_CLASS_ID} (Ultralytics counts "
                "classes from 0).",
            )
        return {int(k): str(v) for k, v in names.items()}
    if names is None and isinstance(nc, int) and not isinstance(nc, bool) and 0 <= nc <= 100_000:
        return {i: f"class_{i}" for i in range(nc)}
    raise _fail(
        path,
        "names",
        f"expected a list or a mapping of class ids to names, found {brief(names)}"
        + (f" (nc: {brief(nc)})" if names is None else "")
        + ".",
    )


def _kpt_names(path: Path, value: Any, k: int) -> tuple[list[str] | None, list[int]]:
    """The keypoint names, and the classes whose own list differs from them.

    Per-class names (Ultralytics' ``{class: [names]}``, or a list of lists) give
    the first class's list; the classes whose lists are other are returned.
    """
    if value is None:
        return None, []
    value = _class_ids_as_numbers(value)
    per_class: dict[int, Any] = {}
    if isinstance(value, dict) and value and all(isinstance(c, int) for c in value):
        per_class = value
    elif isinstance(value, list) and value and isinstance(value[0], list):
        per_class = dict(enumerate(value))
    if per_class:
        value = per_class[min(per_class)]  # Ultralytics' per-class names: the first class's
    if (
        not isinstance(value, list)
        or len(value) != k
        or not all(isinstance(v, _NAME_TYPES) for v in value)
    ):
        raise _fail(path, "kpt_names", f"expected {k} keypoint names, found {brief(value)}.")
    names = [str(v) for v in value]

    def same(other: Any) -> bool:
        return isinstance(other, list) and [str(v) for v in other] == names

    return names, sorted(c for c, other in per_class.items() if not same(other))


def _node_names(path: Path, value: Any, k: int) -> list[str] | None:
    """The keypoint names of sleap-io's ``node_names`` key (``None`` without it).

    sleap-io writes them beside ``kpt_shape`` (and reads them back); ``kpt_names``,
    Ultralytics' key, wins when both are given. Ultralytics ignores the key, so names
    that do not fit are not refused: a longer list gives its first ``k`` names, as
    sleap-io reads it, and another value is ignored; both with a warning.
    """
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(v, _NAME_TYPES) for v in value):
        _ignored(path, "node_names", f"expected {k} keypoint names, found {brief(value)}")
        return None
    if len(value) < k:
        _ignored(path, "node_names", f"expected {k} keypoint names, found {brief(value)}")
        return None
    if len(value) > k:
        warnings.warn(
            f"{path}: key 'node_names' (sleap-io's): {len(value)} names for the {k} keypoints "
            f"of kpt_shape; the first {k} name them, as sleap-io reads them.",
            stacklevel=user_stacklevel(),
        )
    return [str(v) for v in value[:k]]


def _skeleton(path: Path, value: Any, k: int) -> list[tuple[int, int]] | None:
    """The edges of sleap-io's ``skeleton`` key: 0-based pairs of keypoint indices.

    ``None`` without the key; an empty list is a skeleton without edges. Ultralytics
    ignores the key, so one that does not fit (1-based, as COCO's, or by names) is
    ignored with a warning, not refused: a single pair out of range means the
    indices are not sleap-io's, so no edge of it is read.
    """
    if value is None:
        return None
    pairs = value if isinstance(value, list) else None
    if pairs is None or not all(
        isinstance(pair, list | tuple)
        and len(pair) == 2
        and all(isinstance(i, int) and not isinstance(i, bool) and 0 <= i < k for i in pair)
        for pair in pairs
    ):
        _ignored(
            path,
            "skeleton",
            f"expected pairs of keypoint indices 0..{k - 1} (edges, as sleap-io writes "
            f"them), found {brief(value)}",
        )
        return None
    return [(int(a), int(b)) for a, b in pairs]


def _ignored(path: Path, key: str, problem: str) -> None:
    """Warn that sleap-io's ``key``, which Ultralytics does not read, is ignored."""
    warnings.warn(
        f"{path}: key '{key}' (sleap-io's; Ultralytics does not read it): {problem}; it is "
        "ignored and the keypoints are read without it.",
        stacklevel=user_stacklevel(),
    )


def _resolve(root: Path, entry: str) -> Path:
    found = Path(entry) if Path(entry).is_absolute() else root / entry
    if not found.exists() and entry.startswith("../"):
        stripped = root / entry[3:]  # Roboflow's exports, as Ultralytics resolves them
        if stripped.exists() or _labels_of(stripped).exists():
            return stripped
    return found


def _labels_of(images: Path) -> Path:
    parts = list(images.parts)
    if "images" in parts:
        at = len(parts) - 1 - parts[::-1].index("images")
        parts[at] = "labels"
        return Path(*parts)
    return images.parent / "labels" / images.name


def label_path(image: str) -> str:
    """The label file of an image path (posix text): last ``images`` -> ``labels``, ``.txt``.

    String operations only, as Ultralytics' ``img2label_paths`` (no file-system
    call); the extension is dropped only when it is an image format's.

    Examples
    --------
    >>> label_path("train/images/a.rf.1f.jpg")
    'train/labels/a.rf.1f.txt'
    >>> label_path("images/val/sub/b.png")
    'labels/val/sub/b.txt'
    """
    head, found, tail = ("/" + image).rpartition("/images/")
    text = (head + "/labels/" + tail if found else "/" + image)[1:]
    stem, dot, suffix = text.rpartition(".")
    if dot and "/" not in suffix and "." + suffix.lower() in IMAGE_SUFFIXES:
        text = stem
    return text + ".txt"


def split_images(path: Path, data: DataYaml) -> list[tuple[str, str, str | None]]:
    """Every image of every split: (split, label file, image file or ``None``), paths as text.

    Images are found in each split's folders (recursively) or ``.txt`` lists;
    when a folder of images is absent but its labels folder exists, the
    labels are listed instead (the image is then ``None``). A split entry naming
    the folder or list of an earlier split (``val: train/images``) adds nothing:
    its images are read in the earlier split.

    Raises
    ------
    FormatError
        When no split's images or labels exist.
    """
    found: list[tuple[str, str, str | None]] = []
    looked: list[str] = []
    named: dict[Path, str] = {}  # each folder or list named, and the first split naming it
    for split, entries in data.splits.items():
        for entry in entries:
            where = _resolve(data.root, entry).resolve()  # once: listed paths share it
            looked.append(str(where))
            if named.setdefault(where, split) != split:
                # the folder (or list) of an earlier split: "val: train/images", the quick
                # setup Ultralytics takes (and posebridge's writer writes without val rows);
                # its images are read once, in the earlier split, and nothing is amiss
                continue
            if where.is_file() and where.suffix == ".txt":
                lines = _text(where).splitlines()
                images = [Path(s.strip()) for s in lines if s.strip()]
                images = [i if i.is_absolute() else where.parent / i for i in images]
            elif where.is_dir():
                listed = _files_under(where, _is_image)
                rows = [(split, label_path(_posix(i)), i) for i in listed]
                rows += [(split, label, None) for label in _labels_without_image(where, rows)]
                found.extend(sorted(rows, key=lambda row: _path_parts(row[1])))
                continue
            else:
                labels = _labels_of(where)
                if labels.is_dir():
                    listed = _files_under(labels, is_label_file_name)
                    found.extend((split, label, None) for label in listed)
                else:  # a wrong path would otherwise drop the split without a word
                    warnings.warn(
                        f"{path}: the {split!r} split's images ({entry}) are not at {where}, "
                        f"nor its labels at {labels}; that split is left out.",
                        UserWarning,
                        stacklevel=user_stacklevel(),
                    )
                continue
            found.extend((split, label_path(i.as_posix()), str(i)) for i in images)
    if not found:
        raise FormatError(
            path,
            f"found no images or labels for its splits (looked in {', '.join(looked)}).",
        )
    return _once_each(path, found)


def _once_each(
    path: Path, found: list[tuple[str, str, str | None]]
) -> list[tuple[str, str, str | None]]:
    """``found`` with each image (or label file, when its image is absent) kept once, in its
    first split, with a warning naming the splits that share images.

    A ``val`` entry naming the ``train`` folder is a common quick setup, and
    Ultralytics takes it; each image is one row of a labels dataset.
    """
    import pandas as pd

    keys = [os.path.normcase(os.path.normpath(image or label)) for _, label, image in found]
    codes, _ = pd.factorize(
        np.asarray(keys, dtype=object)
    )  # not Arrow text: file names may not be UTF-8
    first = np.unique(codes, return_index=True)[1][codes]
    again = np.flatnonzero(first != np.arange(len(found)))
    if not again.size:
        return found
    splits = np.asarray([split for split, _, _ in found], dtype=object)
    shared = pd.Series(1, index=pd.MultiIndex.from_arrays([splits[first[again]], splits[again]]))
    counts = shared.groupby(level=[0, 1]).sum().sort_index(key=lambda s: s.map(SPLITS.index))
    said = "; ".join(
        f"{a!r} lists {count} image(s) twice"
        if a == b
        else f"{b!r} repeats {count} image(s) of {a!r}"
        for (a, b), count in counts.items()
    )
    first_again = found[int(again[0])]
    warnings.warn(
        f"{path}: {said} (the first: {first_again[2] or first_again[1]}); each image is read "
        "once, in its first split (data_split). Ultralytics trains and validates on such "
        "images alike.",
        UserWarning,
        stacklevel=user_stacklevel(),
    )
    keep = np.ones(len(found), dtype=bool)
    keep[again] = False
    return [entry for entry, kept in zip(found, keep.tolist(), strict=True) if kept]


def labels_listed(root: Path, entry: str) -> list[str]:
    """The label files a read lists for a split entry without their images.

    :func:`split_images` reads a split whose images folder is absent from its
    labels folder, every ``.txt`` under it (recursively); with the images folder
    present, the label files that no image in it has; with a ``.txt`` list of
    images, none (the result is empty).

    Examples
    --------
    >>> labels_listed(Path("no-such-root"), "train/images")
    []
    """
    where = _resolve(root, entry)
    if where.is_dir():
        rows = [("", label_path(_posix(i)), i) for i in _files_under(where, _is_image)]
        return _labels_without_image(where, rows)
    if where.exists():
        return []
    labels = _labels_of(where)
    return _files_under(labels, is_label_file_name) if labels.is_dir() else []


def _path_parts(text: str) -> list[str]:
    return _posix(os.path.normcase(text)).split("/")


def _labels_without_image(folder: Path, rows: list[tuple[str, str, str | None]]) -> list[str]:
    """The label files of an images ``folder``'s labels folder that no image listed in
    ``rows`` has: an image not copied yet, or a folder where the image file belongs.

    They are read as rows with their image absent (as a split without its images
    folder is), not dropped: their instances are the dataset's.
    """
    labels = _labels_of(folder)
    if not labels.is_dir():
        return []
    have = {os.path.normcase(os.path.normpath(label)) for _, label, _ in rows}
    return [
        label
        for label in _files_under(labels, is_label_file_name)
        if os.path.normcase(os.path.normpath(label)) not in have
    ]


def hidden_path(path: str) -> bool:
    """Whether a posix path has a hidden file or folder name (``.x``, not ``..``): one
    that a listing of a split's folder leaves out (:func:`_files_under`).

    Examples
    --------
    >>> hidden_path("shots/.b.png"), hidden_path("../train/images/a.png")
    (True, False)
    """
    return any(part.startswith(".") and part not in (".", "..") for part in path.split("/"))


def images_listed(root: Path, entry: str) -> list[str]:
    """The images a read lists for a split entry that is a folder (recursively, hidden
    ones left out, sorted as paths); empty when it is no folder.

    Examples
    --------
    >>> images_listed(Path("no-such-root"), "images/train")
    []
    """
    where = _resolve(root, entry)
    return _files_under(where, _is_image) if where.is_dir() else []


def _is_image(name: str) -> bool:
    return os.path.splitext(name)[1].lower() in IMAGE_SUFFIXES


def _posix(text: str) -> str:
    return text if os.sep == "/" else text.replace(os.sep, "/")


def is_label_file_name(name: str) -> bool:
    """Whether a file name in a labels folder is a label file: a ``.txt`` other than
    ``classes.txt``, the class list labelImg writes beside its label files.

    Examples
    --------
    >>> is_label_file_name("img_001.txt"), is_label_file_name("classes.txt")
    (True, False)
    """
    return name.endswith(".txt") and name.lower() != "classes.txt"


def _files_under(folder: Path, keep: Callable[[str], bool]) -> list[str]:
    """The files in ``folder`` and its subfolders whose names ``keep`` takes, sorted as paths.

    Hidden files and folders (names starting with ``.``) are left out.

    Listed as text (``os.walk``; links to folders are not followed, as
    ``Path.rglob``), and sorted part by part as paths compare, without a
    ``Path`` object per file until the caller makes one.
    """
    out: list[str] = []
    for where, folders, names in os.walk(folder):
        # hidden ones are not the dataset's, as Ultralytics' glob("**/*.*") skips them: macOS
        # "._x.jpg" resource files, Jupyter's ".ipynb_checkpoints" copies of label files
        folders[:] = [name for name in folders if not name.startswith(".")]
        out.extend(
            os.path.join(where, name) for name in names if not name.startswith(".") and keep(name)
        )
    out.sort(key=lambda text: os.path.normcase(text).split(os.sep))
    return out


def relative_texts(paths: list[str], root: Path) -> list[str]:
    """Each path relative to ``root`` when inside it, else absolute (posix text).

    The paths come from listing resolved folders, so a string prefix test does
    it: no file-system call per path.
    """
    prefix = root.resolve().as_posix().rstrip("/") + "/"
    out = []
    for path in paths:
        text = _posix(path)
        if not text.startswith(prefix):
            text = Path(path).resolve().as_posix()
        out.append(text[len(prefix) :] if text.startswith(prefix) else text)
    return out
