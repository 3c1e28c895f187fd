"""NWB with sleap-io's names: code written for ``sleap_io.io.nwb`` runs unchanged.

Every function takes what sleap-io's takes, under sleap-io's parameter names
and defaults (``labels``, ``filename``, ``nwbfile_path``, ``nwbfile``,
``nwb_format``, ``nwb_file_kwargs``, ``pose_estimation_metadata``), and more:
``labels`` may be a ``sleap_io.Labels`` or a posebridge dataset::

    import sleap_io as sio
    from posebridge.io import nwb

    labels = sio.load_slp("predictions.slp")
    nwb.save_nwb(labels, "session.nwb")  # one PoseEstimation per track
    labels = nwb.load_nwb("session.nwb")  # a sleap_io.Labels again

**What the readers return.** ``load_nwb`` and ``read_nwb`` take
``return_type``: ``"labels"`` (a ``sleap_io.Labels``, as sleap-io returns),
``"dataset"`` (a posebridge dataset), or ``"auto"`` (the default):
``Labels`` when sleap-io can be imported, else a dataset. ``posebridge.load``
always gives a dataset.

**Layout.** Predictions are written in sleap-io's layout by default
(``layout="sleap-io"``): sleap-io's own names (module
``SLEAP_VIDEO_<iii>_<video stem>`` per video, PoseEstimation
``track=<name>``, Device ``camera_<i>``, Skeletons in ``behavior``), which
``sleap_io.load_nwb`` reads, so code that reads what it wrote with sleap-io
keeps working. It keeps all that posebridge's layout keeps of Labels (tracks,
point scores, skeleton, times) and the video's path, and holds several videos.
Neither keeps instance or tracking scores (ndx-pose has no place for them:
written with a warning naming them; read back, an instance's score is the mean
of its point scores, as sleap-io gives it).
``layout="posebridge"`` (module ``behavior``, one PoseEstimation per track,
``posebridge.save``'s layout) is needed for camera views and for keypoint
names that cannot name an NWB series (``/``, ``:``), which the sleap-io
layout refuses; sleap-io cannot read such files.

**Annotations with predictions.** Labels holding user *and* predicted
instances are saved (``nwb_format="auto"`` or ``"annotations"``) as the user
instances in a PoseTraining and every predicted instance, with its point
scores, as PoseEstimation beside it in the same file (with a warning: sleap-io's
``load_nwb`` reads only the PoseTraining of such a file). sleap-io 0.9.5
writes the predictions into the PoseTraining as if they were labels, losing
their scores, and reads them back as user instances. ``load_nwb`` here reads
both parts back into one ``Labels``. ``"annotations_export"`` leaves the
predictions out, as sleap-io does, with a warning.

Differences from sleap-io, on purpose: tracks survive the round trip through
posebridge (sleap-io 0.9.5's reader drops the Track objects of any file,
its own included); times are ``frame / video_sample_rate`` (sleap-io
multiplies) and a 29.97 Hz rate stays 29.97; every series keeps all its rows
(NaN where a point is missing); files are written all-or-nothing, and appending leaves
the original intact on error. Annotations (labelled frames) are written as
ndx-pose ``PoseTraining`` without needing the videos; ``"annotations_export"``
also writes the labelled frames' images into an MJPEG
``<stem>.annotated_frames.avi`` beside the file (needs the ``video`` extra).
"""

from __future__ import annotations

import contextlib
import os
import warnings
from collections.abc import Iterator
from enum import StrEnum
from pathlib import Path
from typing import Any

import ndx_pose  # noqa: F401 - registers ndx-pose's types now, as sleap-io's nwb module does
import numpy as np
import xarray as xr

from posebridge import bridges, errors, model
from posebridge.errors import PoseBridgeError, user_stacklevel
from posebridge.formats.nwb import NWBFileSaveConfig  # movement.io.nwb has this name
from posebridge.io._nwb_labels import (
    annotations_dataset,
    count_predicted,
    labels_skeleton_name,
    one_video_predictions,
    prepared_predictions,
    user_instance_order,
    write_annotations_and_predictions,
)
from posebridge.model import labels as labels_model

