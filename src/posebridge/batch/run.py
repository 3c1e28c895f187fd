"""Running a batch: local worker processes or a Dask cluster, and :func:`convert_many`."""

from __future__ import annotations

import _thread
import contextlib
import os
import signal
import threading
import time
import uuid
import warnings
from collections.abc import Callable, Generator, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from functools import partial
from pathlib import Path
from typing import Any

from posebridge import api
from posebridge._option_values import expect_number
from posebridge._temporaries import temporaries_of
from posebridge.batch.cluster import check_executor, connect
from posebridge.batch.job import (
    Result,
    _input_bytes,
    check_inspector,
    missing_folders,
    remove_empty_folders,
    run_job,
)
from posebridge.batch.plan import Job, plan_batch
from posebridge.batch.progress import (
    BatchProgress,
    ChunkCallback,
    connect_worker,
    drain,
    log_to_batch,
    send_to_batch,
    subscribe,
)
from posebridge.batch.report import BatchReport, ReportNotWrittenError, is_batch_report
from posebridge.batch.report_path import (
    check_report_path,
    refuse_existing_report,
    refuse_report_onto_batch_files,
    without_own_report,
)
from posebridge.convert import check_chunking
from posebridge.errors import PoseBridgeError, expect_bool, user_stacklevel

PathLike = str | os.PathLike[str]


def _clean_partials(job: Job) -> None:
    """Remove the temporary files a killed worker left beside the job's target.

    Writers write recognisable temporaries (``_temporaries.TEMPORARY_MARK``) and
    rename them; a process killed midway cannot remove its own. Only this job
    writes its target, so every temporary of it is the dead worker's (whose pid
    may still look alive until the pool reaps it).
    """
    for leftover, _ in temporaries_of(Path(job.target)):
        leftover.unlink(missing_ok=True)


def _died(job: Job, error: BaseException) -> Result:
    """The result of a job whose worker stopped (killed, or lost with its pool): failed,
    its temporaries removed, its input's size kept."""
    _clean_partials(job)
    hint = ""
    if isinstance(error, BrokenProcessPool):  # killed, or could not start at all
        hint = (
            " (if worker processes cannot start or run here, e.g. for lack of memory, "
            "run it in one process: -j 1, jobs=1)"
        )
    try:
        size = _input_bytes(Path(job.source))
    except OSError:
        size = 0  # gone meanwhile: the next run says so
    return Result(
        source=job.source,
        target=job.target,
        status="failed",
        input_bytes=size,
        error=f"the worker running it stopped ({type(error).__name__}: {error}); "
        f"run the batch again to resume{hint}",
        error_type=type(error).__name__,
    )


#: What starting worker processes or their threads raises when the machine refuses
#: (``can't start new thread``, fork / spawn's ``OSError``, a pool broken at start).
_START_ERRORS = (RuntimeError, OSError, BrokenProcessPool)


def _not_started(workers: int, error: BaseException) -> PoseBridgeError:
    """The error of a batch whose worker processes (or the threads that feed them)
    could not start, naming the cause and the way out."""
    cause = " ".join(str(error).split()) or type(error).__name__
    return PoseBridgeError(
        f"could not start {workers} worker processes for the batch ({type(error).__name__}: "
        f"{cause}); run it in one process with -j 1 (jobs=1), or free what ran out "
        "(processes, threads, memory, open files). Outputs already written are skipped "
        "when the batch runs again."
    )


def _stop(pool: ProcessPoolExecutor) -> None:
    """Stop a pool whose start failed midway: cancel the jobs not begun, wait for the
    ones running (their outputs are whole).

    A pool whose feeding thread never started cannot be joined, and its
    processes would wait for work forever: they are terminated first (the
    pool's own list of them, a private attribute read defensively; no job
    ever reached them), then the pool is let go without waiting.
    """
    feeder = getattr(pool, "_executor_manager_thread", None)
    if feeder is None or feeder.ident is None:  # never started: no job reached a worker
        for process in list((getattr(pool, "_processes", None) or {}).values()):
            process.terminate()
            process.join(5)
        with contextlib.suppress(RuntimeError):
            pool.shutdown(wait=False, cancel_futures=True)
        return
    pool.shutdown(wait=True, cancel_futures=True)


#: This worker process's board of the batch (see :func:`_connect_worker`).
_BOARD: Any = None

#: Set in a local worker process once the batch's process is gone (see :func:`_watch_batch`).
_ORPHANED = threading.Event()

