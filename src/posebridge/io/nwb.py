"""NWB with sleap-io's names, working on posebridge datasets.

Code written for ``sleap_io``'s NWB functions runs with this module in its place,
passing an xarray poses dataset instead of ``sleap_io.Labels``::

    from posebridge.io import nwb

    nwb.save_nwb(ds, "session.nwb")  # predictions: one PoseEstimation per track
    ds = nwb.load_nwb("session.nwb")

Differences from sleap-io, on purpose: tracks survive the round trip; times are
``frame / video_sample_rate`` (sleap-io multiplies); a 29.97 Hz rate stays
29.97; every series keeps all its rows (NaN where a point is missing); files
are written all-or-nothing, and appending leaves the original intact on error.

Annotations are labels datasets (:mod:`posebridge.labels`), stored as ndx-pose
``PoseTraining``: ``load_nwb`` reads them from a file with a PoseTraining (as
sleap-io does), ``save_nwb`` writes them (``nwb_format="auto"`` picks
annotations for a labels dataset, predictions otherwise), and
``"annotations_export"`` also writes the labelled frames' images into an MJPEG
``<stem>.annotated_frames.avi`` beside the file (needs the ``video`` extra).
Unlike sleap-io, writing annotations needs neither the videos nor their
readability, and tracks (individuals) are kept.
"""

from __future__ import annotations

import os
from enum import StrEnum
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from posebridge import model
from posebridge.errors import PoseBridgeError
from posebridge.formats.nwb.config import NWBFileSaveConfig  # movement.io.nwb's name
from posebridge.model import labels

__all__ = [
    "NWBFileSaveConfig",
    "NwbFormat",
    "append_nwb",
    "append_nwb_data",
    "load_nwb",
    "read_nwb",
    "save_nwb",
    "write_nwb",
]

PathLike = str | os.PathLike[str]


class NwbFormat(StrEnum):
    """What ``save_nwb`` writes (sleap-io's names)."""

    AUTO = "auto"
    ANNOTATIONS = "annotations"
    ANNOTATIONS_EXPORT = "annotations_export"
    PREDICTIONS = "predictions"


_PREDICTIONS = "NWB predictions (PoseEstimation)"


def _retimed(ds: xr.Dataset, metadata: dict[str, Any]) -> xr.Dataset:
    """Apply sleap-io's ``video_timestamps`` / ``video_sample_rate`` to the time axis."""
    timestamps = metadata.pop("video_timestamps", None)
    rate = metadata.pop("video_sample_rate", None)
    if timestamps is None and rate is None:
        return ds
    frames = model.frame_numbers(ds)
    if frames is None:
        raise PoseBridgeError(
            "video_timestamps / video_sample_rate need the dataset's frame numbers, but its "
            "time is in seconds with no fps and no 'frame' coordinate."
        )
    out = ds.copy()
    out.attrs.pop("fps", None)
    if timestamps is not None:
        stamps = np.asarray(timestamps, dtype=np.float64).reshape(-1)
        if frames.size and (frames.min() < 0 or frames.max() >= stamps.size):
            raise PoseBridgeError(
                f"video_timestamps has {stamps.size} entries but the dataset has frames "
                f"{int(frames.min())}..{int(frames.max())}."
            )
        time = stamps[frames]
    else:
        try:
            value = float(rate)
        except (TypeError, ValueError):
            raise PoseBridgeError(f"video_sample_rate must be a number, got {rate!r}.") from None
        if not np.isfinite(value) or value <= 0:
            raise PoseBridgeError(f"video_sample_rate must be positive, got {rate!r}.")
        time = frames / value
        out.attrs["fps"] = value
    if time.size > 1 and not np.all(np.diff(time) > 0):
        raise PoseBridgeError("the video timestamps of the dataset's frames are not increasing.")
    out = out.assign_coords({"time": time, model.FRAME: ("time", frames)})
    out.attrs["time_unit"] = "seconds"
    return out


def _split_metadata(
    ds: xr.Dataset, pose_estimation_metadata: dict[str, Any] | None
) -> tuple[xr.Dataset, dict[str, Any]]:
    metadata = dict(pose_estimation_metadata or {})
    ds = model.validate(ds)
    labels.refuse(ds, _PREDICTIONS)
    ds = _retimed(ds, metadata)
    return ds, {"pose_estimation": metadata} if metadata else {}


def read_nwb(path: PathLike) -> xr.Dataset:
    """Read the PoseEstimation (predictions) data of an NWB file.

    Examples
    --------
    >>> from posebridge.io import nwb
    >>> ds = nwb.read_nwb("predictions.nwb")  # doctest: +SKIP
    """
    from posebridge.formats import nwb

    return nwb.load_nwb_poses(path)


def load_nwb(filename: PathLike) -> xr.Dataset:
    """Read an NWB file: its annotations (PoseTraining) if it has any, else its predictions.

    As sleap-io decides: a file with a PoseTraining gives its labelled frames
    (a labels dataset, see :mod:`posebridge.labels`), any other its
    PoseEstimation data.

    Examples
    --------
    >>> from posebridge.io import nwb
    >>> ds = nwb.load_nwb("session.nwb")  # doctest: +SKIP
    """
    from posebridge.formats import nwb

    if nwb.file_info(filename).training:
        return nwb.load_nwb_labels(filename)
    return read_nwb(filename)


