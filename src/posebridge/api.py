"""load() and save(): pick the format, run its reader or writer, validate."""

from __future__ import annotations

import os
import typing
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import xarray as xr

from posebridge import _option_values as option_values
from posebridge import model, registry
from posebridge._dropped_facts import (
    warn_frame_facts_dropped,
    warn_individual_confidence,
    warn_instance_facts_dropped,
)
from posebridge._files import check_input, in_use_instead
from posebridge._output_paths import refuse_folder_name
from posebridge._recorded_warnings import held_until_done
from posebridge._save_targets import (
    already_exists,
    check_ending,
    check_target,
    refuse_extension_only_name,
)
from posebridge.errors import (
    FormatError,
    PoseBridgeError,
    SchemaError,
    UnknownFormatError,
    expect_dataset,
    expect_path,
    reading_failure,
    user_stacklevel,
    with_command_line_wording,
)
from posebridge.errors import TypeError as OptionTypeError
from posebridge.formats._shared.guards import refuse_text_not_utf8
from posebridge.model import labels
from posebridge.model.time_axis import warn_frames_beyond_float64, with_file_fps

#: api's names, and those it kept when they moved (the output-name checks to _save_targets,
#: the dropped-fact warnings to _dropped_facts, with_file_fps to the model): re-exported, so
#: ``from posebridge.api import *`` gives what it gave before the moves.
__all__ = [
    "check_ending",
    "check_options",
    "check_target",
    "fps_among_options",
    "list_formats",
    "load",
    "lone_view",
    "naming_the_file",
    "refuse_extension_only_name",
    "save",
    "scalar_view_as_dim",
    "warn_frame_facts_dropped",
    "warn_individual_confidence",
    "warn_instance_facts_dropped",
    "warn_view_not_stored",
    "with_file_fps",
]

PathLike = str | os.PathLike[str]


def fps_among_options(
    fps: float | None, read_options: dict[str, Any] | None
) -> tuple[float | None, dict[str, Any]]:
    """``fps`` and the reader options without ``fps``: a reader option ``fps`` is the frame
    rate, as :func:`load`'s ``fps`` takes it (``load(path, **{"fps": 30})``).

    Raises
    ------
    PoseBridgeError
        When both give a rate and the rates differ.

    Examples
    --------
    >>> fps_among_options(None, {"fps": 30, "kpt_shape": [17, 3]})
    (30.0, {'kpt_shape': [17, 3]})
    """
    options = dict(read_options or {})
    if "fps" not in options:
        return fps, options
    given = model.checked_fps(options.pop("fps"))
    if given is None:  # fps=None: no rate given this way
        return fps, options
    if fps is not None and model.checked_fps(fps) != given:
        raise PoseBridgeError(
            f"two frame rates were given: fps={fps!r} and the reader option fps={given!r}; "
            "give one."
        )
    return given, options


