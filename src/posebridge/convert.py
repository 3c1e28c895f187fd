"""One file to another: :func:`convert`, streaming in time chunks where both sides allow it.

A conversion reads the source and writes the target through the data model.
When the source can be read in time chunks and the target written in time
chunks (see :data:`STREAMING_PAIRS`), the data moves one chunk at a time, so
memory is bounded by the chunk size whatever the file's length; otherwise the
whole file is read into memory (:func:`posebridge.load`) and written
(:func:`posebridge.save`). Both paths give the same output.

Examples
--------
>>> import posebridge
>>> posebridge.convert("videoDLC_resnet50.h5", "video.nwb", subject_id="M1")  # doctest: +SKIP
[PosixPath('video.nwb')]
"""

from __future__ import annotations

import os
import sys
import threading
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Any

from posebridge import _save_targets, api, errors, model, registry
from posebridge._files import check_input, recording_files_read, refuse_long_names
from posebridge._option_values import expect_kind, expect_number
from posebridge._output_paths import refuse_folder_name, refuse_writing_onto_input
from posebridge._outputs import existing_output, inputs_kept
from posebridge.errors import PoseBridgeError, expect_bool, expect_path, user_stacklevel
from posebridge.lazy import DASK_EXTRA, dask_installed

__all__ = [
    "STREAMING_PAIRS",
    "check_chunking",
    "convert",
    "refuse_known_target",
    "save_in_chunks",
    "streams",
    "streams_here",
]

PathLike = str | os.PathLike[str]

#: Formats read lazily (see :mod:`posebridge.lazy`) ...
STREAMING_READERS = ("dlc", "lp", "sleap", "netcdf", "nwb", "anipose")
#: ... and formats whose writer takes dask arrays block by block along time.
STREAMING_WRITERS = ("nwb", "sleap", "netcdf", "dlc", "lp", "anipose")
#: (input format, output format) pairs that move data in time chunks.
STREAMING_PAIRS: frozenset[tuple[str, str]] = frozenset(
    (a, b) for a in STREAMING_READERS for b in STREAMING_WRITERS
)
#: Bytes of ``position`` per chunk when ``chunk_frames`` is not given.
CHUNK_BYTES = 16 << 20
#: Size of a source (bytes) above which a conversion that would stream, run in
#: memory for want of dask, says so.
IN_MEMORY_WARNING_BYTES = 1 << 30
#: Seconds before the progress bar of a conversion appears (short ones show none).
_BAR_DELAY = 2.0