#: Set while this local worker process runs no job.
_IDLE = threading.Event()

#: Seconds a worker whose batch's process died gives its running job to stop (as on
#: Ctrl-C, removing its temporaries) before the worker ends anyway.
ORPHAN_GRACE = 30.0


def _connect_worker(queue: Any, board: Any) -> None:
    """Initializer of a local worker process: keep the queue of chunk reports (see
    :func:`~posebridge.batch.progress.connect_worker`) and the batch's board, and
    watch the batch's process (:func:`_watch_batch`).

    The board is an array in memory shared with the batch's process: slot ``i``
    holds the pid of the worker running job ``i`` (``0`` while it runs in none),
    the last slot is set when the batch stops (Ctrl-C, SIGTERM). Shared memory,
    not a manager process, so that no lock can be left held by a killed worker
    and no process must be reachable to read it.
    """
    global _BOARD
    connect_worker(queue)
    _BOARD = board
    _stoppable_when_orphaned()
    _watch_batch()


def _stoppable_when_orphaned() -> None:
    """Let :func:`_leave` stop this worker's job when SIGINT was inherited as ignored.

    A batch started in the background by a non-interactive shell (``posebridge
    batch ... &`` in a script, a SLURM job script) has SIGINT ignored, and so
    have its workers: :func:`_thread.interrupt_main` then does nothing, and an
    orphaned worker would write on until :data:`ORPHAN_GRACE` ends it, leaving
    its temporaries. The worker keeps ignoring a real SIGINT (the terminal's
    Ctrl-C that the user's shell kept from it) until the batch's process is
    gone; then it raises KeyboardInterrupt, as Ctrl-C does.
    """
    if signal.getsignal(signal.SIGINT) is not signal.SIG_IGN:
        return  # Python's own handler (or the caller's): interrupt_main reaches it

    def interrupt_once_orphaned(signum: int, frame: Any) -> None:
        if _ORPHANED.is_set():
            raise KeyboardInterrupt

    signal.signal(signal.SIGINT, interrupt_once_orphaned)


def _watch_batch() -> None:
    """End this worker process when the batch's process ends without stopping it.

    A batch killed with SIGKILL (the OOM killer, a scheduler's hard limit)
    cannot stop its workers: they would go on with the jobs queued to them,
    for no one, and then wait for work for ever (and the manager process of
    the chunk reports, which runs this too, would wait for clients). A thread waits on the
    sentinel of the parent process (the end of a pipe the batch's process
    holds open: it reads as closed once that process is gone, however it
    ended), then :func:`_leave`.
    """
    import multiprocessing

    parent = multiprocessing.parent_process()
    if parent is None:  # not a spawned worker process: nothing to watch
        return
    _IDLE.set()
    threading.Thread(
        target=_leave, args=(parent.sentinel,), name="posebridge-batch-watch", daemon=True
    ).start()


def _leave(sentinel: int) -> None:
    """Wait until the batch's process is gone, then end this worker: no queued job starts,
    a running one is stopped as Ctrl-C stops it (its temporaries removed), given
    :data:`ORPHAN_GRACE` seconds to do so."""
    from multiprocessing.connection import wait

    wait([sentinel])
    _ORPHANED.set()
    if not _IDLE.is_set():
        _thread.interrupt_main()  # KeyboardInterrupt in the job: its writer cleans up
        _IDLE.wait(ORPHAN_GRACE)
    os._exit(1)


def _run_on_worker(
    index: int, job: Job, report: Callable[[int, int], None] | None
) -> Result | None:
    """Run job ``index`` in a local worker process, marking it running on the board;
    ``None`` (not started) when the batch stops before it starts."""
    board = _BOARD
    if board is None:
        return run_job(job, report)
    if board[len(board) - 1] or _ORPHANED.is_set():
        return None  # the batch stops (or is gone): a job queued here does not start
    _IDLE.clear()
    board[index] = os.getpid()
    try:
        return run_job(job, report)
    finally:
        board[index] = 0
        _IDLE.set()


def _retried_note(result: Result, error: BaseException) -> Result:
    """``result`` of a job run again alone, its note saying why."""
    said = (
        "run again alone: a worker process of the batch stopped while it ran, and its "
        f"pool's workers with it ({type(error).__name__})"
    )
    result.note = "; ".join(n for n in (said, result.note) if n)
    return result


