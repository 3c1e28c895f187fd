"""Individuals side by side: several datasets of distinct individuals as one."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

import numpy as np
import xarray as xr

from posebridge import model
from posebridge.combine.agree import (
    check_alike,
    check_count,
    one_fps,
    one_frame,
    one_session,
    one_video,
    where,
)
from posebridge.combine.row_lists import united_objects, united_paths, united_rows
from posebridge.combine.timeline import NONE_VALUES, on_common_time
from posebridge.errors import SchemaError
from posebridge.model import labels


def merge_individuals(
    datasets: Iterable[xr.Dataset], sources: Sequence[str] | None = None
) -> xr.Dataset:
    """One dataset from several whose individuals are distinct.

    Parameters
    ----------
    datasets
        Validated datasets (a list, or a generator of them) of one kind, time
        unit, fps, keypoints and space; their individuals must not repeat. Two
        stated fps must agree (within :data:`FPS_RTOL`); an input in frames
        without one takes the others'.
        Single-animal files that name no individual all read as
        ``individual_0``: rename them first
        (``ds.assign_coords(individual=["mouse1"])``).
    sources
        Names of the inputs (files), for messages.

    Returns
    -------
    xarray.Dataset
        The individuals side by side in input order; time is the union of the
        inputs' times (times in seconds less than a millionth of a frame apart
        are one, with the first input's value), NaN where an input has no row.
        A variable along ``time`` without an ``individual`` dim (a per-frame
        signal) holds every input's values: where one input has none
        (NaN, or no row at that time) another's are taken.
        Attributes come from the first input, ``fps`` from the first that
        states one; SLEAP's suggested frames (``sleap_suggestions``)
        list the rows of every input.

    Raises
    ------
    posebridge.errors.TypeError
        When ``datasets`` is not a list (or generator) of datasets (``None``...).
    SchemaError
        When the inputs do not line up (kind, time unit, fps, keypoints),
        share an individual, give a variable along ``time`` without an
        ``individual`` dim different values at one time, or hold positions not
        in one unit or coordinate frame (``space_unit``, or Anipose alignments,
        that differ: :func:`posebridge.combine.agree.one_frame`). Inputs that state
        two session starts, or name two videos (``video_path``), are merged
        with a warning.

    Examples
    --------
    >>> import numpy as np, posebridge
    >>> a = posebridge.from_numpy(np.zeros((3, 2, 1, 1)), individual_names=["a"])
    >>> b = posebridge.from_numpy(np.ones((3, 2, 1, 1)), individual_names=["b"])
    >>> merge_individuals([a, b])["individual"].values.tolist()
    ['a', 'b']
    """
    if isinstance(datasets, Iterator):  # a generator: posebridge.load(f) for f in files
        datasets = list(datasets)
    check_count(datasets, sources)
    datasets = [model.validate(ds) for ds in datasets]
    if len(datasets) == 1:
        return datasets[0]
    keep = (model.SPACE, model.KEYPOINT, model.VIEW)  # names in the first input's order
    check_alike(datasets, sources, keep)
    _one_camera(datasets, sources)
    one_frame(datasets, sources)
    one_session(datasets, sources)
    one_video(datasets, sources)
    datasets = one_fps(datasets, sources)
    names = [str(v) for ds in datasets for v in ds[model.INDIVIDUAL].values]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        holders = [
            where(sources, i)
            for i, ds in enumerate(datasets)
            if repeated[0] in [str(v) for v in ds[model.INDIVIDUAL].values]
        ]
        unnamed = (
            " A file that names no individual (a single-animal DeepLabCut or LightningPose "
            "file, as split_individuals=True writes them) reads as 'individual_0'."
            if repeated[0] == "individual_0"
            else ""
        )
        raise SchemaError(
            f"{' and '.join(holders)} share the individual {repeated[0]!r} (shared: "
            f"{repeated}); only inputs with distinct individuals can be read together.{unnamed} "
            "Name each input's individuals apart and merge them: posebridge.combine."
            "merge_individuals([posebridge.load(file).assign_coords(individual=[name]) for "
            "file, name in zip(files, names)])."
        )
    aligned = on_common_time(datasets, keep, sources, one_camera=True)
    aligned = _shared_variables_united(aligned, sources)
    merged = xr.concat(
        aligned,
        dim=model.INDIVIDUAL,
        data_vars="minimal",
        coords="minimal",
        compat="override",
        join="exact",
        combine_attrs="override",
    )
    kinds = {ds.attrs.get(model.INSTANCE_KIND) for ds in datasets}
    if len(kinds) > 1:  # the first input's word would make another's user instances predictions
        merged.attrs.pop(model.INSTANCE_KIND, None)
    for key in model.ROW_LIST_ATTRS:
        if united := united_rows(datasets, key):
            merged.attrs[key] = united
    if united := united_paths(datasets, labels.PROJECT_VIDEOS):  # every project's videos
        merged.attrs[labels.PROJECT_VIDEOS] = united
    if united := united_objects(datasets, labels.VIDEO_FACTS):  # every video's facts
        merged.attrs[labels.VIDEO_FACTS] = united
    if sources:
        merged.attrs["source_file"] = ", ".join(map(str, sources))
    return model.validate(merged)


def _one_camera(datasets: Sequence[xr.Dataset], sources: Sequence[str] | None) -> None:
    """Refuse inputs of different camera views (a scalar ``view`` coordinate, as
    ``ds.sel(view=name)`` leaves it, that differs, or is stated by some inputs only):
    merged, every individual would be of the first input's camera."""
    seen = [
        str(ds[model.VIEW].values)
        if model.VIEW in ds.coords and model.VIEW not in ds.dims
        else None
        for ds in datasets
    ]
    if len(set(seen)) < 2:
        return
    other = next(i for i, view in enumerate(seen) if view != seen[0])

    def said(i: int) -> str:
        return f"view {seen[i]!r}" if seen[i] is not None else "no camera view"

    raise SchemaError(
        f"{where(sources, other)} is of {said(other)} but {where(sources, 0)} of "
        f"{said(0)}: merged, every individual would be of one camera. Merge the "
        "individuals of one view at a time, or drop the view of inputs that are of one "
        "camera (ds.drop_vars('view'))."
    )