def convert(
    source: PathLike,
    target: PathLike,
    format: str | None = None,
    *,
    from_format: str | None = None,
    fps: float | None = None,
    overwrite: bool = False,
    read_options: dict[str, Any] | None = None,
    chunk_frames: int | None = None,
    progress: bool | None = None,
    on_chunk: Callable[[int, int], None] | None = None,
    **options: Any,
) -> list[Path]:
    """Convert ``source`` to ``target``, in time chunks when both formats allow it.

    The pairs in :data:`STREAMING_PAIRS` (from DeepLabCut / LightningPose .h5
    or .csv, SLEAP analysis, netCDF, Anipose .csv or NWB, to NWB, SLEAP
    analysis, netCDF, DeepLabCut .h5 / .csv, LightningPose .csv or Anipose
    .csv) hold one chunk of frames at a time; others are converted in memory. Streaming
    needs dask (the ``dask`` extra): without it, every pair is converted in
    memory (with a warning when the source is over 1 GiB). Both give the same
    output values; every writer's promises hold (atomic, no clobber, NWB
    append leaves the original untouched on failure).

    Parameters
    ----------
    source
        The input file; a folder for the formats read from one (TRex's
        per-individual files, idtracker.ai's CSV folder, the ``labels`` folder
        of YOLO pose predictions), as :func:`posebridge.load` takes it. No
        output may be written inside that folder.
    target
        The output file (writers that split derive the other names from it).
    format
        The output format; ``None`` chooses it from ``target``'s name.
    from_format
        The input format; ``None`` detects it from the content.
    fps
        Frames per second of the source (time in seconds).
    overwrite
        Replace existing outputs.
    read_options
        Options of the reader.
    chunk_frames
        Frames per chunk when streaming: a whole number, at least 1 (default:
        about 16 MB of positions). Checked even when the conversion runs in
        memory, where it has no effect.
    progress
        Show a progress bar over the chunks: True, False or None (default:
        when stderr is a terminal; it appears after 2 seconds).
    on_chunk
        Called as ``on_chunk(done, total)`` each time a chunk of frames has
        been read, when the conversion streams (``done`` counts from 1 to
        ``total``); not called for a conversion in memory.
    **options
        Options of the writer.

    Returns
    -------
    list of pathlib.Path
        Every file written.

    Raises
    ------
    posebridge.errors.TypeError
        When an argument is of the wrong kind (``target=None``,
        ``chunk_frames="10"``, ``read_options=5``, ``progress="yes"``); checked
        before anything is read.
    PoseBridgeError
        When an argument's value is refused (``chunk_frames=0``, ``fps=-1``),
        also before anything is read, or when the source cannot be converted.
        An output that is the input, a file read with it (idtracker.ai's
        ``id_probabilities.csv``, TRex's siblings, a COCO ``ground_truth``...)
        or lies inside an input folder, is refused even with ``overwrite``.
    FileExistsError
        When ``target`` exists and ``overwrite`` is false, before the source is
        read when the writer writes that very file whatever the data
        (:func:`refuse_known_target`), else when the file names are known.
    IsADirectoryError
        When ``target`` is a folder (before the source is read), or when
        ``source`` is a folder that no format reads (also a built-in
        ``IsADirectoryError``).

    Examples
    --------
    >>> import posebridge
    >>> posebridge.convert("a.analysis.h5", "a.csv", format="dlc")  # doctest: +SKIP
    [PosixPath('a.csv')]
    """
    source = check_input(source, folder=True)
    expect_path(target, "target")
    refuse_folder_name(target)
    target = Path(target)
    refuse_long_names(target)  # else "File name too long" (OSError), naming no part
    expect_bool(overwrite, "overwrite")
    model.checked_fps(fps)  # the reader takes it as given: only refused here, early
    expect_kind(read_options, dict[str, Any] | None, "read_options")
    check_chunking(chunk_frames, progress, on_chunk)
    # a folder that no format reads is refused as load() refuses it, before anything else
    fmt_in = registry.resolve_for_reading(source, from_format) if source.is_dir() else None
    refuse_writing_onto_input(source, target)
    fps, read_options = api.fps_among_options(fps, read_options)  # load's fps, either way
    fmt_in = fmt_in or registry.resolve_for_reading(source, from_format)
    api.check_options(fmt_in, read_options, "read")
    try:
        fmt_out = registry.resolve_for_writing(target, format, "poses")
    except PoseBridgeError:
        fmt_out = None  # bboxes or an unknown target: api.save says what is wrong
    if fmt_out is not None and "bboxes" not in fmt_in.kinds:  # else the data decides the writer
        try:  # a misspelt option, a value the writer refuses: before reading
            api.check_options(fmt_out, dict(options), "write")
        except PoseBridgeError as error:  # named as save names it: the file not written
            raise api.naming_the_file(error, target) from None
        if not target.exists():  # an existing file: save says so first, as it does
            _save_targets.check_ending(fmt_out, target, format)  # x.csv with format="nwb"
    if fmt_out is not None:  # (a writer of boxes, VIA or netCDF, writes the target too)
        refuse_known_target(fmt_out, target, options, overwrite=overwrite)
    else:
        _save_targets.check_target(target)  # a folder: refused whatever the writer
    pair = (fmt_in.name, fmt_out.name) if fmt_out is not None else None
    if pair is not None and streams_here(source, *pair):
        from posebridge.lazy import open_lazily_indexed

        with recording_files_read() as files_read:
            ds = open_lazily_indexed(source, fmt_in.name, fps=fps, **read_options)
        if ds.attrs.pop("lazy", 0) and ds.attrs.get("ds_type") == "poses":
            individuals = int(ds.sizes.get(model.INDIVIDUAL, 0))  # known without the data
            refuse_known_target(fmt_out, target, options, overwrite, individuals)
            with inputs_kept(source, companions=files_read):
                return save_in_chunks(
                    ds,
                    target,
                    fmt_out.name,
                    overwrite=overwrite,
                    chunk_frames=chunk_frames,
                    progress=progress,
                    on_chunk=on_chunk,
                    **options,
                )
        ds = ds.load()
    else:
        with recording_files_read() as files_read:  # the files read with it: kept too
            ds = api.load(source, fmt_in.name, fps=fps, **read_options)
    with inputs_kept(source, companions=files_read):
        return api.save(ds, target, format, overwrite=overwrite, **options)


