"""Writing an Ultralytics YOLO pose dataset: data.yaml and one label file per image."""

from __future__ import annotations

import contextlib
import os
import warnings
from pathlib import Path, PurePosixPath
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from posebridge import model
from posebridge._outputs import atomic_outputs, check_outputs
from posebridge._recorded_warnings import dropping_warnings
from posebridge._temporaries import TEMPORARY_MARK
from posebridge.errors import (
    FileExistsError,
    PoseBridgeError,
    SchemaError,
    user_stacklevel,
    with_command_line_wording,
)
from posebridge.formats._shared.guards import (
    refuse_empty,
    refuse_no_points,
    refuse_not_2d,
    refuse_physical_units,
    refuse_unknown_frames,
)
from posebridge.formats._shared.images import (
    IMAGE_SIZE_ADVICE,
    WRITE_IMAGE_SIZE_FLAG,
    checked_image_size,
    first_repeat,
    is_absolute_path,
    video_frame_size,
)
from posebridge.formats._shared.individual_names import warn_individual_names_not_kept
from posebridge.formats._shared.not_kept import (
    warn_individuals_not_written,
    warn_keypoint_variables_dropped,
    warn_label_scores_dropped,
    warn_lone_coordinates,
    warn_times_not_kept,
    warn_variables_not_written,
)
from posebridge.formats.yolo._layout import (
    FLIP_IDX_ATTR,
    IDENTITY,
    SPLITS,
    hidden_path,
    images_listed,
    label_path,
    labels_listed,
    load_yaml,
    split_images,
)
from posebridge.formats.yolo.label_lines import instance_classes, label_lines
from posebridge.model import labels

__all__ = ["write"]


_SPLIT_NAMES = {
    "train": "train",
    "val": "val",
    "valid": "val",
    "validation": "val",
    "test": "test",
}


