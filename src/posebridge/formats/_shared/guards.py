"""Checks a writer makes before it writes: what its format cannot hold is refused.

A writer must never produce a file that posebridge (or the owning tool) cannot
read back as the same data. What a format cannot hold faithfully (no frames,
empty names, names that break its text layout) is refused here, before any
file is opened, with a message that says why and what to do.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import xarray as xr

from posebridge import model
from posebridge.errors import SchemaError, user_stacklevel
from posebridge.formats._shared.images import box_extras
from posebridge.formats._shared.untracked import is_untracked_name, untracked_name
from posebridge.model import labels

__all__ = [
    "FORMATS_KEEPING_NAMES",
    "GENERATED_NAMES",
    "made_up_names",
    "occluded_as_visible",
    "placed_instances",
    "refuse_bad_names",
    "refuse_empty",
    "refuse_no_points",
    "refuse_nul",
    "refuse_physical_units",
    "refuse_text_not_utf8",
    "refuse_views",
    "warn_alignment_dropped",
    "warn_individual_name_not_stored",
    "warn_individual_names_not_kept",
    "warn_individuals_not_written",
    "warn_keypoint_variables_dropped",
    "warn_label_scores_dropped",
    "warn_lone_coordinates",
    "warn_occluded",
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
    raise SchemaError(
        f"{named}The dataset has {count} camera views ({shown}); {title} files hold "
        f"one camera's {held}: write one view at a time, e.g. ds.sel(view={first}), or all "
        f"of them to {keeping_all}."
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
        raise SchemaError(
            f"{title} holds points on images, in pixels, and the positions are in {unit} "
            "(space_unit); written as they are they would be read as pixels. Convert them "
            "to pixels first (e.g. ds['position'] / cm_per_pixel for TRex's centimetres) "
            "and set ds.attrs['space_unit'] = 'pixels'."
        )


def refuse_bad_names(
    ds: xr.Dataset,
    title: str,
    *,
    dims: Iterable[str] = (model.KEYPOINT, model.INDIVIDUAL),
    forbidden: str = "\n\r",
    reserved: Iterable[str] = (),
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
    for dim in dims:
        if dim not in ds.coords:
            continue
        for name in (str(v) for v in ds[dim].values):
            if not name.strip():
                raise SchemaError(
                    f"{'An' if dim[0] in 'aeiou' else 'A'} {dim} name is empty ({name!r}); "
                    f"{title} files would read it back as a different name or not at all. "
                    f"Rename it, e.g. ds.assign_coords({dim}=[...])."
                )
            if name in reserved:
                raise SchemaError(
                    f"{dim} name {name!r} is read back by {title} readers as a missing "
                    f"label, not as a name; rename it, e.g. ds.assign_coords({dim}=[...])."
                )
            bad = [c for c in forbidden if c in name]
            if bad:
                raise SchemaError(
                    f"{dim} name {name!r} holds {bad[0]!r}, which {title} files cannot hold "
                    f"in a name; rename it, e.g. ds.assign_coords({dim}=[...])."
                )


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
            raise SchemaError(
                f"{name} holds a text that is not UTF-8 ({bad!r}: a file name's bytes in "
                f"another encoding), which {title} files cannot hold; rename the file it "
                "comes from, or replace the text (posebridge.model.labels.utf8_text "
                "spells those bytes %XX) with ds.assign_coords(...)."
            )


def refuse_nul(ds: xr.Dataset, title: str) -> None:
    """Refuse a NUL character in any text of ``ds``: names, text coordinates, attributes.

    HDF5's variable-length strings (NWB, netCDF) cannot hold one (h5py refuses
    to write it) and text formats cut the text at it. Variables read lazily
    (dask) are not loaded for this check.

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

    for name, variable in ds.variables.items():
        if isinstance(variable.data, np.ndarray) and _holds_nul(variable.data):
            where = f"{name} holds a text"
            raise SchemaError(
                f"{where} with a NUL character (\\x00), which {title} files cannot hold; "
                "remove it, e.g. with ds.assign_coords(...)."
            )
    for owner, attrs in [("the dataset", ds.attrs)] + [
        (f"{name!r}", variable.attrs) for name, variable in ds.variables.items()
    ]:
        for key, value in attrs.items():
            if _holds_nul(value):
                raise SchemaError(
                    f"The attribute {key!r} of {owner} holds a NUL character (\\x00), which "
                    f"{title} files cannot hold; remove it from .attrs."
                )


