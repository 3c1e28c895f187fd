"""Load any supported file, with movement's ``movement.io.load`` names.

Code written for movement runs with this module in its place::

    from posebridge.io.load import load_dataset, load_multiview_dataset

    ds = load_dataset("video1DLC_resnet50.h5", fps=30)  # software found from the content
    ds = load_multiview_dataset({"left": "left.h5", "right": "right.h5"}, "DeepLabCut")

These functions hold no format logic: they call :func:`posebridge.load`.
"""

from __future__ import annotations

import functools
import os
import warnings
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Literal, Protocol

import xarray as xr

from posebridge import api, errors, model, registry
from posebridge._files import check_input
from posebridge.errors import expect_dataset, user_stacklevel
from posebridge.io._dropin import movement_fps, refuse_unknown_options

if TYPE_CHECKING:
    import pynwb

__all__ = [
    "AMBIGUOUS_DLC_LP_SOURCE_SOFTWARE",
    "InferredSourceSoftware",
    "LoaderProtocol",
    "PosebridgeSourceSoftware",
    "SourceSoftware",
    "SourceSoftwareOrAuto",
    "get_supported_source_software",
    "infer_source_software",
    "load_dataset",
    "load_multiview_dataset",
    "register_loader",
    "rename_legacy_dimensions",
]

PathLike = str | os.PathLike[str]

#: movement's name for a DeepLabCut-style .csv file, which LightningPose writes too.
AMBIGUOUS_DLC_LP = "DeepLabCut/LightningPose"
#: The same, under movement 0.17's name.
AMBIGUOUS_DLC_LP_SOURCE_SOFTWARE: Final = AMBIGUOUS_DLC_LP

#: The software names movement's ``load_dataset`` takes (posebridge takes any format
#: name too, see :func:`get_supported_source_software`), as movement's type aliases.
SourceSoftware = Literal["DeepLabCut", "SLEAP", "LightningPose", "Anipose", "NWB", "VIA-tracks"]
#: The names of the formats posebridge reads beyond movement's, as
#: :func:`infer_source_software` gives them and :func:`load_dataset` takes them.
PosebridgeSourceSoftware = Literal[
    "netCDF",
    "SLEAP analysis CSV",
    "TRex",
    "idtracker.ai",
    "DANNCE",
    "COCO keypoints",
    "YOLO pose",
    "YOLO pose predictions",
    "Label Studio",
]
#: What :func:`infer_source_software` gives: movement's names, movement's name for a
#: DeepLabCut-style .csv file, and posebridge's further formats (loaders given to
#: :func:`register_loader` add their own names).
InferredSourceSoftware = (
    SourceSoftware | Literal["DeepLabCut/LightningPose"] | PosebridgeSourceSoftware
)
SourceSoftwareOrAuto = SourceSoftware | Literal["auto", "DeepLabCut/LightningPose"]


class LoaderProtocol(Protocol):
    """What a loader given to :func:`register_loader` is, as in movement 0.17.

    A callable taking a file path (or a ``pynwb.NWBFile``) first, then any
    positional and keyword arguments, and returning a poses or bounding-box
    dataset. For type hints only: any function of that shape conforms.

    Examples
    --------
    >>> import posebridge
    >>> def from_my_tracker(file, fps=None, **kwargs):
    ...     return posebridge.load(file, "dlc", fps=fps)
    >>> loader: LoaderProtocol = from_my_tracker
    """

    def __call__(
        self, file: Path | str | pynwb.NWBFile, *args: Any, **kwargs: Any
    ) -> xr.Dataset:  # pragma: no cover - a protocol's signature
        """Load a dataset from ``file``."""
        ...


_DLC_LP = ("DeepLabCut", "LightningPose")


#: Loaders registered with :func:`register_loader`, by source software (they come first).
_REGISTERED: dict[str, Callable[..., xr.Dataset]] = {}
#: The file endings of each registered loader's validators.
_REGISTERED_SUFFIXES: dict[str, set[str]] = {}
#: Each registered loader's validators, by file ending (what infer_source_software tries).
_REGISTERED_VALIDATORS: dict[str, dict[str, Any]] = {}


