"""Lazy reading: :func:`open_dataset` gives a dataset whose arrays are read on demand.

For the HDF5-based formats whose layout allows it, the big arrays stay in the
file and are read region by region, only the HDF5 chunks a selection touches:

=================  ===================================================================
format             lazily read
=================  ===================================================================
``sleap``          SLEAP analysis .h5 (every layout): ``tracks``, ``point_scores``
``slp``            SLEAP .slp poses (``instances="prefer_user"`` / ``"predicted"``, and
                   ``"auto"`` on a file of predictions): the points of a block of
                   frames, found through an index of the ``frames`` and ``instances``
                   tables built at opening
``dlc``, ``lp``    DeepLabCut / LightningPose .h5, pandas ``table`` and ``fixed``
                   layouts with one block of numbers, rows in frame order; .csv
                   indexed by frame number (by ranges of rows, see
                   :mod:`posebridge.formats.dlc.csv_lazy`)
``anipose``        Anipose .csv, by ranges of rows (``fnum`` increasing)
``nwb``            ndx-pose PoseEstimation: each series' ``data`` / ``confidence``
                   rows of a block of time (several individuals, views, and series
                   on different time bases placed on the union of their times)
``netcdf``         every variable (stored as read: posebridge's arrays; else xarray's)
=================  ===================================================================

Every other file (other CSV, JSON, labelled data such as .slp user instances or
an NWB PoseTraining, ...) is read into memory as :func:`posebridge.load` reads
it, and then wrapped the same way, so the result has the same form whatever the
format (``ds.attrs["lazy"]`` says which). So are the few files of a lazy format
whose reading needs the whole file: NWB samples with NaN, unsorted or shared
timestamps, an NWB file with no pose samples.

Examples
--------
>>> import posebridge
>>> ds = posebridge.open_dataset("session.analysis.h5", chunks=100_000)  # doctest: +SKIP
>>> ds.position.isel(time=slice(0, 1000)).values  # reads only those frames  # doctest: +SKIP
"""

from __future__ import annotations

import functools
import importlib
import inspect
import os
import warnings
from collections.abc import Hashable, Mapping
from typing import Any

import numpy as np
import xarray as xr
from xarray.core import indexing

from posebridge import api, errors, model, registry
from posebridge._files import check_input, in_use_instead
from posebridge._recorded_warnings import give_again, recording_warnings
from posebridge.errors import PoseBridgeError, reading_failure
from posebridge.formats._shared.lazy import (
    LazyArray,
    NotLazy,
    forget_blocks,
    keep_blocks_while_open,
)
from posebridge.model.time_axis import warn_frames_beyond_float64

__all__ = [
    "DASK_EXTRA",
    "HEADER_SIZES",
    "LAZY_FORMATS",
    "dask_installed",
    "header_sizes",
    "open_dataset",
    "open_lazily_indexed",
    "require_dask",
]

#: How to install what lazy reading (dask arrays) and streaming conversion need.
DASK_EXTRA = "pip install 'posebridge[dask]'"

#: Format name -> (module, function) of its lazy opener.
LAZY_FORMATS: dict[str, tuple[str, str]] = {
    "dlc": ("posebridge.formats.dlc.lazy", "open_lazy"),
    "lp": ("posebridge.formats.dlc.lazy", "open_lazy_lp"),
    "sleap": ("posebridge.formats.sleap.lazy", "open_lazy"),
    "slp": ("posebridge.formats.sleap.slp_lazy", "open_lazy"),
    "netcdf": ("posebridge.formats.netcdf.lazy", "open_lazy"),
    "nwb": ("posebridge.formats.nwb.lazy", "open_lazy"),
    "anipose": ("posebridge.formats.anipose.lazy", "open_lazy"),
}


#: Format name -> (module, function) giving the sizes of the poses a file reads as from
#: its header alone (no value read, no dataset built); :class:`NotLazy` when it cannot.
HEADER_SIZES: dict[str, tuple[str, str]] = {
    "dlc": ("posebridge.formats.dlc.lazy", "header_sizes"),
    "lp": ("posebridge.formats.dlc.lazy", "header_sizes_lp"),
    "sleap": ("posebridge.formats.sleap.lazy", "header_sizes"),
}