__all__ = [
    "ConfigKwargsType",
    "NWBFileSaveConfig",
    "NwbFormat",
    "append_nwb",
    "append_nwb_data",
    "get_timestamps",
    "load_nwb",
    "read_nwb",
    "save_nwb",
    "write_nwb",
]

PathLike = str | os.PathLike[str]
RETURN_TYPES = ("auto", "labels", "dataset")

#: movement.io.nwb's type of an ``NWBFileSaveConfig`` field: keyword arguments shared by
#: every individual, or per individual name.
ConfigKwargsType = dict[str, Any] | dict[str, dict[str, Any]]


class NwbFormat(StrEnum):
    """What ``save_nwb`` writes (sleap-io's names)."""

    AUTO = "auto"
    ANNOTATIONS = "annotations"
    ANNOTATIONS_EXPORT = "annotations_export"
    PREDICTIONS = "predictions"


# --------------------------------------------------------------------------
# arguments


def _check_input(value: Any, name: str = "labels") -> None:
    """A TypeError unless ``value`` is a Labels, a dataset or a list of datasets."""
    if bridges.is_sleap_io_labels(value) or isinstance(value, xr.Dataset):
        return
    if isinstance(value, list | tuple) and value and all(isinstance(v, xr.Dataset) for v in value):
        return
    raise errors.TypeError(
        f"{name} must be a sleap_io.Labels or a posebridge (xarray) Dataset, "
        f"got {type(value).__name__}."
    )


def _check_path(value: Any, name: str) -> None:
    if not isinstance(value, str | os.PathLike):
        raise errors.TypeError(
            f"{name} must be a path (str or os.PathLike), got {type(value).__name__}."
        )


def _check_metadata(value: Any, name: str) -> None:
    if value is not None and not isinstance(value, dict):
        raise errors.TypeError(f"{name} must be a dict or None, got {type(value).__name__}.")


def _check_layout(layout: str) -> None:
    from posebridge.formats.nwb import LAYOUTS

    if layout not in LAYOUTS:
        raise PoseBridgeError(f"layout must be one of {LAYOUTS}, got {layout!r}.")


# --------------------------------------------------------------------------
# reading


def _return_type(return_type: str) -> str:
    if return_type not in RETURN_TYPES:
        raise PoseBridgeError(f"return_type must be one of {RETURN_TYPES}, got {return_type!r}.")
    if return_type == "auto":
        try:
            import sleap_io  # noqa: F401
        except ImportError:
            return "dataset"
        return "labels"
    if return_type == "labels":  # refused before the file is read
        bridges.require_sleap_io("return_type='labels'")
    return return_type


def _prediction_datasets(filename: PathLike) -> list[xr.Dataset]:
    """Predictions of an NWB file, one dataset per sleap-io video module when it has several."""
    from posebridge.formats import nwb

    return nwb.read_all_videos(filename)


