"""Writing SLEAP analysis .h5 files (SLEAP's "matlab" layout plus sleap-io's ``dims``)."""

from __future__ import annotations

import itertools
import json
import warnings
import zlib
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from posebridge import model
from posebridge._outputs import atomic_outputs
from posebridge.errors import (
    PoseBridgeError,
    SchemaError,
    user_stacklevel,
    with_command_line_wording,
)
from posebridge.formats._shared.guards import refuse_views
from posebridge.formats._shared.hdf5 import new_file
from posebridge.formats._shared.not_kept import (
    warn_alignment_dropped,
    warn_keypoint_variables_dropped,
    warn_times_not_kept,
    warn_variables_not_written,
)
from posebridge.formats.sleap.common import (
    fixed_strings,
    individual_scores,
    is_untracked_name,
    skeleton_from_dataset,
    skeleton_name_of,
    writable_frames,
)
from posebridge.formats.sleap.project_facts import CONTENT_KEY, LABELS_PATH, provenance_of
from posebridge.formats.sleap.video_facts import facts_of, media_backend
from posebridge.model import labels

__all__ = ["write"]


def _path_text(text: str, key: str) -> str:
    """A path stored as text: valid UTF-8 (see ``utf8_text``), refused when it holds NUL."""
    if "\x00" in text:
        raise SchemaError(
            f"the {key} to store, {text!r}, holds a NUL character (\\x00), which SLEAP "
            "analysis files cannot hold; remove it (labels_path=, ds.attrs['video_path'])."
        )
    return labels.utf8_text(text)


AXES = ("frame", "track", "node", "xy")
MATLAB = ("track", "xy", "node", "frame")
LEGACY_UNTRANSPOSED = ("frame", "node", "xy", "track")
#: File attribute holding the frame number of the first column (written by posebridge).
FIRST_FRAME = "first_frame"
#: A dataset is deflate-compressed only when that saves at least this fraction of its size.
MIN_SAVING = 0.2


# --------------------------------------------------------------------------
# writing


def _scores(
    ds: xr.Dataset, name: str, n_ind: int, n_frames: int, column: np.ndarray
) -> np.ndarray:
    out = np.full((n_ind, n_frames), np.nan)
    if name in ds:
        values = ds[name]
        if set(values.dims) != {model.TIME, model.INDIVIDUAL}:
            raise PoseBridgeError(
                f"'{name}' must have dims (time, individual), got {values.dims}."
            )
        out[:, column] = values.transpose(model.INDIVIDUAL, model.TIME).values
    return out


