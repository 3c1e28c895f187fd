"""Shared hypothesis strategies: datasets of the posebridge model, drawn array by array.

Every array is drawn by hypothesis itself (``hypothesis.extra.numpy.arrays``), never made
by numpy from a drawn seed, so that a failing example shrinks to a small one. Names are
drawn as text. The strategies take the limits of a format (spatial dimensions, number of
individuals, ...) as arguments, so that one strategy serves every format's tests.

Examples
--------
>>> from hypothesis import given
>>> from strategies import poses_datasets
>>> @given(poses_datasets(n_space=(3,), max_individuals=1))
... def test_three_d(ds):
...     assert ds.sizes["space"] == 3
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import xarray as xr
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from posebridge import model
from posebridge.model import labels

__all__ = [
    "FPS",
    "NAME_CHARS",
    "bboxes_datasets",
    "box_sizes",
    "confidences",
    "coordinates",
    "frame_numbers",
    "labels_datasets",
    "names",
    "poses_datasets",
    "positions",
    "present_everywhere",
]

#: Characters of drawn names: letters, digits and the separators tools put in names
#: (no letters that spell "nan", "none" or "inf": pandas reads such text as numbers).
NAME_CHARS = "abcxyzABC019_-,/ "
#: Frame rates: NTSC's inexact one, round ones, and a slow one.
FPS = (29.97, 30.0, 7.5, 1000.0)

#: Any finite float64: large, tiny, negative, subnormal, -0.0.
coordinates = st.floats(allow_nan=False, allow_infinity=False, width=64)
#: A score in [0, 1] or NaN (no score).
confidences = st.one_of(st.floats(0, 1, width=64), st.just(np.nan))
#: A box's width or height.
box_sizes = st.floats(0, 1e6, width=64)


def names(
    count: int, *, chars: str = NAME_CHARS, max_size: int = 8
) -> st.SearchStrategy[list[str]]:
    """``count`` distinct non-blank names (no leading or trailing blanks)."""
    text = st.text(alphabet=chars, min_size=1, max_size=max_size).filter(
        lambda s: s.strip() == s and s != ""
    )
    return st.lists(text, min_size=count, max_size=count, unique=True)


def frame_numbers(
    count: int, *, max_first: int = 10_000, max_step: int = 50
) -> st.SearchStrategy[np.ndarray]:
    """``count`` strictly increasing int64 frame numbers: an offset, then gaps."""

    @st.composite
    def draw_frames(draw: st.DrawFn) -> np.ndarray:
        first = draw(st.integers(0, max_first))
        steps = draw(hnp.arrays(np.int64, count - 1, elements=st.integers(1, max_step)))
        return np.concatenate([[first], first + np.cumsum(steps)]).astype(np.int64)

    return draw_frames()


def positions(
    shape: tuple[int, ...],
    *,
    point_axis: int = 1,
    elements: st.SearchStrategy[float] = coordinates,
    nan_coordinates: bool = False,
) -> st.SearchStrategy[np.ndarray]:
    """float64 array of ``shape`` with whole points missing (NaN in every coordinate).

    ``point_axis`` is the axis of the coordinates (``space``): a point is missing as a
    whole, as every format stores it. ``nan_coordinates`` also puts NaN in single
    coordinates (a point half missing, which formats treat in their own ways).
    """

    @st.composite
    def draw_positions(draw: st.DrawFn) -> np.ndarray:
        values = draw(hnp.arrays(np.float64, shape, elements=elements))
        mask_shape = tuple(1 if i == point_axis else n for i, n in enumerate(shape))
        missing = draw(hnp.arrays(np.bool_, mask_shape))
        values[np.broadcast_to(missing, shape)] = np.nan
        if nan_coordinates:
            values[draw(hnp.arrays(np.bool_, shape))] = np.nan
        return values

    return draw_positions()


@st.composite
def present_everywhere(
    draw: st.DrawFn, position: np.ndarray, elements: st.SearchStrategy[float] = coordinates
) -> np.ndarray:
    """Give each individual (last axis) without any point one, drawn, in place.

    The point goes to the first time step (and first keypoint) of that individual.
    """
    absent = np.isnan(position).reshape(-1, position.shape[-1]).all(axis=0)
    fill = draw(hnp.arrays(np.float64, (position.shape[1], int(absent.sum())), elements=elements))
    first = (0, slice(None)) + (0,) * (position.ndim - 3)
    position[(*first, absent)] = fill.T
    return position


@st.composite
def poses_datasets(
    draw: st.DrawFn,
    *,
    n_space: Sequence[int] = (2, 3),
    max_time: int = 5,
    max_keypoints: int = 3,
    min_individuals: int = 1,
    max_individuals: int = 3,
    confidence: bool | None = None,
    fps: bool | None = None,
    gaps: bool = True,
    every_individual_present: bool = False,
    nan_coordinates: bool = False,
    name_chars: str = NAME_CHARS,
    elements: st.SearchStrategy[float] = coordinates,
    scores: st.SearchStrategy[float] = confidences,
) -> xr.Dataset:
    """A valid poses dataset (``model.from_numpy``), drawn within the given limits.

    Parameters
    ----------
    n_space
        The spatial dimensions to draw from (2, 3).
    max_time, max_keypoints, min_individuals, max_individuals
        Sizes (at least one frame and one keypoint).
    confidence
        ``True``: scores drawn (some NaN); ``False``: none (all NaN); ``None``: either.
    fps
        ``True``: time in seconds with a frame rate; ``False``: frames; ``None``: either.
    gaps
        Frame numbers with an offset and gaps; ``False``: 0..n-1.
    every_individual_present
        Give every individual at least one point (see :func:`present_everywhere`).
    nan_coordinates
        Also NaN in single coordinates (see :func:`positions`).
    name_chars
        The characters of keypoint and individual names.
    elements, scores
        The strategies of the finite coordinates and of the confidence values.
    """
    n_time = draw(st.integers(1, max_time))
    space = draw(st.sampled_from(list(n_space)))
    n_kp = draw(st.integers(1, max_keypoints))
    n_ind = draw(st.integers(min_individuals, max_individuals))
    shape = (n_time, space, n_kp, n_ind)
    position = draw(positions(shape, elements=elements, nan_coordinates=nan_coordinates))
    if every_individual_present:
        draw(present_everywhere(position, elements))
    scored = draw(st.booleans()) if confidence is None else confidence
    confidence_array = (
        draw(hnp.arrays(np.float64, (n_time, n_kp, n_ind), elements=scores)) if scored else None
    )
    ds = model.from_numpy(
        position,
        confidence_array,
        individual_names=draw(names(n_ind, chars=name_chars)),
        keypoint_names=draw(names(n_kp, chars=name_chars)),
    )
    if gaps:
        ds = ds.assign_coords(time=draw(frame_numbers(n_time)))
    timed = draw(st.booleans()) if fps is None else fps
    if timed:
        ds = model.with_fps(ds, draw(st.sampled_from(FPS)))
    return ds


@st.composite
def bboxes_datasets(
    draw: st.DrawFn,
    *,
    max_time: int = 5,
    min_individuals: int = 1,
    max_individuals: int = 3,
    confidence: bool | None = None,
    fps: bool | None = None,
    gaps: bool = True,
    every_individual_present: bool = False,
    name_chars: str = NAME_CHARS,
    elements: st.SearchStrategy[float] = coordinates,
    sizes: st.SearchStrategy[float] = box_sizes,
) -> xr.Dataset:
    """A valid bboxes dataset (``model.bboxes_from_numpy``): boxes missing as a whole.

    Parameters are those of :func:`poses_datasets`; ``sizes`` draws widths and heights;
    ``every_individual_present`` gives each track at least one box.
    """
    n_time = draw(st.integers(1, max_time))
    n_ind = draw(st.integers(min_individuals, max_individuals))
    centre = draw(positions((n_time, 2, n_ind), elements=elements))
    if every_individual_present:
        draw(present_everywhere(centre, elements))
    shape = draw(hnp.arrays(np.float64, (n_time, 2, n_ind), elements=sizes))
    shape[np.isnan(centre)] = np.nan
    scored = draw(st.booleans()) if confidence is None else confidence
    scores = (
        draw(hnp.arrays(np.float64, (n_time, n_ind), elements=confidences)) if scored else None
    )
    frames = draw(frame_numbers(n_time)) if gaps else None
    timed = draw(st.booleans()) if fps is None else fps
    return model.bboxes_from_numpy(
        centre,
        shape,
        scores,
        individual_names=draw(names(n_ind, chars=name_chars)),
        frame_array=frames,
        fps=draw(st.sampled_from(FPS)) if timed else None,
    )


#: Folders of labelled images and videos, with the blanks and depths projects have.
IMAGE_FOLDERS = ("labeled-data/v1", "labeled-data/cam 2")
VIDEOS = ("/v/a.mp4", "rel/b.avi")


@st.composite
def labels_datasets(
    draw: st.DrawFn,
    *,
    max_rows: int = 5,
    max_keypoints: int = 3,
    min_individuals: int = 1,
    max_individuals: int = 3,
    images: bool | None = None,
    every_individual_present: bool = False,
    name_chars: str = NAME_CHARS,
    elements: st.SearchStrategy[float] = coordinates,
) -> xr.Dataset:
    """A valid labels dataset (``labels.from_numpy``), 2D, rows keyed by image or video frame.

    Parameters
    ----------
    max_rows, max_keypoints, min_individuals, max_individuals
        Sizes (at least one row and one keypoint).
    images
        ``True``: every row has an image path (``labeled-data/<video>/img<frame>.png``);
        ``False``: rows are (video, frame) pairs; ``None``: either.
    every_individual_present
        Give every individual at least one point (see :func:`present_everywhere`).
    name_chars, elements
        As :func:`poses_datasets`.
    """
    n_rows = draw(st.integers(1, max_rows))
    n_kp = draw(st.integers(1, max_keypoints))
    n_ind = draw(st.integers(min_individuals, max_individuals))
    by_image = draw(st.booleans()) if images is None else images
    if by_image:
        folders = draw(st.lists(st.sampled_from(IMAGE_FOLDERS), min_size=n_rows, max_size=n_rows))
        numbers = draw(st.lists(st.integers(0, 99_999), min_size=n_rows, max_size=n_rows))
        paths = [f"{f}/img{k:05d}.png" for f, k in zip(folders, numbers, strict=True)]
        rows = {"image_path": list(dict.fromkeys(paths))}
    else:
        pairs = draw(
            st.lists(
                st.tuples(st.sampled_from(VIDEOS), st.integers(0, 2**40)),
                min_size=n_rows,
                max_size=n_rows,
                unique=True,
            )
        )
        rows = {"video": [p[0] for p in pairs], "frame": [p[1] for p in pairs]}
    n_rows = len(next(iter(rows.values())))
    position = draw(positions((n_rows, 2, n_kp, n_ind), elements=elements))
    if every_individual_present:
        draw(present_everywhere(position, elements))
    return labels.from_numpy(
        position,
        individual_names=draw(names(n_ind, chars=name_chars)),
        keypoint_names=draw(names(n_kp, chars=name_chars)),
        **rows,
    )