def _run_local(
    jobs: list[Job], workers: int, progress: BatchProgress
) -> Iterator[tuple[int, Result]]:
    """Run the jobs in this process (``workers`` 1) or on local worker processes.

    A worker process that dies (killed by the OOM killer, SIGKILL) breaks its
    pool, and the pool stops its other workers: the results received before
    are kept, the jobs not yet running go to a new pool, and each job that
    was running then is run again at the end, alone in a pool of one worker
    (its temporaries removed first); only a job whose worker dies again then
    fails (:func:`_died`). A pool that breaks having neither finished a job
    nor lost a running one (its workers cannot run here) fails the jobs it
    held. On Ctrl-C or SIGTERM no job starts (the board's stop
    flag: a job already queued to a worker returns unstarted) and the running
    ones finish whole.
    """
    if workers <= 1:
        for index, job in enumerate(jobs):
            report = partial(progress.chunk, index) if progress.listening else None
            yield index, run_job(job, report)
        return
    import multiprocessing

    context = multiprocessing.get_context("spawn")
    manager = queue = drainer = None
    try:
        try:
            board = context.RawArray("q", len(jobs) + 1)
            # chunk reports travel through a manager's queue: a worker killed midway only
            # drops its own connection (a plain multiprocessing queue shares one lock)
            if progress.listening:
                from multiprocessing.managers import SyncManager

                manager = SyncManager(ctx=context)
                manager.start(_watch_batch)  # its process ends with the batch's too
                queue = manager.Queue()
                drainer = drain(queue, progress)
        except _START_ERRORS as error:
            raise _not_started(workers, error) from error
        waiting = list(range(len(jobs)))
        again: list[tuple[int, BaseException]] = []  # running when their pool broke
        while waiting:
            lost: list[int] = []
            broken, finished = yield from _run_pool(
                jobs, waiting, min(workers, len(waiting)), context, queue, board, lost
            )
            if broken is None:
                break
            running = [i for i in lost if board[i] > 0]
            for i in lost:
                board[i] = 0
            if not running and not finished:  # workers die on their own: no new pool
                for i in lost:
                    yield i, _died(jobs[i], broken)
                break
            # each new pool follows one that finished a job or lost a running one: it ends
            again.extend((i, broken) for i in running)
            waiting = [i for i in lost if i not in running]
        yield from _run_alone(jobs, again, context, queue, board)
    finally:
        if manager is not None:  # gone already when SIGTERM reached the process group
            with contextlib.suppress(EOFError, OSError):
                if drainer is not None:
                    queue.put(None)  # after every worker's reports: the drainer stops here
                    drainer.join()
                manager.shutdown()


def _submit(pool: ProcessPoolExecutor, jobs: list[Job], index: int, queue: Any) -> Any:
    """Submit job ``index`` to ``pool`` (its chunk reports to ``queue``, when one)."""
    report = partial(send_to_batch, index) if queue is not None else None
    return pool.submit(_run_on_worker, index, jobs[index], report)


def _new_pool(workers: int, context: Any, queue: Any, board: Any) -> ProcessPoolExecutor:
    """A pool of ``workers`` local worker processes (started at its first job)."""
    return ProcessPoolExecutor(
        max_workers=workers,
        mp_context=context,
        initializer=_connect_worker,
        initargs=(queue, board),
    )


def _run_pool(
    jobs: list[Job],
    indices: list[int],
    workers: int,
    context: Any,
    queue: Any,
    board: Any,
    lost: list[int],
) -> Generator[tuple[int, Result], None, tuple[BaseException | None, int]]:
    """Run the jobs of ``indices`` on one pool of ``workers`` processes, yielding their
    results as they come; returns the pool's breakage (``None`` when it did not break)
    and how many jobs it finished, having put the jobs it lost in ``lost``.
    """
    pool = None
    try:
        try:
            pool = _new_pool(workers, context, queue, board)
            futures = {_submit(pool, jobs, i, queue): i for i in indices}
        except _START_ERRORS as error:
            if pool is not None:
                _stop(pool)
                pool = None
            raise _not_started(workers, error) from error
        broken: BaseException | None = None
        finished = 0
        for future in as_completed(futures):
            index = futures[future]
            try:
                result = future.result()
            except BrokenProcessPool as error:  # a worker process died: the pool is lost
                broken = error
                lost.append(index)
                continue
            except Exception as error:  # the result could not come back
                result = _died(jobs[index], error)
            if result is not None:
                finished += 1
                yield index, result
        return broken, finished
    except BaseException:  # Ctrl-C, SIGTERM: no new job starts; the running ones finish whole
        _interrupted(board, pool)
        pool = None
        raise
    finally:
        if pool is not None:
            pool.shutdown(wait=True)