def load(
    path: PathLike | Sequence[PathLike],
    format: str | None = None,
    *,
    fps: float | None = None,
    **options: Any,
) -> xr.Dataset:
    """Read a pose-tracking file into a dataset.

    Parameters
    ----------
    path
        The file to read; a folder for the formats that read one (TRex's
        per-individual ``.npz`` files, idtracker.ai's CSV folder).
        Or a list of files whose individuals are distinct (the
        one-file-per-individual outputs of the NWB writer, SLEAP files of one
        track each): they are read one by one and returned as one dataset,
        individuals side by side, time the union of the files' times (NaN
        where a file has no row; times in seconds less than a millionth of a
        frame apart are one). The files must agree on kind, time unit, space,
        keypoints and fps (a file in frames that states no fps takes the
        others'). Single-animal DeepLabCut / LightningPose files (what
        ``split_individuals=True`` writes) name no individual and all read as
        ``individual_0``, so they are refused together: name each one's
        individual and merge them with
        :func:`posebridge.combine.merge_individuals`.
    format
        A format name (``dlc``, ``lp``, ``sleap``, ``slp``, ``sleap-csv``,
        ``anipose``, ``via``, ``nwb``, ``netcdf``, ``trex``, ``idtracker``,
        ``dannce``, or movement's ``source_software`` names),
        case-insensitive. ``None`` finds the format from the file's content.
    fps
        Frames per second; with it, ``time`` is in seconds and frame numbers
        are kept in the ``frame`` coordinate. Timestamps a file stores are
        kept as they are; a file whose times are in seconds and that states
        its own frame rate takes only that rate (another is refused, see
        :func:`with_file_fps`).
    **options
        Options of the format's reader (see ``posebridge formats``).

    Returns
    -------
    xarray.Dataset
        A validated poses or bboxes dataset.

    Raises
    ------
    PoseBridgeError
        A subclass naming the file and what is wrong with it.

    Examples
    --------
    >>> import posebridge
    >>> ds = posebridge.load("video1DLC_resnet50.h5", fps=30)  # doctest: +SKIP
    >>> ds = posebridge.load(["out_mouse1.nwb", "out_mouse2.nwb"])  # doctest: +SKIP
    """
    if isinstance(path, list | tuple):
        from posebridge.combine import merge_individuals

        if not path:
            raise PoseBridgeError("load() was given an empty list of files.")
        for item in path:
            expect_path(item, "path")
        parts = [load(item, format, fps=fps, **options) for item in path]
        return merge_individuals(parts, [str(item) for item in path])
    path = check_input(path, folder=True)
    if format is not None:  # options are checked before the file is opened
        for_family = registry.get(format)
        if not any(set(options) <= set(f.read_options) for f in registry.siblings(for_family)):
            check_options(for_family, options, "read")
    fmt = registry.resolve_for_reading(path, format)
    if fmt.read is None:
        raise UnknownFormatError(f"{path}: posebridge cannot read {fmt.title} files.")
    check_options(fmt, options, "read")
    try:
        ds = model.validate(fmt.read(path, **options))
    except PoseBridgeError as error:
        raise in_use_instead(error, path) or naming_the_file(error, path) from error
    except Warning:  # a warning the caller made an error (warnings.simplefilter("error"))
        raise
    except Exception as error:
        raise in_use_instead(error, path) or reading_failure(path, error, fmt.title) from error
    ds.attrs.setdefault("source_software", fmt.title)
    ds.attrs["source_file"] = str(path)
    ds = with_file_fps(ds, fps, path)
    warn_frames_beyond_float64(ds, path)  # kept: it saves to netCDF, or shifted
    return ds