def refuse_known_target(
    fmt_out: registry.Format,
    target: Path,
    options: dict[str, Any],
    overwrite: bool = False,
    individuals: int | None = None,
) -> None:
    """Refuse, before the source is read, a target that is a folder, or one that exists
    (without ``overwrite``) when the writer writes that very file whatever the data.

    A writer that splits (``<stem>_<individual><suffix>``: NWB's default for several
    individuals, DeepLabCut's and LightningPose's ``split_individuals``), YOLO pose
    predictions (``<stem>_<frame>.txt``) and an NWB ``append`` may not write
    ``target`` itself: the writer refuses its own existing files once it knows them,
    as without this check. ``individuals``, when known (a lazily opened source), tells
    whether NWB writes one file.

    Parameters
    ----------
    fmt_out
        The writer's format (for a source of poses).
    target
        The output file.
    options
        The writer's options.
    overwrite
        Whether an existing file may be replaced.
    individuals
        How many individuals the source holds, when known without reading its data.

    Raises
    ------
    IsADirectoryError
        ``target`` is a folder.
    FileExistsError
        ``target`` exists, ``overwrite`` is false and the writer writes it.

    Examples
    --------
    >>> refuse_known_target(registry.get("netcdf"), Path("new.nc"), {})
    """
    _save_targets.refuse_extension_only_name(fmt_out, target)
    _save_targets.check_target(target)  # a folder, or a missing one: as save refuses it
    if overwrite or not (target.exists() or target.is_symlink()):
        return
    split = options.get("split_individuals")
    if fmt_out.name == "yolo-predictions" or options.get("append"):
        return
    if fmt_out.name == "nwb":  # one file per individual unless split_individuals=False
        if split is False or individuals == 1:
            raise existing_output(target)
        return
    if split is None or split is False:
        raise existing_output(target)


def save_in_chunks(
    ds: Any,
    target: PathLike,
    format: str,
    *,
    overwrite: bool = False,
    chunk_frames: int | None = None,
    progress: bool | None = None,
    on_chunk: Callable[[int, int], None] | None = None,
    **options: Any,
) -> list[Path]:
    """Write a lazily opened poses dataset one time chunk at a time.

    The second half of :func:`convert`, for a caller that has opened the
    source already (``posebridge convert`` looks at it first): ``ds`` comes
    from :func:`posebridge.lazy.open_lazily_indexed` (its ``lazy`` marker
    removed) and ``format`` is a streaming writer.

    Parameters
    ----------
    ds
        The lazily indexed poses dataset.
    target
        The output file.
    format
        The output format (one of :data:`STREAMING_WRITERS`).
    overwrite, chunk_frames, progress, on_chunk, **options
        As in :func:`convert`.

    Returns
    -------
    list of pathlib.Path
        Every file written.

    Examples
    --------
    >>> from posebridge.lazy import open_lazily_indexed
    >>> ds = open_lazily_indexed(Path("a.analysis.h5"), "sleap")  # doctest: +SKIP
    >>> lazy = ds.attrs.pop("lazy")  # doctest: +SKIP
    >>> save_in_chunks(ds, "a.nwb", "nwb", chunk_frames=10_000)  # doctest: +SKIP
    [PosixPath('a.nwb')]
    """

    from posebridge.formats._shared.lazy import clear_blocks

    check_chunking(chunk_frames, progress, on_chunk)
    frames = max(1, int(ds.sizes.get(model.TIME, 1)))
    size = {model.TIME: min(int(chunk_frames), frames) if chunk_frames else _frames_per_chunk(ds)}
    # the data variables only: coordinates (frame numbers) stay numpy arrays, or
    # dask would copy them and every writer compute them again
    ds = ds.assign({n: v.chunk(size) for n, v in ds.data_vars.items() if model.TIME in v.dims})
    # one chunk at a time: h5py reads one block at a time anyway, and threads
    # would multiply the memory a chunk takes (on a Dask worker, the writers
    # compute their blocks with the synchronous scheduler themselves)
    in_worker = _in_dask_worker()
    one_at_a_time = nullcontext() if in_worker else synchronous_scheduler()
    try:
        with _chunk_progress(progress, on_chunk) as report, one_at_a_time:
            if report is not None:
                ds = _reporting_chunks(ds, report)
            return api.save(ds, target, format, overwrite=overwrite, **options)
    finally:
        clear_blocks()  # the rows the lazy readers kept for their last chunk


