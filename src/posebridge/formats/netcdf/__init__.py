"""netCDF (HDF5-based, via h5netcdf): the native save and restore of the full model.

Everything in a dataset (every variable, coordinate and attribute) is written
as it is and comes back identical.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from posebridge._files import Peek, check_input, refuse_empty_file
from posebridge._outputs import atomic_outputs
from posebridge.errors import FormatError, PoseBridgeError, SchemaError, unavailable_filter_error
from posebridge.formats._shared.global_heap import check_file_heaps
from posebridge.formats._shared.guards import refuse_nul, refuse_text_not_utf8
from posebridge.formats._shared.hdf5 import check_size, member_names, sink_file
from posebridge.formats._shared.record import Format
from posebridge.model.labels import utf8_text

ENGINE = "h5netcdf"


#: The first bytes of netCDF-3 files, and which variant each is.
NETCDF3_KINDS = {
    b"CDF\x01": "netCDF-3 classic",
    b"CDF\x02": "netCDF-3 64-bit offset",
    b"CDF\x05": "netCDF-3 64-bit data (CDF-5)",
}


def refuse_netcdf3(path: Path, head: bytes | None = None) -> None:
    """Refuse a netCDF-3 file, saying what it is and how to re-save it as netCDF-4.

    Only netCDF-4 (HDF5) files are read; xarray writes netCDF-3 with its
    ``scipy`` engine (or ``format="NETCDF3_CLASSIC"``).

    Examples
    --------
    >>> refuse_netcdf3(Path("poses.nc"), b"CDF" + bytes([1]))
    Traceback (most recent call last):
    ...
    posebridge.errors.FormatError: poses.nc: is a netCDF-3 classic file; ...
    """
    if head is None:
        with open(path, "rb") as handle:
            head = handle.read(4)
    kind = NETCDF3_KINDS.get(head[:4])
    if kind is not None:
        raise FormatError(
            path,
            f"is a {kind} file; posebridge reads netCDF-4 (HDF5) files only. Re-save it as "
            "netCDF-4 with xarray: xr.load_dataset(path).to_netcdf(new_path, "
            'engine="h5netcdf").',
        )


def sniff(peek: Peek) -> bool:
    """Whether the peeked file is a netCDF-4 file (HDF5 with netCDF markers), or a
    netCDF-3 one, which :func:`read` refuses saying how to re-save it."""
    if peek.head[:4] in NETCDF3_KINDS:
        return True
    h5 = peek.h5
    if h5 is None:
        return False
    if "_NCProperties" in h5.attrs:
        return True
    return any(
        "DIMENSION_LIST" in h5[name].attrs or "CLASS" in h5[name].attrs
        for name, kind in peek.h5_keys.items()
        if kind == "dataset"
    )


def _char_array(scale: Any) -> bool:
    """Whether an HDF5 dimension scale is netCDF text held as characters (2-D, one byte each).

    netCDF-C and h5netcdf store fixed-width text (``NETCDF4_CLASSIC``, an ``S1``
    encoding, a ``bytes`` coordinate) as an (n, string length) char array, which is
    itself the scale of the dimension along its first axis.
    """
    return scale.ndim == 2 and scale.dtype.kind == "S" and scale.dtype.itemsize == 1


def _restore_strings(ds: xr.Dataset, path: Path) -> xr.Dataset:
    """netCDF hands strings back as objects or bytes; make them numpy str again.

    Raises
    ------
    FormatError
        Naming the variable whose bytes are not UTF-8 text.
    """
    changed = {}
    for name in ds.variables:
        values = np.asarray(ds[name].values)
        if not values.size:
            continue
        if values.dtype.kind == "S" or (
            values.dtype == object and all(isinstance(v, bytes) for v in values.ravel())
        ):  # fixed-width text (char arrays, bytes coordinates)
            try:
                text = np.char.decode(values.astype("S"), "utf-8")
            except UnicodeDecodeError as error:
                raise FormatError(
                    path, f"variable {name!r} holds text that is not UTF-8 ({error})."
                ) from error
            changed[name] = ds[name].copy(data=text)
        elif values.dtype == object and all(isinstance(v, str) for v in values.ravel()):
            changed[name] = ds[name].astype(str)
    for name, values in changed.items():
        if name in ds.coords:
            ds = ds.assign_coords({name: values})
        else:
            ds[name] = values
    return ds


def check_structure(path: Path) -> None:
    """Check the dimension bookkeeping of a netCDF-4 file with h5py before xarray reads it.

    netCDF-4 ties each variable to its dimensions through a ``DIMENSION_LIST``
    attribute; h5netcdf and HDF5 trust it, and a variable with fewer dimensions
    than the list (one damaged byte) corrupts the C heap and aborts the
    process. Here each list must have one entry per dimension, each pointing
    to a 1-D dimension variable as long as the variable along that axis.

    An HDF5 file that is not netCDF (a DeepLabCut table, a SLEAP or NWB file),
    or a netCDF file without a ``position`` variable, is refused here, from its
    metadata, before xarray reads any variable.

    A variable with dimensions but no ``DIMENSION_LIST`` (an HDF5 dataset another
    tool added) is refused too: h5netcdf would give it made-up dimensions, which
    xarray may align with the dataset's own.

    Raises
    ------
    FormatError
        Naming the variable and what does not agree; or saying the file is an
        HDF5 file but not netCDF (naming its top-level keys), or holds no
        ``position``.
    """
    import h5py

    def visit(name: str, obj: object) -> None:
        if isinstance(obj, h5py.Dataset):
            check_size(obj)  # xarray reads variables whole: a declared billion steps first
        if (
            isinstance(obj, h5py.Dataset)
            and obj.ndim
            and "DIMENSION_LIST" not in obj.attrs
            and _attribute_text(obj, "CLASS") != "DIMENSION_SCALE"
        ):  # netCDF ties every variable with dimensions to them; h5netcdf makes some up
            raise FormatError(
                path,
                f"variable {name!r} ({'x'.join(map(str, obj.shape))}) has no netCDF "
                "dimensions (no DIMENSION_LIST, and it is no dimension itself): an HDF5 "
                "dataset added to the file by another tool? Remove it, or add it with "
                "xarray, naming its dimensions.",
            )
        if not isinstance(obj, h5py.Dataset) or "DIMENSION_LIST" not in obj.attrs:
            return
        dims = obj.attrs["DIMENSION_LIST"]
        if len(dims) != obj.ndim:
            raise FormatError(
                path,
                f"variable {name!r} has {obj.ndim} dimensions but its DIMENSION_LIST "
                f"names {len(dims)}; the file is damaged.",
            )
        for axis, refs in enumerate(dims):
            for ref in np.atleast_1d(refs):
                scale = h5[ref]
                if not isinstance(scale, h5py.Dataset) or not (
                    scale.ndim == 1 or _char_array(scale)
                ):
                    raise FormatError(
                        path, f"dimension {axis} of variable {name!r} is not a 1-D variable."
                    )
                if scale.shape[0] != obj.shape[axis]:
                    raise FormatError(
                        path,
                        f"variable {name!r} has {obj.shape[axis]} entries along dimension "
                        f"{scale.name.lstrip('/')!r}, which has {scale.shape[0]}.",
                    )

    try:
        with h5py.File(path, "r") as h5:
            check_file_heaps(h5, path)  # HDF5 loops forever on a damaged global heap
            refuse_other_hdf5(h5, path)
            h5.visititems(visit)
    except PoseBridgeError:  # ours, as raised
        raise
    except (OSError, RuntimeError, KeyError, ValueError, TypeError) as error:
        raise unavailable_filter_error(path, error) or FormatError(
            path, f"is not a readable netCDF file ({error})."
        ) from error


def refuse_other_hdf5(h5: Any, path: Path) -> None:
    """Refuse an open HDF5 file that is not netCDF, or holds no ``position`` variable.

    netCDF-4 marks a file with a ``_NCProperties`` attribute (netCDF-C,
    h5netcdf) and its dimensions as HDF5 dimension scales; a file with
    neither is another tool's HDF5 file (DeepLabCut, SLEAP, NWB), which
    h5netcdf would open all the same.

    Raises
    ------
    FormatError
        Naming the top-level keys of a file that is not netCDF.
    """
    import h5py

    scales = any(
        isinstance(member, h5py.Dataset) and _attribute_text(member, "CLASS") == "DIMENSION_SCALE"
        for member in h5.values()
    )
    if "_NCProperties" not in h5.attrs and not scales:
        raise FormatError(
            path,
            "is an HDF5 file but not a netCDF file (no _NCProperties attribute and no "
            f"netCDF dimensions; top-level keys: {member_names(h5)}). Read it with its own "
            "format (leave the format out to detect it).",
        )
    if "position" not in h5:
        raise FormatError(
            path,
            "is a netCDF file but holds no 'position' variable, so it is not a "
            "pose or box dataset.",
        )


def _attribute_text(obj: Any, name: str) -> str:
    """The text of an HDF5 attribute (bytes decoded), or ``""`` when absent or not text."""
    value = obj.attrs.get(name)
    if isinstance(value, bytes | np.bytes_):
        return bytes(value).decode("utf-8", "replace")
    return value if isinstance(value, str) else ""


def read(path: Path) -> xr.Dataset:
    """Read a dataset saved by :func:`write` (or by ``ds.to_netcdf``)."""
    path = check_input(path)
    refuse_empty_file(path, "a netCDF-4 (.nc) file")
    refuse_netcdf3(path)
    check_structure(path)
    try:
        ds = xr.load_dataset(path, engine=ENGINE)
    except (OSError, ValueError, TypeError, KeyError) as error:
        raise unavailable_filter_error(path, error) or FormatError(
            path, f"is not a readable netCDF file ({error})."
        ) from error
    if "position" not in ds.data_vars:
        raise FormatError(
            path,
            "is a netCDF file but holds no 'position' variable, so it is not a "
            "pose or box dataset.",
        )
    return _restore_strings(ds, path)


def write(ds: xr.Dataset, path: Path, *, overwrite: bool = False) -> list[Path]:
    """Write ``ds`` to ``path`` as netCDF-4, atomically.

    A text holding NUL, or a name or text coordinate that is not UTF-8, is
    refused; an attribute that is not UTF-8 (``source_file`` of a file whose
    name is not) is written as :func:`~posebridge.model.labels.utf8_text` of it.
    Dask arrays are computed here, one block at a time, also on a Dask
    distributed worker or beside a default distributed client (see
    :func:`_write_to_store`).
    """
    refuse_nul(ds, "netCDF")
    _refuse_names_netcdf_cannot_hold(ds, path)
    _refuse_attributes_netcdf_cannot_hold(ds, path)
    refuse_text_not_utf8(ds, "netCDF")
    ds = _utf8_attributes(ds)
    with atomic_outputs([path], overwrite=overwrite) as (temporary,), sink_file(temporary) as sink:
        _write_to_store(ds, sink)
    return [path]


def _write_to_store(ds: xr.Dataset, sink: object) -> None:
    """Write ``ds`` through xarray's h5netcdf store into ``sink``, closed whatever happens.

    The store is opened here with xarray's HDF5 lock (held around each HDF5
    call) rather than the lock ``to_netcdf`` would pick from the dask
    scheduler in use: on a Dask distributed worker, or with a distributed
    ``Client`` as the process's default, that is a ``distributed.Lock`` named
    after the file, which the scheduler must receive, and a file object (the
    :func:`~posebridge.formats._shared.hdf5.sink_file` written through) cannot
    be pickled. Dask arrays are computed here with the synchronous scheduler,
    named in the call (never handed to a cluster, and never set in dask's
    configuration, which is one per process): netCDF writes in threads of one
    process (a Dask worker's) run side by side, and a block's callbacks (a
    streaming conversion's ``on_chunk``) hold up no other write.
    """
    from xarray.backends import H5NetCDFStore
    from xarray.backends.common import ArrayWriter
    from xarray.backends.locks import HDF5_LOCK

    given = ds.encoding.get("unlimited_dims") or ()
    given = [given] if isinstance(given, str) else given  # one name, as to_netcdf takes it
    unlimited = [d for d in given if d in ds.dims]
    store = H5NetCDFStore.open(sink, mode="w", lock=HDF5_LOCK, invalid_netcdf=False)
    try:
        writer = ArrayWriter()
        ds.dump_to_store(store, writer=writer, unlimited_dims=unlimited)
        writer.sync(chunkmanager_store_kwargs={"scheduler": "synchronous"})
    finally:
        store.close()


def _holds(value: object) -> bool:
    """Whether netCDF (through h5netcdf) stores ``value`` as an attribute: text, bytes, a
    real number (a bool as 0 or 1), an array of numbers, an array of text of at most one
    dimension (written as a list of text, whose shape netCDF cannot keep), or a list of
    text or one of numbers."""
    if isinstance(value, str | bytes | bool | np.bool_) or _stored_number(value):
        return True
    if isinstance(value, np.ndarray):
        if value.dtype.kind == "U":  # written as a list of text (_utf8_attributes): one row
            return value.ndim <= 1
        return value.dtype.kind in "iufS"
    if isinstance(value, list | tuple):
        texts = all(isinstance(item, str) for item in value)
        reals = all(
            _stored_number(item) and not isinstance(item, bool | np.bool_) for item in value
        )
        whole = reals and all(isinstance(item, int | np.integer) for item in value)
        if whole and value and np.asarray(value).dtype.kind not in "iu":
            return False  # no integer type holds them all ([-1, 2**64 - 1]): numpy made floats
        return texts or reals
    return False


def _stored_number(value: object) -> bool:
    """Whether ``value`` is a number HDF5 stores as it is: a float, or a whole number of
    64 bits (not 2**70, nor a Fraction or Decimal, which numpy keeps as objects)."""
    if isinstance(value, float | np.floating | np.integer):
        return True
    return isinstance(value, int) and -(2**63) <= value < 2**64


def _refuse_names_netcdf_cannot_hold(ds: xr.Dataset, path: Path) -> None:
    """Refuse a variable, dimension or attribute name netCDF cannot store, naming it.

    Names are non-empty text; a variable's or dimension's holds no ``/`` (HDF5's
    group separator).
    """
    named = [("variable", name) for name in ds.variables] + [("dimension", d) for d in ds.dims]
    attributes = [ds.attrs] + [variable.attrs for variable in ds.variables.values()]
    named += [("attribute", key) for attrs in attributes for key in attrs]
    for kind, name in named:
        if not isinstance(name, str) or not name or (kind != "attribute" and "/" in name):
            problem = f"names are non-empty text{'' if kind == 'attribute' else ' without /'}"
        elif "\x00" in name:
            problem = "names hold no NUL character (HDF5 ends a name there)"
        elif not name.isascii() and not _utf8(name):
            problem = "names are UTF-8 text"
        elif kind != "attribute" and name in (".", ".."):
            problem = "names '.' and '..' are HDF5's own for a group and its parent"
        elif kind == "attribute" and name in NETCDF_OWN_ATTRIBUTES:
            problem = "netCDF-4 keeps this attribute name for its own dimension bookkeeping"
        else:
            continue
        raise SchemaError(
            f"{path}: the {kind} name {name!r} cannot be stored in netCDF: {problem}. "
            "Rename it or drop it."
        )


#: Attribute names netCDF-4 (and h5netcdf) write themselves, refused on data.
NETCDF_OWN_ATTRIBUTES = frozenset(
    {"REFERENCE_LIST", "CLASS", "DIMENSION_LIST", "NAME", "_Netcdf4Dimid",
     "_Netcdf4Coordinates", "_nc3_strict", "_NCProperties"}
)  # fmt: skip


def _utf8(name: str) -> bool:
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate, from a name decoded with surrogateescape
        return False
    return True


def _refuse_attributes_netcdf_cannot_hold(ds: xr.Dataset, path: Path) -> None:
    """Refuse an attribute netCDF cannot store (a dict, None, a mixed list), naming it."""
    owners = [("the dataset", ds.attrs)]
    owners += [(f"'{name}'", ds[name].attrs) for name in (*ds.coords, *ds.data_vars)]
    for owner, attrs in owners:
        for key, value in attrs.items():
            if not _holds(value):
                raise SchemaError(
                    f"{path}: attribute {key!r} of {owner} is a {type(value).__name__} "
                    f"({value!r:.60}); netCDF attributes hold text, numbers, arrays of "
                    "numbers, arrays of text of one row, and lists of text or of numbers. Convert "
                    "it (e.g. json.dumps) or drop it."
                )


def _utf8_attributes(ds: xr.Dataset) -> xr.Dataset:
    """``ds`` (not copied when nothing changes) with every text attribute valid UTF-8
    (alone, in a list or in an array), and an array of text as a list of text (h5py
    stores no numpy ``<U`` array)."""

    def stored(value: object) -> object:
        if isinstance(value, str):
            return utf8_text(value)
        if isinstance(value, np.ndarray) and value.dtype.kind == "U":  # h5py has no '<U'
            return utf8_text(str(value)) if value.ndim == 0 else stored(value.tolist())
        if isinstance(value, list | tuple) and value and all(isinstance(v, str) for v in value):
            texts = [utf8_text(text) for text in value]
            changed = any(new is not old for new, old in zip(texts, value, strict=True))
            return texts if changed else value
        return value

    def fixed(attrs: dict) -> dict:
        return {k: stored(v) for k, v in attrs.items()}

    owners = [ds.attrs] + [v.attrs for v in ds.variables.values()]
    if all(stored(v) is v for attrs in owners for v in attrs.values()):
        return ds
    out = ds.copy(deep=False)
    out.attrs = fixed(ds.attrs)
    for name in out.variables:
        out[name].attrs = fixed(ds[name].attrs)
    return out


FORMATS = (
    Format(
        name="netcdf",
        title="netCDF",
        extensions=(".nc", ".netcdf"),
        kinds=("poses", "bboxes", "labels"),
        sniff=sniff,
        read=read,
        write=write,
        aliases=("movement", "nc"),
    ),
)
