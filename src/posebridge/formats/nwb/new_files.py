"""New NWB files on disk: their paths (one per individual by default), each in-memory
``NWBFile`` written with hdmf (the specifications cached once per process), and the
streamed arrays filled in afterwards."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import h5py
import numpy as np
import xarray as xr

from posebridge._outputs import atomic_outputs
from posebridge.errors import FormatError, PoseBridgeError
from posebridge.formats._shared.hdf5 import new_file
from posebridge.formats.nwb.build import iter_build, split_plan
from posebridge.formats.nwb.config import NWBFileSaveConfig
from posebridge.formats.nwb.storage import Storage


def output_paths(path: Path, groups: list[list[str]]) -> list[Path]:
    """``path`` for one file, else ``<stem>_<individual><suffix>`` per individual."""
    if len(groups) == 1:
        return [path]
    suffix = path.suffix or ".nwb"
    stem = path.name[: -len(path.suffix)] if path.suffix else path.name
    names = []
    for (individual,) in groups:
        safe = re.sub(r"[^\w.-]+", "_", individual).strip("._") or "individual"
        names.append(path.with_name(f"{stem}_{safe}{suffix}"))
    if len(set(names)) < len(names):
        clash = next(name for name in names if names.count(name) > 1)
        both = [g[0] for g, name in zip(groups, names, strict=True) if name == clash]
        raise PoseBridgeError(
            f"{path}: the individuals {both} would both be written to {clash.name} "
            "(one file per individual); rename them or write one file (split_individuals=False)."
        )
    return names


#: Per process: the namespaces (name, version) of a manager -> the ``specifications``
#: hdmf cached into a file written with them: (path, value, dtype) of each dataset, in
#: order (plain data: no HDF5 object is kept open).
_CACHED_SPECS: dict[tuple[tuple[str, str], ...], list[tuple[str, Any, Any]]] = {}


def _namespaces(manager: Any) -> tuple[tuple[str, str], ...]:
    catalog = manager.namespace_catalog
    return tuple(
        sorted((str(n), str(catalog.get_namespace(n).version)) for n in catalog.namespaces)
    )


def write_nwbfile(io: Any, h5: h5py.File, nwbfile: Any) -> bool:
    """``io.write(nwbfile)``, with the specifications cached in the file as hdmf caches them.

    hdmf turns every namespace into JSON and writes it into ``/specifications``
    on each write (a good part of the time of a small file). Once a file
    written by hdmf with the same namespaces (name and version, as hdmf itself
    tells cached specs apart) has been kept by :func:`keep_specifications`,
    files are written with ``cache_spec=False`` and get a copy of its
    ``specifications`` group (its scalar string datasets, written again from
    memory) and the root attribute that points to it: the same JSON, found the
    same way.

    Returns
    -------
    bool
        Whether hdmf cached the specifications itself (then pass the finished
        file to :func:`keep_specifications`).

    Examples
    --------
    >>> with new_file("out.nwb") as h5, pynwb.NWBHDF5IO(file=h5, mode="w") as io:  # doctest: +SKIP
    ...     cached_by_hdmf = write_nwbfile(io, h5, nwbfile)
    """
    from hdmf.backends.hdf5.h5tools import SPEC_LOC_ATTR

    kept = _CACHED_SPECS.get(_namespaces(io.manager))
    if kept is None:
        io.write(nwbfile, exhaust_dci=False)
        return True
    io.write(nwbfile, exhaust_dci=False, cache_spec=False)
    group = h5.create_group("specifications")
    for name, value, dtype in kept:
        group.create_dataset(name, shape=(), data=value, dtype=dtype)
    h5.attrs[SPEC_LOC_ATTR] = group.ref
    return False


def _shape_of(value: Any) -> tuple[int, ...]:
    """The shape of a value read from HDF5 (``()`` for a scalar)."""
    return getattr(value, "shape", ())


def keep_specifications(manager: Any, path: Path) -> None:
    """Keep (in memory) the specifications of a complete file hdmf wrote, for later files.

    Read from the closed, complete file (never from one being written); a
    file without them, or that cannot be read, leaves nothing kept.

    Examples
    --------
    >>> keep_specifications(manager, Path("out.nwb"))  # doctest: +SKIP
    """
    from hdmf.backends.hdf5.h5tools import SPEC_LOC_ATTR

    key = _namespaces(manager)
    if key in _CACHED_SPECS:
        return
    datasets: list[tuple[str, Any, Any]] = []

    def collect(name: str, item: Any) -> None:
        if isinstance(item, h5py.Dataset):
            datasets.append((name, item[()], item.dtype))
        elif item.attrs.keys():
            raise ValueError("attributes on a specification group")  # not hdmf's layout

    try:
        with h5py.File(path, "r") as h5:
            location = h5.attrs.get(SPEC_LOC_ATTR)
            if location is None:
                return
            specifications = h5[location]
            if specifications.name != "/specifications" or specifications.attrs.keys():
                return
            specifications.visititems(collect)
    except (OSError, KeyError, ValueError, RuntimeError):
        return
    if any(_shape_of(value) != () for _, value, _ in datasets):
        return
    _CACHED_SPECS[key] = datasets


#: The most bytes of HDF5 chunk cache the files filled together may use (see
#: :func:`_fill_groups`): about one chunk (at most
#: :data:`~posebridge.formats.nwb.stream.FILL_CHUNK_CACHE`) per dataset being filled.
FILL_CACHE_BYTES = 64 << 20


def _cache_bytes(dataset: h5py.Dataset) -> int:
    """The bytes HDF5's chunk cache holds for ``dataset`` while it is written in pieces."""
    from posebridge.formats.nwb.stream import FILL_CHUNK_CACHE

    if dataset.chunks is None:
        return 0
    chunk = int(np.prod(dataset.chunks, dtype=np.int64)) * dataset.dtype.itemsize
    return min(chunk, FILL_CHUNK_CACHE)


