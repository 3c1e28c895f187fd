"""Progress of a batch: a bar over the files, a bar per running file's chunks, and the
channels that carry chunk counts from the worker processes (or Dask workers) back.

A worker converting a file that streams calls its job's reporter as each chunk of
frames is read; the reporter sends ``(job, done, total)`` to the process that
runs the batch (``job``: the job's index in the batch, which tells two jobs of one
target apart), where :class:`BatchProgress` moves the bars and calls the user's
``on_chunk``. Three channels, one per executor:

- in this process (``jobs=1``): the reporter calls :meth:`BatchProgress.chunk`;
- local worker processes: a ``multiprocessing`` queue handed to each worker when
  it starts (:func:`connect_worker`), drained by a thread of this process;
- a Dask cluster: worker events under a topic of this batch
  (``Worker.log_event``), to which the client subscribes.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

#: (source, chunks done, chunks in all) of one streaming job, in the batch's process.
ChunkCallback = Callable[[str, int, int], None]

#: The queue of this worker process to the batch's process, set by :func:`connect_worker`.
_CHANNEL: Any = None


class BatchProgress:
    """A bar over the files, a bar per running file with more than one chunk, and a callback.

    Safe to call from several threads (the queue drainer, Dask's event loop).

    Parameters
    ----------
    sources
        Each job's source, in job order (a job is named by its index in it).
    show
        Draw the bars (on stderr); ``None``: when stderr is a terminal.
    on_chunk
        Called as ``on_chunk(source, done, total)`` for every chunk report.

    Examples
    --------
    >>> with BatchProgress(["a.h5"], show=False) as progress:
    ...     progress.chunk(0, 1, 2)
    """

    def __init__(
        self, sources: list[str], show: bool | None, on_chunk: ChunkCallback | None = None
    ) -> None:
        from tqdm.auto import tqdm

        self._tqdm = tqdm
        self.show = sys.stderr.isatty() if show is None else show
        self.sources = sources
        self.on_chunk = on_chunk
        self.files = tqdm(
            total=len(sources),
            unit="file",
            disable=not self.show,
            file=sys.stderr,
            desc="posebridge",
        )
        self._bars: dict[int, tuple[Any, int]] = {}  # job: (its chunk bar, its line)
        self._finished: set[int] = set()
        #: The first error ``on_chunk`` raised (it is called no more), for the batch to raise.
        self.callback_error: Exception | None = None
        self._lock = threading.Lock()

    @property
    def listening(self) -> bool:
        """Whether chunk reports are wanted (bars shown or a callback given)."""
        return self.show or self.on_chunk is not None

    def chunk(self, job: int, done: int, total: int) -> None:
        """Record that the job of index ``job`` has read ``done`` of its ``total`` chunks."""
        with self._lock:
            if self.show and total > 1 and job not in self._finished:
                if job not in self._bars:
                    taken = {line for _, line in self._bars.values()}
                    line = next(i for i in range(1, len(taken) + 2) if i not in taken)
                    bar = self._tqdm(
                        total=total,
                        unit="chunk",
                        desc=Path(self.sources[job]).name,
                        position=line,
                        leave=False,
                        file=sys.stderr,
                    )
                    self._bars[job] = (bar, line)
                bar = self._bars[job][0]
                bar.update(done - bar.n)
        if self.on_chunk is not None and self.callback_error is None:
            try:
                self.on_chunk(self.sources[job], done, total)
            except Exception as error:  # the caller's: not the input's, nor the drainer's
                self.callback_error = error

    def finished(self, job: int, status: str) -> None:
        """Count the job of index ``job`` as done and close its chunk bar."""
        with self._lock:
            self._finished.add(job)
            if job in self._bars:
                self._bars.pop(job)[0].close()
            self.files.update(1)
            self.files.set_postfix_str(f"{status} {Path(self.sources[job]).name}", refresh=False)

    def close(self) -> None:
        """Close every bar."""
        with self._lock:
            for bar, _ in self._bars.values():
                bar.close()
            self._bars.clear()
            self.files.close()

    def __enter__(self) -> BatchProgress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# --------------------------------------------------------------------------
# local worker processes: a queue


def connect_worker(queue: Any) -> None:
    """Initializer of a local worker process: keep the queue to the batch's process."""
    global _CHANNEL
    _CHANNEL = queue


def send_to_batch(job: int, done: int, total: int) -> None:
    """A worker's chunk reporter of the job of index ``job``: put the report on the queue
    to the batch's process."""
    if _CHANNEL is not None:
        _CHANNEL.put((job, done, total))


def drain(queue: Any, progress: BatchProgress) -> threading.Thread:
    """Start a thread that hands the queue's reports to ``progress`` until ``None`` comes."""

    def run() -> None:
        try:
            while (report := queue.get()) is not None:
                progress.chunk(*report)
        except (EOFError, OSError):  # the manager's process is gone (SIGTERM to the group)
            return

    thread = threading.Thread(target=run, name="posebridge-progress", daemon=True)
    thread.start()
    return thread


# --------------------------------------------------------------------------
# a Dask cluster: worker events


def log_to_batch(topic: str, job: int, done: int, total: int) -> None:
    """A Dask worker's chunk reporter of the job of index ``job``: log the report as an
    event under the batch's topic."""
    from distributed import get_worker

    get_worker().log_event(topic, [job, done, total])


def subscribe(client: Any, topic: str, progress: BatchProgress) -> None:
    """Hand the events of ``topic`` (see :func:`log_to_batch`) to ``progress``."""

    def handle(event: tuple[float, Any]) -> None:
        job, done, total = event[1]
        progress.chunk(int(job), int(done), int(total))

    client.subscribe_topic(topic, handle)