def header_sizes(
    path: str | os.PathLike[str], format: str | None = None, **options: Any
) -> dict[str, int] | None:
    """The sizes of the poses ``path`` reads as (``time``, ``keypoint``, ``individual``),
    from its header alone where its format allows; ``None`` where it does not.

    The sizes :func:`open_lazily_indexed` gives, without reading a value or building
    the dataset: the row count and column labels of a DeepLabCut / LightningPose .h5,
    the shape of a SLEAP analysis file's ``/tracks`` (:data:`HEADER_SIZES`). Other
    formats, and files of these whose reading needs more (a DeepLabCut CSV, labelled
    data indexed by image), give ``None``: open the dataset to know.

    Parameters
    ----------
    path, format, **options
        As for :func:`posebridge.load` (a frame rate changes no size).

    Returns
    -------
    dict or None
        ``{"time": ..., "keypoint": ..., "individual": ...}``.

    Raises
    ------
    PoseBridgeError
        When the header is damaged (as opening the file would raise).

    Examples
    --------
    >>> header_sizes("videoDLC_resnet50.h5")  # doctest: +SKIP
    {'time': 1000, 'keypoint': 12, 'individual': 3}
    """
    path = check_input(path, folder=True)
    fmt = registry.resolve_for_reading(path, format)
    api.check_options(fmt, options, "read")
    spec = HEADER_SIZES.get(fmt.name)
    if spec is None:
        return None
    function = getattr(importlib.import_module(spec[0]), spec[1])
    try:
        inspect.signature(function).bind(path, **options)
    except TypeError:
        return None  # an option the header does not tell: the dataset is opened
    try:
        return function(path, **options)
    except NotLazy:
        return None
    except Exception as error:
        raise reading_failure(path, error, fmt.title) from error


def _wrap(ds: xr.Dataset) -> xr.Dataset:
    """Replace LazyArray data by xarray's lazily indexed wrapper."""
    replaced = {}
    keep_blocks_while_open(
        [v._data for v in ds.variables.values() if isinstance(v._data, LazyArray)]
    )
    for name, variable in ds.variables.items():
        data = variable._data
        if isinstance(data, LazyArray):
            if name in ("position", "shape"):  # finite or NaN, checked as blocks are read
                data.finite = (str(name), tuple(variable.dims))
            replaced[name] = xr.Variable(
                variable.dims, indexing.LazilyIndexedArray(data), variable.attrs
            )
    return ds.assign(replaced) if replaced else ds


def _give_all(
    attempted: list[warnings.WarningMessage], raised: BaseException | None = None
) -> None:
    """Give the warnings a lazy reader raised; one the caller's filters make an error is
    raised, or named in a note of the reader's error ``raised``, which propagates."""
    for warning in attempted:
        try:
            give_again(warning)
        except Warning as as_error:
            if raised is None:
                raise
            raised.add_note(f"{type(as_error).__name__} raised meanwhile: {as_error}")


def open_lazily_indexed(
    path: str | os.PathLike[str],
    format: str | None = None,
    *,
    fps: float | None = None,
    **options: Any,
) -> xr.Dataset:
    """A validated dataset whose big arrays are xarray lazily indexed arrays (no dask).

    What the ``posebridge`` xarray engine returns; :func:`open_dataset` adds
    dask chunks. Formats without a lazy reader are read into memory.

    Parameters
    ----------
    path, format, fps, **options
        As for :func:`posebridge.load`.

    Returns
    -------
    xarray.Dataset
        ``attrs["lazy"]`` is 1 when the arrays are read on demand, else 0.

    Examples
    --------
    >>> ds = open_lazily_indexed("session.analysis.h5")  # doctest: +SKIP
    """
    path = check_input(path, folder=True)
    fmt = registry.resolve_for_reading(path, format)
    api.check_options(fmt, options, "read")
    ds = None
    spec = LAZY_FORMATS.get(fmt.name)
    if spec is not None:
        opener = getattr(importlib.import_module(spec[0]), spec[1])
        attempted: list[warnings.WarningMessage] = []
        try:
            with recording_warnings() as attempted:
                ds = opener(path, **options)
        except NotLazy:  # its warnings are the eager reader's too, given once by it
            ds = None
        except Exception as error:
            _give_all(attempted, error)
            raise in_use_instead(error, path) or reading_failure(path, error, fmt.title) from error
        else:
            _give_all(attempted)
    if ds is None:
        ds = api.load(path, fmt.name, **options)
        ds.attrs["lazy"] = 0
    else:
        try:
            ds = model.validate(_wrap(ds))
        except PoseBridgeError as error:  # as load does: the message names the file
            raise api.naming_the_file(error, path) from error
        ds.attrs.setdefault("source_software", fmt.title)
        ds.attrs["source_file"] = str(path)
        ds.attrs["lazy"] = 1
    ds = model.with_file_fps(ds, fps, path)  # refuses a rate the file's times contradict
    if ds.attrs["lazy"]:  # load has warned otherwise
        warn_frames_beyond_float64(ds, path)
        # closing the dataset lets go of the rows its file's readers keep (LastBlock)
        ds.set_close(functools.partial(forget_blocks, os.path.abspath(path)))
    return ds