def with_point_score_means(ds: xr.Dataset) -> xr.Dataset:
    """Predictions read from NWB, with ``instance_score`` the mean of the point scores.

    NWB stores point scores only; sleap-io's ``load_nwb`` scores each predicted
    instance with their mean, so code that filters on ``instance.score`` keeps
    working. Here the mean is over the points present, those with a position and a
    score (sleap-io gives NaN as soon as one point is missing); a missing point's
    score (SLEAP's 0) counts for nothing. A dataset that has an ``instance_score`` already
    is left as it is.

    Parameters
    ----------
    ds
        A poses dataset read from an NWB file.

    Returns
    -------
    xarray.Dataset
        ``ds``, with ``instance_score`` (time, individual) when it had none.

    Examples
    --------
    >>> import numpy as np
    >>> from posebridge import from_numpy
    >>> scores = np.array([[[0.2], [0.6]], [[np.nan], [0.5]]])  # (time, keypoint, individual)
    >>> ds = from_numpy(np.zeros((2, 2, 2, 1)), scores, keypoint_names=["a", "b"])
    >>> with_point_score_means(ds).instance_score.values.ravel().round(2).tolist()
    [0.4, 0.5]
    >>> ds["position"][0, :, 1] = np.nan  # the first frame's point b missing: score 0.6 unused
    >>> with_point_score_means(ds).instance_score.values.ravel().round(2).tolist()
    [0.2, 0.5]
    """
    if "instance_score" in ds or "confidence" not in ds:
        return ds
    confidence = ds["confidence"]
    if model.KEYPOINT not in confidence.dims:  # individual-wise confidence already
        return ds
    # a missing point (NaN position) is no point of the instance, whatever its score
    # (SLEAP scores one 0, which NWB keeps)
    present = confidence.notnull() & ds["position"].notnull().all(model.SPACE)
    total = confidence.where(present, 0.0).sum(model.KEYPOINT)
    count = present.sum(model.KEYPOINT)
    mean = (total / count.where(count > 0)).transpose(model.TIME, model.INDIVIDUAL)
    return ds.assign(instance_score=mean.drop_vars(model.SPACE, errors="ignore"))


def read_nwb(path: PathLike, *, return_type: str = "auto", fps: float | None = None) -> Any:
    """Read the PoseEstimation (predictions) data of an NWB file (sleap-io's ``read_nwb``).

    Parameters
    ----------
    path
        The ``.nwb`` file: any ndx-pose layout (sleap-io's, posebridge's,
        DeepLabCut / NeuroConv's...).
    return_type
        ``"labels"``: a ``sleap_io.Labels`` (tracks kept, one ``Video`` per
        sleap-io video module); ``"dataset"``: a posebridge dataset, or a list
        of them, one per video (each with its ``video_path``), for a file of
        several videos in sleap-io's layout, as
        :func:`posebridge.from_sleap_io` gives the Labels' predictions;
        ``"auto"`` (default): Labels when sleap-io is installed.
    fps
        For Labels from a file timed in seconds: the frame rate that turns
        times into frame numbers.

    Returns
    -------
    sleap_io.Labels, xarray.Dataset or list of xarray.Dataset
        The predictions; the Labels' ``provenance`` holds ``path`` as given
        under ``"filename"``, as sleap-io's.

    Examples
    --------
    >>> from posebridge.io import nwb
    >>> labels = nwb.read_nwb("predictions.nwb")  # doctest: +SKIP
    >>> ds = nwb.read_nwb("predictions.nwb", return_type="dataset")  # doctest: +SKIP
    """
    _check_path(path, "path")
    kind = _return_type(return_type)
    from posebridge.formats import nwb

    with _labelled_frames_read_by_load_nwb():
        if kind == "dataset":
            datasets = nwb.read_all_videos(path, fps=fps)
            return datasets[0] if len(datasets) == 1 else datasets

        datasets = [
            with_point_score_means(nwb.with_frame_numbers(d, fps, path))
            for d in _prediction_datasets(path)
        ]
    return _with_provenance_of_sleap_io(_as_labels(datasets, path), {"filename": path})


@contextlib.contextmanager
def _labelled_frames_read_by_load_nwb() -> Iterator[None]:
    """Refusing a file of labelled frames only, point to what reads them here.

    The NWB reader's refusal suggests ``content='labels'``, which :func:`read_nwb`
    (predictions only, as sleap-io's) does not take; :func:`load_nwb` reads them.

    Yields
    ------
    None

    Examples
    --------
    >>> with _labelled_frames_read_by_load_nwb():  # doctest: +SKIP
    ...     nwb.read_all_videos("labels.nwb")
    """
    from posebridge.formats.nwb.combine import TRAINING_ONLY_ADVICE

    try:
        yield
    except errors.KeyNotFoundError as error:
        if not error.problem.endswith(TRAINING_ONLY_ADVICE):
            raise
        problem = error.problem.removesuffix(TRAINING_ONLY_ADVICE) + (
            "read_nwb reads predictions (PoseEstimation) only, as sleap-io's does; read the "
            "labelled frames with posebridge.io.nwb.load_nwb(path), which gives them as "
            "sleap_io.Labels."
        )
        raise errors.KeyNotFoundError(error.path, problem) from error