def _is_nwbfile(value: Any) -> bool:
    return hasattr(value, "processing") and hasattr(value, "identifier")


def register_loader(
    source_software: str, *, file_validators: Any = None
) -> Callable[[Callable[..., xr.Dataset]], Callable[..., xr.Dataset]]:
    """Register a loader for a source software, as movement's decorator of the same name.

    :func:`load_dataset` then calls it for that ``source_software`` (before
    posebridge's own reader of that name, as a registration replaces movement's
    loader): ``loader(file, fps, **kwargs)``, or ``loader(file, **kwargs)`` for
    ``"NWB"``.

    Parameters
    ----------
    source_software
        The name ``load_dataset`` is given.
    file_validators
        movement file validator classes (one or a list): the loader then gets an
        instance of the one whose ``suffixes`` hold the file's ending, made with
        ``file=`` and the loader's keyword arguments that are its fields, as in
        movement. ``None``: the loader gets the file as given.

    Returns
    -------
    collections.abc.Callable
        The decorator; it returns the wrapped loader.

    Raises
    ------
    UnknownFormatError
        (When the loader is called) a file ending none of the validators takes
        (a ``ValueError``, as in movement).

    Examples
    --------
    >>> from posebridge.io.load import load_dataset, register_loader
    >>> @register_loader("MyTracker")  # doctest: +SKIP
    ... def from_my_tracker(file, fps=None, **kwargs):
    ...     return posebridge.load(file, "dlc", fps=fps)
    >>> ds = load_dataset("tracks.csv", "MyTracker", fps=30)  # doctest: +SKIP
    """
    validators = (
        list(file_validators)
        if isinstance(file_validators, list | tuple)
        else [file_validators]
        if file_validators is not None
        else []
    )
    by_suffix = {
        suffix: validator
        for validator in validators
        for suffix in getattr(validator, "suffixes", set())
    }
    _REGISTERED_SUFFIXES[source_software] = set(by_suffix)
    _REGISTERED_VALIDATORS[source_software] = by_suffix

    def decorator(loader: Callable[..., xr.Dataset]) -> Callable[..., xr.Dataset]:
        @functools.wraps(loader)
        def wrapper(file: Any, *args: Any, **kwargs: Any) -> xr.Dataset:
            if not validators:
                return loader(file, *args, **kwargs)
            return loader(_validated(file, by_suffix, source_software, kwargs), *args, **kwargs)

        _REGISTERED[source_software] = wrapper
        return wrapper

    return decorator


def _validated(file: Any, by_suffix: dict[str, Any], software: str, kwargs: dict) -> Any:
    """The validator instance of ``file`` (movement's rule: chosen by the file's ending)."""
    suffix = ".nwb" if _is_nwbfile(file) else Path(file).suffix
    validator = by_suffix.get(suffix)
    if validator is None:
        raise errors.UnknownFormatError(
            f"Unsupported format for {software!r}: {suffix!r} (it takes "
            f"{', '.join(sorted(by_suffix)) or 'no file ending'})."
        )
    fields = {a.name for a in getattr(validator, "__attrs_attrs__", ()) if a.init}
    return validator(file=file, **{k: v for k, v in kwargs.items() if k in fields})


def get_supported_source_software() -> dict[str, set[str]]:
    """The source software names and the file endings each is read from.

    Returns
    -------
    dict of str to set of str
        E.g. ``{"DeepLabCut": {".h5", ".csv"}, ...}``; posebridge's formats
        beyond movement's are listed too, by the names of
        :data:`PosebridgeSourceSoftware` (``"netCDF"``, ``"SLEAP analysis
        CSV"``, ``"TRex"``, ``"idtracker.ai"``, ``"DANNCE"``, ``"COCO
        keypoints"``, ``"YOLO pose"``, ``"YOLO pose predictions"``, ``"Label
        Studio"``), and loaders registered with :func:`register_loader` with
        their validators' endings (none without).

    Examples
    --------
    >>> from posebridge.io.load import get_supported_source_software
    >>> sorted(get_supported_source_software()["DeepLabCut"])
    ['.csv', '.h5']
    """
    out: dict[str, set[str]] = {}
    for fmt in registry.all_formats():
        if fmt.reads:
            out.setdefault(fmt.title, set()).update(
                "." + ext.rsplit(".", 1)[-1] for ext in fmt.extensions
            )
    for software, suffixes in _REGISTERED_SUFFIXES.items():  # as movement: what they validate
        out[software] = set(suffixes)
    return out


