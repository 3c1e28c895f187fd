"""Putting several datasets together: individuals side by side, or camera views.

Used by :func:`posebridge.load` when given a list of files (one per individual,
as the NWB writer and ``split_individuals=True`` make them) and by
:func:`posebridge.io.load.load_multiview_dataset` (one file per camera view).
Both line the datasets up on time: the result's time is the union of the
inputs' times, with NaN where an input has no row.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import xarray as xr

from posebridge import model
from posebridge.errors import SchemaError

__all__ = ["merge_individuals", "stack_views"]


def _where(sources: Sequence[str] | None, i: int) -> str:
    return f"{sources[i]}" if sources else f"dataset {i}"


def _check_alike(
    datasets: Sequence[xr.Dataset], sources: Sequence[str] | None, same: tuple[str, ...]
) -> None:
    first = datasets[0]
    for i, ds in enumerate(datasets[1:], start=1):
        for attr in ("ds_type", "time_unit"):
            if ds.attrs.get(attr) != first.attrs.get(attr):
                raise SchemaError(
                    f"{_where(sources, i)}: {attr} is {ds.attrs.get(attr)!r} but "
                    f"{_where(sources, 0)} has {first.attrs.get(attr)!r}; the files do not "
                    "line up on time."
                )
        if ds.attrs.get("time_unit") == "seconds" and ds.attrs.get("fps") != first.attrs.get(
            "fps"
        ):
            raise SchemaError(
                f"{_where(sources, i)}: fps {ds.attrs.get('fps')} differs from "
                f"{_where(sources, 0)}'s {first.attrs.get('fps')}; the files do not line up "
                "on time."
            )
        for dim in same:
            if (dim in ds.dims) != (dim in first.dims):
                has, lacks = (i, 0) if dim in ds.dims else (0, i)
                raise SchemaError(
                    f"{_where(sources, has)} has a {dim!r} dim and {_where(sources, lacks)} "
                    "has none: they cannot be merged (a 'view' dim: poses of camera views "
                    "and poses of no view)."
                )
            if dim not in first.dims:
                continue
            mine = [str(v) for v in ds[dim].values]
            theirs = [str(v) for v in first[dim].values]
            if sorted(mine) != sorted(theirs):
                raise SchemaError(
                    f"{_where(sources, i)}: its {dim} names {mine} differ from "
                    f"{_where(sources, 0)}'s {theirs}."
                )


def _on_common_time(datasets: Sequence[xr.Dataset], same: tuple[str, ...]) -> list[xr.Dataset]:
    """Reindex every dataset on the union of the times (and the first's order of names)."""
    times = np.unique(np.concatenate([np.asarray(ds[model.TIME].values) for ds in datasets]))
    order = {dim: datasets[0][dim].values for dim in same if dim in datasets[0].dims}
    out = [ds.reindex({model.TIME: times, **order}) for ds in datasets]
    for name in out[0].coords:  # per-time coords (frame, ...): first input that has a value
        if name == model.TIME or out[0][name].dims != (model.TIME,):
            continue
        values = out[0][name]
        for ds in out[1:]:
            if name in ds.coords and ds[name].dims == (model.TIME,):
                values = values.combine_first(ds[name])
        was_int = datasets[0][name].dtype.kind in "iu"
        if values.dtype.kind == "f" and was_int and not values.isnull().any():
            values = values.astype(datasets[0][name].dtype)
        out = [ds.assign_coords({name: values}) for ds in out]
    return out


def merge_individuals(
    datasets: Sequence[xr.Dataset], sources: Sequence[str] | None = None
) -> xr.Dataset:
    """One dataset from several whose individuals are distinct.

    Parameters
    ----------
    datasets
        Validated datasets of one kind, time unit (and fps), keypoints and
        space; their individuals must not repeat.
    sources
        Names of the inputs (files), for messages.

    Returns
    -------
    xarray.Dataset
        The individuals side by side in input order; time is the union of the
        inputs' times, NaN where an input has no row. Attributes come from the
        first input.

    Raises
    ------
    SchemaError
        When the inputs do not line up (kind, time unit, fps, keypoints) or
        share an individual.

    Examples
    --------
    >>> import numpy as np, posebridge
    >>> a = posebridge.from_numpy(np.zeros((3, 2, 1, 1)), individual_names=["a"])
    >>> b = posebridge.from_numpy(np.ones((3, 2, 1, 1)), individual_names=["b"])
    >>> merge_individuals([a, b])["individual"].values.tolist()
    ['a', 'b']
    """
    datasets = [model.validate(ds) for ds in datasets]
    if len(datasets) == 1:
        return datasets[0]
    keep = (model.SPACE, model.KEYPOINT)
    _check_alike(datasets, sources, (*keep, model.VIEW))
    names = [str(v) for ds in datasets for v in ds[model.INDIVIDUAL].values]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise SchemaError(
            f"the inputs share the individuals {repeated}; only inputs with distinct "
            "individuals can be read together (load them one by one)."
        )
    aligned = _on_common_time(datasets, keep)
    merged = xr.concat(
        aligned,
        dim=model.INDIVIDUAL,
        data_vars="minimal",
        coords="minimal",
        compat="override",
        join="exact",
        combine_attrs="override",
    )
    if sources:
        merged.attrs["source_file"] = ", ".join(map(str, sources))
    return model.validate(merged)


def stack_views(
    datasets: Sequence[xr.Dataset], views: Sequence[str], sources: Sequence[str] | None = None
) -> xr.Dataset:
    """One dataset with a ``view`` dim from one dataset per camera view.

    Parameters
    ----------
    datasets
        Validated poses datasets with the same individuals, keypoints, space,
        time unit (and fps).
    views
        The name of each view, in order.
    sources
        Names of the inputs (files), for messages.

    Returns
    -------
    xarray.Dataset
        ``position`` (time, space, keypoint, individual, view) and the other
        variables with a last ``view`` dim (``instance_score``: time,
        individual, view); time is the union of the views' times,
        NaN where a view has no row. Attributes come from the first view.

    Raises
    ------
    SchemaError
        When the views do not line up (kind, time unit, fps, names).

    Examples
    --------
    >>> import numpy as np, posebridge
    >>> a = posebridge.from_numpy(np.zeros((3, 2, 1, 1)))
    >>> stack_views([a, a], ["left", "right"])["position"].dims
    ('time', 'space', 'keypoint', 'individual', 'view')
    """
    datasets = [model.validate(ds) for ds in datasets]
    views = [str(v) for v in views]
    if len(set(views)) != len(views):
        raise SchemaError(f"view names repeat: {views}.")
    if any(model.VIEW in ds.dims for ds in datasets):
        raise SchemaError("an input already has a 'view' dim.")
    keep = (model.SPACE, model.KEYPOINT, model.INDIVIDUAL)
    _check_alike(datasets, sources, keep)
    aligned = _on_common_time(datasets, keep)
    along_time = [name for name in aligned[0].data_vars if model.TIME in aligned[0][name].dims]
    stacked = xr.concat(
        aligned,
        dim=xr.DataArray(views, dims=model.VIEW, name=model.VIEW),
        data_vars=along_time,
        coords="minimal",
        compat="override",
        join="exact",
        combine_attrs="override",
    )
    # concat puts the new dim first; every variable gets it last, as position has it
    return model.validate(stacked.transpose(..., model.VIEW))
