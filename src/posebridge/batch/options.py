"""The read and write options of a batch: checked once, then given to the jobs that take them.

A batch may mix formats (a YOLO labels folder beside DeepLabCut files), so an
option is routed to each job whose reader (writer) takes it, and refused before
any job when none does.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol

from posebridge import api, registry
from posebridge.errors import PoseBridgeError


class Job(Protocol):
    """What routing reads and sets of a :class:`posebridge.batch.plan.Job`."""

    source: Any
    target: Any
    from_format: str | None
    to_format: str | None
    error: str
    read_options: dict[str, Any]
    write_options: dict[str, Any]


__all__ = ["check_option_names", "options_per_job"]


def check_option_names(options: dict[str, Any] | None, format: str | None, role: str) -> None:
    """Refuse an option that the batch's reader (or writer) cannot take, once, before any job.

    With a format given, its reader's (writer's) options are the ones taken;
    without, an option that no reader (writer) takes at all is refused.
    ``overwrite`` is an argument of the batch, not an option of a writer.

    Parameters
    ----------
    options
        The ``read_options`` or ``write_options`` given.
    format
        The batch's input format (``from_format``) or output format (``to``).
    role
        ``"reader"`` or ``"writer"``.
    """
    if not options:
        return
    reading = role == "reader"
    if format is not None:  # a family's name picks its member by each output's ending
        formats = registry.siblings(registry.get(format))
    else:
        formats = [f for f in registry.all_formats() if (f.reads if reading else f.writes)]
    takes = sorted(
        {
            name
            for f in formats
            for name in (f.read_options if reading else f.write_options)
            if name != "overwrite"
        }
    )
    unknown = [key for key in options if key not in takes]
    if not unknown:
        return
    key = unknown[0]
    own = " (overwrite is the batch's own argument: --overwrite)" if key == "overwrite" else ""
    if format is not None:
        titles = " or ".join(f.title for f in formats)
        plural = "s" if len(formats) > 1 else ""
        listed = f"its options: {', '.join(takes)}" if takes else "it takes no options"
        raise PoseBridgeError(
            f"{key!r} is not an option of the {titles} {role}{plural}{own}; {listed}."
        )
    raise PoseBridgeError(
        f"No {role} takes an option {key!r}{own}; the {role}s' options are: {', '.join(takes)}."
    )


def _job_format(job: Job, role: str) -> registry.Format | None:
    """The reader (writer) of a job, as its worker will resolve it; ``None`` when it
    cannot be told here (a missing or unknown input: the job reports that)."""
    try:
        if role == "reader":
            return registry.resolve_for_reading(Path(job.source), job.from_format)
        return registry.resolve_for_writing(Path(job.target), job.to_format, "poses")
    except (PoseBridgeError, OSError):
        return None


def options_per_job(jobs: list[Job], options: dict[str, Any] | None, role: str) -> None:
    """Give each job only the options its reader (writer) takes; refuse, before any job,
    an option that no job's reader (writer) takes, and a writer option's value that a
    writer of the batch refuses whatever the data (:func:`posebridge.api.check_options`:
    NWB's ``compression="lzmaX"``, a ``metadata=`` file that is missing or not a mapping
    of sections), as ``posebridge.convert`` refuses it before reading its input.

    A batch may mix formats (a YOLO labels folder and DeepLabCut files): an
    option meant for one (``kpt_shape``) is not an error of the others. Each
    input's reader is found from its content (its first bytes: one look per
    input, only when options are given); a job whose format cannot be told
    keeps every option and fails on its own.

    Raises
    ------
    PoseBridgeError
        Naming the option and the formats of the batch's inputs (outputs); a refused
        value is the writer's error, whose ``option`` attribute names the option.
    """
    if not options:
        return
    reading = role == "reader"
    titles: dict[str, str] = {}
    formats: dict[str, registry.Format] = {}
    taken: set[str] = set()
    for job in jobs:
        if job.error or not job.target:
            continue
        fmt = _job_format(job, role)
        if fmt is None:
            continue
        titles[fmt.name] = fmt.title
        formats[fmt.name] = fmt
        accepts = fmt.read_options if reading else fmt.write_options
        held = job.read_options if reading else job.write_options
        for key in options:
            if key in accepts:
                taken.add(key)
            else:
                held.pop(key, None)
    unused = [key for key in options if key not in taken]
    if unused and titles:
        what = "input" if reading else "output"
        given = "read_options, --read-option" if reading else "write_options, --option"
        raise PoseBridgeError(
            f"{role} option {unused[0]!r} is taken by no {role} of this batch's {what}s "
            f"({', '.join(sorted(titles.values()))}); leave it out ({given}), or run the "
            "files of a format that takes it in a batch of their own (see posebridge formats)."
        )
    if not reading:  # once per writer, not once per job that would fail with it
        for fmt in formats.values():
            taken_here = {key: options[key] for key in options if key in fmt.write_options}
            api.check_options(fmt, taken_here, "write")