def _interrupted(board: Any, pool: ProcessPoolExecutor | None) -> None:
    """Ctrl-C or SIGTERM: raise the board's stop flag (a job queued to a worker does not
    start), cancel the jobs not begun and wait for the running ones (their outputs whole)."""
    board[len(board) - 1] = 1
    if pool is not None:
        pool.shutdown(wait=True, cancel_futures=True)


def _run_alone(
    jobs: list[Job],
    again: list[tuple[int, BaseException]],
    context: Any,
    queue: Any,
    board: Any,
) -> Iterator[tuple[int, Result]]:
    """Run each job of ``again`` (running when its pool broke, with that breakage) once
    more, alone: one after the other in a pool of one worker process, its temporaries
    removed first. A job whose worker dies again fails (:func:`_died`); the next one
    gets a new pool.
    """
    pool = None
    try:
        for index, error in again:
            _clean_partials(jobs[index])
            try:
                if pool is None:
                    pool = _new_pool(1, context, queue, board)
                future = _submit(pool, jobs, index, queue)
            except _START_ERRORS as start_error:
                if pool is not None:
                    _stop(pool)
                    pool = None
                raise _not_started(1, start_error) from start_error
            try:
                result = future.result()
            except BrokenProcessPool as broken:  # it died again: the job fails
                pool.shutdown(wait=True)
                pool = None
                board[index] = 0
                result = _died(jobs[index], broken)
            except Exception as lost:  # the result could not come back
                result = _died(jobs[index], lost)
            else:
                result = _retried_note(result, error) if result is not None else None
            if result is not None:
                yield index, result
    except BaseException:  # Ctrl-C, SIGTERM: as in _run_pool
        _interrupted(board, pool)
        pool = None
        raise
    finally:
        if pool is not None:
            pool.shutdown(wait=True)


def _run_dask(
    jobs: list[Job], client: Any, progress: BatchProgress
) -> Iterator[tuple[int, Result]]:
    from distributed import as_completed as dask_completed

    topic = f"posebridge-progress-{uuid.uuid4().hex}" if progress.listening else ""
    if topic:
        subscribe(client, topic, progress)
    try:
        reports = [partial(log_to_batch, topic, i) if topic else None for i in range(len(jobs))]
        futures = [
            client.submit(run_job, job, report, pure=False)
            for job, report in zip(jobs, reports, strict=True)
        ]
        index = {future.key: i for i, future in enumerate(futures)}
        try:
            for future in dask_completed(futures):
                i = index[future.key]
                try:
                    yield i, future.result()
                except Exception as error:  # KilledWorker, a lost worker, ...
                    yield i, _died(jobs[i], error)
        except BaseException:  # Ctrl-C: the jobs not started never start
            # (a running task cannot be stopped on its worker: it finishes whole)
            with contextlib.suppress(Exception):
                client.cancel([future for future in futures if not future.done()])
            raise
    finally:
        if topic:
            client.unsubscribe_topic(topic)