def load_nwb(
    filename: PathLike,
    *,
    return_type: str = "auto",
    fps: float | None = None,
    open_videos: Any = None,
    lazy: Any = None,
) -> Any:
    """Read an NWB file: its annotations (PoseTraining) and its predictions (PoseEstimation).

    As sleap-io decides, a file with a PoseTraining gives its labelled frames
    (user instances; a labels dataset, see :mod:`posebridge.labels`), any
    other its PoseEstimation data (predicted instances). A file with both (as
    :func:`save_nwb` writes Labels of user and predicted instances) gives,
    as ``Labels``, both in one ``Labels``: the predictions join the labelled
    frames of their video (sleap-io reads only the annotations); as a
    dataset, the annotations, with a warning.

    Parameters
    ----------
    filename
        The ``.nwb`` file.
    return_type
        ``"labels"`` (a ``sleap_io.Labels``), ``"dataset"`` or ``"auto"``
        (default: Labels when sleap-io is installed, else a dataset).
    fps
        See :func:`read_nwb`.
    open_videos, lazy
        Accepted and ignored, as by sleap-io's ``load_nwb`` (its ``load_file``
        passes them to every loader; NWB does not use them).

    Returns
    -------
    sleap_io.Labels or xarray.Dataset
        What the file holds. The Labels' ``provenance`` is sleap-io's: the
        file's ``Path`` under ``"filename"`` when predictions were read,
        empty for annotations.

    Examples
    --------
    >>> from posebridge.io import nwb
    >>> labels = nwb.load_nwb("session.nwb")  # doctest: +SKIP
    >>> labels = nwb.load_nwb("session.nwb", open_videos=False)  # doctest: +SKIP
    """
    from posebridge.formats import nwb

    _check_path(filename, "filename")
    kind = _return_type(return_type)
    info = nwb.file_info(filename)
    if not info.training:
        read = read_nwb(filename, return_type=kind, fps=fps)
        if kind == "dataset":
            return read
        return _with_provenance_of_sleap_io(read, {"filename": Path(filename)})
    ds = nwb.load_nwb_labels(filename)
    if kind != "dataset":
        ds = _complete_as_sleap_io_reads(ds)
    if not info.containers:
        return ds if kind == "dataset" else _with_provenance_of_sleap_io(bridges.to_sleap_io(ds))
    if kind == "dataset":
        warnings.warn(
            f"{filename}: the file holds predictions (PoseEstimation) beside its annotations "
            "(PoseTraining); this dataset holds the annotations. Read the predictions with "
            "read_nwb(..., return_type='dataset'), or both as one sleap_io.Labels with "
            "return_type='labels'.",
            UserWarning,
            stacklevel=user_stacklevel(),
        )
        return ds
    predictions = [
        with_point_score_means(nwb.with_frame_numbers(d, fps, filename))
        for d in _prediction_datasets(filename)
    ]
    labels = _as_labels([ds, *predictions], filename)
    return _with_provenance_of_sleap_io(_in_written_track_order(labels, info.containers))


