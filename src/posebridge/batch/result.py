"""What became of one job of a batch (the row of its report)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Result:
    """What became of one :class:`Job`.

    Attributes
    ----------
    source, target
        As in the job.
    status
        ``"ok"``, ``"failed"`` or ``"skipped"`` (an output that exists and reads back).
    outputs
        The files written (or found, when skipped).
    seconds
        Wall time of the job.
    input_bytes, output_bytes
        Sizes of the input and of all outputs.
    error
        The error's one-line message (empty when ok).
    error_type
        The error's class name.
    note
        What the job did beyond its status (empty when nothing): which files
        of a partial set split per individual were missing, when it was
        written again.
    findings
        nwbinspector messages (``importance``, ``check``, ``message``,
        ``location``, ``file``) with ``inspect``.
    warnings
        The messages of the warnings the job raised (what the conversion could
        not keep, e.g. categories a format has no place for), each once, in the
        order first raised, whitespace collapsed to single spaces.
    """

    source: str
    target: str
    status: str
    outputs: list[str] = field(default_factory=list)
    seconds: float = 0.0
    input_bytes: int = 0
    output_bytes: int = 0
    error: str = ""
    error_type: str = ""
    note: str = ""
    findings: list[dict[str, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