_SCHEDULER_LOCK = threading.Lock()
#: Conversions running with the synchronous scheduler, and the setting that put it.
_scheduler_state: dict[str, Any] = {"open": 0, "setting": None}


@contextmanager
def synchronous_scheduler() -> Iterator[None]:
    """Dask's synchronous scheduler for the process while any conversion runs here.

    dask's configuration is one per process, and ``dask.config.set`` as a context
    puts back what it found: two conversions on plain threads that end in the
    order they started left ``synchronous`` set for good. The first conversion to
    start sets it and the last to end puts back what was there before.

    Examples
    --------
    >>> import dask
    >>> with synchronous_scheduler():
    ...     dask.config.get("scheduler")
    'synchronous'
    """
    import dask

    with _SCHEDULER_LOCK:
        if _scheduler_state["open"] == 0:
            _scheduler_state["setting"] = dask.config.set(scheduler="synchronous")
        _scheduler_state["open"] += 1
    try:
        yield
    finally:
        with _SCHEDULER_LOCK:
            _scheduler_state["open"] -= 1
            if _scheduler_state["open"] == 0:
                _scheduler_state["setting"].__exit__(None, None, None)
                _scheduler_state["setting"] = None


def check_chunking(
    chunk_frames: Any, progress: Any, on_chunk: Any, *, callback: str = "on_chunk(done, total)"
) -> None:
    """Refuse a ``chunk_frames``, ``progress`` or ``on_chunk`` of the wrong kind or value.

    Checked before any conversion starts, whether it streams or not (the
    in-memory path would ignore them, dask would refuse them midway with its own
    message).

    Parameters
    ----------
    chunk_frames
        A whole number of frames, at least 1, or None.
    progress
        True, False or None.
    on_chunk
        A callable or None.
    callback
        How the callable is called, for the message.

    Raises
    ------
    posebridge.errors.TypeError
        For a value of another kind (``chunk_frames="10"``, ``1.5`` or ``True``,
        ``progress="yes"``, ``on_chunk=5``).
    PoseBridgeError
        For ``chunk_frames`` below 1.

    Examples
    --------
    >>> check_chunking(10_000, None, print)
    >>> check_chunking(0, None, None)
    Traceback (most recent call last):
    ...
    posebridge.errors.PoseBridgeError: chunk_frames must be a whole number, at least 1 (or ...
    """
    expect_number(chunk_frames, "chunk_frames", whole=True, least=1, optional=True)
    expect_kind(progress, bool | None, "progress")
    if on_chunk is not None and not callable(on_chunk):
        raise errors.TypeError(
            f"on_chunk must be a function, called as {callback}, or None; "
            f"got {errors.brief(on_chunk)} ({type(on_chunk).__name__})."
        )


