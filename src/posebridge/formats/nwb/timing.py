"""Time in NWB terms: series sample times, and frame numbers turned into seconds.

sleap-io's NWB functions describe time by the video (``video_timestamps``: the
time of every video frame, or ``video_sample_rate``); sleap-io's ``Labels``
index frames. These functions convert between the two views without ever
inventing a time.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import xarray as xr

from posebridge import model
from posebridge.errors import PoseBridgeError, brief, user_stacklevel, with_command_line_wording
from posebridge.formats.nwb.common import regular_times

__all__ = ["retime", "series_times", "with_frame_numbers"]


def retime(ds: xr.Dataset, *, timestamps: Any = None, rate: float | None = None) -> xr.Dataset:
    """Time in seconds from the video's frame times or frame rate; frames kept in ``frame``.

    Parameters
    ----------
    ds
        A poses dataset whose frame numbers are known.
    timestamps
        The time (s) of every video frame, indexed by frame number.
    rate
        Frames per second (time = frame / rate), when ``timestamps`` is not given.

    Returns
    -------
    xarray.Dataset
        ``ds`` unchanged when neither is given.

    Raises
    ------
    PoseBridgeError
        When the frames are unknown, beyond the timestamps, or the times do not increase.

    Examples
    --------
    >>> import numpy as np, posebridge
    >>> ds = posebridge.from_numpy(np.zeros((3, 2, 1, 1)))
    >>> retime(ds, rate=2.0).time.values.tolist()
    [0.0, 0.5, 1.0]
    """
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
        try:
            if isinstance(timestamps, str | bytes | dict):  # numpy would take text digits
                raise TypeError
            stamps = np.asarray(timestamps, dtype=np.float64).reshape(-1)
        except (TypeError, ValueError):
            raise PoseBridgeError(
                "video_timestamps must be a list or array of numbers (seconds, one per video "
                f"frame), got {brief(timestamps)}."
            ) from None
        if frames.size and (frames.min() < 0 or frames.max() >= stamps.size):
            raise PoseBridgeError(
                f"video_timestamps has {stamps.size} entries but the dataset has frames "
                f"{int(frames.min())}..{int(frames.max())}."
            )
        time = stamps[frames]
    else:
        try:
            if isinstance(rate, bool | np.bool_ | bytes):  # float() takes them: not a rate
                raise TypeError
            value = float(rate)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            raise PoseBridgeError(f"video_sample_rate must be a number, got {rate!r}.") from None
        if not np.isfinite(value) or value <= 0:
            raise PoseBridgeError(f"video_sample_rate must be positive, got {rate!r}.")
        time = frames / value
        out.attrs["fps"] = value
    if time.size > 1 and not np.all(np.diff(time) > 0):
        raise PoseBridgeError("the video timestamps of the dataset's frames are not increasing.")
    out = out.assign_coords({model.TIME: time, model.FRAME: (model.TIME, frames)})
    out.attrs["time_unit"] = "seconds"
    return out


def with_frame_numbers(ds: xr.Dataset, fps: float | None, where: Any) -> xr.Dataset:
    """A dataset whose frame numbers are known, as frame-indexed tools (sleap-io) need.

    With ``fps`` the seconds become frames; a file timed in whole seconds with no
    rate is taken as frame numbers, with a warning (sleap-io writes 1 s per
    frame by default): time then holds those frame numbers, in frames, so
    that nothing is said to be lost later; other seconds without a rate are
    refused. A file with no sample has no frame to number: it is returned, in
    frames, for the caller's own refusal (no keypoint...) to say what it lacks.

    Examples
    --------
    >>> import numpy as np, posebridge
    >>> ds = posebridge.from_numpy(np.zeros((3, 2, 1, 1)), fps=10)
    >>> with_frame_numbers(ds, None, "x.nwb").frame.values.tolist()
    [0, 1, 2]
    """
    if fps is not None:
        return model.with_file_fps(ds, fps, where)
    if model.frame_numbers(ds) is not None:
        return ds
    time = np.asarray(ds[model.TIME].values, dtype=np.float64)
    if not time.size:  # no sample: no frame to number (what the file holds is said later)
        return ds.assign_coords({model.TIME: time.astype(np.int64)}).assign_attrs(
            time_unit="frames"
        )
    if np.all(time == np.round(time)) and time.min() >= 0:
        warning = UserWarning(
            f"{where}: the file's times are whole seconds with no frame rate; they are taken "
            "as frame numbers (sleap-io writes 1 s per frame by default). Pass fps= when "
            "they are real seconds."
        )
        wording = {"Pass fps= when": "Give --fps (e.g. --fps 30) when"}
        warnings.warn(with_command_line_wording(warning, wording), stacklevel=user_stacklevel())
        # taken as frames, the times are frame numbers: nothing in seconds is left to lose
        frames = ds.assign_coords({model.TIME: time.astype(np.int64)})
        return frames.assign_attrs(time_unit="frames")
    refused = PoseBridgeError(
        f"{where}: sleap-io Labels index video frames, but the file's times are seconds "
        "with no frame rate; pass fps= (e.g. load_nwb(path, fps=30)) or "
        "return_type='dataset'."
    )
    # the command line reads datasets: only the frame rate is to give there
    wording = {
        "pass fps= (e.g. load_nwb(path, fps=30)) or return_type='dataset'.": (
            "give the frame rate with --fps (e.g. --fps 30)."
        )
    }
    raise with_command_line_wording(refused, wording)


def series_times(series: Any) -> np.ndarray:
    """The sample times (s) of an in-memory series: its timestamps, else start + n / rate.

    Raises
    ------
    PoseBridgeError
        When the series has several samples and no usable rate (sleap-io writes
        ``rate=0`` for sparse tracks): its times cannot be known.

    Examples
    --------
    >>> series_times(pynwb_series)  # doctest: +SKIP
    array([0.  , 0.033, ...])
    """
    timestamps = getattr(series, "timestamps", None)
    if timestamps is not None:
        if hasattr(timestamps, "timestamps"):  # linked to another series' timestamps
            timestamps = timestamps.timestamps
        return np.asarray(timestamps[:], dtype=np.float64)
    n = int(np.asarray(series.data).shape[0]) if series.data is not None else 0
    start = float(series.starting_time or 0.0)
    rate = series.rate
    if rate is None or not np.isfinite(rate) or rate <= 0:
        if n <= 1:
            return np.full(n, start)
        raise PoseBridgeError(
            f"series {series.name!r} has {n} samples and rate {rate!r}, so the times of its "
            "samples are unknown."
        )
    return regular_times(start, n, float(rate))
