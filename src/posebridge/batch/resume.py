"""Resuming a batch: which files a job writes, and whether an earlier run's outputs are
this job's finished result (skipped), a partial set (written again whole) or another's
(refused, left as they are)."""

from __future__ import annotations

import glob
import math
import os
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np

from posebridge.batch.plan import Job, writer_name
from posebridge.batch.splits import Splitting, split_pattern, splitting
from posebridge.errors import FileInUseError, PoseBridgeError


def _individuals(job: Job) -> tuple[list[str], bool] | None:
    """The individual names of the job's input, and whether it holds labelled frames;
    ``None`` for a dataset of boxes (no writer splits those).

    Read lazily: formats with a lazy reader read their header, others are read whole.
    """
    from posebridge.lazy import open_lazily_indexed
    from posebridge.model import labels

    ds = open_lazily_indexed(job.source, job.from_format, fps=job.fps, **job.read_options)
    try:
        if ds.attrs.get("ds_type") != "poses":
            return None
        return [str(i) for i in ds["individual"].values], labels.is_labels(ds)
    finally:
        ds.close()


def _split_names(job: Job, target: Path, rule: Splitting) -> tuple[list[Path], list[str]]:
    """The files the job's writer writes for its input, and the individual each holds
    (``""`` for ``target`` itself).

    The names come from the writer's own rule (see :meth:`Splitting.names`);
    only the input's individual names are read (:func:`_individuals`).
    """
    found = _individuals(job)
    if found is None:
        return [target], [""]
    individuals, labelled = found
    names = rule.names(target, individuals, labelled)
    if names == [target]:
        return names, [""]
    return names, individuals


def _outputs_of(other: Job) -> list[Path]:
    """The files another job of the batch writes (its input read only if its writer splits);
    its target when its input cannot be read (that job fails on its own)."""
    target = Path(other.target)
    rule = splitting(target, other.to_format, other.write_options)
    if rule is None:
        return [target]
    try:
        return _split_names(other, target, rule)[0]
    except Exception:
        return [target]


def _refuse_collisions(job: Job, names: list[Path], individuals: list[str], title: str) -> None:
    """Fail the job when one of its split files is another job's output.

    The other jobs are those of :attr:`Job.claimed` (their targets begin with
    this job's ``<stem>_``): a split file named as one's target, or as one of
    its own split files (``sess`` with an individual ``x_y`` and ``sess_x``
    with ``y`` both name ``sess_x_y.nwb``). An other job's input is read only
    when one of this job's names could be its: its target, or a name that
    begins with its ``<stem>_``.
    """
    target = Path(job.target)
    others: dict[str, list[Path]] = {}  # the other jobs' outputs, read once each
    for name, individual in zip(names, individuals, strict=True):
        if name == target:
            continue
        for where, source in job.claimed.items():
            other_target = Path(where)
            start, end = split_pattern(other_target)
            if name != other_target and not (
                name.name.startswith(start) and name.name.endswith(end)
            ):
                continue
            other = job.others.get(where)
            if where not in others:
                others[where] = _outputs_of(other) if other is not None else [other_target]
            if name not in others[where]:
                continue
            if name == other_target and others[where] == [other_target]:
                raise PoseBridgeError(
                    f"{name}: the {title} writer names this file after the individual "
                    f"{individual!r} of {job.source} (one file per individual), but it is the "
                    f"output of {source} in this batch; name the outputs apart (e.g. "
                    "--template '{stem}_poses'), or write one file (split_individuals=False)."
                )
            raise PoseBridgeError(
                f"{name}: the {title} writer names this file after the individual "
                f"{individual!r} of {job.source} and after an individual of {source} (one "
                "file per individual): one would replace the other. Name the outputs apart "
                "(e.g. --template '{stem}_poses'), or write one file per input "
                "(split_individuals=False)."
            )