def write(
    ds: xr.Dataset,
    path: Path,
    *,
    overwrite: bool = False,
    image_size: tuple[int, int] | None = None,
    split: str = "train",
) -> list[Path]:
    """Write a YOLO pose dataset: ``path`` (data.yaml) and the label files beside it.

    Parameters
    ----------
    ds
        A 2D labels (or poses) dataset.
    path
        The data.yaml to write; labels go under its folder.
    overwrite
        Replace existing files.
    image_size
        (width, height) of images whose size the dataset does not hold
        (``image_width`` / ``image_height``). Every image needs one. Without it,
        frames of a video take the video's size (``video_width`` /
        ``video_height``), with a warning that reading back needs it.
    split
        The split of rows without ``data_split`` (``train``, ``val``, ``test``).

    Returns
    -------
    list of pathlib.Path
        The data.yaml, then every label file, then the split lists (``<split>.txt``)
        written for splits that share a folder.

    Examples
    --------
    >>> from posebridge.formats import yolo
    >>> yolo.write(ds, "dataset/data.yaml", image_size=(640, 480))  # doctest: +SKIP
    """
    refuse_not_2d(ds, "YOLO pose", "YOLO pose labels", path)
    if split not in SPLITS:
        raise SchemaError(f"split must be one of {SPLITS}, got {split!r}.")
    refuse_empty(ds, "YOLO pose", dims=(model.TIME, model.KEYPOINT, model.INDIVIDUAL))
    refuse_no_points(ds, "YOLO pose")
    refuse_physical_units(ds, "YOLO pose")
    refuse_unknown_frames(ds, "YOLO pose")  # a video frame's image is named by its frame
    _refuse_negative_frames(ds)
    root = path.parent
    if image_size is None:
        image_size = video_frame_size(ds)
        if image_size is not None:
            named = ds[labels.IMAGE_PATH].values if labels.IMAGE_PATH in ds.coords else []
            stills = int(np.count_nonzero(np.asarray(named) != ""))
            mixed = (
                f" The {stills} still image(s) among them are normalised by their own sizes, "
                "which image_size= would replace: read those with their image files present "
                "(each one's size is read from its header) and without image_size=."
                if stills
                else ""
            )
            read_back = f"image_size={image_size}"
            said = UserWarning(
                f"YOLO labels of video frames are normalised by the video's frame size "
                f"{image_size[0]}x{image_size[1]}; no images are written, so read them back "
                f"with {read_back}.{mixed}"
            )
            wording = {
                read_back: f"--read-option 'image_size=[{image_size[0]},{image_size[1]}]'",
                "which image_size= would": "which --read-option image_size= would",
                "and without image_size=.": "and without --read-option image_size=.",
            }
            warnings.warn(
                with_command_line_wording(said, wording),
                stacklevel=user_stacklevel(),
            )
    sizes = _sizes(ds, image_size)
    splits = _splits(ds, split)
    images = _image_paths(ds, splits)
    hidden = next((image for image in images if hidden_path(image)), None)
    if hidden is not None:
        raise SchemaError(
            f"image {hidden!r}: a name starting with '.' is hidden, and Ultralytics (and a "
            "read of the dataset) skips it; give the row another image_path."
        )
    label_files = [label_path(image) for image in images]
    _refuse_shared_labels(images, label_files)
    flip = _flip_idx(ds)
    class_ids, class_names = instance_classes(ds, path)
    lines = label_lines(ds, sizes, class_ids)
    entries, lists = _split_entries(images, splits)
    targets = [path, *(root / f for f in label_files), *(root / name for name in lists)]
    _refuse_writing_onto_source(ds, path, targets)
    check_outputs([path], overwrite)
    _refuse_stray_labels(root, images, targets)
    _check_other_images(path, root, entries, images, targets)
    warn_lone_coordinates(ds, path, "YOLO pose")
    warn_times_not_kept(ds, path, "a YOLO pose dataset")
    # its confidence is named by warn_label_scores_dropped
    warn_keypoint_variables_dropped(
        ds, path, "YOLO pose", ("confidence", labels.VISIBLE), holds="x, y and a visibility flag"
    )
    warn_variables_not_written(
        ds,
        path,
        "YOLO pose",
        kept=("category_id", "image_width", "image_height", "skeleton_edges", labels.VIDEO),
    )
    warn_label_scores_dropped(
        ds,
        path,
        "YOLO pose",
        "YOLO pose predictions (format 'yolo-predictions', a .txt per frame) keep them",
    )
    warn_individuals_not_written(
        ds,
        path,
        "YOLO pose labels hold an individual only through its lines (one per instance with "
        "a point or a box, in its image's label file)",
    )
    warn_individual_names_not_kept(
        ds,
        path,
        holds="YOLO pose labels (a label line holds a class, a box and keypoints: no identity)",
        read_back="untracked_<k>, by their line's rank in each label file",
        identity=False,
    )
    made: list[Path] = []
    try:
        _make_folders(root, label_files, made)
        with atomic_outputs(targets, overwrite=overwrite) as temporaries:
            temporaries[0].write_text(_yaml(ds, entries, class_names, flip), encoding="utf-8")
            for temporary, text in zip(temporaries[1:], [*lines, *lists.values()], strict=True):
                temporary.write_text(text, encoding="utf-8")
    except BaseException:
        for folder in reversed(made):  # deepest first; only if still empty: another writer
            with contextlib.suppress(OSError):  # may have put its files there meanwhile
                folder.rmdir()
        raise
    return targets


def _refuse_negative_frames(ds: xr.Dataset) -> None:
    """Refuse a row without an image whose frame number is negative.

    Such a row's image (and label file) is named after its frame,
    ``<video stem>_<frame>.png``; a negative frame would be read back without
    its sign, as another frame and in another order.

    Raises
    ------
    SchemaError
        Naming the first such time step and its frame number.
    """
    frames = model.frame_numbers(ds)
    if frames is None:
        return
    images = (
        np.asarray(ds[labels.IMAGE_PATH].values).astype(str)
        if labels.IMAGE_PATH in ds.coords
        else np.full(ds.sizes[model.TIME], "")
    )
    negative = np.flatnonzero((images == "") & (np.asarray(frames) < 0))
    if negative.size:
        step = int(negative[0])
        frame = int(np.asarray(frames)[step])
        what = "an unknown frame number (-1)" if frame == -1 else f"frame {frame}"
        raise SchemaError(
            "YOLO pose labels of video frames are named after frame numbers from 0 "
            f"(<video stem>_<frame>.png), and time step {step} is {what}. Shift the frames "
            "(ds.assign_coords(time=...)) or give the row an image_path."
        )