def warn_occluded(ds: xr.Dataset, path: Path, kept: str) -> None:
    """Warn that points labelled but not visible (COCO's v=1) do not read back as they are.

    ``kept`` says what the format makes of them; the warning names ``path`` and counts
    them (:func:`posebridge.model.labels.occluded_points`).

    Examples
    --------
    >>> warn_occluded(ds, Path("labels.slp"), "SLEAP reads them as missing")  # doctest: +SKIP
    """
    if occluded := labels.occluded_points(ds):
        warnings.warn(
            f"{path}: {occluded} point(s) with coordinates are flagged labelled but not "
            f"visible (COCO's v=1); {kept}.",
            UserWarning,
            stacklevel=user_stacklevel(),
        )


def occluded_as_visible(ds: xr.Dataset, path: object, title: str, why: str) -> xr.Dataset:
    """The dataset with its points labelled but not visible (COCO's v=1) flagged visible,
    for a format with no such flag, and a warning that the flag is not written.

    Those points were labelled: their positions are written, as points of the format
    (``title``) that it and posebridge read back (SLEAP's and NWB's own not-visible flag
    reads as a missing point; DeepLabCut has none), and the flag reads back as visible
    (2). A point flagged 0 (marked not visible: no point) is left as it is.

    Parameters
    ----------
    ds
        The labels dataset to write.
    path
        The file written, named in the warning.
    title
        The format, for the message.
    why
        What the format holds instead of the flag (``"its not-visible points read as
        missing"``).

    Examples
    --------
    >>> import warnings
    >>> flags = np.array([[[1], [2]]])  # (time, keypoint, individual)
    >>> ds = labels.from_numpy(np.ones((1, 2, 2, 1)), image_path=["a.png"], visible=flags)
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     kept = occluded_as_visible(ds, "a.slp", "SLEAP", "its not-visible points are missing")
    >>> kept.visible.values.ravel().tolist(), str(caught[0].message)[:44]
    ([2.0, 2.0], 'a.slp: 1 point(s) are flagged labelled but n')
    """
    if labels.VISIBLE not in ds:
        return ds
    flags = ds[labels.VISIBLE].astype(np.float64)
    finite = np.isfinite(ds["position"]).any(model.SPACE)
    occluded = finite & (flags > 0) & (flags < labels.VISIBLE_FLAG)
    count = int(occluded.sum())
    if not count:
        return ds
    warnings.warn(
        f"{path}: {count} point(s) are flagged labelled but not visible (COCO's v=1, "
        f"visible 1); {title} has no such flag ({why}), so they are written as visible "
        "points with their positions, and read back as visible points. COCO, YOLO and "
        "netCDF (.nc) keep the flag.",
        UserWarning,
        stacklevel=user_stacklevel(),
    )
    out = ds.copy()
    out[labels.VISIBLE] = flags.where(~occluded, labels.VISIBLE_FLAG)
    return out


def lone_coordinates(ds: xr.Dataset) -> int:
    """How many points have one finite coordinate and the other NaN (or infinite).

    Such a point is a point (:func:`posebridge.model.labels.point_flags`), but a format
    whose points need both coordinates cannot write it.

    Examples
    --------
    >>> pos = np.array([[[[1.0], [2.0]], [[np.nan], [3.0]]]])  # a = (1, NaN), b = (2, 3)
    >>> lone_coordinates(labels.from_numpy(pos, image_path=["a.png"]))
    1
    """
    position = np.asarray(ds["position"].values, dtype=np.float64)
    finite = np.isfinite(position)
    space = ds["position"].get_axis_num(model.SPACE)
    return int((finite.any(axis=space) & ~finite.all(axis=space)).sum())


def warn_lone_coordinates(ds: xr.Dataset, path: object, title: str) -> None:
    """Warn that points with one finite coordinate are not written: ``title``'s points need
    both, so the lone coordinate is dropped and the point reads back as missing.

    The warning names ``path`` and counts them (:func:`lone_coordinates`).

    Examples
    --------
    >>> warn_lone_coordinates(ds, Path("gt.json"), "COCO")  # doctest: +SKIP
    """
    if lone := lone_coordinates(ds):
        warnings.warn(
            f"{path}: {lone} point(s) have one finite coordinate (the other NaN), which "
            f"{title} cannot hold (a point there needs both x and y): they are not written and "
            "read back as missing.",
            UserWarning,
            stacklevel=user_stacklevel(),
        )