def convert_many(
    sources: PathLike | Sequence[PathLike] | None,
    output_dir: PathLike | None = None,
    *,
    to: str | None = None,
    from_format: str | None = None,
    template: str | None = None,
    manifest: PathLike | None = None,
    fps: float | None = None,
    read_options: dict[str, Any] | None = None,
    write_options: dict[str, Any] | None = None,
    overwrite: bool = False,
    inspect: bool = False,
    jobs: int | None = None,
    client: Any = None,
    scheduler: str | None = None,
    progress: bool | None = None,
    on_chunk: ChunkCallback | None = None,
    chunk_frames: int | None = None,
    report: PathLike | None = None,
    fps_option: str = "fps=",
    command_line: bool = False,
) -> BatchReport:
    """Convert many files, on local worker processes or a Dask cluster; never stop at one error.

    Parameters
    ----------
    sources
        A folder (every file in it and its subfolders that a readable format
        claims by name), a glob pattern (``"data/**/*.h5"``), a file, or a list
        of these; ``None`` with a ``manifest``. An empty path is refused (use
        ``"."`` for the current folder). In a folder, a folder that a format
        reads as a whole (the ``labels`` folder of YOLO pose predictions,
        TRex's per-individual files, idtracker.ai's CSV folder) is one input,
        named after the folder; a ``.txt`` file whose content no format
        recognises (notes, a README) is left out and listed in the report's
        ``ignored``.
    output_dir
        Folder of the outputs (created as needed); relative output names and
        templates are taken from it. ``None``: beside each input. No output
        may lie inside a folder read as one input (such a job fails).
    to
        Output format (``nwb``, ``dlc``, ``sleap``, ...); ``None`` chooses each
        from its output name (a manifest's ``output``).
    from_format
        Input format; ``None`` detects each file's format.
    template
        How outputs are named, with ``{stem}`` (input name without its format
        ending), ``{name}``, ``{parent}`` (subfolder within a folder input),
        ``{ext}`` (the output format's ending), ``{subject}`` and ``{session}``
        (the manifest's ``subject_id`` and ``session_id``). ``"dandi"`` is
        :data:`DANDI_TEMPLATE`, with labels sanitised as DANDI requires.
        Default: ``"{parent}/{stem}{ext}"``. A template that names no file
        (``"/"``, ``"{ext}"``) or, with ``output_dir``, gives an absolute name or
        one that leads out of it (``"../{stem}"``) is refused.
    manifest
        A CSV or YAML file, one row per input (see :func:`read_manifest`); its
        metadata goes to the NWB writer (subject, species, sex, age, session
        start time, video) and ``fps`` to the reader. With ``output_dir``, a
        row's ``output`` that is absolute or leads out of it (``"../x.nwb"``)
        is refused; a ``subject_id`` or ``session_id`` that a template uses
        and that holds ``/`` or ``\\`` fails its input (``"dandi"`` turns
        them into ``-``).
    fps
        Frames per second of every input (a manifest's ``fps`` wins).
    read_options, write_options
        Options of the readers and of the writers. Each input gets those its
        reader (its output's writer) takes, so a batch may mix formats
        (``kpt_shape`` for a YOLO predictions folder beside DeepLabCut files);
        an option that no input's reader (no output's writer) takes stops the
        batch before any input runs, naming the option and the formats. The
        inputs' formats are found from their first bytes for this (one look per
        input, only when read options are given).
    overwrite
        Redo outputs that exist. Without it, an output that exists and reads
        back is skipped (the batch resumes), and one that does not read back
        is reported as failed and left alone.
    inspect
        Run nwbinspector on every NWB output written and add its findings to
        the report. nwbinspector comes with the ``interop`` extra
        (``pip install 'posebridge[interop]'``); without it the batch stops
        before any input is converted. An output whose inspection fails is
        kept and listed in its row, which is ``failed`` and says why.
    jobs
        Local worker processes, a whole number, at least 1 (default: the
        number of CPUs, at most the number of inputs; ``1`` runs in this
        process). When the processes, or the threads that feed them, cannot
        start (too few processes, threads, memory or open files allowed), the
        batch stops with a :class:`PoseBridgeError` naming the cause and
        suggesting ``jobs=1``.
    client
        A ``distributed.Client`` of an existing Dask cluster (a local one, or
        SLURM / PBS through dask-jobqueue) to run the jobs on instead.
    scheduler
        The address of a Dask scheduler (``tcp://host:8786``) to connect to
        (not with ``client``). Its form is checked before anything runs; the
        connection, after the inputs are planned and before any is converted,
        waits as long as Dask's ``distributed.comm.timeouts.connect`` (30 s
        unless configured).
    progress
        Show a progress bar over the files, and one over the chunks of each
        running file that streams in more than one chunk (default: when
        stderr is a terminal).
    on_chunk
        Called in this process as ``on_chunk(source, done, total)`` each time a
        worker has read a chunk of frames of a file that streams (see
        :func:`posebridge.convert`), whatever the executor. When it raises, it is
        called no more, the batch goes on, and its first error is raised once
        the batch is done (after the report is written).
    chunk_frames
        Frames per chunk of the files that stream, a whole number, at least 1
        (default: about 16 MB of positions).
    report
        Write the report here (``.json``, else CSV), atomically, once every
        input is done. Checked before any input is converted: its folder must
        exist and take new files, an existing file is replaced only with
        ``overwrite``, and an input of the batch, its manifest or one of its
        outputs, or a file inside a folder read as one input, is refused
        (links followed; even with ``overwrite``).
    fps_option
        How ``fps`` is named in the messages of the inputs it contradicts
        (``"fps=60 contradicts the file's own frame rate"``); the command
        line passes ``"--fps "``. A manifest row's ``fps`` is named ``fps=``.
    command_line
        Whether the command line runs the batch (``posebridge batch`` passes
        ``True``): the report then advises as the command line does, e.g. how
        to read one video of a file of several (``--read-option video=0``,
        where Python's advice is ``video=0``).

    Returns
    -------
    BatchReport
        Every input's result, in input order.

    Raises
    ------
    posebridge.errors.TypeError
        When an argument is of the wrong kind (``jobs="2"``, ``template=5``,
        ``client=5``, ``read_options=5``).
    PoseBridgeError
        When an argument's value is refused (``jobs=0``, ``chunk_frames=0``, an
        empty source, a template that names no file or leads out of
        ``output_dir``, a manifest ``output`` that leads out of it, an option
        no reader or writer of the batch takes, ``inspect`` without nwbinspector
        installed, a ``report`` that cannot be written, exists without
        ``overwrite``, or is one of the batch's files, a
        ``scheduler`` address that is malformed or where no scheduler answers),
        or when worker processes cannot start (see ``jobs``).
        Every argument is checked before any input is converted; an input that
        fails is reported in the :class:`BatchReport` instead.
    ReportNotWrittenError
        When the report could not be written after all (the file system
        changed during the batch); the batch ran, and the error's ``report``
        holds its :class:`BatchReport`.

    Examples
    --------
    >>> import posebridge
    >>> report = posebridge.convert_many(
    ...     None, "dandiset/", manifest="sessions.csv", template="dandi"
    ... )  # doctest: +SKIP
    >>> report.counts  # doctest: +SKIP
    {'ok': 12, 'failed': 0, 'skipped': 0}
    """
    start = time.perf_counter()
    expect_number(jobs, "jobs", whole=True, least=1, optional=True)
    expect_bool(command_line, "command_line")
    check_chunking(chunk_frames, progress, on_chunk, callback="on_chunk(source, done, total)")
    check_executor(client, scheduler)
    expect_bool(inspect, "inspect")
    if inspect:
        check_inspector(command_line)
    if jobs is not None and (client is not None or scheduler is not None):
        warnings.warn(
            f"jobs={jobs} sets local worker processes; the Dask cluster's workers run the "
            "jobs instead (scale the cluster to change how many run at once).",
            UserWarning,
            stacklevel=user_stacklevel(),
        )
    report_path = None if report is None else check_report_path(report, overwrite)
    if isinstance(read_options, dict):  # a reader option fps is the batch's fps (as load's)
        fps, read_options = api.fps_among_options(fps, read_options)
    plan = plan_batch(
        sources,
        output_dir,
        to=to,
        from_format=from_format,
        template=template,
        manifest=manifest,
        fps=fps,
        read_options=read_options,
        write_options=write_options,
        overwrite=overwrite,
        inspect=inspect,
        chunk_frames=chunk_frames,
        fps_option=fps_option,
    )
    planned = plan.jobs
    for job in planned:
        job.command_line = command_line
    if report_path is not None:
        planned = without_own_report(planned, report_path)
        refuse_report_onto_batch_files(report_path, planned, manifest)
        refuse_existing_report(report_path, overwrite)
    results: list[Result | None] = [None] * len(planned)
    made = missing_folders(planned)  # removed at the end where no output went into them
    own_client = None
    if client is None and scheduler is not None:
        client = own_client = connect(scheduler)
    try:
        with BatchProgress([job.source for job in planned], progress, on_chunk) as bars:
            if client is not None:
                stream = _run_dask(planned, client, bars)
            else:
                workers = jobs if jobs is not None else (os.cpu_count() or 1)
                stream = _run_local(planned, max(1, min(workers, len(planned))), bars)
            for index, result in stream:
                results[index] = result
                bars.finished(index, result.status)
    finally:
        if own_client is not None:
            own_client.close()
        remove_empty_folders(made)
    ignored, reasons = plan.ignored, plan.ignored_reasons
    if report_path is not None:  # the report this batch replaces is its own, not left out
        own = os.path.normcase(os.path.realpath(report_path))
        ignored = [p for p in ignored if os.path.normcase(os.path.realpath(p)) != own]
        reasons = {p: why for p, why in reasons.items() if p in ignored}
    done = BatchReport(
        [r for r in results if r is not None], time.perf_counter() - start, ignored, reasons
    )
    if report_path is not None:
        try:
            done.write(report_path, overwrite=overwrite or is_batch_report(report_path))
        except (PoseBridgeError, OSError) as error:
            raise ReportNotWrittenError(done, error) from error
    if bars.callback_error is not None:  # the caller's own error, once the batch is done
        raise bars.callback_error
    return done