def write_nwb(
    ds: xr.Dataset,
    path: PathLike,
    nwb_file_kwargs: dict[str, Any] | None = None,
    pose_estimation_metadata: dict[str, Any] | None = None,
    *,
    overwrite: bool = True,
) -> Path:
    """Write predictions to a new NWB file: one PoseEstimation per individual (track).

    Parameters
    ----------
    ds
        A poses dataset.
    path
        The ``.nwb`` file (replaced if it exists, as in sleap-io, unless
        ``overwrite=False``).
    nwb_file_kwargs
        Keyword arguments for ``pynwb.NWBFile`` (``session_description``,
        ``identifier``, ``session_start_time``...).
    pose_estimation_metadata
        ``video_timestamps`` (seconds of every video frame) or
        ``video_sample_rate`` (Hz: time = frame / rate) to set the times;
        every other key goes to ``PoseEstimation`` (``scorer``,
        ``source_software``...).
    overwrite
        Replace an existing file.

    Returns
    -------
    pathlib.Path
        The file written.

    Examples
    --------
    >>> from posebridge.io import nwb
    >>> nwb.write_nwb(ds, "out.nwb", pose_estimation_metadata={"video_sample_rate": 30})
    ... # doctest: +SKIP
    """
    from posebridge.formats import nwb

    ds, config = _split_metadata(ds, pose_estimation_metadata)
    if nwb_file_kwargs:
        config["nwbfile"] = dict(nwb_file_kwargs)
    written = nwb.write(
        ds, path, overwrite=overwrite, split_individuals=False, metadata=config or None
    )
    return written[0]


def append_nwb(
    ds: xr.Dataset, filename: PathLike, pose_estimation_metadata: dict[str, Any] | None = None
) -> Path:
    """Add predictions to an existing NWB file (all or nothing; other content untouched).

    Examples
    --------
    >>> from posebridge.io import nwb
    >>> nwb.append_nwb(ds, "session.nwb")  # doctest: +SKIP
    """
    from posebridge.formats import nwb

    ds, config = _split_metadata(ds, pose_estimation_metadata)
    return nwb.write(ds, filename, append=True, metadata=config or None)[0]


def append_nwb_data(
    ds: xr.Dataset, nwbfile: Any, pose_estimation_metadata: dict[str, Any] | None = None
) -> Any:
    """Add predictions to an in-memory ``pynwb.NWBFile`` and return it.

    Examples
    --------
    >>> import pynwb  # doctest: +SKIP
    >>> nwbfile = nwb.append_nwb_data(ds, nwbfile, {"video_sample_rate": 30.0})  # doctest: +SKIP
    """
    import ndx_pose  # noqa: F401 - registers the ndx-pose types

    from posebridge.formats.nwb.build import add_poses, storage_from
    from posebridge.formats.nwb.config import as_config

    ds, config = _split_metadata(ds, pose_estimation_metadata)
    individuals = [str(i) for i in ds["individual"].values]
    add_poses(
        nwbfile,
        ds,
        individuals,
        as_config(config or None),
        storage_from(chunked=False),
        appending=True,
    )
    return nwbfile


def save_nwb(
    ds: xr.Dataset,
    filename: PathLike,
    nwb_format: NwbFormat | str = NwbFormat.AUTO,
    append: bool = False,
) -> Path:
    """Save to NWB: predictions (PoseEstimation) or annotations (PoseTraining).

    Parameters
    ----------
    ds
        A poses dataset, or a labels dataset for annotations.
    filename
        The ``.nwb`` file (replaced if it exists, as in sleap-io).
    nwb_format
        ``"auto"`` (annotations for a labels dataset, else predictions),
        ``"predictions"``, ``"annotations"``, ``"annotations_export"`` (the
        annotations, and the labelled frames' images in
        ``<stem>.annotated_frames.avi`` with ``<stem>.frame_map.json``).
    append
        Add to an existing file instead of writing a new one (not with
        ``"annotations_export"``).

    Returns
    -------
    pathlib.Path
        The file written.

    Examples
    --------
    >>> from posebridge.io import nwb
    >>> nwb.save_nwb(ds, "predictions.nwb")  # doctest: +SKIP
    """
    try:
        kind = NwbFormat(nwb_format)
    except ValueError:
        choices = ", ".join(f.value for f in NwbFormat)
        raise PoseBridgeError(
            f"nwb_format must be one of {choices}, got {nwb_format!r}."
        ) from None
    if kind is NwbFormat.AUTO:
        kind = NwbFormat.ANNOTATIONS if labels.is_labels(ds) else NwbFormat.PREDICTIONS
    if kind in (NwbFormat.ANNOTATIONS, NwbFormat.ANNOTATIONS_EXPORT):
        from posebridge.formats import nwb

        if not labels.is_labels(ds):
            raise PoseBridgeError(
                f"nwb_format={kind.value!r} writes labelled frames (ndx-pose PoseTraining), and "
                "this dataset holds poses; build a labels dataset (posebridge.labels) or use "
                "nwb_format='predictions'."
            )
        export = kind is NwbFormat.ANNOTATIONS_EXPORT
        if append and export:
            raise PoseBridgeError("append works with 'annotations' and 'predictions' only.")
        appending = append and Path(filename).exists()
        written = nwb.write(
            ds, filename, overwrite=not appending, append=appending, export_frames=export
        )
        return written[0]
    if append and Path(filename).exists():
        return append_nwb(ds, filename)
    return write_nwb(ds, filename)
