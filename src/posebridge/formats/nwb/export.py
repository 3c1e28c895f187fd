"""``annotations_export``: labelled frames with their images, in an MJPEG .avi beside the NWB.

The images of the labelled frames (read from the source videos or image files)
are written in the dataset's order into one MJPEG AVI (every frame a JPEG, so
any frame can be read on its own); the NWB file's PoseTraining then points at
that AVI, frame ``k`` = labelled frame ``k``. A JSON frame map beside them keeps
where each frame came from (video, frame number, image), as sleap-io's
``frame_map.json`` does, with the same ``videos`` / ``frames`` keys.

Image files are taken as shown (their EXIF orientation applied), the frame their
labels' coordinates refer to. Frames of different sizes are padded at the right and
bottom to the largest (points keep their pixel coordinates). Decoding and
encoding need the ``video`` extra (imageio with imageio-ffmpeg); without it, or
when a video or image cannot be found or read,
:class:`~posebridge.errors.PoseBridgeError` says which.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from posebridge import model
from posebridge._outputs import atomic_outputs
from posebridge.errors import PoseBridgeError
from posebridge.formats._shared.images import as_shown, orientation
from posebridge.formats.nwb.config import NWBFileSaveConfig
from posebridge.formats.nwb.labels_file import labels_nwbfile, write_labels_nwbfile
from posebridge.model import labels

#: Frame rate written in the AVI when the dataset has none (players need one).
DEFAULT_FPS = 30.0
_MISSING_SHOWN = 5


def _imageio() -> Any:
    try:
        import imageio.v2 as iio
        import imageio_ffmpeg  # noqa: F401 - the ffmpeg plugin needs it
    except ImportError as error:
        raise PoseBridgeError(
            "annotations_export reads the labelled frames' images and writes an MJPEG video: "
            f"it needs imageio and imageio-ffmpeg ({error}). Install them with "
            "`pip install posebridge[video]`."
        ) from None
    return iio


def search_folders(
    ds: xr.Dataset, out_folder: Path, extra: Sequence[str | os.PathLike]
) -> list[Path]:
    """Where relative video and image paths are looked for, in order.

    The folders given, the output's folder, then as everywhere else
    (:func:`posebridge.labels.search_folders`): the source file's folder and its
    three parents (DeepLabCut image paths are relative to the project folder, two
    levels above ``labeled-data/<video>/CollectedData_<scorer>.h5``), and the
    working folder.
    """
    return labels.search_folders(ds.attrs.get("source_file"), [*extra, out_folder])


def _located(references: list[str], folders: list[Path]) -> list[Path | None]:
    """Each reference's file (:func:`posebridge.labels.find_files`), ``None`` when not found."""
    where = labels.find_files(references, folders).tolist()
    return [
        None if at < 0 else folders[at] / reference
        for reference, at in zip(references, where, strict=True)
    ]


def _rgb(frame: np.ndarray) -> np.ndarray:
    """An (h, w, 3) uint8 image from what a decoder returns."""
    image = np.asarray(frame)
    if image.dtype != np.uint8:
        top = np.iinfo(image.dtype).max if image.dtype.kind in "iu" else 1.0
        image = np.clip(image.astype(np.float64) / top * 255.0, 0, 255).astype(np.uint8)
    if image.ndim == 2:
        image = np.repeat(image[:, :, None], 3, axis=2)
    if image.shape[2] == 1:
        image = np.repeat(image, 3, axis=2)
    return np.ascontiguousarray(image[:, :, :3])


def _frames(ds: xr.Dataset, folders: list[Path], iio: Any) -> Iterator[np.ndarray]:
    """The image of every labelled frame, in order (one decode per frame)."""
    groups = labels.video_groups(ds)
    files: list[Path | None] = []
    image_files: list[list[Path | None] | None] = []
    missing: list[str] = []
    for name, images in zip(groups.names, groups.images, strict=True):  # a loop per video
        if images is None:
            (found,) = _located([name], folders)
            files.append(found)
            image_files.append(None)
            if found is None:
                missing.append(name or "(a video without a path)")
        else:
            located = _located(images, folders)
            missing.extend(i for i, f in zip(images, located, strict=True) if f is None)
            files.append(None)
            image_files.append(located)
    if missing:
        shown = ", ".join(missing[:_MISSING_SHOWN])
        more = (
            f" and {len(missing) - _MISSING_SHOWN} more" if len(missing) > _MISSING_SHOWN else ""
        )
        raise PoseBridgeError(
            f"annotations_export needs the labelled frames' videos or images, and cannot find "
            f"{shown}{more} (relative paths were looked for in "
            f"{', '.join(str(f) for f in folders)}). Use nwb_format='annotations' to write "
            "the labels without images, or pass search= folders."
        )
    readers: dict[int, Any] = {}
    try:
        for row in range(ds.sizes[model.TIME]):
            video = int(groups.of_row[row])
            index = int(groups.index[row])
            images = groups.images[video]
            try:
                located = image_files[video]
                if located is not None:
                    path = located[index]
                    yield _rgb(as_shown(iio.imread(path), orientation(path)))
                    continue
                if video not in readers:
                    readers[video] = iio.get_reader(files[video], format="FFMPEG")
                yield _rgb(readers[video].get_data(index))
            except PoseBridgeError:
                raise
            except Exception as error:
                what = images[index] if images is not None else f"frame {index} of {files[video]}"
                raise PoseBridgeError(
                    f"annotations_export could not read {what}: {type(error).__name__}: {error}"
                ) from error
    finally:
        for reader in readers.values():
            reader.close()


