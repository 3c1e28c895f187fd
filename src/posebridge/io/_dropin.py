"""What the drop-in functions add to posebridge's calls: the error types movement raises.

Only :mod:`posebridge.io` uses these, so ``posebridge.load`` / ``posebridge.save``
keep their own errors; here an unknown keyword is a ``TypeError`` (Python's
for movement's loaders), a missing output folder also a ``PermissionError``
(movement 0.17's). (A missing NWB key is a ``KeyError`` as well everywhere:
:class:`posebridge.errors.KeyNotFoundError`.)
"""

from __future__ import annotations

import math
import os
import warnings
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import xarray as xr

from posebridge import api, errors, registry
from posebridge._outputs import existing_output
from posebridge.errors import user_stacklevel

PathLike = str | os.PathLike[str]


def movement_fps(fps: Any) -> Any:
    """movement's reading of a frame rate that is not positive: a warning, and no rate.

    movement's loaders turn ``fps <= 0`` (``-inf`` too; OpenCV reports 0 for a
    video whose rate it does not know) into ``None`` with a ``UserWarning``, so
    time stays in frames. ``posebridge.load`` refuses such a rate; the drop-in
    functions follow movement. A rate of NaN or infinity is refused: movement
    takes it and gives every time NaN (``frames / nan``) or 0.0 (``frames /
    inf``), times that say nothing and repeat, which the data model cannot hold.
    Anything else (a positive rate, None, text that is not a number) is returned
    as given, for the reader to take or refuse.

    Parameters
    ----------
    fps
        The frame rate the caller gave.

    Returns
    -------
    object
        ``None`` for a number (or text of one) that is zero or negative, else ``fps``.

    Raises
    ------
    SchemaError
        For NaN or infinity (or text of them).

    Examples
    --------
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     movement_fps(0), movement_fps(30), str(caught[0].message)
    (None, 30, 'Invalid fps value (0.0). Expected a positive number. Setting fps to None.')
    >>> movement_fps(float("inf"))
    Traceback (most recent call last):
    ...
    posebridge.errors.SchemaError: fps=inf is not a frame rate: movement takes it and gives \
every time 0.0 (frame / inf), so no two frames could be told apart. Give the video's rate, \
or None (or 0, movement's "unknown") to keep time in frames.
    """
    if fps is None or isinstance(fps, bool | bytes):
        return fps
    try:
        value = float(fps)
    except (TypeError, ValueError):
        return fps
    if math.isnan(value) or value == math.inf:
        every_time = "NaN (frame / nan)" if math.isnan(value) else "0.0 (frame / inf)"
        raise errors.SchemaError(
            f"fps={value} is not a frame rate: movement takes it and gives every time "
            f"{every_time}, so no two frames could be told apart. Give the video's rate, "
            'or None (or 0, movement\'s "unknown") to keep time in frames.'
        )
    if value > 0:
        return fps
    warnings.warn(
        f"Invalid fps value ({value}). Expected a positive number. Setting fps to None.",
        UserWarning,
        stacklevel=user_stacklevel(),
    )
    return None


def check_source_software(source_software: Any) -> None:
    """Refuse a ``source_software`` that is not text (or None) with TypeError, as
    movement's dataset validator does (attrs ``instance_of``), not store its repr.

    Examples
    --------
    >>> check_source_software("VIA")
    >>> check_source_software(3)
    Traceback (most recent call last):
    ...
    posebridge.errors.TypeError: source_software must be a str or None, got int.
    """
    if source_software is not None and not isinstance(source_software, str):
        raise errors.TypeError(
            f"source_software must be a str or None, got {type(source_software).__name__}."
        )


def refuse_unknown_options(
    function: str, fmt_name: str, options: Mapping[str, Any], also: Iterable[str] = ("fps",)
) -> None:
    """Raise :class:`errors.TypeError` for keywords the format's reader does not take.

    movement's loaders have no ``**kwargs``: Python raises ``TypeError`` for an
    unexpected keyword, and so does this (``posebridge.load`` raises a
    ``PoseBridgeError`` for the same mistake).

    Parameters
    ----------
    function
        The drop-in function's name, for the message.
    fmt_name
        The format whose reader gets the options.
    options
        The keywords given.
    also
        The function's own keywords, named in the message beside the reader's.

    Examples
    --------
    >>> refuse_unknown_options("from_dlc_file", "dlc", {"foo": 1})
    Traceback (most recent call last):
    ...
    posebridge.errors.TypeError: from_dlc_file() got an unexpected keyword argument 'foo': \
the DeepLabCut reader has no option 'foo'; it takes: fps, key.
    """
    fmt = registry.get(fmt_name)
    unknown = [name for name in options if name not in fmt.read_options]
    if unknown:
        names = ", ".join(repr(name) for name in unknown)
        takes = ", ".join([*also, *fmt.read_options])
        raise errors.TypeError(
            f"{function}() got an unexpected keyword argument {unknown[0]!r}: the "
            f"{fmt.title} reader has no option {names}; it takes: {takes}."
        )


def names_as_text(ds: Any) -> Any:
    """``ds`` with numbers as individual or keypoint names made text, as movement writes them.

    ``ds.assign_coords(individual=[0, 1])`` gives numbers, which posebridge's
    own writers refuse; movement's write ``"0"``, ``"1"``, and floats as the
    text of their value: ``1.0`` as ``"1.0"``, ``1e20`` as ``"1e+20"``.

    Examples
    --------
    >>> import numpy as np, posebridge
    >>> ds = posebridge.from_numpy(np.zeros((1, 2, 1, 2))).assign_coords(individual=[0, 1])
    >>> names_as_text(ds).individual.values.tolist()
    ['0', '1']
    >>> names_as_text(ds.assign_coords(individual=[1.0, 2.5])).individual.values.tolist()
    ['1.0', '2.5']
    """
    if not isinstance(ds, xr.Dataset):
        return ds  # the writer says what it expects
    numbered = {
        name: ds[name].values.astype(str)
        for name in ("individual", "keypoint")
        if name in ds.coords and ds[name].dtype.kind in "iuf"
    }
    return ds.assign_coords(numbered) if numbered else ds


def save(ds: xr.Dataset, file_path: PathLike, fmt: str, **options: Any) -> list[Path]:
    """:func:`posebridge.api.save`, a missing output folder raising :class:`FolderNotFoundError`.

    That error is posebridge's ``FileNotFoundError`` and movement 0.17's
    ``PermissionError`` at once. A file at ``file_path`` is refused without
    ``overwrite`` (``FileExistsError``), as movement does, even when the writer
    writes other names (one file per individual).

    Parameters
    ----------
    ds, file_path, fmt, **options
        As :func:`posebridge.save`.

    Returns
    -------
    list of pathlib.Path
        Every file written.
    """
    given = isinstance(file_path, str | os.PathLike)
    if (
        given
        and not options.get("overwrite")
        and (Path(file_path).is_file() or Path(file_path).is_symlink())
    ):
        # as movement: the path given exists (a link, even one leading nowhere, too), even
        # when the writer splits it per individual
        raise existing_output(file_path)  # says where a link that leads nowhere points
    try:
        return api.save(names_as_text(ds), file_path, fmt, **options)
    except errors.FileNotFoundError as error:
        if isinstance(file_path, str | os.PathLike) and not Path(file_path).parent.is_dir():
            raise errors.FolderNotFoundError(error.errno, error.strerror, error.filename) from None
        raise