def _in_written_track_order(labels: Any, containers: list[Any]) -> Any:
    """``labels`` with its tracks in the order the Labels written had them.

    ``save_nwb`` of Labels of user and predicted instances ranks the predictions'
    tracks among all the tracks it writes (``[posebridge individual i/n: name]``, ``n``
    every track); the tracks of the annotations only take the ranks left, in the
    annotations' order. Read without this, the annotations' tracks came first. A
    file whose tags do not rank every track so (another writer's containers, one
    written before, appended to) keeps the order as read.

    Parameters
    ----------
    labels : sleap_io.Labels
        The annotations and predictions read, annotations' tracks first.
    containers : list
        The file's PoseEstimation containers (``file_info(path).containers``).

    Returns
    -------
    sleap_io.Labels
        ``labels``, its ``tracks`` reordered in place when the tags give the order.

    Examples
    --------
    >>> labels = _in_written_track_order(labels, nwb.file_info(path).containers)  # doctest: +SKIP
    """
    from posebridge.formats.nwb.common import individual_tag_count, parse_individual_tag

    names = [str(track.name) for track in labels.tracks]
    ranks: dict[str, int] = {}
    for container in containers:
        tag = parse_individual_tag(container.description)
        if tag is None or individual_tag_count(container.description) != len(names):
            return labels  # not ranked among every track: as read
        if ranks.setdefault(tag[1], tag[0]) != tag[0]:
            return labels
    taken = set(ranks.values())
    if (
        not ranks
        or not set(ranks) <= set(names)
        or len(taken) != len(ranks)
        or max(taken) >= len(names)
    ):
        return labels
    free = iter(sorted(set(range(len(names))) - taken))  # the annotations' tracks, in order
    place = {name: ranks[name] if name in ranks else next(free) for name in names}
    labels.tracks = sorted(labels.tracks, key=lambda track: place[str(track.name)])
    return labels


def _complete_as_sleap_io_reads(ds: xr.Dataset) -> xr.Dataset:
    """The labels read from NWB with SLEAP's per-point ``complete`` flag as sleap-io reads
    it: NWB stores no such flag, and ``sleap_io.load_nwb`` gives ``False``. Points marked
    not visible stay complete, so that a user instance whose points are all marked so is
    kept when the Labels are written again (as SLEAP's GUI marks such points)."""
    hidden = labels_model.hidden_points(ds)
    dims = (model.TIME, model.KEYPOINT, model.INDIVIDUAL)
    return ds.assign({labels_model.COMPLETE: (dims, hidden.astype(np.float64))})


def _with_provenance_of_sleap_io(labels: Any, provenance: dict[str, Any] | None = None) -> Any:
    """``labels`` (read from NWB) with the ``provenance`` sleap-io's reader gives.

    sleap-io sets the path read (``filename``, as given to ``read_nwb``, a ``Path``
    from ``load_nwb``) for predictions and nothing for annotations. NWB keeps no
    SLEAP provenance, and :func:`posebridge.to_sleap_io`'s own keys
    (``posebridge_content``, ``source_software``) are left out: they would go into
    any ``.slp`` the user saves.
    """
    labels.provenance = dict(provenance or {})
    return labels


def _as_labels(datasets: list[xr.Dataset], path: PathLike) -> Any:
    """The datasets read from ``path`` as one ``sleap_io.Labels`` (a skeleton per list of
    keypoints); poses a Labels cannot hold (3-D, of camera views) refused naming the file."""
    try:
        return bridges.to_sleap_io(datasets)
    except errors.SchemaError as error:
        problem = str(error).removeprefix("<sleap_io.Labels>: ")
        raise errors.SchemaError(
            f"{path}: its poses cannot be read as a sleap_io.Labels: {problem} Read them "
            "as a dataset (return_type='dataset')."
        ) from None


def get_timestamps(series: Any) -> np.ndarray:
    """The sample times (seconds) of a ``PoseEstimationSeries`` (sleap-io's ``get_timestamps``).

    Its ``timestamps``, else ``starting_time + arange(n) / rate`` (sleap-io
    multiplies by the rate, which is wrong for any rate but 1).

    Raises
    ------
    PoseBridgeError
        When the series has several samples and a rate of 0 (sleap-io writes
        such series for sparse tracks): their times are unknown.

    Examples
    --------
    >>> import numpy as np, ndx_pose  # doctest: +SKIP
    >>> series = ndx_pose.PoseEstimationSeries(  # doctest: +SKIP
    ...     name="nose",
    ...     data=np.zeros((3, 2)),
    ...     unit="pixels",
    ...     reference_frame="(0,0)",
    ...     rate=30.0,
    ...     starting_time=1.0,
    ... )
    >>> get_timestamps(series)  # doctest: +SKIP
    array([1.        , 1.03333333, 1.06666667])
    """
    from posebridge.formats import nwb

    if not (hasattr(series, "data") and hasattr(series, "starting_time")):
        raise errors.TypeError(
            f"get_timestamps takes a PoseEstimationSeries (a pynwb TimeSeries), got "
            f"{type(series).__name__}."
        )
    return nwb.series_times(series)