def infer_source_software(file: Any, **loader_kwargs: Any) -> str:
    """The source software of a file, found from its content.

    posebridge's formats are told apart by content; the loaders registered
    with :func:`register_loader` and ``file_validators`` are candidates too,
    when their validator (made with ``file=`` and the ``loader_kwargs`` that
    are its fields, as in movement) takes the file. One candidate is the
    answer, as in movement.

    Parameters
    ----------
    file
        A file path, or a ``pynwb.NWBFile``.
    **loader_kwargs
        The loader's keyword arguments, handed to registered validators as
        movement does (posebridge's own detection does not need them).

    Returns
    -------
    str
        movement's name: ``"DeepLabCut"``, ``"SLEAP"``, ``"LightningPose"``,
        ``"Anipose"``, ``"VIA-tracks"``, ``"NWB"``; ``"DeepLabCut/LightningPose"``
        for a DeepLabCut-style .csv file (both tools write that layout), as
        movement. For the files of posebridge's other formats, which movement
        cannot infer (it raises ``ValueError``), the format's name (one of
        :data:`PosebridgeSourceSoftware`: ``"netCDF"``, ``"SLEAP analysis
        CSV"``, ``"TRex"``, ``"idtracker.ai"``, ``"DANNCE"``, ``"COCO
        keypoints"``, ``"YOLO pose"``, ``"YOLO pose predictions"``, ``"Label
        Studio"``), which :func:`load_dataset` takes; a registered loader's
        name when its validator alone takes the file.

    Raises
    ------
    UnknownFormatError
        When the content fits no format, or fits several (a ``ValueError``,
        as in movement).

    Examples
    --------
    >>> from posebridge.io.load import infer_source_software
    >>> infer_source_software("video1DLC_resnet50.h5")  # doctest: +SKIP
    'DeepLabCut'
    """
    if _is_nwbfile(file):
        return "NWB"
    path = check_input(file)
    registered = [
        software
        for software, by_suffix in _REGISTERED_VALIDATORS.items()
        if _validates(path, by_suffix, loader_kwargs)
    ]
    try:
        fmt = registry.get(registry.detect(path))
    except errors.UnknownFormatError:
        if len(registered) == 1:
            return registered[0]
        if registered:
            raise _several(path, registered) from None
        raise
    own = (
        AMBIGUOUS_DLC_LP
        if fmt.name in ("dlc", "lp") and path.suffix.lower() == ".csv"
        else fmt.title
    )
    others = [
        software
        for software in registered
        if software != own and not (own == AMBIGUOUS_DLC_LP and software in _DLC_LP)
    ]
    if others:
        raise _several(path, [own, *others])
    return own


def _validates(path: Path, by_suffix: dict[str, Any], loader_kwargs: dict[str, Any]) -> bool:
    """Whether a registered loader's validator takes ``path`` (movement's candidate test)."""
    if path.suffix not in by_suffix:
        return False
    try:
        _validated(path, by_suffix, "", loader_kwargs)
    except (OSError, TypeError, ValueError):  # what movement's inference counts as "no"
        return False
    return True


def _several(path: Path, names: list[str]) -> errors.UnknownFormatError:
    return errors.UnknownFormatError(
        f"{path}: fits several source software ({', '.join(names)}); pass source_software= "
        "naming one."
    )