def _write_video(frames: list[np.ndarray], target: Path, fps: float, iio: Any) -> tuple[int, int]:
    height = max(f.shape[0] for f in frames)
    width = max(f.shape[1] for f in frames)
    height, width = height + height % 2, width + width % 2  # 4:2:0 chroma needs even sizes
    writer = iio.get_writer(
        target,
        format="FFMPEG",
        codec="mjpeg",
        fps=fps,
        quality=None,
        macro_block_size=1,
        pixelformat="yuvj420p",
        output_params=["-q:v", "2"],
        ffmpeg_log_level="error",
    )
    try:
        for frame in frames:
            if frame.shape[:2] != (height, width):
                padded = np.zeros((height, width, 3), dtype=np.uint8)
                padded[: frame.shape[0], : frame.shape[1]] = frame
                frame = padded
            writer.append_data(frame)
    finally:
        writer.close()
    return width, height


def export_annotations(
    ds: xr.Dataset,
    path: Path,
    config: NWBFileSaveConfig,
    *,
    overwrite: bool = False,
    mjpeg_filename: str | None = None,
    frame_map_filename: str | None = None,
    search: Sequence[str | os.PathLike] = (),
) -> list[Path]:
    """Write the labelled frames' images to an MJPEG .avi and the labels to ``path``.

    Parameters
    ----------
    ds
        A labels dataset.
    path
        The ``.nwb`` file.
    config
        NWB metadata.
    overwrite
        Replace existing files.
    mjpeg_filename, frame_map_filename
        Names of the AVI and the JSON frame map in the NWB file's folder;
        default ``<nwb stem>.annotated_frames.avi`` and
        ``<nwb stem>.frame_map.json``.
    search
        Folders to look for relative video and image paths in first.

    Returns
    -------
    list of pathlib.Path
        The NWB file, the AVI and the frame map.
    """
    iio = _imageio()
    path = Path(path)
    if ds.sizes[model.TIME] == 0:
        raise PoseBridgeError("annotations_export: the dataset has no labelled frames.")
    stem = path.name[: -len(path.suffix)] if path.suffix else path.name
    avi = path.with_name(mjpeg_filename or f"{stem}.annotated_frames.avi")
    frame_map = path.with_name(frame_map_filename or f"{stem}.frame_map.json")
    folders = search_folders(ds, path.parent.resolve(), search)
    images = list(_frames(ds, folders, iio))  # labelled frames are few: all read first
    fps = float(ds.attrs.get("fps") or DEFAULT_FPS)
    groups = labels.video_groups(ds)
    mapping = {
        "nwb_filename": path.name,
        "mjpeg_filename": avi.name,
        "videos": [
            {"filename": name, **({"filenames": imgs} if imgs is not None else {})}
            for name, imgs in zip(groups.names, groups.images, strict=True)
        ],
        "frames": [
            {
                "video_ind": int(video),
                "frame_idx": int(index),
                "video": str(name),
                "frame": int(frame),
                "image_path": str(image),
            }
            for video, index, name, frame, image in zip(
                groups.of_row,
                groups.index,
                ds[labels.VIDEO].values,
                ds[labels.FRAME].values,
                ds[labels.IMAGE_PATH].values,
                strict=True,
            )
        ],
    }
    n = ds.sizes[model.TIME]
    with atomic_outputs([path, avi, frame_map], overwrite=overwrite) as (
        tmp_nwb,
        tmp_avi,
        tmp_map,
    ):
        width, height = _write_video(images, tmp_avi, fps, iio)
        exported = ds.assign_coords(
            {
                labels.VIDEO: (model.TIME, np.full(n, str(avi.resolve()))),
                labels.FRAME: (model.TIME, np.arange(n, dtype=np.int64)),
                labels.IMAGE_PATH: (model.TIME, np.full(n, "")),
            }
        ).assign_attrs(fps=fps, video_width=width, video_height=height)
        # the AVI is written beside the .nwb: named relative to its folder, as NWB asks
        nwbfile, plan = labels_nwbfile(labels.check(exported), config, path, made=[avi])
        write_labels_nwbfile(nwbfile, plan, tmp_nwb)
        tmp_map.write_text(json.dumps(mapping, indent=1), encoding="utf-8")
    return [path, avi, frame_map]