def _split_files_beside(job: Job, target: Path) -> bool:
    """Whether files named as split files of ``target`` (``<stem>_*<suffix>``) lie beside it.

    The batch lists each output folder once when it plans
    (:attr:`Job.split_files_seen`); a job run on its own looks itself.
    """
    if job.split_files_seen is not None:
        return job.split_files_seen
    start, end = split_pattern(target)
    pattern = glob.escape(start) + "*" + glob.escape(end)
    return target.parent.is_dir() and next(target.parent.glob(pattern), None) is not None


def own_outputs(job: Job) -> list[Path]:
    """The files this job writes (or wrote): its target, or its writer's split files.

    The input is read (its individual names only) when the writer splits and
    files of a split's names (``<stem>_*<suffix>``) lie beside the target, or
    when another job of the batch writes a file of such a name: only then do
    the exact names matter. A split name that is another job's output fails
    this job (the file is not this job's, and writing it would replace the
    other's).
    """
    target = Path(job.target)
    if writer_name(job) == "yolo-predictions":
        return _frame_files(target) or [target]
    rule = splitting(target, job.to_format, job.write_options)
    if rule is None:
        return [target]
    if not job.claimed:  # no other job's name to keep clear of
        if job.overwrite or (target.exists() and not rule.always):
            return [target]  # nothing to look for (or the target itself, as written before)
        if not _split_files_beside(job, target):
            return [target]  # nothing there to tell apart
    elif target.exists() and not job.overwrite and not rule.always:
        return [target]
    names, individuals = _split_names(job, target, rule)
    _refuse_collisions(job, names, individuals, rule.title)
    return names


def finished(job: Job, outputs: list[Path]) -> tuple[list[Path], bool] | None:
    """The outputs of an earlier run that exist and read back, and whether they are all
    there; ``None`` when none exist.

    A set of files split per individual is finished only when every file of
    the set is there; a partial set (a worker killed between the renames of
    its files) is redone.

    Raises
    ------
    PoseBridgeError
        When an existing output does not read back, or is not this job's result
        (fewer frames, other positions at the sampled frames, other NWB subject or
        session fields, another frame rate): it may not be ours, and is left alone.
    """
    from posebridge import api

    found = [path for path in outputs if path.exists()]
    if not found:
        return None
    from posebridge import registry

    frame_files = writer_name(job) == "yolo-predictions"
    wanted: _Input | None = None  # the input's sizes and a sample of it, read once
    for path in found[-1:] if frame_files else found:  # a set placed whole: its last file
        try:
            fmt = registry.get(registry.detect(path))  # once: checked, then read as it
        except FileInUseError:  # open for writing elsewhere: overwrite would not help
            raise
        except PoseBridgeError:
            fmt = None  # no format recognises it: reading it back says what is wrong
        _refuse_another_format(job, path, fmt)
        try:
            made = api.load(path, fmt.name if fmt else None, **_read_back_options(job, fmt))
        except FileInUseError:
            raise
        except Exception as error:
            refused = PoseBridgeError(
                f"{path}: exists but does not read back ({' '.join(str(error).split())}); "
                "pass overwrite to replace it."
            )
            # the reader's "Pass format=" has no flag here: --from is the input's format
            refused.command_line_wording = {  # type: ignore[attr-defined]
                "Pass format= if you know it; `posebridge formats`": "`posebridge formats`"
            }
            raise refused from error
        _refuse_other_metadata(job, path, made)
        if frame_files or (fmt is not None and fmt.name in _FRAMES_WITH_DATA_ONLY):
            continue  # holds the frames with points (boxes) only: no count to compare
        if wanted is None:
            wanted = _input_read(job)
        _refuse_cut_short(path, made, wanted.sizes, split=outputs != [Path(job.target)])
        _refuse_other_positions(path, made, wanted)
    return found, len(found) == len(outputs)


#: The writer options of a manifest row's metadata, and the attributes an output read
#: back holds them in (NWB's subject and session fields).
_RECORDED_AS = {
    "subject_id": "subject_id",
    "species": "subject_species",
    "sex": "subject_sex",
    "age": "subject_age",
    "session_id": "session_id",
    "session_start_time": "session_start_time",
}