def warn_label_scores_dropped(ds: xr.Dataset, path: object, title: str) -> None:
    """Warn that the scores of a labels dataset (a ``confidence`` with finite values) are
    not written: ``title``'s labelled points have none.

    Examples
    --------
    >>> warn_label_scores_dropped(ds, Path("labels.slp"), "SLEAP")  # doctest: +SKIP
    """
    if "confidence" not in ds:
        return
    scored = int(np.isfinite(np.asarray(ds["confidence"].values, dtype=np.float64)).sum())
    if scored:
        warnings.warn(
            f"{path}: the labels' confidence ({scored} score(s)) is not written: {title}'s "
            "labelled points have no score.",
            UserWarning,
            stacklevel=user_stacklevel(),
        )


def placed_instances(ds: xr.Dataset) -> np.ndarray:
    """Which instances (time, individual) have a point (both coordinates finite) or a
    whole box: those that formats listing instances (COCO, YOLO, Label Studio) write.

    Examples
    --------
    >>> pos = np.ones((2, 2, 1, 2))
    >>> pos[1, :, :, 0] = np.nan  # the first individual has no point in frame 1
    >>> placed_instances(labels.from_numpy(pos, image_path=["a.png", "b.png"])).tolist()
    [[True, True], [False, True]]
    """
    xy = ds["position"].transpose(model.TIME, model.INDIVIDUAL, model.KEYPOINT, model.SPACE)
    finite = np.isfinite(np.asarray(xy.values, dtype=np.float64)).all(axis=-1)
    boxed = np.isfinite(box_extras(ds)).all(axis=1)  # (time, individual)
    return finite.any(axis=2) | boxed


def warn_individuals_not_written(
    ds: xr.Dataset,
    path: object,
    how: str,
    *,
    written: np.ndarray | None = None,
    missing: str = "no point",
    keep: str = ".slp or netCDF (.nc)",
) -> None:
    """Warn of the individuals a file will not hold because it has nothing of them.

    A format that holds an individual only through its instances (an annotation,
    a line, a row per individual and frame) writes nothing of one without any:
    the file reads back without it, and the individuals after it move up.

    Parameters
    ----------
    ds
        The dataset to write.
    path
        The output, named in the warning.
    how
        How the format holds an individual, e.g. ``"COCO ground truth holds an
        individual only through its annotations"``.
    written
        Flags of what the file holds, the individual on the last axis (an
        individual is kept when one of its flags is true); default
        :func:`placed_instances`.
    missing
        What the lost individuals lack, for the message (``"no point"``).
    keep
        The formats that keep every individual, for the message.

    Examples
    --------
    >>> import warnings
    >>> pos = np.ones((1, 2, 1, 3))
    >>> pos[..., 1] = np.nan
    >>> ds = labels.from_numpy(pos, image_path=["a.png"], individual_names=["a", "b", "c"])
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     warn_individuals_not_written(ds, "gt.json", "COCO holds ... its annotations")
    >>> print(caught[0].message)  # doctest: +ELLIPSIS
    gt.json: the individual(s) ['b'] have no point and are not written: COCO holds ...
    """
    count = ds.sizes.get(model.INDIVIDUAL, 0)
    flags = placed_instances(ds) if written is None else np.asarray(written, dtype=bool)
    if count == 0 or flags.size == 0:
        return
    kept = flags.reshape(-1, count).any(axis=0)
    if kept.all():
        return
    lost = [str(name) for name in np.asarray(ds[model.INDIVIDUAL].values)[~kept].tolist()]
    shown = repr(lost[:10]) + (f" and {len(lost) - 10} more" if len(lost) > 10 else "")
    warnings.warn(
        f"{path}: the individual(s) {shown} have {missing} and are not written: {how}, so "
        f"the file reads back without them. Write {keep} to keep every individual.",
        UserWarning,
        stacklevel=user_stacklevel(),
    )


#: The names tools give the first (or only) individual of data that names none: a
#: single-animal file, which holds no name, loses nothing of them. The DeepLabCut
#: readers' (posebridge's and movement's, ``individual_0``); movement's and
#: :func:`posebridge.from_numpy`'s for an unnamed individual, Anipose's and NWB's
#: (``id_0``); SLEAP's tracker and sleap-io's for the first track they make
#: (``track_0``); posebridge's for the first instance without a track in a frame
#: (``untracked_0``); DeepLabCut's: a new multi-animal project's first individual
#: (``individual1``), its tracklet stitcher's when the config names too few (``ind1``),
#: SuperAnimal models' (``animal0``).
GENERATED_NAMES = frozenset(
    {"individual_0", "id_0", "track_0", untracked_name(0), "individual1", "ind1", "animal0"}
)

#: The names of :data:`GENERATED_NAMES` for the individuals after the first: the same
#: tools number the others on (``id_3``, ``track_12``, ``individual2``, ``animal1``), and
#: VIA's reader names track -1 ``id_-1``.
_MADE_UP_NAME = re.compile(r"(?:individual|id|track|untracked)_-?\d+|(?:individual|ind|animal)\d+")