def _shared_variables_united(
    aligned: list[xr.Dataset], sources: Sequence[str] | None
) -> list[xr.Dataset]:
    """The inputs, each holding every input's values of the variables along ``time``
    that have no ``individual`` dim (the concatenation keeps one copy of those;
    the others, such as a skeleton, are checked to agree by :func:`check_alike`).

    An input's missing values (NaN, or the category "none" of a row it lacks) take
    another's; two values at one place that differ are refused: the merged dataset
    has room for one.
    """
    names = [
        str(name)
        for ds in aligned
        for name in ds.data_vars
        if model.TIME in ds[name].dims and model.INDIVIDUAL not in ds[name].dims
    ]
    for name in dict.fromkeys(names):
        holders = [i for i, ds in enumerate(aligned) if name in ds.data_vars]
        values = aligned[holders[0]][name]
        for i in holders[1:]:
            other = aligned[i][name]
            if other.dims != values.dims:
                raise SchemaError(
                    f"{where(sources, i)}: its {name!r} has dims {other.dims} but "
                    f"{where(sources, holders[0])}'s has {values.dims}; a variable "
                    "without an 'individual' dim is one for all the individuals merged. "
                    f"Drop it (ds.drop_vars({name!r})) from one of them."
                )
            mine, theirs = _held(values, name), _held(other, name)
            differ = np.flatnonzero(
                (mine & theirs).values & (np.asarray(values.values) != np.asarray(other.values))
            )
            if differ.size:
                place = np.unravel_index(int(differ[0]), values.shape)
                at = ", ".join(
                    f"{dim} {values[dim].values[k]!s}" if dim in values.coords else f"{dim} {k}"
                    for dim, k in zip(values.dims, place, strict=True)
                )
                raise SchemaError(
                    f"{where(sources, i)}: its {name!r} (a variable without an 'individual' "
                    f"dim, one for all the individuals merged) is "
                    f"{values.values.flat[differ[0]]!s} in {where(sources, holders[0])} but "
                    f"{other.values.flat[differ[0]]!s} here at {at} ({differ.size} value(s) "
                    "differ). Keep each input's values apart: give the variable of each input "
                    f"(loaded one by one) its individual, ds[{name!r}] = ds[{name!r}]."
                    "expand_dims(individual=ds.individual.values, axis=-1), and merge them "
                    "with posebridge.combine.merge_individuals; or drop it (ds.drop_vars("
                    f"{name!r})) from all but one input."
                )
            values = values.where(mine, other)
        aligned = [ds.assign({name: values}) if name in ds.data_vars else ds for ds in aligned]
    return aligned


def _held(values: xr.DataArray, name: str) -> xr.DataArray:
    """Where an input has a value of ``name``: not NaN nor the "none" a category gets
    at a row the input lacks."""
    held = values.notnull()
    if name in NONE_VALUES:
        held &= values != NONE_VALUES[name]
    return held