def _not_this_jobs(path: Path, what: str) -> PoseBridgeError:
    """The refusal of an existing output that is not this job's result (``what`` differs)."""
    return PoseBridgeError(
        f"{path}: exists but is not this job's output ({what}); it was left as it is: "
        "pass overwrite to replace it."
    )


def _refuse_other_metadata(job: Job, path: Path, made: Any) -> None:
    """Refuse an earlier output (``made``, read back from ``path``) that records other
    session metadata or another frame rate than this job writes.

    Compared: each of a manifest row's metadata (:data:`_RECORDED_AS`) that the job
    writes and the output's format records (NWB's subject and session fields: a
    file that records none of them is of a format without them), and the job's
    frame rate, when given, with the rate the output records (a file written
    without one keeps time in frames, or NWB's frames as seconds).
    """
    recorded = [key for key in _RECORDED_AS.values() if key in made.attrs]
    holds_metadata = bool(recorded) or "nwb_containers" in made.attrs
    for option, key in _RECORDED_AS.items():
        asked = job.write_options.get(option)
        if asked is None or not holds_metadata:
            continue
        there = made.attrs.get(key)
        if not _same_value(asked, there):
            shown = "none" if there is None else repr(str(there))
            raise _not_this_jobs(path, f"{option} {shown} in the file, {str(asked)!r} asked")
    if job.fps is None:
        return
    rate = made.attrs.get("fps")
    if rate is None and not holds_metadata:
        return  # a format that records no rate (DeepLabCut's, SLEAP's analysis file)
    if rate is None or not math.isclose(float(rate), job.fps, rel_tol=1e-9):
        there = "time in frames" if rate is None else f"fps {float(rate):g}"
        raise _not_this_jobs(path, f"{there} in the file, fps {job.fps:g} asked")


def _same_value(asked: Any, there: Any) -> bool:
    """Whether a metadata value the job writes is the one an output records (times as
    the instants they name)."""
    if there is None:
        return False
    if isinstance(asked, datetime):
        try:
            found = datetime.fromisoformat(str(there))
        except ValueError:
            return False
        if (found.tzinfo is None) != (asked.tzinfo is None):
            return False
        return found == asked
    return str(asked) == str(there)


def _refuse_other_positions(path: Path, made: Any, wanted: _Input) -> None:
    """Refuse an earlier output (``made``, read back from ``path``) whose positions at the
    sampled frames are not its input's (``wanted``): another input of the same shape
    converted to this name, or an input tracked again since.

    Compared only where the output holds the input's frames, keypoints and
    individuals by name (one of them in a file split per individual): a writer that
    fills frames (SLEAP's analysis file) or leaves some out is checked by counts only.
    """
    if wanted.position is None or "position" not in made:
        return
    if tuple(made["position"].dims) != wanted.dims:
        return
    if int(made.sizes["time"]) != wanted.sizes["time"]:
        return
    keypoints = [str(k) for k in made["keypoint"].values]
    individuals = [str(i) for i in made["individual"].values]
    if keypoints != wanted.keypoints or not set(individuals) <= set(wanted.individuals):
        return
    which = [wanted.individuals.index(name) for name in individuals]
    there = np.asarray(made["position"].isel(time=wanted.frames).values, dtype=float)
    asked = np.take(wanted.position, which, axis=wanted.dims.index("individual"))
    if not np.allclose(there, asked, rtol=1e-6, atol=1e-9, equal_nan=True):
        raise _not_this_jobs(path, "its positions are not the input's")


#: Writers that write only the frames holding points (boxes): their outputs hold fewer
#: time steps than their inputs when some frames are empty (SLEAP's CSV: one row per
#: instance, so also fewer individuals when one has no point).
_FRAMES_WITH_DATA_ONLY = frozenset(
    {"coco", "yolo", "yolo-predictions", "labelstudio", "via", "sleap-csv"}
)