def load_dataset(
    file: Any,
    source_software: str | None = "auto",
    fps: float | None = None,
    **kwargs: Any,
) -> xr.Dataset:
    """Load poses or bounding boxes from any supported file.

    Parameters
    ----------
    file
        The file (a path), or a ``pynwb.NWBFile`` for NWB.
    source_software
        ``"auto"`` or ``None`` (default): found from the content
        (:func:`infer_source_software`); else a name as movement's
        (``"DeepLabCut"``, ``"SLEAP"``, ``"LightningPose"``, ``"Anipose"``,
        ``"VIA-tracks"``, ``"NWB"``, ``"DeepLabCut/LightningPose"``) or a
        posebridge format name (``"dlc"``, ``"netcdf"``...).
    fps
        Frames per second: ``time`` in seconds, frame numbers kept in the
        ``frame`` coordinate. Ignored for NWB (with a ``UserWarning``, as in
        movement): NWB files carry their own times.
    **kwargs
        Options of the format's reader (as movement's loaders: e.g.
        ``individual_name`` for Anipose, ``frame_regexp`` for VIA-tracks).

    Returns
    -------
    xarray.Dataset
        A poses or bboxes dataset.

    Raises
    ------
    UnknownFormatError
        An unknown software name or unrecognised content (a ``ValueError``).
    TypeError
        A keyword the software's reader does not take (a ``TypeError``, as
        movement's loaders raise, and a ``PoseBridgeError``).

    Examples
    --------
    >>> from posebridge.io import load_dataset
    >>> ds = load_dataset("video1DLC_resnet50.h5", fps=30)  # doctest: +SKIP
    >>> ds = load_dataset("tracks.csv", "VIA-tracks", fps=25)  # doctest: +SKIP
    """
    return load_as("load_dataset", file, source_software, fps, **kwargs)


def load_as(
    caller: str,
    file: Any,
    source_software: str | None = "auto",
    fps: float | None = None,
    **kwargs: Any,
) -> xr.Dataset:
    """:func:`load_dataset`, whose refusal of an unknown keyword names ``caller`` (the
    drop-in the user called: ``load_dataset`` or ``load_poses.from_file``).

    Examples
    --------
    >>> load_as("from_file", "pose.h5", "DeepLabCut", bogus=1)  # doctest: +SKIP
    """
    if source_software in (None, "auto"):
        source_software = infer_source_software(file, **kwargs)  # as movement: validators use them
    if not isinstance(source_software, str):
        raise errors.TypeError(
            f"Expected 'source_software' to be a str, got {type(source_software).__name__}."
        )
    if source_software in _REGISTERED:  # register_loader's, as movement's registry
        if source_software == "NWB":
            return _REGISTERED[source_software](file, **kwargs)
        return _REGISTERED[source_software](file, fps, **kwargs)
    if source_software == AMBIGUOUS_DLC_LP:
        refuse_unknown_options(caller, "dlc", kwargs)
        ds = api.load(file, "dlc", fps=movement_fps(fps), **kwargs)
        ds.attrs["source_software"] = AMBIGUOUS_DLC_LP
        return ds
    if source_software == "LightningPose":  # movement's loader: its checks and attrs
        from posebridge.io import _pose_files

        return _pose_files.from_lp_file(file, fps=fps, **kwargs)
    fmt = _format_called(source_software)
    if fmt.name == "nwb":  # any fps ignored (not checked), as movement
        if fps is not None:
            warnings.warn(
                "fps is ignored when loading an NWB file: its times are read from the file.",
                UserWarning,
                stacklevel=user_stacklevel(),
            )
        from posebridge.io import _pose_files

        return _pose_files.from_nwb_file(file, **kwargs)
    fps = movement_fps(fps)
    if fmt.family == "SLEAP":
        from posebridge.io import _pose_files

        return _pose_files.from_sleap_file(file, fps=fps, **kwargs)
    refuse_unknown_options(caller, fmt.name, kwargs)
    return api.load(file, fmt.name, fps=fps, **kwargs)


def _format_called(source_software: str) -> registry.Format:
    """The format a ``source_software`` names: a format's name or alias, or the title
    :func:`infer_source_software` gives (``"COCO keypoints"``, ``"YOLO pose"``).

    Examples
    --------
    >>> _format_called("COCO keypoints").name, _format_called("DeepLabCut").name
    ('coco', 'dlc')
    """
    try:
        return registry.get(source_software)
    except errors.UnknownFormatError:
        titled = [f for f in registry.all_formats() if f.title.lower() == source_software.lower()]
        if not titled:
            raise
        return titled[0]