def made_up_names(names: list[str]) -> list[bool]:
    """Which of a dataset's individual names a tool made up for data that names none: a
    file that holds no name loses nothing of them. The one rule of the writers' warnings
    of names not kept.

    Among several individuals, the names of :data:`GENERATED_NAMES` numbered on
    (``id_3``, ``untracked_1``, ``individual2``...); a lone individual's only when it is
    one of :data:`GENERATED_NAMES` (a lone ``track_1`` was picked from several tracks:
    its name says which).

    Examples
    --------
    >>> made_up_names(["id_3", "untracked_0", "individual2", "mouse", "id_x"])
    [True, True, True, False, False]
    >>> made_up_names(["track_1"]), made_up_names(["track_0"])
    ([False], [True])
    """
    if len(names) == 1:
        return [names[0] in GENERATED_NAMES]
    return [name in GENERATED_NAMES or _MADE_UP_NAME.fullmatch(name) is not None for name in names]


#: The formats whose files keep the individuals' names, poses and labelled frames alike
#: (boxes: netCDF only).
FORMATS_KEEPING_NAMES = "COCO (.json), DeepLabCut (.h5), SLEAP (.slp) or netCDF (.nc)"


def warn_individual_names_not_kept(
    ds: xr.Dataset,
    path: object,
    *,
    holds: str,
    read_back: str,
    keep: str = FORMATS_KEEPING_NAMES,
    names_read_back: list[str] | None = None,
    identity: bool = True,
) -> None:
    """Warn that the individuals written to ``path`` lose their names: the format holds
    no name (``holds`` says what it holds instead), they read back as ``read_back``.

    Names that read back as they are (``names_read_back``) lose nothing. In a format
    that keeps which individual is which (``identity``: a track id), names a tool made
    up (:func:`made_up_names`) lose nothing either. In one that does not, several
    individuals lose which is which across frames whatever their names (a tracker's
    ``track_<k>``, maDLC's ``individual<k>``, ``id_<k>`` of an array's columns), but for
    ``untracked_<k>``, which have none; a lone individual loses only a name it was
    given. Those that lose nothing are not named, and a dataset of such only is not
    warned about.

    Parameters
    ----------
    ds
        The dataset written.
    path
        The file (or files) written, for the message.
    holds
        The format, and what it holds of an individual (``"YOLO pose labels (a line
        holds no identity)"``).
    read_back
        What the individuals read back as, and by which rule.
    keep
        The formats that keep the names (:data:`FORMATS_KEEPING_NAMES` for poses and
        labels; ``"netCDF (.nc)"`` for boxes).
    names_read_back
        The name each individual reads back as, where the writer knows it (a VIA track
        id's ``id_<id>``); ``None``: none reads back as it is.
    identity
        Whether the format keeps which individual is which across frames (a track id).

    Examples
    --------
    >>> import warnings
    >>> ds = labels.from_numpy(
    ...     np.ones((1, 2, 1, 3)), image_path=["a.png"], individual_names=["mouse", "id_1", "rat"]
    ... )
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     warn_individual_names_not_kept(
    ...         ds, "t.json", holds="X tasks", read_back="untracked_<k>", keep="netCDF (.nc)"
    ...     )
    >>> message = str(caught[0].message)
    >>> message.startswith("t.json: X tasks keep no individual names: the individuals mouse, rat")
    True
    """
    names = [str(name) for name in ds[model.INDIVIDUAL].values]
    same = names_read_back or [None] * len(names)
    if identity or len(names) == 1:
        nothing_to_lose = made_up_names(names)
    else:  # which is which is lost: only untracked instances have nothing to lose
        nothing_to_lose = [is_untracked_name(name) for name in names]
    lost = [
        name
        for name, nothing, back in zip(names, nothing_to_lose, same, strict=True)
        if not nothing and name != back
    ]
    if not lost:
        return
    shown = ", ".join(lost[:3]) + (f" and {len(lost) - 3} more" if len(lost) > 3 else "")
    warnings.warn(
        f"{path}: {holds} keep no individual names: the individuals {shown} read back as "
        f"{read_back}. Write {keep} to keep them.",
        UserWarning,
        stacklevel=user_stacklevel(),
    )