def save(
    ds: xr.Dataset,
    path: PathLike,
    format: str | None = None,
    *,
    overwrite: bool = False,
    **options: Any,
) -> list[Path]:
    """Write a dataset to a file (or several, for formats that split).

    Parameters
    ----------
    ds
        A poses or bboxes dataset (posebridge's or movement's). A labels
        dataset (:mod:`posebridge.labels`) is written in the target format's
        form for labelled frames: DeepLabCut / LightningPose ``CollectedData``,
        SLEAP user instances, NWB ``PoseTraining`` (formats without one refuse it).
    path
        The output file. Writers that split (one file per individual) derive
        the other names from it.
    format
        A format name, or ``None`` to choose from the file name's ending.
    overwrite
        Replace existing files. Without it, an existing output raises
        ``FileExistsError`` and nothing is written.
    **options
        Options of the format's writer.

    Returns
    -------
    list of pathlib.Path
        Every file written.

    Raises
    ------
    TypeError
        ``ds`` is not a Dataset or ``path`` not a path (checked first).
    IsADirectoryError, FileExistsError, FileNotFoundError
        ``path`` is a folder, exists (without ``overwrite``), or its folder is
        missing (checked next, in this order).
    UnknownFormatError
        The file name's ending is not one the format has (checked last).

    Notes
    -----
    A dataset whose ``confidence`` is one score per individual, (time,
    individual), is written as the SLEAP formats' instance scores and as
    netCDF as it is; other formats get the score as every keypoint's
    confidence, with a ``UserWarning`` saying so.

    Examples
    --------
    >>> import numpy as np, posebridge
    >>> ds = posebridge.from_numpy(np.zeros((5, 2, 3, 1)))
    >>> posebridge.save(ds, "poses.csv")  # doctest: +SKIP
    [PosixPath('poses.csv')]
    """
    expect_dataset(ds)
    expect_path(path, "path")
    refuse_folder_name(path)
    target = Path(path)
    check_target(target)
    try:
        ds = model.validate(ds)  # a shallow copy: its attrs are ours to change
    except SchemaError as error:
        if type(error) is not SchemaError:  # a twin (DatasetKindError) says it all
            raise
        raise SchemaError(f"{target}: the dataset cannot be written: {error}") from None
    ds.attrs.pop("lazy", None)  # how open_dataset read it, not a fact of the data
    try:
        fmt = registry.resolve_for_writing(target, format, ds.attrs["ds_type"])
        check_ending(fmt, target, format)
        refuse_extension_only_name(fmt, target)  # ".nc" names a hidden file, not out.nc
    except UnknownFormatError:
        if target.is_file() and not overwrite and not options.get("append"):
            raise already_exists(target) from None  # movement's users meet this one first
        raise
    assert fmt.write is not None  # resolve_for_writing only returns writers
    try:
        check_options(fmt, options, "write")
    except PoseBridgeError as error:  # kind="foo", compression="lzmaX": the file not written
        raise naming_the_file(error, target) from None
    try:
        if "labels" not in fmt.kinds:
            labels.refuse(ds, f"{fmt.title} ({fmt.name})")
        if fmt.name != "netcdf":  # which keeps the dataset as it is
            ds = scalar_view_as_dim(ds)  # ds.sel(view="top") is written as isel(view=[0])
        view = lone_view(ds, fmt)  # one camera's tracks, written as that camera's file
        if view is not None:
            ds = ds.isel({model.VIEW: 0}, drop=True)
        # what is not written is said once the files are: a refused write (an existing
        # output, a name the format cannot hold) gets its refusal alone
        with held_until_done():
            warn_individual_confidence(ds, fmt)
            warn_frame_facts_dropped(ds, fmt, target, options)
            warn_instance_facts_dropped(ds, fmt, target, options)
            refuse_text_not_utf8(ds, fmt.title)  # every writer stores text as UTF-8
            written = fmt.write(ds, target, overwrite=overwrite, **options)
        if view is not None:  # the files written (one per individual for a split write)
            warn_view_not_stored(view, fmt, ", ".join(map(str, written)))
        return written
    except SchemaError as error:  # what the format cannot hold: name the file not written
        raise naming_the_file(error, target) from error


#: Formats that hold camera views (a ``view`` dim); the others hold one camera's tracks.
_CAMERA_VIEWS = ("netcdf", "nwb")


def scalar_view_as_dim(ds: xr.Dataset) -> xr.Dataset:
    """The dataset with a scalar ``view`` coordinate (left by ``ds.sel(view="top")``) made
    a ``view`` dim of that one camera, on the variables along time, as
    ``ds.isel(view=[0])`` has it: a one-camera format then warns that the name is not
    stored (:func:`warn_view_not_stored`), and NWB keeps it (netCDF keeps the scalar).

    Examples
    --------
    >>> import numpy as np, posebridge
    >>> ds = posebridge.from_numpy(np.zeros((2, 2, 1, 1))).assign_coords(view="top")
    >>> one = scalar_view_as_dim(ds)
    >>> one["position"].dims[-1], one[model.VIEW].values.tolist()
    ('view', ['top'])
    """
    if model.VIEW not in ds.coords or model.VIEW in ds.dims or ds[model.VIEW].ndim != 0:
        return ds
    name = ds[model.VIEW].values.item()
    out = ds.drop_vars(model.VIEW)
    for variable in [v for v in out.data_vars if model.TIME in out[v].dims]:
        out[variable] = out[variable].expand_dims({model.VIEW: [name]}, axis=-1)
    return out