# --------------------------------------------------------------------------
# writing


def write_nwb(
    labels: Any,
    nwbfile_path: PathLike,
    nwb_file_kwargs: dict[str, Any] | None = None,
    pose_estimation_metadata: dict[str, Any] | None = None,
    *,
    overwrite: bool = True,
    layout: str = "sleap-io",
) -> Path:
    """Write predictions to a new NWB file: one PoseEstimation per track.

    Parameters
    ----------
    labels
        A ``sleap_io.Labels`` (its predicted instances, as sleap-io writes)
        or a posebridge poses dataset.
    nwbfile_path
        The ``.nwb`` file (replaced if it exists, as in sleap-io, unless
        ``overwrite=False``).
    nwb_file_kwargs
        Keyword arguments for ``pynwb.NWBFile`` (``session_description``,
        ``identifier``, ``session_start_time``...).
    pose_estimation_metadata
        ``video_timestamps`` (seconds of every video frame) or
        ``video_sample_rate`` (Hz: time = frame / rate) to set the times;
        every other key goes to ``PoseEstimation`` (``scorer``,
        ``source_software``...): ``device`` (a pynwb ``Device``, added to the
        file if new) or ``devices`` (a list of one, or ``[]`` for none, as
        sleap-io passes it) is linked instead of ``camera_<i>``. From Labels,
        ``scorer`` defaults to the SLEAP provenance and
        ``source_software_version`` to its ``sleap_version``, as sleap-io
        writes them.
    overwrite
        Replace an existing file.
    layout
        ``"sleap-io"`` (default: the layout ``sleap_io.load_nwb`` reads) or
        ``"posebridge"`` (see the module's description).

    Returns
    -------
    pathlib.Path
        The file written.

    Raises
    ------
    TypeError
        When ``labels`` is neither Labels nor a dataset, or the path is not one.

    Examples
    --------
    >>> from posebridge.io import nwb
    >>> nwb.write_nwb(labels, "out.nwb", pose_estimation_metadata={"video_sample_rate": 30})
    ... # doctest: +SKIP
    """
    from posebridge.formats import nwb

    _check_input(labels)
    _check_path(nwbfile_path, "nwbfile_path")
    _check_metadata(nwb_file_kwargs, "nwb_file_kwargs")
    _check_metadata(pose_estimation_metadata, "pose_estimation_metadata")
    _check_layout(layout)
    datasets, config = prepared_predictions(labels, pose_estimation_metadata, nwbfile_path)
    if nwb_file_kwargs:
        config["nwbfile"] = dict(nwb_file_kwargs)
    if layout == "sleap-io":
        written = nwb.write_sleap_io(
            datasets,
            Path(nwbfile_path),
            config or None,
            overwrite=overwrite,
            skeleton_name=labels_skeleton_name(labels),
        )
        return written[0]
    ds = one_video_predictions(datasets, nwbfile_path)
    written = nwb.write(
        ds, nwbfile_path, overwrite=overwrite, split_individuals=False, metadata=config or None
    )
    return written[0]