def _refuse_writing_onto_source(ds: xr.Dataset, path: Path, targets: list[Path]) -> None:
    """Refuse, even with ``overwrite=True``, to write another dataset's label files over
    those of the dataset it was read from.

    A YOLO dataset converted to another data.yaml in its own folder writes label
    files at the same places as its own (``train/labels/img1.txt``): the source
    dataset's files would silently take the new one's rows. Writing back to the
    data.yaml it was read from (an update in place, with ``overwrite=True``) is
    allowed, as for every format.
    """
    source = ds.attrs.get("source_file")
    if not isinstance(source, str) or not source.lower().endswith((".yaml", ".yml")):
        return
    yaml_path = Path(source)
    if not yaml_path.is_file():
        return
    if os.path.realpath(yaml_path) == os.path.realpath(path):  # an update in place
        return
    try:
        with dropping_warnings():  # the source's own warnings were given when it was read
            found = split_images(yaml_path, load_yaml(yaml_path))
    except PoseBridgeError:  # no longer a YOLO dataset: nothing of it to keep
        return
    read = {os.path.normcase(os.path.realpath(label)) for _, label, _ in found}
    for target in targets:
        if os.path.normcase(os.path.realpath(target)) in read:
            refused = PoseBridgeError(
                f"{target}: is a label file of {yaml_path}, the dataset this one was read "
                f"from; writing {path.name} here would change that dataset too, so it is "
                "refused even with overwrite=True. Write the new dataset to another folder "
                "(or, from Python, posebridge.save it back to the data.yaml it was read from, "
                "with overwrite=True, to update that dataset in place)."
            )
            raise with_command_line_wording(
                refused, {"refused even with overwrite=True.": "refused even with --overwrite."}
            )


def _refuse_stray_labels(root: Path, images: list[str], targets: list[Path]) -> None:
    """Refuse label files that a read of the written dataset would take as its own rows.

    A split whose images are absent (they are not copied) is read from its labels
    folder, every ``.txt`` in it, and a label file whose image is missing from an
    images folder that exists is read too: label files left there by an earlier
    export, even with ``overwrite=True``, would come back as rows of this dataset.
    """
    written = {os.path.normcase(os.path.abspath(t)) for t in targets}
    for folder in dict.fromkeys(str(PurePosixPath(image).parent) for image in images):
        strays = [
            label
            for label in labels_listed(root, folder)
            if os.path.normcase(os.path.abspath(label)) not in written
            and TEMPORARY_MARK not in os.path.basename(label)  # the writer's own, cleaned
        ]
        if strays:
            raise FileExistsError(
                17,
                f"{strays[0]}: {len(strays)} label file(s) that this dataset does not write "
                f"are in its labels folder, and a read of {folder!r} (their images are absent) "
                "would take them as rows of this dataset; remove them or write to another "
                "folder.",
                strays[0],
            )


def _check_other_images(
    path: Path, root: Path, entries: dict[str, Any], images: list[str], targets: list[Path]
) -> None:
    """Warn about images of a split's folder that the dataset has no row for.

    A split written as a folder is read (by posebridge and Ultralytics) as every
    image in it: one with a label file this write leaves (the tree's own, or an
    earlier export's) comes back as a row with that file's instances; one without
    is an image without animals to Ultralytics (background). Both are said, with
    how many, as a read-back of the written dataset then differs from it.
    """
    ours = {os.path.normcase(os.path.abspath(root / image)) for image in images}
    written = {os.path.normcase(os.path.abspath(t)) for t in targets}
    folders = [e for v in entries.values() for e in ([v] if isinstance(v, str) else v)]
    extra = [
        image
        for folder in folders
        if not folder.endswith(".txt")
        for image in images_listed(root, folder)
        if os.path.normcase(os.path.abspath(image)) not in ours
    ]
    if not extra:
        return
    labelled = [
        image
        for image in extra
        if os.path.isfile(label := label_path(image.replace(os.sep, "/")))
        and os.path.normcase(os.path.abspath(label)) not in written
    ]
    warnings.warn(
        f"{path}: {len(extra)} image(s) in the dataset's image folders have no row in it "
        f"(the first: {extra[0]}); {len(labelled)} of them have a label file there, which "
        "is left as it is (a read, and Ultralytics' training, takes their instances), the "
        "others are images without animals to Ultralytics. Write to another folder for a "
        "tree of this dataset only.",
        UserWarning,
        stacklevel=user_stacklevel(),
    )