def _fill_groups(pending: list[tuple[Path, list[tuple[str, Any]], int]]) -> list[list[Any]]:
    """The files to fill together: consecutive ones whose chunk caches stay within
    :data:`FILL_CACHE_BYTES` together (at least one file each)."""
    groups: list[list[Any]] = []
    held = 0
    for entry in pending:
        if not groups or held + entry[2] > FILL_CACHE_BYTES:
            groups.append([])
            held = 0
        groups[-1].append(entry)
        held += entry[2]
    return groups


def _fill_files(pending: list[tuple[Path, list[tuple[str, Any]], int]]) -> None:
    """Fill the streamed series of the written files (``(path, [(dataset name, source)],
    cache bytes)``), several files at a time: each window of the source is then
    computed once for the individuals of all of them."""
    from contextlib import ExitStack

    from posebridge.formats.nwb.stream import FILL_CHUNK_CACHE, fill_series

    for group in _fill_groups([entry for entry in pending if entry[1]]):
        with ExitStack() as files:
            series = []
            for path, sources, _ in group:
                h5 = files.enter_context(new_file(path, "r+", rdcc_nbytes=FILL_CHUNK_CACHE))
                series.extend((h5[name], source) for name, source in sources)
            fill_series(series)


def write_files(
    ds: xr.Dataset,
    path: Path,
    config: NWBFileSaveConfig,
    storage: Storage,
    *,
    overwrite: bool,
    split_individuals: bool,
    video: str | None,
) -> list[Path]:
    """Write new NWB files atomically; return their paths.

    A dataset of dask arrays is written in two steps: hdmf writes each file with
    its series' datasets empty, then they are filled together (see
    :func:`posebridge.formats.nwb.stream.fill_series`), so that each chunk of the
    source is read once for all the files' individuals.
    """
    import dataclasses

    import ndx_pose  # noqa: F401 - registers the ndx-pose types before the manager is made
    import pynwb

    from posebridge.formats.nwb.stream import streamed_in

    storage = dataclasses.replace(storage, filled_later=True)
    targets = output_paths(path, split_plan(ds, split_individuals))
    with atomic_outputs(targets, overwrite=overwrite) as temporaries:
        manager = pynwb.get_manager()
        built = iter_build(ds, config, storage, split_individuals, video, targets)
        pending: list[tuple[Path, list[tuple[str, Any]], int]] = []
        specifications_from = None
        for nwbfile, temporary, target in zip(built, temporaries, targets, strict=True):
            try:
                with (
                    new_file(temporary) as h5,
                    pynwb.NWBHDF5IO(file=h5, mode="w", manager=manager) as io,
                ):
                    cached_by_hdmf = write_nwbfile(io, h5, nwbfile)
                    streamed = streamed_in(nwbfile)
                    sources = [(data.dataset.name, data.source) for data in streamed]
                    cache = sum(_cache_bytes(data.dataset) for data in streamed)
            except (TypeError, ValueError, AttributeError) as error:
                if isinstance(error, PoseBridgeError):
                    raise
                raise FormatError(  # hdmf met a value it cannot store (metadata given)
                    target,
                    f"could not be written ({type(error).__name__}: {error}); a metadata "
                    "value of a type or shape NWB cannot hold? Nothing was written.",
                ) from error
            pending.append((temporary, sources, cache))
            if cached_by_hdmf:
                specifications_from = temporary
            manager.clear_cache()
        _fill_files(pending)
        if specifications_from is not None:  # the file is complete: its writes all succeeded
            keep_specifications(manager, specifications_from)
    return targets