@dataclass
class _Input:
    """What an earlier output of a job is compared with: its input's sizes (``time``,
    ``keypoint``, ``individual``; empty for labelled frames, whose writers may leave out
    frames without labels) and, for poses, its positions at a few frames (first, middle
    and last: :data:`_SAMPLED_FRAMES`), with the names of its keypoints and individuals.
    """

    sizes: dict[str, int]
    frames: Any = None  # the frames sampled (indices along time)
    position: Any = None  # position at those frames (time, space, keypoint, individual)
    dims: tuple[str, ...] = ()
    keypoints: list[str] = field(default_factory=list)
    individuals: list[str] = field(default_factory=list)


#: Frames of an input compared with its earlier output's (first, middle, last).
_SAMPLED_FRAMES = 3


def _input_read(job: Job) -> _Input:
    """The job's input as its earlier output is compared with (:class:`_Input`).

    The input is opened lazily (formats with a lazy reader read their header and the
    sampled frames only; others are read whole).
    """
    from posebridge.lazy import open_lazily_indexed
    from posebridge.model import labels

    with open_lazily_indexed(job.source, job.from_format, fps=job.fps, **job.read_options) as ds:
        if labels.is_labels(ds):
            return _Input({})
        sizes = {
            dim: int(ds.sizes[dim])
            for dim in ("time", "keypoint", "individual")
            if dim in ds.sizes
        }
        frames = sizes.get("time", 0)
        if "position" not in ds or "keypoint" not in ds.dims or frames == 0:
            return _Input(sizes)
        at = np.unique(np.linspace(0, frames - 1, _SAMPLED_FRAMES).round().astype(int))
        return _Input(
            sizes,
            frames=at,
            position=np.asarray(ds["position"].isel(time=at).values, dtype=float),
            dims=tuple(ds["position"].dims),
            keypoints=[str(k) for k in ds["keypoint"].values],
            individuals=[str(i) for i in ds["individual"].values],
        )


def _refuse_cut_short(path: Path, made: Any, wanted: dict[str, int], split: bool) -> None:
    """Refuse an earlier output (``made``, read back from ``path``) that holds fewer
    frames, or other counts of keypoints or individuals, than its input (``wanted``): a
    file cut short (a CSV cut at a row's end still reads back) is not a finished output.
    More frames are not a cut: the SLEAP analysis file fills the frames between the
    input's first and last. A file split per individual holds one individual."""
    words = {"time": "frames", "keypoint": "keypoints", "individual": "individuals"}
    for dim, count in wanted.items():
        expected = 1 if dim == "individual" and split else count
        there = int(made.sizes.get(dim, 0))
        if there < expected if dim == "time" else there != expected:
            raise PoseBridgeError(
                f"{path}: exists but holds {there} {words[dim]} where its input has "
                f"{expected} (cut short, or not this input's output); it was left as it is: "
                "pass overwrite to replace it."
            )


def _frame_files(target: Path) -> list[Path]:
    """The YOLO prediction files of ``target``'s stem beside it (``<stem>_<N>.txt``, one
    per frame: the writer never writes ``target`` itself), in frame order."""
    from posebridge.formats.yolo.predictions import FRAME_FILE

    stem = target.name[: -len(target.suffix)] if target.suffix else target.name
    if not target.parent.is_dir():
        return []
    found = []
    with os.scandir(target.parent) as entries:
        for entry in entries:
            match = FRAME_FILE.match(entry.name)
            if match and match["stem"] == stem:
                found.append((int(match["number"]), target.parent / entry.name))
    return [path for _, path in sorted(found)]


def _read_back_options(job: Job, fmt: Any) -> dict[str, Any]:
    """What the job's output (of the format ``fmt``, ``None`` when unknown) needs to be
    read back that it does not hold: the image size of a YOLO dataset or predictions
    (positions are fractions of it, given to the writer), and for YOLO predictions the
    input's keypoint names (their count is not in the file)."""
    import inspect

    reader = fmt.read if fmt is not None else None
    takes = inspect.signature(reader).parameters if reader is not None else {}
    options: dict[str, Any] = {}
    if "image_size" in takes and job.write_options.get("image_size") is not None:
        options["image_size"] = job.write_options["image_size"]
    if "keypoint_names" in takes and writer_name(job) == "yolo-predictions":
        from posebridge.lazy import open_lazily_indexed

        with open_lazily_indexed(
            job.source, job.from_format, fps=job.fps, **job.read_options
        ) as read:
            options["keypoint_names"] = _keypoint_names(read)
    return options


