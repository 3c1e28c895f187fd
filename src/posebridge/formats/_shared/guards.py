"""Checks a writer makes before it writes: what its format cannot hold is refused.

A writer must never produce a file that posebridge (or the owning tool) cannot
read back as the same data. What a format cannot hold faithfully (no frames,
empty names, names that break its text layout) is refused here, before any
file is opened, with a message that says why and what to do.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from os import PathLike
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from posebridge import model
from posebridge.errors import SchemaError, with_command_line_wording
from posebridge.model import labels

__all__ = [
    "PHYSICAL_UNITS",
    "kind_check",
    "refuse_bad_names",
    "refuse_empty",
    "refuse_no_points",
    "refuse_not_2d",
    "refuse_nul",
    "refuse_physical_units",
    "refuse_text_not_utf8",
    "refuse_unknown_frames",
    "refuse_views",
]


def refuse_views(ds: xr.Dataset, title: str, path: Path | str | None = None) -> None:
    """Refuse a dataset with camera views (a ``view`` dim): the format holds one camera's.

    The message says how to pick one view: ``ds.sel(view=name)`` for several,
    ``ds.isel(view=0, drop=True)`` for a lone view (whose name the format cannot
    hold), and which formats hold them all: netCDF, and NWB for poses (NWB holds
    neither boxes nor labelled frames of several views: its PoseTraining frames are
    one video's each).

    Parameters
    ----------
    ds
        The dataset to write.
    title
        The format's name for the message.
    path
        The file to write, named first in the message (``None``: not named).

    Raises
    ------
    SchemaError
        Naming the views and how to pick one.

    Examples
    --------
    >>> import numpy as np, posebridge
    >>> ds = posebridge.from_numpy(np.zeros((2, 2, 1, 1)))
    >>> ds = ds.expand_dims(view=["left", "right"], axis=-1)
    >>> refuse_views(ds, "DeepLabCut")
    Traceback (most recent call last):
    ...
    posebridge.errors.SchemaError: The dataset has 2 camera views (left, right); DeepLabCut ...
    >>> from posebridge import labels
    >>> frames = labels.from_numpy(np.zeros((1, 2, 1, 1)), video=["v.mp4"], frame=[3])
    >>> refuse_views(frames.expand_dims(view=["a", "b"], axis=-1), "NWB", "l.nwb")
    Traceback (most recent call last):
    ...
    posebridge.errors.SchemaError: l.nwb: ... one camera's labelled frames: ... to netCDF (.nc).
    """
    if model.VIEW not in ds.dims:
        return
    names = [str(v) for v in ds[model.VIEW].values] if model.VIEW in ds.coords else []
    shown = ", ".join(names[:5]) + (", ..." if len(names) > 5 else "")
    count = ds.sizes[model.VIEW]
    boxes = ds.attrs.get("ds_type") == "bboxes"
    frames = labels.is_labels(ds)  # NWB's PoseTraining holds one video's frames each
    keeping_all = "netCDF (.nc)" if boxes or frames else "NWB or netCDF (.nc)"
    held = "labelled frames" if frames else "tracks"
    named = f"{path}: " if path is not None else ""
    if count == 1:
        raise SchemaError(
            f"{named}The dataset has 1 camera view ({shown or 'unnamed'}) and {title} files "
            f"hold one camera's {held} without a view name: drop the view dim, in Python "
            "ds.isel(view=0, drop=True), or write it with its view to "
            f"{keeping_all}."
        )
    first = repr(names[0]) if names else "..."
    advice = (
        f"write one view at a time, e.g. ds.sel(view={first}), or all of them to {keeping_all}."
    )
    refused = SchemaError(
        f"{named}The dataset has {count} camera views ({shown}); {title} files hold "
        f"one camera's {held}: {advice}"
    )
    raise with_command_line_wording(
        refused,
        {
            advice: f"write all of them to {keeping_all}; the command line writes every "
            f"view, and picking one takes Python (e.g. ds.sel(view={first}))."
        },
    )


def refuse_not_2d(ds: xr.Dataset, title: str, what: str, path: Path | str | None = None) -> None:
    """Refuse camera views or other than two spatial dimensions: ``what`` holds one camera's x, y.

    Views are refused by :func:`~posebridge.formats._shared.guards.refuse_views`;
    3-D poses with advice to select x and y (Python) or to write a format that keeps
    them, the only step the command line can take.

    Parameters
    ----------
    ds
        The dataset to write.
    title
        The format's name, for the refusal of views (``"YOLO pose"``).
    what
        What the format's files hold, for the message (``"YOLO pose labels"``).
    path
        The file to write, named first in the message (``None``: not named).

    Raises
    ------
    SchemaError
        When ``ds`` has a ``view`` dim or other than 2 spatial dimensions.

    Examples
    --------
    >>> import numpy as np, posebridge
    >>> ds = posebridge.from_numpy(np.zeros((2, 3, 1, 1)))
    >>> refuse_not_2d(ds, "YOLO pose", "YOLO pose labels")
    Traceback (most recent call last):
    ...
    posebridge.errors.SchemaError: YOLO pose labels are 2D (x, y); this dataset has 3 spatial ...
    """
    refuse_views(ds, title, path)
    count = ds.sizes[model.SPACE]
    if count == 2:
        return
    names = [str(name) for name in ds[model.SPACE].values] if model.SPACE in ds.coords else []
    select = f"ds.sel(space={names[:2]!r})" if len(names) > 2 else "ds.sel(space=['x', 'y'])"
    advice = f"select x and y first ({select}), or write it to NWB or netCDF (.nc)."
    named = f"{path}: " if path is not None else ""
    refused = SchemaError(
        f"{named}{what} are 2D (x, y); this dataset has {count} spatial dimension(s)"
        f"{' (' + ', '.join(names) + ')' if names else ''}: {advice}"
    )
    raise with_command_line_wording(
        refused,
        {
            advice: "write it with --to nwb or --to netcdf, which keep every spatial "
            f"dimension; selecting x and y takes Python ({select})."
        },
    )


def refuse_empty(
    ds: xr.Dataset, title: str, *, dims: Iterable[str] = (model.TIME, model.INDIVIDUAL)
) -> None:
    """Refuse a dataset with no entries along one of ``dims``.

    Parameters
    ----------
    ds
        The dataset to write.
    title
        The format's name for the message.
    dims
        The dimensions that must not be empty.

    Raises
    ------
    SchemaError
        Naming the empty dimension.

    Examples
    --------
    >>> import numpy as np, posebridge
    >>> refuse_empty(posebridge.from_numpy(np.zeros((0, 2, 1, 1))), "DeepLabCut")
    Traceback (most recent call last):
    ...
    posebridge.errors.SchemaError: The dataset has no time steps (frames); DeepLabCut files ...
    """
    for dim in dims:
        if dim in ds.dims and ds.sizes[dim] == 0:
            what = "time steps (frames)" if dim == model.TIME else f"{dim}s"
            raise SchemaError(
                f"The dataset has no {what}; {title} files cannot hold an empty dataset "
                "faithfully, so nothing was written. Write it as netCDF (.nc), which keeps "
                "empty dimensions."
            )


def refuse_no_points(ds: xr.Dataset, title: str) -> None:
    """Refuse a dataset without a single point, for formats that list instances only.

    Such a file would hold no instance, and its readers (posebridge's among
    them) refuse it.

    Raises
    ------
    SchemaError
        Saying that every position is NaN.

    Examples
    --------
    >>> import numpy as np, posebridge
    >>> refuse_no_points(posebridge.from_numpy(np.full((2, 2, 1, 1), np.nan)), "COCO")
    Traceback (most recent call last):
    ...
    posebridge.errors.SchemaError: The dataset holds no point (every position is NaN); ...
    """
    if not bool(np.isfinite(np.asarray(ds["position"].values)).any()):
        raise SchemaError(
            f"The dataset holds no point (every position is NaN); {title} files list the "
            "instances present, so the file would be empty, which its readers refuse; "
            "nothing was written. Write it as netCDF (.nc) or NWB, which keep empty frames."
        )


def refuse_unknown_frames(ds: xr.Dataset, title: str) -> None:
    """Refuse video frames whose frame number is unknown, for formats that name each image.

    A row without an ``image_path`` is a frame of a video, named (or numbered) by its
    frame number; with time in seconds and neither fps nor a ``frame`` coordinate,
    that number would be made up (the row's rank, 0..n-1), and the times lost. The
    writers of image formats (COCO, YOLO, Label Studio) refuse it with this; SLEAP's,
    VIA's and YOLO predictions' writers refuse it with messages of their own.

    Raises
    ------
    SchemaError
        Naming how many rows (the first of them) and what to give.

    Examples
    --------
    >>> import numpy as np, posebridge
    >>> ds = posebridge.from_numpy(np.zeros((2, 2, 1, 1)))
    >>> refuse_unknown_frames(ds, "COCO")  # frames 0, 1
    >>> ds = ds.assign_coords(time=[0.5, 1.25]).assign_attrs(time_unit="seconds")
    >>> refuse_unknown_frames(ds, "COCO")
    Traceback (most recent call last):
    ...
    posebridge.errors.SchemaError: COCO names the image of a video frame by its frame ...
    """
    if model.frame_numbers(ds) is not None:
        return
    if labels.IMAGE_PATH in ds.coords:
        unnamed = labels.normalise_paths(ds[labels.IMAGE_PATH].values) == ""
    else:
        unnamed = np.ones(ds.sizes[model.TIME], dtype=bool)
    if not unnamed.any():
        return
    advice = (
        "Set the frame rate (pass fps= (e.g. fps=30) to posebridge.load, convert or "
        "convert_many, or for a dataset use posebridge.model.with_fps(ds, 30)) or give "
        "each row's image_path,"
    )
    refused = SchemaError(
        f"{title} names the image of a video frame by its frame number, and the dataset's "
        "time is in seconds with no fps and no 'frame' coordinate: the frame of "
        f"{int(unnamed.sum())} row(s) (row {int(np.argmax(unnamed))} first) would be made up "
        f"and the times lost. {advice} or write a format that keeps times (NWB, netCDF)."
    )
    raise with_command_line_wording(
        refused, {advice: "Give the frame rate with --fps (e.g. --fps 30),"}
    )


#: Units of length that are not pixels (lower case): positions in them cannot be image pixels.
PHYSICAL_UNITS = frozenset(
    {"m", "meter", "meters", "metre", "metres", "cm", "centimeter", "centimeters",
     "centimetre", "centimetres", "mm", "millimeter", "millimeters", "millimetre",
     "millimetres", "um", "\u00b5m", "micrometer", "micrometers", "micron", "microns",
     "in", "inch", "inches", "ft", "foot", "feet"}
)  # fmt: skip


def refuse_physical_units(ds: xr.Dataset, title: str) -> None:
    """Refuse positions in a unit of length, for formats that hold image pixels.

    COCO, YOLO and Label Studio place points on images; TRex writes centimetres
    and DANNCE millimetres, which written as they are would be read as pixels.
    Only known units of length are refused (``space_unit``); pixels and units
    posebridge does not know pass.

    Raises
    ------
    SchemaError
        Naming the unit and how to get pixels.

    Examples
    --------
    >>> import numpy as np, posebridge
    >>> ds = posebridge.from_numpy(np.ones((2, 2, 1, 1))).assign_attrs(space_unit="centimeters")
    >>> refuse_physical_units(ds, "YOLO pose")
    Traceback (most recent call last):
    ...
    posebridge.errors.SchemaError: YOLO pose holds points on images, in pixels, and the ...
    """
    unit = ds.attrs.get("space_unit")
    if isinstance(unit, str) and unit.strip().lower() in PHYSICAL_UNITS:
        advice = (
            "Convert them to pixels first (e.g. ds['position'] / cm_per_pixel for TRex's "
            "centimetres) and set ds.attrs['space_unit'] = 'pixels'."
        )
        refused = SchemaError(
            f"{title} holds points on images, in pixels, and the positions are in {unit} "
            f"(space_unit); written as they are they would be read as pixels. {advice}"
        )
        raise with_command_line_wording(
            refused,
            {
                advice: "The command line does not change units: write a format that keeps "
                "them (netCDF (.nc), NWB), or convert them to pixels in Python first "
                "(ds['position'] / cm_per_pixel, then ds.attrs['space_unit'] = 'pixels')."
            },
        )


def refuse_bad_names(
    ds: xr.Dataset,
    title: str,
    *,
    dims: Iterable[str] = (model.KEYPOINT, model.INDIVIDUAL),
    forbidden: str = "\n\r",
    reserved: Iterable[str] = (),
    path: str | PathLike[str] | None = None,
) -> None:
    """Refuse empty names, names holding a character of ``forbidden``, and ``reserved`` ones.

    Parameters
    ----------
    ds
        The dataset to write.
    title
        The format's name for the message.
    dims
        The name coordinates to check.
    forbidden
        Characters the format's layout cannot hold in a name.
    reserved
        Names the format's readers take for a missing label.
    path
        The file being written, which the message names (``None``: none named).

    Raises
    ------
    SchemaError
        Naming the dimension and the name.

    Examples
    --------
    >>> import numpy as np, posebridge
    >>> ds = posebridge.from_numpy(np.zeros((1, 2, 1, 1)), keypoint_names=["a\\nb"])
    >>> refuse_bad_names(ds, "DeepLabCut")
    Traceback (most recent call last):
    ...
    posebridge.errors.SchemaError: keypoint name 'a\\nb' holds '\\n', which DeepLabCut files ...
    """
    where = f"{path}: " if path is not None else ""
    for dim in dims:
        if dim not in ds.coords:
            continue
        example = f"e.g. ds.assign_coords({dim}=[...])"
        rename = f"ename it, {example}."
        flags = {  # the command line renames in the source
            f"R{rename}": f"Rename it in the source file (or in Python, {example}).",
            f"r{rename}": f"rename it in the source file (or in Python, {example}).",
        }
        for name in (str(v) for v in ds[dim].values):
            if not name.strip():
                refused = SchemaError(
                    f"{where}{'An' if dim[0] in 'aeiou' else 'A'} {dim} name is empty "
                    f"({name!r}); "
                    f"{title} files would read it back as a different name or not at all. "
                    f"R{rename}"
                )
                raise with_command_line_wording(refused, flags)
            if name in reserved:
                refused = SchemaError(
                    f"{where}{dim} name {name!r} is read back by {title} readers as a missing "
                    f"label, not as a name; r{rename}"
                )
                raise with_command_line_wording(refused, flags)
            bad = [c for c in forbidden if c in name]
            if bad:
                refused = SchemaError(
                    f"{where}{dim} name {name!r} holds {bad[0]!r}, which {title} files cannot "
                    f"hold in a name; r{rename}"
                )
                raise with_command_line_wording(refused, flags)


def _joined_text(values: object) -> str | bytes | None:
    """A string, or an array or list of strings, as one text (``None``: not text)."""
    import numpy as np

    if isinstance(values, str | bytes):
        return values
    array = np.asarray(values) if isinstance(values, list | tuple | np.ndarray) else None
    if array is None or array.dtype.kind not in "OUS" or array.size == 0:
        return None
    # joined, not np.char.find: numpy drops trailing NULs of the searched text ("" matches)
    texts = array.ravel().tolist()
    if array.dtype.kind == "S":
        return b"".join(texts)
    return "".join(map(str, texts))


def _holds_nul(values: object) -> bool:
    """Whether a string, or an array or list of strings, holds a NUL character."""
    text = _joined_text(values)
    return text is not None and ("\x00" if isinstance(text, str) else b"\x00") in text


def _not_utf8(values: object) -> bool:
    """Whether texts hold characters no UTF-8 file can (a file name's non-UTF-8 bytes)."""
    text = _joined_text(values)
    if not isinstance(text, str):
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def refuse_text_not_utf8(ds: xr.Dataset, title: str) -> None:
    """Refuse names and text coordinates or variables that UTF-8 cannot encode.

    Python reads a file name whose bytes are not UTF-8 with lone surrogates in
    their place (``caf\\udce9.png``); a file that stores text as UTF-8 (JSON,
    HDF5, netCDF) cannot hold them. Attributes are not checked here: a writer
    that stores them writes :func:`posebridge.model.labels.utf8_text` of them.

    Raises
    ------
    SchemaError
        Naming the coordinate or variable.

    Examples
    --------
    >>> import numpy as np, posebridge
    >>> ds = posebridge.from_numpy(np.zeros((1, 2, 1, 1)), individual_names=["caf\\udce9"])
    >>> refuse_text_not_utf8(ds, "COCO")
    Traceback (most recent call last):
    ...
    posebridge.errors.SchemaError: individual holds a text that is not UTF-8 ...
    """
    import numpy as np

    for name, variable in ds.variables.items():
        if isinstance(variable.data, np.ndarray) and _not_utf8(variable.data):
            bad = next(
                (v for v in np.asarray(variable.data).ravel().tolist() if _not_utf8(str(v))), ""
            )
            advice = (
                "replace the text (posebridge.model.labels.utf8_text spells those bytes %XX) "
                "with ds.assign_coords(...)."
            )
            refused = SchemaError(
                f"{name} holds a text that is not UTF-8 ({bad!r}: a file name's bytes in "
                f"another encoding), which {title} files cannot hold; rename the file it "
                f"comes from, or {advice}"
            )
            raise with_command_line_wording(
                refused,
                {
                    advice: "replace the text in Python (posebridge.model.labels.utf8_text "
                    "spells those bytes %XX)."
                },
            )


#: How to remove a NUL character, as Python and the command line (in the source) say it.
_NUL_ADVICE = {
    "remove it, e.g. with ds.assign_coords(...).": "remove it from the source file (or in "
    "Python, e.g. with ds.assign_coords(...)).",
    "remove it from .attrs.": "remove it from the source file (or in Python, from .attrs).",
}


def refuse_nul(ds: xr.Dataset, title: str, path: str | PathLike[str] | None = None) -> None:
    """Refuse a NUL character in any text of ``ds``: names, text coordinates, attributes.

    HDF5's variable-length strings (NWB, netCDF) cannot hold one (h5py refuses
    to write it) and text formats cut the text at it. Variables read lazily
    (dask) are not loaded for this check. ``path``, the file being written, is named
    in the message (``None``: none named).

    Raises
    ------
    SchemaError
        Naming the coordinate, variable or attribute.

    Examples
    --------
    >>> import numpy as np, posebridge
    >>> ds = posebridge.from_numpy(np.zeros((1, 2, 1, 1)), individual_names=["m\\x001"])
    >>> refuse_nul(ds, "NWB")
    Traceback (most recent call last):
    ...
    posebridge.errors.SchemaError: individual holds a text with a NUL character ...
    """
    import numpy as np

    file = f"{path}: " if path is not None else ""
    for name, variable in ds.variables.items():
        if isinstance(variable.data, np.ndarray) and _holds_nul(variable.data):
            where = f"{file}{name} holds a text"
            refused = SchemaError(
                f"{where} with a NUL character (\\x00), which {title} files cannot hold; "
                "remove it, e.g. with ds.assign_coords(...)."
            )
            raise with_command_line_wording(refused, _NUL_ADVICE)
    for owner, attrs in [("the dataset", ds.attrs)] + [
        (f"{name!r}", variable.attrs) for name, variable in ds.variables.items()
    ]:
        for key, value in attrs.items():
            if _holds_nul(value):
                refused = SchemaError(
                    f"{file}{'the' if file else 'The'} attribute {key!r} of {owner} holds a "
                    f"NUL character (\\x00), which {title} files cannot hold; remove it from "
                    ".attrs."
                )
                raise with_command_line_wording(refused, _NUL_ADVICE)


def kind_check(kinds: tuple[str, ...]) -> Callable[[str, Any], None]:
    """A writer's ``check_write_option`` refusing a ``kind`` that is not one of ``kinds``.

    ``posebridge.convert`` and ``posebridge convert`` run it before reading the input
    (whatever the data); other options pass.

    Examples
    --------
    >>> check = kind_check(("auto", "results"))
    >>> check("kind", "auto")
    >>> check("kind", "labels")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    posebridge.errors.SchemaError: kind must be one of ('auto', 'results'), got 'labels'.
    """

    def check_option(name: str, value: Any) -> None:
        if name == "kind" and value not in kinds:
            raise SchemaError(f"kind must be one of {kinds}, got {value!r}.")

    return check_option