def _make_folders(root: Path, files: list[str], made: list[Path]) -> None:
    """Create the label folders, adding each one created to ``made`` (the caller removes
    them again on failure, if still empty).

    Raises
    ------
    PoseBridgeError
        Naming the folder that cannot be made and why (a file or a dangling link
        where a folder should be, a read-only or immutable folder).
    """
    for folder in sorted({(root / f).parent for f in files}):
        missing = []
        probe = folder
        while not probe.exists():
            missing.append(probe)
            probe = probe.parent
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            blocking = next((p for p in (folder, *folder.parents) if p.is_symlink()), None)
            if blocking is not None and not blocking.exists():
                why = f"{blocking} is a link to nothing"
            elif probe.exists() and not probe.is_dir():
                why = f"{probe} is a file, not a folder"
            else:
                why = error.strerror or type(error).__name__
            raise PoseBridgeError(
                f"{folder}: the label folder cannot be made ({why}); nothing was written."
            ) from None
        made.extend(reversed(missing))


def _sizes(ds: xr.Dataset, given: tuple[int, int] | None) -> np.ndarray:
    n = ds.sizes[model.TIME]
    given = checked_image_size(given) if given is not None else None
    columns = []
    for axis, name in enumerate(("image_width", "image_height")):
        values = (
            np.asarray(ds[name].values, dtype=np.int64)
            if name in ds.coords
            else np.full(n, -1, dtype=np.int64)
        )
        if given is not None:
            values = np.where(values <= 0, int(given[axis]), values)
        columns.append(values)
    sizes = np.stack(columns, axis=1).reshape(n, 2)
    if (sizes <= 0).any():
        raise with_command_line_wording(
            SchemaError(
                "YOLO labels are normalised by each image's size, and some rows have none "
                f"(no image_width / image_height); {IMAGE_SIZE_ADVICE}."
            ),
            {IMAGE_SIZE_ADVICE: WRITE_IMAGE_SIZE_FLAG},
        )
    return sizes


def _splits(ds: xr.Dataset, default: str) -> list[str]:
    """Each row's split: its ``data_split`` (any spelling of :data:`_SPLIT_NAMES`; an
    empty one takes ``default``), else ``default``.

    Another value (LightningPose's ``unused``, a ``holdout``) is refused naming it: a
    data.yaml lists train, val and test images only, and putting them in one of those
    would train or score on images set apart.
    """
    n = ds.sizes[model.TIME]
    if "data_split" not in ds.coords:
        return [default] * n
    given = pd.Series(np.asarray(ds["data_split"].values).astype(str)).str.strip()
    splits = given.str.lower().map({**_SPLIT_NAMES, "": default})
    unknown = splits.isna().to_numpy()
    if unknown.any():
        values = pd.unique(given[unknown]).tolist()
        shown = ", ".join(repr(v) for v in values[:5]) + (" ..." if len(values) > 5 else "")
        first = values[0]
        raise SchemaError(
            f"{int(unknown.sum())} row(s) have a data_split YOLO has no split for ({shown}): a "
            "data.yaml lists train, val and test images only. Relabel them, e.g. "
            f"ds.assign_coords(data_split=ds.data_split.where(ds.data_split != {first!r}, "
            f"'train')), or leave their rows out (ds.isel(time=(ds.data_split != {first!r})"
            ".values)); nothing was written."
        )
    return splits.astype(str).tolist()