def write(
    ds: xr.Dataset,
    path: Path,
    *,
    overwrite: bool = False,
    all_frames: bool = True,
    compression_level: int = 1,
    labels_path: str | None = None,
    drop_empty_tracks: bool = False,
) -> list[Path]:
    """Write a poses dataset as a SLEAP analysis .h5 file ("matlab" layout).

    Parameters
    ----------
    ds
        A 2-D (or 3-D, as movement writes it) poses dataset; time must map to frame
        numbers.
    path
        The output file.
    overwrite
        Replace an existing file.
    all_frames
        True (default, as SLEAP): columns run from frame 0, so every reader
        sees the real frame numbers. False: they start at the first frame and
        the ``first_frame`` attribute records it (posebridge honours it;
        sleap-io and movement number columns from 0).
    compression_level
        Deflate level (0-9, 0 = none). Each array is compressed only when a
        sample shows deflate saves at least 20 % (:data:`MIN_SAVING`): dense
        coordinates barely compress and would cost ~1 s per 40 MB, while sparse
        tracks shrink many times. Level 1 is fast and nearly as good as 9.
    labels_path
        Stored in ``labels_path``; default: the dataset's ``sleap_labels_path``
        attribute (an analysis file's, read back), else its ``source_file`` when
        it is an .slp file (as movement does), else empty.
    drop_empty_tracks
        Leave out the individuals with no position in any frame, as SLEAP's and
        sleap-io's exporters and movement's ``to_sleap_analysis_file`` do (the
        movement drop-in passes True). False (default): they are written, NaN
        everywhere, so that their names survive a round trip.

    Returns
    -------
    list of pathlib.Path
        The file written.

    Examples
    --------
    >>> from posebridge.io import save_poses
    >>> save_poses.to_sleap_analysis_file(ds, "video.analysis.h5")  # doctest: +SKIP
    """
    path = Path(path)
    refuse_views(ds, "SLEAP analysis")
    if ds.sizes[model.SPACE] == 3:  # written as movement writes them, which reads them back
        warnings.warn(
            f"{path}: SLEAP analysis files are 2-D: the z of these 3-D poses is written, as "
            "movement writes and reads it, but SLEAP and sleap-io read x and y only. Write "
            "netCDF, NWB or Anipose .csv for other tools.",
            UserWarning,
            stacklevel=user_stacklevel(),
        )
    warn_alignment_dropped(ds, path, "SLEAP analysis")
    warn_keypoint_variables_dropped(ds, path, "SLEAP analysis")
    warn_variables_not_written(
        ds, path, "SLEAP analysis", kept=("skeleton_edges", "tracking_score")
    )
    ds = individual_scores(ds)
    if drop_empty_tracks:
        ds = _without_empty_tracks(ds)
    if not 0 <= int(compression_level) <= 9:
        raise PoseBridgeError(f"compression_level must be 0-9, got {compression_level!r}.")
    frames = writable_frames(ds, path, "SLEAP analysis")
    warn_times_not_kept(ds, path, "a SLEAP analysis file")
    first = 0 if all_frames or not frames.size else int(frames.min())
    n_frames = int(frames.max()) - first + 1 if frames.size else 0
    _check_span(ds, path, frames, n_frames, all_frames)
    column = frames  # a copy of the frame numbers (model.frame_numbers): shifted in place
    column -= first
    individuals = [str(n) for n in ds[model.INDIVIDUAL].values]
    n_ind, n_nodes = len(individuals), ds.sizes[model.KEYPOINT]

    source = ds["position"].transpose(model.INDIVIDUAL, model.SPACE, model.KEYPOINT, model.TIME)
    confidence_source = model.confidence_per_keypoint(ds).transpose(
        model.INDIVIDUAL, model.KEYPOINT, model.TIME
    )
    contiguous = n_frames == column.size and _counts_up(column)
    streaming = contiguous and type(source.data).__module__.startswith("dask.")
    if streaming:  # dask arrays: written block by block along time (see _write_blocks)
        tracks = point_scores = instance_scores = tracking_scores = occupied = None
    elif contiguous:
        tracks = np.ascontiguousarray(source.values, dtype=np.float64)
        point_scores = np.ascontiguousarray(confidence_source.values, dtype=np.float64)
    else:
        tracks = np.full((n_ind, ds.sizes[model.SPACE], n_nodes, n_frames), np.nan)
        tracks[..., column] = source.values
        point_scores = np.full((n_ind, n_nodes, n_frames), np.nan)
        point_scores[..., column] = confidence_source.values
    if not streaming:
        instance_scores = _scores(ds, "instance_score", n_ind, n_frames, column)
        tracking_scores = _scores(ds, "tracking_score", n_ind, n_frames, column)
        occupied = _occupied(tracks, point_scores, instance_scores)
    track_names = individuals
    if n_ind == 1 and is_untracked_name(individuals[0]):
        track_names = []  # SLEAP's export of untracked instances: one column, no name
    skeleton = skeleton_from_dataset(ds, skeleton_name_of(ds))
    index = {name: i for i, name in enumerate(skeleton.nodes)}
    edge_inds = np.array([[index[a], index[b]] for a, b in skeleton.edges], dtype=np.int64)

    video = str(ds.attrs.get("video_path", ""))
    size = (ds.attrs.get("video_width"), ds.attrs.get("video_height"))
    backend = media_backend(video, facts_of(ds, video), size, n_frames, reader_keys=False)
    with (
        atomic_outputs([path], overwrite=overwrite) as (temporary,),
        new_file(temporary) as h5,
    ):
        if streaming:
            _write_blocks(h5, ds, source, int(compression_level))
        else:
            arrays = {
                "tracks": tracks,
                "track_occupancy": np.ascontiguousarray(occupied.T, dtype=np.uint8),
                "point_scores": point_scores,
                "instance_scores": instance_scores,
                "tracking_scores": tracking_scores,
            }
            for name, values in arrays.items():
                options = {}
                if _deflate_pays(values, int(compression_level)):
                    options = {"compression": "gzip", "compression_opts": int(compression_level)}
                dataset = h5.create_dataset(name, data=values, **options)
                dataset.attrs["dims"] = json.dumps(list(DIMS[name]))
        h5.create_dataset("track_names", data=_strings_or_empty(track_names))
        h5.create_dataset("node_names", data=_strings_or_empty(skeleton.nodes))
        edge_names = [name for pair in skeleton.edges for name in pair]
        h5.create_dataset(
            "edge_names",
            data=fixed_strings(edge_names).reshape(-1, 2) if edge_names else np.zeros(0),
        )
        h5.create_dataset("edge_inds", data=edge_inds if edge_inds.size else np.zeros(0))
        if labels_path is None:
            source = str(ds.attrs.get("source_file", ""))
            labels_path = ds.attrs.get(LABELS_PATH) or (
                source if source.lower().endswith(".slp") else ""
            )
        h5.create_dataset("labels_path", data=_path_text(str(labels_path), "labels_path"))
        h5.create_dataset("video_path", data=_path_text(str(backend["filename"]), "video_path"))
        h5.create_dataset("video_ind", data=0)
        # the source's provenance, with posebridge's mark of what the file holds
        provenance = {**provenance_of(ds), CONTENT_KEY: "poses"}
        h5.create_dataset("provenance", data=json.dumps(provenance))
        h5.attrs["preset"] = "matlab"
        h5.attrs["format"] = "analysis"
        h5.attrs[FIRST_FRAME] = np.int64(first)
        h5.attrs["skeleton_name"] = skeleton.name
        h5.attrs["skeleton_symmetries"] = json.dumps([list(p) for p in skeleton.symmetries])
        h5.attrs["video_backend_metadata"] = json.dumps(backend)
    return [path]