def append_nwb(
    labels: Any,
    filename: PathLike,
    pose_estimation_metadata: dict[str, Any] | None = None,
    *,
    layout: str = "sleap-io",
) -> Path:
    """Add predictions to an existing NWB file (all or nothing; other content untouched).

    Parameters
    ----------
    labels
        A ``sleap_io.Labels`` or a posebridge poses dataset.
    filename
        The existing ``.nwb`` file.
    pose_estimation_metadata
        As :func:`write_nwb`.
    layout
        ``"sleap-io"`` (default) or ``"posebridge"``.

    Returns
    -------
    pathlib.Path
        The file.

    Examples
    --------
    >>> from posebridge.io import nwb
    >>> nwb.append_nwb(labels, "session.nwb")  # doctest: +SKIP
    """
    from posebridge.formats import nwb

    _check_input(labels)
    _check_path(filename, "filename")
    _check_metadata(pose_estimation_metadata, "pose_estimation_metadata")
    _check_layout(layout)
    datasets, config = prepared_predictions(labels, pose_estimation_metadata, filename)
    if layout == "sleap-io":
        return nwb.write_sleap_io(
            datasets,
            Path(filename),
            config or None,
            append=True,
            skeleton_name=labels_skeleton_name(labels),
        )[0]
    ds = one_video_predictions(datasets, filename)
    return nwb.write(ds, filename, append=True, metadata=config or None)[0]


def append_nwb_data(
    labels: Any,
    nwbfile: Any,
    pose_estimation_metadata: dict[str, Any] | None = None,
    skeleton_map: dict[str, Any] | None = None,
    *,
    layout: str = "sleap-io",
) -> Any:
    """Add predictions to an in-memory ``pynwb.NWBFile`` and return it.

    Parameters
    ----------
    labels
        A ``sleap_io.Labels`` or a posebridge poses dataset.
    nwbfile
        The ``pynwb.NWBFile``.
    pose_estimation_metadata
        As :func:`write_nwb`.
    skeleton_map
        Accepted for sleap-io's signature and not used: the Skeleton is made
        in the file, or reused by name when its nodes are the poses'
        keypoints (one of that name with other nodes is left alone: the poses
        get a new ``<name>_2``, with a warning). Poses with other keypoints
        than those already in the file's sleap-io layout are refused (sleap-io
        reads one skeleton per file), ``nwbfile`` left as it was.
    layout
        ``"sleap-io"`` (default) or ``"posebridge"``.

    Returns
    -------
    pynwb.NWBFile
        ``nwbfile``, with the PoseEstimation containers added.

    Examples
    --------
    >>> import pynwb  # doctest: +SKIP
    >>> nwbfile = nwb.append_nwb_data(labels, nwbfile, {"video_sample_rate": 30.0})
    ... # doctest: +SKIP
    """
    from posebridge.formats import nwb

    _check_input(labels)
    if not (hasattr(nwbfile, "processing") and hasattr(nwbfile, "create_processing_module")):
        raise errors.TypeError(f"nwbfile must be a pynwb.NWBFile, got {type(nwbfile).__name__}.")
    _check_metadata(pose_estimation_metadata, "pose_estimation_metadata")
    _check_layout(layout)
    del skeleton_map
    datasets, config = prepared_predictions(
        labels, pose_estimation_metadata, "the in-memory NWBFile"
    )
    if layout == "sleap-io":
        return nwb.write_sleap_io(
            datasets,
            Path("."),
            config or None,
            nwbfile=nwbfile,
            skeleton_name=labels_skeleton_name(labels),
        )
    ds = one_video_predictions(datasets, "the in-memory NWBFile")
    return nwb.add_to_nwbfile(nwbfile, ds, config or None)