def _in_dask_worker() -> bool:
    """Whether this runs as a task of a Dask distributed worker.

    There the writers compute their blocks here with the synchronous scheduler
    (the netCDF writer sets it around xarray's write, whose lock and chunks
    would otherwise go to the cluster), so :func:`save_in_chunks` leaves the
    process's scheduler alone.
    """
    if "distributed" not in sys.modules:
        return False
    from distributed import get_worker

    try:
        get_worker()
    except ValueError:
        return False
    return True


def _frames_per_chunk(ds: Any) -> int:
    position = ds["position"]
    per_frame = position.dtype.itemsize * max(1, position.size // max(1, position.shape[0]))
    return max(1, CHUNK_BYTES // per_frame)


@contextmanager
def _chunk_progress(
    show: bool | None, on_chunk: Callable[[int, int], None] | None
) -> Iterator[Callable[[int, int], None] | None]:
    """What to call as ``(done, total)`` for each chunk read: a tqdm bar and/or ``on_chunk``.

    Yields ``None`` when nobody listens (no bar, no callback).
    """
    if show is None:
        show = sys.stderr.isatty()
    if not show:
        yield on_chunk
        return
    from tqdm.auto import tqdm

    bar = tqdm(unit="chunk", desc="converting", file=sys.stderr, delay=_BAR_DELAY)

    def report(done: int, total: int) -> None:
        bar.total = total
        bar.update(done - bar.n)
        if on_chunk is not None:
            on_chunk(done, total)

    try:
        yield report
    finally:
        bar.close()


def _reporting_chunks(ds: Any, report: Callable[[int, int], None]) -> Any:
    """``ds`` whose ``position`` calls ``report(done, total)`` as each time chunk is read.

    An identity :func:`dask.array.map_blocks` over the chunks: whatever a
    writer does with the blocks (slices them, fuses them into its own tasks,
    reads one twice), each time chunk counts once, when its first block is
    read.
    """
    data = ds["position"].data
    total = int(data.numblocks[0])
    seen: set[int] = set()
    lock = threading.Lock()

    def passing(block: Any, block_info: dict | None = None) -> Any:
        if block_info:
            where = int(block_info[0]["chunk-location"][0])
            with lock:
                first = where not in seen
                seen.add(where)
                done = len(seen)
            if first:
                report(done, total)
        return block

    counted = data.map_blocks(passing, dtype=data.dtype, meta=data._meta)
    return ds.assign(position=ds["position"].copy(data=counted))


def streams(source_format: str, target_format: str) -> bool:
    """Whether a conversion between these formats moves data in time chunks.

    It does for the pairs of :data:`STREAMING_PAIRS` when dask is installed
    (see :func:`dask_installed`).

    Examples
    --------
    >>> streams("dlc", "nwb"), streams("via", "via")
    (True, False)
    """
    src, dst = registry.get(source_format).name, registry.get(target_format).name
    return (src, dst) in STREAMING_PAIRS and dask_installed()


def streams_here(source: Path, source_format: str, target_format: str) -> bool:
    """:func:`streams`, warning when a pair that streams with dask runs in memory without it.

    The warning, a :class:`UserWarning` naming ``source`` and the extra to
    install, is given only for a source over :data:`IN_MEMORY_WARNING_BYTES`
    (a smaller one fits in memory anyway).

    Examples
    --------
    >>> streams_here(Path("a.analysis.h5"), "sleap", "nwb")  # with dask installed
    True
    """
    src, dst = registry.get(source_format).name, registry.get(target_format).name
    if (src, dst) not in STREAMING_PAIRS:
        return False
    if dask_installed():
        return True
    try:
        size = source.stat().st_size
    except OSError:
        size = 0  # the reader says what is wrong with it
    if size > IN_MEMORY_WARNING_BYTES:
        warnings.warn(
            f"{source}: converted in memory ({size / (1 << 30):.1f} GiB), since dask is not "
            f"installed; {DASK_EXTRA} to convert it in chunks of frames.",
            UserWarning,
            stacklevel=user_stacklevel(),
        )
    return False