def _without_empty_tracks(ds: xr.Dataset) -> xr.Dataset:
    """``ds`` without the individuals whose position is NaN in every frame.

    Examples
    --------
    >>> import numpy as np
    >>> import posebridge
    >>> position = np.full((3, 2, 1, 2), np.nan)
    >>> position[1, :, 0, 1] = 4.0
    >>> ds = posebridge.from_numpy(position, individual_names=["seen_never", "seen_once"])
    >>> _without_empty_tracks(ds).individual.values.tolist()
    ['seen_once']
    """
    position = ds["position"]
    seen = position.notnull().any(dim=[d for d in position.dims if d != model.INDIVIDUAL])
    kept = np.flatnonzero(np.asarray(seen.values))  # computes a dask array: one pass
    if kept.size == ds.sizes[model.INDIVIDUAL]:
        return ds
    return ds.isel({model.INDIVIDUAL: kept})


#: A dense analysis file may hold this many frame columns per time step of the dataset
#: (beyond :data:`SPAN_FREE` columns, which any dataset may use).
SPAN_PER_STEP = 64
SPAN_FREE = 1 << 20


def _counts_up(column: np.ndarray, block: int = 1 << 20) -> bool:
    """Whether ``column`` is ``0, 1, 2, ...`` (compared a block at a time: bounded memory)."""
    for low in range(0, column.size, block):  # a loop over blocks of a million frames
        part = column[low : low + block]
        if not np.array_equal(part, np.arange(low, low + part.size)):
            return False
    return True


def _fits(n_frames: int, n_steps: int) -> bool:
    """Whether ``n_frames`` columns are few enough for ``n_steps`` time steps."""
    return n_frames <= max(SPAN_FREE, SPAN_PER_STEP * n_steps)


def _check_span(
    ds: xr.Dataset, path: Path, frames: np.ndarray, n_frames: int, all_frames: bool = True
) -> None:
    """Refuse a frame span that would make a dense file far larger than the data.

    An analysis file has one column per video frame from the first to the last,
    so one time step at frame 2e9 would ask for hundreds of GiB. The advice to
    pass ``all_frames=False`` is given only when the columns from the first frame
    would fit: it does not help frames that start near 0.
    """
    if _fits(n_frames, frames.size):
        return
    cells = n_frames * ds.sizes[model.INDIVIDUAL] * ds.sizes[model.KEYPOINT]
    gib = cells * 3 * 8 / 2**30  # x, y and score as float64
    first = int(frames.min())
    from_first = all_frames and _fits(int(frames.max()) - first + 1, frames.size)
    refused = PoseBridgeError(
        f"{path}: SLEAP analysis files hold every frame from the first to the last; these "
        f"{frames.size} time steps span {n_frames} frames, which would take about {gib:.1f} "
        "GiB. Write a .slp file (which keeps only the frames with data)"
        + (
            f", or pass all_frames=False to start the columns at the first frame, {first}."
            if from_first
            else "."
        )
    )
    raise with_command_line_wording(
        refused, {"pass all_frames=False": "pass --option all_frames=false"}
    )


#: The axes of each array, as stored (SLEAP's "matlab" layout).
DIMS = {
    "tracks": MATLAB,
    "track_occupancy": ("frame", "track"),
    "point_scores": ("track", "node", "frame"),
    "instance_scores": ("track", "frame"),
    "tracking_scores": ("track", "frame"),
}