def save_nwb(
    labels: Any,
    filename: PathLike,
    nwb_format: NwbFormat | str = NwbFormat.AUTO,
    append: bool = False,
    *,
    layout: str = "sleap-io",
) -> Path:
    """Save to NWB: predictions (PoseEstimation) or annotations (PoseTraining).

    Parameters
    ----------
    labels
        A ``sleap_io.Labels``, a poses dataset, or a labels dataset for annotations.
    filename
        The ``.nwb`` file (replaced if it exists, as in sleap-io).
    nwb_format
        ``"auto"`` (as sleap-io: annotations when Labels hold any user
        instance; for a dataset, annotations for a labels dataset, else
        predictions), ``"predictions"``, ``"annotations"`` (Labels' predicted
        instances go beside them as PoseEstimation, see the module's
        description), ``"annotations_export"`` (the annotations, and the
        labelled frames' images in ``<stem>.annotated_frames.avi`` with
        ``<stem>.frame_map.json``; predictions left out, as sleap-io).
    append
        Add to an existing file instead of writing a new one (not with
        ``"annotations_export"``). For predictions a missing file raises
        ``FileNotFoundError``; annotations are written to a new file, as in
        sleap-io. Unlike sleap-io (which ignores ``append`` for annotations
        and writes the file over), annotations are appended to an existing
        file: beside its predictions, or refused (the file left unchanged)
        when it already holds a PoseTraining.
    layout
        ``"sleap-io"`` (default) or ``"posebridge"``. For predictions, the
        layout of the PoseEstimation (see the module's description); for
        annotations, how video paths are written: as the Labels give them
        with ``"sleap-io"`` (as sleap-io writes them: ``sleap_io.load_nwb``
        takes a relative path as relative to the working folder), relative
        to the .nwb file with ``"posebridge"`` (as NWB asks; posebridge reads
        them back absolute).

    Returns
    -------
    pathlib.Path
        The file written.

    Raises
    ------
    TypeError
        When ``labels`` is neither Labels nor a dataset.
    PoseBridgeError
        For predictions from Labels without a predicted instance, annotations
        from Labels without a user instance, an unknown ``nwb_format``.

    Examples
    --------
    >>> from posebridge.io import nwb
    >>> nwb.save_nwb(labels, "predictions.nwb")  # doctest: +SKIP
    """
    _check_input(labels)
    _check_path(filename, "filename")
    _check_layout(layout)
    errors.expect_bool(append, "append")
    try:
        kind = NwbFormat(nwb_format)
    except ValueError:
        choices = ", ".join(f.value for f in NwbFormat)
        raise PoseBridgeError(
            f"nwb_format must be one of {choices}, got {nwb_format!r}."
        ) from None
    if kind is NwbFormat.AUTO:
        if bridges.is_sleap_io_labels(labels):
            user = any(len(lf.user_instances) for lf in labels.labeled_frames)
        else:
            user = isinstance(labels, xr.Dataset) and labels_model.is_labels(labels)
        kind = NwbFormat.ANNOTATIONS if user else NwbFormat.PREDICTIONS
    if kind in (NwbFormat.ANNOTATIONS, NwbFormat.ANNOTATIONS_EXPORT):
        from posebridge.formats import nwb

        ds = annotations_dataset(labels, filename)
        export = kind is NwbFormat.ANNOTATIONS_EXPORT
        if append and export:
            raise PoseBridgeError("append works with 'annotations' and 'predictions' only.")
        appending = append and Path(filename).exists()  # else written, as sleap-io does
        n_predicted = count_predicted(labels)
        if n_predicted and not export:
            return write_annotations_and_predictions(labels, ds, Path(filename), appending, layout)
        if n_predicted:
            warnings.warn(
                f"{filename}: the {n_predicted} predicted instance(s) of these Labels are not "
                "written: 'annotations_export' writes the labelled frames' user instances "
                "(sleap-io leaves predictions out too). Save them with "
                "nwb_format='predictions' or 'annotations'.",
                UserWarning,
                stacklevel=user_stacklevel(),
            )
        written = nwb.write(
            ds,
            filename,
            overwrite=not appending,
            append=appending,
            export_frames=export,
            instance_order=None if export else user_instance_order(labels, ds),
            layout=layout,
        )
        return written[0]
    if append and not Path(filename).is_file():  # as sleap-io: there is nothing to add to
        raise errors.FileNotFoundError(
            2,
            f"{filename}: does not exist; append=True adds predictions to an existing NWB "
            "file (leave append out to write a new one).",
            str(filename),
        )
    if append:
        return append_nwb(labels, filename, layout=layout)
    return write_nwb(labels, filename, layout=layout)