def _refuse_another_format(job: Job, path: Path, found: Any) -> None:
    """Refuse an existing output whose content (``found``, its detected format) is another
    format than the job writes (a COCO file where Label Studio tasks are asked for: both
    end in ``.json``). Formats of one family (DeepLabCut's .csv and LightningPose's) stand
    in for each other.
    """
    from posebridge import registry

    if job.to_format is None or found is None:
        return  # chosen by the output's ending / unrecognised: reading it back tells
    wanted = registry.get(job.to_format)
    if found.name != wanted.name and not (found.family and found.family == wanted.family):
        raise PoseBridgeError(
            f"{path}: exists but is not a {wanted.title} output (its content is "
            f"{found.title}); pass overwrite to replace it."
        )


def refuse_a_file_not_converted_from(job: Job) -> None:
    """Refuse a target that the plan took for an earlier run's output of this job (it lay
    among the folder's files) when it is not this job's input converted: its keypoints
    are not the input's (DeepLabCut's own ``x.csv`` of another video beside an ``x.h5``
    converted to ``.csv``). Such a file is the user's: it is neither skipped as done nor
    replaced, even with ``overwrite``.
    """
    from posebridge.lazy import open_lazily_indexed

    target = Path(job.target)
    if not target.is_file():
        return
    from posebridge import registry

    try:
        fmt = registry.get(registry.detect(target))
        made = open_lazily_indexed(target, fmt.name, **_read_back_options(job, fmt))
    except Exception:
        made = None  # not even readable: not an output of this batch
    try:
        read = open_lazily_indexed(job.source, job.from_format, fps=job.fps, **job.read_options)
    except Exception:
        return  # the conversion fails on its own, naming the input
    with read:
        wanted = _keypoint_names(read)
    if made is not None:
        with made:
            found = _keypoint_names(made)
        if found == wanted:
            return
        what = f"its keypoints {found} are not the input's {wanted}"
    else:
        what = "it does not read back"
    raise PoseBridgeError(
        f"{target}: is this input's output name, and a file of the folder read for inputs, "
        f"but not this input converted ({what}): it was left as it is, neither converted "
        "nor replaced. Write the outputs elsewhere (--out, out=) or name them apart "
        "(--template '{stem}_poses')."
    )


def _keypoint_names(ds: Any) -> list[str] | None:
    """A dataset's keypoint names (``None`` for boxes, which have none)."""
    if "keypoint" not in ds.dims:
        return None
    return [str(k) for k in ds["keypoint"].values]


def appended_before(job: Job) -> bool:
    """Whether the job's target (the NWB file it appends to) holds its input's individuals
    already: an earlier run appended them. A file without poses, or with other
    individuals only (another animal's, another camera's), is appended to.
    """
    from posebridge.lazy import open_lazily_indexed

    target = Path(job.target)
    if not target.is_file():
        return False
    try:
        with open_lazily_indexed(target) as there:
            present = {str(i) for i in there["individual"].values}
    except PoseBridgeError:
        return False  # no poses yet (or not readable: the append says why)
    with open_lazily_indexed(job.source, job.from_format, fps=job.fps, **job.read_options) as read:
        wanted = {str(i) for i in read["individual"].values}
    return bool(wanted) and wanted <= present


def redone_note(own: list[Path], found: list[Path]) -> str:
    """The note of a partial split set written again: which files were missing."""
    missing = [p.name for p in own if p not in found]
    shown = ", ".join(missing[:5]) + (
        f", ... ({len(missing) - 5} more)" if len(missing) > 5 else ""
    )
    return (
        f"redone: {len(missing)} of the {len(own)} files split per individual were missing "
        f"({shown}); the {len(found)} there were written again"
    )