def _occupied(tracks: np.ndarray, point_scores: np.ndarray, instance_scores: np.ndarray) -> Any:
    """(track, frame): whether a track has anything in a frame."""
    return (
        np.isfinite(tracks).any(axis=(1, 2))
        | np.isfinite(point_scores).any(axis=1)
        | np.isfinite(instance_scores)
    )


def _write_blocks(h5: Any, ds: xr.Dataset, source: xr.DataArray, level: int) -> None:
    """Write the arrays of a dask-backed dataset one block of frames at a time.

    The frames are contiguous from 0 (the caller checks). Whether deflate pays
    is judged on the first :data:`JUDGED_BYTES` of each array (its first blocks
    are held until then, so a chunk of one frame is not judged on 16 bytes).
    """
    n_ind, n_frames = source.shape[0], source.shape[-1]
    bounds = np.cumsum((0, *source.data.chunks[-1]))
    datasets: dict[str, Any] = {}
    pending: dict[str, list[tuple[int, int, np.ndarray]]] = {}
    last = len(bounds) - 2
    for number, (low, high) in enumerate(itertools.pairwise(bounds)):
        window = {model.TIME: slice(int(low), int(high))}
        block = ds.isel(window).compute(scheduler="synchronous")  # this block, here
        order = (model.INDIVIDUAL, model.SPACE, model.KEYPOINT, model.TIME)
        tracks = np.asarray(block["position"].transpose(*order).values, dtype=np.float64)
        scores = model.confidence_per_keypoint(block)
        point_scores = np.asarray(
            scores.transpose(model.INDIVIDUAL, model.KEYPOINT, model.TIME).values,
            dtype=np.float64,
        )
        n = int(high - low)
        instance_scores = _scores(block, "instance_score", n_ind, n, np.arange(n))
        tracking_scores = _scores(block, "tracking_score", n_ind, n, np.arange(n))
        values = {
            "tracks": tracks,
            "track_occupancy": np.ascontiguousarray(
                _occupied(tracks, point_scores, instance_scores).T, dtype=np.uint8
            ),
            "point_scores": point_scores,
            "instance_scores": instance_scores,
            "tracking_scores": tracking_scores,
        }
        for name, array in values.items():
            at = DIMS[name].index("frame")
            if name not in datasets:
                held = pending.setdefault(name, [])
                held.append((int(low), int(high), array))
                if sum(a.nbytes for _, _, a in held) < JUDGED_BYTES and number != last:
                    continue
                options = {}
                if _deflate_pays(np.concatenate([a for _, _, a in held], axis=at), level):
                    options = {"compression": "gzip", "compression_opts": level}
                shape = list(array.shape)
                shape[at] = n_frames
                datasets[name] = h5.create_dataset(
                    name, shape=tuple(shape), dtype=array.dtype, **options
                )
                datasets[name].attrs["dims"] = json.dumps(list(DIMS[name]))
                parts = pending.pop(name)
            else:
                parts = [(int(low), int(high), array)]
            for start, stop, part in parts:
                where = [slice(None)] * part.ndim
                where[at] = slice(start, stop)
                datasets[name][tuple(where)] = part


#: What the streaming writer judges deflate on: as much as one sample of :func:`_deflate_pays`.
JUDGED_BYTES = 1 << 16


def _deflate_pays(values: np.ndarray, level: int) -> bool:
    """Whether deflate at ``level`` shrinks ``values`` by at least :data:`MIN_SAVING`.

    Judged on up to 16 evenly spaced 64 KB samples, so the test costs little.
    Pose coordinates of tracked animals are nearly incompressible (deflate
    saves ~10 % at 40 MB/s), while sparse tracks (mostly NaN) shrink many times.
    """
    if level == 0 or values.size == 0:
        return False
    raw = memoryview(np.ascontiguousarray(values)).cast("B")
    block = 1 << 16
    starts = np.linspace(0, max(len(raw) - block, 0), num=min(16, len(raw) // block + 1))
    samples = [raw[int(start) : int(start) + block] for start in starts]
    size = sum(len(sample) for sample in samples)
    packed = sum(len(zlib.compress(sample, level)) for sample in samples)
    return packed <= (1 - MIN_SAVING) * size


def _strings_or_empty(values: list[str]) -> np.ndarray:
    """Names as fixed-width bytes; an empty list as SLEAP stores it (float64, shape (0,))."""
    return fixed_strings(values) if values else np.zeros(0)