def _image_paths(ds: xr.Dataset, splits: list[str]) -> list[str]:
    """Each row's image, relative to the data.yaml.

    An image that lies in an ``images`` folder below the data.yaml keeps its
    path (a relative one: an absolute path, POSIX or Windows ``C:/``, ``//server``,
    is not below it). Others go to ``<split>/images/<name>`` (Roboflow's layout, which both
    Ultralytics and sleap-io resolve), a video frame as ``<video stem>_<frame>.png``.
    When two of them would share a label file (``labeled-data/videoA/img001.png``
    and ``labeled-data/videoB/img001.png``, a DeepLabCut project of several
    videos), every placed image keeps as many of its last folders as it takes to
    part them (``train/images/videoA/img001.png``; a frame keeps its video's
    folders): the fewest, and the same number for every row, so a dataset whose
    names do not collide is written as it always was.
    """
    n = ds.sizes[model.TIME]
    images = (
        labels.normalise_paths(ds[labels.IMAGE_PATH].values).tolist()
        if labels.IMAGE_PATH in ds.coords
        else [""] * n
    )
    frames = model.frame_numbers(ds)
    videos = labels.normalise_paths(  # a Windows video path's stem, not all of it
        np.asarray(ds[labels.VIDEO].values).astype(str)
        if labels.VIDEO in ds.coords
        else [str(ds.attrs.get("video_path", ""))] * n
    ).tolist()
    kept: list[str | None] = []
    names: list[str] = []
    folders: list[tuple[str, ...]] = []
    for row, image in enumerate(images):
        pure = PurePosixPath(image)
        if (
            image
            and not is_absolute_path(image)  # a Windows C:/ or //server path too
            and ".." not in pure.parts
            and "images" in pure.parts[:-1]
        ):
            kept.append(image)
            names.append("")
            folders.append(())
            continue
        kept.append(None)
        if pure.name:
            names.append(pure.name)
            folders.append(_folder_names(pure.parent))
        else:
            video = PurePosixPath(labels.utf8_text(videos[row]))
            frame = int(frames[row]) if frames is not None else row
            names.append(f"{video.stem or 'frame'}_{frame:06d}.png")
            folders.append(_folder_names(video.parent))
    deepest = max((len(f) for f in folders), default=0)
    for depth in range(deepest + 1):
        out = [
            image
            if image is not None
            else "/".join((split, "images", *folder[max(len(folder) - depth, 0) :], name))
            for image, split, folder, name in zip(kept, splits, folders, names, strict=True)
        ]
        if not pd.Index([label_path(image) for image in out]).has_duplicates:
            break
    return out


def _folder_names(folder: PurePosixPath) -> tuple[str, ...]:
    """The names of a path's folders that can be kept below ``<split>/images``: no root
    (``/``, a UNC path's ``//``), drive, ``.`` or ``..``."""
    return tuple(
        part
        for part in folder.parts
        if part not in ("/", "//", ".", "..") and not part.endswith(":")
    )


def _refuse_shared_labels(images: list[str], label_files: list[str]) -> None:
    """Refuse two rows whose images pair with one label file (an image labelled twice,
    or two images whose paths differ only in their extension)."""
    rows = first_repeat(label_files)
    if rows is None:
        return
    first, second = rows
    raise SchemaError(
        f"Rows {first} and {second} share the label file {label_files[second]}: their images "
        f"{images[first]!r} and {images[second]!r} differ at most in their extension, and "
        "Ultralytics pairs an image with the label file of its path without extension. Rename "
        "one of the images (image_path), or drop the repeated row."
    )


def _split_entries(images: list[str], splits: list[str]) -> tuple[dict[str, Any], dict[str, str]]:
    """Each split's data.yaml entry, and the image lists to write beside the data.yaml.

    A split is written as its images' folders, without a folder that lies inside
    another of them (Ultralytics reads a folder's subfolders too, and would take
    their images twice). When one of those folders also holds (at any depth) an
    image of another split (splits read from ``.txt`` lists of one folder, as
    Ultralytics' ``autosplit`` makes them), the split is written as the list
    ``<split>.txt`` instead, one ``./<image>`` per line (Ultralytics resolves
    ``./`` against the list's folder): folders would merge the splits.

    Returns
    -------
    entries, lists
        ``{split: folder, folders or list file}`` in the order of ``SPLITS``, and
        ``{list file name: its text}``.
    """
    pairs = dict.fromkeys(  # (folder, split) once each, in the images' order
        zip((image.rpartition("/")[0] for image in images), splits, strict=True)
    )
    folders: dict[str, dict[PurePosixPath, None]] = {}
    owners: dict[PurePosixPath, set[str]] = {}  # folder -> splits with an image at or below it
    for text, split in pairs:
        parent = PurePosixPath(text or ".")
        folders.setdefault(split, {})[parent] = None
        for folder in (parent, *parent.parents):
            owners.setdefault(folder, set()).add(split)
    entries: dict[str, Any] = {}
    lists: dict[str, str] = {}
    for split in SPLITS:
        if split not in folders:
            continue
        own = folders[split]  # a dict: membership in constant time
        outermost = [f for f in own if not any(p in own for p in f.parents)]
        if all(owners[f] == {split} for f in outermost):
            names = [str(f) for f in outermost]
            entries[split] = names[0] if len(names) == 1 else names
            continue
        name = f"{split}.txt"
        entries[split] = name
        lists[name] = "".join(
            f"./{image}\n" for image, of in zip(images, splits, strict=True) if of == split
        )
    return entries, lists