def load_multiview_dataset(
    file_dict: Mapping[str, PathLike],
    source_software: str | None = "auto",
    fps: float | None = None,
    **kwargs: Any,
) -> xr.Dataset:
    """Load one file per camera view into one dataset with a ``view`` dim.

    Parameters
    ----------
    file_dict
        View name -> file, in the order the views should take: a dict or any
        other mapping (``collections.abc.Mapping``), as movement takes.
    source_software
        As :func:`load_dataset` (``"auto"`` finds each file's own).
    fps
        As :func:`load_dataset`.
    **kwargs
        Options of the format's reader.

    Returns
    -------
    xarray.Dataset
        Poses or box tracks (as movement, which stacks both); every variable
        along time gets a last ``view`` dim (coordinate: the dict's keys). The
        views line up on time: the result's time is the union of the files'
        times, NaN where a view has no row (movement instead requires
        identical times). Attributes come from the first view.

    Raises
    ------
    TypeError
        ``file_dict`` is not a mapping (a ``NotADictError``, also an
        ``AttributeError``, which movement raises there).
    SchemaError
        The views do not line up: different kinds, time units, fps,
        individuals or keypoints.

    Examples
    --------
    >>> from posebridge.io import load_multiview_dataset
    >>> ds = load_multiview_dataset(
    ...     {"left": "left.h5", "right": "right.h5"}, "DeepLabCut", fps=30
    ... )  # doctest: +SKIP
    >>> ds.position.sel(view="left")  # doctest: +SKIP
    """
    from posebridge.combine import stack_views

    if not isinstance(file_dict, Mapping):  # movement takes any mapping (keys, values)
        raise errors.NotADictError(
            f"Expected 'file_dict' to be a dict of view name -> file, e.g. "
            f"{{'left': 'left.h5', 'right': 'right.h5'}}, got {type(file_dict).__name__}."
        )
    file_dict = dict(file_dict)  # one pass over the mapping, in its order
    if not file_dict:
        raise errors.PoseBridgeError(
            "'file_dict' is empty; give one file per view, e.g. {'left': 'left.h5'}."
        )
    # before any file is read: None, bytes, bools are refused, not made 'None', "b'x'", 'True'
    model.name_texts(file_dict, "file_dict's keys (view names)")
    datasets = [
        load_dataset(file, source_software=source_software, fps=fps, **kwargs)
        for file in file_dict.values()
    ]
    sources = [str(file) for file in file_dict.values()]
    return stack_views(datasets, list(file_dict), sources)


def rename_legacy_dimensions(ds: xr.Dataset) -> xr.Dataset:
    """Rename movement's pre-0.17 plural dims (``keypoints``, ``individuals``) to singular.

    Deprecated in movement 0.17 (a ``DeprecationWarning``, as there); posebridge
    renames them anyway whenever it validates a dataset.

    Parameters
    ----------
    ds
        A dataset, maybe with plural dim names.

    Returns
    -------
    xarray.Dataset
        The dataset with singular dim names (unchanged when it has none).

    Examples
    --------
    >>> import warnings
    >>> import numpy as np, xarray as xr
    >>> from posebridge.io.load import rename_legacy_dimensions
    >>> old = xr.Dataset({"position": (("time", "keypoints"), np.zeros((2, 3)))})
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     list(rename_legacy_dimensions(old).dims)
    ['time', 'keypoint']
    """
    expect_dataset(ds)
    warnings.warn(
        "rename_legacy_dimensions is deprecated (as in movement 0.17): posebridge renames "
        "the plural dims whenever it reads or writes a dataset.",
        DeprecationWarning,
        stacklevel=user_stacklevel(),
    )
    renames = {old: new for old, new in model.LEGACY_DIM_NAMES.items() if old in ds.dims}
    return ds.rename(renames) if renames else ds