def lone_view(ds: xr.Dataset, fmt: registry.Format) -> str | None:
    """The name of the one camera view of ``ds`` when ``fmt`` holds one camera's tracks
    without a view name (``None``: no view dim, several views, or a format that keeps views).

    A dataset of one camera (``load_multiview_dataset`` of one file, ``ds.sel(view=[name])``)
    written to a one-camera format is that camera's file: :func:`save` writes it without
    the ``view`` dim and then warns (:func:`warn_view_not_stored`). Several views are
    refused by the writer (write one at a time); NWB and netCDF keep views as they are.

    Examples
    --------
    >>> import numpy as np, posebridge
    >>> ds = posebridge.from_numpy(np.zeros((2, 2, 1, 1))).expand_dims(view=["side"], axis=-1)
    >>> lone_view(ds, registry.get("dlc")), lone_view(ds, registry.get("netcdf"))
    ('side', None)
    """
    if model.VIEW not in ds.dims or ds.sizes[model.VIEW] != 1 or fmt.name in _CAMERA_VIEWS:
        return None
    return str(ds[model.VIEW].values[0]) if model.VIEW in ds.coords else "(unnamed)"


def warn_view_not_stored(view: str, fmt: registry.Format, target: object) -> None:
    """Warn that the lone camera view ``view`` was written to ``target`` without its name.

    Examples
    --------
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     warn_view_not_stored("side", registry.get("dlc"), "side.csv")
    >>> str(caught[0].message)[:46]
    "side.csv: the dataset's one camera view 'side'"
    """
    warnings.warn(
        f"{target}: the dataset's one camera view {view!r} is written as the one camera "
        f"of {fmt.title}, which holds no view name: the name {view!r} is not stored. "
        "Write NWB or netCDF (.nc) to keep it.",
        UserWarning,
        stacklevel=user_stacklevel(),
    )


def check_options(fmt: registry.Format, options: dict[str, Any], action: str) -> None:
    """Refuse options that the format's reader or writer does not take, naming the valid ones.

    Parameters
    ----------
    fmt
        The format.
    options
        The options a user gave.
    action
        ``"read"`` or ``"write"``.

    Raises
    ------
    PoseBridgeError
        Naming the unknown options and the ones the format takes, or an option
        whose value is not of the kind its annotation names (a number given for
        text is made text, in ``options``), or, for a writer, an option whose
        value its ``check_write_option`` refuses (NWB's ``compression="lzmaX"``;
        that error's ``option`` attribute names the option).

    Examples
    --------
    >>> from posebridge import registry
    >>> check_options(registry.get("dlc"), {"key": "tracks"}, "read")
    >>> check_options(registry.get("dlc"), {"fps2": 1}, "read")
    Traceback (most recent call last):
    ...
    posebridge.errors.PoseBridgeError: The DeepLabCut reader has no option 'fps2'; it takes: key.
    """
    valid = fmt.read_options if action == "read" else fmt.write_options
    role = "reader" if action == "read" else "writer"
    unknown = [name for name in options if name not in valid]
    if unknown:
        names = ", ".join(repr(n) for n in unknown)
        shown = [o for o in valid if o != "overwrite"]  # save's own argument, not an option
        takes = ", ".join(shown) if shown else "no options"
        raise PoseBridgeError(f"The {fmt.title} {role} has no option {names}; it takes: {takes}.")
    hints = option_values.annotations(fmt.read if action == "read" else fmt.write)
    for name, value in options.items():
        hint = hints.get(name)
        if hint is None:
            continue
        if option_values.admits(hint, value):
            if isinstance(value, os.PathLike) and _text_only(hint):
                options[name] = os.fspath(value)  # key=Path("tracks"): the text the reader takes
            continue
        number = isinstance(value, int | float) and not isinstance(value, bool)
        if number and option_values.admits(hint, str(value)):
            options[name] = str(value)  # subject_id=7 (a number on the command line): text
            continue
        said = f"option {name}= takes {option_values.describe(hint)}, got {value!r}."
        refused = OptionTypeError(f"The {fmt.title} {role}'s {said}")
        # on the command line: the flag that gave it, and the values as typed after it
        flag = "--read-option" if action == "read" else "--option"
        typed = f"option {name}= ({flag}) takes {option_values.describe_for_command_line(hint)}"
        if isinstance(value, str) and value.strip()[:1] in ("[", "{"):
            # the command line parses a value as JSON when it can: '[a,b]' is not JSON
            got = (
                f"got {value!r}, which is not JSON (--option and --read-option values are "
                'parsed as JSON: text in a list in double quotes, e.g. \'["nose","tail"]\').'
            )
        else:
            got = f"got {value!r}."
        raise with_command_line_wording(refused, {said: f"{typed}, {got}"})
    if action == "write" and fmt.check_write_option is not None:
        for name, value in options.items():
            _check_value(fmt, name, value)