def open_dataset(
    path: str | os.PathLike[str],
    format: str | None = None,
    *,
    chunks: int | dict[str, int] | str | None = None,
    fps: float | None = None,
    **options: Any,
) -> xr.Dataset:
    """Open a pose file with dask arrays read on demand (where the format allows).

    Parameters
    ----------
    path
        The file.
    format
        A format name, or ``None`` to detect it.
    chunks
        Frames per chunk (an int, default 65536; -1 for one chunk), or a dict
        of dim -> size (an int > 0, -1, ``"auto"`` or ``None``), or ``"auto"``
        (dask's choice).
    fps
        Frames per second (time in seconds, frame numbers in ``frame``).
    **options
        Options of the format's reader.

    Returns
    -------
    xarray.Dataset
        Its data variables are dask arrays; ``ds.attrs["lazy"]`` is 1 when
        they are read from the file on demand, 0 when the file was read into
        memory (formats without a lazy reader, see the module's table).

    Raises
    ------
    PoseBridgeError
        When dask is not installed (the ``dask`` extra), before the file is
        opened; :func:`posebridge.load` reads the file without it.

    Examples
    --------
    >>> import posebridge
    >>> ds = posebridge.open_dataset("videoDLC_resnet50.h5", chunks=10_000)  # doctest: +SKIP
    >>> ds.position.isel(time=slice(500, 600)).values.shape  # doctest: +SKIP
    (100, 2, 12, 1)
    """
    require_dask("posebridge.open_dataset (dask arrays)")
    checked_chunks(chunks, None)  # a chunks= of the wrong kind: refused before the file is read
    ds = open_lazily_indexed(path, format, fps=fps, **options)
    lazy = ds.attrs["lazy"]
    chunked = ds.chunk(checked_chunks(chunks, ds.sizes))
    chunked.attrs["lazy"] = lazy
    if lazy:  # Dataset.chunk keeps no close hook: closing lets go of the rows kept of the file
        chunked.set_close(functools.partial(forget_blocks, os.path.abspath(path)))
    return chunked


#: Frames per chunk when ``chunks`` is not given.
DEFAULT_CHUNK = 1 << 16


def checked_chunks(chunks: Any, sizes: Mapping[Hashable, int] | None) -> dict[Hashable, Any] | str:
    """``chunks=`` of :func:`open_dataset` as ``Dataset.chunk`` takes it, or an error.

    An int is frames per chunk along ``time`` (-1: one chunk); sizes past a
    dim's length are that length. A dict names dims of the dataset. With
    ``sizes`` ``None`` (before the file is opened) only the kinds and values
    are checked: a dict's dims and the sizes' limits are not known yet.

    Raises
    ------
    posebridge.errors.TypeError
        For a value of another kind (a bool, a float, a list).
    PoseBridgeError
        For a size of 0 or below (other than -1), text other than ``"auto"``, or
        a dim the dataset does not have.

    Examples
    --------
    >>> checked_chunks(None, {"time": 10})
    {'time': 65536}
    >>> checked_chunks({"time": 10**20, "space": -1}, {"time": 10, "space": 2})
    {'time': 10, 'space': -1}
    """
    if chunks is None:
        return {model.TIME: DEFAULT_CHUNK}
    if isinstance(chunks, str):
        if chunks != "auto":
            raise PoseBridgeError(
                f"chunks must be a number of frames, a dict or 'auto', got {chunks!r}."
            )
        return chunks
    by_dim = chunks if isinstance(chunks, Mapping) else {model.TIME: chunks}
    out: dict[Hashable, Any] = {}
    for dim, size in by_dim.items():
        if sizes is not None and dim not in sizes:
            known = ", ".join(map(str, sizes))
            raise PoseBridgeError(f"chunks names the dim {dim!r}; the dataset's dims are {known}.")
        if size is None or size == "auto":
            out[dim] = size
            continue
        if isinstance(size, bool) or not isinstance(size, int | np.integer):
            raise errors.TypeError(
                f"chunks for {dim!r} must be a whole number of items (or -1, 'auto', None), "
                f"got {size!r}."
            )
        if size == 0 or size < -1:
            raise PoseBridgeError(
                f"chunks for {dim!r} must be above 0 (or -1 for one chunk), got {size}."
            )
        if sizes is None or size == -1:
            out[dim] = int(size)
            continue
        out[dim] = min(int(size), max(int(sizes[dim]), 1))
    return out


def dask_installed() -> bool:
    """Whether dask's arrays can be imported (the ``dask`` extra).

    Examples
    --------
    >>> dask_installed()
    True
    """
    try:
        import dask.array  # noqa: F401
    except ImportError:
        return False
    return True


def require_dask(what: str) -> None:
    """Refuse, naming the ``dask`` extra, when dask is not installed.

    Parameters
    ----------
    what
        What needs dask, for the message (``"open_dataset"``).

    Raises
    ------
    PoseBridgeError
        When dask cannot be imported.

    Examples
    --------
    >>> require_dask("posebridge.open_dataset")  # with dask installed: nothing happens
    """
    if not dask_installed():
        raise PoseBridgeError(
            f"{what} needs dask, which is not installed; install it with `{DASK_EXTRA}`."
        )
