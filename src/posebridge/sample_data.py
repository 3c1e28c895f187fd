"""Sample datasets: small ones bundled with posebridge, larger public ones on demand.

Two sources:

* **Bundled** samples, made by posebridge itself (``tools/make_samples.py``) and
  shipped inside the package as netCDF. They are synthetic but shaped like real
  tracking output (NaN gaps, a skeleton, frame gaps) and always work offline.
* **Remote** samples: the public files of movement's sample-data repository on
  GIN. They are listed from that repository's ``metadata.yaml``, downloaded on
  first use, checked against the sha256 sums the metadata gives, and cached
  (the download and cache layer is :mod:`posebridge._sample_data_downloads`).

Nothing touches the network when this module is imported: the metadata is read
(or fetched) only when a function needs it.

Environment variables:

``POSEBRIDGE_DATA_DIR``
    Cache folder for downloads (default: the user cache folder,
    e.g. ``~/.cache/posebridge`` on Linux).
``POSEBRIDGE_SAMPLE_URL``
    Base URL of the remote repository (default :data:`DEFAULT_URL`).

Examples
--------
>>> from posebridge import sample_data
>>> "posebridge_two-mice_2D.nc" in sample_data.list_datasets(remote=False)
True
>>> ds = sample_data.fetch_dataset("posebridge_two-mice_2D.nc")
>>> ds.sizes["keypoint"], ds.sizes["individual"]
(8, 2)
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

from posebridge._output_paths import output_folder_problem
from posebridge._sample_data_downloads import TIMEOUT as TIMEOUT  # seconds for the server
from posebridge._sample_data_downloads import (
    SampleDataError,
    download,
    http_status,
    is_network_error,
    matches,
    network_error_types,
    show_progress,
    unpacked,
)
from posebridge._sample_metadata import incomplete_entry, parse_metadata, sha256_problem
from posebridge._write_problems import writing_problem
from posebridge.errors import (
    PoseBridgeError,
    SchemaError,
    UnknownFormatError,
    brief,
    user_stacklevel,
)

if TYPE_CHECKING:  # imported where used: the command line starts without xarray
    import xarray as xr

__all__ = [
    "BUNDLED",
    "DEFAULT_URL",
    "SampleDataError",
    "bundled_path",
    "data_dir",
    "fetch_dataset",
    "fetch_dataset_paths",
    "list_datasets",
    "sample_url",
]

#: movement's public sample-data repository.
DEFAULT_URL = "https://gin.g-node.org/neuroinformatics/movement-test-data/raw/master"
#: The metadata file at the root of the repository.
METADATA_FILE = "metadata.yaml"
#: The bundled samples (in ``posebridge/data``), with a one-line description.
BUNDLED: dict[str, str] = {
    "posebridge_two-mice_2D.nc": (
        "two mice x 8 keypoints x 300 frames at 30 fps, 2D pixels, with an occlusion "
        "gap, scattered missing points and a skeleton (synthetic)"
    ),
    "posebridge_single-mouse_3D.nc": (
        "one mouse x 6 keypoints x 200 frames at 100 fps, 3D millimetres, a few "
        "missing points and a skeleton (synthetic)"
    ),
    "posebridge_two-crabs_bboxes.nc": (
        "bounding boxes of two crabs over 50 frames numbered 0-24 and 35-59 "
        "(a gap of 10 frames), frames only, one crab absent for a while (synthetic)"
    ),
}

_DATA_FOLDER = Path(__file__).parent / "data"
_KINDS = ("poses", "bboxes")


# --------------------------------------------------------------------------
# locations


def data_dir() -> Path:
    """The cache folder for downloaded samples.

    ``$POSEBRIDGE_DATA_DIR`` when set, else the user cache folder. The folder
    is created only when something is downloaded.

    Returns
    -------
    pathlib.Path
        The folder.

    Examples
    --------
    >>> from posebridge.sample_data import data_dir
    >>> data_dir().name  # doctest: +SKIP
    'posebridge'
    """
    configured = os.environ.get("POSEBRIDGE_DATA_DIR")
    if configured:
        return Path(configured).expanduser()
    import pooch

    return Path(pooch.os_cache("posebridge"))


def sample_url() -> str:
    """The base URL of the remote sample repository.

    ``$POSEBRIDGE_SAMPLE_URL`` when set, else :data:`DEFAULT_URL`.

    Returns
    -------
    str
        The URL, without a trailing slash.

    Examples
    --------
    >>> from posebridge.sample_data import sample_url
    >>> sample_url()  # doctest: +SKIP
    'https://gin.g-node.org/neuroinformatics/movement-test-data/raw/master'
    """
    return (os.environ.get("POSEBRIDGE_SAMPLE_URL") or DEFAULT_URL).rstrip("/")


def bundled_path(name: str) -> Path:
    """The file of a bundled sample.

    Parameters
    ----------
    name
        A key of :data:`BUNDLED`.

    Returns
    -------
    pathlib.Path
        The netCDF file inside the installed package.

    Raises
    ------
    SampleDataError
        When ``name`` is not bundled, or its file is missing from the install.

    Examples
    --------
    >>> from posebridge.sample_data import bundled_path
    >>> bundled_path("posebridge_two-mice_2D.nc").suffix
    '.nc'
    """
    if name not in BUNDLED:
        raise SampleDataError(
            f"{name!r} is not a bundled sample; bundled samples: {', '.join(BUNDLED)}."
        )
    path = _DATA_FOLDER / name
    if not path.is_file():
        raise SampleDataError(
            f"The bundled sample {name} is missing from {_DATA_FOLDER}; the installation is "
            "incomplete (regenerate it with `python tools/make_samples.py` in a source tree)."
        )
    return path


# --------------------------------------------------------------------------
# remote metadata


def _server_answered(url: str, status: int, what: str) -> str:
    """The message for a server that answered ``status`` for ``url`` (not a network problem)."""
    if status == 404:
        return (
            f"The server answered 404 (not found) for {url} ({what}): it has no such file. "
            "The cached list of samples may be out of date (refresh it with "
            "posebridge.sample_data.list_datasets(refresh=True)), or POSEBRIDGE_SAMPLE_URL "
            f"may point at another server (it is {sample_url()})."
        )
    return (
        f"The server answered HTTP {status} for {url} ({what}). Try again later, or check "
        f"POSEBRIDGE_SAMPLE_URL (it is {sample_url()})."
    )


def _cache_problem(target: Path) -> str | None:
    """Why ``target`` cannot be stored in the cache folder, or ``None`` when it can.

    Said in words: the cache folder (or a folder on its path) is a file, or
    the nearest existing folder on the way does not take new files (read-only,
    immutable, no rights, a full disk).
    """
    problem = output_folder_problem(target)
    if problem is not None and target.parent.is_dir():
        problem = None  # created meanwhile, by another thread fetching a sample
    if problem is not None and not problem.endswith("does not exist"):
        return problem  # "<part> is a file, not a folder"
    existing = next((p for p in (target.parent, *target.parents) if p.is_dir()), None)
    if existing is None:
        return None
    return writing_problem(existing / target.name)


def _cache_error(what: str, problem: str) -> SampleDataError:
    """The error for a file that could not be stored in the cache folder, saying why."""
    return SampleDataError(
        f"Could not store {what} in the sample cache folder {data_dir()}: {problem}. Make it "
        "a folder you can write, or set POSEBRIDGE_DATA_DIR to one (this is not a network "
        "problem)."
    )


def _check_sample_name(name: str, where: str = "") -> None:
    """Refuse a sample name (or a file name from the metadata) that is not a plain file name.

    A name holding a path separator (``/``, ``\\``), or that is ``.`` or
    ``..``, would be stored outside its place in the cache folder
    (``poses/../../x``).

    Parameters
    ----------
    name
        The name.
    where
        Where the name comes from, for the message (e.g. ``"the sample
        metadata ... gives the frame of sample x"``); empty for a name given
        by the caller.

    Raises
    ------
    SampleDataError
        Naming the name and what is wrong with it.

    Examples
    --------
    >>> _check_sample_name("DLC_single-wasp.predictions.h5")
    >>> _check_sample_name("poses/../../x")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    posebridge.sample_data.SampleDataError: 'poses/../../x' is not a sample name: it holds ...
    """
    if not isinstance(name, str):
        from posebridge import errors

        raise errors.TypeError(
            f"a sample name is text (posebridge.sample_data.list_datasets() lists them), got "
            f"{name!r} ({type(name).__name__})."
        )
    found = [sep for sep in ("/", "\\") if sep in name]
    if found:
        problem = f"it holds the path separator {' and '.join(repr(s) for s in found)}"
    elif name in ("", ".", ".."):
        problem = "it names no file" if not name else f"{name!r} names a folder"
    else:
        return
    if where:
        raise SampleDataError(
            f"{where} the file name {name!r}: {problem}; it is refused (it would be stored "
            "outside the cache folder)."
        )
    raise SampleDataError(
        f"{name!r} is not a sample name: {problem}; sample names are file names "
        "(see list_datasets())."
    )


def _download_metadata() -> dict[str, dict[str, Any]]:
    """Fetch ``metadata.yaml`` into the cache (atomically), check it, and return it parsed.

    The download goes to a temporary of its own (unique per call, so threads
    or processes fetching at once never share one) and replaces the cached
    copy (by a rename, which concurrent callers may all do) only once it is as
    long as the server announced and parses as a whole sample list: a reader
    sees the old list or the new one, never a part, and a wrong page served in
    its place (a network sign-in or maintenance page) or a list cut short in
    transit leaves the cached copy as it was.

    Raises
    ------
    SampleDataError
        When the download is not a whole sample list (naming the URL it came
        from), was cut short, or was redirected in a loop.
    """
    url = f"{sample_url()}/{METADATA_FILE}"
    where = f"the list of remote samples downloaded from {url}"

    def whole_sample_list(partial: Path) -> dict[str, dict[str, Any]]:
        advice = (
            " The server may have answered with another page (a network sign-in or "
            "maintenance page): check POSEBRIDGE_SAMPLE_URL, or try again later."
        )
        metadata = parse_metadata(partial, where=where, advice=advice)
        if not metadata:  # an empty answer is no list of samples either
            raise SampleDataError(f"{where} lists no sample (it is empty).{advice}")
        problem = incomplete_entry(metadata)
        if problem is not None:
            raise SampleDataError(
                f"{where} is incomplete: {problem}. It was probably cut short in transit (a "
                "connection closed early, with no length to check it against), so it was "
                "not kept: try again with posebridge.sample_data.list_datasets(refresh=True). "
                "If it stays so, the server's list itself is malformed (POSEBRIDGE_SAMPLE_URL "
                f"is {sample_url()})."
            )
        return metadata

    target = data_dir() / METADATA_FILE
    metadata = download(url, target, "the list of remote samples", check=whole_sample_list)
    assert metadata is not None  # whole_sample_list returns the list
    return metadata


def _remote_metadata(refresh: bool = False) -> dict[str, dict[str, Any]]:
    """The remote samples' metadata: the cached copy, or a fresh download.

    Raises
    ------
    SampleDataError
        When there is no cached copy and the download fails (offline), or the
        file is malformed.
    """
    cached = data_dir() / METADATA_FILE
    if refresh or not cached.is_file():
        problem = _cache_problem(cached)
        if problem is not None:
            error = _cache_error(f"the list of remote samples ({METADATA_FILE})", problem)
            if not cached.is_file():
                raise error
            warnings.warn(
                f"{error} Using the cached copy {cached}.",
                UserWarning,
                stacklevel=user_stacklevel(),
            )
            return parse_metadata(cached)
        try:
            return _download_metadata()
        except SampleDataError as error:  # not a sample list: the cached copy is kept
            if not cached.is_file():
                raise
            warnings.warn(
                f"{error} Keeping the cached copy {cached}.",
                UserWarning,
                stacklevel=user_stacklevel(),
            )
        except network_error_types() as error:
            if not is_network_error(error):  # the cache changed under us, or a file error
                problem = _cache_problem(cached) or f"{type(error).__name__}: {error}"
                raise _cache_error(
                    f"the list of remote samples ({METADATA_FILE})", problem
                ) from error
            status = http_status(error)
            if status is not None and not cached.is_file():
                raise SampleDataError(
                    _server_answered(
                        f"{sample_url()}/{METADATA_FILE}", status, "the list of remote samples"
                    )
                ) from error
            if not cached.is_file():
                raise SampleDataError(
                    f"Could not download the list of remote samples from "
                    f"{sample_url()}/{METADATA_FILE} ({type(error).__name__}: {error}). "
                    "Remote samples need the network; the bundled samples "
                    f"({', '.join(BUNDLED)}) work offline."
                ) from error
            warnings.warn(
                f"Could not refresh the list of remote samples ({error}); using the "
                f"cached copy {cached}.",
                UserWarning,
                stacklevel=user_stacklevel(),
            )
    return parse_metadata(cached)


# --------------------------------------------------------------------------
# public functions


def list_datasets(*, remote: bool = True, refresh: bool = False) -> list[str]:
    """Names of the available samples: the bundled ones, then the remote ones.

    Never fails for lack of network: when the remote list is neither cached
    nor reachable, a warning says so and only the bundled samples are listed.

    Parameters
    ----------
    remote
        Include the remote samples (reads the cached metadata, or downloads it
        once when there is no cached copy).
    refresh
        Download the remote metadata again even when a cached copy exists.

    Returns
    -------
    list of str
        Sample names to pass to :func:`fetch_dataset`.

    Examples
    --------
    >>> from posebridge.sample_data import list_datasets
    >>> list_datasets(remote=False)[0]
    'posebridge_two-mice_2D.nc'
    """
    names = list(BUNDLED)
    if not remote:
        return names
    try:
        metadata = _remote_metadata(refresh=refresh)
    except SampleDataError as error:
        warnings.warn(
            f"{error} Listing the bundled samples only.", UserWarning, stacklevel=user_stacklevel()
        )
        return names
    return names + [name for name in metadata if name not in BUNDLED]


def _entry(name: str) -> dict[str, Any]:
    """The metadata of a remote sample; refreshes the cached list once if needed."""
    metadata = _remote_metadata()
    if name not in metadata:
        metadata = _remote_metadata(refresh=True)
    if name not in metadata:
        available = [*BUNDLED, *metadata]
        raise SampleDataError(
            f"No sample called {name!r}. Available samples: {', '.join(available)}."
        )
    return metadata[name]


def _kind(entry: dict[str, Any]) -> str:
    return "bboxes" if entry.get("type") == "bboxes" else "poses"


def _known_hash(name: str, key: str, value: Any) -> str | None:
    """pooch's ``known_hash`` of a sample file: its metadata ``sha256sum``, which must be
    text of 64 hexadecimal digits. A number is refused, not read as one (YAML makes an
    unquoted all-digit sum an integer: its leading zeros gone, or read as octal); no sum
    at all warns that the download cannot be checked."""
    problem = sha256_problem(value)
    if problem is not None:
        raise SampleDataError(
            f"the sample metadata {data_dir() / METADATA_FILE} gives {problem}, for {key} "
            f"(sample {name}). Download the list again with "
            "posebridge.sample_data.list_datasets(refresh=True): a cached list cut short in "
            "transit ends in a part of a sum. If the server's list gives it too, it is "
            "malformed there (an unquoted all-digit sum is a YAML number: quote it)."
        )
    if isinstance(value, str) and value.strip():
        return f"sha256:{value.strip().lower()}"
    warnings.warn(
        f"The sample metadata gives no sha256 sum for {key} (sample {name}); "
        "the download cannot be checked.",
        UserWarning,
        stacklevel=user_stacklevel(),
    )
    return None


def _fetch(name: str, key: str, known_hash: str | None, unzip: bool = False) -> Path:
    """Download ``<url>/<key>`` into the cache (or use the cached copy) and check it.

    A cached copy is used when its sha256 sum matches ``known_hash`` (or there
    is none to check); otherwise it is downloaded again
    (:func:`posebridge._sample_data_downloads.download`). A zip sample gives
    the folder it is unpacked into.
    """
    target = data_dir() / key
    url = f"{sample_url()}/{key}"
    try:
        if not target.is_file() or (known_hash is not None and not matches(target, known_hash)):
            download(
                url, target, f"sample {name}", known_hash=known_hash, progressbar=show_progress()
            )
        if unzip:
            return unpacked(target, known_hash)
    except network_error_types() as error:
        if not is_network_error(error):  # the cache folder, not the network
            problem = _cache_problem(target) or f"{type(error).__name__}: {error}"
            raise _cache_error(f"{url} (sample {name})", problem) from error
        status = http_status(error)
        if status is not None:
            raise SampleDataError(_server_answered(url, status, f"sample {name}")) from error
        if target.is_file():  # downloaded again only because its sum differs
            raise SampleDataError(
                f"The cached copy {target} of sample {name} does not match the sha256 sum "
                "given in the sample metadata (it is damaged or out of date), and a fresh "
                f"copy could not be downloaded from {url} ({type(error).__name__}: {error}). "
                "Downloading it again needs the network."
            ) from error
        raise SampleDataError(
            f"Could not download {url} (sample {name}): {type(error).__name__}: {error}. "
            "Remote samples need the network (downloaded files are cached in "
            f"{data_dir()}); the bundled samples work offline."
        ) from error
    return target


def _companion(name: str, entry: dict[str, Any], what: str) -> Path | None:
    """The still frame (``what="frame"``) or video of a remote sample, fetched."""
    info = entry.get(what)
    if not isinstance(info, dict) or not info.get("file_name"):
        return None
    where = f"the sample metadata {data_dir() / METADATA_FILE} gives the {what} of sample {name}"
    _check_sample_name(str(info["file_name"]), where)
    key = f"{what}s/{info['file_name']}"
    return _fetch(name, key, _known_hash(name, key, info.get("sha256sum")))


def fetch_dataset_paths(name: str, with_video: bool = False) -> dict[str, Path | None]:
    """Local paths of a sample's files, downloading remote ones on first use.

    Parameters
    ----------
    name
        A name from :func:`list_datasets`.
    with_video
        Also fetch the sample's video, when it has one (videos can be large).

    Returns
    -------
    dict
        ``"poses"`` or ``"bboxes"`` (the data file; for a ``.zip`` sample the
        folder it was unpacked into), ``"frame"`` (a still frame, or ``None``)
        and ``"video"`` (or ``None`` when absent or not asked for).

    Raises
    ------
    SampleDataError
        Unknown name, no network, or a download whose sha256 sum does not
        match the metadata.

    Examples
    --------
    >>> from posebridge.sample_data import fetch_dataset_paths
    >>> paths = fetch_dataset_paths("posebridge_two-mice_2D.nc")
    >>> paths["poses"].name, paths["frame"], paths["video"]
    ('posebridge_two-mice_2D.nc', None, None)
    """
    if name in BUNDLED:
        path = bundled_path(name)
        kind = "bboxes" if "bboxes" in name else "poses"
        return {kind: path, "frame": None, "video": None}
    _check_sample_name(name)
    entry = _entry(name)
    kind = _kind(entry)
    key = f"{kind}/{name}"
    paths: dict[str, Path | None] = {
        kind: _fetch(
            name,
            key,
            _known_hash(name, key, entry.get("sha256sum")),
            unzip=name.lower().endswith(".zip"),
        ),
        "frame": _companion(name, entry, "frame"),
        "video": _companion(name, entry, "video") if with_video else None,
    }
    return paths


def _reader_for(name: str, entry: dict[str, Any]) -> str | None:
    """The format to read a remote sample with (``None``: detect from content).

    Decided before downloading, so that an unreadable sample fails fast.
    """
    from posebridge import registry

    software = str(entry.get("source_software") or "").strip()
    target = Path(name)
    claimers = [f for f in registry.all_formats() if f.reads and f.matches_name(target)]
    declared = None
    if software:
        try:
            declared = registry.get(software)
        except UnknownFormatError:
            declared = None
    if declared is None or not declared.reads:
        if not software and claimers:
            return None
        what = f"{software} files" if software else f"{target.suffix or 'these'} files"
        readable = ", ".join(f.title for f in registry.all_formats() if f.reads)
        raise SampleDataError(
            f"posebridge cannot read {what} yet, so the sample {name} cannot be loaded "
            f"(readable formats: {readable}). fetch_dataset_paths({name!r}) still "
            "downloads its files."
        )
    siblings = [f for f in claimers if f is declared or (f.family and f.family == declared.family)]
    if siblings or not claimers:
        return declared.name
    if len(claimers) == 1:
        return claimers[0].name  # e.g. a netCDF export of SLEAP data
    return None


def _metadata_fps(name: str, entry: dict[str, Any]) -> float | None:
    """The frame rate the metadata gives a sample: ``None`` when absent, null or 0.

    A value that is not a positive number (``-5``, ``.nan``, ``"abc"``, ``yes``)
    is refused naming the sample and the metadata file, before downloading.
    """
    from posebridge import model

    fps = entry.get("fps")
    if fps is None or fps == "" or (isinstance(fps, int | float) and fps == 0):
        return None
    try:
        return model.checked_fps(fps)
    except (SchemaError, TypeError):  # a bool is a TypeError
        raise SampleDataError(
            f"the sample metadata {data_dir() / METADATA_FILE} gives sample {name} the frame "
            f"rate (fps) {brief(fps)}; expected a positive number, or null when it is unknown."
        ) from None


def fetch_dataset(name: str, with_video: bool = False) -> xr.Dataset:
    """Load a sample as a dataset, downloading remote ones on first use.

    Remote samples are read with the ``source_software`` and ``fps`` their
    metadata gives. ``attrs["frame_path"]`` is set when the sample has a still
    frame, ``attrs["video_path"]`` when a video was asked for and exists.

    Parameters
    ----------
    name
        A name from :func:`list_datasets`.
    with_video
        Also fetch the sample's video and record its path.

    Returns
    -------
    xarray.Dataset
        A validated poses or bboxes dataset.

    Raises
    ------
    SampleDataError
        Unknown name, no network, a checksum mismatch, or a sample whose
        format posebridge cannot read yet.

    Examples
    --------
    >>> from posebridge.sample_data import fetch_dataset
    >>> ds = fetch_dataset("posebridge_single-mouse_3D.nc")
    >>> ds.space.values.tolist()
    ['x', 'y', 'z']
    >>> ds = fetch_dataset("DLC_single-wasp.predictions.h5")  # doctest: +SKIP
    """
    from posebridge import api

    if name in BUNDLED:
        return api.load(bundled_path(name), "netcdf")
    _check_sample_name(name)
    entry = _entry(name)
    reader = _reader_for(name, entry)
    fps = _metadata_fps(name, entry)
    paths = fetch_dataset_paths(name, with_video=with_video)
    found = paths[_kind(entry)]
    try:
        ds = api.load(found, reader, fps=fps)
    except PoseBridgeError as error:
        if entry.get("sha256sum") is not None or found is None:
            raise  # checked: the file is the server's, byte for byte
        downloaded = data_dir() / f"{_kind(entry)}/{name}"
        remove = f"{downloaded} and {found}" if found != downloaded else str(found)
        raise SampleDataError(
            f"The cached download of sample {name} could not be read: {error} The sample "
            "metadata gives no sha256 sum to check it against, so the download may have been "
            f"cut short or damaged in transit (a server that announces no length): delete "
            f"{remove} to download it again."
        ) from error
    for what in ("frame", "video"):
        found = paths.get(what)
        if found is not None and found.exists():
            ds.attrs[f"{what}_path"] = found.as_posix()
    return ds
