"""The ``posebridge`` xarray engine: ``xr.open_dataset(path, engine="posebridge")``.

Registered under the ``xarray.backends`` entry point in ``pyproject.toml``. It
opens every file posebridge reads; the formats with a lazy reader
(:mod:`posebridge.lazy`) come back as lazily indexed arrays (a
``BackendArray``), read on access, and with ``chunks=`` as dask arrays; the
others are read into memory.

Examples
--------
>>> import xarray as xr
>>> ds = xr.open_dataset("session.analysis.h5", engine="posebridge")  # doctest: +SKIP
>>> ds = xr.open_dataset("video.nwb", engine="posebridge", fps=30)  # doctest: +SKIP
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any, ClassVar

import xarray as xr
from xarray.backends import BackendEntrypoint

from posebridge import errors

__all__ = ["PoseBridgeBackendEntrypoint"]


#: xarray's CF decoder keywords, passed to every engine when a caller gives them.
_CF_DECODERS = (
    "mask_and_scale",
    "decode_times",
    "decode_timedelta",
    "use_cftime",
    "concat_characters",
    "decode_coords",
)


class PoseBridgeBackendEntrypoint(BackendEntrypoint):
    """Open pose-tracking files with posebridge from ``xarray.open_dataset``.

    Extra keywords of ``open_dataset``: ``format`` (a posebridge format name),
    ``fps``, and ``read_options`` (a dict of the reader's options).

    xarray's CF decoder keywords (``decode_times``, ``mask_and_scale``,
    ``decode_timedelta``, ``use_cftime``, ``concat_characters``,
    ``decode_coords``) are accepted and change nothing: posebridge builds the
    dataset from the source format itself (time in seconds, NaN for missing),
    so there is no CF encoding to decode, and the result is the dataset
    ``posebridge.load`` gives whatever their values.

    Examples
    --------
    >>> import xarray as xr
    >>> ds = xr.open_dataset("a.h5", engine=PoseBridgeBackendEntrypoint)  # doctest: +SKIP
    """

    description = "Pose-tracking files (DeepLabCut, SLEAP, LightningPose, NWB, ...) via posebridge"
    url = "https://github.com/posebridge/posebridge"
    open_dataset_parameters: ClassVar[tuple[str, ...]] = (
        "filename_or_obj",
        "drop_variables",
        "format",
        "fps",
        "read_options",
        *_CF_DECODERS,
    )

    def open_dataset(  # type: ignore[override]
        self,
        filename_or_obj: Any,
        *,
        drop_variables: str | Iterable[str] | None = None,
        format: str | None = None,
        fps: float | None = None,
        read_options: dict[str, Any] | None = None,
        mask_and_scale: Any = None,
        decode_times: Any = None,
        decode_timedelta: Any = None,
        use_cftime: Any = None,
        concat_characters: Any = None,
        decode_coords: Any = None,
    ) -> xr.Dataset:
        from posebridge.lazy import open_lazily_indexed

        # The CF decoder keywords have nothing to decode here (see the class docstring).
        del mask_and_scale, decode_times, decode_timedelta, use_cftime
        del concat_characters, decode_coords

        if not isinstance(filename_or_obj, str | os.PathLike):
            raise errors.TypeError(
                f"the posebridge engine opens files by path, got {type(filename_or_obj).__name__}."
            )
        if read_options is not None and not isinstance(read_options, dict):
            raise errors.TypeError(
                "read_options must be a dict of reader options, got "
                f"{type(read_options).__name__}."
            )
        names = [drop_variables] if isinstance(drop_variables, str) else drop_variables
        if names is not None and not (
            isinstance(names, Iterable) and all(isinstance(n, str) for n in names)
        ):
            raise errors.TypeError(
                f"drop_variables must be a name or a list of names, got {drop_variables!r}."
            )
        from posebridge.api import fps_among_options

        fps, read_options = fps_among_options(fps, read_options)
        ds = open_lazily_indexed(filename_or_obj, format, fps=fps, **read_options)
        if names is not None:
            ds = ds.drop_vars(list(names), errors="ignore")
        return ds

    def guess_can_open(self, filename_or_obj: Any) -> bool:
        if not isinstance(filename_or_obj, str | os.PathLike):
            return False
        from posebridge import registry

        path = Path(filename_or_obj)
        if not path.is_file():
            return False
        try:
            found = registry.detect(path)
        except Exception:
            return False
        return found != "netcdf"  # netCDF files are xarray's own engines' to open