def _check_value(fmt: registry.Format, name: str, value: Any) -> None:
    """Run the writer's own check of one option's value, naming the option when it fails.

    A ``TypeError`` stays one (else a ``PoseBridgeError``); the error gets an
    ``option`` attribute, the option's name, that the command line turns into its flag.
    """
    assert fmt.check_write_option is not None
    try:
        fmt.check_write_option(name, value)
    except PoseBridgeError as error:
        kind = OptionTypeError if isinstance(error, OptionTypeError) else PoseBridgeError
        refused = kind(f"The {fmt.title} writer's option {name}=: {error}")
        refused.option = name  # type: ignore[attr-defined]
        with_command_line_wording(refused, getattr(error, "command_line_wording", {}))
        raise refused from None


def naming_the_file(error: PoseBridgeError, path: Path) -> PoseBridgeError:
    """The same error, its message starting with the file when it does not name it yet.

    Examples
    --------
    >>> str(naming_the_file(SchemaError("time repeats."), Path("a.slp")))
    'a.slp: time repeats.'

    A :class:`FormatError` that names a file of its own (one read beside ``path``,
    such as idtracker.ai's ``id_probabilities.csv``) is left as it is: that file
    holds the fault.

    >>> str(naming_the_file(FormatError("b.csv", "line 3: bad."), Path("a.csv")))
    'b.csv: line 3: bad.'
    """
    if str(path) in str(error) or path.name in str(error):
        return error
    if isinstance(error, FormatError) and error.path:
        return error
    if isinstance(error, OSError):  # posebridge's twins of the built-in file errors
        named = type(error)(error.errno, f"{path}: {error}", error.filename)
        named.__dict__.update({k: v for k, v in error.__dict__.items() if k != "strerror"})
        return named
    named = type(error).__new__(type(error))
    named.__dict__.update(error.__dict__)
    named.args = (f"{path}: {error}", *error.args[1:])
    return named


def _text_only(hint: Any) -> bool:
    """Whether an option's annotation names text and no path (``str | None``, not ``Any``
    or ``str | os.PathLike``): a path given for it is handed on as its text."""
    args = typing.get_args(hint) or (hint,)
    paths = any(a in (Path, os.PathLike) or typing.get_origin(a) is os.PathLike for a in args)
    return str in args and not paths


def list_formats() -> pd.DataFrame:
    """The supported formats: names, file endings, and what each reads and writes.

    Returns
    -------
    pandas.DataFrame
        One row per format.

    Examples
    --------
    >>> import posebridge
    >>> "netcdf" in posebridge.list_formats()["name"].tolist()
    True
    """
    rows = [
        {
            "name": f.name,
            "title": f.title,
            "aliases": ", ".join(f.aliases),
            "extensions": ", ".join(f.extensions),
            "kinds": ", ".join(f.kinds),
            "reads": f.reads,
            "writes": f.writes,
            "read_options": ", ".join(f.read_options),
            "write_options": ", ".join(o for o in f.write_options if o != "overwrite"),
        }
        for f in registry.all_formats()
    ]
    return pd.DataFrame(rows)
