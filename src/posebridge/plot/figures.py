"""The quick-look figures: trajectories, confidence, missing data, one frame's skeleton.

Each function takes a dataset (poses, boxes or labelled frames) and an optional
matplotlib ``ax``, draws, and returns the figure. Individuals keep one colour
across every figure (and :mod:`posebridge.render`'s videos).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

import numpy as np
import xarray as xr

from posebridge import model
from posebridge._colours import colour
from posebridge._recorded_warnings import dropping_warnings
from posebridge.errors import PoseBridgeError
from posebridge.model import labels
from posebridge.plot import _mpl
from posebridge.plot._select import (
    TimeRange,
    check_count,
    colour_numbers,
    decimate,
    flat_only,
    frame_row,
    named,
    select,
)
from posebridge.plot._still import (
    background,
    check_still,
    dataset_video,
    frame_in_video,
    label_image,
    still_images,
    video_of_labels,
)

__all__ = ["MAX_COLUMNS", "MAX_STEPS", "confidence", "missing", "skeleton", "trajectories"]

#: Trajectories of more time steps than this are drawn with every k-th step.
MAX_STEPS = 20_000
#: Rasters of more time steps than this are drawn in bins (the share of NaN in each).
MAX_COLUMNS = 2_000
#: Rows (individual x keypoint) of the missing-points raster: a quarter inch each, so more
#: make a figure taller than save_figure draws (and than anyone reads), found only after
#: seconds of drawing.
MAX_ROWS = 2_000

ImageLike = np.ndarray | str | os.PathLike[str] | None


def _plain(value: object) -> str:
    """A name from the data as matplotlib must be given it to show it as it is: ``$``
    escaped, so ``"a$b$c"`` is not drawn (or refused) as math text."""
    return str(value).replace("$", r"\$")


def _boxes(ds: xr.Dataset) -> bool:
    return ds.attrs.get("ds_type") == model.BBOXES


def _xy(position: xr.DataArray) -> tuple[np.ndarray, np.ndarray]:
    """x and y of a position array, dims in model order after space, values taken once."""
    order = [d for d in (model.TIME, model.KEYPOINT, model.INDIVIDUAL) if d in position.dims]
    values = np.asarray(position.transpose(model.SPACE, *order).values, dtype=float)
    return values[0], values[1]


def _projection(ds: xr.Dataset) -> str:
    """What a title adds for 3D poses, drawn as their x-y projection."""
    return " (x-y projection of 3D poses)" if ds.sizes[model.SPACE] == 3 else ""


def _no_points(ax: Any, x: np.ndarray, y: np.ndarray) -> None:
    """Say so on the axes when there is not one point to draw (every position NaN)."""
    if not (np.isfinite(x) & np.isfinite(y)).any():
        ax.text(
            0.5, 0.5, "no points: every position is NaN", ha="center", va="center",
            transform=ax.transAxes,
        )  # fmt: skip


def _lone_points(x: np.ndarray, y: np.ndarray) -> dict[str, Any]:
    """Line style that marks the points of a path with no drawn neighbour (NaN, or the
    path's end, on both sides), which a line alone would not show; ``{}`` when none.

    Examples
    --------
    >>> _lone_points(np.array([1.0, np.nan, 3.0, 4.0]), np.zeros(4))["markevery"]
    [True, False, False, False]
    """
    finite = np.isfinite(x) & np.isfinite(y)
    before = np.concatenate([[False], finite[:-1]])
    after = np.concatenate([finite[1:], [False]])
    lone = finite & ~before & ~after
    if not lone.any():
        return {}
    return {"marker": "o", "markersize": 3, "markevery": lone.tolist()}


def _time_label(ds: xr.Dataset) -> str:
    if labels.is_labels(ds):
        return "labelled frame"
    return "time (s)" if ds.attrs.get("time_unit") == "seconds" else "frame"


def trajectories(
    ds: xr.Dataset,
    *,
    individuals: Sequence[str] | str | None = None,
    keypoints: Sequence[str] | str | None = None,
    time: TimeRange | None = None,
    video: str | os.PathLike[str] | None = None,
    frame: int | None = None,
    image: ImageLike = None,
    ax: Any = None,
    max_steps: int = MAX_STEPS,
) -> Any:
    """Paths in the image plane: one line per individual (and keypoint), over a still frame.

    Parameters
    ----------
    ds
        Poses (the centroid of each individual's keypoints, or the keypoints
        chosen), boxes (the box centres), or labelled frames (points, not lines:
        labelled frames are not consecutive).
    individuals, keypoints
        Names to show (default: every individual; the centroid).
    time
        (start, end) in the dataset's time unit, inclusive; ``None`` for open.
    video, frame
        Draw over frame ``frame`` (default 0) of this video. Without it, the
        dataset's ``frame_path`` or ``video_path`` is used when it exists; a
        ``frame`` needs a video (``video``, or the dataset's ``video_path``).
        Labels drawn over a video are checked as :func:`skeleton` and
        :func:`posebridge.render.render` check them: of several videos, only the
        frames of this one (by file name, without ending) are drawn, and none or
        several matching is an error; labels of one video of another name are
        drawn with a warning; labelled still images are refused. A video
        shorter than the poses drawn (their frame numbers past its last frame)
        is drawn over with a ``UserWarning`` naming both files (a shortened copy
        of their video shows the scene; another video would not).
        3D poses are drawn as their x-y projection, never over a video.
    image
        A still frame (grey or RGB(A) array, or image file) to draw over instead; not
        with ``frame``.
    ax
        matplotlib axes to draw in (default: a new figure).
    max_steps
        Draw every k-th time step when there are more (a NaN step breaks the line
        when it is one of those drawn; the title says how many were drawn); a
        whole number, at least 1.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import numpy as np
    >>> from posebridge import from_numpy
    >>> from posebridge.plot import trajectories
    >>> ds = from_numpy(np.random.default_rng(0).uniform(0, 9, (30, 2, 2, 1)))
    >>> fig = trajectories(ds, keypoints=["keypoint_1"])
    >>> fig.axes[0].get_lines()[0].get_label()
    'id_0'
    """
    check_still(video, frame, image)
    _mpl.check_axes(ax)
    check_count(max_steps, "max_steps")
    ds = select(ds, individuals=individuals, keypoints=keypoints, time=time)
    flat_only(ds, image if image is not None else video)
    if frame is not None and image is not None:
        raise PoseBridgeError(
            f"frame={frame} picks a frame of a video; it does not go with image= (a still "
            "of its own)."
        )
    if frame is not None and video is None:
        video = dataset_video(ds)
        if video is None:
            raise PoseBridgeError(
                f"{named(ds)}frame={frame} picks a frame of a video, but no video is given "
                "(video=, --video) and the dataset names none that exists (video_path)."
            )
    if video is not None and labels.is_labels(ds):  # as skeleton and render check them
        chosen = video_of_labels(ds, video)
        if chosen is not None:  # of several videos: only the frames of this one
            ds = ds.isel({model.TIME: ds[labels.VIDEO].values.astype(str) == chosen})
    still = background(ds, video=video, frame=0 if frame is None else frame, image=image)
    ax = _mpl.axes(ax)
    if still is not None:
        _mpl.show_image(ax, still)
    drawn, step = decimate(ds, max_steps)
    x, y = _xy(drawn["position"])  # (time, [keypoint,] individual)
    if not _boxes(ds) and keypoints is None:
        with dropping_warnings(RuntimeWarning):  # a step with no keypoint: NaN centroid
            x, y = np.nanmean(x, axis=1), np.nanmean(y, axis=1)
        title = "centroid of the keypoints"
    elif _boxes(ds):
        title = "box centres"
    else:
        title = ", ".join(_plain(k) for k in ds[model.KEYPOINT].values)
    style = {"linestyle": "none", "marker": "o", "markersize": 3} if labels.is_labels(ds) else {}
    names = [_plain(n) for n in ds[model.INDIVIDUAL].values]
    hue = colour_numbers(ds)
    several = x.ndim == 3 and x.shape[1] > 1
    for i, name in enumerate(names):
        if x.ndim == 2:
            look = style or _lone_points(x[:, i], y[:, i])
            ax.plot(x[:, i], y[:, i], color=colour(hue[i]), label=name, linewidth=1, **look)
            continue
        for k, keypoint in enumerate(ds[model.KEYPOINT].values):
            label = f"{name}: {_plain(keypoint)}" if several else name
            look = {"linestyle": ("-", "--", ":", "-.")[k % 4]} if several else {}
            if style:  # labelled frames: one marker per keypoint
                look = {**style, "marker": "os^Dv<>phx"[k % 10]}
            else:
                look |= _lone_points(x[:, k, i], y[:, k, i])
            ax.plot(x[:, k, i], y[:, k, i], color=colour(hue[i]), label=label, linewidth=1, **look)
    _no_points(ax, x, y)
    if step > 1:
        title += f" (1 in {step} of {ds.sizes[model.TIME]} time steps drawn)"
    ax.set_title(f"Trajectories: {title}{_projection(ds)}")
    _mpl.space_labels(ax, ds, still is not None)
    if names:
        _mpl.legend(ax, "individual")
    return _mpl.note_inputs(ax.figure, ds, video, image)


#: The largest confidence, either sign, the histogram's axis reaches: matplotlib cannot
#: put ticks on a much wider axis (its length overflows a float). Scores beyond it (no
#: model gives them: a file's garbage) are counted in the end bins, as the title says.
LARGEST_SHOWN = 1e307


def _histogram_edges(values: np.ndarray, bins: int) -> np.ndarray:
    """Bin edges over the finite ``values`` (0 to 1 for scores in that range), within
    +-:data:`LARGEST_SHOWN`.

    Examples
    --------
    >>> _histogram_edges(np.array([0.2, 0.9]), 2).tolist()
    [0.0, 0.5, 1.0]
    >>> _histogram_edges(np.array([-1e308, 1e308]), 2).tolist()
    [-1e+307, 0.0, 1e+307]
    """
    finite = values[np.isfinite(values)]
    low, high = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
    if low >= 0 and high <= 1:
        low, high = 0.0, 1.0
    low, high = np.clip([low, high], -LARGEST_SHOWN, LARGEST_SHOWN).tolist()
    if high <= low:  # one value: a bin width that its magnitude does not swallow
        pad = max(1.0, abs(low) * 1e-6)
        low, high = (low - pad, low) if low > 0 else (low, low + pad)
    return np.linspace(low, high, bins + 1)


def confidence(
    ds: xr.Dataset,
    *,
    individuals: Sequence[str] | str | None = None,
    keypoints: Sequence[str] | str | None = None,
    time: TimeRange | None = None,
    bins: int = 40,
    ax: Any = None,
) -> Any:
    """Histogram of the confidence of each keypoint (boxes: of each individual).

    The chosen individuals are pooled; NaN (no score) is left out and counted
    in the legend. Every histogram has the same bins (0 to 1 for scores in that
    range). Scores beyond +-1e307 (:data:`LARGEST_SHOWN`: no model gives them, and
    matplotlib cannot draw an axis that wide) are counted in the end bins, as the
    title says.

    Parameters
    ----------
    ds
        A poses, boxes or labels dataset.
    individuals, keypoints, time
        As :func:`trajectories`.
    bins
        Number of bins, a whole number, at least 1.
    ax
        matplotlib axes to draw in (default: a new figure).

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import numpy as np
    >>> from posebridge import from_numpy
    >>> from posebridge.plot import confidence
    >>> ds = from_numpy(np.zeros((5, 2, 1, 1)), np.full((5, 1, 1), 0.9))
    >>> confidence(ds).axes[0].patches[0].get_data().values.sum()
    np.int64(5)
    """
    check_count(bins, "bins")
    _mpl.check_axes(ax)
    ds = select(ds, individuals=individuals, keypoints=keypoints, time=time)
    ax = _mpl.axes(ax)
    per_keypoint = "confidence" in ds and model.KEYPOINT in ds["confidence"].dims
    what = model.KEYPOINT if per_keypoint else model.INDIVIDUAL
    groups = [_plain(n) for n in ds[what].values]
    if "confidence" in ds:  # (values, group): the groups' scores pooled over the rest
        conf = ds["confidence"].transpose(what, ...)
        values = np.asarray(conf.values, dtype=float).reshape(len(groups), -1).T
    else:
        values = np.full((0, len(groups)), np.nan)
    edges = _histogram_edges(values, bins)
    if not np.isfinite(values).any():
        ax.text(0.5, 0.5, "no confidence values", ha="center", va="center", transform=ax.transAxes)
    else:
        cmap = _mpl.matplotlib().colormaps["tab20" if len(groups) > 10 else "tab10"]
        for k, name in enumerate(groups):
            column = values[:, k]
            shown = np.clip(column[np.isfinite(column)], edges[0], edges[-1])  # ends: beyond
            counts, _ = np.histogram(shown, bins=edges)
            nan = int(np.isnan(column).sum())
            label = name + (f" ({nan} NaN)" if nan else "")
            with np.errstate(over="ignore"):  # matplotlib sums edges near the float limit
                ax.stairs(counts, edges, label=label, color=cmap(k % cmap.N), linewidth=1.2)
        ax.legend(title=what, fontsize="small", ncols=2 if len(groups) > 12 else 1)
    ax.set_xlabel("confidence")
    ax.set_ylabel("count")
    beyond = np.abs(values[np.isfinite(values)]) > LARGEST_SHOWN
    note = f" (scores beyond ±{LARGEST_SHOWN:g} in the end bins)" if beyond.any() else ""
    ax.set_title(f"Confidence per {what}{note}")
    return _mpl.note_inputs(ax.figure, ds)


def missing(
    ds: xr.Dataset,
    *,
    individuals: Sequence[str] | str | None = None,
    keypoints: Sequence[str] | str | None = None,
    time: TimeRange | None = None,
    ax: Any = None,
    max_columns: int = MAX_COLUMNS,
) -> Any:
    """Where points are missing: a time x keypoint raster, one block of rows per individual.

    A cell is 1 (dark) where the point has a NaN coordinate, 0 where it is
    there. Boxes: one row per individual. With more than ``max_columns`` time
    steps, a column is a run of steps and its cell the share of them missing.

    Parameters
    ----------
    ds
        A poses, boxes or labels dataset.
    individuals, keypoints, time
        As :func:`trajectories`.
    ax
        matplotlib axes to draw in (default: a new figure).
    max_columns
        Most columns drawn, a whole number, at least 1.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import numpy as np
    >>> from posebridge import from_numpy
    >>> from posebridge.plot import missing
    >>> position = np.zeros((4, 2, 1, 1))
    >>> position[2] = np.nan
    >>> missing(from_numpy(position)).axes[0].images[0].get_array().tolist()
    [[0.0, 0.0, 1.0, 0.0]]
    """
    _mpl.check_axes(ax)
    check_count(max_columns, "max_columns")
    ds = select(ds, individuals=individuals, keypoints=keypoints, time=time)
    position = ds["position"].transpose(model.INDIVIDUAL, ..., model.SPACE, model.TIME)
    absent = np.isnan(np.asarray(position.values, dtype=float)).any(axis=-2)
    rows = absent.reshape(-1, ds.sizes[model.TIME]).astype(float)  # (individual x kp, time)
    names = [_plain(n) for n in ds[model.INDIVIDUAL].values]
    if _boxes(ds):
        row_names = names
    else:
        kps = [_plain(k) for k in ds[model.KEYPOINT].values]
        row_names = [f"{n}: {k}" for n in names for k in kps]
    if len(row_names) > MAX_ROWS:
        source = ds.attrs.get("source_file")
        raise PoseBridgeError(
            f"{source + ': ' if source else ''}{len(row_names):,} rows (individual x keypoint) "
            f"are more than the missing-points figure draws ({MAX_ROWS:,}); choose some with "
            "individuals= / keypoints= (--individual / --keypoint)."
        )
    n = rows.shape[1]
    per = max(1, -(-n // max(1, int(max_columns))))
    if per > 1:  # share missing in each run of `per` steps (the last run may be shorter)
        starts = np.arange(0, n, per)
        rows = np.add.reduceat(rows, starts, axis=1) / np.diff(np.append(starts, n))
    ax = _mpl.axes(ax, size=(8.0, max(2.5, 0.25 * len(row_names) + 1.5)))
    image = ax.imshow(
        rows,
        aspect="auto",
        interpolation="nearest",
        cmap="Greys",
        vmin=0,
        vmax=1,
        extent=(-0.5, n - 0.5, len(row_names) - 0.5, -0.5),
    )
    ax.set_yticks(range(len(row_names)), row_names, fontsize="small")
    if not _boxes(ds) and len(names) > 1:
        block = ds.sizes[model.KEYPOINT]
        for i in range(1, len(names)):
            ax.axhline(i * block - 0.5, color="tab:red", linewidth=0.8)
    per_individual = len(row_names) // max(1, len(names))
    hue = colour_numbers(ds)
    for r, tick in enumerate(ax.get_yticklabels()):
        tick.set_color(colour(hue[r // per_individual]))
    _time_axis(ax, ds)
    share = 100 * float(absent.mean()) if absent.size else 0.0
    binned = f", {per} steps per column" if per > 1 else ""
    ax.set_title(f"Missing {'boxes' if _boxes(ds) else 'points'} (dark): {share:.1f} %{binned}")
    if per > 1:
        ax.figure.colorbar(image, ax=ax, label="share missing")
    return _mpl.note_inputs(ax.figure, ds)


def _tick_texts(values: np.ndarray) -> Any:
    """How a time value is written under a tick: whole numbers in full (frame 120000,
    not 1.2e+05), other times with the decimals their steps need.

    Examples
    --------
    >>> _tick_texts(np.array([120000, 120001]))(120000)
    '120000'
    >>> _tick_texts(np.array([3600.0, 3600.0333, 3600.0667]))(3600.0333)
    '3600.03'
    """
    finite = values[np.isfinite(values)] if values.dtype.kind == "f" else values
    if values.dtype.kind in "iu" or (finite.size and (finite == np.round(finite)).all()):
        return lambda value: f"{value:.0f}"
    steps = np.diff(np.sort(finite))
    steps = steps[steps > 0]
    decimals = int(np.clip(np.ceil(-np.log10(steps.min())), 0, 6)) if steps.size else 3
    return lambda value: f"{value:.{decimals}f}"


def _time_axis(ax: Any, ds: xr.Dataset) -> None:
    """Ticks at time-step positions, labelled with the steps' time values (for labels, the
    labelled frames' indices, which a ``time=`` choice does not renumber)."""
    mpl = _mpl.matplotlib()
    values = np.asarray(ds[model.TIME].values)
    if values.size == 0:
        ax.set_xlabel(_time_label(ds))
        return

    text = _tick_texts(values)

    def label(position: float, _: Any) -> str:
        index = round(position)
        return text(values[index]) if 0 <= index < values.size else ""

    ax.xaxis.set_major_locator(mpl.ticker.MaxNLocator(8, integer=True))
    ax.xaxis.set_major_formatter(mpl.ticker.FuncFormatter(label))
    ax.set_xlabel(_time_label(ds))


def skeleton(
    ds: xr.Dataset,
    *,
    frame: int | None = None,
    individuals: Sequence[str] | str | None = None,
    video: str | os.PathLike[str] | None = None,
    image: ImageLike = None,
    ax: Any = None,
) -> Any:
    """One frame: keypoints, skeleton edges, boxes and track names, over the video frame.

    Parameters
    ----------
    ds
        A poses, boxes or labels dataset.
    frame
        The video frame number (matched through the dataset's frame numbers,
        never by position); for labels, the labelled frame's index (0..n-1).
        Default: the first frame with the most points present.
    individuals
        Names to show (default: all).
    video
        Draw over the frame of this video that the time step shown was made
        from: its frame number (for labels, the labelled frame's own
        ``frame``), so a time step that cannot be matched to a frame (time
        in seconds without fps, a labelled still image) is an error, as are
        3D poses, a video whose size is not the dataset's
        ``video_width`` x ``video_height``, and a video shorter than the poses
        (their frame numbers, for labels those of this video, past its last
        frame: not their video), as :func:`posebridge.render.render` refuses it.
        Without it, the dataset's still frame, video or (labels) the labelled
        image is used when found.
    image
        A still frame (grey or RGB(A) array, or image file) to draw over instead.
    ax
        matplotlib axes to draw in (default: a new figure).

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import numpy as np
    >>> from posebridge import from_numpy
    >>> from posebridge.plot import skeleton
    >>> ds = from_numpy(np.arange(12.0).reshape(3, 2, 2, 1), individual_names=["m"])
    >>> skeleton(ds, frame=1).axes[0].collections[0].get_offsets().tolist()
    [[4.0, 6.0], [5.0, 7.0]]
    """
    check_still(video, frame, image, from_zero=False)
    _mpl.check_axes(ax)
    ds = select(ds, individuals=individuals)
    flat_only(ds, image if image is not None else video)
    row = frame_row(ds, frame)
    one = ds.isel({model.TIME: row})
    shown_frame = frame_in_video(ds, row, video if image is None else None)
    still = background(ds, video=video, frame=shown_frame, image=image, row=row, exact_frame=True)
    ax = _mpl.axes(ax)
    if still is not None:
        _mpl.show_image(ax, still)
    names = [_plain(n) for n in ds[model.INDIVIDUAL].values]
    x, y = _xy(one["position"])  # ([keypoint,] individual)
    if _boxes(ds):
        _draw_boxes(ax, one, x, y, names)
    else:
        _draw_poses(ax, ds, x, y, names)
    if labels.is_labels(ds):
        where = f"labelled frame {row}: {_labelled_frame_source(ds, row)}"
    elif shown_frame is not None:
        where = f"frame {shown_frame}"
    else:
        where = f"time {float(one[model.TIME].values):g} s"
    _no_points(ax, x, y)
    ax.set_title(where + _projection(ds))
    _mpl.space_labels(ax, ds, still is not None)
    _mpl.legend(ax, "individual")
    # the labelled frame's own image (or video), when found, is an input too
    own = label_image(ds, row) if labels.is_labels(ds) else None
    return _mpl.note_inputs(ax.figure, ds, video, image, None if own is None else own[0])


def _labelled_frame_source(ds: xr.Dataset, row: int) -> str:
    """Where labelled frame ``row`` comes from, for a title: its video and frame number,
    or its image when it is a still image or its frame number is not known (-1).

    Examples
    --------
    >>> import numpy as np
    >>> from posebridge import labels
    >>> ds = labels.from_numpy(np.zeros((2, 2, 1, 1)), image_path=["a.png", "v/img7.png"])
    >>> _labelled_frame_source(ds, 0), _labelled_frame_source(ds, 1)
    ('a.png', 'v frame 7')
    """
    number = int(ds[model.FRAME].values[row])
    if still_images(ds)[row] or number < 0:
        image = _plain(ds[labels.IMAGE_PATH].values[row])
        video = _plain(ds[labels.VIDEO].values[row])
        return image or f"{video} (frame number unknown)"
    return f"{_plain(ds[labels.VIDEO].values[row])} frame {number}"


def _draw_poses(ax: Any, ds: xr.Dataset, x: np.ndarray, y: np.ndarray, names: list[str]) -> None:
    _mpl.matplotlib()
    from matplotlib import patheffects
    from matplotlib.collections import LineCollection

    keypoints = [str(k) for k in ds[model.KEYPOINT].values]  # as the edges name them
    edges = np.asarray(ds["skeleton_edges"].values).astype(str) if "skeleton_edges" in ds else []
    index = {k: i for i, k in enumerate(keypoints)}
    pairs = np.array(
        [(index[a], index[b]) for a, b in edges if a in index and b in index], dtype=int
    ).reshape(-1, 2)
    hue = colour_numbers(ds)
    for i, name in enumerate(names):
        ax.scatter(
            x[:, i], y[:, i], s=18, color=colour(hue[i]), label=name, zorder=3, edgecolors="w"
        )
        if pairs.size:
            segments = np.stack(
                [np.stack([x[pairs[:, 0], i], y[pairs[:, 0], i]], axis=-1),
                 np.stack([x[pairs[:, 1], i], y[pairs[:, 1], i]], axis=-1)], axis=1,
            )  # fmt: skip
            lines = LineCollection(segments, colors=colour(hue[i]), linewidths=1.5, zorder=2)
            ax.add_collection(lines)
        finite = np.isfinite(x[:, i]) & np.isfinite(y[:, i])
        if finite.any():  # the name above the highest point: least y on image axes (y down)
            highest = np.argmin if ds.sizes[model.SPACE] == 2 else np.argmax
            top = int(np.flatnonzero(finite)[highest(y[finite, i])])
            ax.annotate(
                name,
                (x[top, i], y[top, i]),
                xytext=(0, 8),
                textcoords="offset points",
                ha="center",
                color=colour(hue[i]),
                fontweight="bold",
                path_effects=[patheffects.withStroke(linewidth=2, foreground="w")],
            )
    first = next((i for i in range(len(names)) if np.isfinite(x[:, i]).any()), None)
    if first is None or len(keypoints) > 30:
        return
    for k, keypoint in enumerate(keypoints):  # keypoint names, on the first animal drawn
        if np.isfinite(x[k, first]):
            at = (x[k, first], y[k, first])
            ax.annotate(
                _plain(keypoint),
                at,
                xytext=(4, -4),
                textcoords="offset points",
                fontsize="x-small",
            )


def _draw_boxes(ax: Any, one: xr.Dataset, x: np.ndarray, y: np.ndarray, names: list[str]) -> None:
    from matplotlib.patches import Rectangle

    width, height = _xy(one["shape"])
    hue = colour_numbers(one)
    for i, name in enumerate(names):
        ax.scatter([x[i]], [y[i]], s=12, color=colour(hue[i]), label=name, zorder=3)
        if not np.isfinite([x[i], y[i], width[i], height[i]]).all():
            continue
        corner = (x[i] - width[i] / 2, y[i] - height[i] / 2)
        box = Rectangle(
            corner, width[i], height[i], fill=False, color=colour(hue[i]), linewidth=1.5
        )
        ax.add_patch(box)
        ax.annotate(name, corner, xytext=(0, 3), textcoords="offset points", color=colour(hue[i]),
                    fontweight="bold")  # fmt: skip
    ax.autoscale_view()