def warn_individual_name_not_stored(
    name: str, path: object, *, layout: str, read_back: str, keep: str
) -> None:
    """Warn that the one individual written to ``path`` loses its name ``name``.

    Single-animal files (DeepLabCut's three column levels, LightningPose, Anipose)
    hold no individual's name and read back with their reader's default; a name a
    tool made up (:data:`GENERATED_NAMES`, :func:`made_up_names`' rule for one individual)
    loses nothing and is not warned about.

    Parameters
    ----------
    name
        The individual's name.
    path
        The file written, for the message.
    layout
        The file's form that holds no name (``"an Anipose file ... "``).
    read_back
        The name the file reads back with.
    keep
        What to do to keep the name.

    Examples
    --------
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     warn_individual_name_not_stored(
    ...         "mouse7",
    ...         "a.csv",
    ...         layout="an Anipose file has no individual",
    ...         read_back="id_0",
    ...         keep="Write netCDF (.nc) to keep it.",
    ...     )
    ...     warn_individual_name_not_stored(
    ...         "id_0",
    ...         "a.csv",
    ...         layout="an Anipose file has no individual",
    ...         read_back="id_0",
    ...         keep="Write netCDF (.nc) to keep it.",
    ...     )
    >>> [str(w.message)[:44] for w in caught]
    ["a.csv: the individual's name 'mouse7' is not"]
    """
    if made_up_names([name])[0]:
        return
    warnings.warn(
        f"{path}: the individual's name {name!r} is not stored: {layout}, and reads back as "
        f"{read_back!r}. {keep}",
        UserWarning,
        stacklevel=user_stacklevel(),
    )


#: Anipose's axis alignment (:data:`posebridge.model.EXTRAS`): the attribute and the value
#: that aligns nothing (identity matrix, zero center).
_ALIGNMENT = {
    "anipose_alignment_matrix": np.eye(3).reshape(-1),
    "anipose_alignment_center": np.zeros(3),
}


def warn_alignment_dropped(ds: xr.Dataset, path: object, title: str) -> None:
    """Warn that Anipose's axis alignment (``anipose_alignment_matrix`` / ``_center``) is
    not written: ``title``'s files have no place for it, so the aligned positions read
    back with no way to the cameras' raw frame. An identity alignment (nothing aligned)
    loses nothing and is not warned about.

    Examples
    --------
    >>> import warnings
    >>> import numpy as np, posebridge
    >>> ds = posebridge.from_numpy(np.zeros((2, 3, 1, 1)))
    >>> ds.attrs["anipose_alignment_center"] = [0.0, 3.0, 0.0]
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     warn_alignment_dropped(ds, "a.h5", "DeepLabCut")
    >>> str(caught[0].message)[:60]
    'a.h5: DeepLabCut files have no place for anipose_alignment_c'
    """
    dropped = []
    for name, nothing in _ALIGNMENT.items():
        if name not in ds.attrs:
            continue
        value = np.asarray(ds.attrs[name], dtype=np.float64).reshape(-1)
        if value.shape != nothing.shape or not np.array_equal(value, nothing):
            dropped.append(name)
    if dropped:
        warnings.warn(
            f"{path}: {title} files have no place for {', '.join(dropped)} (Anipose's axis "
            "alignment of the positions): not written, so the positions read back without "
            "the way to the cameras' frame. Write Anipose .csv or netCDF (.nc) to keep it.",
            UserWarning,
            stacklevel=user_stacklevel(),
        )


def warn_keypoint_variables_dropped(
    ds: xr.Dataset, path: object, title: str, written: tuple[str, ...] = ("confidence",)
) -> None:
    """Warn that per-keypoint variables other than those ``written`` (Anipose's
    ``reprojection_error`` and ``camera_count``, a DeepLabCut file's extra columns) are
    not written: ``title``'s files hold one score per point, the confidence.

    Examples
    --------
    >>> import warnings
    >>> import numpy as np, posebridge
    >>> ds = posebridge.from_numpy(np.zeros((2, 2, 1, 1)))
    >>> ds["camera_count"] = ds["confidence"]
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     warn_keypoint_variables_dropped(ds, "a.h5", "SLEAP analysis")
    >>> str(caught[0].message)[:58]
    'a.h5: SLEAP analysis files have no place for camera_count:'
    """
    per_point = {model.TIME, model.KEYPOINT, model.INDIVIDUAL}
    dropped = [
        str(name)
        for name, variable in ds.data_vars.items()
        if name not in written and set(variable.dims) - {model.VIEW} == per_point
    ]
    if dropped:
        warnings.warn(
            f"{path}: {title} files have no place for {', '.join(dropped)}: not written (a "
            "point holds its position and one score, the confidence). Write netCDF (.nc) to "
            "keep them.",
            UserWarning,
            stacklevel=user_stacklevel(),
        )