def _yaml(
    ds: xr.Dataset,
    entries: dict[str, Any],
    names: dict[int, str],
    flip: list[int] | None,
) -> str:
    import yaml

    keypoints = [str(v) for v in ds[model.KEYPOINT].values]
    header = "# YOLO pose dataset written by posebridge (images are not copied)\n"
    if "val" not in entries and "train" in entries:
        # Ultralytics' check_det_dataset requires train and val: without val rows, val
        # names the train images (its own quick setup); posebridge reads them once, as train
        train = entries["train"]
        val = list(train) if isinstance(train, list) else train  # a copy: no YAML alias
        entries = {"train": train, "val": val, **entries}
        header += (
            "# no image is in the val split: val names the train images, as Ultralytics "
            "requires a val entry\n"
        )
    content: dict[str, Any] = dict(entries)
    content["kpt_shape"] = [len(keypoints), 3]
    if flip is not None:  # without it Ultralytics turns its left-right flips off
        content["flip_idx"] = flip
    content["nc"] = len(names)
    content["names"] = names
    content["kpt_names"] = {i: list(keypoints) for i in names}  # no YAML aliases
    if "skeleton_edges" in ds:  # sleap-io's keys (its skeleton: nodes, edges from 0)
        content["node_names"] = list(keypoints)
        content["skeleton"] = _skeleton(ds, keypoints)
    return header + yaml.safe_dump(content, sort_keys=False, default_flow_style=None)


def _skeleton(ds: xr.Dataset, keypoints: list[str]) -> list[list[int]]:
    """``skeleton_edges`` as sleap-io's ``skeleton``: pairs of keypoint indices from 0.

    An edge naming a keypoint the dataset does not have is left out, as COCO's
    writer leaves it out.
    """
    pairs = np.asarray(ds["skeleton_edges"].values).astype(str).reshape(-1, 2)
    index = pd.Index(keypoints).get_indexer(pairs.ravel()).reshape(-1, 2)
    return index[(index >= 0).all(axis=1)].tolist()


def _flip_idx(ds: xr.Dataset) -> list[int] | None:
    """data.yaml's ``flip_idx`` from ``skeleton_symmetries``; ``None`` without a pair.

    Ultralytics flips training images left-right (``fliplr=0.5``) unless
    ``flip_idx`` is absent, and swaps the keypoints as ``flip_idx`` says. An
    identity list for a dataset that holds no symmetries would flip images
    without swapping its left and right keypoints: wrong labels, silently. With
    the key absent, Ultralytics turns the flips off (and says so). A dataset
    read from a data.yaml whose ``flip_idx`` was the identity (every keypoint
    its own mirror image, ``attrs["yolo_flip_idx"] == "identity"``) gets it back.
    """
    keypoints = [str(v) for v in ds[model.KEYPOINT].values]
    identity = list(range(len(keypoints)))
    kept = identity if ds.attrs.get(FLIP_IDX_ATTR) == IDENTITY else None
    if "skeleton_symmetries" not in ds:
        return kept
    flip = list(range(len(keypoints)))
    index = {name: i for i, name in enumerate(keypoints)}
    for a, b in np.asarray(ds["skeleton_symmetries"].values).astype(str).reshape(-1, 2):
        if a in index and b in index and a != b:
            flip[index[a]], flip[index[b]] = index[b], index[a]
    if sorted(flip) != list(range(len(keypoints))):
        raise SchemaError(
            "skeleton_symmetries pair a keypoint with two others; YOLO's flip_idx swaps each "
            "keypoint with one partner at most: keep one pair per keypoint."
        )
    return flip if flip != identity else kept
